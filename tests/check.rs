//! End-to-end tests of `tiergate check` on real repositories.

mod support;

use std::os::unix::ffi::OsStrExt;
use support::{stderr, stdout, Repo};

/// A small QEMU-style policy (the shape of the project's policy.yaml).
const POLICY: &str = "\
version: 1
declaration:
  key: AI-Assisted-by
tiers:
  - name: critical
    paths: [ \"crypto/\", \"hw/virtio/**\", \"*.S\" ]
    except: [ \"crypto/README\" ]
    ai: forbidden
  - name: core
    paths: [ \"accel/\", \"target/\" ]
    ai: allowed
    require: [ Reviewed-by ]
  - name: open
    paths: [ \"docs/\", \"tests/\" ]
    ai: allowed
default_tier: core
";

fn repo_with_policy() -> Repo {
    let repo = Repo::new();
    repo.commit(
        &[("policy.yaml", POLICY), ("README", "hello\n")],
        "Initial commit\n\nSigned-off-by: A U Thor <author@example.com>\n",
    );
    repo
}

#[test]
fn declared_commit_touching_crypto_is_rejected_with_path_and_fix() {
    let repo = repo_with_policy();
    let id = repo.commit(
        &[("crypto/aes.c", "x\n"), ("docs/aes.md", "doc\n")],
        "crypto: speed up AES\n\nAI-Assisted-by: claude:claude-sonnet-4\n",
    );
    let out = repo.tiergate(&["check", "HEAD~1..HEAD"]);
    let text = stdout(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {text}\nstderr: {}",
        stderr(&out)
    );
    assert!(
        text.contains(&format!(
            "error[ai-forbidden-tier]: commit {} \"crypto: speed up AES\"",
            &id[..12]
        )),
        "{text}"
    );
    assert!(text.contains("    crypto/aes.c\n"), "{text}");
    assert!(
        !text.contains("docs/aes.md"),
        "only the forbidden paths: {text}"
    );
    assert!(text.contains("  fix: "), "{text}");
    assert!(
        text.ends_with("tiergate: 1 violation in 1 commit (1 commit checked)\n"),
        "{text}"
    );
}

#[test]
fn declared_commit_touching_only_docs_passes_silently() {
    let repo = repo_with_policy();
    repo.commit(
        &[("docs/index.rst", "x\n")],
        "docs: explain tiers\n\nAI-Assisted-by: claude:claude-sonnet-4\n",
    );
    let out = repo.tiergate(&["check", "HEAD~1.."]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
    assert_eq!(stderr(&out), "");
}

#[test]
fn undeclared_claude_coauthor_is_flagged() {
    let repo = repo_with_policy();
    repo.commit(
        &[("docs/x.md", "x\n")],
        "docs: tweak\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
    );
    let out = repo.tiergate(&["check", "HEAD^!"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("error[undeclared-ai]"), "{text}");
}

#[test]
fn declaration_in_second_to_last_paragraph_is_misplaced() {
    let repo = repo_with_policy();
    repo.commit(
        &[("docs/x.md", "x\n")],
        "docs: tweak\n\nSome body.\nAi-Assisted-By : x\n\nSigned-off-by: A U Thor <author@example.com>\n",
    );
    let out = repo.tiergate(&["check", "HEAD~1..HEAD"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("error[misplaced-declaration]"), "{text}");
}

#[test]
fn ai_change_hidden_in_a_merge_is_found() {
    let repo = repo_with_policy();
    repo.git(&["checkout", "-q", "-b", "topic"]);
    repo.commit(&[("docs/a.md", "a\n")], "docs: a\n");
    repo.git(&["checkout", "-q", "main"]);
    repo.commit(&[("docs/b.md", "b\n")], "docs: b\n");
    repo.git(&["merge", "-q", "--no-commit", "topic"]);
    repo.write("crypto/evil.c", "evil\n");
    repo.git(&["add", "-A"]);
    repo.git(&[
        "commit",
        "-q",
        "-m",
        "Merge topic\n\nAI-Assisted-by: claude:claude-sonnet-4",
    ]);
    let out = repo.tiergate(&["check", "HEAD^!"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("    crypto/evil.c\n"), "{text}");
    assert!(
        !text.contains("docs/a.md"),
        "merge introduced only crypto: {text}"
    );
}

#[test]
fn rename_into_critical_directory_counts() {
    let repo = repo_with_policy();
    repo.commit(&[("docs/helper.c", "h\n")], "docs: helper\n");
    std::fs::create_dir_all(repo.path().join("crypto")).expect("mkdir");
    repo.git(&["mv", "docs/helper.c", "crypto/helper.c"]);
    repo.git(&[
        "commit",
        "-q",
        "-m",
        "move helper\n\nAI-Assisted-by: claude:claude-sonnet-4",
    ]);
    let out = repo.tiergate(&["check", "HEAD~1..HEAD"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("    crypto/helper.c\n"));
}

#[test]
fn required_trailer_for_core_tier() {
    let repo = repo_with_policy();
    repo.commit(
        &[("accel/kvm.c", "k\n")],
        "accel: tweak\n\nAI-Assisted-by: claude:claude-sonnet-4\n",
    );
    let out = repo.tiergate(&["check", "HEAD~1..HEAD"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("error[missing-required-trailer]"));
    repo.commit(
        &[("accel/kvm.c", "k2\n")],
        "accel: tweak\n\nAI-Assisted-by: claude:claude-sonnet-4\nReviewed-by: R <r@example.com>\n",
    );
    let out = repo.tiergate(&["check", "HEAD~1..HEAD"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn editing_the_policy_is_held_to_the_strictest_tier() {
    let repo = repo_with_policy();
    repo.commit(
        &[(
            "policy.yaml",
            &POLICY.replace("ai: forbidden", "ai: allowed"),
        )],
        "loosen policy\n\nAI-Assisted-by: claude:claude-sonnet-4\n",
    );
    // Judged by the trusted (original) policy, the edit of policy.yaml is
    // an AI-assisted change to the strictest tier.
    let original = repo.path().join("original.yaml");
    std::fs::write(&original, POLICY).expect("write");
    let out = repo.tiergate(&["check", "--policy", "original.yaml", "HEAD~1..HEAD"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(text.contains("    policy.yaml\n"), "{text}");
}

#[test]
fn non_utf8_paths_are_checked() {
    let repo = repo_with_policy();
    let name = std::ffi::OsStr::from_bytes(b"crypto/\xff\xfe.c");
    std::fs::create_dir_all(repo.path().join("crypto")).expect("mkdir");
    std::fs::write(repo.path().join(name), "x").expect("write");
    repo.git(&["add", "-A"]);
    repo.git(&[
        "commit",
        "-q",
        "-m",
        "crypto: odd name\n\nAI-Assisted-by: claude:claude-sonnet-4",
    ]);
    let out = repo.tiergate(&["check", "HEAD~1..HEAD"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("    crypto/\u{fffd}\u{fffd}.c\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn json_output_has_the_documented_fields() {
    let repo = repo_with_policy();
    let id = repo.commit(
        &[("crypto/aes.c", "x\n")],
        "crypto: x\n\nAI-Assisted-by: claude:claude-sonnet-4\n",
    );
    let out = repo.tiergate(&["check", "--format", "json", "--all"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["verdict"], "fail");
    assert_eq!(doc["mode"], "enforce");
    assert_eq!(doc["commits_checked"], 2);
    assert_eq!(doc["commits_failed"], 1);
    assert_eq!(doc["violations"], 1);
    let commit = &doc["commits"][0];
    assert_eq!(commit["id"], id.as_str());
    assert_eq!(commit["title"], "crypto: x");
    assert_eq!(commit["ai_assisted"], true);
    assert_eq!(commit["declared"], true);
    assert_eq!(commit["tiers"], serde_json::json!(["critical"]));
    let v = &commit["violations"][0];
    assert_eq!(v["rule"], "ai-forbidden-tier");
    assert_eq!(v["tier"], "critical");
    assert_eq!(v["paths"], serde_json::json!(["crypto/aes.c"]));
    assert!(v["fix"].as_str().is_some_and(|f| !f.is_empty()));
    assert!(v["message"].as_str().is_some_and(|f| !f.is_empty()));
}

#[test]
fn rev_list_forms() {
    let repo = repo_with_policy();
    repo.git(&["checkout", "-q", "-b", "topic"]);
    repo.commit(
        &[("crypto/a.c", "a\n")],
        "crypto: a\n\nAI-Assisted-by: x:y\n",
    );
    repo.commit(&[("docs/b.md", "b\n")], "docs: b\n");
    repo.git(&["checkout", "-q", "main"]);
    let count = |args: &[&str]| -> u64 {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        let out = repo.tiergate(&all);
        let doc: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", stderr(&out)));
        doc["commits_checked"].as_u64().expect("count")
    };
    assert_eq!(count(&["main..topic"]), 2);
    assert_eq!(count(&["topic", "^main"]), 2);
    assert_eq!(count(&["topic", "--not", "main"]), 2);
    assert_eq!(count(&["topic~1..topic"]), 1);
    assert_eq!(count(&["main...topic"]), 2);
    assert_eq!(count(&["--all"]), 3);
    assert_eq!(count(&["--branches=top*"]), 3);
    repo.git(&["update-ref", "refs/remotes/origin/topic", "topic"]);
    assert_eq!(count(&["--remotes=origin", "^main"]), 2);
    assert_eq!(count(&["--glob=remotes/origin", "^main"]), 2);
    assert_eq!(count(&["topic^@"]), 2);
    assert_eq!(count(&["topic^!"]), 1);
    // HEAD is main: `topic..` is empty.
    assert_eq!(count(&["topic.."]), 0);
}

#[test]
fn bad_arguments_exit_2_and_broken_repositories_exit_3() {
    let repo = repo_with_policy();
    let out = repo.tiergate(&["check", "no-such-branch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("Error: bad revision 'no-such-branch'"),
        "{}",
        stderr(&out)
    );
    // Options that change what rev-list prints are refused.
    for option in [
        "--objects",
        "--parents",
        "--count",
        "--boundary",
        "--pretty=%H",
    ] {
        let out = repo.tiergate(&["check", option, "HEAD"]);
        assert_eq!(out.status.code(), Some(2), "{option}");
        assert!(
            stderr(&out).starts_with(&format!("Error: unsupported rev-list option '{option}'")),
            "{option}: {}",
            stderr(&out)
        );
    }
    // Not a repository.
    let empty = tempfile::tempdir().expect("tempdir");
    let out = support::tiergate_cmd(empty.path())
        .env(
            "GIT_CEILING_DIRECTORIES",
            empty.path().parent().expect("parent"),
        )
        .args(["check", "HEAD"])
        .output()
        .expect("spawn");
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("Error: cannot find a git repository\nCaused by:\n"));
    assert!(
        stderr(&out).ends_with(
            "Hint: Run tiergate inside a git repository, or name one with `--repo DIR`.\n"
        ),
        "{}",
        stderr(&out)
    );
    // Pathspecs would judge part of a commit: refused.
    let out = repo.tiergate(&["check", "HEAD", "--", "docs"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("Error: pathspecs (arguments after `--`) are not supported"));
    let out = repo.tiergate(&["check", "HEAD", "--"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A broken policy: exit 2.
    repo.write("policy.yaml", "version: 1\ntiers: []\n");
    let out = repo.tiergate(&["check", "HEAD"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn bare_repository_uses_the_policy_at_head_and_git_dir_works() {
    let repo = repo_with_policy();
    repo.commit(
        &[("crypto/aes.c", "x\n")],
        "crypto: x\n\nAI-Assisted-by: x:y\n",
    );
    let bare = tempfile::tempdir().expect("tempdir");
    let bare_path = bare.path().join("srv.git");
    support::git(
        repo.path(),
        &[
            "clone",
            "-q",
            "--bare",
            ".",
            bare_path.to_str().expect("utf8"),
        ],
    );
    let out = support::tiergate_cmd(bare.path())
        .args(["--repo", "srv.git", "check", "--all"])
        .output()
        .expect("spawn");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // GIT_DIR from the environment, as hooks get it.
    let out = support::tiergate_cmd(bare.path())
        .env("GIT_DIR", &bare_path)
        .args(["check", "HEAD~1..HEAD"])
        .output()
        .expect("spawn");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("error[ai-forbidden-tier]"));
}

#[test]
fn warn_mode_reports_but_passes() {
    let repo = repo_with_policy();
    repo.write(
        "policy.yaml",
        &POLICY.replace("version: 1\n", "version: 1\nmode: warn\n"),
    );
    repo.commit(
        &[("crypto/aes.c", "x\n")],
        "crypto: x\n\nAI-Assisted-by: x:y\n",
    );
    let out = repo.tiergate(&["check", "HEAD~1..HEAD"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("warning[ai-forbidden-tier]"), "{text}");
    assert!(text.contains("mode: warn, not failing"), "{text}");
}

#[test]
fn unassisted_commits_need_no_diff() {
    let repo = repo_with_policy();
    repo.commit(&[("crypto/aes.c", "x\n")], "crypto: human work\n");
    repo.commit(&[("docs/a.md", "x\n")], "docs: a\n\nAI-Assisted-by: x:y\n");
    let out = support::tiergate_cmd(repo.path())
        .env("RUST_LOG", "tiergate=debug")
        .args(["check", "HEAD~2..HEAD"])
        .output()
        .expect("spawn");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log = stderr(&out);
    let judged: Vec<&str> = log.lines().filter(|l| l.contains("judged")).collect();
    assert_eq!(judged.len(), 2, "{log}");
    // Newest first: the declared commit needed its paths, the other not.
    assert!(judged[0].contains("paths=true"), "{log}");
    assert!(judged[1].contains("paths=false"), "{log}");
}

#[test]
fn classify_prints_path_tab_tier_and_explains() {
    let repo = repo_with_policy();
    let out = repo.tiergate(&[
        "classify",
        "crypto/aes.c",
        "crypto/README",
        "docs/x",
        "Makefile",
        "policy.yaml",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "crypto/aes.c\tcritical\ncrypto/README\tcore\ndocs/x\topen\nMakefile\tcore\npolicy.yaml\tcritical\n"
    );
    let out = repo.tiergate(&["classify", "--explain", "hw/virtio/a.c", "crypto/README"]);
    let text = stdout(&out);
    assert!(
        text.contains("hw/virtio/a.c: tier critical, by pattern 'hw/virtio/**' at "),
        "{text}"
    );
    assert!(
        text.contains("policy.yaml:6:25\n"),
        "line and column of the pattern: {text}"
    );
    assert!(text.contains("crypto/README: tier core, by no tier matches: default_tier\n  not in tier critical: excepted by 'crypto/README'"), "{text}");
    // An entry at a tier's directory, or above one, is in that tier.
    let out = repo.tiergate(&["classify", "--explain", "crypto", "hw", "cryptox"]);
    let policy = repo.path().join("policy.yaml");
    let policy = policy.display();
    assert_eq!(
        stdout(&out),
        format!(
            "\
crypto: tier critical, by non-directory entry at the path of tier critical's directory `crypto/` (pattern 'crypto/' at {policy}:6:14): a symlink, file or submodule here replaces the directory
hw: tier critical, by non-directory entry at the path of `hw`, a directory above tier critical's pattern 'hw/virtio/**' at {policy}:6:25: a symlink, file or submodule here replaces the directory
cryptox: tier core, by no tier matches: default_tier
"
        )
    );
    let out = repo.tiergate(&["classify", "--format", "json", "hw"]);
    assert_eq!(
        stdout(&out),
        "{\"paths\":[{\"excepted_by\":[],\"path\":\"hw\",\"pattern\":\"hw/virtio/**\",\"reason\":\"tier-directory\",\"tier\":\"critical\"}]}\n"
    );
    // Non-UTF-8 arguments classify.
    let out = support::tiergate_cmd(repo.path())
        .arg("classify")
        .arg(std::ffi::OsStr::from_bytes(b"crypto/\xff"))
        .output()
        .expect("spawn");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, b"crypto/\xff\tcritical\n");
}

#[test]
fn explain_prints_every_rule_and_refuses_unknown_codes() {
    let repo = Repo::new();
    let out = repo.tiergate(&["explain", "undeclared-ai"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("undeclared-ai: "));
    let out = repo.tiergate(&["explain", "no-such-rule"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("Hint: Use one of: ai-forbidden-tier,"));
    // Codes as copied from the output: `error[...]`, GitLab's check name.
    for pasted in [
        "error[undeclared-ai]",
        "tiergate/undeclared-ai",
        "UNDECLARED-AI",
    ] {
        let out = repo.tiergate(&["explain", pasted]);
        assert_eq!(out.status.code(), Some(0), "{pasted}: {}", stderr(&out));
        assert!(stdout(&out).starts_with("undeclared-ai: "), "{pasted}");
    }
    let out = repo.tiergate(&["explain", "undeclared"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with(
            "Error: unknown rule code 'undeclared'\nHint: Did you mean `undeclared-ai`? The rule codes: ai-forbidden-tier,"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn classify_rev_lists_the_tiers_of_every_commit() {
    let repo = repo_with_policy();
    let first = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    let both = repo.commit(
        &[("crypto/a.c", "a\n"), ("docs/b.md", "b\n")],
        "two tiers\n",
    );
    let empty = repo.commit(&[], "nothing\n");
    // Global options after rev-list arguments still count.
    let out = repo.tiergate(&["classify", "--rev", "--all", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        // The root commit adds policy.yaml (strictest tier) and README.
        format!("{empty} -\n{both} critical,open\n{first} critical,core\n")
    );
    let out = repo.tiergate(&["classify", "--rev", "HEAD~1..", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["commits"][0]["id"], empty.as_str());
    assert_eq!(doc["commits"][0]["tiers"], serde_json::json!([]));
    let out = repo.tiergate(&["check", "--all", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["commits_checked"], 3);
}

#[test]
fn shallow_clones_are_checked_with_the_boundary_as_a_root() {
    let repo = repo_with_policy();
    repo.commit(&[("docs/a.md", "a\n")], "docs: a\n");
    repo.commit(
        &[("crypto/aes.c", "x\n")],
        "crypto: x\n\nAI-Assisted-by: claude:claude-sonnet-4\n",
    );
    let tmp = tempfile::tempdir().expect("tempdir");
    let url = format!("file://{}", repo.path().display());
    support::git(
        tmp.path(),
        &["clone", "-q", "--depth", "1", &url, "shallow"],
    );
    let clone = tmp.path().join("shallow");
    for args in [&["check", "--all"][..], &["check", "HEAD"][..]] {
        let out = support::tiergate_cmd(&clone)
            .args(args)
            .output()
            .expect("spawn");
        let text = stdout(&out);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {text}{}",
            stderr(&out)
        );
        // The boundary commit is judged as git shows it: a root adding its
        // whole tree, crypto/aes.c included.
        assert!(text.contains("    crypto/aes.c\n"), "{text}");
        assert!(text.ends_with("(1 commit checked)\n"), "{text}");
    }
}

/// Differential: the commits (and, for whole-history walks with distinct
/// dates, the order) tiergate walks for a rev-list range are git's.
#[test]
fn rev_list_ranges_agree_with_git_rev_list() {
    let repo = repo_with_policy();
    let mut date = 1_700_000_000u64;
    let mut commit = |files: &[(&str, &str)], message: &str| {
        date += 60;
        for (rel, content) in files {
            repo.write(rel, content);
        }
        repo.git(&["add", "-A"]);
        let stamp = format!("{date} +0000");
        let out = support::git_cmd(repo.path())
            .env("GIT_COMMITTER_DATE", &stamp)
            .env("GIT_AUTHOR_DATE", &stamp)
            .args(["commit", "-q", "--allow-empty", "-m", message])
            .output()
            .expect("git commit");
        assert!(out.status.success(), "{}", stderr(&out));
    };
    for i in 0..4 {
        commit(&[("docs/main.md", &format!("{i}\n"))], &format!("main {i}"));
    }
    repo.git(&["checkout", "-q", "-b", "topic", "HEAD~2"]);
    for i in 0..3 {
        commit(
            &[("docs/topic.md", &format!("{i}\n"))],
            &format!("topic {i}"),
        );
    }
    repo.git(&["tag", "-a", "-m", "v1", "v1"]);
    repo.git(&["checkout", "-q", "main"]);
    let out = support::git_cmd(repo.path())
        .env("GIT_COMMITTER_DATE", "1700009000 +0000")
        .args(["merge", "-q", "--no-edit", "topic"])
        .output()
        .expect("merge");
    assert!(out.status.success(), "{}", stderr(&out));
    commit(&[("docs/after.md", "x\n")], "after merge");
    repo.git(&["checkout", "-q", "-b", "side", "HEAD~3"]);
    commit(&[("docs/side.md", "x\n")], "side");
    repo.git(&["checkout", "-q", "main"]);

    // Forge-like refs: many tags and pull-request heads.
    let ids: Vec<String> = repo
        .git(&["rev-list", "--all"])
        .lines()
        .map(str::to_owned)
        .collect();
    let mut refs = String::new();
    for (i, id) in ids.iter().cycle().take(300).enumerate() {
        refs.push_str(&format!("create refs/tags/t{i} {id}\n"));
        refs.push_str(&format!("create refs/pull/{i}/head {id}\n"));
    }
    let out = support::git_stdin(repo.path(), &["update-ref", "--stdin"], refs.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    repo.git(&["update-ref", "refs/remotes/origin/side", "side"]);

    let ranges: &[&[&str]] = &[
        &["--all"],
        &["HEAD"],
        &["main", "side"],
        &["main..topic"],
        &["topic..main"],
        &["main...side"],
        &["v1"],
        &["--tags"],
        &["--tags=t1*"],
        &["--branches=s*"],
        &["--remotes"],
        &["--remotes=origin", "^main"],
        &["--glob=refs/pull/*"],
        &["--exclude=refs/pull/1*", "--all"],
        &["--exclude=refs/tags/*", "--all", "--not", "--remotes"],
        &["main", "--not", "side"],
        &["HEAD^@"],
        &["HEAD~1^!"],
        &["^topic", "main"],
        &["HEAD~2.."],
        &["--no-merges", "--all"],
        &["--merges", "--all"],
        &["--first-parent", "main"],
        &["--reverse", "main"],
        &["--topo-order", "--all"],
        &["--date-order", "--all"],
        &["--author-date-order", "main"],
        &["--ancestry-path", "topic~2..main"],
        &["--since=1700000200", "--all"],
        &["--until", "1700000300", "main"],
        &["-n", "3", "--all"],
        &["-2", "main"],
        &["--max-count=4", "--skip=1", "--all"],
        &["--grep=topic", "--all"],
        &["--grep=TOPIC", "-i", "--all"],
        &["--author=A U Thor", "main"],
        &["--cherry-pick", "--left-only", "main...side"],
        &["--min-parents=2", "--all"],
        &["--max-parents=1", "main"],
        &["--no-walk", "main", "side"],
        &["--committer=Mitter", "--no-merges", "--all"],
        &[
            "--since=1700000200",
            "--until=1700009000",
            "--first-parent",
            "main",
        ],
        &["--exclude-first-parent-only", "^side", "main"],
        &[
            "--grep=merge",
            "--regexp-ignore-case",
            "--invert-grep",
            "main",
        ],
        &["--all-match", "--grep=after", "--grep=merge", "--all"],
        &["--simplify-by-decoration", "--branches"],
        &["--max-age=1700000200", "main", "--not", "topic", "--"],
    ];
    for range in ranges {
        let mut git_args = vec!["rev-list"];
        git_args.extend_from_slice(range);
        let theirs: Vec<String> = repo.git(&git_args).lines().map(str::to_owned).collect();
        // The same commits, in git's order, and `check` judges as many.
        assert_eq!(support::commits_walked(&repo, range), theirs, "{range:?}");
    }
    // Only limiting options, no revision: HEAD, as `git log` defaults
    // (`git rev-list` would want a revision).
    let defaulted: &[&[&str]] = &[
        &["--no-merges"],
        &["--since=1700000200"],
        &["--first-parent", "-n", "3"],
        &["--author=A U Thor", "--reverse"],
        &["--not", "--until=1700000300"],
        &["-2", "--skip=1", "--topo-order"],
        &["--merges", "--"],
    ];
    for args in defaulted {
        let mut git_args = vec!["log", "--format=%H"];
        git_args.extend_from_slice(args);
        let theirs: Vec<String> = repo.git(&git_args).lines().map(str::to_owned).collect();
        assert_eq!(support::commits_walked(&repo, args), theirs, "{args:?}");
    }
}

/// `paths.lookalikes`: paths that macOS and Windows check out into a
/// forbidden directory (`CRYPTO/`, `crypto./`, `Hw/Virtio/`) are refused as
/// `lookalike-path`; without the key (the default) they are judged by their
/// bytes, as before.
#[test]
fn lookalike_paths_are_refused_when_the_policy_asks() {
    let repo = repo_with_policy();
    let id = repo.commit(
        &[
            ("CRYPTO/aes.c", "x\n"),
            ("crypto./gcm.c", "y\n"),
            ("Hw/Virtio/net.c", "z\n"),
            ("docs/crypto.md", "doc\n"),
        ],
        "crypto: case games\n\nAI-Assisted-by: claude:claude-sonnet-4\nReviewed-by: R <r@example.com>\n",
    );
    // Off by default: the paths are in core (Reviewed-by present) and open.
    let out = repo.tiergate(&["check", "HEAD~1..HEAD"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
    let out = repo.tiergate(&["classify", "CRYPTO/aes.c"]);
    assert_eq!(stdout(&out), "CRYPTO/aes.c\tcore\n");

    std::fs::write(
        repo.path().join("lookalikes.yaml"),
        format!("{POLICY}paths:\n  lookalikes: true\n"),
    )
    .expect("write");
    let out = repo.tiergate(&["check", "--policy", "lookalikes.yaml", "HEAD~1..HEAD"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "\
error[lookalike-path]: commit {} \"crypto: case games\"
  AI-assisted commit touches 3 paths that case-insensitive or normalising file systems (macOS, Windows) check out into tier 'critical' (ai: forbidden)
    CRYPTO/aes.c
    Hw/Virtio/net.c
    crypto./gcm.c
  fix: Spell the paths as the repository spells them, outside 'critical', or split them into a commit written without AI assistance; `tiergate classify --explain PATH` shows where they land.

tiergate: 1 violation in 1 commit (1 commit checked)
",
            &id[..12]
        )
    );
    let out = repo.tiergate(&[
        "classify",
        "--policy",
        "lookalikes.yaml",
        "--explain",
        "crypto./gcm.c",
    ]);
    assert_eq!(
        stdout(&out),
        "crypto./gcm.c: tier critical, by look-alike path: case-insensitive or normalising file systems (macOS, Windows) check it out as `crypto/gcm.c`; there it is in tier critical: pattern 'crypto/' at lookalikes.yaml:6:14\n"
    );
}

/// `check --ref REF`: the policy's `refs:` scope of REF applies to every
/// commit of the range (warn: warnings, exit 0; ignore: nothing judged);
/// without `--ref` every commit is enforced.
#[test]
fn check_with_a_ref_applies_its_scope() {
    let repo = Repo::new();
    let scoped = format!(
        "{POLICY}refs:\n  - {{ include: [ \"refs/heads/wip/**\" ], mode: warn }}\n  - {{ include: [ \"refs/notes/**\" ], mode: ignore }}\n"
    );
    repo.commit(&[("policy.yaml", scoped.as_str())], "Initial commit\n");
    let id = repo.commit(
        &[("crypto/aes.c", "ai\n")],
        "crypto: ai\n\nAI-Assisted-by: claude:opus-4\n",
    );
    let out = repo.tiergate(&["check", "HEAD~1..HEAD"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = repo.tiergate(&["check", "--ref", "refs/heads/wip/x", "HEAD~1..HEAD"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "warning[ai-forbidden-tier]: commit {} \"crypto: ai\"\n  AI-assisted commit touches tier 'critical' (ai: forbidden): 1 path\n    crypto/aes.c\n  fix: Split the changes to 'critical' into a commit written without AI assistance, or ask its maintainers.\n\ntiergate: 0 violations in 0 commits (1 commit checked); 1 warning (warnings fail nothing)\n",
            &id[..12]
        )
    );
    let out = repo.tiergate(&["check", "--ref", "refs/notes/commits", "HEAD~1..HEAD"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "");
    assert_eq!(
        stderr(&out),
        "tiergate: refs/notes/commits is in an `ignore` scope of the policy's `refs:`; nothing judged\n"
    );
}
