//! Random numbers by position: the value at flat position `p` of a draw depends only on the draw's
//! key and `p`, never on chunks or workers.
//!
//! # The stream (version 1)
//! Positions are grouped in blocks of [`BLOCK`] = 1024 consecutive flat (C-order) positions.
//! Within block `b`, position `p` belongs to lane `l = p % 8` at step `s = (p % 1024) / 8`.
//! Lane `l` of block `b` is the generator
//! `rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(key + (8 b + l) * 4 * PHI)` (wrapping
//! arithmetic, `PHI = 0x9e3779b97f4a7c15`): SplitMix64 seeded that way fills the state, and the
//! multiplier 4 makes the four SplitMix64 outputs of every (block, lane) pair disjoint from all
//! others. The value at `p` is that lane's `s`-th 64-bit output `u` (0-based), mapped to
//! `[0, 1)` by the 52-bit mantissa method `f64::from_bits(u >> 12 | 0x3ff0 << 48) - 1.0`.
//!
//! Eight interleaved lanes are what make it fast: one step of all lanes is a handful of 512-bit
//! (or 2x256-bit) integer instructions, with no dependence between neighbouring positions.
//!
//! Normal variates use one generator per block (the lane-0 generator above) and take the
//! `(p % 1024)`-th `rand_distr::StandardNormal` sample of it (ziggurat, rand_distr 0.5).

use multiversion::multiversion;
use rand::{RngCore, SeedableRng};
use rand_xoshiro::{SplitMix64, Xoshiro256PlusPlus};

/// Positions per block of the random streams.
pub const BLOCK: usize = 1024;
/// Interleaved generator lanes per block.
pub const LANES: usize = 8;
/// SplitMix64's increment.
const PHI: u64 = 0x9e37_79b9_7f4a_7c15;

/// The SplitMix64 seed of lane `lane` of block `block` of the stream `key`.
#[inline]
pub fn lane_seed(key: u64, block: u64, lane: u64) -> u64 {
    key.wrapping_add((block.wrapping_mul(LANES as u64).wrapping_add(lane)).wrapping_mul(4).wrapping_mul(PHI))
}

/// The 8 lane states of one block, structure-of-arrays: `s[word][lane]`.
#[derive(Clone, Copy)]
pub(crate) struct Lanes {
    s: [[u64; LANES]; 4],
}

impl Lanes {
    /// The lanes of `block` in stream `key`, each equal to
    /// `Xoshiro256PlusPlus::seed_from_u64(lane_seed(key, block, lane))`.
    pub(crate) fn new(key: u64, block: u64) -> Self {
        let mut s = [[0u64; LANES]; 4];
        for lane in 0..LANES {
            let mut sm = SplitMix64::seed_from_u64(lane_seed(key, block, lane as u64));
            for word in s.iter_mut() {
                word[lane] = sm.next_u64();
            }
        }
        Lanes { s }
    }
}

/// One xoshiro256++ step of all lanes; returns the 8 outputs.
#[inline(always)]
fn step(s: &mut [[u64; LANES]; 4]) -> [u64; LANES] {
    let mut r = [0u64; LANES];
    for l in 0..LANES {
        r[l] = s[0][l].wrapping_add(s[3][l]).rotate_left(23).wrapping_add(s[0][l]);
        let t = s[1][l] << 17;
        s[2][l] ^= s[0][l];
        s[3][l] ^= s[1][l];
        s[1][l] ^= s[2][l];
        s[0][l] ^= s[3][l];
        s[2][l] ^= t;
        s[3][l] = s[3][l].rotate_left(45);
    }
    r
}

#[inline(always)]
fn unit_f64(u: u64) -> f64 {
    f64::from_bits((u >> 12) | 0x3ff0_0000_0000_0000) - 1.0
}

/// Fills `out` (a multiple of 8 long) with `lo + scale * u01`, capped at `cap`, from the lanes.
#[multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512cd+avx512dq+avx512vl+avx2+fma",
    "x86_64+avx2+fma",
    "x86_64+sse4.2",
    "aarch64+neon"
))]
fn uniform_steps(lanes: &mut Lanes, out: &mut [f64], lo: f64, scale: f64, cap: f64) {
    let mut s = lanes.s;
    for o in out.chunks_exact_mut(LANES) {
        let r = step(&mut s);
        for l in 0..LANES {
            let v = lo + scale * unit_f64(r[l]);
            o[l] = if v < cap { v } else { cap };
        }
    }
    lanes.s = s;
}

