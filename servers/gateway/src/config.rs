//! The gateway's configuration: which upstream servers to federate, and how to reach them.
//!
//! A gateway is only as good as the errors its configuration gives. A typo in a 60-line TOML file
//! should not start a gateway that silently forwards nothing, nor stop it with "invalid config".
//! So every value that can be wrong is read with its position ([`toml::Spanned`]), and every
//! error, whether TOML's own (a missing quote) or ours (two targets named `stock`, a transport
//! nobody knows), says `gateway.toml:12: …` and shows the line.
//!
//! The file, in short (the commented example is `servers/gateway/gateway.example.toml`):
//!
//! ```toml
//! listen = "127.0.0.1:8090"
//!
//! [auth]                      # the gateway's own callers; leave out for no authentication
//! issuer = "http://127.0.0.1:8400/<tenant>/v2.0"
//! audience = "<gateway client id>" # the gateway's own app registration
//!
//! [[targets]]
//! name = "stock"              # tools become stock_<tool>
//! transport = "streamable-http"
//! urls = ["http://127.0.0.1:8001/mcp"]     # one URL per replica
//! strategy = "round-robin"    # or least-in-flight, ewma
//! ```
//!
//! [`Config::default()`] is what `mcp-gateway` runs with no `--config`: stock on its classroom
//! port, weather on its own (called on-behalf-of each caller), both as `cargo xtask up` starts
//! them.

use serde::Deserialize;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::ops::Range;
use std::path::Path;
use std::time::Duration;
use toml::Spanned;
use workshop_kit::defaults;

/// A configuration error that names the line it is about.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}\n  {line} | {text}")]
pub struct ConfigError {
    /// The file name as given (`gateway.toml`).
    pub file: String,
    /// The 1-based line number.
    pub line: usize,
    /// The text of that line, for context.
    pub text: String,
    /// What is wrong.
    pub message: String,
}

impl ConfigError {
    fn at(file: &str, source: &str, span: Range<usize>, message: impl Into<String>) -> Self {
        let start = span.start.min(source.len());
        let line = source[..start].matches('\n').count() + 1;
        let text = source
            .lines()
            .nth(line - 1)
            .unwrap_or("")
            .trim_end()
            .to_string();
        Self {
            file: file.to_string(),
            line,
            text,
            message: message.into(),
        }
    }
}

/// The whole gateway configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the Streamable HTTP endpoint listens.
    pub listen: SocketAddr,
    /// How callers authenticate; `None`: no authentication (stdio, or a lab without mock-idp).
    pub auth: Option<CallerAuth>,
    /// Host names accepted in `Host`/`Origin` besides loopback (a classroom LAN address).
    pub allowed_hosts: Vec<String>,
    /// The upstream servers, in the file's order (which is the order of the listings).
    pub targets: Vec<Target>,
}

/// How the gateway checks its callers' bearer tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerAuth {
    /// The issuer every token must name (`iss`).
    pub issuer: String,
    /// The gateway's own audience (`aud`): a token minted for another API is refused.
    pub audience: String,
}

/// One upstream MCP server, possibly several replicas of it.
#[derive(Debug, Clone)]
pub struct Target {
    /// The prefix of everything it offers: tool `quote` becomes `<name>_quote`.
    pub name: String,
    /// How to reach each replica (all of one kind).
    pub replicas: Vec<Endpoint>,
    /// How a call picks among healthy replicas.
    pub strategy: StrategyKind,
    /// Content-based rules: an argument's value narrows the replicas a call may use.
    pub rules: Vec<Rule>,
    /// How long a call may take before the caller gets a tool error.
    pub timeout: Duration,
    /// How often each replica is checked, and the longest wait between checks of a failing one.
    pub health: HealthConfig,
    /// The token the gateway presents to this upstream (never the caller's).
    pub auth: UpstreamAuth,
}

