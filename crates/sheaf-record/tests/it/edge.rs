//! Hand-written records for the cases real repositories rarely show in one place.

use sheaf_record::{
    Error, IdScheme, OaiHeaderInfo, RawOai, Record, SourceInfo, normalise_oai, normalise_stored,
};

const DC_OPEN: &str = r#"<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/">"#;

fn raw(metadata: Option<&str>, deleted: bool) -> RawOai {
    RawOai {
        header: OaiHeaderInfo {
            identifier: "oai:repo.example.net:7".into(),
            datestamp: "2025-12-01".into(),
            deleted,
            sets: vec!["physics".into(), "physics".into(), "open".into()],
        },
        metadata: metadata.map(str::to_owned),
    }
}

fn source() -> SourceInfo {
    SourceInfo {
        id: "ex".into(),
        centre: Some("Example Centre".into()),
        country: Some("FR".into()),
    }
}

fn dc(body: &str) -> Record {
    let metadata = format!("{DC_OPEN}{body}</oai_dc:dc>");
    normalise_oai(&source(), "oai_dc", &raw(Some(&metadata), false)).unwrap()
}

#[test]
fn deleted_header_gives_tombstone() {
    let record = normalise_oai(&source(), "oai_dc", &raw(None, true)).unwrap();
    assert!(record.deleted);
    assert_eq!(record.id, "ex:oai:repo.example.net:7");
    assert_eq!(record.centre.as_deref(), Some("Example Centre"));
    assert_eq!(record.country.as_deref(), Some("FR"));
    assert_eq!(record.sets, ["physics", "open"]);
    assert_eq!(
        record.datestamp.unwrap().to_rfc3339(),
        "2025-12-01T00:00:00+00:00"
    );
    assert!(record.title.is_empty());
    assert!(record.languages.is_empty());
    assert_eq!(record.url, None);
}

#[test]
fn deleted_header_ignores_leftover_metadata() {
    let record = normalise_oai(&source(), "oai_dc", &raw(Some("<broken"), true)).unwrap();
    assert!(record.deleted);
}

#[test]
fn malformed_metadata_is_an_error() {
    let error = normalise_oai(&source(), "oai_dc", &raw(Some("<a><b></a>"), false)).unwrap_err();
    assert!(
        matches!(&error, Error::Xml { identifier, .. } if identifier == "oai:repo.example.net:7")
    );
    assert!(error.to_string().contains("oai_dc"), "{error}");
}

#[test]
fn empty_identifier_is_an_error() {
    let mut raw = raw(None, true);
    raw.header.identifier = "  ".into();
    let error = normalise_oai(&source(), "oai_dc", &raw).unwrap_err();
    assert!(matches!(error, Error::MissingIdentifier { .. }));
}

#[test]
fn empty_and_duplicate_values_dropped() {
    let record = dc(
        "<dc:title> </dc:title><dc:title>A  title</dc:title><dc:title>A title</dc:title>\
        <dc:subject/><dc:subject>x</dc:subject><dc:subject>x</dc:subject><dc:publisher>  </dc:publisher>",
    );
    assert_eq!(record.title.len(), 1);
    assert_eq!(record.title[0].text, "A title");
    assert_eq!(record.subjects, ["x"]);
    assert!(record.publisher.is_empty());
}

#[test]
fn record_without_title_has_none() {
    let record = dc("<dc:identifier>https://example.org/x</dc:identifier>");
    assert_eq!(record.display_title(), None);
    assert_eq!(record.url.as_deref(), Some("https://example.org/x"));
}

#[test]
fn orcid_in_creator_and_contributor() {
    let record = dc(
        "<dc:creator>Carberry, Josiah (https://orcid.org/0000-0002-1825-0097)</dc:creator>\
        <dc:contributor>Doe, Jane orcid:0000-0002-1825-0098</dc:contributor>",
    );
    assert_eq!(record.creators[0].name, "Carberry, Josiah");
    assert_eq!(
        record.creators[0].orcid.as_deref(),
        Some("0000-0002-1825-0097")
    );
    assert_eq!(
        record.contributors[0].orcid, None,
        "a wrong check digit is not an ORCID iD"
    );
}

#[test]
fn subjects_split_only_for_keyword_lists() {
    let record = dc("<dc:subject>glaciers; climate;  Alps</dc:subject>\
        <dc:subject>Physics, Applied</dc:subject>\
        <dc:subject>1,2-dichloroethane</dc:subject>");
    assert_eq!(
        record.subjects,
        [
            "glaciers",
            "climate",
            "Alps",
            "Physics, Applied",
            "1,2-dichloroethane"
        ]
    );
}

