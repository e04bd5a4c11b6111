//! `GET /_admin/activity`: recent sign-ins and device codes for the instructor dashboard.
//!
//! The feed is read-only and holds no secrets (see [`crate::activity`]), so it needs no
//! authentication on a classroom laptop bound to 127.0.0.1.

use crate::app::Shared;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

/// The activity feed as JSON: `{"issuer", "sign_ins": [...], "device_codes": [...]}`.
pub async fn activity(State(state): State<Shared>) -> Json<Value> {
    Json(json!({
        "issuer": state.issuer,
        "sign_ins": state.activity.sign_ins(),
        "device_codes": state.devices.activity(),
    }))
}
