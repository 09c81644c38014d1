//! Regions (boxes of an array's index space), the tiles they are cut into, and the row walks
//! that copy between a C-order tile and a strided destination.
//!
//! A *tile* is the unit of evaluation: a box of at most [`TILE_LEN`] elements, stored C-order in
//! a buffer that stays in L1/L2 cache while the fused chain of ops runs over it.

use std::ops::Range;

use smallvec::SmallVec;

/// Elements per tile: 2048 (16 KiB of `f64`), so a chain of several tile buffers fits in L2 and
/// the innermost ones in L1.
pub const TILE_LEN: usize = 2048;

/// A box: one index range per axis. Small on the stack for ranks up to 6.
pub(crate) type Region = SmallVec<[Range<usize>; 6]>;

/// The product of `extents`, saturating: for counts of shapes not yet checked (an invalid
/// node's error is reported by planning; its arithmetic must not overflow first).
pub(crate) fn saturating_len(extents: &[usize]) -> usize {
    extents.iter().fold(1usize, |a, &b| a.saturating_mul(b))
}

/// Number of elements of a region (1 for a 0-d region).
#[inline]
pub(crate) fn region_len(r: &[Range<usize>]) -> usize {
    r.iter().map(|x| x.len()).product()
}

/// The region covering a whole shape.
#[cfg(test)]
pub(crate) fn full_region(shape: &[usize]) -> Region {
    shape.iter().map(|&n| 0..n).collect()
}

/// C-order strides of a box of `extents`.
pub(crate) fn c_strides(extents: &[usize]) -> SmallVec<[usize; 6]> {
    let mut s: SmallVec<[usize; 6]> = SmallVec::from_elem(1, extents.len());
    for d in (0..extents.len().saturating_sub(1)).rev() {
        s[d] = s[d + 1] * extents[d + 1];
    }
    s
}

/// The partition of a box into C-order tiles of at most `max` elements, addressable by index:
/// whole inner axes, slabs of `step` along one axis `k`, single indices on the axes before it.
/// It depends only on the box's extents, which is what makes it usable as the canonical leaf
/// grid of reductions (see `graph/reduce.rs`).
#[derive(Debug, Clone)]
pub(crate) struct TileGrid {
    extents: SmallVec<[usize; 6]>,
    /// The slab axis; `extents.len()` when the box is one tile.
    k: usize,
    step: usize,
    slabs: usize,
    count: usize,
}

impl TileGrid {
    pub(crate) fn new(extents: &[usize], max: usize) -> Self {
        let n = extents.len();
        let ext: SmallVec<[usize; 6]> = extents.iter().copied().collect();
        let total = saturating_len(extents);
        if total == 0 {
            return TileGrid {
                extents: ext,
                k: n,
                step: 1,
                slabs: 0,
                count: 0,
            };
        }
        if total <= max || n == 0 {
            return TileGrid {
                extents: ext,
                k: n,
                step: 1,
                slabs: 1,
                count: 1,
            };
        }
        // The slab axis k: the product of the extents after k fits, times extent(k) does not.
        let mut inner = 1usize;
        let mut k = n - 1;
        loop {
            let e = extents[k];
            // Saturating: a box past `usize::MAX` elements is an error recorded on its node,
            // but its grid is still built (and explained).
            if inner.saturating_mul(e) > max || k == 0 {
                break;
            }
            inner *= e;
            k -= 1;
        }
        let step = (max / inner).max(1);
        let slabs = extents[k].div_ceil(step);
        let count = saturating_len(&extents[..k]).saturating_mul(slabs);
        TileGrid {
            extents: ext,
            k,
            step,
            slabs,
            count,
        }
    }

    /// Number of tiles (0 for an empty box).
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// Tile `i` (C order), relative to the box's origin.
    pub(crate) fn tile(&self, i: usize) -> Region {
        let mut r: Region = self.extents.iter().map(|&e| 0..e).collect();
        self.set_tile(i, |d, x| r[d] = x);
        r
    }

