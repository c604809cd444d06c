"""Profiles the user names: --requirements values and job files, and their bad input."""

from pathlib import Path

import pytest

from simulator import jobs as prof
from simulator.model.errors import RequirementsError, TribesError

REAL = Path(__file__).resolve().parent / "fixtures" / "real-ads"


def test_requirements_profiles_are_named():
    template = prof.load_template("plain")
    got = prof.from_requirements(
        ['OpSys=="LINUX"', 'new = TARGET.Memory >= 1024', "Memory=?=2048", "x=!=undefined"],
        template)
    assert [p.name for p in got] == ["req1", "new", "req3", "req4"]
    assert [p.written for p in got] == [
        'OpSys=="LINUX"', "TARGET.Memory >= 1024", "Memory=?=2048", "x=!=undefined"]
    # condor_submit's clauses follow what the user wrote: no OpSys clause where the user
    # names OpSys; the Memory clause even where the user names Memory (it only warns).
    assert "TARGET.OpSys ==" not in got[0].requirements
    assert "(TARGET.Memory >= RequestMemory)" in got[2].requirements
    assert str(got[2].job.lookup("Requirements")).startswith("(Memory is 2048) && ")
    assert got[1].job["Owner"] == template["Owner"]


@pytest.mark.parametrize(
    "text, message",
    [
        ('OpSys == "LINUX" &&', "at character 20: expression ends too early"),
        ("Memory >= = 5", "at character 11: unexpected '= 5'"),
        ("(a && b", "at character 8: expression ends too early"),
        ("a b", "at character 3: unexpected 'b'"),
    ],
)
def test_bad_requirement_is_one_line_naming_the_position(text, message):
    with pytest.raises(RequirementsError) as exc:
        prof.from_requirements([text], prof.load_template("plain"))
    assert message in str(exc.value)
    assert "--requirements #1" in str(exc.value) and "\n" not in str(exc.value)


def test_job_files_are_used_as_they_are(tmp_path):
    path = tmp_path / "job00.ad"
    path.write_text('Owner = "ann"\nRequestMemory = 512\n'
                    'Requirements = TARGET.Memory >= RequestMemory\n')
    (p,) = prof.from_job_files([path])
    assert p.name == "job00" and p.requirements == "TARGET.Memory >= RequestMemory"
    assert p.job["Owner"] == "ann" and "JobUniverse" not in p.job


def test_real_job_ads_become_profiles():
    files = [REAL / "Rhymlore__htcondor-web__wiki-archive_files_880_jobad",
             REAL / "Rhymlore__htcondor-web__wiki-archive_files_804_39691901.0.out.txt",
             REAL / "Rhymlore__htcondor-web__wiki-archive_files_1034_startdhist"]
    got = prof.from_job_files(files)
    assert [p.name for p in got] == [f.stem for f in files]
    assert got[0].requirements.startswith('(OpSys == "LINUX") && (MY.JobUniverse == 12')
    assert got[0].job["RequestMemory"] == 5000
    assert got[2].job["ProjectName"] == "GLOW"
    (json_job, *rest) = prof.read_job_file(
        REAL / "mivade__htcondor_status__htcondor_status_sample_condor_q_output.json")
    assert len(rest) == 19 and json_job.eval("RequestDisk") == json_job["DiskUsage"]


def test_bad_job_file_names_file_ad_and_line(tmp_path):
    path = tmp_path / "broken.ad"
    path.write_text('Owner = "ann"\nRequestMemory = 512 +\n')
    with pytest.raises(TribesError, match=r"broken.ad: ad 1, line 2: cannot parse the value of"):
        prof.from_job_files([path])
    path.write_text('Owner = "ann"\nthis is not an ad\n')
    with pytest.raises(TribesError, match=r"broken.ad: ad 1, line 2: not an 'Attr = value'"):
        prof.from_job_files([path])
    with pytest.raises(TribesError, match="has no Requirements"):
        path.write_text('Owner = "ann"\n')
        prof.from_job_files([path])
    with pytest.raises(TribesError, match="missing.ad: no such file$"):
        prof.from_job_files([tmp_path / "missing.ad"])
    path.write_text('[\n  {"Owner": "ann",\n   "Requirements": }\n]\n')
    with pytest.raises(TribesError, match=r"broken.ad: line 3: broken JSON \(Expecting value\)"):
        prof.from_job_files([path])
