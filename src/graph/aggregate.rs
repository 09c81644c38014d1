//! Aggregations: exact folds of a whole array into a state of any size (the counts of a
//! histogram's bins, the `k` largest values, the counts of one radix digit), for the statistics
//! a tree of per-element partials cannot give. An [`Aggregator`] says how to start, fold, merge
//! and finish a state; [`Aggregate`] runs it as a stage of its own: one task per run of input
//! chunks, the tasks' states merged in the canonical tree (`reduce::tree_split`), the finished
//! state materialized as the node's (small) result.
//!
//! Every aggregator is exact (counts, selections, sets, and sums of weights kept exactly), so
//! its result does not depend on how the values were split: the same for any chunking, workers and ranks. An aggregator may read
//! what earlier passes found ([`Aggregator::start`] is given their results): a radix selection
//! is a chain of aggregates, each narrowing what the one before it selected.

use std::any::Any;
use std::ops::Range;
use std::sync::Arc;

use super::{read, Expr, Meta, Node, OpKind, Parts, PassKey, Results, Stage, TaskCx};
use crate::chunks::Chunks;
use crate::element::Element;
use crate::error::{Error, Result};
use crate::kernels::aggregator::{Aggregator, Earlier};
use crate::region::{for_each_tile, Region, TILE_LEN};

/// What the earlier passes found, for an aggregator that starts from them.
impl Earlier for Results {
    fn u64s(&self, id: u64) -> Option<&[u64]> {
        self.get::<u64>(id)
            .map(|a| a.as_slice().expect("results are C-order"))
    }
}

/// A stage that folds a whole array with an [`Aggregator`].
pub(crate) struct Aggregate<I: Element, A: Aggregator<I>> {
    meta: Meta,
    input: Arc<dyn Expr<I>>,
    /// Earlier aggregates whose results `agg` reads when it starts.
    after: Vec<Arc<dyn Node>>,
    agg: A,
    /// Consecutive input chunks per task.
    per_task: usize,
}

impl<I: Element, A: Aggregator<I>> Aggregate<I, A> {
    /// An aggregate of `input` named `name`, of result shape `shape`, run after the stages in
    /// `after` (whose results `agg.start` reads).
    pub(crate) fn new(
        name: String,
        input: Arc<dyn Expr<I>>,
        after: Vec<Arc<dyn Node>>,
        agg: A,
        shape: Vec<usize>,
    ) -> Self {
        let m = input.meta();
        let error = m
            .error
            .clone()
            .or_else(|| after.iter().find_map(|a| a.meta().error.clone()));
        // A task covers what its input makes together (a row of contraction blocks), so that
        // two workers do not make the same blocks.
        let chunk = m.chunks.max_chunk_len().max(1);
        let per_task = input.granule().div_ceil(chunk).max(1);
        let chunks = Chunks::single(&shape);
        let kind = OpKind::Reduce {
            axes: (0..m.shape.len()).collect(),
            keepdims: false,
            staged: true,
        };
        Aggregate {
            meta: Meta::new(name, kind, A::Out::DTYPE, shape, chunks).with_error(error),
            input,
            after,
            agg,
            per_task,
        }
    }

    fn input_chunks(&self) -> usize {
        let m = self.input.meta();
        if m.size() == 0 {
            0
        } else {
            m.chunks.num_chunks()
        }
    }
}

impl<I: Element, A: Aggregator<I>> Node for Aggregate<I, A> {
    fn meta(&self) -> &Meta {
        &self.meta
    }
    super::typed_as!(A::Out);
    fn inputs(&self) -> Vec<Arc<dyn Node>> {
        let mut v: Vec<Arc<dyn Node>> = vec![self.input.clone()];
        v.extend(self.after.iter().cloned());
        v
    }
    fn as_stage(&self) -> Option<&dyn Stage> {
        Some(self)
    }
}

