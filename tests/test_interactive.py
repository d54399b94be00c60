import base64
import re

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from dlcore.interactive import MAX_FRAMES, slider  # noqa: E402


def draw_line(a, b=0.0):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [b, a + b])
    ax.set_ylim(-3, 3)
    return fig


def test_static_html_has_one_frame_per_value_and_one_range_per_parameter():
    html = slider(draw_line, a=[0.0, 1.0, 2.0], b=[-1.0, 1.0]).to_html()
    frames = re.findall(r'<img class="dlcore-frame"[^>]*src="data:image/png;base64,([^"]+)"', html)
    assert len(frames) == 6
    assert len(set(frames)) == 6, "every parameter combination draws a different figure"
    assert base64.b64decode(frames[0]).startswith(b"\x89PNG")
    assert html.count('type="range"') == 2
    assert html.count(" hidden ") == 5, "only the first frame is visible at first"


def test_labels_use_the_format_and_strings_stay_as_they_are():
    html = slider(lambda name: draw_line(1.0), name=["シグモイド", "ReLU"]).to_html()
    assert "シグモイド" in html
    html = slider(draw_line, a=[0.123456], fmt="{:.2f}").to_html()
    assert "<output>0.12</output>" in html


def test_mime_bundle_offers_the_widget_and_the_static_html():
    bundle = slider(draw_line, a=[0.0, 1.0])._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/html"].startswith('<div class="dlcore-slider">')


def test_widget_changes_its_figure_when_the_slider_moves():
    view = slider(draw_line, a=[0.0, 2.0])
    box = view.widget()
    control, output = box.children
    first = output.outputs[0]["data"]["image/png"]
    control.value = 2.0
    assert output.outputs[0]["data"]["image/png"] != first


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="callable"):
        slider("not a function", a=[1])
    with pytest.raises(ValueError, match="at least one"):
        slider(draw_line)
    with pytest.raises(ValueError, match="a must be a non-empty sequence"):
        slider(draw_line, a=[])
    with pytest.raises(ValueError, match=str(MAX_FRAMES)):
        slider(draw_line, a=range(MAX_FRAMES), b=[0, 1])
    with pytest.raises(TypeError, match="must return a matplotlib Figure"):
        slider(lambda a: None, a=[1])


def test_frames_are_palette_pngs():
    import io

    from PIL import Image

    view = slider(draw_line, a=[0.0, 1.0])
    image = Image.open(io.BytesIO(view.frames[0]))
    assert image.format == "PNG" and image.mode == "P"


def test_every_rendered_frame_records_its_time():
    from dlcore import interactive

    before = len(interactive.frame_seconds)
    slider(draw_line, a=[0.0, 1.0, 2.0])
    recorded = interactive.frame_seconds[before:]
    assert [name for name, _ in recorded] == ["draw_line"] * 3
    assert all(0 < seconds < 10 for _, seconds in recorded)


def test_a_live_slider_shows_the_frame_drawn_beforehand_without_drawing_again():
    calls = []

    def draw(a, b):
        calls.append((a, b))
        return draw_line(a, b)

    view = slider(draw, a=[0.0, 1.0, 2.0], b=[-1.0, 1.0])
    a_slider, b_slider, output = view.widget().children
    drawn = len(calls)
    a_slider.value, b_slider.value = 2.0, 1.0
    assert len(calls) == drawn
    assert output.outputs[0]["data"]["image/png"] == base64.b64encode(view.frames[2 * 2 + 1]).decode()
    assert calls[2 * 2 + 1] == (2.0, 1.0)
