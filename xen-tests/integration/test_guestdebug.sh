#!/usr/bin/env bash
# Guest debugging from the host with xl debug-* (docs/guest-debug.md): a
# guest that debugs itself (its own exec breakpoint, write watchpoint and TF
# stepping, xen-tests/guests/selfdebug.c) runs under a host debugger that
# sets five breakpoints and watchpoints of its own (more than the four
# hardware slots: the rest are NPT-emulated), some on the very instructions
# and variables the guest watches, and single-steps through the guest's own
# stepping. The guest's #DB record must equal the one of a run without the
# host debugger, and the host must see each of its events.
. "$(dirname "$0")/lib.sh"
BUILD=${BUILD:-$ROOT/build}
ELF64=$BUILD/guests/selfdebug.elf64

record() { domain_lines "$1" sd | grep -E '^selfdebug'; }
sym() { printf '0x%x' $(( 0x$(nm "$ELF64" | awk -v s="$1" '$3 == s { print $1 }') + ${2:-0} )); }

# Reference: the guest alone.
hv_run $TMP/ref.out --socket $TMP/ref.sock --domain $G/selfdebug.elf,name=sd
check "reference run exits 0" [ $status -eq 0 ]
record $TMP/ref.out > $TMP/ref.rec
expect_line $TMP/ref.rec '^selfdebug: 14 event\(s\)$' "reference: the guest recorded its 14 #DBs"

TARGET=$(sym sd_target 1) HOSTONLY=$(sym sd_host_only 1) S2=$(sym sd_s2) S3=$(sym sd_s3)
S4=$(sym sd_s4) S5=$(sym sd_s5) VAR=$(sym sd_vars) HVAR=$(sym sd_vars 64)
UD=$(sym sd_ud) UD_STUB=$(sym vector_stubs $((6 * 16)))
SYS=$(sym sd_sys) SYS_ENTRY=$(sym sd_sys_entry)

hv_start --smp 2 --domain $G/ticker.elf,name=tick,cmdline="count=0"
check "start: xl list answers" wait_for $XL list
check "xl create -p selfdebug" create_paused_selfdebug sd

# Errors first: nothing works before attach, bad requests are refused.
$XL debug-bp sd $TARGET > $TMP/e1 2>&1; check "debug-bp before attach fails" [ $? -ne 0 ]
expect_line $TMP/e1 'not allowed|permitted' "debug-bp before attach: EPERM"
check "debug-attach sd" $XL debug-attach sd
$XL debug-attach sd > $TMP/e2 2>&1; check "a second debug-attach fails (busy)" [ $? -ne 0 ]
$XL debug-wp sd --len 8 $((VAR + 4)) > /dev/null 2>&1; check "misaligned watchpoint refused" [ $? -ne 0 ]
$XL debug-bp sd --id 8 $TARGET > /dev/null 2>&1; check "breakpoint id 8 refused" [ $? -ne 0 ]
$XL debug-step sd --vcpu 5 > /dev/null 2>&1; check "step of a missing vCPU refused" [ $? -ne 0 ]
$XL debug-bp Domain-0 $TARGET > /dev/null 2>&1; check "Domain-0 cannot be debugged" [ $? -ne 0 ]

# Five host breakpoints: two watchpoints, three execution breakpoints. The
# guest arms two slots of its own, so at least one host one is emulated.
check "debug-wp id 0 on the guest's own watched variable" $XL debug-wp sd --id 0 --len 8 $VAR
check "debug-wp id 1 on a host-only variable" $XL debug-wp sd --id 1 --len 8 $HVAR
check "debug-bp id 2 on the guest's own breakpoint" $XL debug-bp sd --id 2 $TARGET
check "debug-bp id 3 host only" $XL debug-bp sd --id 3 $HOSTONLY
check "debug-bp id 4 inside the guest's stepping" $XL debug-bp sd --id 4 $S2
check "debug-bp id 5 on a faulting instruction (ud2)" $XL debug-bp sd --id 5 $UD
check "debug-bp id 6 on a SYSCALL" $XL debug-bp sd --id 6 $SYS
$XL debug-regs sd > $TMP/regs0
expect_line $TMP/regs0 '^rip +0x0+10000c$' "debug-regs: paused at the multiboot entry"

: > $TMP/events
steps_done=0
for i in $(seq 1 40); do
    $XL debug-continue sd --wait -T 60 >> $TMP/events; rc=$?
    [ $rc -ne 0 ] && break
    if [ $steps_done -eq 0 ] && tail -1 $TMP/events | grep -q "rip=$S2 "; then
        steps_done=1
        $XL debug-regs sd > $TMP/regs1
        $XL debug-step sd -n 3 > $TMP/steps
        $XL debug-mem sd $S2 7 > $TMP/mem_gva
        $XL debug-mem sd --phys $S2 7 > $TMP/mem_gpa
    fi
    if tail -1 $TMP/events | grep -q "rip=$UD "; then
        $XL debug-step sd > $TMP/step_ud
    fi
    if tail -1 $TMP/events | grep -q "rip=$SYS "; then
        $XL debug-step sd > $TMP/step_sys
    fi
