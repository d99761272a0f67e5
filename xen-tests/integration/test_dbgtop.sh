#!/usr/bin/env bash
# dbgtop against a live hypervisor: the real program in tmux (send-keys,
# capture-pane) asserting on what is on the screen, batch mode, a hypervisor
# that goes away and comes back, and a fake hypervisor with odd replies.
. "$(dirname "$0")/lib.sh"
DBGTOP=$DIST/bin/dbgtop
export TERM=${TERM:-xterm}
[ "$TERM" = dumb ] && export TERM=xterm
command -v tmux >/dev/null || { bad "tmux is installed (scripts/install-deps.sh)"; finish; exit 1; }
check "dbgtop is built" test -x "$DBGTOP"

TM=(tmux -f /dev/null -S "$TMP/tmux.sock")
fake=""
cleanup_tmux() { "${TM[@]}" kill-server >/dev/null 2>&1; [ -n "$fake" ] && kill "$fake" 2>/dev/null; }
trap 'cleanup_tmux; cleanup' EXIT
screen() { "${TM[@]}" capture-pane -p -t "${1:-top}"; }
keys() { "${TM[@]}" send-keys -t top "$@"; }
# wait_screen REGEX [SECONDS]: until the screen shows a line matching REGEX.
wait_screen() {
    local n=$(( ${2:-10} * 5 ))
    for _ in $(seq "$n"); do screen | grep -Eq -- "$1" && return 0; sleep 0.2; done
    return 1
}
# see REGEX DESCRIPTION [SECONDS]: assert the screen shows it (dump it if not).
see() {
    if wait_screen "$1" "${3:-10}"; then ok "$2"
    else bad "$2 (no line matching /$1/ on the screen)"; screen | sed 's/^/#   /'; fi
}
# The row of a domain on the screen (prefix: selection and expand marks).
row() { screen | grep -E "^..$1 " | head -1; }
field() { row "$1" | cut -c3- | awk -v f="$2" '{print $f}'; }
positive() { [[ $1 =~ ^[0-9.]+[MG]?$ ]] && [[ $1 != 0.0 ]]; }

hv_start --smp 2 --domain $G/dr-stress.elf,name=stress,policy=trap,cmdline="iterations=0 every=100" \
         --domain $G/ticker.elf,name=tick,cmdline="count=0"
check "xl list answers" wait_for $XL list

