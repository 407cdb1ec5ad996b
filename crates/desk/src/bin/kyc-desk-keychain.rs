//! `kyc-desk-keychain`: checks and manages the dashboard's entries in the OS keychain, for an
//! officer or their IT team when the dashboard reports a keychain problem. It never prints a
//! secret's value.
//!
//! ```text
//! kyc-desk-keychain status                  is the keychain usable? (exit 0 yes, 2 locked, 3 unavailable)
//! kyc-desk-keychain has <secret>            prints "present for <origin>" or "absent"
//! kyc-desk-keychain set <secret> <url>      reads the value from standard input; binds it to the URL's server
//! kyc-desk-keychain delete <secret>
//! kyc-desk-keychain bind-unbound <settings> binds secrets an earlier version saved unbound to the
//!                                           servers the settings file names (KYC Desk does it at start)
//! ```
//! `<secret>` is `treezor-client-secret` or `relay-feed-token`.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use desk::Error;
use desk::secrets::{Origin, Secret, SecretName, SecretStore};
use desk::settings::{Settings, setting_url};

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
            .bound_origin(SecretName::TreezorClientSecret)
            .map(|_| "ok".to_owned()),
        ["has", name] => match parse(name) {
            Some(name) => store.bound_origin(name).map(|origin| match origin {
                Some(origin) => format!("present for {origin}"),
                None => "absent".to_owned(),
            }),
            None => return usage(),
        },
        ["set", name, url] => match parse(name) {
            Some(name) => {
                let mut value = String::new();
                if std::io::stdin().read_to_string(&mut value).is_err() {
                    eprintln!("could not read the secret from standard input");
                    return ExitCode::from(1);
                }
                let Some(secret) = Secret::new(value.trim_end_matches(['\n', '\r'])) else {
                    eprintln!("the secret on standard input is empty");
                    return ExitCode::from(1);
                };
                setting_url(name.bound_to(), url)
                    .map(|url| Origin::of(&url))
                    .and_then(|origin| {
                        store
                            .set(name, &origin, &secret)
                            .map(|()| format!("saved for {origin}"))
                    })
            }
            None => return usage(),
        },
        ["delete", name] => match parse(name) {
            Some(name) => store.delete(name).map(|()| "deleted".to_owned()),
            None => return usage(),
        },
        ["bind-unbound", settings] => Settings::load(Path::new(settings))
            .and_then(|settings| store.bind_all_unbound(&settings))
            .map(|bound| {
                let bound: Vec<String> = bound
                    .iter()
                    .map(|(name, origin)| format!("{} bound to {origin}", name.words()))
                    .collect();
                if bound.is_empty() {
                    "nothing to bind".to_owned()
                } else {
                    bound.join("\n")
                }
            }),
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
        "usage: kyc-desk-keychain status | has <secret> | set <secret> <url> | delete <secret> | bind-unbound <settings file>\n<secret>: treezor-client-secret or relay-feed-token"
    );
    ExitCode::from(64)
}
