# gdb script for xen-tests/bench/exit-profile: single-steps the hypervisor
# through whole VM exits (from the instruction after VMRUN to the next VMRUN)
# and prints, per function, the instructions spent in it (self, innermost
# function including inlined ones) and under it (inclusive: every function
# on the call chain, inlined frames too). Parameters come from the
# environment: PROFILE_EXIT (exit-code range lo[-hi], hex), PROFILE_INFO1
# (optional: "mask=value" on EXITINFO1, hex), PROFILE_SKIP (matching exits
# to let pass first), PROFILE_SAMPLES (exits to step through).
import gdb, os, sys, collections
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from profile_steps import out, step_exit, print_profile

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
    path = []
    n = step_exit(vmrun_at, chain, self_count, incl_count, path=path if trace else None)
    total += n
    out("exit %#x info1 %#x: %d hypervisor instructions" % (code, i1, n))

if trace:
    for line in path:
        out("  " + line)
out("average over %d exits: %d instructions (VMRUN excluded)" % (samples, total // samples))
print_profile(samples, self_count, incl_count)
gdb.execute("kill")
