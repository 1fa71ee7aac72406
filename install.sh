#!/bin/sh
# install.sh: build tiergate and install its git hooks into a clone.
#
#   ./install.sh [options] [CLONE]
#
# CLONE defaults to the repository around the current directory. Run it
# from a checkout of tiergate (it builds from the directory it lives in).
# See docs/hooks.md for the details.
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

Build tiergate (cargo build --release --locked), install its binaries, and
install the commit-msg, pre-push and applypatch-msg hooks into CLONE (default:
the git repository around the current directory), in the hooks directory git
uses (git rev-parse --git-path hooks: core.hooksPath and linked worktrees
are honoured). A hook already there is kept and runs first (chained).
Running it again updates the hooks; it never installs twice.

Options:
  --bin-dir DIR   where the binaries go and where the hooks look for them
                  [default: $TIERGATE_BIN_DIR, else ~/.local/bin]
  --no-build      do not build: use the binaries already in --bin-dir
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

# die, say, run, is_shim and the install steps both installers share.
. "$(dirname -- "$0")/hooks/install-lib.sh"

hooks="commit-msg pre-push applypatch-msg"
binaries="tiergate tiergate-commit-msg tiergate-pre-push tiergate-applypatch-msg"

bin_dir=${TIERGATE_BIN_DIR:-${HOME:-}/.local/bin}
build=1
init_policy=0
uninstall=0
dry_run=0
check=1
clone=

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
    --init-policy) init_policy=1 ;;
    --uninstall) uninstall=1 ;;
    --dry-run | -n) dry_run=1 ;;
    --no-check) check=0 ;;
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
[ -d "$clone" ] || die 2 "'$clone' is not a directory" "Name the clone to install into, or run install.sh inside it."

# The repository, and the hooks directory git really uses.
if ! top=$(cd "$clone" && git rev-parse --show-toplevel 2>/dev/null); then
    if [ "$(cd "$clone" && git rev-parse --is-bare-repository 2>/dev/null)" = true ]; then
        die 2 "'$clone' is a bare repository: tiergate's client hooks belong in a developer's clone" \
            "On a server, install tiergate's pre-receive hook instead: \`install.sh --server $clone\`."
    fi
    die 2 "'$clone' is not a git repository (or any of the parent directories)" \
        "Run install.sh inside a clone, or pass its path: \`install.sh path/to/clone\`."
fi
hooks_rel=$(cd "$top" && git rev-parse --git-path hooks) ||
    die 3 "cannot ask git for the hooks directory of $top"
case $hooks_rel in
/*) hooks_dir=$hooks_rel ;;
*) hooks_dir=$top/$hooks_rel ;;
esac
case $bin_dir in
/*) ;;
*) bin_dir=$(pwd)/$bin_dir ;;
esac

if [ "$dry_run" = 1 ]; then
    say "tiergate install.sh --dry-run: nothing will be changed"
fi
say "clone:     $top"
say "hooks dir: $hooks_dir"

# ---------------------------------------------------------------- uninstall
if [ "$uninstall" = 1 ]; then
    installed_bin=
    for hook in $hooks; do
        f=$hooks_dir/$hook
        if remove_shim "$f" "$hook"; then
            :
        elif [ -e "$f" ] || [ -L "$f" ]; then
            say "$hook: not tiergate's hook; left alone"
        else
            say "$hook: not installed"
        fi
    done
    say "tiergate's hooks are uninstalled (binaries in ${installed_bin:-$bin_dir} are left in place)."
    exit 0
fi

# -------------------------------------------------------------------- build
if [ "$build" = 1 ]; then
    command -v cargo >/dev/null 2>&1 ||
        die 3 "cargo is not installed" "Install Rust (https://rustup.rs), or pass --no-build --bin-dir DIR with prebuilt binaries."
    [ -f "$src/Cargo.toml" ] || die 3 "$src is not a tiergate checkout (no Cargo.toml)" "Run install.sh from a clone of tiergate."
    say "building:  cargo build --release --locked (in $src)"
    [ "$dry_run" = 1 ] || build_release "$src"
    say "binaries:  $bin_dir"
    run mkdir -p "$bin_dir"
    for b in $binaries; do
        if [ "$dry_run" = 1 ]; then
            say "  would install $b into $bin_dir"
            continue
        fi
        copy_binary "$b" "$bin_dir"
    done
else
    say "binaries:  $bin_dir (--no-build: using what is there)"
    for b in $binaries; do
        case $b in
        tiergate) [ -x "$bin_dir/$b" ] || say "  note: $bin_dir/tiergate is missing (the hooks do not need it)" ;;
        *) [ -x "$bin_dir/$b" ] || die 2 "$bin_dir/$b does not exist or is not executable" \
            "Build first (\`cargo build --release --locked\`) and point --bin-dir at the binaries, or drop --no-build." ;;
        esac
    done
fi

# -------------------------------------------------------------------- hooks
run mkdir -p "$hooks_dir"
for hook in $hooks; do
    f=$hooks_dir/$hook
    [ -f "$src/hooks/$hook" ] || die 3 "$src/hooks/$hook is missing" "Run install.sh from a complete tiergate checkout."
    chain_existing "$f" install.sh
    if [ "$dry_run" = 1 ]; then
        say "$hook: would be $state"
        continue
    fi
    write_shim "$src/hooks/$hook" "$f" "$bin_dir"
    say "$hook: $state"
done

# ------------------------------------------------------------------- policy
policy=$top/policy.yaml
configured=$(cd "$top" && git config --get tiergate.policy 2>/dev/null || true)
if [ "$init_policy" = 1 ]; then
    if [ -e "$policy" ]; then
        say "policy:    kept the existing $policy (--init-policy never overwrites)"
    else
        [ -f "$src/policy.yaml" ] || die 3 "$src/policy.yaml is missing" "Run install.sh from a complete tiergate checkout."
        run cp "$src/policy.yaml" "$policy"
        say "policy:    copied tiergate's example policy to $policy; adapt it and commit it"
    fi
elif [ -n "$configured" ]; then
    say "policy:    $configured (git config tiergate.policy)"
elif [ -e "$policy" ]; then
    say "policy:    $policy"
else
    say "policy:    none yet! The hooks refuse commits until $policy exists." >&2
    say "Hint: Run \`install.sh --init-policy\` to start from tiergate's example, or \`tiergate policy init\`." >&2
fi

[ "$dry_run" = 1 ] && exit 0

# ------------------------------------------------------------- show it work
if [ "$check" = 1 ] && [ -x "$bin_dir/tiergate" ] && (cd "$top" && git rev-parse -q --verify HEAD >/dev/null); then
    base=$(cd "$top" && git rev-list --max-count=1 --skip=5 HEAD)
    if [ -n "$base" ]; then range="$base..HEAD"; what="the last 5 commits"; else range=HEAD; what="all commits"; fi
    say ""
    say "Checking $what of $top with the installed tiergate (tiergate check $range):"
    if (cd "$top" && "$bin_dir/tiergate" check "$range"); then
        say "  pass: no violations. From now on every commit and push is checked."
    else
        say "  (these commits exist already; the hooks judge new commits and pushes)"
    fi
fi
say "done."
