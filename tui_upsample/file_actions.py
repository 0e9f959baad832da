"""The app's file actions: export a script (x), save the session (ctrl+s), open one (palette).

A mixin for :class:`~tui_upsample.app.UpsampleApp`, kept apart so the app stays about the scene.
The export and session modules are imported when a file is first written or read, not at start.
Every write is atomic (:func:`tui_upsample.session.write_atomic`); every outcome, good or bad, is
said in a notification; a file that cannot be read or written changes nothing.

Served in a browser page (``upsample-tui --serve``), the same files go to the visitor as
downloads instead (:meth:`FileActions.send_download`): the current directory is the server's,
not the learner's.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui_upsample.scene import Scene

if TYPE_CHECKING:
    from textual.app import App

    _Base = App[Any]
else:
    _Base = object

FORMAT_WORDS = {
    "pytorch": "PyTorch script",
    "keras": "Keras script",
    "numpy": "NumPy script",
    "session": "session",
}


class FileActions(_Base):
    """Export, save and open, for an app that has ``scene``, ``step`` and ``current_scene``."""

    session_path: Path | None = None
    """The session file ctrl+s writes: the one opened (--load or the palette) or last saved;
    ``upsample-session.json`` in the current directory until there is one."""

    @property
    def served(self) -> bool:
        """Whether the app runs in a browser page (``upsample-tui --serve``): then what it
        writes is delivered to the browser as a download, not written to the current directory."""
        return bool(getattr(self, "is_web", False))

    def send_download(self, name: str, content: str | bytes, title: str) -> None:
        """Deliver ``content`` to the browser as a download called ``name``, and say so.

        For a served app only (see :attr:`served`); the file is never written on the server.
        """
        if isinstance(content, str):
            self.deliver_text(io.StringIO(content), save_filename=name, encoding="utf-8")
        else:
            self.deliver_binary(io.BytesIO(content), save_filename=name)
        self.notify(f"{name}: sent to your browser as a download", title=title, timeout=8)

    def on_delivery_failed(self, event: Any) -> None:
        """A download the browser did not get (the page closed, the connection dropped)."""
        self.notify(
            f"the download did not reach the browser: {event.exception}",
            title="Download failed",
            severity="error",
            timeout=8,
        )

    def action_export(self) -> None:
        """Open the export dialog: PyTorch, Keras, NumPy script or session."""
        from tui_upsample.screens.export import ExportScreen

        self.push_screen(ExportScreen(self._scene_now()), self._export_chosen)

    def _export_chosen(self, fmt: str | None) -> None:
        if fmt:
            self.action_export_to(fmt)

    def _scene_now(self) -> Scene:
        return self.current_scene  # type: ignore[attr-defined,no-any-return]

    def action_export_to(self, fmt: str) -> None:
        """Write the scene as ``fmt`` to a file in the current directory, and say where."""
        from tui_upsample.export import ExportError, export, file_name
        from tui_upsample.file_reading import describe_os_error
        from tui_upsample.file_writing import write_atomic

        scene = self._scene_now()
        words = FORMAT_WORDS.get(fmt, fmt)
        try:
            text = export(scene, fmt)
        except ExportError as exc:
            self.notify(str(exc), title=f"No {words}", severity="warning", timeout=8)
            return
        except ValueError as exc:  # the engine refuses the scene: nothing to export
            self.notify(
                f"the scene is invalid: {exc}", title=f"No {words}", severity="error", timeout=8
            )
            return
        path = Path(file_name(scene, fmt))
        if self.served:
            self.send_download(path.name, text, title=f"Exported {words}")
            return
        try:
            write_atomic(path, text)
        except OSError as exc:
            self.notify(
                f"could not write {path}: {describe_os_error(exc)}",
                title="Export failed",
                severity="error",
                timeout=8,
            )
            return
        if fmt == "session":
            how = f"open it again with upsample-tui --load {path}"
        else:
            how = f"run it: python {path}"
        self.notify(f"Wrote {path.resolve()}\n{how}", title=f"Exported {words}", timeout=8)

    def action_save_session(self) -> None:
        """Save the whole scene (grids, parameters, step, a quiz under way) to the session
        file."""
        from tui_upsample.session import SessionError, dumps, save_session

        path, note = self._save_target()
        if self.served:  # the session file is the visitor's to keep: a download
            self.send_download(
                path.name,
                dumps(self._scene_now(), getattr(self, "quiz", None)),
                title="Session saved",
            )
            return
        try:
            save_session(self._scene_now(), path, getattr(self, "quiz", None))
        except SessionError as exc:
            self.notify(
                f"could not save: {exc}\n(any earlier file is unchanged)",
                title="Session not saved",
                severity="error",
                timeout=8,
            )
            return
        if not note:
            self.session_path = path
        self.notify(
            f"Saved to {path.resolve()}\n{note + chr(10) if note else ''}"
            f"open it again: upsample-tui --load {path}",
            title="Session saved",
            timeout=8 if note else 6,
        )

    def _save_target(self) -> tuple[Path, str]:
        """Where ctrl+s saves, and what to add to the notification ("" for the learner's own
        session file)."""
        from tui_upsample.session import DEFAULT_PATH

        return self.session_path or Path(DEFAULT_PATH), ""

    def action_open_session(self) -> None:
        """Ask for a session file's path, then open it."""
        if self.served:  # the paths would be the server's: a visitor reads none of its files
            self.notify(
                "served in a browser, a session opens from the server's command line"
                " (upsample-tui --serve --load FILE)",
                title="Session not opened",
                severity="warning",
                timeout=8,
            )
            return
        from tui_upsample.screens.export import OpenSessionScreen
        from tui_upsample.session import DEFAULT_PATH

        self.push_screen(
            OpenSessionScreen(str(self.session_path or DEFAULT_PATH)), self._open_chosen
        )

    def _open_chosen(self, path: str | None) -> None:
        if path:
            self.open_session(path)

    def open_session(self, path: str | Path) -> bool:
        """Show the session saved in ``path``; on any problem say so and change nothing."""
        from tui_upsample.session import SessionError, read_session

        try:
            scene, quiz = read_session(path)
        except SessionError as exc:
            self.notify(
                f"{exc}\n(the scene on screen is unchanged)",
                title="Session not opened",
                severity="error",
                timeout=10,
            )
            return False
        app: Any = self
        if getattr(app, "tour_stop", None) is not None and hasattr(app, "action_leave_tour"):
            app.action_leave_tour()
        app.playing = False
        app.scene = scene
        if app.trace is not None:
            app.step = min(max(scene.step, 0), len(app.trace) - 1)
        if hasattr(app, "start_quiz"):  # the quiz the session kept, or none
            if quiz is not None:
                app.start_quiz(quiz)
            elif app.quiz is not None:
                app.quiz = None
        self.session_path = Path(path)
        self.notify(f"Opened {Path(path).resolve()}", title="Session opened", timeout=5)
        return True
