//! The OAI-PMH verbs: argument checks, list paging with resumption tokens, and errors.

use std::fmt::Write as _;

use super::render::{self, TYPES};
use super::time::{self, DAY, Granularity};
use super::{IDENTIFIER_PREFIX, State, record_identifier};
use crate::RecordedRequest;

/// The only metadata format the repository disseminates.
const OAI_DC: &str = "oai_dc";

/// An OAI-PMH error: its code (such as `badArgument`) and a message.
struct OaiError {
    code: &'static str,
    message: String,
}

fn error(code: &'static str, message: impl Into<String>) -> OaiError {
    OaiError {
        code,
        message: message.into(),
    }
}

/// Builds the XML response body for `request`.
pub(super) fn answer(state: &State, request: &RecordedRequest) -> String {
    let host = request.header("host").unwrap_or("127.0.0.1");
    let base_url = format!("http://{host}{}", request.path);
    let mut content = String::with_capacity(state.options.page_size * 1500 + 512);
    let result =
        check_arguments(request).and_then(|args| dispatch(state, &args, &base_url, &mut content));

    let mut out = String::with_capacity(content.len() + 1024);
    match result {
        Ok(()) => {
            render::open_envelope(&mut out, state.now(), &request.params, &base_url);
            out.push_str(&content);
        }
        Err(OaiError { code, message }) => {
            // The request element carries no arguments when they were not valid.
            let echoed: &[(String, String)] = if matches!(code, "badVerb" | "badArgument") {
                &[]
            } else {
                &request.params
            };
            render::open_envelope(&mut out, state.now(), echoed, &base_url);
            render::push_error(&mut out, code, &message);
        }
    }
    render::close_envelope(&mut out);
    out
}

/// The validated arguments of one request.
struct Arguments<'a> {
    verb: &'a str,
    params: &'a [(String, String)],
}

impl Arguments<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Checks the verb, repeated arguments, and which arguments the verb allows.
fn check_arguments(request: &RecordedRequest) -> Result<Arguments<'_>, OaiError> {
    let params = request.params.as_slice();
    for (position, (name, _)) in params.iter().enumerate() {
        if params[..position]
            .iter()
            .any(|(earlier, _)| earlier == name)
        {
            let code = if name == "verb" {
                "badVerb"
            } else {
                "badArgument"
            };
            return Err(error(code, format!("argument `{name}` is repeated")));
        }
    }
    let Some(verb) = request.param("verb") else {
        return Err(error("badVerb", "the `verb` argument is missing"));
    };
    let (required, optional, exclusive): (&[&str], &[&str], bool) = match verb {
        "Identify" => (&[], &[], false),
        "ListMetadataFormats" => (&[], &["identifier"], false),
        "ListSets" => (&[], &[], true),
        "ListIdentifiers" | "ListRecords" => (&["metadataPrefix"], &["from", "until", "set"], true),
        "GetRecord" => (&["identifier", "metadataPrefix"], &[], false),
        _ => return Err(error("badVerb", format!("`{verb}` is not an OAI-PMH verb"))),
    };
    let arguments = Arguments { verb, params };
    let others = || params.iter().filter(|(name, _)| name != "verb");

    if exclusive && arguments.get("resumptionToken").is_some() {
        if let Some((name, _)) = others().find(|(name, _)| name != "resumptionToken") {
            let message = format!("`resumptionToken` is exclusive, but `{name}` was also given");
            return Err(error("badArgument", message));
        }
        return Ok(arguments);
    }
    for (name, _) in others() {
        if !required.contains(&name.as_str()) && !optional.contains(&name.as_str()) {
            return Err(error(
                "badArgument",
                format!("`{verb}` does not take `{name}`"),
            ));
        }
    }
    if let Some(missing) = required.iter().find(|name| arguments.get(name).is_none()) {
        return Err(error(
            "badArgument",
            format!("`{verb}` requires `{missing}`"),
        ));
    }
    Ok(arguments)
}

fn dispatch(
    state: &State,
    args: &Arguments<'_>,
    base_url: &str,
    out: &mut String,
) -> Result<(), OaiError> {
    match args.verb {
        "Identify" => identify(state, base_url, out),
        "ListMetadataFormats" => list_metadata_formats(state, args, out),
        "ListSets" => list_sets(args, out),
        "GetRecord" => get_record(state, args, out),
        _ => list(state, args, out),
    }
}

