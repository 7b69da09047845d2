"""PyTorch eager on nn's workloads (optional; needs `pip install torch`).

Same MLP (784-128 ReLU-10, softmax + cross-entropy, f32), same batch sizes,
one thread; prints the same rows as `cargo run --release` in this folder.
Median of 15 samples after a warm-up, like the Rust harness.
"""
import statistics
import time

import torch

torch.set_num_threads(1)
torch.manual_seed(0)
BATCH, WIDE = 64, 256


def median_time(f):
    end = time.perf_counter() + 0.2
    calls = 0
    while time.perf_counter() < end:
        f()
        calls += 1
    per = max(calls // 5, 1)
    samples = []
    for _ in range(15):
        t = time.perf_counter()
        for _ in range(per):
            f()
        samples.append((time.perf_counter() - t) / per)
    return statistics.median(samples)


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
print(f"| W1 batch-1 latency | {median_time(lambda: infer(one)) * 1e6:.1f} µs |")
print(f"| W2 batch-256 throughput | {WIDE / median_time(lambda: infer(wide)) / 1e6:.2f} M/s |")
print(f"| W3 batch-64 SGD step | {median_time(lambda: step(sgd)) * 1e6:.1f} µs |")
print(f"| W4 batch-64 Adam step | {median_time(lambda: step(adam)) * 1e6:.1f} µs |")
torch.set_num_threads(2)
print(f"| W5 = W3 on 2 threads | {median_time(lambda: step(sgd)) * 1e6:.1f} µs |")
