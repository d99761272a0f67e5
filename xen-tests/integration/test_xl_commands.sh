#!/usr/bin/env bash
# xl's everyday commands against live domains, in Xen 4.17's formats and
# messages (tools/xl/xl_cmdtable.c, xl_info.c, xl_vcpu.c, xl_misc.c,
# xl_mem.c, xl_sched.c, xl_utils.c): help and usage errors, rename, uptime,
# sysrq, vcpu-list/vcpu-pin (affinity the scheduler honours), vcpu-set, mem-set,
# debug-keys, dmesg -c, info KEY, list -v/-l, create -n/-d, -N, -v, top,
# sched-rr/sched-credit; the stored per-domain configuration (list -l after
# create, rename, restart, destroy); option parsing before the connection.
. "$(dirname "$0")/lib.sh"

# ---- options before the connection (no hypervisor yet) ------------------
# Xen's xl parses a command's options before it talks to libxl: a usage
# error is status 2 whether or not a hypervisor answers.
usage_without_hv() {
    for c in $($XL help | sed -n 's/^ \([a-z][-a-z0-9]*\) .*/\1/p'); do
        [ "$c" = help ] && continue
        $XL $c -h > $TMP/h.out 2>&1; st=$?
        [ $st -eq 0 ] && grep -q "^Usage: xl .* $c " $TMP/h.out || { echo "xl $c -h: status $st"; return 1; }
        $XL $c -Q >/dev/null 2>&1; st=$?
        [ $st -eq 2 ] || { echo "xl $c -Q: status $st"; return 1; }
        $XL $c nosuchdomain 1 2 >/dev/null 2>&1; st=$?
        [ $st -le 2 ] || { echo "xl $c nosuchdomain: status $st"; return 1; }
    done
}
check "no hypervisor: every command's -h is its help (0), an unknown option status 2" usage_without_hv
$XL rename tick > $TMP/miss0.out 2>&1; st=$?
check "no hypervisor: a missing argument is status 2" [ $st -eq 2 ]
$XL list > $TMP/nohv.out 2>&1; st=$?
check "no hypervisor: a command that needs it fails with status 1" [ $st -eq 1 ]
expect_line $TMP/nohv.out 'cannot connect to the hypervisor' "no hypervisor: says so"
write_cfg early "$G/ticker.elf" 16
check "no hypervisor: xl create -n needs none" sh -c "$XL create -n $TMP/early.cfg >/dev/null 2>&1"

SPIN="mode=compute iters=4000000000000"   # hours: busy for the whole test
hv_start --smp 2 --domain $G/ticker.elf,name=tick,cmdline="count=0" \
         --domain "$G/bench.elf,name=spin1,cmdline=$SPIN" \
         --domain "$G/bench.elf,name=spin2,cmdline=$SPIN"
check "start: xl list answers" wait_for $XL list

# ---- help, usage errors, global options --------------------------------
$XL > $TMP/bare.out 2> $TMP/bare.err; st=$?
check "bare xl: status 1 as Xen's" [ $st -eq 1 ]
expect_line $TMP/bare.out '^xl full list of subcommands:$' "bare xl: the help on stdout"
check "bare xl: nothing on stderr" [ ! -s $TMP/bare.err ]
expect_line $TMP/bare.out '^ vcpu-pin            Set which CPUs a VCPU can use$' "help: Xen's ' %-19s ' columns"
$XL help bogus > $TMP/hb.out 2>&1; st=$?
check "xl help bogus: status 0 as Xen's" [ $st -eq 0 ]
check "xl help bogus: Xen's line" [ "$(cat $TMP/hb.out)" = 'command "bogus" not implemented' ]
$XL help rename > $TMP/hr.out
check "xl help rename: Xen's usage line" [ "$(head -1 $TMP/hr.out)" = "Usage: xl [-v] rename <Domain> <NewDomainName>" ]
expect_line <($XL help create) '^Usage: xl \[-vN\] create ' "xl help create: -N shown for a command that dry-runs"
$XL bogus > $TMP/bogus.out 2>&1; st=$?
check "xl bogus: status 1, Xen's 'command not implemented'" [ $st -eq 1 -a "$(cat $TMP/bogus.out)" = "command not implemented" ]
$XL list -Q > $TMP/opt.out 2>&1; st=$?
check "unknown option: status 2" [ $st -eq 2 ]
check "unknown option: Xen's message" [ "$(head -1 $TMP/opt.out)" = "option \`Q' not supported." ]
$XL rename tick > $TMP/miss.out 2>&1; st=$?
check "missing argument: status 2" [ $st -eq 2 ]
check "missing argument: Xen's message" [ "$(head -1 $TMP/miss.out)" = "'xl rename' requires at least 2 arguments." ]
$XL -N list > $TMP/n.out 2>&1; st=$?
check "-N on a command without a dry run: status 1, Xen's message" \
    [ $st -eq 1 -a "$(cat $TMP/n.out)" = "command does not implement -N (dryrun) option" ]

