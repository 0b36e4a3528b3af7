//! Normalising real OAI-PMH records taken from recorded repository responses.

use std::path::Path;

use sheaf_record::{
    IdScheme, OaiHeaderInfo, RawOai, Record, SourceInfo, normalise_oai, normalise_stored,
};

/// Reads a response page of the OAI corpus, or `None` when the shared inputs are absent.
fn page(name: &str) -> Option<String> {
    let shared = sheaf_testkit::shared_dir()?;
    let path = shared.join("corpus/oai").join(name);
    Some(std::fs::read_to_string(Path::new(&path)).unwrap())
}

/// Returns the text between `open` and the next `close` at or after `from`, with its end.
fn between<'a>(text: &'a str, from: usize, open: &str, close: &str) -> Option<(&'a str, usize)> {
    let start = text[from..].find(open)? + from + open.len();
    let end = text[start..].find(close)? + start;
    Some((&text[start..end], end + close.len()))
}

/// Builds the raw form of one record of a response page, as the harvester stores it.
///
/// The `<metadata>` child is cut out as text, and the namespace declarations of the response's
/// root element that it uses without declaring are added to its start tag, so that it is a
/// standalone element like the metadata the harvester hands over.
fn raw_record(page: &str, identifier: &str) -> RawOai {
    let id_at = page
        .find(&format!("<identifier>{identifier}</identifier>"))
        .unwrap();
    let header_at = page[..id_at].rfind("<header").unwrap();
    let header_end = page[header_at..].find("</header>").unwrap() + header_at;
    let header = &page[header_at..header_end];
    let (datestamp, _) = between(header, 0, "<datestamp>", "</datestamp>").unwrap();
    let mut sets = Vec::new();
    let mut from = 0;
    while let Some((set, end)) = between(header, from, "<setSpec>", "</setSpec>") {
        sets.push(set.to_owned());
        from = end;
    }
    let record_end = page[header_end..].find("</record>").unwrap() + header_end;
    let metadata = between(&page[..record_end], header_end, "<metadata>", "</metadata>")
        .map(|(inner, _)| declare_root_namespaces(page, inner.trim()));
    let header_tag = &header[..header.find('>').unwrap()];
    RawOai {
        header: OaiHeaderInfo {
            identifier: identifier.to_owned(),
            datestamp: datestamp.to_owned(),
            deleted: header_tag.contains("status=\"deleted\""),
            sets,
        },
        metadata,
    }
}

/// Adds the root element's prefixed namespace declarations that `element` lacks.
fn declare_root_namespaces(page: &str, element: &str) -> String {
    let root_at = page.find("<OAI-PMH").unwrap();
    let root_tag = &page[root_at..root_at + page[root_at..].find('>').unwrap()];
    let name_end = element
        .find(|c: char| c.is_whitespace() || c == '>')
        .unwrap();
    let start_tag = &element[..element.find('>').unwrap()];
    let mut declarations = String::new();
    for part in root_tag
        .split_whitespace()
        .filter(|p| p.starts_with("xmlns:"))
    {
        let prefix = part.split('=').next().unwrap();
        if !start_tag.contains(&format!("{prefix}=")) {
            declarations.push(' ');
            declarations.push_str(part);
        }
    }
    format!(
        "{}{declarations}{}",
        &element[..name_end],
        &element[name_end..]
    )
}

fn source() -> SourceInfo {
    SourceInfo {
        id: "repo".into(),
        centre: Some("Centre".into()),
        country: Some("AT".into()),
    }
}

fn normalise(page: &str, identifier: &str) -> Record {
    normalise_oai(&source(), "oai_dc", &raw_record(page, identifier)).unwrap()
}

fn identifier_values(record: &Record, scheme: IdScheme) -> Vec<&str> {
    let matching = record.identifiers.iter().filter(|i| i.scheme == scheme);
    matching.map(|i| i.value.as_str()).collect()
}

#[test]
fn sickle_get_record() {
    let Some(page) = page("sickle__GetRecord.xml") else {
        return;
    };
    let record = normalise(&page, "oai:test.example.com:1996652");
    assert_eq!(record.id, "repo:oai:test.example.com:1996652");
    assert_eq!(record.centre.as_deref(), Some("Centre"));
    assert_eq!(record.country.as_deref(), Some("AT"));
    assert_eq!(
        record.datestamp.unwrap().to_rfc3339(),
        "2011-09-05T12:51:52+00:00"
    );
    assert_eq!(record.display_title(), Some("Sample Title"));
    assert_eq!(record.creators.len(), 1, "duplicate creators are dropped");
    assert_eq!(record.creators[0].name, "John Doe");
    assert_eq!(record.languages, ["en"]);
    assert_eq!(record.publisher, ["Sample Publisher"]);
    assert_eq!(record.relations, ["Sample Source"]);
    assert_eq!(record.date.as_ref().unwrap().to_iso(), "2011");
    assert_eq!(record.types.len(), 3);
    assert!(
        record
            .types
            .iter()
            .all(|t| t.dcmi.as_deref() == Some("Text"))
    );
    assert_eq!(
        record.url.as_deref(),
        Some("http://test.example.com/publication/1996652")
    );
    assert_eq!(record.updated, None);
}

