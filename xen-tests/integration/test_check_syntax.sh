#!/usr/bin/env bash
# Static: no test script writes `check "..." [ a ] && [ b ]` (or `|| [ b ]`).
# The shell gives `check` only the first condition, so the rest is evaluated
# outside it and the check passes whatever it says. Compound conditions go
# through a function (num_lt in lib.sh) or `sh -c "..."`.
. "$(dirname "$0")/lib.sh"
scripts=("$ROOT"/xen-tests/integration/*.sh "$ROOT"/xen-tests/guests/*.sh "$ROOT"/xen-tests/bench/*.sh)
compound='(^|[;&|]|then|do) *check +"[^"]*" +(\[|test |!).*(\]|[^\\]") *(&&|\|\|) *(\[|test |!)'
# The pattern must catch the form it exists for, and leave the right one alone.
check "the pattern catches check \"w\" [ a ] && [ b ]" \
    grep -Eq "$compound" <<<'check "w ($c1 -> $c2)" [ -n "$c1" ] && [ "$c2" -gt "$c1" ]'
check "the pattern leaves check \"w\" num_lt a b alone" \
    bash -c '! grep -Eq "$1" <<<'"'"'check "w" num_lt "$c1" "$c2"'"'" _ "$compound"
check "the pattern leaves check ... || diagnostics alone" \
    bash -c '! grep -Eq "$1" <<<'"'"'check "w" [ $? -eq 0 ] || cat $TMP/cc.log'"'" _ "$compound"
for f in "${scripts[@]}"; do
    [ -f "$f" ] || continue
    if grep -nE "$compound" "$f" > $TMP/hits; then
        bad "$(basename "$f"): compound condition outside check"; sed 's/^/#   /' $TMP/hits
    else
        ok "$(basename "$f"): every check holds its whole condition"
    fi
done
finish
