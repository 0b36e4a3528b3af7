//! Identifiers: DOI, handle, ISBN, ISSN, URN and URL detection, and ORCID iDs in names.

use crate::record::{Agent, IdScheme, Identifier};
use crate::text::{clean_text, normalise_space};

/// Prefixes that introduce a DOI, matched case-insensitively and removed.
const DOI_PREFIXES: [&str; 9] = [
    "https://doi.org/",
    "http://doi.org/",
    "https://dx.doi.org/",
    "http://dx.doi.org/",
    "doi.org/",
    "dx.doi.org/",
    "info:doi/",
    "urn:doi:",
    "doi:",
];

/// Prefixes that introduce a handle, matched case-insensitively and removed.
const HANDLE_PREFIXES: [&str; 5] = [
    "https://hdl.handle.net/",
    "http://hdl.handle.net/",
    "hdl.handle.net/",
    "info:hdl/",
    "hdl:",
];

/// Normalises a DOI to its bare lower-case form (`10.5281/zenodo.123`).
///
/// Accepts a bare DOI and the forms `doi:…`, `info:doi/…`, `urn:doi:…` and the resolver URLs
/// `https://doi.org/…` and `http://dx.doi.org/…` (percent-escapes in a URL are decoded). The result
/// starts with `10.`, a registrant code of digits and dots, `/` and a suffix without whitespace;
/// anything else gives `None`. DOIs are case-insensitive, so lower case is the canonical form.
///
/// ```
/// use sheaf_record::normalise_doi;
///
/// assert_eq!(normalise_doi("https://doi.org/10.5281/Zenodo.42").as_deref(), Some("10.5281/zenodo.42"));
/// assert_eq!(normalise_doi("doi: 10.1000/XYZ").as_deref(), Some("10.1000/xyz"));
/// assert_eq!(normalise_doi("10.abc/x"), None);
/// ```
pub fn normalise_doi(text: &str) -> Option<String> {
    let text = text.trim();
    let rest = strip_prefix_ci(text, &DOI_PREFIXES).map_or(text, str::trim_start);
    let was_url = starts_with_ci(text, "http")
        || starts_with_ci(text, "doi.org")
        || starts_with_ci(text, "dx.doi.org");
    let decoded = if was_url && rest.contains('%') {
        percent_decode(rest)
    } else {
        rest.to_owned()
    };
    let doi = decoded.to_lowercase();
    is_bare_doi(&doi).then_some(doi)
}

/// Tells whether a lower-cased text has the shape `10.NNNN[.NNN]/suffix`.
fn is_bare_doi(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("10.") else {
        return false;
    };
    let Some((registrant, suffix)) = rest.split_once('/') else {
        return false;
    };
    let registrant_ok = registrant
        .split('.')
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && registrant.len() >= 4;
    registrant_ok && !suffix.is_empty() && !suffix.chars().any(char::is_whitespace)
}

/// Removes the first matching prefix, compared without regard to ASCII case.
fn strip_prefix_ci<'a>(text: &'a str, prefixes: &[&str]) -> Option<&'a str> {
    prefixes.iter().find_map(|prefix| {
        let head = text.get(..prefix.len())?;
        head.eq_ignore_ascii_case(prefix)
            .then(|| &text[prefix.len()..])
    })
}

/// Decodes `%XX` escapes; invalid escapes and non-UTF-8 results are kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

/// Classifies an identifier value and normalises it for its scheme.
///
/// Returns `None` for an empty value.
pub(crate) fn classify_identifier(value: &str) -> Option<Identifier> {
    let value = normalise_space(value);
    if value.is_empty() {
        return None;
    }
    let (scheme, value) = if let Some(doi) = normalise_doi(&value) {
        (IdScheme::Doi, doi)
    } else if let Some(handle) = handle_of(&value) {
        (IdScheme::Handle, handle)
    } else if let Some(isbn) = normalise_isbn(&value) {
        (IdScheme::Isbn, isbn)
    } else if let Some(issn) = normalise_issn(&value) {
        (IdScheme::Issn, issn)
    } else if starts_with_ci(&value, "urn:") {
        (IdScheme::Urn, value)
    } else if starts_with_ci(&value, "http://") || starts_with_ci(&value, "https://") {
        (IdScheme::Url, value)
    } else {
        (IdScheme::Other, value)
    };
    Some(Identifier { scheme, value })
}

