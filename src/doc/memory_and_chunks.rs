//! Memory and chunks: how arrays are cut, what a compute holds, and how to bound it.
//!
//! A **chunk** is the unit of scheduling and what the user sees
//! ([`chunks()`](crate::ChunkedArray::chunks), as Dask's `.chunks`): one task per chunk, about
//! half a microsecond of overhead each. A **tile** ([`TILE_LEN`](crate::TILE_LEN) = 2048 elements)
//! is the unit of evaluation inside a task: a chain of ops is evaluated tile by tile, each op
//! filling a tile-sized buffer, so no chunk-sized temporary exists for any intermediate op and a
//! compute that ends in a reduction holds about workers x ops x tile.
//!
//! # Automatic chunks
//!
//! Automatic chunks aim at 4 MiB per chunk ([`AUTO_CHUNK_BYTES`](crate::AUTO_CHUNK_BYTES)), as near
//! to cubes as the shape allows (Dask's `"auto"` rule): axes shorter than the ideal edge stay whole
//! and give their share to the others, and an edge of 1024 or more on the last axis is rounded down
//! to a multiple of 1024. So `uniform(.., [2, 1e9])` has chunks `(2,) x (262144, ...)` and
//! `arange(1e9)` chunks of 524288.
//!
//! ```
//! # fn main() -> Result<(), chunkwise::Error> {
//! let a = chunkwise::arange(1_000_000_000);
//! assert_eq!(a.chunks().axis(0).size(0), 524_288);
//! let pts = chunkwise::random::default_rng(0).uniform(-1.0, 1.0, [2, 1_000_000_000]);
//! assert_eq!((pts.chunks().axis(0).len(), pts.chunks().axis(1).size(0)), (1, 262_144));
//! // Explicit chunks: one size for every axis, one per axis (-1 keeps an axis whole), or lists.
//! let b = chunkwise::zeros::<f32>([10, 1000]).rechunk([-1, 300])?;
//! assert_eq!(b.chunks().to_blocks(), vec![vec![10], vec![300, 300, 300, 100]]);
//! let c = chunkwise::arange(10).rechunk(vec![vec![3, 7]])?;
//! assert_eq!(c.numblocks(), vec![2]);
//! # Ok(())
//! # }
//! ```
//!
//! Explicit chunks: `.rechunk(1000)`, `.rechunk([2, 100_000])`, `.rechunk([-1, 4096])` (-1 keeps the
//! axis whole; sizes above the extent are clamped, as Dask), `.rechunk(vec![vec![3, 7], vec![5]])`
//! ([`IntoChunks`](crate::IntoChunks)).
//!
//! # Chunks against tiles and leaves
//!
//! Since every op can produce any region of itself, a [`rechunk`](crate::ChunkedArray::rechunk)
//! moves no data. A reduction over an axis that is one chunk runs inline in its consumer's tiles
//! (that is how `sum_with(0, ..)` over the `(2, N)` points of pi never materializes N values); over an
//! axis split in several chunks it runs as its own stage. Its tasks are groups of *canonical leaves*
//! (see [`determinism`](super::determinism)), about one input chunk each: chunks smaller than a leaf
//! (2048 reduced positions) are merged, so `arange(1000).rechunk(10).sum()` is one task, not 100.
//!
//! **Movement without data movement.** Every node produces any region of itself, so movement ops map
//! regions: a slice asks its input for the sliced box (reading sparse steps one index at a time), a
//! transpose for the transposed box, a reshape for the input row segments of each output row, a
//! concatenate for the pieces of each input. Slices and transposes therefore push down to the
//! sources by construction (`arange(1e9).slice(s![..10])` computes ten values). A `rechunk` between
//! any two grids lets each task of the new grid pull its region from the input (recomputing sources,
//! reading held results), so no intermediate grid is ever needed and the memory is the consumer's
//! tiles. `tests/suite/movement.rs` rechunks a 1e4 x 1e4 f64 array from (1e4, 100) to (100, 1e4) chunks
//! and reduces it under a 256 MiB memory limit (projected peak 334 KiB).
//!
//! # Grids cost O(axes)
//!
//! A regular axis is three numbers (first block, block size, extent), whatever its number of blocks;
//! only block lists the user spells out, and the refinement of two different grids, list their
//! blocks. Chunk `k` is decoded from its index when its task runs, so nothing but the executor's task
//! loop is proportional to the number of chunks: `arange(10**18)` (1.9e12 chunks) builds in
//! microseconds, [`explain()`](crate::ChunkedArray::explain) counts its 1907348632813 tasks exactly,
//! and `arange(10**18).slice(s![..10])` computes `0..10`.
//!
//! ```
//! use chunkwise::ndarray::s;
//!
//! # fn main() -> Result<(), chunkwise::Error> {
//! let huge = chunkwise::arange(1_000_000_000_000_000_000);
//! assert_eq!(huge.plan()?.total_tasks(), 1_907_348_632_813);
//! let head = huge.slice(s![..10])?.compute()?;
//! assert_eq!(head.as_slice().unwrap(), &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
//! # Ok(())
//! # }
//! ```
//!
//! Slices keep the input's block boundaries for steps of +-1 (Dask's rule), in O(1); larger steps
//! group the output by input block when the slice spans at most 65536 blocks, and past that take
//! regular blocks of the input's block size divided by the step. Concatenations are regular when
//! their pieces join up, listed up to 65536 blocks, and regular past that (`tests/suite/scale.rs` builds
//! every movement op over `arange(1e9)` under a time bound).
//!
//! # What a compute holds
//!
//! Building an array allocates nothing of its size. [`compute()`](crate::ChunkedArray::compute)
//! first plans: the plan's projected peak memory ([`plan()?.memory`](crate::Plan::memory), a
//! [`MemoryPlan`](crate::MemoryPlan)) is the largest pass's tile buffers and live partials plus stage
//! results and the output array. With [`Config::memory_limit`](crate::Config::memory_limit) a plan
//! over the limit fails with [`Error::MemoryLimit`](crate::Error::MemoryLimit) before any work
//! starts; without a limit, a plan past the machine's physical memory is
//! [`Error::TooLarge`](crate::Error::TooLarge) (a result larger than memory, a `bincount` of a huge
//! value), not an abort. A computation ending in a reduction uses a few hundred KiB:
//! `arange(1e9).sum()` and pi at 1e9 peak at about 3.5 MiB RSS (the whole process), and
//! `tests/memory.rs` checks that both grow by less than 4 MiB from N = 1e6 to 1e8.
//!
//! ```
//! use chunkwise::{Config, Error};
//!
//! # fn main() -> Result<(), chunkwise::Error> {
//! let n = 1_000_000_000;
//! let inside = chunkwise::random::default_rng(42)
//!     .uniform(-1.0, 1.0, [2, n])
//!     .square()
//!     .sum_with(0, chunkwise::ReduceOptions::default())?
//!     .lt(1.0)
//!     .count_nonzero();
//! let plan = inside.plan()?; // plans, runs nothing
//! assert!(plan.memory.total < 4 << 20); // a few hundred KiB of tiles per worker
//! // Asking for the 8 GB of points themselves is refused before anything runs.
//! let points = chunkwise::random::default_rng(42).uniform(-1.0, 1.0, [2, n]);
//! let small = Config::default().memory_limit(256 << 20);
//! assert!(matches!(points.compute_with(&small), Err(Error::MemoryLimit { .. })));
//! # Ok(())
//! # }
//! ```
//!
//! [`explain()`](crate::ChunkedArray::explain) prints the plan; for pi at 1e9 on 2 workers:
//!
//! ```text
//! plan: count_nonzero -> u64[] on 2 worker(s)
//!   stage 1: count_nonzero as a tree reduction: 3815 tasks, 1 output chunk(s), 3815 partials per tree, result 8 B
//!     fused per task: uniform(-1, 1) -> square -> sum(axis=[0]) -> lt 1 -> count_nonzero
//!   output: the result of the last stage
//!   projected peak memory: 200.2 KiB (tiles 200.0 KiB, partials 208 B, stage results 8 B, output 0 B); tile = 2048 elements
//! ```
//!
//! # Shared nodes and held results
//!
//! A node read by several ops in one compute (like `x` in `x + x.t()`) is either recomputed by each
//! use or evaluated once and held, whichever the plan's model says is cheaper: held when recomputing
//! costs more than two ops per element (a `map_blocks` closure counts as eight: its cost is unknown
//! and it may have effects) and it fits in a quarter of the memory limit (512 MiB without one);
//! `explain()` prints the decision. [`persist()`](crate::ChunkedArray::persist) holds an array
//! across computations.
//!
//! The Dask documentation's example, `x = random((1e4, 1e4)).rechunk(1000); (x + x.T -
//! x.mean(axis=0)).sum()` (`cargo run --release --example dask_docs -- --explain`), plans as:
//!
//! ```text
//! plan: sum -> f64[] on 2 worker(s)
//!   stage 1: sum(axis=[0]) as a tree reduction: 50 tasks, 10 output chunk(s), 5 partials per tree, result 78.1 KiB
//!     fused per task: uniform(0, 1) -> rechunk((1000 x 10), (1000 x 10)) -> sum(axis=[0])
//!   stage 2: sum as a tree reduction: 200 tasks, 1 output chunk(s), 200 partials per tree, result 8 B
//!     fused per task: uniform(0, 1) -> rechunk((1000 x 10), (1000 x 10)) -> transpose[1, 0] -> add -> read[sum(axis=[0])] -> div 10000 -> sub -> sum
//!   shared: rechunk((1000 x 10), (1000 x 10)) (used by 3 ops): recomputed per use: 1 op(s) per element, cheaper than holding 762.9 MiB
//!   output: the result of the last stage
//!   pass 1: reduce (stage 1), 50 tasks, working memory 284.2 KiB
//!   pass 2: reduce (stage 2), 200 tasks, working memory 704.6 KiB
//!   projected peak memory: 782.8 KiB (tiles 704.0 KiB, partials 156.2 KiB, stage results 78.1 KiB, output 0 B); tile = 2048 elements
//! ```
//!
//! The mean is a staged reduction (axis 0 spans 10 chunks), held as 78 KiB and read by the second
//! pass; `x` is used three times and, being a random source, is regenerated rather than held. Its
//! uniform values are drawn by position, so the transpose draws its tiles transposed: a row of a
//! tile of `x.T` is a column of `x`, positions 10000 apart, which the counter-based stream
//! computes as fast as a row (`Node::reads_permuted`: sources computed from positions, and
//! their maps and casts over operands of the same shape or single values); nothing is
//! transposed or kept. Other inputs cheap in any box (arrays in memory, maps that broadcast a
//! smaller operand) are transposed a panel at a time: a box of 2048 rows of 16 values (256 KiB),
//! transposed in cache into 16 rows of the output, which serve the next 16 leaves of the
//! reduction; a worker keeps three panels and the input box of the next (1 MiB). The measured
//! peak of this example is 7 MiB in all, at 1e4² and at 2e4². Inputs that
//! are not cheap in narrow boxes (normal values, drawn a block of 1024 positions at a time, and
//! files) are transposed a whole chunk at a time instead: the staged sum's tasks each fold one
//! node of the canonical tree, a compact box of about a chunk (512 x 2000 here), so a task and
//! the next one on its worker read the same few chunks: a reduction task keeps at most six blocks
//! of a node for a two-axis box (`2^axes + 2`), besides those one read spans. The plan then
//! projects the most a node may keep, a row of chunks (ten of 8 MB for this shape, within 128 MiB
//! per worker).
//!
//! A task's box is not aligned with the chunks, so neighbouring tasks read some of the same
//! blocks. When a pass has one output chunk (a full reduction, as here) and every block its
//! tasks read can be named from the tasks' boxes (blocks of transposes and of block functions,
//! through elementwise ops), and some are at least 4 MiB (smaller ones are cheap to make again,
//! and shared they cost memory), the workers share the blocks instead of keeping their own: the
//! tasks run in the tree's order, a block is made by one worker (another that needs it waits),
//! stays while a later task reads it, and over a few blocks per worker the one read furthest
//! ahead goes first. Each block is then made about once per pass, keeping no more blocks than
//! the workers' own caches would. The order of the tasks changes no bit: the partials combine
//! in the same tree.
//!
//! Where the chunks are whole cells of the canonical tree (along each axis, the shape cut
//! evenly into pieces of at most 2048 positions: blocks of 2000 x 2000 of a 20000 x 20000
//! array, or of 200 x 2000 of a 200 x 40000 one), a task folds one block: each block is made
//! exactly once per pass (`tests/suite/overlap.rs` counts the calls of the block function) and
//! let go when its task ends. The 20000² stencil of `examples/stencil` then peaks at 130-191
//! MiB, four to six blocks of 32 MB for two workers (a block's input with its halo and its
//! result on each), where boxes of 2048 rows across four blocks made 114-119 blocks of 100 in
//! 404-464 MiB.
//!
//! The plan counts the blocks a worker keeps by the executor's rules, pass by pass, and
//! `explain()` says how many (`blocks kept per worker: 6 of map_overlap (30.5 MiB each)`): a
//! row of blocks outside a reduction; in a reduction's pass the task's limit (two blocks along
//! each axis its leaves tile, and two more) or what one read spans, if more, within the row.
//! Every read in a reduction's pass is a tile (2048 positions) when it reaches the node
//! through elementwise ops, regrids, transposes and block functions, and a tile spans at most
//! four blocks of 2000 x 2000 (two rows across a corner), so the stencil's projection is 489
//! MiB on two workers, for the 143 MiB it peaks at: six blocks, its input and its result per
//! worker, where each task lets go of its block. Before, the projection counted the row of
//! ten (734 MiB), and `Config::memory_limit(512 MiB)` refused a compute that runs in 143. A
//! node read through other movement (a strided slice reads a span of the input) is counted
//! with its row.
//!
//! A block function's input is pulled into a buffer the worker keeps: a closure that views its
//! blocks (as [`map_blocks`](crate::ChunkedArray::map_blocks) and
//! [`map_overlap`](crate::ChunkedArray::map_overlap) closures do) leaves them, and the next
//! block's input is pulled into the same memory, not zeroed or faulted in again when it is no
//! larger. (A closure may take its blocks instead: the Python package's hand them to NumPy.)
//! What the closure returns is its own allocation, and the allocator decides what that costs.
//! glibc's `malloc` gives each worker thread an arena of at most 64 MiB, where a block of 32 MB
//! does not fit twice: such a block is mapped afresh, given back to the OS when let go, and its
//! pages are faulted in again for the next. The stencil above then takes 1.22-1.79 s, with
//! 2.0-4.5 s of system time in 0.66 to 1.67 million page faults, against 0.82-0.89 s and
//! 402-437 faults on mimalloc, the examples' allocator (`examples/common/mod.rs`). A program
//! whose block functions return blocks of tens of MB runs best on such an allocator
//! (`#[global_allocator]`); chunkwise, a library, leaves the choice to it. The Python
//! package's extension module makes that choice for its users, as polars' wheels do: it runs
//! on mimalloc (`python/README.md` has its figures).
//!
//! Blockwise ops ([`map_blocks`](crate::ChunkedArray::map_blocks),
//! [`map_overlap`](crate::ChunkedArray::map_overlap)) keep blocks the same way. A contraction
//! is read the same way: a reduction of it gives each task a compact box of the output, whose
//! blocks are named ahead and shared by the workers when they are large (so that two seldom
//! make the same block product), and a worker keeps the row of `a`'s blocks an output row uses only when it has
//! at most 4 blocks (`graph/contract.rs`), so memory is a few blocks per worker whatever the
//! number of blocks per row.
