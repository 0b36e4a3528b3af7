//! Property tests of the text, date and DOI normalisers.

use proptest::prelude::*;
use sheaf_record::{clean_text, normalise_doi, parse_partial_date};

/// Text drawn from the characters that make HTML and entity handling hard.
fn markup_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("<".to_owned()),
        Just(">".to_owned()),
        Just("&".to_owned()),
        Just(";".to_owned()),
        Just("&amp;".to_owned()),
        Just("&lt;".to_owned()),
        Just("&gt;".to_owned()),
        Just("&nbsp;".to_owned()),
        Just("&#x3C;".to_owned()),
        Just("<p>".to_owned()),
        Just("</p>".to_owned()),
        Just("<br/>".to_owned()),
        Just("<!--".to_owned()),
        Just("-->".to_owned()),
        Just("<![CDATA[".to_owned()),
        Just("]]>".to_owned()),
        Just("<script>".to_owned()),
        Just("</script>".to_owned()),
        Just(" ".to_owned()),
        Just("\n".to_owned()),
        "[a-zé中 ]{0,6}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(pieces, 0..24).prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn clean_text_is_idempotent(text in markup_text()) {
        let once = clean_text(&text);
        prop_assert_eq!(clean_text(&once), once.clone());
    }

    #[test]
    fn clean_text_has_no_stray_whitespace(text in markup_text()) {
        let cleaned = clean_text(&text);
        prop_assert_eq!(cleaned.trim(), cleaned.as_str());
        prop_assert!(!cleaned.contains("  "));
        prop_assert!(!cleaned.contains('\n'));
    }

    #[test]
    fn clean_text_keeps_plain_words(words in prop::collection::vec("[a-zA-Z0-9éü]{1,8}", 1..8)) {
        let text = words.join(" ");
        prop_assert_eq!(clean_text(&text), text);
    }

    #[test]
    fn partial_date_never_panics(text in ".{0,40}") {
        let _ = parse_partial_date(&text);
    }

    #[test]
    fn partial_date_iso_round_trip(year in 1000i32..2200, month in 1u32..13, day in 1u32..29) {
        let text = format!("{year:04}-{month:02}-{day:02}");
        let date = parse_partial_date(&text).unwrap();
        prop_assert_eq!((date.year, date.month, date.day), (year, Some(month), Some(day)));
        prop_assert_eq!(date.to_iso(), text.clone());
        let again = parse_partial_date(&date.to_iso()).unwrap();
        prop_assert_eq!(again, date);
    }

    #[test]
    fn partial_date_is_valid_when_some(text in "[0-9./ -]{0,12}") {
        if let Some(date) = parse_partial_date(&text) {
            prop_assert!((1000..=2199).contains(&date.year));
            prop_assert!(date.month.is_none_or(|m| (1..=12).contains(&m)));
            prop_assert!(date.day.is_none_or(|d| (1..=31).contains(&d)));
            prop_assert!(date.day.is_none() || date.month.is_some());
            let reparsed = parse_partial_date(&date.to_iso()).unwrap();
            prop_assert_eq!((reparsed.year, reparsed.month, reparsed.day), (date.year, date.month, date.day));
        }
    }

    #[test]
    fn doi_never_panics(text in ".{0,60}") {
        let _ = normalise_doi(&text);
    }

    #[test]
    fn doi_is_lower_case_and_idempotent(
        prefix in prop_oneof![Just(""), Just("doi:"), Just("https://doi.org/"), Just("http://dx.doi.org/"), Just("DOI: ")],
        registrant in "[0-9]{4,6}",
        suffix in "[A-Za-z0-9._;()/:-]{1,20}",
    ) {
        let doi = normalise_doi(&format!("{prefix}10.{registrant}/{suffix}")).unwrap();
        prop_assert_eq!(doi.to_lowercase(), doi.clone());
        prop_assert!(doi.starts_with("10."));
        prop_assert_eq!(normalise_doi(&doi), Some(doi.clone()));
    }

    #[test]
    fn doi_results_are_fixed_points(text in "(doi:|https://doi.org/)?10\\.[0-9.]{2,8}/.{0,12}") {
        if let Some(doi) = normalise_doi(&text) {
            prop_assert_eq!(doi.to_lowercase(), doi.clone());
            prop_assert_eq!(normalise_doi(&doi), Some(doi.clone()));
        }
    }
}
