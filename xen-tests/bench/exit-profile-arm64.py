# gdb script for xen-tests/bench/exit-profile-arm64: single-steps the AArch64
# hypervisor through whole exits, from the lower-EL synchronous vector
# (el2_vectors + 0x400) to the ERET in guest_enter (not counted), and prints
# per function the instructions spent in it (self: the innermost function,
# inlined ones included) and under it (incl: every function on the call chain).
# Environment: PROFILE_EC (exception class, hex), PROFILE_ISS ("mask=value" on
# ESR_EL2's ISS, hex; optional), PROFILE_SKIP (matching exits to let pass
# first), PROFILE_SAMPLES (exits to step through).
import gdb, os, sys, collections
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from profile_steps import out, step_exit, print_profile

ec_wanted = int(os.environ.get("PROFILE_EC", "16"), 16)
iss = os.environ.get("PROFILE_ISS", "")
iss_mask, iss_val = (int(x, 16) for x in iss.split("=")) if iss else (0, 0)
skip = int(os.environ.get("PROFILE_SKIP", "20"))
samples = int(os.environ.get("PROFILE_SAMPLES", "3"))

gdb.execute("set pagination off")
gdb.execute("set confirm off")
arch = gdb.selected_inferior().architecture()
vector = int(gdb.parse_and_eval("(long)&el2_vectors")) + 0x400
eret_at = next(i["addr"] for i in arch.disassemble(int(gdb.parse_and_eval("(long)&guest_enter")), count=64)
               if i["asm"].startswith("eret"))

def symbol(pc):
    """The assembly label holding pc (vectors, world switch: no debug info)."""
    s = gdb.execute("info symbol %d" % pc, to_string=True)
    return s.split(" in ")[0].split(" + ")[0].strip() if " in " in s else "0x%x" % pc

def chain(frame):
    """Function names from the innermost frame outwards (inlined frames too)."""
    names = []
    while frame is not None:
        f = frame.function()
        if f is None:
            if not names:
                names.append(symbol(frame.pc()))
            break
        names.append(f.name)
        try:
            frame = frame.older()
        except gdb.error:
            break
    return names

bp = gdb.Breakpoint("*%d" % vector, internal=True)
bp.silent = True
self_count, incl_count = collections.Counter(), collections.Counter()
total = taken = seen = 0
while taken < samples:
    gdb.execute("continue", to_string=True)
    esr = int(gdb.parse_and_eval("$ESR_EL2")) & 0xffffffff
    if esr >> 26 != ec_wanted or (esr & 0x1ffffff & iss_mask) != iss_val:
        continue
    seen += 1
    if seen <= skip:
        continue
    taken += 1
    n = step_exit(eret_at, chain, self_count, incl_count)
    total += n
    out("exit ESR_EL2 %#x: %d hypervisor instructions" % (esr, n))

out("average over %d exits: %d instructions (vector entry to ERET, ERET excluded)" % (samples, total // samples))
print_profile(samples, self_count, incl_count)
gdb.execute("kill")
