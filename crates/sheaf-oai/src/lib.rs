//! sheaf-oai
#![warn(missing_docs)]
