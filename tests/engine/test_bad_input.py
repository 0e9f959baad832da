"""Hostile arguments: every public engine function gives a finite float64 result or an EngineError.

The contract: every invalid argument raises ``EngineError`` (a ``ValueError``) whose message names
the parameter, its value and the rule, and *no other exception type escapes* — no TypeError,
IndexError, ZeroDivisionError, OverflowError, MemoryError, nor any NumPy error or warning (the
module runs with warnings as errors).

Part 1 fuzzes each public function with hypothesis: valid arguments mixed with wrong types (None,
strings, floats where ints go, bools, dicts, nested and ragged lists, tuples of length 1 or 3,
NumPy scalars and arrays, complex numbers, huge ints), bad arrays (NaN / inf, 0-size, 1-D and
5-D, object, complex) and out-of-range values. Each call must either return a finite float64 array
in the caller's layout or raise EngineError.

Two exceptions to "only EngineError" are the Sequence protocol of a :class:`Trace`, and are fine:
``t[k]`` with ``k`` out of range raises IndexError, and a non-integer index raises TypeError.

Huge ints are drawn for every integer parameter, those that make an array huge too
(``size=10**9``, ``scale_factor=1e300``, a conv padding, a transposed-conv stride or dilation, an
unpool kernel, a ConvMatrix ``input_size``, padding="same" with a huge dilation, whose padded input
is huge …): the engine builds no array of more than ``MAX_CELLS`` cells and refuses those with an
EngineError naming the parameter (see test_allocation_limit, which also checks that nothing large
is allocated on the way).

Part 2 pins one explicit message per contract rule, for the functions the per-module tests
(test_convolution, test_pooling, test_resampling, test_trace) leave out, and one regression test
per bug this file found.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tui_upsample.engine import (
    METHODS,
    OPERATORS,
    ConvMatrix,
    EngineError,
    Trace,
    avg_pool2d,
    bed_of_nails,
    col2im,
    conv2d,
    conv_matrix,
    conv_matrix_block,
    conv_output_size,
    conv_transpose2d,
    conv_transpose_output_size,
    im2col,
    max_pool2d,
    max_unpool2d,
    pixel_shuffle,
    pool_output_size,
    trace,
    unpool_default_size,
    upsample_bilinear,
    upsample_nearest,
)
from tui_upsample.engine.validation import MAX_CELLS

pytestmark = pytest.mark.filterwarnings("error")

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# --------------------------------------------------------------------------------------------
# Hostile values
# --------------------------------------------------------------------------------------------

HUGE: tuple[Any, ...] = (
    2**31,
    2**63,
    2**64 + 1,
    10**30,
    -(10**30),
    10**400,
    1e300,
    -1e300,
    np.uint64(2**64 - 1),
    np.int64(2**62),
    (2, 10**400),
    (10**30, 1),
)
"""Drawn for every integer parameter (see the module docstring)."""

NP_SCALARS: tuple[Any, ...] = (
    np.int64(2),
    np.int32(3),
    np.uint8(1),
    np.int8(-1),
    np.float64(2.0),
    np.float32(1.5),
    np.float16(np.inf),
    np.float64(np.nan),
    np.bool_(True),
    np.complex128(2 + 0j),
    np.str_("2"),
)

ODD_OBJECTS: tuple[Any, ...] = (
    object(),
    b"2",
    Ellipsis,
    slice(1, 2),
    range(2),
    {1, 2},
    frozenset(),
    1.5 + 0j,
    2 + 0j,
    [[1, 2]],
    [[1], [1, 2]],
    ([2], 2),
    ("2", 2),
    (None, 1),
    (1.0, 2),
    (2, 1.5),
    (True, 1),
    (np.int64(2), np.float64(2.0)),
    (float("nan"), 1),
    (),
)

ODD_ARRAYS: tuple[Any, ...] = (
    np.array(2),
    np.array(2.5),
    np.array([2, 2]),
    np.array([[1, 2]]),
    np.array([2, None], dtype=object),
    np.array([2.0, 2.0]),
    np.array([]),
    np.array(["a", "b"]),
    np.array([1 + 1j, 2]),
    np.array([True, False]),
)

SMALL_FLOATS = st.one_of(
    st.floats(-5, 5),
    st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0, 1e-300, 5e-324, 0.5, 2.0, -2.5]),
)

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    SMALL_FLOATS,
    st.complex_numbers(max_magnitude=4),
    st.text(max_size=3),
    st.sampled_from(["same", "valid", "SAME", "full", "2", "", "zeros", "max", "im2col"]),
    st.sampled_from(NP_SCALARS),
    st.dictionaries(st.sampled_from("ab"), st.integers(0, 2), max_size=2),
    st.sampled_from(ODD_OBJECTS),
    st.sampled_from(ODD_ARRAYS),
    st.lists(st.integers(-1, 3), max_size=4),
    st.tuples(st.integers(-1, 3)),
    st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)),
)


def int_or_pair(lo: int, hi: int) -> st.SearchStrategy[Any]:
    """An int or an (h, w) pair, as a tuple, a list, NumPy ints or an array."""
    one = st.integers(lo, hi)
    return st.one_of(
        one,
        st.tuples(one, one),
        st.lists(one, min_size=2, max_size=2),
        one.map(np.int64),
        st.tuples(one, one).map(np.array),
    )


def finite_values() -> st.SearchStrategy[float]:
    return st.one_of(st.integers(-4, 4).map(float), st.floats(-8, 8, width=64))


def valid_arrays(
    min_dims: int = 2, max_dims: int = 4, max_side: int = 4
) -> st.SearchStrategy[np.ndarray]:
    shapes = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)
    return hnp.arrays(np.float64, shapes, elements=finite_values())


def _poison(arr: np.ndarray, value: float, where: int) -> np.ndarray:
    bad = arr.copy()
    bad.flat[where % bad.size] = value
    return bad


BAD_ARRAYS = st.one_of(
    JUNK,
    # 0-size, 1-D, 5-D
    hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=4, min_side=0, max_side=2)),
    valid_arrays(1, 1),
    valid_arrays(5, 5, max_side=2),
    # NaN / inf somewhere
    st.builds(
        _poison,
        valid_arrays(),
        st.sampled_from([math.nan, math.inf, -math.inf]),
        st.integers(0, 1000),
    ),
    # other dtypes: complex, object, ints, bools, float32
    valid_arrays().map(lambda a: a + 1j),
    valid_arrays().map(lambda a: a.astype(complex)),
    valid_arrays().map(lambda a: a.astype(object)),
    valid_arrays().map(lambda a: a.astype(np.int64)),
    valid_arrays().map(lambda a: a > 0),
    valid_arrays().map(lambda a: a.astype(np.float32)),
    st.sampled_from(
        [
            [[1, 2], [3]],
            [[10**400]],
            [[2**70, 1]],
            [["a"]],
            [["1", "2"]],
            [[None]],
            [[1j]],
            [[True, False]],
            [[[]]],
            [[{}]],
            [[np.inf]],
            np.array(1.0),
            np.array([[1, None]], dtype=object),
            np.array([["1.5", "2"]]),
        ]
    ),
)


class Arg(NamedTuple):
    """How to draw one argument: a valid value, or a bad one."""

    valid: st.SearchStrategy[Any]
    bad: st.SearchStrategy[Any]


def arg(valid: st.SearchStrategy[Any], invalid: st.SearchStrategy[Any] | None = None) -> Arg:
    """Valid values; bad ones are junk, ``invalid`` (out of range) and huge ints."""
    bad = [JUNK] if invalid is None else [JUNK, invalid, invalid]
    bad.append(st.sampled_from(HUGE))
    return Arg(valid, st.one_of(*bad))


def grid(valid: st.SearchStrategy[np.ndarray]) -> Arg:
    """A valid array (as an array or as nested lists), or a bad one."""
    return Arg(st.one_of(valid, valid.map(lambda a: a.tolist())), BAD_ARRAYS)


@st.composite
def calls(draw: st.DrawFn, spec: dict[str, Arg]) -> dict[str, Any]:
    """Arguments for one call: all valid, exactly one bad, or any number bad."""
    names = list(spec)
    level = draw(st.sampled_from(["valid", "valid", "one bad", "one bad", "any bad"]))
    if level == "valid":
        bad: set[str] = set()
    elif level == "one bad":
        bad = {draw(st.sampled_from(names))}
    else:
        bad = {name for name in names if draw(st.booleans())}
    return {name: draw(spec[name].bad if name in bad else spec[name].valid) for name in names}


def positive(hi: int) -> st.SearchStrategy[Any]:
    return int_or_pair(1, hi)


def non_negative(hi: int) -> st.SearchStrategy[Any]:
    return int_or_pair(0, hi)


NOT_POSITIVE = st.one_of(
    st.integers(-3, 0),
    st.tuples(st.integers(1, 3), st.integers(-3, 0)),
    st.lists(st.integers(-3, 0), min_size=2, max_size=2),
    st.integers(-3, 0).map(np.int64),
)
NEGATIVE = st.one_of(
    st.integers(-3, -1),
    st.tuples(st.integers(-3, -1), st.integers(0, 2)),
    st.integers(-3, -1).map(np.int8),
)
PADDING_WORDS = st.sampled_from(["same", "valid", "SAME", "Valid"])
BAD_WORDS = st.sampled_from(["full", "causal", "", "same ", "reflect"])

STRIDE = arg(positive(3), NOT_POSITIVE)
DILATION = arg(positive(2), NOT_POSITIVE)
KERNEL_SIZE = arg(positive(3), NOT_POSITIVE)
# Huge padding grows a convolution's output (a transposed one's goes negative, which is fine).
CONV_PADDING = arg(st.one_of(non_negative(2), PADDING_WORDS), st.one_of(NEGATIVE, BAD_WORDS))


# --------------------------------------------------------------------------------------------
# Outcome checks
# --------------------------------------------------------------------------------------------


def outcome(call: Callable[[], Any]) -> Any:
    """The call's result, or None when it raised EngineError; anything else propagates."""
    try:
        result = call()
    except EngineError as exc:
        message = str(exc)
        assert isinstance(exc, ValueError)
        assert ":" in message, message  # "name=value: rule" or "name has shape …: rule"
        event("EngineError")
        return None
    event("result")
    return result


