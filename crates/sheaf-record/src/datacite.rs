//! The DataCite metadata kernel (any version, bare or in the `oai_datacite` wrapper).

use crate::builder::RecordBuilder;
use crate::vocab::dcmi_type;
use crate::xml::{Node, Ns};

/// Maps the elements of a DataCite `resource` to the record.
///
/// Creators and contributors take their ORCID iD from a `nameIdentifier` whose scheme is ORCID.
/// The date is the `Issued` date when there is one, else `publicationYear`, else the first other
/// date. The resource type keeps the free-text value as the original and takes its DCMI term
/// from `resourceTypeGeneral`. Typed identifiers are labelled with their scheme so that
/// detection does not have to guess; related identifiers become relations.
pub(crate) fn map_datacite(nodes: &[Node], builder: &mut RecordBuilder) {
    let mut issued = None;
    let mut year = None;
    let mut other_date = None;
    for (index, node) in nodes.iter().enumerate() {
        if node.ns != Ns::DataCite {
            continue;
        }
        let text = node.text.as_str();
        let lang = node.lang.as_deref();
        match node.local.as_str() {
            "title" => builder.title(text, lang),
            "creator" => {
                let (name, orcid) = agent_parts(nodes, index, "creatorName");
                builder.creator(&join_agent(&name, orcid.as_deref()));
            }
            "contributor" => {
                let (name, orcid) = agent_parts(nodes, index, "contributorName");
                builder.contributor(&join_agent(&name, orcid.as_deref()));
            }
            "subject" => builder.subject(text),
            "description" => builder.description(text, lang),
            "publisher" => builder.publisher(text),
            "publicationYear" => year = year.or(Some(text)),
            "date"
                if node
                    .attr("dateType")
                    .is_some_and(|t| t.eq_ignore_ascii_case("issued")) =>
            {
                issued = issued.or(Some(text));
            }
            "date" => other_date = other_date.or(Some(text)),
            "resourceType" => {
                let general = node.attr("resourceTypeGeneral").unwrap_or("");
                let dcmi = dcmi_type(general).or_else(|| dcmi_type(text));
                let original = if text.trim().is_empty() {
                    general
                } else {
                    text
                };
                builder.resource_type_as(original, dcmi.map(str::to_owned));
            }
            "identifier" => builder.identifier(&labelled(node.attr("identifierType"), text)),
            "alternateIdentifier" => {
                builder.identifier(&labelled(node.attr("alternateIdentifierType"), text));
            }
            "relatedIdentifier" => builder.relation(text),
            "language" => builder.language(text),
            "rights" => {
                builder.rights(text);
                if let Some(uri) = node.attr("rightsURI") {
                    builder.rights(uri);
                }
            }
            "geoLocationPlace" => builder.coverage(text),
            _ => {}
        }
    }
    for date in [issued, year, other_date].into_iter().flatten() {
        builder.date(date);
    }
}

/// Returns the name and ORCID iD given inside a `creator` or `contributor` element.
fn agent_parts(nodes: &[Node], index: usize, name_element: &str) -> (String, Option<String>) {
    let children = nodes[index + 1..]
        .iter()
        .take_while(|n| n.parent.is_some_and(|p| p >= index))
        .filter(|n| n.parent == Some(index));
    let mut name = String::new();
    let mut orcid = None;
    for child in children {
        if child.local == name_element && name.is_empty() {
            name = child.text.clone();
        }
        let scheme = child.attr("nameIdentifierScheme").unwrap_or("");
        if child.local == "nameIdentifier" && scheme.eq_ignore_ascii_case("orcid") {
            orcid = orcid.or_else(|| Some(child.text.trim().to_owned()));
        }
    }
    (name, orcid)
}

/// Joins a name and an ORCID iD so that agent parsing validates the iD and separates it again.
fn join_agent(name: &str, orcid: Option<&str>) -> String {
    match orcid {
        Some(orcid) => format!("{name} {orcid}"),
        None => name.to_owned(),
    }
}

/// Prefixes an identifier with the label of its DataCite type, for the schemes detection reads.
fn labelled(kind: Option<&str>, value: &str) -> String {
    let value = value.trim();
    let label = match kind.map(str::to_ascii_lowercase).as_deref() {
        Some("doi") => "doi:",
        Some("handle") => "hdl:",
        Some("isbn") => "isbn:",
        Some("issn") | Some("eissn") => "issn:",
        _ => "",
    };
    let already = value
        .get(..label.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(label));
    if label.is_empty() || already || value.starts_with("http") {
        value.to_owned()
    } else {
        format!("{label}{value}")
    }
}
