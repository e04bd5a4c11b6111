//! The vocabulary: the names a server told us about, so a question can use them.
//!
//! A tool's schema says *that* it takes a `symbol`, not *which* symbols exist or that people
//! call `NVDA` "NVIDIA". A server says that elsewhere, in standard MCP:
//!
//! - **resource templates** (`resources/templates/list`) name argument kinds: `stock://{symbol}`
//!   says there is a family of things keyed by a `symbol`;
//! - **completions** (`completion/complete`) list the values such an argument takes (asked with
//!   an empty prefix, a server answers with all of them, at most 100);
//! - **fixed resources** in the same URI scheme often list them too (`stock://tickers`,
//!   `weather://cities`, as text or JSON);
//! - **reading the template** for one value (`stock://NVDA`) returns a record whose name-like
//!   fields (`"name": "NVIDIA Corporation"`) are what people call it: the aliases.
//!
//! A listing is only a guess, though: `search://about` lists news publishers beside the
//! template `search://doc/{id}`, and a publisher is no document id. So a value that only a
//! listing named (no completion did) counts once the server resolves it: reading the template
//! for it must succeed. A listing none of whose values resolve lists something else.
//!
//! [`learn`] asks exactly those questions through a [`Source`] and builds a [`Vocabulary`]. The
//! console implements [`Source`] over its live MCP session; this crate's tests implement it over
//! answers captured from the real servers. Nothing here knows any particular server.

use crate::words::{is_stopword, split_words};
use serde_json::Value;
use std::future::Future;

/// One thing a server knows by name: `NVDA`, also called `NVIDIA Corporation`.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// The argument it fills, as the server named it (`symbol`, `city`).
    pub kind: String,
    /// The value to send (`NVDA`).
    pub value: String,
    /// What people call it (`NVIDIA Corporation`).
    pub aliases: Vec<String>,
}

/// Everything the planner was told about names, per argument kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vocabulary {
    /// The known entities, in the order the server listed them.
    pub entities: Vec<Entity>,
}

impl Vocabulary {
    /// Adds `value` of `kind`, or merges `aliases` into the entity already known.
    pub fn add(&mut self, kind: &str, value: &str, aliases: &[String]) {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        let found = self
            .entities
            .iter_mut()
            .find(|e| e.kind == kind && e.value.eq_ignore_ascii_case(value));
        let entity = match found {
            Some(e) => e,
            None => {
                self.entities.push(Entity {
                    kind: kind.to_string(),
                    value: value.to_string(),
                    aliases: Vec::new(),
                });
                self.entities.last_mut().expect("just pushed")
            }
        };
        for a in aliases {
            if !a.eq_ignore_ascii_case(&entity.value) && !entity.aliases.contains(a) {
                entity.aliases.push(a.clone());
            }
        }
    }

    /// The argument kinds the server named (`symbol`, `city`), each once.
    pub fn kinds(&self) -> Vec<&str> {
        let mut kinds: Vec<&str> = Vec::new();
        for e in &self.entities {
            if !kinds.contains(&e.kind.as_str()) {
                kinds.push(&e.kind);
            }
        }
        kinds
    }

    /// The entity a question word names: its value (`nvda`), a word of an alias (`nvidia`), the
    /// start of an alias (`micro`), or a word that starts with a value of four letters or more
    /// (`google` for `GOOGL`). Words shorter than three letters, and stopwords, name nothing.
    pub fn find(&self, word: &str) -> Option<&Entity> {
        let w = word.to_lowercase();
        if w.chars().count() < 3 || is_stopword(&w) {
            return None;
        }
        let by_value = |e: &&Entity| e.value.to_lowercase() == w;
        let by_alias = |e: &&Entity| {
            e.aliases.iter().any(|a| {
                let a = a.to_lowercase();
                a.starts_with(&w) || split_words(&a).contains(&w)
            })
        };
        let by_prefix = |e: &&Entity| e.value.len() >= 4 && w.starts_with(&e.value.to_lowercase());
        let entities = &self.entities;
        (entities.iter().find(by_value))
            .or_else(|| entities.iter().find(by_alias))
            .or_else(|| entities.iter().find(by_prefix))
    }
}

