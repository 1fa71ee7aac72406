//! End-to-end tests of `tiergate check-patch` on patches made by real
//! `git format-patch`, and of `tiergate show`.

mod support;

use support::{run_stdin, stderr, stdout, tiergate_cmd, Repo};

const POLICY: &str = "\
version: 1
declaration:
  key: AI-Assisted-by
  value: '^\\S+:\\S+'
tiers:
  - name: critical
    paths: [ \"crypto/\", \"hw/virtio/\" ]
    ai: forbidden
  - name: core
    paths: [ \"hw/\", \"block/\" ]
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
        &[
            ("policy.yaml", POLICY),
            ("crypto/aes.c", "aes\n"),
            ("docs/guide.md", "guide\n"),
            ("hw/net/e1000.c", "e1000\n"),
        ],
        "Initial commit\n",
    );
    repo
}

/// `git format-patch` into `out/`; the file names, sorted.
fn format_patch(repo: &Repo, args: &[&str]) -> Vec<String> {
    let mut full = vec!["format-patch", "-q", "-o", "out"];
    full.extend_from_slice(args);
    repo.git(&full);
    let mut names: Vec<String> = std::fs::read_dir(repo.path().join("out"))
        .expect("out dir")
        .map(|e| format!("out/{}", e.expect("entry").file_name().to_string_lossy()))
        .collect();
    names.sort();
    names
}

