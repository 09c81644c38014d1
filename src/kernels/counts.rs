//! Counting: the `true`s of a mask per chunk (the sizing pass of a selection), into bins
//! (NumPy's `histogram`: equal bins with its bin rule, so that a value on or within an ulp of an
//! edge lands where NumPy puts it, or bins between given edges), by integer value (`bincount`),
//! and by distinct value (`unique`).

use std::collections::HashMap;
use std::marker::PhantomData;
use std::ops::Range;

use crate::chunks::AxisChunks;
use crate::element::Numeric;
use crate::error::{Error, Result};
use crate::frame::{get_counts, get_u64s, put_u64s};
use crate::kernels::aggregator::{add_counts, Aggregator, Earlier};
use crate::kernels::select::equal_key;
use crate::kernels::zeroed_vec;

/// Bins from `first` to `last` (both finite), half-open but the last, which is closed: equal
/// bins, or bins between given edges.
pub(crate) struct Histogram {
    pub(crate) first: f64,
    pub(crate) last: f64,
    /// The bins' edges: NumPy's `linspace(first, last, bins + 1)`, or the given ones.
    pub(crate) edges: Vec<f64>,
    /// Whether the edges are equal steps (a value's bin is computed, then corrected) rather
    /// than given (searched).
    equal: bool,
}

impl Histogram {
    /// [`Error::TooLarge`] when the edges cannot be allocated.
    pub(crate) fn new(first: f64, last: f64, bins: usize) -> Result<Self> {
        let step = (last - first) / bins as f64;
        let mut edges: Vec<f64> = zeroed_vec("histogram", &[bins.saturating_add(1)])?;
        for (i, e) in edges.iter_mut().enumerate() {
            *e = first + i as f64 * step;
        }
        edges[bins] = last;
        Ok(Histogram {
            first,
            last,
            edges,
            equal: true,
        })
    }

    /// Bins between `edges` (at least one, none NaN, non-decreasing: equal neighbours make an
    /// empty bin, as in NumPy; one edge makes no bins).
    pub(crate) fn from_edges(edges: Vec<f64>) -> Self {
        Histogram {
            first: edges[0],
            last: edges[edges.len() - 1],
            edges,
            equal: false,
        }
    }

    fn bins(&self) -> usize {
        self.edges.len() - 1
    }

    /// The bin of `x` (inside `[first, last]`), as NumPy computes it: scale, truncate, then
    /// correct by comparing with the edges.
    #[inline]
    fn bin(&self, x: f64) -> usize {
        let n = self.bins();
        if !self.equal {
            // NumPy's searchsorted: the last of the left edges at or below `x` (the first edge
            // is, since `x >= first`), so the last edge falls in the last bin.
            return self.edges[..n].partition_point(|&e| e <= x) - 1;
        }
        let f = (x - self.first) / (self.last - self.first) * n as f64;
        let mut i = (f as usize).min(n - 1);
        if x < self.edges[i] {
            i -= 1;
        } else if i != n - 1 && x >= self.edges[i + 1] {
            i += 1;
        }
        i
    }
}

impl Aggregator<f64> for Histogram {
    type State = Vec<u64>;
    type Out = i64;

    fn state_bytes(&self) -> usize {
        self.bins().saturating_mul(8)
    }

    fn start(&self, _: &dyn Earlier) -> Result<Vec<u64>> {
        zeroed_vec("histogram", &[self.bins()])
    }

    fn fold(&self, counts: &mut Vec<u64>, _: &[Range<usize>], values: &[f64]) {
        if self.bins() == 0 {
            return;
        }
        for &x in values {
            // NaN fails both comparisons: left out, as NumPy does.
            if x >= self.first && x <= self.last {
                counts[self.bin(x)] += 1;
            }
        }
    }

    fn merge(&self, mut a: Vec<u64>, b: Vec<u64>) -> Vec<u64> {
        add_counts(&mut a, &b);
        a
    }

