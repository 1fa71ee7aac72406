//! Differential tests of the trailer parser and of message cleanup against
//! the installed git (`git interpret-trailers --parse`, `git log
//! --format=%(trailers)`, `git stripspace`, `git commit --cleanup`).
//!
//! # How git is asked, and why
//!
//! Spawning `git interpret-trailers` costs about 1.5 ms; the corpus (83k
//! messages, two divider modes) would need 166k spawns, about two minutes
//! of the two CI cores. Instead:
//!
//! - All corpus messages go into one repository with one `git fast-import`
//!   (a linear chain of commits), and one `git log -z --reverse
//!   --format=format:%(trailers:only,unfold)` gives git's answer for every
//!   message at once. `%(trailers:only,unfold)` is `format_trailers_from_commit`
//!   with `no_divider`, `only_trailers` and `unfold` set, the very code
//!   `interpret-trailers --parse --no-divider` runs, with two differences
//!   found by reading git's source and checked here: `pretty.c` skips blank
//!   lines at the start of the message first, and interpret-trailers
//!   completes a missing final newline first. [`trailer::parse_committed`]
//!   mirrors the former and is compared with `%(trailers)` on every message;
//!   `tiergate trailers --no-divider` is compared with `%(trailers)` on
//!   every message that has no leading blank line, and with a spawned
//!   `git interpret-trailers --parse --no-divider` on the others.
//! - `--no-divider` only changes the result when a line starts with `---`
//!   followed by whitespace (`find_end_of_log_message`); for every message
//!   with such a line, `git interpret-trailers --parse` is spawned; for the
//!   others, git's divider-mode answer is its no-divider answer.
//! - Both shortcuts are checked directly on a sample (every 20th message),
//!   where `git interpret-trailers --parse` and `--parse --no-divider` are
//!   spawned (on a few threads) and must agree with tiergate.
//!
//! Generated messages are few enough (thousands) that every one is given to
//! `git interpret-trailers` (both modes, several comment strings), on as
//! many threads as there are cores; they also go through `%(trailers)`.

mod support;

use std::io::Read;
use std::path::Path;
use std::time::Instant;
use support::differential::{as_refs, assert_same, git_each, show, tiergate_batch};
use support::{git, git_cmd, run_stdin, tiergate_cmd, Repo};
use tiergate_core::message::trailer::{self, ParseOptions};
use tiergate_core::message::{self, Cleanup};

// ---------------------------------------------------------------------------
// Helpers

/// git's `%(trailers:only,unfold)` of each message, committed as is (a
/// linear history made by one `git fast-import`), `comment` being
/// core.commentString.
fn git_committed_trailers(messages: &[Vec<u8>], comment: &str) -> Vec<Vec<u8>> {
    let dir = tempfile::tempdir().expect("tempdir");
    git(dir.path(), &["init", "-q", "--bare", "-b", "main"]);
    let mut stream = Vec::new();
    for m in messages {
        stream.extend_from_slice(b"commit refs/heads/main\n");
        stream
            .extend_from_slice(b"committer C O Mitter <committer@example.com> 1700000000 +0000\n");
        stream.extend_from_slice(format!("data {}\n", m.len()).as_bytes());
        stream.extend_from_slice(m);
        stream.push(b'\n');
    }
    let out = run_stdin(
        git_cmd(dir.path()).args(["fast-import", "--quiet"]),
        &stream,
    );
    assert!(
        out.status.success(),
        "git fast-import failed: {}",
        support::stderr(&out)
    );
    let config = format!("core.commentString={comment}");
    let out = git_cmd(dir.path())
        .args([
            "-c",
            &config,
            "log",
            "--reverse",
            "-z",
            "--format=format:%(trailers:only,unfold)",
            "main",
        ])
        .output()
        .expect("spawn git log");
    assert!(
        out.status.success(),
        "git log failed: {}",
        support::stderr(&out)
    );
    let answers: Vec<Vec<u8>> = out.stdout.split(|&c| c == 0).map(<[u8]>::to_vec).collect();
    assert_eq!(
        answers.len(),
        messages.len(),
        "one git log entry per message"
    );
    answers
}

