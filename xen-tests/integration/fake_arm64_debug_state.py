#!/usr/bin/env python3
# A control server with one arm64 domain ("arm", id 1) whose vCPU 0 has a debug
# state in debug ABI 2's arm64 shape (public/debug.h): 6 breakpoints and 4
# watchpoints present, DBGBVR1 and the DBGWVR0/DBGWCR0 pair set, MDSCR_EL1
# KDE|MDE, OSLSR 0x8. test_arm64.sh checks how xl debug-state shows it (the
# arm64 hypervisor has no control channel yet).
#   fake_arm64_debug_state.py SOCKET
import os, socket, struct, sys, zlib
MAGIC = 0x56474244
def frame(typ, seq, payload, status=0):
    h = struct.pack("<IHHIIiII", MAGIC, 2, typ | 0x8000, seq, len(payload), status, 0,
                    zlib.crc32(payload) if payload else 0)
    return h + struct.pack("<I", zlib.crc32(h)) + payload
def dominfo(domid, name):
    return struct.pack("<IBBBBiIQQQIIII", domid, 1, 3, 0, 0, 0, 1, 1 << 26, 1 << 26, 10**9, 8, 0, 0, 0) + name.ljust(64, b"\0")
def vstate():
    v1 = struct.pack("<IBBBB4BI", 0, 3, 1, 1, 0, 0, 0, 0, 0, 8) + struct.pack("<8Q", *[0]*8) + struct.pack("<7Q", 1, 0, 0, 0, 1, 0, 1)
    owners = bytes([1]*6 + [0]*10 + [1]*4 + [0]*12)
    regs = [0]*72
    regs[16] = 0x40001000; regs[48] = 0x1ff7; regs[1] = 0x40abc000; regs[64] = 0x8
    tail = struct.pack("<BBHI", 1, 32, 68, 0x3f | (0xf << 16)) + owners + struct.pack("<QQ", 0xa000, 0) + struct.pack("<72Q", *regs)
    return v1 + tail
REPLIES = {
    0x01: struct.pack("<IIII", 2, 8192, 2, 0) + b"fake hv".ljust(32, b"\0"),    # HELLO
    0x10: struct.pack("<II", 2, 2) + dominfo(0, b"Domain-0") + dominfo(1, b"arm"),
    0x11: dominfo(1, b"arm"),                                                  # DOMAIN_INFO
    0x40: struct.pack("<II", 1, 1) + vstate(),                                 # DEBUG_STATE_GET
}

def recv_exact(c, n):
    data = b""
    while len(data) < n:
        more = c.recv(n - len(data))
        if not more:
            raise EOFError
        data += more
    return data

def serve(c):
    """One request at a time: header, body, then the canned reply or ENOSYS."""
    while True:
        typ, seq, ln = struct.unpack_from("<HII", recv_exact(c, 32), 6)
        recv_exact(c, ln)
        if typ in REPLIES:
            c.sendall(frame(typ, seq, REPLIES[typ]))
        else:
            c.sendall(frame(typ, seq, b"", -38))

# Listening before the socket appears under its name: a client that sees it can connect.
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1] + ".tmp"); s.listen(4)
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    conn, _ = s.accept()
    try:
        serve(conn)
    except (EOFError, OSError):
        pass
    conn.close()
