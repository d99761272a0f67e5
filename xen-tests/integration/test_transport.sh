#!/usr/bin/env bash
# The control channel's transports against a live hypervisor: the
# shared-memory rings (ivshmem) that libdebugctl prefers, several clients at
# once, a hostile client, the COM2 socket when asked for or when the
# launcher gives no shared memory (docs/protocol.md).
. "$(dirname "$0")/lib.sh"
HVINC=$ROOT/hypervisor/include
cc -O2 -Wall -I$DIST/include $ROOT/xen-tests/bench/memwrite.c -o $TMP/memwrite \
   -L$DIST/lib -Wl,-rpath,$DIST/lib -ldebugctl || exit 1
cc -O2 -Wall -I$HVINC $(dirname "$0")/progs/shm_hostile.c -o $TMP/shm_hostile || exit 1
cc -O2 -Wall -I$DIST/include $(dirname "$0")/progs/fork_slot.c -o $TMP/fork_slot \
   -L$DIST/lib -Wl,-rpath,$DIST/lib -ldebugctl || exit 1
# transport_is T OUT: memwrite's line in OUT names transport T.
transport_is() { grep -q "^memwrite bytes=.* transport=$1\$" "$2"; }
rate_above() { local r; r=$(sed -n 's/.*kib_per_s=\([0-9]*\).*/\1/p' "$2"); [ -n "$r" ] && [ "$r" -gt "$1" ]; }

hv_start --smp 2 --domain $G/ticker.elf,name=tick,mem=8,cmdline="count=0"
check "start: the shared-memory link exists beside the socket" test -L $TMP/control.sock.shm
check "start: the hypervisor serves the ivshmem region" grep -q "control channel: shared memory at" $TMP/control.console.log
check "xl list answers" wait_for $XL list

$TMP/memwrite 8192 10 big > $TMP/big.out 2>&1
check_log "memwrite 8 MiB: over shared memory" $TMP/big.out transport_is shm $TMP/big.out
check_log "memwrite 8 MiB: above 1 MiB/s (COM2 moves ~20 KiB/s)" $TMP/big.out rate_above 1024 $TMP/big.out

# Several clients at once: more than there are slots, while xl follows the
# console; those without a slot use the socket through dbgctl-mux.
$XL console tick > $TMP/follow 2>&1 & fpid=$!
pids=()
for i in $(seq 10); do $TMP/memwrite 128 2 par$i > $TMP/par$i.out 2>&1 & pids+=($!); done
allok=1
for p in "${pids[@]}"; do wait $p || allok=0; done
kill $fpid 2>/dev/null; wait $fpid 2>/dev/null
if ! check "10 clients at once (8 slots): every transfer verified" [ $allok = 1 ]; then
    grep -v "^memwrite bytes" $TMP/par*.out | sed 's/^/#   /'
fi
check "10 clients at once: some over shared memory" grep -q "transport=shm" $TMP/par*.out
expect_line $TMP/follow "^ticker 0: tick [0-9]+" "xl console kept following meanwhile"
check "xl list after the crowd" wait_for $XL list

# A client that forks (xl create's monitor and console child): the child's
# dropped connection must not give the parent's slot away from under it.
$TMP/fork_slot unix:$TMP/control.sock > $TMP/fork.out 2>&1
check_log "fork: parent and child keep working, each on its own slot" $TMP/fork.out [ $? -eq 0 ]
expect_line $TMP/fork.out "^fork_slot parent=shm/0" "fork: the parent stayed on shared memory"

# A hostile client: impossible ring indices stop its slot, nothing else.
$TMP/shm_hostile $TMP/control.sock.shm > $TMP/hostile.out 2>&1
check_log "hostile indices: the hypervisor stops the slot with -EIO" $TMP/hostile.out grep -q "error -5" $TMP/hostile.out
$XL dmesg > $TMP/dmesg
expect_line $TMP/dmesg "impossible ring indices" "hostile indices: logged"
check "hostile indices: the hypervisor still answers" wait_for $XL list
$TMP/memwrite 1024 2 after > $TMP/after.out 2>&1
check_log "after the hostile client: transfers over shared memory still work" $TMP/after.out transport_is shm $TMP/after.out

# COM2 when asked for (one 4 KiB chunk: COM2 is slow on a loaded machine).
DBGCTL_TRANSPORT=socket $TMP/memwrite 4 1 sock > $TMP/sock.out 2>&1
check_log "DBGCTL_TRANSPORT=socket: COM2 still works" $TMP/sock.out transport_is socket $TMP/sock.out
shmfile=$(readlink $TMP/control.sock.shm)
# A hypervisor that goes away mid-transfer: a clear error at once, not a
# hang until the client's 30 s timeout.
$TMP/memwrite 131072 130 gone > $TMP/gone.out 2>&1 & gpid=$!
listed() { $XL list | grep -q "^gone "; }
wait_for listed
sleep 0.3
t0=$(date +%s)
hv_stop
wait $gpid; gstatus=$?
t1=$(date +%s)
failed_fast() { [ $gstatus -ne 0 ] && [ $((t1 - t0)) -lt 10 ] && grep -q "write: connection to the hypervisor lost" $TMP/gone.out; }
check_log "hypervisor gone mid-transfer: the client fails at once, clearly" $TMP/gone.out failed_fast
gone() { ! test -e $TMP/control.sock.shm && ! test -e "$shmfile"; }
check "stop: the shared-memory link and its file are gone" gone

# A launcher without shared memory: libdebugctl falls back to COM2 by itself.
hv_start --no-shm --domain $G/ticker.elf,name=tick,mem=8,cmdline="count=0 delay=20000000"
check "--no-shm: no link" test ! -e $TMP/control.sock.shm
check "--no-shm: xl list answers over COM2" wait_for $XL list
$TMP/memwrite 4 1 com2 > $TMP/com2.out 2>&1
check_log "--no-shm: memwrite falls back to the socket" $TMP/com2.out transport_is socket $TMP/com2.out
# A stale file nobody serves (no magic): ignored at once.
head -c 65536 /dev/zero > $TMP/stale.shm && ln -s $TMP/stale.shm $TMP/control.sock.shm
$TMP/memwrite 4 1 stale > $TMP/stale.out 2>&1
check_log "unserved shared-memory file: the socket is used" $TMP/stale.out transport_is socket $TMP/stale.out
rm -f $TMP/control.sock.shm
hv_stop
finish
