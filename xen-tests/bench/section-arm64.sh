# shellcheck shell=bash
# run-bench section 7 (sourced by run-bench: say, with_prev, native, $DIST,
# $G, $OUT): the arm64 hypervisor measured the way sections 1-2 measure x86,
# instructions per operation under -icount shift=0, natively (bare QEMU virt,
# the guest at EL1) and as a domain (qemu-system-aarch64 -M
# virt,virtualization=on,gic-version=3 -cpu max, one pCPU), for each of the
# debug core's four policies. The guests are xen-tests/guests/arm64/bench-arm64.c
# (one domain: exits and debug-register accesses) and bench-switch-arm64.c
# (two domains taking turns on one pCPU: world switches with and without a
# live debug file). x86's rows come from sections 1-2's logs in $OUT.

ARM64_POLICIES=(trap lazy-exit lazy-sched adaptive)
A64=$G/arm64

# arm64_native IMAGE LOG: the guest alone on bare QEMU virt (EL1).
arm64_native() {
    timeout 120 qemu-system-aarch64 -M virt,gic-version=3 -cpu max -m 64M -display none \
        -monitor none -serial stdio -no-reboot -icount shift=0 -kernel "$1" \
        </dev/null 2>&1 | tr -d '\r' > "$2"
}
# arm64_domains LOG POLICY NAME...: bench-arm64 or bench-switch-arm64 domains
# on one pCPU under dbgvisor.
arm64_domains() {
    local log=$1 policy=$2 image=$3 doms=() n
    shift 3
    for n in "$@"; do doms+=(--domain "$image,name=$n,policy=$policy"); done
    "$DIST/bin/dbgvisor" run --arch arm64 --icount --smp 1 --timeout 300 "${doms[@]}" > "$log" 2>&1
}
# per_iter LOG WORKLOAD [DOMAIN]: per_iter of a "bench WORKLOAD" line.
per_iter() {
    sed -n "s/^${3:+\[$3\] }bench $2 iters=.*per_iter=\([0-9]*\).*/\1/p" "$1" | head -1
}
# A round of bench-switch-arm64 is two switches (there and back), halved.
# s1's rounds: s2 trails it by a round, so s2's last rounds of a phase also
# hold s1's line of output (and its end, after the last phase).
per_switch() {   # LOG PHASE
    local a
    a=$(per_iter "$1" "switch-$2" s1)
    [ -n "$a" ] && echo $(( a / 2 )) || echo "?"
}
# x86 counterpart from run-bench 1/2's logs (this run's or an earlier one's).
x86_per_iter() {   # LOG DOMAIN
    [ -f "$1" ] && sed -n "s/^\[$2\] bench .*per_iter=\([0-9]*\).*/\1/p" "$1" | head -1
}

section_7() {
    say ""
    say "## 7. arm64 (QEMU virt at EL2, 1 pCPU, -icount shift=0): instructions per operation beside x86's (previous in brackets)"
    local p w t0
    t0=$(date +%s)
    declare -A v
    arm64_native "$A64/bench-arm64.bin" "$OUT/arm64-native.log"
    for w in hvc msr mrs dr drsleep; do v[native.$w]=$(per_iter "$OUT/arm64-native.log" $w); done
    for p in "${ARM64_POLICIES[@]}"; do
        arm64_domains "$OUT/arm64-$p.log" "$p" "$A64/bench-arm64.bin" b
        for w in hvc msr mrs dr drsleep; do v[$p.$w]=$(per_iter "$OUT/arm64-$p.log" $w b); done
        v[$p.counters]=$(sed -n 's/^(HV) debug counters b: //p' "$OUT/arm64-$p.log")
        arm64_domains "$OUT/arm64-switch-$p.log" "$p" "$A64/bench-switch-arm64.bin" s1 s2
        v[$p.clean]=$(per_switch "$OUT/arm64-switch-$p.log" clean)
        v[$p.armed]=$(per_switch "$OUT/arm64-switch-$p.log" armed)
        v[$p.dirty]=$( [[ ${v[$p.armed]} =~ ^[0-9]+$ && ${v[$p.clean]} =~ ^[0-9]+$ ]] &&
            echo $(( v[$p.armed] - v[$p.clean] )) || echo "?")
        v[$p.swcounters]=$(sed -n 's/^(HV) debug counters s1: //p' "$OUT/arm64-switch-$p.log")
    done
    # x86: section 2's policy runs (dr, drsleep), section 1's cpuid exit.
    for p in "${ARM64_POLICIES[@]}"; do
        v[$p.x86-dr]=$(x86_per_iter "$OUT/policy-$p.log" dr)
        v[$p.x86-drsleep]=$(x86_per_iter "$OUT/policy-$p.log" drsleep)
        v[$p.x86-cpuid]=$(x86_per_iter "$OUT/overhead.log" cpuid)
    done
    v[native.x86-dr]=$(native dr) v[native.x86-drsleep]=$(native drsleep) v[native.x86-cpuid]=$(native cpuid)
    v[native.clean]=- v[native.armed]=- v[native.dirty]=-

    printf '%-34s %8s %12s %12s %12s %12s\n' operation native "${ARM64_POLICIES[@]}" | tee -a "$RESULTS"
    # row LABEL KEY [PREV]: one operation across the policies; PREV is the
    # previous.txt key with %s for the policy (x86's are sections 1-2's).
    row() {
        local label=$1 key=$2 prev=${3:-7.$2.%s} cells=() q
        for q in "${ARM64_POLICIES[@]}"; do
            # shellcheck disable=SC2059
            cells+=("$(with_prev "${v[$q.$key]:-?}" "$(printf "$prev" "$q")")")
        done
        printf '%-34s %8s %12s %12s %12s %12s\n' "$label" "${v[native.$key]:-?}" "${cells[@]}" | tee -a "$RESULTS"
    }
    row "arm64 HVC (exit, no work)" hvc
    row "x86 CPUID (exit, no work)" x86-cpuid 1.cpuid
    row "arm64 MSR DBGBVR0_EL1" msr
    row "arm64 MRS DBGBVR0_EL1" mrs
    row "arm64 round (5 MSR + 2 MRS)" dr
    row "x86 round (5 MOV DR + 2 reads)" x86-dr 2.%s.dr
    row "arm64 round, sleep between" drsleep
    row "x86 round, sleep between" x86-drsleep 2.%s.drsleep
    row "arm64 world switch, file clean" clean
    row "arm64 world switch, file armed" armed
    row "arm64 armed - clean (dirty cost)" dirty
    for p in "${ARM64_POLICIES[@]}"; do
        say "debug counters $p: bench-arm64 ${v[$p.counters]:-?}; bench-switch-arm64 (each domain) ${v[$p.swcounters]:-?}"
    done
    [ -f "$OUT/policy-trap.log" ] || say "x86 rows need run-bench 1 and 2 (their logs in $OUT)"
    say "section 7 took $(( $(date +%s) - t0 )) s"
}
