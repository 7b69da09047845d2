//! safetensors files with PyTorch's `state_dict` names and layouts (`std`):
//! a network's layer `i` holds tensors `"{i}.weight"`, `"{i}.bias"`, …,
//! exactly as an `nn.Sequential` of the same layers names them (layer `j`
//! of a residual block at `i` is `"{i}.main.{j}"`, or `"{i}.shortcut.{j}"` in
//! its projection, as a module with `main` and `shortcut` sequentials), with
//! `nn.Linear` weights as `[out, in]`, convolutions as `[out, in, k, k]`
//! (`ConvTranspose2d`: `[in, out, k, k]`) and batch norm's running
//! statistics. So `safetensors.torch.save_file(model.state_dict(), path)`
//! loads into the same-shaped nn network, and back.
//!
//! ```
//! use nn_core::io::safetensors::{read_into, to_bytes, Tensors, TensorsMut};
//! use nn_core::layer::Layer;
//! use nn_core::layers::Linear;
//! use nn_core::io::weights::NonFinite;
//! let mut fc = Linear::<2, 3>::zeroed();
//! fc.weight = [[1., 2., 3.], [4., 5., 6.]];
//! let torch = <Linear<2, 3> as Layer<[f32; 2]>>::TORCH;
//! let bytes = to_bytes(&[Tensors { prefix: "0", state: fc.state(), torch }])?;
//! let mut back = Linear::<2, 3>::zeroed();
//! read_into(&bytes, &mut [TensorsMut { prefix: "0", state: back.state_mut(), torch }], NonFinite::Refuse)?;
//! assert_eq!(back, fc);
//! # Ok::<(), nn_core::io::safetensors::SafetensorsError>(())
//! ```
use crate::io::torch::TorchTensor;
use crate::io::weights::NonFinite;
use safetensors::{Dtype, SafeTensors, tensor::TensorView};
use std::format;
use std::string::String;
use std::vec::Vec;

/// One layer's state and how PyTorch lays it out, for writing.
pub struct Tensors<'a> {
    /// The layer's module path in the network: its `nn.Sequential` index
    /// (`"3"`), or that of a layer inside a block (`"3.main.0"`).
    pub prefix: &'a str,
    /// [`crate::layer::Layer::state`].
    pub state: &'a [f32],
    /// [`crate::layer::Layer::TORCH`].
    pub torch: &'static [TorchTensor],
}

/// One layer's state and how PyTorch lays it out, for reading.
pub struct TensorsMut<'a> {
    /// The layer's module path in the network (see [`Tensors::prefix`]).
    pub prefix: &'a str,
    /// [`crate::layer::Layer::state_mut`].
    pub state: &'a mut [f32],
    /// [`crate::layer::Layer::TORCH`].
    pub torch: &'static [TorchTensor],
}

/// Why a safetensors file could not be read or written.
///
/// ```
/// let e = nn_core::io::safetensors::SafetensorsError::Missing {
///     name: "0.weight".into(),
///     in_file: vec!["fc1.weight".into(), "fc1.bias".into()],
/// };
/// assert_eq!(e.to_string(), "tensor `0.weight` is missing; the file holds `fc1.weight`, `fc1.bias`");
/// ```
#[derive(Debug)]
pub enum SafetensorsError {
    /// Not a valid safetensors file (header, offsets, sizes).
    Format(safetensors::SafeTensorError),
    /// A tensor the network needs is absent.
    Missing {
        /// Its name.
        name: String,
        /// The names the file does hold, sorted.
        in_file: Vec<String>,
    },
    /// A tensor the network does not have (another architecture, or other
    /// names).
    Unexpected {
        /// Its name.
        name: String,
        /// The names the network reads.
        in_network: Vec<String>,
    },
    /// A tensor has another shape than the network's.
    Shape {
        /// Its name.
        name: String,
        /// The network's shape (PyTorch's order).
        expected: Vec<usize>,
        /// The file's.
        found: Vec<usize>,
    },
    /// A tensor is not `float32`.
    Dtype {
        /// Its name.
        name: String,
        /// Its type in the file.
        found: String,
    },
    /// A value is NaN or infinite (and [`NonFinite::Refuse`] was asked).
    NonFinite {
        /// The tensor.
        name: String,
        /// The value's position in it.
        index: usize,
    },
    /// The file could not be read or written.
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// Why not.
        source: std::io::Error,
    },
}

impl SafetensorsError {
    /// The error of reading or writing `path`.
    pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| SafetensorsError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Names as `` `a`, `b` ``, at most a dozen (then how many more).
fn listed(names: &[String]) -> String {
    const SHOWN: usize = 12;
    let mut text = names
        .iter()
        .take(SHOWN)
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        text += &format!(" and {} more", names.len() - SHOWN);
    }
    if names.is_empty() {
        text = "none".into();
    }
    text
}

