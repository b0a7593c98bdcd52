//! Connecting to PostgreSQL within one deadline, and the blocking client built on it.
//!
//! The driver's own `connect_timeout` bounds the TCP connect only: a server (or anything
//! else listening on its port) that accepts and then never answers the startup handshake
//! hangs the connect until the peer closes. Both clients therefore connect through
//! [`connect`], whose deadline covers the whole connect, handshake included. The blocking
//! client is tokio-postgres on a single-threaded runtime of its own (what the `postgres`
//! crate is too, whose connect cannot be given such a deadline).

use super::target::mask_password;
use super::DbError;
use crate::interrupt::Interrupt;
use std::future::Future;
use std::str::FromStr;
use std::time::Duration;
use tokio_postgres::config::Host;
use tokio_postgres::tls::NoTlsStream;
use tokio_postgres::{Client, Config, Connection, NoTls, Socket};

/// How long a connection may take, handshake included, unless the URL sets
/// `connect_timeout` (seconds, as libpq reads it).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A URL's settings and how errors name the server (password masked).
pub struct Target {
    pub config: Config,
    pub shown: String,
}

impl Target {
    /// Parses `url`; the connect deadline is its `connect_timeout` or the default.
    pub fn parse(url: &str) -> Result<Target, DbError> {
        let shown = format!("PostgreSQL server {}", mask_password(url));
        let mut config = Config::from_str(url).map_err(|e| DbError::Connect {
            target: shown.clone(),
            reason: format!("the URL is not valid ({e})"),
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(DEFAULT_CONNECT_TIMEOUT);
        }
        Ok(Target { config, shown })
    }

    fn deadline(&self) -> Duration {
        self.config
            .get_connect_timeout()
            .copied()
            .unwrap_or(DEFAULT_CONNECT_TIMEOUT)
    }

    /// `HOST:PORT` of the first server the URL names.
    fn address(&self) -> String {
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        match self.config.get_hosts().first() {
            Some(Host::Tcp(host)) => format!("{host}:{port}"),
            Some(Host::Unix(dir)) => format!("{}/.s.PGSQL.{port}", dir.display()),
            None => format!("localhost:{port}"),
        }
    }
}

/// A connected client and the task that drives its connection (spawn it on a runtime).
pub type Connected = (Client, Connection<Socket, NoTlsStream>);

/// Connects (without TLS), TCP connect and handshake within the target's deadline.
pub async fn connect(target: &Target) -> Result<Connected, DbError> {
    let deadline = target.deadline();
    match tokio::time::timeout(deadline, target.config.connect(NoTls)).await {
        Ok(Ok(connected)) => Ok(connected),
        Ok(Err(e)) => Err(DbError::Connect {
            target: target.shown.clone(),
            reason: super::postgres::error_text(&e),
        }),
        Err(_) => Err(DbError::ConnectTimeout {
            server: target.address(),
            seconds: deadline.as_secs_f64(),
        }),
    }
}

/// A blocking PostgreSQL client: tokio-postgres driven by a runtime of its own, one call at
/// a time. Like the `postgres` crate's, it must not be used on a tokio runtime thread.
pub struct BlockingClient {
    // Declared first, so dropped first: its connection then says goodbye to the server
    // while `driver` still runs it.
    client: Client,
    driver: Driver,
    /// What ends a call that is still waiting (the first Ctrl-C).
    interrupt: Interrupt,
}

/// How long a cancel request may take (the server may not answer it either).
const CANCEL_DEADLINE: Duration = Duration::from_secs(2);

/// The runtime and the connection's task, which ends after the client is dropped.
struct Driver {
    task: Option<tokio::task::JoinHandle<()>>,
    rt: tokio::runtime::Runtime,
}

impl BlockingClient {
    /// Connects; its calls end when the process's interrupt is raised.
    pub fn connect(target: &Target) -> Result<BlockingClient, DbError> {
        Self::connect_watching(target, Interrupt::process())
    }

    /// Connects; its calls end when `interrupt` is raised.
    pub fn connect_watching(
        target: &Target,
        interrupt: Interrupt,
    ) -> Result<BlockingClient, DbError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| DbError::Internal(format!("cannot start a PostgreSQL client: {e}")))?;
        let (client, connection) = rt.block_on(connect(target))?;
        // Polled while a call runs (a single-threaded runtime runs its tasks in `block_on`).
        let task = rt.spawn(async move {
            let _ = connection.await;
        });
        Ok(BlockingClient {
            client,
            driver: Driver {
                task: Some(task),
                rt,
            },
            interrupt,
        })
    }

    /// Runs `call` on the client and waits for it, or for the interrupt: then the statement
    /// is cancelled (a cancel request on a connection of its own, as `pg_cancel_backend`
    /// would) and the call ends with [`DbError::Interrupted`] without waiting for the
    /// server, which may never answer. After the interrupt every call ends so at once.
    pub fn call<'a, F: Future>(
        &'a self,
        call: impl FnOnce(&'a Client) -> F,
    ) -> Result<F::Output, DbError> {
        let waiting = or_interrupted(&self.client, &self.interrupt, call(&self.client));
        self.driver.rt.block_on(waiting)
    }
}

