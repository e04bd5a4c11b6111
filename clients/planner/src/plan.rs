//! Planning: from a question to the tool calls that answer it, in four short stages.
//!
//! 1. **Entities** ([`crate::entities`]): what the question names.
//! 2. **Tool choice** ([`crate::choice`]): which tool its other words are about.
//! 3. **Arguments** ([`crate::arguments`]): the chosen tool's parameters, filled from the
//!    entities and the schema.
//! 4. **Steps**: how many calls. One, or one per entity when the tool takes one and the question
//!    names several ("price of A and B"), or one per clause when clauses ask different tools
//!    ("price of A, then the weather in Paris").
//!
//! When no tool word matches, three fallbacks remain: a **follow-up** ("and Microsoft?") reuses
//! the previous call's tool with the new entities; otherwise the tool whose parameters take
//! the entities named wins ("compare A and B" on a server with only a price tool, "headphones
//! under $200" on a server with one tool that takes a `max_price`); and a question in question
//! form ("what is a resource template?") goes to a tool that takes a `question`.

use crate::arguments::{Kind, fill, kind_of};
use crate::choice::{any_matches, ranked};
use crate::entities::{Entities, extract};
use crate::free_text::Style;
use crate::tool::{Call, Tool};
use crate::vocabulary::Vocabulary;
use crate::words::is_question_word;
use crate::words::split_words;
use chrono::NaiveDate;

/// The planner: plain rules over the tool schemas and what the server told us.
///
/// It is deterministic (the same question, tools, vocabulary and day always give the same plan:
/// relative dates count from [`Planner::today`]) and
/// holds no conversation state: the caller passes the previous call for follow-ups.
#[derive(Debug, Clone, Default)]
pub struct Planner {
    /// The names the server told us about.
    vocabulary: Vocabulary,
    /// The day questions are asked on, for "this month" or "since March"; `None`: the
    /// machine's local date when a question is planned.
    today: Option<NaiveDate>,
}

/// A question read for planning: its entities, all its words, and the words left for choosing
/// a tool once the entities have taken theirs.
struct Question {
    /// What it names.
    entities: Entities,
    /// All its words, lowercase (enum values and flags are matched against these).
    words: Vec<String>,
    /// Its words that are not entities: what tool choice reads.
    tool_words: Vec<String>,
}

impl Planner {
    /// A planner that knows the names in `vocabulary`.
    pub fn new(vocabulary: Vocabulary) -> Planner {
        Planner {
            vocabulary,
            today: None,
        }
    }

    /// The same planner with a fixed day for relative dates: the clock is injected, so a test
    /// (or a replayed conversation) plans the same on any day.
    pub fn with_today(self, today: NaiveDate) -> Planner {
        Planner {
            today: Some(today),
            ..self
        }
    }

