#!/usr/bin/env bash
# Faults raised while the host debugger single-steps (issue 9, finding 14):
# the hypervisor intercepts them so their frames never carry the host's TF,
# and re-injects them itself. The guest exception-errcodes
# (xen-tests/guests/hostile/) loads bad selectors, calls a not-present
# segment, runs INT n through a not-present gate and takes a #GP whose own
# gate is not present (#DF on hardware); the host puts a breakpoint on each
# faulting instruction and steps it. Every vector, error code and faulting
# RIP must be what the guest sees without a debugger (and on bare QEMU).
. "$(dirname "$0")/lib.sh"
IMG=$G/hostile/exception-errcodes.elf
LABELS="ee_int_cs_np ee_ds_np ee_ss_np ee_ss_rpl ee_call_np ee_int_np ee_df"
sym() { printf '0x%x' 0x$(nm "$IMG" | awk -v s="$1" '$3 == s { print $1 }'); }

hv_run $TMP/ref.out --domain $IMG,name=ee
domain_lines $TMP/ref.out ee | grep -v '^ok\|^not ok' > $TMP/ref.rec
expect_line $TMP/ref.rec '^# 8 passed, 0 failed$' "reference: the guest alone passes"

hv_start --smp 2 --domain $G/ticker.elf,name=tick,cmdline="count=0"
check "start: xl list answers" wait_for $XL list
check "xl create -p exception-errcodes" create_paused ee "$IMG"
check "debug-attach" $XL debug-attach ee
id=0
for l in $LABELS; do
    check "breakpoint on $l" $XL debug-bp ee --id $id $(sym $l)
    id=$((id + 1))
done

: > $TMP/events
steps=0
for _ in $(seq 1 20); do
    $XL debug-continue ee --wait -T 120 >> $TMP/events; rc=$?
    [ $rc -ne 0 ] && break
    if tail -1 $TMP/events | grep -q 'type=breakpoint'; then
        $XL debug-step ee >> $TMP/steps && steps=$((steps + 1))
    fi
done
check "the domain ran to its end under the debugger (continue exit 2)" [ "$rc" -eq 2 ]
check "each faulting instruction was hit and stepped (7)" [ $steps -eq 7 ]
$XL console -b ee | grep -v '^ok\|^not ok' > $TMP/dbg.rec
if diff -u $TMP/ref.rec $TMP/dbg.rec > $TMP/diff; then
    ok "every fault's vector, error code and RIP equal the run without a debugger"
else
    bad "the faults differ under host stepping"; sed 's/^/#   /' $TMP/diff | head -20
fi
hv_stop
finish
