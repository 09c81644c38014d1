//! Exact order statistics without sorting the array: radix selection over order keys
//! ([`Numeric::order_key`]), and the `k` largest or smallest values with their positions.
//!
//! **Radix selection.** The value of rank `r` (0-based, in NumPy's sort order) is found digit by
//! digit of its key, 16 bits at a time from the top: a pass counts the next digit of every key
//! that has the prefix found so far, and the counts tell which digit the rank falls in and its
//! rank among the keys of that longer prefix. When few keys share a prefix (at most
//! [`COLLECT_MAX`] over all the prefixes a pass looks for), the pass collects them instead and
//! sorts them, which settles the rank; the passes after it then read nothing. A 64-bit key needs at most four passes, a 32-bit one two.
//! Each pass is an [`Aggregate`](crate::graph::aggregate::Aggregate) whose result, a
//! [`Selection`] as `u64`s, the next pass starts from; the last one turns the selected values
//! into quantiles.

use std::marker::PhantomData;
use std::ops::Range;
use std::sync::Arc;

use crate::element::Numeric;
use crate::error::{Error, Result};
use crate::frame::{get_u64s, put_u64s};
use crate::kernels::aggregator::{add_counts, Aggregator, Earlier};
use crate::region::{c_strides, for_each_row};

/// Keys a pass collects and sorts whole instead of counting another digit (32 MiB).
pub(crate) const COLLECT_MAX: u64 = 1 << 22;

/// Bits of one digit of `T`'s keys.
pub(crate) fn digit_bits<T: Numeric>() -> u32 {
    T::KEY_BITS.min(16)
}

/// Passes that settle any rank of `T`'s keys.
pub(crate) fn passes<T: Numeric>() -> usize {
    T::KEY_BITS.div_ceil(digit_bits::<T>()) as usize
}

/// Which order statistics a selection looks for, and how they make the results.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Pick {
    /// NumPy's `quantile(q)` with the default `linear` method, for each `q`.
    Quantiles(Vec<f64>),
    /// NumPy's `median`: the middle value, or the mean of the two middle values.
    Median,
}

impl Pick {
    /// Results per selection.
    pub(crate) fn len(&self) -> usize {
        match self {
            Pick::Quantiles(q) => q.len(),
            Pick::Median => 1,
        }
    }

    /// The two ranks each result needs, among `n` values (`n >= 1`).
    fn ranks(&self, n: u64) -> Vec<u64> {
        match self {
            Pick::Quantiles(qs) => qs
                .iter()
                .flat_map(|&q| {
                    let (lo, hi, _) = linear_index(n, q);
                    [lo, hi]
                })
                .collect(),
            Pick::Median => {
                let (lo, hi) = ((n - 1) / 2, n / 2);
                vec![lo, hi]
            }
        }
    }

    /// Result `i` from the values of its two ranks.
    fn value<T: Numeric>(&self, n: u64, i: usize, a: T, b: T) -> f64 {
        match self {
            Pick::Quantiles(qs) => {
                let (_, _, gamma) = linear_index(n, qs[i]);
                lerp(a, b, gamma)
            }
            // NumPy's mean of the one or two middle values, in float64.
            Pick::Median if n % 2 == 1 => a.n_to_f64(),
            Pick::Median => (a.n_to_f64() + b.n_to_f64()) / 2.0,
        }
    }
}

/// NumPy's `linear` method: the virtual index `(n - 1) * q`, the ranks on either side of it
/// (both the last when it is at or past the end), and the weight of the upper one.
fn linear_index(n: u64, q: f64) -> (u64, u64, f64) {
    let v = (n - 1) as f64 * q;
    if v >= (n - 1) as f64 {
        return (n - 1, n - 1, v - v.floor());
    }
    let lo = v.floor();
    (lo as u64, lo as u64 + 1, v - lo)
}

/// NumPy's `_lerp`: `a + (b - a) * t`, or `b - (b - a) * (1 - t)` from `t = 0.5` on (so that
/// it is exact at both ends). The difference is taken exactly (integers in `i128`).
fn lerp<T: Numeric>(a: T, b: T, t: f64) -> f64 {
    let diff = if T::IS_FLOAT {
        b.n_to_f64() - a.n_to_f64()
    } else {
        (b.n_to_i128() - a.n_to_i128()) as f64
    };
    if t >= 0.5 {
        b.n_to_f64() - diff * (1.0 - t)
    } else {
        a.n_to_f64() + diff * t
    }
}

/// One order statistic being narrowed: its key has `prefix` in its top `known` bits, and it is
/// the `rank`-th smallest (0-based) of the `count` keys with that prefix.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Target {
    prefix: u64,
    known: u32,
    rank: u64,
    count: u64,
}