    /// The day relative dates count from.
    pub fn today(&self) -> NaiveDate {
        self.today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    /// What the planner was told about names.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    /// The calls that answer `question` with `tools`; empty when nothing matches. `previous` is
    /// the last call of the conversation, for follow-ups.
    pub fn plan(&self, question: &str, tools: &[Tool], previous: Option<&Call>) -> Vec<Call> {
        let q = self.read(question);
        let mut calls = self
            .clause_by_clause(question, &q, tools)
            .or_else(|| self.by_tool_words(&q, tools))
            .or_else(|| self.follow_up(&q, tools, previous?))
            .or_else(|| self.by_entities(&q, tools))
            .or_else(|| self.by_question(&q, tools))
            .unwrap_or_default();
        if let Some(prev) = previous.filter(|_| crate::free_text::is_follow_up(question)) {
            self.keep_topic(&mut calls, tools, prev);
        }
        calls
    }

    /// In a follow-up, a new call of the previous call's tool whose free text came out empty
    /// keeps the previous free text: "and under 120 dollars?" after a search for headphones
    /// changes the limit, not the topic.
    fn keep_topic(&self, calls: &mut [Call], tools: &[Tool], prev: &Call) {
        for call in calls.iter_mut().filter(|c| c.tool == prev.tool) {
            let Some(tool) = tools.iter().find(|t| t.name == call.tool) else {
                continue;
            };
            for (name, schema) in tool.properties() {
                let free = matches!(kind_of(&name, &schema, &self.vocabulary), Kind::FreeText(_));
                let empty = call.arguments.get(&name).is_none_or(|v| v == "");
                if let (true, true, Some(before)) = (free, empty, prev.arguments.get(&name)) {
                    call.arguments.insert(name, before.clone());
                }
            }
        }
    }

    /// Stage 1: the question's entities and words.
    fn read(&self, text: &str) -> Question {
        let entities = extract(text, &self.vocabulary, self.today());
        let words = split_words(text);
        let tool_words = words
            .iter()
            .filter(|w| !entities.used_words.contains(w))
            .cloned()
            .collect();
        Question {
            entities,
            words,
            tool_words,
        }
    }

    /// Stages 2 to 4 for one intent: the best tool its words name whose arguments can be filled.
    fn by_tool_words(&self, q: &Question, tools: &[Tool]) -> Option<Vec<Call>> {
        // Between tools the words match alike, one that takes more of what the question names
        // fits better ("weather in Bergen for the next 2 days": `weather` names one tool, `next`
        // the other, and only the forecast also takes the 2).
        let bonus = |t: &Tool| 0.5 * self.kinds_taken(t, &q.entities) as f64;
        ranked(tools, &q.tool_words, bonus)
            .into_iter()
            .find_map(|i| self.calls_for(&tools[i], tools, &q.entities, &q.words))
    }

    /// Several clauses that each name a different tool: one intent per clause. A clause that
    /// names no tool joins the one before ("weather in Paris and London" stays one clause), and
    /// a clause that names nothing inherits the entities of the one before ("price of A and its
    /// history").
    fn clause_by_clause(&self, text: &str, whole: &Question, tools: &[Tool]) -> Option<Vec<Call>> {
        let merged = self.merge_clauses(&clauses(text), tools);
        if merged.len() < 2 {
            return None;
        }
        let (mut calls, mut used) = (Vec::new(), Vec::new());
        let mut inherited = whole.entities.clone();
        for clause in &merged {
            let mut q = self.read(clause);
            inherit(&mut q.entities, &inherited);
            inherited = q.entities.clone();
            let planned = self.by_tool_words(&q, tools);
            if let Some(c) = planned.or_else(|| self.by_entities(&q, tools)) {
                used.push(c[0].tool.clone());
                calls.extend(c);
            }
        }
        used.dedup();
        (used.len() > 1).then_some(calls)
    }

    /// Joins to the clause before it each clause that matches no tool, or that starts with a
    /// name: "rank A, B and C by price" is one list, not a request about C.
    fn merge_clauses(&self, parts: &[String], tools: &[Tool]) -> Vec<String> {
        let mut merged: Vec<String> = Vec::new();
        for p in parts {
            let q = self.read(p);
            let starts_with_name = split_words(p)
                .first()
                .is_some_and(|w| q.entities.used_words.contains(w));
            let own_request = any_matches(tools, &q.tool_words) && !starts_with_name;
            match merged.last_mut() {
                Some(last) if !own_request => {
                    last.push_str(" and ");
                    last.push_str(p);
                }
                _ => merged.push(p.clone()),
            }
        }
        merged
    }

    /// A follow-up with new entities only ("and Microsoft?"): the previous call's tool, with the
    /// previous arguments the follow-up does not change ("and Berlin?" after a 3-day forecast
    /// for Oslo is a 3-day forecast for Berlin). It must change something the tool takes.
    fn follow_up(&self, q: &Question, tools: &[Tool], prev: &Call) -> Option<Vec<Call>> {
        let e = &q.entities;
        let tool = tools.iter().find(|t| t.name == prev.tool)?;
        if e.is_empty() || !self.takes_any(tool, e) {
            return None;
        }
        let mut calls =
            self.calls_for(tool, tools, &self.with_previous(tool, e, prev), &q.words)?;
        for call in &mut calls {
            self.carry_over(tool, e, prev, call);
        }
        Some(calls)
    }

    /// No tool words at all: the tool with the most parameters for what the question names,
    /// then the simplest, then the server's order ("what's X at" asks the one-symbol price
    /// tool; "did Google go up over the last 5 days" the tool that also takes a period).
    fn by_entities(&self, q: &Question, tools: &[Tool]) -> Option<Vec<Call>> {
        let mut candidates: Vec<(usize, usize, usize)> = tools
            .iter()
            .enumerate()
            .map(|(i, t)| (self.slots_taken(t, &q.entities), t.properties().len(), i))
            .filter(|(f, _, _)| *f > 0)
            .collect();
        candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        candidates
            .into_iter()
            .find_map(|(_, _, i)| self.calls_for(&tools[i], tools, &q.entities, &q.words))
    }

    /// A question in question form that no tool's words matched ("what is a resource
    /// template?", "how do I cancel a request?"): the simplest tool that takes a required
    /// `question` (a free-text parameter that wants the sentence), in the server's order.
    fn by_question(&self, q: &Question, tools: &[Tool]) -> Option<Vec<Call>> {
        let first = q.words.first().map(String::as_str).unwrap_or_default();
        let asks = is_question_word(first) || q.entities.question.ends_with('?');
        if !asks {
            return None;
        }
        let takes_question = |t: &Tool| {
            let props = t.properties();
            t.required().iter().any(|r| {
                props.get(*r).is_some_and(|s| {
                    kind_of(r, s, &self.vocabulary) == Kind::FreeText(Style::Sentence)
                })
            })
        };
        let mut candidates: Vec<usize> = (0..tools.len())
            .filter(|&i| takes_question(&tools[i]))
            .collect();
        candidates.sort_by_key(|&i| (tools[i].properties().len(), i));
        candidates
            .into_iter()
            .find_map(|i| self.calls_for(&tools[i], tools, &q.entities, &q.words))
    }

    /// Whether the question names something a parameter of this kind takes.
    fn named_for(&self, kind: &Kind, e: &Entities) -> bool {
        match kind {
            Kind::Named(k) => !e.values_of(k).is_empty(),
            Kind::Place => !e.places.is_empty(),
            Kind::Period => !e.periods.is_empty(),
            Kind::Number => !e.numbers.is_empty(),
            Kind::Bound(edge) => e.bounds.iter().any(|b| b.edge == *edge),
            Kind::Date(_) => e.span.is_some(),
            _ => false,
        }
    }

    /// The kinds of a tool's parameters, in the schema's order.
    fn kinds(&self, tool: &Tool) -> Vec<Kind> {
        let props = tool.properties();
        let kinds = props.iter().map(|(n, s)| kind_of(n, s, &self.vocabulary));
        kinds.collect()
    }

    /// How many of the tool's parameters take something the question names.
    fn slots_taken(&self, tool: &Tool, e: &Entities) -> usize {
        let kinds = self.kinds(tool);
        kinds.iter().filter(|k| self.named_for(k, e)).count()
    }

    /// How many different kinds of what the question names the tool takes.
    fn kinds_taken(&self, tool: &Tool, e: &Entities) -> usize {
        let mut unique: Vec<Kind> = Vec::new();
        for k in self.kinds(tool) {
            if !unique.contains(&k) {
                unique.push(k);
            }
        }
        unique.iter().filter(|k| self.named_for(k, e)).count()
    }

    /// Stage 4: the calls one tool needs. One, or one per value when the tool has a single
    /// parameter of a kind and the question names several. `None` when an argument cannot be
    /// filled, or when the question names more values than the tool has parameters for (a
    /// two-symbol tool cannot compare three companies: a one-symbol tool, once per company,
    /// can).
    fn calls_for(
        &self,
        tool: &Tool,
        tools: &[Tool],
        e: &Entities,
        words: &[String],
    ) -> Option<Vec<Call>> {
        let kinds = self.kinds(tool);
        let slots = |k: &Kind| kinds.iter().filter(|x| *x == k).count();
        let values = |k: &Kind| match k {
            Kind::Named(name) => e.values_of(name),
            Kind::Place => e.places.clone(),
            _ => Vec::new(),
        };
        if kinds
            .iter()
            .any(|k| slots(k) > 1 && values(k).len() > slots(k))
        {
            return None;
        }
        let call = |e: &Entities| -> Option<Call> {
            Some(Call {
                tool: tool.name.clone(),
                arguments: fill(tool, tools, e, words, &self.vocabulary)?,
            })
        };
        let split = kinds.iter().find(|k| slots(k) == 1 && values(k).len() > 1);
        match split {
            None => Some(vec![call(e)?]),
            Some(k) => values(k).iter().map(|v| call(&one_of(e, k, v))).collect(),
        }
    }

    /// Whether the tool has a parameter for something the question names: a follow-up must
    /// change something ("weather in Paris" is no follow-up to a stock tool).
    fn takes_any(&self, tool: &Tool, e: &Entities) -> bool {
        self.slots_taken(tool, e) > 0
    }

    /// A follow-up's entities, with the previous call's named value or place when it names
    /// none ("and for 5 days?" still means Oslo).
    fn with_previous(&self, tool: &Tool, e: &Entities, prev: &Call) -> Entities {
        let mut out = e.clone();
        let schemas = tool.properties();
        for (name, value) in &prev.arguments {
            let (Some(v), Some(schema)) = (value.as_str(), schemas.get(name)) else {
                continue;
            };
            match kind_of(name, schema, &self.vocabulary) {
                Kind::Named(k) if e.values_of(&k).is_empty() => out = out.only(&k, v),
                Kind::Place if e.places.is_empty() => out.places.push(v.to_string()),
                _ => {}
            }
        }
        out
    }

    /// Copies into a follow-up call the previous call's values for the parameters the
    /// follow-up names nothing for.
    fn carry_over(&self, tool: &Tool, e: &Entities, prev: &Call, call: &mut Call) {
        let schemas = tool.properties();
        for (name, value) in &prev.arguments {
            let Some(schema) = schemas.get(name) else {
                continue;
            };
            let named = match kind_of(name, schema, &self.vocabulary) {
                // An enum or a flag is filled from the question's words when it mentions one.
                Kind::Enum | Kind::Bool | Kind::Text => {
                    let filled = call.arguments.get(name);
                    filled.is_some_and(|v| Some(v) != schema.get("default"))
                }
                // Free text the follow-up leaves empty is the previous one ("and under 20
                // dollars?" still searches for headphones).
                Kind::FreeText(_) => call.arguments.get(name).is_some_and(|v| v != ""),
                kind => self.named_for(&kind, e),
            };
            if !named {
                call.arguments.insert(name.clone(), value.clone());
            }
        }
    }
}

/// The entities for one call of several: only `value` for parameters of kind `kind`.
fn one_of(e: &Entities, kind: &Kind, value: &str) -> Entities {
    match kind {
        Kind::Named(k) => e.only(k, value),
        _ => Entities {
            places: vec![value.to_string()],
            ..e.clone()
        },
    }
}

/// A clause that names no value or place means those of the clause before it.
fn inherit(e: &mut Entities, before: &Entities) {
    if e.named.is_empty() && e.codes.is_empty() {
        e.named = before.named.clone();
        e.codes = before.codes.clone();
    }
    if e.places.is_empty() {
        e.places = before.places.clone();
    }
}

/// Splits "price of Tesla, then the weather in Paris" at the words that join requests.
fn clauses(question: &str) -> Vec<String> {
    let mut parts = vec![question.to_string()];
    for sep in [
        ";",
        " then ",
        "? ",
        ". ",
        " and also ",
        " as well as ",
        " and ",
    ] {
        parts = parts
            .iter()
            .flat_map(|p| p.split(sep).map(str::to_string).collect::<Vec<_>>())
            .collect();
    }
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}
