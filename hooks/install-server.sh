#!/bin/sh
# install-server.sh: install tiergate's server-side hook into a repository
# that receives pushes (usually bare). Run through `install.sh --server`.
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

Install tiergate's pre-receive hook into REPO.git (a repository that receives
pushes): every push is judged against the policy and refused, whole, on a
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
  --no-build        do not build: use the binaries already in --bin-dir
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

# die, say, run, is_shim and the install steps both installers share.
. "$(dirname -- "$0")/install-lib.sh"

bin_dir=${TIERGATE_BIN_DIR:-${HOME:-}/.local/bin}
build=1
uninstall=0
dry_run=0
gitlab=0
fsck=1
mirror=
policy=
audit_log=
repo=

while [ $# -gt 0 ]; do
    case $1 in
    --server) ;;
    --policy | --audit-log | --bin-dir | --mirror)
        [ $# -ge 2 ] || die 2 "$1 needs a value" "Run \`install.sh --server --help\`."
        case $1 in
        --policy) policy=$2 ;;
        --audit-log) audit_log=$2 ;;
        --bin-dir) bin_dir=$2 ;;
        --mirror) mirror=$2 ;;
        esac
        shift 2
        continue
        ;;
    --policy=*) policy=${1#--policy=} ;;
    --audit-log=*) audit_log=${1#--audit-log=} ;;
    --bin-dir=*) bin_dir=${1#--bin-dir=} ;;
    --mirror=*) mirror=${1#--mirror=} ;;
    --gitlab) gitlab=1 ;;
    --no-build) build=0 ;;
    --no-fsck) fsck=0 ;;
    --uninstall) uninstall=1 ;;
    --dry-run | -n) dry_run=1 ;;
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

case $mirror in
'' | audit | enforce) ;;
*) die 2 "--mirror takes audit or enforce, not '$mirror'" "Use \`--mirror audit\` to record violations or \`--mirror enforce\` to refuse them." ;;
esac
[ -z "$mirror" ] || [ "$gitlab" = 0 ] || die 2 "--mirror and --gitlab do not go together" "A GitLab pull mirror runs GitLab's hooks; install without --mirror."
[ -n "$repo" ] || die 2 "no repository given" "Run \`install.sh --server path/to/repo.git\`."
[ -d "$repo" ] || die 2 "'$repo' is not a directory" "Name the server's repository, e.g. /srv/git/project.git."

src=$(cd "$(dirname -- "$0")/.." && pwd)
git_dir=$(cd "$repo" && GIT_DIR=. git rev-parse --absolute-git-dir 2>/dev/null) ||
    git_dir=$(cd "$repo" && git rev-parse --absolute-git-dir 2>/dev/null) ||
    die 2 "'$repo' is not a git repository" "Name the server's repository (a bare repository such as project.git)."
gitc() { git --git-dir="$git_dir" "$@"; }

if [ "$gitlab" = 1 ]; then
    hooks_dir=$git_dir/custom_hooks/pre-receive.d
    hook_name=tiergate
elif [ -n "$mirror" ]; then
    hooks_dir=$(cd "$git_dir" && GIT_DIR=. git rev-parse --git-path hooks)
    hook_name=reference-transaction
else
    hooks_dir=$(cd "$git_dir" && GIT_DIR=. git rev-parse --git-path hooks)
    hook_name=pre-receive
