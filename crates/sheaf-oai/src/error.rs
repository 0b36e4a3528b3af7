//! The errors of parsing an OAI-PMH response.

use std::fmt;

/// An OAI-PMH error code, as sent in `<error code="...">`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `badArgument`: an illegal or missing argument, or a `from` finer than the granularity.
    BadArgument,
    /// `badResumptionToken`: the token is invalid or expired.
    BadResumptionToken,
    /// `badVerb`: the verb is missing, repeated or unknown.
    BadVerb,
    /// `cannotDisseminateFormat`: the metadata prefix is not supported.
    CannotDisseminateFormat,
    /// `idDoesNotExist`: the identifier is unknown.
    IdDoesNotExist,
    /// `noRecordsMatch`: the request matched no records; for a harvest this means "nothing new".
    NoRecordsMatch,
    /// `noMetadataFormats`: the item has no metadata formats.
    NoMetadataFormats,
    /// `noSetHierarchy`: the repository does not support sets.
    NoSetHierarchy,
    /// A code outside the protocol, as sent.
    Other(String),
}

impl ErrorCode {
    /// Maps the value of a `code` attribute to an error code.
    pub fn from_code(code: &str) -> Self {
        match code {
            "badArgument" => Self::BadArgument,
            "badResumptionToken" => Self::BadResumptionToken,
            "badVerb" => Self::BadVerb,
            "cannotDisseminateFormat" => Self::CannotDisseminateFormat,
            "idDoesNotExist" => Self::IdDoesNotExist,
            "noRecordsMatch" => Self::NoRecordsMatch,
            "noMetadataFormats" => Self::NoMetadataFormats,
            "noSetHierarchy" => Self::NoSetHierarchy,
            other => Self::Other(other.to_owned()),
        }
    }

    /// Returns the code as the protocol spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::BadArgument => "badArgument",
            Self::BadResumptionToken => "badResumptionToken",
            Self::BadVerb => "badVerb",
            Self::CannotDisseminateFormat => "cannotDisseminateFormat",
            Self::IdDoesNotExist => "idDoesNotExist",
            Self::NoRecordsMatch => "noRecordsMatch",
            Self::NoMetadataFormats => "noMetadataFormats",
            Self::NoSetHierarchy => "noSetHierarchy",
            Self::Other(code) => code,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `<error>` element of an OAI-PMH response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError {
    /// The error code.
    pub code: ErrorCode,
    /// The human-readable message, white space trimmed; may be empty.
    pub message: String,
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            write!(f, "{}", self.code)
        } else {
            write!(f, "{} ({})", self.code, self.message)
        }
    }
}

fn join(errors: &[ProtocolError]) -> String {
    let parts: Vec<String> = errors.iter().map(ToString::to_string).collect();
    parts.join(", ")
}

/// An error from parsing an OAI-PMH response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The document is an OAI-PMH error response, such as `noRecordsMatch`.
    #[error("the repository returned OAI-PMH error {}", join(.0))]
    Protocol(Vec<ProtocolError>),
    /// The body is not an OAI-PMH document: an HTML page, an empty or truncated body, or XML
    /// with another root element.
    #[error(
        "the response is not an OAI-PMH 2.0 document, it starts with {start:?}; check the base \
         URL and that the server speaks OAI-PMH 2.0"
    )]
    NotOai {
        /// The first 200 characters of the body, at most.
        start: String,
    },
    /// The body starts as an OAI-PMH document but its XML is malformed, often because it was
    /// cut off.
    #[error(
        "malformed XML at byte {position} of the OAI-PMH response: {message}; the response may \
         be cut off, retry the request"
    )]
    Xml {
        /// Byte offset in the text given to the parser where the fault was found.
        position: u64,
        /// Description of the fault.
        message: String,
    },
    /// A well-formed OAI-PMH response lacks an element the verb requires.
    #[error(
        "the OAI-PMH response has no <{element}> inside <{parent}> and no <error>; check that \
         the request used the verb this response was parsed for"
    )]
    MissingElement {
        /// Local name of the missing element.
        element: &'static str,
        /// Local name of the element that should contain it.
        parent: &'static str,
    },
}

impl Error {
    /// Returns true when this is an OAI-PMH error response carrying `code`.
    pub fn has_code(&self, code: &ErrorCode) -> bool {
        match self {
            Self::Protocol(errors) => errors.iter().any(|error| &error.code == code),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for code in [
            "badArgument",
            "badResumptionToken",
            "badVerb",
            "cannotDisseminateFormat",
            "idDoesNotExist",
            "noRecordsMatch",
            "noMetadataFormats",
            "noSetHierarchy",
            "foo",
        ] {
            assert_eq!(ErrorCode::from_code(code).as_str(), code);
        }
        assert_eq!(ErrorCode::from_code("foo"), ErrorCode::Other("foo".into()));
    }

    #[test]
    fn protocol_message_names_codes() {
        let error = Error::Protocol(vec![
            ProtocolError {
                code: ErrorCode::BadArgument,
                message: "from has an illegal granularity".into(),
            },
            ProtocolError {
                code: ErrorCode::NoRecordsMatch,
                message: String::new(),
            },
        ]);
        assert_eq!(
            error.to_string(),
            "the repository returned OAI-PMH error badArgument (from has an illegal \
             granularity), noRecordsMatch"
        );
        assert!(error.has_code(&ErrorCode::NoRecordsMatch));
        assert!(!error.has_code(&ErrorCode::BadVerb));
    }
}
