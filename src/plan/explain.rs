//! The plan as text (`explain()`): a line per staged reduction, shared node and pass, and the
//! memory projection, all read from the passes.

use std::fmt;

use super::{Pass, PassKind, Plan, SharedPlan, Sharing};
use crate::region::TILE_LEN;

/// `bytes` in binary units, one decimal: `117.2 KiB`.
pub(crate) fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// The node, its uses and the decision: `sqrt (used by 2 ops): evaluated once and held ...`.
impl fmt::Display for SharedPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (used by {} ops): ", self.name, self.uses)?;
        let bytes = human(self.bytes);
        match self.sharing {
            Sharing::Cheap { work } => write!(
                f,
                "recomputed per use: {work} op(s) per element, cheaper than holding {bytes}"
            ),
            Sharing::OverBudget { budget } => write!(
                f,
                "recomputed per use: holding {bytes} would exceed the budget of {}",
                human(budget)
            ),
            Sharing::Held { work } => write!(
                f,
                "evaluated once and held ({bytes}): {work} ops per element per use saved"
            ),
        }
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "plan: {} -> {}{:?} on ",
            self.result, self.dtype, self.shape
        )?;
        if self.ranks > 1 {
            write!(f, "{} ranks x ", self.ranks)?;
        }
        writeln!(f, "{} worker(s)", self.workers)?;
        for (path, bytes) in &self.reads {
            writeln!(f, "  reads: {} ({})", path.display(), human(*bytes))?;
        }
        self.fmt_stages(f)?;
        for sh in &self.shared {
            writeln!(f, "  shared: {sh}")?;
        }
        match self.output() {
            Some(o) => {
                let bytes = human(self.memory.output);
                writeln!(f, "  output: {} tasks writing {bytes}", o.tasks)?;
                writeln!(f, "    fused per task: {}", o.fused.join(" -> "))?;
            }
            None => writeln!(f, "  output: the result of the last stage")?,
        }
        let mut first_stage = 0;
        for (i, p) in self.passes.iter().enumerate() {
            self.fmt_pass(f, i, p, first_stage)?;
            if let PassKind::Reduce { stages } = &p.kind {
                first_stage += stages.len();
            }
        }
        let m = &self.memory;
        writeln!(
            f,
            "  projected peak memory: {} (tiles {}, partials {}, stage results {}, output {}); tile = {} elements",
            human(m.total),
            human(m.tiles),
            human(m.partials),
            human(m.stage_results),
            human(m.output),
            TILE_LEN
        )
    }
}

impl Plan {
    /// Two lines per staged reduction (three when it shares a pass).
    fn fmt_stages(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.stages().into_iter().enumerate() {
            writeln!(
                f,
                "  stage {}: {} as a tree reduction: {} tasks, {} output chunk(s), {} partials per tree, result {}",
                i + 1,
                s.name,
                s.tasks,
                s.output_chunks,
                s.leaves_per_output,
                human(s.result_bytes)
            )?;
            writeln!(f, "    fused per task: {}", s.fused.join(" -> "))?;
            if let Some(j) = s.shares_pass_with {
                writeln!(
                    f,
                    "    shares the pass of stage {}: its tasks read the input once for both",
                    j + 1
                )?;
            }
        }
        Ok(())
    }

    /// The line of pass `i`, `p`, whose stages (if it reduces) are numbered from
    /// `first_stage + 1`.
    fn fmt_pass(
        &self,
        f: &mut fmt::Formatter<'_>,
        i: usize,
        p: &Pass,
        first_stage: usize,
    ) -> fmt::Result {
        let what = match &p.kind {
            PassKind::Reduce { stages } => {
                let numbers: Vec<String> = (first_stage + 1..=first_stage + stages.len())
                    .map(|s| s.to_string())
                    .collect();
                format!("reduce (stage {})", numbers.join(", "))
            }
            PassKind::Hold { shared } => format!("hold {}", self.shared[*shared].name),
            PassKind::Output { .. } => "output array".into(),
            PassKind::Files { roots, .. } => format!("{} file(s)", roots.len()),
        };
        write!(
            f,
            "  pass {}: {what}, {} tasks, working memory {}",
            i + 1,
            p.tasks,
            human(p.memory)
        )?;
        if self.ranks > 1 {
            write!(
                f,
                " ({} to {} tasks per rank)",
                p.tasks / self.ranks,
                p.tasks.div_ceil(self.ranks)
            )?;
        }
        writeln!(f)?;
        if !p.blocks.is_empty() {
            let each: Vec<String> = p
                .blocks
                .iter()
                .map(|b| format!("{} of {} ({} each)", b.blocks, b.name, human(b.block_bytes)))
                .collect();
            writeln!(f, "    blocks kept per worker: {}", each.join(", "))?;
        }
        Ok(())
    }
}
