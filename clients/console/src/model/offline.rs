//! The offline model: the [`offline_planner`] crate in the model's seat of the chat loop.
//!
//! The planner plans calls from one question and phrases results; a chat model reads a whole
//! conversation. This adapter connects the two. Each time the chat loop asks it for the next
//! reply, it looks at the conversation since the last question:
//!
//! - **no tool results yet**: a new question. The planner plans calls from the question, the
//!   server's tools and the previous call (for follow-ups such as "and Microsoft?"); the
//!   adapter gives each call an id and answers with tool calls (`toolUse`).
//! - **results are back**: the planner phrases them into the answer, matching each result to
//!   its call by id.
//!
//! What the planner knows about names (`NVDA` is "NVIDIA") it learnt from the server at
//! connect time ([`super::vocabulary`]), and the console hands it over with [`Offline::learn`].

use super::{Message, Options, Reply, ToolCall, ToolSpec};
use offline_planner::phrase::{Outcome, answer};
use offline_planner::{Call, Planner, Tool, Vocabulary};
use serde_json::Value;

/// The offline model. Everything it knows is in the messages, the tool list and the vocabulary
/// learnt from the server.
#[derive(Debug, Clone, Default)]
pub struct Offline {
    planner: Planner,
}

impl Offline {
    /// Gives the planner the names the server told us about.
    pub fn learn(&mut self, vocabulary: Vocabulary) {
        self.planner = Planner::new(vocabulary);
    }

    /// The names the planner knows.
    pub fn vocabulary(&self) -> &Vocabulary {
        self.planner.vocabulary()
    }

    /// The next reply: tool calls for a new question, or an answer once results are in.
    /// (Generation settings do not apply to a planner; sampling goes through [`sample`].)
    pub fn complete(&self, messages: &[Message], tools: &[ToolSpec], _options: &Options) -> Reply {
        let tools: Vec<Tool> = tools.iter().map(to_tool).collect();
        if tools.is_empty() {
            return Reply::text(offline_planner::NO_TOOLS);
        }
        let Some(last_user) = messages.iter().rposition(|m| matches!(m, Message::User(_))) else {
            return Reply::text(offline_planner::NO_QUESTION);
        };
        let Message::User(question) = &messages[last_user] else {
            unreachable!("rposition found a user message")
        };
        let turn = &messages[last_user + 1..];
        if !turn.iter().any(|m| matches!(m, Message::Tool { .. })) {
            return self.plan(question, &tools, &messages[..last_user], last_user);
        }
        Reply::text(phrase(turn, &tools))
    }

    /// Tool calls for a new question (ids `offline_<turn>_<n>`), or an honest "no match".
    fn plan(&self, question: &str, tools: &[Tool], history: &[Message], turn: usize) -> Reply {
        let previous = last_call(history);
        let planned = self.planner.plan(question, tools, previous.as_ref());
        if planned.is_empty() {
            return Reply::text(offline_planner::no_match(
                question,
                tools,
                self.planner.vocabulary(),
            ));
        }
        let tool_calls = planned
            .into_iter()
            .enumerate()
            .map(|(i, call)| ToolCall {
                id: format!("offline_{turn}_{i}"),
                name: call.tool,
                arguments: Value::Object(call.arguments),
            })
            .collect();
        Reply {
            text: None,
            tool_calls,
            stop_reason: Some("toolUse".into()),
        }
    }
}

/// The first call of the last assistant message that made any: what a follow-up follows.
fn last_call(history: &[Message]) -> Option<Call> {
    history.iter().rev().find_map(|m| match m {
        Message::Assistant { tool_calls, .. } => tool_calls.first().map(to_call),
        _ => None,
    })
}

/// The answer for a turn's results, each matched to its call by id.
fn phrase(turn: &[Message], tools: &[Tool]) -> String {
    let calls: Vec<(&str, Call)> = turn
        .iter()
        .filter_map(|m| match m {
            Message::Assistant { tool_calls, .. } => Some(tool_calls),
            _ => None,
        })
        .flatten()
        .map(|c| (c.id.as_str(), to_call(c)))
        .collect();
    let outcomes: Vec<Outcome> = turn
        .iter()
        .filter_map(|m| match m {
            Message::Tool {
                call_id,
                content,
                is_error,
                ..
            } => {
                let (_, call) = calls.iter().find(|(id, _)| id == call_id)?;
                let title = tools.iter().find(|t| t.name == call.tool);
                Some(Outcome {
                    call,
                    title: title.and_then(|t| t.title.as_deref()),
                    content,
                    is_error: *is_error,
                })
            }
            _ => None,
        })
        .collect();
    answer(&outcomes)
}

