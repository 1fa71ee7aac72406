#!/bin/sh
# The logic of tiergate's GitHub Action (action.yml at the top of the
# repository), kept here so that it can be run and tested outside GitHub.
#
#   github-action.sh install   install tiergate (see tiergate-ci.sh)
#   github-action.sh check     judge the event's commits
#
# `check` reads what GitHub gives a step: GITHUB_EVENT_NAME,
# GITHUB_EVENT_PATH (the event payload, read with jq), GITHUB_STEP_SUMMARY,
# GITHUB_OUTPUT, RUNNER_TEMP; and the action's inputs as TIERGATE_*
# variables (see action.yml). The range it judges:
#
# - pull_request, pull_request_target: the pull request's commits,
#   merge-base(base.sha, head.sha)..head.sha. The head commit is fetched by
#   id, or from refs/pull/N/head, which holds a fork's commits in the base
#   repository; a shallow checkout is deepened until the merge base is
#   there.
# - push: before..after. A new branch (before is all zeros) has no
#   "before": the commits of `after` that are not on the default branch.
#   A deleted branch (after is all zeros) has nothing to check. A force
#   push whose old tip GitHub no longer serves is checked as a new branch.
# - merge_group: base_sha..head_sha.
# - anything else: TIERGATE_RANGE must say what to check.
# TIERGATE_RANGE (git rev-list arguments, split on white space) overrides
# the range of any event.
#
# The policy is read from the target branch as it was before the change
# (the pull request's base, the pushed branch's old tip on the default
# branch, the default branch otherwise), never from the commits being
# checked: a pull request that weakens policy.yaml is judged by the policy
# it would change. When the target has no policy yet (the change adds
# it), the checked-out one is used, with a warning. A range given by
# TIERGATE_RANGE uses the checked-out policy.
#
# Output: `tiergate check --format github` annotations, at most 10 per
# kind, since GitHub shows 10 error and 10 warning annotations per step and
# drops the rest (actions/toolkit docs/problem-matchers.md, "Limitations");
# a job summary with every violation; the SARIF log at TIERGATE_SARIF when
# set; step outputs verdict, violations and range. Exit code: tiergate's
# (0 pass or mode: warn, 1 violations, 2 usage or policy error, 3 git
# error).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/ci/tiergate-ci.sh
. "$here/tiergate-ci.sh"

# GitHub shows this many annotations of each kind per step.
ANNOTATIONS_PER_KIND=10
# Violations listed in the job summary: GitHub takes at most 1 MiB of
# summary per step (docs: "Adding a job summary"), and a row can take
# about a kilobyte. (TIERGATE_SUMMARY_ROWS: for the tests.)
SUMMARY_ROWS=${TIERGATE_SUMMARY_ROWS:-500}

event() {
    jq -r "$1 // empty" "$GITHUB_EVENT_PATH"
}

short() {
    printf '%.12s' "$1"
}

# Markdown-table-safe text: HTML special characters and `|` escaped, line
# breaks as <br>. The same rules, in jq, render the summary's table.
JQ_CELL='def cell: gsub("&"; "&amp;") | gsub("<"; "&lt;") | gsub(">"; "&gt;")
    | gsub("\\|"; "\\|") | gsub("\r?\n"; "<br>");'

# squash_commit MERGE_BASE HEAD: write the commit a squash merge of the
# pull request would make (its tree, parent MERGE_BASE, the message
# GitHub's default squash message takes: "TITLE (#N)", a blank line and
# the description; the pull request's author) as an unreferenced object,
# and print its id. `git commit-tree` stores the message as given, with no
# cleanup, as GitHub stores it.
squash_commit() {
    number=$(event .pull_request.number)
    login=$(event .pull_request.user.login)
    user_id=$(event .pull_request.user.id)
    msg=$workdir/squash-message
    {
        printf '%s (#%s)\n' "$(event .pull_request.title)" "$number"
        # Descriptions typed in the browser come with CRLF line ends;
        # the commit GitHub makes has LF.
        body=$(event .pull_request.body | tr -d '\r')
        if [ -n "$body" ]; then
            printf '\n%s\n' "$body"
        fi
    } >"$msg"
    date="$(git log -1 --format=%ct "$2") +0000"
    GIT_AUTHOR_NAME=$login \
        GIT_AUTHOR_EMAIL="$user_id+$login@users.noreply.github.com" \
        GIT_AUTHOR_DATE=$date \
        GIT_COMMITTER_NAME=GitHub \
        GIT_COMMITTER_EMAIL=noreply@github.com \
        GIT_COMMITTER_DATE=$date \
        git commit-tree "$2^{tree}" -p "$1" -F "$msg"
}

