#!/bin/sh
# install.sh: build tiergate and install its git hooks into a clone.
#
#   ./install.sh [options] [CLONE]
#
# CLONE defaults to the repository around the current directory. Run it
# from a checkout of tiergate (it builds from the directory it lives in),
# then hands over to the built `tiergate install`, which does the
# installing (one implementation: crates/cli/src/cmd/install/). See
# docs/hooks.md for the details.
set -eu

# Server side (`install.sh --server REPO.git ...`): hooks/install-server.sh,
# see docs/server.md.
for arg in "$@"; do
    if [ "$arg" = --server ]; then
        exec sh "$(dirname -- "$0")/hooks/install-server.sh" "$@"
    fi
done

usage() {
    cat <<'EOF'
Usage: install.sh [options] [CLONE]

Build tiergate (cargo build --release --locked), then run the tiergate just
built as `tiergate install`: it copies the binaries into --bin-dir and
installs the commit-msg, pre-push, applypatch-msg and prepare-commit-msg
hooks into CLONE
(default: the git repository around the current directory), in the hooks
directory git uses (git rev-parse --git-path hooks: core.hooksPath and
linked worktrees are honoured). A hook already there is kept and runs first
(chained). Running it again updates the hooks; it never installs twice.
Without a checkout, `tiergate install` does the same (`tiergate install
--help`).

Options:
  --bin-dir DIR   where the binaries go and where the hooks look for them
                  [default: $TIERGATE_BIN_DIR, else ~/.local/bin]
  --no-build      do not build: use the binaries already in --bin-dir (its
                  tiergate does the installing)
  --init-policy   copy tiergate's example policy.yaml into the clone if it has
                  none (an existing policy.yaml is never overwritten)
  --uninstall     remove tiergate's hooks from CLONE and put back the hooks
                  they replaced (the binaries are left in place)
  --dry-run       say what would be done, change nothing
  --no-check      do not check the clone's last commits after installing
  -h, --help      this help
  --server REPO.git  install the server-side pre-receive hook into REPO.git
                  instead (`install.sh --server --help`; docs/server.md)

At run time the hooks find the binaries in $TIERGATE_BIN (a directory, or
the tiergate binary itself) first, then in --bin-dir, then on PATH.
Exit: 0 done, 2 usage error (bad option, not a git repository), 3 build or
I/O failure.
EOF
}

# die, say, build_release, pick_installer: shared with install-server.sh.
. "$(dirname -- "$0")/hooks/install-lib.sh"

bin_dir=${TIERGATE_BIN_DIR:-${HOME:-}/.local/bin}
build=1
dry_run=0
uninstall=0
clone=
# What `tiergate install` is told, besides --bin-dir and CLONE.
pass=

while [ $# -gt 0 ]; do
    case $1 in
    --bin-dir)
        [ $# -ge 2 ] || die 2 "--bin-dir needs a directory" "Run \`install.sh --help\`."
        bin_dir=$2
        shift 2
        continue
        ;;
    --bin-dir=*) bin_dir=${1#--bin-dir=} ;;
    --no-build) build=0 ;;
    --init-policy) pass="$pass --init-policy" ;;
    --uninstall) uninstall=1 pass="$pass --uninstall" ;;
    --dry-run | -n) dry_run=1 pass="$pass --dry-run" ;;
    --no-check) pass="$pass --no-check" ;;
    -h | --help)
        usage
        exit 0
        ;;
    --) shift; break ;;
    -*) die 2 "unknown option '$1'" "Run \`install.sh --help\` for the options." ;;
    *)
        [ -z "$clone" ] || die 2 "more than one CLONE given ('$clone', '$1')" "Name one repository."
        clone=$1
        ;;
    esac
    shift
done
if [ $# -gt 0 ]; then
    [ -z "$clone" ] && [ $# -eq 1 ] || die 2 "more than one CLONE given" "Name one repository."
    clone=$1
fi

src=$(cd "$(dirname -- "$0")" && pwd)
[ -n "$clone" ] || clone=.
case $bin_dir in
/*) ;;
*) bin_dir=$(pwd)/$bin_dir ;;
esac

# Uninstalling builds nothing: any tiergate that knows `install` does it
# (the one in --bin-dir, on PATH, or built in this checkout).
if [ "$uninstall" = 1 ]; then
    for installer in "$bin_dir/tiergate" "$(command -v tiergate 2>/dev/null || true)" \
        "$src/target/release/tiergate" "$src/target/debug/tiergate"; do
        if has_install "$installer"; then
            # shellcheck disable=SC2086
            exec "$installer" install --from-install-sh $pass --bin-dir "$bin_dir" -- "$clone"
        fi
    done
    die 3 "no tiergate binary to uninstall with (looked in $bin_dir, PATH and $src/target)" \
        "Pass --bin-dir DIR of the installed binaries, or build (\`cargo build --release --locked\`)."
fi

if [ "$build" = 1 ]; then
    command -v cargo >/dev/null 2>&1 ||
        die 3 "cargo is not installed" "Install Rust (https://rustup.rs), or pass --no-build --bin-dir DIR with prebuilt binaries."
    [ -f "$src/Cargo.toml" ] || die 3 "$src is not a tiergate checkout (no Cargo.toml)" "Run install.sh from a clone of tiergate."
    say "building:  cargo build --release --locked (in $src)"
    [ "$dry_run" = 1 ] || build_release "$src"
fi
pick_installer "$build" "$dry_run" "$bin_dir" install.sh
if [ -z "$installer" ]; then
    say "  would run: tiergate install$pass --bin-dir $bin_dir $clone (with the tiergate just built)"
    exit 0
fi
# $pass holds option names only (no spaces inside): split on purpose.
# shellcheck disable=SC2086
exec "$installer" install --from-install-sh --example-policy "$src/policy.yaml" $pass --bin-dir "$bin_dir" -- "$clone"