# Every command in the help is completed by bash and described in xl(1).
COMP=$ROOT/tools/xl/bash-completion/xl
cmds=$($XL help | sed -n 's/^ \([a-z][-a-z0-9]*\) .*/\1/p')
completes() {   # completes WORD CUR EXPECTED: what bash offers after "xl WORD"
    ( . "$COMP"
      if [ -z "$1" ]; then COMP_WORDS=(xl "$2"); COMP_CWORD=1; else COMP_WORDS=(xl "$1" "$2"); COMP_CWORD=2; fi
      _xl; printf '%s\n' "${COMPREPLY[@]}" ) | grep -qx -- "$3"
}
all_complete() { for c in $cmds; do completes "" "$c" "$c" || { echo "missing $c"; return 1; }; done; }
all_in_man() { for c in $cmds; do grep -qF "fB${c//-/\\-}\\fR" "$ROOT/tools/xl/xl.1" || { echo "missing $c"; return 1; }; done; }
check "bash completion: every command of xl help ($(echo $cmds | wc -w))" all_complete
check "bash completion: debug-keys offers Xen's q" completes debug-keys "" q
check "bash completion: vcpu-pin offers all" completes vcpu-pin "" all
check "xl(1): every command of xl help" all_in_man

# ---- rename --------------------------------------------------------------
check "xl rename tick tock" $XL rename tick tock
check "xl domid tock: the same domain" [ "$($XL domid tock)" = 1 ]
reject_line <($XL list) '^tick ' "xl list: the old name is gone"
$XL rename tock spin1 > $TMP/ren.out 2>&1; st=$?
check "xl rename to a name in use: status 1" [ $st -eq 1 ]
check "xl rename to a name in use: Xen's message" [ "$(cat $TMP/ren.out)" = "Can't rename domain 'tock'." ]
$XL rename nosuch x > $TMP/ren2.out 2>&1; st=$?
check "xl rename of an unknown domain: Xen's find_domain message" \
    [ $st -eq 1 -a "$(cat $TMP/ren2.out)" = "nosuch is an invalid domain identifier (rc=-6)" ]
check "xl rename tock tick" $XL rename tock tick

# ---- sysrq: Xen's checks; no guest has a channel for it ------------------
$XL sysrq tick s > $TMP/sq.out 2>&1; st=$?
check "xl sysrq tick s: Xen's exit status 0" [ $st -eq 0 ]
expect_line $TMP/sq.out "^xl sysrq: sysrq 's' not delivered: domain 1 has no PV control channel" \
    "xl sysrq: says the key is not delivered (as a Xen HVM guest without PV drivers)"
$XL sysrq tick ab > $TMP/sq2.out 2>&1; st=$?
check "xl sysrq with two letters: Xen's 'Invalid sysrq.', status 1" [ $st -eq 1 -a "$(head -1 $TMP/sq2.out)" = "Invalid sysrq." ]
$XL sysrq nosuch s > $TMP/sq3.out 2>&1; st=$?
check "xl sysrq of an unknown domain: Xen's find_domain message" \
    [ $st -eq 1 -a "$(cat $TMP/sq3.out)" = "nosuch is an invalid domain identifier (rc=-6)" ]
