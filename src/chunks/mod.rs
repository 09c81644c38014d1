//! Shapes, chunk grids and the rules that relate them: the automatic chunking rule, user chunk
//! specifications, and NumPy broadcasting with chunk-grid unification.
//!
//! A grid costs O(axes) memory when it is regular: each axis is (first block, block size,
//! extent), so an array of 1e18 elements in 1e12 chunks is described in a few words. Only grids
//! the user spells out block by block (or that unify two different grids) keep a list.

mod axis;

use std::fmt;

pub use axis::AxisChunks;

use crate::error::{Error, Result};
pub(crate) use crate::region::saturating_len;
use crate::region::Region;

/// The most blocks a derived grid lists to follow its inputs exactly (Dask's rules for slices,
/// concatenations and unified grids); past it, a regular grid keeps building O(1) at any size.
pub(crate) const LISTED_BLOCKS: usize = 1 << 16;

/// Target size of one chunk when chunks are chosen automatically: 4 MiB.
///
/// Chunks are the unit of scheduling, not of memory: a fused computation never holds a whole chunk
/// of an intermediate, so the target only trades task count (per-task overhead is about a
/// microsecond) against load balance. 4 MiB gives a few hundred tasks per GiB.
pub const AUTO_CHUNK_BYTES: usize = 4 << 20;

/// The chunk grid of an array: for each axis, how it is split into blocks (Dask's `.chunks`).
///
/// Regular axes cost O(1) memory however many chunks there are; chunk `k` (C order over the
/// grid) is decoded from its index when a task needs it, so nothing proportional to the number
/// of chunks exists before the executor's task loop.
///
/// ```
/// let x = chunkwise::zeros::<f64>([10, 7]).rechunk([4, 7]).unwrap();
/// assert_eq!(x.chunks().axis(0), &[4, 4, 2]);
/// assert_eq!(x.chunks().axis(1), &[7]);
/// assert_eq!(x.chunks().num_chunks(), 3);
/// assert_eq!(x.chunks().to_string(), "((4 x 2, 2), (7,))");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Chunks {
    axes: Vec<AxisChunks>,
}

impl Chunks {
    /// The blocks of every axis.
    pub fn axes(&self) -> &[AxisChunks] {
        &self.axes
    }

    /// The blocks along one axis.
    ///
    /// # Panics
    /// If `axis >= ndim`.
    pub fn axis(&self, axis: usize) -> &AxisChunks {
        &self.axes[axis]
    }

    /// Block sizes per axis as lists (Dask's `.chunks`). This allocates one entry per block:
    /// use [`axis`](Self::axis) to look at grids with very many blocks.
    pub fn to_blocks(&self) -> Vec<Vec<usize>> {
        self.axes.iter().map(AxisChunks::to_vec).collect()
    }

    /// Number of axes.
    pub fn ndim(&self) -> usize {
        self.axes.len()
    }

    /// The extents the grid covers.
    pub fn shape(&self) -> Vec<usize> {
        self.axes.iter().map(AxisChunks::extent).collect()
    }

    /// Number of blocks along each axis.
    pub fn grid(&self) -> Vec<usize> {
        self.axes.iter().map(AxisChunks::len).collect()
    }

    /// Total number of chunks. Exact for every array with elements; an empty array with more
    /// chunks than `usize` counts saturates at `usize::MAX`.
    pub fn num_chunks(&self) -> usize {
        self.axes
            .iter()
            .fold(1usize, |n, a| n.saturating_mul(a.len()))
    }

    /// Elements in the largest chunk.
    pub fn max_chunk_len(&self) -> usize {
        self.axes
            .iter()
            .fold(1usize, |n, a| n.saturating_mul(a.max()))
    }

