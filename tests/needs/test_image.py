"""A container image given instead of a program: a SIF file or a sandbox directory."""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from simulator import cli
from simulator.analyses.needs import Needs, NeedsError, read_program
from simulator.analyses.needs.expression import clauses, expression
from simulator.model.condor import ClassAd
from simulator.model.snapshot import Snapshot

FIXTURES = Path(__file__).parent / "fixtures"
GCC = shutil.which("gcc")
MKSQUASHFS = shutil.which("mksquashfs")

_spec = importlib.util.spec_from_file_location("make_sif", FIXTURES / "make_sif.py")
make_sif = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_sif)

V2_CLAUSE = ('(TARGET.Microarch == "x86_64-v2" || TARGET.Microarch == "x86_64-v3" || '
             'TARGET.Microarch == "x86_64-v4")')


def test_the_sif_fixture_gives_the_container_clause_arch_kernel_and_level():
    sif = FIXTURES / "alma9-tiny.sif"
    needs = read_program(sif)
    assert (needs.kind, needs.container, needs.arch) == ("SIF container image", "SIF", "X86_64")
    assert needs.os_release["ID"] == "almalinux" and needs.os_release["VERSION_ID"] == "9.4"
    assert (needs.kernel, needs.microarch) == ("3.2.0", "x86_64-v2")
    assert needs.glibc is None  # the image's business
    assert clauses([needs]) == [
        "TARGET.HasContainer && TARGET.HasSIF", 'TARGET.Arch == "X86_64"',
        'versionGE((TARGET.kernel_version ?: TARGET.UtsnameRelease),"3.2.0")', V2_CLAUSE]
    assert any("AlmaLinux 9.4 (Seafoam Ocelot) (etc/os-release: ID=almalinux, VERSION_ID=9.4)"
               in f for f in needs.facts)
    assert any("its /usr/lib64/libc.so.6: built for EM_X86_64" in f for f in needs.facts)


@pytest.mark.skipif(not (GCC and MKSQUASHFS), reason="needs gcc and mksquashfs")
def test_a_sif_built_here_for_another_arch_and_one_with_an_ext3_partition(tmp_path):
    root = make_sif.tiny_tree(tmp_path / "root", GCC)
    data = make_sif.squash(root, tmp_path / "root.squashfs")
    arm = make_sif.write_sif(data, tmp_path / "arm.sif", arch=b"04")
    needs = read_program(arm)
    assert needs.arch == "aarch64"  # the header's word; the file inside says otherwise
    assert any("its header says Arch aarch64, its usr/lib64/libc.so.6 is built for X86_64" in f
               for f in needs.facts)
    ext3 = make_sif.write_sif(data, tmp_path / "ext3.sif", fstype=2)
    needs = read_program(ext3)
    assert needs.os_release is None and needs.arch == "X86_64"
    assert any("its system partition is ext3, which tribes does not read" in f
               for f in needs.facts)


