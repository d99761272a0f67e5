#!/usr/bin/env bash
# gdb-multiarch debugs an arm64 domain while it debugs itself (issue 14's
# done-when; docs/arm64.md, "Host debugging"): `dbgvisor start --arch arm64`
# builds dr-step-arm64 paused (paused=1), gdbsx attaches over the control
# channel and serves gdb's aarch64 target description; gdb reads the
# registers, puts a breakpoint inside the region the guest single-steps
# itself through (MDSCR_EL1.SS: a trapped MSR, an emulated PL011 read, an
# HVC), continues to it, steps one instruction (the guest's own step
# exception is taken: gdb stops in its vector), reads memory and a V
# register, watches the guest's step counter (a host watchpoint beside the
# guest's own breakpoint pair use), and continues to the end. The guest's own
# record must equal the bare-QEMU run line for line: the host's debugging is
# invisible to it. Skips only if qemu-system-aarch64 is missing.
. "$(dirname "$0")/lib.sh"

need_qemu_arm64
command -v gdb-multiarch >/dev/null || { bad "gdb-multiarch is installed (scripts/install-deps.sh)"; finish; exit 1; }
A=$G/arm64
GUEST=dr-step-arm64
built() { [ -f "$DIST/boot/dbgvisor-arm64.bin" ] && [ -f "$A/$GUEST.elf" ] && [ -x "$DIST/bin/gdbsx" ]; }
if ! check "arm64 hypervisor, $GUEST and gdbsx built (make arm64)" built; then finish; exit; fi

timeout 60 "$QEMU_ARM64" -M virt,gic-version=3 -cpu max -m 64M -display none -monitor none \
    -serial stdio -no-reboot -kernel "$A/$GUEST.bin" </dev/null 2>&1 | tr -d '\r' >$TMP/native.out
expect_line $TMP/native.out '^# 4 passed, 0 failed$' "$GUEST passes natively"

CONRAW=$TMP/control.console.log CON=$TMP/console.txt
con() { tr -d '\r' <$CONRAW >$CON; }
started() { hv_start --arch arm64 --smp 1 --domain "$A/$GUEST.bin,name=g,paused=1"; }
if ! check_log "dbgvisor start --arch arm64 with $GUEST paused" "$TMP/start.out" started; then finish; exit; fi
con
expect_line $CON '^\(HV\) domain 1 \(g\): paused$' "the domain waits, paused"

PORT=$((20000 + RANDOM % 20000))
$DIST/bin/gdbsx --verbose --port $PORT g >$TMP/stub.out 2>&1 &
stub=$!
listening() { grep -q 'listening on' $TMP/stub.out; }
check_log "gdbsx attached (aarch64)" $TMP/stub.out wait_for listening
expect_line $TMP/stub.out '^gdbsx: domain 1 \(g, aarch64\) paused' "gdbsx found an AArch64 domain"

timeout 120 gdb-multiarch -nx -batch -ex 'set pagination off' -ex 'set confirm off' \
    -ex "file $A/$GUEST.elf" -ex "target remote 127.0.0.1:$PORT" \
    -ex 'show architecture' -ex 'info registers pc cpsr' \
    -ex 'break *(step_start+8)' -ex 'continue' -ex 'info registers pc x1' \
    -ex 'stepi' -ex 'info registers pc' \
    -ex 'x/2xw step_start' -ex 'p/x $v31.d.u' -ex 'p/x $fpcr' \
    -ex 'delete' -ex 'watch steps' -ex 'continue' -ex 'delete' \
    -ex 'continue' >$TMP/gdb.out 2>&1
gdb_status=$?
wait $stub; stub_status=$?
check "gdb batch session ends cleanly" [ $gdb_status -eq 0 ]
check "gdbsx ends when the domain does" [ $stub_status -eq 0 ]

g() { expect_line $TMP/gdb.out "$1" "gdb: $2"; }
g 'currently "aarch64"' "aarch64 from gdbsx's target description"
g '^pc +0x40080000 +0x40080000 <_start>' "registers: the domain waits at its entry"
g '^cpsr +0x3c5 ' "registers: cpsr EL1h, DAIF masked"
g '^Breakpoint 1, 0x0*400801b8 in main' "host breakpoint inside the guest's self-stepped region"
g '^x1 +0x1000 ' "registers at the breakpoint: x1 as the guest set it"
g '^pc +0x40080a00 +0x40080a00 <el1_vectors\+512>' "stepi: the guest's own step exception is taken (its vector)"
g '^0x400801b0 <main\+80>:	0xd2820001	0xd5100181$' "memory: the instructions at step_start"
g '^\$1 = \{0x0, 0x0\}$' "a V register (v31) through the fpu feature"
g '^\$2 = 0x0$' "fpcr"
g '^Hardware watchpoint 2: steps$' "host watchpoint set"
g '^Old value = 2$' "host watchpoint: steps 2 when set (the guest stepped +0 and +4 before the breakpoint)"
g '^New value = 3$' "host watchpoint hit: the guest's step handler counted the step gdb made"
g 'exited normally' "the domain ran to its end"

con
domain_lines $CON g >$TMP/hv.lines
if diff -u $TMP/native.out $TMP/hv.lines >$TMP/record.diff; then
    ok "$GUEST under gdb: same record as native, line for line ($(wc -l <$TMP/hv.lines) lines)"
else
    bad "$GUEST under gdb: record differs from native"; sed 's/^/#   /' $TMP/record.diff
fi
expect_line $CON '^\(HV\) domain 1 \(g\) exited with code 0$' "exit code 0"
reject_line $CON 'hypervisor exception|\[ERR\]' "no hypervisor error"
hv_stop
finish
