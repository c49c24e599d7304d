//! Samplers against independent references (scipy, numpy), their invariants (points in the
//! domain, strata, normals), determinism, and statistics with fixed seeds and 5σ tolerances.

use pinn::domain::{Boundary, BoxDomain, Domain, Face, Interval, Points, Side, SpaceTime};
use pinn::rng::Seed;
use pinn::sampling::{
    BoundarySampler, Grid, Halton, Hammersley, LatinHypercube, Resample, SOBOL_MAX_DIM, Sampler,
    Sobol, Uniform, UniformBoundary, linspace, tensor_grid,
};
use proptest::prelude::*;

// ---------------------------------------------------------------- reference data (scipy, numpy)

/// A block of `tests/data/qmc_reference.txt` (written by `scripts/gen_sampling_reference.py`).
struct Block {
    name: String,
    keys: Vec<(String, String)>,
    rows: Vec<(u64, Vec<f64>)>,
}

impl Block {
    fn key(&self, k: &str) -> &str {
        &self.keys.iter().find(|(name, _)| name == k).expect(k).1
    }
    fn dim(&self) -> usize {
        self.key("dim").parse().unwrap()
    }
}

fn reference() -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    for line in include_str!("data/qmc_reference.txt").lines() {
        let mut words = line.split_whitespace();
        match words.next() {
            None | Some("#") => {}
            Some("block") => blocks.push(Block {
                name: words.next().unwrap().to_string(),
                keys: words
                    .map(|kv| {
                        let (k, v) = kv.split_once('=').unwrap();
                        (k.to_string(), v.to_string())
                    })
                    .collect(),
                rows: Vec::new(),
            }),
            Some(i) => {
                let row = words.map(|x| x.parse().unwrap()).collect();
                blocks
                    .last_mut()
                    .unwrap()
                    .rows
                    .push((i.parse().unwrap(), row));
            }
        }
    }
    blocks
}

fn blocks(name: &str) -> Vec<Block> {
    let found: Vec<Block> = reference().into_iter().filter(|b| b.name == name).collect();
    assert!(!found.is_empty(), "no `{name}` block in the reference file");
    found
}

fn unit(dim: usize) -> BoxDomain {
    BoxDomain::unit(dim).unwrap()
}

/// The points as rows, for comparing with reference rows.
fn rows_of(points: &Points) -> Vec<Vec<f64>> {
    points.iter().map(|p| p.to_vec()).collect()
}

#[test]
fn sobol_prefix_matches_scipy_bit_for_bit() {
    for b in blocks("sobol") {
        let p = Sobol::new()
            .sample(&unit(b.dim()), b.rows.len(), Seed(0))
            .unwrap();
        let expected: Vec<Vec<f64>> = b.rows.iter().map(|(_, r)| r.clone()).collect();
        assert_eq!(rows_of(&p), expected, "Sobol, dim {}", b.dim());
    }
}

#[test]
fn sobol_direction_numbers_of_every_dimension_match_scipy() {
    // Rows at i = 2^k − 1 isolate the k-th direction number of all SOBOL_MAX_DIM axes.
    let b = &blocks("sobol_int")[0];
    assert_eq!(b.dim(), SOBOL_MAX_DIM);
    assert_eq!(b.key("bits"), "30");
    for (i, expected) in &b.rows {
        let p = Sobol::new()
            .skip(*i)
            .sample(&unit(SOBOL_MAX_DIM), 1, Seed(0))
            .unwrap();
        let got: Vec<f64> = p.point(0).iter().map(|x| x * (1u64 << 30) as f64).collect();
        assert_eq!(&got, expected, "Sobol point {i}");
    }
}

#[test]
fn sobol_skip_continues_the_sequence() {
    let whole = Sobol::new().sample(&unit(7), 300, Seed(0)).unwrap();
    for skip in [1, 2, 3, 127, 128, 129, 255] {
        let tail = Sobol::new()
            .skip(skip)
            .sample(&unit(7), 300 - skip as usize, Seed(0))
            .unwrap();
        assert_eq!(
            tail.as_slice(),
            &whole.as_slice()[7 * skip as usize..],
            "skip {skip}"
        );
    }
}

