//! Random expression graphs from the fuzzer's bytes, each op applied to a lazy chunkwise array
//! and to its eager ndarray twin. Checked: no panic and no abort (libFuzzer reports both);
//! every `Ok` compute equals the eager value (bit for bit where the op is exact, within the
//! stated bound where it rounds: float sums, means, variances, scans, quantiles); `explain()`
//! succeeds whenever `compute()` does; a compute fails only where the graph holds an op that
//! may (a reduction without identity over nothing, a bincount, a broadcast that does not fit).
//!
//! A rounding op's result is compared with its bound once, then the eager twin takes the
//! computed value, so everything after it is again exact: the graph after it recomputes the
//! reduction in other fusions and chunkings, which must give the same bits (determinism).
//!
//! Sizes stay small (at most `MAX_LEN` elements, up to 4 axes, empty axes included) except for
//! the lazy huge sources (up to 1e18 elements, shapes near `usize::MAX`), which are only
//! explained, or sliced down to a few elements before anything is computed.

#![no_main]

use arbitrary::{Result as AResult, Unstructured};
use chunkwise::prelude::*;
use chunkwise::{Config, Element, Integer, Numeric, ReduceOptions};

use reference::NumPy;
use libfuzzer_sys::fuzz_target;
use ndarray::{ArrayD, Axis, IxDyn, SliceInfoElem};

const MAX_LEN: usize = 2048;
const MAX_STACK: usize = 4;

const FLOATS: [f64; 16] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    2.0,
    -3.0,
    0.1,
    7.0,
    -2.5,
    1e6,
    3.0,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    4.0,
];
const INTS: [i64; 16] = [
    0,
    1,
    -1,
    2,
    3,
    -7,
    100,
    5,
    i64::MAX,
    i64::MIN,
    -2,
    64,
    4,
    1 << 40,
    -(1 << 33),
    9,
];

/// A lazy array, its eager twin, and whether a compute of it may fail.
#[derive(Clone)]
struct Pair<T: Element> {
    x: ChunkedArray<T>,
    e: ArrayD<T>,
    may_fail: bool,
}

#[derive(Clone)]
enum Val {
    F(Pair<f64>),
    I(Pair<i64>),
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let _ = run(&mut u);
});

fn run(u: &mut Unstructured<'_>) -> AResult<()> {
    let mut stack: Vec<Val> = Vec::new();
    let steps = u.int_in_range(1..=12)?;
    for _ in 0..steps {
        if stack.is_empty() || (stack.len() < MAX_STACK && u.ratio(1, 4)?) {
            if let Some(v) = source(u)? {
                stack.push(v);
            }
            continue;
        }
        let top = stack.pop().expect("not empty");
        let other = if stack.is_empty() {
            None
        } else {
            let i = u.choose_index(stack.len())?;
            Some(stack[i].clone())
        };
        match apply(u, top.clone(), other)? {
            Some(v) => stack.push(v),
            None => stack.push(top),
        }
    }
    let workers = u.int_in_range(1..=3)?;
    for v in &stack {
        match v {
            Val::F(p) => check(p, workers, same_f64),
            Val::I(p) => check(p, workers, |a, b| a == b),
        }
    }
    Ok(())
}

fn same_f64(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Equal as values: `-0.0 == 0.0` (what min and max may differ in by fold order).
fn equal_f64(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// Computes `p` and checks it against its twin; `explain` must succeed where compute does.
fn check<T: Element>(p: &Pair<T>, workers: usize, eq: impl Fn(T, T) -> bool) {
    let cfg = Config::default().workers(workers);
    let got = p.x.compute_with(&cfg);
    match got {
        Ok(got) => {
            assert_eq!(
                got.shape(),
                p.e.shape(),
                "shape of {}",
                p.x.explain().unwrap()
            );
            for (i, (a, b)) in got.iter().zip(p.e.iter()).enumerate() {
                assert!(
                    eq(*a, *b),
                    "element {i}: got {a:?}, want {b:?}\n{}",
                    p.x.explain().unwrap()
                );
            }
            if let Err(e) = p.x.explain() {
                panic!("compute succeeded but explain failed: {e}");
            }
        }
        Err(e) => assert!(p.may_fail, "unexpected error: {e}"),
    }
}

/// A chunking of `shape`: whole axes, a regular size, or random block sizes.
fn chunking(u: &mut Unstructured<'_>, shape: &[usize]) -> AResult<Vec<Vec<usize>>> {
    let mut out = Vec::new();
    for &n in shape {
        let mut blocks = Vec::new();
        match u.int_in_range(0..=2)? {
            0 => blocks.push(n),
            1 => {
                let c = u.int_in_range(1..=n.max(1))?;
                let mut left = n;
                while left > 0 {
                    blocks.push(c.min(left));
                    left -= c.min(left);
                }
            }
            _ => {
                let mut left = n;
                while left > 0 {
                    let c = u.int_in_range(1..=left)?;
                    blocks.push(c);
                    left -= c;
                }
            }
        }
        if blocks.is_empty() && u.arbitrary()? {
            blocks.push(0);
        }
        out.push(blocks);
    }
    Ok(out)
}

fn small_shape(u: &mut Unstructured<'_>) -> AResult<Vec<usize>> {
    let nd = u.int_in_range(0..=4)?;
    (0..nd).map(|_| u.int_in_range(0..=5)).collect()
}

fn pair<T: Element>(x: ChunkedArray<T>, e: ArrayD<T>) -> Pair<T> {
    Pair {
        x,
        e,
        may_fail: false,
    }
}

fn source(u: &mut Unstructured<'_>) -> AResult<Option<Val>> {
    let shape = small_shape(u)?;
    let n: usize = shape.iter().product();
    let chunks = chunking(u, &shape)?;
    Ok(match u.int_in_range(0..=4)? {
        0 => {
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                v.push(*u.choose(&FLOATS)?);
            }
            let e = ArrayD::from_shape_vec(IxDyn(&shape), v).unwrap();
            chunkwise::from_array(e.clone(), chunks)
                .ok()
                .map(|x| Val::F(pair(x, e)))
        }
        1 => {
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                v.push(*u.choose(&INTS)?);
            }
            let e = ArrayD::from_shape_vec(IxDyn(&shape), v).unwrap();
            chunkwise::from_array(e.clone(), chunks)
                .ok()
                .map(|x| Val::I(pair(x, e)))
        }
        2 => {
            let e = ArrayD::from_shape_vec(IxDyn(&shape), (0..n as i64).collect()).unwrap();
            let x = chunkwise::arange(n)
                .reshape(shape.clone())
                .and_then(|x| x.rechunk(chunks));
            x.ok().map(|x| Val::I(pair(x, e)))
        }
        3 => {
            let v = *u.choose(&FLOATS)?;
            let x = chunkwise::full(shape.clone(), v).rechunk(chunks);
            x.ok()
                .map(|x| Val::F(pair(x, ArrayD::from_elem(IxDyn(&shape), v))))
        }
        _ => huge(u)?,
    })
}

