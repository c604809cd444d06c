"""The pure parsers, on the odd inputs real nodes produce."""


import pytest

from startd_cron.probes import glibc, kernel, os_release, virt


@pytest.mark.parametrize(
    "text",
    [
        "2.5 42.el5_4.2 i686\n2.5 42.el5_4.2 x86_64\n",
        "2.5 42.el5_4.2 x86_64\n2.5 42.el5_4.2 i686\n",
    ],
)
def test_rpm_picks_the_64_bit_package_whatever_the_order(text):
    assert glibc.parse_rpm(text) == {
        "glibc_version": "glibc-2.5-42.el5_4.2",
        "glibc_base_version": "2.5",
    }


def test_rpm_single_32_bit_node():
    assert glibc.parse_rpm("2.3.4 2.41 i686\n")["glibc_version"] == "glibc-2.3.4-2.41"


def test_rpm_noise_is_ignored():
    assert glibc.parse_rpm("package glibc is not installed\n") == {}


def test_dpkg_skips_removed_packages_and_strips_epoch():
    text = (
        "i386 2.35-0ubuntu3.6 install ok installed\n"
        "amd64 1:2.35-0ubuntu3.6 deinstall ok config-files\n"
    )
    assert glibc.parse_dpkg(text) == {
        "glibc_version": "glibc-2.35-0ubuntu3.6",
        "glibc_base_version": "2.35",
    }
    assert glibc.parse_dpkg("amd64 1:2.36-9 install ok installed\n")["glibc_base_version"] == "2.36"


@pytest.mark.parametrize("value", [None, "", "musl 1.2.4", "glibc"])
def test_confstr_without_glibc(value):
    assert glibc.parse_confstr(value) == {}


def test_os_release_quoting():
    fields = os_release.parse_os_release(
        "# comment\nNAME='Odd \"Linux\"'\nID=plain\nVERSION_ID=\"1.0\n"
        "BAD KEY=x\nPRETTY_NAME=\"A\\\"B\"\n"
    )
    assert fields == {
        "NAME": 'Odd "Linux"',
        "ID": "plain",
        "VERSION_ID": '"1.0',
        "PRETTY_NAME": 'A"B',
    }


def test_empty_redhat_release_publishes_nothing():
    assert os_release.parse_redhat_release("\n\nsecond line") is None
    assert kernel.parse_osrelease("") is None


@pytest.mark.parametrize(
    "signals,expected",
    [
        ({}, None),
        ({"flags": {"fpu"}}, None),
        ({"flags": {"hypervisor"}, "clock": "tsc kvm-clock"}, "kvm"),
        ({"flags": {"hypervisor"}, "clock": "tsc"}, "vm-other"),
        ({"flags": {"hypervisor"}, "clock": "tsc", "dmi": "vmware"}, "vmware"),
        ({"flags": {"hypervisor"}, "clock": "kvm-clock", "dmi": "amazon"}, "amazon"),
        ({"flags": {"hypervisor"}, "clock": "kvm-clock", "dmi": "oracle"}, "oracle"),
        ({"flags": {"hypervisor"}, "clock": "kvm-clock", "dmi": "qemu"}, "kvm"),
        ({"xen": True}, "xen"),
        ({"xen": True, "xen_dom0": True, "flags": {"hypervisor"}, "clock": "xen"}, None),
        ({"xen": True, "xen_dom0": True, "dmi": "qemu"}, None),
        ({"hypervisor_type": "xen\n"}, "xen"),
        ({"hypervisor_type": "s390"}, "vm-other"),
        ({"device_tree": "linux,kvm"}, "kvm"),
        ({"device_tree": "something"}, "vm-other"),
    ],
)
def test_detect_follows_systemd_detect_virt_order(signals, expected):
    assert virt.detect(signals) == expected


def test_xen_dom0():
    assert virt.is_xen_dom0("00000801\n", None) is True
    assert virt.is_xen_dom0("00000001\n", "control_d") is False
    assert virt.is_xen_dom0(None, "control_d\n") is True
    assert virt.is_xen_dom0(None, "") is False


def test_dmi_product_name_is_read_before_sys_vendor():
    assert virt.dmi_hypervisor(["KVM", "QEMU"]) == "kvm"
    assert virt.dmi_hypervisor(["Virtual Machine", "Microsoft Corporation"]) is None


def test_cpuinfo_flags():
    assert virt.parse_cpuinfo_flags("Features\t: fp asimd\n") is None
    assert virt.parse_cpuinfo_flags("flags\t\t: fpu svm\nflags : vmx\n") == {"fpu", "svm"}
    assert virt.hardware_virt({"svm"})["HardwareVirtType"] == "AMD-V"
    assert virt.hardware_virt(set()) == {"HasHardwareVirt": False}


def test_links_in_a_fixture_tree_stay_inside_it(tmp_path):
    from startd_cron.context import Context, resolve_under

    (tmp_path / "usr" / "lib").mkdir(parents=True)
    (tmp_path / "usr" / "lib" / "os-release").write_text('ID="inside"\n')
    (tmp_path / "etc").mkdir()
    # Absolute and relative links, as a copied tree keeps them.
    (tmp_path / "etc" / "os-release").symlink_to("/usr/lib/os-release")
    (tmp_path / "etc" / "system-release").symlink_to("../../../../../usr/lib/os-release")
    (tmp_path / "etc" / "loop").symlink_to("/etc/loop")
    ctx = Context(root=str(tmp_path))
    assert ctx.read_text("/etc/os-release") == 'ID="inside"\n'
    assert ctx.read_text("/etc/system-release") == 'ID="inside"\n'
    assert resolve_under(str(tmp_path), "/../../etc") == str(tmp_path / "etc")
    with pytest.raises(OSError):
        ctx.read_text("/etc/loop")
    assert os_release.read(ctx) == {"os_id": "inside"}
