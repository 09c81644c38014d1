//! Elementwise nodes: unary (in place or converting), binary and ternary over NumPy-broadcast
//! inputs. Each fills a tile by asking its inputs for the same tile, then runs one loop.

use std::marker::PhantomData;
use std::ops::Range;
use std::sync::Arc;

use smallvec::SmallVec;

use super::{borrowed, pull, Expr, Meta, Node, OpKind, TaskCx};
use crate::chunks::{broadcast_shapes, unify_chunks, Chunks};
use crate::element::Element;
use crate::error::{Error, Result};
use crate::kernels;
use crate::region::{c_strides, region_len, Region, TILE_LEN};

/// Shape, chunks and error of an elementwise node over `inputs`.
fn broadcast_meta(name: &str, dtype: crate::element::DType, inputs: &[&Meta]) -> Meta {
    let mut shape = inputs[0].shape.clone();
    let mut error: Option<Error> = None;
    for m in &inputs[1..] {
        match broadcast_shapes(name, &shape, &m.shape) {
            Ok(s) => shape = s,
            Err(e) => {
                error.get_or_insert(e);
            }
        }
    }
    let chunks = if error.is_some() {
        Chunks::single(&shape)
    } else {
        let parts: Vec<(&[usize], &Chunks)> = inputs
            .iter()
            .map(|m| (m.shape.as_slice(), &m.chunks))
            .collect();
        unify_chunks(&shape, &parts)
    };
    Meta::new(name, OpKind::Elementwise, dtype, shape, chunks).with_error(error)
}

/// The box of an input of `in_shape` that `region` of its broadcast to `out_shape` reads, and
/// the strides that lay the box out over `region` (0 along the axes it is broadcast over).
fn broadcast_box(
    in_shape: &[usize],
    out_shape: &[usize],
    region: &[Range<usize>],
) -> (Region, SmallVec<[usize; 6]>) {
    let lead = out_shape.len() - in_shape.len();
    let in_region: Region = in_shape
        .iter()
        .enumerate()
        .map(|(d, &n)| {
            if n == 1 && out_shape[d + lead] != 1 {
                0..1
            } else {
                region[d + lead].clone()
            }
        })
        .collect();
    let in_ext: SmallVec<[usize; 6]> = in_region.iter().map(|r| r.len()).collect();
    let cs = c_strides(&in_ext);
    let strides = (0..out_shape.len())
        .map(|od| {
            if od < lead {
                0
            } else {
                let d = od - lead;
                if in_shape[d] == 1 && out_shape[od] != 1 {
                    0
                } else {
                    cs[d]
                }
            }
        })
        .collect();
    (in_region, strides)
}

/// The values of box `in_region` of a broadcast input, where they lie in memory (a result, a
/// held box, an in-memory array's run), after holding the box for the task when they do not
/// ([`TaskCx::hold_tile`]): the tiles after this one along the axes the input is broadcast
/// over read the same box (a reduction's leaves of the Dask docs example's `x - x.mean(0)` are
/// rows of 2000 in a cell of 2000 rows: each row read the same 2000 means, and made them
/// again), so the box, a tile at most, is made once per run of such tiles. `None` when it is
/// not held (larger than a tile, or too many held).
fn broadcast_values<'c, T: Element>(
    cx: &'c mut TaskCx<'_>,
    input: &'c dyn Expr<T>,
    in_region: &[Range<usize>],
) -> Result<Option<&'c [T]>> {
    if borrowed(cx, input, in_region).is_none() && (1..=TILE_LEN).contains(&region_len(in_region)) {
        cx.hold_tile(input, in_region)?;
    }
    Ok(borrowed(cx, input, in_region))
}

