//! Azure OpenAI: the same chat-completions wire format, another URL and header.
//!
//! Azure serves each model as a *deployment* under your resource:
//! `POST {AZURE_OPENAI_ENDPOINT}/openai/deployments/{AZURE_OPENAI_DEPLOYMENT}/chat/completions?api-version={AZURE_OPENAI_API_VERSION}`
//! with the key in an `api-key` header (not `Authorization`). The four variable names are the
//! ones Azure's own samples use, so an existing `.env` keeps working. Every missing one is named
//! up front, before anything is sent, so one run tells you everything to set.

use super::ModelError;
use super::openai::{Auth, ChatCompletions};

/// The settings Azure OpenAI needs, in the order the error lists them.
pub const SETTINGS: [&str; 4] = [
    "AZURE_OPENAI_ENDPOINT",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_API_VERSION",
    "AZURE_OPENAI_DEPLOYMENT",
];

/// Builds the Azure backend from a variable lookup (the process environment, after `.env`).
pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<ChatCompletions, ModelError> {
    let values: Vec<Option<String>> = SETTINGS
        .iter()
        .map(|k| get(k).filter(|v| !v.trim().is_empty()))
        .collect();
    let missing: Vec<&str> = SETTINGS
        .iter()
        .zip(&values)
        .filter(|(_, v)| v.is_none())
        .map(|(k, _)| *k)
        .collect();
    if !missing.is_empty() {
        return Err(ModelError::Config(format!(
            "the azure model is missing {}: set them in the environment or in a .env file (see clients/console/.env.example)",
            missing.join(", ")
        )));
    }
    let [endpoint, key, version, deployment] =
        [0, 1, 2, 3].map(|i| values[i].clone().unwrap_or_default());
    let url = format!(
        "{}/openai/deployments/{deployment}/chat/completions?api-version={version}",
        endpoint.trim_end_matches('/')
    );
    Ok(ChatCompletions::new(
        url,
        Auth::ApiKey(key),
        deployment,
        "Azure OpenAI",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_missing_setting_is_named() {
        let err = from_env(|k| (k == "AZURE_OPENAI_API_KEY").then(|| "k".to_string())).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("AZURE_OPENAI_ENDPOINT"));
        assert!(msg.contains("AZURE_OPENAI_API_VERSION"));
        assert!(msg.contains("AZURE_OPENAI_DEPLOYMENT"));
        assert!(!msg.contains("AZURE_OPENAI_API_KEY"));
    }

    #[test]
    fn the_url_carries_deployment_and_api_version() {
        let m = from_env(|k| {
            Some(
                match k {
                    "AZURE_OPENAI_ENDPOINT" => "https://x.openai.azure.com/",
                    "AZURE_OPENAI_API_KEY" => "secret",
                    "AZURE_OPENAI_API_VERSION" => "2025-04-01-preview",
                    _ => "gpt-5-nano",
                }
                .to_string(),
            )
        })
        .unwrap();
        assert_eq!(
            m.url,
            "https://x.openai.azure.com/openai/deployments/gpt-5-nano/chat/completions?api-version=2025-04-01-preview"
        );
        assert!(!format!("{m:?}").contains("secret"));
    }
}