# ---- batch mode ------------------------------------------------------------
$DBGTOP -b -i 2 -d 1 -v > $TMP/batch.out 2> $TMP/batch.err
check "batch: exit status 0" [ $? -eq 0 ]
check "batch: two refreshes" [ "$(grep -c '^NAME ' $TMP/batch.out)" -eq 2 ]
expect_line $TMP/batch.out '^dbgtop - [0-9:]+ +dbgvisor .* up [0-9]+:[0-9]{2}:[0-9]{2} ' "batch: version and uptime"
expect_line $TMP/batch.out '^3 domains: [0-9]+ running, [0-9]+ blocked, 0 paused' "batch: domains by state"
expect_line $TMP/batch.out '^pCPUs: 2 .*Mem: [0-9]+k total' "batch: pCPUs and memory"
expect_line $TMP/batch.out '^NAME +ID\^ STATE +VCPUS POLICY +DREXIT/s +#DB/s +LD\+SV/s +HBP STEP$' "batch: header, sorted by ID ascending"
expect_line $TMP/batch.out '^Domain-0 +0 r----- +0 -' "batch: Domain-0 row"
expect_line $TMP/batch.out '^stress +1 (r-----|-b----) +1 trap ' "batch: stress row, policy trap"
expect_line $TMP/batch.out '^tick +2 (r-----|-b----) +1 adaptive ' "batch: tick row"
expect_line $TMP/batch.out '^    vCPU0 +(trapping|pass-through) +(clean|dirty) slots [-gh]{4} step (-|guest|host) +DR6 [0-9a-f]{8} DR7 [0-9a-f]{8}' "batch -v: vCPU rows"
r1=$(grep '^stress ' $TMP/batch.out | sed -n 1p | awk '{print $6}')
r2=$(grep '^stress ' $TMP/batch.out | sed -n 2p | awk '{print $6}')
check "batch: no rate on the first refresh ('$r1')" [ "$r1" = - ]
check "batch: DR-access exits/s of the DR-heavy guest under trap ($r2)" positive "$r2"
$DBGTOP -b -i 1 -d 0.1 | grep -q '^NAME' ; check "batch: -i 1 prints one refresh" [ $? -eq 0 ]
$DBGTOP -d 0 -b > $TMP/e1 2>&1; check "bad -d is a usage error" [ $? -eq 2 ]
$DBGTOP -b -i 1 < /dev/null > /dev/null 2>&1 ; check "batch works without a terminal" [ $? -eq 0 ]
$DBGTOP > $TMP/e2 2>&1 < /dev/null; check "the screen needs a terminal (status 2)" [ $? -eq 2 ]
expect_line $TMP/e2 'not a terminal \(use -b' "the screen without a terminal says to use -b"
# xentop's options: names cut at 10 columns unless -f, -r repeats the
# header before each domain, -n and -x have nothing to show here.
create_paused a-rather-long-name $G/ticker.elf
$DBGTOP -b -i 1 > $TMP/trunc.out 2>&1
expect_line $TMP/trunc.out '^a-rather-l +[0-9]+ ' "batch: names cut at 10 columns, as xentop"
$DBGTOP -b -i 1 -f > $TMP/full.out 2>&1
expect_line $TMP/full.out '^a-rather-long-name +[0-9]+ ' "batch -f: full names"
$DBGTOP -b -i 1 --full-name > $TMP/full2.out 2>&1
expect_line $TMP/full2.out '^a-rather-long-name +[0-9]+ ' "batch --full-name: full names"
$XL destroy a-rather-long-name
$DBGTOP -b -i 1 -r > $TMP/rep.out 2>&1
check "batch -r: the header before each of the 3 domains" \
    [ "$(grep -c '^NAME ' $TMP/rep.out)" -eq 3 -a "$(grep -A1 '^NAME ' $TMP/rep.out | grep -cE '^(Domain-0|stress|tick) ')" -eq 3 ]
for o in -n --networks -x --vbds; do
    $DBGTOP -b -i 1 $o > $TMP/na.out 2> $TMP/na.err
    check "batch $o: runs on (status 0)" [ $? -eq 0 ]
    expect_line $TMP/na.err 'not applicable' "$o: says it is not applicable"
    expect_line $TMP/na.out '^NAME ' "$o: the table is still printed"
done
$DBGTOP --help > $TMP/help.out; check "--help" [ $? -eq 0 ]
expect_line $TMP/help.out '^usage: dbgtop \[--socket PATH\] \[-d SECONDS\] \[-b\] \[-i N\]' "--help: usage line"

# ---- the screen, 80x24, colour ----------------------------------------------
"${TM[@]}" new-session -d -s top -x 80 -y 24 \
    "DBGCTL_URI='$DBGCTL_URI' '$DBGTOP' -d 0.5; echo dbgtop-exit=\$?; sleep 60"
see '^  NAME +ID\^ STATE' "screen: header with the sort column marked"
see '^> Domain-0 +0 r-----' "screen: Domain-0 row, selected"
see '^ \+stress +1 .* trap ' "screen: stress row"
see '^ \+tick +2 ' "screen: tick row"
see '^DR exits/s [0-9]' "screen: totals line"
"${TM[@]}" capture-pane -e -p -t top > $TMP/colour.txt
check "screen: reverse-video header" grep -q $'\e\\[[0-9;]*7[;m]' $TMP/colour.txt
check "screen: colours on a colour terminal" grep -qE $'\e\\[([0-9;]*;)?3[1-7][;m]' $TMP/colour.txt
# A positive rate is two refreshes' counters apart: the counters move.
see '^ \+stress +1 .* trap +[1-9][0-9.]*[MG]? ' "screen: DR-exits/s moving for the DR-heavy guest" 8

keys Down
see '^>\+stress ' "screen: Down selects stress"
keys Enter
see '^    vCPU0 +(trapping|pass-through) +(clean|dirty) slots [-gh]{4} step' "screen: Enter expands the vCPUs"
see '^>-stress ' "screen: expanded mark"

