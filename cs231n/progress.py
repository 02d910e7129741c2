"""Progress bars that still read right after the notebook is saved.

In a running notebook a tqdm bar is a live widget. A saved notebook keeps only
what the widget showed when it was *first displayed* (``0%| | 0/980``), so every
stored bar looked frozen at zero in JupyterLab, nbviewer and GitHub. The bar
here is tqdm's own notebook bar while it runs; when it closes, it replaces its
widget (through the display it was shown in) with a plain copy of its final
state: ``training: 100%|##########| 980/980 [01:22<00:00, 11.9it/s]``. A bar
that stopped early (an error, an interrupt) is stored showing where it stopped.
Outside a notebook it is plain tqdm.

Use it as tqdm: ``from cs231n.progress import tqdm``.
"""
from __future__ import annotations

import html

from tqdm.std import tqdm as _text_tqdm

__all__ = ["tqdm"]


def _in_notebook() -> bool:
    """True inside a Jupyter kernel with ipywidgets available (where tqdm.auto draws a widget)."""
    try:
        from IPython import get_ipython
        shell = get_ipython()
        if shell is None or "IPKernelApp" not in shell.config:
            return False
        import ipywidgets  # noqa: F401
    except Exception:
        return False
    return True


def _final_state(bar) -> dict:
    """A mime bundle of the bar's state, without a widget: text for any viewer, HTML for JupyterLab."""
    d = bar.format_dict
    text = bar.format_meter(**{**d, "ncols": 80})
    total, n = d.get("total"), d.get("n", 0)
    done = bool(total) and n >= total
    colour = "#4caf50" if done else "#e57373"
    gauge = (f'<progress value="{n}" max="{total}" style="width:18em;accent-color:{colour}"></progress>'
             if total else "")
    meter = bar.format_meter(**{**d, "ncols": 0})  # ncols=0: the text without the bar itself
    return {
        "text/plain": text,
        "text/html": f'<div style="font-family:monospace">{gauge} {html.escape(meter)}</div>',
    }


if _in_notebook():
    from IPython.display import display as _display
    from tqdm.notebook import tqdm as _notebook_tqdm

    class tqdm(_notebook_tqdm):  # noqa: N801 - named as the tqdm it stands in for
        """tqdm's notebook bar that leaves its final state, not its first, in the saved notebook."""

        def __init__(self, *args, **kwargs):
            show = kwargs.pop("display", True)
            super().__init__(*args, display=False, **kwargs)
            self._handle = None
            if show and not self.disable:
                self._handle = _display(self.container, display_id=True)

        def close(self):
            handle, self._handle = getattr(self, "_handle", None), None
            final = _final_state(self) if handle is not None else None
            super().close()
            if handle is not None:
                handle.update(final if self.leave else {"text/plain": ""}, raw=True)
else:
    tqdm = _text_tqdm
