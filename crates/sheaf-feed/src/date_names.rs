//! Name tables for [`crate::parse_date`]: months, weekdays, filler words and time zones.
//!
//! Names are stored lower-case with accents folded (`é` → `e`, `ä` → `a`), so a token is folded
//! the same way before lookup.

/// Full month names in English, French, Spanish, German, Portuguese and Italian, with their
/// number. Abbreviations are matched as unambiguous prefixes of these names.
const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("janvier", 1),
    ("enero", 1),
    ("januar", 1),
    ("janner", 1),
    ("janeiro", 1),
    ("gennaio", 1),
    ("february", 2),
    ("fevrier", 2),
    ("febrero", 2),
    ("februar", 2),
    ("fevereiro", 2),
    ("febbraio", 2),
    ("march", 3),
    ("mars", 3),
    ("marzo", 3),
    ("marz", 3),
    ("maerz", 3),
    ("marco", 3),
    ("april", 4),
    ("avril", 4),
    ("abril", 4),
    ("aprile", 4),
    ("may", 5),
    ("mai", 5),
    ("mayo", 5),
    ("maio", 5),
    ("maggio", 5),
    ("june", 6),
    ("juin", 6),
    ("junio", 6),
    ("juni", 6),
    ("junho", 6),
    ("giugno", 6),
    ("july", 7),
    ("juillet", 7),
    ("julio", 7),
    ("juli", 7),
    ("julho", 7),
    ("luglio", 7),
    ("august", 8),
    ("aout", 8),
    ("agosto", 8),
    ("september", 9),
    ("septembre", 9),
    ("septiembre", 9),
    ("setiembre", 9),
    ("setembro", 9),
    ("settembre", 9),
    ("october", 10),
    ("octobre", 10),
    ("octubre", 10),
    ("oktober", 10),
    ("outubro", 10),
    ("ottobre", 10),
    ("november", 11),
    ("novembre", 11),
    ("noviembre", 11),
    ("novembro", 11),
    ("december", 12),
    ("decembre", 12),
    ("diciembre", 12),
    ("dezember", 12),
    ("dezembro", 12),
    ("dicembre", 12),
];

/// Month abbreviations that are not prefixes of a full name.
const MONTH_ABBREVIATIONS: &[(&str, u32)] = &[("mrz", 3), ("sept", 9)];

/// Weekday names and common abbreviations in the six languages. They are recognised and ignored:
/// a weekday that disagrees with the date does not change it.
const WEEKDAYS: &[&str] = &[
    "mon",
    "monday",
    "tue",
    "tues",
    "tuesday",
    "wed",
    "wednesday",
    "thu",
    "thur",
    "thurs",
    "thursday",
    "fri",
    "friday",
    "sat",
    "saturday",
    "sun",
    "sunday",
    "lun",
    "lundi",
    "mar",
    "mardi",
    "mer",
    "mercredi",
    "jeu",
    "jeudi",
    "ven",
    "vendredi",
    "sam",
    "samedi",
    "dim",
    "dimanche",
    "lunes",
    "martes",
    "mie",
    "miercoles",
    "jue",
    "jueves",
    "vie",
    "viernes",
    "sab",
    "sabado",
    "dom",
    "domingo",
    "mo",
    "montag",
    "di",
    "dienstag",
    "mi",
    "mittwoch",
    "do",
    "donnerstag",
    "fr",
    "freitag",
    "sa",
    "samstag",
    "sonnabend",
    "so",
    "sonntag",
    "seg",
    "segunda",
    "ter",
    "terca",
    "qua",
    "quarta",
    "qui",
    "quinta",
    "sex",
    "sexta",
    "lunedi",
    "mar",
    "martedi",
    "mercoledi",
    "gio",
    "giovedi",
    "venerdi",
    "sabato",
    "domenica",
];

/// Words that join the parts of a written date ("5 de marzo de 2024", "le 5 mars", "segunda-feira").
const FILLERS: &[&str] = &[
    "de", "del", "of", "the", "at", "a", "le", "el", "um", "feira", "h",
];

