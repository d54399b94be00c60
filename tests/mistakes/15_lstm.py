"""Typical learner mistakes in 15_lstm and the graded cells each one must fail.

Each entry: the answer cells it replaces in an otherwise correct submission
(grade id → source), and the set of graded test cells that must then fail.
"""

_GRU = '''def gru_backward(x, h_prev, Wx, Wh, b, dh):
    H = h_prev.shape[1]
    a = x @ Wx + b
    z = 1 / (1 + np.exp(-(a[:, {z}] + h_prev @ Wh[:, {z}])))
    r = 1 / (1 + np.exp(-(a[:, {r}] + h_prev @ Wh[:, {r}])))
    q = r * h_prev
    h_tilde = np.tanh(a[:, 2 * H:] + q @ Wh[:, 2 * H:])
    da_h = {da_h}
    da_z = {da_z}
    dq = da_h @ Wh[:, 2 * H:].T
    da_r = {da_r}
    da_zr = np.concatenate([da_z, da_r], axis=1)
    dA = np.concatenate([da_zr, da_h], axis=1)
    dh_prev = {dh_prev}
    dWh = np.concatenate([h_prev.T @ da_zr, {q}.T @ da_h], axis=1)
    return dA @ Wx.T, dh_prev, x.T @ dA, dWh, {db}
'''


def gru(z=":H", r="H:2 * H", da_h="dh * z * (1 - h_tilde ** 2)", da_z="dh * (h_tilde - h_prev) * z * (1 - z)",
        da_r="dq * h_prev * r * (1 - r)", dh_prev="dh * (1 - z) + dq * r + da_zr @ Wh[:, :2 * H].T", q="q",
        db="dA.sum(axis=0)"):
    """The model answer of gru_backward with one piece replaced."""
    return _GRU.format(z=z, r=r, da_h=da_h, da_z=da_z, da_r=da_r, dh_prev=dh_prev, q=q, db=db)


_COUNT = '''def rnn_param_count(cell, D, H, num_layers=1, bidirectional=False, biases=1, peephole=False):
    gates = {gates}
    {check_cell}
    for name, value in (("D", D), ("H", H), ("num_layers", num_layers)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{{name}} は正の整数です")
    if biases not in (1, 2):
        raise ValueError("biases は 1 か 2 です")
    if peephole and cell != "lstm":
        raise ValueError("のぞき穴結合は LSTM だけです")
    directions = {directions}
    total, n_in = 0, D
    for _ in range(num_layers):
        per_direction = gates[cell] * (n_in * H + H * H + {bias_term}) + ({peep} if peephole else 0)
        total += {total}
        n_in = {n_in}
    return {result}
'''


def count(gates='{"rnn": 1, "lstm": 4, "gru": 3}',
          check_cell='if cell not in gates:\n        raise ValueError("cell は rnn, lstm, gru のどれかです")',
          directions="2 if bidirectional else 1", bias_term="biases * H", peep="3 * H",
          total="directions * per_direction", n_in="directions * H", result="total"):
    """The model answer of rnn_param_count with one piece replaced."""
    return _COUNT.format(gates=gates, check_cell=check_cell, directions=directions, bias_term=bias_term, peep=peep,
                         total=total, n_in=n_in, result=result)


GRU = {"test_gru_backward_basic", "test_gru_backward_hidden"}
COUNT = {"test_rnn_param_count_basic", "test_rnn_param_count_hidden"}

