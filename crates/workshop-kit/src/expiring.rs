//! A bounded map whose entries expire: the one store behind sign-in requests, authorization and
//! device codes, CSRF form tokens, refresh tokens, rate-limit buckets and the verified-token memo.
//!
//! Every one of those stores answers the same three questions, and answering them once keeps
//! them from drifting apart:
//!
//! 1. **When is an entry forgotten?** Each entry has a *deadline*: the map's TTL from the moment
//!    it was inserted ([`ExpiringMap::insert`]), or a TTL of its own
//!    ([`ExpiringMap::insert_for`]). Past its deadline an entry is invisible to every read, even
//!    before it is purged. A store that must tell "expired" from "unknown" (an authorization code
//!    redeemed too late gets a different error from a made-up one) keeps its own notion of expiry
//!    in the value and gives the map a longer deadline, the time it wants to *remember* the
//!    entry.
//! 2. **How big may it grow?** At most `capacity` entries. Anyone on the network can start a
//!    sign-in or render a form, so an unbounded map is a memory leak an attacker can drive.
//! 3. **What happens when it is full?** One rule, for every store: **expired entries are purged,
//!    and if the map is still full, the new entry is refused** ([`Refused::Full`]). The caller
//!    turns that into a visible "try again in a few minutes".
//!
//! Why refuse rather than evict the oldest? Under a flood, the oldest entries are the legitimate
//! ones: a learner half-way through a device-code sign-in, a consent page still open in a
//! browser. Evicting them would let a flood of fresh requests cancel real sign-ins *silently*,
//! the user only finding out when their approved code no longer works. Refusing keeps every
//! promise already made, and the only one who sees the error is the newcomer, at the moment they
//! ask, with a message. The same rule bounds the tables an attacker could grow (rate-limit
//! buckets, the token memo) without any eviction scan.
//!
//! A live key is never overwritten either ([`Refused::Occupied`]): the keys of these stores are
//! random secrets, so a collision is either astronomically unlikely or an attempt to hijack
//! someone else's entry. Stores that *do* update in place (a rate-limit bucket) say so with
//! [`ExpiringMap::upsert`].
//!
//! Time is an argument. Every method takes `now: Instant`: production code passes
//! `Instant::now()`, and a test passes `start + Duration::from_secs(901)` to see a 15-minute TTL
//! run out, without sleeping and without a fake clock behind the map's back.
//!
//! The map is a `Mutex<HashMap>`: every operation is short and never awaits, so a plain
//! `std::sync::Mutex` is the right lock even in async code (the tokio docs say the same). A
//! panic while holding the lock cannot leave an entry half-written, so a poisoned lock is simply
//! taken over.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The longest TTL the map honours; longer ones are cut to it, so a deadline can always be
/// computed (`Instant + Duration` would otherwise panic on overflow).
const MAX_TTL: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// Why an insert was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The map holds `capacity` live entries; it refuses new ones until some expire.
    Full,
    /// A live entry already has this key; it is never overwritten.
    Occupied,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Refused::Full => "the store is full; try again when older entries have expired",
            Refused::Occupied => "an entry with this key already exists",
        })
    }
}

impl std::error::Error for Refused {}

/// A value and the moment it is forgotten.
struct Slot<V> {
    value: V,
    deadline: Instant,
}

impl<V> Slot<V> {
    fn live(&self, now: Instant) -> bool {
        now < self.deadline
    }
}

/// A thread-safe map with a size cap whose entries expire (see the [module docs](self)).
pub struct ExpiringMap<K, V> {
    capacity: usize,
    ttl: Duration,
    entries: Mutex<HashMap<K, Slot<V>>>,
}

