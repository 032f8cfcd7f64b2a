#!/usr/bin/env bash
# Runs `fastlint check` and `fastlint check --fix` (on a temporary copy) over a corpus of real
# fastlane configurations and prints what it found, what --fix changed, whether every fixed
# file still passes `ruby -c`, whether a second --fix run changes anything, and time/max RSS.
#
# usage: scripts/corpus.sh [CORPUS_DIR]     (default: ../shared/corpus/repos from the repo root)
# env:   FASTLINT_BIN   binary to run (default: target/release/fastlint, built if missing)
#        KEEP=1         keep the temporary folder (its path is printed)
# needs: bash, python3, diff; ruby for the `ruby -c` check (skipped with a notice if absent)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$repo/../shared/corpus/repos}
if [[ ! -d $corpus ]]; then
  echo "corpus folder not found: $corpus" >&2
  exit 2
fi
corpus=$(cd "$corpus" && pwd)

bin=${FASTLINT_BIN:-$repo/target/release/fastlint}
if [[ -z ${FASTLINT_BIN:-} && ! -x $bin ]]; then
  (cd "$repo" && cargo build --release --quiet)
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

work=$(mktemp -d "${TMPDIR:-/tmp}/fastlint-corpus.XXXXXX")
if [[ ${KEEP:-} == 1 ]]; then
  echo "work folder: $work (kept)"
else
  trap 'rm -rf "$work"' EXIT
fi

# run OUT CWD CMD...: runs CMD in CWD with stdout to OUT; prints "seconds max_rss_kb exit".
# GNU time measures the peak RSS: a child forked by python would report python's own peak
# too (Linux keeps the high-water mark across exec).
run() {
  local out=$1 cwd=$2
  shift 2
  if [[ -x /usr/bin/time ]]; then
    (cd "$cwd" && /usr/bin/time -f '%e %M %x' -o "$out.time" "$@" >"$out" 2>"$out.err") || true
    tail -n 1 "$out.time"
  else
    python3 - "$out" "$cwd" "$@" <<'PY'
import os, subprocess, sys, time
out, cwd, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(out, "wb") as f, open(out + ".err", "wb") as e:
    t = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=f, stderr=e)
    _, status, ru = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t
# No /usr/bin/time: this RSS includes the python launcher's own (~15 MB floor).
print(f"{dt:.3f} {ru.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
PY
  fi
  local code
  code=$(tail -n 1 "$out.time" 2>/dev/null | awk '{print $3}')
  if [[ -n $code && $code -gt 1 ]]; then
    echo "note: $* exited $code:" >&2
    tail -n 5 "$out.err" >&2
  fi
}

# Ruby files fastlint may rewrite: everything but .env files.
is_ruby() {
  case $(basename "$1") in
    .env | .env.*) return 1 ;;
    *) return 0 ;;
  esac
}

changed_files() { # A B: files under B that differ from A (relative paths)
  (cd "$2" && find . -type f -print0) | while IFS= read -r -d '' f; do
    cmp -s "$1/$f" "$2/$f" || echo "${f#./}"
  done | sort
}

echo "fastlint corpus run: $corpus"
echo "binary: $bin ($(nproc) cores)"

read -r t_check rss_check code_check < <(run "$work/check.json" "$corpus" "$bin" check . --format json)

fix_available=1
if ! "$bin" check --help 2>/dev/null | grep -q -- '--fix'; then
  fix_available=0
  echo "note: this build has no --fix: the --fix figures below are empty"
fi

cp -R "$corpus" "$work/fixed"
# The corpus may be read-only, and --fix leaves read-only files as they are: the copy is made writable.
chmod -R u+w "$work/fixed"
read -r t_fix rss_fix code_fix < <(run "$work/fix.json" "$work/fixed" "$bin" check . --fix --format json)
changed_files "$corpus" "$work/fixed" >"$work/changed.txt"

