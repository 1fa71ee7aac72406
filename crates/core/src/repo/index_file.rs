//! Reading git's index file (`.git/index`, `GIT_INDEX_FILE`) directly, for
//! the commit-msg hook's staged paths ([`super::Repo::staged_paths`]).
//!
//! libgit2 parses the index into one allocated entry per path and then
//! diffs it against a tree it loads completely; on a 10,000-file index
//! that is most of a hook run. Here the file is read once and the entries
//! are kept as offsets into it, and the cache-tree extension (`TREE`) is
//! read too: it records, for every directory git has not invalidated since
//! it last wrote a tree, the id of the tree that directory would be
//! written as. A directory whose id equals the parent commit's subtree is
//! unchanged and is skipped whole, as git's `diff-index --cached` does
//! (unpack-trees.c `unpack_callback`: `cache_tree_matches_traversal`
//! skips "the entire hierarchy" when the ids match).
//!
//! The format is git's Documentation/gitformat-index.txt, versions 2, 3
//! and 4 (path prefix compression). Anything this reader does not handle
//! is reported as [`Unsupported`] so the caller can take the general
//! (libgit2) path instead: a split index (`link`), a sparse index (`sdir`,
//! directory entries), other required (lower-case) extensions, unmerged
//! entries, or a file that does not parse. The trailing checksum is not
//! verified: git has just written (or read and verified) this very file
//! before running the hook.

use std::ops::Range;

/// The bytes of an index file: mapped read-only where possible (git maps
/// the index too, read-cache.c `do_read_index`), else read. Mapping costs
/// one system call; reading a 1 MB index into a fresh buffer costs the
/// copy and a page fault per 4 KiB, which on a 10,000-file index was a
/// good part of a hook run.
pub struct FileBytes {
    #[cfg(unix)]
    mapped: Option<(std::ptr::NonNull<u8>, usize)>,
    read: Vec<u8>,
}

impl FileBytes {
    /// Map (or read) the file at `path`.
    pub fn open(path: &std::path::Path) -> std::io::Result<FileBytes> {
        let file = std::fs::File::open(path)?;
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            let len = file.metadata()?.len();
            if let Ok(len) = usize::try_from(len) {
                if len > 0 {
                    // SAFETY: a fresh private read-only mapping of a file we
                    // hold open; nothing else aliases it. git replaces the
                    // index by renaming a new file over it, never by
                    // rewriting it in place, so the mapped file does not
                    // shrink under us.
                    let ptr = unsafe {
                        libc::mmap(
                            std::ptr::null_mut(),
                            len,
                            libc::PROT_READ,
                            libc::MAP_PRIVATE | populate(),
                            file.as_raw_fd(),
                            0,
                        )
                    };
                    if ptr != libc::MAP_FAILED {
                        if let Some(ptr) = std::ptr::NonNull::new(ptr.cast::<u8>()) {
                            return Ok(FileBytes {
                                mapped: Some((ptr, len)),
                                read: Vec::new(),
                            });
                        }
                    }
                }
            }
        }
        let mut read = Vec::new();
        std::io::Read::read_to_end(&mut &file, &mut read)?;
        Ok(FileBytes {
            #[cfg(unix)]
            mapped: None,
            read,
        })
    }
}

/// `MAP_POPULATE` where it exists: map every page at once (the file is in
/// the page cache, git just wrote it) rather than fault them in one by one.
#[cfg(unix)]
fn populate() -> libc::c_int {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    return libc::MAP_POPULATE;
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    return 0;
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        #[cfg(unix)]
        if let Some((ptr, len)) = self.mapped {
            // SAFETY: the mapping is `len` readable bytes and lives until
            // `drop`.
            return unsafe { std::slice::from_raw_parts(ptr.as_ptr(), len) };
        }
        &self.read
    }
}

impl Drop for FileBytes {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some((ptr, len)) = self.mapped.take() {
            // SAFETY: our own mapping, unmapped once; no slice of it
            // outlives `self`.
            unsafe {
                libc::munmap(ptr.as_ptr().cast(), len);
            }
        }
    }
}

/// Why [`parse`] declined a file: the caller falls back to a full reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub &'static str);

