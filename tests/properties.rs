//! Property tests (proptest) of the three things tiergate must get exactly
//! right, each against an independent oracle:
//!
//! - (a) the trailer parser against git itself (`git interpret-trailers
//!   --parse`, with and without `--no-divider`), on messages from a grammar
//!   that mixes trailers, continuation lines (space and tab), comment lines,
//!   `---` dividers, scissors lines, CRLF, Unicode (confusables, zero-width
//!   characters) and invalid UTF-8;
//! - (b) message cleanup (`message::cleanup`, whitespace and strip modes)
//!   against `git stripspace` and `git stripspace -s`;
//! - (c) classification against a small reference glob matcher written
//!   here from the README's "Path patterns" table.
//!
//! Spawning git costs a millisecond or two, so (a) and (b) do not use the
//! `proptest!` macro, which would spawn git for one case at a time:
//! every case is generated first with proptest's strategies and a
//! deterministic [`TestRunner`], all of them go to one `tiergate trailers
//! --batch` run, and git is spawned once per case on a few threads
//! (`support::differential`). When a case differs, proptest's value tree
//! shrinks it (asking the library and git for each candidate) and the
//! failure shows the minimal message. (c) is pure and uses `proptest!`.
//!
//! `TIERGATE_FUZZ_SEED` (a number) changes the seed, `TIERGATE_PROP_CASES`
//! the number of generated messages.

mod support;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::path::Path;
use support::differential::{as_refs, git_each, show, tiergate_batch};
use support::{git_cmd, run_stdin};
use tiergate_core::message::trailer::{self, ParseOptions};
use tiergate_core::message::{self, Cleanup};

// ---------------------------------------------------------------------------
// Running strategies in batch

/// The seed: `TIERGATE_FUZZ_SEED` or a fixed one.
fn seed() -> u64 {
    std::env::var("TIERGATE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x7469_6572_6761_7465)
}

fn cases(default: usize) -> usize {
    std::env::var("TIERGATE_PROP_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// A deterministic runner for `salt` (one per test, so they do not share
/// their random streams).
fn runner(salt: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed().to_le_bytes());
    bytes[8..16].copy_from_slice(&salt.to_le_bytes());
    TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    )
}

/// `n` value trees of `strategy`.
fn generate<S: Strategy>(strategy: &S, n: usize, salt: u64) -> Vec<S::Tree> {
    let mut runner = runner(salt);
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).expect("generate a case"))
        .collect()
}

/// Shrink a failing case the way proptest does (simplify while it still
/// fails, complicate when it stops failing), at most `budget` checks.
fn shrink<T: ValueTree>(mut tree: T, budget: usize, fails: impl Fn(&T::Value) -> bool) -> T::Value {
    let mut last = tree.current();
    if !tree.simplify() {
        return last;
    }
    for _ in 0..budget {
        let candidate = tree.current();
        if fails(&candidate) {
            last = candidate;
            if !tree.simplify() {
                break;
            }
        } else if !tree.complicate() {
            break;
        }
    }
    last
}

/// Run `git <args>` in `dir` with `input` on stdin; its stdout.
fn git_once(dir: &Path, args: &[&str], input: &[u8]) -> Vec<u8> {
    let out = run_stdin(git_cmd(dir).args(args), input);
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        support::stderr(&out)
    );
    out.stdout
}

/// Compare `ours` with `gits` for every case; on a difference, shrink the
/// first failing case with `check` (`None` when ours and git agree on a
/// candidate, else both answers) and fail with the minimal case.
fn compare<T: ValueTree<Value = Vec<u8>>>(
    what: &str,
    trees: Vec<T>,
    ours: &[Vec<u8>],
    gits: &[Vec<u8>],
    check: impl Fn(&[u8]) -> Option<(Vec<u8>, Vec<u8>)>,
) {
    let failing: Vec<usize> = (0..ours.len()).filter(|&i| ours[i] != gits[i]).collect();
    let Some(&first) = failing.first() else {
        return;
    };
    let tree = trees.into_iter().nth(first).expect("tree of the case");
    let original = tree.current();
    let minimal = shrink(tree, 400, |m| check(m).is_some());
    let (o, g) = check(&minimal).unwrap_or_else(|| (ours[first].clone(), gits[first].clone()));
    panic!(
        "{what}: {} of {} cases differ from git (seed {:#x}); first: {}\n\
         shrunk to: {}\n  ours: {}\n  git:  {}",
        failing.len(),
        ours.len(),
        seed(),
        show(&original),
        show(&minimal),
        show(&o),
        show(&g)
    );
}

