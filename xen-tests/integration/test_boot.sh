#!/usr/bin/env bash
# Foundation: boot, the guest contract, domains, scheduler, isolation, launcher.
. "$(dirname "$0")/lib.sh"

hv_run $TMP/hello.out --domain $G/hello.elf,name=greeter,cmdline="from the test"
check "hello: launcher exits 0" [ $status -eq 0 ]
expect_line $TMP/hello.out '^\[greeter\] hello from /[^ ]*/hello\.elf from the test$' "hello: console prefixed by domain name, cmdline passed after the image path (argv[0], as QEMU and GRUB pass it)"
expect_line $TMP/hello.out '^\[greeter\] mem_upper=64512 KiB$' "hello: multiboot mem_upper for 64 MiB"

hv_run $TMP/inter.out --domain $G/ticker.elf,name=a,cmdline="count=6 id=1" --domain $G/ticker.elf,name=b,cmdline="count=6 id=2"
check "two tickers on one pCPU exit 0" [ $status -eq 0 ]
first_b=$(grep -n '^\[b\] ticker 2: tick 1$' $TMP/inter.out | cut -d: -f1)
last_a=$(grep -n '^\[a\] ticker 1: tick 6$' $TMP/inter.out | cut -d: -f1)
check "two tickers interleave (b starts before a ends: $first_b < $last_a)" num_lt "$first_b" "$last_a"

for smp in 2 4; do
    hv_run $TMP/smp$smp.out --smp $smp --domain $G/smp.elf,name=s,vcpus=$smp
    check "smp: $smp vCPUs on $smp pCPUs exit 0" [ $status -eq 0 ]
    expect_line $TMP/smp$smp.out "^\[s\] smp: counter=$((smp - 1)) expected=$((smp - 1))$" "smp: every AP started ($smp)"
done
hv_run $TMP/smp1.out --smp 1 --domain $G/smp.elf,name=s,vcpus=3
check "smp: 3 vCPUs share 1 pCPU" [ $status -eq 0 ]

# A vCPU that blocks in HLT stays on its pCPU until the scheduler put it
# away; another pCPU must not pick it meanwhile (it once did: the guest ran
# twice at once and died). Many short sleeps on two pCPUs find that race.
hv_run $TMP/race.out --smp 2 \
    --domain $G/dr-stress.elf,name=r1,cmdline="iterations=6000 every=2000 delay=3000 seed=1" \
    --domain $G/dr-stress.elf,name=r2,cmdline="iterations=6000 every=2000 delay=3000 seed=2" \
    --domain $G/dr-stress.elf,name=r3,cmdline="iterations=6000 every=2000 delay=5000 seed=3"
check "scheduler: three sleepy vCPUs on two pCPUs all finish" [ $status -eq 0 ]
reject_line $TMP/race.out 'unexpected' "scheduler: no guest saw an unexpected exception"

hv_run $TMP/timer.out --domain $G/timer.elf
check "timer: one-shot LVT timer fires, HLT wakes" [ $status -eq 0 ]
reject_line $TMP/timer.out '^\[timer\] not ok' "timer: no failed assertion"

hv_run $TMP/tf.out --domain $G/triplefault.elf,name=bad --domain $G/ticker.elf,name=good,cmdline="count=4"
check "triple fault: launcher reports failure" [ $status -eq 1 ]
expect_line $TMP/tf.out 'domain 1 \(bad\) crashed: triple fault' "triple fault: only that domain crashed"
expect_line $TMP/tf.out '^\[good\] ticker 0: done$' "triple fault: the other domain ran to the end"
expect_line $TMP/tf.out 'dbgvisor: a domain crashed' "triple fault: clear message"

hv_run $TMP/mem.out --smp 2 --domain $G/memtest.elf,name=m1,cmdline="seed=1" --domain $G/memtest.elf,name=m2,cmdline="seed=2" --domain $G/memtest.elf,name=probe,cmdline="probe=1" --domain $G/memtest.elf,name=strict,unbacked_access=crash,cmdline="probe=1"
expect_line $TMP/mem.out '^\[m1\] memtest: seed=1 .* errors=0 ' "isolation: domain 1 sees only its own pattern"
expect_line $TMP/mem.out '^\[m2\] memtest: seed=2 .* errors=0 ' "isolation: domain 2 sees only its own pattern"
expect_line $TMP/mem.out '^\[probe\] memtest: probe read 0xffffffff$' "unbacked access: a read outside RAM gives all-ones, as hardware"
expect_line $TMP/mem.out '^\(HV\) domain 3 \(probe\) exited with code 0$' "unbacked access: the domain keeps running by default"
expect_line $TMP/mem.out 'domain 4 \(strict\) crashed: read of unmapped guest-physical address 0xc0000000' "unbacked_access=crash: access outside RAM crashes only that domain"
check "isolation: launcher reports the crashed domain" [ $status -eq 1 ]

# A fault in the hypervisor itself: register dump, backtrace, exit status 3.
DBGVISOR_HV_ARGS=selftest=fault hv_run $TMP/fault.out --domain $G/ticker.elf,cmdline="count=0"
check "hypervisor fault: launcher exits 3" [ $status -eq 3 ]
expect_line $TMP/fault.out 'hypervisor fault: exception #GP' "hypervisor fault: the exception is named"
expect_line $TMP/fault.out '^\(HV\) \[ERR\] RIP [0-9a-f]{16}' "hypervisor fault: registers dumped"
expect_line $TMP/fault.out '^\(HV\) \[ERR\]   \[ 0\] [0-9a-f]{16}' "hypervisor fault: backtrace printed"
expect_line $TMP/fault.out 'dbgvisor: hypervisor fault' "hypervisor fault: clear message from the launcher"

# Launcher: bad input is refused before anything starts.
"$DBGVISOR" run --domain /nonexistent.elf >$TMP/e1 2>&1; check "launcher: unreadable image -> status 2" [ $? -eq 2 ]
expect_line $TMP/e1 "cannot read domain image '/nonexistent.elf'" "launcher: unreadable image named"
"$DBGVISOR" run --domain $G/hello.elf,vcpus=99 >$TMP/e2 2>&1; check "launcher: bad vcpus -> status 2" [ $? -eq 2 ]
"$DBGVISOR" run --domain $G/hello.elf,policy=fast >$TMP/e3 2>&1; check "launcher: unknown policy -> status 2" [ $? -eq 2 ]
expect_line $TMP/e3 "unknown policy 'fast'" "launcher: unknown policy named"
"$DBGVISOR" run --bogus >$TMP/e4 2>&1; check "launcher: unknown option -> status 2" [ $? -eq 2 ]
"$DBGVISOR" run --socket $TMP/t.sock --timeout 3 --domain $G/ticker.elf,cmdline="count=0" >$TMP/e5 2>&1; check "launcher: timeout -> status 124" [ $? -eq 124 ]
expect_line $TMP/e5 "timeout after 3s" "launcher: timeout message"

finish
