//! A repository's configuration, read through the backend that opened it
//! (libgit2's config files, or `git config --list` for the formats
//! libgit2 cannot open), with the global and system files.

use super::libgit2;
use std::path::PathBuf;

/// Configuration entries as `git config --list` prints them: each name
/// with its value (`None` for a valueless one), in git's order.
pub type Entries = Vec<(String, Option<Vec<u8>>)>;

/// The configuration of a repository (or the global and system one).
pub struct Config(Source);

enum Source {
    /// Read by libgit2.
    Libgit2(git2::Config),
    /// `git config --list -z`: every entry in git's order (system, global,
    /// local, `git -c`), names as git prints them (section and key
    /// lower-cased).
    Entries(Entries),
}

impl Config {
    pub(crate) fn from_libgit2(config: git2::Config) -> Config {
        Config(Source::Libgit2(config))
    }

    pub(crate) fn from_entries(entries: Entries) -> Config {
        Config(Source::Entries(entries))
    }

    /// The global and system configuration, outside any repository.
    pub fn open_default() -> Result<Config, libgit2::Error> {
        git2::Config::open_default()
            .map(|c| Config(Source::Libgit2(c)))
            .map_err(|source| libgit2::Error::Git {
                context: "cannot read git configuration".into(),
                source,
            })
    }

    /// The value of `key` (the last one set), if set and UTF-8.
    pub fn get_string(&self, key: &str) -> Option<String> {
        match &self.0 {
            Source::Libgit2(config) => config.get_string(key).ok(),
            Source::Entries(_) => self.get_bytes(key).and_then(|v| String::from_utf8(v).ok()),
        }
    }

    /// Whether `key` is set to something that is not UTF-8 (git would
    /// read it; tiergate cannot name it).
    pub fn is_set(&self, key: &str) -> bool {
        match &self.0 {
            Source::Libgit2(config) => config.get_entry(key).is_ok(),
            Source::Entries(entries) => entries.iter().any(|(name, _)| same_key(name, key)),
        }
    }

    fn get_bytes(&self, key: &str) -> Option<Vec<u8>> {
        match &self.0 {
            Source::Libgit2(config) => config.get_bytes(key).ok().map(<[u8]>::to_vec),
            Source::Entries(entries) => entries
                .iter()
                .rev()
                .find(|(name, _)| same_key(name, key))
                .map(|(_, value)| value.clone().unwrap_or_default()),
        }
    }

    /// The value of `key` as a path, a leading `~/` expanded to the home
    /// directory as git's `--path` does.
    pub fn get_path(&self, key: &str) -> Option<PathBuf> {
        match &self.0 {
            Source::Libgit2(config) => config.get_path(key).ok(),
            Source::Entries(_) => {
                let value = self.get_string(key)?;
                match (value.strip_prefix("~/"), std::env::var_os("HOME")) {
                    (Some(rest), Some(home)) => Some(PathBuf::from(home).join(rest)),
                    _ => Some(PathBuf::from(value)),
                }
            }
        }
    }

    /// The comment string set by `core.commentChar` / `core.commentString`,
    /// as `git_default_core_config` reads it: the last valid setting of
    /// either key wins; `auto` (which only `git commit` resolves) and
    /// invalid values (empty, valueless or containing a newline — git
    /// errors out on those) leave the previous value; the default is `#`.
    pub fn comment_string(&self) -> Vec<u8> {
        let mut comment = b"#".to_vec();
        let mut take = |name: &[u8], value: Option<&[u8]>| {
            let name = name.to_ascii_lowercase();
            if name != b"core.commentchar" && name != b"core.commentstring" {
                return;
            }
            let Some(value) = value else { return };
            if value.eq_ignore_ascii_case(b"auto") || value.is_empty() || value.contains(&b'\n') {
                return;
            }
            comment = value.to_vec();
        };
        match &self.0 {
            Source::Libgit2(config) => {
                let Ok(mut entries) = config.entries(Some("^core\\.comment")) else {
                    return comment;
                };
                while let Some(entry) = entries.next() {
                    let Ok(entry) = entry else { continue };
                    let value = entry.has_value().then(|| entry.value_bytes());
                    take(entry.name_bytes(), value);
                }
            }
            Source::Entries(entries) => {
                for (name, value) in entries {
                    take(name.as_bytes(), value.as_deref());
                }
            }
        }
        comment
    }
}

/// Whether the name git printed stands for `key`: section and key compare
/// without case, a subsection exactly (git's rules for config names).
fn same_key(name: &str, key: &str) -> bool {
    let split = |k: &str| -> (String, String, String) {
        let first = k.find('.').unwrap_or(k.len());
        let last = k.rfind('.').unwrap_or(k.len());
        let section = k[..first].to_ascii_lowercase();
        let leaf = k.get(last + 1..).unwrap_or("").to_ascii_lowercase();
        let sub = if last > first {
            k[first + 1..last].to_owned()
        } else {
            String::new()
        };
        (section, sub, leaf)
    };
    split(name) == split(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_comment_string() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config");
        std::fs::write(
            &path,
            "[core]\n\tcommentChar = \";\"\n\tcommentString = //\n\tcommentChar = auto\n",
        )
        .expect("write config");
        let config = Config::from_libgit2(git2::Config::open(&path).expect("open config"));
        assert_eq!(config.comment_string(), b"//");
        std::fs::write(
            &path,
            "[core]\n\tcommentString = //\n\tcommentchar = \";\"\n",
        )
        .expect("write config");
        let config = Config::from_libgit2(git2::Config::open(&path).expect("open config"));
        assert_eq!(config.comment_string(), b";");
        std::fs::write(&path, "[user]\n\tname = x\n").expect("write config");
        let config = Config::from_libgit2(git2::Config::open(&path).expect("open config"));
        assert_eq!(config.comment_string(), b"#");
    }

    #[test]
    fn entries_read_like_git() {
        let config = Config::from_entries(vec![
            ("core.commentchar".into(), Some(b";".to_vec())),
            ("remote.Up.url".into(), Some(b"a".to_vec())),
            ("core.commentstring".into(), Some(b"auto".to_vec())),
            ("tiergate.policy".into(), Some(b"p.yaml".to_vec())),
            ("tiergate.policy".into(), Some(b"q.yaml".to_vec())),
            ("user.name".into(), None),
        ]);
        assert_eq!(config.comment_string(), b";");
        assert_eq!(
            config.get_string("tiergate.Policy").as_deref(),
            Some("q.yaml")
        );
        assert_eq!(config.get_string("remote.Up.URL").as_deref(), Some("a"));
        assert_eq!(config.get_string("remote.up.url"), None);
        assert_eq!(config.get_string("user.name").as_deref(), Some(""));
        assert!(config.is_set("user.name"));
        assert_eq!(config.get_string("user.email"), None);
    }
}
