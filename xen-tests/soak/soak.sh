#!/usr/bin/env bash
# Soak (issue 13, item 4): 16 DR-heavy and self-debugging domains on 2 pCPUs
# while workers churn the toolstack, then checks that
#   - every long-lived guest's self-checks held (zero DR mismatches) and it
#     is still running,
#   - every churned guest's own checks passed (selfdebug, short dr-stress),
#   - the event stream lost and repeated nothing across reconnects,
#   - the hypervisor logged no warning or error,
#   - free memory is back where it was before the churn (and, with
#     SOAK_MEMACCT domains more created and destroyed, still is).
# Prints a summary table; exit 0 only if every check held.
#
# SOAK_SECONDS (default SOAK_MINUTES * 60, SOAK_MINUTES default 30),
# SOAK_MEMACCT (domains for the closing memacct churn, default 1000; 0: none),
# SOAK_KEEP=1 keeps the work directory (printed) with every log.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DIST=${DIST:-$ROOT/dist}
G=$DIST/share/dbgvisor/guests
XL=$DIST/bin/xl
SECONDS_TOTAL=${SOAK_SECONDS:-$(( ${SOAK_MINUTES:-30} * 60 ))}
MEMACCT=${SOAK_MEMACCT:-1000}
WORK=$(mktemp -d /tmp/dbgvisor-soak.XXXXXX)
SOCK=$WORK/control.sock
LOG=$WORK/control.console.log
export DBGCTL_URI="unix:$SOCK"
POLICIES=(trap lazy-exit lazy-sched adaptive)
checks=0 failures=0
WORKER_PIDS=()

