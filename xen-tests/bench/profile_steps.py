# Shared by the exit profilers' gdb scripts (exit-profile.py for x86,
# exit-profile-arm64.py): single-step the
# hypervisor through one exit and count instructions per function, then
# print the table.
import gdb, os

def out(line):
    print("| " + line)   # marked: gdb's own output shares the stream

def step_exit(stop_pc, chain, self_count, incl_count, limit=200000, path=None):
    """Step until pc is stop_pc (not counted); per instruction, the innermost
    function of chain(frame) gets a self count and every one on it an
    inclusive one; with path (a list), each instruction's "pc file:line
    function" is appended. Returns the instructions stepped."""
    n = 0
    while True:
        pc = int(gdb.parse_and_eval("$pc")) & (2**64 - 1)
        if pc == stop_pc:
            break
        names = chain(gdb.newest_frame())
        if path is not None:
            sal = gdb.find_pc_line(pc)
            path.append("%#x %s:%s %s" % (pc, os.path.basename(sal.symtab.filename)
                                          if sal.symtab else "?", sal.line, names[0]))
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
