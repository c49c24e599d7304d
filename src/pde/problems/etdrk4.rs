//! Exponential time differencing with a fourth-order Runge–Kutta stage (ETDRK4) for stiff
//! systems `ċ = L c + N(c)` whose linear part `L` is diagonal.

use crate::error::{Error, Result};

/// Below this `|z|` the φ-functions are summed as Taylor series ([`phi`]).
pub const PHI_SERIES_RADIUS: f64 = 1.0;

/// Terms of the Taylor series in [`phi_series`]: for `|z| ≤ 2` the first omitted term is below
/// `2³⁰/31! ≈ 1e−25`.
const SERIES_TERMS: usize = 30;

/// `[φ₁(z), φ₂(z), φ₃(z)]`, the φ-functions of exponential integrators,
///
/// `φ₁(z) = (eᶻ − 1)/z`, `φ₂(z) = (eᶻ − 1 − z)/z²`, `φ₃(z) = (eᶻ − 1 − z − z²/2)/z³`
///
/// (`φ_k(0) = 1/k!`): by their Taylor series `φ_k(z) = Σ_{m≥0} z^m/(m + k)!` for
/// `|z| <` [`PHI_SERIES_RADIUS`] ([`phi_series`]), where the closed forms lose digits to
/// cancellation (`φ₃`'s numerator is `z³/6 + …`, each of its terms of size ~1), and by the
/// closed forms with `eᶻ − 1` from `expm1` beyond ([`phi_closed`]). Both agree to ~1e−15
/// relative at the switch (`tests/allen_cahn.rs`).
///
/// ```
/// use pinn::pde::problems::etdrk4::phi;
/// let e = (-1.0_f64).exp();
/// let [p1, p2, p3] = phi(-1.0); // 1 − 1/e, 1/e, 1/2 − 1/e
/// assert!((p1 - (1.0 - e)).abs() < 1e-16 && (p2 - e).abs() < 1e-16);
/// assert!((p3 - (0.5 - e)).abs() < 1e-16);
/// assert_eq!(phi(0.0), [1.0, 0.5, 1.0 / 6.0]);
/// ```
pub fn phi(z: f64) -> [f64; 3] {
    if z.abs() < PHI_SERIES_RADIUS {
        phi_series(z)
    } else {
        phi_closed(z)
    }
}

/// The Taylor series of [`phi`], `φ_k(z) = Σ_{m=0}^{29} z^m/(m + k)!` by Horner's rule;
/// accurate for `|z| ≲ 2`.
pub fn phi_series(z: f64) -> [f64; 3] {
    let mut out = [0.0; 3];
    for (k, o) in out.iter_mut().enumerate() {
        let k = k + 1;
        // Horner: Σ_m z^m/(m+k)! = (1/k!)(1 + z/(k+1)(1 + z/(k+2)(1 + …))).
        let mut acc = 1.0;
        for m in (1..SERIES_TERMS).rev() {
            acc = 1.0 + z * acc / (m + k) as f64;
        }
        let fact: f64 = (1..=k).map(|j| j as f64).product();
        *o = acc / fact;
    }
    out
}

/// The closed forms of [`phi`], with `eᶻ − 1` from `expm1`; accurate for `|z| ≳ 1` (`NaN` at
/// `z = 0`).
pub fn phi_closed(z: f64) -> [f64; 3] {
    let e = z.exp_m1();
    let z2 = z * z;
    [e / z, (e - z) / z2, (e - z - 0.5 * z2) / (z2 * z)]
}

/// One ETDRK4 step of size `h` for `ċ = L c + N(c)` with `L = diag(ℓ_i)`, in the form of
/// Cox & Matthews (J. Comput. Phys. 176, 2002) as written by Kassam & Trefethen (SIAM J.
/// Sci. Comput. 26, 2005, eqs. 2.5), with `z_i = h ℓ_i` and the φ-functions of [`phi`]:
///
/// ```text
/// a = e^{z/2} c + (h/2) φ₁(z/2) N(c)
/// b = e^{z/2} c + (h/2) φ₁(z/2) N(a)
/// d = e^{z/2} a + (h/2) φ₁(z/2) (2 N(b) − N(c))
/// c⁺ = eᶻ c + h [ (φ₁ − 3φ₂ + 4φ₃) N(c) + (2φ₂ − 4φ₃) (N(a) + N(b)) + (4φ₃ − φ₂) N(d) ]
/// ```
///
/// (φ's at `z`). The linear part is integrated exactly, so stiff decaying modes (`z ≪ −1`)
/// need no small step; the scheme is fourth order in `h` for the nonlinear part.
///
/// ```
/// use pinn::pde::problems::etdrk4::Etdrk4;
/// // ċ = −c + c², c(0) = 1/2: c(t) = 1/(1 + eᵗ).
/// let step = Etdrk4::new(&[-1.0], 0.1)?;
/// let mut c = vec![0.5];
/// for _ in 0..10 {
///     step.step(&mut c, |c, n| { n[0] = c[0] * c[0]; Ok(()) })?;
/// }
/// assert!((c[0] - 1.0 / (1.0 + 1f64.exp())).abs() < 1e-7);
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Etdrk4 {
    h: f64,
    e_half: Vec<f64>,
    p_half: Vec<f64>,
    e_full: Vec<f64>,
    b1: Vec<f64>,
    b23: Vec<f64>,
    b4: Vec<f64>,
}