#[test]
fn sickle_list_records_deleted_and_multiline() {
    let Some(page) = page("sickle__ListRecords.xml") else {
        return;
    };
    let deleted = normalise(&page, "oai:test.example.com:1585310");
    assert!(deleted.deleted);
    assert_eq!(deleted.id, "repo:oai:test.example.com:1585310");
    assert_eq!(
        deleted.datestamp.unwrap().to_rfc3339(),
        "2011-07-18T16:31:00+00:00"
    );
    assert_eq!(deleted.title, []);
    assert_eq!(deleted.languages, Vec::<String>::new());

    let record = normalise(&page, "oai:test.example.com:1585322");
    assert!(!record.deleted);
    assert_eq!(record.publisher, ["Sample Publisher"]);
    let description = &record.description[0];
    assert!(description.text.starts_with(
        "Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod tempor"
    ));
    assert!(!description.text.contains('\n'));
    assert_eq!(description.language.as_deref(), Some("en"));
}

#[test]
fn sickle_utf8_creator() {
    let Some(page) = page("sickle__GetRecord_utf8test.xml") else {
        return;
    };
    let record = normalise(&page, "oai:test.example.com:1996652");
    assert_eq!(record.creators[0].name, "某人");
}

#[test]
fn zenodo_doi_html_description_and_issn() {
    let Some(page) = page("scythe__list_records-0.xml") else {
        return;
    };
    let software = normalise(&page, "oai:zenodo.org:20510666");
    assert_eq!(software.sets, ["software"]);
    assert_eq!(
        identifier_values(&software, IdScheme::Doi),
        ["10.5281/zenodo.20510666"]
    );
    assert_eq!(
        software.url.as_deref(),
        Some("https://doi.org/10.5281/zenodo.20510666")
    );
    assert_eq!(software.date.as_ref().unwrap().to_iso(), "2026-06-02");
    assert_eq!(software.rights.len(), 3);
    assert_eq!(software.types[0].original, "info:eu-repo/semantics/other");
    assert_eq!(software.types[0].dcmi, None);

    let article = normalise(&page, "oai:zenodo.org:20568304");
    assert_eq!(
        article.creators[0].name,
        "Prasadi Zoysa, Kanakarathnage Kavindya"
    );
    assert_eq!(article.creators.len(), 4);
    let description = &article.description[0].text;
    assert!(
        description.starts_with("Abstract Hemophilia A is the most common"),
        "{description}"
    );
    assert!(!description.contains('<'));
    assert!(!description.contains("&lt;"));
    assert!(!description.contains("nbsp"));
    assert_eq!(
        identifier_values(&article, IdScheme::Doi),
        ["10.58614/jahsm593"]
    );
    assert_eq!(identifier_values(&article, IdScheme::Issn), ["2583-1887"]);
    assert_eq!(
        article.url.as_deref(),
        Some("https://doi.org/10.58614/jahsm593")
    );
    assert_eq!(article.languages, ["en"]);
}

#[test]
fn zenodo_page_normalises_every_record() {
    let Some(page) = page("scythe__list_records-0.xml") else {
        return;
    };
    let mut from = 0;
    let mut count = 0;
    while let Some((identifier, end)) = between(&page, from, "<identifier>", "</identifier>") {
        from = end;
        let record = normalise(&page, identifier);
        assert!(record.display_title().is_some(), "{identifier} has a title");
        assert!(record.url.is_some(), "{identifier} has a url");
        count += 1;
    }
    assert_eq!(count, 50);
}

