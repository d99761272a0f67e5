#!/usr/bin/env bash
# The hostile-guest corpus (xen-tests/guests/hostile/, docs/security.md):
# every guest there runs under the hypervisor beside a canary domain that
# keeps DR0-3/DR7 and an SSE secret of its own. The hypervisor must survive,
# the canary must finish with everything intact, and the hostile guest must
# get what hardware gives it: where it also runs natively, its record under
# every policy equals the native one line for line, but for the lines where
# QEMU TCG departs from the architecture (xen-tests/guests/native-quirks.txt
# gives the hardware line for each).
#
# Each guest's source carries one spec line (defaults in brackets):
#    * hostile: vcpus=N [1] copies=N [1] pcpus=N [2] policies=a,b [trap,adaptive]
#               expect=pass|crash [pass] native=compare|run|no [compare]
#               initrd=FILE [none] (in the corpus directory: QEMU's -initrd, ramdisk=)
# copies: that many domains per policy, the i-th (from 0) with "copy=i" on
# its command line (cross-domain scenarios); native=run: natively it must
# pass too but its output may differ; no: not meaningful on bare QEMU.
# Usage: test_hostile.sh [guest...]   (default: the whole corpus, or with
# TEST_SHARD=K/N every N-th guest of it from the K-th on)
. "$(dirname "$0")/lib.sh"
SRC=$ROOT/xen-tests/guests/hostile
HG=$G/hostile
QEMU=${QEMU:-qemu-system-x86_64}
CANARY="dr-stress seed=77 iterations=40 every=10 delay=20000"

spec() {   # spec FILE KEY DEFAULT
    local line v
    line=$(grep -m1 '^ \* hostile:' "$1")
    v=$(sed -n "s/.*[ :]$2=\([^ ]*\).*/\1/p" <<<"$line")
    echo "${v:-$3}"
}

native_run() {   # image vcpus cmdline outfile [initrd] -> status
    timeout 120 "$QEMU" -accel tcg -cpu max -m 64M -smp "$2" -display none -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial stdio -icount shift=0 \
        -kernel "$1" -append "$3" ${5:+-initrd "$5"} </dev/null >"$4" 2>"$4.stderr"
}

# keep FILE: a copy that outlives the test's temporary directory; prints its path.
keep() {
    local dir=${BUILD:-$ROOT/build}/test-logs/hostile
    mkdir -p "$dir" && cp "$1" "$dir/" && echo "$dir/$(basename "$1")"
}
passed_tap() { grep -Eq '^# [0-9]+ passed, 0 failed$' "$1"; }
native_passed() { [ "$1" -eq 1 ] && passed_tap "$2"; }   # STATUS LOG (QEMU: 1 = exit 0)
exited_zero() { grep -Eq "^\(HV\) domain [0-9]+ \($2\) exited with code 0$" "$1"; }
crashed() { grep -Eq "^\(HV\) \[ERR\] domain [0-9]+ \($2\) crashed: " "$1"; }
# Launcher status 0 (every domain exited 0) or 1 (a domain failed or crashed);
# anything else is the hypervisor's or QEMU's death, or a timeout.
hv_alive() { ! grep -Eq '^\(HV\) (PANIC|\[FATAL\])|hypervisor fault|QEMU ended' "$1" && [ "$2" -le 1 ]; }
canary_ok() {
    grep -Eq '^\[canary\] dr-stress: all values survived, 0 mismatches$' "$1" &&
    grep -Eq '^\[canary\] dr-stress: sse secret intact$' "$1"
}

# shard_of K/N: every N-th guest of the whole corpus from the K-th on
# (run-tests' TEST_SHARD; the shards together are the corpus).
shard_of() {
    local k=${1%/*} n=${1#*/} i
    for ((i = k - 1; i < ${#guests[@]}; i += n)); do echo "${guests[i]}"; done
}

guests=("$@")
if [ ${#guests[@]} -eq 0 ]; then
    for f in "$SRC"/*.c; do guests+=("$(basename "$f" .c)"); done
    check "the corpus has at least 12 guests" [ ${#guests[@]} -ge 12 ]
    if [ -n "${TEST_SHARD:-}" ]; then
        mapfile -t guests < <(shard_of "$TEST_SHARD")
        echo "# shard $TEST_SHARD: ${guests[*]}"
    fi
fi

for name in "${guests[@]}"; do
    src=$SRC/$name.c img=$HG/$name.elf
    vcpus=$(spec "$src" vcpus 1) copies=$(spec "$src" copies 1) pcpus=$(spec "$src" pcpus 2)
    policies=$(spec "$src" policies trap,adaptive) expect=$(spec "$src" expect pass)
    native=$(spec "$src" native compare)
    initrd=$(spec "$src" initrd "") rd=""
    [ -n "$initrd" ] && rd=",ramdisk=$SRC/$initrd"

    if [ "$native" != no ]; then
        native_run "$img" "$vcpus" "copy=0" "$TMP/$name.native" "${initrd:+$SRC/$initrd}"; st=$?
        if [ "$expect" = pass ]; then
            check "$name: passes natively" native_passed $st "$TMP/$name.native"
        else
            check "$name: natively the machine resets (no clean exit)" [ $st -ne 1 ]
        fi
    fi

    args=(--domain "$G/dr-stress.elf,name=canary,cmdline=$CANARY sse=1")
    doms=()
    for p in ${policies//,/ }; do
        for ((i = 0; i < copies; i++)); do
            doms+=("$p-$i")
            args+=(--domain "$img,name=$p-$i,policy=$p,vcpus=$vcpus$rd,cmdline=copy=$i")
        done
    done
    out=$TMP/$name.hv
    hv_run "$out" --smp "$pcpus" "${args[@]}"
    if ! check "$name: the hypervisor survives (status $status)" hv_alive "$out" "$status"; then
        echo "#   whole output: $(keep "$out")"
        grep -vE '^\[canary\]' "$out" | tail -25 | sed 's/^/#   /'
    fi
    if canary_ok "$out"; then ok "$name: the canary kept its DRs and SSE state"
    else
        bad "$name: the canary was disturbed (whole output: $(keep "$out"))"
        grep -E '^\[canary\]|^\(HV\)' "$out" | tail -8 | sed 's/^/#   /'
    fi
    for d in "${doms[@]}"; do
        domain_lines "$out" "$d" > "$TMP/$name.$d"
        if [ "$expect" = pass ]; then
            if passed_tap "$TMP/$name.$d" && exited_zero "$out" "$d"; then ok "$name/$d: passes"
            else
                bad "$name/$d: fails (whole output: $(keep "$out"))"
                grep -E "^\[$d\] not ok|\($d\)" "$out" | head -8 | sed 's/^/#   /'
            fi
        else
            check "$name/$d: only this domain crashed" crashed "$out" "$d"
        fi
        if [ "$native" = compare ] && [ "${d##*-}" = 0 ]; then
            with_quirks "$name" "$TMP/$name.native" > "$TMP/$name.ref" 2> "$TMP/ref.err"
            check_log "$name: native record, QEMU quirks made architectural" "$TMP/ref.err" [ $? -eq 0 ]
            if diff -u "$TMP/$name.ref" "$TMP/$name.$d" > "$TMP/diff"; then
                ok "$name/$d: record equals the native one"
            else
                bad "$name/$d: record differs from the native one"; sed 's/^/#   /' "$TMP/diff" | head -20
            fi
        fi
    done
done
finish
