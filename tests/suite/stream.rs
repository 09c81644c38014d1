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
    // The normal draws (third, fourth, sixth) were taken from commit 2d84dfb and kept by
    // version 2 of the stream; the uniform ones are version 2's (SplitMix64 by position),
    // taken when it replaced version 1's xoshiro lanes, and checked there against
    // rand_xoshiro's `SplitMix64` position by position (`kernels::rng`'s unit tests).
    let want: [u64; 7] = [
        0x91da33266e5aae97,
        0xc2eb1f25fe66fbe6,
        0xd3732d127a5b55d0,
        0xfd472dd0dcbf47c9,
        0xa45ce41cf1af16e2,
        0x9c63e0fb47dfba74,
        0xfe5c54be59da0ed2,
    ];
    assert_eq!(got, want);
}