/// Fills `buf` with the values of `input` broadcast to `out_shape` over `region`.
pub(crate) fn fetch<T: Element>(
    cx: &mut TaskCx<'_>,
    input: &dyn Expr<T>,
    out_shape: &[usize],
    region: &[Range<usize>],
    buf: &mut [T],
) -> Result<()> {
    let in_shape = &input.meta().shape;
    if in_shape.as_slice() == out_shape {
        return pull(cx, input, region, buf);
    }
    let (in_region, strides) = broadcast_box(in_shape, out_shape, region);
    let out_ext: SmallVec<[usize; 6]> = region.iter().map(|r| r.len()).collect();
    if let Some(vals) = broadcast_values(cx, input, &in_region)? {
        kernels::expand(vals, &out_ext, &strides, buf);
        return Ok(());
    }
    let mut tmp = cx.take::<T>(region_len(&in_region));
    let r = pull(cx, input, &in_region, &mut tmp);
    if r.is_ok() {
        kernels::expand(&tmp, &out_ext, &strides, buf);
    }
    cx.give(tmp);
    r
}

/// The values [`fetch`] would write, in memory already in the order it would write them: an
/// input of `out_shape`, or one broadcast only along axes that `region` takes one position of,
/// whose box is a result, held ([`broadcast_values`]) or an in-memory array's run. `None`
/// otherwise.
fn fetched_in_place<'c, T: Element>(
    cx: &'c mut TaskCx<'_>,
    input: &'c dyn Expr<T>,
    out_shape: &[usize],
    region: &[Range<usize>],
) -> Result<Option<&'c [T]>> {
    let in_shape = &input.meta().shape;
    if in_shape.as_slice() == out_shape {
        return Ok(borrowed(cx, input, region));
    }
    let (in_region, strides) = broadcast_box(in_shape, out_shape, region);
    if strides
        .iter()
        .zip(region)
        .any(|(&s, r)| s == 0 && r.len() != 1)
    {
        return Ok(None);
    }
    broadcast_values(cx, input, &in_region)
}

/// `T -> T`, computed in place in the consumer's buffer.
pub(crate) struct Unary<T: Element, F> {
    meta: Meta,
    input: Arc<dyn Expr<T>>,
    f: F,
    /// [`Node::reads_permuted`], decided once from the input's (a walk per question would
    /// revisit shared inputs once per path).
    reads_permuted: bool,
}

impl<T: Element, F: Fn(T) -> T + Send + Sync + 'static> Unary<T, F> {
    pub(crate) fn new(name: &str, input: Arc<dyn Expr<T>>, f: F) -> Self {
        let m = input.meta();
        Unary {
            meta: Meta::new(
                name,
                OpKind::Elementwise,
                T::DTYPE,
                m.shape.clone(),
                m.chunks.clone(),
            ),
            reads_permuted: input.reads_permuted(),
            input,
            f,
        }
    }
}

impl<T: Element, F: Fn(T) -> T + Send + Sync + 'static> Node for Unary<T, F> {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    super::typed_as!(T);
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        vec![self.input.clone()]
    }
    fn reads_permuted(&self) -> bool {
        self.reads_permuted
    }
}

impl<T: Element, F: Fn(T) -> T + Send + Sync + 'static> Expr<T> for Unary<T, F> {
    fn fill(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>], out: &mut [T]) -> Result<()> {
        pull(cx, &*self.input, region, out)?;
        kernels::map_in_place(out, &self.f);
        Ok(())
    }
    fn fill_permuted(
        &self,
        cx: &mut TaskCx<'_>,
        perm: &[usize],
        region: &[Range<usize>],
        out: &mut [T],
    ) -> Result<bool> {
        if !super::pull_permuted(cx, &*self.input, perm, region, out)? {
            return Ok(false);
        }
        kernels::map_in_place(out, &self.f);
        Ok(true)
    }
}

/// The input's values, unchanged, or [`Error::InvalidValue`] where one of them is not `valid`:
/// how a value-dependent error of NumPy's (an all-NaN slice of `nanargmin`, weights summing to
/// zero) is raised at compute.
pub(crate) struct Check<T: Element, P> {
    meta: Meta,
    input: Arc<dyn Expr<T>>,
    valid: P,
    reason: String,
}