/// Returns the bare handle of `hdl:…`, `info:hdl/…` or a handle resolver URL.
///
/// A resolver URL with a query or a path below the handle (`…/11041/x/file.xml`) addresses a
/// file inside the handle's record, not the handle itself, so it stays a URL.
fn handle_of(value: &str) -> Option<String> {
    let handle = strip_prefix_ci(value, &HANDLE_PREFIXES)?.trim();
    let is_url = starts_with_ci(value, "http") || starts_with_ci(value, "hdl.handle.net");
    let addresses_file = handle.contains('?') || handle.matches('/').count() > 1;
    if handle.is_empty() || (is_url && addresses_file) {
        return None;
    }
    Some(handle.to_owned())
}

fn starts_with_ci(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Normalises an ISBN given as `ISBN …`, `isbn:…`, `urn:isbn:…` or bare digits with hyphens.
///
/// The result is the 10 or 13 characters without separators; the check digit must be valid.
fn normalise_isbn(value: &str) -> Option<String> {
    let labelled = strip_prefix_ci(value, &["urn:isbn:", "isbn:", "isbn "]);
    let body = labelled.unwrap_or(value).trim();
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | 'X' | 'x'))
    {
        return None;
    }
    let compact: String = body.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    let compact = compact.to_ascii_uppercase();
    // A bare ten-digit number is too often something else; only labelled or hyphenated
    // values, or 13 digits with the book prefix, count as ISBNs.
    let shaped = labelled.is_some()
        || body.contains('-')
        || compact.starts_with("978")
        || compact.starts_with("979");
    (shaped && isbn_checksum_ok(&compact)).then_some(compact)
}

fn isbn_checksum_ok(isbn: &str) -> bool {
    let digits: Vec<u32> = isbn
        .chars()
        .enumerate()
        .filter_map(|(i, c)| match c {
            'X' if i == 9 && isbn.len() == 10 => Some(10),
            _ => c.to_digit(10),
        })
        .collect();
    if digits.len() != isbn.len() {
        return false;
    }
    match digits.len() {
        10 => {
            digits
                .iter()
                .zip((1..=10).rev())
                .map(|(d, w)| d * w)
                .sum::<u32>()
                % 11
                == 0
        }
        13 => {
            let weighted: u32 = digits
                .iter()
                .enumerate()
                .map(|(i, d)| if i % 2 == 0 { *d } else { d * 3 })
                .sum();
            weighted.is_multiple_of(10)
        }
        _ => false,
    }
}

/// Normalises an ISSN given as `ISSN …`, `issn:…`, `urn:issn:…` or bare `NNNN-NNNC`.
///
/// The result has the form `NNNN-NNNC` with a valid check character.
fn normalise_issn(value: &str) -> Option<String> {
    let labelled = strip_prefix_ci(value, &["urn:issn:", "issn:", "issn "]);
    let body = labelled.unwrap_or(value).trim().to_ascii_uppercase();
    let compact: String = body.chars().filter(|c| *c != '-').collect();
    if labelled.is_none() && body.len() != 9 {
        return None;
    }
    if compact.len() != 8 || !compact[..7].bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = compact[..7]
        .bytes()
        .zip((2..=8).rev())
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = (11 - sum % 11) % 11;
    let expected = if check == 10 {
        'X'
    } else {
        char::from_digit(check, 10)?
    };
    compact
        .ends_with(expected)
        .then(|| format!("{}-{}", &compact[..4], &compact[4..]))
}

/// Builds an agent from a creator or contributor value, moving an ORCID iD out of the name.
///
/// The iD may be bare (`0000-0002-1825-0097`), a URL (`https://orcid.org/…`) or labelled
/// (`ORCID: …`); surrounding brackets and separators left empty are removed with it. Only an iD
/// whose ISO 7064 MOD 11-2 check character is right counts; other text stays in the name.
/// The name is empty when the value is only an iD. Returns `None` for an empty value.
pub(crate) fn parse_agent(value: &str) -> Option<Agent> {
    let value = clean_text(value);
    let Some((start, end, orcid)) = find_orcid(&value) else {
        return (!value.is_empty()).then_some(Agent {
            name: value,
            orcid: None,
        });
    };
    let before = value[..start].trim_end();
    let before = strip_suffix_ci(
        before,
        &[
            "https://orcid.org/",
            "http://orcid.org/",
            "orcid.org/",
            "orcid:",
            "orcid",
        ],
    );
    let after = &value[end..];
    let mut name = format!("{} {}", before.trim_end(), after.trim_start());
    for empty in ["()", "[]", "<>", "{}", "( )", "[ ]"] {
        name = name.replace(empty, " ");
    }
    let name = normalise_space(&name);
    let name = name
        .trim_matches(|c: char| matches!(c, ',' | ';' | '|' | '-' | '/' | ' '))
        .to_owned();
    Some(Agent {
        name,
        orcid: Some(orcid),
    })
}

