"""The modern pool's machine mix: virtualisation facts and START policies, by HTCondor."""

from simulator import pools
from simulator.match.plain import plain_match
from simulator.model.condor import ClassAd, ExprTree


def test_virtualisation_facts_hang_together(modern_frame):
    machines = modern_frame.drop_duplicates("Machine")
    vm = machines.IsVirtualMachine.astype(bool)
    assert (vm == machines.Hypervisor.notna()).all()
    assert set(machines.Hypervisor.dropna()) <= {"kvm", "amazon", "microsoft", "google",
                                                 "vmware", "xen"}  # fmt: skip
    assert machines.HasHardwareVirt[~vm].mean() > 0.9
    assert machines.HasHardwareVirt[vm].mean() < 0.2  # nested virtualisation is rare
    assert not (machines.HasKVM.astype(bool) & ~machines.HasHardwareVirt.astype(bool)).any()
    assert (machines.HardwareVirtType.notna() == machines.HasHardwareVirt).all()
    assert set(machines.HardwareVirtType.dropna()) == {"VT-x", "AMD-V"}


def test_start_policies_evaluate_as_intended_with_htcondor():
    """Slots that a 1-core, 1 GB job matches, by HTCondor, equal the documented policies."""
    small = pools.generate("modern", slots=1500, seed=9)
    job = ClassAd({"RequestCpus": 1, "RequestMemory": 1024, "RequestDisk": 1000,
                   "Requirements": ExprTree('TARGET.OpSys == "LINUX"')})  # fmt: skip
    got = plain_match(small, job)
    v = {a: small.values(a) for a in ("KeyboardIdle", "LoadAvg", "CondorLoadAvg", "Cpus",
                                      "Memory", "Disk", "GLIDEIN_ToRetire")}  # fmt: skip
    expected = []
    for i in range(len(small)):
        ok = v["Cpus"][i] >= 1 and v["Memory"][i] >= 1024 and v["Disk"][i] >= 1000
        if v["KeyboardIdle"][i] is not None:  # a desktop
            owner_load = v["LoadAvg"][i] - v["CondorLoadAvg"][i]
            ok = ok and v["KeyboardIdle"][i] > 900 and owner_load <= 0.3
        if v["GLIDEIN_ToRetire"][i] is not None:  # a VM, as of the capture time
            ok = ok and small.time < v["GLIDEIN_ToRetire"][i]
        expected.append(ok)
    assert got.tolist() == expected
    assert 0 < got.sum() < len(small)
