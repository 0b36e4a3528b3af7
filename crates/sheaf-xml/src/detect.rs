//! Finding the encoding of a body: byte-order marks, first-bytes detection, the charset of a
//! `Content-Type` header and the encoding pseudo-attribute of an XML declaration.

use std::ops::Range;

/// A Unicode encoding recognised from a byte-order mark or from the zero bytes around the
/// first characters (XML 1.0, Appendix F).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unicode {
    Utf8,
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
}

/// Recognises a Unicode encoding at the start of `bytes`, returning it with the length of its
/// byte-order mark (0 when the zero-byte pattern decided).
///
/// The UTF-32 marks are checked before the UTF-16 ones because `FF FE 00 00` starts with the
/// UTF-16LE mark. The zero-byte patterns generalise Appendix F from `<?` to any ASCII first
/// characters, so a UTF-16 document without mark and without declaration is recognised too.
pub(crate) fn unicode_signature(bytes: &[u8]) -> Option<(Unicode, usize)> {
    let b = |i: usize| bytes.get(i).copied();
    match (b(0), b(1), b(2), b(3)) {
        (Some(0x00), Some(0x00), Some(0xFE), Some(0xFF)) => Some((Unicode::Utf32Be, 4)),
        (Some(0xFF), Some(0xFE), Some(0x00), Some(0x00)) => Some((Unicode::Utf32Le, 4)),
        (Some(0xEF), Some(0xBB), Some(0xBF), _) => Some((Unicode::Utf8, 3)),
        (Some(0xFE), Some(0xFF), _, _) => Some((Unicode::Utf16Be, 2)),
        (Some(0xFF), Some(0xFE), _, _) => Some((Unicode::Utf16Le, 2)),
        (Some(0), Some(0), Some(0), Some(x)) if x != 0 => Some((Unicode::Utf32Be, 0)),
        (Some(x), Some(0), Some(0), Some(0)) if x != 0 => Some((Unicode::Utf32Le, 0)),
        (Some(0), Some(x), Some(0), Some(y)) if x != 0 && y != 0 => Some((Unicode::Utf16Be, 0)),
        (Some(x), Some(0), Some(y), Some(0)) if x != 0 && y != 0 => Some((Unicode::Utf16Le, 0)),
        _ => None,
    }
}

/// Returns the `charset` parameter of a `Content-Type` header value, without quotes, or `None`
/// when there is none or it is empty.
///
/// ```
/// use sheaf_xml::charset_from_content_type;
///
/// assert_eq!(charset_from_content_type("text/xml; charset=\"ISO-8859-1\""), Some("ISO-8859-1"));
/// assert_eq!(charset_from_content_type("application/xml"), None);
/// ```
pub fn charset_from_content_type(value: &str) -> Option<&str> {
    for parameter in value.split(';').skip(1) {
        let Some((name, raw)) = parameter.split_once('=') else {
            continue;
        };
        if !name.trim().eq_ignore_ascii_case("charset") {
            continue;
        }
        let raw = raw.trim();
        let unquoted = raw
            .strip_prefix('"')
            .and_then(|inner| inner.strip_suffix('"'))
            .unwrap_or(raw)
            .trim();
        if unquoted.is_empty() {
            return None;
        }
        return Some(unquoted);
    }
    None
}

/// Returns true for the four characters XML 1.0 calls white space.
pub(crate) fn is_xml_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// Returns the length of an XML declaration starting at `bytes[0]`, including `?>`, or `None`
/// when `bytes` does not start with one.
///
/// A declaration is `<?xml` followed by white space or `?>`. The target is matched without
/// regard to case, because `<?XML` is reserved too and is just as invalid mid-document.
pub(crate) fn declaration_len(bytes: &[u8]) -> Option<usize> {
    let head = bytes.get(..5)?;
    if !head.eq_ignore_ascii_case(b"<?xml") {
        return None;
    }
    match bytes.get(5) {
        Some(&next) if is_xml_space(next) || next == b'?' => {}
        _ => return None,
    }
    let end = memchr::memmem::find(&bytes[5..], b"?>")?;
    Some(5 + end + 2)
}

