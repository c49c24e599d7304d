//! The rules table against independent references.
//!
//! `tests/data/rule_refs.csv` holds `f, f′, f″, f‴` of every elementary function, computed by
//! `scripts/gen_rule_refs.py` with sympy's symbolic `diff` and 50-digit mpmath arithmetic, so
//! it shares nothing with the hand-written formulas of `src/ad/rules.rs`. This file checks:
//!
//! - the table covers every element of [`Elementary::ALL`] (and names nothing else), so the
//!   table cannot grow without a reference;
//! - [`Elementary::eval`] over `f64` matches every reference to 1e-13 relative, and over `f32`
//!   to 1e-5 relative (plus a derived allowance for `tanh`, whose derivatives are computed
//!   from the rounded `tanh x` itself);
//! - the named methods on plain `f64` (which call the library functions directly);
//! - every nesting of the AD types reproduces the derivatives through the *named* `Scalar`
//!   methods (`x.tanh()`, `x.powi(3)`, …): `Dual<f64>` (f′), `HyperDual<f64>` and
//!   `Dual<Dual<f64>>` (f′, f″), `Dual<HyperDual<f64>>` and `HyperDual<Dual<f64>>` (f‴), and
//!   the reverse tape over `f64`, `Dual<f64>` and `HyperDual<f64>` (f′, f″, f‴).
//!
//! Every mismatch is collected and reported together, one line per failing component.

mod common;
use common::call;
use pinn::ad::{Dual, Elementary, HyperDual, Scalar, Tape};

/// Relative tolerance for `f64` (the references are correctly rounded). The worst case in the
/// table is `tanh′(±3.7) = 1 − t²`, whose one-ulp error in `t` is amplified ~818× to ~9e-14
/// (see [`f32_primal_amplification`]); every other component is observed within 2e-15.
const RTOL_F64: f64 = 1e-13;
/// Relative tolerance for `f32` (about 80 ulps; the point itself is rounded to `f32` first,
/// which moves the value by at most a few ulps times the condition number of `f⁽ᵏ⁾`).
const RTOL_F32: f64 = 1e-5;

/// One row of the reference table.
#[derive(Debug, Clone)]
struct Row {
    name: String,
    rule: Elementary,
    x: f64,
    /// `[f, f′, f″, f‴]`
    refs: [f64; 4],
}

fn parse_f64(s: &str, line: usize) -> f64 {
    s.trim()
        .parse()
        .unwrap_or_else(|e| panic!("rule_refs.csv line {line}: bad number {s:?}: {e}"))
}

/// Reads the CSV, skipping `#` comments and the header; every name must belong to
/// `Elementary::ALL`.
fn load() -> Vec<Row> {
    let text = include_str!("data/rule_refs.csv");
    let mut rows = Vec::new();
    let mut saw_header = false;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !saw_header {
            assert_eq!(
                line, "name,x,f,d1,d2,d3",
                "rule_refs.csv: unexpected header"
            );
            saw_header = true;
            continue;
        }
        let cols: Vec<&str> = line.split(',').collect();
        assert_eq!(
            cols.len(),
            6,
            "rule_refs.csv line {line_no}: expected 6 columns"
        );
        let name = cols[0].trim().to_string();
        let rule = Elementary::ALL
            .into_iter()
            .find(|e| e.name() == name)
            .unwrap_or_else(|| {
                panic!("rule_refs.csv line {line_no}: {name:?} is not in Elementary::ALL")
            });
        let x = parse_f64(cols[1], line_no);
        assert!(
            rule.in_domain(x),
            "rule_refs.csv line {line_no}: {name}({x}) outside the domain"
        );
        let refs = [2, 3, 4, 5].map(|k| parse_f64(cols[k], line_no));
        rows.push(Row {
            name,
            rule,
            x,
            refs,
        });
    }
    assert!(saw_header, "rule_refs.csv: no header");
    rows
}

/// Collects mismatches `|got − want| > rtol·|want| + tiny` (relative, with an absolute floor
/// only for exact zeros) and panics with all of them at the end.
struct Checker {
    what: &'static str,
    rtol: f64,
    floor: f64,
    checked: usize,
    failures: Vec<String>,
}

