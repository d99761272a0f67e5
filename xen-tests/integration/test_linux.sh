#!/usr/bin/env bash
# Linux domains (issue 10): Debian's cloud kernel with the drtest initramfs
# (scripts/fetch-linux.sh) booted as dbgvisor domains. drtest (ptrace
# watchpoints in all four slots, execution breakpoints, perf breakpoint
# counters across context switches) must print exactly the TAP lines of the
# native QEMU run.
#  1. four Linux domains at once on 2 pCPUs, one per debug policy: `trap`
#     (1 vCPU), `adaptive` (2 vCPUs), `lazy-exit` and `lazy-sched` (1 vCPU
#     each), all from boot modules (the launcher);
#  2. one built by `xl create` (kernel, ramdisk, memory, vcpus, root/extra)
#     with 2 vCPUs, debugged by the real gdb through `xl debug-gdb` (hbreak
#     on a kernel function and a watchpoint on jiffies, addresses from the
#     guest's /proc/kallsyms, stepi, continue, detach), then, still running
#     and with the host debugger holding two slots on every vCPU, given
#     drtest (which uses all four) through its interactive console.
# A kernel that cannot be fetched fails the test (need_linux).
. "$(dirname "$0")/lib.sh"
QEMU=${QEMU:-qemu-system-x86_64}

need_linux
ARGS="dbgv.args=workers=4,writes=2000"
CMDLINE="console=ttyS0 quiet panic=-1 dbgv.ksyms=start_kernel,jiffies $ARGS"

# drtest's verdict lines (the "# drtest on ..., N cpu(s)" comment aside).
tap() { grep -E '^(ok|not ok|1\.\.)' "$1"; }

# ---- 0. the platform as Linux sees it: its whole log, 2 vCPUs ----
# Busybox's poweroff is /init (rdinit): after 4 s (clocksource watchdog
# rounds) it powers the domain off through ACPI S5. ignore_loglevel puts
# every message, KERN_DEBUG too, on the console.
PLATFORM_CMDLINE="console=ttyS0 ignore_loglevel panic=-1 rdinit=/bin/poweroff -- -d 4 -f"
t0=$SECONDS
hv_run $TMP/plat.out --timeout 120 --smp 2 \
    --domain "$LX/vmlinuz,name=lxplat,policy=trap,vcpus=2,mem=256,ramdisk=$LX/initrd.gz,cmdline=\"$PLATFORM_CMDLINE\""
echo "# platform boot: $((SECONDS - t0)) s"
domain_lines $TMP/plat.out lxplat > $TMP/lxplat.out
expect_line $TMP/plat.out '^\(HV\) domain [0-9]+ \(lxplat\): ACPI S5' "platform: the domain powers off (ACPI S5)"
expect_line $TMP/lxplat.out 'smp: Brought up 1 node, 2 CPUs' "platform: Linux brings up both vCPUs"
reject_line $TMP/lxplat.out 'PCI: (Fatal|System does not support PCI)' "platform: Linux finds PCI configuration space"
expect_line $TMP/lxplat.out 'pci 0000:00:00\.0: \[8086:1237\] type 00 class 0x060000' \
    "platform: the host bridge at 00:00.0 is QEMU's i440FX"
expect_line $TMP/lxplat.out 'ACPI: RSDP 0x00000000000E0000 000024 \(v02 DBGVSR\)' "platform: the RSDP at DBGV_ACPI_RSDP_GPA"
expect_line $TMP/lxplat.out 'serial8250: ttyS1 at I/O 0x2f8 \(irq = 3, base_baud = 115200\) is a 16550A' \
    "platform: COM2 is a 16550A at 0x2F8, IRQ 3"
reject_line $TMP/plat.out 'no device at port 0x2f9' "platform: the serial driver's COM2 probe finds a device"
# The hypervisor's TSC calibration, which every guest clock derives from,
# against the host kernel's TSC frequency: under QEMU TCG without -icount
# the TSC a program on QEMU reads is the host's (Linux on bare QEMU finds
# the same, through its HPET, when the load lets it calibrate at all).
host_khz=$(awk -F': ' '/^cpu MHz/ { printf "%d", $2 * 1000; exit }' /proc/cpuinfo)
hv_khz=$(sed -n 's/^(HV) TSC: \([0-9]*\) kHz$/\1/p' $TMP/plat.out | head -1)
within_1pct() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > 0 && b > 0 && (a - b) / b < 0.01 && (b - a) / b < 0.01) }'; }
check "platform: the hypervisor's TSC ($hv_khz kHz) within 1% of the host's ($host_khz kHz)" \
    within_1pct "$hv_khz" "$host_khz"