// ---------------------------------------------------------------------------
// (a) Trailers: a grammar of messages

fn bytes_of(items: &[&'static [u8]]) -> impl Strategy<Value = Vec<u8>> + Clone {
    prop::sample::select(items.to_vec()).prop_map(<[u8]>::to_vec)
}

fn key() -> impl Strategy<Value = Vec<u8>> + Clone {
    prop_oneof![
        6 => bytes_of(&[
            b"Signed-off-by",
            b"AI-Assisted-by",
            b"Assisted-by",
            b"Reviewed-by",
            b"Co-authored-by",
            b"Fixes",
            b"X",
            b"a-b",
        ]),
        2 => "[A-Za-z0-9-]{1,10}".prop_map(String::into_bytes),
        2 => bytes_of(&[
            b"AI Assisted-by",
            b"AI_Assisted_by",
            "\u{410}I-Assisted-by".as_bytes(), // Cyrillic A
            "\u{ff21}I-Assisted-by".as_bytes(), // fullwidth A
            "AI-\u{200b}Assisted-by".as_bytes(), // zero-width space
            "K\u{e9}y".as_bytes(),
            b"K\xffey",
            b" Key",
            b"Key ",
            b"Key\t",
            b"#Key",
            b";Key",
            b"",
            b"-",
        ]),
    ]
}

fn value() -> impl Strategy<Value = Vec<u8>> + Clone {
    prop_oneof![
        4 => bytes_of(&[
            b" claude:claude-sonnet-4",
            b" A U Thor <author@example.com>",
            b" value",
            b"value",
            b"",
            b" ",
            b"\tvalue\t",
            b" a: b: c",
            b" ---",
        ]),
        1 => "[ -~]{0,16}".prop_map(String::into_bytes),
        1 => "\\PC{0,6}".prop_map(|s| {
            let mut v = b" ".to_vec();
            v.extend_from_slice(s.as_bytes());
            v
        }),
        1 => prop::collection::vec(1u8..=255, 0..6)
            .prop_map(|v| v.into_iter().map(|b| if b == b'\n' { b'x' } else { b }).collect()),
    ]
}

/// One line of a message, without its line ending.
fn line(comment: &'static [u8]) -> impl Strategy<Value = Vec<u8>> + Clone {
    let trailer = (
        key(),
        bytes_of(&[b":", b": ", b" :", b"\t:", b"="]),
        value(),
    )
        .prop_map(|(k, s, v)| [k, s, v].concat());
    let continuation = (bytes_of(&[b" ", b"\t", b"  ", b" \t"]), value())
        .prop_map(|(indent, v)| [indent, v].concat());
    let comment_line = (
        bytes_of(&[comment, b"#", b";"]),
        bytes_of(&[b" a comment", b"Key: v", b"", b" AI-Assisted-by: x:y"]),
    )
        .prop_map(|(c, text)| [c, text].concat());
    let scissors = (bytes_of(&[comment, b"#"]), bytes_of(&[b"", b" "])).prop_map(|(c, tail)| {
        [
            c,
            b" ------------------------ >8 ------------------------".to_vec(),
            tail,
        ]
        .concat()
    });
    prop_oneof![
        8 => trailer,
        3 => continuation,
        2 => comment_line,
        2 => bytes_of(&[b"---", b"--- ", b"---\t", b"----", b"--- a/file.c", b"-- "]),
        1 => scissors,
        1 => bytes_of(&[
            b"(cherry picked from commit 0123456789abcdef)",
            b"Signed-off-by: A U Thor <author@example.com>",
            b"Signed-off-by:A",
        ]),
        3 => bytes_of(&[b"", b" ", b"\t", b"\r"]),
        3 => prop_oneof![
            bytes_of(&[
                b"Fix the frobnicator.",
                b"Note: prose with a colon",
                b"see https://example.com/",
                b"Generated with [Claude Code](https://claude.com/claude-code)",
                b"\x0b",
            ]),
            "[a-zA-Z .,:]{0,24}".prop_map(String::into_bytes),
            "\\PC{0,8}".prop_map(String::into_bytes),
            prop::collection::vec(1u8..=255, 0..8).prop_map(|v| v
                .into_iter()
                .map(|b| if b == b'\n' { b'x' } else { b })
                .collect()),
        ],
    ]
}

/// A message: a title, lines, each ended by `\n` or `\r\n` (or all CRLF),
/// the last one possibly without a line ending. Never contains NUL.
fn message(comment: &'static [u8]) -> impl Strategy<Value = Vec<u8>> {
    let ending = prop_oneof![12 => Just(b"\n".to_vec()), 1 => Just(b"\r\n".to_vec())];
    (
        bytes_of(&[b"Add the frobnicator", b"Key: title", b"", b"Title"]),
        prop::collection::vec((line(comment), ending), 0..14),
        any::<bool>(),
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.15),
    )
        .prop_map(
            |(title, lines, blank_after_title, all_crlf, no_final_eol)| {
                let mut msg = title;
                msg.push(b'\n');
                if blank_after_title {
                    msg.push(b'\n');
                }
                let n = lines.len();
                for (i, (l, eol)) in lines.into_iter().enumerate() {
                    msg.extend_from_slice(&l);
                    if i + 1 == n && no_final_eol {
                        break;
                    }
                    if all_crlf {
                        msg.extend_from_slice(b"\r\n");
                    } else {
                        msg.extend_from_slice(&eol);
                    }
                }
                msg
            },
        )
}

