//! Why the server hook could not judge a push, as it tells the pusher
//! (`Error:`, `Caused by:`, `Hint:`) and the audit log (one line).

/// Why the hook could not judge: the message, the chain of causes, a
/// hint, and the exit code the hook refuses with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    code: u8,
    message: String,
    causes: Vec<String>,
    hint: Option<String>,
}

impl Problem {
    /// A problem that refuses with exit `code` (2: usage or policy, 3: git
    /// or I/O).
    pub fn new(code: u8, message: impl Into<String>) -> Problem {
        Problem {
            code,
            message: message.into(),
            causes: Vec::new(),
            hint: None,
        }
    }

    /// Add `error` and its sources as causes (a cause that repeats the one
    /// before it, as wrapping errors often do, is written once).
    pub fn caused_by(mut self, error: &dyn std::error::Error) -> Problem {
        let mut cause: Option<&dyn std::error::Error> = Some(error);
        while let Some(e) = cause {
            let text = e.to_string();
            if self.causes.last() != Some(&text) {
                self.causes.push(text);
            }
            cause = e.source();
        }
        self
    }

    /// Add a hint (an imperative sentence).
    pub fn hint(mut self, hint: &str) -> Problem {
        self.hint = Some(hint.to_owned());
        self
    }

    /// The exit code the hook refuses with.
    pub fn code(&self) -> u8 {
        self.code
    }

    /// The problem as the pusher reads it: `Error: ...`, the numbered
    /// causes, the hint.
    pub fn render(&self) -> String {
        let mut out = format!("Error: {}\n", self.message);
        if !self.causes.is_empty() {
            out.push_str("Caused by:\n");
            for (i, cause) in self.causes.iter().enumerate() {
                for (j, line) in cause.lines().enumerate() {
                    if j == 0 {
                        out.push_str(&format!("{:>4}: {line}\n", i + 1));
                    } else {
                        out.push_str(&format!("      {line}\n"));
                    }
                }
            }
        }
        if let Some(hint) = &self.hint {
            out.push_str(&format!("Hint: {hint}\n"));
        }
        out
    }

    /// The problem on one line (the audit record's `error`): the message
    /// and the first line of each cause.
    pub fn summary(&self) -> String {
        let mut s = self.message.clone();
        for cause in &self.causes {
            s.push_str(": ");
            s.push_str(cause.lines().next().unwrap_or(""));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_causes_once_and_the_hint() {
        let inner = std::io::Error::other("disk full\nsecond line");
        let problem = Problem::new(3, "tiergate: cannot write")
            .caused_by(&inner)
            .hint("Free some space.");
        assert_eq!(problem.code(), 3);
        assert_eq!(
            problem.render(),
            "Error: tiergate: cannot write\nCaused by:\n   1: disk full\n      second line\nHint: Free some space.\n"
        );
        assert_eq!(problem.summary(), "tiergate: cannot write: disk full");
        assert_eq!(Problem::new(2, "x").render(), "Error: x\n");
    }
}