/// Whether a line of `message` (as interpret-trailers sees it) starts with
/// `---` followed by whitespace or the end: only then can `--no-divider`
/// change the answer.
fn has_divider_candidate(message: &[u8]) -> bool {
    let m = match message.iter().position(|&c| c == 0) {
        Some(n) => &message[..n],
        None => message,
    };
    let mut pos = 0;
    while pos < m.len() {
        let rest = &m[pos..];
        if rest.starts_with(b"---") && rest.get(3).is_none_or(|&c| trailer::is_git_space(c)) {
            return true;
        }
        match rest.iter().position(|&c| c == b'\n') {
            Some(i) => pos += i + 1,
            None => break,
        }
    }
    false
}

// ---------------------------------------------------------------------------
// (a) The corpus of real messages

/// Ignored by a plain `cargo test`: the corpus is not in this repository
/// and CI cannot install it. `.ci/run` runs this test with `-- --ignored`
/// only when the corpus directory exists; run that way without the corpus,
/// it fails.
#[test]
#[ignore = "needs the message corpus at ../shared/corpus (not in this repository); .ci/run runs it when that directory exists"]
fn corpus_agrees_with_git() {
    let Some(path) = support::corpus_path() else {
        panic!("the message corpus is absent (see ../shared/corpus/README.md); this test needs it");
    };
    let t0 = Instant::now();
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).expect("open corpus"))
        .read_to_end(&mut raw)
        .expect("gunzip corpus");
    let mut messages: Vec<Vec<u8>> = raw.split(|&c| c == 0).map(<[u8]>::to_vec).collect();
    if messages.last().is_some_and(Vec::is_empty) {
        messages.pop();
    }
    let n = messages.len();
    assert!(n > 1000, "corpus has {n} messages");
    let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    let scratch = tempfile::tempdir().expect("tempdir");
    let dir = scratch.path();

    // git: %(trailers) of every message, in one fast-import + one log.
    let t = Instant::now();
    let committed = git_committed_trailers(&messages, "#");
    eprintln!(
        "corpus: git %(trailers) of {n} messages in {:.1?}",
        t.elapsed()
    );

    // Ours: the library's committed-message parser, on every message.
    let ours_committed: Vec<Vec<u8>> = messages
        .iter()
        .map(|m| trailer::render(&trailer::parse_committed(m, b"#")))
        .collect();
    assert_same(
        "parse_committed vs %(trailers)",
        &refs,
        &as_refs(&ours_committed),
        &as_refs(&committed),
    );

    // Ours: the CLI, both modes, every message.
    let t = Instant::now();
    let ours_nd = tiergate_batch(dir, &messages, &["--no-divider", "--comment-string", "#"]);
    let ours_d = tiergate_batch(dir, &messages, &["--comment-string", "#"]);
    eprintln!(
        "corpus: tiergate --batch, both modes, in {:.1?}",
        t.elapsed()
    );

    // git's --no-divider answers: %(trailers), except where leading blank
    // lines make %(trailers) differ from interpret-trailers.
    let t = Instant::now();
    let leading: Vec<usize> = (0..n)
        .filter(|&i| trailer::leading_blank_lines(&messages[i]) > 0)
        .collect();
    let spawned_nd = git_each(
        dir,
        &leading.iter().map(|&i| refs[i]).collect::<Vec<_>>(),
        &["interpret-trailers", "--parse", "--no-divider"],
    );
    let mut git_nd = committed.clone();
    for (k, &i) in leading.iter().enumerate() {
        git_nd[i] = spawned_nd[k].clone();
    }
    // git's divider-mode answers: spawned where a `---` line can matter.
    let candidates: Vec<usize> = (0..n)
        .filter(|&i| has_divider_candidate(&messages[i]))
        .collect();
    let spawned_d = git_each(
        dir,
        &candidates.iter().map(|&i| refs[i]).collect::<Vec<_>>(),
        &["interpret-trailers", "--parse"],
    );
    let mut git_d = git_nd.clone();
    for (k, &i) in candidates.iter().enumerate() {
        git_d[i] = spawned_d[k].clone();
    }
    assert_same("--no-divider", &refs, &as_refs(&ours_nd), &as_refs(&git_nd));
    assert_same("divider", &refs, &as_refs(&ours_d), &as_refs(&git_d));

    // The shortcuts, checked directly on a sample.
    let sample: Vec<usize> = (0..n).step_by(20).collect();
    let sample_msgs: Vec<&[u8]> = sample.iter().map(|&i| refs[i]).collect();
    let direct_nd = git_each(
        dir,
        &sample_msgs,
        &["interpret-trailers", "--parse", "--no-divider"],
    );
    let direct_d = git_each(dir, &sample_msgs, &["interpret-trailers", "--parse"]);
    let pick = |v: &[Vec<u8>]| -> Vec<Vec<u8>> { sample.iter().map(|&i| v[i].clone()).collect() };
    assert_same(
        "sample --no-divider (direct)",
        &sample_msgs,
        &as_refs(&pick(&ours_nd)),
        &as_refs(&direct_nd),
    );
    assert_same(
        "sample divider (direct)",
        &sample_msgs,
        &as_refs(&pick(&ours_d)),
        &as_refs(&direct_d),
    );
    eprintln!(
        "corpus: git interpret-trailers spawned {} times in {:.1?}",
        leading.len() + candidates.len() + 2 * sample.len(),
        t.elapsed()
    );

    let with_trailers = git_nd.iter().filter(|a| !a.is_empty()).count();
    eprintln!(
        "corpus: {n} messages compared with git in both divider modes ({with_trailers} with trailers; \
         {} divider candidates and {} with leading blank lines spawned individually; \
         {} sampled directly), 0 differences, {:.1?} in all",
        candidates.len(),
        leading.len(),
        sample.len(),
        t0.elapsed()
    );
}