/// A word in capitals of two to five letters, the shape of a ticker or an airport code.
pub fn is_code(word: &str) -> bool {
    (2..=5).contains(&word.len()) && word.chars().all(|c| c.is_ascii_uppercase())
}

/// A resource as `resources/list` describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    /// Its URI.
    pub uri: String,
    /// Its MIME type, if the server gave one.
    pub mime_type: Option<String>,
}

/// The questions [`learn`] asks a server. Each answer is optional: a server that does not offer
/// completions or resources simply teaches less. Errors are not the planner's business; a
/// source turns them into "no answer".
pub trait Source {
    /// `resources/list`.
    fn resources(&self) -> impl Future<Output = Vec<Listed>>;
    /// `resources/templates/list`: the URI templates.
    fn templates(&self) -> impl Future<Output = Vec<String>>;
    /// `completion/complete` for `argument` of the resource template `template`, typed so far:
    /// nothing.
    fn complete(&self, template: &str, argument: &str) -> impl Future<Output = Vec<String>>;
    /// `resources/read`: the text of the resource at `uri`.
    fn read(&self, uri: &str) -> impl Future<Output = Option<String>>;
}

/// The most values per argument kind whose records are read for aliases: a server with
/// thousands of values is asked about the first ones only, so connecting stays quick.
pub const MAX_READS_PER_KIND: usize = 50;

/// Asks `source` what it knows by name (see the module documentation) and returns it.
pub async fn learn(source: &impl Source) -> Vocabulary {
    let mut vocabulary = Vocabulary::default();
    let listed = source.resources().await;
    for template in source.templates().await {
        for kind in template_variables(&template) {
            let values = values_of(source, &template, &kind, &listed).await;
            // Whether some value only a listing named turned out to be one of this kind.
            let mut listing_confirmed = false;
            for value in values.iter().take(MAX_READS_PER_KIND) {
                let uri = expand(&template, &kind, &value.text);
                let record = source.read(&uri).await;
                if record.is_none() && !value.completed {
                    // Only a listing named it, and the server does not know it by this kind.
                    continue;
                }
                listing_confirmed |= !value.completed;
                vocabulary.add(&kind, &value.text, &aliases_in(&record.unwrap_or_default()));
            }
            for value in values.iter().skip(MAX_READS_PER_KIND) {
                if value.completed || listing_confirmed {
                    vocabulary.add(&kind, &value.text, &[]);
                }
            }
        }
    }
    vocabulary
}

/// A value of a template variable, and where it came from.
struct Candidate {
    /// The value.
    text: String,
    /// Whether a completion offered it (the server's own word); otherwise a listing named it.
    completed: bool,
}

/// The values of one template variable: completions first, then lists in sibling resources.
async fn values_of(
    source: &impl Source,
    template: &str,
    kind: &str,
    listed: &[Listed],
) -> Vec<Candidate> {
    let completed = source.complete(template, kind).await;
    let mut values: Vec<Candidate> = completed
        .into_iter()
        .map(|text| Candidate {
            text,
            completed: true,
        })
        .collect();
    let scheme = template.split_once("://").map(|(s, _)| s);
    let siblings = listed
        .iter()
        .filter(|r| scheme.is_some() && r.uri.split_once("://").map(|(s, _)| s) == scheme);
    for resource in siblings {
        let text = source.read(&resource.uri).await.unwrap_or_default();
        for v in values_in(&text) {
            if !values.iter().any(|x| x.text.eq_ignore_ascii_case(&v)) {
                values.push(Candidate {
                    text: v,
                    completed: false,
                });
            }
        }
    }
    values
}

