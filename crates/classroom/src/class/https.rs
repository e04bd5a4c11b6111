//! The dashboard over HTTPS: under `up --tls` learners' result tokens must not cross the LAN
//! in clear, so the dashboard (the grid, `/api/results`, the classroom description `join`
//! fetches) is served with the classroom's own certificate, like every other service.
//!
//! The other services sit behind a TLS-terminating proxy; the dashboard is served with TLS
//! directly instead, because the class grid shows where each learner posts from: behind a
//! proxy every peer would be `127.0.0.1`. [`TlsListener`] is an `axum::serve` listener that
//! accepts TCP, does each handshake in a task of its own (a client that stalls its handshake
//! holds up nobody else, and is dropped after [`HANDSHAKE_TIMEOUT`]) and hands out only the
//! finished TLS streams. A plain-HTTP request to the port fails its "handshake" and is closed:
//! nothing is ever served in clear.

use axum::serve::{Listener, ListenerExt};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// How long a client may take to finish its TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Finished TLS connections, ready for axum.
pub struct TlsListener {
    ready: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    /// Starts accepting on `tcp`, handshaking with `acceptor`.
    pub fn new(tcp: TcpListener, acceptor: TlsAcceptor) -> std::io::Result<Self> {
        let local = tcp.local_addr()?;
        let (tx, ready) = mpsc::channel(64);
        tokio::spawn(async move {
            loop {
                let accepted = tokio::select! {
                    accepted = tcp.accept() => accepted,
                    // The server is gone: close the port with it.
                    () = tx.closed() => return,
                };
                let Ok((stream, peer)) = accepted else {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    let handshake =
                        tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream));
                    // A failed handshake (plain HTTP, an untrusting client) concerns that client only.
                    if let Ok(Ok(tls)) = handshake.await {
                        let _ = tx.send((tls, peer)).await;
                    }
                });
            }
        });
        Ok(TlsListener { ready, local })
    }
}

impl Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The accepting task cannot end while this receiver lives; never busy-loop anyway.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

/// Serves `app` over TLS on `tcp` until the task is dropped, with each peer's address
/// available to handlers as `ConnectInfo<SocketAddr>`, as `axum::serve` on a plain listener
/// gives it.
pub async fn serve(
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    app: axum::Router,
) -> std::io::Result<()> {
    // `tap_io` is what gives any listener's address to `ConnectInfo`; it also turns off
    // Nagle, so the grid's small server-sent events leave at once.
    let listener = TlsListener::new(tcp, acceptor)?.tap_io(|tls| {
        let _ = tls.get_ref().0.set_nodelay(true);
    });
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}
