//! `kyc-relay serve`: gathers the configuration, refuses to start without both secrets or with
//! weak ones, raises the open-file limit, runs the relay until SIGTERM or Ctrl-C, then shuts down
//! gracefully.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use relay::StoreLocation;
use relay::limits::open_files;
use relay::trail::TrailKey;
use relay::{Limits, Relay, RelayConfig, Timeouts, TlsFiles, read_secret_file, service_secrets};

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on. Loopback by default; see the README before exposing it.
    #[arg(long, env = "KYC_RELAY_LISTEN", default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    #[command(flatten)]
    data: crate::DataArg,
    /// File holding the webhook secret (mode 0600 or 0400, owned by this user). Alternative to
    /// KYC_RELAY_WEBHOOK_SECRET.
    #[arg(long, env = "KYC_RELAY_WEBHOOK_SECRET_FILE")]
    webhook_secret_file: Option<PathBuf>,
    /// File holding the feed token (mode 0600 or 0400, owned by this user). Alternative to
    /// KYC_RELAY_FEED_TOKEN.
    #[arg(long, env = "KYC_RELAY_FEED_TOKEN_FILE")]
    feed_token_file: Option<PathBuf>,
    /// File holding the key of the team's audit trail, created owner-only at the first start if
    /// missing. Default: beside the SQLite data file (`<data>.trail-key`). Required on
    /// PostgreSQL: the same file for every instance.
    #[arg(long, env = "KYC_RELAY_TRAIL_KEY_FILE")]
    trail_key_file: Option<PathBuf>,
    /// Largest webhook body accepted, in bytes.
    #[arg(long, env = "KYC_RELAY_BODY_LIMIT", default_value_t = relay::DEFAULT_BODY_LIMIT)]
    body_limit: usize,
    /// Delete events received more than this many days ago; 0 keeps everything.
    #[arg(long, env = "KYC_RELAY_RETENTION_DAYS", default_value_t = 90)]
    retention_days: u32,
    /// Minutes without activity by its holder after which a claim on a case lapses (the case is
    /// then free to take).
    #[arg(long, env = "KYC_RELAY_CLAIM_LAPSE_MINUTES", default_value_t = 240, value_parser = clap::value_parser!(u32).range(1..))]
    claim_lapse_minutes: u32,
    /// PEM certificate chain: serve HTTPS (needs --tls-key too).
    #[arg(long, env = "KYC_RELAY_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// PEM private key of --tls-cert.
    #[arg(long, env = "KYC_RELAY_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Seconds a client may take to send a request's headers (also the keep-alive idle limit).
    #[arg(long, env = "KYC_RELAY_HEADER_TIMEOUT", default_value_t = 10)]
    header_timeout_secs: u64,
    /// Seconds a client may take to send a webhook's body.
    #[arg(long, env = "KYC_RELAY_BODY_TIMEOUT", default_value_t = 10)]
    body_timeout_secs: u64,
    /// Open connections at most; past it new ones get 503. Lowered to what the open-file limit
    /// allows.
    #[arg(long, env = "KYC_RELAY_MAX_CONNECTIONS", default_value_t = Limits::default().connections)]
    max_connections: usize,
    /// Bytes of webhook bodies held in memory at most, all requests together; past it, 503.
    #[arg(long, env = "KYC_RELAY_BODY_MEMORY", default_value_t = Limits::default().body_memory)]
    body_memory: usize,
    /// Long polls waiting at once at most, all readers together; past it, 503.
    #[arg(long, env = "KYC_RELAY_MAX_WAITING", default_value_t = Limits::default().waiting_readers)]
    max_waiting: usize,
    /// Long polls waiting at once at most with one feed token; past it, 429.
    #[arg(
        long,
        env = "KYC_RELAY_MAX_WAITING_PER_TOKEN",
        default_value_t = Limits::default().waiting_per_token
    )]
    max_waiting_per_token: usize,
}

