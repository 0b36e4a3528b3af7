//! Integration tests of the normalisers: real repository records and property tests.
// The helpers that cut records out of the corpus pages stop the test on a malformed page.
#![allow(clippy::unwrap_used)]

mod corpus;
mod edge;
mod properties;
