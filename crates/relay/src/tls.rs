//! The built-in TLS listener's configuration, from PEM files.
//!
//! The relay speaks HTTP/1.1 only (advertised through ALPN). Certificates are read once at
//! start: to renew, restart the relay (or terminate TLS at a reverse proxy that reloads itself).
//!
//! The private key is a secret like the others: its file must be owner-only, and it is read
//! through the handle that was checked ([`OwnerOnlyFile`]). The certificate is public.

use std::fs::File;
use std::io::BufReader;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::crypto::aws_lc_rs;
use tokio_rustls::TlsAcceptor;

use crate::config::TlsFiles;
use crate::error::{RelayError, Result};
use crate::secret_file::OwnerOnlyFile;

pub fn acceptor(files: &TlsFiles) -> Result<TlsAcceptor> {
    let open = |path: &std::path::Path| {
        File::open(path)
            .map(BufReader::new)
            .map_err(|e| RelayError::Tls(format!("cannot read {}: {e}", path.display())))
    };
    let certificates = rustls_pemfile::certs(&mut open(&files.certificate)?)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            RelayError::Tls(format!(
                "{} is not a PEM certificate chain: {e}",
                files.certificate.display()
            ))
        })?;
    if certificates.is_empty() {
        return Err(RelayError::Tls(format!(
            "{} holds no certificate (expected PEM `BEGIN CERTIFICATE` blocks)",
            files.certificate.display()
        )));
    }
    let key_pem = OwnerOnlyFile::open(&files.private_key)?.read_to_end(&files.private_key)?;
    let key = rustls_pemfile::private_key(&mut key_pem.as_slice())
        .map_err(|e| {
            RelayError::Tls(format!(
                "{} is not a PEM private key: {e}",
                files.private_key.display()
            ))
        })?
        .ok_or_else(|| {
            RelayError::Tls(format!(
                "{} holds no private key (expected PEM PKCS#8, PKCS#1 or SEC1)",
                files.private_key.display()
            ))
        })?;
    let mut config = ServerConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| RelayError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certificates, key)
        .map_err(|e| {
            RelayError::Tls(format!(
                "the key {} does not fit the certificate {}: {e}",
                files.private_key.display(),
                files.certificate.display()
            ))
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