/// How to reach one replica.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A Streamable HTTP URL (`http://127.0.0.1:8001/mcp`).
    StreamableHttp(String),
    /// A legacy HTTP+SSE URL (`http://127.0.0.1:8001/sse`).
    Sse(String),
    /// A program speaking MCP on stdin/stdout: the program and its arguments.
    Stdio(Vec<String>),
}

impl Endpoint {
    /// A short human name for logs, metrics and errors (never a secret: URLs here carry none).
    pub fn label(&self) -> String {
        match self {
            Endpoint::StreamableHttp(u) | Endpoint::Sse(u) => u.clone(),
            Endpoint::Stdio(argv) => argv.join(" "),
        }
    }
}

/// The built-in routing strategies ([`crate::strategy`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StrategyKind {
    /// Each replica in turn.
    RoundRobin,
    /// The replica with the fewest calls in flight.
    LeastInFlight,
    /// The replica with the lowest recent latency (exponentially weighted moving average).
    Ewma,
}

/// A content-based rule: when `tool`'s argument `argument` is one of `values`, only the replicas
/// numbered in `replicas` (0-based, in `urls` order) may serve the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The upstream tool name (without the target prefix).
    pub tool: String,
    /// The argument whose value decides.
    pub argument: String,
    /// The values that select the pool (compared as strings).
    pub values: Vec<String>,
    /// The pool: replica indexes.
    pub replicas: Vec<usize>,
}

/// Health checking of a target's replicas ([`crate::health`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthConfig {
    /// Time between two checks of a healthy replica.
    pub interval: Duration,
    /// The longest wait between checks of a failing replica (the backoff doubles up to this).
    pub max_backoff: Duration,
}

impl Default for HealthConfig {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(2),
            max_backoff: Duration::from_secs(30),
        }
    }
}

/// Which token the gateway sends upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpstreamAuth {
    /// None: the upstream is open (stock).
    None,
    /// The gateway's own app token from the OAuth client-credentials grant ([`crate::tokens`]).
    ClientCredentials {
        /// The token endpoint (`<idp>/<tenant>/oauth2/v2.0/token`).
        token_url: String,
        /// The gateway's client id.
        client_id: String,
        /// Its secret (a classroom secret; never logged).
        client_secret: String,
        /// The scope, `api://<upstream api>/.default`.
        scope: String,
    },
    /// A token for the upstream exchanged from the caller's own token, on-behalf-of the user
    /// (Entra's OBO grant, [`crate::tokens::OnBehalfOf`]): the upstream sees the user, and the
    /// gateway as the client. Needs `[auth]` with the gateway's own audience.
    OnBehalfOf {
        /// The token endpoint (`<idp>/<tenant>/oauth2/v2.0/token`).
        token_url: String,
        /// The gateway's client id: the audience its callers' tokens must carry.
        client_id: String,
        /// Its secret (a classroom secret; never logged).
        client_secret: String,
        /// The upstream API's scope, `api://<upstream api>/.default` (or named scopes).
        scope: String,
    },
}

impl UpstreamAuth {
    /// The token endpoint it uses, if any.
    fn token_url_mut(&mut self) -> Option<&mut String> {
        match self {
            UpstreamAuth::None => None,
            UpstreamAuth::ClientCredentials { token_url, .. }
            | UpstreamAuth::OnBehalfOf { token_url, .. } => Some(token_url),
        }
    }
}

