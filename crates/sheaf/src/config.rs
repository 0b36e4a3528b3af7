//! The TOML configuration: reading, validation that reports every problem with its line, and
//! resolution into the plans that the harvester and server use.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use sheaf_harvest::{CronSchedule, HarvestSettings, ScheduledSource, SourceKind, SourcePlan};
use toml::Spanned;

/// Listen address when `[server] listen` is not set: loopback only, never every interface.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:7878";

/// The config file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    data_dir: Option<Spanned<String>>,
    #[serde(default)]
    server: ServerSection,
    #[serde(default)]
    harvest: HarvestSection,
    #[serde(default)]
    sources: Vec<SourceSection>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServerSection {
    listen: Option<Spanned<String>>,
    admin_token: Option<String>,
    public_url: Option<String>,
    repository_name: Option<String>,
    admin_email: Option<String>,
}

/// Harvest settings: the `[harvest]` defaults, and a source's overrides of them.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Overrides {
    schedule: Option<Spanned<String>>,
    contact: Option<String>,
    request_delay_ms: Option<u64>,
    connect_timeout_secs: Option<u64>,
    read_timeout_secs: Option<u64>,
    request_timeout_secs: Option<u64>,
    max_body_bytes: Option<u64>,
    max_tries: Option<u32>,
    max_retry_after_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct HarvestSection {
    schedule: Option<Spanned<String>>,
    contact: Option<String>,
    request_delay_ms: Option<u64>,
    connect_timeout_secs: Option<u64>,
    read_timeout_secs: Option<u64>,
    request_timeout_secs: Option<u64>,
    max_body_bytes: Option<u64>,
    max_tries: Option<u32>,
    max_retry_after_secs: Option<u64>,
    max_concurrent_runs: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceSection {
    id: Spanned<String>,
    name: Option<String>,
    kind: Spanned<String>,
    url: Spanned<String>,
    metadata_prefix: Option<String>,
    #[serde(default)]
    sets: Vec<String>,
    centre: Option<String>,
    country: Option<Spanned<String>>,
    enabled: Option<bool>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    redistribute: Option<bool>,
    schedule: Option<Spanned<String>>,
    contact: Option<String>,
    request_delay_ms: Option<u64>,
    connect_timeout_secs: Option<u64>,
    read_timeout_secs: Option<u64>,
    request_timeout_secs: Option<u64>,
    max_body_bytes: Option<u64>,
    max_tries: Option<u32>,
    max_retry_after_secs: Option<u64>,
}

impl SourceSection {
    fn overrides(&self) -> Overrides {
        Overrides {
            schedule: self.schedule.clone(),
            contact: self.contact.clone(),
            request_delay_ms: self.request_delay_ms,
            connect_timeout_secs: self.connect_timeout_secs,
            read_timeout_secs: self.read_timeout_secs,
            request_timeout_secs: self.request_timeout_secs,
            max_body_bytes: self.max_body_bytes,
            max_tries: self.max_tries,
            max_retry_after_secs: self.max_retry_after_secs,
        }
    }
}

impl HarvestSection {
    fn overrides(&self) -> Overrides {
        Overrides {
            schedule: self.schedule.clone(),
            contact: self.contact.clone(),
            request_delay_ms: self.request_delay_ms,
            connect_timeout_secs: self.connect_timeout_secs,
            read_timeout_secs: self.read_timeout_secs,
            request_timeout_secs: self.request_timeout_secs,
            max_body_bytes: self.max_body_bytes,
            max_tries: self.max_tries,
            max_retry_after_secs: self.max_retry_after_secs,
        }
    }
}

/// The loaded, validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    /// Folder of the store and the index.
    pub data_dir: PathBuf,
    /// Address the HTTP server binds.
    pub listen: String,
    /// Bearer token for the admin routes.
    pub admin_token: Option<String>,
    /// Public base URL, for links the server writes.
    pub public_url: Option<String>,
    /// Repository name, for the OAI-PMH `Identify`.
    pub repository_name: String,
    /// Administrator address, for the OAI-PMH `Identify`.
    pub admin_email: Option<String>,
    /// Runs allowed at once over all sources.
    pub max_concurrent_runs: usize,
    /// Every configured source, enabled or not.
    pub sources: Vec<ScheduledSource>,
    /// Ids of sources with `redistribute = false`, kept out of the OAI-PMH endpoint.
    pub withheld: Vec<String>,
}

