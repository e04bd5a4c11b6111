//! The gateway's shared state: every target, its replicas and catalog, and the open client
//! sessions that list changes are announced to.
//!
//! One [`Gateway`] serves every downstream session. [`Gateway::start`] builds it from a
//! [`Config`] and starts, for each replica, a health loop ([`crate::health`]); a background task
//! refreshes a target's catalog when one of its replicas announces a change and tells every
//! client session (`notifications/tools/list_changed` and friends).

use rmcp::model::{Prompt, Resource, ResourceTemplate, Tool};
use rmcp::{Peer, service::RoleServer};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::config::{Config, Target, UpstreamAuth};
use crate::federation::{self, Catalog};
use crate::metrics::Metrics;
use crate::replica::{ListChanged, Replica};
use crate::routing::Router;
use crate::strategy::{self, Strategy};
use crate::tokens::{ClientCredentials, Credential, OnBehalfOf};

/// One configured target at run time.
pub struct Upstream {
    /// Its position in the config (and in [`Gateway::targets`]).
    pub index: usize,
    /// Its configuration.
    pub config: Target,
    /// Its replicas, in `urls` order.
    pub replicas: Vec<Arc<Replica>>,
    /// How calls pick a replica.
    pub router: Router,
    /// Where its tokens come from, when it is protected.
    pub tokens: Option<TokenSource>,
    catalog: RwLock<Catalog>,
    /// On-behalf-of targets are listed through a caller's connection (the gateway has no user
    /// of its own to list with): set until that has happened, and again on a list change.
    unlisted: AtomicBool,
}

/// Where an upstream's tokens come from.
pub enum TokenSource {
    /// One token for the gateway itself.
    ClientCredentials(ClientCredentials),
    /// A token per caller, exchanged from the caller's own.
    OnBehalfOf(OnBehalfOf),
}

/// Why the gateway has no token to send a caller's request upstream with.
#[derive(Debug, thiserror::Error)]
pub enum NoToken {
    /// On-behalf-of, but the session has no caller token (stdio, or `[auth]` off).
    #[error(
        "target {0:?} is called on-behalf-of the signed-in user, and this session has no user: connect over HTTP with a bearer token"
    )]
    NoCaller(String),
    /// The identity provider refused or failed.
    #[error("target {target:?}: {error}")]
    Token {
        /// The target's name.
        target: String,
        /// What went wrong, with the OAuth error inside.
        error: String,
    },
}

impl Upstream {
    fn new(index: usize, config: Target, strategy: Box<dyn Strategy>) -> Self {
        let replicas = config
            .replicas
            .iter()
            .enumerate()
            .map(|(i, e)| Arc::new(Replica::new(i, e.clone())))
            .collect();
        let tokens = match &config.auth {
            UpstreamAuth::None => None,
            UpstreamAuth::ClientCredentials {
                token_url,
                client_id,
                client_secret,
                scope,
            } => Some(TokenSource::ClientCredentials(ClientCredentials::new(
                token_url,
                client_id,
                client_secret,
                scope,
            ))),
            UpstreamAuth::OnBehalfOf {
                token_url,
                client_id,
                client_secret,
                scope,
            } => Some(TokenSource::OnBehalfOf(OnBehalfOf::new(
                token_url,
                client_id,
                client_secret,
                scope,
            ))),
        };
        Self {
            index,
            router: Router::new(strategy, config.rules.clone()),
            config,
            replicas,
            tokens,
            catalog: RwLock::new(Catalog::default()),
            unlisted: AtomicBool::new(true),
        }
    }