#[test]
fn cyberleninka_russian_record() {
    let Some(page) = page("scrapi__cyberleninka-0.xml") else {
        return;
    };
    let record = normalise(&page, "oai:cyberleninka.ru:article/14758677");
    assert_eq!(
        record.display_title(),
        Some("ХИРУРГИЧЕСКАЯ ТАКТИКА ЛЕЧЕНИЯ ГЛУБОКИХ ОЖОГОВ ПЕРЕДНЕЙ ПОВЕРХНОСТИ ГОЛЕНИ")
    );
    let names: Vec<&str> = record.creators.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["РЫБДЫЛОВ ДАНЗАН ДОРЖИЕВИЧ", "ХИТРИХЕЕВ ВЛАДИМИР ЕВГЕНЬЕВИЧ"]
    );
    assert_eq!(record.subjects.len(), 8, "{:?}", record.subjects);
    assert_eq!(record.subjects[0], "БОЛЬШЕБЕРЦОВАЯ КОСТЬ");
    assert_eq!(record.subjects[7], "AUTODERMEPENTHESIS");
    assert_eq!(record.description.len(), 2);
    assert!(record.description[1].text.contains("shin's front surface"));
    assert_eq!(record.date.as_ref().unwrap().to_iso(), "2011");
    assert!(record.publisher[0].contains("\"Бурятский государственный университет\""));
    assert!(!record.publisher[0].contains("  "));
    assert_eq!(record.relations, ["urn:issn:1994-0866"]);
    assert_eq!(
        record.languages,
        ["ru"],
        "detected from title and description"
    );
    let url = "http://cyberleninka.ru/article/n/hirurgicheskaya-taktika-lecheniya-glubokih-ozhogov-peredney-poverhnosti-goleni";
    assert_eq!(record.url.as_deref(), Some(url));
}

#[test]
fn cyberleninka_thumbnail_is_not_the_landing_page() {
    let Some(page) = page("scrapi__cyberleninka-0.xml") else {
        return;
    };
    let record = normalise(&page, "oai:cyberleninka.ru:article/14074026");
    assert_eq!(
        record.subjects,
        Vec::<String>::new(),
        "empty subjects are dropped"
    );
    let url = "http://cyberleninka.ru/article/n/o-vychislenii-postoyannyh-vhodyaschih-v-otsenki-lineynyh-form";
    assert_eq!(record.url.as_deref(), Some(url));
    assert_eq!(identifier_values(&record, IdScheme::Url).len(), 2);
}

#[test]
fn sldr_multilingual_record() {
    let Some(page) = page("scrapi__sldr-0.xml") else {
        return;
    };
    let record = normalise(&page, "oai:sldr.org:sldr000766");
    assert_eq!(record.sets, ["ortolang", "archive:long-term"]);
    assert_eq!(
        record.datestamp.unwrap().to_rfc3339(),
        "2015-12-15T00:00:00+00:00"
    );
    assert_eq!(record.title[0].text, "Chantelouve - corpus");
    assert_eq!(record.title[0].language.as_deref(), Some("fr"));
    assert_eq!(record.creators[0].name, "Faure, Albert");
    assert!(
        record
            .contributors
            .iter()
            .any(|c| c.name == "Bois, Robert (speaker)")
    );
    assert_eq!(record.languages, ["oc"]);
    assert!(
        record
            .description
            .iter()
            .any(|d| d.language.as_deref() == Some("en")
                && d.text == "Recordings of Chantelouve patois in Isère (38)")
    );
    assert_eq!(record.types[0].dcmi.as_deref(), Some("Dataset"));
    assert_eq!(
        identifier_values(&record, IdScheme::Handle),
        ["11041/sldr000766"]
    );
    assert_eq!(
        record.url.as_deref(),
        Some("https://hdl.handle.net/11041/sldr000766")
    );
    assert!(record.coverage.contains(&"FR".to_owned()));
    assert!(
        record
            .rights
            .contains(&"http://sldr.org/licence_v1/en".to_owned())
    );
    assert!(
        record
            .relations
            .contains(&"http://hdl.handle.net/11041/sldr000762".to_owned())
    );
}

#[test]
fn tethys_root_namespaces_and_alt_identifier() {
    let Some(page) = page("tethys__list-records-1.xml") else {
        return;
    };
    let record = normalise(&page, "oai:tethys.at:1");
    assert_eq!(record.title.len(), 3);
    assert_eq!(
        record.title[0].text,
        "GEOFAST 1:50.000, Blatt 53 – Amstetten, Stand 2019"
    );
    assert_eq!(record.title[0].language.as_deref(), Some("de"));
    assert_eq!(record.title[1].language.as_deref(), Some("en"));
    assert_eq!(
        record.title[2].text,
        "Zusammenstellung ausgewählter Archivunterlagen der Geologischen Bundesanstalt"
    );
    assert_eq!(record.languages, ["de"]);
    assert_eq!(record.date.as_ref().unwrap().to_iso(), "2020-09-03");
    assert_eq!(
        identifier_values(&record, IdScheme::Doi),
        ["10.24341/tethys.1"]
    );
    assert_eq!(
        record.url.as_deref(),
        Some("https://www.tethys.at/dataset/1")
    );
    let dcmi: Vec<Option<&str>> = record.types.iter().map(|t| t.dcmi.as_deref()).collect();
    assert_eq!(dcmi, [Some("Dataset"), Some("Dataset")]);
    assert!(record.sets.contains(&"ddc:550".to_owned()));
}

