//! Exports: NPY bytes against hand-built files (the bytes `numpy.save` writes), CSV round
//! trips bit for bit, predictions on a grid and the loss history.

mod common;

use common::scratch;
use pinn::Error;
use pinn::domain::BoxDomain;
use pinn::train::export::{
    csv_string, history_csv, npy_bytes, parse_csv, read_csv, write_csv, write_history_csv,
};

/// The header `numpy.save` writes: the dictionary, spaces, a newline, 118 bytes in all (so
/// the data start at byte 128).
fn numpy_header(dict: &str) -> Vec<u8> {
    let mut h = b"\x93NUMPY\x01\x00\x76\x00".to_vec();
    h.extend_from_slice(dict.as_bytes());
    h.extend(std::iter::repeat_n(b' ', 117 - dict.len()));
    h.push(b'\n');
    assert_eq!(h.len(), 128);
    h
}

#[test]
fn npy_matches_hand_built_files() {
    // numpy.save(f, numpy.array([1.5, -2.0], dtype=numpy.float32))
    let mut want = numpy_header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }");
    want.extend_from_slice(&[0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0]);
    assert_eq!(npy_bytes(&[1.5f32, -2.0], &[2]).unwrap(), want);

    // numpy.save(f, numpy.arange(6.0).reshape(2, 3))
    let mut want = numpy_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }");
    for v in 0..6 {
        want.extend_from_slice(&f64::from(v).to_le_bytes());
    }
    let data: Vec<f64> = (0..6).map(f64::from).collect();
    assert_eq!(npy_bytes(&data, &[2, 3]).unwrap(), want);

    // A 0-d array and an empty one.
    let mut want = numpy_header("{'descr': '<f8', 'fortran_order': False, 'shape': (), }");
    want.extend_from_slice(&3.0f64.to_le_bytes());
    assert_eq!(npy_bytes(&[3.0f64], &[]).unwrap(), want);
    let want = numpy_header("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 4), }");
    assert_eq!(npy_bytes::<f64>(&[], &[0, 4]).unwrap(), want);

    // Every header is 64-byte aligned, whatever the shape.
    for rank in 0..12 {
        let shape = vec![1usize; rank];
        let b = npy_bytes(&[1.0f64], &shape).unwrap();
        let hlen = u16::from_le_bytes([b[8], b[9]]) as usize;
        assert_eq!((10 + hlen) % 64, 0);
        assert_eq!(b[9 + hlen], b'\n');
    }

    // Shape and data that disagree.
    assert!(matches!(
        npy_bytes(&[1.0f64; 5], &[2, 3]),
        Err(Error::DimensionMismatch {
            expected: 6,
            found: 5,
            ..
        })
    ));
    assert!(npy_bytes(&[1.0f64], &[usize::MAX, 2]).is_err());
}

#[test]
fn csv_round_trips_bit_for_bit() {
    let values = [
        0.0,
        -0.0,
        1.0 / 3.0,
        -2.5e-300,
        f64::MIN_POSITIVE / 8.0, // subnormal
        f64::MAX,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        0.1 + 0.2,
        std::f64::consts::PI,
        1e22,
    ];
    let header = ["x", "u, \"quoted\"", "plain"];
    let dir = scratch("csv");
    let path = dir.join("t.csv");
    write_csv(&path, &header, &values).unwrap();
    let (h, data) = read_csv(&path).unwrap();
    assert_eq!(h, header);
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&data), bits(&values));
    assert!(csv_string(&["a", "b"], &[1.0]).is_err());
    assert!(csv_string(&[], &[]).is_err());
    assert!(csv_string(&["line\nbreak"], &[1.0]).is_err());
    for bad in ["a,b\n1,2\n3\n", "a\nx\n", "\"a\n1\n"] {
        assert!(
            matches!(parse_csv(bad), Err(Error::Format { .. })),
            "{bad:?}"
        );
    }
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn grid_predictions_and_history_export() {
    let dir = scratch("export");
    let mut t = common::config::<f64>(1, 5, 0).build().unwrap();
    let report = t.run().unwrap();
    let bounds = BoxDomain::new(&[0.0], &[1.0]).unwrap();
    let pred = t.predict_grid(&bounds, &[11]).unwrap();
    assert_eq!((pred.len(), pred.dim(), pred.shape()), (11, 1, vec![11, 1]));
    assert_eq!(pred.points[10], 1.0);
    assert_eq!(pred.values, t.predict(&pred.points).unwrap());

    pred.write_csv(dir.join("u.csv")).unwrap();
    let (h, data) = read_csv(dir.join("u.csv")).unwrap();
    assert_eq!(h, ["x0", "u0"]);
    let pairs: Vec<f64> = pred
        .points
        .iter()
        .zip(&pred.values)
        .flat_map(|(&x, &u)| [x, u])
        .collect();
    assert_eq!(data, pairs);

    pred.write_npy(dir.join("u.npy")).unwrap();
    let npy = std::fs::read(dir.join("u.npy")).unwrap();
    assert_eq!(npy, npy_bytes(&pred.values, &[11, 1]).unwrap());
    assert!(String::from_utf8_lossy(&npy[..128]).contains("'shape': (11, 1)"));
    pred.write_npy_f32(dir.join("u32.npy")).unwrap();
    assert_eq!(
        std::fs::read(dir.join("u32.npy")).unwrap().len(),
        128 + 11 * 4
    );

    // Wrong grids are typed errors.
    assert!(t.predict_grid(&bounds, &[11, 3]).is_err());
    assert!(t.predict_grid(&bounds, &[1]).is_err());
    let square = BoxDomain::unit(2).unwrap();
    assert!(t.predict_grid(&square, &[3, 3]).is_err());

    // The loss history, bit for bit.
    let names = t.term_names();
    assert_eq!(names, ["pde", "boundary"]);
    write_history_csv(dir.join("h.csv"), &report.history, &names).unwrap();
    let (h, data) = read_csv(dir.join("h.csv")).unwrap();
    assert_eq!(h, ["step", "loss", "pde", "boundary"]);
    assert_eq!(data.len(), 4 * report.history.len());
    for (row, r) in data.chunks(4).zip(&report.history) {
        assert_eq!(row[0], r.step as f64);
        assert_eq!(row[1].to_bits(), r.loss.to_bits());
        assert_eq!(row[2..], r.terms[..]);
    }
    assert!(history_csv(&report.history, &names[..1]).is_err());
    std::fs::remove_dir_all(dir).ok();
}