/// One index entry (stage 0), as offsets into the index file.
#[derive(Debug, Clone)]
pub struct IndexEntry {
    /// Where the path starts and its length, as [`Index::path`] reads it
    /// (32 bits: an index is read whole, far below 4 GiB; 16 bytes an
    /// entry keeps 10,000 of them in 40 pages).
    path: (u32, u32),
    /// Where the object id starts in the file.
    id: u32,
    /// The mode as git writes it (100644, 100755, 120000, 160000).
    pub mode: u32,
}

/// One cache-tree node: a directory of the index and, if git has not
/// invalidated it, the id of its tree. Nodes are kept in the file's order
/// (a directory, then its subdirectories, each followed by its own).
#[derive(Debug, Clone)]
pub struct CacheTree {
    /// The directory's name (one path component; empty for the top).
    pub name: Range<usize>,
    /// How many index entries the directory holds; meaningful only with
    /// `id`.
    pub entry_count: usize,
    /// Where the tree id starts in the file; `None` if invalidated.
    pub id: Option<usize>,
    /// The index in [`Index::cache_tree`] after this node's last
    /// descendant.
    pub end: usize,
}

/// A parsed index file.
#[derive(Debug)]
pub struct Index<'a> {
    /// The file's bytes.
    pub data: &'a [u8],
    /// Version 4 only: every path, concatenated (version 4 compresses
    /// paths, so they are rebuilt here, in one buffer); the paths of
    /// versions 2 and 3 are read in place.
    rebuilt: Option<Vec<u8>>,
    /// The entries that count for `git diff --cached`, in index order
    /// (sorted by path): intent-to-add entries (`git add -N`) are left
    /// out, since git treats them as not in the index there.
    pub entries: Vec<IndexEntry>,
    /// The cache-tree nodes, the top directory first; empty without a
    /// `TREE` extension (or with one this reader does not understand).
    pub cache_tree: Vec<CacheTree>,
    /// Length of an object id in the file.
    pub hash_len: usize,
}

impl Index<'_> {
    /// The path of `entry`.
    pub fn path(&self, entry: &IndexEntry) -> &[u8] {
        let (start, len) = (entry.path.0 as usize, entry.path.1 as usize);
        match &self.rebuilt {
            Some(paths) => &paths[start..start + len],
            None => &self.data[start..start + len],
        }
    }

    /// The raw object id of `entry`.
    pub fn id(&self, entry: &IndexEntry) -> &[u8] {
        let id = entry.id as usize;
        &self.data[id..id + self.hash_len]
    }

    /// The name of a cache-tree node.
    pub fn node_name(&self, node: &CacheTree) -> &[u8] {
        &self.data[node.name.clone()]
    }

    /// The raw tree id of a valid cache-tree node.
    pub fn node_id(&self, node: &CacheTree) -> Option<&[u8]> {
        node.id.map(|at| &self.data[at..at + self.hash_len])
    }

    /// The subdirectories of node `node` (indices into
    /// [`Index::cache_tree`]), in the file's order (git's: by name length,
    /// then name).
    pub fn children(&self, node: usize) -> impl Iterator<Item = usize> + '_ {
        let end = self.cache_tree.get(node).map_or(0, |n| n.end);
        let mut next = node + 1;
        std::iter::from_fn(move || {
            let child = next;
            if child >= end {
                return None;
            }
            next = self.cache_tree[child].end;
            Some(child)
        })
    }
}

// Bits of an entry's on-disk flags (read-cache.c, cache.h).
const CE_EXTENDED: u16 = 0x4000;
const CE_STAGEMASK: u16 = 0x3000;
const CE_NAMEMASK: u16 = 0x0fff;
// Bits of the extended flags (version 3 and later): `CE_INTENT_TO_ADD`
// and `CE_SKIP_WORKTREE` are stored shifted right by 16.
const CE_INTENT_TO_ADD: u16 = 0x2000;
// Mode of a sparse index's directory entry.
const MODE_DIR: u32 = 0o040000;