#[test]
fn halton_matches_scipy() {
    // scipy accumulates digit by digit in floating point; this crate rounds the exact fraction
    // once. They agree to a few ulps of numbers below 1.
    for b in blocks("halton") {
        for (i, expected) in &b.rows {
            let p = Halton::new()
                .skip(*i)
                .sample(&unit(b.dim()), 1, Seed(0))
                .unwrap();
            for (k, (x, y)) in p.point(0).iter().zip(expected).enumerate() {
                assert!(
                    (x - y).abs() <= 4.0 * f64::EPSILON,
                    "Halton {i}, axis {k}: {x} vs {y}"
                );
            }
        }
    }
}

#[test]
fn grid_matches_numpy_meshgrid_ij_bit_for_bit() {
    let b = &blocks("grid")[0];
    let parse = |k: &str| -> Vec<f64> { b.key(k).split(',').map(|x| x.parse().unwrap()).collect() };
    let counts: Vec<usize> = b
        .key("counts")
        .split(',')
        .map(|x| x.parse().unwrap())
        .collect();
    let bx = BoxDomain::new(&parse("lo"), &parse("hi")).unwrap();
    let n = counts.iter().product();
    let g = Grid::per_dim(&counts)
        .unwrap()
        .sample(&bx, n, Seed(0))
        .unwrap();
    let expected: Vec<Vec<f64>> = b.rows.iter().map(|(_, r)| r.clone()).collect();
    assert_eq!(rows_of(&g), expected);
    // The direct forms give the same bits: Grid::points (no repeated count, no seed), and
    // tensor_grid over linspace axes.
    assert_eq!(rows_of(&Grid::points(&bx, &counts).unwrap()), expected);
    let (lo, hi) = (parse("lo"), parse("hi"));
    let axes: Vec<Vec<f64>> = (0..counts.len())
        .map(|k| linspace(lo[k], hi[k], counts[k]))
        .collect();
    assert_eq!(rows_of(&tensor_grid(&axes).unwrap()), expected);
}