impl Default for Config {
    /// The classroom: stock on 8001 (open), weather on 8000 (protected: a token exchanged
    /// on-behalf-of each caller at mock-idp), callers' tokens checked against mock-idp for the
    /// gateway's own audience.
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], defaults::GATEWAY_PORT)),
            auth: Some(CallerAuth {
                issuer: defaults::ISSUER.to_string(),
                audience: defaults::GATEWAY_CLIENT_ID.to_string(),
            }),
            allowed_hosts: Vec::new(),
            targets: vec![
                Target::new(
                    "stock",
                    vec![Endpoint::StreamableHttp(defaults::STOCK_MCP_URL.into())],
                ),
                Target {
                    auth: UpstreamAuth::OnBehalfOf {
                        token_url: format!(
                            "{}/{}/oauth2/v2.0/token",
                            defaults::MOCK_IDP_URL,
                            defaults::TENANT_ID
                        ),
                        client_id: defaults::GATEWAY_CLIENT_ID.into(),
                        client_secret: defaults::GATEWAY_CLIENT_SECRET.into(),
                        scope: defaults::FULL_SCOPE_DEFAULT.into(),
                    },
                    ..Target::new(
                        "weather",
                        vec![Endpoint::StreamableHttp(defaults::WEATHER_MCP_URL.into())],
                    )
                },
            ],
        }
    }
}

impl Config {
    /// A gateway for `targets` with no caller authentication, listening on the classroom port
    /// (tests, benchmarks and exercise 16 pass their own listener anyway).
    pub fn without_auth(targets: Vec<Target>) -> Self {
        Self {
            auth: None,
            targets,
            ..Self::default()
        }
    }
}

impl Target {
    /// A target with the default strategy (round robin), a 30 s timeout, default health
    /// checks, no rules and no upstream auth.
    pub fn new(name: &str, replicas: Vec<Endpoint>) -> Self {
        Self {
            name: name.to_string(),
            replicas,
            strategy: StrategyKind::RoundRobin,
            rules: Vec::new(),
            timeout: Duration::from_secs(30),
            health: HealthConfig::default(),
            auth: UpstreamAuth::None,
        }
    }
}

