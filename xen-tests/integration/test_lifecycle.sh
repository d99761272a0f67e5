#!/usr/bin/env bash
# Domain life cycle against a live hypervisor on 2 pCPUs (issue 9, #5 #6 #8):
# an ended domain stays ended whatever the toolstack asks; the hypervisor's
# log of a domain carries exactly its console's bytes when two vCPUs print at
# once; destroying a running 2-vCPU domain, again and again, never takes the
# hypervisor or another domain down.
. "$(dirname "$0")/lib.sh"
CYCLES=${CYCLES:-30}
LOG=$TMP/control.console.log        # the launcher's copy of COM1

hv_start --smp 2 --domain $G/ticker.elf,name=tick,cmdline="count=0 delay=5000000"
check "start: xl list answers" wait_for $XL list

# make_cfg NAME IMAGE VCPUS CMDLINE
make_cfg() {
    cat > $TMP/$1.cfg <<CFG
name = "$1"
kernel = "$2"
memory = 16
vcpus = $3
cmdline = "$4"
CFG
}
# The builder writes the image over the serial channel; on a loaded machine
# one write can time out, so retry a failed create (as lib.sh does).
create() {
    for _ in 1 2 3; do
        $XL create $TMP/$1.cfg >/dev/null 2>&1 && return 0
        $XL destroy $1 >/dev/null 2>&1; sleep 1
    done
    return 1
}
state_of() { $XL list | awk -v n="$1" '$1 == n { print $5 }'; }
state_is() { [ "$(state_of $1)" = "$2" ]; }

# --- An ended domain stays ended: pause and unpause must not revive it.
make_cfg tf $G/triplefault.elf 1 ""
check "xl create: a domain that triple-faults" create tf
check "it crashes" wait_for state_is tf ---sc-
$XL pause tf >/dev/null 2>&1
check "xl pause of a crashed domain: still crashed" state_is tf ---sc-
$XL unpause tf >/dev/null 2>&1
check "xl unpause of a crashed domain: still crashed" state_is tf ---sc-
sleep 1
check "it stays crashed" state_is tf ---sc-
[ "$(grep -c 'triplefault: loading an empty IDT' $LOG)" -le 1 ] && ok "the crashed guest never ran again" || bad "the crashed guest ran again"
check "xl destroy of the crashed domain" $XL destroy tf
check "it is gone" sh -c "! $XL list | grep -q '^tf '"

# --- Two vCPUs printing unlocked: the log equals the console, byte for byte.
make_cfg flood $G/hostile/console-flood.elf 2 "lines=25 raw=1"
check "xl create: two vCPUs flooding the console" create flood
check "it finishes" wait_for state_is flood ---s--
$XL console -b flood | tr -d '\r\n' > $TMP/ring
sed -n 's/^\[flood\] //p' $LOG | tr -d '\r\n' > $TMP/logged
check "console ring holds both vCPUs' lines ($(wc -c < $TMP/ring) bytes)" [ "$(wc -c < $TMP/ring)" -gt 10000 ]
check "the log of the domain carries the same bytes in the same order" cmp -s $TMP/ring $TMP/logged
$XL destroy flood >/dev/null 2>&1

# --- Destroy a running 2-vCPU domain on 2 pCPUs, CYCLES times.
make_cfg busy $G/hostile/console-flood.elf 2 "lines=0"
created=0 destroyed=0 running=0
for i in $(seq $CYCLES); do
    create busy || continue
    created=$((created + 1))
    # Both vCPUs in the guest: the AP's lines show on the console.
    for _ in $(seq 50); do $XL console -b busy 2>/dev/null | grep -q '^flood 1/' && break; sleep 0.1; done
    $XL console -b busy 2>/dev/null | grep -q '^flood 1/' && running=$((running + 1))
    $XL destroy busy && destroyed=$((destroyed + 1))
    $XL list | grep -q '^busy ' && break
done
ok_all() { [ "$created" -eq "$CYCLES" ] && [ "$destroyed" -eq "$CYCLES" ] && [ "$running" -eq "$CYCLES" ]; }
check "$CYCLES create/destroy cycles of a running 2-vCPU domain ($created created, $running with both vCPUs running, $destroyed destroyed)" ok_all
check "the hypervisor still answers" $XL list
t1=$(grep -c '^\[tick\] ticker 0: tick' $LOG); sleep 1; t2=$(grep -c '^\[tick\] ticker 0: tick' $LOG)
ticking() { [ "$t2" -gt "$t1" ]; }
check "the other domain still runs ($t1 -> $t2 ticks)" ticking
reject_line $LOG '^\(HV\) (PANIC|\[FATAL\])|hypervisor fault|exception in the hypervisor' "no hypervisor fault"
hv_stop
finish
