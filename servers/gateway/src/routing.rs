//! Routing a call to one replica: first the content-based rules narrow the pool, then the
//! target's [`Strategy`] picks among the healthy replicas left.
//!
//! A content-based rule looks *inside* the call: "when `get_stock_price` is asked about `AAPL`
//! or `MSFT`, only replica 0 may answer". That is how a real gateway sends premium customers to a
//! dedicated pool, or keeps one tenant's data on one machine: the lesson's classifier routing,
//! done on real MCP `tools/call` arguments. A call no rule matches may use every replica.

use rmcp::model::JsonObject;
use std::sync::Arc;

use crate::config::Rule;
use crate::replica::Replica;
use crate::strategy::Strategy;

/// A target's routing: its rules and its strategy.
pub struct Router {
    strategy: Box<dyn Strategy>,
    rules: Vec<Rule>,
}

/// Why no replica could take a call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoReplica {
    /// Every replica the call may use is out (unhealthy, or already tried).
    #[error("no healthy replica{}", pool_note(.0))]
    AllDown(Option<Vec<usize>>),
}

fn pool_note(pool: &Option<Vec<usize>>) -> String {
    match pool {
        Some(p) => format!(" in the pool a routing rule chose (replicas {p:?})"),
        None => String::new(),
    }
}

impl Router {
    /// A router with `strategy` and `rules`.
    pub fn new(strategy: Box<dyn Strategy>, rules: Vec<Rule>) -> Self {
        Self { strategy, rules }
    }

    /// The strategy's name.
    pub fn strategy_name(&self) -> &'static str {
        self.strategy.name()
    }

    /// The pool a call may use: the replicas of the first rule that matches, or `None` (all).
    pub fn pool(&self, tool: Option<&str>, arguments: Option<&JsonObject>) -> Option<Vec<usize>> {
        let (tool, arguments) = (tool?, arguments?);
        self.rules
            .iter()
            .find(|rule| {
                rule.tool == tool
                    && arguments.get(&rule.argument).is_some_and(|value| {
                        // Compare strings as written and other JSON values by their text.
                        let text = value
                            .as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| value.to_string());
                        rule.values.contains(&text)
                    })
            })
            .map(|rule| rule.replicas.clone())
    }

    /// Picks a healthy replica of `replicas` within `pool`, skipping those in `exclude`.
    pub fn choose(
        &self,
        replicas: &[Arc<Replica>],
        pool: Option<&[usize]>,
        exclude: &[usize],
    ) -> Result<Arc<Replica>, NoReplica> {
        let healthy: Vec<&Arc<Replica>> = replicas
            .iter()
            .filter(|r| r.is_healthy())
            .filter(|r| pool.is_none_or(|p| p.contains(&r.index)))
            .filter(|r| !exclude.contains(&r.index))
            .collect();
        if healthy.is_empty() {
            return Err(NoReplica::AllDown(pool.map(<[usize]>::to_vec)));
        }
        let candidates: Vec<_> = healthy.iter().map(|r| r.candidate()).collect();
        // A strategy is pluggable code (exercise 16 writes one): if it panics or answers out of
        // range, the call still goes somewhere (the first candidate) instead of hanging.
        let picked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.strategy.pick(&candidates)
        }))
        .unwrap_or_else(|_| {
            tracing::error!(
                strategy = self.strategy.name(),
                "the strategy panicked; using the first replica"
            );
            0
        });
        Ok(healthy.get(picked).copied().unwrap_or(healthy[0]).clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Endpoint;
    use crate::strategy::RoundRobin;

    fn replicas(n: usize) -> Vec<Arc<Replica>> {
        (0..n)
            .map(|i| {
                let r = Replica::new(i, Endpoint::Stdio(vec![format!("r{i}")]));
                r.mark_up();
                Arc::new(r)
            })
            .collect()
    }

    fn router() -> Router {
        Router::new(
            Box::new(RoundRobin::default()),
            vec![Rule {
                tool: "get_stock_price".into(),
                argument: "symbol".into(),
                values: vec!["AAPL".into()],
                replicas: vec![1],
            }],
        )
    }

    #[test]
    fn a_matching_rule_narrows_the_pool() {
        let args: JsonObject = serde_json::from_str(r#"{"symbol":"AAPL"}"#).unwrap();
        let other: JsonObject = serde_json::from_str(r#"{"symbol":"TSLA"}"#).unwrap();
        let r = router();
        assert_eq!(r.pool(Some("get_stock_price"), Some(&args)), Some(vec![1]));
        assert_eq!(r.pool(Some("get_stock_price"), Some(&other)), None);
        assert_eq!(r.pool(Some("list_stocks"), Some(&args)), None);
        let rs = replicas(3);
        for _ in 0..5 {
            assert_eq!(r.choose(&rs, Some(&[1]), &[]).unwrap().index, 1);
        }
    }

    #[test]
    fn unhealthy_and_excluded_replicas_are_skipped() {
        let r = router();
        let rs = replicas(3);
        rs[0].mark_down("test");
        let picks: Vec<usize> = (0..4)
            .map(|_| r.choose(&rs, None, &[2]).unwrap().index)
            .collect();
        assert_eq!(picks, [1, 1, 1, 1]);
        rs[1].mark_down("test");
        assert!(r.choose(&rs, None, &[2]).is_err());
        let Err(e) = r.choose(&rs, Some(&[1]), &[]) else {
            panic!("replica 1 is down")
        };
        assert!(e.to_string().contains("rule"), "{e}");
    }
}
