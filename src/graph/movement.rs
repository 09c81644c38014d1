//! Movement nodes: permute (transpose), axis maps (squeeze, expand_dims), broadcast_to, slicing,
//! concatenation and reshape. Each maps a region of its output to regions of its input, so a
//! slice or a transpose of a source asks the source for just the elements it needs (pushdown by
//! construction: `arange(1e9).slice(s![..10])` touches ten elements).

use std::ops::Range;
use std::sync::Arc;

use smallvec::SmallVec;

use super::elementwise::fetch;
use super::{pull, pull_whole, Expr, Meta, Node, OpKind, TaskCx};
use crate::chunks::{AxisChunks, Chunks, LISTED_BLOCKS};
use crate::element::Element;
use crate::error::Result;
use crate::kernels::write_sub;
use crate::region::{c_strides, for_each_row_signed, region_len, Region};

/// Largest chunk a permute caches per worker (elements); larger chunks are read tile by tile.
const PERMUTE_CACHE_LEN: usize = 8 << 20;

/// Bytes of transposed chunks a permute keeps per worker: a row of output tiles crosses every
/// chunk along the output's last axis, so it keeps that many when they fit.
const PERMUTE_CACHE_BYTES: usize = 128 << 20;

/// Elements of a transpose's panel ([`Permute`] of an input that reads any box cheaply): two
/// of them, the input box and the panel transposed from it, stay in a core's L2 cache.
const PANEL_LEN: usize = 1 << 15;

/// Least extent of a panel along the output axis that is the input's last: the input box is
/// read in runs at least this long (two cache lines of `f64`). Shallower panels are wider: at
/// 16 deep a panel is 2048 wide, so a reduction's leaf (a run of 2048 along the last axis) is
/// served from one panel; 64 deep was 10% slower on the Dask docs example.
const PANEL_DEPTH: usize = 16;

/// Panels a transpose keeps per worker: those a tile spans (a tile of a reduction's leaves is
/// a run of up to `TILE_LEN` along the output's last axis), and the next ones.
const PANEL_KEEP: usize = crate::region::TILE_LEN / (PANEL_LEN / PANEL_DEPTH) + 2;

fn exts(r: &[Range<usize>]) -> SmallVec<[usize; 6]> {
    r.iter().map(|x| x.len()).collect()
}

/// `out` (C order over `out_ext`) from `src` read with signed strides from `base`.
fn strided_copy<T: Copy>(
    src: &[T],
    base: isize,
    strides: &[isize],
    out_ext: &[usize],
    out: &mut [T],
) {
    let len = out_ext.last().copied().unwrap_or(1);
    let last = strides.last().copied().unwrap_or(1);
    for_each_row_signed(out_ext, strides, base, |row, off| {
        let o = &mut out[row * len..(row + 1) * len];
        if last == 1 {
            o.copy_from_slice(&src[off as usize..off as usize + len]);
        } else {
            for (i, v) in o.iter_mut().enumerate() {
                *v = src[(off + i as isize * last) as usize];
            }
        }
    });
}

