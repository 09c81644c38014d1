//! The MPI executor: `mpiexec -n K` of a child (the ignored `mpi_child` below) for K = 1..4
//! ranks and 1..3 workers per rank gives the bits of a run in one process, on every rank, for
//! every workload; a task that fails on one rank fails the compute on every rank, promptly.
//!
//! Needs the feature `mpi` and `mpiexec` on the PATH (`.ci/run` installs OpenMPI).

// The one-axis spellings (`sum_axis`, `max_axis`) are deprecated wrappers of the `_with`
// forms, kept for a release: these tests exercise them on purpose.
#![allow(deprecated)]
#![cfg(feature = "mpi")]

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chunkwise::prelude::*;
use chunkwise::{BlockSpec, DynArray, DynNdArray, Executor, Mpi};

/// A digest of a value's bits (FNV-1a over each element's bits), so that runs compare exactly.
fn digest<T: chunkwise::Element>(a: &ndarray::ArrayD<T>) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for v in a.iter() {
        let bits = format!("{v:?}");
        for b in bits.bytes() {
            h = (h ^ b as u64).wrapping_mul(0x100000001b3);
        }
    }
    format!("{:?}{:?}:{h:016x}", a.shape(), a.iter().next())
}

/// Runs `f` under MPI and in this process alone; they must agree bit for bit. Prints the
/// digest for the parent to compare across launches.
fn check<T: chunkwise::Element>(rank: usize, name: &str, mpi_cfg: &Config, x: &ChunkedArray<T>) {
    let distributed = x.compute_with(mpi_cfg).unwrap();
    let alone = x
        .compute_with(&Config::default().executor(std::sync::Arc::new(chunkwise::Local)))
        .unwrap();
    let (d, a) = (digest(&distributed), digest(&alone));
    assert_eq!(
        d, a,
        "{name}: rank {rank} differs from a run in one process"
    );
    println!("rank {rank} {name}: {d}");
}

