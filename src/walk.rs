//! The one graph walk of the crate: an iterative post-order (inputs before their users, each
//! node once) over anything with a key and children. Array graphs ([`crate::graph`]) and
//! delayed task graphs ([`crate::delayed`]) are walked by it for planning, running and
//! drawing; it imports nothing from the crate, so every layer may use it.

use std::collections::HashSet;
use std::hash::Hash;

/// The nodes reachable from `roots`, each once, every node after its children, in
/// depth-first order: the first root's graph first, a node's children in the order
/// `children` gives them. `key` names a node (two nodes of one key are one node);
/// `children` may return fewer than a node's inputs to stop the walk there (a node whose
/// value is read from memory, not evaluated).
///
/// Iterative, because graphs can be deep (a chain of a million ops).
pub(crate) fn post_order<N, K, C>(
    roots: impl IntoIterator<Item = N>,
    key: impl Fn(&N) -> K,
    mut children: impl FnMut(&N) -> C,
) -> Vec<N>
where
    K: Eq + Hash,
    C: IntoIterator<Item = N>,
{
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut stack: Vec<(N, bool)> = roots.into_iter().map(|r| (r, false)).collect();
    stack.reverse();
    while let Some((n, expanded)) = stack.pop() {
        if expanded {
            out.push(n);
            continue;
        }
        if !seen.insert(key(&n)) {
            continue;
        }
        let kids: Vec<N> = children(&n).into_iter().collect();
        stack.push((n, true));
        // Reversed on the stack, so they are walked in the order given.
        stack.extend(kids.into_iter().rev().map(|c| (c, false)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::post_order;

    /// A diamond over a chain: 0 <- 1, 0 <- 2, {1, 2} <- 3, 3 <- 4.
    fn inputs(n: &usize) -> Vec<usize> {
        match n {
            1 | 2 => vec![0],
            3 => vec![1, 2],
            4 => vec![3],
            _ => vec![],
        }
    }

    #[test]
    fn inputs_come_first_and_once() {
        assert_eq!(post_order([4], |n| *n, inputs), [0, 1, 2, 3, 4]);
        // Several roots: the first one's graph first, shared nodes once.
        assert_eq!(post_order([2, 4], |n| *n, inputs), [0, 2, 1, 3, 4]);
        // Children in the order given.
        assert_eq!(
            post_order([3], |n| *n, |n| inputs(n).into_iter().rev()),
            [0, 2, 1, 3]
        );
    }

    #[test]
    fn children_left_out_stop_the_walk() {
        assert_eq!(
            post_order([4], |n| *n, |n| if *n == 3 { vec![] } else { inputs(n) }),
            [3, 4]
        );
    }

    #[test]
    fn a_deep_chain_does_not_overflow_the_stack() {
        let n = 1_000_000usize;
        let order = post_order([n], |n| *n, |&k| (k > 0).then(|| k - 1));
        assert_eq!(order.len(), n + 1);
        assert_eq!(order[0], 0);
    }
}