#[test]
fn trailers_agree_with_git_on_generated_messages() {
    let repo = tempfile::tempdir().expect("tempdir");
    let t0 = std::time::Instant::now();
    let mut total = 0;
    for (comment, n, salt) in [(&b"#"[..], cases(500), 1), (&b";"[..], cases(500) / 3, 2)] {
        let comment_s = std::str::from_utf8(comment).expect("ASCII");
        let config = format!("core.commentString={comment_s}");
        let strategy = message(comment);
        for no_divider in [false, true] {
            let trees = generate(&strategy, n, salt + if no_divider { 10 } else { 0 });
            let messages: Vec<Vec<u8>> = trees.iter().map(ValueTree::current).collect();
            let mut args = vec!["--comment-string", comment_s];
            let mut git_args = vec!["-c", &config, "interpret-trailers", "--parse"];
            if no_divider {
                args.push("--no-divider");
                git_args.push("--no-divider");
            }
            let ours = tiergate_batch(repo.path(), &messages, &args);
            let gits = git_each(repo.path(), &as_refs(&messages), &git_args);
            let options = ParseOptions {
                no_divider,
                comment: comment.to_vec(),
            };
            // The CLI prints what the library renders.
            for (m, o) in messages.iter().zip(&ours) {
                assert_eq!(&trailer::render_parse(m, &options), o, "{}", show(m));
            }
            compare(
                &format!(
                    "interpret-trailers --parse, comment {comment_s:?}, no_divider {no_divider}"
                ),
                trees,
                &ours,
                &gits,
                |m| {
                    let o = trailer::render_parse(m, &options);
                    let g = git_once(repo.path(), &git_args, m);
                    (o != g).then_some((o, g))
                },
            );
            total += n;
        }
    }
    eprintln!(
        "trailers: {total} generated messages agree with git in {:.1?}",
        t0.elapsed()
    );
}

// ---------------------------------------------------------------------------
// (b) Cleanup against git stripspace