@pytest.mark.skipif(not (MKSQUASHFS and hasattr(os, "wait4")), reason="needs mksquashfs")
def test_a_sif_of_files_that_compress_to_nothing_is_read_in_bounded_memory(tmp_path):
    # A 9 KB image holding a 2 GB etc/os-release and /bin/sh (zeros): each was read whole
    # before being found too large, 4.3 GB at the peak.
    root = tmp_path / "root"
    for name in ("etc/os-release", "bin/sh"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        with open(root / name, "wb") as handle:
            handle.truncate(2 << 30)
    data = make_sif.squash(root, tmp_path / "root.squashfs")
    sif = make_sif.write_sif(data, tmp_path / "zeros.sif")
    assert sif.stat().st_size < 100_000
    child = subprocess.Popen([sys.executable, "-m", "simulator", "requirements", str(sif)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    with child.stdout, child.stderr:
        assert child.returncode == 0, child.stderr.read().decode()
        assert "no etc/os-release: the OS inside is unknown" in child.stdout.read().decode()
    assert usage.ru_maxrss < 1024 * 1024, usage.ru_maxrss  # KiB: under 1 GB


def _sandbox(tmp_path, libc=True):
    root = tmp_path / "sandbox"
    (root / "usr/lib").mkdir(parents=True)
    (root / "usr/lib64").mkdir()
    (root / "etc").mkdir()
    (root / "usr/lib/os-release").write_text('ID=rocky\nVERSION_ID="10.0"\n'
                                             'PRETTY_NAME="Rocky Linux 10.0 (Red Quartz)"\n')
    os.symlink("/usr/lib/os-release", root / "etc/os-release")  # absolute: inside the image
    os.symlink("usr/lib64", root / "lib64")
    if libc:
        src = tmp_path / "stand-in.c"
        src.write_text("int main(void) { return 0; }\n")
        result = subprocess.run([GCC, "-O2", "-march=x86-64-v3", "-mneeded", "-o",
                                 str(root / "usr/lib64/libc.so.6"), str(src)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            pytest.skip(f"gcc cannot build the stand-in: {result.stderr[:200]}")
    return root


@pytest.mark.skipif(not GCC, reason="needs gcc")
def test_a_sandbox_tree(tmp_path):
    root = _sandbox(tmp_path)
    needs = read_program(root)
    assert (needs.kind, needs.container) == ("sandbox container image", "sandbox")
    assert needs.os_release["ID"] == "rocky"
    if needs.microarch != "x86_64-v3":
        pytest.skip("this gcc does not mark the ISA level needed")
    assert expression([needs]) == (
        'TARGET.HasContainer && TARGET.HasSandboxImage && TARGET.Arch == "X86_64" && '
        'versionGE((TARGET.kernel_version ?: TARGET.UtsnameRelease),"3.2.0") && '
        '(TARGET.Microarch == "x86_64-v3" || TARGET.Microarch == "x86_64-v4")')


def test_links_inside_an_image_never_reach_the_host(tmp_path):
    root = tmp_path / "image"
    (root / "etc").mkdir(parents=True)
    (root / "bin").mkdir()
    os.symlink("/etc/os-release", root / "etc/os-release")  # the image has none
    os.symlink("/bin/sh", root / "bin/sh")
    os.symlink("../../../../../../etc/passwd", root / "bin/bash")
    needs = read_program(root)
    assert needs.os_release is None and needs.arch is None
    assert any("no etc/os-release: the OS inside is unknown" in f for f in needs.facts)
    assert expression([needs]) == "TARGET.HasContainer && TARGET.HasSandboxImage"


def test_a_directory_that_is_not_an_image_is_one_line_error(tmp_path, capsys):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "input.txt").write_text("1 2 3\n")
    assert cli.main(["requirements", str(tmp_path / "data")]) == 1
    err = capsys.readouterr().err
    assert err == (f"tribes: error: {tmp_path / 'data'}: a directory, and not a container "
                   "image (no etc/os-release, no bin/)\n")


@pytest.mark.parametrize("keep, message", [
    (100, "a SIF file cut short: 100 bytes, shorter than its 128-byte header"),
    (4500, "a SIF file cut short or damaged: its header points to 2 descriptors at byte 4096"),
    (6000, "a SIF file cut short: its partition ends at byte"),
])
def test_a_truncated_sif_is_one_line_error(tmp_path, capsys, keep, message):
    cut = tmp_path / "cut.sif"
    cut.write_bytes((FIXTURES / "alma9-tiny.sif").read_bytes()[:keep])
    with pytest.raises(NeedsError, match=message):
        read_program(cut)
    assert cli.main(["requirements", str(cut)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"tribes: error: {cut}: {message[:20]}") and err.count("\n") == 1


def test_an_image_goes_alone():
    image = Needs("a.sif", "SIF container image", container="SIF", arch="X86_64")
    program = Needs("prog", "ELF executable", opsys="LINUX", arch="X86_64", glibc="2.34")
    with pytest.raises(NeedsError, match="a.sif is a container image: give it alone"):
        clauses([image, program])


def test_cli_on_a_pool_counts_the_slots_that_run_sif_images(tmp_path, capsys):
    from simulator.io import store

    ads = []
    for container, sif, arch in [(True, True, "X86_64"), (True, True, "X86_64"),
                                 (True, False, "X86_64"), (False, False, "X86_64"),
                                 (True, True, "aarch64")]:
        ad = ClassAd({"OpSys": "LINUX", "Arch": arch, "Requirements": True, "Memory": 4096,
                      "Disk": 10 ** 8, "Cpus": 1, "HasFileTransfer": True, "Microarch": "x86_64-v3",
                      "kernel_version": "5.14.0-427.el9.x86_64"})
        if container:
            ad["HasContainer"] = True
            ad["HasSIF"] = sif
        ads.append(ad)
    folder = tmp_path / "store"
    store.save(Snapshot.from_classads(ads, source="containers", time=1700000000), folder)
    sif = FIXTURES / "alma9-tiny.sif"
    assert cli.main(["requirements", str(sif), "--pool", str(folder), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    kept = {c["clause"]: c["kept"] for c in report["clause_counts"]}
    assert kept["TARGET.HasContainer && TARGET.HasSIF"] == 3
    assert kept['TARGET.Arch == "X86_64"'] == 4
    assert {r["profile"]: r["matched"] for r in report["pool"]}["needs"] == 2