/// A lazy source far too large to compute, explained, then sliced down to a few elements.
fn huge(u: &mut Unstructured<'_>) -> AResult<Option<Val>> {
    let n: u64 = match u.int_in_range(0..=3)? {
        0 => 1_000_000_000_000_000_000,
        1 => i64::MAX as u64,
        2 => u.int_in_range(1u64..=u64::MAX)?,
        _ => (1u64 << 62) + u.int_in_range(0..=1000)?,
    };
    // Shapes whose product overflows: building must record an error, never panic.
    let wide = [usize::MAX / 2, 3];
    let z = chunkwise::zeros::<f64>(wide);
    let _ = z.explain();
    let _ = z.sum().explain();
    let Ok(len) = usize::try_from(n) else {
        return Ok(None);
    };
    let a = chunkwise::arange(len);
    let _ = a.explain();
    let _ = a.sum().explain();
    let a = if u.arbitrary()? {
        match a.rechunk(u.int_in_range(1..=len)?) {
            Ok(a) => a,
            Err(_) => return Ok(None),
        }
    } else {
        a
    };
    let _ = a.explain();
    // Every op builds lazily over the huge array, and explains (nothing is computed).
    let k = u.int_in_range(0..=3usize)?;
    let explained: Vec<chunkwise::Result<String>> = vec![
        a.cumsum(0).and_then(|c| c.explain()),
        a.diff(1, 0).and_then(|c| c.explain()),
        a.repeat(k, 0).and_then(|c| c.explain()),
        a.tile(&[k + 1]).and_then(|c| c.explain()),
        a.pad(&[(k, 1)], chunkwise::PadMode::Wrap)
            .and_then(|c| c.explain()),
        a.take(&[0, -1, i64::MIN, i64::MAX], 0).and_then(|c| c.explain()),
        chunkwise::concatenate(&[a.clone(), a.clone()], 0).and_then(|c| c.explain()),
        a.reshape([2usize, len / 2]).and_then(|c| c.explain()),
        a.expand_dims(1)
            .and_then(|c| c.broadcast_to([len, k + 1]))
            .and_then(|c| c.sum_with(1, ReduceOptions::default()))
            .and_then(|c| c.explain()),
        a.quantile(0.5).and_then(|c| c.explain()),
        a.topk(-(k as isize) - 1).and_then(|c| c.explain()),
        a.select(&a.gt(3i64)).and_then(|d| d.explain()),
        a.bincount(k).explain(),
        a.unique().explain(),
        a.histogram(k + 1, (0.0, 1.0)).and_then(|(c, _)| c.explain()),
        a.roll(isize::MIN, 0).and_then(|c| c.explain()),
        a.slice([SliceInfoElem::Slice {
            start: isize::MIN,
            end: None,
            step: isize::MIN,
        }])
        .and_then(|c| c.explain()),
    ];
    drop(explained);
    // Movement over the whole huge axis first: the index arithmetic near the limits.
    let n128 = len as i128;
    let (a, value): (ChunkedArray<i64>, Box<dyn Fn(usize) -> i64>) = match u.int_in_range(0..=2)? {
        0 => (a, Box::new(|i| i as i64)),
        1 => match a.flip(0) {
            Ok(f) => (f, Box::new(move |i| (len - 1 - i) as i64)),
            Err(_) => return Ok(None),
        },
        _ => {
            let shift: isize = u.arbitrary()?;
            match a.roll(shift, 0) {
                Ok(r) => (
                    r,
                    Box::new(move |i| (i as i128 - shift as i128).rem_euclid(n128) as i64),
                ),
                Err(_) => return Ok(None),
            }
        }
    };
    let _ = a.explain();
    // A few consecutive values, near the end or anywhere.
    let k = u.int_in_range(0..=6usize)?;
    let start = if u.arbitrary()? {
        len.saturating_sub(k)
    } else {
        u.int_in_range(0..=len)?
    };
    let step = u.int_in_range(1..=3isize)?;
    let stop = start.saturating_add(k).min(len);
    let (Ok(s0), Ok(s1)) = (isize::try_from(start), isize::try_from(stop)) else {
        return Ok(None);
    };
    let Ok(x) = a.slice([SliceInfoElem::Slice {
        start: s0,
        end: Some(s1),
        step,
    }]) else {
        return Ok(None);
    };
    let v: Vec<i64> = (start..stop).step_by(step as usize).map(value).collect();
    let e = ArrayD::from_shape_vec(IxDyn(&[v.len()]), v).unwrap();
    // Past `isize::MAX` elements the array is an error, surfaced at compute.
    Ok(Some(Val::I(Pair {
        x,
        e,
        may_fail: len > isize::MAX as usize,
    })))
}

/// NumPy's broadcast of two shapes, `None` when they do not broadcast.
fn broadcast(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let n = a.len().max(b.len());
    (0..n)
        .map(|i| {
            let da = if i + a.len() >= n {
                a[i + a.len() - n]
            } else {
                1
            };
            let db = if i + b.len() >= n {
                b[i + b.len() - n]
            } else {
                1
            };
            match (da, db) {
                (x, y) if x == y => Some(x),
                (1, y) => Some(y),
                (x, 1) => Some(x),
                _ => None,
            }
        })
        .collect()
}

/// `f` of the two arrays broadcast together, eagerly.
fn zip_eager<T: Copy, U: Copy, V>(
    a: &ArrayD<T>,
    b: &ArrayD<U>,
    shape: &[usize],
    f: impl Fn(T, U) -> V,
) -> ArrayD<V> {
    let a = a.broadcast(IxDyn(shape)).unwrap();
    let b = b.broadcast(IxDyn(shape)).unwrap();
    let v: Vec<V> = a.iter().zip(b.iter()).map(|(&x, &y)| f(x, y)).collect();
    ArrayD::from_shape_vec(IxDyn(shape), v).unwrap()
}

/// The array's values gathered by one index list per axis (`None` takes `fill`): the eager
/// form of every movement (slices, flips, rolls, repeats, takes, pads).
fn gather<T: Copy>(e: &ArrayD<T>, maps: &[Vec<Option<usize>>], fill: T) -> ArrayD<T> {
    let shape: Vec<usize> = maps.iter().map(|m| m.len()).collect();
    ArrayD::from_shape_fn(IxDyn(&shape), |ix| {
        let mut src = Vec::with_capacity(maps.len());
        for (d, m) in maps.iter().enumerate() {
            match m[ix[d]] {
                Some(i) => src.push(i),
                None => return fill,
            }
        }
        e[IxDyn(&src)]
    })
}

/// Lanes over `axes` (each output position's reduced values, C order), folded by `f`.
fn reduce_eager<T: Copy, U>(
    e: &ArrayD<T>,
    axes: &[usize],
    keepdims: bool,
    f: impl Fn(&[T]) -> U,
) -> ArrayD<U> {
    let nd = e.ndim();
    let kept: Vec<usize> = (0..nd).filter(|d| !axes.contains(d)).collect();
    let mut perm = kept.clone();
    perm.extend(axes);
    let p = e
        .view()
        .permuted_axes(perm)
        .as_standard_layout()
        .into_owned();
    let outer: usize = kept.iter().map(|&d| e.shape()[d]).product();
    let inner: usize = axes.iter().map(|&d| e.shape()[d]).product();
    let flat = p.into_raw_vec_and_offset().0;
    let v: Vec<U> = (0..outer)
        .map(|o| f(&flat[o * inner..(o + 1) * inner]))
        .collect();
    let shape: Vec<usize> = if keepdims {
        (0..nd)
            .map(|d| if axes.contains(&d) { 1 } else { e.shape()[d] })
            .collect()
    } else {
        kept.iter().map(|&d| e.shape()[d]).collect()
    };
    ArrayD::from_shape_vec(IxDyn(&shape), v).unwrap()
}

