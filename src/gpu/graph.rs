//! [`GpuGraph`]: a network whose jets and gradient run on the device.

use std::sync::Arc;

use crate::ad::jet::{Component, Graph, NodeOp};
use crate::ad::{Elementary, Real};
use crate::error::{Error, Result};
use crate::model::{Batch, Model};
use crate::rng::Seed;

use super::shaders::{self, source};
use super::{GpuContext, device_error};

/// What a node computes on the device (node numbers are the graph's).
#[derive(Clone, Copy, Debug)]
enum Op {
    Input,
    /// `W a (+ b)`: `W` at `w`, `b` at `b` (if any), `a` of width `n_in`; in `θ`, or in the
    /// graph's constants if `constant` (an input normalisation, a fixed embedding).
    Dense {
        a: usize,
        n_in: usize,
        w: usize,
        b: Option<usize>,
        constant: bool,
    },
    /// An activation: 0 `tanh`, 1 `sin`, 2 `cos` (`shaders::ACTIVATION`).
    Unary {
        a: usize,
        f: usize,
    },
    /// `[a, b]`, feature-wise.
    Concat {
        a: usize,
        b: usize,
    },
    /// `α a + β b + γ` with `(α, β, γ)` at `coefs[3·k..]`; `b = a` (and `β = 0`) for a scale.
    Affine {
        a: usize,
        b: usize,
        k: usize,
    },
    Mul {
        a: usize,
        b: usize,
    },
    Param {
        offset: usize,
    },
}

impl Op {
    /// `at` (the node's sizes) with this node's offsets: a dense layer's input width and
    /// parameters, an affine node's coefficients, a vector's parameters.
    fn dims(self, at: Dims) -> Dims {
        match self {
            Op::Dense { n_in, w, b, .. } => Dims {
                n_in,
                w,
                b: b.unwrap_or(NONE),
                ..at
            },
            Op::Affine { k, .. } => Dims { w: 3 * k, ..at },
            Op::Param { offset } => Dims { w: offset, ..at },
            Op::Unary { f, .. } => Dims { b: f, ..at },
            _ => at,
        }
    }
}

/// The number of an activation the device computes (`shaders::ACTIVATION`).
fn activation(f: Elementary) -> Option<usize> {
    match f {
        Elementary::Tanh => Some(0),
        Elementary::Sin => Some(1),
        Elementary::Cos => Some(2),
        _ => None,
    }
}

/// The compiled kernels for one scalar type.
#[derive(Debug)]
struct Kernels {
    input: wgpu::ComputePipeline,
    dense: wgpu::ComputePipeline,
    act: wgpu::ComputePipeline,
    act_back: wgpu::ComputePipeline,
    copy_in: wgpu::ComputePipeline,
    copy_in_back: wgpu::ComputePipeline,
    dense_back_input: wgpu::ComputePipeline,
    dense_back_params: wgpu::ComputePipeline,
    affine: wgpu::ComputePipeline,
    axpy: wgpu::ComputePipeline,
    mul: wgpu::ComputePipeline,
    mul_back: wgpu::ComputePipeline,
    param: wgpu::ComputePipeline,
    param_grad: wgpu::ComputePipeline,
    gather: wgpu::ComputePipeline,
    scatter: wgpu::ComputePipeline,
}

impl Kernels {
    fn compile(device: &wgpu::Device, real: &str) -> Kernels {
        let make = |name: &str, kernel: &str| {
            let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(name),
                source: wgpu::ShaderSource::Wgsl(source(kernel, real).into()),
            });
            device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(name),
                layout: None,
                module: &module,
                entry_point: Some("main"),
                compilation_options: Default::default(),
                cache: None,
            })
        };
        Kernels {
            input: make("input_jet", shaders::INPUT_JET),
            dense: make("dense", shaders::DENSE),
            act: make("activation_jet", shaders::ACT_JET),
            act_back: make("activation_jet_back", shaders::ACT_JET_BACK),
            copy_in: make("copy_in", shaders::COPY_IN),
            copy_in_back: make("copy_in_back", shaders::COPY_IN_BACK),
            dense_back_input: make("dense_back_input", shaders::DENSE_BACK_INPUT),
            dense_back_params: make("dense_back_params", shaders::DENSE_BACK_PARAMS),
            affine: make("affine", shaders::AFFINE),
            axpy: make("axpy", shaders::AXPY),
            mul: make("mul_jet", shaders::MUL_JET),
            mul_back: make("mul_jet_back", shaders::MUL_JET_BACK),
            param: make("param", shaders::PARAM),
            param_grad: make("param_grad", shaders::PARAM_GRAD),
            gather: make("gather", shaders::GATHER),
            scatter: make("scatter", shaders::SCATTER),
        }
    }
}