check "xl sysrq: the guest runs on" sh -c "$XL list tick | grep -Eq '^tick .* [-rb]{2}----'"

# ---- vcpu-list: Xen's printf formats, byte for byte ---------------------
$XL vcpu-list > $TMP/vl
check "vcpu-list: Xen's header, byte for byte" \
    [ "$(head -1 $TMP/vl)" = "$(printf '%-32s %5s %5s %5s %5s %9s %s' Name ID VCPU CPU State 'Time(s)' 'Affinity (Hard / Soft)')" ]
# Each row re-printed from its own fields with Xen's format must be itself.
check "vcpu-list: rows in Xen's format (%-32s %5u %5u%5u %3c%c- %9.1f  hard / soft)" python3 -c "
import re,sys
rows=open('$TMP/vl').read().splitlines()[1:]
assert len(rows)==3, rows
for r in rows:
    m=re.match(r'^(\S+) +(\d+) +(\d+) *(\d+|-) +([-r])([-b])([-p]) +(\d+\.\d) +(\S+) / (\S+)$', r)
    assert m, r
    n,i,v,c,a,b,p,t,h,s=m.groups()
    if c=='-': x='%-32s %5u %5u%5c %3c%cp %9.1f  %s / %s'%(n,int(i),int(v),'-','-','-',float(t),h,s)
    else: x='%-32s %5u %5u%5u %3c%c- %9.1f  %s / %s'%(n,int(i),int(v),int(c),a,b,float(t),h,s)
    assert x==r, (x,r)
"
expect_line $TMP/vl '^tick +1 +0 .*  all / all$' "vcpu-list: affinity all / all before pinning"

# ---- vcpu-pin: the scheduler honours hard affinity ----------------------
cpu_of() { $XL vcpu-list "$1" | awk -v n="$1" '$1==n {print $4}'; }
check "xl vcpu-pin spin1 0 1" $XL vcpu-pin spin1 0 1
check "xl vcpu-pin spin2 all 1" $XL vcpu-pin spin2 all 1
expect_line <($XL vcpu-list spin1) '^spin1 +[0-9]+ +0 .*  1 / all$' "vcpu-list: spin1's hard affinity 1"
# Two busy vCPUs pinned to pCPU 1: unpinned they would take both pCPUs.
sleep 0.5
for i in $(seq 12); do echo "$(cpu_of spin1) $(cpu_of spin2)"; sleep 0.25; done > $TMP/pinned
check "vcpu-pin: both busy vCPUs stay on pCPU 1 ($(sort $TMP/pinned | uniq -c | xargs))" \
    [ "$(grep -cx '1 1' $TMP/pinned)" -eq 12 ]
