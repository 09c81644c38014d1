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

use std::marker::PhantomData;
use std::sync::Arc;

use rand::{Rng, SeedableRng};
use rand_distr::Distribution;
use rand_xoshiro::{SplitMix64, Xoshiro256PlusPlus};

use super::{bad_param, source};
use crate::array::{retype, ChunkedArray};
use crate::chunks::IntoShape;
use crate::element::{Element, Float};
use crate::graph::source::{fill_stepped, Flat, FlatFn};
use crate::kernels::rng;

/// The definition of the random streams (version 2); see the module docs of `kernels::rng` in
/// the source, summarized here:
///
/// * positions are flat C-order indices;
/// * the uniform value at position `p` is the `p`-th output `u` (0-based) of
///   `rand_xoshiro::SplitMix64::seed_from_u64(key)` (rand_xoshiro 0.8), that is SplitMix64's
///   mixing function of `key + (p + 1) * PHI` (wrapping, `PHI = 0x9e3779b97f4a7c15`), mapped to
///   `[0, 1)` as `f64::from_bits(u >> 12 | 0x3ff << 52) - 1.0`; `uniform(lo, hi)` is
///   `lo + (hi - lo) * u01`, capped below `hi`;
/// * the other distributions group positions in blocks of 1024: block `b` has the generator
///   `Xoshiro256PlusPlus::seed_from_u64(key + 32 b PHI)`, and position `p` takes its
///   `(p % 1024)`-th sample (normals: `rand_distr::StandardNormal`, rand_distr 0.6, scaled as
///   `mean + std * z`).
///
/// Version 1 (until December 2026) drew uniform values from eight xoshiro256++ lanes per block
/// of 1024 positions; normal values are the same in both.
pub const STREAM: &str =
    "chunkwise-v2: uniform = SplitMix64 by position; other distributions = xoshiro256++ per 1024-position block";

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
    fn fill_flat(&self, start: u64, step: u64, out: &mut [f64]) {
        let len = out.len();
        rng::fill_uniform_runs(self.key, self.lo, self.hi, &[start], len, step, out);
    }
    fn fill_runs(&self, starts: &[u64], len: usize, step: u64, out: &mut [f64]) {
        rng::fill_uniform_runs(self.key, self.lo, self.hi, starts, len, step, out);
    }
}

struct Normal {
    key: u64,
    mean: f64,
    std: f64,
}
impl FlatFn<f64> for Normal {
    fn by_position(&self) -> bool {
        false
    }
    fn fill_flat(&self, start: u64, step: u64, out: &mut [f64]) {
        fill_stepped(start, step, out, |p, out| {
            rng::fill_normal(self.key, self.mean, self.std, p, out)
        });
    }
}

