"""Absurd arguments: the engine refuses to build an array larger than ``MAX_CELLS`` cells.

Each case once tried to allocate gigabytes to exabytes (MemoryError, NumPy's "array is too big",
an OverflowError, or the OOM killer). Now each raises ``EngineError`` naming the parameter that
made the array large, its value and the rule, before anything large is allocated: every refusal
runs under ``tracemalloc`` (NumPy reports its buffers to it, calloc'd ones too) and must peak
below a few MiB.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from tui_upsample.engine import (
    ConvMatrix,
    EngineError,
    bed_of_nails,
    col2im,
    conv2d,
    conv_matrix,
    conv_matrix_block,
    conv_transpose2d,
    im2col,
    max_pool2d,
    max_unpool2d,
    trace,
    upsample_bilinear,
    upsample_nearest,
)
from tui_upsample.engine.bilinear import bilinear_sources
from tui_upsample.engine.upsampling import nearest_sources
from tui_upsample.engine.validation import MAX_CELLS, count_text, room_for

X44 = np.arange(16.0).reshape(4, 4)
K22 = np.ones((2, 2))
RULE = f"more than the engine builds ({MAX_CELLS:,})"
PEAK_BYTES = 8 << 20  # nothing near a large array may be allocated on the way to the refusal


def refused(call: Callable[[], Any]) -> str:
    """The message of the EngineError ``call`` raises, quickly and without a large allocation."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(EngineError) as info:
            call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < PEAK_BYTES, f"peaked at {peak:,} bytes before refusing"
    assert time.perf_counter() - start < 5
    return str(info.value)