/// When reading `out` (C order over `out_ext`) with `strides` from a source of as many
/// elements is a plain 2-D transpose, the source's row length and row count: the output's
/// axes of extent above 1, once runs contiguous in the source are merged, are two, the inner
/// one crossing the source's rows and the outer one walking along them.
fn as_2d_transpose(out_ext: &[usize], strides: &[isize]) -> Option<(usize, usize)> {
    // (extent, stride) of the output's axes, outer first, merged where contiguous.
    let mut axes: SmallVec<[(usize, isize); 6]> = SmallVec::new();
    for (&e, &s) in out_ext.iter().zip(strides) {
        if e == 1 {
            continue;
        }
        match axes.last_mut() {
            Some((pe, ps)) if *ps == s * e as isize => {
                *pe *= e;
                *ps = s;
            }
            _ => axes.push((e, s)),
        }
    }
    match axes[..] {
        // out[i][j] = src[j * height.. + i]: the source is `outer` wide and `inner` tall.
        [(outer, 1), (inner, s)] if s == outer as isize => Some((outer, inner)),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------

/// Output axis `d` is input axis `perm[d]`.
pub(crate) struct Permute<T: Element> {
    meta: Meta,
    input: Arc<dyn Expr<T>>,
    perm: Vec<usize>,
    /// The output axis that is the input's last, and the grid of panels, when the input reads
    /// any box cheaply and the transpose moves its last axis ([`panel_grid`]).
    panels: Option<(usize, Chunks)>,
    /// Whether the input reads its transposed boxes itself ([`Node::reads_permuted`]): then
    /// nothing is transposed or cached here.
    direct: bool,
}

/// The panels of a transpose with output `shape` whose output axis `deep` is the input's last:
/// boxes of about [`PANEL_LEN`] elements, at least [`PANEL_DEPTH`] deep along `deep` and as
/// long as fits along the output's last axes (a tile's runs), so that a panel is one read of
/// the input in runs of its depth and the tiles of the output that cross it are served from it.
fn panel_grid(shape: &[usize], deep: usize) -> Chunks {
    let mut ext = vec![1usize; shape.len()];
    let mut budget = PANEL_LEN / PANEL_DEPTH;
    for d in (0..shape.len()).rev().filter(|&d| d != deep) {
        ext[d] = shape[d].clamp(1, budget.max(1));
        budget /= ext[d];
    }
    let across: usize = ext.iter().product();
    ext[deep] = (PANEL_LEN / across).max(PANEL_DEPTH);
    Chunks::from_axes(
        shape
            .iter()
            .zip(&ext)
            .map(|(&n, &e)| AxisChunks::regular(n, e))
            .collect(),
    )
}

impl<T: Element> Permute<T> {
    pub(crate) fn new(input: Arc<dyn Expr<T>>, perm: Vec<usize>) -> Self {
        let m = input.meta();
        let shape: Vec<usize> = perm.iter().map(|&p| m.shape[p]).collect();
        let chunks = Chunks::from_axes(perm.iter().map(|&p| m.chunks.axis(p).clone()).collect());
        let last = perm.len().saturating_sub(1);
        let deep = perm.iter().position(|&p| p == last);
        let size = crate::region::saturating_len(&shape);
        // Panels pay when the input's last axis moves before an output axis longer than 1:
        // otherwise its runs are the output's rows (a transpose of a column is a copy).
        let moves_last =
            |d: usize| shape[d] > 1 && shape[d + 1..].iter().any(|&n| n > 1) && size > 0;
        let direct = size > 0 && input.reads_permuted();
        let panels = match deep {
            Some(d) if !direct && moves_last(d) && input.any_box() => {
                Some((d, panel_grid(&shape, d)))
            }
            _ => None,
        };
        Permute {
            meta: Meta::new(
                format!("transpose{perm:?}"),
                OpKind::Movement,
                T::DTYPE,
                shape,
                chunks,
            ),
            input,
            perm,
            panels,
            direct,
        }
    }

    fn in_region(&self, out: &[Range<usize>]) -> Region {
        super::unpermuted(&self.perm, out)
    }

    /// Copies the input box of `out_region` (C order in input axes) into `out` (output axes).
    fn permute_into(
        &self,
        src: &[T],
        src_region: &[Range<usize>],
        out_region: &[Range<usize>],
        out: &mut [T],
    ) {
        let sstr = c_strides(&exts(src_region));
        let strides: SmallVec<[isize; 6]> = self.perm.iter().map(|&p| sstr[p] as isize).collect();
        let base: usize = self
            .perm
            .iter()
            .enumerate()
            .map(|(d, &p)| (out_region[d].start - src_region[p].start) * sstr[p])
            .sum();
        let out_ext = exts(out_region);
        if base == 0
            && src.len() == out.len()
            && let Some((width, height)) = as_2d_transpose(&out_ext, &strides)
        {
            transpose::transpose(src, out, width, height);
            return;
        }
        strided_copy(src, base as isize, &strides, &out_ext, out);
    }
}

impl<T: Element> Node for Permute<T> {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    super::typed_as!(T);
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        vec![self.input.clone()]
    }
    fn reads_permuted(&self) -> bool {
        self.direct
    }
    fn cached_blocks(
        &self,
        results: &super::Results,
        region: &[Range<usize>],
        out: &mut Vec<super::shared_blocks::BlockKey>,
    ) -> bool {
        if results.value(self.meta.id).is_some() {
            return true;
        }
        if self.panels.is_some() || self.keep() == 0 {
            // Panels are the worker's own, made from an input that caches nothing.
            return self
                .input
                .cached_blocks(results, &self.in_region(region), out);
        }
        // Its chunks are made whole, transposed from the input's.
        super::blockwise::push_overlapped(self.meta.id, &self.meta.chunks, region, out);
        true
    }
    fn input_reads(&self) -> super::InputReads {
        // A permutation reads as many positions as it is asked for (panels and whole chunks
        // are read a tile at a time).
        super::InputReads::Own
    }
    fn cache_bytes(&self, pass: &super::PassBlocks) -> usize {
        if let Some((_, grid)) = &self.panels {
            // The panels kept, and the input box a new one is transposed from.
            return (PANEL_KEEP + 1)
                .saturating_mul(grid.max_chunk_len())
                .saturating_mul(T::DTYPE.size());
        }
        // The chunks kept, and the input chunk a new one is transposed from.
        let (keep, len) = self.kept_blocks(pass).unwrap_or_default();
        (keep + usize::from(keep > 0))
            .saturating_mul(len)
            .saturating_mul(T::DTYPE.size())
    }
    fn kept_blocks(&self, pass: &super::PassBlocks) -> Option<(usize, usize)> {
        // Panels are few and small (`PANEL_KEEP`), counted in `cache_bytes`.
        let keep = self.keep();
        let grid = &self.meta.chunks;
        (self.panels.is_none() && keep > 0).then(|| (pass.kept(keep, grid), grid.max_chunk_len()))
    }
}

impl<T: Element> Permute<T> {
    /// Transposed chunks kept per worker: those along the output's last axis, within
    /// [`PERMUTE_CACHE_BYTES`]; 0 when chunks are too large to cache.
    fn keep(&self) -> usize {
        if self.panels.is_some() || self.direct {
            return 0;
        }
        let n = self.meta.chunks.max_chunk_len();
        if n > PERMUTE_CACHE_LEN || self.meta.size() == 0 {
            return 0;
        }
        let across = self.meta.chunks.axes().last().map_or(1, |a| a.len());
        let fit = PERMUTE_CACHE_BYTES / n.saturating_mul(T::DTYPE.size()).max(1);
        across.min(fit).max(1)
    }
}

impl<T: Element> Expr<T> for Permute<T> {
    fn fill(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>], out: &mut [T]) -> Result<()> {
        // An input computed from positions (uniform random values, `full`, index grids, and
        // their maps and casts over same-shape operands or single values) reads the transposed
        // box itself: each row is a run of positions with a stride.
        if self.direct && super::pull_permuted(cx, &*self.input, &self.perm, region, out)? {
            return Ok(());
        }
        // Another input that reads any box cheaply (an array in memory, a broadcasting map of
        // random values) is read a panel at a time: a box of the input in runs of the panel's
        // depth, about 32768 elements, transposed in cache and kept while the tiles that cross
        // it are served. Only a few panels per worker are held, whatever the chunks. A read at
        // least a panel deep (a column of the output, sliced) reads runs that long itself: it
        // is read directly, rather than through panels it would use a sliver of.
        if let Some((deep, grid)) = &self.panels
            && region[*deep].len() < PANEL_DEPTH
        {
            let input = self.input.clone();
            return super::blockwise::fill_from_blocks_reusing(
                cx,
                self.meta.id,
                grid,
                PANEL_KEEP,
                region,
                out,
                true,
                |cx, _, panel, mut t| {
                    let in_box = self.in_region(panel);
                    let mut values = cx.take::<T>(crate::region::region_len(&in_box));
                    let r = super::pull_box(cx, &*input, &in_box, &mut values);
                    if r.is_ok() {
                        t.resize(crate::region::region_len(panel), T::ZERO);
                        self.permute_into(&values, &in_box, panel, &mut t);
                    }
                    cx.give(values);
                    r.map(|()| t)
                },
            );
        }
        // A transposed tile reads a thin, tall box of the input, which row-major sources (random
        // streams) produce slowly. So each worker fills whole input chunks, read in the input's
        // own tile order, transposes each once and serves the output's tiles from them, keeping
        // the chunks a row of tiles crosses (a reduction's tiles follow the shape, not the
        // chunks, and its consecutive tasks on a worker read the same chunks).
        let keep = self.keep();
        if keep > 0 {
            let input = self.input.clone();
            return super::blockwise::fill_from_blocks(
                cx,
                self.meta.id,
                &self.meta.chunks,
                keep,
                region,
                out,
                |cx, _, chunk| {
                    let in_chunk = self.in_region(chunk);
                    let values = pull_whole(cx, &*input, &in_chunk)?;
                    let mut t = crate::kernels::zeroed_vec::<T>(&self.meta.name, &exts(chunk))?;
                    self.permute_into(&values, &in_chunk, chunk, &mut t);
                    Ok(t)
                },
            );
        }
        let in_region = self.in_region(region);
        let mut buf = cx.take::<T>(out.len());
        let r = pull(cx, &*self.input, &in_region, &mut buf);
        if r.is_ok() {
            self.permute_into(&buf, &in_region, region, out);
        }
        cx.give(buf);
        r
    }
    fn fill_permuted(
        &self,
        cx: &mut TaskCx<'_>,
        perm: &[usize],
        region: &[Range<usize>],
        out: &mut [T],
    ) -> Result<bool> {
        // A transpose of this transpose: output axis `d` is input axis `self.perm[perm[d]]`.
        let both: SmallVec<[usize; 6]> = perm.iter().map(|&p| self.perm[p]).collect();
        super::pull_permuted(cx, &*self.input, &both, region, out)
    }
}

