//! Which refs a push is judged by: the walk that finds the commits new
//! to the repository, and the replace refs that change what git shows
//! without bringing a commit.

use super::{AuditViolation, RefUpdate};
use crate::policy::ReplaceRefs;
use crate::rules::{Fix, RuleCode, Violation};
use serde_json::{json, Value};

/// Ref namespaces a forge writes itself, without a push through this hook
/// (pull and merge request heads, GitLab's keep-around, pipeline and
/// environment refs). Their commits were never judged here, so they do
/// not count as "already in the repository": a commit that reached the
/// server as `refs/pull/7/head` is judged when it is pushed (or merged)
/// to a branch.
pub const UNJUDGED_NAMESPACES: &[&str] = &[
    "refs/pull/*",
    "refs/merge-requests/*",
    "refs/keep-around/*",
    "refs/pipelines/*",
    "refs/environments/*",
];

/// The `git rev-list` arguments of a push: the new tips, minus every
/// commit already reachable from a ref that went through this hook
/// (`--all` without [`UNJUDGED_NAMESPACES`]).
pub fn push_walk_args(tips: &[String]) -> Vec<String> {
    let mut args = tips.to_vec();
    args.push("--not".into());
    args.extend(
        UNJUDGED_NAMESPACES
            .iter()
            .map(|glob| format!("--exclude={glob}")),
    );
    args.push("--all".into());
    args
}

/// [`push_walk_args`] for a policy with `refs:` scopes: `tips` (the new
/// tips of refs in one scope mode), minus the commits of `also_known`
/// (tips judged in a stricter mode in the same push) and of every ref that
/// went through this hook **in an enforced scope**. A ref in a `warn` or
/// `ignore` scope (`refs/heads/wip/**`) is left out of the known set like
/// the forge namespaces: a commit pushed to `wip/` and later to `main`
/// would otherwise be "already in the repository" and reach `main`
/// unjudged.
///
/// git's `--exclude` matches with `wildmatch` without `WM_PATHNAME`
/// (revision.c `ref_excluded`), where `*` crosses `/`; a policy glob is
/// passed as its literal prefix followed by `*` ([`crate::policy::RefScopes::unenforced_prefixes`]),
/// which excludes at least every ref the scope covers. Excluding more than
/// needed only means judging more commits.
pub fn scoped_push_walk_args(
    tips: &[String],
    also_known: &[String],
    refs: &crate::policy::RefScopes,
) -> Vec<String> {
    let mut args = tips.to_vec();
    args.push("--not".into());
    args.extend(also_known.iter().cloned());
    args.extend(
        UNJUDGED_NAMESPACES
            .iter()
            .map(|glob| format!("--exclude={glob}")),
    );
    args.extend(
        refs.unenforced_prefixes()
            .into_iter()
            .map(|glob| format!("--exclude={glob}")),
    );
    args.push("--all".into());
    args
}

/// Where git looks for replace refs: `refs/replace/`, unless
/// `GIT_REPLACE_REF_BASE` names another prefix (git's `setup_git_env`).
pub const REPLACE_REF_BASE: &str = "refs/replace/";

/// Whether `refname` is a replace ref: under [`REPLACE_REF_BASE`], or under
/// `base` (the hook's `GIT_REPLACE_REF_BASE`, when set and not empty).
///
/// git reads every ref under the base as "show the object this ref points
/// at wherever the object named by the ref's last path component is read"
/// (`replace-object.c`'s `register_replace_ref`, so
/// `refs/replace/any/dir/<id>` counts too). The prefix is compared without
/// ASCII case: on a case-insensitive file system a loose ref pushed as
/// `refs/Replace/<id>` lands in the `refs/replace/` directory git reads.
pub fn is_replace_ref(refname: &str, base: Option<&str>) -> bool {
    let under = |prefix: &str| {
        refname
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    under(REPLACE_REF_BASE) || base.is_some_and(|b| !b.is_empty() && under(b))
}

/// A ref update refused for what the ref is, not for a commit it brings
/// (reported and audited like a commit's violation, with the ref instead
/// of a commit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefViolation {
    /// The rule ([`RuleCode::ReplaceRef`]).
    pub rule: RuleCode,
    /// The ref the push creates or updates.
    pub refname: String,
    /// The object the push sets it to.
    pub object: String,
    /// What is wrong (one line).
    pub message: String,
    /// How to fix it.
    pub fix: Fix,
}
impl RefViolation {
    /// The report block, in the form of a commit's violation:
    /// `error[rule]: ref NAME`, the message, the fix, a blank line.
    pub fn human(&self) -> String {
        format!(
            "error[{}]: ref {}\n  {}\n  fix: {}\n\n",
            self.rule, self.refname, self.message, self.fix
        )
    }

