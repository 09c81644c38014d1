//! `store`: several arrays written in one compute, shared inputs read once per chunk, nothing
//! at any destination when one write fails.
#![cfg(feature = "zarr")]

use std::sync::atomic::Ordering;

use chunkwise::prelude::*;

use crate::common;
use common::listing;

#[test]
fn arrays_sharing_an_input_are_written_in_one_pass() {
    let d = common::temp_dir("store", "one-pass");
    let (x, calls) = common::counted(
        chunkwise::random::default_rng(3)
            .random([1 << 20])
            .rechunk(1 << 17)
            .unwrap(),
    );
    let y = &x * 2.0;
    let z = (&x + 1.0).sqrt();
    // A budget for shared nodes (a quarter of the limit) below the input's 8 MiB: it is not
    // held whole, so only the pass's per-chunk hold keeps it from being evaluated per output.
    let cfg = Config::default().workers(2).memory_limit(24 << 20);
    chunkwise::store_with(
        vec![
            x.npy_target(d.join("x.npy")).unwrap(),
            y.npy_target(d.join("y.npy")).unwrap(),
            z.zarr_target(d.join("z.zarr"), &Default::default())
                .unwrap(),
            x.sum().npy_target(d.join("s.npy")).unwrap(),
        ],
        &cfg,
    )
    .unwrap();
    // 8 chunks: once for the pass that writes x, y and z, once for the staged sum.
    assert_eq!(calls.load(Ordering::Relaxed), 16);
    assert_eq!(listing(&d), ["s.npy", "x.npy", "y.npy", "z.zarr"]);
    let read = |name: &str| {
        chunkwise::from_npy::<f64>(d.join(name))
            .unwrap()
            .compute()
            .unwrap()
    };
    assert_eq!(read("x.npy"), x.compute().unwrap());
    assert_eq!(read("y.npy"), y.compute().unwrap());
    assert_eq!(read("s.npy"), x.sum().compute().unwrap());
    let z_back = chunkwise::from_zarr::<f64>(d.join("z.zarr")).unwrap();
    assert_eq!(z_back.compute().unwrap(), z.compute().unwrap());
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn arrays_of_other_grids_and_shapes_write_too() {
    let d = common::temp_dir("store", "grids");
    let a = chunkwise::arange(1000).rechunk(100).unwrap();
    let b = a.rechunk(300).unwrap() * 3;
    let c = a.reshape([10, 100]).unwrap().t();
    chunkwise::store(vec![
        a.npy_target(d.join("a.npy")).unwrap(),
        b.npy_target(d.join("b.npy")).unwrap(),
        c.npy_target(d.join("c.npy")).unwrap(),
    ])
    .unwrap();
    for (name, want) in [("a.npy", &a), ("b.npy", &b), ("c.npy", &c)] {
        let got = chunkwise::from_npy::<i64>(d.join(name))
            .unwrap()
            .compute()
            .unwrap();
        assert_eq!(got, want.compute().unwrap(), "{name}");
    }
    assert!(chunkwise::store(Vec::new()).is_ok());
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn one_failing_array_leaves_nothing_at_any_destination() {
    let d = common::temp_dir("store", "fails");
    let x = chunkwise::arange(10_000).rechunk(1000).unwrap();
    let bad = x.map_blocks(|b| {
        if b[[0]] == 7000 {
            panic!("chunk 7 fails")
        }
        b.to_owned()
    });
    let e = chunkwise::store(vec![
        x.npy_target(d.join("x.npy")).unwrap(),
        x.zarr_target(d.join("x.zarr"), &Default::default())
            .unwrap(),
        bad.npy_target(d.join("bad.npy")).unwrap(),
    ])
    .unwrap_err();
    assert!(e.to_string().contains("chunk 7 fails"), "{e}");
    assert!(listing(&d).is_empty(), "left behind: {:?}", listing(&d));
    // A target that is made and dropped removes its temporary.
    drop(x.npy_target(d.join("never.npy")).unwrap());
    drop(
        x.zarr_target(d.join("never.zarr"), &Default::default())
            .unwrap(),
    );
    assert!(listing(&d).is_empty(), "left behind: {:?}", listing(&d));
    std::fs::remove_dir_all(&d).unwrap();
}