/// Returns the byte range of the encoding pseudo-attribute's value inside `declaration`
/// (which spans `<?xml` to `?>`), or `None` when the declaration names no encoding.
pub(crate) fn encoding_value_range(declaration: &[u8]) -> Option<Range<usize>> {
    let mut from = 0;
    while let Some(found) = memchr::memmem::find(&declaration[from..], b"encoding") {
        let name_start = from + found;
        from = name_start + "encoding".len();

        // The name must stand alone: preceded by white space, followed by `=`.
        let preceded_by_space = name_start > 0 && is_xml_space(declaration[name_start - 1]);
        let mut i = from;
        while i < declaration.len() && is_xml_space(declaration[i]) {
            i += 1;
        }
        if !preceded_by_space || declaration.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while i < declaration.len() && is_xml_space(declaration[i]) {
            i += 1;
        }
        let quote = match declaration.get(i) {
            Some(&q) if q == b'"' || q == b'\'' => q,
            _ => return None,
        };
        let value_start = i + 1;
        let value_len = memchr::memchr(quote, &declaration[value_start..])?;
        return Some(value_start..value_start + value_len);
    }
    None
}

/// Returns the encoding label of the XML declaration at the start of `bytes` (after optional
/// white space), or `None` when there is no declaration or it names no encoding.
pub(crate) fn declared_encoding(bytes: &[u8]) -> Option<&[u8]> {
    let start = bytes.iter().position(|&b| !is_xml_space(b))?;
    let rest = &bytes[start..];
    let len = declaration_len(rest)?;
    let declaration = &rest[..len];
    let range = encoding_value_range(declaration)?;
    let label = declaration[range].trim_ascii();
    (!label.is_empty()).then_some(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_from_byte_order_marks() {
        assert_eq!(
            unicode_signature(b"\xEF\xBB\xBF<a/>"),
            Some((Unicode::Utf8, 3))
        );
        assert_eq!(
            unicode_signature(b"\xFE\xFF\0<"),
            Some((Unicode::Utf16Be, 2))
        );
        assert_eq!(
            unicode_signature(b"\xFF\xFE<\0"),
            Some((Unicode::Utf16Le, 2))
        );
        assert_eq!(
            unicode_signature(b"\xFF\xFE\0\0<\0\0\0"),
            Some((Unicode::Utf32Le, 4))
        );
        assert_eq!(
            unicode_signature(b"\0\0\xFE\xFF\0\0\0<"),
            Some((Unicode::Utf32Be, 4))
        );
    }

    #[test]
    fn signature_from_zero_bytes() {
        assert_eq!(unicode_signature(b"\0<\0?"), Some((Unicode::Utf16Be, 0)));
        assert_eq!(unicode_signature(b"<\0?\0"), Some((Unicode::Utf16Le, 0)));
        assert_eq!(unicode_signature(b"<\0O\0"), Some((Unicode::Utf16Le, 0)));
        assert_eq!(unicode_signature(b"\0\0\0<"), Some((Unicode::Utf32Be, 0)));
        assert_eq!(unicode_signature(b"<\0\0\0"), Some((Unicode::Utf32Le, 0)));
    }

    #[test]
    fn signature_absent_for_ascii() {
        assert_eq!(unicode_signature(b"<?xml"), None);
        assert_eq!(unicode_signature(b"<a"), None);
        assert_eq!(unicode_signature(b""), None);
    }

    #[test]
    fn charset_parameter_forms() {
        assert_eq!(
            charset_from_content_type("text/xml;charset=utf-8"),
            Some("utf-8")
        );
        assert_eq!(
            charset_from_content_type("text/xml; Charset = latin1 "),
            Some("latin1")
        );
        assert_eq!(
            charset_from_content_type("text/xml; q=1; charset=\"windows-1251\""),
            Some("windows-1251")
        );
        assert_eq!(charset_from_content_type("text/xml; charset=\"\""), None);
        assert_eq!(charset_from_content_type("text/xml; charset="), None);
        assert_eq!(charset_from_content_type("charset=utf-8"), None);
    }

    #[test]
    fn declaration_encoding_label() {
        assert_eq!(
            declared_encoding(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>"),
            Some(&b"ISO-8859-1"[..])
        );
        assert_eq!(
            declared_encoding(b"\n <?xml version='1.0' encoding = 'koi8-r' ?><a/>"),
            Some(&b"koi8-r"[..])
        );
        assert_eq!(declared_encoding(b"<?xml version=\"1.0\"?><a/>"), None);
        assert_eq!(
            declared_encoding(b"<?xml-stylesheet encoding=\"x\"?><a/>"),
            None
        );
        assert_eq!(declared_encoding(b"<a encoding=\"latin1\"/>"), None);
    }

    #[test]
    fn declaration_length() {
        assert_eq!(declaration_len(b"<?xml version=\"1.0\"?><a/>"), Some(21));
        assert_eq!(declaration_len(b"<?XML version=\"1.0\"?>"), Some(21));
        assert_eq!(declaration_len(b"<?xml-stylesheet href=\"a\"?>"), None);
        assert_eq!(declaration_len(b"<?xml version=\"1.0\""), None);
    }
}
