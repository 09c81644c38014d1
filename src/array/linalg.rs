//! Contractions: `dot`, `matmul`, `tensordot` and `einsum`, each a few lines that move and
//! merge axes into the one contraction primitive (`[batch.., m, k] · [batch.., k, n]`,
//! `graph::contract`), as NumPy's `tensordot` does with transposes and reshapes.

use std::sync::Arc;

use ndarray::SliceInfoElem;

use super::ChunkedArray;
use crate::chunks::{broadcast_shapes, normalize_axis, saturating_len};
use crate::element::Numeric;
use crate::error::{Error, Result};
use crate::graph::contract::Contract;

/// An operand shape error of `op` over the shapes of `a` and `b`.
fn mismatch(op: &str, a: &[usize], b: &[usize], reason: &str) -> Error {
    Error::ShapeMismatch {
        op: format!("{op}: {reason}"),
        got: a.to_vec(),
        expected: b.to_vec(),
    }
}

/// NumPy's `matmul` (`a @ b`): the last two axes multiply as matrices, the leading ones are
/// batch axes broadcast against each other; a 1-d `a` is a row and a 1-d `b` a column (the
/// added axis is removed from the result). The product of each output block sums the blocks
/// of the contracted axis in a fixed order, so results are bit-identical for any number of
/// workers; memory is a few output blocks and one block of each input per worker (plus the
/// row of `a`'s blocks an output row uses, when it has at most 4).
///
/// ```
/// let a = chunkwise::arange(6).reshape([2, 3])?.cast::<f64>();
/// let b = chunkwise::arange(12).reshape([3, 4])?.cast::<f64>().rechunk([2, 3])?;
/// let c = chunkwise::matmul(&a, &b)?.compute()?;
/// assert_eq!(c, ndarray::array![[20.0, 23.0, 26.0, 29.0], [56.0, 68.0, 80.0, 92.0]].into_dyn());
/// assert!(chunkwise::matmul(&a, &a).is_err());
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn matmul<T: Numeric>(a: &ChunkedArray<T>, b: &ChunkedArray<T>) -> Result<ChunkedArray<T>> {
    let (sa, sb) = (a.shape(), b.shape());
    if a.ndim() == 0 || b.ndim() == 0 {
        return Err(mismatch(
            "matmul",
            sa,
            sb,
            "0-d operands do not multiply as matrices",
        ));
    }
    let a2 = if a.ndim() == 1 {
        a.expand_dims(0)?
    } else {
        a.clone()
    };
    let b2 = if b.ndim() == 1 {
        b.expand_dims(-1)?
    } else {
        b.clone()
    };
    let (na, nb) = (a2.ndim(), b2.ndim());
    let (m, k) = (a2.shape()[na - 2], a2.shape()[na - 1]);
    let (kb, n) = (b2.shape()[nb - 2], b2.shape()[nb - 1]);
    if k != kb {
        return Err(mismatch(
            "matmul",
            sa,
            sb,
            &format!("the contracted extents differ ({k} and {kb})"),
        ));
    }
    let batch = broadcast_shapes("matmul", &a2.shape()[..na - 2], &b2.shape()[..nb - 2])?;
    let with = |tail: [usize; 2]| -> Vec<usize> { batch.iter().copied().chain(tail).collect() };
    let a3 = a2.broadcast_to(with([m, k]))?;
    let b3 = b2.broadcast_to(with([k, n]))?;
    let name = format!("matmul {:?} @ {:?}", sa, sb);
    let mut c = ChunkedArray::from_expr(Arc::new(Contract::new(
        name,
        a3.expr().clone(),
        b3.expr().clone(),
    )));
    if b.ndim() == 1 {
        c = c.squeeze_axis(-1)?;
    }
    if a.ndim() == 1 {
        c = c.squeeze_axis(if b.ndim() == 1 { -1 } else { -2 })?;
    }
    Ok(c)
}

