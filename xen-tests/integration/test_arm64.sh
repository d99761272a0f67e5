#!/usr/bin/env bash
# arm64 (docs/arm64.md): the AArch64 hypervisor entered at EL2 on QEMU virt
# (virtualization=on, GICv3) runs a domain from its boot module behind
# stage-2, with an emulated PL011 and PSCI; the guest's debug registers trap
# to EL2 and the debug-register guest prints the same record as on bare QEMU
# (no EL2) line for line; the virtual timer interrupts a guest through the
# emulated GICv3 and a list register, and WFI blocks in the scheduler.
# Several domains from a boot bundle share the pCPUs under the common
# scheduler without seeing each other's registers (isolation-arm64, on one
# pCPU and on two), an SMP domain brings up its second vCPU and exchanges SGIs
# as on bare QEMU -smp 2 (smp-arm64), and `dbgvisor run --arch arm64` drives
# it all. Skips only if qemu-system-aarch64 is missing
# (`make deps` installs it: qemu-system-arm from bookworm-backports).
. "$(dirname "$0")/lib.sh"

QEMU_ARM64=${QEMU_ARM64:-qemu-system-aarch64}
if ! command -v "$QEMU_ARM64" >/dev/null 2>&1; then
    echo "# SKIP: $QEMU_ARM64 not installed (make deps installs qemu-system-arm from backports)"
    exit 0
fi
HV=$DIST/boot/dbgvisor-arm64.bin
A=$G/arm64
built() { [ -f "$HV" ] && [ -f "$A/dr-basic-arm64.bin" ]; }
if ! check "arm64 hypervisor and guests built (make arm64)" built; then finish; exit; fi

# native IMAGE OUT [CPUS]: the guest alone on QEMU virt (the hypervisor's GICv3), entered at EL1.
native() {
    timeout 60 "$QEMU_ARM64" -M virt,gic-version=3 -cpu max -smp "${3:-1}" -m 64M -display none \
        -monitor none -serial stdio -no-reboot -kernel "$1" </dev/null 2>&1 | tr -d '\r' >"$2"
}
# hv IMAGE OUT APPEND [MACHINE [PCPUS]]: the hypervisor with IMAGE as its boot module.
hv() {
    local image=$1 out=$2 append=$3 machine=${4:-virt,virtualization=on,gic-version=3} smp=${5:-1}
    timeout 60 "$QEMU_ARM64" -M "$machine" -cpu max -smp "$smp" -m 256M -display none -monitor none \
        -serial stdio -no-reboot -kernel "$HV" -initrd "$image" -append "$append" \
        </dev/null 2>&1 | tr -d '\r' >"$out"
}
# counter OUT NAME: a value from the domain's "debug counters" line.
counter() { sed -n "s/.*debug counters .* $2=\([0-9]*\).*/\1/p" "$1"; }

# Boot: EL2, the domain's console lines, PSCI/exit call ends it with its code.
hv "$A/hello-arm64.bin" $TMP/hello.out "domain=hello mem=32"
expect_line $TMP/hello.out '^\(HV\) dbgvisor \(arm64\) at EL2' "boot: entered at EL2"
expect_line $TMP/hello.out '^\(HV\) domain 1 \(hello\): 1 vCPU, 32 MiB, policy trap$' "boot: domain built from the boot module"
expect_line $TMP/hello.out '^\(HV\) domain 1 \(hello\): RAM at IPA 0x40000000, entry 0x40080000' "boot: RAM and entry where QEMU virt puts them"
expect_line $TMP/hello.out '^\[hello\] ok 1 - entered at EL1' "boot: guest runs at EL1, PL011 output emulated"
expect_line $TMP/hello.out '^\(HV\) domain 1 \(hello\) exited with code 0$' "boot: exit call ends the domain with its code"
expect_line $TMP/hello.out '^\(HV\) all domains have ended$' "boot: the end is reported as on x86"
reject_line $TMP/hello.out 'hypervisor exception|\[ERR\]' "boot: no hypervisor error"

