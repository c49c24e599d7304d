//! [`GpuMlp`]: a tanh MLP whose jets and gradient run on the device.

use std::sync::Arc;

use crate::ad::jet::{Component, Graph, NodeOp};
use crate::ad::{Elementary, Real};
use crate::error::{Error, Result};
use crate::model::{Batch, Model};
use crate::rng::Seed;

use super::shaders::{self, source};
use super::{GpuContext, device_error};

/// One dense layer: `W` (`n_out × n_in`, column-major) at `w`, `b` at `b`; `tanh` after it
/// unless it is the output layer.
#[derive(Clone, Copy, Debug)]
struct Layer {
    n_in: usize,
    n_out: usize,
    w: usize,
    b: usize,
    tanh: bool,
}

/// The compiled kernels for one scalar type.
#[derive(Debug)]
struct Kernels {
    input: wgpu::ComputePipeline,
    dense: wgpu::ComputePipeline,
    tanh: wgpu::ComputePipeline,
    tanh_back: wgpu::ComputePipeline,
    dense_back_input: wgpu::ComputePipeline,
    dense_back_params: wgpu::ComputePipeline,
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
            tanh: make("tanh_jet", shaders::TANH_JET),
            tanh_back: make("tanh_jet_back", shaders::TANH_JET_BACK),
            dense_back_input: make("dense_back_input", shaders::DENSE_BACK_INPUT),
            dense_back_params: make("dense_back_params", shaders::DENSE_BACK_PARAMS),
            gather: make("gather", shaders::GATHER),
            scatter: make("scatter", shaders::SCATTER),
        }
    }
}

/// A multilayer perceptron with `tanh` hidden layers, run on a GPU: the same network, the same
/// parameters (layout and initialisation) as the [`Graph`] it is made from, so a run can move
/// between the CPU and the device. Components: the value, first and second derivatives, the
/// Laplacian aggregate. See the [module documentation](super).
#[derive(Debug)]
pub struct GpuMlp {
    ctx: Arc<GpuContext>,
    graph: Graph,
    layers: Vec<Layer>,
    f32: Kernels,
    f64: Option<Kernels>,
}

