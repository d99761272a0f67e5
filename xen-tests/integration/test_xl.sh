#!/usr/bin/env bash
# Control plane against a live hypervisor: the real xl, JSON, the domain
# builder, several clients at once through dbgctl-mux.
. "$(dirname "$0")/lib.sh"

hv_start --smp 2 --domain $G/ticker.elf,name=tick,cmdline="count=0 shutdown_code=7" \
         --domain $G/dr-stress.elf,name=stress,policy=adaptive,cmdline="iterations=0 every=100"
check "start: control socket exists" wait_for test -S $TMP/control.sock
check "xl list answers" wait_for $XL list

$XL list > $TMP/list
expect_line $TMP/list '^Name +ID +Mem VCPUs	State	Time\(s\)$' "xl list: Xen's header"
check "xl list: Domain-0 first" [ "$(sed -n 2p $TMP/list | awk '{print $1, $2}')" = "Domain-0 0" ]
expect_line $TMP/list '^tick +1 +64 +1 +(r-----|-b----)' "xl list: tick running with 64 MiB"

# domid/domname as Xen's: names only for domid, Xen's messages and exit codes.
check "xl domid tick: its id" [ "$($XL domid tick)" = 1 ]
check "xl domid Domain-0: 0" [ "$($XL domid Domain-0)" = 0 ]
check "xl domname 1: tick" [ "$($XL domname 1)" = tick ]
check "xl domname 0: Domain-0" [ "$($XL domname 0)" = Domain-0 ]
$XL domid nosuch > $TMP/domid.out 2>&1; st=$?
check "xl domid of an unknown name exits 1" [ $st -eq 1 ]
expect_line $TMP/domid.out "^Can't get domid of domain name 'nosuch', maybe this domain does not exist\.$" "xl domid: Xen's message"
$XL domid 1 > /dev/null 2>&1; st=$?
check "xl domid takes a name, not an id (as Xen's)" [ $st -eq 1 ]
$XL domname 42 > $TMP/domname.out 2>&1; st=$?
check "xl domname of an unknown id exits 1" [ $st -eq 1 ]
expect_line $TMP/domname.out "^Can't get domain name of domain id '42', maybe this domain does not exist\.$" "xl domname: Xen's message"
$XL domname tick > $TMP/domname.out 2>&1; st=$?
check "xl domname of a non-number exits 1" [ $st -eq 1 ]
expect_line $TMP/domname.out '^Invalid domain id\.$' "xl domname: Xen's 'Invalid domain id.'"

$XL list -l > $TMP/list.json
check "xl list -l: valid JSON with three domains" python3 -c "
import json,sys; d=json.load(open('$TMP/list.json')); n=[x['config']['c_info']['name'] for x in d]
b=d[1]['config']['b_info']
sys.exit(0 if n==['Domain-0','tick','stress'] and b['max_vcpus']==1 and b['target_memkb']==65536 else 1)"

cat > $TMP/guest.cfg <<CFG
# a comment
name = "made"
kernel = "$G/ticker.elf"
memory = 32
vcpus = 1
cmdline = "count=3 id=9"
debug_policy = "trap"
on_poweroff = "preserve"
CFG
check "xl create: builds the domain from the host" $XL create $TMP/guest.cfg
for _ in $(seq 50); do $XL console -b made | grep -q "ticker 9: done" && break; sleep 0.2; done
$XL console -b made > $TMP/console
expect_line $TMP/console '^ticker 9: done' "xl console -b: the created domain's output"
$XL list | grep '^made' > $TMP/made
expect_line $TMP/made '^made +3 +32 +1 +---s--' "xl list: created domain shut down"

# unbacked_access: the default is hardware's (all-ones), "crash" ends the domain.
for mode in ignore crash; do
    printf 'name = "probe-%s"\nkernel = "%s"\nmemory = 16\ncmdline = "probe=1"\n' $mode $G/memtest.elf > $TMP/probe-$mode.cfg
    printf 'on_poweroff = "preserve"\non_crash = "preserve"\n' >> $TMP/probe-$mode.cfg   # kept for inspection
    [ $mode = crash ] && echo 'unbacked_access = "crash"' >> $TMP/probe-$mode.cfg
    check "xl create: unbacked_access $mode" $XL create $TMP/probe-$mode.cfg
done
for _ in $(seq 50); do $XL list | grep -q '^probe-crash .*---sc-' && $XL list | grep -q '^probe-ignore .*---s--' && break; sleep 0.2; done
expect_line <($XL console -b probe-ignore) '^memtest: probe read 0xffffffff$' "xl create: a read outside RAM gives all-ones by default"
expect_line <($XL list) '^probe-ignore .*---s--' "xl list: that domain ran to its end"
expect_line <($XL list) '^probe-crash .*---sc-' "xl list: unbacked_access = \"crash\" crashed the other"
reject_line <($XL console -b probe-crash) 'probe read' "unbacked_access crash: the read never completed"
check "xl list -l: the mode and the count of unbacked accesses" python3 -c "
import json,sys; d={x['config']['c_info']['name']: x['dbgvisor'] for x in json.loads(sys.argv[1])}
i, c = d['probe-ignore'], d['probe-crash']
sys.exit(0 if (i['unbacked_access'], i['unbacked_accesses'], c['unbacked_access']) == ('ignore', 1, 'crash') else 1)" "$($XL list -l)"

