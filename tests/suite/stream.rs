//! The random stream is pinned: these hashes of exact bit patterns were taken from the
//! documented stream (`chunkwise::random::STREAM`), so any change of a dependency (rand,
//! rand_distr, rand_xoshiro) or of a kernel that would change a single drawn value fails here.

use chunkwise::ndarray::s;

/// FNV-1a over the values' bit patterns.
fn fnv(bits: impl IntoIterator<Item = u64>) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in bits {
        for byte in b.to_le_bytes() {
            h ^= byte as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

fn hash(x: &chunkwise::ChunkedArray<f64>) -> u64 {
    fnv(x.compute().unwrap().iter().map(|v| v.to_bits()))
}

#[test]
fn the_documented_stream_keeps_its_values() {
    let got = [
        // The start of each draw, across several blocks of 1024.
        hash(&chunkwise::random::default_rng(0).random([5000])),
        hash(&chunkwise::random::default_rng(12345).uniform(-1.0, 1.0, [3, 777])),
        hash(&chunkwise::random::default_rng(0).standard_normal([5000])),
        hash(&chunkwise::random::default_rng(7).normal(3.0, 0.5, [2, 1500])),
        // Far positions: the stream is keyed by position, not by draws before it.
        hash(
            &chunkwise::random::default_rng(1)
                .random([1_000_000_000_000_000_000])
                .slice(s![999_999_999_999_000isize..999_999_999_999_100])
                .unwrap(),
        ),
        hash(
            &chunkwise::random::default_rng(1)
                .standard_normal([1 << 40])
                .slice(s![(1isize << 39)..(1isize << 39) + 100])
                .unwrap(),
        ),
        // A second draw of one generator.
        {
            let mut g = chunkwise::random::default_rng(99);
            let _first = g.random([10]);
            hash(&g.random([2048]))
        },
    ];
    println!("{got:#018x?}");
    // Taken from commit 2d84dfb (the first four and the last; it could not build the far
    // arrays) and this one (all seven).
    let want: [u64; 7] = [
        0x2c1f90715a0ad1b4,
        0x1e3afc83a50fe803,
        0xd3732d127a5b55d0,
        0xfd472dd0dcbf47c9,
        0xa0ab406c4438e79f,
        0x9c63e0fb47dfba74,
        0x67f47dbe52d001fb,
    ];
    assert_eq!(got, want);
}