# The time slice (xl sched-rr -s -t): the two busy vCPUs share pCPU 1 (tick
# kept on pCPU 0). With 12 ms slices they split every ~0.4 s window evenly;
# with 1 s slices most windows go mostly to one of them. Printed: the mean
# imbalance |a-b|/(a+b) of their CPU time over 12 windows, in percent.
imbalance() {
python3 - "$XL" <<'PY'
import json,subprocess,sys,time
def t():
    d=json.loads(subprocess.run([sys.argv[1],'list','-l'],capture_output=True,text=True).stdout)
    return {x['config']['c_info']['name']: x['dbgvisor']['cpu_time_ns'] for x in d}
prev=t(); total=0
for i in range(12):
    time.sleep(0.2); cur=t()
    a=cur['spin1']-prev['spin1']; b=cur['spin2']-prev['spin2']
    total += abs(a-b)/max(a+b,1)
    prev=cur
print(int(100*total/12))
PY
}
$XL vcpu-pin tick 0 0
check "the two busy domains still run" sh -c "$XL list spin1 spin2 2>/dev/null; $XL list | grep -Ec '^spin[12] .* r-----' | grep -qx 2"
i12=$(imbalance)
check "sched-rr: 12 ms slices share pCPU 1 evenly (mean imbalance $i12%)" num_lt "$i12" 30
check "xl sched-rr -s -t 1000" $XL sched-rr -s -t 1000
check "xl sched-rr -s: the new slice" [ "$($XL sched-rr -s)" = "Cpupool Pool-0: sched=RR tslice=1000ms" ]
i1000=$(imbalance)
check "sched-rr: 1 s slices, mostly one vCPU at a time (mean imbalance $i1000%)" num_lt 50 "$i1000"
$XL vcpu-pin tick 0 all
$XL sched-rr -s -t 0 > $TMP/t0.out 2>&1; st=$?
check "xl sched-rr -t 0: refused" [ $st -eq 1 -a "$(cat $TMP/t0.out)" = "xl sched-rr: the time slice is 1..1000 ms" ]
$XL sched-rr -t 5 > $TMP/t5.out 2>&1; st=$?
check "xl sched-rr -t without -s: Xen's message" [ $st -eq 1 -a "$(cat $TMP/t5.out)" = "Must specify schedparam to set schedule parameter values." ]
check "xl sched-rr -s -t 12: back to the default" $XL sched-rr -s -t 12
check "xl vcpu-pin spin1 0 0" $XL vcpu-pin spin1 0 0
sleep 0.5
for i in $(seq 8); do cpu_of spin1; sleep 0.25; done > $TMP/moved
check "vcpu-pin: re-pinned to pCPU 0, it runs there ($(sort $TMP/moved | uniq -c | xargs))" \
    [ "$(grep -cx 0 $TMP/moved)" -eq 8 ]
$XL debug-keys q
expect_line <($XL dmesg) 'VCPU0: CPU[01] \[has=[TF]\] state=[a-z]+ cpu_affinity=\{0\}' \
    "debug-keys q: the hypervisor's own view of the affinity"
pin_both() { $XL vcpu-pin spin1 0 all && $XL vcpu-pin spin2 all 0-1; }
check "xl vcpu-pin spin1 0 all; spin2 all 0-1" pin_both
expect_line <($XL vcpu-list spin1) '  all / all$' "vcpu-list: back to all / all"
$XL vcpu-pin spin1 0 5 > $TMP/pin.out 2>&1; st=$?
check "vcpu-pin to a pCPU that does not exist: status 1" [ $st -eq 1 ]
check "vcpu-pin to a pCPU that does not exist: Xen's message" [ "$(cat $TMP/pin.out)" = "cpu 5 illegal" ]
$XL vcpu-pin spin1 3 0 > $TMP/pin2.out 2>&1; st=$?
check "vcpu-pin of a vCPU that does not exist: Xen's message" \
    [ $st -eq 1 -a "$(cat $TMP/pin2.out)" = "Could not set affinity for vcpu \`3'." ]
check "xl -N vcpu-pin: prints the cpumap, changes nothing" [ "$($XL -N vcpu-pin spin1 0 1)" = "cpumap: 1" ]
expect_line <($XL vcpu-list spin1) '  all / all$' "xl -N vcpu-pin: the affinity is unchanged"

# ---- vcpu-set, mem-set, mem-max: what the hypervisor can honour ---------
check "xl vcpu-set tick 1: the count it has" $XL vcpu-set tick 1
$XL vcpu-set tick 2 > $TMP/vs.out 2>&1; st=$?
check "xl vcpu-set above maxcpus: status 1" [ $st -eq 1 ]
expect_line $TMP/vs.out '^Requested 2 VCPUs, however maxcpus is 1!$' "xl vcpu-set: says why"
expect_line $TMP/vs.out '^libxl_set_vcpuonline failed domid=1 max_vcpus=2, rc: -3$' "xl vcpu-set: Xen's error"
$XL vcpu-set tick 4 > $TMP/vs4.out 2>&1; st=$?
check "xl vcpu-set over the host's pCPUs: Xen's overcommit message" \
    [ $st -eq 1 -a "$(cat $TMP/vs4.out)" = "You are overcommmitting! You have 2 physical CPUs and want 4 vCPUs! Aborting, use --ignore-host to continue" ]
