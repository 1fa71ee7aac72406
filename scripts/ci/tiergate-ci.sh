# Sourced by github-action.sh and gitlab.sh (POSIX sh): what both forges
# need to install tiergate, and from git before tiergate can judge a range
# in a CI checkout.
#
# install: TIERGATE_INSTALL `cargo` (the default: `cargo install --locked
# tiergate`, TIERGATE_VERSION the crate version; with TIERGATE_GIT, from
# that git URL, TIERGATE_VERSION its revision) or `none` (tiergate is on
# PATH already).
#
# CI checkouts are shallow (actions/checkout fetches one commit, GitLab
# clones GIT_DEPTH=20 by default) and hold only the ref being built, so
# the commits a range names, and the merge base of two of them, may be
# missing. These functions fetch what is missing from `origin`, deepening
# a shallow clone step by step, and say clearly when it cannot be done.

# The all-zeros object id a forge sends for "no commit" (a new or deleted
# branch): 40 hex digits for SHA-1, 64 for SHA-256 repositories.
is_zero_oid() {
    case $1 in
    '' | *[!0]*) return 1 ;;
    *) return 0 ;;
    esac
}

die() {
    code=$1
    shift
    printf 'tiergate: %s\n' "$*" >&2
    exit "$code"
}

install() {
    case ${TIERGATE_INSTALL:-cargo} in
    none) return 0 ;;
    cargo) ;;
    *) die 2 "install: '${TIERGATE_INSTALL}' is not an install method (cargo or none)" ;;
    esac
    set -- install --locked
    if [ -n "${TIERGATE_GIT:-}" ]; then
        set -- "$@" --git "$TIERGATE_GIT"
        if [ -n "${TIERGATE_VERSION:-}" ]; then
            set -- "$@" --rev "$TIERGATE_VERSION"
        fi
    elif [ -n "${TIERGATE_VERSION:-}" ]; then
        set -- "$@" --version "$TIERGATE_VERSION"
    fi
    cargo "$@" tiergate
}

has_commit() {
    git cat-file -e "$1^{commit}" 2>/dev/null
}

is_shallow() {
    [ "$(git rev-parse --is-shallow-repository)" = true ]
}

# fetch_commit OID [REFSPEC...]: make commit OID present, fetching it by id
# (GitHub and GitLab serve any reachable commit by id) or else from each
# REFSPEC in turn (`refs/pull/N/head` holds a fork's commits in the base
# repository). A shallow clone fetches it shallow too; find_merge_base
# deepens it.
fetch_commit() {
    oid=$1
    shift
    has_commit "$oid" && return 0
    depth=
    if is_shallow; then
        depth=--depth=1
    fi
    for what in "$oid" "$@"; do
        # shellcheck disable=SC2086 # $depth is one word or nothing
        git fetch --quiet --no-tags $depth origin "$what" 2>/dev/null || continue
        has_commit "$oid" && return 0
    done
    return 1
}

# find_merge_base A B: print the merge base of commits A and B. In a shallow
# clone the fork point may lie below the shallow boundary, where git sees
# no common ancestor: deepen both sides (50, 100, 200, ... commits, then the
# whole history) until git finds one. A common ancestor found in partial
# history is the right one: history is cut from the oldest end, so every
# better candidate (a descendant of it) is present too.
find_merge_base() {
    # Deepening fetches by object id: a local name such as
    # refs/remotes/origin/main means nothing to the remote.
    set -- "$(git rev-parse --verify "$1^{commit}")" "$(git rev-parse --verify "$2^{commit}")"
    step=50
    while :; do
        if base=$(git merge-base "$1" "$2" 2>/dev/null); then
            printf '%s\n' "$base"
            return 0
        fi
        is_shallow || die 3 "commits $1 and $2 have no common ancestor"
        if [ "$step" -gt 3200 ]; then
            git fetch --quiet --no-tags --unshallow origin "$1" "$2" ||
                die 3 "cannot fetch the history of $1 and $2 from origin to find their merge base; check out with the whole history (actions/checkout: fetch-depth: 0; GitLab: GIT_DEPTH: 0)"
            step=0
            continue
        fi
        git fetch --quiet --no-tags --deepen="$step" origin "$1" "$2" ||
            die 3 "cannot deepen the shallow clone to find the merge base of $1 and $2; check out with the whole history (actions/checkout: fetch-depth: 0; GitLab: GIT_DEPTH: 0)"
        step=$((step * 2))
    done
}

# trusted_policy REV PATH OUT: write the policy file PATH as committed at
# REV (a commit of the target branch, which the change being checked cannot
# have edited) to OUT and print OUT; print nothing when REV has no such
# file (a change that adds the project's first policy).
trusted_policy() {
    if git cat-file -e "$1:$2" 2>/dev/null; then
        git cat-file blob "$1:$2" >"$3" || die 3 "cannot read $2 at $1"
        printf '%s\n' "$3"
    fi
}
