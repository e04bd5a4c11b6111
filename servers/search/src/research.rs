//! The research pipeline of lesson 5.11: several sources in parallel, then merge, dedupe and
//! re-rank, with progress per stage and cancellation.
//!
//! ```text
//!            ┌─ web ──────┐
//! question ──┼─ news ─────┤            ┌───────┐   ┌────────┐   ┌─────────┐
//!            ├─ products ─┼─ search ──▶│ merge │──▶│ dedupe │──▶│ re-rank │──▶ report
//!            ├─ qna ──────┤            └───────┘   └────────┘   └─────────┘
//!            └─ flaky ────┘  (each under its own timeout)
//! ```
//!
//! - **Parallel sources.** Every source starts at once; the search stage lasts as long as the
//!   slowest one, not their sum. Each has a timeout, so one stalled source cannot hold the
//!   rest hostage.
//! - **Degrade, don't fail.** A source that fails or times out is *reported* in the answer
//!   (`sources[].status`, `degraded: true`) and the pipeline carries on with what it has.
//! - **Merge and dedupe.** The flaky source mirrors the web index and a story can surface from
//!   two sources, so the same document appears more than once: results are merged by document
//!   id and, for different documents with the same normalised title (a story syndicated
//!   twice), by title.
//! - **Re-rank.** BM25 scores from different sources are not comparable, so each source's
//!   scores are divided by its best one (0..1); a document found by several sources adds
//!   them up (agreement is evidence; a repeat from the same source is not, and keeps the
//!   best); then title words matching the question add a bonus.
//! - **Progress.** One `notifications/progress` per finished source and one per later stage,
//!   echoing the request's progress token, with a message naming the stage.
//! - **Cancellation.** When the client cancels (`notifications/cancelled`, or closes the HTTP
//!   stream), the request's cancellation token fires: sources still running are dropped and
//!   no later stage runs.

use crate::SearchServer;
use crate::corpus::Kind;
use crate::index::{Filters, Hits};
use crate::qna;
use crate::query::QueryError;
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::{Peer, RequestContext};
use rmcp::{RoleServer, schemars::JsonSchema};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt::Write;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// A source the pipeline can ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Web pages.
    Web,
    /// News items.
    News,
    /// The product catalogue.
    Products,
    /// The question-and-answer knowledge base.
    Qna,
    /// The unreliable partner index (mirrors web; see [`crate::flaky`]).
    Flaky,
}

impl Source {
    /// Every source, the default selection.
    pub const ALL: [Source; 5] = [
        Source::Web,
        Source::News,
        Source::Products,
        Source::Qna,
        Source::Flaky,
    ];

    /// Its name in arguments and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Web => "web",
            Source::News => "news",
            Source::Products => "products",
            Source::Qna => "qna",
            Source::Flaky => "flaky",
        }
    }

    fn kind(self) -> Kind {
        match self {
            Source::Web | Source::Flaky => Kind::Web,
            Source::News => Kind::News,
            Source::Products => Kind::Product,
            Source::Qna => Kind::Qna,
        }
    }
}

/// Arguments of `research`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ResearchArgs {
    /// The question to research, in plain words.
    pub question: String,
    /// Which sources to ask (default: all of web, news, products, qna, flaky).
    pub sources: Option<Vec<Source>>,
    /// How deep to search, 1 to 3 (default 2): each source contributes 3 × depth results, and
    /// the report keeps the best 3 × depth after re-ranking.
    pub depth: Option<u32>,
}

/// How one source did.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SourceReport {
    /// The source.
    pub source: Source,
    /// `ok`, `failed` or `timed_out`.
    pub status: String,
    /// Results it contributed.
    pub results: usize,
    /// How long it took, in milliseconds.
    pub elapsed_ms: u64,
    /// What went wrong, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One result after re-ranking.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Finding {
    /// Document id (`search://doc/{id}`).
    pub id: String,
    /// Its kind.
    pub kind: Kind,
    /// Title.
    pub title: String,
    /// Where it lives.
    pub url: String,
    /// Best passage, matched words in bold.
    pub snippet: String,
    /// Re-ranked score (higher is better).
    pub score: f64,
    /// Every source that found it.
    pub found_by: Vec<Source>,
}