fn strip_suffix_ci<'a>(text: &'a str, suffixes: &[&str]) -> &'a str {
    for suffix in suffixes {
        if let Some(cut) = text.len().checked_sub(suffix.len())
            && text.is_char_boundary(cut)
            && text[cut..].eq_ignore_ascii_case(suffix)
        {
            return text[..cut].trim_end();
        }
    }
    text
}

/// Finds the first valid ORCID iD in a text: its byte range and its canonical form.
fn find_orcid(text: &str) -> Option<(usize, usize, String)> {
    let bytes = text.as_bytes();
    const LEN: usize = 19;
    let mut start = 0;
    while start + LEN <= bytes.len() {
        let window = &bytes[start..start + LEN];
        let boundary_before = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let boundary_after = bytes
            .get(start + LEN)
            .is_none_or(|b| !b.is_ascii_alphanumeric());
        if boundary_before && boundary_after && orcid_shape(window) {
            let candidate = String::from_utf8_lossy(window).to_ascii_uppercase();
            if orcid_checksum_ok(&candidate) {
                return Some((start, start + LEN, candidate));
            }
        }
        start += 1;
    }
    None
}

/// Tells whether 19 bytes have the shape `NNNN-NNNN-NNNN-NNNC`.
fn orcid_shape(window: &[u8]) -> bool {
    window.iter().enumerate().all(|(i, b)| match i {
        4 | 9 | 14 => *b == b'-',
        18 => b.is_ascii_digit() || *b == b'X' || *b == b'x',
        _ => b.is_ascii_digit(),
    })
}

/// Checks the ISO 7064 MOD 11-2 check character of an iD in the form `NNNN-NNNN-NNNN-NNNC`.
fn orcid_checksum_ok(orcid: &str) -> bool {
    let digits: Vec<u32> = orcid
        .chars()
        .filter(|c| *c != '-')
        .filter_map(|c| c.to_digit(10))
        .collect();
    let Some(last) = orcid.chars().last() else {
        return false;
    };
    if digits.len() < 15 {
        return false;
    }
    let total = digits[..15].iter().fold(0, |total, d| (total + d) * 2);
    let check = (12 - total % 11) % 11;
    let expected = if check == 10 {
        'X'
    } else {
        char::from_digit(check, 10).unwrap_or('?')
    };
    last == expected
}

