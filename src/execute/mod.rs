//! Execution: run a plan's passes (see [`Plan::passes`]) and hand back their results.
//!
//! The passes run in `passes.rs`, the same code for every backend: each pass's tasks on the
//! current rayon pool, tile by tile, calling only what nodes offer (`Stage::fold_group` /
//! `combine` / `assemble`, `Expr::fill`, `Sink::write_chunk`). What differs between backends
//! is where the tasks run, which an [`Executor`] says: [`Local`] runs them all in this
//! process; `Mpi` (feature `mpi`) runs the same program on every MPI rank, each rank a share
//! of every pass's tasks, and exchanges the results between ranks.

mod local;
#[cfg(feature = "mpi")]
mod mpi;
mod passes;
mod store;

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use ndarray::ArrayD;

use crate::element::Element;
use crate::error::{Error, Result};
use crate::events::{ComputeInfo, Events, Observer, ProgressBar};
use crate::graph::{Expr, Node};
use crate::plan::{self, Plan};

pub use local::Local;
#[cfg(feature = "mpi")]
pub use mpi::Mpi;
pub(crate) use store::Sink;
pub use store::{store, store_with, Target};

/// Where the tasks of a compute run: the ranks (processes) of one program, and how they send
/// each other bytes. [`Local`] is one rank (this process); `Mpi` (feature `mpi`) is the
/// ranks of an `mpiexec` launch. Every rank builds the same plan from the same program and
/// runs the tasks of each pass that fall to it (a contiguous share, see [`Executor::share`]);
/// results cross between ranks only through [`all_gather`](Executor::all_gather).
pub trait Executor: Send + Sync + std::fmt::Debug {
    /// This process's rank, in `0..ranks()`.
    fn rank(&self) -> usize;
    /// The number of ranks running the program.
    fn ranks(&self) -> usize;
    /// Every rank's `mine`, in rank order, returned on every rank. It is a collective: every
    /// rank calls it at the same point of the same plan, so it never waits for a rank that
    /// will not come.
    fn all_gather(&self, mine: &[u8]) -> Result<Vec<Vec<u8>>>;
    /// Every rank's `mine`, in rank order, returned on rank `root` only (`None` elsewhere): a
    /// collective like [`all_gather`](Executor::all_gather) that moves the bytes once. The
    /// default all-gathers.
    fn gather(&self, mine: &[u8], root: usize) -> Result<Option<Vec<Vec<u8>>>> {
        let all = self.all_gather(mine)?;
        Ok((self.rank() == root).then_some(all))
    }
    /// The tasks of a pass of `tasks` tasks that `rank` runs: the `rank`-th of `ranks()`
    /// contiguous, nearly equal ranges (`tasks * rank / ranks .. tasks * (rank + 1) / ranks`),
    /// so neighbouring chunks, and the leaves of one reduction tree, stay on one rank.
    fn share(&self, tasks: usize, rank: usize) -> std::ops::Range<usize> {
        let k = self.ranks().max(1) as u128;
        let at = |r: usize| (tasks as u128 * r as u128 / k) as usize;
        at(rank)..at(rank + 1)
    }
}

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
    executor: Option<Arc<dyn Executor>>,
    workers: Option<usize>,
    memory_limit: Option<u64>,
    observers: Vec<Arc<dyn Observer>>,
    progress: Option<bool>,
    progress_after: Option<Duration>,
    cancel: Option<Arc<AtomicBool>>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("executor", &self.executor)
            .field("workers", &self.workers)
            .field("memory_limit", &self.memory_limit)
            .field("observers", &self.observers.len())
            .field("progress", &self.progress)
            .field("progress_after", &self.progress_after)
            .field("cancel", &self.cancel)
            .finish()
    }
}

impl Config {
    /// Runs on `executor`'s ranks: [`Local`] (the default: this process) or an
    /// `Mpi` world (feature `mpi`). The workers are per rank.
    pub fn executor(mut self, executor: Arc<dyn Executor>) -> Self {
        self.executor = Some(executor);
        self
    }

    /// The executor a compute runs on.
    pub(crate) fn exec(&self) -> Arc<dyn Executor> {
        self.executor.clone().unwrap_or_else(|| Arc::new(Local))
    }

