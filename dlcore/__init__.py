"""dlcore: a small NumPy deep-learning engine with explicit forward/backward.

Modules: ``functions`` (activations, losses, derivatives), ``gradcheck``
(numerical gradients), ``plotting`` and ``interactive`` (figures and sliders
for the book; they import matplotlib and ipywidgets only when used) and
``grading`` (helpers for the nbgrader test cells of the assignments).
"""

__version__ = "0.1.0"
