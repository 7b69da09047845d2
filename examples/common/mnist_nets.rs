//! The MNIST networks the examples train and the firmware runs (a `no_std`
//! file: `embedded/` includes it too).

nn::network! {
    /// The design's MNIST network, 784 → 128 → 10 with dropout: trained by
    /// `examples/mnist.rs`, loaded by `examples/classify.rs`, quantized by
    /// `examples/quantize.rs`.
    #[nn(int8)]
    pub MnistMlp = < Linear<784, 128>, ReLU, Dropout<0.2>, Linear<128, 10>, Softmax >
}

nn::network! {
    /// LeNet-style: conv 5×5 (8) → pool → conv 5×5 (16) → pool → 256 → 64 →
    /// 10. Trained by `examples/cnn_mnist.rs`, quantized by
    /// `examples/quantize.rs`.
    #[nn(int8)]
    pub MnistCnn = <
        Input<1, 28, 28>,
        Conv2d<1, 8, 5>, ReLU, MaxPool2d<2>,
        Conv2d<8, 16, 5>, ReLU, MaxPool2d<2>,
        Flatten, Linear<256, 64>, ReLU, Dropout<0.2>,
        Linear<64, 10>, Softmax,
    >
}
