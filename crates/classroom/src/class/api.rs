//! The class's JSON endpoints.
//!
//! `POST /api/results` takes one [`ResultPost`] with the learner's bearer token and answers:
//! - `201 Created`: stored (and pushed to the open grids);
//! - `200 OK`: this learner had already sent this result id (a retry or a replay): nothing
//!   changes, and the sender may forget it;
//! - `400`: not a result (the body says which field is wrong);
//! - `401`/`403`: no token, a bad token, or one without `Results.Write` ([`auth`](super::auth));
//! - `409`: the result id is another learner's;
//! - `429`: this learner posts too fast (`Retry-After` says when to come back);
//! - `503`: the identity provider's keys cannot be fetched right now (try later).
//!
//! Clock skew: the learner's `checked_at` is their laptop's clock, which may be minutes (or
//! years) off, and a queued result may arrive long after it ran. The sender puts its own clock
//! at sending time in `X-Sent-At`; the difference from the dashboard's clock is the skew, and
//! the result is dated `checked_at + skew` (never in the future, never before the sending
//! learner could have queued it a week ago). Without the header, the arrival time is used.
//!
//! `GET /api/class` is the grid as JSON, `GET /api/learners/{id}` one learner's history,
//! `GET /api/classroom` the description `join` reads.

use super::store::{Outcome, Record};
use super::{Class, auth::Denied, now};
use axum::Json;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use exercise_runner::classroom::ResultPost;
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;

/// The largest body accepted: a result with a few dozen checks is 2–3 KB.
pub const MAX_BODY: usize = 64 * 1024;

/// The header carrying the sender's clock when it sent the post (seconds since the epoch).
pub const SENT_AT: &str = "x-sent-at";

/// How far back a result may be dated: a week of being queued.
const OLDEST_SECS: u64 = 7 * 24 * 3600;

/// A JSON error answer.
pub fn error(status: StatusCode, code: &str, description: &str) -> Response {
    (
        status,
        Json(json!({ "error": code, "error_description": description })),
    )
        .into_response()
}

fn denied(denied: Denied) -> Response {
    match denied {
        Denied::Unauthenticated(why) => {
            let mut response = error(StatusCode::UNAUTHORIZED, "invalid_token", &why);
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
            response
        }
        Denied::Forbidden(why) => error(StatusCode::FORBIDDEN, "insufficient_scope", &why),
        Denied::Unavailable => error(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "the classroom's identity provider cannot be reached; the result stays queued, try again later",
        ),
    }
}

/// `GET /api/classroom`.
pub async fn description(State(class): State<Arc<Class>>) -> Response {
    Json(&class.config.description).into_response()
}

/// `POST /api/results`.
pub async fn post_result(State(class): State<Arc<Class>>, request: Request) -> Response {
    let from = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    let headers = request.headers().clone();
    let learner = match class.verifier.learner(&headers).await {
        Ok(learner) => learner,
        Err(why) => return denied(why),
    };
    if let Err(wait) = class.limiter.check(&learner.id) {
        let mut response = error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many results at once; the rest stay queued and are sent shortly",
        );
        if let Ok(value) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    let body = match axum::body::to_bytes(request.into_body(), MAX_BODY).await {
        Ok(body) => body,
        Err(_) => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "a result is at most 64 KiB",
            );
        }
    };
    let post: ResultPost = match serde_json::from_slice(&body) {
        Ok(post) => post,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_result",
                &format!("the body is not a result: {e}"),
            );
        }
    };
    if let Err(why) = validate(&post) {
        return error(StatusCode::BAD_REQUEST, "invalid_result", &why);
    }
    let received_at = now();
    let record = Record {
        at: dated(&post, &headers, received_at),
        received_at,
        from,
        learner,
        post,
    };
    let result_id = record.post.result_id.clone();
    let (outcome, cell) = {
        let mut store = class.lock();
        let outcome = match store.insert(record.clone()) {
            Ok(outcome) => outcome,
            Err(e) => {
                tracing_free_log(&format!("cannot store a result: {e:#}"));
                return error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "storage_unavailable",
                    "the dashboard cannot write its log right now; the result stays queued",
                );
            }
        };
        let cell = store
            .learner(&record.learner.id)
            .map(|l| super::grid::cell(l, &record.post.exercise, received_at));
        (outcome, cell)
    };
    match outcome {
        Outcome::Stored => {
            if let Some(cell) = cell
                && let Ok(json) = serde_json::to_string(&cell)
            {
                class.live.publish(json);
            }
            (
                StatusCode::CREATED,
                Json(json!({ "stored": true, "result_id": result_id })),
            )
                .into_response()
        }
        Outcome::Duplicate => (
            StatusCode::OK,
            Json(json!({ "stored": false, "duplicate": true, "result_id": result_id })),
        )
            .into_response(),
        Outcome::Conflict => error(
            StatusCode::CONFLICT,
            "result_id_taken",
            "this result id belongs to another learner's result",
        ),
    }
}

