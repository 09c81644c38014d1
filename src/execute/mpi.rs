//! The MPI executor (feature `mpi`): the same program on every rank of an `mpiexec` launch,
//! through the rsmpi `mpi` crate and the system's MPI library.
//!
//! Every rank builds the same plan and runs its share of each pass's tasks on its own rayon
//! pool (see `passes.rs`); the only communication is [`Executor::all_gather`], an
//! `MPI_Allgather` of the byte counts and an `MPI_Allgatherv` of the bytes, after each pass.

use std::sync::{Arc, Mutex};

use mpi::datatype::PartitionMut;
use mpi::environment::Universe;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use mpi::Threading;

use super::Executor;
use crate::error::{Error, Result};

/// The ranks of an MPI launch (`mpiexec -n K program`), as an [`Executor`]: a compute under
/// [`Config::executor`](super::Config::executor)`(mpi)` runs on every rank, each rank a
/// contiguous share of every pass's tasks on its own pool of
/// [`Config::workers`](super::Config::workers), and returns the result on every rank: a
/// reduction's partials are exchanged and combined in the canonical tree on each rank, an
/// array's chunks are gathered into each rank's copy. The bits are those of a run in one
/// process, for any number of ranks and workers.
///
/// Every rank must make the same computes in the same order (as every MPI program makes the
/// same collective calls). Files are read by the ranks that run the tasks (every rank must see
/// the paths, as on a shared filesystem) and written by rank 0 alone. A task that fails on one
/// rank fails the compute on every rank ([`Error::Rank`] on the others).
///
/// MPI is initialized by [`Mpi::init`] and finalized when the last handle is dropped; a
/// program initializes it once.
///
/// ```no_run
/// use chunkwise::prelude::*;
/// let mpi = chunkwise::Mpi::init()?;
/// let cfg = Config::default().executor(mpi.clone());
/// let s: i64 = chunkwise::arange(1_000_000).sum().item_with(&cfg)?;
/// if mpi.rank() == 0 {
///     println!("{s} on {} ranks", mpi.ranks());
/// }
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub struct Mpi {
    // Declared before `_universe`, so dropped before MPI is finalized.
    world: Mutex<SimpleCommunicator>,
    rank: usize,
    ranks: usize,
    _universe: Universe,
}

// SAFETY: MPI is initialized with at least `MPI_THREAD_SERIALIZED` (checked in `init`), under
// which any thread may call MPI as long as no two do at once; every call goes through the
// `world` mutex. The communicator and universe are handles of the MPI library, not tied to the
// thread that made them.
unsafe impl Send for Mpi {}
// SAFETY: as above: shared access only reaches MPI through the mutex.
unsafe impl Sync for Mpi {}

impl std::fmt::Debug for Mpi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mpi")
            .field("rank", &self.rank)
            .field("ranks", &self.ranks)
            .finish()
    }
}

impl Mpi {
    /// Initializes MPI (`MPI_Init_thread`, serialized calls from any thread) and returns the
    /// world of this launch. A program run without `mpiexec` is a world of one rank. Fails when
    /// MPI was initialized already or does not offer serialized threading.
    pub fn init() -> Result<Arc<Mpi>> {
        let fail = |reason: String| Error::Distributed {
            op: "Mpi::init".into(),
            reason,
        };
        let (universe, level) = mpi::initialize_with_threading(Threading::Serialized)
            .ok_or_else(|| fail("MPI is initialized already in this process".into()))?;
        if level < Threading::Serialized {
            return Err(fail(format!(
                "the MPI library offers threading level {level:?}, chunkwise needs Serialized"
            )));
        }
        let world = universe.world();
        let (rank, ranks) = (world.rank() as usize, world.size() as usize);
        Ok(Arc::new(Mpi {
            world: Mutex::new(world),
            rank,
            ranks,
            _universe: universe,
        }))
    }
}

impl Executor for Mpi {
    fn rank(&self) -> usize {
        self.rank
    }

    fn ranks(&self) -> usize {
        self.ranks
    }

