//! End-to-end: the pre-receive hook behind real git servers, over the git
//! protocol (`git daemon --enable=receive-pack`) and smart HTTP (`git
//! http-backend` behind lighttpd with basic auth, so `REMOTE_USER` names
//! the pusher). Each server is started on a free loopback port and stopped
//! by the test. Both tests are `#[ignore]`d, so a plain `cargo test` lists
//! them as ignored instead of passing them without a server; `.ci/run`
//! installs lighttpd and runs them with `-- --ignored`, and run that way a
//! missing server fails the test.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use support::server::{
    assert_code, assert_remote_line, declared, free_port, hermetic, stderr, wait_for_port, Daemon,
    Server,
};

fn find(candidates: &[&str]) -> Option<std::path::PathBuf> {
    candidates
        .iter()
        .map(Path::new)
        .find(|p| p.exists())
        .map(Path::to_path_buf)
}

fn git_exec_path() -> String {
    let out = support::server::output(Command::new("git").arg("--exec-path"));
    support::server::stdout(&out).trim().to_owned()
}

/// `git-daemon` ships with git, so this runs by default; where it is
/// missing the test fails saying so.
#[test]
fn pushes_over_git_daemon() {
    let s = Server::new();
    let Some((_daemon, port)) = support::server::git_daemon(s.tmp.path()) else {
        panic!("git-daemon is not installed in git's exec path (`git --exec-path`); this test needs it");
    };
    let url = format!("git://127.0.0.1:{port}/srv.git");

    let good = s.commit(&[("docs/d.md", "d\n")], "docs: over git://");
    let out = s.push(&[&url, "main"]);
    assert_code(&out, 0);
    assert_eq!(s.remote_rev("main").as_deref(), Some(good.as_str()));
    assert_eq!(s.last_audit()["commits_checked"], 1);

    let bad = s.commit(&[("crypto/d.c", "d\n")], &declared("crypto: over git://"));
    let out = s.push(&[&url, "main"]);
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_remote_line(
        &out,
        &format!(
            "error[ai-forbidden-tier]: commit {} \"crypto: over git://\"",
            &bad[..12]
        ),
    );
    assert_remote_line(
        &out,
        "tiergate: push rejected (refs/heads/main); no ref was updated",
    );
    assert_eq!(s.remote_rev("main").as_deref(), Some(good.as_str()));
    assert_eq!(s.last_audit()["verdict"], "fail");

    // A replace ref that would make git show the good commit in place of
    // the bad one: refused over git:// too.
    let replace = format!("refs/replace/{bad}");
    let out = s.push(&[&url, &format!("{good}:{replace}")]);
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_remote_line(&out, &format!("error[replace-ref]: ref {replace}"));
    assert_eq!(s.remote_rev(&replace), None);
    assert_eq!(s.last_audit()["violations"][0]["rule"], "replace-ref");
}

/// lighttpd serving `git http-backend` under /git/, basic auth from a
/// plain user file (alice:secret, bob:secret).
fn start_lighttpd(s: &Server, lighttpd: &Path) -> Option<(Daemon, u16)> {
    let port = free_port();
    let dir = s.tmp.path();
    let root = dir.to_str().expect("utf-8");
    std::fs::write(dir.join("users"), "alice:secret\nbob:secret\n").expect("users");
    let backend = Path::new(&git_exec_path()).join("git-http-backend");
    let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into());
    let conf = format!(
        r#"server.document-root = "{root}"
server.port = {port}
server.bind = "127.0.0.1"
server.errorlog = "{root}/lighttpd.log"
server.modules = ( "mod_alias", "mod_setenv", "mod_auth", "mod_authn_file", "mod_cgi" )
alias.url = ( "/git/" => "{backend}/" )
$HTTP["url"] =~ "^/git/" {{
  cgi.assign = ( "" => "" )
  setenv.add-environment = (
    "GIT_PROJECT_ROOT" => "{root}",
    "GIT_HTTP_EXPORT_ALL" => "1",
    "GIT_CONFIG_NOSYSTEM" => "1",
    "GIT_CONFIG_GLOBAL" => "/dev/null",
    "HOME" => "/nonexistent",
    "PATH" => "{path}",
  )
}}
auth.backend = "plain"
auth.backend.plain.userfile = "{root}/users"
auth.require = ( "/git/" => ( "method" => "basic", "realm" => "git", "require" => "valid-user" ) )
"#,
        backend = backend.display(),
    );
    let conf_path = dir.join("lighttpd.conf");
    std::fs::write(&conf_path, conf).expect("conf");
    let mut cmd = Command::new(lighttpd);
    hermetic(&mut cmd);
    cmd.arg("-D")
        .arg("-f")
        .arg(&conf_path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let daemon = Daemon(cmd.spawn().expect("start lighttpd"));
    if !wait_for_port(port) {
        let log = std::fs::read_to_string(dir.join("lighttpd.log")).unwrap_or_default();
        panic!("lighttpd did not start on port {port}:\n{log}");
    }
    Some((daemon, port))
}

#[test]
#[ignore = "needs lighttpd: apt-get install lighttpd; .ci/run installs it and runs it"]
fn pushes_over_smart_http_with_basic_auth() {
    let Some(lighttpd) = find(&["/usr/sbin/lighttpd", "/usr/local/sbin/lighttpd"]) else {
        panic!("lighttpd is not installed (apt-get install lighttpd); this test needs it");
    };
    let s = Server::new();
    let Some((_server, port)) = start_lighttpd(&s, &lighttpd) else {
        return;
    };
    let url = |user: &str| format!("http://{user}:secret@127.0.0.1:{port}/git/srv.git");

    let good = s.commit(&[("docs/h.md", "h\n")], "docs: over http");
    let out = s.push(&[&url("bob"), "main"]);
    assert_code(&out, 0);
    assert_eq!(s.remote_rev("main").as_deref(), Some(good.as_str()));
    let rec = s.last_audit();
    assert_eq!(rec["user"], "bob");
    assert_eq!(rec["user_from"], "REMOTE_USER");

    let bad = s.commit(&[("crypto/h.c", "h\n")], &declared("crypto: over http"));
    let out = s.push(&[&url("bob"), "main"]);
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_remote_line(
        &out,
        &format!(
            "error[ai-forbidden-tier]: commit {} \"crypto: over http\"",
            &bad[..12]
        ),
    );
    assert_eq!(s.remote_rev("main").as_deref(), Some(good.as_str()));
    // bob may not override; alice may, with a reason.
    let out = s.push(&["-o", "tiergate.override=urgent", &url("bob"), "main"]);
    assert_ne!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_remote_line(
        &out,
        "tiergate: override refused: user 'bob' is not in the policy's server.override.users",
    );
    assert_eq!(s.remote_rev("main").as_deref(), Some(good.as_str()));
    let out = s.push(&["-o", "tiergate.override=urgent", &url("alice"), "main"]);
    assert_code(&out, 0);
    assert_remote_line(
        &out,
        "tiergate: override by alice accepted: \"urgent\" (recorded in the audit log)",
    );
    assert_eq!(s.remote_rev("main").as_deref(), Some(bad.as_str()));
    let rec = s.last_audit();
    assert_eq!(rec["verdict"], "override");
    assert_eq!(rec["user"], "alice");
    assert_eq!(rec["override"]["reason"], "urgent");
}