fn identify(state: &State, base_url: &str, out: &mut String) -> Result<(), OaiError> {
    let granularity = state.options.granularity;
    let overridden = state.datestamps.values().copied().min();
    let generated = (state.len > 0).then_some(state.options.first_datestamp);
    let earliest = overridden
        .into_iter()
        .chain(generated)
        .min()
        .unwrap_or(state.options.first_datestamp);
    out.push_str("<Identify><repositoryName>Sheaf synthetic repository</repositoryName>");
    out.push_str("<baseURL>");
    render::push_escaped(out, base_url);
    out.push_str("</baseURL><protocolVersion>2.0</protocolVersion>");
    out.push_str("<adminEmail>admin@test.example.org</adminEmail>");
    let _ = write!(
        out,
        "<earliestDatestamp>{}</earliestDatestamp>",
        time::format(earliest, granularity)
    );
    out.push_str("<deletedRecord>persistent</deletedRecord>");
    let _ = write!(out, "<granularity>{}</granularity>", granularity.as_str());
    out.push_str("</Identify>\n");
    Ok(())
}

fn list_metadata_formats(
    state: &State,
    args: &Arguments<'_>,
    out: &mut String,
) -> Result<(), OaiError> {
    if let Some(identifier) = args.get("identifier") {
        find_record(state, identifier)?;
    }
    out.push_str(concat!(
        "<ListMetadataFormats><metadataFormat><metadataPrefix>oai_dc</metadataPrefix>",
        "<schema>http://www.openarchives.org/OAI/2.0/oai_dc.xsd</schema>",
        "<metadataNamespace>http://www.openarchives.org/OAI/2.0/oai_dc/</metadataNamespace>",
        "</metadataFormat></ListMetadataFormats>\n",
    ));
    Ok(())
}

fn list_sets(args: &Arguments<'_>, out: &mut String) -> Result<(), OaiError> {
    if let Some(token) = args.get("resumptionToken") {
        return Err(error(
            "badResumptionToken",
            format!("unknown resumption token `{token}`"),
        ));
    }
    out.push_str("<ListSets>");
    for (name, spec) in TYPES {
        let _ = write!(
            out,
            "<set><setSpec>{spec}</setSpec><setName>{name} records</setName></set>"
        );
    }
    out.push_str("</ListSets>\n");
    Ok(())
}

fn get_record(state: &State, args: &Arguments<'_>, out: &mut String) -> Result<(), OaiError> {
    check_prefix(args)?;
    let index = find_record(state, args.get("identifier").unwrap_or_default())?;
    out.push_str("<GetRecord>");
    render::push_record(out, state, index);
    out.push_str("</GetRecord>\n");
    Ok(())
}

fn check_prefix(args: &Arguments<'_>) -> Result<(), OaiError> {
    match args.get("metadataPrefix") {
        Some(OAI_DC) | None => Ok(()),
        Some(other) => Err(error(
            "cannotDisseminateFormat",
            format!("metadata format `{other}` is not available; use `oai_dc`"),
        )),
    }
}

fn find_record(state: &State, identifier: &str) -> Result<u64, OaiError> {
    let index = identifier
        .strip_prefix(IDENTIFIER_PREFIX)
        .and_then(|rest| rest.parse::<u64>().ok());
    match index {
        Some(index) if index < state.len && record_identifier(index) == identifier => Ok(index),
        _ => Err(error(
            "idDoesNotExist",
            format!("no record has the identifier `{identifier}`"),
        )),
    }
}

/// The start position and filter of a list request, which a resumption token encodes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ListQuery {
    headers_only: bool,
    generation: u32,
    offset: u64,
    cursor: u64,
    from: Option<i64>,
    until: Option<i64>,
    set: Option<usize>,
}

impl ListQuery {
    fn token(&self) -> String {
        let number = |value: Option<i64>| value.map_or("x".to_string(), |v| v.to_string());
        let set = self.set.map_or("x".to_string(), |s| s.to_string());
        let kind = if self.headers_only { 'i' } else { 'r' };
        format!(
            "{kind}.{}.{}.{}.{}.{}.{set}",
            self.generation,
            self.offset,
            self.cursor,
            number(self.from),
            number(self.until)
        )
    }

    fn from_token(token: &str, headers_only: bool, generation: u32) -> Option<ListQuery> {
        let parts: Vec<&str> = token.split('.').collect();
        let [kind, token_generation, offset, cursor, from, until, set] = parts.as_slice() else {
            return None;
        };
        let optional = |text: &str| -> Option<Option<i64>> {
            if text == "x" {
                Some(None)
            } else {
                text.parse().ok().map(Some)
            }
        };
        let query = ListQuery {
            headers_only: match *kind {
                "i" => true,
                "r" => false,
                _ => return None,
            },
            generation: token_generation.parse().ok()?,
            offset: offset.parse().ok()?,
            cursor: cursor.parse().ok()?,
            from: optional(from)?,
            until: optional(until)?,
            set: if *set == "x" {
                None
            } else {
                Some(set.parse().ok()?)
            },
        };
        // Only tokens this repository wrote round-trip to the same text.
        let valid = query.headers_only == headers_only
            && query.generation == generation
            && query.token() == token;
        valid.then_some(query)
    }

    fn is_filtered(&self) -> bool {
        self.from.is_some() || self.until.is_some() || self.set.is_some()
    }

