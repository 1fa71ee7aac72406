//! Git access: the only module that touches a repository.
//!
//! TODO: implementation.

/// A git or repository I/O error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// libgit2 reported an error.
    #[error("{context}: {source}")]
    Git {
        /// What we were doing.
        context: String,
        /// The libgit2 error.
        source: git2::Error,
    },
}
