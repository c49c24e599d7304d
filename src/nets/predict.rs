//! Plain batched inference.

use crate::ad::Real;
use crate::ad::jet::{Component, Graph, JetWorkspace, Selection};
use crate::error::Result;

/// The network outputs at `points` (point-major, `d` numbers per point): `m` numbers per
/// point, output index fastest. Runs the value-only jet in chunks of 1024 points.
///
/// ```
/// use pinn::{ad::{jet::Graph, Elementary}, nets::predict, rng::Seed};
/// let g = Graph::mlp(&[1, 8, 1], Elementary::Tanh)?;
/// let theta: Vec<f32> = g.init_params(Seed(0));
/// let u = predict(&g, &theta, &[0.0f32, 0.5, 1.0])?;
/// assert_eq!(u.len(), 3);
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn predict<T: Real>(graph: &Graph, theta: &[T], points: &[T]) -> Result<Vec<T>> {
    graph.check(theta, points)?;
    let d = graph.input_dim();
    let mut ws = JetWorkspace::new(graph, &Selection::new(d))?;
    let mut out = Vec::with_capacity(points.len() / d * graph.output_dim());
    for chunk in points.chunks(1024 * d) {
        ws.forward(graph, theta, chunk)?;
        out.extend_from_slice(ws.output(Component::Value)?);
    }
    Ok(out)
}