    fn selects(&self, state: &State, index: u64) -> bool {
        if self
            .set
            .is_some_and(|set| set != render::type_position(index))
        {
            return false;
        }
        if self.from.is_none() && self.until.is_none() {
            return true;
        }
        let datestamp = state.datestamp(index);
        self.from.is_none_or(|from| datestamp >= from)
            && self.until.is_none_or(|until| datestamp <= until)
    }
}

/// Parses the arguments of a first `ListRecords` or `ListIdentifiers` request.
fn first_query(
    state: &State,
    args: &Arguments<'_>,
    headers_only: bool,
) -> Result<ListQuery, OaiError> {
    check_prefix(args)?;
    let granularity = state.options.granularity;
    let mut seen_granularity = None;
    let mut bound = |name: &str| -> Result<Option<(i64, Granularity)>, OaiError> {
        let Some(text) = args.get(name) else {
            return Ok(None);
        };
        let Some((secs, written)) = time::parse(text) else {
            return Err(error(
                "badArgument",
                format!("`{name}` value `{text}` is not a valid datestamp"),
            ));
        };
        if granularity == Granularity::Day && written == Granularity::Second {
            let message = format!(
                "`{name}` value `{text}` is finer than the repository's granularity YYYY-MM-DD"
            );
            return Err(error("badArgument", message));
        }
        if seen_granularity.is_some_and(|earlier| earlier != written) {
            return Err(error(
                "badArgument",
                "`from` and `until` have different granularities",
            ));
        }
        seen_granularity = Some(written);
        Ok(Some((secs, written)))
    };
    let from = bound("from")?.map(|(secs, _)| secs);
    // A day-granular `until` includes the whole day.
    let until = bound("until")?.map(|(secs, written)| match written {
        Granularity::Day => secs + DAY - 1,
        Granularity::Second => secs,
    });
    if matches!((from, until), (Some(from), Some(until)) if from > until) {
        return Err(error("badArgument", "`from` is later than `until`"));
    }
    let set = match args.get("set") {
        None => None,
        Some(spec) => match TYPES.iter().position(|(_, known)| *known == spec) {
            Some(position) => Some(position),
            None => {
                return Err(error(
                    "noRecordsMatch",
                    format!("no records are in set `{spec}`"),
                ));
            }
        },
    };
    Ok(ListQuery {
        headers_only,
        generation: state.token_generation,
        offset: 0,
        cursor: 0,
        from,
        until,
        set,
    })
}

/// Builds one page of `ListRecords` or `ListIdentifiers`.
fn list(state: &State, args: &Arguments<'_>, out: &mut String) -> Result<(), OaiError> {
    let headers_only = args.verb == "ListIdentifiers";
    let query = match args.get("resumptionToken") {
        Some(token) => ListQuery::from_token(token, headers_only, state.token_generation)
            .ok_or_else(|| {
                error(
                    "badResumptionToken",
                    format!("unknown resumption token `{token}`"),
                )
            })?,
        None => first_query(state, args, headers_only)?,
    };

    let mut index = query.offset;
    let mut written = 0usize;
    let mut page = String::with_capacity(state.options.page_size * 1500);
    while index < state.len && written < state.options.page_size {
        if query.selects(state, index) {
            if headers_only {
                render::push_header(&mut page, state, index);
                page.push('\n');
            } else {
                render::push_record(&mut page, state, index);
            }
            written += 1;
        }
        index += 1;
    }
    // Skip ahead to the next selected record so the token points at it.
    while index < state.len && !query.selects(state, index) {
        index += 1;
    }
    if written == 0 && query.cursor == 0 {
        return Err(error(
            "noRecordsMatch",
            "no records match the request's arguments",
        ));
    }

    out.push_str(if headers_only {
        "<ListIdentifiers>\n"
    } else {
        "<ListRecords>\n"
    });
    out.push_str(&page);
    let list_size = if query.is_filtered() {
        String::new()
    } else {
        format!(" completeListSize=\"{}\"", state.len)
    };
    let cursor = query.cursor;
    if index < state.len {
        let next = ListQuery {
            offset: index,
            cursor: cursor + written as u64,
            ..query.clone()
        };
        let token = next.token();
        let _ = write!(out, "<resumptionToken cursor=\"{cursor}\"{list_size}>");
        if state.options.token_whitespace {
            let _ = write!(out, "\n      {token}\n    ");
        } else {
            out.push_str(&token);
        }
        out.push_str("</resumptionToken>\n");
    } else if cursor > 0 {
        // The last page of a list that took more than one request ends with an empty token.
        let _ = writeln!(out, "<resumptionToken cursor=\"{cursor}\"{list_size}/>");
    }
    out.push_str(if headers_only {
        "</ListIdentifiers>\n"
    } else {
        "</ListRecords>\n"
    });
    Ok(())
}
