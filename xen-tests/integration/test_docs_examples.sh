#!/usr/bin/env bash
# The examples of README.md and docs/xl.md, cut from the documents and run
# as written against a hypervisor with `make run`'s demo domains: the
# DBGCTL_URI export names the socket scripts/demo.sh uses, `xl list` lists
# the demo, the gdb example stops at its breakpoint and ends, and the xl.cfg
# example of docs/xl.md creates its domain. Only the gdb port is changed (to
# a free one), since other tests may hold 1234.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

# The demo's socket when DBGVISOR_SOCKET is not set, by demo.sh's own line.
export XDG_RUNTIME_DIR=$TMP/xdg
mkdir -p -m 700 $XDG_RUNTIME_DIR
demo_sock=$(unset DBGVISOR_SOCKET; eval "$(grep -m1 '^SOCK=' scripts/demo.sh)"; echo "$SOCK")
check "scripts/demo.sh's socket is under XDG_RUNTIME_DIR ($demo_sock)" [ "$demo_sock" = $XDG_RUNTIME_DIR/dbgvisor-demo/control.sock ]
readme_export=$(grep -m1 -E '^ +\$ export DBGCTL_URI=' README.md | sed 's/^ *\$ //')
check "README has the DBGCTL_URI export" [ -n "$readme_export" ]
for xdg in "$XDG_RUNTIME_DIR" ""; do
    got=$(XDG_RUNTIME_DIR=$xdg bash -c "$readme_export; echo \$DBGCTL_URI")
    want=unix:$(XDG_RUNTIME_DIR=$xdg bash -c "unset DBGVISOR_SOCKET; $(grep -m1 '^SOCK=' scripts/demo.sh); echo \$SOCK")
    check "README's export equals the demo's socket (XDG_RUNTIME_DIR='$xdg': $got)" [ "$got" = "$want" ]
done

# The demo's domains (demo.sh's start line without the Linux domain).
$DBGVISOR start --socket $demo_sock --smp 2 \
    --domain "$G/dr-stress.elf,name=dr-heavy,policy=adaptive,cmdline=iterations=0 every=200 delay=5000" \
    --domain "$G/debugloop.elf,name=self-debug,policy=lazy-sched,cmdline=every=100" \
    --domain "$G/ticker.elf,name=idle,cmdline=count=0 delay=50000000" > $TMP/demo.out 2>&1
check "the demo domains start" [ $? -eq 0 ]
trap '$DBGVISOR stop --socket $demo_sock > /dev/null 2>&1; cleanup' EXIT
eval "$readme_export"
check "xl list through README's DBGCTL_URI" wait_for dist/bin/xl list self-debug
dist/bin/xl list > $TMP/list.out 2>&1
expect_line $TMP/list.out '^self-debug +2 ' "README's xl list shows the demo"

# README's gdb example: two command lines after "Debug a guest with gdb".
sed -n '/^Debug a guest with gdb/,/^[A-Z]/p' README.md | grep '^    ' | sed 's/^    //' |
    sed -e ':a' -e '/\\$/N; s/\\\n *//; ta' > $TMP/gdb-example
check "README's gdb example found (2 commands)" [ "$(wc -l < $TMP/gdb-example)" -eq 2 ]
PORT=$(( 20000 + RANDOM % 20000 ))
sed -i "s/1234/$PORT/g" $TMP/gdb-example
stub=$(sed -n 1p $TMP/gdb-example | sed 's/ &$//')
gdbcmd=$(sed -n 2p $TMP/gdb-example)
bash -c "$stub" > $TMP/stub.out 2>&1 &
stub_pid=$!
sleep 1
timeout 120 bash -c "$gdbcmd" > $TMP/gdb.out 2>&1
check_log "README's gdb command ends by itself (status 0)" $TMP/gdb.out [ $? -eq 0 ]
expect_line $TMP/gdb.out '^Breakpoint 1, 0x[0-9a-f]+ in dl_target' "README's gdb example stops at dl_target"
expect_line $TMP/gdb.out '^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <dl_target>' "info registers rip at the breakpoint"
wait $stub_pid
check_log "the stub ends when gdb detaches" $TMP/stub.out [ $? -eq 0 ]
check "self-debug runs on after the session" bash -c "dist/bin/xl list self-debug | grep -q -E '^self-debug +2 .*(r-----|-b----)'"

# docs/xl.md's xl.cfg example, from the repository root as written.
sed -n '/^Example:/,/^## /p' docs/xl.md | grep '^    ' | sed 's/^    //' > $TMP/xlmd.cfg
check "docs/xl.md's example found" grep -q '^kernel = ' $TMP/xlmd.cfg
dist/bin/xl create -p $TMP/xlmd.cfg > $TMP/xlmd.out 2>&1
check_log "docs/xl.md's example: xl create" $TMP/xlmd.out [ $? -eq 0 ]
expect_line <(dist/bin/xl list ticker) '^ticker +[0-9]+ +64 +2 ' "docs/xl.md's example: 64 MiB, 2 vCPUs"
dist/bin/xl destroy ticker > /dev/null 2>&1
finish