// ---------------------------------------------------------------------------
// A tiny deterministic PRNG (splitmix64) and a generator of adversarial
// messages.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// True with probability `p` percent.
    fn pct(&mut self, p: usize) -> bool {
        self.below(100) < p
    }
    fn pick<'a>(&mut self, items: &[&'a [u8]]) -> &'a [u8] {
        items[self.below(items.len())]
    }
}

/// The seed: `TIERGATE_FUZZ_SEED` or a fixed one.
fn seed() -> u64 {
    std::env::var("TIERGATE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x7134_6174_6521)
}

const KEYS: &[&[u8]] = &[
    b"Signed-off-by",
    b"Reviewed-by",
    b"Co-authored-by",
    b"AI-Assisted",
    b"Assisted-by",
    b"Bug",
    b"X",
    b"a-b",
    b"Fixes",
    b"1",
    b"-",
    b"--",
    b"Key_x",
    b"K\xc3\xa9y",
    b"Key.x",
    b"Key x",
    b"Key ",
    b"Key\t",
    b"Key \t ",
    b"\xff",
    b"",
    b" Key",
    b"#Key",
    b";Key",
    b"//Key",
];

const VALUES: &[&[u8]] = &[
    b"",
    b" ",
    b"value",
    b" A U Thor <author@example.com>",
    b" A U Thor <author@example.com>  ",
    b"\tvalue\t",
    b" v\xe9rit\xe9",
    b" \xff\xfe",
    b" a: b: c",
    b" https://example.com/x#y",
    b":",
    b" ---",
    b" (cherry picked from commit 0123)",
];

const PROSE: &[&[u8]] = &[
    b"This fixes the frobnicator.",
    b"Note: this is prose with a colon",
    b"see https://example.com/",
    b"not a trailer",
    b"Acked by: someone",
    b"  indented prose",
    b"\tindented prose",
    b"Conflicts:",
    b"\tsome/path.c",
    b"Signed-off-by:A",
    b"Signed-off-by: A U Thor <author@example.com>",
    b"(cherry picked from commit 0123456789abcdef)",
    b"(cherry picked from commit",
    b"---",
    b"--- ",
    b"---\tx",
    b"----",
    b"--- a/file.c",
    b"-- ",
    b"",
    b" ",
    b"\t",
    b"\r",
    b"caf\xc3\xa9 \xff",
    b"\x0b",
    b"\x0c",
];

/// One generated line (without its line ending).
fn gen_line(rng: &mut Rng, comment: &[u8]) -> Vec<u8> {
    let mut line = Vec::new();
    match rng.below(20) {
        0..=7 => {
            line.extend_from_slice(rng.pick(KEYS));
            line.push(b':');
            line.extend_from_slice(rng.pick(VALUES));
        }
        8 => {
            line.extend_from_slice(b"Signed-off-by: ");
            line.extend_from_slice(rng.pick(VALUES));
        }
        9 => line.extend_from_slice(b"(cherry picked from commit 0123456789abcdef)"),
        10 | 11 => {
            line.extend_from_slice(rng.pick(&[b" ", b"\t", b"  ", b" \t"]));
            line.extend_from_slice(rng.pick(&[&b"continued"[..], b"more: text", b"", b"x"]));
        }
        12..=14 => line.extend_from_slice(rng.pick(PROSE)),
        15 => {
            line.extend_from_slice(rng.pick(&[comment, b"#", b";"]));
            line.extend_from_slice(rng.pick(&[&b" a comment"[..], b"Key: v", b"", b" Key: v"]));
        }
        16 => {
            line.extend_from_slice(rng.pick(&[comment, b"#"]));
            line.extend_from_slice(b" ------------------------ >8 ------------------------");
            if rng.pct(20) {
                line.push(b' ');
            }
        }
        17 => {}
        18 => {
            // Random bytes, no NUL and no newline.
            for _ in 0..rng.below(12) {
                let b = (rng.below(255) + 1) as u8;
                line.push(if b == b'\n' { b'x' } else { b });
            }
        }
        _ => line.extend_from_slice(b": value"),
    }
    line
}

/// One generated message, never containing NUL.
fn gen_message(rng: &mut Rng, comment: &[u8]) -> Vec<u8> {
    if rng.pct(3) {
        return rng
            .pick(&[
                &b""[..],
                b"\n",
                b"Title",
                b"Title\n",
                b"\n\n",
                b"Key: v",
                b"Key: v\n",
            ])
            .to_vec();
    }
    let mut lines: Vec<Vec<u8>> = Vec::new();
    // Leading blank or comment lines.
    if rng.pct(5) {
        lines.push(rng.pick(&[&b""[..], b" ", b"\t"]).to_vec());
    }
    if rng.pct(5) {
        let mut c = comment.to_vec();
        c.extend_from_slice(b" leading comment");
        lines.push(c);
    }
    // Title (sometimes looks like a trailer; sometimes none).
    match rng.below(10) {
        0 => {}
        1 => lines.push(b"Key: title".to_vec()),
        2 => {
            lines.push(b"Two-line".to_vec());
            lines.push(b"title".to_vec());
        }
        _ => lines.push(b"Add the frobnicator".to_vec()),
    }
    // Paragraphs.
    let paragraphs = rng.below(4);
    for _ in 0..paragraphs {
        if rng.pct(90) {
            lines.push(Vec::new());
        }
        let long = rng.pct(5);
        let count = if long {
            20 + rng.below(60)
        } else {
            1 + rng.below(6)
        };
        let trailerish = rng.pct(60);
        for _ in 0..count {
            if trailerish && rng.pct(75) {
                let mut l = rng.pick(KEYS).to_vec();
                l.push(b':');
                l.extend_from_slice(rng.pick(VALUES));
                if rng.pct(30) {
                    l = gen_line(rng, comment);
                }
                lines.push(l);
            } else {
                lines.push(gen_line(rng, comment));
            }
        }
    }
    // Tails: patch part, comments, scissors, blank lines.
    if rng.pct(15) {
        lines.push(rng.pick(&[&b"---"[..], b"--- ", b"---\t"]).to_vec());
        lines.push(b" file.c | 2 +-".to_vec());
        if rng.pct(50) {
            lines.push(b"Key: after divider".to_vec());
        }
    }
    if rng.pct(15) {
        let mut c = comment.to_vec();
        c.extend_from_slice(b" Please enter the commit message");
        lines.push(c);
        if rng.pct(50) {
            lines.push(Vec::new());
            lines.push(comment.to_vec());
        }
    }
    if rng.pct(10) {
        let mut c = comment.to_vec();
        c.extend_from_slice(b" ------------------------ >8 ------------------------");
        lines.push(c);
        lines.push(b"diff --git a/x b/x".to_vec());
        lines.push(b"Key: in the diff".to_vec());
    }
    for _ in 0..rng.below(3) {
        if rng.pct(20) {
            lines.push(rng.pick(&[&b""[..], b" ", b"\t"]).to_vec());
        }
    }
    // Line endings.
    let crlf_all = rng.pct(8);
    let mut msg = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        msg.extend_from_slice(l);
        if rng.pct(2) {
            msg.extend_from_slice(b"  \t");
        }
        let last = i + 1 == lines.len();
        if last && rng.pct(15) {
            break;
        }
        if crlf_all || rng.pct(2) {
            msg.push(b'\r');
        }
        msg.push(b'\n');
    }
    msg
}

