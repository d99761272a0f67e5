#!/usr/bin/env python3
"""A multiboot ELF32 kernel of SIZE MiB (default 15) for `make bench`: one
PT_LOAD of pseudo-random bytes at 1 MiB that starts with a multiboot header
and a halt loop, so `xl create -p` moves an image the size of a distribution
kernel through the control channel.   bigimage.py OUT [MIB]"""
import random, struct, sys

out, mib = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 15
base, off = 0x100000, 0x1000
code = struct.pack('<III', 0x1BADB002, 0, (-0x1BADB002) & 0xffffffff) + b'\xfa\xf4\xeb\xfd'  # cli; hlt; jmp .-1
body = code + random.Random(1).randbytes(mib * 1024 * 1024 - len(code))
ehdr = struct.pack('<16sHHIIIIIHHHHHH', b'\x7fELF\x01\x01\x01' + bytes(9), 2, 3, 1,
                   base + 12, 52, 0, 0, 52, 32, 1, 0, 0, 0)
phdr = struct.pack('<IIIIIIII', 1, off, base, base, len(body), len(body), 7, 0x1000)
with open(out, 'wb') as f:
    f.write(ehdr + phdr + bytes(off - 52 - 32) + body)
