//! `cargo xtask lab security [LAB]`: every attack against both halves, as a table.
//!
//! ```text
//! lab                 OWASP         vulnerable  fixed  attack / defence
//! indirect-injection  MCP06, MCP10  leaked      safe   planted instructions ... / path confinement ...
//! ```
//!
//! "leaked" means the sink recorded a canary or the victim's token; a lab is as expected when
//! its vulnerable half leaks and its fixed half does not. The command fails otherwise.

use crate::attack::{Outcome, Stack};
use crate::catalog::{LabName, Mode};

/// One lab's row.
#[derive(Debug, Clone)]
pub struct Row {
    /// The lab.
    pub lab: LabName,
    /// Against the vulnerable server.
    pub vulnerable: Outcome,
    /// Against the fixed server.
    pub fixed: Outcome,
}

impl Row {
    /// Vulnerable leaked, fixed did not.
    pub fn as_expected(&self) -> bool {
        self.vulnerable.leaked && !self.fixed.leaked
    }
}

/// Runs the attacks of `labs` (all when empty) against both modes.
pub async fn run(labs: &[LabName]) -> anyhow::Result<Vec<Row>> {
    let labs: Vec<LabName> = if labs.is_empty() {
        LabName::ALL.to_vec()
    } else {
        labs.to_vec()
    };
    let stack = Stack::start().await?;
    let mut rows = Vec::new();
    for lab in labs {
        let vulnerable = stack.attack(lab, Mode::Vulnerable).await?;
        let fixed = stack.attack(lab, Mode::Fixed).await?;
        rows.push(Row {
            lab,
            vulnerable,
            fixed,
        });
    }
    stack.shutdown().await;
    Ok(rows)
}

/// The table.
pub fn table(rows: &[Row]) -> String {
    let yes_no = |o: &Outcome| if o.leaked { "yes" } else { "no" };
    let mut out = format!(
        "{:<19} {:<13} {:<11} {:<6} {}\n",
        "lab", "OWASP", "vulnerable", "fixed", "attack / defence"
    );
    for row in rows {
        let info = row.lab.info();
        out.push_str(&format!(
            "{:<19} {:<13} {:<11} {:<6} {} / {}\n",
            row.lab.as_str(),
            info.owasp,
            yes_no(&row.vulnerable),
            yes_no(&row.fixed),
            info.attack,
            info.defence,
        ));
    }
    out.push_str(
        "\nvulnerable/fixed: did a canary (or the victim's token) reach the exfiltration sink?\n",
    );
    for row in rows {
        out.push_str(&format!(
            "  {}: vulnerable: {}; fixed: {}\n",
            row.lab, row.vulnerable.evidence, row.fixed.evidence
        ));
    }
    out
}

/// The command: prints the table; an error when some lab did not behave as expected.
pub async fn main(labs: &[String]) -> anyhow::Result<()> {
    let mut chosen = Vec::new();
    for name in labs {
        match LabName::parse(name) {
            Some(lab) => chosen.push(lab),
            None => anyhow::bail!(
                "no lab named {name:?}; the labs are: {}",
                LabName::ALL.map(LabName::as_str).join(", ")
            ),
        }
    }
    let rows = run(&chosen).await?;
    print!("{}", table(&rows));
    let wrong: Vec<&str> = rows
        .iter()
        .filter(|r| !r.as_expected())
        .map(|r| r.lab.as_str())
        .collect();
    if wrong.is_empty() {
        println!("\nevery attack succeeded against vulnerable and failed against fixed");
        Ok(())
    } else {
        anyhow::bail!("not as expected: {}", wrong.join(", "))
    }
}
