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

use rand::{Rng, SeedableRng};
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
    key.wrapping_add(
        (block.wrapping_mul(LANES as u64).wrapping_add(lane))
            .wrapping_mul(4)
            .wrapping_mul(PHI),
    )
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

/// One xoshiro256++ step of all lanes; returns the 8 outputs. Written as one short loop per
/// operation over the lane arrays, which the compiler turns into one vector instruction each.
#[inline(always)]
#[allow(clippy::needless_range_loop)]
fn step(s: &mut [[u64; LANES]; 4]) -> [u64; LANES] {
    let [mut s0, mut s1, mut s2, mut s3] = *s;
    let mut r = [0u64; LANES];
    let mut t = [0u64; LANES];
    for l in 0..LANES {
        r[l] = s0[l]
            .wrapping_add(s3[l])
            .rotate_left(23)
            .wrapping_add(s0[l]);
    }
    for l in 0..LANES {
        t[l] = s1[l] << 17;
    }
    for l in 0..LANES {
        s2[l] ^= s0[l];
    }
    for l in 0..LANES {
        s3[l] ^= s1[l];
    }
    for l in 0..LANES {
        s1[l] ^= s2[l];
    }
    for l in 0..LANES {
        s0[l] ^= s3[l];
    }
    for l in 0..LANES {
        s2[l] ^= t[l];
    }
    for l in 0..LANES {
        s3[l] = s3[l].rotate_left(45);
    }
    *s = [s0, s1, s2, s3];
    r
}

#[inline(always)]
fn unit_f64(u: u64) -> f64 {
    f64::from_bits((u >> 12) | 0x3ff0_0000_0000_0000) - 1.0
}

/// Fills `out` (a multiple of 8 long) with `lo + scale * u01`, capped at `cap`, from the lanes.
///
/// The hottest loop of the random sources, so it dispatches by hand: AVX-512 (one register holds
/// all eight lanes) or AVX2 (two), else the portable loop. All versions compute
/// `lo + scale * u01` with a separate multiply and add (no FMA), so every CPU gives the same bits.
fn uniform_steps(lanes: &mut Lanes, out: &mut [f64], lo: f64, scale: f64, cap: f64) {
    debug_assert_eq!(out.len() % LANES, 0);
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F.
            return unsafe { x86::uniform_steps_avx512(lanes, out, lo, scale, cap) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2.
            return unsafe { x86::uniform_steps_avx2(lanes, out, lo, scale, cap) };
        }
    }
    uniform_steps_portable(lanes, out, lo, scale, cap)
}

