//! `treezor-sandbox`: runs the Treezor sandbox, or seeds a running one.
//!
//! ```text
//! treezor-sandbox serve --listen 127.0.0.1:8081 --webhook-target http://127.0.0.1:8080/webhooks/treezor --seed 300
//! treezor-sandbox seed --url http://127.0.0.1:8081 --users 300 --rng-seed 42
//! ```
//! Every flag can also come from the environment (`SANDBOX_LISTEN`, `SANDBOX_CLIENT_SECRET`, …).

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use sandbox::{DownloadAccess, LivenessAnswer, Sandbox, SandboxConfig, SeedOptions};

#[derive(Parser)]
#[command(
    name = "treezor-sandbox",
    version,
    about = "A faithful stand-in for Treezor's live verification API"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the sandbox until Ctrl-C.
    Serve(Serve),
    /// Seed a running sandbox through its control endpoint.
    Seed(SeedRemote),
}

#[derive(Clone, Copy, ValueEnum)]
enum Method {
    Liveness,
    VideoCertified,
}

#[derive(Clone, Copy, ValueEnum)]
enum Download {
    Enabled,
    Forbidden,
    NotImplemented,
}

#[derive(Args)]
struct Serve {
    /// Address to listen on (port 0 for any free port).
    #[arg(long, env = "SANDBOX_LISTEN", default_value = "127.0.0.1:8081")]
    listen: SocketAddr,
    /// The base URL written into identification and download URLs, when it differs from the
    /// listening address (behind a proxy).
    #[arg(long, env = "SANDBOX_PUBLIC_URL")]
    public_url: Option<String>,
    #[arg(long, env = "SANDBOX_CLIENT_ID", default_value = "sandbox-client")]
    client_id: String,
    #[arg(
        long,
        env = "SANDBOX_CLIENT_SECRET",
        default_value = "sandbox-secret",
        hide_env_values = true
    )]
    client_secret: String,
    #[arg(
        long,
        env = "SANDBOX_WEBHOOK_SECRET",
        default_value = "sandbox-webhook-secret",
        hide_env_values = true
    )]
    webhook_secret: String,
    /// Where to post webhooks (the relay's POST /webhooks/treezor).
    #[arg(long, env = "SANDBOX_WEBHOOK_TARGET")]
    webhook_target: Option<String>,
    /// Send webhooks as text/plain, as Treezor has done.
    #[arg(long, env = "SANDBOX_WEBHOOK_TEXT_PLAIN")]
    webhook_text_plain: bool,
    #[arg(
        long,
        value_enum,
        env = "SANDBOX_METHOD",
        default_value = "video-certified"
    )]
    method: Method,
    /// Answer POST kycliveness in the OpenAPI file's shape instead of the guide's.
    #[arg(long, env = "SANDBOX_OPENAPI_ANSWER")]
    openapi_answer: bool,
    #[arg(long, value_enum, env = "SANDBOX_DOWNLOAD", default_value = "enabled")]
    download: Download,
    #[arg(long, env = "SANDBOX_TOKEN_LIFETIME_SECS", default_value_t = 3600)]
    token_lifetime_secs: u64,
    #[arg(long, env = "SANDBOX_LINK_LIFETIME_SECS", default_value_t = 900)]
    link_lifetime_secs: u64,
    #[arg(long, env = "SANDBOX_DECISION_DELAY_MS", default_value_t = 3000)]
    decision_delay_ms: u64,
    #[arg(long, env = "SANDBOX_REVIEW_DELAY_MS", default_value_t = 10_000)]
    review_delay_ms: u64,
    #[arg(long, env = "SANDBOX_DOCUMENT_SIZE", default_value_t = 512 * 1024)]
    document_size: u64,
    /// Where the hosted page sends the end user when the verification gave no redirectUrl.
    #[arg(long, env = "SANDBOX_DEFAULT_REDIRECT")]
    default_redirect: Option<String>,
    /// Seed this many users at start.
    #[arg(long, env = "SANDBOX_SEED_USERS")]
    seed: Option<usize>,
    #[arg(long, env = "SANDBOX_RNG_SEED", default_value_t = 42)]
    rng_seed: u64,
}

