//! `.npy` in and out: round trips for every dtype and rank, Fortran order and big-endian files,
//! every error path, and nothing left at the destination when a write fails.

// The one-axis and several-axes spellings (`sum_axis`, `var_ddof`, ...) are deprecated
// wrappers of the `_with` forms, kept for a release: these tests exercise them on purpose.
#![allow(deprecated)]

use std::path::{Path, PathBuf};

use chunkwise::ndarray::{ArrayD, IxDyn};
use chunkwise::prelude::*;
use chunkwise::{ChunkSpec, DType};
use ndarray_npy::npy::header::{Header, Layout};

use crate::common;
use common::listing;

fn dir(name: &str) -> PathBuf {
    common::temp_dir("npy", name)
}

fn round_trip<T: Element>(d: &Path, make: &dyn Fn(&[usize]) -> ChunkedArray<T>) {
    for (i, &shape) in common::FILE_SHAPES.iter().enumerate() {
        let x = make(shape);
        let want = x.compute().unwrap();
        let chunked = x.rechunk(2).unwrap();
        let path = d.join(format!("{}-{i}.npy", T::DTYPE));
        chunked.to_npy(&path).unwrap();
        let info = chunkwise::npy_info(&path).unwrap();
        assert_eq!((info.dtype, info.shape.as_slice()), (T::DTYPE, shape));
        for chunks in [
            ChunkSpec::Auto,
            ChunkSpec::Uniform(1),
            ChunkSpec::Uniform(3),
        ] {
            let back = chunkwise::from_npy_chunked::<T>(&path, chunks.clone()).unwrap();
            assert_eq!(
                back.compute().unwrap(),
                want,
                "{} {shape:?} {chunks:?}",
                T::DTYPE
            );
        }
    }
}

/// The round trip of every dtype into one folder.
struct RoundTrip<'a>(&'a Path);

impl common::PerDType for RoundTrip<'_> {
    fn run<T: Element>(&self, make: &dyn Fn(&[usize]) -> ChunkedArray<T>) {
        round_trip(self.0, make);
    }
}

#[test]
fn every_dtype_and_rank_round_trips() {
    let d = dir("round");
    common::every_dtype(&RoundTrip(&d));
    std::fs::remove_dir_all(&d).unwrap();
}