    /// Run on a pool of `n` workers (a cached rayon pool per size). Without it, `compute_with`
    /// runs on the current pool, like `compute`.
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = Some(n);
        self
    }

    /// Refuse, before any work starts, a plan whose projected peak memory exceeds `bytes`
    /// ([`Error::MemoryLimit`]). Without it, a plan projected past the machine's physical
    /// memory is refused as [`Error::TooLarge`].
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

    /// Stops computes when `flag` is set, from any thread: tasks not yet started do not start,
    /// a running chunk task stops between its tiles (every few milliseconds of work), and the
    /// compute returns [`Error::Cancelled`] (a file target is removed, as after any failed
    /// compute). Work that is not cut into tiles (a block product, a sort, a delayed task's
    /// function) finishes first. The flag is not reset.
    ///
    /// ```
    /// use std::sync::{Arc, atomic::AtomicBool};
    /// let flag = Arc::new(AtomicBool::new(true));
    /// let cfg = chunkwise::Config::default().cancel_on(flag);
    /// let err = chunkwise::arange(10).sum().compute_with(&cfg).unwrap_err();
    /// assert!(matches!(err, chunkwise::Error::Cancelled));
    /// ```
    pub fn cancel_on(mut self, flag: Arc<AtomicBool>) -> Self {
        self.cancel = Some(flag);
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
            all.push(Arc::new(ProgressBar::new(after)));
        }
        Events::new(all).cancelled_by(self.cancel.clone())
    }

    /// The configured worker count, if any (the builder [`workers`](Self::workers) sets it).
    ///
    /// ```
    /// let cfg = chunkwise::Config::default().workers(3).memory_limit(1 << 30);
    /// assert_eq!(cfg.worker_count(), Some(3));
    /// assert_eq!(cfg.memory_limit_bytes(), Some(1 << 30));
    /// assert_eq!(chunkwise::Config::default().worker_count(), None);
    /// ```
    pub fn worker_count(&self) -> Option<usize> {
        self.workers
    }

    /// The configured memory limit in bytes, if any (the builder
    /// [`memory_limit`](Self::memory_limit) sets it).
    pub fn memory_limit_bytes(&self) -> Option<u64> {
        self.memory_limit
    }

    /// The configured worker count, if any.
    #[deprecated(since = "0.2.0", note = "use `worker_count`")]
    pub fn get_workers(&self) -> Option<usize> {
        self.worker_count()
    }

    /// The configured memory limit, if any.
    #[deprecated(since = "0.2.0", note = "use `memory_limit_bytes`")]
    pub fn get_memory_limit(&self) -> Option<u64> {
        self.memory_limit_bytes()
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

/// Plans `expr` for the pool and ranks it would run on.
pub(crate) fn plan_for<T: Element>(expr: &Arc<dyn Expr<T>>, cfg: &Config) -> Result<Plan> {
    let root: Arc<dyn Node> = expr.clone();
    plan_many(&[root], cfg)
}

/// Plans `roots` together, as [`compute_many`] runs them.
pub(crate) fn plan_many(roots: &[Arc<dyn Node>], cfg: &Config) -> Result<Plan> {
    plan::build(roots, target(cfg, plan::Outputs::InMemory))
}

/// What a plan is made for under `cfg`: the configured workers, or the current pool's.
fn target(cfg: &Config, outputs: plan::Outputs) -> plan::Target {
    plan::Target {
        workers: cfg.workers.unwrap_or_else(rayon::current_num_threads),
        ranks: cfg.exec().ranks(),
        memory_limit: cfg.memory_limit,
        outputs,
    }
}

/// Computes `expr` under `cfg`.
pub(crate) fn compute<T: Element>(expr: &Arc<dyn Expr<T>>, cfg: &Config) -> Result<ArrayD<T>> {
    let mut arrays = compute_many(std::slice::from_ref(expr), cfg)?;
    Ok(arrays.pop().expect("one array per root"))
}

/// Computes `expr` under `cfg` with its array gathered to rank 0 only: `Some` there, `None`
/// on the other ranks.
pub(crate) fn compute_to_root<T: Element>(
    expr: &Arc<dyn Expr<T>>,
    cfg: &Config,
) -> Result<Option<ArrayD<T>>> {
    let root: Arc<dyn Node> = expr.clone();
    let id = root.meta().id;
    let results = execute(&[root], plan::Outputs::InMemory, None, Gather::Root, cfg)?;
    if cfg.exec().rank() != 0 {
        return Ok(None);
    }
    let v = results.value(id);
    drop(results);
    Ok(Some(into_array(v)))
}

/// Where the result arrays of a compute go when there are several ranks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gather {
    /// To every rank (`compute`).
    All,
    /// To rank 0 only (`compute_to_root`); the other ranks keep their own chunks.
    Root,
}

