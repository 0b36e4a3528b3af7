//! OAI-PMH records: the stored raw form and the mapping of its metadata to a [`Record`].

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::builder::RecordBuilder;
use crate::date::parse_datestamp;
use crate::record::{Record, SourceInfo};
use crate::xml::{Node, Ns, parse_nodes};

/// The header of an OAI-PMH record, as the harvester read it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct OaiHeaderInfo {
    /// The OAI identifier (`oai:zenodo.org:123`), the local part of the record id.
    pub identifier: String,
    /// The datestamp as written by the repository (`YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ssZ`).
    pub datestamp: String,
    /// True when the header has `status="deleted"`.
    pub deleted: bool,
    /// The setSpecs of the record.
    pub sets: Vec<String>,
}

/// The stored raw form of an OAI-PMH record, kept as JSON text so it can be normalised again.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RawOai {
    /// The record header.
    pub header: OaiHeaderInfo,
    /// The child of `<metadata>` as a standalone XML element with all its namespaces declared;
    /// `None` for a deleted record.
    pub metadata: Option<String>,
}

/// Maps an OAI-PMH record to a [`Record`].
///
/// The namespace of the metadata's root element chooses the mapping, and `prefix` only appears in
/// error messages. DataCite kernels and the `oai_datacite` wrapper use the DataCite mapping.
/// Metadata with Dublin Core elements (`oai_dc` and the like) uses the Dublin Core mapping.
/// Anything else uses a generic mapping that takes elements by local name wherever they are. A deleted
/// header gives a tombstone with only the id, source fields, datestamp and sets.
///
/// # Errors
///
/// [`Error::MissingIdentifier`] when the header has no identifier, [`Error::MissingMetadata`]
/// when a record that is not deleted has no metadata, and [`Error::Xml`] when the metadata is
/// not well-formed.
///
/// ```
/// use sheaf_record::{OaiHeaderInfo, RawOai, SourceInfo, normalise_oai};
///
/// let raw = RawOai {
///     header: OaiHeaderInfo {
///         identifier: "oai:repo:1".into(),
///         datestamp: "2024-01-02".into(),
///         deleted: false,
///         sets: vec![],
///     },
///     metadata: Some(r#"<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
///         xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Hello</dc:title></oai_dc:dc>"#.into()),
/// };
/// let source = SourceInfo { id: "repo".into(), ..SourceInfo::default() };
/// let record = normalise_oai(&source, "oai_dc", &raw).unwrap();
/// assert_eq!(record.id, "repo:oai:repo:1");
/// assert_eq!(record.display_title(), Some("Hello"));
/// ```
pub fn normalise_oai(source: &SourceInfo, prefix: &str, raw: &RawOai) -> Result<Record, Error> {
    let header = &raw.header;
    let identifier = header.identifier.trim();
    if identifier.is_empty() {
        return Err(Error::MissingIdentifier {
            source_id: source.id.clone(),
        });
    }
    let mut builder = RecordBuilder::new(source, identifier, parse_datestamp(&header.datestamp));
    for set in &header.sets {
        builder.set(set);
    }
    if header.deleted {
        return Ok(builder.finish_deleted());
    }
    let metadata = raw
        .metadata
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    let Some(metadata) = metadata else {
        return Err(Error::MissingMetadata {
            identifier: identifier.to_owned(),
        });
    };
    let nodes = parse_nodes(metadata).map_err(|(source, position)| Error::Xml {
        identifier: identifier.to_owned(),
        prefix: prefix.to_owned(),
        position,
        source,
    })?;
    let root = nodes.first().map_or(Ns::None, |n| n.ns);
    let has_dc = nodes.iter().any(|n| matches!(n.ns, Ns::Dc | Ns::DcTerms));
    match root {
        Ns::DataCite | Ns::OaiDataCite => crate::datacite::map_datacite(&nodes, &mut builder),
        _ if has_dc => map_dublin_core(&nodes, &mut builder),
        _ => map_generic(&nodes, &mut builder),
    }
    Ok(builder.finish())
}

