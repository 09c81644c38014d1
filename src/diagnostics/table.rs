//! Aligned text tables for the examples' reports.

use std::fmt;

/// A table of text cells printed with aligned columns: text left-aligned, numbers right-aligned.
///
/// ```
/// use chunkwise::diagnostics::Table;
/// let mut t = Table::new(["variant", "seconds"]);
/// t.row(["chunked", "0.05"]);
/// t.row(["eager", "1.2"]);
/// assert_eq!(t.to_string(), "variant  seconds\n-------  -------\nchunked     0.05\neager        1.2\n");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers.
    pub fn new<S: Into<String>>(headers: impl IntoIterator<Item = S>) -> Self {
        Table {
            headers: headers.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row; missing cells are empty, extra cells are kept and widen the table.
    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) -> &mut Self {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self
    }

    /// The rows added so far.
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    fn columns(&self) -> usize {
        self.rows
            .iter()
            .map(Vec::len)
            .chain([self.headers.len()])
            .max()
            .unwrap_or(0)
    }
}

fn is_number(s: &str) -> bool {
    let t = s.trim_end_matches(['x', '%']);
    !t.is_empty() && t.parse::<f64>().is_ok()
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.columns();
        let cell = |r: &Vec<String>, i: usize| r.get(i).cloned().unwrap_or_default();
        let widths: Vec<usize> = (0..n)
            .map(|i| {
                self.rows
                    .iter()
                    .map(|r| cell(r, i).chars().count())
                    .chain([cell(&self.headers, i).chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |f: &mut fmt::Formatter<'_>, r: &Vec<String>, header: bool| -> fmt::Result {
            let mut out = String::new();
            for (i, w) in widths.iter().enumerate() {
                let c = cell(r, i);
                if i > 0 {
                    out.push_str("  ");
                }
                if !header && is_number(&c) {
                    out.push_str(&format!("{c:>w$}"));
                } else {
                    out.push_str(&format!("{c:<w$}"));
                }
            }
            writeln!(f, "{}", out.trim_end())
        };
        line(f, &self.headers, true)?;
        let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
        line(f, &rule, true)?;
        for r in &self.rows {
            line(f, r, false)?;
        }
        Ok(())
    }
}
