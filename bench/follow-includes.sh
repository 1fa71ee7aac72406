#!/usr/bin/env bash
# follow_includes (issue 15): the server hook's time on a push of one
# AI-declared commit changing a header that only crypto code includes, with
# and without `follow_includes: true` on the critical tier, on a generated
# tree of C files (a fixed seed: the same tree every time).
#
#   bench/follow-includes.sh [--files N] [--refs N] [--seed S] [--runs N] [--bin-dir DIR]
#
#   --files N     C files in the tree (default 6000: .c and .h)
#   --refs N      refs besides main, as a forge's repository has them: N/2
#                 tags and N/2 refs/pull/K/head (default 0); the refs are
#                 packed and the repository repacked with a commit-graph
#   --seed S      the generator's seed (default 15)
#   --runs N      timed runs per case (default 20), after 3 warm-up runs
#   --bin-dir DIR the binaries to measure (default target/release; the
#                 script builds nothing)
#
# Two bare repositories hold the same history and differ only in their
# policy (git config tiergate.policy); the pushed commit is fetched into
# each without a ref (FETCH_HEAD), so the hook, run as git runs it
# (GIT_DIR, one `old new ref` line on stdin), judges it as new. With
# follow_includes the push is refused (exit 1), without it accepted: the
# figure is the median of the ratios of interleaved runs
# (bench/interleave.py). Cases with follow_includes, by what the last run
# of the hook left in the repository's tiergate/ directory:
#   with      the answer for this HEAD and policy (followed-v1): a push
#             that does not move the default branch;
#   moved     the graph and answer of the commit before HEAD, a body
#             change to crypto code (every #include kept): the usual
#             first push after the default branch moved;
#   redrawn   the graph and answer of four commits before HEAD, commits
#             that add a C file and change #include lines (the graph is
#             updated from the diff and the answer computed again);
#   cold      nothing: the first run ever, every C file of the tree read
#             (timed once; `tiergate install --server` pays it).
# Not part of CI.
set -euo pipefail

files=6000 refs=0 seed=15 runs=20 bin=
while [ $# -gt 0 ]; do
    case $1 in
    --files) files=$2; shift 2 ;;
    --refs) refs=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --bin-dir) bin=$(cd "$2" && pwd); shift 2 ;;
    -h | --help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "Error: unknown argument $1 (see bench/follow-includes.sh --help)" >&2; exit 2 ;;
    esac
done
root=$(cd "$(dirname -- "$0")/.." && pwd)
bin=${bin:-$root/target/release}
hook=$bin/tiergate-pre-receive
[ -x "$hook" ] || { echo "Error: $hook is missing (build it, or pass --bin-dir)" >&2; exit 2; }
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME='A U Thor' GIT_AUTHOR_EMAIL=author@example.com GIT_AUTHOR_DATE='2030-01-01T00:00:00Z'
export GIT_COMMITTER_NAME='A U Thor' GIT_COMMITTER_EMAIL=author@example.com GIT_COMMITTER_DATE='2030-01-01T00:00:00Z'
out=$root/target/bench/follow-includes-$files-r$refs-s$seed
rm -rf "$out"
mkdir -p "$out/work"
cd "$out"

