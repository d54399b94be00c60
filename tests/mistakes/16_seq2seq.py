"""Typical learner mistakes in 16_seq2seq and the graded cells each one must fail.

Each entry: the answer cells it replaces in an otherwise correct submission
(grade id → source), and the set of graded test cells that must then fail.
"""

_GREEDY = '''def greedy_decode(step, state, start_id, end_id, pad_id, max_length):
    ids = np.full(len(state), start_id)
    ended = np.zeros(len(state), dtype=bool)
    outputs = {first}
    for _ in range(max_length):
        scores, {new_state} = step({fed}, state)
        ids = scores.argmax(axis={axis})
        outputs.append({output})
        ended = {ended}
        if {stop}:
            break
    return {result}
'''


def greedy(first="[]", new_state="state", fed="ids", axis="1", output="np.where(ended, pad_id, ids)",
           ended="ended | (ids == end_id)", stop="ended.all()", result="np.stack(outputs, axis=1).astype(np.int64)"):
    """The model answer of greedy_decode with one piece replaced."""
    return _GREEDY.format(first=first, new_state=new_state, fed=fed, axis=axis, output=output, ended=ended,
                          stop=stop, result=result)


_JOIN = '''class PeekyJoin:
    def __init__(self):
        {init}
        self.D = None

    def forward(self, xs, h):
        {check}
        self.D = xs.shape[2]
        copies = {copies}
        return np.concatenate({joined}, axis=2)

    def backward(self, dout):
        dxs = {dxs}
        dh = {dh}
        return dxs, dh
'''


def join(init="self.params, self.grads = [], []",
         check='if xs.ndim != 3 or h.ndim != 2 or len(xs) != len(h):\n            raise ValueError("形が違います")',
         copies="np.broadcast_to(h[:, None, :], (len(h), xs.shape[1], h.shape[1]))", joined="[xs, copies]",
         dxs="dout[:, :, :self.D].copy()", dh="dout[:, :, self.D:].sum(axis=1)"):
    """The model answer of PeekyJoin with one piece replaced."""
    return _JOIN.format(init=init, check=check, copies=copies, joined=joined, dxs=dxs, dh=dh)


GREEDY = {"test_greedy_decode_basic", "test_greedy_decode_hidden"}
JOIN = {"test_peeky_join_basic", "test_peeky_join_hidden"}

MISTAKES = {
    "greedy_feeds_the_start_symbol_at_every_step": (
        {"ex_greedy_decode": greedy(fed="np.full(len(state), start_id)")},
        GREEDY,
    ),
    "greedy_keeps_the_first_state": (
        {"ex_greedy_decode": greedy(new_state="_")},
        GREEDY,
    ),
    "greedy_outputs_the_start_symbol_first": (
        {"ex_greedy_decode": greedy(first="[np.full(len(state), start_id)]")},
        GREEDY,
    ),
    "greedy_does_not_pad_after_the_end_symbol": (
        {"ex_greedy_decode": greedy(output="ids")},
        GREEDY,
    ),
    "greedy_pads_the_end_symbol_too": (
        {"ex_greedy_decode": greedy(output="np.where(ended | (ids == end_id), pad_id, ids)")},
        GREEDY,
    ),
    "greedy_never_stops_early": (
        {"ex_greedy_decode": greedy(stop="False")},
        GREEDY,
    ),
    "greedy_stops_when_the_first_row_ends": (
        {"ex_greedy_decode": greedy(stop="ended.any()")},
        GREEDY,
    ),
    "greedy_takes_the_argmax_over_the_batch": (
        {"ex_greedy_decode": greedy(axis="0")},
        GREEDY,
    ),
    "greedy_writes_padding_as_0": (
        {"ex_greedy_decode": greedy(output="np.where(ended, 0, ids)")},
        {"test_greedy_decode_hidden"},
    ),
    "greedy_returns_a_list": (
        {"ex_greedy_decode": greedy(result="np.stack(outputs, axis=1).tolist()")},
        GREEDY,
    ),
    "greedy_pads_with_dlcore": (
        {"ex_greedy_decode": "from dlcore.sequences import pad_sequences\n\n" + greedy(
            result="pad_sequences([row[:list(row).index(end_id) + 1] if end_id in row else row\n"
                   "                           for row in np.stack(outputs, axis=1)], pad_id)")},
        GREEDY,
    ),
    "join_averages_the_copies_of_h": (
        {"ex_peeky_join": join(dh="dout[:, :, self.D:].mean(axis=1)")},
        JOIN,
    ),
    "join_takes_the_gradient_of_the_last_step_only": (
        {"ex_peeky_join": join(dh="dout[:, -1, self.D:].copy()")},
        JOIN,
    ),
    "join_splits_dout_on_the_wrong_side": (
        {"ex_peeky_join": join(dxs="dout[:, :, -self.D:].copy()", dh="dout[:, :, :-self.D].sum(axis=1)")},
        JOIN,
    ),
    "join_keeps_the_time_axis_in_dh": (
        {"ex_peeky_join": join(dh="dout[:, :, self.D:]")},
        JOIN,
    ),
    "join_puts_h_before_xs": (
        {"ex_peeky_join": join(joined="[copies, xs]", dxs="dout[:, :, -self.D:].copy()",
                               dh="dout[:, :, :-self.D].sum(axis=1)")},
        JOIN,
    ),
    "join_tiles_h_and_mixes_the_rows": (
        {"ex_peeky_join": join(copies="np.tile(h, (xs.shape[1], 1)).reshape(len(h), xs.shape[1], -1)")},
        JOIN,
    ),
    "join_upcasts_float32": (
        {"ex_peeky_join": join(dh="np.zeros((len(dout), dout.shape[2] - self.D)) + dout[:, :, self.D:].sum(axis=1)")},
        {"test_peeky_join_hidden"},
    ),
    "join_does_not_check_the_shapes": (
        {"ex_peeky_join": join(check="pass")},
        {"test_peeky_join_hidden"},
    ),
    "join_has_no_params_or_grads": (
        {"ex_peeky_join": join(init="pass")},
        {"test_peeky_join_hidden"},
    ),
    "join_through_dlcore": (
        {"ex_peeky_join": "from dlcore.seq2seq import PeekyDecoder\n\n"
                          "class PeekyJoin:\n"
                          "    def __init__(self):\n"
                          "        self.params, self.grads = [], []\n"
                          "        self.D = None\n\n"
                          "    def forward(self, xs, h):\n"
                          "        if xs.ndim != 3 or h.ndim != 2 or len(xs) != len(h):\n"
                          "            raise ValueError('形が違います')\n"
                          "        self.D = xs.shape[2]\n"
                          "        return PeekyDecoder._joined(PeekyDecoder, xs, h)\n\n"
                          "    def backward(self, dout):\n"
                          "        return dout[:, :, :self.D].copy(), dout[:, :, self.D:].sum(axis=1)\n"},
        JOIN,
    ),
    "check_questions_answered_wrongly": (
        {"q1": "answer_q1 = 3780\n",               # the plain decoder's count: h joined to neither layer
         "q2": "answer_q2 = 0.72\n",               # the mean of the three probabilities, not their product
         "q3": "answer_q3 = 500\n",                # assumes greedy decoding loses some of them
         "q4": "answer_q4 = 3\n",                  # the noise goes into the context, not the softmax
         "q5": "answer_q5 = (16, 4, 10, 48)\n"},   # one vector per utterance, not one per symbol
        {"test_q1", "test_q2", "test_q3", "test_q4", "test_q5"},
    ),
}
