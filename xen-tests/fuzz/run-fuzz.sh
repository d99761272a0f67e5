#!/usr/bin/env bash
# Runs each harness for FUZZ_SECONDS on a copy of its corpus (grown in
# $O/work/<h>, findings in $O/findings/<h>/) and prints one line per harness:
# executions, executions per second, coverage (edges) and features, findings,
# and the seconds it ran. With FUZZ_RUNS a harness stops once it has done that
# many executions (FUZZ_SECONDS is then only a cap).
# Exits non-zero if any harness found something.
set -u
cd "$(dirname "$0")"
: "${O:?}" "${FUZZ_SECONDS:=60}" "${FUZZ_RUNS:=}"
found=0
runs=(); [ -n "$FUZZ_RUNS" ] && runs=(-runs="$FUZZ_RUNS")
printf '%-8s %12s %9s %6s %7s %7s %s\n' harness executions exec/s cov ft seconds findings
for h in "$@"; do
    work=$O/work/$h findings=$O/findings/$h log=$O/fuzz-$h.log
    mkdir -p "$work" "$findings"
    dict=(); [ -f "$h/$h.dict" ] && dict=(-dict="$h/$h.dict")
    start=$(date +%s)
    nice -n 10 "$O/fuzz-$h" -max_total_time="$FUZZ_SECONDS" "${runs[@]}" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$findings/" "${dict[@]}" \
        "$work" "$h/corpus" >"$log" 2>&1
    rc=$?
    secs=$(($(date +%s) - start))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    n=$(find "$findings" -type f | wc -l)
    [ "$rc" -ne 0 ] && [ "$n" -eq 0 ] && n="exit $rc"
    [ "$n" != 0 ] && found=1
    printf '%-8s %12s %9s %6s %7s %7s %s\n' "$h" "${execs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" \
        "$secs" "$n"
done
[ "$found" -eq 0 ] || { echo "findings: see $O/findings/ and $O/fuzz-<harness>.log"; exit 1; }
