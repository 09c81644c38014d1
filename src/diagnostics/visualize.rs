//! Graph pictures (Dask's `.visualize()`): Graphviz DOT for arrays at three levels and for
//! delayed task graphs, and SVG where the `dot` program is installed.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use super::write_atomic;
use crate::delayed::TaskNode;
use crate::error::{Error, Result};
use crate::graph::{post_order, Node, OpKind};
use crate::plan::{PassKind, Plan};

/// Which graph of an array to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphLevel {
    /// One node per op, as built (Dask's high-level graph).
    Ops,
    /// One node per pass of the plan: fused ops show as one node.
    Optimized,
    /// One node per task (chunk tasks, the combine trees of reductions), cut off with a note
    /// past [`MAX_TASK_NODES`].
    Tasks,
}

/// Task nodes drawn at most; past it the picture says how many were left out.
pub const MAX_TASK_NODES: usize = 400;

/// The files `visualize` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visualized {
    /// The DOT file.
    pub dot: PathBuf,
    /// The SVG, where Graphviz's `dot` is installed.
    pub svg: Option<PathBuf>,
    /// Why there is no SVG, when there is none.
    pub note: Option<String>,
}

fn esc(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Writes `dot` beside `path` (its `.dot` and `.svg` files; an extension given is replaced).
pub(crate) fn write_graph(path: &Path, dot: &str) -> Result<Visualized> {
    let dot_path = path.with_extension("dot");
    let svg_path = path.with_extension("svg");
    write_atomic("visualize", &dot_path, dot.as_bytes())?;
    let has_dot = Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_dot {
        return Ok(Visualized {
            dot: dot_path,
            svg: None,
            note: Some("Graphviz's `dot` is not installed, so only the DOT file was written (apt-get install graphviz for SVG)".into()),
        });
    }
    let out = Command::new("dot")
        .arg("-Tsvg")
        .arg(&dot_path)
        .output()
        .map_err(|e| Error::Io {
            op: "visualize".into(),
            path: dot_path.display().to_string(),
            reason: e.to_string(),
        })?;
    if !out.status.success() {
        return Err(Error::Io {
            op: "visualize".into(),
            path: dot_path.display().to_string(),
            reason: format!("dot failed: {}", String::from_utf8_lossy(&out.stderr)),
        });
    }
    write_atomic("visualize", &svg_path, &out.stdout)?;
    Ok(Visualized {
        dot: dot_path,
        svg: Some(svg_path),
        note: None,
    })
}

/// A delayed graph: one node per task.
pub(crate) fn delayed_dot(root: &Arc<TaskNode>) -> String {
    let mut s =
        String::from("digraph delayed {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n");
    for n in crate::delayed::post_order(root) {
        let _ = writeln!(s, "  t{} [label=\"{}\"];", n.id, esc(&n.name));
        for d in &n.deps {
            let _ = writeln!(s, "  t{} -> t{};", d.id, n.id);
        }
    }
    s.push_str("}\n");
    s
}

fn shape_of(kind: &OpKind) -> &'static str {
    match kind {
        OpKind::Source => "ellipse",
        OpKind::Elementwise => "box",
        OpKind::Reduce { staged: true, .. } => "invtrapezium",
        OpKind::Reduce { .. } => "trapezium",
        OpKind::Regrid => "note",
        OpKind::Movement => "parallelogram",
        OpKind::Blockwise => "component",
    }
}

/// An array's graph at `level`, for `plan` (the plan of the same root).
pub(crate) fn array_dot(root: Arc<dyn Node>, plan: &Plan, level: GraphLevel) -> String {
    let mut s =
        String::from("digraph chunkwise {\n  rankdir=BT;\n  node [fontname=\"sans-serif\"];\n");
    match level {
        GraphLevel::Ops => ops_dot(&mut s, root),
        GraphLevel::Optimized => {
            for (i, (p, label)) in plan.passes.iter().zip(pass_labels(plan)).enumerate() {
                let _ = writeln!(s, "  p{i} [label=\"{label}\", shape=box, style=rounded];");
                for r in &p.reads {
                    let _ = writeln!(s, "  p{r} -> p{i};");
                }
            }
        }
        GraphLevel::Tasks => tasks_dot(&mut s, plan),
    }
    s.push_str("}\n");
    s
}

/// One node per op, an edge per input.
fn ops_dot(s: &mut String, root: Arc<dyn Node>) {
    for n in post_order(root) {
        let m = n.meta();
        let _ = writeln!(
            s,
            "  n{} [label=\"{}\\n{}{:?}\\nchunks {}\", shape={}];",
            m.id,
            esc(&m.name),
            m.dtype,
            m.shape,
            esc(&m.chunks.to_string()),
            shape_of(&m.kind)
        );
        for i in n.inputs() {
            let _ = writeln!(s, "  n{} -> n{};", i.meta().id, m.id);
        }
    }
}

