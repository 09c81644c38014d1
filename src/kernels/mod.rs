//! The hot loops: plain loops over tile slices, compiled once per CPU level and picked at run
//! time (AVX-512, AVX2+FMA, SSE4.2 or the baseline) by [`multiversion`], so a default
//! `cargo build --release` runs the vector code the CPU has without `-C target-cpu=native`.
//!
//! Closures passed in are inlined into each clone, so `map_in_place(xs, |v| v * v)` becomes a
//! vectorized loop for the CPU at hand.

pub(crate) mod aggregator;
pub(crate) mod counts;
#[cfg(feature = "linalg")]
pub(crate) mod linalg;
pub(crate) mod matmul;
pub(crate) mod prefix;
pub(crate) mod reducers;
pub(crate) mod rng;
pub(crate) mod select;
pub(crate) mod sort;

use std::ops::Range;

use multiversion::multiversion;

use crate::region::{c_strides, for_each_region_row, for_each_row, region_len};

/// `xs[i] = f(xs[i])`.
#[multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl+avx2+fma",
    "x86_64+avx2+fma",
    "x86_64+sse4.2",
    "aarch64+neon"
))]
pub(crate) fn map_in_place<T: Copy, F: Fn(T) -> T>(xs: &mut [T], f: &F) {
    for x in xs.iter_mut() {
        *x = f(*x);
    }
}

/// `out[i] = f(start + i * step)`: the kernel of position-defined sources (arange, linspace),
/// over a row (`step` 1) or a column of the source (a row of its transpose).
#[multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl+avx2+fma",
    "x86_64+avx2+fma",
    "x86_64+sse4.2",
    "aarch64+neon"
))]
pub(crate) fn from_positions<T, F: Fn(u64) -> T>(start: u64, step: u64, out: &mut [T], f: &F) {
    // Wrapping: the step past the last position may pass the end of the index space.
    let mut p = start;
    for o in out.iter_mut() {
        *o = f(p);
        p = p.wrapping_add(step);
    }
}

/// `out[i] = f(src[i])`.
#[multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl+avx2+fma",
    "x86_64+avx2+fma",
    "x86_64+sse4.2",
    "aarch64+neon"
))]
pub(crate) fn map_into<I: Copy, O, F: Fn(I) -> O>(src: &[I], out: &mut [O], f: &F) {
    for (o, &x) in out.iter_mut().zip(src) {
        *o = f(x);
    }
}

/// `out[i] = f(a[i], b[i])`.
#[multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl+avx2+fma",
    "x86_64+avx2+fma",
    "x86_64+sse4.2",
    "aarch64+neon"
))]
pub(crate) fn zip_into<A: Copy, B: Copy, O, F: Fn(A, B) -> O>(
    a: &[A],
    b: &[B],
    out: &mut [O],
    f: &F,
) {
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        *o = f(x, y);
    }
}

/// `out[i] = f(a[i], b[i], c[i])`.
#[multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl+avx2+fma",
    "x86_64+avx2+fma",
    "x86_64+sse4.2",
    "aarch64+neon"
))]
pub(crate) fn zip3_into<A: Copy, B: Copy, C: Copy, O, F: Fn(A, B, C) -> O>(
    a: &[A],
    b: &[B],
    c: &[C],
    out: &mut [O],
    f: &F,
) {
    for (((o, &x), &y), &z) in out.iter_mut().zip(a).zip(b).zip(c) {
        *o = f(x, y, z);
    }
}

/// Expands `src` (C order over a box whose strides, seen from the output box, are
/// `src_strides`: 0 on broadcast axes) into `out` (C order over `out_extents`).
pub(crate) fn expand<T: Copy>(
    src: &[T],
    out_extents: &[usize],
    src_strides: &[usize],
    out: &mut [T],
) {
    let len = out_extents.last().copied().unwrap_or(1);
    let last_stride = src_strides.last().copied().unwrap_or(1);
    for_each_row(out_extents, src_strides, 0, |row, off| {
        let o = &mut out[row * len..(row + 1) * len];
        if last_stride == 0 {
            o.fill(src[off]);
        } else {
            o.copy_from_slice(&src[off..off + len]);
        }
    });
}