impl<K: Eq + Hash, V> ExpiringMap<K, V> {
    /// A map of at most `capacity` live entries, each forgotten `ttl` after it was inserted
    /// (unless inserted with [`insert_for`](Self::insert_for)). A capacity of 0 refuses
    /// everything, which turns a cache off.
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        Self {
            capacity,
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Adds `key` with the map's TTL.
    pub fn insert(&self, key: K, value: V, now: Instant) -> Result<(), Refused> {
        self.insert_for(key, value, self.ttl, now)
    }

    /// Adds `key`, forgotten `ttl` from `now`. Refused when a live entry has the key, or when
    /// the map is still full after purging expired entries.
    pub fn insert_for(&self, key: K, value: V, ttl: Duration, now: Instant) -> Result<(), Refused> {
        let mut entries = self.lock();
        if entries.get(&key).is_some_and(|slot| slot.live(now)) {
            return Err(Refused::Occupied);
        }
        make_room(&mut entries, self.capacity, now)?;
        entries.insert(key, slot(value, ttl, now));
        Ok(())
    }

    /// Runs `f` on the live entry for `key`, first inserting `make()` if there is none, and
    /// restarts the entry's TTL: it is forgotten `ttl` after its *last* use. Refused only when
    /// a new entry is needed and the map is full.
    pub fn upsert<R>(
        &self,
        key: K,
        now: Instant,
        make: impl FnOnce() -> V,
        f: impl FnOnce(&mut V) -> R,
    ) -> Result<R, Refused> {
        let mut entries = self.lock();
        let deadline = deadline(self.ttl, now);
        if let Some(slot) = entries.get_mut(&key).filter(|slot| slot.live(now)) {
            slot.deadline = deadline;
            return Ok(f(&mut slot.value));
        }
        make_room(&mut entries, self.capacity, now)?;
        let slot = entries.entry(key).insert_entry(slot(make(), self.ttl, now));
        Ok(f(&mut slot.into_mut().value))
    }

    /// A copy of the live value for `key`. Like `HashMap::get`, it accepts any borrowed form
    /// of the key (`&str` for a `String` key).
    pub fn get<Q>(&self, key: &Q, now: Instant) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
        V: Clone,
    {
        let entries = self.lock();
        let slot = entries.get(key).filter(|slot| slot.live(now))?;
        Some(slot.value.clone())
    }

    /// Runs `f` on the live value for `key`, in place; `None` when there is none.
    pub fn update<Q, R>(&self, key: &Q, now: Instant, f: impl FnOnce(&mut V) -> R) -> Option<R>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let mut entries = self.lock();
        let slot = entries.get_mut(key).filter(|slot| slot.live(now))?;
        Some(f(&mut slot.value))
    }