/// A network run on a GPU: the same network, the same parameters (layout and initialisation)
/// as the [`Graph`] it is made from, so a run can move between the CPU and the device.
///
/// Nodes it runs: the input, dense layers (with or without bias, not shared), constant
/// layers (an input normalisation, a Fourier embedding's projection), `tanh`, `sin`, `cos`,
/// concatenations, sums, differences, products (the product rule on jets), `α·a + β`, and
/// trainable vectors: a [`Graph::mlp`] with `tanh`, the
/// [modified MLP](crate::nets::modified_mlp) of Wang, Teng & Perdikaris with either gate,
/// input normalisation, random Fourier features and periodic embeddings in front of either. Components: the value, first and second derivatives,
/// the Laplacian aggregate. See the [module documentation](super).
#[derive(Debug)]
pub struct GpuGraph {
    ctx: Arc<GpuContext>,
    graph: Graph,
    ops: Vec<Op>,
    /// `(α, β, γ)` of every affine node, in order.
    coefs: Vec<f64>,
    f32: Kernels,
    f64: Option<Kernels>,
}

impl GpuGraph {
    /// The network of `graph` on the context's device.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] naming the first node the device does not run (another
    /// activation, a shared or constant layer, a gather, a trainable scale);
    /// [`Error::Device`] if the kernels do not compile on the device.
    pub fn new(ctx: &Arc<GpuContext>, graph: Graph) -> Result<GpuGraph> {
        let unsupported = |i: usize, what: String| Error::InvalidConfig {
            field: "gpu.graph",
            reason: format!(
                "the GPU path runs the input, dense and constant layers, tanh, sin, cos, \
                 concatenations, sums, differences, products, α·a + β and trainable vectors \
                 (Graph::mlp with tanh, nets::modified_mlp, input normalisation, Fourier \
                 features, periodic embeddings); node {i} is {what}"
            ),
        };
        let nodes = graph.nodes();
        let mut ops = Vec::new();
        let mut coefs = Vec::new();
        let mut affine = |a: usize, b: usize, abc: [f64; 3]| {
            let k = coefs.len() / 3;
            coefs.extend(abc);
            Op::Affine { a, b, k }
        };
        for (i, node) in nodes.iter().enumerate() {
            ops.push(match node.op {
                NodeOp::Input if i == 0 => Op::Input,
                // A trainable layer, or a constant one (its weights in the graph's constants).
                NodeOp::Dense {
                    input,
                    offset,
                    bias,
                    blocks: 1,
                    ..
                }
                | NodeOp::Linear {
                    input,
                    offset,
                    bias,
                    blocks: 1,
                } => {
                    let n_in = nodes[input].width;
                    Op::Dense {
                        a: input,
                        n_in,
                        w: offset,
                        b: bias.then_some(offset + n_in * node.width),
                        constant: matches!(node.op, NodeOp::Linear { .. }),
                    }
                }
                NodeOp::Unary { input, f } if activation(f).is_some() => Op::Unary {
                    a: input,
                    f: activation(f).unwrap_or(0),
                },
                NodeOp::Concat(a, b) => Op::Concat { a, b },
                NodeOp::Add(a, b) => affine(a, b, [1.0, 1.0, 0.0]),
                NodeOp::Sub(a, b) => affine(a, b, [1.0, -1.0, 0.0]),
                NodeOp::Scale { input, alpha, beta } => affine(input, input, [alpha, 0.0, beta]),
                NodeOp::Mul(a, b) => Op::Mul { a, b },
                NodeOp::Param { offset } => Op::Param { offset },
                other => return Err(unsupported(i, format!("{other:?}"))),
            });
        }
        let f32 = Kernels::compile(&ctx.device, "f32");
        let f64 = ctx
            .supports_f64()
            .then(|| Kernels::compile(&ctx.device, "f64"));
        ctx.check()?;
        Ok(GpuGraph {
            ctx: ctx.clone(),
            graph,
            ops,
            coefs,
            f32,
            f64,
        })
    }

