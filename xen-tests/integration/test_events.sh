#!/usr/bin/env bash
# Debug and life-cycle events carry sequence numbers and are queued in the
# hypervisor: a client that disconnects and reconnects loses none.
. "$(dirname "$0")/lib.sh"
cc -O2 -I$DIST/include $(dirname "$0")/progs/events_reconnect.c -o $TMP/events \
   -L$DIST/lib -Wl,-rpath,$DIST/lib -ldebugctl
check "client builds against the installed libdebugctl" [ -x $TMP/events ]

hv_start --domain $G/ticker.elf,name=long,cmdline="count=0" \
         --domain $G/ticker.elf,name=short,cmdline="count=40 delay=20000000"
check "hypervisor up" wait_for $XL list
$TMP/events phase1 $TMP/state > $TMP/p1
check "phase 1: reads events" [ $? -eq 0 ]
reject_line $TMP/p1 'type=5 ' "phase 1: 'short' has not shut down yet"
# Disconnected: 'short' ends (about 0.8 s), and a domain is created and destroyed.
$XL destroy long
sleep 2
$TMP/events phase2 $TMP/state > $TMP/p2
check "phase 2: reads events after reconnecting" [ $? -eq 0 ]
expect_line $TMP/p2 'dom=2 type=5 code=0$' "phase 2: the shutdown of 'short' (exit code 0) was kept"
expect_line $TMP/p2 'dom=1 type=7 ' "phase 2: the destruction of 'long' was kept"
expect_line $TMP/p2 '^lost=0 ' "phase 2: nothing lost"
reject_line $TMP/p2 "seq=$(( $(sed -n 's/^lost=.* next=//p' $TMP/p1) - 1 )) " "phase 2: no event from phase 1 repeated"
finish
