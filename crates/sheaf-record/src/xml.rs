//! Reading a metadata document into a flat list of elements that the format mappings walk.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, XmlVersion};

/// Namespaces that the mappings match elements by, identified by their URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ns {
    /// `http://www.openarchives.org/OAI/2.0/oai_dc/`, the oai_dc container.
    OaiDc,
    /// `http://purl.org/dc/elements/1.1/`, the fifteen Dublin Core elements.
    Dc,
    /// `http://purl.org/dc/terms/`, DCMI Metadata Terms.
    DcTerms,
    /// `http://datacite.org/schema/kernel-N`, any version of the DataCite kernel.
    DataCite,
    /// `http://schema.datacite.org/oai/oai-1.N/`, the oai_datacite wrapper.
    OaiDataCite,
    /// Any other namespace.
    Other,
    /// No namespace, or a prefix that was never declared.
    None,
}

impl Ns {
    fn from_uri(uri: &str) -> Ns {
        let uri = uri.trim_end_matches('/');
        match uri {
            "http://www.openarchives.org/OAI/2.0/oai_dc" => Ns::OaiDc,
            "http://purl.org/dc/elements/1.1" => Ns::Dc,
            "http://purl.org/dc/terms" => Ns::DcTerms,
            _ if uri.starts_with("http://datacite.org/schema/kernel-") => Ns::DataCite,
            _ if uri.starts_with("http://schema.datacite.org/oai/oai-1.") => Ns::OaiDataCite,
            _ => Ns::Other,
        }
    }
}

/// One element of the metadata document.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// Namespace of the element name.
    pub ns: Ns,
    /// Local name, without prefix.
    pub local: String,
    /// Attributes by local name (`xml:lang` is in `lang`, namespace declarations are left out).
    pub attrs: Vec<(String, String)>,
    /// `xml:lang` of the element or of its nearest ancestor that has one.
    pub lang: Option<String>,
    /// Index of the parent element in the node list.
    pub parent: Option<usize>,
    /// Text of the element and its descendants; child elements are separated by a space.
    pub text: String,
}

impl Node {
    /// Returns the value of the attribute with this local name.
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(name, _)| name == local)
            .map(|(_, value)| value.as_str())
    }
}

/// Parses a metadata document into its elements in document order.
///
/// # Errors
///
/// Returns the parser's error and the byte offset where it happened when the document is not
/// well-formed.
pub(crate) fn parse_nodes(xml: &str) -> Result<Vec<Node>, (quick_xml::Error, u64)> {
    let mut reader = NsReader::from_str(xml);
    reader.config_mut().expand_empty_elements = true;
    let mut nodes: Vec<Node> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    loop {
        let event = match reader.read_resolved_event() {
            Ok((resolved, event)) => (namespace_of(&resolved), event),
            Err(error) => return Err((error, reader.error_position())),
        };
        match event {
            (ns, Event::Start(start)) => {
                let parent = open.last().copied();
                let inherited = parent.and_then(|p| nodes[p].lang.clone());
                nodes.push(start_node(ns, &start, parent, inherited));
                open.push(nodes.len() - 1);
            }
            (_, Event::End(_)) => close_node(&mut nodes, &mut open),
            (_, Event::Text(text)) => push_text(&mut nodes, &open, &text.xml10_content()),
            (_, Event::CData(data)) => {
                push_text(&mut nodes, &open, &data.into_inner());
            }
            (_, Event::GeneralRef(reference)) => {
                push_text(&mut nodes, &open, &resolve_reference(&reference));
            }
            (_, Event::Eof) => break,
            _ => {}
        }
    }
    Ok(nodes)
}

fn namespace_of(resolved: &ResolveResult<'_>) -> Ns {
    match resolved {
        ResolveResult::Bound(namespace) => Ns::from_uri(namespace.0),
        ResolveResult::Unbound | ResolveResult::Unknown(_) => Ns::None,
    }
}

