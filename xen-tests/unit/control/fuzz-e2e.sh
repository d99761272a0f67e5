#!/usr/bin/env bash
# 10,000+ malformed frames into fake-hv over its socket, directly and through
# dbgctl-mux; afterwards both must still answer correctly.
#   fuzz-e2e.sh FAKE_HV CTL_FUZZ MUX
set -u
FAKE_HV=$1 FUZZ=$2 MUX=$3
T=$(mktemp -d /tmp/fuzz-e2e.XXXXXX)
cleanup() { kill ${MUXPID:-} ${HVPID:-} 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
fail=0

"$FAKE_HV" --socket "$T/hv.sock" --domains 2 --ready-file "$T/ready" & HVPID=$!
for _ in $(seq 100); do [ -e "$T/ready" ] && break; sleep 0.05; done
"$FUZZ" --frames 12000 --destructive "unix:$T/hv.sock" || fail=1
"$MUX" --hv "unix:$T/hv.sock" --listen "unix:$T/control.sock" & MUXPID=$!
for _ in $(seq 100); do [ -S "$T/control.sock" ] && break; sleep 0.05; done
"$FUZZ" --frames 12000 --seed 7 "unix:$T/control.sock" || fail=1
echo "fuzz-e2e: $([ $fail -eq 0 ] && echo passed || echo FAILED)"
exit $fail