/// The child that `mpiexec` starts on every rank (run by the tests below, not alone).
#[test]
#[ignore = "a child of the tests below, started by mpiexec"]
fn mpi_child() {
    let mpi = Mpi::init().unwrap();
    let rank = mpi.rank();
    let workers: usize = std::env::var("CHUNKWISE_TEST_WORKERS")
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or(1);
    let cfg = Config::default()
        .executor(mpi.clone())
        .workers(workers)
        .progress(false);
    if std::env::var("CHUNKWISE_TEST_FAIL").is_ok() {
        // A task on the last rank panics mid-compute; every rank must return an error.
        let last = mpi.ranks() - 1;
        let x = chunkwise::arange(1 << 20)
            .rechunk(1 << 14)
            .unwrap()
            .map_blocks(move |b| {
                if rank == last && b.iter().next() == Some(&((1i64 << 20) - (1 << 14))) {
                    panic!("the last chunk fails on rank {rank}");
                }
                b.to_owned()
            })
            .sum();
        let err = x.compute_with(&cfg).unwrap_err();
        println!("rank {rank} failed: {err}");
        return;
    }
    let mut rng = chunkwise::random::default_rng(7);
    for c in [1usize << 20, 1000, 77_777] {
        let pts = rng
            .uniform(-1.0, 1.0, [2, 1 << 20])
            .rechunk([2, c])
            .unwrap();
        let inside = pts.square().sum_axis(0).unwrap().lt(1.0).count_nonzero();
        check(rank, &format!("pi chunk {c}"), &cfg, &inside);
    }
    for c in [100_000usize, 33_333, 1 << 20] {
        let a = chunkwise::arange(1_000_000).rechunk(c).unwrap();
        check(rank, &format!("integer sum chunk {c}"), &cfg, &a.sum());
    }
    for c in [1000usize, 4096, 99_999] {
        let x = rng.normal(1e3, 1.0, [200_000]).rechunk(c).unwrap();
        check(rank, &format!("float sum chunk {c}"), &cfg, &x.sum());
        check(rank, &format!("mean chunk {c}"), &cfg, &x.mean());
        check(rank, &format!("var chunk {c}"), &cfg, &x.var());
    }
    for (a, b) in [(64usize, 50usize), (300, 7), (17, 200)] {
        let x = rng.random([300, 200]).rechunk([a, b]).unwrap();
        check(
            rank,
            &format!("sum axis 0 chunks {a}x{b}"),
            &cfg,
            &x.sum_axis(0).unwrap(),
        );
        check(
            rank,
            &format!("max axis 1 chunks {a}x{b}"),
            &cfg,
            &x.max_axis(1).unwrap(),
        );
        check(
            rank,
            &format!("array chunks {a}x{b}"),
            &cfg,
            &(&x * 2.0 + 1.0),
        );
    }
    for c in [50usize, 64] {
        let x = rng.random([300, 300]).rechunk([c, c]).unwrap();
        let docs = (&x + &x.t() - x.mean_axis(0).unwrap()).sum();
        check(rank, &format!("dask docs chunk {c}"), &cfg, &docs);
    }
    // The new primitives: a contraction and its sum, a scan, a stencil.
    let a = rng.standard_normal([120, 90]).rechunk([50, 40]).unwrap();
    let b = rng.standard_normal([90, 70]).rechunk([40, 30]).unwrap();
    let c = chunkwise::matmul(&a, &b).unwrap();
    check(rank, "matmul", &cfg, &c);
    check(rank, "matmul sum", &cfg, &c.sum());
    let s = rng.normal(0.0, 1.0, [100_000]).rechunk(7_777).unwrap();
    check(rank, "cumsum", &cfg, &s.cumsum(0).unwrap());
    let g = rng.random([200, 150]).rechunk([60, 50]).unwrap();
    let stencil = g
        .map_overlap(&[1, 1], chunkwise::Boundary::Reflect, |v| {
            v.mapv(|x| x * 0.5)
        })
        .unwrap();
    check(rank, "map_overlap sum", &cfg, &stencil.sum());
    // Aggregates: a selection whose passes count and collect, a histogram, the top k.
    let qs = s.quantiles(&[0.0, 0.3, 0.5, 0.99]).unwrap();
    check(rank, "quantiles", &cfg, &qs);
    let wide = (chunkwise::arange(3_000_000).cast::<f64>() * 1e-9 + 1.0)
        .rechunk(400_000)
        .unwrap();
    check(rank, "median counted", &cfg, &wide.median().unwrap());
    check(
        rank,
        "histogram",
        &cfg,
        &s.histogram(16, (-2.0, 2.0)).unwrap().0,
    );
    let weights = &s * 1e8 + 0.25;
    check(
        rank,
        "histogram weighted",
        &cfg,
        &s.histogram_weighted(&weights, 16, (-2.0, 2.0)).unwrap().0,
    );
    // A block function over arrays of two dtypes, each block given in its own.
    let (vals, flags) = (DynArray::from(s.clone()), DynArray::from(s.gt(0.5)));
    let kept = chunkwise::map_blocks_dyn::<f64, _>(&[&vals, &flags], &BlockSpec::default(), |b| {
        let [DynNdArray::F64(v), DynNdArray::Bool(m)] = &b[..] else {
            panic!("blocks of the arrays' own dtypes")
        };
        ndarray::Zip::from(v)
            .and(m)
            .map_collect(|&v, &m| if m { v } else { 0.0 })
    })
    .unwrap();
    check(rank, "map_blocks of two dtypes", &cfg, &kept.sum());
    check(rank, "argtopk", &cfg, &s.argtopk(-25).unwrap());
    // Sized by the data: the sizing pass runs on the ranks too.
    let sel = s.select(&s.gt(1.5)).unwrap().resolve_with(&cfg).unwrap();
    check(rank, "select", &cfg, &sel);
    let u = (&s * 3.0).floor().unique().resolve_with(&cfg).unwrap();
    check(rank, "unique", &cfg, &u);
    // The root-only variant: the whole array on rank 0, nothing elsewhere.
    let x = rng.random([300, 200]).rechunk([64, 50]).unwrap() * 3.0;
    let on_root = x.compute_to_root(&cfg).unwrap();
    assert_eq!(on_root.is_some(), rank == 0, "rank {rank}");
    if let Some(a) = on_root {
        assert_eq!(a, x.compute().unwrap(), "the root's gathered array");
        println!("rank {rank} to root: {}", digest(&a));
    } else {
        println!("rank {rank} to root: none");
    }
    // An empty array and a scalar pass too.
    check(rank, "empty sum", &cfg, &chunkwise::arange(0).sum());
    check(rank, "empty array", &cfg, &chunkwise::zeros::<f64>([0, 5]));
}

