"""Solving for the shape, checked against the output-size formula by exhaustive enumeration, and
the output_padding ambiguity against conv2d and conv_transpose2d themselves."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from tui_upsample import engine
from tui_upsample.engine.errors import EngineError
from tui_upsample.engine.shapes import conv_output_size, conv_transpose_output_size
from tui_upsample.engine.solve import (
    ShapeSetting,
    keras_size,
    output_padding_ambiguity,
    solution_table,
    solve_shape,
)

KERNELS, STRIDES, PADDINGS, DILATIONS = range(1, 8), range(1, 5), range(0, 7), range(1, 4)


def formula_settings(op: str, i: int, o: int) -> set[ShapeSetting]:
    """Every searched setting whose output-size formula gives o, under PyTorch's rules, found
    independently of the solver: every output_padding up to 4 is tried and PyTorch's rule
    (a < stride or a < dilation) applied here."""
    found = set()
    for k, s, p, d in itertools.product(KERNELS, STRIDES, PADDINGS, DILATIONS):
        if op == "conv2d":
            if i + 2 * p < d * (k - 1) + 1:  # the padded input must hold the dilated kernel
                continue
            if conv_output_size(i, k, s, p, d) == o:
                found.add(ShapeSetting(k, s, p, 0, d))
            continue
        for a in range(5):
            if not (a < s or a < d):
                continue
            if conv_transpose_output_size(i, k, s, p, a, d) == o:
                found.add(ShapeSetting(k, s, p, a, d))
    return found


@pytest.mark.parametrize("op", ["conv_transpose2d", "conv2d"])
def test_every_setting_the_formula_allows_is_listed_and_nothing_else(op: str) -> None:
    for i in range(1, 9):
        for o in range(1, 33):
            solution = solve_shape(i, o, op)
            listed = list(solution.settings)
            assert len(listed) == len(set(listed)), (i, o)
            assert set(listed) == formula_settings(op, i, o), (op, i, o)
            grouped = [s for g in solution.groups for s in g.settings]
            assert grouped == listed
            for g in solution.groups:
                assert all(
                    (s.kernel_size, s.stride) == (g.kernel_size, g.stride) for s in g.settings
                )


def test_each_setting_really_gives_the_size_through_the_engine() -> None:
    x = np.arange(1.0, 4.0).reshape(3, 1)
    for op in ("conv_transpose2d", "conv2d"):
        for setting in solve_shape(3, 5, op).settings:
            w = np.ones((setting.kernel_size, 1))
            kwargs = dict(
                stride=(setting.stride, 1),
                padding=(setting.padding, 0),
                dilation=(setting.dilation, 1),
            )
            if op == "conv_transpose2d":
                y = engine.conv_transpose2d(
                    x, w, output_padding=(setting.output_padding, 0), **kwargs
                )
            else:
                y = engine.conv2d(x, w, **kwargs)
            assert y.shape[0] == 5, setting


def test_the_seed_example_is_among_the_settings_and_keras_valid_is_its_layer() -> None:
    solution = solve_shape(2, 3)
    assert ShapeSetting(2, 1, 0, 0, 1) in solution.settings
    group = next(g for g in solution.groups if (g.kernel_size, g.stride) == (2, 1))
    assert group.keras == ("Conv2DTranspose(2, strides=1, padding='valid')",)


@pytest.mark.parametrize("op", ["conv_transpose2d", "conv2d"])
def test_keras_equivalents_give_the_same_size_through_the_engines_keras_padding(op: str) -> None:
    for i, o in [(4, 8), (3, 6), (5, 3), (4, 4), (3, 7)]:
        x = np.ones((i, 1))
        for group in solve_shape(i, o, op).groups:
            for text in group.keras:
                mode = "same" if "'same'" in text else "valid"
                d = int(text.split("dilation_rate=")[1][0]) if "dilation_rate" in text else 1
                w = np.ones((group.kernel_size, 1))
                fn = engine.conv_transpose2d if op == "conv_transpose2d" else engine.conv2d
                y = fn(x, w, stride=(group.stride, 1), padding=mode, dilation=(d, 1))
                assert y.shape[0] == o, (op, i, o, text)
                assert keras_size(op, i, group.kernel_size, group.stride, mode, d) == o


def test_keras_refuses_strides_with_dilation() -> None:
    assert keras_size("conv2d", 8, 3, 2, "same", 2) is None
    assert keras_size("conv_transpose2d", 8, 3, 2, "valid", 2) is None


def test_no_setting_is_said_so() -> None:
    solution = solve_shape(1, 1000)
    assert solution.settings == ()
    assert "no setting" in solution.text
    assert "searched" in solution_table(solution)


def test_the_table_groups_by_kernel_and_stride() -> None:
    table = solution_table(solve_shape(4, 8))
    assert table.splitlines()[0].startswith("conv_transpose2d: 88 settings take a side of 4 to 8")
    assert "Conv2DTranspose(2, strides=2, padding='same')" in table
    json.dumps([s.as_dict() for s in solve_shape(4, 8).settings])


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ((0, 3), "input size"),
        ((3, 0), "output size"),
        ((3, 10**6), "at most"),
        ((2.0, 3), "integer"),
    ],
)
def test_bad_sizes_name_the_rule(args: tuple, says: str) -> None:
    with pytest.raises(EngineError, match=says):
        solve_shape(*args)
    with pytest.raises(EngineError, match="op"):
        solve_shape(2, 3, "max_pool2d")


@pytest.mark.parametrize(
    ("s", "k", "p", "d"), [(2, 3, 1, 1), (3, 2, 0, 1), (1, 3, 0, 1), (4, 3, 2, 2)]
)
def test_each_collapse_is_what_conv2d_and_conv_transpose2d_do(
    s: int, k: int, p: int, d: int
) -> None:
    ambiguity = output_padding_ambiguity(s, k, p, d, outputs=5)
    for collapse in ambiguity.collapses:
        for size, a in collapse.inputs:
            assert conv_output_size(size, k, s, p, d) == collapse.output
            assert conv_transpose_output_size(collapse.output, k, s, p, a, d) == size
            assert 0 <= a < s
        # and nothing is missing: every input size that gives this output is listed
        everyone = [i for i in range(1, 64) if i + 2 * p >= d * (k - 1) + 1]
        wanted = [i for i in everyone if conv_output_size(i, k, s, p, d) == collapse.output]
        assert [i for i, _ in collapse.inputs] == wanted
    if s == 1:
        assert all(len(c.inputs) == 1 for c in ambiguity.collapses)
        assert "nothing for output_padding to choose" in ambiguity.text
    else:
        assert "not padding of the output" in ambiguity.text


def test_the_collapse_sentence_names_the_sizes() -> None:
    first = output_padding_ambiguity(2, 3, 1).collapses[2]
    assert first.text == (
        "5 and 6 both give 3; conv_transpose2d gives back 5 with output_padding 0, 6 with"
        " output_padding 1"
    )