/// What the passes so far found: the number of values ranked (NaNs left out when they are
/// skipped), the NaNs seen, and the targets. A pass's result, as `u64`s.
#[derive(Debug, Clone, PartialEq)]
struct Selection {
    n: u64,
    nans: u64,
    targets: Vec<Target>,
}

impl Selection {
    fn encode(&self) -> Vec<u64> {
        let mut v = vec![self.n, self.nans];
        for t in &self.targets {
            v.extend([t.prefix, t.known as u64, t.rank, t.count]);
        }
        v
    }

    fn decode(v: &[u64]) -> Selection {
        Selection {
            n: v[0],
            nans: v[1],
            targets: v[2..]
                .chunks_exact(4)
                .map(|t| Target {
                    prefix: t[0],
                    known: t[1] as u32,
                    rank: t[2],
                    count: t[3],
                })
                .collect(),
        }
    }
}

/// Elements of a selection pass's result: `n`, `nans`, then four per target (two per pick).
pub(crate) fn selection_len(pick: &Pick) -> usize {
    2 + 8 * pick.len()
}

/// What a task of a pass gathers for one prefix.
#[derive(Debug, Clone)]
enum Gather {
    /// The counts of the next digit of every key with the prefix.
    Count(Vec<u64>),
    /// Every key with the prefix.
    Collect(Vec<u64>),
}

/// A task's state: the selection before the pass and, per distinct unsettled prefix
/// `(prefix, known)`, what it gathers.
pub(crate) struct SelectState {
    before: Option<Selection>,
    prefixes: Vec<(u64, u32)>,
    gathers: Vec<Gather>,
}

/// The target narrowed by the counts of its next `bits` bits: the digit its rank falls in.
fn narrow(t: Target, counts: &[u64], bits: u32) -> Target {
    let mut rank = t.rank;
    for (digit, &c) in counts.iter().enumerate() {
        if rank < c {
            return Target {
                prefix: (t.prefix << bits) | digit as u64,
                known: t.known + bits,
                rank,
                count: c,
            };
        }
        rank -= c;
    }
    unreachable!("a rank below the prefix's count falls in one of its digits")
}

/// One pass of a radix selection over values of `T`. The first pass (`prev` is `None`) counts
/// the top digit of every key; the others read the selection the pass before them made. The
/// last pass's result is the picks' values (`f64`), the others' a selection (`u64`).
pub(crate) struct RadixSelect<T, O> {
    /// Values in the array.
    pub(crate) len: u64,
    pub(crate) pick: Arc<Pick>,
    /// Whether NaNs are left out (`nanquantile`) rather than making every result NaN.
    pub(crate) skip_nan: bool,
    /// The pass before this one (its node id).
    pub(crate) prev: Option<u64>,
    pub(crate) _t: PhantomData<fn(T) -> O>,
}

impl<T: Numeric, O> RadixSelect<T, O> {
    fn start_state(&self, earlier: &dyn Earlier) -> Result<SelectState> {
        let before = match self.prev {
            None => None,
            Some(id) => Some(earlier.u64s(id).map(Selection::decode).ok_or_else(|| {
                Error::InvalidValue {
                    op: "quantile".into(),
                    reason: "a selection pass ran before the one it follows".into(),
                }
            })?),
        };
        let w = T::KEY_BITS;
        let d = digit_bits::<T>();
        let mut prefixes = Vec::new();
        let mut gathers = Vec::new();
        match &before {
            None => {
                prefixes.push((0, 0));
                gathers.push(Gather::Count(vec![0; 1 << d]));
            }
            Some(sel) => {
                let mut open: Vec<(u64, u32, u64)> = Vec::new();
                for t in &sel.targets {
                    if t.known < w && !open.iter().any(|o| (o.0, o.1) == (t.prefix, t.known)) {
                        open.push((t.prefix, t.known, t.count));
                    }
                }
                // Collect the smallest prefixes while their keys together stay within
                // `COLLECT_MAX` (many quantiles must not collect the whole array); count the
                // next digit of the others.
                let mut by_count: Vec<usize> = (0..open.len()).collect();
                by_count.sort_by_key(|&i| (open[i].2, i));
                let mut collect = vec![false; open.len()];
                let mut budget = COLLECT_MAX;
                for i in by_count {
                    if open[i].2 <= budget {
                        budget -= open[i].2;
                        collect[i] = true;
                    }
                }
                for (&(prefix, known, _), c) in open.iter().zip(collect) {
                    prefixes.push((prefix, known));
                    gathers.push(if c {
                        Gather::Collect(Vec::new())
                    } else {
                        Gather::Count(vec![0; 1 << d.min(w - known)])
                    });
                }
            }
        }
        Ok(SelectState {
            before,
            prefixes,
            gathers,
        })
    }

