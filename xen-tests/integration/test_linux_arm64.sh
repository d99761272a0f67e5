#!/usr/bin/env bash
# Linux on arm64 (issue 14, guest contract): Debian bookworm's unmodified
# arm64 kernel with a busybox initramfs (scripts/fetch-linux-arm64.sh) boots
# on bare QEMU virt (GICv3, -cpu max, EL1) with 1 and 2 CPUs, and as two
# dbgvisor domains at once (1 and 2 vCPUs, on 2 pCPUs) from the device tree the
# builder writes (dtb_build.c: RAM, cpus, PSCI, GICv3, timer, PL011 and its
# SPI, /chosen with the domain's command line and ramdisk). Its /init prints what must be
# the same in both ("lx: ..." lines: uname -m, CPU count, a 1 s sleep on the
# timer taking 1-10 s, the arch timer's GICv3 PPI in /proc/interrupts,
# counting, the PMU's CPUs) and powers
# off through PSCI; each domain's lines must equal the native run's with its
# CPU count, line for line. lx2 then takes a command typed through xl console
# into its shell (the PL011's receive interrupt), moves that interrupt to
# its second vCPU and takes the next command there, and is powered off by a
# last one. Skips only if qemu-system-aarch64 or the arm64 hypervisor is missing;
# a kernel that cannot be fetched fails it.
. "$(dirname "$0")/lib.sh"

QEMU_ARM64=${QEMU_ARM64:-qemu-system-aarch64}
if ! command -v "$QEMU_ARM64" >/dev/null 2>&1 || [ ! -f "$DIST/boot/dbgvisor-arm64.bin" ]; then
    echo "# SKIP: $QEMU_ARM64 or the arm64 hypervisor (make arm64) missing"
    exit 0
fi
bash "$ROOT/scripts/fetch-linux-arm64.sh" >"$TMP/fetch.out" 2>&1
rc=$?
if ! check "fetch-linux-arm64.sh gives the arm64 kernel and initramfs (status $rc)" [ $rc -eq 0 ]; then
    sed 's/^/#   /' "$TMP/fetch.out"; finish; exit
fi
LX=${BUILD:-$ROOT/build}/linux/arm64
MEM=160
CMDLINE="console=ttyAMA0 quiet panic=-1"

# native SMP OUT: the kernel alone on QEMU virt, entered at EL1 (PSCI by HVC).
native() {
    timeout 120 "$QEMU_ARM64" -M virt,gic-version=3 -cpu max -smp "$1" -m ${MEM}M -display none \
        -monitor none -serial stdio -no-reboot -kernel "$LX/Image" -initrd "$LX/initrd.gz" \
        -append "$CMDLINE" </dev/null 2>&1 | tr -d '\r' >"$2"
}
# lines FILE [NAME]: the init script's lines (of domain NAME).
lines() { if [ -n "${2:-}" ]; then domain_lines "$1" "$2"; else cat "$1"; fi | grep '^lx: '; }
# same_lines NATIVE HV NAME: the domain's lines are the native run's (all 9 of them).
same_lines() { diff <(lines "$1") <(lines "$2" "$3") >"$TMP/diff.$3" && [ "$(lines "$1" | wc -l)" -eq 9 ]; }

for smp in 1 2; do
    t0=$SECONDS
    native $smp $TMP/native$smp.out
    echo "# native boot to poweroff on $smp cpu(s): $((SECONDS - t0)) s"
    expect_line $TMP/native$smp.out "^lx: cpus $smp$" "native $smp cpu(s): /init runs and counts its CPUs"
    expect_line $TMP/native$smp.out '^lx: timer irq GICv3 27 Level$' "native $smp cpu(s): the virtual timer is GICv3 PPI 27"
    expect_line $TMP/native$smp.out '^lx: done$' "native $smp cpu(s): /init ran to its end"
done

# The domains under `dbgvisor start` (the tools' control channel), so xl
# console can type into lx2: its /init runs a shell after its lines (lx.shell),
# whose input comes only through the PL011's receive interrupt (Linux's
# driver does not poll): SPI 1 (INTID 33) of the domain's distributor.
CON=$TMP/control.console.log
t0=$SECONDS
started() {
    hv_start --arch arm64 --smp 2 --mem 640 \
        --domain "$LX/Image,name=lx1,mem=$MEM,vcpus=1,ramdisk=$LX/initrd.gz,cmdline=$CMDLINE" \
        --domain "$LX/Image,name=lx2,mem=$MEM,vcpus=2,policy=adaptive,ramdisk=$LX/initrd.gz,cmdline=$CMDLINE lx.shell"
}
if ! check_log "dbgvisor start --arch arm64: two Linux domains (1 + 2 vCPUs) on 2 pCPUs" \
        $TMP/start.out started; then finish; exit; fi
# wait_long CMD...: retry for up to 180 s (two kernels booting under TCG on a loaded host).
wait_long() { for _ in $(seq 900); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done; return 1; }
shell_up() { grep -q '^\[lx2\] lx-info: shell on the console' "$CON"; }
check_log "lx2: /init printed its lines and started a shell on the console" "$CON" wait_long shell_up
echo "# two Linux domains booted, lx2's shell up: $((SECONDS - t0)) s"

