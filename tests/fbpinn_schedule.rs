//! FBPINN subdomain schedules: the radial scheduler against the FBPINNs library's iterative
//! update, and training on a schedule (points restricted to active subdomains, fixed
//! subdomains frozen, untouched subdomains never evaluated), resumed bit for bit.

mod common;

use common::jets::random_vec;
use pinn::Error;
use pinn::ad::Elementary;
use pinn::nets::fbpinn::{
    Decomposition, Fbpinn, RadialScheduler, SubdomainState, overlap_from_width, uniform_edges,
};
use pinn::optim::{Adam, Lbfgs, LbfgsConfig};
use pinn::pde::Condition;
use pinn::pde::problems::{Poisson2D, SineOde};
use pinn::rng::{Seed, uniform};
use pinn::strategies::SubdomainSchedule;
use pinn::train::{TermId, Trainer, TrainerBuilder};

/// The library's scheduler as coded (`_SubspacePointSchedulerRectangularND.__iter__`): the
/// states of every step, updated step by step from inactive.
fn library_states(
    lo: &[Vec<f64>],
    hi: &[Vec<f64>],
    point: &[f64],
    constrained: &[usize],
    steps: usize,
) -> Vec<Vec<u8>> {
    let m = lo.len();
    let (mut rmin, mut rmax) = (vec![0.0; m], vec![0.0; m]);
    for j in 0..m {
        let (mut inside, mut a, mut b) = (true, 0.0, 0.0);
        for (&p, &ax) in point.iter().zip(constrained) {
            let (l, h) = (lo[j][ax], hi[j][ax]);
            inside &= p >= l && p <= h;
            let pmin = p.clamp(l, h);
            let (dmin, dmax): (f64, f64) = (p - l, p - h);
            let pmax = p - if dmin.abs() >= dmax.abs() { dmin } else { dmax };
            a += (pmin - p) * (pmin - p);
            b += (pmax - p) * (pmax - p);
        }
        rmin[j] = if inside { 0.0 } else { f64::sqrt(a) };
        rmax[j] = f64::sqrt(b);
    }
    let r_min = rmin.iter().copied().fold(f64::INFINITY, f64::min);
    let r_max = rmax.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut active = vec![0u8; m];
    let mut out = Vec::new();
    for i in 0..steps {
        let rt = r_min + (r_max - r_min) * (i as f64 / steps as f64);
        for j in 0..m {
            let radius = rt >= rmin[j] && rt < rmax[j];
            if active[j] == 0 && radius {
                active[j] = 1;
            } else if active[j] == 1 && !radius {
                active[j] = 2;
            }
        }
        out.push(active.clone());
    }
    out
}

/// `cells` equal cells of [−2π, 2π] with the paper's overlap width 0.7.
fn cells_2pi(cells: usize) -> Decomposition {
    let tp = 2.0 * std::f64::consts::PI;
    let edges = uniform_edges(-tp, tp, cells).unwrap();
    let overlaps = overlap_from_width(&edges, 0.7).unwrap();
    Decomposition::from_edges(&[edges], &[overlaps]).unwrap()
}

fn code(s: SubdomainState) -> u8 {
    match s {
        SubdomainState::Inactive => 0,
        SubdomainState::Active => 1,
        SubdomainState::Fixed => 2,
    }
}

