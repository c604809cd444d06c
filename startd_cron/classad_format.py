"""The one place that writes ClassAd syntax for the startd.

The startd reads each output line with its *old* ClassAd syntax parser
(``ClassAd::Insert``), where a backslash is literal unless it precedes a double
quote.  So a string is written as: ``"`` + text with every ``"`` turned into
``\\"`` + ``"``.  Control characters (newline, carriage return, NUL, ...) have
no spelling in that syntax and would end the line, so each becomes U+FFFD;
undecodable bytes were already turned into U+FFFD when the text was read.
That way no value can ever produce a second attribute.

>>> format_ad({"kernel_version": "2.6.18-164.el5", "HasKVM": False})
'kernel_version = "2.6.18-164.el5"\\nHasKVM = false\\n- update:true\\n'
"""

from startd_cron.attributes import ORDER

# ClassAd attribute names: a letter or underscore, then letters, digits, underscores.
# (Plain sets, not a regex: importing re costs the hourly hook milliseconds.)
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_NAME_CHARS = _LETTERS | frozenset("0123456789")
# Words the ClassAd grammar reserves; an attribute cannot be called that.
_RESERVED = frozenset(("true", "false", "undefined", "error", "is", "isnt", "parent"))
REPLACEMENT = "\ufffd"
_CONTROL = {code: REPLACEMENT for code in list(range(0x20)) + [0x7F]}
END_OF_AD = "- update:true"


def check_name(name):
    """Return ``name`` if it is a valid ClassAd attribute name, else raise ValueError."""
    if (
        not isinstance(name, str)
        or not name
        or name[0] not in _LETTERS
        or not _NAME_CHARS.issuperset(name)
        or name.lower() in _RESERVED
    ):
        raise ValueError("not a ClassAd attribute name: %r" % (name,))
    return name


def clean_text(text):
    """Text as it will be published: control characters become U+FFFD."""
    return text.translate(_CONTROL)


def quote_string(text):
    """Old-syntax string literal for ``text``: ``'a"b'`` -> ``'"a\\\\"b"'``."""
    return '"' + clean_text(text).replace('"', '\\"') + '"'


def format_value(value):
    """ClassAd literal for a str, bool or int value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return quote_string(value)
    raise TypeError("cannot publish %s value %r" % (type(value).__name__, value))


def format_line(name, value):
    return "%s = %s" % (check_name(name), format_value(value))


def format_ad(attrs):
    """All attributes, contract names first in contract order, then the end-of-ad line."""
    known = [name for name in ORDER if name in attrs]
    extra = sorted(name for name in attrs if name not in ORDER)
    lines = [format_line(name, attrs[name]) for name in known + extra]
    lines.append(END_OF_AD)
    return "\n".join(lines) + "\n"
