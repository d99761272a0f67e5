#!/usr/bin/env bash
# xl.cfg through the real `xl create` against the hypervisor: Xen 4.17's
# grammar (quoted numbers, +=, lists over lines, overrides on the command
# line), unknown options silent unless `xl -v`, the vCPU limit of the
# hypervisor (8) with Xen's maxvcpus rule, and syntax errors by line with
# nothing created. The parser's own cases: unit/control/test_cfg.c and
# cfg_vs_xen.c (against Xen's libxlutil).
. "$(dirname "$0")/lib.sh"
XL=${TEST_XL:-$XL}      # TEST_XL: another xl binary (to compare builds)

hv_start --smp 2
check "hypervisor up" wait_for $XL list

# Quoted numbers are numbers; lists span lines; unknown Xen options pass.
cat > $TMP/g.cfg <<CFG
# as a Xen user writes it
name = "quoted"
kernel = "$G/ticker.elf"
memory = "32"
vcpus = "2"
cmdline = "count=0"
vif = [ 'bridge=xenbr0',
        'mac=00:16:3e:00:00:01', ]   # not used by dbgvisor
builder = "hvm"
CFG
$XL create $TMP/g.cfg > $TMP/g.out 2>&1
check_log "create with quoted numbers and unknown options" $TMP/g.out [ $? -eq 0 ]
expect_line <($XL list quoted) '^quoted +[0-9]+ +32 +2 ' "memory = \"32\", vcpus = \"2\" as numbers"
reject_line $TMP/g.out "vif|builder" "unknown options ignored silently (as Xen)"
$XL destroy quoted

$XL -v create $TMP/g.cfg > $TMP/v.out 2>&1
check_log "xl -v create" $TMP/v.out [ $? -eq 0 ]
expect_line $TMP/v.out "g\.cfg:7: ignoring unsupported option 'vif'" "xl -v names vif and its line"
expect_line $TMP/v.out "g\.cfg:9: ignoring unsupported option 'builder'" "xl -v names builder"
$XL destroy quoted

# += appends, in the file and from the command line; a later setting wins.
cat > $TMP/a.cfg <<CFG
name = "appended"
kernel = "$G/ticker.elf"
memory = 16
cmdline = "count=0"
cmdline += " id=7"
CFG
$XL create $TMP/a.cfg 'cmdline += " delay=500000"' memory=24 > $TMP/a.out 2>&1
check_log "create with += and overrides" $TMP/a.out [ $? -eq 0 ]
expect_line <($XL list appended) '^appended +[0-9]+ +24 +1 ' "memory=24 on the command line wins"
check "the guest got the appended command line" wait_for bash -c "$XL console -b appended | grep -q 'ticker 7: count=0 delay=500000'"
$XL destroy appended

# The vCPU limit is the hypervisor's: 8 goes, 9 is refused before anything
# is built; maxvcpus as Xen.
$XL create -p $TMP/g.cfg name=\"eight\" vcpus=8 > $TMP/8.out 2>&1
check_log "vcpus = 8 (the hypervisor's limit)" $TMP/8.out [ $? -eq 0 ]
expect_line <($XL list eight) '^eight +[0-9]+ +32 +8 ' "eight vCPUs"
$XL destroy eight
for bad in "vcpus=9|vcpus = 9: dbgvisor runs at most 8 vCPUs per domain" \
           "vcpus=0|vcpus = 0: a domain needs at least 1 vCPU" \
           "maxvcpus=1|maxvcpus < vcpus" \
           "maxvcpus=4|maxvcpus \(4\) > vcpus \(2\): dbgvisor has no vCPU hot-plug" \
           "memory=\"lots\"|parameter \`memory' is not a valid number"; do
    arg=${bad%%|*} msg=${bad#*|}
    $XL create $TMP/g.cfg 'name="refused"' "$arg" > $TMP/bad.out 2>&1
    check "$arg: refused (status 1)" [ $? -eq 1 ]
    expect_line $TMP/bad.out "$msg" "$arg: says why"
    check "$arg: nothing created" bash -c "! $XL list refused > /dev/null 2>&1"
done

# Syntax errors: every one, by line, as Xen's "config parsing error near".
printf 'name = "syntax"\nmemory 12\nvcpus = [1,\nkernel = "k"\nMemory = 3\n' > $TMP/s.cfg
$XL create $TMP/s.cfg > $TMP/s.out 2>&1
check "syntax errors: status 1" [ $? -eq 1 ]
expect_line $TMP/s.out "s\.cfg:2: config parsing error near \`12': expected '=' or '\+='" "the line of a missing '='"
expect_line $TMP/s.out "s\.cfg:4: config parsing error near \`kernel': expected a value" "an unclosed list, at the line it fails"
expect_line $TMP/s.out "s\.cfg:5: config parsing error near \`Memory': unexpected character \(option names are lower case" "upper case, as Xen refuses it"
check "syntax errors: nothing created" bash -c "! $XL list syntax > /dev/null 2>&1"
finish
