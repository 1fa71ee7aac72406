//! End-to-end tests of the CI output formats of `tiergate check`
//! (`--format github|gitlab`), `tiergate policy init --from-maintainers`,
//! `tiergate completions` and `tiergate man`.

mod support;

use support::{stderr, stdout, Repo};

const POLICY: &str = support::CRYPTO_DOCS_POLICY;

fn repo_with_violations() -> (Repo, String) {
    let repo = Repo::new();
    repo.commit(&[("policy.yaml", POLICY)], "Initial commit\n");
    let id = repo.commit(
        &[("crypto/a,b:c%.c", "x\n"), ("docs/x.md", "d\n")],
        "crypto: 100% faster, now\n\nCo-authored-by: Claude <noreply@anthropic.com>\n",
    );
    (repo, id)
}

#[test]
fn github_annotations_are_escaped_workflow_commands() {
    let (repo, id) = repo_with_violations();
    let out = repo.tiergate(&["check", "HEAD~1..", "--format", "github"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    let lines: Vec<&str> = text.lines().collect();
    let short = &id[..12];
    assert_eq!(
        lines[0],
        format!(
            "::error file=crypto/a%2Cb%3Ac%25.c,title=tiergate ai-forbidden-tier::commit {short} \"crypto: 100%25 faster, now\": AI-assisted commit touches tier 'critical' (ai: forbidden): 1 path%0A  crypto/a,b:c%25.c%0Afix: Split the changes to 'critical' into a commit written without AI assistance, or ask its maintainers."
        )
    );
    assert!(
        lines[1].starts_with(&format!(
            "::error title=tiergate undeclared-ai::commit {short} \"crypto: 100%25 faster, now\": AI assistance is evident"
        )),
        "{text}"
    );
    assert!(lines.iter().all(|l| !l.contains('\r')));
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[2].starts_with("tiergate: 2 violations"), "{text}");
}

#[test]
fn gitlab_code_quality_report() {
    let (repo, id) = repo_with_violations();
    let out = repo.tiergate(&["check", "HEAD~1..", "--format", "gitlab"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let issues = doc.as_array().expect("array");
    assert_eq!(issues.len(), 2);
    let forbidden = &issues[0];
    assert_eq!(forbidden["check_name"], "tiergate/ai-forbidden-tier");
    assert_eq!(forbidden["severity"], "major");
    assert_eq!(forbidden["location"]["path"], "crypto/a,b:c%.c");
    assert_eq!(forbidden["location"]["lines"]["begin"], 1);
    let description = forbidden["description"].as_str().expect("description");
    assert!(description.contains(&id[..12]), "{description}");
    assert!(description.contains("fix: Split"), "{description}");
    // Message rules are located at the policy file.
    assert_eq!(issues[1]["check_name"], "tiergate/undeclared-ai");
    assert_eq!(issues[1]["location"]["path"], "policy.yaml");
    let fp = forbidden["fingerprint"].as_str().expect("fingerprint");
    assert_eq!(fp.len(), 32);
    assert_ne!(fp, issues[1]["fingerprint"].as_str().expect("fingerprint"));
    // Stable from run to run.
    let again = repo.tiergate(&["check", "HEAD~1..", "--format", "gitlab"]);
    assert_eq!(again.stdout, out.stdout);

    // No violations: an empty report.
    let out = repo.tiergate(&["check", "HEAD~1..HEAD~1", "--format", "gitlab"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "[]\n");
    let out = repo.tiergate(&["check", "HEAD~1..", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(2));
}

const MAINTAINERS: &str = "\
QEMU Maintainers
================

Descriptions of section entries:

\tM: Mail patches to: FullName <address@domain>
\tF: Files and directories wildcard patterns.

General Project Administration
------------------------------
Crypto
M: Daniel <d@example.com>
S: Maintained
F: crypto/
F: include/crypto/*.h
X: crypto/README
K: qcrypto

Virtio
M: Michael <m@example.com>
S: Supported
F: hw/virtio
F: docs/virtio.txt

Block layer core
M: Kevin <k@example.com>
S: Supported
F: block/

Documentation
S: Odd Fixes
F: docs/

Build system
S: Maintained
F: Makefile
F: *.mak
";

#[test]
fn policy_from_maintainers_validates_and_classifies() {
    let repo = Repo::new();
    repo.write("MAINTAINERS", MAINTAINERS);
    // The tree tells files from directories and names the docs.
    repo.commit(
        &[
            ("crypto/aes.c", "x\n"),
            ("include/crypto/x.h", "x\n"),
            ("hw/virtio/virtio.c", "x\n"),
            ("docs/index.rst", "x\n"),
            ("block/io.c", "x\n"),
            ("Makefile", "x\n"),
            ("rules.mak", "x\n"),
        ],
        "tree",
    );
    let out = repo.tiergate(&[
        "policy",
        "init",
        "--from-maintainers",
        "MAINTAINERS",
        "--critical-section",
        "^(Crypto|Virtio)$",
        "--critical-status",
        "odd fixes",
        "--open-section",
        "^Build",
    ]);
    let yaml = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{yaml}{}", stderr(&out));
    let tiers = &yaml[yaml.find("  - name: critical").expect("critical tier")..];
    assert_eq!(
        tiers,
        "  - name: critical
    ai: forbidden               # no AI-assisted changes here
    paths:
      # Crypto (S: Maintained), line 11; --critical-section '^(Crypto|Virtio)$'
      - 'crypto/'
      - 'include/crypto/*.h'
      # Virtio (S: Supported), line 19; --critical-section '^(Crypto|Virtio)$'
      - 'hw/virtio/'
      # Crypto: not path patterns: K: qcrypto
    except:                     # X: lines of those sections
      # Crypto (S: Maintained), line 11
      - 'crypto/README'

  - name: open
    ai: allowed                 # AI-assisted changes welcome (declared)
    paths:
      # Build system (S: Maintained), line 34; --open-section '^Build'
      - '/Makefile'
      - '/*.mak'
      # documentation and tests, as the tree names them
      - 'docs/'

  - name: core
    ai: allowed
    require: [ Reviewed-by ]    # an AI-assisted change needs a human review
    paths: [ '**' ]             # everything else

default_tier: core
"
    );
    let head = repo.git(&["rev-parse", "HEAD"]);
    assert_eq!(
        stderr(&out),
        format!(
            "\
tiergate: 5 sections read (1 group headings); 3 chosen as critical
  critical: 3 patterns: crypto/, include/crypto/*.h, hw/virtio/
  open:     3 patterns: /Makefile, /*.mak, docs/
  not critical: 2 patterns of chosen sections (documentation and tests, or outside --critical-path): docs/, docs/virtio.txt
  tree {} (8 files): critical 3, open 3, core 2; left to 'core': MAINTAINERS 1, block/ 1
",
            &head.trim()[..12]
        )
    );
    std::fs::write(repo.path().join("policy.yaml"), &yaml).expect("write");
    let out = repo.tiergate(&["policy", "validate", "policy.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("valid (3 tiers: critical, open, core)"));

    let out = repo.tiergate(&[
        "classify",
        "crypto/aes.c",
        "crypto/README",
        "include/crypto/x.h",
        "include/crypto/sub/x.h",
        "hw/virtio/virtio.c",
        "docs/virtio.txt",
        "docs/index.rst",
        "block/io.c",
        "Makefile",
        "sub/Makefile",
        "rules.mak",
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert_eq!(
        text,
        "\
crypto/aes.c\tcritical
crypto/README\tcore
include/crypto/x.h\tcritical
include/crypto/sub/x.h\tcore
hw/virtio/virtio.c\tcritical
docs/virtio.txt\topen
docs/index.rst\topen
block/io.c\tcore
Makefile\topen
sub/Makefile\tcore
rules.mak\topen
"
    );

    // Nothing chosen as critical: a usage error with a hint.
    let out = repo.tiergate(&["policy", "init", "--from-maintainers", "MAINTAINERS"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("Hint: Choose what is critical with `--critical-path PREFIX`"),
        "{}",
        stderr(&out)
    );
}

/// DPDK's layout: group headings underlined, the heading a section of its
/// own, drivers whose sections also name shared code and documentation.
/// Chosen by path, `drivers/crypto/` is critical whole and nothing else.
#[test]
fn policy_from_dpdk_style_maintainers_by_path() {
    let repo = Repo::new();
    repo.write(
        "MAINTAINERS",
        "DPDK Maintainers\n================\n\nCrypto Drivers\n--------------\nT: git://dpdk.org/next/dpdk-next-crypto\nF: drivers/crypto/meson.build\nF: doc/guides/cryptodevs/features/default.ini\n\nAMD Pensando ionic crypto\nM: A <a@amd.com>\nF: drivers/crypto/ionic/\nF: drivers/common/ionic/\nF: doc/guides/cryptodevs/ionic.rst\nF: doc/guides/cryptodevs/features/ionic.ini\n\nIntel QuickAssist\nM: K <k@intel.com>\nF: drivers/crypto/qat/\nF: doc/guides/cryptodevs/qat.rst\n\nNetworking Drivers\n------------------\n\nAMD ionic\nF: drivers/net/ionic/\nF: doc/guides/nics/ionic.rst\n",
    );
    repo.commit(
        &[
            ("drivers/crypto/ionic/ionic.c", "x\n"),
            ("drivers/crypto/qat/qat.c", "x\n"),
            ("drivers/crypto/scheduler/s.c", "x\n"),
            ("drivers/crypto/meson.build", "x\n"),
            ("drivers/common/ionic/common.c", "x\n"),
            ("drivers/net/ionic/net.c", "x\n"),
            ("doc/guides/cryptodevs/ionic.rst", "x\n"),
            ("doc/guides/cryptodevs/qat.rst", "x\n"),
            ("app/test/test_cryptodev.c", "x\n"),
        ],
        "tree",
    );
    let out = repo.tiergate(&[
        "policy",
        "init",
        "--from-maintainers",
        "MAINTAINERS",
        "--critical-path",
        "drivers/crypto",
    ]);
    let yaml = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{yaml}{}", stderr(&out));
    let critical = &yaml[yaml.find("  - name: critical").expect("critical")
        ..yaml.find("  - name: core").expect("core")];
    assert_eq!(
        critical,
        "  - name: critical
    ai: forbidden               # no AI-assisted changes here
    paths:
      # --critical-path 'drivers/crypto/'
      - 'drivers/crypto/'

  - name: open
    ai: allowed                 # AI-assisted changes welcome (declared)
    paths:
      # documentation and tests, as the tree names them
      - 'app/test/'
      - 'doc/'

"
    );
    let err = stderr(&out);
    assert!(
        err.starts_with("tiergate: 4 sections read (2 group headings); 3 chosen as critical\n"),
        "{err}"
    );
    assert!(err.contains("  not critical: 5 patterns of chosen sections (documentation and tests, or outside --critical-path): doc/guides/cryptodevs/features/default.ini, doc/guides/cryptodevs/features/ionic.ini, doc/guides/cryptodevs/ionic.rst, doc/guides/cryptodevs/qat.rst, drivers/common/ionic/\n"), "{err}");
}

#[test]
fn completions_and_man_page() {
    let repo = Repo::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = repo.tiergate(&["completions", shell]);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        for sub in [
            "check",
            "check-patch",
            "classify",
            "policy",
            "show",
            "explain",
        ] {
            assert!(text.contains(sub), "{shell} lacks {sub}");
        }
    }
    let out = repo.tiergate(&["completions", "bash"]);
    assert!(stdout(&out).contains("--critical-section"));
    let out = repo.tiergate(&["man"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(text.starts_with(".TH tiergate 1"), "{text}");
    assert!(text.contains("check\\-patch"), "{text}");
    let out = repo.tiergate(&["man", "check-patch"]);
    assert!(stdout(&out).starts_with(".TH tiergate-check-patch 1"));
    let out = repo.tiergate(&["man", "nope"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `tiergate ... | head`: a reader that goes away stops tiergate quietly,
/// as it stops git (SIGPIPE), instead of an "internal error" on stderr.
#[cfg(unix)]
#[test]
fn a_closed_stdout_stops_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut cmd = support::tiergate_cmd(tmp.path());
    // A pipe whose reading end is closed before tiergate starts.
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = cmd
        .args(["policy", "init"])
        .stdout(writer)
        .output()
        .expect("run");
    assert_eq!(
        out.status.signal(),
        Some(13),
        "killed by SIGPIPE: {:?} {}",
        out.status,
        stderr(&out)
    );
    assert_eq!(stderr(&out), "", "nothing on stderr");
}

/// A tree whose forbidden tier, `crypto/`, includes a header nothing else
/// includes (`include/qemu/osdep.h`) and one that tests include too
/// (`include/crypto/aes.h`, and `tables.h` through it).
fn boundary_repo() -> support::Repo {
    let repo = support::Repo::new();
    repo.write("policy.yaml", BOUNDARY_POLICY);
    repo.commit(
        &[
            (
                "crypto/aes.c",
                "#include \"qemu/osdep.h\"\n#include \"crypto/aes.h\"\n#include <stdint.h>\n",
            ),
            (
                "include/crypto/aes.h",
                "/* #include \"ignored.h\" */\n# include \"tables.h\"\n",
            ),
            ("include/crypto/tables.h", "static const int t[1];\n"),
            ("include/qemu/osdep.h", "#pragma once\n"),
            ("include/hw/net.h", "#pragma once\n"),
            ("hw/net.c", "#include \"hw/net.h\"\n"),
            ("tests/aes-test.c", "#include \"crypto/aes.h\"\n"),
        ],
        "tree",
    );
    repo
}

const BOUNDARY_POLICY: &str = "version: 1\ntiers:\n  - { name: critical, paths: [ \"crypto/\" ], ai: forbidden }\n  - { name: open, paths: [ \"docs/\", \"tests/\" ] }\n  - { name: core, paths: [ \"**\" ] }\n";

/// Headers the crypto code includes are listed with who includes them:
/// `osdep.h` only by crypto code ("only"), `aes.h` also by a test and so
/// `tables.h` through it ("shared"); a header only other code includes is
/// not listed; the second run reads from the cache.
#[test]
fn boundary_lists_headers_forbidden_code_includes() {
    let repo = boundary_repo();
    let head = repo.git(&["rev-parse", "HEAD"]);
    let expected = format!(
        "\
tier 'critical': its code includes 3 files outside it, 1 included by nothing else:
  include/qemu/osdep.h     core  only    included by crypto/aes.c
  include/crypto/aes.h     core  shared  included by crypto/aes.c
  include/crypto/tables.h  core  shared  included by include/crypto/aes.h
HEAD ({}): 7 C/C++ files read for #include (roots: include)
",
        &head.trim()[..12]
    );
    let out = repo.tiergate(&["boundary"]);
    support::assert_code(&out, 0);
    assert_eq!(support::stdout(&out), expected);
    assert!(repo.path().join(".git/tiergate/includes-v2").is_file());
    // Cached: the same answer.
    let out = repo.tiergate(&["boundary", "--format", "json"]);
    support::assert_code(&out, 0);
    let doc: serde_json::Value = serde_json::from_str(&support::stdout(&out)).expect("json");
    assert_eq!(
        doc["tiers"][0]["files"][1]["path"],
        "include/crypto/tables.h"
    );
    assert_eq!(
        doc["tiers"][0]["files"][1]["included_by"],
        serde_json::json!(["include/crypto/aes.h"])
    );
    // Without the include root, `"crypto/aes.h"` resolves to nothing.
    let out = repo.tiergate(&["boundary", "--include-root", "nowhere"]);
    assert_eq!(
        support::stdout(&out),
        format!(
            "tier 'critical': its code includes no file outside forbidden tiers\nHEAD ({}): 7 C/C++ files read for #include (roots: nowhere)\n",
            &head.trim()[..12]
        )
    );
    let out = repo.tiergate(&["boundary", "--rev", "nope"]);
    support::assert_code(&out, 2);
}

/// The `<g>` of the tree map box whose tooltip starts with `title`.
fn map_box<'a>(html: &'a str, title: &str) -> &'a str {
    let start = html
        .find(&format!("<g><title>{title}"))
        .unwrap_or_else(|| panic!("no box {title:?} in {html}"));
    let end = html[start..].find("</g>").expect("</g>") + start;
    &html[start..end]
}

