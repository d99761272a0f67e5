#!/usr/bin/env bash
# Debug-register semantics are the same under every lazy-switch policy and
# the same as on the CPU: each debug guest runs as four domains at once (trap,
# lazy-exit, lazy-sched, adaptive), on 1 and on 2 pCPUs; every copy passes its
# own assertions and prints, line for line, the record the guest printed
# natively (check-native.sh), except for the lines where QEMU TCG itself
# departs from the architecture, each listed with its architectural value
# in xen-tests/guests/native-quirks.txt.
. "$(dirname "$0")/lib.sh"
POLICIES="trap lazy-exit lazy-sched adaptive"
GUESTS="dr-basic dr-bp dr-step dr-gd dr-icebp dr-selfprotect dr-stress dr32"
BUILD=${BUILD:-$ROOT/build}

# Native records: the ones `make check-native` left if they are newer than
# the images, else a fresh native run.
NATIVE=$BUILD/guests stale=()
for guest in $GUESTS; do
    [ "$NATIVE/$guest.native.txt" -nt "$G/$guest.elf" ] && [ -f "$NATIVE/$guest.native.cmdline" ] || stale+=("$guest")
done
if [ ${#stale[@]} -gt 0 ]; then
    if [ ${#stale[@]} -lt $(wc -w <<<"$GUESTS") ]; then
        mkdir -p $TMP/native; cp "$NATIVE"/*.native.txt "$NATIVE"/*.native.cmdline $TMP/native/ 2>/dev/null
    fi
    NATIVE=$TMP/native
    O=$NATIVE OUT=$G "$ROOT/xen-tests/guests/check-native.sh" "${stale[@]}" > $TMP/native.log 2>&1
    check_log "native records of ${stale[*]}" $TMP/native.log [ $? -eq 0 ]
fi

for smp in 1 2; do
    for guest in $GUESTS; do
        cmd=$(cat "$NATIVE/$guest.native.cmdline" 2>/dev/null)
        args=()
        for p in $POLICIES; do args+=(--domain "$G/$guest.elf,name=$p,policy=$p${cmd:+,cmdline=$cmd}"); done
        out=$TMP/$guest.smp$smp.out
        hv_run $out --smp $smp "${args[@]}"
        check "$guest smp=$smp: all four policies exit 0" [ $status -eq 0 ]
        with_quirks $guest "$NATIVE/$guest.native.txt" > $TMP/ref 2> $TMP/ref.err
        check_log "$guest smp=$smp: native record, QEMU quirks made architectural" $TMP/ref.err [ $? -eq 0 ]
        check "$guest smp=$smp: the native record is not empty" [ -s $TMP/ref ]
        for p in $POLICIES; do
            domain_lines $out $p > $TMP/cmp
            if diff -u $TMP/ref $TMP/cmp > $TMP/diff; then
                ok "$guest smp=$smp: $p record equals the native one"
            else
                bad "$guest smp=$smp: $p record differs from the native one"; sed 's/^/#   /' $TMP/diff | head -20
            fi
        done
    done
done

# Two domains keep all four breakpoint registers busy side by side; neither
# ever sees the other's values (or a stray DR6 bit).
hv_run $TMP/stress.out --smp 2 \
    --domain $G/dr-stress.elf,name=s1,policy=adaptive,cmdline="seed=11 iterations=150" \
    --domain $G/dr-stress.elf,name=s2,policy=lazy-exit,cmdline="seed=22 iterations=150" \
    --domain $G/dr-stress.elf,name=s3,policy=trap,cmdline="seed=33 iterations=150"
check "dr-stress: three domains exit 0" [ $status -eq 0 ]
for d in s1 s2 s3; do
    expect_line $TMP/stress.out "^\[$d\] dr-stress: all values survived, 0 mismatches" "dr-stress: $d kept its own DR0-3"
done

# A guest debugging itself round after round (its own breakpoint, watchpoint
# and TF steps, with sleeps between rounds) sees the right #DBs under every
# policy while it migrates between two pCPUs.
args=()
for p in $POLICIES; do args+=(--domain "$G/debugloop.elf,name=$p,policy=$p,cmdline=rounds=600 every=300 delay=10000"); done
hv_run $TMP/loop.out --smp 2 "${args[@]}"
check "debugloop: four policies exit 0" [ $status -eq 0 ]
for p in $POLICIES; do
    expect_line $TMP/loop.out "^\[$p\] debugloop: done, 0 bad round\(s\)$" "debugloop: $p, every round's #DBs as on hardware"
done

# XSA-156: a guest that puts watchpoints on its own #DB path does not hang
# the hypervisor or starve its neighbour.
hv_run $TMP/xsa.out --domain $G/dr-selfprotect.elf,name=self --domain $G/ticker.elf,name=nb,cmdline="count=5"
check "self-protect beside a ticker: both end" [ $status -eq 0 ]
expect_line $TMP/xsa.out '^\[nb\] ticker 0: done$' "self-protect: neighbour ran to the end"
finish