// ---------------------------------------------------------------------------
// (b) Generated adversarial messages

#[test]
fn generated_messages_agree_with_git() {
    let cases: usize = std::env::var("TIERGATE_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000);
    let seed = seed();
    let t0 = Instant::now();
    let repo = Repo::new();
    let mut total = 0;
    // (comment string, share of the cases)
    for (comment, share) in [("#", 1), (";", 6), ("//", 6)] {
        let mut rng = Rng(seed ^ (comment.len() as u64) ^ ((comment.as_bytes()[0] as u64) << 8));
        let n = cases / share;
        let messages: Vec<Vec<u8>> = (0..n)
            .map(|_| gen_message(&mut rng, comment.as_bytes()))
            .collect();
        let refs = as_refs(&messages);
        let config = format!("core.commentString={comment}");

        let ours_d = tiergate_batch(repo.path(), &messages, &["--comment-string", comment]);
        let ours_nd = tiergate_batch(
            repo.path(),
            &messages,
            &["--no-divider", "--comment-string", comment],
        );
        let git_d = git_each(
            repo.path(),
            &refs,
            &["-c", &config, "interpret-trailers", "--parse"],
        );
        let git_nd = git_each(
            repo.path(),
            &refs,
            &[
                "-c",
                &config,
                "interpret-trailers",
                "--parse",
                "--no-divider",
            ],
        );
        assert_same(
            &format!("generated, comment {comment:?}, divider"),
            &refs,
            &as_refs(&ours_d),
            &as_refs(&git_d),
        );
        assert_same(
            &format!("generated, comment {comment:?}, --no-divider"),
            &refs,
            &as_refs(&ours_nd),
            &as_refs(&git_nd),
        );

        // The same messages committed: parse_committed vs %(trailers).
        let committed = git_committed_trailers(&messages, comment);
        let ours_committed: Vec<Vec<u8>> = messages
            .iter()
            .map(|m| trailer::render(&trailer::parse_committed(m, comment.as_bytes())))
            .collect();
        assert_same(
            &format!("generated, comment {comment:?}, parse_committed vs %(trailers)"),
            &refs,
            &as_refs(&ours_committed),
            &as_refs(&committed),
        );

        // The library and the CLI agree, and parse() finds what render shows.
        for (i, m) in messages.iter().enumerate() {
            let opts = ParseOptions {
                no_divider: false,
                comment: comment.as_bytes().to_vec(),
            };
            let block = trailer::parse(m, &opts);
            assert!(
                block.start <= block.end && block.end <= m.len(),
                "offsets of {}",
                show(m)
            );
            assert_eq!(trailer::render(&block), ours_d[i]);
        }
        let with_trailers = git_d.iter().filter(|a| !a.is_empty()).count();
        eprintln!(
            "generated: {n} messages with comment string {comment:?} ({with_trailers} with trailers), \
             both modes and %(trailers), 0 differences"
        );
        total += n;
    }
    eprintln!(
        "generated: {total} messages (seed {seed:#x}) compared with git in {:.1?}",
        t0.elapsed()
    );
}

// ---------------------------------------------------------------------------
// The CLI

#[test]
fn cli_reads_the_comment_string_from_git_config() {
    let repo = Repo::new();
    let msg = b"Title\n\nSigned-off-by: A\n// C: d\n// ------------------------ >8 ------------------------\nG: h\n";
    for config in [None, Some(";"), Some("//")] {
        if let Some(c) = config {
            repo.git(&["config", "core.commentString", c]);
        }
        let ours = run_stdin(&mut repo.path().pipe_trailers(), msg);
        let theirs = support::git_stdin(repo.path(), &["interpret-trailers", "--parse"], msg);
        assert!(ours.status.success(), "{}", support::stderr(&ours));
        assert_eq!(
            show(&ours.stdout),
            show(&theirs.stdout),
            "config {config:?}"
        );
    }
    // `--repo` from elsewhere, and `--comment-string` overriding it.
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let path = repo.path().to_str().expect("utf-8 temp path");
    let out = run_stdin(
        tiergate_cmd(elsewhere.path()).args(["--repo", path, "trailers"]),
        msg,
    );
    assert_eq!(show(&out.stdout), show(b"Signed-off-by: A\n"));
    let out = run_stdin(
        tiergate_cmd(repo.path()).args(["trailers", "--comment-string", ";"]),
        msg,
    );
    assert_eq!(show(&out.stdout), show(b"Signed-off-by: A\nG: h\n"));
    // Outside any repository: the default `#`.
    let out = run_stdin(
        tiergate_cmd(elsewhere.path()).args(["trailers"]),
        b"T\n\nA: b\n# C: d\n",
    );
    assert_eq!(show(&out.stdout), show(b"A: b\n"));
}

/// `tiergate trailers` in `self` (a directory).
trait PipeTrailers {
    fn pipe_trailers(&self) -> std::process::Command;
}

impl PipeTrailers for Path {
    fn pipe_trailers(&self) -> std::process::Command {
        let mut cmd = tiergate_cmd(self);
        cmd.arg("trailers");
        cmd
    }
}

#[test]
fn cli_file_batch_and_usage_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("msg");
    std::fs::write(&file, b"T\n\nKey :  a\n  b\nX: \xff\n---\nY: z\n").expect("write");
    let out = tiergate_cmd(dir.path())
        .args(["trailers", "msg"])
        .output()
        .expect("spawn");
    assert!(out.status.success());
    assert_eq!(out.stdout, b"Key: a b\nX: \xff\n");
    let theirs = git_cmd(dir.path())
        .args(["interpret-trailers", "--parse", "msg"])
        .output()
        .expect("spawn git");
    assert_eq!(out.stdout, theirs.stdout);

    // Batch: a final NUL ends the last message; empty input, no message.
    let out = run_stdin(dir.path().pipe_trailers().arg("--batch"), b"");
    assert_eq!(out.stdout, b"");
    let out = run_stdin(
        dir.path().pipe_trailers().arg("--batch"),
        b"T\n\nA: b\0\0T\n\nC: d",
    );
    assert_eq!(out.stdout, b"A: b\n\0\0C: d\n\0");

    // Usage errors exit 2.
    let out = tiergate_cmd(dir.path())
        .args(["trailers", "no-such-file"])
        .output()
        .expect("spawn");
    assert_eq!(out.status.code(), Some(2), "{}", support::stderr(&out));
    let out = run_stdin(
        dir.path().pipe_trailers().args(["--comment-string", ""]),
        b"",
    );
    assert_eq!(out.status.code(), Some(2), "{}", support::stderr(&out));
}

