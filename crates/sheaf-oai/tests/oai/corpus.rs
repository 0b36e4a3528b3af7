//! Each verb parser against real repository responses.

use sheaf_oai::{
    Error, ErrorCode, Granularity, parse_get_record, parse_identify, parse_list_metadata_formats,
    parse_list_records,
};

use crate::corpus;

fn identifiers(page: &sheaf_oai::ListPage) -> Vec<&str> {
    page.records
        .iter()
        .map(|record| record.header.identifier.as_str())
        .collect()
}

#[test]
fn identify_archivesspace() {
    let Some(xml) = corpus("oaipmh-rs__identify.xml") else {
        return;
    };
    let identify = parse_identify(&xml).unwrap();
    assert_eq!(identify.repository_name, "ArchivesSpace OAI Provider");
    assert_eq!(identify.base_url, "https://test.archivesspace.org");
    assert_eq!(identify.protocol_version, "2.0");
    assert_eq!(identify.admin_emails, vec!["admin@example.com"]);
    assert_eq!(
        identify.earliest_datestamp.as_deref(),
        Some("1970-01-01T00:00:00Z")
    );
    assert_eq!(identify.deleted_record, "persistent");
    assert_eq!(identify.granularity, Granularity::Second);
}

#[test]
fn identify_granularities() {
    let Some(sickle) = corpus("sickle__Identify.xml") else {
        return;
    };
    let identify = parse_identify(&sickle).unwrap();
    assert_eq!(identify.repository_name, "A Test Repository");
    assert_eq!(identify.granularity, Granularity::Day);

    let Some(tethys) = corpus("tethys__identify.xml") else {
        return;
    };
    let identify = parse_identify(&tethys).unwrap();
    assert_eq!(identify.repository_name, "Tethys RDR");
    assert_eq!(
        identify.earliest_datestamp.as_deref(),
        Some("2020-09-03T15:37:57Z")
    );
    assert_eq!(identify.granularity, Granularity::Second);
}

#[test]
fn list_records_archivesspace_page() {
    let Some(xml) = corpus("oaipmh-rs__list_records.xml") else {
        return;
    };
    let page = parse_list_records(&xml).unwrap();
    assert_eq!(page.response_date, "2025-11-27T02:10:07Z");
    assert_eq!(page.records.len(), 25);
    let ids = identifiers(&page);
    assert_eq!(
        ids[0],
        "oai:archivesspace:/repositories/2/archival_objects/1"
    );
    assert_eq!(
        ids[24],
        "oai:archivesspace:/repositories/2/archival_objects/25"
    );
    assert!(page.records.iter().all(|r| r.metadata.is_some()));
    let token = page.token.unwrap();
    assert!(token.value.starts_with("eyJtZXRhZGF0YV9wcmVmaXgiOiJvYW"));
    assert_eq!(token.complete_list_size, None);
}

#[test]
fn list_records_tethys_chain() {
    let expected = [
        (
            "tethys__list-records-1.xml",
            ["oai:tethys.at:1", "oai:tethys.at:3"],
            Some("177435798600000"),
        ),
        (
            "tethys__list-records-2.xml",
            ["oai:tethys.at:4", "oai:tethys.at:6"],
            Some("177435798700000"),
        ),
        (
            "tethys__list-records-3.xml",
            ["oai:tethys.at:7", "oai:tethys.at:9"],
            None,
        ),
    ];
    for (file, [first, last], token) in expected {
        let Some(xml) = corpus(file) else { return };
        let page = parse_list_records(&xml).unwrap();
        assert_eq!(page.records.len(), 3, "{file}");
        assert_eq!(page.records[0].header.identifier, first, "{file}");
        assert_eq!(page.records[2].header.identifier, last, "{file}");
        assert_eq!(
            page.token.as_ref().map(|t| t.value.as_str()),
            token,
            "{file}"
        );
    }
}

#[test]
fn list_records_token_attributes() {
    let Some(xml) = corpus("vufindharvest__oai_doaj.xml") else {
        return;
    };
    let page = parse_list_records(&xml).unwrap();
    assert_eq!(page.records.len(), 100);
    assert_eq!(
        page.records[0].header.identifier,
        "oai:doaj.org/article:84d148928d694848ab183fa142fc18f8"
    );
    let token = page.token.unwrap();
    assert_eq!(token.complete_list_size, Some(2_460_909));
    assert_eq!(token.cursor, Some(0));
    assert_eq!(
        token.expiration_date.as_deref(),
        Some("2017-04-07T19:23:56Z")
    );
}

#[test]
fn list_records_marc_page() {
    let Some(xml) = corpus("vufindharvest__marc.xml") else {
        return;
    };
    let page = parse_list_records(&xml).unwrap();
    assert_eq!(page.records.len(), 100);
    assert_eq!(
        page.records[0].header.identifier,
        "oai:urm_publish:9925821506101791"
    );
    assert_eq!(
        page.records[99].header.identifier,
        "oai:urm_publish:9914757494101791"
    );
    assert_eq!(page.token.unwrap().value, "fakeresumptiontoken");
}

