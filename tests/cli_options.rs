//! The command line as people type it: options anywhere on the line
//! (global or a command's own, before or after the revisions), git's
//! commit-limiting options with git's meaning (and `git log`'s default of
//! HEAD when only they are given), `--` and what follows it, and
//! `--format` values each command can print.

mod support;

use std::time::{SystemTime, UNIX_EPOCH};
use support::{assert_code, commits_walked, git, git_stdin, stderr, stdout, Repo};

const POLICY: &str = "\
version: 1
declaration:
  key: AI-Assisted-by
tiers:
  - name: critical
    paths: [ \"crypto/\" ]
    ai: forbidden
  - name: open
    paths: [ \"docs/\" ]
    ai: allowed
default_tier: open
";

const NO_REVISIONS: &str = "\
Error: no revisions to check: name a range such as `main..topic`, `HEAD~5..` or `--all`
Hint: Name commits as `git rev-list` does: `main..topic`, `HEAD~3..`, `--all`.
";

const PATHSPECS: &str = "\
Error: pathspecs (arguments after `--`) are not supported: tiergate judges whole commits
Hint: Name commits as `git rev-list` does: `main..topic`, `HEAD~3..`, `--all`.
";

/// A repository of 60 commits made over two months up to now: 40 older
/// than two weeks (the first of them an AI-assisted change of crypto/, a
/// violation), then 20 in the last five days, one of them a merge whose own
/// change (an evil merge) is an AI-assisted change of crypto/. Every fifth
/// commit declares AI assistance on docs/ (allowed). Built with
/// `git fast-import`, dates relative to the clock, as `--since=2.weeks` is.
fn sixty_commits() -> Repo {
    let repo = Repo::new();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let mut stream = String::new();
    let mut mark = 0;
    let mut blob = |stream: &mut String, text: &str| -> String {
        mark += 1;
        stream.push_str(&format!(
            "blob\nmark :{mark}\ndata {}\n{text}\n",
            text.len()
        ));
        format!(":{mark}")
    };
    // Commits are marked from 1000 on (blobs below).
    let mut commit_mark = 1000;
    let mut commit = |stream: &mut String,
                      branch: &str,
                      when: u64,
                      message: &str,
                      merge: Option<&str>,
                      files: &[(&str, String)]|
     -> String {
        commit_mark += 1;
        stream.push_str(&format!(
            "commit refs/heads/{branch}\nmark :{commit_mark}\n\
             committer C O Mitter <committer@example.com> {when} +0000\n\
             data {}\n{message}\n",
            message.len()
        ));
        if let Some(parent) = merge {
            stream.push_str(&format!("merge {parent}\n"));
        }
        for (path, blob) in files {
            stream.push_str(&format!("M 100644 {blob} {path}\n"));
        }
        stream.push('\n');
        format!(":{commit_mark}")
    };
    let day = 86_400;
    let policy = blob(&mut stream, POLICY);
    let first = blob(&mut stream, "AES\n");
    commit(
        &mut stream,
        "main",
        now - 60 * day,
        "crypto: faster AES\n\nAI-Assisted-by: claude:sonnet\n",
        None,
        &[("policy.yaml", policy), ("crypto/aes.c", first)],
    );
    // 57 more commits on main (39 old, 18 recent), one on a side branch
    // from main~3, then the merge: 60 in all.
    let mut marks = Vec::new();
    for i in 1..58u64 {
        let when = if i < 40 {
            now - 60 * day + i * 3600
        } else {
            now - 5 * day + i * 600
        };
        let text = blob(&mut stream, &format!("note {i}\n"));
        let message = if i % 5 == 0 {
            format!("docs: note {i}\n\nAI-Assisted-by: claude:sonnet\n")
        } else {
            format!("docs: note {i}\n")
        };
        let path = format!("docs/note{}.md", i % 9);
        marks.push(commit(
            &mut stream,
            "main",
            when,
            &message,
            None,
            &[(&path, text)],
        ));
    }
    let side = blob(&mut stream, "side\n");
    stream.push_str(&format!(
        "reset refs/heads/side\nfrom {}\n\n",
        marks[marks.len() - 4]
    ));
    let side_tip = commit(
        &mut stream,
        "side",
        now - 2 * day,
        "docs: side\n",
        None,
        &[("docs/side.md", side.clone())],
    );
    let evil = blob(&mut stream, "evil\n");
    commit(
        &mut stream,
        "main",
        now - day,
        "Merge branch 'side'\n\nAI-Assisted-by: claude:sonnet\n",
        Some(&side_tip),
        &[("docs/side.md", side), ("crypto/evil.c", evil)],
    );
    let out = git_stdin(repo.path(), &["fast-import", "--quiet"], stream.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    repo.git(&["reset", "-q", "--hard", "main"]);
    assert_eq!(repo.git(&["rev-list", "--count", "--all"]), "60\n");
    repo
}

fn ids(text: &str) -> Vec<String> {
    text.lines().map(str::to_owned).collect()
}

#[test]
fn check_since_two_weeks_without_merges_works_as_git_log() {
    let repo = sixty_commits();
    let out = repo.tiergate(&["check", "--since=2.weeks", "--no-merges"]);
    assert_code(&out, 0);
    assert_eq!(stdout(&out), "");
    assert_eq!(stderr(&out), "");
    // The commits are git log's, in its order.
    let want = ids(&repo.git(&["log", "--format=%H", "--since=2.weeks", "--no-merges"]));
    assert_eq!(want.len(), 19);
    assert_eq!(
        commits_walked(&repo, &["--since=2.weeks", "--no-merges"]),
        want
    );
    // With the merge: its own change to crypto/ is refused.
    let out = repo.tiergate(&["check", "--since", "2.weeks"]);
    assert_code(&out, 1);
    assert!(
        stdout(&out).starts_with("error[ai-forbidden-tier]: commit "),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).ends_with("tiergate: 1 violation in 1 commit (20 commits checked)\n"),
        "{}",
        stdout(&out)
    );
    // The whole history holds the old violation too.
    let out = repo.tiergate(&["check", "--no-merges", "-q"]);
    assert_code(&out, 1);
    assert!(
        stdout(&out).ends_with("tiergate: 1 violation in 1 commit (59 commits checked)\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn limiting_options_alone_default_to_head_as_git_log_does() {
    let repo = sixty_commits();
    repo.git(&["checkout", "-q", "side"]);
    // (args, what `git log` lists for them)
    for args in [
        &["--since=2.weeks"][..],
        &["--until=3.weeks.ago", "--first-parent"],
        &["--committer=Mitter", "-n", "4"],
        &["--grep=note 4", "-i"],
        &["-3", "--reverse"],
        &["--merges"],
        &["--not", "--since=1.week"],
        &["--skip=50", "--topo-order"],
    ] {
        let mut git_args = vec!["log", "--format=%H"];
        git_args.extend_from_slice(args);
        let want = ids(&repo.git(&git_args));
        assert_eq!(commits_walked(&repo, args), want, "{args:?}");
        // report counts the same commits.
        let mut report = vec!["report", "--format", "json"];
        report.extend_from_slice(args);
        let out = repo.tiergate(&report);
        assert_code(&out, 0);
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(doc["totals"]["commits"], want.len(), "{args:?}");
    }
    // A ref option names where to start, even matching nothing: no HEAD
    // (git log --branches=nomatch lists nothing).
    assert!(commits_walked(&repo, &["--branches=nomatch*", "--no-merges"]).is_empty());
    assert_eq!(repo.git(&["log", "--branches=nomatch*"]), "");
}

#[test]
fn report_range_then_its_own_options() {
    let repo = sixty_commits();
    let out = repo.tiergate(&["report", "HEAD~50..HEAD", "--html", "r.html", "--top", "5"]);
    assert_code(&out, 0);
    assert_eq!(stdout(&out), "");
    assert_eq!(stderr(&out), "");
    let page = std::fs::read_to_string(repo.path().join("r.html")).expect("r.html");
    let count = repo.git(&["rev-list", "--count", "HEAD~50..HEAD"]);
    assert!(
        page.contains(&format!(
            "<code>HEAD~50..HEAD</code> · {} commits",
            count.trim()
        )),
        "{page}"
    );
    // The same options in any order, with a rev-list option among them.
    let out = repo.tiergate(&[
        "report",
        "--top",
        "5",
        "HEAD~50..HEAD",
        "--format",
        "json",
        "--no-merges",
    ]);
    assert_code(&out, 0);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["top_paths"].as_array().expect("paths").len(), 5);
    assert_eq!(
        doc["range"],
        serde_json::json!(["HEAD~50..HEAD", "--no-merges"])
    );
    let want = repo.git(&["rev-list", "--count", "--no-merges", "HEAD~50..HEAD"]);
    assert_eq!(doc["totals"]["commits"].to_string(), want.trim());
}

#[test]
fn global_options_before_or_after_the_command_and_its_revisions() {
    let parent = tempfile::tempdir().expect("tempdir");
    // A repository in a directory named like the command: `--repo check
    // check` is the option's value, then the command.
    let dir = parent.path().join("check");
    std::fs::create_dir(&dir).expect("mkdir");
    git(&dir, &["init", "-q", "-b", "main"]);
    std::fs::write(dir.join("policy.yaml"), POLICY).expect("write");
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "one"]);
    std::fs::write(dir.join("crypto.md"), "x\n").expect("write");
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "two"]);
    let run = |args: &[&str]| {
        support::tiergate_cmd(parent.path())
            .args(args)
            .output()
            .expect("spawn tiergate")
    };
    let json = format!(
        "{{\"commits\":[],\"commits_checked\":1,\"commits_failed\":0,\"mode\":\"enforce\",\
         \"policy\":\"{}\",\"verdict\":\"pass\",\"version\":1,\"violations\":0}}\n",
        dir.join("policy.yaml").display()
    );
    for args in [
        &[
            "--repo",
            "check",
            "check",
            "HEAD~1..HEAD",
            "--format",
            "json",
        ][..],
        &[
            "check",
            "HEAD~1..HEAD",
            "--repo",
            "check",
            "--format",
            "json",
        ],
        &["check", "--format=json", "--repo=check", "HEAD~1..HEAD"],
        &[
            "check",
            "HEAD~1..HEAD",
            "--format",
            "json",
            "--repo",
            "check",
            "--",
        ],
        &[
            "-q", "check", "--repo", "check", "HEAD~1..", "--format", "json",
        ],
    ] {
        let out = run(args);
        assert_code(&out, 0);
        assert_eq!(stdout(&out), json, "{args:?}");
        assert_eq!(stderr(&out), "", "{args:?}");
    }
    let out = run(&["--repo", "check", "check", "HEAD~1..HEAD"]);
    assert_code(&out, 0);
    assert_eq!(stdout(&out), "");
    // `--` ends the options: what follows are paths, refused.
    for args in [
        &["--repo", "check", "check", "HEAD", "--", "docs"][..],
        &["--repo", "check", "check", "--", "HEAD"],
        &["--repo", "check", "check", "--", "--format", "json"],
    ] {
        let out = run(args);
        assert_code(&out, 2);
        assert_eq!(stdout(&out), "", "{args:?}");
        assert_eq!(stderr(&out), PATHSPECS, "{args:?}");
    }
    // Nothing to check: `--` alone names nothing.
    for args in [
        &["--repo", "check", "check", "--"][..],
        &["--repo", "check", "check"],
    ] {
        let out = run(args);
        assert_code(&out, 2);
        assert_eq!(stderr(&out), NO_REVISIONS, "{args:?}");
    }
}

