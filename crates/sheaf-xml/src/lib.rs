//! sheaf-xml
#![warn(missing_docs)]
