//! Shapes, chunk grids and the rules that relate them: the automatic chunking rule, user chunk
//! specifications, and NumPy broadcasting with chunk-grid unification.

use std::fmt;
use std::ops::Range;

use crate::error::{Error, Result};

/// Target size of one chunk when chunks are chosen automatically: 4 MiB.
///
/// Chunks are the unit of scheduling, not of memory: a fused computation never holds a whole chunk
/// of an intermediate, so the target only trades task count (per-task overhead is about a
/// microsecond) against load balance. 4 MiB gives a few hundred tasks per GiB.
pub const AUTO_CHUNK_BYTES: usize = 4 << 20;

/// The chunk grid of an array: for each axis, the sizes of its blocks in order (Dask's `.chunks`).
///
/// An axis of extent 0 has one block of size 0, as in Dask.
///
/// ```
/// let x = chunkwise::zeros::<f64>([10, 7]).rechunk([4, 7]).unwrap();
/// assert_eq!(x.chunks().axis(0), &[4, 4, 2]);
/// assert_eq!(x.chunks().axis(1), &[7]);
/// assert_eq!(x.chunks().num_chunks(), 3);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Chunks {
    blocks: Vec<Vec<usize>>,
}

impl Chunks {
    /// Block sizes per axis.
    pub fn blocks(&self) -> &[Vec<usize>] {
        &self.blocks
    }

    /// Block sizes along one axis.
    ///
    /// # Panics
    /// If `axis >= ndim`.
    pub fn axis(&self, axis: usize) -> &[usize] {
        &self.blocks[axis]
    }

    /// Number of axes.
    pub fn ndim(&self) -> usize {
        self.blocks.len()
    }

    /// Number of blocks along each axis.
    pub fn grid(&self) -> Vec<usize> {
        self.blocks.iter().map(Vec::len).collect()
    }

    /// Total number of chunks.
    pub fn num_chunks(&self) -> usize {
        self.blocks.iter().map(Vec::len).product()
    }

    /// Elements in the largest chunk.
    pub fn max_chunk_len(&self) -> usize {
        self.blocks
            .iter()
            .map(|b| b.iter().copied().max().unwrap_or(0))
            .product()
    }

    /// The index ranges of the blocks along `axis`.
    pub(crate) fn ranges(&self, axis: usize) -> Vec<Range<usize>> {
        let mut start = 0;
        self.blocks[axis]
            .iter()
            .map(|&b| {
                let r = start..start + b;
                start += b;
                r
            })
            .collect()
    }

    /// The region of every chunk, in C order of chunk coordinates.
    pub(crate) fn regions(&self) -> Vec<Vec<Range<usize>>> {
        let per_axis: Vec<Vec<Range<usize>>> = (0..self.ndim()).map(|d| self.ranges(d)).collect();
        cartesian(&per_axis)
    }

    pub(crate) fn from_blocks(blocks: Vec<Vec<usize>>) -> Self {
        Chunks { blocks }
    }

    /// One block per axis.
    pub(crate) fn single(shape: &[usize]) -> Self {
        Chunks {
            blocks: shape.iter().map(|&n| vec![n]).collect(),
        }
    }

    /// Blocks of `size[d]` along each axis `d`, the last one smaller.
    pub(crate) fn regular(shape: &[usize], size: &[usize]) -> Self {
        Chunks {
            blocks: shape
                .iter()
                .zip(size)
                .map(|(&n, &s)| regular_axis(n, s))
                .collect(),
        }
    }

