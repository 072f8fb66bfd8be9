"""allstrat: childhood ALL subtype calls and protocol risk assignment (research use only).

Outputs are research-use decision support, not a diagnosis.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("allstrat")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

DISCLAIMER = (
    "Research use only: allstrat output is decision support for research, "
    "not a diagnosis and not a treatment recommendation."
)

__all__ = ["DISCLAIMER", "__version__"]