/// `mpiexec -n ranks` of the child, with `env`; its output, or a failure after `limit`.
fn launch(ranks: usize, env: &[(&str, String)], limit: Duration) -> String {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = Command::new("mpiexec");
    cmd.args([
        "--oversubscribe",
        "--bind-to",
        "none",
        "-n",
        &ranks.to_string(),
    ])
    .arg(&exe)
    .args([
        "--ignored",
        "--exact",
        "mpi_child",
        "--nocapture",
        "--test-threads",
        "1",
    ])
    // Tests run as root in CI containers; OpenMPI refuses that unless told.
    .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
    .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .spawn()
        .expect("mpiexec on the PATH (the mpi feature needs an MPI installation)");
    // Drain both pipes while the ranks run: a rank writing more than a pipe holds (a panic's
    // backtrace with RUST_BACKTRACE set) would otherwise block, and the launch never end.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                std::io::Read::read_to_end(&mut p, &mut buf).unwrap();
            }
            buf
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            panic!("mpiexec -n {ranks} {env:?} did not finish in {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let text = String::from_utf8_lossy(&stdout.join().unwrap()).into_owned();
    assert!(
        status.success(),
        "mpiexec -n {ranks} {env:?} failed:\n{text}\n{}",
        String::from_utf8_lossy(&stderr.join().unwrap())
    );
    text
}

/// `name -> value` per rank, from the child's `rank R name: value` lines.
fn results(text: &str) -> BTreeMap<usize, BTreeMap<String, String>> {
    let mut by_rank: BTreeMap<usize, BTreeMap<String, String>> = BTreeMap::new();
    for line in text.lines() {
        // The test harness's own `test mpi_child ... ` may precede a line.
        let Some(at) = line.find("rank ") else {
            continue;
        };
        let rest = &line[at + "rank ".len()..];
        let (r, kv) = rest.split_once(' ').unwrap();
        let (k, v) = kv.split_once(": ").unwrap();
        by_rank
            .entry(r.parse().unwrap())
            .or_default()
            .insert(k.to_string(), v.to_string());
    }
    by_rank
}

#[test]
fn every_rank_count_and_worker_count_gives_the_same_bits() {
    let mut reference: Option<BTreeMap<String, String>> = None;
    let mut root_reference: Option<String> = None;
    for ranks in 1..=4 {
        for workers in 1..=3 {
            let text = launch(
                ranks,
                &[("CHUNKWISE_TEST_WORKERS", workers.to_string())],
                Duration::from_secs(300),
            );
            let by_rank = results(&text);
            assert_eq!(by_rank.len(), ranks, "a line from every rank:\n{text}");
            for (r, mut got) in by_rank {
                let to_root = got.remove("to root").expect("a to-root line");
                if r == 0 {
                    assert_ne!(to_root, "none");
                    let want = root_reference.get_or_insert_with(|| to_root.clone());
                    assert_eq!(&to_root, want, "to root, {ranks} ranks x {workers} workers");
                } else {
                    assert_eq!(to_root, "none", "rank {r} of {ranks} got the root's array");
                }
                assert!(got.len() >= 27, "rank {r} reported {} results", got.len());
                match &reference {
                    None => reference = Some(got),
                    Some(want) => assert_eq!(
                        &got, want,
                        "rank {r} of {ranks} with {workers} workers differs"
                    ),
                }
            }
        }
    }
}

#[test]
fn a_task_failing_on_one_rank_fails_every_rank_promptly() {
    for ranks in [2, 3] {
        let start = Instant::now();
        let text = launch(
            ranks,
            &[("CHUNKWISE_TEST_FAIL", "1".into())],
            Duration::from_secs(60),
        );
        let by_rank = results(&text);
        assert_eq!(
            by_rank.len(),
            ranks,
            "every rank reports the failure:\n{text}"
        );
        for (r, got) in &by_rank {
            let msg = &got["failed"];
            assert!(
                msg.contains("the last chunk fails"),
                "rank {r} of {ranks} got: {msg}"
            );
            if *r != ranks - 1 {
                assert!(
                    msg.contains(&format!("rank {} of {ranks} failed", ranks - 1)),
                    "{msg}"
                );
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "took {:?}",
            start.elapsed()
        );
    }
}
