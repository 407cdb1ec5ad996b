//! The accept loop: HTTP/1.1 over TCP or TLS, with a cap on open connections, timeouts for slow
//! clients and graceful shutdown.
//!
//! axum's own `serve` has no header or TLS timeouts, so connections are driven here with hyper
//! directly: `header_read_timeout` closes a connection whose request headers (or next request on
//! a keep-alive connection) do not arrive in time, the TLS handshake has its own bound, and the
//! body's bound is enforced by the webhook handler (408). Each connection holds a permit of
//! [`Connections`] while it is open; past the cap it is answered 503 and closed (see
//! [`crate::limits::connections`]). On shutdown the listener closes first, then every connection
//! finishes the request it is serving and closes; after the grace period the rest are dropped.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::config::{Limits, Timeouts};
use crate::limits::connections::{Admission, Connections};
use crate::limits::open_files;
use crate::untrusted::untrusted;

/// How the accept loop treats connections.
#[derive(Clone)]
pub struct ServerRules {
    /// Serve HTTPS with this acceptor instead of plain HTTP.
    pub tls: Option<TlsAcceptor>,
    pub timeouts: Timeouts,
    /// Open connections at most; past it new ones get 503.
    pub max_connections: usize,
}

/// Serves `router` on `listener` until `stop` is cancelled, then shuts down gracefully, with the
/// relay's default connection cap fitted to the open-file limit.
///
/// Public so that a benchmark or a test can serve another router exactly the way the relay is
/// served.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<TlsAcceptor>,
    timeouts: Timeouts,
    stop: CancellationToken,
) {
    let max_connections =
        open_files::connections_allowed(Limits::default().connections, open_files::soft_limit());
    let rules = ServerRules {
        tls,
        timeouts,
        max_connections,
    };
    serve_with(listener, router, rules, stop).await;
}

/// [`serve`] with these rules.
pub async fn serve_with(
    listener: TcpListener,
    router: Router,
    rules: ServerRules,
    stop: CancellationToken,
) {
    let ServerRules {
        tls,
        timeouts,
        max_connections,
    } = rules;
    let connections = Arc::new(Connections::new(max_connections));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(timeouts.header_read)
        .keep_alive(true);
    loop {
        let (stream, peer) = tokio::select! {
            biased;
            _ = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(error) => {
                    // Out of file descriptors, usually: give the process a moment to close some.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        // Answers are small and latency matters more than packet count.
        let _ = stream.set_nodelay(true);
        let open = match connections.admit() {
            Admission::Serve(open) => open,
            Admission::Refuse(answering) => {
                let (connections, tls) = (connections.clone(), tls.clone());
                tokio::spawn(async move {
                    let _answering = answering;
                    match tls {
                        None => connections.answer_full(stream).await,
                        Some(acceptor) => {
                            if let Ok(Ok(stream)) = tokio::time::timeout(
                                timeouts.tls_handshake,
                                acceptor.accept(stream),
                            )
                            .await
                            {
                                connections.answer_full(stream).await;
                            }
                        }
                    }
                });
                continue;
            }
            Admission::Drop => continue,
        };
        let service = TowerToHyperService::new(router.clone().map_request(
            move |mut request: axum::http::Request<Incoming>| {
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(peer));
                request
            },
        ));
        let http = http.clone();
        let watcher = graceful.watcher();
        match &tls {
            None => {
                tokio::spawn(async move {
                    let _open = open;
                    let connection = http.serve_connection(TokioIo::new(stream), service);
                    if let Err(error) = watcher.watch(connection).await {
                        ended_with(&error, peer);
                    }
                });
            }
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let _open = open;
                    let stream =
                        match tokio::time::timeout(timeouts.tls_handshake, acceptor.accept(stream))
                            .await
                        {
                            Ok(Ok(stream)) => stream,
                            Ok(Err(error)) => {
                                tracing::debug!(
                                    error = untrusted(&error.to_string()).as_str(),
                                    %peer,
                                    "TLS handshake failed"
                                );
                                return;
                            }
                            Err(_) => {
                                tracing::debug!(%peer, "TLS handshake timed out");
                                return;
                            }
                        };
                    let connection = http.serve_connection(TokioIo::new(stream), service);
                    if let Err(error) = watcher.watch(connection).await {
                        ended_with(&error, peer);
                    }
                });
            }
        }
    }
    drop(listener);
    let open = graceful.count();
    if tokio::time::timeout(timeouts.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            open,
            grace_ms = timeouts.shutdown_grace.as_millis() as u64,
            "connections still busy after the grace period were closed"
        );
    }
}

/// Logs a connection that ended with an error (a client that went away, a request hyper could
/// not parse). The error can quote what the client sent, so it is logged as untrusted text.
fn ended_with(error: &hyper::Error, peer: SocketAddr) {
    tracing::debug!(
        error = untrusted(&error.to_string()).as_str(),
        %peer,
        "connection ended with an error"
    );
}
