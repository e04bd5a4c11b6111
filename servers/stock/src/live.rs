//! A live market: a simulated tick feed, resources clients subscribe to, and a tool that streams.
//!
//! Everything else on this server is a snapshot. Lesson 5.10 needs data that *changes*, so
//! with `--live` a feed moves every price once per tick (default one second, `--tick-ms`):
//! a seeded random walk per symbol, so tick `n` of AAPL has the same price in every run.
//! Quotes (`get_stock_price`) then follow the feed. Three MCP mechanisms show it:
//!
//! - **Subscriptions** (protocol 2025-11-25). `stock://{symbol}/live` is a resource whose
//!   contents change. A client sends `resources/subscribe {uri}`; on every tick the server sends
//!   `notifications/resources/updated {uri}` (no data: the client reads the resource again if it
//!   cares); `resources/unsubscribe {uri}` stops them. A subscription belongs to the session:
//!   one forwarding task per subscribed URI, cancelled on unsubscribe and when the session ends
//!   ([`LiveSession`] cancels them all when it is dropped), so nothing outlives its client.
//! - **`subscriptions/listen`** (protocol 2026-07-28, which has no sessions). The client opens
//!   one long request naming the URIs it wants; the updates stream on that request until the
//!   client cancels it. [`listen`] serves it from the same feed.
//! - **Progress and logs.** `watch_price(symbol, ticks)` waits for the next `ticks` ticks and
//!   reports each one twice: as `notifications/progress` for the request's `progressToken`
//!   (`progress` counts ticks, `total` is `ticks`) and as a `notifications/message` log line.
//!   When the client sends `notifications/cancelled`, rmcp cancels the request's token and the
//!   tool returns at once, mid-wait.
//!
//! **Several replicas** (lesson 5.7). A feed per process is fine for one server; behind a load
//! balancer each replica would tick on its own, quote its own prices, and notify only its own
//! subscribers. [`LiveMarket::replica`] takes a [`TickBus`](crate::scale_out::TickBus): one
//! replica runs the clock and publishes, every replica takes its ticks from the bus, and the
//! subscriptions, `watch_price` and `subscriptions/listen` above work unchanged, since they
//! only ever read the market's broadcast channel.

use crate::StockServer;
use crate::history::{SplitMix64, seed};
use crate::market::{self, STOCKS, Stock};
use crate::scale_out::TickBus;
use crate::tools::tool_error;
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::{
    CallToolResponse, LoggingLevel, LoggingMessageNotificationParam, ProgressNotificationParam,
    ResourceContents, ResourceTemplate, ResourceUpdatedNotificationParam, SubscriptionFilter,
};
use rmcp::service::{RequestContext, SubscriptionContext};
use rmcp::{ErrorData, Peer, RoleServer, schemars::JsonSchema, tool, tool_router};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

/// The URI template of the live resources.
pub const TEMPLATE: &str = "stock://{symbol}/live";
/// The default time between ticks.
pub const DEFAULT_TICK: Duration = Duration::from_secs(1);
/// The most ticks one `watch_price` call may wait for.
pub const MAX_WATCH_TICKS: u32 = 600;
/// How far one tick may move a price: ±0.4 %.
const STEP: f64 = 0.004;

/// One price change of one stock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Tick {
    /// Ticker symbol, upper case.
    pub symbol: String,
    /// Which tick of the feed this is, counting from 1.
    pub seq: u64,
    /// The price after the tick, in USD.
    pub price: f64,
    /// The change since the previous tick, in percent.
    pub change_percent: f64,
}

/// The feed shared by every session of one server process. Cheap to clone.
#[derive(Debug, Clone)]
pub struct LiveMarket {
    feed: Arc<Feed>,
}

#[derive(Debug)]
struct Feed {
    interval: Duration,
    ticks: broadcast::Sender<Tick>,
    latest: Mutex<HashMap<&'static str, Tick>>,
    started: std::sync::Once,
    forwarders: AtomicUsize,
    /// The bus shared with other replicas (lesson 5.7), if any.
    bus: Option<Arc<dyn TickBus>>,
    /// Whether this process runs the clock (publishing to the bus when there is one).
    runs_feed: bool,
}

