//! Random numbers by position: the value at flat position `p` of a draw depends only on the draw's
//! key and `p`, never on chunks or workers.
//!
//! # The stream (version 2)
//! The uniform value at flat (C-order) position `p` comes from the `p`-th 64-bit output `u`
//! (0-based) of `rand_xoshiro::SplitMix64::seed_from_u64(key)`, that is SplitMix64's mixing
//! function of `key + (p + 1) * PHI` (wrapping, `PHI = 0x9e3779b97f4a7c15`), mapped to `[0, 1)`
//! by the 52-bit mantissa method `f64::from_bits(u >> 12 | 0x3ff0 << 48) - 1.0`.
//!
//! Counter-based, as JAX's and cuRAND's streams are: any position costs the same two
//! multiplies, so a box of any shape (a transposed tile reads a column of the array) is drawn
//! at the speed of a row, and eight neighbouring positions are eight independent lanes of one
//! vector instruction. (Version 1 ran eight xoshiro256++ lanes per block of 1024 positions: a
//! read starting inside a block replayed the block up to it, half a block on average.)
//!
//! Normal variates and the other distributions use one generator per block of [`BLOCK`] = 1024
//! positions, `Xoshiro256PlusPlus::seed_from_u64(key + 32 * b * PHI)` for block `b` (rand_xoshiro
//! 0.8), and take the `(p % 1024)`-th sample of it (`rand_distr::StandardNormal`'s ziggurat for
//! normals): rejection samplers draw a varying number of words, so their positions cannot be
//! counted.

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// Positions per block of the random streams.
pub const BLOCK: usize = 1024;
/// SplitMix64's increment.
const PHI: u64 = 0x9e37_79b9_7f4a_7c15;

/// The seed of block `block`'s generator in stream `key` (its lane-0 seed in version 1 of the
/// stream, kept so that normal values did not change).
#[inline]
pub fn block_seed(key: u64, block: u64) -> u64 {
    key.wrapping_add(block.wrapping_mul(32).wrapping_mul(PHI))
}

/// SplitMix64's output function (Steele, Lea and Flood 2014, the constants of `rand_xoshiro`).
#[inline(always)]
fn mix(z: u64) -> u64 {
    let z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[inline(always)]
fn unit_f64(u: u64) -> f64 {
    f64::from_bits((u >> 12) | 0x3ff0_0000_0000_0000) - 1.0
}

/// Splits positions `start..start + len` at block edges, calling `f(block, offset in block,
/// range of the output)` for each piece, in order.
fn for_each_block(start: u64, len: usize, mut f: impl FnMut(u64, usize, std::ops::Range<usize>)) {
    let mut done = 0usize;
    let mut pos = start;
    while done < len {
        let off = (pos % BLOCK as u64) as usize;
        let take = (BLOCK - off).min(len - done);
        f(pos / BLOCK as u64, off, done..done + take);
        done += take;
        pos += take as u64;
    }
}

/// The uniform values of flat positions `start..start + out.len()` of stream `key` (one run of
/// [`fill_uniform_runs`], for the tests).
#[cfg(test)]
pub fn fill_uniform(key: u64, lo: f64, hi: f64, start: u64, out: &mut [f64]) {
    let len = out.len();
    fill_uniform_runs(key, lo, hi, &[start], len, 1, out);
}

/// The uniform values of stream `key`, `lo + (hi - lo) * u01`, never reaching `hi` (when
/// `hi > lo`), of runs of `len` positions `step` apart, starting at each of `starts`, one
/// after another in `out`: the rows of a box (step 1; a transpose's panel reads runs of 16),
/// or of a transposed one (`step` the stride of the axis that becomes the last), in one call
/// of the CPU's version of the kernel rather than one call and one vector prologue per run.
pub fn fill_uniform_runs(
    key: u64,
    lo: f64,
    hi: f64,
    starts: &[u64],
    len: usize,
    step: u64,
    out: &mut [f64],
) {
    debug_assert_eq!(out.len(), starts.len() * len);
    let (scale, cap) = scale_and_cap(lo, hi);
    uniform_runs(key, starts, len, step, out, lo, scale, cap);
}

/// `hi - lo`, and the largest value below hi: lo + scale * u01 can round up to hi for some lo,
/// hi.
fn scale_and_cap(lo: f64, hi: f64) -> (f64, f64) {
    (hi - lo, if hi > lo { prev_below(hi) } else { lo })
}

/// Fills `out` with `lo + scale * u01` capped at `cap` for the runs of `len` positions `step`
/// apart from each of `starts`: the hottest loop of the random sources. Plain lanes of independent integer
/// arithmetic, which every vector width computes alike; the multiply and add are separate (no
/// FMA), so every CPU gives the same bits.
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl+avx2+fma",
    "x86_64+avx2+fma",
    "x86_64+sse4.2",
    "aarch64+neon"
))]
#[allow(clippy::too_many_arguments)]
fn uniform_runs(
    key: u64,
    starts: &[u64],
    len: usize,
    step: u64,
    out: &mut [f64],
    lo: f64,
    scale: f64,
    cap: f64,
) {
    // Position `p` is counter `key + (p + 1) * PHI`: `step` positions are `step * PHI` apart.
    let inc = step.wrapping_mul(PHI);
    for (&start, out) in starts.iter().zip(out.chunks_exact_mut(len.max(1))) {
        // A linear induction variable: the vectorizer steps a vector of counters `inc` apart.
        let mut s = key.wrapping_add(start.wrapping_add(1).wrapping_mul(PHI));
        for o in out.iter_mut() {
            let v = lo + scale * unit_f64(mix(s));
            *o = if v < cap { v } else { cap };
            s = s.wrapping_add(inc);
        }
    }
}

