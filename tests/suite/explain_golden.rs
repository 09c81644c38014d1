//! The exact `explain()` text of the headline workloads, so that a change to the planner that
//! changes what a plan says (passes, tasks, fused ops, projected memory) shows here as a diff.
//! Plans are made inside a rayon pool of a fixed size, so the text does not depend on the
//! machine's cores; none of these texts holds a figure of the machine (paths, physical memory).

use chunkwise::prelude::*;

/// Workers every plan here is made for.
const WORKERS: usize = 4;

/// `f`'s result when run on a pool of [`WORKERS`] threads (a plan without `Config::workers` is
/// made for the current pool).
fn on_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new()
        .num_threads(WORKERS)
        .build()
        .expect("a pool")
        .install(f)
}

fn explain<T: chunkwise::Element>(x: &ChunkedArray<T>) -> String {
    on_pool(|| x.explain().expect("plans"))
}

fn explain_many<T: chunkwise::Element>(xs: &[&ChunkedArray<T>]) -> String {
    on_pool(|| chunkwise::plan_many(xs).expect("plans").to_string())
}

/// Asserts `got` is `want`, printing both in full otherwise (`assert_eq!` escapes newlines).
#[track_caller]
fn golden(got: &str, want: &str) {
    if got != want {
        panic!("explain() changed.\n--- got:\n{got}\n--- want:\n{want}");
    }
}

/// A normal sample of 300 x 50 in 20 chunks, the input of several tests below.
fn normal() -> ChunkedArray<f64> {
    chunkwise::random::default_rng(4)
        .normal(1.0, 3.0, [300, 50])
        .rechunk([64, 16])
        .unwrap()
}

/// The pi estimate on small chunks: one staged reduction fusing the whole chain.
#[test]
fn pi_estimate_is_one_fused_reduction_pass() {
    let inside = chunkwise::random::default_rng(42)
        .uniform(-1.0, 1.0, [2, 1 << 20])
        .rechunk([2, 1 << 16])
        .unwrap()
        .square()
        .sum_with(0, chunkwise::ReduceOptions::default())
        .unwrap()
        .lt(1.0)
        .count_nonzero();
    golden(
        &explain(&inside),
        r#"plan: count_nonzero -> u64[] on 4 worker(s)
  stage 1: count_nonzero as a tree reduction: 16 tasks, 1 output chunk(s), 16 partials per tree, result 8 B
    fused per task: uniform(-1, 1) -> rechunk((2,), (65536 x 16)) -> square -> sum(axis=[0]) -> lt 1 -> count_nonzero
  output: the result of the last stage
  pass 1: reduce (stage 1), 16 tasks, working memory 656.4 KiB
  projected peak memory: 656.4 KiB (tiles 656.0 KiB, partials 384 B, stage results 8 B, output 0 B); tile = 2048 elements
"#,
    );
}

/// `arange(n).sum()` over 256 chunks: one pass, one tree of 256 leaves.
#[test]
fn arange_sum_is_one_tree_over_many_chunks() {
    let s = chunkwise::arange(1 << 24).rechunk(1 << 16).unwrap().sum();
    golden(
        &explain(&s),
        r#"plan: sum -> i64[] on 4 worker(s)
  stage 1: sum as a tree reduction: 256 tasks, 1 output chunk(s), 256 partials per tree, result 8 B
    fused per task: arange(16777216) -> rechunk((65536 x 256)) -> sum
  output: the result of the last stage
  pass 1: reduce (stage 1), 256 tasks, working memory 257.0 KiB
  projected peak memory: 257.0 KiB (tiles 256.0 KiB, partials 1.0 KiB, stage results 8 B, output 0 B); tile = 2048 elements
"#,
    );
}

/// The Dask docs example: `(x + x.T - x.mean(axis=0)).sum()`, its input used three times.
#[test]
fn dask_docs_example_reads_its_mean_in_a_second_pass() {
    let x = chunkwise::random::default_rng(0)
        .random([2000, 2000])
        .rechunk([500, 500])
        .unwrap();
    let y = (&x + &x.t() - x.mean_with(0, chunkwise::ReduceOptions::default()).unwrap()).sum();
    golden(
        &explain(&y),
        r#"plan: sum -> f64[] on 4 worker(s)
  stage 1: sum(axis=[0]) as a tree reduction: 4 tasks, 4 output chunk(s), 1 partials per tree, result 15.6 KiB
    fused per task: uniform(0, 1) -> rechunk((500 x 4), (500 x 4)) -> sum(axis=[0])
  stage 2: sum as a tree reduction: 32 tasks, 1 output chunk(s), 32 partials per tree, result 8 B
    fused per task: uniform(0, 1) -> rechunk((500 x 4), (500 x 4)) -> transpose[1, 0] -> add -> read[sum(axis=[0])] -> div 2000 -> sub -> sum
  shared: rechunk((500 x 4), (500 x 4)) (used by 3 ops): recomputed per use: 1 op(s) per element, cheaper than holding 30.5 MiB
  output: the result of the last stage
  pass 1: reduce (stage 1), 4 tasks, working memory 349.8 KiB
  pass 2: reduce (stage 2), 32 tasks, working memory 896.9 KiB
  projected peak memory: 912.5 KiB (tiles 896.0 KiB, partials 93.8 KiB, stage results 15.6 KiB, output 0 B); tile = 2048 elements
"#,
    );
}

