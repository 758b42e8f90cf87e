"""`hf/<local path or id>`: Hugging Face transformers models run in this process.

A causal LM gives chat generation (batched, left-padded, with the model's chat template),
assistant prefill and log-probabilities of given continuations (used by prompted
preference models and log-prob judges). A sequence-classification model gives reward
scores (a reward-model preference model). Which one a path holds is read from its config,
so capabilities are known before any weights load. CUDA with bf16 when a GPU is present,
else CPU fp32. Hub ids load only from a local HF cache: nothing is downloaded at run time.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from syco.errors import SycoError
from syco.models.base import GENERATE, LOGPROBS, PREFILL, REWARD, ModelAPI
from syco.models.hf_logprobs import continuation_logprobs
from syco.models.types import Chat, Completion, GenerateConfig, Usage, has_prefill
from syco.quiet import widget_warning_off


def _fingerprint(path: Path) -> str:
    """A cheap identity of a local checkpoint, so retraining into the same folder is a new
    model to the cache: config bytes plus size and first MiB of every weights file."""
    h = hashlib.sha256()
    for f in sorted(path.iterdir()):
        if f.name == "config.json" or f.suffix in (".safetensors", ".bin", ".gguf"):
            h.update(f.name.encode())
            h.update(str(f.stat().st_size).encode())
            with f.open("rb") as fh:
                h.update(fh.read(1 << 20))
    return h.hexdigest()[:16]


def render_plain(chat: Chat, *, add_generation_prompt: bool) -> str:
    """The hh-rlhf dialogue format, for models without a chat template."""
    names = {"user": "Human", "assistant": "Assistant", "system": "System"}
    text = "".join(f"\n\n{names[m['role']]}: {m['content']}" for m in chat)
    if add_generation_prompt:
        text += "\n\nAssistant:"
    return text


def render_prompt(tok: Any, chat: Chat, system: str | None = None) -> str:
    """Prompt text for generation: chat template + generation prompt (+ prefill). Every
    local engine renders with this, so the same chat is the same tokens on each."""
    if system:
        chat = [{"role": "system", "content": system}, *chat]
    head, prefill = (chat[:-1], chat[-1]["content"]) if has_prefill(chat) else (chat, "")
    if tok.chat_template:
        text = tok.apply_chat_template(head, add_generation_prompt=True, tokenize=False)
    else:
        text = render_plain(head, add_generation_prompt=True) + (" " if prefill else "")
    return text + prefill


def continuation_ids(
    tok: Any, chats: list[Chat], continuations: list[str]
) -> tuple[list[list[int]], list[int]]:
    """Token ids of each prompt + continuation, and how many of them are the continuation
    (tokenized together, so a merge across the boundary counts as continuation)."""
    seqs, n_conts = [], []
    for chat, cont in zip(chats, continuations, strict=True):
        prompt = render_prompt(tok, chat)
        p_ids = tok(prompt, add_special_tokens=False)["input_ids"]
        f_ids = tok(prompt + cont, add_special_tokens=False)["input_ids"]
        common = next(
            (i for i, (a, b) in enumerate(zip(p_ids, f_ids, strict=False)) if a != b),
            len(p_ids),
        )
        if len(f_ids) <= common:
            raise SycoError(f"continuation {cont!r} adds no tokens to the prompt")
        seqs.append(f_ids)
        n_conts.append(len(f_ids) - common)
    return seqs, n_conts


def completion_from_ids(
    tok: Any, row: list[int], eos_ids: set[int], stop: tuple[str, ...], n_prompt: int
) -> Completion:
    """A reply from generated ids: cut at the first end-of-sequence token and at the first
    stop string; usage counts the end token as generated."""
    n_out = next((j for j, t in enumerate(row) if t in eos_ids), None)
    stopped = n_out is not None
    ids = row[:n_out] if stopped else row
    text = tok.decode(ids, skip_special_tokens=True)
    for s in stop:
        if s in text:
            text, stopped = text[: text.index(s)], True
    return Completion(
        text=text,
        stop_reason="stop" if stopped else "length",
        usage=Usage(n_prompt, len(ids) + (1 if n_out is not None else 0)),
    )


class HFAPI(ModelAPI):
    backend = "hf"
    local = True

    def __init__(
        self,
        model_id: str,
        *,
        path: str | None = None,
        device: str | None = None,
        dtype: str | None = None,
    ):
        super().__init__(model_id)
        # Quiet the fast tokenizer's warning when a process forks after loading it.
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        self.path = path or model_id
        local = Path(self.path).expanduser()
        self._local_dir = local if local.is_dir() else None
        if self._local_dir is None and (self.path.startswith((".", "/", "~")) or local.exists()):
            raise SycoError(
                f"hf model folder not found: {self.path!r} (give a folder with config.json)"
            )
        self._config = self._read_config()
        archs = self._config.get("architectures") or []
        self.kind = (
            "reward" if any(a.endswith("ForSequenceClassification") for a in archs) else "causal"
        )
        self._device = device
        self._dtype_name = dtype
        self._tok: Any = None
        self._model: Any = None

    def _read_config(self) -> dict[str, Any]:
        if self._local_dir is not None:
            cfg = self._local_dir / "config.json"
            if not cfg.exists():
                raise SycoError(
                    f"{self.path!r} has no config.json: is it a transformers model folder?"
                )
            return json.loads(cfg.read_text())
        try:
            with widget_warning_off():
                from transformers import AutoConfig

            return AutoConfig.from_pretrained(self.path, local_files_only=True).to_dict()
        except OSError as e:
            raise SycoError(
                f"hf model {self.path!r} is not a local folder and not in the local HF cache "
                "(no downloads at run time): save it to a folder and use hf/<folder>"
            ) from e

    @property
    def capabilities(self) -> frozenset[str]:
        if self.kind == "reward":
            return frozenset({REWARD})
        return frozenset({GENERATE, PREFILL, LOGPROBS})

    @property
    def device(self) -> str:
        if self._device is None:
            import torch

            self._device = "cuda" if torch.cuda.is_available() else "cpu"
        return self._device

    @property
    def dtype_name(self) -> str:
        return self._dtype_name or ("bfloat16" if self.device.startswith("cuda") else "float32")

    def identity(self) -> dict[str, Any]:
        ident = {**super().identity(), "dtype": self.dtype_name}
        if self._local_dir is not None:
            ident["fingerprint"] = _fingerprint(self._local_dir)
        return ident

    # -- loading ----------------------------------------------------------------------
    def _load(self) -> tuple[Any, Any]:
        if self._model is None:
            import torch

            with widget_warning_off():
                from transformers import (
                    AutoModelForCausalLM,
                    AutoModelForSequenceClassification,
                    AutoTokenizer,
                )
                from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()

            kw = {"local_files_only": True} if self._local_dir is None else {}
            tok = AutoTokenizer.from_pretrained(self.path, **kw)
            if tok.pad_token is None:
                tok.pad_token = tok.eos_token
            cls = (
                AutoModelForSequenceClassification
                if self.kind == "reward"
                else AutoModelForCausalLM
            )
            model = cls.from_pretrained(self.path, dtype=getattr(torch, self.dtype_name), **kw)
            if self.kind == "reward" and model.config.pad_token_id is None:
                model.config.pad_token_id = tok.pad_token_id
            model.to(self.device).eval()  # type: ignore[arg-type]  # transformers stub
            self._tok, self._model = tok, model
        return self._tok, self._model

    def close(self) -> None:
        self._tok = self._model = None

    def render(self, chat: Chat, system: str | None = None) -> str:
        """Prompt text for generation: chat template + generation prompt (+ prefill)."""
        tok, _ = self._load()
        return render_prompt(tok, chat, system)

    # -- generation -------------------------------------------------------------------
    def generate_batch(
        self, chats: list[Chat], config: GenerateConfig, seed: int | list[int]
    ) -> list[Completion]:
        import torch

        tok, model = self._load()
        tok.padding_side = "left"
        texts = [self.render(c, config.system) for c in chats]
        enc = tok(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(
            self.device
        )
        kwargs: dict[str, Any] = {
            "max_new_tokens": config.max_tokens,
            "pad_token_id": tok.pad_token_id,
        }
        if config.temperature > 0:
            torch.manual_seed(seed)
            kwargs.update(
                do_sample=True, temperature=config.temperature, top_p=config.top_p or 1.0, top_k=0
            )
        else:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        if config.stop:
            kwargs.update(stop_strings=list(config.stop), tokenizer=tok)
        with torch.inference_mode():
            out = model.generate(**enc, **kwargs)
        new = out[:, enc["input_ids"].shape[1] :].tolist()
        eos = model.generation_config.eos_token_id
        eos_ids = set(eos if isinstance(eos, list) else [eos]) | {tok.eos_token_id}
        n_in = enc["attention_mask"].sum(dim=1).tolist()
        return [
            completion_from_ids(tok, row, eos_ids, config.stop, int(n_prompt))
            for row, n_prompt in zip(new, n_in, strict=True)
        ]

    # -- scoring ----------------------------------------------------------------------
    def logprobs_batch(self, chats: list[Chat], continuations: list[str]) -> list[float]:
        tok, model = self._load()
        seqs, n_conts = continuation_ids(tok, chats, continuations)
        return continuation_logprobs(model, seqs, n_conts, tok.pad_token_id, self.device)

    def reward_inputs(self, chats: list[Chat]) -> tuple[list[str], dict[str, Any]]:
        """Whole dialogues as texts, and the tokenizer settings a reward model reads them
        with (its chat template, else the hh-rlhf format; at most 4,096 tokens)."""
        tok, _ = self._load()
        if tok.chat_template:
            texts = [tok.apply_chat_template(c, tokenize=False) for c in chats]
        else:
            texts = [render_plain(c, add_generation_prompt=False) for c in chats]
        max_len = min(getattr(tok, "model_max_length", 4096) or 4096, 4096)
        return texts, {
            "truncation": True,
            "max_length": max_len,
            "add_special_tokens": not tok.chat_template,
        }

    def reward_batch(self, chats: list[Chat]) -> list[float]:
        import torch

        tok, model = self._load()
        tok.padding_side = "right"
        texts, kwargs = self.reward_inputs(chats)
        enc = tok(texts, return_tensors="pt", padding=True, **kwargs).to(self.device)
        with torch.inference_mode():
            logits = model(**enc).logits.float()
        # One label: the reward. Two or more: last label's logit minus the first's.
        vals = logits[:, 0] if logits.shape[1] == 1 else logits[:, -1] - logits[:, 0]
        return [float(v) for v in vals]
