//! End-to-end: replace refs (`refs/replace/<id>`, what `git replace`
//! writes) through real pushes, in every repository format git writes.
//!
//! git reads `refs/replace/<X>` as "show this ref's object wherever X is
//! read". The attack: push a human commit H to `refs/replace/<X>`, then
//! push the AI commit X to main; a server that reads X through git (SHA-256
//! and reftable repositories are read through git plumbing) would judge H
//! and let X in. The server refuses the replace ref (`replace-ref`), and
//! even with one in place (made by the server's admin) it judges X as X.

mod support;

use support::server::{
    assert_code, assert_remote_line, declared, git, git_cmd, output, run_stdin, stdout, Server,
    POLICY,
};

use support::FORMATS;

fn short(id: &str) -> &str {
    &id[..12]
}

/// A human commit touching crypto/ on branch `human` and an AI-assisted
/// one touching crypto/ on `main` (both on the server's main): (H, X).
fn human_and_ai(s: &Server) -> (String, String) {
    git(&s.work, &["checkout", "-q", "-b", "human", "main"]);
    let h = s.commit(&[("crypto/aes.c", "by hand\n")], "crypto: by hand");
    git(&s.work, &["checkout", "-q", "main"]);
    let x = s.commit(&[("crypto/aes.c", "by ai\n")], &declared("crypto: ai"));
    (h, x)
}

/// The refusal of a replace ref pushed under the default policy.
#[track_caller]
fn assert_replace_ref_refused(out: &std::process::Output, refname: &str, object: &str) {
    assert_code(out, 1);
    let replaced = refname.rsplit('/').next().expect("a name");
    assert_remote_line(out, &format!("error[replace-ref]: ref {refname}"));
    assert_remote_line(
        out,
        &format!(
            "  replace ref: git would show {} wherever {replaced} is read (git log, git show, git archive); replace refs are refused (server.replace_refs: refuse)",
            short(object)
        ),
    );
    assert_remote_line(out, "tiergate: 1 violation in 1 ref");
    assert_remote_line(
        out,
        &format!("tiergate: push rejected ({refname}); no ref was updated"),
    );
}

#[test]
fn replace_ref_then_ai_commit_is_refused_in_every_format() {
    for (name, init) in FORMATS {
        let s = Server::with_format(init);
        let (h, x) = human_and_ai(&s);
        let replace = format!("refs/replace/{x}");

        // Step 1: the replace ref is refused, whole.
        let out = s.push(&["origin", &format!("human:{replace}")]);
        assert_replace_ref_refused(&out, &replace, &h);
        assert_eq!(s.remote_rev(&replace), None, "{name}");
        let rec = s.last_audit();
        assert_eq!(rec["verdict"], "fail", "{name}: {rec}");
        assert_eq!(rec["violations"][0]["rule"], "replace-ref", "{name}: {rec}");
        assert_eq!(rec["violations"][0]["ref"], replace.as_str(), "{name}");
        assert_eq!(rec["violations"][0]["object"], h.as_str(), "{name}");
        assert_eq!(rec["violations"].as_array().map(Vec::len), Some(1));

        // Step 2: a replace ref already on the server (its admin made it)
        // does not change what tiergate judges: X is judged as X.
        assert_code(&s.push(&["origin", "human"]), 0);
        git(&s.bare, &["update-ref", &replace, &h]);
        let out = s.push(&["origin", "main"]);
        assert_code(&out, 1);
        assert_remote_line(
            &out,
            &format!(
                "error[ai-forbidden-tier]: commit {} \"crypto: ai\"",
                short(&x)
            ),
        );
        assert_remote_line(&out, "    crypto/aes.c");
        assert_ne!(s.remote_rev("main").as_deref(), Some(x.as_str()), "{name}");
        assert_eq!(s.last_audit()["violations"][0]["commit"], x.as_str());

        // What the attack relies on: git itself follows the replace ref
        // (X fetched into the server by hand, past the hook: `git log X`
        // shows H).
        let mut cmd = git_cmd(&s.bare);
        cmd.args([
            "fetch",
            "-q",
            s.work.to_str().expect("utf-8"),
            "main:refs/x",
        ]);
        assert_code(&output(&mut cmd), 0);
        assert_eq!(
            git(&s.bare, &["log", "-1", "--format=%s", &x]).trim(),
            "crypto: by hand",
            "{name}: git follows replace refs"
        );
    }
}

