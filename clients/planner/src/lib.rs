//! `offline-planner`: a deterministic stand-in for a language model in an MCP chat client.
//!
//! A classroom may have no network and no LLM, yet learners should see the whole MCP loop:
//! *question → tool call → result → answer*. This crate plays the model's part with plain,
//! readable rules. It is **not** a language model and never says it is one: the same question
//! always gives the same plan (on the same day: "this month" counts from a day a test can
//! fix with [`Planner::with_today`]), and a question it cannot match gets an honest "I could not
//! match this" (see [`no_match`]).
//!
//! It knows no particular server. Everything it knows comes from the server the client is
//! connected to, in standard MCP:
//!
//! - `tools/list`: tool names, descriptions and input schemas (types, `enum`s, `default`s,
//!   `minimum`/`maximum`), read into [`Tool`]s;
//! - resource templates, completions and resources: the names of things (`NVDA`, "NVIDIA
//!   Corporation"), gathered by [`vocabulary::learn`] into a [`Vocabulary`].
//!
//! # Layout
//!
//! Planning runs in stages, one module each, driven by [`plan`]:
//!
//! | stage | module | does |
//! |---|---|---|
//! | words | [`words`] | splits, folds and stems words; the word lists in `data/*.txt` |
//! | what the server told us | [`vocabulary`] | names per argument kind, learnt over MCP |
//! | 1. entities | [`entities`] | what the question names: values, places, periods, numbers |
//! | … bounds | [`bounds`] | "under 50 dollars", "rated 4 or better" |
//! | … dates | [`dates`] | "this month", "since March", relative to an injected day |
//! | 2. tool choice | [`choice`] | which tool the other words are about |
//! | 3. arguments | [`arguments`] | fills parameters from entities and JSON Schema |
//! | … free text | [`free_text`] | `query`/`question`: what the other parameters left |
//! | 4. steps | [`plan`] | one call, one per entity, or one per clause; follow-ups |
//! | replayed answers | [`recorded`] | a server's answers captured as JSON, for tests |
//! | answer | [`phrase`] | tool results as sentences: subjects, units, rankings, tables |
//! | sampling | [`sample`] | a sampling request answered from the prompt's own data |

pub mod arguments;
pub mod bounds;
pub mod choice;
pub mod dates;
pub mod entities;
pub mod free_text;
pub mod phrase;
pub mod plan;
pub mod recorded;
pub mod sample;
pub mod tool;
pub mod vocabulary;
pub mod words;

pub use plan::Planner;
pub use tool::{Call, Tool};
pub use vocabulary::{Entity, Vocabulary};

/// What the planner is, for a client's banner: honest about being no LLM.
pub const DESCRIPTION: &str = "offline planner (built in, deterministic: matches your words to the server's tool schemas; no LLM, no network)";

/// The answer when a server offers no tools.
pub const NO_TOOLS: &str =
    "This server offers no tools, so there is nothing for me to call. Try /resources and /prompts.";

/// The answer when a conversation has no question in it.
pub const NO_QUESTION: &str = "Ask me something about this server's tools.";

/// The answer when no tool matches `question`: says what the planner is and how to help it,
/// with an example of each kind of name the server told us about.
pub fn no_match(question: &str, tools: &[Tool], vocabulary: &Vocabulary) -> String {
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
    let examples: Vec<String> = vocabulary
        .kinds()
        .into_iter()
        .filter_map(|kind| {
            let first = vocabulary.entities.iter().find(|e| e.kind == kind)?;
            Some(format!("a {kind} such as {}", first.value))
        })
        .collect();
    let needs = if examples.is_empty() {
        "name what it needs".to_string()
    } else {
        format!("name what it needs ({})", examples.join(", "))
    };
    format!(
        "I am the offline planner, not a language model: I could not match \"{question}\" to one of this server's tools ({}). Use words from a tool's name or description, {needs}, or call a tool directly with /call.",
        names.join(", ")
    )
}
