//! Counting into equal bins: NumPy's `histogram(x, bins, range)` with its bin rule, so that a
//! value on or within an ulp of an edge lands where NumPy puts it.

use std::ops::Range;

use crate::error::Result;
use crate::graph::aggregate::{get_u64s, put_u64s, Aggregator};
use crate::graph::Results;

/// `bins` equal bins from `first` to `last` (`first < last`, both finite), the last bin
/// closed.
pub(crate) struct Histogram {
    pub(crate) first: f64,
    pub(crate) last: f64,
    /// The bins' edges, as NumPy's `linspace(first, last, bins + 1)`.
    pub(crate) edges: Vec<f64>,
}

impl Histogram {
    pub(crate) fn new(first: f64, last: f64, bins: usize) -> Self {
        let step = (last - first) / bins as f64;
        let mut edges: Vec<f64> = (0..=bins).map(|i| first + i as f64 * step).collect();
        edges[bins] = last;
        Histogram { first, last, edges }
    }

    fn bins(&self) -> usize {
        self.edges.len() - 1
    }

    /// The bin of `x` (inside `[first, last]`), as NumPy computes it: scale, truncate, then
    /// correct by comparing with the edges.
    #[inline]
    fn bin(&self, x: f64) -> usize {
        let n = self.bins();
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
        self.bins() * 8
    }

    fn start(&self, _: &Results) -> Result<Vec<u64>> {
        Ok(vec![0; self.bins()])
    }

    fn fold(&self, counts: &mut Vec<u64>, _: &[Range<usize>], values: &[f64]) {
        for &x in values {
            // NaN fails both comparisons: left out, as NumPy does.
            if x >= self.first && x <= self.last {
                counts[self.bin(x)] += 1;
            }
        }
    }

    fn merge(&self, mut a: Vec<u64>, b: Vec<u64>) -> Vec<u64> {
        for (x, y) in a.iter_mut().zip(&b) {
            *x += y;
        }
        a
    }

    fn encode(&self, s: &Vec<u64>, out: &mut Vec<u8>) {
        put_u64s(s, out);
    }

    fn decode(&self, raw: &[u8]) -> Option<Vec<u64>> {
        let (v, rest) = get_u64s(raw)?;
        (rest.is_empty() && v.len() == self.bins()).then_some(v)
    }

    fn finish(&self, counts: Vec<u64>) -> Result<Vec<i64>> {
        Ok(counts.into_iter().map(|c| c as i64).collect())
    }
}
