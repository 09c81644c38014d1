//! Task graphs and seeing the work: delayed graphs, arrays and delayed values mixed, DOT output
//! (checked with a small DOT parser), the profiler, the progress bar and custom observers.

// The one-axis and several-axes spellings (`sum_axis`, `var_ddof`, ...) are deprecated
// wrappers of the `_with` forms, kept for a release: these tests exercise them on purpose.
#![allow(deprecated)]
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chunkwise::delayed;
use chunkwise::diagnostics::{GraphLevel, Profiler, ProgressBar};
use chunkwise::events::{ComputeInfo, Observer, TaskInfo};
use chunkwise::prelude::*;

/// A minimal DOT reader: node ids with their labels, and edges. Enough for what chunkwise
/// writes: one statement per line, `id [label="..."]` and `a -> b`.
struct Dot {
    nodes: HashMap<String, String>,
    edges: Vec<(String, String)>,
}

fn parse_dot(text: &str) -> Dot {
    let body = text.trim();
    assert!(
        body.starts_with("digraph") && body.ends_with('}'),
        "not a digraph: {body}"
    );
    assert_eq!(
        body.matches('{').count(),
        body.matches('}').count(),
        "unbalanced braces"
    );
    let mut nodes = HashMap::new();
    let mut edges = Vec::new();
    for line in body.lines().map(str::trim) {
        // A statement is `id -> id ...` or `id [attributes]`; labels may hold " -> " themselves.
        let Some((first, rest)) = line.split_once(' ') else {
            continue;
        };
        if let Some(rest) = rest.strip_prefix("-> ") {
            let b = rest.split([' ', ';', '[']).next().unwrap();
            edges.push((first.to_string(), b.to_string()));
        } else if let Some(attrs) = rest.strip_prefix('[') {
            if first == "node" {
                continue;
            }
            let label = attrs.split_once("label=\"").map(|(_, l)| {
                let mut out = String::new();
                let mut chars = l.chars();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => match chars.next().unwrap() {
                            'n' => out.push('\n'),
                            c => out.push(c),
                        },
                        '"' => break,
                        c => out.push(c),
                    }
                }
                out
            });
            nodes.insert(first.to_string(), label.unwrap_or_default());
        }
    }
    for (a, b) in &edges {
        assert!(
            nodes.contains_key(a) && nodes.contains_key(b),
            "edge {a} -> {b} to an undeclared node"
        );
    }
    Dot { nodes, edges }
}

#[test]
fn diamond_runs_the_shared_task_once() {
    let runs = Arc::new(AtomicUsize::new(0));
    let r = runs.clone();
    let top = delayed::task("load", move || {
        r.fetch_add(1, Ordering::SeqCst);
        10
    });
    let left = top.then("double", |x| x * 2);
    let right = top.then("square", |x| x * x);
    let bottom = delayed::join("add", &left, &right, |a, b| a + b);
    assert_eq!(bottom.compute().unwrap(), 120);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    // Each compute runs the graph afresh.
    assert_eq!(bottom.compute().unwrap(), 120);
    assert_eq!(runs.load(Ordering::SeqCst), 2);
    let dot = parse_dot(&bottom.to_dot());
    assert_eq!(dot.nodes.len(), 4);
    assert_eq!(dot.edges.len(), 4);
    let labels: HashSet<&str> = dot.nodes.values().map(String::as_str).collect();
    assert_eq!(labels, HashSet::from(["load", "double", "square", "add"]));
}

/// A task's name, start, end and worker.
type Span = (String, Instant, Instant, Option<usize>);

/// Records task start and end times.
#[derive(Default)]
struct Spans(Mutex<Vec<Span>>);
impl Observer for Spans {
    fn on_task_end(&self, t: &TaskInfo, elapsed: Duration, _ok: bool) {
        self.0
            .lock()
            .unwrap()
            .push((t.name.clone(), t.start, t.start + elapsed, t.worker));
    }
}

