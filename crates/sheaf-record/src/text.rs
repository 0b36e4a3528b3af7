//! Plain-text cleaning: HTML removal, entity decoding and whitespace collapsing.

/// Maximum number of strip-and-decode rounds in [`clean_text`].
///
/// Repositories often escape HTML twice (`&amp;lt;p&amp;gt;`), so one round is not enough. Each
/// level of escaping costs one round. Eight levels is far beyond what repositories send, and the
/// bound caps the work on hostile input.
const MAX_CLEAN_ROUNDS: usize = 8;

/// Cleans a text for display and indexing: HTML removed, entities decoded, whitespace collapsed.
///
/// Tags (`<p>`, `</i>`, `<br/>`), comments and the content of `script` and `style` elements are
/// removed. Block-level tags become a space so that paragraphs do not run together. A `<` only
/// starts a tag when a letter, `/`, `!` or `?` follows it and a `>` closes it, so `x < y` stays.
/// Named and numeric character references are decoded, and text that was escaped several times
/// is unwound level by level (see [`MAX_CLEAN_ROUNDS`]). Runs of whitespace become one space,
/// other control characters are removed, and the result is trimmed.
///
/// ```
/// use sheaf_record::clean_text;
///
/// assert_eq!(clean_text("<p>Caf&eacute;  <i>au</i>\n lait</p>"), "Café au lait");
/// assert_eq!(clean_text("&amp;lt;h3&amp;gt;Abstract&amp;lt;/h3&amp;gt;"), "Abstract");
/// ```
pub fn clean_text(text: &str) -> String {
    // Invisible characters go first, and again after each decoding, so that none can hide a tag
    // such as `<\u{0}a>` from one round and reveal it to the next call.
    let mut current = drop_invisible(text);
    for _ in 0..MAX_CLEAN_ROUNDS {
        if !current.contains(['<', '&']) {
            break;
        }
        let stripped = strip_tags(&current);
        let decoded = drop_invisible(&html_escape::decode_html_entities(&stripped));
        if decoded == current {
            break;
        }
        current = decoded;
    }
    normalise_space(&current)
}

/// Removes control characters other than whitespace, and invisible format marks.
fn drop_invisible(text: &str) -> String {
    let invisible = |ch: char| (ch.is_control() && !ch.is_whitespace()) || is_invisible_format(ch);
    text.chars().filter(|ch| !invisible(*ch)).collect()
}

/// Collapses runs of whitespace into one space, removes other control characters and trims.
pub(crate) fn normalise_space(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for ch in text.chars() {
        if ch.is_whitespace() {
            pending_space = !out.is_empty();
        } else if ch.is_control() || is_invisible_format(ch) {
            continue;
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(ch);
        }
    }
    out
}

/// Tells whether a character is an invisible format mark that only disturbs matching.
fn is_invisible_format(ch: char) -> bool {
    matches!(ch, '\u{200B}' | '\u{FEFF}' | '\u{00AD}')
}

