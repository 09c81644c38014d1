//! Reductions as data: an identity, a kernel that folds a contiguous run to one value, a kernel
//! that folds a run elementwise into a row of accumulators, and the associative combine used by
//! the tile cascade and the tree across chunks.

use multiversion::multiversion;

use crate::element::{Arith, Element, Numeric};
use crate::frame::Wire;
use crate::pool::{Pool, TileBuf};

/// One reduction over inputs of type `I`.
///
/// A reduction folds values into partials (`Part`), combines partials, and finishes a partial
/// into a result (`Acc`). Float sums carry a compensation term in their partials; the other
/// reductions use their result type as the partial.
pub(crate) trait Reducer<I: Element>: Send + Sync + 'static {
    /// Result type.
    type Acc: Element;
    /// Partial result: what leaves produce and the combine tree carries.
    type Part: Wire + Default + Send + Sync + 'static;
    /// Name in plans and errors.
    const NAME: &'static str;
    /// Whether the reduction has an identity (min and max do not: empty input is an error).
    const HAS_IDENTITY: bool = true;
    /// Start value of every partial.
    fn identity() -> Self::Part;
    /// Folds a whole contiguous run into one partial.
    fn reduce_run(run: &[I]) -> Self::Part;
    /// One step of a sequential fold in the result type (a plain add for sums), which starts
    /// from `finish(identity())`.
    fn step(a: Self::Acc, x: I) -> Self::Acc;
    /// `acc[i] = step(acc[i], run[i])`, one step of a sequential fold for a row of outputs; with
    /// `first`, `step(finish(identity()), run[i])`, the fold's first step, which reads no `acc`.
    fn accumulate(acc: &mut [Self::Acc], first: bool, run: &[I]) {
        let start = first.then(|| Self::finish(Self::identity()));
        fold_rows(acc, start, run, &Self::step);
    }
    /// [`accumulate`](Self::accumulate) of `run` then of `next`, in one pass over `acc`.
    fn accumulate_pair(acc: &mut [Self::Acc], first: bool, run: &[I], next: &[I]) {
        let start = first.then(|| Self::finish(Self::identity()));
        fold_rows_pair(acc, start, run, next, &Self::step);
    }
    /// The partial of a sequential fold's result.
    fn lift(a: Self::Acc) -> Self::Part;
    /// The associative combine of two partials (left, then right).
    fn combine(a: Self::Part, b: Self::Part) -> Self::Part;
    /// The result of a partial.
    fn finish(p: Self::Part) -> Self::Acc;
    /// Whether a sequential fold can run in the result type ([`accumulate`](Self::accumulate),
    /// [`lift`](Self::lift)). A reduction whose partial carries more than its result (the
    /// variance's count, mean and squared deviations) folds columns with
    /// [`push_each`](Self::push_each) instead.
    const FOLDS_IN_ACC: bool = true;
    /// `parts[i] = fold(parts[i], run[i])`: the sequential column fold in partials.
    fn push_each(parts: &mut [Self::Part], run: &[I]) {
        for (p, x) in parts.iter_mut().zip(run) {
            *p = Self::combine(*p, Self::reduce_run(std::slice::from_ref(x)));
        }
    }
}

/// A float sum and the rounding error it has lost so far (its compensation).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Compensated<A> {
    pub(crate) sum: A,
    pub(crate) err: A,
}

impl<A: Element> Wire for Compensated<A> {
    fn put(&self, out: &mut Vec<u8>) {
        self.sum.put(out);
        self.err.put(out);
    }
    fn get(raw: &[u8]) -> Option<(Self, &[u8])> {
        let (sum, raw) = A::get(raw)?;
        let (err, raw) = A::get(raw)?;
        Some((Compensated { sum, err }, raw))
    }
}

/// Knuth's TwoSum: `a + b = s + e` exactly, with `s = fl(a + b)`. Six adds, no branch, no FMA,
/// so it vectorizes and gives the same bits on every CPU.
#[inline(always)]
fn two_sum<A: Numeric>(a: A, b: A) -> (A, A) {
    let s = a.n_add(b);
    let z = s.n_sub(a);
    let e = a.n_sub(s.n_sub(z)).n_add(b.n_sub(z));
    (s, e)
}

#[inline(always)]
fn combine_compensated<A: Numeric>(x: Compensated<A>, y: Compensated<A>) -> Compensated<A> {
    let (sum, e) = two_sum(x.sum, y.sum);
    Compensated {
        sum,
        err: x.err.n_add(y.err).n_add(e),
    }
}