/// A random set of distinct axes, sorted, as `isize` (some negative) and as `usize`.
fn axes_of(u: &mut Unstructured<'_>, nd: usize) -> AResult<(Vec<isize>, Vec<usize>)> {
    let mut ax = Vec::new();
    let mut given = Vec::new();
    for d in 0..nd {
        if u.arbitrary()? {
            ax.push(d);
            given.push(if u.arbitrary()? {
                d as isize - nd as isize
            } else {
                d as isize
            });
        }
    }
    Ok((given, ax))
}

fn apply(u: &mut Unstructured<'_>, v: Val, other: Option<Val>) -> AResult<Option<Val>> {
    // Movement and rechunks for both types, elementwise and reductions per type.
    if u.ratio(2, 5)? {
        return Ok(match v {
            Val::F(p) => movement(u, p, other)?.map(Val::F),
            Val::I(p) => movement(u, p, other)?.map(Val::I),
        });
    }
    Ok(match v {
        Val::F(p) => floats(u, p, other)?,
        Val::I(p) => ints(u, p, other)?,
    })
}

fn movement<T: Element + Copy>(
    u: &mut Unstructured<'_>,
    p: Pair<T>,
    other: Option<Val>,
) -> AResult<Option<Pair<T>>> {
    let _ = other;
    let nd = p.e.ndim();
    let shape = p.e.shape().to_vec();
    let keep = |x: chunkwise::Result<ChunkedArray<T>>, e: ArrayD<T>| {
        x.ok().map(|x| Pair {
            x,
            e,
            may_fail: p.may_fail,
        })
    };
    let ident = |n: usize| (0..n).map(Some).collect::<Vec<_>>();
    Ok(match u.int_in_range(0..=11)? {
        0 => {
            let c = chunking(u, &shape)?;
            keep(p.x.rechunk(c), p.e.clone())
        }
        1 if nd > 0 => {
            let mut perm: Vec<usize> = (0..nd).collect();
            for i in (1..nd).rev() {
                perm.swap(i, u.int_in_range(0..=i)?);
            }
            let e =
                p.e.clone()
                    .permuted_axes(perm.clone())
                    .as_standard_layout()
                    .into_owned();
            let given: Vec<isize> = perm.iter().map(|&a| a as isize).collect();
            keep(p.x.permute(given), e)
        }
        2 => {
            // NumPy-style slices (chunkwise reads ndarray's `SliceInfoElem`), an index, or
            // out-of-range bounds (an error, never a panic).
            let mut info = Vec::new();
            let mut maps = Vec::new();
            for &n in &shape {
                let ni = n as isize;
                if n > 0 && u.ratio(1, 5)? {
                    let i = u.int_in_range(-ni..=ni - 1)?;
                    info.push(SliceInfoElem::Index(i));
                    let _ = maps;
                    maps = Vec::new();
                    break;
                }
                let start = u.int_in_range(-ni..=ni)?;
                let end = if u.arbitrary()? {
                    Some(u.int_in_range(-ni..=ni)?)
                } else {
                    None
                };
                let step = *u.choose(&[1isize, 2, 3, -1, -2])?;
                info.push(SliceInfoElem::Slice { start, end, step });
                let abs = |i: isize| if i < 0 { (i + ni) as usize } else { i as usize };
                let s = abs(start);
                let e = abs(end.unwrap_or(ni)).max(s);
                let mut m: Vec<usize> = (s..e).collect();
                if step < 0 {
                    m.reverse();
                }
                maps.push(
                    m.into_iter()
                        .step_by(step.unsigned_abs())
                        .map(Some)
                        .collect::<Vec<_>>(),
                );
            }
            if maps.len() != info.len() {
                // An index: checked for no panic only.
                let _ = p.x.slice(&info).map(|x| x.compute());
                if u.arbitrary()? {
                    let bad = [SliceInfoElem::Slice {
                        start: isize::MIN,
                        end: Some(isize::MAX),
                        step: isize::MIN,
                    }];
                    let _ = p.x.slice(bad).map(|x| x.explain());
                }
                None
            } else {
                let mut full = maps.clone();
                for &n in &shape[maps.len()..] {
                    full.push(ident(n));
                }
                let e = gather(
                    &p.e,
                    &full,
                    p.e.first().copied().unwrap_or_else(|| zero::<T>()),
                );
                keep(p.x.slice(&info), e)
            }
        }
        3 if nd > 0 => {
            let a = u.int_in_range(0..=nd - 1)?;
            let mut maps: Vec<_> = shape.iter().map(|&n| ident(n)).collect();
            maps[a].reverse();
            keep(p.x.flip(a as isize), gather(&p.e, &maps, zero::<T>()))
        }
        4 => {
            let n = p.e.len();
            let to: Vec<usize> = match u.int_in_range(0..=2)? {
                0 => vec![n],
                1 => {
                    let divs: Vec<usize> = (1..=n.max(1)).filter(|d| n % d == 0).collect();
                    let d = *u.choose(&divs)?;
                    vec![d, n / d.max(1)]
                }
                _ => {
                    let mut s = shape.clone();
                    s.insert(u.int_in_range(0..=nd)?, 1);
                    s
                }
            };
            if to.iter().product::<usize>() != n {
                return Ok(None);
            }
            let e =
                p.e.as_standard_layout()
                    .into_owned()
                    .into_shape_with_order(IxDyn(&to))
                    .unwrap();
            keep(p.x.reshape(to), e)
        }
        5 if nd > 0 => {
            let a = u.int_in_range(0..=nd - 1)?;
            if shape[a] == 1 {
                keep(
                    p.x.squeeze_axis(a as isize),
                    p.e.index_axis(Axis(a), 0).to_owned(),
                )
            } else {
                // Not of extent 1: an error.
                assert!(p.x.squeeze_axis(a as isize).is_err());
                None
            }
        }
        6 => {
            let mut to = vec![u.int_in_range(0..=3)?];
            for &n in &shape {
                to.push(if n == 1 { u.int_in_range(0..=3)? } else { n });
            }
            if to.iter().product::<usize>() > MAX_LEN {
                return Ok(None);
            }
            let e = p.e.broadcast(IxDyn(&to)).unwrap().to_owned();
            keep(p.x.broadcast_to(to), e)
        }
        7 if nd > 0 => {
            let a = u.int_in_range(0..=nd - 1)?;
            if 2 * p.e.len() > MAX_LEN {
                return Ok(None);
            }
            let c = chunking(u, &shape)?;
            let e = ndarray::concatenate(Axis(a), &[p.e.view(), p.e.view()]).unwrap();
            let y = match p.x.rechunk(c) {
                Ok(y) => y,
                Err(_) => return Ok(None),
            };
            keep(chunkwise::concatenate(&[p.x.clone(), y], a as isize), e)
        }
        8 if nd > 0 => {
            let a = u.int_in_range(0..=nd - 1)?;
            let shift = u.int_in_range(-7isize..=7)?;
            let n = shape[a];
            let mut maps: Vec<_> = shape.iter().map(|&n| ident(n)).collect();
            maps[a] = (0..n)
                .map(|j| Some((j as isize - shift).rem_euclid(n.max(1) as isize) as usize))
                .collect();
            keep(
                p.x.roll(shift, a as isize),
                gather(&p.e, &maps, zero::<T>()),
            )
        }
        9 if nd > 0 => {
            let a = u.int_in_range(0..=nd - 1)?;
            let r = u.int_in_range(0..=3usize)?;
            if r * p.e.len() > MAX_LEN {
                return Ok(None);
            }
            let mut maps: Vec<_> = shape.iter().map(|&n| ident(n)).collect();
            maps[a] = (0..shape[a] * r).map(|j| Some(j / r)).collect();
            keep(p.x.repeat(r, a as isize), gather(&p.e, &maps, zero::<T>()))
        }
        10 if nd > 0 => {
            let a = u.int_in_range(0..=nd - 1)?;
            let n = shape[a] as i64;
            let k = u.int_in_range(0..=6usize)?;
            let mut idx = Vec::new();
            for _ in 0..k {
                idx.push(u.int_in_range(-n - 1..=n)?);
            }
            let ok = idx.iter().all(|&i| i >= -n && i < n);
            let got = p.x.take(&idx, a as isize);
            if !ok {
                // Out of range: an error, at once or at compute.
                if let Ok(x) = got {
                    assert!(x.compute().is_err(), "take out of range computed");
                }
                return Ok(None);
            }
            let mut maps: Vec<_> = shape.iter().map(|&n| ident(n)).collect();
            maps[a] = idx
                .iter()
                .map(|&i| Some(if i < 0 { i + n } else { i } as usize))
                .collect();
            keep(got, gather(&p.e, &maps, zero::<T>()))
        }
        11 if nd > 0 => {
            let a = u.int_in_range(0..=nd - 1)?;
            keep(
                p.x.expand_dims(a as isize),
                p.e.clone().insert_axis(Axis(a)),
            )
        }
        _ => None,
    })
}

