#!/bin/sh
# Benchmark: one commit-msg hook run on a typical message, against
# `git interpret-trailers --parse` on the same message (the least any
# trailer-aware hook must do), in a scratch repository.
#
#   bench/commit-msg.sh [BIN_DIR]     (default: target/release; build it with
#                                      cargo build --release --locked)
#
# Uses hyperfine when installed (apt-get install hyperfine), else a plain
# timing loop. Prints the mean times and their ratio. Two cases:
#   message-only: an undeclared commit (no paths needed: no index read)
#   with paths:   a declared commit (the staged index is diffed against HEAD)
set -eu
root=$(cd "$(dirname -- "$0")/.." && pwd)
bin_dir=${1:-$root/target/release}
hook=$bin_dir/tiergate-commit-msg
[ -x "$hook" ] || { echo "Error: $hook not found" >&2; echo "Hint: Run \`cargo build --release --locked\` first, or pass the binaries' directory." >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tiergate-bench.XXXXXX")
# KEEP=1 keeps the scratch repository (for profiling) and prints where.
if [ -n "${KEEP:-}" ]; then
    echo "scratch repository: $tmp/repo" >&2
else
    trap 'rm -rf "$tmp"' EXIT
fi
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null HOME=$tmp
export GIT_AUTHOR_NAME='A U Thor' GIT_AUTHOR_EMAIL=author@example.com
export GIT_COMMITTER_NAME='C O Mitter' GIT_COMMITTER_EMAIL=committer@example.com
cd "$tmp"
git init -q -b main repo
cd repo
cp "$root/policy.yaml" policy.yaml
# A tree like a real C project's (QEMU, DPDK): 10,000 files in 1,000
# leaf directories (25 top-level areas named after policy.yaml's tiers, 8
# directories in each, 5 below each of those; 10 files in each leaf), so
# the index has >= 10k entries and ~1.2k trees. awk writes every file (a
# shell loop forking per file would dominate the setup).
leaves() {
    for a in crypto authz hw/virtio hw/net hw/usb hw/misc migration block nbd ui \
        target/arm target/i386 accel/tcg tcg util include qapi qom linux-user \
        system net docs tests/qtest tests/unit scripts; do
        for d in 0 1 2 3 4 5 6 7; do
            for e in 0 1 2 3 4; do echo "$a/d$d/e$e"; done
        done
    done
}
leaves | xargs mkdir -p
leaves | awk '{ for (f = 0; f < 10; f++) { p = $0 "/f" f ".c"; print "/* " p " */" > p; close(p) } }'
git add -A
git commit -q -m 'Initial import'
echo change >docs/d1/e2/f3.c
echo change >tests/qtest/d4/e0/f7.c
git add -A

cat >undeclared.msg <<'MSG'
docs: explain the virtio ring layout

The ring layout section was out of date since the packed ring landed;
describe both layouts and link the spec.

Signed-off-by: A U Thor <author@example.com>

# Please enter the commit message for your changes. Lines starting
# with '#' will be ignored, and an empty message aborts the commit.
#
# On branch main
# Changes to be committed:
#	modified:   docs/d1/e2/f3.c
#	modified:   tests/qtest/d4/e0/f7.c
#
MSG
sed 's/^Signed-off-by/AI-Assisted-by: claude:claude-sonnet-4\nReviewed-by: R E Viewer <r@example.com>\nSigned-off-by/' undeclared.msg >declared.msg
export GIT_INDEX_FILE=.git/index

"$hook" undeclared.msg || { echo "Error: the hook failed on the undeclared message" >&2; exit 3; }
"$hook" declared.msg || { echo "Error: the hook failed on the declared message" >&2; exit 3; }
echo "repository: $(git ls-files | wc -l) files; $(git --version); $(uname -sm)"
for case in undeclared declared; do
    label="message-only:"
    [ $case = declared ] && label="with paths:"
    if command -v hyperfine >/dev/null 2>&1; then
        hyperfine -N --warmup 20 --min-runs 200 --export-json "$tmp/$case.json" \
            "$hook $case.msg" "git interpret-trailers --parse $case.msg" >"$tmp/$case.txt" 2>&1 ||
            { cat "$tmp/$case.txt"; exit 3; }
        t=$(sed -n 's/^ *"mean": *\([0-9.e-]*\),*$/\1/p' "$tmp/$case.json" | sed -n 1p)
        g=$(sed -n 's/^ *"mean": *\([0-9.e-]*\),*$/\1/p' "$tmp/$case.json" | sed -n 2p)
    else
        t=0 g=0
        for which in t g; do
            if [ $which = t ]; then cmd="$hook $case.msg"; else cmd="git interpret-trailers --parse $case.msg"; fi
            start=$(date +%s%N)
            n=0
            while [ $n -lt 200 ]; do $cmd >/dev/null; n=$((n + 1)); done
            end=$(date +%s%N)
            eval "$which=\$(awk 'BEGIN { print ($end - $start) / 200 / 1e9 }')"
        done
    fi
    awk -v t="$t" -v g="$g" -v label="$label" 'BEGIN {
        printf "%-13s tiergate-commit-msg %6.2f ms   git interpret-trailers --parse %6.2f ms   ratio %.2f\n",
            label, t * 1000, g * 1000, t / g }'
done