/// Storage problems are printed by `up` (its output is the instructor's log); no token or
/// body is ever part of the message.
fn tracing_free_log(message: &str) {
    eprintln!("dashboard: {message}");
}

/// The shape rules a result must meet: bounded sizes, and ids made of safe characters.
pub fn validate(post: &ResultPost) -> Result<(), String> {
    let id_ok = |s: &str, max: usize| {
        !s.is_empty()
            && s.len() <= max
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    if !id_ok(&post.result_id, 64) {
        return Err("result_id must be 1 to 64 letters, digits, '-' or '_'".into());
    }
    if !id_ok(&post.exercise, 100) {
        return Err("exercise must be an exercise id (letters, digits, '-', '_')".into());
    }
    if post.checks.len() > 200 {
        return Err("at most 200 checks per result".into());
    }
    if post
        .checks
        .iter()
        .any(|c| c.name.is_empty() || c.name.len() > 300 || c.name.chars().any(char::is_control))
    {
        return Err("each check needs a name of 1 to 300 printable characters".into());
    }
    if post.runner_version.len() > 40 {
        return Err("runner_version is too long".into());
    }
    Ok(())
}

/// When the result ran, by the dashboard's clock (see the module docs on skew).
pub fn dated(post: &ResultPost, headers: &HeaderMap, received_at: u64) -> u64 {
    let sent_at = headers
        .get(SENT_AT)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let at = match sent_at {
        // The sender's clock runs `received_at - sent_at` behind ours (negative: ahead).
        Some(sent) => i128::from(post.checked_at) + i128::from(received_at) - i128::from(sent),
        None => i128::from(received_at),
    };
    let oldest = i128::from(received_at.saturating_sub(OLDEST_SECS));
    at.clamp(oldest, i128::from(received_at)) as u64
}

/// `GET /api/class`.
pub async fn class(State(class): State<Arc<Class>>) -> Response {
    Json(class.grid()).into_response()
}

/// `GET /api/learners/{id}`: their results, newest first.
pub async fn learner(State(class): State<Arc<Class>>, Path(id): Path<String>) -> Response {
    let store = class.lock();
    match store.learner(&id) {
        Some(l) => {
            let history: Vec<&Record> = l.history.iter().rev().collect();
            Json(json!({
                "learner": l.learner,
                "from": l.from,
                "exercises": l.exercises,
                "history": history,
            }))
            .into_response()
        }
        None => error(
            StatusCode::NOT_FOUND,
            "unknown_learner",
            "no results from this learner yet",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use exercise_runner::Status;

    fn post(checked_at: u64) -> ResultPost {
        ResultPost {
            result_id: "abc".into(),
            exercise: "one".into(),
            status: Status::Passed,
            checks: vec![],
            checked_at,
            runner_version: "0.1.0".into(),
        }
    }

    #[test]
    fn skewed_clocks_are_corrected_and_bounded() {
        let mut headers = HeaderMap::new();
        // The learner's clock is an hour behind: ran at their 1000, sent at their 1100,
        // arrived at our 4700 → ran at our 4600.
        headers.insert(SENT_AT, HeaderValue::from_static("1100"));
        assert_eq!(dated(&post(1000), &headers, 4700), 4600);
        // A clock far in the future cannot date a result after its arrival.
        headers.insert(SENT_AT, HeaderValue::from_static("100"));
        assert_eq!(dated(&post(1_000_000), &headers, 4700), 4700);
        // No header: the arrival time.
        assert_eq!(dated(&post(1), &HeaderMap::new(), 4700), 4700);
    }

    #[test]
    fn malformed_results_are_named() {
        let mut p = post(1);
        assert!(validate(&p).is_ok());
        p.result_id = "../etc".into();
        assert!(validate(&p).unwrap_err().contains("result_id"));
    }
}