fn zero<T: Element>() -> T {
    T::ZERO
}

/// Pads (every mode) for numeric pairs: eager through one index map per axis.
fn pad<T: Numeric>(u: &mut Unstructured<'_>, p: &Pair<T>, fill: T) -> AResult<Option<Pair<T>>> {
    let shape = p.e.shape().to_vec();
    let mut widths = Vec::new();
    for _ in &shape {
        widths.push((u.int_in_range(0..=3usize)?, u.int_in_range(0..=3usize)?));
    }
    let out: usize = shape
        .iter()
        .zip(&widths)
        .map(|(n, (a, b))| n + a + b)
        .product();
    if out > MAX_LEN {
        return Ok(None);
    }
    let mode = u.int_in_range(0..=4)?;
    let m = match mode {
        0 => chunkwise::PadMode::Constant(fill),
        1 => chunkwise::PadMode::Edge,
        2 => chunkwise::PadMode::Reflect,
        3 => chunkwise::PadMode::Symmetric,
        _ => chunkwise::PadMode::Wrap,
    };
    let got = p.x.pad(&widths, m);
    let empty_axis = shape
        .iter()
        .zip(&widths)
        .any(|(&n, &(a, b))| n == 0 && a + b > 0);
    if mode != 0 && empty_axis {
        // Nothing to take from: NumPy raises; so must we (now or at compute).
        if let Ok(x) = got {
            assert!(x.compute().is_err(), "pad of an empty axis computed");
        }
        return Ok(None);
    }
    let maps: Vec<Vec<Option<usize>>> = shape
        .iter()
        .zip(&widths)
        .map(|(&n, &(before, after))| {
            (0..n + before + after)
                .map(|j| {
                    let i = j as isize - before as isize;
                    let n = n as isize;
                    let k = match mode {
                        0 => return (0..n).contains(&i).then_some(i as usize),
                        1 => i.clamp(0, n - 1),
                        2 => {
                            if n == 1 {
                                0
                            } else {
                                let m = i.rem_euclid(2 * n - 2);
                                if m >= n {
                                    2 * n - 2 - m
                                } else {
                                    m
                                }
                            }
                        }
                        3 => {
                            let m = i.rem_euclid(2 * n);
                            if m >= n {
                                2 * n - 1 - m
                            } else {
                                m
                            }
                        }
                        _ => i.rem_euclid(n),
                    };
                    Some(k as usize)
                })
                .collect()
        })
        .collect();
    Ok(got.ok().map(|x| Pair {
        x,
        e: gather(&p.e, &maps, fill),
        may_fail: p.may_fail,
    }))
}

/// Compares a rounding op's result with its eager value within `tol(want, lane)` and returns
/// the pair with the computed value as its twin. `None` if the compute failed as allowed.
fn settle(
    x: ChunkedArray<f64>,
    want: ArrayD<f64>,
    tol: ArrayD<f64>,
    may_fail: bool,
    workers: usize,
) -> Option<Pair<f64>> {
    let got = match x.compute_with(&Config::default().workers(workers)) {
        Ok(g) => g,
        Err(e) => {
            assert!(may_fail, "unexpected error: {e}");
            return None;
        }
    };
    assert_eq!(got.shape(), want.shape());
    for ((&g, &w), &t) in got.iter().zip(want.iter()).zip(tol.iter()) {
        let ok = if w.is_nan() || g.is_nan() {
            // An infinite bound means the lane overflows somewhere: anything goes.
            (w.is_nan() && g.is_nan()) || t.is_infinite()
        } else if w.is_infinite() || g.is_infinite() {
            g == w || t.is_infinite()
        } else {
            (g - w).abs() <= t
        };
        assert!(
            ok,
            "got {g:?}, want {w:?} within {t:?}\n{}",
            x.explain().unwrap()
        );
    }
    Some(Pair {
        x,
        e: got,
        may_fail,
    })
}

const EPS: f64 = f64::EPSILON;

/// The bound of a sum of `lane` (a compensated sum against a plain one): `2 n eps sum|x|`.
fn sum_tol(lane: &[f64]) -> f64 {
    let s: f64 = lane.iter().map(|x| x.abs()).sum();
    4.0 * (lane.len() as f64 + 2.0) * EPS * s + f64::MIN_POSITIVE
}

fn var_eager(lane: &[f64]) -> f64 {
    let n = lane.len() as f64;
    let m = lane.iter().sum::<f64>() / n;
    lane.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n
}

fn var_tol(lane: &[f64]) -> f64 {
    let big = lane.iter().fold(0.0f64, |a, x| a.max(x.abs()));
    16.0 * (lane.len() as f64 + 2.0) * EPS * big * big + f64::MIN_POSITIVE
}

