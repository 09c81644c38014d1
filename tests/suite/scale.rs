//! Lazy at any size: building, slicing and planning arrays of up to 1e18 elements takes
//! microseconds and no memory of their size; what cannot be held is a typed error, never an
//! abort; odd inputs (steps of `isize::MIN`, shapes whose product overflows, chunk lists of the
//! wrong rank) are typed errors or NumPy's answer, never a panic (the test profile keeps
//! overflow checks on).

// The one-axis and several-axes spellings (`sum_axis`, `var_ddof`, ...) are deprecated
// wrappers of the `_with` forms, kept for a release: these tests exercise them on purpose.
#![allow(deprecated)]

use std::time::{Duration, Instant};

use chunkwise::prelude::*;
use ndarray::{array, s, SliceInfoElem};

const E18: usize = 1_000_000_000_000_000_000;

/// Runs `f`, asserting it takes well under what O(elements) work would (seconds to forever).
fn quick<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let v = f();
    let e = t.elapsed();
    println!("{what}: {e:?}");
    assert!(e < Duration::from_millis(250), "{what} took {e:?}");
    v
}

fn values<T: Element>(x: &ChunkedArray<T>) -> Vec<T> {
    quick("a small compute", || x.compute())
        .unwrap()
        .iter()
        .copied()
        .collect()
}

#[test]
fn arrays_of_1e18_elements_build_slice_and_compute_their_slices() {
    let x = quick("arange(1e18)", || chunkwise::arange(E18));
    assert_eq!(x.len(), E18);
    assert_eq!(x.chunks().num_chunks(), E18.div_ceil(524_288));
    assert!(x.chunks().axis(0).is_regular());
    let head = quick("slice ..10", || x.slice(s![..10]).unwrap());
    assert_eq!(values(&head), (0..10).collect::<Vec<i64>>());
    let e = E18 as i64;
    assert_eq!(
        values(&x.slice(s![-3..]).unwrap()),
        vec![e - 3, e - 2, e - 1]
    );
    let strided = x.slice(s![..;100_000_000_000_000_000]).unwrap();
    assert_eq!(strided.len(), 10);
    assert_eq!(values(&strided)[9], 900_000_000_000_000_000);
    let back = x.slice(s![..;-1]).unwrap().slice(s![..2]).unwrap();
    assert_eq!(values(&back), vec![e - 1, e - 2]);

    let z = quick("zeros::<u8>([2^62])", || chunkwise::zeros::<u8>([1 << 62]));
    assert_eq!(values(&z.slice(s![..4]).unwrap()), vec![0u8; 4]);

    let b = quick("broadcast_to([2^62])", || {
        chunkwise::ones::<f64>([1]).broadcast_to([1 << 62]).unwrap()
    });
    assert_eq!(values(&b.slice(s![..3]).unwrap()), vec![1.0; 3]);

    let f = quick("arange_step(0, 1e18, 1)", || {
        chunkwise::arange_step(0.0, 1e18, 1.0)
    });
    assert_eq!(f.len(), E18);
    assert_eq!(values(&f.slice(s![..3]).unwrap()), vec![0.0, 1.0, 2.0]);

    let l = quick("linspace(0, 1, 1e17)", || {
        chunkwise::linspace(0.0, 1.0, 100_000_000_000_000_000)
    });
    assert_eq!(values(&l.slice(s![-1..]).unwrap()), vec![1.0]);

    let m = quick("reshape to [1e9, 1e9]", || {
        x.reshape([1_000_000_000, 1_000_000_000]).unwrap()
    });
    assert_eq!(
        values(&m.slice(s![1, ..3]).unwrap()),
        vec![1_000_000_000, 1_000_000_001, 1_000_000_002]
    );
    let col = m.t().slice(s![..2, 7]).unwrap();
    assert_eq!(values(&col), vec![7_000_000_000, 7_000_000_001]);
}

#[test]
fn explain_counts_the_tasks_of_1e18_elements_exactly() {
    let plan = quick("plan of arange(1e18).sum()", || {
        chunkwise::arange(E18).sum().plan().unwrap()
    });
    // Leaves of 2048 positions, 256 per task (an auto chunk of 2^19): one task per chunk.
    let tasks = (E18 / 2048).div_ceil(256) as u64;
    assert_eq!(tasks, 1_907_348_632_813);
    assert_eq!(plan.total_tasks(), tasks);
    assert!(plan.to_string().contains("1907348632813 tasks"), "{plan}");
    // Bounded memory even so: a few MiB.
    assert!(plan.memory.total < 16 << 20, "{plan}");
}

