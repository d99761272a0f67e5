#!/usr/bin/env bash
# Runs test_dbgtop.sh (the curses screen in tmux, batch mode, a vanishing
# hypervisor) with every dbgtop process under valgrind memcheck: any error
# or definite/indirect leak fails that dbgtop (exit 99) and so the test, and
# is left in the log directory. Not part of make test (it is slow);
# docs/reliability.md records a run.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIST=${DIST:-$ROOT/dist}
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }
work=$(mktemp -d /tmp/dbgvisor-vg.XXXXXX)
logs=$work/logs
mkdir -p "$work/dist/bin" "$logs"
for x in "$DIST"/*; do [ "$(basename "$x")" = bin ] || ln -s "$x" "$work/dist/"; done
for b in "$DIST"/bin/*; do ln -s "$b" "$work/dist/bin/"; done
rm "$work/dist/bin/dbgtop"
cat > "$work/dist/bin/dbgtop" <<WRAP
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --log-file=$logs/dbgtop.%p "$DIST/bin/dbgtop" "\$@"
WRAP
chmod +x "$work/dist/bin/dbgtop"
DIST=$work/dist bash "$ROOT/xen-tests/integration/test_dbgtop.sh"
rc=$?
runs=$(find "$logs" -name 'dbgtop.*' | wc -l)
reports=$(find "$logs" -name 'dbgtop.*' -size +0 | wc -l)
echo "# valgrind: $runs dbgtop processes, $reports with a report (logs: $logs)"
[ "$reports" -eq 0 ] && [ "$rc" -eq 0 ] && rm -rf "$work" && exit 0
exit 1