/// Named time zones with their offset from UTC in minutes. Ambiguous abbreviations take the
/// reading that feeds use most: `IST` is India (+05:30), `CST` is US Central, `BST` is British
/// Summer Time.
const ZONES: &[(&str, i32)] = &[
    ("ut", 0),
    ("utc", 0),
    ("gmt", 0),
    ("z", 0),
    ("wet", 0),
    ("west", 60),
    ("bst", 60),
    ("cet", 60),
    ("met", 60),
    ("mez", 60),
    ("cest", 120),
    ("mest", 120),
    ("mesz", 120),
    ("eet", 120),
    ("eest", 180),
    ("msk", 180),
    ("ist", 330),
    ("wib", 420),
    ("hkt", 480),
    ("sgt", 480),
    ("awst", 480),
    ("pht", 480),
    ("jst", 540),
    ("kst", 540),
    ("acst", 570),
    ("aest", 600),
    ("aedt", 660),
    ("nzst", 720),
    ("nzdt", 780),
    ("nst", -210),
    ("ndt", -150),
    ("ast", -240),
    ("adt", -180),
    ("est", -300),
    ("edt", -240),
    ("cst", -360),
    ("cdt", -300),
    ("mst", -420),
    ("mdt", -360),
    ("pst", -480),
    ("pdt", -420),
    ("akst", -540),
    ("akdt", -480),
    ("hst", -600),
];

/// Folds a token to the form the tables use: lower-case, accents removed, trailing dots dropped.
pub(crate) fn fold(token: &str) -> String {
    let mut folded = String::with_capacity(token.len());
    for c in token
        .trim_end_matches('.')
        .chars()
        .flat_map(char::to_lowercase)
    {
        let plain = match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            other => other,
        };
        folded.push(plain);
    }
    folded
}

/// Returns the month number of a folded token: a full name, a listed abbreviation, or a prefix
/// of at least three letters that names only one month.
pub(crate) fn month(folded: &str) -> Option<u32> {
    if folded.len() < 3 || !folded.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    if let Some((_, number)) = MONTH_ABBREVIATIONS.iter().find(|(name, _)| *name == folded) {
        return Some(*number);
    }
    let mut found = None;
    for (name, number) in MONTHS {
        if name.starts_with(folded) {
            match found {
                None => found = Some(*number),
                Some(previous) if previous != *number => return None,
                Some(_) => {}
            }
        }
    }
    found
}

/// Tells whether a folded token is a weekday name or abbreviation.
pub(crate) fn is_weekday(folded: &str) -> bool {
    WEEKDAYS.contains(&folded)
}

/// Tells whether a folded token is a filler word between date parts.
pub(crate) fn is_filler(folded: &str) -> bool {
    FILLERS.contains(&folded)
}

/// Returns the offset in minutes of a named zone or a single military letter. RFC 822 gave the
/// military letters the wrong signs, so RFC 2822 (section 4.3) reads every letter other than `Z`
/// as an unknown zone, which is UTC here; chrono's RFC 2822 parser does the same.
pub(crate) fn zone_offset(folded: &str) -> Option<i32> {
    if let Some((_, minutes)) = ZONES.iter().find(|(name, _)| *name == folded) {
        return Some(*minutes);
    }
    let mut chars = folded.chars();
    let (Some(letter), None) = (chars.next(), chars.next()) else {
        return None;
    };
    match letter {
        'a'..='i' | 'k'..='z' => Some(0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_prefixes_resolve_uniquely() {
        assert_eq!(month("sep"), Some(9));
        assert_eq!(month("janv"), Some(1));
        assert_eq!(month("juil"), Some(7));
        assert_eq!(month("mrz"), Some(3));
        assert_eq!(month("dic"), Some(12));
        assert_eq!(month("jui"), None);
        assert_eq!(month("ju"), None);
    }

    #[test]
    fn fold_removes_accents_and_dots() {
        assert_eq!(fold("Févr."), "fevr");
        assert_eq!(fold("MÄRZ"), "marz");
    }

    #[test]
    fn military_letters_read_as_utc() {
        assert_eq!(zone_offset("a"), Some(0));
        assert_eq!(zone_offset("m"), Some(0));
        assert_eq!(zone_offset("y"), Some(0));
        assert_eq!(zone_offset("j"), None);
        assert_eq!(zone_offset("z"), Some(0));
    }
}
