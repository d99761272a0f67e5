#!/usr/bin/env bash
# `make run`: the hypervisor with three demo domains and a control socket,
# plus a Linux domain running drtest in a loop when scripts/fetch-linux.sh can
# get the kernel (docs/linux-guests.md).
# Uses dbgtop when it is built; otherwise follows the console. Ctrl-C (or q
# in dbgtop) stops everything.
set -u
cd "$(dirname "$0")/.."
DIST=$PWD/dist
G=$DIST/share/dbgvisor/guests
SOCK=${DBGVISOR_SOCKET:-${XDG_RUNTIME_DIR:-/tmp/dbgvisor-$(id -u)}/dbgvisor-demo/control.sock}
export DBGCTL_URI="unix:$SOCK"

"$DIST/bin/dbgvisor" stop --socket "$SOCK" >/dev/null 2>&1
LINUX=() LX=$PWD/build/linux
if bash scripts/fetch-linux.sh >/dev/null 2>&1; then
    LINUX=(--domain "$LX/vmlinuz,name=linux,policy=adaptive,vcpus=2,mem=256,ramdisk=$LX/initrd.gz,cmdline=console=ttyS0 quiet dbgv.run=loop dbgv.args=workers=4,writes=20000")
fi
"$DIST/bin/dbgvisor" start --socket "$SOCK" --smp 2 "${LINUX[@]}" \
    --domain "$G/dr-stress.elf,name=dr-heavy,policy=adaptive,cmdline=iterations=0 every=200 delay=5000" \
    --domain "$G/debugloop.elf,name=self-debug,policy=lazy-sched,cmdline=every=100" \
    --domain "$G/ticker.elf,name=idle,cmdline=count=0 delay=50000000" || exit 1
trap '"$DIST/bin/dbgvisor" stop --socket "$SOCK"' EXIT INT TERM
cat <<MSG

  dbgvisor is running the demo domains${LINUX:+ (and Linux, drtest in a loop)}. From another terminal:
    export DBGCTL_URI=unix:$SOCK
    $DIST/bin/xl list
    $DIST/bin/xl debug-state dr-heavy
    $DIST/bin/xl debug-policy dr-heavy trap     # watch DR-exits climb

MSG
if [ -x "$DIST/bin/dbgtop" ] && [ -t 1 ]; then
    "$DIST/bin/dbgtop"
else
    echo "Following the consoles (Ctrl-C stops the demo)..."
    tail -n +1 -f "${SOCK%.sock}.console.log"
fi
