"""Virtualization: can this node run VMs, and is it itself one?

``HasHardwareVirt``/``HardwareVirtType`` come from the vmx (Intel VT-x) or svm
(AMD-V) CPU flag; ``HasKVM`` from opening /dev/kvm read-write as the probing
user.  ``IsVirtualMachine``/``Hypervisor`` follow systemd-detect-virt's order
and names (kvm, qemu, amazon, vmware, microsoft, oracle, xen, ...): DMI for the
vendors that hide behind KVM, /proc/xen (not dom0), the CPUID hypervisor
signal, DMI, /sys/hypervisor/type, the device tree.  Pure Python cannot run
CPUID, so the hypervisor *flag* comes from /proc/cpuinfo and its vendor from
the paravirtual clock the kernel registered (kvm-clock, hyperv, xen).

>>> hardware_virt({"vmx", "fpu"})
{'HasHardwareVirt': True, 'HardwareVirtType': 'VT-x'}
>>> dmi_hypervisor(["Standard PC (i440FX + PIIX, 1996)", "QEMU"])
'qemu'
"""

import os
import stat

NAME = "virt"
CPUINFO = "/proc/cpuinfo"
KVM_DEVICE = "/dev/kvm"
KVM_NUMBERS = (10, 232)  # its major and minor device numbers, fixed by Linux
# systemd reads product_name before sys_vendor "to detect KVM over QEMU".
DMI_FILES = (
    "/sys/class/dmi/id/product_name",
    "/sys/class/dmi/id/sys_vendor",
    "/sys/class/dmi/id/board_vendor",
    "/sys/class/dmi/id/bios_vendor",
    "/sys/class/dmi/id/product_version",
)
# (prefix, name), in systemd's order.
DMI_VENDORS = (
    ("KVM", "kvm"),
    ("OpenStack", "kvm"),
    ("KubeVirt", "kvm"),
    ("Amazon EC2", "amazon"),
    ("QEMU", "qemu"),
    ("VMware", "vmware"),
    ("VMW", "vmware"),
    ("innotek GmbH", "oracle"),
    ("VirtualBox", "oracle"),
    ("Xen", "xen"),
    ("Bochs", "bochs"),
    ("Parallels", "parallels"),
    ("BHYVE", "bhyve"),
    ("Hyper-V", "microsoft"),
    ("Apple Virtualization", "apple"),
    ("Google Compute Engine", "google"),
)
# These hypervisors also answer CPUID as KVM or Hyper-V; DMI names them first.
DMI_FIRST = frozenset(("oracle", "xen", "amazon", "parallels"))
CLOCKSOURCES = "/sys/devices/system/clocksource/clocksource0/available_clocksource"
CLOCK_VENDORS = (
    ("kvm-clock", "kvm"),
    ("hyperv_clocksource_tsc_page", "microsoft"),
    ("hyperv_clocksource_msr", "microsoft"),
    ("xen", "xen"),
)
XEN_FEATURES = "/sys/hypervisor/properties/features"
XEN_CAPABILITIES = "/proc/xen/capabilities"
XENFEAT_DOM0 = 11
HYPERVISOR_TYPE = "/sys/hypervisor/type"
DEVICE_TREE_HYPERVISOR = "/proc/device-tree/hypervisor/compatible"
OTHER = "vm-other"


def parse_cpuinfo_flags(text):
    """The CPU flags of the first processor, or None when there is no x86 ``flags`` line."""
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() == "flags":
            return set(value.split())
    return None


def hardware_virt(flags):
    if "vmx" in flags:
        return {"HasHardwareVirt": True, "HardwareVirtType": "VT-x"}
    if "svm" in flags:
        return {"HasHardwareVirt": True, "HardwareVirtType": "AMD-V"}
    return {"HasHardwareVirt": False}


def dmi_hypervisor(values):
    """systemd's DMI vendor table applied to the DMI strings, in DMI_FILES order."""
    for value in values:
        for prefix, name in DMI_VENDORS:
            if value.startswith(prefix):
                return name
    return None


def clock_vendor(text):
    names = text.split()
    for clock, name in CLOCK_VENDORS:
        if clock in names:
            return name
    return None


