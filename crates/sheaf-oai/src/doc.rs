//! A thin layer over quick-xml's `NsReader` that walks an OAI-PMH document element by element,
//! matching OAI-PMH elements by namespace URI and local name.

use std::borrow::Cow;

use quick_xml::NsReader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, PrefixDeclaration, ResolveResult};

use crate::error::Error;

/// The OAI-PMH 2.0 namespace URI.
pub(crate) const OAI_NAMESPACE: &str = "http://www.openarchives.org/OAI/2.0/";

/// Characters of the body quoted in [`Error::NotOai`].
const NOT_OAI_QUOTE_CHARS: usize = 200;

/// An element whose start tag was read.
pub(crate) struct Element<'i> {
    pub(crate) start: BytesStart<'i>,
    /// True when the element is in the OAI-PMH namespace.
    pub(crate) oai: bool,
    /// True for `<x/>`: the element has no content and no end tag to read.
    pub(crate) empty: bool,
    /// Byte offset of the `<` of the start tag.
    pub(crate) position: u64,
}

impl Element<'_> {
    /// Returns the local name when the element is in the OAI-PMH namespace.
    pub(crate) fn oai_name(&self) -> Option<&str> {
        self.oai.then(|| self.start.local_name().into_inner())
    }

    /// Returns the value of an unprefixed attribute, entity references resolved.
    pub(crate) fn attribute(&self, name: &str) -> Result<Option<String>, Error> {
        let attribute = self
            .start
            .try_get_attribute(name)
            .map_err(|e| xml_error(self.position, e))?;
        let Some(attribute) = attribute else {
            return Ok(None);
        };
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| xml_error(self.position, e))?;
        Ok(Some(value.into_owned()))
    }
}

fn xml_error(position: u64, error: impl std::fmt::Display) -> Error {
    Error::Xml {
        position,
        message: error.to_string(),
    }
}

/// Returns at most the first [`NOT_OAI_QUOTE_CHARS`] characters of `input`.
fn quote_start(input: &str) -> String {
    match input.char_indices().nth(NOT_OAI_QUOTE_CHARS) {
        Some((end, _)) => input[..end].to_owned(),
        None => input.to_owned(),
    }
}

/// Trims the four XML white space characters.
pub(crate) fn trim_xml(text: &str) -> &str {
    text.trim_matches([' ', '\t', '\n', '\r'])
}

/// A document being read.
pub(crate) struct Doc<'i> {
    reader: NsReader<&'i [u8]>,
    input: &'i str,
    /// The root `OAI-PMH` element had no namespace, so unbound names are taken as OAI-PMH
    /// names. Some servers omit the namespace declaration altogether.
    unbound_is_oai: bool,
}

impl<'i> Doc<'i> {
    /// Starts reading `input`, returning the document and its root element, which is known to
    /// be `OAI-PMH`. Anything else before or as the root is [`Error::NotOai`].
    pub(crate) fn open(input: &'i str) -> Result<(Self, Element<'i>), Error> {
        let mut reader = NsReader::from_str(input);
        // A bare `&` in text is a common server fault; reading it as text costs nothing.
        reader.config_mut().allow_dangling_amp = true;
        let mut doc = Doc {
            reader,
            input,
            unbound_is_oai: false,
        };
        let not_oai = || Error::NotOai {
            start: quote_start(input),
        };
        loop {
            let position = doc.reader.buffer_position();
            let event = doc.reader.read_event().map_err(|_| not_oai())?;
            let (start, empty) = match event {
                Event::Start(start) => (start, false),
                Event::Empty(start) => (start, true),
                Event::Eof => return Err(not_oai()),
                _ => continue,
            };
            let (namespace, local) = doc.reader.resolver().resolve_element(start.name());
            if local.into_inner() != "OAI-PMH" {
                return Err(not_oai());
            }
            match namespace {
                ResolveResult::Bound(Namespace(OAI_NAMESPACE)) => {}
                ResolveResult::Unbound => doc.unbound_is_oai = true,
                _ => return Err(not_oai()),
            }
            let root = Element {
                start,
                oai: true,
                empty,
                position,
            };
            return Ok((doc, root));
        }
    }

    /// Returns the byte offset just after the last event read.
    pub(crate) fn position(&self) -> u64 {
        self.reader.buffer_position()
    }