/// The variables of an RFC 6570 URI template: `stock://{symbol}` → `symbol`. Only simple
/// `{name}` expressions count; operators (`{+path}`, `{?q}`) are not lists of names.
pub fn template_variables(template: &str) -> Vec<String> {
    template
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(v, _)| v))
        .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .map(str::to_string)
        .collect()
}

/// `template` with `{variable}` replaced by `value`, percent-encoded as RFC 6570's simple
/// expansion does (`weather://forecast/{city}` with `New York` → `…/New%20York`).
pub fn expand(template: &str, variable: &str, value: &str) -> String {
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || b"-._~".contains(&b);
    let encoded: String = value
        .bytes()
        .map(|b| match unreserved(b) {
            true => (b as char).to_string(),
            false => format!("%{b:02X}"),
        })
        .collect();
    template.replace(&format!("{{{variable}}}"), &encoded)
}

/// The names a listing resource holds: a JSON array of strings (at the top or in a field), or
/// text separated by commas or lines. Text that reads like prose lists nothing.
pub fn values_in(text: &str) -> Vec<String> {
    if let Ok(json) = serde_json::from_str::<Value>(text) {
        let array = match &json {
            Value::Array(a) => Some(a),
            Value::Object(o) => o.values().find_map(Value::as_array),
            _ => None,
        };
        return array
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
    }
    let items: Vec<String> = text
        .split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    // A name has a few words at most; a sentence is no list.
    if items.iter().all(|s| s.split_whitespace().count() <= 3) {
        items
    } else {
        Vec::new()
    }
}

/// The name-like fields of a JSON record (`name`, `title`, `company`, `label`): what people call
/// the thing the record is about.
pub fn aliases_in(record: &str) -> Vec<String> {
    let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(record) else {
        return Vec::new();
    };
    fields
        .iter()
        .filter(|(k, _)| ["name", "title", "company", "label"].contains(&k.as_str()))
        .filter_map(|(_, v)| v.as_str())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary() -> Vocabulary {
        let mut v = Vocabulary::default();
        v.add("symbol", "ABCD", &["Abacus Dynamics Inc.".into()]);
        v.add("symbol", "XY", &["Xylo Group".into()]);
        v
    }

    #[test]
    fn names_are_found_by_value_alias_word_and_prefix() {
        let v = vocabulary();
        assert_eq!(v.find("abcd").unwrap().value, "ABCD");
        assert_eq!(v.find("Xylo").unwrap().value, "XY");
        assert_eq!(v.find("abac").unwrap().value, "ABCD");
        assert_eq!(v.find("abcdefg").unwrap().value, "ABCD");
        assert!(v.find("inc").is_none(), "a stopword names nothing");
        assert!(v.find("xy").is_none(), "too short to be sure");
    }

    #[test]
    fn templates_listings_and_records_are_read_generically() {
        assert_eq!(template_variables("a://{x}/b/{y}"), ["x", "y"]);
        assert_eq!(
            expand("w://f/{city}", "city", "New York"),
            "w://f/New%20York"
        );
        assert!(template_variables("a://{+path}").is_empty());
        assert_eq!(values_in("A, B, C"), ["A", "B", "C"]);
        assert_eq!(
            values_in(r#"{"cities":["Oslo","New York"]}"#),
            ["Oslo", "New York"]
        );
        assert!(values_in("This is a sentence about things, and more words here.").is_empty());
        assert_eq!(
            aliases_in(r#"{"name":"Xylo Group","price":1}"#),
            ["Xylo Group"]
        );
        assert!(aliases_in("not json").is_empty());
    }

    #[test]
    fn adding_twice_merges_aliases() {
        let mut v = vocabulary();
        v.add("symbol", "abcd", &["Abacus".into()]);
        assert_eq!(v.entities.len(), 2);
        assert_eq!(v.entities[0].aliases, ["Abacus Dynamics Inc.", "Abacus"]);
    }
}
