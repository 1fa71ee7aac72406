//! `tiergate explain RULE-CODE`.

use crate::exit::{usage, Outcome};
use crate::Global;
use tiergate_core::report;
use tiergate_core::rules::RuleCode;

/// Arguments of `tiergate explain`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A rule code as printed in violations, e.g. `ai-forbidden-tier`
    #[arg(value_name = "RULE-CODE")]
    pub rule: String,
}

/// Run `tiergate explain`.
pub fn run(_global: &Global, args: Args) -> anyhow::Result<Outcome> {
    let Some(rule) = RuleCode::from_code(&args.rule) else {
        let known: Vec<&str> = RuleCode::ALL.iter().map(|r| r.as_str()).collect();
        return Err(usage(
            format!("unknown rule code '{}'", args.rule),
            Some(&format!("Use one of: {}.", known.join(", "))),
        ));
    };
    println!("{}", report::explanation(rule));
    Ok(Outcome::Pass)
}
