#!/usr/bin/env bash
# Linux on arm64 (issue 14, guest contract): Debian bookworm's unmodified
# arm64 kernel with a busybox initramfs (scripts/fetch-linux-arm64.sh) boots
# on bare QEMU virt (GICv3, -cpu max, EL1) with 1 and 2 CPUs, and as two
# dbgvisor domains at once (1 and 2 vCPUs, on 2 pCPUs) from the device tree the
# builder writes (dtb_build.c: RAM, cpus, PSCI, GICv3, timer, PL011, /chosen
# with the domain's command line and ramdisk). Its /init prints what must be
# the same in both ("lx: ..." lines: uname -m, CPU count, a 1 s sleep on the
# timer taking 1-10 s, the arch timer's GICv3 PPI in /proc/interrupts,
# counting, the PMU's CPUs) and powers
# off through PSCI; each domain's lines must equal the native run's with its
# CPU count, line for line. Skips only if qemu-system-aarch64 or the arm64
# hypervisor is missing; a kernel that cannot be fetched fails it.
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

t0=$SECONDS
"$DBGVISOR" run --arch arm64 --smp 2 --timeout 300 \
    --domain "$LX/Image,name=lx1,mem=$MEM,vcpus=1,ramdisk=$LX/initrd.gz,cmdline=$CMDLINE" \
    --domain "$LX/Image,name=lx2,mem=$MEM,vcpus=2,policy=adaptive,ramdisk=$LX/initrd.gz,cmdline=$CMDLINE" \
    >$TMP/hv.out 2>&1
status=$?
echo "# two Linux domains (1 + 2 vCPUs) on 2 pCPUs, boot to poweroff: $((SECONDS - t0)) s"
check "dbgvisor run: both domains ended with code 0 (status $status)" [ $status -eq 0 ]
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
[ $status -eq 0 ] || tail -40 $TMP/hv.out | sed 's/^/#   /'
finish
