import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from dlcore import plotting  # noqa: E402


def test_setup_falls_back_to_a_japanese_font():
    plotting.setup()
    assert "IPAexGothic" in matplotlib.rcParams["font.family"]
    path = font_manager.findfont(font_manager.FontProperties(family="IPAexGothic"), fallback_to_default=False)
    assert path.endswith("ipaexg.ttf")


def test_japanese_labels_render_without_missing_glyphs(caplog):
    """matplotlib reports a missing glyph as a warning (text) or a log record (mathtext)."""
    plotting.setup()
    fig, ax = plt.subplots()
    ax.set_title("活性化関数と導関数 σ'(u) ≤ 0.25, ∂E/∂u ⊙ f'(u)")
    ax.set_ylabel(r"学習率 $\epsilon$ と更新 $w - \epsilon \nabla E$")
    ax.set_xlabel("総入力 u")
    ax.plot([-1, 1], [-1, 1], label="シグモイド関数")
    ax.legend()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" is a UserWarning
        fig.canvas.draw()
    plt.close(fig)
    assert not [r.getMessage() for r in caplog.records if "glyph" in r.getMessage()]


def test_plot_history_and_decision_boundary_draw_without_errors():
    import numpy as np

    from dlcore import data, network

    plotting.setup()
    fig = plotting.plot_history({"epoch": [1, 2], "loss": [1.0, 0.5], "train_metric": [0.5, 0.8],
                                 "test_metric": [0.4, 0.7]})
    assert len(fig.axes) == 2
    plt.close(fig)
    x, t = data.make_spirals(n_per_class=10)
    net = network.make_mlp([2, 5, 3])
    fig, ax = plt.subplots()
    plotting.plot_decision_boundary(ax, net.predict, x, t, resolution=20)
    assert len(ax.collections) >= 2
    assert np.isfinite(ax.get_xlim()).all()
    plt.close(fig)