cleanup() {
    touch "$WORK/stop" "$WORK/stop-events"
    for p in "${WORKER_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    [ -f "$SOCK.pid" ] && "$DIST/bin/dbgvisor" stop --socket "$SOCK" >/dev/null 2>&1
    if [ "${SOAK_KEEP:-0}" = 1 ]; then echo "# logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
ok()  { checks=$((checks + 1)); echo "ok - $*"; }
bad() { checks=$((checks + 1)); failures=$((failures + 1)); echo "not ok - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; return 1; fi; }
log() { echo "# $(date -u +%H:%M:%S) $*"; }
# cnt FILE REGEX: matching lines (0 when the file does not exist).
cnt() { local c; c=$(grep -cE -- "$2" "$1" 2>/dev/null); echo "${c:-0}"; }
is_zero() { for v; do [ "$v" = 0 ] || return 1; done; }
same_nonempty() { [ -n "$1" ] && [ "$1" = "$2" ]; }

cc -O2 -Wall -I"$DIST/include" "$ROOT/xen-tests/soak/evwatch.c" -o "$WORK/evwatch" \
   -L"$DIST/lib" -Wl,-rpath,"$DIST/lib" -ldebugctl &&
cc -O2 -Wall -I"$DIST/include" "$ROOT/xen-tests/integration/progs/memacct.c" -o "$WORK/memacct" \
   -L"$DIST/lib" -Wl,-rpath,"$DIST/lib" -ldebugctl || { bad "helpers build"; exit 1; }

# ---- the 16 long-lived domains ---------------------------------------------
# dr-stress: all four DRs live, checked after every HLT sleep (4 single-vCPU,
# two with an SSE secret; 4 with smp=1 on 2 vCPUs); debugloop: breakpoint,
# watchpoint and TF stepping of its own every round (dl1 is gdb's, dl2 the
# xl debug-* commands'); ticker: the plain neighbours.
DOMS=()
args=()
for i in 1 2 3 4; do
    p=${POLICIES[$(( (i - 1) % 4 ))]}
    args+=(--domain "$G/dr-stress.elf,name=ds$i,mem=8,policy=$p,cmdline=seed=$i iterations=0 every=200 sse=$(( i % 2 == 0 ))")
    DOMS+=(ds$i)
done
for i in 1 2 3 4; do
    p=${POLICIES[$(( i % 4 ))]}
    args+=(--domain "$G/dr-stress.elf,name=dsm$i,mem=8,vcpus=2,policy=$p,cmdline=seed=$((10 * i)) iterations=0 every=200 smp=1")
    DOMS+=(dsm$i)
done
for i in 1 2 3 4 5 6; do
    p=${POLICIES[$(( (i + 1) % 4 ))]}
    args+=(--domain "$G/debugloop.elf,name=dl$i,mem=8,policy=$p,cmdline=every=100 delay=100000")
    DOMS+=(dl$i)
done
for i in 1 2; do
    args+=(--domain "$G/ticker.elf,name=tk$i,mem=8,cmdline=count=0 delay=2000000 id=$i")
    DOMS+=(tk$i)
done

log "soak: ${#DOMS[@]} domains on 2 pCPUs for $SECONDS_TOTAL s, work directory $WORK"
"$DIST/bin/dbgvisor" start --smp 2 --mem 640 --socket "$SOCK" "${args[@]}" > "$WORK/start.out" 2>&1
started=$?
if ! check "hypervisor starts with ${#DOMS[@]} domains" [ $started -eq 0 ]; then
    cat "$WORK/start.out"; exit 1
fi
for _ in $(seq 150); do $XL list > /dev/null 2>&1 && break; sleep 0.2; done

# The readers stop after the workers: the last destroy's event must be read.
"$WORK/evwatch" "$WORK/stop-events" 2000 "$WORK/events.a" 2> "$WORK/evwatch.a.err" &
EVA=$!
"$WORK/evwatch" "$WORK/stop-events" 300 "$WORK/events.b" 2> "$WORK/evwatch.b.err" &
EVB=$!
sleep 2
"$WORK/memacct" 0 1 > "$WORK/mem.before" 2>&1
FREE0=$(sed -n 's/^start: free \([0-9]*\) KiB.*/\1/p' "$WORK/mem.before")
if ! check "memory identity holds at the start (free $FREE0 KiB)" [ -n "$FREE0" ]; then
    cat "$WORK/mem.before"
fi

DEADLINE=$(( $(date +%s) + SECONDS_TOTAL ))
running() { [ ! -e "$WORK/stop" ] && [ "$(date +%s)" -lt "$DEADLINE" ]; }
# count WORKER KEY: one more KEY for WORKER (a file per worker, no sharing).
count() { echo "$2" >> "$WORK/count.$1"; }
# A reply that did not come in time (libdebugctl's timeout on a host loaded
# beyond what the soak itself does) is counted apart: not a fault found.
fail_note() {
    echo "$(date -u +%H:%M:%S) $*" >> "$WORK/fail.$1"
    case "$*" in *"did not answer in time"*) count "$1" timeout ;; *) count "$1" fail ;; esac
}
rnd_dom() { echo "${DOMS[$((RANDOM % ${#DOMS[@]}))]}"; }