#[test]
fn the_closed_form_states_match_the_library_update_step_by_step() {
    let tp = 2.0 * std::f64::consts::PI;
    let cases: Vec<(Decomposition, Vec<f64>, Vec<usize>, usize)> = vec![
        // The paper's Cos1D decomposition from x = 0, and from an end.
        (cells_2pi(30), vec![0.0], vec![], 997),
        (cells_2pi(30), vec![-tp], vec![], 64),
        // 2-D multilevel from an off-centre point, and from a line (free axis 1).
        (
            Decomposition::multilevel(&[0.0, 0.0], &[1.0, 1.0], 3, 1.9).unwrap(),
            vec![0.3, 0.8],
            vec![],
            500,
        ),
        (
            Decomposition::multilevel(&[0.0, 0.0], &[1.0, 1.0], 3, 1.9).unwrap(),
            vec![0.1],
            vec![1],
            300,
        ),
        // 3-D from a plane (free axes 0 and 1), the paper's wave scheduler in time.
        (
            Decomposition::multilevel(&[-1.0, -1.0, 0.0], &[1.0, 1.0, 1.0], 2, 1.5).unwrap(),
            vec![0.0],
            vec![0, 1],
            200,
        ),
    ];
    for (dec, point, free, steps) in cases {
        let d = dec.dim();
        let s = match free.len() {
            0 => RadialScheduler::point(&dec, &point, steps),
            1 => RadialScheduler::line(&dec, &point, free[0], steps),
            _ => RadialScheduler::plane(&dec, &point, [free[0], free[1]], steps),
        }
        .unwrap();
        let constrained: Vec<usize> = (0..d).filter(|a| !free.contains(a)).collect();
        let lo: Vec<Vec<f64>> = dec.subdomains().iter().map(|s| s.lo().to_vec()).collect();
        let hi: Vec<Vec<f64>> = dec.subdomains().iter().map(|s| s.hi().to_vec()).collect();
        let want = library_states(&lo, &hi, &point, &constrained, steps);
        let mut seen = [false; 3];
        for (i, w) in want.iter().enumerate() {
            let got: Vec<u8> = s.states(i).into_iter().map(code).collect();
            assert_eq!(&got, w, "step {i}, point {point:?}, free {free:?}");
            for &c in &got {
                seen[c as usize] = true;
            }
        }
        assert_eq!(seen, [true; 3], "every state occurs ({point:?}, {free:?})");
        // After the schedule the last states stay.
        assert_eq!(s.states(steps + 10), s.states(steps - 1));
    }
}

#[test]
fn a_scheduler_refuses_bad_arguments_by_name() {
    let dec1 = Decomposition::multilevel(&[0.0], &[1.0], 2, 1.9).unwrap();
    let dec2 = Decomposition::multilevel(&[0.0, 0.0], &[1.0, 1.0], 2, 1.9).unwrap();
    let field = |r: pinn::Result<RadialScheduler>| match r {
        Err(Error::InvalidConfig { field, reason }) => (field, reason),
        other => panic!("expected InvalidConfig, got {other:?}"),
    };
    assert_eq!(
        field(RadialScheduler::point(&dec1, &[0.0], 0)).0,
        "scheduler.steps"
    );
    assert_eq!(
        field(RadialScheduler::point(&dec1, &[0.0, 1.0], 9)).0,
        "scheduler.point"
    );
    assert_eq!(
        field(RadialScheduler::point(&dec1, &[f64::NAN], 9)).0,
        "scheduler.point"
    );
    assert_eq!(
        field(RadialScheduler::line(&dec1, &[], 0, 9)).0,
        "scheduler"
    );
    assert_eq!(
        field(RadialScheduler::line(&dec2, &[0.5], 2, 9)).0,
        "scheduler.axes"
    );
    assert_eq!(
        field(RadialScheduler::plane(&dec2, &[], [0, 1], 9)).0,
        "scheduler"
    );
    let dec3 = Decomposition::multilevel(&[0.0; 3], &[1.0; 3], 1, 1.0).unwrap();
    let (f, reason) = field(RadialScheduler::plane(&dec3, &[0.5], [1, 1], 9));
    assert_eq!(f, "scheduler.axes");
    assert!(reason.contains("both 1"), "{reason}");
}

const HIDDEN: [usize; 1] = [6];

/// Cos1D on 8 cells of [−2π, 2π] (overlap 0.7) with the paper's hard constraint
/// `u = tanh(ωx)·N`, scheduled from x = 0 over `steps` steps.
fn cos1d(steps: usize) -> (Fbpinn, RadialScheduler) {
    let dec = cells_2pi(8);
    let model = Fbpinn::new(dec.clone(), &HIDDEN, 1, Elementary::Tanh, (0.0, 1.0 / 3.0))
        .unwrap()
        .with_hard_constraint(
            |b, x| b.linear(x, 1, &[0.0], None),
            |b, x| {
                let z = b.linear(x, 1, &[3.0], None);
                b.unary(z, Elementary::Tanh)
            },
        )
        .unwrap();
    let s = RadialScheduler::point(&dec, &[0.0], steps).unwrap();
    (model, s)
}

fn cos1d_points() -> Vec<f64> {
    let tp = 2.0 * std::f64::consts::PI;
    (0..200)
        .map(|i| -tp + 2.0 * tp * i as f64 / 199.0)
        .collect()
}