/// Maps Dublin Core elements and DCMI terms, matched by namespace and local name.
///
/// Besides the fifteen elements, `dcterms:abstract` is a description, `alternative` a further
/// title, `issued`, `created` and `available` date candidates, `license` and `accessRights`
/// rights, `spatial` and `temporal` coverage, and the relation refinements (`isPartOf`,
/// `references`, …) relations. `dc:source` is a relation too, since it names the resource this one
/// derives from. An OpenAIRE `altIdentifier` relation is an identifier of the record itself.
/// `format` is not kept. A relation given only as an `rdf:resource` attribute is
/// taken from the attribute.
fn map_dublin_core(nodes: &[Node], builder: &mut RecordBuilder) {
    for node in nodes {
        if !matches!(node.ns, Ns::Dc | Ns::DcTerms) {
            continue;
        }
        let text = node.text.as_str();
        let lang = node.lang.as_deref();
        match node.local.as_str() {
            "title" | "alternative" => builder.title(text, lang),
            "creator" => builder.creator(text),
            "contributor" => builder.contributor(text),
            "subject" => builder.subject(text),
            "description" | "abstract" => builder.description(text, lang),
            "publisher" => builder.publisher(text),
            "date" | "issued" | "created" | "available" => builder.date(text),
            "type" => builder.resource_type(text),
            "identifier" => builder.identifier(text),
            "language" => builder.language(text),
            "rights" | "license" | "accessRights" => builder.rights(text),
            "coverage" | "spatial" | "temporal" => builder.coverage(text),
            "source" | "relation" | "isPartOf" | "hasPart" | "isVersionOf" | "hasVersion"
            | "references" | "isReferencedBy" | "replaces" | "isReplacedBy" | "requires"
            | "isRequiredBy" | "isFormatOf" | "hasFormat" | "conformsTo" => {
                let value = if text.trim().is_empty() {
                    node.attr("resource").unwrap_or("")
                } else {
                    text
                };
                match alt_identifier(value) {
                    Some(identifier) => builder.identifier(&identifier),
                    None => builder.relation(value),
                }
            }
            _ => {}
        }
    }
}

/// Reads an OpenAIRE alternative identifier (`info:eu-repo/semantics/altIdentifier/doi/10.1/x`)
/// as an identifier labelled with its scheme, which identifier detection then reads.
///
/// These relations name the described resource itself, not a related one.
fn alt_identifier(relation: &str) -> Option<String> {
    let rest = relation
        .trim()
        .strip_prefix("info:eu-repo/semantics/altIdentifier/")?;
    let (kind, value) = rest.split_once('/')?;
    let labelled = match kind.to_ascii_lowercase().as_str() {
        "doi" => format!("doi:{value}"),
        "handle" | "hdl" => format!("hdl:{value}"),
        "isbn" => format!("isbn:{value}"),
        "issn" | "eissn" | "pissn" => format!("issn:{value}"),
        _ => value.to_owned(),
    };
    Some(labelled)
}

/// Maps any metadata format by element local name, whatever the namespace.
///
/// Takes `title`, `creator`, `contributor`, `subject`, `description`, `abstract`, `publisher`,
/// `date`, `type`, `identifier`, `language` and `rights` anywhere in the tree. An element
/// inside another taken element is not taken again, since its text is already part of the
/// outer one.
fn map_generic(nodes: &[Node], builder: &mut RecordBuilder) {
    let mut mapped = vec![false; nodes.len()];
    for (index, node) in nodes.iter().enumerate() {
        let inside_mapped = node.parent.is_some_and(|p| mapped[p]);
        if inside_mapped {
            mapped[index] = true;
            continue;
        }
        let text = node.text.as_str();
        let lang = node.lang.as_deref();
        mapped[index] = true;
        match node.local.as_str() {
            "title" => builder.title(text, lang),
            "creator" => builder.creator(text),
            "contributor" => builder.contributor(text),
            "subject" => builder.subject(text),
            "description" | "abstract" => builder.description(text, lang),
            "publisher" => builder.publisher(text),
            "date" => builder.date(text),
            "type" => builder.resource_type(text),
            "identifier" => builder.identifier(text),
            "language" => builder.language(text),
            "rights" => builder.rights(text),
            _ => mapped[index] = false,
        }
    }
}
