//! The other three MLPerf Tiny reference models (the MLCommons `tiny`
//! repository's `benchmark/training/*`), written with `network!`; ResNet-8 is
//! in `resnet8.rs`. Each has the trainable parameter count of the
//! reference's layer list (DS-CNN's 23,756 is also the published figure),
//! and its count with batch norm's running statistics is what a Keras
//! summary calls "Total params". Keras' "same" padding is symmetric here
//! (`padding = same` picks it): where Keras would pad one more row after a
//! strided window than before, the window starts one row higher, with equal
//! shapes and counts.

nn::network! {
    /// Keyword spotting, DS-CNN (`keyword_spotting/keras_model.py`, `ds_cnn`):
    /// 49×10 MFCC features, a 64-filter 10×4 stride-2 stem, four depthwise-
    /// separable blocks, average pooling and 12 classes. 23,756 trainable
    /// parameters. The reference pools a 24×5 window of the 25×5 map; global
    /// pooling here averages all 25 rows (no parameters either way).
    #[nn(int8)]
    pub DsCnn = <
        Input<1, 49, 10>,
        Conv2d<1, 64, (10, 4), stride = 2, padding = same>, BatchNorm2d<64>, ReLU, Dropout<0.2>,
        DepthwiseConv2d<64, 3, padding = same>, BatchNorm2d<64>, ReLU,
        Conv2d<64, 64, 1>, BatchNorm2d<64>, ReLU,
        DepthwiseConv2d<64, 3, padding = same>, BatchNorm2d<64>, ReLU,
        Conv2d<64, 64, 1>, BatchNorm2d<64>, ReLU,
        DepthwiseConv2d<64, 3, padding = same>, BatchNorm2d<64>, ReLU,
        Conv2d<64, 64, 1>, BatchNorm2d<64>, ReLU,
        DepthwiseConv2d<64, 3, padding = same>, BatchNorm2d<64>, ReLU,
        Conv2d<64, 64, 1>, BatchNorm2d<64>, ReLU,
        Dropout<0.4>, GlobalAvgPool2d, Linear<64, 12>, Softmax,
    >
}

nn::network! {
    /// Visual wake words, MobileNetV1 with width α = 0.25
    /// (`visual_wake_words/vww_model.py`): 96×96 RGB, 13 depthwise-separable
    /// blocks from 8 to 256 channels, 3×3 average pooling (global here, the
    /// same thing on a 3×3 map) and 2 classes. 216,322 trainable parameters,
    /// 221,794 with running statistics.
    #[nn(int8)]
    pub MobileNetV1 = <
        Input<3, 96, 96>,
        Conv2d<3, 8, 3, stride = 2, padding = same>, BatchNorm2d<8>, ReLU,
        DepthwiseConv2d<8, 3, padding = same>, BatchNorm2d<8>, ReLU,
        Conv2d<8, 16, 1>, BatchNorm2d<16>, ReLU,
        DepthwiseConv2d<16, 3, stride = 2, padding = same>, BatchNorm2d<16>, ReLU,
        Conv2d<16, 32, 1>, BatchNorm2d<32>, ReLU,
        DepthwiseConv2d<32, 3, padding = same>, BatchNorm2d<32>, ReLU,
        Conv2d<32, 32, 1>, BatchNorm2d<32>, ReLU,
        DepthwiseConv2d<32, 3, stride = 2, padding = same>, BatchNorm2d<32>, ReLU,
        Conv2d<32, 64, 1>, BatchNorm2d<64>, ReLU,
        DepthwiseConv2d<64, 3, padding = same>, BatchNorm2d<64>, ReLU,
        Conv2d<64, 64, 1>, BatchNorm2d<64>, ReLU,
        DepthwiseConv2d<64, 3, stride = 2, padding = same>, BatchNorm2d<64>, ReLU,
        Conv2d<64, 128, 1>, BatchNorm2d<128>, ReLU,
        DepthwiseConv2d<128, 3, padding = same>, BatchNorm2d<128>, ReLU,
        Conv2d<128, 128, 1>, BatchNorm2d<128>, ReLU,
        DepthwiseConv2d<128, 3, padding = same>, BatchNorm2d<128>, ReLU,
        Conv2d<128, 128, 1>, BatchNorm2d<128>, ReLU,
        DepthwiseConv2d<128, 3, padding = same>, BatchNorm2d<128>, ReLU,
        Conv2d<128, 128, 1>, BatchNorm2d<128>, ReLU,
        DepthwiseConv2d<128, 3, padding = same>, BatchNorm2d<128>, ReLU,
        Conv2d<128, 128, 1>, BatchNorm2d<128>, ReLU,
        DepthwiseConv2d<128, 3, padding = same>, BatchNorm2d<128>, ReLU,
        Conv2d<128, 128, 1>, BatchNorm2d<128>, ReLU,
        DepthwiseConv2d<128, 3, stride = 2, padding = same>, BatchNorm2d<128>, ReLU,
        Conv2d<128, 256, 1>, BatchNorm2d<256>, ReLU,
        DepthwiseConv2d<256, 3, padding = same>, BatchNorm2d<256>, ReLU,
        Conv2d<256, 256, 1>, BatchNorm2d<256>, ReLU,
        GlobalAvgPool2d, Linear<256, 2>, Softmax,
    >
}

nn::network! {
    /// Anomaly detection, the dense autoencoder
    /// (`anomaly_detection/keras_model.py`): 640 inputs (5 frames × 128 mel
    /// bands), four 128-unit layers down to an 8-unit bottleneck and four back
    /// up, each with batch norm and ReLU, and a linear 640-value
    /// reconstruction. 267,928 trainable parameters, 269,992 with running
    /// statistics.
    #[nn(int8)]
    pub AnomalyAutoencoder = <
        Input<640>,
        Linear<640, 128>, BatchNorm1d<128>, ReLU,
        Linear<128, 128>, BatchNorm1d<128>, ReLU,
        Linear<128, 128>, BatchNorm1d<128>, ReLU,
        Linear<128, 128>, BatchNorm1d<128>, ReLU,
        Linear<128, 8>, BatchNorm1d<8>, ReLU,
        Linear<8, 128>, BatchNorm1d<128>, ReLU,
        Linear<128, 128>, BatchNorm1d<128>, ReLU,
        Linear<128, 128>, BatchNorm1d<128>, ReLU,
        Linear<128, 128>, BatchNorm1d<128>, ReLU,
        Linear<128, 640>,
    >
}
