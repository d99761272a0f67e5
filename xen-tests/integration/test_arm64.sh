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
# it all. The domain life cycle is common/domain.c's (an unloadable Image
# ends crashed, selftest=lifecycle gives every page back), and the PMU, both
# EL1 timers and the ID registers are each domain's own (pmu-arm64 and
# timer-arm64 side by side, idregs-arm64). Skips only if qemu-system-aarch64 is missing
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
# hv IMAGE OUT APPEND [MACHINE [PCPUS]]: the hypervisor with IMAGE as its boot module
# (HV_QEMU_ARGS: more QEMU options, such as -icount).
hv() {
    local image=$1 out=$2 append=$3 machine=${4:-virt,virtualization=on,gic-version=3} smp=${5:-1}
    timeout 60 "$QEMU_ARM64" -M "$machine" -cpu max -smp "$smp" -m 256M -display none -monitor none ${HV_QEMU_ARGS-} \
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

# Debug-register policies: the debug core's four; an unknown one is refused.
hv "$A/hello-arm64.bin" $TMP/policy.out "domain=hello policy=sometimes"
expect_line $TMP/policy.out "policy 'sometimes': trap, lazy-exit, lazy-sched or adaptive" "policy: an unknown policy refused with the reason"
reject_line $TMP/policy.out '^\[hello\]' "policy: no domain runs under a policy it did not ask for"

# Every pCPU QEMU gives is started (PSCI CPU_ON) and waits at EL2; the domain
# still has one vCPU. Its device tree (written by the builder, dtb_build.c):
# its RAM, PL011 and GICv3, PSCI by HVC, cpu@0 only, none of the host's other
# devices or boot data.
hv "$A/dtb-arm64.bin" $TMP/dtb.out "domain=dtb mem=64" virt,virtualization=on,gic-version=3 4
expect_line $TMP/dtb.out '^\(HV\) pCPU 3 up \(MPIDR 0x3\)$' "smp: the fourth pCPU comes up at EL2"
expect_line $TMP/dtb.out '^\(HV\) 4 pCPUs online$' "smp: four pCPUs online"
expect_line $TMP/dtb.out '^\[dtb\] memory 0x40000000 size 0x4000000$' "dtb: /memory is the domain's 64 MiB"
expect_line $TMP/dtb.out '^\[dtb\] pl011 0x9000000$' "dtb: the PL011 is described"
expect_line $TMP/dtb.out '^\[dtb\] virtio-mmio no$' "dtb: no virtio-mmio transports"
expect_line $TMP/dtb.out '^\[dtb\] pcie no$' "dtb: no PCIe host"
expect_line $TMP/dtb.out '^\[dtb\] gic-v3 yes$' "dtb: the domain's GICv3 is described (the builder's tree)"
expect_line $TMP/dtb.out '^\[dtb\] psci method hvc$' "dtb: PSCI through HVC, the domain's conduit"
expect_line $TMP/dtb.out '^\[dtb\] chosen initrd no$' "dtb: not the host's initrd"
expect_line $TMP/dtb.out '^\[dtb\] chosen bootargs no$' "dtb: not the host's command line"
expect_line $TMP/dtb.out '^\(HV\) domain 1 \(dtb\) exited with code 0$' "dtb: the guest passes beside the idle pCPUs"

# The shared life cycle (common/domain.c): a boot module that is no arm64
# Image gives a domain that ends crashed with the reason, and the machine ends.
printf 'not an Image\n%.0s' $(seq 8) >$TMP/junk.img
hv $TMP/junk.img $TMP/junk.out "domain=junk"
expect_line $TMP/junk.out '^\(HV\) \[ERR\] domain 1 \(junk\) crashed: not an arm64 Image, or no usable device tree$' "life cycle: an unloadable Image ends its domain crashed, with the reason"
expect_line $TMP/junk.out '^\(HV\) all domains have ended$' "life cycle: the machine ends after it"

# Create, load, start and destroy (selftest=lifecycle, three rounds, a
# 2-vCPU domain on 2 pCPUs): every page comes back (RAM, stage-2 tables, ZA
# buffers; without stage2_destroy 2 pages leak per round), then the domain
# runs for real.
hv "$A/hello-arm64.bin" $TMP/cycle.out "domain=hello mem=32 vcpus=2 selftest=lifecycle" \
    virt,virtualization=on,gic-version=3 2
pages_back() {
    local l
    l=$(sed -n 's/^(HV) selftest: 3 create\/destroy rounds of 1 domain: \([0-9]*\) pages free before, \([0-9]*\) after$/\1 \2/p' "$1")
    [ -n "$l" ] && [ "${l% *}" = "${l#* }" ]
}
check "life cycle: 3 create/destroy rounds give every page back ($(grep -o '[0-9]* pages free before, [0-9]* after' $TMP/cycle.out))" \
    pages_back $TMP/cycle.out
reject_line $TMP/cycle.out 'leaked|hypervisor exception|\[ERR\]' "life cycle: no leak reported, no hypervisor error"
expect_line $TMP/cycle.out '^\(HV\) domain 4 \(hello\) exited with code 0$' "life cycle: the domain built after them runs"

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

# compare GUEST NAME [POLICY [QUIET]]: the guest's record on bare QEMU and as a
# domain (64 MiB both; the debug core's POLICY, default trap, and adaptive's
# quiet switch-outs) must be equal line for line, and pass; leaves
# $TMP/NAME-hv.out (NAME-POLICY[-qQUIET]-hv.out with a POLICY).
compare() {
    local guest=$1 name=$2 policy=${3:-trap} out=$2${3:+-$3}${4:+-q$4}
    if [ ! -f $TMP/$name-native.out ]; then
        native "$A/$guest.bin" $TMP/$name-native.out
        expect_line $TMP/$name-native.out '^# [0-9]+ passed, 0 failed$' "$guest: passes natively"
    fi
    hv "$A/$guest.bin" $TMP/$out-hv.out "domain=$name mem=64 policy=$policy${4:+ quiet=$4}"
    domain_lines $TMP/$out-hv.out $name >$TMP/$out-hv.lines
    if diff -u $TMP/$name-native.out $TMP/$out-hv.lines >$TMP/$out.diff; then
        ok "$guest ($policy${4:+ quiet=$4}): same record as native, line for line ($(wc -l <$TMP/$out-hv.lines) lines)"
    else
        bad "$guest ($policy${4:+ quiet=$4}): record differs from native"; sed 's/^/#   /' $TMP/$out.diff
    fi
    expect_line $TMP/$out-hv.out "^\(HV\) domain 1 \($name\) exited with code 0\$" \
        "$guest ($policy${4:+ quiet=$4}): exit code 0 under the hypervisor"
    reject_line $TMP/$out-hv.out 'hypervisor exception|\[ERR\]' "$guest ($policy${4:+ quiet=$4}): no hypervisor error"
}

# Isolation: addresses with nothing behind them (device hole, past RAM) give
# the domain the external aborts bare QEMU gives, and nothing else.
compare unbacked-arm64 unbacked

# Device accesses without an instruction syndrome (pairs, base writeback):
# decoded and performed by the hypervisor, as the hardware does them.
compare mmio-nisv-arm64 nisv

# PSCI as bare QEMU's firmware answers it: FEATURES, MIGRATE_INFO_TYPE,
# CPU_SUSPEND (refused power level; standby wakes on the timer like WFI).
compare psci-arm64 psci

# The ID registers as bare QEMU without EL2 gives them (HCR_EL2.TID3, id_regs.c):
# before, ID_AA64PFR0_EL1.EL2 and ID_PFR1_EL1.Virtualization said EL2 was there.
compare idregs-arm64 idregs

# FP, SVE and SME as the CPU offers them at EL1 (not trapped, lengths not capped).
compare sve-arm64 sve

# Pointer authentication at EL1 (keys and PAC instructions not trapped).
compare pauth-arm64 pauth

# The GICv3 CPU interface registers at EL1: the virtual interface's, SGIs trap.
compare gic-cpuif-arm64 gic

# The virtual and the EL1 physical timer and their PPIs 27 and 30 through the
# emulated distributor and redistributor and list registers; WFI traps and
# sleeps on the hyp timer. Before the physical timer was switched with the
# vCPU and its PPI 30 taken at EL2 and injected, the first CNTP WFI never woke.
compare timer-arm64 timer
blocked=$(sed -n 's/^(HV) domain 1 (timer): \([0-9]*\) WFI blocked$/\1/p' $TMP/timer-hv.out)
check "timer-arm64: WFI trapped and blocked until the deadline (${blocked:-0} times)" num_lt 0 "${blocked:-0}"

# The debug-register guests under each of the debug core's policies: the
# record is native's whatever the policy. dr-basic: breakpoints, watchpoints,
# OS lock, MDSCR_EL1 read-back. el2-match (hostile): breakpoints and
# watchpoints matching at EL2 over the hypervisor's memory never fire there
# (debug exceptions target the guest's EL1). dr-step: software step across
# instructions the hypervisor completes (trapped MSR, emulated PL011 read,
# PSCI HVC): one step exception each, as on hardware.
for policy in trap lazy-exit lazy-sched adaptive; do
    compare dr-basic-arm64 dr-basic $policy
    compare el2-match-arm64 el2match $policy
    compare dr-step-arm64 step $policy
done
# What each policy did (docs/arm64.md): trap emulates every access and never
# saves the guest's registers; lazy-exit stops trapping at an access and saves
# and re-traps at the next exit (seed 001); lazy-sched and adaptive stop
# trapping at the first access and run dirty from then on (seed 003); the
# scheduler's switch-outs (a slice's end) save the file, and lazy-sched traps
# again after one while MDSCR_EL1 arms nothing: every exit past the first
# follows a save, far fewer than trap's.
dr_counters() { echo "dr-exits=$(counter $1 dr-exits) dr-saves=$(counter $1 dr-saves)"; }
trap_all() { num_lt 1 "$(counter $1 dr-exits)" && [ "$(counter $1 dr-saves)" = 0 ]; }
saves_each_exit() { num_lt 1 "$(counter $1 dr-saves)" && [ "$(counter $1 dr-saves)" -le "$(counter $1 dr-exits)" ]; }
dirty_after_first() {
    local exits=$(counter $1 dr-exits) saves=$(counter $1 dr-saves)
    [ "$exits" -ge 1 ] && [ "$exits" -le $((saves + 1)) ] && num_lt "$exits" "$(counter $2 dr-exits)"
}
check "dr-basic-arm64 (trap): every access trapped, nothing saved ($(dr_counters $TMP/dr-basic-trap-hv.out))" \
    trap_all $TMP/dr-basic-trap-hv.out
check "dr-basic-arm64 (lazy-exit): saved at the exits after untrapped runs ($(dr_counters $TMP/dr-basic-lazy-exit-hv.out))" \
    saves_each_exit $TMP/dr-basic-lazy-exit-hv.out
for policy in lazy-sched adaptive; do
    check "dr-basic-arm64 ($policy): trapped access, then dirty and untrapped until a switch-out saves ($(dr_counters $TMP/dr-basic-$policy-hv.out))" \
        dirty_after_first $TMP/dr-basic-$policy-hv.out $TMP/dr-basic-trap-hv.out
done

# Switch-outs (a WFI that sleeps): dr-switch-arm64 arms a watchpoint, sleeps 12
# times checking its registers and the watchpoint after each, disarms, sleeps
# 12 quiet times (more than adaptive's 8), then touches a register and arms
# again. lazy-sched (Xen's rule, seed 003) saves the dirty registers at every
# switch-out and traps again; a switch-in finding a watchpoint armed stops
# trapping at once, one finding none leaves the next access to trap. So its
# exits are the first access and the first after each switch-in that found
# nothing armed and was followed by an access. The slice's end is a switch-out
# too: on host time (no -icount) a loaded host ends 12 ms slices a few guest
# instructions apart, between the DBGBVR1 read after the quiet sleeps and the
# re-arm, say, and each adds a (correct) exit. These runs count time in
# instructions (-icount, sleep=off: no host time in them), so the slices never
# end between two sleeps and the guest's own sleeps are its only switch-outs:
# lazy-sched's exits are exactly the first access and the one after the
# quiet sleeps, its saves exactly the 12 armed sleeps and the first quiet one.
# adaptive keeps the registers untrapped and saved across the armed sleeps and
# the first 9 quiet ones (a change, then 8 quiet), traps again after them (its
# second exit); with quiet=100 it never does (one exit, all 24 sleeps saved).
for policy in trap lazy-exit lazy-sched adaptive; do
    HV_QEMU_ARGS="-icount shift=0,sleep=off" compare dr-switch-arm64 switch $policy
done
HV_QEMU_ARGS="-icount shift=0,sleep=off" compare dr-switch-arm64 switch adaptive 100
blocked_sleeps() { num_lt 11 "$(sed -n 's/^(HV) domain 1 (switch): \([0-9]*\) WFI blocked$/\1/p' $1)"; }
check "dr-switch-arm64: its sleeps blocked in the hypervisor (switch-outs)" \
    blocked_sleeps $TMP/switch-lazy-sched-hv.out
exits_saves() { [ "$(counter $1 dr-exits)" = "$2" ] && [ "$(counter $1 dr-saves)" = "$3" ]; }
check "dr-switch-arm64 (trap): nothing saved ($(dr_counters $TMP/switch-trap-hv.out))" \
    trap_all $TMP/switch-trap-hv.out
check "dr-switch-arm64 (lazy-sched): saved at each untrapped switch-out, untrapped again on the way in when armed ($(dr_counters $TMP/switch-lazy-sched-hv.out))" \
    exits_saves $TMP/switch-lazy-sched-hv.out 2 13
check "dr-switch-arm64 (adaptive): trapping again after the quiet switch-outs ($(dr_counters $TMP/switch-adaptive-hv.out))" \
    exits_saves $TMP/switch-adaptive-hv.out 2 21
check "dr-switch-arm64 (adaptive quiet=100): never quiet enough to trap again ($(dr_counters $TMP/switch-adaptive-q100-hv.out))" \
    exits_saves $TMP/switch-adaptive-q100-hv.out 1 24

# The toolstack decodes an arm64 vCPU's debug state (debug ABI 2's arch tag and
# register file) from a fake control server.
python3 "$(dirname "$0")/fake_arm64_debug_state.py" $TMP/fake.sock > $TMP/fake.log 2>&1 &
fake=$!
for _ in $(seq 50); do [ -S $TMP/fake.sock ] && break; sleep 0.1; done
DBGCTL_URI=unix:$TMP/fake.sock DBGCTL_TRANSPORT=socket $DIST/bin/xl debug-state arm > $TMP/ds.txt 2>&1
DBGCTL_URI=unix:$TMP/fake.sock DBGCTL_TRANSPORT=socket $DIST/bin/xl debug-state -l arm > $TMP/ds.json 2>&1
kill $fake 2>/dev/null; wait $fake 2>/dev/null
expect_line $TMP/ds.txt 'Slots Step +DR-exits .* OSLSR +MDSCR' "xl debug-state (arm64): OSLSR and MDSCR where x86 has DR6 and DR7"
expect_line $TMP/ds.txt '^ +0 adaptive +passthrough dirty +gggggg/gggg +- +1 +0 +0 +0 +1 +0 0x8 +0xa000 *$' \
    "xl debug-state (arm64): owners of the 6 breakpoints / 4 watchpoints, OSLSR, MDSCR_EL1"
json_arm64() {
    python3 -c '
import json, sys
v = json.load(open(sys.argv[1]))["vcpus"][0]
assert v["arch"] == "arm64" and "slots" not in v and "guest_dr7" not in v
assert len(v["breakpoints"]) == 6 and len(v["watchpoints"]) == 4
assert v["breakpoints"][1]["value"] == "0x40abc000"
assert v["watchpoints"][0] == {"owner": "guest", "value": "0x40001000", "control": "0x1ff7"}
assert v["mdscr_el1"] == "0xa000" and v["oslsr_el1"] == "0x8"
' "$1"
}
check "xl debug-state -l (arm64): arch, the pairs the CPU has, MDSCR_EL1, the OS lock" json_arm64 $TMP/ds.json

# pair GUEST TAG [PCPUS...]: two domains (a, b) of GUEST from one boot
# bundle (scripts/arm64-bundle.sh) under the shared scheduler, on one pCPU
# and on two (or the pCPU counts given); each must print native's record and
# exit 0. Leaves $TMP/TAG-N.out for each pCPU count N.
pair() {
    local guest=$1 tag=$2 pcpus out name counts=${*:3}
    if [ ! -f $TMP/$tag-native.out ]; then
        native "$A/$guest.bin" $TMP/$tag-native.out
        expect_line $TMP/$tag-native.out '^# [0-9]+ passed, 0 failed$' "$guest: passes natively"
    fi
    "$ROOT/scripts/arm64-bundle.sh" $TMP/$tag.bundle "$A/$guest.bin,name=a,mem=64" \
        "$A/$guest.bin,name=b,mem=64"
    for pcpus in ${counts:-1 2}; do
        out=$TMP/$tag-$pcpus.out
        hv $TMP/$tag.bundle $out "" virt,virtualization=on,gic-version=3 $pcpus
        for name in a b; do
            domain_lines $out $name >$TMP/$tag-$pcpus-$name.lines
            if diff -u $TMP/$tag-native.out $TMP/$tag-$pcpus-$name.lines >$TMP/$tag-$pcpus-$name.diff; then
                ok "$guest ($pcpus pCPU, domain $name): native's record, nothing crossed"
            else
                bad "$guest ($pcpus pCPU, domain $name): record differs from native"
                sed 's/^/#   /' $TMP/$tag-$pcpus-$name.diff
            fi
            expect_line $out "^\(HV\) domain [12] \($name\) exited with code 0\$" "$guest ($pcpus pCPU, domain $name): exit code 0"
        done
        reject_line $out 'hypervisor exception|\[ERR\]' "$guest ($pcpus pCPU): no hypervisor error"
    done
}

# Several domains under the shared scheduler: two isolation-arm64 domains on
# one pCPU, then on two. Each must print native's record (its registers out
# of reset hold nothing of the other's, its secret survives the other
# running), and on one pCPU they must interleave (the second starts before
# the first ends).
pair isolation-arm64 iso
for pcpus in 1 2; do
    expect_line $TMP/iso-$pcpus.out '^\(HV\) boot bundle: 2 domains$' "bundle ($pcpus pCPU): two domains read from the boot module"
    expect_line $TMP/iso-$pcpus.out '^\(HV\) domain 2 \(b\): 1 vCPU, 64 MiB, policy trap$' "bundle ($pcpus pCPU): the second domain built"
done
# first_line FILE REGEX: the number of the first line matching, or 0.
first_line() { grep -nE -- "$2" "$1" | head -1 | cut -d: -f1; }
last_line() { grep -nE -- "$2" "$1" | tail -1 | cut -d: -f1; }
b_first=$(first_line $TMP/iso-1.out '^\[b\] ')
a_last=$(last_line $TMP/iso-1.out '^\[a\] ')
check "isolation-arm64 (1 pCPU): the domains interleave (b's first line ${b_first:-none} before a's last ${a_last:-none})" \
    num_lt "${b_first:-x}" "${a_last:-x}"

# The performance monitors are each vCPU's own (pmu.c switches them): two
# pmu-arm64 domains configure counters, event types, enables, overflow flags
# and count software increments; each finds the PMU out of reset and keeps
# its own exactly (without the switch: 4 and 6 "holds ours" checks fail),
# then takes exactly one overflow interrupt (PPI 23) of its own.
pair pmu-arm64 pmu

# Each vCPU's two timers and their interrupts are its own: two timer-arm64
# domains arm their virtual and physical timers side by side and each gets
# exactly its own interrupts (vtimer.c switches CNTV_* and CNTP_* and stops
# both when a vCPU leaves its pCPU; with CNTP left running a domain alone
# hangs at its first CNTP WFI). One pCPU: the case where they share it.
pair timer-arm64 timer 1

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
# Two debugging domains on one pCPU under their own policies: the scheduler's
# switches keep each one's registers (without dbg_on_schedule/deschedule sw2
# finds sw1's watchpoint state after its sleeps: 4 of 5 checks fail).
launch --smp 1 --domain "$A/dr-switch-arm64.bin,name=sw1,policy=adaptive,quiet=3" --domain "$A/dr-switch-arm64.bin,name=sw2,policy=lazy-sched"
check "launcher: per-domain debug policies, status 0 (got $status)" [ "$status" = 0 ]
expect_line $TMP/launch.out '^\(HV\) domain 1 \(sw1\): 1 vCPU, 64 MiB, policy adaptive$' "launcher: [sw1] under adaptive"
expect_line $TMP/launch.out '^\(HV\) domain 2 \(sw2\): 1 vCPU, 64 MiB, policy lazy-sched$' "launcher: [sw2] under lazy-sched"
expect_line $TMP/launch.out '^\(HV\) debug counters sw1: dr-exits=' "launcher: [sw1] counters at its end"
expect_line $TMP/launch.out '^\(HV\) debug counters sw2: dr-exits=' "launcher: [sw2] counters at its end"
launch --domain "$A/hello-arm64.bin,unbacked_access=crash"
check "launcher: an option arm64 lacks is refused before QEMU starts (status $status)" [ "$status" = 2 ]

finish
