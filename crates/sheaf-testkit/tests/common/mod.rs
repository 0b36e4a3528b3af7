//! A deliberately plain HTTP/1.1 client over `std::net::TcpStream`, so the server is tested
//! without any HTTP library that could hide its mistakes.
// Each test binary uses only some helpers, and helpers outside #[test] functions may unwrap.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use sheaf_testkit::TestServer;

/// A parsed response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        let mut values = self
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name));
        values.next().map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("body is UTF-8")
    }
}

/// Opens a connection with a 10 s read and write timeout.
pub fn connect(server: &TestServer) -> TcpStream {
    let stream = TcpStream::connect(server.address()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

/// Sends `GET target` with `Connection: close` and extra header lines, and parses the reply.
pub fn get_with(server: &TestServer, target: &str, extra_headers: &[&str]) -> Reply {
    let mut request = format!("GET {target} HTTP/1.1\r\nHost: {}\r\n", server.address());
    for line in extra_headers {
        request.push_str(line);
        request.push_str("\r\n");
    }
    request.push_str("Connection: close\r\n\r\n");
    let mut stream = connect(server);
    stream.write_all(request.as_bytes()).unwrap();
    parse_reply(&read_to_close(&mut stream))
}

pub fn get(server: &TestServer, target: &str) -> Reply {
    get_with(server, target, &[])
}

/// Reads until the server closes the connection.
pub fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut bytes = Vec::new();
    match stream.read_to_end(&mut bytes) {
        Ok(_) => bytes,
        Err(e) if e.kind() == ErrorKind::ConnectionReset => bytes,
        Err(e) => panic!("reading the reply failed after {} bytes: {e}", bytes.len()),
    }
}

/// Reads exactly one response from a keep-alive connection (Content-Length bodies only).
pub fn read_one(stream: &mut TcpStream) -> Reply {
    let mut bytes = Vec::new();
    let mut byte = [0u8; 1];
    while !bytes.ends_with(b"\r\n\r\n") {
        assert_eq!(
            stream.read(&mut byte).unwrap(),
            1,
            "connection closed inside the head"
        );
        bytes.push(byte[0]);
    }
    let (status, headers) = parse_head(&bytes);
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.parse().unwrap())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).unwrap();
    Reply {
        status,
        headers,
        body,
    }
}

/// Splits a full reply into head and body, decoding a chunked body.
pub fn parse_reply(bytes: &[u8]) -> Reply {
    let end = head_end(bytes).expect("reply has a complete head");
    let (status, headers) = parse_head(&bytes[..end]);
    let mut body = bytes[end..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v == "chunked");
    if chunked {
        body = decode_chunked(&body);
    }
    Reply {
        status,
        headers,
        body,
    }
}

/// Returns the position just after the blank line ending the head.
pub fn head_end(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4)
}

fn parse_head(head: &[u8]) -> (u16, Vec<(String, String)>) {
    let text = String::from_utf8(head.to_vec()).unwrap();
    let mut lines = text.split("\r\n").filter(|line| !line.is_empty());
    let status_line = lines.next().unwrap();
    assert!(status_line.starts_with("HTTP/1.1 "), "{status_line}");
    let status = status_line[9..12].parse().unwrap();
    let headers = lines
        .map(|line| {
            let (k, v) = line.split_once(':').unwrap();
            (k.trim().to_string(), v.trim().to_string())
        })
        .collect();
    (status, headers)
}

fn decode_chunked(mut bytes: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    loop {
        let line_end = bytes.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&bytes[..line_end]).unwrap(), 16).unwrap();
        bytes = &bytes[line_end + 2..];
        if size == 0 {
            assert_eq!(bytes, b"\r\n", "chunked body ends with an empty trailer");
            return body;
        }
        body.extend_from_slice(&bytes[..size]);
        assert_eq!(&bytes[size..size + 2], b"\r\n");
        bytes = &bytes[size + 2..];
    }
}

/// Decompresses a gzip body.
pub fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// Returns the text between `<name ...>` and `</name>` of the first such element, if any.
pub fn element<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = xml.find(&format!("<{name}"))?;
    let start = open + xml[open..].find('>')? + 1;
    if xml[..start].ends_with("/>") {
        return Some("");
    }
    let end = start + xml[start..].find(&format!("</{name}>"))?;
    Some(&xml[start..end])
}

/// Returns the text of every `<name>` element.
pub fn elements<'a>(xml: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let mut found = Vec::new();
    let mut rest = xml;
    while let Some(position) = rest.find(&open) {
        let start = position + open.len();
        let end = start + rest[start..].find(&close).unwrap();
        found.push(&rest[start..end]);
        rest = &rest[end..];
    }
    found
}

/// Returns the code of the OAI-PMH error in `xml`, if any.
pub fn oai_error(xml: &str) -> Option<&str> {
    let start = xml.find("<error code=\"")? + "<error code=\"".len();
    let end = start + xml[start..].find('"')?;
    Some(&xml[start..end])
}

/// Percent-encodes a query value (all but unreserved characters).
pub fn encode(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
