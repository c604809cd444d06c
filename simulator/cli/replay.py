"""Replay a job queue over a store of snapshots: what each way of asking costs in wait.

A negotiator an HTCondor admin would recognise (--negotiator fairshare, the
default), every NEGOTIATOR_INTERVAL (--cycle, 60 s): submitters' user
priorities decay from their usage with PRIORITY_HALFLIFE and are scaled by
their priority factor; each gets a slice of the pool's cores proportional to
1/priority, the pie spun until no one can use more; best priority first,
each submitter's jobs by JobPrio then submission; each job takes the
unclaimed slot it matches (HTCondor's own symmetricMatch) that ranks best by
NEGOTIATOR_PRE_JOB_RANK (best fit), its own Rank, NEGOTIATOR_POST_JOB_RANK. A
partitionable slot takes one negotiated match per cycle, carved by the
request rounded as MODIFY_REQUEST_EXPR_* say (memory to 128 MB), and the
schedd fills its leftovers with the same submitter's jobs
(CLAIM_PARTITIONABLE_LEFTOVERS). When a job ends, the submitter's next job
that fits starts on its claim at once, within CLAIM_WORKLIFE. A machine whose
kernel or release changes between snapshots drains (MaxJobRetirementTime,
then eviction) and is gone for --reboot-time; a machine gone from the next
snapshot evicts its jobs. Slots whose START reads time() (a glidein's
GLIDEIN_ToRetire) change their verdict when the clock says so, within the
day. --negotiator fifo is the earlier model: one queue, oldest job first.

Still simplified: no preemption (PREEMPTION_REQUIREMENTS false, no startd
RANK preemption), no accounting groups, quotas, floors, ceilings or
concurrency limits; one schedd; SLOT_WEIGHT is Cpus; the negotiator sees each
slot as the replay has it at the cycle (no collector delay) and a cycle takes
no time (no NEGOTIATOR_CYCLE_DELAY, no per-submitter time limits); usage
counts from the claim (the accountant's CheckMatches view), not from the
match; a reboot starts when the snapshot that shows the new kernel takes
effect; a clock-reading slot whose verdict flips back within one snapshot
period is missed; the job's own time() reads the snapshot's capture time; a
dynamic slot is matched against its partitionable slot's expressions with
its own size; all jobs of a profile are alike (one autocluster), and a
synthetic job's submitter is drawn independently of its profile.

The synthetic stream (the default): Poisson arrivals, lognormal runtimes
(median 4 h), sized to keep 70 % of the pool's cores busy, the ladder's
profiles in equal shares, --users submitters of which a fifth (--heavy-users)
submit --heavy-share of the jobs. --trace replays an SWF file of the Parallel
Workloads Archive instead (its user field is the submitter). Per profile
(--per submitter: per submitter, with its final priority; --per both):
jobs, finished, the share never started, mean/median/p95 wait of the jobs
that started, mean bounded slowdown, evictions, core-hours of finished and
of evicted runs, and the share of the pool's core-hours held.

examples:
  tribes scenario run simulator/data/scenarios/rhel4_to_rhel5.toml --store store/rhel
  tribes replay --pool store/rhel
  tribes replay --pool store/rhel --profiles opsys,kernel --per submitter
  tribes replay --pool store/rhel --profiles opsys,kernel --jobs 20000 --format json
  tribes replay --pool store/rhel --profiles opsys,kernel --by week --negotiator fifo
  tribes replay --pool store/rhel --profiles opsys,kernel \\
      --trace simulator/data/scenarios/example.swf --profile-map 'queue:1=kernel,*=opsys'
"""

from __future__ import annotations

import sys

from simulator.cli import options

MAX_DEFAULT_JOBS = 100_000
PERIODS = {"day": 86400, "week": 7 * 86400}


def _flag(text: str) -> bool:
    low = text.strip().lower()
    if low in ("true", "yes", "1", "on"):
        return True
    if low in ("false", "no", "0", "off"):
        return False
    raise ValueError(text)


_flag.__name__ = "true or false"


