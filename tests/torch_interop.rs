//! PyTorch interop: state dicts saved by `safetensors.torch.save_file` (the
//! fixtures and the script that made them are in `tests/fixtures/`) load
//! into the same-shaped nn networks, which then compute PyTorch's outputs;
//! nn's own export reproduces the fixture tensor for tensor. No Python needed.
use nn::io::safetensors::SafetensorsError;
use nn::prelude::*;
use safetensors::SafeTensors;

network! {
    /// PyTorch: Conv2d(1,4,3,padding=1), BatchNorm2d(4), ReLU, MaxPool2d(2),
    /// ConvTranspose2d(4,2,2,stride=2), Tanh, Flatten, Linear(128,10), PReLU, Linear(10,3).
    TorchCnn = <
        Input<1, 8, 8>, Conv2d<1, 4, 3, 1, 1>, BatchNorm2d<4>, ReLU, MaxPool2d<2>,
        ConvTranspose2d<4, 2, 2, 2>, Tanh, Flatten, Linear<128, 10>, PReLU, Linear<10, 3>,
    >
}

network! {
    /// PyTorch: Conv1d(2,3,3,padding=1), ReLU, Flatten, Linear(18,2).
    TorchSeq = < Input<2, 6>, Conv1d<2, 3, 3, 1, 1>, ReLU, Flatten, Linear<18, 2> >
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The fixture's `input` and `output` tensors, as flat f32 values.
fn io(name: &str) -> (Vec<f32>, Vec<f32>) {
    let bytes = fixture(name);
    let file = SafeTensors::deserialize(&bytes).unwrap();
    let values = |t: &str| -> Vec<f32> {
        file.tensor(t)
            .unwrap()
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
            .collect()
    };
    (values("input"), values("output"))
}

/// Same tensor names, shapes and values (f32 bit patterns).
fn same_tensors(a: &[u8], b: &[u8]) {
    let (a, b) = (
        SafeTensors::deserialize(a).unwrap(),
        SafeTensors::deserialize(b).unwrap(),
    );
    let (mut names_a, mut names_b) = (a.names(), b.names());
    names_a.sort();
    names_b.sort();
    assert_eq!(names_a, names_b);
    for name in names_a {
        let (x, y) = (a.tensor(name).unwrap(), b.tensor(name).unwrap());
        assert_eq!((x.dtype(), x.shape()), (y.dtype(), y.shape()), "{name}");
        assert_eq!(x.data(), y.data(), "{name}");
    }
}

macro_rules! matches_pytorch {
    ($net:ident, $in:ty, $out:literal, $fixture:literal) => {{
        let state = fixture(concat!($fixture, ".safetensors"));
        let mut model = $net::new_boxed(Init::HeNormal, 1);
        model.from_safetensors(&state).unwrap();
        let (inputs, outputs) = io(concat!($fixture, "_io.safetensors"));
        let inputs: &[$in] = nn::bytemuck::cast_slice(&inputs);
        let outputs: &[[f32; $out]] = nn::bytemuck::cast_slice(&outputs);
        assert_eq!(inputs.len(), 4);
        for (x, want) in inputs.iter().zip(outputs) {
            let got = model.forward(x);
            for (g, w) in got.iter().zip(want) {
                assert!(
                    (g - w).abs() < 1e-5,
                    "{}: nn {got:?} vs PyTorch {want:?}",
                    stringify!($net)
                );
            }
        }
        // Exporting gives PyTorch's file back, tensor for tensor.
        same_tensors(&model.to_safetensors().unwrap(), &state);
    }};
}

#[test]
fn pytorch_state_dicts_load_and_give_pytorchs_outputs() {
    matches_pytorch!(TorchCnn, [[[f32; 8]; 8]; 1], 3, "torch_cnn");
    matches_pytorch!(TorchSeq, [[f32; 6]; 2], 2, "torch_seq");
}

#[test]
fn mismatched_files_are_refused_with_the_reason_and_the_model_kept() {
    let mut model = TorchSeq::new_boxed(Init::HeNormal, 1);
    let before = (*model).clone();
    // Another architecture's state dict: its first tensor has another shape.
    let err = model
        .from_safetensors(&fixture("torch_cnn.safetensors"))
        .unwrap_err();
    assert!(
        matches!(&err, SafetensorsError::Shape { name, .. } if name == "0.weight"),
        "{err}"
    );
    // The io file has none of the network's tensors.
    let err = model
        .from_safetensors(&fixture("torch_cnn_io.safetensors"))
        .unwrap_err();
    assert!(
        matches!(&err, SafetensorsError::Missing { name, in_file } if name == "0.weight" && !in_file.is_empty()),
        "{err}"
    );
    // The error names what the file holds instead.
    let SafetensorsError::Missing { in_file, .. } = &err else {
        unreachable!()
    };
    assert!(
        err.to_string().contains(&format!("`{}`", in_file[0])),
        "{err}"
    );
    // Truncated and garbage bytes.
    let state = fixture("torch_seq.safetensors");
    assert!(matches!(
        model.from_safetensors(&state[..state.len() - 3]),
        Err(SafetensorsError::Format(_))
    ));
    assert!(matches!(
        model.from_safetensors(b"\xff\xff\xff\xff\xff\xff\xff\xff{}"),
        Err(SafetensorsError::Format(_))
    ));
    assert_eq!(*model, before);
    // A file with an extra tensor belongs to another network.
    let mut other = TorchCnn::new_boxed(Init::HeNormal, 2);
    other
        .from_safetensors(&fixture("torch_cnn.safetensors"))
        .unwrap();
    let mut bigger = TorchSeq::new_boxed(Init::HeNormal, 3);
    let seq_bytes = {
        let file = SafeTensors::deserialize(&state).unwrap();
        let mut tensors: Vec<(String, safetensors::tensor::TensorView)> =
            file.tensors().into_iter().collect();
        tensors.push(("9.weight".into(), file.tensor("3.bias").unwrap()));
        safetensors::serialize(tensors, None).unwrap()
    };
    let err = bigger.from_safetensors(&seq_bytes).unwrap_err();
    assert!(
        matches!(&err, SafetensorsError::Unexpected { name, in_network } if name == "9.weight" && in_network.contains(&"3.bias".to_string())),
        "{err}"
    );
    assert!(err.to_string().contains("which reads `"), "{err}");
}

#[test]
fn safetensors_files_round_trip_through_disk() {
    let path = std::env::temp_dir().join(format!("nn-torch-{}.safetensors", std::process::id()));
    let model = TorchCnn::new_boxed(Init::HeNormal, 4);
    model.save_safetensors(&path).unwrap();
    let mut back = TorchCnn::new_boxed(Init::HeNormal, 5);
    back.load_safetensors(&path).unwrap();
    assert_eq!(*back, *model);
    std::fs::remove_file(&path).unwrap();
    let err = back.load_safetensors(&path).unwrap_err();
    assert!(matches!(&err, SafetensorsError::Io { path: p, .. } if *p == path));
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
}

/// Rebuilds `torch_seq.safetensors` with tensor `name` replaced.
fn with_tensor(name: &str, dtype: safetensors::Dtype, shape: Vec<usize>, data: &[u8]) -> Vec<u8> {
    let state = fixture("torch_seq.safetensors");
    let file = SafeTensors::deserialize(&state).unwrap();
    let mut tensors: Vec<(String, safetensors::tensor::TensorView)> = file
        .tensors()
        .into_iter()
        .filter(|(n, _)| n != name)
        .collect();
    tensors.push((
        name.into(),
        safetensors::tensor::TensorView::new(dtype, shape, data).unwrap(),
    ));
    safetensors::serialize(tensors, None).unwrap()
}

#[test]
fn wrong_dtypes_and_non_finite_values_are_refused() {
    let mut model = TorchSeq::new_boxed(Init::HeNormal, 1);
    let before = (*model).clone();
    let as_f64 = with_tensor("3.bias", safetensors::Dtype::F64, vec![2], &[0u8; 16]);
    let err = model.from_safetensors(&as_f64).unwrap_err();
    assert!(
        matches!(&err, SafetensorsError::Dtype { name, found } if name == "3.bias" && found == "F64"),
        "{err}"
    );
    let nan: Vec<u8> = [1.0f32, f32::NAN]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let err = model
        .from_safetensors(&with_tensor(
            "3.bias",
            safetensors::Dtype::F32,
            vec![2],
            &nan,
        ))
        .unwrap_err();
    assert!(
        matches!(&err, SafetensorsError::NonFinite { name, index: 1 } if name == "3.bias"),
        "{err}"
    );
    assert_eq!(*model, before);
}

network! {
    /// Named layers take their names into PyTorch's: attributes of a module.
    Named = <
        Input<4>,
        fc1: Linear<4, 8>, ReLU,
        block: Residual<inner: Linear<8, 8>, Tanh>,
        Linear<8, 2>,
    >
}

#[test]
fn named_layers_export_under_their_names_and_unnamed_ones_under_their_positions() {
    let model = Named::new_boxed(Init::HeNormal, 6);
    let bytes = model.to_safetensors().unwrap();
    let file = SafeTensors::deserialize(&bytes).unwrap();
    let mut names: Vec<&str> = file.names().into_iter().collect();
    names.sort();
    assert_eq!(
        names,
        [
            "3.bias",
            "3.weight",
            "block.main.inner.bias",
            "block.main.inner.weight",
            "fc1.bias",
            "fc1.weight"
        ]
    );
    let mut back = Named::new_boxed(Init::HeNormal, 7);
    back.from_safetensors(&bytes).unwrap();
    assert_eq!(*back, *model);
}