impl<T: Element, P: Fn(T) -> bool + Send + Sync + 'static> Check<T, P> {
    pub(crate) fn new(name: &str, input: Arc<dyn Expr<T>>, valid: P, reason: String) -> Self {
        let m = input.meta();
        Check {
            meta: Meta::new(
                name,
                OpKind::Elementwise,
                T::DTYPE,
                m.shape.clone(),
                m.chunks.clone(),
            ),
            input,
            valid,
            reason,
        }
    }
}

impl<T: Element, P: Fn(T) -> bool + Send + Sync + 'static> Node for Check<T, P> {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    super::typed_as!(T);
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        vec![self.input.clone()]
    }
}

impl<T: Element, P: Fn(T) -> bool + Send + Sync + 'static> Expr<T> for Check<T, P> {
    fn fill(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>], out: &mut [T]) -> Result<()> {
        pull(cx, &*self.input, region, out)?;
        if out.iter().all(|&v| (self.valid)(v)) {
            return Ok(());
        }
        Err(Error::InvalidValue {
            op: self.meta.name.clone(),
            reason: format!("{} (in region {region:?})", self.reason),
        })
    }
}

/// `I -> O` for two different types.
pub(crate) struct Convert<I: Element, O: Element, F> {
    meta: Meta,
    input: Arc<dyn Expr<I>>,
    f: F,
    _o: PhantomData<fn() -> O>,
    /// [`Node::reads_permuted`], decided once from the input's.
    reads_permuted: bool,
}

impl<I: Element, O: Element, F: Fn(I) -> O + Send + Sync + 'static> Convert<I, O, F> {
    pub(crate) fn new(name: &str, input: Arc<dyn Expr<I>>, f: F) -> Self {
        let m = input.meta();
        Convert {
            meta: Meta::new(
                name,
                OpKind::Elementwise,
                O::DTYPE,
                m.shape.clone(),
                m.chunks.clone(),
            ),
            reads_permuted: input.reads_permuted(),
            input,
            f,
            _o: PhantomData,
        }
    }
}

impl<I: Element, O: Element, F: Fn(I) -> O + Send + Sync + 'static> Node for Convert<I, O, F> {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    super::typed_as!(O);
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        vec![self.input.clone()]
    }
    fn reads_permuted(&self) -> bool {
        self.reads_permuted
    }
}

impl<I: Element, O: Element, F: Fn(I) -> O + Send + Sync + 'static> Convert<I, O, F> {
    /// `f` of the input's values, which `read` writes into a buffer of the task's (a box, or a
    /// box of the transpose); nothing is written when `read` does not (`Ok(false)`).
    fn convert(
        &self,
        cx: &mut TaskCx<'_>,
        out: &mut [O],
        read: impl FnOnce(&mut TaskCx<'_>, &mut [I]) -> Result<bool>,
    ) -> Result<bool> {
        let mut a = cx.take::<I>(out.len());
        let r = read(cx, &mut a);
        if let Ok(true) = r {
            kernels::map_into(&a, out, &self.f);
        }
        cx.give(a);
        r
    }
}

impl<I: Element, O: Element, F: Fn(I) -> O + Send + Sync + 'static> Expr<O> for Convert<I, O, F> {
    fn fill(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>], out: &mut [O]) -> Result<()> {
        let input = &*self.input;
        self.convert(cx, out, |cx, a| pull(cx, input, region, a).map(|()| true))
            .map(|_| ())
    }
    fn fill_permuted(
        &self,
        cx: &mut TaskCx<'_>,
        perm: &[usize],
        region: &[Range<usize>],
        out: &mut [O],
    ) -> Result<bool> {
        let input = &*self.input;
        self.convert(cx, out, |cx, a| {
            super::pull_permuted(cx, input, perm, region, a)
        })
    }
}

