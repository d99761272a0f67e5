#!/usr/bin/env bash
# The toolstack on arm64 (docs/arm64.md, docs/protocol.md): `dbgvisor start
# --arch arm64` boots the AArch64 hypervisor on QEMU virt with the control
# channel on its second PL011 behind dbgctl-mux, and the unchanged xl and
# dbgtop drive it through the same protocol as on x86: xl list and info (the
# architecture), xl console (output, and input: a line echoed back), xl
# debug-state (the arm64 register file the guest parked), xl debug-policy,
# dbgtop in batch mode, xl dmesg, pause, unpause, shutdown (waited for
# through the event queue), destroy, xl create of an arm64 Image with a
# ramdisk and a command line (/chosen), and the control PL011 kept out of the
# domains' device trees. One machine, one pCPU, ticker domains; skips only if
# qemu-system-aarch64 is missing.
. "$(dirname "$0")/lib.sh"

QEMU_ARM64=${QEMU_ARM64:-qemu-system-aarch64}
if ! command -v "$QEMU_ARM64" >/dev/null 2>&1; then
    echo "# SKIP: $QEMU_ARM64 not installed (make deps installs qemu-system-arm from backports)"
    exit 0
fi
A=$G/arm64
DBGTOP=$DIST/bin/dbgtop
built() { [ -f "$DIST/boot/dbgvisor-arm64.bin" ] && [ -f "$A/ticker-arm64.bin" ]; }
if ! check "arm64 hypervisor and ticker-arm64 built (make arm64)" built; then finish; exit; fi

CON=$TMP/control.console.log
# started: the launcher came back with the machine up and its control channel ready.
started() { hv_start --arch arm64 --smp 1 --domain "$A/ticker-arm64.bin,name=tick,mem=32" \
                --domain "$A/ticker-arm64.bin,name=tock,mem=32,policy=adaptive,quiet=3"; }
if ! check_log "dbgvisor start --arch arm64" "$TMP/start.out" started; then finish; exit; fi
expect_line "$CON" '^\(HV\) control channel ready on the PL011 at 0x9040000' "control channel on the second PL011"

# Both domains under way before anything looks at them.
ticking() { grep -q '^\[tock\] tick 2' "$CON"; }
check_log "both domains run" "$CON" wait_for ticking

"$XL" list >$TMP/list.out 2>&1
expect_line $TMP/list.out '^Domain-0 +0 +0 +0 +r-----' "xl list: Domain-0"
expect_line $TMP/list.out '^tick +1 +32 +1 +(r-----|-b----)' "xl list: tick, id 1, 32 MiB, 1 vCPU, running or blocked"
expect_line $TMP/list.out '^tock +2 +32 +1 +' "xl list: tock, id 2"

"$XL" info >$TMP/info.out 2>&1
expect_line $TMP/info.out '^hv_arch +: aarch64$' "xl info: the hypervisor's architecture"
expect_line $TMP/info.out '^xen_caps +: hvm-3.0-aarch64$' "xl info: xen_caps of an arm64 hypervisor"
expect_line $TMP/info.out '^nr_cpus +: 1$' "xl info: one pCPU"
expect_line $TMP/info.out '^nr_domains +: 3$' "xl info: Domain-0 and two domains"

# The guest's own lines through the console ring (CONSOLE_READ).
timeout 10 "$XL" console tick >$TMP/console.out 2>&1 </dev/null &
cpid=$!
has_ticks() { grep -q '^tick [0-9]' $TMP/console.out; }
check_log "xl console tick: the domain's lines" $TMP/console.out wait_for has_ticks
kill $cpid 2>/dev/null; wait $cpid 2>/dev/null
expect_line $TMP/console.out '^ticker: alias serial1 no' "the domain's device tree has no control PL011"
expect_line $TMP/console.out '^ticker: DBGBVR1 0x40abc000 DBGWVR0 0x40def000' "the guest parked its debug registers"

# Console input (CONSOLE_WRITE): a line from xl console's stdin goes into the
# domain's PL011 receive FIFO; the guest polls it and echoes the line.
printf 'hello arm64 console\n' | timeout 20 "$XL" console tick >$TMP/console_in.out 2>&1 &
cpid=$!
echoed() { grep -q '^ticker: got "hello arm64 console"' $TMP/console_in.out; }
check_log "xl console tick: a line sent to the domain comes back" $TMP/console_in.out wait_for echoed
kill $cpid 2>/dev/null; wait $cpid 2>/dev/null

