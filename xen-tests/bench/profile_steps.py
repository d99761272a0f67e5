# Shared by the exit profilers' gdb scripts (exit-profile-arm64.py; x86's
# exit-profile.py has the same loop and can move here): single-step the
# hypervisor through one exit and count instructions per function, then
# print the table.
import gdb

def out(line):
    print("| " + line)   # marked: gdb's own output shares the stream

def step_exit(stop_pc, chain, self_count, incl_count, limit=200000):
    """Step until pc is stop_pc (not counted); per instruction, the innermost
    function of chain(frame) gets a self count and every one on it an
    inclusive one. Returns the instructions stepped."""
    n = 0
    while int(gdb.parse_and_eval("$pc")) & (2**64 - 1) != stop_pc:
        names = chain(gdb.newest_frame())
        self_count[names[0]] += 1
        for name in set(names):
            incl_count[name] += 1
        n += 1
        gdb.execute("stepi", to_string=True)
        if n > limit:
            raise SystemExit("no exit end after %d steps" % limit)
    return n

def print_profile(samples, self_count, incl_count):
    out("%-40s %8s %8s" % ("function", "self", "incl"))
    for name, c in sorted(incl_count.items(), key=lambda kv: -kv[1]):
        out("%-40s %8.1f %8.1f" % (name, self_count[name] / samples, c / samples))