/// The result of `research`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ResearchReport {
    /// The question.
    pub question: String,
    /// The knowledge base's answer, when it has one (from the qna source).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// The best findings, best first.
    pub findings: Vec<Finding>,
    /// How each source did.
    pub sources: Vec<SourceReport>,
    /// Whether any source failed or timed out (the findings may then be incomplete).
    pub degraded: bool,
    /// Results before merging, and duplicates removed.
    pub merged: usize,
    /// Duplicates removed by the dedupe stage.
    pub duplicates: usize,
}

impl ResearchReport {
    /// Readable text for the report.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Research: {}", self.question);
        if let Some(answer) = &self.answer {
            let _ = writeln!(out, "Answer: {answer}");
        }
        for (i, f) in self.findings.iter().enumerate() {
            let by: Vec<_> = f.found_by.iter().map(|s| s.as_str()).collect();
            let _ = writeln!(
                out,
                "{}. {} [{}] (score {:.2}, found by {})\n   {}",
                i + 1,
                f.title,
                f.id,
                f.score,
                by.join(", "),
                f.snippet
            );
        }
        let _ = writeln!(
            out,
            "Merged {} results, removed {} duplicates.",
            self.merged, self.duplicates
        );
        for s in &self.sources {
            match &s.error {
                Some(e) => {
                    let _ = writeln!(out, "Source {}: {} ({e})", s.source.as_str(), s.status);
                }
                None => {
                    let _ = writeln!(
                        out,
                        "Source {}: {} results in {} ms",
                        s.source.as_str(),
                        s.results,
                        s.elapsed_ms
                    );
                }
            }
        }
        if self.degraded {
            let _ = writeln!(
                out,
                "Degraded: some sources failed, so these findings may be incomplete."
            );
        }
        out
    }
}

/// Why the pipeline stopped without a report.
#[derive(Debug, thiserror::Error)]
pub enum ResearchError {
    /// The arguments are unusable.
    #[error("{0}")]
    Invalid(String),
    /// The client cancelled the request.
    #[error("research cancelled by the client")]
    Cancelled,
}

/// One hit from one source.
struct Found {
    source: Source,
    ord: usize,
    /// The hit's score divided by its source's best (0..1].
    normalised: f64,
    snippet: String,
}

/// Sends progress notifications for one request, if it asked for them.
struct Progress {
    peer: Peer<RoleServer>,
    token: Option<ProgressToken>,
    done: f64,
    total: f64,
}

impl Progress {
    async fn step(&mut self, message: String) {
        self.done += 1.0;
        if let Some(token) = &self.token {
            let param = ProgressNotificationParam::new(token.clone(), self.done)
                .with_total(self.total)
                .with_message(message);
            // A client gone away cannot be told; the pipeline itself carries on (or is
            // cancelled through its token).
            let _ = self.peer.notify_progress(param).await;
        }
    }
}

