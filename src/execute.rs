//! Execution: run a plan's stages on the current rayon pool (their leaf tasks and combine
//! trees, in shared passes where stages read one input), then write the outputs (arrays, or
//! files through their sinks) chunk by chunk, tile by tile. The executor knows nothing of ops:
//! it calls `Stage::fold_group` / `combine` / `assemble`, `Expr::fill` and `Sink::write_chunk`.

use std::any::Any;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use ndarray::ArrayD;
use rayon::prelude::*;

use crate::element::Element;
use crate::error::{Error, Result};
use crate::events::{ComputeInfo, Events, Observer};
use crate::graph::reduce::tree_split;
use crate::graph::{Expr, Node, NodeId, Parts, Results, Stage, TaskCx};
use crate::kernels::{contiguous_offset, scatter, zeroed_vec, SendPtr};
use crate::plan::{self, Plan};
use crate::region::{for_each_tile, region_len, Region, TILE_LEN};

/// How to run a compute: number of workers and a memory limit.
///
/// ```
/// use chunkwise::prelude::*;
/// let cfg = Config::default().workers(2).memory_limit(64 << 20);
/// let s: i64 = chunkwise::arange(1_000_000).sum().compute_with(&cfg)?.into_iter().next().unwrap();
/// assert_eq!(s, 499_999_500_000);
/// // A result that needs more than the limit fails before any work starts.
/// let err = chunkwise::zeros::<f64>([10_000, 10_000]).compute_with(&cfg).unwrap_err();
/// assert!(matches!(err, chunkwise::Error::MemoryLimit { .. }));
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Config {
    workers: Option<usize>,
    memory_limit: Option<u64>,
    observers: Vec<Arc<dyn Observer>>,
    progress: Option<bool>,
    progress_after: Option<Duration>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("workers", &self.workers)
            .field("memory_limit", &self.memory_limit)
            .field("observers", &self.observers.len())
            .field("progress", &self.progress)
            .field("progress_after", &self.progress_after)
            .finish()
    }
}

impl Config {
    /// Run on a pool of `n` workers (a cached rayon pool per size). Without it, `compute_with`
    /// runs on the current pool, like `compute`.
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = Some(n);
        self
    }

    /// Refuse, before any work starts, a plan whose projected peak memory exceeds `bytes`.
    pub fn memory_limit(mut self, bytes: u64) -> Self {
        self.memory_limit = Some(bytes);
        self
    }

    /// Adds an observer of the executor's events (task start and end, with worker, elements
    /// and bytes), such as a [`Profiler`](crate::diagnostics::Profiler) or your own.
    pub fn observer(mut self, o: Arc<dyn Observer>) -> Self {
        self.observers.push(o);
        self
    }

    /// Shows (`true`) or hides (`false`) the progress bar. By default it is shown when standard
    /// error is a terminal, for computations that run longer than [`Config::progress_after`].
    pub fn progress(mut self, on: bool) -> Self {
        self.progress = Some(on);
        self
    }

    /// How long a computation runs before its progress bar appears (default 0.5 s).
    pub fn progress_after(mut self, after: Duration) -> Self {
        self.progress_after = Some(after);
        self
    }

    /// The observers a compute reports to: the configured ones, and the progress bar where it
    /// is on.
    pub(crate) fn events(&self) -> Events {
        let mut all = self.observers.clone();
        let on = self
            .progress
            .unwrap_or_else(|| std::io::stderr().is_terminal());
        if on {
            let after = self.progress_after.unwrap_or(Duration::from_millis(500));
            all.push(Arc::new(crate::diagnostics::ProgressBar::new(after)));
        }
        Events::new(all)
    }

    /// The configured worker count, if any.
    pub fn get_workers(&self) -> Option<usize> {
        self.workers
    }

    /// The configured memory limit, if any.
    pub fn get_memory_limit(&self) -> Option<u64> {
        self.memory_limit
    }
}

/// A rayon pool of `n` threads, built once per size and kept for the life of the process.
pub(crate) fn pool(n: usize) -> Result<Arc<rayon::ThreadPool>> {
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<rayon::ThreadPool>>>> = OnceLock::new();
    if n == 0 {
        return Err(Error::Pool {
            workers: 0,
            reason: "the number of workers must be at least 1".into(),
        });
    }
    let mut pools = POOLS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(p) = pools.get(&n) {
        return Ok(p.clone());
    }
    let p = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("chunkwise-{i}"))
        .build()
        .map_err(|e| Error::Pool {
            workers: n,
            reason: e.to_string(),
        })?;
    let p = Arc::new(p);
    pools.insert(n, p.clone());
    Ok(p)
}

