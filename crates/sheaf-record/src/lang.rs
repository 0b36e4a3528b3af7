//! Languages: normalising codes and names to ISO 639-1, and detecting the language of a text.

use std::collections::HashMap;
use std::sync::LazyLock;

/// ISO 639-1 codes with the ISO 639-2/B, 639-2/T and 639-3 codes and the English and native
/// names that repositories write for them, lower-cased.
const LANGUAGES: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "eng",
            "english",
            "anglais",
            "englisch",
            "inglés",
            "ingles",
            "английский",
        ],
    ),
    (
        "fr",
        &[
            "fra",
            "fre",
            "french",
            "français",
            "francais",
            "französisch",
            "francés",
        ],
    ),
    (
        "de",
        &[
            "deu",
            "ger",
            "german",
            "deutsch",
            "allemand",
            "alemán",
            "немецкий",
        ],
    ),
    (
        "es",
        &[
            "spa",
            "spanish",
            "español",
            "espanol",
            "castellano",
            "espagnol",
            "испанский",
        ],
    ),
    (
        "ru",
        &["rus", "russian", "русский", "russe", "russisch", "ruso"],
    ),
    (
        "zh",
        &[
            "zho", "chi", "cmn", "chinese", "中文", "汉语", "漢語", "mandarin", "chinois",
        ],
    ),
    ("ar", &["ara", "arb", "arabic", "العربية", "arabe", "árabe"]),
    (
        "pt",
        &["por", "portuguese", "português", "portugues", "portugais"],
    ),
    ("it", &["ita", "italian", "italiano", "italien"]),
    ("ja", &["jpn", "japanese", "日本語"]),
    ("ko", &["kor", "korean", "한국어"]),
    ("nl", &["nld", "dut", "dutch", "nederlands", "flemish"]),
    ("pl", &["pol", "polish", "polski"]),
    ("uk", &["ukr", "ukrainian", "українська"]),
    ("cs", &["ces", "cze", "czech", "čeština"]),
    ("sk", &["slk", "slo", "slovak", "slovenčina"]),
    ("sl", &["slv", "slovenian", "slovene"]),
    ("hr", &["hrv", "croatian", "hrvatski"]),
    ("sr", &["srp", "serbian"]),
    ("bs", &["bos", "bosnian"]),
    ("bg", &["bul", "bulgarian"]),
    ("mk", &["mkd", "mac", "macedonian"]),
    ("ro", &["ron", "rum", "romanian", "română"]),
    ("hu", &["hun", "hungarian", "magyar"]),
    ("el", &["ell", "gre", "greek"]),
    ("tr", &["tur", "turkish", "türkçe"]),
    ("fi", &["fin", "finnish", "suomi"]),
    ("sv", &["swe", "swedish", "svenska"]),
    ("da", &["dan", "danish", "dansk"]),
    ("no", &["nor", "norwegian", "norsk"]),
    ("nb", &["nob", "norwegian bokmål", "bokmål"]),
    ("nn", &["nno", "norwegian nynorsk", "nynorsk"]),
    ("is", &["isl", "ice", "icelandic"]),
    ("et", &["est", "estonian"]),
    ("lv", &["lav", "latvian"]),
    ("lt", &["lit", "lithuanian"]),
    ("ga", &["gle", "irish"]),
    ("cy", &["cym", "wel", "welsh"]),
    ("eu", &["eus", "baq", "basque", "euskara"]),
    ("ca", &["cat", "catalan", "català"]),
    ("gl", &["glg", "galician", "galego"]),
    ("sq", &["sqi", "alb", "albanian"]),
    ("hy", &["hye", "arm", "armenian"]),
    ("ka", &["kat", "geo", "georgian"]),
    ("az", &["aze", "azerbaijani"]),
    ("kk", &["kaz", "kazakh"]),
    ("uz", &["uzb", "uzbek"]),
    ("tk", &["tuk", "turkmen"]),
    ("be", &["bel", "belarusian"]),
    ("he", &["heb", "hebrew"]),
    ("yi", &["yid", "yiddish"]),
    ("fa", &["fas", "per", "pes", "persian", "farsi"]),
    ("ur", &["urd", "urdu"]),
    ("hi", &["hin", "hindi"]),
    ("bn", &["ben", "bengali", "bangla"]),
    ("pa", &["pan", "punjabi"]),
    ("gu", &["guj", "gujarati"]),
    ("mr", &["mar", "marathi"]),
    ("ta", &["tam", "tamil"]),
    ("te", &["tel", "telugu"]),
    ("kn", &["kan", "kannada"]),
    ("ml", &["mal", "malayalam"]),
    ("or", &["ori", "ory", "oriya", "odia"]),
    ("ne", &["nep", "npi", "nepali"]),
    ("si", &["sin", "sinhala"]),
    ("th", &["tha", "thai"]),
    ("vi", &["vie", "vietnamese", "tiếng việt"]),
    ("id", &["ind", "indonesian", "bahasa indonesia"]),
    ("ms", &["msa", "may", "zsm", "malay"]),
    ("tl", &["tgl", "fil", "tagalog", "filipino"]),
    ("km", &["khm", "khmer"]),
    ("my", &["mya", "bur", "burmese"]),
    ("jv", &["jav", "javanese"]),
    ("am", &["amh", "amharic"]),
    ("sw", &["swa", "swh", "swahili", "kiswahili"]),
    ("af", &["afr", "afrikaans"]),
    ("zu", &["zul", "zulu"]),
    ("sn", &["sna", "shona"]),
    ("ak", &["aka", "akan"]),
    ("la", &["lat", "latin"]),
    ("eo", &["epo", "esperanto"]),
    ("mn", &["mon", "khk", "mongolian"]),
    ("bo", &["bod", "tib", "tibetan"]),
    ("mi", &["mri", "mao", "maori"]),
    ("ha", &["hau", "hausa"]),
    ("yo", &["yor", "yoruba"]),
    ("ig", &["ibo", "igbo"]),
    ("so", &["som", "somali"]),
    ("ps", &["pus", "pashto"]),
    ("ku", &["kur", "kurdish"]),
    ("tg", &["tgk", "tajik"]),
    ("ky", &["kir", "kyrgyz"]),
    ("tt", &["tat", "tatar"]),
    ("lb", &["ltz", "luxembourgish"]),
    ("mt", &["mlt", "maltese"]),
    ("fy", &["fry", "frisian", "western frisian"]),
    ("gd", &["gla", "scottish gaelic", "gaelic"]),
    ("br", &["bre", "breton"]),
    ("oc", &["oci", "occitan"]),
    ("co", &["cos", "corsican"]),
    ("ht", &["hat", "haitian", "haitian creole"]),
];