#[test]
fn identifier_schemes_and_landing_page() {
    let record = dc(
        "<dc:identifier>https://repo.example.net/files/paper.pdf</dc:identifier>\
        <dc:identifier>DOI:10.1234/ABC</dc:identifier>\
        <dc:identifier>hdl:1721.1/12345</dc:identifier>\
        <dc:identifier>urn:nbn:de:0001-2</dc:identifier>\
        <dc:identifier>ISBN 978-3-16-148410-0</dc:identifier>\
        <dc:identifier>Smith J. (2019) A paper. J. Ex. 3</dc:identifier>",
    );
    let schemes: Vec<IdScheme> = record.identifiers.iter().map(|i| i.scheme).collect();
    use IdScheme::*;
    assert_eq!(schemes, [Url, Doi, Handle, Urn, Isbn, Other]);
    assert_eq!(record.identifiers[1].value, "10.1234/abc");
    assert_eq!(
        record.url.as_deref(),
        Some("https://doi.org/10.1234/abc"),
        "files are not landing pages"
    );
}

#[test]
fn dates_first_parsable_wins() {
    let record = dc("<dc:date>unknown</dc:date><dc:date>05/2019</dc:date><dc:date>2020</dc:date>");
    let date = record.date.unwrap();
    assert_eq!(date.to_iso(), "2019-05");
    assert_eq!(date.original, "05/2019");
}

#[test]
fn languages_from_codes_or_detection() {
    let declared = dc("<dc:language>fre; English</dc:language><dc:language>fr_FR</dc:language>");
    assert_eq!(declared.languages, ["fr", "en"]);
    let detected = dc(
        "<dc:title>La mesure de la masse du quark top au Grand collisionneur de hadrons</dc:title>\
        <dc:description>Les physiciens présentent une nouvelle mesure, plus précise que les précédentes.</dc:description>",
    );
    assert_eq!(detected.languages, ["fr"]);
    let unsure = dc("<dc:title>Data</dc:title>");
    assert!(unsure.languages.is_empty());
}

#[test]
fn html_in_description_and_title_cleaned() {
    let record = dc("<dc:title>On &lt;i&gt;E. coli&lt;/i&gt;</dc:title>\
        <dc:description xml:lang=\"en-GB\">&lt;p&gt;First.&lt;/p&gt;&lt;p&gt;Second &amp;amp; last.&lt;/p&gt;</dc:description>");
    assert_eq!(record.display_title(), Some("On E. coli"));
    assert_eq!(record.description[0].text, "First. Second & last.");
    assert_eq!(record.description[0].language.as_deref(), Some("en"));
}

#[test]
fn dcterms_refinements() {
    let record = dc("<dcterms:abstract>Abstract text</dcterms:abstract>\
        <dcterms:issued>2018-03</dcterms:issued>\
        <dcterms:license>https://creativecommons.org/licenses/by/4.0/</dcterms:license>\
        <dcterms:spatial>Grenoble</dcterms:spatial>\
        <dc:format>application/pdf</dc:format>");
    assert_eq!(record.description[0].text, "Abstract text");
    assert_eq!(record.date.unwrap().to_iso(), "2018-03");
    assert_eq!(
        record.rights,
        ["https://creativecommons.org/licenses/by/4.0/"]
    );
    assert_eq!(record.coverage, ["Grenoble"]);
}

#[test]
fn other_format_uses_local_names() {
    let mods = r#"<mods xmlns="http://www.loc.gov/mods/v3"><titleInfo><title>A MODS title</title></titleInfo>
        <abstract>About it.</abstract><language><languageTerm>eng</languageTerm></language>
        <identifier type="doi">10.5555/MODS</identifier></mods>"#;
    let record = normalise_oai(&source(), "mods", &raw(Some(mods), false)).unwrap();
    assert_eq!(record.display_title(), Some("A MODS title"));
    assert_eq!(record.description[0].text, "About it.");
    assert_eq!(record.languages, ["en"]);
    assert_eq!(record.identifiers[0].value, "10.5555/mods");
}

#[test]
fn undeclared_dc_prefix_falls_back_to_local_names() {
    let metadata = "<oai_dc:dc><dc:title>Loose prefixes</dc:title></oai_dc:dc>";
    let record = normalise_oai(&source(), "oai_dc", &raw(Some(metadata), false)).unwrap();
    assert_eq!(record.display_title(), Some("Loose prefixes"));
}

#[test]
fn stored_forms_dispatch_and_reject_bad_json() {
    let feed = r#"{"id":"e1","title":"Entry","url":null,"links":[],"summary":null,"content":null,
        "authors":[],"categories":[],"published":null,"updated":null,"enclosures":[],"language":null}"#;
    let record = normalise_stored(&source(), "feed", feed).unwrap();
    assert_eq!(record.id, "ex:e1");
    assert_eq!(record.display_title(), Some("Entry"));
    let error = normalise_stored(&source(), "oai_dc", "{not json").unwrap_err();
    assert!(matches!(&error, Error::StoredJson { format, .. } if format == "oai_dc"));
}
