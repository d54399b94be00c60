"""Sliders that work both live in Jupyter and in the static HTML book.

``slider(draw, a=values)`` evaluates ``draw(a=v)`` for every value ``v`` and
returns an object that Jupyter displays in one of two ways:

- with a kernel (JupyterLab, Binder, Colab): a real ipywidgets slider that
  shows the frame of the chosen values as it moves;
- in the static book (no kernel): HTML holding every frame as a PNG and a
  range input that shows one of them, so the slider still moves.

Example::

    def draw(alpha):
        fig, ax = plt.subplots()
        ax.plot(x, functions.leaky_relu(x, alpha))
        return fig

    slider(draw, alpha=[0.0, 0.05, 0.1, 0.2])
"""

import base64
import html
import io
import itertools
import json
import time

MAX_FRAMES = 200
"""Upper bound on pre-rendered frames (the product of all slider lengths)."""

frame_seconds = []
"""(draw's name, seconds) for every frame rendered in this process: the time ``draw`` takes
to compute and draw one frame (tools/benchmark.py reports its median)."""

_ON_INPUT = (
    "const box=this.closest('.dlcore-slider');"
    "const ranges=[...box.querySelectorAll('input[type=range]')];"
    "let k=0;for(const r of ranges){k=k*(Number(r.max)+1)+Number(r.value);}"
    "box.querySelectorAll('img.dlcore-frame').forEach((im,i)=>{im.hidden=(i!==k);});"
    "this.nextElementSibling.textContent=JSON.parse(this.dataset.labels)[this.value];"
)


def slider(draw, *, fmt="{:g}", **values):
    """Explore ``draw`` with one slider per keyword argument.

    Parameters
    ----------
    draw : callable
        ``draw(**params)`` returns a ``matplotlib.figure.Figure``; it is
        called with one value of every slider.
    fmt : str
        Format of the value shown beside each slider, e.g. ``"{:.2f}"``.
    **values : sequence
        Slider name → the values it steps through (at least one).  The first
        value of each is shown first.

    Returns
    -------
    Slider
        Displays as a widget with a kernel and as pre-rendered frames without.
    """
    if not callable(draw):
        raise TypeError(f"slider: draw must be callable, got {type(draw).__name__}")
    if not values:
        raise ValueError("slider: give at least one parameter, e.g. slider(draw, a=[1, 2, 3])")
    options = {}
    for name, seq in values.items():
        if isinstance(seq, (str, bytes)) or not hasattr(seq, "__len__") or len(seq) == 0:
            raise ValueError(f"slider: {name} must be a non-empty sequence of values, got {seq!r}")
        options[name] = list(seq)
    n_frames = 1
    for seq in options.values():
        n_frames *= len(seq)
    if n_frames > MAX_FRAMES:
        raise ValueError(f"slider: {n_frames} frames to pre-render, more than {MAX_FRAMES}; use fewer values")
    return Slider(draw, options, fmt)


class Slider:
    """A set of sliders over ``draw``; see :func:`slider`."""

    def __init__(self, draw, options, fmt):
        self.draw = draw
        self.options = options
        self.fmt = fmt
        self.frames = [
            _palette_png(self.render(dict(zip(options, combo))))
            for combo in itertools.product(*options.values())
        ]

    def render(self, params):
        """Call ``draw(**params)`` and return the figure as PNG bytes."""
        import matplotlib.pyplot as plt
        from matplotlib.figure import Figure

        start = time.perf_counter()
        fig = self.draw(**params)
        if not isinstance(fig, Figure):
            raise TypeError(
                f"slider: draw({params}) must return a matplotlib Figure, got {type(fig).__name__}"
            )
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight")
        plt.close(fig)
        frame_seconds.append((getattr(self.draw, "__name__", "draw"), time.perf_counter() - start))
        return buffer.getvalue()

    def label(self, value):
        """Text shown beside the slider: strings as they are, numbers through ``fmt``."""
        return value if isinstance(value, str) else self.fmt.format(value)

    def to_html(self):
        """Static view: every frame as an <img>, one range input per parameter."""
        rows = []
        for name, seq in self.options.items():
            labels = html.escape(json.dumps([self.label(v) for v in seq], ensure_ascii=False))
            rows.append(
                '<div class="dlcore-slider-row" style="display:flex;align-items:center;gap:.6em">'
                f'<label style="min-width:4em">{html.escape(name)}</label>'
                f'<input type="range" min="0" max="{len(seq) - 1}" step="1" value="0" '
                f'aria-label="{html.escape(name)}" data-labels="{labels}" oninput="{html.escape(_ON_INPUT)}">'
                f'<output>{html.escape(self.label(seq[0]))}</output></div>'
            )
        images = "".join(
            f'<img class="dlcore-frame" alt="" {"" if i == 0 else "hidden "}'
            f'src="data:image/png;base64,{base64.b64encode(png).decode()}">'
            for i, png in enumerate(self.frames)
        )
        return f'<div class="dlcore-slider">{"".join(rows)}<div>{images}</div></div>'

    def widget(self):
        """Live view: ipywidgets sliders that show the frame of the chosen values.

        Every frame was drawn when the slider was made, so moving a slider only
        sends a PNG that already exists (``draw`` is not run again); the live view
        and the static view show the same images.
        """
        import ipywidgets as widgets

        controls = [
            widgets.SelectionSlider(options=[(self.label(v), v) for v in seq], value=seq[0], description=name)
            for name, seq in self.options.items()
        ]
        output = widgets.Output()
        output.outputs = (_png_output(self.frames[0]),)

        def show(_change):
            frame = 0
            for control in controls:          # the frames are in itertools.product order, as in to_html
                frame = frame * len(control.options) + control.index
            output.outputs = (_png_output(self.frames[frame]),)

        for control in controls:
            control.observe(show, names="index")
        return widgets.VBox([*controls, output])

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget()._repr_mimebundle_(**kwargs)
        bundle["text/html"] = self.to_html()
        return bundle


def _palette_png(png):
    """Re-encode a figure PNG with a 256-colour palette: about 3× smaller, visually the same.

    Every frame of every slider is inlined in the book page, so this keeps a
    chapter page well under a megabyte.
    """
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _png_output(png):
    return {
        "output_type": "display_data",
        "data": {"image/png": base64.b64encode(png).decode()},
        "metadata": {},
    }
