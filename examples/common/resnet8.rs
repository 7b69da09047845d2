//! The MLPerf Tiny image-classification reference model, ResNet-8
//! (`resnet_v1_eembc` in the MLCommons `tiny` repository): a 3×32×32 input,
//! a 16-channel stem, three residual stacks of 16, 32 and 64 channels (the
//! last two halve the image and project their shortcut with a strided 1×1
//! convolution), global average pooling and a 10-way classifier. 78,186
//! trainable parameters, 78,666 values in all with batch norm's running
//! statistics, as the reference's Keras summary counts. ("same" padding is
//! PyTorch's symmetric padding 1 here: the shapes and counts are equal.)
nn::network! {
    #[nn(int8)]
    pub ResNet8 = <
        Input<3, 32, 32>,
        Conv2d<3, 16, 3, 1, 1>, BatchNorm2d<16>, ReLU,
        Residual<
            Conv2d<16, 16, 3, 1, 1>, BatchNorm2d<16>, ReLU,
            Conv2d<16, 16, 3, 1, 1>, BatchNorm2d<16>,
        >, ReLU,
        Residual<
            Conv2d<16, 32, 3, 2, 1>, BatchNorm2d<32>, ReLU,
            Conv2d<32, 32, 3, 1, 1>, BatchNorm2d<32>,
            Shortcut<Conv2d<16, 32, 1, 2>>,
        >, ReLU,
        Residual<
            Conv2d<32, 64, 3, 2, 1>, BatchNorm2d<64>, ReLU,
            Conv2d<64, 64, 3, 1, 1>, BatchNorm2d<64>,
            Shortcut<Conv2d<32, 64, 1, 2>>,
        >, ReLU,
        AvgPool2d<8>, Flatten, Linear<64, 10>, Softmax,
    >
}

/// A 28×28 digit as ResNet-8's input: centred in 32×32 (2 pixels of
/// padding, as LeNet-5 pads MNIST) and repeated over the three channels.
pub fn digit_as_rgb(pixels: &[f32; 784]) -> [[[f32; 32]; 32]; 3] {
    let mut image = [[0.0f32; 32]; 32];
    for (r, row) in pixels.chunks_exact(28).enumerate() {
        image[r + 2][2..30].copy_from_slice(row);
    }
    [image; 3]
}
