//! Text repairs applied to a decoded feed before the XML parser sees it.
//!
//! Each repair fixes something real feeds get wrong and that a strict XML parser rejects: bare
//! `&`, HTML named entities that XML does not define, DOCTYPEs with entity declarations, RSS
//! roots with a missing or unusual `version`, and Atom 0.3 element names.

use std::collections::HashMap;

use crate::model::{FeedKind, Repairs};
use crate::text::{named_reference, windows_1252_c1};

/// Namespace of Atom 0.3.
const ATOM03_NAMESPACE: &str = "http://purl.org/atom/ns#";
/// Namespace of Atom 1.0.
const ATOM10_NAMESPACE: &str = "http://www.w3.org/2005/Atom";
/// Namespace of RSS 0.90.
const RSS090_NAMESPACE: &str = "http://my.netscape.com/rdf/simple/0.9/";
/// Atom 0.3 element names and their Atom 1.0 equivalents.
const ATOM03_RENAMES: &[(&str, &str)] = &[
    ("issued", "published"),
    ("modified", "updated"),
    ("tagline", "subtitle"),
    ("copyright", "rights"),
    ("url", "uri"),
];
/// Atom 0.3 text types (media types) and their Atom 1.0 names.
const ATOM03_TYPES: &[(&str, &str)] = &[
    ("type=\"application/xhtml+xml\"", "type=\"xhtml\""),
    ("type=\"text/html\"", "type=\"html\""),
    ("type=\"text/plain\"", "type=\"text\""),
];
/// Longest entity name looked up; longer runs are treated as text after a bare `&`.
const MAX_ENTITY_NAME: usize = 32;

/// A feed document after repairs, ready for the XML parser.
pub(crate) struct Repaired {
    /// The repaired document.
    pub(crate) text: String,
    /// The format, as far as the root element tells.
    pub(crate) kind: Option<FeedKind>,
    /// The root is an RDF element (RSS 0.90 or 1.0).
    pub(crate) is_rdf: bool,
}

/// Applies every repair to a decoded XML feed and counts them in `repairs`.
pub(crate) fn repair_xml(text: &str, repairs: &mut Repairs) -> Repaired {
    let text = drop_xml_declaration(text);
    let mut text = escape_references(text, repairs);
    let kind = match root_start_tag(&text) {
        Some((start, end)) => fix_root(&mut text, start, end, repairs),
        None => None,
    };
    if kind == Some(FeedKind::Atom03) {
        text = rewrite_atom03(&text);
        repairs.atom03 += 1;
    }
    let is_rdf = match root_start_tag(&text) {
        Some((start, end)) => {
            text[start..end].starts_with("<rdf:RDF") || text[start..end].starts_with("<RDF")
        }
        None => false,
    };
    Repaired { text, kind, is_rdf }
}

/// Appends end tags for the elements still open at the end of the document, and completes an
/// unterminated last end tag (`</feed`). Returns `None` when nothing is open.
pub(crate) fn close_open_elements(text: &str) -> Option<String> {
    let mut closed = text.trim_end().to_string();
    if let Some(last) = closed.rfind('<')
        && closed[last..].starts_with("</")
        && !closed[last..].contains('>')
    {
        closed.push('>');
    }
    let mut reader = quick_xml::Reader::from_str(&closed);
    reader.config_mut().check_end_names = false;
    reader.config_mut().allow_unmatched_ends = true;
    let mut open: Vec<String> = Vec::new();
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(start)) => {
                open.push(start.name().as_ref().to_string())
            }
            Ok(quick_xml::events::Event::End(_)) => {
                open.pop();
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    if open.is_empty() && closed.len() == text.trim_end().len() {
        return None;
    }
    for name in open.iter().rev() {
        closed.push_str(&format!("</{name}>"));
    }
    Some(closed)
}

/// Removes the XML declaration: the text is UTF-8 now, and a declared encoding would make the
/// parser decode it a second time.
fn drop_xml_declaration(text: &str) -> &str {
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if trimmed.starts_with("<?xml")
        && trimmed[5..].starts_with(|c: char| c.is_ascii_whitespace() || c == '?')
        && let Some(end) = trimmed.find("?>")
    {
        return &trimmed[end + 2..];
    }
    trimmed
}