// ---------------------------------------------------------------------------
// (4) Message cleanup

/// A generated message for cleanup: blank runs, trailing whitespace,
/// comments of several strings, CR, VT, FF, no final newline; with `raw`,
/// NUL bytes and invalid UTF-8 too.
fn gen_cleanup_input(rng: &mut Rng, raw: bool) -> Vec<u8> {
    let pieces: &[&[u8]] = &[
        b"",
        b" ",
        b"\t",
        b"\r",
        b"\x0b",
        b"\x0c",
        b"text",
        b"  indented",
        b"trailing  ",
        b"trailing\t\r",
        b"# comment",
        b"#",
        b" # not a comment",
        b"; semicolon",
        b";",
        b"// slashes",
        b"/ one slash",
        b"Key: v",
        b"# ------------------------ >8 ------------------------",
        b"; ------------------------ >8 ------------------------",
        b"// ------------------------ >8 ------------------------",
        b"# ------------------------ >8 ------------------------ ",
        b"caf\xc3\xa9\xff",
    ];
    let mut msg = Vec::new();
    for _ in 0..rng.below(14) {
        let piece = rng.pick(pieces);
        if !raw && std::str::from_utf8(piece).is_err() {
            // git commit would re-encode it (verify_utf8), not our business.
            continue;
        }
        msg.extend_from_slice(piece);
        if raw && rng.pct(3) {
            msg.push(0);
        }
        if rng.pct(90) {
            msg.push(b'\n');
        }
    }
    msg
}