fn uniform_steps_portable(lanes: &mut Lanes, out: &mut [f64], lo: f64, scale: f64, cap: f64) {
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

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{Lanes, LANES};
    use std::arch::x86_64::*;

    const ONE_BITS: i64 = 0x3ff0_0000_0000_0000;

    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn uniform_steps_avx512(
        lanes: &mut Lanes,
        out: &mut [f64],
        lo: f64,
        scale: f64,
        cap: f64,
    ) {
        let ld = |w: &[u64; LANES]| unsafe { _mm512_loadu_si512(w.as_ptr().cast()) };
        let (mut s0, mut s1, mut s2, mut s3) = (
            ld(&lanes.s[0]),
            ld(&lanes.s[1]),
            ld(&lanes.s[2]),
            ld(&lanes.s[3]),
        );
        let (vlo, vscale, vcap) = (
            _mm512_set1_pd(lo),
            _mm512_set1_pd(scale),
            _mm512_set1_pd(cap),
        );
        let (one_bits, one) = (_mm512_set1_epi64(ONE_BITS), _mm512_set1_pd(1.0));
        for o in out.chunks_exact_mut(LANES) {
            let r = _mm512_add_epi64(_mm512_rol_epi64::<23>(_mm512_add_epi64(s0, s3)), s0);
            let t = _mm512_slli_epi64::<17>(s1);
            s2 = _mm512_xor_si512(s2, s0);
            s3 = _mm512_xor_si512(s3, s1);
            s1 = _mm512_xor_si512(s1, s2);
            s0 = _mm512_xor_si512(s0, s3);
            s2 = _mm512_xor_si512(s2, t);
            s3 = _mm512_rol_epi64::<45>(s3);
            let u = _mm512_sub_pd(
                _mm512_castsi512_pd(_mm512_or_si512(_mm512_srli_epi64::<12>(r), one_bits)),
                one,
            );
            let v = _mm512_add_pd(vlo, _mm512_mul_pd(vscale, u));
            // min(v, cap) is v unless v >= cap, as the portable `if v < cap { v } else { cap }`.
            let v = _mm512_min_pd(v, vcap);
            // SAFETY: o has LANES elements.
            unsafe { _mm512_storeu_pd(o.as_mut_ptr(), v) };
        }
        let st = |w: &mut [u64; LANES], v: __m512i| unsafe {
            _mm512_storeu_si512(w.as_mut_ptr().cast(), v)
        };
        st(&mut lanes.s[0], s0);
        st(&mut lanes.s[1], s1);
        st(&mut lanes.s[2], s2);
        st(&mut lanes.s[3], s3);
    }

    #[inline(always)]
    unsafe fn rol<const L: i32, const R: i32>(x: __m256i) -> __m256i {
        // SAFETY: called only from the `avx2` function below, so AVX2 is enabled.
        unsafe { _mm256_or_si256(_mm256_slli_epi64::<L>(x), _mm256_srli_epi64::<R>(x)) }
    }

    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn uniform_steps_avx2(
        lanes: &mut Lanes,
        out: &mut [f64],
        lo: f64,
        scale: f64,
        cap: f64,
    ) {
        let (vlo, vscale, vcap) = (
            _mm256_set1_pd(lo),
            _mm256_set1_pd(scale),
            _mm256_set1_pd(cap),
        );
        let (one_bits, one) = (_mm256_set1_epi64x(ONE_BITS), _mm256_set1_pd(1.0));
        // Two halves of four lanes each; each half is an independent set of generators.
        for half in 0..2 {
            let ld =
                |w: &[u64; LANES]| unsafe { _mm256_loadu_si256(w.as_ptr().add(4 * half).cast()) };
            let (mut s0, mut s1, mut s2, mut s3) = (
                ld(&lanes.s[0]),
                ld(&lanes.s[1]),
                ld(&lanes.s[2]),
                ld(&lanes.s[3]),
            );
            for o in out.chunks_exact_mut(LANES) {
                let r = _mm256_add_epi64(unsafe { rol::<23, 41>(_mm256_add_epi64(s0, s3)) }, s0);
                let t = _mm256_slli_epi64::<17>(s1);
                s2 = _mm256_xor_si256(s2, s0);
                s3 = _mm256_xor_si256(s3, s1);
                s1 = _mm256_xor_si256(s1, s2);
                s0 = _mm256_xor_si256(s0, s3);
                s2 = _mm256_xor_si256(s2, t);
                s3 = unsafe { rol::<45, 19>(s3) };
                let u = _mm256_sub_pd(
                    _mm256_castsi256_pd(_mm256_or_si256(_mm256_srli_epi64::<12>(r), one_bits)),
                    one,
                );
                let v = _mm256_min_pd(_mm256_add_pd(vlo, _mm256_mul_pd(vscale, u)), vcap);
                // SAFETY: o has LANES = 8 elements; this half writes 4 of them.
                unsafe { _mm256_storeu_pd(o.as_mut_ptr().add(4 * half), v) };
            }
            let st = |w: &mut [u64; LANES], v: __m256i| unsafe {
                _mm256_storeu_si256(w.as_mut_ptr().add(4 * half).cast(), v)
            };
            st(&mut lanes.s[0], s0);
            st(&mut lanes.s[1], s1);
            st(&mut lanes.s[2], s2);
            st(&mut lanes.s[3], s3);
        }
    }
}