    /// The automatic rule, as Dask's `chunks="auto"`: aim for [`AUTO_CHUNK_BYTES`] per chunk with
    /// chunks as close to cubes as the shape allows. Axes shorter than the ideal edge are kept
    /// whole and their share of the budget goes to the others; on the last axis an edge of at least
    /// 1024 is rounded down to a multiple of 1024 (the block of the random streams).
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
        let bad = |reason: String| Error::InvalidChunks {
            op: op.to_string(),
            shape: shape.to_vec(),
            reason,
        };
        if self.blocks.len() != shape.len() {
            return Err(bad(format!(
                "{} axes of chunks for {} axes",
                self.blocks.len(),
                shape.len()
            )));
        }
        for (d, (blocks, &n)) in self.blocks.iter().zip(shape).enumerate() {
            if n == 0 {
                if blocks.iter().any(|&b| b != 0) || blocks.len() > 1 {
                    return Err(bad(format!("axis {d} has extent 0 but blocks {blocks:?}")));
                }
                continue;
            }
            if blocks.contains(&0) {
                return Err(bad(format!("axis {d} has a block of size 0: {blocks:?}")));
            }
            let sum: usize = blocks.iter().sum();
            if sum != n {
                return Err(bad(format!(
                    "blocks on axis {d} sum to {sum}, not to the extent {n}: {blocks:?}"
                )));
            }
        }
        Ok(())
    }
}

impl fmt::Display for Chunks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(")?;
        for (i, b) in self.blocks.iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            match b.as_slice() {
                [] => write!(f, "()")?,
                [one] => write!(f, "({one},)")?,
                [first, .., last] if b.iter().all(|x| x == first) => {
                    write!(f, "({first} x {})", b.len())?
                }
                [first, .., last] if b[..b.len() - 1].iter().all(|x| x == first) => {
                    write!(f, "({first} x {}, {last})", b.len() - 1)?
                }
                _ => write!(f, "{b:?}")?,
            }
        }
        write!(f, ")")
    }
}

fn regular_axis(n: usize, size: usize) -> Vec<usize> {
    if n == 0 {
        return vec![0];
    }
    let size = size.clamp(1, n);
    let mut v = vec![size; n / size];
    if !n.is_multiple_of(size) {
        v.push(n % size);
    }
    v
}

/// All combinations of one range per axis, C order.
pub(crate) fn cartesian(per_axis: &[Vec<Range<usize>>]) -> Vec<Vec<Range<usize>>> {
    let mut out: Vec<Vec<Range<usize>>> = vec![Vec::new()];
    for axis in per_axis {
        let mut next = Vec::with_capacity(out.len() * axis.len());
        for prefix in &out {
            for r in axis {
                let mut p = prefix.clone();
                p.push(r.clone());
                next.push(p);
            }
        }
        out = next;
    }
    out
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
    /// The automatic rule ([`AUTO_CHUNK_BYTES`]).
    Auto,
}

