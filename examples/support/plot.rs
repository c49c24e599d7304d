//! The examples' figures, drawn with `plotters` into an RGB buffer and written with `png`.
//!
//! - [`fields`]: heat maps of fields on a 2-D grid, side by side, with axes in the problem's
//!   variables, titles, and one colour bar per [`Scale`] (the panels on one scale share its
//!   range); [`compare`] is the usual prediction | reference | error figure built on it, and
//!   [`points_over_fields`] draws points over fields on a log scale.
//! - [`lines`]: line plots in panels stacked vertically, with legends and optional log axes.
//!
//! Text is set in Noto Sans ([`FONT`], compiled in from the `ttf-noto-sans` crate) and laid
//! out with `ab_glyph`, so a figure comes out the same on a machine without any system font.

use std::path::Path;
use std::sync::Once;

use ab_glyph::{Font as _, FontRef, ScaleFont as _};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

/// The figures' font: Noto Sans Regular (Apache-2.0), from the `ttf-noto-sans` crate.
pub const FONT: &[u8] = ttf_noto_sans::REGULAR;

/// The family name the font is registered under with plotters.
const FAMILY: &str = "sans-serif";

/// What drawing a figure can fail with.
pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

type Area<'a> = DrawingArea<Canvas<'a>, Shift>;

fn font(size: u32) -> TextStyle<'static> {
    (FAMILY, f64::from(size)).into_font().color(&BLACK)
}

/// Draws a `width × height` figure with `draw` and writes it to `path` as a PNG.
fn figure(
    path: &Path,
    (width, height): (u32, u32),
    draw: impl FnOnce(&Area<'_>) -> Result,
) -> Result {
    // plotters measures legend boxes with its own font table: give it the same font.
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // A font that does not parse only makes legend boxes a little off; the text itself
        // is laid out by the canvas, which reports the error below.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
    });
    let mut rgb = vec![255u8; 3 * width as usize * height as usize];
    {
        let root = Canvas::new(&mut rgb, (width, height))?.into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
    }
    let file = std::fs::File::create(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), width, height);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::High);
    let mut w = enc.write_header()?;
    w.write_image_data(&rgb)?;
    w.finish()?;
    Ok(())
}

/// A centred figure title in the strip `area`.
fn title(area: &Area<'_>, text: &str) -> Result {
    let (w, h) = area.dim_in_pixel();
    area.draw_text(
        text,
        &font(19).pos(Pos::new(HPos::Center, VPos::Center)),
        (w as i32 / 2, h as i32 / 2),
    )?;
    Ok(())
}

// ----------------------------------------------------------------------------------------
// The canvas: plotters' bitmap backend with the text laid out here. (plotters' own ab_glyph
// path drops each glyph's side bearing and rounds each glyph's baseline on its own, which
// makes small labels ragged.)

/// plotters' RGB bitmap backend, with text set in [`FONT`].
pub struct Canvas<'a> {
    inner: BitMapBackend<'a>,
    font: FontRef<'static>,
}

impl<'a> Canvas<'a> {
    fn new(rgb: &'a mut [u8], size: (u32, u32)) -> Result<Self> {
        Ok(Canvas {
            inner: BitMapBackend::with_buffer(rgb, size),
            font: FontRef::try_from_slice(FONT)
                .map_err(|e| format!("the figures' font does not parse: {e}"))?,
        })
    }

    /// The glyphs of `text` at `size` pixels on a baseline at the font's ascent (so that the
    /// text's box is `(0, 0)`–`(width, height)`), the width and the height.
    fn layout(&self, text: &str, size: f64) -> (Vec<ab_glyph::Glyph>, f32, f32) {
        let font = self.font.as_scaled(size as f32);
        let mut caret = 0.0f32;
        let mut prev = None;
        let mut glyphs = Vec::with_capacity(text.len());
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = prev {
                caret += font.kern(p, id);
            }
            glyphs.push(
                id.with_scale_and_position(size as f32, ab_glyph::point(caret, font.ascent())),
            );
            caret += font.h_advance(id);
            prev = Some(id);
        }
        (glyphs, caret, font.ascent() - font.descent())
    }
}

type BackendResult = std::result::Result<(), DrawingErrorKind<plotters_bitmap_error::Error>>;

/// The bitmap backend's error type, named without depending on `plotters-bitmap` directly.
mod plotters_bitmap_error {
    pub type Error =
        <plotters::prelude::BitMapBackend<'static> as plotters::prelude::DrawingBackend>::ErrorType;
}

