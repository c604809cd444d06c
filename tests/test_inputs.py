"""Every input path decodes and validates up front: a file or option the user gives that
cannot be used ends in one line ``tribes: error: …`` (exit 1), never a traceback."""

import gzip
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from store_helpers import snapshot_store

from simulator import cli
from simulator.data import SCENARIOS

SLOT_AD = ('MyType = "Machine"\nName = "slot1@desk"\nOpSys = "LINUX"\nArch = "X86_64"\n'
           "Cpus = 1\nMemory = 2048\nStart = true\nRequirements = START\n")
JOB_AD = 'MyType = "Job"\nRequestCpus = 1\nRequirements = true\n'


def one_line_error(capsys, argv, status=1):
    """Run ``tribes argv``: it fails with ``status`` and exactly one line on stderr."""
    assert cli.main(argv) == status
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tribes: error: "), captured.err
    return lines[0][len("tribes: error: "):]


@pytest.fixture
def store(tmp_path, capsys):
    """A store of two daily snapshots of a one-slot pool, written by ``tribes snapshot``."""
    return snapshot_store(tmp_path, capsys, SLOT_AD)


# Bytes that are not UTF-8 text, and where the first bad byte is.
NOT_TEXT = {
    "utf16": ((JOB_AD).encode("utf-16"), 0xFF, 0),
    "gzip": (gzip.compress(JOB_AD.encode(), mtime=0), 0x8B, 1),
    "latin1": ('Owner = "jos\u00e9"\n'.encode("latin-1"), 0xE9, 12),
    "ff": (b"x = 1\n\xff\n", 0xFF, 6),
}


def _commands(path, store):
    """Every command line that reads ``path`` as a text file of some kind."""
    return {
        "job": ["simulate", "--job", path, "--profiles", "opsys"],
        "template": ["simulate", "--template", path, "--profiles", "opsys"],
        "submit": ["simulate", "--submit", path],
        "scenario check": ["scenario", "check", path],
        "scenario run": ["scenario", "run", path, "--store", str(store) + "-new"],
        "trace": ["replay", "--pool", str(store), "--trace", path],
        "pool": ["simulate", "--pool", path],
        "report": ["report", "--pool", path, "OpSys"],
        "snapshot": ["snapshot", "--pool", path, "--store", str(store)],
    }


@pytest.mark.parametrize("kind", sorted(NOT_TEXT))
def test_a_file_that_is_not_utf8_is_one_line_in_one_wording(tmp_path, store, capsys, kind):
    data, byte, offset = NOT_TEXT[kind]
    path = tmp_path / f"input.{kind}"
    path.write_bytes(data)
    for name, argv in _commands(str(path), store).items():
        message = one_line_error(capsys, argv)
        if kind == "gzip" and name in ("pool", "report", "snapshot"):
            # Pools may be gzipped: undone, then read as ads (a job ad: no slot in it).
            assert message.startswith(f"{path}: no slot ads"), (name, message)
            continue
        assert message == f"{path}: not UTF-8 text (byte 0x{byte:02x} at offset {offset})", name


def _unblock_later(fifo):
    """Should a reader ever wait on ``fifo`` again, open its other end after a while and
    close it: the reader then sees an empty file and the test fails instead of hanging."""

    def unblock():
        if not done.wait(10):
            with open(fifo, "wb"):
                pass

    done = threading.Event()
    threading.Thread(target=unblock, daemon=True).start()
    return done


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_fifo_or_a_device_is_refused_not_read(tmp_path, store, capsys, kind):
    # A FIFO held every command forever; /dev/zero filled the memory (MemoryError).
    if kind == "fifo":
        path, what = tmp_path / "input", "a FIFO"
        os.mkfifo(path)
        done = _unblock_later(path)
    else:
        path, what = Path("/dev/zero"), "a character device"
    commands = _commands(str(path), store)
    commands["requirements"] = ["requirements", str(path)]
    commands["analyze"] = ["analyze", "--job", str(path)]
    for name, argv in commands.items():
        message = one_line_error(capsys, argv)
        assert message == f"{path}: {what}, not a regular file", name
    if kind == "fifo":
        done.set()