# A command typed into the shell (CONSOLE_WRITE into the PL011's receive
# FIFO) runs, and its output comes back through xl console: the PL011's
# line in /proc/interrupts, the GICv3's SPI 33, level, with a count above 0
# (the interrupts that brought the command in).
t1=$SECONDS
# type_into OUT DONE LINE: LINE typed into lx2's shell through xl console
# (its output in OUT) until DONE holds (30 s); a console that could not reach
# the hypervisor (the serial channel answers late on a loaded host) is
# started again, three times at most.
type_into() {
    local out=$1 done=$2 line=$3 try pid
    for try in 1 2 3; do
        printf '%s\n' "$line" | timeout 60 "$XL" console lx2 >"$out" 2>&1 &
        pid=$!
        typed_or_gone() { "$done" || ! kill -0 $pid 2>/dev/null; }
        wait_for typed_or_gone
        kill $pid 2>/dev/null; wait $pid 2>/dev/null
        if "$done"; then return 0; fi
        if ! grep -q 'cannot connect' "$out"; then wait_for "$done"; return; fi
        echo "# xl console could not reach the hypervisor (try $try): $(grep -m1 'cannot connect' "$out")"
    done
    return 1
}
uart_irq_counting() {
    tr -d '\r' <$TMP/typed.out | awk '$NF == "uart-pl011" && $(NF-3) == "GICv3" && $(NF-2) == 33 &&
        $(NF-1) == "Level" { s = 0; for (i = 2; i <= NF - 4; i++) s += $i; if (s > 0) found = 1 }
        END { exit !found }'
}
routed_to_cpu1() { tr -d '\r' <$TMP/route.out | grep -q '^routed to cpu 1$'; }
uart_irq_on_cpu1() {
    tr -d '\r' <$TMP/typed1.out | awk '$NF == "uart-pl011" && $(NF-3) == "GICv3" && $(NF-4) > 0 { found = 1 }
        END { exit !found }'
}
lx_ended() { grep -Eq "^\\(HV\\) domain [0-9]+ \\($1\\) exited with code" "$CON"; }
lx2_ended() { lx_ended lx2; }
both_ended() { lx_ended lx1 && lx_ended lx2; }
if check_log "xl console lx2: a typed command's output: /proc/interrupts shows the PL011's SPI (GICv3 33 Level) counting" \
        $TMP/typed.out type_into $TMP/typed.out uart_irq_counting 'grep uart-pl011 /proc/interrupts'; then
    grep 'uart-pl011' $TMP/typed.out | tr -d '\r' | sed 's/^/#   /'
    # Linux moves the interrupt to CPU 1 (GICD_IROUTER33 = Aff0 1): the next
    # command's interrupts are taken there.
    check_log "xl console lx2: smp_affinity moves the PL011's SPI to vCPU 1" $TMP/route.out \
        type_into $TMP/route.out routed_to_cpu1 \
        'for d in /proc/irq/*/uart-pl011; do echo 2 > $d/../smp_affinity; done; echo routed to cpu $((0+1))'
    check_log "xl console lx2: a command typed then is taken on vCPU 1 (its /proc/interrupts column counts)" \
        $TMP/typed1.out type_into $TMP/typed1.out uart_irq_on_cpu1 'grep uart-pl011 /proc/interrupts'
    grep 'uart-pl011' $TMP/typed1.out | tr -d '\r' | sed 's/^/#   /'
    check_log "xl console lx2: a typed poweroff -f ends it" $TMP/typed2.out \
        type_into $TMP/typed2.out lx2_ended 'poweroff -f'
else
    "$XL" destroy lx2 >/dev/null 2>&1
fi
check_log "both domains ended" "$CON" wait_for both_ended
echo "# typing into lx2 and its poweroff: $((SECONDS - t1)) s; both domains, start to end: $((SECONDS - t0)) s"
tr -d '\r' <"$CON" >$TMP/hv.out             # the console log's lines end in CR LF
for n in 1 2; do
    if ! check "lx$n ($n vCPU(s)): its /init lines equal the native $n-CPU run's, line for line" \
            same_lines $TMP/native$n.out $TMP/hv.out lx$n; then
        sed 's/^/#   /' "$TMP/diff.lx$n"
    fi
    expect_line $TMP/hv.out "^\\[lx$n\\] lx-info: model dbgvisor arm64 domain$" \
        "lx$n: Linux booted from the device tree the builder wrote"
    expect_line $TMP/hv.out "^\\(HV\\) domain [0-9]+ \\(lx$n\\) exited with code 0$" \
        "lx$n: PSCI SYSTEM_OFF ends the domain with code 0"
done
reject_line $TMP/hv.out 'hypervisor exception|\[ERR\]|Internal error|Kernel panic|Call trace' \
    "no hypervisor error, no kernel oops"
hv_stop
finish