    /// The selection after this pass, from the merged state.
    fn selection(&self, state: SelectState) -> Selection {
        let w = T::KEY_BITS;
        let d = digit_bits::<T>();
        let Some(before) = state.before else {
            // The first pass: one prefix, counted.
            let Gather::Count(counts) = &state.gathers[0] else {
                unreachable!("the first pass counts")
            };
            // Every NaN has the largest key, and no other float's key shares its top digit
            // (the top 16 bits of a key are all ones only for a NaN's bits): the top digit's
            // count is the NaNs.
            let nans = if T::IS_FLOAT {
                counts[counts.len() - 1]
            } else {
                0
            };
            let n = if self.skip_nan {
                self.len - nans
            } else {
                self.len
            };
            let all = Target {
                prefix: 0,
                known: 0,
                rank: 0,
                count: self.len,
            };
            let targets = if n == 0 {
                // Only NaNs, left out: nothing to rank, every result NaN (the NaN key).
                let nan = Target {
                    prefix: u64::MAX >> (64 - w),
                    known: w,
                    rank: 0,
                    count: 0,
                };
                vec![nan; 2 * self.pick.len()]
            } else {
                self.pick
                    .ranks(n)
                    .into_iter()
                    .map(|rank| narrow(Target { rank, ..all }, counts, d))
                    .collect()
            };
            return Selection { n, nans, targets };
        };
        let mut sorted: Vec<Option<Vec<u64>>> = vec![None; state.prefixes.len()];
        let targets = before
            .targets
            .iter()
            .map(|&t| {
                if t.known == w {
                    return t;
                }
                let g = state
                    .prefixes
                    .iter()
                    .position(|&p| p == (t.prefix, t.known))
                    .expect("every unsettled prefix is gathered");
                match &state.gathers[g] {
                    Gather::Count(counts) => narrow(t, counts, d.min(w - t.known)),
                    Gather::Collect(keys) => {
                        let keys = sorted[g].get_or_insert_with(|| {
                            let mut k = keys.clone();
                            k.sort_unstable();
                            k
                        });
                        Target {
                            prefix: keys[t.rank as usize],
                            known: w,
                            rank: 0,
                            count: 1,
                        }
                    }
                }
            })
            .collect();
        Selection {
            n: before.n,
            nans: before.nans,
            targets,
        }
    }
}

