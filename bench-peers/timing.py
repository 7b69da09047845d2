"""The Python peers' shared harness: the same timing and rows as the Rust
harness in `src/` (median of 15 samples after a 0.2 s warm-up)."""
import statistics
import time

BATCH, WIDE = 64, 256
# The CNN workloads' batch (C1 and C3).
CNN_BATCH = 32


def median_time(f):
    """Median seconds per call of `f`, over 15 samples of equal call counts."""
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


def report(infer_one, infer_wide, sgd_step, adam_step, use_two_threads=None):
    """Prints the W1-W4 rows, then W5 (W3 again) after `use_two_threads()`
    switches the library to two threads, if the peer can."""
    print(f"| W1 batch-1 latency | {median_time(infer_one) * 1e6:.1f} µs |")
    print(f"| W2 batch-256 throughput | {WIDE / median_time(infer_wide) / 1e6:.2f} M/s |")
    print(f"| W3 batch-64 SGD step | {median_time(sgd_step) * 1e6:.1f} µs |")
    print(f"| W4 batch-64 Adam step | {median_time(adam_step) * 1e6:.1f} µs |")
    if use_two_threads is not None:
        use_two_threads()
        print(f"| W5 = W3 on 2 threads | {median_time(sgd_step) * 1e6:.1f} µs |")


def report_cnn(train_step, infer_one, infer_batch):
    """Prints the C1-C3 rows: the `cnn_mnist` network (without dropout)."""
    print(f"| C1 batch-32 CNN SGD step | {median_time(train_step) * 1e6:.1f} µs |")
    print(f"| C2 batch-1 CNN inference | {median_time(infer_one) * 1e6:.1f} µs |")
    print(f"| C3 batch-32 CNN inference | {median_time(infer_batch) * 1e6:.1f} µs |")
