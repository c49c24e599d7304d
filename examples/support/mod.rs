//! Small helpers shared by the examples: a dependency-free PNG writer, a colour map, heat maps
//! and CSV output. (Included with `#[path = "support/mod.rs"] mod support;`.)
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;

/// CRC-32 (IEEE) as PNG chunks need it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// Adler-32 as zlib streams need it.
fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in bytes {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// LSB-first bit writer for deflate.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, bits: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += bits;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }
    /// A Huffman code (written most significant bit first).
    fn code(&mut self, code: u32, len: u32) {
        let rev = code.reverse_bits() >> (32 - len);
        self.put(rev, len);
    }
    fn literal(&mut self, b: u32) {
        match b {
            0..=143 => self.code(0x30 + b, 8),
            144..=255 => self.code(0x190 + b - 144, 9),
            256..=279 => self.code(b - 256, 7),
            _ => self.code(0xC0 + b - 280, 8),
        }
    }
    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// Deflate with the fixed Huffman code and greedy LZ77 matches (32 KiB window, one
/// candidate per 3-byte hash, plus the same place one image row back): small and
/// dependency-free, and plenty for heat maps.
fn deflate(data: &[u8], row: usize) -> Vec<u8> {
    const LEN_BASE: [u32; 29] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
        131, 163, 195, 227, 258,
    ];
    const LEN_EXTRA: [u32; 29] = [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ];
    const DIST_BASE: [u32; 30] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
        2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
    ];
    let mut w = Bits {
        out: Vec::new(),
        acc: 0,
        n: 0,
    };
    w.put(1, 1); // final block
    w.put(1, 2); // fixed Huffman
    let mut head = vec![usize::MAX; 1 << 15];
    let hash = |i: usize| {
        ((u32::from(data[i]) << 10) ^ (u32::from(data[i + 1]) << 5) ^ u32::from(data[i + 2]))
            as usize
            & 0x7FFF
    };
    let mut i = 0;
    while i < data.len() {
        let mut best = (0usize, 0usize);
        if i + 3 <= data.len() {
            let h = hash(i);
            let cand = head[h];
            head[h] = i;
            let max = (data.len() - i).min(258);
            for c in [cand, i.wrapping_sub(row)] {
                if c < i && i - c <= 32768 {
                    let len = (0..max).take_while(|&k| data[c + k] == data[i + k]).count();
                    if len >= 3 && len > best.0 {
                        best = (len, i - c);
                    }
                }
            }
        }
        if best.0 >= 3 {
            let (len, dist) = (best.0 as u32, best.1 as u32);
            let li = LEN_BASE.iter().rposition(|&b| b <= len).unwrap();
            w.literal(257 + li as u32);
            w.put(len - LEN_BASE[li], LEN_EXTRA[li]);
            let di = DIST_BASE.iter().rposition(|&b| b <= dist).unwrap();
            w.code(di as u32, 5);
            let extra = if di < 4 { 0 } else { (di as u32 - 2) / 2 };
            w.put(dist - DIST_BASE[di], extra);
            for k in 1..best.0 {
                if i + k + 3 <= data.len() {
                    head[hash(i + k)] = i + k;
                }
            }
            i += best.0;
        } else {
            w.literal(u32::from(data[i]));
            i += 1;
        }
    }
    w.literal(256);
    w.finish()
}

/// Writes an 8-bit RGB image (`rgb` has `3·width·height` bytes, rows top to bottom) as a PNG.
pub fn write_png(path: &Path, width: usize, height: usize, rgb: &[u8]) -> std::io::Result<()> {
    let mut raw = Vec::with_capacity(height * (1 + 3 * width));
    for row in rgb.chunks(3 * width) {
        raw.push(0); // filter: none
        raw.extend_from_slice(row);
    }
    let mut z = vec![0x78, 0x01];
    z.extend_from_slice(&deflate(&raw, 1 + 3 * width));
    z.extend_from_slice(&adler32(&raw).to_be_bytes());
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&(width as u32).to_be_bytes());
    ihdr.extend_from_slice(&(height as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &z);
    chunk(&mut png, b"IEND", &[]);
    std::fs::File::create(path)?.write_all(&png)
}

