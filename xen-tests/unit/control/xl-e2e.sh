#!/usr/bin/env bash
# End-to-end test of the real xl binary against fake-hv (the hypervisor's
# control server built hosted): text formats, JSON (parsed with python3),
# create/console/pause/unpause/destroy round trips, errors and exit codes.
# With LIBXL_CLIENT, also runs a plain Xen libxl program against it; with
# MUX (dbgctl-mux) in the environment, runs everything through the mux.
#   [MUX=dbgctl-mux] xl-e2e.sh FAKE_HV XL KERNEL [LIBXL_CLIENT]
set -u
FAKE_HV=$1 XL=$2 KERNEL=$3 LXC=${4:-}
T=$(mktemp -d /tmp/xl-e2e.XXXXXX)
SOCK=$T/hv.sock
export DBGCTL_URI=unix:$SOCK
pass=0 fail=0

cleanup() {
    [ -n "${MUXPID:-}" ] && kill "$MUXPID" 2>/dev/null
    [ -n "${HVPID:-}" ] && kill "$HVPID" 2>/dev/null
    wait 2>/dev/null; rm -rf "$T"
}
trap cleanup EXIT

ok()   { pass=$((pass + 1)); echo "  ok   $1"; }
bad()  { fail=$((fail + 1)); echo "  FAIL $1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; return 1; fi; }

"$FAKE_HV" --socket "$SOCK" --domains 2 --ready-file "$T/ready" & HVPID=$!
for _ in $(seq 600); do [ -e "$T/ready" ] && break; sleep 0.05; done
if [ -n "${MUX:-}" ]; then
    "$MUX" --hv "unix:$SOCK" --listen "unix:$T/control.sock" & MUXPID=$!
    for _ in $(seq 600); do [ -S "$T/control.sock" ] && break; sleep 0.05; done
    export DBGCTL_URI=unix:$T/control.sock
    echo "  (through dbgctl-mux)"
fi

# list: Xen's header and Domain-0 first.
out=$("$XL" list); rc=$?
check "list exits 0" [ $rc -eq 0 ]
check "list header" [ "$(echo "$out" | head -1)" = "$(printf 'Name                                        ID   Mem VCPUs\tState\tTime(s)')" ]
check "Domain-0 first" bash -c "echo '$out' | sed -n 2p | grep -q '^Domain-0  *0 '"
check "demo domains listed" bash -c "echo '$out' | grep -q '^demo2  *2  *16  *2  *r-----'"

# JSON parses and carries the fields.
"$XL" list -l > "$T/list.json"
check "list -l is JSON" python3 -c "
import json,sys
d=json.load(open('$T/list.json'))
assert d[0]['config']['c_info']['name']=='Domain-0' and d[0]['domid']==0 and d[0]['dbgvisor']['control_domain']
assert d[1]['dbgvisor']['state']=='running' and d[1]['config']['b_info']['target_memkb']==16384
"

# create from a config file, with the real multiboot image.
cat > "$T/guest.cfg" <<CFG
# test guest
name = "e2e"
kernel = "$KERNEL"
memory = 32
vcpus = 2
cmdline = "hello=world"
debug_policy = "trap"
# Kept after it shuts down, for the checks below (the default, destroy, lets
# xl create's monitor remove it at any moment after the shutdown).
on_poweroff = "preserve"
CFG
"$XL" create -q "$T/guest.cfg"; rc=$?
check "create exits 0" [ $rc -eq 0 ]
check "created domain running" bash -c "'$XL' list e2e | grep -q '^e2e  *3  *32  *2  *r-----'"
"$XL" console -b e2e > "$T/con.txt"
check "guest saw multiboot info (argv[0] is the kernel path)" grep -qF "mem_lower=640 mem_upper=31744 cmdline='$KERNEL hello=world'" "$T/con.txt"
check "guest entry code loaded" grep -q 'code at entry: f4 eb fd' "$T/con.txt"
check "debug policy from cfg" bash -c "'$XL' list -l e2e | python3 -c 'import json,sys; assert json.load(sys.stdin)[0][\"dbgvisor\"][\"debug_policy\"]==\"trap\"'"
check "vcpu-list shows 2 vCPUs" [ "$("$XL" vcpu-list e2e | tail -n +2 | wc -l)" -eq 2 ]

# console follow: prints ticks, exits when the domain is destroyed.
# The domain is destroyed once xl shows its output (not after a fixed delay:
# a sanitized xl on a loaded machine may start later than that).
timeout -k 5 60 "$XL" console demo1 > "$T/follow.txt" & follower=$!
for _ in $(seq 600); do grep -q 'demo1: tick' "$T/follow.txt" && break; sleep 0.1; done
"$XL" destroy demo1
wait "$follower"; rc=$?
check "console follow ends with the domain" [ $rc -eq 0 ]
check "console follow saw output" grep -q 'demo1: tick' "$T/follow.txt"

# console input (the fake's guest echoes what its UART receives): stdin
# bytes reach the guest in order through the receiver's room (17 > 16
# bytes: flow control, no overrun), EOF on stdin does not end the domain
# or the console, Ctrl-] detaches and leaves the domain running.
# Once the guest has echoed the line (xl has read stdin to its EOF by then),
# xl must still be following a second later, and end on SIGTERM (as on
# Ctrl-C) with exit 0. No wall-clock limit decides: a loaded machine may take
# seconds to start a sanitized xl.
printf 'hello-console-input\n' > "$T/input.in"
"$XL" console e2e < "$T/input.in" > "$T/input.txt" 2> "$T/input.err" & follower=$!
follower_alive() { kill -0 "$follower" 2>/dev/null; }
echoed() { grep -q '^hello-console-input$' "$T/input.txt"; }
for _ in $(seq 600); do echoed && break; follower_alive || break; sleep 0.1; done
check "bytes from stdin reached the guest" echoed
sleep 1
check "console keeps following after stdin's EOF" follower_alive
kill -TERM "$follower"
wait "$follower"; rc=$?
if ! check "console ends on SIGTERM with exit 0" [ $rc -eq 0 ]; then
    echo "       exit $rc; stderr: $(head -c 300 "$T/input.err")"
fi
printf 'before\035after' | timeout -k 5 60 "$XL" console e2e > /dev/null; rc=$?
check "Ctrl-] in the input detaches (exit 0)" [ $rc -eq 0 ]
check "bytes before Ctrl-] were sent, none after" bash -c "'$XL' console -b e2e | grep -q 'before' && ! '$XL' console -b e2e | grep -q 'after'"
check "the domain runs on after detaching" bash -c "'$XL' list e2e | grep -q 'r-----'"
"$XL" console -n 1 e2e < /dev/null > /dev/null 2> "$T/err"; rc=$?
check "console -n 1: no such console (exit 1)" [ $rc -eq 1 ]
check "console -n 1: says so" grep -q 'no console 1' "$T/err"
"$XL" console -n x e2e < /dev/null > /dev/null 2> "$T/err"; rc=$?
check "console -n x: usage error" bash -c "[ $rc -ne 0 ] && grep -q usage '$T/err'"
"$XL" console -t bogus e2e < /dev/null > /dev/null 2>&1; rc=$?
check "console -t bogus: error" [ $rc -eq 1 ]

# pause / unpause / destroy round trip.
"$XL" pause e2e
check "pause" bash -c "'$XL' list e2e | grep -q -- '--p---'"
"$XL" unpause 3
check "unpause" bash -c "'$XL' list e2e | grep -q 'r-----'"
"$XL" debug-policy e2e adaptive --quiet-switches 4
check "debug-policy set" bash -c "'$XL' debug-state -l e2e | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"policy\"]==\"adaptive\" and d[\"quiet_switches\"]==4 and len(d[\"vcpus\"])==2'"
check "debug-state text" bash -c "'$XL' debug-state e2e | grep -q '^   1 adaptive'"
"$XL" shutdown -w e2e
check "shutdown" bash -c "'$XL' list e2e | grep -q -- '---s--'"
"$XL" destroy e2e
check "destroy" bash -c "! '$XL' list e2e 2>/dev/null"

# Errors: nonzero exit, exactly one line on stderr.
one_line_err() {
    local err; err=$("$@" 2>&1 >/dev/null); local rc=$?
    [ $rc -ne 0 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && [ -n "$err" ]
}
check "unknown domain" one_line_err "$XL" pause nosuch
check "bad arguments" one_line_err "$XL" destroy
check "unknown command" one_line_err "$XL" frobnicate
check "bad option" one_line_err "$XL" list --bogus
check "no hypervisor" one_line_err env DBGCTL_URI=unix:$T/none.sock "$XL" list
printf 'name = "x"\nmemory 12\n' > "$T/bad.cfg"
check "cfg error names the line" bash -c "'$XL' create '$T/bad.cfg' 2>&1 | grep -q 'bad.cfg:2: config parsing error near .12.: expected'"
printf 'name = "y"\nkernel = "%s"\n' "$T/bad.cfg" > "$T/badk.cfg"
check "bad kernel rejected" one_line_err "$XL" create -q "$T/badk.cfg"
check "bad kernel leaves no domain" bash -c "! '$XL' list y 2>/dev/null"
check "help exits 0" bash -c "'$XL' help >/dev/null"
check "dmesg" bash -c "'$XL' dmesg | grep -q 'fake dbgvisor started'"
check "info" bash -c "'$XL' info | grep -q '^nr_cpus                : 2'"

# Through the mux, a client that holds its connection mid-frame (for 60 s,
# ready once it has sent) does not block others: xl list ends well before.
if [ -n "${MUX:-}" ]; then
    python3 -c "
import socket,time
s=socket.socket(socket.AF_UNIX); s.connect('$T/control.sock'); s.send(b'DBGV\x01')
open('$T/holding','w').close(); time.sleep(60)" &
    holder=$!
    for _ in $(seq 600); do [ -e "$T/holding" ] && break; sleep 0.1; done
    check "mux serves others while one client idles mid-frame" bash -c "timeout 30 '$XL' list >/dev/null"
    kill $holder 2>/dev/null; wait $holder 2>/dev/null
fi

# The libxl-API client sees the same hypervisor.
if [ -n "$LXC" ]; then
    check "libxl list" bash -c "'$LXC' list | grep -q '^Domain-0 0 '"
    check "libxl info" bash -c "'$LXC' info | grep -q 'cpus 2'"
    check "libxl vcpus" bash -c "'$LXC' vcpus demo2 | grep -c '^vcpu' | grep -q 2"
    check "libxl pause" bash -c "'$LXC' pause demo2 | grep -q 'paused 1'"
    check "libxl pause seen by xl" bash -c "'$XL' list demo2 | grep -q -- '--p---'"
    check "libxl unpause" bash -c "'$LXC' unpause demo2 | grep -q 'running 1'"
    check "libxl destroy" bash -c "'$LXC' destroy demo2 | grep -q 'exists 0'"
    check "libxl unknown domain fails" bash -c "! '$LXC' pause demo2 2>/dev/null"
fi

# 16 domains: list must stay fast (measured, not a pass/fail bound here).
for i in $(seq 16); do
    "$XL" create -q -p "$T/guest.cfg" "name='n$i'" memory=8 || bad "create n$i"
done
start=$(date +%s%N); "$XL" list > /dev/null; end=$(date +%s%N)
echo "  info xl list with $("$XL" list | tail -n +2 | wc -l) domains: $(( (end - start) / 1000000 )) ms"

echo "xl-e2e: $pass passed, $fail failed"
[ $fail -eq 0 ]
