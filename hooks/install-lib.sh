# install-lib.sh: what install.sh (client hooks) and install-server.sh
# (server hook) share. Sourced, not run; POSIX sh. The caller sets
# `dry_run` (0 or 1) before calling `run`.

# The first line of every shim install.sh writes (see hooks/*).
marker="# tiergate-shim:"

die() { # code message [hint]
    code=$1
    shift
    echo "Error: $1" >&2
    if [ $# -gt 1 ]; then echo "Hint: $2" >&2; fi
    exit "$code"
}

say() { echo "$*"; }

# Run a command, or with --dry-run say what would be run.
run() {
    if [ "$dry_run" = 1 ]; then
        say "  would run: $*"
    else
        "$@"
    fi
}

# Whether $1 is a shim install.sh wrote (a regular file with the marker; a
# symlink is someone else's hook, even if it points at a shim).
is_shim() {
    [ -f "$1" ] && [ ! -L "$1" ] && grep -q "^$marker" "$1" 2>/dev/null
}

# build_release SRC: `cargo build --release --locked` of the binaries in
# SRC; sets target_dir to cargo's target directory.
build_release() {
    (cd "$1" && cargo build --release --locked --bins -p tiergate -p tiergate-hooks) ||
        die 3 "cargo build failed" "Read cargo's messages above; \`cargo build --release --locked\` in $1 reproduces it."
    target_dir=$(cd "$1" && cargo metadata --format-version 1 --no-deps 2>/dev/null |
        sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
    [ -n "$target_dir" ] || target_dir=$1/target
}

# copy_binary NAME BIN_DIR: copy $target_dir/release/NAME into BIN_DIR.
# Copy then rename: a binary that is running is never half-written.
copy_binary() {
    cp "$target_dir/release/$1" "$2/.$1.tmp.$$" ||
        die 3 "cannot copy $1 into $2" "Choose a writable directory with --bin-dir DIR."
    chmod 755 "$2/.$1.tmp.$$"
    mv -f "$2/.$1.tmp.$$" "$2/$1"
}

# remove_shim FILE LABEL: remove tiergate's shim at FILE and put back the
# hook it chained, if any; sets installed_bin to the directory the shim was
# installed with (--bin-dir then). Returns 1 when FILE is not a shim.
remove_shim() {
    is_shim "$1" || return 1
    installed_bin=$(sed -n "s/^tiergate_bin_dir='\\(.*\\)'\$/\\1/p" "$1" | head -n 1)
    run rm -f "$1"
    if [ -e "$1.tiergate-chained" ] || [ -L "$1.tiergate-chained" ]; then
        run mv "$1.tiergate-chained" "$1"
        say "$2: removed tiergate's hook; restored the hook that was there before"
    else
        say "$2: removed tiergate's hook"
    fi
}

# chain_existing FILE RERUN: make room for the shim at FILE, keeping a hook
# that is not tiergate's as FILE.tiergate-chained (it runs first); sets
# state to what installing will be. RERUN is the command to run again after
# merging hooks by hand.
chain_existing() {
    if is_shim "$1"; then
        state="updated (already installed)"
    elif [ -e "$1" ] || [ -L "$1" ]; then
        if [ -e "$1.tiergate-chained" ] || [ -L "$1.tiergate-chained" ]; then
            die 2 "$1 is not tiergate's hook, and $1.tiergate-chained already exists" \
                "Merge the two hooks by hand into $1.tiergate-chained, remove $1, and run $2 again."
        fi
        run mv "$1" "$1.tiergate-chained"
        state="installed; the hook that was there runs first (kept as $(basename -- "$1").tiergate-chained)"
    else
        state="installed"
    fi
}

# write_shim TEMPLATE FILE BIN_DIR: install the shim TEMPLATE as FILE, with
# the directory of the binaries written into it.
write_shim() {
    # The bin dir, quoted for the shim's single-quoted assignment and
    # escaped for sed.
    quoted=$(printf '%s' "$3" | sed "s/'/'\\\\''/g; s/[|&\\\\]/\\\\&/g")
    tmp=$2.tiergate-new.$$
    sed "s|^tiergate_bin_dir=.*|tiergate_bin_dir='$quoted'|" "$1" >"$tmp"
    chmod 755 "$tmp"
    mv -f "$tmp" "$2"
}