/// What the passes of a selection share, whatever their result type.
macro_rules! radix_common {
    () => {
        type State = SelectState;

        fn state_bytes(&self) -> usize {
            // The first pass's counts; a later pass counts or collects (at most
            // `COLLECT_MAX` keys in all) for each of two targets per pick.
            (2 * self.pick.len()).max(1) * (8 << digit_bits::<T>())
        }

        fn start(&self, earlier: &dyn Earlier) -> Result<SelectState> {
            self.start_state(earlier)
        }

        fn reads_input(&self, state: &SelectState) -> bool {
            !state.prefixes.is_empty()
        }

        fn fold(&self, state: &mut SelectState, _: &[Range<usize>], values: &[T]) {
            let w = T::KEY_BITS;
            let d = digit_bits::<T>();
            if state.before.is_none() {
                let Gather::Count(counts) = &mut state.gathers[0] else {
                    unreachable!("the first pass counts")
                };
                let shift = w - d;
                for &x in values {
                    counts[(x.order_key() >> shift) as usize] += 1;
                }
                return;
            }
            for (&(prefix, known), g) in state.prefixes.iter().zip(&mut state.gathers) {
                // `known < w`: settled targets are not gathered.
                let rest = w - known;
                match g {
                    Gather::Count(counts) => {
                        let bits = d.min(rest);
                        let mask = (1u64 << bits) - 1;
                        for &x in values {
                            let k = x.order_key();
                            if k.checked_shr(rest).unwrap_or(0) == prefix {
                                counts[((k >> (rest - bits)) & mask) as usize] += 1;
                            }
                        }
                    }
                    Gather::Collect(keys) => {
                        for &x in values {
                            let k = x.order_key();
                            if k.checked_shr(rest).unwrap_or(0) == prefix {
                                keys.push(k);
                            }
                        }
                    }
                }
            }
        }

        fn merge(&self, mut a: SelectState, b: SelectState) -> SelectState {
            for (x, y) in a.gathers.iter_mut().zip(b.gathers) {
                match (x, y) {
                    (Gather::Count(x), Gather::Count(y)) => add_counts(x, &y),
                    (Gather::Collect(x), Gather::Collect(y)) => x.extend(y),
                    _ => unreachable!("every task of a pass gathers alike"),
                }
            }
            a
        }

        fn encode(&self, s: &SelectState, out: &mut Vec<u8>) {
            put_u64s(
                &s.before.as_ref().map_or(Vec::new(), Selection::encode),
                out,
            );
            let prefixes: Vec<u64> = s
                .prefixes
                .iter()
                .flat_map(|&(p, k)| [p, k as u64])
                .collect();
            put_u64s(&prefixes, out);
            for g in &s.gathers {
                match g {
                    Gather::Count(c) => {
                        put_u64s(&[0], out);
                        put_u64s(c, out);
                    }
                    Gather::Collect(k) => {
                        put_u64s(&[1], out);
                        put_u64s(k, out);
                    }
                }
            }
        }

        fn decode(&self, raw: &[u8]) -> Option<SelectState> {
            let (before, raw) = get_u64s(raw)?;
            let (prefixes, mut raw) = get_u64s(raw)?;
            let prefixes: Vec<(u64, u32)> = prefixes
                .chunks_exact(2)
                .map(|p| (p[0], p[1] as u32))
                .collect();
            let mut gathers = Vec::with_capacity(prefixes.len());
            for _ in 0..prefixes.len() {
                let (kind, r) = get_u64s(raw)?;
                let (vals, r) = get_u64s(r)?;
                raw = r;
                gathers.push(match kind.first()? {
                    0 => Gather::Count(vals),
                    _ => Gather::Collect(vals),
                });
            }
            if !raw.is_empty() || (before.len() >= 2) != self.prev.is_some() {
                return None;
            }
            Some(SelectState {
                before: (!before.is_empty()).then(|| Selection::decode(&before)),
                prefixes,
                gathers,
            })
        }
    };
}

impl<T: Numeric> Aggregator<T> for RadixSelect<T, u64> {
    type Out = u64;
    radix_common!();

    fn finish(&self, state: SelectState) -> Result<Vec<u64>> {
        Ok(self.selection(state).encode())
    }
}

impl<T: Numeric> Aggregator<T> for RadixSelect<T, f64> {
    type Out = f64;
    radix_common!();

    fn finish(&self, state: SelectState) -> Result<Vec<f64>> {
        let sel = self.selection(state);
        let w = T::KEY_BITS;
        Ok((0..self.pick.len())
            .map(|i| {
                if sel.n == 0 || (!self.skip_nan && sel.nans > 0) {
                    return f64::NAN;
                }
                let (a, b) = (sel.targets[2 * i], sel.targets[2 * i + 1]);
                debug_assert!(a.known == w && b.known == w, "the last pass settles all");
                let a = T::from_order_key(a.prefix);
                let b = T::from_order_key(b.prefix);
                self.pick.value(sel.n, i, a, b)
            })
            .collect())
    }
}

/// The picks of one lane of values (a quantile or median along an axis), into `out` (one per
/// pick): the ranks selected from the lane's order keys (`keys`, reordered in place), as the
/// whole-array selection does, NaNs left out with `skip_nan` and otherwise making every result
/// NaN.
pub(crate) fn pick_lane<T: Numeric>(
    pick: &Pick,
    skip_nan: bool,
    keys: &mut Vec<u64>,
    out: &mut [f64],
) {
    let nan = u64::MAX >> (64 - T::KEY_BITS);
    if T::IS_FLOAT {
        let before = keys.len();
        keys.retain(|&k| k != nan);
        if keys.len() < before && !skip_nan {
            out.fill(f64::NAN);
            return;
        }
    }
    let n = keys.len() as u64;
    if n == 0 {
        out.fill(f64::NAN);
        return;
    }
    let ranks = pick.ranks(n);
    for (i, o) in out.iter_mut().enumerate() {
        let a = *keys.select_nth_unstable(ranks[2 * i] as usize).1;
        let b = *keys.select_nth_unstable(ranks[2 * i + 1] as usize).1;
        *o = pick.value(n, i, T::from_order_key(a), T::from_order_key(b));
    }
}

/// The order key under which equal values are equal: `-0.0` takes `0.0`'s key (`-0.0 == 0.0`,
/// as NumPy compares), so that ties between them go by position.
pub(crate) fn equal_key<T: Numeric>(x: T) -> u64 {
    if x == T::ZERO {
        T::ZERO.order_key()
    } else {
        x.order_key()
    }
}

