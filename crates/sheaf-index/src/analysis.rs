//! Multilingual text analysis.
//!
//! Words are split at Unicode word boundaries (UAX #29), lower-cased and folded to ASCII where a
//! Latin letter carries a diacritic, so `ecole` finds `École`. Scripts written without spaces
//! (Han, Hiragana, Katakana) and Hangul are indexed as overlapping bigrams plus unigrams: a run
//! `ABCD` yields `A`, `AB`, `B`, `BC`, `C`, `CD`, `D`, with each bigram at the position of its
//! first character. A query word of two or more such characters becomes a phrase of the same
//! tokens, so it matches wherever those characters are adjacent, inside any sentence. Arabic,
//! Cyrillic and other spaced scripts are plain words.

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, TextAnalyzer, Token, TokenStream, Tokenizer,
};
use unicode_segmentation::UnicodeSegmentation;

/// Name under which the text analyzer is registered with the index.
pub const TEXT_ANALYZER: &str = "sheaf_text";

/// Tokens longer than this many bytes are dropped: they are base64 blobs or run-together
/// garbage, never words people search for.
const MAX_TOKEN_BYTES: usize = 80;

/// Builds the analyzer used for every full-text field and for queries on them.
pub fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(MultilingualTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Tokenizer that splits at Unicode word boundaries and turns CJK runs into bigrams.
#[derive(Clone, Default)]
pub struct MultilingualTokenizer {
    tokens: Vec<Token>,
}

/// Token stream over the tokens computed for one text.
pub struct MultilingualTokenStream<'a> {
    tokens: &'a mut Vec<Token>,
    next: usize,
}

impl Tokenizer for MultilingualTokenizer {
    type TokenStream<'a> = MultilingualTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> MultilingualTokenStream<'a> {
        self.tokens.clear();
        tokenize(text, &mut self.tokens);
        MultilingualTokenStream {
            tokens: &mut self.tokens,
            next: 0,
        }
    }
}

impl TokenStream for MultilingualTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// Tells whether a character belongs to a script indexed as bigrams.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF       // Hangul Jamo
        | 0x3040..=0x309F     // Hiragana
        | 0x30A0..=0x30FF     // Katakana
        | 0x3130..=0x318F     // Hangul Compatibility Jamo
        | 0x31F0..=0x31FF     // Katakana Phonetic Extensions
        | 0x3400..=0x4DBF     // CJK Unified Ideographs Extension A
        | 0x4E00..=0x9FFF     // CJK Unified Ideographs
        | 0xAC00..=0xD7AF     // Hangul Syllables
        | 0xF900..=0xFAFF     // CJK Compatibility Ideographs
        | 0xFF66..=0xFF9F     // Halfwidth Katakana
        | 0x20000..=0x323AF   // CJK Unified Ideographs Extensions B to H
    )
}

/// Collects the tokens of `text`, with byte offsets into it and increasing positions.
fn tokenize(text: &str, tokens: &mut Vec<Token>) {
    let mut builder = TokenBuilder {
        text,
        tokens,
        position: 0,
        run: Vec::new(),
    };
    for (word_start, word) in text.unicode_word_indices() {
        let mut plain_start = None;
        for (index, c) in word.char_indices() {
            let start = word_start + index;
            if is_cjk(c) {
                if let Some(from) = plain_start.take() {
                    builder.plain_word(from, start);
                }
                builder.cjk_char(start, start + c.len_utf8());
            } else if plain_start.is_none() {
                plain_start = Some(start);
            }
        }
        if let Some(from) = plain_start {
            builder.plain_word(from, word_start + word.len());
        }
    }
    builder.emit_run();
}

/// Accumulates tokens; CJK characters wait in `run` until a gap or a plain word ends the run.
struct TokenBuilder<'t> {
    text: &'t str,
    tokens: &'t mut Vec<Token>,
    position: usize,
    /// Byte ranges of adjacent CJK characters not yet emitted.
    run: Vec<(usize, usize)>,
}

impl TokenBuilder<'_> {
    fn plain_word(&mut self, from: usize, to: usize) {
        self.emit_run();
        self.push(from, to, self.position);
        self.position += 1;
    }

    fn cjk_char(&mut self, from: usize, to: usize) {
        // Characters separated by punctuation or space do not form a bigram.
        if self.run.last().is_some_and(|&(_, end)| end != from) {
            self.emit_run();
        }
        self.run.push((from, to));
    }

    /// Emits the pending CJK run as unigrams and bigrams, then empties it.
    fn emit_run(&mut self) {
        let run = std::mem::take(&mut self.run);
        for (index, &(from, to)) in run.iter().enumerate() {
            let position = self.position + index;
            self.push(from, to, position);
            if let Some(&(_, next_to)) = run.get(index + 1) {
                self.push(from, next_to, position);
            }
        }
        self.position += run.len();
    }

    fn push(&mut self, from: usize, to: usize, position: usize) {
        self.tokens.push(Token {
            offset_from: from,
            offset_to: to,
            position,
            text: self.text[from..to].to_owned(),
            position_length: 1,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(input: &str) -> Vec<(String, usize)> {
        let mut analyzer = text_analyzer();
        let mut stream = analyzer.token_stream(input);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push((token.text.clone(), token.position));
        }
        out
    }

    fn words(input: &str) -> Vec<String> {
        texts(input).into_iter().map(|(text, _)| text).collect()
    }

    #[test]
    fn latin_words_folded_and_lowercased() {
        assert_eq!(words("École d'été, Zürich!"), ["ecole", "d'ete", "zurich"]);
    }

    #[test]
    fn cyrillic_and_arabic_are_words() {
        assert_eq!(words("Физика Плазмы"), ["физика", "плазмы"]);
        assert_eq!(words("الطاقة المتجددة"), ["الطاقة", "المتجددة"]);
    }

    #[test]
    fn han_run_becomes_bigrams() {
        let expected: Vec<(String, usize)> = [
            ("我", 0),
            ("我们", 0),
            ("们", 1),
            ("们研", 1),
            ("研", 2),
            ("研究", 2),
            ("究", 3),
        ]
        .iter()
        .map(|(t, p)| (t.to_string(), *p))
        .collect();
        assert_eq!(texts("我们研究"), expected);
    }

    #[test]
    fn punctuation_breaks_bigram_runs() {
        assert_eq!(
            words("气候。变化"),
            ["气", "气候", "候", "变", "变化", "化"].map(String::from)
        );
    }

    #[test]
    fn mixed_scripts_keep_positions_increasing() {
        let tokens = texts("CO2排放 data");
        let summary: Vec<(&str, usize)> = tokens.iter().map(|(t, p)| (t.as_str(), *p)).collect();
        assert_eq!(
            summary,
            [("co2", 0), ("排", 1), ("排放", 1), ("放", 2), ("data", 3)]
        );
    }

    #[test]
    fn hangul_with_digits_splits() {
        assert_eq!(words("2024년"), ["2024", "년"].map(String::from));
    }
}