/// A perceptual colour map (viridis, piecewise linear through 6 anchors), `t ∈ [0, 1]`.
pub fn viridis(t: f64) -> [u8; 3] {
    const A: [[f64; 3]; 6] = [
        [68.0, 1.0, 84.0],
        [65.0, 68.0, 135.0],
        [42.0, 120.0, 142.0],
        [34.0, 168.0, 132.0],
        [122.0, 209.0, 81.0],
        [253.0, 231.0, 37.0],
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    } * 5.0;
    let i = (t.floor() as usize).min(4);
    let f = t - i as f64;
    let mut c = [0u8; 3];
    for k in 0..3 {
        c[k] = (A[i][k] * (1.0 - f) + A[i + 1][k] * f).round() as u8;
    }
    c
}

/// Heat maps of several fields side by side, each `nx × ny` on a grid with the first
/// coordinate varying slowest (`values[i·ny + j]` at `(x_i, y_j)`); `y` grows upwards,
/// each panel scaled `scale`× and colour-mapped over its own range.
pub fn heatmaps(
    path: &Path,
    panels: &[&[f64]],
    nx: usize,
    ny: usize,
    scale: usize,
) -> std::io::Result<()> {
    let gap = 8;
    let (pw, ph) = (nx * scale, ny * scale);
    let width = panels.len() * pw + (panels.len().saturating_sub(1)) * gap;
    let mut rgb = vec![255u8; 3 * width * ph];
    for (k, vals) in panels.iter().enumerate() {
        let (lo, hi) = vals
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        let span = if hi > lo { hi - lo } else { 1.0 };
        for py in 0..ph {
            for px in 0..pw {
                let (i, j) = (px / scale, ny - 1 - py / scale);
                let c = viridis((vals[i * ny + j] - lo) / span);
                let o = 3 * (py * width + k * (pw + gap) + px);
                rgb[o..o + 3].copy_from_slice(&c);
            }
        }
    }
    write_png(path, width, ph, &rgb)
}

/// Panels of `log₁₀` of a positive field (`nx × ny` values on a grid with the first coordinate
/// slowest, first coordinate horizontal, second upwards) with points drawn over it as red
/// 3 × 3 dots: one panel per `(label, points, field)`, the colour range shared by
/// all panels (the largest value and six decades below it), the points mapped from the box
/// `[lo, hi]`.
pub fn points_over_fields(
    path: &Path,
    panels: &[(usize, Vec<f64>, Vec<f64>)],
    nx: usize,
    ny: usize,
    lo: &[f64],
    hi: &[f64],
    scale: usize,
) -> std::io::Result<()> {
    let gap = 8;
    let (pw, ph) = (nx * scale, ny * scale);
    let width = panels.len() * pw + panels.len().saturating_sub(1) * gap;
    let mut rgb = vec![255u8; 3 * width * ph];
    let top = panels
        .iter()
        .flat_map(|p| p.2.iter())
        .fold(f64::NEG_INFINITY, |a, &v| a.max(v.max(1e-300).log10()));
    let bottom = top - 6.0;
    for (k, (_, points, field)) in panels.iter().enumerate() {
        let x0 = k * (pw + gap);
        for py in 0..ph {
            for px in 0..pw {
                let (i, j) = (px / scale, ny - 1 - py / scale);
                let v = field[i * ny + j].max(1e-300).log10();
                let c = viridis(((v - bottom) / (top - bottom)).clamp(0.0, 1.0));
                let o = 3 * (py * width + x0 + px);
                rgb[o..o + 3].copy_from_slice(&c);
            }
        }
        for p in points.chunks(2) {
            let fx = (p[0] - lo[0]) / (hi[0] - lo[0]);
            let fy = (p[1] - lo[1]) / (hi[1] - lo[1]);
            let cx = (fx * (pw - 1) as f64).round() as i64;
            let cy = ((1.0 - fy) * (ph - 1) as f64).round() as i64;
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let (x, y) = (cx + dx, cy + dy);
                    if x >= 0 && y >= 0 && x < pw as i64 && y < ph as i64 {
                        let o = 3 * (y as usize * width + x0 + x as usize);
                        rgb[o..o + 3].copy_from_slice(&[230, 30, 30]);
                    }
                }
            }
        }
    }
    write_png(path, width, ph, &rgb)
}

