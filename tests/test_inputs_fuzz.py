"""Fuzzing every input path: whatever bytes a file holds and whatever number an option is
given, ``tribes`` exits 0, or fails with exactly one line ``tribes: error: …`` (exit 1; an
option argparse itself refuses: its usage and exit 2), and never a traceback.

Hypothesis runs derandomized (the same examples on every run, so CI is reproducible) and
sized for CI: a few hundred examples, well under a minute.
"""

import contextlib
import gzip
import io
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import cli
from simulator.data import SCENARIOS
from simulator.model.errors import TribesError

FIXTURES = Path(__file__).parent / "fixtures" / "real-ads"
SLOT_AD = (FIXTURES / "htcondor__htcondor__src_condor_tests_StatusAds_small1slot").read_text()
JOB_AD = (FIXTURES / "Rhymlore__htcondor-web__wiki-archive_files_880_jobad").read_text()
TINY_SLOT = ('MyType = "Machine"\nName = "slot1@desk"\nMachine = "desk"\nOpSys = "LINUX"\n'
             'Arch = "X86_64"\nCpus = 4\nMemory = 8192\nDisk = 10000000\n'
             "HasFileTransfer = true\nStart = true\nRequirements = START\n")
SUBMIT = ("universe = vanilla\nexecutable = /bin/sleep\narguments = 60\nrequest_cpus = 1\n"
          "request_memory = 1024\nrequirements = OpSys == \"LINUX\"\nqueue\n")

