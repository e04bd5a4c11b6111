//! The chat-completions wire format, spoken to any OpenAI-compatible endpoint.
//!
//! `POST {base}/chat/completions` with `{model, messages, tools}` is the de-facto standard for
//! tool calling: OpenAI, Ollama (`http://127.0.0.1:11434/v1`), LM Studio, vLLM and the llama.cpp
//! server all accept it, and Azure OpenAI does too under another URL and header (see
//! [`super::azure`]). The model answers with `tool_calls`, each carrying its arguments as a JSON
//! *string*; the client runs them and sends each result back as a `role: "tool"` message with the
//! matching `tool_call_id`.

use super::schema::{adapt, function_name};
use super::{Message, ModelError, OpenAiSettings, Options, Reply, ToolCall, ToolSpec};
use serde_json::{Value, json};
use std::time::Duration;

/// How the endpoint wants the key.
#[derive(Clone)]
pub enum Auth {
    /// No key (Ollama and other local servers).
    None,
    /// `Authorization: Bearer <key>` (OpenAI and most compatibles).
    Bearer(String),
    /// `api-key: <key>` (Azure OpenAI).
    ApiKey(String),
}

impl std::fmt::Debug for Auth {
    // Never print a key, even in debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::None => write!(f, "None"),
            Auth::Bearer(_) => write!(f, "Bearer(***)"),
            Auth::ApiKey(_) => write!(f, "ApiKey(***)"),
        }
    }
}

/// A chat-completions endpoint.
#[derive(Debug, Clone)]
pub struct ChatCompletions {
    /// The full URL to POST to, query string included.
    pub url: String,
    /// How to authenticate.
    pub auth: Auth,
    /// The `model` field; Azure takes the deployment from the URL and ignores it.
    pub model: String,
    /// What the banner calls it (`OpenAI-compatible`, `Azure OpenAI`).
    pub label: String,
    http: reqwest::Client,
}

/// The default base URL when none is configured.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

impl ChatCompletions {
    /// An endpoint with the given URL, auth and model.
    pub fn new(url: String, auth: Auth, model: String, label: &str) -> Self {
        ChatCompletions {
            url,
            auth,
            model,
            label: label.to_string(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(300))
                .build()
                .unwrap_or_default(),
        }
    }

    /// The OpenAI-compatible backend from flags, environment or `.env`.
    pub fn openai(s: &OpenAiSettings) -> Result<Self, ModelError> {
        let base = s
            .base_url
            .clone()
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
        let model = s.model.clone().ok_or_else(|| {
            ModelError::Config(
                "the openai model needs a model name: set OPENAI_MODEL (or --openai-model), e.g. OPENAI_MODEL=gpt-4o-mini, or llama3.1 for Ollama".into(),
            )
        })?;
        let is_local = base.contains("127.0.0.1") || base.contains("localhost");
        let auth = match &s.api_key {
            Some(k) if !k.is_empty() => Auth::Bearer(k.clone()),
            _ if is_local => Auth::None,
            _ => {
                return Err(ModelError::Config(format!(
                    "the openai model at {base} needs an API key: set OPENAI_API_KEY (or --openai-api-key). Local servers such as Ollama need none: set OPENAI_BASE_URL=http://127.0.0.1:11434/v1"
                )));
            }
        };
        let url = format!("{}/chat/completions", base.trim_end_matches('/'));
        Ok(ChatCompletions::new(url, auth, model, "OpenAI-compatible"))
    }

    /// A line for the banner.
    pub fn describe(&self) -> String {
        // The URL without its query string (which may carry an api-version, never a key).
        let url = self.url.split('?').next().unwrap_or_default();
        format!("{} model '{}' at {url}", self.label, self.model)
    }

    /// The model name reported in sampling results.
    pub fn model_name(&self) -> &str {
        &self.model
    }