fn floats(u: &mut Unstructured<'_>, p: Pair<f64>, other: Option<Val>) -> AResult<Option<Val>> {
    let s = *u.choose(&FLOATS)?;
    let nd = p.e.ndim();
    let workers = u.int_in_range(1..=3)?;
    let mf = p.may_fail;
    let same = |x: ChunkedArray<f64>, f: &dyn Fn(f64) -> f64| {
        Some(Val::F(Pair {
            x,
            e: p.e.mapv(f),
            may_fail: mf,
        }))
    };
    Ok(match u.int_in_range(0..=28)? {
        0 => same(-&p.x, &|a| -a),
        1 => same(p.x.abs(), &|a| a.abs()),
        2 => same(p.x.square(), &|a| a * a),
        3 => same(p.x.sqrt(), &|a| a.sqrt()),
        4 => same(&p.x + s, &|a| a + s),
        5 => same(&p.x - s, &|a| a - s),
        6 => same(&p.x * s, &|a| a * s),
        7 => same(&p.x / s, &|a| a / s),
        8 => same(&p.x % s, &|a| a.n_rem(s)),
        9 => same(p.x.floor_divide(s), &|a| a.n_floor_div(s)),
        10 => same(s % &p.x, &|a| s.n_rem(a)),
        11 => same(p.x.maximum(s), &|a| a.n_max(s)),
        12 => same(p.x.minimum(s), &|a| a.n_min(s)),
        13 => {
            // Two arrays, broadcast (or a recorded broadcast error).
            let Some(Val::F(q)) = other else {
                return Ok(None);
            };
            let op = u.int_in_range(0..=5)?;
            let f = move |a: f64, b: f64| match op {
                0 => a + b,
                1 => a - b,
                2 => a * b,
                3 => a / b,
                4 => a.n_rem(b),
                _ => a.n_floor_div(b),
            };
            let x = match op {
                0 => &p.x + &q.x,
                1 => &p.x - &q.x,
                2 => &p.x * &q.x,
                3 => &p.x / &q.x,
                4 => &p.x % &q.x,
                _ => p.x.floor_divide(&q.x),
            };
            match broadcast(p.e.shape(), q.e.shape()) {
                Some(shape) if shape.iter().product::<usize>() <= MAX_LEN => Some(Val::F(Pair {
                    x,
                    e: zip_eager(&p.e, &q.e, &shape, f),
                    may_fail: mf || q.may_fail,
                })),
                Some(_) => None,
                None => {
                    assert!(
                        x.compute().is_err(),
                        "shapes that do not broadcast computed"
                    );
                    None
                }
            }
        }
        14 => {
            // A comparison, then where / count / cast.
            let c = match u.int_in_range(0..=2)? {
                0 => (p.x.lt(s), p.e.mapv(|a| a < s)),
                1 => (p.x.gt(s), p.e.mapv(|a| a > s)),
                _ => (p.x.isnan(), p.e.mapv(|a| a.is_nan())),
            };
            match u.int_in_range(0..=2)? {
                0 => {
                    let t = *u.choose(&FLOATS)?;
                    let x = chunkwise::where_(&c.0, &p.x, t).ok();
                    let e = ndarray::Zip::from(&c.1)
                        .and(&p.e)
                        .map_collect(|&c, &a| if c { a } else { t });
                    x.map(|x| Val::F(Pair { x, e, may_fail: mf }))
                }
                1 => {
                    let n = c.1.iter().filter(|&&b| b).count() as i64;
                    Some(Val::I(Pair {
                        x: c.0.count_nonzero().cast::<i64>(),
                        e: ArrayD::from_elem(IxDyn(&[]), n),
                        may_fail: mf,
                    }))
                }
                _ => Some(Val::I(Pair {
                    x: c.0.cast::<i64>(),
                    e: c.1.mapv(|b| b as i64),
                    may_fail: mf,
                })),
            }
        }
        15 => Some(Val::I(Pair {
            x: p.x.cast::<i64>(),
            e: p.e.mapv(|a| a as i64),
            may_fail: mf,
        })),
        16 => {
            let (given, axes) = axes_of(u, nd)?;
            let keepdims = u.arbitrary()?;
            let Ok(x) = p.x.sum_with(&given[..], ReduceOptions::default().keepdims(keepdims)) else {
                return Ok(None);
            };
            let want = reduce_eager(&p.e, &axes, keepdims, |l| l.iter().sum::<f64>());
            let tol = reduce_eager(&p.e, &axes, keepdims, sum_tol);
            settle(x, want, tol, mf, workers).map(Val::F)
        }
        17 => {
            let (given, axes) = axes_of(u, nd)?;
            let keepdims = u.arbitrary()?;
            let Ok(x) = p.x.mean_with(&given[..], ReduceOptions::default().keepdims(keepdims)) else {
                return Ok(None);
            };
            let want = reduce_eager(&p.e, &axes, keepdims, |l| {
                l.iter().sum::<f64>() / l.len() as f64
            });
            let tol = reduce_eager(&p.e, &axes, keepdims, |l| sum_tol(l) / l.len() as f64);
            settle(x, want, tol, mf, workers).map(Val::F)
        }
        18 => {
            let (given, axes) = axes_of(u, nd)?;
            let keepdims = u.arbitrary()?;
            let std = u.arbitrary()?;
            let x = if std {
                p.x.std_with(&given[..], ReduceOptions::default().keepdims(keepdims))
            } else {
                p.x.var_with(&given[..], ReduceOptions::default().keepdims(keepdims))
            };
            let Ok(x) = x else {
                return Ok(None);
            };
            let want = reduce_eager(&p.e, &axes, keepdims, |l| {
                let v = var_eager(l);
                if std {
                    v.sqrt()
                } else {
                    v
                }
            });
            let tol = reduce_eager(&p.e, &axes, keepdims, |l| {
                let t = var_tol(l);
                if std {
                    t.sqrt()
                } else {
                    t
                }
            });
            settle(x, want, tol, mf, workers).map(Val::F)
        }
        19 => {
            // min / max: exact as values (the sign of a zero follows the fold order).
            let (given, axes) = axes_of(u, nd)?;
            let keepdims = u.arbitrary()?;
            let max = u.arbitrary()?;
            let x = if max {
                p.x.max_with(&given[..], ReduceOptions::default().keepdims(keepdims))
            } else {
                p.x.min_with(&given[..], ReduceOptions::default().keepdims(keepdims))
            };
            let Ok(x) = x else {
                return Ok(None);
            };
            let empty = axes.iter().any(|&a| p.e.shape()[a] == 0);
            let want = reduce_eager(&p.e, &axes, keepdims, |l| {
                l.iter().fold(
                    if max {
                        f64::NEG_INFINITY
                    } else {
                        f64::INFINITY
                    },
                    |a, &b| {
                        if max {
                            a.n_max(b)
                        } else {
                            a.n_min(b)
                        }
                    },
                )
            });
            let got = x.compute_with(&Config::default().workers(workers));
            match got {
                Ok(g) => {
                    assert!(
                        !empty || g.is_empty(),
                        "a reduction of nothing without identity"
                    );
                    assert_eq!(g.shape(), want.shape());
                    for (a, b) in g.iter().zip(want.iter()) {
                        assert!(equal_f64(*a, *b), "min/max: got {a}, want {b}");
                    }
                    Some(Val::F(Pair {
                        x,
                        e: g,
                        may_fail: mf,
                    }))
                }
                Err(e) => {
                    assert!(empty || mf, "unexpected error: {e}");
                    None
                }
            }
        }
        20 if nd > 0 => {
            // argmax / argmin along an axis: the first extreme, NaN first of all.
            let a = u.int_in_range(0..=nd - 1)?;
            let max = u.arbitrary()?;
            let x = if max {
                p.x.argmax_with(a as isize, ReduceOptions::default())
            } else {
                p.x.argmin_with(a as isize, ReduceOptions::default())
            };
            let Ok(x) = x else {
                return Ok(None);
            };
            let want = reduce_eager(&p.e, &[a], false, |l| {
                let mut best = 0usize;
                for (i, &v) in l.iter().enumerate() {
                    let b = l[best];
                    if b.is_nan() {
                        break;
                    }
                    if v.is_nan() || (max && v > b) || (!max && v < b) {
                        best = i;
                    }
                }
                best as i64
            });
            Some(Val::I(Pair {
                x: x.cast::<i64>(),
                e: want,
                may_fail: mf || p.e.shape()[a] == 0,
            }))
        }
        21 if nd > 0 => {
            let a = u.int_in_range(0..=nd - 1)?;
            let Ok(x) = p.x.cumsum(a as isize) else {
                return Ok(None);
            };
            let mut want = p.e.clone();
            let mut tol = p.e.mapv(|_| 0.0);
            for (mut lane, mut t) in want
                .lanes_mut(Axis(a))
                .into_iter()
                .zip(tol.lanes_mut(Axis(a)))
            {
                let (mut acc, mut abs) = (0.0, 0.0);
                for (v, t) in lane.iter_mut().zip(t.iter_mut()) {
                    abs += v.abs();
                    acc += *v;
                    *v = acc;
                    *t = 4.0 * 64.0 * EPS * abs + f64::MIN_POSITIVE;
                }
            }
            settle(x, want, tol, mf, workers).map(Val::F)
        }
        22 => {
            // x[mask]
            let mask = p.x.gt(s);
            let Ok(d) = p.x.select(&mask) else {
                return Ok(None);
            };
            let v: Vec<f64> = p.e.iter().copied().filter(|&a| a > s).collect();
            let e = ArrayD::from_shape_vec(IxDyn(&[v.len()]), v).unwrap();
            deferred(d, e, mf, workers).map(Val::F)
        }
        23 => {
            // unique: sorted, NaN last and once, -0.0 as 0.0.
            let mut v: Vec<f64> =
                p.e.iter()
                    .map(|&a| if a == 0.0 { 0.0 } else { a })
                    .collect();
            v.sort_by(|a, b| a.total_cmp(b));
            v.dedup_by(|a, b| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()));
            // total_cmp puts negative NaNs first: NaNs go last, once.
            let nans = v.iter().filter(|a| a.is_nan()).count();
            v.retain(|a| !a.is_nan());
            if nans > 0 {
                v.push(f64::NAN);
            }
            let e = ArrayD::from_shape_vec(IxDyn(&[v.len()]), v).unwrap();
            deferred(p.x.unique(), e, mf, workers).map(Val::F)
        }
        24 => {
            let n = p.e.len();
            if n == 0 {
                assert!(p.x.topk(1).is_err());
                return Ok(None);
            }
            let k = u.int_in_range(1..=n as isize)? * if u.arbitrary()? { 1 } else { -1 };
            let key = |a: f64| if a == 0.0 { 0.0 } else { a };
            let mut idx: Vec<usize> = (0..n).collect();
            let flat: Vec<f64> = p.e.iter().copied().collect();
            idx.sort_by(|&i, &j| {
                let (a, b) = (key(flat[i]), key(flat[j]));
                let o = match (a.is_nan(), b.is_nan()) {
                    (true, true) => std::cmp::Ordering::Equal,
                    (true, false) => std::cmp::Ordering::Greater,
                    (false, true) => std::cmp::Ordering::Less,
                    _ => a.partial_cmp(&b).unwrap(),
                };
                if k > 0 { o.reverse() } else { o }.then(i.cmp(&j))
            });
            idx.truncate(k.unsigned_abs());
            if u.arbitrary()? {
                let e = ArrayD::from_shape_vec(
                    IxDyn(&[idx.len()]),
                    idx.iter().map(|&i| i as i64).collect(),
                )
                .unwrap();
                p.x.argtopk(k)
                    .ok()
                    .map(|x| Val::I(Pair { x, e, may_fail: mf }))
            } else {
                let e = ArrayD::from_shape_vec(
                    IxDyn(&[idx.len()]),
                    idx.iter().map(|&i| flat[i]).collect(),
                )
                .unwrap();
                p.x.topk(k)
                    .ok()
                    .map(|x| Val::F(Pair { x, e, may_fail: mf }))
            }
        }
        25 => {
            // median / quantile: NumPy's linear method, against sort and interpolate.
            let q = *u.choose(&[0.0, 0.25, 0.5, 0.9, 1.0])?;
            let Ok(x) = p.x.quantile(q) else {
                return Ok(None);
            };
            let mut v: Vec<f64> = p.e.iter().copied().collect();
            let n = v.len();
            let (want, tol) = if n == 0 {
                (f64::NAN, f64::INFINITY)
            } else if v.iter().any(|a| a.is_nan()) {
                (f64::NAN, 0.0)
            } else {
                v.sort_by(|a, b| a.partial_cmp(b).unwrap());
                let h = (n - 1) as f64 * q;
                let lo = h.floor() as usize;
                let hi = (lo + 1).min(n - 1);
                let t = h - lo as f64;
                let w = v[lo] + (v[hi] - v[lo]) * t;
                let span = (v[hi] - v[lo]).abs();
                (
                    w,
                    if span.is_finite() {
                        4.0 * EPS * (v[lo].abs() + span)
                    } else {
                        f64::INFINITY
                    },
                )
            };
            let e = ArrayD::from_elem(IxDyn(&[]), want);
            let t = ArrayD::from_elem(IxDyn(&[]), tol);
            settle(x, e, t, mf || n == 0, workers).map(Val::F)
        }
        26 => {
            // histogram: the counts add up to the values inside the range.
            let bins = u.int_in_range(1..=9usize)?;
            let (lo, hi) = (s.min(0.0), s.max(0.0) + 1.0);
            if !(lo.is_finite() && hi.is_finite()) {
                assert!(p.x.histogram(bins, (lo, hi)).is_err());
                return Ok(None);
            }
            let Ok((counts, edges)) = p.x.histogram(bins, (lo, hi)) else {
                return Ok(None);
            };
            let inside = p.e.iter().filter(|&&a| a >= lo && a <= hi).count() as i64;
            let got = counts
                .sum()
                .compute_with(&Config::default().workers(workers));
            match got {
                Ok(g) => assert_eq!(g.into_iter().next(), Some(inside), "histogram total"),
                Err(e) => assert!(mf, "unexpected error: {e}"),
            }
            let ed = edges.compute().unwrap();
            assert_eq!(ed.len(), bins + 1);
            let ed: Vec<f64> = ed.iter().copied().collect();
            assert!(ed.windows(2).all(|w| w[0] < w[1]));
            None
        }
        27 => pad(u, &p, s)?.map(Val::F),
        28 if nd == 2 => {
            // x @ x.T through the GEMM kernel: within the bound of a sum of products.
            let (m, k) = (p.e.shape()[0], p.e.shape()[1]);
            let c = chunking(u, &[k, m])?;
            let Ok(t) = p.x.t().rechunk(c) else {
                return Ok(None);
            };
            let Ok(x) = chunkwise::matmul(&p.x, &t) else {
                return Ok(None);
            };
            let want = ArrayD::from_shape_fn(IxDyn(&[m, m]), |ix| {
                (0..k).map(|j| p.e[[ix[0], j]] * p.e[[ix[1], j]]).sum::<f64>()
            });
            let tol = ArrayD::from_shape_fn(IxDyn(&[m, m]), |ix| {
                let lane: Vec<f64> = (0..k).map(|j| p.e[[ix[0], j]] * p.e[[ix[1], j]]).collect();
                sum_tol(&lane)
            });
            settle(x, want, tol, mf, workers).map(Val::F)
        }
        _ => None,
    })
}

