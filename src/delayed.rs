//! Task graphs from plain Rust functions: Dask's `delayed`, typed.
//!
//! A [`Delayed<T>`] is a lazy value: a named task with inputs (other delayed values) and a
//! function from their values to a `T`. Nothing runs until [`Delayed::compute`]; then the graph
//! runs on the current rayon pool, each task as soon as its inputs are done, so independent tasks
//! overlap. An input shared by several tasks runs once. A task that panics or fails becomes an
//! [`Error::Task`] naming it; the tasks that do not depend on it still run.
//!
//! ```
//! use chunkwise::delayed;
//! // The lesson's example: ten independent estimates, combined by a mean.
//! let estimates: Vec<_> = (0..10u64)
//!     .map(|k| delayed::task(format!("estimate {k}"), move || k as f64))
//!     .collect();
//! let mean = delayed::gather("estimates", &estimates).then("mean", |v| v.iter().sum::<f64>() / v.len() as f64);
//! assert_eq!(mean.compute()?, 4.5);
//! # Ok::<(), chunkwise::Error>(())
//! ```

use std::any::Any;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use crate::error::{Error, Result};
use crate::events::{ComputeInfo, Events};
use crate::execute::Config;

type Value = Arc<dyn Any + Send + Sync>;
type TaskFn = dyn Fn(&[Value]) -> Result<Value> + Send + Sync;

/// One task of a graph, type-erased.
pub(crate) struct TaskNode {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) deps: Vec<Arc<TaskNode>>,
    run: Box<TaskFn>,
}

/// A lazy value of type `T`: a task and its inputs.
pub struct Delayed<T> {
    pub(crate) node: Arc<TaskNode>,
    _t: PhantomData<fn() -> T>,
}

impl<T> Clone for Delayed<T> {
    fn clone(&self) -> Self {
        Delayed {
            node: self.node.clone(),
            _t: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for Delayed<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Delayed({:?}, {} inputs)",
            self.node.name,
            self.node.deps.len()
        )
    }
}

fn node(name: String, deps: Vec<Arc<TaskNode>>, run: Box<TaskFn>) -> Arc<TaskNode> {
    Arc::new(TaskNode {
        id: crate::graph::next_id(),
        name,
        deps,
        run,
    })
}

fn get<T: Send + Sync + 'static>(v: &Value) -> &T {
    v.downcast_ref::<T>()
        .expect("a task's input has the type its Delayed says")
}

/// A task with no inputs that returns `f()`.
pub fn task<T, F>(name: impl Into<String>, f: F) -> Delayed<T>
where
    T: Send + Sync + 'static,
    F: Fn() -> T + Send + Sync + 'static,
{
    try_task(name, move || Ok(f()))
}

/// A task with no inputs that may fail.
pub fn try_task<T, F>(name: impl Into<String>, f: F) -> Delayed<T>
where
    T: Send + Sync + 'static,
    F: Fn() -> Result<T> + Send + Sync + 'static,
{
    Delayed::from_node(node(
        name.into(),
        Vec::new(),
        Box::new(move |_| Ok(Arc::new(f()?) as Value)),
    ))
}

/// A known value as a task (Dask's `delayed(value)`).
pub fn value<T: Clone + Send + Sync + 'static>(name: impl Into<String>, v: T) -> Delayed<T> {
    task(name, move || v.clone())
}

/// A task of two inputs.
pub fn join<A, B, T, F>(name: impl Into<String>, a: &Delayed<A>, b: &Delayed<B>, f: F) -> Delayed<T>
where
    A: Send + Sync + 'static,
    B: Send + Sync + 'static,
    T: Send + Sync + 'static,
    F: Fn(&A, &B) -> T + Send + Sync + 'static,
{
    let run = move |v: &[Value]| Ok(Arc::new(f(get::<A>(&v[0]), get::<B>(&v[1]))) as Value);
    Delayed::from_node(node(
        name.into(),
        vec![a.node.clone(), b.node.clone()],
        Box::new(run),
    ))
}

/// A task that collects the values of several tasks, in order (like passing a list of
/// delayed values to a Dask task).
pub fn gather<T>(name: impl Into<String>, items: &[Delayed<T>]) -> Delayed<Vec<T>>
where
    T: Clone + Send + Sync + 'static,
{
    let run = |v: &[Value]| {
        Ok(Arc::new(v.iter().map(|x| get::<T>(x).clone()).collect::<Vec<T>>()) as Value)
    };
    Delayed::from_node(node(
        name.into(),
        items.iter().map(|d| d.node.clone()).collect(),
        Box::new(run),
    ))
}