done
check "the domain ran to its end under the debugger (continue exit 2)" [ "$rc" -eq 2 ]
count() { grep -c -- "$1" $TMP/events; }
check "exec breakpoint shared with the guest: 3 hits" [ "$(count "type=breakpoint rip=$TARGET bps=0x4 ")" -eq 3 ]
check "host-only exec breakpoint: 3 hits" [ "$(count "type=breakpoint rip=$HOSTONLY bps=0x8 ")" -eq 3 ]
check "watchpoint shared with the guest: its 3 stores" [ "$(grep "type=watchpoint" $TMP/events | grep -c "bps=0x1 .*data=$VAR ")" -ge 3 ]
check "host-only watchpoint: 3 stores" [ "$(grep -c "type=watchpoint.*bps=0x2 .*data=$HVAR " $TMP/events)" -eq 3 ]
check "breakpoint inside the guest's own stepping: 1 hit" [ "$(count "rip=$S2 bps=0x10")" -eq 1 ]
expect_line $TMP/events "type=shutdown" "the end of the domain is an event"
expect_line $TMP/regs1 "^rip +0x0*${S2#0x}$" "debug-regs at the breakpoint: rip"
check "the guest's own TF is visible to the debugger as the guest's" grep -Eq '^rflags +0x[0-9a-f]*[13579bdf][0-9a-f]{2}$' $TMP/regs1
expect_line $TMP/regs1 "^guest-dr0 +0x0*${TARGET#0x}$" "debug-regs: the guest's own DR0"
expect_line $TMP/regs1 '^guest-dr7 +0x0*900405$' "debug-regs: the guest's own DR7"
sed -n 1p $TMP/steps > $TMP/step1
expect_line $TMP/step1 "type=step rip=$S3 .*dr6=0xffff4ff0" "host step from the guest's stepping: one instruction, BS"
check "three step events" [ "$(grep -c 'type=step' $TMP/steps)" -eq 3 ]
expect_line $TMP/step_ud "type=step rip=$UD_STUB " "host step of ud2: stops at the guest's #UD vector, no TF in its frame"
expect_line $TMP/step_sys "type=step rip=$SYS_ENTRY " "host step of SYSCALL: one instruction, into the LSTAR entry"
expect_line $TMP/mem_gva ": 48 c7 c0 05 00 00 00$" "debug-mem by virtual address: movq \$5,%rax"
check "debug-mem by physical address: same bytes (identity-mapped guest)" cmp -s $TMP/mem_gva $TMP/mem_gpa

record <($XL console -b sd | sed 's/^/[sd] /') > $TMP/dbg.rec
if diff -u $TMP/ref.rec $TMP/dbg.rec > $TMP/diff; then
    ok "the guest's #DB record equals the run without the host debugger"
else
    bad "the guest's #DB record differs under the host debugger"; sed 's/^/#   /' $TMP/diff | head -30
fi

# Detach puts everything back: a second guest runs to its end untouched.
check "xl destroy sd" $XL destroy sd
check "xl create -p selfdebug again" create_paused_selfdebug sd
check "attach" $XL debug-attach sd
check "debug-bp" $XL debug-bp sd --id 2 $TARGET
$XL debug-continue sd --wait -T 60 > $TMP/ev2
expect_line $TMP/ev2 "type=breakpoint rip=$TARGET " "breakpoint hit in the second run"
check "detach resumes the domain" $XL debug-detach sd
for _ in $(seq 100); do $XL console -b sd | grep -q '^# ' && break; sleep 0.2; done
record <($XL console -b sd | sed 's/^/[sd] /') > $TMP/dbg2.rec
check "after detach the guest finishes with the reference record" cmp -s $TMP/ref.rec $TMP/dbg2.rec
$XL debug-continue sd > /dev/null 2>&1; check "continue after detach refused" [ $? -ne 0 ]

# 1500 well-framed GDBG requests with hostile fields (wrong sizes, pads,
# ids, types, lengths, alignment, vCPUs, domains, addresses, register
# values) against a victim domain, beside a canary that must keep running.
for d in victim canary; do
    printf 'name = "%s"\nkernel = "%s"\nmemory = 16\ncmdline = "count=0"\n' $d "$G/ticker.elf" > $TMP/$d.cfg
    check "xl create $d" $XL create $TMP/$d.cfg
