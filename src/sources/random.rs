//! Random arrays, NumPy's `np.random.default_rng` style, deterministic by position.
//!
//! A [`Generator`] hands each draw (each call of `random`, `uniform`, `normal`, ...) its own
//! stream key: draw `d` (counting from 0) of `default_rng(seed)` gets the `(d+1)`-th output of
//! `rand_xoshiro::SplitMix64::seed_from_u64(seed)`. Every value of the draw is then a function of
//! that key and the value's flat C-order position only, as defined in [`STREAM`]: the same seed
//! gives bit-identical arrays whatever the chunking and the number of workers.
//!
//! ```
//! use chunkwise::prelude::*;
//! let a = chunkwise::random::default_rng(7).uniform(-1.0, 1.0, [3, 1000]).compute()?;
//! let b = chunkwise::random::default_rng(7).uniform(-1.0, 1.0, [3, 1000]).rechunk([1, 77])?.compute()?;
//! assert_eq!(a, b);
//! # Ok::<(), chunkwise::Error>(())
//! ```

use std::sync::Arc;

use rand::{Rng, SeedableRng};
use rand_xoshiro::SplitMix64;

use super::{invalid, source};
use crate::array::ChunkedArray;
use crate::chunks::IntoShape;
use crate::error::Error;
use crate::graph::source::{Flat, FlatFn};
use crate::kernels::rng;

/// The definition of the random streams (version 1); see the module docs of `kernels::rng` in
/// the source, summarized here:
///
/// * positions are flat C-order indices, grouped in blocks of 1024;
/// * position `p` is lane `p % 8`, step `(p % 1024) / 8` of block `p / 1024`;
/// * lane `l` of block `b` is `Xoshiro256PlusPlus::seed_from_u64(key + (8b + l) * 4 * PHI)` from
///   rand_xoshiro 0.7 (wrapping, `PHI = 0x9e3779b97f4a7c15`), and the value is its step-th
///   output `u` mapped to `[0, 1)` as `f64::from_bits(u >> 12 | 0x3ff << 52) - 1.0`;
///   `uniform(lo, hi)` is `lo + (hi - lo) * u01`, capped below `hi`;
/// * normal values use the lane-0 generator of each block and take the `(p % 1024)`-th
///   `rand_distr::StandardNormal` sample (rand_distr 0.5), scaled as `mean + std * z`.
pub const STREAM: &str =
    "chunkwise-v1: xoshiro256++ x 8 lanes per 1024-position block, SplitMix64-keyed";

const PHI: u64 = 0x9e37_79b9_7f4a_7c15;

/// A source of random arrays; each draw gets a fresh, independent stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generator {
    seed: u64,
    draws: u64,
}

/// A generator seeded with `seed`: NumPy's `np.random.default_rng(seed)`.
pub fn default_rng(seed: u64) -> Generator {
    Generator { seed, draws: 0 }
}

struct Uniform {
    key: u64,
    lo: f64,
    hi: f64,
}
impl FlatFn<f64> for Uniform {
    fn fill_flat(&self, start: u64, out: &mut [f64]) {
        rng::fill_uniform(self.key, self.lo, self.hi, start, out);
    }
}

struct Normal {
    key: u64,
    mean: f64,
    std: f64,
}
impl FlatFn<f64> for Normal {
    fn fill_flat(&self, start: u64, out: &mut [f64]) {
        rng::fill_normal(self.key, self.mean, self.std, start, out);
    }
}

fn bad_param(
    op: &str,
    shape: Vec<usize>,
    param: &str,
    value: f64,
    reason: &str,
) -> ChunkedArray<f64> {
    let e = Error::InvalidParameter {
        op: op.into(),
        param: param.into(),
        value: value.to_string(),
        reason: reason.into(),
    };
    invalid(op, shape, e)
}

impl Generator {
    /// A generator seeded from the operating system's entropy.
    pub fn from_entropy() -> Self {
        default_rng(rand::rng().next_u64())
    }

    /// The seed this generator was made with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    fn next_key(&mut self) -> u64 {
        let key = SplitMix64::seed_from_u64(self.seed.wrapping_add(self.draws.wrapping_mul(PHI)))
            .next_u64();
        self.draws += 1;
        key
    }

    /// Uniform values in `[0, 1)`: NumPy's `rng.random(shape)`.
    pub fn random(&mut self, shape: impl IntoShape) -> ChunkedArray<f64> {
        self.uniform(0.0, 1.0, shape)
    }

    /// Uniform values in `[lo, hi)`: NumPy's `rng.uniform(lo, hi, shape)`. Non-finite bounds or
    /// `hi < lo` are an error at compute; `lo == hi` gives `lo` everywhere.
    ///
    /// ```
    /// let x = chunkwise::random::default_rng(1).uniform(2.0, 3.0, 1000);
    /// assert!(x.ge(2.0).all().item()? && x.lt(3.0).all().item()?);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn uniform(&mut self, lo: f64, hi: f64, shape: impl IntoShape) -> ChunkedArray<f64> {
        let shape = shape.into_shape_vec();
        let key = self.next_key();
        let name = format!("uniform({lo}, {hi})");
        if !lo.is_finite() {
            return bad_param(&name, shape, "lo", lo, "must be finite");
        }
        if !hi.is_finite() {
            return bad_param(&name, shape, "hi", hi, "must be finite");
        }
        if hi < lo {
            return bad_param(&name, shape, "hi", hi, "must not be below lo");
        }
        source(name, shape, Arc::new(Flat(Uniform { key, lo, hi })))
    }

    /// Standard normal values: NumPy's `rng.standard_normal(shape)`.
    pub fn standard_normal(&mut self, shape: impl IntoShape) -> ChunkedArray<f64> {
        self.normal(0.0, 1.0, shape)
    }

    /// Normal values with mean `mean` and standard deviation `std`: NumPy's
    /// `rng.normal(mean, std, shape)`. Non-finite parameters or `std < 0` are an error at compute.
    pub fn normal(&mut self, mean: f64, std: f64, shape: impl IntoShape) -> ChunkedArray<f64> {
        let shape = shape.into_shape_vec();
        let key = self.next_key();
        let name = format!("normal({mean}, {std})");
        if !mean.is_finite() {
            return bad_param(&name, shape, "mean", mean, "must be finite");
        }
        if !std.is_finite() || std < 0.0 {
            return bad_param(&name, shape, "std", std, "must be finite and non-negative");
        }
        source(name, shape, Arc::new(Flat(Normal { key, mean, std })))
    }
}

/// Uniform `[0, 1)` values from a generator seeded from entropy.
pub fn random(shape: impl IntoShape) -> ChunkedArray<f64> {
    Generator::from_entropy().random(shape)
}

/// Uniform `[lo, hi)` values from a generator seeded from entropy.
pub fn uniform(lo: f64, hi: f64, shape: impl IntoShape) -> ChunkedArray<f64> {
    Generator::from_entropy().uniform(lo, hi, shape)
}

/// Standard normal values from a generator seeded from entropy.
pub fn standard_normal(shape: impl IntoShape) -> ChunkedArray<f64> {
    Generator::from_entropy().standard_normal(shape)
}

/// Normal values from a generator seeded from entropy.
pub fn normal(mean: f64, std: f64, shape: impl IntoShape) -> ChunkedArray<f64> {
    Generator::from_entropy().normal(mean, std, shape)
}