/// Escapes bare ampersands, turns HTML named entities into numeric references, expands entities
/// declared in a DOCTYPE and removes the DOCTYPE. Comments, CDATA sections and processing
/// instructions are copied unchanged.
fn escape_references(text: &str, repairs: &mut Repairs) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32);
    let mut declared = HashMap::new();
    let mut rest = text;
    while let Some(index) = rest.find(['&', '<']) {
        out.push_str(&rest[..index]);
        rest = &rest[index..];
        if rest.starts_with('&') {
            rest = escape_reference(&mut out, rest, &declared, repairs);
            continue;
        }
        let copied_until = if rest.starts_with("<!--") {
            find_end(rest, 4, "-->")
        } else if rest.starts_with("<![CDATA[") {
            find_end(rest, 9, "]]>")
        } else if rest.starts_with("<?") {
            find_end(rest, 2, "?>")
        } else if starts_with_ignore_case(rest, "<!DOCTYPE") {
            let end = doctype_end(rest);
            collect_entity_declarations(&rest[..end], &mut declared);
            rest = &rest[end..];
            repairs.doctype += 1;
            continue;
        } else {
            1
        };
        out.push_str(&rest[..copied_until]);
        rest = &rest[copied_until..];
    }
    out.push_str(rest);
    out
}

/// Returns the index just past `terminator`, searching from `from`; the end of `text` when the
/// terminator is missing.
fn find_end(text: &str, from: usize, terminator: &str) -> usize {
    text[from..]
        .find(terminator)
        .map_or(text.len(), |end| from + end + terminator.len())
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}

/// Returns the length of a DOCTYPE declaration, including an internal subset in brackets.
fn doctype_end(text: &str) -> usize {
    let bracket = text.find('[');
    let close = text.find('>');
    match (bracket, close) {
        (Some(open), Some(close)) if open < close => find_end(text, open, "]>").max(close + 1),
        (_, Some(close)) => close + 1,
        (_, None) => text.len(),
    }
}

/// Collects `<!ENTITY name "value">` declarations with literal values.
fn collect_entity_declarations(doctype: &str, declared: &mut HashMap<String, String>) {
    for declaration in doctype.split("<!ENTITY").skip(1) {
        let declaration = declaration.trim_start();
        if declaration.starts_with('%') {
            continue;
        }
        let name_end = declaration
            .find(char::is_whitespace)
            .unwrap_or(declaration.len());
        let name = &declaration[..name_end];
        let value_part = declaration[name_end..].trim_start();
        let Some(quote) = value_part
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')
        else {
            continue;
        };
        if let Some(end) = value_part[1..].find(quote) {
            declared.insert(name.to_string(), value_part[1..end + 1].to_string());
        }
    }
}

/// Handles the `&` at the start of `rest`, appends its repaired form and returns what follows.
fn escape_reference<'a>(
    out: &mut String,
    rest: &'a str,
    declared: &HashMap<String, String>,
    repairs: &mut Repairs,
) -> &'a str {
    let after = &rest[1..];
    let name_length = after
        .bytes()
        .take(MAX_ENTITY_NAME + 1)
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'#')
        .count();
    let name = &after[..name_length];
    let closed = after[name_length..].starts_with(';');
    if closed && let Some(code) = character_reference(name) {
        let mapped = windows_1252_c1(code);
        if mapped == code {
            out.push('&');
            return after;
        }
        out.push_str(&format!("&#{mapped};"));
        repairs.html_entities += 1;
        return &after[name_length + 1..];
    }
    if closed && matches!(name, "amp" | "lt" | "gt" | "quot" | "apos") {
        out.push('&');
        return after;
    }
    if closed && let Some(value) = declared.get(name) {
        out.push_str(value);
        repairs.html_entities += 1;
        return &after[name_length + 1..];
    }
    if closed && let Some(decoded) = named_reference(name) {
        for c in decoded.chars() {
            out.push_str(&format!("&#{};", u32::from(c)));
        }
        repairs.html_entities += 1;
        return &after[name_length + 1..];
    }
    if closed && name.starts_with('#') {
        // A numeric reference to a character XML forbids is removed.
        repairs.removed_chars += 1;
        return &after[name_length + 1..];
    }
    out.push_str("&amp;");
    repairs.bare_ampersands += 1;
    after
}

