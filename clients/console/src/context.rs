//! Context engineering (lesson 5.14): what the model reads on every step, how big it is, and
//! the policy that keeps it inside a budget.
//!
//! Each model call sends the **whole context** again: the system prompt, every tool's schema,
//! every earlier question and answer, and every tool result. It only grows, and a model has a
//! window (and a price per token). `/context` shows what it holds now:
//!
//! ```text
//! context: 1 812 of 2 000 tokens (estimate: 1 token ≈ 4 characters)
//!   system prompt         61
//!   tool schemas         602   (7 tools)
//!   summaries              0
//!   turns                 88   (3 questions)
//!   tool results        1 061  (4 results)
//! ```
//!
//! **Sizes** are an estimate, documented rather than exact: one token per four characters
//! (rounded up) plus four per message for the role framing, and 85 per picture. That is
//! OpenAI's published rule of thumb for English and JSON; a real tokenizer differs by a few
//! percent, and each backend has its own, so the console does not pull one in.
//!
//! The **policy** runs when `--context-budget N` is set:
//!
//! 1. a **large tool result** (over a quarter of the budget) is cut to that size as it
//!    arrives, with a note saying how much was left out, the result's resource links kept
//!    (the model can read just the part it needs), and the full text kept by the console
//!    (`/context result N` shows it to the human);
//! 2. when the context is **over budget** after a turn, the **oldest turns are summarised**,
//!    one line each, into one summary message, until it fits (the newest turn is always kept
//!    whole). Offline the line is made by a deterministic rule (question, tools used, start of
//!    the answer); with a real model configured, the model writes it;
//! 3. **resources are loaded on demand**: the console never reads resources into the context
//!    up front. Only tool schemas are there from the start; a resource comes in when a tool
//!    call or the human (`/read`) asks for it, and an embedded resource too large for one
//!    result stays a link.
//!
//! Each step is reported (`context policy: … 2 140 → 1 012 tokens`), and `/context` after it
//! shows the new sizes.

use crate::model::{Message, Model, Options, ToolSpec};

/// Tokens per message for the role and framing.
pub const PER_MESSAGE: usize = 4;
/// Tokens counted for one picture (OpenAI's low-detail image cost).
pub const PER_IMAGE: usize = 85;
/// How the summary message starts (a system message the model reads as context).
pub const SUMMARY_PREFIX: &str = "Summary of the earlier conversation (older turns, condensed):";

/// The estimated tokens of a text: one per four characters, rounded up.
pub fn estimate(text: &str) -> usize {
    text.chars().count().div_ceil(4)
}

/// The estimated tokens of the tool list as the model receives it (name, description and
/// parameter schema of each, as JSON).
pub fn tool_tokens(tools: &[ToolSpec]) -> usize {
    tools
        .iter()
        .map(|t| {
            let json = serde_json::json!({
                "name": t.name,
                "description": t.description,
                "parameters": t.input_schema,
            });
            estimate(&json.to_string()) + PER_MESSAGE
        })
        .sum()
}

/// The estimated tokens of one message.
pub fn message_tokens(m: &Message) -> usize {
    PER_MESSAGE
        + match m {
            Message::System(t) | Message::User(t) => estimate(t),
            Message::Assistant { text, tool_calls } => {
                estimate(text.as_deref().unwrap_or_default())
                    + tool_calls
                        .iter()
                        .map(|c| estimate(&c.name) + estimate(&c.arguments.to_string()))
                        .sum::<usize>()
            }
            Message::Tool { content, .. } => estimate(content),
            Message::Images { images, .. } => PER_IMAGE * images.len(),
        }
}

/// Whether `m` is the summary of older turns.
pub fn is_summary(m: &Message) -> bool {
    matches!(m, Message::System(t) if t.starts_with(SUMMARY_PREFIX))
}

/// What the context holds, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// The system prompt.
    pub system: usize,
    /// The tool schemas.
    pub tools: usize,
    /// How many tools.
    pub tool_count: usize,
    /// The summary of older turns.
    pub summaries: usize,
    /// Questions, answers and tool calls.
    pub turns: usize,
    /// How many questions.
    pub questions: usize,
    /// Tool results (and pictures).
    pub results: usize,
    /// How many tool results.
    pub result_count: usize,
}

impl Report {
    /// Everything together.
    pub fn total(&self) -> usize {
        self.system + self.tools + self.summaries + self.turns + self.results
    }
}

/// Measures a conversation and the tools offered with it.
pub fn measure(history: &[Message], tools: &[ToolSpec]) -> Report {
    let mut r = Report {
        tools: tool_tokens(tools),
        tool_count: tools.len(),
        ..Report::default()
    };
    for (i, m) in history.iter().enumerate() {
        let n = message_tokens(m);
        match m {
            _ if is_summary(m) => r.summaries += n,
            Message::System(_) if i == 0 => r.system += n,
            Message::System(_) | Message::Assistant { .. } => r.turns += n,
            Message::User(_) => {
                r.turns += n;
                r.questions += 1;
            }
            Message::Tool { .. } => {
                r.results += n;
                r.result_count += 1;
            }
            Message::Images { .. } => r.results += n,
        }
    }
    r
}