/// The mean and the variance of one input, planned together: one reduce pass for both.
#[test]
fn mean_and_var_together_share_one_reduce_pass() {
    let x = normal();
    golden(
        &explain_many(&[&x.mean(), &x.var()]),
        r#"plan: (div 15000, var) -> f64[] on 4 worker(s)
  stage 1: sum as a tree reduction: 8 tasks, 1 output chunk(s), 8 partials per tree, result 8 B
    fused per task: normal(1, 3) -> rechunk((64 x 4, 44), (16 x 3, 2)) -> sum
  stage 2: var as a tree reduction: 8 tasks, 1 output chunk(s), 8 partials per tree, result 8 B
    fused per task: normal(1, 3) -> rechunk((64 x 4, 44), (16 x 3, 2)) -> var
    shares the pass of stage 1: its tasks read the input once for both
  shared: rechunk((64 x 4, 44), (16 x 3, 2)) (used by 2 ops): recomputed per use: 1 op(s) per element, cheaper than holding 117.2 KiB
  output: 1 tasks writing 16 B
    fused per task: read[sum] -> div 15000
  pass 1: reduce (stage 1, 2), 8 tasks, working memory 571.7 KiB
  pass 2: output array, 1 tasks, working memory 256.0 KiB
  projected peak memory: 315.4 KiB (tiles 314.6 KiB, partials 768 B, stage results 16 B, output 16 B); tile = 2048 elements
"#,
    );
}

/// A node worth holding, used twice: a hold pass first, which both later passes read (the sum
/// of the held node too: its input is read from memory, as the executor's `pull` does).
#[test]
fn a_costly_node_used_twice_is_held() {
    let y = normal().sin().exp().sqrt();
    let z = (&y * &y.sum()).sum();
    golden(
        &explain(&z),
        r#"plan: sum -> f64[] on 4 worker(s)
  stage 1: sum as a tree reduction: 8 tasks, 1 output chunk(s), 8 partials per tree, result 8 B
    fused per task: read[sqrt] -> sum
  stage 2: sum as a tree reduction: 8 tasks, 1 output chunk(s), 8 partials per tree, result 8 B
    fused per task: read[sqrt] -> read[sum] -> mul -> sum
  shared: sqrt (used by 2 ops): evaluated once and held (117.2 KiB): 4 ops per element per use saved
  output: the result of the last stage
  pass 1: hold sqrt, 20 tasks, working memory 640.0 KiB
  pass 2: reduce (stage 1), 8 tasks, working memory 128.4 KiB
  pass 3: reduce (stage 2), 8 tasks, working memory 384.4 KiB
  projected peak memory: 757.2 KiB (tiles 640.0 KiB, partials 384 B, stage results 117.2 KiB, output 0 B); tile = 2048 elements
"#,
    );
}

/// The stencil of `examples/stencil`, summed: rows of 10 blocks of 2000², of which the
/// reduction's tasks keep 6 per worker (a tile's read spans at most 4; each task folds a
/// compact box), not the row of 10.
#[test]
fn a_stencil_keeps_a_few_blocks_per_worker() {
    let x = chunkwise::random::default_rng(0)
        .random([20_000, 20_000])
        .rechunk([2000, 2000])
        .unwrap();
    let y: ChunkedArray<f64> = x
        .map_overlap(
            &[1, 1],
            chunkwise::Boundary::Reflect,
            |b: chunkwise::ndarray::ArrayViewD<'_, f64>| {
                let (rows, cols) = (b.shape()[0] - 1, b.shape()[1] - 1);
                b.slice(chunkwise::ndarray::s![1..rows, 1..cols])
                    .to_owned()
                    .into_dyn()
            },
        )
        .unwrap();
    let y = y.sum();
    golden(
        &explain(&y),
        r#"plan: sum -> f64[] on 4 worker(s)
  stage 1: sum as a tree reduction: 100 tasks, 1 output chunk(s), 100 partials per tree, result 8 B
    fused per task: uniform(0, 1) -> rechunk((2000 x 10), (2000 x 10)) -> slice[0, end: Some(1), step: 1 }, 0, end: None, step: 1 }] -> slice[0, end: None, step: -1 }, 0, end: None, step: 1 }] -> slice[19999, end: Some(20000), step: 1 }, 0, end: None, step: 1 }] -> slice[0, end: None, step: -1 }, 0, end: None, step: 1 }] -> concatenate(axis=0) -> slice[0, end: None, step: 1 }, 0, end: Some(1), step: 1 }] -> slice[0, end: None, step: 1 }, 0, end: None, step: -1 }] -> slice[0, end: None, step: 1 }, 19999, end: Some(20000), step: 1 }] -> slice[0, end: None, step: 1 }, 0, end: None, step: -1 }] -> concatenate(axis=1) -> map_overlap -> sum
  shared: rechunk((2000 x 10), (2000 x 10)) (used by 3 ops): recomputed per use: 1 op(s) per element, cheaper than holding 3.0 GiB
  shared: concatenate(axis=0) (used by 3 ops): recomputed per use: holding 3.0 GiB would exceed the budget of 512.0 MiB
  output: the result of the last stage
  pass 1: reduce (stage 1), 100 tasks, working memory 978.7 MiB
    blocks kept per worker: 6 of map_overlap (30.5 MiB each)
  projected peak memory: 978.7 MiB (tiles 978.7 MiB, partials 1.4 KiB, stage results 8 B, output 0 B); tile = 2048 elements