impl LiveMarket {
    /// A feed ticking every `interval` (at least one millisecond). It starts on first use.
    pub fn new(interval: Duration) -> Self {
        Self::replica(interval, None, true)
    }

    /// A market that is one replica of several (lesson 5.7, see [`crate::scale_out`]):
    ///
    /// | `bus` | `runs_feed` | this process |
    /// |---|---|---|
    /// | `None` | `true` | ticks on its own clock ([`LiveMarket::new`]) |
    /// | `None` | `false` | never ticks: the feed runs elsewhere and nothing brings it here |
    /// | `Some` | `true` | runs the clock and publishes every tick on the bus |
    /// | `Some` | `false` | follows: its ticks are the ones that arrive on the bus |
    ///
    /// With a bus, every replica (the one publishing too) takes its ticks from the bus, so
    /// they all quote the same prices and notify their own subscribers of the same ticks.
    pub fn replica(interval: Duration, bus: Option<Arc<dyn TickBus>>, runs_feed: bool) -> Self {
        let (ticks, _) = broadcast::channel(64);
        let latest = STOCKS.iter().map(|s| (s.symbol, first_tick(s))).collect();
        Self {
            feed: Arc::new(Feed {
                interval: interval.max(Duration::from_millis(1)),
                ticks,
                latest: Mutex::new(latest),
                started: std::sync::Once::new(),
                forwarders: AtomicUsize::new(0),
                bus,
                runs_feed,
            }),
        }
    }

    /// The time between ticks.
    pub fn interval(&self) -> Duration {
        self.feed.interval
    }

    /// The latest tick of `stock` (tick 0, the quoted price, before the feed starts).
    pub fn latest(&self, stock: &Stock) -> Tick {
        self.start();
        let latest = self.feed.latest.lock().unwrap_or_else(|p| p.into_inner());
        latest
            .get(stock.symbol)
            .cloned()
            .unwrap_or_else(|| first_tick(stock))
    }

    /// A receiver of every future tick of every symbol.
    pub fn ticks(&self) -> broadcast::Receiver<Tick> {
        self.start();
        self.feed.ticks.subscribe()
    }

    /// How many subscription forwarders are running now, across all sessions (for tests and
    /// the leak benchmark: it must return to zero).
    pub fn active_forwarders(&self) -> usize {
        self.feed.forwarders.load(Ordering::SeqCst)
    }

    /// Starts the feed now, on the current tokio runtime (it otherwise starts on first use:
    /// a replica that runs the feed for others calls this at startup). Starting twice is
    /// starting once. The tasks hold only a weak reference, so they end once the last
    /// `LiveMarket` clone is dropped (a bus follower at its next message).
    pub fn start(&self) {
        self.feed.started.call_once(|| {
            let Ok(runtime) = tokio::runtime::Handle::try_current() else {
                return;
            };
            let feed = Arc::downgrade(&self.feed);
            let interval = self.feed.interval;
            match (&self.feed.bus, self.feed.runs_feed) {
                (None, true) => drop(runtime.spawn(run_feed(feed, interval))),
                (None, false) => {}
                (Some(bus), runs_feed) => {
                    if runs_feed {
                        let walk = self.snapshot();
                        runtime.spawn(publish_feed(feed.clone(), interval, bus.clone(), walk));
                    }
                    runtime.spawn(follow_bus(feed, bus.clone()));
                }
            }
        });
    }

    fn snapshot(&self) -> Vec<Tick> {
        let latest = self.feed.latest.lock().unwrap_or_else(|p| p.into_inner());
        STOCKS
            .iter()
            .filter_map(|s| latest.get(s.symbol).cloned())
            .collect()
    }
}

impl Default for LiveMarket {
    fn default() -> Self {
        Self::new(DEFAULT_TICK)
    }
}

fn first_tick(stock: &Stock) -> Tick {
    Tick {
        symbol: stock.symbol.to_string(),
        seq: 0,
        price: stock.price,
        change_percent: 0.0,
    }
}