# The arm64 debug state the guest left: MDSCR_EL1 KDE|MDE (0xa000), OS lock off,
# and in the JSON the parked DBGBVR1 / DBGWVR0.
"$XL" debug-state tick >$TMP/ds.out 2>&1
expect_line $TMP/ds.out 'OSLSR +MDSCR' "xl debug-state: arm64 columns"
expect_line $TMP/ds.out '^ +0 trap .* 0x8 +0xa000 *$' "xl debug-state: vCPU 0 trapped, OSLSR 0x8, MDSCR_EL1 0xa000"
"$XL" debug-state -l tick >$TMP/json.out 2>&1
parked() {
    python3 - $TMP/json.out <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
def vcpus(x):
    if isinstance(x, dict):
        if "mdscr_el1" in x:
            yield x
        for v in x.values():
            yield from vcpus(v)
    elif isinstance(x, list):
        for v in x:
            yield from vcpus(v)
v = next(vcpus(doc))
ok = (v["arch"] == "arm64" and int(v["breakpoints"][1]["value"], 16) == 0x40abc000 and
      int(v["watchpoints"][0]["value"], 16) == 0x40def000 and int(v["mdscr_el1"], 16) == 0xa000)
sys.exit(0 if ok else 1)
PY
}
check_log "xl debug-state -l: DBGBVR1, DBGWVR0 and MDSCR_EL1 as the guest parked them" $TMP/json.out parked

# A policy change goes through DEBUG_POLICY_SET and shows in the state.
"$XL" debug-policy tick lazy-exit >$TMP/policy.out 2>&1
lazy() { "$XL" debug-state tick 2>&1 | grep -Eq '^ +0 lazy-exit '; }
check_log "xl debug-policy tick lazy-exit" $TMP/policy.out wait_for lazy
expect_line "$CON" '^\(HV\) domain 1 \(tick\): debug policy 1' "the hypervisor logged the policy change"

# dbgtop once, in batch mode: both domains with their policies.
timeout 20 "$DBGTOP" -b -i 1 >$TMP/top.out 2>&1
expect_line $TMP/top.out '^tick +1 +(r-----|-b----) +1 +lazy-exit' "dbgtop -b: tick under lazy-exit"
expect_line $TMP/top.out '^tock +2 +(r-----|-b----) +1 +adaptive' "dbgtop -b: tock under adaptive"

# dbgtop's vCPU lines in arm64 terms (issue 14): the breakpoint and watchpoint
# pairs this CPU has (as many as xl debug-state lists: "bp ------ wp ----" for
# its "------/----"), nothing armed; MDSCR_EL1 as the guest wrote it, KDE|MDE
# (0xa000), and the OS lock it released (OSLSR 0x8): no x86 DR6/DR7.
timeout 20 "$DBGTOP" -b -v -i 1 >$TMP/topv.out 2>&1
pairs=$(grep -Eo ' [-gh]+/[-gh]+ ' $TMP/ds.out | head -1 | tr -d ' ')
bp=$(printf '%s' "${pairs%/*}" | tr 'gh' '--') wp=$(printf '%s' "${pairs#*/}" | tr 'gh' '--')
arm64_row="^    vCPU0 +(trapping|pass-through) +(clean|dirty) bp $bp wp $wp step - +MDSCR 0000a000 KDE,MDE OSLK off"
vcpu_rows_arm64() {
    local rows; rows=$(grep -c '^    vCPU0 ' $TMP/topv.out)
    [ -n "$pairs" ] && [ "$rows" -ge 2 ] && [ "$(grep -Ec "$arm64_row" $TMP/topv.out)" -eq "$rows" ]
}
check_log "dbgtop -b -v: both vCPU rows say bp $bp wp $wp, MDSCR 0000a000 KDE,MDE, OSLK off" \
    $TMP/topv.out vcpu_rows_arm64
reject_line $TMP/topv.out 'vCPU.* (slots|DR6|DR7) ' "dbgtop -b -v: no x86 slots/DR6/DR7 on an arm64 vCPU"
grep '^    vCPU' $TMP/topv.out | sed 's/^/# /'

