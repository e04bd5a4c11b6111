//! Pagination cursors.
//!
//! MCP's rule for cursors: the server makes them, the client passes them back unchanged and
//! never interprets them. Ours carry the offset of the next page and a fingerprint of the
//! query and filters they belong to, so a cursor reused with a different query is refused
//! with an explanation rather than silently returning an unrelated page.
//!
//! Pages are stable because the index never changes while the server runs and equal scores
//! are broken by document order, which is fixed (one segment, built in corpus order).

use std::fmt::Write;

/// A decoded cursor: where the next page starts, and for which query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// How many results the earlier pages held.
    pub offset: usize,
    /// [`fingerprint`] of the query and filters.
    pub fingerprint: u64,
}

/// Why a cursor was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CursorError {
    /// Not a cursor this server made.
    #[error(
        "the cursor '{0}' is not one this server returned; pass back next_cursor exactly, or leave cursor out for the first page."
    )]
    Malformed(String),
    /// A cursor from another query.
    #[error(
        "this cursor belongs to a different query or filters; repeat the original query with it, or leave cursor out to start over."
    )]
    OtherQuery,
}

impl Cursor {
    /// The opaque string handed to clients: `p<offset>-<fingerprint in hex>`.
    pub fn encode(self) -> String {
        let mut s = String::new();
        let _ = write!(s, "p{}-{:016x}", self.offset, self.fingerprint);
        s
    }

    /// Reads a cursor and checks it belongs to `fingerprint`.
    pub fn decode(text: &str, fingerprint: u64) -> Result<Self, CursorError> {
        let malformed = || CursorError::Malformed(text.chars().take(40).collect());
        let (offset, fp) = text
            .strip_prefix('p')
            .and_then(|rest| rest.split_once('-'))
            .ok_or_else(malformed)?;
        let offset: usize = offset.parse().map_err(|_| malformed())?;
        let fp = u64::from_str_radix(fp, 16).map_err(|_| malformed())?;
        if fp != fingerprint {
            return Err(CursorError::OtherQuery);
        }
        Ok(Cursor {
            offset,
            fingerprint,
        })
    }
}

/// A stable fingerprint of everything that decides a result list (FNV-1a over the parts).
pub fn fingerprint(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0xff]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let fp = fingerprint(&["web", "tesla"]);
        let c = Cursor {
            offset: 10,
            fingerprint: fp,
        };
        assert_eq!(Cursor::decode(&c.encode(), fp), Ok(c));
        assert_eq!(
            Cursor::decode(&c.encode(), fp + 1),
            Err(CursorError::OtherQuery)
        );
        assert!(matches!(
            Cursor::decode("garbage", fp),
            Err(CursorError::Malformed(_))
        ));
        assert!(matches!(
            Cursor::decode("p-1-00", fp),
            Err(CursorError::Malformed(_))
        ));
    }
}