    /// The most blocks a box of at most `len` positions overlaps (at least 1), the plan's count
    /// of the blocks one read of a tile spans. Along one axis a run of `e` positions overlaps
    /// at most `1 + min(blocks - 1, 1 + (e - 2) / inner)` blocks (for `e >= 2`), where `inner`
    /// is [`AxisChunks::min_inner`]: the block starts after its first position, at least
    /// `inner` apart. The box's count is the largest product of those over extents whose
    /// product is at most `len`.
    pub(crate) fn max_spanned(&self, len: usize) -> usize {
        // (extent, blocks, smallest inner block) per axis, looked up once.
        let axes: Vec<(usize, usize, usize)> = self
            .axes
            .iter()
            .map(|a| (a.extent(), a.len(), a.min_inner()))
            .collect();
        best_span(&axes, len.max(1), &mut std::collections::HashMap::new())
    }

    /// The region of chunk `k`, numbering chunks in C order over the grid.
    pub(crate) fn chunk(&self, k: usize) -> Region {
        let mut r: Region = (0..self.axes.len()).map(|_| 0..0).collect();
        let mut rest = k;
        for (d, a) in self.axes.iter().enumerate().rev() {
            let n = a.len();
            r[d] = a.range(rest % n);
            rest /= n;
        }
        r
    }

    pub(crate) fn from_axes(axes: Vec<AxisChunks>) -> Self {
        Chunks { axes }
    }

    /// One block per axis.
    pub(crate) fn single(shape: &[usize]) -> Self {
        Chunks {
            axes: shape.iter().map(|&n| AxisChunks::single(n)).collect(),
        }
    }

    /// Blocks of `size[d]` along each axis `d`, the last one smaller.
    pub(crate) fn regular(shape: &[usize], size: &[usize]) -> Self {
        Chunks {
            axes: shape
                .iter()
                .zip(size)
                .map(|(&n, &s)| AxisChunks::regular(n, s))
                .collect(),
        }
    }

    /// The automatic rule, as Dask's `chunks="auto"`: aim for [`AUTO_CHUNK_BYTES`] per chunk with
    /// chunks as close to cubes as the shape allows. Axes shorter than the ideal edge are kept
    /// whole and their share of the budget goes to the others; on the last axis an edge of at least
    /// 1024 is rounded down to a multiple of 1024 (the block of the random streams). O(axes).
    pub(crate) fn auto(shape: &[usize], itemsize: usize) -> Self {
        let target = (AUTO_CHUNK_BYTES / itemsize.max(1)).max(1) as f64;
        let total: f64 = shape.iter().map(|&n| n as f64).product();
        if total <= target {
            return Chunks::single(shape);
        }
        let mut size: Vec<usize> = shape.to_vec();
        let mut free: Vec<usize> = (0..shape.len()).filter(|&d| shape[d] > 1).collect();
        let mut budget = target;
        loop {
            let ideal = budget.powf(1.0 / free.len() as f64);
            let (small, big): (Vec<usize>, Vec<usize>) =
                free.iter().partition(|&&d| (shape[d] as f64) <= ideal);
            if small.is_empty() {
                for &d in &big {
                    let mut edge = (ideal.floor() as usize).max(1);
                    if d + 1 == shape.len() && edge >= 1024 {
                        edge -= edge % 1024;
                    }
                    size[d] = edge.min(shape[d]);
                }
                break;
            }
            for &d in &small {
                budget /= shape[d] as f64;
            }
            free = big;
            if free.is_empty() {
                break;
            }
        }
        Chunks::regular(shape, &size)
    }