# Debug-register policies: trap is the one implemented; any other is refused.
hv "$A/hello-arm64.bin" $TMP/policy.out "domain=hello policy=adaptive"
expect_line $TMP/policy.out "policy 'adaptive': only trap is implemented on arm64" "policy: adaptive refused with the reason"
reject_line $TMP/policy.out '^\[hello\]' "policy: no domain runs under a policy it did not ask for"

# Every pCPU QEMU gives is started (PSCI CPU_ON) and waits at EL2; the domain
# still has one vCPU. Its device tree: its RAM and PL011, PSCI by SMC (trapped),
# cpu@0 only, none of the host's other devices or boot data.
hv "$A/dtb-arm64.bin" $TMP/dtb.out "domain=dtb mem=64" virt,virtualization=on,gic-version=3 4
expect_line $TMP/dtb.out '^\(HV\) pCPU 3 up \(MPIDR 0x3\)$' "smp: the fourth pCPU comes up at EL2"
expect_line $TMP/dtb.out '^\(HV\) 4 pCPUs online$' "smp: four pCPUs online"
expect_line $TMP/dtb.out '^\[dtb\] memory 0x40000000 size 0x4000000$' "dtb: /memory is the domain's 64 MiB"
expect_line $TMP/dtb.out '^\[dtb\] pl011 0x9000000$' "dtb: the PL011 is described"
expect_line $TMP/dtb.out '^\[dtb\] virtio-mmio no$' "dtb: no virtio-mmio transports"
expect_line $TMP/dtb.out '^\[dtb\] pcie no$' "dtb: no PCIe host"
expect_line $TMP/dtb.out '^\[dtb\] gic-v3 no$' "dtb: no GIC node (the domain's GIC is not described yet)"
expect_line $TMP/dtb.out '^\[dtb\] chosen initrd no$' "dtb: not the host's initrd"
expect_line $TMP/dtb.out '^\[dtb\] chosen bootargs no$' "dtb: not the host's command line"
expect_line $TMP/dtb.out '^\(HV\) domain 1 \(dtb\) exited with code 0$' "dtb: the guest passes beside the idle pCPUs"

# The exit call carries the guest's code (bare QEMU: SYSTEM_OFF, status 0).
hv "$A/exit-code-arm64.bin" $TMP/exit.out "domain=exit"
expect_line $TMP/exit.out '^\(HV\) domain 1 \(exit\) exited with code 42$' "exit: DBGV_HVC_EXIT ends the domain with code 42"

# An exception at EL2 is reported (syndrome, PC) and stops the machine.
hv "$A/hello-arm64.bin" $TMP/fault.out "domain=hello selftest=fault"
expect_line $TMP/fault.out '^\(HV\) \[ERR\] hypervisor exception \(kind 0\): ESR_EL2 0x2000000 ELR_EL2 0x4' "fault: EL2 exception reported with its syndrome"
reject_line $TMP/fault.out '^\[hello\]' "fault: nothing runs after it"

# Without EL2 (virtualization=off) the hypervisor says why it cannot run.
hv "$A/hello-arm64.bin" $TMP/noel2.out "domain=hello" virt
expect_line $TMP/noel2.out 'dbgvisor must be entered at EL2' "boot: refused below EL2, with the reason"

# compare GUEST NAME: the guest's record on bare QEMU and as a domain (64 MiB
# both) must be equal line for line, and pass; leaves $TMP/NAME-hv.out.
compare() {
    local guest=$1 name=$2
    native "$A/$guest.bin" $TMP/$name-native.out
    expect_line $TMP/$name-native.out '^# [0-9]+ passed, 0 failed$' "$guest: passes natively"
    hv "$A/$guest.bin" $TMP/$name-hv.out "domain=$name mem=64"
    domain_lines $TMP/$name-hv.out $name >$TMP/$name-hv.lines
    if diff -u $TMP/$name-native.out $TMP/$name-hv.lines >$TMP/$name.diff; then
        ok "$guest: same record as native, line for line ($(wc -l <$TMP/$name-hv.lines) lines)"
    else
        bad "$guest: record differs from native"; sed 's/^/#   /' $TMP/$name.diff
    fi
    expect_line $TMP/$name-hv.out "^\(HV\) domain 1 \($name\) exited with code 0\$" \
        "$guest: exit code 0 under the hypervisor"
    reject_line $TMP/$name-hv.out 'hypervisor exception|\[ERR\]' "$guest: no hypervisor error"
}

