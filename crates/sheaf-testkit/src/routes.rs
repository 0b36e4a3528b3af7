//! Routing of requests to scripted responses.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use crate::{RecordedRequest, Response};

/// A function that computes a response from a request, for routes whose responses depend on the
/// request (such as [`crate::OaiRepository`]).
pub type Handler = Arc<dyn Fn(&RecordedRequest) -> Response + Send + Sync>;

/// The path condition of a [`Route`].
#[derive(Debug, Clone, PartialEq, Eq)]
enum PathPattern {
    Exact(String),
    Prefix(String),
    Any,
}

/// A condition on the request's decoded query parameters (and form fields).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Predicate {
    Equals(String, String),
    Present(String),
    Absent(String),
}

impl Predicate {
    fn holds(&self, request: &RecordedRequest) -> bool {
        match self {
            Predicate::Equals(name, value) => request.param(name) == Some(value.as_str()),
            Predicate::Present(name) => request.param(name).is_some(),
            Predicate::Absent(name) => request.param(name).is_none(),
        }
    }
}

/// The origin of a route's responses.
#[derive(Clone)]
enum Source {
    /// Played in order; the last one repeats.
    Queue(Vec<Response>),
    Handler(Handler),
}

/// One rule of a [`Routes`] script: which requests it matches and how it responds.
///
/// A route matches a path (exactly, by prefix, or any), optionally a method, and every query
/// predicate added with [`Route::query`], [`Route::query_present`] or [`Route::query_absent`].
/// Its responses are a queue played in order whose last entry repeats, so
/// `.respond(Response::status(503)).respond(Response::xml(page))` answers 503 once and then the
/// page for every later request.
#[derive(Clone)]
pub struct Route {
    path: PathPattern,
    method: Option<String>,
    predicates: Vec<Predicate>,
    source: Source,
    conditional: bool,
}

impl fmt::Debug for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.source {
            Source::Queue(queue) => format!("{} queued responses", queue.len()),
            Source::Handler(_) => "handler".to_string(),
        };
        f.debug_struct("Route")
            .field("path", &self.path)
            .field("method", &self.method)
            .field("predicates", &self.predicates)
            .field("source", &source)
            .field("conditional", &self.conditional)
            .finish()
    }
}

impl Route {
    /// Creates a route for requests whose path (before `?`, not decoded) equals `path`.
    pub fn new(path: &str) -> Route {
        Route::with_pattern(PathPattern::Exact(path.to_string()))
    }

    /// Creates a route for requests whose path starts with `prefix`.
    pub fn prefix(prefix: &str) -> Route {
        Route::with_pattern(PathPattern::Prefix(prefix.to_string()))
    }

    /// Creates a route for requests with any path.
    pub fn any() -> Route {
        Route::with_pattern(PathPattern::Any)
    }

    fn with_pattern(path: PathPattern) -> Route {
        Route {
            path,
            method: None,
            predicates: Vec::new(),
            source: Source::Queue(Vec::new()),
            conditional: false,
        }
    }

    /// Restricts the route to one method, such as `GET` or `POST` (compared case-sensitively,
    /// as HTTP methods are).
    pub fn method(mut self, method: &str) -> Route {
        self.method = Some(method.to_string());
        self
    }

    /// Requires the decoded parameter `name` to have the value `value` (the first occurrence
    /// counts), such as `.query("verb", "ListRecords")`.
    pub fn query(mut self, name: &str, value: &str) -> Route {
        self.predicates
            .push(Predicate::Equals(name.to_string(), value.to_string()));
        self
    }

    /// Requires the parameter `name` to be present with any value.
    pub fn query_present(mut self, name: &str) -> Route {
        self.predicates.push(Predicate::Present(name.to_string()));
        self
    }

    /// Requires the parameter `name` to be absent.
    pub fn query_absent(mut self, name: &str) -> Route {
        self.predicates.push(Predicate::Absent(name.to_string()));
        self
    }

    /// Appends a response to the queue. Replaces a handler set earlier.
    pub fn respond(mut self, response: Response) -> Route {
        match &mut self.source {
            Source::Queue(queue) => queue.push(response),
            Source::Handler(_) => self.source = Source::Queue(vec![response]),
        }
        self
    }

    /// Responds to every matching request with the response `handler` computes from it. Replaces the
    /// queue.
    pub fn handler(
        mut self,
        handler: impl Fn(&RecordedRequest) -> Response + Send + Sync + 'static,
    ) -> Route {
        self.source = Source::Handler(Arc::new(handler));
        self
    }