/// Moves a price one tick: the step depends only on the symbol and the tick number.
fn step(previous: &Tick) -> Tick {
    let mut rng = SplitMix64::new(seed(&previous.symbol) ^ previous.seq.wrapping_add(1));
    let change = (rng.next_f64() * 2.0 - 1.0) * STEP;
    let price = ((previous.price * (1.0 + change)) * 100.0).round() / 100.0;
    Tick {
        symbol: previous.symbol.clone(),
        seq: previous.seq + 1,
        price,
        change_percent: ((price - previous.price) / previous.price * 1e4).round() / 100.0,
    }
}

async fn run_feed(feed: Weak<Feed>, interval: Duration) {
    let mut clock = tokio::time::interval(interval);
    // A stalled runtime skips ticks rather than bursting to catch up.
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    clock.tick().await; // the first tick of a tokio interval fires at once
    loop {
        clock.tick().await;
        let Some(feed) = feed.upgrade() else { return };
        let ticks: Vec<Tick> = {
            let mut latest = feed.latest.lock().unwrap_or_else(|p| p.into_inner());
            latest
                .values_mut()
                .map(|tick| {
                    *tick = step(tick);
                    tick.clone()
                })
                .collect()
        };
        for tick in ticks {
            // No receivers is fine: nobody is watching.
            let _ = feed.ticks.send(tick);
        }
    }
}

/// Runs the clock for every replica: steps its own copy of the prices (so a slow bus never
/// makes it step one tick twice) and publishes each tick, taking none of them locally: they
/// come back through the bus, as they do to every other replica.
async fn publish_feed(
    feed: Weak<Feed>,
    interval: Duration,
    bus: Arc<dyn TickBus>,
    mut walk: Vec<Tick>,
) {
    // Continue the market where the bus last saw it (this replica may be a restarted one).
    match bus.last_ticks().await {
        Ok(last) => continue_from(&mut walk, last),
        Err(e) => tracing::warn!("cannot read the last ticks from the bus: {e}"),
    }
    let mut clock = tokio::time::interval(interval);
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    clock.tick().await;
    let mut failing = false;
    loop {
        clock.tick().await;
        if feed.strong_count() == 0 {
            return;
        }
        for tick in &mut walk {
            *tick = step(tick);
            match bus.publish(tick).await {
                Ok(()) => failing = false,
                // Once per outage, not once per tick: the next tick repairs a lost one.
                Err(e) if !failing => {
                    failing = true;
                    tracing::warn!("cannot publish ticks on the bus (retrying every tick): {e}");
                }
                Err(_) => {}
            }
        }
    }
}

/// Replaces the ticks of `walk` by the newer ones of `last`, symbol by symbol.
fn continue_from(walk: &mut [Tick], last: Vec<Tick>) {
    for tick in last {
        if let Some(mine) = walk.iter_mut().find(|t| t.symbol == tick.symbol)
            && tick.seq > mine.seq
        {
            *mine = tick;
        }
    }
}

