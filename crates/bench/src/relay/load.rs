//! The load generator: raw HTTP/1.1 over keep-alive TCP connections on loopback, one request in
//! flight per connection, on one thread of its own. Parsing only what it needs (status line and
//! `content-length`) keeps its share of the two cores small, so the server gets the rest.
//!
//! Every load is bounded in time and in count, and talks to 127.0.0.1 only.

use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::requests::Requests;

/// What a closed-loop run achieved.
#[derive(Clone, Copy, Debug, Default)]
pub struct Throughput {
    pub ok: u64,
    pub failed: u64,
    pub elapsed: Duration,
}

impl Throughput {
    pub fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }
}

/// `connections` connections each send a request, wait for its answer, and send the next, for
/// `duration` or `max_per_connection` requests, whichever comes first.
pub fn closed_loop(
    addr: SocketAddr,
    requests: Arc<Requests>,
    prefix: [u8; 2],
    connections: usize,
    duration: Duration,
    max_per_connection: u64,
) -> Throughput {
    on_client_thread(move || async move {
        let start = Instant::now();
        let deadline = start + duration;
        let requests = Rc::new(requests);
        let mut tasks = Vec::new();
        for connection in 0..connections {
            let requests = requests.clone();
            tasks.push(tokio::task::spawn_local(async move {
                let mut client = Connection::open(addr).await?;
                let mut result = Throughput::default();
                let mut n = 0;
                while n < max_per_connection && Instant::now() < deadline {
                    match client.exchange(&requests, &prefix, connection, n).await {
                        Ok(200) => result.ok += 1,
                        Ok(_) => result.failed += 1,
                        Err(_) => {
                            result.failed += 1;
                            client = Connection::open(addr).await?;
                        }
                    }
                    n += 1;
                }
                io::Result::Ok(result)
            }));
        }
        let mut total = Throughput::default();
        for task in tasks {
            match task.await {
                Ok(Ok(result)) => {
                    total.ok += result.ok;
                    total.failed += result.failed;
                }
                _ => total.failed += 1,
            }
        }
        total.elapsed = start.elapsed();
        total
    })
}

/// Offers `rate` requests per second for `duration`, spread over `connections` connections
/// (request `i` goes out at `start + i / rate` on connection `i % connections`), and returns
/// each answer's latency in microseconds, from the request's write to its answer's last byte.
/// A connection only misses its slot when an answer takes longer than `connections / rate`,
/// which the latencies then show.
pub fn open_loop(
    addr: SocketAddr,
    requests: Arc<Requests>,
    prefix: [u8; 2],
    connections: usize,
    rate: u64,
    duration: Duration,
) -> (Vec<u32>, Throughput) {
    on_client_thread(move || async move {
        let total = rate * duration.as_secs();
        let interval = Duration::from_secs(1) / rate as u32;
        let requests = Rc::new(requests);
        let mut clients = Vec::new();
        for _ in 0..connections {
            clients.push(Connection::open(addr).await.expect("connect to the relay"));
        }
        let start = tokio::time::Instant::now() + Duration::from_millis(10);
        let give_up = start + duration + Duration::from_secs(10);
        let mut tasks = Vec::new();
        for (connection, mut client) in clients.into_iter().enumerate() {
            let requests = requests.clone();
            tasks.push(tokio::task::spawn_local(async move {
                let mut latencies = Vec::new();
                let mut result = Throughput::default();
                let mut i = connection as u64;
                while i < total && tokio::time::Instant::now() < give_up {
                    tokio::time::sleep_until(start + interval * i as u32).await;
                    let sent = Instant::now();
                    match client.exchange(&requests, &prefix, connection, i).await {
                        Ok(200) => {
                            latencies.push(sent.elapsed().as_micros() as u32);
                            result.ok += 1;
                        }
                        Ok(_) => result.failed += 1,
                        Err(_) => {
                            result.failed += 1;
                            match Connection::open(addr).await {
                                Ok(fresh) => client = fresh,
                                Err(_) => break,
                            }
                        }
                    }
                    i += connections as u64;
                }
                (latencies, result)
            }));
        }
        let mut latencies = Vec::with_capacity(total as usize);
        let mut sum = Throughput::default();
        for task in tasks {
            if let Ok((mut some, result)) = task.await {
                latencies.append(&mut some);
                sum.ok += result.ok;
                sum.failed += result.failed;
            }
        }
        sum.elapsed = start.elapsed();
        (latencies, sum)
    })
}

/// Runs the load on a thread and a single-threaded runtime of its own.
fn on_client_thread<F, Fut, T>(load: F) -> T
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = T>,
    T: Send + 'static,
{
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("client runtime");
        tokio::task::LocalSet::new().block_on(&runtime, load())
    })
    .join()
    .expect("the load generator thread")
}

struct Connection {
    stream: TcpStream,
    out: Vec<u8>,
    answer: Vec<u8>,
}

impl Connection {
    async fn open(addr: SocketAddr) -> io::Result<Connection> {
        assert!(addr.ip().is_loopback(), "loads go to loopback only");
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream,
            out: Vec::with_capacity(1024),
            answer: vec![0; 8192],
        })
    }

    /// Sends one request and reads its whole answer; returns the status code.
    async fn exchange(
        &mut self,
        requests: &Requests,
        prefix: &[u8; 2],
        connection: usize,
        n: u64,
    ) -> io::Result<u16> {
        requests.fill(&mut self.out, prefix, connection, n);
        self.stream.write_all(&self.out).await?;
        let mut filled = 0;
        loop {
            let read = self.stream.read(&mut self.answer[filled..]).await?;
            if read == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            filled += read;
            let Some(end) = find(&self.answer[..filled], b"\r\n\r\n") else {
                if filled == self.answer.len() {
                    return Err(io::ErrorKind::InvalidData.into());
                }
                continue;
            };
            let head = &self.answer[..end];
            let status = parse_status(head)?;
            let total = end + 4 + content_length(head);
            if total > self.answer.len() {
                self.answer.resize(total, 0);
            }
            while filled < total {
                let read = self.stream.read(&mut self.answer[filled..total]).await?;
                if read == 0 {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                filled += read;
            }
            return Ok(status);
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse_status(head: &[u8]) -> io::Result<u16> {
    head.get(9..12)
        .and_then(|code| std::str::from_utf8(code).ok())
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| io::ErrorKind::InvalidData.into())
}

fn content_length(head: &[u8]) -> usize {
    head.split(|&b| b == b'\n')
        .find_map(|line| {
            let line = std::str::from_utf8(line).ok()?;
            let (name, value) = line.split_once(':')?;
            name.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0)
}