/// Lanes of the compensated sum: two AVX-512 registers, so two independent dependency chains.
pub(crate) const SUM_LANES: usize = 16;

/// Compensated summation of a run: [`SUM_LANES`] interleaved lanes (lane `j` takes elements
/// `j, j + 16, ...`; the tail goes to lanes `0..`), each adding with TwoSum and keeping the
/// error, then the lanes combined pairwise ([`combine_lanes`]). The error of the finished sum is
/// about one rounding of the result plus n * eps^2 of the sum of magnitudes: far below NumPy's
/// pairwise O(log n * eps). This definition is what every vector version computes.
#[multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl+avx2+fma",
    "x86_64+avx2+fma",
    "x86_64+sse4.2",
    "aarch64+neon"
))]
pub(crate) fn compensated_sum<I: Numeric>(xs: &[I]) -> Compensated<I::Acc> {
    let zero = <I::Acc as Element>::ZERO;
    let mut s = [zero; SUM_LANES];
    let mut c = [zero; SUM_LANES];
    // Whole-array lane steps (TwoSum spelled out), which the compiler turns into vector
    // operations.
    let mut step = |x: [I::Acc; SUM_LANES]| {
        let t: [I::Acc; SUM_LANES] = std::array::from_fn(|j| s[j].n_add(x[j]));
        let z: [I::Acc; SUM_LANES] = std::array::from_fn(|j| t[j].n_sub(s[j]));
        let e: [I::Acc; SUM_LANES] =
            std::array::from_fn(|j| s[j].n_sub(t[j].n_sub(z[j])).n_add(x[j].n_sub(z[j])));
        c = std::array::from_fn(|j| c[j].n_add(e[j]));
        s = t;
    };
    let mut blocks = xs.chunks_exact(SUM_LANES);
    for b in &mut blocks {
        step(std::array::from_fn(|j| b[j].to_acc()));
    }
    // The tail in lanes 0.., zeros elsewhere (TwoSum of (s, 0) is (s + 0, 0)).
    let rest = blocks.remainder();
    step(std::array::from_fn(|j| {
        rest.get(j).map_or(zero, |x| x.to_acc())
    }));
    combine_lanes(&s, &c)
}

/// The lanes' sums and errors combined pairwise: (0 1) (2 3) ..., then those pairs, and so on.
fn combine_lanes<A: Numeric>(s: &[A; SUM_LANES], c: &[A; SUM_LANES]) -> Compensated<A> {
    let mut v: [Compensated<A>; SUM_LANES] = std::array::from_fn(|j| Compensated {
        sum: s[j],
        err: c[j],
    });
    let mut n = SUM_LANES;
    while n > 1 {
        for j in 0..n / 2 {
            v[j] = combine_compensated(v[2 * j], v[2 * j + 1]);
        }
        n /= 2;
    }
    v[0]
}

