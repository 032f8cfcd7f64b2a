//! `--format json-lines`: one diagnostic per line, each the object `--format json` puts in `diagnostics`.

use crate::report::Report;

pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    for d in super::json::to_json(report, true).diagnostics {
        serde_json::to_writer(&mut *out, &d)?;
        writeln!(out)?;
    }
    Ok(())
}