#[test]
fn options_that_are_not_rev_list_options_keep_their_errors() {
    let repo = Repo::new();
    repo.commit(&[("policy.yaml", POLICY)], "one\n");
    // A near miss of report's own option: clap's suggestion.
    let out = repo.tiergate(&["report", "HEAD", "--htm", "r.html"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).starts_with("error: unexpected argument '--htm' found\n\n  tip: a similar argument exists: '--html'\n"),
        "{}",
        stderr(&out)
    );
    // An option of git rev-list that changes its output.
    let out = repo.tiergate(&["report", "HEAD", "--objects"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).starts_with("Error: unsupported rev-list option '--objects': "),
        "{}",
        stderr(&out)
    );
    // A flag given a value, as git refuses it.
    let out = repo.tiergate(&["check", "HEAD", "--no-merges=yes"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).starts_with("error: unexpected value 'yes' for '--no-merges' found"),
        "{}",
        stderr(&out)
    );
    // Paths are paths for classify unless --rev says revisions.
    let out = repo.tiergate(&["classify", "docs/a.md", "--since=1.week"]);
    assert_code(&out, 2);
    assert_eq!(
        stderr(&out),
        "Error: git rev-list options need `--rev`: without it, tiergate classify takes paths\n\
         Hint: Run `tiergate classify --rev <rev-range>` for the tiers of commits, or put paths that start with `-` after `--`.\n"
    );
    let out = repo.tiergate(&["classify", "--", "-odd", "docs/a.md"]);
    assert_code(&out, 0);
    assert_eq!(stdout(&out), "-odd\topen\ndocs/a.md\topen\n");
}

