use super::*;

/// Wraps `body` in an `OAI-PMH` root with the default OAI namespace.
fn oai(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\">\
         <responseDate>2026-01-10T10:00:00Z</responseDate>\
         <request verb=\"ListRecords\">https://repo.example.net/oai</request>{body}</OAI-PMH>"
    )
}

fn record(id: &str, title: &str) -> String {
    format!(
        "<record><header><identifier>{id}</identifier><datestamp>2025-12-02</datestamp>\
         <setSpec>a</setSpec><setSpec> b:c </setSpec></header><metadata>\
         <oai_dc:dc xmlns:oai_dc=\"http://www.openarchives.org/OAI/2.0/oai_dc/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{title}</dc:title></oai_dc:dc>\
         </metadata></record>"
    )
}

#[test]
fn list_page_fields() {
    let xml = oai(&format!(
        "<ListRecords>{}{}<resumptionToken completeListSize=\" 10 \" cursor=\"0\" \
         expirationDate=\"2026-01-11T10:00:00Z\">t-1</resumptionToken></ListRecords>",
        record("oai:x:1", "One"),
        record("oai:x:2", "Two")
    ));
    let page = parse_list_records(&xml).unwrap();
    assert_eq!(page.response_date, "2026-01-10T10:00:00Z");
    assert_eq!(page.records.len(), 2);
    let first = &page.records[0];
    assert_eq!(first.header.identifier, "oai:x:1");
    assert_eq!(first.header.datestamp, "2025-12-02");
    assert_eq!(first.header.sets, vec!["a", "b:c"]);
    assert!(!first.header.deleted);
    let token = page.token.unwrap();
    assert_eq!(token.value, "t-1");
    assert_eq!(token.complete_list_size, Some(10));
    assert_eq!(token.cursor, Some(0));
    assert_eq!(
        token.expiration_date.as_deref(),
        Some("2026-01-11T10:00:00Z")
    );
    assert!(page.skipped.is_empty());
}

#[test]
fn metadata_is_the_child_element() {
    let xml = oai(&format!(
        "<ListRecords>{}</ListRecords>",
        record("oai:x:1", "T")
    ));
    let page = parse_list_records(&xml).unwrap();
    assert_eq!(
        page.records[0].metadata.as_deref(),
        Some(
            "<oai_dc:dc xmlns=\"http://www.openarchives.org/OAI/2.0/\" \
             xmlns:oai_dc=\"http://www.openarchives.org/OAI/2.0/oai_dc/\" \
             xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>T</dc:title></oai_dc:dc>"
        )
    );
}

#[test]
fn metadata_inherits_ancestor_bindings() {
    let xml = "<o:OAI-PMH xmlns:o=\"http://www.openarchives.org/OAI/2.0/\" \
               xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><o:ListRecords>\
               <o:record xmlns:x=\"urn:x\"><o:header><o:identifier>i</o:identifier></o:header>\
               <o:metadata><x:r a='1'><dc:title x:lang=\"en\">T &amp; &eacute; &#233;</dc:title>\
               <empty/></x:r></o:metadata></o:record></o:ListRecords></o:OAI-PMH>";
    let page = parse_list_records(xml).unwrap();
    assert_eq!(
        page.records[0].metadata.as_deref(),
        Some(
            "<x:r xmlns:o=\"http://www.openarchives.org/OAI/2.0/\" \
             xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:x=\"urn:x\" a='1'>\
             <dc:title x:lang=\"en\">T &amp; &eacute; &#233;</dc:title><empty/></x:r>"
        )
    );
}

#[test]
fn metadata_own_bindings_not_repeated() {
    let xml = oai(
        "<GetRecord><record><header><identifier>i</identifier></header><metadata>\
                   <mods xmlns=\"http://www.loc.gov/mods/v3\" xmlns:xlink=\"urn:xlink\"/>\
                   </metadata></record></GetRecord>",
    );
    let record = parse_get_record(&xml).unwrap();
    assert_eq!(
        record.metadata.as_deref(),
        Some("<mods xmlns=\"http://www.loc.gov/mods/v3\" xmlns:xlink=\"urn:xlink\"/>")
    );
}

#[test]
fn metadata_quotes_in_namespace_escaped() {
    let xml = "<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\" xmlns:q='urn:\"q\"'>\
               <GetRecord><record><header><identifier>i</identifier></header>\
               <metadata><q:a/></metadata></record></GetRecord></OAI-PMH>";
    let record = parse_get_record(xml).unwrap();
    assert_eq!(
        record.metadata.as_deref(),
        Some("<q:a xmlns=\"http://www.openarchives.org/OAI/2.0/\" xmlns:q=\"urn:&quot;q&quot;\"/>")
    );
}

#[test]
fn metadata_without_element_is_none() {
    let xml = oai(
        "<GetRecord><record><header><identifier>i</identifier></header>\
                   <metadata> text only </metadata></record></GetRecord>",
    );
    assert_eq!(parse_get_record(&xml).unwrap().metadata, None);
}