# KVM's paravirtual clock (asm/pvclock.h): Linux takes the TSC frequency from
# it instead of calibrating (which fails when each PIT or PM-timer read is an
# exit under TCG, leaving the TSC unused and every clock read an exit).
expect_line $TMP/lxplat.out 'kvm-clock: Using msrs 4b564d01 and 4b564d00' "platform: Linux uses the KVM clock's MSRs"
expect_line $TMP/lxplat.out 'clocksource: Switched to clocksource (kvm-clock|tsc)$' \
    "platform: Linux's clocksource reads the TSC (kvm-clock or tsc, not the PM timer)"
lx_mhz=$(sed -n 's/.*tsc: Detected \([0-9.]*\) MHz processor$/\1/p' $TMP/lxplat.out | head -1)
check "platform: Linux's TSC ($lx_mhz MHz) is the hypervisor's ($hv_khz kHz)" \
    awk -v m="$lx_mhz" -v k="$hv_khz" 'BEGIN { exit !(m != "" && k > 0 && (m * 1000 - k) ^ 2 < 4) }'
reject_line $TMP/lxplat.out 'calibration failed|could not calculate TSC khz' "platform: Linux does not calibrate its TSC"
[ -z "${LINUX_PLATFORM_ONLY:-}" ] || { finish; exit; }

# The native reference, 2 CPUs.
t0=$SECONDS
timeout 90 "$QEMU" -accel tcg -cpu max -m 256 -smp 2 -display none -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial stdio -monitor none \
    -kernel "$LX/vmlinuz" -initrd "$LX/initrd.gz" -append "$CMDLINE" \
    </dev/null 2>&1 | tr -d '\r' > $TMP/native.out
tap $TMP/native.out > $TMP/native.tap
echo "# native: $((SECONDS - t0)) s"
check_log "native reference: drtest passed" $TMP/native.out grep -q '^# 21 passed, 0 failed$' $TMP/native.out

# ---- 1. four Linux domains at once, one per policy ----
# About 40 s alone, 110-220 s beside two or three other QEMUs (the trap
# domain's perf round is ~20,000 exits); the limit only ends a hang.
t0=$SECONDS
hv_run $TMP/two.out --timeout 480 --smp 2 \
    --domain "$LX/vmlinuz,name=lxtrap,policy=trap,vcpus=1,mem=256,ramdisk=$LX/initrd.gz,cmdline=\"$CMDLINE\"" \
    --domain "$LX/vmlinuz,name=lxadapt,policy=adaptive,vcpus=2,mem=256,ramdisk=$LX/initrd.gz,cmdline=\"$CMDLINE\"" \
    --domain "$LX/vmlinuz,name=lxlazy,policy=lazy-exit,vcpus=1,mem=256,ramdisk=$LX/initrd.gz,cmdline=\"$CMDLINE\"" \
    --domain "$LX/vmlinuz,name=lxsched,policy=lazy-sched,vcpus=1,mem=256,ramdisk=$LX/initrd.gz,cmdline=\"$CMDLINE\""
