"""JAX on nn's CNN workloads (optional; needs `pip install jax`).

The `cnn_mnist` network without dropout (as `pytorch_cnn.py`), NCHW, f32.
Each workload is one `jax.jit` function; the training step is a whole step
(forward, loss, backward, SGD update) with the parameters donated. XLA's
CPU backend ignores its thread flags: run it under `taskset -c 0`.
"""
from functools import partial

import jax
import jax.numpy as jnp

from timing import CNN_BATCH, report_cnn

LR = 0.01
keys = jax.random.split(jax.random.PRNGKey(0), 6)


def he(key, shape, fan_in):
    return jax.random.normal(key, shape) * (2 / fan_in) ** 0.5


params = {
    "c1": he(keys[0], (8, 1, 5, 5), 25), "b1": jnp.zeros(8),
    "c2": he(keys[1], (16, 8, 5, 5), 200), "b2": jnp.zeros(16),
    "w3": he(keys[2], (256, 64), 256), "b3": jnp.zeros(64),
    "w4": he(keys[3], (64, 10), 64), "b4": jnp.zeros(10),
}
x = jax.random.uniform(keys[4], (CNN_BATCH, 1, 28, 28))
one = x[:1]
labels = jnp.arange(CNN_BATCH) % 10


def conv_relu_pool(h, w, b):
    h = jax.lax.conv_general_dilated(h, w, (1, 1), "VALID", dimension_numbers=("NCHW", "OIHW", "NCHW"))
    h = jax.nn.relu(h + b[None, :, None, None])
    return jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")


def logits(p, batch):
    h = conv_relu_pool(conv_relu_pool(batch, p["c1"], p["b1"]), p["c2"], p["b2"])
    h = jax.nn.relu(h.reshape(h.shape[0], -1) @ p["w3"] + p["b3"])
    return h @ p["w4"] + p["b4"]


def loss(p, batch, y):
    return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits(p, batch)), y[:, None], 1))


infer = jax.jit(lambda p, batch: jax.nn.softmax(logits(p, batch)))


@partial(jax.jit, donate_argnums=(0,))
def sgd(p, batch, y):
    g = jax.grad(loss)(p, batch, y)
    return jax.tree_util.tree_map(lambda w, d: w - LR * d, p, g)


state = {"p": jax.tree_util.tree_map(jnp.copy, params)}


def step():
    state["p"] = sgd(state["p"], x, labels)
    jax.block_until_ready(state["p"])


report_cnn(
    step,
    lambda: infer(params, one).block_until_ready(),
    lambda: infer(params, x).block_until_ready(),
)