/// [`compensated_sum`] of `f64`, the hottest reduction kernel, dispatched by hand: AVX-512 (two
/// registers of eight lanes) or AVX2 (four of four), else the portable loop. Every version does
/// the same adds and subtracts in the same order per lane (no FMA), and combines the lanes with
/// the same scalar code, so every CPU gives the same bits (a unit test compares them).
pub(crate) fn compensated_sum_f64(xs: &[f64]) -> Compensated<f64> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F.
            return unsafe { x86::compensated_sum_avx512(xs) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2.
            return unsafe { x86::compensated_sum_avx2(xs) };
        }
    }
    compensated_sum(xs)
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{combine_lanes, Compensated, SUM_LANES};
    use std::arch::x86_64::*;

    /// The run padded to whole blocks: the full blocks, then the tail block (zeros after the
    /// tail), as the portable loop sees them.
    fn blocks(xs: &[f64], mut f: impl FnMut(&[f64])) {
        let mut it = xs.chunks_exact(SUM_LANES);
        for b in &mut it {
            f(b);
        }
        let rest = it.remainder();
        let mut tail = [0.0f64; SUM_LANES];
        tail[..rest.len()].copy_from_slice(rest);
        f(&tail);
    }

    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn compensated_sum_avx512(xs: &[f64]) -> Compensated<f64> {
        const R: usize = SUM_LANES / 8;
        let (mut s, mut c) = ([_mm512_setzero_pd(); R], [_mm512_setzero_pd(); R]);
        blocks(xs, |b| {
            for h in 0..R {
                // SAFETY: b has SUM_LANES elements; this loads lanes 8h..8h+8.
                let x = unsafe { _mm512_loadu_pd(b.as_ptr().add(8 * h)) };
                let t = _mm512_add_pd(s[h], x);
                let z = _mm512_sub_pd(t, s[h]);
                let e = _mm512_add_pd(
                    _mm512_sub_pd(s[h], _mm512_sub_pd(t, z)),
                    _mm512_sub_pd(x, z),
                );
                c[h] = _mm512_add_pd(c[h], e);
                s[h] = t;
            }
        });
        let (mut sv, mut cv) = ([0.0f64; SUM_LANES], [0.0f64; SUM_LANES]);
        for h in 0..R {
            // SAFETY: each store writes lanes 8h..8h+8 of SUM_LANES.
            unsafe {
                _mm512_storeu_pd(sv.as_mut_ptr().add(8 * h), s[h]);
                _mm512_storeu_pd(cv.as_mut_ptr().add(8 * h), c[h]);
            }
        }
        combine_lanes(&sv, &cv)
    }

    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn compensated_sum_avx2(xs: &[f64]) -> Compensated<f64> {
        const R: usize = SUM_LANES / 4;
        let (mut s, mut c) = ([_mm256_setzero_pd(); R], [_mm256_setzero_pd(); R]);
        blocks(xs, |b| {
            for h in 0..R {
                // SAFETY: b has SUM_LANES elements; this loads lanes 4h..4h+4.
                let x = unsafe { _mm256_loadu_pd(b.as_ptr().add(4 * h)) };
                let t = _mm256_add_pd(s[h], x);
                let z = _mm256_sub_pd(t, s[h]);
                let e = _mm256_add_pd(
                    _mm256_sub_pd(s[h], _mm256_sub_pd(t, z)),
                    _mm256_sub_pd(x, z),
                );
                c[h] = _mm256_add_pd(c[h], e);
                s[h] = t;
            }
        });
        let (mut sv, mut cv) = ([0.0f64; SUM_LANES], [0.0f64; SUM_LANES]);
        for h in 0..R {
            // SAFETY: each store writes lanes 4h..4h+4 of SUM_LANES.
            unsafe {
                _mm256_storeu_pd(sv.as_mut_ptr().add(4 * h), s[h]);
                _mm256_storeu_pd(cv.as_mut_ptr().add(4 * h), c[h]);
            }
        }
        combine_lanes(&sv, &cv)
    }
}

/// The finished value of a compensated sum: the sum plus its error, unless the sum is infinite
/// or NaN (then the error is meaningless and the sum is the answer, as NumPy's).
#[inline]
fn finish_compensated<A: Numeric>(p: Compensated<A>) -> A {
    // Finite exactly when `s - s == 0` (inf - inf and NaN - NaN are NaN).
    if p.sum.n_sub(p.sum) == <A as Element>::ZERO {
        p.sum.n_add(p.err)
    } else {
        p.sum
    }
}

/// Elementwise `acc[i] = f(acc[i], run[i])`, or `f(start, run[i])` with a `start` (a fold's
/// first row, which reads no `acc`).
#[multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl+avx2+fma",
    "x86_64+avx2+fma",
    "x86_64+sse4.2",
    "aarch64+neon"
))]
fn fold_rows<I: Copy, A: Copy, F: Fn(A, I) -> A>(
    acc: &mut [A],
    start: Option<A>,
    run: &[I],
    f: &F,
) {
    match start {
        Some(s) => acc.iter_mut().zip(run).for_each(|(a, &x)| *a = f(s, x)),
        None => acc.iter_mut().zip(run).for_each(|(a, &x)| *a = f(*a, x)),
    }
}

/// [`fold_rows`] of `run` then of `next` in one pass: `acc[i] = f(f(acc[i], run[i]), next[i])`,
/// or from `start`.
#[multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl+avx2+fma",
    "x86_64+avx2+fma",
    "x86_64+sse4.2",
    "aarch64+neon"
))]
fn fold_rows_pair<I: Copy, A: Copy, F: Fn(A, I) -> A>(
    acc: &mut [A],
    start: Option<A>,
    run: &[I],
    next: &[I],
    f: &F,
) {
    let rows = acc.iter_mut().zip(run).zip(next);
    match start {
        Some(s) => rows.for_each(|((a, &x), &y)| *a = f(f(s, x), y)),
        None => rows.for_each(|((a, &x), &y)| *a = f(f(*a, x), y)),
    }
}

