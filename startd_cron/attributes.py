"""The attribute contract: every name the hook may publish, in output order.

docs/hook.md holds the table of what each name means and where it comes from.  The formatter
prints attributes in this order so that output is stable and diffable.
"""

ORDER = (
    "redhat_version",
    "os_pretty_name",
    "os_id",
    "os_version_id",
    "kernel_version",
    "glibc_version",
    "glibc_base_version",
    "JavaVendor",
    "JavaVersion",
    "JavaSpecificationVersion",
    "HasHardwareVirt",
    "HardwareVirtType",
    "HasKVM",
    "IsVirtualMachine",
    "Hypervisor",
    "Microarch",
    "tribes_apptainer_flavor",
    "tribes_apptainer_version",
    "tribes_apptainer_path",
    "tribes_apptainer_setuid",
    "tribes_user_namespaces",
    "tribes_can_run_containers",
    "tribes_probe_errors",
)

# Probe names accepted by ``--only``, in the order they run.
PROBES = ("os", "kernel", "glibc", "java", "virt", "microarch", "container")

ERRORS = "tribes_probe_errors"
