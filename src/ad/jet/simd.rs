//! Elementwise kernels compiled once per instruction set, and run on the widest one the CPU
//! has, chosen at run time.
//!
//! The crate is built for the baseline of its target (on x86-64: SSE2, two `f64` lanes), so a
//! plain loop over a jet block vectorises two or four lanes wide at best, and the activation
//! passes were a quarter of a training step. [`per_instruction_set!`] wraps a function body in
//! a [`pulp::WithSimd`] operation, which [`pulp::Arch::dispatch`] compiles once per instruction
//! set (AVX-512, AVX2 + FMA, baseline on x86-64; NEON on AArch64) and runs on the best one
//! available: the compiler then vectorises the same safe loops 8 or 16 lanes wide, with no
//! `-C target-cpu=native`, and `#![forbid(unsafe_code)]` holds (calling a function compiled for
//! a detected instruction set is pulp's `unsafe`, not ours).
//!
//! **Same bits on every instruction set.** Rust never contracts `a·b + c` into a fused
//! multiply-add on its own, and vectorising a loop whose iterations are independent does not
//! reorder any element's arithmetic; so every kernel defined this way returns the same bits
//! whichever instruction set runs it. A loop that *reduces* across iterations is not reordered
//! either: floating-point addition is not associative, so the compiler keeps it sequential.
//! The kernels' tests run each of them on every instruction set the CPU has (`with_arch`,
//! `every_arch`) and compare bit for bit.
//!
//! Everything the body calls must be `#[inline(always)]` to be compiled with the instruction
//! set's features (a call that is not inlined runs the baseline build).

/// Defines `fn name<'a, T: Real>(args) { body }` whose body runs compiled for the best
/// instruction set the CPU has (see the [module docs](self)). Every reference argument takes
/// the lifetime `'a`; the function returns nothing.
macro_rules! per_instruction_set {
    (
        $(#[$attr:meta])*
        $vis:vis fn $name:ident<$lt:lifetime, T: Real>($($arg:ident: $ty:ty),* $(,)?) $body:block
    ) => {
        $(#[$attr])*
        $vis fn $name<$lt, T: Real>($($arg: $ty),*) {
            struct Op<$lt, T> {
                $($arg: $ty),*
            }
            impl<$lt, T: Real> pulp::WithSimd for Op<$lt, T> {
                type Output = ();
                #[inline(always)]
                fn with_simd<S: pulp::Simd>(self, _: S) {
                    let Op { $($arg),* } = self;
                    $body
                }
            }
            $crate::ad::jet::simd::arch().dispatch(Op { $($arg),* })
        }
    };
}

pub(crate) use per_instruction_set;

/// The instruction set the elementwise kernels and the tiled products run on: the best the CPU
/// has, or in the crate's own tests the one `with_arch` chose for this thread.
#[inline]
pub(crate) fn arch() -> pulp::Arch {
    #[cfg(test)]
    if let Some(a) = FORCED.with(|f| f.get()) {
        return a;
    }
    pulp::Arch::new()
}

#[cfg(test)]
thread_local! {
    static FORCED: core::cell::Cell<Option<pulp::Arch>> = const { core::cell::Cell::new(None) };
}

/// Runs `f` with this thread's kernels on `a` (tests only).
#[cfg(test)]
pub(crate) fn with_arch<R>(a: pulp::Arch, f: impl FnOnce() -> R) -> R {
    FORCED.with(|c| c.set(Some(a)));
    let r = f();
    FORCED.with(|c| c.set(None));
    r
}

/// Every instruction set this CPU has, by name (tests only).
#[cfg(test)]
pub(crate) fn every_arch() -> Vec<(&'static str, pulp::Arch)> {
    let mut v = vec![("scalar", pulp::Arch::Scalar)];
    #[cfg(target_arch = "x86_64")]
    {
        if let Some(v3) = pulp::x86::V3::try_new() {
            v.push(("avx2", pulp::Arch::V3(v3)));
        }
        if let Some(v4) = pulp::x86::V4::try_new() {
            v.push(("avx512", pulp::Arch::V4(v4)));
        }
    }
    #[cfg(target_arch = "aarch64")]
    if let Some(neon) = pulp::aarch64::Neon::try_new() {
        v.push(("neon", pulp::Arch::Neon(neon)));
    }
    v
}