CASES: list[tuple[str, Callable[[], Any], tuple[str, ...]]] = [
    # padding="same" with a huge dilation: a 4×4 output, but a 10⁹ × 10⁹ padded input
    (
        "conv2d-same-dilation",
        lambda: conv2d(X44, K22, padding="same", dilation=10**9),
        ("dilation=1000000000: the padded input would be", "about 10^18 cells"),
    ),
    (
        "conv2d-same-dilation-one-axis",
        lambda: conv2d(X44, K22, padding="SAME", dilation=(1, 10**9)),
        ("dilation=(1, 1000000000): the padded input",),
    ),
    (
        "im2col-same-dilation",
        lambda: im2col(X44, 2, padding="same", dilation=10**9),
        ("dilation=1000000000: the padded input would be",),
    ),
    (
        "col2im-same-dilation",
        lambda: col2im(np.ones((16, 4)), 4, 2, padding="same", dilation=10**9),
        ("dilation=1000000000: the padded output would be",),
    ),
    # a huge padding: a huge output
    (
        "conv2d-padding",
        lambda: conv2d(X44, K22, padding=10**9),
        ("padding=1000000000: the output would be 1 × 1 × 2000000003 × 2000000003",),
    ),
    (
        "conv2d-padding-astronomical",
        lambda: conv2d(X44, K22, padding=10**5000),
        ("padding=<an integer of about 5001 digits>: the output would be", "about 10^10000"),
    ),
    (
        "im2col-padding",
        lambda: im2col(X44, 2, padding=(0, 10**9)),
        ("padding=(0, 1000000000): the padded input would be 1 × 1 × 4 × 2000000004",),
    ),
    # a transposed convolution grows with its stride and dilation
    (
        "conv_transpose2d-stride",
        lambda: conv_transpose2d(X44, K22, stride=10**9),
        ("stride=1000000000: the output would be 1 × 1 × 3000000002 × 3000000002",),
    ),
    (
        "conv_transpose2d-dilation",
        lambda: conv_transpose2d(X44, K22, dilation=10**9),
        ("dilation=1000000000: the output would be 1 × 1 × 1000000004 × 1000000004",),
    ),
    (
        "conv_transpose2d-valid-stride",
        lambda: conv_transpose2d(X44, K22, stride=(1, 10**9), padding="valid"),
        ("stride=(1, 1000000000): the output would be 1 × 1 × 5 × 4000000000",),
    ),
    # the dense convolution matrix, its blocks, and one too large even to index
    (
        "conv_matrix-input_size",
        lambda: conv_matrix(K22, 10**5),
        ("input_size=100000: W1 would be 10000000000 × 9999800001",),
    ),
    (
        "conv_matrix-to_array",
        lambda: ConvMatrix(K22, (10**4, 10**4)).to_array(),
        ("input_size=(10000, 10000): W1 would be 100000000 × 99980001",),
    ),
    (
        "conv_matrix-W2-to_array",
        lambda: ConvMatrix.for_conv_transpose2d(K22, 10**4).to_array(),
        ("input_size=10000: W2 = W1ᵀ would be 100000000 × 100020001",),
    ),
    (
        "conv_matrix-block",
        lambda: ConvMatrix(K22, 10**5)[:, :2],
        ("index=(slice(None, None, None), slice(None, 2, None)): the block would be",),
    ),
    (
        "conv_matrix-len",
        lambda: len(ConvMatrix(K22, input_size=10**10)),
        ("input_size=10000000000: W1 would be about 10^20 × about 10^19", "int64 indices"),
    ),
    (
        "conv_matrix-W2-stride",
        lambda: ConvMatrix.for_conv_transpose2d(K22, 4, stride=10**30),
        ("stride=1000000000000000000000000000000: W2 = W1ᵀ would be 16 × about 10^60",),
    ),
    (
        "conv_matrix-reach",
        lambda: ConvMatrix(K22, 4, stride=10**30, padding=10**30),
        ("padding=1000000000000000000000000000000: the windows of W1 would reach about 10^30",),
    ),
    # im2col's matrix: windows × taps
    (
        "im2col-kernel_size",
        lambda: im2col(np.ones((1, 30000)), (1, 15000)),
        ("kernel_size=(1, 15000): the im2col matrix would be 1 × 15001 × 15000",),
    ),
    (
        "col2im-output_size",
        lambda: col2im(np.ones((1, 1)), 10**9, 1, stride=10**9),
        ("output_size=1000000000: the output would be 1 × 1 × 1000000000 × 1000000000",),
    ),
    # pooling: a 1×1 output, but a 10⁶ × 10⁶ −∞-padded copy of x
    (
        "max_pool2d-padding",
        lambda: max_pool2d(X44, 10**6, padding=5 * 10**5),
        ("padding=500000: the −∞-padded copy of x would be 1 × 1 × 1000000 × 1000000",),
    ),
    (
        "max_unpool2d-kernel_size",
        lambda: max_unpool2d([[1.0]], [[0]], 2**40),
        ("kernel_size=1099511627776: the output would be",),
    ),
    (
        "max_unpool2d-stride",
        lambda: max_unpool2d(np.ones((2, 2)), np.zeros((2, 2), int), 2, stride=10**9),
        ("stride=1000000000: the output would be 1 × 1 × 1000000002 × 1000000002",),
    ),
    # resampling: outputs whose byte count fits an index, but not in memory
    (
        "upsample_nearest-size",
        lambda: upsample_nearest(X44, size=10**9),
        ("size=1000000000: the output would be 1 × 1 × 1000000000 × 1000000000",),
    ),
    (
        "upsample_nearest-scale_factor",
        lambda: upsample_nearest(np.ones((2, 3, 4, 4)), scale_factor=(1e4, 2e4)),
        ("scale_factor=(10000.0, 20000.0): the output would be 2 × 3 × 40000 × 80000",),
    ),
    (
        "upsample_bilinear-scale_factor",
        lambda: upsample_bilinear(X44, scale_factor=1e300),
        ("scale_factor=1e+300: the output would be", "about 10^300 ×"),
    ),
    (
        "upsample_bilinear-width-blended",
        lambda: upsample_bilinear(np.ones((20000, 1)), size=(1, 20000)),
        ("size=(1, 20000): x blended along its width would be 1 × 20000 × 20000",),
    ),
    (
        "bed_of_nails-scale_factor",
        lambda: bed_of_nails(X44, 10**9),
        ("scale_factor=1000000000: the output would be 1 × 1 × 4000000000 × 4000000000",),
    ),
    ("nearest_sources", lambda: nearest_sources(3, 10**9), ("out_size=1000000000",)),
    ("bilinear_sources", lambda: bilinear_sources(10**9, 3), ("in_size=1000000000",)),
    # trace grids
    (
        "trace-direct-padded",
        lambda: trace(
            "conv_transpose2d", X44, weight=K22, padding="same", dilation=10**9, method="direct"
        ),
        ("dilation=1000000000: the zero-inserted, padded input would be 1000000004 × 1000000004",),
    ),
    (
        "trace-matrix-reach",
        lambda: trace(
            "conv_transpose2d", X44, weight=K22, padding="same", dilation=10**30, method="matrix"
        ),
        ("dilation=1000000000000000000000000000000: the windows of W2 = W1ᵀ would reach",),
    ),
    (
        "trace-conv2d-same-dilation",
        lambda: trace("conv2d", X44, weight=K22, padding="same", dilation=10**9),
        ("dilation=1000000000: the padded input would be",),
    ),
    (
        "trace-max_pool2d",
        lambda: trace("max_pool2d", X44, kernel_size=10**6, padding=5 * 10**5),
        ("padding=500000: the −∞-padded copy of x",),
    ),
    (
        "trace-upsample_nearest",
        lambda: trace("upsample_nearest", X44, scale_factor=1e9),
        ("scale_factor=1000000000.0: the output would be",),
    ),
]


