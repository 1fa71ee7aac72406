#!/bin/sh
# The logic of tiergate's GitLab CI/CD component
# (templates/tiergate/template.yml, which embeds this script and
# tiergate-ci.sh: scripts/ci/gitlab-template.sh writes it), kept here so
# that it can be run and tested outside GitLab.
#
#   gitlab.sh install   install tiergate (see tiergate-ci.sh)
#   gitlab.sh check     judge the pipeline's commits
#
# `check` reads GitLab's predefined variables. The range it judges:
#
# - merge request pipelines: CI_MERGE_REQUEST_DIFF_BASE_SHA..HEAD, the
#   merge request's commits (the diff base is where the source branch
#   forked from the target). In a merged results pipeline HEAD is the
#   merge GitLab made with the target's tip, which would bring in the
#   target's newer commits: the source branch's tip,
#   CI_MERGE_REQUEST_SOURCE_BRANCH_SHA, stands for HEAD there.
# - branch pipelines: CI_COMMIT_BEFORE_SHA..CI_COMMIT_SHA. Where there is
#   no "before" (all zeros: a new branch, or a pipeline not started by a
#   push), the commits of CI_COMMIT_SHA that are not on the default
#   branch; on the default branch itself, CI_COMMIT_SHA alone.
# TIERGATE_RANGE (git rev-list arguments, split on white space) overrides
# the range.
#
# The policy (TIERGATE_POLICY, default policy.yaml) is read from the target
# branch before the change, as the GitHub Action does (see there): the diff
# base for a merge request, the old tip of a push to the default branch,
# the default branch otherwise; the checked-out one when the target has
# none, or with TIERGATE_RANGE.
#
# Output: the violations in the job log; a Code Quality report
# (TIERGATE_CODEQUALITY, default gl-code-quality.json) and a JUnit report
# (TIERGATE_JUNIT, default tiergate-junit.xml) for `artifacts: reports:`.
# Exit code: tiergate's (0 pass or mode: warn, 1 violations, 2 usage or
# policy error, 3 git error).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/ci/tiergate-ci.sh
. "$here/tiergate-ci.sh"

# Decide the range and the trusted revision of the policy.
plan() {
    policy_rev=
    default=${CI_DEFAULT_BRANCH:-}
    if [ -n "${CI_MERGE_REQUEST_DIFF_BASE_SHA:-}" ]; then
        base=$CI_MERGE_REQUEST_DIFF_BASE_SHA
        head=${CI_MERGE_REQUEST_SOURCE_BRANCH_SHA:-$(git rev-parse HEAD)}
        fetch_commit "$base" "refs/heads/${CI_MERGE_REQUEST_TARGET_BRANCH_NAME:-$default}" ||
            die 3 "cannot fetch the merge request's diff base $base from origin"
        fetch_commit "$head" "refs/merge-requests/${CI_MERGE_REQUEST_IID:-0}/head" ||
            die 3 "cannot fetch the merge request's head $head from origin"
        find_merge_base "$base" "$head" >/dev/null
        policy_rev=$base
        range="$base..$head"
        what="the commits of merge request !${CI_MERGE_REQUEST_IID:-?}"
        return 0
    fi
    : "${CI_COMMIT_SHA:?not a GitLab CI job (no CI_COMMIT_SHA): set TIERGATE_RANGE}"
    after=$CI_COMMIT_SHA
    before=${CI_COMMIT_BEFORE_SHA:-0}
    branch=${CI_COMMIT_BRANCH:-}
    if [ -n "$default" ] && [ "$branch" != "$default" ]; then
        git fetch --quiet --no-tags origin "+refs/heads/$default:refs/remotes/origin/$default" ||
            die 3 "cannot fetch the default branch $default from origin"
    fi
    if ! is_zero_oid "$before" && ! fetch_commit "$before"; then
        printf 'tiergate: the old tip %s is gone (a force push?): checking the commits not on %s\n' "$before" "$default"
        before=0
    fi
    if ! is_zero_oid "$before"; then
        find_merge_base "$before" "$after" >/dev/null
        if [ "$branch" = "$default" ]; then
            policy_rev=$before
        else
            policy_rev=refs/remotes/origin/$default
        fi
        range="$before..$after"
        what="the commits pushed to ${branch:-$CI_COMMIT_REF_NAME}"
    elif [ -z "$default" ] || [ "$branch" = "$default" ]; then
        range="$after^!"
        what="the commit $after"
    else
        find_merge_base "$after" "refs/remotes/origin/$default" >/dev/null
        policy_rev=refs/remotes/origin/$default
        range="$after --not refs/remotes/origin/$default"
        what="the commits of $branch that are not on $default"
    fi
}

check() {
    workdir=$(mktemp -d "${TMPDIR:-/tmp}/tiergate.XXXXXX")
    policy_path=${TIERGATE_POLICY:-policy.yaml}
    codequality=${TIERGATE_CODEQUALITY:-gl-code-quality.json}
    junit=${TIERGATE_JUNIT:-tiergate-junit.xml}
    if [ -n "${TIERGATE_RANGE:-}" ]; then
        range=$TIERGATE_RANGE
        policy_rev=
        what="the range given"
    else
        plan
    fi

    policy=
    if [ -n "$policy_rev" ]; then
        policy=$(trusted_policy "$policy_rev" "$policy_path" "$workdir/policy.yaml")
        if [ -z "$policy" ]; then
            printf 'tiergate: warning: %s is not on the target branch: judging with the checked-out %s\n' "$policy_path" "$policy_path"
        fi
    fi
    [ -n "$policy" ] || policy=$policy_path

    set -f
    # shellcheck disable=SC2086 # rev-list arguments, split on white space
    set -- $range
    set +f
    printf 'tiergate: checking %s: %s\n' "$what" "$range"
    code=0
    tiergate --policy "$policy" check "$@" || code=$?
    if [ "$code" -ge 2 ]; then
        return "$code"
    fi
    tiergate --policy "$policy" check --format gitlab "$@" >"$codequality" || true
    tiergate --policy "$policy" check --format junit "$@" >"$junit" || true
    return "$code"
}

case ${1-} in
install) install ;;
check) check ;;
*) die 2 "usage: $0 install|check" ;;
esac