def register(subparsers):
    from simulator.analyses.replay.jobs import DEFAULT_HEAVY_SHARE, DEFAULT_USERS
    from simulator.analyses.replay.knobs import (
        DEFAULT_NEGOTIATOR,
        NEGOTIATORS,
        NegotiatorKnobs,
    )
    from simulator.analyses.replay.result import GROUPINGS

    parser = options.add_command(subparsers, __name__, run)
    options.add_pool_option(parser, None, metavar="DIR", required=True,
                    spec="a store folder of snapshots (tribes scenario run, tribes snapshot)",
                    old={"--store": "--store is deprecated here; use --pool DIR"})
    load = parser.add_argument_group("synthetic jobs (the default)")
    size = load.add_mutually_exclusive_group()
    size.add_argument("--jobs", type=int, metavar="N", help="this many jobs over the replay")
    size.add_argument("--rate", type=float, metavar="PER_HOUR", help="Poisson arrivals per hour")
    size.add_argument("--load", type=float, default=None, metavar="FRACTION",
                      help="size the stream to keep this share of the cores busy (default 0.7)")
    load.add_argument("--runtime-median", type=float, metavar="SECONDS",
                      help="median of the lognormal runtimes (default 14400)")
    load.add_argument("--runtime-sigma", type=float, metavar="SIGMA",
                      help="sigma of the lognormal runtimes (default 1.0)")
    load.add_argument("--mix", metavar="NAME=W,…",
                      help="profile weights (default: equal shares)")
    load.add_argument("--alone", action="store_true",
                      help="replay each profile alone on the whole stream, as if every user "
                      "wrote their Requirements that way")
    load.add_argument("--users", type=int, default=DEFAULT_USERS, metavar="N",
                      help="submitters (default: %(default)s)")
    load.add_argument("--heavy-users", type=int, metavar="K",
                      help="how many of them are heavy (default: a fifth, at least one)")
    load.add_argument("--heavy-share", type=float, default=DEFAULT_HEAVY_SHARE, metavar="F",
                      help="share of the jobs the heavy users submit (default: %(default)g)")
    trace = parser.add_argument_group("a trace instead")
    trace.add_argument("--trace", metavar="FILE.swf", help="jobs from an SWF trace")
    trace.add_argument("--profile-map", metavar="RULE",
                       help="FIELD (spread by value) or FIELD:VALUE=PROFILE,…,*=PROFILE "
                       "(default: the trace's 19th field if any, else by user)")
    parser.add_argument("--profiles", metavar="A,B", help="ladder steps (default: all)")
    parser.add_argument("--requirements", action="append", default=[], metavar="[NAME=]EXPR",
                        help=f"a profile with these Requirements (repeatable; "
                        f"{options.EXPRESSION_LIMITS})")
    options.add_template_option(parser, "job ad the profiles are built on")
    options.add_submit_options(parser)
    parser.add_argument("--reference", metavar="NAME",
                        help="the ladder's reference machine (default: the most common tribe)")
    parser.add_argument("--cycle", type=float, default=60.0, metavar="SECONDS",
                        help="negotiation cycle, NEGOTIATOR_INTERVAL (default: %(default)g)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    parser.add_argument("--by", choices=sorted(PERIODS),
                        help="one row per group and day/week of submission")
    parser.add_argument("--per", choices=GROUPINGS, default="profile",
                        help="one row per profile, submitter or both (default: %(default)s)")
    options.add_format_option(parser)
    options.add_quiet_option(parser)

    knobs = NegotiatorKnobs()
    neg = parser.add_argument_group(
        "the negotiator (HTCondor's knobs, HTCondor's defaults; fairshare only)")
    neg.add_argument("--negotiator", choices=NEGOTIATORS, default=DEFAULT_NEGOTIATOR,
                     help="fairshare, or fifo: one queue, oldest first (default: %(default)s)")
    neg.add_argument("--priority-halflife", type=float, default=knobs.priority_halflife,
                     metavar="SECONDS", help="PRIORITY_HALFLIFE (default: %(default)g)")
    neg.add_argument("--default-prio-factor", type=float, default=knobs.default_prio_factor,
                     metavar="F", help="DEFAULT_PRIO_FACTOR (default: %(default)g)")
    neg.add_argument("--prio-factor", action="append", default=[], metavar="USER=F",
                     help="one submitter's priority factor, as condor_userprio -setfactor "
                     "(repeatable)")
    neg.add_argument("--negotiator-consider-preemption", type=_flag, metavar="BOOL",
                     default=knobs.negotiator_consider_preemption,
                     help="NEGOTIATOR_CONSIDER_PREEMPTION: submitters with only running jobs "
                     "stay in the pie (default: true)")
    neg.add_argument("--negotiator-pre-job-rank", metavar="EXPR",
                     default=knobs.negotiator_pre_job_rank,
                     help="NEGOTIATOR_PRE_JOB_RANK (default: HTCondor's best fit; every "
                     "expression knob has the limits of --requirements)")
    neg.add_argument("--negotiator-post-job-rank", metavar="EXPR",
                     default=knobs.negotiator_post_job_rank,
                     help="NEGOTIATOR_POST_JOB_RANK (default: HTCondor's)")
    neg.add_argument("--claim-partitionable-leftovers", type=_flag, metavar="BOOL",
                     default=knobs.claim_partitionable_leftovers,
                     help="CLAIM_PARTITIONABLE_LEFTOVERS (default: true)")
    neg.add_argument("--claim-worklife", type=float, default=knobs.claim_worklife,
                     metavar="SECONDS", help="CLAIM_WORKLIFE (default: %(default)g)")
    for res, text in (("cpus", knobs.modify_request_expr_requestcpus),
                      ("memory", knobs.modify_request_expr_requestmemory),
                      ("disk", knobs.modify_request_expr_requestdisk)):
        neg.add_argument(f"--modify-request-expr-request{res}", metavar="EXPR", default=text,
                         help=f"MODIFY_REQUEST_EXPR_REQUEST{res.upper()} (default: %(default)s)")
    drain = parser.add_argument_group(
        "reboots (default: the store's reboot.toml from its scenario, else these)")
    drain.add_argument("--max-job-retirement-time", type=float, metavar="SECONDS",
                       help="MaxJobRetirementTime of a draining machine (default: 0)")
    drain.add_argument("--reboot-time", type=float, metavar="SECONDS",
                       help="how long a rebooting machine is gone (default: 600)")
    drain.add_argument("--reboot-attributes", metavar="A,B",
                       help="slot attributes whose change means a reboot (default: "
                       + ",".join(knobs.reboot_attributes) + ")")


