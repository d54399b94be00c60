"""A network as a sequence of layers followed by a loss layer (ネットワーク).

``Sequential`` runs ``forward`` through its layers for ``predict``, adds the
loss layer for ``loss``, and runs ``backward`` in reverse order for
``gradient`` (誤差逆伝播法).  ``numerical_gradient`` computes the same
gradients by central differences, for checking (float64 networks only).
``make_mlp`` builds a fully connected network from a list of layer sizes.
"""

import inspect

import numpy as np

from . import initializers, layers, normalization
from .gradcheck import parameter_gradient

ACTIVATIONS = {"relu": layers.Relu, "sigmoid": layers.Sigmoid, "tanh": layers.Tanh}
OUTPUTS = {"softmax": layers.SoftmaxWithLoss, "sigmoid": layers.SigmoidWithLoss,
           "identity": layers.IdentityWithLoss}
INITIALIZERS = {"normal": initializers.normal, "xavier": initializers.xavier, "he": initializers.he}


class Sequential:
    """Layers applied in order, then a loss layer.

    ``params`` and ``grads`` list every layer's arrays in order, so an
    optimizer updates the whole network with ``update(net.params, net.grads)``.
    Layers that behave differently in training (Dropout, BatchNormalization)
    take ``forward(x, train)``; the network hands them the flag: True while
    computing gradients, False (inference, 推論) by default otherwise.
    """

    def __init__(self, layer_list, loss_layer):
        self.layers = list(layer_list)
        self.loss_layer = loss_layer
        self.params = [p for layer in self.layers for p in layer.params]
        self.grads = [g for layer in self.layers for g in layer.grads]
        self._takes_train = [_takes_train(layer) for layer in self.layers]

    def predict(self, x, train=False):
        """Forward propagation (順伝播) up to the last layer before the loss."""
        for layer, takes_train in zip(self.layers, self._takes_train):
            x = layer.forward(x, train) if takes_train else layer.forward(x)
        return x

    def loss(self, x, t, train=False):
        """The loss of the batch (x, t)."""
        return self.loss_layer.forward(self.predict(x, train), t)

    def loss_and_gradient(self, x, t):
        """Forward (in training mode), then backward through every layer; returns (loss, grads)."""
        loss = self.loss(x, t, train=True)
        dout = self.loss_layer.backward(1.0)
        for layer in reversed(self.layers[1:]):
            dout = layer.backward(dout)
        first = self.layers[0]
        # The gradient with respect to the input data is never used: skip it where the layer can.
        (first.backward_params if hasattr(first, "backward_params") else first.backward)(dout)
        return loss, self.grads

    def gradient(self, x, t):
        """Gradients of the loss for every parameter, by backpropagation."""
        return self.loss_and_gradient(x, t)[1]

    def numerical_gradient(self, x, t):
        """The same gradients by central differences (slow; float64 parameters only)."""
        return [parameter_gradient(lambda: self.loss(x, t, train=True), p) for p in self.params]


class Residual:
    """A residual block (残差ブロック): out = F(x) + shortcut(x), F = ``layer_list`` applied in order.

    The skip connection (スキップ結合) passes x on unchanged, or through
    ``shortcut`` (a layer or a list of layers, e.g. a 1×1 convolution and batch
    normalization when F changes the shape), so ∂out/∂x = F′(x) + I: the
    gradient reaches earlier layers even when F′ is small.  A block is used
    like a layer inside ``Sequential``; ``train`` reaches every layer in it.
    """

    def __init__(self, layer_list, shortcut=None):
        self.layers = list(layer_list)
        self.shortcut = shortcut                 # as given: None, a layer or a list of layers
        self.shortcut_layers = [] if shortcut is None else list(shortcut) if isinstance(shortcut, (list, tuple)) \
            else [shortcut]
        inner = self.layers + self.shortcut_layers
        self.params = [p for layer in inner for p in layer.params]
        self.grads = [g for layer in inner for g in layer.grads]

    def forward(self, x, train=False):
        out, skip = _forward_through(self.layers, x, train), _forward_through(self.shortcut_layers, x, train)
        if out.shape != skip.shape:
            raise ValueError(f"Residual: the branch gives shape {out.shape} but the shortcut {skip.shape}; "
                             "pass a shortcut layer that matches them")
        return out + skip

    def backward(self, dout):
        return _backward_through(self.layers, dout) + _backward_through(self.shortcut_layers, dout)


def _forward_through(layer_list, x, train):
    for layer in layer_list:
        x = layer.forward(x, train) if _takes_train(layer) else layer.forward(x)
    return x


def _backward_through(layer_list, dout):
    for layer in reversed(layer_list):
        dout = layer.backward(dout)
    return dout


def _takes_train(layer):
    return "train" in inspect.signature(layer.forward).parameters


def make_mlp(sizes, activation="relu", output="softmax", init="he", seed=0,
             dtype=np.float32, init_scale=0.01, batch_norm=False, dropout_ratio=0.0, noise_std=0.0):
    """A fully connected network (多層パーセプトロン) with ``sizes`` = [input, hidden..., output].

    ``activation`` in hidden layers ('relu', 'sigmoid', 'tanh'); ``output`` names
    the output layer and loss ('softmax', 'sigmoid', 'identity'); ``init`` the
    weight initialiser ('he', 'xavier', or 'normal' with ``init_scale``).
    Biases start at 0.  Each hidden layer is Affine → [BatchNormalization
    (γ = 1, β = 0) if ``batch_norm``] → activation → [Dropout if
    ``dropout_ratio`` > 0] → [GaussianNoise if ``noise_std`` > 0].
    """
    for name, value, choices in (("activation", activation, ACTIVATIONS), ("output", output, OUTPUTS),
                                 ("init", init, INITIALIZERS)):
        if value not in choices:
            raise ValueError(f"make_mlp: {name} must be one of {sorted(choices)}, got {value!r}")
    if len(sizes) < 2:
        raise ValueError(f"make_mlp: sizes needs an input and an output size, got {sizes}")
    rng = np.random.default_rng(seed)
    kwargs = {"scale": init_scale} if init == "normal" else {}
    layer_list = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        W = INITIALIZERS[init](fan_in, fan_out, rng, dtype=dtype, **kwargs)
        layer_list.append(layers.Affine(W, np.zeros(fan_out, dtype=dtype)))
        if i < len(sizes) - 2:
            if batch_norm:
                layer_list.append(normalization.BatchNormalization(np.ones(fan_out, dtype), np.zeros(fan_out, dtype)))
            layer_list.append(ACTIVATIONS[activation]())
            if dropout_ratio > 0:
                layer_list.append(layers.Dropout(dropout_ratio, seed=seed + i))
            if noise_std > 0:
                layer_list.append(layers.GaussianNoise(noise_std, seed=seed + 1000 + i))
    return Sequential(layer_list, OUTPUTS[output]())
