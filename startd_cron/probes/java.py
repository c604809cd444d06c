"""Java: vendor and version of the ``java`` the startd would run.

Modern JVMs list their system properties with ``-XshowSettings:properties``;
JVMs older than Java 7 (Sun 1.6, GCJ's gij "1.4.2") reject or ignore it, so
the ``java -version`` banner is parsed as a fallback.

>>> parse_properties("Property settings:\\n    java.vendor = Debian\\n")
{'java.vendor': 'Debian'}
>>> parse_version_banner('java version "1.6.0_17"\\nJava(TM) SE Runtime Environment')["JavaVendor"]
'Sun Microsystems Inc.'
"""

import os

from startd_cron import java_cache
from startd_cron.run_command import CommandError, CommandFailed

NAME = "java"
PROPERTIES = ["-XshowSettings:properties", "-version"]
VERSION = ["-version"]
# Property lines are indented by exactly four spaces; continuation lines of
# multi-valued properties (java.library.path) by eight.  (The parsers import re
# themselves: a run that finds Java in the cache never needs it.)
_PROPERTY = r"^    ([A-Za-z0-9_.]+) = (.*)$"
_BANNER = r'^\S+ version "([^"]+)"'
_PROPERTY_ATTRS = (
    ("java.vendor", "JavaVendor"),
    ("java.version", "JavaVersion"),
    ("java.specification.version", "JavaSpecificationVersion"),
)


def parse_properties(text):
    import re

    props = {}
    for line in text.splitlines():
        match = re.match(_PROPERTY, line.rstrip("\r"))
        if match:
            props[match.group(1)] = match.group(2).strip()
    return props


def properties_attributes(props):
    return {attr: props[key] for key, attr in _PROPERTY_ATTRS if props.get(key)}


def specification_version(version):
    """'1.6.0_17' -> '1.6', '1.4.2' -> '1.4', '11.0.21' -> '11', '21' -> '21'."""
    import re

    parts = re.split(r"[._+-]", version)
    if parts[0] == "1" and len(parts) > 1:
        return "1." + parts[1]
    return parts[0]


def _banner_vendor(text, version):
    if "libgcj" in text or "gij" in text:
        return "Free Software Foundation, Inc."
    if "IBM" in text:
        return "IBM Corporation"
    if "Java(TM)" in text or "HotSpot(TM)" in text:
        minor = specification_version(version).split(".")[-1]
        legacy = version.startswith("1.") and minor.isdigit() and int(minor) < 7
        return "Sun Microsystems Inc." if legacy else "Oracle Corporation"
    return None


def parse_version_banner(text):
    """Attributes from ``java -version`` output (``java version "1.6.0_17"``)."""
    import re

    match = re.search(_BANNER, text, re.MULTILINE)
    if not match:
        return {}
    version = match.group(1)
    attrs = {"JavaVersion": version, "JavaSpecificationVersion": specification_version(version)}
    vendor = _banner_vendor(text, version)
    if vendor:
        attrs["JavaVendor"] = vendor
    return attrs


def parse_output(text):
    """Attributes from either form of output; properties win."""
    attrs = properties_attributes(parse_properties(text))
    if "JavaVersion" in attrs:
        return attrs
    return parse_version_banner(text)


def find_java(ctx):
    """``$JAVA`` (the startd's JAVA knob, passed in the cron ENV) else java on PATH.

    HTCondor's JAVA defaults to /usr/bin/java even where there is none, so a
    JAVA that does not exist means "not configured", not an error.
    """
    configured = ctx.env.get("JAVA", "").strip()
    if configured:
        found = configured if "/" in configured else ctx.which(configured)
        if found and os.path.isfile(found) and os.access(found, os.X_OK):
            return found
    return ctx.which("java")


def _run_java(ctx, java):
    """Attributes from the JVM; None (noted) if it failed or hung."""
    last_failure = None
    for args in (PROPERTIES, VERSION):
        try:
            result = ctx.run([java] + args)
        except (OSError, CommandError) as exc:
            # A JVM that hangs or floods once will do it again: no fallback.
            ctx.note_command_failure(NAME, exc)
            return None
        text = result.stdout + "\n" + result.stderr
        attrs = parse_output(text)
        if attrs:
            return attrs
        last_failure = CommandFailed([java] + args, result.returncode)
    if last_failure.returncode:
        ctx.note_command_failure(NAME, last_failure, "java -version")
    else:
        ctx.note(NAME, "java -version printed no version")
    return None


def read(ctx):
    java = find_java(ctx)
    if not java:
        return {}
    try:
        key = java_cache.key_for(java)
    except OSError as exc:
        ctx.note_command_failure(NAME, exc, java)
        return {}
    cached = java_cache.lookup(ctx.cache_path, key)
    if cached:
        return cached
    attrs = _run_java(ctx, java)
    if not attrs:
        return {}
    java_cache.store(ctx.cache_path, key, attrs)
    return attrs
