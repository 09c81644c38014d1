//! The default executor: one rank, this process. Every task of every pass runs here, on the
//! current rayon pool (or the cached pool of [`Config::workers`](super::Config::workers)),
//! and nothing is exchanged.

use super::Executor;
use crate::error::Result;

/// Runs every task in this process: what `compute()` uses unless
/// [`Config::executor`](super::Config::executor) says otherwise.
///
/// ```
/// use std::sync::Arc;
/// use chunkwise::prelude::*;
/// let cfg = Config::default().executor(Arc::new(chunkwise::execute::Local));
/// assert_eq!(chunkwise::arange(10).sum().item_with(&cfg)?, 45);
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Local;

impl Executor for Local {
    fn rank(&self) -> usize {
        0
    }

    fn ranks(&self) -> usize {
        1
    }

    fn all_gather(&self, mine: &[u8]) -> Result<Vec<Vec<u8>>> {
        Ok(vec![mine.to_vec()])
    }
}