# Isolation: addresses with nothing behind them (device hole, past RAM) give
# the domain the external aborts bare QEMU gives, and nothing else.
compare unbacked-arm64 unbacked

# FP, SVE and SME as the CPU offers them at EL1 (not trapped, lengths not capped).
compare sve-arm64 sve

# Pointer authentication at EL1 (keys and PAC instructions not trapped).
compare pauth-arm64 pauth

# The GICv3 CPU interface registers at EL1: the virtual interface's, SGIs trap.
compare gic-cpuif-arm64 gic

# The virtual timer and its PPI 27 through the emulated distributor and
# redistributor and a list register; WFI traps and sleeps on the hyp timer.
compare timer-arm64 timer
blocked=$(sed -n 's/^(HV) domain 1 (timer): \([0-9]*\) WFI blocked$/\1/p' $TMP/timer-hv.out)
check "timer-arm64: WFI trapped and blocked until the deadline (${blocked:-0} times)" num_lt 0 "${blocked:-0}"

# Debug registers: every access traps to EL2 (trap policy), the record is native's.
compare dr-basic-arm64 dr-basic
exits=$(counter $TMP/dr-basic-hv.out dr-exits)
check "dr-basic-arm64: its debug-register accesses trapped to EL2 (dr-exits=$exits)" num_lt 0 "${exits:-0}"

# Hostile: breakpoints and watchpoints matching at EL2 over the hypervisor's
# memory never fire there (debug exceptions target the guest's EL1).
compare el2-match-arm64 el2match

# Software step across instructions the hypervisor completes (trapped MSR,
# emulated PL011 read, PSCI HVC): one step exception each, as on hardware.
compare dr-step-arm64 step

# Several domains (a boot bundle, scripts/arm64-bundle.sh) under the shared
# scheduler: two isolation-arm64 domains on one pCPU, then on two. Each must
# print native's record (its registers out of reset hold nothing of the
# other's, its secret survives the other running), and on one pCPU they must
# interleave (the second starts before the first ends).
native "$A/isolation-arm64.bin" $TMP/iso-native.out
expect_line $TMP/iso-native.out '^# [0-9]+ passed, 0 failed$' "isolation-arm64: passes natively"
"$ROOT/scripts/arm64-bundle.sh" $TMP/iso.bundle "$A/isolation-arm64.bin,name=a,mem=64" \
    "$A/isolation-arm64.bin,name=b,mem=64"
# first_line FILE REGEX: the number of the first line matching, or 0.
first_line() { grep -nE -- "$2" "$1" | head -1 | cut -d: -f1; }
last_line() { grep -nE -- "$2" "$1" | tail -1 | cut -d: -f1; }
for pcpus in 1 2; do
    out=$TMP/iso-$pcpus.out
    hv $TMP/iso.bundle $out "" virt,virtualization=on,gic-version=3 $pcpus
    expect_line $out '^\(HV\) boot bundle: 2 domains$' "bundle ($pcpus pCPU): two domains read from the boot module"
    expect_line $out '^\(HV\) domain 2 \(b\): 1 vCPU, 64 MiB, policy trap$' "bundle ($pcpus pCPU): the second domain built"
    for name in a b; do
        domain_lines $out $name >$TMP/iso-$pcpus-$name.lines
        if diff -u $TMP/iso-native.out $TMP/iso-$pcpus-$name.lines >$TMP/iso-$pcpus-$name.diff; then
            ok "isolation-arm64 ($pcpus pCPU, domain $name): native's record, nothing crossed"
        else
            bad "isolation-arm64 ($pcpus pCPU, domain $name): record differs from native"
            sed 's/^/#   /' $TMP/iso-$pcpus-$name.diff
        fi
        expect_line $out "^\(HV\) domain [12] \($name\) exited with code 0\$" "isolation-arm64 ($pcpus pCPU, domain $name): exit code 0"
    done
    reject_line $out 'hypervisor exception|\[ERR\]' "isolation-arm64 ($pcpus pCPU): no hypervisor error"