cp -R "$work/fixed" "$work/fixed2"
read -r t_fix2 rss_fix2 code_fix2 < <(run "$work/fix2.json" "$work/fixed2" "$bin" check . --fix --format json)
changed_files "$work/fixed" "$work/fixed2" >"$work/changed2.txt"
read -r _ _ _ < <(run "$work/after.json" "$work/fixed" "$bin" check . --format json)

ruby_bad=0
ruby_bad_list=()
ruby_checked=0
if command -v ruby >/dev/null; then
  while IFS= read -r f; do
    [[ -n $f ]] || continue
    is_ruby "$f" || continue
    ruby_checked=$((ruby_checked + 1))
    if ! ruby -c "$work/fixed/$f" >/dev/null 2>&1; then
      ruby_bad=$((ruby_bad + 1))
      if ruby -c "$corpus/$f" >/dev/null 2>&1; then
        ruby_bad_list+=("$f (the original passes)")
      else
        ruby_bad_list+=("$f (the original fails too)")
      fi
    fi
  done <"$work/changed.txt"
else
  echo "ruby not found: the ruby -c check is skipped"
fi

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
def load(name):
    try:
        with open(f"{work}/{name}") as f:
            return json.load(f)
    except Exception as e:
        return {"summary": {}, "diagnostics": [], "lanes": [], "errors": [], "_error": str(e)}
before, after = load("check.json"), load("after.json")
s = before.get("summary", {})
if "_error" in before:
    print(f"check output is not JSON: {before['_error']}")
print(f"files:        {s.get('files')}")
print(f"lanes:        {s.get('lanes')}")
print(f"diagnostics:  {s.get('diagnostics')}")
print(f"errors:       {s.get('errors')}")
for e in before.get("errors", [])[:10]:
    print(f"  error: {e.get('path')}: {e.get('message')}")
v = s.get("verdicts", {})
print("verdicts:     " + ", ".join(f"{k} {v[k]}" for k in sorted(v)))
b = s.get("by_code", {})
print("by code:      " + ", ".join(f"{k} {b[k]}" for k in sorted(b)))
fl000 = sorted({d["path"] for d in before.get("diagnostics", []) if d.get("code") == "FL000"})
print(f"parse errors: {b.get('FL000', 0)} FL000 in {len(fl000)} files")
for p in fl000[:20]:
    print(f"  {p}")
fixable = sum(1 for l in before.get("lanes", []) if l.get("fixable"))
print(f"fixable lanes: {fixable}")
va = after.get("summary", {}).get("verdicts", {})
print("verdicts after --fix: " + ", ".join(f"{k} {va[k]}" for k in sorted(va)))
ba = after.get("summary", {}).get("by_code", {})
print("by code after --fix:  " + ", ".join(f"{k} {ba[k]}" for k in sorted(ba)))
PY

n_changed=$(grep -c . "$work/changed.txt" || true)
n_changed2=$(grep -c . "$work/changed2.txt" || true)
echo "changed by --fix: $n_changed files"
echo "fixed files failing ruby -c: $ruby_bad (of $ruby_checked checked; must be 0)"
for f in "${ruby_bad_list[@]}"; do echo "  $f"; done
echo "changed by a second --fix: $n_changed2 files (must be 0)"
sed 's/^/  /' "$work/changed2.txt" | head -20
echo "check: ${t_check}s, max RSS $((rss_check / 1024)) MB, exit $code_check"
echo "check --fix: ${t_fix}s, max RSS $((rss_fix / 1024)) MB, exit $code_fix"
echo "second check --fix: ${t_fix2}s, max RSS $((rss_fix2 / 1024)) MB, exit $code_fix2"

status=0
[[ $fix_available -eq 1 ]] || echo "--fix: not available in this build (nothing was rewritten)"
[[ $ruby_bad -eq 0 ]] || status=1
[[ $n_changed2 -eq 0 ]] || status=1
[[ $code_check -le 1 ]] || status=1
exit $status
