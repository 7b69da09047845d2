//! How a layer's state maps onto PyTorch's `state_dict` tensors: names,
//! shapes and layouts. Available without `std`; the safetensors reader and
//! writer that use it are in `nn_core::io::safetensors` (the `safetensors`
//! feature).
//!
//! ```
//! use nn_core::layer::Layer;
//! use nn_core::layers::Linear;
//! let tensors = <Linear<3, 2> as Layer<[f32; 3]>>::TORCH;
//! assert_eq!((tensors[0].name, tensors[0].shape()), ("weight", &[2usize, 3][..]));
//! ```

/// One tensor of a layer's [`crate::layer::Layer::state`] as PyTorch names and shapes it.
///
/// ```
/// let t = nn_core::io::torch::TorchTensor::new("bias", 5, &[7]);
/// assert_eq!((t.len(), t.transposed), (7, false));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TorchTensor {
    /// The name within the layer (`weight`, `bias`, `running_mean`, …).
    pub name: &'static str,
    /// Where it starts in the layer's state.
    pub offset: usize,
    /// PyTorch's shape (the first `rank` entries).
    pub dims: [usize; 4],
    /// How many of `dims` are used.
    pub rank: usize,
    /// Whether nn stores the 2-D tensor transposed (`Linear`: nn's
    /// `weight[i][o]` is PyTorch's `weight[o][i]`).
    pub transposed: bool,
}

impl TorchTensor {
    /// A tensor stored in PyTorch's layout.
    ///
    /// # Panics
    /// If `shape` has more than 4 dimensions (also at compile time).
    ///
    /// ```
    /// assert_eq!(nn_core::io::torch::TorchTensor::new("w", 0, &[2, 3]).shape(), &[2, 3]);
    /// ```
    pub const fn new(name: &'static str, offset: usize, shape: &[usize]) -> Self {
        assert!(shape.len() <= 4, "at most 4 dimensions");
        let mut dims = [0; 4];
        let mut i = 0;
        while i < shape.len() {
            dims[i] = shape[i];
            i += 1;
        }
        Self {
            name,
            offset,
            dims,
            rank: shape.len(),
            transposed: false,
        }
    }

    /// A 2-D tensor that nn stores transposed.
    ///
    /// ```
    /// assert!(nn_core::io::torch::TorchTensor::transposed("weight", 0, 4, 3).transposed);
    /// ```
    pub const fn transposed(name: &'static str, offset: usize, rows: usize, cols: usize) -> Self {
        let mut t = Self::new(name, offset, &[rows, cols]);
        t.transposed = true;
        t
    }

    /// PyTorch's shape.
    ///
    /// ```
    /// assert_eq!(nn_core::io::torch::TorchTensor::new("b", 0, &[9]).shape(), &[9]);
    /// ```
    pub fn shape(&self) -> &[usize] {
        &self.dims[..self.rank]
    }

    /// Number of values.
    ///
    /// ```
    /// assert_eq!(nn_core::io::torch::TorchTensor::new("w", 0, &[2, 3, 4]).len(), 24);
    /// ```
    pub fn len(&self) -> usize {
        self.shape().iter().product()
    }

    /// Whether the tensor has no values.
    ///
    /// ```
    /// assert!(!nn_core::io::torch::TorchTensor::new("w", 0, &[1]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Copies this tensor out of nn's `state` into PyTorch's layout.
    ///
    /// ```
    /// let t = nn_core::io::torch::TorchTensor::transposed("weight", 0, 2, 3); // PyTorch [2, 3]
    /// let mut out = [0.0; 6];
    /// t.to_torch(&[1., 2., 3., 4., 5., 6.], &mut out); // nn [3][2]
    /// assert_eq!(out, [1., 3., 5., 2., 4., 6.]);
    /// ```
    pub fn to_torch(&self, state: &[f32], out: &mut [f32]) {
        let ours = &state[self.offset..self.offset + self.len()];
        if self.transposed {
            let (rows, cols) = (self.dims[0], self.dims[1]);
            for r in 0..rows {
                for c in 0..cols {
                    out[r * cols + c] = ours[c * rows + r];
                }
            }
        } else {
            out.copy_from_slice(ours);
        }
    }

    /// Copies PyTorch-layout values into this tensor's place in nn's `state`.
    ///
    /// ```
    /// let t = nn_core::io::torch::TorchTensor::transposed("weight", 0, 2, 3);
    /// let mut state = [0.0; 6];
    /// t.from_torch(&[1., 3., 5., 2., 4., 6.], &mut state);
    /// assert_eq!(state, [1., 2., 3., 4., 5., 6.]);
    /// ```
    pub fn from_torch(&self, torch: &[f32], state: &mut [f32]) {
        let ours = &mut state[self.offset..self.offset + self.len()];
        if self.transposed {
            let (rows, cols) = (self.dims[0], self.dims[1]);
            for r in 0..rows {
                for c in 0..cols {
                    ours[c * rows + r] = torch[r * cols + c];
                }
            }
        } else {
            ours.copy_from_slice(torch);
        }
    }
}
