//! Writing a [`Response`] to the socket according to its [`Behaviour`].

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use crate::gzip_bomb::GzipBomb;
use crate::request::{POLL_INTERVAL, is_timeout};
use crate::response::reason_phrase;
use crate::{Behaviour, RecordedRequest, Response};

/// Minimum size of each write of [`Behaviour::Endless`], so a short body does not cost one
/// system call per copy.
const ENDLESS_BLOCK: usize = 64 * 1024;

/// The state of the connection after a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum After {
    KeepOpen,
    Close,
}

/// Sends `response` for `request` and returns whether the connection may serve another request.
///
/// `client_close` is whether the client asked to close the connection after this response.
pub(crate) fn send(
    stream: &mut TcpStream,
    request: &RecordedRequest,
    response: &Response,
    client_close: bool,
    stop: &AtomicBool,
) -> After {
    let mut out = Sink { stream, stop };
    let result = match &response.behaviour {
        Behaviour::Normal => send_normal(&mut out, request, response, client_close),
        Behaviour::Drip { interval } => send_drip(&mut out, response, *interval),
        Behaviour::Endless => send_endless(&mut out, response),
        Behaviour::Silent => {
            out.wait_for_close();
            Ok(After::Close)
        }
        Behaviour::LyingLength { claimed } => {
            let head = head(response, &[("Content-Length", claimed.to_string())], true);
            out.write(&head)
                .and_then(|()| out.write(&response.body))
                .map(|()| After::Close)
        }
        Behaviour::CloseEarly => Ok(After::Close),
        Behaviour::Chunked { chunk_size } => {
            send_chunked(&mut out, request, response, *chunk_size, client_close)
        }
        Behaviour::GzipBomb { decompressed } => send_bomb(&mut out, response, *decompressed),
    };
    result.unwrap_or(After::Close)
}

fn send_normal(
    out: &mut Sink<'_>,
    request: &RecordedRequest,
    response: &Response,
    client_close: bool,
) -> io::Result<After> {
    let has_body = status_has_body(response.status);
    let mut extra = Vec::new();
    if has_body && response.header_value("content-length").is_none() {
        extra.push(("Content-Length", response.body.len().to_string()));
    }
    let mut bytes = head(response, &extra, client_close);
    if has_body && request.method != "HEAD" {
        bytes.extend_from_slice(&response.body);
    }
    out.write(&bytes)?;
    Ok(if client_close {
        After::Close
    } else {
        After::KeepOpen
    })
}

fn send_drip(out: &mut Sink<'_>, response: &Response, interval: Duration) -> io::Result<After> {
    let length = ("Content-Length", response.body.len().to_string());
    out.write(&head(response, &[length], true))?;
    for byte in &response.body {
        out.pause(interval)?;
        out.write(std::slice::from_ref(byte))?;
    }
    Ok(After::Close)
}

fn send_endless(out: &mut Sink<'_>, response: &Response) -> io::Result<After> {
    out.write(&head(response, &[], true))?;
    let unit: &[u8] = if response.body.is_empty() {
        b" "
    } else {
        &response.body
    };
    // Whole copies only, so the stream stays an exact repetition of the body.
    let block = unit.repeat(ENDLESS_BLOCK.div_ceil(unit.len()));
    loop {
        out.write(&block)?;
    }
}

fn send_chunked(
    out: &mut Sink<'_>,
    request: &RecordedRequest,
    response: &Response,
    chunk_size: usize,
    client_close: bool,
) -> io::Result<After> {
    let encoding = ("Transfer-Encoding", "chunked".to_string());
    out.write(&head(response, &[encoding], client_close))?;
    if request.method != "HEAD" {
        for chunk in response.body.chunks(chunk_size.max(1)) {
            let mut bytes = format!("{:x}\r\n", chunk.len()).into_bytes();
            bytes.extend_from_slice(chunk);
            bytes.extend_from_slice(b"\r\n");
            out.write(&bytes)?;
        }
        out.write(b"0\r\n\r\n")?;
    }
    Ok(if client_close {
        After::Close
    } else {
        After::KeepOpen
    })
}

fn send_bomb(out: &mut Sink<'_>, response: &Response, decompressed: u64) -> io::Result<After> {
    let bomb = GzipBomb::new(decompressed);
    let extra = [
        ("Content-Encoding", "gzip".to_string()),
        ("Content-Length", bomb.len().to_string()),
    ];
    out.write(&head(response, &extra, true))?;
    bomb.write_to(|bytes| out.write(bytes))?;
    Ok(After::Close)
}

/// Returns whether responses with this status carry a body.
fn status_has_body(status: u16) -> bool {
    !(status < 200 || status == 204 || status == 304)
}

/// Formats the status line and headers: the response's own, then `extra` for names the response
/// does not set, then `Date` when absent, then `Connection: close` when `close` is set.
fn head(response: &Response, extra: &[(&str, String)], close: bool) -> Vec<u8> {
    let status = response.status;
    let mut text = format!("HTTP/1.1 {status} {}\r\n", reason_phrase(status));
    for (name, value) in &response.headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    for (name, value) in extra {
        if response.header_value(name).is_none() {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    if response.header_value("date").is_none() {
        text.push_str(&format!(
            "Date: {}\r\n",
            httpdate::fmt_http_date(SystemTime::now())
        ));
    }
    if close && response.header_value("connection").is_none() {
        text.push_str("Connection: close\r\n");
    }
    text.push_str("\r\n");
    text.into_bytes()
}

/// A socket with a write timeout of [`POLL_INTERVAL`], written so that a stopping server
/// interrupts a client that stopped reading.
struct Sink<'a> {
    stream: &'a mut TcpStream,
    stop: &'a AtomicBool,
}

impl Sink<'_> {
    fn write(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            self.check_stop()?;
            match self.stream.write(bytes) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => bytes = &bytes[n..],
                Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn pause(&self, duration: Duration) -> io::Result<()> {
        let started = Instant::now();
        loop {
            self.check_stop()?;
            let left = duration.saturating_sub(started.elapsed());
            if left.is_zero() {
                return Ok(());
            }
            std::thread::sleep(left.min(POLL_INTERVAL));
        }
    }

    /// Discards whatever the client sends until it closes the connection or the server stops.
    fn wait_for_close(&mut self) {
        let mut scratch = [0u8; 4096];
        while self.check_stop().is_ok() {
            match self.stream.read(&mut scratch) {
                Ok(0) => return,
                Ok(_) => {}
                Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return,
            }
        }
    }

    fn check_stop(&self) -> io::Result<()> {
        if self.stop.load(Ordering::SeqCst) {
            return Err(io::Error::other("test server stopping"));
        }
        Ok(())
    }
}