/// NumPy's `tensordot(a, b, (axes_a, axes_b))`: the products summed over `axes_a` of `a`
/// paired with `axes_b` of `b`; the result's axes are `a`'s other axes, then `b`'s. Built as
/// NumPy builds it: both operands transposed and reshaped to matrices, one [`matmul`].
///
/// ```
/// let a = chunkwise::arange(24).reshape([2, 3, 4])?;
/// let b = chunkwise::arange(12).reshape([4, 3])?;
/// let c = chunkwise::tensordot(&a, &b, (&[1, 2], &[1, 0]))?;
/// assert_eq!(c.shape(), &[2]);
/// assert_eq!(c.compute()?.as_slice().unwrap(), &[440, 1232]); // as np.tensordot
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn tensordot<T: Numeric>(
    a: &ChunkedArray<T>,
    b: &ChunkedArray<T>,
    axes: (&[isize], &[isize]),
) -> Result<ChunkedArray<T>> {
    let (sa, sb) = (a.shape(), b.shape());
    let op = "tensordot";
    if axes.0.len() != axes.1.len() {
        return Err(mismatch(
            op,
            sa,
            sb,
            "the two lists of axes differ in length",
        ));
    }
    // Each list in range and without repeats (the reductions' check), then paired, sorted
    // by `a`'s axis.
    let ca = a.axes_arg(op, axes.0)?;
    let cb = b.axes_arg(op, axes.1)?;
    let norm = |x: isize, s: &[usize]| normalize_axis(op, x, s).expect("checked above");
    let mut pairs: Vec<(usize, usize)> = axes
        .0
        .iter()
        .zip(axes.1)
        .map(|(&x, &y)| (norm(x, sa), norm(y, sb)))
        .collect();
    pairs.sort_unstable();
    for &(x, y) in &pairs {
        if sa[x] != sb[y] {
            return Err(mismatch(
                op,
                sa,
                sb,
                &format!("axis {x} ({}) and axis {y} ({}) differ", sa[x], sb[y]),
            ));
        }
    }
    let free_a: Vec<usize> = (0..a.ndim()).filter(|d| !ca.contains(d)).collect();
    let free_b: Vec<usize> = (0..b.ndim()).filter(|d| !cb.contains(d)).collect();
    let extents = |s: &[usize], ax: &[usize]| -> Vec<usize> { ax.iter().map(|&d| s[d]).collect() };
    let (m, n) = (
        saturating_len(&extents(sa, &free_a)),
        saturating_len(&extents(sb, &free_b)),
    );
    let k = saturating_len(&extents(sa, &ca));
    let pa: Vec<usize> = free_a
        .iter()
        .copied()
        .chain(pairs.iter().map(|p| p.0))
        .collect();
    let pb: Vec<usize> = pairs
        .iter()
        .map(|p| p.1)
        .chain(free_b.iter().copied())
        .collect();
    let a2 = a.permute_unchecked(pa).reshape([m, k])?;
    let b2 = b.permute_unchecked(pb).reshape([k, n])?;
    let shape: Vec<usize> = extents(sa, &free_a)
        .into_iter()
        .chain(extents(sb, &free_b))
        .collect();
    matmul(&a2, &b2)?.reshape(shape)
}

impl<T: Numeric> ChunkedArray<T> {
    /// NumPy's `dot`: for 1-d and 2-d operands the inner product, matrix-vector or matrix
    /// product ([`matmul`]); a 0-d operand multiplies elementwise; for more axes, the sum
    /// over the last axis of `self` and the second-to-last of `other`
    /// ([`tensordot`]).
    ///
    /// ```
    /// let v = chunkwise::arange(4).cast::<f64>();
    /// assert_eq!(v.dot(&v)?.item()?, 14.0);
    /// # Ok::<(), chunkwise::Error>(())
    /// ```
    pub fn dot(&self, other: &Self) -> Result<Self> {
        match (self.ndim(), other.ndim()) {
            (0, _) | (_, 0) => Ok(self * other),
            (_, 1) | (1 | 2, 2) => matmul(self, other),
            _ => tensordot(self, other, (&[-1], &[-2])),
        }
    }
}

/// The subscripts of one operand of an einsum, checked against its shape.
fn parse_operand(op: &str, spec: &str, shape: &[usize]) -> Result<Vec<char>> {
    let bad = |reason: String| Error::InvalidParameter {
        op: op.into(),
        param: "subscripts".into(),
        value: spec.into(),
        reason,
    };
    let letters: Vec<char> = spec.chars().collect();
    if let Some(c) = letters
        .iter()
        .find(|c| !c.is_ascii_alphabetic() && !is_ellipsis_axis(**c))
    {
        return Err(bad(format!("'{c}' is not a letter")));
    }
    if letters.len() != shape.len() {
        return Err(bad(format!(
            "{} subscripts for an operand of shape {shape:?}",
            letters.len()
        )));
    }
    Ok(letters)
}