fn cos1d_trainer(
    steps: usize,
    threads: usize,
    phase: impl FnOnce(TrainerBuilder<SineOde, f64, Fbpinn>) -> TrainerBuilder<SineOde, f64, Fbpinn>,
) -> (
    Trainer<SineOde, f64, Fbpinn>,
    Fbpinn,
    RadialScheduler,
    TermId,
) {
    let (model, s) = cos1d(steps);
    let mut b = Trainer::<_, f64, _>::builder(model.clone(), SineOde::new(3.0).unwrap());
    let pde = b.add_pde_points(cos1d_points());
    let b = b
        .strategy(SubdomainSchedule::new(&model, s.clone(), &[pde]).unwrap())
        .chunk_size(32)
        .threads(threads);
    (phase(b).build().unwrap(), model, s, pde)
}

/// The points of `all` inside the support of an active subdomain.
fn inside_active(dec: &Decomposition, states: &[SubdomainState], all: &[f64]) -> Vec<f64> {
    all.iter()
        .copied()
        .filter(|&x| {
            dec.subdomains()
                .iter()
                .zip(states)
                .any(|(s, &st)| st == SubdomainState::Active && s.contains(&[x]))
        })
        .collect()
}

/// Step by step under Adam: the term's points are those inside active subdomains; a fixed
/// subdomain's parameters keep the bits they had when it was fixed; a subdomain that covers
/// none of the points is not evaluated (its parameters do not move either); an inactive
/// subdomain overlapping the points trains.
#[test]
fn training_follows_the_schedule_and_freezes_fixed_subdomains() {
    let steps = 120;
    let (mut t, model, s, pde) = cos1d_trainer(steps, 1, |b| {
        b.phase("adam", steps, Adam::with_lr(1e-2).unwrap())
    });
    let dec = model.decomposition().clone();
    let n = model.n_params_per_subdomain();
    let all = cos1d_points();
    let mut fixed_at: Vec<Option<Vec<u64>>> = vec![None; dec.len()];
    let (mut saw_fixed, mut saw_inactive_trained) = (0, 0);
    for step in 0..steps {
        let before = t.theta().to_vec();
        t.run_steps(1).unwrap();
        let states = s.states(step);
        let kept = inside_active(&dec, &states, &all);
        assert_eq!(t.points(pde).unwrap(), &kept[..], "step {step}");
        let after = t.theta();
        for (j, sub) in dec.subdomains().iter().enumerate() {
            let (b, a) = (&before[j * n..(j + 1) * n], &after[j * n..(j + 1) * n]);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            let covers = kept.iter().any(|&x| sub.contains(&[x]));
            match states[j] {
                SubdomainState::Fixed => {
                    let first = fixed_at[j].get_or_insert_with(|| bits(b));
                    assert_eq!(&bits(a), first, "subdomain {j} fixed, step {step}");
                    saw_fixed += 1;
                }
                _ if !covers => {
                    assert_eq!(
                        bits(a),
                        bits(b),
                        "subdomain {j} covers no point, step {step}"
                    )
                }
                SubdomainState::Inactive => {
                    assert_ne!(
                        bits(a),
                        bits(b),
                        "inactive {j} overlapping trains, step {step}"
                    );
                    saw_inactive_trained += 1;
                }
                SubdomainState::Active => {
                    assert_ne!(bits(a), bits(b), "active {j} trains, step {step}")
                }
            }
        }
    }
    assert!(
        saw_fixed > 50 && saw_inactive_trained > 10,
        "{saw_fixed} {saw_inactive_trained}"
    );
    assert!(s.states(steps - 1).contains(&SubdomainState::Fixed));
}

/// Under L-BFGS (several evaluations per step, a line search) fixed subdomains keep their
/// bits too: the frozen gradient entries are 0, so the search direction leaves them alone.
#[test]
fn fixed_subdomains_stay_frozen_under_lbfgs() {
    let steps = 8;
    let (mut t, model, s, _) = cos1d_trainer(steps, 1, |b| {
        b.phase("adam", 5, Adam::with_lr(1e-2).unwrap()).phase(
            "lbfgs",
            3,
            Lbfgs::new(LbfgsConfig::default()).unwrap(),
        )
    });
    let n = model.n_params_per_subdomain();
    t.run_steps(5).unwrap();
    let before = t.theta().to_vec();
    t.run().unwrap();
    let frozen: Vec<usize> = (0..model.decomposition().len())
        .filter(|&j| (5..steps).all(|i| s.states(i)[j] == SubdomainState::Fixed))
        .collect();
    assert!(
        !frozen.is_empty(),
        "the case needs a subdomain fixed over the L-BFGS steps"
    );
    for j in frozen {
        assert_eq!(
            before[j * n..(j + 1) * n]
                .iter()
                .map(|x| x.to_bits())
                .collect::<Vec<_>>(),
            t.theta()[j * n..(j + 1) * n]
                .iter()
                .map(|x| x.to_bits())
                .collect::<Vec<_>>(),
            "subdomain {j}"
        );
    }
}

