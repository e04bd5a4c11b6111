//! Sampling: the server borrows the client's model.
//!
//! With `sampling/createMessage` a server asks the *client* to run a completion (the stock
//! server writes headlines this way), so servers need no API key of their own. The request
//! carries messages, an optional system prompt, `maxTokens`, `temperature`, stop sequences and
//! model preferences. The MCP specification says a human should stay in the loop: see the
//! request and approve, edit or reject it, then see the completion before it goes back. This
//! module does exactly that (`--yes` approves both steps, for scripts), then passes every
//! setting through to whichever backend is configured: a completion written without the system
//! prompt, `maxTokens`, temperature or stop sequences is not the one the server asked for.
//!
//! A rejection is answered with JSON-RPC error code `-1`, as the specification's examples do.

use crate::input::{Input, Line, choose};
use crate::model::{Message, Model, Options};
use crate::render::Renderer;
use rmcp::model::{
    CreateMessageRequestParams, CreateMessageResult, ErrorCode, ErrorData, Role, SamplingMessage,
};
use serde_json::Value;

/// The error a server receives when the human says no.
pub fn rejected() -> ErrorData {
    ErrorData::new(ErrorCode(-1), "User rejected sampling request", None)
}

/// Converts the request's messages to the model's, flattening non-text content to a marker.
pub fn to_messages(params: &CreateMessageRequestParams) -> Vec<Message> {
    let mut out = Vec::new();
    if let Some(system) = params.system_prompt.as_deref().filter(|s| !s.is_empty()) {
        out.push(Message::System(system.to_string()));
    }
    for m in &params.messages {
        let text = message_text(m);
        out.push(match m.role {
            Role::Assistant => Message::Assistant {
                text: Some(text),
                tool_calls: Vec::new(),
            },
            _ => Message::User(text),
        });
    }
    out
}

fn message_text(m: &SamplingMessage) -> String {
    let v = serde_json::to_value(&m.content).unwrap_or(Value::Null);
    let blocks = match v {
        Value::Array(a) => a,
        other => vec![other],
    };
    blocks
        .iter()
        .map(|b| match b["type"].as_str() {
            Some("text") => b["text"].as_str().unwrap_or_default().to_string(),
            Some(other) => format!("[{other} content]"),
            None => b.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The generation settings the request asks for.
pub fn options(params: &CreateMessageRequestParams) -> Options {
    Options {
        max_tokens: Some(params.max_tokens),
        temperature: params.temperature,
        stop: params.stop_sequences.clone().unwrap_or_default(),
    }
}

/// Shows the request, asks the human, runs the model and returns the completion.
pub async fn answer(
    model: &Model,
    input: &Input,
    render: &Renderer,
    auto_approve: bool,
    params: CreateMessageRequestParams,
) -> Result<CreateMessageResult, ErrorData> {
    let mut messages = to_messages(&params);
    let opts = options(&params);
    render.say("\n? The server asks to use your model (sampling):");
    for m in &messages {
        let (role, text) = match m {
            Message::System(t) => ("system", t.as_str()),
            Message::User(t) => ("user", t.as_str()),
            Message::Assistant { text, .. } => ("assistant", text.as_deref().unwrap_or("")),
            Message::Tool { content, .. } => ("tool", content.as_str()),
            Message::Images { .. } => ("user", "(images)"),
        };
        render.say(&format!("  {role}: {}", text.replace('\n', "\n    ")));
    }
    render.say(&format!(
        "  maxTokens: {}{}{}",
        params.max_tokens,
        params
            .temperature
            .map(|t| format!(", temperature: {t}"))
            .unwrap_or_default(),
        if opts.stop.is_empty() {
            String::new()
        } else {
            format!(", stop: {:?}", opts.stop)
        }
    ));

    if auto_approve {
        render.say("  approved (--yes)");
    } else {
        match choose(
            input,
            "  [a]pprove, [e]dit or [r]eject? [a] ",
            &['a', 'e', 'r'],
            'a',
        )
        .await
        {
            Some('a') => {}
            Some('e') => {
                let Line::Text(new) = input.read_line("  New text for the last message: ").await
                else {
                    return Err(rejected());
                };
                if let Some(Message::User(last)) = messages
                    .iter_mut()
                    .rev()
                    .find(|m| matches!(m, Message::User(_)))
                {
                    *last = new;
                }
            }
            _ => return Err(rejected()),
        }
    }

    let reply = model
        .sample(&messages, &opts)
        .await
        .map_err(|e| ErrorData::internal_error(format!("the client's model failed: {e}"), None))?;
    let mut text = reply.text.unwrap_or_default();
    render.say(&format!("  model ({}): {text}", model.name()));

    if !auto_approve {
        match choose(
            input,
            "  Send this to the server? [y]es, [e]dit or [n]o? [y] ",
            &['y', 'e', 'n'],
            'y',
        )
        .await
        {
            Some('y') => {}
            Some('e') => match input.read_line("  Text to send: ").await {
                Line::Text(t) => text = t,
                _ => return Err(rejected()),
            },
            _ => return Err(rejected()),
        }
    }
    let stop = reply
        .stop_reason
        .unwrap_or_else(|| CreateMessageResult::STOP_REASON_END_TURN.to_string());
    Ok(
        CreateMessageResult::new(SamplingMessage::assistant_text(text), model.name())
            .with_stop_reason(stop),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::offline::Offline;

    fn request() -> CreateMessageRequestParams {
        CreateMessageRequestParams::new(
            vec![SamplingMessage::user_text(
                "Write a headline\nTSLA +3.10 (+1.46%) over 1mo. Latest close $215.99.",
            )],
            100,
        )
        .with_system_prompt("You write headlines.")
        .with_temperature(0.2)
    }

    #[test]
    fn the_request_settings_reach_the_model() {
        let p = request();
        let m = to_messages(&p);
        assert_eq!(m[0], Message::System("You write headlines.".into()));
        let o = options(&p);
        assert_eq!(o.max_tokens, Some(100));
        assert_eq!(o.temperature, Some(0.2));
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_human_approves_edits_or_rejects() {
        let model = Model::Offline(Offline::default());
        let r = Renderer::plain();
        let yes = Input::lines(std::io::Cursor::new("a\ny\n"));
        let ok = answer(&model, &yes, &r, false, request()).await.unwrap();
        let text = serde_json::to_value(&ok.message).unwrap();
        assert!(text.to_string().contains("TSLA +3.10"), "{text}");
        let no = Input::lines(std::io::Cursor::new("r\n"));
        let err = answer(&model, &no, &r, false, request()).await.unwrap_err();
        assert_eq!(err.code, ErrorCode(-1));
        let edit = Input::lines(std::io::Cursor::new("a\ne\nMy own headline\n"));
        let ok = answer(&model, &edit, &r, false, request()).await.unwrap();
        assert!(
            serde_json::to_string(&ok.message)
                .unwrap()
                .contains("My own headline")
        );
    }
}