/// One candidate of a top-k: its rank key (best first, equal values equal), its position (the
/// tie-break), and its value's own order key (which keeps the sign of a zero).
pub(crate) type Candidate = (u64, u64, u64);

/// The `k` largest (or, for negative `k`, smallest) values of an array with their C-order
/// positions, ordered by value (ties, `-0.0` with `0.0` included, by position; NaN largest):
/// Dask's `topk` / `argtopk` of the flattened array.
pub(crate) struct TopK<T> {
    /// The array's shape, for positions.
    pub(crate) shape: Vec<usize>,
    pub(crate) k: isize,
    /// Whether the result is the positions (`argtopk`) rather than the values.
    pub(crate) positions: bool,
    pub(crate) _t: PhantomData<fn(T)>,
}

impl<T: Numeric> TopK<T> {
    fn want(&self) -> usize {
        self.k.unsigned_abs()
    }

    /// The candidate of value `x` at `position`: best first (for the largest, by key
    /// descending), then by position.
    pub(crate) fn candidate(&self, x: T, position: u64) -> Candidate {
        let key = equal_key(x);
        let rank = if self.k > 0 { !key } else { key };
        (rank, position, x.order_key())
    }

    /// What the result holds for a candidate: its position, or its value's order key (in an
    /// `i64`; the node retypes it back).
    pub(crate) fn output(&self, &(_, position, key): &Candidate) -> i64 {
        if self.positions {
            position as i64
        } else {
            key as i64
        }
    }

    /// Keeps the best `want` of `v`, sorted.
    pub(crate) fn trim(&self, v: &mut Vec<Candidate>) {
        let want = self.want();
        if v.len() > want {
            v.select_nth_unstable(want);
            v.truncate(want);
        }
        v.sort_unstable();
    }
}

impl<T: Numeric> Aggregator<T> for TopK<T> {
    /// The best candidates so far, sorted, and a buffer of candidates.
    type State = Vec<Candidate>;
    type Out = i64;

    fn state_bytes(&self) -> usize {
        self.want().saturating_mul(32)
    }

    fn start(&self, _: &dyn Earlier) -> Result<Self::State> {
        Ok(Vec::new())
    }

    fn fold(&self, state: &mut Self::State, region: &[Range<usize>], values: &[T]) {
        let ext: Vec<usize> = region.iter().map(|r| r.len()).collect();
        let strides = c_strides(&self.shape);
        let base: usize = region.iter().zip(&strides).map(|(r, s)| r.start * s).sum();
        let row = ext.last().copied().unwrap_or(1);
        for_each_row(&ext, &strides, base, |i, flat| {
            for (j, &x) in values[i * row..(i + 1) * row].iter().enumerate() {
                state.push(self.candidate(x, (flat + j) as u64));
            }
        });
        if state.len() >= 2 * self.want().max(1024) {
            self.trim(state);
        }
    }

    fn merge(&self, mut a: Self::State, b: Self::State) -> Self::State {
        a.extend(b);
        self.trim(&mut a);
        a
    }

    fn encode(&self, s: &Self::State, out: &mut Vec<u8>) {
        let flat: Vec<u64> = s.iter().flat_map(|&(r, p, k)| [r, p, k]).collect();
        put_u64s(&flat, out);
    }

    fn decode(&self, raw: &[u8]) -> Option<Self::State> {
        let (flat, rest) = get_u64s(raw)?;
        (rest.is_empty() && flat.len() % 3 == 0)
            .then(|| flat.chunks_exact(3).map(|c| (c[0], c[1], c[2])).collect())
    }

    fn finish(&self, mut state: Self::State) -> Result<Vec<i64>> {
        self.trim(&mut state);
        Ok(state.iter().map(|c| self.output(c)).collect())
    }
}

#[cfg(test)]
mod tests {
    use crate::element::Arith;

    /// The first pass counts NaNs as its top digit: only a NaN's key has it.
    #[test]
    fn the_top_digit_of_a_float_key_is_the_nans() {
        for top in 0u64..1 << 16 {
            for low in [0u64, 1, 0x5555, 0xFFFF] {
                let x = f32::from_bits(((top << 16) | low) as u32);
                assert_eq!(x.order_key() >> 16 == 0xFFFF, x.is_nan(), "f32 {x:?}");
                for mid in [0u64, 0x1234_5678, u32::MAX as u64] {
                    let y = f64::from_bits((top << 48) | (mid << 16) | low);
                    assert_eq!(y.order_key() >> 48 == 0xFFFF, y.is_nan(), "f64 {y:?}");
                }
            }
        }
    }
}