    /// Sends the conversation and returns the model's reply.
    pub async fn complete(
        &self,
        messages: &[Message],
        tools: &[ToolSpec],
        options: &Options,
    ) -> Result<Reply, ModelError> {
        let body = request_body(&self.model, messages, tools, options);
        let mut req = self.http.post(&self.url).json(&body);
        req = match &self.auth {
            Auth::None => req,
            Auth::Bearer(k) => req.bearer_auth(k),
            Auth::ApiKey(k) => req.header("api-key", k),
        };
        let url = self.url.split('?').next().unwrap_or_default().to_string();
        let resp = req
            .send()
            .await
            .map_err(|source| ModelError::Http { url, source })?;
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        if !status.is_success() {
            let message = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
                .unwrap_or(text);
            return Err(ModelError::Status {
                status: status.as_u16(),
                message,
            });
        }
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| ModelError::Protocol(format!("{e}: {text}")))?;
        parse_reply(&v, tools)
    }
}

/// Builds the JSON body of a chat-completions request.
pub fn request_body(
    model: &str,
    messages: &[Message],
    tools: &[ToolSpec],
    options: &Options,
) -> Value {
    let wire_name = |name: &str| function_name(name);
    let messages: Vec<Value> = messages
        .iter()
        .map(|m| match m {
            Message::System(t) => json!({"role": "system", "content": t}),
            Message::User(t) => json!({"role": "user", "content": t}),
            Message::Assistant { text, tool_calls } => {
                let mut v = json!({"role": "assistant", "content": text});
                if !tool_calls.is_empty() {
                    v["tool_calls"] = tool_calls
                        .iter()
                        .map(|c| {
                            json!({
                                "id": c.id,
                                "type": "function",
                                "function": {"name": wire_name(&c.name), "arguments": c.arguments.to_string()}
                            })
                        })
                        .collect();
                }
                v
            }
            Message::Tool {
                call_id,
                content,
                is_error,
                ..
            } => {
                // The model must see that the tool failed, not just the text.
                let content = if *is_error {
                    format!("Tool error: {content}")
                } else {
                    content.clone()
                };
                json!({"role": "tool", "tool_call_id": call_id, "content": content})
            }
            // Vision input: data URLs in `image_url` parts, which OpenAI, Azure OpenAI, Ollama
            // and vLLM accept (a text-only model ignores or rejects them; that is its answer).
            Message::Images { tool, images } => {
                let mut parts = vec![json!({"type": "text", "text": format!("Images returned by {tool}:")})];
                parts.extend(images.iter().map(|i| {
                    json!({"type": "image_url", "image_url": {"url": format!("data:{};base64,{}", i.mime, i.data)}})
                }));
                json!({"role": "user", "content": parts})
            }
        })
        .collect();
    let mut body = json!({"model": model, "messages": messages});
    if !tools.is_empty() {
        body["tools"] = tools
            .iter()
            .map(|t| {
                json!({
                    "type": "function",
                    "function": {
                        "name": wire_name(&t.name),
                        "description": t.description,
                        "parameters": adapt(&t.input_schema),
                    }
                })
            })
            .collect();
        body["tool_choice"] = json!("auto");
    }
    if let Some(n) = options.max_tokens {
        body["max_tokens"] = json!(n);
    }
    if let Some(t) = options.temperature {
        body["temperature"] = json!(t);
    }
    if !options.stop.is_empty() {
        body["stop"] = json!(options.stop);
    }
    body
}