#[derive(Args)]
struct SeedRemote {
    /// The running sandbox's base URL.
    #[arg(long, env = "SANDBOX_URL", default_value = "http://127.0.0.1:8081")]
    url: String,
    #[arg(long, default_value_t = 300)]
    users: usize,
    #[arg(long, default_value_t = 42)]
    rng_seed: u64,
    /// Do not send the webhooks the population's histories raised.
    #[arg(long)]
    no_webhooks: bool,
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let outcome = match Cli::parse().command {
        Command::Serve(serve) => run(serve).await,
        Command::Seed(remote) => seed_remote(remote).await,
    };
    if let Err(message) = outcome {
        eprintln!("treezor-sandbox: {message}");
        std::process::exit(1);
    }
}

async fn run(serve: Serve) -> Result<(), String> {
    let config = SandboxConfig {
        listen: serve.listen,
        public_url: serve.public_url,
        client_id: serve.client_id,
        client_secret: serve.client_secret,
        webhook_secret: serve.webhook_secret,
        webhook_target: serve.webhook_target,
        webhook_content_type: if serve.webhook_text_plain {
            "text/plain"
        } else {
            "application/json"
        }
        .into(),
        token_lifetime: Duration::from_secs(serve.token_lifetime_secs),
        liveness_type: match serve.method {
            Method::Liveness => kyc::LivenessType::Liveness,
            Method::VideoCertified => kyc::LivenessType::VideoCertified,
        },
        liveness_answer: if serve.openapi_answer {
            LivenessAnswer::OpenApi
        } else {
            LivenessAnswer::Guide
        },
        identification_lifetime: Duration::from_secs(serve.link_lifetime_secs),
        decision_delay: Duration::from_millis(serve.decision_delay_ms),
        review_delay: Duration::from_millis(serve.review_delay_ms),
        download: match serve.download {
            Download::Enabled => DownloadAccess::Enabled,
            Download::Forbidden => DownloadAccess::Forbidden,
            Download::NotImplemented => DownloadAccess::NotImplemented,
        },
        document_size: serve.document_size,
        default_redirect_url: serve.default_redirect,
        ..SandboxConfig::default()
    };
    let running = Sandbox::start(config).await.map_err(|e| e.to_string())?;
    let base = running.base_url().to_owned();
    println!("Treezor sandbox — a stand-in for Treezor, nothing here is real");
    println!("  API base URL     {base}");
    println!("  token endpoint   {base}/oauth/token");
    println!("  client id        {}", running.client_id());
    println!("  control          {base}/sandbox/  (identifications and their hosted pages)");
    match running.control().webhook_target() {
        Some(target) => println!("  webhooks to      {target}"),
        None => println!("  webhooks to      (none yet: PUT {base}/sandbox/webhook-target)"),
    }
    if let Some(users) = serve.seed {
        let report = running.seed(&SeedOptions {
            users,
            rng_seed: serve.rng_seed,
            send_webhooks: true,
        });
        println!(
            "  seeded           {} users, {} identifications, {} documents, {} webhooks",
            report.users, report.identifications, report.documents, report.webhooks
        );
    }
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    println!("stopping");
    running.shutdown().await;
    Ok(())
}

async fn seed_remote(remote: SeedRemote) -> Result<(), String> {
    let options = SeedOptions {
        users: remote.users,
        rng_seed: remote.rng_seed,
        send_webhooks: !remote.no_webhooks,
    };
    let url = format!("{}/sandbox/seed", remote.url.trim_end_matches('/'));
    let answer = reqwest::Client::new()
        .post(&url)
        .json(&options)
        .send()
        .await
        .map_err(|e| {
            format!("cannot reach the sandbox at {url}: {e}. Is `treezor-sandbox serve` running?")
        })?;
    let status = answer.status();
    let body = answer
        .text()
        .await
        .map_err(|e| format!("cannot read the answer: {e}"))?;
    if !status.is_success() {
        return Err(format!("the sandbox answered {status}: {body}"));
    }
    println!("{body}");
    Ok(())
}
