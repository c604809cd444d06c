"""The negotiator's settings, each named after the HTCondor knob it models, with HTCondor's default.

Defaults are those of ``src/condor_utils/param_info.in`` (HTCondor 25.x, the
same in 24.x except where noted):

======================================  ===============================================
``priority_halflife``                   PRIORITY_HALFLIFE = 86400 s
``default_prio_factor``                 DEFAULT_PRIO_FACTOR = 1000
``prio_factors``                        per-submitter factors (``condor_userprio -setfactor``)
``negotiator_consider_preemption``      NEGOTIATOR_CONSIDER_PREEMPTION = true
``negotiator_pre_job_rank``             NEGOTIATOR_PRE_JOB_RANK (best fit, see ``ranks``)
``negotiator_post_job_rank``            NEGOTIATOR_POST_JOB_RANK
``claim_partitionable_leftovers``       CLAIM_PARTITIONABLE_LEFTOVERS =
                                        $(NEGOTIATOR_USE_SLOT_WEIGHTS) = true
``claim_worklife``                      CLAIM_WORKLIFE = 1200 s
``modify_request_expr_requestcpus``     MODIFY_REQUEST_EXPR_REQUESTCPUS = quantize(RequestCpus,{1})
``modify_request_expr_requestmemory``   MODIFY_REQUEST_EXPR_REQUESTMEMORY =
                                        quantize(RequestMemory,{128})
``modify_request_expr_requestdisk``     MODIFY_REQUEST_EXPR_REQUESTDISK =
                                        quantize(RequestDisk,{Target.DiskQuantum?:1024}) (24.12.18;
                                        25.x subtracts $(CATALOG_SPACE), 0 for a job without
                                        catalogs)
``max_job_retirement_time``             MaxJobRetirementTime = 0 (the startd publishes 0 when
                                        unset: ``Resource.cpp: Resource::process_update_ad``)
``reboot_time``                         not a knob: how long a machine that reboots into a new
                                        kernel or release is gone (600 s)
``reboot_attributes``                   not a knob: the slot attributes whose change means a
                                        reboot
======================================  ===============================================

Fixed, as HTCondor's defaults: NEGOTIATOR_USE_SLOT_WEIGHTS = true with
SLOT_WEIGHT = Cpus (usage, limits and the pie count cores), PREEMPTION_REQUIREMENTS
= false (no priority preemption), no startd RANK preemption, no groups, floors,
ceilings or concurrency limits, NEGOTIATOR_DEPTH_FIRST = false.

>>> NegotiatorKnobs().claim_worklife
1200.0
"""

from __future__ import annotations

import dataclasses
from typing import Dict, Tuple

from simulator.analyses.replay.jobs import ReplayError
from simulator.jobs import parse_expression
from simulator.model.errors import in_range, number_text, range_text

# Knobs that are ClassAd expressions: each must parse whole, within parse_expression's limits.
EXPRESSION_KNOBS = ("negotiator_pre_job_rank", "negotiator_post_job_rank",
                    "modify_request_expr_requestcpus", "modify_request_expr_requestmemory",
                    "modify_request_expr_requestdisk")

NEGOTIATORS = ("fairshare", "fifo")
DEFAULT_NEGOTIATOR = "fairshare"
DEFAULT_PRE_JOB_RANK = ("(10000000 * My.Rank) + (1000000 * (RemoteOwner =?= UNDEFINED)) "
                        "- (100000 * Cpus) - Memory")
DEFAULT_POST_JOB_RANK = ("(RemoteOwner =?= UNDEFINED) * (ifthenElse(isUndefined(KFlops), 1000, "
                         "Kflops) - SlotID - 1.0e10*(Offline=?=True))")
DEFAULT_REQUEST_CPUS = "quantize(RequestCpus,{1})"
DEFAULT_REQUEST_MEMORY = "quantize(RequestMemory,{128})"
DEFAULT_REQUEST_DISK = "quantize(RequestDisk,{Target.DiskQuantum?:1024})"
# A machine whose kernel or operating-system release changes between snapshots rebooted.
DEFAULT_REBOOT_ATTRIBUTES = ("UtsnameRelease", "kernel_version", "OpSysAndVer", "OpSysVer",
                             "OpSysMajorVer", "OpSysLongName", "redhat_version")
DEFAULT_REBOOT_TIME = 600.0


@dataclasses.dataclass
class NegotiatorKnobs:
    """The fair-share negotiator's settings (see the module docstring for each knob)."""

    priority_halflife: float = 86400.0
    default_prio_factor: float = 1000.0
    prio_factors: Dict[str, float] = dataclasses.field(default_factory=dict)
    negotiator_consider_preemption: bool = True
    negotiator_pre_job_rank: str = DEFAULT_PRE_JOB_RANK
    negotiator_post_job_rank: str = DEFAULT_POST_JOB_RANK
    claim_partitionable_leftovers: bool = True
    claim_worklife: float = 1200.0
    modify_request_expr_requestcpus: str = DEFAULT_REQUEST_CPUS
    modify_request_expr_requestmemory: str = DEFAULT_REQUEST_MEMORY
    modify_request_expr_requestdisk: str = DEFAULT_REQUEST_DISK
    max_job_retirement_time: float = 0.0
    reboot_time: float = DEFAULT_REBOOT_TIME
    reboot_attributes: Tuple[str, ...] = DEFAULT_REBOOT_ATTRIBUTES

    def __post_init__(self):
        for name, low, excluded, unit in (
                ("priority_halflife", 0, True, "seconds"), ("default_prio_factor", 1, False, ""),
                ("claim_worklife", -1, False, "seconds (-1: forever)"),
                ("max_job_retirement_time", 0, False, "seconds"),
                ("reboot_time", 0, False, "seconds")):
            option = "--" + name.replace("_", "-")
            value = in_range(option, getattr(self, name), low, low_excluded=excluded, unit=unit,
                             cls=ReplayError)
            setattr(self, name, float(value))
        for user, factor in self.prio_factors.items():
            try:
                in_range("--prio-factor", factor, 1, cls=ReplayError)
            except ReplayError:
                raise ReplayError(f"--prio-factor {user}={number_text(factor)}: give "
                                  + range_text(1)) from None
        self.reboot_attributes = tuple(self.reboot_attributes)
        for name in EXPRESSION_KNOBS:
            parse_expression(str(getattr(self, name)), "--" + name.replace("_", "-"))

    def prio_factor(self, user: str) -> float:
        """The user's priority factor (``Accountant::GetPriorityFactor``: set, else the default)."""
        return float(self.prio_factors.get(user, self.default_prio_factor))