def ndim_of(x: Any) -> int:
    """The number of dimensions of an argument the engine accepted as an array."""
    return np.asarray(x, dtype=np.float64).ndim


def assert_grid(out: Any, ndim: int | None = None) -> None:
    """A finite float64 array with at least one cell in every dimension (and ``ndim`` of them)."""
    assert isinstance(out, np.ndarray), type(out)
    assert out.dtype == np.float64, out.dtype
    if ndim is not None:
        assert out.ndim == ndim, (out.shape, ndim)
    assert out.size > 0
    assert np.isfinite(out).all()


# --------------------------------------------------------------------------------------------
# Part 1: fuzzing, one test per public function
# --------------------------------------------------------------------------------------------


def _fitting_weight(
    draw: st.DrawFn, x: np.ndarray, transposed: bool
) -> tuple[np.ndarray, int, int]:
    """A weight for x's channels, the groups it needs, and its number of output channels."""
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    groups, c_out_g = 1, draw(st.integers(1, 2))
    if x.ndim == 2:
        shape: tuple[int, ...] = draw(st.sampled_from([(kh, kw), (1, 1, kh, kw)]))
        c_out_g = 1
    else:
        c = x.shape[-3]
        groups = draw(st.sampled_from([g for g in (1, 2, 3) if c % g == 0]))
        shape = (c, c_out_g, kh, kw) if transposed else (groups * c_out_g, c // groups, kh, kw)
    weight = draw(hnp.arrays(np.float64, shape, elements=finite_values()))
    return weight, groups, groups * c_out_g


@st.composite
def conv_calls(draw: st.DrawFn, transposed: bool) -> dict[str, Any]:
    """conv2d / conv_transpose2d arguments around an x and a weight that fit each other."""
    x = draw(valid_arrays(max_side=5))
    weight, groups, c_out = _fitting_weight(draw, x, transposed)
    spec = {
        "x": grid(st.just(x)),
        "weight": Arg(st.just(weight), st.one_of(BAD_ARRAYS, valid_arrays(max_side=3))),
        "bias": Arg(
            st.one_of(
                st.none(),
                finite_values(),
                hnp.arrays(np.float64, c_out, elements=finite_values()),
            ),
            st.one_of(BAD_ARRAYS, hnp.arrays(np.float64, c_out + 1, elements=finite_values())),
        ),
        # Huge values grow the output (a transposed one's with stride and dilation; a padding
        # 'same' one's padded input with dilation): refused past MAX_CELLS.
        "stride": arg(positive(3), NOT_POSITIVE),
        "padding": arg(
            st.one_of(non_negative(2), PADDING_WORDS),
            st.one_of(NEGATIVE, BAD_WORDS),
        ),
        "dilation": arg(positive(2), NOT_POSITIVE),
        "groups": arg(st.just(groups), st.integers(-1, 4)),
    }
    if transposed:
        spec["output_padding"] = arg(non_negative(1), st.one_of(NEGATIVE, int_or_pair(2, 4)))
    return draw(calls(spec))


@FUZZ
@given(conv_calls(transposed=False))
def test_conv2d_hostile(kw: dict[str, Any]) -> None:
    out = outcome(lambda: conv2d(**kw))
    if out is not None:
        assert_grid(out, ndim_of(kw["x"]))


@FUZZ
@given(conv_calls(transposed=True))
def test_conv_transpose2d_hostile(kw: dict[str, Any]) -> None:
    out = outcome(lambda: conv_transpose2d(**kw))
    if out is not None:
        assert_grid(out, ndim_of(kw["x"]))


@FUZZ
@given(
    calls(
        {
            "x": grid(valid_arrays(max_side=5)),
            "kernel_size": KERNEL_SIZE,
            "stride": STRIDE,
            "padding": CONV_PADDING,
            "dilation": DILATION,
        }
    )
)
def test_im2col_hostile(kw: dict[str, Any]) -> None:
    out = outcome(lambda: im2col(**kw))
    if out is not None:
        assert_grid(out, 3 if ndim_of(kw["x"]) == 4 else 2)


@st.composite
def col2im_calls(draw: st.DrawFn) -> dict[str, Any]:
    """col2im arguments around cols shaped for the geometry (when the kernel fits)."""
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    p = (draw(st.integers(0, 1)), draw(st.integers(0, 1)))
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    # an output_size the dilated kernel fits in, padding included
    size = tuple(max(1, d[a] * (k[a] - 1) + 1 - 2 * p[a] + draw(st.integers(0, 3))) for a in (0, 1))
    length = math.prod(conv_output_size(size[a], k[a], s[a], p[a], d[a]) for a in (0, 1))
    c, n = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    shape = draw(st.sampled_from([(length, c * k[0] * k[1]), (n, length, c * k[0] * k[1])]))
    cols = draw(hnp.arrays(np.float64, shape, elements=finite_values()))
    return draw(
        calls(
            {
                "cols": Arg(st.just(cols), st.one_of(BAD_ARRAYS, valid_arrays(max_side=4))),
                # its area is the output's: huge values are refused past MAX_CELLS
                "output_size": arg(st.just(size), NOT_POSITIVE),
                "kernel_size": arg(st.just(k), NOT_POSITIVE),
                "stride": arg(st.just(s), NOT_POSITIVE),
                "padding": arg(
                    st.one_of(st.just(p), PADDING_WORDS), st.one_of(NEGATIVE, BAD_WORDS)
                ),
                "dilation": arg(st.just(d), NOT_POSITIVE),
                "channels": arg(st.sampled_from([None, c]), st.integers(-1, 3)),
            }
        )
    )


@FUZZ
@given(col2im_calls())
def test_col2im_hostile(kw: dict[str, Any]) -> None:
    out = outcome(lambda: col2im(**kw))
    if out is not None:
        if ndim_of(kw["cols"]) == 3:
            assert_grid(out, 4)
        else:
            assert_grid(out)
            assert out.ndim in (2, 3)


KERNEL_2D = Arg(
    st.one_of(
        valid_arrays(2, 2, max_side=3), valid_arrays(2, 2, max_side=3).map(np.ndarray.tolist)
    ),
    st.one_of(BAD_ARRAYS, valid_arrays(3, 4, max_side=2)),
)
# H·W is the number of rows of W1: a huge input size makes a huge matrix, built only in blocks.
INPUT_SIZE = arg(positive(5), NOT_POSITIVE)
MATRIX_INDEX = arg(
    st.one_of(
        st.integers(-4, 8),
        st.slices(10),
        st.builds(range, st.integers(0, 3), st.integers(0, 10), st.sampled_from([1, 2])),
        st.integers(0, 3).map(np.int64),
    ),
    st.one_of(
        st.integers(-100, 100),
        st.builds(range, st.integers(-3, 30), st.integers(-3, 30), st.sampled_from([1, 3, -1])),
        st.builds(slice, JUNK, JUNK, JUNK),
        st.sampled_from([[0, 1], (0, 1), np.array([0]), slice(0, 2, 0), 1.0]),
    ),
)
MATRIX_SPEC = {
    "weight": KERNEL_2D,
    "input_size": INPUT_SIZE,
    "stride": STRIDE,
    "padding": CONV_PADDING,
    "dilation": DILATION,
}


@FUZZ
@given(calls(MATRIX_SPEC))
def test_conv_matrix_hostile(kw: dict[str, Any]) -> None:
    out = outcome(lambda: conv_matrix(**kw))
    if out is not None:
        assert_grid(out, 2)


@FUZZ
@given(calls({**MATRIX_SPEC, "rows": MATRIX_INDEX, "cols": MATRIX_INDEX}))
def test_conv_matrix_block_hostile(kw: dict[str, Any]) -> None:
    out = outcome(lambda: conv_matrix_block(**kw))
    if out is not None:
        block = np.asarray(out)
        assert block.dtype == np.float64 and block.ndim <= 2
        assert np.isfinite(block).all()


@FUZZ
@given(
    transposed=st.booleans(),
    kw=calls(
        {
            "weight": KERNEL_2D,
            "input_size": INPUT_SIZE,
            # W2's columns grow with stride and dilation: built only in blocks when huge.
            "stride": arg(positive(3), NOT_POSITIVE),
            "padding": arg(
                st.one_of(non_negative(2), PADDING_WORDS), st.one_of(NEGATIVE, BAD_WORDS)
            ),
            "output_padding": arg(non_negative(1), st.one_of(NEGATIVE, int_or_pair(2, 4))),
            "dilation": arg(positive(2), NOT_POSITIVE),
        }
    ),
    keys=st.lists(
        st.one_of(
            MATRIX_INDEX.valid,
            MATRIX_INDEX.bad,
            st.tuples(MATRIX_INDEX.valid, MATRIX_INDEX.valid),
            st.tuples(MATRIX_INDEX.bad, MATRIX_INDEX.valid),
            st.tuples(),
            st.tuples(st.just(0), st.just(0), st.just(0)),
        ),
        max_size=4,
    ),
)
def test_conv_matrix_object_hostile(transposed: bool, kw: dict[str, Any], keys: list[Any]) -> None:
    if transposed:
        m = outcome(lambda: ConvMatrix.for_conv_transpose2d(**kw))
    else:
        del kw["output_padding"]
        m = outcome(lambda: ConvMatrix(**kw))
    if m is None:
        return
    rows, cols = m.shape
    assert len(m) == rows and m.T.shape == (cols, rows)
    assert repr(m)
    whole = outcome(m.to_array)
    if whole is None:  # too large to build whole: blocks of it still work
        assert rows * cols > MAX_CELLS
        assert_grid(m[:2, :2], 2)
        return
    assert_grid(whole, 2)
    np.testing.assert_array_equal(np.asarray(m.T), whole.T)
    np.testing.assert_array_equal(np.array(list(m)), whole)
    for key in keys:
        block = outcome(lambda key=key: m[key])
        if block is not None:
            assert np.asarray(block).dtype == np.float64


POOL_STRIDE = arg(st.one_of(st.none(), positive(3)), NOT_POSITIVE)
# Huge padding is refused unless the kernel is huge too, and then the −∞-padded copy of x is too
# large to build (refused past MAX_CELLS).
POOL_PADDING = arg(non_negative(1), st.one_of(NEGATIVE, int_or_pair(2, 3)))
FLAG = arg(st.one_of(st.booleans(), st.sampled_from([np.bool_(True), np.bool_(False)])))
DIVISOR = arg(
    st.one_of(st.none(), st.integers(-4, -1), st.integers(1, 4)),
    st.one_of(st.just(0), st.floats(0.5, 2)),
)


@FUZZ
@given(
    calls(
        {
            "x": grid(valid_arrays(max_side=5)),
            "kernel_size": KERNEL_SIZE,
            "stride": POOL_STRIDE,
            "padding": POOL_PADDING,
            "ceil_mode": FLAG,
            "count_include_pad": FLAG,
            "divisor_override": DIVISOR,
        }
    )
)
def test_avg_pool2d_hostile(kw: dict[str, Any]) -> None:
    out = outcome(lambda: avg_pool2d(**kw))
    if out is not None:
        assert_grid(out, ndim_of(kw["x"]))


@FUZZ
@given(
    calls(
        {
            "x": grid(valid_arrays(max_side=5)),
            "kernel_size": KERNEL_SIZE,
            "stride": POOL_STRIDE,
            "padding": POOL_PADDING,
            "dilation": DILATION,
            "ceil_mode": FLAG,
            "return_indices": FLAG,
        }
    )
)
def test_max_pool2d_hostile(kw: dict[str, Any]) -> None:
    out = outcome(lambda: max_pool2d(**kw))
    if out is None:
        return
    if isinstance(out, tuple):
        values, indices = out
        assert_grid(values, ndim_of(kw["x"]))
        assert indices.dtype == np.int64 and indices.shape == values.shape
        h, w = np.asarray(kw["x"], dtype=np.float64).shape[-2:]
        assert ((indices >= 0) & (indices < h * w)).all()
    else:
        assert_grid(out, ndim_of(kw["x"]))


UNPOOL_OUTPUT_SIZE = Arg(
    st.none(),
    st.one_of(
        st.tuples(st.integers(-1, 12), st.integers(-1, 12)),
        st.tuples(st.integers(1, 2), st.integers(-1, 12), st.integers(-1, 12)),
        st.tuples(st.integers(1, 12), st.integers(1, 12)).map(np.array),
        st.tuples(*[st.integers(1, 3)] * 5),
        JUNK,
        st.sampled_from(HUGE),
    ),
)
FILL = Arg(st.sampled_from(["zeros", "max"]), JUNK)


@st.composite
def unpool_calls(draw: st.DrawFn) -> dict[str, Any]:
    """max_unpool2d arguments around the values and indices of a real max_pool2d."""
    k = draw(st.integers(1, 3))
    s = draw(st.one_of(st.none(), st.integers(1, 3)))
    p = draw(st.integers(0, k // 2))
    x = draw(valid_arrays(max_side=5))
    try:
        pooled, indices = max_pool2d(x, k, s, p, return_indices=True)
    except EngineError:
        pooled, indices = x, np.zeros(x.shape, dtype=np.int64)
    kw = draw(
        calls(
            {
                "x": grid(st.just(pooled)),
                "indices": Arg(
                    st.sampled_from([indices, indices.astype(np.float64), indices.tolist()]),
                    st.one_of(
                        st.sampled_from([indices + 1000, indices - 1]),
                        BAD_ARRAYS,
                        hnp.arrays(np.int64, indices.shape, elements=st.integers(-2, 40)),
                        hnp.arrays(np.float64, indices.shape),
                    ),
                ),
                # The default output grows with kernel_size and stride (refused past MAX_CELLS).
                "kernel_size": arg(st.just(k), NOT_POSITIVE),
                "stride": arg(st.just(s), NOT_POSITIVE),
                "padding": arg(st.just(p), st.one_of(NEGATIVE, st.integers(2, 4))),
                "output_size": UNPOOL_OUTPUT_SIZE,
                "fill": FILL,
            }
        )
    )
    return kw


@FUZZ
@given(unpool_calls())
def test_max_unpool2d_hostile(kw: dict[str, Any]) -> None:
    out = outcome(lambda: max_unpool2d(**kw))
    if out is not None:
        assert_grid(out, ndim_of(kw["x"]))


SCALES = st.one_of(
    st.floats(0.3, 3),
    st.integers(1, 3),
    st.tuples(st.floats(0.5, 3), st.integers(1, 3)),
    st.lists(st.floats(0.5, 3), min_size=2, max_size=2),
    st.sampled_from([np.float32(1.5), np.float64(2.0), (np.int64(2), np.float32(0.5))]),
)
# Exactly one of size and scale_factor; the output grows with both: huge ones are refused.
SIZING = Arg(
    st.one_of(st.tuples(positive(6), st.none()), st.tuples(st.none(), SCALES)),
    st.one_of(
        st.tuples(
            st.one_of(st.none(), positive(6), NOT_POSITIVE, JUNK),
            st.one_of(st.none(), SCALES, st.floats(-2, 0.1), JUNK),
        ),
        st.tuples(st.sampled_from(HUGE), st.none()),
        st.tuples(st.none(), st.sampled_from((*HUGE, 1e9, (1e5, 1e5), (1, 1e12)))),
    ),
)


def _sized(kw: dict[str, Any]) -> dict[str, Any]:
    size, scale_factor = kw.pop("sizing")
    return {**kw, "size": size, "scale_factor": scale_factor}


@FUZZ
@given(calls({"x": grid(valid_arrays(max_side=4)), "sizing": SIZING}))
def test_upsample_nearest_hostile(kw: dict[str, Any]) -> None:
    kw = _sized(kw)
    out = outcome(lambda: upsample_nearest(**kw))
    if out is not None:
        assert_grid(out, ndim_of(kw["x"]))


@FUZZ
@given(calls({"x": grid(valid_arrays(max_side=4)), "sizing": SIZING, "align_corners": FLAG}))
def test_upsample_bilinear_hostile(kw: dict[str, Any]) -> None:
    kw = _sized(kw)
    out = outcome(lambda: upsample_bilinear(**kw))
    if out is not None:
        assert_grid(out, ndim_of(kw["x"]))


NAILS = arg(positive(3), NOT_POSITIVE)  # the output grows with the factor: huge ones refused


@FUZZ
@given(calls({"x": grid(valid_arrays(max_side=4)), "scale_factor": NAILS}))
def test_bed_of_nails_hostile(kw: dict[str, Any]) -> None:
    out = outcome(lambda: bed_of_nails(**kw))
    if out is not None:
        assert_grid(out, ndim_of(kw["x"]))


@st.composite
def shuffle_inputs(draw: st.DrawFn, lead: tuple[tuple[int, ...], ...] = ((), (1,), (2,))) -> Any:
    """(C·r², H, W) or (N, C·r², H, W) with r of 1 to 3, so that some calls succeed."""
    r, c = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    h, w = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    shape = (*draw(st.sampled_from(lead)), c * r * r + draw(st.sampled_from([0, 0, 0, 1])), h, w)
    return draw(hnp.arrays(np.float64, shape, elements=finite_values()))


UPSCALE = arg(st.integers(1, 3), st.one_of(st.integers(-2, 0), st.tuples(st.just(2), st.just(2))))


@FUZZ
@given(calls({"x": grid(shuffle_inputs()), "upscale_factor": UPSCALE}))
def test_pixel_shuffle_hostile(kw: dict[str, Any]) -> None:
    out = outcome(lambda: pixel_shuffle(**kw))
    if out is not None:
        assert_grid(out, ndim_of(kw["x"]))


SIZE_ONE = arg(
    st.one_of(st.integers(1, 6), st.sampled_from([2.0, np.int64(3)])), st.integers(-2, 0)
)
PAD_ONE = arg(st.one_of(st.integers(0, 3), st.just(np.int8(1))), st.integers(-3, -1))
SHAPE_HELPERS: dict[Callable[..., int], dict[str, Arg]] = {
    conv_output_size: {"i": SIZE_ONE, "k": SIZE_ONE, "s": SIZE_ONE, "p": PAD_ONE, "d": SIZE_ONE},
    conv_transpose_output_size: {
        "i": SIZE_ONE,
        "k": SIZE_ONE,
        "s": SIZE_ONE,
        "p": PAD_ONE,
        "output_padding": PAD_ONE,
        "d": SIZE_ONE,
    },
    pool_output_size: {
        "i": SIZE_ONE,
        "k": SIZE_ONE,
        "s": SIZE_ONE,
        "p": PAD_ONE,
        "d": SIZE_ONE,
        "ceil_mode": FLAG,
    },
    unpool_default_size: {"i": SIZE_ONE, "k": SIZE_ONE, "s": SIZE_ONE, "p": PAD_ONE},
}


@FUZZ
@given(
    st.sampled_from(list(SHAPE_HELPERS)).flatmap(
        lambda f: st.tuples(st.just(f), calls(SHAPE_HELPERS[f]))
    )
)
def test_shape_helpers_hostile(case: tuple[Callable[..., int], dict[str, Any]]) -> None:
    helper, kw = case
    out = outcome(lambda: helper(**kw))
    if out is not None:
        assert type(out) is int


# Traces --------------------------------------------------------------------------------------

PLANE = grid(valid_arrays(2, 2, max_side=5))
ORDER = Arg(st.sampled_from(["crd", "dcr"]), JUNK)
GROUPS = arg(st.integers(1, 2), st.one_of(st.integers(-2, 0), JUNK))
KERNEL = Arg(valid_arrays(2, 2, max_side=3), st.one_of(BAD_ARRAYS, st.none()))
TRACE_SPECS: dict[str, dict[str, Arg]] = {
    "max_pool2d": {
        "kernel_size": KERNEL_SIZE,
        "stride": POOL_STRIDE,
        "padding": POOL_PADDING,
        "dilation": DILATION,
        "ceil_mode": FLAG,
    },
    "max_unpool2d": {
        "kernel_size": arg(positive(3), NOT_POSITIVE),
        "stride": arg(st.one_of(st.none(), positive(3)), NOT_POSITIVE),
        "padding": POOL_PADDING,
        "fill": FILL,
        "output_size": UNPOOL_OUTPUT_SIZE,
    },
    "avg_pool2d": {
        "kernel_size": KERNEL_SIZE,
        "stride": POOL_STRIDE,
        "padding": POOL_PADDING,
        "ceil_mode": FLAG,
        "count_include_pad": FLAG,
        "divisor_override": DIVISOR,
    },
    "upsample_nearest": {"sizing": SIZING, "exact": FLAG},
    "upsample_bilinear": {"sizing": SIZING, "align_corners": FLAG},
    "bed_of_nails": {"scale_factor": NAILS},
    "pixel_shuffle": {"upscale_factor": UPSCALE, "order": ORDER},
    "pixel_unshuffle": {"downscale_factor": UPSCALE, "order": ORDER},
    "conv2d": {
        "weight": KERNEL,
        "stride": STRIDE,
        "padding": CONV_PADDING,
        "dilation": DILATION,
        "groups": GROUPS,
        "method": Arg(st.just("im2col"), st.one_of(JUNK, st.just("scatter"))),
    },
    "conv_transpose2d": {
        "weight": KERNEL,
        "stride": arg(positive(3), NOT_POSITIVE),
        "padding": arg(st.one_of(non_negative(2), PADDING_WORDS), st.one_of(NEGATIVE, BAD_WORDS)),
        "output_padding": arg(non_negative(1), st.one_of(NEGATIVE, int_or_pair(2, 4))),
        "dilation": arg(positive(2), NOT_POSITIVE),
        "groups": GROUPS,
        "method": Arg(st.sampled_from(METHODS["conv_transpose2d"]), JUNK),
    },
}
assert set(TRACE_SPECS) == set(OPERATORS)
UNKNOWN_PARAMS = st.dictionaries(
    st.sampled_from(["bogus", "bias", "return_indices", "size", "weight", "input_size"]),
    st.integers(1, 2),
    min_size=1,
    max_size=2,
)


def _trace_params(kw: dict[str, Any]) -> dict[str, Any]:
    """Trace keyword arguments: ``sizing`` split into size and scale_factor, Nones dropped."""
    if "sizing" in kw:
        kw = _sized(kw)
    return {name: v for name, v in kw.items() if v is not None or name in ("x", "weight")}


@st.composite
def trace_calls(draw: st.DrawFn, op: str | None = None) -> tuple[Any, Any, dict[str, Any]]:
    """``trace`` arguments: an operator (or a bad one), its x and its parameters."""
    if op is None:
        op = draw(st.one_of(st.sampled_from(OPERATORS), st.sampled_from(OPERATORS), JUNK))
    spec = TRACE_SPECS.get(op, {}) if isinstance(op, str) else {}
    is_shuffle = isinstance(op, str) and op == "pixel_shuffle"
    x = grid(shuffle_inputs(lead=((),))) if is_shuffle else PLANE
    kw = _trace_params(draw(calls({"x": x, **spec})))
    if draw(st.integers(0, 9)) == 0:
        kw.update(draw(UNKNOWN_PARAMS))
    x_value = kw.pop("x")
    return op, x_value, kw


def check_trace(t: Any, op: str) -> None:
    assert isinstance(t, Trace) and t.op == op
    assert_grid(t.result)
    assert t.result.ndim in (2, 3)
    n = len(t)
    assert n >= 1
    for step in (t[0], t[n // 2], t[-1], *t[:2], t[np.int64(n - 1)]):
        assert isinstance(step.text, str) and step.text
        assert step.partial.shape == t.result.shape
    for g in t.grids:
        assert np.asarray(g.values[:2, :2]).dtype == np.float64
    # The Sequence protocol: these two exceptions are the documented ones.
    for bad in (n, -n - 1, 10**30):
        with pytest.raises(IndexError):
            t[bad]
    for bad in (1.0, "0", None, True, (0, 0)):
        with pytest.raises(TypeError):
            t[bad]


@settings(FUZZ, max_examples=200)
@given(trace_calls())
def test_trace_hostile(case: tuple[Any, Any, dict[str, Any]]) -> None:
    op, x, params = case
    t = outcome(lambda: trace(op, x, **params))
    if t is not None:
        check_trace(t, op)


@pytest.mark.parametrize(
    ("op", "method"),
    [(op, m) for op in OPERATORS for m in METHODS.get(op, (None,))],
)
@settings(FUZZ, max_examples=60)
@given(data=st.data())
def test_trace_every_op_and_method_hostile(op: str, method: str | None, data: Any) -> None:
    """Each operator and method on its own, so that none is starved of examples."""
    _, x, params = data.draw(trace_calls(op))
    if method is not None:
        params["method"] = method
    t = outcome(lambda: trace(op, x, **params))
    if t is not None:
        check_trace(t, op)
        assert t.method in (method, None)


# --------------------------------------------------------------------------------------------
# Part 2: one explicit message per rule, where the per-module tests leave a gap
# --------------------------------------------------------------------------------------------

X44 = np.arange(16.0).reshape(4, 4)
K22 = np.ones((2, 2))
COLS = np.ones((9, 4))  # im2col of a 4×4 x with a 2×2 kernel
C422 = np.zeros((4, 2, 2))
POOLED = np.ones((2, 2))
INDICES = np.array([[0, 3], [12, 15]])
AT_LEAST_1 = "must be at least 1"
NOT_NEGATIVE = "must not be negative"
FINITE = "every value must be a finite number"
LAYOUTS = "must be 2-D (H, W), 3-D (C, H, W) or 4-D (N, C, H, W)"

RULES: list[tuple[str, Callable[[], Any], tuple[str, ...]]] = [
    # sizes, strides, dilations (and groups, channels, factors) below 1
    ("conv_transpose2d-groups", lambda: conv_transpose2d(X44, K22, groups=0), ("groups=0",)),
    ("im2col-dilation", lambda: im2col(X44, 2, dilation=0), ("dilation=0",)),
    ("col2im-kernel_size", lambda: col2im(COLS, 4, 0), ("kernel_size=0",)),
    ("col2im-stride", lambda: col2im(COLS, 4, 2, stride=(1, 0)), ("stride=(1, 0)",)),
    ("col2im-dilation", lambda: col2im(COLS, 4, 2, dilation=-1), ("dilation=-1",)),
    ("col2im-channels", lambda: col2im(COLS, 4, 2, channels=0), ("channels=0",)),
    ("conv_matrix-stride", lambda: conv_matrix(K22, 3, stride=0), ("stride=0",)),
    ("conv_matrix-dilation", lambda: conv_matrix(K22, 3, dilation=(0, 1)), ("dilation=(0, 1)",)),
    (
        "conv_matrix_block-input_size",
        lambda: conv_matrix_block(K22, (3, -1), 0, 0),
        ("input_size=(3, -1)",),
    ),
    (
        "for_conv_transpose2d-input_size",
        lambda: ConvMatrix.for_conv_transpose2d(K22, 0),
        ("input_size=0",),
    ),
    (
        "for_conv_transpose2d-stride",
        lambda: ConvMatrix.for_conv_transpose2d(K22, 2, stride=0),
        ("stride=0",),
    ),
    ("bed_of_nails-pair", lambda: bed_of_nails(X44, (2, 0)), ("scale_factor=(2, 0)",)),
    ("pixel_shuffle-zero", lambda: pixel_shuffle(C422, 0), ("upscale_factor=0",)),
    ("conv_output_size-s", lambda: conv_output_size(4, 2, 0), ("s=0",)),
    ("conv_output_size-k", lambda: conv_output_size(4, 0), ("k=0",)),
    ("conv_output_size-i", lambda: conv_output_size(0, 2), ("i=0",)),
    ("conv_output_size-d", lambda: conv_output_size(4, 2, 1, 0, 0), ("d=0",)),
    ("conv_transpose_output_size-s", lambda: conv_transpose_output_size(2, 2, -1), ("s=-1",)),
    ("pool_output_size-s", lambda: pool_output_size(4, 2, 0), ("s=0",)),
    ("unpool_default_size-k", lambda: unpool_default_size(2, 0, 2), ("k=0",)),
    ("trace-bed_of_nails", lambda: trace("bed_of_nails", X44, scale_factor=0), ("scale_factor=0",)),
    ("trace-conv2d-stride", lambda: trace("conv2d", X44, weight=K22, stride=0), ("stride=0",)),
]
RULES = [(name, call, (*fragments, AT_LEAST_1)) for name, call, fragments in RULES]

RULES += [
    # negative padding
    ("conv_transpose2d-padding", lambda: conv_transpose2d(X44, K22, padding=-1), ("padding=-1",)),
    ("col2im-padding", lambda: col2im(COLS, 4, 2, padding=-1), ("padding=-1",)),
    ("conv_matrix-padding", lambda: conv_matrix(K22, 3, padding=(0, -2)), ("padding=(0, -2)",)),
    (
        "for_conv_transpose2d-output_padding",
        lambda: ConvMatrix.for_conv_transpose2d(K22, 2, output_padding=-1),
        ("output_padding=-1",),
    ),
    ("conv_output_size-p", lambda: conv_output_size(4, 2, 1, -1), ("p=-1",)),
    (
        "conv_transpose_output_size-output_padding",
        lambda: conv_transpose_output_size(4, 2, 2, 0, -1),
        ("output_padding=-1",),
    ),
    ("unpool_default_size-p", lambda: unpool_default_size(2, 2, 2, -1), ("p=-1",)),
    (
        "trace-conv_transpose2d-padding",
        lambda: trace("conv_transpose2d", X44, weight=K22, padding=-1),
        ("padding=-1",),
    ),
]
RULES[-8:] = [(name, call, (*frags, NOT_NEGATIVE)) for name, call, frags in RULES[-8:]]

RULES += [
    # pooling padding above half the kernel (PyTorch: the kernel itself, not the dilated span)
    (
        "max_pool2d-rectangular",
        lambda: max_pool2d(X44, (3, 5), padding=2),
        ("padding=2", "must be at most half of kernel_size=(3, 5)", "at most (1, 2)"),
    ),
    (
        "trace-max_unpool2d",
        lambda: trace("max_unpool2d", X44, kernel_size=2, padding=2),
        ("padding=2", "must be at most half of kernel_size=2"),
    ),
    (
        "trace-max_pool2d",
        lambda: trace("max_pool2d", X44, kernel_size=3, padding=(1, 2)),
        ("padding=(1, 2)", "must be at most half of kernel_size=3"),
    ),
    # output_padding ≥ max(stride, dilation), or not 0 with a padding word
    (
        "conv_transpose2d-dilation-bound",
        lambda: conv_transpose2d(X44, K22, dilation=3, output_padding=3),
        ("output_padding=(3, 3)", "must be smaller than stride or dilation (3, 3)"),
    ),
    (
        "conv_transpose2d-valid",
        lambda: conv_transpose2d(X44, K22, stride=2, padding="valid", output_padding=1),
        ("output_padding=1", "must be 0 with padding='valid'"),
    ),
    (
        "for_conv_transpose2d-stride-bound",
        lambda: ConvMatrix.for_conv_transpose2d(K22, 2, stride=2, output_padding=(0, 2)),
        ("output_padding=(0, 2)", "must be smaller than stride or dilation (2, 2)"),
    ),
    (
        "for_conv_transpose2d-padding",
        lambda: ConvMatrix.for_conv_transpose2d(K22, 2, padding=3),
        ("padding=3", "gives an output of size (-3, -3)", "must be at least 1"),
    ),
    # an effective kernel that does not fit the padded input
    (
        "conv_matrix_block-dilation",
        lambda: conv_matrix_block(K22, 3, 0, 0, dilation=(1, 3)),
        ("dilation=(1, 3)", "spans (2, 4)", "must fit in the padded input of size (3, 3)"),
    ),
    (
        "col2im-dilation",
        lambda: col2im(np.ones((1, 4)), 3, 2, dilation=3),
        ("kernel_size=2", "dilation=(3, 3)", "spans (4, 4)", "must fit"),
    ),
    (
        "trace-conv2d",
        lambda: trace("conv2d", np.ones((2, 2)), weight=np.ones((3, 3))),
        ("weight has shape (3, 3)", "spans (3, 3)", "must fit in the padded input of size (2, 2)"),
    ),
    (
        "max_pool2d-4d",
        lambda: max_pool2d(np.ones((1, 1, 2, 5)), 3),
        ("kernel_size=3", "spans 3 cells of height", "no cells"),
    ),
    # channels not divisible by groups, or by upscale_factor²
    (
        "conv2d-4d-groups",
        lambda: conv2d(np.ones((1, 3, 4, 4)), np.ones((2, 1, 2, 2)), groups=2),
        ("groups=2", "must divide the 3 input channels"),
    ),
    (
        "conv_transpose2d-groups-divide",
        lambda: conv_transpose2d(np.ones((2, 3, 3)), np.ones((2, 1, 2, 2)), groups=3),
        ("groups=3", "must divide the 2 input channels"),
    ),
    (
        "pixel_shuffle-4d",
        lambda: pixel_shuffle(np.ones((1, 6, 2, 2)), 2),
        ("upscale_factor=2", "channel count 6 must be divisible by upscale_factor² = 4"),
    ),
    (
        "trace-pixel_shuffle",
        lambda: trace("pixel_shuffle", np.ones((6, 2, 2)), upscale_factor=2),
        ("upscale_factor=2", "channel count 6 must be divisible"),
    ),
    # unpool indices outside the output plane, output_size outside PyTorch's bounds
    (
        "max_unpool2d-4d-indices",
        lambda: max_unpool2d(np.ones((1, 2, 1, 1)), np.array([[[[0]], [[4]]]]), 2),
        ("indices[0, 1, 0, 0]=4", "must be between 0 and 3", "2 × 2 output plane"),
    ),
    (
        "max_unpool2d-full-shape-bounds",
        lambda: max_unpool2d(POOLED, INDICES, 2, output_size=(1, 1, 6, 4)),
        ("output_size=(1, 1, 6, 4)", "height 6 must be strictly between 2 and 6"),
    ),
    (
        "max_unpool2d-0d-output_size",
        lambda: max_unpool2d(POOLED, INDICES, 2, output_size=np.array(4)),
        ("output_size=", "must be (H, W)"),
    ),
    # non-finite values
    ("im2col-x", lambda: im2col([[1, np.nan]], 1), ("x[0, 1]=nan", FINITE)),
    ("col2im-cols", lambda: col2im([[np.inf]], 1, 1), ("cols[0, 0]=inf", FINITE)),
    ("bed_of_nails-x", lambda: bed_of_nails([[-np.inf]], 2), ("x[0, 0]=-inf", FINITE)),
    (
        "pixel_shuffle-x",
        lambda: pixel_shuffle(np.full((4, 1, 1), np.nan), 2),
        ("x[0, 0, 0]=nan", FINITE),
    ),
    (
        "max_unpool2d-x",
        lambda: max_unpool2d([[np.nan, 1], [1, 1]], INDICES, 2),
        ("x[0, 0]=nan", FINITE),
    ),
    (
        "max_unpool2d-indices",
        lambda: max_unpool2d(POOLED, [[np.nan, 3], [12, 15]], 2),
        ("indices[0, 0]=nan", "every index must be an integer"),
    ),
    ("conv_matrix-weight", lambda: conv_matrix([[np.inf]], 2), ("weight[0, 0]=inf", FINITE)),
    (
        "for_conv_transpose2d-weight",
        lambda: ConvMatrix.for_conv_transpose2d([[0, np.nan]], 2),
        ("weight[0, 1]=nan", FINITE),
    ),
    (
        "conv_transpose2d-weight",
        lambda: conv_transpose2d(X44, [[0, -np.inf]]),
        ("weight[0, 1]=-inf", FINITE),
    ),
    (
        "conv_transpose2d-bias",
        lambda: conv_transpose2d(X44, K22, bias=np.inf),
        ("bias[0]=inf", FINITE),
    ),
    ("upsample_bilinear-x", lambda: upsample_bilinear([[np.inf]], 2), ("x[0, 0]=inf", FINITE)),
    (
        "trace-x",
        lambda: trace("upsample_nearest", [[np.nan]], scale_factor=2),
        ("x[0, 0]=nan", FINITE),
    ),
    # arrays that are not 2-, 3- or 4-D (or have an empty axis)
    (
        "conv_transpose2d-1d",
        lambda: conv_transpose2d(np.ones(3), K22),
        ("x has shape (3,)", LAYOUTS),
    ),
    (
        "conv_transpose2d-5d",
        lambda: conv_transpose2d(np.ones((1, 1, 1, 2, 2)), K22),
        ("x has shape (1, 1, 1, 2, 2)", LAYOUTS),
    ),
    ("im2col-5d", lambda: im2col(np.ones((1, 1, 1, 2, 2)), 1), ("x has shape (1, 1, 1, 2, 2)",)),
    (
        "col2im-1d",
        lambda: col2im(np.ones(5), 1, 1),
        ("cols has shape (5,)", "must be 2-D (L, C·kH·kW) or 3-D (N, L, C·kH·kW)"),
    ),
    ("bed_of_nails-1d", lambda: bed_of_nails(np.ones(3), 2), ("x has shape (3,)", LAYOUTS)),
    (
        "pixel_shuffle-5d",
        lambda: pixel_shuffle(np.ones((1, 1, 4, 2, 2)), 2),
        ("x has shape (1, 1, 4, 2, 2)", LAYOUTS),
    ),
    (
        "max_unpool2d-1d",
        lambda: max_unpool2d(np.ones(2), np.zeros(2, int), 2),
        ("x has shape (2,)", LAYOUTS),
    ),
    (
        "conv_matrix-3d-weight",
        lambda: conv_matrix(np.ones((1, 2, 2)), 3),
        ("weight has shape (1, 2, 2)", "needs a 2-D (kH, kW) kernel"),
    ),
    ("trace-1d", lambda: trace("bed_of_nails", np.ones(3)), ("x has shape (3,)", LAYOUTS)),
    ("scalar", lambda: upsample_nearest(2.0, 2), ("x has shape ()", LAYOUTS)),
    (
        "empty-axis",
        lambda: upsample_nearest(np.ones((0, 2)), 2),
        ("x has shape (0, 2)", "every dimension must be at least 1"),
    ),
]


@pytest.mark.parametrize(
    ("call", "fragments"), [rule[1:] for rule in RULES], ids=[rule[0] for rule in RULES]
)
def test_rule_message(call: Callable[[], Any], fragments: tuple[str, ...]) -> None:
    """The message names the parameter, the value it got and the rule it broke."""
    with pytest.raises(EngineError) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value)


# Bugs this file found: each once raised something other than EngineError (or nothing) -------

FOUND: list[tuple[str, Callable[[], Any], tuple[str, ...]]] = [
    # shapes.py: ZeroDivisionError, OverflowError, and no range checks at all
    ("shape-helper-inf", lambda: conv_output_size(4, math.inf), ("k=inf", "must be an integer")),
    ("shape-helper-nan", lambda: pool_output_size(4, 2, math.nan), ("s=nan",)),
    ("shape-helper-complex", lambda: conv_output_size(4, 2 + 0j), ("k=(2+0j)",)),
    (
        "shape-helper-ceil_mode",
        lambda: pool_output_size(4, 2, 2, ceil_mode="yes"),
        ("ceil_mode='yes'", "must be True or False"),
    ),
    # validation.py: OverflowError from ints beyond float range; complex parts silently dropped
    ("huge-int-x", lambda: conv2d([[10**400]], [[1.0]]), ("x: must be an array of numbers",)),
    ("huge-int-bias", lambda: conv2d(X44, K22, bias=10**400), ("bias: must be a number",)),
    ("huge-int-scale", lambda: upsample_nearest(X44, scale_factor=10**400), ("scale_factor=",)),
    ("complex-x", lambda: max_pool2d(np.array([[1j, 2]]), 1), ("complex numbers are not allowed",)),
    ("complex-weight", lambda: conv2d(X44, K22 + 0j), ("weight: must be an array of numbers",)),
    ("complex-bias", lambda: conv2d(X44, K22, bias=1j), ("bias: must be a number",)),
    # validation._show: an int too long to print (ValueError from repr)
    (
        "unprintable-int",
        lambda: conv2d(X44, K22, stride=-(10**5000)),
        ("stride=-<an integer of about 5001 digits>", AT_LEAST_1),
    ),
    # validation.positive_int: a single integer is not "a pair of integers"
    ("groups-float", lambda: conv2d(X44, K22, groups=1.5), ("groups=1.5: must be an integer",)),
    # traces.py: TypeError from an unhashable op, ambiguous truth value from an array method
    ("trace-op-list", lambda: trace(["conv2d"], X44), ("op=", "must be one of")),
    (
        "trace-method-array",
        lambda: trace("conv_transpose2d", X44, weight=K22, method=np.array(["scatter", "x"])),
        ("method=array of shape (2,)",),
    ),
    (
        "trace-conv2d-method-array",
        lambda: trace("conv2d", X44, weight=K22, method=np.array(["im2col", "x"])),
        ("method=array of shape (2,)",),
    ),
    # trace(op, x, x=…) was Python's TypeError ("multiple values for argument 'x'")
    ("trace-x-keyword", lambda: trace("conv2d", X44, x=X44), ("x=", "does not take it")),
]


@pytest.mark.parametrize(
    ("call", "fragments"), [case[1:] for case in FOUND], ids=[case[0] for case in FOUND]
)
def test_found_bug_now_raises_engine_error(
    call: Callable[[], Any], fragments: tuple[str, ...]
) -> None:
    with pytest.raises(EngineError) as info:
        call()
    for fragment in fragments:
        assert fragment in str(info.value)


@pytest.mark.parametrize("stride", [10**9, 10**30, (10**9, 1), np.uint64(2**64 - 1)])
@pytest.mark.parametrize("padding", [0, 1, "same", "valid"])
def test_huge_stride_with_one_output_row_allocates_nothing_huge(stride: Any, padding: Any) -> None:
    """convolution._conv_core sized its phase buffer by the stride (MemoryError, or NumPy's
    "Maximum allowed dimension exceeded") even where the stride is never stepped."""
    h, w = (int(stride[0]), int(stride[1])) if isinstance(stride, tuple) else (int(stride),) * 2
    # On a 4×4 x a stride of 6 already gives one output row (column) for every padding here.
    small = (min(h, 6), min(w, 6))
    expected = conv2d(X44, K22, stride=small, padding=padding)
    np.testing.assert_array_equal(conv2d(X44, K22, stride=stride, padding=padding), expected)
    t = trace("conv2d", X44, weight=K22, stride=stride, padding=padding)
    np.testing.assert_array_equal(t[-1].partial, expected)


@pytest.mark.parametrize("index", [1e30, 2.0**63, -1e300])
def test_unpool_float_index_beyond_int64(index: float) -> None:
    """Once cast straight to int64: a RuntimeWarning and the wrapped value in the message."""
    with pytest.raises(EngineError) as info:
        max_unpool2d([[1.0]], [[index]], 2)
    assert f"indices[0, 0]={index!r}" in str(info.value)
