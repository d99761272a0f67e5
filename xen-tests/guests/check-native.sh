#!/usr/bin/env bash
# Runs every test guest natively under QEMU (no hypervisor), deterministic
# with -icount shift=0, and checks exit status and output. Debug-register
# guests (dr-*, dr32) run twice: their records must be identical, and are
# saved to $O/<name>.native.txt, with the command line in
# $O/<name>.native.cmdline, for xen-tests/integration/test_debug_policies.sh,
# which compares them with the records under every debug policy.
# Usage: O=<build dir> OUT=<guest dir> QEMU=<qemu> check-native.sh [guest...]
set -u
O=${O:?} OUT=${OUT:?} QEMU=${QEMU:-qemu-system-x86_64}
mkdir -p "$O"
pass=0 fail=0

# name|image|smp|cmdline|expected status|required output (grep -E)
CASES=(
  "hello|hello|1|native-test|1|^hello from .*native-test$"
  "ticker|ticker|1|count=5|1|^ticker 0: tick 5$"
  "smp|smp|4||1|^smp: counter=3 expected=3$"
  "smp64|smp64|2||1|^smp: counter=1 expected=1$"
  "libtest|libtest|1|a=12 b=0x1f|1|^# [0-9]+ passed, 0 failed$"
  "libtest64|libtest64|1|a=12 b=0x1f|1|^# [0-9]+ passed, 0 failed$"
  "timer|timer|1||1|^# [0-9]+ passed, 0 failed$"
  "triplefault|triplefault|1||!1|^triplefault: loading"
  "memtest|memtest|1|seed=7|1|errors=0 checksum="
  "memtest-probe|memtest|1|probe=1|1|^memtest: probe read "
  "dr-basic|dr-basic|1||1|^# [0-9]+ passed, 0 failed$"
  "dr-bp|dr-bp|1||1|^# [0-9]+ passed, 0 failed$"
  "dr-step|dr-step|1||1|^# [0-9]+ passed, 0 failed$"
  "dr-gd|dr-gd|1||1|^# [0-9]+ passed, 0 failed$"
  "dr-icebp|dr-icebp|1||1|^# [0-9]+ passed, 0 failed$"
  "dr-stress|dr-stress|1|seed=3 iterations=100|1|all values survived"
  "dr-selfprotect|dr-selfprotect|1||1|^# [0-9]+ passed, 0 failed$"
  "selfdebug|selfdebug|1||1|^# [0-9]+ passed, 0 failed$"
  "dr32|dr32|1||1|^# [0-9]+ passed, 0 failed$"
  "debugloop|debugloop|1|rounds=300 every=100 delay=10000|1|^debugloop: done, 0 bad round"
  "bench|bench|1|mode=dr iters=100|1|^bench dr iters=100 "
  "platform|platform|2||1|^# [0-9]+ passed, 0 failed$"
  "firmware|firmware|2||1|^# [0-9]+ passed, 0 failed$"
)

run() { # image smp cmdline outfile -> exit status
    timeout 60 "$QEMU" -accel tcg -cpu max -m 64M -smp "$2" -display none -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial stdio -icount shift=0 \
        -kernel "$OUT/$1.elf" -append "$3" </dev/null >"$4" 2>"$4.stderr"
}

want_only=" $* "
for c in "${CASES[@]}"; do
    IFS='|' read -r name image smp cmd want pattern <<<"$c"
    [ $# -eq 0 ] || [[ $want_only == *" $image "* ]] || continue
    log="$O/$name.native.log"
    run "$image" "$smp" "$cmd" "$log"; st=$?
    why=""
    if [ "${want#!}" != "$want" ]; then
        [ "$st" != "${want#!}" ] || why="exit status $st, expected anything else"
    else
        [ "$st" = "$want" ] || why="exit status $st, expected $want"
    fi
    [ -n "$why" ] || grep -qE "$pattern" "$log" || why="output lacks /$pattern/"
    if [ -z "$why" ] && [[ $name == dr-* || $name == dr32 ]]; then
        run "$image" "$smp" "$cmd" "$log.2"
        if cmp -s "$log" "$log.2"; then
            cp "$log" "$O/$name.native.txt"
            printf '%s\n' "$cmd" > "$O/$name.native.cmdline"
        else
            why="record differs between two runs"
        fi
        rm -f "$log.2" "$log.2.stderr"
    fi
    if [ -z "$why" ]; then
        echo "PASS $name"; pass=$((pass + 1))
    else
        echo "FAIL $name ($why; see $log)"; fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
