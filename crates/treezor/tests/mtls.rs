//! Production's mutual TLS: the client presents its certificate and trusts an extra CA. The
//! sandbox's API is served over TLS by a server that demands a client certificate signed by a test
//! CA; the client gets a token and calls the API only with both its identity and the CA.

use std::net::SocketAddr;
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::RootCertStore;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use sandbox::{SandboxConfig, SandboxState};
use tokio_util::sync::CancellationToken;
use treezor::{Client, ClientConfig, ClientSecret, UserQuery};

struct Pki {
    ca_pem: String,
    server: (CertificateDer<'static>, PrivateKeyDer<'static>),
    client_pem: String,
    ca_der: CertificateDer<'static>,
}

fn pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "KYC Desk test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate().unwrap();
    let server_cert = CertificateParams::new(vec!["localhost".into()])
        .unwrap()
        .signed_by(&server_key, &issuer)
        .unwrap();

    let client_key = KeyPair::generate().unwrap();
    let mut client_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    client_params
        .distinguished_name
        .push(DnType::CommonName, "acme-client");
    let client_cert = client_params.signed_by(&client_key, &issuer).unwrap();

    Pki {
        ca_pem: ca_cert.pem(),
        ca_der: ca_cert.der().clone(),
        server: (
            server_cert.der().clone(),
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
        ),
        client_pem: format!("{}{}", client_cert.pem(), client_key.serialize_pem()),
    }
}

/// The sandbox's API behind a TLS listener that requires a client certificate from the test CA.
async fn serve_with_client_auth(pki: &Pki) -> (SocketAddr, CancellationToken) {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = RootCertStore::empty();
    roots.add(pki.ca_der.clone()).unwrap();
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![pki.server.0.clone()], pki.server.1.clone_key())
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base_url = format!("https://localhost:{}", addr.port());
    let state = SandboxState::new(SandboxConfig::for_tests(), &base_url).unwrap();
    let stop = CancellationToken::new();
    tokio::spawn(relay::serve(
        listener,
        sandbox::app(state),
        Some(tokio_rustls::TlsAcceptor::from(Arc::new(config))),
        relay::Timeouts::default(),
        stop.clone(),
    ));
    (addr, stop)
}

fn client(addr: SocketAddr, identity: Option<&str>, ca: Option<&str>) -> Client {
    let defaults = SandboxConfig::default();
    let mut config = ClientConfig::new(
        format!("https://localhost:{}", addr.port()),
        defaults.client_id,
        ClientSecret::new(defaults.client_secret),
    );
    config.tls.client_identity_pem = identity.map(|p| p.as_bytes().to_vec());
    config.tls.extra_ca_pem = ca.map(|p| p.as_bytes().to_vec());
    config.retry.max_attempts = 1;
    Client::new(config).unwrap()
}

#[tokio::test]
async fn with_its_certificate_and_the_ca_the_client_reaches_treezor() {
    let pki = pki();
    let (addr, stop) = serve_with_client_auth(&pki).await;
    let answer = client(addr, Some(&pki.client_pem), Some(&pki.ca_pem))
        .search_users(&UserQuery::default())
        .await;
    assert!(answer.is_ok(), "{answer:?}");
    stop.cancel();
}

#[tokio::test]
async fn without_its_certificate_the_client_is_refused_with_a_clear_error() {
    let pki = pki();
    let (addr, stop) = serve_with_client_auth(&pki).await;
    let error = client(addr, None, Some(&pki.ca_pem))
        .search_users(&UserQuery::default())
        .await
        .unwrap_err();
    assert!(
        matches!(error, treezor::Error::Unreachable { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("could not be reached"),
        "{error}"
    );
    stop.cancel();
}

#[tokio::test]
async fn without_the_extra_ca_the_server_is_not_trusted() {
    let pki = pki();
    let (addr, stop) = serve_with_client_auth(&pki).await;
    let error = client(addr, Some(&pki.client_pem), None)
        .search_users(&UserQuery::default())
        .await
        .unwrap_err();
    assert!(
        matches!(error, treezor::Error::Unreachable { .. }),
        "{error:?}"
    );
    stop.cancel();
}

#[test]
fn a_bad_certificate_file_is_refused_when_the_client_is_made() {
    let mut config = ClientConfig::new("https://localhost:1", "id", ClientSecret::new("secret"));
    config.tls.client_identity_pem = Some(b"not a pem".to_vec());
    let error = Client::new(config).unwrap_err().to_string();
    assert!(
        error.contains("client certificate could not be read"),
        "{error}"
    );
}
