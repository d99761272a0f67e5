# gdb script for xen-tests/bench/exit-profile: single-steps the hypervisor
# through whole VM exits (from the instruction after VMRUN to the next VMRUN)
# and prints, per function, the instructions spent in it (self, innermost
# function including inlined ones) and under it (inclusive: every function
# on the call chain, inlined frames too). Parameters come from the
# environment: PROFILE_EXIT (exit-code range lo[-hi], hex), PROFILE_INFO1
# (optional: "mask=value" on EXITINFO1, hex), PROFILE_SKIP (matching exits
# to let pass first), PROFILE_SAMPLES (exits to step through).
import gdb, os, collections

def hexint(s):
    return int(s, 16)

lo, _, hi = os.environ.get("PROFILE_EXIT", "7b").partition("-")
lo = hexint(lo); hi = hexint(hi) if hi else lo
info1 = os.environ.get("PROFILE_INFO1", "")
info1_mask, info1_val = (hexint(x) for x in info1.split("=")) if info1 else (0, 0)
skip = int(os.environ.get("PROFILE_SKIP", "20"))
samples = int(os.environ.get("PROFILE_SAMPLES", "3"))
trace = os.environ.get("PROFILE_TRACE", "") != ""   # also list the last exit's path, line by line

gdb.execute("set pagination off")
gdb.execute("set confirm off")
# The instructions of svm_vmrun: the one after VMRUN is where an exit starts,
# VMRUN itself where the next entry ends the exit.
vmrun_at = after_vmrun = None
for insn in gdb.selected_inferior().architecture().disassemble(
        int(gdb.parse_and_eval("(long)&svm_vmrun")), count=64):
    if insn["asm"].startswith("vmrun"):
        vmrun_at = insn["addr"]
        after_vmrun = vmrun_at + insn["length"]
        break
assert vmrun_at, "no vmrun in svm_vmrun"

def out(line):
    # Marked: gdb's own stop output goes to the same stream.
    print("| " + line)

def chain(frame):
    """Function names from the innermost frame outwards (inlined frames too)."""
    out = []
    while frame is not None:
        f = frame.function()
        if f is None and out:
            break               # past the outermost C frame: no more symbols
        out.append(f.name if f else "0x%x" % frame.pc())
        try:
            frame = frame.older()
        except gdb.error:
            break
    return out

def read_u64(addr):
    return int(gdb.parse_and_eval("*(unsigned long long *)%d" % addr)) & (2**64 - 1)

bp = gdb.Breakpoint("*%d" % after_vmrun, internal=True)
bp.silent = True
self_count = collections.Counter()
incl_count = collections.Counter()
total = 0
taken = seen = 0
codes = collections.Counter()
while taken < samples:
    gdb.execute("continue", to_string=True)
    rax = int(gdb.parse_and_eval("$rax")) & (2**64 - 1)   # VMRUN restores the host's RAX: the VMCB
    code = read_u64(rax + 0x70) & 0xffffffff
    i1 = read_u64(rax + 0x78)
    codes[code] += 1
    if not (lo <= code <= hi) or (i1 & info1_mask) != info1_val:
        continue
    seen += 1
    if seen <= skip:
        continue
    taken += 1
    n = 0
    root = None
    path = []
    while True:
        pc = int(gdb.parse_and_eval("$pc")) & (2**64 - 1)
        if pc == vmrun_at:
            break
        fr = chain(gdb.newest_frame())
        if trace:
            sal = gdb.find_pc_line(pc)
            path.append("%#x %s:%s %s" % (pc, os.path.basename(sal.symtab.filename) if sal.symtab else "?",
                                          sal.line, fr[0]))
        self_count[fr[0]] += 1
        for name in set(fr):
            incl_count[name] += 1
        n += 1
        gdb.execute("stepi", to_string=True)
        if n > 200000:
            raise SystemExit("no VMRUN after 200000 steps")
    total += n
    out("exit %#x info1 %#x: %d hypervisor instructions" % (code, i1, n))

if trace:
    for line in path:
        out("  " + line)
out("average over %d exits: %d instructions (VMRUN excluded)" % (samples, total // samples))
out("%-40s %8s %8s" % ("function", "self", "incl"))
for name, c in sorted(incl_count.items(), key=lambda kv: -kv[1]):
    out("%-40s %8.1f %8.1f" % (name, self_count[name] / samples, c / samples))
gdb.execute("kill")
