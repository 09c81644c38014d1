//! Shared command-line handling of the examples: `--n N` (digits or `1e9`), `--workers W`,
//! `--chunk C`, and `key: value` output.
#![allow(dead_code)]

use std::time::Instant;

/// Options common to the examples.
pub struct Args {
    pub n: usize,
    pub workers: Option<usize>,
    pub chunk: Option<usize>,
    pub seed: u64,
    pub explain: bool,
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
