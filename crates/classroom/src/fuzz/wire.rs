//! Sending one hostile request over a raw TCP connection, and reading how the server answered.
//!
//! An HTTP client library would refuse to send most of what a fuzz campaign needs (two `Host`
//! headers, a `Content-Length` that lies, a method with a NUL in it, a body cut off mid-way),
//! so each request is written as bytes. Only the answer's status line and headers are read:
//! a Streamable HTTP `200` may be an SSE stream that stays open, and its first line is all the
//! verdict needs.
//!
//! Every step has a deadline: connecting, writing (a slow client's pauses included) and
//! reading the head. A server that does not answer within it has *hung* for this campaign.

use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How the request's bytes reach the server.
#[derive(Debug, Clone)]
pub enum Delivery {
    /// All at once.
    Whole,
    /// Only the first `keep` bytes of the body are sent, then the write half is closed: an
    /// upload that broke off (the head may declare more).
    Truncated {
        /// Body bytes actually sent.
        keep: usize,
    },
    /// In pieces of `chunk` bytes with `pause` between them: a slow client, bounded by the
    /// case generator so the whole request takes at most about a second and a half.
    Slow {
        /// Bytes per write.
        chunk: usize,
        /// Pause between writes.
        pause: Duration,
    },
}

/// One request as bytes: everything up to the blank line, then the body.
#[derive(Debug, Clone)]
pub struct Request {
    /// Request line and header lines, each without its CRLF.
    pub head: Vec<Vec<u8>>,
    /// The body, sent as it is.
    pub body: Vec<u8>,
    /// How it is sent.
    pub delivery: Delivery,
}

impl Request {
    /// The bytes on the wire (before any truncation).
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.body.len() + 512);
        for line in &self.head {
            out.extend_from_slice(line);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
        out
    }

    /// The request line and headers as text, long values shortened and each of `secrets`
    /// (the campaign's real tokens) shown as `<secret>`, for a failure report.
    pub fn describe(&self, secrets: &[String]) -> String {
        let hide = |text: String| {
            secrets.iter().fold(text, |text, secret| {
                text.replace(secret.as_str(), "<secret>")
            })
        };
        let mut text = String::new();
        for line in &self.head {
            let line = hide(String::from_utf8_lossy(line).into_owned());
            let shown: String = line.chars().take(160).collect();
            text.push_str(&format!("    {}", shown.escape_debug()));
            if line.chars().count() > 160 {
                text.push_str(&format!("…(+{} chars)", line.chars().count() - 160));
            }
            text.push('\n');
        }
        let body = hide(String::from_utf8_lossy(&self.body).into_owned());
        let shown: String = body.chars().take(300).collect();
        text.push_str(&format!(
            "    body ({} bytes, {:?}): {}",
            self.body.len(),
            self.delivery,
            shown.escape_debug()
        ));
        text
    }
}

/// What came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// A status line, with whether a `Retry-After` header came with it.
    Status { code: u16, retry_after: bool },
    /// The server closed the connection without a word (acceptable only for requests that are
    /// not HTTP at all, or whose upload broke off).
    Closed,
    /// Nothing within the deadline.
    Hung,
    /// The connection could not be made, or was reset: the server is gone or refusing.
    Unreachable(String),
}

/// The most bytes of an answer's head read before giving up on finding its end.
const MAX_HEAD: usize = 64 * 1024;

/// Sends `request` to `127.0.0.1:port` and reads the head of the answer within `timeout`
/// (counted after the last byte was written). Returns the answer and how long it took.
pub async fn send(port: u16, request: &Request, timeout: Duration) -> (Answer, Duration) {
    let started = Instant::now();
    let answer = match tokio::time::timeout(
        timeout + Duration::from_secs(2),
        TcpStream::connect(("127.0.0.1", port)),
    )
    .await
    {
        Err(_) => Answer::Hung,
        Ok(Err(e)) => Answer::Unreachable(e.to_string()),
        Ok(Ok(tcp)) => exchange(tcp, request, timeout).await,
    };
    (answer, started.elapsed())
}