pub fn run(args: ServeArgs) -> Result<(), String> {
    let config = config(args)?;
    // Before the relay starts: it sizes its connection cap from the limit it finds.
    match open_files::raise() {
        Ok(files) => tracing::info!(
            before = files.before,
            now = files.now,
            "open-file limit raised to the hard limit"
        ),
        Err(error) => tracing::warn!(
            %error,
            now = open_files::soft_limit(),
            "the open-file limit could not be raised; the connection cap may be lowered to fit it"
        ),
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("could not start the async runtime: {e}"))?;
    runtime.block_on(async {
        // Listen for signals before announcing the relay, so that a stop sent as soon as it is
        // announced is a graceful one.
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .map_err(|e| format!("cannot listen for SIGTERM: {e}"))?;
        let mut interrupt =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
                .map_err(|e| format!("cannot listen for SIGINT: {e}"))?;
        let running = Relay::start(config).await.map_err(|e| e.to_string())?;
        tokio::select! {
            _ = terminate.recv() => {}
            _ = interrupt.recv() => {}
        }
        tracing::info!("stopping: finishing requests in flight");
        running.shutdown().await;
        Ok(())
    })
}

fn config(args: ServeArgs) -> Result<RelayConfig, String> {
    let secret = one_secret(
        "KYC_RELAY_WEBHOOK_SECRET",
        "--webhook-secret-file",
        args.webhook_secret_file.as_deref(),
    )?;
    let token = one_secret(
        "KYC_RELAY_FEED_TOKEN",
        "--feed-token-file",
        args.feed_token_file.as_deref(),
    )?;
    let (webhook_secret, feed_token) =
        service_secrets(&secret, &token).map_err(|e| e.to_string())?;
    let mut config = RelayConfig::new(args.data.location()?, webhook_secret, feed_token);
    config.trail_key = trail_key(args.trail_key_file, &config.store)?;
    config.listen = args.listen;
    config.body_limit = args.body_limit;
    config.retention_days = (args.retention_days > 0).then_some(args.retention_days);
    config.claim_lapse_seconds = i64::from(args.claim_lapse_minutes) * 60;
    config.tls = match (args.tls_cert, args.tls_key) {
        (Some(certificate), Some(private_key)) => Some(TlsFiles {
            certificate,
            private_key,
        }),
        _ => None,
    };
    config.timeouts = Timeouts {
        header_read: Duration::from_secs(args.header_timeout_secs.max(1)),
        body_read: Duration::from_secs(args.body_timeout_secs.max(1)),
        ..Timeouts::default()
    };
    config.limits = Limits {
        connections: args.max_connections.max(1),
        body_memory: args.body_memory.max(args.body_limit),
        waiting_readers: args.max_waiting,
        waiting_per_token: args.max_waiting_per_token,
    };
    Ok(config)
}

/// The trail's key: from its file, or from a new one made there. On SQLite the file defaults to
/// one beside the data file (its folder made owner-only first, as the store would); on
/// PostgreSQL every instance must seal with the same key, so the file must be named.
fn trail_key(file: Option<PathBuf>, store: &StoreLocation) -> Result<TrailKey, String> {
    let path = match (file, store.sqlite_path()) {
        (Some(path), _) => path,
        (None, Some(data)) => {
            relay::data_file::prepare(data).map_err(|e| e.to_string())?;
            let mut path = data.as_os_str().to_owned();
            path.push(".trail-key");
            PathBuf::from(path)
        }
        (None, None) => {
            return Err("a hub on PostgreSQL needs --trail-key-file (or KYC_RELAY_TRAIL_KEY_FILE): the file holding the key of the team's audit trail, the same on every instance; the first start creates it (mode 0600) when it is missing: copy it to the other instances and back it up apart from the database".into());
        }
    };
    TrailKey::load_or_create(&path).map_err(|e| e.to_string())
}

/// A secret from exactly one of its environment variable or its file.
fn one_secret(variable: &str, flag: &str, file: Option<&Path>) -> Result<String, String> {
    let from_env = std::env::var(variable).ok().filter(|v| !v.is_empty());
    match (from_env, file) {
        (Some(_), Some(_)) => Err(format!(
            "both {variable} and {flag} are set; keep one of them"
        )),
        (Some(value), None) => Ok(value),
        (None, Some(path)) => read_secret_file(path).map_err(|e| e.to_string()),
        (None, None) => Err(format!(
            "no {what}: set {variable}, or pass {flag} with a file readable only by this user (chmod 600)",
            what = if variable.ends_with("SECRET") {
                "webhook secret (the one Treezor signs webhooks with)"
            } else {
                "feed token (the bearer token dashboards use to read the feed)"
            }
        )),
    }
}