#[test]
fn replace_ref_on_the_policy_blob_is_refused_and_never_read() {
    for (name, init) in FORMATS {
        let s = Server::with_format(init);
        let policy_blob = git(&s.bare, &["rev-parse", "HEAD:policy.yaml"])
            .trim()
            .to_owned();
        let loose = POLICY.replace("ai: forbidden", "ai: allowed");
        let hash = |dir: &std::path::Path| {
            let out = run_stdin(
                git_cmd(dir).args(["hash-object", "-w", "--stdin"]),
                loose.as_bytes(),
            );
            assert_code(&out, 0);
            stdout(&out).trim().to_owned()
        };
        let loose_blob = hash(&s.work);
        let replace = format!("refs/replace/{policy_blob}");

        let out = s.push(&["origin", &format!("{loose_blob}:{replace}")]);
        assert_replace_ref_refused(&out, &replace, &loose_blob);
        assert_eq!(s.remote_rev(&replace), None, "{name}");

        // Made on the server by hand: git shows the loose policy, tiergate
        // still reads the policy blob itself.
        assert_eq!(hash(&s.bare), loose_blob);
        git(&s.bare, &["update-ref", &replace, &loose_blob]);
        assert!(
            git(&s.bare, &["show", "HEAD:policy.yaml"]).contains("ai: allowed"),
            "{name}: git follows the replace ref"
        );
        let x = s.commit(&[("crypto/x.c", "x\n")], &declared("crypto: ai"));
        let out = s.push(&["origin", "main"]);
        assert_code(&out, 1);
        assert_remote_line(
            &out,
            &format!(
                "error[ai-forbidden-tier]: commit {} \"crypto: ai\"",
                short(&x)
            ),
        );
    }
}

/// The policy of [`POLICY`] with `server.replace_refs: judge`, pushed to
/// the server's main (a human commit: accepted).
fn judge_replace_refs(s: &Server) {
    let policy = POLICY.replace("server:\n", "server:\n  replace_refs: judge\n");
    s.commit(
        &[("policy.yaml", policy.as_str())],
        "policy: judge replace refs",
    );
    assert_code(&s.push(&["origin", "main"]), 0);
}

#[test]
fn judge_accepts_a_human_replacement_and_refuses_an_ai_one() {
    for (name, init) in &FORMATS[..2] {
        let s = Server::with_format(init);
        judge_replace_refs(&s);
        let (h, x) = human_and_ai(&s);
        let replace = format!("refs/replace/{x}");

        // A human replacement commit: judged, passes, lands.
        let out = s.push(&["origin", &format!("human:{replace}")]);
        assert_code(&out, 0);
        assert_eq!(
            s.remote_rev(&replace).as_deref(),
            Some(h.as_str()),
            "{name}"
        );
        let rec = s.last_audit();
        assert_eq!(rec["verdict"], "pass", "{name}: {rec}");
        assert_eq!(rec["commits_checked"], 1, "{name}: {rec}");

        // An AI-assisted replacement into crypto/: judged like any pushed
        // commit, refused.
        git(&s.work, &["checkout", "-q", "-b", "ai2", "main~1"]);
        let y = s.commit(
            &[("crypto/y.c", "y\n")],
            &declared("crypto: ai replacement"),
        );
        let target = format!("refs/replace/{}", s.rev("main~1"));
        let out = s.push(&["origin", &format!("ai2:{target}")]);
        assert_code(&out, 1);
        assert_remote_line(
            &out,
            &format!(
                "error[ai-forbidden-tier]: commit {} \"crypto: ai replacement\"",
                short(&y)
            ),
        );
        assert_eq!(s.remote_rev(&target), None, "{name}");
        assert_eq!(s.last_audit()["violations"][0]["commit"], y.as_str());

        // A replacement tree cannot be judged: refused.
        let tree = s.rev("human^{tree}");
        let replaced_tree = s.rev("main~1^{tree}");
        let target = format!("refs/replace/{replaced_tree}");
        let out = s.push(&["origin", &format!("{tree}:{target}")]);
        assert_code(&out, 1);
        assert_remote_line(&out, &format!("error[replace-ref]: ref {target}"));
        assert_remote_line(
            &out,
            &format!(
                "  replace ref: {} replaces {replaced_tree} but is not a commit, so tiergate cannot judge what it changes (server.replace_refs: judge judges replacement commits only)",
                short(&tree)
            ),
        );
        assert_eq!(s.remote_rev(&target), None, "{name}");

        // Deleting the accepted replace ref: allowed.
        assert_code(&s.push(&["origin", &format!(":{replace}")]), 0);
        assert_eq!(s.remote_rev(&replace), None, "{name}");
    }
}

