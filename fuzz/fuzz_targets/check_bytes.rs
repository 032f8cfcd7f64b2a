//! Arbitrary bytes as a fastlane folder (split on `\n#FILE\n` into Fastfile, Appfile,
//! Matchfile, `.env`, Gemfile.lock, Deliverfile and an imported Fastfile).
#![no_main]

use std::sync::LazyLock;

use fastlint_fuzz::{check, files_from_bytes, Scratch};
use libfuzzer_sys::fuzz_target;

static SCRATCH: LazyLock<Scratch> = LazyLock::new(Scratch::new);

fuzz_target!(|data: &[u8]| {
    check(&SCRATCH, &files_from_bytes(data));
});
