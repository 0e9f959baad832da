"""The terminal app: edit a grid, pick an operator, and step through what the engine computes.

The app owns the scene (what the learner chose) and the trace the engine made of it; the panes get
them through data binding and report the learner's edits with messages. Every number on screen
comes from the engine.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from textual import events, on
from textual._context import active_message_pump
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Header, Select, Switch
from textual.widgets._select import SelectOverlay

from tui_upsample.channel_presets import CHANNEL_PRESETS
from tui_upsample.engine.steps import Trace
from tui_upsample.file_actions import FileActions
from tui_upsample.language import _
from tui_upsample.quiz_actions import QuizActions
from tui_upsample.safe_text import shown, shown_lines
from tui_upsample.scene import (
    MAX_CHANNELS,
    MAX_SIDE,
    METHODS,
    NEW_CELL,
    OPERATOR_NAMES,
    PRESETS,
    Scene,
    ValueOverflow,
    build_trace,
)
from tui_upsample.widgets.blocks.intro_line import IntroLine
from tui_upsample.widgets.blocks.scroll_keys import SCROLL_BINDINGS
from tui_upsample.widgets.blocks.too_small import TOO_SMALL_CLASS, TooSmallNotice
from tui_upsample.widgets.lean.band_screen import BandScreen
from tui_upsample.widgets.lean.choice import Choice
from tui_upsample.widgets.lean.key_footer import KeyFooter
from tui_upsample.widgets.panes.grid_editor import GridEditor
from tui_upsample.widgets.panes.lesson_notes import LessonNotes
from tui_upsample.widgets.panes.settings import (
    CHANNEL_LABELS,
    SCREEN_CHANNELS,
    Settings,
    channel_value,
)
from tui_upsample.widgets.panes.step_view import StepView
from tui_upsample.widgets.panes.tour_panel import TourPanel

if TYPE_CHECKING:  # the quiz's modules load when a quiz starts (tui_upsample.quiz_actions)
    from tui_upsample.quiz import Card, Masking, Quiz

PLAY_INTERVAL = 0.25
"""Seconds between steps while playing (about 4 steps a second)."""

STEPPING_ACTIONS = frozenset(
    {
        "step",
        "goto",
        "toggle_play",
        "next_op",
        "next_method",
        "help",
        "quit",
        "export",
        "add_plane",
        "preset_back",
    }
)
"""Actions whose keys work in every pane, except while a value is being typed."""

VIEWS: tuple[str, ...] = ("steps", "compare", "overlap", "conventions", "solver", "indices")
"""The app's views of the scene: the step-through, transposed convolution's three faces side by
side, the footprint overlap (checkerboard artifacts), Keras vs PyTorch conventions, the settings
that reach an output size (and output_padding's ambiguity), max unpooling's indices."""

VIEW_ACTIONS = frozenset({"toggle_view", "set_view", "toggle_matrix_face"})
"""Actions that switch views: like the stepping keys, off while a value is being typed."""

QUIZ_ACTIONS = frozenset({"toggle_quiz", "quiz_round"})
"""The quiz's keys: like the stepping keys (the answer field takes only an answer's
characters, so they work while it has the focus)."""

TOUR_ACTIONS = frozenset({"toggle_tour", "tour_move", "tour_page", "leave_tour", "tour_variant"})
"""The guided tour's keys: like the stepping keys. Outside the tour, escape and the page keys are
the panes' own; ] [ and v say what they are for."""

TOUR_ONLY_ACTIONS = frozenset({"tour_page", "leave_tour"})

WIDE_SCREEN = 160
"""From this many columns on, the side column is wider (its notes and the tour's words need
fewer lines) and the step view still has room for its grids side by side."""

SHORT_SCREEN = 30
"""Below this many lines the title bar gives its line to the panes (its words are the step
view's title and the settings pane's too)."""

FOOTER_PRIORITY: tuple[str, ...] = (
    "quit",
    "help",
    "tour-toggle",
    "step-next",
    "step-previous",
    "operator-next",
    "method-next",
    "view-compare",
    "play",
    "view-overlap",
)
"""The footer's keys by binding id, most important first: on a narrow terminal the last give
way (they are all on the help screen), so help, quit and the tour always show."""


def _resume_garbage_collection() -> None:
    if not gc.isenabled():  # paused by tui_upsample.start (not when the app is made in a test)
        gc.freeze()
        gc.enable()


def _scene_commands() -> type[Provider]:
    """The palette's commands for the scene, loaded when the palette first opens."""
    from tui_upsample.commands import SceneCommands

    return SceneCommands


def _binding_scopes() -> list[dict[str, str]]:
    """The bindings active together, each binding id → its default keys: the main screen's
    (the app's and the grid panes'), then each dialog's."""
    from tui_upsample.preferences import binding_keys
    from tui_upsample.screens.export import ExportScreen, OpenSessionScreen
    from tui_upsample.screens.help import HelpScreen

    main = {**binding_keys(UpsampleApp.BINDINGS), **binding_keys(GridEditor.BINDINGS)}
    dialogs = (HelpScreen, ExportScreen, OpenSessionScreen)
    # The scroll keys belong to the panes that scroll, never focused with a grid: a scope apart.
    scroll = binding_keys(SCROLL_BINDINGS)
    return [main, scroll, *(binding_keys(dialog.BINDINGS) for dialog in dialogs)]


def _tour() -> ModuleType:
    """The guided tour (its stops and texts), loaded the first time the tour is used."""
    from tui_upsample import tour

    return tour


@dataclass(frozen=True)
class OnScreen:
    """Everything that makes up what the learner sees: the scene (with its step) and the view."""

    scene: Scene
    view: str
    matrix_face: str
    method_before_compare: str


