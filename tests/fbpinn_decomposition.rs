//! FBPINN domain decompositions: hand-checked layouts, coverage, `cover` against brute force,
//! and a typed error naming the field for every invalid input.

use pinn::Error;
use pinn::nets::fbpinn::{
    Decomposition, MAX_SUBDOMAINS, Window, overlap_from_width, uneven_edges, uniform_edges,
};

type R = pinn::Result<()>;

/// The field of an `InvalidConfig` error (panics on anything else: the test then fails).
fn field<T: std::fmt::Debug>(r: pinn::Result<T>) -> &'static str {
    match r {
        Err(Error::InvalidConfig { field, .. }) => field,
        other => panic!("expected InvalidConfig, got {other:?}"),
    }
}

fn is_mismatch<T: std::fmt::Debug>(r: pinn::Result<T>) -> bool {
    matches!(r, Err(Error::DimensionMismatch { .. }))
}

fn boxes(dec: &Decomposition) -> Vec<(Vec<f64>, Vec<f64>)> {
    dec.subdomains()
        .iter()
        .map(|s| (s.lo().to_vec(), s.hi().to_vec()))
        .collect()
}

#[test]
fn one_dimension_three_cells_by_hand() -> R {
    // Boundary overlaps (0.3, 0.9) are forced to 0, as the original code does.
    let dec = Decomposition::from_edges(&[vec![0.0, 1.0, 2.0, 3.0]], &[vec![0.3, 0.4, 0.6, 0.9]])?;
    assert_eq!((dec.dim(), dec.len(), dec.n_levels()), (1, 3, 1));
    assert_eq!(
        boxes(&dec),
        vec![
            (vec![0.0], vec![1.2]),
            (vec![0.8], vec![2.3]),
            (vec![1.7], vec![3.0])
        ]
    );
    let c: Vec<_> = dec.subdomains().iter().map(|s| s.centre()[0]).collect();
    let s: Vec<_> = dec.subdomains().iter().map(|s| s.half_width()[0]).collect();
    assert_eq!(c, vec![0.5, 1.5, 2.5]);
    assert_eq!(s, vec![0.5, 0.5, 0.5]);
    for (j, sd) in dec.subdomains().iter().enumerate() {
        assert_eq!((sd.index(), sd.level()), (j, 0));
        assert!(matches!(sd.window(), Window::Sigmoid(_)));
    }
    assert_eq!((dec.lo(), dec.hi()), (&[0.0][..], &[3.0][..]));
    assert_eq!(dec.covering(&[1.0])?.collect::<Vec<_>>(), vec![0, 1]);
    assert_eq!(dec.covering(&[1.2])?.collect::<Vec<_>>(), vec![0, 1]); // closed support
    assert_eq!(dec.covering(&[1.25])?.collect::<Vec<_>>(), vec![1]);
    assert_eq!(dec.covering(&[2.0])?.collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(dec.covering(&[3.5])?.count(), 0); // outside the domain: allowed, uncovered
    Ok(())
}

#[test]
fn two_dimensions_two_by_two_by_hand() -> R {
    let dec = Decomposition::from_edges(
        &[vec![0.0, 1.0, 2.0], vec![0.0, 2.0, 4.0]],
        &[vec![0.0, 0.5, 0.0], vec![0.0, 1.0, 0.0]],
    )?;
    // First dimension slowest.
    assert_eq!(
        boxes(&dec),
        vec![
            (vec![0.0, 0.0], vec![1.25, 2.5]),
            (vec![0.0, 1.5], vec![1.25, 4.0]),
            (vec![0.75, 0.0], vec![2.0, 2.5]),
            (vec![0.75, 1.5], vec![2.0, 4.0]),
        ]
    );
    let centres: Vec<_> = dec
        .subdomains()
        .iter()
        .map(|s| s.centre().to_vec())
        .collect();
    assert_eq!(
        centres,
        vec![
            vec![0.5, 1.0],
            vec![0.5, 3.0],
            vec![1.5, 1.0],
            vec![1.5, 3.0]
        ]
    );
    for s in dec.subdomains() {
        assert_eq!(s.half_width(), &[0.5, 1.0]);
    }
    assert_eq!(
        dec.covering(&[1.0, 2.0])?.collect::<Vec<_>>(),
        vec![0, 1, 2, 3]
    );
    assert_eq!(dec.covering(&[1.0, 0.5])?.collect::<Vec<_>>(), vec![0, 2]);
    assert_eq!(dec.covering(&[0.1, 3.9])?.collect::<Vec<_>>(), vec![1]);
    Ok(())
}

#[test]
fn edge_helpers_by_hand() -> R {
    assert_eq!(
        uniform_edges(-1.0, 1.0, 4)?,
        vec![-1.0, -0.5, 0.0, 0.5, 1.0]
    );
    let pi2 = 2.0 * std::f64::consts::PI;
    let e = uneven_edges(-pi2, pi2, &[2.0, 3.0, 2.0, 4.0, 3.0])?;
    let unit = 2.0 * pi2 / 14.0;
    let want = [
        -pi2,
        -pi2 + 2.0 * unit,
        -pi2 + 5.0 * unit,
        -pi2 + 7.0 * unit,
        -pi2 + 11.0 * unit,
        pi2,
    ];
    assert_eq!(e.len(), 6);
    for (a, b) in e.iter().zip(want) {
        assert!((a - b).abs() <= 4.0 * f64::EPSILON * pi2, "{a} vs {b}");
    }
    let o = overlap_from_width(&e, 0.7)?;
    assert_eq!(o.len(), 6);
    for v in &o {
        assert!((v - 0.7 * 2.0 * unit).abs() <= 1e-14);
    }
    // The paper's 5-uneven decomposition is accepted.
    let dec = Decomposition::from_edges(&[e], &[o])?;
    assert_eq!(dec.len(), 5);
    Ok(())
}

#[test]
fn from_centres_by_hand() -> R {
    let dec = Decomposition::from_centres(
        &[0.0, 0.0],
        &[1.0, 2.0],
        &[vec![0.0, 1.0], vec![1.0]],
        &[vec![1.5, 1.5], vec![2.5]],
    )?;
    assert_eq!(
        boxes(&dec),
        vec![
            (vec![-0.75, -0.25], vec![0.75, 2.25]),
            (vec![0.25, -0.25], vec![1.75, 2.25]),
        ]
    );
    assert_eq!(dec.subdomains()[1].centre(), &[1.0, 1.0]);
    assert_eq!(dec.subdomains()[1].half_width(), &[0.75, 1.25]);
    assert!(matches!(dec.subdomains()[0].window(), Window::Cosine(_)));
    // One subdomain covering the domain: window ≡ 1 (the library's flag).
    let one = Decomposition::from_centres(&[0.0], &[1.0], &[vec![0.5]], &[vec![1.0]])?;
    assert_eq!(one.subdomains()[0].window(), &Window::One);
    let one = Decomposition::from_edges(&[vec![0.0, 1.0]], &[vec![0.0, 0.0]])?;
    assert_eq!(one.subdomains()[0].window(), &Window::One);
    Ok(())
}

#[test]
fn multilevel_three_levels_in_two_dimensions() -> R {
    let dec = Decomposition::multilevel(&[0.0, 0.0], &[1.0, 1.0], 3, 1.9)?;
    assert_eq!((dec.len(), dec.n_levels()), (21, 3));
    let counts: Vec<usize> = (0..3).map(|l| dec.level(l).count()).collect();
    assert_eq!(counts, vec![1, 4, 16]);
    assert_eq!(dec.level(3).count(), 0);
    // Level 0: centre (0.5, 0.5), width 1.9, window ≡ 1.
    let s0 = &dec.subdomains()[0];
    assert_eq!(
        (s0.level(), s0.centre(), s0.half_width()),
        (0, &[0.5, 0.5][..], &[0.95, 0.95][..])
    );
    assert_eq!(
        (s0.lo(), s0.hi()),
        (&[0.5 - 0.95; 2][..], &[0.5 + 0.95; 2][..])
    );
    assert_eq!(s0.window(), &Window::One);
    // Level 1: centres {0, 1} per dimension, width 1.9 · 1.
    let l1: Vec<_> = dec
        .level(1)
        .map(|s| (s.index(), s.centre().to_vec()))
        .collect();
    assert_eq!(
        l1,
        vec![
            (1, vec![0.0, 0.0]),
            (2, vec![0.0, 1.0]),
            (3, vec![1.0, 0.0]),
            (4, vec![1.0, 1.0])
        ]
    );
    for s in dec.level(1) {
        assert_eq!(s.half_width(), &[0.95, 0.95]);
        assert!(matches!(s.window(), Window::Cosine(_)));
    }
    assert_eq!(
        dec.subdomains()[4].lo(),
        &[0.050000000000000044, 0.050000000000000044]
    );
    // Level 2: centres {0, 1/3, 2/3, 1}, width 1.9/3.
    let third = 1.0 / 3.0;
    let cs = [0.0, third, 2.0 * third, 1.0];
    for (k, s) in dec.level(2).enumerate() {
        assert_eq!(s.index(), 5 + k);
        let (a, b) = (k / 4, k % 4);
        assert_eq!(s.centre(), &[cs[a], cs[b]]);
        assert_eq!(s.half_width(), &[1.9 * third / 2.0; 2]);
        assert_eq!(
            s.lo(),
            &[cs[a] - 1.9 * third / 2.0, cs[b] - 1.9 * third / 2.0]
        );
        assert_eq!(
            s.hi(),
            &[cs[a] + 1.9 * third / 2.0, cs[b] + 1.9 * third / 2.0]
        );
    }
    // A general box: level 1 centres at the corners, level 0 at the middle.
    let dec = Decomposition::multilevel(&[-1.0, 2.0], &[3.0, 4.0], 2, 1.5)?;
    assert_eq!(dec.subdomains()[0].centre(), &[1.0, 3.0]);
    assert_eq!(dec.subdomains()[0].half_width(), &[3.0, 1.5]);
    assert_eq!(dec.subdomains()[2].centre(), &[-1.0, 4.0]);
    assert_eq!(dec.subdomains()[2].half_width(), &[3.0, 1.5]);
    Ok(())
}

/// A regular `n × n` grid of the box including its boundary.
fn grid(lo: &[f64], hi: &[f64], n: usize) -> Vec<f64> {
    let mut p = Vec::new();
    for i in 0..n {
        for j in 0..n {
            p.push(lo[0] + (hi[0] - lo[0]) * i as f64 / (n - 1) as f64);
            p.push(lo[1] + (hi[1] - lo[1]) * j as f64 / (n - 1) as f64);
        }
    }
    p
}

fn decompositions_2d() -> pinn::Result<Vec<Decomposition>> {
    let ex = uneven_edges(-1.0, 1.0, &[2.0, 3.0, 2.0, 4.0, 3.0])?;
    let ey = uniform_edges(0.0, 1.0, 3)?;
    let (ox, oy) = (overlap_from_width(&ex, 0.7)?, overlap_from_width(&ey, 0.9)?);
    Ok(vec![
        Decomposition::from_edges(&[ex, ey], &[ox, oy])?,
        Decomposition::from_centres(
            &[0.0, 0.0],
            &[1.0, 2.0],
            &[vec![0.0, 0.4, 1.0], vec![0.0, 1.0, 2.0]],
            &[vec![0.9, 0.9, 1.3], vec![1.1, 1.1, 1.1]],
        )?,
        Decomposition::multilevel(&[-1.0, 0.0], &[1.0, 1.0], 4, 1.1)?,
    ])
}

/// Every point of a 101 × 101 grid of the domain (boundary included) is covered by at least
/// one subdomain of each level.
#[test]
fn every_grid_point_is_covered_on_every_level() -> R {
    for dec in decompositions_2d()? {
        let pts = grid(dec.lo(), dec.hi(), 101);
        for x in pts.chunks(2) {
            let mut seen = vec![false; dec.n_levels()];
            for j in dec.covering(x)? {
                seen[dec.subdomains()[j].level()] = true;
            }
            assert!(seen.iter().all(|&s| s), "{x:?} uncovered on some level");
        }
    }
    Ok(())
}

/// `cover` and `covering` agree with a brute-force interval check, on points inside and
/// outside the domain (a small LCG; reproducible).
#[test]
fn cover_agrees_with_brute_force() -> R {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for dec in decompositions_2d()? {
        let mut pts = Vec::new();
        for _ in 0..2000 {
            for d in 0..2 {
                let (l, h) = (dec.lo()[d], dec.hi()[d]);
                pts.push(l - 0.3 * (h - l) + 1.6 * (h - l) * uniform());
            }
        }
        // Exact support ends too (closed intervals).
        for s in dec.subdomains() {
            pts.extend_from_slice(s.lo());
            pts.extend_from_slice(s.hi());
        }
        let cov = dec.cover(&pts, 2)?;
        assert_eq!(cov.len(), dec.len());
        for (j, s) in dec.subdomains().iter().enumerate() {
            let brute: Vec<usize> = (0..pts.len() / 2)
                .filter(|&p| {
                    let x = &pts[2 * p..2 * p + 2];
                    (0..2).all(|d| s.lo()[d] <= x[d] && x[d] <= s.hi()[d])
                })
                .collect();
            assert_eq!(cov[j], brute, "subdomain {j}");
        }
        for (p, x) in pts.chunks(2).enumerate() {
            let listed: Vec<usize> = dec.covering(x)?.collect();
            let from_cover: Vec<usize> = (0..dec.len()).filter(|&j| cov[j].contains(&p)).collect();
            assert_eq!(listed, from_cover);
        }
    }
    Ok(())
}

#[test]
fn invalid_edges_and_overlaps_name_the_field() {
    let ok_o = vec![0.0, 0.5, 0.0];
    let fe = |e: Vec<f64>, o: Vec<f64>| Decomposition::from_edges(&[e], &[o]);
    assert_eq!(field(Decomposition::from_edges(&[], &[])), "edges");
    assert_eq!(field(fe(vec![0.0], vec![0.0])), "edges");
    assert_eq!(field(fe(vec![], vec![])), "edges");
    assert_eq!(field(fe(vec![0.0, f64::NAN, 2.0], ok_o.clone())), "edges");
    assert_eq!(
        field(fe(vec![0.0, 1.0, f64::INFINITY], ok_o.clone())),
        "edges"
    );
    assert_eq!(field(fe(vec![0.0, 1.0, 1.0], ok_o.clone())), "edges");
    assert_eq!(field(fe(vec![0.0, 2.0, 1.0], ok_o.clone())), "edges");
    let e = vec![0.0, 1.0, 2.0];
    assert_eq!(field(fe(e.clone(), vec![0.0, 0.5])), "overlaps");
    assert_eq!(field(fe(e.clone(), vec![0.0, -0.5, 0.0])), "overlaps");
    assert_eq!(field(fe(e.clone(), vec![0.0, 0.0, 0.0])), "overlaps");
    assert_eq!(field(fe(e.clone(), vec![0.0, f64::NAN, 0.0])), "overlaps");
    assert_eq!(field(fe(e.clone(), vec![f64::NAN, 0.5, 0.0])), "overlaps");
    assert_eq!(field(fe(e.clone(), vec![0.0, 0.5, -1.0])), "overlaps");
    // The rule: o_j ≤ 2·min(adjacent cells); 2.0 is allowed, just above is not.
    assert!(fe(e.clone(), vec![0.0, 2.0, 0.0]).is_ok());
    assert_eq!(
        field(fe(e.clone(), vec![0.0, 2.0 + 1e-12, 0.0])),
        "overlaps"
    );
    assert_eq!(
        field(fe(vec![0.0, 1.0, 5.0], vec![0.0, 2.5, 0.0])),
        "overlaps"
    );
    assert_eq!(
        field(Decomposition::from_edges(
            &[e.clone(), e.clone()],
            std::slice::from_ref(&ok_o)
        )),
        "overlaps"
    );
    // Too many subdomains: an error, not an allocation.
    let big = uniform_edges(0.0, 1.0, 1 << 11).unwrap();
    let big_o = overlap_from_width(&big, 0.5).unwrap();
    const { assert!((1usize << 22) > MAX_SUBDOMAINS) };
    assert_eq!(
        field(Decomposition::from_edges(
            &[big.clone(), big],
            &[big_o.clone(), big_o]
        )),
        "edges"
    );
}

#[test]
fn invalid_helpers_name_the_field() {
    assert_eq!(field(uniform_edges(0.0, 1.0, 0)), "n");
    assert_eq!(field(uniform_edges(1.0, 1.0, 3)), "edges");
    assert_eq!(field(uniform_edges(f64::NAN, 1.0, 3)), "edges");
    assert_eq!(field(uneven_edges(0.0, 1.0, &[])), "lengths");
    assert_eq!(field(uneven_edges(0.0, 1.0, &[1.0, -1.0])), "lengths");
    assert_eq!(field(uneven_edges(0.0, 1.0, &[1.0, f64::NAN])), "lengths");
    assert_eq!(
        field(uneven_edges(0.0, 1.0, &[f64::MAX, f64::MAX])),
        "lengths"
    );
    assert_eq!(field(uneven_edges(2.0, 1.0, &[1.0])), "edges");
    assert_eq!(field(overlap_from_width(&[0.0, 1.0], -0.5)), "width");
    assert_eq!(field(overlap_from_width(&[0.0, 1.0], f64::NAN)), "width");
    assert_eq!(field(overlap_from_width(&[1.0, 0.0], 0.5)), "edges");
    assert_eq!(field(overlap_from_width(&[], 0.5)), "edges");
}

#[test]
fn invalid_centres_and_widths_name_the_field() {
    let fc = |c: Vec<f64>, w: Vec<f64>| Decomposition::from_centres(&[0.0], &[1.0], &[c], &[w]);
    assert_eq!(
        field(Decomposition::from_centres(&[], &[], &[], &[])),
        "domain"
    );
    assert_eq!(
        field(Decomposition::from_centres(
            &[1.0],
            &[0.0],
            &[vec![0.5]],
            &[vec![2.0]]
        )),
        "domain"
    );
    assert_eq!(
        field(Decomposition::from_centres(
            &[f64::NAN],
            &[1.0],
            &[vec![0.5]],
            &[vec![2.0]]
        )),
        "domain"
    );
    assert!(is_mismatch(Decomposition::from_centres(
        &[0.0],
        &[1.0, 1.0],
        &[vec![0.5]],
        &[vec![2.0]]
    )));
    assert_eq!(
        field(Decomposition::from_centres(
            &[0.0],
            &[1.0],
            &[],
            &[vec![2.0]]
        )),
        "centres"
    );
    assert_eq!(
        field(Decomposition::from_centres(
            &[0.0],
            &[1.0],
            &[vec![0.5]],
            &[]
        )),
        "widths"
    );
    assert_eq!(field(fc(vec![], vec![])), "centres");
    assert_eq!(field(fc(vec![f64::NAN], vec![2.0])), "centres");
    assert_eq!(field(fc(vec![0.5], vec![-2.0])), "widths");
    assert_eq!(field(fc(vec![0.5], vec![f64::INFINITY])), "widths");
    assert_eq!(field(fc(vec![0.0, 1.0], vec![1.5])), "widths");
    // Gaps: two supports [−0.25, 0.25], [0.75, 1.25]; one support not reaching the ends;
    // supports that only touch (the shared end point is in no interior).
    assert_eq!(field(fc(vec![0.0, 1.0], vec![0.5, 0.5])), "widths");
    assert_eq!(field(fc(vec![0.5], vec![0.9])), "widths");
    assert_eq!(field(fc(vec![0.0, 1.0], vec![1.0, 1.0])), "widths");
    assert!(fc(vec![0.0, 1.0], vec![1.0 + 1e-9, 1.0 + 1e-9]).is_ok());
    assert!(fc(vec![0.5], vec![1.0]).is_ok()); // a single closed support equal to the domain
    // A support ending exactly at the domain boundary leaves it in no interior.
    assert_eq!(field(fc(vec![0.25, 0.75], vec![0.5, 0.6])), "widths");
}

#[test]
fn invalid_multilevel_names_the_field() {
    let ml = |levels: usize, r: f64| Decomposition::multilevel(&[0.0, 0.0], &[1.0, 1.0], levels, r);
    assert_eq!(field(ml(0, 1.9)), "levels");
    assert_eq!(field(ml(3, f64::NAN)), "overlap_ratio");
    assert_eq!(field(ml(3, -1.9)), "overlap_ratio");
    assert_eq!(field(ml(3, 0.0)), "overlap_ratio");
    assert_eq!(field(ml(1, 0.99)), "overlap_ratio"); // level 0 does not reach the corners
    assert!(ml(1, 1.0).is_ok());
    assert_eq!(field(ml(2, 1.0)), "overlap_ratio"); // level 1's supports only touch
    assert!(ml(2, 1.0 + 1e-9).is_ok());
    assert_eq!(field(ml(64, 1.9)), "levels");
    assert_eq!(field(ml(usize::MAX, 1.9)), "levels");
    assert_eq!(
        field(Decomposition::multilevel(&[0.0; 3], &[1.0; 3], 8, 1.9)),
        "levels"
    );
    assert_eq!(
        field(Decomposition::multilevel(&[0.0], &[0.0], 2, 1.9)),
        "domain"
    );
}

#[test]
fn invalid_points_are_errors() -> R {
    let dec = Decomposition::multilevel(&[0.0, 0.0], &[1.0, 1.0], 2, 1.9)?;
    assert!(is_mismatch(dec.covering(&[0.5]).map(|c| c.count())));
    assert_eq!(
        field(dec.covering(&[0.5, f64::NAN]).map(|c| c.count())),
        "points"
    );
    assert!(is_mismatch(dec.cover(&[0.5, 0.5], 3)));
    assert!(is_mismatch(dec.cover(&[0.5, 0.5, 0.5], 2)));
    assert_eq!(field(dec.cover(&[0.5, f64::INFINITY], 2)), "points");
    assert_eq!(dec.cover(&[], 2)?, vec![Vec::<usize>::new(); 5]);
    Ok(())
}