# The point of the dashboard: change the DR-heavy guest's policy with a key
# and watch its exit rate change. Under trap every access exits; under
# lazy-sched one per descheduling period.
drexit() { row "$1" | cut -c3- | awk '{print $6}'; }
sleep 3; before=$(drexit stress)
keys p p
see '^>-stress +1 .* lazy-sched ' "screen: p p on stress: lazy-sched"
sleep 4; after=$(drexit stress)
check "screen: stress DR-exit rate fell with the policy ($before -> $after /s)" \
    python3 -c "import sys; b, a = float('$before'), float('$after'); sys.exit(0 if a < b / 2 else 1)"
keys p p
see '^>-stress +1 .* trap ' "screen: p p: stress back to trap"

# Actions below go to the long-lived tick.
keys Down
see '^>.tick ' "screen: Down again selects tick"
keys p
see 'tick: debug policy adaptive -> trap' "screen: p reports the new policy"
see '^>.tick +2 .* trap ' "screen: p cycles the policy"
$XL debug-state tick > $TMP/ds 2>&1
expect_line $TMP/ds 'policy trap' "xl debug-state shows the policy dbgtop set"
keys p; see '^>.tick +2 .* lazy-exit ' "screen: p again: lazy-exit"
keys p p p; see 'tick: debug policy adaptive -> trap' "screen: three quick presses cycle three times"
see '^>.tick +2 .* trap ' "screen: back to trap"
expect_line <($XL debug-state tick) 'policy trap' "xl debug-state agrees"

keys P
see '^>.tick +2 --p--- ' "screen: P pauses"
expect_line <($XL list) '^tick +2 .*--p---' "xl list: paused by dbgtop"
keys P
see '^>.tick +2 (r-----|-b----) ' "screen: P unpauses"
keys Up
see '^>-stress ' "screen: Up moves back"

keys s
see '^  NAME +ID STATE\^ ' "screen: s moves the sort mark"
keys S
see '^  NAME +ID STATEv ' "screen: S reverses the order"
keys s s s
see ' DREXIT/sv ' "screen: sorted by DR-exits/s, descending"
check "screen: Domain-0 (no rate) sorts last" [ "$(screen | sed -n '6,9p' | grep -E '^.. ?[A-Za-z]' | tail -1 | cut -c3- | awk '{print $1}')" = Domain-0 ]
keys h
see 'next debug policy for the selected domain' "screen: h shows the help"
keys x
sleep 0.3; check "screen: any key closes the help" bash -c "! tmux -f /dev/null -S '$TMP/tmux.sock' capture-pane -p -t top | grep -q 'Any key returns'"
keys d 2 Enter
see 'delay 2\.0s' "screen: d sets the delay"
keys d 0 . 5 Enter
# xentop's keys: v all vCPUs, r repeat the header, n/b not applicable,
# Ctrl-L repaints.
keys v
check "screen: v shows every domain's vCPUs" \
    bash -c "for _ in \$(seq 25); do [ \$(tmux -f /dev/null -S '$TMP/tmux.sock' capture-pane -p -t top | grep -c '^    vCPU0 ') -ge 2 ] && exit 0; sleep 0.2; done; exit 1"
keys v
keys r
check "screen: r repeats the header before each domain" \
    bash -c "for _ in \$(seq 25); do [ \$(tmux -f /dev/null -S '$TMP/tmux.sock' capture-pane -p -t top | grep -cE '^  NAME +ID') -ge 4 ] && exit 0; sleep 0.2; done; exit 1"
keys r
see 'repeat header off' "screen: r again turns it off"
keys n
see 'networks: not applicable' "screen: n says networks are not applicable"
keys b
see 'block devices: not applicable' "screen: b says block devices are not applicable"
keys C-l
see '^  NAME +ID' "screen: Ctrl-L repaints"

"${TM[@]}" resize-window -t top -x 120 -y 40
see '^  NAME {20,}ID STATE' "screen: wider after a resize"
see 'exits/s [0-9.-]' "screen: per-vCPU rate shown when wide"
"${TM[@]}" resize-window -t top -x 80 -y 24
see '^  NAME {6,10}ID STATE' "screen: 80x24 again"
check "screen: nothing wider than 80 columns" [ "$(screen | awk '{ if (length($0) > m) m = length($0) } END { print m }')" -le 80 ]

