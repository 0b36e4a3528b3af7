//! sheaf-record
#![warn(missing_docs)]

mod record;

pub use record::{
    Agent, IdScheme, Identifier, LangText, PartialDate, Record, ResourceType, SourceInfo,
};