/// Raw 64-bit outputs, for tests and for the stream's documentation.
#[cfg(test)]
pub(crate) fn raw_steps(lanes: &mut Lanes, out: &mut [u64]) {
    for o in out.chunks_exact_mut(LANES) {
        o.copy_from_slice(&step(&mut lanes.s));
    }
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

/// The uniform values of flat positions `start..start + out.len()` of stream `key`:
/// `lo + (hi - lo) * u01`, never reaching `hi` (when `hi > lo`).
pub fn fill_uniform(key: u64, lo: f64, hi: f64, start: u64, out: &mut [f64]) {
    let scale = hi - lo;
    // The largest value below hi: lo + scale * u01 can round up to hi for some lo, hi.
    let cap = if hi > lo { prev_below(hi) } else { lo };
    for_each_block(start, out.len(), |block, off, range| {
        let mut lanes = Lanes::new(key, block);
        let out = &mut out[range];
        if off == 0 && out.len().is_multiple_of(LANES) {
            uniform_steps(&mut lanes, out, lo, scale, cap);
            return;
        }
        // A block cut by a chunk or tile edge (every tile of a row whose length is not a
        // multiple of 1024). The whole steps inside the piece are generated straight into
        // `out`; the steps before it, and the ones it starts or ends inside, go through a small
        // scratch. (A scratch block of 1024 values, zeroed and copied from for every cut
        // block, cost about 5% of pi's time on [2, 1e8] points.)
        let mut scratch = [0f64; 8 * LANES];
        let mut skip = off / LANES * LANES;
        while skip > 0 {
            let n = skip.min(scratch.len());
            uniform_steps(&mut lanes, &mut scratch[..n], lo, scale, cap);
            skip -= n;
        }
        let mut done = 0;
        let head = off % LANES;
        if head != 0 {
            uniform_steps(&mut lanes, &mut scratch[..LANES], lo, scale, cap);
            done = (LANES - head).min(out.len());
            out[..done].copy_from_slice(&scratch[head..head + done]);
        }
        let body = (out.len() - done) / LANES * LANES;
        uniform_steps(&mut lanes, &mut out[done..done + body], lo, scale, cap);
        done += body;
        if done < out.len() {
            uniform_steps(&mut lanes, &mut scratch[..LANES], lo, scale, cap);
            let rest = out.len() - done;
            out[done..].copy_from_slice(&scratch[..rest]);
        }
    });
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
/// distribution but the uniform: each 1024-position block has one generator (its lane 0's,
/// [`lane_seed`]) and `sample` draws the block's values from it in position order, so a
/// position's value is the same whatever chunk asks for it (a chunk starting inside a block
/// replays the samples before it).
pub fn fill_sampled<T>(
    key: u64,
    start: u64,
    out: &mut [T],
    sample: impl Fn(&mut Xoshiro256PlusPlus) -> T,
) {
    for_each_block(start, out.len(), |block, off, range| {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(lane_seed(key, block, 0));
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
                    assert_eq!(
                        raw[s * LANES + lane],
                        g.next_u64(),
                        "block {block} lane {lane} step {s}"
                    );
                }
            }
        }
    }

    #[test]
    fn uniform_depends_on_position_only() {
        let key = 7;
        // The reference: whole blocks from the portable kernel, no block cut anywhere.
        let mut blocks = vec![0.0; 5 * BLOCK];
        for (b, block) in blocks.chunks_exact_mut(BLOCK).enumerate() {
            let mut lanes = Lanes::new(key, b as u64);
            uniform_steps_portable(&mut lanes, block, -1.0, 2.0, prev_below(1.0));
        }
        let whole = &blocks[100..5100];
        // Pieces starting and ending at, just before and just after step and block edges
        // (`whole` starts at position 100, inside block 0's step 12).
        let edges = [
            0usize, 1, 3, 4, 5, 11, 12, 13, 100, 155, 156, 157, 924, 1023, 1024,
        ];
        for a in edges.iter().flat_map(|&e| [e, e + 1024, e + 2040]) {
            for len in [
                0usize, 1, 3, 7, 8, 9, 15, 16, 17, 64, 65, 500, 1023, 1024, 1025, 2000,
            ] {
                let b = (a + len).min(whole.len());
                let mut part = vec![0.0; b - a];
                fill_uniform(key, -1.0, 1.0, 100 + a as u64, &mut part);
                assert_eq!(part, whole[a..b], "positions 100 + {a}..{b}");
            }
        }
        assert!(whole.iter().all(|&v| (-1.0..1.0).contains(&v)));
        let mut z = vec![0.0; 3000];
        fill_normal(key, 0.0, 1.0, 10, &mut z);
        let mut zp = vec![0.0; 100];
        fill_normal(key, 0.0, 1.0, 1500, &mut zp);
        assert_eq!(zp, z[1490..1590]);
    }

    #[test]
    fn every_dispatch_level_gives_the_same_bits() {
        let mut want = vec![0.0; BLOCK];
        uniform_steps_portable(&mut Lanes::new(3, 9), &mut want, -1.0, 2.0, prev_below(1.0));
        #[cfg(target_arch = "x86_64")]
        {
            let mut got = vec![0.0; BLOCK];
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: checked above.
                unsafe {
                    x86::uniform_steps_avx2(
                        &mut Lanes::new(3, 9),
                        &mut got,
                        -1.0,
                        2.0,
                        prev_below(1.0),
                    )
                };
                assert_eq!(got, want);
            }
            if std::arch::is_x86_feature_detected!("avx512f") {
                // SAFETY: checked above.
                unsafe {
                    x86::uniform_steps_avx512(
                        &mut Lanes::new(3, 9),
                        &mut got,
                        -1.0,
                        2.0,
                        prev_below(1.0),
                    )
                };
                assert_eq!(got, want);
            }
        }
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
