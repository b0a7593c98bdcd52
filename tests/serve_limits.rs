//! `serve-api` keeps no connection forever: a silent connection is closed after the idle
//! timeout, unfinished headers after the header timeout, clients beyond the connection cap
//! get 503 at once (even when idle sockets have used up the open-file limit), and Ctrl-C
//! ends the server with exit code 130.

mod common;
use common::bin;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A running `serve-api` and its address; killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve-api ARGS` with at most `files` open files, once it is listening.
fn serve(args: &[&str], files: Option<u64>) -> Server {
    let mut command = bin();
    command
        .arg("serve-api")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(files) = files {
        // SAFETY: runs in the child between fork and exec; setrlimit is async-signal-safe
        // and the struct lives on the child's stack.
        unsafe {
            command.pre_exec(move || {
                let limit = libc::rlimit {
                    rlim_cur: files,
                    rlim_max: files,
                };
                match libc::setrlimit(libc::RLIMIT_NOFILE, &limit) {
                    0 => Ok(()),
                    _ => Err(std::io::Error::last_os_error()),
                }
            });
        }
    }
    let mut child = command.spawn().expect("start serve-api");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("listening line");
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("{line}"))
        .to_string();
    Server { child, addr }
}

/// A connection with a read timeout long enough that only a hang reaches it.
fn connect(server: &Server) -> TcpStream {
    let stream = TcpStream::connect(&server.addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("read timeout");
    stream
}

/// Reads until the server closes; an error (the read timeout) means it never did.
fn read_until_closed(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut text = Vec::new();
    stream.read_to_end(&mut text)?;
    Ok(String::from_utf8_lossy(&text).into_owned())
}

/// The response to `GET /health` on a new connection, up to the end of its headers.
fn health(server: &Server) -> std::io::Result<String> {
    let mut stream = connect(server);
    stream.write_all(b"GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")?;
    read_until_closed(&mut stream)
}

#[test]
fn a_silent_connection_is_closed_after_the_idle_timeout() {
    let server = serve(&["--idle-timeout", "300ms"], None);
    let mut silent = connect(&server);
    let text = read_until_closed(&mut silent).expect("the server closes a silent connection");
    assert!(text.is_empty(), "{text}");
    // A kept-alive connection is closed too once its last answer is that old.
    let mut kept = connect(&server);
    kept.write_all(b"GET /health HTTP/1.1\r\nhost: x\r\n\r\n")
        .expect("request");
    let text = read_until_closed(&mut kept).expect("closed after the answer and the wait");
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
}

#[test]
fn unfinished_headers_are_closed_after_the_header_timeout() {
    let server = serve(&["--header-timeout", "300ms"], None);
    let mut slow = connect(&server);
    slow.write_all(b"GET /health HTTP/1.1\r\nhost: x\r\n")
        .expect("half the headers");
    read_until_closed(&mut slow).expect("the server closes a request that never ends");
}

#[test]
fn idle_connections_do_not_keep_a_new_client_out() {
    // As many idle sockets as the open-file limit allows (and more): the server refuses
    // the clients beyond its cap instead of running out of descriptors.
    let server = serve(&[], Some(64));
    let idle: Vec<TcpStream> = (0..100).map(|_| connect(&server)).collect();
    let text = health(&server).expect("a new client gets an answer");
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("too many connections"), "{text}");
    drop(idle);
    // With the idle sockets gone, clients are served again.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = health(&server).expect("an answer");
        if text.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(Instant::now() < deadline, "still refused: {text}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_connection_cap_is_a_flag() {
    let server = serve(&["--max-connections", "2"], None);
    // Accepted in the order they connected: these two first.
    let idle: Vec<TcpStream> = (0..2).map(|_| connect(&server)).collect();
    let text = health(&server).expect("a third client gets an answer");
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    drop(idle);
}

#[test]
fn ctrl_c_ends_serve_api_with_130() {
    let mut server = serve(&[], None);
    // SAFETY: kill(2) of our own child; no memory effects.
    unsafe { libc::kill(server.child.id() as i32, libc::SIGINT) };
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("poll") {
            break status;
        }
        assert!(Instant::now() < deadline, "serve-api did not stop");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(130));
}
