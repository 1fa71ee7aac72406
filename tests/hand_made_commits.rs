//! Commits written by hand (`git hash-object -t commit --literally`) with
//! headers git never writes, pushed with `git push --no-verify` at a server
//! with the pre-receive hook installed by `install.sh --server`: a second
//! `tree` line (git uses the first), a `parent` line after the committer
//! (git ignores it), a second `author` line (`git log` shows both), a
//! second `encoding`; and a symlink at the path of a forbidden directory.
//! Each is refused (`malformed-commit`, `ai-forbidden-tier`) with exactly
//! one audit record, judged on the tree git uses, in SHA-1, SHA-256 and reftable repositories, over
//! file:// and the git protocol (`git daemon`, started on a free loopback
//! port and stopped by the test; that test is `#[ignore]`d, `.ci/run` runs
//! it). `tiergate check` gives the same verdict.
//! git's own `receive.fsckObjects` is turned off: the hook must hold by
//! itself (`git fsck --strict` accepts the second tree line).

mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Output};
use support::server::{bin_dir, git, git_cmd, hermetic, output, stderr, DECLARED, POLICY};

const FORMATS: &[(&str, &[&str])] = &[
    ("sha1", &[]),
    ("sha256", &["--object-format=sha256"]),
    ("reftable", &["--ref-format=reftable"]),
];

struct Setup {
    tmp: tempfile::TempDir,
    work: PathBuf,
    bare: PathBuf,
    audit: PathBuf,
}

impl Setup {
    fn new(init: &[&str]) -> Setup {
        let tmp = tempfile::tempdir().expect("tempdir");
        let work = tmp.path().join("work");
        let bare = tmp.path().join("srv.git");
        let audit = tmp.path().join("audit.jsonl");
        let mut args = vec!["init", "-q", "-b", "main"];
        args.extend_from_slice(init);
        git(tmp.path(), &[&args[..], &["work"]].concat());
        let mut args = vec!["init", "-q", "--bare", "-b", "main"];
        args.extend_from_slice(init);
        git(tmp.path(), &[&args[..], &["srv.git"]].concat());
        let s = Setup {
            tmp,
            work,
            bare,
            audit,
        };
        s.write("policy.yaml", POLICY);
        s.write("README", "hello\n");
        s.write("src/lib.c", "int x;\n");
        git(&s.work, &["add", "-A"]);
        git(&s.work, &["commit", "-q", "-m", "initial"]);
        git(&s.work, &["push", "-q", "../srv.git", "main"]);
        support::server::install_server(
            &s.bare,
            &["--audit-log", s.audit.to_str().expect("utf-8")],
        );
        git(&s.bare, &["config", "receive.fsckObjects", "false"]);
        s
    }

    fn write(&self, rel: &str, content: &str) {
        let p = self.work.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }

    fn rev(&self, rev: &str) -> String {
        git(&self.work, &["rev-parse", rev]).trim().to_owned()
    }

    /// The tree of HEAD with `files` added (the work tree is left as is).
    fn tree_with(&self, files: &[(&str, &str)]) -> String {
        for (rel, content) in files {
            self.write(rel, content);
        }
        git(&self.work, &["add", "-A"]);
        let tree = git(&self.work, &["write-tree"]).trim().to_owned();
        git(&self.work, &["reset", "-q", "--hard"]);
        git(&self.work, &["clean", "-q", "-fdx"]);
        tree
    }

    /// Write a commit object from its raw text, as git would never write it.
    fn hash_commit(&self, raw: &str) -> String {
        support::hash_commit(&self.work, raw.as_bytes())
    }

    fn push(&self, url: &str, refspec: &str) -> Output {
        output(git_cmd(&self.work).args(["push", "--no-verify", url, refspec]))
    }

    fn audit_lines(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.audit)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON line"))
            .collect()
    }

    fn remote_has(&self, refname: &str) -> bool {
        output(git_cmd(&self.bare).args(["rev-parse", "-q", "--verify", refname]))
            .status
            .success()
    }
}

