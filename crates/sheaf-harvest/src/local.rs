//! `file:` URLs, so that a config can point at sample sources shipped beside it.
//!
//! A file URL is read as the response body. A folder is a directory repository for OAI-PMH:
//! `verb=V` maps to `V.xml`, and `resumptionToken=T` to `ListRecords-T.xml`.

use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::client::{FetchError, Fetched};

/// Reads the file that a `file:` URL names, answering as an HTTP server would (200 or 404).
pub(crate) fn fetch(url: &str, max_body_bytes: u64) -> Result<Fetched, FetchError> {
    let invalid = |message: String| FetchError::InvalidRequest {
        url: url.to_owned(),
        message,
    };
    let parsed = url::Url::parse(url).map_err(|e| invalid(e.to_string()))?;
    let base = parsed
        .to_file_path()
        .map_err(|()| invalid("not an absolute file path".to_owned()))?;
    let path = if base.is_dir() {
        directory_file(&base, &parsed).map_err(invalid)?
    } else {
        base
    };
    let metadata = match std::fs::metadata(&path) {
        Ok(metadata) => metadata,
        Err(_) => return Ok(not_found(url, &path)),
    };
    if metadata.len() > max_body_bytes {
        return Err(FetchError::TooLarge {
            url: url.to_owned(),
            limit: max_body_bytes,
        });
    }
    let body = std::fs::read(&path).map_err(|e| FetchError::Transport {
        url: url.to_owned(),
        tries: 1,
        message: format!("cannot read {}: {e}", path.display()),
    })?;
    Ok(Fetched {
        url: url.to_owned(),
        status: 200,
        content_type: None,
        etag: None,
        last_modified: None,
        body: Bytes::from(body),
    })
}

/// Maps an OAI-PMH request on a directory repository to the file that answers it.
fn directory_file(dir: &Path, url: &url::Url) -> Result<PathBuf, String> {
    let mut verb = None;
    let mut token = None;
    for (name, value) in url.query_pairs() {
        match name.as_ref() {
            "verb" => verb = Some(value.into_owned()),
            "resumptionToken" => token = Some(value.into_owned()),
            _ => {}
        }
    }
    let safe = |text: &str| {
        !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            && !text.starts_with('.')
    };
    let verb = verb.ok_or("a directory repository needs a `verb` parameter")?;
    if !safe(&verb) {
        return Err(format!("invalid verb `{verb}`"));
    }
    match token {
        Some(token) if safe(&token) => Ok(dir.join(format!("{verb}-{token}.xml"))),
        Some(token) => Err(format!("resumption token `{token}` is not a file name")),
        None => Ok(dir.join(format!("{verb}.xml"))),
    }
}

fn not_found(url: &str, path: &Path) -> Fetched {
    Fetched {
        url: url.to_owned(),
        status: 404,
        content_type: Some("text/plain".to_owned()),
        etag: None,
        last_modified: None,
        body: Bytes::from(format!("file not found: {}", path.display())),
    }
}