/// The tree map of a page (its `<svg>`).
fn tree_map(html: &str) -> &str {
    let start = html.find("<svg class=\"treemap\"").expect("a tree map");
    let end = start + html[start..].find("</svg>").expect("</svg>");
    &html[start..end]
}

/// How a tree map box is marked: `hatched`, `dashed` or `none`, and the
/// badge that counts its marked files (empty for none).
fn mark_of(map_box: &str) -> (&'static str, &str) {
    let hatched = map_box.contains("<line");
    let dashed = map_box.contains("stroke-dasharray=\"5 3\"");
    let framed = map_box.contains("fill=\"none\"");
    let kind = match (hatched, dashed, framed) {
        (true, false, true) => "hatched",
        (false, true, true) => "dashed",
        (false, false, false) => "none",
        _ => panic!("a mark of no known kind: {map_box}"),
    };
    let badge = map_box
        .split_once("fill=\"#111827\"/><text")
        .and_then(|(_, rest)| rest.split_once('>'))
        .and_then(|(_, rest)| rest.split_once("</text>"))
        .map_or("", |(text, _)| text);
    (kind, badge)
}

#[test]
fn boundary_html_marks_the_reached_files_on_the_tier_map() {
    let repo = boundary_repo();
    let out_dir = tempfile::tempdir().expect("tempdir");
    let file = out_dir.path().join("out.html");
    let path = file.to_str().expect("utf-8 path");
    let out = repo.tiergate(&["boundary", "--html", path]);
    support::assert_code(&out, 0);
    // Quiet, as `classify --tree --html` is.
    assert_eq!(stdout(&out), "");
    assert_eq!(stderr(&out), "");
    // Self-contained, and the policy named as the repository names it.
    let html = support::read_shared_page(&file, &repo);
    // The same tree map as `classify --tree --html`, from the same code.
    assert!(html.starts_with("<!DOCTYPE html>\n"));
    assert!(html.contains("<svg class=\"treemap\""));
    assert!(html.contains("<h1>The include boundary</h1>"));
    assert!(html.contains("<span><i style=\"background:#d0433a\"></i>critical (2 files)</span>"));
    // The legend of the marks.
    assert!(html.contains("holds a file only a forbidden tier&#39;s code includes (only: follow_includes would make it part of that tier)</span>"));
    assert!(html.contains("holds a file a forbidden tier&#39;s code includes and other code too (shared: it stays in its own tier)</span>"));
    // include/ is all core: one box, holding all three files; hatched
    // (it holds an "only" file), with a badge and a tooltip naming the
    // tier whose code includes each.
    let include = map_box(&html, "include/: core (4 files)");
    assert!(include.starts_with(
        "<g><title>include/: core (4 files)\n\
include/crypto/aes.h: tier critical&#39;s code includes it, and so does other code (shared)\n\
include/crypto/tables.h: tier critical&#39;s code includes it, and so does other code (shared)\n\
include/qemu/osdep.h: only tier critical&#39;s code includes it (follow_includes would make it critical)</title>"
    ), "{include}");
    assert_eq!(mark_of(include), ("hatched", "1 only · 2 shared"));
    // Nothing else is marked.
    assert_eq!(tree_map(&html).matches("fill=\"none\"").count(), 1);
    assert_eq!(mark_of(map_box(&html, "hw/: core (1 files)")), ("none", ""));
    assert_eq!(mark_of(map_box(&html, "tests/: open")), ("none", ""));
    // The table: "only" first, includers as the listing shows them.
    let tbody = &html[html.find("<tbody>").expect("table")..html.find("</tbody>").expect("table")];
    assert_eq!(
        tbody,
        "<tbody>\
<tr><td><code>include/qemu/osdep.h</code></td><td><span style=\"color:#3a9a4b;font-weight:600\">core</span></td><td><b>only</b></td><td>crypto/aes.c</td></tr>\
<tr><td><code>include/crypto/aes.h</code></td><td><span style=\"color:#3a9a4b;font-weight:600\">core</span></td><td>shared</td><td>crypto/aes.c</td></tr>\
<tr><td><code>include/crypto/tables.h</code></td><td><span style=\"color:#3a9a4b;font-weight:600\">core</span></td><td>shared</td><td>include/crypto/aes.h</td></tr>"
    );
    assert!(html.contains(
        "<p>Tier critical: its code includes 3 files outside it, 1 included by nothing else.</p>"
    ));
    let head = repo.git(&["rev-parse", "HEAD"]);
    assert!(html.contains(&format!(
        "<p class=\"muted\">HEAD ({}): 7 C/C++ files read for #include (roots: include).</p>",
        &head.trim()[..12]
    )));

    // With include/crypto/ in a tier of its own, include/ is mixed: the
    // shared headers' box is dashed, the "only" header's hatched.
    repo.commit(
        &[(
            "policy.yaml",
            &BOUNDARY_POLICY.replace("\"tests/\" ]", "\"tests/\", \"include/crypto/\" ]"),
        )],
        "policy: include/crypto is open",
    );
    let out = repo.tiergate(&["boundary", "--html", path]);
    support::assert_code(&out, 0);
    let html = support::read_shared_page(&file, &repo);
    let crypto = map_box(&html, "include/crypto/: open (2 files)\n");
    assert_eq!(mark_of(crypto), ("dashed", "2 shared"));
    let qemu = map_box(&html, "include/qemu/: core (1 files)\n");
    assert_eq!(mark_of(qemu), ("hatched", "1 only"));
    let hw = map_box(&html, "include/hw/: core (1 files)");
    assert_eq!(mark_of(hw), ("none", ""));
    assert!(html.contains(
        "<td><span style=\"color:#2f6db5;font-weight:600\">open</span></td><td>shared</td>"
    ));

    // --html draws; it does not mix with --format json.
    let out = repo.tiergate(&["boundary", "--html", path, "--format", "json"]);
    support::assert_code(&out, 2);
    // A bad revision: exit 2 and no page.
    std::fs::remove_file(&file).expect("rm");
    let out = repo.tiergate(&["boundary", "--rev", "nope", "--html", path]);
    support::assert_code(&out, 2);
    assert!(!file.exists());
    // A page that cannot be written: an I/O error, exit 3.
    let missing = out_dir.path().join("no/such/dir/out.html");
    let out = repo.tiergate(&["boundary", "--html", missing.to_str().expect("utf-8")]);
    support::assert_code(&out, 3);
    assert!(stderr(&out).contains("cannot write "), "{}", stderr(&out));
}