fn rules(record: &serde_json::Value) -> BTreeSet<String> {
    record["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .filter_map(|v| v["rule"].as_str().map(str::to_owned))
        .collect()
}

/// The hand-made commits of the issue and their expected rule codes.
fn attacks(s: &Setup) -> Vec<(&'static str, String, &'static [&'static str])> {
    let parent = s.rev("HEAD");
    let plain = s.rev("HEAD^{tree}");
    let crypto = s.tree_with(&[("crypto/aes.c", "int aes(void){return 0;}\n")]);
    let docs = s.tree_with(&[("docs/a.md", "a\n")]);
    let who = "H <h@x> 1700000000 +0000";
    let msg = format!("crypto: faster AES\n\n{DECLARED}\n");
    vec![
        (
            // git (and every clone) uses the first tree: crypto/aes.c.
            "second-tree",
            s.hash_commit(&format!(
                "tree {crypto}\nparent {parent}\nauthor {who}\ncommitter {who}\ntree {plain}\n\n{msg}"
            )),
            &["ai-forbidden-tier", "malformed-commit"],
        ),
        (
            // A parent after the committer: git ignores it, this is not a
            // merge and it adds crypto/aes.c.
            "parent-after-committer",
            s.hash_commit(&format!(
                "tree {crypto}\nparent {parent}\nauthor {who}\ncommitter {who}\nparent {parent}\n\n{msg}"
            )),
            &["ai-forbidden-tier", "malformed-commit"],
        ),
        (
            // A second author: `git log` shows the AI author too.
            "second-author",
            s.hash_commit(&format!(
                "tree {docs}\nparent {parent}\nauthor {who}\ncommitter {who}\n\
                 author copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com> 1700000000 +0000\n\n\
                 docs: a\n"
            )),
            &["malformed-commit", "undeclared-ai"],
        ),
        (
            "second-encoding",
            s.hash_commit(&format!(
                "tree {docs}\nparent {parent}\nauthor {who}\ncommitter {who}\nencoding UTF-8\nencoding UTF-7\n\ndocs: a\n"
            )),
            &["malformed-commit"],
        ),
        (
            // Not a header trick but a tree one (issue 11.3): a symlink at
            // the path of the forbidden directory `crypto/`, pointing at AI
            // code under docs/: checkouts would have it as crypto/aes.c.
            "symlink-at-tier-directory",
            {
                s.write("docs/c/aes.c", "int aes(void){return 0;}\n");
                std::os::unix::fs::symlink("docs/c", s.work.join("crypto")).expect("symlink");
                let tree = s.tree_with(&[]);
                s.hash_commit(&format!(
                    "tree {tree}\nparent {parent}\nauthor {who}\ncommitter {who}\n\ndocs: c\n\n{DECLARED}\n"
                ))
            },
            &["ai-forbidden-tier"],
        ),
        (
            // Control: the same object layout git writes, declared, in docs/.
            "honest",
            s.hash_commit(&format!(
                "tree {docs}\nparent {parent}\nauthor {who}\ncommitter {who}\n\ndocs: a\n\n{DECLARED}\n"
            )),
            &[],
        ),
    ]
}

#[test]
fn hand_made_headers_are_refused_in_every_format_over_file() {
    hand_made_headers_are_refused(false);
}

/// The same over the git protocol. `git-daemon` ships with git (Debian's
/// `git` package included), so this runs by default; where it is missing
/// the test fails saying so rather than passing without a daemon.
#[test]
fn hand_made_headers_are_refused_in_every_format_over_git_protocol() {
    hand_made_headers_are_refused(true);
}

/// Push every hand-made commit over file:// or, with `git_protocol`, over
/// git:// to a `git daemon`; `tiergate check` is compared once, with file://.
fn hand_made_headers_are_refused(git_protocol: bool) {
    for (format, init) in FORMATS {
        let s = Setup::new(init);
        let _daemon;
        let urls = if git_protocol {
            let Some((d, port)) = support::server::git_daemon(s.tmp.path()) else {
                panic!("git-daemon is not installed in git's exec path (`git --exec-path`); this test needs it");
            };
            _daemon = Some(d);
            vec![("git", format!("git://127.0.0.1:{port}/srv.git"))]
        } else {
            _daemon = None;
            vec![("file", format!("file://{}", s.bare.display()))]
        };
        for (case, id, want) in attacks(&s) {
            for (transport, url) in &urls {
                let label = format!("{format}/{transport}/{case}");
                let refname = format!("refs/heads/{case}-{transport}");
                let before = s.audit_lines().len();
                let out = s.push(url, &format!("{id}:{refname}"));
                let audit = s.audit_lines();
                assert_eq!(
                    audit.len(),
                    before + 1,
                    "{label}: one audit record\n{}",
                    stderr(&out)
                );
                let record = &audit[before];
                let want: BTreeSet<String> = want.iter().map(|s| (*s).to_owned()).collect();
                assert_eq!(rules(record), want, "{label}: {record}");
                if want.is_empty() {
                    assert!(out.status.success(), "{label}: {}", stderr(&out));
                    assert_eq!(record["verdict"], "pass", "{label}");
                    assert!(s.remote_has(&refname), "{label}: ref updated");
                } else {
                    assert!(!out.status.success(), "{label}: accepted");
                    assert_eq!(record["verdict"], "fail", "{label}");
                    assert!(!s.remote_has(&refname), "{label}: ref not updated");
                    if want.contains("malformed-commit") {
                        assert!(
                            stderr(&out).contains(&format!(
                                "remote: error[malformed-commit]: commit {}",
                                &id[..12]
                            )),
                            "{label}: {}",
                            stderr(&out)
                        );
                    }
                }
            }
            if git_protocol {
                continue;
            }
            // The CLI judges the same object the same way.
            let mut cmd = Command::new(bin_dir().join("tiergate"));
            hermetic(&mut cmd);
            cmd.current_dir(&s.work)
                .args(["check", "--format", "json", &format!("{id}^!")]);
            let out = output(&mut cmd);
            let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{format}/{case}: check JSON: {e}: {}", stderr(&out)));
            // Commits without violations are not listed.
            let got: BTreeSet<String> = doc["commits"]
                .as_array()
                .expect("commits")
                .iter()
                .filter(|c| c["id"] == id.as_str())
                .flat_map(|c| c["violations"].as_array().expect("violations").iter())
                .filter_map(|v| v["rule"].as_str().map(str::to_owned))
                .collect();
            assert_eq!(doc["commits_checked"], 1, "{format}/{case}");
            let want: BTreeSet<String> = want.iter().map(|s| (*s).to_owned()).collect();
            assert_eq!(got, want, "{format}/{case}: tiergate check");
            assert_eq!(
                out.status.code(),
                Some(if want.is_empty() { 0 } else { 1 }),
                "{format}/{case}"
            );
        }
    }
}