/// Runs the pipeline for one `research` call.
pub async fn run(
    server: &SearchServer,
    args: ResearchArgs,
    ctx: &RequestContext<RoleServer>,
) -> Result<ResearchReport, ResearchError> {
    let depth = args.depth.unwrap_or(2);
    if !(1..=3).contains(&depth) {
        return Err(ResearchError::Invalid(format!(
            "depth must be 1, 2 or 3, not {depth}."
        )));
    }
    if let Err(e) = crate::query::check(&args.question) {
        return Err(ResearchError::Invalid(e.to_string()));
    }
    let query = qna::plain_words(&args.question);
    if query.is_empty() {
        return Err(ResearchError::Invalid(
            "question is empty: ask it in a few words.".into(),
        ));
    }
    let mut sources = args.sources.unwrap_or_else(|| Source::ALL.to_vec());
    // Each source once, in the order asked.
    let mut seen = Vec::new();
    sources.retain(|s| {
        let first = !seen.contains(s);
        seen.push(*s);
        first
    });
    if sources.is_empty() {
        return Err(ResearchError::Invalid(format!(
            "sources is empty; choose some of {}.",
            Source::ALL.map(Source::as_str).join(", ")
        )));
    }
    let per_source = 3 * depth as usize;
    let ct = ctx.ct.clone();
    let mut progress = Progress {
        peer: ctx.peer.clone(),
        token: ctx.meta.get_progress_token(),
        done: 0.0,
        total: (sources.len() + 3) as f64,
    };

    // Stage 1: every source in parallel, each under the per-source timeout.
    let timeout = server.engine().settings.source_timeout;
    let mut running: FuturesUnordered<_> = sources
        .iter()
        .map(|&source| {
            let query = query.clone();
            let started = Instant::now();
            async move {
                let outcome =
                    tokio::time::timeout(timeout, ask(server, source, query, per_source)).await;
                (source, started.elapsed(), outcome)
            }
        })
        .collect();
    let mut found = Vec::new();
    let mut reports = Vec::new();
    loop {
        let next = tokio::select! {
            // Dropping `running` on cancel drops the sources still in flight.
            _ = ct.cancelled() => return Err(ResearchError::Cancelled),
            next = running.next() => next,
        };
        let Some((source, elapsed, outcome)) = next else {
            break;
        };
        let report = |status: &str, results, error| SourceReport {
            source,
            status: status.into(),
            results,
            elapsed_ms: elapsed.as_millis() as u64,
            error,
        };
        let report = match outcome {
            Ok(Ok(hits)) => {
                let n = hits.hits.len();
                found.extend(normalise(source, hits));
                report("ok", n, None)
            }
            Ok(Err(e)) => report("failed", 0, Some(e)),
            Err(_) => report(
                "timed_out",
                0,
                Some(format!("no answer within {} ms", timeout.as_millis())),
            ),
        };
        progress
            .step(format!(
                "search: {} {} ({} results)",
                source.as_str(),
                report.status,
                report.results
            ))
            .await;
        reports.push(report);
    }
    // Report sources in the order they were asked for, whatever order they finished in.
    reports.sort_by_key(|r| sources.iter().position(|s| *s == r.source));

    // Stage 2: merge (everything into one list).
    stop_if_cancelled(&ct)?;
    let merged = found.len();
    progress
        .step(format!(
            "merge: {merged} results from {} sources",
            reports.len()
        ))
        .await;

    // Stage 3: dedupe, by document id and then by normalised title.
    stop_if_cancelled(&ct)?;
    let mut findings = dedupe(server, found);
    let duplicates = merged - findings.len();
    progress
        .step(format!(
            "dedupe: {} unique, {duplicates} duplicates removed",
            findings.len()
        ))
        .await;

    // Stage 4: re-rank and keep the best.
    stop_if_cancelled(&ct)?;
    let words: Vec<String> = server.engine().index.analyse(&query);
    rerank(server, &mut findings, &words);
    findings.truncate(per_source);
    progress
        .step(format!("rerank: kept the best {}", findings.len()))
        .await;

    let answer = if sources.contains(&Source::Qna) {
        qna::answer(server, &args.question)
            .await
            .ok()
            .and_then(|a| a.answer)
    } else {
        None
    };
    let degraded = reports.iter().any(|r| r.status != "ok");
    Ok(ResearchReport {
        question: args.question,
        answer,
        findings,
        sources: reports,
        degraded,
        merged,
        duplicates,
    })
}

fn stop_if_cancelled(ct: &CancellationToken) -> Result<(), ResearchError> {
    if ct.is_cancelled() {
        Err(ResearchError::Cancelled)
    } else {
        Ok(())
    }
}

