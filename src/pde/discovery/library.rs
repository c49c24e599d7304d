//! The library of candidate terms `Θ`.

use nalgebra::DMatrix;

use crate::ad::Scalar;
use crate::ad::jet::Component;
use crate::error::{Error, Result};

/// One candidate term: a product of powers of derivative values (of output 0), `Π_f v_f^{p_f}`;
/// no factor is the constant 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CandidateTerm {
    /// The printed name (`"u·u_x"`, `"u²"`, `"1"`).
    pub name: String,
    /// `(position in Library::components, power ≥ 1)` of each factor.
    pub factors: Vec<(usize, u32)>,
}

impl CandidateTerm {
    /// The term's value `Π_f v(f)^{p_f}`, `v(f)` the value of component `f` (its position in
    /// [`Library::components`]), in any scalar type: on plain numbers for the library matrix,
    /// on dual numbers inside a residual whose coefficients are trained. Each power is a
    /// product of its factor (`x·x` for `x²`).
    pub fn value<S: Scalar>(&self, v: impl Fn(usize) -> S) -> S {
        self.factors.iter().fold(S::one(), |acc, &(f, p)| {
            let x = v(f);
            acc * (1..p).fold(x, |a, _| a * x)
        })
    }
}

/// Candidate terms over a list of derivative components, and their values at points. See the
/// [module documentation](super).
#[derive(Clone, Debug, PartialEq)]
pub struct Library {
    comps: Vec<Component>,
    names: Vec<String>,
    terms: Vec<CandidateTerm>,
}

/// `v^p` written `v`, `v²`, `v³` or `v^p`.
fn power_name(name: &str, p: u32) -> String {
    match p {
        1 => name.to_string(),
        2 => format!("{name}²"),
        3 => format!("{name}³"),
        _ => format!("{name}^{p}"),
    }
}

impl Library {
    /// A library over `components` (named `names`, one each) with the given terms.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] for a name count that does not match, a factor outside the
    /// components, a zero power, or no terms.
    pub fn new(
        components: &[Component],
        names: &[&str],
        terms: Vec<CandidateTerm>,
    ) -> Result<Self> {
        let bad = |reason: String| Error::InvalidConfig {
            field: "discovery.library",
            reason,
        };
        if components.len() != names.len() {
            return Err(bad(format!(
                "{} components but {} names",
                components.len(),
                names.len()
            )));
        }
        if terms.is_empty() {
            return Err(bad("no candidate terms".into()));
        }
        for t in &terms {
            if let Some(&(f, p)) = t
                .factors
                .iter()
                .find(|&&(f, p)| f >= components.len() || p == 0)
            {
                return Err(bad(format!(
                    "term `{}`: factor {f} with power {p} (needs a component index below {} and a power ≥ 1)",
                    t.name,
                    components.len()
                )));
            }
        }
        Ok(Library {
            comps: components.to_vec(),
            names: names.iter().map(|s| s.to_string()).collect(),
            terms,
        })
    }

    /// PDE-FIND's polynomial library: every product `u^p · D` for `p = 0 … max_power` and `D`
    /// in `1` and the given derivatives (named `names`), in the order `1, u, u², …, D₁, u·D₁,
    /// u²·D₁, …`. The components are `u` then the derivatives.
    ///
    /// # Errors
    ///
    /// As [`Library::new`]; `derivatives` containing [`Component::Value`].
    pub fn polynomial(derivatives: &[Component], names: &[&str], max_power: u32) -> Result<Self> {
        if derivatives.contains(&Component::Value) {
            return Err(Error::InvalidConfig {
                field: "discovery.library",
                reason: "u is always a component of the polynomial library; list derivatives only"
                    .into(),
            });
        }
        let mut comps = vec![Component::Value];
        comps.extend_from_slice(derivatives);
        let mut all_names = vec!["u"];
        all_names.extend_from_slice(names);
        let mut terms = Vec::new();
        for d in 0..=derivatives.len() {
            for p in 0..=max_power {
                let mut factors = Vec::new();
                let mut parts = Vec::new();
                if p > 0 {
                    factors.push((0, p));
                    parts.push(power_name("u", p));
                }
                if d > 0 {
                    factors.push((d, 1));
                    parts.push(names.get(d - 1).copied().unwrap_or("?").to_string());
                }
                let name = if parts.is_empty() {
                    "1".to_string()
                } else {
                    parts.join("·")
                };
                terms.push(CandidateTerm { name, factors });
            }
        }
        Library::new(&comps, &all_names, terms)
    }

    /// The derivative components the terms read (for output 0), in the order
    /// [`Library::evaluate`] expects them.
    pub fn components(&self) -> Vec<Component> {
        self.comps.clone()
    }
    /// The components' names.
    pub fn component_names(&self) -> &[String] {
        &self.names
    }
    /// The candidate terms, in column order.
    pub fn terms(&self) -> &[CandidateTerm] {
        &self.terms
    }

    /// `Θ`: one row per point, one column per term, from `values` holding
    /// [`Library::components`] at every point, point-major (the layout of
    /// [`Model::forward`](crate::model::Model::forward) for one output).
    ///
    /// # Errors
    ///
    /// [`Error::DimensionMismatch`] unless `values` holds whole points; [`Error::InvalidConfig`]
    /// for a non-finite value.
    pub fn evaluate(&self, values: &[f64]) -> Result<DMatrix<f64>> {
        let c = self.comps.len();
        if values.is_empty() || !values.len().is_multiple_of(c) {
            return Err(Error::DimensionMismatch {
                what: "library values (points × components)",
                expected: values.len().div_ceil(c).max(1) * c,
                found: values.len(),
            });
        }
        if values.iter().any(|v| !v.is_finite()) {
            return Err(Error::InvalidConfig {
                field: "discovery.values",
                reason: "every derivative value must be finite".into(),
            });
        }
        let n = values.len() / c;
        Ok(DMatrix::from_fn(n, self.terms.len(), |p, j| {
            let v = &values[p * c..(p + 1) * c];
            self.terms[j].value(|f| v[f])
        }))
    }

    /// The equation `Σ ξ_j · term_j` with the coefficients above `threshold` in magnitude,
    /// each to six significant digits: `"-1 u·u_x + 0.00318 u_xx"`.
    pub fn describe(&self, xi: &[f64], threshold: f64) -> String {
        let parts: Vec<String> = self
            .terms
            .iter()
            .zip(xi)
            .filter(|(_, c)| c.abs() > threshold)
            .map(|(t, &c)| format!("{} {}", significant(c, 6), t.name))
            .collect();
        if parts.is_empty() {
            "0".into()
        } else {
            parts.join(" + ")
        }
    }
}

/// `x` to `digits` significant digits, trailing zeros dropped (`-1`, `0.1`, `0.00318310`→`0.0031831`).
fn significant(x: f64, digits: i32) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let decimals = (digits - 1 - x.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}
