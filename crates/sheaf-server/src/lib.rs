//! sheaf-server
#![warn(missing_docs)]
