//! Extraction: file text → typed model. Ruby files go through tree-sitter; `.env` files are lines.

pub mod ci;
pub mod ci_commands;
pub mod ci_lanes;
pub mod commands;
pub mod dotenv;
pub mod jenkins;
pub mod keyjson;
pub mod nesting;
pub mod ruby;
pub mod shell;
pub mod syntax;