// ---------------------------------------------------------------------------------------------

/// Inserts and removes axes of extent 1 (expand_dims, squeeze): the C-order buffer is the same.
pub(crate) struct AxisMap<T: Element> {
    meta: Meta,
    input: Arc<dyn Expr<T>>,
    /// For each output axis, the input axis it is (None: a new axis of extent 1).
    out_to_in: Vec<Option<usize>>,
}

impl<T: Element> AxisMap<T> {
    pub(crate) fn new(
        name: String,
        input: Arc<dyn Expr<T>>,
        out_to_in: Vec<Option<usize>>,
    ) -> Self {
        let m = input.meta();
        let shape = out_to_in
            .iter()
            .map(|a| a.map_or(1, |i| m.shape[i]))
            .collect();
        let chunks = Chunks::from_axes(
            out_to_in
                .iter()
                .map(|a| a.map_or_else(|| AxisChunks::single(1), |i| m.chunks.axis(i).clone()))
                .collect(),
        );
        AxisMap {
            meta: Meta::new(name, OpKind::Movement, T::DTYPE, shape, chunks),
            input,
            out_to_in,
        }
    }
}

impl<T: Element> Node for AxisMap<T> {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    super::typed_as!(T);
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        vec![self.input.clone()]
    }
}

impl<T: Element> Expr<T> for AxisMap<T> {
    fn fill(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>], out: &mut [T]) -> Result<()> {
        let n = self.input.meta().shape.len();
        // Removed input axes have extent 1: their range is 0..1.
        let mut r: Region = (0..n).map(|_| 0..1).collect();
        for (d, a) in self.out_to_in.iter().enumerate() {
            if let Some(i) = a {
                r[*i] = region[d].clone();
            }
        }
        pull(cx, &*self.input, &r, out)
    }
}

