//! The first [`Model`]: one [`Graph`] run on batched Taylor jets.

use super::{Batch, Model};
use crate::ad::Real;
use crate::ad::jet::{Component, Graph, JetWorkspace, Selection};
use crate::error::{Result, check_len};
use crate::rng::Seed;

/// A [`Graph`]'s working memory for one list of components: a [`JetWorkspace`] carrying them.
#[derive(Clone, Debug)]
pub struct GraphWorkspace<T> {
    jets: JetWorkspace<T>,
    components: Vec<Component>,
}

impl<T> GraphWorkspace<T> {
    /// The jet workspace (for reading other components of the last forward pass).
    pub fn jets(&self) -> &JetWorkspace<T> {
        &self.jets
    }
}

/// The selection carrying `components` (the value is always carried).
pub(crate) fn selection_of(dim: usize, components: &[Component]) -> Selection {
    components
        .iter()
        .fold(Selection::new(dim), |s, &c| s.component(c))
}

impl<T: Real> Model<T> for Graph {
    type Workspace = GraphWorkspace<T>;

    fn input_dim(&self) -> usize {
        Graph::input_dim(self)
    }
    fn output_dim(&self) -> usize {
        Graph::output_dim(self)
    }
    fn n_params(&self) -> usize {
        Graph::n_params(self)
    }
    fn init_params(&self, seed: Seed) -> Vec<T> {
        Graph::init_params(self, seed)
    }

    fn workspace(&self, components: &[Component]) -> Result<GraphWorkspace<T>> {
        let selection = selection_of(Graph::input_dim(self), components);
        Ok(GraphWorkspace {
            jets: JetWorkspace::new(self, &selection)?,
            components: components.to_vec(),
        })
    }

    fn reserve(&self, ws: &mut GraphWorkspace<T>, points: usize) {
        ws.jets.reserve(self, points);
    }

    fn forward(
        &self,
        ws: &mut GraphWorkspace<T>,
        theta: &[T],
        batch: &Batch<'_, T>,
        values: &mut [T],
    ) -> Result<()> {
        ws.jets.forward(self, theta, batch.points)?;
        let (n, m, nc) = (
            ws.jets.n_points(),
            Graph::output_dim(self),
            ws.components.len(),
        );
        check_len(
            "model values (points × components × outputs)",
            n * nc * m,
            values.len(),
        )?;
        for (ci, &c) in ws.components.iter().enumerate() {
            let block = ws.jets.output(c)?;
            for (p, u) in block.chunks_exact(m).enumerate() {
                for (o, &v) in u.iter().enumerate() {
                    values[(p * nc + ci) * m + o] = v;
                }
            }
        }
        Ok(())
    }

    fn backward(
        &self,
        ws: &mut GraphWorkspace<T>,
        theta: &[T],
        seeds: &[T],
        grad: &mut [T],
    ) -> Result<()> {
        let (n, m, nc) = (
            ws.jets.n_points(),
            Graph::output_dim(self),
            ws.components.len(),
        );
        check_len(
            "model seeds (points × components × outputs)",
            n * nc * m,
            seeds.len(),
        )?;
        for (ci, &c) in ws.components.iter().enumerate() {
            let block = ws.jets.seed(c)?;
            for (p, u) in block.chunks_exact_mut(m).enumerate() {
                for (o, v) in u.iter_mut().enumerate() {
                    *v = seeds[(p * nc + ci) * m + o];
                }
            }
        }
        ws.jets.backward(self, theta, grad)
    }

    fn graph(&self) -> Option<&Graph> {
        Some(self)
    }
}
