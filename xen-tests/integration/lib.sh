# Helpers for integration tests: boot the real hypervisor with the launcher
# and assert on what a user sees. Sourced by test_*.sh.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DIST=${DIST:-$ROOT/dist}
G=$DIST/share/dbgvisor/guests
DBGVISOR=$DIST/bin/dbgvisor
XL=$DIST/bin/xl
TMP=$(mktemp -d /tmp/dbgvisor-test.XXXXXX)
export DBGCTL_URI="unix:$TMP/control.sock"
checks=0 failures=0
trap 'cleanup' EXIT
cleanup() {
    [ -f "$TMP/control.sock.pid" ] && "$DBGVISOR" stop --socket "$TMP/control.sock" >/dev/null 2>&1
    rm -rf "$TMP"
}

ok()   { checks=$((checks + 1)); echo "ok - $*"; }
bad()  { checks=$((checks + 1)); failures=$((failures + 1)); echo "not ok - $*"; }
# check WHAT CMD...: one command decides; `check W [ a ] && [ b ]` would leave
# `[ b ]` outside the check, so compound conditions go through a function
# (below) or `sh -c`. Returns the command's verdict, so `check ... || diag`
# can print diagnostics.
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; return 1; fi; }
# num_lt A B: both are integers and A < B (a counter grew, an order held).
num_lt() { [[ $1 =~ ^[0-9]+$ && $2 =~ ^[0-9]+$ ]] && [ "$1" -lt "$2" ]; }
# check_log WHAT LOG CMD...: check, and when it fails show LOG, indented.
check_log() {
    local what=$1 log=$2; shift 2
    if ! check "$what" "$@"; then sed 's/^/#   /' "$log"; fi
}
# expect_line FILE REGEX DESCRIPTION
expect_line() { if grep -Eq -- "$2" "$1"; then ok "$3"; else bad "$3 (no line matching /$2/ in $1)"; sed 's/^/#   /' "$1" | tail -20; fi; }
reject_line() { if grep -Eq -- "$2" "$1"; then bad "$3 (unexpected /$2/)"; else ok "$3"; fi; }

# hv_run OUTFILE [launcher args...]: runs `dbgvisor run`, records status in $status.
# Its own socket, so tests never collide with a `make run` or another test.
hv_run() { local out=$1; shift; "$DBGVISOR" run --timeout 120 --socket "$TMP/run.sock" "$@" >"$out" 2>&1; status=$?; }

# Lines a domain printed, without the "[name] " prefix.
domain_lines() { sed -n "s/^\[$2\] //p" "$1"; }
# with_quirks GUEST RECORD: RECORD (a guest's native output) with each line
# where QEMU TCG departs from the architecture replaced by the architectural
# line xen-tests/guests/native-quirks.txt gives for GUEST; fails if a listed
# line is not in the record (the list stays exact).
with_quirks() {
    python3 - "$1" "$2" "$ROOT/xen-tests/guests/native-quirks.txt" <<'PY'
import sys
guest, record, quirks = sys.argv[1:]
lines = open(record).read().split("\n")
for q in open(quirks):
    if q.startswith("#") or not q.strip():
        continue
    g, native, arch, why = q.rstrip("\n").split("|", 3)
    if g != guest:
        continue
    if native not in lines:
        sys.exit(f"native-quirks.txt: '{native}' is not in the native {guest} record")
    lines[lines.index(native)] = arch
sys.stdout.write("\n".join(lines))
PY
}

hv_start() { "$DBGVISOR" start --socket "$TMP/control.sock" "$@" >"$TMP/start.out" 2>&1 || { cat "$TMP/start.out"; return 1; }; }
hv_stop()  { "$DBGVISOR" stop --socket "$TMP/control.sock" >/dev/null 2>&1; }

# wait_for CMD...: retry for up to 30 s.
wait_for() { for _ in $(seq 150); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done; return 1; }

# write_cfg NAME IMAGE MEMORY [CMDLINE]: an xl config in $TMP/NAME.cfg.
write_cfg() {
    printf 'name = "%s"\nkernel = "%s"\nmemory = %s\nvcpus = 1\n' "$1" "$2" "$3" > $TMP/$1.cfg
    [ $# -lt 4 ] || printf 'cmdline = "%s"\n' "$4" >> $TMP/$1.cfg
}

# create_paused NAME IMAGE: `xl create -p` of a one-vCPU, 32 MiB domain that
# stays listed once it ends (on_poweroff/on_crash "preserve": the tests read
# its console and debug state afterwards). The
# builder writes the image over the serial control channel; on a loaded
# machine one write can time out, so destroy the half-built domain and retry.
create_paused() {
    write_cfg "$1" "$2" 32
    printf 'on_poweroff = "preserve"\non_crash = "preserve"\n' >> $TMP/$1.cfg
    for _ in 1 2 3; do
        $XL create -p $TMP/$1.cfg && return 0
        $XL destroy $1 > /dev/null 2>&1; sleep 1
    done
    return 1
}
create_paused_selfdebug() { create_paused "$1" "$G/selfdebug.elf"; }

# need_linux: the Debian kernel and the drtest initramfs (scripts/fetch-linux.sh)
# in $LX; a fetch that fails (no package mirror, say) fails the test.
need_linux() {
    local rc
    bash "$ROOT/scripts/fetch-linux.sh" >"$TMP/fetch.out" 2>&1
    rc=$?
    # Not a skip: a suite that cannot fetch its kernel has not tested Linux.
    if ! check "fetch-linux.sh builds the kernel and initramfs (status $rc)" [ $rc -eq 0 ]; then
        sed 's/^/#   /' "$TMP/fetch.out"; finish; exit
    fi
    LX=${BUILD:-$ROOT/build}/linux
}

finish() {
    echo "# $checks checks, $failures failed"
    [ "$failures" -eq 0 ]
}

# need_qemu_arm64: QEMU_ARM64 set, or the test skips (exit 0) where it is missing.
need_qemu_arm64() {
    QEMU_ARM64=${QEMU_ARM64:-qemu-system-aarch64}
    command -v "$QEMU_ARM64" >/dev/null 2>&1 && return 0
    echo "# SKIP: $QEMU_ARM64 not installed (make deps installs qemu-system-arm from backports)"
    exit 0
}
