//! Shared command-line handling of the examples: `--n N` (digits or `1e9`), `--workers W`,
//! `--chunk C`, and `key: value` output.
#![allow(dead_code)]

use std::time::Instant;

/// The examples' allocator: mimalloc, as an application picks one (polars' binaries do). On
/// glibc's, a block of tens of MB made on a worker thread (a `map_overlap` chunk of 2000 x
/// 2000) does not fit twice in the thread's arena of 64 MiB: it is given back to the OS when
/// let go and faulted in again for the next block, which cost the stencil up to 1.7 million
/// page faults and 4.5 s of system time a run. `RUSTFLAGS="--cfg system_allocator"` builds the
/// examples on the system allocator.
#[cfg(not(system_allocator))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Options common to the examples.
pub struct Args {
    pub n: usize,
    pub workers: Option<usize>,
    pub chunk: Option<usize>,
    pub seed: u64,
    pub explain: bool,
    /// `--variant V`: run one variant in this process and print its `key: value` lines.
    pub variant: Option<String>,
    /// `--out DIR`: where pictures go (default: the current directory).
    pub out: std::path::PathBuf,
    /// `--max-workers W`.
    pub max_workers: Option<usize>,
    /// `--repeats R`.
    pub repeats: usize,
    /// `--workload NAME`.
    pub workload: Option<String>,
    /// `--naive-n N`: the size for the slow scalar variants.
    pub naive_n: Option<usize>,
    /// `--interval-ms MS`.
    pub interval_ms: u64,
    /// `--docs-n N`: the side of the Dask docs example's square array.
    pub docs_n: usize,
    /// `--side N`: the side of a square array (the sort example's many-lanes case).
    pub side: usize,
    /// `--minute-ms MS`: one recipe minute of the snert example.
    pub minute_ms: u64,
    /// `--profile DIR`: record a profile and write its SVG and JSON there.
    pub profile: Option<std::path::PathBuf>,
    /// `--visualize DIR`: write the graph pictures there.
    pub visualize: Option<std::path::PathBuf>,
    /// `--write PATH`: the file an example writes.
    pub write: Option<std::path::PathBuf>,
    /// `--read PATH`: the file an example reads.
    pub read: Option<std::path::PathBuf>,
    /// `--op NAME`: what to compute from it.
    pub op: Option<String>,
    /// `--no-sync`: write without flushing to disk at the end (Zarr), as Dask does.
    pub no_sync: bool,
    /// `--memory-limit-mib M`: the plan's memory limit (`Config::memory_limit`).
    pub memory_limit_mib: Option<usize>,
}

/// Parses a count written as digits (`1000000`, `1_000_000`) or in scientific notation (`1e9`).
pub fn parse_count(s: &str) -> Result<usize, String> {
    let t = s.replace('_', "");
    if let Ok(v) = t.parse::<usize>() {
        return Ok(v);
    }
    match t.parse::<f64>() {
        Ok(v) if v >= 0.0 && v.fract() == 0.0 && v <= 2f64.powi(62) => Ok(v as usize),
        _ => Err(format!(
            "not a count: {s:?} (use digits or a form like 1e9)"
        )),
    }
}

pub fn parse(default_n: usize, usage: &str) -> Args {
    parse_from(std::env::args(), default_n, usage)
}

/// Parses `args` (the program name first).
pub fn parse_from(args: impl IntoIterator<Item = String>, default_n: usize, usage: &str) -> Args {
    match try_parse(args, default_n) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}\n{usage}");
            std::process::exit(2);
        }
    }
}