    /// Answers `304 Not Modified` (with no body) instead of the chosen response when the request
    /// validates it: `If-None-Match` lists the response's `ETag` (weak comparison, or `*`), or, when
    /// `If-None-Match` is absent, `If-Modified-Since` is at or after the response's
    /// `Last-Modified`. The queue still advances on a 304.
    pub fn conditional(mut self) -> Route {
        self.conditional = true;
        self
    }

    fn matches(&self, request: &RecordedRequest) -> bool {
        let path_matches = match &self.path {
            PathPattern::Exact(path) => request.path == *path,
            PathPattern::Prefix(prefix) => request.path.starts_with(prefix.as_str()),
            PathPattern::Any => true,
        };
        let method_matches = self.method.as_ref().is_none_or(|m| *m == request.method);
        path_matches && method_matches && self.predicates.iter().all(|p| p.holds(request))
    }
}

/// An ordered script of [`Route`]s; the first route that matches a request answers it.
///
/// A request that no route matches gets `404 Not Found` with a plain-text body naming the
/// request. Each route's queue position lives in the script, so a fresh script (see
/// [`crate::TestServer::replace`]) starts every queue from its first response.
#[derive(Debug, Clone, Default)]
pub struct Routes {
    routes: Vec<Route>,
    played: Vec<usize>,
}

impl Routes {
    /// Creates an empty script, which answers 404 to everything.
    pub fn new() -> Routes {
        Routes::default()
    }

    /// Appends a route; routes added earlier take precedence.
    pub fn route(mut self, route: Route) -> Routes {
        self.routes.push(route);
        self.played.push(0);
        self
    }

    /// Appends a route that answers requests for `path` with `response`, whatever the query.
    pub fn at(self, path: &str, response: Response) -> Routes {
        self.route(Route::new(path).respond(response))
    }

    /// Finds the response for `request` and advances the matching route's queue.
    #[cfg(test)]
    pub(crate) fn respond(&mut self, request: &RecordedRequest) -> Response {
        self.select(request).resolve(request)
    }

    /// Picks the route for `request` and advances its queue. A handler is returned uncalled so
    /// that the caller can run it without holding the lock around the script.
    pub(crate) fn select(&mut self, request: &RecordedRequest) -> Selection {
        let Some(position) = self.routes.iter().position(|route| route.matches(request)) else {
            let text = format!("no route matches {} {}\n", request.method, request.target);
            return Selection::Fixed {
                response: plain_text(404, text),
                conditional: false,
            };
        };
        let route = &self.routes[position];
        let played = self.played[position];
        self.played[position] = played.saturating_add(1);

        let conditional = route.conditional;
        match &route.source {
            Source::Handler(handler) => Selection::Computed {
                handler: handler.clone(),
                conditional,
            },
            Source::Queue(queue) => {
                let response = match queue.get(played).or(queue.last()) {
                    Some(response) => response.clone(),
                    None => plain_text(500, "route has no responses\n".to_string()),
                };
                Selection::Fixed {
                    response,
                    conditional,
                }
            }
        }
    }
}

/// The outcome of [`Routes::select`].
pub(crate) enum Selection {
    Fixed {
        response: Response,
        conditional: bool,
    },
    Computed {
        handler: Handler,
        conditional: bool,
    },
}

impl Selection {
    /// Produces the response, calling the handler if there is one and applying the route's
    /// conditional-request rule.
    pub(crate) fn resolve(self, request: &RecordedRequest) -> Response {
        let (response, conditional) = match self {
            Selection::Fixed {
                response,
                conditional,
            } => (response, conditional),
            Selection::Computed {
                handler,
                conditional,
            } => (handler(request), conditional),
        };
        if conditional && is_not_modified(request, &response) {
            return not_modified(&response);
        }
        response
    }
}

fn plain_text(status: u16, text: String) -> Response {
    Response::status(status)
        .header("Content-Type", "text/plain; charset=utf-8")
        .body(text)
}