#[test]
fn format_takes_what_the_command_prints() {
    let repo = Repo::new();
    repo.commit(&[("policy.yaml", POLICY), ("docs/a.md", "a\n")], "one\n");
    // policy doc: --format md|html (and its former name).
    let md = repo.tiergate(&["policy", "doc", "--format", "md"]);
    assert_code(&md, 0);
    assert!(stdout(&md).starts_with("# "), "{}", stdout(&md));
    let old = repo.tiergate(&["policy", "doc", "--doc-format", "md"]);
    assert_eq!(stdout(&old), stdout(&md));
    let html = repo.tiergate(&["policy", "doc", "--format", "html"]);
    assert_code(&html, 0);
    assert!(stdout(&html).starts_with("<!DOCTYPE html>\n"));
    // Each command's own list.
    for (args, value, list) in [
        (
            &["check", "HEAD"][..],
            "csv",
            "human, json, github, gitlab, sarif, junit",
        ),
        (&["report"], "github", "human, json, csv"),
        (&["classify", "docs"], "csv", "human, json"),
        (&["show"], "gitlab", "human, json"),
        (&["policy", "validate"], "csv", "human, json"),
        (&["policy", "doc"], "json", "md, html"),
        (&["hook", "pre-push", "origin"], "csv", "human, json"),
    ] {
        let mut all = args.to_vec();
        all.extend(["--format", value]);
        let out = repo.tiergate(&all);
        assert_code(&out, 2);
        assert_eq!(stdout(&out), "");
        assert_eq!(
            stderr(&out),
            format!(
                "error: invalid value '{value}' for '--format <FORMAT>'\n  \
                 [possible values: {list}]\n\nFor more information, try '--help'.\n"
            ),
            "{args:?}"
        );
    }
    // Commands that print no verdicts have no --format.
    let out = repo.tiergate(&["explain", "ai-signoff", "--format", "json"]);
    assert_code(&out, 2);
    assert!(
        stderr(&out).starts_with("error: unexpected argument '--format' found"),
        "{}",
        stderr(&out)
    );
}