    fn kernels<T: Real>(&self) -> Result<&Kernels> {
        if T::NAME == "f64" {
            self.f64.as_ref().ok_or_else(|| {
                device_error(format!(
                    "the adapter {} has no 64-bit floats in shaders; train in f32 on it",
                    self.ctx.adapter()
                ))
            })
        } else {
            Ok(&self.f32)
        }
    }
}

/// Buffers on the device for chunks of up to `cap` points.
#[derive(Debug)]
struct Buffers {
    cap: usize,
    /// Bytes per number (4 for `f32`, 8 for `f64`): a workspace may serve either.
    size: usize,
    theta: wgpu::Buffer,
    points: wgpu::Buffer,
    /// Each node's jet, `[point][slot][feature]`.
    jets: Vec<wgpu::Buffer>,
    /// Each node's adjoint (same layout).
    adjoints: Vec<wgpu::Buffer>,
    values: wgpu::Buffer,
    seeds: wgpu::Buffer,
    grad: wgpu::Buffer,
    read: wgpu::Buffer,
    pairs: wgpu::Buffer,
    slots: wgpu::Buffer,
    coefs: wgpu::Buffer,
    /// The graph's constants (of its constant layers).
    consts: wgpu::Buffer,
    /// The bytes last written to `theta` and to `points`: an upload that would write the same
    /// bytes again (θ for every chunk of a step; the points of a term whose chunk this
    /// workspace evaluates step after step) is skipped.
    resident: [Vec<u8>; 2],
}

/// A [`GpuGraph`]'s working memory for one list of components: the jet layout, and device
/// buffers (grown to the largest chunk seen).
#[derive(Debug)]
pub struct GpuWorkspace {
    comps: Vec<Component>,
    /// Jet slots: value, `d` first derivatives if any derivative is asked, then `pairs`.
    s: usize,
    first: bool,
    /// `(k, l)` of each second-order slot; `(d, d)` for the Laplacian.
    pairs: Vec<u32>,
    /// The slot of each component.
    slot: Vec<u32>,
    /// Points in the last forward pass.
    n: usize,
    buffers: Option<Buffers>,
    /// Bytes of θ and points written to the device, and of θ and points whose upload was
    /// skipped because the device already held them.
    traffic: [u64; 2],
}

impl GpuWorkspace {
    /// Bytes of parameters and points this workspace has written to the device, and bytes
    /// it did not write because the device already held them: θ is uploaded once for all the
    /// chunks of a step that this workspace evaluates, and a chunk's points only when they
    /// differ from those it evaluated last.
    pub fn uploads(&self) -> (u64, u64) {
        (self.traffic[0], self.traffic[1])
    }

    /// The fields every pass of a forward or reverse sweep over `n` points shares.
    fn dims(&self, n: usize, d: usize) -> Dims {
        Dims {
            n,
            s: self.s,
            d,
            extra: usize::from(self.first),
            ..Dims::default()
        }
    }
}

/// A uniform's fields (see `shaders::DIMS`).
#[derive(Clone, Copy, Default)]
struct Dims {
    n: usize,
    s: usize,
    n_in: usize,
    n_out: usize,
    w: usize,
    b: usize,
    d: usize,
    extra: usize,
}

/// `b_off` of a dense layer without bias (`NONE` in the shaders).
const NONE: usize = u32::MAX as usize;

/// The byte stride of the uniforms in one buffer (the largest offset alignment allowed).
const UNIFORM_STRIDE: u64 = 256;

fn to_bytes<T: Real>(v: &[T], out: &mut Vec<u8>) {
    out.clear();
    if T::NAME == "f64" {
        v.iter()
            .for_each(|x| out.extend_from_slice(&x.to_f64().to_le_bytes()));
    } else {
        v.iter()
            .for_each(|x| out.extend_from_slice(&(x.to_f64() as f32).to_le_bytes()));
    }
}

fn from_bytes<T: Real>(b: &[u8]) -> impl Iterator<Item = T> + '_ {
    let wide = T::NAME == "f64";
    let size = if wide { 8 } else { 4 };
    b.chunks_exact(size).map(move |c| {
        let mut w = [0u8; 8];
        w[..size].copy_from_slice(c);
        if wide {
            T::from_f64(f64::from_le_bytes(w))
        } else {
            let mut n = [0u8; 4];
            n.copy_from_slice(&w[..4]);
            T::from_f64(f64::from(f32::from_le_bytes(n)))
        }
    })
}