/// `(A, B) -> O` over broadcast inputs.
pub(crate) struct Binary<A: Element, B: Element, O: Element, F> {
    meta: Meta,
    a: Arc<dyn Expr<A>>,
    b: Arc<dyn Expr<B>>,
    f: F,
    _o: PhantomData<fn() -> O>,
    /// [`Node::reads_permuted`], decided once from the operands'.
    reads_permuted: bool,
}

impl<A: Element, B: Element, O: Element, F: Fn(A, B) -> O + Send + Sync + 'static>
    Binary<A, B, O, F>
{
    pub(crate) fn new(name: &str, a: Arc<dyn Expr<A>>, b: Arc<dyn Expr<B>>, f: F) -> Self {
        let meta = broadcast_meta(name, O::DTYPE, &[a.meta(), b.meta()]);
        let reads_permuted = permutes_alike(&a.meta().shape, &meta.shape, &*a)
            && permutes_alike(&b.meta().shape, &meta.shape, &*b);
        Binary {
            meta,
            a,
            b,
            f,
            _o: PhantomData,
            reads_permuted,
        }
    }
}

impl<A: Element, B: Element, O: Element, F: Fn(A, B) -> O + Send + Sync + 'static> Node
    for Binary<A, B, O, F>
{
    fn meta(&self) -> &Meta {
        &self.meta
    }
    super::typed_as!(O);
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        vec![self.a.clone(), self.b.clone()]
    }
    fn reads_permuted(&self) -> bool {
        self.reads_permuted
    }
}

/// Whether an operand of `shape` of an elementwise op of shape `out` is read for a transposed
/// box of the op: one value broadcast everywhere (the same for every box), or one of the op's
/// own shape that reads its transposed boxes itself.
fn permutes_alike(shape: &[usize], out: &[usize], n: &dyn Node) -> bool {
    shape.iter().all(|&e| e == 1) || (shape == out && n.reads_permuted())
}

/// An operand of an elementwise op of shape `out` for a box `region` of its transpose by
/// `perm` ([`Expr::fill_permuted`]): its single value everywhere, or its own transposed box.
fn fetch_permuted<T: Element>(
    cx: &mut TaskCx<'_>,
    input: &dyn Expr<T>,
    out: &[usize],
    perm: &[usize],
    region: &[Range<usize>],
    buf: &mut [T],
) -> Result<bool> {
    if input.meta().shape.as_slice() == out {
        return super::pull_permuted(cx, input, perm, region, buf);
    }
    // A single value: the transposed shape's box reads it like any other.
    let permuted: SmallVec<[usize; 6]> = perm.iter().map(|&p| out[p]).collect();
    fetch(cx, input, &permuted, region, buf)?;
    Ok(true)
}

impl<A: Element, B: Element, O: Element, F: Fn(A, B) -> O + Send + Sync + 'static> Expr<O>
    for Binary<A, B, O, F>
{
    fn fill(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>], out: &mut [O]) -> Result<()> {
        let shape = &self.meta.shape;
        let mut a = cx.take::<A>(out.len());
        let r = fetch(cx, &*self.a, shape, region, &mut a).and_then(|()| {
            // The second operand read where it lies when it can be (a broadcast row of means,
            // an array in memory): one copy of it fewer per tile.
            if let Some(b) = fetched_in_place(cx, &*self.b, shape, region)? {
                debug_assert_eq!(b.len(), out.len());
                kernels::zip_into(&a, b, out, &self.f);
                return Ok(());
            }
            let mut b = cx.take::<B>(out.len());
            let r = fetch(cx, &*self.b, shape, region, &mut b);
            if r.is_ok() {
                kernels::zip_into(&a, &b, out, &self.f);
            }
            cx.give(b);
            r
        });
        cx.give(a);
        r
    }
    fn fill_permuted(
        &self,
        cx: &mut TaskCx<'_>,
        perm: &[usize],
        region: &[Range<usize>],
        out: &mut [O],
    ) -> Result<bool> {
        let shape = &self.meta.shape;
        self.zip(
            cx,
            out,
            |cx, a| fetch_permuted(cx, &*self.a, shape, perm, region, a),
            |cx, b| fetch_permuted(cx, &*self.b, shape, perm, region, b),
        )
    }
}

