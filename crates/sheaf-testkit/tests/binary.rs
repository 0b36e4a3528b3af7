//! The `sheaf-test-oai` binary as a separate process.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn binary_prints_url_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sheaf-test-oai"))
        .args(["--records", "25", "--page-size", "10", "--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().to_string();

    let address = url
        .strip_prefix("http://")
        .unwrap()
        .strip_suffix("/oai")
        .unwrap();
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let request = format!(
        "GET /oai?verb=ListIdentifiers&metadataPrefix=oai_dc HTTP/1.1\r\nHost: {address}\r\n\
         Connection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();

    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
    assert_eq!(reply.matches("<header>").count(), 10);
    assert!(reply.contains("completeListSize=\"25\""));
}