"#,
    );
}

/// A quantile: four aggregate passes, each starting from the last one's selection.
#[test]
fn quantile_runs_its_selection_passes() {
    let q = normal().quantile(0.5).unwrap();
    golden(
        &explain(&q),
        r#"plan: quantile select pass 4/4 -> f64[] on 4 worker(s)
  stage 1: quantile select pass 1/4 as a tree reduction: 20 tasks, 1 output chunk(s), 20 partials per tree, result 80 B
    fused per task: normal(1, 3) -> rechunk((64 x 4, 44), (16 x 3, 2)) -> quantile select pass 1/4
  stage 2: quantile select pass 2/4 as a tree reduction: 20 tasks, 1 output chunk(s), 20 partials per tree, result 80 B
    fused per task: normal(1, 3) -> rechunk((64 x 4, 44), (16 x 3, 2)) -> quantile select pass 2/4
  stage 3: quantile select pass 3/4 as a tree reduction: 20 tasks, 1 output chunk(s), 20 partials per tree, result 80 B
    fused per task: normal(1, 3) -> rechunk((64 x 4, 44), (16 x 3, 2)) -> quantile select pass 3/4
  stage 4: quantile select pass 4/4 as a tree reduction: 20 tasks, 1 output chunk(s), 20 partials per tree, result 8 B
    fused per task: normal(1, 3) -> rechunk((64 x 4, 44), (16 x 3, 2)) -> quantile select pass 4/4
  shared: rechunk((64 x 4, 44), (16 x 3, 2)) (used by 4 ops): recomputed per use: 1 op(s) per element, cheaper than holding 117.2 KiB
  output: the result of the last stage
  pass 1: reduce (stage 1), 20 tasks, working memory 28.2 MiB
  pass 2: reduce (stage 2), 20 tasks, working memory 28.2 MiB
  pass 3: reduce (stage 3), 20 tasks, working memory 28.2 MiB
  pass 4: reduce (stage 4), 20 tasks, working memory 28.2 MiB
  projected peak memory: 28.3 MiB (tiles 256.0 KiB, partials 28.0 MiB, stage results 248 B, output 0 B); tile = 2048 elements
"#,
    );
}

/// A selection by a mask: a counting pass sizes the result, then the values.
#[test]
fn selection_is_sized_then_filled() {
    let x = normal();
    let sel = x.select(&x.gt(0.0)).unwrap();
    golden(
        &on_pool(|| sel.explain().unwrap()),
        r#"pass 1 of 2 (sizes the result):
plan: select: count per chunk (15 chunks) -> i64[15] on 4 worker(s)
  stage 1: select: count per chunk (15 chunks) as a tree reduction: 15 tasks, 1 output chunk(s), 15 partials per tree, result 120 B
    fused per task: normal(1, 3) -> rechunk((64 x 4, 44), (16 x 3, 2)) -> gt 0 -> reshape[15000] -> rechunk((1024 x 14, 664)) -> select: count per chunk (15 chunks)
  output: the result of the last stage
  pass 1: reduce (stage 1), 15 tasks, working memory 306.8 KiB
  projected peak memory: 306.9 KiB (tiles 304.0 KiB, partials 2.8 KiB, stage results 120 B, output 0 B); tile = 2048 elements

pass 2 of 2 (the values, sized by pass 1; planned here for shape [15000], the largest: every value kept):
plan: select -> f64[15000] on 4 worker(s)
  shared: rechunk((64 x 4, 44), (16 x 3, 2)) (used by 2 ops): recomputed per use: 1 op(s) per element, cheaper than holding 117.2 KiB
  output: 15 tasks writing 117.2 KiB
    fused per task: normal(1, 3) -> rechunk((64 x 4, 44), (16 x 3, 2)) -> reshape[15000] -> rechunk((1024 x 14, 664)) -> gt 0 -> select
  pass 1: output array, 15 tasks, working memory 756.0 KiB
  projected peak memory: 873.2 KiB (tiles 756.0 KiB, partials 0 B, stage results 0 B, output 117.2 KiB); tile = 2048 elements
"#,
    );
}
