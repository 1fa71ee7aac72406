#!/bin/sh
# Render tiergate's HTML pages in a real headless browser and check that
# they draw something.
#
#   scripts/check-html.sh [OUT_DIR]
#
# Builds a demo repository (a QEMU-style tree, 14 months of commits with
# declared, undeclared and forbidden AI-assisted changes), writes
#   OUT_DIR/report.html   tiergate report --html
#   OUT_DIR/tree.html     tiergate classify --tree --html
#   OUT_DIR/boundary.html tiergate boundary --html
#   OUT_DIR/policy.html   tiergate policy doc --format html
# checks that none of them refers to anything outside the page, renders each
# with Debian's chromium (installed with apt-get when missing) to
# OUT_DIR/*.png, and fails if a screenshot is missing or blank. Look at the
# PNGs afterwards. OUT_DIR defaults to a new temporary directory.
#
# Environment: TIERGATE_BIN (default: target/debug/tiergate, built when
# missing), CHROMIUM (default: chromium).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$(mktemp -d)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
bin=${TIERGATE_BIN:-$root/target/debug/tiergate}
chromium=${CHROMIUM:-chromium}

if [ ! -x "$bin" ]; then
    (cd "$root" && cargo build -q -p tiergate)
fi

if ! command -v "$chromium" >/dev/null 2>&1; then
    echo "check-html: installing chromium (Debian package)" >&2
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y chromium >/dev/null
    else
        sudo apt-get install -y chromium >/dev/null
    fi
fi

# --- a demo repository, hermetic git ---
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null HOME=/nonexistent LC_ALL=C
export GIT_AUTHOR_NAME="A U Thor" GIT_AUTHOR_EMAIL=author@example.com
export GIT_COMMITTER_NAME="C O Mitter" GIT_COMMITTER_EMAIL=committer@example.com
demo=$out/demo
rm -rf "$demo"
git init -q -b main "$demo"
cp "$root/policy.yaml" "$demo/policy.yaml"

mkfiles() { # dir count
    mkdir -p "$demo/$1"
    i=0
    while [ "$i" -lt "$2" ]; do
        echo "/* $1 $i */" >"$demo/$1/f$i.c"
        i=$((i + 1))
    done
}
mkfiles crypto 14
mkfiles hw/virtio 22
mkfiles hw/net 18
mkfiles hw/core 30
mkfiles hw/display 25
mkfiles block 20
echo qcow2 >"$demo/block/qcow2.c"
echo luks >"$demo/block/crypto.c"
mkfiles migration 12
mkfiles target/arm 40
mkfiles target/riscv 28
mkfiles accel/kvm 10
mkfiles tcg 16
mkfiles util 24
mkfiles include/qemu 30
mkfiles docs/devel 26
mkfiles docs/system 20
mkfiles tests/qtest 35
mkfiles tests/unit 22
mkfiles scripts 12
mkfiles net 14
mkfiles ui 10
echo vnc >"$demo/ui/vnc.c"
for f in Makefile configure meson.build README.rst MAINTAINERS; do echo "$f" >"$demo/$f"; done
# #include lines for `tiergate boundary`, to files the tree has already (so
# that the counts docs/report.md shows stay as they are): include/qemu/f1.c
# only critical code includes (only), include/qemu/f0.c other code too
# (shared), include/qemu/f2.c only other code (not listed).
printf '#include "qemu/f0.c"\n#include <qemu/f1.c>\n' >>"$demo/crypto/f0.c"
printf '#include "qemu/f0.c"\n#include "qemu/f2.c"\n' >>"$demo/util/f0.c"

commit() { # date message
    git -C "$demo" add -A
    GIT_AUTHOR_DATE="$1" GIT_COMMITTER_DATE="$1" \
        git -C "$demo" commit -q --allow-empty --cleanup=verbatim -m "$2"
}
touch_file() { echo "$2" >>"$demo/$1"; }

commit "2024-01-03T10:00:00 +0000" "Initial import"
n=0
for month in 1 2 3 4 5 6 7 8 9 10 11 12 13 14; do
    if [ "$month" -gt 12 ]; then y=2025; m=$(printf %02d $((month - 12))); else y=2024; m=$(printf %02d "$month"); fi
    # More commits, and more AI help, as time goes on.
    count=$((4 + month / 2))
    c=0
    while [ "$c" -lt "$count" ]; do
        n=$((n + 1))
        day=$(printf %02d $((c + 2)))
        date="$y-$m-${day}T12:00:00 +0000"
        case $((n % 9)) in
        0) touch_file docs/devel/f$((n % 26)).c "$n"
           commit "$date" "docs: clarify $n

