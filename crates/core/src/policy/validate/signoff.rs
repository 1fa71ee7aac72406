//! `signoff:`.

use super::Validator;
use crate::policy::node::SNode;
use crate::policy::Signoff;

pub(super) const SIGNOFF_KEYS: &[&str] = &["required"];

impl Validator<'_> {
    pub(super) fn signoff(&mut self, node: Option<&SNode>) -> Option<Signoff> {
        let Some(node) = node else {
            return Some(Signoff::default());
        };
        let fields = self.mapping(node, "`signoff`", SIGNOFF_KEYS)?;
        match fields.get("required") {
            Some(n) => self
                .boolean(n, "`signoff.required`")
                .map(|required| Signoff { required }),
            None => Some(Signoff::default()),
        }
    }
}
