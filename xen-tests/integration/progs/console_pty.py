#!/usr/bin/env python3
"""Drive `xl console DOMAIN` on a pseudo-terminal as a user at a keyboard.

Checks, printed as "ok - ..." / "not ok - ..." lines: xl puts the terminal
in raw mode (no echo, no line editing, no signals), keystrokes reach the
guest (uart-echo answers "echo: LINE"), Ctrl-C goes to the guest instead of
killing xl, Ctrl-] detaches with exit status 0 and the terminal modes are
restored. Usage: console_pty.py XL DOMAIN
"""
import os
import pty
import select
import sys
import termios
import time

xl, dom = sys.argv[1], sys.argv[2]
failures = 0


def check(ok, what):
    global failures
    print(("ok - " if ok else "not ok - ") + what, flush=True)
    failures += not ok


def read_until(fd, needle, timeout):
    """Output from the pty until needle appears (or the time is up)."""
    data, end = b"", time.time() + timeout
    while needle not in data and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
    return data


pid, master = pty.fork()
if pid == 0:
    os.execv(xl, [xl, "console", dom])

before = termios.tcgetattr(master)
# Wait for xl to switch the terminal to raw mode.
raw = before
for _ in range(100):
    raw = termios.tcgetattr(master)
    if not raw[3] & termios.ICANON:
        break
    time.sleep(0.1)
lflag = raw[3]
check(not lflag & (termios.ICANON | termios.ECHO | termios.ISIG),
      "xl console: terminal raw (no ICANON, ECHO, ISIG)")

os.write(master, b"typed at a tty\n")
out = read_until(master, b"echo: typed at a tty", 60)
check(b"echo: typed at a tty" in out, "keystrokes reach the guest and its echo comes back")

os.write(master, b"a\x03b\n")   # Ctrl-C is a byte for the guest in raw mode
out = read_until(master, b"echo: a\x03b", 60)
check(b"echo: a\x03b" in out, "Ctrl-C goes to the guest, xl keeps running")

os.write(master, b"\x1d")       # Ctrl-]
status = None
for _ in range(100):
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = st
        break
    time.sleep(0.1)
check(status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0,
      "Ctrl-] detaches: xl exits with status 0")
after = termios.tcgetattr(master)
check(after[3] & (termios.ICANON | termios.ECHO | termios.ISIG) ==
      before[3] & (termios.ICANON | termios.ECHO | termios.ISIG) and after[0] == before[0],
      "terminal modes restored after detaching")
if status is None:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
sys.exit(1 if failures else 0)
