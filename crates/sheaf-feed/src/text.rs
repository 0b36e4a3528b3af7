//! HTML to plain text: tags removed, `script`/`style` content dropped, entities decoded,
//! whitespace collapsed.

/// Elements whose content is never shown to a reader.
const HIDDEN_ELEMENTS: &[&str] = &["script", "style", "template"];

/// Elements that separate words: their tags become a space, so `a<br>b` reads as `a b`.
const BLOCK_ELEMENTS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "img",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

/// Converts an HTML fragment to plain text.
///
/// Tags and comments are removed, and the content of `script`, `style` and `template` is
/// dropped. Block elements separate words and CDATA sections are kept as text. HTML named and
/// numeric character references are decoded. Runs of white space become one space, but a
/// no-break space is kept. A `<` that does not start a tag is kept as text.
///
/// ```
/// let text = sheaf_feed::to_plain_text("<p>Caf&eacute;<br>au&nbsp;lait</p><script>x()</script>");
/// assert_eq!(text, "Café au\u{a0}lait");
/// ```
pub fn to_plain_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        push_decoded(&mut text, &rest[..start]);
        rest = &rest[start..];
        rest = skip_markup(&mut text, rest);
    }
    push_decoded(&mut text, rest);
    collapse_whitespace(&text)
}

/// Skips the markup at the start of `rest` (which starts with `<`) and returns what follows.
fn skip_markup<'a>(text: &mut String, rest: &'a str) -> &'a str {
    let after = &rest[1..];
    if let Some(body) = after.strip_prefix("!--") {
        return body.find("-->").map_or("", |end| &body[end + 3..]);
    }
    if let Some(body) = after.strip_prefix("![CDATA[") {
        let end = body.find("]]>").unwrap_or(body.len());
        text.push_str(&body[..end]);
        return body.get(end + 3..).unwrap_or("");
    }
    let starts_tag =
        after.starts_with(|c: char| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'));
    if !starts_tag {
        text.push('<');
        return after;
    }
    let Some(end) = tag_end(after) else {
        return "";
    };
    let tag = &after[..end];
    let remainder = &after[end + 1..];
    let name = tag_name(tag);
    if BLOCK_ELEMENTS.contains(&name.as_str()) {
        text.push(' ');
    }
    let is_start_tag = !tag.starts_with('/') && !tag.ends_with('/');
    if is_start_tag && HIDDEN_ELEMENTS.contains(&name.as_str()) {
        return skip_hidden(remainder, &name);
    }
    remainder
}

/// Finds the `>` that closes a tag, skipping `>` inside quoted attribute values.
fn tag_end(tag: &str) -> Option<usize> {
    let mut quote = None;
    for (index, c) in tag.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(open), _) if c == open => quote = None,
            (None, '>') => return Some(index),
            _ => {}
        }
    }
    None
}

/// Returns the lower-case element name of a tag's inside (`/P class=x` → `p`).
fn tag_name(tag: &str) -> String {
    tag.trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Skips to after the end tag of a hidden element, case-insensitively.
fn skip_hidden<'a>(rest: &'a str, name: &str) -> &'a str {
    let closing = format!("</{name}");
    let lower = rest.to_ascii_lowercase();
    let Some(start) = lower.find(&closing) else {
        return "";
    };
    match rest[start..].find('>') {
        Some(end) => &rest[start + end + 1..],
        None => "",
    }
}

/// Appends text with its character references decoded. Only references closed by `;` are
/// decoded, so `?a=1&copy=2` in a URL stays as written.
fn push_decoded(text: &mut String, raw: &str) {
    let mut rest = raw;
    while let Some(start) = rest.find('&') {
        text.push_str(&rest[..start]);
        rest = &rest[start..];
        match reference_at(rest) {
            Some((decoded, length)) => {
                text.push_str(&decoded);
                rest = &rest[length..];
            }
            None => {
                text.push('&');
                rest = &rest[1..];
            }
        }
    }
    text.push_str(rest);
}

/// Decodes the character reference at the start of `text` (which starts with `&`): `&#NN;`,
/// `&#xHH;` or an HTML5 named reference. Returns the characters and the reference's length.
pub(crate) fn reference_at(text: &str) -> Option<(String, usize)> {
    let end = text.get(1..)?.find(';')? + 1;
    if end > 40 {
        return None;
    }
    let body = &text[1..end];
    let decoded = if let Some(number) = body.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        char::from_u32(windows_1252_c1(code))
            .filter(|c| *c != '\0')?
            .to_string()
    } else {
        named_reference(body)?
    };
    Some((decoded, end + 1))
}

/// Characters that windows-1252 puts at bytes 0x80 to 0x9F. HTML reads numeric references in
/// that range as these characters, because publishers wrote windows-1252 byte values.
const WINDOWS_1252_C1: [u32; 32] = [
    0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
];

/// Maps a code point in 0x80..=0x9F to its windows-1252 character; others are returned as is.
pub(crate) fn windows_1252_c1(code: u32) -> u32 {
    match code
        .checked_sub(0x80)
        .and_then(|index| WINDOWS_1252_C1.get(index as usize))
    {
        Some(mapped) => *mapped,
        None => code,
    }
}

/// Returns the characters of an HTML5 named character reference (`hellip` → `…`), or `None`
/// for a name that is not in the HTML5 list.
pub(crate) fn named_reference(name: &str) -> Option<String> {
    let valid_name = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.bytes().all(|b| b.is_ascii_alphanumeric());
    if !valid_name {
        return None;
    }
    let reference = format!("&{name};");
    match html_escape::decode_html_entities(&reference) {
        std::borrow::Cow::Owned(decoded) if decoded != reference => Some(decoded),
        _ => None,
    }
}

/// Replaces every run of whitespace other than no-break spaces by one space, and trims. C1
/// control characters, which in feeds are windows-1252 bytes decoded as Latin-1, become the
/// windows-1252 characters.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    let mut collapsed = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        let c = if ('\u{80}'..='\u{9f}').contains(&c) {
            char::from_u32(windows_1252_c1(u32::from(c))).unwrap_or(c)
        } else {
            c
        };
        if c.is_whitespace() && c != '\u{a0}' {
            pending_space = !collapsed.is_empty();
            continue;
        }
        if pending_space {
            collapsed.push(' ');
            pending_space = false;
        }
        collapsed.push(c);
    }
    collapsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_cases() {
        let cases = [
            ("plain", "plain"),
            ("  a \n\t b  ", "a b"),
            ("<b>bold</b> text", "bold text"),
            ("a<br/>b", "a b"),
            ("a<span>b</span>c", "abc"),
            ("x<script>alert('<b>')</script>y", "xy"),
            ("x<STYLE type=\"text/css\">p{}</style>y", "xy"),
            ("<a href=\"x>y\">link</a>", "link"),
            ("a &lt;b&gt; &amp; c", "a <b> & c"),
            ("testing &hellip; entity", "testing \u{2026} entity"),
            ("&#8217;&#x2019;", "\u{2019}\u{2019}"),
            ("1 < 2", "1 < 2"),
            ("<!-- hidden -->shown", "shown"),
            ("<![CDATA[<kept>]]>", "<kept>"),
            ("unclosed <b", "unclosed"),
            ("<p>one</p><p>two</p>", "one two"),
            ("AT&T", "AT&T"),
            ("?page=1&copy=2;mode=x", "?page=1&copy=2;mode=x"),
            ("&copy; &bogus; &#0;", "\u{a9} &bogus; &#0;"),
        ];
        for (html, expected) in cases {
            assert_eq!(to_plain_text(html), expected, "{html}");
        }
    }
}