/// The standard normal values of flat positions `start..start + out.len()` of stream `key`,
/// scaled as `mean + std * z`.
pub fn fill_normal(key: u64, mean: f64, std: f64, start: u64, out: &mut [f64]) {
    use rand_distr::{Distribution, StandardNormal};
    fill_sampled(key, start, out, |rng| {
        let z: f64 = StandardNormal.sample(rng);
        mean + std * z
    });
}

/// The values of flat positions `start..start + out.len()` of stream `key` for every
/// distribution but the uniform: each 1024-position block has one generator
/// ([`block_seed`]) and `sample` draws the block's values from it in position order, so a
/// position's value is the same whatever chunk asks for it (a chunk starting inside a block
/// replays the samples before it).
pub fn fill_sampled<T>(
    key: u64,
    start: u64,
    out: &mut [T],
    sample: impl Fn(&mut Xoshiro256PlusPlus) -> T,
) {
    for_each_block(start, out.len(), |block, off, range| {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(block_seed(key, block));
        for _ in 0..off {
            let _ = sample(&mut rng);
        }
        for o in &mut out[range] {
            *o = sample(&mut rng);
        }
    });
}

fn prev_below(x: f64) -> f64 {
    // x is finite here (parameters are checked when the array is built).
    if x == 0.0 {
        -f64::from_bits(1)
    } else if x > 0.0 {
        f64::from_bits(x.to_bits() - 1)
    } else {
        f64::from_bits(x.to_bits() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;
    use rand_xoshiro::SplitMix64;

    /// The stream's definition, one position at a time, in plain scalar code.
    fn reference(key: u64, lo: f64, hi: f64, start: u64, len: usize) -> Vec<f64> {
        let mut g = SplitMix64::seed_from_u64(key);
        for _ in 0..start {
            g.next_u64();
        }
        let cap = if hi > lo { prev_below(hi) } else { lo };
        (0..len)
            .map(|_| {
                let v = lo + (hi - lo) * unit_f64(g.next_u64());
                if v < cap {
                    v
                } else {
                    cap
                }
            })
            .collect()
    }

    #[test]
    fn uniform_is_rand_xoshiros_splitmix64_by_position() {
        let key = 0xdead_beef;
        // The reference steps rand_xoshiro's generator; the kernel (the CPU's best version:
        // AVX-512 or AVX2 where there is one) computes each position directly.
        let whole = reference(key, -1.0, 1.0, 100, 5000);
        let mut got = vec![0.0; 5000];
        fill_uniform(key, -1.0, 1.0, 100, &mut got);
        assert_eq!(got, whole);
        // Pieces starting and ending anywhere, lane groups cut or not.
        for a in [0usize, 1, 3, 7, 8, 9, 100, 1023, 1024, 1025, 2047] {
            for len in [0usize, 1, 3, 7, 8, 9, 15, 16, 17, 64, 65, 1000, 2000] {
                let b = (a + len).min(whole.len());
                let mut part = vec![0.0; b - a];
                fill_uniform(key, -1.0, 1.0, 100 + a as u64, &mut part);
                assert_eq!(part, whole[a..b], "positions 100 + {a}..{b}");
            }
        }
        assert!(whole.iter().all(|&v| (-1.0..1.0).contains(&v)));
        // Far positions wrap the counter and cost no more than near ones.
        let far = u64::MAX - 20;
        let mut tail = vec![0.0; 20];
        fill_uniform(key, 0.0, 1.0, far, &mut tail);
        let mut want = key.wrapping_add(far.wrapping_add(1).wrapping_mul(PHI));
        for v in &tail {
            assert_eq!(*v, unit_f64(mix(want)));
            want = want.wrapping_add(PHI);
        }
    }

    #[test]
    fn strided_runs_are_the_positions_they_step_over() {
        let key = 0x5eed;
        let whole = reference(key, -2.0, 3.0, 0, 4000);
        // Runs of a transposed 40 x 100 box: column j of rows 0..40 is positions j, j + 100, ...
        for (starts, len, step) in [
            (vec![0u64, 1, 2, 99], 40usize, 100u64),
            (vec![5, 17], 3, 1000),
            (vec![3], 1, 7),
            (vec![0, 1], 0, 9),
            (vec![11, 12, 13], 17, 1),
        ] {
            let mut got = vec![0.0; starts.len() * len];
            fill_uniform_runs(key, -2.0, 3.0, &starts, len, step, &mut got);
            let want: Vec<f64> = starts
                .iter()
                .flat_map(|&s| (0..len as u64).map(move |i| (s + i * step) as usize))
                .map(|p| whole[p])
                .collect();
            assert_eq!(got, want, "starts {starts:?}, {len} long, step {step}");
        }
        // A step that wraps the counter: positions near the end of the index space.
        let mut got = [0.0; 3];
        let step = u64::MAX / 4;
        fill_uniform_runs(key, 0.0, 1.0, &[1], 3, step, &mut got);
        for (i, v) in got.iter().enumerate() {
            let p = 1 + i as u64 * step;
            assert_eq!(
                *v,
                unit_f64(mix(key.wrapping_add((p + 1).wrapping_mul(PHI))))
            );
        }
    }

    #[test]
    fn sampled_values_depend_on_position_only() {
        let key = 7;
        let mut z = vec![0.0; 3000];
        fill_normal(key, 0.0, 1.0, 10, &mut z);
        for (a, len) in [
            (1490usize, 100usize),
            (0, 1),
            (1013, 1),
            (1014, 1986),
            (5, 2995),
        ] {
            let mut part = vec![0.0; len];
            fill_normal(key, 0.0, 1.0, 10 + a as u64, &mut part);
            assert_eq!(part, z[a..a + len], "positions 10 + {a}, {len} long");
        }
        // Block b's generator is seeded with block_seed(key, b); its samples in order.
        use rand_distr::{Distribution, StandardNormal};
        let mut g = Xoshiro256PlusPlus::seed_from_u64(block_seed(key, 1));
        for (i, v) in z[1014..1014 + 1024].iter().enumerate() {
            let want: f64 = StandardNormal.sample(&mut g);
            assert_eq!(*v, want, "position {}", 1024 + i);
        }
    }

    #[test]
    fn uniform_never_reaches_hi() {
        let mut v = vec![0.0; 4096];
        fill_uniform(1, 0.1, 0.3, 0, &mut v);
        assert!(v.iter().all(|&x| (0.1..0.3).contains(&x)));
        fill_uniform(1, 2.0, 2.0, 0, &mut v);
        assert!(v.iter().all(|&x| x == 2.0));
        assert_eq!(v, reference(1, 2.0, 2.0, 0, 4096));
    }
}
