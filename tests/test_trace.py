"""Reading SWF traces: fields, header, skipped jobs, profile mappings, one-line errors."""


import pytest

from simulator.analyses.replay.trace import TraceError, assign_profiles, parse_swf, read_swf

SWF = """\
; Version: 2.2
; Computer: Example cluster
; MaxJobs: 4
;
1   100  5  600  1 -1 -1  1  900 -1 1 7 1 -1 1 -1 -1 -1
2   160  0   -1  4 -1 -1  4 1200 -1 1 8 1 -1 2 -1 -1 -1
3   200  0   -1  1 -1 -1  1   -1 -1 5 7 1 -1 1 -1 -1 -1
4   230 12   30  2 -1 -1  2   60 -1 1 9 2 -1 1 -1 -1 -1
"""


def test_fields_times_and_header():
    trace = parse_swf(SWF, "t.swf")
    # Job 3 has neither a run time nor a requested time: left out, counted.
    assert trace.skipped == 1 and len(trace) == 3
    assert trace.submit.tolist() == [0, 60, 130]  # shifted to the first arrival
    assert trace.runtime.tolist() == [600, 1200, 30]  # job 2: the requested time stands in
    assert trace.fields["user"].tolist() == [7, 8, 9]
    assert trace.fields["job"].tolist() == [1, 2, 4]
    assert trace.header["Computer"] == "Example cluster"


def test_profile_rules():
    trace = parse_swf(SWF)
    names = ["opsys", "kernel"]
    assert assign_profiles(trace, names, "user").tolist() == [1, 0, 1]  # user mod 2
    assert assign_profiles(trace, names, "queue:1=opsys,2=kernel").tolist() == [0, 1, 0]
    assert assign_profiles(trace, names, "user:8=kernel,*=opsys").tolist() == [0, 1, 0]
    assert assign_profiles(trace, names).tolist() == [1, 0, 1]  # default: by user
    with pytest.raises(TraceError, match="no profile for user 7, 9"):
        assign_profiles(trace, names, "user:8=kernel")
    with pytest.raises(TraceError, match="field 'wait' is not one of"):
        assign_profiles(trace, names, "wait")
    with pytest.raises(TraceError, match="'8=java' is not VALUE=PROFILE"):
        assign_profiles(trace, names, "user:8=java")


def test_profile_column_extension():
    jobs = [line for line in SWF.splitlines() if not line.startswith(";")]
    names = ["kernel", "opsys", "vm", "opsys"]
    text = "\n".join(f"{line} {names[i]}" for i, line in enumerate(jobs))
    trace = parse_swf(text)
    assert trace.profile_names == ["kernel", "opsys", "opsys"]  # job 3 left out
    assert assign_profiles(trace, ["opsys", "kernel"]).tolist() == [1, 0, 0]
    with pytest.raises(TraceError, match="'kernel' in field 19"):
        assign_profiles(trace, ["opsys"])


@pytest.mark.parametrize("line, message", [
    ("5 300 0 10 1", "line 9: expected 18 fields .*found 5"),
    ("5 300 0 ten 1 -1 -1 1 -1 -1 1 7 1 -1 1 -1 -1 -1",
     "line 9: field runtime is not a number: 'ten'"),
    ("5 -3 0 10 1 -1 -1 1 -1 -1 1 7 1 -1 1 -1 -1 -1", "line 9: field submit is negative"),
])
def test_bad_line_names_its_number(tmp_path, line, message):
    path = tmp_path / "bad.swf"
    path.write_text(SWF + line + "\n")
    with pytest.raises(TraceError, match=message) as info:
        read_swf(path)
    assert str(info.value).startswith(f"{path}: ")
    assert "\n" not in str(info.value)


def test_empty_or_missing_file(tmp_path):
    with pytest.raises(TraceError, match="no jobs"):
        parse_swf("; only a header\n")
    with pytest.raises(TraceError, match="nope.swf: no such file$"):
        read_swf(tmp_path / "nope.swf")


def test_mixed_profile_column_is_an_error():
    lines = SWF.splitlines()
    lines[4] += " kernel"
    with pytest.raises(TraceError, match="line 6: a profile name in field 19"):
        parse_swf("\n".join(lines))
