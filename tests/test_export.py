"""Exported scripts: every operator's NumPy script runs and prints the engine's result; every
PyTorch and Keras script compiles, embeds the scene's exact values, and says why when Keras has no
exact equivalent."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import numpy as np
import pytest

from tui_upsample.cli import main
from tui_upsample.export import (
    FORMATS,
    ExportError,
    expected_result,
    export,
    export_keras,
    export_numpy,
    export_pytorch,
    file_name,
    keras_refusal,
    printed_rows,
)
from tui_upsample.scene import OPERATORS, Scene, preset_grid


def _scenes() -> dict[str, Scene]:
    """Every operator's seed example, plus the variants whose code differs."""
    scenes = {f"{op}-seed": Scene.seed_example(op) for op in OPERATORS}
    ct = Scene.seed_example("conv_transpose2d").replace(
        input=np.array([[1.0, -2.5, 0.1], [3.0, 4.0, -0.0]]),
        kernel=preset_grid("ramp", (3, 3)),
        stride=2,
    )
    scenes["ct-int"] = ct.replace(padding=1, output_padding=1)
    scenes["ct-same-odd"] = ct.replace(padding="same")  # k − s odd: PyTorch needs a slice
    scenes["ct-same-even"] = ct.replace(padding="same", kernel=preset_grid("ramp", (4, 4)))
    scenes["ct-valid-short"] = ct.replace(padding="valid", stride=3, kernel=np.ones((2, 2)))
    scenes["ct-dilated"] = ct.replace(padding=1, dilation=2, output_padding=1)
    scenes["ct-dilated-stride1"] = ct.replace(stride=1, dilation=3, output_padding=2)
    conv = Scene.seed_example("conv2d").replace(input=preset_grid("ramp", (5, 6)))
    scenes["conv-same-s2"] = conv.replace(padding="same", stride=2)
    scenes["conv-same-s1"] = conv.replace(padding="same")
    scenes["conv-pad-dil"] = conv.replace(padding=1, dilation=2, stride=2)
    pool = Scene.seed_example("max_pool2d").replace(input=preset_grid("ramp", (5, 5)))
    scenes["pool-ceil"] = pool.replace(kernel_size=2, stride=2, ceil_mode=True)
    scenes["pool-padded"] = pool.replace(kernel_size=3, stride=2, padding=1, dilation=1)
    unpool = Scene.seed_example("max_unpool2d")
    scenes["unpool-max"] = unpool.replace(fill="max")
    scenes["unpool-overlap-max"] = unpool.replace(
        input=preset_grid("small", (5, 5), 3), kernel_size=3, stride=2, padding=1, fill="max"
    )
    scenes["nearest-1.5"] = Scene.seed_example("upsample_nearest").replace(scale=1.5)
    scenes["bilinear-corners"] = Scene.seed_example("upsample_bilinear").replace(
        align_corners=True, scale=3.0
    )
    scenes["nails-3"] = Scene.seed_example("bed_of_nails").replace(scale=3.0)
    scenes["shuffle-3"] = Scene.seed_example("pixel_shuffle").with_param("upscale", 3)
    return scenes


SCENES = _scenes()


