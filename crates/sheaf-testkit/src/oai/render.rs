//! Writing OAI-PMH XML: the envelope, record headers and generated `oai_dc` metadata.

use super::time::{self, Granularity};
use super::{State, record_identifier, record_word};

/// DCMI types cycled through by index, each with the set it belongs to.
pub(super) const TYPES: [(&str, &str); 3] = [
    ("Text", "text"),
    ("Dataset", "dataset"),
    ("Software", "software"),
];

/// Topics cycled through by index, used in titles, descriptions and subjects.
const TOPICS: [&str; 10] = [
    "Glacier dynamics",
    "Coastal erosion",
    "Soil microbiology",
    "Urban heat islands",
    "Seismic imaging",
    "River sediment transport",
    "Atmospheric aerosols",
    "Marine plankton",
    "Forest carbon stocks",
    "Groundwater recharge",
];

const FAMILY_NAMES: [&str; 7] = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "García",
    "Novak",
    "Haddad",
];
const GIVEN_NAMES: [&str; 5] = ["Amara", "Jonas", "Claire", "Kenji", "Lucía"];

/// Returns the generated title of record `index`.
pub(super) fn generated_title(index: u64) -> String {
    format!(
        "{} in synthetic record {index} {}",
        topic(index),
        record_word(index)
    )
}

fn topic(index: u64) -> &'static str {
    // The remainder is below the array length.
    TOPICS[(index % TOPICS.len() as u64) as usize]
}

/// Returns the set (and type) position of record `index` in [`TYPES`].
pub(super) fn type_position(index: u64) -> usize {
    (index % TYPES.len() as u64) as usize
}

/// Appends `text` with `&`, `<`, `>` and `"` escaped.
pub(super) fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
}

/// Appends `<name>text</name>` with the text escaped.
fn push_element(out: &mut String, name: &str, text: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    push_escaped(out, text);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Appends the XML declaration, the `OAI-PMH` root, `responseDate` and `request`.
///
/// `arguments` become attributes of `request`; the protocol leaves them out for `badVerb` and
/// `badArgument` errors.
pub(super) fn open_envelope(
    out: &mut String,
    response_date: i64,
    arguments: &[(String, String)],
    base_url: &str,
) {
    out.push_str(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\" ",
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ",
        "xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/ ",
        "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd\">\n",
    ));
    push_element(
        out,
        "responseDate",
        &time::format(response_date, Granularity::Second),
    );
    out.push_str("\n<request");
    for (name, value) in arguments {
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        push_escaped(out, value);
        out.push('"');
    }
    out.push('>');
    push_escaped(out, base_url);
    out.push_str("</request>\n");
}

/// Appends the closing root tag.
pub(super) fn close_envelope(out: &mut String) {
    out.push_str("</OAI-PMH>\n");
}

/// Appends an OAI-PMH `error` element.
pub(super) fn push_error(out: &mut String, code: &str, message: &str) {
    out.push_str("<error code=\"");
    out.push_str(code);
    out.push_str("\">");
    push_escaped(out, message);
    out.push_str("</error>\n");
}

/// Appends the `header` of record `index`.
pub(super) fn push_header(out: &mut String, state: &State, index: u64) {
    if state.deleted.contains(&index) {
        out.push_str("<header status=\"deleted\">");
    } else {
        out.push_str("<header>");
    }
    push_element(out, "identifier", &record_identifier(index));
    let datestamp = time::format(state.datestamp(index), state.options.granularity);
    push_element(out, "datestamp", &datestamp);
    push_element(out, "setSpec", TYPES[type_position(index)].1);
    out.push_str("</header>");
}

/// Appends a whole `record`: the header and, unless the record is deleted, its `oai_dc`
/// metadata.
pub(super) fn push_record(out: &mut String, state: &State, index: u64) {
    out.push_str("<record>");
    push_header(out, state, index);
    if !state.deleted.contains(&index) {
        push_metadata(out, state, index);
    }
    out.push_str("</record>\n");
}

fn push_metadata(out: &mut String, state: &State, index: u64) {
    let word = record_word(index);
    let topic = topic(index);
    let (dc_type, _) = TYPES[type_position(index)];
    // Small primes spread the combinations so neighbouring records differ in several fields.
    let family = FAMILY_NAMES[(index % 7) as usize];
    let given = GIVEN_NAMES[(index / 7 % 5) as usize];
    let second_family = FAMILY_NAMES[((index + 3) % 7) as usize];
    let year = 1990 + index % 36;
    let month = 1 + index % 12;
    let day = 1 + index % 28;

    out.push_str(concat!(
        "<metadata><oai_dc:dc xmlns:oai_dc=\"http://www.openarchives.org/OAI/2.0/oai_dc/\" ",
        "xmlns:dc=\"http://purl.org/dc/elements/1.1/\" ",
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ",
        "xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/oai_dc/ ",
        "http://www.openarchives.org/OAI/2.0/oai_dc.xsd\">",
    ));
    push_element(out, "dc:title", &state.title(index));
    push_element(out, "dc:creator", &format!("{family}, {given}"));
    push_element(
        out,
        "dc:creator",
        &format!("{second_family}, {}", GIVEN_NAMES[(index % 5) as usize]),
    );
    push_element(out, "dc:subject", topic);
    push_element(
        out,
        "dc:subject",
        TOPICS[((index + 1) % TOPICS.len() as u64) as usize],
    );

    let mut description = format!(
        "A synthetic {} record about {} made for harvesting tests. Its unique word is {word}.",
        dc_type.to_lowercase(),
        topic.to_lowercase(),
    );
    if state.options.control_character == Some(index) {
        // Written raw on purpose: XML 1.0 forbids U+0001, and clients must cope with it.
        description.push_str(" Control character here: \u{1}.");
    }
    push_element(out, "dc:description", &description);
    push_element(out, "dc:publisher", "Sheaf Test Centre");
    push_element(out, "dc:date", &format!("{year}-{month:02}-{day:02}"));
    push_element(out, "dc:type", dc_type);
    push_element(
        out,
        "dc:identifier",
        &format!("https://test.example.org/records/{index}"),
    );
    push_element(
        out,
        "dc:identifier",
        &format!("https://doi.org/10.5555/sheaf.{index}"),
    );
    push_element(out, "dc:language", "en");
    push_element(
        out,
        "dc:rights",
        "https://creativecommons.org/licenses/by/4.0/",
    );
    out.push_str("</oai_dc:dc></metadata>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup() {
        let mut out = String::new();
        push_escaped(&mut out, "a<b & \"c\">");
        assert_eq!(out, "a&lt;b &amp; &quot;c&quot;&gt;");
    }

    #[test]
    fn title_holds_word() {
        assert_eq!(
            generated_title(1),
            "Coastal erosion in synthetic record 1 zqbbbbc"
        );
    }
}
