"""The command palette's commands (ctrl+p): operators, methods, presets and grid commands."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui_upsample.channel_presets import CHANNEL_PRESETS
from tui_upsample.language import languages
from tui_upsample.scene import METHODS, OPERATOR_NAMES, OPERATORS, PRESETS
from tui_upsample.tour import STOPS


class SceneCommands(Provider):
    """Switch operator or method, load a preset, randomise, zero or resize a grid."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.app
        run = app.run_action
        commands: list[tuple[str, str, Callable[[], object]]] = []
        for op in OPERATORS:
            commands.append(
                (f"Operator: {op}", OPERATOR_NAMES[op], partial(run, f"set_op('{op}')"))
            )
        for op, methods in METHODS.items():
            for method in methods:
                commands.append(
                    (
                        f"Method: {op} by {method}",
                        f"step through {op} as {method}",
                        partial(run, f"set_method('{op}', '{method}')"),
                    )
                )
        for which in ("input", "kernel"):
            for name, what in PRESETS.items():
                commands.append(
                    (f"Preset {which}: {name}", what, partial(run, f"fill('{which}', '{name}')"))
                )
            commands += [
                (
                    f"Randomise {which}",
                    "small seeded integers",
                    partial(run, f"fill('{which}', 'random')"),
                ),
                (f"Zero {which}", "every cell 0", partial(run, f"fill('{which}', 'zeros')")),
                (f"Add row to {which}", "", partial(run, f"resize('{which}', 1, 0)")),
                (f"Remove row from {which}", "", partial(run, f"resize('{which}', -1, 0)")),
                (f"Add column to {which}", "", partial(run, f"resize('{which}', 0, 1)")),
                (f"Remove column from {which}", "", partial(run, f"resize('{which}', 0, -1)")),
            ]
        for name, preset in CHANNEL_PRESETS.items():
            commands.append(
                (f"Channels: {name}", preset.point, partial(run, f"channel_preset({name!r})"))
            )
        commands.append(
            (
                "Back to the scene before the channel preset",
                "u",
                partial(run, "preset_back"),
            )
        )
        commands.append(
            (
                "Start the guided tour",
                f"the seed post, paragraph by paragraph, in {len(STOPS)} stops",
                partial(run, "tour_go(1)"),
            )
        )
        for number, stop in enumerate(STOPS, start=1):
            commands.append(
                (
                    f"Tour stop {number}: {stop.title}",
                    stop.source,
                    partial(run, f"tour_go({number})"),
                )
            )
        for code in languages():
            commands.append(
                (
                    f"Language: {code}",
                    "the guided tour and the help screen in it, kept in the preferences",
                    partial(run, f"set_language('{code}')"),
                )
            )
        for view, what in (
            ("steps", "step through the operator"),
            ("compare", "conv_transpose2d: scatter, matrix and direct side by side (c)"),
            ("overlap", "kernel footprints per output cell: checkerboard artifacts (k)"),
            ("conventions", "Keras 'same'/'valid' vs PyTorch padding/output_padding (f)"),
            ("solver", "every setting that reaches an output size; output_padding (s)"),
            ("indices", "max_unpool2d: its indices decoded, PyTorch's bounds and errors (i)"),
        ):
            commands.append((f"View: {view}", what, partial(run, f"set_view('{view}')")))
        commands.append(
            (
                "Quiz: start / stop",
                "predict each step's result, scored (g)",
                partial(run, "toggle_quiz"),
            )
        )
        commands.append(
            (
                "Matrix face: W1 / W2",
                "compare layout: r · W2 (transposed) or xᵀ · W1 (the convolution) (w)",
                partial(run, "toggle_matrix_face"),
            )
        )
        commands += [
            ("Play / pause", "step about 4 times a second", partial(run, "toggle_play")),
            ("First step", "", partial(run, "goto('first')")),
            ("Last step", "", partial(run, "goto('last')")),
            ("Keys", "every key, on the help screen", partial(run, "help")),
            ("Export…", "a script or the session, to a file (x)", partial(run, "export")),
            (
                "Export: PyTorch script",
                "torch.nn.functional, checked against these numbers",
                partial(run, "export_to('pytorch')"),
            ),
            (
                "Export: Keras script",
                "keras.layers, channels_last, checked against these numbers",
                partial(run, "export_to('keras')"),
            ),
            (
                "Export: NumPy script",
                "tui_upsample.engine, the app's own engine",
                partial(run, "export_to('numpy')"),
            ),
            (
                "Save session",
                "the whole scene, to a JSON file (ctrl+s)",
                partial(run, "save_session"),
            ),
            ("Open session…", "a saved session, by its path", partial(run, "open_session")),
        ]
        return commands

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text or None)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text or None)