fn raw_line() -> impl Strategy<Value = Vec<u8>> {
    let text = prop_oneof![
        bytes_of(&[
            b"Title",
            b"body text",
            b"Key: v",
            b"caf\xc3\xa9",
            b"\xff\xfe"
        ]),
        "[a-z ]{0,10}".prop_map(String::into_bytes),
        "\\PC{0,5}".prop_map(String::into_bytes),
    ];
    let comment = bytes_of(&[b"#", b";", b"//", b"/", b" #", b""]);
    let trailing = prop::collection::vec(
        prop::sample::select(vec![b' ', b'\t', b'\r', 0x0b, 0x0c]),
        0..4,
    );
    let eol = prop_oneof![8 => Just(b"\n".to_vec()), 1 => Just(b"\r\n".to_vec())];
    (comment, text, trailing, eol).prop_map(|(c, t, w, e)| [c, t, w, e].concat())
}

fn raw_message() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec(
            prop_oneof![
                4 => raw_line(),
                2 => bytes_of(&[b"\n", b" \n", b"\t\n", b"\r\n", b"\x0c\n"]),
            ],
            0..12,
        ),
        prop::collection::vec(bytes_of(&[b" ", b"x", b"\t", b"#x"]), 0..2),
    )
        .prop_map(|(lines, tail)| [lines.concat(), tail.concat()].concat())
}

#[test]
fn cleanup_agrees_with_git_stripspace() {
    let dir = tempfile::tempdir().expect("tempdir");
    let t0 = std::time::Instant::now();
    let n = cases(500) / 2;
    let trees = generate(&raw_message(), n, 3);
    let inputs: Vec<Vec<u8>> = trees.iter().map(ValueTree::current).collect();
    let refs = as_refs(&inputs);
    // Whitespace mode is `git stripspace` (the comment string is irrelevant).
    let gits = git_each(dir.path(), &refs, &["stripspace"]);
    let ours: Vec<Vec<u8>> = inputs
        .iter()
        .map(|m| message::cleanup(m, Cleanup::Whitespace, b"#"))
        .collect();
    compare(
        "cleanup=whitespace vs git stripspace",
        trees,
        &ours,
        &gits,
        |m| {
            let o = message::cleanup(m, Cleanup::Whitespace, b"#");
            let g = git_once(dir.path(), &["stripspace"], m);
            (o != g).then_some((o, g))
        },
    );
    // Strip mode is `git stripspace -s` with the comment string.
    for (comment, salt) in [("#", 4), ("//", 5)] {
        let trees = generate(&raw_message(), n, salt);
        let inputs: Vec<Vec<u8>> = trees.iter().map(ValueTree::current).collect();
        let config = format!("core.commentString={comment}");
        let args = ["-c", config.as_str(), "stripspace", "-s"];
        let gits = git_each(dir.path(), &as_refs(&inputs), &args);
        let ours: Vec<Vec<u8>> = inputs
            .iter()
            .map(|m| message::cleanup(m, Cleanup::Strip, comment.as_bytes()))
            .collect();
        compare(
            &format!("cleanup=strip vs git stripspace -s, {config}"),
            trees,
            &ours,
            &gits,
            |m| {
                let o = message::cleanup(m, Cleanup::Strip, comment.as_bytes());
                let g = git_once(dir.path(), &args, m);
                (o != g).then_some((o, g))
            },
        );
    }
    eprintln!(
        "cleanup: {} generated messages agree with git stripspace in {:.1?}",
        3 * n,
        t0.elapsed()
    );
}

// ---------------------------------------------------------------------------
// (c) Classification against a reference matcher

/// The README's pattern language, implemented independently of
/// `policy::glob_for` and globset: a leading `/` anchors; a trailing `/`
/// means the directory and everything below; a pattern without another
/// `/` matches a name at any depth; `**` as a whole component spans any
/// number of directories; `*`, `?` and `[...]` stay within a component;
/// `{a,b}` alternatives.
mod reference {
    /// Expand `{a,b}` alternatives (not nested).
    fn expand(pattern: &str) -> Vec<String> {
        let Some(open) = pattern.find('{') else {
            return vec![pattern.to_owned()];
        };
        let close = open + pattern[open..].find('}').expect("closed brace");
        let mut out = Vec::new();
        for alt in pattern[open + 1..close].split(',') {
            let rest = format!("{}{alt}{}", &pattern[..open], &pattern[close + 1..]);
            out.extend(expand(&rest));
        }
        out
    }

