//! sheaf-index
#![warn(missing_docs)]
