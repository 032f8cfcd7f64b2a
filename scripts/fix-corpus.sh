#!/usr/bin/env bash
# Runs `fastlint check --fix` over a temporary copy of a corpus of repositories and
# checks that it is safe: no crash, every changed Ruby file still passes `ruby -c`,
# and a second `--fix` changes nothing.
#
#   scripts/fix-corpus.sh [CORPUS_DIR] [FASTLINT_BINARY]
#
# CORPUS_DIR defaults to ../shared/corpus/repos; the binary to target/debug/fastlint.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
corpus="${1:-$here/../shared/corpus/repos}"
bin="${2:-$here/target/debug/fastlint}"
[ -d "$corpus" ] || { echo "no corpus at $corpus" >&2; exit 2; }
[ -x "$bin" ] || { echo "no fastlint binary at $bin (cargo build first)" >&2; exit 2; }
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -a "$corpus" "$work/before"
cp -a "$corpus" "$work/repos"
# The corpus may be read-only, and --fix leaves read-only files as they are: the copy is made writable.
chmod -R u+w "$work/before" "$work/repos"

cd "$work/repos"
set +e
"$bin" check --fix . >"$work/fix1.out" 2>"$work/fix1.err"
code1=$?
set -e
if [ "$code1" -gt 2 ]; then
  echo "first --fix crashed (exit $code1):" >&2
  tail -20 "$work/fix1.err" >&2
  exit 1
fi
grep -q "panicked" "$work/fix1.err" && { echo "first --fix panicked" >&2; grep panicked "$work/fix1.err" >&2; exit 1; }

changed=$(cd "$work" && { diff -rq before repos || true; } | awk '/^Files/ {print $4}' | sed 's|^repos/||')
n_changed=$(printf '%s\n' "$changed" | grep -c . || true)
ruby_fail=0
ruby_fail_before=0
while IFS= read -r f; do
  [ -n "$f" ] || continue
  if ! ruby -c "$work/repos/$f" >/dev/null 2>&1; then
    if ruby -c "$work/before/$f" >/dev/null 2>&1; then
      ruby_fail=$((ruby_fail + 1))
      echo "ruby -c fails after --fix: $f" >&2
    else
      ruby_fail_before=$((ruby_fail_before + 1))
    fi
  fi
done <<<"$changed"

# Behaviour: run each changed Fastfile before and after through the Ruby harness.
same=0
differ=0
while IFS= read -r f; do
  [ -n "$f" ] || continue
  case "$f" in *Fastfile) ;; *) continue ;; esac
  if timeout 30 ruby "$here/tests/ruby/compare.rb" "$work/before/$f" "$work/repos/$f" >/dev/null 2>"$work/compare.err"; then
    same=$((same + 1))
  else
    differ=$((differ + 1))
    echo "behaviour differs (tests/ruby/compare.rb): $f" >&2
    head -5 "$work/compare.err" >&2
  fi
done <<<"$changed"

cp -a "$work/repos" "$work/once"
set +e
"$bin" check --fix . >"$work/fix2.out" 2>"$work/fix2.err"
code2=$?
set -e
second=$(cd "$work" && { diff -rq once repos || true; } | grep -c . || true)

echo "files changed by --fix:            $n_changed"
echo "changed files failing ruby -c:     $ruby_fail (already failing before: $ruby_fail_before)"
echo "files changed by a second --fix:   $second"
echo "same behaviour (compare.rb):       $same (differ: $differ)"
echo "exit codes:                        first $code1, second $code2"
echo "summary of the first run:"
grep -E "files? changed|left as they are" "$work/fix1.out" | head -5 || true
[ "$ruby_fail" -eq 0 ] && [ "$second" -eq 0 ]
