import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from dlcore import plotting  # noqa: E402


def test_setup_selects_a_japanese_font():
    plotting.setup()
    path = font_manager.findfont(font_manager.FontProperties(family=matplotlib.rcParams["font.family"][0]))
    assert path.endswith("ipaexg.ttf")


def test_japanese_labels_render_without_missing_glyphs():
    plotting.setup()
    fig, ax = plt.subplots()
    ax.set_title("活性化関数と導関数 σ'(u) ≤ 0.25, ∂E/∂u ⊙ f'(u)")
    ax.set_xlabel("総入力 u")
    ax.plot([-1, 1], [-1, 1], label="シグモイド関数")
    ax.legend()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" is a UserWarning
        fig.canvas.draw()
    plt.close(fig)
