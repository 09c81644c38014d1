//! Reductions as data: an identity, a kernel that folds a contiguous run to one value, a kernel
//! that folds a run elementwise into a row of accumulators, and the associative combine used by
//! the tile cascade and the tree across chunks.

use multiversion::multiversion;

use crate::element::{Element, Numeric};

/// One reduction over inputs of type `I`.
pub(crate) trait Reducer<I: Element>: Send + Sync + 'static {
    /// Accumulator and result type.
    type Acc: Element;
    /// Name in plans and errors.
    const NAME: &'static str;
    /// Whether the reduction has an identity (min and max do not: empty input is an error).
    const HAS_IDENTITY: bool = true;
    /// Start value of every accumulator.
    fn identity() -> Self::Acc;
    /// Folds a whole run into one value.
    fn reduce_run(run: &[I]) -> Self::Acc;
    /// `acc[i] = combine(acc[i], run[i])`.
    fn accumulate(acc: &mut [Self::Acc], run: &[I]);
    /// The associative combine of two partials.
    fn combine(a: Self::Acc, b: Self::Acc) -> Self::Acc;
}

/// NumPy's pairwise summation: runs of up to 128 are summed with 8 interleaved accumulators
/// (which the compiler vectorizes), longer runs are split in halves recursively, so the rounding
/// error grows as O(log n) instead of O(n).
#[multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl+avx2+fma",
    "x86_64+avx2+fma",
    "x86_64+sse4.2",
    "aarch64+neon"
))]
pub(crate) fn pairwise_sum<I: Numeric>(xs: &[I]) -> I::Acc {
    fn rec<I: Numeric>(xs: &[I]) -> I::Acc {
        let n = xs.len();
        if n < 8 {
            let mut s = <I::Acc as Element>::ZERO;
            for &x in xs {
                s = s.n_add(x.to_acc());
            }
            s
        } else if n <= 128 {
            let mut r = [<I::Acc as Element>::ZERO; 8];
            let mut blocks = xs.chunks_exact(8);
            for b in &mut blocks {
                for j in 0..8 {
                    r[j] = r[j].n_add(b[j].to_acc());
                }
            }
            let mut s = (r[0].n_add(r[1]).n_add(r[2].n_add(r[3])))
                .n_add(r[4].n_add(r[5]).n_add(r[6].n_add(r[7])));
            for &x in blocks.remainder() {
                s = s.n_add(x.to_acc());
            }
            s
        } else {
            let half = (n / 2) & !7;
            rec(&xs[..half]).n_add(rec(&xs[half..]))
        }
    }
    rec(xs)
}

