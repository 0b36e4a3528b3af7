//! Resource types: mapping source type values to the DCMI Type vocabulary.

/// Prefixes of type vocabularies whose last segment is the type name, matched case-insensitively.
const TYPE_PREFIXES: [&str; 7] = [
    "info:eu-repo/semantics/",
    "http://purl.org/dc/dcmitype/",
    "https://purl.org/dc/dcmitype/",
    "dcmitype:",
    "dctype:",
    "doc-type:",
    "publication-",
];

/// Maps a resource type value to a DCMI Type vocabulary term.
///
/// The comparison ignores case, spaces, `-` and `_`, and a vocabulary prefix such as
/// `info:eu-repo/semantics/` (OpenAIRE), `http://purl.org/dc/dcmitype/` or `doc-type:`. Besides
/// the DCMI terms themselves it maps common repository values: articles, preprints, theses,
/// reports and books are `Text`; datasets are `Dataset`; conference objects, lectures and events
/// are `Event`; photos are `Image`; code is `Software`; video is `MovingImage`; audio is `Sound`;
/// and the DataCite `resourceTypeGeneral` values. Unknown values such as `other` give `None`.
///
/// ```
/// use sheaf_record::dcmi_type;
///
/// assert_eq!(dcmi_type("info:eu-repo/semantics/doctoralThesis"), Some("Text"));
/// assert_eq!(dcmi_type("Conference Object"), Some("Event"));
/// assert_eq!(dcmi_type("other"), None);
/// ```
pub fn dcmi_type(value: &str) -> Option<&'static str> {
    let value = value.trim();
    let lower = value.to_lowercase();
    let name = TYPE_PREFIXES
        .iter()
        .find_map(|prefix| lower.strip_prefix(prefix))
        .unwrap_or(&lower);
    let key: String = name.chars().filter(|c| c.is_alphanumeric()).collect();
    let term = match key.as_str() {
        "text"
        | "article"
        | "journalarticle"
        | "preprint"
        | "thesis"
        | "doctoralthesis"
        | "masterthesis"
        | "mastersthesis"
        | "bachelorthesis"
        | "dissertation"
        | "report"
        | "technicalreport"
        | "book"
        | "bookpart"
        | "bookchapter"
        | "chapter"
        | "review"
        | "workingpaper"
        | "annotation"
        | "contributiontoperiodical"
        | "patent"
        | "conferencepaper"
        | "conferenceproceeding"
        | "conferenceproceedings"
        | "datapaper"
        | "peerreview"
        | "standard"
        | "outputmanagementplan"
        | "manuscript"
        | "letter"
        | "newspaperarticle"
        | "magazinearticle"
        | "periodical"
        | "journal"
        | "document" => "Text",
        "dataset" | "data" | "researchdata" | "datasets" => "Dataset",
        "event" | "conferenceobject" | "conference" | "lecture" | "workshop" | "seminar"
        | "webinar" | "meeting" => "Event",
        "image" | "photo" | "photograph" | "picture" | "figure" | "drawing" | "map" => "Image",
        "stillimage" => "StillImage",
        "software"
        | "code"
        | "computerprogram"
        | "sourcecode"
        | "computationalnotebook"
        | "workflow" => "Software",
        "video" | "film" | "movie" | "movingimage" | "audiovisual" => "MovingImage",
        "audio" | "sound" | "soundrecording" | "podcast" => "Sound",
        "collection" => "Collection",
        "interactiveresource" => "InteractiveResource",
        "physicalobject" => "PhysicalObject",
        "service" => "Service",
        _ => return None,
    };
    Some(term)
}

/// Tells whether a feed category names an event, in the languages Sheaf's users write.
///
/// Feeds rarely carry a resource type, but centres put news and events in one feed and tag the
/// events; the comparison ignores case.
pub(crate) fn is_event_category(category: &str) -> bool {
    let key = category.trim().to_lowercase();
    matches!(
        key.as_str(),
        "event"
            | "events"
            | "evento"
            | "eventos"
            | "eventi"
            | "événement"
            | "événements"
            | "evenement"
            | "evenements"
            | "évènement"
            | "évènements"
            | "veranstaltung"
            | "veranstaltungen"
            | "мероприятие"
            | "мероприятия"
            | "событие"
            | "события"
            | "活动"
            | "活動"
            | "会议"
            | "فعالية"
            | "فعاليات"
            | "حدث"
            | "conference"
            | "conferences"
            | "seminar"
            | "seminars"
            | "workshop"
            | "workshops"
            | "webinar"
            | "webinars"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dcmi_terms_map_to_themselves() {
        for term in [
            "Text",
            "Dataset",
            "Event",
            "Image",
            "Software",
            "Sound",
            "MovingImage",
        ] {
            assert_eq!(dcmi_type(term), Some(term), "{term}");
        }
        assert_eq!(
            dcmi_type("http://purl.org/dc/dcmitype/StillImage"),
            Some("StillImage")
        );
    }

    #[test]
    fn repository_values_map() {
        assert_eq!(dcmi_type("info:eu-repo/semantics/article"), Some("Text"));
        assert_eq!(dcmi_type("doc-type:article"), Some("Text"));
        assert_eq!(dcmi_type("Journal Article"), Some("Text"));
        assert_eq!(
            dcmi_type("info:eu-repo/semantics/conferenceObject"),
            Some("Event")
        );
        assert_eq!(dcmi_type("research_data"), Some("Dataset"));
        assert_eq!(dcmi_type("Photo"), Some("Image"));
        assert_eq!(dcmi_type("VIDEO"), Some("MovingImage"));
        assert_eq!(dcmi_type("audio"), Some("Sound"));
        assert_eq!(dcmi_type("Audiovisual"), Some("MovingImage"));
    }

    #[test]
    fn unknown_types_are_none() {
        assert_eq!(dcmi_type("info:eu-repo/semantics/other"), None);
        assert_eq!(dcmi_type(""), None);
        assert_eq!(dcmi_type("text/html"), None);
    }

    #[test]
    fn event_categories() {
        assert!(is_event_category("Événements"));
        assert!(is_event_category(" Events "));
        assert!(is_event_category("Мероприятия"));
        assert!(!is_event_category("News"));
    }
}