#[test]
fn tethys_record_without_metadata_is_an_error() {
    let Some(page) = page("tethys__get-record-malformed.xml") else {
        return;
    };
    let identifier = between(&page, 0, "<identifier>", "</identifier>")
        .unwrap()
        .0;
    let raw = raw_record(&page, identifier);
    assert_eq!(raw.metadata, None);
    let error = normalise_oai(&source(), "oai_dc", &raw).unwrap_err();
    assert!(
        matches!(error, sheaf_record::Error::MissingMetadata { .. }),
        "{error}"
    );
}

#[test]
fn datacite_wrapper_record() {
    let Some(page) = page("viringo__oai_getrecord_oaidatacite.xml") else {
        return;
    };
    let identifier = between(
        &page,
        page.find("<header").unwrap(),
        "<identifier>",
        "</identifier>",
    )
    .unwrap()
    .0;
    let raw = raw_record(&page, identifier);
    let record = normalise_oai(&source(), "oai_datacite", &raw).unwrap();
    assert_eq!(
        record.display_title(),
        Some("This is a fake DOI with fake metadata.")
    );
    assert_eq!(record.creators.len(), 2);
    assert_eq!(record.creators[0].name, "Fenner, Martin");
    assert_eq!(
        record.creators[0].orcid.as_deref(),
        Some("0000-0003-1419-2405")
    );
    assert_eq!(
        record.creators[1].orcid.as_deref(),
        Some("0000-0002-8599-0773")
    );
    assert_eq!(record.publisher, ["DataCite"]);
    assert_eq!(record.date.as_ref().unwrap().to_iso(), "2018-01-18");
    assert_eq!(record.types[0].original, "BlogPosting");
    assert_eq!(record.types[0].dcmi.as_deref(), Some("Text"));
    assert_eq!(record.subjects, ["datacite"]);
    assert_eq!(
        identifier_values(&record, IdScheme::Doi),
        ["10.5072/not-a-real-doi"]
    );
    assert_eq!(
        record.url.as_deref(),
        Some("https://doi.org/10.5072/not-a-real-doi")
    );
    assert_eq!(record.relations, ["10.5072/related-not-a-real-doi"]);
    assert_eq!(
        record.description[0].text,
        "This is a fake DOI with fake metadata."
    );
}

#[test]
fn archivesspace_ead_uses_generic_mapping() {
    let Some(page) = page("oaipmh-rs__get_record.xml") else {
        return;
    };
    let raw = raw_record(&page, "oai:archivesspace:/repositories/2/resources/2");
    let record = normalise_oai(&source(), "oai_ead", &raw).unwrap();
    assert_eq!(
        record.display_title(),
        Some("Emma Cummins Snively Crosier Pauling")
    );
    assert_eq!(record.publisher, ["Allen Doe Research Center"]);
    assert_eq!(record.date.as_ref().unwrap().to_iso(), "2021-04");
    assert_eq!(record.languages, ["en"]);
}

#[test]
fn prefixed_namespaces_case() {
    let Some(shared) = sheaf_testkit::shared_dir() else {
        return;
    };
    let page =
        std::fs::read_to_string(shared.join("cases/oai/prefixed-namespaces/page.xml")).unwrap();
    let (metadata, _) = between(&page, 0, "<oai:metadata>", "</oai:metadata>").unwrap();
    let raw = RawOai {
        header: OaiHeaderInfo {
            identifier: "oai:repo.example.net:1".into(),
            datestamp: "2025-12-01T12:00:00Z".into(),
            deleted: false,
            sets: vec![],
        },
        metadata: Some(metadata.to_owned()),
    };
    let record = normalise_oai(&source(), "oai_dc", &raw).unwrap();
    assert_eq!(
        record.display_title(),
        Some("Prefixed namespaces everywhere")
    );
}

#[test]
fn stored_raw_round_trip() {
    let Some(page) = page("sickle__GetRecord.xml") else {
        return;
    };
    let raw = raw_record(&page, "oai:test.example.com:1996652");
    let json = serde_json::to_string(&raw).unwrap();
    let stored = normalise_stored(&source(), "oai_dc", &json).unwrap();
    let direct = normalise_oai(&source(), "oai_dc", &raw).unwrap();
    assert_eq!(stored, direct);
}
