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
        "font.family": ["IPAexGothic", "DejaVu Sans"],
        "figure.dpi": 100,
        "figure.figsize": (6.4, 3.6),
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.unicode_minus": False,
    })
