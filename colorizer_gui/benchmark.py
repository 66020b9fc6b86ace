"""Responsiveness benchmark of the desktop app: ``python3 -m colorizer_gui.benchmark``.

Runs the real main window (shown; offscreen unless a display is set) on the bundled sample
with the bundled model, inside the normal Qt event loop, and prints what it measured:

1. **Rapid edits.** ``--edits`` hint edits (two adds then an undo, random colours and places)
   arrive every ``--interval-ms`` like events from a fast mouse. A 1 ms heartbeat timer on the
   UI thread records every gap between its firings: the longest gap is the longest time the
   UI thread was blocked. Also the time spent in each edit handler, the process's resident
   memory before and after, and whether the final picture equals the final hints' preview.
2. **Click to screen.** ``--clicks`` single hints, each after the previous result is on screen:
   the time from the click to the end of the first repaint of the result view showing it.
3. **Export.** A ``--export-mp`` megapixel gray photo (the sample, enlarged) is opened through
   the controller with three hints, and exported as PNG: the time from the export command to
   the file being written (``--export-mp 0`` skips it).

Nothing here is pass/fail; the tests assert behaviour, this prints numbers.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from net.assets import add_model_argument
from net.device import add_device_argument


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _pct(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))] if v else float("nan")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m colorizer_gui.benchmark", description=__doc__.split("\n")[0])
    p.add_argument("--edits", type=int, default=1000)
    p.add_argument("--interval-ms", type=float, default=10.0, help="time between edits (default 10)")
    p.add_argument("--clicks", type=int, default=30)
    add_model_argument(p, "--model")
    add_device_argument(p, default="cpu")
    p.add_argument("--image", help="photo (default: the bundled sample)")
    p.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's choice)")
    p.add_argument("--export-mp", type=float, default=12.0,
                   help="megapixels of the photo whose export is timed (0: no export)")
    args = p.parse_args(argv)
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    import numpy as np
    import torch
    from PySide6.QtCore import QElapsedTimer, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from net.assets import sample_photo

    from .inference import display_lightness
    from .main_window import MainWindow
    from .qt_binding import binding_problem

    if args.threads:
        torch.set_num_threads(args.threads)
    app = QApplication.instance() or QApplication([])
    problem = binding_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    w = MainWindow(model=args.model, device=args.device, ask_restore=False)
    w.resize(1400, 850)
    w.show()
    image = Path(args.image) if args.image else sample_photo()
    w.set_startup_path(image)

    clock = QElapsedTimer()
    clock.start()
    now = lambda: clock.nsecsElapsed() / 1e6  # noqa: E731 - milliseconds

    beats: list[float] = []
    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.timeout.connect(lambda: beats.append(now()))

    paints: list[float] = []
    view = w.result_view
    original_paint = view.paintEvent

    def timed_paint(e):
        original_paint(e)
        paints.append(now())
    view.paintEvent = timed_paint

    rng = np.random.default_rng(0)
    handler_ms: list[float] = []
    state = {"i": 0, "rss0": 0.0, "t_click": 0.0, "gen": -1}
    clicks_ms: list[float] = []
    out: dict = {}

    def size():
        h, wd = w.doc.size
        return wd, h

    def edit():
        i = state["i"]
        if i >= args.edits:
            edit_timer.stop()
            heartbeat.stop()
            QTimer.singleShot(0, wait_final)
            return
        t0 = now()
        if i % 3 == 2 and w.doc.hints:
            w.doc.history.undo()
        else:
            wd, h = size()
            w.tool.set_color(tuple(int(v) for v in rng.integers(0, 256, 3)))
            w.tool.add_hint(float(rng.uniform(0, wd)), float(rng.uniform(0, h)))
        handler_ms.append(now() - t0)
        state["i"] = i + 1

    edit_timer = QTimer()
    edit_timer.setTimerType(Qt.TimerType.PreciseTimer)
    edit_timer.timeout.connect(edit)

    def start():
        if w.session is None or w.colorizer is None:
            if now() > 180_000:
                print("the photo did not open within 3 minutes", file=sys.stderr)
                app.exit(1)
            QTimer.singleShot(100, start)
            return
        QTimer.singleShot(1000, begin_edits)   # let the first result land

    def begin_edits():
        state["rss0"] = _rss_mb()
        heartbeat.start(1)
        edit_timer.start(max(1, round(args.interval_ms)))

    def wait_final():
        if not w.controller.idle():
            QTimer.singleShot(20, wait_final)
            return
        gaps = np.diff(beats) if len(beats) > 1 else np.array([float("nan")])
        reach = w.doc.hint_reach
        expected = w.session.preview(w.doc.hints, reach)
        last = w.controller.last_result
        if last is not None and last.rgb.shape != expected.shape:  # the sharp follow-up
            expected = w.session.render_on(display_lightness(w.doc.photo.l_full), w.doc.hints,
                                           reach)
        final_ok = last is not None and bool(np.array_equal(last.rgb, expected))
        out.update(gaps=gaps, rss1=_rss_mb(), final_ok=final_ok, hints=len(w.doc.hints))
        w.doc.set_hints([])
        w.doc.history.clear()
        QTimer.singleShot(500, click)

    def click():
        if len(clicks_ms) >= args.clicks:
            export_start()
            return
        wd, h = size()
        w.tool.set_color(tuple(int(v) for v in rng.integers(0, 256, 3)))
        state["t_click"] = now()
        w.tool.add_hint(float(rng.uniform(0, wd)), float(rng.uniform(0, h)))
        state["gen"] = w.controller.worker.generation
        paints.clear()
        QTimer.singleShot(1, wait_click)

    def wait_click():
        last = w.controller.last_result
        if last is not None and last.generation >= state["gen"] and paints and paints[-1] > state["t_click"]:
            clicks_ms.append(paints[-1] - state["t_click"])
            QTimer.singleShot(300, click)
        else:
            QTimer.singleShot(1, wait_click)

    def export_start():
        if args.export_mp <= 0:
            report()
            return
        import tempfile

        import cv2
        from PIL import Image
        tmp = Path(tempfile.mkdtemp(prefix="colorizer-bench-"))
        wd = int((args.export_mp * 1e6 * 4 / 3) ** 0.5)
        big = cv2.resize(w.doc.photo.rgb, (wd, int(wd * 3 / 4)), interpolation=cv2.INTER_CUBIC)
        Image.fromarray(cv2.cvtColor(big, cv2.COLOR_RGB2GRAY)).save(tmp / "big.png")
        state.update(tmp=tmp, big=tmp / "big.png")
        w.doc.history.set_clean()
        w.controller.open_path(tmp / "big.png")
        QTimer.singleShot(50, export_when_open)

    def export_when_open():
        if w.doc.path != state["big"] or w.session is None or not w.controller.idle():
            QTimer.singleShot(20, export_when_open)
            return
        wd, h = size()
        for k, rgb in enumerate(((200, 40, 30), (30, 90, 200), (40, 160, 60))):
            w.tool.set_color(rgb)
            w.tool.add_hint(wd * (0.25 + 0.25 * k), h * 0.5)
        QTimer.singleShot(0, export_go)

    def export_go():
        if not w.controller.idle():
            QTimer.singleShot(20, export_go)
            return
        state["t_export"] = now()
        w.controller.export_to(state["tmp"] / "out.png", quality=95, confirm=False)
        QTimer.singleShot(1, export_wait)

    def export_wait():
        if not w.controller.idle():
            QTimer.singleShot(1, export_wait)
            return
        out["export_ms"] = now() - state["t_export"]
        out["export_size"] = f"{w.doc.size[1]}x{w.doc.size[0]}"
        out["export_ok"] = (state["tmp"] / "out.png").is_file()
        report()

    def report():
        gaps = out["gaps"]
        print(f"model {w.colorizer.name} ({w.colorizer.variant}), device {w.colorizer.device.type}, "
              f"torch threads {torch.get_num_threads()}, photo {image.name} {w.doc.size[1]}x{w.doc.size[0]}")
        print(f"rapid edits: {args.edits} every {args.interval_ms:g} ms, {out['hints']} hints at the end")
        print(f"  UI thread blocked (heartbeat gap): p50 {np.median(gaps):.1f} ms, "
              f"p99 {np.percentile(gaps, 99):.1f} ms, max {gaps.max():.1f} ms, "
              f"gaps > 50 ms: {int((gaps > 50).sum())}")
        print(f"  edit handler: p50 {_pct(handler_ms, .5):.2f} ms, p99 {_pct(handler_ms, .99):.2f} ms, "
              f"max {max(handler_ms):.2f} ms")
        print(f"  resident memory {state['rss0']:.0f} MB -> {out['rss1']:.0f} MB; "
              f"final picture equals the final hints' preview: {out['final_ok']}")
        print(f"click to screen ({len(clicks_ms)} single hints): p50 {_pct(clicks_ms, .5):.1f} ms, "
              f"p95 {_pct(clicks_ms, .95):.1f} ms, max {max(clicks_ms):.1f} ms")
        if "export_ms" in out:
            print(f"export {out['export_size']} PNG, command to file written: {out['export_ms']:.0f} ms"
                  f"{'' if out['export_ok'] else ' (NO FILE WRITTEN)'}")
        w.doc.history.set_clean()
        w.close()
        if "tmp" in state:
            import shutil
            shutil.rmtree(state["tmp"], ignore_errors=True)
        app.exit(0)

    QTimer.singleShot(0, start)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
