//! `parallel::map_commits`: same results, same order, with or without
//! workers; errors stop the run.

/// The backend's items under test, from the modules that define them.
mod git {
    pub use crate::repo::diff::changed_paths;
    pub use crate::repo::libgit2::{commit_facts, open, Error, RevWalk};
}
use super::git_cmd;
use crate::repo::parallel;

#[test]
fn workers_keep_the_order_and_the_results() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    git_cmd(dir, &["init", "-q", "-b", "main"]);
    for i in 0..300 {
        std::fs::write(dir.join(format!("f{}", i % 7)), format!("{i}")).expect("write");
        git_cmd(dir, &["add", "-A"]);
        git_cmd(dir, &["commit", "-q", "-m", &format!("commit {i}")]);
    }
    let repo = git::open(Some(dir)).expect("open");
    let reopen = || git::open(Some(dir));
    let run = |workers: usize| -> Vec<(String, Vec<Vec<u8>>)> {
        let walk = git::RevWalk::new(&repo, &["--all"]).expect("walk");
        let mut out = Vec::new();
        parallel::map_commits(
            &repo,
            Some(&reopen),
            workers,
            walk,
            |repo, id| -> Result<_, git::Error> {
                Ok((
                    git::commit_facts(repo, id)?.title,
                    git::changed_paths(repo, id)?.0,
                ))
            },
            |item| {
                out.push(item);
                Ok(())
            },
        )
        .expect("map");
        out
    };
    let one = run(1);
    assert_eq!(one.len(), 300);
    assert_eq!(one[0].0, "commit 299");
    assert_eq!(run(2), one);
    assert_eq!(run(5), one);

    // The first error, in id order, stops the run.
    let walk = git::RevWalk::new(&repo, &["--all"]).expect("walk");
    let mut seen = 0;
    let result = parallel::map_commits(
        &repo,
        Some(&reopen),
        2,
        walk,
        |repo, id| {
            let title = git::commit_facts(repo, id)?.title;
            if title == "commit 250" {
                Err(git::Error::Object("boom".into()))
            } else {
                Ok(title)
            }
        },
        |_| {
            seen += 1;
            Ok(())
        },
    );
    assert!(matches!(result, Err(git::Error::Object(m)) if m == "boom"));
    assert_eq!(
        seen, 49,
        "commits 299..=251 were handed over before the error"
    );
}
