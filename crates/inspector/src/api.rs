//! The inspector's JSON API: what the page (or `curl`) calls. The browser never speaks MCP.
//!
//! | route (under `/inspector`) | does |
//! |---|---|
//! | `GET  /api/targets` | the workshop's servers, to pick from |
//! | `POST /api/sessions` `{"target": "…", "transport": "auto"}` | connect; answers the session id and the server's info, or `{"signIn": …}` for a server that wants OAuth |
//! | `GET  /api/signins/{s}` | how an OAuth sign-in stands: `waiting`, `done` (with the session), `failed` |
//! | `GET  /oauth/callback?code=…&state=…` | where the authorization server sends the browser back |
//! | `GET  /api/sessions/{id}` | server info, capabilities, instructions, negotiated version |
//! | `DELETE /api/sessions/{id}` | disconnect |
//! | `GET  /api/sessions/{id}/tools` · `/resources` · `/templates` · `/prompts` | the lists (all pages) |
//! | `POST /api/sessions/{id}/call` `{"name": "…", "arguments": {…}}` | `tools/call` |
//! | `POST /api/sessions/{id}/read` `{"uri": "…"}` | `resources/read` |
//! | `POST /api/sessions/{id}/prompt` `{"name": "…", "arguments": {…}}` | `prompts/get` |
//! | `POST /api/sessions/{id}/subscribe` · `/unsubscribe` `{"uri": "…"}` | `resources/subscribe` · `unsubscribe` |
//! | `GET  /api/sessions/{id}/elicitations` | the server's questions waiting for the user |
//! | `POST /api/sessions/{id}/elicitations/{q}` `{"action": "accept", "content": {…}}` | answer one (URL mode: no content) |
//! | `GET  /api/sessions/{id}/roots` · `PUT` `{"roots": [{"uri": "…", "name": "…"}]}` | the roots offered; a PUT sends `notifications/roots/list_changed` |
//! | `GET  /api/sessions/{id}/sampling` | the server's sampling requests waiting for approval |
//! | `POST /api/sessions/{id}/sampling/{r}` `{"action": "approve", "text": "…"}` | approve (or `reject`) one; each request carries the planner's `draft` |
//! | `GET  /api/sessions/{id}/traffic?since=N` | the raw JSON-RPC after entry N |
//! | `GET  /api/sessions/{id}/events` | the same, live, as server-sent events |
//!
//! An MCP operation answers `{"result": …}` when the server answered, or `{"rpcError": …}` when
//! the server answered with a JSON-RPC error; both are 200, because the inspector did its job.
//! Anything else is an [`ApiError`].

use crate::elicitation::Question;
use crate::error::ApiError;
use crate::oauth::{self, SignIn};
use crate::roots::RootInput;
use crate::session::{ConnectError, Session};
use crate::target::Target;
use crate::{Config, KnownServer};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use rmcp::ServiceError;
use rmcp::model::{
    CallToolRequestParams, ElicitResult, ElicitationAction, GetPromptRequestParams, JsonObject,
    ReadResourceRequestParams, SubscribeRequestParams, UnsubscribeRequestParams,
};
use rmcp::transport::auth::AuthError;
use serde::Deserialize;
use serde_json::{Value, json};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::broadcast;
use workshop_kit::expiring::{ExpiringMap, Refused};

/// The longest a session lives, used or not (idle ones close much sooner).
const MAX_LIFETIME: Duration = Duration::from_secs(8 * 3600);

/// How long showing a signed-in session's claims may wait for a token refresh.
const DESCRIBE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a started OAuth sign-in waits for the person to come back.
const SIGN_IN_LIFETIME: Duration = Duration::from_secs(10 * 60);

/// Shared by every handler.
pub struct AppState {
    /// How the inspector was configured.
    pub config: Config,
    /// Open sessions by id: bounded by `config.max_sessions`.
    pub sessions: ExpiringMap<String, Arc<Session>>,
    /// OAuth sign-ins in progress by id: as many as sessions, for ten minutes each.
    pub sign_ins: ExpiringMap<String, Arc<SignIn>>,
}

impl AppState {
    /// State for `config`.
    pub fn new(config: Config) -> Self {
        let sessions = ExpiringMap::new(config.max_sessions, MAX_LIFETIME);
        let sign_ins = ExpiringMap::new(config.max_sessions, SIGN_IN_LIFETIME);
        Self {
            config,
            sessions,
            sign_ins,
        }
    }