/// A config that could not be used. The message lists every problem found.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration {path}:\n{}", problems.join("\n"))]
pub struct ConfigError {
    /// The config file.
    pub path: PathBuf,
    /// One line per problem, each naming the key and its line.
    pub problems: Vec<String>,
}

impl Config {
    /// Reads and validates the config file.
    ///
    /// # Errors
    ///
    /// Fails when the file cannot be read, is not valid TOML, has unknown keys or wrong types,
    /// or contains values that fail validation.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let fail = |problems: Vec<String>| ConfigError {
            path: path.to_owned(),
            problems,
        };
        let text = std::fs::read_to_string(path).map_err(|e| {
            fail(vec![format!(
                "cannot read the file: {e}; pass --config FILE or set SHEAF_CONFIG"
            )])
        })?;
        let file: ConfigFile =
            toml::from_str(&text).map_err(|e| fail(vec![describe_toml(&text, &e)]))?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        let mut problems = Vec::new();
        let config = resolve(file, &text, path, &dir, &mut problems);
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(fail(problems))
        }
    }

    /// Returns the source plans of the sources to harvest: those named, else all enabled ones.
    ///
    /// # Errors
    ///
    /// Fails with the unknown ids when a named source is not configured.
    pub fn select(&self, ids: &[String]) -> Result<Vec<SourcePlan>, String> {
        if ids.is_empty() {
            let enabled = self.sources.iter().filter(|s| s.enabled);
            return Ok(enabled.map(|s| s.plan.clone()).collect());
        }
        let mut plans = Vec::new();
        for id in ids {
            match self.sources.iter().find(|s| &s.plan.id == id) {
                Some(source) => plans.push(source.plan.clone()),
                None => {
                    let known: Vec<&str> =
                        self.sources.iter().map(|s| s.plan.id.as_str()).collect();
                    return Err(format!(
                        "unknown source `{id}`; configured sources: {}",
                        known.join(", ")
                    ));
                }
            }
        }
        Ok(plans)
    }

    /// Returns the SQLite file of the store.
    pub fn store_path(&self) -> PathBuf {
        self.data_dir.join("sheaf.db")
    }

    /// Returns the folder of the tantivy index.
    pub fn index_dir(&self) -> PathBuf {
        self.data_dir.join("index")
    }
}