async fn exchange(mut tcp: TcpStream, request: &Request, timeout: Duration) -> Answer {
    let _ = tcp.set_nodelay(true);
    // A server that answered early (a 413 after the head) may stop reading: then a write
    // blocks once the socket buffers are full. Writing gets its own deadline (a slow client's
    // pauses take at most ~1.5 s), and the answer is read whatever happened to the writes.
    let _ = tokio::time::timeout(timeout + Duration::from_secs(2), write(&mut tcp, request)).await;
    match tokio::time::timeout(timeout, read_head(&mut tcp)).await {
        Err(_) => Answer::Hung,
        Ok(answer) => answer,
    }
}

/// Writes the request as its [`Delivery`] says.
async fn write(tcp: &mut TcpStream, request: &Request) -> std::io::Result<()> {
    let bytes = request.bytes();
    match &request.delivery {
        Delivery::Whole => tcp.write_all(&bytes).await,
        Delivery::Truncated { keep } => {
            let cut = bytes.len() - request.body.len() + (*keep).min(request.body.len());
            match tcp.write_all(&bytes[..cut]).await {
                Ok(()) => tcp.shutdown().await,
                Err(e) => Err(e),
            }
        }
        Delivery::Slow { chunk, pause } => {
            let mut result = Ok(());
            for piece in bytes.chunks((*chunk).max(1)) {
                result = tcp.write_all(piece).await;
                if result.is_err() {
                    break;
                }
                tokio::time::sleep(*pause).await;
            }
            result
        }
    }
}

async fn read_head(tcp: &mut TcpStream) -> Answer {
    let mut head = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tcp.read(&mut buffer).await {
            Ok(0) => break,
            Ok(n) => {
                head.extend_from_slice(&buffer[..n]);
                if head.windows(4).any(|w| w == b"\r\n\r\n") || head.len() > MAX_HEAD {
                    break;
                }
            }
            // A reset after (or instead of) an answer: judge by what arrived.
            Err(e) if head.is_empty() && e.kind() != std::io::ErrorKind::ConnectionReset => {
                return Answer::Unreachable(e.to_string());
            }
            Err(_) => break,
        }
    }
    parse_head(&head)
}

/// Reads the status code and `Retry-After` from the head of an answer.
fn parse_head(head: &[u8]) -> Answer {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split("\r\n");
    let code = lines
        .next()
        .filter(|l| l.starts_with("HTTP/1."))
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok());
    match code {
        None => Answer::Closed,
        Some(code) => Answer::Status {
            code,
            retry_after: lines
                .take_while(|l| !l.is_empty())
                .any(|l| l.to_ascii_lowercase().starts_with("retry-after:")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_described_request_shows_no_secret() {
        let request = Request {
            head: vec![
                b"POST /mcp?access_token=tok.en.sig HTTP/1.1".to_vec(),
                b"Authorization: Bearer tok.en.sig".to_vec(),
            ],
            body: b"refresh_token=tok.en.sig".to_vec(),
            delivery: Delivery::Whole,
        };
        let text = request.describe(&["tok.en.sig".to_string()]);
        assert!(!text.contains("tok.en.sig"), "{text}");
        assert_eq!(text.matches("<secret>").count(), 3);
    }

    #[test]
    fn heads_are_read_for_status_and_retry_after() {
        assert_eq!(
            parse_head(b"HTTP/1.1 503 Service Unavailable\r\nretry-after: 5\r\n\r\n"),
            Answer::Status {
                code: 503,
                retry_after: true
            }
        );
        assert_eq!(
            parse_head(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\ndata: x"),
            Answer::Status {
                code: 200,
                retry_after: false
            }
        );
        assert_eq!(parse_head(b""), Answer::Closed);
        assert_eq!(parse_head(b"garbage"), Answer::Closed);
    }
}