/// Removes tags, comments, and `script` and `style` content; keeps CDATA content.
fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let markup = &rest[at..];
        match markup_len(markup) {
            Some(Markup::Skip { len, space }) => {
                if space {
                    out.push(' ');
                }
                rest = &markup[len..];
            }
            Some(Markup::Cdata { len }) => {
                let inner = &markup["<![CDATA[".len()..len - "]]>".len()];
                out.push_str(inner);
                rest = &markup[len..];
            }
            None => {
                out.push('<');
                rest = &markup[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The markup construct a `<` starts, with its length in bytes.
enum Markup {
    /// A tag, comment or script/style element to drop; `space` when it separates blocks.
    Skip { len: usize, space: bool },
    /// A CDATA section whose content stays.
    Cdata { len: usize },
}

/// Measures the markup at the start of `text` (which starts with `<`), or `None` for a plain `<`.
fn markup_len(text: &str) -> Option<Markup> {
    if let Some(body) = text.strip_prefix("<!--") {
        let end = body.find("-->")?;
        return Some(Markup::Skip {
            len: 4 + end + 3,
            space: false,
        });
    }
    if let Some(body) = text.strip_prefix("<![CDATA[") {
        let end = body.find("]]>")?;
        return Some(Markup::Cdata { len: 9 + end + 3 });
    }
    let after = text[1..].chars().next()?;
    if !(after.is_ascii_alphabetic() || matches!(after, '/' | '!' | '?')) {
        return None;
    }
    let tag_end = text.find('>')? + 1;
    let name = tag_name(&text[..tag_end]);
    let closing = text[1..].starts_with('/');
    if !closing && (name.eq_ignore_ascii_case("script") || name.eq_ignore_ascii_case("style")) {
        let len = raw_element_len(text, tag_end, &name).unwrap_or(tag_end);
        return Some(Markup::Skip { len, space: true });
    }
    Some(Markup::Skip {
        len: tag_end,
        space: is_block_tag(&name),
    })
}

/// Returns the lower-cased name of a tag such as `<P class="x">` or `</br>`.
fn tag_name(tag: &str) -> String {
    tag.trim_start_matches('<')
        .trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Finds the end of a `script` or `style` element whose start tag ends at `start_end`.
fn raw_element_len(text: &str, start_end: usize, name: &str) -> Option<usize> {
    let closing = format!("</{name}");
    let lower = text[start_end..].to_ascii_lowercase();
    let at = lower.find(&closing)?;
    let after = start_end + at;
    let close_end = text[after..].find('>')? + 1;
    Some(after + close_end)
}

/// Tells whether a tag separates blocks of text, so that removing it must leave a space.
fn is_block_tag(name: &str) -> bool {
    matches!(
        name,
        "p" | "br"
            | "div"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "tr"
            | "td"
            | "th"
            | "table"
            | "blockquote"
            | "hr"
            | "pre"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "figure"
            | "figcaption"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_text_removes_tags_between_paragraphs() {
        assert_eq!(clean_text("<p>One.</p><p>Two.</p>"), "One. Two.");
    }

    #[test]
    fn clean_text_keeps_inline_words_together() {
        assert_eq!(clean_text("H<sub>2</sub>O and <b>bold</b>"), "H2O and bold");
    }

    #[test]
    fn clean_text_decodes_double_escaping() {
        let text = "&amp;lt;p&amp;gt;Factor VIII&amp;nbsp;&amp;lt;/p&amp;gt;";
        assert_eq!(clean_text(text), "Factor VIII");
    }

    #[test]
    fn clean_text_keeps_comparisons() {
        assert_eq!(clean_text("x < y and y > z"), "x < y and y > z");
        assert_eq!(clean_text("dose &lt; 5 mg"), "dose < 5 mg");
        assert_eq!(clean_text("dose <5 mg"), "dose <5 mg");
    }

    #[test]
    fn clean_text_drops_script_style_and_comments() {
        let text = "a<script>alert('x')</script>b<STYLE>p{}</STYLE>c<!-- note -->d";
        assert_eq!(clean_text(text), "a b cd");
    }

    #[test]
    fn clean_text_keeps_cdata_content() {
        assert_eq!(clean_text("x <![CDATA[kept & text]]>y"), "x kept & texty");
    }

    #[test]
    fn clean_text_collapses_whitespace_and_controls() {
        assert_eq!(clean_text("  a\t\n b\u{a0}\u{a0}c\u{7}d  "), "a b cd");
    }

    #[test]
    fn clean_text_leaves_unterminated_tag() {
        assert_eq!(clean_text("a <b c"), "a <b c");
        assert_eq!(clean_text("a <!-- c"), "a <!-- c");
    }

    #[test]
    fn clean_text_is_empty_for_markup_only() {
        assert_eq!(clean_text("<p> </p><br/>"), "");
    }
}