/// The passes of one submission: each a kernel, its sizes and its buffers (bindings 1, 2, …).
struct Passes<'a> {
    list: Vec<(
        &'a wgpu::ComputePipeline,
        Dims,
        Vec<&'a wgpu::Buffer>,
        usize,
    )>,
    /// Buffers zeroed before the first pass (the adjoints the reverse sweep adds to).
    clear: Vec<&'a wgpu::Buffer>,
}

impl<'a> Passes<'a> {
    fn add(
        &mut self,
        k: &'a wgpu::ComputePipeline,
        dims: Dims,
        bufs: Vec<&'a wgpu::Buffer>,
        work: usize,
    ) {
        self.list.push((k, dims, bufs, work));
    }

    /// Encodes every pass, then copies `bytes` of `from` into `to` (for reading back).
    fn encode(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        copy: (&wgpu::Buffer, &wgpu::Buffer, u64),
    ) -> wgpu::CommandBuffer {
        let uniforms = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("dims"),
            size: UNIFORM_STRIDE * self.list.len().max(1) as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut bytes = vec![0u8; UNIFORM_STRIDE as usize * self.list.len()];
        for (i, (_, d, _, _)) in self.list.iter().enumerate() {
            let fields = [d.n, d.s, d.n_in, d.n_out, d.w, d.b, d.d, d.extra];
            for (k, f) in fields.iter().enumerate() {
                let at = i * UNIFORM_STRIDE as usize + 4 * k;
                bytes[at..at + 4].copy_from_slice(&(*f as u32).to_le_bytes());
            }
        }
        queue.write_buffer(&uniforms, 0, &bytes);
        let mut enc =
            device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None });
        for b in &self.clear {
            enc.clear_buffer(b, 0, None);
        }
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: None,
                timestamp_writes: None,
            });
            for (i, (kernel, _, bufs, work)) in self.list.iter().enumerate() {
                let mut entries = vec![wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                        buffer: &uniforms,
                        offset: i as u64 * UNIFORM_STRIDE,
                        size: wgpu::BufferSize::new(32),
                    }),
                }];
                for (b, buf) in bufs.iter().enumerate() {
                    entries.push(wgpu::BindGroupEntry {
                        binding: b as u32 + 1,
                        resource: buf.as_entire_binding(),
                    });
                }
                let group = device.create_bind_group(&wgpu::BindGroupDescriptor {
                    label: None,
                    layout: &kernel.get_bind_group_layout(0),
                    entries: &entries,
                });
                pass.set_pipeline(kernel);
                pass.set_bind_group(0, &group, &[]);
                let groups = work.div_ceil(64).max(1) as u32;
                let x = groups.min(65_535);
                pass.dispatch_workgroups(x, groups.div_ceil(x), 1);
            }
        }
        enc.copy_buffer_to_buffer(copy.0, 0, copy.1, 0, copy.2);
        enc.finish()
    }
}