/// Both passes of a deferred array against its eager value; `explain` must work when the
/// compute does.
fn deferred<T: Element>(
    d: chunkwise::Deferred<T>,
    e: ArrayD<T>,
    may_fail: bool,
    workers: usize,
) -> Option<Pair<T>> {
    let x = match d.resolve_with(&Config::default().workers(workers)) {
        Ok(x) => x,
        Err(err) => {
            assert!(may_fail, "unexpected error: {err}");
            return None;
        }
    };
    // Resolving computes only the sizing pass; the values' pass may still fail (a reduction
    // with no identity inside it, say). Then explaining it fails too, and so must computing it.
    if let Err(err) = d.explain() {
        let computed = x.compute_with(&Config::default().workers(workers));
        assert!(
            may_fail && computed.is_err(),
            "resolved, but explain failed: {err} (compute: {:?})",
            computed.map(|_| ())
        );
        return None;
    }
    Some(Pair { x, e, may_fail })
}

fn ints(u: &mut Unstructured<'_>, p: Pair<i64>, other: Option<Val>) -> AResult<Option<Val>> {
    let s = *u.choose(&INTS)?;
    let nd = p.e.ndim();
    let workers = u.int_in_range(1..=3)?;
    let mf = p.may_fail;
    let same = |x: ChunkedArray<i64>, f: &dyn Fn(i64) -> i64| {
        Some(Val::I(Pair {
            x,
            e: p.e.mapv(f),
            may_fail: mf,
        }))
    };
    Ok(match u.int_in_range(0..=23)? {
        0 => same(-&p.x, &|a| a.n_neg()),
        1 => same(p.x.abs(), &|a| a.n_abs()),
        2 => same(&p.x + s, &|a| a.n_add(s)),
        3 => same(&p.x * s, &|a| a.n_mul(s)),
        4 => same(&p.x % s, &|a| a.n_rem(s)),
        5 => same(p.x.floor_divide(s), &|a| a.n_floor_div(s)),
        6 => same(&p.x / s, &|a| a.n_div(s)),
        7 => same(&p.x & s, &|a| a & s),
        8 => same(&p.x ^ s, &|a| a ^ s),
        9 => same(&p.x << s, &|a| {
            a.n_shl(u32::try_from(s).unwrap_or(u32::MAX))
        }),
        10 => same(&p.x >> s, &|a| {
            a.n_shr(u32::try_from(s).unwrap_or(u32::MAX))
        }),
        11 => same(p.x.maximum(s), &|a| a.n_max(s)),
        12 => {
            let Some(Val::I(q)) = other else {
                return Ok(None);
            };
            let op = u.int_in_range(0..=4)?;
            let f = move |a: i64, b: i64| match op {
                0 => a.n_add(b),
                1 => a.n_sub(b),
                2 => a.n_mul(b),
                3 => a.n_floor_div(b),
                _ => a.n_rem(b),
            };
            let x = match op {
                0 => &p.x + &q.x,
                1 => &p.x - &q.x,
                2 => &p.x * &q.x,
                3 => p.x.floor_divide(&q.x),
                _ => &p.x % &q.x,
            };
            match broadcast(p.e.shape(), q.e.shape()) {
                Some(shape) if shape.iter().product::<usize>() <= MAX_LEN => Some(Val::I(Pair {
                    x,
                    e: zip_eager(&p.e, &q.e, &shape, f),
                    may_fail: mf || q.may_fail,
                })),
                Some(_) => None,
                None => {
                    assert!(
                        x.compute().is_err(),
                        "shapes that do not broadcast computed"
                    );
                    None
                }
            }
        }
        13 => Some(Val::F(Pair {
            x: p.x.cast::<f64>(),
            e: p.e.mapv(|a| a as f64),
            may_fail: mf,
        })),
        14 => {
            // Sums and products wrap: exact in any order.
            let (given, axes) = axes_of(u, nd)?;
            let keepdims = u.arbitrary()?;
            let prod = u.arbitrary()?;
            let x = if prod {
                p.x.prod_with(&given[..], ReduceOptions::default().keepdims(keepdims))
            } else {
                p.x.sum_with(&given[..], ReduceOptions::default().keepdims(keepdims))
            };
            let e = reduce_eager(&p.e, &axes, keepdims, |l| {
                if prod {
                    l.iter().fold(1i64, |a, &b| a.wrapping_mul(b))
                } else {
                    l.iter().fold(0i64, |a, &b| a.wrapping_add(b))
                }
            });
            x.ok().map(|x| Val::I(Pair { x, e, may_fail: mf }))
        }
        15 => {
            let (given, axes) = axes_of(u, nd)?;
            let keepdims = u.arbitrary()?;
            let max = u.arbitrary()?;
            let x = if max {
                p.x.max_with(&given[..], ReduceOptions::default().keepdims(keepdims))
            } else {
                p.x.min_with(&given[..], ReduceOptions::default().keepdims(keepdims))
            };
            let empty = axes.iter().any(|&a| p.e.shape()[a] == 0);
            let e = reduce_eager(&p.e, &axes, keepdims, |l| {
                if max {
                    l.iter().copied().max().unwrap_or(i64::MIN)
                } else {
                    l.iter().copied().min().unwrap_or(i64::MAX)
                }
            });
            x.ok().map(|x| {
                Val::I(Pair {
                    x,
                    e,
                    may_fail: mf || empty,
                })
            })
        }
        16 if nd > 0 => {
            let a = u.int_in_range(0..=nd - 1)?;
            let x = p.x.cumsum(a as isize);
            let mut e = p.e.clone();
            for mut lane in e.lanes_mut(Axis(a)) {
                let mut acc = 0i64;
                for v in lane.iter_mut() {
                    acc = acc.wrapping_add(*v);
                    *v = acc;
                }
            }
            x.ok().map(|x| Val::I(Pair { x, e, may_fail: mf }))
        }
        17 if nd > 0 => {
            let a = u.int_in_range(0..=nd - 1)?;
            let n = u.int_in_range(0..=3usize)?;
            let x = p.x.diff(n, a as isize);
            let mut e = p.e.clone();
            for _ in 0..n {
                let len = e.shape()[a];
                if len == 0 {
                    break;
                }
                let hi = e.slice_axis(Axis(a), ndarray::Slice::from(1..)).to_owned();
                let lo = e
                    .slice_axis(Axis(a), ndarray::Slice::from(..len - 1))
                    .to_owned();
                e = ndarray::Zip::from(&hi)
                    .and(&lo)
                    .map_collect(|&h, &l| h.wrapping_sub(l));
            }
            x.ok().map(|x| Val::I(Pair { x, e, may_fail: mf }))
        }
        18 => {
            // bincount of the values folded into 0..8, or of the raw values (negative ones
            // and huge ones are errors, never an abort).
            let raw = u.ratio(1, 4)?;
            let minlength = u.int_in_range(0..=10usize)?;
            let (x, vals) = if raw {
                (p.x.clone(), p.e.iter().copied().collect::<Vec<_>>())
            } else {
                (
                    (&p.x % 8i64).abs(),
                    p.e.iter().map(|&a| a.n_rem(8).n_abs()).collect(),
                )
            };
            let d = x.bincount(minlength);
            let bad = vals.iter().any(|&v| !(0..1 << 20).contains(&v));
            let top = vals.iter().copied().max().unwrap_or(-1);
            if bad {
                let r = d.compute_with(&Config::default().workers(workers));
                assert!(
                    r.is_err() || vals.iter().all(|&v| v >= 0),
                    "bincount of a negative value"
                );
                return Ok(None);
            }
            let len = ((top + 1) as usize).max(minlength);
            let mut c = vec![0i64; len];
            for &v in &vals {
                c[v as usize] += 1;
            }
            let e = ArrayD::from_shape_vec(IxDyn(&[len]), c).unwrap();
            deferred(d, e, mf, workers).map(Val::I)
        }
        19 => {
            let which = u.int_in_range(0..=2)?;
            let shape = p.e.shape().to_vec();
            let nz: Vec<usize> =
                p.e.iter()
                    .enumerate()
                    .filter(|(_, &a)| a != 0)
                    .map(|(i, _)| i)
                    .collect();
            match which {
                0 => {
                    let e = ArrayD::from_shape_vec(
                        IxDyn(&[nz.len()]),
                        nz.iter().map(|&i| i as i64).collect(),
                    )
                    .unwrap();
                    p.x.flatnonzero()
                        .ok()
                        .and_then(|d| deferred(d, e, mf, workers))
                        .map(Val::I)
                }
                _ => {
                    if nd == 0 && which == 2 {
                        assert!(p.x.nonzero().is_err());
                        return Ok(None);
                    }
                    let mut rows = Vec::new();
                    for &f in &nz {
                        let mut idx = vec![0i64; nd];
                        let mut r = f;
                        for d in (0..nd).rev() {
                            idx[d] = (r % shape[d]) as i64;
                            r /= shape[d];
                        }
                        rows.extend(idx);
                    }
                    let w = ArrayD::from_shape_vec(IxDyn(&[nz.len(), nd]), rows).unwrap();
                    if which == 1 {
                        p.x.argwhere()
                            .ok()
                            .and_then(|d| deferred(d, w, mf, workers))
                            .map(Val::I)
                    } else {
                        let e = w.t().as_standard_layout().into_owned();
                        p.x.nonzero()
                            .ok()
                            .and_then(|d| deferred(d, e, mf, workers))
                            .map(Val::I)
                    }
                }
            }
        }
        20 => {
            let mut v: Vec<i64> = p.e.iter().copied().collect();
            v.sort_unstable();
            v.dedup();
            let counts = u.arbitrary()?;
            let e = if counts {
                let c: Vec<i64> = v
                    .iter()
                    .map(|k| p.e.iter().filter(|&&a| a == *k).count() as i64)
                    .collect();
                ArrayD::from_shape_vec(IxDyn(&[c.len()]), c).unwrap()
            } else {
                ArrayD::from_shape_vec(IxDyn(&[v.len()]), v).unwrap()
            };
            let d = if counts {
                p.x.unique_counts()
            } else {
                p.x.unique()
            };
            deferred(d, e, mf, workers).map(Val::I)
        }
        21 => {
            let mask = (&p.x % 2i64).eq(0i64);
            let Ok(d) = p.x.select(&mask) else {
                return Ok(None);
            };
            let v: Vec<i64> = p.e.iter().copied().filter(|&a| a % 2 == 0).collect();
            let e = ArrayD::from_shape_vec(IxDyn(&[v.len()]), v).unwrap();
            deferred(d, e, mf, workers).map(Val::I)
        }
        22 => pad(u, &p, s)?.map(Val::I),
        23 if nd == 2 => {
            // x @ x.T: a contraction, exact for integers (wrapping).
            let (m, k) = (p.e.shape()[0], p.e.shape()[1]);
            let c = chunking(u, &[k, m])?;
            let Ok(t) = p.x.t().rechunk(c) else {
                return Ok(None);
            };
            let e = ArrayD::from_shape_fn(IxDyn(&[m, m]), |ix| {
                (0..k).fold(0i64, |acc, j| {
                    acc.wrapping_add(p.e[[ix[0], j]].wrapping_mul(p.e[[ix[1], j]]))
                })
            });
            chunkwise::matmul(&p.x, &t)
                .ok()
                .map(|x| Val::I(Pair { x, e, may_fail: mf }))
        }
        _ => None,
    })
}

