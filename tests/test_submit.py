"""What condor_submit appends, against real queued job ads of each era, clause for clause."""

import json
from pathlib import Path

import pytest

from simulator import cli
from simulator import jobs as prof
from simulator.jobs.submit import (
    SubmitHost,
    condor_version,
    image_clause,
    machine_refs,
    read_submit,
    size_in,
    submit_requirements,
)
from simulator.model.condor import ClassAd, ExprTree
from simulator.model.errors import ProfileError

REAL = Path(__file__).resolve().parent / "fixtures" / "real-ads"
TUTORIAL = REAL / "htcondor__htcondor__docs_apis_python-bindings_tutorials_HTCondor-Introduction.ipynb.clusterad.txt"  # noqa: E501
X86 = SubmitHost("X86_64", "LINUX")


def _top_level_and(text: str):
    """Where ``text`` splits at a top-level ``&&`` (outside parentheses and strings)."""
    depth, quoted, cuts = 0, False, []
    for i, c in enumerate(text):
        if c == '"' and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        elif not quoted:
            depth += (c in "([{") - (c in ")]}")
            if depth == 0 and text.startswith(" && ", i):
                cuts.append(i)
    return cuts


def _unwrap(text: str) -> str:
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        for i, c in enumerate(text):
            depth += (c == "(") - (c == ")")
            if depth == 0 and i < len(text) - 1:
                return text  # the first parenthesis closes before the end
        text = text[1:-1].strip()
    return text


def clauses(text: str):
    """The conjunction's clauses, flattened through parentheses, as the library writes each."""
    out = []
    pending = [str(ExprTree(text))]
    while pending:
        part = _unwrap(pending.pop(0))
        cuts = _top_level_and(part)
        if not cuts:
            out.append(part)
            continue
        bounds = [0, *[c + 4 for c in cuts]]
        ends = [*cuts, len(part)]
        pending = [part[a:b] for a, b in zip(bounds, ends, strict=True)] + pending
    return out


def test_condor_q_json_ads_of_9_7_are_written_clause_for_clause():
    # HTCondor 9.7.0: no requirements line, should_transfer_files IF_NEEDED.
    ads = prof.read_job_file(REAL / "mivade__htcondor_status__htcondor_status_sample_condor_q"
                                    "_output.json")
    assert len(ads) == 20
    for job in ads:
        assert condor_version(job) == (9, 7, 0)
        got = submit_requirements(None, job, X86)
        assert clauses(got) == clauses(str(job.lookup("Requirements")))


def test_an_8_3_7_job_with_an_append_and_an_opsys_of_its_own():
    (job,) = prof.read_job_file(REAL / "Rhymlore__htcondor-web__wiki-archive_files_880_jobad")
    assert condor_version(job) == (8, 3, 7)
    # The user named OpSys: no OpSys clause. CHTC's APPEND_REQUIREMENTS comes second.
    append = ('MY.JobUniverse == 12 || MY.JobUniverse == 7 || MY.WantFlocking || MY.WantGlidein'
              ' || TARGET.PoolName == "CHTC" || TARGET.COLLECTOR_HOST_STRING == '
              '"infopool.cs.wisc.edu"')
    got = submit_requirements('OpSys == "LINUX"', job, X86, append=append)
    assert clauses(got) == clauses(str(job.lookup("Requirements")))


def test_an_8_0_2_job_asking_1_mb_still_gets_a_memory_clause():
    (job,) = prof.read_job_file(REAL / "Rhymlore__htcondor-web__wiki-archive_files_804_"
                                       "39691901.0.out.txt")
    assert condor_version(job) == (8, 0, 2) and job["RequestMemory"] == 1
    user = ('( ( HasParrotCVMFS =?= true && HasCMSFrontier =?= true ) || ( GLIDEIN_CMSSite =!= '
            'undefined && HAS_CVMFS_cms_cern_ch =?= true ) ) && ( Disk > 40000000 )')
    got = submit_requirements(user, job, X86, append="( Memory >= 1 ) && ( Disk >= 1 )")
    assert clauses(got) == clauses(str(job.lookup("Requirements")))
    # Since 8.7.10 a literal request of 1 MB gets none.
    assert "(TARGET.Memory >= RequestMemory)" not in submit_requirements(user, job, X86,
                                                                          version=(24, 0, 0))


