//! sheaf-feed
#![warn(missing_docs)]