    /// The target's name (the prefix).
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// What it offers, as last listed.
    pub fn catalog(&self) -> Catalog {
        self.catalog
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the catalog; returns whether it changed.
    pub fn set_catalog(&self, catalog: Catalog) -> bool {
        let mut current = self.catalog.write().unwrap_or_else(|e| e.into_inner());
        let changed = *current != catalog;
        *current = catalog;
        changed
    }

    /// The gateway's own token for its control connection, if the upstream needs one. An
    /// on-behalf-of upstream has none: the gateway is no user ([`crate::health`] checks it over
    /// HTTP instead).
    pub async fn token(&self) -> anyhow::Result<Option<String>> {
        match &self.tokens {
            Some(TokenSource::ClientCredentials(source)) => source.token().await.map(Some),
            None | Some(TokenSource::OnBehalfOf(_)) => Ok(None),
        }
    }

    /// Whether calls carry a token exchanged on-behalf-of each caller.
    pub fn is_on_behalf_of(&self) -> bool {
        matches!(self.tokens, Some(TokenSource::OnBehalfOf(_)))
    }

    /// The token to send a call from the caller who presented `caller_token` with.
    pub async fn credential(
        &self,
        caller_token: Option<&str>,
    ) -> Result<Option<Credential>, NoToken> {
        let failed = |error: String| NoToken::Token {
            target: self.name().to_string(),
            error,
        };
        match &self.tokens {
            None => Ok(None),
            Some(TokenSource::ClientCredentials(source)) => source
                .credential()
                .await
                .map(Some)
                .map_err(|e| failed(format!("{e:#}"))),
            Some(TokenSource::OnBehalfOf(source)) => {
                let assertion =
                    caller_token.ok_or_else(|| NoToken::NoCaller(self.name().to_string()))?;
                source
                    .credential(assertion)
                    .await
                    .map(Some)
                    .map_err(|e| failed(e.to_string()))
            }
        }
    }

    /// Whether an on-behalf-of target still has to be listed through a caller.
    pub fn needs_listing(&self) -> bool {
        self.is_on_behalf_of() && self.unlisted.load(Ordering::Acquire)
    }

    /// Records that it was listed (`false`) or must be again (`true`).
    pub fn set_unlisted(&self, unlisted: bool) {
        self.unlisted.store(unlisted, Ordering::Release);
    }

    /// Whether any replica is healthy.
    pub fn is_up(&self) -> bool {
        self.replicas.iter().any(|r| r.is_healthy())
    }
}

/// Everything the downstream sessions share.
pub struct Gateway {
    /// The targets, in config order.
    pub targets: Vec<Arc<Upstream>>,
    /// Counters and histograms for `/metrics`.
    pub metrics: Metrics,
    sessions: Mutex<Vec<Peer<RoleServer>>>,
    changes: mpsc::UnboundedSender<ListChanged>,
    /// Cancelled when the gateway stops (ends the health loops).
    pub shutdown: CancellationToken,
}

impl Gateway {
    /// Builds the gateway and starts its background tasks (health loops, change handling).
    pub fn start(config: &Config, shutdown: CancellationToken) -> Arc<Self> {
        Self::start_with(config, shutdown, |_, kind| strategy::built_in(kind))
    }

    /// Like [`Gateway::start`], with each target's strategy made by `make` (target name and the
    /// configured kind): how a custom [`Strategy`] (exercise 16) is plugged in.
    pub fn start_with(
        config: &Config,
        shutdown: CancellationToken,
        make: impl Fn(&str, crate::config::StrategyKind) -> Box<dyn Strategy>,
    ) -> Arc<Self> {
        let (changes, mut changed) = mpsc::unbounded_channel();
        let targets = config
            .targets
            .iter()
            .enumerate()
            .map(|(i, t)| Arc::new(Upstream::new(i, t.clone(), make(&t.name, t.strategy))))
            .collect();
        let gateway = Arc::new(Self {
            targets,
            metrics: Metrics::default(),
            sessions: Mutex::new(Vec::new()),
            changes,
            shutdown: shutdown.clone(),
        });
        for upstream in &gateway.targets {
            for replica in &upstream.replicas {
                tokio::spawn(crate::health::watch(
                    gateway.clone(),
                    upstream.clone(),
                    replica.clone(),
                ));
            }
        }
        // A weak handle: the change loop must not keep a stopped gateway alive.
        let weak = Arc::downgrade(&gateway);
        tokio::spawn(async move {
            loop {
                let change = tokio::select! {
                    _ = shutdown.cancelled() => return,
                    c = changed.recv() => match c { Some(c) => c, None => return },
                };
                let Some(gateway) = weak.upgrade() else {
                    return;
                };
                let upstream = gateway.targets[change.target].clone();
                gateway.refresh(&upstream).await;
            }
        });
        gateway
    }

