//! Support for the end-to-end tests: a temporary data folder with a config, the real `sheaf`
//! binary run as a command or as a daemon, and a minimal HTTP client for its API.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A temporary folder holding a config file and the data folder it names.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub port: u16,
}

/// Returns a port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local address").port()
}

impl Env {
    /// Writes a config with fast, test-friendly harvest settings followed by `sources`.
    pub fn new(sources: &str) -> Env {
        let dir = tempfile::tempdir().expect("temporary folder");
        let port = free_port();
        let text = format!(
            "data_dir = \"data\"\n\n[server]\nlisten = \"127.0.0.1:{port}\"\nadmin_token = \"secret-token\"\n\n\
             [harvest]\nrequest_delay_ms = 0\nconnect_timeout_secs = 5\nread_timeout_secs = 10\n\
             request_timeout_secs = 30\nmax_tries = 4\nmax_retry_after_secs = 5\n\n{sources}"
        );
        let config = dir.path().join("sheaf.toml");
        std::fs::write(&config, text).expect("write config");
        Env { dir, config, port }
    }

    /// Returns the data folder.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Builds a `sheaf --config FILE ARGS...` command.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sheaf"));
        command.arg("--config").arg(&self.config).args(args);
        command
            .env_remove("SHEAF_CONFIG")
            .env_remove("RUST_LOG")
            .env_remove("STATE_DIRECTORY");
        command
    }

    /// Runs the binary and returns its output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run sheaf")
    }

    /// Runs the binary, requires exit 0, and returns standard output.
    pub fn run_ok(&self, args: &[&str]) -> String {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "sheaf {args:?} exited with {:?}\nstdout:\n{}\nstderr:\n{}",
            output.status.code(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Runs `search QUERY --json` and returns the parsed body.
    pub fn search_json(&self, query: &str, limit: usize) -> Value {
        let limit = limit.to_string();
        let stdout = self.run_ok(&["search", query, "--json", "--limit", &limit]);
        serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("search output is not JSON: {e}\n{stdout}"))
    }

    /// Starts `sheaf serve` and waits until `/readyz` answers 200.
    pub fn serve(&self) -> Daemon {
        let child = self
            .command(&["serve"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start sheaf serve");
        let daemon = Daemon {
            child,
            port: self.port,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok((200, _)) = daemon.try_get("/readyz") {
                return daemon;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("sheaf serve did not become ready on port {}", self.port);
    }
}

/// A running `sheaf serve`, killed when dropped.
pub struct Daemon {
    pub child: Child,
    pub port: u16,
}

impl Daemon {
    /// Sends a GET and returns the status and body.
    pub fn try_get(&self, path: &str) -> std::io::Result<(u16, String)> {
        http_request(self.port, "GET", path, &[])
    }

    /// Sends a GET that must succeed at the socket level.
    pub fn get(&self, path: &str) -> (u16, String) {
        self.try_get(path)
            .unwrap_or_else(|e| panic!("GET {path} failed: {e}"))
    }

    /// Sends a GET, requires 200 and parses the JSON body.
    pub fn get_json(&self, path: &str) -> Value {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "GET {path} returned {status}: {body}");
        serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("GET {path}: invalid JSON {e}: {body}"))
    }

    /// Stops the daemon with SIGTERM and returns its exit status and log.
    pub fn stop(mut self) -> (Option<i32>, String) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let status = self.child.wait().ok().and_then(|s| s.code());
        let mut log = String::new();
        if let Some(mut stderr) = self.child.stderr.take() {
            let _ = stderr.read_to_string(&mut log);
        }
        (status, log)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends one HTTP/1.1 request with `Connection: close` and returns the status and the body.
pub fn http_request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("Content-Length: 0\r\n\r\n");
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("response without a header end"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line: {head}")))?;
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        let end = (start + size).min(data.len());
        out.extend_from_slice(&data[start..end]);
        data = &data[(end + 2).min(data.len())..];
    }
    out
}

/// Percent-encodes a value for a query string or a path segment.
pub fn encode(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Returns the ids of a search body's hits.
pub fn hit_ids(body: &Value) -> Vec<String> {
    body["hits"]
        .as_array()
        .map(|hits| {
            hits.iter()
                .filter_map(|h| h["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Returns the path of a file of the project's own fixtures.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}
