//! Execution: run a plan's stages on the current rayon pool, then write the output array chunk
//! by chunk, tile by tile. The executor knows nothing of ops: it calls `Stage::run` and
//! `Expr::fill`.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use ndarray::ArrayD;
use rayon::prelude::*;

use crate::element::Element;
use crate::error::{Error, Result};
use crate::events::{ComputeInfo, Events, Observer};
use crate::graph::{Expr, Results, TaskCx};
use crate::kernels::{contiguous_offset, scatter, zeroed_vec, SendPtr};
use crate::plan::{self, Plan};
use crate::region::{for_each_tile, region_len, TILE_LEN};

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

/// Plans `expr` under `cfg` (refusing a plan over the memory limit), runs the plan's steps
/// (staged reductions, held shared nodes) on the configured pool, then `finish`, which gets the
/// steps' results and, when the root itself was a step, its value; `finish` produces the output
/// (an array, a file). Compute start and end are reported to the observers.
pub(crate) fn execute<T: Element, R: Send>(
    expr: &Arc<dyn Expr<T>>,
    cfg: &Config,
    finish: impl FnOnce(&Results, &Events, Option<ArrayD<T>>) -> Result<R> + Send,
) -> Result<R> {
    let run = || {
        let plan = plan::build(expr.clone(), rayon::current_num_threads(), cfg.memory_limit)?;
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
        let r = run_steps(expr, &plan, &events)
            .and_then(|(results, root)| finish(&results, &events, root));
        events.compute_end(&info, r.is_ok());
        r
    };
    match cfg.workers {
        Some(n) => pool(n)?.install(run),
        None => run(),
    }
}

/// Runs the plan's steps in order; returns their results and the root's value if the root was
/// one of them.
fn run_steps<T: Element>(
    expr: &Arc<dyn Expr<T>>,
    plan: &Plan,
    events: &Events,
) -> Result<(Results, Option<ArrayD<T>>)> {
    let mut results = Results::default();
    let root_id = expr.meta().id;
    let mut root = None;
    for node in &plan.steps {
        let value = match node.as_stage() {
            Some(stage) => stage.run(&results, events)?,
            None => node.materialize(&results, events)?,
        };
        if node.meta().id == root_id {
            let arr = value
                .downcast::<ArrayD<T>>()
                .expect("a stage's result has its node's dtype");
            root = Some(Arc::try_unwrap(arr).unwrap_or_else(|a| (*a).clone()));
        } else {
            results.insert(node.meta().id, value);
        }
    }
    Ok((results, root))
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
    for_each_chunk(expr, results, events, |cx, _, chunk| {
        for_each_tile(chunk, TILE_LEN, |tile| per_tile(cx, tile))
    })
}

/// One task per chunk of `expr`, in parallel: `per_chunk(cx, k, chunk)` gets chunk `k`
/// decoded from its index, and the task is reported to `events`. Outputs that need each chunk
/// whole (a compressed file chunk) use it directly; the others walk tiles through
/// [`for_each_chunk_tile`].
pub(crate) fn for_each_chunk<T: Element>(
    expr: &dyn Expr<T>,
    results: &Results,
    events: &Events,
    per_chunk: impl Fn(&mut TaskCx<'_>, usize, &[std::ops::Range<usize>]) -> Result<()> + Sync,
) -> Result<()> {
    let m = expr.meta();
    if m.size() == 0 {
        return Ok(());
    }
    (0..m.chunks.num_chunks())
        .into_par_iter()
        .try_for_each(|k| {
            let chunk = &m.chunks.chunk(k);
            let n = region_len(chunk) as u64;
            let name = || format!("{} {chunk:?}", m.name);
            events.task(name, n, n * T::DTYPE.size() as u64, || {
                let mut cx = TaskCx::new(results);
                per_chunk(&mut cx, k, chunk)
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
