//! The fuzz targets without libFuzzer (any toolchain):
//!
//! - `fuzz_plain seeds DIR`: writes generated seed inputs for both targets into
//!   `DIR/check_bytes/` and `DIR/fastfile_mutations/` (cargo fuzz's corpus layout).
//! - `fuzz_plain replay TARGET PATH...`: runs the files (or folders of files) through a target,
//!   e.g. a crash libFuzzer saved under `fuzz/artifacts/`.
//! - `fuzz_plain random TARGET SECONDS [SEED]`: random inputs for that long (raw bytes built
//!   from seed Fastfiles and tokens for `check_bytes`, random edit lists for
//!   `fastfile_mutations`); prints the input and stops at the first failure.
//!
//! - `fuzz_plain show TARGET INPUT DIR`: writes the files an input stands for into DIR, to look
//!   at a failure with `fastlint check DIR`.
//!
//! TARGET is `check_bytes` or `fastfile_mutations`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fastlint_fuzz::{check, files_from_bytes, files_from_mutations, Scratch, SEPARATOR};

type Files = Vec<(String, Vec<u8>)>;

fn target(name: &str) -> fn(&[u8]) -> Files {
    match name {
        "check_bytes" => files_from_bytes,
        "fastfile_mutations" => files_from_mutations,
        other => {
            eprintln!("unknown target {other:?} (check_bytes or fastfile_mutations)");
            std::process::exit(2);
        }
    }
}

/// SplitMix64, as in the benchmark generator.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A seed for `fastfile_mutations`: 8 seed bytes, a flag byte and `ops` edits.
fn mutation_input(rng: &mut Rng, ops: usize) -> Vec<u8> {
    let mut v = rng.next().to_le_bytes().to_vec();
    v.push(rng.below(256) as u8);
    for _ in 0..ops {
        v.extend_from_slice(&(rng.next() as u32).to_le_bytes());
    }
    v
}

/// A seed for `check_bytes`: the files a mutation seed makes, joined by the separator.
fn bytes_input(rng: &mut Rng, ops: usize) -> Vec<u8> {
    let files = files_from_mutations(&mutation_input(rng, ops));
    let slots = fastlint_fuzz::SLOTS;
    let mut parts: Vec<Vec<u8>> = vec![Vec::new(); slots.len()];
    for (rel, bytes) in files {
        if let Some(i) = slots.iter().position(|s| *s == rel) {
            parts[i] = bytes;
        }
    }
    while parts.last().is_some_and(Vec::is_empty) {
        parts.pop();
    }
    parts.join(SEPARATOR)
}

fn inputs_under(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        if let Ok(rd) = std::fs::read_dir(path) {
            let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
            entries.sort();
            for e in entries {
                inputs_under(&e, out);
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let scratch = Scratch::new();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["seeds", dir] => {
            let mut rng = Rng(0x5EED);
            for (name, make) in [
                ("check_bytes", bytes_input as fn(&mut Rng, usize) -> Vec<u8>),
                ("fastfile_mutations", mutation_input),
            ] {
                let d = Path::new(dir).join(name);
                std::fs::create_dir_all(&d).expect("seed folder");
                for i in 0..64 {
                    let input = make(&mut rng, i % 4);
                    std::fs::write(d.join(format!("seed-{i:02}")), input).expect("seed file");
                }
            }
            println!("wrote 64 seeds per target under {dir}");
        }
        ["show", name, input, dir] => {
            let data = std::fs::read(input).expect("input file");
            for (rel, bytes) in target(name)(&data) {
                let path = Path::new(dir).join(rel);
                std::fs::create_dir_all(path.parent().expect("a parent")).expect("folder");
                std::fs::write(&path, bytes).expect("file");
                println!("{}", path.display());
            }
        }
        ["replay", name, paths @ ..] => {
            let make = target(name);
            let mut files = Vec::new();
            for p in paths {
                inputs_under(Path::new(p), &mut files);
            }
            for f in &files {
                let data = std::fs::read(f).expect("input file");
                println!("{}", f.display());
                check(&scratch, &make(&data));
            }
            println!("{} inputs, no failure", files.len());
        }
        ["random", name, seconds, rest @ ..] => {
            let make = target(name);
            let seconds: u64 = seconds.parse().expect("seconds");
            let seed = rest.first().and_then(|s| s.parse().ok()).unwrap_or(1);
            let mut rng = Rng(seed);
            let deadline = Instant::now() + Duration::from_secs(seconds);
            let mut n = 0u64;
            while Instant::now() < deadline {
                let ops = rng.below(12);
                let mut input = if *name == "check_bytes" {
                    bytes_input(&mut rng, ops)
                } else {
                    mutation_input(&mut rng, ops)
                };
                if *name == "check_bytes" && rng.below(4) == 0 {
                    // Raw byte noise in a few places.
                    for _ in 0..rng.below(8) + 1 {
                        if !input.is_empty() {
                            let at = rng.below(input.len());
                            input[at] = rng.next() as u8;
                        }
                    }
                }
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    check(&scratch, &make(&input))
                }));
                n += 1;
                if result.is_err() {
                    let path = format!("fuzz_plain-failure-{seed}-{n}");
                    std::fs::write(&path, &input).expect("failure file");
                    eprintln!("failure after {n} inputs; input saved to {path}");
                    std::process::exit(1);
                }
            }
            println!("{n} inputs in {seconds} s, no failure");
        }
        _ => {
            eprintln!("usage: fuzz_plain seeds DIR | replay TARGET PATH... | random TARGET SECONDS [SEED]");
            std::process::exit(2);
        }
    }
}
