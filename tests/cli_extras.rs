//! End-to-end tests of the CI output formats of `tiergate check`
//! (`--format github|gitlab`), `tiergate policy init --from-maintainers`,
//! `tiergate completions` and `tiergate man`.

mod support;

use support::{stderr, stdout, Repo};

const POLICY: &str = "\
version: 1
tiers:
  - name: critical
    paths: [ \"crypto/\" ]
    ai: forbidden
  - name: open
    paths: [ \"docs/\" ]
    ai: allowed
default_tier: open
";

fn repo_with_violations() -> (Repo, String) {
    let repo = Repo::new();
    repo.commit(&[("policy.yaml", POLICY)], "Initial commit\n");
    let id = repo.commit(
        &[("crypto/a,b:c%.c", "x\n"), ("docs/x.md", "d\n")],
        "crypto: 100% faster, now\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
    );
    (repo, id)
}

#[test]
fn github_annotations_are_escaped_workflow_commands() {
    let (repo, id) = repo_with_violations();
    let out = repo.tiergate(&["check", "HEAD~1..", "--format", "github"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    let lines: Vec<&str> = text.lines().collect();
    let short = &id[..12];
    assert_eq!(
        lines[0],
        format!(
            "::error file=crypto/a%2Cb%3Ac%25.c,title=tiergate ai-forbidden-tier::commit {short} \"crypto: 100%25 faster, now\": AI-assisted commit touches tier 'critical' (ai: forbidden): 1 path%0A  crypto/a,b:c%25.c%0Afix: Split the changes to 'critical' into a commit written without AI assistance, or ask its maintainers."
        )
    );
    assert!(
        lines[1].starts_with(&format!(
            "::error title=tiergate undeclared-ai::commit {short} \"crypto: 100%25 faster, now\": AI assistance is evident"
        )),
        "{text}"
    );
    assert!(lines.iter().all(|l| !l.contains('\r')));
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[2].starts_with("tiergate: 2 violations"), "{text}");
}

#[test]
fn gitlab_code_quality_report() {
    let (repo, id) = repo_with_violations();
    let out = repo.tiergate(&["check", "HEAD~1..", "--format", "gitlab"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let issues = doc.as_array().expect("array");
    assert_eq!(issues.len(), 2);
    let forbidden = &issues[0];
    assert_eq!(forbidden["check_name"], "tiergate/ai-forbidden-tier");
    assert_eq!(forbidden["severity"], "major");
    assert_eq!(forbidden["location"]["path"], "crypto/a,b:c%.c");
    assert_eq!(forbidden["location"]["lines"]["begin"], 1);
    let description = forbidden["description"].as_str().expect("description");
    assert!(description.contains(&id[..12]), "{description}");
    assert!(description.contains("fix: Split"), "{description}");
    // Message rules are located at the policy file.
    assert_eq!(issues[1]["check_name"], "tiergate/undeclared-ai");
    assert_eq!(issues[1]["location"]["path"], "policy.yaml");
    let fp = forbidden["fingerprint"].as_str().expect("fingerprint");
    assert_eq!(fp.len(), 32);
    assert_ne!(fp, issues[1]["fingerprint"].as_str().expect("fingerprint"));
    // Stable from run to run.
    let again = repo.tiergate(&["check", "HEAD~1..", "--format", "gitlab"]);
    assert_eq!(again.stdout, out.stdout);

    // No violations: an empty report.
    let out = repo.tiergate(&["check", "HEAD~1..HEAD~1", "--format", "gitlab"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "[]\n");
    let out = repo.tiergate(&["check", "HEAD~1..", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(2));
}

const MAINTAINERS: &str = "\
QEMU Maintainers
================

Descriptions of section entries:

\tM: Mail patches to: FullName <address@domain>
\tF: Files and directories wildcard patterns.

General Project Administration
------------------------------
Crypto
M: Daniel <d@example.com>
S: Maintained
F: crypto/
F: include/crypto/*.h
X: crypto/README
K: qcrypto

Virtio
M: Michael <m@example.com>
S: Supported
F: hw/virtio
F: docs/virtio.txt

Block layer core
M: Kevin <k@example.com>
S: Supported
F: block/

Documentation
S: Odd Fixes
F: docs/

Build system
S: Maintained
F: Makefile
F: *.mak
";

#[test]
fn policy_from_maintainers_validates_and_classifies() {
    let repo = Repo::new();
    repo.write("MAINTAINERS", MAINTAINERS);
    let out = repo.tiergate(&[
        "policy",
        "init",
        "--from-maintainers",
        "MAINTAINERS",
        "--critical-section",
        "^(Crypto|Virtio)$",
        "--critical-status",
        "odd fixes",
        "--open-section",
        "^Build",
    ]);
    let yaml = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{yaml}{}", stderr(&out));
    assert!(yaml.contains("      # Crypto (S: Maintained), line 11; --critical-section '^(Crypto|Virtio)$'\n      - 'crypto/'\n      - 'include/crypto/*.h'\n"), "{yaml}");
    assert!(
        yaml.contains("      - 'hw/virtio'\n      - 'hw/virtio/'\n"),
        "{yaml}"
    );
    assert!(
        yaml.contains("# Documentation (S: Odd Fixes), line 30; --critical-status"),
        "{yaml}"
    );
    assert!(
        yaml.contains("      - '/Makefile'\n      - '/Makefile/'\n      - '/*.mak'\n"),
        "{yaml}"
    );
    assert!(
        yaml.contains("not translated (not path patterns): K: qcrypto"),
        "{yaml}"
    );
    std::fs::write(repo.path().join("policy.yaml"), &yaml).expect("write");
    let out = repo.tiergate(&["policy", "validate", "policy.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("valid (3 tiers: critical, open, core)"));

    let out = repo.tiergate(&[
        "classify",
        "crypto/aes.c",
        "crypto/README",
        "include/crypto/x.h",
        "include/crypto/sub/x.h",
        "hw/virtio/virtio.c",
        "docs/virtio.txt",
        "docs/index.rst",
        "block/io.c",
        "Makefile",
        "sub/Makefile",
        "rules.mak",
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    let tiers: Vec<(String, String)> = text
        .lines()
        .map(|l| {
            let mut parts = l.split_whitespace();
            let a = parts.next().unwrap_or_default().to_owned();
            let b = parts.next().unwrap_or_default().to_owned();
            (a, b)
        })
        .collect();
    let tier_of = |p: &str| {
        tiers
            .iter()
            .find(|(a, b)| a == p || b == p)
            .map(|(a, b)| if a == p { b.clone() } else { a.clone() })
            .unwrap_or_default()
    };
    assert_eq!(tier_of("crypto/aes.c"), "critical", "{text}");
    assert_eq!(tier_of("crypto/README"), "core", "{text}");
    assert_eq!(tier_of("include/crypto/x.h"), "critical", "{text}");
    assert_eq!(tier_of("include/crypto/sub/x.h"), "core", "{text}");
    assert_eq!(tier_of("hw/virtio/virtio.c"), "critical", "{text}");
    assert_eq!(tier_of("docs/index.rst"), "critical", "{text}");
    assert_eq!(tier_of("block/io.c"), "core", "{text}");
    assert_eq!(tier_of("Makefile"), "open", "{text}");
    assert_eq!(tier_of("sub/Makefile"), "core", "{text}");
    assert_eq!(tier_of("rules.mak"), "open", "{text}");

    // Nothing chosen as critical: a usage error with a hint.
    let out = repo.tiergate(&["policy", "init", "--from-maintainers", "MAINTAINERS"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("Hint: Choose the critical sections"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn completions_and_man_page() {
    let repo = Repo::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = repo.tiergate(&["completions", shell]);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        for sub in [
            "check",
            "check-patch",
            "classify",
            "policy",
            "show",
            "explain",
        ] {
            assert!(text.contains(sub), "{shell} lacks {sub}");
        }
    }
    let out = repo.tiergate(&["completions", "bash"]);
    assert!(stdout(&out).contains("--critical-section"));
    let out = repo.tiergate(&["man"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(text.starts_with(".TH tiergate 1"), "{text}");
    assert!(text.contains("check\\-patch"), "{text}");
    let out = repo.tiergate(&["man", "check-patch"]);
    assert!(stdout(&out).starts_with(".TH tiergate-check-patch 1"));
    let out = repo.tiergate(&["man", "nope"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `tiergate ... | head`: a reader that goes away stops tiergate quietly,
/// as it stops git (SIGPIPE), instead of an "internal error" on stderr.
#[cfg(unix)]
#[test]
fn a_closed_stdout_stops_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut cmd = support::tiergate_cmd(tmp.path());
    // A pipe whose reading end is closed before tiergate starts.
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = cmd
        .args(["policy", "init"])
        .stdout(writer)
        .output()
        .expect("run");
    assert_eq!(
        out.status.signal(),
        Some(13),
        "killed by SIGPIPE: {:?} {}",
        out.status,
        stderr(&out)
    );
    assert_eq!(stderr(&out), "", "nothing on stderr");
}

#[test]
fn errors_are_plain_unless_a_terminal_or_clicolor_force_and_never_with_no_color() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let run = |env: &[(&str, &str)]| {
        let mut cmd = support::tiergate_cmd(tmp.path());
        cmd.env_remove("NO_COLOR").args(["check", "HEAD"]);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = support::output(&mut cmd);
        support::assert_code(&out, 3);
        stderr(&out)
    };
    // stderr is a pipe here, not a terminal: no escapes.
    let plain = run(&[]);
    assert!(plain.starts_with("Error: "), "{plain}");
    assert!(!plain.contains('\x1b'), "{plain:?}");
    assert!(
        plain.contains("\nHint: Run tiergate inside a git repository"),
        "{plain}"
    );
    assert_eq!(run(&[("CLICOLOR_FORCE", "0")]), plain);
    assert_eq!(run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]), plain);
    let forced = run(&[("CLICOLOR_FORCE", "1")]);
    assert_eq!(
        forced,
        plain
            .replace("Error:", "\x1b[1;31mError:\x1b[0m")
            .replace("Hint:", "\x1b[1;36mHint:\x1b[0m")
    );
}
