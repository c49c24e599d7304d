//! The error function `erf`, its complement `erfc` and the standard normal distribution
//! function `Φ`, in pure Rust (the standard library has none of them).
//!
//! `erf x = (2/√π) ∫₀ˣ e^{−t²} dt`, `erfc x = 1 − erf x`, `Φ(x) = ½ erfc(−x/√2)`.
//!
//! The method is W. J. Cody's, *Rational Chebyshev approximations for the error function*,
//! Math. Comp. 23 (1969) 631–637, with the coefficients of his Fortran routine `CALERF`
//! (netlib `specfun`), which carry the approximations to about 18 significant digits:
//!
//! | `\|x\|` | approximation |
//! |---|---|
//! | `≤ 0.46875` | `erf x = x·P₄(x²)/Q₄(x²)` |
//! | `(0.46875, 4]` | `erfc x = e^{−x²}·P₈(x)/Q₈(x)` |
//! | `> 4` | `erfc x = e^{−x²}/x·(1/√π − z·P₅(z)/Q₅(z))`, `z = 1/x²` |
//!
//! Two details keep the relative error of `erfc` at a few ulps far into its tail: `e^{−x²}` is
//! evaluated as `e^{−s²}·e^{−(x−s)(x+s)}` with `s = ⌊16x⌋/16` (so `s²` is exact and the rounding
//! of `x²`, which would cost `x²` ulps, never happens), and `erfc(x)` for negative `x` is
//! `2 − erfc(−x)`. `Φ` applies the same split to `e^{−x²/2}` directly in `x`, so the rounding
//! of `x/√2` does not reach its tail either.
//!
//! `tests/rules.rs` checks all three against 50-digit mpmath values (`tests/data/erf_refs.csv`,
//! from `scripts/gen_erf_refs.py`) over `[−30, 30]`, tiny arguments and the interval breaks.
//!
//! ```
//! use pinn::ad::erf::{erf, erfc, normal_cdf};
//! assert_eq!(erf(0.0), 0.0);
//! assert!((erf(0.5) - 0.520_499_877_813_046_5).abs() < 1e-16);
//! assert!((erfc(10.0) / 2.088487583762545e-45 - 1.0).abs() < 1e-15);
//! assert!((normal_cdf(-1.0) - 0.158_655_253_931_457_05).abs() < 1e-16);
//! ```

use core::f64::consts::FRAC_1_SQRT_2;

/// `1/√π`.
const FRAC_1_SQRT_PI: f64 = 0.564_189_583_547_756_3;

/// `erf x = x·P(x²)/Q(x²)` on `|x| ≤ 0.46875`: numerator coefficients, highest power first.
const P_SMALL: [f64; 5] = [
    0.18577770618460315,
    3.1611237438705655,
    113.86415415105016,
    377.485237685302,
    3209.3775891384694,
];
/// Denominator (monic, highest power first after the implicit 1).
const Q_SMALL: [f64; 4] = [
    23.601290952344122,
    244.02463793444417,
    1282.6165260773723,
    2844.236833439171,
];
/// `erfc x·e^{x²} = P(x)/Q(x)` on `(0.46875, 4]`: numerator, highest power first.
const P_MID: [f64; 9] = [
    2.1531153547440383e-08,
    0.5641884969886701,
    8.883149794388377,
    66.11919063714163,
    298.6351381974001,
    881.952221241769,
    1712.0476126340707,
    2051.0783778260716,
    1230.3393547979972,
];
/// Denominator (monic).
const Q_MID: [f64; 8] = [
    15.744926110709835,
    117.6939508913125,
    537.1811018620099,
    1621.3895745666903,
    3290.7992357334597,
    4362.619090143247,
    3439.3676741437216,
    1230.3393548037495,
];
/// `erfc x·x·e^{x²} = 1/√π − z·P(z)/Q(z)`, `z = 1/x²`, on `x > 4`: numerator.
const P_LARGE: [f64; 6] = [
    0.016315387137302097,
    0.30532663496123236,
    0.36034489994980445,
    0.12578172611122926,
    0.016083785148742275,
    0.0006587491615298378,
];
/// Denominator (monic).
const Q_LARGE: [f64; 5] = [
    2.568520192289822,
    1.8729528499234604,
    0.5279051029514285,
    0.06051834131244132,
    0.0023352049762686918,
];

/// Beyond this, `erfc x` is below the smallest subnormal number (`erfc 27.3 ≈ 4e−326`).
const ERFC_UNDERFLOW: f64 = 27.3;

/// `p[0]·tⁿ + p[1]·tⁿ⁻¹ + … + p[n]` (Horner).
#[inline]
fn poly(p: &[f64], t: f64) -> f64 {
    p.iter().fold(0.0, |acc, &c| acc * t + c)
}

/// `tⁿ + q[0]·tⁿ⁻¹ + … + q[n−1]`.
#[inline]
fn monic(q: &[f64], t: f64) -> f64 {
    q.iter().fold(1.0, |acc, &c| acc * t + c)
}