#[test]
fn stripspace_agrees_with_git() {
    let mut rng = Rng(seed() ^ 0x5757);
    let dir = tempfile::tempdir().expect("tempdir");
    let t0 = Instant::now();
    let inputs: Vec<Vec<u8>> = (0..400)
        .map(|_| gen_cleanup_input(&mut rng, true))
        .collect();
    let refs = as_refs(&inputs);
    let plain = git_each(dir.path(), &refs, &["stripspace"]);
    let ours: Vec<Vec<u8>> = inputs
        .iter()
        .map(|m| message::stripspace(m, None))
        .collect();
    assert_same("stripspace", &refs, &as_refs(&ours), &as_refs(&plain));
    let mut count = inputs.len();
    for (key, comment) in [
        ("core.commentChar", "#"),
        ("core.commentChar", ";"),
        ("core.commentString", "//"),
    ] {
        let config = format!("{key}={comment}");
        let theirs = git_each(dir.path(), &refs, &["-c", &config, "stripspace", "-s"]);
        let ours: Vec<Vec<u8>> = inputs
            .iter()
            .map(|m| message::stripspace(m, Some(comment.as_bytes())))
            .collect();
        assert_same(
            &format!("stripspace -s, {config}"),
            &refs,
            &as_refs(&ours),
            &as_refs(&theirs),
        );
        // Strip mode is stripspace with the comment string.
        for m in &inputs {
            assert_eq!(
                message::cleanup(m, Cleanup::Strip, comment.as_bytes()),
                message::stripspace(m, Some(comment.as_bytes()))
            );
        }
        count += inputs.len();
    }
    eprintln!(
        "stripspace: {count} runs compared with git in {:.1?}",
        t0.elapsed()
    );
}