/// Awaits `call` on `client`, or `interrupt`: then the client's statement is cancelled (a
/// cancel request on a connection of its own, within a deadline of its own) and the wait
/// ends with [`DbError::Interrupted`], whether or not the server ever answers.
pub async fn or_interrupted<F: Future>(
    client: &Client,
    interrupt: &Interrupt,
    call: F,
) -> Result<F::Output, DbError> {
    tokio::select! {
        biased;
        () = interrupt.raised() => {
            let token = client.cancel_token();
            let _ = tokio::time::timeout(CANCEL_DEADLINE, token.cancel_query(NoTls)).await;
            Err(DbError::Interrupted)
        }
        out = call => Ok(out),
    }
}

impl Drop for Driver {
    /// Lets the connection end (briefly) before the runtime stops it.
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            // The timer is made inside the runtime (`async`): it needs the runtime's clock.
            self.rt.block_on(async {
                let _ = tokio::time::timeout(Duration::from_millis(200), task).await;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::pg_async::AsyncPgPool;

    /// A port where connections are taken and never answered; they stay open for the test.
    fn silent_server() -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming() {
                held.push(stream);
            }
        });
        port
    }

    /// The cancel request's code (PostgreSQL's protocol: 1234 in the high half, 5678 low).
    const CANCEL_REQUEST: u32 = 80_877_102;

    /// A server that completes the handshake and then never answers a query; the receiver
    /// hears the code of each later connection's first message (a cancel request's).
    fn server_that_never_answers() -> (u16, std::sync::mpsc::Receiver<u32>) {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("address").port();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for (n, stream) in listener.incoming().enumerate() {
                let Ok(mut stream) = stream else { continue };
                let mut head = [0u8; 8];
                if stream.read_exact(&mut head).is_err() {
                    continue;
                }
                let length = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
                let mut rest = vec![0u8; (length as usize).saturating_sub(8)];
                let _ = stream.read_exact(&mut rest);
                if n == 0 {
                    // AuthenticationOk, BackendKeyData (pid 7, secret 9), ReadyForQuery.
                    let mut hello = vec![b'R', 0, 0, 0, 8, 0, 0, 0, 0];
                    hello.extend([b'K', 0, 0, 0, 12, 0, 0, 0, 7, 0, 0, 0, 9]);
                    hello.extend([b'Z', 0, 0, 0, 5, b'I']);
                    let _ = stream.write_all(&hello);
                } else {
                    let _ = tx.send(u32::from_be_bytes([head[4], head[5], head[6], head[7]]));
                }
                held.push(stream);
            }
        });
        (port, rx)
    }

    #[test]
    fn an_interrupt_ends_a_statement_the_server_never_answers_and_cancels_it() {
        let (port, cancels) = server_that_never_answers();
        let url = format!("postgres://u@127.0.0.1:{port}/x?connect_timeout=5");
        let interrupt = Interrupt::default();
        let target = Target::parse(&url).expect("url");
        let client = BlockingClient::connect_watching(&target, interrupt.clone()).expect("connect");
        let raiser = interrupt.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            raiser.raise();
        });
        let result = client.call(|c| c.batch_execute("SELECT pg_sleep(1000)"));
        assert!(matches!(result, Err(DbError::Interrupted)), "{result:?}");
        let code = cancels
            .recv_timeout(Duration::from_secs(5))
            .expect("a cancel request");
        assert_eq!(code, CANCEL_REQUEST);
        // Once interrupted, a call ends at once instead of waiting for the server.
        let again = client.call(|c| c.batch_execute("SELECT 1"));
        assert!(matches!(again, Err(DbError::Interrupted)), "{again:?}");
    }

    fn assert_timed_out(result: Result<(), DbError>, port: u16) {
        let err = result.expect_err("a silent server cannot be connected to");
        assert!(err.is_input(), "an unreachable server is bad input: {err}");
        let text = err.to_string();
        let expected = format!("PostgreSQL at 127.0.0.1:{port} did not answer within 1 s");
        assert!(text.starts_with(&expected), "{text}");
        assert!(text.contains("connect_timeout"), "{text}");
    }

    #[test]
    fn the_deadline_is_ten_seconds_unless_the_url_sets_one() {
        let default = Target::parse("postgres://u@db.example/x").expect("url");
        assert_eq!(default.deadline(), Duration::from_secs(10));
        assert_eq!(default.address(), "db.example:5432");
        let set = Target::parse("postgres://u@h:6000/x?connect_timeout=3").expect("url");
        assert_eq!(set.deadline(), Duration::from_secs(3));
        assert_eq!(set.address(), "h:6000");
    }

    #[test]
    fn a_blocking_connect_to_a_silent_server_ends_at_its_deadline() {
        let port = silent_server();
        let url = format!("postgres://u@127.0.0.1:{port}/x?connect_timeout=1");
        let result = Target::parse(&url).and_then(|t| BlockingClient::connect(&t).map(drop));
        assert_timed_out(result, port);
        let result = crate::db::postgres::connect(&url).map(drop);
        assert_timed_out(result, port);
    }

    #[test]
    fn an_async_connect_to_a_silent_server_ends_at_its_deadline() {
        let port = silent_server();
        let url = format!("postgres://u@127.0.0.1:{port}/x?connect_timeout=1");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let pool = AsyncPgPool::new(&url);
        let result = rt.block_on(pool.get()).map(drop);
        assert_timed_out(result, port);
    }
}
