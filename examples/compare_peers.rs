//! chunkwise against the Python peers (NumPy, Dask, Numba) on the lesson's two workloads at the
//! same N, in one run, as one table with each system's time as a multiple of chunkwise's.
//!
//!     bash benches/compare_peers.sh                 # builds what it needs, N = 1e8
//!     bash benches/compare_peers.sh --n 1e7 --repeats 5 --docs-n 4000
//!
//! Our side: `calc_pi --variant chunked|native|eager`, `arange_sum --variant chunked|eager` and
//! `dask_docs` (the Dask documentation's `(x + x.T - x.mean(axis=0)).sum()` on a `--docs-n`
//! square, 10000 by default),
//! each run `--repeats` times in fresh processes (median seconds, largest peak RSS), plus the
//! hand-written rayon reference where `benches/compare_peers.sh` built it. The peers:
//! `../shared/peers/peers.py --cases pi,sum,docs` with the Python of `$PEERS_PYTHON`, else
//! `/tmp/peers-venv/bin/python`, else `python3`; skipped with a message when it cannot import
//! numpy, dask and numba (`../shared/peers/README.md` says how to install them).
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use chunkwise::diagnostics::Table;

struct Row {
    workload: &'static str,
    system: String,
    n: usize,
    seconds: f64,
    peak_mib: f64,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn ours(exe: &Path, args: &[String], repeats: usize) -> Result<(f64, f64), String> {
    let mut secs = Vec::new();
    let mut peak = 0f64;
    for _ in 0..repeats {
        let r = common::run_program(exe, args)?;
        if let Some(why) = r.get("refused") {
            return Err(format!("refused: {why}"));
        }
        secs.push(r["seconds"].parse::<f64>().map_err(|e| e.to_string())?);
        peak = peak.max(r["peak_rss_mib"].parse::<f64>().unwrap_or(0.0));
    }
    Ok((median(secs), peak))
}

fn python() -> String {
    if let Ok(p) = std::env::var("PEERS_PYTHON") {
        return p;
    }
    if Path::new("/tmp/peers-venv/bin/python").exists() {
        return "/tmp/peers-venv/bin/python".into();
    }
    "python3".into()
}

fn peers(n: usize, docs_n: usize, repeats: usize) -> Result<Vec<Row>, String> {
    let py = python();
    let script = std::env::var("PEERS_SCRIPT")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/peers/peers.py"));
    if !script.exists() {
        return Err(format!("no peer script at {}", script.display()));
    }
    let probe = Command::new(&py)
        .args(["-c", "import numpy, dask, numba"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        return Err(format!(
            "{py} cannot import numpy, dask and numba (see ../shared/peers/README.md)"
        ));
    }
    let out = std::env::temp_dir().join(format!("chunkwise-peers-{}.jsonl", std::process::id()));
    let status = Command::new(&py)
        .arg(&script)
        .args([
            "--cases",
            "pi,sum,docs",
            "--systems",
            "numpy,dask,numba,numba_prange",
        ])
        .args([
            "--pi-n",
            &n.to_string(),
            "--sum-n",
            &n.to_string(),
            "--docs-n",
            &docs_n.to_string(),
            "--repeats",
            &repeats.max(3).to_string(),
        ])
        .arg("--out")
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("{py}: {e}"))?;
    let text = std::fs::read_to_string(&out)
        .map_err(|e| format!("{}: {e} (peers.py exit {status})", out.display()))?;
    let _ = std::fs::remove_file(&out);
    let mut rows = Vec::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        let (Some(case), Some(system), Some(secs)) = (
            v["case"].as_str(),
            v["system"].as_str(),
            v["seconds_median"].as_f64(),
        ) else {
            continue;
        };
        let want_n = if case == "docs" { docs_n } else { n };
        if v["n"].as_u64() != Some(want_n as u64) {
            continue;
        }
        rows.push(Row {
            workload: match case {
                "pi" => "pi",
                "docs" => "dask_docs",
                _ => "arange_sum",
            },
            system: format!("{system} (python)"),
            n: want_n,
            seconds: secs,
            peak_mib: v["peak_rss_mib"].as_f64().unwrap_or(f64::NAN),
        });
    }
    Ok(rows)
}

fn main() {
    let args = common::parse(
        100_000_000,
        "usage: compare_peers [--n N] [--repeats R] [--workers W]",
    );
    common::header(
        "the lesson's comparisons against the real Python peers on this machine",
        "ratio = system seconds / chunkwise seconds for the same workload and N (above 1: chunkwise is faster)",
    );
    let n = args.n;
    let dir = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    // Each of our runs: (workload, system, program, its arguments).
    let run = |flags: &[&str], size: usize| {
        let mut v = vec!["--n".to_string(), size.to_string()];
        v.extend(flags.iter().map(|f| f.to_string()));
        if let Some(w) = args.workers {
            v.extend(["--workers".to_string(), w.to_string()]);
        }
        v
    };
    let native = dir.join("../../native/release/examples/rayon_reference");
    let ours_list: Vec<(&'static str, &str, PathBuf, Vec<String>)> = vec![
        (
            "pi",
            "chunkwise",
            dir.join("calc_pi"),
            run(&["--variant", "chunked"], n),
        ),
        (
            "pi",
            "native loop, 1 thread (rust)",
            dir.join("calc_pi"),
            run(&["--variant", "native"], n),
        ),
        (
            "pi",
            "eager ndarray (rust)",
            dir.join("calc_pi"),
            run(&["--variant", "eager"], n),
        ),
        (
            "pi",
            "rayon, same stream (rust, native)",
            native,
            run(&["--workload", "pi"], n),
        ),
        (
            "arange_sum",
            "chunkwise",
            dir.join("arange_sum"),
            run(&["--variant", "chunked"], n),
        ),
        (
            "arange_sum",
            "eager Vec (rust)",
            dir.join("arange_sum"),
            run(&["--variant", "eager"], n),
        ),
        // The docs example's size is the side of its square array.
        (
            "dask_docs",
            "chunkwise",
            dir.join("dask_docs"),
            run(&[], args.docs_n),
        ),
    ];
    let mut rows = Vec::new();
    for (workload, system, exe, a) in ours_list {
        if !exe.exists() {
            eprintln!(
                "skipping {system}: {} is not built (run benches/compare_peers.sh)",
                exe.display()
            );
            continue;
        }
        match ours(&exe, &a, args.repeats) {
            Ok((seconds, peak_mib)) => rows.push(Row {
                workload,
                system: system.into(),
                n: if workload == "dask_docs" {
                    args.docs_n
                } else {
                    n
                },
                seconds,
                peak_mib,
            }),
            Err(e) => eprintln!("skipping {system} on {workload}: {e}"),
        }
    }
    match peers(n, args.docs_n, args.repeats) {
        Ok(r) => rows.extend(r),
        Err(e) => println!("# skipping the Python peers: {e}"),
    }
    let mut table = Table::new([
        "workload",
        "system",
        "N",
        "seconds",
        "peak_rss_mib",
        "ratio_to_chunkwise",
    ]);
    for w in ["pi", "arange_sum", "dask_docs"] {
        let ours = rows
            .iter()
            .find(|r| r.workload == w && r.system == "chunkwise")
            .map(|r| r.seconds);
        for r in rows.iter().filter(|r| r.workload == w) {
            table.row([
                r.workload.to_string(),
                r.system.clone(),
                common::fmt_n(r.n),
                format!("{:.4}", r.seconds),
                format!("{:.1}", r.peak_mib),
                ours.map_or("-".into(), |o| format!("{:.2}x", r.seconds / o)),
            ]);
        }
    }
    print!("{table}");
}