# ---- the hypervisor goes away and comes back --------------------------------
hv_stop
see 'DISCONNECTED: no hypervisor' "screen: says the hypervisor went away" 10
see 'reconnects when it returns' "screen: says it will reconnect"
hv_start --smp 1 --domain $G/ticker.elf,name=back,cmdline="count=0"
see '^..back +1 ' "screen: reconnects when the hypervisor returns" 20
see '^>\+back +1 ' "screen: a restarted hypervisor's domains start collapsed"
see '^2 domains:' "screen: summary of the new hypervisor"

keys q
see 'dbgtop-exit=0' "screen: q quits with status 0" 5

# ---- monochrome terminal ----------------------------------------------------
"${TM[@]}" new-session -d -s mono -x 80 -y 24 \
    "TERM=vt100 DBGCTL_URI='$DBGCTL_URI' '$DBGTOP'; echo dbgtop-exit=\$?; sleep 60"
for _ in $(seq 50); do screen mono | grep -q '^..back ' && break; sleep 0.2; done
"${TM[@]}" capture-pane -e -p -t mono > $TMP/mono.txt
check "mono: the screen is drawn on a vt100" grep -q '^..back +1 ' <(screen mono) -E
check "mono: no colours" bash -c "! grep -qE $'\e\\\\[([0-9;]*;)?3[1-7][;m]' $TMP/mono.txt"
"${TM[@]}" send-keys -t mono Escape
for _ in $(seq 25); do screen mono | grep -q 'dbgtop-exit=' && break; sleep 0.2; done
check "mono: Esc quits" grep -q 'dbgtop-exit=0' <(screen mono)
hv_stop

# ---- a fake hypervisor: short reads and odd replies -------------------------
python3 - "$TMP/odd.sock" > $TMP/odd.log 2>&1 <<'PY' &
import os, random, socket, struct, sys, zlib
random.seed(7)
MAGIC = 0x56474244
def frame(typ, seq, payload, status=0):
    h = struct.pack("<IHHIIiII", MAGIC, 2, typ | 0x8000, seq, len(payload), status, 0,
                    zlib.crc32(payload) if payload else 0)
    return h + struct.pack("<I", zlib.crc32(h)) + payload
def dominfo(domid, state, policy, vcpus, name):
    return struct.pack("<IBBBBiIQQQIIII", domid, state, policy, 0, 0, 0, vcpus,
                       1 << 26, 1 << 26, 10**9, 8, 0, 0, 0) + name
def vstate(vid, n):
    head = struct.pack("<IBBBB4BI", vid, 9, 7, 3, 5, 0, 1, 2, 9, 8)
    regs = struct.pack("<8Q", 1, 2, 3, 4, 0xffffffffffffffff, 0x400, 1 << 40, 0x401)
    ctr = struct.pack("<7Q", *[max(0, 10**6 - n * 1000)] * 7)   # counters going backwards
    return (head + regs + ctr).ljust(768, b"\0")   # debug ABI 2: x86, no file given
