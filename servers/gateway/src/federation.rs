//! Federation: the union of every upstream's tools, prompts, resources and templates, under
//! names that say where each came from.
//!
//! A client of the gateway sees one server. Its `tools/list` is every target's tools, renamed
//! `<target>_<tool>`: `get_stock_price` from target `stock` is `stock_get_stock_price`. Because a
//! target name has no `_` ([`crate::config`] refuses one), splitting at the *first* `_` gives
//! back the target and the upstream name, exactly one way: two upstream tools can never end up
//! with the same gateway name, whatever they are called. Prompts are renamed the same way.
//!
//! Resources keep their URIs (a URI is an address, and `stock://AAPL` must still mean the same
//! thing to whoever reads it), so they are routed by a map instead: the gateway remembers which
//! target listed each URI, and for URIs made from a template (`stock://{symbol}`) which target
//! offers a template with that literal prefix. Two targets listing the same URI is a conflict
//! the first target in the config wins, with a warning.
//!
//! Each target's [`Catalog`] is what its replicas listed last. It is refreshed when a replica
//! comes up and whenever one sends `notifications/{tools,prompts,resources}/list_changed`; the
//! gateway then sends the same notification to its own clients ([`crate::gateway`]).

use rmcp::model::{Prompt, Resource, ResourceTemplate, Tool};
use rmcp::service::{RoleClient, RunningService};
use std::borrow::Cow;

/// What one target offers, under its upstream names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    /// Its tools.
    pub tools: Vec<Tool>,
    /// Its prompts.
    pub prompts: Vec<Prompt>,
    /// Its resources.
    pub resources: Vec<Resource>,
    /// Its resource templates.
    pub templates: Vec<ResourceTemplate>,
}

impl Catalog {
    /// Lists everything `link`'s server declares it has (a capability it does not declare is
    /// not asked for, so a tools-only server is not sent `prompts/list`).
    pub async fn fetch<H: rmcp::ClientHandler>(
        link: &RunningService<RoleClient, H>,
    ) -> Result<Self, rmcp::ServiceError> {
        let caps = link
            .peer_info()
            .map(|i| i.capabilities.clone())
            .unwrap_or_default();
        let mut catalog = Catalog::default();
        if caps.tools.is_some() {
            catalog.tools = link.list_all_tools().await?;
        }
        if caps.prompts.is_some() {
            catalog.prompts = link.list_all_prompts().await?;
        }
        if caps.resources.is_some() {
            catalog.resources = link.list_all_resources().await?;
            catalog.templates = link.list_all_resource_templates().await?;
        }
        Ok(catalog)
    }

    /// The upstream tool called `name`.
    pub fn tool(&self, name: &str) -> Option<&Tool> {
        self.tools.iter().find(|t| t.name == name)
    }

    /// Whether a URI is one of its resources, or fits one of its templates.
    pub fn serves_uri(&self, uri: &str) -> Option<Match> {
        if self.resources.iter().any(|r| r.uri == uri) {
            return Some(Match::Exact);
        }
        self.templates
            .iter()
            .map(|t| literal_prefix(&t.uri_template))
            .filter(|prefix| !prefix.is_empty() && uri.starts_with(prefix))
            .map(|prefix| Match::Template(prefix.len()))
            .max_by_key(|m| match m {
                Match::Template(n) => *n,
                Match::Exact => usize::MAX,
            })
    }
}

/// How well a URI matched a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Match {
    /// By a template, whose literal prefix had this many bytes (longer is more specific).
    Template(usize),
    /// A listed resource.
    Exact,
}

/// The part of a URI template before its first expression: `stock://` for `stock://{symbol}`.
pub fn literal_prefix(template: &str) -> &str {
    template.split('{').next().unwrap_or("")
}

/// The gateway name of upstream `name` from `target`.
pub fn prefixed(target: &str, name: &str) -> String {
    format!("{target}_{name}")
}

/// Splits a gateway name into target and upstream name at the first `_`.
pub fn split(name: &str) -> Option<(&str, &str)> {
    name.split_once('_')
        .filter(|(t, n)| !t.is_empty() && !n.is_empty())
}

/// `tool` renamed for the gateway, its description saying where it runs.
pub fn prefix_tool(target: &str, tool: &Tool) -> Tool {
    let mut tool = tool.clone();
    tool.name = Cow::Owned(prefixed(target, &tool.name));
    tool
}

/// `prompt` renamed for the gateway.
pub fn prefix_prompt(target: &str, prompt: &Prompt) -> Prompt {
    let mut prompt = prompt.clone();
    prompt.name = prefixed(target, &prompt.name);
    prompt
}

/// `resource` with its `name` prefixed (its URI is kept).
pub fn prefix_resource(target: &str, resource: &Resource) -> Resource {
    let mut resource = resource.clone();
    resource.name = prefixed(target, &resource.name);
    resource
}

/// `template` with its `name` prefixed (its URI template is kept).
pub fn prefix_template(target: &str, template: &ResourceTemplate) -> ResourceTemplate {
    let mut template = template.clone();
    template.name = prefixed(target, &template.name);
    template
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_back_one_way() {
        assert_eq!(
            split("stock_get_stock_price"),
            Some(("stock", "get_stock_price"))
        );
        assert_eq!(
            split("weather_get_forecast"),
            Some(("weather", "get_forecast"))
        );
        assert_eq!(split("nounderscore"), None);
        assert_eq!(split("_x"), None);
        assert_eq!(split("x_"), None);
    }

    #[test]
    fn template_prefixes_route_uris() {
        let catalog = Catalog {
            templates: vec![ResourceTemplate::new("stock://{symbol}", "quote")],
            resources: vec![Resource::new("stock://market/summary", "summary")],
            ..Default::default()
        };
        assert_eq!(
            catalog.serves_uri("stock://market/summary"),
            Some(Match::Exact)
        );
        assert_eq!(catalog.serves_uri("stock://AAPL"), Some(Match::Template(8)));
        assert_eq!(catalog.serves_uri("weather://paris"), None);
    }
}
