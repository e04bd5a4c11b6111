//! The gateway as an MCP server: what its clients see.
//!
//! One [`GatewayServer`] per downstream session (Streamable HTTP makes one per `initialize`;
//! stdio has exactly one). Listing answers from the federated catalogs
//! ([`crate::federation`]); every call, prompt and read is routed to the target that owns the
//! name or URI and forwarded ([`crate::forward`]), then counted ([`crate::metrics`]) and
//! audited ([`crate::audit`]).
//!
//! The gateway speaks protocol revisions up to 2025-11-25 to its clients: on 2026-07-28 a server
//! may not send requests to its client, and relaying an upstream's elicitation or sampling
//! request is the point of [`crate::relay`].

use rmcp::model::{
    CallToolRequest, CallToolRequestParams, CallToolResponse, CallToolResult, ClientRequest,
    CompleteRequest, CompleteRequestParams, CompleteResult, ContentBlock, GetPromptRequest,
    GetPromptRequestParams, GetPromptResponse, Implementation, ListPromptsResult,
    ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
    ProtocolVersion, ReadResourceRequest, ReadResourceRequestParams, ReadResourceResponse,
    Reference, ServerCapabilities, ServerConfig, ServerResult, SetLevelRequestParams,
};
use rmcp::model::{
    SubscribeRequest, SubscribeRequestParams, UnsubscribeRequest, UnsubscribeRequestParams,
};
use rmcp::service::{NotificationContext, RequestContext, RoleServer};
use rmcp::{ErrorData, ServerHandler};
use std::borrow::Cow;
use std::sync::Arc;
use std::time::Instant;

use crate::federation::{self, Catalog};
use crate::forward::{Failure, SessionLinks, forward, forward_on};
use crate::gateway::{Gateway, Upstream};

/// The handler of one downstream session. Clones share the session's upstream connections.
#[derive(Clone)]
pub struct GatewayServer {
    gateway: Arc<Gateway>,
    links: Arc<SessionLinks>,
}

impl GatewayServer {
    /// A session of `gateway`.
    pub fn new(gateway: Arc<Gateway>) -> Self {
        Self {
            gateway,
            links: Arc::default(),
        }
    }
}

/// Who is calling: the `oid` of the validated token (HTTP), `stdio`, or `anonymous` (HTTP with
/// authentication off).
fn caller(ctx: &RequestContext<RoleServer>) -> String {
    match ctx.extensions.get::<http::request::Parts>() {
        None => "stdio".into(),
        Some(parts) => parts
            .extensions
            .get::<weather_server::auth::Claims>()
            .map_or_else(|| "anonymous".into(), |c| c.user_id().to_string()),
    }
}

/// The outcome label and, for tool errors the gateway made, the message.
fn describe(failure: &Failure, target: &str, tool: &str) -> (&'static str, String) {
    match failure {
        Failure::Unavailable(why) => (
            "unavailable",
            format!("target {target:?} cannot take the call to {tool}: {why}"),
        ),
        Failure::Timeout { replica, after } => (
            "timeout",
            format!(
                "{tool} on target {target:?} ({replica}) did not answer within {} ms; the gateway cancelled it upstream",
                after.as_millis()
            ),
        ),
        Failure::Lost {
            replica,
            error,
            retry_allowed: false,
        } => (
            "error",
            format!(
                "the replica {replica} of target {target:?} failed during {tool} ({error}). {tool} is not marked read-only or idempotent, so the gateway did not retry it elsewhere: it may or may not have run. Check before calling it again."
            ),
        ),
        Failure::Lost { replica, error, .. } => (
            "error",
            format!(
                "{tool} on target {target:?} failed on two replicas; the last, {replica}, with: {error}"
            ),
        ),
        Failure::Upstream(e) => ("error", e.message.to_string()),
        Failure::NoToken(why) => ("unauthorized", format!("{tool} was not sent: {why}")),
        Failure::Cancelled => ("cancelled", "cancelled by the client".into()),
    }
}

impl GatewayServer {
    /// Lists every on-behalf-of target not listed yet, through this caller's own connection
    /// ([`Self::list_through_caller`]). A caller the exchange refuses lists nothing from it
    /// (and a later caller tries again).
    async fn list_on_behalf_of(&self, ctx: &RequestContext<RoleServer>) {
        for upstream in self.gateway.targets.iter().filter(|t| t.needs_listing()) {
            if let Err((_, e)) = self.list_through_caller(upstream, ctx).await {
                tracing::info!(target = upstream.name(), error = %e, "cannot list on-behalf-of this caller");
            }
        }
    }

