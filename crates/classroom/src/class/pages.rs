//! The grid page (`/class`), its live fragments, and a page per learner.
//!
//! Made for a projector: large type, a colour *and* a word per cell (colour alone fails for
//! colour-blind eyes and on washed-out projectors), names that stay visible while the grid
//! scrolls sideways, and no external assets. The page loads once; [`live`](super::live) keeps
//! it current.

use super::grid::Grid;
use super::store::Record;
use super::{Class, now};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use std::sync::Arc;

#[derive(Template)]
#[template(path = "class.html")]
struct ClassPage<'a> {
    grid: &'a Grid,
    join_line: &'a str,
}

#[derive(Template)]
#[template(path = "class_grid.html")]
struct GridFragment<'a> {
    grid: &'a Grid,
}

#[derive(Template)]
#[template(path = "class_summary.html")]
struct SummaryFragment<'a> {
    grid: &'a Grid,
}

/// One row of a learner's history, ready to show.
struct HistoryRow {
    at: String,
    exercise: String,
    status: String,
    failing: String,
    checks: String,
}

#[derive(Template)]
#[template(path = "class_learner.html")]
struct LearnerPage {
    name: String,
    username: String,
    from: String,
    rows: Vec<HistoryRow>,
}

fn html(rendered: Result<String, askama::Error>) -> Response {
    match rendered {
        Ok(body) => (
            [
                (header::CACHE_CONTROL, "no-store"),
                (header::X_FRAME_OPTIONS, "DENY"),
            ],
            Html(body),
        )
            .into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the page could not be drawn: {e}"),
        )
            .into_response(),
    }
}

/// Renders the whole grid page: what `GET /class` sends (public for the benchmark).
pub fn render_class(class: &Class) -> Result<String, askama::Error> {
    let grid = class.grid();
    ClassPage {
        grid: &grid,
        join_line: &class.config.join_line,
    }
    .render()
}

/// `GET /class`.
pub async fn class(State(class): State<Arc<Class>>) -> Response {
    html(render_class(&class))
}

/// `GET /class/grid`: the grid alone, for a live page that met a new learner.
pub async fn grid_fragment(State(class): State<Arc<Class>>) -> Response {
    let grid = class.grid();
    html(GridFragment { grid: &grid }.render())
}

/// `GET /class/summary`: who is stuck, and the median times.
pub async fn summary_fragment(State(class): State<Arc<Class>>) -> Response {
    let grid = class.grid();
    html(SummaryFragment { grid: &grid }.render())
}

/// `GET /class/learners/{id}`: one learner's history, newest first.
pub async fn learner(State(class): State<Arc<Class>>, Path(id): Path<String>) -> Response {
    let page = {
        let store = class.lock();
        let Some(l) = store.learner(&id) else {
            return (StatusCode::NOT_FOUND, "no results from this learner yet").into_response();
        };
        let current = now();
        LearnerPage {
            name: l.learner.name.clone(),
            username: l.learner.username.clone(),
            from: l.from.clone().unwrap_or_default(),
            rows: l
                .history
                .iter()
                .rev()
                .map(|r| history_row(r, current))
                .collect(),
        }
    };
    html(page.render())
}

fn history_row(record: &Record, now: u64) -> HistoryRow {
    let ago = now.saturating_sub(record.at);
    let passed = record
        .post
        .checks
        .iter()
        .filter(|c| c.status == exercise_runner::TestStatus::Passed)
        .count();
    HistoryRow {
        at: if ago < 60 {
            format!("{ago} s ago")
        } else {
            format!("{} min ago", ago / 60)
        },
        exercise: record.post.exercise.clone(),
        status: serde_json::to_value(record.post.status)
            .ok()
            .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
            .unwrap_or_default(),
        failing: record.post.failing_check().unwrap_or("").to_string(),
        checks: format!("{passed}/{}", record.post.checks.len()),
    }
}