// ---- The file as written -------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    listen: Option<Spanned<String>>,
    #[serde(default)]
    allowed_hosts: Vec<String>,
    auth: Option<RawCallerAuth>,
    #[serde(default)]
    targets: Vec<Spanned<RawTarget>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCallerAuth {
    issuer: String,
    audience: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    name: Spanned<String>,
    transport: Spanned<String>,
    url: Option<Spanned<String>>,
    #[serde(default)]
    urls: Vec<Spanned<String>>,
    command: Option<Spanned<Vec<String>>>,
    strategy: Option<Spanned<String>>,
    timeout_ms: Option<u64>,
    health_interval_ms: Option<u64>,
    health_max_backoff_ms: Option<u64>,
    auth: Option<Spanned<RawUpstreamAuth>>,
    #[serde(default)]
    rules: Vec<Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUpstreamAuth {
    kind: Spanned<String>,
    token_url: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    scope: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    tool: String,
    argument: String,
    values: Vec<String>,
    replicas: Vec<Spanned<usize>>,
}

impl Config {
    /// Reads and checks the file at `path`.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let source = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        Ok(Self::parse(&path.display().to_string(), &source)?)
    }

    /// Parses and checks `source`; `file` names it in errors.
    pub fn parse(file: &str, source: &str) -> Result<Self, ConfigError> {
        let raw: RawConfig = toml::from_str(source).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            ConfigError::at(file, source, span, e.message().to_string())
        })?;
        let err = |span: Range<usize>, msg: String| ConfigError::at(file, source, span, msg);

        let listen = match raw.listen {
            Some(l) => l.get_ref().parse().map_err(|_| {
                err(
                    l.span(),
                    format!(
                        "listen = {:?} is not an address like \"127.0.0.1:8090\"",
                        l.get_ref()
                    ),
                )
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], defaults::GATEWAY_PORT)),
        };
        let auth = raw.auth.map(|a| CallerAuth {
            issuer: a.issuer,
            audience: a.audience,
        });

        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut targets = Vec::new();
        for spanned in raw.targets {
            let span = spanned.span();
            let t = spanned.into_inner();
            let name = t.name.get_ref().clone();
            // `_` separates the target from the tool in `<target>_<tool>`; a target name without
            // one makes every prefixed name split one way only, so no two can collide.
            if !valid_target_name(&name) {
                return Err(err(
                    t.name.span(),
                    format!(
                        "target name {name:?} must be lowercase letters, digits and '-' (no '_': it separates the target from the tool name)"
                    ),
                ));
            }
            if let Some(first) = seen.get(&name) {
                let first_line = source[..*first].matches('\n').count() + 1;
                return Err(err(
                    t.name.span(),
                    format!("duplicate target name {name:?} (first defined on line {first_line})"),
                ));
            }
            seen.insert(name.clone(), t.name.span().start);

            let mut urls: Vec<Spanned<String>> = t.url.into_iter().collect();
            urls.extend(t.urls);
            let replicas = match t.transport.get_ref().as_str() {
                kind @ ("streamable-http" | "sse") => {
                    if urls.is_empty() {
                        return Err(err(
                            t.transport.span(),
                            format!("target {name:?}: transport {kind:?} needs `url` or `urls`"),
                        ));
                    }
                    let mut replicas = Vec::new();
                    for u in urls {
                        if url::Url::parse(u.get_ref()).is_err() {
                            return Err(err(u.span(), format!("{:?} is not a URL", u.get_ref())));
                        }
                        let u = u.into_inner();
                        replicas.push(if kind == "sse" {
                            Endpoint::Sse(u)
                        } else {
                            Endpoint::StreamableHttp(u)
                        });
                    }
                    replicas
                }
                "stdio" => match t.command {
                    Some(c) if !c.get_ref().is_empty() => {
                        // A program that does not exist can never be reached: fail now, at its
                        // line, rather than retry it with backoff forever.
                        if find_program(&c.get_ref()[0]).is_none() {
                            return Err(err(
                                c.span(),
                                format!(
                                    "target {name:?}: program {:?} not found (not a file, and not on PATH)",
                                    c.get_ref()[0]
                                ),
                            ));
                        }
                        vec![Endpoint::Stdio(c.into_inner())]
                    }
                    Some(c) => return Err(err(c.span(), "`command` is empty".into())),
                    None => {
                        return Err(err(
                            t.transport.span(),
                            format!(
                                "target {name:?}: transport \"stdio\" needs `command = [\"program\", \"arg\", …]`"
                            ),
                        ));
                    }
                },
                other => {
                    return Err(err(
                        t.transport.span(),
                        format!(
                            "unknown transport {other:?}: use \"streamable-http\", \"sse\" or \"stdio\""
                        ),
                    ));
                }
            };

            let strategy = match &t.strategy {
                None => StrategyKind::RoundRobin,
                Some(s) => match s.get_ref().as_str() {
                    "round-robin" => StrategyKind::RoundRobin,
                    "least-in-flight" => StrategyKind::LeastInFlight,
                    "ewma" => StrategyKind::Ewma,
                    other => {
                        return Err(err(
                            s.span(),
                            format!(
                                "unknown strategy {other:?}: use \"round-robin\", \"least-in-flight\" or \"ewma\""
                            ),
                        ));
                    }
                },
            };

            let mut rules = Vec::new();
            for r in t.rules {
                let rule_span = r.span();
                let r = r.into_inner();
                let mut pool = Vec::new();
                for i in r.replicas {
                    if *i.get_ref() >= replicas.len() {
                        return Err(err(
                            i.span(),
                            format!(
                                "replica {} does not exist: target {name:?} has {} (numbered from 0)",
                                i.get_ref(),
                                replicas.len()
                            ),
                        ));
                    }
                    pool.push(i.into_inner());
                }
                if pool.is_empty() {
                    return Err(err(rule_span, "a rule needs at least one replica".into()));
                }
                rules.push(Rule {
                    tool: r.tool,
                    argument: r.argument,
                    values: r.values,
                    replicas: pool,
                });
            }

            let auth = match t.auth {
                None => UpstreamAuth::None,
                Some(a) => {
                    let a_span = a.span();
                    let a = a.into_inner();
                    match a.kind.get_ref().as_str() {
                        "none" => UpstreamAuth::None,
                        kind @ ("client-credentials" | "on-behalf-of") => {
                            let need = |v: Option<String>, key: &str| {
                                v.ok_or_else(|| {
                                    err(a_span.clone(), format!("{kind} auth needs `{key}`"))
                                })
                            };
                            let (token_url, client_id, client_secret, scope) = (
                                need(a.token_url, "token_url")?,
                                need(a.client_id, "client_id")?,
                                need(a.client_secret, "client_secret")?,
                                need(a.scope, "scope")?,
                            );
                            if kind == "client-credentials" {
                                UpstreamAuth::ClientCredentials {
                                    token_url,
                                    client_id,
                                    client_secret,
                                    scope,
                                }
                            } else {
                                check_on_behalf_of(&auth, &client_id, &replicas).map_err(
                                    |why| err(a_span.clone(), format!("target {name:?}: {why}")),
                                )?;
                                UpstreamAuth::OnBehalfOf {
                                    token_url,
                                    client_id,
                                    client_secret,
                                    scope,
                                }
                            }
                        }
                        other => {
                            return Err(err(
                                a.kind.span(),
                                format!(
                                    "unknown auth kind {other:?}: use \"none\", \"client-credentials\" or \"on-behalf-of\""
                                ),
                            ));
                        }
                    }
                }
            };

            let defaults = HealthConfig::default();
            let ms = Duration::from_millis;
            let timeout = ms(t.timeout_ms.unwrap_or(30_000));
            if timeout.is_zero() {
                return Err(err(
                    span,
                    format!("target {name:?}: timeout_ms must be above 0"),
                ));
            }
            targets.push(Target {
                name,
                replicas,
                strategy,
                rules,
                timeout,
                health: HealthConfig {
                    interval: t.health_interval_ms.map_or(defaults.interval, ms),
                    max_backoff: t.health_max_backoff_ms.map_or(defaults.max_backoff, ms),
                },
                auth,
            });
        }
        if targets.is_empty() {
            return Err(ConfigError::at(
                file,
                source,
                0..0,
                "no [[targets]]: a gateway needs at least one upstream server",
            ));
        }
        Ok(Config {
            listen,
            auth,
            allowed_hosts: raw.allowed_hosts,
            targets,
        })
    }

    /// Trusts callers' tokens from `issuer` and fetches client-credentials tokens from the same
    /// identity provider (Entra's layout: `<base>/<tenant>/v2.0` issues, and
    /// `<base>/<tenant>/oauth2/v2.0/token` is the token endpoint).
    pub fn use_issuer(&mut self, issuer: &str) {
        if let Some(auth) = &mut self.auth {
            auth.issuer = issuer.to_string();
        }
        let token_url = format!(
            "{}/oauth2/v2.0/token",
            issuer.trim_end_matches('/').trim_end_matches("/v2.0")
        );
        for target in &mut self.targets {
            if let Some(t) = target.auth.token_url_mut() {
                *t = token_url.clone();
            }
        }
    }

    /// Applies `NAME=URL`: target `NAME` gets the single replica `URL` (same transport kind);
    /// a name no target has adds a new one, unauthenticated, over Streamable HTTP (how
    /// `cargo xtask up --with gateway,search` hands the gateway the optional servers it runs).
    pub fn set_upstream(&mut self, spec: &str) -> Result<(), String> {
        let (name, url) = spec
            .split_once('=')
            .ok_or_else(|| "expected NAME=URL".to_string())?;
        url::Url::parse(url).map_err(|e| format!("{url:?} is not a URL: {e}"))?;
        match self.targets.iter_mut().find(|t| t.name == name) {
            Some(target) => {
                target.replicas = vec![match target.replicas.first() {
                    Some(Endpoint::Sse(_)) => Endpoint::Sse(url.to_string()),
                    _ => Endpoint::StreamableHttp(url.to_string()),
                }];
            }
            None if valid_target_name(name) => self.targets.push(Target::new(
                name,
                vec![Endpoint::StreamableHttp(url.to_string())],
            )),
            None => {
                return Err(format!(
                    "target name {name:?} must be lowercase letters, digits and '-' (no '_': it separates the target from the tool name)"
                ));
            }
        }
        Ok(())
    }
}