    /// Components of the pattern to match, `**` included.
    fn components(pattern: &str) -> Vec<String> {
        let (anchored, rest) = match pattern.strip_prefix('/') {
            Some(r) => (true, r),
            None => (false, pattern),
        };
        let (dir, body) = match rest.strip_suffix('/') {
            Some(b) => (true, b),
            None => (false, rest),
        };
        let mut comps: Vec<String> = Vec::new();
        if !anchored && !rest.contains('/') && body != "**" {
            comps.push("**".into());
        }
        comps.extend(body.split('/').map(str::to_owned));
        if dir {
            comps.push("**".into());
        }
        comps
    }

    /// One component: `*`, `?`, `[...]` (ranges, `!`/`^` negation), bytes.
    fn component(p: &[u8], s: &[u8]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some(b'*') => (0..=s.len()).any(|i| component(&p[1..], &s[i..])),
            Some(b'?') => !s.is_empty() && component(&p[1..], &s[1..]),
            Some(b'[') => {
                let Some(&c) = s.first() else { return false };
                let close = p[2..].iter().position(|&b| b == b']').expect("closed") + 2;
                let class = &p[1..close];
                let (negated, class) = match class.first() {
                    Some(b'!' | b'^') => (true, &class[1..]),
                    _ => (false, class),
                };
                let mut hit = false;
                let mut i = 0;
                while i < class.len() {
                    if i + 2 < class.len() && class[i + 1] == b'-' {
                        hit |= class[i] <= c && c <= class[i + 2];
                        i += 3;
                    } else {
                        hit |= class[i] == c;
                        i += 1;
                    }
                }
                hit != negated && component(&p[close + 1..], &s[1..])
            }
            Some(&b) => s.first() == Some(&b) && component(&p[1..], &s[1..]),
        }
    }

    /// Whole path: a leading or inner `**` spans zero or more components,
    /// a trailing `**` one or more.
    fn path(p: &[String], s: &[&[u8]]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some(c) if c == "**" => {
                let min = usize::from(p.len() == 1);
                (min..=s.len()).any(|i| path(&p[1..], &s[i..]))
            }
            Some(c) => !s.is_empty() && component(c.as_bytes(), s[0]) && path(&p[1..], &s[1..]),
        }
    }

    /// Whether `pattern` matches `path`.
    pub fn matches(pattern: &str, p: &[u8]) -> bool {
        let parts: Vec<&[u8]> = p.split(|&b| b == b'/').collect();
        expand(pattern)
            .iter()
            .any(|alt| path(&components(alt), &parts))
    }

    /// Whether `p` is a directory that `pattern` names or lies under (an
    /// entry there replaces it): `p` matches a proper prefix of the
    /// pattern's components that ends in a component other than `**`.
    pub fn directory(pattern: &str, p: &[u8]) -> bool {
        let parts: Vec<&[u8]> = p.split(|&b| b == b'/').collect();
        expand(pattern).iter().any(|alt| {
            let comps = components(alt);
            (1..comps.len()).any(|end| comps[end - 1] != "**" && path(&comps[..end], &parts))
        })
    }

    /// The tier of `path`: the first whose paths match and excepts do not
    /// (else the default), unless `path` is a directory of a stricter
    /// tier's patterns (all tiers allow AI here: stricter is listed
    /// earlier), whatever its excepts say.
    pub fn tier(tiers: &[(Vec<String>, Vec<String>)], default: usize, p: &[u8]) -> usize {
        let normal = tiers
            .iter()
            .position(|(paths, except)| {
                paths.iter().any(|x| matches(x, p)) && !except.iter().any(|x| matches(x, p))
            })
            .unwrap_or(default);
        tiers[..normal]
            .iter()
            .position(|(paths, _)| paths.iter().any(|x| directory(x, p)))
            .unwrap_or(normal)
    }
}

