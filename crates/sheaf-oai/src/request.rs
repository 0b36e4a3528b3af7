//! Request URLs for the OAI-PMH verbs (HTTP GET form).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Every byte except the RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`) is
/// percent-encoded, so tokens holding `+`, `/`, `=`, `&` or `:` reach the server intact.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Builds a request URL from a base URL and query parameters, in the order given.
///
/// Keys and values are percent-encoded except for RFC 3986 unreserved characters. A base URL
/// that already contains a query (`https://host/oai?db=main`) keeps it and the parameters are
/// appended after `&`; a fragment is dropped.
///
/// ```
/// use sheaf_oai::request_url;
///
/// let url = request_url("https://repo.example.net/oai", &[("verb", "Identify")]);
/// assert_eq!(url, "https://repo.example.net/oai?verb=Identify");
/// ```
pub fn request_url(base_url: &str, params: &[(&str, &str)]) -> String {
    let base = base_url.split('#').next().unwrap_or(base_url);
    let mut url = String::with_capacity(base.len() + 64);
    url.push_str(base);
    let mut separator = match base.find('?') {
        None => "?",
        Some(_) if base.ends_with(['?', '&']) => "",
        Some(_) => "&",
    };
    for (key, value) in params {
        url.push_str(separator);
        url.extend(utf8_percent_encode(key, QUERY_VALUE));
        url.push('=');
        url.extend(utf8_percent_encode(value, QUERY_VALUE));
        separator = "&";
    }
    url
}

/// Builds the URL of the first `ListRecords` request of a list.
pub fn list_records_url(
    base_url: &str,
    prefix: &str,
    set: Option<&str>,
    from: Option<&str>,
    until: Option<&str>,
) -> String {
    list_url(base_url, "ListRecords", prefix, set, from, until)
}

/// Builds the URL of the first `ListIdentifiers` request of a list.
pub fn list_identifiers_url(
    base_url: &str,
    prefix: &str,
    set: Option<&str>,
    from: Option<&str>,
    until: Option<&str>,
) -> String {
    list_url(base_url, "ListIdentifiers", prefix, set, from, until)
}

fn list_url(
    base_url: &str,
    verb: &str,
    prefix: &str,
    set: Option<&str>,
    from: Option<&str>,
    until: Option<&str>,
) -> String {
    let mut params = vec![("verb", verb), ("metadataPrefix", prefix)];
    let optional = [("set", set), ("from", from), ("until", until)];
    for (key, value) in optional {
        if let Some(value) = value {
            params.push((key, value));
        }
    }
    request_url(base_url, &params)
}

/// Builds the URL that continues a list: the verb and the resumption token only, as the
/// protocol requires.
pub fn resume_url(base_url: &str, verb: &str, token: &str) -> String {
    request_url(base_url, &[("verb", verb), ("resumptionToken", token)])
}

/// Builds the URL of an `Identify` request.
pub fn identify_url(base_url: &str) -> String {
    request_url(base_url, &[("verb", "Identify")])
}

/// Builds the URL of a `GetRecord` request.
pub fn get_record_url(base_url: &str, identifier: &str, prefix: &str) -> String {
    let params = [
        ("verb", "GetRecord"),
        ("identifier", identifier),
        ("metadataPrefix", prefix),
    ];
    request_url(base_url, &params)
}

/// Builds the URL of a `ListMetadataFormats` request for the whole repository.
pub fn list_metadata_formats_url(base_url: &str) -> String {
    request_url(base_url, &[("verb", "ListMetadataFormats")])
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://repo.example.net/oai";

    #[test]
    fn reserved_characters_encoded() {
        let url = request_url(BASE, &[("resumptionToken", "a+b/c=d&e:f g%h~i.j_k-l")]);
        assert_eq!(
            url,
            "https://repo.example.net/oai?resumptionToken=a%2Bb%2Fc%3Dd%26e%3Af%20g%25h~i.j_k-l"
        );
    }

    #[test]
    fn non_ascii_encoded_as_utf8() {
        assert_eq!(
            request_url(BASE, &[("set", "é")]),
            format!("{BASE}?set=%C3%A9")
        );
    }

    #[test]
    fn base_with_query_kept() {
        let params = [("verb", "Identify")];
        assert_eq!(
            request_url("https://h/oai?db=main", &params),
            "https://h/oai?db=main&verb=Identify"
        );
        assert_eq!(
            request_url("https://h/oai?", &params),
            "https://h/oai?verb=Identify"
        );
        assert_eq!(
            request_url("https://h/oai?db=x&", &params),
            "https://h/oai?db=x&verb=Identify"
        );
        assert_eq!(
            request_url("https://h/oai#top", &params),
            "https://h/oai?verb=Identify"
        );
    }

    #[test]
    fn list_records_arguments_in_order() {
        let url = list_records_url(
            BASE,
            "oai_dc",
            Some("hdl:1/2"),
            Some("2025-12-01"),
            Some("2025-12-31T23:59:59Z"),
        );
        assert_eq!(
            url,
            "https://repo.example.net/oai?verb=ListRecords&metadataPrefix=oai_dc\
             &set=hdl%3A1%2F2&from=2025-12-01&until=2025-12-31T23%3A59%3A59Z"
        );
        assert_eq!(
            list_records_url(BASE, "oai_dc", None, None, None),
            format!("{BASE}?verb=ListRecords&metadataPrefix=oai_dc")
        );
    }

    #[test]
    fn resume_has_only_verb_and_token() {
        assert_eq!(
            resume_url(BASE, "ListRecords", "abc-123"),
            format!("{BASE}?verb=ListRecords&resumptionToken=abc-123")
        );
    }

    #[test]
    fn other_verbs() {
        assert_eq!(identify_url(BASE), format!("{BASE}?verb=Identify"));
        assert_eq!(
            get_record_url(BASE, "oai:repo:1", "oai_dc"),
            format!("{BASE}?verb=GetRecord&identifier=oai%3Arepo%3A1&metadataPrefix=oai_dc")
        );
        assert_eq!(
            list_identifiers_url(BASE, "oai_dc", None, Some("2025-01-01"), None),
            format!("{BASE}?verb=ListIdentifiers&metadataPrefix=oai_dc&from=2025-01-01")
        );
        assert_eq!(
            list_metadata_formats_url(BASE),
            format!("{BASE}?verb=ListMetadataFormats")
        );
    }
}