/// Values drawn by a sampling function (a rand_distr distribution) from each block's generator.
struct Sampled<T, F> {
    key: u64,
    sample: F,
    _t: PhantomData<fn() -> T>,
}
impl<T: Element, F> FlatFn<T> for Sampled<T, F>
where
    F: Fn(&mut Xoshiro256PlusPlus) -> T + Send + Sync + 'static,
{
    fn by_position(&self) -> bool {
        false
    }
    fn fill_flat(&self, start: u64, step: u64, out: &mut [T]) {
        fill_stepped(start, step, out, |p, out| {
            rng::fill_sampled(self.key, p, out, &self.sample)
        });
    }
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

    /// [`random`](Self::random) as `T` (`f32` or `f64`): NumPy's `rng.random(shape,
    /// dtype=np.float32)`. See [`uniform_as`](Self::uniform_as) for how `f32` values are made.
    pub fn random_as<T: Float>(&mut self, shape: impl IntoShape) -> ChunkedArray<T> {
        self.uniform_as(0.0, 1.0, shape)
    }

    /// [`uniform`](Self::uniform) as `T`. An `f32` value is the `f64` value of the same seed and
    /// position rounded to `f32`, and kept below `hi`: so `f32` and `f64` draws agree to `f32`
    /// precision (NumPy's `f32` stream differs from its `f64` one, and from this).
    ///
    /// ```
    /// let a = chunkwise::random::default_rng(3).random_as::<f32>(1000).compute()?;
    /// let b = chunkwise::random::default_rng(3).random(1000).compute()?;
    /// assert!(a.iter().zip(&b).all(|(&x, &y)| x == y as f32 || x < 1.0 && y as f32 == 1.0));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn uniform_as<T: Float>(
        &mut self,
        lo: f64,
        hi: f64,
        shape: impl IntoShape,
    ) -> ChunkedArray<T> {
        let x = self.uniform(lo, hi, shape);
        let top = T::from_f64(hi);
        // The largest `T` below `hi` (rounding to `T` may reach it); `lo` itself when the
        // interval is a point.
        let cap = if hi > lo && top.n_to_f64() >= hi {
            top.next_below()
        } else {
            top
        };
        retype(&x, move |v| {
            let t = T::from_f64(v);
            if t > cap {
                cap
            } else {
                t
            }
        })
    }

    /// [`standard_normal`](Self::standard_normal) as `T` (the `f64` values rounded).
    pub fn standard_normal_as<T: Float>(&mut self, shape: impl IntoShape) -> ChunkedArray<T> {
        self.normal_as(0.0, 1.0, shape)
    }

    /// [`normal`](Self::normal) as `T` (the `f64` values rounded).
    pub fn normal_as<T: Float>(
        &mut self,
        mean: f64,
        std: f64,
        shape: impl IntoShape,
    ) -> ChunkedArray<T> {
        retype(&self.normal(mean, std, shape), T::from_f64)
    }

    /// A draw from `dist` (built from checked parameters, or the constructor's error), mapped
    /// to the element type by `to`.
    fn sampled<T: Element, U, D, E>(
        &mut self,
        name: String,
        shape: Vec<usize>,
        dist: Result<D, E>,
        to: fn(U) -> T,
    ) -> ChunkedArray<T>
    where
        D: Distribution<U> + Send + Sync + 'static,
        E: std::fmt::Display,
        U: 'static,
    {
        let key = self.next_key();
        match dist {
            Ok(d) => source(
                name,
                shape,
                Arc::new(Flat(Sampled {
                    key,
                    sample: move |r: &mut Xoshiro256PlusPlus| to(d.sample(r)),
                    _t: PhantomData,
                })),
            ),
            Err(e) => bad_param(&name, shape, "parameters", &name, &e.to_string()),
        }
    }

    /// Integers uniform in `[lo, hi)` (NumPy's `integers(lo, hi)`), without modulo bias (rand's
    /// `Uniform`, by rejection). `lo >= hi` is an error at compute.
    ///
    /// ```
    /// let d = chunkwise::random::default_rng(1).integers(1, 7, [10_000]).compute()?;
    /// assert!(d.iter().all(|&v| (1..7).contains(&v)));
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn integers(&mut self, lo: i64, hi: i64, shape: impl IntoShape) -> ChunkedArray<i64> {
        let dist = rand::distr::Uniform::new(lo, hi);
        self.sampled(
            format!("integers({lo}, {hi})"),
            shape.into_shape_vec(),
            dist,
            |v| v,
        )
    }

    /// Exponential with mean `scale` (NumPy's `exponential(scale)`; `scale > 0`).
    pub fn exponential(&mut self, scale: f64, shape: impl IntoShape) -> ChunkedArray<f64> {
        let dist = if scale > 0.0 && scale.is_finite() {
            rand_distr::Exp::new(1.0 / scale).map_err(|e| e.to_string())
        } else {
            Err("scale must be positive and finite".to_string())
        };
        self.sampled(
            format!("exponential({scale})"),
            shape.into_shape_vec(),
            dist,
            |v| v,
        )
    }

    /// Gamma with shape `k` and scale `theta` (NumPy's `gamma(shape, scale)`: mean `k theta`).
    pub fn gamma(&mut self, k: f64, theta: f64, shape: impl IntoShape) -> ChunkedArray<f64> {
        let dist = rand_distr::Gamma::new(k, theta);
        self.sampled(
            format!("gamma({k}, {theta})"),
            shape.into_shape_vec(),
            dist,
            |v| v,
        )
    }

    /// Beta with parameters `a`, `b` (NumPy's `beta`: mean `a / (a + b)`).
    pub fn beta(&mut self, a: f64, b: f64, shape: impl IntoShape) -> ChunkedArray<f64> {
        let dist = rand_distr::Beta::new(a, b);
        self.sampled(
            format!("beta({a}, {b})"),
            shape.into_shape_vec(),
            dist,
            |v| v,
        )
    }

    /// Poisson counts of mean `lam`, as `i64` (NumPy's `poisson`).
    pub fn poisson(&mut self, lam: f64, shape: impl IntoShape) -> ChunkedArray<i64> {
        let dist = rand_distr::Poisson::new(lam);
        self.sampled(
            format!("poisson({lam})"),
            shape.into_shape_vec(),
            dist,
            |v: f64| v as i64,
        )
    }

    /// Successes in `n` trials of probability `p`, as `i64` (NumPy's `binomial`).
    pub fn binomial(&mut self, n: u64, p: f64, shape: impl IntoShape) -> ChunkedArray<i64> {
        let dist = rand_distr::Binomial::new(n, p);
        self.sampled(
            format!("binomial({n}, {p})"),
            shape.into_shape_vec(),
            dist,
            |v: u64| v as i64,
        )
    }

    /// `exp` of a normal of mean `mean` and standard deviation `sigma` (NumPy's `lognormal`,
    /// whose parameters are the underlying normal's).
    pub fn lognormal(&mut self, mean: f64, sigma: f64, shape: impl IntoShape) -> ChunkedArray<f64> {
        // NumPy needs sigma >= 0 (rand_distr takes a negative one as its absolute value).
        let dist = if sigma >= 0.0 && mean.is_finite() {
            rand_distr::LogNormal::new(mean, sigma).map_err(|e| e.to_string())
        } else {
            Err("mean must be finite and sigma non-negative".to_string())
        };
        self.sampled(
            format!("lognormal({mean}, {sigma})"),
            shape.into_shape_vec(),
            dist,
            |v| v,
        )
    }

    /// Student's t with `df` degrees of freedom (NumPy's `standard_t`).
    pub fn standard_t(&mut self, df: f64, shape: impl IntoShape) -> ChunkedArray<f64> {
        // NumPy needs df > 0 (rand_distr takes 0 too).
        let dist = if df > 0.0 {
            rand_distr::StudentT::new(df).map_err(|e| e.to_string())
        } else {
            Err("df must be positive".to_string())
        };
        self.sampled(
            format!("standard_t({df})"),
            shape.into_shape_vec(),
            dist,
            |v| v,
        )
    }

    /// Chi-squared with `df` degrees of freedom (NumPy's `chisquare`: mean `df`).
    pub fn chisquare(&mut self, df: f64, shape: impl IntoShape) -> ChunkedArray<f64> {
        let dist = if df > 0.0 {
            rand_distr::ChiSquared::new(df).map_err(|e| e.to_string())
        } else {
            Err("df must be positive".to_string())
        };
        self.sampled(
            format!("chisquare({df})"),
            shape.into_shape_vec(),
            dist,
            |v| v,
        )
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