impl Checker {
    fn new(what: &'static str, rtol: f64, floor: f64) -> Self {
        Checker {
            what,
            rtol,
            floor,
            checked: 0,
            failures: Vec::new(),
        }
    }

    fn check(&mut self, row: &Row, component: &str, got: f64, want: f64) {
        self.check_rtol(row, component, got, want, self.rtol);
    }

    fn check_rtol(&mut self, row: &Row, component: &str, got: f64, want: f64, rtol: f64) {
        self.checked += 1;
        let err = (got - want).abs();
        let ok = err <= rtol * want.abs() + self.floor;
        if !ok {
            self.failures.push(format!(
                "{}({}) {component}: got {got:e}, want {want:e}, rel err {:.2e}",
                row.name,
                row.x,
                err / want.abs().max(1e-16),
            ));
        }
    }

    fn finish(self) {
        assert!(self.checked > 0, "{}: nothing checked", self.what);
        assert!(
            self.failures.is_empty(),
            "{}: {} of {} components off (rtol {:e}):\n  {}",
            self.what,
            self.failures.len(),
            self.checked,
            self.rtol,
            self.failures.join("\n  ")
        );
    }
}

const D: [&str; 4] = ["f", "f'", "f''", "f'''"];

#[test]
fn table_covers_every_rule() {
    let rows = load();
    assert!(rows.len() >= 8 * Elementary::ALL.len());
    for e in Elementary::ALL {
        let n = rows.iter().filter(|r| r.rule == e).count();
        assert!(
            n >= 6,
            "{} has {n} reference points in rule_refs.csv (want at least 6); regenerate it with \
             scripts/gen_rule_refs.py after adding the function there",
            e.name()
        );
    }
    // Names are unique, so a name identifies one rule.
    for (i, a) in Elementary::ALL.iter().enumerate() {
        for b in &Elementary::ALL[i + 1..] {
            assert_ne!(a.name(), b.name());
        }
    }
}

#[test]
fn eval_f64_matches_references() {
    let mut c = Checker::new("Elementary::eval::<f64>", RTOL_F64, 1e-300);
    for row in load() {
        let got = row.rule.eval(row.x);
        for k in 0..4 {
            c.check(&row, D[k], got[k], row.refs[k]);
        }
    }
    c.finish();
}

#[test]
fn plain_float_apply_matches_references() {
    // The named methods on f64 go through `apply` directly (the library function), not
    // through the table; check them too.
    let mut c = Checker::new("Scalar::<f64> named methods", RTOL_F64, 1e-300);
    for row in load() {
        c.check(&row, "f", call(row.rule, row.x), row.refs[0]);
    }
    c.finish();
}

/// One ulp of `f32` in `[0.5, 1)`, the range of a saturating `tanh`.
const ULP_F32_NEAR_1: f64 = f32::EPSILON as f64 / 2.0;

/// How much a one-ulp error in the computed primal value is amplified in the derivatives,
/// for the rules that build their derivatives from it (documented in `rules.rs`:
/// `tanh′ = 1 − t²`). A relative error `δ` in `t` becomes `2t²/(1 − t²)·δ` in `1 − t²`, and
/// `f″ = −2t·f′`, `f‴ = f′·(6t² − 2)` inherit it. At `tanh(±3.7)` this is about 818, so
/// `f32` can only promise `≈ 5e-5` there. Every other rule gets no allowance beyond
/// [`RTOL_F32`] (the sigmoid and softplus use `σ(±x)`, both accurate to an ulp).
fn f32_primal_amplification(row: &Row) -> f64 {
    match row.rule {
        Elementary::Tanh => {
            let t = row.refs[0];
            2.0 * t * t / (1.0 - t * t)
        }
        _ => 0.0,
    }
}

#[test]
fn eval_f32_matches_references() {
    let mut c = Checker::new("Elementary::eval::<f32>", RTOL_F32, 1e-37);
    let mut skipped = 0;
    for row in load() {
        let x32 = row.x as f32;
        let representable = |v: f64| v == 0.0 || (v.abs() > 1e-37 && v.abs() < 1e37);
        if !(x32.is_finite() && row.refs.iter().all(|&v| representable(v))) {
            skipped += 1;
            continue;
        }
        let got = row.rule.eval(x32);
        let rtol = RTOL_F32 + f32_primal_amplification(&row) * ULP_F32_NEAR_1;
        for k in 0..4 {
            c.check_rtol(&row, D[k], f64::from(got[k]), row.refs[k], rtol);
        }
    }
    assert!(
        skipped < 4,
        "too many points outside the f32 range: {skipped}"
    );
    c.finish();
}

