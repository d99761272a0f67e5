#!/usr/bin/env python3
"""Forces a stale reply onto a restarted dbgctl-mux (test_faults.sh).

stale_reply.py SOCKET QEMU_PID SUPERVISOR_PID MUX_LOG OLD_DOMID NEW_DOMID ROUNDS

Each round: QEMU is stopped (SIGSTOP); client A asks, through the mux, for
DOMAIN_INFO of OLD_DOMID (the mux forwards it into QEMU's socket); the mux
is killed (SIGKILL) and the launcher's supervisor starts a new one; client B
asks the new mux for DOMAIN_INFO of NEW_DOMID with the same sequence number
A used; QEMU continues. When QEMU hands A's request to the hypervisor before
it notices the old connection closed, the reply to A comes back on the new
mux's connection (the new mux logs it as dropped). B must get its own reply,
never A's. Rounds go on until one forced the stale reply (or ROUNDS).
Prints one line per round and a summary line:
  round N: a=<what A got> b=<what B got> forced=0|1
  summary rounds=R forced=F b_own=K
"""
import os
import signal
import socket
import struct
import sys
import time
import zlib

MAGIC, INFO, REPLY = 0x56474244, 0x0011, 0x8000
SEQ = 7
DROPPED = 'dropped a reply that answers no request in flight (type %#x' % (INFO | REPLY)


def info_request(domid):
    payload = struct.pack('<II', domid, 0)
    hdr = struct.pack('<IHHIIiI', MAGIC, 2, INFO, SEQ, len(payload), 0, 0)
    hdr += struct.pack('<I', zlib.crc32(payload) & 0xffffffff)
    return hdr + struct.pack('<I', zlib.crc32(hdr) & 0xffffffff) + payload


def read_reply(s, timeout):
    s.settimeout(timeout)
    buf = b''
    try:
        while len(buf) < 32 or len(buf) < 32 + struct.unpack_from('<I', buf, 12)[0]:
            d = s.recv(65536)
            if not d:
                return 'closed'
            buf += d
    except socket.timeout:
        return 'timeout'
    except OSError as e:
        return 'error:%s' % e.__class__.__name__
    _, _, typ, seq, n, status, _, _, _ = struct.unpack_from('<IHHIIiIII', buf)
    word = struct.unpack_from('<I', buf, 32)[0] if n >= 4 else -1
    return 'type=%#x,seq=%d,status=%d,domid=%d' % (typ, seq, status, word)


def mux_pid(sup):
    try:
        kids = open('/proc/%d/task/%d/children' % (sup, sup)).read().split()
    except OSError:
        return None
    for k in kids:
        try:
            if open('/proc/%s/comm' % k).read().strip() == 'dbgctl-mux':
                return int(k)
        except OSError:
            pass
    return None


def connect(path, deadline):
    while time.time() < deadline:
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            time.sleep(0.05)
    return None


def log_count(path):
    try:
        return open(path).read().count(DROPPED)
    except OSError:
        return 0


def main():
    path, qemu, sup, log = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    old_dom, new_dom, rounds = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
    own = 'type=%#x,seq=%d,status=0,domid=%d' % (INFO | REPLY, SEQ, new_dom)
    forced = b_own = done = 0
    for r in range(1, rounds + 1):
        old = mux_pid(sup)
        if old is None:
            print('round %d: no mux' % r)
            break
        dropped_before = log_count(log)
        os.kill(qemu, signal.SIGSTOP)
        try:
            a = connect(path, time.time() + 5)
            a.sendall(info_request(old_dom))
            time.sleep(0.3)                       # forwarded into QEMU's socket
            os.kill(old, signal.SIGKILL)
            deadline = time.time() + 10
            new = None
            while time.time() < deadline:
                new = mux_pid(sup)
                if new and new != old:
                    break
                time.sleep(0.05)
            time.sleep(0.3)                       # it listens and connects upstream
            b = connect(path, deadline)
            b.sendall(info_request(new_dom))
            time.sleep(0.3)
        finally:
            os.kill(qemu, signal.SIGCONT)
        got_a = read_reply(a, 5)
        got_b = read_reply(b, 20)
        a.close()
        b.close()
        time.sleep(0.5)                           # the mux log catches up
        f = int(log_count(log) > dropped_before)
        forced += f
        b_own += got_b == own
        done = r
        print('round %d: a=%s b=%s forced=%d' % (r, got_a, got_b, f), flush=True)
        if forced:
            break
    print('summary rounds=%d forced=%d b_own=%d' % (done, forced, b_own))


main()