# ---- workers ----------------------------------------------------------------
# Life cycle: create, run to the end, check the guest's verdict, destroy;
# every third one is only created paused and destroyed.
w_lifecycle() {
    local n=0 name cfg kind policy st
    while running; do
        n=$((n + 1)); name=churn$n; cfg=$WORK/$name.cfg
        policy=${POLICIES[$((n % 4))]}
        case $((n % 3)) in
            0) kind=paused; printf 'kernel = "%s"\nmemory = 4\nvcpus = 1\n' "$G/selfdebug.elf" > $cfg ;;
            1) kind=selfdebug; printf 'kernel = "%s"\nmemory = 4\nvcpus = 1\n' "$G/selfdebug.elf" > $cfg ;;
            2) kind=dr-stress; printf 'kernel = "%s"\nmemory = 4\nvcpus = 2\ncmdline = "smp=1 iterations=60 every=0 delay=5000 seed=%d"\n' \
                   "$G/dr-stress.elf" $n > $cfg ;;
        esac
        printf 'name = "%s"\ndebug_policy = "%s"\non_poweroff = "preserve"\non_crash = "preserve"\n' \
            $name $policy >> $cfg
        if ! timeout 120 $XL create $([ $kind = paused ] && echo -p) $cfg > $WORK/lc.out 2>&1; then
            fail_note lifecycle "create $name ($kind): $(tail -1 $WORK/lc.out)"
            $XL destroy $name > /dev/null 2>&1
            continue
        fi
        count lifecycle created
        if [ $kind != paused ]; then
            st=""
            for _ in $(seq 600); do
                st=$($XL list -l $name 2>/dev/null | sed -n 's/.*"state": "\(.*\)".*/\1/p')
                [ "$st" = shutdown ] || [ "$st" = crashed ] && break
                sleep 0.1
            done
            if $XL list -l $name 2>/dev/null | grep -q '"exit_code": 0'; then
                count lifecycle passed
            else
                fail_note lifecycle "$name ($kind, $policy) state '$st': $($XL list -l $name 2>&1 | grep -E 'exit_code|state\"' | tr -d '\n ')"
                $XL console -b $name 2>&1 | tail -20 >> $WORK/fail.lifecycle
            fi
        fi
        if timeout 60 $XL destroy $name > $WORK/lc.out 2>&1; then count lifecycle destroyed
        else fail_note lifecycle "destroy $name: $(tail -1 $WORK/lc.out)"; fi
    done
}

# Pause/unpause and policy changes on the long-lived domains. Not pause on
# dl1/dl2: the debuggers hold those stopped, and `xl unpause` would resume a
# domain under a debugger's feet (its next register read gets -EBUSY, as
# found by the first soak runs; Xen's shared controller pause count does the
# same), which is an operator conflict rather than a fault.
w_control() {
    local d p
    while running; do
        d=$(rnd_dom); p=${POLICIES[$((RANDOM % 4))]}
        while [ $d = dl1 ] || [ $d = dl2 ]; do d=$(rnd_dom); done
        if timeout 60 $XL pause $d > $WORK/ctl.out 2>&1; then count control pause
        else fail_note control "pause $d: $(tail -1 $WORK/ctl.out)"; fi
        sleep 0.$((RANDOM % 3))
        if timeout 60 $XL unpause $d > $WORK/ctl.out 2>&1; then count control unpause
        else fail_note control "unpause $d: $(tail -1 $WORK/ctl.out)"; fi
        if [ $p = adaptive ] && [ $((RANDOM % 2)) = 0 ]; then
            set -- --quiet-switches $((1 + RANDOM % 64))
        else
            set --
        fi
        if timeout 60 $XL debug-policy $d $p "$@" > $WORK/ctl.out 2>&1; then count control policy
        else fail_note control "debug-policy $d $p $*: $(tail -1 $WORK/ctl.out)"; fi
        sleep 0.2
    done
}

# gdb through the gdbsx stub on dl1 (attach, three stepi, registers,
# detach), and xl debug-attach/step/regs/detach on dl2.
w_debug() {
    local port=$(( 20000 + RANDOM % 20000 )) stub st
    while running; do
        port=$((port + 1))
        $DIST/bin/gdbsx --verbose --port $port dl1 > $WORK/stub.out 2>&1 &
        stub=$!
        for _ in $(seq 100); do grep -q listening $WORK/stub.out && break; sleep 0.1; done
        timeout 120 gdb -nx -batch -ex 'set pagination off' -ex "target remote 127.0.0.1:$port" \
            -ex stepi -ex stepi -ex stepi -ex 'info registers rip' -ex detach > $WORK/gdb.out 2>&1
        st=$?
        wait $stub
        if [ $st -eq 0 ] && grep -q 'detached\|Detaching' $WORK/gdb.out &&
           ! grep -q 'Remote failure\|Remote connection closed' $WORK/gdb.out; then
            count debug gdb
        else
            fail_note debug "gdb cycle (status $st): $(tail -3 $WORK/gdb.out | tr '\n' '|') stub: $(tail -2 $WORK/stub.out | tr '\n' '|')"
            cp $WORK/gdb.out $WORK/fail-gdb.$port.out; cp $WORK/stub.out $WORK/fail-gdb.$port.stub
        fi
        if timeout 60 $XL debug-attach dl2 > $WORK/dbg.out 2>&1 &&
           timeout 60 $XL debug-step -n 2 dl2 >> $WORK/dbg.out 2>&1 &&
           timeout 60 $XL debug-regs dl2 >> $WORK/dbg.out 2>&1 &&
           timeout 60 $XL debug-detach dl2 >> $WORK/dbg.out 2>&1; then
            count debug xl-debug
        else
            fail_note debug "xl debug-* cycle: $(tail -2 $WORK/dbg.out | tr '\n' '|')"
            $XL debug-detach dl2 > /dev/null 2>&1
        fi
        sleep 0.5
    done
}

