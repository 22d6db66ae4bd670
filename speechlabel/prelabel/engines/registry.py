"""Which engines can draft, by name: what is known of each before any model loads.

An engine's module registers it when imported (``register_engine``): its name, how to build it,
the compute types it runs and its default one, how it finds a CUDA device (for ``device="auto"``)
and any rule of its own on the options. Building is where an engine's heavy imports happen, so
registering costs nothing: the optional openai-whisper engine is known even where torch is not
installed, and only building it says how to install it. ``TranscribeOptions`` checks its engine,
compute type and device here; ``engine_base.get_engine`` builds through it.

The engines that ship with speechlabel are found by importing their modules when their name (or
the list of names) is first asked for (``BUILTIN_ENGINES``). Another engine is one module that
subclasses ``engine_base.EngineBase``, calls ``register_engine`` and is imported before its name
is used. This module imports no engine itself, so no engine module depends on another.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from speechlabel.core.errors import ValidationError

if TYPE_CHECKING:
    from speechlabel.prelabel.engines.base import Engine
    from speechlabel.prelabel.engines.options import TranscribeOptions

# The engines that ship with speechlabel, in the order they are offered, and the module that
# registers each (imported on first use of its name).
BUILTIN_ENGINES = {
    "faster-whisper": "speechlabel.prelabel.transcribe",
    "openai-whisper": "speechlabel.prelabel.engines.openai_whisper.engine",
}


@dataclass(frozen=True)
class EngineKind:
    """A registered engine: what the options may ask of it, and how to build it."""

    name: str
    # Builds the engine for ``options``: loads the model, imports the engine's libraries. Only
    # the fields of ``engine_base.engine_key`` may matter (engines are cached by them).
    build: Callable[[TranscribeOptions], Engine]
    compute_types: tuple[str, ...]
    default_compute_type: str
    # Whether the engine's library finds a CUDA device here (``device="auto"`` and ``"cuda"``).
    cuda_available: Callable[[], bool]
    # The engine's own rules on the options, checked with the rest (raises ValidationError).
    check_options: Callable[[TranscribeOptions], None] | None = None


_KINDS: dict[str, EngineKind] = {}
_LOCK = threading.Lock()


def register_engine(
    name: str,
    build: Callable[[TranscribeOptions], Engine],
    *,
    compute_types: tuple[str, ...],
    default_compute_type: str,
    cuda_available: Callable[[], bool],
    check_options: Callable[[TranscribeOptions], None] | None = None,
) -> EngineKind:
    """Make ``name`` an engine the options may choose. Registering a name again replaces it."""
    if default_compute_type not in compute_types:
        raise ValueError(
            f"default compute type {default_compute_type!r} of engine {name!r} is not one of "
            f"its compute types {compute_types}"
        )
    kind = EngineKind(name, build, tuple(compute_types), default_compute_type, cuda_available, check_options)
    with _LOCK:
        _KINDS[name] = kind
    return kind


def unregister_engine(name: str) -> None:
    """Forget an engine registered under ``name`` (nothing happens if there is none)."""
    with _LOCK:
        _KINDS.pop(name, None)


def engine_names() -> tuple[str, ...]:
    """Every engine the options may choose: the built-in ones first, in their order."""
    for name in BUILTIN_ENGINES:
        _import_builtin(name)
    with _LOCK:
        registered = list(_KINDS)
    return tuple(
        [name for name in BUILTIN_ENGINES if name in registered]
        + [name for name in registered if name not in BUILTIN_ENGINES]
    )


def engine_kind(name: object) -> EngineKind:
    """The registered engine called ``name``; a ValidationError naming the allowed ones if none."""
    if isinstance(name, str):
        _import_builtin(name)
        with _LOCK:
            kind = _KINDS.get(name)
        if kind is not None:
            return kind
    allowed = ", ".join(engine_names())
    raise ValidationError(message_key="error.engine_unknown", params={"engine": name, "allowed": allowed})


def resolve_device(engine: str, device: str) -> str:
    """Where ``engine`` runs for the option ``device``: "cpu", or "cuda" when asked for, or when
    "auto" and the engine's library finds a CUDA device. "cuda" without one is refused here, with
    a clearer message than the library's load error."""
    if device == "cpu":
        return "cpu"
    usable = engine_kind(engine).cuda_available()
    if device == "cuda" and not usable:
        raise ValidationError(message_key="error.device_no_cuda", params={"engine": engine})
    return "cuda" if usable else "cpu"


def _import_builtin(name: str) -> None:
    module = BUILTIN_ENGINES.get(name)
    if module is not None:
        importlib.import_module(module)  # registers the engine (once: Python caches modules)