# timer_mode (Xen's xl.cfg key and names) goes through the create request to
# the domain's vPIT; the hypervisor logs the mode it applied. Xen's
# delay_for_missed_ticks is refused by name (guest time is never held back).
timer_mode_applied() {   # name mode: the create request's mode reached the domain
    $XL dmesg | grep -Eq "domain [0-9]+ \($1\): timer_mode $2\$"
}
printf 'name = "ticks"\nkernel = "%s"\nmemory = 16\ncmdline = "count=2"\ntimer_mode = "one_missed_tick_pending"\n' \
    $G/ticker.elf > $TMP/ticks.cfg
check "xl create: timer_mode = \"one_missed_tick_pending\"" $XL create $TMP/ticks.cfg
check "timer_mode: the hypervisor applied it to that domain" wait_for timer_mode_applied ticks one_missed_tick_pending
check "xl create -n: timer_mode in the configuration's JSON" python3 -c "
import json,sys; sys.exit(0 if json.loads(sys.argv[1])['dbgvisor']['timer_mode'] == 'one_missed_tick_pending' else 1)" \
    "$($XL create -n $TMP/ticks.cfg 2>/dev/null)"
sed 's/one_missed_tick_pending/delay_for_missed_ticks/; s/"ticks"/"ticks-held"/' $TMP/ticks.cfg > $TMP/ticks-held.cfg
$XL create $TMP/ticks-held.cfg > $TMP/ticks-held.out 2>&1; st=$?
check "xl create: timer_mode = \"delay_for_missed_ticks\" is refused" [ $st -ne 0 ]
expect_line $TMP/ticks-held.out 'timer_mode "delay_for_missed_ticks" is not supported' "timer_mode: the refusal says why"
reject_line <($XL list) '^ticks-held ' "timer_mode: no domain was left behind"

# reexecuted_insns: an instruction the MMIO emulator lacks (LAR) is re-executed once
# (it could have been rewritten by another vCPU), then ends the domain.
printf 'name = "probe-sgdt"\nkernel = "%s"\nmemory = 16\ncmdline = "probe=2"\non_crash = "preserve"\n' $G/memtest.elf > $TMP/probe-sgdt.cfg
check "xl create: LAR from unbacked space" $XL create $TMP/probe-sgdt.cfg
for _ in $(seq 50); do $XL list | grep -q '^probe-sgdt .*---sc-' && break; sleep 0.2; done
check "xl list -l: reexecuted_insns counts the re-execution" python3 -c "
import json,sys; d={x['config']['c_info']['name']: x['dbgvisor'] for x in json.loads(sys.argv[1])}
sys.exit(0 if (d['probe-sgdt']['reexecuted_insns'], d['probe-ignore']['reexecuted_insns']) == (1, 0) else 1)" "$($XL list -l)"

printf 'name = "broken"\nmemory = lots\n' > $TMP/bad.cfg
$XL create $TMP/bad.cfg > $TMP/bad.out 2>&1; check "xl create: bad config fails" [ $? -ne 0 ]
expect_line $TMP/bad.out 'bad.cfg:2:' "xl create: the error names the line"

check "xl pause" $XL pause tick
expect_line <($XL list) '^tick +1 .*--p---' "xl list: paused state letter"
check "xl unpause" $XL unpause tick
expect_line <($XL list) '^tick +1 .*(r-----|-b----)' "xl list: running again"

