//! The one form every reduction, arg-reduction, statistic and scan takes its axes and options
//! in: NumPy's `axis=` and keywords (`keepdims=`, `ddof=`), so that `x.sum(axis=(0, 2),
//! keepdims=True)` is one call, `x.sum_with([0, 2], ReduceOptions::default().keepdims(true))`.

use crate::chunks::normalize_axis;
use crate::error::{Error, Result};

/// Which axes an operation folds: NumPy's `axis=` argument.
///
/// `None` (or [`Axes::All`]) is every axis (an `Option<isize>` converts, so `None` needs no
/// type); an `isize` one axis; a slice, array or `Vec` of
/// `isize` several. Negative axes count from the end; a repeated axis is an
/// [`Error::InvalidAxes`], as in NumPy.
///
/// ```
/// use chunkwise::{Axes, ReduceOptions};
/// let x = chunkwise::arange(24).reshape([2, 3, 4])?;
/// let opts = ReduceOptions::default();
/// assert_eq!(x.sum_with(Axes::All, opts)?.item()?, 276);
/// assert_eq!(x.sum_with(None, opts)?.shape(), &[] as &[usize]);
/// assert_eq!(x.sum_with(-1, opts)?.shape(), &[2, 3]);
/// assert_eq!(x.sum_with([0, 2], opts.keepdims(true))?.shape(), &[1, 3, 1]);
/// assert!(x.sum_with([0, 0], opts).is_err());
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Axes {
    /// Every axis (NumPy's `axis=None`).
    #[default]
    All,
    /// These axes, in any order (negative counts from the end).
    These(Vec<isize>),
}

impl Axes {
    /// The axes as sorted, distinct indices into `shape`: [`Error::AxisOutOfRange`] for an
    /// axis outside the array, [`Error::InvalidAxes`] for a repeated one.
    pub fn resolve(&self, op: &str, shape: &[usize]) -> Result<Vec<usize>> {
        let given = match self {
            Axes::All => return Ok((0..shape.len()).collect()),
            Axes::These(v) => v,
        };
        let mut v = given
            .iter()
            .map(|&a| normalize_axis(op, a, shape))
            .collect::<Result<Vec<_>>>()?;
        v.sort_unstable();
        if v.windows(2).any(|w| w[0] == w[1]) {
            return Err(Error::InvalidAxes {
                op: op.into(),
                axes: given.clone(),
                shape: shape.to_vec(),
                reason: "an axis repeats".into(),
            });
        }
        Ok(v)
    }

    /// The one axis of an operation that takes at most one (a scan, a quantile along a lane):
    /// `None` for [`Axes::All`], [`Error::InvalidAxes`] for several.
    pub fn single(&self, op: &str, shape: &[usize]) -> Result<Option<usize>> {
        match self {
            Axes::All => Ok(None),
            Axes::These(v) if v.len() == 1 => Ok(Some(normalize_axis(op, v[0], shape)?)),
            Axes::These(v) => Err(Error::InvalidAxes {
                op: op.into(),
                axes: v.clone(),
                shape: shape.to_vec(),
                reason: "takes one axis or none".into(),
            }),
        }
    }
}

impl From<isize> for Axes {
    fn from(a: isize) -> Self {
        Axes::These(vec![a])
    }
}

impl From<Option<isize>> for Axes {
    fn from(a: Option<isize>) -> Self {
        a.map_or(Axes::All, Axes::from)
    }
}

impl From<&[isize]> for Axes {
    fn from(a: &[isize]) -> Self {
        Axes::These(a.to_vec())
    }
}

impl<const N: usize> From<[isize; N]> for Axes {
    fn from(a: [isize; N]) -> Self {
        Axes::These(a.to_vec())
    }
}

impl<const N: usize> From<&[isize; N]> for Axes {
    fn from(a: &[isize; N]) -> Self {
        Axes::These(a.to_vec())
    }
}

impl From<Vec<isize>> for Axes {
    fn from(a: Vec<isize>) -> Self {
        Axes::These(a)
    }
}

/// The keywords of a reduction: NumPy's `keepdims=` and, for the variance and the standard
/// deviation, `ddof=`. Built from the default (`keepdims=False, ddof=0`) by its setters.
///
/// ```
/// use chunkwise::ReduceOptions;
/// let x = chunkwise::arange(5).cast::<f64>();
/// assert_eq!(x.var_with(None, ReduceOptions::default().ddof(1))?.item()?, 2.5);
/// // ddof belongs to var and std only
/// assert!(x.sum_with(None, ReduceOptions::default().ddof(1)).is_err());
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ReduceOptions {
    /// Keep the reduced axes with extent 1 (NumPy's `keepdims=True`).
    pub keepdims: bool,
    /// The divisor of a variance is `n - ddof` (NumPy's `ddof=`).
    pub ddof: usize,
}

impl ReduceOptions {
    /// These options with `keepdims` set.
    pub fn keepdims(mut self, keepdims: bool) -> Self {
        self.keepdims = keepdims;
        self
    }

    /// These options with `ddof` set.
    pub fn ddof(mut self, ddof: usize) -> Self {
        self.ddof = ddof;
        self
    }

    /// Refuses a `ddof` given to an operation without one (NumPy's `TypeError` for an
    /// unexpected keyword).
    pub(crate) fn without_ddof(self, op: &str) -> Result<bool> {
        if self.ddof != 0 {
            return Err(Error::InvalidParameter {
                op: op.into(),
                param: "ddof".into(),
                value: self.ddof.to_string(),
                reason: "only var and std take a ddof".into(),
            });
        }
        Ok(self.keepdims)
    }
}