    /// Lists an on-behalf-of target with this caller's exchanged token: the gateway is no
    /// user, so it can only see what such an upstream offers through one. The error is an
    /// outcome label (`unauthorized`: no token; `unavailable`) and a message for the caller.
    async fn list_through_caller(
        &self,
        upstream: &Upstream,
        ctx: &RequestContext<RoleServer>,
    ) -> Result<(), (&'static str, String)> {
        let caller_token = crate::forward::caller_token(ctx);
        let credential = upstream
            .credential(caller_token.as_deref())
            .await
            .map_err(|e| ("unauthorized", e.to_string()))?;
        let mut last = format!("target {:?} has no healthy replica", upstream.name());
        for replica in upstream.replicas.iter().filter(|r| r.is_healthy()) {
            let link = self
                .links
                .link(
                    &self.gateway,
                    upstream,
                    replica,
                    &ctx.peer,
                    credential.as_ref(),
                )
                .await;
            let listed = match link {
                Ok((service, _)) => Catalog::fetch(&service).await.map_err(|e| e.to_string()),
                Err(e) => Err(format!("{e:#}")),
            };
            match listed {
                Ok(catalog) => {
                    upstream.set_unlisted(false);
                    if upstream.set_catalog(catalog) {
                        tracing::info!(target = upstream.name(), "catalog changed");
                        self.gateway.announce().await;
                    }
                    return Ok(());
                }
                Err(e) => {
                    tracing::warn!(target = upstream.name(), error = %e, "listing on-behalf-of a caller failed");
                    last = format!("listing {:?} failed: {e}", upstream.name());
                }
            }
        }
        Err(("unavailable", last))
    }

    /// The target owning a prefixed name, and the upstream name.
    fn resolve<'a>(&self, name: &'a str) -> Option<(Arc<Upstream>, &'a str)> {
        let (target, upstream_name) = federation::split(name)?;
        Some((self.gateway.target(target)?.clone(), upstream_name))
    }
}

impl GatewayServer {
    /// Forwards a request whose answer is empty (`resources/subscribe`, `…/unsubscribe`) to a
    /// replica in `pool`; returns the replica that answered.
    async fn forward_unit(
        &self,
        upstream: &Upstream,
        ctx: &RequestContext<RoleServer>,
        outgoing: ClientRequest,
        what: &str,
        pool: Option<Vec<usize>>,
    ) -> Result<usize, ErrorData> {
        // A subscription lives on one replica: a retry elsewhere could leave one behind.
        match forward_on(
            &self.gateway,
            &self.links,
            upstream,
            ctx,
            outgoing,
            pool,
            false,
        )
        .await
        {
            Ok((_, replica)) => Ok(replica),
            Err(Failure::Upstream(e)) => Err(e),
            Err(failure) => Err(ErrorData::internal_error(
                describe(&failure, upstream.name(), what).1,
                None,
            )),
        }
    }
}

