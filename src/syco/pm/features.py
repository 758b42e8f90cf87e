"""Frozen backbone features of hh-rlhf dialogues, computed once and kept on disk
(the trained PM of Sharma et al. §4.2–§4.3 is a head on these; see `syco.pm.train`).

A reward model's score of a dialogue is read, as in `LlamaForSequenceClassification`, at
the dialogue's last token, from the normed hidden state of the backbone (all its blocks, or
its first `layers`, then its final norm). Dialogues
are rendered with the backbone's chat template exactly as the ``hf/`` reward path renders
them, and cut from the left to ``max_len`` tokens (the end of a conversation, where the
response is, is what the score is about); the assembled reward model's tokenizer truncates
the same way, so a head trained here scores identically through ``hf/<folder>``.

The chosen and rejected dialogues of a pair share their context: the context runs once and
both responses run on its KV cache (equal to two full passes within float error, tested).
Features are written in chunks of pairs, atomically, under ``$SYCO_HOME/pm/features``: a
crash loses at most one chunk, and a larger run reuses every chunk a smaller one wrote.
Several processes may fill one folder (``first_chunk`` starts a helper further on).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from syco import paths
from syco.errors import SycoError

FEATURE_VERSION = "1"
CHUNK = 16  # pairs per file on disk
# Per response: the hidden state at the last token (what LlamaForSequenceClassification
# reads), at the response's end-of-turn token, and the mean over the response's tokens.
POOLS = ("last", "eot", "mean")


def store_dir(ident: dict[str, Any], max_len: int, layers: int | None = None) -> Path:
    """Folder of the feature chunks for one backbone, depth and truncation length."""
    d = {"v": FEATURE_VERSION, "model": ident, "max_len": max_len}
    key = json.dumps(d | ({"layers": layers} if layers else {}), sort_keys=True)
    d = paths.home() / "pm" / "features" / hashlib.sha256(key.encode()).hexdigest()[:16]
    d.mkdir(parents=True, exist_ok=True)
    (d / "key.json").write_text(key)
    return d


def _save_npz(path: Path, **arrays: np.ndarray) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".npz")
    os.close(fd)
    np.savez(tmp, **arrays)
    os.replace(tmp, path)


class Backbone:
    """The frozen causal LM's body (no LM head) and its tokenizer, on CPU or GPU; with
    `layers`, only its first `layers` blocks (then the final norm), as a sequence classifier
    with ``num_hidden_layers=layers`` computes."""

    def __init__(
        self,
        path: Path,
        *,
        device: str = "auto",
        threads: int | None = None,
        layers: int | None = None,
    ):
        import torch

        from syco.quiet import widget_warning_off

        with widget_warning_off():
            from transformers import AutoModelForCausalLM, AutoTokenizer

        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if threads:
            torch.set_num_threads(threads)
        self.device = device
        self.tok = AutoTokenizer.from_pretrained(str(path))
        dtype = torch.float32  # features in fp32 everywhere: the head is fitted on them
        lm = AutoModelForCausalLM.from_pretrained(str(path), dtype=dtype)
        if layers:
            lm.model.layers = lm.model.layers[:layers]
            lm.model.config.num_hidden_layers = layers
        self.body = lm.model.to(device).eval()
        self.hidden = int(lm.config.hidden_size)
        eot = self.tok.convert_tokens_to_ids("<|im_end|>")
        self.eot_id = eot if isinstance(eot, int) and eot >= 0 else None

    def ids(self, chat: list[dict[str, str]]) -> list[int]:
        """Token ids of a whole dialogue as the hf reward path renders it."""
        text = self.tok.apply_chat_template(chat, tokenize=False)
        return self.tok(text, add_special_tokens=False)["input_ids"]

    def _pool(self, h: Any, ids: list[int], start: int, offset: int) -> np.ndarray:
        """(3, hidden) pooled states of one sequence; `h` holds positions offset.. of it,
        `start` is where the response begins (clipped to the window)."""
        n = len(ids)
        last = h[n - 1 - offset]
        eots = [i for i in range(max(start, offset), n) if ids[i] == self.eot_id]
        eot = h[eots[-1] - offset] if eots else last
        lo = max(start, offset)
        mean = h[lo - offset : n - offset].mean(0) if lo < n else last
        return np.stack([x.float().cpu().numpy() for x in (last, eot, mean)])

    def pair(self, context: list[dict[str, str]], responses: Sequence[str], max_len: int):
        """Pooled features (len(responses), 3, hidden), token counts and truncation flags.

        Beyond `max_len` tokens the *context* is cut from the left by the same amount for
        every response (so the context still runs once): the longest dialogue keeps exactly
        its last `max_len` tokens, as the hf reward path's left truncation keeps them; a
        response longer than the window is cut on its own."""
        import torch

        seqs = [self.ids([*context, {"role": "assistant", "content": r}]) for r in responses]
        start = len(self.ids(context)) if context else 0
        for s in seqs[1:]:
            start = min(start, next((i for i, (a, b) in enumerate(zip(s, seqs[0], strict=False))
                                     if a != b), min(len(s), len(seqs[0]))))  # fmt: skip
        cut = max(0, max(len(s) for s in seqs) - max_len)
        cuts = [cut if cut < start else max(0, len(s) - max_len) for s in seqs]
        out = np.zeros((len(seqs), len(POOLS), self.hidden), dtype=np.float32)
        dev = self.device
        with torch.inference_mode():
            if cut >= start or len(seqs) == 1:  # no shared context left: one pass each
                for k, s in enumerate(seqs):
                    h = self.body(input_ids=torch.tensor([s[cuts[k] :]], device=dev))
                    out[k] = self._pool(h.last_hidden_state[0], s, start, cuts[k])
            else:
                shared = start - cut  # context tokens in the window, run once
                prefix = torch.tensor([seqs[0][cut:start]], device=dev)
                cache = self.body(input_ids=prefix, use_cache=True).past_key_values
                cache.batch_repeat_interleave(len(seqs))
                tails = [s[start:] for s in seqs]
                width = max(len(t) for t in tails)
                pad = self.tok.pad_token_id or 0
                ids = torch.tensor([t + [pad] * (width - len(t)) for t in tails], device=dev)
                mask = torch.tensor(
                    [[1] * (shared + len(t)) + [0] * (width - len(t)) for t in tails], device=dev
                )
                pos = torch.arange(shared, shared + width, device=dev).expand(len(seqs), -1)
                hs = self.body(
                    input_ids=ids, attention_mask=mask, position_ids=pos, past_key_values=cache
                ).last_hidden_state
                for k, s in enumerate(seqs):
                    out[k] = self._pool(hs[k], s, start, start)
        return out, np.array([len(s) for s in seqs]), np.array(cuts) > 0


def extract(
    backbone: Callable[[], Backbone],
    pairs: Sequence[dict[str, Any]],
    folder: Path,
    *,
    max_len: int,
    progress: Callable[[int, int, float], None] | None = None,
    first_chunk: int = 0,
) -> dict[str, np.ndarray]:
    """Features of `pairs` (in the given order), reading finished chunks from `folder`;
    `backbone()` loads the model, only if a chunk is missing.

    Chunk k holds pairs [k*CHUNK, (k+1)*CHUNK) of the order, keyed by their pair ids: a
    chunk computed for other pairs is an error, not silently reused."""
    feats, toks, trunc, ids = [], [], [], []
    t0 = time.time()
    model: Backbone | None = None
    for k in range(first_chunk * CHUNK, len(pairs), CHUNK):
        part = pairs[k : k + CHUNK]
        want = np.array([p["pair_id"] for p in part])
        path = folder / f"chunk-{k // CHUNK:05d}.npz"
        got = None
        if path.exists():
            z = np.load(path)
            n = min(len(z["pair_id"]), len(want))
            if list(z["pair_id"][:n]) != list(want[:n]):
                raise SycoError(f"{path} holds other pairs: remove {folder} and rerun")
            if len(z["pair_id"]) >= len(want):
                got = {key: z[key][: len(want)] for key in z.files}
        if got is None:
            model = model or backbone()
            rows = [model.pair(p["context"], [p["chosen"], p["rejected"]], max_len)
                    for p in part]  # fmt: skip
            got = {
                "pair_id": want,
                "features": np.stack([r[0] for r in rows]),  # pairs, 2, pools, hidden
                "tokens": np.stack([r[1] for r in rows]),
                "truncated": np.stack([r[2] for r in rows]),
            }
            _save_npz(path, **got)
        feats.append(got["features"])
        toks.append(got["tokens"])
        trunc.append(got["truncated"])
        ids.append(got["pair_id"])
        if progress:
            progress(min(k + CHUNK, len(pairs)), len(pairs), time.time() - t0)
    if not feats:
        raise SycoError("no pairs to featurise")
    return {
        "pair_id": np.concatenate(ids),
        "features": np.concatenate(feats),
        "tokens": np.concatenate(toks),
        "truncated": np.concatenate(trunc),
    }
