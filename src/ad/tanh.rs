//! A branch-free `tanh` for the batched engine, accurate to a couple of ulp.
//!
//! libm's `tanh` is a function call per element that the compiler cannot vectorise; in the jet
//! engine it was a sixth of a training step. This version is plain arithmetic and bit
//! manipulation, so the activation loop vectorises:
//!
//! - `|x| < 0.625`: `tanh x = x + x·z·P(z)/Q(z)`, `z = x²`, with the (3, 3) rational
//!   approximation of the Cephes library (Moshier 1989);
//! - otherwise `tanh |x| = 1 − 2/(e^{2|x|} + 1)` with `|x|` capped at 20 (where tanh is 1 to
//!   double precision), and `e^y` computed by Cody–Waite reduction `y = n ln 2 + r`,
//!   `|r| ≤ ln2/2`, a degree-13 Taylor polynomial for `e^r` and `2ⁿ` built from its bits.
//!
//! Both branches are computed and one is selected, so there is no data-dependent branch; the
//! operands of the one division are selected first, so each element costs one division.
//!
//! [`tanh_f32`] is the same scheme in `f32` arithmetic (Cephes' `tanhf` polynomial below
//! 0.625, a degree-7 `e^r`), so that the `f32` loop runs at twice the SIMD width of the `f64`
//! one. Tested against libm over the whole range (`tests/rules.rs`): `tanh` within 2 ulp of
//! libm's, `tanh_f32` within 1 ulp of libm's `f64` value rounded to `f32`.

/// `e^y` for `|y| ≤ 41` (what [`tanh`] needs), to about 1 ulp.
#[inline(always)]
fn exp_bounded(y: f64) -> f64 {
    const LOG2E: f64 = core::f64::consts::LOG2_E;
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    // 1.5·2⁵²: adding it rounds to an integer, which then sits in the low mantissa bits.
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    let t = y * LOG2E + SHIFT;
    let n = t - SHIFT;
    let r = (y - n * LN2_HI) - n * LN2_LO;
    // e^r by the Taylor series to r¹³ (|r| ≤ 0.347: truncation < 1e-17), evaluated by
    // Estrin's scheme: pairs, then powers r², r⁴, r⁸, so the dependency chain is 5 steps
    // deep instead of Horner's 13 (the loop over elements is latency-bound otherwise).
    const C: [f64; 14] = [
        1.0,
        1.0,
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5040.0,
        1.0 / 40320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
        1.0 / 6_227_020_800.0,
    ];
    let (r2, p) = (r * r, |i: usize| C[i] + C[i + 1] * r);
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let p0_7 = (p(0) + p(2) * r2) + (p(4) + p(6) * r2) * r4;
    let p8_13 = (p(8) + p(10) * r2) + p(12) * r4;
    let p = p0_7 + p8_13 * r8;
    // 2ⁿ from the integer in t's low bits (|n| ≤ 60, so the exponent field cannot overflow).
    let n_bits = t.to_bits().wrapping_sub(SHIFT.to_bits());
    let two_n = f64::from_bits(n_bits.wrapping_add(1023) << 52);
    p * two_n
}

/// `tanh x` in `f64`, within a few ulp of the correctly rounded value; `tanh(±∞) = ±1`,
/// `tanh(NaN) = NaN`, `tanh(−0) = −0`.
#[inline(always)]
pub fn tanh(x: f64) -> f64 {
    // Cephes tanh.c coefficients, as published.
    #[allow(clippy::excessive_precision)]
    const P: [f64; 3] = [
        -9.643_991_794_250_522_386_28e-1,
        -9.928_772_310_019_185_865_64e1,
        -1.614_687_684_417_084_479_52e3,
    ];
    #[allow(clippy::excessive_precision)]
    const Q: [f64; 3] = [
        1.128_116_784_916_329_314_02e2,
        2.235_488_390_601_004_485_83e3,
        4.844_063_053_251_254_860_48e3,
    ];
    let a = x.abs();
    // Small |x|: a + a·z·P(z)/Q(z), z = a².
    let z = a * a;
    let num = (P[0] * z + P[1]) * z + P[2];
    let den = ((z + Q[0]) * z + Q[1]) * z + Q[2];
    // Large |x|: 1 − 2/(e + 1), e = e^{2|x|}. (`a > 20` is false for NaN, which therefore
    // stays NaN.)
    let capped = if a > 20.0 { 20.0 } else { a };
    let e = exp_bounded(2.0 * capped);
    // One division serves whichever branch applies.
    let small = a < 0.625;
    let q = if small { num } else { 2.0 } / if small { den } else { e + 1.0 };
    let t = if small { a + a * z * q } else { 1.0 - q };
    // tanh is odd: the sign is x's (this also keeps tanh(−0) = −0).
    t.copysign(x)
}

/// `e^y` in `f32` for `|y| ≤ 20` (what [`tanh_f32`] needs), to well under 1 ulp of `f32`
/// before the final rounding: Cody–Waite reduction and a degree-7 Taylor polynomial
/// (`|r| ≤ ln2/2`: truncation < 6e-9).
#[inline(always)]
fn exp_bounded_f32(y: f32) -> f32 {
    const LOG2E: f32 = core::f32::consts::LOG2_E;
    // ln 2 split so that n·LN2_HI is exact for |n| < 2⁹.
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // 1.5·2²³: adding it rounds to an integer held in the low mantissa bits.
    const SHIFT: f32 = 12_582_912.0;
    let t = y * LOG2E + SHIFT;
    let n = t - SHIFT;
    let r = (y - n * LN2_HI) - n * LN2_LO;
    const C: [f32; 8] = [
        1.0,
        1.0,
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5040.0,
    ];
    // Estrin's scheme, as in `exp_bounded`.
    let (r2, p) = (r * r, |i: usize| C[i] + C[i + 1] * r);
    let p = (p(0) + p(2) * r2) + (p(4) + p(6) * r2) * (r2 * r2);
    let n_bits = t.to_bits().wrapping_sub(SHIFT.to_bits());
    let two_n = f32::from_bits(n_bits.wrapping_add(127) << 23);
    p * two_n
}

/// `tanh x` in `f32` arithmetic, within 1 ulp of the correctly rounded value on the tested
/// sweep; `tanh(±∞) = ±1`,
/// `tanh(NaN) = NaN`, `tanh(−0) = −0`.
#[inline(always)]
pub fn tanh_f32(x: f32) -> f32 {
    // Cephes tanhf.c: tanh a = a + a·z·P(z) for a < 0.625, z = a².
    #[allow(clippy::excessive_precision)]
    const P: [f32; 5] = [
        -5.704_988_727_45e-3,
        2.063_908_879_54e-2,
        -5.373_971_555_31e-2,
        1.333_144_220_36e-1,
        -3.333_328_194_22e-1,
    ];
    let a = x.abs();
    let z = a * a;
    let p = (((P[0] * z + P[1]) * z + P[2]) * z + P[3]) * z + P[4];
    let small = a + a * z * p;
    // tanh 10 = 1 − 4e-9 rounds to 1 in f32; `a > 10` is false for NaN.
    let capped = if a > 10.0 { 10.0 } else { a };
    let large = 1.0 - 2.0 / (exp_bounded_f32(2.0 * capped) + 1.0);
    let t = if a < 0.625 { small } else { large };
    t.copysign(x)
}