fn start_node(ns: Ns, start: &BytesStart<'_>, parent: Option<usize>, lang: Option<String>) -> Node {
    let mut node = Node {
        ns,
        local: start.local_name().as_ref().to_owned(),
        attrs: Vec::new(),
        lang,
        parent,
        text: String::new(),
    };
    for attribute in start.attributes().with_checks(false).flatten() {
        let key = attribute.key.as_ref();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let value = attribute.normalized_value(XmlVersion::Implicit1_0);
        let value = value.map(|v| v.into_owned()).unwrap_or_default();
        if key == "xml:lang" {
            let value = value.trim();
            node.lang = (!value.is_empty()).then(|| value.to_owned());
            continue;
        }
        let local = key.rsplit(':').next().unwrap_or(key);
        node.attrs.push((local.to_owned(), value));
    }
    node
}

/// Closes the innermost element and appends its text to its parent's.
fn close_node(nodes: &mut [Node], open: &mut Vec<usize>) {
    let Some(closed) = open.pop() else { return };
    let Some(&parent) = open.last() else { return };
    if nodes[closed].text.trim().is_empty() {
        return;
    }
    let child_text = std::mem::take(&mut nodes[closed].text);
    let parent_text = &mut nodes[parent].text;
    if !parent_text.is_empty() && !parent_text.ends_with(char::is_whitespace) {
        parent_text.push(' ');
    }
    parent_text.push_str(&child_text);
    nodes[closed].text = child_text;
}

fn push_text(nodes: &mut [Node], open: &[usize], text: &str) {
    if let Some(&current) = open.last() {
        nodes[current].text.push_str(text);
    }
}

/// Resolves a character or entity reference; an unknown entity stays as written.
fn resolve_reference(reference: &BytesRef<'_>) -> String {
    if let Ok(Some(ch)) = reference.resolve_char_ref() {
        return ch.to_string();
    }
    let name: &str = reference;
    if let Some(value) = resolve_predefined_entity(name) {
        return value.to_owned();
    }
    let written = format!("&{name};");
    html_escape::decode_html_entities(&written).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_resolve_namespaces_not_prefixes() {
        let xml = r#"<d:dc xmlns:d="http://www.openarchives.org/OAI/2.0/oai_dc/"
            xmlns:e="http://purl.org/dc/elements/1.1/"><e:title xml:lang="de">Titel</e:title></d:dc>"#;
        let nodes = parse_nodes(xml).unwrap();
        assert_eq!(nodes.len(), 2);
        assert_eq!(nodes[0].ns, Ns::OaiDc);
        assert_eq!(nodes[1].ns, Ns::Dc);
        assert_eq!(nodes[1].local, "title");
        assert_eq!(nodes[1].text, "Titel");
        assert_eq!(nodes[1].lang.as_deref(), Some("de"));
    }

    #[test]
    fn nodes_undeclared_prefix_has_no_namespace() {
        let nodes = parse_nodes("<dc:title>x</dc:title>").unwrap();
        assert_eq!(nodes[0].ns, Ns::None);
        assert_eq!(nodes[0].local, "title");
    }

    #[test]
    fn nodes_text_includes_descendants_and_references() {
        let xml = "<a>Diary of <t>Emma &amp; Co</t>&#233;<e/>&nbsp;end</a>";
        let nodes = parse_nodes(xml).unwrap();
        assert_eq!(nodes[0].text, "Diary of Emma & Coé\u{a0}end");
        assert_eq!(nodes[1].text, "Emma & Co");
        assert_eq!(nodes[1].parent, Some(0));
    }

    #[test]
    fn nodes_keep_attributes_by_local_name() {
        let xml = r#"<r xmlns:x="urn:x"><i x:type="DOI" kind="a">v</i></r>"#;
        let nodes = parse_nodes(xml).unwrap();
        assert_eq!(nodes[1].attr("type"), Some("DOI"));
        assert_eq!(nodes[1].attr("kind"), Some("a"));
        assert_eq!(nodes[0].attrs.len(), 0);
    }

    #[test]
    fn nodes_report_malformed_xml() {
        let (_, position) = parse_nodes("<a><b></a>").unwrap_err();
        assert!(position > 0);
    }
}