#[test]
fn dual_first_derivative() {
    let mut c = Checker::new("Dual<f64>", RTOL_F64, 1e-300);
    for row in load() {
        let y = call(row.rule, Dual::variable(row.x));
        c.check(&row, "f", y.re, row.refs[0]);
        c.check(&row, "f'", y.eps, row.refs[1]);
    }
    c.finish();
}

#[test]
fn hyperdual_second_derivative() {
    let mut c = Checker::new("HyperDual<f64>", RTOL_F64, 1e-300);
    for row in load() {
        let y = call(row.rule, HyperDual::variable(row.x));
        c.check(&row, "f", y.re, row.refs[0]);
        c.check(&row, "f' (e1)", y.e1, row.refs[1]);
        c.check(&row, "f' (e2)", y.e2, row.refs[1]);
        c.check(&row, "f''", y.e12, row.refs[2]);
    }
    c.finish();
}

#[test]
fn dual_of_dual_second_derivative() {
    let mut c = Checker::new("Dual<Dual<f64>>", RTOL_F64, 1e-300);
    for row in load() {
        let x = Dual::new(Dual::variable(row.x), Dual::constant(1.0));
        let y = call(row.rule, x);
        c.check(&row, "f", y.re.re, row.refs[0]);
        c.check(&row, "f' (inner)", y.re.eps, row.refs[1]);
        c.check(&row, "f' (outer)", y.eps.re, row.refs[1]);
        c.check(&row, "f''", y.eps.eps, row.refs[2]);
    }
    c.finish();
}

#[test]
fn dual_of_hyperdual_third_derivative() {
    let mut c = Checker::new("Dual<HyperDual<f64>>", RTOL_F64, 1e-300);
    for row in load() {
        let x = Dual::new(HyperDual::variable(row.x), HyperDual::constant(1.0));
        let y = call(row.rule, x);
        c.check(&row, "f", y.re.re, row.refs[0]);
        c.check(&row, "f'", y.re.e1, row.refs[1]);
        c.check(&row, "f''", y.re.e12, row.refs[2]);
        c.check(&row, "f'' (outer e1)", y.eps.e1, row.refs[2]);
        c.check(&row, "f'''", y.eps.e12, row.refs[3]);
    }
    c.finish();
}

#[test]
fn hyperdual_of_dual_third_derivative() {
    let mut c = Checker::new("HyperDual<Dual<f64>>", RTOL_F64, 1e-300);
    for row in load() {
        let one = Dual::constant(1.0);
        let x = HyperDual::new(Dual::variable(row.x), one, one, Dual::constant(0.0));
        let y = call(row.rule, x);
        c.check(&row, "f", y.re.re, row.refs[0]);
        c.check(&row, "f'", y.re.eps, row.refs[1]);
        c.check(&row, "f'' (e1.eps)", y.e1.eps, row.refs[2]);
        c.check(&row, "f''", y.e12.re, row.refs[2]);
        c.check(&row, "f'''", y.e12.eps, row.refs[3]);
    }
    c.finish();
}

#[test]
fn tape_first_second_third_derivative() {
    // Tape<f64>: the adjoint of x is f′. Tape<Dual<f64>> seeded with x + ε: the adjoint is
    // f′(x + ε) = f′ + f″ε. Tape<HyperDual<f64>> seeded with x + ε₁ + ε₂: the adjoint is
    // f′ + f″ε₁ + f″ε₂ + f‴ε₁ε₂ — the reverse rule differentiates f′ over the inner type.
    let mut c = Checker::new("Tape", RTOL_F64, 1e-300);
    for row in load() {
        let tape = Tape::new();
        let x = tape.var(row.x);
        let y = call(row.rule, x);
        c.check(&row, "f (Tape<f64>)", y.value(), row.refs[0]);
        c.check(&row, "f' (Tape<f64>)", tape.gradient(y).wrt(x), row.refs[1]);

        let tape = Tape::new();
        let x = tape.var(Dual::variable(row.x));
        let g = tape.gradient(call(row.rule, x)).wrt(x);
        c.check(&row, "f' (Tape<Dual>)", g.re, row.refs[1]);
        c.check(&row, "f'' (Tape<Dual>)", g.eps, row.refs[2]);

        let tape = Tape::new();
        let x = tape.var(HyperDual::variable(row.x));
        let y = call(row.rule, x);
        let g = tape.gradient(y).wrt(x);
        c.check(
            &row,
            "f'' (Tape<HyperDual> value)",
            y.value().e12,
            row.refs[2],
        );
        c.check(&row, "f' (Tape<HyperDual>)", g.re, row.refs[1]);
        c.check(&row, "f'' (Tape<HyperDual>)", g.e1, row.refs[2]);
        c.check(&row, "f''' (Tape<HyperDual>)", g.e12, row.refs[3]);
    }
    c.finish();
}