impl GpuMlp {
    /// The network of `graph` on the context's device. `graph` must be a plain MLP: dense
    /// layers with biases, `tanh` between them, a linear output (what
    /// [`Graph::mlp`](crate::ad::jet::Graph::mlp) with [`Elementary::Tanh`] builds).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] naming the first node that is not of that shape;
    /// [`Error::Device`] if the kernels do not compile on the device.
    pub fn new(ctx: &Arc<GpuContext>, graph: Graph) -> Result<GpuMlp> {
        let not_mlp = |i: usize, what: String| Error::InvalidConfig {
            field: "gpu.graph",
            reason: format!(
                "the GPU path runs plain tanh MLPs (Graph::mlp with Elementary::Tanh); node {i} \
                 is {what}"
            ),
        };
        let nodes = graph.nodes();
        let mut layers: Vec<Layer> = Vec::new();
        for (i, node) in nodes.iter().enumerate() {
            match node.op {
                NodeOp::Input if i == 0 => {}
                NodeOp::Dense {
                    input,
                    offset,
                    bias: true,
                    blocks: 1,
                    ..
                } if input + 1 == i && layers.last().is_none_or(|l| l.tanh) => {
                    let n_in = nodes[input].width;
                    layers.push(Layer {
                        n_in,
                        n_out: node.width,
                        w: offset,
                        b: offset + n_in * node.width,
                        tanh: false,
                    });
                }
                NodeOp::Unary {
                    input,
                    f: Elementary::Tanh,
                } if input + 1 == i && layers.last().is_some_and(|l| !l.tanh) => {
                    if let Some(l) = layers.last_mut() {
                        l.tanh = true;
                    }
                }
                other => return Err(not_mlp(i, format!("{other:?}"))),
            }
        }
        if layers.last().is_none_or(|l| l.tanh) {
            return Err(not_mlp(
                nodes.len() - 1,
                "the output, which must be a dense layer".into(),
            ));
        }
        let f32 = Kernels::compile(&ctx.device, "f32");
        let f64 = ctx
            .supports_f64()
            .then(|| Kernels::compile(&ctx.device, "f64"));
        ctx.check()?;
        Ok(GpuMlp {
            ctx: ctx.clone(),
            graph,
            layers,
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
    theta: wgpu::Buffer,
    points: wgpu::Buffer,
    /// `a[0]`: the input jet; `a[l + 1]`: the activation of layer `l`.
    a: Vec<wgpu::Buffer>,
    /// `z[l]`: layer `l`'s output before its activation.
    z: Vec<wgpu::Buffer>,
    values: wgpu::Buffer,
    seeds: wgpu::Buffer,
    dz: wgpu::Buffer,
    da: wgpu::Buffer,
    grad: wgpu::Buffer,
    read: wgpu::Buffer,
    pairs: wgpu::Buffer,
    slots: wgpu::Buffer,
}

/// A [`GpuMlp`]'s working memory for one list of components: the jet layout, and device
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

impl Dims {
    /// These sizes for dense layer `l`.
    fn layer(self, l: &Layer) -> Dims {
        Dims {
            n_in: l.n_in,
            n_out: l.n_out,
            w: l.w,
            b: l.b,
            ..self
        }
    }
}

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

impl GpuMlp {
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
        let d = self.graph.input_dim();
        let m = self.graph.output_dim();
        let widest = self
            .layers
            .iter()
            .map(|l| l.n_out.max(l.n_in))
            .max()
            .unwrap_or(1);
        let per = cap * ws.s;
        let mut a = vec![buf("a0", per * d, storage)];
        let mut z = Vec::new();
        for l in &self.layers {
            z.push(buf("z", per * l.n_out, storage));
            if l.tanh {
                a.push(buf("a", per * l.n_out, storage));
            }
        }
        let c = ws.comps.len();
        let n_params = self.graph.n_params();
        let read = (cap * c * m).max(n_params);
        let words = |v: &[u32]| {
            let b = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("index"),
                size: (4 * v.len().max(1)) as u64,
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
            if !bytes.is_empty() {
                self.ctx.queue.write_buffer(&b, 0, &bytes);
            }
            b
        };
        Buffers {
            cap,
            theta: buf("theta", n_params, storage),
            points: buf("points", cap * d, storage),
            a,
            z,
            values: buf("values", cap * c * m, storage),
            seeds: buf("seeds", cap * c * m, storage),
            dz: buf("dz", per * widest, storage),
            da: buf("da", per * widest, storage),
            grad: buf("grad", n_params, storage),
            read: buf(
                "read",
                read,
                wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            ),
            pairs: words(&ws.pairs),
            slots: words(&ws.slot),
        }
    }
}

impl<T: Real> Model<T> for GpuMlp {
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
        if n == 0 {
            ws.n = 0;
            return Ok(());
        }
        let size = if T::NAME == "f64" { 8 } else { 4 };
        if ws.buffers.as_ref().is_none_or(|b| b.cap < n) {
            ws.buffers = Some(self.buffers(ws, n.next_power_of_two(), size));
        }
        let b = ws
            .buffers
            .as_ref()
            .ok_or_else(|| device_error("no buffers"))?;
        let mut bytes = Vec::new();
        to_bytes(theta, &mut bytes);
        self.ctx.queue.write_buffer(&b.theta, 0, &bytes);
        to_bytes(batch.points, &mut bytes);
        self.ctx.queue.write_buffer(&b.points, 0, &bytes);
        let s = ws.s;
        let extra = usize::from(ws.first);
        let mut passes = Passes { list: Vec::new() };
        let dims = Dims {
            n,
            s,
            d,
            extra,
            ..Dims::default()
        };
        passes.add(&kernels.input, dims, vec![&b.points, &b.a[0]], n * s * d);
        // a[l] is the input of layer l (every layer but the output has its activation).
        for (l, layer) in self.layers.iter().enumerate() {
            let dense = dims.layer(layer);
            passes.add(
                &kernels.dense,
                dense,
                vec![&b.a[l], &b.theta, &b.z[l]],
                n * s * layer.n_out,
            );
            if layer.tanh {
                passes.add(
                    &kernels.tanh,
                    dense,
                    vec![&b.z[l], &b.pairs, &b.a[l + 1]],
                    n * layer.n_out,
                );
            }
        }
        let last = self.layers.len() - 1;
        let gather = Dims {
            n_out: m,
            extra: c,
            ..dims
        };
        passes.add(
            &kernels.gather,
            gather,
            vec![&b.z[last], &b.slots, &b.values],
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
        theta: &[T],
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
        let _ = theta; // θ is on the device since the forward pass.
        if n == 0 {
            return Ok(());
        }
        let size = if T::NAME == "f64" { 8 } else { 4 };
        let b = ws
            .buffers
            .as_ref()
            .ok_or_else(|| device_error("backward before forward"))?;
        let mut bytes = Vec::new();
        to_bytes(seeds, &mut bytes);
        self.ctx.queue.write_buffer(&b.seeds, 0, &bytes);
        let extra = usize::from(ws.first);
        let dims = Dims {
            n,
            s,
            d,
            extra,
            ..Dims::default()
        };
        let mut passes = Passes { list: Vec::new() };
        let last = self.layers.len() - 1;
        passes.add(
            &kernels.scatter,
            Dims {
                n_out: m,
                extra: c,
                ..dims
            },
            vec![&b.seeds, &b.slots, &b.dz],
            n * s * m,
        );
        for l in (0..=last).rev() {
            let layer = &self.layers[l];
            let dense = dims.layer(layer);
            passes.add(
                &kernels.dense_back_params,
                dense,
                vec![&b.dz, &b.a[l], &b.grad],
                layer.n_in * layer.n_out + layer.n_out,
            );
            if l > 0 {
                passes.add(
                    &kernels.dense_back_input,
                    dense,
                    vec![&b.dz, &b.theta, &b.da],
                    n * s * layer.n_in,
                );
                let before = &self.layers[l - 1];
                passes.add(
                    &kernels.tanh_back,
                    Dims {
                        n_out: before.n_out,
                        ..dims
                    },
                    vec![&b.z[l - 1], &b.da, &b.pairs, &b.dz],
                    n * before.n_out,
                );
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
