#!/usr/bin/env bash
# arm64 host debugging (docs/arm64.md, "Host debugging"): a host breakpoint
# on a domain that debugs itself. `hostbp=ADDR` on the hypervisor's command
# line gives every vCPU of the domain a host breakpoint from boot (the same
# core mechanism `xl debug-*` and gdbsx drive over the control channel);
# each hit is reported as an (HV) line and stepped over with the host's
# hidden single-step. While it is armed MDCR_EL2.TDE sends every debug
# exception to EL2, so the domain's own breakpoints, watchpoints, BRKs and
# software steps all pass through the hypervisor's routing: the guest's
# record must still equal bare QEMU's line for line, and the host's
# breakpoint must hit exactly as often as the code runs.
#
# dr-basic-arm64 (its breakpoint at EL1, masked by PSTATE.D, a store
# watchpoint) with the host's breakpoint on report() (16 hits), on the
# guest's own breakpoint target (called twice: masked by PSTATE.D, where
# only the host's hits, then taken, where the host's hits first and the
# guest's fires during the host's step over it, ESR 0xc6000022) and in its
# debug-exception handler;
# dr-step-arm64 (a software step over a trapped MSR, an emulated PL011 read
# and an HVC) with the host's breakpoint on each instruction of the stepped
# region, in its step handler (7 hits) and in its BRK handler.
. "$(dirname "$0")/lib.sh"

need_qemu_arm64
HV=$DIST/boot/dbgvisor-arm64.bin
A=$G/arm64
NM=${ARM64_CROSS:-aarch64-linux-gnu-}nm
command -v "$NM" >/dev/null 2>&1 || NM=nm
built() { [ -f "$HV" ] && [ -f "$A/dr-basic-arm64.elf" ] && [ -f "$A/dr-step-arm64.elf" ]; }
if ! check "arm64 hypervisor and guests built (make arm64)" built; then finish; exit; fi

# sym GUEST NAME [OFFSET]: the address of a symbol of the guest, plus OFFSET.
sym() {
    local a
    a=$("$NM" "$A/$1.elf" | awk -v s="$2" '$3 == s { print $1 }')
    printf '0x%x' $((0x$a + ${3:-0}))
}

native() {
    timeout 60 "$QEMU_ARM64" -M virt,gic-version=3 -cpu max -m 64M -display none -monitor none \
        -serial stdio -no-reboot -kernel "$A/$1.bin" </dev/null 2>&1 | tr -d '\r' >"$TMP/$1-native.out"
}

# traced GUEST WHERE ADDR HITS [POLICY]: the guest under the hypervisor with a host
# breakpoint at ADDR: same record as native, HITS hits, exit code 0.
traced() {
    local guest=$1 where=$2 addr=$3 hits=$4 policy=${5:-trap} out=$TMP/$1-$2-${5:-trap}
    timeout 60 "$QEMU_ARM64" -M virt,virtualization=on,gic-version=3 -cpu max -m 256M \
        -display none -monitor none -serial stdio -no-reboot -kernel "$HV" \
        -initrd "$A/$guest.bin" -append "domain=g mem=64 policy=$policy hostbp=$addr" \
        </dev/null 2>&1 | tr -d '\r' >"$out.out"
    domain_lines "$out.out" g >"$out.lines"
    if diff -u "$TMP/$guest-native.out" "$out.lines" >"$out.diff"; then
        ok "$guest, host breakpoint $where ($policy): same record as native"
    else
        bad "$guest, host breakpoint $where ($policy): record differs from native"
        sed 's/^/#   /' "$out.diff" | head -30
    fi
    local got
    got=$(grep -c "^(HV) domain 1 (g) vCPU 0: host breakpoint [0-9]* at $addr\$" "$out.out")
    if [ "$got" = "$hits" ]; then
        ok "$guest, host breakpoint $where ($policy): $hits hits"
    else
        bad "$guest, host breakpoint $where ($policy): $got hits, want $hits"
    fi
    expect_line "$out.out" '^\(HV\) domain 1 \(g\) exited with code 0$' \
        "$guest, host breakpoint $where ($policy): exit code 0"
    reject_line "$out.out" 'hypervisor exception|\[ERR\]' "$guest, host breakpoint $where ($policy): no hypervisor error"
}

native dr-basic-arm64
expect_line "$TMP/dr-basic-arm64-native.out" '^# 16 passed, 0 failed$' "dr-basic-arm64: passes natively"
traced dr-basic-arm64 "on report()" "$(sym dr-basic-arm64 report)" 16
traced dr-basic-arm64 "on report()" "$(sym dr-basic-arm64 report)" 16 lazy-exit
traced dr-basic-arm64 "on the guest's own breakpoint" "$(sym dr-basic-arm64 bp_target)" 2
traced dr-basic-arm64 "in the guest's debug handler" "$(sym dr-basic-arm64 on_debug)" 2

native dr-step-arm64
expect_line "$TMP/dr-step-arm64-native.out" '^# 4 passed, 0 failed$' "dr-step-arm64: passes natively"
traced dr-step-arm64 "on report()" "$(sym dr-step-arm64 report)" 4
for off in 0 4 8 12 16 20 24; do
    traced dr-step-arm64 "at step_start+$off" "$(sym dr-step-arm64 step_start $off)" 1
done
traced dr-step-arm64 "in the step handler" "$(sym dr-step-arm64 on_step)" 7 adaptive
traced dr-step-arm64 "in the BRK handler" "$(sym dr-step-arm64 on_brk)" 1
finish
