//! The examples' shared code (`examples/support`): figures come out as PNGs of the planned
//! size, bad figure input is an error rather than a panic, tick labels are written alike, and
//! the progress clock follows the planned phases.

#[path = "../examples/support/mod.rs"]
mod support;

use std::path::PathBuf;

use support::plot::{Grid2, LinePanel, Panel, Scale, Series, compare, fields, lines, xy};
use support::progress::{Clock, Plan, duration};

/// A fresh folder for this test's files.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("pinn-support-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The width and height in a PNG's header.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn compare_draws_a_png_and_rejects_values_that_do_not_fit_the_grid() {
    let dir = scratch("compare");
    let xs = support::linspace(0.0, 1.0, 21);
    let ts = support::linspace(0.0, 2.0, 11);
    let grid = support::grid2(&xs, &ts);
    let exact: Vec<f64> = grid.chunks(2).map(|p| (p[0] * p[1]).sin()).collect();
    let pred: Vec<f64> = exact.iter().map(|v| v + 1e-5).collect();
    let g = Grid2 {
        names: ["x", "t"],
        axes: [&xs, &ts],
        across: 1,
    };
    let path = dir.join("compare.png");
    compare(&path, "a title", &g, "u", &pred, &exact, (120, 80)).unwrap();
    let (w, h) = png_size(&std::fs::read(&path).unwrap());
    assert!(w > 3 * 120 && h > 80, "{w} × {h}");

    let short = &pred[1..];
    let e = compare(&path, "t", &g, "u", short, &exact, (120, 80)).unwrap_err();
    assert!(
        e.to_string().contains("values for a grid of 231 nodes"),
        "{e}"
    );
    let e = fields(
        &path,
        "t",
        &g,
        &[Panel::new("p", &exact, 1)],
        &[Scale::linear("u")],
        (50, 50),
    )
    .unwrap_err();
    assert!(e.to_string().contains("scale 1 of 1"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn line_plots_take_gaps_and_non_positive_values_on_log_axes() {
    let dir = scratch("lines");
    let x = support::linspace(0.0, 1.0, 50);
    let y: Vec<f64> = x
        .iter()
        .map(|&v| if v < 0.5 { v } else { f64::NAN })
        .collect();
    let path = dir.join("lines.png");
    lines(
        &path,
        "gaps",
        &[
            LinePanel::new("linear", "x", "y")
                .with(Series::line("a", xy(&x, &y)))
                .with(Series::dashed("b", xy(&x, &x))),
            LinePanel::new("log", "x", "y")
                .log_y()
                .with(Series::points("", xy(&x, &y))),
            LinePanel::new("nothing drawable", "x", "y").log_y(),
        ],
        (200, 100),
    )
    .unwrap();
    let (w, h) = png_size(&std::fs::read(&path).unwrap());
    assert!(w > 200 && h > 3 * 100, "{w} × {h}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn durations_read_as_seconds_minutes_or_hours() {
    assert_eq!(duration(42.4), "42 s");
    assert_eq!(duration(150.0), "2.5 min");
    assert_eq!(duration(2.0 * 3600.0), "2.0 h");
    assert_eq!(duration(f64::NAN), "?");
}

#[test]
fn the_clock_follows_the_phases_and_bounds_what_may_stop_early() {
    let plan = Plan::new()
        .adam("adam", 3)
        .lbfgs("lbfgs", 4, 20, true)
        .adam("polish", 2);
    assert_eq!(plan.total_steps(), 9);
    let mut clock = Clock::new(plan);
    assert!(clock.step("adam", 0.0), "the first step starts a phase");
    assert_eq!(clock.phase(), ("adam", 1, 3));
    assert!(clock.status().ends_with("elapsed"), "no estimate yet");
    assert!(!clock.step("adam", 0.1));
    assert_eq!(clock.phase(), ("adam", 2, 3));
    let (sure, maybe) = clock.remaining();
    assert!(
        sure.is_finite() && sure >= 0.0 && maybe > 0.0,
        "{sure} {maybe}"
    );
    assert!(clock.status().contains("L-BFGS"), "{}", clock.status());
    // L-BFGS converged after one step: the trainer moved on to the next phase.
    assert!(clock.step("lbfgs", 0.2));
    assert!(clock.step("polish", 0.3));
    assert_eq!(clock.phase(), ("polish", 1, 2));
    let (_, maybe) = clock.remaining();
    assert_eq!(maybe, 0.0, "nothing left may stop early");
    assert!(clock.status().contains("left") && !clock.status().contains("L-BFGS"));
}