class UpsampleApp(QuizActions, FileActions, App[int]):
    """tui-upsample: step, key by key, through the operators that make feature maps bigger."""

    CSS_PATH = "app.tcss"
    TITLE = "tui-upsample"
    COMMANDS: ClassVar[set[Any]] = App.COMMANDS | {_scene_commands}
    AUTO_FOCUS = "#input-editor GridView"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "step(1)", "Next", priority=True, id="step-next"),
        Binding("p", "step(-1)", "Prev", priority=True, id="step-previous"),
        Binding("space", "toggle_play", "Play", priority=True, id="play"),
        Binding("home", "goto('first')", "First step", show=False, priority=True, id="step-first"),
        Binding("end", "goto('last')", "Last step", show=False, priority=True, id="step-last"),
        Binding("o", "next_op(1)", "Operator", priority=True, id="operator-next"),
        Binding(
            "O",
            "next_op(-1)",
            "Previous operator",
            show=False,
            priority=True,
            id="operator-previous",
        ),
        Binding("m", "next_method", "Method", priority=True, id="method-next"),
        Binding(
            "a", "add_plane(1)", "Add an input plane", show=False, priority=True, id="plane-add"
        ),
        Binding(
            "A",
            "add_plane(-1)",
            "Remove the last input plane",
            show=False,
            priority=True,
            id="plane-remove",
        ),
        Binding(
            "u",
            "preset_back",
            "Back to the scene before the channel preset",
            show=False,
            priority=True,
            id="preset-back",
        ),
        Binding("c", "toggle_view('compare')", "Compare", priority=True, id="view-compare"),
        Binding("k", "toggle_view('overlap')", "Overlap", priority=True, id="view-overlap"),
        Binding(
            "f",
            "toggle_view('conventions')",
            "Conventions: Keras vs PyTorch",
            show=False,
            priority=True,
            id="view-conventions",
        ),
        Binding(
            "w",
            "toggle_matrix_face",
            "Compare: matrix face W2 / W1",
            show=False,
            priority=True,
            id="matrix-face",
        ),
        Binding(
            "t",
            "toggle_tour",
            "Tour",
            tooltip="Guided tour: start / leave",
            priority=True,
            id="tour-toggle",
        ),
        Binding(
            "right_square_bracket",
            "tour_move(1)",
            "Tour: next stop",
            show=False,
            priority=True,
            id="tour-next",
        ),
        Binding(
            "left_square_bracket",
            "tour_move(-1)",
            "Tour: previous stop",
            show=False,
            priority=True,
            id="tour-previous",
        ),
        # The page keys move between stops only in the tour; outside it they page the panes.
        Binding(
            "pagedown",
            "tour_page(1)",
            "Tour: next stop",
            show=False,
            priority=True,
            id="tour-next-page",
        ),
        Binding(
            "pageup",
            "tour_page(-1)",
            "Tour: previous stop",
            show=False,
            priority=True,
            id="tour-previous-page",
        ),
        Binding(
            "v", "tour_variant", "Tour: next variant", show=False, priority=True, id="tour-variant"
        ),
        Binding("escape", "leave_tour", "Tour: leave", show=False, priority=True, id="tour-leave"),
        Binding("g", "toggle_quiz", "Quiz", priority=True, id="quiz-toggle"),
        Binding(
            "G",
            "quiz_round",
            "Quiz: steps / shape questions",
            show=False,
            priority=True,
            id="quiz-round",
        ),
        Binding(
            "s",
            "toggle_view('solver')",
            "Solve for the output size",
            show=False,
            priority=True,
            id="view-solver",
        ),
        Binding(
            "i",
            "toggle_view('indices')",
            "max_unpool2d: its indices, inspected",
            show=False,
            priority=True,
            id="view-indices",
        ),
        Binding(
            "x",
            "export",
            "Export: PyTorch / Keras / NumPy script or session, to a file",
            show=False,
            priority=True,
            id="export",
        ),
        Binding("ctrl+s", "save_session", "Save the session", show=False, id="session-save"),
        Binding("f1,question_mark", "help", "Help", priority=True, id="help"),
        Binding("q", "quit", "Quit", priority=True, id="quit"),
        # Textual's own ctrl+q, given an id so the preferences file can move it too.
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="quit-ctrl"),
        Binding("tab", "app.focus_next", "Next pane", show=False, id="pane-next"),
        Binding("shift+tab", "app.focus_previous", "Previous pane", show=False, id="pane-previous"),
    ]
    """
    | Key | Description |
    | :- | :- |
    | n / p | Next / previous step. |
    | space | Play / pause (about 4 steps a second). |
    | home / end | First / last step. |
    | o / O | Next / previous operator. |
    | m | Next face of the transposed convolution: scatter, matrix, direct (the same step). |
    | a / A | Add an input plane (channel) / remove the last one (1 to 4 on screen). |
    | u | Back to the scene from before a channel preset (the palette's "Channels: …"). |
    | c | Compare: scatter, matrix and direct side by side, one step per output cell. |
    | k | Overlap: kernel footprints per output cell (checkerboard artifacts) and the remedy. |
    | f | Framework conventions: Keras 'same'/'valid' vs PyTorch padding/output_padding. |
    | w | Compare: the matrix face as r · W2 (transposed) or xᵀ · W1 (the convolution). |
    | g | Quiz: predict each step's result (score k/n), or stop. |
    | G | Quiz: switch to the shape questions ("what size is the output?") and back. |
    | s | Solver: every setting that takes the input to a chosen output size; output_padding. |
    | i | max_unpool2d's indices: how they decode, PyTorch's bounds and errors. |
    | t | Start / leave the guided tour of the seed post. |
    | ] / [ (pagedown / pageup) | Tour: next / previous stop (outside it, ] / [ say so). |
    | v | Tour: the stop's next variant (unpooling's fill; the upsampling operators; groups). |
    | escape | Leave the tour (the scene from before it comes back). |
    | x | Export the scene as a PyTorch / Keras / NumPy script, or a session (a dialog). |
    | ctrl+s | Save the session (reopen: --load FILE, or "Open session" in the palette). |
    | f1 / ? | Help: every key. |
    | q / ctrl+q | Quit. |
    | tab / shift+tab | Next / previous pane. |
    | ctrl+p | Command palette: operators, methods, presets, grid commands. |
    """

    scene: var[Scene] = var(Scene.seed_example, always_update=False)
    """What the learner chose: operator, parameters, input, kernel, method."""
    trace: var[Trace | None] = var(None, always_update=True)
    """The engine's trace of the last valid scene (it stays when the scene becomes invalid)."""
    step: var[int] = var(0)
    """Index of the step on screen (0 is the first)."""
    error: var[str] = var("")
    """The engine's message if the scene is invalid, else ""."""
    stale: var[str] = var("")
    """While the scene is invalid: what the step pane shows instead (the last valid trace)."""
    output_shape: var[tuple[int, ...]] = var(())
    """Shape of the last valid trace's output."""
    playing: var[bool] = var(False)
    """Whether the steps advance by themselves."""
    view: var[str] = var("steps")
    """Which view of the scene is on screen: "steps" (step through the operator), "compare"
    (conv_transpose2d's scatter, matrix and direct faces side by side), "overlap" (kernel
    footprints per output cell) or "conventions" (Keras vs PyTorch). c, k and f toggle the last
    three (through _choose_view); the tour sets it for its stops. For a transposed convolution
    the scene is the one source of "compare": it is on screen exactly when the scene's method is
    "all" (Scene.compare), and the view follows the scene, never the other way round."""
    matrix_face: var[str] = var("W2")
    """The compare layout's matrix face: "W2" (r · W2 = y) or "W1" (xᵀ · W1 = r′); w toggles."""
    tour_stop: var[int | None] = var(None)
    """The guided tour's stop on screen, 1 … len(STOPS); None outside the tour."""
    quiz: var[Quiz | None] = var(None)
    """The quiz under way (round, score, question), or None: stepping, not predicting."""
    masking: var[Masking | None] = var(None, always_update=True)
    """What the step view hides while a quiz question is asked."""
    quiz_card: var[Card | None] = var(None, always_update=True)
    """What the quiz bar says."""
    hide_formula: var[bool] = var(False)
    """Whether the settings pane keeps the output-size formula back (a size is being asked)."""

    def __init__(
        self,
        scene: Scene | None = None,
        *,
        theme: str | None = None,
        cursor_blink: bool = True,
        tour_stop: int | None = None,
        preferences: bool = True,
        language: str | None = None,
        trace: Trace | None = None,
        quiz: Quiz | None = None,
    ) -> None:
        """``trace``, if given, is ``scene``'s, already built (the command line checks the scene
        with it): a large scene's is not built twice."""
        super().__init__()
        self.preference_notes: list[str] = []
        """What to say about the preferences file at start (what was wrong, keys moved)."""
        self.keep_preferences = preferences
        """Whether the learner's preferences are read and a theme chosen here is saved (not
        for screenshots, which must look the same for everyone)."""
        if language is not None:  # --lang: before the preferences' language, which it beats
            from tui_upsample.language import use

            use(language)
        if preferences:
            self._read_preferences(theme_given=theme is not None, language_given=bool(language))
        if theme is not None:
            self.theme = theme
        self.cursor_blink = cursor_blink
        """Whether text cursors blink (off for screenshots and tests)."""
        self._timer: Timer | None = None
        scene = scene if scene is not None else Scene.seed_example()
        self._method_before_compare = "matrix"
        self._before_tour: OnScreen | None = None
        self._before_preset: OnScreen | None = None
        """What was on screen when the tour started: leaving the tour gives it back."""
        self.quit_notice = ""
        """What quitting did with the scene (kept for --resume, or why not), for the terminal."""
        traced = scene  # the scene ``trace`` was built for (the tour's own replaces it)
        if tour_stop is not None:  # the tour brings its own scene
            view = "compare" if scene.compare else "steps"
            self._before_tour = OnScreen(scene, view, "W2", "matrix")
            scene = _tour().stop(tour_stop).scene
            self.set_reactive(UpsampleApp.tour_stop, tour_stop)
        self.set_reactive(UpsampleApp.scene, scene)
        self._prepared: tuple[Scene, Trace] | None = None if trace is None else (traced, trace)
        """A scene and its trace, built to check an edit, for _rebuild not to build it again."""
        if scene.compare:
            self.set_reactive(UpsampleApp.view, "compare")
        self._rebuild(scene)
        if self.trace is not None:
            self.set_reactive(UpsampleApp.step, min(max(scene.step, 0), len(self.trace) - 1))
        self._quiz_at_start = quiz
        """A quiz to start once the screen is up (--quiz, or one a session kept)."""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Show a notification as plain text with control characters escaped (markup only if
        asked for): notifications carry paths, file names and messages that echo what was typed,
        and ``[`` in a directory name must not be read as markup."""
        super().notify(
            shown_lines(message),
            title=shown(title),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    def get_default_screen(self) -> BandScreen:
        """The main screen, whose partial frames draw only the rows a change touched."""
        return BandScreen(id="_default")

    def compose(self) -> ComposeResult:
        yield Header()
        yield IntroLine(id="intro").data_bind(
            UpsampleApp.scene, UpsampleApp.output_shape, UpsampleApp.tour_stop
        )
        with Horizontal(id="body"):
            with Vertical(id="side-column"):
                # The tour's words stay at the top of the column: the panes under them scroll.
                yield TourPanel(id="tour").data_bind(
                    UpsampleApp.trace,
                    UpsampleApp.scene,
                    UpsampleApp.step,
                    stop=UpsampleApp.tour_stop,
                )
                yield from self._side_panes()
            with ContentSwitcher(initial=self.view, id="views"):
                # The other views are built the first time they are shown (_show_view): most
                # sessions never open them, and each costs start-up time.
                yield self._make_view("steps")
                if self.view != "steps":
                    yield self._make_view(self.view)
        yield KeyFooter(priority=FOOTER_PRIORITY)
        yield TooSmallNotice(id="too-small")

    def _side_panes(self) -> ComposeResult:
        """The panes that edit: the grids, the settings and the notes under them, scrolling
        together (the side pane itself takes no focus: its panes do)."""
        with VerticalScroll(id="side", can_focus=False):
            yield GridEditor("input", id="input-editor").data_bind(UpsampleApp.scene)
            yield GridEditor("kernel", id="kernel-editor").data_bind(UpsampleApp.scene)
            yield Settings(id="settings").data_bind(
                UpsampleApp.scene,
                UpsampleApp.error,
                UpsampleApp.output_shape,
                UpsampleApp.hide_formula,
            )
            yield LessonNotes(id="lesson-notes").data_bind(
                UpsampleApp.scene, UpsampleApp.output_shape
            )

    def _make_view(self, view: str) -> Widget:
        """The widget that shows ``view``, bound to the scene it shows."""
        token = active_message_pump.set(self)  # data_bind binds to the app's reactives
        try:
            # The hidden views' modules are imported when first shown (start-up time).
            if view == "compare":
                from tui_upsample.widgets.views.compare_view import CompareView

                return CompareView(id="compare").data_bind(
                    UpsampleApp.trace, UpsampleApp.step, UpsampleApp.matrix_face
                )
            if view == "overlap":
                from tui_upsample.widgets.views.overlap_view import OverlapView

                return OverlapView(id="overlap").data_bind(UpsampleApp.scene)
            if view == "conventions":
                from tui_upsample.widgets.views.conventions_view import ConventionsView

                return ConventionsView(id="conventions").data_bind(UpsampleApp.scene)
            if view == "solver":
                from tui_upsample.widgets.views.solver_view import SolverView

                return SolverView(id="solver").data_bind(UpsampleApp.scene)
            if view == "indices":
                from tui_upsample.widgets.views.indices_view import IndicesView

                return IndicesView(id="indices").data_bind(UpsampleApp.scene)
            return StepView(id="steps").data_bind(
                UpsampleApp.trace, UpsampleApp.step, UpsampleApp.stale, UpsampleApp.masking
            )
        finally:
            active_message_pump.reset(token)

    def _show_view(self, switcher: ContentSwitcher, view: str) -> None:
        """Put ``view`` on screen, building it the first time."""
        try:
            switcher.get_child_by_id(view)
        except NoMatches:
            widget = self._make_view(view)
            widget.display = False
            switcher.mount(widget)
        switcher.current = view

    def on_mount(self) -> None:
        # `upsample-tui` starts with the garbage collector paused (tui_upsample.start): resume it
        # once the first screen is drawn, with everything made so far set aside for good.
        self.call_after_refresh(_resume_garbage_collection)
        self.query_one(TooSmallNotice).fit(self.size)
        self._fit_width(self.size.width)
        if self.tour_stop is not None:
            self._choose_view(_tour().stop(self.tour_stop).view)
        if self._quiz_at_start is not None:
            self.start_quiz(self._quiz_at_start)
        for note in self.preference_notes:
            self.notify(note, title="Preferences", severity="warning", timeout=12)
        if self.keep_preferences:
            self._theme_kept = self.theme
            self.theme_changed_signal.subscribe(self, self._theme_changed)

    # Preferences -------------------------------------------------------------------------------
    def _read_preferences(self, theme_given: bool, language_given: bool = False) -> None:
        """Take the theme, the language and the keys from the learner's preferences file, if
        there is one."""
        from tui_upsample.preferences import config_path, read_preferences, resolve_keymap

        path = config_path()
        if not path.exists():  # the usual case: nothing more to import or read
            return
        from tui_upsample.key_names import is_key_name

        scopes = _binding_scopes()
        ids = {binding_id for scope in scopes for binding_id in scope}
        from tui_upsample.language import languages

        prefs = read_preferences(
            path,
            binding_ids=ids,
            themes=self.available_themes,
            is_key=is_key_name,
            languages=languages(),
        )
        if prefs.problem:
            self.preference_notes.append(prefs.problem)
        if prefs.theme and not theme_given:
            self.theme = prefs.theme
        if prefs.language and not language_given:
            from tui_upsample.language import use

            use(prefs.language)
        if prefs.keys:
            keymap, notes = resolve_keymap(prefs.keys, scopes)
            self.preference_notes += notes
            self.set_keymap(keymap)
            self.keymap = dict(self._keymap)  # as Textual normalised it ("?" → question_mark)

    keymap: dict[str, str] = {}
    """The learner's keys by binding id (from the preferences file), as given to Textual."""

    def _theme_changed(self, theme: Any) -> None:
        """A theme chosen in the app (the palette's theme switch) is the learner's from now on."""
        if theme.name == self._theme_kept or self.served:
            return  # a visitor's theme is the visitor's: the server's file stays as it is
        from tui_upsample.preferences import PreferencesError, save_theme

        try:
            path = save_theme(theme.name)
        except PreferencesError as exc:
            self.notify(f"theme not saved: {exc}", title="Preferences", severity="warning")
            return
        self._theme_kept = theme.name
        self.notify(f"theme {theme.name} saved in {path}", title="Preferences", timeout=4)

    def action_set_language(self, code: str) -> None:
        """Show the tour and the help screen in language ``code`` from now on, and keep it in
        the preferences file, as a theme chosen here is kept."""
        from tui_upsample.language import use
        from tui_upsample.preferences import PreferencesError, save_language

        try:
            use(code)
        except ValueError as exc:
            self.notify(str(exc), title="Language", severity="error")
            return
        for panel in self.query(TourPanel):
            panel.redraw()
        for view in self.query(StepView):
            view.reword()
        if not self.keep_preferences or self.served:
            return  # screenshots and visitors leave the file alone
        try:
            path = save_language(code)
        except PreferencesError as exc:
            self.notify(f"language not saved: {exc}", title="Preferences", severity="warning")
            return
        self.notify(
            _("language {code} saved in {path}").format(code=code, path=path),
            title="Preferences",
            timeout=4,
        )

    async def action_quit(self) -> None:
        """Quit, keeping the learner's scene where ``upsample-tui --resume`` finds it."""
        from tui_upsample.preferences import PreferencesError, keep_scene

        if self.served:  # many visitors, one server: none of them leaves a scene behind
            self.exit(0)
            return
        try:
            path = keep_scene(self.learners_scene)
        except PreferencesError as exc:
            self.quit_notice = f"upsample-tui: the scene could not be kept: {exc}"
        else:
            self.quit_notice = f"upsample-tui: scene kept in {path}; upsample-tui --resume opens it"
        self.exit(0)

    def _save_target(self) -> tuple[Path, str]:
        """During the tour, ctrl+s saves the tour's scene to a file of its own, never over the
        learner's session file."""
        if self.tour_stop is None:
            return super()._save_target()
        mine = self.session_path
        note = (
            f"the tour's scene: your {mine} is unchanged (leave the tour, then ctrl+s, to save it)"
            if mine is not None
            else "the tour's scene (leave the tour to save your own)"
        )
        return Path(f"upsample-tour-stop-{self.tour_stop}.json"), note

    def on_resize(self, event: events.Resize) -> None:
        """Below 80×24 the panes give way to a "make the terminal larger" notice, and return;
        from WIDE_SCREEN columns on, the side column takes more of the width."""
        self.query_one(TooSmallNotice).fit(event.size)
        self._fit_width(event.size.width)

    def _fit_width(self, width: int) -> None:
        self.screen.set_class(width >= WIDE_SCREEN, "-wide")
        self.screen.set_class(self.size.height < SHORT_SCREEN, "-short")
        self._name_operator()

    def update_styles(self, node: DOMNode, animate: bool = True) -> None:
        # A widget not yet in the DOM is styled when it is mounted (App._register applies the
        # stylesheet): restyling it before is wasted. Input restyles itself twice while it is
        # made (its value's validity and its compact class), ~1.5 ms a field at start-up.
        if node is not self and not node.is_attached:
            return
        super().update_styles(node, animate)

    async def on_event(self, event: events.Event) -> None:
        # Under the "terminal too small" notice the scene is out of sight: a key must not change
        # it unseen. Only the quit keys work; everything else waits for the panes to come back.
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded
            and self.screen.has_class(TOO_SMALL_CLASS)
        ):
            active = self.screen.active_bindings.get(event.key)
            if active is not None and active.binding.action == "quit":
                await self.run_action("quit")
            return
        await super().on_event(event)

    # The scene and its trace -------------------------------------------------------------------
    @property
    def current_scene(self) -> Scene:
        """The scene with the step on screen (what a saved session would hold)."""
        return self.scene.replace(step=self.step)

    def _rebuild(self, scene: Scene) -> None:
        """Ask the engine for the scene's trace; keep the last valid one if it refuses."""
        prepared, self._prepared = self._prepared, None
        try:
            trace = prepared[1] if prepared and prepared[0] is scene else build_trace(scene)
        except ValueError as exc:  # EngineError: the engine's message, as it is
            self._refused(str(exc))
            return
        except Exception as exc:  # an engine bug must not take the app down
            self._refused(f"{type(exc).__name__}: {exc}")
            return
        self.error = ""
        self.stale = ""
        self.output_shape = tuple(trace.result.shape)
        self.trace = trace
        self.step = min(max(self.step, 0), max(len(trace) - 1, 0))

    def _refused(self, error: str) -> None:
        """The engine refused the scene: say why, and that the picture is the last valid one."""
        self.error = error
        trace, scene = self.trace, self.scene
        if trace is None:
            self.stale = ""
            return
        method = getattr(trace, "method", None)
        shown = f"{trace.op}{f' · {method}' if method else ''}"
        if trace.op != scene.op:
            self.stale = (
                f"Not {scene.op}: its settings are invalid (see the settings pane)."
                f" Shown: the last valid scene, {shown}."
            )
        else:
            self.stale = (
                "The settings are invalid (see the settings pane)."
                f" Shown: the last valid {shown}, before the change."
            )

    def watch_scene(self, old: Scene, scene: Scene) -> None:
        self._rebuild(scene)
        self._name_operator()
        # The scene is the one source of the compare layout: a transposed convolution stepped
        # by "all" is shown as the three faces, and leaving "all" leaves them.
        if scene.compare and not old.compare and old.op == scene.op:
            self._method_before_compare = old.method  # what leaving the faces goes back to
        if scene.compare and self.view != "compare":
            self.view = "compare"
        elif old.compare and not scene.compare and self.view == "compare":
            self.view = "steps"

    def validate_view(self, view: str) -> str:
        if view not in VIEWS:
            return "steps"
        if self.scene.op == "conv_transpose2d" and (view == "compare") != self.scene.compare:
            # Only the scene says whether its three faces are on screen (see _choose_view).
            return "compare" if self.scene.compare else (view if view != "compare" else "steps")
        return view

    def watch_view(self, view: str) -> None:
        for switcher in self.query("#views").results(ContentSwitcher):
            self._show_view(switcher, view)

    def _choose_view(self, view: str) -> None:
        """Show ``view``, as the learner asked: for a transposed convolution the compare layout
        is its scene stepped by "all", so entering or leaving it changes the scene's method
        (and the step to the one that means the same), and the view follows the scene."""
        scene = self.scene
        if scene.op == "conv_transpose2d":
            if view == "compare" and not scene.compare:
                self._switch_method("all")  # watch_scene keeps the method to go back to
                return
            if view != "compare" and scene.compare:
                self._switch_method(self._method_before_compare)
        self.view = view

    def _switch_method(self, method: str) -> None:
        """Step by ``method``, on the step that shows what the step on screen shows."""
        step = self._same_step(self.current_scene, method)
        self.scene = self.scene.replace(method=method)
        if self.trace is not None:
            self.step = min(max(step, 0), len(self.trace) - 1)

    def _name_operator(self) -> None:
        scene = self.scene
        method = f" · {scene.method}" if scene.op in METHODS else ""
        title = f"{scene.op}: {OPERATOR_NAMES[scene.op]}{method}"
        quiz = f" · quiz {self.quiz.score}" if self.quiz is not None else ""
        # Header cuts a long title short with "…": on a narrow terminal, the engine names only.
        room = self.size.width - len(self.title) - 23  # " — ", and its icon's room each side
        self.sub_title = (title if len(title + quiz) <= room else f"{scene.op}{method}") + quiz

    # Keys --------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if (
            action in STEPPING_ACTIONS
            or action in TOUR_ACTIONS
            or action in VIEW_ACTIONS
            or action in QUIZ_ACTIONS
        ):
            if len(self.screen_stack) > 1:
                return False  # a modal screen (help, palette) has the keys
            if self.typing:
                return False  # a value is being typed: the keys are characters
        if action == "toggle_play" and isinstance(self.focused, (Switch, Select)):
            return False  # space is the focused control's: it flips the switch, opens the list
        if action in TOUR_ONLY_ACTIONS and self.tour_stop is None:
            return False  # escape and the page keys belong to the panes outside the tour
        return True

    @property
    def typing(self) -> bool:
        """Whether the learner is typing a cell's value (then every key is a character)."""
        # Asked for every key binding whenever the footer is drawn: look the editors up once.
        editors = getattr(self, "_editors", None)
        if not editors or not all(editor.is_attached for editor in editors):
            editors = self._editors = tuple(self.query(GridEditor))
        return any(editor.editing for editor in editors)

    def action_step(self, delta: int) -> None:
        """Move ``delta`` steps forward (or back), staying within the trace."""
        if self.trace is None:
            return
        self.step = min(max(self.step + delta, 0), len(self.trace) - 1)
        if delta < 0:
            self.playing = False

    def action_goto(self, where: str) -> None:
        """Jump to the "first" or "last" step."""
        if self.trace is None:
            return
        self.step = 0 if where == "first" else len(self.trace) - 1
        self.playing = False

    def action_toggle_play(self) -> None:
        """Start or stop stepping by itself (not in the quiz: it steps as you answer)."""
        if self.quiz is not None and not self.playing:
            self.notify("space: the quiz steps as you answer (g stops it)", timeout=3)
            return
        self.playing = not self.playing

    def watch_playing(self, playing: bool) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if playing:
            if self.trace is not None and self.step >= len(self.trace) - 1:
                self.step = 0
            self._timer = self.set_interval(PLAY_INTERVAL, self._tick)

    def _tick(self) -> None:
        if self.trace is None or self.step >= len(self.trace) - 1:
            self.playing = False
            return
        self.step += 1

    def action_next_op(self, offset: int = 1) -> None:
        """Switch to the next (or previous) operator."""
        self.scene = self.scene.next_op(offset)

    def action_set_op(self, op: str) -> None:
        """Switch to operator ``op``."""
        self.scene = self.scene.with_op(op)

    def action_next_method(self) -> None:
        """Step through the transposed convolution by its next face (scatter, matrix, direct;
        from the compare layout, scatter), on the step that means the same; or say why not."""
        scene = self.scene
        faces = tuple(m for m in METHODS.get(scene.op, ()) if m != "all")
        if len(faces) < 2:
            if faces:
                why = f"{scene.op} steps one way only, by {faces[0]}"
            else:
                why = f"{scene.op} has one way of stepping"
            self.notify(f"m: {why}; the transposed convolution (o) has three faces", timeout=4)
            return
        if scene.method in faces:
            method = faces[(faces.index(scene.method) + 1) % len(faces)]
        else:
            method = faces[0]
        self._switch_method(method)

    def _same_step(self, scene: Scene, method: str) -> int:
        """The step of ``method`` that shows what step ``scene.step`` shows: the same output
        cell for matrix, direct and compare (one step per output cell); for the scatter (one
        step per input value), the last input value that cell needs, and back."""
        per_output = ("matrix", "direct", "all")
        if (scene.method in per_output) == (method in per_output) or self.error:
            return scene.step
        try:
            faces = build_trace(scene.replace(method="all"))
        except ValueError:
            return scene.step
        finished = np.maximum.accumulate(faces.last_contributor.ravel())
        if method == "scatter":  # output cell k → the input value that finishes it
            return int(finished[min(scene.step, len(finished) - 1)])
        # input value i → the last output cell it finishes (with every one before it)
        return max(int(np.searchsorted(finished, scene.step, side="right")) - 1, 0)

    def action_set_method(self, op: str, method: str) -> None:
        """Switch to operator ``op`` stepped through by ``method``."""
        self.scene = self.scene.with_op(op).replace(method=method)

    def action_fill(self, which: str, how: str) -> None:
        """Refill grid ``which`` ("input"/"kernel"): "random", "zeros" or a preset's name."""
        if which == "kernel" and not self.scene.has_kernel:
            self.notify(f"{self.scene.op} has no kernel", severity="warning")
            return
        if how == "random":
            self.scene = self.scene.randomised(which)
        elif how == "zeros":
            self.scene = self.scene.zeroed(which)
        elif how in PRESETS:
            self.scene = self.scene.with_preset(which, how)

    def action_resize(self, which: str, rows: int, cols: int) -> None:
        """Add (or, with negative numbers, remove) rows and columns of grid ``which``, 1 to 64
        each; the pane says what the new cells hold, or why nothing changed."""
        h, w = self.scene.grid(which).shape[-2:]
        new = (min(max(h + rows, 1), MAX_SIDE), min(max(w + cols, 1), MAX_SIDE))
        if new == (h, w):
            self._tell(which, f"a grid has 1 to {MAX_SIDE} rows and columns", refused=True)
            return
        self.scene = self.scene.resized(which, *new)
        if new[0] > h or new[1] > w:
            self._tell(which, f"{new[0]}×{new[1]}: new {which} cells are {NEW_CELL[which]}")
        else:
            self._tell(which, f"{new[0]}×{new[1]}")

    def _tell(self, which: str, text: str, refused: bool = False) -> None:
        """Say ``text`` on grid ``which``'s pane (if it is still there: keys can come in
        while the app closes)."""
        for editor in self.screen.query(f"#{which}-editor").results(GridEditor):
            editor.say(text, refused)

    # The guided tour ---------------------------------------------------------------------------
    def action_toggle_tour(self) -> None:
        """Start the guided tour at its first stop, or leave it (the scene before it comes back)."""
        if self.tour_stop is None:
            self.action_tour_go(1)
        else:
            self.action_leave_tour()

    def action_tour_go(self, number: int) -> None:
        """Show tour stop ``number`` (1 … len(STOPS)) from its starting scene and step."""
        stop = _tour().stop(number)
        if self.tour_stop is None:
            self._before_tour = self._on_screen()
        self.playing = False
        self.tour_stop = number
        self.scene = stop.scene
        if self.trace is not None:
            self.step = min(max(stop.scene.step, 0), len(self.trace) - 1)
        self._choose_view(stop.view)  # after the scene: leaving "compare" restores its method

    def action_tour_move(self, delta: int) -> None:
        """Go ``delta`` stops on (or back); the stop starts afresh, the learner's edits of the
        stop left behind are not kept."""
        if self.tour_stop is None:
            self.notify(
                _("] / [ move between the guided tour's stops: t starts the tour"), timeout=4
            )
            return
        number = min(max(self.tour_stop + delta, 1), len(_tour().STOPS))
        if number == self.tour_stop:
            self.notify(
                _("the last stop: t or escape leaves the tour")
                if delta > 0
                else _("the first stop: ] goes on"),
                timeout=3,
            )
            return
        self.action_tour_go(number)

    def action_tour_page(self, delta: int) -> None:
        """pagedown / pageup in the tour: the next / previous stop (else the pane's own keys)."""
        self.action_tour_move(delta)

    def action_tour_variant(self) -> None:
        """Switch the stop to its next variant (the grids the learner edited stay)."""
        if self.tour_stop is None:
            self.notify(_("v: a guided tour stop's variant (t starts the tour)"), timeout=4)
            return
        stop = _tour().stop(self.tour_stop)
        if not stop.variants:
            self.notify(
                _("v: tour stop {number} has no variants").format(number=self.tour_stop), timeout=4
            )
            return
        try:
            self.scene = stop.next_variant(self.scene)
        except ValueError as exc:  # e.g. groups = 2 with three planes: the scene stays
            self.notify(f"v: {exc}", severity="warning", timeout=5)
            return
        self.step = 0

    def action_leave_tour(self) -> None:
        """Leave the tour: the scene, step and view from before it come back as they were."""
        self.tour_stop = None
        kept, self._before_tour = self._before_tour, None
        if kept is not None:
            self._show(kept)

    def _on_screen(self) -> OnScreen:
        return OnScreen(
            self.current_scene, self.view, self.matrix_face, self._method_before_compare
        )

    def _show(self, kept: OnScreen) -> None:
        """Put ``kept`` back on screen exactly: grids, operator, parameters, step and view."""
        self.playing = False
        self.scene = kept.scene
        self._method_before_compare = kept.method_before_compare  # after: the scene's own
        self.view = kept.view
        self.matrix_face = kept.matrix_face
        if self.trace is not None:
            self.step = min(max(kept.scene.step, 0), len(self.trace) - 1)

    @property
    def learners_scene(self) -> Scene:
        """The learner's own scene: the one on screen, or during the tour the one before it."""
        if self.tour_stop is not None and self._before_tour is not None:
            return self._before_tour.scene
        return self.current_scene

    def action_toggle_view(self, view: str) -> None:
        """Show ``view``, or the steps again if it is on screen."""
        self._choose_view("steps" if self.view == view else view)

    def action_set_view(self, view: str) -> None:
        """Show ``view`` ("steps", "compare", "overlap" or "conventions")."""
        self._choose_view(view)

    def action_toggle_matrix_face(self) -> None:
        """In the compare layout, multiply by W1 (the convolution) instead of W2, or back."""
        if self.view != "compare":
            self.notify("w: in the compare layout (c), the matrix face's W1 / W2", timeout=3)
            return
        self.matrix_face = "W1" if self.matrix_face == "W2" else "W2"

    def action_help(self) -> None:
        """Show every key."""
        from tui_upsample.screens.help import HelpScreen

        self.push_screen(
            HelpScreen(
                [
                    ("everywhere", self.BINDINGS),
                    ("grid editor", GridEditor.BINDINGS),
                    ("a pane that scrolls", SCROLL_BINDINGS),
                    ("help screen", HelpScreen.BINDINGS),
                ],
                self.keymap,
            )
        )

    # Messages from the panes -------------------------------------------------------------------
    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        widget = event.widget
        if not isinstance(widget, (Select, SelectOverlay)):
            self._last_pane = widget  # where the focus goes back to from a drop-down

    @on(Choice.Done)
    def _choice_done(self, event: Choice.Done) -> None:
        # After the list closes the Select takes the focus back itself: move it on after that.
        self.call_after_refresh(self._leave_choice, event.choice)

    def _leave_choice(self, choice: Choice) -> None:
        if self.focused is not choice:
            return  # the learner has gone elsewhere already
        pane = getattr(self, "_last_pane", None)
        if pane is not None and pane.is_attached and pane.focusable and pane is not choice:
            pane.focus()
        else:
            self.query_one("#input-editor GridView").focus()

    @on(GridEditor.CellEdited)
    def _cell_edited(self, event: GridEditor.CellEdited) -> None:
        grid = self.scene.grid(event.which)
        if len(event.cell) != grid.ndim or not all(
            0 <= i < n for i, n in zip(event.cell, grid.shape, strict=True)
        ):
            # Typed into a grid the scene has replaced since (an operator switched to one whose
            # grid has other planes): nothing to write; the editor shows the grid there is now.
            editor = self.query_one(f"#{event.which}-editor", GridEditor)
            editor.scene = self.scene
            editor.say("the grid changed while the value was typed: not written", refused=True)
            return
        scene = self.scene.with_cell(event.which, event.cell, event.value)
        try:
            self._prepared = (scene, build_trace(scene))
        except ValueOverflow as exc:  # refused like any invalid edit: the old value stays
            editor = self.query_one(f"#{event.which}-editor", GridEditor)
            editor.refuse(self.scene, event.cell, event.value, str(exc))
            return
        except ValueError:
            pass  # the parameters are invalid with any value: _rebuild says so
        self.scene = scene

    @on(GridEditor.Filled)
    def _filled(self, event: GridEditor.Filled) -> None:
        self.action_fill(event.which, event.how)

    @on(GridEditor.Resized)
    def _resized(self, event: GridEditor.Resized) -> None:
        self.action_resize(event.which, event.rows, event.cols)

    def on_solver_view_chosen(self, event: Any) -> None:
        """A row of the solver: its kernel size, stride, padding, output_padding and dilation
        become the scene's (a new kernel size resizes the kernel, new cells 1)."""
        scene = self.scene
        for name, value in event.setting.as_dict().items():
            if name in scene.takes:
                scene = scene.with_param(name, value)
        self.scene = scene
        shape = "×".join(str(n) for n in self.output_shape[-2:])
        self.notify(f"applied: the output is now {shape} (s: back to the steps)", timeout=4)

    @on(Settings.Changed)
    def _setting_changed(self, event: Settings.Changed) -> None:
        if event.name == "op":
            self.scene = self.scene.with_op(event.value)
            return
        if event.name in CHANNEL_LABELS:
            self._set_channels(event.name, int(event.value))
            return
        try:
            self.scene = self.scene.with_param(event.name, event.value)
        except ValueError as exc:
            self._refused(str(exc))

    # Channels ----------------------------------------------------------------------------------
    def _set_channels(self, name: str, value: int) -> bool:
        """Set channel count ``name`` (a settings row's) to ``value``: the planes and kernel
        slices that stay keep their numbers, new ones are seeded. A count the screen or the
        operator does not take is refused with its rule, and the last valid picture stays."""
        scene = self.scene
        c_in, c_out, groups = scene.in_channels, scene.out_channels, scene.groups
        label = CHANNEL_LABELS[name]
        if name == "groups":
            groups = value
            if not 1 <= value <= max(c_in, c_out):
                self._refused(f"{label}={value}: 1 to C, and it divides both channel counts")
                return False
        elif value < 1 or value > max(SCREEN_CHANNELS, channel_value(scene, name)):
            self._refused(
                f"{label}={value}: 1 to {SCREEN_CHANNELS} planes on screen"
                f" (up to {MAX_CHANNELS} from the command line: --in-channels, --out-channels)"
            )
            return False
        elif name == "out_channels":
            c_out = value
        else:
            c_in = value
        try:
            if scene.op == "pixel_shuffle":
                changed = scene.with_channels(1, c_out)
            elif scene.has_kernel:
                changed = scene.with_channels(c_in, c_out, groups)
            else:
                changed = scene.with_channels(c_in)
        except ValueError as exc:
            self._refused(str(exc))
            return False
        if changed == scene:
            self._rebuild(scene)  # a refused count typed back: the message goes
        self.scene = changed
        return True

    def action_add_plane(self, delta: int) -> None:
        """Add an input plane (``delta`` 1) or remove the last one (-1); the convolutions grow
        their output channels with it, so that their groups keep dividing both."""
        scene = self.scene
        if scene.op == "pixel_shuffle":
            name, now = "out_channels", scene.out_channels
            what = "output channel (r² input channels)"
        else:
            name, now = ("in_channels" if scene.has_kernel else "channels"), scene.in_channels
            what = "input plane"
        new = now + delta
        if new < 1 or (delta > 0 and new > SCREEN_CHANNELS):
            edge = "at least 1" if new < 1 else f"at most {SCREEN_CHANNELS} on screen"
            self._tell("input", f"{'a' if delta > 0 else 'A'}: {edge} {what}s", refused=True)
            return
        if scene.has_kernel and scene.groups == 1 and scene.out_channels == now:
            # In step: one plane in, one out grows to two in, two out.
            try:
                changed = scene.with_channels(new, new, 1)
            except ValueError as exc:
                self._tell("input", str(exc), refused=True)
                return
            self.scene = changed
        elif scene.has_kernel and new % scene.groups:
            self._tell(
                "input",
                f"{new} {what}s: groups = {scene.groups} must divide it (set groups first)",
                refused=True,
            )
            return
        elif not self._set_channels(name, new):
            return
        self._tell("input", f"{new} {what}{'s' if new > 1 else ''}")

    def action_channel_preset(self, name: str) -> None:
        """Load channel preset ``name``; u brings back the scene from before it."""
        preset = CHANNEL_PRESETS.get(name)
        if preset is None:
            self.notify(f"no channel preset named {shown(name)}", severity="warning")
            return
        if self.tour_stop is not None:
            self.action_leave_tour()
        if self._before_preset is None:
            self._before_preset = self._on_screen()
        self.playing = False
        self.view = "steps"
        self.scene = preset.make(self.scene.seed)
        self.notify(f"{preset.point} (u: back to your scene)", title=preset.name, timeout=6)

    def action_preset_back(self) -> None:
        """Put back the scene from before the first channel preset loaded since."""
        kept, self._before_preset = self._before_preset, None
        if kept is None:
            self.notify("u: no channel preset to go back from", timeout=3)
            return
        self._show(kept)
        self.notify("your scene from before the channel preset", timeout=3)
