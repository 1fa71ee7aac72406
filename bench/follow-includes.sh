#!/usr/bin/env bash
# follow_includes (issue 15): the server hook's time on a push of one
# AI-declared commit changing a header that only crypto code includes, with
# and without `follow_includes: true` on the critical tier, on a generated
# tree of C files (a fixed seed: the same tree every time).
#
#   bench/follow-includes.sh [--files N] [--seed S] [--runs N] [--bin-dir DIR]
#
#   --files N     C files in the tree (default 6000: .c and .h)
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
# figure is the ratio of their medians (hyperfine if installed, else
# `date` around a loop). Cases with follow_includes: `with` (the answer
# for this HEAD and policy is cached in .git/tiergate/followed-v1: a push
# that does not move the default branch), `moved` (the cached answer is
# the one for the commit before HEAD, a body change that kept every
# #include: the usual first push after HEAD moved), `rebuilt` (no cached
# answer, the per-blob include cache warm: the graph is rebuilt, as after
# a commit that changed an #include or added a file), and the first run
# ever, both caches cold (every C file read), timed once. Not part of CI.
set -euo pipefail

files=6000 seed=15 runs=20 bin=
while [ $# -gt 0 ]; do
    case $1 in
    --files) files=$2; shift 2 ;;
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
out=$root/target/bench/follow-includes-$files-s$seed
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
before=$(git -C work rev-parse HEAD)
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
done
printf '%s %s refs/heads/main\n' "$old" "$new" >stdin
run() { # true|false|moved|rebuilt
    case $1 in
    moved) cp "$out/followed-before" "$out/with-true.git/tiergate/followed-v1"; set -- true ;;
    rebuilt) rm -f "$out/with-true.git/tiergate/followed-v1"; set -- true ;;
    esac
    (cd "$out/with-$1.git" && GIT_DIR=. "$hook" <"$out/stdin" >/dev/null 2>&1) || true
}
# Exit codes: refused with, accepted without.
set +e
(cd with-true.git && GIT_DIR=. "$hook" <"$out/stdin" >/dev/null 2>&1); with_code=$?
(cd with-false.git && GIT_DIR=. "$hook" <"$out/stdin" >/dev/null 2>&1); without_code=$?
set -e
# The answer as the push before left it (HEAD at the commit before).
git -C with-true.git update-ref refs/heads/main "$before"
(cd with-true.git && GIT_DIR=. "$hook" <"$out/stdin" >/dev/null 2>&1) || true
cp with-true.git/tiergate/followed-v1 followed-before
git -C with-true.git update-ref refs/heads/main "$old"
rm -f with-true.git/tiergate/includes-v1 with-true.git/tiergate/followed-v1
cold_start=$(date +%s%N)
run true
cold=$(( ($(date +%s%N) - cold_start) / 1000000 ))
export -f run
export out hook
if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 3 --runs "$runs" --export-json "$out/times.json" \
        -n with "bash -c 'run true'" -n moved "bash -c 'run moved'" \
        -n rebuilt "bash -c 'run rebuilt'" -n without "bash -c 'run false'" >&2
    read -r with moved rebuilt without < <(python3 -c '
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
print(*(r[k] * 1000 for k in ("with", "moved", "rebuilt", "without")))' "$out/times.json")
else
    median() { # FOLLOW
        for _ in 1 2 3; do run "$1"; done
        for _ in $(seq "$runs"); do
            s=$(date +%s%N); run "$1"; echo $(( ($(date +%s%N) - s) / 1000 ))
        done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)] / 1000}'
    }
    with=$(median true) moved=$(median moved) rebuilt=$(median rebuilt) without=$(median false)
fi
python3 - "$with" "$moved" "$rebuilt" "$without" "$cold" "$c_files" "$with_code" "$without_code" <<'EOF'
import sys
w, m, r, wo, cold, n, wc, woc = sys.argv[1:]
w, m, r, wo = float(w), float(m), float(r), float(wo)
print(f"tree: {n} C files; pre-receive exit {wc} with follow_includes, {woc} without")
print(f"pre-receive, 1 commit, medians: without follow_includes {wo:.1f} ms")
print(f"  with, answer cached for HEAD: {w:.1f} ms, ratio {w / wo:.2f} (target < 2)")
print(f"  with, HEAD moved by a commit that kept every #include: {m:.1f} ms, ratio {m / wo:.2f} (target < 2)")
print(f"  with, graph rebuilt (include cache warm): {r:.1f} ms, ratio {r / wo:.2f} (target < 2)")
print(f"  with, first run ever (both caches cold, once): {cold} ms")
EOF