# dbgtop in batch mode, two refreshes with vCPUs.
w_dbgtop() {
    local st
    while running; do
        timeout 60 $DIST/bin/dbgtop -b -v -i 2 -d 0.3 > $WORK/top.out 2>&1
        st=$?
        if [ $st -eq 0 ] && grep -q '^ds1 ' $WORK/top.out; then
            count dbgtop batch
        else
            # A refresh that could not reach the hypervisor is status 1 and
            # a DISCONNECTED line; its reason decides timeout or failure.
            fail_note dbgtop "dbgtop -b (status $st): $(grep -m1 -E '^DISCONNECTED|^dbgtop:' $WORK/top.out) $(grep -v '^ ' $WORK/top.out | tail -2 | tr '\n' '|')"
            cp $WORK/top.out $WORK/fail-top.$(date +%s).out
        fi
        sleep 0.5
    done
}

# xl list floods (and the other read-only commands).
w_flood() {
    local c
    while running; do
        for c in "list" "list -l" "info" "vcpu-list" "debug-state $(rnd_dom)" "list -v"; do
            if timeout 60 $XL $c > /dev/null 2> $WORK/flood$1.err; then count flood$1 ok
            else fail_note flood$1 "xl $c: $(tail -1 $WORK/flood$1.err)"; fi
        done
    done
}

w_lifecycle & WORKER_PIDS+=($!)
w_control & WORKER_PIDS+=($!)
w_debug & WORKER_PIDS+=($!)
w_dbgtop & WORKER_PIDS+=($!)
w_flood 1 & WORKER_PIDS+=($!)
w_flood 2 & WORKER_PIDS+=($!)
log "workers started: lifecycle, control, debug, dbgtop, 2 x flood"
while [ "$(date +%s)" -lt "$DEADLINE" ]; do
    sleep 10
    kill -0 "$(head -1 "$SOCK.pid" 2>/dev/null | cut -d' ' -f1)" 2>/dev/null || { log "QEMU is gone"; break; }
done
touch "$WORK/stop"
for p in "${WORKER_PIDS[@]}"; do wait "$p"; done
touch "$WORK/stop-events"
wait $EVA $EVB
WORKER_PIDS=()
log "churn over"

# ---- checks -------------------------------------------------------------------
n() { cnt "$WORK/count.$1" "^$2\$"; }
$XL list > "$WORK/list.end" 2>&1
check "hypervisor alive at the end (xl list answers)" [ $? -eq 0 ]
not_running=""
for d in "${DOMS[@]}"; do
    awk -v d=$d '$1 == d && $5 !~ /[sc]/ { found = 1 } END { exit !found }' "$WORK/list.end" || not_running+=" $d"
done
check "all ${#DOMS[@]} long-lived domains still running${not_running:+ (not:$not_running)}" [ -z "$not_running" ]

mismatches=$(cnt "$LOG" '^\[ds[m0-9]+\] dr-stress: (cpu [0-9]+ )?iteration [0-9]+: |ok=no|FAILED|did not')
if ! check "dr-stress: zero DR/SSE mismatches in 8 domains (12 vCPUs)" [ "$mismatches" -eq 0 ]; then
    grep -E '^\[ds[m0-9]+\] dr-stress: (cpu [0-9]+ )?iteration [0-9]+: |ok=no|FAILED|did not' "$LOG" | head -20 | sed 's/^/#   /'
