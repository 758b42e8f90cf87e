"""Model backends behind one interface; see `syco.models.registry` for the specs."""

from syco.models.base import GENERATE, LOGPROBS, PREFILL, REWARD, ModelAPI
from syco.models.model import Model
from syco.models.registry import get_model, parse_spec
from syco.models.runstate import CALLS
from syco.models.types import Chat, Completion, GenerateConfig, Scored, Usage, assistant, user

__all__ = [
    "CALLS",
    "GENERATE",
    "LOGPROBS",
    "PREFILL",
    "REWARD",
    "Chat",
    "Completion",
    "GenerateConfig",
    "Model",
    "ModelAPI",
    "Scored",
    "Usage",
    "assistant",
    "get_model",
    "parse_spec",
    "user",
]