check "xl mem-set tick 64m: the size it has" $XL mem-set tick 64m
check "xl mem-max tick 65536k: the size it has" $XL mem-max tick 65536k
$XL mem-set tick 32 > $TMP/ms.out 2>&1; st=$?
check "xl mem-set to another size: status 1" [ $st -eq 1 ]
expect_line $TMP/ms.out 'not supported' "xl mem-set: a clear 'not supported'"
expect_line $TMP/ms.out '^cannot set domid 1 dynamic max memory to : 32$' "xl mem-set: Xen's error"
$XL mem-max tick 12x > $TMP/mm.out 2>&1
check "xl mem-max: Xen's 'invalid memory size'" [ "$(cat $TMP/mm.out)" = "invalid memory size: 12x" ]

# ---- debug-keys and dmesg -c -------------------------------------------
check "xl debug-keys h" $XL debug-keys h
$XL dmesg > $TMP/dm1
expect_line $TMP/dm1 "'h' pressed -> showing installed handlers" "debug-keys h: Xen's header in xl dmesg"
expect_line $TMP/dm1 " key 'q' \(ascii '71'\) => dump domain \(and guest debug\) info" "debug-keys h: Xen's handler lines"
check "xl debug-keys rm" $XL debug-keys rm
$XL dmesg > $TMP/dm2
expect_line $TMP/dm2 "'r' pressed -> dumping run queues" "debug-keys r: run queues"
expect_line $TMP/dm2 '^\(HV\) CPU\[0[01]\] current=' "debug-keys r: each pCPU"
expect_line $TMP/dm2 "'m' pressed -> dumping memory info" "debug-keys m: memory"
check "xl dmesg -c: prints" sh -c "$XL dmesg -c | grep -q 'dumping memory info'"
$XL dmesg > $TMP/dm3
reject_line $TMP/dm3 'showing installed handlers' "xl dmesg -c: cleared what it printed"
reject_line $TMP/dm3 'dbgvisor 0.1 starting' "xl dmesg -c: the boot log is gone too"
$XL debug-keys D
expect_line <($XL dmesg) "'D' pressed -> dumping debug-register state" "after a clear, new lines are read again"

# ---- info KEY ------------------------------------------------------------
check "xl info nr_cpus: only the value" [ "$($XL info nr_cpus)" = 2 ]
check "xl info xen_m: each line whose key starts so (xen_major, xen_minor)" [ "$($XL info xen_m | wc -l)" -eq 2 ]
expect_line <($XL info) '^xend_config_format     : 4$' "xl info: Xen's last line"
check "xl info: the full list as before" [ "$($XL info | grep -c ' : ')" -ge 25 ]

# ---- uptime --------------------------------------------------------------
$XL uptime > $TMP/up
check "xl uptime: Xen's header" [ "$(head -1 $TMP/up)" = "$(printf '%-33s %4s %s' Name ID Uptime)" ]
expect_line $TMP/up '^Domain-0 {25}    0  0:0[0-9]:[0-9]{2}$' "xl uptime: Domain-0 (the hypervisor's uptime)"
expect_line $TMP/up '^tick {29}    1  0:0[0-9]:[0-9]{2}$' "xl uptime: tick, Xen's %-33s %4d %s"
expect_line <($XL uptime -s tick) '^ [0-9]{2}:[0-9]{2}:[0-9]{2} up  0:0[0-9], tick \(1\)$' "xl uptime -s: Xen's short form"