/// Plans `expr` for the pool it would run on.
pub(crate) fn plan_for<T: Element>(expr: &Arc<dyn Expr<T>>, cfg: &Config) -> Result<Plan> {
    let workers = cfg.workers.unwrap_or_else(rayon::current_num_threads);
    plan::build(expr.clone(), workers, cfg.memory_limit)
}

/// Computes `expr` under `cfg`.
pub(crate) fn compute<T: Element>(expr: &Arc<dyn Expr<T>>, cfg: &Config) -> Result<ArrayD<T>> {
    execute(expr, cfg, |results, events, root| match root {
        Some(arr) => Ok(arr),
        None => materialize(&**expr, results, events),
    })
}

/// Computes the targets' arrays (planned as one graph) and writes each through its sink: a
/// target that was a step from its value; the others in passes of one chunk grid each, whose
/// tasks first hold the nodes the pass's targets share ([`TaskCx::hold`]).
pub(crate) fn write_targets(targets: &[crate::io::Target], cfg: &Config) -> Result<()> {
    if targets.is_empty() {
        return Ok(());
    }
    let roots: Vec<Arc<dyn Node>> = targets.iter().map(|t| t.node.clone()).collect();
    execute_roots(
        &roots,
        plan::Outputs::Files,
        cfg,
        |results, events, values| {
            let mut pending = Vec::new();
            for (i, v) in values.iter().enumerate() {
                match v {
                    Some(v) => targets[i].sink.write_value(&**v)?,
                    None => pending.push(i),
                }
            }
            let nodes: Vec<Arc<dyn Node>> =
                pending.iter().map(|&i| targets[i].node.clone()).collect();
            for pass in plan::file_passes(&nodes) {
                let group: Vec<Arc<dyn Node>> = pass.iter().map(|&j| nodes[j].clone()).collect();
                let shared = plan::shared_in_pass(&group, |id| results.contains(id));
                for_each_chunk(group[0].meta(), results, events, |cx, chunk| {
                    for n in &shared {
                        n.hold(cx, chunk)?;
                    }
                    for &j in &pass {
                        targets[pending[j]].sink.write_chunk(cx, chunk)?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        },
    )
}

/// A step's type-erased value (an `ArrayD` of its node's type).
type Value = Arc<dyn Any + Send + Sync>;

/// Computes several arrays of one type under `cfg`, planned as one graph.
pub(crate) fn compute_many<T: Element>(
    exprs: &[Arc<dyn Expr<T>>],
    cfg: &Config,
) -> Result<Vec<ArrayD<T>>> {
    if exprs.is_empty() {
        return Ok(Vec::new());
    }
    let roots: Vec<Arc<dyn Node>> = exprs.iter().map(|e| e.clone() as Arc<dyn Node>).collect();
    execute_roots(
        &roots,
        plan::Outputs::InMemory,
        cfg,
        |results, events, values| {
            exprs
                .iter()
                .zip(values)
                .map(|(e, v)| match v {
                    Some(v) => Ok(v
                        .downcast_ref::<ArrayD<T>>()
                        .expect("a stage's result has its node's dtype")
                        .clone()),
                    None => materialize(&**e, results, events),
                })
                .collect()
        },
    )
}

/// Plans `expr` under `cfg` (refusing a plan over the memory limit), runs the plan's steps
/// (staged reductions, held shared nodes) on the configured pool, then `finish`, which gets the
/// steps' results and, when the root itself was a step, its value; `finish` produces the output
/// (an array, a file). Compute start and end are reported to the observers.
pub(crate) fn execute<T: Element, R: Send>(
    expr: &Arc<dyn Expr<T>>,
    cfg: &Config,
    finish: impl FnOnce(&Results, &Events, Option<ArrayD<T>>) -> Result<R> + Send,
) -> Result<R> {
    let root: Arc<dyn Node> = expr.clone();
    execute_roots(
        &[root],
        plan::Outputs::InMemory,
        cfg,
        |results, events, mut values| {
            let root = values.pop().flatten().map(|v| {
                let arr = v
                    .downcast::<ArrayD<T>>()
                    .expect("a stage's result has its node's dtype");
                Arc::try_unwrap(arr).unwrap_or_else(|a| (*a).clone())
            });
            finish(results, events, root)
        },
    )
}

/// [`execute`] for several roots planned as one graph: their shared steps run once (stages of
/// one input share a pass), and `finish` gets each root's value where the root was a step.
pub(crate) fn execute_roots<R: Send>(
    roots: &[Arc<dyn Node>],
    outputs: plan::Outputs,
    cfg: &Config,
    finish: impl FnOnce(&Results, &Events, Vec<Option<Value>>) -> Result<R> + Send,
) -> Result<R> {
    let run = || {
        let plan = plan::build_many(
            roots,
            rayon::current_num_threads(),
            cfg.memory_limit,
            outputs,
        )?;
        if let Some(limit) = cfg.memory_limit {
            if plan.memory.total > limit {
                return Err(Error::MemoryLimit {
                    op: plan.result.clone(),
                    shape: plan.shape.clone(),
                    projected: plan.memory.total,
                    limit,
                });
            }
        }
        let events = cfg.events();
        let info = ComputeInfo {
            name: plan.result.clone(),
            total_tasks: plan.total_tasks(),
            total_elements: plan.total_elements(),
            start: Instant::now(),
        };
        events.compute_start(&info);
        let ids: Vec<NodeId> = roots.iter().map(|r| r.meta().id).collect();
        let r = run_steps(&ids, &plan, &events)
            .and_then(|(results, values)| finish(&results, &events, values));
        events.compute_end(&info, r.is_ok());
        r
    };
    match cfg.workers {
        Some(n) => pool(n)?.install(run),
        None => run(),
    }
}

/// Runs the plan's steps in order; returns their results, and the value of each root that was
/// one of them. Stages that read the same input in the same tasks ([`Stage::pass_key`]) run
/// together, in one pass over their input ([`run_stages`]).
fn run_steps(
    roots: &[NodeId],
    plan: &Plan,
    events: &Events,
) -> Result<(Results, Vec<Option<Value>>)> {
    let mut results = Results::default();
    let mut values: Vec<Option<Value>> = vec![None; roots.len()];
    let mut done = vec![false; plan.steps.len()];
    for i in 0..plan.steps.len() {
        if done[i] {
            continue;
        }
        let node = &plan.steps[i];
        let ran: Vec<(usize, Value)> = match node.as_stage() {
            Some(stage) => {
                let key = stage.pass_key();
                let group: Vec<usize> = (i..plan.steps.len())
                    .filter(|&j| {
                        !done[j]
                            && plan.steps[j]
                                .as_stage()
                                .is_some_and(|s| s.pass_key() == key)
                    })
                    .collect();
                let stages: Vec<&dyn Stage> = group
                    .iter()
                    .map(|&j| plan.steps[j].as_stage().expect("filtered"))
                    .collect();
                group
                    .iter()
                    .copied()
                    .zip(run_stages(&stages, &results, events)?)
                    .collect()
            }
            None => vec![(i, node.materialize(&results, events)?)],
        };
        for (j, value) in ran {
            done[j] = true;
            let id = plan.steps[j].meta().id;
            for (k, _) in roots.iter().enumerate().filter(|(_, &r)| r == id) {
                values[k] = Some(value.clone());
            }
            // A lone root is read by no other step: not keeping it lets its owner take it
            // without a copy.
            if !(roots.len() == 1 && roots[0] == id) {
                results.insert(id, value);
            }
        }
    }
    Ok((results, values))
}

/// Runs staged reductions that share a pass (equal [`Stage::pass_key`]; one
/// stage alone is the common case) on the current rayon pool and returns their results, in
/// order. Per output chunk, the leaf groups run as tasks (when several stages share them, the
/// task first holds the group's input box, so the input is read once) and their partials
/// combine in the canonical tree ([`tree_split`]), so a stage's bits do not depend on the
/// chunking, the workers or the stages it shares a pass with.
pub(crate) fn run_stages(
    stages: &[&dyn Stage],
    results: &Results,
    events: &Events,
) -> Result<Vec<Value>> {
    let first = stages[0];
    let m = first.meta();
    let groups = first.groups();
    let per_chunk: Vec<(Region, Vec<Parts>)> = if m.size() == 0 {
        Vec::new()
    } else {
        (0..m.chunks.num_chunks())
            .into_par_iter()
            .map(|k| {
                let out_region = m.chunks.chunk(k);
                let parts = stage_tree(stages, results, events, &out_region, 0, groups)?;
                Ok((out_region, parts))
            })
            .collect::<Result<_>>()?
    };
    let mut by_stage: Vec<Vec<(Region, Parts)>> = stages.iter().map(|_| Vec::new()).collect();
    for (region, parts) in per_chunk {
        for (i, p) in parts.into_iter().enumerate() {
            by_stage[i].push((region.clone(), p));
        }
    }
    stages
        .iter()
        .zip(by_stage)
        .map(|(s, chunks)| s.assemble(chunks))
        .collect()
}

/// The tree over leaf groups `lo..hi` of one output chunk, for every stage of a shared pass.
fn stage_tree(
    stages: &[&dyn Stage],
    results: &Results,
    events: &Events,
    out_region: &[std::ops::Range<usize>],
    lo: usize,
    hi: usize,
) -> Result<Vec<Parts>> {
    if hi - lo == 1 {
        let tasks: Vec<(String, u64, u64)> = stages
            .iter()
            .map(|s| s.group_task(out_region, lo))
            .collect();
        let name = || {
            tasks
                .iter()
                .map(|t| t.0.as_str())
                .collect::<Vec<_>>()
                .join(" + ")
        };
        let (n, bytes) = (tasks[0].1, tasks[0].2);
        return events.task(name, n, bytes, || {
            let mut cx = TaskCx::new(results);
            if stages.len() > 1 {
                stages[0].hold_group_input(&mut cx, out_region, lo)?;
            }
            stages
                .iter()
                .map(|s| s.fold_group(&mut cx, out_region, lo))
                .collect()
        });
    }
    let mid = lo + tree_split(hi - lo);
    let (a, b) = rayon::join(
        || stage_tree(stages, results, events, out_region, lo, mid),
        || stage_tree(stages, results, events, out_region, mid, hi),
    );
    let b = b?;
    Ok(stages
        .iter()
        .zip(a?.into_iter().zip(b))
        .map(|(s, (x, y))| s.combine(x, y))
        .collect())
}

/// One task per chunk of `expr` (decoded from its index, reported to `events`), each walking
/// its chunk's tiles in C order with `per_tile(cx, tile)`: the loop every output (an array, a
/// file) runs.
pub(crate) fn for_each_chunk_tile<T: Element>(
    expr: &dyn Expr<T>,
    results: &Results,
    events: &Events,
    per_tile: impl Fn(&mut TaskCx<'_>, &[std::ops::Range<usize>]) -> Result<()> + Sync,
) -> Result<()> {
    for_each_chunk(expr.meta(), results, events, |cx, chunk| {
        for_each_tile(chunk, TILE_LEN, |tile| per_tile(cx, tile))
    })
}

/// One task per chunk of the node of `m`, in parallel: `per_chunk(cx, chunk)` gets each chunk
/// decoded from its index, and the task is reported to `events`. Outputs that need each chunk
/// whole (a compressed file chunk) use it directly; the others walk tiles through
/// [`for_each_chunk_tile`].
pub(crate) fn for_each_chunk(
    m: &crate::graph::Meta,
    results: &Results,
    events: &Events,
    per_chunk: impl Fn(&mut TaskCx<'_>, &[std::ops::Range<usize>]) -> Result<()> + Sync,
) -> Result<()> {
    if m.size() == 0 {
        return Ok(());
    }
    (0..m.chunks.num_chunks())
        .into_par_iter()
        .try_for_each(|k| {
            let chunk = &m.chunks.chunk(k);
            let n = region_len(chunk) as u64;
            let name = || format!("{} {chunk:?}", m.name);
            events.task(name, n, n * m.dtype.size() as u64, || {
                let mut cx = TaskCx::new(results);
                per_chunk(&mut cx, chunk)
            })
        })
}

/// Writes every chunk of `expr` into a new array, one task per chunk, tile by tile. Tiles that
/// are contiguous in the output are filled in place; others go through a tile buffer.
pub(crate) fn materialize<T: Element>(
    expr: &dyn Expr<T>,
    results: &Results,
    events: &Events,
) -> Result<ArrayD<T>> {
    let m = expr.meta();
    let shape = m.shape.clone();
    // Zeroed allocation: the OS hands out zero pages lazily, no pass over the memory here.
    let mut data = zeroed_vec::<T>(&m.name, &shape)?;
    let ptr = SendPtr(data.as_mut_ptr());
    for_each_chunk_tile(expr, results, events, |cx, tile| {
        let len = region_len(tile);
        match contiguous_offset(&shape, tile) {
            Some(off) => {
                // SAFETY: chunks are disjoint and tiles partition a chunk, so this slice of
                // `data` is written by this task only; `data` outlives the loop.
                let out = unsafe { std::slice::from_raw_parts_mut(ptr.get().add(off), len) };
                expr.fill(cx, tile, out)
            }
            None => {
                let mut buf = cx.take::<T>(len);
                let r = expr.fill(cx, tile, &mut buf);
                // SAFETY: as above, the tile's region belongs to this task.
                unsafe { scatter(&buf, ptr.get(), &shape, tile) };
                cx.give(buf);
                r
            }
        }
    })?;
    Ok(ArrayD::from_shape_vec(shape, data).expect("size matches shape"))
}
