#!/bin/sh
# Entry point of tiergate's hooks for the pre-commit framework
# (.pre-commit-hooks.yaml). Builds the binaries on first use, then runs
#   commit-msg: tiergate-commit-msg <message file>   (pre-commit passes it)
#   pre-push:   tiergate-pre-push <remote> <url>, with the ref update
#               rebuilt from pre-commit's PRE_COMMIT_* variables (pre-commit
#               reads git's stdin itself and hands each hook one ref).
# TIERGATE_BIN (a directory of prebuilt binaries) skips the build.
set -eu
hook=${1:?usage: pre-commit-framework.sh commit-msg|pre-push [args]}
shift
here=$(cd "$(dirname -- "$0")/.." && pwd)

if [ -n "${TIERGATE_BIN:-}" ] && [ -d "$TIERGATE_BIN" ]; then
    bin_dir=$TIERGATE_BIN
else
    bin_dir=$here/target/release
    if [ ! -x "$bin_dir/tiergate-$hook" ]; then
        command -v cargo >/dev/null 2>&1 || {
            echo "Error: tiergate: cargo is needed once to build the hooks" >&2
            echo "Hint: Install Rust (https://rustup.rs), or set TIERGATE_BIN to a directory of prebuilt tiergate binaries." >&2
            exit 3
        }
        echo "tiergate: building the hooks (once): cargo build --release --locked" >&2
        (cd "$here" && CARGO_TARGET_DIR=$here/target cargo build --release --locked -q -p tiergate-hooks) >&2 || exit 3
    fi
fi

case $hook in
commit-msg)
    exec "$bin_dir/tiergate-commit-msg" "$@"
    ;;
pre-push)
    zero=0000000000000000000000000000000000000000
    # A push whose first new commit is a root commit comes without refs
    # (pre-commit's "all files" case): the local branch is what is pushed.
    to=${PRE_COMMIT_TO_REF:-${PRE_COMMIT_LOCAL_BRANCH:-}}
    [ -n "$to" ] || exit 0 # nothing pushed
    from=${PRE_COMMIT_FROM_REF:-$zero}
    # pre-commit names commits by id; make sure they are ids.
    to=$(git rev-parse --verify -q "$to^{commit}") || exit 3
    from=$(git rev-parse --verify -q "$from^{commit}" 2>/dev/null) || from=$zero
    remote=${PRE_COMMIT_REMOTE_NAME:-origin}
    url=${PRE_COMMIT_REMOTE_URL:-$remote}
    printf '%s %s %s %s\n' "${PRE_COMMIT_LOCAL_BRANCH:-HEAD}" "$to" \
        "${PRE_COMMIT_REMOTE_BRANCH:-HEAD}" "$from" |
        "$bin_dir/tiergate-pre-push" "$remote" "$url"
    ;;
*)
    echo "Error: tiergate: unknown hook '$hook' (commit-msg or pre-push)" >&2
    exit 2
    ;;
esac