// ---------------------------------------------------------------------------------------------

/// NumPy's `broadcast_to`.
pub(crate) struct BroadcastTo<T: Element> {
    meta: Meta,
    input: Arc<dyn Expr<T>>,
}

impl<T: Element> BroadcastTo<T> {
    pub(crate) fn new(input: Arc<dyn Expr<T>>, shape: Vec<usize>) -> Self {
        let m = input.meta();
        let auto = Chunks::auto(&shape, T::DTYPE.size());
        let lead = shape.len() - m.shape.len();
        let axes = (0..shape.len())
            .map(|d| {
                if d >= lead && m.shape[d - lead] == shape[d] {
                    m.chunks.axis(d - lead).clone()
                } else {
                    auto.axis(d).clone()
                }
            })
            .collect();
        BroadcastTo {
            meta: Meta::new(
                format!("broadcast_to{shape:?}"),
                OpKind::Movement,
                T::DTYPE,
                shape,
                Chunks::from_axes(axes),
            ),
            input,
        }
    }
}

impl<T: Element> Node for BroadcastTo<T> {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    super::typed_as!(T);
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        vec![self.input.clone()]
    }
}

impl<T: Element> Expr<T> for BroadcastTo<T> {
    fn fill(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>], out: &mut [T]) -> Result<()> {
        fetch(cx, &*self.input, &self.meta.shape, region, out)
    }
}