/// A name the pusher chose is text on the page, never markup; a tier
/// that reaches nothing, and a policy without forbidden tiers, are said in
/// a sentence, with the map unmarked.
#[test]
fn boundary_html_escapes_names_and_says_when_nothing_is_reached() {
    let repo = boundary_repo();
    repo.commit(
        &[
            ("include/qemu/x<y>&z.h", "#pragma once\n"),
            ("crypto/x.c", "#include \"qemu/x<y>&z.h\"\n"),
        ],
        "a header with markup in its name",
    );
    let out_dir = tempfile::tempdir().expect("tempdir");
    let file = out_dir.path().join("out.html");
    let path = file.to_str().expect("utf-8 path");
    let out = repo.tiergate(&["boundary", "--html", path]);
    support::assert_code(&out, 0);
    let html = support::read_shared_page(&file, &repo);
    assert!(!html.contains("x<y>"), "{html}");
    assert!(html.contains(
        "<tr><td><code>include/qemu/x&lt;y&gt;&amp;z.h</code></td><td><span style=\"color:#3a9a4b;font-weight:600\">core</span></td><td><b>only</b></td><td>crypto/x.c</td></tr>"
    ), "{html}");
    let include = map_box(&html, "include/: core (5 files)\n");
    assert!(
        include.contains(
            "\ninclude/qemu/x&lt;y&gt;&amp;z.h: only tier critical&#39;s code includes it"
        ),
        "{include}"
    );
    assert_eq!(mark_of(include), ("hatched", "2 only · 2 shared"));

    // Nothing reached: the map is drawn unmarked, the sentence says why.
    let unmarked_page = |args: &[&str]| -> String {
        let out = repo.tiergate(&[&["boundary", "--html", path], args].concat());
        support::assert_code(&out, 0);
        let html = support::read_shared_page(&file, &repo);
        assert!(!tree_map(&html).contains("fill=\"none\""), "{html}");
        html
    };
    let html = unmarked_page(&["--include-root", "nowhere"]);
    assert!(html.contains(
        "<h2>Tier <code>critical</code> (ai: forbidden)</h2><p>Tier critical: its code includes no file outside forbidden tiers.</p><p class=\"muted\">"
    ), "{html}");
    assert!(!html.contains("<table>"), "{html}");
    repo.write(
        "policy.yaml",
        &BOUNDARY_POLICY.replace(", ai: forbidden", ""),
    );
    let html = unmarked_page(&[]);
    assert!(html.contains(
        "<p>no tier has `ai: forbidden`: there is no boundary to follow.</p><p class=\"muted\">"
    ), "{html}");
    assert!(!html.contains("<h2>"), "{html}");
}