/// Returns the code point of `#NN` or `#xHH` when it names a character XML 1.0 allows.
fn character_reference(name: &str) -> Option<u32> {
    let number = name.strip_prefix('#')?;
    let code = match number.strip_prefix('x') {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) => {
            number.parse().ok()
        }
        None => None,
    };
    code.filter(|code| char::from_u32(*code).is_some_and(is_xml_char))
}

/// Tells whether XML 1.0 allows a character.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

/// Finds the root element's start tag: the byte range from `<` to `>` inclusive.
fn root_start_tag(text: &str) -> Option<(usize, usize)> {
    let mut position = 0;
    loop {
        let start = position + text[position..].find('<')?;
        let rest = &text[start..];
        if rest.starts_with("<!--") {
            position = start + find_end(rest, 4, "-->");
        } else if rest.starts_with("<?") || rest.starts_with("<!") {
            position = start + find_end(rest, 2, ">");
        } else if rest[1..].starts_with(|c: char| c.is_alphabetic() || c == '_') {
            let end = start + rest.find('>')?;
            return Some((start, end + 1));
        } else {
            position = start + 1;
        }
        if position >= text.len() {
            return None;
        }
    }
}

/// Reads the root element, normalises an RSS version attribute, and returns the format.
fn fix_root(
    text: &mut String,
    start: usize,
    end: usize,
    repairs: &mut Repairs,
) -> Option<FeedKind> {
    let tag = &text[start..end];
    let name: String = tag[1..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
        .collect();
    let local_name = name.rsplit(':').next().unwrap_or(&name);
    match local_name {
        "rss" => {
            let version = attribute(tag, "version");
            let kind = match version.as_deref().map(str::trim) {
                Some("0.90" | "0.91" | "0.92" | "0.93" | "0.94") => FeedKind::Rss0x,
                _ => FeedKind::Rss2,
            };
            let supported = matches!(version.as_deref(), Some("2.0" | "0.91" | "0.92"));
            if !supported {
                let fixed = set_version(tag, &name);
                text.replace_range(start..end, &fixed);
                repairs.rss_version += 1;
            }
            Some(kind)
        }
        "RDF" if tag.contains(RSS090_NAMESPACE) => Some(FeedKind::Rss0x),
        "RDF" => Some(FeedKind::Rss1),
        "feed"
            if tag.contains(ATOM03_NAMESPACE)
                || attribute(tag, "version").as_deref() == Some("0.3") =>
        {
            Some(FeedKind::Atom03)
        }
        "feed" | "entry" => Some(FeedKind::Atom1),
        _ => None,
    }
}

/// Returns the value of an attribute in a start tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let mut search = 0;
    while let Some(found) = tag[search..].find(name) {
        let index = search + found;
        search = index + name.len();
        let preceded_by_space = tag[..index].ends_with(char::is_whitespace);
        let after = tag[search..].trim_start();
        let Some(value_part) = after.strip_prefix('=') else {
            continue;
        };
        if !preceded_by_space {
            continue;
        }
        let value_part = value_part.trim_start();
        let quote = value_part
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')?;
        let end = value_part[1..].find(quote)?;
        return Some(value_part[1..end + 1].to_string());
    }
    None
}

/// Rewrites an `<rss>` start tag with `version="2.0"`, dropping any other version attribute.
fn set_version(tag: &str, name: &str) -> String {
    let mut attributes = tag[1 + name.len()..].trim_end_matches('>').to_string();
    if let Some(version) = attribute(tag, "version") {
        for quote in ['"', '\''] {
            attributes = attributes.replacen(&format!("version={quote}{version}{quote}"), "", 1);
        }
    }
    if attributes.trim().is_empty() {
        attributes.clear();
    }
    format!("<{name} version=\"2.0\"{attributes}>")
}

/// Rewrites Atom 0.3 into Atom 1.0: the namespace and the renamed elements.
fn rewrite_atom03(text: &str) -> String {
    let mut text = text.replace(ATOM03_NAMESPACE, ATOM10_NAMESPACE);
    for (old, new) in ATOM03_TYPES {
        text = text.replace(old, new);
    }
    if !text.contains(ATOM10_NAMESPACE) {
        text = add_atom_namespace(&text);
    }
    for (old, new) in ATOM03_RENAMES {
        text = rename_element(&text, old, new);
    }
    text
}

