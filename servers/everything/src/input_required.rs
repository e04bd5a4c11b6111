//! Input-required results (MRTR, SEP-2322): on protocol 2026-07-28 the server asks the client
//! for input by *answering*, not by sending a request.
//!
//! Up to 2025-11-25 a tool that needs the user (elicitation), the client's model (sampling)
//! or the client's roots sends a request to the client in the middle of the call, which needs
//! a session to carry it. 2026-07-28 has no sessions, so it forbids server→client requests:
//! the tool returns an `InputRequiredResult` instead, and the client calls again with the
//! answers.
//!
//! ```json
//! → {"method":"tools/call","params":{"name":"test_input_required_result_elicitation","arguments":{}}}
//! ← {"result":{"resultType":"input_required",
//!      "inputRequests":{"user_name":{"method":"elicitation/create","params":{"message":"What is your name?",…}}}}}
//! → {"method":"tools/call","params":{"name":"test_input_required_result_elicitation","arguments":{},
//!      "inputResponses":{"user_name":{"action":"accept","content":{"name":"Alice"}}}}}
//! ← {"result":{"resultType":"complete","content":[{"type":"text","text":"Hello, Alice!"}]}}
//! ```
//!
//! The keys of `inputRequests` are the server's own names; the client answers under the same
//! keys. A server that needs to remember something between rounds puts it in
//! `requestState`, an opaque string the client echoes back. The client can change it, so
//! every state here is sealed with an HMAC ([`RequestStateCodec`], rmcp's `request-state`
//! feature) under a key made when the process starts, and a state that does not verify is
//! refused with `-32602`. Each fixture shows one rule:
//!
//! | fixture | shows |
//! |---|---|
//! | `test_input_required_result_elicitation` | one form question; a wrong or missing key asks again, extra keys are ignored, a malformed answer is `-32602` |
//! | `test_input_required_result_sampling` | one `sampling/createMessage` |
//! | `test_input_required_result_list_roots` | one `roots/list` |
//! | `test_input_required_result_request_state` | a sealed `requestState` echoed back |
//! | `test_input_required_result_multiple_inputs` | three requests in one round |
//! | `test_input_required_result_multi_round` | two rounds, the first answer carried in the state |
//! | `test_input_required_result_tampered_state` | a changed state is refused |
//! | `test_input_required_result_capabilities` | only asks for what the client declared |
//! | prompt `test_input_required_result_prompt` | the same on `prompts/get`, not only on tools |
//!
//! These fixtures exist only on 2026-07-28: rmcp refuses to send an `InputRequiredResult` to
//! an older client, so [`crate::server`] lists them only to 2026-07-28 requests.

use crate::EverythingServer;
use rmcp::ErrorData;
use rmcp::handler::server::tool::{InputResponses, RequestState};
use rmcp::model::{
    CallToolResponse, CallToolResult, ContentBlock, CreateMessageRequest,
    CreateMessageRequestParams, CreateMessageResult, ElicitRequest, ElicitRequestParams,
    ElicitResult, ElicitationAction, ElicitationSchema, GetPromptRequestParams, GetPromptResponse,
    GetPromptResult, InputRequest, InputRequests, InputRequiredResult, ListRootsRequest,
    ListRootsResult, PromptMessage, RequestStateCodec, Role, SamplingMessage,
    SamplingMessageContentBlock,
};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
#[cfg(test)]
use serde_json::Value;
use serde_json::json;
use std::sync::OnceLock;

/// The tools that answer with `InputRequiredResult`, offered on 2026-07-28 only.
pub const TOOLS: &[&str] = &[
    "test_input_required_result_elicitation",
    "test_input_required_result_sampling",
    "test_input_required_result_list_roots",
    "test_input_required_result_request_state",
    "test_input_required_result_multiple_inputs",
    "test_input_required_result_multi_round",
    "test_input_required_result_tampered_state",
    "test_input_required_result_capabilities",
];

