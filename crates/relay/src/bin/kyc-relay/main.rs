//! `kyc-relay`: the webhook relay as a headless service, and its operator commands.
//!
//! # Layout
//! - `main.rs`: the command line.
//! - `serve.rs`: configuration from flags, environment and secret files; run until SIGTERM.
//! - `events.rs`: `events list`, `events export` and `prune` on the data file.
//! - `logs.rs`: structured logs (text or JSON lines) on stderr.

mod events;
mod logs;
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

#[derive(clap::Args, Debug, Clone)]
struct DataArg {
    /// The SQLite file holding the events.
    #[arg(
        long = "data",
        env = "KYC_RELAY_DATA",
        default_value = "kyc-relay.sqlite3"
    )]
    path: PathBuf,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    logs::init(cli.log_format);
    let outcome = match cli.command {
        Command::Serve(args) => serve::run(args),
        Command::Events {
            command: EventsCommand::List { data, after, limit },
        } => events::list(&data.path, after, limit),
        Command::Events {
            command:
                EventsCommand::Export {
                    data,
                    after,
                    output,
                },
        } => events::export(&data.path, after, output.as_deref()),
        Command::Prune {
            data,
            older_than_days,
        } => events::prune(&data.path, older_than_days),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("kyc-relay: {message}");
            ExitCode::FAILURE
        }
    }
}
