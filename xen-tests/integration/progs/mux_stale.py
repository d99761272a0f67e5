#!/usr/bin/env python3
"""A stale reply onto a restarted dbgctl-mux, with the timing under control
(test_faults.sh). This script plays QEMU's control socket (a fake upstream)
and the launcher's supervisor (a killed mux is started again 0.2 s later).

mux_stale.py MUX_BINARY DIR ORDER...      ORDER: in-order | late

Client A asks the mux for DOMAIN_INFO of domain 1; the mux forwards it
upstream, where it stays unanswered; the mux is killed (SIGKILL) and a new
one started, which connects upstream and probes with HELLO. Client B then
asks the new mux for DOMAIN_INFO of domain 2 with the sequence number A
used. Upstream, the reply to A's request (domain 1) arrives on the new
mux's connection:
  in-order  before the answer to the new mux's probe, as the hypervisor
            (one request at a time, in order) sends it;
  late      after the new mux is ready and has forwarded B's request, just
            before B's own reply (what the mux's fresh numbering is for).
B must get domain 2's reply, never domain 1's. Prints, per order, what A
and B got, the sequence numbers upstream, and whether the new mux logged the
stale reply.
"""
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import zlib

MAGIC, HELLO, INFO, REPLY = 0x56474244, 0x0001, 0x0011, 0x8000
SEQ = 7


def frame(typ, seq, payload, status=0):
    hdr = struct.pack('<IHHIIiI', MAGIC, 2, typ, seq, len(payload), status, 0)
    hdr += struct.pack('<I', zlib.crc32(payload) & 0xffffffff if payload else 0)
    return hdr + struct.pack('<I', zlib.crc32(hdr) & 0xffffffff) + payload


def recv_frame(s):
    buf = b''
    while len(buf) < 32 or len(buf) < 32 + struct.unpack_from('<I', buf, 12)[0]:
        d = s.recv(65536 if len(buf) < 32 else 32 + struct.unpack_from('<I', buf, 12)[0] - len(buf))
        if not d:
            return None
        buf += d
    _, _, typ, seq, n, status, _, _, _ = struct.unpack_from('<IHHIIiIII', buf)
    return typ, seq, status, buf[32:32 + n]


def info_reply(seq, domid):
    return frame(INFO | REPLY, seq, struct.pack('<I', domid) + bytes(116))


def client(path, domid):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    for _ in range(200):
        try:
            s.connect(path)
            break
        except OSError:
            time.sleep(0.05)
    s.sendall(frame(INFO, SEQ, struct.pack('<II', domid, 0)))
    return s


def answer(s):
    """What a client got: the reply's type, seq and domid, or closed."""
    try:
        f = recv_frame(s)
    except OSError as e:
        return 'error:%s' % e.__class__.__name__
    if f is None:
        return 'closed'
    typ, seq, status, payload = f
    domid = struct.unpack_from('<I', payload)[0] if len(payload) >= 4 else -1
    return 'type=%#x,seq=%d,status=%d,domid=%d' % (typ, seq, status, domid)


def upstream_until(conn, want):
    """Answer the mux's HELLO probes until a frame of type want arrives."""
    while True:
        f = recv_frame(conn)
        if f is None:
            raise SystemExit('upstream: the mux closed its connection')
        typ, seq = f[0], f[1]
        if typ == want:
            return seq
        if typ == HELLO:
            conn.sendall(frame(HELLO | REPLY, seq, bytes(64)))


def run(mux, d, order):
    hv_path, mux_path, log_path = d + '/fake.hv', d + '/mux.sock', d + '/mux.log'
    for p in (hv_path, mux_path):
        if os.path.exists(p):
            os.unlink(p)
    hv = socket.socket(socket.AF_UNIX)
    hv.bind(hv_path)
    hv.listen(1)
    hv.settimeout(10)
    log = open(log_path, 'w')
    start = lambda: subprocess.Popen([mux, '--hv', 'unix:' + hv_path, '--listen', 'unix:' + mux_path],
                                     stdout=log, stderr=log)
    old = start()
    c1, _ = hv.accept()
    c1.settimeout(10)
    a = client(mux_path, 1)
    seq_a = upstream_until(c1, INFO)           # A's request, left unanswered
    old.send_signal(signal.SIGKILL)
    old.wait()
    time.sleep(0.2)                            # as the launcher's supervisor
    new = start()
    c2, _ = hv.accept()
    c2.settimeout(10)
    got_a = answer(a)
    if order == 'in-order':
        f = recv_frame(c2)                     # the new mux's first probe
        c2.sendall(info_reply(seq_a, 1))       # the old request's reply first
        c2.sendall(frame(HELLO | REPLY, f[1], bytes(64)))
        b = client(mux_path, 2)
        seq_b = upstream_until(c2, INFO)
    else:
        b = client(mux_path, 2)
        seq_b = upstream_until(c2, INFO)       # ready, B's request forwarded
        c2.sendall(info_reply(seq_a, 1))       # then the old request's reply
    c2.sendall(info_reply(seq_b, 2))
    got_b = answer(b)
    time.sleep(0.2)
    new.send_signal(signal.SIGTERM)
    new.wait()
    log.close()
    logged = '(type %#x, seq %d)' % (INFO | REPLY, seq_a) in open(log_path).read()
    print('order=%s a=%s b=%s seq_a=%d seq_b=%d stale_logged=%d' %
          (order, got_a, got_b, seq_a, seq_b, logged), flush=True)
    hv.close()


for o in sys.argv[3:]:
    run(sys.argv[1], sys.argv[2], o)
