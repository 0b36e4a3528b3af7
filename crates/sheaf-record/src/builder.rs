//! Accumulating field values into a [`Record`]: cleaning, dropping empties and duplicates.

use chrono::{DateTime, Utc};

use crate::date::parse_partial_date;
use crate::ident::{classify_identifier, looks_like_file, parse_agent};
use crate::lang::{detect_language, normalise_language};
use crate::record::{
    IdScheme, Identifier, LangText, PartialDate, Record, ResourceType, SourceInfo,
};
use crate::text::{clean_text, normalise_space};
use crate::vocab::dcmi_type;

/// Maximum length, in characters, of each piece of a subject that is read as a keyword list.
const MAX_KEYWORD_CHARS: usize = 80;

/// Builds one record from the values a format mapping finds, in document order.
pub(crate) struct RecordBuilder {
    record: Record,
    /// Landing page candidates: identifiers written as web links that are not files, in order.
    links: Vec<String>,
}

impl RecordBuilder {
    /// Starts a record with its id, source fields, datestamp and sets.
    pub fn new(source: &SourceInfo, local_id: &str, datestamp: Option<DateTime<Utc>>) -> Self {
        let record = Record {
            id: format!("{}:{local_id}", source.id),
            source: source.id.clone(),
            centre: source.centre.clone(),
            country: source.country.clone(),
            datestamp,
            ..Record::default()
        };
        RecordBuilder {
            record,
            links: Vec::new(),
        }
    }

    pub fn set(&mut self, value: &str) {
        push_unique(&mut self.record.sets, normalise_space(value));
    }

    pub fn title(&mut self, value: &str, lang: Option<&str>) {
        push_lang_text(&mut self.record.title, value, lang);
    }

    pub fn description(&mut self, value: &str, lang: Option<&str>) {
        push_lang_text(&mut self.record.description, value, lang);
    }

    pub fn creator(&mut self, value: &str) {
        if let Some(agent) = parse_agent(value)
            && !self.record.creators.contains(&agent)
        {
            self.record.creators.push(agent);
        }
    }

    pub fn contributor(&mut self, value: &str) {
        if let Some(agent) = parse_agent(value)
            && !self.record.contributors.contains(&agent)
        {
            self.record.contributors.push(agent);
        }
    }

    /// Adds a subject, split into keywords when it is clearly a list.
    ///
    /// A value is a list when it contains `;`, or when it contains commas and none of them is
    /// followed by a space (`TIBIA,OSTEONECROSIS`). Every piece must also be at most
    /// [`MAX_KEYWORD_CHARS`] characters, so a sentence that happens to contain `;` stays whole.
    /// Each comma-separated piece must contain a letter, so `1,2-dichloroethane` stays whole.
    /// A comma followed by a space never splits, because `Surname, Given` and `Physics, Applied`
    /// are single subjects.
    pub fn subject(&mut self, value: &str) {
        let value = clean_text(value);
        let separator = if value.contains(';') {
            Some(';')
        } else if value.contains(',') && !value.contains(", ") {
            Some(',')
        } else {
            None
        };
        let pieces: Vec<&str> = match separator {
            Some(separator) => value
                .split(separator)
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect(),
            None => Vec::new(),
        };
        let is_keyword = |piece: &&str| {
            let has_letter = separator == Some(';') || piece.chars().any(char::is_alphabetic);
            has_letter && piece.chars().count() <= MAX_KEYWORD_CHARS
        };
        let is_list = pieces.len() > 1 && pieces.iter().all(is_keyword);
        if !is_list {
            push_unique(&mut self.record.subjects, value);
            return;
        }
        for piece in pieces {
            push_unique(&mut self.record.subjects, piece.to_owned());
        }
    }

    pub fn publisher(&mut self, value: &str) {
        push_unique(&mut self.record.publisher, clean_text(value));
    }

    pub fn rights(&mut self, value: &str) {
        push_unique(&mut self.record.rights, normalise_space(value));
    }

    pub fn relation(&mut self, value: &str) {
        push_unique(&mut self.record.relations, normalise_space(value));
    }

    pub fn coverage(&mut self, value: &str) {
        push_unique(&mut self.record.coverage, clean_text(value));
    }

    /// Offers a date; the first one that parses is kept.
    pub fn date(&mut self, value: &str) {
        if self.record.date.is_none() {
            self.record.date = parse_partial_date(value);
        }
    }

    /// Adds a resource type with its DCMI term.
    pub fn resource_type(&mut self, value: &str) {
        let dcmi = dcmi_type(value).map(str::to_owned);
        self.resource_type_as(value, dcmi);
    }

