//! Canary secrets: random values planted in the lab's confidential data at every start.
//!
//! A canary has no meaning except "if you see this outside the lab, it leaked". Because it is
//! random per start, a test (or the sink's operator) cannot confuse a leak with a value that was
//! written in a document or a test file: the only way it reaches the sink is through the attack.
//! Canaries are printed in the lab's own log at start, so the instructor can point at them, and
//! nowhere else.

use std::fmt;

/// The secrets of one lab run.
#[derive(Clone)]
pub struct Canaries {
    /// Planted in `confidential/payroll.txt`.
    pub payroll: String,
    /// The database password in the server's configuration.
    pub db_password: String,
    /// A social security number in the user directory.
    pub ssn: String,
}

impl Canaries {
    /// Fresh random canaries.
    pub fn random() -> Self {
        Self {
            payroll: format!("CANARY-PAYROLL-{}", hex(8)),
            db_password: format!("CANARY-DBPASS-{}", hex(8)),
            ssn: format!("CANARY-SSN-{}", hex(6)),
        }
    }

    /// Every canary, for "did any of them leak?".
    pub fn all(&self) -> [&str; 3] {
        [&self.payroll, &self.db_password, &self.ssn]
    }

    /// The first canary found in `text`, if any.
    pub fn found_in(&self, text: &str) -> Option<&str> {
        self.all().into_iter().find(|c| text.contains(c))
    }
}

/// Debug output never shows the values (a canary in a panic message would be a leak).
impl fmt::Debug for Canaries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Canaries { .. }")
    }
}

/// `bytes` random bytes as lowercase hex.
fn hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(&mut buf[..]);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canaries_are_random_and_found() {
        let a = Canaries::random();
        let b = Canaries::random();
        assert_ne!(a.payroll, b.payroll);
        assert_eq!(a.found_in(&format!("x {} y", a.ssn)), Some(a.ssn.as_str()));
        assert_eq!(a.found_in(&b.payroll), None);
        assert!(!format!("{a:?}").contains("CANARY"));
    }
}