    /// When tiles are slabs of the first axis (every 1-d box, and boxes whose inner axes fill a
    /// tile), the slab length: tiles `a..b` then cover `a * step..min(b * step, extent)` of it.
    pub(crate) fn first_axis_step(&self) -> Option<usize> {
        (self.k == 0 && !self.extents.is_empty()).then_some(self.step)
    }

    /// Writes tile `i` into `r` through `set(axis, range)`, for the axes a tile does not take
    /// whole (the slab axis and those before it); the caller keeps the other axes whole. The
    /// hot loop of reductions: no region is built.
    #[inline]
    pub(crate) fn set_tile(&self, i: usize, mut set: impl FnMut(usize, Range<usize>)) {
        if self.k == self.extents.len() {
            return;
        }
        let (slab, mut rest) = if self.k == 0 {
            (i, 0)
        } else {
            (i % self.slabs, i / self.slabs)
        };
        let s = slab * self.step;
        set(self.k, s..(s + self.step).min(self.extents[self.k]));
        for d in (0..self.k).rev() {
            let idx = rest % self.extents[d];
            rest /= self.extents[d];
            set(d, idx..idx + 1);
        }
    }
}

#[cfg(test)]
fn extents_as_ranges(extents: &[usize]) -> Region {
    extents.iter().map(|&e| 0..e).collect()
}

/// Cuts `region` into tiles of at most `max` elements, C order, each itself a box: whole inner
/// axes, a slab of the axis where the budget runs out, single indices outside it (the
/// [`TileGrid`] of its extents, shifted to its start).
///
/// Every [`CANCEL_CHECK_TILES`] tiles it looks whether the compute was cancelled (Ctrl-C from
/// Python), so a long chunk stops within a fraction of a second rather than at its end.
pub(crate) fn for_each_tile<E: From<crate::error::Error>>(
    region: &[Range<usize>],
    max: usize,
    mut f: impl FnMut(&[Range<usize>]) -> Result<(), E>,
) -> Result<(), E> {
    let ext: SmallVec<[usize; 6]> = region.iter().map(|r| r.len()).collect();
    let grid = TileGrid::new(&ext, max);
    // Axes a tile takes whole stay as they are; each tile sets the others.
    let mut tile: Region = region.iter().cloned().collect();
    for i in 0..grid.len() {
        cancel_point(i)?;
        grid.set_tile(i, |d, t| {
            tile[d] = region[d].start + t.start..region[d].start + t.end;
        });
        f(&tile)?;
    }
    Ok(())
}

/// Tiles between two looks at the cancel flag: a few milliseconds of work at most.
const CANCEL_CHECK_TILES: usize = 64;

/// Between the tiles of a long task, `i` counting them: every [`CANCEL_CHECK_TILES`]-th looks
/// whether the compute was cancelled, and is [`Error::Cancelled`](crate::Error::Cancelled) if
/// so. The one place the tiles' cancel checks are spaced.
#[inline]
pub(crate) fn cancel_point(i: usize) -> crate::error::Result<()> {
    if i % CANCEL_CHECK_TILES == CANCEL_CHECK_TILES - 1 {
        crate::events::check_cancelled()
    } else {
        Ok(())
    }
}

/// Walks the rows (runs along the last axis) of `region` of a C-order array of `shape`:
/// `f(row, flat, len)` for each, where the row's values are `row * len..(row + 1) * len` of the
/// region's own C-order buffer and start at flat index `flat` of the array. The walk that moves
/// a region between a tile and the array it belongs to (gather, scatter, files, sources).
pub(crate) fn for_each_region_row(
    shape: &[usize],
    region: &[Range<usize>],
    mut f: impl FnMut(usize, usize, usize),
) {
    let strides = c_strides(shape);
    let base: usize = region.iter().zip(&strides).map(|(r, s)| r.start * s).sum();
    let ext: SmallVec<[usize; 6]> = region.iter().map(|r| r.len()).collect();
    let len = ext.last().copied().unwrap_or(1);
    for_each_row(&ext, &strides, base, |row, flat| f(row, flat, len));
}

