//! The accept loop: HTTP/1.1 over TCP or TLS, with timeouts for slow clients and graceful
//! shutdown.
//!
//! axum's own `serve` has no header or TLS timeouts, so connections are driven here with hyper
//! directly: `header_read_timeout` closes a connection whose request headers (or next request on
//! a keep-alive connection) do not arrive in time, the TLS handshake has its own bound, and the
//! body's bound is enforced by the webhook handler (408). On shutdown the listener closes first,
//! then every connection finishes the request it is serving and closes; after the grace period
//! the rest are dropped.

use std::net::SocketAddr;
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

use crate::config::Timeouts;
use crate::untrusted::untrusted;

/// Serves `router` on `listener` until `stop` is cancelled, then shuts down gracefully.
///
/// Public so that a benchmark can serve another router exactly the way the relay is served.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<TlsAcceptor>,
    timeouts: Timeouts,
    stop: CancellationToken,
) {
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
                    let connection = http.serve_connection(TokioIo::new(stream), service);
                    if let Err(error) = watcher.watch(connection).await {
                        ended_with(&error, peer);
                    }
                });
            }
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
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