#[test]
fn commit_cleanup_agrees_with_git_commit() {
    let mut rng = Rng(seed() ^ 0xc0c0);
    let repo = Repo::new();
    let scratch = tempfile::tempdir().expect("tempdir");
    let msg_file = scratch.path().join("message");
    let editor = format!("cp '{}'", msg_file.display());
    let t0 = Instant::now();
    let mut runs = 0;
    for i in 0..60 {
        let comment = ["#", ";", "//"][i % 3];
        let mut msg = gen_cleanup_input(&mut rng, false);
        if rng.pct(50) {
            // Make sure a real scissors line is there half of the time.
            let at = rng.below(msg.len() + 1);
            let at = msg[..at]
                .iter()
                .rposition(|&c| c == b'\n')
                .map_or(0, |p| p + 1);
            let mut line = message::scissors_line(comment.as_bytes());
            line.extend_from_slice(b"diff --git a/x b/x\n+Key: v\n");
            msg.splice(at..at, line);
        }
        std::fs::write(&msg_file, &msg).expect("write message");
        for (mode, arg, verbose) in [
            (Cleanup::Scissors, "--cleanup=scissors", false),
            (Cleanup::Strip, "--cleanup=strip", false),
            (Cleanup::Whitespace, "--cleanup=whitespace", false),
            (Cleanup::Strip, "--cleanup=strip", true),
            (Cleanup::Verbatim, "--cleanup=verbatim", false),
        ] {
            let config = format!("core.commentString={comment}");
            let mut cmd = git_cmd(repo.path());
            cmd.env("GIT_EDITOR", &editor).args([
                "-c",
                &config,
                "commit",
                "-q",
                "--allow-empty",
                "--allow-empty-message",
                "-e",
                arg,
            ]);
            if verbose {
                cmd.arg("-v");
            }
            let out = cmd.output().expect("spawn git commit");
            assert!(
                out.status.success(),
                "git commit {arg} failed on {}: {}",
                show(&msg),
                support::stderr(&out)
            );
            let raw = git_cmd(repo.path())
                .args(["cat-file", "commit", "HEAD"])
                .output()
                .expect("cat-file");
            let body_at = raw
                .stdout
                .windows(2)
                .position(|w| w == b"\n\n")
                .expect("commit header ends")
                + 2;
            let theirs = &raw.stdout[body_at..];
            let ours = message::cleanup_verbose(&msg, mode, comment.as_bytes(), verbose);
            assert_eq!(
                show(&ours),
                show(theirs),
                "git commit {arg} (verbose {verbose}), comment {comment:?}, message {}",
                show(&msg)
            );
            runs += 1;
        }
    }
    eprintln!(
        "git commit --cleanup: {runs} commits compared in {:.1?}",
        t0.elapsed()
    );
}

// A sanity check of the helpers themselves: they can fail.
#[test]
fn divider_candidates() {
    assert!(has_divider_candidate(b"a\n---\n"));
    assert!(has_divider_candidate(b"a\n---"));
    assert!(has_divider_candidate(b"--- x"));
    assert!(!has_divider_candidate(b"a\n----\n"));
    assert!(!has_divider_candidate(b"a ---\n"));
    assert!(!has_divider_candidate(b"a\n\0---\n"));
}
