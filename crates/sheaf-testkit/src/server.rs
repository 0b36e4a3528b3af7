//! The background HTTP/1.1 server.

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::request::{Incoming, POLL_INTERVAL, ReadError, read_request};
use crate::wire::{After, send};
use crate::{RecordedRequest, Response, Routes, TestkitError};

/// How long a keep-alive connection may wait for its next request before the server closes it.
const IDLE_LIMIT: Duration = Duration::from_secs(60);

/// A scriptable HTTP/1.1 server on 127.0.0.1, running in background threads until dropped.
///
/// Each connection gets its own thread and may carry several requests (keep-alive). Every
/// well-formed request is recorded before the server responds, so [`TestServer::requests`] also
/// lists requests handled by [`crate::Behaviour::Silent`] or [`crate::Behaviour::CloseEarly`].
/// A malformed request gets `400` (or `413`, `431`) and is not recorded.
///
/// Dropping the server closes the listener and ends every connection within about 50 ms,
/// including ones stuck in a slow or endless response.
///
/// ```
/// use sheaf_testkit::{Response, Route, Routes, TestServer};
///
/// let server = TestServer::start(
///     Routes::new().route(
///         Route::new("/oai")
///             .query("verb", "Identify")
///             .respond(Response::status(503).header("Retry-After", "1"))
///             .respond(Response::xml("<OAI-PMH/>")),
///     ),
/// );
/// assert!(server.url("/oai?verb=Identify").starts_with("http://127.0.0.1:"));
/// assert!(server.requests().is_empty());
/// ```
pub struct TestServer {
    address: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("address", &self.address)
            .finish()
    }
}

/// State shared by the acceptor and connection threads.
struct Shared {
    routes: Mutex<Routes>,
    requests: Mutex<Vec<RecordedRequest>>,
    connections: Mutex<Vec<JoinHandle<()>>>,
    stop: AtomicBool,
}

/// Locks `mutex`, ignoring poisoning: a panicking handler must not break every later request.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl TestServer {
    /// Starts a server on 127.0.0.1 with an ephemeral port.
    ///
    /// # Panics
    ///
    /// Panics when no ephemeral port can be bound (the system is out of ports or descriptors).
    pub fn start(routes: Routes) -> TestServer {
        match TestServer::start_on(0, routes) {
            Ok(server) => server,
            Err(error) => panic!("{error}"),
        }
    }

    /// Starts a server on 127.0.0.1 and `port` (0 picks an ephemeral port).
    ///
    /// # Errors
    ///
    /// Returns [`TestkitError::Bind`] when the port cannot be bound, for example because it is
    /// in use.
    pub fn start_on(port: u16, routes: Routes) -> Result<TestServer, TestkitError> {
        let bind_error = |source| TestkitError::Bind { port, source };
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).map_err(bind_error)?;
        let address = listener.local_addr().map_err(bind_error)?;
        let shared = Arc::new(Shared {
            routes: Mutex::new(routes),
            requests: Mutex::new(Vec::new()),
            connections: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
        });
        let acceptor_shared = Arc::clone(&shared);
        let acceptor = std::thread::Builder::new()
            .name(format!("testkit-accept-{}", address.port()))
            .spawn(move || accept_loop(&listener, &acceptor_shared))
            .map_err(bind_error)?;
        Ok(TestServer {
            address,
            shared,
            acceptor: Some(acceptor),
        })
    }

    /// Returns the socket address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Returns the port the server listens on.
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Returns an absolute URL for `path_and_query`, such as `http://127.0.0.1:41234/oai`. A
    /// missing leading `/` is added.
    pub fn url(&self, path_and_query: &str) -> String {
        let slash = if path_and_query.starts_with('/') {
            ""
        } else {
            "/"
        };
        format!("http://{}{slash}{path_and_query}", self.address)
    }

    /// Returns every request received so far, in the order they arrived.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// Returns the requests received so far and clears the record.
    pub fn take_requests(&self) -> Vec<RecordedRequest> {
        std::mem::take(&mut *lock(&self.shared.requests))
    }

    /// Replaces the script, for a repository that changes between two harvests. Queues of the new
    /// script start from their first response. Requests received before the call get their
    /// responses from the old script.
    pub fn replace(&self, routes: Routes) {
        *lock(&self.shared.routes) = routes;
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the acceptor, which is blocked in accept(); failure means it already stopped.
        let _ = TcpStream::connect_timeout(&self.address, Duration::from_secs(1));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        let connections = std::mem::take(&mut *lock(&self.shared.connections));
        for connection in connections {
            let _ = connection.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else {
            // Usually out of descriptors; wait for connections to close rather than spin.
            std::thread::sleep(POLL_INTERVAL);
            continue;
        };
        let connection_shared = Arc::clone(shared);
        let spawned = std::thread::Builder::new()
            .name("testkit-connection".to_string())
            .spawn(move || serve_connection(stream, &connection_shared));
        let mut connections = lock(&shared.connections);
        connections.retain(|handle| !handle.is_finished());
        if let Ok(handle) = spawned {
            connections.push(handle);
        }
    }
}

fn serve_connection(mut stream: TcpStream, shared: &Shared) {
    let configured = stream
        .set_read_timeout(Some(POLL_INTERVAL))
        .and_then(|()| stream.set_write_timeout(Some(POLL_INTERVAL)))
        .and_then(|()| stream.set_nodelay(true));
    if configured.is_err() {
        return;
    }
    let mut buffer = Vec::new();
    loop {
        let Incoming { request, http_10 } =
            match read_request(&mut stream, &mut buffer, &shared.stop, IDLE_LIMIT) {
                Ok(incoming) => incoming,
                Err(ReadError::Closed) => return,
                Err(ReadError::Malformed(status, reason)) => {
                    let response = Response::status(status)
                        .header("Content-Type", "text/plain; charset=utf-8")
                        .body(format!("{reason}\n"));
                    let request = placeholder_request();
                    send(&mut stream, &request, &response, true, &shared.stop);
                    return;
                }
            };
        lock(&shared.requests).push(request.clone());

        let selection = lock(&shared.routes).select(&request);
        let response = catch_unwind(AssertUnwindSafe(|| selection.resolve(&request)))
            .unwrap_or_else(|_| {
                Response::status(500)
                    .header("Content-Type", "text/plain; charset=utf-8")
                    .body("the route's handler panicked; see the test output\n")
            });

        let client_close = request.wants_close(http_10);
        if send(&mut stream, &request, &response, client_close, &shared.stop) == After::Close {
            return;
        }
    }
}

/// A stand-in for a request that could not be parsed, used only to send the error response.
fn placeholder_request() -> RecordedRequest {
    RecordedRequest {
        method: "GET".to_string(),
        target: String::new(),
        path: String::new(),
        query: String::new(),
        params: Vec::new(),
        headers: Vec::new(),
        body: Vec::new(),
    }
}
