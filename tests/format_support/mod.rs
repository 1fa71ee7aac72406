//! Checks of tiergate's machine formats shared by the tests that produce
//! them (tests/snapshots.rs, tests/ci_github.rs, tests/ci_gitlab.rs): SARIF
//! against the official schema, JUnit XML through an XML parser.
#![allow(dead_code)]

/// The SARIF 2.1.0 schema of the OASIS standard (errata 01), vendored from
/// oasis-tcs/sarif-spec (sarif-2.1/schema/sarif-schema-2.1.0.json).
const SARIF_SCHEMA: &str = include_str!("../fixtures/sarif-schema-2.1.0.json");

/// Validate `log` against the SARIF 2.1.0 schema; panic with every error.
#[track_caller]
pub fn assert_valid_sarif(log: &serde_json::Value) {
    let schema: serde_json::Value = serde_json::from_str(SARIF_SCHEMA).expect("schema is JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

/// An XML element as [`assert_junit_well_formed`] read it.
#[derive(Debug)]
pub struct Element {
    /// The element's name.
    pub name: String,
    /// Its attributes, values unescaped, in document order.
    pub attrs: Vec<(String, String)>,
    /// Its own text (not its children's), unescaped.
    pub text: String,
}

/// Parse `xml` with quick-xml to its end; panic at the first error, and
/// on any character XML 1.0 forbids. Returns every element in document
/// order: name, attributes (unescaped) and its own text (unescaped).
#[track_caller]
pub fn assert_junit_well_formed(xml: &[u8]) -> Vec<Element> {
    use quick_xml::events::Event;
    use quick_xml::XmlVersion;
    let forbidden = xml
        .iter()
        .position(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'));
    assert_eq!(forbidden, None, "{}", String::from_utf8_lossy(xml));
    let mut reader = quick_xml::Reader::from_reader(xml);
    reader.config_mut().check_end_names = true;
    let mut elements: Vec<Element> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf).unwrap_or_else(|e| {
            panic!(
                "not well-formed at {}: {e}\n{}",
                reader.buffer_position(),
                String::from_utf8_lossy(xml)
            )
        });
        let text = match &event {
            Event::Start(e) | Event::Empty(e) => {
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.expect("attribute");
                        let value = a
                            .normalized_value(XmlVersion::Explicit1_0)
                            .expect("attribute value")
                            .into_owned();
                        (AsRef::<str>::as_ref(&a.key).to_owned(), value)
                    })
                    .collect();
                let name = AsRef::<str>::as_ref(&e.name()).to_owned();
                elements.push(Element {
                    name,
                    attrs,
                    text: String::new(),
                });
                if matches!(event, Event::Start(_)) {
                    open.push(elements.len() - 1);
                }
                None
            }
            Event::End(_) => {
                open.pop();
                None
            }
            Event::Text(t) => Some(t.xml10_content().into_owned()),
            Event::GeneralRef(r) => {
                let name = r.xml10_content().into_owned();
                Some(match name.as_str() {
                    "amp" => "&".to_owned(),
                    "lt" => "<".to_owned(),
                    "gt" => ">".to_owned(),
                    "quot" => "\"".to_owned(),
                    "apos" => "'".to_owned(),
                    _ => match r.resolve_char_ref().expect("character reference") {
                        Some(c) => c.to_string(),
                        None => panic!("unknown entity &{name};"),
                    },
                })
            }
            Event::Eof => break,
            _ => None,
        };
        if let (Some(text), Some(&i)) = (text, open.last()) {
            elements[i].text.push_str(&text);
        }
        buf.clear();
    }
    assert!(open.is_empty(), "unclosed elements");
    elements
}