#[test]
fn independent_tasks_overlap() {
    // Long enough that a busy machine cannot run them one after the other by accident.
    let sleep = |name: &'static str| {
        delayed::task(name, move || std::thread::sleep(Duration::from_millis(250)))
    };
    let (a, b) = (sleep("a"), sleep("b"));
    let both = delayed::join("both", &a, &b, |_, _| ());
    let spans = Arc::new(Spans::default());
    both.compute_with(&Config::default().workers(2).observer(spans.clone()))
        .unwrap();
    let s = spans.0.lock().unwrap();
    let get = |n: &str| s.iter().find(|x| x.0 == n).unwrap().clone();
    let (a, b, j) = (get("a"), get("b"), get("both"));
    // Measured with timestamps: each started before the other ended.
    assert!(
        a.1 < b.2 && b.1 < a.2,
        "a {:?}..{:?}, b {:?}..{:?}",
        a.1,
        a.2,
        b.1,
        b.2
    );
    assert_ne!(a.3, b.3, "on two workers");
    // The join ran after both.
    assert!(j.1 >= a.2 && j.1 >= b.2);
}

#[test]
fn a_failing_task_is_named_and_independent_tasks_finish() {
    let done = Arc::new(AtomicUsize::new(0));
    let d = done.clone();
    let ok = delayed::task("fine", move || {
        std::thread::sleep(Duration::from_millis(20));
        d.fetch_add(1, Ordering::SeqCst);
        1
    });
    let bad: chunkwise::Delayed<i32> = delayed::task("explodes", || panic!("no peas left"));
    let after = bad.then("after the explosion", |x| x + 1);
    let total = delayed::join("total", &ok, &after, |a, b| a + b);
    let err = total.compute().unwrap_err();
    assert!(matches!(err, chunkwise::Error::Task { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("explodes") && msg.contains("no peas left"),
        "{msg}"
    );
    assert_eq!(
        done.load(Ordering::SeqCst),
        1,
        "the independent task finished"
    );
    // An error a task returns names the task too.
    let e = delayed::try_task("parse", || -> chunkwise::Result<i64> {
        chunkwise::arange(3).item()
    })
    .compute()
    .unwrap_err()
    .to_string();
    assert!(e.contains("parse") && e.contains("size 1"), "{e}");
    // The pool keeps working.
    assert_eq!(ok.compute().unwrap(), 1);
}

#[test]
fn arrays_and_delayed_values_mix() {
    // A reduction feeds a task...
    let n = 1_000_000;
    let pts = chunkwise::random::default_rng(42).uniform(-1.0, 1.0, [2, n]);
    let inside = pts.square().sum_axis(0).unwrap().lt(1.0).count_nonzero();
    let pi = inside
        .to_delayed()
        .then("pi", move |c| 4.0 * c[[]] as f64 / n as f64);
    let want = 4.0 * inside.item().unwrap() as f64 / n as f64;
    assert_eq!(pi.compute().unwrap(), want);
    // ... and a task feeds an array, which runs it once however many chunks read it.
    let runs = Arc::new(AtomicUsize::new(0));
    let r = runs.clone();
    let made = delayed::task("make", move || {
        r.fetch_add(1, Ordering::SeqCst);
        ndarray::Array::from_shape_fn((6, 4), |(i, j)| (i * 4 + j) as f64).into_dyn()
    });
    let x = chunkwise::from_delayed(made.clone(), [6, 4], [2, 2]).unwrap();
    assert_eq!(x.sum().item().unwrap(), (0..24).sum::<i32>() as f64);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    let wrong = chunkwise::from_delayed(made, [5, 4], 2).unwrap();
    assert!(matches!(
        wrong.compute().unwrap_err(),
        chunkwise::Error::ShapeMismatch { .. }
    ));
    // Ten pi estimates as tasks, combined by a mean (the lesson's dask.delayed version).
    let estimates: Vec<_> = (0..10u64)
        .map(|k| {
            let p = chunkwise::random::default_rng(k).uniform(-1.0, 1.0, [2, 10_000]);
            p.square()
                .sum_axis(0)
                .unwrap()
                .lt(1.0)
                .count_nonzero()
                .to_delayed()
                .then(format!("estimate {k}"), |c| 4.0 * c[[]] as f64 / 10_000.0)
        })
        .collect();
    let mean = delayed::gather("estimates", &estimates)
        .then("mean", |v| v.iter().sum::<f64>() / v.len() as f64);
    assert!((mean.compute().unwrap() - std::f64::consts::PI).abs() < 0.05);
    assert_eq!(parse_dot(&mean.to_dot()).nodes.len(), 10 + 10 + 2);
}

#[test]
fn array_graphs_at_three_levels() {
    let pts = chunkwise::random::default_rng(1)
        .uniform(-1.0, 1.0, [2, 8192])
        .rechunk([2, 2048])
        .unwrap();
    let inside = pts.square().sum_axis(0).unwrap().lt(1.0).count_nonzero();
    let ops = parse_dot(&inside.to_dot(GraphLevel::Ops).unwrap());
    let first_lines: Vec<String> = ops
        .nodes
        .values()
        .map(|l| l.lines().next().unwrap().to_string())
        .collect();
    for op in [
        "uniform(-1, 1)",
        "square",
        "sum(axis=[0])",
        "lt 1",
        "count_nonzero",
    ] {
        assert!(
            first_lines.iter().any(|l| l == op),
            "missing {op} in {first_lines:?}"
        );
    }
    assert_eq!(ops.edges.len(), ops.nodes.len() - 1, "a chain");
    // Optimized: the fused chain is one node.
    let opt = parse_dot(&inside.to_dot(GraphLevel::Optimized).unwrap());
    assert_eq!(opt.nodes.len(), 1, "{:?}", opt.nodes);
    let label = opt.nodes.values().next().unwrap();
    assert!(
        label.contains("uniform(-1, 1) -> rechunk")
            && label.contains("-> square -> sum(axis=[0]) -> lt 1 -> count_nonzero"),
        "{label}"
    );
    // Tasks: 4 leaf tasks (the chunks are whole groups of canonical leaves), a tree of 3
    // combines, the result.
    let tasks = parse_dot(&inside.to_dot(GraphLevel::Tasks).unwrap());
    let count = |p: &str| tasks.nodes.values().filter(|l| l.starts_with(p)).count();
    assert_eq!(count("task"), 4);
    assert_eq!(count("combine"), 3);
    assert_eq!(count("result"), 1);
    // Leaves to the first combines, those to the top one, the top one to the result.
    assert_eq!(tasks.edges.len(), 4 + 2 + 1);
    // A big task graph is cut off with a note.
    let big = chunkwise::arange(2_000_000).rechunk(2048).unwrap().sum();
    let text = big.to_dot(GraphLevel::Tasks).unwrap();
    let d = parse_dot(&text);
    assert!(d.nodes.len() <= chunkwise::diagnostics::MAX_TASK_NODES + 3);
    assert!(text.contains("more tasks not drawn"));
    // A staged reduction read by a later pass draws the read.
    let x = chunkwise::random::default_rng(0)
        .random([20, 20])
        .rechunk([5, 5])
        .unwrap();
    let e = (&x - x.mean_axis(0).unwrap()).sum();
    let o = parse_dot(&e.to_dot(GraphLevel::Optimized).unwrap());
    assert_eq!(o.nodes.len(), 2);
    assert_eq!(o.edges.len(), 1);
}

#[test]
fn visualize_writes_dot_and_svg_where_graphviz_is() {
    let dir = std::env::temp_dir().join(format!("chunkwise-vis-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let g = delayed::task("a", || 1).then("b", |x| x + 1);
    let v = g.visualize(dir.join("graph")).unwrap();
    assert_eq!(v.dot, dir.join("graph.dot"));
    parse_dot(&std::fs::read_to_string(&v.dot).unwrap());
    let has_dot = std::process::Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if has_dot {
        let svg = std::fs::read_to_string(v.svg.unwrap()).unwrap();
        // Graphviz writes a DOCTYPE.
        let opts = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        let doc = roxmltree::Document::parse_with_options(&svg, opts).expect("valid SVG");
        assert_eq!(doc.root_element().tag_name().name(), "svg");
    } else {
        assert!(v.svg.is_none());
        assert!(v.note.unwrap().contains("graphviz"));
    }
    let x = chunkwise::arange(100).rechunk(25).unwrap().sum();
    let v = x.visualize(dir.join("sum.svg"), GraphLevel::Tasks).unwrap();
    assert_eq!(v.dot, dir.join("sum.dot"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn profiler_records_every_task_and_draws_them() {
    let prof = Arc::new(Profiler::new(Duration::from_millis(2)));
    let x = chunkwise::random::default_rng(3)
        .random([4, 1 << 19])
        .rechunk([1, 1 << 17])
        .unwrap();
    let cfg = Config::default().workers(2).observer(prof.clone());
    let plan = x.sum().plan().unwrap();
    x.sum().item_with(&cfg).unwrap();
    let rec = prof.record();
    assert_eq!(rec.tasks.len() as u64, plan.total_tasks());
    // Chunks of 2^17 are whole groups of 64 canonical leaves: one task per chunk.
    assert_eq!(rec.tasks.len(), 16);
    let ids: HashSet<u64> = rec.tasks.iter().map(|t| t.id).collect();
    assert_eq!(ids.len(), 16, "one entry per task");
    assert!(rec
        .tasks
        .iter()
        .all(|t| t.ok && t.end >= t.start && t.elements == 1 << 17 && t.bytes == 8 << 17));
    assert!(rec.tasks.iter().all(|t| t.worker.is_some_and(|w| w < 2)));
    assert!(!rec.resources.is_empty());
    let json: serde_json::Value = serde_json::from_str(&rec.to_json()).unwrap();
    assert_eq!(json["tasks"].as_array().unwrap().len(), 16);
    let svg = rec.to_svg().unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("valid SVG");
    let rects = doc.descendants().filter(|n| n.has_tag_name("rect")).count();
    assert!(rects >= 16, "a bar per task: {rects}");
    // A delayed graph is profiled the same way.
    let g = delayed::task("a", || 1).then("b", |x| x * 2);
    g.compute_with(&Config::default().observer(prof.clone()))
        .unwrap();
    let names: Vec<String> = prof.record().tasks.iter().map(|t| t.name.clone()).collect();
    assert_eq!(names, vec!["a", "b"]);
}

#[test]
fn progress_counts_tasks_and_appears_only_after_the_threshold() {
    let x = chunkwise::arange(1 << 20).rechunk(1 << 13).unwrap().sum();
    let quick = Arc::new(ProgressBar::hidden(Duration::from_secs(3600)));
    x.item_with(&Config::default().observer(quick.clone()))
        .unwrap();
    assert_eq!(quick.tasks_done(), 128);
    assert_eq!(quick.times_shown(), 0, "short work shows no bar");
    let eager = Arc::new(ProgressBar::hidden(Duration::ZERO));
    x.item_with(&Config::default().observer(eager.clone()))
        .unwrap();
    assert_eq!(eager.tasks_done(), 128);
    assert_eq!(eager.times_shown(), 1);
    // Off by default when standard error is not a terminal (as under cargo test), and the
    // switch in Config works both ways without disturbing results.
    assert_eq!(
        x.item_with(&Config::default().progress(false)).unwrap(),
        (1i64 << 20) * ((1 << 20) - 1) / 2
    );
    assert_eq!(
        x.item_with(
            &Config::default()
                .progress(true)
                .progress_after(Duration::from_secs(60))
        )
        .unwrap(),
        (1i64 << 20) * ((1 << 20) - 1) / 2
    );
}

/// A user's own observer on the same interface.
#[derive(Default)]
struct Counter {
    starts: AtomicUsize,
    ends: AtomicUsize,
    elements: AtomicUsize,
    total: Mutex<Option<u64>>,
}
impl Observer for Counter {
    fn on_compute_start(&self, info: &ComputeInfo) {
        *self.total.lock().unwrap() = Some(info.total_tasks);
    }
    fn on_task_start(&self, _t: &TaskInfo) {
        self.starts.fetch_add(1, Ordering::SeqCst);
    }
    fn on_task_end(&self, t: &TaskInfo, _e: Duration, _ok: bool) {
        self.ends.fetch_add(1, Ordering::SeqCst);
        self.elements
            .fetch_add(t.elements as usize, Ordering::SeqCst);
    }
}

#[test]
fn custom_observers_see_every_task() {
    let c = Arc::new(Counter::default());
    let x = chunkwise::from_array(ndarray::Array2::<f64>::ones((30, 40)), [10, 10]).unwrap();
    let y = (&x + &x.square()).compute_with(&Config::default().observer(c.clone()));
    assert!(y.is_ok());
    assert_eq!(c.starts.load(Ordering::SeqCst), 12);
    assert_eq!(c.ends.load(Ordering::SeqCst), 12);
    assert_eq!(c.elements.load(Ordering::SeqCst), 1200);
    assert_eq!(*c.total.lock().unwrap(), Some(12));
}

/// The same for a contraction: one output block whose task multiplies 1024 pairs of blocks
/// (seconds of work) stops between two products. The blocks are 32 tiles each, fewer than the
/// tiles between two looks of a tile walk, so only the look between products sees the cancel.
#[test]
fn a_cancel_stops_a_long_block_product_between_its_blocks() {
    use std::sync::atomic::AtomicBool;
    struct CancelAtFirstTask {
        flag: Arc<AtomicBool>,
        at: Mutex<Option<Instant>>,
    }
    impl Observer for CancelAtFirstTask {
        fn on_task_start(&self, _task: &TaskInfo) {
            let mut at = self.at.lock().unwrap();
            if at.is_none() {
                *at = Some(Instant::now());
                self.flag.store(true, Ordering::Relaxed);
            }
        }
    }
    let (m, k) = (256, 1 << 18);
    let mut rng = chunkwise::random::default_rng(3);
    let a = rng.random([m, k]).rechunk([m, 256]).unwrap();
    let b = rng.random([k, m]).rechunk([256, m]).unwrap();
    let s = chunkwise::matmul(&a, &b).unwrap().sum();
    let flag = Arc::new(AtomicBool::new(false));
    let observer = Arc::new(CancelAtFirstTask {
        flag: flag.clone(),
        at: Mutex::new(None),
    });
    let cfg = Config::default()
        .workers(1)
        .cancel_on(flag)
        .observer(observer.clone());
    let r = s.compute_with(&cfg);
    let done = Instant::now();
    assert!(matches!(r, Err(chunkwise::Error::Cancelled)), "{r:?}");
    let set_at = observer.at.lock().unwrap().expect("a task started");
    let late = done.saturating_duration_since(set_at);
    assert!(
        late < Duration::from_millis(500),
        "stopped {late:?} after the cancel"
    );
}

/// A cancel set while one long chunk task runs stops it between its tiles: the compute
/// returns `Cancelled` long before the chunk would have ended. The flag is set when the first
/// task starts (by an observer), so only a look inside the running task can see it in time.
#[test]
fn a_cancel_stops_a_long_task_between_its_tiles() {
    use std::sync::atomic::AtomicBool;
    struct CancelAtFirstTask {
        flag: Arc<AtomicBool>,
        at: Mutex<Option<Instant>>,
    }
    impl Observer for CancelAtFirstTask {
        fn on_task_start(&self, _task: &TaskInfo) {
            let mut at = self.at.lock().unwrap();
            if at.is_none() {
                *at = Some(Instant::now());
                self.flag.store(true, Ordering::Relaxed);
            }
        }
    }
    // Chunks of 1e9 random values, squared and summed: seconds of work per task, none of it
    // held in memory (a task walks its chunk tile by tile).
    let n = 2_000_000_000;
    let x = chunkwise::random::default_rng(7)
        .random([n])
        .rechunk(n / 2)
        .unwrap();
    let s = x.square().sum();
    let flag = Arc::new(AtomicBool::new(false));
    let observer = Arc::new(CancelAtFirstTask {
        flag: flag.clone(),
        at: Mutex::new(None),
    });
    let cfg = Config::default()
        .workers(1)
        .cancel_on(flag)
        .observer(observer.clone());
    let r = s.compute_with(&cfg);
    let done = Instant::now();
    assert!(matches!(r, Err(chunkwise::Error::Cancelled)), "{r:?}");
    let set_at = observer.at.lock().unwrap().expect("a task started");
    let late = done.saturating_duration_since(set_at);
    assert!(
        late < Duration::from_millis(500),
        "stopped {late:?} after the cancel"
    );
}
