#!/usr/bin/env bash
# Software interrupts interrupted by an exit (issue 9, finding 7): the guest
# softint-npt-stack (xen-tests/guests/hostile/) arms its four debug-register
# slots and runs INT n, prefixed INT n, INT3 and ICEBP on its own stack page;
# a host write watchpoint on that page is emulated with nested paging, so
# every push of each delivery takes a #NPF with the event in EXITINTINFO.
# Each interrupt must still be delivered exactly once, with the return
# address after its instruction, as the guest alone (and natively) sees.
. "$(dirname "$0")/lib.sh"
IMG=$G/hostile/softint-npt-stack.elf
STACK=0x$(nm "$IMG" | awk '$3 == "sw_stack" { print $1 }')

hv_start --smp 2 --domain $G/ticker.elf,name=tick,cmdline="count=0"
check "start: xl list answers" wait_for $XL list
check "xl create -p softint-npt-stack" create_paused sw "$IMG"
check "debug-attach" $XL debug-attach sw
# The bottom of the stack page: never written, but the whole page is protected.
check "write watchpoint on the guest's interrupt stack page ($STACK)" \
    $XL debug-wp sw --id 0 --len 8 --type w $STACK

: > $TMP/events
for _ in $(seq 1 20); do
    $XL debug-continue sw --wait -T 120 >> $TMP/events; rc=$?
    [ $rc -ne 0 ] && break
done
check "the domain ran to its end under the debugger (continue exit 2)" [ "$rc" -eq 2 ]
reject_line $TMP/events "type=watchpoint" "no store hit the watched bytes"
$XL console -b sw > $TMP/console
expect_line $TMP/console '^int 0x21: 16, int3: 8, icebp: 8, wrong return addresses: 0$' \
    "each software interrupt delivered exactly once, return address after it"
expect_line $TMP/console '^# 4 passed, 0 failed$' "the guest passes its checks"
hv_stop
finish