def test_an_8_9_5_job_asking_four_cores():
    ads = prof.read_job_file(REAL / "Rhymlore__htcondor-web__wiki-archive_files_1034_startdhist")
    job = ads[0]
    assert condor_version(job) == (8, 9, 5) and job["RequestCpus"] == 4
    real = clauses(str(job.lookup("Requirements")))
    # CHTC's pool prefix came from the access point, not from condor_submit: the real ad
    # keeps its OpSys clause though the prefix reads OpSysName.
    assert real[:3] == ['TARGET.PoolName == "CHTC"', "Target.OpSysMajorVer == 7",
                        'OpSysName isnt "Debian"']
    got = clauses(submit_requirements(None, job, X86))
    # The same clauses, with a Cpus clause for the 4 cores; the real job also asked for an
    # http transfer plugin (not modelled: then it is HasFileTransfer && stringListIMember(…)).
    assert got[:-1] == real[3:-2]
    assert got[-1] == real[-2] == "TARGET.HasFileTransfer"
    assert real[-1].startswith("stringListIMember")


def test_the_7_x_form_of_the_real_ads():
    line = next(text for text in (REAL / "job_requirements.txt").read_text().splitlines()
                if "RequestMemory * 1024" in text)
    real = line.split("  ## ")[0].strip()
    job = ClassAd({"JobUniverse": 5, "ShouldTransferFiles": "IF_NEEDED", "ImageSize": 35,
                   "DiskUsage": 35, "CondorVersion": "$CondorVersion: 7.4.2 Apr  9 2010 $"})
    assert clauses(submit_requirements(None, job, X86)) == clauses(real)


def test_a_submit_description_round_trips_to_its_queued_ad(tmp_path):
    # HTCondor's own tutorial: htcondor.Submit(executable="/bin/sleep", arguments="5m") on 25.8.2.
    (queued,) = prof.read_job_file(TUTORIAL)
    sub = tmp_path / "sleep.sub"
    sub.write_text("executable = /bin/sleep\narguments = 5m\nqueue 10\n")
    template = prof.load_template("plain")
    described = read_submit(sub, template, X86, condor_version(queued))
    job = described.job
    for attr in ("RequestCpus", "RequestMemory", "JobUniverse", "Cmd", "Args"):
        assert job.eval(attr) == queued.eval(attr), attr
    assert str(job.lookup("RequestDisk")) == str(queued.lookup("RequestDisk"))
    assert clauses(described.full_requirements) == clauses(str(queued.lookup("Requirements")))
    assert described.warnings == []


def test_sizes_macros_universes_and_what_is_not_modelled(tmp_path):
    assert [size_in(t, 1024 ** 2) for t in ("2GB", "1.5G", "300", "512k", "0.5")] == [
        2048, 1536, 300, 1, 1]
    assert size_in("2 * RequestCpus", 1024) is None
    sub = tmp_path / "box.sub"
    sub.write_text(
        "# a container job\n"
        "universe = container\n"
        "image = rocky9.sif\n"
        "container_image = /cvmfs/images/$(image)\n"
        "request_memory = 2GB\n"
        "request_disk = 1G\n"
        "request_cpus = 4\n"
        "requirements = TARGET.Microarch == \"x86_64-v3\" \\\n"
        "    && TARGET.Arch == \"X86_64\"\n"
        "+ProjectName = \"Snowmass\"\n"
        "notify_user = me@example.org\n"
        "queue\n"
        "executable = ignored_after_queue\n")
    described = read_submit(sub, prof.load_template("plain"), X86)
    job = described.job
    assert (job["RequestMemory"], job["RequestDisk"], job.eval("RequestCpus")) == (
        2048, 1024 ** 2, 4)
    assert job["ProjectName"] == "Snowmass" and job["ContainerImage"] == "/cvmfs/images/rocky9.sif"
    # The user named Arch: no Arch clause; a container gets no OpSys clause; a SIF image.
    assert clauses(described.full_requirements) == [
        'TARGET.Microarch == "x86_64-v3"', 'TARGET.Arch == "X86_64"',
        "TARGET.HasContainer", "TARGET.HasSIF", "TARGET.Disk >= RequestDisk",
        "TARGET.Memory >= RequestMemory", "TARGET.Cpus >= RequestCpus",
        "(TARGET.FileSystemDomain == MY.FileSystemDomain) || (TARGET.HasFileTransfer)"]
    assert len(described.warnings) == 2  # image = … (a macro of its own) and notify_user
    assert any("notify_user" in w and "line 11" in w for w in described.warnings)