fn try_parse(argv: impl IntoIterator<Item = String>, default_n: usize) -> Result<Args, String> {
    use lexopt::prelude::*;
    let mut args = Args {
        n: default_n,
        workers: None,
        chunk: None,
        seed: 42,
        explain: false,
        variant: None,
        out: std::path::PathBuf::from("."),
        max_workers: None,
        repeats: 3,
        workload: None,
        naive_n: None,
        interval_ms: 10,
        docs_n: 10_000,
        side: 10_000,
        minute_ms: 10,
        profile: None,
        visualize: None,
        write: None,
        read: None,
        op: None,
        no_sync: false,
        memory_limit_mib: None,
    };
    let mut p = lexopt::Parser::from_iter(argv);
    while let Some(arg) = p.next().map_err(|e| e.to_string())? {
        let value = |p: &mut lexopt::Parser| -> Result<String, String> {
            p.value()
                .map_err(|e| e.to_string())?
                .into_string()
                .map_err(|_| "not UTF-8".to_string())
        };
        match arg {
            Long("n") => args.n = parse_count(&value(&mut p)?)?,
            Long("workers") => args.workers = Some(parse_count(&value(&mut p)?)?),
            Long("chunk") => args.chunk = Some(parse_count(&value(&mut p)?)?),
            Long("seed") => args.seed = parse_count(&value(&mut p)?)? as u64,
            Long("explain") => args.explain = true,
            Long("variant") => args.variant = Some(value(&mut p)?),
            Long("out") => args.out = value(&mut p)?.into(),
            Long("max-workers") => args.max_workers = Some(parse_count(&value(&mut p)?)?),
            Long("repeats") => args.repeats = parse_count(&value(&mut p)?)?.max(1),
            Long("workload") => args.workload = Some(value(&mut p)?),
            Long("naive-n") => args.naive_n = Some(parse_count(&value(&mut p)?)?),
            Long("docs-n") => args.docs_n = parse_count(&value(&mut p)?)?,
            Long("side") => args.side = parse_count(&value(&mut p)?)?,
            Long("interval-ms") => args.interval_ms = parse_count(&value(&mut p)?)?.max(1) as u64,
            // Flags an example reads itself from std::env::args.
            Long("check") => {}
            Long("minute-ms") => args.minute_ms = parse_count(&value(&mut p)?)?.max(1) as u64,
            Long("profile") => args.profile = Some(value(&mut p)?.into()),
            Long("visualize") => args.visualize = Some(value(&mut p)?.into()),
            Long("write") => args.write = Some(value(&mut p)?.into()),
            Long("read") => args.read = Some(value(&mut p)?.into()),
            Long("op") => args.op = Some(value(&mut p)?),
            Long("no-sync") => args.no_sync = true,
            Long("memory-limit-mib") => args.memory_limit_mib = Some(parse_count(&value(&mut p)?)?),
            Long("help") | Short('h') => return Err("help requested".into()),
            other => return Err(other.unexpected().to_string()),
        }
    }
    Ok(args)
}

/// Runs `f` on a pool of `workers` threads (or the global pool), returning its value and the
/// wall seconds it took.
pub fn timed<R: Send>(workers: Option<usize>, f: impl FnOnce() -> R + Send) -> (R, f64) {
    let run = || {
        // Start every worker thread before the clock does: timings are of the computation, not
        // of the pool's start-up (the Python peers warm up the same way).
        rayon::broadcast(|_| ());
        let t = Instant::now();
        let r = f();
        (r, t.elapsed().as_secs_f64())
    };
    match workers {
        Some(w) => rayon::ThreadPoolBuilder::new()
            .num_threads(w)
            .build()
            .expect("thread pool")
            .install(run),
        None => run(),
    }
}

pub fn workers_used(workers: Option<usize>) -> usize {
    workers.unwrap_or_else(rayon::current_num_threads)
}

/// The `key: value` lines a child run printed.
pub type Report = std::collections::BTreeMap<String, String>;

/// Parses `key: value` lines.
pub fn parse_report(text: &str) -> Report {
    text.lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// Runs this example again as a child process with `args`, so the child's peak RSS belongs to
/// one variant alone, and returns what it printed.
pub fn run_self(args: &[String]) -> Result<Report, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    run_program(&exe, args)
}

/// Runs a program and returns its `key: value` lines.
pub fn run_program(exe: &std::path::Path, args: &[String]) -> Result<Report, String> {
    let out = std::process::Command::new(exe)
        .args(args)
        .output()
        .map_err(|e| format!("{}: {e}", exe.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "{} {} failed: {}{}",
            exe.display(),
            args.join(" "),
            stdout,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(parse_report(&stdout))
}

/// The flags of `args` to pass on to a child: `--n`, `--workers`, `--chunk`, `--seed`.
pub fn child_args(args: &Args) -> Vec<String> {
    let mut v = vec![
        "--n".to_string(),
        args.n.to_string(),
        "--seed".into(),
        args.seed.to_string(),
    ];
    if let Some(w) = args.workers {
        v.extend(["--workers".to_string(), w.to_string()]);
    }
    if let Some(c) = args.chunk {
        v.extend(["--chunk".to_string(), c.to_string()]);
    }
    v
}

/// Prints the lesson header: which cell this reproduces and what to look for.
pub fn header(cell: &str, look_for: &str) {
    println!("# reproduces: {cell}");
    println!("# look for: {look_for}");
}

/// Formats a count like `1e8` or `2e8` when it is one digit times a power of ten, else with
/// digits.
pub fn fmt_n(n: usize) -> String {
    let s = n.to_string();
    if n >= 1000 && s[1..].chars().all(|c| c == '0') {
        format!("{}e{}", &s[..1], s.len() - 1)
    } else {
        s
    }
}

/// Creates the folder pictures and records go to, as a typed error naming the example.
pub fn make_dir(dir: &std::path::Path, op: &str) -> Result<(), chunkwise::Error> {
    std::fs::create_dir_all(dir).map_err(|e| chunkwise::Error::Io {
        op: op.into(),
        path: dir.display().to_string(),
        reason: e.to_string(),
    })
}
