//! What the outside hands tiergate, parsed into plain data: the client
//! hooks' arguments and stdin (pre-push lines, amend and merge detection),
//! mailed patches as `git mailsplit`/`git mailinfo` read them, and
//! MAINTAINERS files. (The server hook's stdin and environment are parsed
//! in [`crate::server`], beside the decision that uses them.)

pub mod hook;
pub mod maintainers;
pub mod patch;