/// A plain left fold, vectorized where the compiler can reassociate (integers, counts, bools).
#[multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl+avx2+fma",
    "x86_64+avx2+fma",
    "x86_64+sse4.2",
    "aarch64+neon"
))]
fn fold_run<I: Copy, A: Copy, F: Fn(A, I) -> A>(init: A, run: &[I], f: &F) -> A {
    let mut a = init;
    for &x in run {
        a = f(a, x);
    }
    a
}

/// Counts nonzero elements; a branch-free sum of 0/1.
#[multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl+avx2+fma",
    "x86_64+avx2+fma",
    "x86_64+sse4.2",
    "aarch64+neon"
))]
fn count_run<I: Element>(run: &[I]) -> u64 {
    // Count in u32 lanes over short blocks (vectorizes well for bytes), then widen.
    let mut total = 0u64;
    for block in run.chunks(1 << 16) {
        let mut c = 0u32;
        for &x in block {
            c += x.is_nonzero() as u32;
        }
        total += c as u64;
    }
    total
}

/// Sum (NumPy accumulator types; wrapping for integers, exact in any order; compensated for
/// floats: runs with [`compensated_sum`], partials combined with TwoSum, rows of an axis
/// reduction added plainly and their partials combined compensated).
pub(crate) struct SumR;
impl<I: Numeric> Reducer<I> for SumR {
    type Acc = I::Acc;
    type Part = Compensated<I::Acc>;
    const NAME: &'static str = "sum";
    fn identity() -> Self::Part {
        Compensated::default()
    }
    fn reduce_run(run: &[I]) -> Self::Part {
        use std::any::TypeId;
        if TypeId::of::<I>() == TypeId::of::<f64>() && TypeId::of::<I::Acc>() == TypeId::of::<f64>()
        {
            // SAFETY: `I` and `I::Acc` are `f64` (checked above), so the slice is of `f64` and
            // `Compensated<f64>` is `Compensated<I::Acc>`.
            let xs = unsafe { std::slice::from_raw_parts(run.as_ptr().cast::<f64>(), run.len()) };
            let c = compensated_sum_f64(xs);
            return unsafe { std::mem::transmute_copy::<Compensated<f64>, Self::Part>(&c) };
        }
        if I::IS_FLOAT {
            compensated_sum(run)
        } else {
            // Wrapping integer sums are exact in any order: a plain vectorized fold.
            let sum = fold_run(<I::Acc as Element>::ZERO, run, &<Self as Reducer<I>>::step);
            Compensated {
                sum,
                err: <I::Acc as Element>::ZERO,
            }
        }
    }
    fn step(a: I::Acc, x: I) -> I::Acc {
        a.n_add(x.to_acc())
    }
    fn lift(a: I::Acc) -> Self::Part {
        Compensated {
            sum: a,
            err: <I::Acc as Element>::ZERO,
        }
    }
    fn combine(a: Self::Part, b: Self::Part) -> Self::Part {
        if I::IS_FLOAT {
            combine_compensated(a, b)
        } else {
            Compensated {
                sum: a.sum.n_add(b.sum),
                err: a.err,
            }
        }
    }
    fn finish(p: Self::Part) -> I::Acc {
        if I::IS_FLOAT {
            finish_compensated(p)
        } else {
            p.sum
        }
    }
}

/// Product (NumPy accumulator types, wrapping for integers).
pub(crate) struct ProdR;
impl<I: Numeric> Reducer<I> for ProdR {
    type Acc = I::Acc;
    type Part = I::Acc;
    const NAME: &'static str = "prod";
    fn identity() -> I::Acc {
        <I::Acc as Numeric>::ONE
    }
    fn reduce_run(run: &[I]) -> I::Acc {
        fold_run(<I::Acc as Numeric>::ONE, run, &<Self as Reducer<I>>::step)
    }
    fn step(a: I::Acc, x: I) -> I::Acc {
        a.n_mul(x.to_acc())
    }
    fn lift(a: I::Acc) -> I::Acc {
        a
    }
    fn combine(a: I::Acc, b: I::Acc) -> I::Acc {
        a.n_mul(b)
    }
    fn finish(p: I::Acc) -> I::Acc {
        p
    }
}

/// Minimum; NaN propagates; no identity.
pub(crate) struct MinR;
impl<I: Numeric> Reducer<I> for MinR {
    type Acc = I;
    type Part = I;
    const NAME: &'static str = "min";
    const HAS_IDENTITY: bool = false;
    fn identity() -> I {
        I::HIGHEST
    }
    fn reduce_run(run: &[I]) -> I {
        fold_run(I::HIGHEST, run, &<Self as Reducer<I>>::step)
    }
    fn step(a: I, x: I) -> I {
        x.n_min(a)
    }
    fn lift(a: I) -> I {
        a
    }
    fn combine(a: I, b: I) -> I {
        a.n_min(b)
    }
    fn finish(p: I) -> I {
        p
    }
}