# ---- list -v and list -l -------------------------------------------------
$XL list -v > $TMP/lv
check "xl list -v: Xen's header" [ "$(head -1 $TMP/lv)" = "$(printf 'Name                                        ID   Mem VCPUs\tState\tTime(s)   UUID                            Reason-Code\tSecurity Label')" ]
expect_line $TMP/lv '^tick +1 +64 +1 +[-rb]{2}---- +[0-9.]+ 00000000-0000-0000-0000-000000000001        -                -$' \
    "xl list -v: UUID, reason code, security label as Xen's"
$XL list -l > $TMP/ll.json
check "xl list -l: Xen's shape [{domid, config: {c_info, b_info}}], dbgvisor's fields apart" python3 -c "
import json,sys
d=json.load(open('$TMP/ll.json'))
assert [x['config']['c_info']['name'] for x in d]==['Domain-0','tick','spin1','spin2']
t=d[1]; assert t['domid']==1 and sorted(t)==['config','dbgvisor','domid']
assert t['config']['c_info']['type']=='hvm'
b=t['config']['b_info']; assert b['max_vcpus']==1 and b['avail_vcpus']==[0] and b['max_memkb']==65536
assert t['dbgvisor']['state'] in ('running','blocked') and t['dbgvisor']['debug_policy']
assert d[0]['dbgvisor']['control_domain'] is True
"
check "xl list -l tick: one element" python3 -c "
import json,sys; d=json.loads(sys.argv[1]); assert len(d)==1 and d[0]['domid']==1" "$($XL list -l tick)"

# ---- create -n, -N, -d, and -v for ignored keys --------------------------
write_cfg made "$G/ticker.elf" 16 "count=3 id=9"
printf 'on_poweroff = "preserve"\nfrobnicate = 1\n' >> $TMP/made.cfg
$XL create -n $TMP/made.cfg > $TMP/dry.json 2> $TMP/dry.err; st=$?
check "xl create -n: succeeds" [ $st -eq 0 ]
check "xl create -n: Xen's JSON with domid null" python3 -c "
import json
d=json.load(open('$TMP/dry.json'))
assert d['domid'] is None
c=d['config']; assert c['c_info']['name']=='made' and c['b_info']['max_memkb']==16384
assert c['b_info']['kernel'].endswith('ticker.elf') and c['b_info']['cmdline']=='count=3 id=9'
assert c['on_poweroff']=='preserve' and c['on_crash']=='destroy' and c['on_reboot']=='restart'
assert d['dbgvisor']['unbacked_access']=='ignore'
"
reject_line <($XL list) '^made ' "xl create -n: nothing created"
reject_line $TMP/dry.err 'frobnicate' "an unknown config key is ignored silently (as Xen)"
$XL -v -N create $TMP/made.cfg > $TMP/dryN.json 2> $TMP/dryN.err; st=$?
check "xl -N create: the same dry run" [ $st -eq 0 ]
check "xl -N create: the same JSON" cmp -s $TMP/dry.json $TMP/dryN.json
expect_line $TMP/dryN.err "ignoring unsupported option 'frobnicate'" "xl -v: names the ignored key"
reject_line <($XL list) '^made ' "xl -N create: nothing created"
$XL create -d $TMP/made.cfg > $TMP/dbg.json 2>/dev/null; st=$?
check "xl create -d: creates the domain" [ $st -eq 0 ]
check "xl create -d: printed the config as JSON" python3 -c "
import json; assert json.load(open('$TMP/dbg.json'))['config']['c_info']['name']=='made'"
check "xl create -d: the domain exists" wait_for sh -c "$XL list | grep -q '^made '"

