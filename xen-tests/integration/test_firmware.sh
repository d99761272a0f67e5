#!/usr/bin/env bash
# The legacy PC platform and firmware tables an OS looks for (issue 10): the
# firmware guest reads the RTC, finds the RSDP by scanning the BIOS area,
# walks RSDT/XSDT, MADT, FADT and \_S5, probes PCI mechanism #1, an empty
# port and the 8042, natively on QEMU and under dbgvisor (with hv=1 it also
# checks that no PCI device answers). Then each way to end a PC: the 8042
# pulse and output port, 0xCF9, the FADT's reset register (dbgvisor only:
# QEMU's i440FX FADT has none) and S5 through PM1a_CNT. Natively QEMU
# (-no-reboot) quits with status 0; under dbgvisor the domain ends with
# reason reboot or poweroff, as `xl list` shows, and the empty port is in
# `xl dmesg` once per domain.
. "$(dirname "$0")/lib.sh"
QEMU=${QEMU:-qemu-system-x86_64}
IMG=$G/firmware.elf

native() { # SMP CMDLINE OUT -> status
    timeout 120 "$QEMU" -accel tcg -cpu max -m 64M -smp "$1" -display none -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial stdio -icount shift=0 \
        -kernel "$IMG" -append "$2" </dev/null >"$3" 2>&1
}
passed() { grep -Eq '^# [0-9]+ passed, 0 failed' "$1"; }
ended_by_request() { [ "$1" -eq 0 ] && passed "$2" && grep -q "ending by method" "$2" && ! grep -q "still running" "$2"; }
native_checks_pass() { [ "$1" -eq 1 ] && passed "$2"; }

native 2 "" "$TMP/native"
check_log "natively (2 CPUs) every check passes" "$TMP/native" native_checks_pass $? "$TMP/native"
for e in 1 2 3 5; do
    native 1 "end=$e" "$TMP/native.$e"
    check_log "natively, end=$e resets or powers QEMU off" "$TMP/native.$e" ended_by_request $? "$TMP/native.$e"
done

# Under dbgvisor: every domain at once, each ending its own way.
names=(checks kbd-pulse kbd-outport cf9 fadt-reset acpi-s5)
reasons=(poweroff reboot reboot reboot reboot poweroff)
letters=(---s-- ---sr- ---sr- ---sr- ---sr- ---s--)
how=("exited with code 0" "reset through the 8042" "reset through the 8042" \
     "reset through the reset control register" "reset through the reset control register" \
     "ACPI S5 \(soft off\) through PM1a_CNT")
args=()
for i in "${!names[@]}"; do
    vcpus=1; [ "$i" -eq 0 ] && vcpus=2
    args+=(--domain "$IMG,name=${names[$i]},vcpus=$vcpus,mem=32,cmdline=hv=1 end=$i")
done
hv_start --smp 2 "${args[@]}" || { bad "dbgvisor starts"; finish; exit 1; }
ended() { $XL list -l "$1" | grep -q '"state": "shutdown"'; }
for i in "${!names[@]}"; do
    n=${names[$i]}
    wait_for ended "$n"
    $XL list -l "$n" >"$TMP/$n.json" 2>&1
    $XL list "$n" >"$TMP/$n.list" 2>&1
    check_log "$n: ended with reason ${reasons[$i]}" "$TMP/$n.json" \
        grep -q "\"shutdown_reason\": \"${reasons[$i]}\"" "$TMP/$n.json"
    check_log "$n: xl list shows ${letters[$i]}" "$TMP/$n.list" grep -q -- " ${letters[$i]} " "$TMP/$n.list"
done
$XL dmesg >"$TMP/dmesg" 2>&1
for i in "${!names[@]}"; do
    expect_line "$TMP/dmesg" "\(${names[$i]}\):? ${how[$i]}" "xl dmesg: ${names[$i]} ${how[$i]//\\/}"
done
check_log "xl dmesg reports the empty port once per domain" "$TMP/dmesg" \
    sh -c "[ \$(grep -c 'no device at port 0x2a0' '$TMP/dmesg') -eq ${#names[@]} ]"
hv_stop
cons=$(sed -n 's/.*console log \(.*\)$/\1/p' "$TMP/start.out")
if [ -n "$cons" ] && [ -f "$cons" ]; then
    check_log "under dbgvisor (2 vCPUs) every check passes" "$cons" \
        grep -Eq '^\[checks\] # [0-9]+ passed, 0 failed' "$cons"
    check_log "no domain kept running after its request" "$cons" \
        sh -c "! grep -q 'still running after the request' '$cons'"
else
    bad "console log of the run"
fi
finish
