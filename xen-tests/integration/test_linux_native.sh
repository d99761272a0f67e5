#!/usr/bin/env bash
# Linux reference run (issue 10): Debian's cloud kernel with the drtest
# initramfs (scripts/fetch-linux.sh) booted natively under QEMU TCG, 1 and 2
# CPUs. drtest's TAP output here is what a Linux domain under the hypervisor
# will be compared with. Skips (exit 0, saying why) only when the kernel and
# busybox cannot be fetched on this machine.
. "$(dirname "$0")/lib.sh"
QEMU=${QEMU:-qemu-system-x86_64}

need_linux

# native_linux OUT SMP CMDLINE: boot, status in $status (1 = drtest exit 0).
native_linux() {
    timeout 60 "$QEMU" -accel tcg -cpu max -m 256 -smp "$2" -display none -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial stdio -monitor none \
        -kernel "$LX/vmlinuz" -initrd "$LX/initrd.gz" \
        -append "console=ttyS0 quiet panic=-1 $3" </dev/null >"$1.raw" 2>&1
    status=$?
    tr -d '\r' <"$1.raw" >"$1"     # the serial console ends lines with CR LF
}

for smp in 1 2; do
    t0=$SECONDS
    native_linux $TMP/native$smp.out $smp "dbgv.ksyms=start_kernel,jiffies dbgv.args=workers=4,writes=2000"
    echo "# native boot + drtest on $smp cpu(s): $((SECONDS - t0)) s"
    check "native $smp cpu(s): drtest ends the machine through port 0xF4 with 0" [ $status -eq 1 ]
    expect_line $TMP/native$smp.out "^init: 6\.[0-9.]+-[0-9]+-cloud-amd64 .* $smp cpu\(s\)$" \
        "native $smp cpu(s): /init runs on the Debian kernel"
    expect_line $TMP/native$smp.out '^ksym start_kernel [0-9a-f]{16}$' "native $smp cpu(s): kallsyms gives start_kernel"
    expect_line $TMP/native$smp.out '^ksym jiffies [0-9a-f]{16}$' "native $smp cpu(s): kallsyms gives jiffies"
    expect_line $TMP/native$smp.out '^1\.\.21$' "native $smp cpu(s): drtest ran all 21 checks"
    expect_line $TMP/native$smp.out '^# 21 passed, 0 failed$' "native $smp cpu(s): every drtest check passed"
    reject_line $TMP/native$smp.out '^not ok' "native $smp cpu(s): no failed check"
    [ $status -eq 1 ] || tail -30 $TMP/native$smp.out | sed 's/^/#   /'
done
finish