def _knobs(args):
    """The negotiator's knobs: the options parsed here, merged over the store's by the library."""
    import dataclasses

    from simulator.analyses.replay import NegotiatorKnobs, store_knobs
    from simulator.model.errors import TribesError

    factors = {}
    for item in args.prio_factor:
        user, eq, value = item.partition("=")
        try:
            factors[user.strip()] = float(value)
        except ValueError:
            eq = ""
        if not eq or not user.strip():
            raise TribesError(f"--prio-factor {item!r}: give USER=FACTOR")
    given = {f.name: getattr(args, f.name, None) for f in dataclasses.fields(NegotiatorKnobs)}
    given["prio_factors"] = factors
    given["reboot_attributes"] = tuple(a.strip() for a in (args.reboot_attributes or "").split(",")
                                       if a.strip()) or None
    return store_knobs(args.pool, **given)


def run(args) -> int:
    from simulator.analyses.replay.session import replay_store
    from simulator.render.output import write_csv, write_json
    from simulator.render.replay import header, record_keys, replay_table

    run_ = replay_store(
        args.pool, profiles=args.profiles.split(",") if args.profiles else None,
        requirements=args.requirements, template=args.template, reference=args.reference,
        jobs=args.jobs, rate=args.rate, load=args.load, runtime_median=args.runtime_median,
        runtime_sigma=args.runtime_sigma, mix=args.mix, trace=args.trace,
        profile_map=args.profile_map, cycle=args.cycle, seed=args.seed, alone=args.alone,
        submit_files=args.submit, submit_host=args.submit_host,
        condor_version=args.condor_version, as_written=args.as_written,
        progress=options.show_progress(args), negotiator=args.negotiator, knobs=_knobs(args),
        users=args.users, heavy_users=args.heavy_users, heavy_share=args.heavy_share,
    )
    for line in run_.warnings:
        print(f"tribes: warning: {line}", file=sys.stderr)
    records = run_.records(by=PERIODS.get(args.by), per=args.per)
    keys = record_keys(args.per, bool(args.by))
    if args.format == "json":
        write_json([{k: r[k] for k in keys} for r in records])
        return 0
    if args.format == "csv":
        write_csv(records, keys)
        return 0
    print(header(run_))
    print()
    print(replay_table(records, by=bool(args.by), per=args.per))
    return 0
