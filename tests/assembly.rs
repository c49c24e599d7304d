//! The loss assembly: its gradient against central differences (network parameters and a
//! trainable PDE coefficient, every condition kind), bitwise determinism across thread counts,
//! and typed errors for undeclared derivatives, non-finite losses and derivative conditions
//! on directions the inputs do not have.

use pinn::Error;
use pinn::ad::jet::{Component, Graph};
use pinn::ad::{Elementary, Scalar};
use pinn::pde::{Condition, Fields, Pde, Residuals};
use pinn::rng::{Seed, uniform};
use pinn::train::{Assembly, Term, TermKind};

/// `k·Δu + u_x·u − f = 0` in 2-D with a trainable `k`.
struct Toy;
impl Pde for Toy {
    fn dim(&self) -> usize {
        2
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::Value, Component::First(0), Component::Laplacian]
    }
    fn residual<S: Scalar>(&self, x: &[S], u: &Fields<'_, S>, c: &[S], r: &mut Residuals<'_, S>) {
        r[0] = c[0] * u.lap(0) + u.d(0, 0) * u.u(0) - x[0] * x[1];
    }
    fn coefficients(&self) -> Vec<f64> {
        vec![0.7]
    }
}

/// Reads a derivative it did not declare.
struct Sloppy;
impl Pde for Sloppy {
    fn dim(&self) -> usize {
        2
    }
    fn components(&self) -> Vec<Component> {
        vec![Component::Value]
    }
    fn residual<S: Scalar>(&self, _x: &[S], u: &Fields<'_, S>, _c: &[S], r: &mut Residuals<'_, S>) {
        r[0] = u.u(0) + u.d2(0, 1, 1);
    }
}

fn pts(seed: u64, n: usize) -> Vec<f64> {
    let mut rng = Seed(seed).rng();
    (0..2 * n).map(|_| uniform(&mut rng)).collect()
}

fn terms() -> Vec<Term> {
    let term = |name: &str, kind, points, normals, partners| Term {
        name: name.into(),
        kind,
        weight: 1.3,
        points,
        normals,
        partners,
    };
    let n = 40;
    let edge: Vec<f64> = (0..n).flat_map(|i| [0.0, i as f64 / n as f64]).collect();
    let right: Vec<f64> = (0..n).flat_map(|i| [1.0, i as f64 / n as f64]).collect();
    let normals: Vec<f64> = (0..n).flat_map(|_| [-1.0, 0.0]).collect();
    vec![
        term("pde", TermKind::Pde, pts(1, 300), vec![], vec![]),
        term(
            "dirichlet",
            TermKind::Condition(Condition::dirichlet(0, |x| x[1].sin())),
            pts(2, 50),
            vec![],
            vec![],
        ),
        term(
            "neumann",
            TermKind::Condition(Condition::neumann(0, |x| x[1])),
            edge.clone(),
            normals.clone(),
            vec![],
        ),
        term(
            "robin",
            TermKind::Condition(Condition::robin(0, 0.5, 2.0, |_| 1.0)),
            edge.clone(),
            normals,
            vec![],
        ),
        term(
            "periodic",
            TermKind::Condition(Condition::Periodic { output: 0 }),
            edge.clone(),
            vec![],
            right.clone(),
        ),
        term(
            "periodic_ux",
            TermKind::Condition(Condition::periodic_derivative(0, Component::First(0))),
            edge,
            vec![],
            right,
        ),
        term(
            "rate",
            TermKind::Condition(Condition::initial_rate(0, |x| x[0])),
            pts(3, 30),
            vec![],
            vec![],
        ),
        term(
            "data",
            TermKind::Condition(Condition::data(0, &[0.1; 25])),
            pts(4, 25),
            vec![],
            vec![],
        ),
        term(
            "moment",
            TermKind::Condition(Condition::derivative(0, Component::Second(0, 1), |x| x[0])),
            pts(6, 20),
            vec![],
            vec![],
        ),
        term(
            "fourth",
            TermKind::Condition(Condition::derivative(
                0,
                Component::Fourth(1, 0, 0, 1),
                |_| 0.3,
            )),
            pts(7, 20),
            vec![],
            vec![],
        ),
    ]
}

fn setup(threads: usize, chunk: usize) -> (Assembly<Toy, f64>, Vec<f64>) {
    let g = Graph::mlp(&[2, 16, 16, 1], Elementary::Tanh).unwrap();
    let mut params: Vec<f64> = g.init_params(Seed(5));
    params.push(0.7);
    (
        Assembly::new(g, Toy, terms(), chunk, threads).unwrap(),
        params,
    )
}