/// Adds the Atom 1.0 namespace to a root `<feed>` that declares none.
fn add_atom_namespace(text: &str) -> String {
    match text.find("<feed") {
        Some(index) => {
            let insert_at = index + "<feed".len();
            format!(
                "{} xmlns=\"{ATOM10_NAMESPACE}\"{}",
                &text[..insert_at],
                &text[insert_at..]
            )
        }
        None => text.to_string(),
    }
}

/// Renames start and end tags of an unprefixed element.
fn rename_element(text: &str, old: &str, new: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(index) = rest.find('<') {
        out.push_str(&rest[..index]);
        rest = &rest[index..];
        let (open, after_open) = if let Some(after) = rest.strip_prefix("</") {
            ("</", after)
        } else {
            ("<", &rest[1..])
        };
        let matches_name = after_open.starts_with(old)
            && after_open[old.len()..]
                .starts_with(|c: char| c == '>' || c == '/' || c.is_whitespace());
        if matches_name {
            out.push_str(open);
            out.push_str(new);
            rest = &after_open[old.len()..];
        } else {
            out.push('<');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repaired(text: &str) -> (String, Repairs) {
        let mut repairs = Repairs::default();
        let result = repair_xml(text, &mut repairs);
        (result.text, repairs)
    }

    #[test]
    fn bare_ampersands_are_escaped() {
        let (text, repairs) =
            repaired("<rss version=\"2.0\"><title>A & B &c &amp; &#38;</title></rss>");
        assert_eq!(
            text,
            "<rss version=\"2.0\"><title>A &amp; B &amp;c &amp; &#38;</title></rss>"
        );
        assert_eq!(repairs.bare_ampersands, 2);
    }

    #[test]
    fn html_entities_become_numeric() {
        let (text, repairs) = repaired("<feed><title>a&hellip;&eacute;&lt;</title></feed>");
        assert_eq!(text, "<feed><title>a&#8230;&#233;&lt;</title></feed>");
        assert_eq!(repairs.html_entities, 2);
    }

    #[test]
    fn cdata_and_comments_are_untouched() {
        let input = "<rss version=\"2.0\"><!-- a & b --><d><![CDATA[x & y &hellip;]]></d></rss>";
        let (text, repairs) = repaired(input);
        assert_eq!(text, input);
        assert_eq!(repairs.total(), 0);
    }

    #[test]
    fn rss_versions_are_normalised() {
        let cases = [
            (
                "<rss><channel/></rss>",
                "<rss version=\"2.0\"><channel/></rss>",
                1,
            ),
            ("<rss version=\"2.01\">", "<rss version=\"2.0\">", 1),
            (
                "<rss version='0.94' xmlns:a=\"x\">",
                "<rss version=\"2.0\"  xmlns:a=\"x\">",
                1,
            ),
            ("<rss version=\"0.91\">", "<rss version=\"0.91\">", 0),
        ];
        for (input, expected, count) in cases {
            let (text, repairs) = repaired(input);
            assert_eq!(text, expected, "{input}");
            assert_eq!(repairs.rss_version, count, "{input}");
        }
    }

    #[test]
    fn doctype_entities_are_expanded() {
        let input = "<!DOCTYPE rss [<!ENTITY me \"Me &amp; you\">]><rss version=\"2.0\">&me;</rss>";
        let (text, repairs) = repaired(input);
        assert_eq!(text, "<rss version=\"2.0\">Me &amp; you</rss>");
        assert_eq!(repairs.doctype, 1);
        assert_eq!(repairs.html_entities, 1);
    }

    #[test]
    fn atom03_is_rewritten() {
        let input = "<feed version=\"0.3\" xmlns=\"http://purl.org/atom/ns#\"><entry><issued>x</issued></entry></feed>";
        let mut repairs = Repairs::default();
        let result = repair_xml(input, &mut repairs);
        assert_eq!(result.kind, Some(FeedKind::Atom03));
        assert_eq!(
            result.text,
            "<feed version=\"0.3\" xmlns=\"http://www.w3.org/2005/Atom\"><entry><published>x</published></entry></feed>"
        );
    }

    #[test]
    fn xml_declaration_is_dropped() {
        let (text, _) =
            repaired("\u{feff}<?xml version=\"1.0\" encoding=\"koi8-r\"?>\n<rss version=\"2.0\"/>");
        assert_eq!(text, "\n<rss version=\"2.0\"/>");
    }
}