/// `/context`'s table.
pub fn show(r: &Report, budget: Option<usize>) -> String {
    let total = r.total();
    let head = match budget {
        Some(b) => format!(
            "context: {total} of {b} tokens{} (estimate: 1 token ≈ 4 characters)",
            if total > b { ", OVER BUDGET" } else { "" }
        ),
        None => format!(
            "context: {total} tokens, no budget (--context-budget N sets one; estimate: 1 token ≈ 4 characters)"
        ),
    };
    format!(
        "{head}\n  system prompt  {:>7}\n  tool schemas   {:>7}   ({} tools)\n  summaries      {:>7}\n  turns          {:>7}   ({} questions)\n  tool results   {:>7}   ({} results)",
        r.system,
        r.tools,
        r.tool_count,
        r.summaries,
        r.turns,
        r.questions,
        r.results,
        r.result_count
    )
}

/// The budget and what follows from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// The most tokens the context should hold (`--context-budget`).
    pub budget: usize,
    /// The most tokens one tool result may keep (a quarter of the budget, at least 32).
    pub result_limit: usize,
}

impl Policy {
    /// The policy for a budget.
    pub fn new(budget: usize) -> Self {
        Policy {
            budget,
            result_limit: (budget / 4).max(32),
        }
    }

    /// Step 1: cuts a tool result over [`Policy::result_limit`], keeping its start, the links
    /// in it and a note. `id` is where the console keeps the full text (`/context result id`).
    /// Returns the text to give the model and, when it was cut, the tokens before and after.
    pub fn fit_result(
        &self,
        text: &str,
        links: &[String],
        id: usize,
    ) -> (String, Option<(usize, usize)>) {
        let before = estimate(text);
        if before <= self.result_limit {
            return (text.to_string(), None);
        }
        let keep: String = text.chars().take(self.result_limit * 4).collect();
        let mut out = format!(
            "{keep}\n[context policy: this result was {before} tokens; only the first {} are kept. \
             Ask for a smaller part (a line range, a narrower search) to see more; the console keeps \
             the full text as result {id}.]",
            self.result_limit
        );
        for link in links {
            out.push_str(&format!("\n[resource link: {link}]"));
        }
        let after = estimate(&out);
        (out, Some((before, after)))
    }
}

/// One finished policy step, for the note the human sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Tokens before.
    pub before: usize,
    /// Tokens after.
    pub after: usize,
    /// How many old turns were summarised.
    pub summarised: usize,
}

/// The turns of a history: the index ranges that start at each question (after the system
/// prompt and the summary, if any).
fn turns(history: &[Message]) -> Vec<std::ops::Range<usize>> {
    let starts: Vec<usize> = history
        .iter()
        .enumerate()
        .filter(|(_, m)| matches!(m, Message::User(_)))
        .map(|(i, _)| i)
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(k, &s)| s..starts.get(k + 1).copied().unwrap_or(history.len()))
        .collect()
}

/// The deterministic one-line summary of a turn: the question, the tools it used, and the
/// start of the answer.
pub fn rule_summary(turn: &[Message]) -> String {
    let clip = |s: &str, n: usize| {
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if s.chars().count() > n {
            format!("{}…", s.chars().take(n).collect::<String>())
        } else {
            s
        }
    };
    let mut question = String::new();
    let mut tools = Vec::new();
    let mut answer = String::new();
    for m in turn {
        match m {
            Message::User(q) => question = clip(q, 80),
            Message::Assistant { text, tool_calls } => {
                for c in tool_calls {
                    if !tools.contains(&c.name) {
                        tools.push(c.name.clone());
                    }
                }
                if tool_calls.is_empty()
                    && let Some(t) = text
                {
                    answer = clip(t, 120);
                }
            }
            _ => {}
        }
    }
    let used = if tools.is_empty() {
        "no tools".to_string()
    } else {
        format!("tools {}", tools.join(", "))
    };
    format!("- asked \"{question}\"; used {used}; answered \"{answer}\"")
}

