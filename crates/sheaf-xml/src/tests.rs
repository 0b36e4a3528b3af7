use super::*;

const TITLE_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><title>Été 中文</title>";

fn utf16(text: &str, big_endian: bool, mark: bool) -> Vec<u8> {
    let mut bytes = Vec::new();
    let units = mark.then_some('\u{FEFF}' as u16).into_iter();
    for unit in units.chain(text.encode_utf16()) {
        let pair = if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        };
        bytes.extend_from_slice(&pair);
    }
    bytes
}

fn decode(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    decode_xml(bytes, content_type, DecodeOptions::default())
}

const TITLE_AS_UTF8: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><title>Été 中文</title>";

#[test]
fn utf16_le_with_mark() {
    let decoded = decode(&utf16(TITLE_XML, false, true), None);
    assert_eq!(decoded.text, TITLE_AS_UTF8);
    assert_eq!(decoded.encoding, "UTF-16LE");
    assert_eq!(decoded.invalid_sequences, 0);
}

#[test]
fn utf16_be_with_mark() {
    let decoded = decode(&utf16(TITLE_XML, true, true), None);
    assert_eq!(decoded.text, TITLE_AS_UTF8);
    assert_eq!(decoded.encoding, "UTF-16BE");
}

#[test]
fn utf16_le_without_mark() {
    let decoded = decode(
        &utf16(TITLE_XML, false, false),
        Some("text/xml; charset=utf-8"),
    );
    assert_eq!(decoded.text, TITLE_AS_UTF8);
    assert_eq!(decoded.encoding, "UTF-16LE");
}

#[test]
fn utf16_be_without_mark_or_declaration() {
    let decoded = decode(&utf16("<title>Été</title>", true, false), None);
    assert_eq!(decoded.text, "<title>Été</title>");
    assert_eq!(decoded.encoding, "UTF-16BE");
}

#[test]
fn utf16_lone_surrogate_counted() {
    let mut bytes = utf16("<a>", false, true);
    bytes.extend_from_slice(&0xD800u16.to_le_bytes());
    bytes.extend_from_slice(&utf16("</a>", false, false));
    let decoded = decode(&bytes, None);
    assert_eq!(decoded.text, "<a>\u{FFFD}</a>");
    assert_eq!(decoded.invalid_sequences, 1);
}

#[test]
fn utf32_le_with_mark() {
    let mut bytes = vec![0xFF, 0xFE, 0, 0];
    for c in "<a>é</a>".chars() {
        bytes.extend_from_slice(&u32::from(c).to_le_bytes());
    }
    let decoded = decode(&bytes, None);
    assert_eq!(decoded.text, "<a>é</a>");
    assert_eq!(decoded.encoding, "UTF-32LE");
}

#[test]
fn utf8_mark_removed() {
    let decoded = decode(
        "\u{FEFF}<a>é</a>".as_bytes(),
        Some("text/xml; charset=iso-8859-1"),
    );
    assert_eq!(decoded.text, "<a>é</a>");
    assert_eq!(decoded.encoding, "UTF-8");
}

#[test]
fn latin1_declared() {
    let body = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<t>\xC9cole d'\xE9t\xE9</t>";
    let decoded = decode(body, Some("text/xml"));
    assert_eq!(
        decoded.text,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<t>École d'été</t>"
    );
    assert_eq!(decoded.encoding, "windows-1252");
    assert_eq!(decoded.invalid_sequences, 0);
    assert!(!decoded.was_repaired());
}

#[test]
fn valid_utf8_wins_over_declaration() {
    let body = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t>été</t>";
    let decoded = decode(body.as_bytes(), Some("text/xml; charset=windows-1251"));
    assert_eq!(
        decoded.text,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><t>été</t>"
    );
    assert_eq!(decoded.encoding, "UTF-8");
}

