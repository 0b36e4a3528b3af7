//! sheaf-harvest
#![warn(missing_docs)]