impl DrawingBackend for Canvas<'_> {
    type ErrorType = plotters_bitmap_error::Error;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> BackendResult {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> BackendResult {
        self.inner.present()
    }
    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> BackendResult {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> BackendResult {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> BackendResult {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> BackendResult {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> BackendResult {
        self.inner.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> BackendResult {
        self.inner.fill_polygon(vert, style)
    }
    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> BackendResult {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> std::result::Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let (_, w, h) = self.layout(text, style.size());
        Ok((w.ceil() as u32, h.ceil() as u32))
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> BackendResult {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let (glyphs, w, h) = self.layout(text, style.size());
        let anchor = style.anchor();
        let dx = match anchor.h_pos {
            HPos::Left => 0.0,
            HPos::Center => -w / 2.0,
            HPos::Right => -w,
        };
        let dy = match anchor.v_pos {
            VPos::Top => 0.0,
            VPos::Center => -h / 2.0,
            VPos::Bottom => -h,
        };
        let (dx, dy) = (dx.round() as i32, dy.round() as i32);
        let transform = style.transform();
        let mut coverage = Vec::new();
        for g in glyphs {
            if let Some(o) = self.font.outline_glyph(g) {
                let b = o.px_bounds();
                let (x0, y0) = (b.min.x as i32, b.min.y as i32);
                o.draw(|x, y, c| coverage.push((x0 + x as i32, y0 + y as i32, c)));
            }
        }
        for (x, y, c) in coverage {
            let (tx, ty) = transform.transform(x + dx, y + dy);
            let alpha = color.alpha * f64::from(c.min(1.0));
            if alpha > 0.0 {
                self.inner.draw_pixel(
                    (pos.0 + tx, pos.1 + ty),
                    BackendColor {
                        alpha,
                        rgb: color.rgb,
                    },
                )?;
            }
        }
        Ok(())
    }
}

// ----------------------------------------------------------------------------------------
// Colour maps and tick labels

/// A colour map: anchors at equal spacing over `[0, 1]`, linear in between.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ColourMap {
    /// Viridis, for fields.
    Viridis,
    /// Magma, for errors and residuals (so that they do not read as the field).
    Magma,
}

impl ColourMap {
    fn anchors(self) -> &'static [[u8; 3]] {
        match self {
            ColourMap::Viridis => &[
                [68, 1, 84],
                [72, 36, 117],
                [65, 68, 135],
                [53, 95, 141],
                [42, 120, 142],
                [33, 145, 140],
                [34, 168, 132],
                [68, 191, 112],
                [122, 209, 81],
                [189, 223, 38],
                [253, 231, 37],
            ],
            ColourMap::Magma => &[
                [0, 0, 4],
                [20, 14, 54],
                [59, 15, 112],
                [100, 26, 128],
                [140, 41, 129],
                [183, 55, 121],
                [222, 73, 104],
                [247, 112, 92],
                [254, 159, 109],
                [254, 207, 146],
                [252, 253, 191],
            ],
        }
    }

    /// The colour at `t ∈ [0, 1]` (clamped; not a number gives the lowest colour).
    pub fn at(self, t: f64) -> RGBColor {
        let a = self.anchors();
        let t = if t.is_finite() {
            t.clamp(0.0, 1.0)
        } else {
            0.0
        } * (a.len() - 1) as f64;
        let i = (t.floor() as usize).min(a.len() - 2);
        let f = t - i as f64;
        let c =
            |k: usize| (f64::from(a[i][k]) * (1.0 - f) + f64::from(a[i + 1][k]) * f).round() as u8;
        RGBColor(c(0), c(1), c(2))
    }
}

/// How the tick labels of a linear axis are written: `value / 10^exp` with `decimals` digits
/// after the point, the same for every tick; a nonzero `exp` goes into the axis' name.
#[derive(Clone, Copy, Debug)]
struct Ticks {
    exp: i32,
    decimals: usize,
}

impl Ticks {
    /// The format for the tick values `points`.
    fn for_points(points: &[f64]) -> Ticks {
        let mag = points.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let exp = if mag == 0.0 || (1e-2..1e4).contains(&mag) {
            0
        } else {
            mag.log10().floor() as i32
        };
        let scale = 10f64.powi(-exp);
        let decimals = (0..=6)
            .find(|&d| {
                let p = 10f64.powi(d as i32);
                points.iter().all(|v| {
                    let s = v * scale;
                    (s - (s * p).round() / p).abs() <= 1e-6 * s.abs().max(1.0)
                })
            })
            .unwrap_or(6);
        Ticks { exp, decimals }
    }

    fn label(&self, v: f64) -> String {
        let s = format!("{:.*}", self.decimals, v * 10f64.powi(-self.exp));
        // No "-0" or "-0.00".
        if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
            s[1..].to_string()
        } else {
            s
        }
    }

    /// `name`, with the factor the tick labels leave out.
    fn axis_name(&self, name: &str) -> String {
        if self.exp == 0 {
            name.to_string()
        } else {
            format!("{name}  (×1e{})", self.exp)
        }
    }
}

/// A label for a log axis: `1`, `10`, `100`, `1e-3`, `2e-5`, …
fn log_label(v: f64) -> String {
    if v.is_nan() || v <= 0.0 {
        return String::new();
    }
    let e = v.log10().round();
    if (v.log10() - e).abs() < 1e-9 {
        match e as i32 {
            0 => "1".into(),
            1 => "10".into(),
            2 => "100".into(),
            k => format!("1e{k}"),
        }
    } else {
        format!("{v:.0e}")
    }
}

/// `[lo, hi]` widened to whole decades (both positive).
fn decades(lo: f64, hi: f64) -> (f64, f64) {
    let lo = 10f64.powf(lo.log10().floor());
    let hi = 10f64.powf(hi.log10().ceil());
    if hi > lo { (lo, hi) } else { (lo, lo * 10.0) }
}

/// `[lo, hi]` with an end moved out to the nearest tick when it is within 3% of the span of
/// it, so that the colour bar's ends are labelled (e.g. −0.9999 → −1).
fn nice(lo: f64, hi: f64) -> (f64, f64) {
    let ticks = key_points(lo..hi, 6);
    let step = match ticks.as_slice() {
        [a, b, ..] => b - a,
        _ => return (lo, hi),
    };
    let span = hi - lo;
    let snap_lo = (lo / step).floor() * step;
    let snap_hi = (hi / step).ceil() * step;
    (
        if lo - snap_lo <= 0.03 * span {
            snap_lo
        } else {
            lo
        },
        if snap_hi - hi <= 0.03 * span {
            snap_hi
        } else {
            hi
        },
    )
}

/// The key points a linear axis over `range` labels when asked for `n` labels.
fn key_points(range: std::ops::Range<f64>, n: usize) -> Vec<f64> {
    RangedCoordf64::from(range).key_points(n)
}

// ----------------------------------------------------------------------------------------
// Heat maps

/// A tensor grid of two coordinates: `values[i·n₁ + j]` is the value at `(axes[0][i],
/// axes[1][j])`, the first coordinate slowest (as `support::grid2` lists points).
#[derive(Clone, Copy, Debug)]
pub struct Grid2<'a> {
    /// The coordinates' names, e.g. `["x", "t"]`.
    pub names: [&'a str; 2],
    /// The nodes along each coordinate (increasing, at least two).
    pub axes: [&'a [f64]; 2],
    /// Which coordinate runs across (0 or 1); the other runs upwards.
    pub across: usize,
}

impl Grid2<'_> {
    fn range(&self, k: usize) -> (f64, f64) {
        let a = self.axes[k];
        (a[0], a[a.len() - 1])
    }

    /// Bilinear interpolation of `values` at the point `c`.
    fn interpolate(&self, values: &[f64], c: [f64; 2]) -> f64 {
        let n1 = self.axes[1].len();
        let mut idx = [0usize; 2];
        let mut frac = [0.0f64; 2];
        for k in 0..2 {
            let a = self.axes[k];
            let i = a.partition_point(|&v| v <= c[k]).clamp(1, a.len() - 1) - 1;
            idx[k] = i;
            frac[k] = ((c[k] - a[i]) / (a[i + 1] - a[i])).clamp(0.0, 1.0);
        }
        let at = |i: usize, j: usize| values[i * n1 + j];
        let ((i, j), (f, g)) = ((idx[0], idx[1]), (frac[0], frac[1]));
        (1.0 - f) * ((1.0 - g) * at(i, j) + g * at(i, j + 1))
            + f * ((1.0 - g) * at(i + 1, j) + g * at(i + 1, j + 1))
    }
}

/// A colour scale shared by one or more panels; its colour bar follows the last panel that
/// uses it.
#[derive(Clone, Debug)]
pub struct Scale {
    /// What the colour means, written along the colour bar (e.g. `"u"`, `"|u − u_ref|"`).
    pub label: String,
    /// The colour map.
    pub map: ColourMap,
    /// `Some(d)`: a logarithmic scale over `d` decades below the largest value (rounded up to
    /// a power of ten); values at or below zero take the lowest colour.
    pub log_decades: Option<u32>,
}

impl Scale {
    /// A linear scale on viridis.
    pub fn linear(label: impl Into<String>) -> Scale {
        Scale {
            label: label.into(),
            map: ColourMap::Viridis,
            log_decades: None,
        }
    }

    /// A linear scale on magma, for errors.
    pub fn error(label: impl Into<String>) -> Scale {
        Scale {
            map: ColourMap::Magma,
            ..Scale::linear(label)
        }
    }

    /// A log scale on `map` over `decades` decades below the largest value.
    pub fn log(label: impl Into<String>, map: ColourMap, decades: u32) -> Scale {
        Scale {
            label: label.into(),
            map,
            log_decades: Some(decades.max(1)),
        }
    }

    /// The value range over `panels` (for a log scale, whole decades).
    fn range(&self, panels: &[&Panel<'_>]) -> (f64, f64) {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in panels.iter().flat_map(|p| p.values.iter().copied()) {
            if v.is_finite() && (self.log_decades.is_none() || v > 0.0) {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        match self.log_decades {
            _ if !lo.is_finite() => (0.0, 1.0),
            Some(d) => {
                let hi = 10f64.powf(hi.log10().ceil());
                (hi / 10f64.powi(d as i32), hi)
            }
            None if hi > lo => nice(lo, hi),
            None => {
                let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 1e-3 };
                (lo - pad, hi + pad)
            }
        }
    }

    /// Where `v` falls on the scale `(lo, hi)`, in `[0, 1]`.
    fn fraction(&self, v: f64, (lo, hi): (f64, f64)) -> f64 {
        if self.log_decades.is_some() {
            (v.max(f64::MIN_POSITIVE).log10() - lo.log10()) / (hi.log10() - lo.log10())
        } else {
            (v - lo) / (hi - lo)
        }
    }
}

/// One heat-map panel.
#[derive(Clone, Debug)]
pub struct Panel<'a> {
    /// The panel's title.
    pub title: String,
    /// The values on the grid (see [`Grid2`]).
    pub values: &'a [f64],
    /// Which of the figure's scales colours it.
    pub scale: usize,
    /// Points drawn over the field in red: `(c₀, c₁)` pairs in the grid's coordinates.
    pub points: Option<&'a [f64]>,
}

impl<'a> Panel<'a> {
    /// A panel of `values` on scale `scale`.
    pub fn new(title: impl Into<String>, values: &'a [f64], scale: usize) -> Panel<'a> {
        Panel {
            title: title.into(),
            values,
            scale,
            points: None,
        }
    }
}

// Layout of heat-map figures, in pixels.
const FIG_TITLE: u32 = 34;
const PANEL_TITLE: u32 = 28;
const AXIS_LEFT: u32 = 58; // the vertical axis' ticks and name
const AXIS_BOTTOM: u32 = 46; // the horizontal axis' ticks and name
const GAP: u32 = 16;
const BAR: u32 = 16; // a colour bar's width
const BAR_LABELS: u32 = 64; // a colour bar's ticks and name

/// Heat maps of fields on `grid` side by side under the figure title `heading`, each panel's
/// plotting area `panel_px` pixels; each scale's colour bar follows the last panel on it.
///
/// # Errors
/// If the values do not match the grid, or the file cannot be written.
pub fn fields(
    path: &Path,
    heading: &str,
    grid: &Grid2<'_>,
    panels: &[Panel<'_>],
    scales: &[Scale],
    panel_px: (u32, u32),
) -> Result {
    let n = grid.axes[0].len() * grid.axes[1].len();
    if grid.axes.iter().any(|a| a.len() < 2) {
        return Err("a heat map needs at least two nodes along each axis".into());
    }
    for p in panels {
        if p.values.len() != n {
            return Err(format!(
                "panel `{}` has {} values for a grid of {n} nodes",
                p.title,
                p.values.len()
            )
            .into());
        }
        if p.scale >= scales.len() {
            return Err(format!(
                "panel `{}` names scale {} of {}",
                p.title,
                p.scale,
                scales.len()
            )
            .into());
        }
    }
    let ranges: Vec<(f64, f64)> = (0..scales.len())
        .map(|s| {
            let on: Vec<&Panel<'_>> = panels.iter().filter(|p| p.scale == s).collect();
            scales[s].range(&on)
        })
        .collect();
    // Which colour bars follow panel k.
    let bars_after = |k: usize| -> Vec<usize> {
        (0..scales.len())
            .filter(|&s| panels.iter().rposition(|p| p.scale == s) == Some(k))
            .collect()
    };
    let panel_w = AXIS_LEFT + panel_px.0 + GAP;
    let bar_w = BAR + BAR_LABELS + 2 * GAP;
    let width = GAP
        + (0..panels.len())
            .map(|k| panel_w + bars_after(k).len() as u32 * bar_w)
            .sum::<u32>();
    let body_h = PANEL_TITLE + panel_px.1 + AXIS_BOTTOM;
    let height = FIG_TITLE + body_h + 6;
    figure(path, (width, height), |root| {
        let (head, body) = root.split_vertically(FIG_TITLE);
        title(&head, heading)?;
        let mut x = GAP as i32 / 2;
        for (k, p) in panels.iter().enumerate() {
            let area = body.clone().shrink((x, 0), (panel_w, body_h));
            heat_panel(&area, grid, p, &scales[p.scale], ranges[p.scale])?;
            x += panel_w as i32;
            for s in bars_after(k) {
                let area = body.clone().shrink((x, 0), (bar_w, body_h));
                colour_bar(&area, &scales[s], ranges[s])?;
                x += bar_w as i32;
            }
        }
        Ok(())
    })
}

fn heat_panel(
    area: &Area<'_>,
    grid: &Grid2<'_>,
    p: &Panel<'_>,
    scale: &Scale,
    range: (f64, f64),
) -> Result {
    let (h, v) = (grid.across, 1 - grid.across);
    let (h0, h1) = grid.range(h);
    let (v0, v1) = grid.range(v);
    let mut chart = ChartBuilder::on(area)
        .caption(&p.title, font(16))
        .margin_right(GAP)
        .x_label_area_size(AXIS_BOTTOM)
        .y_label_area_size(AXIS_LEFT)
        .build_cartesian_2d(h0..h1, v0..v1)?;
    // The field, pixel by pixel.
    {
        let plot = chart.plotting_area();
        let (xr, yr) = plot.get_pixel_range();
        let base = plot.strip_coord_spec();
        let (nw, nh) = (
            (xr.end - xr.start - 1).max(1) as f64,
            (yr.end - yr.start - 1).max(1) as f64,
        );
        for py in yr.clone() {
            let cv = v1 - (py - yr.start) as f64 / nh * (v1 - v0);
            for px in xr.clone() {
                let mut c = [0.0; 2];
                c[h] = h0 + (px - xr.start) as f64 / nw * (h1 - h0);
                c[v] = cv;
                let t = scale.fraction(grid.interpolate(p.values, c), range);
                base.draw_pixel((px - xr.start, py - yr.start), &scale.map.at(t))?;
            }
        }
    }
    let (nx, ny) = (6, 6);
    let (tx, ty) = (
        Ticks::for_points(&key_points(h0..h1, nx)),
        Ticks::for_points(&key_points(v0..v1, ny)),
    );
    let (fx, fy) = (move |x: &f64| tx.label(*x), move |y: &f64| ty.label(*y));
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(tx.axis_name(grid.names[h]))
        .y_desc(ty.axis_name(grid.names[v]))
        .x_labels(nx)
        .y_labels(ny)
        .x_label_formatter(&fx)
        .y_label_formatter(&fy)
        .set_all_tick_mark_size(4)
        .label_style(font(13))
        .axis_desc_style(font(15))
        .draw()?;
    if let Some(points) = p.points {
        // Dots small enough that a few thousand leave the field visible.
        let red = ShapeStyle::from(&RGBColor(230, 30, 30)).filled();
        let radius = if points.len() / 2 > 400 { 1 } else { 2 };
        chart.draw_series(
            points
                .chunks_exact(2)
                .map(|q| Circle::new((q[h], q[v]), radius, red)),
        )?;
    }
    Ok(())
}

fn colour_bar(area: &Area<'_>, scale: &Scale, (lo, hi): (f64, f64)) -> Result {
    let builder = |area| {
        let mut b = ChartBuilder::on(area);
        b.caption(" ", font(16))
            .margin_right(2 * GAP)
            .x_label_area_size(AXIS_BOTTOM)
            .set_label_area_size(LabelAreaPosition::Right, BAR_LABELS);
        b
    };
    // The gradient, row by row.
    let gradient = |plot: &DrawingArea<Canvas<'_>, Shift>,
                    (xr, yr): (std::ops::Range<i32>, std::ops::Range<i32>)|
     -> Result {
        let nh = (yr.end - yr.start - 1).max(1) as f64;
        for py in yr.clone() {
            let colour = scale.map.at(1.0 - (py - yr.start) as f64 / nh);
            for px in xr.clone() {
                plot.draw_pixel((px - xr.start, py - yr.start), &colour)?;
            }
        }
        Ok(())
    };
    let frame = ShapeStyle::from(&BLACK).stroke_width(1);
    // The tick labels (to place the scale's name beside the widest) and the name.
    let (labels, name, pixels) = if scale.log_decades.is_some() {
        let mut chart = builder(area).build_cartesian_2d(0.0..1.0, (lo..hi).log_scale())?;
        let plot = chart.plotting_area();
        let pixels = plot.get_pixel_range();
        gradient(&plot.strip_coord_spec(), pixels.clone())?;
        let n = ((hi / lo).log10().round().max(1.0) as usize).min(8);
        let f = |y: &f64| log_label(*y);
        let labels: Vec<String> = chart
            .as_coord_spec()
            .y_spec()
            .key_points(n)
            .iter()
            .map(f)
            .collect();
        chart
            .configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_labels(n)
            .y_label_formatter(&f)
            .set_all_tick_mark_size(4)
            .label_style(font(13))
            .draw()?;
        chart
            .plotting_area()
            .draw(&Rectangle::new([(0.0, lo), (1.0, hi)], frame))?;
        (labels, format!("{}  (log scale)", scale.label), pixels)
    } else {
        let mut chart = builder(area).build_cartesian_2d(0.0..1.0, lo..hi)?;
        let plot = chart.plotting_area();
        let pixels = plot.get_pixel_range();
        gradient(&plot.strip_coord_spec(), pixels.clone())?;
        let n = 6;
        let points = key_points(lo..hi, n);
        let ticks = Ticks::for_points(&points);
        let f = move |y: &f64| ticks.label(*y);
        chart
            .configure_mesh()
            .disable_mesh()
            .disable_x_axis()
            .y_labels(n)
            .y_label_formatter(&f)
            .set_all_tick_mark_size(4)
            .label_style(font(13))
            .draw()?;
        chart
            .plotting_area()
            .draw(&Rectangle::new([(0.0, lo), (1.0, hi)], frame))?;
        (
            points.iter().map(f).collect(),
            ticks.axis_name(&scale.label),
            pixels,
        )
    };
    // The name right of the tick labels: level when short, else reading upwards.
    let widest = labels
        .iter()
        .map(|l| area.estimate_text_size(l, &font(13)).map_or(0, |s| s.0))
        .max()
        .unwrap_or(0) as i32;
    let (bx, by) = area.get_base_pixel();
    let x = pixels.0.end - bx + 4 + 8 + widest + 8;
    let y = (pixels.1.start + pixels.1.end) / 2 - by;
    let style = font(15);
    let (w, _) = area.estimate_text_size(&name, &style)?;
    if w <= 30 {
        area.draw_text(
            &name,
            &style.pos(Pos::new(HPos::Left, VPos::Center)),
            (x, y),
        )?;
    } else {
        area.draw_text(
            &name,
            &style
                .transform(FontTransform::Rotate270)
                .pos(Pos::new(HPos::Center, VPos::Top)),
            (x, y),
        )?;
    }
    Ok(())
}

/// The figure of a solved field: the prediction and the reference on one colour scale named
/// `u`, and `|prediction − reference|` on its own scale (magma).
///
/// # Errors
/// As [`fields`].
pub fn compare(
    path: &Path,
    heading: &str,
    grid: &Grid2<'_>,
    u: &str,
    prediction: &[f64],
    reference: &[f64],
    panel_px: (u32, u32),
) -> Result {
    let err: Vec<f64> = prediction
        .iter()
        .zip(reference)
        .map(|(a, b)| (a - b).abs())
        .collect();
    fields(
        path,
        heading,
        grid,
        &[
            Panel::new(format!("PINN prediction {u}"), prediction, 0),
            Panel::new(format!("reference {u}_ref"), reference, 0),
            Panel::new(format!("error |{u} − {u}_ref|"), &err, 1),
        ],
        &[Scale::linear(u), Scale::error(format!("|{u} − {u}_ref|"))],
        panel_px,
    )
}

/// Positive fields on one log colour scale over `decades` decades, with points drawn over them
/// in red: one panel per `(title, field, points)`.
///
/// # Errors
/// As [`fields`].
pub fn points_over_fields(
    path: &Path,
    heading: &str,
    grid: &Grid2<'_>,
    panels: &[(String, &[f64], &[f64])],
    label: &str,
    decades: u32,
    panel_px: (u32, u32),
) -> Result {
    let panels: Vec<Panel<'_>> = panels
        .iter()
        .map(|(t, field, points)| Panel {
            points: Some(points),
            ..Panel::new(t.clone(), field, 0)
        })
        .collect();
    fields(
        path,
        heading,
        grid,
        &panels,
        &[Scale::log(label, ColourMap::Viridis, decades)],
        panel_px,
    )
}

// ----------------------------------------------------------------------------------------
// Line plots

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Style {
    /// A solid line.
    Line,
    /// A dashed line.
    Dashed,
    /// Markers only.
    Points,
}

/// One series of a line plot.
#[derive(Clone, Debug)]
pub struct Series {
    /// Its legend entry (none if empty).
    pub label: String,
    /// `(x, y)` points; a value that is not finite (or not positive on a log axis) breaks the
    /// line.
    pub points: Vec<(f64, f64)>,
    /// How it is drawn.
    pub style: Style,
    /// An index into the palette (`None`: the series' position in its panel).
    pub colour: Option<usize>,
    /// The line width in pixels.
    pub width: u32,
}

impl Series {
    /// A solid line, 2 pixels wide.
    pub fn line(label: impl Into<String>, points: Vec<(f64, f64)>) -> Series {
        Series {
            label: label.into(),
            points,
            style: Style::Line,
            colour: None,
            width: 2,
        }
    }

    /// A dashed line, 2 pixels wide.
    pub fn dashed(label: impl Into<String>, points: Vec<(f64, f64)>) -> Series {
        Series {
            style: Style::Dashed,
            ..Series::line(label, points)
        }
    }

    /// Markers.
    pub fn points(label: impl Into<String>, points: Vec<(f64, f64)>) -> Series {
        Series {
            style: Style::Points,
            ..Series::line(label, points)
        }
    }

    /// The same series in palette colour `c` (0 blue, 1 orange, 2 green, 3 red, 4 purple,
    /// 5 dark grey).
    pub fn colour(mut self, c: usize) -> Series {
        self.colour = Some(c);
        self
    }

    /// The same series with lines `w` pixels wide.
    pub fn width(mut self, w: u32) -> Series {
        self.width = w;
        self
    }
}

/// `|a − b|` pointwise for a logarithmic axis: held at least 10⁻⁸ of its largest value (and
/// above 0), so that a point where the error is exactly 0 (a hard constraint at a boundary)
/// does not stretch the axis down to 1e-16 or below.
pub fn log_error(a: &[f64], b: &[f64]) -> Vec<f64> {
    let e: Vec<f64> = a.iter().zip(b).map(|(x, y)| (x - y).abs()).collect();
    let floor = (e.iter().fold(0.0f64, |m, &v| m.max(v)) * 1e-8).max(1e-300);
    e.into_iter().map(|v| v.max(floor)).collect()
}

/// `(x, y)` pairs from two slices.
pub fn xy(x: &[f64], y: &[f64]) -> Vec<(f64, f64)> {
    x.iter().copied().zip(y.iter().copied()).collect()
}

/// One panel of line plots.
#[derive(Clone, Debug)]
pub struct LinePanel {
    /// The panel's title.
    pub title: String,
    /// The horizontal axis' name.
    pub x_label: String,
    /// The vertical axis' name.
    pub y_label: String,
    /// A logarithmic vertical axis (its name says so).
    pub log_y: bool,
    /// The series.
    pub series: Vec<Series>,
    /// Where the legend goes (`None`: the corner of the plot that covers the fewest drawn
    /// points). Series with an empty label have no entry; no entries, no legend.
    pub legend: Option<SeriesLabelPosition>,
}

impl LinePanel {
    /// A panel with a linear vertical axis.
    pub fn new(title: impl Into<String>, x_label: &str, y_label: &str) -> LinePanel {
        LinePanel {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            log_y: false,
            series: Vec::new(),
            legend: None,
        }
    }

    /// The same panel with its legend at `at`.
    pub fn legend(mut self, at: SeriesLabelPosition) -> LinePanel {
        self.legend = Some(at);
        self
    }

    /// The same panel with a logarithmic vertical axis.
    pub fn log_y(mut self) -> LinePanel {
        self.log_y = true;
        self
    }

    /// The same panel with `s` added.
    pub fn with(mut self, s: Series) -> LinePanel {
        self.series.push(s);
        self
    }
}

/// Tableau colours.
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(60, 60, 60),
];

/// Line-plot panels stacked vertically under the figure title `heading`, each panel's
/// plotting area `panel_px` pixels.
///
/// # Errors
/// If the file cannot be written.
pub fn lines(path: &Path, heading: &str, panels: &[LinePanel], panel_px: (u32, u32)) -> Result {
    let left = 66;
    let each = PANEL_TITLE + panel_px.1 + AXIS_BOTTOM + 8;
    let width = left + panel_px.0 + 2 * GAP;
    let height = FIG_TITLE + panels.len() as u32 * each;
    figure(path, (width, height), |root| {
        let (head, body) = root.split_vertically(FIG_TITLE);
        title(&head, heading)?;
        for (k, p) in panels.iter().enumerate() {
            let area = body.clone().shrink((0, k as u32 * each), (width, each));
            line_panel(&area, p, left)?;
        }
        Ok(())
    })
}

/// The finite range of the series along one coordinate (`log`: positive values only).
fn data_range(panel: &LinePanel, pick: impl Fn(&(f64, f64)) -> f64, log: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in panel.series.iter().flat_map(|s| s.points.iter().map(&pick)) {
        if v.is_finite() && (!log || v > 0.0) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    match () {
        _ if !lo.is_finite() && log => (0.1, 10.0),
        _ if !lo.is_finite() => (0.0, 1.0),
        _ if log => decades(lo, hi),
        _ if hi <= lo => (lo - 1.0, hi + 1.0),
        _ => {
            let pad = 0.03 * (hi - lo);
            (lo - pad, hi + pad)
        }
    }
}

fn line_panel(area: &Area<'_>, p: &LinePanel, left: u32) -> Result {
    let (x0, x1) = data_range(p, |q| q.0, false);
    let nx = 8;
    let tx = Ticks::for_points(&key_points(x0..x1, nx));
    let fx = move |x: &f64| tx.label(*x);
    let mut builder = ChartBuilder::on(area);
    builder
        .caption(&p.title, font(16))
        .margin_right(2 * GAP)
        .x_label_area_size(AXIS_BOTTOM)
        .y_label_area_size(left);
    let grid_line = RGBColor(225, 225, 225);
    if p.log_y {
        let (y0, y1) = data_range(p, |q| q.1, true);
        let decades = (y1 / y0).log10().round().max(1.0) as usize;
        // A label each decade (at most 10), and at 2 and 5 too when there are only one or two.
        let step = decades.div_ceil(10).max(1);
        let first = y0.log10().round() as i32;
        let mut keys = Vec::new();
        for k in (0..=decades).step_by(step) {
            let p = 10f64.powi(first + k as i32);
            keys.push(p);
            if decades <= 2 && k < decades {
                keys.extend([2.0 * p, 5.0 * p]);
            }
        }
        let mut chart = builder
            .build_cartesian_2d(x0..x1, (y0..y1).log_scale().with_key_points(keys.clone()))?;
        let fy = |y: &f64| log_label(*y);
        chart
            .configure_mesh()
            .bold_line_style(grid_line)
            .light_line_style(TRANSPARENT)
            .x_desc(tx.axis_name(&p.x_label))
            .y_desc(format!("{}  (log scale)", p.y_label))
            .x_labels(nx)
            .y_labels(keys.len())
            .x_label_formatter(&fx)
            .y_label_formatter(&fy)
            .set_all_tick_mark_size(4)
            .label_style(font(13))
            .axis_desc_style(font(15))
            .draw()?;
        draw_series(&mut chart, p)
    } else {
        let (y0, y1) = data_range(p, |q| q.1, false);
        let ny = 7;
        let ty = Ticks::for_points(&key_points(y0..y1, ny));
        let fy = move |y: &f64| ty.label(*y);
        let mut chart = builder.build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .bold_line_style(grid_line)
            .light_line_style(TRANSPARENT)
            .x_desc(tx.axis_name(&p.x_label))
            .y_desc(ty.axis_name(&p.y_label))
            .x_labels(nx)
            .y_labels(ny)
            .x_label_formatter(&fx)
            .y_label_formatter(&fy)
            .set_all_tick_mark_size(4)
            .label_style(font(13))
            .axis_desc_style(font(15))
            .draw()?;
        draw_series(&mut chart, p)
    }
}

fn draw_series<'a, X, Y>(
    chart: &mut ChartContext<'a, Canvas<'a>, Cartesian2d<X, Y>>,
    p: &LinePanel,
) -> Result
where
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    for (k, s) in p.series.iter().enumerate() {
        let colour = PALETTE[s.colour.unwrap_or(k) % PALETTE.len()];
        let style = ShapeStyle::from(&colour).stroke_width(s.width);
        // Runs of drawable points: a gap breaks the line.
        let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
        for &(x, y) in &s.points {
            if x.is_finite() && y.is_finite() && !(p.log_y && y <= 0.0) {
                if let Some(run) = runs.last_mut() {
                    run.push((x, y));
                }
            } else if runs.last().is_some_and(|r| !r.is_empty()) {
                runs.push(Vec::new());
            }
        }
        let mut labelled = false;
        for run in runs.into_iter().filter(|r| !r.is_empty()) {
            let anno = match s.style {
                Style::Line => chart.draw_series(LineSeries::new(run, style))?,
                Style::Dashed => chart.draw_series(DashedLineSeries::new(run, 10, 6, style))?,
                Style::Points => chart.draw_series(
                    run.into_iter()
                        .map(|q| Circle::new(q, 1 + s.width, style.filled())),
                )?,
            };
            if labelled || s.label.is_empty() {
                continue;
            }
            labelled = true;
            let anno = anno.label(&s.label);
            match s.style {
                Style::Points => {
                    anno.legend(move |(x, y)| Circle::new((x + 10, y), 3, style.filled()))
                }
                Style::Dashed => anno.legend(move |(x, y)| {
                    EmptyElement::at((x, y))
                        + PathElement::new(vec![(0, 0), (8, 0)], style)
                        + PathElement::new(vec![(13, 0), (20, 0)], style)
                }),
                Style::Line => {
                    anno.legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style))
                }
            };
        }
    }
    if p.series.iter().all(|s| s.label.is_empty()) {
        return Ok(());
    }
    let position = match &p.legend {
        Some(at) => at.clone(),
        None => emptiest_corner(chart, p),
    };
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(150, 150, 150))
        .label_font(font(13))
        .draw()?;
    Ok(())
}