#[test]
fn results_that_cannot_be_held_are_typed_errors() {
    let too_large = |r: chunkwise::Result<ndarray::ArrayD<i64>>| match r {
        Err(Error::TooLarge { op, .. }) => op,
        other => panic!("expected TooLarge, got {other:?}"),
    };
    // 8e18 bytes: addressable but never allocatable.
    let op = quick("compute arange(1e18)", || chunkwise::arange(E18).compute());
    assert!(too_large(op).contains("arange"));
    // 2^65 bytes: past isize::MAX.
    let big = chunkwise::ones::<f64>([1]).broadcast_to([1 << 62]).unwrap();
    assert!(matches!(
        quick("compute 2^62 f64", || big.compute()),
        Err(Error::TooLarge { .. })
    ));
    // With a memory limit, the plan is refused before any work.
    let cfg = Config::default().memory_limit(1 << 30);
    assert!(matches!(
        chunkwise::arange(E18).compute_with(&cfg),
        Err(Error::MemoryLimit { .. })
    ));
    // A chunk that cannot be allocated whole (map_blocks needs whole chunks).
    let whole = chunkwise::arange(E18)
        .rechunk(-1)
        .unwrap()
        .map_blocks(|b| b.to_owned())
        .slice(s![..2])
        .unwrap();
    assert!(matches!(whole.compute(), Err(Error::TooLarge { .. })));
}

