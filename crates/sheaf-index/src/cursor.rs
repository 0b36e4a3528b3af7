//! Opaque paging cursors.
//!
//! A cursor is `v1.{sort}.{key}.{seq}.{id}` with the key and seq in hexadecimal and the id
//! hex-encoded byte by byte, so it is URL-safe without escaping. `key` and `id` are the sort
//! position of the last hit served; `seq` is the highest change sequence number in the index
//! when the first page was served.

use crate::Error;
use crate::search::Sort;

/// Position after which the next page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub sort: Sort,
    pub key: u64,
    pub id: String,
    pub seq: u64,
}

impl Cursor {
    /// Encodes the cursor as an opaque string.
    pub fn encode(&self) -> String {
        let mut id_hex = String::with_capacity(self.id.len() * 2);
        for byte in self.id.bytes() {
            id_hex.push_str(&format!("{byte:02x}"));
        }
        format!(
            "v1.{}.{:x}.{:x}.{id_hex}",
            sort_code(self.sort),
            self.key,
            self.seq
        )
    }

    /// Decodes a cursor and checks it was made for `sort`.
    pub fn decode(text: &str, sort: Sort) -> Result<Cursor, Error> {
        let invalid = |message: &str| Error::InvalidCursor {
            cursor: text.chars().take(200).collect(),
            message: message.to_owned(),
        };
        let parts: Vec<&str> = text.split('.').collect();
        let [version, code, key, seq, id_hex] = parts[..] else {
            return Err(invalid("expected five dot-separated parts"));
        };
        if version != "v1" {
            return Err(invalid("unknown cursor version"));
        }
        if code != sort_code(sort) {
            return Err(invalid("the cursor was made for another sort order"));
        }
        let key = u64::from_str_radix(key, 16).map_err(|_| invalid("invalid sort key"))?;
        let seq = u64::from_str_radix(seq, 16).map_err(|_| invalid("invalid sequence number"))?;
        let id = decode_hex(id_hex).ok_or_else(|| invalid("invalid record id"))?;
        Ok(Cursor { sort, key, id, seq })
    }
}

fn sort_code(sort: Sort) -> &'static str {
    match sort {
        Sort::Relevance => "r",
        Sort::DateAsc => "d",
        Sort::DateDesc => "D",
    }
}

fn decode_hex(hex: &str) -> Option<String> {
    if !hex.len().is_multiple_of(2) || !hex.is_ascii() {
        return None;
    }
    let mut bytes = Vec::with_capacity(hex.len() / 2);
    for index in (0..hex.len()).step_by(2) {
        bytes.push(u8::from_str_radix(&hex[index..index + 2], 16).ok()?);
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips() {
        let cursor = Cursor {
            sort: Sort::DateDesc,
            key: 42,
            id: "src:oai:x/ü".into(),
            seq: 7,
        };
        let text = cursor.encode();
        assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.'));
        assert_eq!(Cursor::decode(&text, Sort::DateDesc).unwrap(), cursor);
    }

    #[test]
    fn cursor_for_other_sort_rejected() {
        let text = Cursor {
            sort: Sort::DateAsc,
            key: 1,
            id: "a:b".into(),
            seq: 1,
        }
        .encode();
        assert!(matches!(
            Cursor::decode(&text, Sort::Relevance),
            Err(Error::InvalidCursor { .. })
        ));
    }

    #[test]
    fn garbage_cursor_rejected() {
        for text in [
            "",
            "v1",
            "v2.r.1.1.61",
            "v1.r.zz.1.61",
            "v1.r.1.1.6",
            "v1.r.1.1.ff",
        ] {
            assert!(Cursor::decode(text, Sort::Relevance).is_err(), "{text}");
        }
    }
}
