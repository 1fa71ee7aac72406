//! Differential test: `git::changed_paths` against `git diff-tree` on a
//! repository with adds, deletes, renames, mode changes, file<->directory
//! swaps, symlinks, submodule pointers, merges (clean and "evil") and a
//! root commit.

/// The backend's items under test, from the modules that define them.
mod git {
    pub use crate::repo::changed::{ChangedPaths, TooDeep, MAX_TREE_DEPTH};
    pub use crate::repo::diff::changed_paths;
    pub use crate::repo::libgit2::{open, Error, RevWalk, WalkedCommit};
    pub use crate::repo::tree::for_each_tree_file;
}
use std::path::Path;
use std::process::Command;

use super::git_cmd;

fn write(dir: &Path, rel: &str, content: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, content).expect("write");
}

fn commit(dir: &Path, msg: &str) {
    git_cmd(dir, &["add", "-A"]);
    git_cmd(dir, &["commit", "-q", "--allow-empty", "-m", msg]);
}

/// What git says a commit changes: `git diff-tree -r --no-renames
/// --name-only -z --root` (first parent), or `-c` for merges (paths that
/// differ from every parent).
fn git_paths(dir: &Path, id: &str, merge: bool) -> Vec<Vec<u8>> {
    let mut args = vec![
        "diff-tree",
        "-r",
        "--no-renames",
        "--name-only",
        "-z",
        "--root",
    ];
    if merge {
        args.push("-c");
    }
    args.push(id);
    let out = git_cmd(dir, &args);
    let mut paths: Vec<Vec<u8>> = out
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    // The first record is the commit id itself.
    if paths.first().is_some_and(|p| p == id.as_bytes()) {
        paths.remove(0);
    }
    paths.sort();
    paths.dedup();
    paths
}

#[test]
fn changed_paths_agree_with_git_diff_tree() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    git_cmd(dir, &["init", "-q", "-b", "main"]);
    write(dir, "a.txt", "a");
    write(dir, "crypto/aes.c", "aes");
    write(dir, "crypto/sub/deep.c", "deep");
    write(dir, "foo", "file named foo");
    write(dir, "foo-bar/x", "x");
    write(dir, "docs/caf\u{e9}.txt", "utf8");
    commit(dir, "root");
    // Modify, add, delete.
    write(dir, "a.txt", "a2");
    write(dir, "new/dir/file.c", "n");
    std::fs::remove_file(dir.join("crypto/sub/deep.c")).expect("rm");
    commit(dir, "modify add delete");
    // Rename into a critical directory: both paths change.
    git_cmd(dir, &["mv", "a.txt", "crypto/a.txt"]);
    commit(dir, "rename");
    // Mode change only.
    git_cmd(dir, &["update-index", "--chmod=+x", "crypto/aes.c"]);
    git_cmd(dir, &["commit", "-q", "-m", "chmod"]);
    // File becomes a directory (ordering: `foo` vs `foo-bar` vs `foo/`).
    std::fs::remove_file(dir.join("foo")).expect("rm");
    write(dir, "foo/inner.c", "now a dir");
    commit(dir, "file to dir");
    // Symlink and a submodule pointer (gitlink) under crypto/.
    std::os::unix::fs::symlink("../a", dir.join("crypto/link")).expect("symlink");
    commit(dir, "symlink");
    let head = String::from_utf8(git_cmd(dir, &["rev-parse", "HEAD"])).expect("utf8");
    git_cmd(
        dir,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{},crypto/sub/module", head.trim()),
        ],
    );
    git_cmd(dir, &["commit", "-q", "-m", "gitlink"]);
    // A branch and merges.
    git_cmd(dir, &["checkout", "-q", "-b", "topic", "HEAD~3"]);
    write(dir, "topic.c", "t");
    write(dir, "docs/guide.md", "g");
    commit(dir, "topic work");
    git_cmd(dir, &["checkout", "-q", "main"]);
    write(dir, "main.c", "m");
    commit(dir, "main work");
    git_cmd(dir, &["merge", "-q", "--no-edit", "topic"]);
    // An evil merge: the merge itself changes a file neither side touched.
    git_cmd(dir, &["checkout", "-q", "-b", "topic2", "HEAD~1"]);
    write(dir, "t2.c", "t2");
    commit(dir, "topic2 work");
    git_cmd(dir, &["checkout", "-q", "main"]);
    git_cmd(dir, &["merge", "-q", "--no-commit", "topic2"]);
    write(dir, "crypto/aes.c", "evil change in the merge");
    git_cmd(dir, &["add", "-A"]);
    git_cmd(dir, &["commit", "-q", "--no-edit"]);

    let repo = git::open(Some(dir)).expect("open");
    let list = String::from_utf8(git_cmd(dir, &["rev-list", "--all", "--parents"])).expect("utf8");
    let mut compared = 0;
    let mut merges = 0;
    for line in list.lines() {
        let ids: Vec<&str> = line.split(' ').collect();
        let merge = ids.len() > 2;
        merges += usize::from(merge);
        let want = git_paths(dir, ids[0], merge);
        let mut got = git::changed_paths(&repo, git2::Oid::from_str(ids[0]).expect("oid"))
            .expect("changed paths")
            .0;
        got.sort();
        assert_eq!(
            got.iter()
                .map(|p| String::from_utf8_lossy(p))
                .collect::<Vec<_>>(),
            want.iter()
                .map(|p| String::from_utf8_lossy(p))
                .collect::<Vec<_>>(),
            "commit {}",
            ids[0]
        );
        compared += 1;
    }
    eprintln!("compared changed paths of {compared} commits ({merges} merges) with git diff-tree");

    // The walk of a whole history lists exactly the commits `git rev-list
    // --all` lists (the walk is git's own: see tests/walks.rs for order).
    let walked: Vec<git::WalkedCommit> = git::RevWalk::new(&repo, &["--all"])
        .expect("walk")
        .commits()
        .collect::<Result<_, _>>()
        .expect("commits");
    let mut ours: Vec<String> = walked.iter().map(|c| c.id.to_string()).collect();
    let mut theirs: Vec<String> = list
        .lines()
        .map(|l| l.split(' ').next().expect("id").to_owned())
        .collect();
    ours.sort();
    theirs.sort();
    assert_eq!(ours, theirs);
    assert!(compared >= 12 && merges >= 2);
}

