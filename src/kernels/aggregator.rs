//! The fold behind an aggregate node (`graph::aggregate::Aggregate`): how to start, fold,
//! merge, encode and finish a state of any size (a histogram's counts, the `k` largest values,
//! the counts of one radix digit). The aggregators themselves are in `counts.rs` and
//! `select.rs`; the node that runs them, one task per run of input chunks with the states
//! merged in the canonical tree, is the graph's.

use std::ops::Range;

use crate::element::Element;
use crate::error::Result;

/// An exact fold of every value of an array into a `State`, finished into a small result.
pub(crate) trait Aggregator<I: Element>: Send + Sync + 'static {
    /// What one task folds its values into; merged in a fixed order.
    type State: Send + 'static;
    /// The result's element type.
    type Out: Element;
    /// Bytes of one state, for the plan's memory projection.
    fn state_bytes(&self) -> usize;
    /// A task's empty state, from what the earlier passes this aggregator reads found.
    fn start(&self, earlier: &dyn Earlier) -> Result<Self::State>;
    /// Whether a task with this (fresh) state needs its values at all: a selection settled by
    /// an earlier pass reads nothing.
    fn reads_input(&self, _state: &Self::State) -> bool {
        true
    }
    /// Folds the values of `region` of the input (C order).
    fn fold(&self, state: &mut Self::State, region: &[Range<usize>], values: &[I]);
    /// `a` then `b`.
    fn merge(&self, a: Self::State, b: Self::State) -> Self::State;
    /// The state's bytes, for another rank.
    fn encode(&self, state: &Self::State, out: &mut Vec<u8>);
    /// The state [`encode`](Self::encode) wrote; `None` when `raw` is not such bytes.
    fn decode(&self, raw: &[u8]) -> Option<Self::State>;
    /// The result, C order, of the node's shape.
    fn finish(&self, state: Self::State) -> Result<Vec<Self::Out>>;
}

/// The results of the passes before an aggregate, by node id (an aggregate's result is an
/// array; a selection pass reads the `u64`s of the one before it).
pub(crate) trait Earlier {
    /// The values of node `id`'s result, when it is an array of `u64` that has been computed.
    fn u64s(&self, id: u64) -> Option<&[u64]>;
}

/// `a[i] += b[i]`: the merge of states made of counts.
pub(crate) fn add_counts(a: &mut [u64], b: &[u64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}
