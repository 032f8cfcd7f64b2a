//! `--format json-lines`: one diagnostic per line, each the object `--format json` puts in `diagnostics`.

use crate::report::Report;

pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    for d in &report.diagnostics {
        serde_json::to_writer(&mut *out, &super::json::diagnostic(report, d))?;
        writeln!(out)?;
    }
    Ok(())
}