    /// Checks that the grid describes `shape` exactly.
    pub(crate) fn check(&self, op: &str, shape: &[usize]) -> Result<()> {
        if self.axes.len() != shape.len() {
            return Err(invalid_chunks(
                op,
                shape,
                format!(
                    "{} axes of chunks for {} axes",
                    self.axes.len(),
                    shape.len()
                ),
            ));
        }
        for (d, (a, &n)) in self.axes.iter().zip(shape).enumerate() {
            if a.extent() != n {
                return Err(invalid_chunks(
                    op,
                    shape,
                    format!(
                        "blocks on axis {d} cover {}, not the extent {n}",
                        a.extent()
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl fmt::Display for Chunks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(")?;
        for (i, a) in self.axes.iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{a}")?;
        }
        write!(f, ")")
    }
}

fn invalid_chunks(op: &str, shape: &[usize], reason: String) -> Error {
    Error::InvalidChunks {
        op: op.to_string(),
        shape: shape.to_vec(),
        reason,
    }
}

/// Checks one axis's explicit block list against its extent.
fn axis_from_list(op: &str, shape: &[usize], d: usize, blocks: &[usize]) -> Result<AxisChunks> {
    let n = shape[d];
    if n == 0 {
        if blocks.iter().any(|&b| b != 0) || blocks.len() > 1 {
            return Err(invalid_chunks(
                op,
                shape,
                format!("axis {d} has extent 0 but blocks {blocks:?}"),
            ));
        }
        return Ok(AxisChunks::single(0));
    }
    if blocks.contains(&0) {
        return Err(invalid_chunks(
            op,
            shape,
            format!("axis {d} has a block of size 0: {blocks:?}"),
        ));
    }
    let sum = blocks.iter().fold(0u128, |a, &b| a + b as u128);
    if sum != n as u128 {
        let shown: Vec<usize> = blocks.iter().copied().take(16).collect();
        let more = if blocks.len() > 16 { ", ..." } else { "" };
        return Err(invalid_chunks(
            op,
            shape,
            format!("blocks on axis {d} sum to {sum}, not to the extent {n}: {shown:?}{more}"),
        ));
    }
    Ok(AxisChunks::from_sizes(blocks))
}

/// A user's chunk specification, before it is checked against a shape.
#[derive(Clone, Debug, PartialEq)]
pub enum ChunkSpec {
    /// The same block size on every axis; `-1` keeps axes whole.
    Uniform(i64),
    /// One block size per axis; `-1` keeps that axis whole. Sizes larger than the axis are
    /// clamped to it, as in Dask.
    PerAxis(Vec<i64>),
    /// Explicit block sizes per axis; each axis must sum to its extent.
    Explicit(Vec<Vec<usize>>),
    /// A grid, such as another array's [`Chunks`]; it must cover the shape.
    Grid(Chunks),
    /// The automatic rule ([`AUTO_CHUNK_BYTES`]).
    Auto,
}

impl ChunkSpec {
    /// Checks the specification against `shape` and turns it into a grid.
    pub(crate) fn resolve(self, op: &str, shape: &[usize], itemsize: usize) -> Result<Chunks> {
        let size_of = |d: usize, s: i64| -> Result<usize> {
            match s {
                -1 => Ok(shape[d].max(1)),
                s if s <= 0 => Err(invalid_chunks(
                    op,
                    shape,
                    format!(
                        "block size {s} on axis {d}; sizes must be positive (or -1 for the whole axis)"
                    ),
                )),
                s => Ok(usize::try_from(s).unwrap_or(usize::MAX)),
            }
        };
        let axes_count = |given: usize| -> Result<()> {
            if given == shape.len() {
                Ok(())
            } else {
                Err(invalid_chunks(
                    op,
                    shape,
                    format!("{given} axes of chunks for {} axes", shape.len()),
                ))
            }
        };
        let chunks = match self {
            ChunkSpec::Auto => Chunks::auto(shape, itemsize),
            ChunkSpec::Uniform(s) => {
                let sizes = (0..shape.len())
                    .map(|d| size_of(d, s))
                    .collect::<Result<Vec<_>>>()?;
                Chunks::regular(shape, &sizes)
            }
            ChunkSpec::PerAxis(v) => {
                if v.len() != shape.len() {
                    return Err(invalid_chunks(
                        op,
                        shape,
                        format!("{} block sizes {v:?} for {} axes", v.len(), shape.len()),
                    ));
                }
                let sizes = v
                    .iter()
                    .enumerate()
                    .map(|(d, &s)| size_of(d, s))
                    .collect::<Result<Vec<_>>>()?;
                Chunks::regular(shape, &sizes)
            }
            ChunkSpec::Explicit(blocks) => {
                axes_count(blocks.len())?;
                let axes = blocks
                    .iter()
                    .enumerate()
                    .map(|(d, b)| axis_from_list(op, shape, d, b))
                    .collect::<Result<Vec<_>>>()?;
                Chunks::from_axes(axes)
            }
            ChunkSpec::Grid(g) => g,
        };
        chunks.check(op, shape)?;
        Ok(chunks)
    }
}

/// Anything that can say how to chunk an array: a block size for every axis (`1000`), one per
/// axis (`[1000, -1]`, where `-1` keeps the axis whole), explicit blocks
/// (`vec![vec![2, 3], vec![4]]`), a [`Chunks`] grid or [`ChunkSpec::Auto`].
pub trait IntoChunks {
    /// The specification.
    fn into_chunk_spec(self) -> ChunkSpec;
}

impl IntoChunks for ChunkSpec {
    fn into_chunk_spec(self) -> ChunkSpec {
        self
    }
}
impl IntoChunks for Chunks {
    fn into_chunk_spec(self) -> ChunkSpec {
        ChunkSpec::Grid(self)
    }
}
impl IntoChunks for &Chunks {
    fn into_chunk_spec(self) -> ChunkSpec {
        ChunkSpec::Grid(self.clone())
    }
}
impl IntoChunks for Vec<Vec<usize>> {
    fn into_chunk_spec(self) -> ChunkSpec {
        ChunkSpec::Explicit(self)
    }
}

macro_rules! into_chunks_int {
    ($($t:ty),*) => {$(
        impl IntoChunks for $t {
            fn into_chunk_spec(self) -> ChunkSpec {
                ChunkSpec::Uniform(i64::try_from(self).unwrap_or(i64::MAX))
            }
        }
        impl<const N: usize> IntoChunks for [$t; N] {
            fn into_chunk_spec(self) -> ChunkSpec {
                ChunkSpec::PerAxis(self.iter().map(|&s| i64::try_from(s).unwrap_or(i64::MAX)).collect())
            }
        }
        impl IntoChunks for &[$t] {
            fn into_chunk_spec(self) -> ChunkSpec {
                ChunkSpec::PerAxis(self.iter().map(|&s| i64::try_from(s).unwrap_or(i64::MAX)).collect())
            }
        }
        impl IntoChunks for Vec<$t> {
            fn into_chunk_spec(self) -> ChunkSpec {
                self.as_slice().into_chunk_spec()
            }
        }
    )*};
}
into_chunks_int!(usize, i32, i64);

/// Anything that names a shape: `[2, n]`, `vec![..]`, `&[..]`, or a single length.
pub trait IntoShape {
    /// The extents.
    fn into_shape_vec(self) -> Vec<usize>;
}
impl<const N: usize> IntoShape for [usize; N] {
    fn into_shape_vec(self) -> Vec<usize> {
        self.to_vec()
    }
}
impl IntoShape for &[usize] {
    fn into_shape_vec(self) -> Vec<usize> {
        self.to_vec()
    }
}
impl IntoShape for Vec<usize> {
    fn into_shape_vec(self) -> Vec<usize> {
        self
    }
}
impl IntoShape for usize {
    fn into_shape_vec(self) -> Vec<usize> {
        vec![self]
    }
}

/// The largest number of elements an array may have: `isize::MAX`, as NumPy's `intp`, so that
/// every extent and every offset also fits an `isize`. Bytes are checked only when something is
/// allocated: a lazy array of 2^62 `f64` is fine until its values would be held.
pub const MAX_ELEMENTS: usize = isize::MAX as usize;

/// [`Chunks::max_spanned`] over `axes` (extent, blocks, smallest inner block) within `budget`
/// positions. Along an axis, spanning `1 + k` blocks takes at least `2 + (k - 1) * inner`
/// positions (a run from the last position of a block); each such extent leaves the others
/// `budget / extent`, which takes few distinct values, so the results are memoized by
/// (axes left, budget).
fn best_span(
    axes: &[(usize, usize, usize)],
    budget: usize,
    memo: &mut std::collections::HashMap<(usize, usize), usize>,
) -> usize {
    let Some(&(extent, blocks, inner)) = axes.first() else {
        return 1;
    };
    if let Some(&v) = memo.get(&(axes.len(), budget)) {
        return v;
    }
    let top = budget.min(extent);
    let mut best = best_span(&axes[1..], budget, memo);
    for k in 1..blocks {
        let e = (k - 1).saturating_mul(inner).saturating_add(2);
        if e > top {
            break;
        }
        best = best.max((1 + k).saturating_mul(best_span(&axes[1..], budget / e, memo)));
    }
    memo.insert((axes.len(), budget), best);
    best
}

/// Number of elements of `shape`, or [`Error::TooLarge`] past [`MAX_ELEMENTS`].
pub(crate) fn checked_len(op: &str, shape: &[usize]) -> Result<usize> {
    shape
        .iter()
        .try_fold(1usize, |a, &b| a.checked_mul(b))
        .filter(|&n| n <= MAX_ELEMENTS)
        .ok_or_else(|| Error::TooLarge {
            op: op.to_string(),
            shape: shape.to_vec(),
            reason: format!("more than {MAX_ELEMENTS} elements"),
        })
}

/// Bytes of `len` elements of `itemsize`, or [`Error::TooLarge`] if they cannot be addressed.
pub(crate) fn checked_bytes(op: &str, shape: &[usize], itemsize: usize) -> Result<usize> {
    checked_len(op, shape)?
        .checked_mul(itemsize.max(1))
        .filter(|&b| b <= isize::MAX as usize)
        .ok_or_else(|| Error::TooLarge {
            op: op.to_string(),
            shape: shape.to_vec(),
            reason: format!("{itemsize}-byte elements need more than isize::MAX bytes"),
        })
}

/// NumPy's broadcasting of two shapes.
pub(crate) fn broadcast_shapes(op: &str, a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
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
        out[i] = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => {
                return Err(Error::Broadcast {
                    op: op.to_string(),
                    lhs: a.to_vec(),
                    rhs: b.to_vec(),
                })
            }
        };
    }
    Ok(out)
}

/// The output grid of an elementwise op: along each axis, the blocks of the inputs that are not
/// broadcast there; where they differ, their common refinement (every boundary of every input),
/// as Dask's `unify_chunks` does. Equal grids are shared in O(axes); a refinement lists its
/// blocks, up to [`LISTED_BLOCKS`]; past that the axis gets regular blocks of the smallest of
/// the inputs' largest blocks, so unifying huge grids stays O(1).
pub(crate) fn unify_chunks(shape: &[usize], inputs: &[(&[usize], &Chunks)]) -> Chunks {
    let n = shape.len();
    let mut axes = Vec::with_capacity(n);
    for (d, &extent) in shape.iter().enumerate() {
        let mut candidates: Vec<&AxisChunks> = Vec::new();
        for (s, c) in inputs {
            if d + s.len() >= n {
                let di = d + s.len() - n;
                if s[di] == extent {
                    candidates.push(&c.axes[di]);
                }
            }
        }
        let axis = match candidates.first() {
            None => AxisChunks::single(extent),
            Some(f) if candidates.iter().all(|c| c == f) => (*f).clone(),
            Some(_)
                if candidates
                    .iter()
                    .fold(0usize, |a, c| a.saturating_add(c.len()))
                    > LISTED_BLOCKS =>
            {
                let size = candidates.iter().map(|c| c.max()).min().unwrap_or(extent);
                AxisChunks::regular(extent, size)
            }
            Some(_) => {
                let mut bounds: Vec<usize> = candidates.iter().flat_map(|c| c.ends()).collect();
                bounds.sort_unstable();
                bounds.dedup();
                let mut prev = 0;
                let sizes: Vec<usize> = bounds
                    .into_iter()
                    .map(|b| {
                        let s = b - prev;
                        prev = b;
                        s
                    })
                    .collect();
                AxisChunks::from_sizes(&sizes)
            }
        };
        axes.push(axis);
    }
    Chunks { axes }
}

/// Normalizes a NumPy-style index along an axis of `extent` (negative counts from the end):
/// out of range is an [`Error::IndexOutOfBounds`] named by `op` (a closure, so the name is
/// only formatted for the error).
pub(crate) fn normalize_index(
    op: impl FnOnce() -> String,
    index: i64,
    axis: usize,
    extent: usize,
) -> Result<usize> {
    let j = if index < 0 {
        index.checked_add(extent as i64)
    } else {
        Some(index)
    };
    match j {
        Some(j) if (0..extent as i64).contains(&j) => Ok(j as usize),
        _ => Err(Error::IndexOutOfBounds {
            op: op(),
            axis,
            index,
            extent,
        }),
    }
}

/// Normalizes a NumPy-style axis (negative counts from the end).
pub(crate) fn normalize_axis(op: &str, axis: isize, shape: &[usize]) -> Result<usize> {
    let n = shape.len() as isize;
    let a = if axis < 0 {
        axis.checked_add(n).unwrap_or(-1)
    } else {
        axis
    };
    if a < 0 || a >= n {
        return Err(Error::AxisOutOfRange {
            op: op.to_string(),
            axis,
            shape: shape.to_vec(),
        });
    }
    Ok(a as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_chunks_keep_short_axes_whole() {
        let c = Chunks::auto(&[2, 1_000_000_000], 8);
        assert_eq!(c.axis(0), &[2]);
        assert_eq!(c.axis(1).size(0), 262_144);
        let c = Chunks::auto(&[1_000_000_000], 8);
        assert_eq!(c.axis(0).size(0), 524_288);
        let c = Chunks::auto(&[10], 8);
        assert_eq!(c.axis(0), &[10]);
        let c = Chunks::auto(&[10_000, 10_000], 8);
        assert!(c.max_chunk_len() * 8 <= AUTO_CHUNK_BYTES);
        let c = Chunks::auto(&[0, 5], 8);
        assert_eq!(c.to_blocks(), vec![vec![0], vec![5]]);
        // O(axes) at any size.
        let c = Chunks::auto(&[1_000_000_000_000_000_000], 8);
        assert_eq!(c.num_chunks(), 1_907_348_632_813);
        assert!(c.axis(0).is_regular());
    }

    /// [`Chunks::max_spanned`] is the most blocks any box of at most `len` positions
    /// overlaps, over 2-d grids of small extents (regular and not) and every such box.
    #[test]
    fn max_spanned_is_the_most_blocks_a_small_box_overlaps() {
        let grids: Vec<Vec<Vec<usize>>> = vec![
            vec![vec![3, 3, 1], vec![2, 2, 2, 1]],
            vec![vec![1, 4, 2], vec![5, 1, 1]],
            vec![vec![7], vec![1, 1, 1, 1, 1, 1, 1]],
            vec![vec![2, 2, 2, 2], vec![3, 3]],
        ];
        for blocks in grids {
            let c = Chunks::from_axes(blocks.iter().map(|b| AxisChunks::from_sizes(b)).collect());
            let (n0, n1) = (c.axis(0).extent(), c.axis(1).extent());
            for len in 1..=20 {
                let mut most = 0;
                for (s0, e0) in (0..n0).flat_map(|s| (1..=n0 - s).map(move |e| (s, e))) {
                    for (s1, e1) in (0..n1).flat_map(|s| (1..=n1 - s).map(move |e| (s, e))) {
                        if e0 * e1 <= len {
                            let spans = c.axis(0).overlapping(&(s0..s0 + e0)).len()
                                * c.axis(1).overlapping(&(s1..s1 + e1)).len();
                            most = most.max(spans);
                        }
                    }
                }
                let bound = c.max_spanned(len);
                assert!(bound >= most, "{blocks:?} len {len}: {bound} < {most}");
                if c.axes().iter().all(AxisChunks::is_regular) {
                    assert_eq!(bound, most, "{blocks:?} len {len}");
                }
            }
        }
        // The stencil's grid: a tile of 2048 positions spans at most 4 blocks of 2000 x 2000
        // (two rows across a corner), 3 along a row.
        let c = Chunks::regular(&[20_000, 20_000], &[2000, 2000]);
        assert_eq!(c.max_spanned(2048), 4);
        assert_eq!(
            Chunks::regular(&[10, 20_000], &[10, 2000]).max_spanned(2048),
            3
        );
        // Small blocks: every block a box can reach; huge grids stay cheap.
        assert_eq!(Chunks::regular(&[4, 4], &[1, 1]).max_spanned(2048), 16);
        let huge = Chunks::regular(&[1 << 30, 1 << 30, 1 << 30], &[1, 1, 1]);
        assert_eq!(huge.max_spanned(2048), 2048);
    }

    #[test]
    fn specs_resolve_and_check() {
        let s = [10, 7];
        let c = [4i64, -1].into_chunk_spec().resolve("t", &s, 8).unwrap();
        assert_eq!(c.to_blocks(), vec![vec![4, 4, 2], vec![7]]);
        assert!(0usize.into_chunk_spec().resolve("t", &s, 8).is_err());
        assert!([-3i64, 1].into_chunk_spec().resolve("t", &s, 8).is_err());
        assert!([4usize].into_chunk_spec().resolve("t", &s, 8).is_err());
        let bad = vec![vec![5, 4], vec![7]]
            .into_chunk_spec()
            .resolve("t", &s, 8);
        assert!(matches!(bad, Err(Error::InvalidChunks { .. })));
        let extra = vec![vec![10], vec![7], vec![1]]
            .into_chunk_spec()
            .resolve("t", &s, 8);
        assert!(matches!(extra, Err(Error::InvalidChunks { .. })));
        let c = 100usize.into_chunk_spec().resolve("t", &s, 8).unwrap();
        assert_eq!(c.to_blocks(), vec![vec![10], vec![7]]);
    }

    #[test]
    fn broadcasting_and_unification() {
        assert_eq!(broadcast_shapes("t", &[3, 1], &[4]).unwrap(), vec![3, 4]);
        assert!(broadcast_shapes("t", &[3, 2], &[4]).is_err());
        let a = Chunks::regular(&[10], &[4]);
        let b = Chunks::regular(&[10], &[5]);
        let u = unify_chunks(&[10], &[(&[10], &a), (&[10], &b)]);
        assert_eq!(u.axis(0), &[4, 1, 3, 2]);
    }

    #[test]
    fn chunk_regions_decode_in_c_order() {
        let c = Chunks::regular(&[5, 3], &[2, 2]);
        let regions: Vec<Region> = (0..c.num_chunks()).map(|k| c.chunk(k)).collect();
        assert_eq!(regions.len(), 6);
        assert_eq!(regions[0].as_slice(), &[0..2, 0..2]);
        assert_eq!(regions[1].as_slice(), &[0..2, 2..3]);
        assert_eq!(regions[5].as_slice(), &[4..5, 2..3]);
        assert_eq!(Chunks::single(&[]).chunk(0).len(), 0);
    }
}
