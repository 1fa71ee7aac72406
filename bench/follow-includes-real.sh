#!/usr/bin/env bash
# follow_includes on a real repository (issue 15): the server hook's time
# on a push of one AI-declared commit, with and without `follow_includes:
# true` on the critical tier, the server's HEAD at the repository's HEAD.
#
#   bench/follow-includes-real.sh REPO [--critical GLOBS] [--roots DIRS]
#       [--change PATH] [--behind N] [--runs N] [--bin-dir DIR]
#
#   REPO          a git repository (a clone, or a bare mirror that `fetch`
#                 brought), read only: its HEAD's history is cloned
#   --critical    comma-separated globs of the forbidden tier (default
#                 drivers/crypto/,lib/cryptodev/: DPDK's crypto)
#   --roots       comma-separated include roots (default
#                 lib/eal/include,config)
#   --change      the file the pushed commit changes (default
#                 lib/eal/include/rte_common.h)
#   --behind N    the "drifted" case keeps the graph of HEAD~N (default 50)
#   --runs N      timed runs per case (default 20), after 3 warm-up runs
#   --bin-dir DIR the binaries (default target/release; nothing is built)
#
# The pushed commit is accepted either way (the changed file is not
# critical), so each run also prepares the graph and answer for its tip,
# as every accepted push does. Cases with follow_includes, by what the
# server's tiergate/ directory holds before the push, as an accepted push
# of that commit left it: `with` HEAD (the steady state: every push
# through tiergate); `moved` HEAD~1 (HEAD moved by one commit tiergate did
# not see); `drifted` HEAD~N (N real commits of the project to bring the
# graph through); `cold` nothing (the whole tree read; timed once). The
# bash wrapper's own time is taken off every median. Not part of CI.
set -euo pipefail

repo= critical=drivers/crypto/,lib/cryptodev/ roots=lib/eal/include,config
change=lib/eal/include/rte_common.h behind=50 runs=20 bin=
while [ $# -gt 0 ]; do
    case $1 in
    --critical) critical=$2; shift 2 ;;
    --roots) roots=$2; shift 2 ;;
    --change) change=$2; shift 2 ;;
    --behind) behind=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --bin-dir) bin=$(cd "$2" && pwd); shift 2 ;;
    -h | --help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "Error: unknown argument $1 (see --help)" >&2; exit 2 ;;
    *) repo=$(cd "$1" && pwd); shift ;;
    esac
done
[ -n "$repo" ] || { echo "Error: name a repository (see --help)" >&2; exit 2; }
root=$(cd "$(dirname -- "$0")/.." && pwd)
bin=${bin:-$root/target/release}
hook=$bin/tiergate-pre-receive
[ -x "$hook" ] || { echo "Error: $hook is missing (build it, or pass --bin-dir)" >&2; exit 2; }
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME='A U Thor' GIT_AUTHOR_EMAIL=author@example.com GIT_AUTHOR_DATE='2030-01-01T00:00:00Z'
export GIT_COMMITTER_NAME='A U Thor' GIT_COMMITTER_EMAIL=author@example.com GIT_COMMITTER_DATE='2030-01-01T00:00:00Z'
out=$root/target/bench/follow-includes-real-$(basename "$repo" .git)
rm -rf "$out"
mkdir -p "$out"
cd "$out"
globs=$(printf '%s' "$critical" | sed 's/[^,][^,]*/"&"/g; s/,/, /g')
dirs=$(printf '%s' "$roots" | sed 's/,/, /g')
for follow in true false; do
    cat >"policy-$follow.yaml" <<EOF
version: 1
tiers:
  - { name: critical, paths: [ $globs ], ai: forbidden, follow_includes: $follow }
  - { name: core, paths: [ "**" ] }
includes: { roots: [ $dirs ] }
EOF
done
git clone -q --no-checkout "$repo" work
git -C work read-tree HEAD # the index only: no checkout of the whole tree
head=$(git -C work rev-parse HEAD)
git -C work checkout -q "$head" -- "$change"
printf '/* tuned */\n' >>"work/$change"
git -C work add "$change"
git -C work commit -q -m "tune $(basename "$change")

