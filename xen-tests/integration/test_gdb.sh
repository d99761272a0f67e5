#!/usr/bin/env bash
# The real gdb, in batch mode, against live guests through the gdbsx stub
# (xl debug-gdb): hbreak, watch, rwatch, awatch, stepi, continue, info
# registers, x/, Ctrl-C, detach. The self-debugging guest under gdb must
# print the same #DB record as without it (docs/guest-debug.md).
. "$(dirname "$0")/lib.sh"
BUILD=${BUILD:-$ROOT/build}
ELF64=$BUILD/guests/selfdebug.elf64
command -v gdb >/dev/null || { bad "gdb is installed (scripts/install-deps.sh)"; finish; exit 1; }
PORT=$(( 20000 + RANDOM % 20000 ))

record() { grep -E '^selfdebug'; }
sym() { printf '0x%x' $(( 0x$(nm "$ELF64" | awk -v s="$1" '$3 == s { print $1 }') + ${2:-0} )); }

hv_run $TMP/ref.out --socket $TMP/ref.sock --domain $G/selfdebug.elf,name=sd
check "reference run exits 0" [ $status -eq 0 ]
domain_lines $TMP/ref.out sd | record > $TMP/ref.rec

hv_start --smp 2 --domain $G/ticker.elf,name=tick,cmdline="count=0"
check "start: xl list answers" wait_for $XL list
check "xl create -p selfdebug" create_paused_selfdebug sd
write_cfg spin "$G/ticker.elf" 16 "count=0"
check "xl create spin (a guest that runs until stopped)" $XL create $TMP/spin.cfg

# gdb_session PORT DOMAIN OUT gdb-args...: run the stub and one gdb batch.
gdb_session() {
    local port=$1 dom=$2 out=$3; shift 3
    $XL debug-gdb --port $port $dom > $out.stub 2>&1 &
    stub=$!
    wait_for grep -q listening $out.stub
    timeout 120 gdb -nx -batch -ex 'set pagination off' -ex 'set confirm off' \
        -ex "target remote 127.0.0.1:$port" "$@" > $out 2>&1
    gdb_status=$?
    wait $stub; stub_status=$?
}

gdb_session $PORT sd $TMP/gdb1 \
    -ex 'info registers rip' \
    -ex 'hbreak sd_target' -ex 'continue' \
    -ex 'info registers rip' \
    -ex 'stepi' -ex 'info registers rip' -ex 'x/2i $pc' -ex 'x/3xb sd_target' \
    -ex 'delete' -ex 'awatch sd_vars[0]' -ex 'continue' \
    -ex 'delete' -ex 'break sd_host_only' -ex 'continue' -ex 'info registers rip' \
    -ex 'delete' -ex 'watch sd_vars[8]' -ex 'continue' \
    -ex 'delete' -ex 'hbreak sd_s2' -ex 'continue' -ex 'info registers eflags' \
    -ex 'stepi' -ex 'info registers rip' -ex 'stepi' -ex 'info registers rip' \
    -ex 'delete' -ex 'rwatch sd_vars[8]' -ex 'continue' \
    -ex 'info registers' \
    -ex 'set var $rbx = 0x1234' -ex 'p/x $rbx' \
    -ex 'set var sd_vars[16] = 0x55aa' -ex 'p/x sd_vars[16]' -ex 'x/1xg &sd_vars[16]' \
    -ex 'info threads' \
    -ex 'delete' -ex 'detach' \
    "$ELF64"
check "gdb batch session ends cleanly" [ "$gdb_status" -eq 0 ]
check "the stub ends when gdb detaches" [ "$stub_status" -eq 0 ]
g=$TMP/gdb1
expect_line $g '^rip +0x10000c +0x10000c <_start>' "connect: stopped at the multiboot entry"
expect_line $g "^Hardware assisted breakpoint 1 at $(sym sd_target)" "hbreak accepted"
expect_line $g '^Breakpoint 1, 0x0+101000 in sd_target' "continue: hbreak hit"
expect_line $g "^rip +$(sym sd_target 1) +$(sym sd_target 1) <sd_target\+1>" "stepi: one instruction"
expect_line $g '^=> 0x101001 <sd_target\+1>:[[:space:]]+nop' "x/2i at the new pc"
expect_line $g '^0x101000 <sd_target>:[[:space:]]+0x90[[:space:]]+0x90[[:space:]]+0xc3' "x/3xb: memory unpatched by breakpoints"
expect_line $g '^Hardware access \(read/write\) watchpoint 2: sd_vars\[0\]' "awatch accepted"
expect_line $g '^Value = 1$|^New value = 1$' "awatch: the store of 1 seen"
expect_line $g '^Hardware watchpoint 4: sd_vars\[8\]' "watch accepted"
expect_line $g '^New value = 1$' "watch: old and new value"
expect_line $g 'Breakpoint 3, 0x0+101003 in sd_host_only' "break (Z0) is a hardware breakpoint too"
expect_line $g 'Breakpoint 5, 0x0+101011 in sd_s2' "hbreak inside the guest's own stepping"
expect_line $g '^eflags +0x[0-9a-f]+ +\[ .*TF.* \]' "info registers: the guest's own TF"
# QEMU reports the guest's step trap after sd_s1 together with the host's
# breakpoint at sd_s2: the guest's #DB is still to be delivered, so the
# next instruction the vCPU executes is its own #DB handler (seed 004: the
# host's event first, then the guest's single-step vector).
expect_line $g '^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <vector_stubs' "stepi: into the guest's own #DB handler"
expect_line $g '^Hardware read watchpoint 6: sd_vars\[8\]' "rwatch accepted"
expect_line $g '^Value = 3$' "rwatch: the read of 3 seen"
expect_line $g '^r15 +0x' "info registers: all general registers"
expect_line $g '^gs +0x' "info registers: segments"
expect_line $g '^\$1 = 0x1234$' "register write read back"
expect_line $g '^\$2 = 0x55aa$' "memory write (M/X) read back"
expect_line $g '^0x106080 <sd_vars\+128>:[[:space:]]+0x0*55aa$' "x/1xg of the written memory"
expect_line $g 'Thread 1' "info threads: one thread per vCPU"
expect_line $g 'Detaching from program|Inferior 1 .* detached' "detach"
reject_line $g 'Remote connection closed|Remote failure|Couldn.t' "no protocol error"

