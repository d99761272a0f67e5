#!/usr/bin/env bash
# Scale (issue 11): 64 domains of 4-8 MiB on 2 pCPUs, each debugging itself
# (debugloop: breakpoints, watchpoints, single steps), boot, run and are
# listed by xl and dbgtop; a 65th is refused with ENOSPC; destroyed
# domains give their memory back and their slots to xl create. The cost
# numbers (xl list latency, dbgtop's cost to the guests) are make bench's
# sections 3 and 6.
. "$(dirname "$0")/lib.sh"

DL="every=100000 delay=2000000"
args=()
for i in $(seq 64); do args+=(--domain "$G/debugloop.elf,name=d$i,mem=$((4 + 2 * (i % 3))),cmdline=$DL"); done
check "start: 64 domains on 2 pCPUs" hv_start --smp 2 "${args[@]}"
check "xl list answers" wait_for $XL list

$XL list > $TMP/list
check "xl list: Domain-0 and 64 domains" [ "$(tail -n +2 $TMP/list | wc -l)" = 65 ]
all_listed() {   # every dN with its size, running or blocked
    for i in $(seq 64); do
        grep -Eq "^d$i +$i +$((4 + 2 * (i % 3))) +1 +(r-----|-b----)" $TMP/list || { echo "d$i: $(grep "^d$i " $TMP/list)"; return 1; }
    done
}
check_log "xl list: d1..d64 with 4-8 MiB, running" $TMP/list all_listed

# Every domain is scheduled: each has had CPU time after a while.
all_ran() {
    $XL list | awk 'NR > 2 && $6 + 0 == 0 { print; bad = 1 } END { exit bad }'
}
check "every domain gets CPU time" wait_for all_ran

# dbgtop polls all 64 (DEBUG_STATE_LIST): the debug-state columns are
# filled for every domain, none shows an error.
"$DIST/bin/dbgtop" -b -i 1 > $TMP/top 2>&1
expect_line $TMP/top '^65 domains:' "dbgtop: 65 domains"
debug_columns() {   # dN rows carry a policy and a host-slot count
    [ "$(grep -Ec '^d[0-9]+ +[0-9]+ .* adaptive .* [0-9]+ [-a-z]+$' $TMP/top)" = 64 ]
}
check_log "dbgtop: every domain's debug state" $TMP/top debug_columns

write_cfg extra "$G/debugloop.elf" 4 "$DL"
$XL create $TMP/extra.cfg > $TMP/extra.out 2>&1; st=$?
check "xl create: a 65th domain is refused" [ $st -ne 0 ]
expect_line $TMP/extra.out 'No space left on device' "xl create: ENOSPC names the limit"

free_kib() { $XL info | awk '$1 == "free_memory" { print $3 }'; }
before=$(free_kib)
for i in 61 62 63 64; do $XL destroy d$i; done
after=$(free_kib)
check "xl destroy: four domains' memory comes back ($before -> $after MiB)" [ $((after - before)) -ge $((6 + 8 + 4 + 6)) ]
for i in 1 2; do write_cfg again$i "$G/debugloop.elf" 8 "$DL"; done
check "xl create: a freed slot is used again" $XL create $TMP/again1.cfg
check "xl create: and another" $XL create $TMP/again2.cfg
check "xl list: 62 domains besides Domain-0" [ "$($XL list | tail -n +3 | wc -l)" = 62 ]
hv_stop
finish