/// The corner of the plotting area where a legend box of `p`'s entries would cover the
/// fewest drawn points (lines sampled every few pixels); upper right when there is a tie.
fn emptiest_corner<'a, X, Y>(
    chart: &ChartContext<'a, Canvas<'a>, Cartesian2d<X, Y>>,
    p: &LinePanel,
) -> SeriesLabelPosition
where
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let plot = chart.plotting_area();
    let (xr, yr) = plot.get_pixel_range();
    // The box plotters draws: the widest label, 30 px of sample and 10 px margins, 5 px from
    // the corner.
    let labels: Vec<&str> = p
        .series
        .iter()
        .map(|s| s.label.as_str())
        .filter(|l| !l.is_empty())
        .collect();
    let widest = labels
        .iter()
        .map(|l| plot.estimate_text_size(l, &font(13)).map_or(0, |s| s.0))
        .max()
        .unwrap_or(0) as i32;
    let (w, h) = (widest + 50 + 8, 17 * labels.len() as i32 + 20 + 8);
    let boxes = [
        (SeriesLabelPosition::UpperRight, xr.end - w, yr.start),
        (SeriesLabelPosition::UpperLeft, xr.start, yr.start),
        (SeriesLabelPosition::LowerRight, xr.end - w, yr.end - h),
        (SeriesLabelPosition::LowerLeft, xr.start, yr.end - h),
    ];
    let mut counts = [0usize; 4];
    let drawable = |q: &(f64, f64)| q.0.is_finite() && q.1.is_finite() && !(p.log_y && q.1 <= 0.0);
    for s in &p.series {
        for pair in s.points.windows(2) {
            if !(drawable(&pair[0]) && drawable(&pair[1])) {
                continue;
            }
            let (a, b) = (chart.backend_coord(&pair[0]), chart.backend_coord(&pair[1]));
            let len = (a.0 - b.0).abs().max((a.1 - b.1).abs());
            let n = (len / 4).clamp(1, 1000);
            for k in 0..=n {
                let f = f64::from(k) / f64::from(n);
                let x = a.0 + (f64::from(b.0 - a.0) * f).round() as i32;
                let y = a.1 + (f64::from(b.1 - a.1) * f).round() as i32;
                for (c, (_, bx, by)) in boxes.iter().enumerate() {
                    if x >= *bx && x <= bx + w && y >= *by && y <= by + h {
                        counts[c] += 1;
                    }
                }
            }
        }
    }
    let best = (0..4).min_by_key(|&c| counts[c]).unwrap_or(0);
    boxes[best].0.clone()
}

