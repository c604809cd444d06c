"""OS release: the first line of /etc/redhat-release and /etc/os-release's names.

>>> parse_redhat_release("Red Hat Enterprise Linux Server release 5.4 (Tikanga)\\n")
'Red Hat Enterprise Linux Server release 5.4 (Tikanga)'
>>> parse_os_release('ID="rocky"\\nVERSION_ID="9.3"\\n')["ID"]
'rocky'
"""

import re
import shlex

NAME = "os"
REDHAT_RELEASE = "/etc/redhat-release"
# os-release(5): /etc/os-release, falling back to /usr/lib/os-release.
OS_RELEASE = ("/etc/os-release", "/usr/lib/os-release")
_FIELDS = (("PRETTY_NAME", "os_pretty_name"), ("ID", "os_id"), ("VERSION_ID", "os_version_id"))
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def parse_redhat_release(text):
    """The first line, trimmed; None if it is empty."""
    first = _LINE_BREAK.split(text, 1)[0].strip()
    return first or None


def parse_os_release(text):
    """KEY=value pairs of an os-release file, shell quoting removed."""
    fields = {}
    for line in _LINE_BREAK.split(text):
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, raw = line.partition("=")
        if not _KEY.match(key):
            continue
        try:
            value = " ".join(shlex.split(raw))
        except ValueError:  # unbalanced quotes: keep the text as written
            value = raw.strip()
        fields[key] = value
    return fields


def os_release_attributes(fields):
    return {attr: fields[key] for key, attr in _FIELDS if fields.get(key)}


def read(ctx):
    attrs = {}
    text = ctx.read_optional(NAME, REDHAT_RELEASE)
    if text is not None:
        first = parse_redhat_release(text)
        if first:
            attrs["redhat_version"] = first
    for name in OS_RELEASE:
        if ctx.exists(name):
            text = ctx.read_optional(NAME, name)
            if text is not None:
                attrs.update(os_release_attributes(parse_os_release(text)))
            break
    return attrs