#[test]
fn deleting_a_replace_ref_is_allowed_and_overrides_apply() {
    let s = Server::new();
    let (h, x) = human_and_ai(&s);
    let replace = format!("refs/replace/{x}");
    assert_code(&s.push(&["origin", "human"]), 0);
    git(&s.bare, &["update-ref", &replace, &h]);
    let out = s.push(&["origin", &format!(":{replace}")]);
    assert_code(&out, 0);
    assert_eq!(s.remote_rev(&replace), None);
    assert_eq!(s.last_audit()["verdict"], "pass");

    // Any other namespace spelling git reads as a replace ref is refused
    // too (a nested name: git takes the id from the last component).
    let nested = format!("refs/replace/imported/{x}");
    let out = s.push(&["origin", &format!("human:{nested}")]);
    assert_replace_ref_refused(&out, &nested, &h);

    // A listed user's override applies, as to any violation.
    let out = s.push_env(
        &[
            "-o",
            "tiergate.override=import old history",
            "origin",
            &format!("human:{replace}"),
        ],
        &[("REMOTE_USER", "alice")],
    );
    assert_code(&out, 0);
    assert_remote_line(
        &out,
        "tiergate: override by alice accepted: \"import old history\" (recorded in the audit log)",
    );
    assert_eq!(s.remote_rev(&replace).as_deref(), Some(h.as_str()));
    let rec = s.last_audit();
    assert_eq!(rec["verdict"], "override", "{rec}");
    assert_eq!(rec["violations"][0]["rule"], "replace-ref", "{rec}");
}

/// A mirror updated by `git fetch` (`--mirror enforce`): a replace ref
/// from upstream is refused like a pushed one.
#[test]
fn mirror_refuses_a_fetched_replace_ref() {
    // The upstream has no tiergate: it takes anything.
    let s = Server::uninstalled("upstream.git");
    let (mirror, out) = s.mirror("enforce", &[]);
    // A mirror's objects arrive by fetch: fetch.fsckObjects is the one set.
    assert!(
        stdout(&out).contains("fsck:       fetch.fsckObjects=true"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        git(&mirror, &["config", "fetch.fsckObjects"]).trim(),
        "true"
    );
    let (h, x) = human_and_ai(&s);
    let replace = format!("refs/replace/{x}");
    git(
        &s.work,
        &["push", "-q", "origin", &format!("{h}:{replace}")],
    );
    let out = output(git_cmd(&mirror).args(["fetch"]));
    assert_ne!(
        out.status.code(),
        Some(0),
        "{}",
        support::server::stderr(&out)
    );
    assert!(
        support::server::stderr(&out).contains(&format!("error[replace-ref]: ref {replace}")),
        "{}",
        support::server::stderr(&out)
    );
    let out = output(git_cmd(&mirror).args(["rev-parse", "-q", "--verify", &replace]));
    assert_code(&out, 1);
}