/// The summary line of a turn: written by the model when it is a real one, by
/// [`rule_summary`] otherwise (or when the model fails).
pub async fn summarise(model: &Model, turn: &[Message]) -> String {
    if let Model::ChatCompletions(_) = model {
        let transcript: Vec<String> = turn
            .iter()
            .map(|m| match m {
                Message::User(q) => format!("user: {q}"),
                Message::Assistant { text, tool_calls } => format!(
                    "assistant: {}{}",
                    text.as_deref().unwrap_or_default(),
                    tool_calls
                        .iter()
                        .map(|c| format!(" [called {} {}]", c.name, c.arguments))
                        .collect::<String>()
                ),
                Message::Tool { name, content, .. } => {
                    format!(
                        "tool {name}: {}",
                        content.chars().take(2000).collect::<String>()
                    )
                }
                _ => String::new(),
            })
            .collect();
        let ask = [
            Message::System(
                "Summarise this exchange in one sentence for your own memory: keep names, \
                 numbers and results, drop everything else."
                    .into(),
            ),
            Message::User(transcript.join("\n")),
        ];
        let options = Options {
            max_tokens: Some(120),
            ..Options::default()
        };
        if let Ok(reply) = model.sample(&ask, &options).await
            && let Some(text) = reply.text.filter(|t| !t.trim().is_empty())
        {
            return format!("- {}", text.trim());
        }
    }
    rule_summary(turn)
}

/// Step 2: while the context is over budget, folds the oldest turn into the summary message
/// (the newest turn is always kept). Returns the step, or `None` if nothing needed doing.
pub async fn compact(
    policy: &Policy,
    model: &Model,
    history: &mut Vec<Message>,
    tools: &[ToolSpec],
) -> Option<Step> {
    let before = measure(history, tools).total();
    let mut summarised = 0;
    while measure(history, tools).total() > policy.budget {
        let all = turns(history);
        if all.len() <= 1 {
            break;
        }
        let oldest = all[0].clone();
        let line = summarise(model, &history[oldest.clone()]).await;
        history.drain(oldest);
        match history.iter().position(is_summary) {
            Some(at) => {
                if let Message::System(text) = &mut history[at] {
                    text.push('\n');
                    text.push_str(&line);
                }
            }
            None => history.insert(1, Message::System(format!("{SUMMARY_PREFIX}\n{line}"))),
        }
        summarised += 1;
    }
    (summarised > 0).then(|| Step {
        before,
        after: measure(history, tools).total(),
        summarised,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ToolCall;
    use serde_json::json;

    fn turn(q: &str, result: &str) -> Vec<Message> {
        vec![
            Message::User(q.into()),
            Message::Assistant {
                text: None,
                tool_calls: vec![ToolCall {
                    id: "1".into(),
                    name: "get_stock_price".into(),
                    arguments: json!({"symbol": "TSLA"}),
                }],
            },
            Message::Tool {
                call_id: "1".into(),
                name: "get_stock_price".into(),
                content: result.into(),
                is_error: false,
            },
            Message::Assistant {
                text: Some(format!("answer to {q}")),
                tool_calls: vec![],
            },
        ]
    }

    #[test]
    fn estimates_round_up_and_count_framing() {
        assert_eq!(estimate(""), 0);
        assert_eq!(estimate("abcd"), 1);
        assert_eq!(estimate("abcde"), 2);
        assert_eq!(
            message_tokens(&Message::User("abcd".into())),
            1 + PER_MESSAGE
        );
    }

    #[test]
    fn large_results_are_cut_with_their_links_kept() {
        let policy = Policy::new(400);
        let big = "x".repeat(4000);
        let (text, cut) = policy.fit_result(&big, &["file:///w/big.log".into()], 3);
        let (before, after) = cut.unwrap();
        assert_eq!(before, 1000);
        assert!(after < before && after > policy.result_limit, "{after}");
        assert!(text.contains("result 3") && text.contains("[resource link: file:///w/big.log]"));
        assert_eq!(
            policy.fit_result("small", &[], 4),
            ("small".to_string(), None)
        );
    }

    #[tokio::test]
    async fn the_context_shrinks_when_old_turns_are_summarised() {
        let model = Model::Offline(Default::default());
        let mut history = vec![Message::System("You are helpful.".into())];
        for q in ["price of Tesla", "price of Apple", "price of Nvidia"] {
            history.extend(turn(q, &"TSLA is at 215.99 USD. ".repeat(20)));
        }
        let full = measure(&history, &[]).total();
        // Under budget: nothing to do.
        let mut same = history.clone();
        assert_eq!(
            compact(&Policy::new(full), &model, &mut same, &[]).await,
            None
        );
        assert_eq!(same, history);
        let policy = Policy::new(full / 2);
        let step = compact(&policy, &model, &mut history, &[]).await.unwrap();
        assert_eq!(step.before, full);
        assert!(step.after <= policy.budget, "{step:?}");
        assert_eq!(step.summarised, 2);
        let r = measure(&history, &[]);
        assert_eq!((r.questions, r.total()), (1, step.after));
        let Message::System(summary) = &history[1] else {
            panic!("the summary follows the system prompt")
        };
        assert!(
            summary.contains("- asked \"price of Tesla\"; used tools get_stock_price; answered \"answer to price of Tesla\""),
            "{summary}"
        );
        // The newest turn is whole.
        assert_eq!(history.last(), turn("price of Nvidia", "").last());
    }
}
