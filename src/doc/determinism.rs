//! Determinism: the same program gives the same bits for any chunking, any number of workers and
//! any number of MPI ranks.
//!
//! Two rules make it so: random values depend on their position, not on who draws them, and every
//! reduction's value is defined by the input's shape alone, not by how it is cut into tasks.
//! Dask and Cubed promise neither (dask/dask#1684).
//!
//! ```
//! # fn main() -> Result<(), chunkwise::Error> {
//! use chunkwise::Config;
//!
//! let x = chunkwise::random::default_rng(7).standard_normal([300_000]);
//! let a: f64 = x.sum().item()?;
//! let three = Config::default().workers(3);
//! let b: f64 = x.rechunk(4097)?.sum().item_with(&three)?;
//! assert_eq!(a.to_bits(), b.to_bits()); // another chunking, three workers: the same bits
//! let v: f64 = x.var().item()?;
//! let w: f64 = x.rechunk(65_537)?.var().item_with(&three)?;
//! assert_eq!(v.to_bits(), w.to_bits());
//! # Ok(())
//! # }
//! ```
//!
//! # Random arrays depend on (seed, draw, position) only
//!
//! Draw `d` (from 0) of [`default_rng(seed)`](crate::random::default_rng) gets as key the
//! `(d+1)`-th output of SplitMix64(seed); the uniform value at position `p` is the `p`-th output
//! of SplitMix64(key) (counter-based: any position costs the same), mapped to `[0, 1)` by the
//! 52-bit mantissa method, and `uniform(lo, hi)` is `lo + (hi - lo) u`. Normals take one
//! rand_xoshiro `Xoshiro256PlusPlus` per block of 1024 positions and rand_distr's
//! `StandardNormal` samples in order. The full definition is
//! [`random::STREAM`](crate::random::STREAM) (and `src/kernels/rng.rs`;
//! `examples/rayon_reference.rs` implements it independently and gets the same pi count). So any
//! chunking and any number of workers give the same values (`tests/suite/determinism.rs`). The stream is
//! chunkwise's own, not NumPy's PCG64: the same seed gives other values than NumPy.
//!
//! ```
//! # fn main() -> Result<(), chunkwise::Error> {
//! let whole = chunkwise::random::default_rng(1).random([10_000]).compute()?;
//! let cut = chunkwise::random::default_rng(1).random([10_000]).rechunk(333)?.compute()?;
//! assert_eq!(whole, cut);
//! // Each draw of one generator is a new stream; a new generator with the same seed repeats them.
//! let mut rng = chunkwise::random::default_rng(1);
//! let first = rng.random([10_000]);
//! let second = rng.random([10_000]);
//! assert_eq!(first.compute()?, whole);
//! assert_ne!(second.compute()?, whole);
//! # Ok(())
//! # }
//! ```
//!
//! # Reductions are bit-identical for any chunking and any number of workers
//!
//! The value of a reduction is defined by the input's shape alone:
//!
//! 1. *leaves*: the sub-box of the reduced axes is cut into the C-order tiles of at most 2048
//!    ([`TILE_LEN`](crate::TILE_LEN)) positions (whole inner reduced axes, a slab of one axis,
//!    single indices before it), each axis cut evenly (`e` positions that tiles cut into `k`
//!    pieces make `k` leaves of `ceil(e / k)`, the last shorter: 20000 is ten leaves of 2000),
//!    which make a grid of leaves; when two axes or more are cut, the grid is grouped into
//!    *cells*, along each axis the extent cut evenly into pieces of at most 2048 positions (a
//!    20000 x 20000 sum has cells of 2000 x 2000 positions, each 2000 leaves of one row);
//! 2. *a leaf is folded* for each output element by a rule fixed by which axes are reduced: when the
//!    reduced axes are the trailing ones (every full reduction), the run kernel over the leaf's
//!    values (compensated for float sums); when the last axis is reduced among others, each row of
//!    the leaf through the run kernel, rows combined in order; when the last axis is kept, a
//!    sequential fold;
//! 3. *leaves combine in the tree of their codes*: a leaf's code interleaves the bits of its
//!    coordinates (with cells: its place in its cell, padded to a power of two, below its
//!    cell's coordinates), the bits inside a cell first, each next bit going to the axis whose
//!    boxes are shortest in positions so far (the later axis on ties), a generalized Morton
//!    order of the leaves of a cell and of the cells, fixed by the extents.
//!    The tree is the binary tree of the codes: a node combines its left child (its next bit
//!    clear) and then its right one, and a node whose other child holds no leaf (a code past the
//!    grid's edge or a cell's) is its one child. Every node's leaves are a box of the input
//!    about as long as it is wide; along one axis this is the power-of-two tree (leaves
//!    `lo..hi` split at `lo + P`, `P` the largest power of two below `hi - lo`).
//!
//! A staged reduction's task folds one node of that tree (its leaves in code order, through a
//! cascade that joins them as the tree does), a box of about one input chunk (a whole block
//! when the chunks are whole cells, as round chunks of round shapes are), and the nodes of
//! that level combine in the tree above them, so any grouping (any chunking, any worker
//! count, any rank count) gives the bits of the one-chunk evaluation. `tests/suite/invariance.rs` checks
//! sum, prod, mean, var, std, min and max over all, one and several axes, with and without
//! `keepdims`, on random shapes, chunkings and worker counts (a proptest), and
//! `cargo run --release --example sum_bits` prints the normal sum of 1e7 values under chunkings
//! 1000, 4097, 65537 and 1e7 on 1 to 3 workers.
//!
//! The same holds for the other reductions built on the canonical tree: the aggregates behind
//! quantiles, histograms, `topk` and `unique` are exact (a weighted histogram sums each bin's
//! weights in a fixed-point accumulator that holds any sum of `f64`s, then rounds once), and
//! the MPI backend combines the ranks' partials in the same tree ([`mpi`](super::mpi)).
//!
//! # What is not invariant
//!
//! * A contraction ([`matmul`](crate::matmul), [`dot`](crate::ChunkedArray::dot),
//!   [`tensordot`](crate::tensordot), [`einsum`](crate::einsum)) sums a block's products over the
//!   blocks of the contracted axis in a fixed order: the same bits for any number of workers, not
//!   for another chunking of that axis, nor (for floats) for another chunking of the output's
//!   axes, since the `gemm` crate's kernel picks its own blocking of each block product from
//!   the block's shape. That kernel is also the CPU's (AVX-512, AVX2 with FMA, or scalar) and
//!   sizes its blocking to the CPU's caches: the bits of a float contraction may differ
//!   between CPUs, as with any BLAS.
//! * A float scan ([`cumsum`](crate::ChunkedArray::cumsum)) restarts each block of the axis from the
//!   compensated sum of the blocks before: the same bits for any number of workers; within a few
//!   ulps of a sequential scan for another chunking.
//! * Random arrays seeded from entropy (`random::random`, `random::uniform`, ...) differ per run.
//!
//! `min`/`max` over `-0.0` and `0.0` return the one the canonical tree keeps (both compare equal):
//! that may differ from NumPy's sequential choice, but it is the same for any chunking.
//!
//! Apart from float contractions (above), results do not depend on the CPU either: the kernels
//! compiled for AVX-512, AVX2, SSE4.2 and the baseline do the same operations in the same order
//! (no FMA contraction).
