#!/usr/bin/env bash
# Fault injection (issue 13, item 5): kill dbgctl-mux, clients in the middle
# of a request, gdb in the middle of a packet, and QEMU itself, at random
# points. The tools must say clearly what happened, the launcher restarts the
# mux and cleans up after QEMU (no process, socket, shared-memory file or mux
# log left), and no event is lost while the hypervisor lives (two event
# readers, one over shared memory, one through the mux, follow throughout).
. "$(dirname "$0")/lib.sh"
for p in soak/evwatch.c bench/memwrite.c; do
    cc -O2 -Wall -I$DIST/include $ROOT/xen-tests/$p -o $TMP/$(basename $p .c) \
       -L$DIST/lib -Wl,-rpath,$DIST/lib -ldebugctl || { bad "build $p"; finish; exit; }
done
SOCK=$TMP/control.sock
# procs_of PID: PID and its children (the supervisor and its mux).
mux_pid() { pgrep -P "$(cut -d' ' -f2 $SOCK.pid)" -x dbgctl-mux; }
socket_xl() { DBGCTL_TRANSPORT=socket $XL "$@"; }
# clear_errors FILE: every line is an error that says what happened.
CLEAR='cannot connect to the hypervisor|connection to the hypervisor (was )?lost|no hypervisor at the control socket|hypervisor did not answer in time|connection refused|Connection reset'
clear_errors() { ! grep -vEq "$CLEAR" "$1"; }

hv_start --smp 2 --domain $G/debugloop.elf,name=dl,mem=8,cmdline="every=100 delay=100000" \
         --domain $G/dr-stress.elf,name=ds,mem=8,cmdline="iterations=0 every=500" \
         --domain $G/ticker.elf,name=tk,mem=8,cmdline="count=0 delay=20000000"
if ! check "hypervisor up" wait_for $XL list; then finish; exit; fi
$TMP/evwatch $TMP/stop-events 500 $TMP/events.shm > /dev/null 2> $TMP/evwatch.shm.err &
evshm=$!
DBGCTL_TRANSPORT=socket $TMP/evwatch $TMP/stop-events 500 $TMP/events.mux > /dev/null 2> $TMP/evwatch.mux.err &
evmux=$!
trap 'kill $evshm $evmux ${flood:-} 2>/dev/null; cleanup' EXIT

# ---- 1. the mux, killed three times at random points under a socket flood ----
echo "# $(date -u +%T) part 1"
( while [ ! -e $TMP/stop-flood ]; do socket_xl list > /dev/null 2>> $TMP/flood.err; done ) &
flood=$!
restarted=0
for i in 1 2 3; do
    sleep 0.$((RANDOM % 10 + 1))
    m=$(mux_pid)
    [ -n "$m" ] && kill -9 $m
    # Restarted within a few seconds, and serving.
    if wait_for socket_xl list && [ "$(mux_pid)" != "$m" ]; then restarted=$((restarted + 1)); fi
done
touch $TMP/stop-flood; wait $flood
check "mux killed (SIGKILL) 3 times at random points: restarted and serving each time ($restarted/3)" [ $restarted -eq 3 ]
check "mux log says each restart" [ "$(grep -c 'dbgctl-mux (pid [0-9]*) ended (status 137); restarting it' $TMP/control.mux.log)" -eq 3 ]
n_err=$(grep -c . $TMP/flood.err)
check_log "clients cut off by the dying mux say so clearly ($n_err failed requests)" $TMP/flood.err clear_errors $TMP/flood.err
socket_xl list > $TMP/list.mux 2>&1
expect_line $TMP/list.mux '^dl ' "xl over the restarted mux lists the domains"

# ---- 1b. a reply to the old mux's request, onto the restarted mux ------------
echo "# $(date -u +%T) part 1b"
# With QEMU: QEMU stopped, client A's DOMAIN_INFO (dl) forwarded into its
# socket, the mux killed and restarted, client B asks the new mux for tk
# with A's sequence number, QEMU continues. QEMU mostly drops what the dead
# connection still held (the hypervisor gets part of A's frame: garbage), but
# sometimes hands the whole request over and the reply to A arrives on the
# new mux's connection (the mux logs it as dropped).
read -r qpid sup < $SOCK.pid
python3 -S $ROOT/xen-tests/integration/progs/stale_reply.py $SOCK $qpid $sup $TMP/control.mux.log \
    "$(socket_xl domid dl)" "$(socket_xl domid tk)" 2 > $TMP/stale.qemu 2>&1
sed 's/^/# /' $TMP/stale.qemu
b_own_always() { grep -Eq '^summary rounds=([1-9]) forced=[0-9]+ b_own=\1$' $TMP/stale.qemu; }
check_log "mux restarted with a request of its predecessor at QEMU: the new client gets its own reply every round ($(grep -o 'forced=[0-9]*' $TMP/stale.qemu | tail -1) rounds where the old reply reached the new mux)" \
    $TMP/stale.qemu b_own_always
