//! SVG line plots (plotters' SVG backend), written atomically: a plot file is either complete or
//! absent, never half-written.

use std::path::Path;

use plotters::prelude::*;

use crate::error::{Error, Result};

/// One named line of a [`LinePlot`].
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend label.
    pub name: String,
    /// `(x, y)` points in drawing order.
    pub points: Vec<(f64, f64)>,
}

/// A line plot with a title, axis labels and one or more series, like the lesson's figures.
///
/// ```
/// use chunkwise::diagnostics::{LinePlot, Series};
/// let dir = std::env::temp_dir().join(format!("chunkwise-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("plot.svg");
/// LinePlot::new("memory over time", "seconds", "MiB")
///     .series("eager", vec![(0.0, 10.0), (1.0, 800.0), (2.0, 10.0)])
///     .series("chunked", vec![(0.0, 10.0), (1.0, 12.0)])
///     .write_svg(&path)?;
/// assert!(std::fs::read_to_string(&path).unwrap().starts_with("<svg"));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), chunkwise::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LinePlot {
    title: String,
    x_label: String,
    y_label: String,
    series: Vec<Series>,
    markers: bool,
    size: (u32, u32),
}

impl LinePlot {
    /// An empty plot.
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
    ) -> Self {
        LinePlot {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            series: Vec::new(),
            markers: false,
            size: (900, 540),
        }
    }

    /// Adds a series.
    pub fn series(mut self, name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        self.series.push(Series {
            name: name.into(),
            points,
        });
        self
    }

    /// Draws a dot at every point as well as the line (for few points, like a scaling plot).
    pub fn markers(mut self, on: bool) -> Self {
        self.markers = on;
        self
    }

    /// The plot as SVG text.
    pub fn to_svg(&self) -> Result<String> {
        let err = |e: &dyn std::fmt::Display| Error::Io {
            op: "plot".into(),
            path: self.title.clone(),
            reason: e.to_string(),
        };
        let all = self.series.iter().flat_map(|s| s.points.iter());
        let (mut x0, mut x1, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, 0.0f64);
        for &(x, y) in all.filter(|(x, y)| x.is_finite() && y.is_finite()) {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
        if !x0.is_finite() {
            (x0, x1) = (0.0, 1.0);
        }
        if x1 <= x0 {
            x1 = x0 + 1.0;
        }
        let y1 = if y1 > 0.0 { y1 * 1.08 } else { 1.0 };
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, self.size).into_drawing_area();
            root.fill(&WHITE).map_err(|e| err(&e))?;
            let mut chart = ChartBuilder::on(&root)
                .caption(&self.title, ("sans-serif", 22))
                .margin(16)
                .x_label_area_size(44)
                .y_label_area_size(70)
                .build_cartesian_2d(x0..x1, 0.0..y1)
                .map_err(|e| err(&e))?;
            chart
                .configure_mesh()
                .x_desc(&self.x_label)
                .y_desc(&self.y_label)
                .draw()
                .map_err(|e| err(&e))?;
            for (i, s) in self.series.iter().enumerate() {
                let color = Palette99::pick(i).to_rgba();
                chart
                    .draw_series(LineSeries::new(
                        s.points.iter().copied(),
                        color.stroke_width(2),
                    ))
                    .map_err(|e| err(&e))?
                    .label(s.name.as_str())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                    });
                if self.markers {
                    chart
                        .draw_series(s.points.iter().map(|&p| Circle::new(p, 4, color.filled())))
                        .map_err(|e| err(&e))?;
                }
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.9))
                .border_style(BLACK)
                .draw()
                .map_err(|e| err(&e))?;
            root.present().map_err(|e| err(&e))?;
        }
        Ok(svg)
    }

    /// Writes the plot to `path`: into a temporary file beside it, then renamed, so that a
    /// failure leaves no half-written plot behind.
    pub fn write_svg(&self, path: impl AsRef<Path>) -> Result<()> {
        super::write_atomic("write_svg", path.as_ref(), self.to_svg()?.as_bytes())
    }
}
