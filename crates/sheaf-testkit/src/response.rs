//! Scripted responses and the ways the server can misbehave while sending them.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::TestkitError;

/// The sending mode of a [`Response`]: well-formed, or one of the faults of hostile servers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Behaviour {
    /// A well-formed response with `Content-Length`; the connection stays open for more requests
    /// unless the client asked to close it.
    #[default]
    Normal,
    /// Sends the head at once, then the body one byte per `interval` (a slow server), then closes.
    Drip {
        /// Pause before each body byte.
        interval: Duration,
    },
    /// Sends the head without `Content-Length`, then the body over and over until the client
    /// closes the connection or the server stops. An empty body is replaced by spaces.
    Endless,
    /// Reads the request and never responds; the connection stays open until the client closes it
    /// or the server stops.
    Silent,
    /// Announces `Content-Length: claimed`, sends the real (shorter) body, then closes.
    LyingLength {
        /// The length announced in the header.
        claimed: usize,
    },
    /// Reads the request, then closes the connection without sending a byte.
    CloseEarly,
    /// Sends the body with `Transfer-Encoding: chunked`, in chunks of at most `chunk_size` bytes.
    Chunked {
        /// Maximum bytes per chunk (0 is treated as 1).
        chunk_size: usize,
    },
    /// Ignores the body and sends a gzip stream (`Content-Encoding: gzip`, correct
    /// `Content-Length`) that expands to `decompressed` zero bytes, about a thousand times its
    /// own size.
    GzipBomb {
        /// Size of the decompressed content in bytes.
        decompressed: u64,
    },
}

/// One scripted HTTP response.
///
/// The server adds `Date` and, for [`Behaviour::Normal`], `Content-Length` unless the response
/// sets them itself, so a test can send a fixed `Date` or a false length on purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Header fields in the order they are sent.
    pub headers: Vec<(String, String)>,
    /// The body bytes, sent as they are.
    pub body: Vec<u8>,
    /// The sending mode.
    pub behaviour: Behaviour,
}

impl Response {
    /// Creates a response with `code` and an empty body.
    pub fn status(code: u16) -> Response {
        Response {
            status: code,
            headers: Vec::new(),
            body: Vec::new(),
            behaviour: Behaviour::Normal,
        }
    }

    /// Creates a `200 OK` with `body` and the given `Content-Type`.
    pub fn ok(body: impl Into<Vec<u8>>, content_type: &str) -> Response {
        Response::status(200)
            .header("Content-Type", content_type)
            .body(body)
    }

    /// Creates a `200 OK` with `Content-Type: text/xml` and no charset parameter, so the body's own
    /// XML declaration or byte-order mark decides its encoding.
    pub fn xml(body: impl Into<Vec<u8>>) -> Response {
        Response::ok(body, "text/xml")
    }

    /// Creates a `200 OK` whose body is the file at `path`, with a `Content-Type` chosen by the file
    /// name's extension.
    ///
    /// # Panics
    ///
    /// Panics when the file cannot be read; use [`Response::try_file`] to handle that.
    pub fn file(path: impl AsRef<Path>) -> Response {
        match Response::try_file(path) {
            Ok(response) => response,
            Err(error) => panic!("{error}"),
        }
    }

    /// Creates a `200 OK` whose body is the file at `path`, like [`Response::file`].
    ///
    /// # Errors
    ///
    /// Returns [`TestkitError::ReadFile`] when the file cannot be read.
    pub fn try_file(path: impl AsRef<Path>) -> Result<Response, TestkitError> {
        let path = path.as_ref();
        let body = std::fs::read(path).map_err(|source| TestkitError::ReadFile {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Response::ok(body, content_type_for(path)))
    }

    /// Creates a redirect with status `code` (such as 301 or 302) to `location`.
    pub fn redirect(code: u16, location: &str) -> Response {
        Response::status(code).header("Location", location)
    }

    /// Adds a header field; earlier fields with the same name are kept.
    pub fn header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Replaces the body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Response {
        self.body = body.into();
        self
    }

    /// Sets how the response is sent.
    pub fn behaviour(mut self, behaviour: Behaviour) -> Response {
        self.behaviour = behaviour;
        self
    }

    /// Compresses the body with gzip and adds `Content-Encoding: gzip`.
    pub fn gzip(mut self) -> Response {
        self.body = gzip_bytes(&self.body);
        self.header("Content-Encoding", "gzip")
    }

    /// Returns the value of the first header named `name`, compared case-insensitively.
    pub fn header_value(&self, name: &str) -> Option<&str> {
        let mut values = self
            .headers
            .iter()
            .filter(|(key, _)| key.eq_ignore_ascii_case(name));
        values.next().map(|(_, value)| value.as_str())
    }
}

/// Compresses `data` into one gzip member.
pub(crate) fn gzip_bytes(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(data.len() / 4 + 64), Compression::fast());
    // `Vec<u8>` as `io::Write` never returns an error.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

/// Chooses a `Content-Type` from a file name's extension.
fn content_type_for(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    match extension.to_ascii_lowercase().as_str() {
        "xml" => "text/xml",
        "rss" => "application/rss+xml",
        "atom" => "application/atom+xml",
        "json" => "application/json",
        "html" | "htm" => "text/html",
        "txt" => "text/plain",
        _ => "application/octet-stream",
    }
}

/// Returns the standard reason phrase for a status code.
pub(crate) fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        413 => "Content Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_sets_header_and_round_trips() {
        let response = Response::xml("<a>hello</a>").gzip();
        assert_eq!(response.header_value("content-encoding"), Some("gzip"));
        let mut decoded = String::new();
        let mut decoder = flate2::read::GzDecoder::new(response.body.as_slice());
        std::io::Read::read_to_string(&mut decoder, &mut decoded).unwrap();
        assert_eq!(decoded, "<a>hello</a>");
    }

    #[test]
    fn content_type_follows_extension() {
        assert_eq!(content_type_for(Path::new("a/feed.XML")), "text/xml");
        assert_eq!(content_type_for(Path::new("feed.json")), "application/json");
        assert_eq!(
            content_type_for(Path::new("blob")),
            "application/octet-stream"
        );
    }

    #[test]
    fn try_file_names_missing_path() {
        let error = Response::try_file("/nonexistent/testkit.xml").unwrap_err();
        assert!(
            error.to_string().contains("/nonexistent/testkit.xml"),
            "{error}"
        );
    }
}