# Decide the range (as positional parameters of `tiergate check`), the
# trusted revision of the policy and a description, from the event.
plan() {
    policy_rev=
    case $GITHUB_EVENT_NAME in
    pull_request | pull_request_target)
        number=$(event .pull_request.number)
        base=$(event .pull_request.base.sha)
        head=$(event .pull_request.head.sha)
        [ -n "$base" ] && [ -n "$head" ] || die 2 "the $GITHUB_EVENT_NAME payload has no pull_request.base.sha or head.sha"
        fetch_commit "$base" "refs/heads/$(event .pull_request.base.ref)" ||
            die 3 "cannot fetch the pull request's base $base from origin"
        fetch_commit "$head" "refs/pull/$number/head" ||
            die 3 "cannot fetch the pull request's head $head from origin (nor refs/pull/$number/head)"
        merge_base=$(find_merge_base "$base" "$head")
        policy_rev=$base
        range="$merge_base..$head"
        what="the commits of pull request #$number"
        if [ "${TIERGATE_CHECK_PR_BODY:-false}" = true ]; then
            squash=$(squash_commit "$merge_base" "$head")
            range="$range $squash ^$merge_base"
            what="$what and its squash commit (title and description)"
        fi
        ;;
    push)
        before=$(event .before)
        after=$(event .after)
        ref=$(event .ref)
        default=$(event .repository.default_branch)
        if is_zero_oid "$after"; then
            range=
            what="nothing: $ref was deleted"
            return 0
        fi
        fetch_commit "$after" "$ref" || die 3 "cannot fetch the pushed commit $after from origin"
        if [ -n "$default" ]; then
            git fetch --quiet --no-tags origin "+refs/heads/$default:refs/remotes/origin/$default" ||
                die 3 "cannot fetch the default branch $default from origin"
        fi
        if ! is_zero_oid "$before" && ! fetch_commit "$before"; then
            printf '::notice title=tiergate::%s\n' "the branch's old tip $before is gone (a force push?): checking the commits not on $default"
            before=0
        fi
        if is_zero_oid "$before"; then
            [ -n "$default" ] || die 2 "the push payload names no default branch to compare a new branch with"
            find_merge_base "$after" "refs/remotes/origin/$default" >/dev/null
            policy_rev=refs/remotes/origin/$default
            range="$after --not refs/remotes/origin/$default"
            what="the commits of $ref that are not on $default"
        else
            find_merge_base "$before" "$after" >/dev/null
            if [ "$ref" = "refs/heads/$default" ]; then
                policy_rev=$before
            else
                policy_rev=refs/remotes/origin/$default
            fi
            range="$before..$after"
            what="the commits pushed to $ref"
        fi
        ;;
    merge_group)
        base=$(event .merge_group.base_sha)
        head=$(event .merge_group.head_sha)
        fetch_commit "$base" || die 3 "cannot fetch the merge group's base $base"
        fetch_commit "$head" || die 3 "cannot fetch the merge group's head $head"
        find_merge_base "$base" "$head" >/dev/null
        policy_rev=$base
        range="$base..$head"
        what="the commits of the merge group"
        ;;
    *)
        die 2 "cannot tell which commits a '$GITHUB_EVENT_NAME' event brings: set the action's 'range' input (git rev-list arguments)"
        ;;
    esac
}

