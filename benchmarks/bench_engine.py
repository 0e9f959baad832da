"""Time every engine operator on a (1, 16, 64, 64) input, against PyTorch when it is installed.

Both run on one thread, in the same process, on the same numbers, alternating run by run (so
the machine's load falls on both); the figure that matters is the ratio engine / PyTorch (goal:
within 1.5× for every operator).

    python benchmarks/bench_engine.py            # engine times, and ratios if torch imports
    python benchmarks/bench_engine.py --repeat 50
"""

from __future__ import annotations

import os

# One thread for NumPy's BLAS too, so the comparison with torch.set_num_threads(1) is fair.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import timeit  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

from tui_upsample import engine  # noqa: E402


def best_ms(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs, in milliseconds (the least disturbed by the machine)."""
    return best_pair_ms(fn, None, repeat)[0]


def best_pair_ms(
    ours: Callable[[], object], theirs: Callable[[], object] | None, repeat: int
) -> tuple[float, float]:
    """The fastest of ``repeat`` runs of each, alternating, so a change in the machine's load
    falls on both sides of the ratio; in milliseconds (``theirs`` 0 when absent)."""
    fns = [ours] if theirs is None else [ours, theirs]
    numbers = []
    for fn in fns:
        fn()  # warm caches
        numbers.append(max(1, int(0.02 / max(timeit.timeit(fn, number=1), 1e-6))))
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, (fn, number) in enumerate(zip(fns, numbers, strict=True)):
            best[i] = min(best[i], timeit.timeit(fn, number=number) / number * 1e3)
    return best[0], (best[1] if theirs is not None else 0.0)


def cases(x: np.ndarray, w: np.ndarray) -> dict[str, tuple[Callable[[], object], object]]:
    """Each operator as (engine call, the same call's PyTorch spelling or None)."""
    pooled, idx = engine.max_pool2d(x, 2, return_indices=True)
    shuffled = x.reshape(1, 16, 64, 64)
    try:
        import torch
        import torch.nn.functional as F  # noqa: N812

        torch.set_num_threads(1)
        tx, tw = torch.from_numpy(x), torch.from_numpy(w)
        tp, ti = torch.from_numpy(pooled), torch.from_numpy(idx)
        torch_calls: dict[str, Callable[[], object]] = {
            "conv2d": lambda: F.conv2d(tx, tw, padding=1),
            "conv_transpose2d": lambda: F.conv_transpose2d(tx, tw, stride=2, padding=1),
            "max_pool2d": lambda: F.max_pool2d(tx, 2),
            "max_unpool2d": lambda: F.max_unpool2d(tp, ti, 2),
            "upsample_nearest": lambda: F.interpolate(tx, scale_factor=2, mode="nearest"),
            "upsample_bilinear": lambda: F.interpolate(tx, scale_factor=2, mode="bilinear"),
            "pixel_shuffle": lambda: F.pixel_shuffle(tx, 2),
            "im2col": lambda: F.unfold(tx, 3, padding=1),
        }
    except ImportError:
        torch_calls = {}
    ours: dict[str, Callable[[], object]] = {
        "conv2d": lambda: engine.conv2d(x, w, padding=1),
        "conv_transpose2d": lambda: engine.conv_transpose2d(x, w, stride=2, padding=1),
        "max_pool2d": lambda: engine.max_pool2d(x, 2),
        "max_unpool2d": lambda: engine.max_unpool2d(pooled, idx, 2),
        "upsample_nearest": lambda: engine.upsample_nearest(x, scale_factor=2),
        "upsample_bilinear": lambda: engine.upsample_bilinear(x, scale_factor=2),
        "bed_of_nails": lambda: engine.bed_of_nails(x, 2),
        "pixel_shuffle": lambda: engine.pixel_shuffle(shuffled, 2),
        "im2col": lambda: engine.im2col(x, 3, padding=1),
    }
    return {name: (fn, torch_calls.get(name)) for name, fn in ours.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed runs per case (best kept)")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 16, 64, 64))
    w = rng.standard_normal((16, 16, 3, 3))
    print(f"# {platform.processor() or platform.machine()}, numpy {np.__version__}, one thread")
    print("# x (1, 16, 64, 64), w (16, 16, 3, 3); conv_transpose2d stride 2, resampling ×2")
    print(f"{'operator':<20}{'engine ms':>11}{'torch ms':>11}{'ratio':>8}")
    for name, (ours, theirs) in cases(x, w).items():
        ours_ms, theirs_ms = best_pair_ms(ours, theirs, args.repeat)
        if theirs is None:
            print(f"{name:<20}{ours_ms:>11.3f}{'—':>11}{'—':>8}")
        else:
            print(f"{name:<20}{ours_ms:>11.3f}{theirs_ms:>11.3f}{ours_ms / theirs_ms:>7.2f}×")


if __name__ == "__main__":
    main()