/// Walks the rows (runs along the last axis) of a box of `extents` in C order, calling
/// `f(row_number, offset)` where `offset = base + sum(index[d] * strides[d])` over all axes but the
/// last. The row length is the last extent (1 for a 0-d box).
#[inline]
pub(crate) fn for_each_row(
    extents: &[usize],
    strides: &[usize],
    base: usize,
    mut f: impl FnMut(usize, usize),
) {
    let signed: SmallVec<[isize; 6]> = strides.iter().map(|&s| s as isize).collect();
    for_each_row_signed(extents, &signed, base as isize, |row, off| {
        f(row, off as usize)
    });
}

/// [`for_each_row`] with signed strides, for walks that go backwards along some axes.
pub(crate) fn for_each_row_signed(
    extents: &[usize],
    strides: &[isize],
    base: isize,
    mut f: impl FnMut(usize, isize),
) {
    let n = extents.len();
    if extents.contains(&0) {
        return;
    }
    if n <= 1 {
        f(0, base);
        return;
    }
    let mut idx: SmallVec<[usize; 6]> = SmallVec::from_elem(0, n - 1);
    let mut off = base;
    let mut row = 0;
    loop {
        f(row, off);
        row += 1;
        let mut d = n - 1;
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            idx[d] += 1;
            off += strides[d];
            if idx[d] < extents[d] {
                break;
            }
            off -= strides[d] * extents[d] as isize;
            idx[d] = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tile_grid_agrees_with_its_tiles() {
        for ext in [
            vec![5usize, 7, 3],
            vec![13],
            vec![4, 0, 2],
            vec![],
            vec![3, 1, 9, 2],
        ] {
            for max in [1, 2, 5, 7, 20, 1000] {
                let g = TileGrid::new(&ext, max);
                let total: usize = (0..g.len()).map(|i| region_len(&g.tile(i))).sum();
                assert_eq!(total, ext.iter().product::<usize>(), "{ext:?} {max}");
                for i in 0..g.len() {
                    let mut r = extents_as_ranges(&ext);
                    g.set_tile(i, |d, x| r[d] = x);
                    assert_eq!(r, g.tile(i), "{ext:?} {max} tile {i}");
                }
            }
        }
    }

    fn tiles(region: &[Range<usize>], max: usize) -> Vec<Vec<Range<usize>>> {
        let mut v = Vec::new();
        for_each_tile::<crate::error::Error>(region, max, |t| {
            v.push(t.to_vec());
            Ok(())
        })
        .unwrap();
        v
    }

    #[test]
    fn tiles_cover_the_region_exactly_in_c_order() {
        for shape in [
            vec![5usize, 7, 3],
            vec![1, 1],
            vec![13],
            vec![4, 0, 2],
            vec![],
        ] {
            for max in [1, 2, 5, 7, 20, 1000] {
                let r = full_region(&shape);
                let ts = tiles(&r, max);
                let mut seen = Vec::new();
                for t in &ts {
                    assert!(region_len(t) <= max.max(1) || t.is_empty());
                    let ext: Vec<usize> = t.iter().map(|x| x.len()).collect();
                    let st = c_strides(&shape);
                    for_each_row(&ext, &st, 0, |_, off| {
                        let base: usize = t.iter().zip(&st).map(|(r, s)| r.start * s).sum();
                        let row = t.last().map_or(1, |r| r.len());
                        for i in 0..row {
                            seen.push(base + off + i);
                        }
                    });
                }
                let n: usize = shape.iter().product();
                assert_eq!(seen, (0..n).collect::<Vec<_>>(), "{shape:?} max {max}");
            }
        }
    }
}
