//! The exact text of a plan that writes files, which no public call explains without writing
//! (`store` plans and runs at once): outputs of one grid share a pass and hold what they share;
//! an output of another grid gets its own pass; a reduction's result is written from its value;
//! a costly node that files share is held by a pass of its own.

use std::sync::Arc;

use super::{build, Outputs, Target};
use crate::graph::Node;

#[test]
fn files_of_one_grid_share_a_pass_and_hold_what_they_share() {
    let x = crate::random::default_rng(4)
        .normal(1.0, 3.0, [300, 50])
        .rechunk([64, 16])
        .unwrap();
    // Recomputed by each file that reads it (cheap), so the file pass's tasks hold it.
    let y = x.sin();
    // Costly: a pass of its own holds it, and the files read it.
    let h = x.exp().sqrt().abs();
    let arrays = [&y + 1.0, &y * 2.0, x.sum(), x.t(), &h - 1.0, &h * 3.0];
    let roots: Vec<Arc<dyn Node>> = arrays
        .iter()
        .map(|a| a.expr().clone() as Arc<dyn Node>)
        .collect();
    let target = Target {
        workers: 4,
        ranks: 1,
        memory_limit: None,
        outputs: Outputs::Files {
            worker_bytes: 80 << 10,
        },
    };
    let plan = build(&roots, target).unwrap();
    let holds: Vec<Vec<String>> = plan
        .passes
        .iter()
        .map(|p| p.holds.iter().map(|n| n.meta().name.clone()).collect())
        .collect();
    let sin = ["normal(1, 3)", "rechunk((64 x 4, 44), (16 x 3, 2))", "sin"];
    assert_eq!(
        holds,
        [vec![], vec![], sin.map(String::from).to_vec(), vec![]]
    );
    let text = plan.to_string();
    let want = r#"plan: (add 1, mul 2, sum, transpose[1, 0], sub 1, mul 3) -> f64[] on 4 worker(s)
  stage 1: sum as a tree reduction: 8 tasks, 1 output chunk(s), 8 partials per tree, result 8 B
    fused per task: normal(1, 3) -> rechunk((64 x 4, 44), (16 x 3, 2)) -> sum
  shared: rechunk((64 x 4, 44), (16 x 3, 2)) (used by 4 ops): recomputed per use: 1 op(s) per element, cheaper than holding 117.2 KiB
  shared: sin (used by 2 ops): recomputed per use: 2 op(s) per element, cheaper than holding 117.2 KiB
  shared: abs (used by 2 ops): evaluated once and held (117.2 KiB): 4 ops per element per use saved
  output: 40 tasks writing 320.0 KiB
    fused per task: normal(1, 3) -> rechunk((64 x 4, 44), (16 x 3, 2)) -> sin -> add 1 -> mul 2 -> read[abs] -> sub 1 -> mul 3 -> normal(1, 3) -> rechunk((64 x 4, 44), (16 x 3, 2)) -> transpose[1, 0]
  pass 1: reduce (stage 1), 8 tasks, working memory 256.4 KiB
  pass 2: hold abs, 20 tasks, working memory 640.0 KiB
  pass 3: 4 file(s), 20 tasks, working memory 1.1 MiB
  pass 4: 1 file(s), 20 tasks, working memory 576.0 KiB
    blocks kept per worker: 5 of transpose[1, 0] (8.0 KiB each)
  projected peak memory: 1.5 MiB (tiles 1.1 MiB, partials 384 B, stage results 117.2 KiB, output 320.0 KiB); tile = 2048 elements
"#;
    assert!(
        text == want,
        "explain() changed.\n--- got:\n{text}\n--- want:\n{want}"
    );
}

#[test]
fn stages_are_numbered_in_the_order_their_passes_run() {
    let x = crate::arange(1000).rechunk(100).unwrap();
    let y = crate::arange(500).rechunk(100).unwrap();
    // `x.max()` is planned after `y.sum()` but joins the pass of `x.sum()`, which runs first.
    let arrays = [x.sum(), y.sum(), x.max()];
    let roots: Vec<Arc<dyn Node>> = arrays
        .iter()
        .map(|a| a.expr().clone() as Arc<dyn Node>)
        .collect();
    let target = Target {
        workers: 2,
        ranks: 1,
        memory_limit: None,
        outputs: Outputs::InMemory,
    };
    let plan = build(&roots, target).unwrap();
    let stages: Vec<(&str, Option<usize>)> = plan
        .stages()
        .iter()
        .map(|s| (s.name.as_str(), s.shares_pass_with))
        .collect();
    assert_eq!(stages, [("sum", None), ("max", Some(0)), ("sum", None)]);
    let text = plan.to_string();
    assert!(text.contains("pass 1: reduce (stage 1, 2)"), "{text}");
    assert!(text.contains("pass 2: reduce (stage 3)"), "{text}");
}

#[test]
fn passes_name_the_passes_they_read() {
    let x = crate::arange(1000).rechunk(100).unwrap();
    // A staged reduction read by the output: the output pass reads the reduction's.
    let centred = &x - x.sum_with(0, Default::default()).unwrap();
    let root: Arc<dyn Node> = centred.expr().clone();
    let target = Target {
        workers: 2,
        ranks: 1,
        memory_limit: None,
        outputs: Outputs::InMemory,
    };
    let plan = build(&[root], target).unwrap();
    let reads: Vec<&[usize]> = plan.passes.iter().map(|p| p.reads.as_slice()).collect();
    assert_eq!(reads, [&[][..], &[0][..]]);
}
