//! Commit messages as git reads them: the trailer parser (a port of git's
//! `trailer.c`), cleanup as `git commit --cleanup` does it, commit
//! encodings decoded as git shows them, and the rewriting that turns a
//! tool's co-author lines into the policy's declaration.
//!
//! Everything here is a pure function of the message's bytes: exactness
//! against git is tested differentially (`git interpret-trailers`,
//! `git stripspace`).

mod cleanup;
pub mod declare;
pub mod encoding;
pub mod trailer;

pub use cleanup::{
    cleanup, cleanup_verbose, locate_end, scissors_line, scissors_position, stripspace, Cleanup,
    CUT_LINE,
};