#[test]
fn gradient_matches_finite_differences() {
    let (mut a, params) = setup(1, 64);
    let n = a.n_params();
    let mut grad = vec![0.0; n];
    let report = a.eval(&params, &mut grad, 0).unwrap();
    assert_eq!(report.terms.len(), 10);
    assert!(report.terms.iter().all(|&l| l > 0.0), "{:?}", report.terms);
    let mut g2 = vec![0.0; n];
    let h = 1e-6;
    let mut rng = Seed(9).rng();
    let mut idx: Vec<usize> = (0..20)
        .map(|_| (uniform(&mut rng) * n as f64) as usize)
        .collect();
    idx.push(n - 1); // the PDE coefficient
    for j in idx {
        let (mut p, mut m) = (params.clone(), params.clone());
        p[j] += h;
        m[j] -= h;
        let fd = (a.eval(&p, &mut g2, 0).unwrap().total - a.eval(&m, &mut g2, 0).unwrap().total)
            / (2.0 * h);
        assert!(
            (fd - grad[j]).abs() <= 1e-6 * (1.0 + fd.abs()),
            "param {j}: fd {fd} vs {}",
            grad[j]
        );
    }
}

#[test]
fn identical_bits_on_one_and_two_threads() {
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let (mut a, params) = setup(threads, 32);
            let mut grad = vec![0.0; a.n_params()];
            let r = a.eval(&params, &mut grad, 0).unwrap();
            (
                r.total.to_bits(),
                grad.iter().map(|g| g.to_bits()).collect::<Vec<_>>(),
            )
        })
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(3));
}

/// A derivative condition naming a direction the inputs do not have is refused when the
/// assembly is built; the aggregates (Laplacian, biharmonic) span every direction and pass.
#[test]
fn derivative_conditions_check_their_directions() {
    let build = |c: Component| {
        let g = Graph::mlp(&[2, 4, 1], Elementary::Tanh).unwrap();
        let t = Term {
            name: "d".into(),
            kind: TermKind::Condition(Condition::derivative(0, c, |_| 0.0)),
            weight: 1.0,
            points: pts(1, 4),
            normals: vec![],
            partners: vec![],
        };
        Assembly::<_, f64>::new(g, Toy, vec![t], 8, 1).map(|_| ())
    };
    for bad in [
        Component::First(2),
        Component::Second(0, 2),
        Component::Third(0, 1, 7),
        Component::Fourth(2, 0, 0, 0),
        Component::Fourth(0, 0, 0, usize::MAX),
    ] {
        match build(bad) {
            Err(Error::InvalidConfig { reason, .. }) => {
                assert!(reason.contains("derivative condition"), "{reason}")
            }
            other => panic!("{bad:?}: expected InvalidConfig, got {other:?}"),
        }
    }
    for good in [
        Component::Value,
        Component::First(1),
        Component::Third(1, 0, 1),
        Component::Laplacian,
        Component::Biharmonic,
    ] {
        build(good).unwrap_or_else(|e| panic!("{good:?}: {e}"));
    }
    // A condition on an output the network does not have.
    let g = Graph::mlp(&[2, 4, 1], Elementary::Tanh).unwrap();
    let t = Term {
        name: "d".into(),
        kind: TermKind::Condition(Condition::derivative(1, Component::First(0), |_| 0.0)),
        weight: 1.0,
        points: pts(1, 4),
        normals: vec![],
        partners: vec![],
    };
    assert!(matches!(
        Assembly::<_, f64>::new(g, Toy, vec![t], 8, 1),
        Err(Error::InvalidConfig { .. })
    ));
}

#[test]
fn undeclared_derivative_is_a_typed_error() {
    let g = Graph::mlp(&[2, 4, 1], Elementary::Tanh).unwrap();
    let params: Vec<f64> = g.init_params(Seed(1));
    let t = Term {
        name: "pde".into(),
        kind: TermKind::Pde,
        weight: 1.0,
        points: pts(1, 10),
        normals: vec![],
        partners: vec![],
    };
    let mut a = Assembly::new(g, Sloppy, vec![t], 8, 1).unwrap();
    let mut grad = vec![0.0; a.n_params()];
    match a.eval(&params, &mut grad, 3) {
        Err(Error::UndeclaredDerivative { what }) => {
            assert!(what.contains("Second(1, 1)"), "{what}")
        }
        other => panic!("expected UndeclaredDerivative, got {other:?}"),
    }
}

#[test]
fn non_finite_loss_names_step_and_term() {
    let (mut a, mut params) = setup(1, 64);
    let n = params.len();
    params[n - 1] = f64::NAN; // the PDE coefficient
    let mut grad = vec![0.0; n];
    match a.eval(&params, &mut grad, 17) {
        Err(Error::NonFinite { step, term }) => assert_eq!((step, term.as_str()), (17, "pde")),
        other => panic!("expected NonFinite, got {other:?}"),
    }
}