/// Raw 64-bit outputs, for tests and for the stream's documentation.
#[cfg(test)]
pub(crate) fn raw_steps(lanes: &mut Lanes, out: &mut [u64]) {
    for o in out.chunks_exact_mut(LANES) {
        o.copy_from_slice(&step(&mut lanes.s));
    }
}

/// The uniform values of flat positions `start..start + out.len()` of stream `key`:
/// `lo + (hi - lo) * u01`, never reaching `hi` (when `hi > lo`).
pub fn fill_uniform(key: u64, lo: f64, hi: f64, start: u64, out: &mut [f64]) {
    let scale = hi - lo;
    // The largest value below hi: lo + scale * u01 can round up to hi for some lo, hi.
    let cap = if hi > lo { prev_below(hi) } else { lo };
    let mut done = 0usize;
    let mut pos = start;
    let mut tmp = [0f64; BLOCK];
    while done < out.len() {
        let block = pos / BLOCK as u64;
        let off = (pos % BLOCK as u64) as usize;
        let take = (BLOCK - off).min(out.len() - done);
        let mut lanes = Lanes::new(key, block);
        if off == 0 && take % LANES == 0 {
            uniform_steps(&mut lanes, &mut out[done..done + take], lo, scale, cap);
        } else {
            let need = (off + take).div_ceil(LANES) * LANES;
            uniform_steps(&mut lanes, &mut tmp[..need], lo, scale, cap);
            out[done..done + take].copy_from_slice(&tmp[off..off + take]);
        }
        done += take;
        pos += take as u64;
    }
}

/// The standard normal values of flat positions `start..start + out.len()` of stream `key`,
/// scaled as `mean + std * z`.
pub fn fill_normal(key: u64, mean: f64, std: f64, start: u64, out: &mut [f64]) {
    use rand_distr::{Distribution, StandardNormal};
    let mut done = 0usize;
    let mut pos = start;
    while done < out.len() {
        let block = pos / BLOCK as u64;
        let off = (pos % BLOCK as u64) as usize;
        let take = (BLOCK - off).min(out.len() - done);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(lane_seed(key, block, 0));
        for _ in 0..off {
            let _: f64 = StandardNormal.sample(&mut rng);
        }
        for o in &mut out[done..done + take] {
            let z: f64 = StandardNormal.sample(&mut rng);
            *o = mean + std * z;
        }
        done += take;
        pos += take as u64;
    }
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

    #[test]
    fn lanes_are_rand_xoshiro_generators() {
        let key = 0xdead_beef;
        for block in [0u64, 1, 12345] {
            let mut lanes = Lanes::new(key, block);
            let mut raw = vec![0u64; BLOCK];
            raw_steps(&mut lanes, &mut raw);
            for lane in 0..LANES {
                let mut g = Xoshiro256PlusPlus::seed_from_u64(lane_seed(key, block, lane as u64));
                for s in 0..BLOCK / LANES {
                    assert_eq!(raw[s * LANES + lane], g.next_u64(), "block {block} lane {lane} step {s}");
                }
            }
        }
    }

    #[test]
    fn uniform_depends_on_position_only() {
        let key = 7;
        let mut whole = vec![0.0; 5000];
        fill_uniform(key, -1.0, 1.0, 100, &mut whole);
        for (a, b) in [(0usize, 1usize), (3, 997), (1, 4999), (1024, 3000)] {
            let mut part = vec![0.0; b - a];
            fill_uniform(key, -1.0, 1.0, 100 + a as u64, &mut part);
            assert_eq!(part, whole[a..b]);
        }
        assert!(whole.iter().all(|&v| (-1.0..1.0).contains(&v)));
        let mut z = vec![0.0; 3000];
        fill_normal(key, 0.0, 1.0, 10, &mut z);
        let mut zp = vec![0.0; 100];
        fill_normal(key, 0.0, 1.0, 1500, &mut zp);
        assert_eq!(zp, z[1490..1590]);
    }

    #[test]
    fn uniform_never_reaches_hi() {
        let mut v = vec![0.0; 4096];
        fill_uniform(1, 0.1, 0.3, 0, &mut v);
        assert!(v.iter().all(|&x| (0.1..0.3).contains(&x)));
        fill_uniform(1, 2.0, 2.0, 0, &mut v);
        assert!(v.iter().all(|&x| x == 2.0));
    }
}
