//! The JSON Schema for editors (`crates/core/policy.schema.json`) says
//! what the validator accepts: every mapping's keys, the rule codes and the
//! stages. A key added to the validator without the schema fails here.

/// The schema file, as shipped in the crate.
pub const SCHEMA: &str = include_str!("../../../policy.schema.json");

#[cfg(test)]
mod tests {
    use super::SCHEMA;
    use std::collections::BTreeSet;

    fn schema() -> serde_json::Value {
        serde_json::from_str(SCHEMA).expect("the schema is JSON")
    }

    fn keys(node: &serde_json::Value) -> BTreeSet<String> {
        node["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("no properties in {node}"))
            .keys()
            .cloned()
            .collect()
    }

    fn set(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn every_mapping_lists_the_keys_the_validator_takes() {
        let s = schema();
        let p = &s["properties"];
        let tier = &p["tiers"]["items"];
        let require = &tier["properties"]["require"]["items"]["oneOf"];
        let cases: [(&str, &serde_json::Value, &[&str]); 16] = [
            ("top", &s, super::super::TOP_KEYS),
            (
                "declaration",
                &p["declaration"],
                super::super::declaration::DECLARATION_KEYS,
            ),
            (
                "markers",
                &p["markers"],
                super::super::markers::MARKERS_KEYS,
            ),
            (
                "markers.extra",
                &p["markers"]["properties"]["extra"]["items"],
                super::super::markers::EXTRA_KEYS,
            ),
            ("tiers[]", tier, super::super::tiers::TIER_KEYS),
            (
                "require {trailer}",
                &require[1],
                super::super::stages::REQUIRE_KEYS,
            ),
            (
                "signoff",
                &p["signoff"],
                super::super::signoff::SIGNOFF_KEYS,
            ),
            ("server", &p["server"], super::super::server::SERVER_KEYS),
            (
                "server.override",
                &p["server"]["properties"]["override"],
                super::super::server::OVERRIDE_KEYS,
            ),
            ("paths", &p["paths"], super::super::paths::PATHS_KEYS),
            (
                "refs[]",
                &p["refs"]["items"],
                super::super::refs::SCOPE_KEYS,
            ),
            (
                "exemptions[]",
                &p["exemptions"]["items"],
                super::super::stages::EXEMPTION_KEYS,
            ),
            (
                "exemptions[].author",
                &p["exemptions"]["items"]["properties"]["author"],
                super::super::stages::AUTHOR_KEYS,
            ),
            (
                "baseline",
                &p["baseline"],
                super::super::stages::BASELINE_KEYS,
            ),
            ("require {any_of}", &require[2], &["any_of"]),
            (
                "includes",
                &p["includes"],
                super::super::includes::INCLUDES_KEYS,
            ),
        ];
        for (what, node, expected) in cases {
            assert_eq!(keys(node), set(expected), "{what}");
        }
    }

    #[test]
    fn rule_codes_and_stages_are_the_engine_s() {
        let s = schema();
        let codes: BTreeSet<String> = s["definitions"]["ruleCode"]["enum"]
            .as_array()
            .expect("enum")
            .iter()
            .map(|v| v.as_str().expect("string").to_owned())
            .collect();
        let engine: BTreeSet<String> = crate::rules::RuleCode::ALL
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect();
        assert_eq!(codes, engine);
        let stages: BTreeSet<String> = s["definitions"]["stages"]["items"]["enum"]
            .as_array()
            .expect("enum")
            .iter()
            .map(|v| v.as_str().expect("string").to_owned())
            .collect();
        assert_eq!(stages, set(&crate::stage::Stage::names()));
    }
}