/// The prompt that answers `prompts/get` with `InputRequiredResult`.
pub const PROMPT: &str = "test_input_required_result_prompt";

/// The codec that seals every `requestState` this process hands out. Its key is random and
/// lives as long as the process, so a state is valid on this server until it restarts.
pub fn codec() -> &'static RequestStateCodec {
    static CODEC: OnceLock<RequestStateCodec> = OnceLock::new();
    CODEC.get_or_init(|| {
        // Two v4 UUIDs: 32 bytes from the OS's random source (uuid uses getrandom).
        let mut key = uuid::Uuid::new_v4().as_bytes().to_vec();
        key.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
        RequestStateCodec::new(key)
    })
}

/// What a sealed `requestState` says: which fixture issued it and what it remembers.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct State {
    /// The fixture that issued it: a state is only good for the tool that made it.
    pub kind: String,
    /// The round the client is answering (multi-round).
    #[serde(default)]
    pub round: u8,
    /// An answer carried from an earlier round (multi-round: the name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl State {
    fn new(kind: &str) -> Self {
        Self {
            kind: kind.into(),
            round: 1,
            name: None,
        }
    }
}

/// Seals `state` for the client to echo back.
pub fn seal(state: &State) -> Result<String, ErrorData> {
    codec()
        .seal_json(state)
        .map_err(|e| ErrorData::internal_error(format!("cannot seal requestState: {e}"), None))
}

/// Opens an echoed `requestState` issued by fixture `kind`: `-32602` if it was changed, or
/// was issued by another fixture.
pub fn open(sealed: &str, kind: &str) -> Result<State, ErrorData> {
    let state: State = codec()
        .open_json(sealed)
        .map_err(|_| ErrorData::invalid_params("requestState integrity check failed", None))?;
    if state.kind != kind {
        return Err(ErrorData::invalid_params(
            format!("requestState was issued by {}, not {kind}", state.kind),
            None,
        ));
    }
    Ok(state)
}

/// An `elicitation/create` input request: a form with one required property `field` of JSON
/// type `kind`.
pub fn elicit(message: &str, field: &str, kind: &str) -> Result<InputRequest, ErrorData> {
    let schema: ElicitationSchema = serde_json::from_value(json!({
        "type": "object",
        "properties": { field: { "type": kind } },
        "required": [field]
    }))
    .map_err(|e| ErrorData::internal_error(format!("bad elicitation schema: {e}"), None))?;
    Ok(InputRequest::Elicitation(ElicitRequest::new(
        ElicitRequestParams::FormElicitationParams {
            meta: None,
            message: message.into(),
            requested_schema: schema,
        },
    )))
}

/// A `sampling/createMessage` input request for `prompt`.
pub fn sample(prompt: &str, max_tokens: u32) -> InputRequest {
    InputRequest::CreateMessage(CreateMessageRequest::new(CreateMessageRequestParams::new(
        vec![SamplingMessage::user_text(prompt)],
        max_tokens,
    )))
}

/// A `roots/list` input request.
pub fn list_roots() -> InputRequest {
    InputRequest::ListRoots(ListRootsRequest::default())
}

/// The answer under `key`, read as the type the request asked for: `None` when the client
/// did not answer it, `-32602` when the answer is not that type's shape.
pub fn answer<T: DeserializeOwned>(
    responses: &Option<rmcp::model::InputResponses>,
    key: &str,
) -> Result<Option<T>, ErrorData> {
    let Some(value) = responses.as_ref().and_then(|r| r.get(key)) else {
        return Ok(None);
    };
    serde_json::from_value(value.clone())
        .map(Some)
        .map_err(|e| {
            ErrorData::invalid_params(format!("inputResponses.{key} is malformed: {e}"), None)
        })
}

