//! Zarr stores in and out: round trips for every dtype and rank (0 to 4, empty arrays,
//! irregular chunks), every codec and sharding, Zarr v2 stores written by hand the way
//! zarr-python 2 writes them, every error path, and nothing left at the destination when a
//! write fails.

// The one-axis and several-axes spellings (`sum_axis`, `var_ddof`, ...) are deprecated
// wrappers of the `_with` forms, kept for a release: these tests exercise them on purpose.
#![allow(deprecated)]
#![cfg(feature = "zarr")]

use std::path::{Path, PathBuf};

use chunkwise::io::zarr::{Compression, ZarrOptions};
use chunkwise::prelude::*;
use chunkwise::{ChunkSpec, DType};

use crate::common;
use common::listing;

fn dir(name: &str) -> PathBuf {
    common::temp_dir("zarr", name)
}

fn round_trip<T: Element>(d: &Path, make: &dyn Fn(&[usize]) -> ChunkedArray<T>) {
    for (i, &shape) in common::FILE_SHAPES.iter().enumerate() {
        let x = make(shape);
        let want = x.compute().unwrap();
        // Regular chunks become the store's; irregular ones are regridded to the automatic rule.
        let irregular = x
            .rechunk(ChunkSpec::Explicit(
                shape
                    .iter()
                    .map(|&n| match n {
                        0 => vec![0],
                        1 => vec![1],
                        n => vec![1, n - 1],
                    })
                    .collect(),
            ))
            .unwrap();
        for (j, written) in [x.rechunk(2).unwrap(), irregular].iter().enumerate() {
            let path = d.join(format!("{}-{i}-{j}.zarr", T::DTYPE));
            written.to_zarr(&path).unwrap();
            let info = chunkwise::zarr_info(&path).unwrap();
            assert_eq!((info.dtype, info.shape.as_slice()), (T::DTYPE, shape));
            assert_eq!(info.zarr_format, 3);
            let stored = chunkwise::from_zarr::<T>(&path).unwrap();
            if j == 0 && !shape.contains(&0) {
                assert_eq!(stored.chunks(), written.chunks(), "{shape:?}");
            }
            for chunks in [
                ChunkSpec::Auto,
                ChunkSpec::Uniform(1),
                ChunkSpec::Uniform(3),
            ] {
                let back = chunkwise::from_zarr_chunked::<T>(&path, chunks.clone()).unwrap();
                assert_eq!(
                    back.compute().unwrap(),
                    want,
                    "{} {shape:?} {chunks:?}",
                    T::DTYPE
                );
            }
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

#[test]
fn every_codec_and_sharding_round_trip_bit_exactly() {
    let d = dir("codecs");
    let x = chunkwise::random::default_rng(5)
        .normal(0.0, 1.0, [37, 23])
        .rechunk([10, 7])
        .unwrap();
    let want = x.compute().unwrap();
    let cases: Vec<(&str, ZarrOptions<f64>, Vec<&str>)> = vec![
        (
            "none",
            ZarrOptions::new().compression(Compression::None),
            vec!["bytes"],
        ),
        ("zstd", ZarrOptions::new(), vec!["bytes", "zstd"]),
        (
            "not-flushed",
            ZarrOptions::new().durable(false),
            vec!["bytes", "zstd"],
        ),
        (
            "zstd-checksum",
            ZarrOptions::new().compression(Compression::Zstd {
                level: 5,
                checksum: true,
            }),
            vec!["bytes", "zstd"],
        ),
        (
            "gzip",
            ZarrOptions::new().compression(Compression::Gzip { level: 6 }),
            vec!["bytes", "gzip"],
        ),
        (
            "blosc",
            ZarrOptions::new().compression(Compression::Blosc {
                level: 5,
                shuffle: true,
            }),
            vec!["bytes", "blosc"],
        ),
        (
            "sharded",
            ZarrOptions::new().chunks([4, 5]).shards([12, 10]),
            vec!["sharding_indexed"],
        ),
        (
            "store-chunks",
            ZarrOptions::new().chunks([16, 16]).fill_value(f64::NAN),
            vec!["bytes", "zstd"],
        ),
    ];
    for (name, opts, codecs) in cases {
        let path = d.join(format!("{name}.zarr"));
        x.to_zarr_with(&path, &opts, &Config::default()).unwrap();
        let info = chunkwise::zarr_info(&path).unwrap();
        assert_eq!(info.codecs, codecs, "{name}");
        let back = chunkwise::from_zarr::<f64>(&path).unwrap();
        match name {
            "sharded" => {
                assert_eq!(
                    (info.chunks.as_slice(), info.subchunks),
                    (&[12, 10][..], Some(vec![4, 5]))
                );
                assert_eq!(back.chunks().axis(0), &[12, 12, 12, 1]);
            }
            "store-chunks" => assert_eq!(back.chunks().axis(1), &[16, 7]),
            _ => assert_eq!(back.chunks(), x.chunks()),
        }
        let got = back.compute().unwrap();
        assert!(
            got.iter()
                .zip(&want)
                .all(|(g, w)| g.to_bits() == w.to_bits()),
            "{name}"
        );
        // Regions, not only whole reads: a transposed slice across store chunks.
        let s = back
            .t()
            .slice(chunkwise::ndarray::s![3..17, 8..29])
            .unwrap()
            .compute()
            .unwrap();
        let w = want
            .t()
            .slice(chunkwise::ndarray::s![3..17, 8..29])
            .to_owned()
            .into_dyn();
        assert_eq!(s, w, "{name}");
    }
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn missing_chunks_read_as_the_fill_value_and_attributes_are_kept() {
    let d = dir("fill");
    let path = d.join("x.zarr");
    // Chunks that hold only the fill value are not written (zarr-python's default).
    let x = chunkwise::arange(40)
        .rechunk(10)
        .unwrap()
        .lt(20)
        .cast::<i32>()
        * 5i32;
    let opts = ZarrOptions::new()
        .fill_value(0)
        .attribute("units", "m".into())
        .attribute("scale", 2.5.into());
    x.to_zarr_with(&path, &opts, &Config::default()).unwrap();
    let mut chunk_files = listing(&path.join("c"));
    chunk_files.sort();
    assert_eq!(chunk_files, ["0", "1"]);
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path.join("zarr.json")).unwrap()).unwrap();
    assert_eq!(meta["attributes"]["units"], "m");
    assert_eq!(meta["attributes"]["scale"], 2.5);
    let back = chunkwise::from_zarr::<i32>(&path).unwrap();
    assert_eq!(back.compute().unwrap(), x.compute().unwrap());
    // A chunk removed from the store reads as the fill value.
    std::fs::remove_file(path.join("c/1")).unwrap();
    let s: i64 = chunkwise::from_zarr::<i32>(&path)
        .unwrap()
        .cast::<i64>()
        .sum()
        .item()
        .unwrap();
    assert_eq!(s, 50);
    std::fs::remove_dir_all(&d).unwrap();
}

/// A Zarr v2 array written the way zarr-python 2 writes one without a compressor: `.zarray`
/// and one file per chunk, named `i.j`, in the given byte order.
fn write_v2(path: &Path, descr: &str, shape: &[usize], chunks: &[usize], values: &[f64]) {
    std::fs::create_dir_all(path).unwrap();
    let meta = serde_json::json!({
        "zarr_format": 2, "shape": shape, "chunks": chunks, "dtype": descr,
        "compressor": null, "fill_value": 0.0, "order": "C", "filters": null,
    });
    std::fs::write(path.join(".zarray"), meta.to_string()).unwrap();
    let grid: Vec<usize> = shape
        .iter()
        .zip(chunks)
        .map(|(n, c)| n.div_ceil(*c))
        .collect();
    for i in 0..grid[0] {
        for j in 0..grid[1] {
            let mut bytes = Vec::new();
            for a in 0..chunks[0] {
                for b in 0..chunks[1] {
                    let (r, c) = (i * chunks[0] + a, j * chunks[1] + b);
                    let v = if r < shape[0] && c < shape[1] {
                        values[r * shape[1] + c]
                    } else {
                        0.0
                    };
                    bytes.extend(if descr.starts_with('>') {
                        v.to_be_bytes()
                    } else {
                        v.to_le_bytes()
                    });
                }
            }
            std::fs::write(path.join(format!("{i}.{j}")), bytes).unwrap();
        }
    }
}

#[test]
fn zarr_v2_arrays_read_in_both_byte_orders() {
    let d = dir("v2");
    let values: Vec<f64> = (0..35).map(|i| i as f64 * 0.25 - 3.0).collect();
    for descr in ["<f8", ">f8"] {
        let path = d.join(format!(
            "{}.zarr",
            &descr[..1].replace('<', "le").replace('>', "be")
        ));
        write_v2(&path, descr, &[5, 7], &[2, 3], &values);
        let info = chunkwise::zarr_info(&path).unwrap();
        assert_eq!(
            (info.zarr_format, info.dtype, info.chunks.as_slice()),
            (2, DType::F64, &[2, 3][..])
        );
        let x = chunkwise::from_zarr::<f64>(&path).unwrap();
        assert_eq!(x.chunks().axis(1), &[3, 3, 1]);
        assert_eq!(
            x.compute().unwrap().as_slice().unwrap(),
            values.as_slice(),
            "{descr}"
        );
    }
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn reading_errors_are_typed_and_name_the_store() {
    let d = dir("read-errors");
    let e = chunkwise::from_zarr::<f64>(d.join("missing.zarr")).unwrap_err();
    assert!(
        matches!(e, Error::Io { .. }) && e.to_string().contains("missing.zarr"),
        "{e}"
    );
    let file = d.join("file.zarr");
    std::fs::write(&file, "a file").unwrap();
    let e = chunkwise::from_zarr::<f64>(&file).unwrap_err();
    assert!(
        matches!(e, Error::Io { .. }) && e.to_string().contains("not a folder"),
        "{e}"
    );
    let empty = d.join("empty.zarr");
    std::fs::create_dir(&empty).unwrap();
    let e = chunkwise::zarr_info(&empty).unwrap_err();
    assert!(
        matches!(e, Error::Format { .. }) && e.to_string().contains("not a Zarr array"),
        "{e}"
    );

    // A group, not an array.
    let group = d.join("group.zarr");
    std::fs::create_dir(&group).unwrap();
    std::fs::write(
        group.join("zarr.json"),
        r#"{"zarr_format": 3, "node_type": "group", "attributes": {}}"#,
    )
    .unwrap();
    let e = chunkwise::zarr_info(&group).unwrap_err();
    assert!(
        matches!(e, Error::Format { .. }) && e.to_string().contains("group.zarr"),
        "{e}"
    );

    // Metadata written by hand: a data type chunkwise does not hold, a codec nobody knows.
    let by_hand = |name: &str, data_type: &str, codec: &str| {
        let p = d.join(name);
        std::fs::create_dir(&p).unwrap();
        let meta = serde_json::json!({
            "zarr_format": 3, "node_type": "array", "shape": [4], "data_type": data_type,
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [2]}},
            "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
            "fill_value": 0, "codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
                                         {"name": codec}],
            "attributes": {},
        });
        std::fs::write(p.join("zarr.json"), meta.to_string()).unwrap();
        p
    };
    let e = chunkwise::zarr_info(by_hand("complex.zarr", "complex128", "crc32c")).unwrap_err();
    assert!(
        matches!(e, Error::Format { .. }) && e.to_string().contains("complex128"),
        "{e}"
    );
    let e = chunkwise::zarr_info(by_hand("codec.zarr", "float64", "nonesuch")).unwrap_err();
    assert!(
        matches!(e, Error::Format { .. }) && e.to_string().contains("nonesuch"),
        "{e}"
    );

    // The wrong type, and a chunk that does not decode (found when a task reads it).
    let path = d.join("x.zarr");
    chunkwise::arange(100)
        .cast::<f64>()
        .rechunk(30)
        .unwrap()
        .to_zarr(&path)
        .unwrap();
    match chunkwise::from_zarr::<i64>(&path).unwrap_err() {
        Error::DTypeMismatch {
            expected, found, ..
        } => {
            assert_eq!((expected, found.as_str()), (DType::I64, "float64"))
        }
        other => panic!("{other:?}"),
    }
    // A zstd frame cut short, and one followed by other bytes: both name the chunk.
    let frame = std::fs::read(path.join("c/2")).unwrap();
    for (what, bytes) in [
        ("cut", frame[..frame.len() - 3].to_vec()),
        ("trailing", [&frame[..], b"more"].concat()),
    ] {
        std::fs::write(path.join("c/2"), &bytes).unwrap();
        let e = chunkwise::from_zarr::<f64>(&path)
            .unwrap()
            .sum()
            .compute()
            .unwrap_err();
        assert!(
            matches!(e, Error::Format { .. }) && e.to_string().contains("60..90"),
            "{what}: {e}"
        );
    }
    std::fs::write(path.join("c/2"), b"not zstd at all").unwrap();
    let x = chunkwise::from_zarr::<f64>(&path).unwrap();
    let first: f64 = x
        .slice(chunkwise::ndarray::s![..60])
        .unwrap()
        .sum()
        .item()
        .unwrap();
    assert_eq!(first, (0..60).sum::<i64>() as f64);
    let e = x.sum().compute().unwrap_err();
    assert!(
        matches!(e, Error::Format { .. })
            && e.to_string().contains("x.zarr")
            && e.to_string().contains("60..90"),
        "{e}"
    );
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn failed_writes_leave_nothing_at_the_destination() {
    let d = dir("write-errors");
    let x = chunkwise::arange(10_000).rechunk(1000).unwrap();
    let e = x.to_zarr(d.join("no/such/folder/x.zarr")).unwrap_err();
    assert!(
        matches!(e, Error::Io { .. }) && e.to_string().contains("does not exist"),
        "{e}"
    );
    for (opts, what) in [
        (ZarrOptions::new().chunks([0]), "store chunks [0]"),
        (ZarrOptions::new().chunks([10, 10]), "store chunks [10, 10]"),
        (
            ZarrOptions::new().chunks([10]).shards([15]),
            "do not hold whole chunks",
        ),
    ] {
        let e = x
            .to_zarr_with(d.join("x.zarr"), &opts, &Config::default())
            .unwrap_err();
        assert!(
            matches!(e, Error::InvalidChunks { .. }) && e.to_string().contains(what),
            "{e}"
        );
    }
    assert!(listing(&d).is_empty(), "left behind: {:?}", listing(&d));

    // A task that fails midway (the closure panics on one chunk).
    let bad = x.map_blocks(|b| {
        if b[[0]] == 5000 {
            panic!("chunk 5 fails")
        }
        b.to_owned()
    });
    let path = d.join("x.zarr");
    let e = bad.to_zarr(&path).unwrap_err();
    assert!(e.to_string().contains("chunk 5 fails"), "{e}");
    assert!(listing(&d).is_empty(), "left behind: {:?}", listing(&d));

    // An existing store: an error without overwrite, kept whole when an overwrite fails,
    // replaced when one succeeds.
    x.to_zarr(&path).unwrap();
    let e = x.to_zarr(&path).unwrap_err();
    assert!(e.to_string().contains("already exists"), "{e}");
    let replace = ZarrOptions::new().overwrite(true);
    assert!(bad
        .to_zarr_with(&path, &replace, &Config::default())
        .is_err());
    assert_eq!(listing(&d), vec!["x.zarr".to_string()]);
    let total = |p: &Path| -> i64 {
        chunkwise::from_zarr::<i64>(p)
            .unwrap()
            .sum()
            .item()
            .unwrap()
    };
    assert_eq!(total(&path), 49_995_000);
    (&x * 2)
        .to_zarr_with(&path, &replace, &Config::default().workers(1))
        .unwrap();
    assert_eq!(total(&path), 2 * 49_995_000);
    assert_eq!(listing(&d), vec!["x.zarr".to_string()]);

    // A reduction's result (computed as a stage) writes too.
    x.sum_axes(&[0], true)
        .unwrap()
        .to_zarr(d.join("s.zarr"))
        .unwrap();
    assert_eq!(
        chunkwise::from_zarr::<i64>(d.join("s.zarr"))
            .unwrap()
            .compute()
            .unwrap()
            .as_slice()
            .unwrap(),
        &[49_995_000]
    );
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn chunking_and_workers_do_not_change_what_is_read() {
    let d = dir("invariance");
    let path = d.join("x.zarr");
    let x = chunkwise::random::default_rng(9).normal(0.0, 1.0, [300, 70]);
    x.rechunk([64, 32]).unwrap().to_zarr(&path).unwrap();
    let want = x.sum().item().unwrap();
    for chunks in [
        ChunkSpec::Auto,
        ChunkSpec::PerAxis(vec![17, 70]),
        ChunkSpec::Uniform(100),
    ] {
        for workers in [1, 2, 3] {
            let y = chunkwise::from_zarr_chunked::<f64>(&path, chunks.clone()).unwrap();
            let s: f64 = y
                .sum()
                .compute_with(&Config::default().workers(workers))
                .unwrap()
                .into_iter()
                .next()
                .unwrap();
            assert_eq!(s.to_bits(), want.to_bits(), "{chunks:?} {workers}");
        }
    }
    // The plan counts the decoded chunk a task keeps.
    let plan = chunkwise::from_zarr::<f64>(&path)
        .unwrap()
        .sum()
        .plan()
        .unwrap();
    assert!(plan.memory.tiles >= 2 * 64 * 32 * 8, "{plan}");
    std::fs::remove_dir_all(&d).unwrap();
}

fn write_too_much(dir: &Path) -> String {
    let x = chunkwise::random::default_rng(0)
        .random([500_000])
        .rechunk(50_000)
        .unwrap();
    // Through zarrs (no compression), and streamed through zstd (random values barely
    // compress).
    let mut message = String::new();
    for compression in [Compression::None, Compression::default()] {
        let opts = ZarrOptions::new().compression(compression);
        let e = x
            .to_zarr_with(dir.join("x.zarr"), &opts, &Config::default())
            .unwrap_err();
        assert!(matches!(e, Error::Io { .. }), "{e}");
        assert!(listing(dir).is_empty(), "left behind: {:?}", listing(dir));
        message = e.to_string();
    }
    message
}

/// Chunk files streamed through zstd are single frames any zstd reader takes: the content
/// size in the header (zarr-python's numcodecs needs it), the checksum when asked, edge chunks
/// whole with the fill value around the array's part.
#[test]
fn streamed_chunk_files_are_whole_zstd_frames() {
    let d = dir("frames");
    let x = chunkwise::arange(10 * 23)
        .cast::<f64>()
        .reshape([10, 23])
        .unwrap()
        .rechunk([4, 16])
        .unwrap();
    let want = x.compute().unwrap();
    for checksum in [false, true] {
        let path = d.join(format!("x-{checksum}.zarr"));
        let opts = ZarrOptions::new()
            .fill_value(-1.0)
            .compression(Compression::Zstd { level: 3, checksum });
        x.to_zarr_with(&path, &opts, &Config::default()).unwrap();
        for i in 0..3 {
            for j in 0..2 {
                let raw = std::fs::read(path.join(format!("c/{i}/{j}"))).unwrap();
                // The frame header descriptor's checksum flag (bit 2).
                assert_eq!(raw[4] & 4 != 0, checksum, "chunk {i}/{j}");
                assert_eq!(
                    zstd::zstd_safe::get_frame_content_size(&raw).ok(),
                    Some(Some(4 * 16 * 8)),
                    "chunk {i}/{j}"
                );
                let bytes = zstd::bulk::decompress(&raw, 4 * 16 * 8).unwrap();
                let vals: Vec<f64> = bytes
                    .chunks_exact(8)
                    .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
                    .collect();
                for (k, v) in vals.iter().enumerate() {
                    let (r, c) = (4 * i + k / 16, 16 * j + k % 16);
                    let expected = if r < 10 && c < 23 { want[[r, c]] } else { -1.0 };
                    assert_eq!(*v, expected, "chunk {i}/{j} at {r}, {c}");
                }
            }
        }
        let back = chunkwise::from_zarr::<f64>(&path).unwrap();
        assert_eq!(back.compute().unwrap(), want);
    }
    std::fs::remove_dir_all(&d).unwrap();
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
