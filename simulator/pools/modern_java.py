"""The modern pool's Java: which JVM a machine has, as HTCondor publishes it.

``JavaVendor``/``JavaVersion``/``JavaSpecificationVersion``: none on
``NO_JAVA`` (.35) of machines; else the distro's OpenJDK 8/11/17/21 as each
release ships it ("Red Hat, Inc.", "Debian", "Ubuntu", Ubuntu's OpenJDK 8 says
"Private Build"), Temurin ("Eclipse Adoptium") or Oracle, with the weights in
``JAVA``.

>>> JAVA["EL10"][0]
('Red Hat, Inc.', '21.0.10', '21', 0.435)
"""

from __future__ import annotations

from typing import List, Tuple

NO_JAVA = 0.35

# Java per OS family: (vendor, version, specification, weight) among machines with Java.
# Versions are the OpenJDK updates of January and April 2026 (the capture is July
# 2026; machines lag by one update or none), half and half.
_UPDATES = {"1.8": ("1.8.0_482", "1.8.0_492"), "11": ("11.0.30", "11.0.31"),
            "17": ("17.0.18", "17.0.19"), "21": ("21.0.10", "21.0.11")}  # fmt: skip


def _jdk(vendor: str, spec: str, weight: float) -> List[Tuple[str, str, str, float]]:
    return [(vendor, version, spec, weight / 2) for version in _UPDATES[spec]]


_RH = "Red Hat, Inc."  # also what the Rocky and AlmaLinux rebuilds report
_OTHERS = [*_jdk("Eclipse Adoptium", "17", 0.05), *_jdk("Eclipse Adoptium", "21", 0.05),
           ("Oracle Corporation", "1.8.0_481", "1.8", 0.03)]  # fmt: skip
JAVA = {
    "EL7": [*_jdk(_RH, "1.8", 0.55), *_jdk(_RH, "11", 0.32), *_OTHERS],
    "EL8": [*_jdk(_RH, "1.8", 0.20), *_jdk(_RH, "11", 0.20), *_jdk(_RH, "17", 0.35),
            *_jdk(_RH, "21", 0.12), *_OTHERS],
    "EL9": [*_jdk(_RH, "1.8", 0.12), *_jdk(_RH, "11", 0.13), *_jdk(_RH, "17", 0.35),
            *_jdk(_RH, "21", 0.27), *_OTHERS],
    "EL10": [*_jdk(_RH, "21", 0.87), *_OTHERS],
    "Debian12": [*_jdk("Debian", "17", 0.87), *_OTHERS],
    "Debian13": [*_jdk("Debian", "21", 0.87), *_OTHERS],
    "Ubuntu22": [*_jdk("Private Build", "1.8", 0.15), *_jdk("Ubuntu", "11", 0.42),
                 *_jdk("Ubuntu", "17", 0.30), *_OTHERS],
    "Ubuntu24": [*_jdk("Ubuntu", "17", 0.30), *_jdk("Ubuntu", "21", 0.57), *_OTHERS],
}  # fmt: skip