    fn all_gather(&self, mine: &[u8]) -> Result<Vec<Vec<u8>>> {
        let world = self.world.lock().unwrap_or_else(|e| e.into_inner());
        let mut counts = vec![0u64; self.ranks];
        world.all_gather_into(&(mine.len() as u64), &mut counts[..]);
        Ok(self.in_rounds(&counts, mine, |round, part, buf| {
            let mut p = PartitionMut::new(buf, &part.sizes[..], &part.displs[..]);
            world.all_gather_varcount_into(&mine[round.clone()], &mut p);
        }))
    }

    fn gather(&self, mine: &[u8], root: usize) -> Result<Option<Vec<Vec<u8>>>> {
        let world = self.world.lock().unwrap_or_else(|e| e.into_inner());
        let at = world.process_at_rank(root as i32);
        let len = mine.len() as u64;
        if self.rank != root {
            at.gather_into(&len);
            // Every rank walks the same rounds: the root tells how many.
            let mut rounds = 0u64;
            at.broadcast_into(&mut rounds);
            for r in 0..rounds {
                at.gather_varcount_into(&mine[self.round_range(r, mine.len())]);
            }
            return Ok(None);
        }
        let mut counts = vec![0u64; self.ranks];
        at.gather_into_root(&len, &mut counts[..]);
        let mut rounds = counts
            .iter()
            .map(|c| c.div_ceil(self.round_cap()))
            .max()
            .unwrap_or(0);
        at.broadcast_into(&mut rounds);
        Ok(Some(self.in_rounds(&counts, mine, |round, part, buf| {
            let mut p = PartitionMut::new(buf, &part.sizes[..], &part.displs[..]);
            at.gather_varcount_into_root(&mine[round.clone()], &mut p);
        })))
    }
}

/// The sizes and displacements of one round of a variable-count collective.
struct Round {
    sizes: Vec<i32>,
    displs: Vec<i32>,
}

impl Mpi {
    /// Bytes per rank per round: MPI counts and displacements are `i32`, so a round's total
    /// must fit one.
    fn round_cap(&self) -> u64 {
        (i32::MAX as u64 / self.ranks as u64).max(1)
    }

    /// The bytes of a rank's `len` that it sends in round `round`.
    fn round_range(&self, round: u64, len: usize) -> std::ops::Range<usize> {
        let lo = ((round * self.round_cap()) as usize).min(len);
        lo..(lo + self.round_cap() as usize).min(len)
    }

    /// Receives every rank's `counts[r]` bytes in rounds of at most [`Mpi::round_cap`] per
    /// rank: `step(this rank's byte range, the round's partition, its buffer)` runs the
    /// collective of one round. Returns the bytes of each rank.
    fn in_rounds(
        &self,
        counts: &[u64],
        mine: &[u8],
        mut step: impl FnMut(&std::ops::Range<usize>, &Round, &mut [u8]),
    ) -> Vec<Vec<u8>> {
        let cap = self.round_cap();
        let mut out: Vec<Vec<u8>> = counts
            .iter()
            .map(|&c| Vec::with_capacity(c as usize))
            .collect();
        let rounds = counts.iter().map(|c| c.div_ceil(cap)).max().unwrap_or(0);
        for round in 0..rounds {
            let at = round * cap;
            let sizes: Vec<i32> = counts
                .iter()
                .map(|&c| c.saturating_sub(at).min(cap) as i32)
                .collect();
            let displs: Vec<i32> = sizes
                .iter()
                .scan(0i32, |d, &s| {
                    let here = *d;
                    *d += s;
                    Some(here)
                })
                .collect();
            let total: usize = sizes.iter().map(|&s| s as usize).sum();
            let mut buf = vec![0u8; total];
            let part = Round { sizes, displs };
            step(&self.round_range(round, mine.len()), &part, &mut buf);
            for (r, o) in out.iter_mut().enumerate() {
                let d = part.displs[r] as usize;
                o.extend_from_slice(&buf[d..d + part.sizes[r] as usize]);
            }
        }
        out
    }
}