AI-Assisted-by: claude:claude-sonnet-4"
new=$(git -C work rev-parse HEAD)
for follow in true false; do
    git clone -q --bare "$repo" "srv-$follow.git"
    git -C "srv-$follow.git" update-ref refs/heads/main "$head"
    git -C "srv-$follow.git" symbolic-ref HEAD refs/heads/main
    git -C "srv-$follow.git" config tiergate.policy "$out/policy-$follow.yaml"
    git -C "srv-$follow.git" fetch -q ../work "$new" # no ref: new to the server
done
refs=$(git -C srv-true.git for-each-ref | wc -l)
c_files=$(git -C srv-true.git ls-tree -r --name-only "$head" | grep -ciE '\.(c|h|cc|cpp|cxx|hh|hpp|hxx|inc)$' || true)
printf '%s %s refs/heads/main\n' "$head" "$new" >stdin
prepared_for() { # COMMIT: what the hook leaves once it accepts a push of
    # COMMIT onto its parent (the graph and answer prepared for COMMIT)
    git -C srv-true.git update-ref refs/heads/main "$1~1"
    rm -rf srv-true.git/tiergate
    printf '%s %s refs/heads/main\n' "$(git -C srv-true.git rev-parse "$1~1")" \
        "$(git -C srv-true.git rev-parse "$1")" >stdin-prepare
    (cd srv-true.git && GIT_DIR=. "$hook" <"$out/stdin-prepare" >/dev/null 2>&1) || true
    git -C srv-true.git update-ref refs/heads/main "$head"
}
prepared_for "$head"
cp -r srv-true.git/tiergate kept-with
prepared_for "$head~1"
cp -r srv-true.git/tiergate kept-moved
prepared_for "$head~$behind"
cp -r srv-true.git/tiergate kept-drifted
rm -rf srv-true.git/tiergate
set +e
s=$(date +%s%N)
(cd srv-true.git && GIT_DIR=. "$hook" <"$out/stdin" >/dev/null 2>&1); with_code=$?
cold=$(( ($(date +%s%N) - s) / 1000000 ))
(cd srv-false.git && GIT_DIR=. "$hook" <"$out/stdin" >/dev/null 2>&1); without_code=$?
set -e
prep() { rm -rf "$out/srv-true.git/tiergate"; cp -r "$out/kept-$1" "$out/srv-true.git/tiergate"; }
run() { [ "$1" = none ] && return 0; (cd "$out/srv-$1.git" && GIT_DIR=. "$hook" <"$out/stdin" >/dev/null 2>&1) || true; }
export -f run prep
export out hook
python3 "$root/bench/interleave.py" --runs "$runs" --warmup 3 --base without --overhead none \
    "with=prep with::run true" "moved=prep moved::run true" "drifted=prep drifted::run true" \
    "without=::run false" "none=::run none" >"$out/times.json"
python3 - "$out/times.json" "$cold" "$c_files" "$refs" "$with_code" "$without_code" "$behind" "$head" <<'EOF'
import json, sys
times, cold, n, refs, wc, woc, behind, head = sys.argv[1:]
r = json.load(open(times))
w, m, d, wo = (r[k]["median_ms"] for k in ("with", "moved", "drifted", "without"))
rw, rm, rd = (r[k]["ratio"] for k in ("with", "moved", "drifted"))
print(f"(interleaved rounds; medians less the bash wrapper's own time; ratios: medians of the rounds' ratios)")
print(f"HEAD {head[:12]}: {n} C files, {refs} refs; pre-receive exit {wc} with follow_includes, {woc} without")
print(f"pre-receive, 1 commit, medians: without follow_includes {wo:.1f} ms")
print(f"  with, prepared for HEAD by the last push: {w:.1f} ms, ratio {rw:.2f} (target < 2)")
print(f"  with, prepared for HEAD~1: {m:.1f} ms, ratio {rm:.2f} (target < 2)")
print(f"  with, prepared for HEAD~{behind}: {d:.1f} ms, ratio {rd:.2f} (target < 2)")
print(f"  with, nothing kept (first run ever, once): {cold} ms")
EOF
