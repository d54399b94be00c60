"""Figure style for the book: Japanese labels that render, one look everywhere."""


def setup():
    """Use a Japanese font (IPAexGothic via matplotlib-fontja) and the course style.

    Call once at the top of a chapter, before drawing.  Safe to call again.
    """
    import matplotlib as mpl
    import matplotlib_fontja

    matplotlib_fontja.japanize()
    mpl.rcParams.update({
        # Japanese from IPAexGothic; symbols it lacks (≤, ⊙, …) fall back to DejaVu Sans.
        # IPAexGothic is also mathtext's text font, so Japanese may sit beside $\epsilon$.
        # (It draws Greek letters full-width: write them as mathtext, e.g. "$\epsilon$".)
        "font.family": ["IPAexGothic", "DejaVu Sans"],
        "figure.dpi": 100,
        "figure.figsize": (6.4, 3.6),
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.unicode_minus": False,
    })


def plot_history(history, ax=None, metric_label="正解率"):
    """Learning curves from ``Trainer.fit``: loss on the left axis, metric on the right.

    Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    epochs = history["epoch"]
    ax.plot(epochs, history["loss"], color="C0", label="訓練誤差")
    ax.set_xlabel("エポック")
    ax.set_ylabel("誤差")
    handles, labels = ax.get_legend_handles_labels()
    if history.get("train_metric"):
        ax2 = ax.twinx()
        ax2.grid(False)
        ax2.plot(epochs, history["train_metric"], color="C1", label=f"訓練データの{metric_label}")
        if history.get("test_metric"):
            ax2.plot(epochs, history["test_metric"], color="C2", label=f"テストデータの{metric_label}")
        ax2.set_ylabel(metric_label)
        more_handles, more_labels = ax2.get_legend_handles_labels()
        handles, labels = handles + more_handles, labels + more_labels
    ax.legend(handles, labels, loc="center right")
    return ax.figure


def plot_decision_boundary(ax, predict, x, t, resolution=200, margin=0.3):
    """Shade the class that ``predict`` gives over the plane and scatter the samples (x, t).

    ``predict`` maps (M, 2) points to (M, K) scores (the class is the argmax) or
    (M, 1) probabilities (class 1 where > 0.5).
    """
    import numpy as np

    (x0_min, x1_min), (x0_max, x1_max) = x.min(axis=0) - margin, x.max(axis=0) + margin
    g0, g1 = np.meshgrid(np.linspace(x0_min, x0_max, resolution), np.linspace(x1_min, x1_max, resolution))
    grid = np.column_stack([g0.ravel(), g1.ravel()]).astype(x.dtype)
    scores = predict(grid)
    region = (scores[:, 0] > 0.5) if scores.shape[1] == 1 else scores.argmax(axis=1)
    n_classes = int(max(t.max(), region.max())) + 1
    ax.contourf(g0, g1, region.reshape(g0.shape), levels=np.arange(n_classes + 1) - 0.5,
                cmap="tab10", vmin=0, vmax=9, alpha=0.25)
    ax.scatter(x[:, 0], x[:, 1], c=t, cmap="tab10", vmin=0, vmax=9, s=12, edgecolors="k", linewidths=0.3)
    ax.set_xlim(x0_min, x0_max)
    ax.set_ylim(x1_min, x1_max)
    return ax