/// The subscript of the `j`-th axis an ellipsis stands for (counted from the left of the
/// broadcast ellipsis axes): characters no subscript string can hold.
fn ellipsis_axis(j: usize) -> char {
    char::from_u32(0xE000 + j as u32).expect("a private-use character")
}

fn is_ellipsis_axis(c: char) -> bool {
    (0xE000..0xF900).contains(&(c as u32))
}

/// `spec` with its `...` (at most one) replaced by the subscripts of the last `ndim - letters`
/// of `rank` ellipsis axes (ellipsis axes align on the right, as broadcasting).
fn expand_ellipsis(op: &str, spec: &str, ndim: usize, rank: usize) -> Result<String> {
    let Some((head, tail)) = spec.split_once("...") else {
        return Ok(spec.to_string());
    };
    let bad = |reason: &str| Error::InvalidParameter {
        op: op.into(),
        param: "subscripts".into(),
        value: spec.into(),
        reason: reason.into(),
    };
    if tail.contains('.') || head.contains('.') {
        return Err(bad("one ellipsis per operand, and no lone '.'"));
    }
    let named = head.chars().count() + tail.chars().count();
    let k = ndim
        .checked_sub(named)
        .ok_or_else(|| bad("more subscripts than the operand has axes"))?;
    let axes: String = (rank - k..rank).map(ellipsis_axis).collect();
    Ok(format!("{head}{axes}{tail}"))
}

/// `x` with the diagonal taken over every subscript repeated in `letters` (NumPy's `"ii->i"`,
/// `"iij->j"`): the two axes moved last, merged, and every `n + 1`-th element kept.
fn take_diagonals<T: Numeric>(
    op: &str,
    mut letters: Vec<char>,
    mut x: ChunkedArray<T>,
) -> Result<(Vec<char>, ChunkedArray<T>)> {
    while let Some((a, b)) = (0..letters.len()).find_map(|a| {
        (a + 1..letters.len())
            .find(|&b| letters[b] == letters[a])
            .map(|b| (a, b))
    }) {
        let n = x.shape()[a];
        if x.shape()[b] != n {
            return Err(Error::ShapeMismatch {
                op: format!(
                    "{op}: repeated subscript '{}' has extents {n} and {}",
                    letters[a],
                    x.shape()[b]
                ),
                got: x.shape().to_vec(),
                expected: x.shape().to_vec(),
            });
        }
        let mut perm: Vec<usize> = (0..letters.len()).filter(|&d| d != a && d != b).collect();
        perm.extend([a, b]);
        let moved = x.permute_unchecked(perm.clone());
        let mut shape: Vec<usize> = moved.shape()[..perm.len() - 2].to_vec();
        shape.push(n * n);
        let merged = moved.reshape(shape)?;
        let mut info: Vec<SliceInfoElem> = (0..merged.ndim() - 1)
            .map(|_| SliceInfoElem::Slice {
                start: 0,
                end: None,
                step: 1,
            })
            .collect();
        info.push(SliceInfoElem::Slice {
            start: 0,
            end: None,
            step: (n + 1) as isize,
        });
        x = merged.slice(info)?;
        let c = letters[a];
        letters = perm[..perm.len() - 2].iter().map(|&d| letters[d]).collect();
        letters.push(c);
    }
    Ok((letters, x))
}