    /// The violation in the audit log's form (the fields of a commit's
    /// violation, `commit` null, plus `ref` and `object`).
    pub fn to_json(&self) -> Value {
        let violation = Violation {
            rule: self.rule,
            message: self.message.clone(),
            tier: None,
            paths: Vec::new(),
            line: None,
            fix: self.fix.clone(),
        };
        json!(AuditViolation {
            commit: None,
            title: None,
            refname: Some(&self.refname),
            object: Some(&self.object),
            violation: &violation,
        })
    }
}

/// The replace refs among `updates` that `mode` does not let through.
///
/// A deletion is always allowed (it restores what the replaced object
/// really is). Any other update of a replace ref ([`is_replace_ref`] with
/// `base`) is refused under [`ReplaceRefs::Refuse`]; under
/// [`ReplaceRefs::Judge`] it is refused only when `peels_to_commit` says
/// its new object is not a commit or a tag chain ending at one (a
/// replacement tree or blob changes what git shows with no commit to
/// judge); a replacement commit is judged with the push's other commits.
pub fn replace_ref_violations(
    updates: &[RefUpdate],
    base: Option<&str>,
    mode: ReplaceRefs,
    mut peels_to_commit: impl FnMut(&RefUpdate) -> bool,
) -> Vec<RefViolation> {
    let short = |id: &str| id[..12.min(id.len())].to_owned();
    updates
        .iter()
        .filter(|u| !u.is_delete() && is_replace_ref(&u.refname, base))
        .filter_map(|u| {
            // git takes the replaced object's id from the last component.
            let replaced = u.refname.rsplit('/').next().unwrap_or_default();
            let (message, fix) = match mode {
                ReplaceRefs::Refuse => (
                    format!(
                        "replace ref: git would show {} wherever {replaced} is read (git log, git show, git archive); replace refs are refused (server.replace_refs: refuse)",
                        short(&u.new)
                    ),
                    Fix::DropReplaceRef,
                ),
                ReplaceRefs::Judge if !peels_to_commit(u) => (
                    format!(
                        "replace ref: {} replaces {replaced} but is not a commit, so tiergate cannot judge what it changes (server.replace_refs: judge judges replacement commits only)",
                        short(&u.new)
                    ),
                    Fix::ReplaceCommitsOnly,
                ),
                ReplaceRefs::Judge => return None,
            };
            Some(RefViolation {
                rule: RuleCode::ReplaceRef,
                refname: u.refname.clone(),
                object: u.new.clone(),
                message,
                fix,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::test_data::{A, B, Z};

    #[test]
    fn scoped_walks_leave_unenforced_refs_out_of_the_known_set() {
        let yaml = b"version: 1\ntiers:\n  - { name: a, paths: [ a/ ] }\nrefs:\n  - { include: [ \"refs/heads/wip/**\" ], mode: warn }\n  - { include: [ \"refs/heads/**\" ] }\n";
        let policy = crate::policy::from_yaml(yaml, "p").expect("valid");
        assert_eq!(
            scoped_push_walk_args(&[A.to_owned()], &[B.to_owned()], &policy.refs),
            [
                A,
                "--not",
                B,
                "--exclude=refs/pull/*",
                "--exclude=refs/merge-requests/*",
                "--exclude=refs/keep-around/*",
                "--exclude=refs/pipelines/*",
                "--exclude=refs/environments/*",
                "--exclude=refs/heads/wip/*",
                "--all",
            ]
        );
        // Without scopes: the plain walk.
        assert_eq!(
            scoped_push_walk_args(&[A.to_owned()], &[], &Default::default()),
            push_walk_args(&[A.to_owned()])
        );
    }

    #[test]
    fn replace_refs_are_recognized() {
        let r = |name: &str| is_replace_ref(name, None);
        assert!(r("refs/replace/1111111111111111111111111111111111111111"));
        assert!(r(
            "refs/replace/dir/1111111111111111111111111111111111111111"
        ));
        assert!(r("refs/replace/not-an-id"));
        assert!(r("refs/Replace/x"), "case-insensitive file systems");
        assert!(r("REFS/REPLACE/x"));
        assert!(!r("refs/replace"));
        assert!(!r("refs/heads/refs/replace/x"));
        assert!(!r("refs/replacements/x"));
        assert!(!r("refs/heads/main"));
        assert!(!r("refs/rep"));
        assert!(is_replace_ref("refs/alt/x", Some("refs/alt/")));
        assert!(is_replace_ref("refs/replace/x", Some("refs/alt/")));
        assert!(!is_replace_ref("refs/heads/x", Some("")));
    }

    #[test]
    fn replace_ref_decisions() {
        let update = |old: &str, new: &str, name: &str| RefUpdate {
            old: old.into(),
            new: new.into(),
            refname: name.into(),
        };
        let replace = format!("refs/replace/{A}");
        let updates = vec![
            update(Z, B, &replace),
            update(Z, B, "refs/heads/main"),
            update(
                B,
                Z,
                "refs/replace/3333333333333333333333333333333333333333",
            ),
        ];
        // Refuse: the creation (not the branch, not the deletion); the
        // commit check is not even asked.
        let refused = replace_ref_violations(&updates, None, ReplaceRefs::Refuse, |_| {
            panic!("not asked under refuse")
        });
        assert_eq!(refused.len(), 1);
        let v = &refused[0];
        assert_eq!(v.rule, RuleCode::ReplaceRef);
        assert_eq!(v.refname, replace);
        assert_eq!(v.object, B);
        assert_eq!(
            v.human(),
            format!(
                "error[replace-ref]: ref {replace}\n  replace ref: git would show 222222222222 wherever {A} is read (git log, git show, git archive); replace refs are refused (server.replace_refs: refuse)\n  fix: Push without the replace ref, or rewrite the history for real (`git rebase`) and push that; a maintainer may set `server.replace_refs: judge` in the policy to accept replacement commits that pass.\n\n"
            )
        );
        let json = v.to_json();
        assert_eq!(json["rule"], "replace-ref");
        assert_eq!(json["ref"], replace.as_str());
        assert_eq!(json["object"], B);
        assert_eq!(json["commit"], Value::Null);
        // The exact bytes of the audit log: a commit's violation's fields,
        // `commit` and `title` null, plus `ref` and `object`.
        assert_eq!(
            json.to_string(),
            format!(
                "{{\"commit\":null,\"fix\":{},\"line\":null,\"message\":{},\"object\":\"{B}\",\"paths\":[],\"ref\":\"{replace}\",\"rule\":\"replace-ref\",\"tier\":null,\"title\":null}}",
                Value::from(v.fix.to_string()),
                Value::from(v.message.as_str()),
            )
        );
        // An update of an existing replace ref is refused too.
        let moved = [update(A, B, &replace)];
        assert_eq!(
            replace_ref_violations(&moved, None, ReplaceRefs::Refuse, |_| true).len(),
            1
        );
        // Judge: a commit passes here (it is judged with the push); a
        // tree or blob is refused.
        assert!(replace_ref_violations(&updates, None, ReplaceRefs::Judge, |_| true).is_empty());
        let tree = replace_ref_violations(&updates, None, ReplaceRefs::Judge, |_| false);
        assert_eq!(tree.len(), 1);
        assert!(
            tree[0].message.contains("is not a commit"),
            "{}",
            tree[0].message
        );
        // GIT_REPLACE_REF_BASE.
        let alt = [update(Z, B, "refs/alt/x")];
        assert!(replace_ref_violations(&alt, None, ReplaceRefs::Refuse, |_| true).is_empty());
        assert_eq!(
            replace_ref_violations(&alt, Some("refs/alt/"), ReplaceRefs::Refuse, |_| true).len(),
            1
        );
    }
}
