//! Printers: one per format, over the same sorted report.

pub mod github;
pub mod gitlab;
pub mod json;
pub mod json_lines;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod statistics;
pub mod table;
pub mod text;

use std::io::IsTerminal;

/// Whether to colour output written to stdout.
pub fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}
