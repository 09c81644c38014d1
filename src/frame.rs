//! One byte framing for everything a compute turns into bytes: a reduction's partials, an
//! aggregate's state, the chunks and subtrees the ranks of a distributed compute exchange, and
//! the element data of files.
//!
//! Messages between ranks are not a file format: every rank runs the same binary on the same
//! kind of machine, so numbers are native-endian and each decoder is its encoder's inverse.
//! A message is a concatenation of frames:
//!
//! * a value: its bytes ([`Wire`]: every element type, and partials made of them);
//! * a length or index: a `u64` ([`put_len`] / [`get_len`]);
//! * a block: its length, then its bytes ([`put_block`] / [`get_block`]);
//! * a list of counts: its length, then the `u64`s ([`put_u64s`] / [`get_u64s`]);
//! * a status: one byte, 0 then the payload, or 1 then an error message ([`put_status`] /
//!   [`get_status`]), what each rank sends after its share of a pass.
//!
//! Every `get_*` returns the value and the bytes after it, or `None` when `raw` is too short
//! or not what the encoder wrote, so a corrupt message is an error, never a panic.
//!
//! The module sits at the bottom of the crate (it needs only [`Element`]), below the kernels
//! whose partials it frames and the executor that sends them.

use crate::element::{DType, Element};

/// The bytes of a slice of elements (every element type, bool included, is plain bytes: bool
/// is 0 or 1).
pub(crate) fn bytes<T: Element>(vals: &[T]) -> &[u8] {
    // SAFETY: every element type (f64 .. u8, bool) is plain data without padding, and any
    // value's bytes may be read as `u8`s; the slice covers exactly `vals`' memory.
    unsafe { std::slice::from_raw_parts(vals.as_ptr().cast::<u8>(), std::mem::size_of_val(vals)) }
}

/// The bytes of a slice of numbers, to read into (`T` not `bool`: not every byte is a bool).
pub(crate) fn bytes_mut<T: Element>(vals: &mut [T]) -> &mut [u8] {
    assert!(
        T::DTYPE != DType::Bool,
        "bool is read through a byte buffer"
    );
    // SAFETY: `T` is a number type (f64 .. u8, not bool, asserted): plain numbers without
    // padding, for which every bit pattern is a valid value; the slice covers exactly `vals`.
    unsafe {
        std::slice::from_raw_parts_mut(vals.as_mut_ptr().cast::<u8>(), std::mem::size_of_val(vals))
    }
}

/// Copies native-endian `raw` bytes into `out` (`raw` is `out`'s size); for bool, any nonzero
/// byte is `true` (bytes from a file or another rank are not trusted to be 0 or 1).
pub(crate) fn copy_from_bytes<T: Element>(raw: &[u8], out: &mut [T]) {
    if T::DTYPE == DType::Bool {
        // SAFETY: `T` is bool (checked), so the slice is of bool, of `out.len()` elements.
        let bools =
            unsafe { std::slice::from_raw_parts_mut(out.as_mut_ptr().cast::<bool>(), out.len()) };
        for (b, &byte) in bools.iter_mut().zip(raw) {
            *b = byte != 0;
        }
    } else {
        bytes_mut(out).copy_from_slice(raw);
    }
}

/// A value as bytes: an element, or a reduction's partial made of elements.
pub(crate) trait Wire: Copy {
    /// Appends the value's bytes to `out`.
    fn put(&self, out: &mut Vec<u8>);
    /// The value at the start of `raw` and the bytes after it; `None` when `raw` is too short.
    fn get(raw: &[u8]) -> Option<(Self, &[u8])>;
}

impl<T: Element> Wire for T {
    fn put(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(bytes(std::slice::from_ref(self)));
    }
    fn get(raw: &[u8]) -> Option<(Self, &[u8])> {
        let n = std::mem::size_of::<T>();
        let head = raw.get(..n)?;
        let mut v = [T::ZERO];
        copy_from_bytes(head, &mut v);
        Some((v[0], &raw[n..]))
    }
}

/// Appends a length (or an index) as a `u64`.
pub(crate) fn put_len(n: usize, out: &mut Vec<u8>) {
    (n as u64).put(out);
}

