//! `kyc-desk-keychain`: checks and manages the dashboard's entries in the OS keychain, for an
//! officer or their IT team when the dashboard reports a keychain problem. It never prints a
//! secret's value.
//!
//! ```text
//! kyc-desk-keychain status                 is the keychain usable? (exit 0 yes, 2 locked, 3 unavailable)
//! kyc-desk-keychain has <secret>           prints "present" or "absent"
//! kyc-desk-keychain set <secret>           reads the value from standard input
//! kyc-desk-keychain delete <secret>
//! ```
//! `<secret>` is `treezor-client-secret` or `relay-feed-token`.

use std::io::Read;
use std::process::ExitCode;

use desk::Error;
use desk::secrets::{Secret, SecretName, SecretStore};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let store = SecretStore::Keychain;
    let outcome = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["status"] => store
            .get(SecretName::TreezorClientSecret)
            .map(|_| "ok".to_owned()),
        ["has", name] => match parse(name) {
            Some(name) => store
                .get(name)
                .map(|s| if s.is_some() { "present" } else { "absent" }.to_owned()),
            None => return usage(),
        },
        ["set", name] => match parse(name) {
            Some(name) => {
                let mut value = String::new();
                if std::io::stdin().read_to_string(&mut value).is_err() {
                    eprintln!("could not read the secret from standard input");
                    return ExitCode::from(1);
                }
                match Secret::new(value.trim_end_matches(['\n', '\r'])) {
                    Some(secret) => store.set(name, &secret).map(|()| "saved".to_owned()),
                    None => {
                        eprintln!("the secret on standard input is empty");
                        return ExitCode::from(1);
                    }
                }
            }
            None => return usage(),
        },
        ["delete", name] => match parse(name) {
            Some(name) => store.delete(name).map(|()| "deleted".to_owned()),
            None => return usage(),
        },
        _ => return usage(),
    };
    match outcome {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(match error {
                Error::KeychainLocked { .. } => 2,
                Error::KeychainUnavailable { .. } => 3,
                _ => 1,
            })
        }
    }
}

fn parse(name: &str) -> Option<SecretName> {
    match name {
        "treezor-client-secret" => Some(SecretName::TreezorClientSecret),
        "relay-feed-token" => Some(SecretName::RelayFeedToken),
        _ => None,
    }
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: kyc-desk-keychain status | has <secret> | set <secret> | delete <secret>\n<secret>: treezor-client-secret or relay-feed-token"
    );
    ExitCode::from(64)
}