# ---- the stored configuration (Xen's libxl userdata) ---------------------
made_id=$($XL domid made)
has_userdata() { ls $TMP/userdata-d.$1.*.libxl-json >/dev/null 2>&1; }
check "xl create: the config stored beside the control socket (userdata-d.$made_id.*.libxl-json)" has_userdata $made_id
cfg_of() { python3 -c "
import json,sys; d=json.loads(sys.argv[1]); assert len(d)==1; c=d[0]['config']; b=c['b_info']
print(c['c_info']['name'], b.get('kernel','-').split('/')[-1], repr(b.get('cmdline')), c.get('on_poweroff'), c.get('on_reboot'))
" "$($XL list -l $1)"; }
check "xl list -l made: kernel, cmdline, on_* from the stored config ($(cfg_of made))" \
    [ "$(cfg_of made)" = "made ticker.elf 'count=3 id=9' preserve restart" ]
check "xl list -l tick: a boot-time domain has no stored config ($(cfg_of tick))" \
    [ "$(cfg_of tick)" = "tick - None None None" ]
check "xl rename made made2" $XL rename made made2
check "xl rename: the config stays with the domain ($(cfg_of made2))" \
    [ "$(cfg_of made2)" = "made2 ticker.elf 'count=3 id=9' preserve restart" ]
$XL rename made2 made
# tick's domid under another hypervisor instance (another nonce): not tick's.
cp $TMP/userdata-d.$made_id.*.libxl-json $TMP/userdata-d.1.1-1.libxl-json
check "a file of an earlier hypervisor for a reused domid is ignored ($(cfg_of tick))" \
    [ "$(cfg_of tick)" = "tick - None None None" ]
write_cfg keep "$G/bench.elf" 16 "mode=compute iters=4000000000000"
check "xl create keep (on_reboot restart by default)" $XL create -q $TMP/keep.cfg
k1=$($XL domid keep)
$XL reboot -F -t 1 keep > $TMP/keep.out 2>&1
restarted() { k2=$($XL domid keep 2>/dev/null); [ -n "$k2" ] && [ "$k2" != "$k1" ]; }
check "xl reboot -F keep: restarted under a new domid" wait_for restarted
k2=$($XL domid keep)
check "restart: the new domain has the stored config ($(cfg_of keep))" \
    [ "$(cfg_of keep)" = "keep bench.elf 'mode=compute iters=4000000000000' destroy restart" ]
moved_file() { ! ls $TMP/userdata-d.$1.* 2>/dev/null && ls $TMP/userdata-d.$2.* >/dev/null; }
check "restart: the file of domid $k1 is gone, $k2 has one" moved_file $k1 $k2
check "a store prunes the files of an earlier hypervisor" [ ! -e $TMP/userdata-d.1.1-1.libxl-json ]
check "xl destroy keep" $XL destroy keep
check "xl destroy: the domain's config goes with it" sh -c "! ls $TMP/userdata-d.$k2.* 2>/dev/null"

$XL create $TMP/made.cfg -Z > $TMP/cz.out 2>&1; st=$?
check "xl create CONFIG -Z: options after the file are parsed (status 2)" [ $st -eq 2 ]

# ---- uptime of a younger domain, sched, top -----------------------------
up_of() { $XL uptime "$1" | awk -v n="$1" '$1==n {split($3,t,":"); print t[1]*3600+t[2]*60+t[3]}'; }
sleep 2
check "xl uptime: the domain created later has the shorter uptime ($(up_of made) < $(up_of tick))" \
    num_lt "$(up_of made)" "$(up_of tick)"
check "xl sched-rr -s: the pool's slice" [ "$($XL sched-rr -s)" = "Cpupool Pool-0: sched=RR tslice=12ms" ]
expect_line <($XL sched-rr) '^tick {29}    1     1$' "xl sched-rr: domains in Xen's %-33s %4d columns"
$XL sched-credit -d tick > $TMP/sc.out 2>&1; st=$?
check "xl sched-credit -d: Xen's message for another scheduler" \
    [ $st -eq 1 -a "$(cat $TMP/sc.out)" = "libxl_domain_sched_params_get returned rr not credit." ]
TERM=xterm timeout -s INT 4 script -qec "$XL top" /dev/null > $TMP/top.out 2>&1
expect_line $TMP/top.out 'spin1' "xl top: runs dbgtop, which shows the domains"

check "xl destroy made" $XL destroy made
check "xl destroy made: its config file is gone" sh -c "! ls $TMP/userdata-d.$made_id.* 2>/dev/null"
finish
