//! What a rule looks at: a commit's facts as plain data (its message,
//! identities, parents, date, notes), gathered by the repository layer
//! ([`crate::repo`]) or by the hooks from what git hands them.

/// A person as git records them in a commit header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// Name as recorded (bytes: git does not enforce an encoding).
    pub name: Vec<u8>,
    /// E-mail as recorded, without the angle brackets.
    pub email: Vec<u8>,
}

/// What the rules need to know about a commit besides its paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitFacts {
    /// The full message, as stored (or as cleaned up for commit-msg).
    pub message: Vec<u8>,
    /// Author.
    pub author: Identity,
    /// Committer.
    pub committer: Identity,
    /// Every further `author` or `committer` line of the header, with its
    /// role: `git log` shows them all, so markers look at them too. Only a
    /// commit written by hand has any (see `header_problems`).
    pub other_identities: Vec<(&'static str, Identity)>,
    /// Where the commit's header departs from what git writes
    /// ([`crate::repo::object`]): a second `tree`, a stray `parent`, ... Empty
    /// for every commit git creates, and for messages not yet committed.
    pub header_problems: Vec<crate::repo::object::HeaderProblem>,
    /// Number of parents (0 for a root commit or a message not yet
    /// committed, 2 or more for a merge; the commit-msg hook counts
    /// `MERGE_HEAD`).
    pub parents: usize,
    /// The committer date, seconds since the epoch (0 when unknown or not
    /// committed yet): a `baseline.since` date compares with it.
    pub committer_time: i64,
    /// The commit's notes under the policy's notes ref (`markers.notes`),
    /// each read up to [`NOTE_LIMIT`] bytes: evidence of AI use when they
    /// say so (see `notes`). Empty when there are none, when notes are
    /// off, and for messages not yet committed.
    pub notes: Vec<Vec<u8>>,
}

/// An identity in JSON (`tiergate show`'s `author`): `name` and `email`,
/// lossy UTF-8 like paths.
impl serde::Serialize for Identity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut s = serializer.serialize_struct("Identity", 2)?;
        s.serialize_field("name", &String::from_utf8_lossy(&self.name))?;
        s.serialize_field("email", &String::from_utf8_lossy(&self.email))?;
        s.end()
    }
}
