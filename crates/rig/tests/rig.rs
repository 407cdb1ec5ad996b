//! Proves the rig's promises: a real cluster that answers, stops and starts again, databases
//! that are separate, and an nginx that forwards to a server behind it.

use std::io::{Read, Write};
use std::net::TcpListener;

use rig::{Cluster, Nginx};

#[test]
fn a_cluster_answers_stops_and_starts_again_with_its_data() {
    let cluster = Cluster::start().unwrap();
    let url = cluster.database("rig");
    let name = url.rsplit('/').next().unwrap();
    cluster
        .psql(name, "CREATE TABLE t (x int); INSERT INTO t VALUES (42)")
        .unwrap();
    let other = cluster.database("rig");
    let other = other.rsplit('/').next().unwrap();
    assert!(cluster.psql(other, "SELECT x FROM t").is_err(), "separate");
    assert_eq!(
        cluster
            .psql("postgres", "SHOW synchronous_commit")
            .unwrap()
            .trim(),
        "on"
    );
    cluster.stop().unwrap();
    assert!(cluster.psql(name, "SELECT 1").is_err(), "stopped");
    cluster.restart().unwrap();
    assert_eq!(cluster.psql(name, "SELECT x FROM t").unwrap().trim(), "42");
}

#[test]
fn nginx_forwards_to_the_server_behind_it() {
    let backend = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = backend.local_addr().unwrap();
    let nginx = Nginx::start(&[addr]).unwrap_or_else(|e| panic!("{e}"));
    let serving = std::thread::spawn(move || {
        let (mut stream, _) = backend.accept().unwrap();
        let mut request = [0u8; 4096];
        let n = stream.read(&mut request).unwrap();
        let request = String::from_utf8_lossy(&request[..n]).into_owned();
        stream
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\nconnection: close\r\n\r\nhello")
            .unwrap();
        request
    });
    let port: u16 = nginx.url().rsplit(':').next().unwrap().parse().unwrap();
    let mut client = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    client
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: hub\r\nconnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    client.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("hello"), "{answer}");
    assert!(serving.join().unwrap().starts_with("GET /healthz HTTP/1.1"));
}