def is_xen_dom0(features_text, capabilities_text):
    """Dom0 runs the Xen toolstack: it is the host, not a guest."""
    if features_text is not None:
        try:
            return bool(int(features_text.strip(), 16) >> XENFEAT_DOM0 & 1)
        except ValueError:
            pass
    return capabilities_text is not None and "control_d" in capabilities_text


def device_tree_hypervisor(text):
    if "linux,kvm" in text:
        return "kvm"
    if "xen" in text:
        return "xen"
    if "vmware" in text:
        return "vmware"
    return OTHER


def detect(signals):
    """Hypervisor name or None, from the signals ``read_signals`` gathered.

    >>> detect({"dmi": None, "xen": False, "flags": {"hypervisor"}, "clock": "kvm-clock"})
    'kvm'
    """
    dmi = signals.get("dmi")
    if dmi in DMI_FIRST:
        return dmi
    dom0 = False
    if signals.get("xen"):
        if not signals.get("xen_dom0"):
            return "xen"
        dom0 = True
    other = False
    flags = signals.get("flags") or ()
    if "hypervisor" in flags:
        vendor = clock_vendor(signals.get("clock") or "")
        if vendor and not (dom0 and vendor == "xen"):
            return vendor
        other = True
    if dom0:
        return None
    if dmi:
        return dmi
    hypervisor_type = (signals.get("hypervisor_type") or "").strip()
    if hypervisor_type:
        return "xen" if hypervisor_type == "xen" else OTHER
    if signals.get("device_tree") is not None:
        return device_tree_hypervisor(signals["device_tree"])
    return OTHER if other else None


def open_read_write(path):
    """Can the current user open ``path`` read-write?  (A seam for tests: root can.)"""
    try:
        # Non-blocking, never a controlling terminal: a FIFO or tty there cannot hang us.
        fd = os.open(path, os.O_RDWR | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False
    try:
        # A FIFO opens read-write too, and so does any other device (/dev/zero): neither
        # is KVM, character device 10:232 (a regular file stands in for it in test trees).
        info = os.fstat(fd)
        if stat.S_ISCHR(info.st_mode):
            return (os.major(info.st_rdev), os.minor(info.st_rdev)) == KVM_NUMBERS
        return not stat.S_ISFIFO(info.st_mode)
    finally:
        os.close(fd)


def has_kvm(ctx):
    """Can this user use /dev/kvm?  None when the tree has no /dev to tell."""
    try:
        device = ctx.path(KVM_DEVICE)
    except OSError:  # a link loop is no device
        return False
    if os.path.lexists(device):
        return open_read_write(device)
    return False if ctx.isdir("/dev") else None


def _quiet(ctx, name):
    """A file that may legitimately be absent or closed to us: never noted."""
    try:
        return ctx.read_text(name)
    except OSError:
        return None


def read_signals(ctx, cpuinfo):
    dmi_values = [v.strip() for v in (_quiet(ctx, name) for name in DMI_FILES) if v]
    return {
        "dmi": dmi_hypervisor(dmi_values),
        "xen": ctx.isdir("/proc/xen"),
        "xen_dom0": is_xen_dom0(_quiet(ctx, XEN_FEATURES), _quiet(ctx, XEN_CAPABILITIES)),
        "flags": parse_cpuinfo_flags(cpuinfo) if cpuinfo is not None else None,
        "clock": _quiet(ctx, CLOCKSOURCES),
        "hypervisor_type": _quiet(ctx, HYPERVISOR_TYPE),
        "device_tree": _quiet(ctx, DEVICE_TREE_HYPERVISOR),
    }


def read(ctx):
    attrs = {}
    cpuinfo = ctx.read_optional(NAME, CPUINFO)
    flags = parse_cpuinfo_flags(cpuinfo) if cpuinfo is not None else None
    if flags is not None:
        attrs.update(hardware_virt(flags))
    kvm = has_kvm(ctx)
    if kvm is not None:
        attrs["HasKVM"] = kvm
    hypervisor = detect(read_signals(ctx, cpuinfo))
    if hypervisor:
        attrs["IsVirtualMachine"] = True
        attrs["Hypervisor"] = hypervisor
    elif cpuinfo is not None:
        # Without cpuinfo the main signal is missing: do not claim bare metal.
        attrs["IsVirtualMachine"] = False
    return attrs
