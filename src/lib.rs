//! fastlint: finds Apple-ID logins in fastlane configuration and gives every lane a verdict on moving
//! to an App Store Connect API key.
//!
//! Data flows one way: [`discover`] → [`load`] (read, [`parse`], [`extract`]) → [`model`] →
//! [`analysis`] (lane graph and key flow) → [`rules`] → [`gate`] (configuration, suppressions; then the
//! [`baseline`]) → [`verdict`] → [`render`].

pub mod analysis;
pub mod baseline;
pub mod ci_env;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod docs;
pub mod environments;
pub mod extract;
pub mod fingerprint;
pub mod fix;
pub mod gate;
pub mod gitignore;
pub mod knowledge;
pub mod load;
pub mod memo;
pub mod model;
pub mod output;
pub mod parse;
pub mod pipeline;
pub mod plain_file;
pub mod query;
pub mod render;
pub mod report;
pub mod rules;
pub mod secrets;
pub mod source;
pub mod suppress;
pub mod verdict;
pub mod version;
