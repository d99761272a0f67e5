#!/usr/bin/env bash
# The boot probe of the debug registers (issue 11, arch/x86/hvm/svm/dr_probe.c):
# QEMU's TCG keeps reserved DR6/DR7 bits as a guest writes them, so untrapped
# (lazy-policy) writes of DR4-DR7 must still exit and the hypervisor applies
# the masks. The probe must find that here, say so in the boot log and in
# `xl info`, and the boot option dr_write_exits=on|off must force either
# path: with the exits a lazy-sched DR loop exits once per round (its DR7
# write), without them only at its first access.
. "$(dirname "$0")/lib.sh"
ITERS=50

dr_loop() {   # out-file [hypervisor args]
    DBGVISOR_HV_ARGS=$2 hv_run "$1" --icount \
        --domain "$G/bench.elf,name=d,policy=lazy-sched,cmdline=mode=dr iters=$ITERS"
}
exits() { sed -n 's/.*debug counters d: dr-exits=\([0-9]*\).*/\1/p' "$1"; }

dr_loop $TMP/auto.out ""
check "probe: default boot exits 0" [ $status -eq 0 ]
expect_line $TMP/auto.out 'debug registers: the platform keeps reserved DR6/DR7 bits as written \(QEMU TCG\); untrapped DR4-7 writes exit' \
    "probe: QEMU TCG found to keep reserved DR6/DR7 bits; writes exit (boot log)"
n=$(exits $TMP/auto.out)
check "probe: lazy-sched exits at every round's DR7 write ($n exits for $ITERS rounds)" [ "${n:-0}" -ge $ITERS ]

dr_loop $TMP/on.out "dr_write_exits=on"
expect_line $TMP/on.out 'untrapped DR4-7 writes exit \(dr_write_exits= boot option\)' "dr_write_exits=on: forced (boot log)"
n=$(exits $TMP/on.out)
check "dr_write_exits=on: lazy-sched exits at every round's DR7 write ($n exits)" [ "${n:-0}" -ge $ITERS ]

dr_loop $TMP/off.out "dr_write_exits=off"
check "dr_write_exits=off: exits 0" [ $status -eq 0 ]
expect_line $TMP/off.out 'untrapped DR4-7 writes do not exit \(dr_write_exits= boot option\)' "dr_write_exits=off: forced (boot log)"
n=$(exits $TMP/off.out)
check "dr_write_exits=off: lazy-sched exits only at its first access ($n exits)" [ "${n:-9}" -le 2 ]

# xl info reports the probe and the decision (PHYSINFO caps).
for opt in "" dr_write_exits=off; do
    DBGVISOR_HV_ARGS=$opt hv_start --domain "$G/ticker.elf,name=idle,cmdline=count=0 delay=20000000" || bad "start ($opt)"
    export DBGCTL_URI=unix:$TMP/control.sock
    wait_for "$XL" list
    "$XL" info > $TMP/info.out 2>&1
    hv_stop
    want=yes; [ -n "$opt" ] && want=no
    expect_line $TMP/info.out '^dr_reserved_bits +: kept$' "xl info${opt:+ ($opt)}: dr_reserved_bits kept"
    expect_line $TMP/info.out "^dr_write_exits +: $want\$" "xl info${opt:+ ($opt)}: dr_write_exits $want"
done
finish