done
VICTIM=$($XL list | awk '$1 == "victim" { print $2 }')
python3 - "$TMP/control.sock" "$VICTIM" > $TMP/gfuzz.out 2>&1 <<'PY'
import random, socket, struct, sys, zlib
random.seed(5)
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(30)
victim = int(sys.argv[2])
seq = 0
def call(t, payload):
    global seq
    seq += 1
    h = struct.pack("<IHHIIiII", 0x56474244, 2, t, seq, len(payload), 0, 0,
                    zlib.crc32(payload) if payload else 0)
    s.sendall(h + struct.pack("<I", zlib.crc32(h)) + payload)
    buf = b""
    while True:
        while len(buf) < 32: buf += s.recv(65536)
        magic, ver, rt, rseq, rlen, st = struct.unpack("<IHHIIi", buf[:20])
        while len(buf) < 32 + rlen: buf += s.recv(65536)
        frame, buf = buf[:32 + rlen], buf[32 + rlen:]
        if rseq == seq:
            return rt, st, frame[32:]
call(1, struct.pack("<II32s", 2, 0, b"gfuzz"))            # HELLO
pick = lambda *v: random.choice(v)
codes = {}
for i in range(1500):
    t = random.randint(0x100, 0x10f)
    dom = pick(victim, victim, victim, 0, 9999, 0xffffffff)
    vcpu = pick(0, 0, 0, 1, 63, 64, 0xffffffff)
    addr = pick(0x100000, 0x106000, 0x101001, random.getrandbits(64), 0xffffffffffffffff, 0x3ffffff8)
    k = random.randint(0, 9)
    if k == 0:
        p = random.randbytes(random.randint(0, 300))
    elif t in (0x100, 0x101, 0x105):
        p = struct.pack("<II", dom, pick(0, 0, 1))
    elif t in (0x102, 0x103):
        p = struct.pack("<IIIBBHQ", dom, vcpu, pick(0, 1, 7, 8, 99), pick(0, 1, 2, 3, 4),
                        pick(0, 1, 2, 3, 4, 8, 16), pick(0, 0, 1), addr)
    elif t == 0x104:
        p = struct.pack("<IIII", dom, vcpu, pick(0, 1, 2), pick(0, 0, 5))
    elif t == 0x106:
        p = struct.pack("<II", dom, vcpu)
    elif t == 0x107:
        regs = [random.getrandbits(64) for _ in range(16)] + [addr, random.getrandbits(64)]
        p = struct.pack("<IIII", dom, vcpu, pick(1, 0x10000, 0x30000, 0x3ffff, 0x40000, 0), 0) + \
            struct.pack("<18Q", *regs) + bytes(264 - 18 * 8)
    elif t in (0x108, 0x109, 0x10a, 0x10b):
        n = pick(0, 1, 8, 4096, 4097)
        p = struct.pack("<IIIIQ", dom, vcpu, n, pick(0, 0, 1), addr)
        if t in (0x109, 0x10b): p += random.randbytes(pick(n, n, 3) if n <= 4096 else 8)
    else:
        p = random.randbytes(random.randint(0, 40))
    rt, st, _ = call(t, p)
    assert rt == t | 0x8000, (hex(t), hex(rt))
    assert -4095 <= st <= 0, st
    codes[st] = codes.get(st, 0) + 1
print("answered", 1500, "codes", sorted(codes.items()))
PY
expect_line $TMP/gfuzz.out '^answered 1500 ' "1500 hostile GDBG requests each got a proper reply"
sed 's/^/# /' $TMP/gfuzz.out | tail -3
$XL debug-detach victim > /dev/null 2>&1
# Host breakpoints on a 32-bit guest (issue 12 reported none firing on the
# ticker's apic_timer_oneshot under adaptive and lazy-exit): that function is
# inlined into sleep_ticks in the 32-bit build, so its out-of-line copy never
# runs; a breakpoint on sleep_ticks, which runs every tick, stops at once.
TICKER=$G/ticker.elf
calls_to() { objdump -d "$TICKER" | grep -c "call.*<$1>"; }
check "ticker (32-bit): apic_timer_oneshot is never called, it is inlined" [ "$(calls_to apic_timer_oneshot)" = 0 ]
SLEEP=$(printf '0x%x' $(( 0x$(nm "$TICKER" | awk '$3 == "sleep_ticks" { print $1 }') )))
for p in adaptive lazy-exit; do
    $XL debug-policy tick $p > /dev/null
    $XL debug-attach tick > /dev/null
    $XL debug-bp tick --id 0 $SLEEP > /dev/null
    timeout 30 $XL debug-continue --wait tick > $TMP/tick-$p.ev 2>&1
    expect_line $TMP/tick-$p.ev "type=breakpoint rip=$SLEEP " "32-bit ticker under $p: a host breakpoint on sleep_ticks stops it"
    $XL debug-detach tick > /dev/null
done
# The ring's last line may still be arriving ("tick 48" of "tick 4860"): skip it.
last_tick() { $XL console -b canary | head -n -1 | sed -n 's/^ticker [0-9]*: tick \([0-9]*\)$/\1/p' | tail -1; }
c1=$(last_tick); sleep 1; c2=$(last_tick)
check "the canary kept running (tick $c1 -> $c2)" num_lt "$c1" "$c2"
check "the hypervisor still answers" $XL list
finish