#[test]
fn point_weights_term_gradients_and_recorded_residuals_are_consistent() {
    let (mut a, params) = setup(1, 64);
    let n = a.n_params();
    // Per-point weights on the PDE term (index 0) and the periodic term (index 4).
    let (n0, n4) = (
        a.n_points(a.term_ids()[0]).unwrap(),
        a.n_points(a.term_ids()[4]).unwrap(),
    );
    let lam0: Vec<f64> = (0..n0)
        .map(|i| 0.5 + (i as f64 * 0.3).sin().abs())
        .collect();
    let lam4: Vec<f64> = (0..n4).map(|i| 1.0 + 0.1 * i as f64).collect();
    a.set_point_weights(a.term_ids()[0], &lam0).unwrap();
    a.set_point_weights(a.term_ids()[4], &lam4).unwrap();
    a.record_residuals(a.term_ids()[0], true).unwrap();
    a.record_residuals(a.term_ids()[4], true).unwrap();
    let mut grad = vec![0.0; n];
    let total = a.eval(&params, &mut grad, 0).unwrap();
    // Recorded residuals reproduce the weighted term losses.
    for (ti, lam) in [(0, &lam0), (4, &lam4)] {
        let r2 = a.residuals(a.term_ids()[ti]).unwrap().to_vec();
        let w = a.weight(a.term_ids()[ti]).unwrap();
        let want: f64 = r2
            .iter()
            .zip(lam.iter())
            .map(|(r, l)| l * l * r)
            .sum::<f64>()
            * w
            / r2.len() as f64;
        assert!(
            (want - total.terms[ti]).abs() <= 1e-12 * want.abs(),
            "term {ti}: {want} vs {}",
            total.terms[ti]
        );
    }
    // Term gradients add up to the total gradient.
    let mut sum = vec![0.0; n];
    let mut g = vec![0.0; n];
    for ti in 0..total.terms.len() {
        let r = a.eval_term(a.term_ids()[ti], &params, &mut g, 0).unwrap();
        assert!((r.total - total.terms[ti]).abs() <= 1e-12 * r.total.abs().max(1e-300));
        for (s, v) in sum.iter_mut().zip(&g) {
            *s += v;
        }
    }
    for (s, v) in sum.iter().zip(&grad) {
        assert!((s - v).abs() <= 1e-10 * (1.0 + v.abs()));
    }
    // The weighted gradient against central differences.
    let h = 1e-6;
    let mut g2 = vec![0.0; n];
    for j in [0, 7, 100, n / 2, n - 1] {
        let (mut p, mut m) = (params.clone(), params.clone());
        p[j] += h;
        m[j] -= h;
        let fd = (a.eval(&p, &mut g2, 0).unwrap().total - a.eval(&m, &mut g2, 0).unwrap().total)
            / (2.0 * h);
        assert!(
            (fd - grad[j]).abs() <= 1e-6 * (1.0 + fd.abs()),
            "param {j}: fd {fd} vs {}",
            grad[j]
        );
    }
    // Wrong-length weights are a typed error.
    assert!(matches!(
        a.set_point_weights(a.term_ids()[0], &[1.0; 3]),
        Err(Error::DimensionMismatch { .. })
    ));
}

#[test]
fn eval_term_leaves_recorded_residuals_alone() {
    let (mut a, params) = setup(1, 32);
    a.record_residuals(a.term_ids()[0], true).unwrap();
    let mut grad = vec![0.0; a.n_params()];
    a.eval(&params, &mut grad, 0).unwrap();
    let recorded = a.residuals(a.term_ids()[0]).unwrap().to_vec();
    assert_eq!(recorded.len(), a.n_points(a.term_ids()[0]).unwrap());
    // Another strategy evaluates one term alone, at other parameters.
    let moved: Vec<f64> = params.iter().map(|p| p * 1.1).collect();
    a.eval_term(a.term_ids()[0], &moved, &mut grad, 0).unwrap();
    a.eval_term(a.term_ids()[1], &moved, &mut grad, 0).unwrap();
    assert_eq!(a.residuals(a.term_ids()[0]).unwrap(), &recorded[..]);
}