def test_a_fifo_named_like_a_snapshot_in_a_store_is_refused_not_waited_on(store, capsys):
    fifo = store / "snapshot-20240103T000000Z.parquet"
    os.mkfifo(fifo)
    done = _unblock_later(fifo)
    for argv in (["report", "--pool", str(store), "OpSys"],
                 ["simulate", "--pool", str(store), "--profiles", "opsys"],
                 ["analyze", "--requirements", "true", "--pool", str(store)],
                 ["replay", "--pool", str(store), "--jobs", "10"]):
        assert one_line_error(capsys, argv) == f"{fifo}: a FIFO, not a regular file", argv
    done.set()


def test_ads_past_the_available_memory_are_refused_before_they_are_read(tmp_path, store,
                                                                       capsys, monkeypatch):
    # A few MB of gzip held gigabytes of text: gunzipped whole, then read, past the memory.
    from simulator.io.readers import text

    monkeypatch.setattr(text, "available_memory", lambda: 16 << 20)  # 1 MB of text fits
    bomb = tmp_path / "bomb.ads.gz"
    bomb.write_bytes(gzip.compress(SLOT_AD.encode() + b" " * (4 << 20), mtime=0))
    assert bomb.stat().st_size < 10_000
    big = tmp_path / "big.ads"
    big.write_bytes(SLOT_AD.encode() + b" " * (2 << 20))
    for path, what in ((bomb, "more than 1.0 MB of text once gunzipped would need more "
                              "than 16.0 MB"),
                       (big, "2.0 MB of text would need more than 32.0 MB")):
        for argv in (["report", "--pool", str(path), "OpSys"],
                     ["snapshot", "--pool", str(path), "--store", str(store)]):
            assert one_line_error(capsys, argv) == (
                f"{path}: {what} of memory to read (16 bytes a byte), more than the 16.0 MB "
                "this machine has available")
    small = tmp_path / "small.ads.gz"
    small.write_bytes(gzip.compress(SLOT_AD.encode(), mtime=0))
    assert cli.main(["report", "--pool", str(small), "OpSys"]) == 0