    fn read(&mut self) -> Result<Event<'i>, Error> {
        self.reader.read_event().map_err(|e| Error::Xml {
            position: self.reader.error_position(),
            message: e.to_string(),
        })
    }

    fn truncated(&self, parent: &Element<'_>) -> Error {
        Error::Xml {
            position: self.position(),
            message: format!(
                "the document ends before the end tag </{}>",
                parent.start.name().into_inner()
            ),
        }
    }

    /// Reads up to the next child element of `parent`, or its end tag (`None`). Text, comments
    /// and processing instructions between children are skipped.
    ///
    /// The caller must read each returned child to its end (through `next_child` until `None`,
    /// [`Doc::text`], [`Doc::skip`] or [`Doc::raw`]) before asking for the next one.
    pub(crate) fn next_child(
        &mut self,
        parent: &Element<'_>,
    ) -> Result<Option<Element<'i>>, Error> {
        if parent.empty {
            return Ok(None);
        }
        loop {
            let position = self.position();
            let (start, empty) = match self.read()? {
                Event::Start(start) => (start, false),
                Event::Empty(start) => (start, true),
                Event::End(_) => return Ok(None),
                Event::Eof => return Err(self.truncated(parent)),
                _ => continue,
            };
            let oai = match self.reader.resolver().resolve_element(start.name()).0 {
                ResolveResult::Bound(Namespace(namespace)) => namespace == OAI_NAMESPACE,
                ResolveResult::Unbound => self.unbound_is_oai,
                ResolveResult::Unknown(_) => false,
            };
            return Ok(Some(Element {
                start,
                oai,
                empty,
                position,
            }));
        }
    }

    /// Reads the text content of `element` to its end tag, references resolved and the text of
    /// nested elements included. A reference to an entity the XML specification does not
    /// predefine is kept as written.
    pub(crate) fn text(&mut self, element: &Element<'_>) -> Result<Cow<'i, str>, Error> {
        let mut text: Cow<'i, str> = Cow::Borrowed("");
        if element.empty {
            return Ok(text);
        }
        let mut depth = 0usize;
        loop {
            let piece: Cow<'i, str> = match self.read()? {
                Event::Text(t) => t.xml10_content(),
                Event::CData(c) => c.into_inner(),
                Event::GeneralRef(r) => match r.resolve_char_ref() {
                    Ok(Some(c)) => Cow::Owned(c.to_string()),
                    _ => match resolve_predefined_entity(&r) {
                        Some(resolved) => Cow::Borrowed(resolved),
                        None => Cow::Owned(format!("&{};", &*r)),
                    },
                },
                Event::Start(_) => {
                    depth += 1;
                    continue;
                }
                Event::End(_) if depth == 0 => return Ok(text),
                Event::End(_) => {
                    depth -= 1;
                    continue;
                }
                Event::Eof => return Err(self.truncated(element)),
                _ => continue,
            };
            if text.is_empty() {
                text = piece;
            } else {
                text.to_mut().push_str(&piece);
            }
        }
    }

    /// Reads the text content of `element`, trimmed of XML white space, as an owned string.
    pub(crate) fn trimmed_text(&mut self, element: &Element<'_>) -> Result<String, Error> {
        let text = self.text(element)?;
        Ok(trim_xml(&text).to_owned())
    }

    /// Skips `element` and its subtree.
    pub(crate) fn skip(&mut self, element: &Element<'_>) -> Result<(), Error> {
        self.raw(element).map(|_| ())
    }

    /// Skips `element` and its subtree, returning its source text from `<` to the end tag.
    pub(crate) fn raw(&mut self, element: &Element<'_>) -> Result<&'i str, Error> {
        if !element.empty {
            let name = element.start.name();
            self.reader.read_to_end(name).map_err(|e| Error::Xml {
                position: self.reader.error_position().max(element.position),
                message: format!(
                    "{e} while reading <{}> that starts at byte {}",
                    name.into_inner(),
                    element.position
                ),
            })?;
        }
        let start = usize::try_from(element.position).unwrap_or(usize::MAX);
        let end = usize::try_from(self.position()).unwrap_or(usize::MAX);
        self.input.get(start..end).ok_or_else(|| Error::Xml {
            position: element.position,
            message: "element source out of range".to_owned(),
        })
    }

    /// Returns the namespace bindings in scope at the last element read, as `(prefix, URI)`
    /// pairs with `""` for the default namespace. The built-in `xml` and `xmlns` prefixes are
    /// left out.
    pub(crate) fn bindings_in_scope(&self) -> impl Iterator<Item = (&str, &str)> {
        self.reader
            .resolver()
            .bindings()
            .filter_map(|(prefix, namespace)| match prefix {
                PrefixDeclaration::Default => Some(("", namespace.0)),
                PrefixDeclaration::Named("xml" | "xmlns") => None,
                PrefixDeclaration::Named(name) => Some((name, namespace.0)),
            })
    }
}