MISTAKES = {
    "gru_uses_the_pytorch_convention_with_z_and_1_minus_z_swapped": (
        {"ex_gru_backward": gru(da_h="dh * (1 - z) * (1 - h_tilde ** 2)", da_z="dh * (h_prev - h_tilde) * z * (1 - z)",
                                dh_prev="dh * z + dq * r + da_zr @ Wh[:, :2 * H].T")},
        GRU,
    ),
    "gru_resets_after_the_matrix_product": (
        {"ex_gru_backward": gru(da_r="(da_h * (h_prev @ Wh[:, 2 * H:])) * r * (1 - r)",
                                dh_prev="dh * (1 - z) + (da_h * r) @ Wh[:, 2 * H:].T + da_zr @ Wh[:, :2 * H].T",
                                q="h_prev")},
        GRU,
    ),
    "gru_forgets_the_path_through_the_reset_hidden_state": (
        {"ex_gru_backward": gru(dh_prev="dh * (1 - z) + da_zr @ Wh[:, :2 * H].T")},
        GRU,
    ),
    "gru_forgets_the_direct_path_1_minus_z": (
        {"ex_gru_backward": gru(dh_prev="dq * r + da_zr @ Wh[:, :2 * H].T")},
        GRU,
    ),
    "gru_flips_the_sign_of_the_update_gate_gradient": (
        {"ex_gru_backward": gru(da_z="dh * (h_prev - h_tilde) * z * (1 - z)")},
        GRU,
    ),
    "gru_uses_h_prev_instead_of_r_h_prev_for_the_candidate_weights": (
        {"ex_gru_backward": gru(q="h_prev")},
        GRU,
    ),
    "gru_takes_the_sigmoid_derivative_of_the_gate_output": (
        {"ex_gru_backward": gru(da_z="dh * (h_tilde - h_prev) * (1 / (1 + np.exp(-z))) * (1 - 1 / (1 + np.exp(-z)))")},
        GRU,
    ),
    "gru_forgets_the_square_in_the_tanh_derivative": (
        {"ex_gru_backward": gru(da_h="dh * z * (1 - h_tilde)")},
        GRU,
    ),
    "gru_reads_the_gates_in_pytorch_order_r_then_z": (
        {"ex_gru_backward": gru(z="H:2 * H", r=":H")},
        GRU,
    ),
    "gru_keeps_db_per_sample": (
        {"ex_gru_backward": gru(db="dA")},
        GRU,
    ),
    "gru_upcasts_float32": (
        {"ex_gru_backward": gru(db="dA.sum(axis=0).astype(np.float64)")},
        {"test_gru_backward_hidden"},
    ),
    "gru_through_dlcore": (
        {"ex_gru_backward": "from dlcore.recurrent import GRU\n\n"
                            "def gru_backward(x, h_prev, Wx, Wh, b, dh):\n"
                            "    cell = GRU(Wx, Wh, b)\n"
                            "    cell.forward(x, h_prev)\n"
                            "    dx, dh_prev = cell.backward(dh)\n"
                            "    return (dx, dh_prev, *cell.grads)\n"},
        GRU,
    ),
    "count_feeds_D_to_every_layer": (
        {"ex_rnn_param_count": count(n_in="D")},
        COUNT,
    ),
    "count_feeds_H_not_2H_after_a_bidirectional_layer": (
        {"ex_rnn_param_count": count(n_in="H")},
        {"test_rnn_param_count_hidden"},
    ),
    "count_forgets_the_backward_direction": (
        {"ex_rnn_param_count": count(total="per_direction")},
        {"test_rnn_param_count_hidden"},
    ),
    "count_gives_lstm_three_gates_and_gru_four": (
        {"ex_rnn_param_count": count(gates='{"rnn": 1, "lstm": 3, "gru": 4}')},
        COUNT,
    ),
    "count_ignores_the_second_bias": (
        {"ex_rnn_param_count": count(bias_term="H")},
        COUNT,
    ),
    "count_gives_the_peephole_4H": (
        {"ex_rnn_param_count": count(peep="4 * H")},
        {"test_rnn_param_count_hidden"},
    ),
    "count_accepts_an_unknown_cell": (
        {"ex_rnn_param_count": count(gates='dict(rnn=1, lstm=4, gru=3, transformer=1)')},
        {"test_rnn_param_count_hidden"},
    ),
    "count_returns_a_numpy_integer": (
        {"ex_rnn_param_count": count(result="np.int64(total)")},
        {"test_rnn_param_count_hidden"},
    ),
    "count_through_dlcore": (
        {"ex_rnn_param_count": "from dlcore import recurrent\n\n"
                               "def rnn_param_count(cell, D, H, num_layers=1, bidirectional=False, biases=1,\n"
                               "                    peephole=False):\n"
                               "    build = {'rnn': recurrent.rnn_layer, 'lstm': recurrent.lstm_layer,\n"
                               "             'gru': recurrent.gru_layer}[cell]\n"
                               "    total, n_in = 0, D\n"
                               "    directions = 2 if bidirectional else 1\n"
                               "    for _ in range(num_layers):\n"
                               "        total += directions * sum(p.size for p in build(n_in, H).params)\n"
                               "        n_in = directions * H\n"
                               "    return int(total)\n"},
        COUNT,
    ),
    "check_questions_answered_wrongly": (
        {"q1": "answer_q1 = 0.1351\n",             # 0.95 ** 39: one step too few
         "q2": "answer_q2 = 10512\n",              # one bias per gate, as in dlcore, not PyTorch's two
         "q3": "answer_q3 = (1.1, 0.2)\n",         # read with this course's convention: z' taken as z
         "q4": "answer_q4 = 2\n",                  # encoding a whole sentence is where bidirectional layers fit
         "q5": "answer_q5 = 650\n"},               # one direction's 64 units only
        {"test_q1", "test_q2", "test_q3", "test_q4", "test_q5"},
    ),
}
