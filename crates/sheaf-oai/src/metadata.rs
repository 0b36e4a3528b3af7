//! Cutting the metadata of a record out of the response as a standalone XML document.

use crate::doc::{Doc, Element};
use crate::error::Error;

/// Reads a `<metadata>` element and returns its first child element as a standalone document,
/// or `None` when it has no child element.
///
/// The child keeps its source text byte for byte, entity and character references included.
/// Every namespace binding in scope that the child does not declare itself is added to its
/// start tag, so that a later parser resolves every prefix the same way.
pub(crate) fn read_metadata<'i>(
    doc: &mut Doc<'i>,
    metadata: &Element<'i>,
) -> Result<Option<String>, Error> {
    let mut standalone = None;
    while let Some(child) = doc.next_child(metadata)? {
        if standalone.is_some() {
            // NOTE: the protocol allows one child; extra children are dropped without notice.
            doc.skip(&child)?;
            continue;
        }
        let declarations = inherited_declarations(doc, &child);
        let raw = doc.raw(&child)?;
        standalone = Some(with_declarations(raw, &child, &declarations));
    }
    Ok(standalone)
}

/// Returns ` xmlns:p="uri"` attributes for each binding in scope that `element` does not
/// declare itself.
fn inherited_declarations(doc: &Doc<'_>, element: &Element<'_>) -> String {
    let mut own: Vec<&str> = Vec::new();
    for attribute in element.start.attributes().with_checks(false).flatten() {
        if let Some(declaration) = attribute.key.as_namespace_binding() {
            own.push(match declaration {
                quick_xml::name::PrefixDeclaration::Default => "",
                quick_xml::name::PrefixDeclaration::Named(prefix) => prefix,
            });
        }
    }
    let mut declarations = String::new();
    for (prefix, uri) in doc.bindings_in_scope() {
        if own.contains(&prefix) {
            continue;
        }
        declarations.push_str(" xmlns");
        if !prefix.is_empty() {
            declarations.push(':');
            declarations.push_str(prefix);
        }
        declarations.push_str("=\"");
        // The URI is the attribute value as written; only a quote of the other kind needs
        // escaping when it moves into double quotes.
        declarations.push_str(&uri.replace('"', "&quot;"));
        declarations.push('"');
    }
    declarations
}

/// Inserts `declarations` after the element name in the start tag that opens `raw`.
fn with_declarations(raw: &str, element: &Element<'_>, declarations: &str) -> String {
    let name_end = 1 + element.start.name().into_inner().len();
    let Some((head, tail)) = raw.split_at_checked(name_end) else {
        return raw.to_owned();
    };
    let mut text = String::with_capacity(raw.len() + declarations.len());
    text.push_str(head);
    text.push_str(declarations);
    text.push_str(tail);
    text
}