echo "# four Linux domains: $((SECONDS - t0)) s"
check_log "four Linux domains: all end through port 0xF4 with 0" $TMP/two.out [ $status -eq 0 ]
for d in lxtrap:1 lxadapt:2 lxlazy:1 lxsched:1; do
    name=${d%:*} cpus=${d#*:}
    domain_lines $TMP/two.out $name > $TMP/$name.out
    expect_line $TMP/$name.out "^init: 6\.[0-9.]+-[0-9]+-cloud-amd64 .* $cpus cpu\(s\)$" \
        "$name: /init runs on the Debian kernel with $cpus vCPU(s)"
    expect_line $TMP/$name.out '^ksym jiffies [0-9a-f]{16}$' "$name: kallsyms gives jiffies"
    tap $TMP/$name.out > $TMP/$name.tap
    check_log "$name: drtest's TAP lines equal the native run's" $TMP/$name.out \
        cmp -s $TMP/native.tap $TMP/$name.tap
    expect_line $TMP/two.out "^\(HV\) domain [0-9]+ \($name\) exited with code 0$" "$name: exited with code 0"
done
reject_line $TMP/two.out '\(HV\).*(crash|\[ERR\])' "no domain crashed, no hypervisor error"

# ---- 2. xl create, gdb, console ----
hv_start --smp 2 --mem 512
check "start: xl list answers" wait_for $XL list
cat > $TMP/lx.cfg <<CFG
name = "lx"
kernel = "$LX/vmlinuz"
ramdisk = "$LX/initrd.gz"
memory = 256
vcpus = 2
debug_policy = "adaptive"
on_poweroff = "preserve"
root = "/dev/ram0"
extra = "console=ttyS0 quiet panic=-1 nohz=off dbgv.ksyms=update_process_times,jiffies,__x64_sys_reboot,panic_timeout dbgv.run=shell"
CFG
$XL create -qn $TMP/lx.cfg > $TMP/dry.out 2>&1
check_log "xl create -n: the ramdisk, and the command line from root and extra" $TMP/dry.out python3 -c "
import json,sys; b=json.load(open('$TMP/dry.out'))['config']['b_info']
sys.exit(0 if b['ramdisk']=='$LX/initrd.gz' and b['cmdline'].startswith('root=/dev/ram0 console=ttyS0 ') else 1)"
t0=$SECONDS
check "xl create: a Linux kernel with its ramdisk" $XL create -q $TMP/lx.cfg
echo "# xl create (load through the control transport): $((SECONDS - t0)) s"
console() { $XL console -b lx 2>/dev/null | tr -d '\r'; }
ksym() { console | sed -n "s/^ksym $1 \([0-9a-f]\{16\}\)$/\1/p"; }
has_ksyms() { [ -n "$(ksym panic_timeout)" ]; }   # the last one /init prints
check "xl create: /init prints the kallsyms addresses" wait_for has_ksyms
UPT=$(ksym update_process_times) JIF=$(ksym jiffies)
check "xl create: kallsyms gives update_process_times" [ -n "$UPT" ]

# gdb: hbreak on a function every timer tick calls (nohz=off), stepi, a
# watchpoint on jiffies, detach.
PORT=$(( 20000 + RANDOM % 20000 ))
$XL debug-gdb --port $PORT lx > $TMP/stub.out 2>&1 &
stub=$!
wait_for grep -q listening $TMP/stub.out
timeout 120 gdb -nx -batch -ex 'set pagination off' -ex 'set confirm off' \
    -ex 'set architecture i386:x86-64' -ex "target remote 127.0.0.1:$PORT" \
    -ex "hbreak *0x$UPT" -ex 'continue' -ex 'info registers rip' \
    -ex 'stepi' -ex 'info registers rip' \
    -ex 'delete' -ex "watch *(long *)0x$JIF" -ex 'continue' \
    -ex 'delete' -ex 'detach' > $TMP/gdb.out 2>&1
gdb_status=$?
wait $stub; stub_status=$?
g=$TMP/gdb.out
check_log "gdb batch session ends cleanly" $g [ "$gdb_status" -eq 0 ]
check "the stub ends when gdb detaches" [ "$stub_status" -eq 0 ]
expect_line $g "^Hardware assisted breakpoint 1 at 0x$UPT" "gdb: hbreak on update_process_times accepted"
expect_line $g "^(Thread [0-9]+ hit )?Breakpoint 1, 0x$UPT in" "gdb: continue stops at the kernel function"
expect_line $g "^rip +0x$UPT " "gdb: rip is the function's address"
expect_line $g "^rip +0x[0-9a-f]+ " "gdb: stepi reports the next rip"
check_log "gdb: stepi moved rip past the function's first instruction" $g \
    sh -c "grep -E '^rip +0x' $g | tail -1 | grep -vq '0x$UPT '"
expect_line $g "^Hardware watchpoint 2: \*\(long \*\)0x$JIF" "gdb: watchpoint on jiffies accepted"
expect_line $g '^New value = [0-9]+$' "gdb: the kernel's jiffies update stops it (old and new value)"
expect_line $g '^\[Inferior 1 \(Remote target\) detached\]' "gdb: detach"

# Still running after gdb left. The host debugger takes two slots on every
# vCPU (a breakpoint on the reboot syscall, an access watchpoint on
# panic_timeout: neither is reached), then drtest, typed at the shell, needs
# all four of the guest's own while the kernel switches DR7 at every context
# switch: the arbitration must give the guest exactly what hardware would.
RB=$(ksym __x64_sys_reboot) PT=$(ksym panic_timeout)
check "debug-attach lx" $XL debug-attach lx
check "debug-bp: the host holds a breakpoint on __x64_sys_reboot" $XL debug-bp lx --id 0 0x$RB
check "debug-wp: the host holds an access watchpoint on panic_timeout" $XL debug-wp lx --id 1 --len 4 --type rw 0x$PT
check "debug-continue lx" $XL debug-continue lx
(sleep 1; printf 'cat /proc/cmdline; drtest workers=4 writes=2000\n') | $XL console lx > /dev/null 2>&1 &
con=$!
ended() { $XL list lx 2>/dev/null | grep -Eq '^lx .* -+s-+ '; }
check "xl console input: drtest runs and ends the domain" wait_for ended
kill $con 2>/dev/null; wait $con 2>/dev/null
console > $TMP/lx.out
$XL debug-state lx > $TMP/lxstate.out 2>&1
check_log "debug-state: the host still holds its two slots on both vCPUs" $TMP/lxstate.out \
    test "$(awk '$1 ~ /^[0-9]+$/ && gsub(/h/, "h", $5) == 2 { c++ } END { print c + 0 }' $TMP/lxstate.out)" -eq 2
expect_line $TMP/lx.out '^root=/dev/ram0 console=ttyS0 ' "xl create: root= and extra= make the kernel command line"
tap $TMP/lx.out > $TMP/lx.tap
check_log "xl create: drtest's TAP lines equal the native run's" $TMP/lx.out cmp -s $TMP/native.tap $TMP/lx.tap
hv_stop
finish