    /// Closes sessions idle longer than the configured limit (dropping one ends its MCP session).
    pub fn close_idle(&self) {
        let idle = self.config.idle_timeout;
        self.sessions
            .retain(Instant::now(), |_, s| s.idle_for() < idle);
    }

    /// The open session `id` (closing idle ones first), marked as used now.
    pub fn session(&self, id: &str) -> Result<Arc<Session>, ApiError> {
        self.close_idle();
        let session = self
            .sessions
            .get(id, Instant::now())
            .ok_or_else(ApiError::no_session)?;
        session.touch();
        Ok(session)
    }
}

type AppResult = Result<Json<Value>, ApiError>;

/// `GET /api/targets`.
pub async fn targets(State(state): State<Arc<AppState>>) -> Json<Vec<KnownServer>> {
    Json(state.config.servers.clone())
}

/// The body of `POST /api/sessions`.
#[derive(Debug, Deserialize)]
pub struct ConnectRequest {
    /// A URL or a command (see [`Target::parse`]).
    pub target: String,
    /// `auto` (default), `http`, `sse` or `stdio`.
    #[serde(default)]
    pub transport: Option<String>,
}

/// `POST /api/sessions`: connects, or starts an OAuth sign-in for a server that answers 401.
pub async fn connect(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Json<ConnectRequest>, axum::extract::rejection::JsonRejection>,
) -> AppResult {
    let Json(request) =
        body.map_err(|e| ApiError::bad_request(format!("bad request body: {}", e.body_text())))?;
    let target = Target::parse(&request.target, request.transport.as_deref())
        .and_then(|t| {
            t.authorize(
                state.config.allow_any_command,
                state.config.bin_dir.as_deref(),
            )
        })
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    state.close_idle();
    // Refuse before connecting when every slot is taken, so a full inspector starts no child.
    if state.sessions.len(Instant::now()) >= state.config.max_sessions {
        return Err(ApiError::full(state.config.max_sessions));
    }
    let url = match &target {
        Target::Http { url } => Some(url.clone()),
        _ => None,
    };
    let connected = Session::connect(
        target,
        state.config.connect_timeout,
        state.config.call_timeout,
        None,
    )
    .await;
    match (connected, url) {
        (Ok(session), _) => {
            let (id, info) = add_session(&state, session).await?;
            Ok(Json(json!({ "session": id, "info": info })))
        }
        (Err(ConnectError::SignIn(challenge)), Some(url)) => {
            crate::sign_in::start(&state, &headers, &url, &challenge).await
        }
        (Err(ConnectError::SignIn(challenge)), None) => Err(ApiError::upstream(format!(
            "the server asks for OAuth ({challenge}), which the inspector does over Streamable HTTP only"
        ))),
        (Err(ConnectError::Failed(e)), _) => Err(e),
    }
}

/// Stores a connected session; answers its id and info.
pub(crate) async fn add_session(
    state: &AppState,
    session: Session,
) -> Result<(String, Value), ApiError> {
    let session = Arc::new(session);
    let info = info_json(&session).await;
    let id = uuid::Uuid::new_v4().to_string();
    match state.sessions.insert(id.clone(), session, Instant::now()) {
        Ok(()) => Ok((id, info)),
        Err(Refused::Full) => Err(ApiError::full(state.config.max_sessions)),
        Err(Refused::Occupied) => Err(ApiError::upstream("session id collision; connect again")),
    }
}

/// What the page shows about a session: target, negotiated info, and who signed in.
pub(crate) async fn info_json(session: &Session) -> Value {
    // Reading the token may refresh it, which asks the authorization server: bounded.
    let auth = match &session.auth {
        Some((client, issuer)) => Some(
            tokio::time::timeout(DESCRIBE_TIMEOUT, oauth::describe(client, issuer))
                .await
                .unwrap_or_else(|_| {
                    json!({"authorizationServer": issuer, "error": "the authorization server did not answer in time"})
                }),
        ),
        None => None,
    };
    json!({
        "target": session.target,
        // Protocol version, capabilities, server info and instructions, as negotiated.
        "peer": session.client.peer_info().map(|i| serde_json::to_value(&*i).unwrap_or_default()),
        // Who signed in (the token's claims, never the token).
        "auth": auth,
    })
}

