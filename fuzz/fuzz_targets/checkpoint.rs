//! Fuzzes the checkpoint reader: any byte string must parse or return an error, never panic,
//! abort or allocate without bound. Inputs that parse must re-serialise to the same bytes.
//! Half of the runs first reseal the input (fix its length field and checksum), so the fuzzer
//! also reaches the body parser instead of stopping at the checksum.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pinn::train::Checkpoint;

/// FNV-1a 64, as the checkpoint format uses it.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn check(bytes: &[u8]) {
    if let Ok(c) = Checkpoint::<f64>::from_bytes(bytes) {
        assert_eq!(c.to_bytes(), bytes, "a parsed checkpoint re-serialises differently");
    }
    if let Ok(c) = Checkpoint::<f32>::from_bytes(bytes) {
        assert_eq!(c.to_bytes(), bytes, "a parsed checkpoint re-serialises differently");
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    // Reseal: the magic, version 1, the dtype from the input, the true length, the checksum.
    if let Some((&selector, body)) = data.split_first() {
        let mut b = b"PINNCKPT\x01\x00\x00\x00".to_vec();
        b.push(if selector & 1 == 0 { 8 } else { 4 });
        b.extend_from_slice(&((21 + body.len() + 8) as u64).to_le_bytes());
        b.extend_from_slice(body);
        let sum = fnv1a(&b);
        b.extend_from_slice(&sum.to_le_bytes());
        check(&b);
    }
});
