//! Decoding of XML bodies from the network into clean UTF-8 text.
//!
//! Repositories and feeds send XML in many encodings, often mislabelled, sometimes with a few
//! bytes in another encoding or characters that XML 1.0 forbids. A strict parser rejects the
//! whole document for one bad byte. [`decode_xml`] applies one rule to every body so that every
//! parser downstream receives the same well-behaved text:
//!
//! 1. A byte-order mark, or the zero bytes of UTF-16/UTF-32 around the first characters (the XML
//!    specification's Appendix F detection), decides first.
//! 2. Else bytes that are valid UTF-8 are UTF-8, whatever is declared.
//! 3. Else the charset named in the HTTP `Content-Type`.
//! 4. Else the encoding in the XML declaration. Labels are resolved as WHATWG encoding labels by
//!    encoding_rs, so `ISO-8859-1` decodes as windows-1252.
//! 5. Else, when [`DecodeOptions::sniff_undeclared`] is set, chardetng guesses the encoding.
//!
//! When the chosen encoding is UTF-8, each invalid byte sequence alone is decoded as
//! windows-1252 and counted; the valid sequences around it are kept. Characters outside the XML
//! 1.0 `Char` production (C0 controls other than TAB, LF and CR, U+FFFE, U+FFFF) are removed,
//! raw or as character references, and counted. An XML declaration after the start is dropped,
//! and the leading declaration's encoding pseudo-attribute is rewritten to `UTF-8` so that a
//! later parser does not decode the text a second time.
//!
//! ```
//! use sheaf_xml::{decode_xml, DecodeOptions};
//!
//! let body = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><title>\xC9t\xE9\x03</title>";
//! let decoded = decode_xml(body, Some("text/xml"), DecodeOptions::default());
//! assert_eq!(decoded.text, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><title>Été</title>");
//! assert_eq!(decoded.encoding, "windows-1252");
//! assert_eq!(decoded.removed_chars, 1);
//! ```
#![warn(missing_docs)]

mod clean;
mod detect;
mod transcode;

use std::borrow::Cow;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::Encoding;

pub use detect::charset_from_content_type;

use detect::Unicode;
use transcode::Transcoded;

/// Choices for [`decode_xml`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Guess the encoding with chardetng when nothing declares one (no byte-order mark, no
    /// charset, no encoding in the declaration) and the bytes are not valid UTF-8. Feeds set
    /// this; OAI-PMH responses, which the protocol requires to be UTF-8, do not.
    pub sniff_undeclared: bool,
}

/// The text of a body and what decoding had to repair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// Clean UTF-8 text. A leading XML declaration is kept, with its encoding rewritten to
    /// `UTF-8`, and the white space before it removed.
    pub text: String,
    /// The encoding_rs name of the encoding used (`"UTF-32LE"` or `"UTF-32BE"` for UTF-32, which
    /// this crate decodes itself).
    pub encoding: &'static str,
    /// Invalid byte sequences met: in UTF-8, each one decoded as windows-1252; in another
    /// encoding, each one replaced by U+FFFD.
    pub invalid_sequences: usize,
    /// Characters XML 1.0 forbids, raw or as `&#..;` references, that were removed.
    pub removed_chars: usize,
    /// XML declarations found after the start of the document, dropped.
    pub dropped_declarations: usize,
}

impl Decoded {
    /// Returns true when decoding changed or replaced anything besides the declaration.
    pub fn was_repaired(&self) -> bool {
        self.invalid_sequences > 0 || self.removed_chars > 0 || self.dropped_declarations > 0
    }
}

/// Decodes an XML body into clean UTF-8 text; see the crate documentation for the rule.
///
/// `content_type` is the value of the HTTP `Content-Type` header, if any. Decoding never fails:
/// what cannot be decoded is replaced and counted in the result.
pub fn decode_xml(bytes: &[u8], content_type: Option<&str>, options: DecodeOptions) -> Decoded {
    let (transcoded, encoding) = transcode(bytes, content_type, options);
    let cleaned = clean::clean(&transcoded.text);
    let text = match cleaned.text {
        Some(text) => text,
        None => transcoded.text.into_owned(),
    };
    Decoded {
        text,
        encoding,
        invalid_sequences: transcoded.invalid_sequences,
        removed_chars: cleaned.removed_chars,
        dropped_declarations: cleaned.dropped_declarations,
    }
}

/// Chooses the encoding and decodes, returning the text and the encoding's name.
fn transcode<'a>(
    bytes: &'a [u8],
    content_type: Option<&str>,
    options: DecodeOptions,
) -> (Transcoded<'a>, &'static str) {
    if let Some((unicode, mark_len)) = detect::unicode_signature(bytes) {
        let body = &bytes[mark_len..];
        return match unicode {
            Unicode::Utf8 => (transcode::utf8_with_1252_repair(body), "UTF-8"),
            Unicode::Utf16Le => decode_with(body, encoding_rs::UTF_16LE),
            Unicode::Utf16Be => decode_with(body, encoding_rs::UTF_16BE),
            Unicode::Utf32Le => (transcode::utf32(body, false), "UTF-32LE"),
            Unicode::Utf32Be => (transcode::utf32(body, true), "UTF-32BE"),
        };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        let transcoded = Transcoded {
            text: Cow::Borrowed(text),
            invalid_sequences: 0,
        };
        return (transcoded, "UTF-8");
    }

    let from_header = content_type
        .and_then(charset_from_content_type)
        .and_then(|label| usable_label(label.as_bytes()));
    let declared = from_header.or_else(|| detect::declared_encoding(bytes).and_then(usable_label));
    if let Some(encoding) = declared {
        return decode_with(bytes, encoding);
    }
    if options.sniff_undeclared {
        let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
        detector.feed(bytes, true);
        return decode_with(bytes, detector.guess(None, Utf8Detection::Allow));
    }
    decode_with(bytes, encoding_rs::UTF_8)
}

fn decode_with<'a>(bytes: &'a [u8], encoding: &'static Encoding) -> (Transcoded<'a>, &'static str) {
    (transcode::with_encoding(bytes, encoding), encoding.name())
}

/// Resolves an encoding label, ignoring labels that cannot describe a body whose first bytes
/// showed no UTF-16 pattern (UTF-16 itself) or that would discard the text (`replacement`).
fn usable_label(label: &[u8]) -> Option<&'static Encoding> {
    let encoding = Encoding::for_label_no_replacement(label)?;
    let is_utf16 = encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE;
    (!is_utf16).then_some(encoding)
}

#[cfg(test)]
mod tests;