    fn encode(&self, s: &Vec<u64>, out: &mut Vec<u8>) {
        put_u64s(s, out);
    }

    fn decode(&self, raw: &[u8]) -> Option<Vec<u64>> {
        get_counts(raw, self.bins())
    }

    fn finish(&self, counts: Vec<u64>) -> Result<Vec<i64>> {
        Ok(counts.into_iter().map(|c| c as i64).collect())
    }
}

/// The weights in a histogram's bins (`np.histogram(x, bins, weights=w)`): the input is pairs
/// `(value, weight)` along a last axis of extent 2, and a value is binned as [`Histogram`]
/// bins it. Each bin's weights are summed exactly ([`bitrep::SumF64`], a fixed-point
/// accumulator that holds any sum of `f64`s), so a bin holds the correctly rounded sum of its
/// weights whatever the order they came in: the same bits at any chunking, and at least
/// NumPy's accuracy (NumPy adds them in blocks of 65536, in `f64`). A NaN weight makes its
/// bin NaN, infinities of both signs too, as NumPy's equal bins do (with given edges NumPy's
/// cumulative sums carry a NaN into the later bins as well). A bin's state is about 300 bytes
/// (a count's is 8), which the plan's memory projection counts: a million bins project about
/// 300 MB per partial.
pub(crate) struct WeightedHistogram(pub(crate) Histogram);

impl Aggregator<f64> for WeightedHistogram {
    type State = Vec<bitrep::SumF64>;
    type Out = f64;

    fn state_bytes(&self) -> usize {
        self.0
            .bins()
            .saturating_mul(std::mem::size_of::<bitrep::SumF64>())
    }

    fn start(&self, _: &dyn Earlier) -> Result<Vec<bitrep::SumF64>> {
        let bins = self.0.bins();
        let mut sums = Vec::new();
        sums.try_reserve_exact(bins).map_err(|e| Error::TooLarge {
            op: "histogram with weights".into(),
            shape: vec![bins],
            reason: e.to_string(),
        })?;
        sums.resize(bins, bitrep::SumF64::new());
        Ok(sums)
    }

    fn fold(&self, sums: &mut Vec<bitrep::SumF64>, _: &[Range<usize>], pairs: &[f64]) {
        if self.0.bins() == 0 {
            return;
        }
        let h = &self.0;
        for p in pairs.chunks_exact(2) {
            // NaN fails both comparisons: left out, as NumPy does.
            if p[0] >= h.first && p[0] <= h.last {
                sums[h.bin(p[0])].add(p[1]);
            }
        }
    }

    fn merge(&self, mut a: Vec<bitrep::SumF64>, b: Vec<bitrep::SumF64>) -> Vec<bitrep::SumF64> {
        for (x, y) in a.iter_mut().zip(&b) {
            x.merge(y);
        }
        a
    }

    fn encode(&self, sums: &Vec<bitrep::SumF64>, out: &mut Vec<u8>) {
        for s in sums {
            out.extend_from_slice(&s.to_bytes());
        }
    }

    fn decode(&self, raw: &[u8]) -> Option<Vec<bitrep::SumF64>> {
        const N: usize = bitrep::SumF64::BYTES;
        if raw.len() != self.0.bins().checked_mul(N)? {
            return None;
        }
        raw.chunks_exact(N)
            .map(|b| bitrep::SumF64::from_bytes(b.try_into().ok()?))
            .collect()
    }

    fn finish(&self, sums: Vec<bitrep::SumF64>) -> Result<Vec<f64>> {
        Ok(sums.iter().map(bitrep::SumF64::value).collect())
    }
}

/// NumPy's `bincount`: the count of each value `0..len` of an integer array. A negative value
/// is an error at compute (as NumPy's `ValueError`), as is one past `len` (the sizing pass
/// found the maximum: the data changed between the passes).
pub(crate) struct BinCount<T> {
    pub(crate) len: usize,
    pub(crate) _t: PhantomData<fn(T)>,
}