#[test]
fn deleted_record_never_has_metadata() {
    let xml = oai(&format!(
        "<ListRecords><record><header status=\"deleted\"><identifier>oai:x:9</identifier>\
         <datestamp>2026-01-09</datestamp></header><metadata><a/></metadata></record>{}\
         </ListRecords>",
        record("oai:x:1", "T")
    ));
    let page = parse_list_records(&xml).unwrap();
    assert_eq!(page.records.len(), 2);
    assert!(page.records[0].header.deleted);
    assert_eq!(page.records[0].metadata, None);
    assert!(page.records[1].metadata.is_some());
    assert_eq!(page.token, None);
}

#[test]
fn token_whitespace_trimmed() {
    let xml = oai("<ListRecords><resumptionToken>\n   abc-123\n  </resumptionToken></ListRecords>");
    let page = parse_list_records(&xml).unwrap();
    assert_eq!(page.token.unwrap().value, "abc-123");
}

#[test]
fn token_empty_or_blank_ends_list() {
    for token in [
        "<resumptionToken/>",
        "<resumptionToken completeListSize=\"3\" cursor=\"2\"></resumptionToken>",
        "<resumptionToken cursor=\"0\"> \n\t </resumptionToken>",
    ] {
        let xml = oai(&format!(
            "<ListRecords>{}{token}</ListRecords>",
            record("i", "T")
        ));
        let page = parse_list_records(&xml).unwrap();
        assert_eq!(page.token, None, "{token}");
        assert_eq!(page.records.len(), 1);
    }
}

#[test]
fn token_in_cdata_and_with_entities() {
    let xml = oai(
        "<ListRecords><resumptionToken><![CDATA[a&b]]>&amp;c</resumptionToken>\
                   </ListRecords>",
    );
    assert_eq!(
        parse_list_records(&xml).unwrap().token.unwrap().value,
        "a&b&c"
    );
}

#[test]
fn record_without_identifier_skipped() {
    let xml = oai(&format!(
        "<ListRecords><record><header><identifier> </identifier></header></record>\
         <record><metadata><a/></metadata></record>{}</ListRecords>",
        record("oai:x:1", "T")
    ));
    let page = parse_list_records(&xml).unwrap();
    assert_eq!(page.records.len(), 1);
    assert_eq!(page.skipped.len(), 2);
    assert_eq!(page.skipped[0].reason, SkipReason::MissingIdentifier);
    let position = usize::try_from(page.skipped[1].position).unwrap();
    assert!(xml[position..].starts_with("<record><metadata>"));
}

#[test]
fn list_identifiers_headers() {
    let xml = oai(
        "<ListIdentifiers><header status=\"deleted\"><identifier>a</identifier>\
                   </header><header><identifier>b</identifier><datestamp>2025-01-01\
                   </datestamp></header></ListIdentifiers>",
    );
    let page = parse_list_identifiers(&xml).unwrap();
    let ids: Vec<&str> = page
        .records
        .iter()
        .map(|r| r.header.identifier.as_str())
        .collect();
    assert_eq!(ids, ["a", "b"]);
    assert!(page.records[0].header.deleted);
    assert_eq!(page.records[1].header.datestamp, "2025-01-01");
    assert!(page.records.iter().all(|r| r.metadata.is_none()));
}

#[test]
fn prefixed_and_unbound_roots() {
    let prefixed = "<oai:OAI-PMH xmlns:oai=\"http://www.openarchives.org/OAI/2.0/\">\
                    <oai:ListRecords><oai:header><oai:identifier>p</oai:identifier></oai:header>\
                    </oai:ListRecords></oai:OAI-PMH>";
    assert_eq!(
        parse_list_records(prefixed).unwrap().records[0]
            .header
            .identifier,
        "p"
    );
    let unbound = "<OAI-PMH><ListRecords><header><identifier>u</identifier></header>\
                   </ListRecords></OAI-PMH>";
    assert_eq!(
        parse_list_records(unbound).unwrap().records[0]
            .header
            .identifier,
        "u"
    );
}

#[test]
fn elements_in_other_namespaces_ignored() {
    let xml = oai(
        "<ListRecords><x:record xmlns:x=\"urn:other\"><header><identifier>no\
                   </identifier></header></x:record><header xmlns=\"urn:other\">\
                   <identifier>no</identifier></header></ListRecords>",
    );
    let page = parse_list_records(&xml).unwrap();
    assert!(page.records.is_empty());
}

#[test]
fn wrong_root_is_not_oai() {
    let html = "<!DOCTYPE html>\n<html><head><title>Login</title></head><body><br></body></html>";
    match parse_list_records(html) {
        Err(Error::NotOai { start }) => assert_eq!(start, html),
        other => panic!("expected NotOai, got {other:?}"),
    }
    let other_namespace = "<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/1.1/\"/>";
    assert!(matches!(
        parse_identify(other_namespace),
        Err(Error::NotOai { .. })
    ));
}

