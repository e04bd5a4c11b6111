//! The class over the LAN: learners' results reach the instructor's dashboard.
//!
//! ```text
//! learner's laptop                                  instructor's laptop (`cargo xtask up`)
//!   cargo xtask join URL ── GET /api/classroom ───► dashboard: issuer, services, CA
//!        └─ device code ──────────────────────────► mock-idp (roster; dashboard's audience)
//!   cargo xtask check ─ queue ─ classroom-link send
//!        └─ POST /api/results  (Bearer token) ────► [`api`]: verify, rate-limit, store, push
//!                                                   /class  the grid, live over SSE ([`live`])
//! ```
//!
//! - [`auth`]: the learner is whoever their verified token names.
//! - [`limit`]: a per-learner rate limit.
//! - [`store`]: the class's state, an append-only log on disk, so a restart loses nothing.
//! - [`grid`]: learners × exercises, who is stuck, median times.
//! - [`https`]: the dashboard served with the classroom certificate under `up --tls`.
//! - [`api`]: the JSON endpoints; [`pages`]: the grid and a page per learner; [`live`]: the
//!   server-sent events that update the open grid without a reload.
//!
//! This module is the classroom crate's library part, so its integration tests can serve it
//! on loopback addresses next to a real identity provider.

pub mod api;
pub mod auth;
pub mod grid;
pub mod https;
pub mod limit;
pub mod live;
pub mod pages;
pub mod store;

use anyhow::Result;
use exercise_runner::classroom::Description;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How a class is set up.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the class's log is kept (`None`: memory only, for benchmarks of the page).
    pub state_dir: Option<PathBuf>,
    /// What `GET /api/classroom` tells a joining learner.
    pub description: Description,
    /// The exercises, in course order (the grid's columns).
    pub exercises: Vec<grid::Column>,
    /// The same failure for this long makes a learner stuck.
    pub stuck_after: Duration,
    /// The per-learner limit on posts.
    pub rate: limit::Rate,
    /// The line to write on the board, shown on the grid page.
    pub join_line: String,
}

/// A running class: its state and its verifier, shared by every request.
pub struct Class {
    config: Config,
    store: Mutex<store::Store>,
    verifier: auth::Verifier,
    limiter: limit::Limiter,
    live: live::Live,
}

impl Class {
    /// Opens the class's log (replaying what an earlier run stored) and sets up verification
    /// against the described issuer.
    pub fn open(config: Config) -> Result<Arc<Class>> {
        let store = match &config.state_dir {
            Some(dir) => store::Store::open(dir)?,
            None => store::Store::in_memory(),
        };
        let dashboard = url::Url::parse(&config.description.dashboard)?;
        Ok(Arc::new(Class {
            verifier: auth::Verifier::new(
                &config.description.issuer,
                &dashboard,
                config.description.tls.as_ref().map(|t| t.ca_pem.as_str()),
            ),
            limiter: limit::Limiter::new(config.rate),
            live: live::Live::new(),
            store: Mutex::new(store),
            config,
        }))
    }

    /// The grid now.
    pub fn grid(&self) -> grid::Grid {
        let store = self.lock();
        grid::build(
            &store,
            &self.config.exercises,
            self.config.stuck_after.as_secs(),
            now(),
        )
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, store::Store> {
        // A panic while holding the lock cannot leave the store half-updated (each insert
        // writes the log first, then memory), so a poisoned lock is still usable.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The class's routes, to merge into the dashboard: `/api/classroom`, `/api/results`,
/// `/api/class`, `/api/class/events`, `/api/learners/{id}`, `/class`, `/class/grid`,
/// `/class/summary`, `/class/learners/{id}`.
pub fn router(class: Arc<Class>) -> axum::Router {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/api/classroom", get(api::description))
        .route("/api/results", post(api::post_result))
        .route("/api/class", get(api::class))
        .route("/api/class/events", get(live::events))
        .route("/api/learners/{id}", get(api::learner))
        .route("/class", get(pages::class))
        .route("/class/grid", get(pages::grid_fragment))
        .route("/class/summary", get(pages::summary_fragment))
        .route("/class/learners/{id}", get(pages::learner))
        .layer(axum::extract::DefaultBodyLimit::max(api::MAX_BODY))
        .with_state(class)
}

/// Seconds since the Unix epoch, by the dashboard's clock.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