/// A line plot of one or more series (x shared), e.g. a loss history on a log axis.
pub fn line_plot(
    path: &Path,
    series: &[&[f64]],
    log_y: bool,
    w: usize,
    h: usize,
) -> std::io::Result<()> {
    let mut rgb = vec![255u8; 3 * w * h];
    let tr = |v: f64| if log_y { v.max(1e-300).log10() } else { v };
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for s in series {
        for &v in s.iter() {
            let v = tr(v);
            if v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    let span = if hi > lo { hi - lo } else { 1.0 };
    let colours = [
        [31u8, 119, 180],
        [255, 127, 14],
        [44, 160, 44],
        [214, 39, 40],
    ];
    for (k, s) in series.iter().enumerate() {
        let n = s.len().max(2);
        let colour = colours[k % colours.len()];
        // Consecutive finite points are joined by a segment; a non-finite value breaks the line.
        let mut last: Option<(i64, i64)> = None;
        for (i, &v) in s.iter().enumerate() {
            let v = tr(v);
            if !v.is_finite() {
                last = None;
                continue;
            }
            let x = (i * (w - 1) / (n - 1)) as i64;
            let y = (h - 1) as i64 - (((v - lo) / span) * (h - 1) as f64).round() as i64;
            let (x0, y0) = last.unwrap_or((x, y));
            draw_segment(&mut rgb, w, (x0, y0), (x, y), colour);
            last = Some((x, y));
        }
    }
    write_png(path, w, h, &rgb)
}

/// Bresenham's line from `a` to `b` (both included) into a `w`-wide RGB image.
fn draw_segment(rgb: &mut [u8], w: usize, a: (i64, i64), b: (i64, i64), colour: [u8; 3]) {
    let (dx, dy) = ((b.0 - a.0).abs(), -(b.1 - a.1).abs());
    let (sx, sy) = ((b.0 - a.0).signum(), (b.1 - a.1).signum());
    let (mut x, mut y, mut err) = (a.0, a.1, dx + dy);
    loop {
        let o = 3 * (y as usize * w + x as usize);
        rgb[o..o + 3].copy_from_slice(&colour);
        if (x, y) == b {
            break;
        }
        let e2 = 2 * err;
        if e2 >= dy {
            err += dy;
            x += sx;
        }
        if e2 <= dx {
            err += dx;
            y += sy;
        }
    }
}

/// Writes rows of numbers as CSV with a header.
pub fn write_csv(
    path: &Path,
    header: &str,
    rows: impl IntoIterator<Item = Vec<f64>>,
) -> std::io::Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(f, "{header}")?;
    for r in rows {
        let line: Vec<String> = r.iter().map(|v| format!("{v:e}")).collect();
        writeln!(f, "{}", line.join(","))?;
    }
    f.flush()
}

/// `n` equally spaced numbers from `a` to `b`, both included.
pub fn linspace(a: f64, b: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| a + (b - a) * i as f64 / (n - 1).max(1) as f64)
        .collect()
}

/// The grid `xs × ys`, first coordinate slowest, point-major.
pub fn grid2(xs: &[f64], ys: &[f64]) -> Vec<f64> {
    xs.iter()
        .flat_map(|&x| ys.iter().flat_map(move |&y| [x, y]))
        .collect()
}