/// A tool as the planner reads it.
fn to_tool(spec: &ToolSpec) -> Tool {
    Tool {
        name: spec.name.clone(),
        description: spec.description.clone(),
        title: spec.title.clone(),
        input_schema: spec.input_schema.clone(),
    }
}

/// A tool call as the planner reads it.
fn to_call(call: &ToolCall) -> Call {
    Call {
        tool: call.name.clone(),
        arguments: call.arguments.as_object().cloned().unwrap_or_default(),
    }
}

/// Answers a sampling request without a model: extracts from the data the prompt carries.
pub fn sample(messages: &[Message], options: &Options) -> Reply {
    let prompt = messages
        .iter()
        .rev()
        .find_map(|m| match m {
            Message::User(t) => Some(t.as_str()),
            _ => None,
        })
        .unwrap_or_default();
    let (text, stop) = offline_planner::sample::sample(prompt, options.max_tokens, &options.stop);
    Reply {
        text: Some(text),
        tool_calls: Vec::new(),
        stop_reason: Some(stop.as_str().into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn weather_tools() -> Vec<ToolSpec> {
        let tool = |name: &str, description: &str, schema: Value| ToolSpec {
            name: name.into(),
            description: description.into(),
            title: None,
            input_schema: schema,
        };
        vec![
            tool(
                "get_weather",
                "Current weather for a city.",
                json!({"type": "object", "properties": {"city": {"type": "string", "default": "London"}}}),
            ),
            tool(
                "get_forecast",
                "Weather forecast for the next days.",
                json!({"type": "object", "properties": {"city": {"type": "string"},
                  "days": {"type": "integer", "minimum": 1, "maximum": 7}}, "required": ["city", "days"]}),
            ),
        ]
    }

    #[test]
    fn unmatched_questions_and_tool_less_servers_get_an_honest_answer() {
        let q = [Message::User("what is the meaning of life".into())];
        let r = Offline::default().complete(&q, &weather_tools(), &Options::default());
        assert!(r.tool_calls.is_empty());
        let text = r.text.unwrap();
        assert!(
            text.contains("offline planner, not a language model"),
            "{text}"
        );
        assert!(text.contains("get_weather, get_forecast"), "{text}");
        let r = Offline::default().complete(&q, &[], &Options::default());
        assert!(r.text.unwrap().contains("no tools"));
    }

    #[test]
    fn a_question_becomes_calls_and_results_become_an_answer() {
        let mut turn = vec![Message::User("forecast for Oslo for 2 days".into())];
        let offline = Offline::default();
        let r = offline.complete(&turn, &weather_tools(), &Options::default());
        assert_eq!(r.stop_reason.as_deref(), Some("toolUse"));
        assert_eq!(r.tool_calls[0].id, "offline_0_0");
        assert_eq!(
            r.tool_calls[0].arguments,
            json!({"city": "Oslo", "days": 2})
        );
        turn.push(Message::Assistant {
            text: None,
            tool_calls: r.tool_calls.clone(),
        });
        turn.push(Message::Tool {
            call_id: "offline_0_0".into(),
            name: "get_forecast".into(),
            content: r#"{"city":"Oslo","high_c":3}"#.into(),
            is_error: false,
        });
        let r = offline.complete(&turn, &weather_tools(), &Options::default());
        assert_eq!(r.text.as_deref(), Some("Oslo: high 3 °C."));
    }

    #[test]
    fn sampling_respects_max_tokens_and_stop_sequences() {
        let msgs = vec![Message::User(
            "Create a stock headline based on the following data\nAAPL +1.20 (+0.69%) over 1mo. Latest close $175.50.".into(),
        )];
        let r = sample(&msgs, &Options::default());
        assert_eq!(
            r.text.as_deref(),
            Some("AAPL +1.20 (+0.69%) over 1mo — Latest close $175.50")
        );
        let r = sample(
            &msgs,
            &Options {
                max_tokens: Some(2),
                ..Default::default()
            },
        );
        assert_eq!(r.text.as_deref(), Some("AAPL +1.20"));
        assert_eq!(r.stop_reason.as_deref(), Some("maxTokens"));
    }
}
