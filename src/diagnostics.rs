//! Process diagnostics used by the examples and benchmarks: peak and current resident memory.

/// Peak resident set size of this process in bytes (`VmHWM` of `/proc/self/status`), or `None`
/// where the file does not exist (non-Linux systems).
///
/// ```
/// if let Some(b) = chunkwise::diagnostics::peak_rss_bytes() {
///     assert!(b > 0);
/// }
/// ```
pub fn peak_rss_bytes() -> Option<u64> {
    status_field("VmHWM:")
}

/// Current resident set size of this process in bytes (`VmRSS`), or `None` off Linux.
pub fn current_rss_bytes() -> Option<u64> {
    status_field("VmRSS:")
}

fn status_field(key: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(key))?;
    let kib: u64 = line[key.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Peak RSS in MiB, for `peak_rss_mib: ...` lines (0 where unknown).
pub fn peak_rss_mib() -> f64 {
    peak_rss_bytes().map_or(0.0, |b| b as f64 / (1024.0 * 1024.0))
}
