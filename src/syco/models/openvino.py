"""`ov/<folder>`: a causal LM run by OpenVINO on the CPU, several times faster than
transformers for the book's small-batch workload.

Generation goes through OpenVINO GenAI's continuous-batching pipeline (every chat of a
micro-batch is one request; the scheduler packs prompt reading and decoding of all of them
into each step). Log-probabilities of given continuations run the same exported model
through the OpenVINO runtime directly, with the logits sliced to the positions scored and
the prefix-sharing of `syco.models.hf_logprobs` (a shared prompt is read once, its KV state
copied to every suffix through the model's ``beam_idx`` input).

Chats are rendered and tokenized by the model's own Hugging Face tokenizer, exactly as in
the `hf/` backend; the engine receives token ids only, so chat templating stays ours.
The folder is an exported OpenVINO folder, or a transformers folder, which is exported
once (int8 weights) into ``$SYCO_HOME/models`` (see `syco.models.ov_export`).

Inference hints are pinned, not left to the CPU plugin's defaults (these differ between
CPUs): f32 compute on every CPU (bf16 where the CPU has it natively was ~10-15% faster, but
made the answer key CPU-specific: a recording made on an AVX-512-BF16/AMX host replayed
nowhere else); an 8-bit (u8) KV cache; activations quantized to int8 on the fly, one group
per hidden-state row (`quant_group`), so the int8 weights run as int8 matrix products (VNNI)
instead of being widened to f32. The hints are part of the answer-key identity. Measured on
the book's workload here, the two int8 settings make the engine about 2x faster than f32 KV
and f32 activations. Outputs differ slightly from the fp32 transformers path (and can differ
between CPU instruction sets): `benchmarks/bench_engine.py` measures by how much, and the
chapters compare metrics, not strings. Scoring keeps f32 KV and activations (`SCORE_HINTS`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from syco import paths
from syco.errors import SycoError
from syco.models.base import GENERATE, LOGPROBS, PREFILL, ModelAPI
from syco.models.hf import (
    _fingerprint,
    completion_from_ids,
    continuation_ids,
    render_prompt,
)
from syco.models.hf_logprobs import prefix_groups
from syco.models.ov_export import export, is_exported
from syco.models.types import Chat, Completion, GenerateConfig
from syco.quiet import widget_warning_off

# Pinned CPU-plugin hints (defaults vary by CPU). Part of every cache key, so nothing here
# may depend on the CPU: the compute precision is f32 everywhere (a recording with the CPU's
# own bf16 replayed only on CPUs that have it). One more is resolved per model, from its
# config, in `OVAPI.__init__`: the activation quantization group (`quant_group`).
HINTS: dict[str, str] = {
    "INFERENCE_PRECISION_HINT": "f32",
    "KV_CACHE_PRECISION": "u8",
    "PERFORMANCE_HINT": "LATENCY",
    "NUM_STREAMS": "1",
}
# Scoring (log-probabilities) keeps f32 compute, an f32 KV cache and f32 activations: with
# the int8 ones a sequence's score moved by up to 0.1-0.25 nats with its batch neighbours
# (whether its prompt was shared with others), and they bought no speed there. Part of
# every cache key too.
SCORE_HINTS: dict[str, str] = {
    "INFERENCE_PRECISION_HINT": "f32",
    "KV_CACHE_PRECISION": "f32",
    "DYNAMIC_QUANTIZATION_GROUP_SIZE": "0",
}
# KV cache for the continuous-batching scheduler, in GB (a 135M model needs ~50 kB/token).
CACHE_GB = 1
# A whole micro-batch of book prompts read in one step (~20% faster than 2,048).
MAX_BATCHED_TOKENS = 8192


def quant_group(folder: Path) -> str:
    """Activations are quantized in groups the width of the hidden state (one scale per
    token row: measured ~12% faster than groups of 32 here, with replies still independent
    of their batch neighbours); 32 where the folder does not say its width."""
    import json

    cfg = folder / "config.json"
    width = json.loads(cfg.read_text()).get("hidden_size") if cfg.is_file() else None
    return str(width) if isinstance(width, int) and width > 0 else "32"


def exported_folder(src: Path, weight_format: str = "int8") -> Path:
    """Where the OpenVINO export of a transformers folder lives (one per weights)."""
    return paths.models_dir() / f"ov-{weight_format}-{src.name}-{_fingerprint(src)}"


def _targets(seqs: list[list[int]], n_conts: list[int]) -> list[list[int]]:
    return [s[len(s) - n :] for s, n in zip(seqs, n_conts, strict=True)]


class OVAPI(ModelAPI):
    backend = "ov"
    local = True

    def __init__(
        self,
        model_id: str,
        *,
        path: str | None = None,
        weights: str = "int8",
        hints: dict[str, str] | None = None,
        threads: int | None = None,
    ):
        super().__init__(model_id)
        folder = Path(path or model_id).expanduser()
        if not folder.is_dir():
            raise SycoError(
                f"ov model folder not found: {str(folder)!r} (give an exported OpenVINO "
                "folder or a transformers folder with config.json)"
            )
        self.source = folder
        self.weights = weights
        self.folder = folder if is_exported(folder) else None
        self.hints = {
            **HINTS,
            "DYNAMIC_QUANTIZATION_GROUP_SIZE": quant_group(folder),
            **(hints or {}),
        }
        # ``SYCO_OV_THREADS`` caps the CPU threads (not part of the answer key's identity):
        # two engines sharing two cores each with two threads stall on each other's barriers.
        env_threads = os.environ.get("SYCO_OV_THREADS", "")
        if threads is None and env_threads:
            if not env_threads.isdecimal() or int(env_threads) < 1:
                raise SycoError(f"SYCO_OV_THREADS must be a whole number >= 1, got {env_threads!r}")
            threads = int(env_threads)
        self.threads = threads
        self._tok: Any = None
        self._pipe: Any = None
        self._scorer: Any = None
        self._slices = False

    @property
    def capabilities(self) -> frozenset[str]:
        return frozenset({GENERATE, PREFILL, LOGPROBS})

    def identity(self) -> dict[str, Any]:
        folder = self.folder or self.source
        return {
            **super().identity(),
            "fingerprint": _fingerprint(folder),
            "weights": self.weights if self.folder is not self.source else "as exported",
            "hints": dict(sorted(self.hints.items())),
            "score_hints": dict(sorted(self.score_hints().items())),
        }

    # -- loading ----------------------------------------------------------------------
    def prepare(self) -> Path:
        """The exported folder (exporting a transformers folder the first time)."""
        if self.folder is None:
            self.folder = export(self.source, exported_folder(self.source, self.weights))
        return self.folder

    def score_hints(self) -> dict[str, str]:
        """The hints the log-probability path compiles with (`SCORE_HINTS` over `hints`)."""
        return {**self.hints, **SCORE_HINTS}

    def _props(self, score: bool = False) -> dict[str, Any]:
        props: dict[str, Any] = dict(self.score_hints() if score else self.hints)
        if self.threads:
            props["INFERENCE_NUM_THREADS"] = int(self.threads)
        return props

    def tokenizer(self) -> Any:
        if self._tok is None:
            with widget_warning_off():
                from transformers import AutoTokenizer
            self._tok = AutoTokenizer.from_pretrained(str(self.prepare()))
            if self._tok.pad_token is None:
                self._tok.pad_token = self._tok.eos_token
        return self._tok

    def pipeline(self) -> Any:
        if self._pipe is None:
            import openvino_genai as ov_genai

            sched = ov_genai.SchedulerConfig()
            sched.cache_size = CACHE_GB
            sched.max_num_batched_tokens = MAX_BATCHED_TOKENS
            sched.enable_prefix_caching = False
            self._pipe = ov_genai.ContinuousBatchingPipeline(
                str(self.prepare()), sched, "CPU", self._props()
            )
        return self._pipe

    def close(self) -> None:
        self._pipe = self._scorer = None

    def _eos_ids(self) -> set[int]:
        import json

        tok = self.tokenizer()
        ids = {tok.eos_token_id}
        cfg = self.prepare() / "generation_config.json"
        if cfg.exists():
            eos = json.loads(cfg.read_text()).get("eos_token_id")
            ids |= set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
        return {i for i in ids if i is not None}

    # -- generation -------------------------------------------------------------------
    def generate_batch(
        self, chats: list[Chat], config: GenerateConfig, seed: int | list[int]
    ) -> list[Completion]:
        import numpy as np
        import openvino as ov
        import openvino_genai as ov_genai

        tok = self.tokenizer()
        pipe = self.pipeline()
        eos_ids = self._eos_ids()
        prompts = [
            tok(render_prompt(tok, c, config.system), add_special_tokens=False)["input_ids"]
            for c in chats
        ]
        configs = []
        for i in range(len(chats)):
            g = ov_genai.GenerationConfig()
            g.max_new_tokens = config.max_tokens
            g.stop_token_ids = eos_ids
            if config.temperature > 0:
                g.do_sample = True
                g.temperature = config.temperature
                g.top_p = config.top_p or 1.0
                g.rng_seed = (seed[i] if isinstance(seed, list) else seed + i) % (2**32)
            else:
                g.do_sample = False
            if config.stop:
                g.stop_strings = set(config.stop)
                g.include_stop_str_in_output = True  # cut (and marked) by completion_from_ids
            configs.append(g)
        inputs = [ov.Tensor(np.array([p], dtype=np.int64)) for p in prompts]
        results = pipe.generate(inputs, configs)
        return [
            completion_from_ids(tok, list(r.m_generation_ids[0]), eos_ids, config.stop, len(p))
            for r, p in zip(results, prompts, strict=True)
        ]

    # -- scoring ----------------------------------------------------------------------
    def _scoring_request(self) -> Any:
        """The exported model compiled for scoring, its logits sliced to the last
        ``logits_keep`` positions (when its head is a plain MatMul)."""
        if self._scorer is None:
            import numpy as np
            import openvino as ov
            import openvino.opset13 as ops

            core = ov.Core()
            model = core.read_model(str(self.prepare() / "openvino_model.xml"))
            head = model.outputs[0].get_node().input_value(0).get_node()
            if head.get_type_name() == "MatMul":
                keep = ops.parameter([1], ov.Type.i64, name="logits_keep")
                keep.output(0).set_names({"logits_keep"})
                hidden = head.input_value(0)
                sliced = ops.slice(
                    hidden,
                    ops.negative(keep),
                    ops.constant(np.array([np.iinfo(np.int64).max], dtype=np.int64)),
                    ops.constant(np.array([1], dtype=np.int64)),
                    ops.constant(np.array([1], dtype=np.int64)),
                )
                head.input(0).replace_source_output(sliced.output(0))
                model.add_parameters([keep])
                model.validate_nodes_and_infer_types()
                self._slices = True
            compiled = core.compile_model(model, "CPU", self._props(score=True))
            self._scorer = compiled.create_infer_request()
        return self._scorer

    def _infer(self, ids, mask, pos, beam, keep: int):
        """One stateful forward pass; logits of the last ``keep`` positions [B, keep, V]."""
        import numpy as np

        req = self._scoring_request()
        feed = {
            "input_ids": np.asarray(ids, dtype=np.int64),
            "attention_mask": np.asarray(mask, dtype=np.int64),
            "position_ids": np.asarray(pos, dtype=np.int64),
            "beam_idx": np.asarray(beam, dtype=np.int32),
        }
        if self._slices:
            feed["logits_keep"] = np.array([keep], dtype=np.int64)
        req.infer(feed)
        logits = req.get_tensor("logits").data
        return np.array(logits[:, -keep:], dtype=np.float32)

    @staticmethod
    def _sum_logprobs(logits, targets: list[list[int]]) -> list[float]:
        """Sum over each row of log softmax at its targets; logits[i, -len(t)-1:-1] predict
        targets[i] (the last position predicts nothing scored)."""
        import numpy as np

        out = []
        for i, t in enumerate(targets):
            rows = logits[i, -len(t) - 1 : -1].astype(np.float64)
            m = rows.max(-1, keepdims=True)
            lse = np.log(np.exp(rows - m).sum(-1)) + m[:, 0]
            out.append(float((rows[np.arange(len(t)), t] - lse).sum()))
        return out

    def _padded(self, seqs: list[list[int]], n_conts: list[int], pad: int) -> list[float]:
        import numpy as np

        self._scoring_request().reset_state()
        width = max(len(s) for s in seqs)
        ids = [[pad] * (width - len(s)) + s for s in seqs]
        mask = np.array([[0] * (width - len(s)) + [1] * len(s) for s in seqs])
        pos = np.clip(mask.cumsum(-1) - 1, 0, None)
        keep = min(max(n_conts) + 1, width)
        logits = self._infer(ids, mask, pos, np.arange(len(seqs)), keep)
        return self._sum_logprobs(logits, _targets(seqs, n_conts))

    def _shared(
        self, seqs: list[list[int]], n_conts: list[int], shared: int, pad: int
    ) -> list[float]:
        """The first ``shared`` tokens once, then every (left-padded) suffix on a copy of
        its KV state: ``beam_idx`` all zeros copies the single prefix row to each."""
        import numpy as np

        self._scoring_request().reset_state()
        self._infer([seqs[0][:shared]], [[1] * shared], [list(range(shared))], [0], 1)
        tails = [s[shared:] for s in seqs]
        width = max(len(t) for t in tails)
        ids = [[pad] * (width - len(t)) + t for t in tails]
        mask = [[1] * shared + [0] * (width - len(t)) + [1] * len(t) for t in tails]
        pos = [[shared] * (width - len(t)) + list(range(shared, shared + len(t))) for t in tails]
        keep = min(max(n_conts) + 1, width)
        logits = self._infer(ids, mask, pos, np.zeros(len(seqs)), keep)
        return self._sum_logprobs(logits, _targets(seqs, n_conts))

    def logprobs_batch(self, chats: list[Chat], continuations: list[str]) -> list[float]:
        tok = self.tokenizer()
        seqs, n_conts = continuation_ids(tok, chats, continuations)
        out: list[float] = [0.0] * len(seqs)
        groups, singles = prefix_groups(seqs, n_conts)
        for members, shared in groups:
            vals = self._shared(
                [seqs[i] for i in members], [n_conts[i] for i in members], shared, tok.pad_token_id
            )
            for i, v in zip(members, vals, strict=True):
                out[i] = v
        if singles:
            vals = self._padded(
                [seqs[i] for i in singles], [n_conts[i] for i in singles], tok.pad_token_id
            )
            for i, v in zip(singles, vals, strict=True):
                out[i] = v
        return out


os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
