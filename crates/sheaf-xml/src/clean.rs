//! Removing what XML 1.0 forbids from decoded text: characters outside `Char`, character
//! references to them, and XML declarations after the start. Also rewrites the encoding
//! pseudo-attribute of the leading declaration to UTF-8.

use std::ops::Range;

use memchr::memmem;

use crate::detect::{declaration_len, encoding_value_range, is_xml_space};

/// Number of bytes tested together when looking for forbidden C0 controls. Testing a block
/// without an early exit lets the compiler use vector instructions.
const CONTROL_SCAN_BLOCK: usize = 64;

/// The cleaned text (`None` when nothing had to change) and what was removed.
pub(crate) struct Cleaned {
    pub(crate) text: Option<String>,
    pub(crate) removed_chars: usize,
    pub(crate) dropped_declarations: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EditKind {
    RemovedChar,
    DroppedDeclaration,
    Rewrite,
}

/// One replacement of a byte range of the text.
#[derive(Debug)]
struct Edit {
    range: Range<usize>,
    replacement: &'static str,
    kind: EditKind,
}

/// Returns true when a C0 control other than TAB, LF and CR occurs in `bytes`.
fn has_forbidden_control(bytes: &[u8]) -> bool {
    bytes.chunks(CONTROL_SCAN_BLOCK).any(|block| {
        block.iter().fold(false, |found, &b| {
            found | ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r'))
        })
    })
}

fn is_forbidden_control(byte: u8) -> bool {
    byte < 0x20 && !matches!(byte, b'\t' | b'\n' | b'\r')
}

/// Returns true when `value` is a character XML 1.0 allows (the `Char` production).
fn is_xml_char(value: u32) -> bool {
    matches!(value, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x1_0000..=0x10_FFFF)
}

/// Parses the character reference starting at `bytes[0]` (`&#`), returning its length and
/// code point. A value too large for `u32` is returned as `u32::MAX`, which is not a `Char`.
fn parse_char_ref(bytes: &[u8]) -> Option<(usize, u32)> {
    let (digits_start, radix) = match bytes.get(2) {
        Some(b'x') => (3, 16),
        _ => (2, 10),
    };
    let mut value: u32 = 0;
    let mut i = digits_start;
    while let Some(digit) = bytes.get(i).and_then(|&b| char::from(b).to_digit(radix)) {
        value = value.saturating_mul(radix).saturating_add(digit);
        i += 1;
    }
    if i == digits_start || bytes.get(i) != Some(&b';') {
        return None;
    }
    Some((i + 1, value))
}

/// Byte ranges of CDATA sections and comments, where `&#` and `<?xml` are literal text.
struct LiteralSections {
    ranges: Vec<Range<usize>>,
}

impl LiteralSections {
    fn find(bytes: &[u8]) -> Self {
        let mut ranges = Vec::new();
        let mut from = 0;
        while let Some(offset) = memchr::memchr(b'<', &bytes[from..]) {
            let start = from + offset;
            let rest = &bytes[start..];
            let close: &[u8] = if rest.starts_with(b"<![CDATA[") {
                b"]]>"
            } else if rest.starts_with(b"<!--") {
                b"-->"
            } else {
                from = start + 1;
                continue;
            };
            let end = match memmem::find(&rest[4..], close) {
                Some(found) => start + 4 + found + close.len(),
                None => bytes.len(),
            };
            ranges.push(start..end);
            from = end;
        }
        Self { ranges }
    }

