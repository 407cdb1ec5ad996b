//! `kyc-relay officers add NAME --role officer|senior|auditor`, `list`, `revoke NAME`: the team's
//! credentials, on the store the relays use (they need not be stopped).
//!
//! `add` prints the new credential once, on stdout, and nowhere else: the store keeps only its
//! digest, so a lost credential is revoked and issued again, never recovered.

use clap::Subcommand;
use kyc::officer::{OfficerName, Role};
use relay::officers::{Credential, Officer};
use relay::store::StoreLocation;
use relay::store::sqlite::SqliteOfficers;
use relay::store::{Officers, postgres};

use crate::DataArg;

#[derive(Subcommand, Debug)]
pub enum OfficersCommand {
    /// Issue a credential to a new officer; it is printed once and cannot be shown again.
    Add {
        #[command(flatten)]
        data: DataArg,
        /// The officer's name, as the dashboards and the audit trail show it.
        name: String,
        /// officer (works cases), senior (also approves what needs four eyes), auditor (reads
        /// everything, changes nothing).
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Every officer: name, role, when added, and whether the credential was revoked.
    List {
        #[command(flatten)]
        data: DataArg,
    },
    /// Revoke an officer's credential: every relay refuses it at its next request.
    Revoke {
        #[command(flatten)]
        data: DataArg,
        name: String,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| format!("{text} is not a role; use officer, senior or auditor"))
}

fn name(text: &str) -> Result<OfficerName, String> {
    OfficerName::parse(text).map_err(|problem| format!("the officer's name {text:?}: {problem}"))
}

pub fn run(command: OfficersCommand) -> Result<(), String> {
    match command {
        OfficersCommand::Add {
            data,
            name: given,
            role,
        } => {
            let name = name(&given)?;
            let credential = Credential::issue();
            let hash = credential.hash();
            let officer = on_registry(&data, async move |officers| {
                officers.add(name, role, hash).await
            })?;
            println!("{}", credential.expose());
            eprintln!(
                "officer {} added as {}; the line above is their credential, shown this once: give it to them privately (it goes into KYC Desk's Settings)",
                officer.name, officer.role
            );
            Ok(())
        }
        OfficersCommand::List { data } => {
            let officers = on_registry(&data, async |officers| officers.list().await)?;
            for officer in officers {
                print_line(&officer);
            }
            Ok(())
        }
        OfficersCommand::Revoke { data, name: given } => {
            let name = name(&given)?;
            let officer = on_registry(&data, async move |officers| officers.revoke(name).await)?;
            eprintln!("the credential of {} is revoked", officer.name);
            Ok(())
        }
    }
}

fn print_line(officer: &Officer) {
    let state = match officer.revoked_at {
        Some(at) => format!("revoked {at}"),
        None => "active".to_owned(),
    };
    println!(
        "{}\t{}\tadded {}\t{state}",
        officer.name, officer.role, officer.created_at
    );
}

/// Runs `work` on the officers of the store `data` names.
fn on_registry<T>(
    data: &DataArg,
    work: impl AsyncFnOnce(&dyn Officers) -> relay::Result<T>,
) -> Result<T, String> {
    crate::block_on(async {
        match data.location()? {
            StoreLocation::Sqlite(path) => {
                let officers = SqliteOfficers::open(&path).map_err(|e| e.to_string())?;
                work(&officers).await.map_err(|e| e.to_string())
            }
            StoreLocation::Postgres(url) => {
                let pool = postgres::pool(&url).map_err(|e| e.to_string())?;
                postgres::migrate::run(&pool, &url)
                    .await
                    .map_err(|e| e.to_string())?;
                let officers = postgres::PgOfficers::new(pool);
                work(&officers).await.map_err(|e| e.to_string())
            }
        }
    })
}
