//! Measures how fast a synthetic OAI-PMH repository serves `ListRecords` pages.
//!
//! `cargo run --release -p sheaf-testkit --example oai_throughput -- [RECORDS] [PAGE_SIZE] [URL]`
//!
//! Walks every resumption token over one keep-alive connection and prints records per second.
//! Without URL it serves the repository in-process; with URL (such as the one `sheaf-test-oai`
//! prints) it measures that server.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Instant;

use sheaf_testkit::{OaiRepository, Routes, TestServer};

fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let records: u64 = arguments
        .first()
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let page_size: usize = arguments.get(1).and_then(|a| a.parse().ok()).unwrap_or(100);

    let repository = OaiRepository::new(records, page_size);
    let server = TestServer::start(Routes::new().route(repository.route("/oai")));
    let base = arguments
        .get(2)
        .cloned()
        .unwrap_or_else(|| server.url("/oai"));
    let rest = base
        .strip_prefix("http://")
        .expect("URL starts with http://");
    let (host, path) = rest.split_once('/').expect("URL has a path");

    let mut stream = TcpStream::connect(host).expect("server accepts connections");
    stream.set_nodelay(true).expect("socket option");
    let started = Instant::now();
    let mut query = "verb=ListRecords&metadataPrefix=oai_dc".to_string();
    let (mut count, mut bytes, mut pages) = (0u64, 0u64, 0u64);
    loop {
        let request = format!("GET /{path}?{query} HTTP/1.1\r\nHost: {host}\r\n\r\n");
        stream.write_all(request.as_bytes()).expect("request sent");
        let body = read_response(&mut stream);
        bytes += body.len() as u64;
        pages += 1;
        count += body.matches("<record>").count() as u64;
        let token = body
            .split_once("<resumptionToken")
            .and_then(|(_, tail)| tail.split_once('>'))
            .and_then(|(_, tail)| tail.split_once("</resumptionToken>"))
            .map(|(token, _)| token.trim().to_string());
        match token {
            Some(token) if !token.is_empty() => {
                query = format!("verb=ListRecords&resumptionToken={token}");
            }
            _ => break,
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{count} records in {pages} pages, {:.1} MB, {seconds:.2} s: {:.0} records/s",
        bytes as f64 / 1e6,
        count as f64 / seconds
    );
}

/// Reads one response with a `Content-Length` body and returns the body as text.
fn read_response(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).expect("response head");
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse().ok())
        .expect("response has Content-Length");
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).expect("response body");
    String::from_utf8(body).expect("UTF-8 body")
}
