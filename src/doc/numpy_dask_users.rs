//! chunkwise for NumPy and Dask users: the functions by their NumPy and Dask names, where the
//! results differ, and the rule for errors.
//!
//! chunkwise follows NumPy's semantics (values, result dtypes, broadcasting, NaN handling) and
//! Dask's model (a lazy array cut into chunks, computed in tasks). What differs comes from Rust
//! (types are static, so a method returns `Result` where Python would raise) and from
//! chunkwise's promises (the same bits for any chunking, see [`determinism`](super::determinism)).
//!
//! # A first translation
//!
//! ```python
//! import numpy as np, dask.array as da
//! x = da.random.default_rng(0).standard_normal((1000, 400), chunks=(250, 400))
//! col = x.mean(axis=0)                  # a lazy array
//! y = (x - col)[::2, :10]
//! print(float((y ** 2).sum()), y.shape, x.numblocks)
//! ```
//!
//! ```
//! use chunkwise::ndarray::s;
//! use chunkwise::prelude::*;
//! use chunkwise::ReduceOptions;
//!
//! # fn main() -> Result<(), chunkwise::Error> {
//! let x = chunkwise::random::default_rng(0).standard_normal([1000, 400]).rechunk([250, 400])?;
//! let col = x.mean_with(0, ReduceOptions::default())?; // axis=0; axes are checked now: a Result
//! let y = (&x - &col).slice(s![..;2, ..10])?;
//! let total: f64 = y.square().sum().item()?;
//! assert_eq!(y.shape(), &[500, 10]);
//! assert_eq!(x.numblocks(), vec![4, 1]);
//! assert!(total > 0.0);
//! # Ok(())
//! # }
//! ```
//!
//! Arrays are [`ChunkedArray<T>`](crate::ChunkedArray), `T` one of the eleven element types;
//! [`compute`](crate::ChunkedArray::compute) returns an [`ndarray::ArrayD<T>`](ndarray::ArrayD) and
//! [`item`](crate::ChunkedArray::item) the value of a one-element array. Operators take arrays by
//! reference (`&x - &col`) or by value.
//!
//! # Names: NumPy and Dask to chunkwise
//!
//! The common spellings; the table after it lists everything, grouped as the array API standard
//! groups its functions.
//!
//! | NumPy / Dask | chunkwise |
//! |---|---|
//! | `np.arange(n)`, `da.arange(n)` | [`arange(n)`](crate::arange) (`i64`), [`arange_of(start, stop, step)`](crate::arange_of) for any numeric type |
//! | `da.from_array(a, chunks=c)` | [`from_array(a, c)?`](crate::from_array) |
//! | `np.random.default_rng(s).uniform(lo, hi, shape)` | [`random::default_rng(s)`](crate::random::default_rng)`.uniform(lo, hi, shape)` |
//! | `x.shape`, `x.ndim`, `x.size`, `x.dtype`, `x.nbytes` | [`shape()`](crate::ChunkedArray::shape), [`ndim()`](crate::ChunkedArray::ndim), [`len()`](crate::ChunkedArray::len), [`dtype()`](crate::ChunkedArray::dtype), [`nbytes()`](crate::ChunkedArray::nbytes) |
//! | `x.chunks`, `x.numblocks`, `x.blocks[i, j]` | [`chunks()`](crate::ChunkedArray::chunks), [`numblocks()`](crate::ChunkedArray::numblocks), [`blocks(&[i, j])?`](crate::ChunkedArray::blocks) |
//! | `x.rechunk(c)` | [`rechunk(c)?`](crate::ChunkedArray::rechunk) |
//! | `x.astype(np.float32)` | [`cast::<f32>()`](crate::ChunkedArray::cast) |
//! | `x.sum()`, `x.sum(axis=0)`, `x.sum(axis=(0, 1), keepdims=True)` | [`sum()`](crate::ChunkedArray::sum), [`sum_with(0, opts)?`](crate::ChunkedArray::sum_with), [`sum_with([0, 1], opts.keepdims(true))?`](crate::ChunkedArray::sum_with) with `opts` a [`ReduceOptions`](crate::ReduceOptions) and the axes an [`Axes`](crate::Axes) (`None`, an `isize`, a list); so for every reduction, statistic and quantile |
//! | `x.var(ddof=1)`, `x.std(axis=0, ddof=1)` | [`var_with(None, opts.ddof(1))?`](crate::ChunkedArray::var_with), [`std_with(0, opts.ddof(1))?`](crate::ChunkedArray::std_with) |
//! | `x.cumsum()`, `x.cumsum(axis=1)` | [`cumsum(None)?`](crate::ChunkedArray::cumsum), [`cumsum(1)?`](crate::ChunkedArray::cumsum) |
//! | an array whose dtype is known at run time (a binding, a file of any dtype) | [`DynArray`](crate::DynArray): every operation promotes at run time as NumPy 2 (see below) |
//! | `x[2:10, ::2]`, `x[None]` | [`slice(s![2..10, ..;2])?`](crate::ChunkedArray::slice), `s![NewAxis, ..]` |
//! | `x[mask]` | [`select(&mask)?`](crate::ChunkedArray::select), a [`Deferred`](crate::Deferred) array (its size is known after a pass) |
//! | `x.compute_chunk_sizes()` | [`Deferred::resolve`](crate::Deferred::resolve) |
//! | `x.T`, `x.transpose(axes)` | [`t()`](crate::ChunkedArray::t), [`transpose(axes)?`](crate::ChunkedArray::transpose) |
//! | `x.reshape(-1, 4)` | [`reshape_infer(&[-1, 4])?`](crate::ChunkedArray::reshape_infer) |
//! | `np.where(c, a, b)` | [`where_(&c, &a, &b)?`](crate::where_) |
//! | `a @ b`, `np.einsum` | [`matmul(&a, &b)?`](crate::matmul), [`einsum("ij,jk->ik", &[&a, &b])?`](crate::einsum) |
//! | `np.promote_types(a, b)` | [`DType::promote`](crate::DType::promote), [`promote(&a, &b)`](crate::promote) (both arrays to the common type) |
//! | `x.map_blocks(f)`, `x.map_overlap(f, depth, boundary)` | [`map_blocks(f)`](crate::ChunkedArray::map_blocks), [`map_overlap(&depth, boundary, f)?`](crate::ChunkedArray::map_overlap) |
//! | `x.compute()`, `float(x)` | [`compute()?`](crate::ChunkedArray::compute), [`item()?`](crate::ChunkedArray::item) |
//! | `x.persist()` | [`persist()?`](crate::ChunkedArray::persist) |
//! | `dask.compute(a, b)` | [`compute_many(&[&a, &b])?`](crate::compute_many) |
//! | `da.store([x, y], [f, g])` | [`store(vec![x.npy_target(f)?, y.npy_target(g)?])?`](crate::store) |
//! | `np.save`, `np.load(f, mmap_mode='r')` | [`to_npy(path)?`](crate::ChunkedArray::to_npy), [`from_npy::<T>(path)?`](crate::from_npy) |
//! | `da.to_zarr`, `da.from_zarr` | `to_zarr(path)?`, `from_zarr::<T>(path)?` (feature `zarr`, on by default; see [`files`](super::files)) |
//! | `dask.delayed(f)(...)` | [`delayed::task(name, f)`](crate::delayed::task) |
//! | `x.visualize()` | [`visualize(path, level)?`](crate::ChunkedArray::visualize) |
//! | `dask.diagnostics.ProgressBar()`, `Profiler()` | [`Config::progress`](crate::Config::progress), [`diagnostics::Profiler`](crate::diagnostics::Profiler) |
//! | `dask.config.set(num_workers=w)` | [`compute_with(&Config::default().workers(w))`](crate::Config::workers) |
//!
//! # What it does
//!
//! Grouped as the [Python array API standard](https://data-apis.org/array-api/latest/API_specification/index.html)
//! groups its functions (the set Cubed implements), then what is chunkwise's own. The last column says
//! where chunkwise differs from NumPy, and why; an empty cell means NumPy's values, dtypes of
//! results, NaN handling and errors.
//!
//! | group | chunkwise | where it differs from NumPy |
//! |---|---|---|
//! | data types | `f64, f32, i64, i32, i16, i8, u64, u32, u16, u8, bool` (`DType`), any rank up to `isize::MAX` elements | no complex, `f16` or datetime types |
//! | data type functions | `cast::<U>()` (`astype`: Rust's `as`, `!= 0` to bool, 0/1 from bool), `promote(&a, &b)` (both to NumPy's common type), `DType::promote(a, b)` (`np.promote_types`), `Promote<U>` (the same table as a trait), `scalar(v)` (a 0-d array with a type of its own) | float to integer casts saturate and NaN becomes 0 (Rust's `as`; NumPy's result is undefined and warns) |
//! | attributes, inspection | `.shape()`, `.ndim()`, `.len()` (elements), `.dtype()`, `.nbytes()` (u128), `.chunks()` (a `Chunks` grid: `.axis(k)` is an `AxisChunks` with `.len()`, `.size(i)`, `.range(i)`, `.locate(index)`, `.iter()`; `.to_blocks()` lists them as Dask's `.chunks`), `.numblocks()`, `.blocks(&[i, j])?` (one chunk, Dask's `.blocks`), `.rechunk(chunks)?`; `Display` is Dask's repr in a line (dtype, shape, chunk shape, chunks, tasks, bytes, op) | `len()` is the element count, not the first extent (Rust's collections) |
//! | creation | `arange(n)` (i64), `arange_of(start, stop, step)` (any numeric type), `arange_step(start, stop, step)`, `linspace(start, stop, num)`, `linspace_endpoint(.., endpoint)`, `logspace(start, stop, num, base)`, `geomspace(start, stop, num)`, `zeros::<T>(shape)`, `ones::<T>(shape)`, `full(shape, v)`, `empty(shape)`, `zeros_like / ones_like / full_like(&x, ..)`, `eye::<T>(n, m, k)`, `identity(n)`, `tri(n, m, k)`, `indices(shape)?`, `meshgrid(&[..], Indexing::Xy / Ij)?`, `fromfunction(shape, \|index\| ..)`, `from_array(ndarray, chunks)?`, `from_delayed(task, shape, chunks)?` | `empty` is zeros (a lazy array is made of something); `*_like` keep `x`'s chunks (Dask's); `fromfunction` calls the closure per element with its index (NumPy calls it once with index arrays); `arange_of` over `f32` computes `start + i * step` in `f32`; `geomspace`/`linspace` ends are exact |
//! | element-wise: arithmetic | `+ - * / %` and unary `-` between arrays (owned or `&`, of the same or of two types) and with scalars on either side; `floor_divide(rhs)` (`//`), `true_divide(rhs)` (f64); `square, abs, powi(n), recip, signum, clip(lo, hi)`; free `maximum(a, b)`, `minimum(a, b)` with either side a scalar | `/` on integers truncates toward zero (Rust's, and the operator's type stays an integer); NumPy's `/` is `true_divide`. A bare scalar takes the array's type (NumPy 2's rule for Python scalars; Rust infers the literal's type from the array) and `scalar(v)` promotes (NumPy's `np.int64(v)`). Integer overflow and division by zero wrap or give 0 without a warning. `powi` of an integer array to a negative power is an error at compute, as NumPy's `ValueError` |
//! | element-wise: floats | `sqrt, exp, exp2, exp_m1, ln, log2, log10, ln_1p, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh, floor, ceil, round, trunc, powf(e)`; against a scalar or an array `atan2, hypot, copysign, pow`; `isnan, isinf, isfinite` (to bool), `nan_to_num(nan, posinf, neginf)` | Rust's names where Rust has one (`ln` is `log`, `ln_1p` is `log1p`, `exp_m1` is `expm1`, `signum` is `sign`, `recip` is `reciprocal`); the values are NumPy's: `round` halves to even, `signum(0) = 0`, `clip` keeps NaN. `nan_to_num` takes the three replacements explicitly |
//! | element-wise: comparison, logic, bitwise | `lt, le, gt, ge, eq, ne` against a scalar or an array, free `less, less_equal, greater, greater_equal, equal, not_equal(a, b)` with either side a scalar; `and, or, xor, not` and `& \| ^ !` on bool arrays; `& \| ^ !`, `shl(n)`, `shr(n)` on integer arrays | comparisons of arrays of two types need `promote` first (a method's scalar has the array's type) |
//! | indexing | `slice(s![..])?` (ranges, steps, negative steps, single indices, `NewAxis`), `take(&[i, ..], k)?` (integer-array indexing along an axis; runs of consecutive indices read as one box), `diagonal(offset)?`, `blocks(&[..])?` | `take` needs an axis (NumPy flattens without one) |
//! | indexing by the data | `x.select(&mask)?` (`x[mask]`), `flatnonzero()?`, `argwhere()?` (`(count, ndim)`), `nonzero()?` (`(ndim, count)`: NumPy's tuple as rows), `unique()`, `unique_counts()`, `bincount(minlength)` (integers): each a `Deferred` array, a sizing pass then the sized array; `.compute()`, `.resolve()?` (the sized lazy array, Dask's `compute_chunk_sizes`), `.then(\|a\| ..)` (more ops before sizing), `.explain()?` (both passes) | boolean indexing takes a mask of the array's shape only (no mixed index tuples); `nonzero` is one `(ndim, count)` array, not a tuple; `unique` has no `return_index` / `return_inverse`; `bincount` takes no weights |
//! | manipulation | `reshape(shape)?`, `reshape_infer(&[-1, 4])?`, `ravel()` / `flatten()`, `t()`, `transpose(axes)?` / `permute(axes)?`, `swapaxes(a, b)?`, `moveaxis(from, to)?`, `broadcast_to(shape)?`, `expand_dims(k)?`, `squeeze()`, `squeeze_axis(k)?`, `flip(k)?`, `roll(shift, k)?`, `tile(&reps)?`, `repeat(n, k)?`, `pad(&[(before, after), ..], PadMode::{Constant(v), Edge, Reflect, Wrap})?`, `concatenate(&[..], k)?`, `stack(&[..], k)?`, `vstack / hstack / dstack(&[..])?`, `block(&[rows])?`, `split(n, k)?` / `array_split(n, k)?`, `tril(k)?` / `triu(k)?` | `reshape` with `-1` is `reshape_infer` (Rust shapes are `usize`); `reshape` gives its result automatic chunks (Dask keeps what it can); `repeat` and `roll` take one count and one axis; `concatenate` and `stack` take one type (`promote` first) |
//! | searching | `argmin, argmax` and `nanargmin, nanargmax`, each `()` (flat index) and `_with(axes, opts)?` (u64, the first occurrence); `where_(cond, a, b)?` | several axes are allowed (the C-order index within their sub-block; NumPy takes one axis). `nanarg*` of a slice of only NaN is `Error::InvalidValue` at compute (NumPy's `ValueError`) |
//! | statistics | `sum, prod, mean, min, max, var, std, ptp` (numeric), `nansum, nanprod, nanmean, nanmin, nanmax, nanvar, nanstd` (floats), each `()` and `_with(axes, opts)?` (`var_with` and `std_with` take `opts.ddof(n)`); `average(&w)?`, `average_with(&w, axes, opts)?` (floats); `sum` (a count, i64) and `mean` (a fraction) of bool arrays | float sums are compensated, so more accurate than NumPy's pairwise sum (bits can differ in the last places); `var` is one pass (Chan's update, as Dask). `min`/`max`/`ptp` over zero elements, `ddof` above the count, and weights summing to zero are errors (NumPy raises too); NumPy's warnings (a slice of only NaN in `nanmean`) are silent. `average` takes weights that broadcast to the array (NumPy asks for the same shape, or 1-d along `axis`, which chunkwise also takes) |
//! | utility | `any, all, count_nonzero` (u64), each `()` and `_with(axes, opts)?` | `count_nonzero` is u64 (NumPy: intp) |
//! | random | `random::default_rng(seed)` with `.random(shape)`, `.uniform(lo, hi, ..)`, `.standard_normal(..)`, `.normal(mean, std, ..)`, their `_as::<f32>` forms, `.integers(lo, hi, ..)` (i64, `[lo, hi)`, no modulo bias), `.exponential(scale, ..)`, `.gamma(k, theta, ..)`, `.beta(a, b, ..)`, `.poisson(lam, ..)` and `.binomial(n, p, ..)` (i64), `.lognormal(mean, sigma, ..)`, `.standard_t(df, ..)`, `.chisquare(df, ..)`; `random::random/uniform/standard_normal/normal(..)` seeded from entropy | the stream is chunkwise's own (`random::STREAM`: position-keyed, so the same at any chunking and worker count), not NumPy's PCG64; distributions through rand_distr; an `f32` draw is the `f64` draw rounded (kept below `hi`) |
//! | linear algebra | `a.dot(&b)?`, `matmul(&a, &b)?` (batch axes broadcast, 1-d operands as NumPy), `tensordot(&a, &b, (&[..], &[..]))?`, `einsum("ij,jk->ik", &[&a, &b])?` (any number of operands; transposes, sums, batches, `...` broadcast across operands, repeated subscripts as diagonals and traces) | `einsum` contracts two operands at a time, left to right (no path optimization); integer products wrap. A block's products are summed over the blocks of the contracted axis in a fixed order: the same bits for any number of workers, not for another chunking of that axis |
//! | scans | `cumsum(k)?`, `cumprod(k)?` (in `sum`'s accumulator type), `nancumsum(k)?`, `nancumprod(k)?`, `diff(n, k)?` | an axis is required (NumPy's flattened form is `ravel().cumsum(0)`); a float scan restarts each block of the axis from the compensated sum of the blocks before: within a few ulps of NumPy's sequential scan |
//! | statistics of order, counting | `quantile(q)?`, `quantiles(&[..])?`, `percentile(p)?`, `percentiles(&[..])?`, `median()?`, `nanquantile`, `nanpercentile`, `nanmedian` (exact, NumPy's `linear` method, `f64` results); over axes with options `quantile_with(q, axes, opts)?`, `quantiles_with(&[..], axes, opts)?` (the quantiles first, as NumPy), `nanquantile_with`, `percentile_with`, `nanpercentile_with`, `median_with(axes, opts)?`, `nanmedian_with` (one axis, or all); `histogram(bins, (lo, hi))?` (counts `i64`, edges); `topk(k)?`, `argtopk(k)?` (negative `k`: the smallest; over the flattened array), `topk_axis(k, axis)?`, `argtopk_axis(k, axis)?` (Dask's `topk(x, k, axis)`) | the whole-array forms select (a few counting passes), never sort; the results are `f64` for every input type (NumPy: `f32` for `f32` input); `histogram` needs its range (as Dask) and compares as `f64` |
//! | blocks | `map_blocks(\|chunk_view\| -> ArrayD<U>)` (a panic becomes `Error::Block` naming the chunk), `chunkwise::map_blocks(&[&a, &b], \|views\| ..)?` (several arrays, broadcast and rechunked to their common grid, Dask's `map_blocks(f, a, b)`), `map_overlap(&depth, Boundary::{Reflect, Periodic, Nearest, Constant(v), None}, \|grown_view\| ..)?` (Dask's `map_overlap`: the block with its halo; the closure returns it, trimmed after, or the chunk), `map_blocks_with(&BlockSpec { drop_axis, new_axis, block_shape }, f)?` and `chunkwise::map_blocks_with(&[..], &spec, f)?` (blocks of another shape: Dask's `drop_axis=`, `new_axis=`, `chunks=`), `chunkwise::map_blocks_dyn(&[&x, &mask], &spec, \|owned_blocks\| ..)?` (arrays of any dtypes, each block a `DynNdArray` of its own), `persist()?` | the typed `map_blocks` takes arrays of one element type (`map_blocks_dyn` takes any); `Boundary::Reflect` is Dask's (the edge cell repeated) |
//! | files | `npy_info(path)?` (dtype, shape, order, byte order), `from_npy::<T>(path)?`, `from_npy_chunked::<T>(path, chunks)?`, `x.to_npy(path)?` / `to_npy_with(path, &cfg)?`; `zarr_info(path)?`, `from_zarr::<T>(path)?`, `from_zarr_chunked::<T>(path, chunks)?`, `x.to_zarr(path)?` / `to_zarr_with(path, &ZarrOptions::new().chunks(..).shards(..).compression(..).fill_value(..).attribute(..).overwrite(..), &cfg)?` (feature `zarr`, on by default); `store(vec![x.npy_target(p)?, y.zarr_target(q, &opts)?])?` writes several in one compute (see [`files`](super::files)) | Zarr is written as v3 only (v2 is read) |
//! | computing | `.compute()`, `.compute_with(&Config::default().workers(w).memory_limit(bytes).executor(..))`, `.compute_to_root(&cfg)` (MPI: the array on rank 0 only), `.item()` (size-1 arrays), `.plan()?`, `.explain()?`; `compute_many(&[&a, &b])?` (Dask's `dask.compute(a, b)`: shared steps once, reductions of one input in one pass), `plan_many(..)?` | |
//! | task graphs | `delayed::{task, try_task, value, join, gather}`, `Delayed::{then, try_then, compute, compute_with, visualize, to_dot}`, `x.to_delayed()`, `from_delayed(task, shape, chunks)?` | |
//! | seeing the work | `x.visualize(path, GraphLevel)?`, `x.to_dot(level)?`, `Config::progress(bool)`, `Config::observer(..)`, `diagnostics::{Profiler, ProgressBar}`, `events::Observer` | |
//! | diagnostics | `diagnostics::peak_rss_bytes()`, `current_rss_bytes()`, `available_memory_bytes()`, `process_cpu_seconds()`, `MemorySampler` (RSS and CPU every interval on a thread), `Table` (aligned text), `LinePlot` (SVG, written atomically) | |
//!
//! Broadcasting follows NumPy. Inputs with different chunk grids are unified automatically to the
//! common refinement of their grids (Dask's `unify_chunks`). An array may have up to `isize::MAX`
//! elements (NumPy's limit, [`MAX_ELEMENTS`](crate::MAX_ELEMENTS)); a shape past it (a broadcast of
//! `[2^40, 1]` with `[1, 2^40]`, a reshape) is [`Error::TooLarge`](crate::Error::TooLarge), and so
//! is a result that cannot be allocated.
//!
//! # Where chunkwise's results differ from NumPy's, and why
//!
//! In one place, every deliberate difference in the values (the table above also lists missing
//! keywords and spellings). Everything else is NumPy's value, bit for bit where NumPy's is exactly
//! defined: float `//` and `%` are NumPy's `divmod` (`1.0 // 0.1 == 9`, `-4.0 % 2.0 == 0.0`), `var`
//! of data holding NaN or an infinity is NaN, `-0.0` equals `0.0` in `unique` and in the ties of
//! `topk`/`argtopk`, `nonzero` of a 0-d array is an error, `hstack` takes 0-d arrays.
//!
//! | where | chunkwise | NumPy | why |
//! |---|---|---|---|
//! | float `sum`, `mean`, `nansum` | compensated (TwoSum), about one rounding of the result | pairwise, `O(log n eps) sum\|x\|` | the same bits for any chunking, worker or rank count needs a sum that does not depend on where the splits fall; a compensated one is also more accurate |
//! | float `var`, `std` | one pass, Chan's update of leaf moments | two passes | reads the data once (a file, a random stream), as Dask's; the last bits differ |
//! | float scans (`cumsum`, `cumprod`) | each block starts from the compensated total of the blocks before | sequential | the blocks run in parallel; within a few ulps |
//! | `min`/`max` of `-0.0` and `0.0` | the one the canonical tree keeps | the one the sequential loop keeps | both compare equal; chunkwise's choice is the same for any chunking |
//! | integer `/` | truncates, stays an integer | true division to `f64` | Rust's operator; `true_divide` is NumPy's |
//! | integer division by zero, overflow | 0, wrapping, silently | 0 or wrapping, with a warning | no warnings channel; no input panics a kernel |
//! | float to integer casts | saturate, NaN to 0 (Rust's `as`) | undefined, with a warning | a defined value for every input |
//! | quantiles of any dtype | `f64` results | the input's float type (`f32` for `f32`) | one exact selection path |
//! | a plan projected past memory | `Error::TooLarge` before anything runs, when no `Config::memory_limit` is set (over a set limit, `Error::MemoryLimit`): a result larger than the machine's memory, a `bincount` of a huge value | tries to allocate, raises `MemoryError` or is killed | no abort on user input |
//! | random streams | chunkwise's own position-keyed stream | PCG64 | the same values at any chunking and worker count |
//!
//! ```
//! use chunkwise::ndarray::array;
//!
//! # fn main() -> Result<(), chunkwise::Error> {
//! // Integer `/` truncates and stays an integer (Rust's operator); true_divide is NumPy's `/`.
//! let a = chunkwise::from_array(array![7i64, -7], 2)?;
//! assert_eq!((&a / 2).compute()?, array![3i64, -3].into_dyn());
//! assert_eq!(a.true_divide(2).compute()?, array![3.5, -3.5].into_dyn());
//! // Float floor division is NumPy's divmod: 1.0 // 0.1 == 9.
//! let f = chunkwise::from_array(array![1.0f64], 1)?;
//! assert_eq!(f.floor_divide(0.1).item()?, 9.0);
//! // Float to integer casts saturate, NaN becomes 0 (Rust's `as`).
//! let g = chunkwise::from_array(array![f64::NAN, 1e300, -2.7], 3)?;
//! assert_eq!(g.cast::<i32>().compute()?, array![0, i32::MAX, -2].into_dyn());
//! # Ok(())
//! # }
//! ```
//!
//! **Accumulators follow NumPy.** [`sum`](crate::ChunkedArray::sum) and
//! [`prod`](crate::ChunkedArray::prod) accumulate signed integers in `i64`, unsigned in `u64`,
//! floats in their own type; integer overflow wraps silently, as NumPy's. Integer division by zero
//! gives 0 (NumPy: 0 with a warning), `i64::MIN / -1` wraps: no input makes a kernel panic. **Float
//! sums are compensated**: each run is summed in 16 lanes with TwoSum (the rounding error of every add
//! is kept), partials combine with TwoSum too, and the result is the sum plus its error. The error is
//! about one rounding of the result plus `n * eps^2 * sum(|x|)`, against NumPy's pairwise
//! `O(log n * eps) * sum(|x|)`: on 1e7 normals the result is correctly rounded; on 3e6 values of mixed
//! magnitude (integers times 2^-20..2^73) its error is 8x below NumPy's; under heavy cancellation 3x
//! below (`tests/suite/invariance.rs`, against exact big-integer sums and a port of NumPy's
//! `pairwise_sum`). The f64 kernel is hand-dispatched to AVX-512 and AVX2 with the same bits as the
//! portable loop. `mean`, `var`, `std` are computed in `f64` (`f32` for `f32`), with `ddof = 0`.
//! **`var` reads the data once**, as Dask's: each leaf (at most 2048 values, in cache) is folded by the
//! corrected two-pass formula, and leaves combine by Chan's update with the means carried as `hi + lo`
//! pairs, so it keeps its digits far from zero (data of mean 1e9 and spread 1: within 1e-12 of a
//! shifted two-pass reference, where ndarray's streaming `var` is off by 2e-8 and `E[x^2] - E[x]^2`
//! by everything; `tests/suite/compute_many.rs`). `min`/`max` propagate NaN, and over zero
//! elements they are an error (no identity), as NumPy's.
//!
//! **The long tail fuses like the rest.** `x.log10().clip(0.0, 1.0).nansum()` is one pass
//! (`explain()`: `arange -> cast<f64> -> log10 -> clip 0 1 -> nan_as 0 -> sum`). `tests/suite/ufuncs.rs`
//! checks each function bit for bit against Rust's (or NumPy's rule) over the shapes and chunkings of
//! the other suites with NaN, infinities, signed zeros and halves among the inputs, and the NaN-aware
//! reductions against NaN-filtered references over all, one and two axes with and without
//! `keepdims`.
//!
//! # Errors
//!
//! Every error is a [`chunkwise::Error`](crate::Error) variant whose message names the op and the
//! shapes. When an error is reported depends on the function's signature:
//!
//! * **A function that returns `Result` checks its arguments at once**: the shapes, axes and chunks
//!   it takes ([`rechunk`](crate::ChunkedArray::rechunk), [`from_array`](crate::from_array), every
//!   `*_with` reduction, [`reshape`](crate::ChunkedArray::reshape),
//!   [`slice`](crate::ChunkedArray::slice), [`concatenate`](crate::concatenate),
//!   [`where_`](crate::where_), [`matmul`](crate::matmul)) and the parameters it can judge from
//!   them (`ddof` above the number of elements in [`var_with`](crate::ChunkedArray::var_with), a
//!   quantile outside `[0, 1]`, zero bins in [`histogram`](crate::ChunkedArray::histogram)).
//! * **A function that returns the array records its error in the graph**: operators and methods
//!   without a `Result` (shapes that cannot broadcast in `&a + &b`, NaN distribution parameters,
//!   [`arange_step`](crate::arange_step) with step 0, [`powi(-1)`](crate::ChunkedArray::powi) on
//!   integers, [`min`](crate::ChunkedArray::min) of an empty array) return an array that carries
//!   the error through every op built on it. [`plan`](crate::ChunkedArray::plan),
//!   [`explain`](crate::ChunkedArray::explain), [`compute`](crate::ChunkedArray::compute) and
//!   [`item`](crate::ChunkedArray::item) return it (the first found) before any task runs.
//! * **Errors that depend on the values** are found by the tasks and returned by `compute`:
//!   a slice of only NaN in [`nanargmin`](crate::ChunkedArray::nanargmin), weights summing to zero in
//!   [`average`](crate::ChunkedArray::average) ([`Error::InvalidValue`](crate::Error::InvalidValue)),
//!   a panic in a [`map_blocks`](crate::ChunkedArray::map_blocks) closure
//!   ([`Error::Block`](crate::Error::Block), naming the chunk), a file that cannot be read.
//!
//! ```
//! use chunkwise::{ndarray::array, Error};
//!
//! # fn main() -> Result<(), chunkwise::Error> {
//! let a = chunkwise::zeros::<f64>([3, 4]);
//! // An axis is checked when the array is built.
//! let opts = chunkwise::ReduceOptions::default();
//! assert!(matches!(a.sum_with(2, opts), Err(Error::AxisOutOfRange { .. })));
//! // A broadcast that cannot fit is recorded, and returned by plan() and compute().
//! let b = &a + &chunkwise::zeros::<f64>([5]);
//! assert!(matches!(b.plan(), Err(Error::Broadcast { .. })));
//! assert!(matches!(b.sum().compute(), Err(Error::Broadcast { .. })));
//! // A value error is found by the tasks: the plan is fine, the compute is not.
//! let n = chunkwise::from_array(array![f64::NAN, f64::NAN], 1)?.nanargmin();
//! assert!(n.plan().is_ok());
//! assert!(matches!(n.compute(), Err(Error::InvalidValue { .. })));
//! # Ok(())
//! # }
//! ```
//!
//! A [`DynArray`](crate::DynArray)'s dtype is known only at run time, so an operation the dtype
//! cannot do (bitwise operators on floats, arithmetic on two `bool` arrays that NumPy refuses, a
//! downcast to another type) is [`Error::UnsupportedDType`](crate::Error::UnsupportedDType),
//! returned at once as NumPy's `TypeError` is raised: the dtype, like a shape, is an argument
//! the function can judge. Every deprecated spelling (`sum_axis`, `var_ddof`, `quantile_axis`,
//! ...) checks and fails as its `_with` form does.
//!
//! # The dtype-erased array
//!
//! [`DynArray`](crate::DynArray) is a [`ChunkedArray<T>`](crate::ChunkedArray) of a dtype known at
//! run time, as polars' `Series` is beside its typed `ChunkedArray<T>`. It wraps the typed API's
//! arithmetic, comparisons, bitwise operators, elementwise math, reductions and statistics over
//! [`Axes`](crate::Axes), quantiles, scans, reshaping and transposing, slicing, `concatenate`,
//! `stack`, `where`, `matmul` and files, with NumPy 2's rules decided at run time. The rest of
//! the typed API (indexing by masks, `pad`, `topk`, `histogram`, linear algebra beyond `matmul`,
//! `map_blocks`, ...) is not wrapped yet: reach it with one `match` on the variants, which are
//! the typed arrays, or [`downcast`](crate::DynArray::downcast). The rules:
//!
//! * two arrays (or [`DynScalar`](crate::DynScalar)s) promote by `np.promote_types`
//!   ([`DType::promote`](crate::DType::promote), the same table as the typed
//!   [`Promote`](crate::Promote)); `bool` with a number takes the number's type;
//! * a Rust `i64`, `f64` or `bool` operand is a *weak* scalar (NEP 50, a Python number in NumPy 2):
//!   `u8 array + 1` stays `u8` (an integer that does not fit is an error, NumPy's
//!   `OverflowError`), `i32 array * 0.5` is `f64`, `f32 array * 0.5` stays `f32`;
//! * [`true_divide`](crate::DynArray::true_divide) of integers is `f64`; float functions of
//!   integers compute in the smallest float that holds them (`f32` for 8- and 16-bit integers
//!   and `bool`, where NumPy takes `f16`, which chunkwise does not have); rounding keeps
//!   integer dtypes; a `u64` compares with a signed integer exactly;
//! * reductions take [`Axes`](crate::Axes) and [`ReduceOptions`](crate::ReduceOptions);
//!   positions and counts are `i64` (NumPy's `intp`; the typed API gives `u64`); `bool` arrays
//!   are summed and averaged as `i64`, their `min`/`max` are `bool`.
//!
//! CI checks all of this against NumPy 2 (`examples/numpy_promotion.rs` and
//! `.ci/promotion_check.py`): every ordered pair of the eleven dtypes for ten operations, weak
//! scalars, twelve reductions and eight unary functions of each dtype, errors where NumPy
//! raises.
//!
//! ```
//! use chunkwise::{DType, DynArray, ReduceOptions};
//! # fn main() -> Result<(), chunkwise::Error> {
//! let x = DynArray::from(chunkwise::arange(6).cast::<u8>());
//! assert_eq!(x.add(1)?.dtype(), DType::U8);            // weak: stays u8
//! assert_eq!(x.add(&x.astype(DType::I8))?.dtype(), DType::I16); // u8 + i8
//! assert_eq!(x.true_divide(2)?.dtype(), DType::F64);           // true division
//! let m = x.reshape([2, 3])?.max_with(1, ReduceOptions::default())?;
//! assert_eq!(m.compute()?.downcast::<u8>()?.into_raw_vec_and_offset().0, vec![2, 5]);
//! let typed: chunkwise::ChunkedArray<u8> = x.downcast()?; // free, as From is
//! # let _ = typed;
//! # Ok(())
//! # }
//! ```
//!
//! # Dask's `delayed`, and seeing the work
//!
//! [`delayed`](crate::delayed) builds typed task graphs from plain closures (Dask's `delayed`):
//! [`task`](crate::delayed::task), [`try_task`](crate::delayed::try_task),
//! [`value`](crate::delayed::value), [`Delayed::then`](crate::Delayed::then),
//! [`Delayed::try_then`](crate::Delayed::try_then), [`join`](crate::delayed::join) (two inputs) and
//! [`gather`](crate::delayed::gather) (a list) make [`Delayed<T>`](crate::Delayed) values;
//! [`Delayed::compute`](crate::Delayed::compute) runs the graph on the current rayon pool, each task
//! as soon as its inputs are done, shared inputs once. A panic or an error in a task is an
//! [`Error::Task`](crate::Error::Task) naming it; its dependents fail with that error and every
//! independent task still runs. Arrays and tasks mix:
//! [`x.sum().to_delayed()`](crate::ChunkedArray::to_delayed) is a task, and
//! [`from_delayed(task, shape, chunks)?`](crate::from_delayed) an array whose values a task
//! computes once.
//!
//! ```
//! use chunkwise::delayed;
//!
//! # fn main() -> Result<(), chunkwise::Error> {
//! // The lesson's ten estimates and their mean, as tasks (here: stand-in values).
//! let estimates: Vec<_> = (0..10u64)
//!     .map(|k| delayed::task(format!("estimate {k}"), move || 3.0 + k as f64 / 100.0))
//!     .collect();
//! let mean = delayed::gather("estimates", &estimates).then("mean", |v| v.iter().sum::<f64>() / 10.0);
//! assert!((mean.compute()? - 3.045).abs() < 1e-12);
//! # Ok(())
//! # }
//! ```
//!
//! `cargo run --release --example snert` is the lesson's pea soup: the peas simmer while the
//! vegetables are cut, so the plan takes 95.1 recipe minutes instead of the serial 110, printing the
//! order the steps ran and writing `snert.dot` and, where Graphviz is installed, `snert.svg`.
//!
//! * **Pictures.** [`x.visualize(path, level)?`](crate::ChunkedArray::visualize) with a
//!   [`GraphLevel`](crate::diagnostics::GraphLevel) and [`Delayed::visualize`](crate::Delayed::visualize)
//!   write Graphviz DOT, and SVG where the `dot` program is installed (otherwise
//!   [`Visualized::note`](crate::diagnostics::Visualized) says so). `Ops` is one node per op (Dask's
//!   high-level graph); `Optimized` one node per fused pass, with its ops; `Tasks` one node per chunk
//!   task with each reduction's binary combine tree, cut off with a note past
//!   [`MAX_TASK_NODES`](crate::diagnostics::MAX_TASK_NODES) nodes.
//!   `cargo run --release --example pi -- --n 2000 --chunk 250 --visualize DIR` draws the pi
//!   expression at the three levels.
//! * **Progress.** On a terminal, a computation that runs longer than 0.5 s shows a progress bar
//!   with tasks done, elements per second and an ETA; it is off when standard error is not a
//!   terminal, and [`Config::progress`](crate::Config::progress) /
//!   [`Config::progress_after`](crate::Config::progress_after) set it.
//! * **Profiler.** [`Config::observer`](crate::Config::observer) with a
//!   [`diagnostics::Profiler`](crate::diagnostics::Profiler) records every task (name, worker,
//!   start, end, elements, bytes) and samples memory and CPU (Dask's `Profiler` +
//!   `ResourceProfiler`); the record writes an SVG timeline (one row per worker, tasks as bars,
//!   memory and CPU beneath) and JSON. `cargo run --release --example pi -- --n 1e9 --profile DIR`
//!   records the 3815 tasks of pi at 1e9.
//! * **Observers.** Progress and profiling are observers on the executor's one event interface
//!   ([`events::Observer`](crate::events::Observer): compute start and end, task start and end with
//!   worker, elements and bytes); add your own with [`Config::observer`](crate::Config::observer).
//!
//! # Not there yet
//!
//! * [`map_blocks`](crate::ChunkedArray::map_blocks) copies each block it serves, and a block that
//!   tasks on two workers (or tasks far apart on one) read is made by each; `map_blocks` keeps the chunk's shape (a closure
//!   returning another shape is an error, not a new grid: use
//!   [`map_blocks_with`](crate::ChunkedArray::map_blocks_with)); `reshape` gives its result
//!   automatic chunks.
//! * The scan is 4.3x the time of an `arange` sum (the issue asked 2x).
//! * `histogram` needs a range or the edges (`histogram_edges`), not the data's min and max;
//!   `unique` and `bincount` hold their results (and a task's distinct
//!   values) in memory, as Dask's do; a deferred array's sizing pass and its values pass each
//!   evaluate the input (nothing is held between them). A quantile's passes each evaluate the input
//!   again (two reading passes for normals; up to four for 64-bit keys packed closer than 2^22 per
//!   16-bit prefix).
//! * A transposed read of an input that is not cheap in narrow boxes (normal values, files,
//!   block functions) keeps up to a row of transposed chunks per worker in a reduction (80 MB per
//!   worker for 1000 x 1000 chunks of `f64`); uniform values, `full`, index grids, and their
//!   maps and casts (over operands of the same shape or single values) are drawn transposed by
//!   position (nothing kept), and arrays in memory and maps that broadcast a smaller operand are
//!   transposed in panels of 32768 elements (256 KiB of `f64`), three per worker.
//! * MPI: partials travel by all-gather rather than along the tree, `delayed` graphs run whole on
//!   every rank, and files are written by rank 0 (see [`mpi`](super::mpi)).
//! * Zarr: the write side always writes Zarr v3 (v2 is read only), to the filesystem store only (no
//!   object stores), and a read of a store chunk is whole (sharded arrays decode inner chunks); with
//!   store chunks of 32 MiB the peak RSS of a sum is about four chunks per worker (see
//!   [`files`](super::files)). `store` runs one pass per chunk grid; a node shared by targets of
//!   different grids is evaluated once per pass.
//! * Float sums are compensated, not exactly rounded: under cancellation down to the rounding noise
//!   of the inputs (sum near zero, terms near 1e27) the error is small but more than an ulp of the
//!   result. The hand-dispatched sum kernel is `f64` only (`f32` sums use the portable loop with the
//!   same definition).
//! * A reduction over an input whose chunks do not align with its leaves reads across chunk
//!   boundaries: free for sources and elementwise chains, but a `map_blocks` input then computes
//!   some chunks twice (about one extra chunk per task).
//! * Delayed tasks run on the rayon pool, so a task that sleeps or blocks holds a worker (as Dask's
//!   threaded scheduler does).
//! * No complex, `f16` or datetime types; no Python package yet.