#[cfg(test)]
mod tests {
    use super::{Ticks, log_label, nice};

    fn labels(points: &[f64]) -> (Vec<String>, String) {
        let t = Ticks::for_points(points);
        (
            points.iter().map(|&v| t.label(v)).collect(),
            t.axis_name("u"),
        )
    }

    #[test]
    fn tick_labels_share_their_decimals_and_exponent() {
        assert_eq!(
            labels(&[-0.5, 0.0, 0.5, 1.0]),
            (
                vec!["-0.5".into(), "0.0".into(), "0.5".into(), "1.0".into()],
                "u".into()
            )
        );
        assert_eq!(
            labels(&[0.0, 0.25, 0.5]).0,
            vec!["0.00".to_string(), "0.25".into(), "0.50".into()]
        );
        assert_eq!(
            labels(&[0.0, 5e-6, 1e-5, 1.5e-5]),
            (
                vec!["0.0".into(), "0.5".into(), "1.0".into(), "1.5".into()],
                "u  (×1e-5)".into()
            )
        );
        assert_eq!(labels(&[0.0, 2e4, 4e4]).1, "u  (×1e4)");
        assert_eq!(labels(&[-1e-9, 0.0]).0[1], "0");
    }

    #[test]
    fn log_labels_and_nice_ends() {
        assert_eq!(log_label(1.0), "1");
        assert_eq!(log_label(100.0), "100");
        assert_eq!(log_label(1e-3), "1e-3");
        assert_eq!(log_label(2e-5), "2e-5");
        assert_eq!(log_label(0.0), "");
        assert_eq!(nice(-0.9999, 0.9999), (-1.0, 1.0));
        assert_eq!(nice(0.0, 1.55), (0.0, 1.55));
    }
}