check() {
    : "${GITHUB_EVENT_NAME:?}" "${GITHUB_EVENT_PATH:?}"
    summary=${GITHUB_STEP_SUMMARY:-/dev/null}
    workdir=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/tiergate.XXXXXX")
    policy_path=${TIERGATE_POLICY:-policy.yaml}

    squash=
    if [ -n "${TIERGATE_RANGE:-}" ]; then
        range=$TIERGATE_RANGE
        policy_rev=
        what="the range given"
    else
        plan
    fi
    if [ -z "$range" ]; then
        printf 'tiergate: %s\n' "$what"
        printf '## tiergate: pass\n\nNothing to check: %s.\n' "${what#nothing: }" >>"$summary"
        output verdict pass
        output violations 0
        return 0
    fi

    policy=
    if [ -n "$policy_rev" ]; then
        policy=$(trusted_policy "$policy_rev" "$policy_path" "$workdir/policy.yaml")
        if [ -n "$policy" ]; then
            policy_note="\`$policy_path\` as committed at \`$(short "$(git rev-parse "$policy_rev")")\`"
        else
            printf '::warning title=tiergate::%s\n' "$policy_path is not on the target branch ($(short "$policy_rev")): judging with the checked-out $policy_path"
        fi
    fi
    if [ -z "$policy" ]; then
        policy=$policy_path
        policy_note="the checked-out \`$policy_path\`"
    fi

    # The range is rev-list arguments: split on white space, no globbing.
    set -f
    # shellcheck disable=SC2086
    set -- $range
    set +f
    printf 'tiergate: checking %s: %s\n' "$what" "$range"
    output range "$range"

    code=0
    tiergate --policy "$policy" check --format json "$@" >"$workdir/verdict.json" 2>"$workdir/stderr" || code=$?
    if [ "$code" -ge 2 ]; then
        cat "$workdir/stderr" >&2
        {
            printf '## tiergate: error\n\n'
            printf '`tiergate check` failed (exit %s):\n\n```\n' "$code"
            cat "$workdir/stderr"
            printf '```\n'
        } >>"$summary"
        output verdict error
        return "$code"
    fi
    tiergate --policy "$policy" check --format github "$@" >"$workdir/annotations" || true
    if [ -n "${TIERGATE_SARIF:-}" ]; then
        tiergate --policy "$policy" check --format sarif "$@" >"$TIERGATE_SARIF" || true
        output sarif "$TIERGATE_SARIF"
    fi

    # Annotations up to GitHub's limit; the summary lists every violation.
    awk -v max="$ANNOTATIONS_PER_KIND" '
        /^::error / { if (++errors > max) next }
        /^::warning / { if (++warnings > max) next }
        { print }
    ' "$workdir/annotations"
    total=$(grep -cE '^::(error|warning) ' "$workdir/annotations" || true)
    hidden=$((total > ANNOTATIONS_PER_KIND ? total - ANNOTATIONS_PER_KIND : 0))

    jq -r --arg squash "$squash" --arg what "$what" --arg policy "$policy_note" \
        --argjson hidden "$hidden" --argjson max "$ANNOTATIONS_PER_KIND" \
        --argjson rows "$SUMMARY_ROWS" "$JQ_CELL"'
        def n(count; word): "\(count) \(word)\(if count == 1 then "" else "s" end)";
        "## tiergate: \(.verdict)\n",
        "\(if .violations == 0 then "No violations" else "\(n(.violations; "violation")) in \(n(.commits_failed; "commit"))" end) (\(n(.commits_checked; "commit")) checked): \($what | cell), against \($policy).\n",
        if .violations > 0 then
            "| commit | rule | tier | message |",
            "| --- | --- | --- | --- |",
            limit($rows; .commits[] as $c | $c.violations[] |
                "| \(if $c.id == $squash then "squash commit" else "`\($c.id[:12])`" end) \($c.title | cell) | `\(.rule)` | \(.tier // "" | cell) | \(
                    [.message] + .paths[:5] +
                    (if (.paths | length) > 5 then ["... and \((.paths | length) - 5) more"] else [] end)
                    | join("\n") | cell) |"),
            "",
            if .violations > $rows then
                "Only the first \($rows) violations are listed (a step summary holds at most 1 MiB); the SARIF log or `tiergate check` lists them all.\n"
            else empty end,
            if $hidden > 0 then
                "\(n($hidden; "violation")) beyond GitHub'\''s limit of \($max) annotations per step \(if $hidden == 1 then "is" else "are" end) listed only here.\n"
            else empty end,
            "`tiergate explain RULE` says what a rule means and how to fix a violation of it."
        else empty end
    ' "$workdir/verdict.json" >>"$summary"
    output verdict "$(jq -r .verdict "$workdir/verdict.json")"
    output violations "$(jq -r .violations "$workdir/verdict.json")"
    return "$code"
}

output() {
    if [ -n "${GITHUB_OUTPUT:-}" ]; then
        printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
    fi
}

case ${1-} in
install) install ;;
check) check ;;
*) die 2 "usage: $0 install|check" ;;
esac