/// Copies `region` of a C-order array (`src`, of `shape`) into `out`, C order.
pub(crate) fn gather<T: Copy>(src: &[T], shape: &[usize], region: &[Range<usize>], out: &mut [T]) {
    debug_assert_eq!(out.len(), region_len(region));
    for_each_region_row(shape, region, |row, off, len| {
        out[row * len..(row + 1) * len].copy_from_slice(&src[off..off + len]);
    });
}

/// Copies a C-order tile of `region` into a C-order array of `shape` starting at `dst`.
///
/// # Safety
/// `dst` must point to `shape.iter().product()` writable elements, and no other thread may write
/// the elements of `region` at the same time.
pub(crate) unsafe fn scatter<T: Copy>(
    tile: &[T],
    dst: *mut T,
    shape: &[usize],
    region: &[Range<usize>],
) {
    for_each_region_row(shape, region, |row, off, len| {
        // SAFETY: off + len is inside the array (region inside shape); the caller owns region.
        unsafe { std::ptr::copy_nonoverlapping(tile.as_ptr().add(row * len), dst.add(off), len) };
    });
}

/// Writes `sub` (C order over `sub_region`'s extents) into `out` (C order over `out_region`).
pub(crate) fn write_sub<T: Copy>(
    out: &mut [T],
    out_region: &[Range<usize>],
    sub_region: &[Range<usize>],
    sub: &[T],
) {
    let oext: Vec<usize> = out_region.iter().map(|r| r.len()).collect();
    let ostr = c_strides(&oext);
    let base: usize = sub_region
        .iter()
        .zip(out_region)
        .zip(&ostr)
        .map(|((s, o), st)| (s.start - o.start) * st)
        .sum();
    let sext: Vec<usize> = sub_region.iter().map(|r| r.len()).collect();
    let len = sext.last().copied().unwrap_or(1);
    for_each_row(&sext, &ostr, base, |row, off| {
        out[off..off + len].copy_from_slice(&sub[row * len..(row + 1) * len]);
    });
}

/// The machine's physical memory in bytes, read once (`None` where the platform does not tell):
/// what a plan's projection is held to when no `memory_limit` is set, and the most one result
/// may take.
pub(crate) fn physical_memory() -> Option<u64> {
    static BYTES: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
    *BYTES.get_or_init(|| {
        #[cfg(unix)]
        {
            // SAFETY: `sysconf` only reads system constants.
            let (pages, page) = unsafe {
                (
                    libc::sysconf(libc::_SC_PHYS_PAGES),
                    libc::sysconf(libc::_SC_PAGESIZE),
                )
            };
            let pages = u64::try_from(pages).ok().filter(|&p| p > 0)?;
            let page = u64::try_from(page).ok().filter(|&p| p > 0)?;
            Some(pages.saturating_mul(page))
        }
        #[cfg(not(unix))]
        {
            None
        }
    })
}

/// The layout of `shape`'s elements of `T` (`None` when it holds no bytes), or
/// [`Error::TooLarge`](crate::Error::TooLarge) when the size cannot be addressed or exceeds the
/// machine's memory: the checks of [`zeroed_vec`], for buffers that grow a reused vector
/// instead (an allocation past the machine's memory may succeed, the OS handing out pages
/// lazily, and end the process when it is filled).
pub(crate) fn checked_layout<T>(
    op: &str,
    shape: &[usize],
) -> crate::error::Result<Option<std::alloc::Layout>> {
    let len = crate::chunks::checked_bytes(op, shape, std::mem::size_of::<T>())?
        / std::mem::size_of::<T>().max(1);
    if len == 0 || std::mem::size_of::<T>() == 0 {
        return Ok(None);
    }
    let layout = std::alloc::Layout::array::<T>(len).map_err(|e| crate::Error::TooLarge {
        op: op.to_string(),
        shape: shape.to_vec(),
        reason: e.to_string(),
    })?;
    if let Some(m) = physical_memory().filter(|&m| layout.size() as u64 > m) {
        return Err(crate::Error::TooLarge {
            op: op.to_string(),
            shape: shape.to_vec(),
            reason: format!(
                "the {} bytes of the result exceed the machine's {m} bytes of memory",
                layout.size()
            ),
        });
    }
    Ok(Some(layout))
}