#[test]
fn generic_apply_agrees_with_named_methods() {
    // `apply(e)` and the named method must be the same function on every AD type.
    for row in load() {
        let x = HyperDual::variable(Dual::variable(row.x));
        assert_eq!(
            x.apply(row.rule),
            call(row.rule, x),
            "{}({})",
            row.name,
            row.x
        );
    }
}

#[test]
fn powi_coefficients_do_not_overflow() {
    // The coefficients n, n(n−1), n(n−1)(n−2) of large integer powers: the last exceeds the
    // i64 range once |n| ≥ 2 097 152. At x = 1 every power is 1, so f⁽ᵏ⁾ is the coefficient.
    for n in [3_000_000, -3_000_000, i32::MAX, i32::MIN + 3] {
        let [f, d1, d2, d3] = Elementary::Powi(n).eval(1.0_f64);
        let m = f64::from(n);
        let want = [1.0, m, m * (m - 1.0), m * (m - 1.0) * (m - 2.0)];
        for (k, (got, want)) in [f, d1, d2, d3].into_iter().zip(want).enumerate() {
            assert!(
                (got - want).abs() <= 1e-15 * want.abs(),
                "powi({n}) f^({k})(1): got {got:e}, want {want:e}"
            );
        }
    }
}

/// The engine's own `tanh` (branch-free, vectorisable) against libm over the whole range:
/// within 2 ulp in f64 (and exactly 1 beyond |x| = 20), special values preserved; the native
/// `f32` version within 1 ulp of libm's f64 `tanh` rounded to f32.
#[test]
fn fast_tanh_matches_libm() {
    use pinn::ad::tanh::{tanh, tanh_f32};
    let ulp = |a: f64, b: f64| (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs();
    let check = |x: f64| {
        let (ours, libm) = (tanh(x), x.tanh());
        let u = ulp(ours, libm);
        assert!(u <= 2, "tanh({x:e}) = {ours:e}, libm {libm:e}, {u} ulp");
    };
    let check32 = |x: f32| {
        let (ours, libm) = (tanh_f32(x), (x as f64).tanh() as f32);
        let u = (ours.to_bits() as i64 - libm.to_bits() as i64).unsigned_abs();
        assert!(u <= 1, "f32 tanh({x:e}) = {ours:e}, libm {libm:e}, {u} ulp");
        // what the engine uses for f32
        assert_eq!(pinn::ad::Scalar::tanh(x).to_bits(), ours.to_bits());
    };
    // a dense sweep, the branch boundary, tiny and huge arguments
    for i in -400_000..=400_000 {
        check(i as f64 * 5e-5);
        check32(i as f32 * 3e-5);
    }
    let specials = [
        0.625,
        0.625f64.next_down(),
        0.625f64.next_up(),
        1e-300,
        1e-20,
        1e-8,
        9.9,
        10.0,
        10.1,
        19.9,
        20.0,
        20.1,
        40.0,
        700.0,
        1e300,
    ];
    for &x in &specials {
        check(x);
        check(-x);
        check32(x as f32);
        check32(-x as f32);
    }
    // every f32 from 2⁻²⁰ to 16 at a stride of 61 bit patterns (about 2.3 million values)
    let (lo, hi) = ((2f32).powi(-20).to_bits(), 16f32.to_bits());
    for bits in (lo..hi).step_by(61) {
        check32(f32::from_bits(bits));
        check32(-f32::from_bits(bits));
    }
    for t in [tanh_f32(0.625), tanh_f32(0.625f32.next_down())] {
        assert!(t > 0.55 && t < 0.56);
    }
    assert_eq!(tanh(f64::INFINITY), 1.0);
    assert_eq!(tanh(f64::NEG_INFINITY), -1.0);
    assert!(tanh(f64::NAN).is_nan());
    assert!(tanh(-0.0).is_sign_negative() && tanh(-0.0) == 0.0);
    assert_eq!(tanh_f32(f32::INFINITY), 1.0);
    assert_eq!(tanh_f32(f32::NEG_INFINITY), -1.0);
    assert!(tanh_f32(f32::NAN).is_nan());
    assert!(tanh_f32(-0.0).is_sign_negative() && tanh_f32(-0.0) == 0.0);
}

/// `pinn::ad::erf::{erf, erfc, normal_cdf}` (Cody's rational approximations) against 50-digit
/// mpmath values (`tests/data/erf_refs.csv`, `scripts/gen_erf_refs.py`; 1595 points: a 0.01
/// grid over [−6, 6], a 0.25 grid to ±40, tiny arguments to 1e−300, both sides of every
/// interval break). Relative error within [`RTOL_ERF`] wherever the reference is a normal
/// number; below that (`erfc` past 26.5, `Φ` past −37.5) within a few subnormal ulps.
#[test]
fn erf_erfc_normal_cdf_match_mpmath() {
    use pinn::ad::erf::{erf, erfc, normal_cdf};
    let text = include_str!("data/erf_refs.csv");
    let mut worst = [(0.0_f64, 0.0_f64); 3];
    let mut failures = Vec::new();
    let mut n = 0;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.starts_with("x,") || line.is_empty() {
            continue;
        }
        let cols: Vec<f64> = line.split(',').map(|c| parse_f64(c, i + 1)).collect();
        let x = cols[0];
        n += 1;
        let got = [erf(x), erfc(x), normal_cdf(x)];
        for k in 0..3 {
            let want = cols[k + 1];
            let err = (got[k] - want).abs();
            let rel = if want.abs() >= f64::MIN_POSITIVE {
                err / want.abs()
            } else {
                0.0
            };
            if rel > worst[k].0 {
                worst[k] = (rel, x);
            }
            let ok = if want.abs() >= f64::MIN_POSITIVE {
                rel <= RTOL_ERF
            } else {
                err <= 64.0 * 4.9e-324
            };
            if !ok {
                let name = ["erf", "erfc", "normal_cdf"][k];
                failures.push(format!("{name}({x:e}) = {:e}, want {want:e}", got[k]));
            }
        }
    }
    assert!(n > 1500, "{n} rows");
    println!(
        "worst relative errors: erf {:.2e} at {}, erfc {:.2e} at {}, Φ {:.2e} at {}",
        worst[0].0, worst[0].1, worst[1].0, worst[1].1, worst[2].0, worst[2].1
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Relative tolerance of `erf`, `erfc` and `Φ` against mpmath: about 4.5 ulps.
const RTOL_ERF: f64 = 1e-15;

/// `abs` at its kink: every AD type takes the derivative `sgn 0 = 0` (the documented choice),
/// and the second and third derivatives vanish; away from 0 it is `±1`.
#[test]
fn abs_derivative_at_zero_is_zero() {
    for x0 in [0.0, -0.0] {
        let d = Dual::variable(x0).abs();
        assert_eq!((d.re, d.eps), (0.0, 0.0));
        let h = HyperDual::variable(x0).abs();
        assert_eq!((h.e1, h.e2, h.e12), (0.0, 0.0, 0.0));
        let tape = Tape::new();
        let x = tape.var(x0);
        assert_eq!(tape.gradient(x.abs()).wrt(x), 0.0);
        let dd = Dual::new(Dual::variable(x0), Dual::constant(1.0)).abs();
        assert_eq!((dd.re.eps, dd.eps.re, dd.eps.eps), (0.0, 0.0, 0.0));
        assert_eq!(Elementary::Abs.eval(x0), [0.0, x0, 0.0, 0.0]);
    }
    assert_eq!(Dual::variable(-2.5).abs().eps, -1.0);
    assert_eq!(Dual::variable(1e-300).abs().eps, 1.0);
}
