#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz harnesses from the protocols and
formats they parse (public/control.h, the multiboot and Linux boot
protocols, gdb's remote protocol, xl.cfg), in each harness's input
framing. Run it again after a format change; regression inputs of fixed
findings (regress-*) are kept as they are."""
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def write(harness, name, data):
    d = os.path.join(HERE, harness, "corpus")
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- control: records op(2)=well-formed frame, 1=corrupted, 0=raw, 3=time --
T = dict(HELLO=1, PHYSINFO=2, DOMAIN_LIST=0x10, DOMAIN_INFO=0x11, DOMAIN_CREATE=0x12,
         PAUSE=0x13, UNPAUSE=0x14, DESTROY=0x15, SHUTDOWN=0x16, MEM_WRITE=0x17,
         MEM_READ=0x18, SET_REGS=0x19, VCPU_LIST=0x20, CONSOLE_READ=0x30,
         HVLOG_READ=0x31, DEBUG_STATE=0x40, POLICY_SET=0x41, DEBUG_STATE_LIST=0x42,
         DEBUG_SUMMARY_LIST=0x43, EVENTS_READ=0x50,
         GDBG_ATTACH=0x100, GDBG_SET_BP=0x102, GDBG_STEP=0x104, GDBG_GET_REGS=0x106,
         GDBG_READ_GPA=0x108, ERROR=0x7fff)


def frame_rec(t, payload, op=2):
    return bytes([op, 0xf0]) + struct.pack("<HH", T[t] if isinstance(t, str) else t,
                                           len(payload)) + payload


def wire_frame(t, seq, payload):
    hdr = struct.pack("<IHHIIiII", 0x56474244, 1, T[t], seq, len(payload), 0, 0,
                      zlib.crc32(payload))
    return hdr + struct.pack("<I", zlib.crc32(hdr)) + payload


hello = struct.pack("<II32s", 1, 0, b"fuzz")
create = struct.pack("<64sIIBB2sI", b"guest-a", 2, 2, 1, 0, b"\0\0", 0)
domid1 = struct.pack("<II", 1, 0)
lst = struct.pack("<IIII", 0, 0, 16, 0)
vlst = struct.pack("<IIII", 1, 0, 16, 0)
memw = struct.pack("<IIQ", 1, 8, 0x1000) + b"ABCDEFGH"
memr = struct.pack("<IIQ", 1, 8, 0x1000)
regs = struct.pack("<IIII10Q", 1, 0, 0x3ff, 1, 0x100000, 2, 0x8000, 0, 0x2badb002, 0x9000, 0, 0, 0, 0)
ring = struct.pack("<IIQ", 1, 4096, 0) if True else b""
policy = struct.pack("<IB3sII", 1, 2, b"\0\0\0", 5, 1)
events = struct.pack("<QII", 1, 0xffffffff, 32)
shutdown = struct.pack("<II", 1, 1)
write("control", "hello", frame_rec("HELLO", hello))
write("control", "session",
      frame_rec("HELLO", hello) + frame_rec("PHYSINFO", b"") +
      frame_rec("DOMAIN_CREATE", create) + frame_rec("DOMAIN_LIST", lst) +
      frame_rec("DOMAIN_INFO", domid1) + frame_rec("MEM_WRITE", memw) +
      frame_rec("MEM_READ", memr) + frame_rec("SET_REGS", regs) +
      frame_rec("VCPU_LIST", vlst) + frame_rec("UNPAUSE", domid1) +
      frame_rec("CONSOLE_READ", ring) + frame_rec("HVLOG_READ", ring) +
      frame_rec("DEBUG_STATE", vlst) + frame_rec("POLICY_SET", policy) +
      frame_rec("PAUSE", domid1) + frame_rec("EVENTS_READ", events) +
      frame_rec("SHUTDOWN", shutdown) + frame_rec("DESTROY", domid1))
write("control", "rejects",
      frame_rec("DOMAIN_CREATE", struct.pack("<64sIIBB2sI", b"bad name!", 2, 2, 1, 0, b"\0\0", 0)) +
      frame_rec("DOMAIN_CREATE", struct.pack("<64sIIBB2sI", b"big", 4096, 2, 1, 0, b"\0\0", 0)) +
      frame_rec("DOMAIN_CREATE", create) +
      frame_rec("MEM_WRITE", struct.pack("<IIQ", 1, 8, 0xfffffffffffffffc) + b"ABCDEFGH") +
      frame_rec("MEM_READ", struct.pack("<IIQ", 1, 9000, 0)) +
      frame_rec("PAUSE", struct.pack("<II", 0, 0)) + frame_rec("DESTROY", struct.pack("<II", 9, 0)) +
      frame_rec("SET_REGS", struct.pack("<IIII10Q", 1, 0, 0x400, 1, *[0] * 10)) +
      frame_rec("POLICY_SET", struct.pack("<IB3sII", 1, 99, b"\0\0\0", 0, 0)) +
      frame_rec("ERROR", b"") + frame_rec(0x8001, b"") + frame_rec("GDBG_ATTACH", domid1))
# DEBUG_SUMMARY_LIST (debug ABI 3): whole, paged from a (domid, vCPU)
# cursor, a one-entry page, and the refusals (max 0, pad, domid out of range).
create_b = struct.pack("<64sIIBB2sI", b"guest-b", 2, 3, 0, 0, b"\0\0", 0)
write("control", "summary-list",
      frame_rec("DOMAIN_CREATE", create) + frame_rec("DOMAIN_CREATE", create_b) +
      frame_rec("DEBUG_SUMMARY_LIST", struct.pack("<IIII", 0, 0, 100, 0)) +
      frame_rec("DEBUG_SUMMARY_LIST", struct.pack("<IIII", 1, 1, 2, 0)) +
      frame_rec("DEBUG_SUMMARY_LIST", struct.pack("<IIII", 2, 2, 1, 0)) +
      frame_rec("DEBUG_STATE_LIST", struct.pack("<IIII", 0, 0, 100, 0)) +
      frame_rec("DEBUG_SUMMARY_LIST", struct.pack("<IIII", 0, 0, 0, 0)) +
      frame_rec("DEBUG_SUMMARY_LIST", struct.pack("<IIII", 0, 0, 1, 1)) +
      frame_rec("DEBUG_SUMMARY_LIST", struct.pack("<IIII", 0xffffffff, 0, 1, 0)) +
      frame_rec("DEBUG_SUMMARY_LIST", struct.pack("<III", 0, 0, 1)))
# DOMAIN_CREATE's timer_mode: each of Xen's modes, then out of range and a set pad.
write("control", "timer-mode",
      b"".join(frame_rec("DOMAIN_CREATE", struct.pack("<64sIIBBBBI", b"t%d" % m, 2, 1, 0, 0, m, 0, 0))
               for m in range(5)) +
      frame_rec("DOMAIN_CREATE", struct.pack("<64sIIBBBBI", b"p", 2, 1, 0, 0, 1, 1, 0)))
# VCPU_SET_REGS in the arm64 boot mode (3): PC with the command line
# (bit 10) and the ramdisk range (bit 11), PC alone, then the refusals: no PC,
# an x86 register, a field the mask does not name, an empty range, padding.
def arm64_regs(mask, pc=0x40080000, cmd=0x41e00000, rd=(0x41d00000, 0x41d00010), pad=0, mode=3):
    return struct.pack("<IIIIQQQQ6Q", 1, 0, mask, mode, pc, cmd, rd[0], rd[1], *([pad] + [0] * 5))
write("control", "arm64-boot-regs",
      frame_rec("DOMAIN_CREATE", create) +
      frame_rec("SET_REGS", arm64_regs(0xc01)) +
      frame_rec("SET_REGS", arm64_regs(0x001, cmd=0, rd=(0, 0))) +
      frame_rec("SET_REGS", arm64_regs(0xc00)) +
      frame_rec("SET_REGS", arm64_regs(0xc05)) +
      frame_rec("SET_REGS", arm64_regs(0x801)) +
      frame_rec("SET_REGS", arm64_regs(0xc01, rd=(0x41d00000, 0x41d00000))) +
      frame_rec("SET_REGS", arm64_regs(0xc01, pad=1)) +
      frame_rec("SET_REGS", arm64_regs(0xc01, mode=2)))
write("control", "raw-stream",
      bytes([0, 40]) + b"garbage before a frame DBGV DBG" + bytes([0] * 9) +
      bytes([0, len(wire_frame("HELLO", 7, hello))]) + wire_frame("HELLO", 7, hello) +
      bytes([3]) + struct.pack("<I", 1000000) +
      bytes([0, 20]) + wire_frame("PHYSINFO", 8, b"")[:20] +
      bytes([3]) + struct.pack("<I", 0xffffffff) +
      bytes([0, 32]) + wire_frame("PHYSINFO", 9, b""))
write("control", "corrupted",
      frame_rec("HELLO", hello, op=1) + struct.pack("<HB", 5, 0x40) +
      frame_rec("DOMAIN_LIST", lst, op=1) + struct.pack("<HB", 14, 0xff) +
      frame_rec("MEM_READ", memr, op=1) + struct.pack("<HB", 40, 0x01))

# ---- decode: mode byte (0 real16, 1 prot16, 2 prot32, 3 long64; +4 memory decoder) + bytes
insns = {
    "mov-from-dr7": (3, "0f21f8"), "mov-to-dr0-r8": (3, "410f23c0"),
    "mov-dr-lock": (2, "f00f21c0"), "mov-store": (3, "8903"), "mov-store8-ah": (2, "8827"),
    "mov-store-rex": (3, "4c890425785634 12".replace(" ", "")), "mov-moffs": (3, "a3efcdab9078563412"),
    "mov-load": (2, "8b4508"), "mov-load-sib": (3, "8b84c810000000"),
    "mov-imm32": (2, "c70078563412"), "mov-imm16": (1, "c7073412"), "mov-imm8": (3, "c60001"),
    "movzx": (3, "480fb603"), "movsx16": (2, "0fbf03"), "int3": (3, "cc"), "int80": (2, "cd80"),
    "into": (2, "ce"), "icebp": (3, "f1"), "ins": (0, "6c"), "outsw": (2, "f3666f"),
    "outs-fs": (3, "646f"), "rip-rel": (3, "8b0500100000"), "addr16": (0, "8b0e3412"),
    "addr-ovr": (3, "678b03"), "too-long": (3, "66" * 14 + "cc"), "prefixes-rex": (3, "66f2f34848cc"),
    "truncated": (3, "c78000"), "seg-ovr": (2, "2e3e268907"),
}
MEMORY_FORMS = ("mov", "movzx", "movsx", "rip-rel", "addr16", "addr-ovr", "truncated", "seg-ovr")
for name, (mode, hexs) in insns.items():
    # bit 2 of the mode byte: x86_decode_mem(), the MMIO emulator's decoder
    mem = name.startswith(MEMORY_FORMS) and not name.startswith("mov-from-dr") \
        and not name.startswith("mov-to-dr") and not name.startswith("mov-dr")
    write("decode", name, bytes([mode | (4 if mem else 0)]) + bytes.fromhex(hexs))


# ---- mbimage: mem(u16, 64 KiB units) fail(u8) cmdlen(u8) cmdline image ------
def mb_header(flags, extra=b""):
    magic = 0x1BADB002
    return struct.pack("<III", magic, flags, (-(magic + flags)) & 0xffffffff) + extra


def elf32(paddr=0x100000, bss=0x1000, entry_off=0x80):
    body = bytearray(0x100)
    body[0x60:0x60 + 12] = mb_header(3)
    body[entry_off] = 0xf4                       # hlt
    eh = struct.pack("<16sHHIIIIIHHHHHH", b"\x7fELF\x01\x01\x01" + b"\0" * 9, 2, 3, 1,
                     paddr + entry_off, 52, 0, 0, 52, 32, 1, 0, 0, 0)
    ph = struct.pack("<IIIIIIII", 1, 0, paddr, paddr, len(body), len(body) + bss, 5, 0x1000)
    body[0:len(eh)] = eh
    body[52:52 + len(ph)] = ph
    return bytes(body)


def elf64(paddr=0x200000):
    body = bytearray(0x180)
    body[0xe0:0xe0 + 12] = mb_header(2)
    eh = struct.pack("<16sHHIQQQIHHHHHH", b"\x7fELF\x02\x01\x01" + b"\0" * 9, 2, 62, 1,
                     paddr + 0x100, 64, 0, 0, 64, 56, 2, 0, 0, 0)
    ph1 = struct.pack("<IIQQQQQQ", 1, 5, 0, paddr, paddr, 0x100, 0x100, 0x1000)
    ph2 = struct.pack("<IIQQQQQQ", 1, 6, 0x100, paddr + 0x1000, paddr + 0x1000, 0x80, 0x2000, 0x1000)
    body[0:64] = eh
    body[64:64 + 56] = ph1
    body[120:120 + 56] = ph2
    return bytes(body)


def aout(load=0x100000):
    img = bytearray(0x200)
    hdr = mb_header(0x10003, struct.pack("<IIIII", load + 0x10, load, load + 0x200,
                                         load + 0x1000, load + 0x40))
    img[0x10:0x10 + len(hdr)] = hdr
    return bytes(img)


def mb_rec(img, mem=0x00ff, fail=0, cmd=b"console=ttyS0"):
    return struct.pack("<HBB", mem, fail, len(cmd)) + cmd + img


write("mbimage", "elf32", mb_rec(elf32()))
write("mbimage", "elf64-bss", mb_rec(elf64()))
write("mbimage", "aout-kludge", mb_rec(aout()))
write("mbimage", "elf32-small-mem", mb_rec(elf32(), mem=0x10))
write("mbimage", "elf32-fail-write", mb_rec(elf32(), fail=2))
write("mbimage", "elf32-no-cmdline", mb_rec(elf32(paddr=0x9f000), cmd=b""))


# ---- bzimage: mem(u16) fail(u8) cmdlen(u8) cmdline initrd_len(u16) image ----
def bzimage(version=0x020f, reloc=1, xlf=1, pref=0x1000000, init=0x10000, payload=512):
    img = bytearray(1024 + payload)
    img[0x1f1] = 1
    struct.pack_into("<I", img, 0x1f4, payload // 16)
    struct.pack_into("<H", img, 0x1fe, 0xaa55)
    img[0x200] = 0xeb
    img[0x201] = 0x62                        # header ends at 0x264
    img[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", img, 0x206, version)
    img[0x211] = 1                           # LOADED_HIGH
    struct.pack_into("<I", img, 0x22c, 0x7fffffff)
    struct.pack_into("<I", img, 0x230, 0x200000)
    img[0x234] = reloc
    img[0x235] = 21
    struct.pack_into("<H", img, 0x236, xlf)
    struct.pack_into("<I", img, 0x238, 2047)
    struct.pack_into("<Q", img, 0x258, pref)
    struct.pack_into("<I", img, 0x260, init)
    return bytes(img)


def bz_rec(img, mem=0x01ff, fail=0, initrd=0, cmd=b"console=ttyS0 root=/dev/ram0"):
    return struct.pack("<HBB", mem, fail, len(cmd)) + cmd + struct.pack("<H", initrd) + img


write("bzimage", "bz64-reloc", bz_rec(bzimage()))
write("bzimage", "bz64-initrd", bz_rec(bzimage(), initrd=5000))
write("bzimage", "bz32-v2.10", bz_rec(bzimage(version=0x020a, reloc=0, xlf=0)))
write("bzimage", "bz-relocate-small-mem", bz_rec(bzimage(pref=0x4000000), mem=0x003f))
write("bzimage", "bz-fail-write", bz_rec(bzimage(), fail=3, initrd=100))

# ---- xlcfg: text --------------------------------------------------------------
write("xlcfg", "full.cfg",
      '# a guest\nname = "guest-a"\nkernel = "/boot/test.elf"\ncmdline = "console=ttyS0"\n'
      'memory = 64\nvcpus = 2\ndebug_policy = "adaptive"\ndebug_quiet_switches = 8\n'
      'unbacked_access = "crash"\n')
write("xlcfg", "timer-mode.cfg",
      'name = "t"\nkernel = "k"\ntimer_mode = "one_missed_tick_pending"\n'
      'timer_mode = "no_missed_ticks_pending"\ntimer_mode = "no_delay_for_missed_ticks"\n'
      'timer_mode = "delay_for_missed_ticks"\ntimer_mode = 1\n')
write("xlcfg", "minimal.cfg", 'name="a"\nkernel="k"\n')
write("xlcfg", "xen-extras.cfg",
      "name = 'b' # comment\nkernel = 'k.elf'\ntype = \"hvm\"\nvif = [ 'bridge=xenbr0' ]\n"
      "disk = [ 'file:/x.img,xvda,w', ]\non_crash = 'destroy'\nmemory=0x40\n")
write("xlcfg", "errors.cfg", 'name = "unterminated\nmemory = -1\nvcpus = "two"\n= 3\n')

# ---- gdbsx: records kind(1,2 packet; 0 raw; 3 next event) len bytes ---------
def pkt(s):
    s = s.encode() if isinstance(s, str) else s
    return bytes([1, len(s)]) + s


def raw(b):
    return bytes([0, len(b)]) + b


write("gdbsx", "session",
      pkt("qSupported:multiprocess+;swbreak+;hwbreak+") + pkt("?") + pkt("qfThreadInfo") +
      pkt("qsThreadInfo") + pkt("qC") + pkt("qAttached") + pkt("Hg2") + pkt("g") +
      pkt("p10") + pkt("P0=1122334455667788") + pkt("m1000,10") + pkt("M1000,4:deadbeef") +
      pkt(b"X1010,2:\x7d\x5d\x01") + pkt("Z0,401000,1") + pkt("Z2,2000,8") +
      bytes([3, 3, 1, 1, 1]) + pkt("c") + pkt("z0,401000,1") + pkt("Hc1") +
      bytes([3, 3, 8, 0, 0]) + pkt("s") + pkt("vCont?") + bytes([3, 1, 8]) + pkt("vCont;s:1;c") +
      pkt("qXfer:features:read:target.xml:0,ffb") + pkt("qThreadExtraInfo,1") + pkt("T2") +
      pkt("D"))
write("gdbsx", "bad-packets",
      raw(b"$g#00") + raw(b"+-\x03") + pkt("G" + "00" * 20) + pkt("m0,ffffffffffffffff") +
      pkt("mffffffffffffffff,10") + pkt("Z9,0,1") + pkt("p99") + pkt("P10=zz") +
      pkt("qThreadExtraInfo,99") + pkt("Hgffffffffff") + pkt("vKill;1"))
write("gdbsx", "ctrl-c-wait", pkt("c") + raw(b"\x03"))
# An AArch64 domain (bit 7 of the first byte): its target.xml, x/sp/pc/cpsr/V/FPSR
# writes and reads, a G shorter than the file.
write("gdbsx", "session-aarch64",
      bytes([0x81, 1]) + b"?" + pkt("qXfer:features:read:target.xml:0,ffb") +
      pkt("qXfer:features:read:target.xml:ffb,ffb") + pkt("g") + pkt("P0=1122334455667788") +
      pkt("P1f=00f0ff4000000000") + pkt("P20=0010084000000000") + pkt("P21=c5030000") +
      pkt("P21=c9030000") + pkt("P22=" + "01" * 16) + pkt("P42=10000000") + pkt("p22") +
      pkt("p43") + pkt("p44") + pkt("G" + "00" * 100) + pkt("Z0,40081000,4") +
      bytes([3, 3, 1, 0, 1]) + pkt("c") + pkt("Z2,40100000,8") + bytes([3, 3, 2, 1, 2]) +
      pkt("s") + pkt("D"))

# ---- dbgctl: call selector, then replies status(u8) len(u16) payload --------
def reply(payload, status=0):
    return struct.pack("<BH", status, len(payload)) + payload


def event(seq, etype, vcpu=0):    # struct dbgv_ctl_event, 56 bytes
    return struct.pack("<QQIIHHiQQQ", seq, 1000 * seq, 7, vcpu, etype, 0, 0, 0x401000, 0, 0)


write("dbgctl", "gdbg-wait", bytes([13]) + struct.pack("<QB", 1, 1) +
      reply(struct.pack("<QQQII", 1, 3, 0, 2, 0) + event(1, 0x20) + event(2, 3)))
dominfo = struct.pack("<IBBBBiIQQQII64s", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, b"Domain-0")
dominfo1 = struct.pack("<IBBBBiIQQQII64s", 7, 2, 1, 0, 0, 0, 2, 1 << 22, 1 << 22, 5, 0, 0, b"guest-a")
write("dbgctl", "physinfo", bytes([0]) + reply(b"\0" * 120))
write("dbgctl", "domain-list", bytes([1]) + reply(struct.pack("<II", 2, 2) + dominfo + dominfo1))
write("dbgctl", "domain-list-paged", bytes([1]) + reply(struct.pack("<II", 2, 1) + dominfo) +
      reply(struct.pack("<II", 2, 1) + dominfo1))
write("dbgctl", "vcpu-list", bytes([2]) + reply(struct.pack("<II", 1, 1) + b"\0" * 32))
write("dbgctl", "lookup", bytes([5, 1]) + reply(struct.pack("<II", 2, 2) + dominfo + dominfo1))
write("dbgctl", "console", bytes([8]) + struct.pack("<HQB", 100, 0, 1) +
      reply(struct.pack("<QQQQII", 0, 5, 0, 5, 5, 0) + b"hello"))
write("dbgctl", "events", bytes([10, 31]) + struct.pack("<Q", 1) +
      reply(struct.pack("<QQQII", 1, 3, 0, 2, 0) + event(1, 1) + event(2, 3)))
def summary(domid, vcpu, host=0, guest=0):   # struct dbgv_vcpu_debug_summary, 96 bytes
    return struct.pack("<IIBBBBBBHIIQQ7Q", domid, vcpu, 3, 1, 0, 0, 0, 4, 0, host, guest,
                       0xffff0ff0, 0x400, 10, 2, 1, 0, 3, 3, 1)


write("dbgctl", "debug-summary", bytes([15]) +
      reply(struct.pack("<II", 3, 3) + summary(1, 0) + summary(1, 1, host=1) + summary(2, 0, guest=6)))
write("dbgctl", "debug-summary-paged", bytes([15]) +
      reply(struct.pack("<II", 3, 2) + summary(1, 0) + summary(1, 1)) +
      reply(struct.pack("<II", 1, 1) + summary(2, 0)))
write("dbgctl", "error", bytes([4]) + reply(b"", status=0xf0 | 3))
write("dbgctl", "gdbg-read", bytes([12]) + struct.pack("<HQB", 16, 0x1000, 0) + reply(b"A" * 16))

# ---- vpic: (op, value) records; op%4: 0 OUT, 1 IN, 2 line, 3 INTA -----------
def out(port_idx, v): return bytes([port_idx << 2, v])
def inp(port_idx): return bytes([(port_idx << 2) | 1, 0])
def line(irq, lvl): return bytes([(irq << 2) | 2, lvl])
def inta(): return bytes([3, 0])


init_pics = (out(0, 0x11) + out(1, 0x08) + out(1, 0x04) + out(1, 0x01) +
             out(2, 0x11) + out(3, 0x70) + out(3, 0x02) + out(3, 0x01) + out(1, 0x00) + out(3, 0x00))
write("vpic", "bios-init", init_pics + line(0, 1) + inta() + out(0, 0x20) + line(0, 0) + line(0, 1))
write("vpic", "slave-cascade", init_pics + line(8, 1) + inta() + out(2, 0x20) + out(0, 0x20) + inp(0))
write("vpic", "masked", init_pics + out(1, 0xff) + line(1, 1) + line(12, 1) + inta())
write("vpic", "poll-elcr", init_pics + out(4, 0xf8) + out(5, 0xde) + line(9, 1) + out(0, 0x0c) + inp(0) +
      out(0, 0x0b) + inp(0) + out(0, 0x68) + line(3, 1) + inta())
write("vpic", "aeoi-rotate", out(0, 0x11) + out(1, 0x20) + out(1, 0x04) + out(1, 0x03) + out(1, 0) +
      out(0, 0x80) + line(4, 1) + inta() + line(5, 1) + inta())


# ---- vpit: (op, value) records; op%3: 0 OUT, 1 IN, 2 time (+u32) -----------
def pout(idx, v): return bytes([idx << 2, v])
def pin(idx): return bytes([(idx << 2) | 1, 0])
def ptime(shift, v): return bytes([2, shift]) + struct.pack("<I", v)


write("vpit", "rate-generator", pout(3, 0x34) + pout(0, 0x9c) + pout(0, 0x2e) + ptime(8, 40000) +
      pout(3, 0x00) + pin(0) + pin(0) + ptime(12, 5000))
write("vpit", "one-shot", pout(3, 0x30) + pout(0, 0xff) + pout(0, 0xff) + ptime(0, 1000) + ptime(16, 1000))
write("vpit", "speaker-ch2", pout(4, 0x01) + pout(3, 0xb6) + pout(2, 0x33) + pout(2, 0x05) + pin(4) +
      ptime(4, 100000) + pout(3, 0xe8) + pin(2) + pin(2))
write("vpit", "square-bcd", pout(3, 0x37) + pout(0, 0x00) + pout(0, 0x10) + ptime(10, 7777) +
      pout(3, 0x32) + pout(0, 0x02) + pout(0, 0x00) + ptime(6, 99))


# ---- vlapic: op (bit 7: vCPU 1; low 3 bits: 0 MMIO write, 1 MMIO read,
# 2 register write, 3 time, 4 vector, 5 INTA, 6 CR8, 7 APIC_BASE.EN) --------
def lw(off, size_log2, val, cpu=0): return bytes([0 | cpu << 7]) + struct.pack("<HBI", off, size_log2, val)
def lr(off, size_log2, cpu=0): return bytes([1 | cpu << 7]) + struct.pack("<HB", off, size_log2)
def lreg(idx, val, cpu=0): return bytes([2 | cpu << 7, idx]) + struct.pack("<I", val)
def ltime(v, shift=0): return bytes([3 | shift << 4]) + struct.pack("<I", v)
def lvec(v, cpu=0): return bytes([4 | cpu << 7, v])
def linta(cpu=0): return bytes([5 | cpu << 7])


write("vlapic", "timer-periodic",
      lw(0xf0, 2, 0x1ff) + lw(0x3e0, 2, 0xb) + lw(0x320, 2, 0x20030) + lw(0x380, 2, 1000) +
      ltime(500) + ltime(600) + linta() + lw(0xb0, 2, 0) + ltime(5000) + lr(0x390, 2) + lr(0x200, 2))
write("vlapic", "tpr-masking",
      lw(0xf0, 2, 0x1ff) + lvec(0x41) + lvec(0x82) + lw(0x80, 2, 0x90) + linta() + lw(0x80, 2, 0) +
      linta() + linta() + lw(0xb0, 2, 0) + lw(0xb0, 2, 0) + bytes([6, 0x5]) + lvec(0x51) + linta())
write("vlapic", "ipi-and-partial",
      lw(0xf0, 2, 0x1ff) + lw(0xf0, 2, 0x1ff, 1) + lw(0x310, 2, 0x01000000) + lw(0x300, 2, 0x4030) +
      lw(0x300, 0, 0x31) + lw(0x302, 1, 0x40) + lr(0x301, 0) + lr(0x30e, 3) + linta(1) +
      lw(0x300, 2, 0x000c4400) + lw(0x300, 2, 0x000c4500) + lw(0x300, 2, 0x000c4610) + bytes([7, 0]) +
      lvec(0x30) + bytes([7, 1]) + linta())

# ---- uart: (op, value); op bit 7 read, bits 7+6 receive `value & 31` bytes --
def uw(reg, v): return bytes([reg, v])
def ur(reg): return bytes([0x80 | reg, 0])
def urx(data): return bytes([0xc0, len(data)]) + data


write("uart", "linux-probe",
      uw(3, 0x80) + uw(0, 0x01) + uw(1, 0x00) + uw(3, 0x03) + ur(0) + ur(3) + uw(2, 0xc7) + ur(2) +
      uw(4, 0x0b) + uw(1, 0x02) + ur(2) + ur(2) + uw(0, ord("A")) + ur(2) + ur(5) + ur(6) +
      uw(4, 0x1f) + ur(6) + uw(0, ord("L")) + uw(7, 0x5a) + ur(7))
write("uart", "dlab-divisor", uw(3, 0x83) + uw(0, 0x0c) + uw(1, 0x01) + ur(0) + ur(1) + uw(3, 0x03) + ur(1))
write("uart", "receive-irq", uw(3, 0x03) + uw(4, 0x0b) + uw(1, 0x0d) + urx(b"hello") + ur(2) + ur(5) +
      ur(0) + ur(0) + uw(2, 0xc1) + urx(b"0123456789abcdefXYZ") + ur(2) + ur(5) + ur(0) + uw(1, 0) + ur(2))

# ---- rtc: u32 start second, u8; then (op, value) records; op&3: 0 OUT 0x70,
# 1 OUT 0x71, 2 IN 0x71 (op bit 2: IN 0x70), 3 time (value = shift, + u32) --
def rsel(i): return bytes([0, i])
def rw(i, v): return rsel(i) + bytes([1, v])
def rr(i): return rsel(i) + bytes([2, 0])
def rtime(ns, scale=0):  # ns, ns << 8 (scale 1) or ns << 15 (scale 2: more than a day)
    return bytes([3, (0, 0xf0, 0xef)[scale]]) + struct.pack("<I", ns)


rtc_start = struct.pack("<IB", 1733400000, 1)
write("rtc", "linux-read-time",
      rtc_start + rr(0x0a) + rr(0x00) + rr(0x02) + rr(0x04) + rr(0x07) + rr(0x08) + rr(0x09) +
      rr(0x32) + rr(0x0b) + rr(0x0d) + rsel(0x8a) + bytes([2, 0]) + bytes([6, 0]) +
      rtime(999800000) + rr(0x0a) + rtime(300000) + rr(0x00))
write("rtc", "set-time",
      rtc_start + rw(0x0b, 0x82) + rw(0x00, 0x30) + rr(0x00) + rw(0x02, 0x15) + rr(0x02) +
      rw(0x04, 0x12) + rr(0x04) + rw(0x07, 0x05) + rr(0x07) + rw(0x08, 0x06) + rw(0x09, 0x24) +
      rw(0x32, 0x20) + rw(0x06, 0x03) + rr(0x06) + rtime(3000000000) + rr(0x00) +
      rw(0x0b, 0x02) + rtime(1000000000) + rr(0x00) + rr(0x06))
write("rtc", "periodic-irq",
      rtc_start + rw(0x0a, 0x26) + rw(0x0b, 0x42) + rr(0x0c) + rtime(976563) + rr(0x0c) +
      rtime(500000) + rtime(500000) + rr(0x0c) + rw(0x0a, 0x2f) + rtime(600000000) + rr(0x0c) +
      rw(0x0a, 0x23) + rtime(200000) + rr(0x0c) + rw(0x0b, 0x02) + rtime(2000000) + rr(0x0c))
write("rtc", "alarm-update",
      rtc_start + rw(0x01, 0xc0) + rw(0x03, 0xc0) + rw(0x05, 0xc0) + rw(0x0b, 0x22) +
      rtime(1000000000) + rr(0x0c) + rw(0x01, 0x05) + rw(0x0b, 0x32) + rtime(1000000000) +
      rr(0x0c) + rtime(0xffffffff, 1) + rtime(0x80000000, 2) + rr(0x0c) + rr(0x01))
write("rtc", "binary-12h",
      rtc_start + rw(0x0b, 0x84) + rw(0x04, 0x8b) + rr(0x04) + rw(0x04, 0x0c) + rr(0x04) +
      rw(0x00, 59) + rr(0x00) + rw(0x0b, 0x04) + rtime(1500000000) + rr(0x00) + rr(0x02) +
      rw(0x0b, 0x06) + rr(0x04))
write("rtc", "divider-hold",
      rtc_start + rw(0x0a, 0x70) + rtime(2000000000) + rr(0x00) + rr(0x0a) + rw(0x0b, 0x12) +
      rw(0x0a, 0x20) + rtime(400000000) + rr(0x0c) + rtime(100000000) + rr(0x0c) + rr(0x0a))
write("rtc", "cmos-ram",
      struct.pack("<IB", 0x80000000, 0) + rw(0x0e, 0x00) + rw(0x10, 0x40) + rr(0x10) +
      rw(0x34, 0x12) + rw(0x35, 0x34) + rr(0x34) + rr(0x35) + rw(0x7f, 0xaa) + rr(0x7f) +
      rw(0x0c, 0xff) + rr(0x0c) + rw(0x0d, 0x00) + rr(0x0d) + rr(0x32))

# ---- vioapic: a mode byte (bit 0: every message taken), then records: op&7
# 0 IOREGSEL u32, 1 IOWIN u32, 2 read (bit 3: at u16 offset, bit 4: IOWIN),
# 3 write at u16 offset u32, 4/5 pin u8 low/high, 6 EOI u8, 7 entry u8 + u32
# (bit 3: high dword); op bit 7: this step's messages are taken ---------------
TAKE = 0x80
def isel(reg): return bytes([0]) + struct.pack("<I", reg)
def iwin(v, take=TAKE): return bytes([1 | take]) + struct.pack("<I", v)
def iread(win=True): return bytes([2 | (0x10 if win else 0)])
def iread_at(off): return bytes([2 | 8]) + struct.pack("<H", off)
def iwrite_at(off, v): return bytes([3]) + struct.pack("<HI", off, v)
def ipin(pin, level, take=TAKE): return bytes([(5 if level else 4) | take, pin])
def ieoi(vec, take=TAKE): return bytes([6 | take, vec])
def ientry(pin, lo, hi=None, take=TAKE):
    r = bytes([7 | take, pin]) + struct.pack("<I", lo)
    return r + (bytes([7 | 8 | take, pin]) + struct.pack("<I", hi) if hi is not None else b"")


LEVEL, MASKED, LOGICAL, ACTIVE_LOW = 1 << 15, 1 << 16, 1 << 11, 1 << 13
write("vioapic", "linux-setup",
      b"\x01" + isel(1) + iread() + isel(0) + iread() + ientry(2, 0x30, 0) +
      ientry(9, 0x39 | LEVEL | ACTIVE_LOW, 0x01000000) + ientry(4, 0x34 | LOGICAL, 0x03000000) +
      ipin(2, 1) + ipin(2, 0) + ipin(2, 1) + ipin(9, 1) + ipin(9, 1) + ieoi(0x39) + ipin(9, 0) +
      ieoi(0x39) + ipin(4, 1) + isel(0x10 + 18) + iread())
write("vioapic", "masked-lines",
      b"\x00" + ientry(4, 0x44 | MASKED) + ipin(4, 1) + ientry(4, 0x44) + ipin(4, 0) + ipin(4, 1) +
      ientry(5, 0x45 | MASKED | LEVEL) + ipin(5, 1) + ientry(5, 0x45 | LEVEL) + ieoi(0x45) +
      ientry(5, 0x45 | LEVEL | MASKED) + ieoi(0x45) + ipin(5, 0))
write("vioapic", "refused-then-taken",
      b"\x00" + ientry(10, 0x5a | LEVEL, take=0) + ipin(10, 1, take=0) + ientry(10, 0x5a | LEVEL, 0x02000000) +
      ieoi(0x5a, take=0) + ientry(11, 0x5a | LEVEL) + ipin(11, 1) + ieoi(0x5a) + ientry(10, 0x5a) +
      ipin(10, 0) + ipin(10, 1) + ientry(12, 0x700 | 0x5c) + ipin(12, 1))
write("vioapic", "registers",
      b"\x01" + isel(0) + iwin(0xff000000) + iread() + isel(2) + iread() + iwin(0x12345678) +
      isel(1) + iwin(0) + iread() + isel(0x40) + iwin(1) + iread() + isel(0x3f) + iread() +
      iread(False) + iread_at(0x20) + iwrite_at(0x20, 0xffffffff) + iread_at(0x14) + ipin(24, 1) +
      ipin(31, 1) + isel(0x11) + iwin(0xffffffff) + iread() + isel(0x10) + iwin(0xffffffff) + iread())


# a64mmio: A64 words as the GNU assembler encodes them (the unit test's cases),
# pairs, pre-/post-index singles, and one with a syndrome that is refused.
for name, word in [("ldp-w", 0x29400801), ("ldp-w-neg", 0x297f0861), ("ldpsw", 0x694014c4),
                   ("ldp-x-pre", 0xa9c123e7), ("stp-x-post", 0xa8be7bfd), ("stp-wzr", 0x29007c1f),
                   ("ldnp-w", 0x28410801), ("ldr-w-post", 0xb8404401), ("ldr-x-pre", 0xf85fcd22),
                   ("ldrb-post", 0x385f8423), ("ldrsb-x-post", 0x38804424),
                   ("ldrsh-w-pre", 0x78c02c45), ("strb-pre", 0x381f0c06),
                   ("str-w-post", 0xb8004401), ("ldr-w-nowb", 0xb9400001)]:
    write("a64mmio", name, struct.pack("<I", word))


# vgicd: cfg byte (vCPUs-1 | (LRs-1) << 2 | hardware PPI per vCPU << 4), then
# steps op, selector, offset (u16), value (u64); op bit 7 = write.
def gstep(op, sel=0, off=0, val=0): return struct.pack("<BBHQ", op, sel, off, val)
def greg(idx, val): return gstep(0x80, 0, idx, val)             # CTLR, IGROUPR, ISENABLER, ...
def gprio(spi, val): return gstep(0x81, 1, spi, val)
def groute(spi, vcpu): return gstep(0x81, 0, spi, vcpu)
def gline(intid, level): return gstep(3, intid - 28, 0, level)
def gsync(vcpu): return gstep(4, vcpu)
def gack(vcpu, lr): return gstep(6, vcpu | lr << 2)
def geoi(vcpu, lr): return gstep(6, vcpu | lr << 2 | 0x80)
write("vgicd", "linux-pl011",
      bytes([0x1 | 0x4 << 0 | 0x30]) + greg(0, 2) + greg(1, 0xffffffff) + gprio(0, 0xa0a0a0a0) +
      groute(1, 0) + greg(8, 0) + greg(2, 2) + gline(33, 1) + gsync(0) + gack(0, 0) + gline(33, 0) +
      geoi(0, 0) + gsync(0) + gline(33, 1) + groute(1, 1) + gsync(0) + gsync(1) + gack(1, 0) +
      geoi(1, 0) + gsync(1))
write("vgicd", "edge-priorities",
      bytes([0x3 | 0x4 << 2]) + greg(0, 3) + greg(9, 0xaaaaaaaa) + greg(2, 0xffff0000) +
      gprio(16, 0x10203040) + gprio(20, 0x05060708) + greg(4, 0xffff0000) + gsync(0) +
      gack(0, 0) + gack(0, 1) + greg(5, 0x00f00000) + greg(7, 0x00010000) + gsync(0) +
      gstep(7, 0) + gsync(0) + greg(3, 0xffffffff) + gsync(0))
write("vgicd", "reads",
      bytes([0x0]) + gstep(2, 0, 0x0000) + gstep(2, 0, 0x0004) + gstep(2, 0, 0x0008) +
      gstep(2, 0, 0xffe8) + gstep(1, 0, 5) + gstep(1, 1, 6) + gstep(0, 0, 4) +
      gstep(0x82, 3, 0x0420, 0xff) + gstep(0x82, 4, 0x0421, 0xffff))
