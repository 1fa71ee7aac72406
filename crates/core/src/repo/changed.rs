//! What a commit changes, as both backends report it and the judge
//! ([`crate::judge::judge`]) reads it: plain data, no repository.

/// The changed paths of one commit (repository-relative, `/`-separated,
/// raw bytes), sorted in git's tree order and without duplicates; and,
/// when the diff met a subtree deeper than [`MAX_TREE_DEPTH`], that
/// subtree (the paths below it are missing from the list, and the rules
/// refuse the commit as `tree-too-deep`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangedPaths(pub Vec<Vec<u8>>, pub Option<TooDeep>);

/// How deep a tree diff or a tree listing descends: git's own default
/// limit, `core.maxTreeDepth` = 2048 (`max_allowed_tree_depth` in git's
/// environment.c, since git 2.42.1; Windows builds with small stacks use
/// 512 or 1280). git's tree-diff.c (`ll_diff_tree_paths`) and tree.c
/// (`read_tree_at`) count the top tree as depth 0, each subtree one more,
/// and stop at a tree deeper than the limit: `exceeded maximum allowed
/// tree depth`. So every tree git itself can diff, tiergate diffs too;
/// deeper ones are made by hand (`git mktree`, `git hash-object -t tree
/// --literally`) and, because a pusher writes them, are refused as
/// [`crate::rules::RuleCode::TreeTooDeep`] instead of being walked.
pub const MAX_TREE_DEPTH: usize = 2048;

/// A subtree deeper than [`MAX_TREE_DEPTH`], met by a tree diff: it was
/// not descended into, so the changed paths below it are unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooDeep {
    /// The depth of that subtree (the top tree is 0): `MAX_TREE_DEPTH + 1`
    /// for the first one met.
    pub depth: usize,
    /// Its path, `/`-terminated (`a/a/.../a/`).
    pub prefix: Vec<u8>,
}