#[test]
fn lone_e9_inside_valid_utf8() {
    let body =
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><t>Caf\xE9 scientifique: \xC3\xA9nergie</t>";
    let decoded = decode(body, None);
    assert_eq!(
        decoded.text,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><t>Café scientifique: énergie</t>"
    );
    assert_eq!(decoded.encoding, "UTF-8");
    assert_eq!(decoded.invalid_sequences, 1);
    assert!(decoded.was_repaired());
}

#[test]
fn content_type_charset_beats_declaration() {
    // 0xE9 is "é" in windows-1252 and "И" in KOI8-R.
    let body = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t>\xE9</t>";
    let decoded = decode(body, Some("text/xml; charset=KOI8-R"));
    assert_eq!(decoded.encoding, "KOI8-R");
    assert!(decoded.text.ends_with("<t>И</t>"));
    assert!(decoded.text.contains("encoding=\"UTF-8\""));
}

#[test]
fn unknown_charset_falls_back_to_declaration() {
    let body = b"<?xml version=\"1.0\" encoding=\"latin1\"?><t>\xE9</t>";
    let decoded = decode(body, Some("text/xml; charset=no-such-thing"));
    assert_eq!(decoded.encoding, "windows-1252");
    assert!(decoded.text.ends_with("<t>é</t>"));
}

#[test]
fn utf16_label_on_ascii_bytes_ignored() {
    let body = b"<?xml version=\"1.0\" encoding=\"UTF-16\"?><t>\xE9</t>";
    let decoded = decode(body, None);
    assert_eq!(decoded.encoding, "UTF-8");
    assert_eq!(
        decoded.text,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><t>é</t>"
    );
    assert_eq!(decoded.invalid_sequences, 1);
}

#[test]
fn undeclared_not_sniffed_by_default() {
    let body = "<t>Привет, как дела? Всё хорошо.</t>";
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(body);
    let decoded = decode(&cp1251, None);
    assert_eq!(decoded.encoding, "UTF-8");
    assert!(decoded.invalid_sequences > 0);
}

#[test]
fn undeclared_sniffed_when_asked() {
    let body = "<t>Привет, как дела? Всё хорошо, спасибо. Погода сегодня прекрасная.</t>";
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode(body);
    let options = DecodeOptions {
        sniff_undeclared: true,
    };
    let decoded = decode_xml(&cp1251, None, options);
    assert_eq!(decoded.encoding, "windows-1251");
    assert_eq!(decoded.text, body);
    assert_eq!(decoded.invalid_sequences, 0);
}

#[test]
fn declared_encoding_not_sniffed() {
    let body = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t>\xCF\xF0\xE8\xE2\xE5\xF2</t>";
    let options = DecodeOptions {
        sniff_undeclared: true,
    };
    let decoded = decode_xml(body, None, options);
    assert_eq!(decoded.encoding, "windows-1252");
}

#[test]
fn forbidden_characters_raw_and_referenced() {
    let body = "<t>a\u{3}b&#x1A;c&#26;d\u{FFFE}e\tf\r\ng&#9;</t>";
    let decoded = decode(body.as_bytes(), None);
    assert_eq!(decoded.text, "<t>abcde\tf\r\ng&#9;</t>");
    assert_eq!(decoded.removed_chars, 4);
}

#[test]
fn forbidden_characters_after_latin1_decoding() {
    let body = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t>\xE9\x01</t>";
    let decoded = decode(body, None);
    assert!(decoded.text.ends_with("<t>é</t>"));
    assert_eq!(decoded.removed_chars, 1);
}

#[test]
fn mid_document_declaration_dropped() {
    let body = "<?xml version=\"1.0\"?><a><b/>\n<?xml version=\"1.0\" encoding=\"UTF-8\"?><c/></a>";
    let decoded = decode(body.as_bytes(), None);
    assert_eq!(decoded.text, "<?xml version=\"1.0\"?><a><b/>\n<c/></a>");
    assert_eq!(decoded.dropped_declarations, 1);
}

#[test]
fn empty_body() {
    let decoded = decode(b"", None);
    assert_eq!(decoded.text, "");
    assert_eq!(decoded.encoding, "UTF-8");
}
