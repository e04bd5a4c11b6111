//! Hidden checks for exercise 4 (elicitation): a client that plays the user answers the
//! server's question with accept, decline or cancel.

#[path = "support.rs"]
mod support;

use ex04_elicitation::AdviceServer;
use rmcp::model::{
    ClientCapabilities, ClientConfig, ElicitRequestParams, ElicitResult, ElicitationAction,
    ElicitationCapability, FormElicitationCapability, Implementation,
};
use rmcp::service::RequestContext;
use rmcp::{ClientHandler, ErrorData, RoleClient};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use support::{call, connect_with, is_error, text};

/// A client whose "user" always gives the same answer, and which remembers the questions.
#[derive(Clone)]
struct User {
    action: ElicitationAction,
    content: Option<Value>,
    can_ask: bool,
    asked: Arc<Mutex<Vec<(String, Value)>>>,
}

impl User {
    fn new(action: ElicitationAction, content: Option<Value>) -> Self {
        User {
            action,
            content,
            can_ask: true,
            asked: Arc::default(),
        }
    }

    fn questions(&self) -> Vec<(String, Value)> {
        self.asked.lock().unwrap().clone()
    }
}

impl ClientHandler for User {
    fn get_info(&self) -> ClientConfig {
        let mut capabilities = ClientCapabilities::default();
        if self.can_ask {
            capabilities.elicitation =
                Some(ElicitationCapability::new().with_form(FormElicitationCapability::new()));
        }
        ClientConfig::new(capabilities, Implementation::from_build_env())
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        if let ElicitRequestParams::FormElicitationParams {
            message,
            requested_schema,
            ..
        } = &request
        {
            let schema = serde_json::to_value(requested_schema).unwrap_or_default();
            self.asked.lock().unwrap().push((message.clone(), schema));
        }
        let mut result = ElicitResult::new(self.action.clone());
        if let Some(content) = &self.content {
            result = result.with_content(content.clone());
        }
        Ok(result)
    }
}

async fn advice(user: User, symbol: &str) -> rmcp::model::CallToolResult {
    let client = connect_with(AdviceServer, user).await;
    call(&client, "get_investment_advice", json!({"symbol": symbol})).await
}

#[tokio::test]
async fn the_user_is_asked_for_risk_level_and_time_horizon() {
    let user = User::new(
        ElicitationAction::Accept,
        Some(json!({"risk_level": "low", "time_horizon": "long"})),
    );
    advice(user.clone(), "AAPL").await;
    let questions = user.questions();
    assert_eq!(
        questions.len(),
        1,
        "the tool should ask the user exactly once"
    );
    let (message, schema) = &questions[0];
    assert!(
        message.contains("AAPL") || message.contains("Apple"),
        "say which stock: {message}"
    );
    for field in ["risk_level", "time_horizon"] {
        assert!(
            schema["properties"][field].is_object(),
            "the form should ask for {field}: {schema}"
        );
    }
}

#[tokio::test]
async fn accepted_answers_shape_the_advice() {
    let user = User::new(
        ElicitationAction::Accept,
        Some(json!({"risk_level": "low", "time_horizon": "long"})),
    );
    let result = advice(user, "TSLA").await;
    let text = text(&result);
    assert!(
        !is_error(&result),
        "accepted answers should give advice: {text}"
    );
    assert!(text.contains("TSLA"), "name the stock: {text}");
    assert!(
        text.contains("low") && text.contains("long"),
        "use the answers: {text}"
    );
    let high = advice(
        User::new(
            ElicitationAction::Accept,
            Some(json!({"risk_level": "high", "time_horizon": "long"})),
        ),
        "TSLA",
    )
    .await;
    assert_ne!(
        text,
        support::text(&high),
        "different answers should change the advice"
    );
}

#[tokio::test]
async fn declining_is_answered_politely_not_as_an_error() {
    let result = advice(User::new(ElicitationAction::Decline, None), "AAPL").await;
    assert!(
        !is_error(&result),
        "declining is the user's right, not a tool error"
    );
    assert!(
        text(&result).contains("declined"),
        "say the user declined: {}",
        text(&result)
    );
}

#[tokio::test]
async fn cancelling_is_answered_politely_not_as_an_error() {
    let result = advice(User::new(ElicitationAction::Cancel, None), "AAPL").await;
    assert!(!is_error(&result), "cancelling is not a tool error");
    assert!(
        text(&result).contains("cancel"),
        "say the question was cancelled: {}",
        text(&result)
    );
}

#[tokio::test]
async fn a_client_that_cannot_ask_gets_a_tool_error() {
    let mut user = User::new(ElicitationAction::Accept, None);
    user.can_ask = false;
    let result = advice(user, "AAPL").await;
    assert!(
        is_error(&result),
        "without elicitation support the tool cannot work: a tool error"
    );
    assert!(
        text(&result).contains("elicitation"),
        "explain why: {}",
        text(&result)
    );
}

#[tokio::test]
async fn an_unknown_symbol_fails_before_asking() {
    let user = User::new(ElicitationAction::Accept, None);
    let result = advice(user.clone(), "XYZ").await;
    assert!(is_error(&result), "XYZ should be a tool error");
    assert!(text(&result).contains("XYZ"), "{}", text(&result));
    assert!(
        user.questions().is_empty(),
        "do not ask the user about a stock that does not exist"
    );
}
