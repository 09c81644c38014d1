//! Architecture: what happens between a method call and the result.
//!
//! Data flows one way, and the source folders follow it:
//!
//! ```text
//! user API     ChunkedArray methods and free functions (src/array/, src/sources/)
//!    |         build nodes; compute nothing
//! graph        Arc-shared nodes: source, elementwise, reduce, aggregate, regrid, movement,
//!    |         blockwise (src/graph/)
//! plan         checks recorded errors, cuts the graph into passes, decides shared nodes,
//!    |         projects peak memory (src/plan.rs)
//! execute      runs the passes on an executor: this process (Local) or the ranks of an
//!    |         mpiexec launch (Mpi), each on its rayon pool (src/execute/)
//! kernels      the hot loops over tiles: map, zip, reducers, the random generator (src/kernels/)
//!    |
//! ndarray::ArrayD<T>, a value (item()), or files (store, to_npy, to_zarr)
//! ```
//!
//! The contributor's map of the same pipeline, file by file, is `src/README.md` in the repository.
//!
//! # The graph: every node fills any region of itself
//!
//! Building an array makes a node and computes nothing. Every node can fill any box of its index
//! space into a buffer, in C order. That one rule is what the rest relies on: a slice asks its input
//! for the sliced box, a transpose for the transposed box, a [`rechunk`](crate::ChunkedArray::rechunk)
//! is a new grid over the same node (no data moves), and a reduction asks for the boxes of its
//! canonical leaves whatever the chunks are. There are seven kinds of node:
//!
//! | kind | examples | what it does when asked for a region |
//! |---|---|---|
//! | source | [`arange`](crate::arange), [`full`](crate::full), [`from_array`](crate::from_array), [`random`](crate::random), [`from_npy`](crate::from_npy) | computes the region from nothing (a position, a stream key, a file offset) |
//! | elementwise | operators, [`sqrt`](crate::ChunkedArray::sqrt), [`cast`](crate::ChunkedArray::cast), [`where_`](crate::where_) | fills its inputs' tiles (broadcasting) and runs one loop over them |
//! | reduce | [`sum`](crate::ChunkedArray::sum), [`var`](crate::ChunkedArray::var), [`max_axis`](crate::ChunkedArray::max_axis) | inline: folds the matching input box tile by tile; staged: reads its result, computed in a pass before |
//! | aggregate | [`histogram`](crate::ChunkedArray::histogram), [`topk`](crate::ChunkedArray::topk), the passes of [`quantile`](crate::ChunkedArray::quantile), the counts behind [`select`](crate::ChunkedArray::select) and [`unique`](crate::ChunkedArray::unique) | always staged: folds every value into a state of any size, states merged in the canonical tree |
//! | regrid | [`rechunk`](crate::ChunkedArray::rechunk) | delegates: a new grid moves no data |
//! | movement | [`slice`](crate::ChunkedArray::slice), [`transpose`](crate::ChunkedArray::transpose), [`reshape`](crate::ChunkedArray::reshape), [`broadcast_to`](crate::ChunkedArray::broadcast_to), [`concatenate`](crate::concatenate) | maps the region to input regions and rearranges |
//! | blockwise | [`map_blocks`](crate::ChunkedArray::map_blocks), [`map_overlap`](crate::ChunkedArray::map_overlap), [`matmul`](crate::matmul), [`cumsum`](crate::ChunkedArray::cumsum) | makes a whole block (the closure on the chunk and its halo, a sum of products, a scan from its carry) and serves tiles from it |
//!
//! Most NumPy functions are a line or two over these: `mean` is a cast, a sum and a division; `var`
//! is one reduction carrying count, mean and squared deviations; `argmax` is
//! `min(where(x == max(x, keepdims), index, MAX))`; `stack` is `expand_dims` then `concatenate`;
//! `persist` is `compute` then `from_array`.
//!
//! Errors found while building (shapes that do not broadcast, bad distribution parameters) are
//! recorded in the node and returned by the planner; see the rule in
//! [`numpy_dask_users`](super::numpy_dask_users#errors).
//!
//! # The plan: passes, shared nodes, memory
//!
//! [`plan()`](crate::ChunkedArray::plan) (and [`plan_many`](crate::plan_many) for several roots)
//! walks the graph once, returns the first recorded error, and lists the **passes** as data
//! ([`Plan::passes`](crate::Plan::passes), each a [`PassKind`](crate::PassKind) with its task count
//! and fused ops):
//!
//! * `Reduce`: the staged reductions of one input, folded in the same tasks (the mean and the
//!   standard deviation of a file read it once), each with its own canonical tree;
//! * `Hold`: a node used more than once that is worth evaluating once (the rule weighs its ops per
//!   element against its bytes);
//! * `Output`: a result array;
//! * `Files`: targets of one chunk grid written together.
//!
//! It projects peak memory ([`MemoryPlan`](crate::MemoryPlan)): the largest pass's tile buffers
//! (workers x nodes x two tiles) and live partials (workers x tree depth x an output chunk), plus
//! stage results and the outputs, and refuses a plan over [`Config::memory_limit`](crate::Config::memory_limit)
//! or past physical memory before anything runs. The plan's `Display` is
//! [`explain()`](crate::ChunkedArray::explain); the Graphviz pictures draw the same passes.
//!
//! ```
//! # fn main() -> Result<(), chunkwise::Error> {
//! let x = chunkwise::random::default_rng(0).random([1000, 1000]).rechunk([100, 1000])?;
//! let opts = chunkwise::ReduceOptions::default();
//! let (mean, std) = (x.mean_with(0, opts)?, x.std_with(0, opts)?);
//! let plan = chunkwise::plan_many(&[&mean, &std])?;
//! // Both reductions are staged (axis 0 spans ten chunks) and share one pass over x.
//! let reduce_passes = plan.passes.iter().filter(|p| matches!(p.kind, chunkwise::PassKind::Reduce { .. }));
//! assert_eq!(reduce_passes.count(), 1);
//! println!("{plan}");
//! # Ok(())
//! # }
//! ```
//!
//! # Execution: tasks, tiles, trees
//!
//! One loop runs a plan's passes for every backend. Each rank runs a contiguous share of every
//! pass's tasks on its rayon pool ([`Config::workers`](crate::Config::workers)):
//!
//! * a **reduce** pass runs, per output chunk, one task per node of the reduction's canonical tree
//!   at a level of `2^m` leaves (a compact box of the input, see
//!   [`determinism`](super::determinism)) and combines the nodes' partials in that tree by
//!   `rayon::join`; with several ranks, the ranks exchange the partials of their largest complete
//!   subtrees and each combines the rest in the same order (see [`mpi`](super::mpi));
//! * a **hold** or **output** pass fills the chunks of an array, tiles straight into the array where
//!   they are contiguous in it, else through a tile buffer;
//! * a **files** pass writes every chunk through the targets' sinks, and commits (renames into
//!   place) only when all are written.
//!
//! Inside a task a chunk is cut into C-order tiles of at most [`TILE_LEN`](crate::TILE_LEN)
//! elements, and each node fills a tile-sized buffer from a per-task pool: the chain
//! `uniform -> square -> sum(axis=0) -> lt -> count_nonzero` of pi holds five small buffers per
//! worker, never a chunk-sized temporary. A task reading an in-memory array or a held result is
//! handed a slice of it instead of a copy. The executor reports compute and task starts and ends to
//! [`events::Observer`](crate::events::Observer)s (the progress bar, the profiler); with none it is a
//! plain call.
//!
//! # Kernels: vector code without `-C target-cpu=native`
//!
//! The tile kernels are plain loops over slices, compiled for AVX-512, AVX2+FMA, SSE4.2 and the
//! baseline (`multiversion`). The random fill, which dominates the pi workload, is one of them:
//! SplitMix64 by position, a counter stepped as a linear induction variable, which vectorizes
//! (the xoshiro lanes of the stream's version 1 had to be written with `std::arch`). The
//! compensated `f64` sum is dispatched by hand (`std::arch`). The best version for the CPU is picked at run time, so the default
//! release profile gets vector code. All versions do the same arithmetic in the same order (no FMA),
//! so results do not depend on the CPU. Tile buffers are 64-byte aligned (unaligned, `malloc`'s
//! placement decided whether vector loads split cache lines, worth a quarter of the `arange` sum).
//!
//! Each kernel, times its versions, times the element types, is compiled in every crate that
//! instantiates it (generics are not shared between crates at opt-level 2). So the dtype-erased
//! [`DynArray`](crate::DynArray), whose methods dispatch over all eleven dtypes, keeps its
//! dispatch out of generic code: a method taking `impl Into<..>` converts its argument and calls
//! a non-generic function, compiled once here. When the conversion and the dispatch were one
//! generic body, every crate calling `x.add(1)` compiled the ten typed additions again (with
//! this and fewer typed casts in its dtype tests, the integration tests' binary went from 330 s
//! to 189 s of build).
//!
//! # Contractions, scans, stencils
//!
//! [`matmul`](crate::matmul), [`ChunkedArray::dot`](crate::ChunkedArray::dot),
//! [`tensordot`](crate::tensordot) and [`einsum`](crate::einsum) move and merge axes into one
//! contraction primitive (`[batch, m, k] · [batch, k, n]`): an output block is the sum, over the
//! blocks of the contracted axis in order, of the `gemm` crate's products of one block of each
//! operand, so the bits do not depend on the number of workers. A reduction of the product
//! gives each task a compact box of the output, whose blocks are named ahead and, when large,
//! shared by the workers (so that two seldom make the same one); a worker keeps the blocks of
//! `a` an output row uses when that row has at most 4 of them, else pulls them again for each
//! output block, and makes a block it keeps in the buffer of the one it replaces. The products
//! are cut into column panels of whole vectors (at most 1024 columns), for which `gemm`
//! allocates no packing buffer per call (`kernels/matmul.rs` says why that matters to memory).
//! `einsum` contracts two operands at a time, left to right.
//!
//! Scans ([`cumsum`](crate::ChunkedArray::cumsum), [`cumprod`](crate::ChunkedArray::cumprod)) take
//! each block's total from a staged reduction, then scan each block from its carry; a 1-d scan runs
//! tile by tile from a running value, so no block is held, and integer sums go through a vector
//! prefix-sum kernel. [`map_overlap`](crate::ChunkedArray::map_overlap) is `map_blocks` with a halo:
//! each block reads its neighbours' edge cells only (from the array padded by the boundary rule,
//! lazily).
//!
//! # Quantiles, histograms, and sizes known at run time
//!
//! An **aggregate** folds every value of an array into a state of any size (bin counts, the `k` best
//! values with their positions, the counts of one digit of a sort key), one task per run of chunks,
//! the states merged in the canonical tree: exact, so the same for any chunking, workers and ranks.
//! [`quantile`](crate::ChunkedArray::quantile) is a **radix selection** made of such passes: the first
//! counts the top 16 bits of every value's order key (NumPy's sort order, NaN last), which tells the
//! digit each wanted rank falls in; the next counts the following 16 bits of the values with that
//! prefix, or, when at most 2^22 values share it, collects and sorts them, which settles the rank. So
//! memory is the tiles and 512 KiB of counts per task, whatever N; the values are NumPy's `linear`
//! interpolation of the two selected ranks, bit for bit (`.ci/run` checks `np.quantile` and
//! `np.median` of the same million values). Along an axis, the axis is made one chunk and each lane
//! is selected in place ([`map_blocks_with`](crate::ChunkedArray::map_blocks_with), dropping the
//! axis).
//!
//! Arrays sized by the data are [`Deferred`](crate::Deferred): `x.select(&mask)?` counts the kept
//! values of each chunk (an aggregate), then builds the result with one chunk per input chunk that
//! keeps any; `unique` counts the distinct values, then lists them; `bincount` takes the maximum
//! first. [`Deferred::explain`](crate::Deferred::explain) shows both passes before anything runs (the
//! second planned for the largest size the first can find); [`Deferred::then`](crate::Deferred::then)
//! chains more lazy operations; [`Deferred::resolve`](crate::Deferred::resolve) returns the sized
//! array (Dask's `compute_chunk_sizes`).
//!
//! ```
//! use chunkwise::ndarray::array;
//!
//! # fn main() -> Result<(), chunkwise::Error> {
//! let x = chunkwise::from_array(array![3.0, -1.0, 4.0, -1.0, 5.0, -9.0, 2.0, 6.0], 3)?;
//! let positive = x.select(&x.gt(0.0))?; // a Deferred: its length is known after a pass
//! assert_eq!(positive.compute()?.into_raw_vec_and_offset().0, vec![3.0, 4.0, 5.0, 2.0, 6.0]);
//! assert_eq!(x.median()?.item()?, 2.5);
//! assert_eq!(positive.then(|a| Ok(a.sum())).compute()?.sum(), 20.0);
//! # Ok(())
//! # }
//! ```
//!
//! # How it is checked
//!
//! `cargo test` runs every elementwise op and reduction against an eager ndarray result over shapes
//! from 0-d to 3-d (with empty and size-1 axes) and every regular chunking plus irregular ones, with
//! proptests over random shapes and block lists; broadcasting; worker-count and chunking invariance
//! (`tests/suite/invariance.rs`, also the accuracy of float sums against exact big-integer sums);
//! `tests/suite/numpy_semantics.rs` for the NumPy rules a typed API could hide (the promotion table of
//! every pair of numeric types, weak and strong scalars); contractions, scans and `map_overlap`
//! against eager references; every error path; memory bounds (`tests/memory.rs`); arrays of 1e18
//! elements built, sliced and planned under a time bound (`tests/suite/scale.rs`); task graphs, the DOT
//! pictures read back by a small DOT parser, the profiler and the progress bar; and unit tests of the
//! kernels (the AVX-512, AVX2 and portable random kernels give the same bits).
//!
//! `fuzz/` is a coverage-guided target (`cargo fuzz`, libFuzzer, on the stable toolchain without a
//! sanitizer, debug assertions and overflow checks kept) that turns its bytes into expression graphs
//! (sources of NaN, infinities, signed zeros, extreme integers, lazy sources of up to `u64::MAX`
//! elements; elementwise ops, casts, every reduction, movement, the data-sized functions) computed
//! on 1 to 3 workers, each op also applied to an eager ndarray twin: no panic escapes, every `Ok`
//! result equals the twin (bit for bit where the op is exact), `explain()` works whenever `compute()`
//! does, and a compute fails only where an op may. Its findings are regression tests in
//! `tests/suite/regressions.rs`. `.ci/run` replays the committed corpus and runs 60000 new inputs from a
//! fixed seed:
//!
//! ```text
//! cargo install cargo-fuzz
//! cd fuzz && cargo fuzz run -s none -a graph corpus/graph -- -max_len=512 -rss_limit_mb=4096
//! ```
//!
//! CI (`.ci/run`) runs on 2 cores and must stay under 40 minutes, so its build is shared where
//! it can be. The integration tests are one binary (`tests/suite/`, a module per file; `cargo
//! test --test suite movement::` runs one file's), beside `tests/layers.rs`, `tests/memory.rs`
//! and `tests/diagnostics.rs` (which measure their own process) and `tests/mpi.rs` (which
//! launches itself). The examples CI runs are the ones `cargo test` builds (test profile). The
//! Python wheel is built in the dev profile at the test profile's opt-level, with the same
//! features on every shared dependency (the last entries of `[dev-dependencies]` and of
//! `python/Cargo.toml` say why), so pip compiles only pyo3, numpy and the binding.
