//! `--statistics`: how many findings each code has, most first.

use serde::Serialize;

use crate::report::Report;
use crate::rules;

#[derive(Serialize)]
pub struct Count {
    pub code: &'static str,
    pub name: &'static str,
    pub count: usize,
    pub fixable: bool,
}

pub fn counts(report: &Report) -> Vec<Count> {
    let mut out: Vec<Count> = report
        .by_code()
        .into_iter()
        .filter_map(|(code, count)| {
            let info = rules::find(code)?.info;
            Some(Count {
                code,
                name: info.name,
                count,
                fixable: info.fixable,
            })
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    out
}

/// `   3  FL001  username-option  [fix]` lines.
pub fn write_text(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let counts = counts(report);
    let width = counts
        .iter()
        .map(|c| c.count.to_string().len())
        .max()
        .unwrap_or(1);
    let name_width = counts.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for c in &counts {
        let line = format!(
            "{:>width$}  {}  {:<name_width$}  {}",
            c.count,
            c.code,
            c.name,
            if c.fixable { "[fix]" } else { "" }
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

pub fn write_json(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &counts(report))?;
    writeln!(out)
}
