//! Completions: autocompletion for prompt arguments and URI-template variables.
//!
//! While the user types an argument, the client sends `completion/complete` with a reference
//! (`ref/prompt` with the prompt's name, or `ref/resource` with a URI template), the argument's
//! name and what has been typed so far. The server answers up to 100 suggestions
//! (`completion.values`), and may say how many exist in all (`total`) and whether there are
//! more (`hasMore`). An unknown prompt or template is `-32602` invalid params.

use crate::resources::TEMPLATE;
use rmcp::ErrorData;
use rmcp::model::{CompleteRequestParams, CompleteResult, CompletionInfo, Reference};

/// Suggestions for `test_prompt_with_arguments`'s `arg1` and `arg2`.
pub const WORDS: &[&str] = &["hello", "help", "world", "workshop", "test", "testing"];

/// Suggestions for the template's `{id}`.
pub const IDS: &[&str] = &["1", "2", "3", "42", "123"];

/// The suggestions that start with what the user typed, or a `-32602` error naming what is
/// unknown.
pub fn complete(request: &CompleteRequestParams) -> Result<CompleteResult, ErrorData> {
    let argument = request.argument.name.as_str();
    let candidates: &[&str] = match &request.r#ref {
        Reference::Prompt(prompt) => match (prompt.name.as_str(), argument) {
            ("test_prompt_with_arguments", "arg1" | "arg2") => WORDS,
            ("test_prompt_with_arguments", _) => {
                return Err(unknown(format!(
                    "test_prompt_with_arguments has no argument '{argument}'"
                )));
            }
            (name, _) if name.starts_with("test_") => &[],
            (name, _) => return Err(unknown(format!("unknown prompt '{name}'"))),
        },
        Reference::Resource(resource) => match (resource.uri.as_str(), argument) {
            (TEMPLATE, "id") => IDS,
            (TEMPLATE, _) => {
                return Err(unknown(format!("{TEMPLATE} has no variable '{argument}'")));
            }
            (uri, _) => return Err(unknown(format!("unknown resource template '{uri}'"))),
        },
        _ => return Err(unknown("unsupported reference type".into())),
    };
    let typed = request.argument.value.to_lowercase();
    let values: Vec<String> = candidates
        .iter()
        .filter(|c| c.starts_with(&typed))
        .map(|c| (*c).to_owned())
        .collect();
    let total = values.len() as u32;
    let info = CompletionInfo::with_pagination(values, Some(total), false)
        .map_err(|e| ErrorData::internal_error(e, None))?;
    Ok(CompleteResult::new(info))
}

fn unknown(message: String) -> ErrorData {
    ErrorData::invalid_params(format!("Cannot complete: {message}"), None)
}