#[test]
fn single_patch_touching_crypto_is_rejected_with_its_subject() {
    let repo = repo_with_policy();
    repo.commit(
        &[("crypto/aes.c", "aes\nfast\n")],
        "crypto: speed up AES-GCM\n\nUse CLMUL.\n\nAI-Assisted-by: claude:claude-sonnet-4\nSigned-off-by: A U Thor <author@example.com>\n",
    );
    let files = format_patch(&repo, &["-1"]);
    assert_eq!(files, ["out/0001-crypto-speed-up-AES-GCM.patch"]);
    let out = repo.tiergate(&["check-patch", &files[0]]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert_eq!(
        text,
        "error[ai-forbidden-tier]: patch 1/1 (out/0001-crypto-speed-up-AES-GCM.patch) \"crypto: speed up AES-GCM\"\n\
         \x20 AI-assisted commit touches tier 'critical' (ai: forbidden): 1 path\n\
         \x20   crypto/aes.c\n\
         \x20 fix: Split the changes to 'critical' into a commit written without AI assistance, or ask its maintainers.\n\
         \n\
         tiergate: 1 violation in 1 patch (1 patch checked)\n"
    );
}

#[test]
fn series_with_cover_letter_is_numbered_and_cover_skipped() {
    let repo = repo_with_policy();
    repo.commit(
        &[("docs/guide.md", "guide\nmore\n")],
        "docs: expand the guide\n\nAI-Assisted-by: claude:claude-sonnet-4\n",
    );
    repo.commit(
        &[("hw/net/e1000.c", "e1000\nfix\n")],
        "hw/net: fix e1000 café\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
    );
    repo.commit(&[("block/io.c", "io\n")], "block: plain human change\n");
    let files = format_patch(&repo, &["--cover-letter", "HEAD~3"]);
    assert_eq!(files.len(), 4, "{files:?}");
    assert!(files[0].ends_with("0000-cover-letter.patch"));
    // The non-ASCII subject is RFC 2047-encoded by format-patch.
    let second = std::fs::read_to_string(repo.path().join(&files[2])).expect("read");
    assert!(second.contains("=?UTF-8?q?"), "{second}");

    let mut args = vec!["check-patch"];
    args.extend(files.iter().map(String::as_str));
    let out = repo.tiergate(&args);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(
        !text.contains("cover"),
        "the cover letter is not judged: {text}"
    );
    assert!(
        text.contains(&format!(
            "error[undeclared-ai]: patch 2/3 ({}) \"hw/net: fix e1000 café\"",
            files[2]
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "error[missing-required-trailer]: patch 2/3 ({})",
            files[2]
        )),
        "{text}"
    );
    assert!(!text.contains("patch 1/3"), "docs patch passes: {text}");
    assert!(!text.contains("patch 3/3"), "human patch passes: {text}");
    assert!(
        text.ends_with("tiergate: 2 violations in 1 patch (3 patches checked)\n"),
        "{text}"
    );
}

#[test]
fn mbox_with_several_patches_and_json() {
    let repo = repo_with_policy();
    repo.commit(
        &[("crypto/aes.c", "aes\nx\n")],
        "crypto: tweak\n\nAI-Assisted-by: claude:opus\n",
    );
    repo.commit(
        &[("tests/t.c", "t\n")],
        "tests: add one\n\nAI-Assisted-by: claude:opus\n",
    );
    let mbox = repo.git(&["format-patch", "--stdout", "HEAD~2"]);
    std::fs::write(repo.path().join("series.mbox"), &mbox).expect("write");
    let out = repo.tiergate(&["check-patch", "--format", "json", "series.mbox"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["commits_checked"], 2);
    assert_eq!(doc["verdict"], "fail");
    let commits = doc["commits"].as_array().expect("commits");
    assert_eq!(commits.len(), 1);
    assert_eq!(commits[0]["id"], "1/2 (series.mbox)");
    assert_eq!(commits[0]["title"], "crypto: tweak");
    assert_eq!(commits[0]["subject"], "[PATCH 1/2] crypto: tweak");
    assert_eq!(commits[0]["violations"][0]["rule"], "ai-forbidden-tier");
    assert_eq!(commits[0]["violations"][0]["paths"][0], "crypto/aes.c");
}

#[test]
fn rename_into_a_critical_directory_counts_both_paths() {
    let repo = repo_with_policy();
    std::fs::create_dir_all(repo.path().join("hw/virtio")).expect("mkdir");
    repo.git(&["mv", "docs/guide.md", "hw/virtio/guide.md"]);
    repo.commit(&[], "docs: move the guide\n\nAI-Assisted-by: claude:opus\n");
    let files = format_patch(&repo, &["-1"]);
    let patch = std::fs::read_to_string(repo.path().join(&files[0])).expect("read");
    assert!(patch.contains("rename to hw/virtio/guide.md"), "{patch}");
    let out = repo.tiergate(&["check-patch", "--show", &files[0]]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(
        text.contains("  tiers:       critical (ai: forbidden): 1 path\n                 hw/virtio/guide.md\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "               open (ai: allowed): 1 path\n                 docs/guide.md\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("error[ai-forbidden-tier]: patch 1/1"),
        "{text}"
    );
}

#[test]
fn declaration_below_the_divider_is_not_a_trailer() {
    let repo = repo_with_policy();
    repo.commit(
        &[("hw/net/e1000.c", "e1000\nx\n")],
        "hw/net: fix\n\nCo-authored-by: Claude <noreply@anthropic.com>\nSigned-off-by: A U Thor <author@example.com>\n",
    );
    let files = format_patch(&repo, &["-1"]);
    // The author adds the declaration as a note below `---`, where git am
    // does not read it.
    let path = repo.path().join(&files[0]);
    let patch = std::fs::read_to_string(&path).expect("read");
    let patch = patch.replacen(
        "\n---\n",
        "\n---\nAI-Assisted-by: claude:claude-sonnet-4\n",
        1,
    );
    std::fs::write(&path, &patch).expect("write");
    let out = repo.tiergate(&["check-patch", &files[0]]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(text.contains("error[undeclared-ai]: patch 1/1"), "{text}");
    assert!(
        text.contains("error[misplaced-declaration]: patch 1/1"),
        "{text}"
    );
    assert!(text.contains("below the '---' divider"), "{text}");

    // What git am would commit has no declaration either.
    let am = Repo::new();
    am.commit(
        &[("hw/net/e1000.c", "e1000\n"), ("policy.yaml", POLICY)],
        "base\n",
    );
    am.git(&["am", "-q", path.to_str().expect("utf-8 path")]);
    let trailers = am.git(&["log", "-1", "--format=%(trailers:key=AI-Assisted-by)"]);
    assert_eq!(trailers.trim(), "");
}

#[test]
fn stdin_and_show_block_with_declaration() {
    let repo = repo_with_policy();
    repo.commit(
        &[("docs/guide.md", "guide\nnew\n"), ("hw/net/e1000.c", "x\n")],
        "docs: explain e1000\n\nAI-Assisted-by: claude:claude-sonnet-4 [coccinelle] sparse\nReviewed-by: R E Viewer <r@example.com>\n",
    );
    let patch = repo.git(&["format-patch", "--stdout", "-1"]);
    let out = run_stdin(
        tiergate_cmd(repo.path()).args(["check-patch", "--show", "-"]),
        patch.as_bytes(),
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert_eq!(
        text,
        "patch 1/1 (stdin) \"docs: explain e1000\"\n\
         \x20 author:      A U Thor <author@example.com>\n\
         \x20 tiers:       core (ai: allowed): 1 path\n\
         \x20                hw/net/e1000.c\n\
         \x20              open (ai: allowed): 1 path\n\
         \x20                docs/guide.md\n\
         \x20 declared:    AI-Assisted-by: claude:claude-sonnet-4 [coccinelle] sparse\n\
         \x20                tool claude, model claude-sonnet-4, with coccinelle, sparse\n\
         \x20 markers:     none\n\
         \x20 required:    Reviewed-by (tier core): present\n\
         \x20 ai-assisted: yes (declared)\n\
         \x20 verdict:     pass\n\
         \n\
         tiergate: 0 violations in 0 patches (1 patch checked)\n"
    );
}

#[test]
fn empty_input_is_a_usage_error() {
    let repo = repo_with_policy();
    let out = run_stdin(tiergate_cmd(repo.path()).args(["check-patch", "-"]), b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no patch found"), "{}", stderr(&out));
    let out = repo.tiergate(&["check-patch", "missing.patch"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read missing.patch"));
}

#[test]
fn git_diff_and_git_show_output_are_not_patches() {
    let repo = repo_with_policy();
    repo.commit(
        &[("crypto/aes.c", "aes\nfast\n")],
        "crypto: speed up AES\n\nAI-Assisted-by: claude:claude-sonnet-4\n",
    );
    for (name, args) in [
        ("plain.diff", &["diff", "HEAD~1", "HEAD"][..]),
        ("show.txt", &["show", "HEAD"][..]),
    ] {
        let text = repo.git(args);
        std::fs::write(repo.path().join(name), text).expect("write");
        let out = repo.tiergate(&["check-patch", name]);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", stdout(&out));
        assert_eq!(stdout(&out), "", "{name}");
        assert_eq!(
            stderr(&out),
            format!(
                "Error: {name} is not a patch mail: it has no `Subject:` or `From:` header, so there is no commit message to judge (a `git diff` or `git show` output?)\n\
                 Hint: Pass files written by `git format-patch`, or an mbox of patches; for commits, use `tiergate check <rev-range>`.\n"
            )
        );
    }
}

#[test]
fn show_lists_tiers_markers_and_verdict_of_a_commit() {
    let repo = repo_with_policy();
    let id = repo.commit(
        &[
            ("hw/net/e1000.c", "e1000\nfix\n"),
            ("crypto/aes.c", "aes\n2\n"),
        ],
        "hw/net: fix e1000\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
    );
    let out = repo.tiergate(&["show", "HEAD"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    let short = &id[..12];
    assert!(
        text.starts_with(&format!(
            "commit {short} \"hw/net: fix e1000\"\n  author:      A U Thor <author@example.com>\n  tiers:       critical (ai: forbidden): 1 path\n                 crypto/aes.c\n               core (ai: allowed): 1 path\n                 hw/net/e1000.c\n  declared:    no\n  markers:     Co-authored-by: Claude <noreply@anthropic.com> (Claude) (line 3)\n  required:    Reviewed-by (tier core): MISSING\n  ai-assisted: yes (marked, not declared)\n  verdict:     fail: 3 violations (ai-forbidden-tier, missing-required-trailer, undeclared-ai)\n"
        )),
        "{text}"
    );
    assert!(text.contains(&format!("error[undeclared-ai]: commit {short}")));

    // A human commit: paths are shown even though the verdict needs none.
    repo.commit(&[("block/io.c", "io\n")], "block: add io\n");
    let out = repo.tiergate(&["show"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.contains("  tiers:       core (ai: allowed): 1 path\n                 block/io.c\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "  required:    Reviewed-by (tier core): missing (needed only if AI-assisted)\n"
        ),
        "{text}"
    );
    assert!(text.ends_with("  verdict:     pass\n"), "{text}");

    let out = repo.tiergate(&["show", "--format", "json", "HEAD~1"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let p = &doc["commits"][0]["provenance"];
    assert_eq!(p["tiers"][0]["name"], "critical");
    assert_eq!(p["tiers"][0]["paths"][0], "crypto/aes.c");
    assert_eq!(p["required"][0]["present"], false);
    assert_eq!(p["verdict"], "fail");

    let out = repo.tiergate(&["show", "no-such-rev"]);
    assert_eq!(out.status.code(), Some(2));
}
