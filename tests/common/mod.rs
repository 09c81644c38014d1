//! Shared helpers: small shapes, their chunkings, deterministic data and comparisons.
#![allow(dead_code)]

pub mod exact;

use ndarray::{ArrayD, IxDyn};

/// Shapes that cover the corner cases: 0-d, empty axes, size-1 axes, 1 to 3 dims.
pub fn shapes() -> Vec<Vec<usize>> {
    vec![
        vec![],
        vec![0],
        vec![1],
        vec![7],
        vec![3, 4],
        vec![1, 5],
        vec![4, 1],
        vec![0, 3],
        vec![3, 0],
        vec![2, 3, 4],
        vec![2, 1, 3],
    ]
}

/// Block lists for one axis of extent `n`: every regular size, plus an irregular split.
pub fn axis_options(n: usize) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![vec![0]];
    }
    let mut v: Vec<Vec<usize>> = (1..=n)
        .map(|s| {
            let mut b = vec![s; n / s];
            if !n.is_multiple_of(s) {
                b.push(n % s);
            }
            b
        })
        .collect();
    if n >= 3 {
        v.push(vec![n - 2, 1, 1]);
    }
    v
}

/// Every combination of per-axis options (capped, evenly spread, to keep runs short).
pub fn chunkings(shape: &[usize]) -> Vec<Vec<Vec<usize>>> {
    let mut out: Vec<Vec<Vec<usize>>> = vec![vec![]];
    for &n in shape {
        let opts = axis_options(n);
        let mut next = Vec::new();
        for prefix in &out {
            for o in &opts {
                let mut p = prefix.clone();
                p.push(o.clone());
                next.push(p);
            }
        }
        out = next;
    }
    if out.len() > 40 {
        let step = out.len() / 40 + 1;
        out = out.into_iter().step_by(step).collect();
    }
    out
}

/// Deterministic data with negatives, fractions and a few zeros.
pub fn data_f64(shape: &[usize]) -> ArrayD<f64> {
    let n: usize = shape.iter().product();
    let v: Vec<f64> = (0..n)
        .map(|i| (((i * 7919 + 13) % 97) as f64 - 48.0) / 8.0)
        .collect();
    ArrayD::from_shape_vec(IxDyn(shape), v).unwrap()
}

pub fn data_i64(shape: &[usize]) -> ArrayD<i64> {
    let n: usize = shape.iter().product();
    let v: Vec<i64> = (0..n).map(|i| ((i * 7919 + 13) % 23) as i64 - 11).collect();
    ArrayD::from_shape_vec(IxDyn(shape), v).unwrap()
}

/// Equal within a relative tolerance (shapes must match exactly; NaN equals NaN).
pub fn assert_close(got: &ArrayD<f64>, want: &ArrayD<f64>, rtol: f64, what: &str) {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    for (g, w) in got.iter().zip(want.iter()) {
        let ok = (g.is_nan() && w.is_nan()) || g == w || (g - w).abs() <= rtol * w.abs().max(1.0);
        assert!(ok, "{what}: got {g}, want {w}\n got {got:?}\nwant {want:?}");
    }
}