# Without QEMU, the timing under control (progs/mux_stale.py plays QEMU's
# socket and the supervisor): the old request's reply arrives on the new
# mux's connection in order (before the answer to its HELLO probe, as the
# hypervisor sends it) and late (after the new mux forwarded B's request).
python3 -S $ROOT/xen-tests/integration/progs/mux_stale.py $DIST/bin/dbgctl-mux $TMP in-order late \
    > $TMP/stale.fake 2>&1
for order in in-order late; do
    own_reply_only() { grep -q "^order=$order a=closed b=type=0x8011,seq=7,status=0,domid=2 .*stale_logged=1\$" $TMP/stale.fake; }
    check_log "restarted mux, the old request's reply $order: the new client gets its own reply, never the old one; the mux logs the stale reply as dropped" \
        $TMP/stale.fake own_reply_only
done

# ---- 2. clients killed in the middle of a request ----------------------------
echo "# $(date -u +%T) part 2"
# Shared memory: ten 8 MiB transfers killed mid-way (more than the 8 slots):
# their slots must come back (the owner pid is dead).
for i in $(seq 10); do
    $TMP/memwrite 8192 16 killed$i > /dev/null 2>&1 &
    p=$!
    sleep 0.$((RANDOM % 5 + 3))
    kill -9 $p 2>/dev/null; wait $p 2>/dev/null
done
$TMP/memwrite 64 4 after > $TMP/after.out 2>&1
check_log "after 10 shared-memory clients killed mid-transfer, a new client gets a slot" $TMP/after.out \
    grep -q "transport=shm$" $TMP/after.out
for i in $(seq 10); do $XL destroy killed$i > /dev/null 2>&1; done
# Through the mux: half a frame, then the client dies.
python3 - "$SOCK" > $TMP/half.out 2>&1 <<'PY'
import socket, struct, sys, zlib
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
hdr = struct.pack('<IHHIIiI', 0x56474244, 2, 0x0010, 7, 16, 0, 0) + struct.pack('<I', 0)
hdr += struct.pack('<I', zlib.crc32(hdr[:28]) & 0xffffffff)
s.sendall(hdr + b'\0' * 5)        # header and 5 of 16 payload bytes
s.close()
PY
socket_xl list > $TMP/list.half 2>&1
expect_line $TMP/list.half '^tk ' "a client that died mid-frame: the mux serves the next one"
$XL list > $TMP/list.all 2>&1
reject_line $TMP/list.all '^killed' "the half-built domains of killed clients could be destroyed"

# ---- 3. gdb killed in the middle of a packet ---------------------------------
echo "# $(date -u +%T) part 3"
# gdbsx on dl; a gdb-like client sends half a packet and dies; then a real
# gdb killed (SIGKILL) while dl runs under `continue`.
gdb_cut() {
    local port=$(( 20000 + RANDOM % 20000 )) stub
    $DIST/bin/gdbsx --verbose --port $port dl > $TMP/stub.$1 2>&1 &
    stub=$!
    wait_for grep -q listening $TMP/stub.$1
    if [ $1 = half ]; then
        python3 -c "
import socket, time
s = socket.create_connection(('127.0.0.1', $port)); s.sendall(b'+\$g#67+\$m1010'); time.sleep(0.3); s.close()"
    else
        gdb -nx -batch -ex "target remote 127.0.0.1:$port" -ex 'continue' > $TMP/gdb.$1 2>&1 &
        local g=$!
        wait_for grep -q 'vCont;c\|<- c' $TMP/stub.$1
        sleep 0.$((RANDOM % 5 + 2))
        kill -9 $g; wait $g 2>/dev/null
    fi
    for _ in $(seq 100); do kill -0 $stub 2>/dev/null || break; sleep 0.1; done
    ! kill -0 $stub 2>/dev/null && stub_ended=1 || { stub_ended=0; kill $stub; }
    wait $stub 2>/dev/null
}
for how in half killed; do
    stub_ended=0
    gdb_cut $how
    check "gdb $how: gdbsx ends by itself" [ $stub_ended = 1 ]
    expect_line $TMP/stub.$how 'gdb closed the connection|connection to gdb lost' "gdb $how: gdbsx says gdb went away"
    expect_line $TMP/stub.$how 'detached from domain' "gdb $how: gdbsx says it detached"
    $XL list dl > $TMP/dl.$how 2>&1
    runs() { awk '$1 == "dl" && $5 ~ /^(r-----|-b----)$/ { ok = 1 } END { exit !ok }' $TMP/dl.$how; }
    check_log "gdb $how: dl runs again (not left paused)" $TMP/dl.$how runs
    $XL debug-attach dl > $TMP/reattach.$how 2>&1 && $XL debug-detach dl >> $TMP/reattach.$how 2>&1
    check_log "gdb $how: a new debugger can attach (no stale owner)" $TMP/reattach.$how [ $? -eq 0 ]