done
b_first=$(first_line $TMP/iso-1.out '^\[b\] ')
a_last=$(last_line $TMP/iso-1.out '^\[a\] ')
check "isolation-arm64 (1 pCPU): the domains interleave (b's first line ${b_first:-none} before a's last ${a_last:-none})" \
    num_lt "${b_first:-x}" "${a_last:-x}"

# An SMP domain (vcpus=2) against bare QEMU -smp 2: its device tree lists
# cpu@0 and cpu@1 (enable-method psci), PSCI CPU_ON/AFFINITY_INFO/CPU_OFF
# start and stop vCPU 1, a redistributor per vCPU, SGIs both ways through
# trapped ICC_SGI1R_EL1 and list registers; on one pCPU (the two vCPUs share
# it) and on two.
native "$A/smp-arm64.bin" $TMP/smp-native.out 2
expect_line $TMP/smp-native.out '^# [0-9]+ passed, 0 failed$' "smp-arm64: passes natively on two CPUs"
for pcpus in 1 2; do
    out=$TMP/smp-$pcpus.out
    hv "$A/smp-arm64.bin" $out "domain=smp mem=64 vcpus=2" virt,virtualization=on,gic-version=3 $pcpus
    expect_line $out '^\(HV\) domain 1 \(smp\): 2 vCPUs, 64 MiB, policy trap$' "smp-arm64 ($pcpus pCPU): a domain with two vCPUs"
    domain_lines $out smp >$TMP/smp-$pcpus.lines
    if diff -u $TMP/smp-native.out $TMP/smp-$pcpus.lines >$TMP/smp-$pcpus.diff; then
        ok "smp-arm64 ($pcpus pCPU): same record as native -smp 2 ($(wc -l <$TMP/smp-$pcpus.lines) lines)"
    else
        bad "smp-arm64 ($pcpus pCPU): record differs from native -smp 2"
        sed 's/^/#   /' $TMP/smp-$pcpus.diff
    fi
    expect_line $out '^\(HV\) domain 1 \(smp\) exited with code 0$' "smp-arm64 ($pcpus pCPU): exit code 0"
    reject_line $out 'hypervisor exception|\[ERR\]' "smp-arm64 ($pcpus pCPU): no hypervisor error"
done

# The launcher: dbgvisor run --arch arm64 builds the bundle and the QEMU line;
# the status says how the domains ended (QEMU's own is always 0).
launch() { "$DIST/bin/dbgvisor" run --arch arm64 --timeout 60 "$@" >$TMP/launch.out 2>&1; status=$?; }
launch --smp 1 --domain "$A/hello-arm64.bin,name=h1,mem=32" --domain "$A/smp-arm64.bin,name=s,vcpus=2"
check "launcher: two arm64 domains, status 0 (got $status)" [ "$status" = 0 ]
expect_line $TMP/launch.out '^\[h1\] ok 1 - entered at EL1' "launcher: [h1] lines"
expect_line $TMP/launch.out '^\[s\] # 17 passed, 0 failed$' "launcher: [s] lines, its two vCPUs on one pCPU"
launch --domain "$A/exit-code-arm64.bin,name=e"
check "launcher: a domain's nonzero exit code gives status 1 (got $status)" [ "$status" = 1 ]
launch --domain "$A/hello-arm64.bin,policy=adaptive"
check "launcher: an option arm64 lacks is refused before QEMU starts (status $status)" [ "$status" = 2 ]

finish