impl Etdrk4 {
    /// The step of size `h > 0` for the diagonal linear part `ℓ` (finite entries, with
    /// `h ℓ_i ≤ 700` so that `e^{h ℓ_i}` is finite).
    pub fn new(rates: &[f64], h: f64) -> Result<Self> {
        if !(h.is_finite() && h > 0.0) {
            return Err(Error::InvalidConfig {
                field: "etdrk4.h",
                reason: format!("must be finite and > 0, found {h}"),
            });
        }
        if let Some(l) = rates.iter().find(|l| !(l.is_finite() && *l * h <= 700.0)) {
            return Err(Error::InvalidConfig {
                field: "etdrk4.rates",
                reason: format!("need finite rates with h·rate ≤ 700, found {l} (h = {h})"),
            });
        }
        let n = rates.len();
        let mut s = Etdrk4 {
            h,
            e_half: Vec::with_capacity(n),
            p_half: Vec::with_capacity(n),
            e_full: Vec::with_capacity(n),
            b1: Vec::with_capacity(n),
            b23: Vec::with_capacity(n),
            b4: Vec::with_capacity(n),
        };
        for &l in rates {
            let z = h * l;
            s.e_half.push((0.5 * z).exp());
            s.p_half.push(0.5 * h * phi(0.5 * z)[0]);
            s.e_full.push(z.exp());
            let [p1, p2, p3] = phi(z);
            s.b1.push(h * (p1 - 3.0 * p2 + 4.0 * p3));
            s.b23.push(h * (2.0 * p2 - 4.0 * p3));
            s.b4.push(h * (4.0 * p3 - p2));
        }
        Ok(s)
    }

    /// The step size `h`.
    pub fn h(&self) -> f64 {
        self.h
    }
    /// Number of unknowns.
    pub fn len(&self) -> usize {
        self.e_full.len()
    }
    /// Whether the system is empty.
    pub fn is_empty(&self) -> bool {
        self.e_full.is_empty()
    }

    /// Advances `c` by one step; `nonlinear(c, out)` writes `N(c)` to `out` (both of length
    /// [`Etdrk4::len`]). Errors: `c` of the wrong length; the errors of `nonlinear`.
    pub fn step(
        &self,
        c: &mut [f64],
        mut nonlinear: impl FnMut(&[f64], &mut [f64]) -> Result<()>,
    ) -> Result<()> {
        let n = self.len();
        crate::error::check_len("etdrk4 state", n, c.len())?;
        let mut nc = vec![0.0; n];
        nonlinear(c, &mut nc)?;
        let a: Vec<f64> = (0..n)
            .map(|i| self.e_half[i] * c[i] + self.p_half[i] * nc[i])
            .collect();
        let mut na = vec![0.0; n];
        nonlinear(&a, &mut na)?;
        let b: Vec<f64> = (0..n)
            .map(|i| self.e_half[i] * c[i] + self.p_half[i] * na[i])
            .collect();
        let mut nb = vec![0.0; n];
        nonlinear(&b, &mut nb)?;
        let d: Vec<f64> = (0..n)
            .map(|i| self.e_half[i] * a[i] + self.p_half[i] * (2.0 * nb[i] - nc[i]))
            .collect();
        let mut nd = vec![0.0; n];
        nonlinear(&d, &mut nd)?;
        for i in 0..n {
            c[i] = self.e_full[i] * c[i]
                + self.b1[i] * nc[i]
                + self.b23[i] * (na[i] + nb[i])
                + self.b4[i] * nd[i];
        }
        Ok(())
    }
}