# Pause and unpause (the shared life cycle): a paused domain prints nothing,
# the other keeps going; unpaused it goes on from where it stopped.
ticks() { grep -c "^\[$1\] tick " "$CON"; }
"$XL" pause tick >$TMP/pause.out 2>&1
paused() { "$XL" list tick 2>/dev/null | grep -Eq '^tick +1 .* --p--- '; }
check_log "xl pause tick: listed paused" $TMP/pause.out paused
t0=$(ticks tick) o0=$(ticks tock)
sleep 1
t1=$(ticks tick) o1=$(ticks tock)
check "paused tick printed nothing in 1 s ($t0 -> $t1) while tock ticked ($o0 -> $o1)" \
    sh -c "[ $t1 -eq $t0 ] && [ $o1 -gt $o0 ]"
"$XL" unpause tick >$TMP/unpause.out 2>&1
resumed() { [ "$(ticks tick)" -gt "$t1" ]; }
check_log "xl unpause tick: it ticks again" $TMP/unpause.out wait_for resumed

# An orderly end at once, waited for through the event queue (EVENTS_READ),
# then destroy: gone from the list, its memory back.
"$XL" shutdown -F -t 1 -w tock >$TMP/shutdown.out 2>&1
st=$?
check_log "xl shutdown -F -t 1 -w tock: ended, seen through the events (status $st)" $TMP/shutdown.out [ $st = 0 ]
"$XL" destroy tick >$TMP/destroy.out 2>&1
"$XL" list >$TMP/list2.out 2>&1
reject_line $TMP/list2.out '^tick ' "xl destroy tick: no longer listed"
expect_line $TMP/list2.out '^Domain-0 ' "xl list after destroy: Domain-0 still there"

# xl create of an arm64 Image: the toolstack's builder (DOMAIN_CREATE, the
# Image, ramdisk and command line over MEM_WRITE, VCPU_SET_REGS in the arm64
# boot mode naming them: the hypervisor writes its device tree with them in
# /chosen), two vCPUs this time.
printf 'tack-ramdisk-first-line\nsecond line\n' >$TMP/tack.initrd
printf 'name = "tack"\nkernel = "%s"\nramdisk = "%s"\ncmdline = "console=ttyAMA0 tack.arg=42"\nmemory = 32\nvcpus = 2\n' \
    "$A/ticker-arm64.bin" "$TMP/tack.initrd" >$TMP/tack.cfg
"$XL" create $TMP/tack.cfg >$TMP/create.out 2>&1
st=$?
check_log "xl create tack.cfg (an arm64 Image, status $st)" $TMP/create.out [ $st = 0 ]
tack_ticks() { grep -q '^\[tack\] tick 2' "$CON"; }
check "the created domain runs" wait_for tack_ticks
expect_line "$CON" '^\[tack\] ticker: alias serial1 no' "the created domain's device tree has no control PL011 either"
expect_line "$CON" '^\[tack\] ticker: bootargs "console=ttyAMA0 tack.arg=42"' "the created domain's /chosen bootargs is its cmdline"
expect_line "$CON" '^\[tack\] ticker: initrd 36 bytes "tack-ramdisk-first-line"' "the created domain's /chosen initrd range holds its ramdisk"
expect_line "$CON" '^\[tick\] ticker: initrd none' "a domain without a ramdisk has none in /chosen"
"$XL" debug-state tack >$TMP/ds2.out 2>&1
two_vcpus() { [ "$(grep -Ec '^ +[01] [a-z-]+ +(trapping|passthrough) ' $TMP/ds2.out)" = 2 ]; }
check_log "xl debug-state tack: both vCPUs" $TMP/ds2.out two_vcpus

# The hypervisor's log over the channel (HVLOG_READ).
"$XL" dmesg >$TMP/dmesg.out 2>&1
expect_line $TMP/dmesg.out 'dbgvisor \(arm64\) at EL2' "xl dmesg: the arm64 hypervisor's log"

qpid=$(cut -d' ' -f1 "$TMP/control.sock.pid")
hv_stop
gone() { ! kill -0 "$qpid" 2>/dev/null; }
check "dbgvisor stop ends the machine" gone
finish