impl<I: Element, A: Aggregator<I>> Expr<A::Out> for Aggregate<I, A> {
    fn fill(&self, _: &mut TaskCx<'_>, _: &[Range<usize>], _: &mut [A::Out]) -> Result<()> {
        // Consumers read the materialized result through `pull`; the planner always runs an
        // aggregate as a stage first.
        Err(Error::InvalidValue {
            op: self.meta.name.clone(),
            reason: "an aggregate is read before its pass ran".into(),
        })
    }
}

impl<I: Element, A: Aggregator<I>> Stage for Aggregate<I, A> {
    fn tasks(&self) -> usize {
        Stage::groups(self)
    }

    fn max_partial_bytes(&self) -> usize {
        self.agg.state_bytes()
    }

    fn leaves_per_output(&self) -> usize {
        Stage::groups(self)
    }

    fn leaves_per_task(&self) -> usize {
        1
    }

    fn pass_key(&self) -> PassKey {
        // An aggregate's tasks are its own: no other stage shares its pass.
        PassKey {
            input: self.meta.id,
            axes: Vec::new(),
            keepdims: false,
            group: 0,
            leaves: 0,
            out_chunks: self.meta.chunks.clone(),
        }
    }

    fn groups(&self) -> usize {
        // At least one task, so that an empty input still starts (and finishes) a state.
        self.input_chunks().div_ceil(self.per_task).max(1)
    }

    fn group_task(&self, _: &[Range<usize>], g: usize) -> (String, u64, u64) {
        let n = self
            .input
            .meta()
            .chunks
            .max_chunk_len()
            .saturating_mul(self.per_task) as u64;
        let name = format!("{} task {g}", self.meta.name);
        (name, n, n.saturating_mul(I::DTYPE.size() as u64))
    }

    fn hold_group_input(&self, _: &mut TaskCx<'_>, _: &[Range<usize>], _: usize) -> Result<()> {
        Ok(())
    }

    fn fold_group(&self, cx: &mut TaskCx<'_>, _: &[Range<usize>], g: usize) -> Result<Parts> {
        let mut state = self.agg.start(cx.results)?;
        if self.agg.reads_input(&state) {
            let chunks = self.input_chunks();
            let grid = &self.input.meta().chunks;
            for k in g * self.per_task..((g + 1) * self.per_task).min(chunks) {
                let chunk = grid.chunk(k);
                for_each_tile(&chunk, TILE_LEN, |t| {
                    read(cx, &*self.input, t, |vals| {
                        self.agg.fold(&mut state, t, vals)
                    })
                })?;
            }
        }
        Ok(Box::new(state))
    }

    fn combine(&self, a: Parts, b: Parts) -> Parts {
        let a = a.downcast::<A::State>().expect("parts of this stage");
        let b = b.downcast::<A::State>().expect("parts of this stage");
        Box::new(self.agg.merge(*a, *b))
    }

    fn encode(&self, parts: &Parts, out: &mut Vec<u8>) {
        let s = parts
            .downcast_ref::<A::State>()
            .expect("parts of this stage");
        self.agg.encode(s, out);
    }

    fn decode(&self, _: &[Range<usize>], raw: &[u8]) -> Option<Parts> {
        self.agg.decode(raw).map(|s| Box::new(s) as Parts)
    }

    fn assemble(&self, chunks: Vec<(Region, Parts)>) -> Result<Arc<dyn Any + Send + Sync>> {
        let shape = self.meta.shape.clone();
        let data = match chunks.into_iter().next() {
            Some((_, parts)) => {
                let s = parts.downcast::<A::State>().expect("parts of this stage");
                self.agg.finish(*s)?
            }
            // No output elements: nothing ran.
            None => Vec::new(),
        };
        debug_assert_eq!(
            data.len(),
            self.meta.size(),
            "an aggregator finishes its shape"
        );
        let arr = ndarray::ArrayD::from_shape_vec(shape, data).expect("size matches shape");
        Ok(Arc::new(arr))
    }
}
