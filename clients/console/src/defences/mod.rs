//! Client-side defences against hostile servers (lesson 5.8), on with `--defences`.
//!
//! The server is not always on your side. These three run in the console, where the human is:
//!
//! - [`pinning`]: the whole definition of each tool is hashed and kept per server; a tool whose
//!   definition changed (a rug pull) is shown as a diff and withheld until approved;
//! - [`suspicious`]: descriptions with hidden markup, invisible text, instructions or
//!   references to other servers' tools are flagged, and withheld from the model unless the
//!   human lets them through;
//! - [`approval`]: a call to a tool that does not declare itself read-only (or declares itself
//!   destructive) asks first, showing the real arguments, unless `--yes`; the human approves,
//!   denies or edits the arguments (`--approve` sets when it asks, also without `--defences`).
//!
//! Decisions are remembered per definition for the session, so the human is asked once per
//! change, not once per turn.

pub mod approval;
pub mod pinning;
pub mod suspicious;

use crate::handler::Settings;
use crate::input::choose;
use pinning::{PinFile, Status, pin_of};
use rmcp::model::Tool;
use std::collections::HashMap;
use std::path::Path;
use tokio::sync::Mutex;

/// The defences of one session.
#[derive(Debug)]
pub struct Defences {
    enabled: bool,
    pins: Option<Mutex<PinFile>>,
    /// Tool name → (hash of the definition decided on, allowed?).
    decided: Mutex<HashMap<String, (String, bool)>>,
}

impl Default for Defences {
    fn default() -> Self {
        Self::off()
    }
}

impl Defences {
    /// No defences: every tool is offered and every call runs.
    pub fn off() -> Self {
        Defences {
            enabled: false,
            pins: None,
            decided: Mutex::new(HashMap::new()),
        }
    }

    /// Defences on, pinning `server`'s tools in `pin_dir`.
    pub fn on(pin_dir: &Path, server: &str) -> Self {
        Defences {
            enabled: true,
            pins: Some(Mutex::new(PinFile::open(pin_dir, server))),
            decided: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the defences are on.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The tools the model may see and call, out of those the server listed.
    pub async fn review(&self, tools: Vec<Tool>, settings: &Settings) -> Vec<Tool> {
        if !self.enabled {
            return tools;
        }
        let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
        let mut allowed = Vec::new();
        let mut decided = self.decided.lock().await;
        for tool in &tools {
            let hash = pin_of(tool).sha256;
            if let Some((seen, ok)) = decided.get(tool.name.as_ref())
                && *seen == hash
            {
                if *ok {
                    allowed.push(tool.clone());
                }
                continue;
            }
            let ok = self.decide(tool, &names, settings).await;
            decided.insert(tool.name.to_string(), (hash, ok));
            if ok {
                allowed.push(tool.clone());
            }
        }
        if let Some(pins) = &self.pins {
            let pins = pins.lock().await;
            if let Err(e) = pins.save() {
                settings.render.warn(&format!(
                    "cannot save the tool pins in {}: {e}",
                    pins.path().display()
                ));
            }
        }
        allowed
    }

    async fn decide(&self, tool: &Tool, names: &[&str], settings: &Settings) -> bool {
        let render = &settings.render;
        let name = tool.name.as_ref();
        let flags = suspicious::flags(tool.description.as_deref().unwrap_or(""), names);
        let status = match &self.pins {
            Some(pins) => pins.lock().await.check(tool),
            None => Status::Unchanged,
        };
        for flag in &flags {
            render.warn(&format!("suspicious tool {name}: {flag}"));
        }
        let question = match &status {
            Status::Changed(diff) => {
                render.warn(&format!(
                    "tool {name} changed since it was pinned (a rug pull?):\n{diff}"
                ));
                format!("  Accept the new definition of {name}? [y/N] ")
            }
            _ if !flags.is_empty() => format!("  Let the model use {name} anyway? [y/N] "),
            Status::New => {
                render.note(&format!("pinned tool {name}"));
                return true;
            }
            Status::Unchanged => return true,
        };
        let yes = choose(&settings.input, &question, &['y', 'n'], 'n').await == Some('y');
        if !yes {
            render.warn(&format!("{name} is withheld from the model"));
        } else if let (Status::Changed(_), Some(pins)) = (&status, &self.pins) {
            pins.lock().await.approve(tool);
        }
        yes
    }

    /// What the model reads when it calls a tool the defences withheld from it. (Approval of
    /// the calls that may run is [`approval::decide`].)
    pub fn withheld(name: &str) -> String {
        format!("the tool {name} is withheld by the console's defences")
    }
}
