#!/usr/bin/env bash
# Control plane against a live hypervisor: the real xl, JSON, the domain
# builder, and a flood of malformed frames after which everything still works.
. "$(dirname "$0")/lib.sh"

hv_start --smp 2 --domain $G/ticker.elf,name=tick,cmdline="count=0" \
         --domain $G/dr-stress.elf,name=stress,policy=adaptive,cmdline="iterations=0 every=100"
check "start: control socket exists" wait_for test -S $TMP/control.sock
check "xl list answers" wait_for $XL list

$XL list > $TMP/list
expect_line $TMP/list '^Name +ID +Mem VCPUs	State	Time\(s\)$' "xl list: Xen's header"
check "xl list: Domain-0 first" [ "$(sed -n 2p $TMP/list | awk '{print $1, $2}')" = "Domain-0 0" ]
expect_line $TMP/list '^tick +1 +64 +1 +(r-----|-b----)' "xl list: tick running with 64 MiB"

$XL list -l > $TMP/list.json
check "xl list -l: valid JSON with three domains" python3 -c "
import json,sys; d=json.load(open('$TMP/list.json')); n=[x['name'] for x in d]
sys.exit(0 if n==['Domain-0','tick','stress'] and d[1]['vcpus']==1 and d[1]['memory_kb']==65536 else 1)"

cat > $TMP/guest.cfg <<CFG
# a comment
name = "made"
kernel = "$G/ticker.elf"
memory = 32
vcpus = 1
cmdline = "count=3 id=9"
debug_policy = "trap"
CFG
check "xl create: builds the domain from the host" $XL create $TMP/guest.cfg
for _ in $(seq 50); do $XL console -n made | grep -q "ticker 9: done" && break; sleep 0.2; done
$XL console -n made > $TMP/console
expect_line $TMP/console '^ticker 9: done' "xl console -n: the created domain's output"
$XL list | grep '^made' > $TMP/made
expect_line $TMP/made '^made +3 +32 +1 +---s--' "xl list: created domain shut down"

printf 'name = "broken"\nmemory = lots\n' > $TMP/bad.cfg
$XL create $TMP/bad.cfg > $TMP/bad.out 2>&1; check "xl create: bad config fails" [ $? -ne 0 ]
expect_line $TMP/bad.out 'bad.cfg:2:' "xl create: the error names the line"

check "xl pause" $XL pause tick
expect_line <($XL list) '^tick +1 .*--p---' "xl list: paused state letter"
check "xl unpause" $XL unpause tick
expect_line <($XL list) '^tick +1 .*(r-----|-b----)' "xl list: running again"

check "xl debug-policy stress trap" $XL debug-policy stress trap
$XL debug-state -l stress > $TMP/ds.json
check "xl debug-state -l: policy trap in JSON" python3 -c "
import json,sys; d=json.load(open('$TMP/ds.json'))
v=d['vcpus'][0] if isinstance(d,dict) and 'vcpus' in d else d[0]
sys.exit(0 if 'trap' in json.dumps(v) else 1)"

# The counters move while the DR-heavy guest runs under `trap`.
dr_exits() { $XL debug-state -l stress | python3 -c "
import json,sys; d=json.load(sys.stdin); print(d['vcpus'][0]['counters']['dr_access_exits'])"; }
c1=$(dr_exits); sleep 2; c2=$(dr_exits)
check "xl debug-state: DR-access exits climb under trap ($c1 -> $c2)" [ -n "$c1" ] && [ -n "$c2" ] && [ "$c2" -gt "$c1" ]

$XL pause nosuch > $TMP/e1 2>&1; check "xl pause unknown domain fails" [ $? -ne 0 ]
check "xl: one-line error for an unknown domain" [ "$(wc -l < $TMP/e1)" -eq 1 ]
DBGCTL_URI=unix:$TMP/none.sock $XL list > $TMP/e2 2>&1; check "xl: no hypervisor at the socket fails" [ $? -ne 0 ]
$XL frobnicate > $TMP/e3 2>&1; check "xl: unknown command fails" [ $? -ne 0 ]

# 10,000 malformed or random frames, then the hypervisor still answers.
python3 - "$TMP/control.sock" > $TMP/fuzz.out 2>&1 <<'PY'
import os, random, socket, struct, sys, threading
random.seed(1234)
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
got = [0]
def drain():            # error replies come back; read them so nothing blocks
    s.settimeout(5)
    try:
        while True:
            d = s.recv(65536)
            if not d: break
            got[0] += len(d)
    except OSError: pass
threading.Thread(target=drain, daemon=True).start()
magic = struct.pack("<I", 0x56474244)
for i in range(10000):
    kind = i % 5
    if kind == 0:   data = os.urandom(random.randint(1, 64))
    elif kind == 1: data = magic + os.urandom(random.randint(0, 60))
    elif kind == 2: data = magic + struct.pack("<HHIII", 1, random.randint(0, 0xffff), i, random.choice([0, 8, 0xffffffff]), 0) + os.urandom(8)
    elif kind == 3: data = os.urandom(4) + magic
    else:           data = bytes([random.choice([0x44, 0x42, 0x47, 0x56, 0])]) * random.randint(1, 40)
    s.sendall(data)
print("sent", 10000)
s.shutdown(socket.SHUT_WR)
threading.Event().wait(3)
print("reply bytes", got[0])
PY
expect_line $TMP/fuzz.out '^sent 10000$' "fuzz: 10000 malformed frames sent"
check "fuzz: xl list still answers" wait_for $XL list
c1=$(dr_exits); sleep 2; c2=$(dr_exits)
check "fuzz: guests still run (DR-access exits $c1 -> $c2)" [ -n "$c1" ] && [ -n "$c2" ] && [ "$c2" -gt "$c1" ]

check "xl destroy" $XL destroy stress
reject_line <($XL list) '^stress ' "xl list: destroyed domain gone"
finish