impl ChunkSpec {
    /// Checks the specification against `shape` and turns it into a grid.
    pub(crate) fn resolve(self, op: &str, shape: &[usize], itemsize: usize) -> Result<Chunks> {
        let bad = |reason: String| Error::InvalidChunks {
            op: op.to_string(),
            shape: shape.to_vec(),
            reason,
        };
        let size_of = |d: usize, s: i64| -> Result<usize> {
            match s {
                -1 => Ok(shape[d].max(1)),
                s if s <= 0 => Err(bad(format!(
                    "block size {s} on axis {d}; sizes must be positive (or -1 for the whole axis)"
                ))),
                s => Ok(s as usize),
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
                    return Err(bad(format!(
                        "{} block sizes {v:?} for {} axes",
                        v.len(),
                        shape.len()
                    )));
                }
                let sizes = v
                    .iter()
                    .enumerate()
                    .map(|(d, &s)| size_of(d, s))
                    .collect::<Result<Vec<_>>>()?;
                Chunks::regular(shape, &sizes)
            }
            ChunkSpec::Explicit(blocks) => {
                let blocks = blocks
                    .into_iter()
                    .zip(shape)
                    .map(|(b, &n)| if n == 0 && b.is_empty() { vec![0] } else { b })
                    .collect::<Vec<_>>();
                Chunks::from_blocks(blocks)
            }
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
        ChunkSpec::Explicit(self.blocks)
    }
}
impl IntoChunks for &Chunks {
    fn into_chunk_spec(self) -> ChunkSpec {
        ChunkSpec::Explicit(self.blocks.clone())
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

/// Number of elements of `shape`, or an error if it does not fit in memory addressing.
pub(crate) fn checked_size(op: &str, shape: &[usize], itemsize: usize) -> Result<usize> {
    let too_large = || Error::TooLarge {
        op: op.to_string(),
        shape: shape.to_vec(),
        reason: "the number of bytes overflows isize".to_string(),
    };
    let n = shape
        .iter()
        .try_fold(1usize, |a, &b| a.checked_mul(b))
        .ok_or_else(too_large)?;
    if n.checked_mul(itemsize.max(1))
        .is_none_or(|b| b > isize::MAX as usize)
    {
        return Err(too_large());
    }
    Ok(n)
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
/// as Dask's `unify_chunks` does.
pub(crate) fn unify_chunks(shape: &[usize], inputs: &[(&[usize], &Chunks)]) -> Chunks {
    let n = shape.len();
    let mut blocks = Vec::with_capacity(n);
    for (d, &extent) in shape.iter().enumerate() {
        let mut candidates: Vec<&Vec<usize>> = Vec::new();
        for (s, c) in inputs {
            if d + s.len() >= n {
                let di = d + s.len() - n;
                if s[di] == extent {
                    candidates.push(&c.blocks[di]);
                }
            }
        }
        let first = candidates.first().map(|c| (*c).clone());
        let axis = match first {
            None => vec![extent],
            Some(f) if candidates.iter().all(|c| **c == f) => f,
            Some(_) => {
                let mut bounds: Vec<usize> = candidates
                    .iter()
                    .flat_map(|c| {
                        c.iter().scan(0usize, |acc, &b| {
                            *acc += b;
                            Some(*acc)
                        })
                    })
                    .collect();
                bounds.sort_unstable();
                bounds.dedup();
                let mut prev = 0;
                bounds
                    .into_iter()
                    .map(|b| {
                        let s = b - prev;
                        prev = b;
                        s
                    })
                    .collect()
            }
        };
        blocks.push(axis);
    }
    Chunks { blocks }
}

/// Normalizes a NumPy-style axis (negative counts from the end).
pub(crate) fn normalize_axis(op: &str, axis: isize, shape: &[usize]) -> Result<usize> {
    let n = shape.len() as isize;
    let a = if axis < 0 { axis + n } else { axis };
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
        assert_eq!(c.axis(1)[0], 262_144);
        let c = Chunks::auto(&[1_000_000_000], 8);
        assert_eq!(c.axis(0)[0], 524_288);
        let c = Chunks::auto(&[10], 8);
        assert_eq!(c.axis(0), &[10]);
        let c = Chunks::auto(&[10_000, 10_000], 8);
        assert!(c.max_chunk_len() * 8 <= AUTO_CHUNK_BYTES);
        let c = Chunks::auto(&[0, 5], 8);
        assert_eq!(c.blocks(), &[vec![0], vec![5]]);
    }

    #[test]
    fn specs_resolve_and_check() {
        let s = [10, 7];
        let c = [4i64, -1].into_chunk_spec().resolve("t", &s, 8).unwrap();
        assert_eq!(c.blocks(), &[vec![4, 4, 2], vec![7]]);
        assert!(0usize.into_chunk_spec().resolve("t", &s, 8).is_err());
        assert!([-3i64, 1].into_chunk_spec().resolve("t", &s, 8).is_err());
        assert!([4usize].into_chunk_spec().resolve("t", &s, 8).is_err());
        let bad = vec![vec![5, 4], vec![7]]
            .into_chunk_spec()
            .resolve("t", &s, 8);
        assert!(matches!(bad, Err(Error::InvalidChunks { .. })));
        let c = 100usize.into_chunk_spec().resolve("t", &s, 8).unwrap();
        assert_eq!(c.blocks(), &[vec![10], vec![7]]);
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
}
