"""``from tui_upsample import show``: the app's step view of the asked step, for notebooks; the
package import stays cheap."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from tui_upsample import engine, show
from tui_upsample.recording.notebook import scene_for
from tui_upsample.scene import build_trace

SVG = "{http://www.w3.org/2000/svg}"


def _words(svg: str) -> str:
    return " ".join(t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text"))


def test_show_renders_the_asked_step_of_the_seed_example(tmp_path) -> None:
    picture = show("conv_transpose2d", [[1, 2], [3, 4]], weight=[[0, 1], [2, 3]], step=5)
    svg = picture._repr_svg_()
    words = _words(svg)
    assert "step 5 / 9" in words
    assert "y[1,1] = r · W2[:,4] = 1·3 + 2·2 + 3·1 + 4·0 = 10" in words
    assert "W2 = W1ᵀ (4×9)" in words
    assert "settings" not in words  # the step view only, not the whole app
    out = picture.save(tmp_path / "step5.svg")
    assert out.read_text(encoding="utf-8") == svg


def test_show_takes_the_engines_parameters(tmp_path) -> None:
    x = np.arange(16.0).reshape(4, 4)
    picture = show("max_pool2d", x, kernel_size=2, step=4)
    last = engine.trace("max_pool2d", x, kernel_size=2)[3].text
    assert "step 4 / 4" in _words(picture.svg())
    assert last.split("   ")[0] in _words(picture.svg())


@pytest.mark.parametrize(
    ("op", "x", "params"),
    [
        (
            "max_pool2d",
            np.arange(36.0).reshape(6, 6),
            {"kernel_size": 3, "stride": 2, "padding": 1},
        ),
        ("avg_pool2d", np.arange(16.0).reshape(4, 4), {"kernel_size": 2, "divisor_override": 3}),
        ("max_unpool2d", np.arange(16.0).reshape(4, 4), {"kernel_size": 2, "fill": "max"}),
        ("upsample_nearest", [[1, 2], [3, 4]], {"scale_factor": 1.5, "exact": True}),
        ("bed_of_nails", [[1, 2], [3, 4]], {"scale_factor": 2}),
        ("upsample_bilinear", [[1, 2], [3, 4]], {"scale_factor": 2, "align_corners": True}),
        ("conv2d", np.arange(9.0).reshape(3, 3), {"weight": [[0, 1], [2, 3]], "padding": "same"}),
        (
            "conv_transpose2d",
            [[1, 2], [3, 4]],
            {
                "weight": np.ones((3, 3)),
                "stride": 2,
                "padding": 1,
                "output_padding": 1,
                "method": "scatter",
            },
        ),
        ("pixel_shuffle", np.arange(16.0).reshape(4, 2, 2), {"upscale_factor": 2}),
    ],
)
def test_the_scene_shown_is_the_engines_trace(op, x, params) -> None:
    shown = build_trace(scene_for(op, x, 1, params))
    given = engine.trace(op, x, **params)
    assert len(shown) == len(given)
    assert np.array_equal(shown.result, given.result)
    assert [s.text for s in shown] == [s.text for s in given]


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"step": 10}, "step=10: this trace has 9 steps (1 to 9)"),
        ({"step": 0}, "step=0"),
        ({"stride": (1, 2)}, "the app shows one stride for both axes"),
        ({"stride": 0}, "stride"),
    ],
)
def test_show_refuses_what_it_cannot_draw(params, says) -> None:
    with pytest.raises(ValueError, match=re.escape(says)):
        show("conv_transpose2d", [[1, 2], [3, 4]], weight=[[0, 1], [2, 3]], **params)


def test_a_setting_the_app_has_not_is_named() -> None:
    with pytest.raises(ValueError, match="no setting for size"):
        show("upsample_nearest", [[1, 2], [3, 4]], size=(3, 3))


def test_importing_the_package_for_show_starts_nothing() -> None:
    code = (
        "import sys\n"
        "from tui_upsample import show\n"
        "top = {m.split('.')[0] for m in sys.modules}\n"
        "heavy = sorted(top & {'textual', 'rich', 'numpy'})\n"
        "assert not heavy, heavy\n"
        "assert not any(m.startswith('tui_upsample.') for m in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_show_draws_inside_a_running_event_loop_as_a_notebook_cell_runs() -> None:
    import asyncio

    async def cell() -> str:
        return show("bed_of_nails", [[1, 2], [3, 4]], scale_factor=2, step=2)._repr_svg_()

    assert "step 2 / 4" in _words(asyncio.run(cell()))