// ---------------------------------------------------------------------------------------------

/// How one output axis of a slice reads its input.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SliceAxis {
    /// Output index `i` is input index `first + i * step` of input axis `axis`.
    Strided {
        axis: usize,
        first: usize,
        step: isize,
        len: usize,
    },
    /// A new axis of extent 1.
    New,
}

/// Input index of output index `i` of a strided axis: `first + i * step`. The caller keeps `i`
/// inside the axis's length, so the result is an index of the input (no overflow).
fn strided_index(first: usize, step: isize, i: usize) -> usize {
    (first as i128 + i as i128 * step as i128) as usize
}

/// The output grid of a strided slice of `input`. Steps of +-1 keep the input's block
/// boundaries (Dask's rule), in O(1) for regular grids. Larger steps group the output by input
/// block (Dask's rule) when the slice spans at most [`LISTED_BLOCKS`] input blocks; past that
/// they give regular blocks of the largest input block divided by the step, so a strided view
/// of any size builds in O(1).
fn strided_blocks(input: &AxisChunks, first: usize, step: isize, len: usize) -> AxisChunks {
    if len == 0 {
        return AxisChunks::single(0);
    }
    let last = strided_index(first, step, len - 1);
    match step {
        1 => input.sub(first, first + len),
        -1 => input.sub(last, first + 1).reversed(),
        _ => {
            let (lo, hi) = (first.min(last), first.max(last));
            let span = input.overlapping(&(lo..hi + 1));
            if span.len() > LISTED_BLOCKS {
                let size = (input.max() / step.unsigned_abs()).max(1);
                return AxisChunks::regular(len, size);
            }
            let mut blocks: Vec<Range<usize>> = span.map(|k| input.range(k)).collect();
            if step < 0 {
                blocks.reverse();
            }
            // Output indices whose input index falls in each block, in output order.
            let (f, s) = (first as i128, step as i128);
            let sizes: Vec<usize> = blocks
                .iter()
                .map(|b| {
                    let (bs, be) = (b.start as i128, b.end as i128);
                    let (i0, i1) = if s > 0 {
                        (div_ceil(bs - f, s), div_ceil(be - f, s))
                    } else {
                        (div_floor(f - be, -s) + 1, div_floor(f - bs, -s) + 1)
                    };
                    (i1.min(len as i128) - i0.max(0)).max(0) as usize
                })
                .filter(|&n| n > 0)
                .collect();
            AxisChunks::from_sizes(&sizes)
        }
    }
}