/// Tells whether a URL most likely points at a file rather than a landing page.
pub(crate) fn looks_like_file(url: &str) -> bool {
    let whole = url.split('#').next().unwrap_or(url).to_ascii_lowercase();
    let path = whole.split('?').next().unwrap_or(&whole);
    const FILE_EXTENSIONS: [&str; 38] = [
        ".pdf", ".zip", ".gz", ".tgz", ".tar", ".7z", ".rar", ".png", ".jpg", ".jpeg", ".gif",
        ".tif", ".tiff", ".svg", ".doc", ".docx", ".odt", ".xls", ".xlsx", ".ppt", ".pptx", ".csv",
        ".txt", ".xml", ".json", ".mp3", ".wav", ".ogg", ".flac", ".mp4", ".m4v", ".mov", ".avi",
        ".webm", ".mkv", ".epub", ".djvu", ".nc",
    ];
    FILE_EXTENSIONS
        .iter()
        .any(|ext| path.ends_with(ext) || whole.ends_with(ext))
        || path.contains("/bitstream/")
        || path.contains("/download/")
        || path.ends_with("/download")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doi_forms() {
        let expected = Some("10.1000/abc.def".to_owned());
        assert_eq!(normalise_doi("10.1000/ABC.def"), expected);
        assert_eq!(normalise_doi("doi:10.1000/ABC.def"), expected);
        assert_eq!(normalise_doi("DOI: 10.1000/abc.def"), expected);
        assert_eq!(normalise_doi("info:doi/10.1000/abc.def"), expected);
        assert_eq!(normalise_doi("https://doi.org/10.1000/abc.def"), expected);
        assert_eq!(normalise_doi("http://dx.doi.org/10.1000/abc.def"), expected);
        assert_eq!(normalise_doi("https://doi.org/10.1000%2Fabc.def"), expected);
    }

    #[test]
    fn doi_rejects_non_dois() {
        assert_eq!(normalise_doi("10.12/short"), None);
        assert_eq!(normalise_doi("10.1000/"), None);
        assert_eq!(normalise_doi("10.1000/a b"), None);
        assert_eq!(normalise_doi("https://example.org/10.1000/x"), None);
        assert_eq!(normalise_doi(""), None);
    }

    #[test]
    fn identifier_schemes() {
        let scheme = |v: &str| classify_identifier(v).map(|i| (i.scheme, i.value));
        assert_eq!(
            scheme("hdl:11041/sldr000766"),
            Some((IdScheme::Handle, "11041/sldr000766".into()))
        );
        assert_eq!(
            scheme("http://hdl.handle.net/1/2"),
            Some((IdScheme::Handle, "1/2".into()))
        );
        let file = "http://hdl.handle.net/1/2/olac.xml";
        assert_eq!(scheme(file), Some((IdScheme::Url, file.into())));
        assert_eq!(
            scheme("ISBN 978-3-16-148410-0"),
            Some((IdScheme::Isbn, "9783161484100".into()))
        );
        assert_eq!(
            scheme("0-306-40615-2"),
            Some((IdScheme::Isbn, "0306406152".into()))
        );
        assert_eq!(
            scheme("issn:2583-1887"),
            Some((IdScheme::Issn, "2583-1887".into()))
        );
        assert_eq!(
            scheme("0021-3446"),
            Some((IdScheme::Issn, "0021-3446".into()))
        );
        assert_eq!(
            scheme("urn:nbn:de:1234"),
            Some((IdScheme::Urn, "urn:nbn:de:1234".into()))
        );
        assert_eq!(
            scheme("https://example.org/a"),
            Some((IdScheme::Url, "https://example.org/a".into()))
        );
        assert_eq!(
            scheme("oai:zenodo.org:1"),
            Some((IdScheme::Other, "oai:zenodo.org:1".into()))
        );
        assert_eq!(scheme("  "), None);
    }

    #[test]
    fn isbn_and_issn_need_valid_check_digits() {
        assert_eq!(normalise_isbn("ISBN 978-3-16-148410-1"), None);
        assert_eq!(normalise_issn("0021-3447"), None);
        assert_eq!(normalise_issn("2434-561X"), Some("2434-561X".into()));
    }

    #[test]
    fn agent_orcid_url_moves_out_of_name() {
        let agent =
            parse_agent("Carberry, Josiah (https://orcid.org/0000-0002-1825-0097)").unwrap();
        assert_eq!(agent.name, "Carberry, Josiah");
        assert_eq!(agent.orcid.as_deref(), Some("0000-0002-1825-0097"));
    }

    #[test]
    fn agent_bare_and_labelled_orcid() {
        let bare = parse_agent("Carberry, Josiah 0000-0002-1825-0097").unwrap();
        assert_eq!(bare.name, "Carberry, Josiah");
        assert_eq!(bare.orcid.as_deref(), Some("0000-0002-1825-0097"));
        let labelled = parse_agent("Carberry, Josiah; ORCID: 0000-0002-1825-0097").unwrap();
        assert_eq!(labelled.name, "Carberry, Josiah");
        let x_check = parse_agent("Doe, Jane [0000-0002-9079-593x]").unwrap();
        assert_eq!(x_check.orcid.as_deref(), Some("0000-0002-9079-593X"));
        assert_eq!(x_check.name, "Doe, Jane");
    }

    #[test]
    fn agent_invalid_orcid_stays_in_name() {
        let agent = parse_agent("Carberry, Josiah 0000-0002-1825-0098").unwrap();
        assert_eq!(agent.name, "Carberry, Josiah 0000-0002-1825-0098");
        assert_eq!(agent.orcid, None);
    }

    #[test]
    fn agent_whitespace_normalised_and_empty_dropped() {
        let agent = parse_agent("  Bois,\n   Robert  (speaker) ").unwrap();
        assert_eq!(agent.name, "Bois, Robert (speaker)");
        assert_eq!(parse_agent(" \n "), None);
    }

    #[test]
    fn file_urls_detected() {
        assert!(looks_like_file(
            "http://cyberleninka.ru/article_covers/14074026.png"
        ));
        assert!(looks_like_file("https://repo.example/bitstream/1/2/paper"));
        assert!(looks_like_file("https://x.example/files/a.PDF?download=1"));
        assert!(looks_like_file(
            "http://hdl.handle.net/1/2?urlappend=/preview/picto.jpg"
        ));
        assert!(!looks_like_file("https://zenodo.org/records/20510666"));
        assert!(!looks_like_file("https://example.org/page.html"));
    }
}