fi
case $hooks_dir in
/*) ;;
*) hooks_dir=$git_dir/$hooks_dir ;;
esac
case $bin_dir in
/*) ;;
*) bin_dir=$(pwd)/$bin_dir ;;
esac

[ "$dry_run" = 0 ] || say "tiergate install.sh --server --dry-run: nothing will be changed"
say "repository: $git_dir"
say "hook:       $hooks_dir/$hook_name"

# ---------------------------------------------------------------- uninstall
if [ "$uninstall" = 1 ]; then
    installed_bin=
    for f in "$hooks_dir/$hook_name" "$git_dir/hooks/pre-receive" "$git_dir/hooks/reference-transaction" "$git_dir/custom_hooks/pre-receive.d/tiergate"; do
        remove_shim "$f" "$f" || true
    done
    for key in tiergate.policy tiergate.auditLog tiergate.mirror; do
        if gitc config --get "$key" >/dev/null 2>&1; then
            run gitc config --unset "$key"
            say "git config $key: removed"
        fi
    done
    say "receive.advertisePushOptions left as it is (other hooks may use push options)."
    say "receive.fsckObjects and fetch.fsckObjects left as they are (they protect the repository with or without tiergate)."
    say "tiergate's server hook is uninstalled (binaries in ${installed_bin:-$bin_dir} are left in place)."
    exit 0
fi

# -------------------------------------------------------------------- build
binaries="tiergate-pre-receive tiergate"
if [ "$build" = 1 ]; then
    command -v cargo >/dev/null 2>&1 ||
        die 3 "cargo is not installed" "Install Rust (https://rustup.rs), or pass --no-build --bin-dir DIR with prebuilt binaries."
    say "building:   cargo build --release --locked (in $src)"
    if [ "$dry_run" = 0 ]; then
        build_release "$src"
        run mkdir -p "$bin_dir"
        for b in $binaries; do
            copy_binary "$b" "$bin_dir"
        done
    fi
    say "binaries:   $bin_dir"
else
    say "binaries:   $bin_dir (--no-build: using what is there)"
    [ -x "$bin_dir/tiergate-pre-receive" ] || die 2 "$bin_dir/tiergate-pre-receive does not exist or is not executable" \
        "Build first (\`cargo build --release --locked\`) and point --bin-dir at the binaries, or drop --no-build."
fi

# ------------------------------------------------------------------- policy
if [ -n "$policy" ]; then
    [ -f "$policy" ] || die 2 "policy file '$policy' does not exist" "Pass the path of the server's policy.yaml."
    policy_abs=$(cd "$(dirname -- "$policy")" && pwd)/$(basename -- "$policy")
    if [ -x "$bin_dir/tiergate" ] && [ "$dry_run" = 0 ]; then
        "$bin_dir/tiergate" policy validate "$policy_abs" >/dev/null ||
            die 2 "the policy $policy_abs does not load (see above)" "Fix it (\`tiergate policy validate\`), then install again."
    fi
    run gitc config tiergate.policy "$policy_abs"
    say "policy:     $policy_abs (git config tiergate.policy)"
elif configured=$(gitc config --get tiergate.policy 2>/dev/null); then
    say "policy:     $configured (git config tiergate.policy, kept)"
elif gitc cat-file -e HEAD:policy.yaml 2>/dev/null; then
    say "policy:     policy.yaml on the default branch (HEAD), as it is before each push"
else
    say "policy:     none yet! Pushes are refused until HEAD has a policy.yaml or --policy FILE is given." >&2
fi
if [ -n "$audit_log" ]; then
    case $audit_log in
    /*) ;;
    *) audit_log=$(pwd)/$audit_log ;;
    esac
    run gitc config tiergate.auditLog "$audit_log"
    say "audit log:  $audit_log (git config tiergate.auditLog)"
fi
if [ -n "$mirror" ]; then
    run gitc config tiergate.mirror "$mirror"
    say "mirror:     $mirror (git config tiergate.mirror)"
else
    run gitc config receive.advertisePushOptions true
    say "push options: advertised (receive.advertisePushOptions=true)"
fi
# git checks every object a push (a fetch, for a mirror) brings with fsck
# and refuses malformed ones before any hook runs: a commit with two
# author headers, a tree with duplicate entries or a `.git` entry, which
# git and libgit2 could read differently from what tiergate judged.
if [ -n "$mirror" ]; then fsck_key=fetch.fsckObjects; else fsck_key=receive.fsckObjects; fi
if [ "$fsck" = 1 ]; then
    was=$(gitc config --get "$fsck_key" 2>/dev/null) || was=
    run gitc config "$fsck_key" true
    case $was in
    '' | true) say "fsck:       $fsck_key=true (malformed objects are refused before the hook runs; --no-fsck to leave it alone)" ;;
    *) say "fsck:       $fsck_key=true, was $was (malformed objects are refused before the hook runs; --no-fsck to leave it alone)" ;;
    esac
else
    now=$(gitc config --get "$fsck_key" 2>/dev/null) || now=unset
    say "fsck:       $fsck_key left as it is (--no-fsck): $now"
fi

# --------------------------------------------------------------------- hook
f=$hooks_dir/$hook_name
chain_existing "$f" "install.sh --server"
if [ "$dry_run" = 1 ]; then
    say "$hook_name: would be $state"
    exit 0
fi
mkdir -p "$hooks_dir"
write_shim "$src/hooks/pre-receive" "$f" "$bin_dir"
say "$hook_name: $state"
say "done."