FUZZ = settings(derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _formats(long_text: str) -> dict:
    """One ad (the first of ``long_text``) in every form the readers sniff."""
    from simulator.model.condor import ParserType, parse_ads

    ad = next(iter(parse_ads(long_text, ParserType.Old)))
    xml = "".join(f'<a n="{k}"><e>{_xml_escape(str(ad.lookup(k)))}</e></a>' for k in ad)
    table = ("Name               OpSys      Arch   State     Activity LoadAv Mem   ActvtyTime\n\n"
             "slot1@desk.example LINUX      X86_64 Unclaimed Idle      0.000 1024  0+00:00:04\n")
    return {
        "long": long_text,
        "new": str(ad),
        "json": "[\n" + ad.printJson() + "\n]\n",
        "xml": f'<?xml version="1.0"?>\n<classads>\n<c>{xml}</c>\n</classads>\n',
        "table": table,
    }


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


POOL_FORMATS = _formats(SLOT_AD)
JOB_FORMATS = {k: v for k, v in _formats(JOB_AD).items() if k in ("long", "new", "json")}


@st.composite
def mutated(draw, text: str) -> bytes:
    """``text`` as UTF-8 with a few random edits: a span cut, bytes or text put in, a span
    doubled; maybe gzipped."""
    data = bytearray(text.encode("utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["cut", "bytes", "text", "double", "flip"]))
        at = draw(st.integers(0, len(data)))
        if kind == "cut":
            del data[at:at + draw(st.integers(1, 40))]
        elif kind == "bytes":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "text":
            data[at:at] = draw(st.sampled_from(
                ['"', "'", "[", "]", "{", "}", "<", ">", "=", "\n\n", "\\", "NaN", '""',
                "\ufeff", "/*", "(", ")", "\r\n", "\x00", "1e999", "<e>(1 + </e>"])).encode()
        elif kind == "double":
            data[at:at] = data[at:at + draw(st.integers(1, 200))]
        elif data and at < len(data):
            data[at] ^= 1 << draw(st.integers(0, 7))
    out = bytes(data)
    return gzip.compress(out, mtime=0) if draw(st.booleans()) else out


def file_contents(formats: dict):
    """Random bytes, random text, or a real ad in one of ``formats``, mutated."""
    return st.one_of(
        st.binary(max_size=400),
        st.text(max_size=300).map(lambda t: t.encode("utf-8")),
        st.sampled_from(sorted(formats)).flatmap(lambda f: mutated(formats[f])),
    )


def run(argv):
    """(status, stdout, stderr) of ``tribes argv``, in this process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli.main(argv)
        except SystemExit as exc:  # argparse's own usage errors
            status = exc.code
    return status, out.getvalue(), err.getvalue()


def assert_clean(argv):
    """Exit 0; or one line ``tribes: error: …`` and exit 1; or argparse's usage, exit 2."""
    status, _, err = run(argv)
    lines = err.splitlines()
    errors = [line for line in lines if not line.startswith("tribes: warning: ")]
    assert "Traceback" not in err, (argv, err)
    if status == 0:
        return
    if status == 2:
        assert re.match(r"tribes( [a-z-]+)*: error: ", lines[-1]), (argv, err)
        return
    assert status == 1, (argv, status, err)
    assert len(errors) == 1 and errors[0].startswith("tribes: error: "), (argv, err)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """A folder with a one-slot pool, a store of two days of it, and a file to fuzz into."""
    folder = tmp_path_factory.mktemp("fuzz")
    pool = folder / "pool.ads"
    pool.write_text(TINY_SLOT)
    for day in ("2024-01-01", "2024-01-02"):
        status, _, err = run(["snapshot", "--pool", str(pool), "--store", str(folder / "store"),
                              "--time", day])
        assert status == 0, err
    return folder


@settings(FUZZ, max_examples=150)
@given(data=file_contents(POOL_FORMATS))
def test_fuzz_pool_files(inputs, data):
    path = inputs / "fuzzed.ads"
    path.write_bytes(data)
    assert_clean(["report", "--pool", str(path), "OpSys", "Arch"])


@settings(FUZZ, max_examples=60)
@given(data=file_contents(JOB_FORMATS))
def test_fuzz_job_files(inputs, data):
    path = inputs / "fuzzed.ad"
    path.write_bytes(data)
    pool = str(inputs / "pool.ads")
    assert_clean(["simulate", "--pool", pool, "--job", str(path), "--format", "csv"])
    assert_clean(["simulate", "--pool", pool, "--template", str(path), "--profiles", "opsys"])


@settings(FUZZ, max_examples=40)
@given(data=file_contents({"submit": SUBMIT}))
def test_fuzz_submit_files(inputs, data):
    path = inputs / "fuzzed.sub"
    path.write_bytes(data)
    assert_clean(["simulate", "--pool", str(inputs / "pool.ads"), "--submit", str(path)])


def _library_clean(read, path):
    """A library reader gives its result or one TribesError of one line, nothing else."""
    try:
        read(path)
    except TribesError as exc:
        assert "\n" not in str(exc), str(exc)


@settings(FUZZ, max_examples=60)
@given(data=file_contents({"toml": (SCENARIOS / "example.toml").read_text()}))
def test_fuzz_scenario_files(inputs, data):
    from simulator.analyses.scenario import load_scenario

    path = inputs / "fuzzed.toml"
    path.write_bytes(data)
    _library_clean(load_scenario, path)


SWF = "".join((SCENARIOS / "example.swf").read_text().splitlines(keepends=True)[:40])


@settings(FUZZ, max_examples=40)
@given(data=file_contents({"swf": SWF}))
def test_fuzz_trace_files(inputs, data):
    from simulator.analyses.replay.trace import read_swf

    path = inputs / "fuzzed.swf"
    path.write_bytes(data)
    _library_clean(read_swf, path)


# --- numeric options ------------------------------------------------------------------

NUMBERS = st.one_of(
    st.sampled_from(["nan", "inf", "-inf", "1e999", "-0", "0", "1e-320", "1e12", "-1",
                     "99999999999999999999", "0.5", "1", "abc", ""]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10 ** 12, 10 ** 12).map(str),
    st.floats(0, 100).map(lambda x: f"{x:g}"),
)
REPLAY_OPTIONS = ["--jobs", "--rate", "--load", "--runtime-median", "--runtime-sigma",
                  "--users", "--heavy-users", "--heavy-share", "--cycle", "--seed",
                  "--priority-halflife", "--default-prio-factor", "--claim-worklife",
                  "--max-job-retirement-time", "--reboot-time", "--prio-factor", "--mix"]


@settings(FUZZ, max_examples=170)
@given(option=st.sampled_from(REPLAY_OPTIONS), value=NUMBERS)
def test_fuzz_replay_numbers(inputs, option, value):
    from simulator.analyses.replay import jobs

    argv = ["replay", "--pool", str(inputs / "store"), "--profiles", "opsys", "--quiet"]
    if option not in ("--jobs", "--rate", "--load"):
        argv += ["--jobs", "20"]
    if option == "--prio-factor":
        value = "user=" + value
    elif option == "--mix":
        value = "opsys=" + value
    with pytest.MonkeyPatch.context() as patch:  # a stream bigger than 20,000 jobs: refused
        patch.setattr(jobs, "available_memory", lambda: 20_000 * jobs.BYTES_PER_JOB)
        assert_clean(argv + [f"{option}={value}"])


@settings(FUZZ, max_examples=60)
@given(option=st.sampled_from(["--seed", "--slots", "spec seed", "spec slots", "--time"]),
       value=NUMBERS)
def test_fuzz_pool_and_time_numbers(inputs, option, value):
    from simulator import pools

    with pytest.MonkeyPatch.context() as patch:  # a generated pool of at most 2,000 slots
        patch.setattr(pools, "MAX_SLOTS", 2000)
        if option == "--time":
            assert_clean(["simulate", "--pool", str(inputs / "pool.ads"), "--profiles", "opsys",
                          f"--time={value}"])
        elif option.startswith("spec"):
            assert_clean(["report", "--pool", f"modern:{option[5:]}={value}", "OpSys"])
        else:
            assert_clean(["report", "--pool", "modern:slots=100", f"{option}={value}", "OpSys"])


@settings(FUZZ, max_examples=40)
@given(address=st.one_of(st.text(max_size=40), st.from_regex(
    r"(tcp://)?[a-z]{1,8}(\.[a-z]{1,5})?:[0-9]{0,6}", fullmatch=True)))
def test_fuzz_dask_addresses(address):
    from simulator.analyses import rates_dask

    _library_clean(rates_dask.check_address, address)


SCENARIO_KEYS = {"days": "scenario", "seed": "scenario", "slots": "pool",
                 "join_per_day": "churn", "leave_per_day": "churn",
                 "max_job_retirement_time": "reboot", "reboot_time": "reboot"}


@settings(FUZZ, max_examples=60)
@given(key=st.sampled_from(sorted(SCENARIO_KEYS)),
       value=st.one_of(st.sampled_from(["nan", "inf", "-inf", "+inf", "1e999", "-1", "0",
                                        "1e6", "99999999999999999999", "3.5"]),
                       st.floats(allow_nan=False, allow_infinity=False).map(repr),
                       st.integers(-10 ** 20, 10 ** 20).map(str)))
def test_fuzz_scenario_numbers(key, value):
    from simulator.analyses.scenario import parse_scenario

    tables = {"scenario": {"start": "2010-04-05", "days": "3"}, "pool": {"builtin":
              '"modern"'}, "churn": {}, "reboot": {}}
    tables[SCENARIO_KEYS[key]][key] = value
    text = "".join(f"[{name}]\n" + "".join(f"{k} = {v}\n" for k, v in keys.items())
                   for name, keys in tables.items())
    _library_clean(parse_scenario, text)