/// Maximum; NaN propagates; no identity.
pub(crate) struct MaxR;
impl<I: Numeric> Reducer<I> for MaxR {
    type Acc = I;
    type Part = I;
    const NAME: &'static str = "max";
    const HAS_IDENTITY: bool = false;
    fn identity() -> I {
        I::LOWEST
    }
    fn reduce_run(run: &[I]) -> I {
        fold_run(I::LOWEST, run, &<Self as Reducer<I>>::step)
    }
    fn step(a: I, x: I) -> I {
        x.n_max(a)
    }
    fn lift(a: I) -> I {
        a
    }
    fn combine(a: I, b: I) -> I {
        a.n_max(b)
    }
    fn finish(p: I) -> I {
        p
    }
}

/// Number of nonzero elements, as `u64`.
pub(crate) struct CountNonzeroR;
impl<I: Element> Reducer<I> for CountNonzeroR {
    type Acc = u64;
    type Part = u64;
    const NAME: &'static str = "count_nonzero";
    fn identity() -> u64 {
        0
    }
    fn reduce_run(run: &[I]) -> u64 {
        count_run(run)
    }
    fn step(a: u64, x: I) -> u64 {
        a + x.is_nonzero() as u64
    }
    fn lift(a: u64) -> u64 {
        a
    }
    fn combine(a: u64, b: u64) -> u64 {
        a + b
    }
    fn finish(p: u64) -> u64 {
        p
    }
}

/// Whether any element is nonzero.
pub(crate) struct AnyR;
impl<I: Element> Reducer<I> for AnyR {
    type Acc = bool;
    type Part = bool;
    const NAME: &'static str = "any";
    fn identity() -> bool {
        false
    }
    fn reduce_run(run: &[I]) -> bool {
        fold_run(false, run, &<Self as Reducer<I>>::step)
    }
    fn step(a: bool, x: I) -> bool {
        a | x.is_nonzero()
    }
    fn lift(a: bool) -> bool {
        a
    }
    fn combine(a: bool, b: bool) -> bool {
        a | b
    }
    fn finish(p: bool) -> bool {
        p
    }
}

/// Whether every element is nonzero.
pub(crate) struct AllR;
impl<I: Element> Reducer<I> for AllR {
    type Acc = bool;
    type Part = bool;
    const NAME: &'static str = "all";
    fn identity() -> bool {
        true
    }
    fn reduce_run(run: &[I]) -> bool {
        fold_run(true, run, &<Self as Reducer<I>>::step)
    }
    fn step(a: bool, x: I) -> bool {
        a & x.is_nonzero()
    }
    fn lift(a: bool) -> bool {
        a
    }
    fn combine(a: bool, b: bool) -> bool {
        a & b
    }
    fn finish(p: bool) -> bool {
        p
    }
}

/// Whether the partial `top` (whose first leaf has code `t`), pushed after `below` (first code
/// `b`), joins it before the leaf of code `next` arrives: in the tree of codes (the binary tree
/// of their bits, `graph::leaf_tree`) two subtrees join at the highest bit where their codes
/// differ, so `below` and `top` join first when theirs is lower than where `top` and `next`
/// differ. (Both are never equal: codes increase.)
fn joins_first(b: u128, t: u128, next: u128) -> bool {
    (b ^ t) < (t ^ next)
}

/// Combines the partials of leaves pushed in code order as the tree of their codes does
/// (`graph::leaf_tree`): a stack of the subtrees not yet joined, at most one per bit. For the
/// codes `0..n` this is the power-of-two tree (a binary-counter cascade).
pub(crate) struct Cascade<A> {
    /// (code of the first leaf, partial), earlier subtrees below.
    stack: Vec<(u128, A)>,
}

impl<A> Cascade<A> {
    pub(crate) fn new() -> Self {
        Cascade { stack: Vec::new() }
    }

    /// Pushes the partial of the leaf `code` (greater than every code pushed before).
    pub(crate) fn push(&mut self, code: u128, v: A, combine: impl Fn(A, A) -> A) {
        while let [.., (b, _), (t, _)] = self.stack[..] {
            if !joins_first(b, t, code) {
                break;
            }
            let (_, top) = self.stack.pop().expect("two on the stack");
            let (b, below) = self.stack.pop().expect("two on the stack");
            self.stack.push((b, combine(below, top)));
        }
        self.stack.push((code, v));
    }

