#!/usr/bin/env bash
# Console input (issue 10 part 4, issue 12's `xl console`): the uart-echo
# guest (register checks, then an echo fed by COM1's interrupt through the
# I/O APIC) natively on QEMU with its COM1 input from a pipe, then under
# dbgvisor with `xl console` fed from a pipe: the same register checks pass,
# the lines come back (one longer than the UART's FIFO: flow control, no
# overrun), EOF on stdin ends neither xl nor the domain. Then `xl console`
# on a pseudo-terminal: raw mode, keystrokes and Ctrl-C reach the guest,
# Ctrl-] detaches with the terminal restored and the domain running on.
. "$(dirname "$0")/lib.sh"
QEMU=${QEMU:-qemu-system-x86_64}
IMG=$G/uart-echo.elf
# A 200-byte line: more than the 16-byte FIFO holds at once.
send_lines() { printf 'hello world\n%0200d\nquit\n' 0; }
tap() { grep -E '^(not )?ok [0-9]+ ' "$1"; }

# ---- natively: QEMU's stdio chardev reads a FIFO that is written once the
# guest is ready (bytes arriving earlier would be flushed by its FIFO reset).
mkfifo $TMP/native.in
timeout 120 $QEMU -accel tcg -cpu max -m 64M -smp 1 -display none -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial stdio -icount shift=0 \
    -kernel $IMG < $TMP/native.in > $TMP/native.out 2>&1 & qpid=$!
exec 3> $TMP/native.in
check "native: guest ready" wait_for grep -q '^uart-echo: ready' $TMP/native.out
send_lines >&3
exec 3>&-
wait $qpid; st=$?
check "native: QEMU exit status 1 (guest exit 0)" [ $st -eq 1 ]
expect_line $TMP/native.out '^echo: hello world$' "native: the first line came back"
expect_line $TMP/native.out '^echo: 0{200}$' "native: the 200-byte line came back whole"
expect_line $TMP/native.out '^# 21 passed, 0 failed$' "native: the guest passes its checks"

# ---- under dbgvisor, driven by xl console from a pipe.
hv_start --smp 2 --domain $IMG,name=echo --domain $IMG,name=tty
check "start: xl list answers" wait_for $XL list
ready() { $XL console -b $1 | grep -q '^uart-echo: ready'; }
check "echo: guest ready" wait_for ready echo
send_lines | timeout 120 $XL console echo > $TMP/hv.out 2> $TMP/hv.err & xpid=$!
ended() { $XL list echo | grep -q -- '---s--'; }
check "echo: the guest ended by itself (it received quit)" wait_for ended
check "xl console still follows after stdin's EOF" kill -0 $xpid
# A shut-down domain keeps its console until it is destroyed: let xl console
# (a 100 ms poll, and slower on a loaded host) show the guest's last lines.
shown_all() { grep -q '^# [0-9]* passed, [0-9]* failed$' $TMP/hv.out; }
check "xl console shows the ended guest's last lines" wait_for shown_all
check "xl destroy" $XL destroy echo
wait $xpid; st=$?
check_log "xl console exits 0 once the domain is gone" $TMP/hv.err [ $st -eq 0 ]
expect_line $TMP/hv.out '^echo: hello world$' "dbgvisor: the first line came back"
expect_line $TMP/hv.out '^echo: 0{200}$' "dbgvisor: the 200-byte line came back whole"
expect_line $TMP/hv.out '^# 21 passed, 0 failed$' "dbgvisor: the guest passes its checks"
check_log "the register checks give what they give natively" $TMP/hv.out \
    diff <(tap $TMP/native.out) <(tap $TMP/hv.out)

# ---- xl console on a pseudo-terminal.
check "tty: guest ready" wait_for ready tty
python3 "$ROOT/xen-tests/integration/progs/console_pty.py" $XL tty > $TMP/pty.out 2>&1; st=$?
sed 's/^/    /' $TMP/pty.out
check_log "pty: xl console behaves as at a terminal" $TMP/pty.out [ $st -eq 0 ]
expect_line <($XL list tty) '^tty +[0-9]+ +64 +1 +(r-----|-b----)' "tty: the domain runs on after detaching"
echo quit | timeout 60 $XL console tty > $TMP/tty.out & xpid=$!
ended_tty() { $XL list tty | grep -q -- '---s--'; }
check "tty: a second attach ends the guest with quit" wait_for ended_tty
$XL destroy tty; wait $xpid
expect_line $TMP/tty.out '^# 21 passed, 0 failed$' "tty: the guest passes its checks"
hv_stop
finish
