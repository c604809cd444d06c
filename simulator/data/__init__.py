"""Files the simulator ships: job-ad templates and migration scenarios (plus an SWF trace).

>>> sorted(p.name for p in TEMPLATES.glob("*.ad"))
['ospool.ad', 'plain.ad']
"""

from pathlib import Path

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
SCENARIOS = HERE / "scenarios"

__all__ = ["SCENARIOS", "TEMPLATES"]
