//! `kyc-relay`: the webhook relay as a headless service, and its operator commands.
//!
//! # Layout
//! - `main.rs`: the command line.
//! - `serve.rs`: configuration from flags, environment and secret files; run until SIGTERM.
//! - `events.rs`: `events list`, `events export` and `prune` on the store.
//! - `officers.rs`: `officers add`, `list` and `revoke`: the team's credentials.
//! - `logs.rs`: structured logs (text or JSON lines) on stderr.

mod events;
mod logs;
mod officers;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Webhooks are allocated on request threads and freed on the writer thread; glibc's allocator
/// spent a measured tenth of the relay's CPU on exactly that, mimalloc far less.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(
    name = "kyc-relay",
    version,
    about = "Receives Treezor's signed webhooks, stores them durably and serves them to KYC Desk dashboards."
)]
struct Cli {
    /// Log format on stderr. The level comes from RUST_LOG (default: info).
    #[arg(
        long,
        value_enum,
        default_value = "text",
        env = "KYC_RELAY_LOG_FORMAT",
        global = true
    )]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the relay. The webhook secret and feed token come from KYC_RELAY_WEBHOOK_SECRET and
    /// KYC_RELAY_FEED_TOKEN, or from owner-only files (--webhook-secret-file, --feed-token-file).
    Serve(serve::ServeArgs),
    /// Read the stored events.
    Events {
        #[command(subcommand)]
        command: EventsCommand,
    },
    /// The team's officers and their credentials (kept as a digest on the store).
    Officers {
        #[command(subcommand)]
        command: officers::OfficersCommand,
    },
    /// Delete events received more than N days ago (the running relay also does this hourly).
    Prune {
        #[command(flatten)]
        data: DataArg,
        /// Delete events received more than this many days ago.
        #[arg(long)]
        older_than_days: u32,
    },
}

#[derive(Subcommand, Debug)]
enum EventsCommand {
    /// One line per event: seq, received time, event, webhook_id, object, object_id (no payload).
    List {
        #[command(flatten)]
        data: DataArg,
        /// Start after this sequence number.
        #[arg(long, default_value_t = 0)]
        after: u64,
        /// Show at most this many events.
        #[arg(long)]
        limit: Option<u64>,
    },
    /// Every event as a JSON line in the feed's format, payload included (it holds personal
    /// data: keep the export as safe as the relay's data file).
    Export {
        #[command(flatten)]
        data: DataArg,
        /// Start after this sequence number.
        #[arg(long, default_value_t = 0)]
        after: u64,
        /// Write to this file instead of stdout (created with mode 0600).
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

/// Where the log is: `--store` (a SQLite file or a PostgreSQL URL) or `--data` (a SQLite file).
#[derive(clap::Args, Debug, Clone)]
struct DataArg {
    /// The store: `sqlite:PATH`, or `postgres://USER@HOST/DATABASE` for several relays sharing one
    /// PostgreSQL database (a password is better given in ~/.pgpass or PGPASSWORD than here).
    #[arg(long = "store", env = "KYC_RELAY_STORE", conflicts_with = "path")]
    store: Option<String>,
    /// The SQLite file holding the events (the same as `--store sqlite:PATH`).
    #[arg(long = "data", env = "KYC_RELAY_DATA")]
    path: Option<PathBuf>,
}

/// Where the store is when neither flag is given.
const DEFAULT_DATA: &str = "kyc-relay.sqlite3";

impl DataArg {
    fn location(&self) -> Result<relay::StoreLocation, String> {
        match (&self.store, &self.path) {
            (Some(store), _) => relay::StoreLocation::parse(store),
            (None, Some(path)) => Ok(relay::StoreLocation::Sqlite(path.clone())),
            (None, None) => Ok(relay::StoreLocation::Sqlite(DEFAULT_DATA.into())),
        }
    }
}

/// Runs an operator command's async work on a runtime of its own.
fn block_on<T>(work: impl Future<Output = Result<T, String>>) -> Result<T, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("could not start the async runtime: {e}"))?
        .block_on(work)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    logs::init(cli.log_format);
    let outcome = match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::Events {
            command: EventsCommand::List { data, after, limit },
        } => data
            .location()
            .and_then(|store| events::list(&store, after, limit)),
        Command::Events {
            command:
                EventsCommand::Export {
                    data,
                    after,
                    output,
                },
        } => data
            .location()
            .and_then(|store| events::export(&store, after, output.as_deref())),
        Command::Officers { command } => officers::run(command),
        Command::Prune {
            data,
            older_than_days,
        } => data
            .location()
            .and_then(|store| events::prune(&store, older_than_days)),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("kyc-relay: {message}");
            ExitCode::FAILURE
        }
    }
}
