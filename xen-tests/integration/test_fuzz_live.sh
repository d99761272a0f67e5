#!/usr/bin/env bash
# The hypervisor's control port takes 10,000 malformed or random frames
# straight from a client (no mux in between to filter them) and still
# answers correctly, with its guests still running.
. "$(dirname "$0")/lib.sh"

hv_start --no-mux --domain $G/dr-stress.elf,name=stress,policy=trap,cmdline="iterations=0 every=100"
check "start: control socket exists" wait_for test -S $TMP/control.sock
check "xl list answers" wait_for $XL list
dr_exits() { $XL debug-state -l stress | python3 -c "
import json,sys; d=json.load(sys.stdin); print(d['vcpus'][0]['counters']['dr_access_exits'])"; }

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
    elif kind == 2: data = magic + struct.pack("<HHIII", 2, random.randint(0, 0xffff), i, random.choice([0, 8, 0xffffffff]), 0) + os.urandom(8)
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
check "fuzz: guests still run (DR-access exits $c1 -> $c2)" num_lt "$c1" "$c2"

finish
