"""JAX on nn's workloads (optional; needs `pip install jax`).

Same MLP (784-128 ReLU-10, softmax + cross-entropy, f32), same batch sizes.
Every workload is one `jax.jit` function; the training steps are whole steps
(forward, loss, backward, update) with the parameters and optimizer state
donated, so XLA updates them in place. XLA's CPU backend ignores its thread
flags, so one thread means one core: run it under `taskset -c 0`. W5 is
left out (XLA's intra-op threading is not a switch this script can flip).
"""
from functools import partial

import jax
import jax.numpy as jnp

from timing import BATCH, WIDE, report

LR_SGD, LR_ADAM, BETA1, BETA2, EPS = 0.01, 1e-3, 0.9, 0.999, 1e-8

key = jax.random.PRNGKey(0)
k1, k2, k3, k4 = jax.random.split(key, 4)
params = {
    "w1": jax.random.normal(k1, (784, 128)) * (2 / 784) ** 0.5,
    "b1": jnp.zeros(128),
    "w2": jax.random.normal(k2, (128, 10)) * (2 / 128) ** 0.5,
    "b2": jnp.zeros(10),
}
x = jax.random.uniform(k3, (BATCH, 784))
wide = jax.random.uniform(k4, (WIDE, 784))
one = x[:1]
labels = jnp.arange(BATCH) % 10


def logits(p, batch):
    return jax.nn.relu(batch @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"]


def loss(p, batch, y):
    return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits(p, batch)), y[:, None], 1))


infer = jax.jit(lambda p, batch: jax.nn.softmax(logits(p, batch)))


@partial(jax.jit, donate_argnums=(0,))
def sgd(p, batch, y):
    g = jax.grad(loss)(p, batch, y)
    return jax.tree_util.tree_map(lambda w, d: w - LR_SGD * d, p, g)


@partial(jax.jit, donate_argnums=(0, 1, 2))
def adam(p, m, v, t, batch, y):
    g = jax.grad(loss)(p, batch, y)
    m = jax.tree_util.tree_map(lambda m, d: BETA1 * m + (1 - BETA1) * d, m, g)
    v = jax.tree_util.tree_map(lambda v, d: BETA2 * v + (1 - BETA2) * d * d, v, g)
    c1, c2 = 1 - BETA1**t, 1 - BETA2**t
    p = jax.tree_util.tree_map(
        lambda w, m, v: w - LR_ADAM * (m / c1) / (jnp.sqrt(v / c2) + EPS), p, m, v
    )
    return p, m, v


state = {"sgd": params, "adam": (jax.tree_util.tree_map(jnp.copy, params),) + (
    jax.tree_util.tree_map(jnp.zeros_like, params),
    jax.tree_util.tree_map(jnp.zeros_like, params),
), "t": 0}


def sgd_step():
    state["sgd"] = sgd(state["sgd"], x, labels)
    jax.block_until_ready(state["sgd"])


def adam_step():
    state["t"] += 1
    state["adam"] = adam(*state["adam"], float(state["t"]), x, labels)
    jax.block_until_ready(state["adam"])


report(
    lambda: infer(params, one).block_until_ready(),
    lambda: infer(params, wide).block_until_ready(),
    sgd_step,
    adam_step,
)
