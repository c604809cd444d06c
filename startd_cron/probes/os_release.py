"""OS release: the first line of /etc/redhat-release and /etc/os-release's names.

>>> parse_redhat_release("Red Hat Enterprise Linux Server release 5.4 (Tikanga)\\n")
'Red Hat Enterprise Linux Server release 5.4 (Tikanga)'
>>> parse_os_release('ID="rocky"\\nVERSION_ID="9.3"\\n')["ID"]
'rocky'
"""

NAME = "os"
REDHAT_RELEASE = "/etc/redhat-release"
# os-release(5): /etc/os-release, falling back to /usr/lib/os-release.
OS_RELEASE = ("/etc/os-release", "/usr/lib/os-release")
_FIELDS = (("PRETTY_NAME", "os_pretty_name"), ("ID", "os_id"), ("VERSION_ID", "os_version_id"))
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_KEY_CHARS = _LETTERS | frozenset("0123456789")


def _lines(text):
    """Lines split at \\r\\n, \\r or \\n (a lone CR ends a line too)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def parse_redhat_release(text):
    """The first line, trimmed; None if it is empty."""
    first = _lines(text)[0].strip()
    return first or None


def shell_value(raw):
    """The value of a shell-style assignment's right side; None if a quote is unclosed.

    >>> shell_value('"Rocky Linux 9.3 (Blue Onyx)"'), shell_value("'a \\"b\\"'")
    ('Rocky Linux 9.3 (Blue Onyx)', 'a "b"')
    >>> shell_value('x\\\\ y'), shell_value('"unclosed')
    ('x y', None)
    """
    words, word, started, quote = [], [], False, None
    i = 0
    while i < len(raw):
        char = raw[i]
        if quote == "'":
            if char == "'":
                quote = None
            else:
                word.append(char)
        elif quote == '"':
            if char == '"':
                quote = None
            elif char == "\\" and i + 1 < len(raw) and raw[i + 1] in '$`"\\':
                i += 1
                word.append(raw[i])
            else:
                word.append(char)
        elif char in "'\"":
            quote, started = char, True
        elif char == "\\" and i + 1 < len(raw):
            i += 1
            word.append(raw[i])
            started = True
        elif char in " \t":
            if started:
                words.append("".join(word))
                word, started = [], False
        else:
            word.append(char)
            started = True
        i += 1
    if quote:
        return None
    if started:
        words.append("".join(word))
    return " ".join(words)


def parse_os_release(text):
    """KEY=value pairs of an os-release file, shell quoting removed."""
    fields = {}
    for line in _lines(text):
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, raw = line.partition("=")
        if not key or key[0] not in _LETTERS or not _KEY_CHARS.issuperset(key):
            continue
        value = shell_value(raw)
        # Unbalanced quotes: keep the text as written.
        fields[key] = raw.strip() if value is None else value
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
