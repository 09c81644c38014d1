//! NumPy's creation functions beyond ranges and constants: each a source over positions, or a
//! line over the existing ones (`axis_index`, `full`, `linspace`, broadcasting), so they are
//! lazy at any size and fuse with what consumes them.

use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use super::{axis_index, bad_param, full, linspace, source, spaced};
use crate::array::{by_offset, ChunkedArray};
use crate::chunks::IntoShape;
use crate::element::{Element, Numeric};
use crate::error::{panic_message, Error, Result};
use crate::graph::source::RegionFn;
use crate::graph::{Meta, TaskCx};

/// An array of `x`'s shape and chunks filled with `value` (NumPy's `full_like`).
///
/// ```
/// let x = chunkwise::arange(10).rechunk(4)?;
/// let y = chunkwise::full_like(&x, 7i64);
/// assert_eq!(y.chunks(), x.chunks());
/// assert_eq!(y.sum().item()?, 70);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn full_like<T: Element, U: Element>(x: &ChunkedArray<U>, value: T) -> ChunkedArray<T> {
    full(x.shape().to_vec(), value)
        .rechunk(x.chunks())
        .expect("a grid of the same shape")
}

/// Zeros of `x`'s shape and chunks (NumPy's `zeros_like`).
pub fn zeros_like<T: Element, U: Element>(x: &ChunkedArray<U>) -> ChunkedArray<T> {
    full_like(x, T::ZERO)
}

/// Ones of `x`'s shape and chunks (NumPy's `ones_like`).
pub fn ones_like<T: Numeric, U: Element>(x: &ChunkedArray<U>) -> ChunkedArray<T> {
    full_like(x, T::ONE)
}

/// NumPy's `empty`: here zeros, since a lazy array of unspecified values would have to be made
/// of something and zeros cost nothing (a source of a constant).
pub fn empty<T: Element>(shape: impl IntoShape) -> ChunkedArray<T> {
    super::zeros(shape)
}

/// Ones where `col - row == k`, zeros elsewhere, of shape `(n, m)` (NumPy's `eye(n, m, k)`;
/// `k > 0` is above the diagonal).
///
/// ```
/// let e = chunkwise::eye::<f64>(3, 4, 1).compute()?;
/// assert_eq!(e.sum(), 3.0);
/// assert_eq!(e[[0, 1]], 1.0);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn eye<T: Numeric>(n: usize, m: usize, k: isize) -> ChunkedArray<T> {
    by_offset(
        n,
        m,
        &format!("eye({n}, {m}, {k})"),
        T::ONE,
        T::ZERO,
        move |d| d == k as i128,
    )
}

/// The `n x n` identity (NumPy's `identity`).
pub fn identity<T: Numeric>(n: usize) -> ChunkedArray<T> {
    eye(n, n, 0)
}

/// Ones at and below the `k`-th diagonal (`col - row <= k`), zeros above, of shape `(n, m)`
/// (NumPy's `tri(n, m, k)`).
pub fn tri<T: Numeric>(n: usize, m: usize, k: isize) -> ChunkedArray<T> {
    by_offset(
        n,
        m,
        &format!("tri({n}, {m}, {k})"),
        T::ONE,
        T::ZERO,
        move |d| d <= k as i128,
    )
}

/// The index grids of `shape`, stacked: element `[d, i0, i1, ...]` is `i_d` (NumPy's
/// `indices`), as `i64`.
///
/// ```
/// let g = chunkwise::indices([2, 3])?.compute()?;
/// assert_eq!(g.shape(), &[2, 2, 3]);
/// assert_eq!(g[[1, 1, 2]], 2);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn indices(shape: impl IntoShape) -> Result<ChunkedArray<i64>> {
    let shape = shape.into_shape_vec();
    let grids: Vec<ChunkedArray<i64>> = (0..shape.len())
        .map(|d| axis_index(&shape, Some(d)).cast::<i64>())
        .collect();
    if grids.is_empty() {
        return Ok(super::zeros([0]));
    }
    crate::stack(&grids, 0)
}

/// How [`meshgrid`] orders its outputs' axes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indexing {
    /// Cartesian (NumPy's default): the first two axes are swapped, so with inputs of lengths
    /// `n0, n1` the outputs have shape `(n1, n0)`.
    Xy,
    /// Matrix: outputs have shape `(n0, n1, ...)`.
    Ij,
}

/// Coordinate arrays from 1-d coordinate vectors (NumPy's `meshgrid`): output `i` holds
/// `xs[i]`'s values along its axis, broadcast over the others (no copies: a reshape and a
/// broadcast of each input).
///
/// ```
/// use chunkwise::Indexing;
/// let x = chunkwise::arange(3);
/// let y = chunkwise::arange(2);
/// let g = chunkwise::meshgrid(&[x, y], Indexing::Xy)?;
/// assert_eq!(g[0].shape(), &[2, 3]);
/// assert_eq!(g[0].compute()?[[1, 2]], 2);
/// assert_eq!(g[1].compute()?[[1, 2]], 1);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn meshgrid<T: Element>(
    xs: &[ChunkedArray<T>],
    indexing: Indexing,
) -> Result<Vec<ChunkedArray<T>>> {
    let shapes: Vec<&[usize]> = xs.iter().map(|x| x.shape()).collect();
    let (shape, along) = meshgrid_layout(&shapes, indexing)?;
    xs.iter()
        .zip(along)
        .map(|(x, along)| x.reshape(along)?.broadcast_to(shape.clone()))
        .collect()
}

