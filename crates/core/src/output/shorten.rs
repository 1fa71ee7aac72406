//! Short forms shared by the renderers: a commit id as people quote it,
//! and how many paths a block lists before it counts the rest.

/// How many paths a human-readable violation lists before "and N more".
pub const PATHS_SHOWN: usize = 5;

/// The short form of a commit id shown to humans (12 hex digits).
pub fn short_id(id: &str) -> &str {
    if id.len() > 12 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        &id[..12]
    } else {
        id
    }
}