/// Writes a file the way NumPy would for these values: the header from ndarray-npy, the data
/// in the given order and byte order.
fn write_raw(path: &Path, descr: &str, fortran: bool, big: bool, a: &ArrayD<f64>) {
    let header = Header {
        type_descriptor: py_literal::Value::String(descr.into()),
        layout: if fortran {
            Layout::Fortran
        } else {
            Layout::Standard
        },
        shape: a.shape().to_vec(),
    };
    let mut bytes = header.to_bytes().unwrap();
    let order: Vec<f64> = if fortran {
        a.t().iter().copied().collect()
    } else {
        a.iter().copied().collect()
    };
    for v in order {
        bytes.extend(if big {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        });
    }
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn fortran_order_and_big_endian_files_read_bit_exactly() {
    let d = dir("orders");
    let a = chunkwise::random::default_rng(3)
        .normal(0.0, 1.0, [5, 6, 7])
        .compute()
        .unwrap();
    for (descr, fortran, big) in [
        ("<f8", false, false),
        ("<f8", true, false),
        (">f8", false, true),
        (">f8", true, true),
    ] {
        let path = d.join(format!(
            "{}-{fortran}.npy",
            &descr[..1].replace('<', "le").replace('>', "be")
        ));
        write_raw(&path, descr, fortran, big, &a);
        let info = chunkwise::npy_info(&path).unwrap();
        assert_eq!((info.fortran_order, info.big_endian), (fortran, big));
        for chunks in [ChunkSpec::Auto, ChunkSpec::PerAxis(vec![2, 3, 4])] {
            let x = chunkwise::from_npy_chunked::<f64>(&path, chunks).unwrap();
            let got = x.compute().unwrap();
            assert!(
                got.iter().zip(&a).all(|(g, w)| g.to_bits() == w.to_bits()),
                "{descr} {fortran}"
            );
            // Regions, not only whole reads: a transposed slice.
            let s = x
                .t()
                .slice(chunkwise::ndarray::s![1..3, .., 4])
                .unwrap()
                .compute()
                .unwrap();
            let w = a
                .t()
                .slice(chunkwise::ndarray::s![1..3, .., 4])
                .to_owned()
                .into_dyn();
            assert_eq!(s, w);
        }
    }
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn reading_errors_are_typed_and_name_the_file() {
    let d = dir("read-errors");
    let missing = d.join("missing.npy");
    let e = chunkwise::from_npy::<f64>(&missing).unwrap_err();
    assert!(
        matches!(e, Error::Io { .. }) && e.to_string().contains("missing.npy"),
        "{e}"
    );

    let not_npy = d.join("text.npy");
    std::fs::write(&not_npy, "just text, not an array").unwrap();
    let e = chunkwise::from_npy::<f64>(&not_npy).unwrap_err();
    assert!(
        matches!(e, Error::Format { .. }) && e.to_string().contains("text.npy"),
        "{e}"
    );

    let full = d.join("full.npy");
    chunkwise::arange(1000).cast::<f64>().to_npy(&full).unwrap();
    let bytes = std::fs::read(&full).unwrap();
    let cut = d.join("cut.npy");
    std::fs::write(&cut, &bytes[..bytes.len() - 8]).unwrap();
    let e = chunkwise::npy_info(&cut).unwrap_err();
    assert!(
        matches!(e, Error::Format { .. }) && e.to_string().contains("truncated"),
        "{e}"
    );

    let e = chunkwise::from_npy::<i64>(&full).unwrap_err();
    match &e {
        Error::DTypeMismatch {
            expected, found, ..
        } => {
            assert_eq!((*expected, found.as_str()), (DType::I64, "<f8"))
        }
        other => panic!("{other:?}"),
    }

    let complex = d.join("complex.npy");
    let a = ArrayD::from_shape_vec(IxDyn(&[2]), vec![1.0, 2.0]).unwrap();
    write_raw(&complex, "<c8", false, false, &a);
    let e = chunkwise::npy_info(&complex).unwrap_err();
    assert!(
        e.to_string().contains("<c8") && e.to_string().contains("not supported"),
        "{e}"
    );
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn failed_writes_leave_nothing_at_the_destination() {
    let d = dir("write-errors");
    let x = chunkwise::arange(10_000).rechunk(1000).unwrap();
    // A folder that does not exist.
    let e = x.to_npy(d.join("no/such/folder/x.npy")).unwrap_err();
    assert!(
        matches!(e, Error::Io { .. }) && e.to_string().contains("does not exist"),
        "{e}"
    );
    // A task that fails midway (the closure panics on one chunk).
    let bad = x.map_blocks(|b| {
        if b[[0]] == 5000 {
            panic!("chunk 5 fails")
        }
        b.to_owned()
    });
    let path = d.join("x.npy");
    let e = bad.to_npy(&path).unwrap_err();
    assert!(e.to_string().contains("chunk 5 fails"), "{e}");
    assert!(listing(&d).is_empty(), "left behind: {:?}", listing(&d));
    // Over an existing file: a failure keeps the old file whole; a success replaces it.
    x.to_npy(&path).unwrap();
    let before = std::fs::read(&path).unwrap();
    assert!(bad.to_npy(&path).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(listing(&d), vec!["x.npy".to_string()]);
    (&x * 2).to_npy(&path).unwrap();
    let back: i64 = chunkwise::from_npy::<i64>(&path)
        .unwrap()
        .sum()
        .item()
        .unwrap();
    assert_eq!(back, 2 * 49_995_000);
    // A reduction's result (computed as a stage) writes too.
    x.sum_axes(&[0], true)
        .unwrap()
        .to_npy(d.join("s.npy"))
        .unwrap();
    assert_eq!(
        chunkwise::from_npy::<i64>(d.join("s.npy"))
            .unwrap()
            .compute()
            .unwrap()
            .as_slice()
            .unwrap(),
        &[49_995_000]
    );
    std::fs::remove_dir_all(&d).unwrap();
}

/// Writes 4 MB into `dir` and checks that the write fails and leaves nothing behind; returns
/// the error's text.
fn write_too_much(dir: &Path) -> String {
    let x = chunkwise::random::default_rng(0).random([500_000]);
    let e = x.to_npy(dir.join("x.npy")).unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e}");
    assert!(listing(dir).is_empty(), "left behind: {:?}", listing(dir));
    e.to_string()
}

#[test]
fn a_full_disk_fails_the_write_and_leaves_nothing() {
    common::full_disk(&dir("full-disk"), "size_limit_child", write_too_much);
}

/// The child of the test above, run by it under a file-size limit (ignored otherwise: alone it
/// has nothing to check).
#[test]
#[ignore]
fn size_limit_child() {
    common::full_disk_child(write_too_much);
}

#[test]
fn file_bytes_show_in_the_plan_the_profiler_and_the_progress_bar() {
    use chunkwise::diagnostics::{Profiler, ProgressBar};
    use std::sync::Arc;
    use std::time::Duration;
    let d = dir("file-bytes");
    let path = d.join("x.npy");
    let x = chunkwise::arange(100_000)
        .cast::<f64>()
        .rechunk(10_000)
        .unwrap();
    let prof = Arc::new(Profiler::new(Duration::from_millis(50)));
    let bar = Arc::new(ProgressBar::hidden(Duration::ZERO));
    let cfg = Config::default()
        .observer(prof.clone())
        .observer(bar.clone());
    x.to_npy_with(&path, &cfg).unwrap();
    let written: u64 = prof.record().tasks.iter().map(|t| t.written_bytes).sum();
    assert_eq!(written, 800_000);
    assert_eq!(bar.file_bytes(), (0, 800_000));

    let y = chunkwise::from_npy_chunked::<f64>(&path, 10_000).unwrap();
    let plan = y.sum().explain().unwrap();
    assert!(
        plan.contains("reads: ") && plan.contains("x.npy (781.2 KiB)"),
        "{plan}"
    );
    let prof = Arc::new(Profiler::new(Duration::from_millis(50)));
    let cfg = Config::default()
        .observer(prof.clone())
        .observer(bar.clone());
    let s: f64 = y
        .sum()
        .compute_with(&cfg)
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    assert_eq!(s, 4_999_950_000.0);
    let read: u64 = prof.record().tasks.iter().map(|t| t.read_bytes).sum();
    assert_eq!(read, 800_000);
    assert_eq!(bar.file_bytes(), (800_000, 0));
    std::fs::remove_dir_all(&d).unwrap();
}

/// The reads of every task of `total`'s compute, and the file bytes they read in all.
fn reads_of(total: &ChunkedArray<f64>) -> (f64, Vec<u64>, u64) {
    use chunkwise::diagnostics::Profiler;
    use std::sync::Arc;
    use std::time::Duration;
    let prof = Arc::new(Profiler::new(Duration::from_millis(50)));
    let cfg = chunkwise::Config::default()
        .workers(2)
        .observer(prof.clone());
    let v = total.compute_with(&cfg).unwrap();
    let rec = prof.record();
    let reads = rec
        .tasks
        .iter()
        .filter(|t| t.read_bytes > 0)
        .map(|t| t.reads)
        .collect();
    let bytes = rec.tasks.iter().map(|t| t.read_bytes).sum();
    (v.iter().sum(), reads, bytes)
}

#[test]
fn reductions_read_a_file_in_a_few_large_reads_each_byte_once() {
    let d = dir("large-reads");
    // 1-d: 100_000 values in chunks of 10_000: tasks of 4 leaves (8192 values), each read in
    // one call (it was one per leaf).
    let path = d.join("x.npy");
    let x = chunkwise::arange(100_000).cast::<f64>();
    x.to_npy(&path).unwrap();
    let y = chunkwise::from_npy_chunked::<f64>(&path, 10_000).unwrap();
    let (s, reads, bytes) = reads_of(&y.sum());
    assert_eq!(s, 4_999_950_000.0);
    assert_eq!(bytes, 800_000);
    assert_eq!(reads.len(), 13, "{reads:?}");
    assert!(reads.iter().all(|&r| r == 1), "{reads:?}");
    // Through elementwise ops and a rechunk the source still reads its box whole.
    let z = (y.rechunk(20_000).unwrap() * 2.0 + 1.0).sum();
    let (s, reads, bytes) = reads_of(&z);
    assert_eq!(s, 2.0 * 4_999_950_000.0 + 100_000.0);
    assert_eq!(bytes, 800_000);
    assert!(reads.iter().all(|&r| r == 1), "{reads:?}");

    // 2-d, whole rows per leaf: a task's rows are one run of the file, one read.
    let path = d.join("m.npy");
    let m = chunkwise::arange(400 * 250)
        .cast::<f64>()
        .reshape([400, 250])
        .unwrap();
    m.to_npy(&path).unwrap();
    let y = chunkwise::from_npy_chunked::<f64>(&path, [100, 250]).unwrap();
    let (s, reads, bytes) = reads_of(&y.sum());
    assert_eq!(s, 99_999.0 * 100_000.0 / 2.0);
    assert_eq!(bytes, 800_000);
    assert!(reads.iter().all(|&r| r == 1), "{reads:?}");

    // Partial reductions and a column block read what they need, once, with the eager values.
    let eager = m.compute().unwrap();
    for axis in [0usize, 1] {
        let got = y.sum_with(axis as isize, Default::default()).unwrap();
        let want = eager.sum_axis(ndarray::Axis(axis));
        let (s, _, bytes) = reads_of(&got);
        assert_eq!(s, want.sum(), "axis {axis}");
        assert_eq!(bytes, 800_000, "axis {axis}");
        assert_eq!(got.compute().unwrap(), want.into_dyn(), "axis {axis}");
    }
    let cols = y.slice(ndarray::s![.., 10..20]).unwrap().sum();
    let (s, _, bytes) = reads_of(&cols);
    assert_eq!(s, eager.slice(ndarray::s![.., 10..20]).sum());
    assert_eq!(bytes, 400 * 10 * 8);
    std::fs::remove_dir_all(&d).unwrap();
}