#[test]
fn a_scheduled_run_resumes_and_runs_on_two_threads_with_the_same_bits() {
    let steps = 60;
    let make = |threads| {
        cos1d_trainer(steps, threads, |b| {
            b.phase("adam", steps, Adam::with_lr(1e-2).unwrap())
        })
        .0
    };
    let (first, last) = common::same_bits_on_1_and_2_threads(make);
    assert!(last.is_finite() && first.is_finite());
    let mut straight = make(1);
    straight.run().unwrap();
    for stop in [1, 17, 31] {
        let mut a = make(1);
        a.run_steps(stop).unwrap();
        let saved = a.checkpoint();
        let mut b = make(1);
        b.restore(&saved).unwrap();
        b.run().unwrap();
        assert_eq!(
            common::bits(straight.params()),
            common::bits(b.params()),
            "stop {stop}"
        );
    }
}

/// A 2-D multilevel FBPINN with a soft boundary term, both terms scheduled from a corner:
/// the boundary term keeps its points inside active subdomains too, has none (and contributes
/// nothing) once the active subdomains leave the edge, and a run restored at such a step
/// continues with the same bits.
#[test]
fn conditions_are_scheduled_with_the_residual() {
    let dec = Decomposition::multilevel(&[0.0, 0.0], &[1.0, 1.0], 2, 1.9).unwrap();
    let model = Fbpinn::new(dec.clone(), &HIDDEN, 1, Elementary::Tanh, (0.0, 1.0)).unwrap();
    let s = RadialScheduler::point(&dec, &[0.0, 0.0], 40).unwrap();
    let mut rng = Seed(4).rng();
    let edge: Vec<f64> = (0..40).flat_map(|_| [uniform(&mut rng), 0.0]).collect();
    let make = || {
        let mut b = Trainer::<_, f64, _>::builder(model.clone(), Poisson2D);
        let inner = b.add_pde_points(random_vec(Seed(3), 2 * 100, 0.0, 1.0));
        let bc = b.add_condition("bottom", Condition::dirichlet(0, |_| 0.0), edge.clone());
        let t = b
            .strategy(SubdomainSchedule::new(&model, s.clone(), &[inner, bc]).unwrap())
            .phase("adam", 40, Adam::with_lr(1e-2).unwrap())
            .build()
            .unwrap();
        (t, bc)
    };
    let (mut t, bc) = make();
    let mut empty_at = None;
    for step in 0..40 {
        let r = t.run_steps(1).unwrap();
        let states = s.states(step);
        let want: Vec<f64> = edge
            .chunks_exact(2)
            .filter(|x| {
                dec.subdomains()
                    .iter()
                    .zip(&states)
                    .any(|(s, &st)| st == SubdomainState::Active && s.contains(x))
            })
            .flatten()
            .copied()
            .collect();
        assert_eq!(t.points(bc).unwrap(), &want[..], "step {step}");
        let bc_loss = r.history[0].terms[bc.index()];
        if want.is_empty() {
            assert_eq!(bc_loss, 0.0, "an empty term contributes 0, step {step}");
            empty_at.get_or_insert(step);
        } else {
            assert!(bc_loss > 0.0, "step {step}");
        }
    }
    let stop = empty_at.expect("the case needs steps where no boundary point is active") + 1;
    let (mut a, _) = make();
    a.run_steps(stop).unwrap();
    let saved = a.checkpoint();
    assert!(saved.terms[1].points.is_empty());
    let (mut b, _) = make();
    b.restore(&saved).unwrap();
    b.run().unwrap();
    assert_eq!(common::bits(t.params()), common::bits(b.params()));
}

