//! The MCP server itself: tools, a resource (and a template), and a prompt.
//!
//! Each MCP feature here is guarded by the scope that names it (see [`crate::auth::scopes`]):
//!
//! | feature | items | scope |
//! |---|---|---|
//! | tools | `get_weather`, `get_forecast`, `whoami` | `MCP.Tools` |
//! | resources | `weather://cities`, template `weather://forecast/{city}` | `MCP.Resources` |
//! | prompts | `weather_briefing` | `MCP.Prompts` |
//!
//! Nothing in this file checks a token: by the time a request reaches a handler, the bearer
//! middleware has validated it. Handlers that want to know *who* is calling read the validated
//! claims from the HTTP request parts that rmcp passes along (see `whoami`).

use rmcp::handler::server::common::Extension;
use rmcp::handler::server::router::prompt::PromptRouter;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    GetPromptResult, Implementation, ListResourceTemplatesResult, ListResourcesResult,
    PaginatedRequestParams, PromptMessage, ReadResourceRequestParams, ReadResourceResponse,
    ReadResourceResult, Resource, ResourceContents, ResourceTemplate, Role, ServerCapabilities,
    ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{
    ErrorData, Json, RoleServer, ServerHandler, prompt, prompt_handler, prompt_router, tool,
    tool_handler, tool_router,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::auth::Claims;
use crate::on_behalf_of::{GraphProfile, OboError, OnBehalfOf};
use crate::weather::{self, DailyWeather};
use std::sync::Arc;

/// The longest forecast offered.
pub const MAX_FORECAST_DAYS: i64 = 7;

/// The weather MCP server (one instance per MCP session).
#[derive(Clone)]
pub struct WeatherServer {
    /// On-behalf-of for `whoami`, when configured.
    obo: Option<Arc<OnBehalfOf>>,
    tool_router: ToolRouter<Self>,
    prompt_router: PromptRouter<Self>,
}

impl Default for WeatherServer {
    fn default() -> Self {
        Self::new()
    }
}

fn default_city() -> String {
    "London".into()
}

/// Arguments of `get_weather`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct WeatherArgs {
    /// The city, e.g. "London" or "New York". Defaults to London.
    #[serde(default = "default_city")]
    pub city: String,
}

/// Arguments of `get_forecast`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ForecastArgs {
    /// The city, e.g. "Tokyo".
    pub city: String,
    /// How many days, starting today: 1 to 7.
    // Any integer is accepted here and checked in the tool, so `0`, `-1` or `300` get a tool
    // error the model can read (MCP 2025-11-25: out-of-range input is a tool execution error),
    // not the protocol error a failed `u8` conversion would give.
    #[schemars(range(min = 1, max = 7))]
    pub days: i64,
}

/// A multi-day forecast.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Forecast {
    /// The city, normalised.
    pub city: String,
    /// One entry per day, starting today (UTC).
    pub days: Vec<DailyWeather>,
}

/// Who the server thinks is calling.
#[derive(Debug, Serialize, JsonSchema)]
pub struct WhoAmI {
    /// Display name from the token (`name`), or "anonymous" without authentication.
    pub name: String,
    /// The user's object id (`oid`).
    pub oid: Option<String>,
    /// The tenant (`tid`).
    pub tenant: Option<String>,
    /// The delegated scopes the token grants.
    pub scopes: Vec<String>,
    /// The client application the token was issued to (`azp`).
    pub client_app: Option<String>,
    /// The profile Microsoft Graph returns for the caller, read on-behalf-of them (only when
    /// the server runs with `--obo`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<GraphProfile>,
}

/// Arguments of the `weather_briefing` prompt (prompt arguments are always strings).
#[derive(Debug, Deserialize, JsonSchema)]
pub struct BriefingArgs {
    /// The city to brief about.
    pub city: String,
    /// What the briefing is for, e.g. "a weekend hike" (optional).
    #[serde(default)]
    pub purpose: Option<String>,
}

#[tool_router]
impl WeatherServer {
    /// A server with its tools and prompts registered.
    pub fn new() -> Self {
        Self::with_obo(None)
    }

    /// A server whose `whoami` also reads the caller's Graph profile through `obo`.
    pub fn with_obo(obo: Option<Arc<OnBehalfOf>>) -> Self {
        Self {
            obo,
            tool_router: Self::tool_router(),
            prompt_router: Self::prompt_router(),
        }
    }

    /// Today's weather in a city (mock data: plausible, and the same all day).
    #[tool(
        title = "Current weather",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn get_weather(
        &self,
        Parameters(args): Parameters<WeatherArgs>,
    ) -> Result<Json<DailyWeather>, String> {
        let city = weather::normalise_city(&args.city).map_err(|e| e.to_string())?;
        Ok(Json(weather::daily(&city, today())))
    }

    /// A daily forecast for 1 to 7 days, starting today.
    #[tool(
        title = "Forecast",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn get_forecast(
        &self,
        Parameters(args): Parameters<ForecastArgs>,
    ) -> Result<Json<Forecast>, String> {
        let city = weather::normalise_city(&args.city).map_err(|e| e.to_string())?;
        if !(1..=MAX_FORECAST_DAYS).contains(&args.days) {
            return Err(format!(
                "days must be between 1 and {MAX_FORECAST_DAYS}, got {}",
                args.days
            ));
        }
        let start = today();
        let days = (0..args.days.unsigned_abs())
            .map(|d| weather::daily(&city, start + chrono::Days::new(d)))
            .collect();
        Ok(Json(Forecast { city, days }))
    }

