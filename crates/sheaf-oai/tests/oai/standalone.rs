//! The metadata of a record re-parses alone, and every name in it resolves to the same
//! namespace as in the whole response.

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use sheaf_oai::{OAI_NAMESPACE, parse_list_records};

use crate::{corpus, shared_file};

/// An element or attribute name as namespace URI (empty when unbound) and local name.
type Expanded = (String, String);

fn namespace_of(result: ResolveResult<'_>, qname: &str) -> String {
    match result {
        ResolveResult::Bound(Namespace(uri)) => uri.to_owned(),
        ResolveResult::Unbound => String::new(),
        ResolveResult::Unknown(prefix) => panic!("prefix `{prefix}` of {qname} is not declared"),
    }
}

/// Returns the expanded names of an element and its prefixed attributes.
fn expanded_names(reader: &NsReader<&[u8]>, start: &BytesStart<'_>) -> Vec<Expanded> {
    let resolver = reader.resolver();
    let (namespace, local) = resolver.resolve_element(start.name());
    let name = start.name().into_inner().to_owned();
    let mut names = vec![(
        namespace_of(namespace, &name),
        local.into_inner().to_owned(),
    )];
    for attribute in start.attributes() {
        let key = attribute.unwrap().key;
        if key.as_namespace_binding().is_some() || key.prefix().is_none() {
            continue;
        }
        let (namespace, local) = resolver.resolve_attribute(key);
        let qname = key.into_inner().to_owned();
        names.push((
            namespace_of(namespace, &qname),
            local.into_inner().to_owned(),
        ));
    }
    names
}

fn reader(xml: &str) -> NsReader<&[u8]> {
    let mut reader = NsReader::from_str(xml);
    reader.config_mut().allow_dangling_amp = true;
    reader
}

/// Parses `xml` as a standalone document and returns the expanded names of its elements and
/// prefixed attributes in document order. Panics when it is not well-formed, has other than one
/// root element, or uses an undeclared prefix.
fn standalone_names(xml: &str) -> Vec<Expanded> {
    let mut reader = reader(xml);
    let mut names = Vec::new();
    let mut depth = 0usize;
    let mut roots = 0;
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("{e} in {xml}"));
        let (start, empty) = match event {
            Event::Start(start) => (start, false),
            Event::Empty(start) => (start, true),
            Event::End(_) => {
                depth -= 1;
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        if depth == 0 {
            roots += 1;
        }
        names.extend(expanded_names(&reader, &start));
        if !empty {
            depth += 1;
        }
    }
    assert_eq!(depth, 0, "unclosed elements in {xml}");
    assert_eq!(roots, 1, "{xml}");
    names
}