impl core::fmt::Display for SafetensorsError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            SafetensorsError::Format(e) => write!(f, "not a valid safetensors file: {e}"),
            SafetensorsError::Missing { name, in_file } => write!(
                f,
                "tensor `{name}` is missing; the file holds {}",
                listed(in_file)
            ),
            SafetensorsError::Unexpected { name, in_network } => write!(
                f,
                "tensor `{name}` does not belong to this network, which reads {}",
                listed(in_network)
            ),
            SafetensorsError::Shape {
                name,
                expected,
                found,
            } => {
                write!(
                    f,
                    "tensor `{name}` has shape {found:?}; this network needs {expected:?}"
                )
            }
            SafetensorsError::Dtype { name, found } => {
                write!(f, "tensor `{name}` is {found}; nn reads float32")
            }
            SafetensorsError::NonFinite { name, index } => {
                write!(f, "value {index} of tensor `{name}` is NaN or infinite")
            }
            SafetensorsError::Io { path, source } => {
                write!(f, "cannot access `{}`: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for SafetensorsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SafetensorsError::Format(e) => Some(e),
            SafetensorsError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// PyTorch's batch-norm step counter, which nn does not keep: written as 0,
/// ignored when read.
const BATCHES_TRACKED: &str = "num_batches_tracked";

/// Encodes the layers' tensors as a safetensors file.
///
/// # Errors
/// [`SafetensorsError::Format`] if the safetensors writer refuses the data.
///
/// ```
/// let bytes = nn_core::io::safetensors::to_bytes(&[])?;
/// assert!(bytes.len() >= 8);
/// # Ok::<(), nn_core::io::safetensors::SafetensorsError>(())
/// ```
pub fn to_bytes(layers: &[Tensors]) -> Result<Vec<u8>, SafetensorsError> {
    let mut data: Vec<(String, Vec<usize>, Dtype, Vec<u8>)> = Vec::new();
    for layer in layers {
        for t in layer.torch {
            let mut values = std::vec![0.0f32; t.len()];
            t.to_torch(layer.state, &mut values);
            let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            data.push((
                format!("{}.{}", layer.prefix, t.name),
                t.shape().to_vec(),
                Dtype::F32,
                bytes,
            ));
        }
        if layer.torch.iter().any(|t| t.name == "running_var") {
            data.push((
                format!("{}.{BATCHES_TRACKED}", layer.prefix),
                Vec::new(),
                Dtype::I64,
                0i64.to_le_bytes().to_vec(),
            ));
        }
    }
    let views = data
        .iter()
        .map(|(name, shape, dtype, bytes)| {
            Ok((name.clone(), TensorView::new(*dtype, shape.clone(), bytes)?))
        })
        .collect::<Result<Vec<_>, safetensors::SafeTensorError>>()
        .map_err(SafetensorsError::Format)?;
    safetensors::serialize(views, None).map_err(SafetensorsError::Format)
}

/// Decodes a safetensors file into the layers' state. Every tensor is
/// checked first — present, float32, the right shape, finite (unless
/// allowed), and no foreign tensors — so on any error the state is untouched.
///
/// # Errors
/// The first problem found, as a [`SafetensorsError`].
///
/// ```
/// use nn_core::io::safetensors::{read_into, SafetensorsError};
/// let err = read_into(b"short", &mut [], nn_core::io::weights::NonFinite::Refuse).unwrap_err();
/// assert!(matches!(err, SafetensorsError::Format(_)));
/// ```
pub fn read_into(
    bytes: &[u8],
    layers: &mut [TensorsMut],
    non_finite: NonFinite,
) -> Result<(), SafetensorsError> {
    let file = SafeTensors::deserialize(bytes).map_err(SafetensorsError::Format)?;
    let mut decoded: Vec<Vec<f32>> = Vec::new();
    let mut expected: Vec<String> = Vec::new();
    for layer in layers.iter() {
        for t in layer.torch {
            let name = format!("{}.{}", layer.prefix, t.name);
            let view = file.tensor(&name).map_err(|_| {
                let mut in_file: Vec<String> = file.names().into_iter().map(String::from).collect();
                in_file.sort();
                SafetensorsError::Missing {
                    name: name.clone(),
                    in_file,
                }
            })?;
            if view.dtype() != Dtype::F32 {
                return Err(SafetensorsError::Dtype {
                    name,
                    found: format!("{:?}", view.dtype()),
                });
            }
            if view.shape() != t.shape() {
                return Err(SafetensorsError::Shape {
                    name,
                    expected: t.shape().to_vec(),
                    found: view.shape().to_vec(),
                });
            }
            let values: Vec<f32> = view
                .data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            if non_finite == NonFinite::Refuse
                && let Some(index) = values.iter().position(|v| !v.is_finite())
            {
                return Err(SafetensorsError::NonFinite { name, index });
            }
            decoded.push(values);
            expected.push(name);
        }
    }
    if let Some(name) = file
        .names()
        .into_iter()
        .find(|n| !expected.iter().any(|e| e == n) && !n.ends_with(BATCHES_TRACKED))
    {
        return Err(SafetensorsError::Unexpected {
            name: name.into(),
            in_network: expected,
        });
    }
    let mut values = decoded.iter();
    for layer in layers.iter_mut() {
        for t in layer.torch {
            t.from_torch(values.next().expect("one decoded tensor each"), layer.state);
        }
    }
    Ok(())
}