/// Takes this replica's ticks from the bus: each one becomes the latest price and goes to the
/// session's subscribers, exactly as a local tick would. Subscribes again (every second) when
/// the bus connection ends.
async fn follow_bus(feed: Weak<Feed>, bus: Arc<dyn TickBus>) {
    if let (Ok(last), Some(feed)) = (bus.last_ticks().await, feed.upgrade()) {
        let mut latest = feed.latest.lock().unwrap_or_else(|p| p.into_inner());
        for tick in last {
            if let Ok(stock) = market::lookup(&tick.symbol) {
                latest.insert(stock.symbol, tick);
            }
        }
    }
    loop {
        match bus.subscribe().await {
            Ok(mut ticks) => {
                while let Some(tick) = ticks.recv().await {
                    let Some(feed) = feed.upgrade() else { return };
                    let Ok(stock) = market::lookup(&tick.symbol) else {
                        continue; // a symbol this version does not list
                    };
                    feed.latest
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(stock.symbol, tick.clone());
                    let _ = feed.ticks.send(tick);
                }
                tracing::warn!("the tick bus closed; subscribing again");
            }
            Err(e) => tracing::warn!("cannot subscribe to the tick bus (retrying): {e}"),
        }
        if feed.strong_count() == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// `stock://AAPL/live` → the stock; `None` for any other URI.
pub fn stock_of_uri(uri: &str) -> Option<&'static Stock> {
    let symbol = uri.strip_prefix("stock://")?.strip_suffix("/live")?;
    market::lookup(symbol).ok()
}

/// The resource template clients subscribe through.
pub fn template() -> ResourceTemplate {
    ResourceTemplate::new(TEMPLATE, "live-quote")
        .with_title("Live quote")
        .with_description(
            "The latest tick of one ticker, as JSON. Subscribe to it (resources/subscribe) to be \
             told on every tick.",
        )
        .with_mime_type("application/json")
        .with_icons(crate::icons::live())
}

/// Reads a live resource; `None` when `uri` is not one.
pub fn read(market: &LiveMarket, uri: &str) -> Option<Result<ResourceContents, ErrorData>> {
    let rest = uri.strip_prefix("stock://")?;
    rest.strip_suffix("/live")?;
    Some(match stock_of_uri(uri) {
        None => Err(unknown_live_uri(uri)),
        Some(stock) => serde_json::to_string(&market.latest(stock))
            .map(|json| ResourceContents::text(json, uri).with_mime_type("application/json"))
            .map_err(|e| ErrorData::internal_error(e.to_string(), None)),
    })
}

fn unknown_live_uri(uri: &str) -> ErrorData {
    let known = STOCKS
        .iter()
        .map(|s| format!("stock://{}/live", s.symbol))
        .collect::<Vec<_>>()
        .join(", ");
    ErrorData::resource_not_found(
        format!("cannot subscribe to '{uri}': only live quotes change. Try one of: {known}"),
        Some(serde_json::json!({ "uri": uri })),
    )
}

/// The live state of one session: its subscriptions and the log level it asked for.
///
/// Dropping it (the session ended, so rmcp dropped its [`StockServer`]) cancels every
/// forwarding task it started.
#[derive(Debug)]
pub struct LiveSession {
    market: LiveMarket,
    session: CancellationToken,
    subscriptions: Mutex<HashMap<String, Forwarder>>,
    log_level: Mutex<LoggingLevel>,
}

impl LiveSession {
    /// A session with no subscriptions, logging at `info` and above.
    pub fn new(market: LiveMarket) -> Self {
        Self {
            market,
            session: CancellationToken::new(),
            subscriptions: Mutex::default(),
            log_level: Mutex::new(LoggingLevel::Info),
        }
    }

    /// The feed this session watches.
    pub fn market(&self) -> &LiveMarket {
        &self.market
    }

    /// `resources/subscribe`: starts forwarding updates of `uri` to `peer`. Subscribing twice
    /// is one subscription.
    pub fn subscribe(&self, uri: &str, peer: Peer<RoleServer>) -> Result<(), ErrorData> {
        let stock = stock_of_uri(uri).ok_or_else(|| unknown_live_uri(uri))?;
        let mut subscriptions = self.subscriptions.lock().unwrap_or_else(|p| p.into_inner());
        if subscriptions.contains_key(uri) {
            return Ok(());
        }
        let forwarder = Forwarder {
            stop: self.session.child_token(),
            sending: Arc::default(),
        };
        let task = forward(
            self.market.ticks(),
            stock.symbol,
            uri.to_string(),
            peer,
            (forwarder.stop.clone(), forwarder.sending.clone()),
            Counted::new(&self.market),
        );
        subscriptions.insert(uri.to_string(), forwarder);
        tokio::spawn(task);
        Ok(())
    }

    /// `resources/unsubscribe`: stops the updates of `uri`. Unsubscribing from something not
    /// subscribed is not an error (the spec asks nothing else, and retries stay harmless).
    pub async fn unsubscribe(&self, uri: &str) {
        let removed = self
            .subscriptions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(uri);
        if let Some(forwarder) = removed {
            forwarder.stop.cancel();
            // Wait for an update being queued right now; after this, none can start.
            let _ = forwarder.sending.lock().await;
        }
    }

    /// How many URIs this session is subscribed to.
    pub fn subscription_count(&self) -> usize {
        self.subscriptions.lock().map(|s| s.len()).unwrap_or(0)
    }

    /// `logging/setLevel`: the least severe level this session wants to see.
    pub fn set_log_level(&self, level: LoggingLevel) {
        *self.log_level.lock().unwrap_or_else(|p| p.into_inner()) = level;
    }

    fn wants(&self, level: LoggingLevel) -> bool {
        let threshold = *self.log_level.lock().unwrap_or_else(|p| p.into_inner());
        severity(level) >= severity(threshold)
    }
}

impl Drop for LiveSession {
    fn drop(&mut self) {
        self.session.cancel();
    }
}

/// One subscription's forwarding task, seen from the session.
#[derive(Debug)]
struct Forwarder {
    stop: CancellationToken,
    /// Held while an update is being queued, so `unsubscribe` can wait for one in flight and
    /// no update follows the unsubscribe response.
    sending: Arc<tokio::sync::Mutex<()>>,
}

/// Syslog order (RFC 5424), which MCP's levels follow: debug is the least severe.
fn severity(level: LoggingLevel) -> u8 {
    match level {
        LoggingLevel::Debug => 0,
        LoggingLevel::Info => 1,
        LoggingLevel::Notice => 2,
        LoggingLevel::Warning => 3,
        LoggingLevel::Error => 4,
        LoggingLevel::Critical => 5,
        LoggingLevel::Alert => 6,
        LoggingLevel::Emergency => 7,
    }
}

/// Counts a running forwarder for [`LiveMarket::active_forwarders`] while it lives.
struct Counted(Arc<Feed>);

impl Counted {
    fn new(market: &LiveMarket) -> Self {
        market.feed.forwarders.fetch_add(1, Ordering::SeqCst);
        Self(market.feed.clone())
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.forwarders.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Sends `notifications/resources/updated` for `uri` on every tick of `symbol` until stopped
/// or until the client is gone.
async fn forward(
    mut ticks: broadcast::Receiver<Tick>,
    symbol: &'static str,
    uri: String,
    peer: Peer<RoleServer>,
    (stop, sending): (CancellationToken, Arc<tokio::sync::Mutex<()>>),
    _counted: Counted,
) {
    loop {
        let tick = tokio::select! {
            () = stop.cancelled() => return,
            tick = ticks.recv() => tick,
        };
        match tick {
            Ok(tick) if tick.symbol == symbol => {
                let _sending = sending.lock().await;
                if stop.is_cancelled() {
                    return;
                }
                let update = ResourceUpdatedNotificationParam::new(uri.clone());
                if peer.notify_resource_updated(update).await.is_err() {
                    return; // the transport closed: the session is over
                }
            }
            Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

/// What a 2026-07-28 `subscriptions/listen` may ask of us: updates of live URIs only.
pub fn accepted_filter(requested: &SubscriptionFilter) -> SubscriptionFilter {
    let live = requested
        .resource_subscriptions
        .iter()
        .flatten()
        .filter(|uri| stock_of_uri(uri).is_some())
        .cloned()
        .collect::<Vec<_>>();
    let mut accepted = SubscriptionFilter::new();
    if !live.is_empty() {
        accepted.resource_subscriptions = Some(live);
    }
    accepted
}

/// Serves one 2026-07-28 `subscriptions/listen` until the client cancels it.
pub async fn listen(market: &LiveMarket, context: SubscriptionContext) -> Result<(), ErrorData> {
    let uris = context
        .accepted()
        .resource_subscriptions
        .clone()
        .unwrap_or_default();
    let mut ticks = market.ticks();
    loop {
        let tick = tokio::select! {
            () = context.cancelled() => return Ok(()),
            tick = ticks.recv() => tick,
        };
        match tick {
            Ok(tick) => {
                let uri = format!("stock://{}/live", tick.symbol);
                if uris.contains(&uri) && context.sink().notify_resource_updated(uri).await.is_err()
                {
                    return Ok(());
                }
            }
            Err(broadcast::error::RecvError::Lagged(_)) => {}
            Err(broadcast::error::RecvError::Closed) => return Ok(()),
        }
    }
}

/// Arguments of `watch_price`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct WatchArgs {
    /// Ticker symbol, case-insensitive: AAPL, MSFT, GOOGL, AMZN, TSLA, META or NVDA.
    pub symbol: String,
    /// How many ticks to watch, 1 to 600 (default 5).
    #[serde(default = "default_ticks")]
    #[schemars(default = "default_ticks")]
    pub ticks: u32,
}

fn default_ticks() -> u32 {
    5
}

/// The result of `watch_price`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Watch {
    /// Ticker symbol, upper case.
    pub symbol: String,
    /// The price before the first tick watched.
    pub start_price: f64,
    /// The price after the last tick watched.
    pub end_price: f64,
    /// Every tick watched, oldest first.
    pub ticks: Vec<Tick>,
}

#[tool_router(router = live_tools, vis = "pub(crate)")]
impl StockServer {
    /// Watch a stock's live price for a number of ticks (one per second by default), reporting
    /// each tick as progress and as a log message; returns every tick seen. Cancel to stop.
    #[tool(
        title = "Watch a live price",
        annotations(read_only_hint = true, idempotent_hint = false, open_world_hint = false),
        icons = crate::icons::live()
    )]
    async fn watch_price(
        &self,
        Parameters(args): Parameters<WatchArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<Json<Watch>, CallToolResponse> {
        let Some(live) = self.live() else {
            return Err(tool_error(
                "the live market is off: start the server with --live",
            ));
        };
        let stock = market::lookup(&args.symbol).map_err(|e| tool_error(e.to_string()))?;
        if !(1..=MAX_WATCH_TICKS).contains(&args.ticks) {
            return Err(tool_error(format!(
                "ticks must be between 1 and {MAX_WATCH_TICKS}, not {}",
                args.ticks
            )));
        }
        // Subscribe before reading the start price, so no tick falls between the two.
        let mut feed = live.market().ticks();
        let start_price = live.market().latest(stock).price;
        let token = context.meta.get_progress_token();
        let total = f64::from(args.ticks);
        let mut seen = Vec::new();
        while seen.len() < args.ticks as usize {
            let tick = tokio::select! {
                // Cancelled (notifications/cancelled, or the HTTP client went away): stop now.
                // rmcp sends no response to a cancelled request, so what we return is dropped.
                () = context.ct.cancelled() => {
                    return Err(tool_error("cancelled"));
                }
                tick = feed.recv() => tick,
            };
            let tick = match tick {
                Ok(tick) if tick.symbol == stock.symbol => tick,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => {
                    return Err(tool_error("the live feed stopped"));
                }
            };
            seen.push(tick.clone());
            let line = format!(
                "{} ${:.2} ({:+.2}%) tick {}",
                tick.symbol, tick.price, tick.change_percent, tick.seq
            );
            if let Some(token) = &token {
                let progress = ProgressNotificationParam::new(token.clone(), seen.len() as f64)
                    .with_total(total)
                    .with_message(line.clone());
                let _ = context.peer.notify_progress(progress).await;
            }
            if live.wants(LoggingLevel::Info) {
                let log = LoggingMessageNotificationParam::new(
                    LoggingLevel::Info,
                    serde_json::Value::String(line),
                )
                .with_logger("live");
                let _ = context.peer.notify_logging_message(log).await;
            }
        }
        Ok(Json(Watch {
            symbol: stock.symbol.to_string(),
            start_price,
            end_price: seen.last().map(|t| t.price).unwrap_or(start_price),
            ticks: seen,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walk_is_deterministic_and_small() {
        let start = first_tick(market::lookup("AAPL").unwrap());
        let mut a = start.clone();
        let mut b = start.clone();
        for _ in 0..100 {
            let next = step(&a);
            assert!((next.price / a.price - 1.0).abs() <= STEP + 0.0001);
            a = next;
            b = step(&b);
        }
        assert_eq!(a, b);
        assert_eq!(a.seq, 100);
    }

    #[test]
    fn only_live_uris_of_known_symbols_are_accepted() {
        assert!(stock_of_uri("stock://aapl/live").is_some());
        assert!(stock_of_uri("stock://XYZ/live").is_none());
        assert!(stock_of_uri("stock://AAPL").is_none());
        let requested = SubscriptionFilter::builder()
            .resource_subscriptions(["stock://AAPL/live", "stock://tickers"])
            .build();
        let accepted = accepted_filter(&requested);
        assert_eq!(
            accepted.resource_subscriptions,
            Some(vec!["stock://AAPL/live".to_string()])
        );
    }
}
