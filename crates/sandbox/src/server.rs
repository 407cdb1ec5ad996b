//! The sandbox as a service: [`app`] builds the router; [`Sandbox::start`] binds it and runs it
//! until [`RunningSandbox::shutdown`].

use std::net::SocketAddr;

use axum::Router;
use axum::routing::{get, post};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::config::SandboxConfig;
use crate::control::{Control, routes};
use crate::error::{Error, Result};
use crate::seed::{SeedOptions, SeedReport};
use crate::state::SandboxState;
use crate::{api, faults, files, hosted};

/// Every route of the sandbox: Treezor's API, the file host, the hosted page and (when enabled)
/// the `/sandbox/` control endpoints; with fault injection and request counting over all of them.
pub fn app(state: SandboxState) -> Router {
    let mut router = api::router()
        .route("/files/{document}/{name}", get(files::serve))
        .route("/verify/style.css", get(hosted::style))
        .route("/verify/{id}", get(hosted::show))
        .route("/verify/{id}/finish", post(hosted::finish))
        .route("/verify/{id}/done", get(hosted::done));
    if state.config().control_endpoints {
        router = router.merge(routes::router());
    }
    router
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            faults::layer,
        ))
        .with_state(state)
}

pub struct Sandbox;

impl Sandbox {
    /// Binds `config.listen` (port 0: any free port) and serves the sandbox on the current Tokio
    /// runtime.
    pub async fn start(config: SandboxConfig) -> Result<RunningSandbox> {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| Error::Bind {
                addr: config.listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| Error::Bind {
            addr: config.listen,
            source,
        })?;
        let state = SandboxState::new(config, &format!("http://{addr}"))?;
        let stop = CancellationToken::new();
        let serve = axum::serve(listener, app(state.clone()));
        let stopped = stop.clone();
        let task = tokio::spawn(async move {
            let outcome = serve
                .with_graceful_shutdown(async move { stopped.cancelled().await })
                .await;
            if let Err(error) = outcome {
                tracing::error!(%error, "the sandbox stopped serving");
            }
        });
        Ok(RunningSandbox {
            addr,
            state,
            stop,
            task,
        })
    }
}

/// A sandbox serving on a port.
pub struct RunningSandbox {
    addr: SocketAddr,
    state: SandboxState,
    stop: CancellationToken,
    task: JoinHandle<()>,
}

impl RunningSandbox {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL of Treezor's API here, e.g. `http://127.0.0.1:41234` (no trailing `/`).
    pub fn base_url(&self) -> &str {
        &self.state.shared().base_url
    }

    pub fn client_id(&self) -> &str {
        &self.state.config().client_id
    }

    pub fn client_secret(&self) -> &str {
        &self.state.config().client_secret
    }

    /// The key webhooks are signed with: give it to the relay.
    pub fn webhook_secret(&self) -> &str {
        &self.state.config().webhook_secret
    }

    pub fn config(&self) -> &SandboxConfig {
        self.state.config()
    }

    /// Where webhooks go (the relay's `POST /webhooks/treezor`); waiting webhooks go out at once.
    pub fn set_webhook_target(&self, target: Option<&str>) -> Result<()> {
        self.control().set_webhook_target(target)
    }

    pub fn control(&self) -> Control {
        Control::new(self.state.clone())
    }

    pub fn seed(&self, options: &SeedOptions) -> SeedReport {
        self.control().seed(options)
    }

    /// Stops accepting connections, lets requests in flight finish, and stops webhook delivery
    /// and delayed work.
    pub async fn shutdown(self) {
        self.state.shutdown();
        self.stop.cancel();
        // The task ends when the server has drained; a panic inside it has been logged already.
        let _ = self.task.await;
    }
}