/// The output directory of the examples (`target/examples-out`), created if missing.
pub fn out_dir() -> std::path::PathBuf {
    let d = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/examples-out");
    std::fs::create_dir_all(&d).ok();
    d
}

/// An observer that prints one progress line whenever the trainer computed metrics.
pub fn progress<T: pinn::ad::Real>()
-> impl FnMut(&pinn::train::Event<'_, T>) -> pinn::train::Control + Send {
    |e| {
        if let Some(m) = e.metrics {
            println!(
                "step {:5} [{}] loss {:.3e}  rel-L2 {:.3e}  {:.0} s",
                e.step,
                e.phase,
                e.loss.to_f64(),
                m.rel_l2,
                e.seconds
            );
        }
        pinn::train::Control::Continue
    }
}

/// The examples' last line: one JSON object with the key figures of a training run.
pub fn summary_json<T: pinn::ad::Real>(
    example: &str,
    m: &pinn::train::Metrics,
    report: &pinn::train::Report<T>,
    seconds: f64,
) -> String {
    format!(
        "{{\"example\":\"{example}\",\"dtype\":\"{}\",\"rel_l2\":{:e},\"max_abs\":{:e},\"steps\":{},\"evaluations\":{},\"seconds\":{seconds:.2}}}",
        T::NAME,
        m.rel_l2,
        m.max_abs,
        report.steps,
        report.evaluations
    )
}

/// Runs `f64_run`, or `f32_run` when the command line has `--f32`.
pub fn by_dtype<R>(f32_run: impl FnOnce() -> R, f64_run: impl FnOnce() -> R) -> R {
    if std::env::args().any(|a| a == "--f32") {
        f32_run()
    } else {
        f64_run()
    }
}

/// What [`check_flags`] makes of a command line.
#[derive(Debug, PartialEq)]
pub enum Cli {
    /// Every argument is a declared flag (with its value where it takes one): run.
    Run,
    /// `--help` or `-h` was given: print the usage and stop.
    Help,
}

/// Checks `args` (the command line without the program name) against the flags an example
/// declares: `valued` flags take the next argument as their value, `switches` stand alone.
/// An undeclared argument, or a valued flag with no value after it, is an error naming it,
/// so that a typo never silently starts a long default run.
pub fn check_flags(args: &[String], valued: &[&str], switches: &[&str]) -> Result<Cli, String> {
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "--help" || a == "-h" {
            return Ok(Cli::Help);
        } else if valued.contains(&a) {
            match args.get(i + 1) {
                Some(v) if !v.starts_with("--") => i += 2,
                _ => return Err(format!("{a} needs a value")),
            }
        } else if switches.contains(&a) {
            i += 1;
        } else {
            let known: Vec<&str> = valued.iter().chain(switches).copied().collect();
            return Err(format!(
                "unknown argument `{a}`; the flags are: {}",
                if known.is_empty() {
                    "none".into()
                } else {
                    known.join(" ")
                }
            ));
        }
    }
    Ok(Cli::Run)
}

/// [`check_flags`] on this process's command line: with `--help` prints `usage` and exits
/// with status 0; on an error prints it and `usage` to stderr and exits with status 2.
pub fn cli(usage: &str, valued: &[&str], switches: &[&str]) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match check_flags(&args, valued, switches) {
        Ok(Cli::Run) => {}
        Ok(Cli::Help) => {
            println!("{usage}");
            std::process::exit(0);
        }
        Err(e) => {
            eprintln!("error: {e}\n\n{usage}");
            std::process::exit(2);
        }
    }
}

/// The value after the last occurrence of the flag `name` on the command line (the last one
/// wins, so a script can append overrides to a fixed command).
pub fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .rposition(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// [`arg`] parsed as a number; a value that does not parse is an error naming the flag.
pub fn arg_num<N: std::str::FromStr>(name: &str) -> Result<Option<N>, String> {
    arg(name)
        .map(|s| s.parse().map_err(|_| format!("{name}: cannot parse `{s}`")))
        .transpose()
}