/// NumPy's `einsum` over any number of operands: `"ij,jk->ik"` (a product),
/// `"bij,bjk->bik"` (a batch of them), `"ij->ji"`, `"ij->"`, `"i,i->"`, `"ij,kj->ik"`,
/// `"...ij,...jk->...ik"` (ellipses: axes broadcast across the operands), `"ii->i"` and
/// `"ii->"` (a subscript repeated within an operand takes the diagonal, lazily). Subscripts only in one operand and not in
/// the output are summed first; two operands at a time become one [`matmul`] (batch,
/// free and contracted axes moved into place). Without `->`, the output is the subscripts
/// that appear once, sorted, as NumPy.
///
/// ```
/// let a = chunkwise::arange(6).reshape([2, 3])?.cast::<f64>();
/// let b = chunkwise::arange(12).reshape([3, 4])?.cast::<f64>();
/// let c = chunkwise::einsum("ij,jk->ik", &[&a, &b])?;
/// assert_eq!(c.compute()?, chunkwise::matmul(&a, &b)?.compute()?);
/// assert_eq!(chunkwise::einsum("ij->j", &[&a])?.compute()?.as_slice().unwrap(), &[3.0, 5.0, 7.0]);
/// # Ok::<(), chunkwise::Error>(())
/// ```
pub fn einsum<T: Numeric>(
    subscripts: &str,
    operands: &[&ChunkedArray<T>],
) -> Result<ChunkedArray<T>> {
    let op = format!("einsum {subscripts:?}");
    let bad = |reason: String| Error::InvalidParameter {
        op: op.clone(),
        param: "subscripts".into(),
        value: subscripts.into(),
        reason,
    };
    let spec: String = subscripts.chars().filter(|c| !c.is_whitespace()).collect();
    let (ins, out) = match spec.split_once("->") {
        Some((i, o)) => (i.to_string(), Some(o.to_string())),
        None => (spec.clone(), None),
    };
    let specs: Vec<&str> = ins.split(',').collect();
    if specs.len() != operands.len() || operands.is_empty() {
        return Err(bad(format!(
            "{} operand subscripts for {} operands",
            specs.len(),
            operands.len()
        )));
    }
    // Ellipses: the axes they stand for get subscripts of their own, aligned on the right and
    // broadcast across the operands (NumPy's rule).
    let named = |s: &str| s.replace("...", "").chars().count();
    let rank = specs
        .iter()
        .zip(operands)
        .filter(|(s, _)| s.contains("..."))
        .map(|(s, x)| x.ndim().saturating_sub(named(s)))
        .max()
        .unwrap_or(0);
    let mut ell_shape: Vec<usize> = Vec::new();
    let mut expanded = Vec::with_capacity(specs.len());
    for (s, x) in specs.iter().zip(operands) {
        let e = expand_ellipsis(&op, s, x.ndim(), rank)?;
        let own: Vec<usize> = e
            .chars()
            .zip(x.shape())
            .filter(|(c, _)| is_ellipsis_axis(*c))
            .map(|(_, &n)| n)
            .collect();
        ell_shape = crate::chunks::broadcast_shapes(&op, &ell_shape, &own)?;
        expanded.push(e);
    }
    let mut terms: Vec<(Vec<char>, ChunkedArray<T>)> = Vec::new();
    let mut extent: std::collections::BTreeMap<char, usize> = Default::default();
    for (s, x) in expanded.iter().zip(operands) {
        let letters = parse_operand(&op, s, x.shape())?;
        // Ellipsis axes of extent 1 broadcast to the others' extent.
        let target: Vec<usize> = letters
            .iter()
            .zip(x.shape())
            .map(|(&c, &n)| {
                if is_ellipsis_axis(c) {
                    ell_shape[c as usize - 0xE000]
                } else {
                    n
                }
            })
            .collect();
        let x = if target.as_slice() == x.shape() {
            (*x).clone()
        } else {
            x.broadcast_to(target)?
        };
        let (letters, x) = take_diagonals(&op, letters, x)?;
        for (&c, &n) in letters.iter().zip(x.shape()) {
            if *extent.entry(c).or_insert(n) != n {
                return Err(Error::ShapeMismatch {
                    op: format!("{op}: subscript '{c}' has extents {} and {n}", extent[&c]),
                    got: x.shape().to_vec(),
                    expected: operands[0].shape().to_vec(),
                });
            }
        }
        terms.push((letters, x));
    }
    let out: Vec<char> = match out {
        Some(o) => {
            if rank > 0 && !o.contains("...") {
                return Err(bad(
                    "the operands' ellipses stand for axes the output has no '...' for".into(),
                ));
            }
            let o = expand_ellipsis(&op, &o, o.replace("...", "").chars().count() + rank, rank)?;
            let letters = parse_operand(&op, &o, &vec![0; o.chars().count()])?;
            let mut sorted = letters.clone();
            sorted.sort_unstable();
            if sorted.windows(2).any(|w| w[0] == w[1]) {
                return Err(bad("a subscript repeats in the output".into()));
            }
            letters
        }
        None => {
            // The ellipsis axes first, then the subscripts that appear once, sorted.
            // Counted in the subscripts as written: "ii" is a trace.
            let all: Vec<char> = expanded.iter().flat_map(|s| s.chars()).collect();
            (0..rank)
                .map(ellipsis_axis)
                .chain(extent.keys().copied().filter(|c| {
                    !is_ellipsis_axis(*c) && all.iter().filter(|x| *x == c).count() == 1
                }))
                .collect()
        }
    };
    if let Some(c) = out.iter().find(|c| !extent.contains_key(c)) {
        return Err(bad(format!("output subscript '{c}' is in no operand")));
    }
    // Contract left to right, keeping the subscripts the rest (or the output) still needs.
    let mut acc = terms[0].clone();
    for i in 1..terms.len() {
        let later: Vec<char> = terms[i + 1..]
            .iter()
            .flat_map(|t| t.0.clone())
            .chain(out.iter().copied())
            .collect();
        acc = contract_pair(&op, acc, terms[i].clone(), &later, &extent)?;
    }
    let (letters, x) = sum_unused(acc, &out)?;
    let perm: Vec<usize> = out
        .iter()
        .map(|c| {
            letters
                .iter()
                .position(|l| l == c)
                .expect("output subscripts are kept")
        })
        .collect();
    Ok(x.permute_unchecked(perm))
}

