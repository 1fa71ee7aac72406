# install-lib.sh: what install.sh (client hooks) and install-server.sh
# (server hook) share. Sourced, not run; POSIX sh.
#
# The install steps themselves (binaries, shims, chaining, git config,
# uninstall, dry run) are `tiergate install`'s, in the binary
# (crates/cli/src/cmd/install/): these scripts only build it from the
# checkout and then hand over, so there is one implementation.

die() { # code message [hint]
    code=$1
    shift
    echo "Error: $1" >&2
    if [ $# -gt 1 ]; then echo "Hint: $2" >&2; fi
    exit "$code"
}

say() { echo "$*"; }

# build_release SRC: `cargo build --release --locked` of the binaries in
# SRC; sets target_dir to cargo's target directory.
build_release() {
    (cd "$1" && cargo build --release --locked --bins -p tiergate -p tiergate-hooks) ||
        die 3 "cargo build failed" "Read cargo's messages above; \`cargo build --release --locked\` in $1 reproduces it."
    target_dir=$(cd "$1" && cargo metadata --format-version 1 --no-deps 2>/dev/null |
        sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
    [ -n "$target_dir" ] || target_dir=$1/target
}

# has_install TIERGATE: whether that binary is recent enough to install
# (a tiergate older than `tiergate install` is not).
has_install() {
    [ -x "$1" ] && "$1" install --help >/dev/null 2>&1
}

# pick_installer BUILD DRY_RUN BIN_DIR CALLER: set installer to the tiergate
# that does the installing. Built: the fresh release build (it copies
# itself and the hook binaries into BIN_DIR). --no-build: BIN_DIR's own.
# A dry run builds nothing: BIN_DIR's, else PATH's, else none (empty).
pick_installer() {
    installer=
    if [ "$1" = 1 ] && [ "$2" = 0 ]; then
        installer=$target_dir/release/tiergate
    elif [ "$1" = 0 ]; then
        [ -x "$3/tiergate" ] || die 2 "$3/tiergate does not exist or is not executable" \
            "Build first (\`cargo build --release --locked\`) and point --bin-dir at the binaries, or drop --no-build."
        has_install "$3/tiergate" || die 2 "$3/tiergate is older than this $4 (it has no \`tiergate install\`)" \
            "Build it again (\`cargo build --release --locked\`), or drop --no-build."
        installer=$3/tiergate
    elif has_install "$3/tiergate"; then
        installer=$3/tiergate
    elif has_install "$(command -v tiergate 2>/dev/null || true)"; then
        installer=$(command -v tiergate)
    fi
}
