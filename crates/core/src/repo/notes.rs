//! Git notes under the policy's notes ref (`markers.notes`, default
//! `refs/notes/ai`): which commits have a note, and the note's text.
//!
//! A notes ref points at a commit whose tree holds one blob per annotated
//! object, named by the object's hex id, possibly split into fan-out
//! directories (`ab/cdef...`, `ab/cd/ef...`: git's `notes.c` reads every
//! such split, and `git notes` writes them as the tree grows). The index
//! is built once per run by listing that tree (`git ls-tree -r`, through
//! [`plumbing`] for both backends: the listing is git's own, quarantine
//! included); a note's text is read only for a commit being judged, by the
//! backend that reads that commit. Entries whose path is not an object id
//! (git's notes code ignores them: `notes.c` `load_subtree` keeps
//! non-note entries apart) are ignored here too.
//!
//! Several notes commits can be read into one index: the server reads the
//! notes ref as it is *and* each new value a push gives it (a push that
//! carries its commits' notes), and a commit then has the notes of both.
//! A union: notes only add evidence, so a push that rewinds the notes ref
//! hides nothing that was there.

use std::collections::HashMap;

/// Which commits have notes, and the blobs holding them.
#[derive(Debug, Default)]
pub struct NoteIndex {
    /// Annotated object id (lower-case hex) -> note blob ids.
    by_object: HashMap<String, Vec<String>>,
}

impl NoteIndex {
    /// Record that the notes tree lists the note blob `blob` at `path`
    /// (a fan-out path of the annotated object's id; other paths are not
    /// notes and are skipped).
    pub(super) fn add(&mut self, path: &[u8], blob: String) {
        if blob.is_empty() {
            return;
        }
        let Some(object) = object_id(path) else {
            return;
        };
        let blobs = self.by_object.entry(object).or_default();
        if !blobs.contains(&blob) {
            blobs.push(blob);
        }
    }

    /// How many objects have notes.
    pub(super) fn len(&self) -> usize {
        self.by_object.len()
    }

    /// The note blobs of object `id` (hex).
    pub(super) fn blobs(&self, id: &str) -> &[String] {
        self.by_object
            .get(&id.to_ascii_lowercase())
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

/// The object id a notes tree path names (fan-out slashes removed), or
/// `None` for a path that is no object id (40 or 64 hex digits).
fn object_id(path: &[u8]) -> Option<String> {
    let hex: Vec<u8> = path.iter().copied().filter(|&b| b != b'/').collect();
    ((hex.len() == 40 || hex.len() == 64) && hex.iter().all(u8::is_ascii_hexdigit))
        .then(|| String::from_utf8_lossy(&hex).to_ascii_lowercase())
}

/// A note's text as judged: at most [`crate::rules::NOTE_LIMIT`] bytes.
pub(super) fn capped(mut text: Vec<u8>) -> Vec<u8> {
    text.truncate(crate::rules::NOTE_LIMIT);
    text
}

/// The notes of commit `id` read through libgit2.
pub(super) fn read_libgit2(
    repo: &git2::Repository,
    index: &NoteIndex,
    id: &str,
) -> Result<Vec<Vec<u8>>, super::libgit2::Error> {
    index
        .blobs(id)
        .iter()
        .map(|blob| {
            let error = |source| super::libgit2::Error::Git {
                context: format!("cannot read the note {blob} of commit {id}"),
                source,
            };
            let oid = git2::Oid::from_str(blob).map_err(error)?;
            let blob = repo.find_blob(oid).map_err(error)?;
            Ok(capped(blob.content().to_vec()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::object_id;

    #[test]
    fn note_paths() {
        let id = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(object_id(id.as_bytes()).as_deref(), Some(id));
        assert_eq!(
            object_id(b"01/23/456789ABCDEF0123456789abcdef01234567").as_deref(),
            Some(id)
        );
        assert_eq!(object_id(b"README"), None);
        assert_eq!(object_id(b"0123"), None);
        let sha256 = "a".repeat(64);
        assert_eq!(
            object_id(sha256.as_bytes()).as_deref(),
            Some(sha256.as_str())
        );
    }
}