/// Reads `choices[0].message` into a [`Reply`], mapping function names back to tool names.
pub fn parse_reply(v: &Value, tools: &[ToolSpec]) -> Result<Reply, ModelError> {
    let choice = &v["choices"][0];
    let message = &choice["message"];
    if !message.is_object() {
        return Err(ModelError::Protocol(format!(
            "no choices[0].message in {v}"
        )));
    }
    let text = message["content"]
        .as_str()
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string);
    let mut tool_calls = Vec::new();
    for (i, call) in message["tool_calls"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let wire = call["function"]["name"].as_str().unwrap_or_default();
        let name = tools
            .iter()
            .find(|t| function_name(&t.name) == wire)
            .map(|t| t.name.clone())
            .unwrap_or_else(|| wire.to_string());
        // Arguments arrive as a JSON string; some local servers send an object instead.
        let arguments = match &call["function"]["arguments"] {
            Value::String(s) if s.trim().is_empty() => json!({}),
            Value::String(s) => serde_json::from_str(s).map_err(|e| {
                ModelError::Protocol(format!("tool call arguments are not JSON ({e}): {s}"))
            })?,
            Value::Null => json!({}),
            other => other.clone(),
        };
        tool_calls.push(ToolCall {
            id: call["id"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| format!("call_{i}")),
            name,
            arguments,
        });
    }
    let stop_reason = match choice["finish_reason"].as_str() {
        Some("length") => Some("maxTokens".to_string()),
        Some("stop") => Some("endTurn".to_string()),
        Some("tool_calls") => Some("toolUse".to_string()),
        _ => None,
    };
    Ok(Reply {
        text,
        tool_calls,
        stop_reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_results_and_errors_round_trip_in_the_body() {
        let messages = vec![
            Message::User("price of apple".into()),
            Message::Assistant {
                text: None,
                tool_calls: vec![ToolCall {
                    id: "c1".into(),
                    name: "get.price".into(),
                    arguments: json!({"symbol": "AAPL"}),
                }],
            },
            Message::Tool {
                call_id: "c1".into(),
                name: "get.price".into(),
                content: "unknown symbol".into(),
                is_error: true,
            },
        ];
        let tools = vec![ToolSpec {
            name: "get.price".into(),
            description: "d".into(),
            title: None,
            input_schema: json!({"type": "object"}),
        }];
        let b = request_body("m", &messages, &tools, &Options::default());
        assert_eq!(
            b["messages"][1]["tool_calls"][0]["function"]["name"],
            "get_price"
        );
        assert_eq!(
            b["messages"][1]["tool_calls"][0]["function"]["arguments"],
            r#"{"symbol":"AAPL"}"#
        );
        assert_eq!(b["messages"][2]["content"], "Tool error: unknown symbol");
        assert_eq!(
            b["tools"][0]["function"]["parameters"]["properties"],
            json!({})
        );
        let reply = parse_reply(
            &json!({"choices": [{"finish_reason": "tool_calls", "message": {"content": null,
                "tool_calls": [{"id": "x", "type": "function",
                  "function": {"name": "get_price", "arguments": "{\"symbol\":\"MSFT\"}"}}]}}]}),
            &tools,
        )
        .unwrap();
        assert_eq!(reply.tool_calls[0].name, "get.price");
        assert_eq!(reply.tool_calls[0].arguments, json!({"symbol": "MSFT"}));
    }

    #[test]
    fn images_follow_the_tool_messages_as_image_url_parts() {
        let messages = vec![Message::Images {
            tool: "get_price_chart".into(),
            images: vec![super::super::Image {
                mime: "image/png".into(),
                data: "iVBORw0KGgo=".into(),
            }],
        }];
        let body = request_body("m", &messages, &[], &Options::default());
        let message = &body["messages"][0];
        assert_eq!(message["role"], "user");
        assert_eq!(
            message["content"][0]["text"],
            "Images returned by get_price_chart:"
        );
        assert_eq!(message["content"][1]["type"], "image_url");
        assert_eq!(
            message["content"][1]["image_url"]["url"],
            "data:image/png;base64,iVBORw0KGgo="
        );
    }

    #[test]
    fn missing_settings_are_named() {
        let err = ChatCompletions::openai(&OpenAiSettings::default()).unwrap_err();
        assert!(err.to_string().contains("OPENAI_MODEL"));
        let err = ChatCompletions::openai(&OpenAiSettings {
            model: Some("gpt".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.to_string().contains("OPENAI_API_KEY"));
        let ok = ChatCompletions::openai(&OpenAiSettings {
            model: Some("llama3.1".into()),
            base_url: Some("http://127.0.0.1:11434/v1/".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(ok.url, "http://127.0.0.1:11434/v1/chat/completions");
    }
}
