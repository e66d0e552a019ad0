"""Options and per-process resources handed to every stage.

A ``Context`` is built once per worker process and reused for every document
it handles, so spaCy pipelines and trained models load once per worker; there
is no module-level state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODELS_DIR = REPO_ROOT / "models"


@dataclass
class Options:
    ocr_langs: str = "spa+eng"  # fallback when detection cannot decide
    dpi: int = 300  # render resolution for OCR
    ocr_timeout: float = 180.0  # seconds per page
    ocr_engine: str = "auto"  # "api" (tesserocr, in-process), "cli" (a tesseract process per call), "auto"
    low_conf: float = 60.0  # OCR word confidence below which facts are flagged
    cache_dir: Optional[Path] = None  # OCR cache by page-image hash; None disables
    models_dir: Path = DEFAULT_MODELS_DIR
    transformer_dir: Optional[Path] = None  # local sequence-classification model for commitments
    max_pages: int = 2000
    max_image_pixels: int = 200_000_000  # refuse decompression bombs above this
    force: bool = False


@dataclass
class Context:
    options: Options = field(default_factory=Options)
    # Lazily filled caches owned by this context (one per worker process).
    _nlp: dict[str, Any] = field(default_factory=dict, repr=False)
    _resources: dict[str, Any] = field(default_factory=dict, repr=False)

    def resource(self, key: str, factory: Any) -> Any:
        """Return the resource stored under ``key``, building it with ``factory()`` once."""
        if key not in self._resources:
            self._resources[key] = factory()
        return self._resources[key]