fn resolve(
    file: ConfigFile,
    text: &str,
    path: &Path,
    dir: &Path,
    problems: &mut Vec<String>,
) -> Config {
    let line = |span: std::ops::Range<usize>| line_of(text, span.start);
    let data_dir = match (&file.data_dir, std::env::var_os("STATE_DIRECTORY")) {
        (Some(data_dir), _) => dir.join(data_dir.get_ref()),
        (None, Some(state)) => PathBuf::from(state),
        (None, None) => dir.join("data"),
    };
    let listen = match &file.server.listen {
        Some(listen) => {
            if listen.get_ref().parse::<std::net::SocketAddr>().is_err() {
                problems.push(format!(
                    "line {}: server.listen = `{}` is not an IP address and port; write e.g. `127.0.0.1:7878`",
                    line(listen.span()),
                    listen.get_ref()
                ));
            }
            listen.get_ref().clone()
        }
        None => DEFAULT_LISTEN.to_owned(),
    };
    let admin_token = std::env::var("SHEAF_ADMIN_TOKEN")
        .ok()
        .or(file.server.admin_token.clone());
    let defaults = file.harvest.overrides();
    let max_concurrent_runs = file
        .harvest
        .max_concurrent_runs
        .unwrap_or(sheaf_harvest::DEFAULT_MAX_CONCURRENT_RUNS);
    if max_concurrent_runs == 0 {
        problems
            .push("harvest.max_concurrent_runs = 0 would never harvest; use 1 or more".to_owned());
    }
    let default_schedule = parse_schedule(
        defaults.schedule.as_ref(),
        "harvest.schedule",
        text,
        problems,
    );

    let mut seen = HashSet::new();
    let mut sources = Vec::new();
    let mut withheld = Vec::new();
    for (index, section) in file.sources.iter().enumerate() {
        let key = |name: &str| format!("sources[{index}].{name}");
        let id = section.id.get_ref();
        if !valid_source_id(id) {
            problems.push(format!(
                "line {}: {} = `{id}` is invalid; use 1 to 64 of a-z, 0-9, `.`, `_`, `-`, starting with a letter or digit",
                line(section.id.span()),
                key("id")
            ));
        } else if !seen.insert(id.clone()) {
            problems.push(format!(
                "line {}: {} = `{id}` is used twice; ids must be unique",
                line(section.id.span()),
                key("id")
            ));
        }
        let kind = match section.kind.get_ref().as_str() {
            "oai-pmh" => SourceKind::OaiPmh,
            "feed" => SourceKind::Feed,
            other => {
                problems.push(format!(
                    "line {}: {} = `{other}` is unknown; use \"oai-pmh\" or \"feed\"",
                    line(section.kind.span()),
                    key("kind")
                ));
                SourceKind::Feed
            }
        };
        if kind == SourceKind::Feed
            && (section.metadata_prefix.is_some() || !section.sets.is_empty())
        {
            problems.push(format!(
                "line {}: {} is a feed, so `metadata_prefix` and `sets` do not apply; remove them or set kind = \"oai-pmh\"",
                line(section.id.span()),
                key("id")
            ));
        }
        let url = resolve_url(section.url.get_ref(), dir);
        if let Err(message) = url::Url::parse(&url) {
            problems.push(format!(
                "line {}: {} = `{}` is not a URL ({message})",
                line(section.url.span()),
                key("url"),
                section.url.get_ref()
            ));
        }
        if let Some(country) = &section.country {
            let code = country.get_ref();
            if code.len() != 2 || !code.chars().all(|c| c.is_ascii_uppercase()) {
                problems.push(format!(
                    "line {}: {} = `{code}` is not an ISO 3166-1 alpha-2 code; write two capital letters, e.g. \"FR\"",
                    line(country.span()),
                    key("country")
                ));
            }
        }
        let overrides = section.overrides();
        let schedule = match &overrides.schedule {
            Some(_) => parse_schedule(
                overrides.schedule.as_ref(),
                &key("schedule"),
                text,
                problems,
            ),
            None => default_schedule.clone(),
        };
        let settings = settings(&defaults, &overrides);
        let plan = SourcePlan {
            id: id.clone(),
            name: section.name.clone().unwrap_or_else(|| id.clone()),
            kind,
            url,
            metadata_prefix: section
                .metadata_prefix
                .clone()
                .unwrap_or_else(|| "oai_dc".to_owned()),
            sets: section.sets.clone(),
            centre: section.centre.clone(),
            country: section.country.as_ref().map(|c| c.get_ref().clone()),
            headers: section
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            settings,
        };
        if section.redistribute == Some(false) {
            withheld.push(id.clone());
        }
        sources.push(ScheduledSource {
            plan,
            schedule,
            enabled: section.enabled.unwrap_or(true),
        });
    }

    Config {
        path: path.to_owned(),
        data_dir,
        listen,
        admin_token,
        public_url: file.server.public_url,
        repository_name: file
            .server
            .repository_name
            .unwrap_or_else(|| "Sheaf".to_owned()),
        admin_email: file.server.admin_email,
        max_concurrent_runs: max_concurrent_runs.max(1),
        sources,
        withheld,
    }
}

/// Applies a source's overrides to the `[harvest]` defaults.
fn settings(defaults: &Overrides, source: &Overrides) -> HarvestSettings {
    let base = HarvestSettings::default();
    let pick = |s: Option<u64>, d: Option<u64>| s.or(d);
    let ms = |v: Option<u64>, fallback: Duration| v.map_or(fallback, Duration::from_millis);
    let secs = |v: Option<u64>, fallback: Duration| v.map_or(fallback, Duration::from_secs);
    HarvestSettings {
        contact: source.contact.clone().or(defaults.contact.clone()),
        request_delay: ms(
            pick(source.request_delay_ms, defaults.request_delay_ms),
            base.request_delay,
        ),
        connect_timeout: secs(
            pick(source.connect_timeout_secs, defaults.connect_timeout_secs),
            base.connect_timeout,
        ),
        read_timeout: secs(
            pick(source.read_timeout_secs, defaults.read_timeout_secs),
            base.read_timeout,
        ),
        request_timeout: secs(
            pick(source.request_timeout_secs, defaults.request_timeout_secs),
            base.request_timeout,
        ),
        max_body_bytes: pick(source.max_body_bytes, defaults.max_body_bytes)
            .unwrap_or(base.max_body_bytes),
        max_tries: source
            .max_tries
            .or(defaults.max_tries)
            .unwrap_or(base.max_tries),
        max_retry_after: secs(
            pick(source.max_retry_after_secs, defaults.max_retry_after_secs),
            base.max_retry_after,
        ),
    }
}