def vstate_arm64(vid, present):
    # arm64: 2 breakpoint and 2 watchpoint pairs present, BVR1 the guest's, WVR0 the
    # host's, WVR1 an unknown owner; host step; MDSCR_EL1 SS|MDE; the OS lock set.
    # present 0: pairs not said, as from a hypervisor before the arm64 meanings.
    head = struct.pack("<IBBBB4BI", vid, 1, 0, 0, 2, 0, 0, 0, 0, 8)
    regs = struct.pack("<8Q", 0, 0, 0, 0, 0, 0, 0x3, 0x8001)
    ctr = struct.pack("<7Q", *[0] * 7)
    owner = bytes([0, 1] + [0] * 14 + [2, 7] + [0] * 14)
    file = [0] * 72
    file[64] = 0xa                                      # OSLSR_EL1: OSLK
    tail = struct.pack("<BBHI", 1, 32, 68, present) + owner \
        + struct.pack("<QQ", 0x8001, 0) + struct.pack("<72Q", *file)
    return head + regs + ctr + tail
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4)
conn_no = 0
while True:
    c, _ = s.accept(); conn_no += 1; calls = 0
    try:
        buf = b""
        while True:
            d = c.recv(65536)
            if not d: break
            buf += d
            while len(buf) >= 32:
                magic, ver, typ, seq, ln = struct.unpack_from("<IHHII", buf)
                if len(buf) < 32 + ln: break
                body = buf[32:32 + ln]; buf = buf[32 + ln:]; calls += 1
                mode = conn_no % 4
                if mode == 3 and calls == 2:           # short read, then hang up
                    c.sendall(frame(typ, seq, b"\0" * 120)[:20]); raise EOFError
                if mode == 2 and calls == 2:           # garbage
                    c.sendall(os.urandom(300)); raise EOFError
                if typ == 1:
                    rep = struct.pack("<IIII", 2, 8192, 2, 0) + b"fake hv".ljust(32, b"\0")
                elif typ == 2:
                    rep = struct.pack("<IIIIQQQHHI", 0, 0, 0, 3, 1 << 20, 1 << 30, 2**64 - 1, 9, 9, 0) \
                          + b"X" * 64
                elif typ == 0x10:
                    doms = [dominfo(0, 0, 0, 0, b"Domain-0".ljust(64, b"\0")),
                            dominfo(7, 200, 99, 1000, b"N" * 64),
                            dominfo(9, 4, 1, 1, b"gone".ljust(64, b"\0"))]
                    rep = struct.pack("<II", 3, 3) + b"".join(doms)
                elif typ == 0x40:
                    dom = struct.unpack_from("<I", body)[0]
                    if dom == 7 and mode in (0, 1):
                        rep = struct.pack("<II", 4, 4) + vstate(0, conn_no) + vstate(3, conn_no) \
                              + vstate_arm64(5, 0x3 | 0x3 << 16) + vstate_arm64(6, 0)
                    else:
                        c.sendall(frame(typ, seq, b"", -3)); continue   # ESRCH
                else:
                    c.sendall(frame(typ, seq, b"", -38)); continue
                c.sendall(frame(typ, seq, rep))
    except (EOFError, OSError):
        pass
    c.close()
PY
fake=$!
for _ in $(seq 50); do [ -S $TMP/odd.sock ] && break; sleep 0.1; done
timeout 60 $DBGTOP -b -i 8 -d 0.2 -v --socket $TMP/odd.sock > $TMP/odd.out 2> $TMP/odd.err
st=$?
check "odd replies: batch ends normally (status $st)" [ $st -le 1 ]
expect_line $TMP/odd.out '^NNNNNNNN' "odd replies: an unterminated name is cut"
expect_line $TMP/odd.out ' 7 \?----- +1000 \?' "odd replies: unknown state and policy shown as ?"
expect_line $TMP/odd.out 'vCPU3 +\? +dirty slots -gh\? step -' "odd replies: unknown owners and lazy state shown as ?"
expect_line $TMP/odd.out 'vCPU5 +trapping +clean bp -g wp h\? step host +MDSCR 00008001 SS,MDE OSLK on' \
    "odd replies: an arm64 vCPU in its terms (its pairs, MDSCR_EL1, the OS lock)"
expect_line $TMP/odd.out 'vCPU6 +trapping +clean bp -g-{14} wp h\?-{14} step host +MDSCR 00008001 SS,MDE OSLK \?' \
    "odd replies: an arm64 vCPU without its pairs said: all 16 each, the OS lock unknown"
expect_line $TMP/odd.out '^DISCONNECTED' "odd replies: a short read or garbage is a lost connection"
"${TM[@]}" new-session -d -s odd -x 80 -y 24 \
    "'$DBGTOP' -d 0.2 --socket '$TMP/odd.sock'; echo dbgtop-exit=\$?; sleep 60"
sleep 4
check "odd replies: the screen is still up after 4 s" bash -c "! tmux -f /dev/null -S '$TMP/tmux.sock' capture-pane -p -t odd | grep -q dbgtop-exit"
"${TM[@]}" send-keys -t odd q
for _ in $(seq 25); do screen odd | grep -q 'dbgtop-exit=' && break; sleep 0.2; done
check "odd replies: q still quits cleanly" grep -q 'dbgtop-exit=0' <(screen odd)
kill $fake 2>/dev/null; wait $fake 2>/dev/null; fake=""

# No hypervisor at all: batch says so and fails; the screen waits.
DBGCTL_URI=unix:$TMP/none.sock $DBGTOP -b -i 1 > $TMP/none.out 2>&1
check "no hypervisor: batch fails" [ $? -eq 1 ]
expect_line $TMP/none.out 'DISCONNECTED: no hypervisor at the control socket' "no hypervisor: batch says so"

finish