# The snapshot's "policy" is the requested one; a vCPU applies it at its next
# VM entry. So check what the vCPU does: under adaptive, dr-stress keeps DR7
# armed and runs untrapped (passthrough); once trap is applied it is trapping
# in every sample, never switches state again, and its DR accesses exit.
ds() { $XL debug-state -l stress | python3 -c "
import json,sys; v=json.load(sys.stdin)['vcpus'][0]; c=v['counters']
print(v['lazy_state'], c['policy_switches'], c['dr_access_exits'])"; }
lazy_state_is() { [ "$(ds | cut -d' ' -f1)" = "$1" ]; }
check "adaptive applied: stress runs untrapped" wait_for lazy_state_is passthrough
check "xl debug-policy stress trap" $XL debug-policy stress trap
$XL debug-state -l stress > $TMP/ds.json
check "xl debug-state -l: policy trap in JSON" python3 -c "
import json,sys; d=json.load(open('$TMP/ds.json'))
v=d['vcpus'][0] if isinstance(d,dict) and 'vcpus' in d else d[0]
sys.exit(0 if v['policy']=='trap' else 1)"
check "trap applied: stress's vCPU is trapping" wait_for lazy_state_is trapping
for i in 1 2 3 4 5; do ds; sleep 0.4; done > $TMP/samples
read -r _ sw1 c1 < <(head -1 $TMP/samples)
read -r _ sw2 c2 < <(tail -1 $TMP/samples)
check "trap applied: trapping in every sample ($(cut -d' ' -f1 $TMP/samples | sort | uniq -c | xargs))" \
    [ "$(grep -c '^trapping ' $TMP/samples)" -eq 5 ]
check "trap applied: no lazy-state switch since ($sw1 -> $sw2)" [ "$sw1" = "$sw2" ]
check "xl debug-state: DR-access exits climb under trap ($c1 -> $c2)" num_lt "$c1" "$c2"

$XL pause nosuch > $TMP/e1 2>&1; check "xl pause unknown domain fails" [ $? -ne 0 ]
check "xl: one-line error for an unknown domain" [ "$(wc -l < $TMP/e1)" -eq 1 ]
DBGCTL_URI=unix:$TMP/none.sock $XL list > $TMP/e2 2>&1; check "xl: no hypervisor at the socket fails" [ $? -ne 0 ]
$XL frobnicate > $TMP/e3 2>&1; check "xl: unknown command fails" [ $? -ne 0 ]

# Through dbgctl-mux, tools share the one control port: a following console
# does not block other commands.
$XL console tick > $TMP/follow 2>&1 &
follower=$!
sleep 1
check "mux: xl list answers while xl console follows" $XL list
check "mux: debug-state answers while xl console follows" $XL debug-state stress
kill $follower 2>/dev/null; wait $follower 2>/dev/null
expect_line $TMP/follow '^ticker 0: tick [0-9]+' "mux: the following console streamed output"

$XL info > $TMP/info
expect_line $TMP/info '^nr_cpus +: 2$' "xl info: two pCPUs"
expect_line $TMP/info '^free_memory +: [0-9]+' "xl info: free memory"
$XL vcpu-list tick > $TMP/vcpus
expect_line $TMP/vcpus '^tick +1 +0 +[-0-9]+ +[-rbp]{3}' "xl vcpu-list: the vCPU of tick"
$XL dmesg > $TMP/dmesg
expect_line $TMP/dmesg 'dbgvisor 0.1 starting' "xl dmesg: the hypervisor's boot log"
check "xl help" $XL help
# xl shutdown is a request the guest receives (port 0xF5): the ticker ends
# itself with its own exit code, which the toolstack records.
check "xl shutdown -w" $XL shutdown -w tick
expect_line <($XL list) '^tick .*---s--' "xl shutdown: tick has shut down"
check "xl shutdown: tick exited with its own code (7)" python3 -c "
import json,subprocess,sys; d=json.loads(subprocess.run(['$XL','list','-l'],capture_output=True,text=True).stdout)
t=[x['dbgvisor'] for x in d if x['config']['c_info']['name']=='tick'][0]; print(t.get('exit_code')); sys.exit(0 if t.get('exit_code')==7 else 1)"
expect_line <($XL console -b tick) '^ticker 0: shutdown requested \(reason 0\) after [0-9]+ tick' "xl shutdown: the ticker saw the request"
# A guest that never looks (a compute loop): after the timeout -F has the
# hypervisor power it off, and xl create's monitor destroys it (on_poweroff).
write_cfg busy "$G/bench.elf" 32 "mode=compute iters=4000000000"
check "xl create busy" $XL create $TMP/busy.cfg
check "xl shutdown -F -t 2: returns" $XL shutdown -F -t 2 busy
check "xl shutdown -F: the guest that ignored the request was powered off and destroyed" wait_for sh -c "! $XL list | grep -q '^busy '"

# A multiboot kernel's ramdisk is its boot module (QEMU's -initrd): the
# guest checks the module and prints its name.
cat > $TMP/mbmod.cfg <<CFG
name = "mbmod"
kernel = "$G/hostile/multiboot-initrd-module.elf"
ramdisk = "$ROOT/xen-tests/guests/hostile/multiboot-initrd-module.c"
memory = 32
on_poweroff = "preserve"
CFG
check "xl create: a multiboot kernel with a ramdisk" $XL create $TMP/mbmod.cfg
mbmod_done() { $XL console -b mbmod | grep -q '^# 3 passed, 0 failed'; }
check "xl create: the ramdisk is the multiboot kernel's module (its checks pass)" wait_for mbmod_done
expect_line <($XL console -b mbmod) "^module: [0-9]+ bytes, FNV-1a 0x[0-9a-f]+, string 'multiboot-initrd-module.c'" \
    "xl create: the module's string is the ramdisk's file name"
$XL destroy mbmod

check "xl destroy" $XL destroy stress
reject_line <($XL list) '^stress ' "xl list: destroyed domain gone"
finish
