//! The lesson's pea soup (snert) recipe as a task graph: the peas simmer while the vegetables
//! are cut, so the parallel plan takes about 5 + 60 + 20 + 10 minutes instead of the serial sum.
//! One recipe minute is `--minute-ms` milliseconds (10 by default).
//!
//!     cargo run --release --example snert                 # writes ./snert.dot (and snert.svg with graphviz)
//!     cargo run --release --example snert -- --out target --minute-ms 5
mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chunkwise::delayed::{self, Delayed};
use chunkwise::prelude::*;

fn main() -> Result<(), chunkwise::Error> {
    let args = common::parse(
        10,
        "usage: snert [--minute-ms MS] [--out DIR] [--workers W]",
    );
    let minute_ms = args.minute_ms;
    common::header(
        "the pea soup recipe of the delayed-evaluation episode, with dask.delayed",
        "cutting the vegetables overlaps the 60-minute simmer: seconds is about 95 minutes, serial_seconds 110",
    );
    let t0 = Instant::now();
    let log = Arc::new(Mutex::new(Vec::<(String, f64, f64)>::new()));
    // A step of the recipe: it takes `minutes` (scaled) and records when it ran.
    let step = |name: &'static str, minutes: u64| {
        let log = log.clone();
        move || {
            let start = t0.elapsed().as_secs_f64();
            std::thread::sleep(Duration::from_millis(minutes * minute_ms));
            log.lock()
                .unwrap()
                .push((name.to_string(), start, t0.elapsed().as_secs_f64()));
            name
        }
    };
    let recipe = [
        ("pour water and peas", 5u64),
        ("simmer 60 min", 60),
        ("cut vegetables", 15),
        ("add vegetables, simmer 20 min", 20),
        ("rest", 10),
    ];
    let serial_minutes: u64 = recipe.iter().map(|r| r.1).sum();

    let pour: Delayed<&str> = delayed::task(
        "pour water and peas (5 min)",
        step("pour water and peas", 5),
    );
    let simmer = pour.then("simmer (60 min)", {
        let s = step("simmer 60 min", 60);
        move |_| s()
    });
    let cut = delayed::task("cut vegetables (15 min)", step("cut vegetables", 15));
    let add = delayed::join("add vegetables and simmer (20 min)", &simmer, &cut, {
        let s = step("add vegetables, simmer 20 min", 20);
        move |_, _| s()
    });
    let soup = add.then("rest (10 min)", {
        let s = step("rest", 10);
        move |_| s()
    });

    // The serial plan: the same steps one after the other.
    let serial_start = Instant::now();
    for (name, minutes) in recipe {
        std::thread::sleep(Duration::from_millis(minutes * minute_ms));
        let _ = name;
    }
    let serial_seconds = serial_start.elapsed().as_secs_f64();

    let cfg = Config::default().workers(args.workers.unwrap_or(2).max(2));
    let t = Instant::now();
    let done = soup.compute_with(&cfg)?;
    let seconds = t.elapsed().as_secs_f64();
    let mut steps = log.lock().unwrap().clone();
    steps.sort_by(|a, b| a.1.total_cmp(&b.1));
    let base = steps.first().map_or(0.0, |s| s.1);
    println!("order:");
    for (name, start, end) in &steps {
        println!(
            "  {:>6.1} min .. {:>6.1} min  {name}",
            (start - base) * 1000.0 / minute_ms as f64,
            (end - base) * 1000.0 / minute_ms as f64
        );
    }
    println!("last_step: {done}");
    println!("minute_ms: {minute_ms}");
    println!("seconds: {seconds:.3}");
    println!("serial_seconds: {serial_seconds:.3}");
    println!("serial_minutes: {serial_minutes}");
    println!(
        "parallel_minutes: {:.1}",
        seconds * 1000.0 / minute_ms as f64
    );
    common::make_dir(&args.out, "snert")?;
    let v = soup.visualize(args.out.join("snert"))?;
    println!("dot: {}", v.dot.display());
    match (&v.svg, &v.note) {
        (Some(svg), _) => println!("svg: {}", svg.display()),
        (None, Some(note)) => println!("svg: none ({note})"),
        (None, None) => {}
    }
    Ok(())
}
