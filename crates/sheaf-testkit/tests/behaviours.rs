//! Each `Behaviour` on the wire, observed with a plain TCP client that has timeouts.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{connect, head_end, parse_reply, read_to_close};
use sheaf_testkit::{Behaviour, Response, Route, Routes, TestServer};

fn serve(response: Response) -> TestServer {
    TestServer::start(Routes::new().route(Route::new("/x").respond(response)))
}

fn send_get(server: &TestServer) -> TcpStream {
    let mut stream = connect(server);
    stream
        .write_all(b"GET /x HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("request sent");
    stream
}

/// Reads until the head is complete and returns it with any body bytes read along.
fn read_head(stream: &mut TcpStream) -> (String, Vec<u8>) {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = head_end(&bytes) {
            let head = String::from_utf8(bytes[..end].to_vec()).expect("head is UTF-8");
            return (head, bytes[end..].to_vec());
        }
        let n = stream.read(&mut chunk).expect("head arrives");
        assert!(n > 0, "connection closed inside the head");
        bytes.extend_from_slice(&chunk[..n]);
    }
}

#[test]
fn drip_sends_body_slowly_then_closes() {
    let interval = Duration::from_secs(1);
    let server = serve(Response::xml("ab").behaviour(Behaviour::Drip { interval }));
    let mut stream = send_get(&server);
    let (head, early) = read_head(&mut stream);
    assert!(head.contains("Content-Length: 2\r\n"), "{head}");
    assert!(head.contains("Connection: close\r\n"), "{head}");
    assert!(early.is_empty(), "no body byte before the first interval");

    // The first byte is a whole interval away, so a short read times out.
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut byte = [0u8; 1];
    let error = stream.read(&mut byte).unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{error}"
    );

    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    assert_eq!(read_to_close(&mut stream), b"ab");
}

#[test]
fn endless_repeats_body_without_length() {
    let server = serve(Response::xml("<a>").behaviour(Behaviour::Endless));
    let mut stream = send_get(&server);
    let (head, mut body) = read_head(&mut stream);
    assert!(
        !head.to_ascii_lowercase().contains("content-length"),
        "{head}"
    );
    let mut chunk = [0u8; 65536];
    while body.len() < 3 * 1024 * 1024 {
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "endless body ended after {} bytes", body.len());
        body.extend_from_slice(&chunk[..n]);
    }
    let whole = body.len() / 3 * 3;
    assert!(body[..whole].chunks(3).all(|unit| unit == b"<a>"));
    drop(stream);
    drop(server);
}

#[test]
fn endless_empty_body_sends_spaces() {
    let server = serve(Response::status(200).behaviour(Behaviour::Endless));
    let mut stream = send_get(&server);
    let (_, mut body) = read_head(&mut stream);
    let mut chunk = [0u8; 65536];
    while body.len() < 100_000 {
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0);
        body.extend_from_slice(&chunk[..n]);
    }
    assert!(body.iter().all(|&b| b == b' '));
}

#[test]
fn silent_records_request_but_never_answers() {
    let server = serve(Response::xml("never sent").behaviour(Behaviour::Silent));
    let mut stream = send_get(&server);
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut buffer = [0u8; 16];
    let error = stream.read(&mut buffer).unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{error}"
    );
    assert_eq!(server.requests().len(), 1);
    assert_eq!(server.requests()[0].path, "/x");
    // Dropping the server with the connection still open must not hang.
    drop(server);
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    assert_eq!(read_to_close(&mut stream), b"");
}

#[test]
fn lying_length_sends_less_then_closes() {
    let server = serve(Response::xml("short").behaviour(Behaviour::LyingLength { claimed: 1000 }));
    let mut stream = send_get(&server);
    let bytes = read_to_close(&mut stream);
    let reply = parse_reply(&bytes);
    assert_eq!(reply.header("Content-Length"), Some("1000"));
    assert_eq!(reply.body, b"short");
}

#[test]
fn close_early_sends_nothing() {
    let server = serve(Response::xml("unsent").behaviour(Behaviour::CloseEarly));
    let mut stream = send_get(&server);
    let mut buffer = [0u8; 16];
    match stream.read(&mut buffer) {
        Ok(n) => assert_eq!(n, 0, "server sent {n} bytes"),
        Err(e) => assert_eq!(e.kind(), ErrorKind::ConnectionReset),
    }
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn chunked_body_reassembles() {
    let body = "0123456789".repeat(10);
    let server = serve(Response::xml(body.clone()).behaviour(Behaviour::Chunked { chunk_size: 7 }));
    let mut stream = connect(&server);
    stream
        .write_all(b"GET /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let bytes = read_to_close(&mut stream);
    let raw = String::from_utf8(bytes.clone()).unwrap();
    assert!(raw.contains("Transfer-Encoding: chunked\r\n"), "{raw}");
    assert!(raw.contains("\r\n7\r\n0123456\r\n"), "{raw}");
    assert_eq!(parse_reply(&bytes).text(), body);
}

#[test]
fn gzip_bomb_expands_to_claimed_size() {
    let decompressed = 20 * 1024 * 1024 + 17;
    let server = serve(
        Response::status(200)
            .header("Content-Type", "text/xml")
            .behaviour(Behaviour::GzipBomb { decompressed }),
    );
    let mut stream = send_get(&server);
    let reply = parse_reply(&read_to_close(&mut stream));
    assert_eq!(reply.header("Content-Encoding"), Some("gzip"));
    let length: usize = reply.header("Content-Length").unwrap().parse().unwrap();
    assert_eq!(length, reply.body.len());
    assert!(length < 100 * 1024, "compressed size {length}");

    let mut decoder = flate2::read::GzDecoder::new(reply.body.as_slice());
    let mut total = 0u64;
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        let n = decoder.read(&mut chunk).unwrap();
        if n == 0 {
            break;
        }
        assert!(chunk[..n].iter().all(|&b| b == 0));
        total += n as u64;
    }
    assert_eq!(total, decompressed);
}

#[test]
fn dropped_server_refuses_connections() {
    let server = serve(Response::xml("x").behaviour(Behaviour::Endless));
    let address = server.address();
    let _open = send_get(&server);
    drop(server);
    assert!(TcpStream::connect(address).is_err());
}
