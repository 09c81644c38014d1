//! Sorting one lane: NumPy's order (every NaN last and equal to the others, `-0.0` equal to
//! `0.0`), ascending or descending, of the values or of the positions that sort them, and
//! the binary search of values in a sorted lane.
//!
//! Every sort here compares a `u64` key ([`sort_key`]): the order key of
//! [`Numeric::order_key`] with `-0.0` read as `0.0`, bit-inverted for a descending sort. A
//! descending sort is then an ascending one of the inverted keys, so equal values keep their
//! order in both directions (Python's `sorted(reverse=True)`, the standard's stable sort), and
//! NaNs, the largest, come first. Positions are sorted as `(key, position)` pairs by the same
//! stable sort of the key.

use crate::element::Numeric;

/// Lanes at least this long are split between two workers, each radix-sorting half, and the
/// halves merged; shorter ones stay on the worker that has their block while the others sort
/// other blocks.
const PARALLEL_LANE: usize = 1 << 20;

/// Lanes shorter than this are sorted by comparison: a radix sort's passes over its counts
/// cost more than the lane.
const RADIX_LANE: usize = 256;

/// The key a sort compares: the value's order key with `-0.0` as `0.0` (they compare equal,
/// so the stable sort keeps their order), inverted when `descending`.
#[inline(always)]
pub(crate) fn sort_key<T: Numeric>(v: T, descending: bool) -> u64 {
    // `-0.0 == 0.0`, so both take the key of `0.0`; for integers this is the identity.
    let k = if v == T::ZERO {
        T::ZERO.order_key()
    } else {
        v.order_key()
    };
    if descending {
        !k
    } else {
        k
    }
}

/// Sorts `items` stably by `key`: a radix sort (`radsort`, one pass per byte of the key that
/// varies), halves on two workers for a long lane, comparison sorts for a short one.
fn stable_sort_by<E, K>(items: &mut [E], key: &K)
where
    E: Copy + Send + Sync,
    K: Fn(&E) -> u64 + Sync,
{
    if items.len() < RADIX_LANE {
        items.sort_by_key(key);
    } else if items.len() < PARALLEL_LANE {
        radsort::sort_by_key(items, key);
    } else {
        let mid = items.len() / 2;
        let (left, right) = items.split_at_mut(mid);
        rayon::join(
            || radsort::sort_by_key(left, key),
            || radsort::sort_by_key(right, key),
        );
        merge_halves(items, mid, key);
    }
}

/// Merges the sorted halves `items[..mid]` and `items[mid..]`, the left one first among
/// equal keys (so the merge of two stable sorts is stable).
fn merge_halves<E: Copy, K: Fn(&E) -> u64>(items: &mut [E], mid: usize, key: &K) {
    let left: Vec<E> = items[..mid].to_vec();
    let (mut i, mut j, mut o) = (0, mid, 0);
    while i < left.len() && j < items.len() {
        // Right only when strictly below: equal keys keep the left half first.
        if key(&items[j]) < key(&left[i]) {
            items[o] = items[j];
            j += 1;
        } else {
            items[o] = left[i];
            i += 1;
        }
        o += 1;
    }
    // What is left of the right half is already in place.
    items[o..o + left.len() - i].copy_from_slice(&left[i..]);
}

/// Sorts `lane` in place, stably: equal values (signed zeros, NaNs of other payloads) keep
/// their order. The radix sort is stable at no cost, so NumPy's unstable default has no
/// faster path here.
pub(crate) fn sort_values<T: Numeric>(lane: &mut [T], descending: bool) {
    stable_sort_by(lane, &|v: &T| sort_key(*v, descending));
}

/// The positions that sort `lane` (NumPy's `argsort` with `kind="stable"`): equal values in
/// order of position, in both directions. `pairs` is scratch space, reused across lanes.
pub(crate) fn sort_positions<T: Numeric>(
    lane: impl Iterator<Item = T>,
    descending: bool,
    pairs: &mut Vec<(u64, u64)>,
) -> impl Iterator<Item = i64> + '_ {
    pairs.clear();
    pairs.extend(
        lane.enumerate()
            .map(|(i, v)| (sort_key(v, descending), i as u64)),
    );
    // In order of position already, so the stable sort by key breaks ties by position.
    stable_sort_by(pairs, &|p: &(u64, u64)| p.0);
    pairs.iter().map(|&(_, i)| i as i64)
}

/// Where `v` goes in the ascending keys `sorted` (NumPy's `searchsorted`): before the first
/// key not below it (`right == false`, NumPy's `side="left"`) or after the last key not
/// above it (`side="right"`).
#[inline]
pub(crate) fn insertion_point<T: Numeric>(sorted: &[u64], v: T, right: bool) -> usize {
    let k = sort_key(v, false);
    if right {
        sorted.partition_point(|&s| s <= k)
    } else {
        sorted.partition_point(|&s| s < k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_numpys_order() {
        let vals = [
            f64::NAN,
            1.0,
            -0.0,
            f64::NEG_INFINITY,
            0.0,
            -2.5,
            f64::INFINITY,
        ];
        let mut v = vals.to_vec();
        sort_values(&mut v, false);
        let bits: Vec<u64> = v.iter().map(|x| x.to_bits()).collect();
        let want = [
            f64::NEG_INFINITY,
            -2.5,
            -0.0,
            0.0,
            1.0,
            f64::INFINITY,
            f64::NAN,
        ];
        assert_eq!(bits, want.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
        // Descending and stable: NaN first, the zeros still in their order.
        sort_values(&mut v, true);
        assert!(v[0].is_nan());
        assert_eq!(v[3].to_bits(), (-0.0f64).to_bits());
        assert_eq!(v[4].to_bits(), 0.0f64.to_bits());
        let mut pairs = Vec::new();
        let p: Vec<i64> = sort_positions([2i8, 1, 2, 1].into_iter(), true, &mut pairs).collect();
        assert_eq!(p, [0, 2, 1, 3]);
    }

    #[test]
    fn insertion_points_are_numpys() {
        let sorted: Vec<u64> = [1.0f32, 2.0, 2.0, f32::NAN]
            .iter()
            .map(|&v| sort_key(v, false))
            .collect();
        assert_eq!(insertion_point(&sorted, 2.0f32, false), 1);
        assert_eq!(insertion_point(&sorted, 2.0f32, true), 3);
        assert_eq!(insertion_point(&sorted, f32::NAN, false), 3);
        assert_eq!(insertion_point(&sorted, f32::NAN, true), 4);
        assert_eq!(insertion_point(&sorted, f32::NEG_INFINITY, true), 0);
    }
}