impl ServerHandler for GatewayServer {
    fn get_info(&self) -> ServerConfig {
        let names: Vec<&str> = self.gateway.targets.iter().map(|t| t.name()).collect();
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_tool_list_changed()
                .enable_prompts()
                .enable_prompts_list_changed()
                .enable_resources()
                .enable_resources_list_changed()
                .enable_resources_subscribe()
                .enable_logging()
                .enable_completions()
                .build(),
        )
        .with_server_info(Implementation::new("mcp-gateway", env!("CARGO_PKG_VERSION")))
        .with_instructions(format!(
            "A gateway in front of these MCP servers: {}. Every tool and prompt is named <server>_<name> (stock_get_stock_price is get_stock_price on the stock server); resource URIs are the servers' own.",
            names.join(", ")
        ))
    }

    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        Cow::Borrowed(ProtocolVersion::known_up_to(&ProtocolVersion::V_2025_11_25))
    }

    async fn on_initialized(&self, ctx: NotificationContext<RoleServer>) {
        self.gateway.add_session(ctx.peer.clone());
    }

    async fn list_tools(
        &self,
        _: Option<PaginatedRequestParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        self.list_on_behalf_of(&ctx).await;
        Ok(ListToolsResult::with_all_items(self.gateway.tools()))
    }

    async fn list_prompts(
        &self,
        _: Option<PaginatedRequestParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        self.list_on_behalf_of(&ctx).await;
        Ok(ListPromptsResult::with_all_items(self.gateway.prompts()))
    }

    async fn list_resources(
        &self,
        _: Option<PaginatedRequestParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        self.list_on_behalf_of(&ctx).await;
        Ok(ListResourcesResult::with_all_items(
            self.gateway.resources(),
        ))
    }

    async fn list_resource_templates(
        &self,
        _: Option<PaginatedRequestParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        self.list_on_behalf_of(&ctx).await;
        Ok(ListResourceTemplatesResult::with_all_items(
            self.gateway.templates(),
        ))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let started = Instant::now();
        let who = caller(&ctx);
        let name = request.name.to_string();
        // An unknown tool is a protocol error (-32602), as the spec and rmcp's router answer.
        let unknown = || ErrorData::invalid_params(format!("unknown tool: {name}"), None);
        let Some((upstream, tool_name)) = self.resolve(&name) else {
            crate::audit::record(&who, "-", &name, "unknown_tool");
            self.gateway
                .metrics
                .record_call("-", "-", "unknown_tool", started.elapsed());
            return Err(unknown());
        };
        // An on-behalf-of target nobody has listed yet is listed now, as this caller.
        if upstream.needs_listing()
            && let Err((outcome, why)) = self.list_through_caller(&upstream, &ctx).await
            && upstream.is_up()
        {
            crate::audit::record(&who, upstream.name(), tool_name, outcome);
            self.gateway
                .metrics
                .record_call(upstream.name(), "-", outcome, started.elapsed());
            let message = format!("{name} was not sent: {why}");
            return Ok(CallToolResult::error(vec![ContentBlock::text(message)]).into());
        }
        let catalog = upstream.catalog();
        let Some(tool) = catalog.tool(tool_name) else {
            if !upstream.is_up() {
                // The target exists but no replica is up, so its tools are not known right now:
                // say so in words the model can pass on, rather than "unknown tool".
                let why = upstream
                    .replicas
                    .iter()
                    .find_map(|r| r.last_error())
                    .unwrap_or_default();
                let message = format!(
                    "target {:?} is unavailable, so {name} cannot be called now: {why}",
                    upstream.name()
                );
                crate::audit::record(&who, upstream.name(), tool_name, "unavailable");
                self.gateway.metrics.record_call(
                    upstream.name(),
                    "-",
                    "unavailable",
                    started.elapsed(),
                );
                return Ok(CallToolResult::error(vec![ContentBlock::text(message)]).into());
            }
            crate::audit::record(&who, upstream.name(), &name, "unknown_tool");
            self.gateway.metrics.record_call(
                upstream.name(),
                "-",
                "unknown_tool",
                started.elapsed(),
            );
            return Err(unknown());
        };
        let retry_allowed = tool
            .annotations
            .as_ref()
            .is_some_and(|a| a.read_only_hint == Some(true) || a.idempotent_hint == Some(true));
        let pool = upstream
            .router
            .pool(Some(tool_name), request.arguments.as_ref());

        let mut params = request.clone();
        params.name = Cow::Owned(tool_name.to_string());
        let outgoing = ClientRequest::CallToolRequest(CallToolRequest::new(params));
        let result = forward(
            &self.gateway,
            &self.links,
            &upstream,
            &ctx,
            outgoing,
            pool,
            retry_allowed,
        )
        .await;

        let (outcome, response) = match result {
            Ok(ServerResult::CallToolResult(r)) => {
                let outcome = if r.is_error == Some(true) {
                    "tool_error"
                } else {
                    "ok"
                };
                (outcome, Ok(CallToolResponse::Complete(r)))
            }
            Ok(ServerResult::InputRequiredResult(r)) => {
                ("ok", Ok(CallToolResponse::InputRequired(r)))
            }
            Ok(ServerResult::CreateTaskResult(r)) => ("ok", Ok(CallToolResponse::Task(r))),
            Ok(_) => (
                "error",
                Err(ErrorData::internal_error(
                    format!(
                        "target {:?} answered tools/call with another kind of result",
                        upstream.name()
                    ),
                    None,
                )),
            ),
            // The upstream's own protocol error (bad arguments, say) is passed on unchanged.
            Err(Failure::Upstream(e)) => ("error", Err(e)),
            Err(failure) => {
                let (outcome, message) = describe(&failure, upstream.name(), &name);
                (
                    outcome,
                    Ok(CallToolResponse::Complete(CallToolResult::error(vec![
                        ContentBlock::text(message),
                    ]))),
                )
            }
        };
        crate::audit::record(&who, upstream.name(), tool_name, outcome);
        self.gateway
            .metrics
            .record_call(upstream.name(), tool_name, outcome, started.elapsed());
        response
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        let name = request.name.clone();
        let Some((upstream, prompt_name)) = self.resolve(&name) else {
            return Err(ErrorData::invalid_params(
                format!("unknown prompt: {name}"),
                None,
            ));
        };
        let mut params = request.clone();
        params.name = prompt_name.to_string();
        let outgoing = ClientRequest::GetPromptRequest(GetPromptRequest::new(params));
        // Getting a prompt changes nothing upstream: a retry is always safe.
        match forward(
            &self.gateway,
            &self.links,
            &upstream,
            &ctx,
            outgoing,
            None,
            true,
        )
        .await
        {
            Ok(ServerResult::GetPromptResult(r)) => Ok(GetPromptResponse::Complete(r)),
            Ok(ServerResult::InputRequiredResult(r)) => Ok(GetPromptResponse::InputRequired(r)),
            Ok(_) => Err(ErrorData::internal_error(
                "unexpected answer to prompts/get",
                None,
            )),
            Err(Failure::Upstream(e)) => Err(e),
            Err(failure) => Err(ErrorData::internal_error(
                describe(&failure, upstream.name(), &name).1,
                None,
            )),
        }
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let Some(upstream) = self.gateway.route_uri(&request.uri).cloned() else {
            return Err(ErrorData::resource_not_found(
                format!("no upstream offers {}", request.uri),
                None,
            ));
        };
        let outgoing =
            ClientRequest::ReadResourceRequest(ReadResourceRequest::new(request.clone()));
        match forward(
            &self.gateway,
            &self.links,
            &upstream,
            &ctx,
            outgoing,
            None,
            true,
        )
        .await
        {
            Ok(ServerResult::ReadResourceResult(r)) => Ok(ReadResourceResponse::Complete(r)),
            Ok(ServerResult::InputRequiredResult(r)) => Ok(ReadResourceResponse::InputRequired(r)),
            Ok(_) => Err(ErrorData::internal_error(
                "unexpected answer to resources/read",
                None,
            )),
            Err(Failure::Upstream(e)) => Err(e),
            Err(failure) => Err(ErrorData::internal_error(
                describe(&failure, upstream.name(), &request.uri).1,
                None,
            )),
        }
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        // A prompt reference carries a prefixed name; a template reference carries the
        // upstream's own URI template, routed like resources are.
        let mut params = request.clone();
        let upstream = match &mut params.r#ref {
            Reference::Prompt(prompt) => {
                let name = prompt.name.clone();
                let Some((upstream, prompt_name)) = self.resolve(&name) else {
                    return Err(ErrorData::invalid_params(
                        format!("unknown prompt: {name}"),
                        None,
                    ));
                };
                prompt.name = prompt_name.to_string();
                upstream
            }
            Reference::Resource(template) => {
                let owner = self
                    .gateway
                    .targets
                    .iter()
                    .find(|t| {
                        t.catalog()
                            .templates
                            .iter()
                            .any(|x| x.uri_template == template.uri)
                    })
                    .or_else(|| self.gateway.route_uri(&template.uri));
                match owner {
                    Some(upstream) => upstream.clone(),
                    None => {
                        return Err(ErrorData::invalid_params(
                            format!("no upstream offers {}", template.uri),
                            None,
                        ));
                    }
                }
            }
            _ => {
                return Err(ErrorData::invalid_params(
                    "completion for this kind of reference is not supported",
                    None,
                ));
            }
        };
        let outgoing = ClientRequest::CompleteRequest(CompleteRequest::new(params));
        // Suggestions change nothing: a retry is safe.
        match forward(
            &self.gateway,
            &self.links,
            &upstream,
            &ctx,
            outgoing,
            None,
            true,
        )
        .await
        {
            Ok(ServerResult::CompleteResult(r)) => Ok(r),
            Ok(_) => Err(ErrorData::internal_error(
                "unexpected answer to completion/complete",
                None,
            )),
            Err(Failure::Upstream(e)) => Err(e),
            Err(failure) => Err(ErrorData::internal_error(
                describe(&failure, upstream.name(), "completion/complete").1,
                None,
            )),
        }
    }

    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        // The subscription is made on this session's own connection to the upstream, so its
        // `notifications/resources/updated` reach this client through the relay.
        let Some(upstream) = self.gateway.route_uri(&request.uri).cloned() else {
            return Err(ErrorData::resource_not_found(
                format!("no upstream offers {}", request.uri),
                None,
            ));
        };
        let outgoing = ClientRequest::SubscribeRequest(SubscribeRequest::new(request.clone()));
        let replica = self
            .forward_unit(&upstream, &ctx, outgoing, &request.uri, None)
            .await?;
        self.links
            .subscriptions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(request.uri.clone(), replica);
        Ok(())
    }

    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        let Some(upstream) = self.gateway.route_uri(&request.uri).cloned() else {
            return Err(ErrorData::resource_not_found(
                format!("no upstream offers {}", request.uri),
                None,
            ));
        };
        let outgoing = ClientRequest::UnsubscribeRequest(UnsubscribeRequest::new(request.clone()));
        // To the replica that holds the subscription, whatever the strategy would pick now.
        let pinned = self
            .links
            .subscriptions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&request.uri);
        self.forward_unit(
            &upstream,
            &ctx,
            outgoing,
            &request.uri,
            pinned.map(|r| vec![r]),
        )
        .await
        .map(drop)
    }

    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        _: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.links.set_level(request.level).await;
        Ok(())
    }
}
