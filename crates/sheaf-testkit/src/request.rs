//! Parsing and recording of the requests the test server receives.

use std::io::Read;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Maximum size of a request head (request line and headers); larger heads are rejected.
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Maximum request body that is read and recorded; larger bodies are rejected.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// How often a blocked read wakes up to check whether the server is stopping.
pub(crate) const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// One request as the server received it.
///
/// Query parameters are kept both raw (`query`) and decoded (`params`). For a `POST` with
/// `Content-Type: application/x-www-form-urlencoded`, as OAI-PMH allows, the decoded form fields
/// are appended to `params` after those of the query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The method, such as `GET`.
    pub method: String,
    /// The request target as sent, such as `/oai?verb=Identify`.
    pub target: String,
    /// The path part of the target, not percent-decoded.
    pub path: String,
    /// The query string after `?` as sent, not decoded; empty when there is none.
    pub query: String,
    /// Decoded query parameters (and form fields) in order, repeats kept.
    pub params: Vec<(String, String)>,
    /// Header fields in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The request body (read according to `Content-Length`).
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// Returns the first decoded value of the query parameter or form field `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        let mut values = self.params.iter().filter(|(key, _)| key == name);
        values.next().map(|(_, value)| value.as_str())
    }

    /// Returns the value of the first header named `name`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        let mut values = self
            .headers
            .iter()
            .filter(|(key, _)| key.eq_ignore_ascii_case(name));
        values.next().map(|(_, value)| value.as_str())
    }

    /// Returns whether the client asked to close the connection after this request.
    pub(crate) fn wants_close(&self, http_10: bool) -> bool {
        match self.header("connection") {
            Some(value) if value.eq_ignore_ascii_case("close") => true,
            Some(value) if value.eq_ignore_ascii_case("keep-alive") => false,
            _ => http_10,
        }
    }
}

/// The failure to read a request from a connection.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The peer closed the connection, the server is stopping, or the connection stayed idle.
    Closed,
    /// The request was malformed; the status to answer with and a short reason.
    Malformed(u16, &'static str),
}

/// A parsed request plus whether it was HTTP/1.0.
pub(crate) struct Incoming {
    pub request: RecordedRequest,
    pub http_10: bool,
}

/// Reads one request from `stream`, keeping bytes that follow it in `buffer` for the next one.
///
/// The stream must have a read timeout of [`POLL_INTERVAL`]; each timeout checks `stop` and
/// `idle_limit`, so a silent client cannot hold the thread after the server stops.
pub(crate) fn read_request(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    stop: &AtomicBool,
    idle_limit: Duration,
) -> Result<Incoming, ReadError> {
    let started = Instant::now();
    let head_end = loop {
        if let Some(end) = find_head_end(buffer) {
            break end;
        }
        if buffer.len() > MAX_HEAD_BYTES {
            return Err(ReadError::Malformed(431, "request head too large"));
        }
        fill(stream, buffer, stop, started, idle_limit)?;
    };

    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let (method, target, http_10, headers) = parse_head(&head)?;
    let content_length = match headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
    {
        Some((_, value)) => value
            .trim()
            .parse::<usize>()
            .map_err(|_| ReadError::Malformed(400, "invalid Content-Length"))?,
        None => 0,
    };
    if content_length > MAX_BODY_BYTES {
        return Err(ReadError::Malformed(413, "request body too large"));
    }
    let body_start = head_end + 4;
    while buffer.len() < body_start + content_length {
        fill(stream, buffer, stop, started, idle_limit)?;
    }
    let body = buffer[body_start..body_start + content_length].to_vec();
    buffer.drain(..body_start + content_length);

    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path.to_string(), query.to_string()),
        None => (target.clone(), String::new()),
    };
    let mut params = decode_form(&query);
    let is_form = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("content-type")
            && v.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
    });
    if method == "POST" && is_form {
        params.extend(decode_form(&String::from_utf8_lossy(&body)));
    }
    let request = RecordedRequest {
        method,
        target,
        path,
        query,
        params,
        headers,
        body,
    };
    Ok(Incoming { request, http_10 })
}

/// Reads more bytes into `buffer`, polling `stop` while the peer is quiet.
fn fill(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    stop: &AtomicBool,
    started: Instant,
    idle_limit: Duration,
) -> Result<(), ReadError> {
    let mut chunk = [0u8; 8192];
    loop {
        if stop.load(Ordering::SeqCst) || started.elapsed() > idle_limit {
            return Err(ReadError::Closed);
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Err(ReadError::Closed),
            Ok(n) => {
                buffer.extend_from_slice(&chunk[..n]);
                return Ok(());
            }
            Err(e) if is_timeout(&e) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(ReadError::Closed),
        }
    }
}

/// Returns whether a read error is the expiry of the socket's read timeout.
pub(crate) fn is_timeout(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

fn find_head_end(buffer: &[u8]) -> Option<usize> {
    buffer.windows(4).position(|w| w == b"\r\n\r\n")
}

type Head = (String, String, bool, Vec<(String, String)>);

fn parse_head(head: &str) -> Result<Head, ReadError> {
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Malformed(400, "invalid request line"));
    };
    if !version.starts_with("HTTP/1.") || method.is_empty() || target.is_empty() {
        return Err(ReadError::Malformed(400, "invalid request line"));
    }
    let mut headers = Vec::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(ReadError::Malformed(400, "invalid header line"));
        };
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    Ok((
        method.to_string(),
        target.to_string(),
        version == "HTTP/1.0",
        headers,
    ))
}

/// Decodes `application/x-www-form-urlencoded` text: `&`-separated pairs, `+` as space,
/// percent escapes decoded as UTF-8 (invalid sequences replaced by U+FFFD).
pub fn decode_form(text: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for pair in text.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        pairs.push((decode_component(name), decode_component(value)));
    }
    pairs
}

fn decode_component(text: &str) -> String {
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_form_handles_plus_and_escapes() {
        let pairs = decode_form("verb=ListRecords&from=2025-12-01T00%3A00%3A00Z&q=a+b&flag");
        assert_eq!(pairs[0], ("verb".to_string(), "ListRecords".to_string()));
        assert_eq!(
            pairs[1],
            ("from".to_string(), "2025-12-01T00:00:00Z".to_string())
        );
        assert_eq!(pairs[2], ("q".to_string(), "a b".to_string()));
        assert_eq!(pairs[3], ("flag".to_string(), String::new()));
        assert_eq!(pairs.len(), 4);
    }

    #[test]
    fn parse_head_rejects_bad_request_line() {
        assert!(parse_head("GET /\r\nHost: x").is_err());
        assert!(parse_head("GET / SPDY/3").is_err());
        let (method, target, http_10, headers) = parse_head("GET /a?b=c HTTP/1.0\r\nX: y").unwrap();
        assert_eq!(method, "GET");
        assert_eq!(target, "/a?b=c");
        assert!(http_10);
        assert_eq!(headers, vec![("X".to_string(), "y".to_string())]);
    }
}