@pytest.mark.parametrize(
    ("call", "fragments"), [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_absurd_size_is_refused_before_allocating(
    call: Callable[[], Any], fragments: tuple[str, ...]
) -> None:
    message = refused(call)
    for fragment in fragments:
        assert fragment in message
    assert RULE in message or "int64 indices" in message


def test_huge_conv_matrix_stays_lazy() -> None:
    """A W1 far beyond MAX_CELLS is fine as long as only small blocks are asked for."""
    m = ConvMatrix(K22, 10**5)
    assert m.shape == (10**10, 9999800001) and len(m) == 10**10
    assert m.T.shape == (9999800001, 10**10) and len(m.T) == 9999800001
    assert all(type(side) is int for side in m.shape)
    np.testing.assert_array_equal(m[:3, :2], [[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    assert m[10**10 - 1, 9999800001 - 1] == 1.0


def test_same_padding_with_huge_dilation_is_fine_for_the_lazy_matrix() -> None:
    """conv2d refuses it (its padded input), but W1 never builds that: every tap lands outside
    the 4×4 input, so W1 is 16 × 16 zeros."""
    block = conv_matrix_block(K22, 4, slice(None), slice(None), padding="same", dilation=10**9)
    np.testing.assert_array_equal(block, np.zeros((16, 16)))


def test_unpool_output_size_names_output_size() -> None:
    message = refused(
        lambda: max_unpool2d(np.ones((2, 2)), np.zeros((2, 2), int), 2, 10**9, 0, (10**9, 10**9))
    )
    assert message.startswith("output_size=(1000000000, 1000000000): the output would be")


def test_nearest_shrinking_height_growing_width_gives_the_same_result() -> None:
    """upsample_nearest gathers rows first there, so its middle array stays small."""
    x = np.arange(4000.0).reshape(2000, 2)
    out = upsample_nearest(x, size=(3, 3000))
    rows = nearest_sources(2000, 3, fast_path=False)
    cols = nearest_sources(2, 3000, fast_path=False)
    np.testing.assert_array_equal(out, x[rows][:, cols])


def test_room_for_allows_exactly_max_cells() -> None:
    assert MAX_CELLS == 2**27
    room_for("size", 1, (1, 2**13, 2**14))
    with pytest.raises(EngineError, match=r"^size=1: the output would be 2 × 8193 × 8192 = "):
        room_for("size", 1, (2, 2**13 + 1, 2**13))
    with pytest.raises(EngineError, match=r"^padding=3: the padded input would be 134217729 cells"):
        room_for("padding", 3, (2**27 + 1,), "the padded input")


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0"),
        (999_999_999_999_999, "999999999999999"),
        (10**15, "about 10^15"),
        (10**16 - 1, "about 10^15"),
        (2**63, "about 10^18"),
        (10**400, "about 10^400"),
        (10**5000 + 7, "about 10^5000"),
        (-(10**20), "about -10^20"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",  # str() refuses an int of 5001 digits
)
def test_count_text(n: int, text: str) -> None:
    assert count_text(n) == text