fn parse_schedule(
    value: Option<&Spanned<String>>,
    key: &str,
    text: &str,
    problems: &mut Vec<String>,
) -> Option<CronSchedule> {
    let value = value?;
    match CronSchedule::parse(value.get_ref()) {
        Ok(schedule) => Some(schedule),
        Err(error) => {
            problems.push(format!(
                "line {}: {key}: {error}",
                line_of(text, value.span().start)
            ));
            None
        }
    }
}

/// Makes a relative `file:` URL absolute against the config file's folder.
fn resolve_url(url: &str, dir: &Path) -> String {
    let Some(rest) = url.strip_prefix("file:") else {
        return url.to_owned();
    };
    if rest.starts_with('/') {
        return url.to_owned();
    }
    let absolute = std::path::absolute(dir.join(rest)).unwrap_or_else(|_| dir.join(rest));
    match url::Url::from_file_path(&absolute) {
        Ok(file_url) => file_url.to_string(),
        Err(()) => url.to_owned(),
    }
}

/// Checks a source id against `[a-z0-9][a-z0-9._-]{0,63}`.
pub fn valid_source_id(id: &str) -> bool {
    let mut chars = id.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    first_ok
        && id.len() <= 64
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Rewrites a TOML error as one line that names the line number and quotes the line, so that
/// the key is named even where the parser's message gives only the value.
fn describe_toml(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim().to_owned();
    let Some(span) = error.span() else {
        return message;
    };
    let number = line_of(text, span.start);
    let quoted = text.lines().nth(number - 1).unwrap_or_default().trim();
    format!("line {number} (`{quoted}`): {message}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sheaf.toml");
        std::fs::write(&path, text).unwrap();
        Config::load(&path)
    }

    const SOURCE: &str =
        "[[sources]]\nid = \"a\"\nkind = \"feed\"\nurl = \"http://127.0.0.1/feed\"\n";

    #[test]
    fn unknown_key_names_key_and_line() {
        let error = load(&format!("{SOURCE}colour = \"red\"\n")).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("line 5"), "{message}");
        assert!(message.contains("colour"), "{message}");
    }

    #[test]
    fn wrong_type_names_key_and_line() {
        let error = load("[harvest]\nmax_tries = \"five\"\n").unwrap_err();
        let message = error.to_string();
        assert!(message.contains("line 2"), "{message}");
        assert!(
            message.contains("max_tries") || message.contains("integer"),
            "{message}"
        );
    }

    #[test]
    fn every_problem_is_reported() {
        let text = "[[sources]]\nid = \"Bad:Id\"\nkind = \"ftp\"\nurl = \"x\"\ncountry = \"france\"\nschedule = \"every day\"\n";
        let error = load(text).unwrap_err();
        assert_eq!(error.problems.len(), 5, "{error}");
        assert!(error.problems[0].starts_with("line 2"));
    }

    #[test]
    fn relative_data_dir_resolves_against_config_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sheaf.toml");
        std::fs::write(&path, "data_dir = \"state\"\n").unwrap();
        let config = Config::load(&path).unwrap();
        assert_eq!(config.data_dir, dir.path().join("state"));
    }

    #[test]
    fn source_overrides_defaults() {
        let text =
            format!("[harvest]\nmax_tries = 7\nrequest_delay_ms = 5\n{SOURCE}max_tries = 2\n");
        let config = load(&text).unwrap();
        let settings = &config.sources[0].plan.settings;
        assert_eq!(settings.max_tries, 2);
        assert_eq!(settings.request_delay, Duration::from_millis(5));
    }

    #[test]
    fn relative_file_url_becomes_absolute() {
        let dir = Path::new("/etc/sheaf");
        assert_eq!(
            resolve_url("file:samples/oai", dir),
            "file:///etc/sheaf/samples/oai"
        );
        assert_eq!(resolve_url("https://x.org/oai", dir), "https://x.org/oai");
    }

    #[test]
    fn oai_keys_on_a_feed_are_rejected() {
        let error = load(&format!("{SOURCE}sets = [\"physics\"]\n")).unwrap_err();
        assert_eq!(error.problems.len(), 1, "{error}");
        assert!(error.problems[0].contains("metadata_prefix"), "{error}");
    }

    #[test]
    fn source_id_rule() {
        assert!(valid_source_id("hal-fr.2"));
        assert!(!valid_source_id("-x"));
        assert!(!valid_source_id("a:b"));
        assert!(!valid_source_id(&"a".repeat(65)));
    }
}
