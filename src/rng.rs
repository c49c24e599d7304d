//! Seeded, portable random streams.
//!
//! Every random number in the crate comes from a [`Seed`]: a `u64` that derives child seeds by
//! SplitMix64 (`seed.derive(step).derive(chunk)`) and turns into a `Xoshiro256PlusPlus`
//! generator. The streams are the same on every platform and thread count.
//!
//! ```
//! use pinn::rng::Seed;
//! let mut a = Seed(7).derive(1).rng();
//! let mut b = Seed(7).derive(1).rng();
//! assert_eq!(pinn::rng::uniform(&mut a), pinn::rng::uniform(&mut b));
//! ```

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator behind every stream.
pub type Rng64 = Xoshiro256PlusPlus;

/// A 64-bit seed from which independent streams are derived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Seed(pub u64);

/// One step of SplitMix64 (Steele, Lea & Flood 2014): a bijective mix of a 64-bit word.
pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Seed {
    /// A child seed for sub-stream `index` (a step, a chunk, a layer…).
    pub fn derive(self, index: u64) -> Seed {
        Seed(splitmix64(splitmix64(self.0) ^ index))
    }

    /// The generator for this seed (Xoshiro256++ seeded through SplitMix64).
    pub fn rng(self) -> Rng64 {
        Rng64::seed_from_u64(self.0)
    }
}

/// A uniform `f64` in `[0, 1)` with 53 random bits.
pub fn uniform(rng: &mut Rng64) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A standard normal `f64` by the Box–Muller transform (one draw uses two uniforms).
pub fn standard_normal(rng: &mut Rng64) -> f64 {
    let u1 = 1.0 - uniform(rng); // in (0, 1]: ln is finite
    let u2 = uniform(rng);
    (-2.0 * u1.ln()).sqrt() * (core::f64::consts::TAU * u2).cos()
}