/// `x` summed over the subscripts not in `keep`.
fn sum_unused<T: Numeric>(
    (letters, x): (Vec<char>, ChunkedArray<T>),
    keep: &[char],
) -> Result<(Vec<char>, ChunkedArray<T>)> {
    let gone: Vec<isize> = (0..letters.len())
        .filter(|&d| !keep.contains(&letters[d]))
        .map(|d| d as isize)
        .collect();
    if gone.is_empty() {
        return Ok((letters, x));
    }
    let kept: Vec<char> = letters
        .iter()
        .copied()
        .filter(|c| keep.contains(c))
        .collect();
    // The sum keeps the type (NumPy's einsum sums in the operands' type).
    let summed = x
        .sum_with(gone, crate::ReduceOptions::default())?
        .map_to("as operand type", T::from_acc);
    Ok((kept, summed))
}

/// One contraction of two operands with their subscripts; the result keeps the subscripts in
/// `later` (needed by the operands after it, or the output), ordered batch, free of `a`, free
/// of `b`. `extent` is every subscript's extent.
fn contract_pair<T: Numeric>(
    op: &str,
    a: (Vec<char>, ChunkedArray<T>),
    b: (Vec<char>, ChunkedArray<T>),
    later: &[char],
    extent: &std::collections::BTreeMap<char, usize>,
) -> Result<(Vec<char>, ChunkedArray<T>)> {
    let needed = |own: &[char], other: &[char]| -> Vec<char> {
        own.iter()
            .copied()
            .filter(|c| other.contains(c) || later.contains(c))
            .collect()
    };
    let (la, lb) = (a.0.clone(), b.0.clone());
    let (la, xa) = sum_unused(a, &needed(&la, &lb))?;
    let (lb, xb) = sum_unused(b, &needed(&lb, &la))?;
    let batch: Vec<char> = la
        .iter()
        .copied()
        .filter(|c| lb.contains(c) && later.contains(c))
        .collect();
    let inner: Vec<char> = la
        .iter()
        .copied()
        .filter(|c| lb.contains(c) && !later.contains(c))
        .collect();
    let free_a: Vec<char> = la.iter().copied().filter(|c| !lb.contains(c)).collect();
    let free_b: Vec<char> = lb.iter().copied().filter(|c| !la.contains(c)).collect();
    let place = |letters: &[char], order: &[&[char]]| -> Vec<usize> {
        order
            .iter()
            .flat_map(|g| g.iter())
            .map(|c| {
                letters
                    .iter()
                    .position(|l| l == c)
                    .expect("a subscript of the operand")
            })
            .collect()
    };
    let ext = |group: &[char]| -> usize {
        saturating_len(&group.iter().map(|c| extent[c]).collect::<Vec<_>>())
    };
    let (nb, m, k, n) = (ext(&batch), ext(&free_a), ext(&inner), ext(&free_b));
    let a3 = xa
        .permute_unchecked(place(&la, &[&batch, &free_a, &inner]))
        .reshape([nb, m, k])?;
    let b3 = xb
        .permute_unchecked(place(&lb, &[&batch, &inner, &free_b]))
        .reshape([nb, k, n])?;
    let c = matmul(&a3, &b3).map_err(|e| Error::InvalidParameter {
        op: op.into(),
        param: "operands".into(),
        value: format!("{:?} and {:?}", xa.shape(), xb.shape()),
        reason: e.to_string(),
    })?;
    let letters: Vec<char> = batch
        .iter()
        .chain(&free_a)
        .chain(&free_b)
        .copied()
        .collect();
    let shape: Vec<usize> = letters.iter().map(|c| extent[c]).collect();
    Ok((letters, c.reshape(shape)?))
}
