//! The pieces of the examples' reports that can be tested without timing: the table layout, the
//! memory sampler, and the SVG plot (written atomically, well-formed, with its series).
use chunkwise::diagnostics::{LinePlot, MemorySampler, Table};
use std::time::Duration;

#[test]
fn table_aligns_text_left_and_numbers_right() {
    let mut t = Table::new(["workload", "system", "seconds", "ratio"]);
    t.row(["pi", "chunkwise", "0.0569", "1.00x"]);
    t.row(["pi", "dask (python)", "0.8538", "15.00x"]);
    t.row(["arange_sum", "numpy", "refused", "-"]);
    let s = t.to_string();
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0], "workload    system         seconds  ratio");
    assert_eq!(lines[1], "----------  -------------  -------  ------");
    assert_eq!(lines[2], "pi          chunkwise       0.0569   1.00x");
    assert_eq!(lines[3], "pi          dask (python)   0.8538  15.00x");
    assert_eq!(lines[4], "arange_sum  numpy          refused  -");
    assert_eq!(t.rows().len(), 3);
}

#[test]
fn table_handles_ragged_rows_and_no_rows() {
    let t = Table::new(["a", "b"]);
    assert_eq!(t.to_string(), "a  b\n-  -\n");
    let mut t = Table::new(["a"]);
    t.row(["1", "extra"]);
    assert_eq!(t.to_string(), "a\n-  -----\n1  extra\n");
}

#[test]
fn sampler_sees_an_allocation_come_and_go() {
    if chunkwise::diagnostics::current_rss_bytes().is_none() {
        eprintln!("no /proc here: skipping");
        return;
    }
    let sampler = MemorySampler::start(Duration::from_millis(2));
    std::thread::sleep(Duration::from_millis(20));
    // Touch 256 MiB so that it is resident, hold it, then free it.
    let mut v = vec![0u8; 256 << 20];
    for i in (0..v.len()).step_by(4096) {
        v[i] = 1;
    }
    std::thread::sleep(Duration::from_millis(40));
    let held: u64 = v.iter().step_by(4096).map(|&b| b as u64).sum();
    drop(v);
    std::thread::sleep(Duration::from_millis(40));
    let samples = sampler.stop();
    assert_eq!(held, 65_536);
    assert!(samples.len() >= 10, "{} samples", samples.len());
    assert!(samples.windows(2).all(|w| w[0].seconds <= w[1].seconds));
    let first = samples[0].rss_bytes;
    let max = samples.iter().map(|s| s.rss_bytes).max().unwrap();
    let last = samples.last().unwrap().rss_bytes;
    assert!(max >= first + (200 << 20), "max {max} first {first}");
    assert!(
        last + (200 << 20) <= max,
        "freed memory returns: last {last} max {max}"
    );
}

#[test]
fn plot_writes_a_valid_svg_with_every_series() {
    let dir = std::env::temp_dir().join(format!("chunkwise-test-plot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("memory_profile.svg");
    LinePlot::new("memory over time", "seconds", "MiB")
        .series(
            "eager",
            (0..50).map(|i| (i as f64 * 0.01, (i * i) as f64)).collect(),
        )
        .series("chunked", (0..50).map(|i| (i as f64 * 0.01, 3.0)).collect())
        .markers(true)
        .write_svg(&path)
        .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let texts: Vec<String> = root
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(|t| t.trim().to_string()))
        .collect();
    for label in ["memory over time", "seconds", "MiB", "eager", "chunked"] {
        assert!(
            texts.iter().any(|t| t == label),
            "missing text {label:?} in {texts:?}"
        );
    }
    let lines = root
        .descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .count();
    assert!(lines >= 2, "{lines} polylines");
    let dots = root
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .count();
    assert_eq!(dots, 100);
    // Nothing else was left in the folder (the temporary file was renamed).
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn plot_into_a_missing_folder_is_an_error_and_leaves_nothing() {
    let dir = std::env::temp_dir().join(format!("chunkwise-test-missing-{}", std::process::id()));
    let err = LinePlot::new("t", "x", "y")
        .series("s", vec![(0.0, 1.0)])
        .write_svg(dir.join("plot.svg"))
        .unwrap_err();
    assert!(matches!(err, chunkwise::Error::Io { .. }));
    assert!(err.to_string().contains("write_svg"), "{err}");
    assert!(!dir.exists());
}

#[test]
fn plot_of_nothing_is_still_a_picture() {
    let svg = LinePlot::new("empty", "x", "y").to_svg().unwrap();
    assert!(roxmltree::Document::parse(&svg).is_ok());
}
