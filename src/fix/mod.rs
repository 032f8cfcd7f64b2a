//! `check --fix` / `--diff`: rewrite migratable lanes to use an App Store Connect API key.

pub mod atomic;
pub mod diff;
pub mod edit;
pub mod rewrite;