/// `tensor_grid` orders points first coordinate slowest, as `examples/support::grid2` (`xs`
/// outer, `ys` inner) does, in 2-D and 3-D; `linspace` follows numpy at `n = 0, 1`; the direct
/// grid constructors refuse what they cannot build with typed errors.
#[test]
fn tensor_grid_linspace_and_grid_points() {
    let (xs, ys) = (vec![0.0, 0.5, 1.0], vec![-2.0, 3.0]);
    let grid2: Vec<f64> = xs
        .iter()
        .flat_map(|&x| ys.iter().flat_map(move |&y| [x, y]))
        .collect();
    let g = tensor_grid(&[&xs, &ys]).unwrap();
    assert_eq!((g.len(), g.dim()), (6, 2));
    assert_eq!(g.as_slice(), grid2.as_slice());
    let zs = [7.0, 8.0, 9.0, 10.0];
    let g3 = tensor_grid(&[&xs[..], &ys[..], &zs[..]]).unwrap();
    for (i, &x) in xs.iter().enumerate() {
        for (j, &y) in ys.iter().enumerate() {
            for (k, &z) in zs.iter().enumerate() {
                assert_eq!(g3.point((i * 2 + j) * 4 + k), &[x, y, z]);
            }
        }
    }
    assert_eq!(linspace(1.0, 2.0, 0), Vec::<f64>::new());
    assert_eq!(linspace(1.0, 2.0, 1), vec![1.0]);
    assert_eq!(linspace(1.0, 2.0, 2), vec![1.0, 2.0]);
    assert_eq!(linspace(0.0, 1.0, 5), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    // Grid::points on an interval and a space-time domain.
    let line = Grid::points(&Interval::new(-1.0, 1.0).unwrap(), &[5]).unwrap();
    assert_eq!(line.as_slice(), &[-1.0, -0.5, 0.0, 0.5, 1.0]);
    let st = SpaceTime::new(Interval::new(0.0, 2.0).unwrap(), 0.0, 1.0).unwrap();
    let g = Grid::points(&st, &[3, 2]).unwrap();
    assert_eq!(
        g.as_slice(),
        &[0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 2.0, 0.0, 2.0, 1.0]
    );
    // Errors, not panics.
    let sq = BoxDomain::unit(2).unwrap();
    for counts in [
        &[3][..],
        &[3, 1],
        &[],
        &[3, 3, 3],
        &[usize::MAX, usize::MAX],
    ] {
        assert!(Grid::points(&sq, counts).is_err(), "{counts:?}");
    }
    let empty: [&[f64]; 0] = [];
    assert!(tensor_grid(&empty).is_err());
    assert!(tensor_grid(&[&xs[..], &[][..]]).is_err());
}

// ---------------------------------------------------------------- invariants over random boxes

fn arb_box() -> impl Strategy<Value = BoxDomain> {
    prop::collection::vec((-100.0..100.0f64, 1e-3..100.0f64), 1..=5).prop_map(|axes| {
        let lo: Vec<f64> = axes.iter().map(|a| a.0).collect();
        let hi: Vec<f64> = axes.iter().map(|a| a.0 + a.1).collect();
        BoxDomain::new(&lo, &hi).unwrap()
    })
}

fn samplers() -> Vec<(&'static str, Box<dyn Sampler>)> {
    vec![
        ("uniform", Box::new(Uniform)),
        ("lhs", Box::new(LatinHypercube)),
        ("halton", Box::new(Halton::new())),
        ("halton scrambled", Box::new(Halton::new().scrambled())),
        ("hammersley", Box::new(Hammersley)),
        ("sobol", Box::new(Sobol::new())),
        (
            "sobol shifted",
            Box::new(Sobol::new().digital_shift().skip(3)),
        ),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_sampler_stays_in_the_domain(bx in arb_box(), n in 0usize..80, seed in any::<u64>()) {
        for (name, s) in samplers() {
            let p = s.sample(&bx, n, Seed(seed)).unwrap();
            prop_assert_eq!((p.len(), p.dim()), (n, bx.dim()), "{}", name);
            prop_assert!(p.iter().all(|x| bx.contains(x)), "{} left the box", name);
        }
        let budget = n.max(1 << bx.dim());
        let g = Grid::auto().sample(&bx, budget, Seed(seed)).unwrap();
        prop_assert!(g.len() <= budget && g.len() >= 1 << bx.dim());
        prop_assert!(g.iter().all(|x| bx.contains(x)));
        // Both corners belong to the grid.
        prop_assert_eq!(g.point(0), bx.lo());
        prop_assert_eq!(g.point(g.len() - 1), bx.hi());
    }

    #[test]
    fn boundary_points_lie_on_their_face_with_the_outward_normal(
        bx in arb_box(), n in 0usize..80, seed in any::<u64>(), mask in 1u32..1024,
    ) {
        // A random nonempty subset of the faces.
        let faces: Vec<Face> = bx.boundary().faces().iter().enumerate()
            .filter(|(i, _)| mask >> (i % 10) & 1 == 1).map(|(_, f)| *f).collect();
        prop_assume!(!faces.is_empty());
        let boundary = Boundary::new(bx.clone(), faces.clone()).unwrap();
        let bp = UniformBoundary.sample_boundary(&boundary, n, Seed(seed)).unwrap();
        prop_assert_eq!(bp.len(), n);
        for ((x, nrm), f) in bp.points().iter().zip(bp.normals()).zip(bp.faces()) {
            prop_assert!(faces.contains(f));
            prop_assert!(boundary.contains(x));
            let bound = if f.side == Side::Lo { bx.lo()[f.axis] } else { bx.hi()[f.axis] };
            prop_assert_eq!(x[f.axis], bound);
            prop_assert_eq!(nrm.to_vec(), f.normal(bx.dim()).unwrap());
            // Outward: stepping along the normal leaves the box.
            let mut out = x.to_vec();
            out[f.axis] += nrm[f.axis] * bx.side(f.axis).unwrap();
            prop_assert!(!bx.contains(&out));
        }
    }

    #[test]
    fn latin_hypercube_has_one_point_per_stratum(dim in 1usize..6, n in 1usize..300, seed in any::<u64>()) {
        let p = LatinHypercube.sample(&unit(dim), n, Seed(seed)).unwrap();
        for k in 0..dim {
            let mut strata: Vec<usize> = p.iter().map(|x| (x[k] * n as f64).floor() as usize).collect();
            strata.sort_unstable();
            prop_assert_eq!(strata, (0..n).collect::<Vec<_>>(), "axis {}", k);
        }
    }

    #[test]
    fn sobol_axes_are_stratified_for_powers_of_two(m in 0u32..10, dim in 1usize..20, seed in any::<u64>()) {
        // Every 1D projection of the first 2^m points is a (0, m, 1)-net: one point in each
        // [j/2^m, (j+1)/2^m). A digital shift permutes those intervals, so it stays one.
        let n = 1usize << m;
        for s in [Sobol::new(), Sobol::new().digital_shift()] {
            let p = s.sample(&unit(dim), n, Seed(seed)).unwrap();
            for k in 0..dim {
                let mut cells: Vec<usize> = p.iter().map(|x| (x[k] * n as f64) as usize).collect();
                cells.sort_unstable();
                prop_assert_eq!(cells, (0..n).collect::<Vec<_>>());
            }
        }
    }
}

// ---------------------------------------------------------------- determinism

#[test]
fn same_seed_same_bits_different_seed_different_points() {
    let st = SpaceTime::new(BoxDomain::new(&[-1.0, 0.0], &[1.0, 2.0]).unwrap(), 0.0, 1.0).unwrap();
    for (name, s) in samplers() {
        let a = s.sample(&st, 64, Seed(11)).unwrap();
        let b = s.sample(&st, 64, Seed(11)).unwrap();
        let a_bits: Vec<u64> = a.as_slice().iter().map(|x| x.to_bits()).collect();
        let b_bits: Vec<u64> = b.as_slice().iter().map(|x| x.to_bits()).collect();
        assert_eq!(a_bits, b_bits, "{name}");
        let c = s.sample(&st, 64, Seed(12)).unwrap();
        // The unscrambled sequences ignore the seed (documented); the others must change.
        let seeded = !matches!(name, "halton" | "hammersley" | "sobol");
        assert_eq!(a != c, seeded, "{name}");
    }
    let boundary = st.spatial_boundary();
    let a = UniformBoundary
        .sample_boundary(&boundary, 64, Seed(3))
        .unwrap();
    assert_eq!(
        a,
        UniformBoundary
            .sample_boundary(&boundary, 64, Seed(3))
            .unwrap()
    );
    assert_ne!(
        a,
        UniformBoundary
            .sample_boundary(&boundary, 64, Seed(4))
            .unwrap()
    );
}

#[test]
fn resample_draws_the_same_sets_whatever_the_period() {
    let dom = Interval::new(0.0, 1.0).unwrap();
    let fast = Resample::every(10, Seed(5)).unwrap();
    let slow = Resample::every(50, Seed(5)).unwrap();
    let at_100 = fast.draw(&Uniform, &dom, 16, 100).unwrap().unwrap();
    assert_eq!(slow.draw(&Uniform, &dom, 16, 100).unwrap().unwrap(), at_100);
    assert_eq!(fast.draw(&Uniform, &dom, 16, 105).unwrap(), None);
    let at_110 = fast.draw(&Uniform, &dom, 16, 110).unwrap().unwrap();
    assert_ne!(at_110, at_100);
    assert_eq!(Uniform.sample(&dom, 16, fast.seed_at(119)).unwrap(), at_110);
    let once = Resample::once(Seed(5));
    assert!(once.is_due(0) && !once.is_due(10));
}

// ---------------------------------------------------------------- structure

#[test]
fn hammersley_is_i_over_n_then_halton() {
    let n = 37;
    let h = Hammersley.sample(&unit(4), n, Seed(0)).unwrap();
    let halton = Halton::new().sample(&unit(3), n, Seed(0)).unwrap();
    for i in 0..n {
        assert_eq!(h.point(i)[0], i as f64 / n as f64);
        assert_eq!(&h.point(i)[1..], halton.point(i));
    }
}

#[test]
fn grid_count_and_order() {
    let bx = BoxDomain::new(&[0.0, 10.0, -1.0], &[1.0, 20.0, 1.0]).unwrap();
    let g = Grid::per_dim(&[2, 3, 4])
        .unwrap()
        .sample(&bx, 24, Seed(0))
        .unwrap();
    assert_eq!(g.len(), 24);
    // Point ((i·3 + j)·4 + k) is (x_i, y_j, z_k): first coordinate slowest.
    let (xs, ys, zs) = (
        [0.0, 1.0],
        [10.0, 15.0, 20.0],
        [-1.0, -1.0 / 3.0, 1.0 / 3.0, 1.0],
    );
    for (i, x) in xs.iter().enumerate() {
        for (j, y) in ys.iter().enumerate() {
            for (k, z) in zs.iter().enumerate() {
                let p = g.point((i * 3 + j) * 4 + k);
                assert_eq!(&p[..2], &[*x, *y]);
                assert!((p[2] - z).abs() < 1e-15);
            }
        }
    }
    let auto = Grid::auto().sample(&bx, 1000, Seed(0)).unwrap();
    assert_eq!(
        auto.len(),
        Grid::auto_counts(&bx, 1000).unwrap().iter().product()
    );
    assert!(auto.len() <= 1000);
}

#[test]
fn space_time_boundary_pieces() {
    let st = SpaceTime::new(BoxDomain::new(&[0.0, -1.0], &[2.0, 1.0]).unwrap(), 0.5, 1.5).unwrap();
    let ic = UniformBoundary
        .sample_boundary(&st.initial_slice(), 200, Seed(1))
        .unwrap();
    for (x, nrm) in ic.points().iter().zip(ic.normals()) {
        assert_eq!(x[2], 0.5); // t = t0 exactly
        assert!(st.space().contains(&x[..2]));
        assert_eq!(nrm, &[0.0, 0.0, -1.0]);
    }
    let walls = UniformBoundary
        .sample_boundary(&st.spatial_boundary(), 200, Seed(2))
        .unwrap();
    for ((x, nrm), f) in walls
        .points()
        .iter()
        .zip(walls.normals())
        .zip(walls.faces())
    {
        assert!(f.axis < 2, "a spatial face, not a time slice");
        assert!((0.5..=1.5).contains(&x[2]));
        assert_eq!(nrm[2], 0.0);
        assert!(x[0] == 0.0 || x[0] == 2.0 || x[1] == -1.0 || x[1] == 1.0);
    }
}

// ---------------------------------------------------------------- statistics (fixed seeds, 5σ)

/// Each count on face f is Binomial(n, p_f) with p_f = area_f / total area; by the CLT a correct
/// sampler lands within 5σ = 5·√(n p (1 − p)) with probability ≈ 1 − 6·10⁻⁷ per face.
#[test]
fn boundary_counts_are_proportional_to_face_areas() {
    let bx = BoxDomain::new(&[0.0, 0.0, 0.0], &[2.0, 1.0, 3.0]).unwrap();
    let boundary = bx.boundary(); // areas 3, 3, 6, 6, 2, 2 (total 22)
    let n = 50_000;
    let bp = UniformBoundary
        .sample_boundary(&boundary, n, Seed(17))
        .unwrap();
    for (i, face) in boundary.faces().iter().enumerate() {
        let p = boundary.face_area(i).unwrap() / boundary.area();
        let count = bp.faces().iter().filter(|f| *f == face).count() as f64;
        let sigma = (n as f64 * p * (1.0 - p)).sqrt();
        assert!(
            (count - n as f64 * p).abs() < 5.0 * sigma,
            "{face:?}: {count} vs {}",
            n as f64 * p
        );
    }
}

/// For U uniform on [a, b] (width w): mean (a+b)/2 with standard error w/√(12n); the sample
/// variance estimates w²/12 with standard error √((μ₄ − σ⁴)/n) = w²/√(180 n) (μ₄ = w⁴/80).
#[test]
fn uniform_mean_and_variance_within_5_sigma() {
    let bx = BoxDomain::new(&[-1.0, 0.0, 10.0], &[3.0, 0.5, 11.0]).unwrap();
    let n = 200_000;
    let p = Uniform.sample(&bx, n, Seed(2024)).unwrap();
    let nf = n as f64;
    for k in 0..3 {
        let (a, b) = (bx.lo()[k], bx.hi()[k]);
        let w = b - a;
        let mean = p.iter().map(|x| x[k]).sum::<f64>() / nf;
        let var = p.iter().map(|x| (x[k] - mean).powi(2)).sum::<f64>() / (nf - 1.0);
        assert!(
            (mean - 0.5 * (a + b)).abs() < 5.0 * w / (12.0 * nf).sqrt(),
            "axis {k} mean {mean}"
        );
        assert!(
            (var - w * w / 12.0).abs() < 5.0 * w * w / (180.0 * nf).sqrt(),
            "axis {k} var {var}"
        );
    }
}

/// On each face the free coordinates are uniform: their mean is the face centre within 5σ
/// (σ = w/√(12 m) for the m points on that face).
#[test]
fn boundary_points_are_uniform_on_each_face() {
    let bx = BoxDomain::new(&[0.0, -2.0], &[4.0, 2.0]).unwrap();
    let bp = UniformBoundary
        .sample_boundary(&bx.boundary(), 40_000, Seed(8))
        .unwrap();
    for face in bx.boundary().faces() {
        let free = 1 - face.axis;
        let on: Vec<f64> = bp
            .points()
            .iter()
            .zip(bp.faces())
            .filter(|(_, f)| *f == face)
            .map(|(x, _)| x[free])
            .collect();
        let (a, b) = (bx.lo()[free], bx.hi()[free]);
        let m = on.len() as f64;
        let mean = on.iter().sum::<f64>() / m;
        assert!(
            (mean - 0.5 * (a + b)).abs() < 5.0 * (b - a) / (12.0 * m).sqrt(),
            "{face:?}"
        );
    }
}

// ---------------------------------------------------------------- errors, not wrong points

/// The unit disk: its bounding box is [−1, 1]², so box samplers would put points outside it.
struct Disk(BoxDomain);

impl Domain for Disk {
    fn dim(&self) -> usize {
        2
    }
    fn bounds(&self) -> &BoxDomain {
        &self.0
    }
    fn contains(&self, x: &[f64]) -> bool {
        x.len() == 2 && x[0] * x[0] + x[1] * x[1] <= 1.0
    }
    fn volume(&self) -> f64 {
        std::f64::consts::PI
    }
}

#[test]
fn non_box_domains_are_an_error_not_wrong_points() {
    let disk = Disk(BoxDomain::new(&[-1.0, -1.0], &[1.0, 1.0]).unwrap());
    for (name, s) in samplers() {
        assert!(s.sample(&disk, 64, Seed(0)).is_err(), "{name}");
    }
    assert!(Grid::auto().sample(&disk, 64, Seed(0)).is_err());
}

#[test]
fn bad_requests_are_errors() {
    let sq = unit(2);
    assert!(Uniform.sample(&sq, usize::MAX, Seed(0)).is_err());
    assert!(
        Halton::new()
            .skip(u64::MAX)
            .sample(&sq, 2, Seed(0))
            .is_err()
    );
    assert!(Grid::auto().sample(&sq, 3, Seed(0)).is_err());
    assert!(
        Sobol::new()
            .sample(&unit(SOBOL_MAX_DIM + 1), 4, Seed(0))
            .is_err()
    );
    for (_, s) in samplers() {
        assert!(s.sample(&sq, 0, Seed(0)).unwrap().is_empty());
    }
}

#[test]
fn face_subsets_and_space_time_from_interval() {
    let st = SpaceTime::new(Interval::new(-1.0, 1.0).unwrap(), 0.0, 1.0).unwrap();
    let left = Boundary::new(st.bounds().clone(), vec![Face::new(0, Side::Lo)]).unwrap();
    let bp = UniformBoundary.sample_boundary(&left, 50, Seed(0)).unwrap();
    assert!(bp.points().iter().all(|x| x[0] == -1.0));
    assert!(bp.normals().iter().all(|n| n == [-1.0, 0.0]));
}
