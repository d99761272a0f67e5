#!/usr/bin/env bash
# sanitize.sh CMD...: runs CMD with ASan/UBSan/LSan reports written to files
# (so a report from a tool whose exit status the test ignores is not lost),
# and fails if CMD fails or any report was written; prints the reports.
set -u
reports=$(mktemp -d /tmp/dbgvisor-san.XXXXXX)
export ASAN_OPTIONS="log_path=$reports/asan:detect_leaks=1:abort_on_error=0:exitcode=23${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
"$@"
rc=$?
n=$(find "$reports" -type f | wc -l)
if [ "$n" -gt 0 ]; then
    echo "sanitizers: $n report(s):"
    for f in "$reports"/*; do echo "== $f"; head -60 "$f"; done
    rc=${rc/#0/1}
fi
rm -rf "$reports"
exit "$rc"