/// Elementwise `acc[i] = op(acc[i], run[i])` with the accumulator's own conversion.
#[multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl+avx2+fma",
    "x86_64+avx2+fma",
    "x86_64+sse4.2",
    "aarch64+neon"
))]
fn fold_rows<I: Copy, A: Copy, F: Fn(A, I) -> A>(acc: &mut [A], run: &[I], f: &F) {
    for (a, &x) in acc.iter_mut().zip(run) {
        *a = f(*a, x);
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

/// Sum (NumPy accumulator types, pairwise for floats, wrapping for integers).
pub(crate) struct SumR;
impl<I: Numeric> Reducer<I> for SumR {
    type Acc = I::Acc;
    const NAME: &'static str = "sum";
    fn identity() -> I::Acc {
        <I::Acc as Element>::ZERO
    }
    fn reduce_run(run: &[I]) -> I::Acc {
        if I::IS_FLOAT {
            pairwise_sum(run)
        } else {
            // Wrapping integer sums are exact in any order: a plain vectorized fold.
            fold_run(<I::Acc as Element>::ZERO, run, &|a: I::Acc, x: I| {
                a.n_add(x.to_acc())
            })
        }
    }
    fn accumulate(acc: &mut [I::Acc], run: &[I]) {
        fold_rows(acc, run, &|a: I::Acc, x: I| a.n_add(x.to_acc()));
    }
    fn combine(a: I::Acc, b: I::Acc) -> I::Acc {
        a.n_add(b)
    }
}

/// Product (NumPy accumulator types, wrapping for integers).
pub(crate) struct ProdR;
impl<I: Numeric> Reducer<I> for ProdR {
    type Acc = I::Acc;
    const NAME: &'static str = "prod";
    fn identity() -> I::Acc {
        <I::Acc as Numeric>::ONE
    }
    fn reduce_run(run: &[I]) -> I::Acc {
        fold_run(<I::Acc as Numeric>::ONE, run, &|a: I::Acc, x: I| {
            a.n_mul(x.to_acc())
        })
    }
    fn accumulate(acc: &mut [I::Acc], run: &[I]) {
        fold_rows(acc, run, &|a: I::Acc, x: I| a.n_mul(x.to_acc()));
    }
    fn combine(a: I::Acc, b: I::Acc) -> I::Acc {
        a.n_mul(b)
    }
}

/// Minimum; NaN propagates; no identity.
pub(crate) struct MinR;
impl<I: Numeric> Reducer<I> for MinR {
    type Acc = I;
    const NAME: &'static str = "min";
    const HAS_IDENTITY: bool = false;
    fn identity() -> I {
        I::HIGHEST
    }
    fn reduce_run(run: &[I]) -> I {
        fold_run(I::HIGHEST, run, &|a: I, x: I| x.n_min(a))
    }
    fn accumulate(acc: &mut [I], run: &[I]) {
        fold_rows(acc, run, &|a: I, x: I| x.n_min(a));
    }
    fn combine(a: I, b: I) -> I {
        a.n_min(b)
    }
}

/// Maximum; NaN propagates; no identity.
pub(crate) struct MaxR;
impl<I: Numeric> Reducer<I> for MaxR {
    type Acc = I;
    const NAME: &'static str = "max";
    const HAS_IDENTITY: bool = false;
    fn identity() -> I {
        I::LOWEST
    }
    fn reduce_run(run: &[I]) -> I {
        fold_run(I::LOWEST, run, &|a: I, x: I| x.n_max(a))
    }
    fn accumulate(acc: &mut [I], run: &[I]) {
        fold_rows(acc, run, &|a: I, x: I| x.n_max(a));
    }
    fn combine(a: I, b: I) -> I {
        a.n_max(b)
    }
}

/// Number of nonzero elements, as `u64`.
pub(crate) struct CountNonzeroR;
impl<I: Element> Reducer<I> for CountNonzeroR {
    type Acc = u64;
    const NAME: &'static str = "count_nonzero";
    fn identity() -> u64 {
        0
    }
    fn reduce_run(run: &[I]) -> u64 {
        count_run(run)
    }
    fn accumulate(acc: &mut [u64], run: &[I]) {
        fold_rows(acc, run, &|a: u64, x: I| a + x.is_nonzero() as u64);
    }
    fn combine(a: u64, b: u64) -> u64 {
        a + b
    }
}

/// Whether any element is nonzero.
pub(crate) struct AnyR;
impl<I: Element> Reducer<I> for AnyR {
    type Acc = bool;
    const NAME: &'static str = "any";
    fn identity() -> bool {
        false
    }
    fn reduce_run(run: &[I]) -> bool {
        fold_run(false, run, &|a: bool, x: I| a | x.is_nonzero())
    }
    fn accumulate(acc: &mut [bool], run: &[I]) {
        fold_rows(acc, run, &|a: bool, x: I| a | x.is_nonzero());
    }
    fn combine(a: bool, b: bool) -> bool {
        a | b
    }
}

/// Whether every element is nonzero.
pub(crate) struct AllR;
impl<I: Element> Reducer<I> for AllR {
    type Acc = bool;
    const NAME: &'static str = "all";
    fn identity() -> bool {
        true
    }
    fn reduce_run(run: &[I]) -> bool {
        fold_run(true, run, &|a: bool, x: I| a & x.is_nonzero())
    }
    fn accumulate(acc: &mut [bool], run: &[I]) {
        fold_rows(acc, run, &|a: bool, x: I| a & x.is_nonzero());
    }
    fn combine(a: bool, b: bool) -> bool {
        a & b
    }
}

/// Combines the partials of consecutive tiles in a binary-counter cascade, so that a chunk's
/// total is a balanced tree of its tiles (pairwise across tiles as inside them).
pub(crate) struct Cascade<A> {
    levels: Vec<Option<A>>,
}

impl<A: Copy> Cascade<A> {
    pub(crate) fn new() -> Self {
        Cascade { levels: Vec::new() }
    }

    pub(crate) fn push(&mut self, mut v: A, combine: impl Fn(A, A) -> A) {
        for slot in self.levels.iter_mut() {
            match slot.take() {
                Some(prev) => v = combine(prev, v),
                None => {
                    *slot = Some(v);
                    return;
                }
            }
        }
        self.levels.push(Some(v));
    }

    /// The total, higher levels (earlier tiles) on the left.
    pub(crate) fn finish(self, identity: A, combine: impl Fn(A, A) -> A) -> A {
        let mut acc: Option<A> = None;
        for v in self.levels.into_iter().flatten() {
            acc = Some(match acc {
                None => v,
                Some(lower) => combine(v, lower),
            });
        }
        acc.unwrap_or(identity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_sum_is_exact_for_integers_and_accurate_for_floats() {
        let xs: Vec<i32> = (0..1000).collect();
        assert_eq!(pairwise_sum(&xs), 499_500i64);
        let ys = vec![0.1f64; 1_000_000];
        let s = pairwise_sum(&ys);
        assert!((s - 100_000.0).abs() < 1e-8, "{s}");
        let zs = vec![0.1f32; 100_000];
        let s32 = pairwise_sum(&zs);
        assert!((s32 - 10_000.0).abs() < 0.05, "{s32}");
    }

    #[test]
    fn cascade_combines_in_order() {
        let mut c = Cascade::new();
        for v in 1..=5u64 {
            c.push(v, |x, y| x * 10 + y);
        }
        // ((12)(34)) then 5: ((1*10+2)*100 + (3*10+4)) combined with 5.
        assert_eq!(c.finish(0, |x, y| x * 10 + y), ((12 * 10 + 34) * 10) + 5);
    }

    #[test]
    fn count_and_flags() {
        let b = [true, false, true, true];
        assert_eq!(<CountNonzeroR as Reducer<bool>>::reduce_run(&b), 3);
        assert!(<AnyR as Reducer<bool>>::reduce_run(&b));
        assert!(!<AllR as Reducer<bool>>::reduce_run(&b));
        assert!(<MinR as Reducer<f64>>::reduce_run(&[1.0, f64::NAN, 0.0]).is_nan());
    }
}