fn div_floor(a: i128, b: i128) -> i128 {
    a.div_euclid(b)
}

fn div_ceil(a: i128, b: i128) -> i128 {
    -((-a).div_euclid(b))
}

/// Slicing: ranges with steps (negative ones reverse), single indices (the axis goes), new axes.
pub(crate) struct Slice<T: Element> {
    meta: Meta,
    input: Arc<dyn Expr<T>>,
    axes: Vec<SliceAxis>,
    /// Input axes fixed by a single index.
    fixed: Vec<(usize, usize)>,
}

impl<T: Element> Slice<T> {
    pub(crate) fn new(
        name: String,
        input: Arc<dyn Expr<T>>,
        axes: Vec<SliceAxis>,
        fixed: Vec<(usize, usize)>,
    ) -> Self {
        let m = input.meta();
        let mut shape = Vec::new();
        let mut grid = Vec::new();
        for a in &axes {
            match *a {
                SliceAxis::New => {
                    shape.push(1);
                    grid.push(AxisChunks::single(1));
                }
                SliceAxis::Strided {
                    axis,
                    first,
                    step,
                    len,
                } => {
                    shape.push(len);
                    grid.push(strided_blocks(m.chunks.axis(axis), first, step, len));
                }
            }
        }
        Slice {
            meta: Meta::new(
                name,
                OpKind::Movement,
                T::DTYPE,
                shape,
                Chunks::from_axes(grid),
            ),
            input,
            axes,
            fixed,
        }
    }
}

impl<T: Element> Node for Slice<T> {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    super::typed_as!(T);
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        vec![self.input.clone()]
    }
}

impl<T: Element> Expr<T> for Slice<T> {
    fn fill(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>], out: &mut [T]) -> Result<()> {
        // An axis with |step| > 1 and several indices in the tile is read one index at a time,
        // so a sparse slice never reads what it skips.
        if out.is_empty() {
            return Ok(());
        }
        let split = self.axes.iter().enumerate().find_map(|(d, a)| match a {
            SliceAxis::Strided { step, .. } if step.unsigned_abs() > 1 && region[d].len() > 1 => {
                Some(d)
            }
            _ => None,
        });
        if let Some(d) = split {
            let mut sub: Region = region.iter().cloned().collect();
            let sub_len = region_len(region) / region[d].len();
            let mut buf = cx.take::<T>(sub_len);
            for i in region[d].clone() {
                sub[d] = i..i + 1;
                if let Err(e) = self.fill(cx, &sub, &mut buf) {
                    cx.give(buf);
                    return Err(e);
                }
                write_sub(out, region, &sub, &buf);
            }
            cx.give(buf);
            return Ok(());
        }
        // Every axis is now contiguous (step +-1, or one index): read one box of the input.
        let in_shape = &self.input.meta().shape;
        let mut in_region: Region = (0..in_shape.len()).map(|_| 0..0).collect();
        for &(axis, idx) in &self.fixed {
            in_region[axis] = idx..idx + 1;
        }
        let mut reversed: SmallVec<[(usize, usize); 6]> = SmallVec::new(); // (input axis, output axis)
        for (d, a) in self.axes.iter().enumerate() {
            if let SliceAxis::Strided {
                axis, first, step, ..
            } = *a
            {
                let lo = strided_index(first, step, region[d].start);
                let hi = strided_index(first, step, region[d].end - 1);
                in_region[axis] = lo.min(hi)..lo.max(hi) + 1;
                if step < 0 && region[d].len() > 1 {
                    reversed.push((axis, d));
                }
            }
        }
        if reversed.is_empty() {
            // Same elements in the same C order (new and fixed axes have extent 1).
            return pull(cx, &*self.input, &in_region, out);
        }
        let mut buf = cx.take::<T>(out.len());
        let r = pull(cx, &*self.input, &in_region, &mut buf);
        if r.is_ok() {
            let istr = c_strides(&exts(&in_region));
            let mut strides: SmallVec<[isize; 6]> = SmallVec::from_elem(0, region.len());
            let mut base = 0isize;
            for (d, a) in self.axes.iter().enumerate() {
                if let SliceAxis::Strided { axis, .. } = *a {
                    let s = istr[axis] as isize;
                    if reversed.iter().any(|&(_, od)| od == d) {
                        strides[d] = -s;
                        base += (in_region[axis].len() as isize - 1) * s;
                    } else {
                        strides[d] = s;
                    }
                }
            }
            strided_copy(&buf, base, &strides, &exts(region), out);
        }
        cx.give(buf);
        r
    }
}