#[test]
fn list_records_deleted_with_metadata_sent() {
    let Some(xml) = corpus("scythe__list_records-9.xml") else {
        return;
    };
    let page = parse_list_records(&xml).unwrap();
    assert_eq!(
        identifiers(&page),
        [
            "oai:zenodo.org:8433364",
            "oai:zenodo.org:8333281",
            "oai:zenodo.org:8321258"
        ]
    );
    let deleted = &page.records[0];
    assert!(deleted.header.deleted);
    assert_eq!(deleted.header.datestamp, "2023-10-12T03:01:25Z");
    assert_eq!(deleted.header.sets, vec!["software"]);
    assert_eq!(deleted.metadata, None);
    assert!(page.records[1].metadata.is_some());
    assert_eq!(page.token.unwrap().cursor, Some(50));
}

#[test]
fn list_records_sickle_deleted_header() {
    let Some(xml) = corpus("sickle__ListRecords.xml") else {
        return;
    };
    let page = parse_list_records(&xml).unwrap();
    assert_eq!(page.records.len(), 2);
    assert!(page.records[0].header.deleted);
    assert_eq!(page.records[0].metadata, None);
    let metadata = page.records[1].metadata.as_deref().unwrap();
    assert!(metadata.starts_with("<oai_dc:dc xmlns=\"http://www.openarchives.org/OAI/2.0/\""));
    assert!(metadata.contains("<dc:title>Sample Title</dc:title>"));
    let token = page.token.unwrap();
    assert_eq!(token.value, "ListRecords2.xml");
    assert_eq!(token.complete_list_size, Some(8));
}

#[test]
fn list_records_empty_token_completes() {
    let Some(xml) = corpus("scrapi__ncar-0.xml") else {
        return;
    };
    let page = parse_list_records(&xml).unwrap();
    assert_eq!(
        identifiers(&page),
        ["oai:ESG-NCAR:701c2719-481e-11e5-861f-00c0f03d5b7c"]
    );
    assert_eq!(page.token, None);
}