#[test]
fn residuals_at_scores_points_without_a_gradient() {
    let (mut a, params) = setup(2, 32);
    a.record_residuals(a.term_ids()[0], true).unwrap();
    let mut grad = vec![0.0; a.n_params()];
    a.eval(&params, &mut grad, 0).unwrap();
    // At the term's own points, the scores are the recorded Σr², bit for bit.
    let pts = a.points(a.term_ids()[0]).unwrap().to_vec();
    let scored = a.residuals_at(a.term_ids()[0], &params, &pts).unwrap();
    assert_eq!(scored, a.residuals(a.term_ids()[0]).unwrap());
    // Any number of threads gives the same bits on fresh points.
    let fresh = super_points(5000);
    let score = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| a.residuals_at(a.term_ids()[0], &params, &fresh).unwrap())
    };
    let one = score(1);
    assert_eq!(one.len(), 5000);
    assert!(one.iter().all(|r| r.is_finite() && *r >= 0.0));
    assert_eq!(one, score(2));
    // A Dirichlet condition can be scored; a Neumann one (it needs normals) cannot.
    assert!(
        a.residuals_at(a.term_ids()[1], &params, &fresh[..20])
            .is_ok()
    );
    assert!(matches!(
        a.residuals_at(a.term_ids()[2], &params, &fresh[..20]),
        Err(Error::InvalidConfig { .. })
    ));
    // Points that are not whole or not finite are errors, not panics.
    assert!(
        a.residuals_at(a.term_ids()[0], &params, &fresh[..3])
            .is_err()
    );
    assert!(
        a.residuals_at(a.term_ids()[0], &params, &[f64::NAN, 0.5])
            .is_err()
    );
}

fn super_points(n: usize) -> Vec<f64> {
    pts(77, n)
}

/// The residual sees the point as the fields' scalar type, so differentiating it in `x` (what
/// gPINN needs) includes the source term: for Poisson 1D, `r = u_xx + C² sin(Cx)` and, with the
/// derivative values held fixed, `∂r/∂x = C³ cos(Cx)`; against a central difference too.
#[test]
fn a_residual_can_be_differentiated_in_x() {
    use pinn::ad::Dual;
    use pinn::pde::problems::Poisson1D;
    let c = 3.0;
    let p = Poisson1D::new(c).unwrap();
    let comps = p.components();
    let missing = std::cell::Cell::new(None);
    let r_at = |x: Dual<f64>| {
        let vals = [Dual::constant(0.25)]; // u_xx, held fixed
        let fields = Fields::new(&comps, 1, &vals, &missing);
        let mut r = [Dual::constant(0.0)];
        p.residual(&[x], &fields, &[], &mut Residuals::new(&mut r));
        r[0]
    };
    for x0 in [0.1, 0.4, 0.77] {
        let r = r_at(Dual::variable(x0));
        assert!(
            (r.eps - c * c * c * (c * x0).cos()).abs() < 1e-12,
            "x = {x0}"
        );
        let h = 1e-6;
        let fd = (r_at(Dual::constant(x0 + h)).re - r_at(Dual::constant(x0 - h)).re) / (2.0 * h);
        assert!(
            (r.eps - fd).abs() < 1e-6 * (1.0 + fd.abs()),
            "x = {x0}: {} vs {fd}",
            r.eps
        );
    }
    assert!(missing.get().is_none());
}

/// The periodic-derivative term is `w·mean((∂u/∂x(x) − ∂u/∂x(x′))²)` over its pairs, with
/// `∂u/∂x` from hyper-duals through the scalar path.
#[test]
fn a_periodic_derivative_term_compares_the_derivative_at_partners() {
    let (mut a, params) = setup(1, 16);
    let mut grad = vec![0.0; a.n_params()];
    let report = a.eval(&params, &mut grad, 0).unwrap();
    let names = a.term_names();
    let i = names.iter().position(|n| n == "periodic_ux").unwrap();
    let g = Graph::mlp(&[2, 16, 16, 1], Elementary::Tanh).unwrap();
    let theta: Vec<pinn::ad::HyperDual<f64>> = params[..g.n_params()]
        .iter()
        .map(|&t| pinn::ad::HyperDual::constant(t))
        .collect();
    let ux = |x: [f64; 2]| {
        let xs = [
            pinn::ad::HyperDual::seeded(x[0], 0, 0, 0),
            pinn::ad::HyperDual::seeded(x[1], 1, 0, 0),
        ];
        g.eval(&theta, &xs).unwrap()[0].e1
    };
    let n = 40;
    let want = 1.3
        * (0..n)
            .map(|k| {
                let t = k as f64 / n as f64;
                (ux([0.0, t]) - ux([1.0, t])).powi(2)
            })
            .sum::<f64>()
        / n as f64;
    let got = report.terms[i];
    assert!((got - want).abs() < 1e-12 * want, "{got} vs {want}");
    assert!(want > 1e-8, "the case needs a non-periodic derivative");
}
