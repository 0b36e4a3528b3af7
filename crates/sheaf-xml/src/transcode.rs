//! Turning bytes into UTF-8 text once the encoding is chosen, counting what could not be decoded.

use std::borrow::Cow;

use encoding_rs::{DecoderResult, Encoding, WINDOWS_1252};

/// Text decoded from bytes, with the number of invalid byte sequences met.
pub(crate) struct Transcoded<'a> {
    pub(crate) text: Cow<'a, str>,
    pub(crate) invalid_sequences: usize,
}

/// Decodes UTF-8, decoding each invalid byte sequence alone as windows-1252 and keeping the valid
/// sequences around it. Borrows `bytes` when they are valid UTF-8.
pub(crate) fn utf8_with_1252_repair(bytes: &[u8]) -> Transcoded<'_> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Transcoded {
            text: Cow::Borrowed(text),
            invalid_sequences: 0,
        };
    }
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 16);
    let mut invalid_sequences = 0;
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        let invalid = chunk.invalid();
        if !invalid.is_empty() {
            // encoding_rs maps all 256 bytes to characters in windows-1252, so no byte is lost.
            let (repaired, _) = WINDOWS_1252.decode_without_bom_handling(invalid);
            text.push_str(&repaired);
            invalid_sequences += 1;
        }
    }
    Transcoded {
        text: Cow::Owned(text),
        invalid_sequences,
    }
}

/// Decodes `bytes` (without byte-order mark) with an encoding_rs encoding, replacing each
/// malformed sequence by U+FFFD and counting them.
pub(crate) fn with_encoding<'a>(bytes: &'a [u8], encoding: &'static Encoding) -> Transcoded<'a> {
    if encoding == encoding_rs::UTF_8 {
        return utf8_with_1252_repair(bytes);
    }
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let capacity = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len().saturating_mul(3));
    let mut text = String::with_capacity(capacity);
    let mut invalid_sequences = 0;
    let mut rest = bytes;
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(rest, &mut text, true);
        rest = &rest[read..];
        match result {
            DecoderResult::InputEmpty => break,
            DecoderResult::Malformed(_, _) => {
                text.push(char::REPLACEMENT_CHARACTER);
                invalid_sequences += 1;
            }
            DecoderResult::OutputFull => text.reserve(rest.len().saturating_mul(3).max(16)),
        }
    }
    Transcoded {
        text: Cow::Owned(text),
        invalid_sequences,
    }
}

/// Decodes UTF-32 (which encoding_rs does not support), replacing each code unit that is not a
/// Unicode scalar value, and a trailing partial unit, by U+FFFD and counting them.
pub(crate) fn utf32(bytes: &[u8], big_endian: bool) -> Transcoded<'_> {
    let mut text = String::with_capacity(bytes.len() / 4);
    let mut invalid_sequences = 0;
    let mut units = bytes.chunks_exact(4);
    for unit in &mut units {
        let quad = [unit[0], unit[1], unit[2], unit[3]];
        let value = if big_endian {
            u32::from_be_bytes(quad)
        } else {
            u32::from_le_bytes(quad)
        };
        match char::from_u32(value) {
            Some(c) => text.push(c),
            None => {
                text.push(char::REPLACEMENT_CHARACTER);
                invalid_sequences += 1;
            }
        }
    }
    if !units.remainder().is_empty() {
        text.push(char::REPLACEMENT_CHARACTER);
        invalid_sequences += 1;
    }
    Transcoded {
        text: Cow::Owned(text),
        invalid_sequences,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_utf8_is_borrowed() {
        let decoded = utf8_with_1252_repair("Café".as_bytes());
        assert!(matches!(decoded.text, Cow::Borrowed("Café")));
        assert_eq!(decoded.invalid_sequences, 0);
    }

    #[test]
    fn lone_latin1_byte_repaired() {
        let decoded = utf8_with_1252_repair(b"Caf\xE9 \xC3\xA9nergie");
        assert_eq!(decoded.text, "Café énergie");
        assert_eq!(decoded.invalid_sequences, 1);
    }

    #[test]
    fn each_invalid_sequence_counted() {
        // Two lone bytes, a truncated three-byte sequence and a windows-1252 euro sign at the end.
        let decoded = utf8_with_1252_repair(b"\xE9\xE9 \xE2\x82 x\x80");
        assert_eq!(decoded.text, "éé â‚ x€");
        assert_eq!(decoded.invalid_sequences, 4);
    }

    #[test]
    fn legacy_multibyte_malformed_counted() {
        // Shift_JIS: a valid two-byte character, then a lead byte followed by an invalid trail.
        let decoded = with_encoding(b"\x82\xa0 \x81\x20!", encoding_rs::SHIFT_JIS);
        assert_eq!(decoded.text, "あ \u{FFFD} !");
        assert_eq!(decoded.invalid_sequences, 1);
    }

    #[test]
    fn utf32_both_byte_orders() {
        let le = utf32(b"<\0\0\0\xE9\0\0\0", false);
        assert_eq!(le.text, "<é");
        let be = utf32(b"\0\0\0<\0\0\xD8\0\0\0", true);
        assert_eq!(be.text, "<\u{FFFD}\u{FFFD}");
        assert_eq!(be.invalid_sequences, 2);
    }
}