AI-Assisted-by: claude:claude-sonnet-4 [checkpatch]" ;;
        1) touch_file tests/qtest/f$((n % 35)).c "$n"
           commit "$date" "tests: cover case $n

AI-Assisted-by: copilot:gpt-4.1" ;;
        2) touch_file hw/core/f$((n % 30)).c "$n"
           commit "$date" "hw/core: fix $n

AI-Assisted-by: claude:claude-opus-4
Reviewed-by: Rev Iewer <rev@example.com>" ;;
        3) touch_file target/arm/f$((n % 40)).c "$n"
           commit "$date" "target/arm: handle $n" ;;
        4) if [ $((n % 4)) = 0 ]; then
               touch_file crypto/f$((n % 14)).c "$n"
               commit "$date" "crypto: speed up $n

AI-Assisted-by: codex:gpt-5-codex"
           else
               touch_file crypto/f$((n % 14)).c "$n"
               commit "$date" "crypto: tidy $n"
           fi ;;
        5) touch_file util/f$((n % 24)).c "$n"
           commit "$date" "util: refactor $n

Co-authored-by: Claude <noreply@anthropic.com>" ;;
        6) touch_file docs/system/f$((n % 20)).c "$n"
           touch_file tests/unit/f$((n % 22)).c "$n"
           commit "$date" "docs, tests: $n

Assisted-by: gemini:gemini-2.5-pro" ;;
        7) touch_file hw/net/f$((n % 18)).c "$n"
           commit "$date" "hw/net: fix $n

AI-Assisted-by: claude:claude-sonnet-4" ;;
        *) touch_file block/f$((n % 20)).c "$n"
           commit "$date" "block: fix $n

AI-Assisted-by: cursor
Reviewed-by: Rev Iewer <rev@example.com>" ;;
        esac
        c=$((c + 1))
    done
done

# --- the pages ---
(cd "$demo" && "$bin" report --html "$out/report.html")
(cd "$demo" && "$bin" classify --tree --html "$out/tree.html")
(cd "$demo" && "$bin" boundary --html "$out/boundary.html")
(cd "$demo" && "$bin" policy doc --format html -o "$out/policy.html")
(cd "$demo" && "$bin" report) >"$out/report.txt"

status=0
for page in report tree boundary policy; do
    html=$out/$page.html
    if grep -Eiq '(src|href)=|https?:|url\(|<script|@import' "$html"; then
        echo "check-html: $page.html refers to something outside the page:" >&2
        grep -Eio '.{0,40}((src|href)=|https?:|url\(|<script|@import).{0,40}' "$html" | head -5 >&2
        status=1
    fi
    case $page in
    report) size=1200,2200 ;;
    tree) size=1200,1000 ;;
    boundary) size=1200,1300 ;;
    *) size=1200,1400 ;;
    esac
    png=$out/$page.png
    rm -f "$png"
    profile=$(mktemp -d)
    "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
        --user-data-dir="$profile" --screenshot="$png" --window-size="$size" \
        "file://$html" >/dev/null 2>&1 || true
    rm -rf "$profile"
    if [ ! -s "$png" ]; then
        echo "check-html: no screenshot of $page.html" >&2
        status=1
        continue
    fi
    # Blank? Count the distinct byte values of the decompressed image data:
    # a single-colour page has a handful, a drawn chart hundreds.
    distinct=$(python3 - "$png" <<'EOF'
import sys, zlib, struct
data = open(sys.argv[1], 'rb').read()
pos, idat = 8, b''
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    if kind == b'IDAT':
        idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
print(len(set(zlib.decompress(idat))))
EOF
)
    if [ "$distinct" -lt 32 ]; then
        echo "check-html: $page.png looks blank ($distinct distinct byte values)" >&2
        status=1
    else
        echo "check-html: $page.png ok ($distinct distinct byte values)"
    fi
done
echo "check-html: pages and screenshots in $out"
exit $status