/// `e^{−a·x²}` for `a ∈ {1, ½}` without rounding `x²`: with `s = ⌊16x⌋/16` (exact square),
/// `x² = s² + (x − s)(x + s)`.
#[inline]
fn exp_neg_sq(x: f64, a: f64) -> f64 {
    let s = (16.0 * x).trunc() / 16.0;
    (-a * s * s).exp() * (-a * (x - s) * (x + s)).exp()
}

/// `erfc(y)·e^{y²}` for `y > 0.46875` (Cody's second and third approximations).
#[inline]
fn erfcx_tail(y: f64) -> f64 {
    if y <= 4.0 {
        poly(&P_MID, y) / monic(&Q_MID, y)
    } else {
        let z = 1.0 / (y * y);
        (FRAC_1_SQRT_PI - z * poly(&P_LARGE, z) / monic(&Q_LARGE, z)) / y
    }
}

/// `erf x` for `|x| ≤ 0.46875`.
#[inline]
fn erf_small(x: f64) -> f64 {
    let t = x * x;
    x * poly(&P_SMALL, t) / monic(&Q_SMALL, t)
}

/// `erfc y` for `y > 0.46875`.
#[inline]
fn erfc_tail(y: f64) -> f64 {
    if y >= ERFC_UNDERFLOW {
        0.0
    } else {
        erfcx_tail(y) * exp_neg_sq(y, 1.0)
    }
}

/// The error function `erf x = (2/√π) ∫₀ˣ e^{−t²} dt`, odd, in `[−1, 1]`; `NaN` for `NaN`.
pub fn erf(x: f64) -> f64 {
    let y = x.abs();
    if y <= 0.46875 {
        erf_small(x)
    } else if y.is_nan() {
        x
    } else {
        // erfc(y) < 2⁻⁵⁴ beyond y ≈ 5.9: then 1 − erfc(y) rounds to 1.
        let e = 1.0 - erfc_tail(y);
        if x < 0.0 { -e } else { e }
    }
}

/// The complementary error function `erfc x = 1 − erf x`, accurate to a few ulps relative
/// also where it is tiny (`erfc 26 ≈ 5.7e−296`); `NaN` for `NaN`.
pub fn erfc(x: f64) -> f64 {
    let y = x.abs();
    if y <= 0.46875 {
        1.0 - erf_small(x)
    } else if y.is_nan() {
        x
    } else if x > 0.0 {
        erfc_tail(y)
    } else {
        2.0 - erfc_tail(y)
    }
}

/// The standard normal distribution function `Φ(x) = ½ erfc(−x/√2) = ½(1 + erf(x/√2))`,
/// accurate to a few ulps relative in its lower tail too (`Φ(−37) ≈ 5.7e−300`); `NaN` for
/// `NaN`.
pub fn normal_cdf(x: f64) -> f64 {
    let y = -x * FRAC_1_SQRT_2; // Φ(x) = ½ erfc(y)
    let ya = y.abs();
    if ya <= 0.46875 {
        0.5 - 0.5 * erf_small(y)
    } else if ya.is_nan() {
        x
    } else {
        // ½ erfcx(|y|)·e^{−x²/2}, the exponential split in x itself.
        let tail = if ya >= ERFC_UNDERFLOW {
            0.0
        } else {
            0.5 * erfcx_tail(ya) * exp_neg_sq(x.abs(), 0.5)
        };
        if y > 0.0 { tail } else { 1.0 - tail }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_values_and_symmetry() {
        assert_eq!(erf(0.0), 0.0);
        assert!(erf(-0.0).is_sign_negative());
        assert_eq!(erf(f64::INFINITY), 1.0);
        assert_eq!(erf(f64::NEG_INFINITY), -1.0);
        assert_eq!(erfc(f64::INFINITY), 0.0);
        assert_eq!(erfc(f64::NEG_INFINITY), 2.0);
        assert_eq!(normal_cdf(f64::INFINITY), 1.0);
        assert_eq!(normal_cdf(f64::NEG_INFINITY), 0.0);
        assert_eq!(normal_cdf(0.0), 0.5);
        assert!(erf(f64::NAN).is_nan() && erfc(f64::NAN).is_nan());
        assert!(normal_cdf(f64::NAN).is_nan());
        for i in 0..2000 {
            let x = i as f64 * 0.004;
            assert_eq!(erf(-x), -erf(x));
            // Beyond 0.46875 erfc(−x) is computed as 2 − erfc(x); below, both sides are
            // 1 ± erf(x), rounded differently.
            let (a, b) = (erfc(-x), 2.0 - erfc(x));
            if x > 0.46875 {
                assert_eq!(a, b);
            } else {
                assert!((a - b).abs() <= 2.0 * f64::EPSILON, "{x}: {a} vs {b}");
            }
        }
    }
}