    /// Adds a resource type whose DCMI term the mapping has decided.
    pub fn resource_type_as(&mut self, value: &str, dcmi: Option<String>) {
        let original = normalise_space(value);
        if original.is_empty() || self.record.types.iter().any(|t| t.original == original) {
            return;
        }
        self.record.types.push(ResourceType { dcmi, original });
    }

    pub fn identifier(&mut self, value: &str) {
        let Some(identifier) = classify_identifier(value) else {
            return;
        };
        let written = value.trim();
        let is_link = written.starts_with("https://") || written.starts_with("http://");
        if is_link && !looks_like_file(written) {
            self.links
                .push(resolver_link(&identifier).unwrap_or_else(|| written.to_owned()));
        }
        if !self.record.identifiers.contains(&identifier) {
            self.record.identifiers.push(identifier);
        }
    }

    /// Adds an identifier whose scheme the source states.
    pub fn identifier_as(&mut self, scheme: IdScheme, value: &str) {
        let value = value.trim();
        let identifier = Identifier {
            scheme,
            value: value.to_owned(),
        };
        if !value.is_empty() && !self.record.identifiers.contains(&identifier) {
            self.record.identifiers.push(identifier);
        }
    }

    /// Sets the record's date when no date was set before.
    pub fn set_date(&mut self, date: PartialDate) {
        if self.record.date.is_none() {
            self.record.date = Some(date);
        }
    }

    /// Adds the languages of a value such as `eng`, `en; fr` or `English, French`.
    pub fn language(&mut self, value: &str) {
        for part in value.split([';', ',', '/']) {
            if let Some(code) = normalise_language(part) {
                push_unique(&mut self.record.languages, code);
            }
        }
    }

    /// Sets the landing page link, overriding the one chosen from the identifiers.
    pub fn url(&mut self, value: &str) {
        let value = value.trim();
        if self.record.url.is_none() && !value.is_empty() {
            self.record.url = Some(value.to_owned());
        }
    }

    /// Returns the tombstone of a deleted record: id, source fields, datestamp and sets only.
    pub fn finish_deleted(mut self) -> Record {
        self.record.deleted = true;
        self.record
    }

    /// Chooses the landing page, detects the language when none was given, and returns the record.
    pub fn finish(mut self) -> Record {
        if self.record.url.is_none() {
            self.record.url = self
                .links
                .first()
                .cloned()
                .or_else(|| landing_page(&self.record));
        }
        if self.record.languages.is_empty()
            && let Some(code) = detect_language(&detection_sample(&self.record))
        {
            self.record.languages.push(code);
        }
        self.record
    }
}

/// Picks a landing page among the identifiers when none was written as a web link.
///
/// [`RecordBuilder::finish`] first takes the first identifier written as a web link that does not
/// look like a file download (a DOI or handle link as its resolver URL). Failing that, the DOI
/// resolver comes first, then the handle resolver, then any web address, even a file.
fn landing_page(record: &Record) -> Option<String> {
    let ids = &record.identifiers;
    let resolvable = ids
        .iter()
        .find(|i| i.scheme == IdScheme::Doi)
        .or_else(|| ids.iter().find(|i| i.scheme == IdScheme::Handle));
    if let Some(link) = resolvable.and_then(resolver_link) {
        return Some(link);
    }
    ids.iter()
        .find(|i| i.scheme == IdScheme::Url)
        .map(|i| i.value.clone())
}

/// Returns the resolver URL of a DOI or handle.
fn resolver_link(identifier: &Identifier) -> Option<String> {
    match identifier.scheme {
        IdScheme::Doi => Some(format!("https://doi.org/{}", identifier.value)),
        IdScheme::Handle => Some(format!("https://hdl.handle.net/{}", identifier.value)),
        _ => None,
    }
}

/// Joins the titles and descriptions that language detection reads.
fn detection_sample(record: &Record) -> String {
    let texts = record.title.iter().chain(&record.description);
    let mut sample = String::new();
    for text in texts {
        sample.push_str(&text.text);
        sample.push_str(". ");
    }
    sample
}

fn push_unique(values: &mut Vec<String>, value: String) {
    if !value.is_empty() && !values.contains(&value) {
        values.push(value);
    }
}

fn push_lang_text(values: &mut Vec<LangText>, value: &str, lang: Option<&str>) {
    let text = clean_text(value);
    if text.is_empty() || values.iter().any(|v| v.text == text) {
        return;
    }
    let language = lang.and_then(normalise_language);
    values.push(LangText { text, language });
}