/// Asks one source. The flaky one first plays its delay and maybe fails.
async fn ask(
    server: &SearchServer,
    source: Source,
    query: String,
    limit: usize,
) -> Result<Hits, String> {
    if source == Source::Flaky {
        let roll = server.engine().flaky.roll();
        tokio::time::sleep(roll.delay).await;
        if roll.fail {
            return Err("the partner index answered 503 Service Unavailable (simulated)".into());
        }
    }
    let filters = Filters {
        kind: Some(source.kind()),
        ..Default::default()
    };
    server
        .run_search(query, filters, 0, limit)
        .await
        .map_err(|e: QueryError| e.to_string())
}

/// Scores divided by the source's best, so every source's results lie in (0, 1].
fn normalise(source: Source, hits: Hits) -> Vec<Found> {
    let best = hits
        .hits
        .iter()
        .map(|h| h.score)
        .fold(0.0_f32, f32::max)
        .max(f32::EPSILON);
    hits.hits
        .into_iter()
        .map(|h| Found {
            source,
            ord: h.ord,
            normalised: f64::from(h.score / best),
            snippet: h.snippet,
        })
        .collect()
}

/// One finding per document, and per normalised title; the scores of duplicates add up.
fn dedupe(server: &SearchServer, found: Vec<Found>) -> Vec<Finding> {
    let docs = server.engine().index.docs();
    let mut findings: Vec<Finding> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for f in found {
        let doc = &docs[f.ord];
        let title_key: String = doc
            .title
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        let existing = by_key
            .get(&doc.id)
            .or_else(|| by_key.get(&title_key))
            .copied();
        match existing {
            Some(i) => {
                let finding = &mut findings[i];
                if finding.found_by.contains(&f.source) {
                    // The same story twice from one source is no extra evidence.
                    finding.score = finding.score.max(f.normalised);
                } else {
                    // Another source agreeing is.
                    finding.score += f.normalised;
                    finding.found_by.push(f.source);
                }
            }
            None => {
                by_key.insert(doc.id.clone(), findings.len());
                by_key.insert(title_key, findings.len());
                findings.push(Finding {
                    id: doc.id.clone(),
                    kind: doc.kind,
                    title: doc.title.clone(),
                    url: doc.url.clone(),
                    snippet: f.snippet,
                    score: f.normalised,
                    found_by: vec![f.source],
                });
            }
        }
    }
    findings
}

/// Adds a title bonus (up to +0.5 when the title holds every question word), then sorts best
/// first; equal scores keep their merge order, so the ranking is deterministic.
fn rerank(server: &SearchServer, findings: &mut [Finding], words: &[String]) {
    let index = &server.engine().index;
    for f in findings.iter_mut() {
        let title: std::collections::HashSet<String> =
            index.analyse(&f.title).into_iter().collect();
        let bonus = 0.5 * qna::coverage(words, &title);
        f.score = ((f.score + bonus) * 1000.0).round() / 1000.0;
    }
    findings.sort_by(|a, b| b.score.total_cmp(&a.score));
}

/// How long each source may take, unless configured otherwise (`--source-timeout-ms`).
pub const DEFAULT_SOURCE_TIMEOUT: Duration = Duration::from_millis(1500);

#[rmcp::tool_router(router = research_tools, vis = "pub(crate)")]
impl SearchServer {
    /// Research a question across several sources at once (web, news, products, qna and an
    /// unreliable partner index): merges, removes duplicates and re-ranks, reporting progress
    /// per stage. Sources that fail or time out are reported and the rest still answer.
    #[rmcp::tool(
        title = "Research",
        output_schema = rmcp::handler::server::common::schema_for_output::<ResearchReport>(),
        annotations(read_only_hint = true, idempotent_hint = false, open_world_hint = false)
    )]
    async fn research(
        &self,
        rmcp::handler::server::wrapper::Parameters(args): rmcp::handler::server::wrapper::Parameters<ResearchArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<rmcp::model::CallToolResult, String> {
        self.admit(&ctx)?;
        let report = run(self, args, &ctx).await.map_err(|e| e.to_string())?;
        Ok(crate::results::structured(report.to_text(), &report))
    }
}