    /// Removes `key` and returns its value if it was live: the way to use something once.
    pub fn take<Q>(&self, key: &Q, now: Instant) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let slot = self.lock().remove(key)?;
        slot.live(now).then_some(slot.value)
    }

    /// Calls `f` on each live entry until it returns `Some`, for a lookup by something other
    /// than the key. A linear scan: fine for the few thousand entries these stores hold.
    pub fn find_map<R>(
        &self,
        now: Instant,
        mut f: impl FnMut(&K, &mut V) -> Option<R>,
    ) -> Option<R> {
        let mut entries = self.lock();
        entries
            .iter_mut()
            .filter(|(_, slot)| slot.live(now))
            .find_map(|(key, slot)| f(key, &mut slot.value))
    }

    /// Copies of every live value, in no particular order (for a dashboard feed).
    pub fn values(&self, now: Instant) -> Vec<V>
    where
        V: Clone,
    {
        let entries = self.lock();
        entries
            .values()
            .filter(|slot| slot.live(now))
            .map(|slot| slot.value.clone())
            .collect()
    }

    /// Keeps only the live entries for which `keep` returns `true`.
    pub fn retain(&self, now: Instant, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.lock()
            .retain(|key, slot| slot.live(now) && keep(key, &mut slot.value));
    }

    /// Forgets every expired entry now rather than when the map next fills up.
    pub fn purge(&self, now: Instant) {
        self.retain(now, |_, _| true);
    }

    /// How many live entries the map holds.
    pub fn len(&self, now: Instant) -> usize {
        self.lock().values().filter(|slot| slot.live(now)).count()
    }

    /// Whether the map holds no live entry.
    pub fn is_empty(&self, now: Instant) -> bool {
        self.len(now) == 0
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<K, Slot<V>>> {
        // Every critical section leaves the map consistent, so a panic elsewhere while the lock
        // was held (poisoning) leaves nothing to repair.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The overflow rule: purge what has expired, then refuse if the map is still full.
fn make_room<K, V>(
    entries: &mut HashMap<K, Slot<V>>,
    capacity: usize,
    now: Instant,
) -> Result<(), Refused> {
    if entries.len() >= capacity {
        entries.retain(|_, slot| slot.live(now));
    }
    if entries.len() >= capacity {
        return Err(Refused::Full);
    }
    Ok(())
}

fn deadline(ttl: Duration, now: Instant) -> Instant {
    // A century past `now` fits in every platform's `Instant`; the fallback is never taken.
    now.checked_add(ttl.min(MAX_TTL)).unwrap_or(now)
}

fn slot<V>(value: V, ttl: Duration, now: Instant) -> Slot<V> {
    Slot {
        value,
        deadline: deadline(ttl, now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    const MINUTE: Duration = Duration::from_secs(60);

    fn map(capacity: usize) -> ExpiringMap<&'static str, u32> {
        ExpiringMap::new(capacity, MINUTE)
    }

    #[test]
    fn an_entry_lives_exactly_its_ttl() {
        let t0 = Instant::now();
        let m = map(10);
        m.insert("a", 1, t0).unwrap();
        assert_eq!(m.get(&"a", t0 + MINUTE - Duration::from_nanos(1)), Some(1));
        assert_eq!(m.get(&"a", t0 + MINUTE), None, "gone at the deadline");
        assert_eq!(m.update(&"a", t0 + MINUTE, |v| *v), None);
        assert_eq!(m.take(&"a", t0 + MINUTE), None);
    }

    #[test]
    fn a_per_entry_ttl_overrides_the_maps() {
        let t0 = Instant::now();
        let m = map(10);
        m.insert_for("short", 1, Duration::from_secs(5), t0)
            .unwrap();
        m.insert_for("long", 2, 10 * MINUTE, t0).unwrap();
        m.insert_for("zero", 3, Duration::ZERO, t0).unwrap();
        let later = t0 + 2 * MINUTE;
        assert_eq!(m.get(&"short", later), None);
        assert_eq!(m.get(&"long", later), Some(2));
        assert_eq!(m.get(&"zero", t0), None, "a zero TTL is expired at once");
        assert_eq!(m.len(later), 1);
    }

    #[test]
    fn a_huge_ttl_does_not_overflow() {
        let t0 = Instant::now();
        let m = map(10);
        m.insert_for("forever", 1, Duration::MAX, t0).unwrap();
        assert_eq!(m.get(&"forever", t0 + 1000 * MINUTE), Some(1));
    }

    #[test]
    fn take_uses_an_entry_once() {
        let t0 = Instant::now();
        let m = map(10);
        m.insert("code", 7, t0).unwrap();
        assert_eq!(m.take(&"code", t0), Some(7));
        assert_eq!(m.take(&"code", t0), None);
        assert!(m.is_empty(t0));
    }

    #[test]
    fn a_full_map_refuses_newcomers_and_keeps_what_it_holds() {
        let t0 = Instant::now();
        let m = map(2);
        m.insert("first", 1, t0).unwrap();
        m.insert("second", 2, t0 + Duration::from_secs(30)).unwrap();
        assert_eq!(
            m.insert("third", 3, t0 + Duration::from_secs(40)),
            Err(Refused::Full)
        );
        assert_eq!(
            m.get(&"first", t0 + Duration::from_secs(40)),
            Some(1),
            "the oldest entry is not evicted"
        );
        // Once the first has expired, its room is reused.
        m.insert("third", 3, t0 + MINUTE).unwrap();
        assert_eq!(m.get(&"first", t0 + MINUTE), None);
        assert_eq!(m.len(t0 + MINUTE), 2);
    }

    #[test]
    fn a_live_key_is_never_overwritten_but_an_expired_one_is_reused() {
        let t0 = Instant::now();
        let m = map(10);
        m.insert("k", 1, t0).unwrap();
        assert_eq!(m.insert("k", 2, t0), Err(Refused::Occupied));
        assert_eq!(m.get(&"k", t0), Some(1));
        m.insert("k", 3, t0 + MINUTE).unwrap();
        assert_eq!(m.get(&"k", t0 + MINUTE), Some(3));
    }

    #[test]
    fn capacity_zero_refuses_everything() {
        let m = map(0);
        assert_eq!(m.insert("a", 1, Instant::now()), Err(Refused::Full));
        assert_eq!(
            m.upsert("a", Instant::now(), || 1, |v| *v),
            Err(Refused::Full)
        );
    }

    #[test]
    fn upsert_updates_in_place_and_slides_the_deadline() {
        let t0 = Instant::now();
        let m = map(1);
        assert_eq!(
            m.upsert(
                "bucket",
                t0,
                || 10,
                |v| {
                    *v -= 1;
                    *v
                }
            ),
            Ok(9)
        );
        let t1 = t0 + Duration::from_secs(50);
        assert_eq!(
            m.upsert(
                "bucket",
                t1,
                || 10,
                |v| {
                    *v -= 1;
                    *v
                }
            ),
            Ok(8)
        );
        // Still there 50 s after the *last* use, although 100 s after the first.
        assert_eq!(m.get(&"bucket", t1 + Duration::from_secs(50)), Some(8));
        assert_eq!(m.upsert("other", t1, || 10, |v| *v), Err(Refused::Full));
        // Idle for a whole TTL: a fresh value.
        assert_eq!(m.upsert("bucket", t1 + MINUTE, || 10, |v| *v), Ok(10));
    }

    #[test]
    fn scans_see_only_live_entries() {
        let t0 = Instant::now();
        let m = map(10);
        m.insert_for("old", 1, Duration::from_secs(1), t0).unwrap();
        m.insert("new", 2, t0).unwrap();
        let later = t0 + Duration::from_secs(2);
        assert_eq!(m.values(later), vec![2]);
        assert_eq!(m.find_map(later, |_, v| (*v == 1).then_some("found")), None);
        assert_eq!(
            m.find_map(later, |k, v| {
                *v += 10;
                Some(*k)
            }),
            Some("new")
        );
        assert_eq!(
            m.get(&"new", later),
            Some(12),
            "find_map may change the value"
        );
    }

    #[test]
    fn retain_and_purge_forget_entries() {
        let t0 = Instant::now();
        let m = map(10);
        m.insert_for("short", 1, Duration::from_secs(1), t0)
            .unwrap();
        m.insert("even", 2, t0).unwrap();
        m.insert("odd", 3, t0).unwrap();
        m.retain(t0, |_, v| *v != 3);
        assert_eq!(m.get(&"odd", t0), None);
        m.purge(t0 + Duration::from_secs(1));
        assert_eq!(
            m.lock().len(),
            1,
            "the expired entry is gone from memory too"
        );
    }

    #[test]
    fn concurrent_inserts_never_exceed_the_capacity() {
        let m = Arc::new(ExpiringMap::<u32, u32>::new(100, MINUTE));
        let now = Instant::now();
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let m = Arc::clone(&m);
                std::thread::spawn(move || {
                    (0..50)
                        .filter(|i| m.insert(t * 1000 + i, *i, now).is_ok())
                        .count()
                })
            })
            .collect();
        let accepted: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
        assert_eq!(accepted, 100, "exactly the capacity is accepted");
        assert_eq!(m.len(now), 100);
    }

    #[test]
    fn concurrent_upserts_lose_no_update() {
        let m = Arc::new(ExpiringMap::<&str, u32>::new(10, MINUTE));
        let now = Instant::now();
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let m = Arc::clone(&m);
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        m.upsert("counter", now, || 0, |v| *v += 1).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(m.get(&"counter", now), Some(8000));
    }
}