    /// The total, earlier subtrees on the left.
    pub(crate) fn finish(mut self, identity: A, combine: impl Fn(A, A) -> A) -> A {
        let Some((_, mut acc)) = self.stack.pop() else {
            return identity;
        };
        while let Some((_, below)) = self.stack.pop() {
            acc = combine(below, acc);
        }
        acc
    }
}

/// [`Cascade`] over rows of partials (one per output of a tile), combined elementwise; the
/// rows come from and go back to the task's buffer pool.
pub(crate) struct RowCascade<P> {
    stack: Vec<(u128, TileBuf<P>)>,
}

impl<P: Copy + Default + Send + 'static> RowCascade<P> {
    pub(crate) fn new() -> Self {
        RowCascade { stack: Vec::new() }
    }

    /// Pushes the partials of the leaf `code` (greater than every code pushed before).
    pub(crate) fn push(
        &mut self,
        pool: &mut Pool,
        code: u128,
        v: TileBuf<P>,
        combine: impl Fn(P, P) -> P,
    ) {
        while let [.., (b, _), (t, _)] = self.stack[..] {
            if !joins_first(b, t, code) {
                break;
            }
            let (_, top) = self.stack.pop().expect("two on the stack");
            let below = &mut self.stack.last_mut().expect("two on the stack").1;
            for (a, &b) in below.iter_mut().zip(top.iter()) {
                *a = combine(*a, b);
            }
            pool.give(top);
        }
        self.stack.push((code, v));
    }

    /// Writes the total into `out`, earlier subtrees on the left.
    pub(crate) fn finish(
        mut self,
        pool: &mut Pool,
        out: &mut [P],
        identity: P,
        combine: impl Fn(P, P) -> P,
    ) {
        let Some((_, mut acc)) = self.stack.pop() else {
            out.fill(identity);
            return;
        };
        while let Some((_, mut below)) = self.stack.pop() {
            for (a, &b) in below.iter_mut().zip(acc.iter()) {
                *a = combine(*a, b);
            }
            pool.give(acc);
            acc = below;
        }
        out.copy_from_slice(&acc);
        pool.give(acc);
    }

    /// Returns the rows to the pool (after an error).
    pub(crate) fn release(self, pool: &mut Pool) {
        for (_, v) in self.stack {
            pool.give(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum<I: Numeric>(xs: &[I]) -> I::Acc {
        <SumR as Reducer<I>>::finish(<SumR as Reducer<I>>::reduce_run(xs))
    }

    #[test]
    fn sums_are_exact_for_integers_and_compensated_for_floats() {
        let xs: Vec<i32> = (0..1000).collect();
        assert_eq!(sum(&xs), 499_500i64);
        // 0.1 is not exact in binary; the compensated sum of copies of it is the correctly
        // rounded exact sum (Python's math.fsum gives the same values).
        let ys = vec![0.1f64; 1_000_000];
        assert_eq!(sum(&ys), 100_000.0);
        let zs = vec![0.1f32; 100_000];
        assert_eq!(sum(&zs), 10_000.0f32);
        // Cancellation a plain or pairwise sum loses entirely.
        let big = [1e100, 1.0, -1e100, 1.0];
        assert_eq!(sum(&big), 2.0);
        // Infinities and NaN as NumPy.
        assert_eq!(sum(&[1.0, f64::INFINITY, 2.0]), f64::INFINITY);
        assert!(sum(&[1.0, f64::INFINITY, f64::NEG_INFINITY]).is_nan());
        assert!(sum(&[f64::NAN, 1.0]).is_nan());
        assert_eq!(sum(&[f64::MAX, f64::MAX]), f64::INFINITY);
    }

    /// The hand-dispatched f64 kernels give the portable loop's bits, for every tail length.
    #[test]
    fn compensated_kernels_agree_bit_for_bit() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919 % 1013) as f64 - 506.0) * 2f64.powi((i % 61) - 30))
            .collect();
        for n in (0..40).chain([127, 128, 999, 1000]) {
            let want = compensated_sum(&xs[..n]);
            assert_eq!(compensated_sum_f64(&xs[..n]), want, "n = {n}");
            #[cfg(target_arch = "x86_64")]
            {
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has AVX2.
                    assert_eq!(
                        unsafe { x86::compensated_sum_avx2(&xs[..n]) },
                        want,
                        "avx2, n = {n}"
                    );
                }
                if std::arch::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the CPU has AVX-512F.
                    assert_eq!(
                        unsafe { x86::compensated_sum_avx512(&xs[..n]) },
                        want,
                        "avx512, n = {n}"
                    );
                }
            }
        }
    }

    #[test]
    fn cascade_combines_in_order() {
        let mut c = Cascade::new();
        for v in 1..=5u64 {
            c.push(v as u128 - 1, v, |x, y| x * 10 + y);
        }
        // ((12)(34)) then 5: ((1*10+2)*100 + (3*10+4)) combined with 5.
        assert_eq!(c.finish(0, |x, y| x * 10 + y), ((12 * 10 + 34) * 10) + 5);
    }

    /// Codes with gaps (leaves past the grid's edge) join where their bits say: the root splits
    /// 0, 1 from 4, 5, 6 at bit 2, then 4, 5 from 6 at bit 1; a node with one child is it.
    #[test]
    fn cascade_follows_the_codes() {
        let join = |a: String, b: String| format!("({a}+{b})");
        let mut c = Cascade::new();
        for code in [0u128, 1, 4, 5, 6] {
            c.push(code, code.to_string(), join);
        }
        assert_eq!(c.finish(String::new(), join), "((0+1)+((4+5)+6))");
        let mut c = Cascade::new();
        for code in [2u128, 8, 9, 12] {
            c.push(code, code.to_string(), join);
        }
        assert_eq!(c.finish(String::new(), join), "(2+((8+9)+12))");
    }

    /// A NaN or an infinity makes the variance NaN however the values are folded (a run, one
    /// lifted value, or partials combined), as NumPy's `var`.
    #[test]
    fn variance_keeps_nan_and_infinity() {
        let var = |p: Moments| <VarR as Reducer<f64>>::finish(p);
        let run = |xs: &[f64]| <VarR as Reducer<f64>>::reduce_run(xs);
        let lift = |x: f64| <VarR as Reducer<f64>>::lift(x);
        let comb = |a, b| <VarR as Reducer<f64>>::combine(a, b);
        let inf = f64::INFINITY;
        for xs in [
            &[1.0, f64::NAN, 3.0][..],
            &[inf],
            &[inf, 1.0],
            &[inf, inf],
            &[f64::NAN],
        ] {
            assert!(var(run(xs)).is_nan(), "run {xs:?}");
            let folded = xs[1..].iter().fold(lift(xs[0]), |p, &x| comb(p, lift(x)));
            assert!(var(folded).is_nan(), "lifted {xs:?}");
        }
        assert!(var(comb(run(&[inf, 1.0]), run(&[2.0]))).is_nan());
        assert_eq!(var(run(&[2.0])), 0.0);
        assert_eq!(var(lift(2.0)), 0.0);
        assert_eq!(var(run(&[1.0, 3.0])), 1.0);
    }

    #[test]
    fn count_and_flags() {
        let b = [true, false, true, true];
        assert_eq!(<CountNonzeroR as Reducer<bool>>::reduce_run(&b), 3);
        assert!(<AnyR as Reducer<bool>>::reduce_run(&b));
        assert!(!<AllR as Reducer<bool>>::reduce_run(&b));
        assert!(<MinR as Reducer<f64>>::reduce_run(&[1.0, f64::NAN, 0.0]).is_nan());
        // Compensated partials combine to the exact sum where it is representable.
        let a = <SumR as Reducer<f64>>::reduce_run(&[1e16, 1.0]);
        let b = <SumR as Reducer<f64>>::reduce_run(&[-1e16, 1.0]);
        assert_eq!(
            <SumR as Reducer<f64>>::finish(<SumR as Reducer<f64>>::combine(a, b)),
            2.0
        );
    }
}

