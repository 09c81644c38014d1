//! One axis of a chunk grid: a regular split in three numbers, or the list of block ends.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// The blocks of one axis: how an extent is split into consecutive chunks.
///
/// Regular splits (a first block, then blocks of one size, the last one possibly smaller) take
/// three words whatever the number of blocks; irregular ones keep their block ends. It compares
/// equal to a slice of block sizes, so `x.chunks().axis(0) == &[4, 4, 2]` reads as Dask's
/// `x.chunks[0] == (4, 4, 2)`.
///
/// ```
/// let x = chunkwise::arange(1_000_000_000_000_000_000).rechunk(1_000_000).unwrap();
/// let a = x.chunks().axis(0);
/// assert_eq!(a.len(), 1_000_000_000_000);
/// assert_eq!(a.size(7), 1_000_000);
/// assert_eq!(a.locate(2_500_000), 2);
/// let y = chunkwise::arange(10).rechunk(4).unwrap();
/// assert_eq!(y.chunks().axis(0), &[4, 4, 2]);
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AxisChunks {
    repr: Repr,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    /// A first block of `first` elements, then blocks of `size`, the last one possibly smaller.
    /// Canonical: `1 <= first <= size`, and with one or two blocks `size` is the larger block,
    /// so that equal splits have equal representations. Extent 0 is `first = size = 0`.
    Regular {
        extent: usize,
        first: usize,
        size: usize,
    },
    /// The end of every block, increasing; the last is the extent. Never a regular split.
    Explicit(Arc<[usize]>),
}

impl AxisChunks {
    /// Blocks of `size` (at least 1) from the start, the last one smaller. Extent 0 has one block
    /// of size 0, as in Dask.
    pub(crate) fn regular(extent: usize, size: usize) -> Self {
        let size = size.clamp(1, extent.max(1));
        Self::regular_from(extent, size, size)
    }

    /// A first block of `first` (at least 1), then blocks of `size`.
    pub(crate) fn regular_from(extent: usize, first: usize, size: usize) -> Self {
        if extent == 0 {
            return AxisChunks {
                repr: Repr::Regular {
                    extent: 0,
                    first: 0,
                    size: 0,
                },
            };
        }
        let size = size.max(1);
        let first = first.clamp(1, size).min(extent);
        let rest = extent - first;
        let size = if rest == 0 {
            first
        } else if rest <= size {
            // Two blocks: the larger one names the size, whichever comes first.
            first.max(rest)
        } else {
            size
        };
        AxisChunks {
            repr: Repr::Regular {
                extent,
                first,
                size,
            },
        }
    }

    /// One block over the whole extent.
    pub(crate) fn single(extent: usize) -> Self {
        Self::regular(extent, extent)
    }

    /// From block sizes that are already checked (positive, or one 0 for extent 0). Costs one
    /// pass over them; regular splits come out in the three-word form.
    pub(crate) fn from_sizes(sizes: &[usize]) -> Self {
        // Saturating: the blocks of a concatenation past `usize::MAX` (an error its node
        // records) are listed too.
        let extent = sizes.iter().fold(0usize, |a, &b| a.saturating_add(b));
        match sizes {
            [] => Self::single(0),
            [_] => Self::single(extent),
            [a, b] => Self::regular_from(extent, *a, (*a).max(*b)),
            [a, mid @ .., last] => {
                let s = mid[0];
                if *a <= s && *last <= s && *last > 0 && mid.iter().all(|&m| m == s) {
                    Self::regular_from(extent, *a, s)
                } else {
                    let mut end = 0;
                    let ends: Arc<[usize]> = sizes
                        .iter()
                        .map(|&b| {
                            end = usize::saturating_add(end, b);
                            end
                        })
                        .collect();
                    AxisChunks {
                        repr: Repr::Explicit(ends),
                    }
                }
            }
        }
    }

    /// The number of elements along the axis.
    pub fn extent(&self) -> usize {
        match &self.repr {
            Repr::Regular { extent, .. } => *extent,
            Repr::Explicit(ends) => *ends.last().expect("an explicit axis has blocks"),
        }
    }

