//! End-to-end: many pushes at once into one repository; the audit log
//! holds exactly one valid JSON line per push (the hook appends under an
//! exclusive file lock).

mod support;

use std::collections::BTreeMap;
use support::server::{declared, git, Server};

#[test]
fn concurrent_pushes_each_write_one_audit_line() {
    const PUSHES: usize = 12;
    let s = Server::new();
    let mut expected = BTreeMap::new();
    for i in 0..PUSHES {
        git(&s.work, &["checkout", "-q", "-b", &format!("b{i}"), "main"]);
        // Half of them bad, with long messages so that lines are large.
        let body = "x".repeat(4096);
        let id = if i % 2 == 0 {
            s.commit(
                &[(&format!("docs/{i}.md"), "ok\n")],
                &format!("docs: {i}\n\n{body}\n"),
            )
        } else {
            s.commit(
                &[(&format!("crypto/{i}.c"), "ai\n")],
                &declared(&format!("crypto: {i} {body}")),
            )
        };
        expected.insert(format!("refs/heads/b{i}"), (id, i % 2 == 0));
    }
    let url = s.url();
    let work = s.work.clone();
    let handles: Vec<_> = (0..PUSHES)
        .map(|i| {
            let url = url.clone();
            let work = work.clone();
            std::thread::spawn(move || {
                // Push to the URL (not the remote name): no remote-tracking
                // ref to lock on the client side.
                support::server::output(support::server::git_cmd(&work).args([
                    "push",
                    &url,
                    &format!("b{i}"),
                ]))
            })
        })
        .collect();
    let outs: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("push thread"))
        .collect();
    for (i, out) in outs.iter().enumerate() {
        let code = if i % 2 == 0 { 0 } else { 1 };
        support::server::assert_code(out, code);
    }
    let text = std::fs::read_to_string(&s.audit).expect("audit log");
    let lines: Vec<&str> = text.lines().collect();
    // The set-up push ran before the hook was installed.
    assert_eq!(lines.len(), PUSHES, "{text}");
    let mut seen = BTreeMap::new();
    for line in lines {
        let rec: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("torn line {line:?}: {e}"));
        let refname = rec["refs"][0]["ref"].as_str().expect("ref").to_owned();
        assert_eq!(rec["commits_checked"], 1, "{rec}");
        *seen.entry(refname.clone()).or_insert(0) += 1;
        let (id, good) = &expected[&refname];
        assert_eq!(rec["refs"][0]["new"], id.as_str());
        assert_eq!(rec["accepted"], *good, "{rec}");
    }
    assert_eq!(seen.len(), PUSHES);
    assert!(seen.values().all(|&n| n == 1), "{seen:?}");
}