impl GpuGraph {
    /// Submits `commands`, waits, and reads the first `bytes` of `read`.
    fn run(
        &self,
        commands: wgpu::CommandBuffer,
        read: &wgpu::Buffer,
        bytes: u64,
    ) -> Result<Vec<u8>> {
        self.ctx.queue.submit([commands]);
        let slice = read.slice(..bytes);
        let (tx, rx) = std::sync::mpsc::channel();
        slice.map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        self.ctx
            .device
            .poll(wgpu::PollType::Wait {
                submission_index: None,
                timeout: None,
            })
            .map_err(|e| device_error(format!("waiting for the device: {e}")))?;
        self.ctx.check()?;
        match rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(device_error(format!("reading a result back: {e}"))),
            Err(_) => return Err(device_error("the device dropped a read-back")),
        }
        let out = slice.get_mapped_range().to_vec();
        read.unmap();
        Ok(out)
    }

    /// Writes `v` to the start of `buffer` in `T`'s precision (`bytes`: reused scratch).
    fn upload<T: Real>(&self, buffer: &wgpu::Buffer, v: &[T], bytes: &mut Vec<u8>) {
        to_bytes(v, bytes);
        self.ctx.queue.write_buffer(buffer, 0, bytes);
    }

    fn buffers(&self, ws: &GpuWorkspace, cap: usize, size: usize) -> Buffers {
        let device = &self.ctx.device;
        let buf = |label: &str, elems: usize, usage: wgpu::BufferUsages| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: (elems.max(1) * size) as u64,
                usage,
                mapped_at_creation: false,
            })
        };
        let storage = wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_DST
            | wgpu::BufferUsages::COPY_SRC;
        let (d, m) = (self.graph.input_dim(), self.graph.output_dim());
        let per = cap * ws.s;
        let widths = self.graph.nodes().iter().map(|n| n.width);
        let jets = widths
            .clone()
            .map(|w| buf("jet", per * w, storage))
            .collect();
        let adjoints = widths.map(|w| buf("adjoint", per * w, storage)).collect();
        let c = ws.comps.len();
        let n_params = self.graph.n_params();
        let words = |v: &[u32]| {
            let b = buf("index", v.len().div_ceil(size / 4), storage);
            let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
            if !bytes.is_empty() {
                self.ctx.queue.write_buffer(&b, 0, &bytes);
            }
            b
        };
        // Numbers of the graph, in the run's precision.
        let numbers = |label: &str, v: &[f64]| {
            let b = buf(label, v.len(), storage);
            let mut bytes = Vec::new();
            if size == 8 {
                to_bytes::<f64>(v, &mut bytes);
            } else {
                let v32: Vec<f32> = v.iter().map(|&x| x as f32).collect();
                to_bytes::<f32>(&v32, &mut bytes);
            }
            if !bytes.is_empty() {
                self.ctx.queue.write_buffer(&b, 0, &bytes);
            }
            b
        };
        let coefs = numbers("coefs", &self.coefs);
        let consts = numbers("consts", self.graph.constants());
        Buffers {
            cap,
            size,
            theta: buf("theta", n_params, storage),
            points: buf("points", cap * d, storage),
            jets,
            adjoints,
            values: buf("values", cap * c * m, storage),
            seeds: buf("seeds", cap * c * m, storage),
            grad: buf("grad", n_params, storage),
            read: buf(
                "read",
                (cap * c * m).max(n_params),
                wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            ),
            pairs: words(&ws.pairs),
            slots: words(&ws.slot),
            coefs,
            consts,
            resident: [Vec::new(), Vec::new()],
        }
    }
}

impl<T: Real> Model<T> for GpuGraph {
    type Workspace = GpuWorkspace;

    fn input_dim(&self) -> usize {
        self.graph.input_dim()
    }
    fn output_dim(&self) -> usize {
        self.graph.output_dim()
    }
    fn n_params(&self) -> usize {
        self.graph.n_params()
    }
    fn init_params(&self, seed: Seed) -> Vec<T> {
        self.graph.init_params(seed)
    }

    fn workspace(&self, components: &[Component]) -> Result<GpuWorkspace> {
        let d = self.graph.input_dim();
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        let mut first = false;
        for &c in components {
            let bad = |k: usize| k >= d;
            match c {
                Component::Value => {}
                Component::First(k) if !bad(k) => first = true,
                Component::Second(k, l) if !bad(k) && !bad(l) => {
                    first = true;
                    let p = (k.min(l), k.max(l));
                    if !pairs.contains(&p) {
                        pairs.push(p);
                    }
                }
                Component::Laplacian => {
                    first = true;
                    if !pairs.contains(&(d, d)) {
                        pairs.push((d, d));
                    }
                }
                other => {
                    return Err(Error::InvalidConfig {
                        field: "gpu.components",
                        reason: format!(
                            "{other:?} on a {d}-input network: the GPU path computes the value, \
                             first and second derivatives and the Laplacian"
                        ),
                    });
                }
            }
        }
        let base = 1 + if first { d } else { 0 };
        let slot = components
            .iter()
            .map(|&c| match c {
                Component::Value => 0,
                Component::First(k) => 1 + k as u32,
                Component::Second(k, l) => {
                    let p = (k.min(l), k.max(l));
                    (base + pairs.iter().position(|&q| q == p).unwrap_or(0)) as u32
                }
                _ => (base + pairs.iter().position(|&q| q == (d, d)).unwrap_or(0)) as u32,
            })
            .collect();
        Ok(GpuWorkspace {
            comps: components.to_vec(),
            s: base + pairs.len(),
            first,
            pairs: pairs
                .iter()
                .flat_map(|&(k, l)| [k as u32, l as u32])
                .collect(),
            slot,
            n: 0,
            buffers: None,
            traffic: [0, 0],
        })
    }