/// The layout of [`meshgrid`]'s outputs for inputs of shapes `shapes` (each must be 1-d): the
/// output shape, and for each input the shape it is reshaped to before being broadcast (its
/// length on its own axis, 1 on the others).
pub(crate) fn meshgrid_layout(
    shapes: &[&[usize]],
    indexing: Indexing,
) -> Result<(Vec<usize>, Vec<Vec<usize>>)> {
    if let Some(bad) = shapes.iter().find(|s| s.len() != 1) {
        return Err(Error::InvalidParameter {
            op: "meshgrid".into(),
            param: "xs".into(),
            value: format!("an array of shape {bad:?}"),
            reason: "each coordinate vector must be 1-d".into(),
        });
    }
    let mut shape: Vec<usize> = shapes.iter().map(|s| s[0]).collect();
    // The axis each input lies along in the output.
    let mut axis: Vec<usize> = (0..shapes.len()).collect();
    if indexing == Indexing::Xy && shapes.len() >= 2 {
        shape.swap(0, 1);
        axis.swap(0, 1);
    }
    let along = axis
        .into_iter()
        .map(|a| {
            let mut along = vec![1usize; shape.len()];
            along[a] = shape[a];
            along
        })
        .collect();
    Ok((shape, along))
}

/// An array whose element at index `i` is `f(&i)` (NumPy's `fromfunction`, called once per
/// element rather than once on index grids): evaluated per tile when computed, so it is lazy
/// and parallel like every source. `f` must be a pure function of the index; a panic in it
/// is an [`Error::Block`] naming the region.
///
/// ```
/// let x = chunkwise::fromfunction([3, 3], |i| (i[0] * 10 + i[1]) as f64).compute()?;
/// assert_eq!(x[[2, 1]], 21.0);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn fromfunction<T: Element, F>(shape: impl IntoShape, f: F) -> ChunkedArray<T>
where
    F: Fn(&[usize]) -> T + Send + Sync + 'static,
{
    let shape = shape.into_shape_vec();
    source(
        format!("fromfunction({shape:?})"),
        shape,
        Arc::new(FromFunction(f)),
    )
}

struct FromFunction<F>(F);

impl<T: Element, F: Fn(&[usize]) -> T + Send + Sync + 'static> RegionFn<T> for FromFunction<F> {
    fn fill(
        &self,
        _: &mut TaskCx<'_>,
        _: &Meta,
        region: &[Range<usize>],
        out: &mut [T],
    ) -> Result<()> {
        let run = || {
            // The index of each position, C order (last axis fastest).
            let mut idx: Vec<usize> = region.iter().map(|r| r.start).collect();
            for v in out.iter_mut() {
                *v = (self.0)(&idx);
                for d in (0..idx.len()).rev() {
                    idx[d] += 1;
                    if idx[d] < region[d].end {
                        break;
                    }
                    idx[d] = region[d].start;
                }
            }
        };
        catch_unwind(AssertUnwindSafe(run)).map_err(|p| Error::Block {
            op: "fromfunction".into(),
            chunk: Vec::new(),
            region: format!("{region:?}"),
            reason: format!("the function panicked: {}", panic_message(&*p)),
        })
    }
}

/// `num` evenly spaced values from `start` to `stop`, the last included when `endpoint` (then
/// it is [`linspace`]) and excluded otherwise (NumPy's `linspace(.., endpoint=False)`).
pub fn linspace_endpoint(start: f64, stop: f64, num: usize, endpoint: bool) -> ChunkedArray<f64> {
    if endpoint {
        return linspace(start, stop, num);
    }
    let name = format!("linspace({start}, {stop}, {num}, endpoint=false)");
    spaced(name, start, stop, num, false)
}

/// `base^linspace(start, stop, num)` (NumPy's `logspace`).
///
/// ```
/// let x = chunkwise::logspace(0.0, 3.0, 4, 10.0).compute()?;
/// assert_eq!(x.as_slice().unwrap(), &[1.0, 10.0, 100.0, 1000.0]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn logspace(start: f64, stop: f64, num: usize, base: f64) -> ChunkedArray<f64> {
    linspace(start, stop, num).map_same(&format!("pow base {base}"), move |e| base.powf(e))
}

/// `num` values from `start` to `stop` evenly spaced on a log scale (NumPy's `geomspace`),
/// the ends exact. Both ends must be nonzero and of one sign (an
/// [`Error::InvalidParameter`] at compute otherwise).
///
/// ```
/// let x = chunkwise::geomspace(1.0, 1000.0, 4).compute()?;
/// assert_eq!(x.as_slice().unwrap(), &[1.0, 10.0, 100.0, 1000.0]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn geomspace(start: f64, stop: f64, num: usize) -> ChunkedArray<f64> {
    let name = format!("geomspace({start}, {stop}, {num})");
    if start == 0.0 || stop == 0.0 || (start < 0.0) != (stop < 0.0) || !(start * stop).is_finite() {
        let reason = "must be finite, nonzero and of one sign";
        return bad_param(
            &name,
            vec![num],
            "start, stop",
            format!("{start}, {stop}"),
            reason,
        );
    }
    let sign = start.signum();
    let (a, b) = ((start * sign).log10(), (stop * sign).log10());
    let last = num.saturating_sub(1);
    let exps = linspace(a, b, num);
    let pos = axis_index(&[num], None);
    // NumPy sets the ends to `start` and `stop` exactly.
    exps.zip_with(&pos, &name, move |e: f64, p: u64| {
        if p == 0 {
            start
        } else if p as usize == last {
            stop
        } else {
            sign * 10f64.powf(e)
        }
    })
}
