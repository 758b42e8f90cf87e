"""Normed last-layer hidden states of a causal LM run by OpenVINO: the features of an
OpenVINO-served reward model (Sharma et al. §4.2–§4.3 score with a PM; ours is a linear
Bradley–Terry head on a frozen backbone, `syco.pm.train_ov`).

The exported model is read once and its LM head taken off: the graph's output becomes the
head MatMul's input, the final norm's output at every position (the same tensor
`OVAPI._scoring_request` slices before the head). Dropping the head skips the vocabulary
projection (a quarter of Qwen2.5-0.5B's compute at 192 tokens).

A dialogue is rendered with the backbone's chat template exactly as the ``hf/`` reward path
renders it and cut from the left to ``max_len`` tokens, each dialogue on its own: training
features and the reward served later (`syco.pm.ladder_rm`) are then the same pass on the
same ids. Every dialogue runs alone (batch 1, no padding, the model's KV state reset), so a
dialogue's features never depend on what else is scored with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from syco.errors import SycoError
from syco.models.types import Chat
from syco.pm.features import POOLS


def window(ids: Sequence[int], max_len: int) -> tuple[list[int], int]:
    """The last `max_len` ids (left truncation, as the reward tokenizer cuts) and the cut."""
    cut = max(0, len(ids) - max_len)
    return list(ids[cut:]), cut


def hidden_model(xml: Path) -> Any:
    """The exported model read from `xml` with its output rewired to the LM head's input."""
    import openvino as ov

    model = ov.Core().read_model(str(xml))
    result = model.get_results()[0]
    head = result.input_value(0).get_node()
    if head.get_type_name() != "MatMul":
        raise SycoError(
            f"{xml}: the output is not a plain MatMul head ({head.get_type_name()}); "
            "cannot read the normed hidden state"
        )
    result.input(0).replace_source_output(head.input_value(0))
    model.validate_nodes_and_infer_types()
    return model


class OVHidden:
    """Normed hidden states [tokens, hidden] of one token sequence at a time."""

    def __init__(self, folder: Path, props: dict[str, Any]):
        import openvino as ov

        model = hidden_model(folder / "openvino_model.xml")
        self.hidden = int(model.get_results()[0].get_output_partial_shape(0)[2].get_length())
        self._req = ov.Core().compile_model(model, "CPU", props).create_infer_request()

    def states(self, ids: Sequence[int]) -> np.ndarray:
        if not ids:
            raise SycoError("cannot score an empty token sequence")
        n = len(ids)
        self._req.reset_state()
        self._req.infer({
            "input_ids": np.asarray([ids], dtype=np.int64),
            "attention_mask": np.ones((1, n), dtype=np.int64),
            "position_ids": np.arange(n, dtype=np.int64)[None],
            "beam_idx": np.zeros(1, dtype=np.int32),
        })  # fmt: skip
        return np.array(self._req.get_output_tensor(0).data[0], dtype=np.float32)


class OVBackbone:
    """A frozen OpenVINO backbone and its tokenizer, with the layout of
    `syco.pm.features.Backbone.pair` (what `features.extract` stores)."""

    def __init__(self, folder: Path, props: dict[str, Any], tok: Any = None):
        if tok is None:
            from syco.quiet import widget_warning_off

            with widget_warning_off():
                from transformers import AutoTokenizer
            tok = AutoTokenizer.from_pretrained(str(folder))
        self.tok = tok
        self.net = OVHidden(folder, props)
        self.hidden = self.net.hidden
        eot = tok.convert_tokens_to_ids("<|im_end|>")
        self.eot_id = eot if isinstance(eot, int) and eot >= 0 else None

    def ids(self, chat: Chat) -> list[int]:
        """Token ids of a whole dialogue as the hf reward path renders it."""
        text = self.tok.apply_chat_template(chat, tokenize=False)
        return list(self.tok(text, add_special_tokens=False)["input_ids"])

    def last_states(self, chats: Sequence[Chat], max_len: int) -> np.ndarray:
        """(len(chats), hidden): the normed state at each dialogue's last kept token."""
        return np.stack([self.net.states(window(self.ids(c), max_len)[0])[-1] for c in chats])

    def pair(
        self, context: Chat, responses: Sequence[str], max_len: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Pooled features (len(responses), 3, hidden), token counts and truncation flags;
        pools as `features.POOLS` (last token; the response's last end-of-turn; mean over
        the response's tokens in the window)."""
        ctx = self.ids(context) if context else []
        out = np.zeros((len(responses), len(POOLS), self.hidden), dtype=np.float32)
        tokens, cuts = [], []
        for k, r in enumerate(responses):
            full = self.ids([*context, {"role": "assistant", "content": r}])
            start = next((i for i, (a, b) in enumerate(zip(full, ctx, strict=False)) if a != b),
                         min(len(full), len(ctx)))  # fmt: skip
            kept, cut = window(full, max_len)
            h = self.net.states(kept)
            out[k] = pool(h, kept, max(0, start - cut), self.eot_id)
            tokens.append(len(full))
            cuts.append(cut)
        return out, np.array(tokens), np.array(cuts) > 0


def pool(h: np.ndarray, ids: Sequence[int], start: int, eot_id: int | None) -> np.ndarray:
    """(3, hidden): last token, the response's last end-of-turn token (else last), mean
    over the response's tokens (else last); `start` is where the response begins in `ids`."""
    last = h[-1]
    eots = [i for i in range(start, len(ids)) if ids[i] == eot_id]
    eot = h[eots[-1]] if eots else last
    mean = h[start:].mean(0) if start < len(ids) else last
    return np.stack([last, eot, mean]).astype(np.float32)
