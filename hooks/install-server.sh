#!/bin/sh
# install-server.sh: build tiergate, then install its server-side hook into
# a repository that receives pushes (usually bare) with `tiergate install
# --server`. Run through `install.sh --server`.
#
#   install.sh --server REPO.git [--policy FILE] [--gitlab] [--mirror MODE]
#              [--audit-log FILE] [--bin-dir DIR] [--no-build] [--no-fsck]
#              [--uninstall] [--dry-run]
#
# See docs/server.md.
set -eu

usage() {
    cat <<'USAGE'
Usage: install.sh --server REPO.git [options]

Build tiergate, then run the tiergate just built as `tiergate install
--server` to install its pre-receive hook into REPO.git (a repository that
receives pushes): every push is judged against the policy and refused, whole, on a
violation. A pre-receive hook already there is kept and runs first
(chained). Running it again updates the hook; it never installs twice.

Options:
  --policy FILE     the policy pushes are judged by, stored as git config
                    tiergate.policy (absolute path) [default: policy.yaml on
                    the default branch, as it was before each push]
  --audit-log FILE  append one JSON line per push decision to FILE (git
                    config tiergate.auditLog) [default: the policy's
                    server.audit_log]
  --gitlab          install for GitLab: REPO.git/custom_hooks/pre-receive.d/tiergate
  --mirror MODE     REPO.git is a mirror updated by `git fetch`: install a
                    reference-transaction hook instead; MODE audit (record
                    violations, accept) or enforce (refuse the update)
  --bin-dir DIR     where the binaries go and where the hook looks for them
                    [default: $TIERGATE_BIN_DIR, else ~/.local/bin]
  --no-build        do not build: use the binaries already in --bin-dir (its
                    tiergate does the installing)
  --no-fsck         leave receive.fsckObjects (fetch.fsckObjects with
                    --mirror) as it is instead of setting it to true
  --uninstall       remove the hook (restoring a chained one) and tiergate's
                    git config; the binaries and receive.fsckObjects are
                    left in place
  --dry-run         say what would be done, change nothing
  -h, --help        this help

It sets receive.advertisePushOptions=true so that
`git push -o tiergate.override="reason"` reaches the hook, and
receive.fsckObjects=true (with --mirror: fetch.fsckObjects=true) so that git
refuses malformed objects before the hook judges them.
Exit: 0 done, 2 usage error, 3 build or I/O failure.
USAGE
}

# die, say, build_release, pick_installer: shared with install.sh.
. "$(dirname -- "$0")/install-lib.sh"

bin_dir=${TIERGATE_BIN_DIR:-${HOME:-}/.local/bin}
build=1
uninstall=0
dry_run=0
repo=
# What `tiergate install --server` is told, besides --bin-dir and REPO:
# positional parameters rebuilt at the end (values may hold spaces).
set -- "$@" --tiergate-end-of-args
while [ "$1" != --tiergate-end-of-args ]; do
    case $1 in
    --server) ;;
    --policy | --audit-log | --bin-dir | --mirror)
        [ "$2" != --tiergate-end-of-args ] || die 2 "$1 needs a value" "Run \`install.sh --server --help\`."
        case $1 in
        --bin-dir) bin_dir=$2 ;;
        *) set -- "$@" "$1" "$2" ;;
        esac
        shift 2
        continue
        ;;
    --bin-dir=*) bin_dir=${1#--bin-dir=} ;;
    --policy=* | --audit-log=* | --mirror=*) set -- "$@" "$1" ;;
    --gitlab | --no-fsck) set -- "$@" "$1" ;;
    --no-build) build=0 ;;
    --uninstall) uninstall=1 && set -- "$@" "$1" ;;
    --dry-run | -n) dry_run=1 && set -- "$@" --dry-run ;;
    -h | --help)
        usage
        exit 0
        ;;
    -*) die 2 "unknown option '$1'" "Run \`install.sh --server --help\` for the options." ;;
    *)
        [ -z "$repo" ] || die 2 "more than one repository given ('$repo', '$1')" "Name one repository."
        repo=$1
        ;;
    esac
    shift
done
shift # --tiergate-end-of-args; "$@" is now what tiergate install is told

[ -n "$repo" ] || die 2 "no repository given" "Run \`install.sh --server path/to/repo.git\`."
src=$(cd "$(dirname -- "$0")/.." && pwd)
case $bin_dir in
/*) ;;
*) bin_dir=$(pwd)/$bin_dir ;;
esac

# Uninstalling builds nothing: any tiergate that knows `install` does it.
if [ "$uninstall" = 1 ]; then
    for installer in "$bin_dir/tiergate" "$(command -v tiergate 2>/dev/null || true)" \
        "$src/target/release/tiergate" "$src/target/debug/tiergate"; do
        if has_install "$installer"; then
            exec "$installer" install --server --from-install-sh "$@" --bin-dir "$bin_dir" -- "$repo"
        fi
    done
    die 3 "no tiergate binary to uninstall with (looked in $bin_dir, PATH and $src/target)" \
        "Pass --bin-dir DIR of the installed binaries, or build (\`cargo build --release --locked\`)."
fi

if [ "$build" = 1 ]; then
    command -v cargo >/dev/null 2>&1 ||
        die 3 "cargo is not installed" "Install Rust (https://rustup.rs), or pass --no-build --bin-dir DIR with prebuilt binaries."
    say "building:   cargo build --release --locked (in $src)"
    [ "$dry_run" = 1 ] || build_release "$src"
fi
pick_installer "$build" "$dry_run" "$bin_dir" "install.sh --server"
if [ -z "$installer" ]; then
    say "  would run: tiergate install --server $* --bin-dir $bin_dir $repo (with the tiergate just built)"
    exit 0
fi
exec "$installer" install --server --from-install-sh "$@" --bin-dir "$bin_dir" -- "$repo"
