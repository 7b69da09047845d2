"""PyTorch eager on nn's workloads (optional; needs `pip install torch`).

Same MLP (784-128 ReLU-10, softmax + cross-entropy, f32), same batch sizes,
one thread; prints the same rows as `cargo run --release` in this folder.
Median of 15 samples after a warm-up, like the Rust harness (`timing.py`).
"""
import torch

from timing import BATCH, WIDE, report

torch.set_num_threads(1)
torch.manual_seed(0)


model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
x = torch.rand(BATCH, 784)
wide = torch.rand(WIDE, 784)
one = x[:1]
labels = torch.arange(BATCH) % 10
loss_fn = torch.nn.CrossEntropyLoss()


def infer(batch):
    with torch.no_grad():
        torch.softmax(model(batch), dim=1)


def step(opt):
    opt.zero_grad(set_to_none=False)
    loss_fn(model(x), labels).backward()
    opt.step()


sgd = torch.optim.SGD(model.parameters(), lr=0.01)
adam = torch.optim.Adam(model.parameters(), lr=1e-3)
report(lambda: infer(one), lambda: infer(wide), lambda: step(sgd), lambda: step(adam), lambda: torch.set_num_threads(2))