/// `GET /api/sessions/{id}`.
pub async fn info(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> AppResult {
    Ok(Json(info_json(&*state.session(&id)?).await))
}

/// The body of `PUT …/roots`.
#[derive(Debug, Deserialize)]
pub struct RootsBody {
    /// The new list.
    pub roots: Vec<RootInput>,
}

/// `GET /api/sessions/{id}/roots`.
pub async fn roots(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> AppResult {
    let s = state.session(&id)?;
    Ok(Json(json!({ "roots": s.roots.list() })))
}

/// `PUT /api/sessions/{id}/roots`: replaces the roots and tells the server
/// (`notifications/roots/list_changed`); it will ask `roots/list` again when it wants them.
pub async fn set_roots(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    body: Result<Json<RootsBody>, axum::extract::rejection::JsonRejection>,
) -> AppResult {
    let body = parse_body(body)?;
    let s = state.session(&id)?;
    let roots = s.roots.set(body.roots)?;
    s.client.notify_roots_list_changed().await.map_err(|e| {
        ApiError::upstream(format!(
            "the roots were changed, but the server could not be told: {e}"
        ))
    })?;
    Ok(Json(json!({ "roots": roots, "notified": true })))
}

/// `DELETE /api/sessions/{id}`.
pub async fn disconnect(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> AppResult {
    let session = state
        .sessions
        .take(&id, Instant::now())
        .ok_or_else(ApiError::no_session)?;
    // Ends the MCP session now (HTTP DELETE, or the child's stdin closed), not when the last
    // in-flight request lets go of the session.
    session.client.cancellation_token().cancel();
    Ok(Json(json!({ "closed": id })))
}

/// Runs one MCP request with the configured deadline and shapes its outcome.
async fn operation<T: serde::Serialize>(
    state: &AppState,
    session: &Session,
    what: &str,
    request: impl Future<Output = Result<T, ServiceError>>,
) -> AppResult {
    let secs = state.config.call_timeout.as_secs();
    // Dropping the request on timeout makes rmcp send `notifications/cancelled` for it.
    let failure = match tokio::time::timeout(state.config.call_timeout, request).await {
        Err(_) => return Err(ApiError::timeout(what, secs)),
        Ok(Ok(result)) => return Ok(Json(json!({ "result": result }))),
        Ok(Err(ServiceError::McpError(error))) => return Ok(Json(json!({ "rpcError": error }))),
        Ok(Err(ServiceError::TransportClosed)) => ApiError::upstream(format!(
            "{what}: the server closed the connection (did it crash?); connect again"
        )),
        Ok(Err(other)) => ApiError::upstream(format!("{what}: {other}")),
    };
    // A signed-in session whose token can no longer be renewed (the refresh token expired or
    // was revoked) fails like a broken connection; say what it really is.
    if let Some((client, issuer)) = &session.auth
        && let Ok(Err(AuthError::AuthorizationRequired)) =
            tokio::time::timeout(DESCRIBE_TIMEOUT, client.get_access_token()).await
    {
        return Err(ApiError::upstream(format!(
            "{what}: your sign-in has expired ({issuer} would not renew the token); connect \
             again to sign in"
        )));
    }
    Err(failure)
}

/// `GET /api/sessions/{id}/tools`.
pub async fn tools(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> AppResult {
    let s = state.session(&id)?;
    operation(&state, &s, "tools/list", s.client.list_all_tools()).await
}

/// `GET /api/sessions/{id}/resources`.
pub async fn resources(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> AppResult {
    let s = state.session(&id)?;
    operation(&state, &s, "resources/list", s.client.list_all_resources()).await
}

/// `GET /api/sessions/{id}/templates`.
pub async fn templates(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> AppResult {
    let s = state.session(&id)?;
    operation(
        &state,
        &s,
        "resources/templates/list",
        s.client.list_all_resource_templates(),
    )
    .await
}

/// `GET /api/sessions/{id}/prompts`.
pub async fn prompts(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> AppResult {
    let s = state.session(&id)?;
    operation(&state, &s, "prompts/list", s.client.list_all_prompts()).await
}

/// The body of `POST …/call` and `POST …/prompt`.
#[derive(Debug, Deserialize)]
pub struct NamedCall {
    /// The tool's or prompt's name.
    pub name: String,
    /// Its arguments: a JSON object (for a prompt, of strings).
    #[serde(default)]
    pub arguments: Option<Value>,
}

fn parse_body<T: serde::de::DeserializeOwned>(
    body: Result<Json<T>, axum::extract::rejection::JsonRejection>,
) -> Result<T, ApiError> {
    body.map(|Json(b)| b)
        .map_err(|e| ApiError::bad_request(format!("bad request body: {}", e.body_text())))
}

fn arguments_object(arguments: Option<Value>) -> Result<Option<JsonObject>, ApiError> {
    match arguments {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(other) => Err(ApiError::bad_request(format!(
            "arguments must be a JSON object, not {other}"
        ))),
    }
}

/// `POST /api/sessions/{id}/call`.
pub async fn call(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    body: Result<Json<NamedCall>, axum::extract::rejection::JsonRejection>,
) -> AppResult {
    let request = parse_body(body)?;
    let s = state.session(&id)?;
    let mut params = CallToolRequestParams::new(request.name);
    if let Some(arguments) = arguments_object(request.arguments)? {
        params = params.with_arguments(arguments);
    }
    operation(&state, &s, "tools/call", s.client.call_tool(params)).await
}

/// The body of `POST …/read`.
#[derive(Debug, Deserialize)]
pub struct ReadRequest {
    /// The resource's URI.
    pub uri: String,
}

/// `POST /api/sessions/{id}/read`.
pub async fn read(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    body: Result<Json<ReadRequest>, axum::extract::rejection::JsonRejection>,
) -> AppResult {
    let request = parse_body(body)?;
    let s = state.session(&id)?;
    operation(
        &state,
        &s,
        "resources/read",
        s.client
            .read_resource(ReadResourceRequestParams::new(request.uri)),
    )
    .await
}

/// `POST /api/sessions/{id}/subscribe` `{"uri": …}`: `resources/subscribe` (2025-11-25 and
/// older); updates then arrive as `notifications/resources/updated` in the live traffic.
pub async fn subscribe(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    body: Result<Json<ReadRequest>, axum::extract::rejection::JsonRejection>,
) -> AppResult {
    let request = parse_body(body)?;
    let s = state.session(&id)?;
    operation(
        &state,
        &s,
        "resources/subscribe",
        s.client.subscribe(SubscribeRequestParams::new(request.uri)),
    )
    .await
}

/// `POST /api/sessions/{id}/unsubscribe` `{"uri": …}`: `resources/unsubscribe`.
pub async fn unsubscribe(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    body: Result<Json<ReadRequest>, axum::extract::rejection::JsonRejection>,
) -> AppResult {
    let request = parse_body(body)?;
    let s = state.session(&id)?;
    operation(
        &state,
        &s,
        "resources/unsubscribe",
        s.client
            .unsubscribe(UnsubscribeRequestParams::new(request.uri)),
    )
    .await
}

/// `POST /api/sessions/{id}/prompt`.
pub async fn prompt(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    body: Result<Json<NamedCall>, axum::extract::rejection::JsonRejection>,
) -> AppResult {
    let request = parse_body(body)?;
    let s = state.session(&id)?;
    let mut params = GetPromptRequestParams::new(request.name);
    if let Some(arguments) = arguments_object(request.arguments)? {
        params = params.with_arguments(arguments);
    }
    operation(&state, &s, "prompts/get", s.client.get_prompt(params)).await
}

/// The query of `GET …/traffic`.
#[derive(Debug, Deserialize)]
pub struct Since {
    /// Only entries after this sequence number.
    #[serde(default)]
    pub since: u64,
}

/// `GET /api/sessions/{id}/traffic?since=N`.
pub async fn traffic(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    Query(since): Query<Since>,
) -> AppResult {
    let s = state.session(&id)?;
    Ok(Json(json!({ "entries": s.traffic.since(since.since) })))
}

/// `GET /api/sessions/{id}/events`: each traffic entry as an SSE `traffic` event, live.
///
/// Notifications (progress, log messages, list changes, resource updates) are traffic like any
/// other, so one stream carries them all and the page picks them out. The stream ends when the
/// session does; a page that falls behind gets a `lagged` event and re-reads `…/traffic`.
pub async fn events(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let s = state.session(&id)?;
    let receiver = s.traffic.subscribe();
    // Hold no `Arc<Session>` in the stream: a closed session must be dropped, not kept alive
    // by a page that is still listening.
    drop(s);
    let stream = futures::stream::unfold(receiver, |mut rx| async move {
        let event = match rx.recv().await {
            Ok(entry) => Event::default()
                .event("traffic")
                .json_data(&entry)
                .unwrap_or_default(),
            Err(broadcast::error::RecvError::Lagged(n)) => {
                Event::default().event("lagged").data(n.to_string())
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        };
        Some((Ok(event), rx))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// `GET /api/sessions/{id}/elicitations`: the server's questions waiting for the user.
pub async fn elicitations(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> AppResult {
    let s = state.session(&id)?;
    Ok(Json(json!({
        "questions": s.questions.list(),
        // URL-mode elicitations the server has since said are complete.
        "completed": s.completed.list(),
    })))
}

/// The body of `POST …/elicitations/{question}`.
#[derive(Debug, Deserialize)]
pub struct Answer {
    /// `accept`, `decline` or `cancel`.
    pub action: ElicitationAction,
    /// With `accept`: the form's content, an object.
    #[serde(default)]
    pub content: Option<Value>,
}

/// `POST /api/sessions/{id}/elicitations/{question}`: the user's answer.
pub async fn answer(
    State(state): State<Arc<AppState>>,
    Path((id, question)): Path<(String, String)>,
    body: Result<Json<Answer>, axum::extract::rejection::JsonRejection>,
) -> AppResult {
    let answer = parse_body(body)?;
    let s = state.session(&id)?;
    let mut result = ElicitResult::new(answer.action.clone());
    let is_url = s
        .questions
        .list()
        .iter()
        .any(|q| q.id == question && matches!(q.request, Question::Url { .. }));
    match (answer.action, answer.content) {
        // URL mode: accept means "I agreed to open the page", and carries nothing.
        (ElicitationAction::Accept, None) if is_url => {}
        (ElicitationAction::Accept, Some(_)) if is_url => {
            return Err(ApiError::bad_request(
                "a URL-mode elicitation is accepted without content: the answer is given on the server's page",
            ));
        }
        (ElicitationAction::Accept, Some(content @ Value::Object(_))) => {
            result = result.with_content(content)
        }
        (ElicitationAction::Accept, _) => {
            return Err(ApiError::bad_request("accept needs a content object"));
        }
        // Content only travels with accept (the spec says so).
        _ => {}
    }
    s.questions.answer(&question, result)?;
    Ok(Json(json!({ "answered": question })))
}

/// `GET /api/sessions/{id}/sampling`: the server's sampling requests waiting for approval.
pub async fn sampling_list(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> AppResult {
    let s = state.session(&id)?;
    Ok(Json(json!({ "requests": s.sampling.list() })))
}

/// The body of `POST …/sampling/{request}`.
#[derive(Debug, Deserialize)]
pub struct SamplingDecision {
    /// `approve` or `reject`.
    pub action: String,
    /// With `approve`: the answer's text.
    #[serde(default)]
    pub text: Option<String>,
    /// With `approve`: the model name to report (default `inspector-user`).
    #[serde(default)]
    pub model: Option<String>,
    /// With `approve`: why the answer ends (default `endTurn`; the planner's draft says
    /// `maxTokens` when it was cut at the limit).
    #[serde(default, rename = "stopReason")]
    pub stop_reason: Option<String>,
}

/// `POST /api/sessions/{id}/sampling/{request}`: approve (with the text) or reject.
pub async fn sampling_answer(
    State(state): State<Arc<AppState>>,
    Path((id, request)): Path<(String, String)>,
    body: Result<Json<SamplingDecision>, axum::extract::rejection::JsonRejection>,
) -> AppResult {
    let decision = parse_body(body)?;
    let answer = match (decision.action.as_str(), decision.text) {
        ("approve", Some(text)) => crate::sampling::approved(
            text,
            decision.model.unwrap_or_else(|| "inspector-user".into()),
            decision.stop_reason.unwrap_or_else(|| "endTurn".into()),
        ),
        ("approve", None) => return Err(ApiError::bad_request("approve needs the answer's text")),
        ("reject", _) => crate::sampling::SamplingAnswer::Reject,
        (other, _) => {
            return Err(ApiError::bad_request(format!(
                "unknown action '{other}': use approve or reject"
            )));
        }
    };
    let s = state.session(&id)?;
    s.sampling.answer(&request, answer)?;
    Ok(Json(json!({ "answered": request })))
}

/// Any other `/api` path: a JSON 404 rather than an empty body.
pub async fn not_found() -> impl IntoResponse {
    ApiError {
        status: axum::http::StatusCode::NOT_FOUND,
        message: "no such inspector API route".into(),
    }
}
