//! On-behalf-of (OBO): calling another API *as the user*, without forwarding the user's token.
//!
//! `whoami` wants the caller's profile from Microsoft Graph. The token the caller sent us has
//! audience *this* API; sending it on to Graph would be token passthrough, which MCP forbids
//! (a token accepted everywhere can be replayed by any server that sees it). Instead:
//!
//! 1. **Exchange.** We POST to the identity provider's token endpoint, authenticating as
//!    ourselves (client id + secret), with the caller's token as the `assertion`:
//!    `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`,
//!    `requested_token_use=on_behalf_of`, `scope=https://graph.microsoft.com/User.Read`. The
//!    IdP checks that the assertion was issued *to us* and answers with a new token for the
//!    same user whose audience is Graph.
//! 2. **Call.** `GET /v1.0/me` on Graph with the *new* token.
//!
//! The caller's token goes to the IdP (which issued it) and nowhere else. Each failure is
//! reported with its cause: not configured, the exchange refused (the OAuth error inside), or
//! Graph refused (its error inside).

use reqwest::StatusCode;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use url::Url;

/// How long one exchange or Graph call may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Where to exchange tokens and which Graph to call.
#[derive(Debug, Clone)]
pub struct OboConfig {
    /// The IdP's token endpoint (`<authority>/<tenant>/oauth2/v2.0/token`).
    pub token_endpoint: Url,
    /// This API's client id (it authenticates as itself).
    pub client_id: String,
    /// This API's client secret.
    pub client_secret: String,
    /// Graph's `/v1.0/me` URL.
    pub graph_me: Url,
    /// The scope asked for.
    pub scope: String,
}

impl OboConfig {
    /// The Entra layout derived from an issuer `<authority>/<tenant>/v2.0`: the token endpoint
    /// `<authority>/<tenant>/oauth2/v2.0/token` and, for mock-idp, Graph at `<authority>/v1.0/me`.
    pub fn for_issuer(issuer: &str, client_id: &str, client_secret: &str) -> anyhow::Result<Self> {
        let tenant_base = issuer
            .trim_end_matches('/')
            .strip_suffix("/v2.0")
            .ok_or_else(|| anyhow::anyhow!("the issuer {issuer} does not end in /v2.0"))?;
        let token_endpoint = Url::parse(&format!("{tenant_base}/oauth2/v2.0/token"))?;
        let graph_me = token_endpoint.join("/v1.0/me")?;
        Ok(Self {
            token_endpoint,
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            graph_me,
            scope: workshop_kit::defaults::GRAPH_SCOPE_USER_READ.into(),
        })
    }
}

/// The signed-in user's profile, as Graph's `/me` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GraphProfile {
    /// The user's object id.
    pub id: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Sign-in name.
    pub user_principal_name: Option<String>,
    /// Mail address.
    pub mail: Option<String>,
}

/// Why the profile could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OboError {
    /// The server was started without OBO, or without a user token to exchange.
    #[error("OBO not configured: {0}")]
    NotConfigured(String),
    /// The identity provider refused the exchange.
    #[error("could not obtain a Graph token: {error}: {description}")]
    Exchange {
        /// The OAuth `error` code.
        error: String,
        /// Its `error_description`.
        description: String,
    },
    /// Graph refused the call.
    #[error("could not read the profile: {0}")]
    Profile(String),
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Exchanges caller tokens and calls Graph.
#[derive(Debug, Clone)]
pub struct OnBehalfOf {
    config: OboConfig,
    http: reqwest::Client,
}

impl OnBehalfOf {
    /// A client for `config`.
    pub fn new(config: OboConfig) -> Self {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            // A redirect could carry the assertion somewhere else: follow none.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self { config, http }
    }

    /// Step 1: the caller's token (`assertion`) for a Graph token for the same user.
    pub async fn exchange(&self, assertion: &str) -> Result<String, OboError> {
        let form = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("client_id", self.config.client_id.as_str()),
            ("client_secret", self.config.client_secret.as_str()),
            ("assertion", assertion),
            ("scope", self.config.scope.as_str()),
            ("requested_token_use", "on_behalf_of"),
        ];
        let unreachable = |e: reqwest::Error| OboError::Exchange {
            error: "temporarily_unavailable".into(),
            description: format!("the identity provider did not answer: {}", e.without_url()),
        };
        let response = self
            .http
            .post(self.config.token_endpoint.clone())
            .form(&form)
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        let answer: TokenAnswer = response.json().await.map_err(|_| OboError::Exchange {
            error: "invalid_response".into(),
            description: format!(
                "the identity provider answered {status} without a token response"
            ),
        })?;
        match (status, answer.access_token) {
            (StatusCode::OK, Some(token)) => Ok(token),
            _ => Err(OboError::Exchange {
                error: answer.error.unwrap_or_else(|| status.to_string()),
                description: answer.error_description.unwrap_or_default(),
            }),
        }
    }

    /// Step 2: the profile, with the Graph token.
    pub async fn me(&self, graph_token: &str) -> Result<GraphProfile, OboError> {
        let response = self
            .http
            .get(self.config.graph_me.clone())
            .bearer_auth(graph_token)
            .send()
            .await
            .map_err(|e| OboError::Profile(format!("Graph did not answer: {}", e.without_url())))?;
        let status = response.status();
        if !status.is_success() {
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            let code = body["error"]["code"].as_str().unwrap_or("unknown");
            let message = body["error"]["message"].as_str().unwrap_or("");
            return Err(OboError::Profile(format!(
                "Graph answered {status}: {code}: {message}"
            )));
        }
        response
            .json()
            .await
            .map_err(|e| OboError::Profile(format!("Graph's answer is not a profile: {e}")))
    }

    /// Both steps.
    pub async fn profile(&self, assertion: &str) -> Result<GraphProfile, OboError> {
        let graph_token = self.exchange(assertion).await?;
        self.me(&graph_token).await
    }
}
