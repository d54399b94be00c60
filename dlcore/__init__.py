"""dlcore: a small NumPy deep-learning engine with explicit forward/backward.

Modules: ``functions`` (activations, losses, derivatives), ``layers``
(forward/backward layers), ``normalization`` (batch, layer, group and
instance normalization), ``augmentation``, ``conv`` (convolution, pooling),
``recurrent`` (RNN, BPTT, clipping; with ``gated`` for LSTM and GRU and
``time_layers`` for embedding and per-step layers), ``seq2seq`` (encoder–decoder
models: Encoder, Decoder, PeekyDecoder, Seq2Seq, exact_match, token_accuracy),
``sequences`` (generated sequence and text data, vocabulary and padding),
``word2vec`` (CBOW, SkipGram, negative sampling, the unigram sampler, the
generated template corpus, similarity and analogies), ``attention``
(scaled dot-product and multi-head attention, masks, positional encoding, the
Transformer encoder block) with ``attention_seq2seq`` (the attention decoder),
``transformer`` (TransformerEncoder for equal-length sequence tasks), ``generative``
(reparameterisation, the Gaussian KL, the VAE loss and model, vector quantisation),
``rl`` (returns, action selection, dynamic programming, tabular agents, REINFORCE),
``network`` (Sequential, Residual, make_mlp), ``initializers``, ``optimizers``,
``data`` (datasets without download, mini-batches), ``training`` (Trainer),
``metrics``, ``gradcheck`` (numerical gradients), ``plotting`` and
``interactive`` (figures and sliders for the book; they import matplotlib and
ipywidgets only when used) and ``grading`` (helpers for the nbgrader test cells
of the assignments).
"""

__version__ = "0.1.0"