// ---------------------------------------------------------------------------------------------

/// Joins arrays along an existing axis.
pub(crate) struct Concat<T: Element> {
    meta: Meta,
    inputs: Vec<Arc<dyn Expr<T>>>,
    axis: usize,
    offsets: Vec<usize>,
}

impl<T: Element> Concat<T> {
    /// Shapes must agree off `axis` (the API checks).
    pub(crate) fn new(inputs: Vec<Arc<dyn Expr<T>>>, axis: usize) -> Self {
        let first = inputs[0].meta();
        let mut shape = first.shape.clone();
        let mut offsets = vec![0];
        let mut axes: Vec<AxisChunks> = first.chunks.axes().to_vec();
        for i in &inputs {
            // Saturates only past MAX_ELEMENTS, which Meta::new then refuses.
            let end: usize = *offsets.last().expect("starts with 0");
            offsets.push(end.saturating_add(i.meta().shape[axis]));
        }
        shape[axis] = *offsets.last().expect("one per input");
        let pieces: Vec<&AxisChunks> = inputs.iter().map(|i| i.meta().chunks.axis(axis)).collect();
        axes[axis] = AxisChunks::concat(&pieces, LISTED_BLOCKS);
        Concat {
            meta: Meta::new(
                format!("concatenate(axis={axis})"),
                OpKind::Movement,
                T::DTYPE,
                shape,
                Chunks::from_axes(axes),
            ),
            inputs,
            axis,
            offsets,
        }
    }
}

impl<T: Element> Node for Concat<T> {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    super::typed_as!(T);
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        self.inputs
            .iter()
            .map(|i| i.clone() as Arc<dyn Node>)
            .collect()
    }
}

