"""PyTorch eager on nn's CNN workloads (optional; needs `pip install torch`).

The `cnn_mnist` network without dropout: Conv2d(1, 8, 5), ReLU, MaxPool2d(2),
Conv2d(8, 16, 5), ReLU, MaxPool2d(2), Flatten, Linear(256, 64), ReLU,
Linear(64, 10), softmax + cross-entropy, f32, on 28×28 images; one thread.
Prints the rows C1-C3 of `cargo run --release` in this folder, timed by
`timing.py` (median of 15 samples after a warm-up).
"""
import torch

from timing import CNN_BATCH, report_cnn

torch.set_num_threads(1)
torch.manual_seed(0)

nn = torch.nn
model = nn.Sequential(
    nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(256, 64), nn.ReLU(), nn.Linear(64, 10),
)
x = torch.rand(CNN_BATCH, 1, 28, 28)
one = x[:1]
labels = torch.arange(CNN_BATCH) % 10
loss_fn = nn.CrossEntropyLoss()
sgd = torch.optim.SGD(model.parameters(), lr=0.01)


def infer(batch):
    with torch.no_grad():
        torch.softmax(model(batch), dim=1)


def step():
    sgd.zero_grad(set_to_none=False)
    loss_fn(model(x), labels).backward()
    sgd.step()


report_cnn(step, lambda: infer(one), lambda: infer(x))