fn pattern_component() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a", "b", "ab", "x.S", "*", "?", "a*", "*.S", "*b", "a?", "[ab]", "[a-c]*", "[!a]",
        "{a,b}", "{x.S,c}", "**", "\u{e9}", "?b",
    ])
    .prop_map(str::to_owned)
}

fn pattern() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::collection::vec(pattern_component(), 1..4),
        prop::bool::weighted(0.3),
    )
        .prop_map(|(lead, comps, dir)| {
            let mut p = String::new();
            if lead {
                p.push('/');
            }
            p.push_str(&comps.join("/"));
            if dir {
                p.push('/');
            }
            p
        })
}

fn repo_path() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop::sample::select(vec![
            &b"a"[..],
            b"b",
            b"c",
            b"ab",
            b"x.S",
            b"a.S",
            b"bb",
            b"\xc3\xa9",
            b"\xff",
            b"a\xffb",
            b"*",
        ]),
        1..5,
    )
    .prop_map(|parts| parts.join(&b'/'))
}

type Tiers = Vec<(Vec<String>, Vec<String>)>;

fn tiers() -> impl Strategy<Value = (Tiers, usize)> {
    prop::collection::vec(
        (
            prop::collection::vec(pattern(), 1..4),
            prop::collection::vec(pattern(), 0..3),
        ),
        1..4,
    )
    .prop_flat_map(|tiers| {
        let n = tiers.len();
        (Just(tiers), 0..n)
    })
}

fn policy_yaml(tiers: &Tiers, default: usize) -> String {
    let quote = |p: &String| serde_json::to_string(p).expect("JSON string");
    let mut yaml = String::from("version: 1\ntiers:\n");
    for (i, (paths, except)) in tiers.iter().enumerate() {
        let paths: Vec<String> = paths.iter().map(quote).collect();
        let except: Vec<String> = except.iter().map(quote).collect();
        yaml.push_str(&format!(
            "  - name: t{i}\n    paths: [ {} ]\n    except: [ {} ]\n",
            paths.join(", "),
            except.join(", ")
        ));
    }
    yaml.push_str(&format!("default_tier: t{default}\n"));
    yaml
}

proptest! {
    #![proptest_config(Config { cases: 400, ..Config::default() })]

    #[test]
    fn classification_matches_the_reference(
        (tiers, default) in tiers(),
        paths in prop::collection::vec(repo_path(), 1..24),
    ) {
        let yaml = policy_yaml(&tiers, default);
        let policy = tiergate_core::policy::from_yaml(yaml.as_bytes(), "p.yaml")
            .map_err(|e| TestCaseError::fail(format!("{yaml}: {e}")))?;
        let classifier = tiergate_core::classify::Classifier::new(&policy, None)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let with_lookalikes = format!("{yaml}paths: {{ lookalikes: true }}\n");
        let lookalikes = tiergate_core::policy::from_yaml(with_lookalikes.as_bytes(), "p.yaml")
            .map_err(|e| TestCaseError::fail(format!("{with_lookalikes}: {e}")))?;
        let folding = tiergate_core::classify::Classifier::new(&lookalikes, None)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        for path in &paths {
            let tier = classifier.tier_of(path);
            prop_assert_eq!(
                tier,
                reference::tier(&tiers, default, path),
                "path {} under\n{}",
                show(path),
                yaml
            );
            prop_assert_eq!(classifier.explain(&policy, path).tier, tier);
            // Look-alikes only ever move a path to a stricter tier (here:
            // listed earlier), and say so.
            let class = folding.class_of(path);
            prop_assert_eq!(folding.explain(&lookalikes, path).tier, class.tier);
            if class.lookalike {
                prop_assert!(class.tier < tier, "path {} under\n{}", show(path), yaml);
            } else {
                prop_assert_eq!(class.tier, tier, "path {} under\n{}", show(path), yaml);
            }
        }
    }
}