fn be32(data: &[u8], at: usize) -> Option<u32> {
    let bytes = data.get(at..at + 4)?;
    Some(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

fn be16(data: &[u8], at: usize) -> Option<u16> {
    let bytes = data.get(at..at + 2)?;
    Some(u16::from_be_bytes([bytes[0], bytes[1]]))
}

/// git's offset varint (varint.c `decode_varint`), used by version 4.
fn varint(data: &[u8], pos: &mut usize) -> Option<usize> {
    let mut byte = *data.get(*pos)?;
    *pos += 1;
    let mut value = usize::from(byte & 0x7f);
    while byte & 0x80 != 0 {
        byte = *data.get(*pos)?;
        *pos += 1;
        value = value.checked_add(1)?.checked_mul(128)? | usize::from(byte & 0x7f);
    }
    Some(value)
}

/// Parse an index file whose object ids are `hash_len` bytes long.
pub fn parse(data: &[u8], hash_len: usize) -> Result<Index<'_>, Unsupported> {
    let bad = Unsupported("the index file does not parse");
    if data.get(..4) != Some(b"DIRC") {
        return Err(bad);
    }
    let version = be32(data, 4).ok_or(bad.clone())?;
    if !(2..=4).contains(&version) {
        return Err(Unsupported("unknown index version"));
    }
    let count = be32(data, 8).ok_or(bad.clone())? as usize;
    // Entries and extensions end where the trailing checksum starts.
    let end = data.len().checked_sub(hash_len).ok_or(bad.clone())?;
    let mut index = Index {
        data,
        rebuilt: (version == 4).then(|| Vec::with_capacity(count.min(end / 8) * 24)),
        entries: Vec::with_capacity(count.min(end / 64)),
        cache_tree: Vec::new(),
        hash_len,
    };
    let mut pos = 12;
    let mut previous = 0..0;
    // Fixed part: ctime, mtime (8 bytes each), dev, ino, mode, uid, gid,
    // size (4 each), the id, then the flags.
    let fixed = 40 + hash_len + 2;
    for _ in 0..count {
        let start = pos;
        if start + fixed > end {
            return Err(bad);
        }
        let mode = be32(data, start + 24).ok_or(bad.clone())?;
        let id = start + 40;
        let flags = be16(data, id + hash_len).ok_or(bad.clone())?;
        pos = start + fixed;
        let mut extended = 0;
        if flags & CE_EXTENDED != 0 {
            if version < 3 {
                return Err(bad);
            }
            extended = be16(data, pos).ok_or(bad.clone())?;
            pos += 2;
        }
        let path = if let Some(paths) = &mut index.rebuilt {
            // The previous path minus `strip` bytes, then this suffix.
            let strip = varint(data, &mut pos).ok_or(bad.clone())?;
            let keep = previous.len().checked_sub(strip).ok_or(bad.clone())?;
            let nul = data[pos..end]
                .iter()
                .position(|&b| b == 0)
                .ok_or(bad.clone())?;
            let path_start = paths.len();
            paths.extend_from_within(previous.start..previous.start + keep);
            paths.extend_from_slice(&data[pos..pos + nul]);
            pos += nul + 1;
            path_start..paths.len()
        } else {
            let len = match usize::from(flags & CE_NAMEMASK) {
                // Too long for the flags: up to the NUL.
                0x0fff => data[pos..end]
                    .iter()
                    .position(|&b| b == 0)
                    .ok_or(bad.clone())?,
                len => len,
            };
            if pos + len >= end || data[pos + len] != 0 {
                return Err(bad);
            }
            let path = pos..pos + len;
            // Padded with 1 to 8 NULs to a multiple of 8 bytes.
            pos = start + ((pos - start + len + 8) & !7);
            path
        };
        // Paths must be strictly increasing for the merge with the tree:
        // git writes them so and checks it on reading (read-cache.c
        // `check_ce_order`); an index that is not is not git's.
        let ordered = match &index.rebuilt {
            Some(paths) => previous.is_empty() || paths[previous.clone()] < paths[path.clone()],
            None => previous.is_empty() || data[previous.clone()] < data[path.clone()],
        };
        if !ordered {
            return Err(bad);
        }
        previous = path.clone();
        if flags & CE_STAGEMASK != 0 {
            return Err(Unsupported("the index has unmerged entries"));
        }
        if mode == MODE_DIR {
            return Err(Unsupported("sparse index"));
        }
        if extended & CE_INTENT_TO_ADD != 0 {
            continue;
        }
        let (Ok(start), Ok(len), Ok(id)) = (
            u32::try_from(path.start),
            u32::try_from(path.len()),
            u32::try_from(id),
        ) else {
            return Err(Unsupported("the index is too big"));
        };
        index.entries.push(IndexEntry {
            path: (start, len),
            id,
            mode,
        });
    }
    if pos > end {
        return Err(bad);
    }
    // Extensions: a signature, a 32-bit size, the data.
    while pos + 8 <= end {
        let signature = &data[pos..pos + 4];
        let size = be32(data, pos + 4).ok_or(bad.clone())? as usize;
        let body = pos + 8;
        let body_end = body
            .checked_add(size)
            .filter(|&e| e <= end)
            .ok_or(bad.clone())?;
        match signature {
            b"TREE" => {
                let mut at = body;
                let mut nodes = Vec::new();
                // An unreadable cache tree is only a lost shortcut.
                if read_cache_tree(&data[..body_end], &mut at, hash_len, &mut nodes, 0).is_some()
                    && at == body_end
                {
                    index.cache_tree = nodes;
                }
            }
            // Optional extensions start with an upper-case letter; git
            // refuses an index with a required one it does not know, and
            // `link` (split index) and `sdir` (sparse index) change what
            // the entries mean.
            [b'A'..=b'Z', ..] => {}
            _ => return Err(Unsupported("the index has a required extension")),
        }
        pos = body_end;
    }
    if pos != end {
        return Err(bad);
    }
    Ok(index)
}

/// Read one cache-tree node and its subtrees (cache-tree.c `read_one`):
/// `name NUL entry_count SP subtree_count LF [id]`, the id present when
/// the entry count is not -1. Returns the node's index in `nodes`.
fn read_cache_tree(
    data: &[u8],
    pos: &mut usize,
    hash_len: usize,
    nodes: &mut Vec<CacheTree>,
    depth: usize,
) -> Option<usize> {
    if depth > super::changed::MAX_TREE_DEPTH {
        return None;
    }
    let start = *pos;
    let nul = data.get(start..)?.iter().position(|&b| b == 0)?;
    let name = start..start + nul;
    let mut at = start + nul + 1;
    // A decimal number ended by `stop`, `-1` allowed (git writes the
    // entry count of an invalidated directory as -1).
    let number = |at: &mut usize, stop: u8| -> Option<i64> {
        let negative = data.get(*at) == Some(&b'-');
        let mut i = *at + usize::from(negative);
        let digits = i;
        let mut value: i64 = 0;
        while let Some(&b) = data.get(i).filter(|b| b.is_ascii_digit()) {
            value = value.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
            i += 1;
        }
        if i == digits || data.get(i) != Some(&stop) {
            return None;
        }
        *at = i + 1;
        Some(if negative { -value } else { value })
    };
    let entry_count = number(&mut at, b' ')?;
    let subtrees = usize::try_from(number(&mut at, b'\n')?).ok()?;
    let id = if entry_count >= 0 {
        let id = at;
        at = at.checked_add(hash_len).filter(|&e| e <= data.len())?;
        Some(id)
    } else {
        None
    };
    *pos = at;
    let me = nodes.len();
    nodes.push(CacheTree {
        name,
        entry_count: usize::try_from(entry_count).unwrap_or(0),
        id,
        end: me + 1,
    });
    for _ in 0..subtrees {
        read_cache_tree(data, pos, hash_len, nodes, depth + 1)?;
    }
    nodes[me].end = nodes.len();
    Some(me)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version 2/3 entry for `path` with id byte `fill`.
    fn entry(path: &[u8], fill: u8, mode: u32, extended: Option<u16>) -> Vec<u8> {
        let mut out = vec![0u8; 24];
        out.extend_from_slice(&mode.to_be_bytes());
        out.extend_from_slice(&[0; 12]);
        out.extend_from_slice(&[fill; 20]);
        let mut flags = u16::try_from(path.len().min(0xfff)).expect("short");
        if extended.is_some() {
            flags |= CE_EXTENDED;
        }
        out.extend_from_slice(&flags.to_be_bytes());
        if let Some(x) = extended {
            out.extend_from_slice(&x.to_be_bytes());
        }
        out.extend_from_slice(path);
        let len = out.len();
        out.resize((len + 8) & !7, 0);
        out
    }

    fn file(version: u32, entries: &[Vec<u8>], extensions: &[u8]) -> Vec<u8> {
        let mut out = b"DIRC".to_vec();
        out.extend_from_slice(&version.to_be_bytes());
        out.extend_from_slice(&u32::try_from(entries.len()).expect("few").to_be_bytes());
        for e in entries {
            out.extend_from_slice(e);
        }
        out.extend_from_slice(extensions);
        out.extend_from_slice(&[0; 20]);
        out
    }

    #[test]
    fn entries_and_cache_tree() {
        let mut tree = b"TREE".to_vec();
        let mut body = b"\x002 1\n".to_vec();
        body.extend_from_slice(&[7; 20]);
        body.extend_from_slice(b"d\0-1 0\n");
        tree.extend_from_slice(&u32::try_from(body.len()).expect("small").to_be_bytes());
        tree.extend_from_slice(&body);
        let data = file(
            3,
            &[
                entry(b"a", 1, 0o100644, None),
                entry(b"d/ita", 2, 0o100644, Some(CE_INTENT_TO_ADD)),
                entry(b"d/x", 3, 0o100755, None),
            ],
            &tree,
        );
        let index = parse(&data, 20).expect("parses");
        let paths: Vec<&[u8]> = index.entries.iter().map(|e| index.path(e)).collect();
        assert_eq!(paths, [&b"a"[..], b"d/x"]);
        assert_eq!(index.id(&index.entries[1]), &[3; 20]);
        assert_eq!(index.entries[1].mode, 0o100755);
        let top = &index.cache_tree[0];
        assert_eq!((index.node_name(top), top.entry_count), (&b""[..], 2));
        assert_eq!(index.node_id(top), Some(&[7u8; 20][..]));
        let children: Vec<usize> = index.children(0).collect();
        assert_eq!(children, [1]);
        let d = &index.cache_tree[1];
        assert_eq!((index.node_name(d), index.node_id(d)), (&b"d"[..], None));
        assert_eq!(index.children(1).count(), 0);
    }

    #[test]
    fn file_bytes_are_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        for content in [&b""[..], b"DIRC", &[7u8; 10_000][..]] {
            let path = dir.path().join("index");
            std::fs::write(&path, content).expect("write");
            let bytes = FileBytes::open(&path).expect("open");
            assert_eq!(&*bytes, content);
        }
        assert!(FileBytes::open(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn version_4_rebuilds_paths() {
        let mut data = b"DIRC\0\0\0\x04\0\0\0\x02".to_vec();
        for (strip, suffix) in [(0u8, &b"dir/one"[..]), (3, b"two")] {
            data.extend_from_slice(&[0; 24]);
            data.extend_from_slice(&0o100644u32.to_be_bytes());
            data.extend_from_slice(&[0; 12]);
            data.extend_from_slice(&[9; 20]);
            data.extend_from_slice(&[0, 0]);
            data.push(strip);
            data.extend_from_slice(suffix);
            data.push(0);
        }
        data.extend_from_slice(&[0; 20]);
        let index = parse(&data, 20).expect("parses");
        let paths: Vec<&[u8]> = index.entries.iter().map(|e| index.path(e)).collect();
        assert_eq!(paths, [&b"dir/one"[..], b"dir/two"]);
    }

    #[test]
    fn unsupported_and_corrupt_files_are_declined_not_panics() {
        let one = entry(b"a", 1, 0o100644, None);
        // Unmerged entry (stage 2).
        let mut unmerged = one.clone();
        unmerged[60] |= 0x20;
        let split = b"link\0\0\0\0".to_vec();
        for data in [
            Vec::new(),
            b"DIRC".to_vec(),
            file(5, std::slice::from_ref(&one), b""),
            file(2, &[unmerged], b""),
            file(2, &[entry(b"d", 1, MODE_DIR, None)], b""),
            file(2, std::slice::from_ref(&one), &split),
            file(2, &[one.clone(), one.clone()], b""),
            file(2, std::slice::from_ref(&one), b"TREE\0\0\0\x09"),
        ] {
            assert!(parse(&data, 20).is_err(), "{data:?}");
            for cut in 0..data.len() {
                let _ = parse(&data[..cut], 20);
            }
        }
        // A cache tree that does not parse is ignored.
        let data = file(2, &[one], b"TREE\0\0\0\x03ab\0");
        let index = parse(&data, 20).expect("parses");
        assert!(index.cache_tree.is_empty());
    }
}
