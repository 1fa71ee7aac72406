//! End to end: `follow_includes` (issue 15), with real git, the client
//! hooks installed by install.sh, `tiergate check` and the server's
//! pre-receive hook.
//!
//! The tree: `crypto/aes.c` includes `<crypto/aes.h>` (found in the include
//! root `include/`) and `<qemu/common.h>`, which `src/main.c` includes too.
//! With `follow_includes: true` on the critical tier, `include/crypto/aes.h`
//! is critical (only crypto code includes it) and `include/qemu/common.h`
//! is not (shared); the boundary is read from HEAD, never from the commits
//! being judged.

mod support;

use std::path::Path;
use std::process::Output;
use support::server::{
    assert_code, assert_remote_line, bin_dir, declared, git, git_cmd, install_sh, output,
    remote_lines, stderr, stdout, tiergate, Server,
};

/// The policy, with `follow_includes` on the critical tier or not.
fn policy(follow: bool) -> String {
    format!(
        "\
version: 1
tiers:
  - name: critical
    paths: [ \"crypto/\" ]
    ai: forbidden
    follow_includes: {follow}
  - name: core
    paths: [ \"src/\" ]
  - name: open
    paths: [ \"docs/\" ]
default_tier: core
includes:
  roots: [ include ]
"
    )
}

/// A server whose `main` holds the policy and the C tree (pushed before
/// the hook is installed), with the hook installed; the clone has the
/// client hooks.
fn project(follow: bool) -> Server {
    project_in(follow, &[])
}

/// [`project`] with both repositories made by `git init INIT...`.
fn project_in(follow: bool, init: &[&str]) -> Server {
    let s = Server::uninstalled_format("srv.git", init);
    s.commit(
        &[
            ("policy.yaml", &policy(follow)),
            (
                "crypto/aes.c",
                "#include <crypto/aes.h>\n#include <qemu/common.h>\n",
            ),
            ("include/crypto/aes.h", "#include \"aes-tables.h\"\n"),
            ("include/crypto/aes-tables.h", "static const int t[1];\n"),
            ("include/qemu/common.h", "#pragma once\n"),
            ("src/main.c", "#include <qemu/common.h>\n"),
        ],
        "the tree",
    );
    assert_code(&s.push(&["-q", "origin", "main"]), 0);
    s.install(&[]);
    let bin_dir = bin_dir();
    let args = [
        "--no-build",
        "--no-check",
        "--bin-dir",
        bin_dir.to_str().expect("utf-8 path"),
    ];
    assert_code(&install_sh(&s.work, &args), 0);
    s
}

fn try_git(dir: &Path, args: &[&str]) -> Output {
    output(git_cmd(dir).args(args))
}

/// An AI-declared commit changing `path`, through the commit-msg hook.
fn commit_declared(s: &Server, path: &str, title: &str) -> Output {
    s.write(path, "/* changed */\n");
    git(&s.work, &["add", "-A"]);
    try_git(&s.work, &["commit", "-q", "-m", &declared(title)])
}

/// Make the AI-declared commit of the staged change that commit-msg
/// refused, bypassing the hooks; its id.
fn commit_refused_anyway(s: &Server, title: &str) -> String {
    git(
        &s.work,
        &["commit", "-q", "--no-verify", "-m", &declared(title)],
    );
    s.rev("HEAD")
}

#[test]
fn a_header_only_critical_code_includes_is_refused_at_every_entry_point() {
    let s = project(true);
    let base = s.rev("HEAD");

    // classify --explain says why.
    let out = tiergate(
        &s.work,
        &[
            "classify",
            "--explain",
            "include/crypto/aes.h",
            "include/crypto/aes-tables.h",
            "include/qemu/common.h",
        ],
    );
    assert_code(&out, 0);
    assert_eq!(
        stdout(&out),
        "\
include/crypto/aes.h: tier critical, by follow_includes: included only by tier critical's code (crypto/aes.c)
include/crypto/aes-tables.h: tier critical, by follow_includes: included only by tier critical's code (include/crypto/aes.h)
include/qemu/common.h: tier core, by no tier matches: default_tier
"
    );

    // commit-msg refuses it.
    let out = commit_declared(&s, "include/crypto/aes.h", "crypto: tune aes.h");
    assert_code(&out, 1);
    let err = stderr(&out);
    assert!(
        err.starts_with("error[ai-forbidden-tier]: commit (new) \"crypto: tune aes.h\"\n  AI-assisted commit touches tier 'critical' (ai: forbidden): 1 path\n    include/crypto/aes.h\n"),
        "{err}"
    );
    assert_eq!(s.rev("HEAD"), base, "no commit was made");

    // Made anyway: `check` refuses it.
    let bad = commit_refused_anyway(&s, "crypto: tune aes.h");
    let out = tiergate(&s.work, &["check", &format!("{base}..HEAD")]);
    assert_code(&out, 1);
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!(
            "error[ai-forbidden-tier]: commit {} \"crypto: tune aes.h\"\n  AI-assisted commit touches tier 'critical' (ai: forbidden): 1 path\n    include/crypto/aes.h\n",
            &bad[..12]
        )),
        "{text}"
    );

    // And pre-receive.
    push_refused(&s, &base, &bad, "crypto: tune aes.h");
}

/// `git push` (the pre-push hook skipped) is refused by pre-receive for
/// the commit `bad` titled `title`, which changes the header; `main`
/// stays at `base`. The remote's output.
fn push_refused(s: &Server, base: &str, bad: &str, title: &str) -> Output {
    push_refused_for(s, base, bad, title, "include/crypto/aes.h", &[])
}

/// [`push_refused`] for a commit changing `header`, pushed with `env`.
fn push_refused_for(
    s: &Server,
    base: &str,
    bad: &str,
    title: &str,
    header: &str,
    env: &[(&str, &str)],
) -> Output {
    let out = s.push_env(&["--no-verify", "origin", "main"], env);
    assert_code(&out, 1);
    assert_remote_line(
        &out,
        &format!(
            "error[ai-forbidden-tier]: commit {} \"{title}\"",
            &bad[..12]
        ),
    );
    assert_remote_line(&out, &format!("    {header}"));
    assert_eq!(s.remote_rev("refs/heads/main").as_deref(), Some(base));
    out
}

#[test]
fn without_follow_includes_the_header_is_in_its_own_tier() {
    let s = project(false);
    let base = s.rev("HEAD");
    let out = commit_declared(&s, "include/crypto/aes.h", "crypto: tune aes.h");
    assert_code(&out, 0);
    assert_eq!(stderr(&out), "");
    let out = tiergate(&s.work, &["check", &format!("{base}..HEAD")]);
    assert_code(&out, 0);
    let out = tiergate(&s.work, &["classify", "--explain", "include/crypto/aes.h"]);
    assert_eq!(
        stdout(&out),
        "include/crypto/aes.h: tier core, by no tier matches: default_tier\n"
    );
    let out = s.push(&["--no-verify", "origin", "main"]);
    assert_code(&out, 0);
    assert_eq!(s.remote_rev("refs/heads/main"), Some(s.rev("HEAD")));
}

#[test]
fn a_header_other_code_also_includes_is_not_pulled_in() {
    let s = project(true);
    let base = s.rev("HEAD");
    let out = commit_declared(&s, "include/qemu/common.h", "qemu: tidy common.h");
    assert_code(&out, 0);
    let out = tiergate(&s.work, &["check", &format!("{base}..HEAD")]);
    assert_code(&out, 0);
    let out = s.push(&["--no-verify", "origin", "main"]);
    assert_code(&out, 0);
    assert_eq!(s.remote_rev("refs/heads/main"), Some(s.rev("HEAD")));
}

/// The pusher drops the `#include` from crypto code in a human commit and
/// changes the header with AI in the next, in one push: pre-receive judges
/// by HEAD before the push, where only crypto code includes the header.
#[test]
fn dropping_the_include_in_the_same_push_does_not_move_the_boundary() {
    let s = project(true);
    let base = s.rev("HEAD");
    s.write("crypto/aes.c", "#include <qemu/common.h>\n");
    git(&s.work, &["add", "-A"]);
    git(&s.work, &["commit", "-q", "-m", "crypto: drop aes.h"]);
    // In the clone HEAD now has no such include: the client hooks, which
    // judge by the clone's HEAD, let the AI commit through.
    let out = commit_declared(&s, "include/crypto/aes.h", "crypto: rewrite aes.h");
    assert_code(&out, 0);
    let bad = s.rev("HEAD");
    let out = push_refused(&s, &base, &bad, "crypto: rewrite aes.h");
    assert!(
        !remote_lines(&out).iter().any(|l| l.contains("drop aes.h")),
        "the human commit is not refused"
    );
}

/// HEAD moves between pushes. A commit that leaves every `#include` as it
/// was keeps the boundary (the answer is reused); one that makes `src/`
/// include the header too moves it (the header is shared from then on).
#[test]
fn the_boundary_follows_head_as_it_moves() {
    let s = project(true);
    s.write(
        "crypto/aes.c",
        "#include <crypto/aes.h>\n#include <qemu/common.h>\nint aes;\n",
    );
    git(&s.work, &["commit", "-q", "-am", "crypto: a body change"]);
    assert_code(&s.push(&["-q", "origin", "main"]), 0);
    let base = s.rev("HEAD");
    let out = commit_declared(&s, "include/crypto/aes.h", "crypto: tune aes.h");
    assert_code(&out, 1);
    let bad = commit_refused_anyway(&s, "crypto: tune aes.h");
    push_refused(&s, &base, &bad, "crypto: tune aes.h");
    git(&s.work, &["reset", "-q", "--hard", &base]);

    s.write(
        "src/main.c",
        "#include <qemu/common.h>\n#include <crypto/aes.h>\n",
    );
    git(&s.work, &["commit", "-q", "-am", "src: use aes.h"]);
    assert_code(&s.push(&["-q", "origin", "main"]), 0);
    let base = s.rev("HEAD");
    let out = commit_declared(&s, "include/crypto/aes.h", "crypto: tune aes.h");
    assert_code(&out, 0);
    let out = tiergate(&s.work, &["check", &format!("{base}..HEAD")]);
    assert_code(&out, 0);
    assert_code(&s.push(&["-q", "--no-verify", "origin", "main"]), 0);
}

/// The commit the kept answer (`tiergate/followed-v2` in the server's git
/// directory) is for: its first line is `followed-v2 <commit>`.
fn kept_answer_for(s: &Server) -> String {
    kept_answer_in(&s.bare)
}

/// [`kept_answer_for`] in the git directory `git_dir`.
fn kept_answer_in(git_dir: &Path) -> String {
    let data = std::fs::read(git_dir.join("tiergate/followed-v2")).expect("followed-v2 is kept");
    let first = data.split(|&b| b == b'\n').next().unwrap_or_default();
    String::from_utf8_lossy(first).into_owned()
}

/// `install --server` reads HEAD's include graph at once, and each accepted
/// push that moves the default branch brings the graph and the answer to
/// its new tip, so that the next push finds them ready; a refused push
/// leaves them where they were. The graph is kept up to date through the
/// diff: a header and its crypto includer added by one push are followed
/// by the next.
#[test]
fn each_accepted_push_prepares_the_boundary_for_the_next() {
    pushes_prepare_the_next(&project(true));
}

/// The same through git's plumbing, which reads the formats libgit2
/// cannot (tree listing, tree diff, blobs by `cat-file --batch`, HEAD's
/// branch): SHA-256 object ids, reftable references.
#[test]
fn each_accepted_push_prepares_the_boundary_in_every_format() {
    for init in [&["--object-format=sha256"][..], &["--ref-format=reftable"]] {
        pushes_prepare_the_next(&project_in(true, init));
    }
}

fn pushes_prepare_the_next(s: &Server) {
    let base = s.rev("HEAD");
    assert_eq!(kept_answer_for(s), format!("followed-v2 {base}"));
    // The clone's install read HEAD's graph too.
    assert_eq!(
        kept_answer_in(&s.work.join(".git")),
        format!("followed-v2 {base}")
    );
    assert!(s.bare.join("tiergate/includes-v2").is_file());

    s.write(
        "crypto/modes.c",
        "#include <crypto/modes.h>\n#include <qemu/common.h>\n",
    );
    s.write("include/crypto/modes.h", "#pragma once\n");
    git(&s.work, &["add", "-A"]);
    git(&s.work, &["commit", "-q", "-m", "crypto: add modes"]);
    assert_code(&s.push(&["-q", "origin", "main"]), 0);
    let tip = s.rev("HEAD");
    assert_eq!(kept_answer_for(s), format!("followed-v2 {tip}"));

    let out = commit_declared(s, "include/crypto/modes.h", "crypto: tune modes.h");
    assert_code(&out, 1);
    let bad = commit_refused_anyway(s, "crypto: tune modes.h");
    push_refused_for(
        s,
        &tip,
        &bad,
        "crypto: tune modes.h",
        "include/crypto/modes.h",
        &[],
    );
    assert_eq!(
        kept_answer_for(s),
        format!("followed-v2 {tip}"),
        "a refused push prepares nothing"
    );
}

/// A push that turns `follow_includes` on in the committed policy is
/// judged by the policy before it, but prepares the boundary for the next
/// push, which is judged by its own: that push reads no whole tree.
#[test]
fn a_push_turning_follow_includes_on_prepares_the_next() {
    let s = project(false);
    assert!(
        !s.bare.join("tiergate").exists(),
        "nothing is read without follow_includes"
    );
    s.write("policy.yaml", &policy(true));
    git(&s.work, &["commit", "-q", "-am", "policy: follow includes"]);
    assert_code(&s.push(&["-q", "origin", "main"]), 0);
    let tip = s.rev("HEAD");
    assert_eq!(kept_answer_for(&s), format!("followed-v2 {tip}"));

    let out = commit_declared(&s, "include/crypto/aes.h", "crypto: tune aes.h");
    assert_code(&out, 1);
    let bad = commit_refused_anyway(&s, "crypto: tune aes.h");
    push_refused(&s, &tip, &bad, "crypto: tune aes.h");
}

/// The graph prepared for a push that tiergate accepted but that never
/// landed (a hook after it refused the push, so the pushed objects went
/// with the quarantine) is of a commit the server does not have: the next
/// push brings up the graph kept before it instead of reading the whole
/// tree again, and judges as before.
#[test]
fn a_prepared_push_that_never_landed_costs_nothing_later() {
    let s = project(true);
    let base = s.rev("HEAD");
    s.write(
        "crypto/aes.c",
        "#include <crypto/aes.h>\n#include <qemu/common.h>\nint tuned;\n",
    );
    git(&s.work, &["commit", "-q", "-am", "crypto: tune aes.c"]);
    let lost = s.rev("HEAD");
    // A hook that runs tiergate's, then refuses.
    let hook = s.bare.join("hooks/pre-receive");
    let inner = s.bare.join("hooks/pre-receive.inner");
    std::fs::rename(&hook, &inner).expect("move the hook");
    std::fs::write(
        &hook,
        "#!/bin/sh\ninput=$(cat)\nprintf '%s\\n' \"$input\" | \"$(dirname \"$0\")/pre-receive.inner\" || exit $?\necho 'later hook: refused' >&2\nexit 1\n",
    )
    .expect("write the hook");
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    let out = s.push(&["origin", "main"]);
    assert_code(&out, 1);
    assert_remote_line(&out, "later hook: refused");
    std::fs::rename(&inner, &hook).expect("put the hook back");
    assert_eq!(
        s.remote_rev("refs/heads/main").as_deref(),
        Some(base.as_str())
    );
    assert_eq!(
        s.remote_rev(&format!("{lost}^{{commit}}")),
        None,
        "the pushed objects are gone"
    );
    assert_eq!(
        kept_answer_for(&s),
        format!("followed-v2 {lost}"),
        "tiergate had prepared for the push it accepted"
    );

    git(&s.work, &["reset", "-q", "--hard", &base]);
    let out = commit_declared(&s, "include/crypto/aes.h", "crypto: tune aes.h");
    assert_code(&out, 1);
    let bad = commit_refused_anyway(&s, "crypto: tune aes.h");
    let out = push_refused_for(
        &s,
        &base,
        &bad,
        "crypto: tune aes.h",
        "include/crypto/aes.h",
        &[("RUST_LOG", "debug")],
    );
    let lines = remote_lines(&out);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("kept include graph not usable")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains(" follow_includes ") && l.contains("read=0")),
        "the graph kept before was brought up, no file read: {lines:#?}"
    );
}