/// A chain of `depth` directories named `d`, the innermost holding file
/// `f`, written with libgit2 (git's own `mktree` would take a process per
/// level); and a root commit of it. Returns the commit id.
fn deep_commit(repo: &git2::Repository, depth: usize, message: &str) -> git2::Oid {
    let blob = repo.blob(b"deep\n").expect("blob");
    let mut builder = repo.treebuilder(None).expect("treebuilder");
    builder.insert("f", blob, 0o100644).expect("insert");
    let mut tree = builder.write().expect("write");
    for _ in 0..depth {
        let mut builder = repo.treebuilder(None).expect("treebuilder");
        builder.insert("d", tree, 0o040000).expect("insert");
        tree = builder.write().expect("write");
    }
    let tree = repo.find_tree(tree).expect("tree");
    let sig = git2::Signature::new("A", "a@example.com", &git2::Time::new(1_700_000_000, 0))
        .expect("signature");
    repo.commit(None, &sig, &sig, message, &tree, &[])
        .expect("commit")
}

/// git's `core.maxTreeDepth` default is 2048 directories: a tree that
/// deep is diffed exactly as `git diff-tree` diffs it, one level more is
/// refused by both (git: "exceeded maximum allowed tree depth"; tiergate:
/// the subtree is reported, not descended into). The diffs run on a
/// thread with a 256 KiB stack, which a recursion 10,000 levels deep would
/// overflow (an abort, not a failed assertion).
#[test]
fn deep_trees_are_diffed_to_gits_limit_without_recursion() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().to_path_buf();
    git_cmd(&dir, &["init", "-q", "-b", "main"]);
    let repo = git2::Repository::open(&dir).expect("open");
    let at_limit = deep_commit(&repo, git::MAX_TREE_DEPTH, "at the limit");
    let beyond = deep_commit(&repo, git::MAX_TREE_DEPTH + 1, "one level more");
    let far = deep_commit(&repo, 10_000, "far beyond");
    let want = git_paths(&dir, &at_limit.to_string(), false);
    let d = |n: usize| "d/".repeat(n).into_bytes();
    assert_eq!(want, vec![[d(git::MAX_TREE_DEPTH), b"f".to_vec()].concat()]);

    let worker_dir = dir.clone();
    let results = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let repo = git::open(Some(&worker_dir)).expect("open");
            let paths = |id| git::changed_paths(&repo, id).expect("paths");
            let mut listed = 0;
            let listing = git::for_each_tree_file(
                &repo,
                repo.find_commit(far).expect("commit").tree_id(),
                |_| listed += 1,
            );
            (
                paths(at_limit),
                paths(beyond),
                paths(far),
                listing.map(|()| listed),
            )
        })
        .expect("spawn")
        .join()
        .expect("no stack overflow");
    let (at, one_more, ten_thousand, listing) = results;
    assert_eq!(at, git::ChangedPaths(want, None));
    let refused = |depth: usize| {
        git::ChangedPaths(
            Vec::new(),
            Some(git::TooDeep {
                depth,
                prefix: d(depth),
            }),
        )
    };
    assert_eq!(one_more, refused(git::MAX_TREE_DEPTH + 1));
    assert_eq!(ten_thousand, refused(git::MAX_TREE_DEPTH + 1));
    match listing {
        Err(git::Error::TreeTooDeep(deep)) => {
            assert_eq!(deep.depth, git::MAX_TREE_DEPTH + 1);
            assert_eq!(deep.prefix, d(git::MAX_TREE_DEPTH + 1));
        }
        other => panic!("a listing past the limit must fail: {other:?}"),
    }

    // git itself refuses one level more, with its own message.
    let out = Command::new("git")
        .current_dir(&dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args(["diff-tree", "-r", "--root", &beyond.to_string()])
        .output()
        .expect("git");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("exceeded maximum allowed tree depth"));
}