/// Every alias of [`LANGUAGES`] mapped to its ISO 639-1 code, built on first use.
static ALIASES: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for (code, aliases) in LANGUAGES {
        map.insert(*code, *code);
        for alias in *aliases {
            map.insert(*alias, *code);
        }
    }
    map
});

/// Maximum number of bytes of text given to language detection; longer samples add little accuracy.
const DETECTION_SAMPLE_BYTES: usize = 1000;

/// Normalises a language code or name to ISO 639-1 where one exists, else ISO 639-3.
///
/// Accepts ISO 639-1, 639-2/B, 639-2/T and 639-3 codes, BCP 47 and POSIX locale tags (`en-GB`,
/// `en_US`, `zh-Hans-CN`), and English and native names of common languages (`English`,
/// `Français`, `русский`), ignoring case. A two-letter code that is not in the table is kept as
/// written in lower case, and so is an unknown three-letter code. Anything else gives `None`.
///
/// ```
/// use sheaf_record::normalise_language;
///
/// assert_eq!(normalise_language("ger").as_deref(), Some("de"));
/// assert_eq!(normalise_language("en_US").as_deref(), Some("en"));
/// assert_eq!(normalise_language("Français").as_deref(), Some("fr"));
/// assert_eq!(normalise_language("gsw").as_deref(), Some("gsw"));
/// assert_eq!(normalise_language("not a language"), None);
/// ```
pub fn normalise_language(value: &str) -> Option<String> {
    let lower = value.trim().to_lowercase();
    if let Some(code) = ALIASES.get(lower.as_str()) {
        return Some((*code).to_owned());
    }
    let primary = lower.split(['-', '_']).next().unwrap_or(&lower);
    if let Some(code) = ALIASES.get(primary) {
        return Some((*code).to_owned());
    }
    let is_code =
        (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase());
    is_code.then(|| primary.to_owned())
}

/// Detects the language of a text, when the detector is confident.
///
/// Returns an ISO 639-1 code where one exists, else the ISO 639-3 code of the detector.
pub(crate) fn detect_language(text: &str) -> Option<String> {
    let mut end = text.len().min(DETECTION_SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let info = whatlang::detect(&text[..end])?;
    if !info.is_reliable() {
        return None;
    }
    normalise_language(info.lang().code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes_of_every_form() {
        let cases = [
            ("eng", "en"),
            ("fre", "fr"),
            ("fra", "fr"),
            ("ger", "de"),
            ("deu", "de"),
            ("spa", "es"),
            ("rus", "ru"),
            ("chi", "zh"),
            ("zho", "zh"),
            ("ara", "ar"),
            ("por", "pt"),
            ("ita", "it"),
            ("jpn", "ja"),
            ("English", "en"),
            ("en_US", "en"),
            ("EN-gb", "en"),
            ("zh-Hans-CN", "zh"),
            ("Русский", "ru"),
            ("español", "es"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                normalise_language(input).as_deref(),
                Some(expected),
                "{input}"
            );
        }
    }

    #[test]
    fn language_unknown_codes_kept_names_dropped() {
        assert_eq!(normalise_language("xx").as_deref(), Some("xx"));
        assert_eq!(normalise_language("gsw").as_deref(), Some("gsw"));
        assert_eq!(normalise_language("Klingon"), None);
        assert_eq!(normalise_language(""), None);
        assert_eq!(normalise_language("e1"), None);
    }

    #[test]
    fn detection_of_clear_texts() {
        let russian = "Хирургическая тактика лечения глубоких ожогов передней поверхности голени \
                       у больных с сочетанной травмой";
        assert_eq!(detect_language(russian).as_deref(), Some("ru"));
        let english = "Hemophilia A is the most common hereditary coagulation disorder, resulting \
                       from a deficiency of clotting Factor VIII.";
        assert_eq!(detect_language(english).as_deref(), Some("en"));
        let chinese = "语音库的创建与标注方法研究，以及语料的长期保存。";
        assert_eq!(detect_language(chinese).as_deref(), Some("zh"));
    }

    #[test]
    fn detection_declines_short_text() {
        assert_eq!(detect_language("ok"), None);
        assert_eq!(detect_language(""), None);
    }
}
