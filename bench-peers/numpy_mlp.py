"""NumPy on nn's workloads (optional; needs `pip install numpy threadpoolctl`).

Same MLP (784-128 ReLU-10, softmax + cross-entropy, f32), forward and
backward written out by hand as a NumPy user would, on OpenBLAS (the wheel's
BLAS) limited to one thread, then two for W5. OpenBLAS picks its kernels by
the CPU it sees: run it with `OPENBLAS_CORETYPE` and `OPENBLAS_L2_SIZE`
unset (this prints the kernel family it chose).
"""
import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from timing import BATCH, WIDE, report

LR_SGD, LR_ADAM, BETA1, BETA2, EPS = 0.01, 1e-3, 0.9, 0.999, 1e-8

rng = np.random.default_rng(0)
f32 = np.float32
params = [
    (rng.standard_normal((784, 128)) * (2 / 784) ** 0.5).astype(f32),
    np.zeros(128, f32),
    (rng.standard_normal((128, 10)) * (2 / 128) ** 0.5).astype(f32),
    np.zeros(10, f32),
]
x = rng.random((BATCH, 784), dtype=f32)
wide = rng.random((WIDE, 784), dtype=f32)
one = x[:1]
onehot = np.eye(10, dtype=f32)[np.arange(BATCH) % 10]


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def infer(batch):
    w1, b1, w2, b2 = params
    return softmax(np.maximum(batch @ w1 + b1, 0) @ w2 + b2)


def gradients():
    w1, b1, w2, b2 = params
    h = np.maximum(x @ w1 + b1, 0)
    dz = (softmax(h @ w2 + b2) - onehot) / BATCH
    dh = (dz @ w2.T) * (h > 0)
    return [x.T @ dh, dh.sum(0), h.T @ dz, dz.sum(0)]


def sgd_step():
    for p, g in zip(params, gradients()):
        p -= LR_SGD * g


moments = [[np.zeros_like(p), np.zeros_like(p)] for p in params]
steps = [0]


def adam_step():
    steps[0] += 1
    c1, c2 = 1 - BETA1 ** steps[0], 1 - BETA2 ** steps[0]
    for p, g, (m, v) in zip(params, gradients(), moments):
        m *= BETA1
        m += (1 - BETA1) * g
        v *= BETA2
        v += (1 - BETA2) * g * g
        p -= LR_ADAM * (m / c1) / (np.sqrt(v / c2) + EPS)


blas = [i for i in threadpool_info() if i["user_api"] == "blas"]
print("BLAS:", ", ".join(f"{i['internal_api']} {i.get('version')} ({i.get('architecture')})" for i in blas))
limits = threadpool_limits(1, "blas")
report(lambda: infer(one), lambda: infer(wide), sgd_step, adam_step, lambda: threadpool_limits(2, "blas"))
