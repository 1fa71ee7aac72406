//! `tiergate explain RULE-CODE`.

use crate::exit::{usage, Outcome};
use crate::Global;
use tiergate_core::output::verdict;
use tiergate_core::rules::RuleCode;

/// Arguments of `tiergate explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A rule code as printed in violations, e.g. `ai-forbidden-tier`
    /// (`error[ai-forbidden-tier]` and `tiergate/ai-forbidden-tier`, as
    /// copied from tiergate's output, work too)
    #[arg(value_name = "RULE-CODE")]
    pub rule: String,
}

/// The rule code in what a user pasted: any case, with the `error[...]` /
/// `warning[...]` of human output, the `tiergate/` of a GitLab check name
/// or the `tiergate ` of a GitHub annotation title around it.
fn normalize(input: &str) -> String {
    let mut code = input.trim().to_ascii_lowercase();
    for prefix in ["error[", "warning[", "tiergate/", "tiergate "] {
        if let Some(rest) = code.strip_prefix(prefix) {
            code = rest.to_owned();
        }
    }
    code.trim_end_matches(':')
        .trim_end_matches(']')
        .trim()
        .replace('_', "-")
}

/// Run `tiergate explain`.
pub fn run(_global: &Global, args: Args) -> anyhow::Result<Outcome> {
    let code = normalize(&args.rule);
    let Some(rule) = RuleCode::from_code(&code) else {
        let known: Vec<&str> = RuleCode::ALL.iter().map(|r| r.as_str()).collect();
        let close: Vec<&str> = known
            .iter()
            .copied()
            .filter(|k| !code.is_empty() && k.contains(code.as_str()))
            .collect();
        let hint = match close.as_slice() {
            [one] => format!(
                "Did you mean `{one}`? The rule codes: {}.",
                known.join(", ")
            ),
            _ => format!("Use one of: {}.", known.join(", ")),
        };
        return Err(usage(
            format!("unknown rule code '{}'", args.rule),
            Some(&hint),
        ));
    };
    println!("{}", verdict::explanation(rule));
    Ok(Outcome::Pass)
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn codes_pasted_from_output_are_understood() {
        for input in [
            "ai-forbidden-tier",
            "AI-Forbidden-Tier",
            "error[ai-forbidden-tier]",
            "error[ai-forbidden-tier]:",
            "warning[ai-forbidden-tier]",
            "tiergate/ai-forbidden-tier",
            "tiergate ai-forbidden-tier",
            " ai_forbidden_tier ",
        ] {
            assert_eq!(normalize(input), "ai-forbidden-tier", "{input}");
        }
    }
}