/// Returns, for each non-deleted record of a whole response, the expanded names inside its
/// `<metadata>` element, which contains one child element.
fn names_in_response(xml: &str) -> Vec<Vec<Expanded>> {
    let mut reader = reader(xml);
    let mut all = Vec::new();
    let mut current: Option<Vec<Expanded>> = None;
    let mut depth_in_metadata = 0usize;
    let mut deleted = false;
    loop {
        let event = reader.read_event().unwrap();
        let (start, empty) = match event {
            Event::Start(start) => (start, false),
            Event::Empty(start) => (start, true),
            Event::End(_) if current.is_some() => {
                if depth_in_metadata == 0 {
                    all.extend(current.take());
                } else {
                    depth_in_metadata -= 1;
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        if let Some(names) = current.as_mut() {
            names.extend(expanded_names(&reader, &start));
            if !empty {
                depth_in_metadata += 1;
            }
            continue;
        }
        let (namespace, local) = reader.resolver().resolve_element(start.name());
        // A root without namespace makes unbound names OAI-PMH names, as in the parser.
        let oai = matches!(
            namespace,
            ResolveResult::Bound(Namespace(OAI_NAMESPACE)) | ResolveResult::Unbound
        );
        match (oai, local.into_inner()) {
            (true, "record") => deleted = false,
            (true, "header") => {
                let status = start.try_get_attribute("status").unwrap();
                deleted = status.is_some_and(|s| s.value == "deleted");
            }
            (true, "metadata") if !deleted && !empty => current = Some(Vec::new()),
            _ => {}
        }
    }
    all
}

/// Returns the text of each element with this namespace and local name in `xml`.
pub fn element_texts(xml: &str, namespace: &str, local: &str) -> Vec<String> {
    let mut reader = reader(xml);
    let mut texts = Vec::new();
    let mut inside: Option<String> = None;
    loop {
        match reader.read_event().unwrap() {
            Event::Start(start) => {
                let (ns, name) = reader.resolver().resolve_element(start.name());
                let in_namespace = ns == ResolveResult::Bound(Namespace(namespace));
                if in_namespace && name.into_inner() == local {
                    inside = Some(String::new());
                }
            }
            Event::Text(text) => {
                if let Some(buffer) = inside.as_mut() {
                    buffer.push_str(&text.xml10_content());
                }
            }
            Event::GeneralRef(reference) => {
                if let Some(buffer) = inside.as_mut() {
                    let resolved = reference.resolve_char_ref().unwrap();
                    buffer.push(resolved.unwrap());
                }
            }
            Event::End(_) => texts.extend(inside.take()),
            Event::Eof => break,
            _ => {}
        }
    }
    texts
}

/// Checks that each record's metadata parses alone with the same expanded names as in `xml`.
fn assert_metadata_standalone(name: &str, xml: &str) -> usize {
    let page = parse_list_records(xml)
        .or_else(|_| {
            sheaf_oai::parse_get_record(xml).map(|record| sheaf_oai::ListPage {
                response_date: String::new(),
                records: vec![record],
                token: None,
                skipped: Vec::new(),
            })
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let extracted: Vec<Vec<Expanded>> = page
        .records
        .iter()
        .filter_map(|record| record.metadata.as_deref())
        .map(standalone_names)
        .collect();
    let in_place = names_in_response(xml);
    assert_eq!(extracted.len(), in_place.len(), "{name}: metadata count");
    for (index, (alone, original)) in extracted.iter().zip(&in_place).enumerate() {
        assert_eq!(alone, original, "{name}: record {index}");
    }
    extracted.len()
}

#[test]
fn corpus_metadata_reparses_standalone() {
    let Some(dir) = shared_file("corpus/oai") else {
        return;
    };
    let mut records = 0;
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if !name.ends_with(".xml") {
            continue;
        }
        let Some(xml) = corpus(&name) else { return };
        let has_metadata = ["<metadata>", "<metadata ", ":metadata>"]
            .iter()
            .any(|tag| xml.contains(tag));
        if !has_metadata {
            continue;
        }
        records += assert_metadata_standalone(&name, &xml);
        files += 1;
    }
    assert!(files >= 20, "only {files} files with metadata");
    assert!(records >= 500, "only {records} records with metadata");
}

/// A small deterministic generator (64-bit linear congruential) so that the generated
/// documents are the same on every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound
    }
}

const PREFIXES: [&str; 3] = ["a", "b", "dc"];
const URIS: [&str; 4] = [
    "urn:one",
    "urn:two",
    "urn:three",
    "http://purl.org/dc/elements/1.1/",
];

/// Returns random namespace declarations: rebinding prefixes, changing or removing the
/// default namespace.
fn declarations(rng: &mut Lcg) -> String {
    let mut out = String::new();
    for prefix in PREFIXES {
        if rng.below(3) == 0 {
            let uri = URIS[rng.below(URIS.len() as u64) as usize];
            out.push_str(&format!(" xmlns:{prefix}=\"{uri}\""));
        }
    }
    match rng.below(5) {
        0 => out.push_str(" xmlns=\"\""),
        1 => out.push_str(&format!(" xmlns=\"{}\"", URIS[rng.below(4) as usize])),
        _ => {}
    }
    out
}

/// Returns a random element tree whose elements and attributes use the prefixes of
/// [`PREFIXES`] or the default namespace, with random declarations on any element.
fn tree(rng: &mut Lcg, depth: u32) -> String {
    let prefix = match rng.below(4) {
        3 => String::new(),
        i => format!("{}:", PREFIXES[i as usize]),
    };
    let name = format!("{prefix}e{}", rng.below(100));
    let own = declarations(rng);
    let attribute = match rng.below(3) {
        0 => format!(" {}:at=\"v &amp; w\"", PREFIXES[rng.below(3) as usize]),
        _ => String::new(),
    };
    if depth == 0 || rng.below(4) == 0 {
        return format!("<{name}{own}{attribute}/>");
    }
    let mut children = String::new();
    for _ in 0..rng.below(3) + 1 {
        children.push_str(&tree(rng, depth - 1));
        children.push_str("text &#233; ");
    }
    format!("<{name}{own}{attribute}>{children}</{name}>")
}

#[test]
fn generated_metadata_reparses_standalone() {
    let mut rng = Lcg(0x5EAF);
    for round in 0..300 {
        // Every prefix is bound on the root so that any use below resolves; deeper levels
        // rebind them at random.
        let root_bindings: String = PREFIXES
            .iter()
            .map(|p| format!(" xmlns:{p}=\"{}\"", URIS[rng.below(4) as usize]))
            .collect();
        let record_bindings = declarations(&mut rng);
        let metadata_bindings = declarations(&mut rng);
        let body = tree(&mut rng, 4);
        let xml = format!(
            "<o:OAI-PMH xmlns:o=\"{OAI_NAMESPACE}\"{root_bindings}><o:ListRecords>\
             <o:record{record_bindings}><o:header><o:identifier>r{round}</o:identifier>\
             </o:header><o:metadata{metadata_bindings}>{body}</o:metadata></o:record>\
             </o:ListRecords></o:OAI-PMH>"
        );
        assert_eq!(assert_metadata_standalone(&xml, &xml), 1, "{xml}");
    }
}