/// Returns whether the request's validators show the client already has `response`.
fn is_not_modified(request: &RecordedRequest, response: &Response) -> bool {
    if let Some(if_none_match) = request.header("if-none-match") {
        let Some(etag) = response.header_value("etag") else {
            return false;
        };
        return if_none_match
            .split(',')
            .map(str::trim)
            .any(|candidate| candidate == "*" || opaque_tag(candidate) == opaque_tag(etag));
    }
    let since = request
        .header("if-modified-since")
        .and_then(parse_http_date);
    let modified = response
        .header_value("last-modified")
        .and_then(parse_http_date);
    match (since, modified) {
        (Some(since), Some(modified)) => since >= modified,
        _ => false,
    }
}

fn parse_http_date(text: &str) -> Option<SystemTime> {
    httpdate::parse_http_date(text.trim()).ok()
}

/// Strips the weakness marker, as the weak comparison of entity tags does.
fn opaque_tag(tag: &str) -> &str {
    tag.trim().strip_prefix("W/").unwrap_or(tag.trim())
}

/// Builds the 304 for `response`, keeping the headers a 304 carries.
fn not_modified(response: &Response) -> Response {
    let mut reply = Response::status(304);
    const KEPT: [&str; 6] = [
        "etag",
        "last-modified",
        "date",
        "cache-control",
        "expires",
        "vary",
    ];
    for (name, value) in &response.headers {
        if KEPT.contains(&name.to_ascii_lowercase().as_str()) {
            reply.headers.push((name.clone(), value.clone()));
        }
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(target: &str, headers: &[(&str, &str)]) -> RecordedRequest {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        RecordedRequest {
            method: "GET".to_string(),
            target: target.to_string(),
            path: path.to_string(),
            query: query.to_string(),
            params: crate::request::decode_form(query),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: Vec::new(),
        }
    }

    #[test]
    fn etag_match_is_weak() {
        let response = Response::xml("x").header("ETag", "\"v1\"");
        assert!(is_not_modified(
            &request("/", &[("If-None-Match", "W/\"v1\"")]),
            &response
        ));
        assert!(is_not_modified(
            &request("/", &[("If-None-Match", "\"a\", \"v1\"")]),
            &response
        ));
        assert!(!is_not_modified(
            &request("/", &[("If-None-Match", "\"v2\"")]),
            &response
        ));
    }

    #[test]
    fn if_none_match_overrides_if_modified_since() {
        let response = Response::xml("x")
            .header("ETag", "\"v1\"")
            .header("Last-Modified", "Sat, 10 Jan 2026 10:00:00 GMT");
        let headers = [
            ("If-None-Match", "\"v0\""),
            ("If-Modified-Since", "Sat, 10 Jan 2026 11:00:00 GMT"),
        ];
        assert!(!is_not_modified(&request("/", &headers), &response));
    }

    #[test]
    fn if_modified_since_compares_dates() {
        let response = Response::xml("x").header("Last-Modified", "Sat, 10 Jan 2026 10:00:00 GMT");
        let later = [("If-Modified-Since", "Sat, 10 Jan 2026 10:00:00 GMT")];
        let earlier = [("If-Modified-Since", "Sat, 10 Jan 2026 09:59:59 GMT")];
        assert!(is_not_modified(&request("/", &later), &response));
        assert!(!is_not_modified(&request("/", &earlier), &response));
    }

    #[test]
    fn not_modified_keeps_validators_only() {
        let response = Response::xml("body")
            .header("ETag", "\"v1\"")
            .header("X-Other", "1");
        let reply = not_modified(&response);
        assert_eq!(reply.status, 304);
        assert_eq!(reply.header_value("etag"), Some("\"v1\""));
        assert_eq!(reply.header_value("x-other"), None);
        assert!(reply.body.is_empty());
    }

    #[test]
    fn first_matching_route_wins_and_queue_repeats_last() {
        let mut routes = Routes::new()
            .route(
                Route::new("/oai")
                    .query("verb", "Identify")
                    .respond(Response::status(201)),
            )
            .route(
                Route::new("/oai")
                    .respond(Response::status(503))
                    .respond(Response::status(200)),
            );
        assert_eq!(
            routes.respond(&request("/oai?verb=Identify", &[])).status,
            201
        );
        assert_eq!(
            routes
                .respond(&request("/oai?verb=ListRecords", &[]))
                .status,
            503
        );
        assert_eq!(
            routes
                .respond(&request("/oai?verb=ListRecords", &[]))
                .status,
            200
        );
        assert_eq!(routes.respond(&request("/oai", &[])).status, 200);
        assert_eq!(routes.respond(&request("/other", &[])).status, 404);
    }
}