impl<T: Numeric> Aggregator<T> for BinCount<T> {
    /// The counts, and the first value out of range.
    type State = (Vec<u64>, Option<i128>);
    type Out = i64;

    fn state_bytes(&self) -> usize {
        self.len.saturating_mul(8)
    }

    fn start(&self, _: &dyn Earlier) -> Result<Self::State> {
        Ok((zeroed_vec("bincount", &[self.len])?, None))
    }

    fn fold(&self, (counts, bad): &mut Self::State, _: &[Range<usize>], values: &[T]) {
        for &x in values {
            let v = x.n_to_i128();
            match usize::try_from(v).ok().and_then(|i| counts.get_mut(i)) {
                Some(c) => *c += 1,
                None => {
                    bad.get_or_insert(v);
                }
            }
        }
    }

    fn merge(&self, (mut a, bad): Self::State, (b, bad_b): Self::State) -> Self::State {
        add_counts(&mut a, &b);
        (a, bad.or(bad_b))
    }

    fn encode(&self, (counts, bad): &Self::State, out: &mut Vec<u8>) {
        put_u64s(counts, out);
        let bad: Vec<u64> = bad
            .iter()
            .flat_map(|v| [*v as u64, (*v >> 64) as u64])
            .collect();
        put_u64s(&bad, out);
    }

    fn decode(&self, raw: &[u8]) -> Option<Self::State> {
        let (counts, raw) = get_u64s(raw)?;
        let (bad, raw) = get_u64s(raw)?;
        let bad = match bad[..] {
            [] => None,
            [lo, hi] => Some(((hi as i128) << 64) | lo as i128),
            _ => return None,
        };
        (raw.is_empty() && counts.len() == self.len).then_some((counts, bad))
    }

    fn finish(&self, (counts, bad): Self::State) -> Result<Vec<i64>> {
        if let Some(v) = bad {
            return Err(Error::InvalidValue {
                op: "bincount".into(),
                reason: if v < 0 {
                    format!(
                        "the input holds a negative value ({v}): bincount counts values 0, 1, .."
                    )
                } else {
                    format!(
                        "value {v} is past the {} bins its sizing pass found",
                        self.len
                    )
                },
            });
        }
        Ok(counts.into_iter().map(|c| c as i64).collect())
    }
}

/// What [`Unique`] gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UniqueOut {
    /// The number of distinct values (the sizing pass; a 0-d result).
    Len,
    /// The distinct values' order keys, ascending ([`Numeric::order_key`], as `i64`).
    Keys(usize),
    /// How often each distinct value occurs, in the order of the values.
    Counts(usize),
}

/// NumPy's `unique`: the distinct values, sorted (all NaNs one value, last; `-0.0` and `0.0`
/// one value), and their counts.
pub(crate) struct Unique<T> {
    pub(crate) out: UniqueOut,
    pub(crate) _t: PhantomData<fn(T)>,
}

impl<T: Numeric> Aggregator<T> for Unique<T> {
    /// Count per order key.
    type State = HashMap<u64, u64>;
    type Out = i64;

    fn state_bytes(&self) -> usize {
        match self.out {
            UniqueOut::Len => 0,
            UniqueOut::Keys(n) | UniqueOut::Counts(n) => n.saturating_mul(32),
        }
    }

    fn start(&self, _: &dyn Earlier) -> Result<Self::State> {
        Ok(HashMap::new())
    }

    fn fold(&self, seen: &mut Self::State, _: &[Range<usize>], values: &[T]) {
        // `-0.0 == 0.0`: one value, as in NumPy (kept as `0.0`).
        for &x in values {
            *seen.entry(equal_key(x)).or_default() += 1;
        }
    }

    fn merge(&self, mut a: Self::State, b: Self::State) -> Self::State {
        for (k, c) in b {
            *a.entry(k).or_default() += c;
        }
        a
    }