for _ in $(seq 150); do $XL console -b sd | grep -q '^# ' && break; sleep 0.2; done
$XL console -b sd | record > $TMP/gdb.rec
if diff -u $TMP/ref.rec $TMP/gdb.rec > $TMP/diff; then
    ok "the guest's #DB record under gdb equals the run without it"
else
    bad "the guest's #DB record differs under gdb"; sed 's/^/#   /' $TMP/diff | head -30
fi

# Ctrl-C: attach to a running guest, let it run, interrupt it.
PORT2=$((PORT + 1))
$DIST/bin/gdbsx --verbose --port $PORT2 spin > $TMP/gdb2.stub 2>&1 &
stub=$!
wait_for grep -q listening $TMP/gdb2.stub
# No timeout(1) around gdb here: it would pass our SIGINT on twice.
gdb -nx -batch -ex 'set pagination off' -ex "target remote 127.0.0.1:$PORT2" \
    -ex 'continue' -ex 'info registers rip' -ex 'detach' > $TMP/gdb2 2>&1 &
gdbpid=$!
( sleep 90; kill -9 $gdbpid 2>/dev/null ) &
watchdog=$!
wait_for grep -q '^gdbsx: <- vCont;c' $TMP/gdb2.stub
sleep 1
kill -INT $gdbpid
wait $gdbpid; st=$?
kill $watchdog 2>/dev/null
wait $stub
check "Ctrl-C session ends cleanly" [ $st -eq 0 ]
expect_line $TMP/gdb2 'received signal SIGINT' "Ctrl-C pauses the guest"
expect_line $TMP/gdb2.stub '^gdbsx: -> T02' "the stub answered the interrupt with SIGINT"
expect_line $TMP/gdb2 '^rip +0x' "registers after Ctrl-C"
$XL list > $TMP/list
expect_line $TMP/list '^spin +[0-9]+ .*(r-----|-b----)' "after detach the guest runs again"

# Two vCPUs are two threads: a breakpoint set for all of them stops the AP
# in its own code; the other thread's registers are its own.
printf 'name = "smp"\nkernel = "%s"\nmemory = 32\nvcpus = 2\non_poweroff = "preserve"\n' "$G/smp64.elf" > $TMP/smp.cfg
check "xl create -p a 2-vCPU guest" $XL create -p $TMP/smp.cfg
gdb_session $((PORT + 2)) smp $TMP/gdb3 \
    -ex 'info threads' -ex 'hbreak ap_main' -ex 'continue' -ex 'info threads' \
    -ex 'info registers rip' -ex 'thread 1' -ex 'info registers rip' -ex 'delete' -ex 'detach' \
    "$BUILD/guests/smp64.elf64"
check "smp gdb session ends cleanly" [ "$gdb_status" -eq 0 ]
expect_line $TMP/gdb3 '^Thread 2 hit Breakpoint 1, ap_main \(cpu=.*1\)' "the AP (thread 2) stops at ap_main"
expect_line $TMP/gdb3 '^\* 2 +Thread 2 \(vCPU 1\) ap_main' "info threads: vCPU 1 current"
expect_line $TMP/gdb3 '^ +1 +Thread 1 \(vCPU 0\) ' "info threads: vCPU 0 listed"
# The BSP waits for the AP, in main or in smp_start_ap: anywhere but ap_main.
expect_line $TMP/gdb3 '^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <(main|smp_start_ap|start_ap|wait_started)\+' "thread 1: its own registers"
for _ in $(seq 100); do $XL console -b smp | grep -q '^smp: counter=' && break; sleep 0.2; done
$XL console -b smp > $TMP/smp.console
expect_line $TMP/smp.console '^smp: counter=1 expected=1$' "after detach the SMP guest finishes"

# Loopback only, and a bad request does not hurt the hypervisor.
$XL debug-gdb --port 0 spin > /dev/null 2>&1; check "port 0 refused" [ $? -ne 0 ]
check "the hypervisor still answers" $XL list
finish