/// The eager twin's arithmetic, written here from NumPy's definitions rather than borrowed
/// from chunkwise (whose kernel arithmetic is not public): integers wrap, a zero divisor
/// gives 0; float `//` and `%` follow `npy_divmod`; `maximum`/`minimum` propagate NaN.
mod reference {
    pub trait NumPy: Copy {
        fn n_add(self, o: Self) -> Self;
        fn n_sub(self, o: Self) -> Self;
        fn n_mul(self, o: Self) -> Self;
        fn n_div(self, o: Self) -> Self;
        fn n_neg(self) -> Self;
        fn n_abs(self) -> Self;
        fn n_rem(self, o: Self) -> Self;
        fn n_floor_div(self, o: Self) -> Self;
        fn n_max(self, o: Self) -> Self;
        fn n_min(self, o: Self) -> Self;
    }

    impl NumPy for i64 {
        fn n_add(self, o: i64) -> i64 {
            self.wrapping_add(o)
        }
        fn n_sub(self, o: i64) -> i64 {
            self.wrapping_sub(o)
        }
        fn n_mul(self, o: i64) -> i64 {
            self.wrapping_mul(o)
        }
        /// Truncating (Rust's `/` on integer arrays), 0 for a zero divisor.
        fn n_div(self, o: i64) -> i64 {
            if o == 0 { 0 } else { self.wrapping_div(o) }
        }
        fn n_neg(self) -> i64 {
            self.wrapping_neg()
        }
        fn n_abs(self) -> i64 {
            self.wrapping_abs()
        }
        fn n_rem(self, o: i64) -> i64 {
            if o == 0 {
                return 0;
            }
            let r = self.wrapping_rem(o);
            if r != 0 && ((r < 0) != (o < 0)) { r + o } else { r }
        }
        fn n_floor_div(self, o: i64) -> i64 {
            if o == 0 {
                return 0;
            }
            let q = self.wrapping_div(o);
            if self.wrapping_rem(o) != 0 && ((self < 0) != (o < 0)) { q - 1 } else { q }
        }
        fn n_max(self, o: i64) -> i64 {
            self.max(o)
        }
        fn n_min(self, o: i64) -> i64 {
            self.min(o)
        }
    }