@pytest.mark.parametrize("depth", [1000, 20_000, 100_000])
def test_xml_nested_past_htcondors_parser_is_one_line(tmp_path, depth):
    # HTCondor's XML parser recurses once per element: 20,000 levels ran out of memory
    # (a traceback), 100,000 crashed tribes (SIGSEGV).  In a child process, as a crash would
    # end this one.
    pool = tmp_path / "deep.xml"
    pool.write_text('<classads>\n<c><a n="MyType"><s>Machine</s></a>\n<a n="X">'
                    + "<l>" * depth + "</l>" * depth + "</a></c>\n</classads>\n")
    result = subprocess.run([sys.executable, "-m", "simulator", "report", "--pool", str(pool),
                             "MyType"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr[-2000:]
    assert result.stderr == (f"tribes: error: {pool}: ad 1, line 2: elements nested more than "
                             "1,000 deep, past what HTCondor's XML parser reads\n")


def test_submit_macros_that_double_are_refused_past_a_megabyte(tmp_path, capsys):
    # Each line doubling the one before: 45 lines asked for 175 TB (2 GB, then MemoryError).
    lines = ["executable = a", "M0 = xxxxxxxxxx"]
    lines += [f"M{i} = $(M{i - 1})$(M{i - 1})" for i in range(1, 45)]
    sub = tmp_path / "bomb.sub"
    sub.write_text("\n".join(lines + ["requirements = $(M44) == 1", "queue"]) + "\n")
    for command in ("simulate", "analyze"):
        assert one_line_error(capsys, [command, "--submit", str(sub)]) == (
            f"{sub}: line 19: the value expands to more than 1,048,576 characters "
            "(macros of macros)")
    sub.write_text("A = $(B)\nB = $(A)\nrequirements = $(A)\nqueue\n")  # a cycle
    assert one_line_error(capsys, ["simulate", "--submit", str(sub)]) == (
        f"{sub}: line 1: $(B) is not defined in the submit file (only macros the file "
        "defines are expanded)")


def _peak_mb(argv):
    """Peak resident memory of a child process running ``argv`` (its own, from wait4)."""
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    with child.stderr:
        assert child.returncode == 0, child.stderr.read().decode()
    return usage.ru_maxrss / 1024


@pytest.mark.skipif(not hasattr(os, "wait4"), reason="needs os.wait4")
def test_a_long_string_value_costs_memory_in_proportion(tmp_path):
    # The scan for strings kept a backtracking frame per character: one 10 MB value in new
    # syntax took 1.1 GB more than a short one (now about 0.15 GB).
    value = "x" * 10_000_000
    peaks = {}
    for name, text in (("short.new", '[ MyType = "Machine"; X = "x" ]\n'),
                       ("long.new", f'[ MyType = "Machine"; X = "{value}" ]\n'),
                       ("long.json", f'[{{"MyType": "Machine", "X": "{value}"}}]\n')):
        pool = tmp_path / name
        pool.write_text(text)
        peaks[name] = _peak_mb([sys.executable, "-m", "simulator", "report", "--pool",
                                str(pool), "MyType"])
    assert peaks["long.new"] - peaks["short.new"] < 400, peaks
    assert peaks["long.json"] - peaks["short.new"] < 400, peaks


def _nested(depth, json_text):
    """A JSON ad with a value nested ``depth`` deep."""
    return json_text % ("[" * depth + "]" * depth)


@pytest.mark.parametrize("depth", [5000, 100_000])
def test_json_nested_past_the_parser_is_one_line(tmp_path, store, capsys, depth):
    # Python's JSON decoder recurses once per level: RecursionError, a traceback.
    pool = tmp_path / "deep.json"
    pool.write_text(_nested(depth, '[{"MyType": "Machine", "Name": "a", "X": %s}]'))
    job = tmp_path / "deep-job.json"
    job.write_text(_nested(depth, '[{"Requirements": true, "X": %s}]'))
    for argv in (["report", "--pool", str(pool), "Name"],
                 ["snapshot", "--pool", str(pool), "--store", str(store)]):
        assert one_line_error(capsys, argv) == (
            f"{pool}: ad 1, line 1: lists or objects nested too deep for the JSON parser")
    for argv in (["simulate", "--job", str(job)], ["simulate", "--template", str(job)],
                 ["analyze", "--job", str(job)]):
        assert one_line_error(capsys, argv) == (
            f"{job}: lists or objects nested too deep for the JSON parser")


@pytest.mark.parametrize("value", ["[" * 5000 + "]" * 5000, "{a = " * 3000 + "1" + "}" * 3000])
def test_toml_nested_past_the_parser_is_one_line(tmp_path, store, capsys, value):
    scenario = tmp_path / "deep.toml"
    scenario.write_text(SCENARIO + f"[extra]\nx = {value}\n")
    reboot = store / "reboot.toml"
    reboot.write_text(f"[reboot]\nx = {value}\n")
    for argv, path in ((["scenario", "check", str(scenario)], scenario),
                       (["scenario", "run", str(scenario), "--store", str(store) + "-new"],
                        scenario),
                       (["replay", "--pool", str(store), "--jobs", "10"], reboot)):
        assert one_line_error(capsys, argv) == (
            f"{path}: not valid TOML: arrays or tables nested too deep for the parser")


def test_a_binary_program_given_as_a_job_is_one_line(capsys):
    message = one_line_error(capsys, ["simulate", "--job", "/bin/ls"])
    assert message.startswith("/bin/ls: not UTF-8 text (byte 0x")


def test_a_byte_order_mark_is_dropped_and_the_first_attribute_keeps_its_name(tmp_path, capsys):
    bom = "\ufeff"
    pool = tmp_path / "bom.ads"
    pool.write_text(bom + SLOT_AD, encoding="utf-8")
    assert cli.main(["report", "--pool", str(pool), "MyType", "OpSys", "--format", "csv"]) == 0
    assert "Machine" in capsys.readouterr().out
    for text in ('[\n{"MyType": "Machine", "OpSys": "LINUX"}\n]\n',
                 '[ MyType = "Machine"; OpSys = "LINUX" ]\n',
                 '<classads><c><a n="MyType"><s>Machine</s></a>'
                 '<a n="OpSys"><s>LINUX</s></a></c></classads>'):
        pool.write_text(bom + text, encoding="utf-8")
        assert cli.main(["report", "--pool", str(pool), "MyType", "OpSys"]) == 0, text
        assert "Machine" in capsys.readouterr().out
    job = tmp_path / "bom.ad"
    job.write_text(bom + JOB_AD.replace("true", 'TARGET.OpSys == "LINUX"'), encoding="utf-8")
    assert cli.main(["simulate", "--pool", str(tmp_path / "bom.ads"), "--job", str(job),
                     "--format", "json"]) == 0
    capsys.readouterr()
    toml = tmp_path / "bom.toml"
    toml.write_text(bom + (SCENARIOS / "rhel4_to_rhel5.toml").read_text(), encoding="utf-8")
    assert cli.main(["scenario", "check", str(toml), "--format", "json"]) == 0
    capsys.readouterr()


def test_the_library_reads_a_bom_file_with_the_first_name_intact(tmp_path):
    from simulator.io.readers import read_file

    pool = tmp_path / "bom.ads"
    pool.write_bytes(b"\xef\xbb\xbf" + SLOT_AD.encode())
    snap = read_file(pool)
    assert list(snap.ads.columns)[0] == "mytype"
    assert snap.names["mytype"] == "MyType"


# What Python's JSON and XML parsers accept and HTCondor's refuse: refused by name.
SLOT_JSON = '[\n{"MyType": "Machine", "OpSys": "LINUX",\n "Cpus": %s}\n]\n'
SLOT_XML = ('<classads>\n<c>\n<a n="MyType"><s>Machine</s></a>\n<a n="OpSys"><s>LINUX</s></a>\n'
            '%s\n</c>\n</classads>\n')
REFUSED = {
    "nan.json": (SLOT_JSON % "NaN", "ad 1, line 3: NaN is not a number HTCondor reads"),
    "inf.json": (SLOT_JSON % "Infinity", "ad 1, line 3: Infinity is not a number"),
    "-inf.json": (SLOT_JSON % "-Infinity", "ad 1, line 3: -Infinity is not a number"),
    "nested-nan.json": (SLOT_JSON % "[1, NaN]", "ad 1, line 3: NaN is not a number"),
    "empty-key.json": (SLOT_JSON.replace('"Cpus"', '""') % "1",
                       'ad 1, line 3: an attribute with an empty name ("")'),
    "nested-empty-key.json": (SLOT_JSON % '{"": 1}', "ad 1, line 3: an attribute with an "
                              "empty name"),
    "bad-expr.json": (SLOT_JSON % '"\\/Expr(1 + )\\/"',
                      "ad 1, line 3: attribute 'Cpus': the expression '1 + ' does not parse"),
    "bad-expr.xml": (SLOT_XML % '<a n="Start"><e>(1 + </e></a>',
                     "ad 1, line 5: attribute 'Start' cannot be parsed"),
    "empty-name.xml": (SLOT_XML % '<a n=""><i>1</i></a>',
                       'ad 1, line 5: an attribute with an empty name (n="")'),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_json_and_xml_htcondor_refuses_are_refused_with_file_ad_and_reason(tmp_path, capsys,
                                                                          name):
    from simulator.io.readers import read_file
    from simulator.model.errors import AdParseError

    text, reason = REFUSED[name]
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(AdParseError) as exc:
        read_file(path)
    assert str(exc.value).startswith(f"{path}: {reason}"), str(exc.value)
    assert one_line_error(capsys, ["report", "--pool", str(path), "OpSys"]) == str(exc.value)


def test_a_good_json_and_xml_pool_still_reads(tmp_path):
    from simulator.io.readers import read_file

    for name, text in (("ok.json", SLOT_JSON % '"\\/Expr(2 * 4)\\/"'),
                       ("ok.xml", SLOT_XML % '<a n="Cpus"><e>2 * 4</e></a>')):
        path = tmp_path / name
        path.write_text(text)
        assert read_file(path).ads.loc[0, "cpus"] == "2 * 4"


@pytest.mark.parametrize("value, reason", [
    ("NaN", "NaN is not a number HTCondor reads"),
    ("Infinity", "Infinity is not a number HTCondor reads"),
    ('"\\/Expr(1 + )\\/"', "attribute 'Requirements': the expression '1 + ' does not parse"),
])
def test_json_job_ads_htcondor_refuses_are_refused(tmp_path, capsys, value, reason):
    job = tmp_path / "job.json"
    job.write_text('[{"MyType": "Job", "RequestCpus": 1, "Requirements": ' + value + '}]')
    message = one_line_error(capsys, ["simulate", "--job", str(job)])
    assert message.startswith(f"{job}: ") and reason in message
    job.write_text('[{"MyType": "Job", "": 1, "Requirements": true}]')
    assert one_line_error(capsys, ["simulate", "--job", str(job)]) == (
        f'{job}: an attribute with an empty name ("")')


def _footer_record(path, new: bytes) -> bytes:
    """A snapshot file's bytes with the condor-tribes record of its footer set to ``new``
    (the cells as they are), as a half-written or hand-edited file may hold."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    table = table.replace_schema_metadata({**table.schema.metadata, b"condor_tribes": new})
    out = path.with_suffix(".tmp")
    pq.write_table(table, out)
    data = out.read_bytes()
    out.unlink()
    return data


def _corruptions(path):
    """Broken copies of a snapshot file's bytes, by what breaks."""
    data = path.read_bytes()
    yield "truncated to nothing", b""
    yield "truncated to its magic", data[:4]
    for cut in (1, 8, 100, len(data) // 2):
        yield f"last {cut} bytes cut", data[:-cut]
    yield "footer length garbled", data[:-8] + b"\xff\xff\xff\x7f" + data[-4:]
    yield "footer record not JSON", _footer_record(path, b'{"time": ')
    yield "footer record not UTF-8", _footer_record(path, b'{"time": "\xff"}')
    yield "footer record a list", _footer_record(path, b"[1, 2]")
    yield "footer record without time", _footer_record(path, b'{"tIme": 1}')
    yield "footer time not a number", _footer_record(
        path, b'{"time": "x", "time_source": "given", "source": "s"}')
    yield "footer time out of range", _footer_record(
        path, b'{"time": 99999999999999999999, "time_source": "given", "source": "s"}')
    yield "footer names not a table", _footer_record(
        path, b'{"time": 1, "time_source": "given", "source": "s", "names": 3}')
    middle = len(data) // 2
    yield "bytes zeroed in the middle", data[:middle] + bytes(64) + data[middle + 64:]


def test_a_corrupt_snapshot_is_one_line_naming_the_file(store, capsys):
    from simulator.io import store as store_io
    from simulator.model.errors import SnapshotError

    first = sorted(store.glob("snapshot-*.parquet"))[0]
    assert store_io.load(first).time  # the untouched copy reads
    for what, data in list(_corruptions(first)):
        first.write_bytes(data)
        for read in (store_io.load, store_io.meta):
            try:
                read(first)
            except SnapshotError as exc:
                assert str(exc).startswith(f"{first}: "), (what, str(exc))
                assert "\n" not in str(exc), what
        for argv in (["simulate", "--pool", str(store), "--profiles", "opsys"],
                     ["simulate", "--pool", str(first), "--profiles", "opsys"],
                     ["report", "--pool", str(store), "OpSys"],
                     ["replay", "--pool", str(store), "--jobs", "10", "--profiles", "opsys"]):
            status = cli.main(argv)
            captured = capsys.readouterr()
            if status == 0:  # bytes that changed no cell read (a column's padding)
                continue
            lines = captured.err.splitlines()
            assert status == 1 and len(lines) == 1, (what, argv, captured.err)
            assert lines[0].startswith(f"tribes: error: {first}: "), (what, lines[0])


# Every numeric option: each bad value is one line that says the valid range.
REPLAY_BAD = [
    (["--rate", "nan"], "--rate nan: give a number from 0 (excluded) to 1e6 per hour"),
    (["--rate", "inf"], "--rate inf: give a number from 0 (excluded) to 1e6 per hour"),
    (["--rate", "1e12"], "--rate 1e12: give a number from 0 (excluded) to 1e6 per hour"),
    (["--runtime-median", "nan"], "--runtime-median nan: give a number from 0 (excluded) to "
     "1e9 seconds"),
    (["--runtime-sigma", "nan"], "--runtime-sigma nan: give a number from 0 to 10"),
    (["--runtime-sigma", "-1"], "--runtime-sigma -1: give a number from 0 to 10"),
    (["--cycle", "inf"], "--cycle inf: give a number from 1 to 86400 seconds"),
    (["--load", "nan"], "--load nan: give a number from 0 (excluded) to 10"),
    (["--jobs", "-1"], "--jobs -1: give a whole number of at least 0"),
    (["--mix", "opsys=nan"], "--mix opsys=nan: give a number of at least 0 (a weight)"),
    (["--users", "0"], "--users 0: give a whole number from 1 to 100000"),
    (["--heavy-users", "99"], "--heavy-users 99: give a whole number from 0 to 20"),
    (["--heavy-share", "nan"], "--heavy-share nan: give a number from 0 to 1"),
    (["--seed", "-1"], "--seed -1: give a whole number from 0 to 4294967295"),
    (["--priority-halflife", "nan"], "--priority-halflife nan: give a number above 0 seconds"),
    (["--default-prio-factor", "inf"], "--default-prio-factor inf: give a number of at least 1"),
    (["--prio-factor", "alice=nan"], "--prio-factor alice=nan: give a number of at least 1"),
    (["--claim-worklife=-inf"], "--claim-worklife -inf: give a number of at least -1"),
    (["--max-job-retirement-time", "nan"], "--max-job-retirement-time nan: give a number of "
     "at least 0 seconds"),
    (["--reboot-time", "-1"], "--reboot-time -1: give a number of at least 0 seconds"),
]


@pytest.mark.parametrize("option, message", REPLAY_BAD, ids=[" ".join(o) for o, _ in REPLAY_BAD])
def test_a_replay_number_out_of_range_is_one_line_with_its_range(store, capsys, option, message):
    argv = ["replay", "--pool", str(store), "--profiles", "opsys", *option]
    assert one_line_error(capsys, argv).startswith(message)


def test_a_stream_too_big_for_memory_is_refused_with_its_estimate(store, capsys, monkeypatch):
    from simulator.analyses.replay import jobs

    monkeypatch.setattr(jobs, "available_memory", lambda: 3 * 10 ** 9)
    most = 3 * 10 ** 9 // jobs.BYTES_PER_JOB
    message = one_line_error(capsys, ["replay", "--pool", str(store), "--jobs", "1000000000"])
    assert message == (
        "--jobs 1000000000: about 1,000,000,000 jobs would need about 279.4 GB of memory "
        f"(300 bytes a job), more than the 2.8 GB this machine has available; give a whole "
        f"number from 0 to {most}")
    message = one_line_error(capsys, ["replay", "--pool", str(store), "--rate", "999999"])
    assert message.startswith("--rate 999999: about 47,999,952 jobs would need about 13.4 GB")
    assert message.endswith("give a number from 0 (excluded) to 208000 per hour over 2 days")
    assert jobs.available_memory() > 0  # the real one: this machine's


@pytest.mark.parametrize("argv, message", [
    (["simulate", "--pool", "modern:seed=-1"],
     "pool spec 'modern:seed=-1': seed -1: give a whole number from 0 to 4294967295"),
    (["simulate", "--pool", "modern:slots=0"],
     "pool spec 'modern:slots=0': slots 0: give a whole number from 1 to 5000000"),
    (["report", "--pool", "modern", "--seed", "-1", "OpSys"],
     "--seed -1: give a whole number from 0 to 4294967295"),
    (["report", "--pool", "modern", "--slots", "99999999", "OpSys"],
     "--slots 99999999: give a whole number from 1 to 5000000"),
    (["simulate", "--time", "99999999999999999999"],
     "--time 1e20: give a whole number from 0 to 253402300799 epoch seconds"),
    (["simulate", "--pool", "STORE", "--dask", "not a url"],
     "--dask 'not a url': give a scheduler address, [tcp://]HOST:PORT"),
    (["simulate", "--pool", "STORE", "--dask", "tcp://host:99999"],
     "--dask 'tcp://host:99999': give a scheduler address"),
])
def test_pool_time_and_dask_options_out_of_range_are_one_line(store, capsys, argv, message):
    argv = [str(store) if a == "STORE" else a for a in argv]
    assert one_line_error(capsys, argv).startswith(message)


SCENARIO = ('[scenario]\nstart = 2010-04-05\ndays = 3\nseed = 7\n[pool]\nbuiltin = "pool_2010"\n'
            "[churn]\njoin_per_day = 0.3\nleave_per_day = 0.3\n[[wave]]\nlag_days = 2\n"
            "[wave.from]\nOpSysMajorVer = 4\n[wave.to]\nOpSysMajorVer = 5\n"
            "[reboot]\nreboot_time = 600\n")


@pytest.mark.parametrize("key, value, message", [
    ("join_per_day", "nan", "line 8: churn.join_per_day: nan: give a number of at least 0"),
    ("join_per_day", "inf", "line 8: churn.join_per_day: inf: give a number of at least 0"),
    ("leave_per_day", "nan", "line 9: churn.leave_per_day: nan: give a number from 0 to 1e6"),
    ("lag_days", "nan", "line 11: wave[1].lag_days: nan: give a number from 0 to 3660"),
    ("reboot_time", "inf", "line 17: reboot.reboot_time: inf: give a number from 0 to 1e9"),
    ("seed", "-1", "line 4: scenario.seed: -1: give a whole number from 0 to 4294967295"),
    ("join_per_day", "1e6", "line 8: churn.join_per_day: 1e6: give a number from 0 to 5000 "
     "for 3 days: about 2,000,000 machines would join, each a copy of one at about 10 ms "
     "(5.6 h); at most 10,000 may join a scenario"),
])
def test_a_scenario_number_out_of_range_is_one_line_with_its_range(tmp_path, capsys, key,
                                                                   value, message):
    import re

    path = tmp_path / "s.toml"
    path.write_text(re.sub(rf"(?m)^{key} = .*$", f"{key} = {value}", SCENARIO))
    for action in (["check", str(path)], ["run", str(path), "--store", str(tmp_path / "st")]):
        assert one_line_error(capsys, ["scenario", *action]) == f"{path}: {message}"
    assert not (tmp_path / "st").exists()


def test_the_one_range_wording():
    from simulator.model.errors import TribesError, in_range, number_text

    assert [number_text(v) for v in (86400, 0.7, 1e6, 1e-7, float("nan"), 10 ** 400)] == [
        "86400", "0.7", "1e6", "1e-7", "nan", "1e400"]
    assert in_range("--x", 3, 0, 5) == 3 and in_range("--x", None, 0, 5) is None
    for bad in (float("nan"), float("inf"), -float("inf"), 10 ** 400, 6, -1, True, "3"):
        with pytest.raises(TribesError, match=r"^--x .*: give a number from 0 to 5$"):
            in_range("--x", bad, 0, 5)
    with pytest.raises(TribesError, match=r"^--n 1.5: give a whole number of at least 0$"):
        in_range("--n", 1.5, 0, whole=True)


@pytest.mark.parametrize("value", ["nan", "inf", "1e400", "99999999999999999999"])
def test_a_trace_field_that_is_no_finite_number_is_one_line(tmp_path, store, capsys, value):
    trace = tmp_path / "t.swf"
    trace.write_text(f"1 221 -1 {value} 1 -1 -1 1 49362 -1 1 6 1 -1 2 -1 -1 -1\n")
    argv = ["replay", "--pool", str(store), "--profiles", "opsys", "--trace", str(trace)]
    assert one_line_error(capsys, argv) == (
        f"{trace}: line 1: field runtime {value}: give a number from -1e15 to 1e15")


@pytest.mark.parametrize("text", ["requirements = \x01\nqueue\n", "requirements = \x00\nqueue\n",
                                  "requirements = 1 +\nqueue\n"])
def test_a_submit_files_requirements_that_do_not_parse_are_one_line(tmp_path, capsys, text):
    pool, sub = tmp_path / "pool.ads", tmp_path / "job.sub"
    pool.write_text(SLOT_AD)
    sub.write_text(text)
    message = one_line_error(capsys, ["simulate", "--pool", str(pool), "--submit", str(sub)])
    assert message.startswith(f"{sub}: requirements: cannot parse requirement ")


def test_a_message_with_control_characters_is_printed_as_one_line(tmp_path, capsys):
    pool = tmp_path / "pool.ads"
    pool.write_bytes(b"\x00\x0b\x00\n")
    message = one_line_error(capsys, ["report", "--pool", str(pool), "OpSys"])
    assert message.endswith("expected Attr = value: \\x00\\x0b\\x00")