/// Differential, randomized: a history of big directories (the shape where
/// the diff skips the entries two trees share byte for byte) with random
/// edits, adds, deletes, file<->directory swaps and merges; every commit's
/// changed paths equal `git diff-tree`'s.
#[test]
fn random_histories_with_big_directories_agree_with_git() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    git_cmd(dir, &["init", "-q", "-b", "main"]);
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) % n
    };
    let dirs = ["", "src/", "src/a/", "docs/", "tests/", "crypto/"];
    for d in dirs {
        for i in 0..60 {
            write(dir, &format!("{d}f{i:03}.c"), "0");
        }
    }
    commit(dir, "root");
    for round in 0..40 {
        if round % 10 == 9 {
            // A merge of a side branch with its own edits.
            git_cmd(
                dir,
                &["checkout", "-q", "-b", &format!("side{round}"), "HEAD~2"],
            );
            write(dir, &format!("src/side{round}.c"), "s");
            commit(dir, "side");
            git_cmd(dir, &["checkout", "-q", "main"]);
            git_cmd(dir, &["merge", "-q", "--no-edit", &format!("side{round}")]);
            continue;
        }
        for _ in 0..1 + next(4) {
            let d = dirs[next(dirs.len() as u64) as usize];
            let name = format!("{d}f{:03}.c", next(70));
            let path = dir.join(&name);
            match next(5) {
                0 if path.is_file() => std::fs::remove_file(&path).expect("rm"),
                1 if path.is_file() => {
                    // A file becomes a directory.
                    std::fs::remove_file(&path).expect("rm");
                    write(dir, &format!("{name}/inner"), "i");
                }
                2 if path.is_dir() => {
                    std::fs::remove_dir_all(&path).expect("rm -r");
                    write(dir, &name, "back");
                }
                _ if !path.is_dir() => write(dir, &name, &format!("{round}")),
                _ => {}
            }
        }
        commit(dir, &format!("edit {round}"));
    }
    let repo = git2::Repository::open(dir).expect("open");
    let list = String::from_utf8(git_cmd(dir, &["rev-list", "--parents", "--all"])).expect("utf-8");
    let mut compared = 0;
    for line in list.lines() {
        let ids: Vec<&str> = line.split(' ').collect();
        let id = git2::Oid::from_str(ids[0]).expect("id");
        let mut ours = git::changed_paths(&repo, id).expect("paths").0;
        ours.sort();
        assert_eq!(
            ours,
            git_paths(dir, ids[0], ids.len() > 2),
            "commit {}",
            ids[0]
        );
        compared += 1;
    }
    assert!(compared > 40, "{compared}");
}