#[test]
fn errors_are_plain_unless_a_terminal_or_clicolor_force_and_never_with_no_color() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let run = |env: &[(&str, &str)]| {
        let mut cmd = support::tiergate_cmd(tmp.path());
        cmd.env_remove("NO_COLOR").args(["check", "HEAD"]);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = support::output(&mut cmd);
        support::assert_code(&out, 3);
        stderr(&out)
    };
    // stderr is a pipe here, not a terminal: no escapes.
    let plain = run(&[]);
    assert!(plain.starts_with("Error: "), "{plain}");
    assert!(!plain.contains('\x1b'), "{plain:?}");
    assert!(
        plain.contains("\nHint: Run tiergate inside a git repository"),
        "{plain}"
    );
    assert_eq!(run(&[("CLICOLOR_FORCE", "0")]), plain);
    assert_eq!(run(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]), plain);
    let forced = run(&[("CLICOLOR_FORCE", "1")]);
    assert_eq!(
        forced,
        plain
            .replace("Error:", "\x1b[1;31mError:\x1b[0m")
            .replace("Hint:", "\x1b[1;36mHint:\x1b[0m")
    );
}

/// `--color never|always` wins over the environment, and the diagnostics
/// log (`-v`, `RUST_LOG`) has no escape sequences when stderr is not a
/// terminal.
#[test]
fn color_flag_and_plain_logs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = support::tiergate_cmd(tmp.path());
        cmd.env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = support::output(&mut cmd);
        support::assert_code(&out, 3);
        stderr(&out)
    };
    let plain = run(&["check", "HEAD"], &[]);
    assert!(!plain.contains('\x1b'), "{plain:?}");
    assert_eq!(
        run(
            &["check", "HEAD", "--color", "never"],
            &[("CLICOLOR_FORCE", "1")]
        ),
        plain
    );
    let forced = run(
        &["--color", "always", "check", "HEAD"],
        &[("NO_COLOR", "1")],
    );
    assert!(forced.starts_with("\x1b[1;31mError:\x1b[0m"), "{forced:?}");
    // A WARN line in a pipe: plain (it had escapes before).
    std::fs::write(tmp.path().join("empty.mbox"), "").expect("write");
    std::fs::write(tmp.path().join("p.yaml"), POLICY).expect("write");
    let mut cmd = support::tiergate_cmd(tmp.path());
    cmd.env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .args(["--policy", "p.yaml", "check-patch", "empty.mbox"]);
    let logged = stderr(&support::output(&mut cmd));
    assert!(logged.contains("WARN"), "{logged:?}");
    assert!(!logged.contains('\x1b'), "{logged:?}");
}