impl<T: Element> Expr<T> for Concat<T> {
    fn fill(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>], out: &mut [T]) -> Result<()> {
        let a = self.axis;
        let parts: Vec<usize> = (0..self.inputs.len())
            .filter(|&k| {
                self.offsets[k] < region[a].end
                    && self.offsets[k + 1] > region[a].start
                    && self.offsets[k + 1] > self.offsets[k]
            })
            .collect();
        for k in parts {
            let (lo, hi) = (self.offsets[k], self.offsets[k + 1]);
            let mut sub: Region = region.iter().cloned().collect();
            sub[a] = region[a].start.max(lo)..region[a].end.min(hi);
            let mut local = sub.clone();
            local[a] = sub[a].start - lo..sub[a].end - lo;
            if sub[a] == region[a] {
                return pull(cx, &*self.inputs[k], &local, out);
            }
            let mut buf = cx.take::<T>(region_len(&sub));
            let r = pull(cx, &*self.inputs[k], &local, &mut buf);
            if r.is_ok() {
                write_sub(out, region, &sub, &buf);
            }
            cx.give(buf);
            r?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------

/// NumPy's C-order `reshape`: the same elements in the same flat order, under a new shape.
pub(crate) struct Reshape<T: Element> {
    meta: Meta,
    input: Arc<dyn Expr<T>>,
}

impl<T: Element> Reshape<T> {
    pub(crate) fn new(input: Arc<dyn Expr<T>>, shape: Vec<usize>) -> Self {
        let chunks = Chunks::auto(&shape, T::DTYPE.size());
        Reshape {
            meta: Meta::new(
                format!("reshape{shape:?}"),
                OpKind::Movement,
                T::DTYPE,
                shape,
                chunks,
            ),
            input,
        }
    }
}

impl<T: Element> Node for Reshape<T> {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    super::typed_as!(T);
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        vec![self.input.clone()]
    }
}

impl<T: Element> Expr<T> for Reshape<T> {
    fn fill(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>], out: &mut [T]) -> Result<()> {
        // Each output row is a run of flat positions; it is read as the input row segments that
        // hold those positions.
        let in_shape = self.input.meta().shape.clone();
        let in_str = c_strides(&in_shape);
        let out_str = c_strides(&self.meta.shape);
        let len = region.last().map_or(1, |r| r.len());
        let base: usize = region.iter().zip(&out_str).map(|(r, s)| r.start * s).sum();
        let mut runs: Vec<(usize, usize)> = Vec::new(); // (flat start, out offset)
        crate::region::for_each_row(&exts(region), &out_str, base, |row, flat| {
            runs.push((flat, row * len))
        });
        let in_last = in_shape.last().copied().unwrap_or(1);
        for (flat, at) in runs {
            let mut done = 0;
            while done < len {
                let p = flat + done;
                let seg = (in_last - p % in_last).min(len - done);
                let r: Region = in_shape
                    .iter()
                    .zip(&in_str)
                    .enumerate()
                    .map(|(d, (&n, &s))| {
                        let i = (p / s) % n.max(1);
                        if d + 1 == in_shape.len() {
                            i..i + seg
                        } else {
                            i..i + 1
                        }
                    })
                    .collect();
                pull(cx, &*self.input, &r, &mut out[at + done..at + done + seg])?;
                done += seg;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------

/// Integer-array indexing along one axis (NumPy's `take`): output position `i` along `axis` is
/// input position `indices[i]`. A region reads each run of consecutive indices as one box.
pub(crate) struct Take<T: Element> {
    meta: Meta,
    input: Arc<dyn Expr<T>>,
    axis: usize,
    /// In range (the API checks).
    indices: Arc<[usize]>,
}

impl<T: Element> Take<T> {
    pub(crate) fn new(input: Arc<dyn Expr<T>>, axis: usize, indices: Vec<usize>) -> Self {
        let m = input.meta();
        let mut shape = m.shape.clone();
        shape[axis] = indices.len();
        let mut axes: Vec<AxisChunks> = m.chunks.axes().to_vec();
        // Blocks of the input's largest block along the axis.
        axes[axis] = AxisChunks::regular(indices.len(), m.chunks.axis(axis).max().max(1));
        let error = m.error.clone();
        Take {
            meta: Meta::new(
                format!("take(axis={axis}, {} indices)", indices.len()),
                OpKind::Movement,
                T::DTYPE,
                shape,
                Chunks::from_axes(axes),
            )
            .with_error(error),
            input,
            axis,
            indices: indices.into(),
        }
    }
}

impl<T: Element> Node for Take<T> {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    super::typed_as!(T);
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        vec![self.input.clone()]
    }
}

impl<T: Element> Expr<T> for Take<T> {
    fn fill(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>], out: &mut [T]) -> Result<()> {
        let a = self.axis;
        let idx = &self.indices[region[a].clone()];
        let mut i = 0;
        while i < idx.len() {
            // A run of consecutive input positions.
            let mut j = i + 1;
            while j < idx.len() && idx[j] == idx[j - 1] + 1 {
                j += 1;
            }
            let mut local: Region = region.iter().cloned().collect();
            local[a] = idx[i]..idx[i] + (j - i);
            if j - i == idx.len() {
                return pull(cx, &*self.input, &local, out);
            }
            let mut sub: Region = region.iter().cloned().collect();
            sub[a] = region[a].start + i..region[a].start + j;
            let mut buf = cx.take::<T>(region_len(&sub));
            let r = pull(cx, &*self.input, &local, &mut buf);
            if r.is_ok() {
                write_sub(out, region, &sub, &buf);
            }
            cx.give(buf);
            r?;
            i = j;
        }
        Ok(())
    }
}