# The tree: `crypto/` (2% of the .c files) includes `include/crypto/*.h`,
# which only it includes (and which include each other); every .c file
# includes a few of the shared `include/qemu/*.h`; module headers
# `src/mN/*.h` are included within their module.
python3 - "$files" "$seed" <<'EOF'
import os, random, sys
files, seed = int(sys.argv[1]), int(sys.argv[2])
r = random.Random(seed)
def put(path, text):
    path = os.path.join("work", path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
shared = [f"qemu/h{i}.h" for i in range(200)]
crypto_h = [f"crypto/c{i}.h" for i in range(40)] + ["crypto/aes.h"]
n = 0
for h in shared:
    put("include/" + h, "#pragma once\n" + "".join(f'#include "{os.path.basename(x)}"\n' for x in r.sample(shared, 2)))
    n += 1
for h in crypto_h:
    put("include/" + h, "#pragma once\n" + "".join(f'#include <{x}>\n' for x in r.sample(crypto_h, 2) if x != h))
    n += 1
crypto_c = 0
m = 0
while n < files:
    if r.random() < 0.02:
        incs = ["crypto/aes.h"] + r.sample(crypto_h, 3) + r.sample(shared, 3)
        put(f"crypto/f{crypto_c}.c", "".join(f"#include <{x}>\n" for x in incs) + f"int crypto_{crypto_c};\n")
        crypto_c += 1
        n += 1
        continue
    mod = f"src/m{m // 20}"
    put(f"{mod}/f{m}.h", f"int f{m}(void);\n")
    incs = [f'"f{m}.h"'] + [f"<{x}>" for x in r.sample(shared, 4)]
    put(f"{mod}/f{m}.c", "".join(f"#include {x}\n" for x in incs) + f"int f{m}(void) {{ return {m}; }}\n")
    m += 1
    n += 2
EOF
for follow in true false; do
    cat >"$out/policy-$follow.yaml" <<EOF
version: 1
tiers:
  - name: critical
    paths: [ "crypto/" ]
    ai: forbidden
    follow_includes: $follow
  - name: core
    paths: [ "src/" ]
  - name: open
    paths: [ "docs/" ]
default_tier: core
includes:
  roots: [ include ]
EOF
done
git -C work init -q -b main
git -C work add -A
git -C work commit -q -m "the tree"
redrawn_at=$(git -C work rev-parse HEAD)
# Three commits that redraw the graph: a new module file including a
# shared header and its own, and a crypto file that drops an include.
mkdir -p work/src/new
printf '#include <qemu/h1.h>\n#include "n.h"\nint n;\n' >work/src/new/n.c
printf 'int n(void);\n' >work/src/new/n.h
git -C work add -A
git -C work commit -q -m "new: add n.c"
sed -i '1d' work/crypto/f1.c
git -C work commit -q -am "crypto: f1 drops an include"
printf '#include <qemu/h2.h>\n' >>work/src/m0/f0.c
git -C work commit -q -am "m0: include h2"
moved_at=$(git -C work rev-parse HEAD)
# The last push before the measured one: a body change to crypto code,
# every #include as it was.
printf 'int tuned;\n' >>work/crypto/f0.c
git -C work commit -q -am "crypto: tune f0"
old=$(git -C work rev-parse HEAD)
printf '/* tuned */\n' >>work/include/crypto/aes.h
git -C work commit -q -am "crypto: tune aes.h

AI-Assisted-by: claude:claude-sonnet-4"
new=$(git -C work rev-parse HEAD)
c_files=$(git -C work ls-files '*.c' '*.h' | wc -l)
for follow in true false; do
    git clone -q --bare work/.git "with-$follow.git"
    git -C "with-$follow.git" update-ref refs/heads/main "$old"
    git -C "with-$follow.git" config tiergate.policy "$out/policy-$follow.yaml"
    git -C "with-$follow.git" fetch -q ../work main # FETCH_HEAD only: no ref
    if [ "$refs" -gt 0 ]; then
        # Tags and pull-request heads on the commits of the history (each
        # a commit of its own, as pull requests are), then packed refs, a
        # full repack and a commit-graph, as a forge keeps them.
        git -C "with-$follow.git" rev-list "$old" >commits
        python3 - "$refs" commits >"update-$follow" <<'EOF'
import sys
n = int(sys.argv[1])
commits = [l.strip() for l in open(sys.argv[2]) if l.strip()]
for i in range(n // 2):
    print(f"create refs/tags/v{i} {commits[i % len(commits)]}")
for i in range(n - n // 2):
    print(f"create refs/pull/{i}/head {commits[i % len(commits)]}")
EOF
        git -C "with-$follow.git" update-ref --stdin <"update-$follow"
        git -C "with-$follow.git" pack-refs --all
        git -C "with-$follow.git" repack -adq
        git -C "with-$follow.git" commit-graph write --reachable
    fi
done
printf '%s %s refs/heads/main\n' "$old" "$new" >stdin
hook_at() { # COMMIT: run the hook with HEAD there, keep what it left
    git -C with-true.git update-ref refs/heads/main "$1"
    rm -rf with-true.git/tiergate
    (cd with-true.git && GIT_DIR=. "$hook" <"$out/stdin" >/dev/null 2>&1) || true
    git -C with-true.git update-ref refs/heads/main "$old"
}
hook_at "$moved_at"
cp -r with-true.git/tiergate kept-moved
hook_at "$redrawn_at"
cp -r with-true.git/tiergate kept-redrawn
prep() { # moved|redrawn: put back what the hook found before the push
    rm -rf "$out/with-true.git/tiergate"
    cp -r "$out/kept-$1" "$out/with-true.git/tiergate"
}
run() { # true|false|none
    [ "$1" = none ] && return 0
    (cd "$out/with-$1.git" && GIT_DIR=. "$hook" <"$out/stdin" >/dev/null 2>&1) || true
}
# Exit codes: refused with, accepted without.
set +e
(cd with-true.git && GIT_DIR=. "$hook" <"$out/stdin" >/dev/null 2>&1); with_code=$?
(cd with-false.git && GIT_DIR=. "$hook" <"$out/stdin" >/dev/null 2>&1); without_code=$?
set -e
rm -rf with-true.git/tiergate
cold_start=$(date +%s%N)
run true
cold=$(( ($(date +%s%N) - cold_start) / 1000000 ))
cp -r with-true.git/tiergate kept-cold-run
export -f run prep
export out hook
# Each case runs the hook through `bash -c`; the wrapper's own time
# (`none`) is taken off every time before the ratios (bench/interleave.py:
# every case once per round, so a machine whose load drifts slows all).
python3 "$root/bench/interleave.py" --runs "$runs" --warmup 3 --base without --overhead none \
    "with=::run true" "moved=prep moved::run true" "redrawn=prep redrawn::run true" \
    "without=::run false" "none=::run none" >"$out/times.json"
read -r with moved redrawn without rw rm rr < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(*(r[k]["median_ms"] for k in ("with", "moved", "redrawn", "without")), *(r[k]["ratio"] for k in ("with", "moved", "redrawn")))' "$out/times.json")
python3 - "$with" "$moved" "$redrawn" "$without" "$rw" "$rm" "$rr" "$cold" "$c_files" "$with_code" "$without_code" "$refs" <<'EOF'
import sys
w, m, r, wo, rw, rm, rr = (float(x) for x in sys.argv[1:8])
cold, n, wc, woc, refs = sys.argv[8:13]
print("(interleaved rounds; medians less the bash wrapper's own time; ratios: medians of the rounds' ratios)")
print(f"tree: {n} C files, {refs} refs besides main; pre-receive exit {wc} with follow_includes, {woc} without")
print(f"pre-receive, 1 commit, medians: without follow_includes {wo:.1f} ms")
print(f"  with, answer kept for HEAD: {w:.1f} ms, ratio {rw:.2f} (target < 2)")
print(f"  with, HEAD moved by a commit that kept every #include: {m:.1f} ms, ratio {rm:.2f} (target < 2)")
print(f"  with, HEAD moved by commits that redraw the graph: {r:.1f} ms, ratio {rr:.2f} (target < 2)")
print(f"  with, first run ever (nothing kept, once): {cold} ms")
EOF