impl<A: Element, B: Element, O: Element, F: Fn(A, B) -> O + Send + Sync + 'static>
    Binary<A, B, O, F>
{
    /// `f` of the operands' values, which `read_a` and `read_b` write into buffers of the
    /// task's (a box, or a box of the transpose); nothing is written when either does not
    /// (`Ok(false)`; `read_b` is then not called).
    fn zip(
        &self,
        cx: &mut TaskCx<'_>,
        out: &mut [O],
        read_a: impl FnOnce(&mut TaskCx<'_>, &mut [A]) -> Result<bool>,
        read_b: impl FnOnce(&mut TaskCx<'_>, &mut [B]) -> Result<bool>,
    ) -> Result<bool> {
        let mut a = cx.take::<A>(out.len());
        let mut b = cx.take::<B>(out.len());
        let r = read_a(cx, &mut a).and_then(|done| Ok(done && read_b(cx, &mut b)?));
        if let Ok(true) = r {
            kernels::zip_into(&a, &b, out, &self.f);
        }
        cx.give(a);
        cx.give(b);
        r
    }
}

/// `(A, B, C) -> O` over broadcast inputs (`where_`).
pub(crate) struct Ternary<A: Element, B: Element, C: Element, O: Element, F> {
    meta: Meta,
    a: Arc<dyn Expr<A>>,
    b: Arc<dyn Expr<B>>,
    c: Arc<dyn Expr<C>>,
    f: F,
    _o: PhantomData<fn() -> O>,
}

impl<
        A: Element,
        B: Element,
        C: Element,
        O: Element,
        F: Fn(A, B, C) -> O + Send + Sync + 'static,
    > Ternary<A, B, C, O, F>
{
    pub(crate) fn new(
        name: &str,
        a: Arc<dyn Expr<A>>,
        b: Arc<dyn Expr<B>>,
        c: Arc<dyn Expr<C>>,
        f: F,
    ) -> Self {
        Ternary {
            meta: broadcast_meta(name, O::DTYPE, &[a.meta(), b.meta(), c.meta()]),
            a,
            b,
            c,
            f,
            _o: PhantomData,
        }
    }
}

impl<
        A: Element,
        B: Element,
        C: Element,
        O: Element,
        F: Fn(A, B, C) -> O + Send + Sync + 'static,
    > Node for Ternary<A, B, C, O, F>
{
    fn meta(&self) -> &Meta {
        &self.meta
    }
    super::typed_as!(O);
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        vec![self.a.clone(), self.b.clone(), self.c.clone()]
    }
}

impl<
        A: Element,
        B: Element,
        C: Element,
        O: Element,
        F: Fn(A, B, C) -> O + Send + Sync + 'static,
    > Expr<O> for Ternary<A, B, C, O, F>
{
    fn fill(&self, cx: &mut TaskCx<'_>, region: &[Range<usize>], out: &mut [O]) -> Result<()> {
        let shape = &self.meta.shape;
        let mut a = cx.take::<A>(out.len());
        let mut b = cx.take::<B>(out.len());
        let mut c = cx.take::<C>(out.len());
        let r = fetch(cx, &*self.a, shape, region, &mut a)
            .and_then(|_| fetch(cx, &*self.b, shape, region, &mut b))
            .and_then(|_| fetch(cx, &*self.c, shape, region, &mut c));
        if r.is_ok() {
            kernels::zip3_into(&a, &b, &c, out, &self.f);
        }
        cx.give(a);
        cx.give(b);
        cx.give(c);
        r
    }
}