    /// The number of blocks (1 for an empty axis).
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Regular {
                extent,
                first,
                size,
            } => {
                if *extent <= *first {
                    1
                } else {
                    1 + (extent - first).div_ceil(*size)
                }
            }
            Repr::Explicit(ends) => ends.len(),
        }
    }

    /// Whether the split is regular (O(1) in memory).
    pub fn is_regular(&self) -> bool {
        matches!(self.repr, Repr::Regular { .. })
    }

    /// The index range of block `k`.
    ///
    /// # Panics
    /// If `k >= self.len()`.
    pub fn range(&self, k: usize) -> Range<usize> {
        assert!(
            k < self.len(),
            "block {k} of an axis with {} blocks",
            self.len()
        );
        match &self.repr {
            Repr::Regular {
                extent,
                first,
                size,
            } => {
                if k == 0 {
                    0..*first
                } else {
                    let s = first + (k - 1) * size;
                    // Saturating: the last block of an axis near `usize::MAX` long.
                    s..s.saturating_add(*size).min(*extent)
                }
            }
            Repr::Explicit(ends) => {
                let s = if k == 0 { 0 } else { ends[k - 1] };
                s..ends[k]
            }
        }
    }

    /// The size of block `k`.
    ///
    /// # Panics
    /// If `k >= self.len()`.
    pub fn size(&self, k: usize) -> usize {
        self.range(k).len()
    }

    /// The smallest block that is neither the first nor the last (which space no two block
    /// starts), the least distance between two block starts; `usize::MAX` when there is
    /// none, and at least 1.
    pub(crate) fn min_inner(&self) -> usize {
        let n = self.len();
        match &self.repr {
            _ if n <= 2 => usize::MAX,
            Repr::Regular { size, .. } => (*size).max(1),
            Repr::Explicit(_) => (1..n - 1).map(|k| self.size(k)).min().unwrap_or(1).max(1),
        }
    }

    /// The block holding index `i` (the last block for `i >= extent`).
    pub fn locate(&self, i: usize) -> usize {
        match &self.repr {
            Repr::Regular {
                extent,
                first,
                size,
            } => {
                if i < *first || *extent <= *first {
                    0
                } else {
                    (1 + (i - first) / size).min(self.len() - 1)
                }
            }
            Repr::Explicit(ends) => ends.partition_point(|&e| e <= i).min(ends.len() - 1),
        }
    }

    /// The blocks that overlap `r` (empty for an empty range, except on an empty axis, whose
    /// one block of size 0 is returned).
    pub(crate) fn overlapping(&self, r: &Range<usize>) -> Range<usize> {
        if self.extent() == 0 {
            return 0..1;
        }
        if r.is_empty() {
            return 0..0;
        }
        self.locate(r.start)..self.locate(r.end - 1) + 1
    }

    /// The largest block.
    pub fn max(&self) -> usize {
        match &self.repr {
            Repr::Regular { size, .. } => *size,
            Repr::Explicit(_) => self.iter().max().unwrap_or(0),
        }
    }

    /// The block sizes in order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.len()).map(|k| self.size(k))
    }

    /// The block sizes as a list: one entry per block, so only for grids known to be small.
    pub fn to_vec(&self) -> Vec<usize> {
        self.iter().collect()
    }

    /// The blocks of `start..end` of this axis, renumbered from 0 (a slice with step 1).
    pub(crate) fn sub(&self, start: usize, end: usize) -> Self {
        let len = end - start;
        if len == 0 {
            return Self::single(0);
        }
        match &self.repr {
            Repr::Regular { .. } => {
                let k = self.locate(start);
                let r = self.range(k);
                let size = if k == 0 {
                    self.size_after_first()
                } else {
                    r.len()
                };
                Self::regular_from(len, r.end - start, size)
            }
            Repr::Explicit(_) => {
                let ks = self.overlapping(&(start..end));
                let sizes: Vec<usize> = ks
                    .map(|k| {
                        let r = self.range(k);
                        r.end.min(end) - r.start.max(start)
                    })
                    .collect();
                Self::from_sizes(&sizes)
            }
        }
    }

    /// The blocks in reverse order (a slice with step -1).
    pub(crate) fn reversed(&self) -> Self {
        match &self.repr {
            Repr::Regular { extent, .. } => {
                let last = self.size(self.len() - 1);
                Self::regular_from(*extent, last, self.size_after_first())
            }
            Repr::Explicit(_) => {
                let mut v = self.to_vec();
                v.reverse();
                Self::from_sizes(&v)
            }
        }
    }

    /// The block size after the first block of a regular split.
    fn size_after_first(&self) -> usize {
        match &self.repr {
            Repr::Regular { size, .. } => *size,
            Repr::Explicit(_) => self.max(),
        }
    }

    /// The blocks of `pieces` one after the other (a concatenation): exact, and O(1) when they
    /// join into a regular split (every piece but the last made of whole blocks of one size);
    /// listed when that takes at most `max_listed` blocks; past that, regular blocks of the
    /// largest piece block, so that joining huge arrays stays O(pieces).
    pub(crate) fn concat(pieces: &[&AxisChunks], max_listed: usize) -> Self {
        let extent = pieces
            .iter()
            .fold(0usize, |a, p| a.saturating_add(p.extent()));
        let nonempty: Vec<&AxisChunks> =
            pieces.iter().copied().filter(|p| p.extent() > 0).collect();
        let size = nonempty.first().map_or(0, |p| p.max());
        // A piece continues a regular split of `size` if it is one from its own start (the
        // representation is canonical, so equality says it) and, unless last, ends on a block.
        let fits = |p: &AxisChunks| *p == Self::regular(p.extent(), size);
        let regular = nonempty.split_last().is_some_and(|(last, rest)| {
            rest.iter().all(|p| fits(p) && p.extent() % size == 0) && fits(last)
        });
        if regular {
            return Self::regular(extent, size);
        }
        let count = nonempty
            .iter()
            .fold(0usize, |a, p| a.saturating_add(p.len()));
        if count <= max_listed {
            let sizes: Vec<usize> = nonempty.iter().flat_map(|p| p.iter()).collect();
            if sizes.is_empty() {
                return Self::single(0);
            }
            return Self::from_sizes(&sizes);
        }
        let biggest = nonempty.iter().map(|p| p.max()).max().unwrap_or(0);
        Self::regular(extent, biggest)
    }

    /// The ends of the blocks, in order.
    pub(super) fn ends(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.len()).map(|k| self.range(k).end)
    }
}