/// Each pass's label: what it produces (its stages numbered as `explain()` numbers them), its
/// fused ops, source first, and its tasks.
fn pass_labels(plan: &Plan) -> Vec<String> {
    let mut first_stage = 0;
    plan.passes
        .iter()
        .map(|p| {
            let what = match &p.kind {
                PassKind::Reduce { stages } => {
                    let numbers: Vec<String> = (first_stage + 1..=first_stage + stages.len())
                        .map(|k| k.to_string())
                        .collect();
                    let names: Vec<&str> = stages.iter().map(|st| st.name.as_str()).collect();
                    first_stage += stages.len();
                    let plural = if stages.len() > 1 { "s" } else { "" };
                    format!("stage{plural} {}: {}", numbers.join(", "), names.join(", "))
                }
                PassKind::Hold { shared } => {
                    format!("held (shared): {}", plan.shared[*shared].name)
                }
                PassKind::Files { roots, .. } => format!("output: {} file(s)", roots.len()),
                _ => "output".to_string(),
            };
            format!(
                "{}\\n{}\\n{} tasks",
                esc(&what),
                esc(&p.fused.join(" -> ")),
                p.tasks
            )
        })
        .collect()
}

/// One cluster per pass: its chunk tasks, or for a reduction each stage's leaf tasks and
/// binary combine trees, into the pass's result; the results it reads, as dashed edges. Cut
/// off with a note past [`MAX_TASK_NODES`].
fn tasks_dot(s: &mut String, plan: &Plan) {
    let mut budget = MAX_TASK_NODES;
    let mut left_out = 0usize;
    for (i, (p, label)) in plan.passes.iter().zip(pass_labels(plan)).enumerate() {
        let _ = writeln!(s, "  subgraph cluster_{i} {{ label=\"{label}\";");
        let result = format!("r{i}");
        let _ = writeln!(s, "    {result} [label=\"result\", shape=note];");
        match &p.kind {
            PassKind::Reduce { stages } => {
                for (j, st) in stages.iter().enumerate() {
                    let per = st.leaves_per_output.max(1);
                    let split =
                        |lo: usize, hi: usize| match p.nodes.get(j).and_then(|n| n.as_stage()) {
                            Some(stage) => stage.split(lo, hi),
                            None => lo + crate::graph::reduce::tree_split(hi - lo),
                        };
                    let outs = (st.tasks / per).max(1);
                    for o in 0..outs {
                        if budget == 0 {
                            left_out += (outs - o).saturating_mul(per);
                            break;
                        }
                        let at = format!("{i}_{j}_{o}");
                        let top = tree(s, &at, 0, per, &split, &mut budget, &mut left_out);
                        if let Some(t) = top {
                            let _ = writeln!(s, "    {t} -> {result};");
                        }
                    }
                }
            }
            _ => {
                let drawn = p.tasks.min(budget);
                budget -= drawn;
                left_out += p.tasks - drawn;
                for c in 0..drawn {
                    let _ = writeln!(s, "    c{i}_{c} [label=\"chunk {c}\", shape=box];");
                    let _ = writeln!(s, "    c{i}_{c} -> {result};");
                }
            }
        }
        let _ = writeln!(s, "  }}");
        for r in &p.reads {
            let _ = writeln!(s, "  r{r} -> {result} [style=dashed, label=\"read\"];");
        }
    }
    if left_out > 0 {
        let _ = writeln!(s, "  cutoff [label=\"... {left_out} more tasks not drawn (limit {MAX_TASK_NODES})\", shape=plaintext];");
    }
}

/// The combine tree of leaf tasks `lo..hi` of one output chunk (its nodes named after `at`),
/// as the executor runs it (split by `split`, the stage's [`split`](crate::graph::Stage::split)).
fn tree(
    s: &mut String,
    at: &str,
    lo: usize,
    hi: usize,
    split: &dyn Fn(usize, usize) -> usize,
    budget: &mut usize,
    left_out: &mut usize,
) -> Option<String> {
    if *budget == 0 {
        *left_out += hi - lo;
        return None;
    }
    *budget -= 1;
    if hi - lo == 1 {
        let name = format!("l{at}_{lo}");
        let _ = writeln!(s, "    {name} [label=\"task {lo}\", shape=box];");
        return Some(name);
    }
    let name = format!("t{at}_{lo}_{hi}");
    let _ = writeln!(
        s,
        "    {name} [label=\"combine\", shape=circle, width=0.3];"
    );
    let mid = split(lo, hi);
    for (a, b) in [(lo, mid), (mid, hi)] {
        if let Some(c) = tree(s, at, a, b, split, budget, left_out) {
            let _ = writeln!(s, "    {c} -> {name};");
        }
    }
    Some(name)
}
