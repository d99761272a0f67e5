#!/usr/bin/env bash
# Hypervisor memory accounting (issue 13, item 6): `xl info` shows total and
# free memory, `xl list -l` each domain's overhead, and creating and destroying
# domains leaves free memory exactly where it was. MEMACCT_DOMAINS (default
# 1,000, about 20 s) domains, 1 MiB each, 8 at a time, beside a running guest,
# then a few full `xl create`/`xl destroy` cycles of real guests.
. "$(dirname "$0")/lib.sh"
N=${MEMACCT_DOMAINS:-1000}
cc -O2 -Wall -I$DIST/include $(dirname "$0")/progs/memacct.c -o $TMP/memacct \
   -L$DIST/lib -Wl,-rpath,$DIST/lib -ldebugctl
if ! check "driver builds against the installed libdebugctl" [ -x $TMP/memacct ]; then finish; exit; fi

hv_start --smp 2 --domain $G/ticker.elf,name=bystander,cmdline="count=0 delay=5000000"
if ! check "hypervisor up" wait_for $XL list; then finish; exit; fi

$XL info > $TMP/info0
expect_line $TMP/info0 '^total_memory +: [1-9][0-9]*$' "xl info: total_memory in MiB"
expect_line $TMP/info0 '^free_memory +: [1-9][0-9]*$' "xl info: free_memory in MiB"
$XL list -l > $TMP/list0
expect_line $TMP/list0 '"overhead_kb": [1-9][0-9]*' "xl list -l: overhead_kb of the running guest and of Domain-0 (the hypervisor's own)"

start=$(date +%s)
$TMP/memacct $N 8 > $TMP/memacct.out 2>&1; st=$?
cat $TMP/memacct.out | sed 's/^/# /'
check_log "$N domains created and destroyed: free memory back exactly, identity held (status $st, $(( $(date +%s) - start )) s)" \
    $TMP/memacct.out [ $st -eq 0 ]

# Real guests through xl: image loaded, started, run, destroyed.
free_before=$($XL info | sed -n 's/^free_memory *: //p')
$TMP/memacct 0 1 > $TMP/before.out 2>&1
kb0=$(sed -n 's/^start: free \([0-9]*\) KiB.*/\1/p' $TMP/before.out)
for i in 1 2 3 4 5; do
    write_cfg churn$i $G/dr-stress.elf $((i * 3)) "iterations=0"
    printf 'vcpus = %d\n' $((1 + i % 2)) >> $TMP/churn$i.cfg
    $XL create $TMP/churn$i.cfg > $TMP/create$i.out 2>&1 || cat $TMP/create$i.out
done
sleep 2
check "the 5 guests are listed" [ "$($XL list | grep -c '^churn')" = 5 ]
for i in 1 2 3 4 5; do $XL destroy churn$i > /dev/null 2>&1; done
$TMP/memacct 0 1 > $TMP/after.out 2>&1
kb1=$(sed -n 's/^start: free \([0-9]*\) KiB.*/\1/p' $TMP/after.out)
same_nonempty() { [ -n "$1" ] && [ "$1" = "$2" ]; }
check "5 real guests (3-15 MiB, 1-2 vCPUs) created, run and destroyed: free $kb1 KiB, was $kb0 KiB" \
    same_nonempty "$kb0" "$kb1"
check "xl info free_memory unchanged ($free_before MiB)" \
    [ "$($XL info | sed -n 's/^free_memory *: //p')" = "$free_before" ]

$XL dmesg > $TMP/dmesg 2>&1
reject_line $TMP/dmesg 'leaked|\[WARN\]' "no leak warning in the hypervisor log"
finish
