//! The hook shims (POSIX sh, in `shims/`) and the steps on one hook file:
//! recognise tiergate's shim, keep another hook as `NAME.tiergate-chained`,
//! write the shim with the binaries' directory, remove it again.

use super::{Failure, Run};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// A line that starts with this marks a file as tiergate's shim.
const MARKER: &[u8] = b"# tiergate-shim:";

/// The line of a template the bin dir replaces.
const BIN_DIR_LINE: &[u8] = b"tiergate_bin_dir=";

/// The shim template for `hook` (`commit-msg`, `pre-push`,
/// `applypatch-msg`, `pre-receive`).
pub fn template(hook: &str) -> Option<&'static str> {
    Some(match hook {
        "commit-msg" => include_str!("shims/commit-msg"),
        "pre-push" => include_str!("shims/pre-push"),
        "applypatch-msg" => include_str!("shims/applypatch-msg"),
        "prepare-commit-msg" => include_str!("shims/prepare-commit-msg"),
        "pre-receive" => include_str!("shims/pre-receive"),
        _ => return None,
    })
}

/// `template` with its `tiergate_bin_dir=` line set to `bin_dir`, single
/// quoted for sh (a `'` becomes `'\''`). Bytes: a directory name need not
/// be UTF-8.
pub fn render(template: &str, bin_dir: &Path) -> Vec<u8> {
    let mut quoted = Vec::new();
    for &b in bin_dir.as_os_str().as_bytes() {
        if b == b'\'' {
            quoted.extend_from_slice(b"'\\''");
        } else {
            quoted.push(b);
        }
    }
    let mut out = Vec::with_capacity(template.len() + quoted.len());
    for line in template.as_bytes().split_inclusive(|&b| b == b'\n') {
        if line.starts_with(BIN_DIR_LINE) {
            out.extend_from_slice(BIN_DIR_LINE);
            out.push(b'\'');
            out.extend_from_slice(&quoted);
            out.extend_from_slice(b"'\n");
        } else {
            out.extend_from_slice(line);
        }
    }
    out
}

/// Whether `file` is a shim tiergate wrote: a regular file holding the
/// marker line. A symlink is someone else's hook, even if it points at a
/// shim (a hook shared between clones must not be removed or rewritten).
pub fn is_shim(file: &Path) -> bool {
    let regular = std::fs::symlink_metadata(file).is_ok_and(|m| m.file_type().is_file());
    regular
        && std::fs::read(file).is_ok_and(|text| {
            text.split(|&b| b == b'\n')
                .any(|line| line.starts_with(MARKER))
        })
}

/// Whether anything (a dangling symlink included) is at `path`.
fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// `FILE.tiergate-chained`: where a hook that was there before is kept.
pub fn chained(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".tiergate-chained");
    PathBuf::from(name)
}

/// Make room for the shim at `file`: a hook that is not tiergate's is kept
/// as `FILE.tiergate-chained` (the shim runs it first). Returns what
/// installing will be, for the report.
pub fn chain_existing(run: &Run, file: &Path, rerun: &str) -> Result<String, Failure> {
    if is_shim(file) {
        return Ok("updated (already installed)".to_owned());
    }
    if !exists(file) {
        return Ok("installed".to_owned());
    }
    let kept = chained(file);
    if exists(&kept) {
        return Err(Failure::usage(
            format!(
                "{} is not tiergate's hook, and {} already exists",
                file.display(),
                kept.display()
            ),
            format!(
                "Merge the two hooks by hand into {}, remove {}, and run {rerun} again.",
                kept.display(),
                file.display()
            ),
        ));
    }
    run.rename(file, &kept)?;
    Ok(format!(
        "installed; the hook that was there runs first (kept as {})",
        kept.file_name().unwrap_or(OsStr::new("")).to_string_lossy()
    ))
}

/// Write the shim for `hook` as `file` (write a temporary file, then
/// rename: git never runs a half-written hook).
pub fn write(hook: &str, file: &Path, bin_dir: &Path) -> Result<(), Failure> {
    use std::os::unix::fs::PermissionsExt;
    let text = render(template(hook).unwrap_or_default(), bin_dir);
    let mut tmp = file.as_os_str().to_owned();
    tmp.push(format!(".tiergate-new.{}", std::process::id()));
    let tmp = PathBuf::from(tmp);
    let fail = |e: std::io::Error| {
        let _ = std::fs::remove_file(&tmp);
        Failure::io(format!("cannot write {}: {e}", file.display()), None)
    };
    std::fs::write(&tmp, text).map_err(fail)?;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o755)).map_err(fail)?;
    std::fs::rename(&tmp, file).map_err(fail)
}

/// Remove tiergate's shim at `file` and put back the hook it chained.
/// Returns `None` when `file` is not a shim, else the bin dir the shim was
/// written with (the report names where the binaries were left).
pub fn remove(run: &Run, file: &Path, label: &str) -> Result<Option<PathBuf>, Failure> {
    if !is_shim(file) {
        return Ok(None);
    }
    let installed_bin = std::fs::read(file).ok().and_then(|text| bin_dir_of(&text));
    run.remove(file)?;
    let kept = chained(file);
    if exists(&kept) {
        run.rename(&kept, file)?;
        run.say(format!(
            "{label}: removed tiergate's hook; restored the hook that was there before"
        ));
    } else {
        run.say(format!("{label}: removed tiergate's hook"));
    }
    Ok(installed_bin)
}

/// The directory written into a shim's `tiergate_bin_dir='...'` line.
fn bin_dir_of(text: &[u8]) -> Option<PathBuf> {
    let line = text
        .split(|&b| b == b'\n')
        .find(|l| l.starts_with(BIN_DIR_LINE))?;
    let value = line[BIN_DIR_LINE.len()..]
        .strip_prefix(b"'")?
        .strip_suffix(b"'")?;
    let mut out = Vec::with_capacity(value.len());
    let mut rest = value;
    while let Some((&b, tail)) = rest.split_first() {
        if let Some(after) = rest.strip_prefix(b"'\\''") {
            out.push(b'\'');
            rest = after;
        } else {
            out.push(b);
            rest = tail;
        }
    }
    Some(PathBuf::from(OsStr::from_bytes(&out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_carries_the_marker_and_one_bin_dir_line() {
        for hook in [
            "commit-msg",
            "pre-push",
            "applypatch-msg",
            "pre-receive",
            "prepare-commit-msg",
        ] {
            let text = template(hook).expect("template");
            assert!(text.starts_with(&format!("#!/bin/sh\n# tiergate-shim: {hook}\n")));
            let lines = text
                .lines()
                .filter(|l| l.as_bytes().starts_with(BIN_DIR_LINE))
                .count();
            assert_eq!(lines, 1, "{hook}");
        }
        assert_eq!(template("post-commit"), None);
    }

    #[test]
    fn the_bin_dir_is_quoted_and_read_back() {
        let text = render("a\ntiergate_bin_dir='@X@'\nb\n", Path::new("/o'pt/b in"));
        assert_eq!(text, b"a\ntiergate_bin_dir='/o'\\''pt/b in'\nb\n");
        assert_eq!(bin_dir_of(&text), Some(PathBuf::from("/o'pt/b in")));
        let bytes = OsStr::from_bytes(b"/opt/\xff");
        let text = render("tiergate_bin_dir=\n", Path::new(bytes));
        assert_eq!(bin_dir_of(&text).as_deref(), Some(Path::new(bytes)));
    }
}