    impl NumPy for f64 {
        fn n_add(self, o: f64) -> f64 {
            self + o
        }
        fn n_sub(self, o: f64) -> f64 {
            self - o
        }
        fn n_mul(self, o: f64) -> f64 {
            self * o
        }
        fn n_div(self, o: f64) -> f64 {
            self / o
        }
        fn n_neg(self) -> f64 {
            -self
        }
        fn n_abs(self) -> f64 {
            self.abs()
        }
        /// `npy_divmod`'s remainder: `fmod`, moved to the divisor's sign; a zero keeps the
        /// divisor's sign.
        fn n_rem(self, o: f64) -> f64 {
            if o == 0.0 {
                return f64::NAN;
            }
            let m = self % o;
            if m == 0.0 {
                0.0f64.copysign(o)
            } else if (o < 0.0) != (m < 0.0) {
                m + o
            } else {
                m
            }
        }
        /// `npy_divmod`'s quotient: `(a - fmod(a, b)) / b`, floored, nudged up by one where
        /// rounding left it half a unit short; a zero divisor gives `a / b`.
        fn n_floor_div(self, o: f64) -> f64 {
            if o == 0.0 {
                return self / o;
            }
            let m = self % o;
            let mut div = (self - m) / o;
            if m != 0.0 && ((o < 0.0) != (m < 0.0)) {
                div -= 1.0;
            }
            if div == 0.0 {
                return 0.0f64.copysign(self / o);
            }
            let floor = div.floor();
            if div - floor > 0.5 { floor + 1.0 } else { floor }
        }
        /// NumPy's loop: `a` if `a > b`, else `b` (so a tie of zeros gives `b`'s sign).
        fn n_max(self, o: f64) -> f64 {
            if self.is_nan() || o.is_nan() {
                f64::NAN
            } else if self > o {
                self
            } else {
                o
            }
        }
        fn n_min(self, o: f64) -> f64 {
            if self.is_nan() || o.is_nan() {
                f64::NAN
            } else if self < o {
                self
            } else {
                o
            }
        }
    }
}
