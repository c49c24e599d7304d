//! The optional GPU path (cargo feature `wgpu`): a [`Model`](crate::model::Model) whose jets,
//! reverse sweep and parameter gradient run as WGSL compute shaders on any adapter wgpu finds
//! (Vulkan, Metal, DX12; in CI, Mesa's software Vulkan driver lavapipe).
//!
//! [`GpuGraph`] runs a network graph on the device — a
//! [`Graph::mlp`](crate::ad::jet::Graph::mlp) with `tanh`, the
//! [modified MLP](crate::nets::modified_mlp), an input normalisation, Fourier features, a
//! periodic embedding — node by node: per chunk of points, the input jet, each node's jet rule
//! (one product per dense layer and slot of the jet, the activations' rules, the product rule
//! for `⊙`, sums, concatenations), and the asked components gathered
//! into the values the loss assembly reads; then, from the assembly's seeds, the reverse
//! sweep down the nodes (adjoints zeroed, then added to in reverse node order) and the
//! parameter gradient. What crosses the bus per chunk: `θ` and the points down,
//! the values up; the seeds down, the gradient up. The residuals and the optimizer stay on the
//! host (the [model seam](crate::model) is host slices); moving them to the device is the next
//! step, and the trainer, strategies and checkpoints work unchanged meanwhile.
//!
//! `f32` runs everywhere; `f64` where the adapter offers 64-bit floats in shaders
//! ([`GpuContext::supports_f64`]), else [`Error::Device`]. Every kernel
//! sums in a fixed order and each invocation owns what it writes (no atomics, no float
//! reductions across invocations), so a run gives the same bits from run to run on one
//! adapter and driver (not across adapters: their `tanh` and fused multiply-adds differ).
//!
//! ```no_run
//! use pinn::ad::{jet::Graph, Elementary};
//! use pinn::gpu::{GpuContext, GpuGraph};
//! let ctx = GpuContext::new()?;
//! println!("{}", ctx.adapter());
//! let net = GpuGraph::new(&ctx, Graph::mlp(&[2, 32, 32, 1], Elementary::Tanh)?)?;
//! // Trainer::<_, f32, _>::builder(net, pde) … as with a Graph.
//! # Ok::<(), pinn::Error>(())
//! ```

mod graph;
mod shaders;

use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};

pub use graph::{GpuGraph, GpuWorkspace};

/// An adapter, its device and queue, shared by the models that run on it.
#[derive(Debug)]
pub struct GpuContext {
    pub(crate) device: wgpu::Device,
    pub(crate) queue: wgpu::Queue,
    info: wgpu::AdapterInfo,
    f64: bool,
    /// The first error the device reported outside a call that returns one.
    errors: Arc<Mutex<Option<String>>>,
}

fn device_error(reason: impl Into<String>) -> Error {
    Error::Device {
        reason: reason.into(),
    }
}

impl GpuContext {
    /// The first adapter wgpu finds (preferring a discrete GPU), with 64-bit floats in shaders
    /// if it offers them.
    ///
    /// # Errors
    ///
    /// [`Error::Device`] if there is no adapter, or its device cannot be opened.
    pub fn new() -> Result<Arc<Self>> {
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle());
        let options = wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            ..Default::default()
        };
        let adapter = pollster::block_on(instance.request_adapter(&options)).map_err(|e| {
            device_error(format!(
                "no GPU adapter found ({e}); on Linux without a GPU, Mesa's software Vulkan \
                 driver (Debian/Ubuntu: mesa-vulkan-drivers) provides one"
            ))
        })?;
        let f64 = adapter.features().contains(wgpu::Features::SHADER_F64);
        let features = if f64 {
            wgpu::Features::SHADER_F64
        } else {
            wgpu::Features::empty()
        };
        let mut limits = wgpu::Limits::default();
        limits.max_storage_buffer_binding_size = adapter.limits().max_storage_buffer_binding_size;
        limits.max_buffer_size = adapter.limits().max_buffer_size;
        limits.max_storage_buffers_per_shader_stage = 8;
        let descriptor = wgpu::DeviceDescriptor {
            label: Some("pinn"),
            required_features: features,
            required_limits: limits,
            experimental_features: wgpu::ExperimentalFeatures::default(),
            memory_hints: wgpu::MemoryHints::Performance,
            trace: wgpu::Trace::Off,
        };
        let (device, queue) = pollster::block_on(adapter.request_device(&descriptor))
            .map_err(|e| device_error(format!("could not open the adapter's device: {e}")))?;
        let errors = Arc::new(Mutex::new(None));
        let sink = errors.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            let mut first = sink.lock().unwrap_or_else(|p| p.into_inner());
            first.get_or_insert_with(|| e.to_string());
        }));
        Ok(Arc::new(GpuContext {
            device,
            queue,
            info: adapter.get_info(),
            f64,
            errors,
        }))
    }

    /// The adapter: its name, device type and backend, e.g. `llvmpipe (LLVM 15.0.6, 256 bits)
    /// (Cpu, Vulkan)`.
    pub fn adapter(&self) -> String {
        format!(
            "{} ({:?}, {:?})",
            self.info.name, self.info.device_type, self.info.backend
        )
    }

    /// Whether shaders may use 64-bit floats here (so `f64` models can run).
    pub fn supports_f64(&self) -> bool {
        self.f64
    }

    /// The first error the device reported since the last check, as an [`Error::Device`].
    pub(crate) fn check(&self) -> Result<()> {
        let mut first = self.errors.lock().unwrap_or_else(|p| p.into_inner());
        match first.take() {
            Some(e) => Err(device_error(e)),
            None => Ok(()),
        }
    }
}
