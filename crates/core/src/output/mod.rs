//! Rendering verdicts for people and machines: the human and JSON forms of
//! a check ([`verdict`]), the reviewer's view of one commit ([`show`]),
//! SARIF and JUnit for CI, and the aggregation behind `tiergate report`
//! ([`history`]). Every JSON shape is a serde type defined once here or
//! beside the data it shows (`Violation`'s own `Serialize`).

pub mod history;
pub mod junit;
pub mod sarif;
mod shorten;
pub mod show;
pub mod verdict;
