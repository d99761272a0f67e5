#!/usr/bin/env bash
# Interrupt delivery and timers as Linux uses them (issue 10): the irq-timers
# guest programs PIT channel 2 through port 0x61 (TSC calibration), the
# 8259A pair with PIT IRQ0 at 1 kHz through LINT0/ExtINT and through INTR
# with the APIC hardware-disabled, the I/O APIC routing IRQ0 (pin 2) to a
# LAPIC vector, and the LAPIC timer (periodic, one-shot on time mid-slice,
# TSC-deadline). Natively (QEMU's own 8259/8254/IOAPIC) and under the
# hypervisor, both with instruction counting so rates are deterministic;
# its record must be the same line for line up to its TSC-deadline part,
# which bare QEMU TCG does not offer and the hypervisor must pass.
# Then PIT tick reinjection: the pit-reinject guest beside a CPU hog on one
# pCPU (so it runs about half the time, without -icount: 1 ms of guest time
# is 1M instructions there) counts IRQ0 at 1 kHz through the PIC (EOI and
# auto-EOI) and the I/O APIC against its TSC: every tick of 300 ms must
# arrive, at most 100 ms late (merging the missed ones gives about half).
. "$(dirname "$0")/lib.sh"
QEMU=${QEMU:-qemu-system-x86_64}
IMG=$G/irq-timers.elf

# sleep=off: a halted CPU's virtual clock jumps to the next timer instead of
# following the wall clock, so HLT wake-ups do not depend on the machine's load.
timeout 120 "$QEMU" -accel tcg -cpu max -m 64M -smp 1 -display none -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial stdio -icount shift=0,sleep=off \
    -kernel "$IMG" -append "" </dev/null >"$TMP/native" 2>"$TMP/native.stderr"
st=$?
check_log "natively the irq-timers guest passes (status $st)" "$TMP/native" \
    sh -c "[ $st -eq 1 ] && grep -Eq '^# [0-9]+ passed, 0 failed\$' '$TMP/native'"

hv_run "$TMP/hv" --icount --smp 2 --domain "$IMG,name=irq,vcpus=1"
domain_lines "$TMP/hv" irq | tr -d '\r' >"$TMP/hv.irq"
expect_line "$TMP/hv" '^\(HV\) domain [0-9]+ \(irq\) exited with code 0$' "under the hypervisor it exits with code 0"
grep -v '^not ok\|^ok' "$TMP/hv.irq" | sed 's/^/# /' | head -20 >&2
upto_deadline() { sed '/^# tsc-deadline$/q' "$1"; }
tr -d '\r' <"$TMP/native" >"$TMP/native.lines"
if diff <(upto_deadline "$TMP/native.lines") <(upto_deadline "$TMP/hv.irq") >"$TMP/diff"; then
    ok "its record up to the TSC-deadline part equals the native one line for line"
else
    bad "its record differs from the native one"; sed 's/^/#   /' "$TMP/diff" | head -40
fi
expect_line "$TMP/hv.irq" '^ok [0-9]+ - tsc-deadline: fires once the TSC reached the deadline$' \
    "under the hypervisor TSC-deadline mode is offered and fires"

hv_run "$TMP/pair" --smp 1 --domain "$G/pit-reinject.elf,name=m,vcpus=1" \
    --domain "$G/pit-reinject.elf,name=hog,vcpus=1,cmdline=hog_ms=3000"
domain_lines "$TMP/pair" m | tr -d '\r' >"$TMP/pair.m"
grep '^#' "$TMP/pair.m" | sed 's/^/# /' >&2
for route in pic "pic auto-eoi" ioapic; do
    expect_line "$TMP/pair.m" "^ok [0-9]+ - $route: the ticks of 300 ms at 1 kHz all arrive" \
        "sharing its pCPU, every PIT tick reaches the guest ($route)"
done
expect_line "$TMP/pair" '^\(HV\) domain [0-9]+ \(m\) exited with code 0$' "the ticking domain exits with code 0"
expect_line "$TMP/pair" '^\(HV\) domain [0-9]+ \(hog\) exited with code 0$' "the hog exits with code 0"
finish