    fn forward(
        &self,
        ws: &mut GpuWorkspace,
        theta: &[T],
        batch: &Batch<'_, T>,
        values: &mut [T],
    ) -> Result<()> {
        let kernels = self.kernels::<T>()?;
        let (d, m) = (self.graph.input_dim(), self.graph.output_dim());
        let n = batch.points.len() / d;
        let c = ws.comps.len();
        if batch.points.len() != n * d || values.len() != n * c * m {
            return Err(Error::DimensionMismatch {
                what: "GPU forward: points (d per point) and values (C·m per point)",
                expected: n * c * m,
                found: values.len(),
            });
        }
        if theta.len() != self.graph.n_params() {
            return Err(Error::DimensionMismatch {
                what: "GPU forward: parameters",
                expected: self.graph.n_params(),
                found: theta.len(),
            });
        }
        ws.n = 0;
        if n == 0 {
            return Ok(());
        }
        let size = core::mem::size_of::<T>();
        if ws
            .buffers
            .as_ref()
            .is_none_or(|b| b.cap < n || b.size != size)
        {
            ws.buffers = Some(self.buffers(ws, n.next_power_of_two(), size));
        }
        let s = ws.s;
        let dims = ws.dims(n, d);
        let b = ws
            .buffers
            .as_mut()
            .ok_or_else(|| device_error("no buffers"))?;
        let mut bytes = Vec::new();
        for (k, v) in [theta, batch.points].into_iter().enumerate() {
            to_bytes(v, &mut bytes);
            let len = bytes.len() as u64;
            if bytes == b.resident[k] {
                ws.traffic[1] += len;
            } else {
                let buffer = if k == 0 { &b.theta } else { &b.points };
                self.ctx.queue.write_buffer(buffer, 0, &bytes);
                core::mem::swap(&mut b.resident[k], &mut bytes);
                ws.traffic[0] += len;
            }
        }
        let b = &*b;
        let nodes = self.graph.nodes();
        let mut passes = Passes {
            list: Vec::new(),
            clear: Vec::new(),
        };
        for (i, &op) in self.ops.iter().enumerate() {
            let w = nodes[i].width;
            let at = op.dims(Dims { n_out: w, ..dims });
            let out = &b.jets[i];
            let jets = &b.jets;
            match op {
                Op::Input => passes.add(&kernels.input, dims, vec![&b.points, out], n * s * d),
                Op::Dense { a, constant, .. } => {
                    // A constant layer's weights are the graph's, not θ.
                    let weights = if constant { &b.consts } else { &b.theta };
                    passes.add(&kernels.dense, at, vec![&jets[a], weights, out], n * s * w)
                }
                Op::Unary { a, .. } => {
                    passes.add(&kernels.act, at, vec![&jets[a], &b.pairs, out], n * w)
                }
                Op::Concat { a, b: bb } => {
                    let wa = nodes[a].width;
                    for (src, off, width) in [(a, 0, wa), (bb, wa, w - wa)] {
                        let part = Dims {
                            n_in: width,
                            w: off,
                            ..at
                        };
                        passes.add(&kernels.copy_in, part, vec![&jets[src], out], n * s * width);
                    }
                }
                Op::Affine { a, b: bb, .. } => {
                    let ins = vec![&jets[a], &jets[bb], &b.coefs, out];
                    passes.add(&kernels.affine, at, ins, n * s * w)
                }
                Op::Mul { a, b: bb } => passes.add(
                    &kernels.mul,
                    at,
                    vec![&jets[a], &jets[bb], &b.pairs, out],
                    n * w,
                ),
                Op::Param { .. } => passes.add(&kernels.param, at, vec![&b.theta, out], n * s * w),
            }
        }
        let last = self.ops.len() - 1;
        let gather = Dims {
            n_out: m,
            extra: c,
            ..dims
        };
        passes.add(
            &kernels.gather,
            gather,
            vec![&b.jets[last], &b.slots, &b.values],
            n * c * m,
        );
        let out_bytes = (n * c * m * size) as u64;
        let commands = passes.encode(
            &self.ctx.device,
            &self.ctx.queue,
            (&b.values, &b.read, out_bytes),
        );
        let out = self.run(commands, &b.read, out_bytes)?;
        for (v, x) in values.iter_mut().zip(from_bytes::<T>(&out)) {
            *v = x;
        }
        ws.n = n;
        Ok(())
    }