impl<T: Send + Sync + 'static> Delayed<T> {
    pub(crate) fn from_node(node: Arc<TaskNode>) -> Self {
        Delayed {
            node,
            _t: PhantomData,
        }
    }

    /// The task's name.
    pub fn name(&self) -> &str {
        &self.node.name
    }

    /// A task that applies `f` to this one's value.
    pub fn then<U, F>(&self, name: impl Into<String>, f: F) -> Delayed<U>
    where
        U: Send + Sync + 'static,
        F: Fn(&T) -> U + Send + Sync + 'static,
    {
        self.try_then(name, move |x| Ok(f(x)))
    }

    /// A task that applies a fallible `f` to this one's value.
    pub fn try_then<U, F>(&self, name: impl Into<String>, f: F) -> Delayed<U>
    where
        U: Send + Sync + 'static,
        F: Fn(&T) -> Result<U> + Send + Sync + 'static,
    {
        let run = move |v: &[Value]| Ok(Arc::new(f(get::<T>(&v[0]))?) as Value);
        Delayed::from_node(node(name.into(), vec![self.node.clone()], Box::new(run)))
    }

    /// Runs the graph on the current rayon pool and returns the value, shared.
    pub fn compute_arc(&self) -> Result<Arc<T>> {
        self.compute_arc_with(&Config::default())
    }

    /// [`compute_arc`](Self::compute_arc) with a [`Config`] (workers, observers, progress).
    pub fn compute_arc_with(&self, cfg: &Config) -> Result<Arc<T>> {
        let run = || {
            let events = cfg.events();
            let graph = Graph::new(&self.node);
            let info = ComputeInfo {
                name: self.node.name.clone(),
                total_tasks: graph.nodes.len() as u64,
                total_elements: 0,
                start: Instant::now(),
            };
            events.compute_start(&info);
            let r = graph.run(&events);
            events.compute_end(&info, r.is_ok());
            r
        };
        let v = match cfg.worker_count() {
            Some(n) => crate::execute::pool(n)?.install(run),
            None => run(),
        }?;
        Ok(v.downcast::<T>()
            .unwrap_or_else(|_| unreachable!("the root task has the Delayed's type")))
    }
}

impl<T: Clone + Send + Sync + 'static> Delayed<T> {
    /// Runs the graph on the current rayon pool and returns the value.
    pub fn compute(&self) -> Result<T> {
        Ok((*self.compute_arc()?).clone())
    }

    /// [`compute`](Self::compute) with a [`Config`].
    pub fn compute_with(&self, cfg: &Config) -> Result<T> {
        Ok((*self.compute_arc_with(cfg)?).clone())
    }
}

/// Every node below the root once, inputs first, with the edges as indices.
struct Graph {
    nodes: Vec<Arc<TaskNode>>,
    deps: Vec<Vec<usize>>,
    users: Vec<Vec<usize>>,
    waiting: Vec<AtomicUsize>,
    results: Vec<OnceLock<Result<Value>>>,
}

/// Every task below `root` (and itself), each once, inputs before the tasks that use them.
pub(crate) fn post_order(root: &Arc<TaskNode>) -> Vec<Arc<TaskNode>> {
    crate::walk::post_order([root.clone()], |n| n.id, |n| n.deps.clone())
}

impl Graph {
    fn new(root: &Arc<TaskNode>) -> Self {
        let nodes = post_order(root);
        let index: HashMap<u64, usize> = nodes.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
        let deps: Vec<Vec<usize>> = nodes
            .iter()
            .map(|n| n.deps.iter().map(|d| index[&d.id]).collect())
            .collect();
        let mut users = vec![Vec::new(); nodes.len()];
        for (i, ds) in deps.iter().enumerate() {
            let mut distinct = ds.clone();
            distinct.sort_unstable();
            distinct.dedup();
            for d in distinct {
                users[d].push(i);
            }
        }
        let waiting = deps
            .iter()
            .map(|ds| {
                let mut d = ds.clone();
                d.sort_unstable();
                d.dedup();
                AtomicUsize::new(d.len())
            })
            .collect();
        let results = nodes.iter().map(|_| OnceLock::new()).collect();
        Graph {
            nodes,
            deps,
            users,
            waiting,
            results,
        }
    }

    fn run(&self, events: &Events) -> Result<Value> {
        rayon::scope(|s| {
            for (i, ds) in self.deps.iter().enumerate() {
                if ds.is_empty() {
                    self.spawn(s, i, events);
                }
            }
        });
        let root = self.nodes.len() - 1;
        self.results[root].get().cloned().expect("every task ran")
    }

    fn spawn<'s>(&'s self, s: &rayon::Scope<'s>, i: usize, events: &'s Events) {
        s.spawn(move |s| {
            self.run_one(i, events);
            for &u in &self.users[i] {
                if self.waiting[u].fetch_sub(1, Ordering::AcqRel) == 1 {
                    self.spawn(s, u, events);
                }
            }
        });
    }

    fn run_one(&self, i: usize, events: &Events) {
        let n = &self.nodes[i];
        let inputs: Result<Vec<Value>> = self.deps[i]
            .iter()
            .map(|&d| self.results[d].get().cloned().expect("inputs ran first"))
            .collect();
        // A failed input fails this task with the input's own error, without running it.
        let r = inputs.and_then(|values| {
            events.task(
                || n.name.clone(),
                0,
                0,
                || {
                    let ran = catch_unwind(AssertUnwindSafe(|| (n.run)(&values)));
                    // An error the task returned names the task, like a panic does.
                    let ran = ran.map(|r| {
                        r.map_err(|e| match e {
                            Error::Task { .. } => e,
                            other => Error::Task {
                                task: n.name.clone(),
                                reason: other.to_string(),
                            },
                        })
                    });
                    ran.unwrap_or_else(|p| {
                        Err(Error::Task {
                            task: n.name.clone(),
                            reason: format!("panicked: {}", crate::error::panic_message(&*p)),
                        })
                    })
                },
            )
        });
        let _ = self.results[i].set(r);
    }
}