/// The string `field` of an accepted elicitation; `"(declined)"` / `"(cancelled)"` otherwise.
pub fn field(result: &ElicitResult, field: &str) -> String {
    match result.action {
        ElicitationAction::Accept => result
            .content
            .as_ref()
            .and_then(|c| c.get(field))
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .unwrap_or_default(),
        ElicitationAction::Decline => "(declined)".into(),
        _ => "(cancelled)".into(),
    }
}

/// The text the client's model wrote.
pub fn sampled_text(result: &CreateMessageResult) -> String {
    result
        .message
        .content
        .iter()
        .filter_map(|block| match block {
            SamplingMessageContentBlock::Text(t) => Some(t.text.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// An `InputRequiredResult` asking for `requests`, with an optional sealed state.
pub fn ask(
    requests: impl IntoIterator<Item = (&'static str, InputRequest)>,
    state: Option<&State>,
) -> Result<CallToolResponse, ErrorData> {
    let requests: InputRequests = requests
        .into_iter()
        .map(|(key, request)| (key.to_owned(), request))
        .collect();
    let state = state.map(seal).transpose()?;
    Ok(InputRequiredResult::new(Some(requests), state).into())
}

fn done(text: impl Into<String>) -> Result<CallToolResponse, ErrorData> {
    Ok(CallToolResult::success(vec![ContentBlock::text(text.into())]).into())
}

/// `prompts/get` of [`PROMPT`]: asks for a context, then returns a prompt that uses it.
pub fn prompt(request: &GetPromptRequestParams) -> Result<GetPromptResponse, ErrorData> {
    let context: Option<ElicitResult> = answer(&request.input_responses, "user_context")?;
    let Some(context) = context else {
        let mut requests = InputRequests::new();
        requests.insert(
            "user_context".into(),
            elicit("What context should the prompt use?", "context", "string")?,
        );
        return Ok(GetPromptResponse::InputRequired(InputRequiredResult::new(
            Some(requests),
            None,
        )));
    };
    let text = format!("Prompt with context: {}", field(&context, "context"));
    Ok(
        GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
            .with_description("A prompt built from an answer the client gave")
            .into(),
    )
}

#[allow(missing_docs)]
#[tool_router(router = "input_required_tools", vis = "pub(crate)")]
impl EverythingServer {
    /// Demonstrates MRTR with one form question: asks "What is your name?" under the key
    /// `user_name`, then answers "Hello, <name>!". Answers under other keys are ignored (and
    /// the question asked again); a malformed answer is a `-32602` error.
    #[tool(
        name = "test_input_required_result_elicitation",
        annotations(read_only_hint = true)
    )]
    async fn test_input_required_result_elicitation(
        &self,
        InputResponses(responses): InputResponses,
    ) -> Result<CallToolResponse, ErrorData> {
        match answer::<ElicitResult>(&responses, "user_name")? {
            Some(name) => done(format!("Hello, {}!", field(&name, "name"))),
            None => ask(
                [("user_name", elicit("What is your name?", "name", "string")?)],
                None,
            ),
        }
    }

    /// Demonstrates MRTR with sampling: asks the client's model "What is the capital of
    /// France?" under `sample_request` and answers "Sampling result: <its text>".
    #[tool(
        name = "test_input_required_result_sampling",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn test_input_required_result_sampling(
        &self,
        InputResponses(responses): InputResponses,
    ) -> Result<CallToolResponse, ErrorData> {
        match answer::<CreateMessageResult>(&responses, "sample_request")? {
            Some(result) => done(format!("Sampling result: {}", sampled_text(&result))),
            None => ask(
                [(
                    "sample_request",
                    sample("What is the capital of France?", 100),
                )],
                None,
            ),
        }
    }

    /// Demonstrates MRTR with roots: asks for the client's roots under `roots_request` and
    /// answers "Found N root(s)".
    #[tool(
        name = "test_input_required_result_list_roots",
        annotations(read_only_hint = true)
    )]
    async fn test_input_required_result_list_roots(
        &self,
        InputResponses(responses): InputResponses,
    ) -> Result<CallToolResponse, ErrorData> {
        match answer::<ListRootsResult>(&responses, "roots_request")? {
            Some(roots) => done(format!("Found {} root(s)", roots.roots.len())),
            None => ask([("roots_request", list_roots())], None),
        }
    }

    /// Demonstrates `requestState`: asks to confirm (`confirm`, a boolean `ok`) and hands out a
    /// sealed state; the retry must echo it, and then answers "state-ok: requestState
    /// validated".
    #[tool(
        name = "test_input_required_result_request_state",
        annotations(read_only_hint = true)
    )]
    async fn test_input_required_result_request_state(
        &self,
        InputResponses(responses): InputResponses,
        RequestState(state): RequestState,
    ) -> Result<CallToolResponse, ErrorData> {
        const KIND: &str = "request-state";
        let confirm: Option<ElicitResult> = answer(&responses, "confirm")?;
        if let (Some(sealed), Some(confirm)) = (state, confirm) {
            open(&sealed, KIND)?;
            if confirm.action == ElicitationAction::Accept {
                return done("state-ok: requestState validated");
            }
            return done("not confirmed: nothing done");
        }
        ask(
            [("confirm", elicit("Please confirm", "ok", "boolean")?)],
            Some(&State::new(KIND)),
        )
    }

    /// Demonstrates several input requests in one round: a name (elicitation), a greeting
    /// (sampling) and the roots, answered together.
    #[tool(
        name = "test_input_required_result_multiple_inputs",
        annotations(read_only_hint = true)
    )]
    async fn test_input_required_result_multiple_inputs(
        &self,
        InputResponses(responses): InputResponses,
        RequestState(state): RequestState,
    ) -> Result<CallToolResponse, ErrorData> {
        const KIND: &str = "multiple-inputs";
        let name: Option<ElicitResult> = answer(&responses, "user_name")?;
        let greeting: Option<CreateMessageResult> = answer(&responses, "greeting")?;
        let roots: Option<ListRootsResult> = answer(&responses, "client_roots")?;
        if let (Some(sealed), Some(name), Some(greeting), Some(roots)) =
            (state, name, greeting, roots)
        {
            open(&sealed, KIND)?;
            return done(format!(
                "Name: {}; Greeting: {}; Roots: {}",
                field(&name, "name"),
                sampled_text(&greeting),
                roots.roots.len()
            ));
        }
        ask(
            [
                ("user_name", elicit("What is your name?", "name", "string")?),
                ("greeting", sample("Generate a greeting", 50)),
                ("client_roots", list_roots()),
            ],
            Some(&State::new(KIND)),
        )
    }

    /// Demonstrates several rounds: asks for a name, then (remembering it in the sealed state)
    /// a favourite colour, then answers "Multi-round complete for <name> who likes <colour>".
    #[tool(
        name = "test_input_required_result_multi_round",
        annotations(read_only_hint = true)
    )]
    async fn test_input_required_result_multi_round(
        &self,
        InputResponses(responses): InputResponses,
        RequestState(state): RequestState,
    ) -> Result<CallToolResponse, ErrorData> {
        const KIND: &str = "multi-round";
        let first_round = || {
            ask(
                [(
                    "step1",
                    elicit("Step 1: What is your name?", "name", "string")?,
                )],
                Some(&State::new(KIND)),
            )
        };
        let Some(sealed) = state else {
            return first_round();
        };
        let state = open(&sealed, KIND)?;
        match (state.round, state.name) {
            (1, _) => match answer::<ElicitResult>(&responses, "step1")? {
                Some(step1) => {
                    let next = State {
                        kind: KIND.into(),
                        round: 2,
                        name: Some(field(&step1, "name")),
                    };
                    ask(
                        [(
                            "step2",
                            elicit("Step 2: What is your favorite color?", "color", "string")?,
                        )],
                        Some(&next),
                    )
                }
                None => first_round(),
            },
            (2, Some(name)) => match answer::<ElicitResult>(&responses, "step2")? {
                Some(step2) => done(format!(
                    "Multi-round complete for {name} who likes {}",
                    field(&step2, "color")
                )),
                None => first_round(),
            },
            _ => first_round(),
        }
    }

    /// Demonstrates why `requestState` is sealed: asks to confirm with a sealed state, and
    /// refuses (`-32602`) a retry whose state was changed on the way.
    #[tool(
        name = "test_input_required_result_tampered_state",
        annotations(read_only_hint = true)
    )]
    async fn test_input_required_result_tampered_state(
        &self,
        InputResponses(responses): InputResponses,
        RequestState(state): RequestState,
    ) -> Result<CallToolResponse, ErrorData> {
        const KIND: &str = "tamper-test";
        if let Some(sealed) = state {
            open(&sealed, KIND)?;
            if answer::<ElicitResult>(&responses, "confirm")?.is_some() {
                return done("integrity-ok: state verified");
            }
        }
        ask(
            [("confirm", elicit("Please confirm", "ok", "boolean")?)],
            Some(&State::new(KIND)),
        )
    }

    /// Demonstrates that input requests respect the client's capabilities: asks for an
    /// elicitation only if the request declares `elicitation`, for sampling only if it
    /// declares `sampling`, and nothing if it declares neither.
    #[tool(
        name = "test_input_required_result_capabilities",
        annotations(read_only_hint = true)
    )]
    async fn test_input_required_result_capabilities(
        &self,
        InputResponses(responses): InputResponses,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        if let Some(responses) = responses.filter(|r| !r.is_empty()) {
            let keys: Vec<&str> = responses.keys().map(String::as_str).collect();
            return done(format!("capabilities-ok: received {}", keys.join(",")));
        }
        let capabilities = context.client_capabilities();
        let capabilities = capabilities.as_ref();
        let mut requests = Vec::new();
        if capabilities.is_some_and(|c| c.elicitation.is_some()) {
            requests.push((
                "elicit_input",
                elicit("Elicitation input", "value", "string")?,
            ));
        }
        if capabilities.is_some_and(|c| c.sampling.is_some()) {
            requests.push(("sample_input", sample("Sample request", 50)));
        }
        if requests.is_empty() {
            return done("No supported capabilities declared");
        }
        ask(requests, Some(&State::new("capabilities-test")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_requests_carry_the_method_the_client_dispatches_on() {
        let methods: Vec<Value> = [
            elicit("q", "name", "string").unwrap(),
            sample("q", 10),
            list_roots(),
        ]
        .iter()
        .map(|r| serde_json::to_value(r).unwrap()["method"].clone())
        .collect();
        assert_eq!(
            methods,
            ["elicitation/create", "sampling/createMessage", "roots/list"]
        );
    }

    #[test]
    fn a_sealed_state_opens_only_unchanged_and_for_its_fixture() {
        let sealed = seal(&State::new("multi-round")).unwrap();
        assert_eq!(open(&sealed, "multi-round").unwrap().round, 1);
        assert!(open(&format!("{sealed}-TAMPERED"), "multi-round").is_err());
        assert!(open(&sealed, "tamper-test").is_err());
    }

    #[test]
    fn a_malformed_answer_is_invalid_params_and_a_missing_one_is_none() {
        let mut responses = rmcp::model::InputResponses::new();
        responses.insert("user_name".into(), json!(12345));
        let bad = answer::<ElicitResult>(&Some(responses), "user_name").unwrap_err();
        assert_eq!(bad.code, rmcp::model::ErrorCode::INVALID_PARAMS);
        assert!(
            answer::<ElicitResult>(&None, "user_name")
                .unwrap()
                .is_none()
        );
    }
}