/// The partial of a one-pass variance: count, mean as an unevaluated sum `hi + lo` (so the
/// differences of means that the combine takes keep their digits however far the data is from
/// zero), and the sum of squared deviations from the mean (`m2`), in `f64` whatever the input.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Moments {
    n: f64,
    hi: f64,
    lo: f64,
    m2: f64,
}

impl Wire for Moments {
    fn put(&self, out: &mut Vec<u8>) {
        for v in [self.n, self.hi, self.lo, self.m2] {
            v.put(out);
        }
    }
    fn get(raw: &[u8]) -> Option<(Self, &[u8])> {
        let (n, raw) = f64::get(raw)?;
        let (hi, raw) = f64::get(raw)?;
        let (lo, raw) = f64::get(raw)?;
        let (m2, raw) = f64::get(raw)?;
        Some((Moments { n, hi, lo, m2 }, raw))
    }
}

/// Lanes of the moments of a run (one AVX-512 register of `f64`).
const MOMENT_LANES: usize = 8;

/// Population variance in one pass over the data, as Dask computes it (`moment_chunk` /
/// `moment_agg`): each run (a leaf, in cache) is folded by the corrected two-pass formula about
/// a first mean `m0` (`c = sum(x - m0)`, `q = sum((x - m0)^2)`, mean `m0 + c/n`,
/// `m2 = q - c^2/n`), and partials combine by Chan, Golub and LeVeque's update
/// (`m2 = m2a + m2b + d^2 na nb / n`, `d = mean_b - mean_a`) with the means carried as `hi + lo`
/// pairs (TwoSum, no FMA). Combined in the canonical tree, the result is as chunk-invariant as
/// every reduction, and accurate far from zero (data of mean 1e9 and spread 1 keeps about 12
/// digits; the naive `E[x^2] - E[x]^2` keeps none). NaN for an empty input, as NumPy.
pub(crate) struct VarR;
impl<I: crate::element::Float> Reducer<I> for VarR {
    type Acc = I;
    type Part = Moments;
    const NAME: &'static str = "var";
    const FOLDS_IN_ACC: bool = false;
    fn identity() -> Moments {
        Moments::default()
    }
    fn reduce_run(run: &[I]) -> Moments {
        if run.is_empty() {
            return Moments::default();
        }
        let n = run.len() as f64;
        let m0 = lane_sum(run, |x| x) / n;
        let c = lane_sum(run, |x| x - m0);
        let q = lane_sum(run, |x| (x - m0) * (x - m0));
        let (hi, lo) = two_sum(m0, c / n);
        // Rounding can leave a hair below zero; a NaN (a NaN or an infinity in the run) stays.
        let m2 = q - c * (c / n);
        Moments {
            n,
            hi,
            lo,
            m2: if m2 < 0.0 { 0.0 } else { m2 },
        }
    }
    fn step(_: I, _: I) -> I {
        unreachable!("VarR folds columns with push_each (FOLDS_IN_ACC is false)")
    }
    fn lift(a: I) -> Moments {
        let x = a.to_f64().unwrap_or(f64::NAN);
        Moments {
            n: 1.0,
            hi: x,
            lo: 0.0,
            // `(x - mean)^2` with the mean `x`: 0, or NaN for a NaN or an infinity (NumPy's
            // `var([inf])` is NaN).
            m2: if x.is_finite() { 0.0 } else { f64::NAN },
        }
    }
    fn combine(a: Moments, b: Moments) -> Moments {
        if a.n == 0.0 {
            return b;
        }
        if b.n == 0.0 {
            return a;
        }
        let n = a.n + b.n;
        // Close means subtract exactly (Sterbenz); the low parts carry the rest.
        let d = (b.hi - a.hi) + (b.lo - a.lo);
        let (hi, e) = two_sum(a.hi, d * (b.n / n));
        let (hi, lo) = two_sum(hi, e + a.lo);
        Moments {
            n,
            hi,
            lo,
            m2: a.m2 + b.m2 + d * d * (a.n * (b.n / n)),
        }
    }
    fn finish(p: Moments) -> I {
        I::from_f64(p.m2 / p.n)
    }
}

/// `sum(g(x))` over `run` in [`MOMENT_LANES`] interleaved `f64` lanes (lane `j` takes elements
/// `j, j + 8, ...`), combined pairwise: a fixed order, so the same bits on every CPU.
#[inline(always)]
fn lane_sum<I: crate::element::Float>(run: &[I], g: impl Fn(f64) -> f64) -> f64 {
    let f = |x: I| x.to_f64().unwrap_or(f64::NAN);
    let mut acc = [0.0f64; MOMENT_LANES];
    let mut blocks = run.chunks_exact(MOMENT_LANES);
    for b in &mut blocks {
        acc = std::array::from_fn(|j| acc[j] + g(f(b[j])));
    }
    for (j, &x) in blocks.remainder().iter().enumerate() {
        acc[j] += g(f(x));
    }
    let mut w = MOMENT_LANES;
    while w > 1 {
        for j in 0..w / 2 {
            acc[j] = acc[2 * j] + acc[2 * j + 1];
        }
        w /= 2;
    }
    acc[0]
}
