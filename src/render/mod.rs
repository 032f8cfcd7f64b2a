//! Printers: one per format, over the same sorted report.

pub mod github;
pub mod gitlab;
pub mod json;
pub mod json_lines;
pub mod junit;
pub mod markdown;
pub mod sarif;
mod snippet;
pub mod statistics;
pub mod table;
pub mod text;
