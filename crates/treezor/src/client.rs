//! The client: configuration checked once, two HTTP clients (API calls with the bearer token,
//! file downloads without it), and the token cache.

use std::sync::Arc;
use std::time::Duration;

use crate::config::ClientConfig;
use crate::config_problem::ConfigProblem;
use crate::error::{Error, Result};
use crate::refusal::read_body;
use crate::token::{Token, TokenAnswer, TokenCache};

/// A Treezor API client. Cheap to clone; clones share the token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: ClientConfig,
    base: String,
    api: reqwest::Client,
    files: reqwest::Client,
    tokens: TokenCache,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base)
            .field("client_id", &self.inner.config.client_id)
            .finish_non_exhaustive()
    }
}

fn http_client(error: reqwest::Error) -> Error {
    Error::Config(ConfigProblem::HttpClient {
        detail: error.to_string(),
    })
}

fn tls(
    mut builder: reqwest::ClientBuilder,
    config: &ClientConfig,
) -> Result<reqwest::ClientBuilder> {
    if let Some(pem) = &config.tls.client_identity_pem {
        let identity = reqwest::Identity::from_pem(pem).map_err(|e| {
            Error::Config(ConfigProblem::ClientCertificate {
                detail: e.to_string(),
            })
        })?;
        builder = builder.identity(identity);
    }
    if let Some(pem) = &config.tls.extra_ca_pem {
        let certificates = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
            Error::Config(ConfigProblem::ExtraCa {
                detail: e.to_string(),
            })
        })?;
        if certificates.is_empty() {
            return Err(Error::Config(ConfigProblem::ExtraCaEmpty));
        }
        builder = builder.tls_certs_merge(certificates);
    }
    Ok(builder)
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Client> {
        let base = config.base_url.trim().trim_end_matches('/').to_owned();
        // The client secret goes to this URL: https, or plain http to this machine only.
        let parsed = url::Url::parse(&base).map_err(|e| {
            Error::Config(ConfigProblem::BaseUrlNotUrl {
                base: base.clone(),
                detail: e.to_string(),
            })
        })?;
        if let Some(rule) = crate::endpoint::refusal(&parsed) {
            return Err(Error::Config(ConfigProblem::BaseUrlRefused {
                origin: crate::endpoint::origin_of(&parsed),
                rule,
            }));
        }
        if config.client_id.trim().is_empty() || config.client_secret.expose().is_empty() {
            return Err(Error::Config(ConfigProblem::CredentialsEmpty));
        }
        if config.retry.max_attempts == 0 || config.download.max_attempts == 0 {
            return Err(Error::Config(ConfigProblem::NoAttempts));
        }
        // API calls carry the bearer token: never follow a redirect with it.
        let api = tls(reqwest::Client::builder(), &config)?
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(http_client)?;
        // Downloads carry no token; a large file may take long, so only idleness is bounded.
        // Redirects stay on the file host's own origin.
        let files = tls(reqwest::Client::builder(), &config)?
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.download.idle_timeout)
            .redirect(crate::download::same_origin_redirects())
            .build()
            .map_err(http_client)?;
        let tokens = TokenCache::new(config.renew_before);
        Ok(Client {
            inner: Arc::new(Inner {
                config,
                base,
                api,
                files,
                tokens,
            }),
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    pub(crate) fn api(&self) -> &reqwest::Client {
        &self.inner.api
    }

    pub(crate) fn files(&self) -> &reqwest::Client {
        &self.inner.files
    }

    pub(crate) fn tokens(&self) -> &TokenCache {
        &self.inner.tokens
    }

    /// How many access tokens this client has fetched (shared by its clones).
    pub fn tokens_fetched(&self) -> u64 {
        self.inner.tokens.fetched()
    }

    pub(crate) fn url(&self, path: &str) -> Result<reqwest::Url> {
        reqwest::Url::parse(&format!("{}{path}", self.inner.base)).map_err(|e| {
            Error::Config(ConfigProblem::CallUrl {
                path: path.to_owned(),
                detail: e.to_string(),
            })
        })
    }

    pub(crate) async fn token(&self) -> Result<Token> {
        self.inner.tokens.get(|| self.fetch_token()).await
    }

    async fn fetch_token(&self) -> Result<(String, Duration)> {
        let config = &self.inner.config;
        let url = self.url("/oauth/token")?;
        let scope = config.scopes.join(" ");
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", config.client_id.as_str()),
            ("client_secret", config.client_secret.expose()),
        ];
        if !scope.is_empty() {
            form.push(("scope", scope.as_str()));
        }
        let what = "POST /oauth/token";
        let mut attempt = 1;
        loop {
            let outcome = self.api().post(url.clone()).form(&form).send().await;
            let last = attempt >= config.retry.max_attempts;
            match outcome {
                Err(error) if last => {
                    return Err(Error::Unreachable {
                        call: what.into(),
                        transport: crate::transport::Transport::of(&error),
                    });
                }
                Err(_) => {}
                Ok(answer) => {
                    let status = answer.status();
                    let body = answer.bytes().await.unwrap_or_default();
                    if status.is_success() {
                        let token: TokenAnswer = serde_json::from_slice(&body).map_err(|e| {
                            crate::answers::unexpected(
                                what,
                                crate::answers::Unexpected::bad_value(&e),
                            )
                        })?;
                        let lifetime = token.lifetime();
                        return Ok((token.access_token, lifetime));
                    }
                    if matches!(status.as_u16(), 400 | 401 | 403) {
                        return Err(Error::Credentials {
                            status: status.as_u16(),
                            message: read_body(&body).message,
                        });
                    }
                    if last || !crate::call::is_transient(status) {
                        return Err(crate::refusal::refusal(
                            what,
                            status.as_u16(),
                            &body,
                            crate::refusal::Endpoint::Plain,
                        )
                        .into());
                    }
                }
            }
            tokio::time::sleep(self.backoff(attempt, None)).await;
            attempt += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ClientSecret;

    fn client(base: &str) -> Result<Client> {
        Client::new(ClientConfig::new(base, "id", ClientSecret::new("s")))
    }

    #[test]
    fn the_client_secret_goes_only_to_https_or_to_this_machine() {
        for allowed in [
            "https://acme.api.treezor.com",
            "https://acme.sandbox.treezor.co/",
            "http://127.0.0.1:8081",
        ] {
            assert!(client(allowed).is_ok(), "{allowed}");
        }
        for refused in [
            "http://acme.api.treezor.com",
            "http://localhost@evil.example",
            "https://user:pass@acme.api.treezor.com",
            "ftp://acme.api.treezor.com",
            "acme.api.treezor.com",
        ] {
            let error = client(refused).unwrap_err().to_string();
            assert!(error.contains("base URL"), "{refused}: {error}");
        }
    }
}