    /// Who you are, according to the access token the server validated; with on-behalf-of
    /// configured, also your profile from Microsoft Graph.
    #[tool(title = "Who am I?", annotations(read_only_hint = true))]
    async fn whoami(
        &self,
        Extension(parts): Extension<http::request::Parts>,
    ) -> Result<Json<WhoAmI>, String> {
        // The bearer middleware put the validated claims into the HTTP request's extensions;
        // rmcp hands the request parts (headers, extensions) to every handler.
        let mut me = match parts.extensions.get::<Claims>() {
            Some(claims) => WhoAmI {
                name: claims.display_name().to_string(),
                oid: claims.oid.clone(),
                tenant: claims.tid.clone(),
                scopes: claims.scopes().map(str::to_string).collect(),
                client_app: claims.azp.clone(),
                profile: None,
            },
            None => WhoAmI {
                name: "anonymous (the server runs with --no-auth)".into(),
                oid: None,
                tenant: None,
                scopes: Vec::new(),
                client_app: None,
                profile: None,
            },
        };
        if let Some(obo) = &self.obo {
            // The caller's token is the assertion; it goes to the IdP that issued it, and the
            // Graph call uses the new token. Failures are tool errors the model can read.
            let assertion = parts
                .headers
                .get(http::header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .filter(|_| parts.extensions.get::<Claims>().is_some())
                .ok_or_else(|| {
                    OboError::NotConfigured(
                        "there is no validated user token to exchange (is the server running \
                         with --no-auth?)"
                            .into(),
                    )
                    .to_string()
                })?;
            me.profile = Some(
                obo.profile(assertion.trim())
                    .await
                    .map_err(|e| e.to_string())?,
            );
        }
        Ok(Json(me))
    }
}

// rmcp's `#[prompt]` generates an undocumented `<name>_prompt_attr()` helper.
#[allow(missing_docs)]
#[prompt_router]
impl WeatherServer {
    /// A weather briefing: asks the model to fetch a 3-day forecast and summarise it.
    #[prompt(name = "weather_briefing")]
    async fn weather_briefing(
        &self,
        Parameters(args): Parameters<BriefingArgs>,
    ) -> Result<GetPromptResult, ErrorData> {
        let city = weather::normalise_city(&args.city)
            .map_err(|e| ErrorData::invalid_params(e.to_string(), None))?;
        let purpose = args
            .purpose
            .filter(|p| !p.trim().is_empty())
            .map(|p| format!(" The reader is planning {}.", p.trim()))
            .unwrap_or_default();
        let text = format!(
            "Call the get_forecast tool for {city} with days = 3, then write a short weather \
             briefing: one line per day with the condition and the high/low in °C, followed by \
             one practical tip (what to wear or bring).{purpose}"
        );
        Ok(
            GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
                .with_description(format!("3-day weather briefing for {city}")),
        )
    }
}

/// URI of the static resource listing the cities with a realistic climate.
pub const CITIES_URI: &str = "weather://cities";
/// Prefix of the forecast template `weather://forecast/{city}`.
pub const FORECAST_PREFIX: &str = "weather://forecast/";

#[tool_handler(router = self.tool_router)]
#[prompt_handler(router = self.prompt_router)]
impl ServerHandler for WeatherServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_prompts()
                .build(),
        )
        .with_server_info(
            Implementation::new("weather-server", env!("CARGO_PKG_VERSION"))
                .with_title("MCP Workshop weather server"),
        )
        .with_instructions(
            "Mock weather, deterministic per city and day. Tools: get_weather(city), \
             get_forecast(city, days 1-7), whoami. Resources: weather://cities and \
             weather://forecast/{city}. Prompt: weather_briefing(city, purpose).",
        )
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(vec![
            Resource::new(CITIES_URI, "cities")
                .with_title("Cities with a realistic climate")
                .with_description("The cities whose mock weather follows their real climate; any other city works too.")
                .with_mime_type("application/json"),
        ]))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult::with_all_items(vec![
            ResourceTemplate::new(format!("{FORECAST_PREFIX}{{city}}"), "forecast")
                .with_title("3-day forecast for a city")
                .with_description("A 3-day forecast as JSON, e.g. weather://forecast/Oslo")
                .with_mime_type("application/json"),
        ]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let uri = request.uri.as_str();
        let json = if uri == CITIES_URI {
            serde_json::json!({ "cities": weather::known_cities().collect::<Vec<_>>() })
        } else if let Some(raw_city) = uri.strip_prefix(FORECAST_PREFIX) {
            let city = weather::normalise_city(&percent_decode(raw_city))
                .map_err(|e| ErrorData::invalid_params(e.to_string(), None))?;
            let start = today();
            let days: Vec<_> = (0..3)
                .map(|d| weather::daily(&city, start + chrono::Days::new(d)))
                .collect();
            serde_json::json!({ "city": city, "days": days })
        } else {
            return Err(ErrorData::resource_not_found(
                format!("no resource {uri}: try {CITIES_URI} or {FORECAST_PREFIX}<city>"),
                None,
            ));
        };
        Ok(ReadResourceResult::new(vec![
            ResourceContents::text(json.to_string(), uri).with_mime_type("application/json"),
        ])
        .into())
    }
}

/// Today's date, UTC: the "day" the mock weather is keyed on.
fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Decodes `%20`-style escapes in a URI segment (e.g. `New%20York`).
fn percent_decode(segment: &str) -> String {
    // Read as the value of a one-pair form, so `+` and `&` must stay literal characters.
    let query = format!("c={}", segment.replace('+', "%2B").replace('&', "%26"));
    url::form_urlencoded::parse(query.as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("New%20York"), "New York");
        assert_eq!(percent_decode("Oslo"), "Oslo");
        assert_eq!(percent_decode("a+b"), "a+b");
        assert_eq!(percent_decode("Tom&Jerry=1"), "Tom&Jerry=1");
    }
}