/// A vector of `shape`'s element count, all zero, for results (outputs, stage results, whole
/// chunks). The memory comes from `alloc_zeroed`, so the OS supplies zero pages lazily and no
/// pass is made over it here; a size that cannot be addressed or allocated, or that is larger
/// than the machine's memory, is [`Error::TooLarge`](crate::Error::TooLarge) instead of an
/// abort. Every vector whose size comes from the data (an aggregate's state: the bins of a
/// `bincount` or a histogram, the counts per chunk of a selection) is made here too.
pub(crate) fn zeroed_vec<T: crate::element::Element>(
    op: &str,
    shape: &[usize],
) -> crate::error::Result<Vec<T>> {
    let Some(layout) = checked_layout::<T>(op, shape)? else {
        return Ok(Vec::new());
    };
    let len = layout.size() / std::mem::size_of::<T>();
    // SAFETY: the layout has nonzero size (len > 0, T not zero-sized).
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) } as *mut T;
    if ptr.is_null() {
        return Err(crate::Error::TooLarge {
            op: op.to_string(),
            shape: shape.to_vec(),
            reason: format!(
                "the {} bytes of the result could not be allocated",
                layout.size()
            ),
        });
    }
    // SAFETY: `ptr` was allocated by the global allocator with the layout of `[T; len]`; every
    // element type is valid as all-zero bytes (0, 0.0, false); length equals capacity.
    Ok(unsafe { Vec::from_raw_parts(ptr, len, len) })
}

/// [`zeroed_vec`] made in `spare` when it has the room (cleared and zero-filled: no page
/// faults of a fresh allocation, for a block made in the buffer of the one it replaces), else a
/// fresh one, allocated after `spare` is let go so that the two are never held together.
pub(crate) fn zeroed_vec_reusing<T: crate::element::Element>(
    op: &str,
    shape: &[usize],
    mut spare: Vec<T>,
) -> crate::error::Result<Vec<T>> {
    let len = crate::chunks::checked_len(op, shape)?;
    if len > 0 && spare.capacity() >= len {
        spare.clear();
        spare.resize(len, T::ZERO);
        return Ok(spare);
    }
    drop(spare);
    zeroed_vec(op, shape)
}

/// A raw pointer that may cross threads; each task writes a disjoint region through it.
pub(crate) struct SendPtr<T>(pub(crate) *mut T);
unsafe impl<T> Send for SendPtr<T> {}
unsafe impl<T> Sync for SendPtr<T> {}
impl<T> SendPtr<T> {
    pub(crate) fn get(&self) -> *mut T {
        self.0
    }
}

/// Whether `region` is one contiguous run of a C-order array of `shape`, and if so its offset:
/// single indices on the leading axes, then one partial axis, then whole axes.
pub(crate) fn contiguous_offset(shape: &[usize], region: &[Range<usize>]) -> Option<usize> {
    let n = shape.len();
    let mut k = n;
    // Whole trailing axes.
    while k > 0 && region[k - 1].start == 0 && region[k - 1].end == shape[k - 1] {
        k -= 1;
    }
    // Axis k-1 may be partial; everything before it must be a single index.
    if k >= 2 && region[..k - 1].iter().any(|r| r.len() != 1) {
        return None;
    }
    let strides = c_strides(shape);
    Some(region.iter().zip(&strides).map(|(r, s)| r.start * s).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contiguity() {
        assert_eq!(contiguous_offset(&[4, 5], &[1..2, 0..5]), Some(5));
        assert_eq!(contiguous_offset(&[4, 5], &[1..3, 0..5]), Some(5));
        assert_eq!(contiguous_offset(&[4, 5], &[1..3, 0..4]), None);
        assert_eq!(contiguous_offset(&[4, 5], &[2..3, 1..4]), Some(11));
        assert_eq!(contiguous_offset(&[], &[]), Some(0));
    }

    #[test]
    fn expand_broadcasts_rows_and_columns() {
        // src is a column [1, 2] broadcast over 3 columns.
        let mut out = [0; 6];
        expand(&[1, 2], &[2, 3], &[1, 0], &mut out);
        assert_eq!(out, [1, 1, 1, 2, 2, 2]);
        // src is a row [1, 2, 3] broadcast over 2 rows.
        expand(&[1, 2, 3], &[2, 3], &[0, 1], &mut out);
        assert_eq!(out, [1, 2, 3, 1, 2, 3]);
    }
}
