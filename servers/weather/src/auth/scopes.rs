//! Which scope each MCP method needs.
//!
//! The API registration exposes three delegated scopes and each guards what it names:
//! `MCP.Tools` for `tools/*`, `MCP.Resources` for `resources/*`, `MCP.Prompts` for `prompts/*`.
//! Everything else (`initialize`, `ping`, notifications, the GET stream, DELETE) needs a valid
//! access token with at least one of them.
//!
//! Clients request scopes by their full name, `api://<api-client-id>/MCP.Tools`, while Entra puts
//! only the short name in the token's `scp` claim. Both forms live here so the rest of the code
//! never builds them by hand.

/// One of the API's delegated scopes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// `MCP.Tools`: list and call tools.
    Tools,
    /// `MCP.Resources`: list and read resources and resource templates.
    Resources,
    /// `MCP.Prompts`: list and get prompts.
    Prompts,
}

impl Scope {
    /// Every scope, in the order they are advertised.
    pub const ALL: [Scope; 3] = [Scope::Tools, Scope::Resources, Scope::Prompts];

    /// The short name, as found in the token's `scp` claim.
    pub fn short_name(self) -> &'static str {
        match self {
            Scope::Tools => "MCP.Tools",
            Scope::Resources => "MCP.Resources",
            Scope::Prompts => "MCP.Prompts",
        }
    }

    /// The full name a client asks for: `api://<audience>/MCP.Tools`.
    pub fn full_name(self, audience: &str) -> String {
        format!("api://{audience}/{}", self.short_name())
    }

    /// The short name back to a scope.
    pub fn from_short_name(name: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.short_name() == name)
    }

    /// The scope a JSON-RPC method needs, or `None` when any of the API's scopes will do.
    pub fn required_for(method: &str) -> Option<Scope> {
        let family = method.split('/').next().unwrap_or("");
        match family {
            "tools" => Some(Scope::Tools),
            "resources" => Some(Scope::Resources),
            "prompts" => Some(Scope::Prompts),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_scope_guards_what_it_names() {
        assert_eq!(Scope::required_for("tools/call"), Some(Scope::Tools));
        assert_eq!(Scope::required_for("tools/list"), Some(Scope::Tools));
        assert_eq!(
            Scope::required_for("resources/read"),
            Some(Scope::Resources)
        );
        assert_eq!(
            Scope::required_for("resources/templates/list"),
            Some(Scope::Resources)
        );
        assert_eq!(Scope::required_for("prompts/get"), Some(Scope::Prompts));
        assert_eq!(Scope::required_for("initialize"), None);
        assert_eq!(Scope::required_for("notifications/initialized"), None);
        // A method that only *starts* like a family name is not in it.
        assert_eq!(Scope::required_for("toolsmith"), None);
    }

    #[test]
    fn names_round_trip() {
        for s in Scope::ALL {
            assert_eq!(Scope::from_short_name(s.short_name()), Some(s));
        }
        assert_eq!(Scope::Tools.full_name("abc"), "api://abc/MCP.Tools");
    }
}