#[test]
fn element_counts_past_isize_max_are_errors_not_overflows() {
    let side = 1usize << 40;
    let z = chunkwise::zeros::<f64>([side, side]);
    assert!(matches!(z.compute(), Err(Error::TooLarge { .. })));
    assert!(matches!(z.sum().compute(), Err(Error::TooLarge { .. })));
    let a = chunkwise::zeros::<f64>([side, 1]);
    let b = chunkwise::zeros::<f64>([1, side]);
    let err = (&a + &b).explain().unwrap_err();
    assert!(matches!(err, Error::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("add"), "{err}");
    assert!(matches!(
        a.broadcast_to([side, side]),
        Err(Error::TooLarge { .. })
    ));
    assert!(matches!(
        chunkwise::arange(4).reshape([usize::MAX, 2, 2]),
        Err(Error::TooLarge { .. })
    ));
    let half = chunkwise::ones::<u8>([1 << 62]);
    let joined = chunkwise::concatenate(&[half.clone(), half.clone()], 0).unwrap();
    assert!(matches!(joined.plan(), Err(Error::TooLarge { .. })));
    assert!(matches!(
        chunkwise::zeros::<u8>([usize::MAX]).plan(),
        Err(Error::TooLarge { .. })
    ));
}

#[test]
fn extreme_slice_steps_and_bounds() {
    let x = chunkwise::arange(7);
    // NumPy: np.arange(7)[::-2**63] is [6].
    assert_eq!(values(&x.slice(s![..;isize::MIN]).unwrap()), vec![6]);
    assert_eq!(values(&x.slice(s![..;isize::MAX]).unwrap()), vec![0]);
    assert_eq!(
        values(&x.slice(s![isize::MIN..isize::MAX]).unwrap()).len(),
        7
    );
    assert_eq!(
        values(&x.slice(s![isize::MIN..;-3]).unwrap()),
        vec![6, 3, 0]
    );
    let reversed_bounds = [SliceInfoElem::Slice {
        start: isize::MAX,
        end: Some(isize::MIN),
        step: 1,
    }];
    assert!(values(&x.slice(reversed_bounds).unwrap()).is_empty());
    let e = E18 as i64;
    let big = chunkwise::arange(E18);
    assert_eq!(values(&big.slice(s![..;isize::MIN]).unwrap()), vec![e - 1]);
    assert_eq!(values(&big.slice(s![..;isize::MAX]).unwrap()), vec![0]);
    let idx = [SliceInfoElem::Index(isize::MIN)];
    assert!(matches!(x.slice(idx), Err(Error::IndexOutOfBounds { .. })));
    for r in [
        x.sum_axis(isize::MIN).map(|_| ()),
        x.expand_dims(isize::MIN).map(|_| ()),
        x.transpose([isize::MIN]).map(|_| ()),
        x.squeeze_axis(isize::MIN).map(|_| ()),
    ] {
        assert!(matches!(r, Err(Error::AxisOutOfRange { .. })), "{r:?}");
    }
}

#[test]
fn chunk_lists_must_have_one_entry_per_axis() {
    let r = chunkwise::from_array(array![1.0, 2.0, 3.0], vec![vec![3], vec![1]]);
    assert!(matches!(r, Err(Error::InvalidChunks { .. })));
    let r = chunkwise::arange(6).rechunk(vec![vec![6], vec![2]]);
    let err = r.unwrap_err();
    assert!(
        err.to_string().contains("2 axes of chunks for 1 axes"),
        "{err}"
    );
    // Another array's grid must cover this shape.
    let other = chunkwise::arange(8).rechunk(4).unwrap();
    assert!(chunkwise::arange(6).rechunk(other.chunks()).is_err());
    // Block sums that overflow usize are refused, not wrapped.
    let r = chunkwise::arange(1).rechunk(vec![vec![usize::MAX, 2]]);
    assert!(matches!(r, Err(Error::InvalidChunks { .. })));
}

/// Every movement op over arange(1e9) builds in O(chunks) or better: each would take seconds
/// (or abort) if it were O(elements).
#[test]
fn every_movement_op_builds_in_o_chunks() {
    let x = chunkwise::arange(1_000_000_000);
    let m = quick("reshape", || x.reshape([100_000, 10_000]).unwrap());
    let irregular = quick("explicit blocks", || {
        let mut b = vec![300_000; 3333];
        b.push(1_000_000_000 - 300_000 * 3333);
        x.rechunk(vec![b]).unwrap()
    });
    type Build<'a> = Box<dyn Fn() -> ChunkedArray<i64> + 'a>;
    let cases: Vec<(&str, Build)> = vec![
        ("slice 1..", Box::new(|| x.slice(s![1..]).unwrap())),
        ("slice ..;-1", Box::new(|| x.slice(s![..;-1]).unwrap())),
        ("slice 3..;7", Box::new(|| x.slice(s![3..;7]).unwrap())),
        ("slice ..;-13", Box::new(|| x.slice(s![..;-13]).unwrap())),
        (
            "irregular ..;3",
            Box::new(|| irregular.slice(s![5..;3]).unwrap()),
        ),
        (
            "irregular ..;-1",
            Box::new(|| irregular.slice(s![..;-1]).unwrap()),
        ),
        ("t", Box::new(|| m.t())),
        ("transpose", Box::new(|| m.transpose([1, 0]).unwrap())),
        ("index", Box::new(|| m.slice(s![.., 5]).unwrap())),
        (
            "new axis",
            Box::new(|| m.slice(s![ndarray::NewAxis, ..2, ..]).unwrap()),
        ),
        (
            "broadcast_to",
            Box::new(|| x.broadcast_to([3, 1_000_000_000]).unwrap()),
        ),
        ("expand_dims", Box::new(|| x.expand_dims(0).unwrap())),
        ("squeeze", Box::new(|| x.expand_dims(0).unwrap().squeeze())),
        (
            "concatenate",
            Box::new(|| {
                chunkwise::concatenate(&[x.clone(), x.slice(s![..5]).unwrap()], 0).unwrap()
            }),
        ),
        (
            "stack",
            Box::new(|| chunkwise::stack(&[x.clone(), x.clone()], 0).unwrap()),
        ),
        ("rechunk", Box::new(|| x.rechunk(1000).unwrap())),
        (
            "reshape back",
            Box::new(|| m.reshape([1_000_000_000]).unwrap()),
        ),
        (
            "unify grids",
            Box::new(|| &m.rechunk([999, 1000]).unwrap() + &m.rechunk([1000, 999]).unwrap()),
        ),
        (
            "unify huge grids",
            Box::new(|| {
                let a = chunkwise::arange(E18).rechunk(1000).unwrap();
                let b = chunkwise::arange(E18).rechunk(999).unwrap();
                (&a + &b).slice(s![..1_000_000]).unwrap()
            }),
        ),
    ];
    for (name, build) in &cases {
        let y = quick(name, build);
        // And the result is right where we look.
        let first = y.slice(vec![SliceInfoElem::from(..1); y.ndim()]).unwrap();
        let got = values(&first);
        assert_eq!(got.len(), 1, "{name}");
    }
    assert_eq!(
        values(&x.slice(s![3..;7]).unwrap().slice(s![..3]).unwrap()),
        vec![3, 10, 17]
    );
    assert_eq!(
        values(&irregular.slice(s![5..;3]).unwrap().slice(s![..2]).unwrap()),
        vec![5, 8]
    );
}

/// Slices keep the input's block boundaries (Dask's rule) for steps of +-1, group listed grids
/// by input block for larger steps, and divide a regular block size by the step.
#[test]
fn slice_grids_follow_the_input() {
    let x = chunkwise::arange(10).rechunk(4).unwrap();
    assert_eq!(x.slice(s![1..]).unwrap().chunks().axis(0), &[3, 4, 2]);
    assert_eq!(x.slice(s![..;-1]).unwrap().chunks().axis(0), &[2, 4, 4]);
    assert_eq!(x.slice(s![..;2]).unwrap().chunks().axis(0), &[2, 2, 1]);
    let y = chunkwise::arange(10).rechunk(vec![vec![2, 5, 3]]).unwrap();
    assert_eq!(y.slice(s![..;3]).unwrap().chunks().axis(0), &[1, 2, 1]);
    assert_eq!(y.slice(s![..;-3]).unwrap().chunks().axis(0), &[1, 2, 1]);
    assert_eq!(values(&y.slice(s![..;-3]).unwrap()), vec![9, 6, 3, 0]);
    assert_eq!(y.slice(s![3..4]).unwrap().chunks().axis(0), &[1]);
    assert_eq!(y.slice(s![4..4]).unwrap().chunks().axis(0), &[0]);
}

#[test]
fn a_map_applied_many_times_is_walked_once_per_node() {
    // The logistic map `x = 3.5 x (1 - x)` reads `x` twice at each step: 60 steps are 120
    // nodes but 2^60 paths, which the walks over a reduction's input (the blocks it prefetches
    // and shares, the granule of its tasks) once followed one by one. Blocks of 5.3 MB: the
    // transposed input's are shared by the workers of the sum.
    let base = chunkwise::random::default_rng(3)
        .random([1200, 1100])
        .rechunk([600, 1100])
        .unwrap();
    for transposed in [false, true] {
        let mut x = if transposed { base.t() } else { base.clone() };
        let mut want = x.compute().unwrap();
        for _ in 0..60 {
            x = &(&x * 3.5) * &(1.0 - &x);
            want.mapv_inplace(|v| (v * 3.5) * (1.0 - v));
        }
        let got = x.sum().compute().unwrap();
        let got = *got.first().unwrap();
        let sum: f64 = want.iter().sum();
        assert!(
            (got - sum).abs() <= 1e-9 * sum.abs(),
            "transposed {transposed}: {got} against {sum}"
        );
        assert_eq!(x.compute().unwrap(), want, "transposed {transposed}");
    }
}

#[test]
fn a_chain_of_ten_thousand_ops_evaluates() {
    // Evaluation recurses once per fused op: 10000 ops overflowed an 8 MB stack, 2500 the 2 MB
    // of a test's thread; deep chains go on on new stack segments.
    let mut x = chunkwise::random::default_rng(4)
        .random([300, 200])
        .rechunk([100, 100])
        .unwrap();
    let mut want = x.compute().unwrap();
    for k in 0..10_000 {
        x = if k % 2 == 0 { &x + 1.0 } else { &x * 0.5 };
        want.mapv_inplace(|v| if k % 2 == 0 { v + 1.0 } else { v * 0.5 });
    }
    assert_eq!(x.compute().unwrap(), want);
    let sum = *x.sum().compute().unwrap().first().unwrap();
    let expected: f64 = want.iter().sum();
    assert!(
        (sum - expected).abs() <= 1e-12 * expected.abs(),
        "{sum} against {expected}"
    );
    // The same depth with a 0-d array on either side of each op (NumPy's `1 - x`): ten
    // thousand broadcast operands, of which a task holds a few (`TaskCx::hold_tile`).
    let mut y = chunkwise::random::default_rng(4)
        .random([300, 200])
        .rechunk([100, 100])
        .unwrap();
    let mut want = y.compute().unwrap();
    for k in 0..10_000 {
        y = if k % 2 == 0 {
            &chunkwise::scalar(1.0) - &y
        } else {
            &y * &chunkwise::scalar(0.5)
        };
        want.mapv_inplace(|v| if k % 2 == 0 { 1.0 - v } else { v * 0.5 });
    }
    assert_eq!(y.compute().unwrap(), want);
}

#[test]
fn the_last_handle_of_a_deep_graph_is_dropped_without_deep_recursion() {
    // Dropping the last handle freed one level of ops per level of recursion: 100000 ops
    // overflowed an 8 MB stack (a test's thread has 2 MB). A chain, and the logistic map's
    // diamonds (each step's `x` held by two nodes).
    let x = chunkwise::random::default_rng(1).random([10]);
    let mut chain = x.clone();
    for _ in 0..200_000 {
        chain = &chain + 1.0;
    }
    let mut logistic = x.clone();
    for _ in 0..50_000 {
        logistic = &(&logistic * 3.5) * &(1.0 - &logistic);
    }
    // One node of each is held elsewhere: it stays usable after the rest is freed.
    let middle = chain.clone();
    for _ in 0..100_000 {
        chain = &chain * 1.0;
    }
    drop(chain);
    drop(logistic);
    assert_eq!(middle.shape(), &[10]);
    drop(middle);
    assert_eq!(x.compute().unwrap().len(), 10);
}