done

# ---- 4. no event lost while the hypervisor lived -----------------------------
echo "# $(date -u +%T) part 4"
touch $TMP/stop-events; wait $evshm $evmux
for t in shm mux; do
    sum=$(grep '^summary' $TMP/events.$t)
    events_clean() { echo "$sum" | grep -q ' gaps=0 dups=0 lost=0 ' && ! echo "$sum" | grep -q 'events=0 '; }
    check "events over $t, through every fault: none lost or repeated (${sum#summary })" events_clean
done
check "both readers read the same events" cmp -s <(grep -v '^summary' $TMP/events.shm) <(grep -v '^summary' $TMP/events.mux)
reject_line $TMP/control.console.log '^\(HV\) \[(WARN|ERR)\]|hypervisor (fault|panic)' "no hypervisor warning or error"

# ---- 5. QEMU killed (start): tools say so, the launcher cleans up ------------
echo "# $(date -u +%T) part 5"
read -r qpid sup < $SOCK.pid
shmfile=$(readlink $SOCK.shm)
( while [ ! -e $TMP/stop-flood2 ]; do $XL list > /dev/null 2>> $TMP/flood2.err; socket_xl list > /dev/null 2>> $TMP/flood2.err; done ) &
flood=$!
sleep 0.$((RANDOM % 10 + 1))
kill -9 $qpid
sleep 1
touch $TMP/stop-flood2; wait $flood
$XL list > $TMP/gone.shm 2>&1; st1=$?
socket_xl list > $TMP/gone.mux 2>&1; st2=$?
# failed_clearly STATUS FILE: nonzero status and a clear message in FILE.
failed_clearly() { [ "$1" -ne 0 ] || return 1; grep -Eq "$CLEAR" "$2"; }
check_log "QEMU killed: xl over shared memory fails clearly (status $st1)" $TMP/gone.shm failed_clearly $st1 $TMP/gone.shm
check_log "QEMU killed: xl over the mux fails clearly (status $st2)" $TMP/gone.mux failed_clearly $st2 $TMP/gone.mux
check_log "requests cut off by QEMU's death failed clearly" $TMP/flood2.err clear_errors $TMP/flood2.err
gone() { for p; do kill -0 $p 2>/dev/null && return 1; done; return 0; }
for _ in $(seq 50); do gone $sup && break; sleep 0.1; done
check "QEMU killed: the mux and its supervisor end by themselves" gone $sup $(pgrep -P $sup)
$DIST/bin/dbgvisor stop --socket $SOCK > $TMP/stop.out 2>&1
expect_line $TMP/stop.out 'already ended \(QEMU pid [0-9]+ is gone\).*console log' "dbgvisor stop says the hypervisor had already ended"
leftovers() { ls $SOCK $SOCK.hv $SOCK.pid $SOCK.shm $TMP/control.mux.log "$shmfile" 2>/dev/null; }
check "nothing left: socket, QEMU socket, pid file, shared-memory link and file, mux log ($(leftovers | tr '\n' ' '))" \
    [ -z "$(leftovers)" ]

# ---- 6. QEMU killed (run): the launcher reports it and cleans up -------------
echo "# $(date -u +%T) part 6"
R=$TMP/run.sock
$DBGVISOR run --timeout 120 --socket $R --smp 2 --domain $G/ticker.elf,name=t,mem=8,cmdline="count=0 delay=20000000" \
    > $TMP/run.out 2>&1 &
runner=$!
wait_for test -f $R.pid
wait_for env DBGCTL_URI=unix:$R $XL list
read -r rq rsup < $R.pid
rshm=$(readlink $R.shm)
sleep 0.$((RANDOM % 10 + 1))
kill -9 $rq
wait $runner; rst=$?
check_log "run: QEMU killed: the launcher exits 4 and names the signal" $TMP/run.out \
    sh -c "[ $rst -eq 4 ] && grep -q 'QEMU died of signal 9' $TMP/run.out"
for _ in $(seq 50); do gone $rsup && break; sleep 0.1; done
check "run: no mux or supervisor left" gone $rsup
# The pid file names QEMU itself (it named timeout(1), whose QEMU lived on
# as an orphan after the kill: found by this test's first version).
no_run_procs() { ! ps -eo args | grep -v grep | grep -Eq "^(qemu-system|timeout|bash .*dbgvisor run).*$R"; }
check "run: no QEMU, timeout or launcher process of the run is left" no_run_procs
rleft() { ls $R $R.hv $R.pid $R.shm $TMP/run.console.log $TMP/run.mux.log "$rshm" 2>/dev/null; }
check "run: nothing left behind ($(rleft | tr '\n' ' '))" [ -z "$(rleft)" ]
finish