impl fmt::Debug for AxisChunks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Dask's notation, compressed: `(4 x 2, 2)` is two blocks of 4 then one of 2.
impl fmt::Display for AxisChunks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Regular { first, size, .. } => {
                let n = self.len();
                if n == 1 {
                    return write!(f, "({first},)");
                }
                let last = self.size(n - 1);
                let mut parts = Vec::new();
                let mut middle = n;
                if first != size {
                    parts.push(first.to_string());
                    middle -= 1;
                }
                if last != *size {
                    middle -= 1;
                }
                if middle > 0 {
                    parts.push(format!("{size} x {middle}"));
                }
                if last != *size {
                    parts.push(last.to_string());
                }
                write!(f, "({})", parts.join(", "))
            }
            Repr::Explicit(_) => write!(f, "{:?}", self.to_vec()),
        }
    }
}

impl PartialEq<[usize]> for AxisChunks {
    fn eq(&self, other: &[usize]) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, &b)| a == b)
    }
}
impl PartialEq<Vec<usize>> for AxisChunks {
    fn eq(&self, other: &Vec<usize>) -> bool {
        *self == other[..]
    }
}
impl<const N: usize> PartialEq<[usize; N]> for AxisChunks {
    fn eq(&self, other: &[usize; N]) -> bool {
        *self == other[..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every list of positive block sizes of `n` in all.
    fn splits(n: usize) -> Vec<Vec<usize>> {
        if n == 0 {
            return vec![Vec::new()];
        }
        (1..=n)
            .flat_map(|b| {
                splits(n - b).into_iter().map(move |mut rest| {
                    rest.insert(0, b);
                    rest
                })
            })
            .collect()
    }

    /// Every block list of small extents round-trips through the compact form, and every
    /// query agrees with the list.
    #[test]
    fn axis_chunks_agree_with_their_lists() {
        for n in 1..=8 {
            for l in splits(n) {
                let a = AxisChunks::from_sizes(&l);
                assert_eq!(a, l, "{l:?}");
                assert_eq!(a.extent(), n);
                let mut start = 0;
                for (k, &b) in l.iter().enumerate() {
                    assert_eq!(a.range(k), start..start + b, "{l:?} block {k}");
                    for i in start..start + b {
                        assert_eq!(a.locate(i), k, "{l:?} index {i}");
                    }
                    start += b;
                }
                for s in 0..=n {
                    for e in s..=n {
                        let want: Vec<usize> = l
                            .iter()
                            .scan(0, |acc, &b| {
                                let r = *acc..*acc + b;
                                *acc += b;
                                Some(r)
                            })
                            .filter(|r| r.start < e && r.end > s)
                            .map(|r| r.end.min(e) - r.start.max(s))
                            .collect();
                        let want = if want.is_empty() { vec![0] } else { want };
                        assert_eq!(a.sub(s, e), want, "{l:?} sub {s}..{e}");
                    }
                }
                let mut rev = l.clone();
                rev.reverse();
                assert_eq!(a.reversed(), rev, "{l:?} reversed");
                // Equal lists have equal (canonical) forms.
                assert_eq!(a, AxisChunks::from_sizes(&l.clone()));
            }
        }
    }

    /// [`Chunks::max_spanned`](crate::chunks::Chunks::max_spanned) of one axis is at least
    /// the blocks every run of that length overlaps, for every split of small extents.
    #[test]
    fn max_spanned_bounds_every_run() {
        for n in 1..=9 {
            for l in splits(n) {
                let a = AxisChunks::from_sizes(&l);
                let grid = crate::chunks::Chunks::from_axes(vec![a.clone()]);
                for len in 1..=n {
                    let most = (0..=n - len)
                        .map(|s| a.overlapping(&(s..s + len)).len())
                        .max()
                        .unwrap_or(1);
                    let bound = grid.max_spanned(len);
                    assert!(bound >= most, "{l:?} len {len}: {bound} < {most}");
                    assert!(bound <= l.len().min(len), "{l:?} len {len}: {bound}");
                }
            }
        }
        // A tile of 2048 over blocks of 2000 can start at a block's last position.
        let one = |a| crate::chunks::Chunks::from_axes(vec![a]);
        let r = one(AxisChunks::regular(20_000, 2000));
        assert_eq!((r.max_spanned(2048), r.max_spanned(2000)), (3, 2));
        assert_eq!((r.max_spanned(1), r.max_spanned(0)), (1, 1));
        let huge = one(AxisChunks::regular(usize::MAX, 1));
        assert_eq!(huge.max_spanned(1 << 20), 1 << 20);
    }

    #[test]
    fn concatenated_axes_are_regular_when_they_join_up() {
        let r = |e, s| AxisChunks::regular(e, s);
        assert!(AxisChunks::concat(&[&r(8, 4), &r(10, 4)], 100).is_regular());
        assert_eq!(
            AxisChunks::concat(&[&r(8, 4), &r(10, 4)], 100),
            [4, 4, 4, 4, 2]
        );
        assert_eq!(AxisChunks::concat(&[&r(6, 4), &r(4, 4)], 100), [4, 2, 4]);
        assert_eq!(AxisChunks::concat(&[&r(0, 1), &r(3, 2)], 100), [2, 1]);
        assert_eq!(AxisChunks::concat(&[&r(0, 1)], 100), [0]);
        // Past the listing bound: regular blocks of the largest piece block.
        assert_eq!(AxisChunks::concat(&[&r(6, 4), &r(4, 4)], 2), [4, 4, 2]);
        let huge = r(1 << 62, 1 << 22);
        let j = AxisChunks::concat(&[&huge, &huge], 1 << 16);
        assert!(j.is_regular() && j.extent() == 1 << 63 && j.len() == 1 << 41);
    }
}
