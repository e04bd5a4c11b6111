//! Query syntax, its limits, and errors that say how to fix the query.
//!
//! The tools take tantivy's query language, a small superset of what web search boxes accept:
//!
//! | write | finds |
//! |---|---|
//! | `dividend yield` | either word (more matches rank higher) |
//! | `+dividend +yield` | both words |
//! | `"rate limit"` | the exact phrase |
//! | `dividend -apple` | `dividend`, but not pages mentioning apple |
//! | `title:earnings` | the word in the title only (fields: `title`, `body`) |
//! | `(tesla OR nvidia) AND earnings` | boolean logic |
//!
//! A model will sometimes write a query the parser rejects (an unknown field, a lone `-`).
//! Those are *tool errors*, with the parser's complaint turned into a sentence saying what to
//! change, so the model can correct itself on the next call instead of giving up.
//!
//! Hostile input is stopped before the parser sees it: [`check`] bounds the length and the
//! number of terms and refuses control characters, so no query can make the engine work for
//! long (every search also runs off the async threads with a deadline; see `tools`).

use tantivy::query::QueryParserError;

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 512;

/// The most whitespace-separated terms a query may have.
pub const MAX_TERMS: usize = 32;

/// Why a search could not run. Every message tells the caller what to do instead.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QueryError {
    /// The query is longer than [`MAX_QUERY_CHARS`].
    #[error(
        "the query is {0} characters long; the limit is {MAX_QUERY_CHARS}. Keep the few words that matter most."
    )]
    TooLong(usize),
    /// The query has more than [`MAX_TERMS`] terms.
    #[error(
        "the query has {0} terms; the limit is {MAX_TERMS}. Keep the few words that matter most."
    )]
    TooManyTerms(usize),
    /// A control character (a NUL, an escape, a bell…) is in the query.
    #[error("the query contains the control character U+{0:04X}; remove it and search again.")]
    ControlCharacter(u32),
    /// The query names a field that does not exist.
    #[error(
        "the query searches a field named '{0}', which does not exist. Searchable fields are title and body (`title:earnings`); to search for text with a colon, put it in quotes: \"{0}:…\"."
    )]
    UnknownField(String),
    /// The query only excludes (`-apple`).
    #[error(
        "the query only excludes words (-word); add at least one word to search for, such as `dividend -apple`."
    )]
    OnlyExclusions,
    /// Any other syntax the parser rejects.
    #[error(
        "the query could not be read ({0}). Close every quote and parenthesis, put `+`, `-` and `:` directly before a word, or search plain words."
    )]
    Syntax(String),
    /// The engine itself failed (not the caller's fault).
    #[error("the search engine failed: {0}. Try again; if it keeps failing, tell the instructor.")]
    Engine(String),
}

/// Refuses queries no search box would send: too long, too many terms, control characters.
pub fn check(query: &str) -> Result<(), QueryError> {
    let chars = query.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong(chars));
    }
    if let Some(c) = query
        .chars()
        .find(|c| c.is_control() && !matches!(c, ' ' | '\t' | '\n'))
    {
        return Err(QueryError::ControlCharacter(c as u32));
    }
    let terms = query.split_whitespace().count();
    if terms > MAX_TERMS {
        return Err(QueryError::TooManyTerms(terms));
    }
    Ok(())
}

/// Turns tantivy's parser error into one that says how to fix the query.
pub fn explain(error: QueryParserError) -> QueryError {
    match error {
        QueryParserError::FieldDoesNotExist(field) => QueryError::UnknownField(field),
        QueryParserError::AllButQueryForbidden => QueryError::OnlyExclusions,
        other => QueryError::Syntax(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_checked_before_parsing() {
        assert_eq!(check(&"a".repeat(600)), Err(QueryError::TooLong(600)));
        assert_eq!(check(&"a ".repeat(40)), Err(QueryError::TooManyTerms(40)));
        assert_eq!(check("tesla\u{7}"), Err(QueryError::ControlCharacter(7)));
        assert_eq!(check("tesla earnings"), Ok(()));
    }
}
