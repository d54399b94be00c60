"""Evaluation metrics."""

import numpy as np


def accuracy(y, t):
    """Fraction of samples whose predicted class is right (認識精度), over all samples.

    ``y`` is (N, K) scores or probabilities; ``t`` is (N,) labels or (N, K) one-hot.
    For a single output column (binary classification) the class is y > 0.5.
    """
    y, t = np.asarray(y), np.asarray(t)
    if y.ndim != 2:
        raise ValueError(f"accuracy: y must be (N, classes), got shape {y.shape}")
    predicted = (y[:, 0] > 0.5).astype(int) if y.shape[1] == 1 else y.argmax(axis=1)
    labels = t.argmax(axis=1) if t.ndim == 2 and t.shape[1] > 1 else t.reshape(-1)
    if labels.shape != predicted.shape:
        raise ValueError(f"accuracy: {len(predicted)} predictions but targets of shape {t.shape}")
    return float(np.mean(predicted == labels))
