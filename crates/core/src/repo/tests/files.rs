//! Differential test: the tree listing and tree diff the include graph is
//! kept with ([`crate::repo::files`]), through libgit2 (our own tree walk)
//! against git's plumbing (`git ls-tree -r`, `git diff-tree -r
//! --no-renames`), on every pair of commits of a history with adds,
//! deletes, mode changes, file<->directory swaps, symlinks and submodule
//! pointers.

use super::git_cmd;
use crate::repo::files::{FileDiff, TreeFile};
use crate::repo::{plumbing, Backend, Repo};
use std::path::Path;

fn write(dir: &Path, rel: &str, content: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, content).expect("write");
}

fn commit(dir: &Path, msg: &str) -> String {
    git_cmd(dir, &["add", "-A"]);
    git_cmd(dir, &["commit", "-q", "--allow-empty", "-m", msg]);
    String::from_utf8(git_cmd(dir, &["rev-parse", "HEAD"]))
        .expect("utf8")
        .trim()
        .to_owned()
}

/// The same repository read through git's plumbing.
fn through_git(dir: &Path, libgit2: &Repo) -> Repo {
    Repo {
        backend: Backend::Git(plumbing::Repo::new(Some(dir))),
        format: libgit2.format,
        git_dir: libgit2.git_dir.clone(),
        dir: Some(dir.to_path_buf()),
        server: false,
        notes: std::cell::OnceCell::new(),
        pushed_notes: std::cell::RefCell::new(Vec::new()),
        includes: std::cell::RefCell::new(None),
    }
}

#[test]
fn tree_files_and_diffs_agree_with_git() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    git_cmd(dir, &["init", "-q", "-b", "main"]);
    let mut commits = Vec::new();
    write(dir, "a.c", "#include \"a.h\"\n");
    write(dir, "a.h", "");
    write(dir, "foo", "a file named foo");
    write(dir, "foo-bar/x.h", "x");
    write(dir, "dir/sub/deep.c", "deep");
    commits.push(commit(dir, "root"));
    write(dir, "a.c", "#include \"b.h\"\n");
    write(dir, "b.h", "");
    std::fs::remove_file(dir.join("dir/sub/deep.c")).expect("rm");
    commits.push(commit(dir, "modify add delete"));
    git_cmd(dir, &["update-index", "--chmod=+x", "a.h"]);
    git_cmd(dir, &["commit", "-q", "-m", "chmod"]);
    commits.push(commit(dir, "nothing more"));
    std::fs::remove_file(dir.join("foo")).expect("rm");
    write(dir, "foo/inner.c", "now a directory");
    commits.push(commit(dir, "file to directory"));
    std::os::unix::fs::symlink("a.h", dir.join("link.h")).expect("symlink");
    commits.push(commit(dir, "symlink"));
    std::fs::remove_file(dir.join("b.h")).expect("rm");
    std::os::unix::fs::symlink("a.h", dir.join("b.h")).expect("symlink");
    commits.push(commit(dir, "file to symlink"));
    let head = commits.last().expect("a commit").clone();
    git_cmd(
        dir,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{head},mod/ule.h"),
        ],
    );
    git_cmd(dir, &["commit", "-q", "-m", "gitlink"]);
    // No `git add -A` from here: it would drop the gitlink (no checkout).
    let rev_parse = || {
        String::from_utf8(git_cmd(dir, &["rev-parse", "HEAD"]))
            .expect("utf8")
            .trim()
            .to_owned()
    };
    commits.push(rev_parse());
    std::fs::remove_dir_all(dir.join("foo")).expect("rm");
    write(dir, "foo", "a file again");
    git_cmd(dir, &["add", "foo"]);
    git_cmd(dir, &["update-index", "--force-remove", "mod/ule.h"]);
    git_cmd(
        dir,
        &["commit", "-q", "-m", "directory to file, gitlink gone"],
    );
    commits.push(rev_parse());

    let ours = Repo::open(Some(dir)).expect("open");
    assert!(matches!(ours.backend, Backend::Libgit2(_)));
    let git = through_git(dir, &ours);
    let sorted = |mut files: Vec<TreeFile>| {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    };
    for c in &commits {
        assert_eq!(
            sorted(ours.tree_files(c).expect("ours")),
            sorted(git.tree_files(c).expect("git's")),
            "tree of {c}"
        );
    }
    let sorted = |mut diffs: Vec<FileDiff>| {
        diffs.sort_by(|a, b| a.path.cmp(&b.path));
        diffs
    };
    // A blob at a path: files and symlinks; not a directory, a gitlink or
    // nothing.
    for c in &commits {
        for path in [
            "a.c",
            "a.h",
            "b.h",
            "foo",
            "foo/inner.c",
            "dir",
            "mod/ule.h",
            "no/such",
        ] {
            assert_eq!(
                ours.blob_id_at(c, path),
                git.blob_id_at(c, path),
                "{c}:{path}"
            );
        }
    }
    assert!(ours.blob_id_at(&commits[0], "a.c").is_some());
    assert_eq!(ours.blob_id_at(&commits[0], "dir"), None, "a directory");
    assert_eq!(ours.blob_id_at(&commits[6], "mod/ule.h"), None, "a gitlink");
    let mut compared = 0;
    for old in &commits {
        for new in &commits {
            let want = sorted(git.file_diffs(old, new).expect("git's"));
            assert_eq!(
                sorted(ours.file_diffs(old, new).expect("ours")),
                want,
                "{old}..{new}"
            );
            compared += usize::from(!want.is_empty());
        }
    }
    assert!(compared > 40, "{compared} pairs differ");
    let link = ours
        .tree_files(&head)
        .expect("tree")
        .into_iter()
        .find(|f| f.path == b"link.h")
        .expect("the symlink is a file");
    assert!(link.blob.is_some(), "a symlink's target is a blob");
    let gitlink = ours
        .tree_files(&commits[6])
        .expect("tree")
        .into_iter()
        .find(|f| f.path == b"mod/ule.h")
        .expect("the gitlink is a file of the tree");
    assert_eq!(gitlink.blob, None, "a submodule's commit has no contents");
}
