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

/// Derivative values of the network outputs at `points` (point-major): for each of
/// `components` (the value, partials up to fourth order, the Laplacian, the biharmonic), one
/// vector of `m` numbers per point, output index fastest, in the order asked. One jet pass
/// per chunk of 1024 points carries every component at once.
///
/// ```
/// use pinn::{ad::{jet::{Component, Graph}, Elementary}, nets::predict_components, rng::Seed};
/// let g = Graph::mlp(&[2, 8, 1], Elementary::Tanh)?;
/// let theta: Vec<f64> = g.init_params(Seed(0));
/// let v = predict_components(&g, &theta, &[0.1, 0.2, 0.3, 0.4], &[Component::First(1), Component::Laplacian])?;
/// assert_eq!((v.len(), v[0].len()), (2, 2)); // two components at two points
/// # Ok::<(), pinn::Error>(())
/// ```
///
/// # Errors
///
/// Those of [`Graph::check`] (parameter and point counts), and a component naming a
/// direction the inputs do not have.
pub fn predict_components<T: Real>(
    graph: &Graph,
    theta: &[T],
    points: &[T],
    components: &[Component],
) -> Result<Vec<Vec<T>>> {
    graph.check(theta, points)?;
    let d = graph.input_dim();
    let sel = components
        .iter()
        .fold(Selection::new(d), |s, &c| s.component(c));
    let mut ws = JetWorkspace::new(graph, &sel)?;
    let mut out = vec![Vec::with_capacity(points.len() / d * graph.output_dim()); components.len()];
    for chunk in points.chunks(1024 * d) {
        ws.forward(graph, theta, chunk)?;
        for (o, &c) in out.iter_mut().zip(components) {
            o.extend_from_slice(ws.output(c)?);
        }
    }
    Ok(out)
}
