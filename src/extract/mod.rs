//! Extraction: file text → typed model. Ruby files go through tree-sitter; `.env` files are lines.

pub mod dotenv;
pub mod nesting;
pub mod ruby;