#[test]
fn list_records_root_without_namespace() {
    let Some(xml) = corpus("spotlight__mymods.xml") else {
        return;
    };
    let page = parse_list_records(&xml).unwrap();
    assert_eq!(page.response_date, "2017-04-26T09:15:22Z");
    assert_eq!(identifiers(&page), ["div00407c00021"]);
    assert_eq!(page.records[0].header.datestamp, "20170214");
    let metadata = page.records[0].metadata.as_deref().unwrap();
    assert!(
        metadata.starts_with("<mods:mods xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"")
    );
    assert_eq!(
        page.token.unwrap().value,
        "10:0001-01-01:9999-12-31:CNA:mods"
    );
}

#[test]
fn list_records_redeclared_default_namespace() {
    let Some(xml) = corpus("ingestion3__oai-page.xml") else {
        return;
    };
    let page = parse_list_records(&xml).unwrap();
    assert_eq!(page.records.len(), 10);
    assert_eq!(page.records[0].header.identifier, "arn00007c00001");
    assert_eq!(page.records[9].header.identifier, "arn00007c00011");
    let token = page.token.unwrap();
    assert_eq!(token.complete_list_size, Some(4147));
    assert_eq!(token.cursor, None);
}

#[test]
fn list_identifiers_pages() {
    let Some(xml) = corpus("oaipmh-rs__list_identifiers.xml") else {
        return;
    };
    let page = parse_list_records(&xml).unwrap();
    assert_eq!(
        identifiers(&page),
        ["oai:archivesspace:/repositories/2/resources/2"]
    );
    assert_eq!(page.records[0].header.datestamp, "2025-11-11T14:28:08Z");
    assert_eq!(page.records[0].metadata, None);
    assert!(page.token.unwrap().value.ends_with("MTc2NDE5NDI5NjA2Mn0="));

    let Some(xml) = corpus("sickle__ListIdentifiers.xml") else {
        return;
    };
    let page = parse_list_records(&xml).unwrap();
    assert_eq!(
        identifiers(&page),
        [
            "oai:test.example.com::1585310",
            "oai:test.example.com::1585576"
        ]
    );
    assert!(!page.records[0].header.deleted);
    assert!(page.records[1].header.deleted);
    assert_eq!(page.token.unwrap().value, "ListIdentifiers2.xml");

    let Some(xml) = corpus("tethys__list-identifiers-1.xml") else {
        return;
    };
    let page = parse_list_records(&xml).unwrap();
    assert_eq!(
        identifiers(&page),
        ["oai:tethys.at:1", "oai:tethys.at:2", "oai:tethys.at:3"]
    );
    assert_eq!(page.token.unwrap().value, "177435831000000");
}

#[test]
fn get_record_ead() {
    let Some(xml) = corpus("oaipmh-rs__get_record.xml") else {
        return;
    };
    let record = parse_get_record(&xml).unwrap();
    assert_eq!(
        record.header.identifier,
        "oai:archivesspace:/repositories/2/resources/2"
    );
    let metadata = record.metadata.unwrap();
    assert!(metadata.starts_with("<ead "), "{}", &metadata[..80]);
    assert!(metadata.contains("xmlns=\"urn:isbn:1-931666-22-9\""));
    assert!(metadata.ends_with("</ead>"));
}

#[test]
fn get_record_sickle_and_header_only() {
    let Some(xml) = corpus("sickle__GetRecord.xml") else {
        return;
    };
    let record = parse_get_record(&xml).unwrap();
    assert_eq!(record.header.identifier, "oai:test.example.com:1996652");
    assert_eq!(record.header.datestamp, "2011-09-05T12:51:52Z");
    assert!(record.metadata.is_some());

    let Some(xml) = corpus("tethys__get-record-malformed.xml") else {
        return;
    };
    let record = parse_get_record(&xml).unwrap();
    assert_eq!(record.header.identifier, "oai:tethys.at:1");
    assert_eq!(record.header.sets.len(), 5);
    assert_eq!(record.header.sets[4], "doc-type:ResearchData");
    assert_eq!(record.metadata, None);
}

#[test]
fn get_record_keeps_utf8_text() {
    let Some(xml) = corpus("sickle__GetRecord_utf8test.xml") else {
        return;
    };
    let record = parse_get_record(&xml).unwrap();
    let metadata = record.metadata.unwrap();
    assert!(
        metadata
            .chars()
            .any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
    );
}

#[test]
fn list_metadata_formats_archivesspace() {
    let Some(xml) = corpus("oaipmh-rs__list_metadata_formats.xml") else {
        return;
    };
    let formats = parse_list_metadata_formats(&xml).unwrap();
    let prefixes: Vec<&str> = formats.iter().map(|f| f.prefix.as_str()).collect();
    assert_eq!(
        prefixes,
        ["oai_dc", "oai_ead", "oai_dcterms", "oai_marc", "oai_mods"]
    );
    assert_eq!(
        formats[0].schema,
        "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
    );
    assert_eq!(
        formats[0].namespace,
        "http://www.openarchives.org/OAI/2.0/oai_dc/"
    );
    assert_eq!(formats[4].namespace, "http://www.loc.gov/mods/v3");
}

#[test]
fn list_metadata_formats_zenodo() {
    let Some(xml) = corpus("scythe__list_metadata_formats-0.xml") else {
        return;
    };
    let formats = parse_list_metadata_formats(&xml).unwrap();
    assert_eq!(formats.len(), 8);
    assert!(formats.iter().any(|f| f.prefix == "oai_datacite"));
}

fn protocol_codes(result: Result<impl std::fmt::Debug, Error>) -> Vec<(ErrorCode, String)> {
    match result {
        Err(Error::Protocol(errors)) => errors.into_iter().map(|e| (e.code, e.message)).collect(),
        other => panic!("expected a protocol error, got {other:?}"),
    }
}

#[test]
fn error_responses() {
    let Some(xml) = corpus("oaipmh-rs__err_bad_prefix.xml") else {
        return;
    };
    let errors = protocol_codes(parse_list_records(&xml));
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].0, ErrorCode::CannotDisseminateFormat);
    assert!(errors[0].1.starts_with("The metadata format identified"));

    let Some(xml) = corpus("oaipmh-rs__err_not_found.xml") else {
        return;
    };
    let errors = protocol_codes(parse_get_record(&xml));
    assert_eq!(errors[0].0, ErrorCode::IdDoesNotExist);

    let Some(xml) = corpus("scythe__list_records-2.xml") else {
        return;
    };
    assert_eq!(
        protocol_codes(parse_list_records(&xml)),
        [(ErrorCode::NoRecordsMatch, String::new())]
    );

    let Some(xml) = corpus("scythe__list_records-10.xml") else {
        return;
    };
    let errors = protocol_codes(parse_list_records(&xml));
    assert_eq!(errors[0].0, ErrorCode::BadResumptionToken);

    let Some(xml) = corpus("vufindharvest__arbitrary_error_response.xml") else {
        return;
    };
    assert_eq!(
        protocol_codes(parse_list_records(&xml)),
        [(ErrorCode::Other("foo".into()), "bar".to_owned())]
    );

    let Some(xml) = corpus("sickle__noSetHierarchy.xml") else {
        return;
    };
    assert_eq!(
        protocol_codes(parse_list_records(&xml))[0].0,
        ErrorCode::NoSetHierarchy
    );
}

#[test]
fn broken_body_is_not_oai() {
    let Some(xml) = corpus("sickle__ListRecordsBroken.xml") else {
        return;
    };
    assert_eq!(
        parse_list_records(&xml),
        Err(Error::NotOai {
            start: "broken xml".to_owned()
        })
    );
}

#[test]
fn base_url_list_is_not_oai() {
    let Some(xml) = corpus("metha__ListFriends_HISTORICAL_2025-10-08.xml") else {
        return;
    };
    let Err(Error::NotOai { start }) = parse_list_records(&xml) else {
        panic!("expected NotOai");
    };
    assert!(start.contains("BaseURLs"), "{start}");
}