@pytest.mark.parametrize("universe, extra, want", [
    ("java", "", ["TARGET.HasJava"]),
    ("docker", "docker_image = centos:7\n", ['TARGET.Arch == "X86_64"', "TARGET.HasDocker"]),
    ("vm", "vm_type = kvm\nvm_memory = 2048\n",
     ['TARGET.Arch == "X86_64"', "TARGET.HasVM is true", "TARGET.VM_Type == MY.JobVMType",
      "TARGET.VM_AvailNum > 0"]),
    ("vanilla", "container_image = docker://rocky:9\n",
     ['TARGET.Arch == "X86_64"', "TARGET.HasContainer", "TARGET.HasDockerURL"]),
])
def test_each_universe_gets_its_clauses(tmp_path, universe, extra, want):
    sub = tmp_path / "u.sub"
    sub.write_text(f"universe = {universe}\n{extra}queue\n")
    got = clauses(read_submit(sub, prof.load_template("plain"), X86, (24, 0, 1)).full_requirements)
    assert got[:len(want)] == want
    plain_vanilla = universe == "vanilla" and "container" not in extra
    assert ('TARGET.OpSys == "LINUX"' in got) == plain_vanilla


def test_names_the_user_wrote_are_not_added_again():
    job = ClassAd({"JobUniverse": 5, "RequestDisk": 100, "RequestMemory": 2048,
                   "ShouldTransferFiles": "NO"})
    assert machine_refs('TARGET.arch == "INTEL" && opsysandver == "RedHat9"') == {
        "arch", "opsysandver"}
    got = clauses(submit_requirements('TARGET.arch == "INTEL" && OpSysAndVer == "RedHat9"',
                                      job, X86))
    assert not any("TARGET.Arch ==" in c or "TARGET.OpSys ==" in c for c in got[1:])
    assert got[-1] == "TARGET.FileSystemDomain == MY.FileSystemDomain"  # NO: shared FS only
    with pytest.raises(ProfileError, match="circular"):
        submit_requirements("Requirements && true", job, X86)
    with pytest.raises(ProfileError, match="must be a directory"):
        image_clause("image.tar.gz")


def test_the_cli_takes_a_submit_file_and_a_submit_host(tmp_path, capsys):
    sub = tmp_path / "big.sub"
    sub.write_text("request_memory = 3GB\nrequirements = TARGET.OpSysMajorVer == 5\nqueue\n")
    assert cli.main(["simulate", "--submit", str(sub), "--format", "json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert record["profile"] == "big" and record["written"] == "TARGET.OpSysMajorVer == 5"
    assert "(TARGET.Memory >= RequestMemory)" in record["requirements"]
    small = record["matching_slots"]
    assert cli.main(["simulate", "--submit", str(sub), "--format", "json",
                     "--submit-host", "INTEL/LINUX"]) == 0
    (intel,) = json.loads(capsys.readouterr().out)
    assert '(TARGET.Arch == "INTEL")' in intel["requirements"]
    assert 0 < intel["matching_slots"] < small  # the 2010 pool's few 32-bit slots
    assert cli.main(["simulate", "--submit", str(tmp_path / "none.sub")]) == 1
    assert "none.sub: no such file" in capsys.readouterr().err
    assert cli.main(["simulate", "--requirements", "true", "--submit-host", "x86"]) == 1
    assert "give ARCH/OPSYS" in capsys.readouterr().err


def test_before_24_container_jobs_got_no_arch_clause(tmp_path):
    sub = tmp_path / "c.sub"
    sub.write_text("universe = container\ncontainer_image = img.sif\nqueue\n")
    template = prof.load_template("plain")
    old = clauses(read_submit(sub, template, X86, (23, 0, 0)).full_requirements)
    new = clauses(read_submit(sub, template, X86, (24, 0, 0)).full_requirements)
    assert old[:2] == ["TARGET.HasContainer", "TARGET.HasSIF"]
    assert new[:3] == ['TARGET.Arch == "X86_64"', "TARGET.HasContainer", "TARGET.HasSIF"]
