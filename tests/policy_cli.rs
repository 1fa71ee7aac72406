mod support;

// `tiergate policy validate|init`, driven through the binary.

use std::path::Path;

const GOOD: &str = "version: 1\ntiers:\n  - name: critical\n    paths: [ \"crypto/\" ]\n    ai: forbidden\n  - name: open\n    paths: [ \"docs/\" ]\n";

fn tiergate(dir: &Path, args: &[&str]) -> std::process::Output {
    support::tiergate_cmd(dir)
        .args(args)
        .output()
        .expect("spawn tiergate")
}

#[test]
fn validate_reports_typo_with_location_and_suggestion() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("policy.yaml"),
        "version: 1\ntier:\n  - name: open\n    paths: [ docs/ ]\n",
    )
    .expect("write");
    let out = tiergate(dir.path(), &["policy", "validate", "policy.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{}", support::stderr(&out));
    assert_eq!(support::stdout(&out), "");
    assert_eq!(
        support::stderr(&out),
        "\
error: unknown key `tier` in policy
 --> policy.yaml:2:1
  |
2 | tier:
  | ^^^^
  |
  = help: did you mean `tiers`?
"
    );
}

#[test]
fn validate_reports_every_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("p.yaml"),
        "version: 1\nmode: enforced\ntiers:\n  - name: a\n    paths: [ \"hw/[virtio\" ]\n    ai: maybe\n",
    )
    .expect("write");
    let out = tiergate(dir.path(), &["policy", "validate", "p.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = support::stderr(&out);
    assert!(err.contains(" --> p.yaml:2:7"), "{err}");
    assert!(err.contains(" --> p.yaml:5:14"), "{err}");
    assert!(err.contains(" --> p.yaml:6:9"), "{err}");
    assert!(err.contains("expected one of: forbidden, allowed"), "{err}");
    assert!(err.ends_with("error: 3 problems in p.yaml\n"), "{err}");
}

#[test]
fn validate_two_yaml_documents() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("two.yaml"),
        format!("{GOOD}---\nversion: 1\n"),
    )
    .expect("write");
    let out = tiergate(dir.path(), &["policy", "validate", "two.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(support::stdout(&out), "");
    assert_eq!(
        support::stderr(&out),
        "\
error: invalid YAML: a policy is one YAML document, but this file holds more than one
 --> two.yaml:8:1
  |
8 | ---
  | ^^^ a second document starts here
  |
  = help: remove this `---` line and what follows it, or merge the documents into one mapping
"
    );
    // A `---` that opens the only document is fine.
    std::fs::write(dir.path().join("one.yaml"), format!("# c\n---\n{GOOD}")).expect("write");
    let out = tiergate(dir.path(), &["policy", "validate", "one.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
}

#[test]
fn validate_good_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("good.yaml"), GOOD).expect("write");
    let out = tiergate(dir.path(), &["policy", "validate", "good.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    assert_eq!(
        support::stdout(&out),
        "good.yaml: valid (2 tiers: critical, open)\n"
    );
    assert_eq!(support::stderr(&out), "");

    let out = tiergate(dir.path(), &["-q", "policy", "validate", "good.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(support::stdout(&out), "");

    let out = tiergate(
        dir.path(),
        &["policy", "validate", "--format", "json", "good.yaml"],
    );
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["valid"], true);
    assert_eq!(doc["tiers"], serde_json::json!(["critical", "open"]));
    assert_eq!(doc["default_tier"], "open");
}

#[test]
fn validate_without_file_uses_the_policy_tiergate_would_use() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("other.yaml"), GOOD).expect("write");
    let out = tiergate(
        dir.path(),
        &["--policy", "other.yaml", "policy", "validate"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    assert!(
        support::stdout(&out).starts_with("other.yaml: valid (2 tiers"),
        "{}",
        support::stdout(&out)
    );
}

#[test]
fn validate_missing_file_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = tiergate(dir.path(), &["policy", "validate", "nope.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        support::stderr(&out).contains("cannot read policy nope.yaml"),
        "{}",
        support::stderr(&out)
    );
}

#[test]
fn validate_non_utf8_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("bin.yaml"), b"version: 1\n\xff\xfe\x00").expect("write");
    let out = tiergate(dir.path(), &["policy", "validate", "bin.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = support::stderr(&out);
    assert!(
        err.starts_with("error: policy is not valid UTF-8\n --> bin.yaml:2:1\n"),
        "{err}"
    );
}

#[test]
fn init_output_validates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = tiergate(dir.path(), &["policy", "init"]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    let starter = support::stdout(&out);
    assert!(starter.contains("version: 1"), "{starter}");
    std::fs::write(dir.path().join("policy.yaml"), &starter).expect("write");
    let out = tiergate(dir.path(), &["policy", "validate", "policy.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    assert_eq!(
        support::stdout(&out),
        "policy.yaml: valid (3 tiers: critical, core, open)\n"
    );
}

#[test]
fn init_output_writes_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = tiergate(dir.path(), &["policy", "init", "--output", "policy.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    assert_eq!(support::stdout(&out), "");
    let written = std::fs::read_to_string(dir.path().join("policy.yaml")).expect("read");
    let printed = support::stdout(&tiergate(dir.path(), &["policy", "init"]));
    assert_eq!(written, printed);
    let out = tiergate(dir.path(), &["policy", "validate", "policy.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));

    std::fs::write(dir.path().join("policy.yaml"), "mine\n").expect("write");
    let out = tiergate(dir.path(), &["policy", "init", "--output", "policy.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = support::stderr(&out);
    assert!(
        err.starts_with("Error: refusing to overwrite policy.yaml\n"),
        "{err}"
    );
    assert!(err.contains("Hint: Remove policy.yaml first"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("policy.yaml")).expect("read"),
        "mine\n",
        "the existing file is untouched"
    );
}

#[test]
fn project_policy_validates() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = tiergate(&root, &["policy", "validate", "policy.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    assert_eq!(
        support::stdout(&out),
        "policy.yaml: valid (3 tiers: critical, core, open)\n"
    );
}

#[test]
fn validate_refuses_patterns_the_classifier_cannot_build() {
    // 100,000 `*` is a valid glob but not a matcher: `policy validate`
    // must say so, not let the policy fail when a commit is judged.
    let dir = tempfile::tempdir().expect("tempdir");
    let stars = "*".repeat(100_000);
    std::fs::write(
        dir.path().join("p.yaml"),
        format!("version: 1\ntiers:\n  - name: a\n    paths: [ \"{stars}\" ]\n  - name: b\n    paths: [ docs/ ]\n"),
    )
    .expect("write");
    let out = tiergate(dir.path(), &["policy", "validate", "p.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{}", support::stderr(&out));
    let err = support::stderr(&out);
    assert!(
        err.starts_with(
            "error: path pattern in `paths` of tier `a` is too complex\n --> p.yaml:4:14\n"
        ),
        "{err}"
    );
    assert!(err.len() < 2000, "the snippet is elided: {err}");
    // The same policy is refused wherever it is loaded (exit 2).
    let out = tiergate(dir.path(), &["--policy", "p.yaml", "classify", "x.c"]);
    assert_eq!(out.status.code(), Some(2), "{}", support::stderr(&out));
}

/// A QEMU-like tree and a policy with a typo (`hw/virtio-net/`), a pattern
/// an earlier tier takes whole (`crypto/aes.c`) and an `except` entry that
/// excepts nothing.
fn lint_repo() -> support::Repo {
    let repo = support::Repo::new();
    repo.write(
        "policy.yaml",
        r#"version: 1
tiers:
  - name: critical
    paths: [ "crypto/", "hw/virtio-net/", "block/qcow2*" ]
    except: [ "crypto/README" ]
    ai: forbidden
  - name: core
    paths: [ "block/", "crypto/aes.c" ]
  - name: open
    paths: [ "docs/" ]
default_tier: core
"#,
    );
    repo.commit(
        &[
            ("crypto/aes.c", "aes\n"),
            ("block/qcow2.c", "qcow2\n"),
            ("block/raw.c", "raw\n"),
            ("docs/index.rst", "docs\n"),
            ("net/net.c", "net\n"),
            ("configure", "#!/bin/sh\n"),
        ],
        "tree",
    );
    repo
}

#[test]
fn lint_warns_about_patterns_the_tree_contradicts() {
    let repo = lint_repo();
    let head = repo.git(&["rev-parse", "HEAD"]);
    let out = repo.tiergate(&["policy", "lint"]);
    support::assert_code(&out, 1);
    assert_eq!(support::stderr(&out), "");
    assert_eq!(
        support::stdout(&out),
        format!(
            "\
warning[matches-nothing]: pattern \"hw/virtio-net/\" of tier 'critical' matches no file
  --> policy.yaml:4:25
  = fix: Correct the pattern (a typo, a moved directory?) or remove it; `tiergate classify --explain PATH` shows how a path is matched.

warning[excepts-nothing]: except entry \"crypto/README\" of tier 'critical' takes no file out of the tier
  --> policy.yaml:5:15
  = fix: Remove the entry, or correct it to name paths that tier 'critical' matches.

warning[shadowed]: pattern \"crypto/aes.c\" of tier 'core' decides nothing: every file it matches is in an earlier tier ('critical')
  --> policy.yaml:8:24
  = fix: Remove the pattern, or move tier 'core' before 'critical' if these files belong to it (the first tier that matches a path wins).

note: 1 directory with files in more than one tier (deliberate, or a pattern to widen):
  block/  critical 1, core 1
note: 2 of 7 files are named by no pattern and are in the default tier 'core': configure 1, net/ 1
policy.yaml against HEAD ({}, 7 files): 3 warnings
",
            &head.trim()[..12]
        )
    );
}

#[test]
fn lint_passes_a_policy_that_fits_and_reads_other_revisions() {
    let repo = lint_repo();
    repo.write(
        "fits.yaml",
        "version: 1\ntiers:\n  - { name: critical, paths: [ \"crypto/\", \"block/qcow2*\" ], ai: forbidden }\n  - { name: core, paths: [ \"block/\", \"net/\", \"configure\", \"*.yaml\" ] }\n  - { name: open, paths: [ \"docs/\" ] }\n",
    );
    let out = repo.tiergate(&["policy", "lint", "fits.yaml", "--quiet"]);
    support::assert_code(&out, 0);
    assert_eq!(support::stdout(&out), "");
    // Against the empty first commit every pattern matches nothing.
    repo.commit(&[("crypto/des.c", "des\n")], "second");
    let out = repo.tiergate(&[
        "policy",
        "lint",
        "fits.yaml",
        "--rev",
        "HEAD~1",
        "--format",
        "json",
    ]);
    support::assert_code(&out, 0);
    let doc: serde_json::Value = serde_json::from_str(&support::stdout(&out)).expect("json");
    assert_eq!(doc["lint"]["files"], 7);
    assert_eq!(doc["lint"]["findings"], serde_json::json!([]));
    let out = repo.tiergate(&["policy", "lint", "--rev", "no-such-rev"]);
    support::assert_code(&out, 2);
}

/// `policy.yaml` read as YAML, as the JSON value a schema validator sees.
fn yaml_value(text: &str) -> serde_json::Value {
    serde_saphyr::from_str(text).expect("YAML")
}

/// The JSON Schema (`tiergate policy schema`) accepts the policies tiergate
/// ships (this repository's, the starter) and refuses what the validator
/// refuses in shape: an unknown key, a wrong enum value, a missing tier
/// list.
#[test]
fn schema_accepts_the_shipped_policies_and_refuses_bad_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = tiergate(dir.path(), &["policy", "schema"]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).expect("schema is JSON");
    let validator = jsonschema::draft7::new(&schema).expect("a valid draft-07 schema");
    let repo_policy =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policy.yaml"))
            .expect("policy.yaml");
    let starter = support::stdout(&tiergate(dir.path(), &["policy", "init"]));
    for (name, text) in [
        ("policy.yaml", repo_policy.as_str()),
        ("starter", starter.as_str()),
        ("good", GOOD),
    ] {
        let value = yaml_value(text);
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
    for bad in [
        "version: 1\ntier: []\n",
        "version: 1\ntiers:\n  - { name: a, paths: [ x/ ], ai: maybe }\n",
        "version: 2\ntiers:\n  - { name: a, paths: [ x/ ] }\n",
        "version: 1\ntiers:\n  - { name: a, paths: [ x/ ], require: [ { trailer: R, stages: [ later ] } ] }\n",
    ] {
        assert!(!validator.is_valid(&yaml_value(bad)), "{bad}");
        // ... and `policy validate` refuses it too.
        std::fs::write(dir.path().join("bad.yaml"), bad).expect("write");
        let out = tiergate(dir.path(), &["policy", "validate", "bad.yaml"]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
    }
}