#[test]
fn empty_and_garbage_are_not_oai() {
    assert_eq!(
        parse_list_records(""),
        Err(Error::NotOai {
            start: String::new()
        })
    );
    assert!(matches!(
        parse_list_records("broken xml"),
        Err(Error::NotOai { .. })
    ));
    assert!(matches!(
        parse_list_records("<<<>>>"),
        Err(Error::NotOai { .. })
    ));
}

#[test]
fn not_oai_start_is_bounded() {
    let long = format!("<html>{}</html>", "é".repeat(500));
    let Err(Error::NotOai { start }) = parse_identify(&long) else {
        panic!("expected NotOai");
    };
    assert_eq!(start.chars().count(), 200);
}

#[test]
fn truncated_document_is_xml_error() {
    let xml = oai(&format!("<ListRecords>{}", record("oai:x:1", "T")));
    let cut = &xml[..xml.len() - "</OAI-PMH>".len()];
    match parse_list_records(cut) {
        Err(Error::Xml { position, message }) => {
            assert_eq!(position, cut.len() as u64);
            assert!(message.contains("</ListRecords>"), "{message}");
        }
        other => panic!("expected Xml, got {other:?}"),
    }
    let mid_tag = &xml[..xml.find("<dc:title>").unwrap() + 5];
    assert!(matches!(
        parse_list_records(mid_tag),
        Err(Error::Xml { .. })
    ));
}

#[test]
fn mismatched_end_tag_is_xml_error() {
    let xml = oai(
        "<ListRecords><record><header><identifier>i</identifier></header>\
                   <metadata><a><b></a></metadata></record></ListRecords>",
    );
    let Err(Error::Xml { message, .. }) = parse_list_records(&xml) else {
        panic!("expected Xml error");
    };
    assert!(message.contains("<a>"), "{message}");
}

#[test]
fn error_response_is_protocol_error() {
    let xml = oai(
        "<error code=\"badArgument\"> from has an illegal granularity </error>\
                   <error code=\"badVerb\"/>",
    );
    let Err(Error::Protocol(errors)) = parse_list_records(&xml) else {
        panic!("expected Protocol");
    };
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0].code, ErrorCode::BadArgument);
    assert_eq!(errors[0].message, "from has an illegal granularity");
    assert_eq!(errors[1].code, ErrorCode::BadVerb);
    assert_eq!(errors[1].message, "");
}

#[test]
fn missing_verb_element() {
    let xml = oai("");
    assert_eq!(
        parse_list_records(&xml),
        Err(Error::MissingElement {
            element: "ListRecords",
            parent: "OAI-PMH"
        })
    );
    assert_eq!(
        parse_get_record(&oai("<GetRecord/>")),
        Err(Error::MissingElement {
            element: "record",
            parent: "GetRecord"
        })
    );
    assert_eq!(
        parse_get_record(&oai("<GetRecord><record><header/></record></GetRecord>")),
        Err(Error::MissingElement {
            element: "identifier",
            parent: "header"
        })
    );
}

#[test]
fn identify_defaults_and_values() {
    let xml = oai("<Identify><repositoryName>R &amp; D</repositoryName>\
                   <baseURL>https://r/oai</baseURL><protocolVersion>2.0</protocolVersion>\
                   <adminEmail>a@r</adminEmail><adminEmail>b@r</adminEmail>\
                   <earliestDatestamp/><deletedRecord>no</deletedRecord>\
                   <granularity>YYYY-MM-DDThh:mm:ssZ</granularity>\
                   <description><x xmlns=\"urn:x\"><granularity>YYYY-MM-DD</granularity></x>\
                   </description></Identify>");
    let identify = parse_identify(&xml).unwrap();
    assert_eq!(identify.repository_name, "R & D");
    assert_eq!(identify.base_url, "https://r/oai");
    assert_eq!(identify.admin_emails, vec!["a@r", "b@r"]);
    assert_eq!(identify.earliest_datestamp, None);
    assert_eq!(identify.deleted_record, "no");
    assert_eq!(identify.granularity, Granularity::Second);

    let bare = parse_identify(&oai("<Identify><granularity>YYYY</granularity></Identify>"));
    assert_eq!(bare.unwrap().granularity, Granularity::Day);
}

#[test]
fn identifier_entities_resolved() {
    let xml = oai(
        "<ListIdentifiers><header><identifier> oai:x:a&amp;b&#x2F;c </identifier>\
                   </header></ListIdentifiers>",
    );
    let page = parse_list_records(&xml).unwrap();
    assert_eq!(page.records[0].header.identifier, "oai:x:a&b/c");
}

#[test]
fn bare_ampersand_tolerated() {
    let xml = oai(
        "<ListRecords><record><header><identifier>i</identifier></header>\
                   <metadata><t>Smith & Sons</t></metadata></record></ListRecords>",
    );
    let page = parse_list_records(&xml).unwrap();
    assert_eq!(
        page.records[0].metadata.as_deref().unwrap_or_default(),
        "<t xmlns=\"http://www.openarchives.org/OAI/2.0/\">Smith & Sons</t>"
    );
}