fi
ds_iters=0 quiet=""
for d in "${DOMS[@]}"; do
    case $d in ds*)
        it=$(sed -n "s/^\[$d\] dr-stress: iteration \([0-9]*\) ok=yes.*/\1/p" "$LOG" | tail -1)
        [ -n "$it" ] || quiet+=" $d"
        ds_iters=$((ds_iters + ${it:-0})) ;;
    esac
done
check "every dr-stress domain reported progress ($ds_iters checked iterations on vCPU 0)${quiet:+ (silent:$quiet)}" [ -z "$quiet" ]
dl_bad="" dl_rounds=0
for d in "${DOMS[@]}"; do
    case $d in dl*)
        last=$(sed -n "s/^\[$d\] debugloop: round \([0-9]*\), \([0-9]*\) bad.*/\1 \2/p" "$LOG" | tail -1)
        [ -n "$last" ] && [ "${last#* }" = 0 ] || dl_bad+=" $d(${last:-none})"
        last=${last:-0 none}
        dl_rounds=$((dl_rounds + ${last%% *}))
        ;;
    esac
done
check "debugloop: every domain's #DB checks held ($dl_rounds rounds)${dl_bad:+ (bad:$dl_bad)}" [ -z "$dl_bad" ]

for w in a b; do
    sum=$(grep '^summary' "$WORK/events.$w")
    ev_events=0 ev_gaps=x ev_dups=x ev_lost=x ev_first=? ev_last=? ev_reconnects=? ev_errors=? ev_created=0 ev_destroyed=0
    eval "$(echo "${sum#summary }" | tr ' ' '\n' | grep -E '^[a-z]+=[0-9]+$' | sed 's/^/ev_/')"
    period=300; [ $w = a ] && period=2000
    if ! check "event stream $w (reconnect every $period ms): $ev_events events $ev_first..$ev_last, $ev_reconnects reconnects: no gap, duplicate or loss" \
        is_zero "$ev_gaps" "$ev_dups" "$ev_lost" "$([ "$ev_events" -gt 0 ] && echo 0)"; then
        echo "#   ${sum:-no summary}"
    fi
    eval "ev_${w}_summary=\"\$sum\" ev_${w}_created=\$ev_created ev_${w}_destroyed=\$ev_destroyed ev_${w}_last=\$ev_last ev_${w}_first=\$ev_first ev_${w}_errors=\$ev_errors"
done
same_events() { cmp -s <(grep -v '^summary' "$WORK/events.a") <(grep -v '^summary' "$WORK/events.b"); }
check "both streams read the same events, line for line (${ev_a_first}..${ev_a_last})" same_events
created=$(n lifecycle created); destroyed=$(n lifecycle destroyed)
events_match() { [ "$ev_a_created" = "$ev_a_destroyed" ] && [ "$ev_a_created" -ge "$created" ] && [ "$destroyed" -ge "$created" ]; }
check "events: $ev_a_created domains created and $ev_a_destroyed destroyed, as many as the life-cycle worker did ($created/$destroyed, plus failed builds)" \
    events_match

"$WORK/memacct" 0 1 > "$WORK/mem.after" 2>&1
FREE1=$(sed -n 's/^start: free \([0-9]*\) KiB.*/\1/p' "$WORK/mem.after")
check "free memory back to its start after the churn ($FREE1 KiB, was $FREE0 KiB; identity free + held = total holds)" \
    same_nonempty "$FREE1" "$FREE0" || sed 's/^/#   /' "$WORK/mem.after"
if [ "$MEMACCT" -gt 0 ]; then
    "$WORK/memacct" "$MEMACCT" 8 > "$WORK/memacct.out" 2>&1; st=$?
    if ! check "memacct: $MEMACCT more domains created and destroyed beside the 16, free memory exact" [ $st -eq 0 ]; then
        sed 's/^/#   /' "$WORK/memacct.out"
    fi
fi

warnings=$(cnt "$LOG" '^\(HV\) \[(WARN|ERR)\]|hypervisor (fault|panic)')
if ! check "no hypervisor warning or error in its log" [ "$warnings" -eq 0 ]; then
    grep -E '^\(HV\) \[(WARN|ERR)\]|hypervisor (fault|panic)' "$LOG" | head -20 | sed 's/^/#   /'
fi

# Toolstack operations that failed (timeouts under load included): each is a
# finding to read, so any fails the soak.
op_fail=$(cat "$WORK"/count.* 2>/dev/null | grep -cx fail)
op_timeout=$(cat "$WORK"/count.* 2>/dev/null | grep -cx timeout)
op_all=$(cat "$WORK"/count.* 2>/dev/null | grep -c .)
# ...unless they are many: a control channel that stopped answering is a fault.
check "replies that timed out are rare ($op_timeout of $op_all operations, at most 5 or 2%)" \
    [ "$op_timeout" -le 5 -o "$op_timeout" -le $((op_all / 50)) ]
if ! check "no toolstack operation failed ($op_fail failed)" [ "$op_fail" -eq 0 ]; then
    for f in "$WORK"/fail.*; do [ -e "$f" ] && head -10 "$f" | sed "s/^/#   $(basename "$f"): /"; done
fi

# ---- summary table ------------------------------------------------------------------
echo "#"
echo "# soak summary: ${#DOMS[@]} domains, 2 pCPUs, $SECONDS_TOTAL s of churn"
printf '# %-34s %10s %8s\n' "operation" "done" "failed"
row() { printf '# %-34s %10s %8s\n' "$1" "$2" "$3"; }
row "xl create (run to the end or -p)" "$(n lifecycle created)" "$(cnt "$WORK/fail.lifecycle" '^.* create ')"
row "churned guests' own checks passed" "$(n lifecycle passed)" "$(cnt "$WORK/fail.lifecycle" 'state ')"
row "xl destroy" "$(n lifecycle destroyed)" "$(cnt "$WORK/fail.lifecycle" ' destroy ')"
row "xl pause / unpause" "$(n control pause) / $(n control unpause)" "$(cnt "$WORK/fail.control" 'pause ')"
row "xl debug-policy" "$(n control policy)" "$(cnt "$WORK/fail.control" 'debug-policy')"
row "gdb attach/stepi x3/detach (gdbsx)" "$(n debug gdb)" "$(cnt "$WORK/fail.debug" 'gdb cycle')"
row "xl debug-attach/step/regs/detach" "$(n debug xl-debug)" "$(cnt "$WORK/fail.debug" 'xl debug')"
row "dbgtop -b (2 refreshes)" "$(n dbgtop batch)" "$(n dbgtop fail)"
row "xl list/info/vcpu-list/debug-state" "$(( $(n flood1 ok) + $(n flood2 ok) ))" "$(( $(n flood1 fail) + $(n flood2 fail) ))"
row "event reconnects (a / b)" "$(sed -n 's/.*reconnects=\([0-9]*\).*/\1/p' "$WORK/events.a") / $(sed -n 's/.*reconnects=\([0-9]*\).*/\1/p' "$WORK/events.b")" "$ev_a_errors / $ev_b_errors"
row "events read (gaps/dups/lost)" "$(sed -n 's/.*events=\([0-9]*\).*/\1/p' "$WORK/events.a")" "$(sed -n 's/.*gaps=\([0-9]*\) dups=\([0-9]*\) lost=\([0-9]*\).*/\1\/\2\/\3/p' "$WORK/events.a")"
row "dr-stress iterations (vCPU 0 sum)" "$ds_iters" "$mismatches"
row "debugloop rounds (sum)" "$dl_rounds" "$(echo $dl_bad | wc -w)"
row "replies timed out (host load)" "-" "$op_timeout"
row "hypervisor warnings/errors" "-" "$warnings"
row "free memory KiB (start / end)" "$FREE0 / $FREE1" "$([ "$FREE0" = "$FREE1" ] && echo 0 || echo 1)"
echo "# $checks checks, $failures failed"
[ "$failures" -eq 0 ]
