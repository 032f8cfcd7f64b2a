//! Generated Fastfiles with edits chosen by the input (see `files_from_mutations`).
#![no_main]

use std::sync::LazyLock;

use fastlint_fuzz::{check, files_from_mutations, Scratch};
use libfuzzer_sys::fuzz_target;

static SCRATCH: LazyLock<Scratch> = LazyLock::new(Scratch::new);

fuzz_target!(|data: &[u8]| {
    check(&SCRATCH, &files_from_mutations(data));
});
