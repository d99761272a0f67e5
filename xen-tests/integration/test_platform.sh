#!/usr/bin/env bash
# Third-party guests (docs/third-party-guests.md) rely on the PC platform as
# QEMU models it. The platform guest records what it reads from the
# multiboot info, fw_cfg, the 16550, the exit port and the xAPIC (IPIs with
# every shorthand, logical destinations, PPR), natively and under the
# hypervisor: the records must be equal line for line.
. "$(dirname "$0")/lib.sh"
QEMU=${QEMU:-qemu-system-x86_64}
IMG=$G/platform.elf

timeout 120 "$QEMU" -accel tcg -cpu max -m 64M -smp 2 -display none -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial stdio -icount shift=0 \
    -kernel "$IMG" -append "" </dev/null >"$TMP/native" 2>"$TMP/native.stderr"
st=$?
check "natively the platform guest passes (status $st)" \
    sh -c "[ $st -eq 1 ] && grep -Eq '^# [0-9]+ passed, 0 failed\$' '$TMP/native'"

hv_run "$TMP/hv" --smp 2 --domain "$IMG,name=platform,vcpus=2"
domain_lines "$TMP/hv" platform | tr -d '\r' >"$TMP/hv.platform"
tr -d '\r' <"$TMP/native" >"$TMP/native.lines"
expect_line "$TMP/hv" '^\(HV\) domain [0-9]+ \(platform\) exited with code 0$' "under the hypervisor it exits with code 0"
if diff "$TMP/native.lines" "$TMP/hv.platform" >"$TMP/diff"; then
    ok "its record equals the native one line for line"
else
    bad "its record differs from the native one"; sed 's/^/#   /' "$TMP/diff" | head -40
fi
finish