    /// Waits (at most `limit`) until every replica has been checked once, so that a client
    /// which connects right away (a stdio session starts with the process) sees the real union
    /// rather than an empty one.
    pub async fn first_checks(&self, limit: std::time::Duration) {
        let all_checked = || {
            self.targets
                .iter()
                .all(|t| t.replicas.iter().all(|r| r.is_checked()))
        };
        let _ = tokio::time::timeout(limit, async {
            while !all_checked() {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        })
        .await;
    }

    /// A sender for list changes (given to control connections).
    pub fn changes(&self) -> mpsc::UnboundedSender<ListChanged> {
        self.changes.clone()
    }

    /// Re-lists `upstream` from one of its healthy replicas; announces a change to every client.
    /// An on-behalf-of upstream is re-listed by the next caller who lists ([`crate::server`]).
    pub async fn refresh(&self, upstream: &Upstream) {
        if upstream.is_on_behalf_of() {
            upstream.set_unlisted(true);
            self.announce().await;
            return;
        }
        for replica in upstream.replicas.iter().filter(|r| r.is_healthy()) {
            let link = replica.control.lock().await.clone();
            let Some(link) = link else { continue };
            match Catalog::fetch(&link).await {
                Ok(catalog) => {
                    if upstream.set_catalog(catalog) {
                        tracing::info!(target = upstream.name(), "catalog changed");
                        self.announce().await;
                    }
                    return;
                }
                Err(e) => {
                    tracing::warn!(target = upstream.name(), error = %e, "listing failed");
                }
            }
        }
    }

    /// Remembers a client session, to announce list changes to it.
    pub fn add_session(&self, peer: Peer<RoleServer>) {
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(peer);
    }

    /// Tells every open client session that the lists changed, forgetting closed ones.
    pub async fn announce(&self) {
        let peers: Vec<Peer<RoleServer>> = {
            let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
            sessions.retain(|p| !p.is_transport_closed());
            sessions.clone()
        };
        for peer in peers {
            // Tools, prompts and resources may each have changed; the notifications are cheap.
            let _ = peer.notify_tool_list_changed().await;
            let _ = peer.notify_prompt_list_changed().await;
            let _ = peer.notify_resource_list_changed().await;
        }
    }

    /// The target called `name`.
    pub fn target(&self, name: &str) -> Option<&Arc<Upstream>> {
        self.targets.iter().find(|t| t.name() == name)
    }

    /// Every target's tools, prefixed, in config order.
    pub fn tools(&self) -> Vec<Tool> {
        self.targets
            .iter()
            .flat_map(|t| {
                let name = t.name().to_string();
                t.catalog()
                    .tools
                    .iter()
                    .map(|tool| federation::prefix_tool(&name, tool))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Every target's prompts, prefixed.
    pub fn prompts(&self) -> Vec<Prompt> {
        self.targets
            .iter()
            .flat_map(|t| {
                let name = t.name().to_string();
                t.catalog()
                    .prompts
                    .iter()
                    .map(|p| federation::prefix_prompt(&name, p))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Every target's resources (URIs kept; a URI already listed by an earlier target is left
    /// out, since reads of it go to that target).
    pub fn resources(&self) -> Vec<Resource> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for t in &self.targets {
            for r in t.catalog().resources {
                if seen.insert(r.uri.clone()) {
                    out.push(federation::prefix_resource(t.name(), &r));
                } else {
                    tracing::warn!(uri = %r.uri, target = t.name(), "URI listed by an earlier target too; reads go there");
                }
            }
        }
        out
    }

    /// Every target's resource templates.
    pub fn templates(&self) -> Vec<ResourceTemplate> {
        self.targets
            .iter()
            .flat_map(|t| {
                let name = t.name().to_string();
                t.catalog()
                    .templates
                    .iter()
                    .map(|x| federation::prefix_template(&name, x))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// The target a resource URI routes to: an exact listing first (earliest target), else the
    /// most specific template prefix.
    pub fn route_uri(&self, uri: &str) -> Option<&Arc<Upstream>> {
        let mut best: Option<(federation::Match, usize)> = None;
        for (i, t) in self.targets.iter().enumerate() {
            if let Some(m) = t.catalog().serves_uri(uri)
                && best.is_none_or(|(b, _)| m > b)
            {
                best = Some((m, i));
            }
        }
        best.map(|(_, i)| &self.targets[i])
    }
}