/// A fresh, empty folder for test `name` of group `group`, under the system's temporary folder.
pub fn temp_dir(group: &str, name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("chunkwise-{group}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The names in folder `d` (temporaries included), sorted.
pub fn listing(d: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

const SIZE_LIMIT_CHILD: &str = "CHUNKWISE_SIZE_LIMIT_CHILD";

/// A full disk under `d`: a 1 MiB tmpfs (where this process may mount one), else a file-size
/// limit in a child process running the ignored test `child` of this test binary (the write then
/// fails with EFBIG instead of ENOSPC, through the same path; `child` calls
/// [`full_disk_child`]). `write` writes more than 1 MiB into the folder it is given, checks that
/// it failed and left nothing, and returns the error's text.
pub fn full_disk(d: &std::path::Path, child: &str, write: fn(&std::path::Path) -> String) {
    let small = d.join("small");
    std::fs::create_dir(&small).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&small)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if mounted {
        let r = std::panic::catch_unwind(|| write(&small));
        let _ = std::process::Command::new("umount").arg(&small).status();
        let msg = r.expect("the write fails cleanly");
        assert!(
            msg.contains("No space left") || msg.contains("os error 28"),
            "{msg}"
        );
        eprintln!("full tmpfs: {msg}");
    } else {
        let exe = std::env::current_exe().unwrap();
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!(
                "trap '' XFSZ; ulimit -f 1024; exec '{}' --exact {child} --ignored --nocapture",
                exe.display()
            ))
            .env(SIZE_LIMIT_CHILD, &small)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("WRITE FAILED CLEANLY"),
            "{stdout}"
        );
        eprintln!("file-size limit: {stdout}");
    }
    std::fs::remove_dir_all(d).unwrap();
}

/// The body of the ignored child test of [`full_disk`].
pub fn full_disk_child(write: fn(&std::path::Path) -> String) {
    if let Ok(dir) = std::env::var(SIZE_LIMIT_CHILD) {
        let msg = write(std::path::Path::new(&dir));
        println!("WRITE FAILED CLEANLY: {msg}");
    }
}

/// `x` behind a `map_blocks` that counts its calls: how many times a pass evaluates a chunk of
/// it.
pub fn counted(
    x: chunkwise::ChunkedArray<f64>,
) -> (
    chunkwise::ChunkedArray<f64>,
    std::sync::Arc<std::sync::atomic::AtomicUsize>,
) {
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let c = calls.clone();
    let y = x.map_blocks(move |b| {
        c.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        b.to_owned()
    });
    (y, calls)
}

/// Shapes of the file round trips: 0-d, empty axes, ranks 1 to 4, and one longer than a tile.
pub const FILE_SHAPES: &[&[usize]] =
    &[&[], &[0], &[7], &[3, 4], &[2, 0, 3], &[2, 3, 4, 5], &[3000]];

/// A check run once per element type, given how to make an array of that type for a shape.
pub trait PerDType {
    fn run<T: chunkwise::Element>(&self, make: &dyn Fn(&[usize]) -> chunkwise::ChunkedArray<T>);
}

/// Runs `case` for every element type chunkwise has, with distinct values of each (normals for
/// f64; an index pattern, shifted or scaled, for the others; a mix of true and false for bool).
pub fn every_dtype(case: &impl PerDType) {
    let idx = |s: &[usize]| {
        chunkwise::arange(s.iter().product())
            .reshape(s.to_vec())
            .unwrap()
    };
    case.run::<f64>(&|s| chunkwise::random::default_rng(1).normal(0.0, 1e6, s.to_vec()));
    case.run::<f32>(&|s| idx(s).cast::<f32>() * 0.5f32);
    case.run::<i64>(&|s| idx(s) - 1000);
    case.run::<i32>(&|s| idx(s).cast::<i32>() - 7);
    case.run::<u64>(&|s| idx(s).cast::<u64>() * 3u64);
    case.run::<u32>(&|s| idx(s).cast::<u32>());
    case.run::<u8>(&|s| idx(s).cast::<u8>());
    case.run::<i16>(&|s| idx(s).cast::<i16>() * -3i16);
    case.run::<i8>(&|s| idx(s).cast::<i8>() - 100i8);
    case.run::<u16>(&|s| idx(s).cast::<u16>() * 257u16);
    case.run::<bool>(&|s| idx(s).cast::<u32>().gt(3u32));
}

/// A dynamic array's values computed and widened to f64 (ints and bool included).
pub fn f64_values(x: &chunkwise::DynArray) -> ArrayD<f64> {
    x.astype(chunkwise::DType::F64)
        .compute()
        .unwrap()
        .downcast::<f64>()
        .unwrap()
}
