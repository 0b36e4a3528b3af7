//! sheaf-store
#![warn(missing_docs)]