    fn backward(
        &self,
        ws: &mut GpuWorkspace,
        _theta: &[T],
        seeds: &[T],
        grad: &mut [T],
    ) -> Result<()> {
        let kernels = self.kernels::<T>()?;
        let (d, m) = (self.graph.input_dim(), self.graph.output_dim());
        let (n, c, s) = (ws.n, ws.comps.len(), ws.s);
        if seeds.len() != n * c * m || grad.len() != self.graph.n_params() {
            return Err(Error::DimensionMismatch {
                what: "GPU backward: seeds (as the last forward's values) and gradient",
                expected: n * c * m,
                found: seeds.len(),
            });
        }
        if n == 0 {
            return Ok(());
        }
        let size = core::mem::size_of::<T>();
        let b = (ws.buffers.as_ref())
            .filter(|b| b.size == size)
            .ok_or_else(|| device_error("backward without a forward pass in the same precision"))?;
        self.upload(&b.seeds, seeds, &mut Vec::new());
        let dims = ws.dims(n, d);
        let nodes = self.graph.nodes();
        let mut passes = Passes {
            list: Vec::new(),
            clear: b.adjoints.iter().collect(),
        };
        let last = self.ops.len() - 1;
        passes.add(
            &kernels.scatter,
            Dims {
                n_out: m,
                extra: c,
                ..dims
            },
            vec![&b.seeds, &b.slots, &b.adjoints[last]],
            n * s * m,
        );
        for i in (0..=last).rev() {
            let op = self.ops[i];
            let w = nodes[i].width;
            let at = op.dims(Dims { n_out: w, ..dims });
            let g = &b.adjoints[i];
            let (jets, adj) = (&b.jets, &b.adjoints);
            match op {
                Op::Input => {}
                Op::Dense {
                    a,
                    n_in,
                    b: bias,
                    constant,
                    ..
                } => {
                    // A constant layer has no parameters; its weights are the graph's.
                    let weights = if constant { &b.consts } else { &b.theta };
                    if !constant {
                        let count = n_in * w + if bias.is_some() { w } else { 0 };
                        let params = vec![g, &jets[a], &b.grad];
                        passes.add(&kernels.dense_back_params, at, params, count);
                    }
                    if !matches!(self.ops[a], Op::Input) {
                        let ins = vec![g, weights, &adj[a]];
                        passes.add(&kernels.dense_back_input, at, ins, n * s * n_in);
                    }
                }
                Op::Unary { a, .. } => {
                    let ins = vec![&jets[a], g, &b.pairs, &adj[a]];
                    passes.add(&kernels.act_back, at, ins, n * w)
                }
                Op::Concat { a, b: bb } => {
                    let wa = nodes[a].width;
                    for (src, off, width) in [(a, 0, wa), (bb, wa, w - wa)] {
                        let part = Dims {
                            n_in: width,
                            w: off,
                            ..at
                        };
                        let ins = vec![g, &adj[src]];
                        passes.add(&kernels.copy_in_back, part, ins, n * s * width);
                    }
                }
                Op::Affine { a, b: bb, k } => {
                    // δa += α δc, then δb += β δc (β's coefficient is the next one).
                    passes.add(&kernels.axpy, at, vec![g, &b.coefs, &adj[a]], n * s * w);
                    if self.coefs[3 * k + 1] != 0.0 {
                        let beta = Dims { w: 3 * k + 1, ..at };
                        passes.add(&kernels.axpy, beta, vec![g, &b.coefs, &adj[bb]], n * s * w);
                    }
                }
                Op::Mul { a, b: bb } => {
                    let (da, db) = (&adj[a], &adj[bb]);
                    passes.add(
                        &kernels.mul_back,
                        at,
                        vec![&jets[bb], g, &b.pairs, da],
                        n * w,
                    );
                    passes.add(
                        &kernels.mul_back,
                        at,
                        vec![&jets[a], g, &b.pairs, db],
                        n * w,
                    );
                }
                Op::Param { .. } => passes.add(&kernels.param_grad, at, vec![g, &b.grad], w),
            }
        }
        let grad_bytes = (self.graph.n_params() * size) as u64;
        let commands = passes.encode(
            &self.ctx.device,
            &self.ctx.queue,
            (&b.grad, &b.read, grad_bytes),
        );
        let out = self.run(commands, &b.read, grad_bytes)?;
        for (g, x) in grad.iter_mut().zip(from_bytes::<T>(&out)) {
            *g += x;
        }
        Ok(())
    }

    fn graph(&self) -> Option<&Graph> {
        Some(&self.graph)
    }
}