/// On-behalf-of exchanges the caller's token, so there must be a checked caller token, issued
/// to the gateway itself (the identity provider only exchanges a token sent to the client that
/// presents it), and an HTTP upstream to send the user's token to.
fn check_on_behalf_of(
    auth: &Option<CallerAuth>,
    client_id: &str,
    replicas: &[Endpoint],
) -> Result<(), String> {
    let Some(auth) = auth else {
        return Err(
            "on-behalf-of needs the [auth] table: without a checked caller token there is no user to act for"
                .into(),
        );
    };
    if auth.audience != client_id && auth.audience != format!("api://{client_id}") {
        return Err(format!(
            "on-behalf-of client_id {client_id:?} must be the gateway's own audience ([auth] audience = {:?}): the identity provider only exchanges tokens issued to the client presenting them",
            auth.audience
        ));
    }
    if replicas.iter().any(|r| matches!(r, Endpoint::Stdio(_))) {
        return Err(
            "on-behalf-of needs an HTTP transport: a stdio program has no bearer token to receive"
                .into(),
        );
    }
    Ok(())
}

/// Whether `name` can prefix tool names: lowercase letters, digits and `-`, never `_` (the
/// separator between target and tool), so two targets' names can never collide.
fn valid_target_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Where `program` would be run from: itself if it names a path, else the first match on PATH.
fn find_program(program: &str) -> Option<std::path::PathBuf> {
    let path = Path::new(program);
    if path.components().count() > 1 {
        return path.is_file().then(|| path.to_path_buf());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(source: &str) -> ConfigError {
        Config::parse("gateway.toml", source).expect_err("this config must be refused")
    }

    #[test]
    fn the_example_file_parses() {
        let source = include_str!("../gateway.example.toml");
        let config = Config::parse("gateway.example.toml", source).unwrap();
        assert_eq!(config.targets[0].name, "stock");
        assert_eq!(config.targets.len(), 2);
        // The file is what the gateway does with no file at all.
        let default = Config::default();
        assert_eq!(config.auth, default.auth);
        assert_eq!(config.targets[1].auth, default.targets[1].auth);
    }

    #[test]
    fn an_unknown_transport_names_its_line() {
        let e = error("[[targets]]\nname = \"a\"\ntransport = \"carrier-pigeon\"\n");
        assert_eq!(e.line, 3, "{e}");
        assert!(
            e.to_string()
                .contains("unknown transport \"carrier-pigeon\""),
            "{e}"
        );
        assert!(e.to_string().starts_with("gateway.toml:3:"), "{e}");
    }

    #[test]
    fn a_duplicate_target_names_both_lines() {
        let src = "[[targets]]\nname = \"a\"\ntransport = \"stdio\"\ncommand = [\"sh\"]\n\n[[targets]]\nname = \"a\"\ntransport = \"stdio\"\ncommand = [\"sh\"]\n";
        let e = error(src);
        assert_eq!(e.line, 7, "{e}");
        assert!(e.message.contains("first defined on line 2"), "{e}");
    }

    #[test]
    fn a_toml_syntax_error_names_its_line() {
        let e = error("[[targets]]\nname = \"a\ntransport = \"stdio\"\n");
        assert_eq!(e.line, 2, "{e}");
    }

    #[test]
    fn an_underscore_in_a_target_name_is_refused() {
        let e =
            error("[[targets]]\nname = \"my_stock\"\ntransport = \"stdio\"\ncommand = [\"sh\"]\n");
        assert_eq!(e.line, 2);
        assert!(e.message.contains("no '_'"), "{e}");
    }

    #[test]
    fn a_rule_naming_a_missing_replica_is_refused() {
        let src = "[[targets]]\nname = \"s\"\ntransport = \"streamable-http\"\nurls = [\"http://127.0.0.1:1/mcp\"]\n[[targets.rules]]\ntool = \"t\"\nargument = \"a\"\nvalues = [\"x\"]\nreplicas = [3]\n";
        let e = error(src);
        assert_eq!(e.line, 9, "{e}");
    }

    #[test]
    fn unknown_keys_are_errors_not_ignored() {
        let e = error("[[targets]]\nname = \"a\"\ntransport = \"stdio\"\ncomand = [\"x\"]\n");
        assert!(e.message.contains("comand"), "{e}");
        assert_eq!(e.line, 4, "{e}");
    }

    #[test]
    fn a_missing_program_is_an_unreachable_upstream() {
        let e = error(
            "[[targets]]\nname = \"a\"\ntransport = \"stdio\"\ncommand = [\"no-such-mcp-server-xyz\"]\n",
        );
        assert_eq!(e.line, 4, "{e}");
        assert!(e.message.contains("not found"), "{e}");
    }

    #[test]
    fn an_issuer_moves_the_token_endpoint_with_it() {
        let mut c = Config::default();
        c.use_issuer("http://10.0.0.5:8400/tenant-x/v2.0");
        assert_eq!(
            c.auth.as_ref().unwrap().issuer,
            "http://10.0.0.5:8400/tenant-x/v2.0"
        );
        let UpstreamAuth::OnBehalfOf { token_url, .. } = &c.targets[1].auth else {
            panic!("weather uses on-behalf-of");
        };
        assert_eq!(token_url, "http://10.0.0.5:8400/tenant-x/oauth2/v2.0/token");
        c.set_upstream("stock=http://127.0.0.1:9001/mcp").unwrap();
        assert_eq!(
            c.targets[0].replicas,
            vec![Endpoint::StreamableHttp("http://127.0.0.1:9001/mcp".into())]
        );
        c.set_upstream("search=http://127.0.0.1:9004/mcp").unwrap();
        let search = c.targets.iter().find(|t| t.name == "search").unwrap();
        assert_eq!(
            search.replicas,
            vec![Endpoint::StreamableHttp("http://127.0.0.1:9004/mcp".into())]
        );
        assert_eq!(search.auth, UpstreamAuth::None);
        assert!(c.set_upstream("bad_name=http://x/").is_err());
        assert!(c.set_upstream("stock=not a url").is_err());
    }

    #[test]
    fn on_behalf_of_needs_the_gateways_own_audience() {
        let target = "[[targets]]\nname = \"w\"\ntransport = \"streamable-http\"\nurl = \"http://127.0.0.1:1/mcp\"\n[targets.auth]\nkind = \"on-behalf-of\"\ntoken_url = \"http://127.0.0.1:2/t/oauth2/v2.0/token\"\nclient_id = \"gw\"\nclient_secret = \"s\"\nscope = \"api://api/.default\"\n";
        let e = error(target);
        assert!(e.message.contains("needs the [auth] table"), "{e}");
        let other = format!("[auth]\nissuer = \"http://i/v2.0\"\naudience = \"api\"\n{target}");
        let e = error(&other);
        assert!(e.message.contains("gateway's own audience"), "{e}");
        let ok = format!("[auth]\nissuer = \"http://i/v2.0\"\naudience = \"gw\"\n{target}");
        let c = Config::parse("gateway.toml", &ok).unwrap();
        assert!(matches!(c.targets[0].auth, UpstreamAuth::OnBehalfOf { .. }));
    }

    #[test]
    fn the_default_matches_the_classroom_ports() {
        let c = Config::default();
        assert_eq!(c.listen.port(), 8090);
        assert_eq!(
            c.targets[0].replicas,
            vec![Endpoint::StreamableHttp("http://127.0.0.1:8001/mcp".into())]
        );
        assert_eq!(
            c.targets[1].replicas,
            vec![Endpoint::StreamableHttp("http://127.0.0.1:8000/mcp".into())]
        );
    }
}