    fn contains(&self, position: usize) -> bool {
        let index = self.ranges.partition_point(|range| range.end <= position);
        self.ranges
            .get(index)
            .is_some_and(|range| range.start <= position)
    }
}

/// Finds the leading declaration, returning the edits it needs (leading white space removed,
/// encoding rewritten to UTF-8) and its byte range.
fn leading_declaration(bytes: &[u8], edits: &mut Vec<Edit>) -> Option<Range<usize>> {
    let start = bytes.iter().position(|&b| !is_xml_space(b))?;
    let len = declaration_len(&bytes[start..])?;
    if start > 0 {
        edits.push(Edit {
            range: 0..start,
            replacement: "",
            kind: EditKind::Rewrite,
        });
    }
    let declaration = &bytes[start..start + len];
    if let Some(value) = encoding_value_range(declaration)
        && !declaration[value.clone()].eq_ignore_ascii_case(b"UTF-8")
    {
        edits.push(Edit {
            range: start + value.start..start + value.end,
            replacement: "UTF-8",
            kind: EditKind::Rewrite,
        });
    }
    Some(start..start + len)
}

/// Adds an edit for each raw character outside `Char`: C0 controls other than TAB, LF and CR,
/// and U+FFFE and U+FFFF (`EF BF BE`, `EF BF BF`).
fn raw_forbidden_chars(bytes: &[u8], edits: &mut Vec<Edit>) {
    if has_forbidden_control(bytes) {
        for (i, &b) in bytes.iter().enumerate() {
            if is_forbidden_control(b) {
                edits.push(Edit {
                    range: i..i + 1,
                    replacement: "",
                    kind: EditKind::RemovedChar,
                });
            }
        }
    }
    for i in memmem::find_iter(bytes, b"\xEF\xBF") {
        if matches!(bytes.get(i + 2), Some(0xBE | 0xBF)) {
            edits.push(Edit {
                range: i..i + 3,
                replacement: "",
                kind: EditKind::RemovedChar,
            });
        }
    }
}

/// Cleans `text`; see the crate documentation for the rules.
pub(crate) fn clean(text: &str) -> Cleaned {
    let bytes = text.as_bytes();
    let mut edits = Vec::new();
    let leading = leading_declaration(bytes, &mut edits);
    raw_forbidden_chars(bytes, &mut edits);

    // Character references and late declarations are rare; the literal sections are found only
    // when a candidate needs checking.
    let mut literal: Option<LiteralSections> = None;
    for i in memmem::find_iter(bytes, b"&#") {
        let Some((len, value)) = parse_char_ref(&bytes[i..]) else {
            continue;
        };
        if is_xml_char(value) {
            continue;
        }
        if literal
            .get_or_insert_with(|| LiteralSections::find(bytes))
            .contains(i)
        {
            continue;
        }
        edits.push(Edit {
            range: i..i + len,
            replacement: "",
            kind: EditKind::RemovedChar,
        });
    }
    for i in memmem::find_iter(bytes, b"<?") {
        if leading.as_ref().is_some_and(|range| range.start == i) {
            continue;
        }
        let Some(len) = declaration_len(&bytes[i..]) else {
            continue;
        };
        if literal
            .get_or_insert_with(|| LiteralSections::find(bytes))
            .contains(i)
        {
            continue;
        }
        edits.push(Edit {
            range: i..i + len,
            replacement: "",
            kind: EditKind::DroppedDeclaration,
        });
    }

    if edits.is_empty() {
        return Cleaned {
            text: None,
            removed_chars: 0,
            dropped_declarations: 0,
        };
    }
    apply(text, edits)
}

/// Applies edits in order of position. An edit overlapping one already applied (a forbidden
/// character inside a dropped declaration) is skipped and not counted.
fn apply(text: &str, mut edits: Vec<Edit>) -> Cleaned {
    edits.sort_by_key(|edit| edit.range.start);
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    let mut removed_chars = 0;
    let mut dropped_declarations = 0;
    for edit in edits {
        if edit.range.start < cursor {
            continue;
        }
        out.push_str(&text[cursor..edit.range.start]);
        out.push_str(edit.replacement);
        cursor = edit.range.end;
        match edit.kind {
            EditKind::RemovedChar => removed_chars += 1,
            EditKind::DroppedDeclaration => dropped_declarations += 1,
            EditKind::Rewrite => {}
        }
    }
    out.push_str(&text[cursor..]);
    Cleaned {
        text: Some(out),
        removed_chars,
        dropped_declarations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cleaned(text: &str) -> (String, usize, usize) {
        let result = clean(text);
        let out = result.text.unwrap_or_else(|| text.to_owned());
        (out, result.removed_chars, result.dropped_declarations)
    }

    #[test]
    fn clean_text_untouched() {
        let result = clean("<?xml version=\"1.0\" encoding=\"utf-8\"?><a>\t&#x9;&#10;</a>");
        assert!(result.text.is_none());
        assert_eq!(result.removed_chars, 0);
    }

    #[test]
    fn raw_controls_removed() {
        let (out, removed, _) = cleaned("<a>x\u{3}y\u{0}\u{1F}\r\n\t</a>");
        assert_eq!(out, "<a>xy\r\n\t</a>");
        assert_eq!(removed, 3);
    }

    #[test]
    fn noncharacters_removed() {
        let (out, removed, _) = cleaned("<a>x\u{FFFE}y\u{FFFF}z\u{FFFD}\u{FF0C}</a>");
        assert_eq!(out, "<a>xyz\u{FFFD}\u{FF0C}</a>");
        assert_eq!(removed, 2);
    }

    #[test]
    fn forbidden_references_removed() {
        let (out, removed, _) =
            cleaned("<a>a&#x1A;b&#26;c&#0;d&#xD800;e&#xFFFE;f&#99999999999;g&#x41;&#233;</a>");
        assert_eq!(out, "<a>abcdefg&#x41;&#233;</a>");
        assert_eq!(removed, 6);
    }

    #[test]
    fn references_in_cdata_kept() {
        let input = "<a><![CDATA[&#x1A; <?xml version=\"1.0\"?>]]>&#x1A;<!-- &#1; --></a>";
        let (out, removed, dropped) = cleaned(input);
        assert_eq!(
            out,
            "<a><![CDATA[&#x1A; <?xml version=\"1.0\"?>]]><!-- &#1; --></a>"
        );
        assert_eq!(removed, 1);
        assert_eq!(dropped, 0);
    }

    #[test]
    fn malformed_reference_left_alone() {
        let (out, removed, _) = cleaned("<a>&#; &#x; &#12</a>");
        assert_eq!(out, "<a>&#; &#x; &#12</a>");
        assert_eq!(removed, 0);
    }

    #[test]
    fn late_declaration_dropped() {
        let input = "<?xml version=\"1.0\"?><a>x<?xml version=\"1.0\" encoding=\"UTF-8\"?>y</a>";
        let (out, _, dropped) = cleaned(input);
        assert_eq!(out, "<?xml version=\"1.0\"?><a>xy</a>");
        assert_eq!(dropped, 1);
    }

    #[test]
    fn stylesheet_instruction_kept() {
        let input = "<?xml version=\"1.0\"?><?xml-stylesheet href=\"s.xsl\"?><a/>";
        assert!(clean(input).text.is_none());
    }

    #[test]
    fn leading_encoding_rewritten() {
        let (out, _, _) = cleaned("\n  <?xml version='1.0' encoding='ISO-8859-1'?><a/>");
        assert_eq!(out, "<?xml version='1.0' encoding='UTF-8'?><a/>");
    }

    #[test]
    fn forbidden_char_inside_dropped_declaration_not_counted() {
        let (out, removed, dropped) = cleaned("<a/><?xml version=\"1.0\u{1}\"?>");
        assert_eq!(out, "<a/>");
        assert_eq!(removed, 0);
        assert_eq!(dropped, 1);
    }

    #[test]
    fn control_scan_covers_block_edges() {
        let mut text = "a".repeat(CONTROL_SCAN_BLOCK * 3);
        text.push('\u{8}');
        assert!(has_forbidden_control(text.as_bytes()));
        assert!(!has_forbidden_control("a\tb\r\nc".repeat(100).as_bytes()));
    }
}