def _last_json(stdout: str) -> list[list[float]]:
    return json.loads(stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", sorted(SCENES))
def test_numpy_script_runs_and_prints_the_engine_result(name: str, tmp_path) -> None:
    scene = SCENES[name]
    path = tmp_path / "script.py"
    path.write_text(export_numpy(scene))
    run = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    assert _last_json(run.stdout) == printed_rows(expected_result(scene), "numpy")


@pytest.mark.parametrize("name", sorted(SCENES))
def test_pytorch_and_keras_scripts_compile(name: str) -> None:
    scene = SCENES[name]
    compile(export_pytorch(scene), f"{name}-pytorch.py", "exec")
    if keras_refusal(scene) is None:
        compile(export_keras(scene), f"{name}-keras.py", "exec")
    else:
        with pytest.raises(ExportError):
            export_keras(scene)


def _assigned_literal(source: str, name: str) -> object:
    """The literal assigned to ``name`` (``name = [...]`` or ``name = np.array([...])``)."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            value = node.value
            if isinstance(value, ast.Call):
                value = value.args[0]
            return ast.literal_eval(value)
    raise AssertionError(f"{name} is not assigned")


@pytest.mark.parametrize("fmt", ["pytorch", "keras", "numpy"])
def test_scripts_embed_the_exact_values(fmt: str) -> None:
    scene = SCENES["ct-int"].replace(
        input=np.array([[0.1, -0.0, 1e-300], [1.0 / 3.0, 123456.789, -7.25]])
    )
    text = export(scene, fmt)
    x = np.array(_assigned_literal(text, "x_rows"))
    assert x.tobytes() == scene.input.tobytes()  # bit for bit, -0.0 included
    assert np.array_equal(np.array(_assigned_literal(text, "w_rows")), scene.kernel)
    assert np.array_equal(np.array(_assigned_literal(text, "expected")), expected_result(scene))


def test_a_mismatch_exits_1_with_a_clear_message(tmp_path) -> None:
    scene = SCENES["ct-int"]
    text = export_numpy(scene)
    wrong = expected_result(scene).copy()
    wrong[1, 2] += 1.0
    start = text.index("expected = np.array(")
    end = text.index("])\n", start) + 3
    text = text[:start] + f"expected = np.array({wrong.tolist()!r})\n" + text[end:]
    path = tmp_path / "script.py"
    path.write_text(text)
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "mismatch at row 1, column 2" in run.stderr
    assert run.stdout == ""


def test_pytorch_uses_the_api_the_spec_names() -> None:
    assert "F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1)" in export_pytorch(
        SCENES["ct-int"]
    )
    # Keras 'same' with an odd k − s: no padding/output_padding gives it, so a slice does.
    odd = export_pytorch(SCENES["ct-same-odd"])
    assert "y = y[:, :, 0:4, 0:6]" in odd
    even = export_pytorch(SCENES["ct-same-even"])
    assert "padding=1" in even and "y = y[" not in even
    unpool = export_pytorch(SCENES["unpool-max"])
    assert "return_indices=True" in unpool and "F.max_unpool2d(" in unpool
    assert "output_size=x.shape[-2:]" in unpool and "PyTorch has no such fill" in unpool
    assert "y[:, :, ::s, ::s] = x" in export_pytorch(SCENES["nails-3"])
    assert "F.pixel_shuffle(x, upscale_factor=3)" in export_pytorch(SCENES["shuffle-3"])
    assert "dtype=torch.float64" in export_pytorch(SCENES["conv-same-s2"])
    assert "F.pad(x, (" in export_pytorch(SCENES["conv-same-s2"])


def test_keras_uses_layers_with_the_kernel_and_no_bias() -> None:
    text = " ".join(export_keras(SCENES["ct-int"]).split())  # wrapped lines joined
    assert "layers.Conv2DTranspose(" in text and "use_bias=False" in text
    assert 'padding="valid", output_padding=1' in text and "Cropping2D(cropping=1)" in text
    assert "set_weights([kernel])" in text and "[None, :, :, None]" in text  # channels_last
    same = export_keras(SCENES["ct-same-odd"])
    assert 'padding="same"' in same
    dilated = export_keras(SCENES["ct-dilated"])
    assert "dilated[::2, ::2] = kernel" in dilated and "dilation_rate=" not in dilated
    stride1 = " ".join(export_keras(SCENES["ct-dilated-stride1"]).split())
    assert "dilation_rate=3" in stride1 and "ZeroPadding2D(padding=((0, 2), (0, 2)))" in stride1
    conv = export_keras(SCENES["conv-pad-dil"])
    assert "ZeroPadding2D(padding=1)" in conv and "layers.Conv2D(" in conv
    assert 'UpSampling2D(size=2, interpolation="nearest")' in export_keras(
        Scene.seed_example("upsample_nearest")
    )
    assert "layers.Conv2DTranspose(" in export_keras(SCENES["nails-3"])


def test_printed_values_are_rounded_the_same_way_everywhere() -> None:
    rows = printed_rows(np.array([[8.399999999999999, -0.0, 1.0 / 3.0]]), "numpy")
    assert rows == [[8.4, 0.0, 0.3333333333]]
    assert json.dumps(rows) == "[[8.4, 0.0, 0.3333333333]]"
    assert printed_rows(np.array([[1.0 / 3.0]]), "keras") == [[0.333333]]


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("max_unpool2d-seed", "no max unpooling"),
        ("unpool-max", "no max unpooling"),
        ("nearest-1.5", "whole-number"),
        ("bilinear-corners", "align_corners"),
        ("pool-padded", "padding=1"),
        ("pool-ceil", "ceil_mode"),
    ],
)
def test_keras_refuses_what_it_cannot_do_exactly(name: str, says: str) -> None:
    reason = keras_refusal(SCENES[name])
    assert reason is not None and says in reason
    with pytest.raises(ExportError, match="pytorch or numpy"):
        export_keras(SCENES[name])


def test_cli_export_prints_and_exits_0(capsys) -> None:
    assert main(["--op", "shuffle", "--export", "numpy"]) == 0
    out = capsys.readouterr().out
    assert out == export_numpy(Scene.seed_example("pixel_shuffle"))


def test_cli_keras_refusal_exits_2(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--op", "unpool", "--export", "keras"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "upsample-tui: error: argument --export: keras: Keras has no max unpooling" in err
    assert "Traceback" not in err


def test_cli_export_refuses_a_bad_format(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--export", "tensorflow"])
    assert info.value.code == 2
    assert "--export" in capsys.readouterr().err


def test_file_names_say_operator_and_format() -> None:
    scene = Scene.seed_example("conv_transpose2d")
    names = {fmt: file_name(scene, fmt) for fmt in FORMATS}
    assert names["pytorch"] == "upsample-conv_transpose2d-pytorch.py"
    assert names["session"] == "upsample-conv_transpose2d-session.json"
    assert len(set(names.values())) == len(FORMATS)


def test_an_invalid_scene_is_not_exported() -> None:
    bad = Scene.seed_example("conv_transpose2d").replace(output_padding=1)  # must be < stride 1
    with pytest.raises(ValueError, match="output_padding"):
        export(bad, "pytorch")
