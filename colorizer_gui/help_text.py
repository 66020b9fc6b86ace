"""What the app tells users about using it: Help > How to use, the words for the hint
reach that the colour panel, the Edit menu and the help share, and what the status bar says
a File > Open brought back."""
from __future__ import annotations

from html import escape

from net.hint_reach import PHOTO, REGION

REACH_NAMES = {PHOTO: "Whole photo", REGION: "Own region"}       # the panel's buttons
REACH_TIPS = {    # what each reach does, one sentence or two (lower-cased after "With …,")
    PHOTO: "A hint's colour may reach the whole photo: the best colours on average over many "
           "hints, but a lone hint can tint far regions",
    REGION: "A hint colours its own region; the rest keeps its automatic colour. Drag a stroke "
            "across a patterned region to colour all of it",
}
REACH_KEY = "R"   # switches between the two

HELP_LINES = (  # Help > How to use, one paragraph per topic; {name}: a menu action's key
    "<b>{open}</b> opens a photo (or drop it on the window). <b>Click</b> on the photo to place "
    "a colour hint; <b>drag</b> to paint a stroke.",
    "Click a hint to select it, drag to move it, <b>{delete}</b> to remove it, <b>{deselect}</b> "
    "to deselect. The colour and radius controls change the selected hint, else the next one.",
    "<b>{undo}</b> undoes, <b>{redo}</b> redoes. <b>{erase}</b> is the eraser, <b>{paint}</b> "
    "paints again. <b>{smaller}</b> and <b>{larger}</b> or <b>Ctrl+wheel</b> change the radius. "
    "<b>{colour}</b> opens a colour dialog; <b>Alt+click</b> samples a colour.",
    "{reach}",
    "<b>Wheel</b> zooms toward the cursor; <b>middle button</b> or <b>Space+drag</b> pans; "
    "<b>{fit}</b> fits, <b>{actual}</b> is 100 % around the cursor.",
    "<b>{before}</b> shows the original, <b>{side}</b> toggles side by side, <b>{hints}</b> hides "
    "the hints.",
    "<b>{export}</b> exports the full-resolution result; <b>{save}</b> saves the session (the "
    "hints), <b>{open_session}</b> opens one. The menus list every shortcut.",
)


def reach_help(reach: str) -> str:
    """The help's paragraph on the hint reach: the one in use first, then the other."""
    other = PHOTO if reach == REGION else REGION
    tip = REACH_TIPS[other]
    return (f"Hints colour: <b>{REACH_NAMES[reach]}</b> (now on; <b>{REACH_KEY}</b> or the "
            f"panel's buttons switch). {REACH_TIPS[reach]}. With \"{REACH_NAMES[other]}\", "
            f"{tip[0].lower()}{tip[1:]}.")


def help_html(reach: str, keys: dict[str, str]) -> str:
    """Help > How to use, for the hint reach in use; ``keys``: the shortcuts of the menus'
    named actions (``Menus.help_keys``)."""
    keys = {name: escape(k) for name, k in keys.items()}
    return "".join(f"<p>{line.format(reach=reach_help(reach), **keys)}</p>" for line in HELP_LINES)


def opened_message(photo: str, size: tuple[int, int], hints: int, session: str | None,
                   unsaved: bool, colour: bool = False, changed: bool = False, depth: int = 8,
                   flattened: bool = False, incomplete: bool = False) -> str:
    """The status bar after opening ``photo`` (``colour``: a colour photo, shown in gray):
    its size, its bits per channel above 8 (``depth``), transparency put on white
    (``flattened``), a file that ends early (``incomplete``), and whether hints came back from a ``session`` file (``changed``: the
    photo changed since it was saved) or from unsaved work (a crash's autosave)."""
    size_text = f"{size[1]}x{size[0]}" + (f", {depth} bits per channel (PNG and TIFF exports "
                                          "keep 16)" if depth > 8 else "")
    text = _opened(photo, size_text, hints, session, unsaved, colour, changed)
    if flattened:
        text += ". Its transparent parts are shown, and exported, on white"
    if incomplete:
        text = (f"{photo} is damaged or incomplete (its file ends early): what it lacks shows as "
                f"flat gray or black, or blurred. " + text)
    return text


def _opened(photo, size_text, hints, session, unsaved, colour, changed) -> str:
    count = f"{hints} hint{'s' if hints != 1 else ''}"
    if hints and unsaved:
        text = f"Restored unsaved work on {photo}: {count}, not saved yet ({size_text})"
    elif session:
        text = f"Opened session {session}: {photo}, {size_text}, {count}"
    else:
        text = f"Opened {photo}: {size_text}"
    if changed:
        return text + f". Note: {photo} is not the file the session was saved with"
    return text + (" (colour photo shown in gray; Alt+click samples its colours)" if colour else "")


# What to do with a session's hints on the photo that was found for it (EditorController).
KEEP, ALONE = "keep", "alone"


def hints_misfit_text(session: str, photo: str, problem: str, kept=None) -> str:
    """The question when a session's hints lie outside the photo found for it; ``problem``
    names the first such hint (net.session_file.check_hints_fit); ``kept``: where restored
    work was set aside."""
    stays = f"The restored work is kept in {kept} (File > Open session opens it)." if kept \
        else f"{session} stays as it is."
    return (f"The hints of {session} were placed on a photo of another size: {problem}. "
            f"{photo} is probably another photo, or it was cropped or resized since.\n\n"
            f"Open {photo} alone, without those hints? {stays}")


def other_photo_text(session: str, photo: str, hints: int) -> str:
    """The question when the photo found for a session is not the file it was saved with."""
    count = f"{hints} hint{'s' if hints != 1 else ''}"
    return (f"{photo} is not the file {session} was saved with: it was edited or saved "
            f"again since, or it is another photo of the same size.\n\n"
            f"Open it with the session's {count} all the same?")


def window_title(photo, session, app: str) -> str:
    """The main window's title: the photo and, when the work is tied to one, the session file
    Save writes to ("[*]": where Qt shows "*" for unsaved work)."""
    tied = f" ({session.name})" if session is not None else ""
    return f"{photo.name}{tied}[*] — {app}"