/// The length [`put_len`] wrote at the start of `raw`, and the bytes after it; `None` when
/// `raw` is too short or the length does not fit a `usize`.
pub(crate) fn get_len(raw: &[u8]) -> Option<(usize, &[u8])> {
    let (n, rest) = u64::get(raw)?;
    Some((usize::try_from(n).ok()?, rest))
}

/// Appends a block of bytes: its length, then the bytes.
pub(crate) fn put_block(block: &[u8], out: &mut Vec<u8>) {
    put_len(block.len(), out);
    out.extend_from_slice(block);
}

/// The block [`put_block`] wrote at the start of `raw`, and the bytes after it.
pub(crate) fn get_block(raw: &[u8]) -> Option<(&[u8], &[u8])> {
    let (n, rest) = get_len(raw)?;
    (rest.len() >= n).then(|| rest.split_at(n))
}

/// Appends a list of counts: its length, then the `u64`s.
pub(crate) fn put_u64s(xs: &[u64], out: &mut Vec<u8>) {
    put_block(bytemuck::cast_slice(xs), out);
}

/// The counts [`put_u64s`] wrote at the start of `raw`, and the bytes after them.
pub(crate) fn get_u64s(raw: &[u8]) -> Option<(Vec<u64>, &[u8])> {
    let (body, rest) = get_block(raw)?;
    // The block is not aligned for `u64`: copy it out (bytemuck reads unaligned).
    (body.len() % 8 == 0).then(|| (bytemuck::pod_collect_to_vec(body), rest))
}

/// Exactly `len` counts from the bytes [`put_u64s`] wrote, nothing after them.
pub(crate) fn get_counts(raw: &[u8], len: usize) -> Option<Vec<u64>> {
    let (v, rest) = get_u64s(raw)?;
    (rest.is_empty() && v.len() == len).then_some(v)
}

/// A rank's outcome as one message: 0 then the payload, or 1 then the error's message.
pub(crate) fn put_status(outcome: Result<&[u8], &str>) -> Vec<u8> {
    match outcome {
        Ok(payload) => [&[0u8][..], payload].concat(),
        Err(message) => [&[1u8][..], message.as_bytes()].concat(),
    }
}

/// The outcome [`put_status`] wrote: the payload, or the error's message (a message that is
/// not a status, such as an empty one, is an error too).
pub(crate) fn get_status(raw: &[u8]) -> Result<&[u8], String> {
    match raw.split_first() {
        Some((0, payload)) => Ok(payload),
        _ => Err(String::from_utf8_lossy(raw.get(1..).unwrap_or_default()).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_read_back_what_was_written() {
        let mut out = Vec::new();
        put_len(7, &mut out);
        put_u64s(&[1, 2, u64::MAX], &mut out);
        put_block(b"abc", &mut out);
        1.5f32.put(&mut out);
        true.put(&mut out);
        let (n, raw) = get_len(&out).unwrap();
        let (xs, raw) = get_u64s(raw).unwrap();
        let (b, raw) = get_block(raw).unwrap();
        let (x, raw) = f32::get(raw).unwrap();
        let (t, raw) = bool::get(raw).unwrap();
        assert_eq!(
            (n, xs, b, x, t),
            (7, vec![1, 2, u64::MAX], &b"abc"[..], 1.5, true)
        );
        assert!(raw.is_empty());
    }

    #[test]
    fn short_or_corrupt_frames_are_none() {
        let mut out = Vec::new();
        put_u64s(&[1, 2], &mut out);
        for cut in 0..out.len() {
            assert!(get_u64s(&out[..cut]).is_none(), "cut at {cut}");
        }
        // A length past the end, and one past usize on 32-bit targets or past memory.
        let mut huge = Vec::new();
        put_len(usize::MAX, &mut huge);
        assert!(get_block(&huge).is_none());
        assert!(get_counts(&out, 3).is_none());
        assert_eq!(get_counts(&out, 2), Some(vec![1, 2]));
    }

    #[test]
    fn statuses_carry_the_payload_or_the_message() {
        assert_eq!(get_status(&put_status(Ok(b"xy"))), Ok(&b"xy"[..]));
        assert_eq!(get_status(&put_status(Err("bad"))), Err("bad".to_string()));
        assert_eq!(get_status(&[]), Err(String::new()));
    }
}