#[test]
fn a_schedule_refuses_what_it_cannot_do_by_name() {
    let (model, s) = cos1d(10);
    let reason = |r: pinn::Result<Trainer<SineOde, f64, Fbpinn>>| match r {
        Err(Error::InvalidConfig {
            field: "scheduler",
            reason,
        }) => reason,
        Err(e) => panic!("expected InvalidConfig on scheduler, got {e:?}"),
        Ok(_) => panic!("expected an error"),
    };
    let base = || {
        let mut b = Trainer::<_, f64, _>::builder(model.clone(), SineOde::new(3.0).unwrap());
        let pde = b.add_pde_points(cos1d_points());
        (b, pde)
    };
    // A scheduler made on another decomposition.
    let other = Decomposition::multilevel(&[0.0], &[1.0], 2, 1.9).unwrap();
    let s3 = RadialScheduler::point(&other, &[0.0], 10).unwrap();
    let (_, pde) = base();
    assert!(matches!(
        SubdomainSchedule::new(&model, s3, &[pde]),
        Err(Error::InvalidConfig {
            field: "scheduler",
            ..
        })
    ));
    assert!(SubdomainSchedule::new(&model, s.clone(), &[]).is_err());
    // Terms that keep their points or need normals.
    let (mut b, pde) = base();
    let data = b.add_condition("data", Condition::data(0, &[0.0]), vec![0.0]);
    let r = reason(
        b.strategy(SubdomainSchedule::new(&model, s.clone(), &[pde, data]).unwrap())
            .phase("adam", 1, Adam::with_lr(1e-3).unwrap())
            .build(),
    );
    assert!(r.contains("`data`"), "{r}");
    // A term listed twice.
    let (b, pde) = base();
    let r = reason(
        b.strategy(SubdomainSchedule::new(&model, s.clone(), &[pde, pde]).unwrap())
            .phase("adam", 1, Adam::with_lr(1e-3).unwrap())
            .build(),
    );
    assert!(r.contains("twice"), "{r}");
    // A model of another size in the trainer.
    let small = Fbpinn::new(cells_2pi(8), &[3], 1, Elementary::Tanh, (0.0, 1.0)).unwrap();
    let mut b = Trainer::<_, f64, _>::builder(small, SineOde::new(3.0).unwrap());
    let pde = b.add_pde_points(cos1d_points());
    let r = reason(
        b.strategy(SubdomainSchedule::new(&model, s.clone(), &[pde]).unwrap())
            .phase("adam", 1, Adam::with_lr(1e-3).unwrap())
            .build(),
    );
    assert!(r.contains("parameters"), "{r}");
    // No point of any scheduled term inside the first active subdomain: named at its step.
    let mut b = Trainer::<_, f64, _>::builder(model.clone(), SineOde::new(3.0).unwrap());
    let pde = b.add_pde_points(vec![-6.0, 6.0]);
    let mut t = b
        .strategy(SubdomainSchedule::new(&model, s, &[pde]).unwrap())
        .phase("adam", 1, Adam::with_lr(1e-3).unwrap())
        .build()
        .unwrap();
    match t.run_steps(1) {
        Err(Error::InvalidConfig {
            field: "scheduler",
            reason,
        }) => {
            assert!(
                reason.contains("at step 0") && reason.contains("no point of any"),
                "{reason}"
            )
        }
        other => panic!("expected a scheduler error, got {other:?}"),
    }
}

/// A schedule keeps a subset of the points its terms were built with: a sampler that replaces
/// them, or per-point weights that belong to them, are refused when the trainer is built,
/// naming both strategies and the term.
#[test]
fn a_schedule_refuses_strategies_that_move_or_weight_its_points() {
    use pinn::strategies::{Redraw, SelfAdaptive, SelfAdaptiveConfig};
    let (model, s) = cos1d(10);
    let build = |second: &str| {
        let mut b = Trainer::<_, f64, _>::builder(model.clone(), SineOde::new(3.0).unwrap());
        let pde = b.add_pde_points(cos1d_points());
        let b = b.strategy(SubdomainSchedule::new(&model, s.clone(), &[pde]).unwrap());
        let b = match second {
            "redraw" => b.strategy(Redraw::new(pde, 5, |_| Ok((cos1d_points(), vec![])))),
            _ => b.strategy(SelfAdaptive::new(SelfAdaptiveConfig::helmholtz(Seed(1))).unwrap()),
        };
        b.phase("adam", 1, Adam::with_lr(1e-3).unwrap()).build()
    };
    for (second, words) in [
        ("redraw", ["subdomain-schedule", "redraw", "replaces"]),
        (
            "self-adaptive",
            ["subdomain-schedule", "self_adaptive", "selects"],
        ),
    ] {
        match build(second) {
            Err(Error::InvalidConfig {
                field: "strategies",
                reason,
            }) => {
                for w in words {
                    assert!(reason.contains(w), "{second}: {reason}");
                }
            }
            Err(e) => panic!("{second}: {e:?}"),
            Ok(_) => panic!("{second}: accepted"),
        }
    }
}