/// A tree with more C files than one reader takes on (`tiergate boundary`
/// reads the first tree with a thread per core, each with its own `git
/// cat-file --batch`): the same answer as with one (`TIERGATE_JOBS=1`).
#[test]
fn boundary_reads_a_big_tree_with_every_core_alike() {
    let repo = support::Repo::new();
    repo.write(
        "policy.yaml",
        "version: 1\ntiers:\n  - { name: critical, paths: [ \"crypto/\" ], ai: forbidden }\n  - { name: core, paths: [ \"**\" ] }\n",
    );
    let mut files: Vec<(String, String)> = vec![
        (
            "crypto/aes.c".into(),
            "#include <crypto/aes.h>\n#include <shared.h>\n".into(),
        ),
        (
            "include/crypto/aes.h".into(),
            "#include \"tables.h\"\n".into(),
        ),
        ("include/crypto/tables.h".into(), String::new()),
        ("include/shared.h".into(), String::new()),
    ];
    for i in 0..700 {
        files.push((
            format!("src/m{}/f{i}.c", i / 50),
            format!("#include <shared.h>\n#include \"f{i}.h\"\nint f{i};\n"),
        ));
        files.push((
            format!("src/m{}/f{i}.h", i / 50),
            format!("int f{i}(void);\n"),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    repo.commit(&refs, "a big tree");
    let head = repo.git(&["rev-parse", "HEAD"]);
    let expected = format!(
        "\
tier 'critical': its code includes 3 files outside it, 2 included by nothing else:
  include/crypto/aes.h     core  only    included by crypto/aes.c
  include/crypto/tables.h  core  only    included by include/crypto/aes.h
  include/shared.h         core  shared  included by crypto/aes.c
HEAD ({}): 1404 C/C++ files read for #include (roots: include)
",
        &head.trim()[..12]
    );
    let run = |jobs: &str| {
        support::tiergate_cmd(repo.path())
            .arg("boundary")
            .env("TIERGATE_JOBS", jobs)
            .output()
            .expect("spawn tiergate")
    };
    let parallel = run("2");
    support::assert_code(&parallel, 0);
    assert_eq!(support::stdout(&parallel), expected);
    std::fs::remove_dir_all(repo.path().join(".git/tiergate")).expect("forget the graph");
    let one = run("1");
    support::assert_code(&one, 0);
    assert_eq!(support::stdout(&one), expected);
}