/// Computes several arrays of one type under `cfg`, planned as one graph.
pub(crate) fn compute_many<T: Element>(
    exprs: &[Arc<dyn Expr<T>>],
    cfg: &Config,
) -> Result<Vec<ArrayD<T>>> {
    if exprs.is_empty() {
        return Ok(Vec::new());
    }
    let roots: Vec<Arc<dyn Node>> = exprs.iter().map(|e| e.clone() as Arc<dyn Node>).collect();
    Ok(compute_values(&roots, cfg)?
        .into_iter()
        .map(into_array)
        .collect())
}

/// Computes the roots (of any dtypes) under `cfg`: each root's value, in order.
pub(crate) fn compute_values(
    roots: &[Arc<dyn Node>],
    cfg: &Config,
) -> Result<Vec<Option<crate::graph::Value>>> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let results = execute(roots, plan::Outputs::InMemory, None, Gather::All, cfg)?;
    // Each root's value leaves the results; the last holder gives it up without a copy.
    let values: Vec<_> = roots.iter().map(|r| results.value(r.meta().id)).collect();
    drop(results);
    Ok(values)
}

/// A root's value as its array: taken without a copy when nothing else holds it (the results
/// were dropped first), copied when the same root was asked for twice.
pub(crate) fn into_array<T: Element>(v: Option<crate::graph::Value>) -> ArrayD<T> {
    let arr = v
        .expect("every root is produced by a pass")
        .downcast::<ArrayD<T>>()
        .expect("a root's value has its dtype");
    Arc::try_unwrap(arr).unwrap_or_else(|a| (*a).clone())
}

/// Computes the targets' arrays (planned as one graph) and writes each through its sink: the
/// plan's file passes write the chunks; a target that a step produced whole (a reduction's
/// result) is written from its value. Returns whether this rank wrote the files (only rank 0
/// does, under MPI), so that it alone commits them.
pub(crate) fn write_targets(targets: &[Target], cfg: &Config) -> Result<bool> {
    if targets.is_empty() {
        return Ok(true);
    }
    let roots: Vec<Arc<dyn Node>> = targets.iter().map(|t| t.node.clone()).collect();
    let exec = cfg.exec();
    let worker_bytes = targets
        .iter()
        .fold(0u64, |a, t| a.saturating_add(t.sink.worker_bytes()));
    let results = execute(
        &roots,
        plan::Outputs::Files { worker_bytes },
        Some(targets),
        Gather::All,
        cfg,
    )?;
    let writes = passes::writes_files(&*exec);
    let written = if writes {
        targets
            .iter()
            .try_for_each(|t| match results.value(t.node.meta().id) {
                Some(v) => t.sink.write_value(&*v),
                None => Ok(()),
            })
    } else {
        Ok(())
    };
    passes::agree(&*exec, written)?;
    Ok(writes)
}

/// Plans `roots` under `cfg` (refusing a plan over the memory limit) and runs its passes on
/// the configured pool and executor, reporting compute start and end to the observers. Files
/// passes write through `targets`. Returns every pass's results.
fn execute(
    roots: &[Arc<dyn Node>],
    outputs: plan::Outputs,
    targets: Option<&[Target]>,
    gather: Gather,
    cfg: &Config,
) -> Result<crate::graph::Results> {
    let exec = cfg.exec();
    let run = || {
        let plan = plan::build(roots, target(cfg, outputs))?;
        if let Some(limit) = cfg.memory_limit {
            if plan.memory.total > limit {
                return Err(Error::MemoryLimit {
                    op: plan.result.clone(),
                    shape: plan.shape.clone(),
                    projected: plan.memory.total,
                    limit,
                });
            }
        } else if let Some(m) = crate::kernels::physical_memory() {
            // Without a limit of the user's, the machine's memory: a plan projected past it
            // (a `bincount` of a huge value, a result larger than memory) cannot be held, and
            // allocating it would end the process rather than fail.
            if plan.memory.total > m {
                return Err(Error::TooLarge {
                    op: plan.result.clone(),
                    shape: plan.shape.clone(),
                    reason: format!(
                        "projected peak memory {} bytes exceeds the machine's {m} bytes",
                        plan.memory.total
                    ),
                });
            }
        }
        let events = cfg.events();
        let info = ComputeInfo {
            name: plan.result.clone(),
            total_tasks: passes::tasks_on(&plan, &*exec),
            total_elements: plan.total_elements(),
            start: Instant::now(),
        };
        events.compute_start(&info);
        let r = passes::run(&plan, &*exec, &events, targets, gather);
        events.compute_end(&info, r.is_ok());
        r
    };
    match cfg.workers {
        Some(n) => pool(n)?.install(run),
        None => run(),
    }
}
