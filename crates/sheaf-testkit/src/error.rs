//! The crate's error type.

use std::path::PathBuf;

/// Errors from starting a test server, loading a response body or parsing the command line of
/// `sheaf-test-oai`.
#[derive(Debug, thiserror::Error)]
pub enum TestkitError {
    /// The listener could not be bound.
    #[error(
        "cannot listen on 127.0.0.1:{port}: {source}; pick a free port, or 0 for an ephemeral one"
    )]
    Bind {
        /// The requested port (0 means any free port).
        port: u16,
        /// The error from the operating system.
        source: std::io::Error,
    },

    /// A response body file could not be read.
    #[error("cannot read response body file `{}`: {source}; check the path", path.display())]
    ReadFile {
        /// The file that was requested.
        path: PathBuf,
        /// The error from the operating system.
        source: std::io::Error,
    },

    /// A command-line option had a value that could not be used.
    #[error("invalid value `{value}` for `{option}`: expected {expected}")]
    InvalidOption {
        /// The option, such as `--records`.
        option: String,
        /// The value that was given.
        value: String,
        /// The accepted form of the value, such as `a whole number`.
        expected: &'static str,
    },

    /// A command-line option is not known.
    #[error("unknown option `{option}`")]
    UnknownOption {
        /// The argument as given.
        option: String,
    },

    /// A command-line option that takes a value is last, without one.
    #[error("option `{option}` is missing its value")]
    MissingValue {
        /// The option as given.
        option: String,
    },

    /// A datestamp given to the synthetic repository is not in OAI-PMH form.
    #[error("invalid datestamp `{value}`: expected YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")]
    InvalidDatestamp {
        /// The text that was given.
        value: String,
    },
}