    fn encode(&self, s: &Self::State, out: &mut Vec<u8>) {
        let mut flat: Vec<(u64, u64)> = s.iter().map(|(&k, &c)| (k, c)).collect();
        flat.sort_unstable();
        let flat: Vec<u64> = flat.into_iter().flat_map(|(k, c)| [k, c]).collect();
        put_u64s(&flat, out);
    }

    fn decode(&self, raw: &[u8]) -> Option<Self::State> {
        let (flat, rest) = get_u64s(raw)?;
        rest.is_empty()
            .then(|| flat.chunks_exact(2).map(|p| (p[0], p[1])).collect())
    }

    fn finish(&self, seen: Self::State) -> Result<Vec<i64>> {
        let mut all: Vec<(u64, u64)> = seen.into_iter().collect();
        all.sort_unstable();
        let n = match self.out {
            UniqueOut::Len => return Ok(vec![all.len() as i64]),
            UniqueOut::Keys(n) | UniqueOut::Counts(n) => n,
        };
        if all.len() != n {
            return Err(Error::InvalidValue {
                op: "unique".into(),
                reason: format!(
                    "{} distinct values, but the sizing pass found {n}: the data changed \
                     between the passes",
                    all.len()
                ),
            });
        }
        Ok(all
            .into_iter()
            .map(|(k, c)| match self.out {
                UniqueOut::Counts(_) => c as i64,
                _ => k as i64,
            })
            .collect())
    }
}

/// Counts the `true`s of a 1-d mask in each chunk of `grid`: an aggregate's state and result.
pub(crate) struct ChunkCounts {
    pub(crate) grid: AxisChunks,
}

impl Aggregator<bool> for ChunkCounts {
    type State = Vec<u64>;
    type Out = i64;

    fn state_bytes(&self) -> usize {
        // Saturating: a grid of more than `usize::MAX / 8` chunks is planned (and refused).
        self.grid.len().saturating_mul(8)
    }

    fn start(&self, _: &dyn Earlier) -> Result<Vec<u64>> {
        zeroed_vec("select: count per chunk", &[self.grid.len()])
    }

    fn fold(&self, counts: &mut Vec<u64>, region: &[Range<usize>], values: &[bool]) {
        // Tiles are cut inside the chunks of the aggregate's input, which is `grid`.
        let k = self.grid.overlapping(&region[0]).start;
        counts[k] += values.iter().filter(|&&b| b).count() as u64;
    }

    fn merge(&self, mut a: Vec<u64>, b: Vec<u64>) -> Vec<u64> {
        add_counts(&mut a, &b);
        a
    }

    fn encode(&self, s: &Vec<u64>, out: &mut Vec<u8>) {
        put_u64s(s, out);
    }

    fn decode(&self, raw: &[u8]) -> Option<Vec<u64>> {
        get_counts(raw, self.grid.len())
    }

    fn finish(&self, counts: Vec<u64>) -> Result<Vec<i64>> {
        Ok(counts.into_iter().map(|c| c as i64).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A weighted histogram's state crosses to another rank whole, and bytes of another
    /// length are refused.
    #[test]
    fn weighted_states_round_trip_through_bytes() {
        let agg = WeightedHistogram(Histogram::new(0.0, 2.0, 2).unwrap());
        struct NoEarlier;
        impl Earlier for NoEarlier {
            fn u64s(&self, _: u64) -> Option<&[u64]> {
                None
            }
        }
        let mut s = agg.start(&NoEarlier).unwrap();
        agg.fold(
            &mut s,
            &[],
            &[0.5, 1e16, 0.5, 1.0, 1.5, f64::NAN, 0.5, -1e16],
        );
        let mut raw = Vec::new();
        agg.encode(&s, &mut raw);
        let back = agg.decode(&raw).unwrap();
        assert_eq!(back, s);
        let v = agg.finish(back).unwrap();
        assert_eq!(v[0], 1.0);
        assert!(v[1].is_nan());
        assert!(agg.decode(&raw[1..]).is_none());
        assert!(agg.decode(&[]).is_none());
    }
}
