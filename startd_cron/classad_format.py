"""The one place that writes ClassAd syntax for the startd.

The startd reads each output line with its *old* ClassAd syntax parser
(``ClassAd::Insert``), where a backslash is literal unless it precedes a double
quote.  So a string is written as: ``"`` + text with every ``"`` turned into
``\\"`` + ``"``.  Control characters (newline, carriage return, NUL, ...) have
no spelling in that syntax and would end the line, so each becomes U+FFFD;
undecodable bytes were already turned into U+FFFD when the text was read.
That way no value can ever produce a second attribute.

Sizes are capped, whatever the node holds:

* a string value is published with at most MAX_VALUE (1024) characters; a
  longer one keeps its first 1018 and ends in CUT (``\u2026[cut]``), so the
  value is exactly 1024 characters and visibly cut;
* the whole ad, end-of-ad line included, is at most MAX_AD (65536) bytes of
  UTF-8.  Should the attributes not fit, they are kept in output order while
  they do (room always left for ``tribes_probe_errors``), and the rest are
  dropped and named in ``tribes_probe_errors`` (``ad: over 65536 bytes,
  dropped ...``).  With MAX_VALUE this cannot happen to the hook's own
  attributes; it is the last line of defence.

>>> format_ad({"kernel_version": "2.6.18-164.el5", "HasKVM": False})
'kernel_version = "2.6.18-164.el5"\\nHasKVM = false\\n- update:true\\n'
>>> cap_text("x" * 2000)[-10:]
'xxxx\u2026[cut]'
"""

from startd_cron.attributes import ERRORS, ORDER

# ClassAd attribute names: a letter or underscore, then letters, digits, underscores.
# (Plain sets, not a regex: importing re costs the hourly hook milliseconds.)
_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_NAME_CHARS = _LETTERS | frozenset("0123456789")
# Words the ClassAd grammar reserves; an attribute cannot be called that.
_RESERVED = frozenset(("true", "false", "undefined", "error", "is", "isnt", "parent"))
REPLACEMENT = "\ufffd"
_CONTROL = {code: REPLACEMENT for code in list(range(0x20)) + [0x7F]}
END_OF_AD = "- update:true"
MAX_VALUE = 1024
CUT = "\u2026[cut]"
MAX_AD = 64 * 1024


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


def cap_text(text, limit=MAX_VALUE):
    """``text`` if at most ``limit`` characters, else its start and CUT, ``limit`` in all."""
    if len(text) <= limit:
        return text
    return text[:max(limit - len(CUT), 0)] + CUT


def quote_string(text):
    """Old-syntax string literal for ``text``: ``'a"b'`` -> ``'"a\\\\"b"'``."""
    return '"' + clean_text(text).replace('"', '\\"') + '"'


def format_value(value, max_value=MAX_VALUE):
    """ClassAd literal for a str (cut to ``max_value`` characters), bool or int value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return quote_string(cap_text(value, max_value))
    raise TypeError("cannot publish %s value %r" % (type(value).__name__, value))


def format_line(name, value, max_value=MAX_VALUE):
    return "%s = %s" % (check_name(name), format_value(value, max_value))


def _ordered(names):
    """Contract names first, in contract order, then the others sorted."""
    return [name for name in ORDER if name in names] + sorted(
        name for name in names if name not in ORDER)


def _size(line):
    """Bytes ``line`` takes in the output, its newline included."""
    return len(line.encode("utf-8")) + 1


def format_ad(attrs, max_value=MAX_VALUE, max_ad=MAX_AD):
    """All attributes in ``_ordered`` order, then the end-of-ad line (see the caps above)."""
    lines = [format_line(name, attrs[name], max_value) for name in _ordered(attrs)]
    if sum(_size(line) for line in lines) + _size(END_OF_AD) > max_ad:
        lines = _fit(attrs, max_value, max_ad)
    lines.append(END_OF_AD)
    return "\n".join(lines) + "\n"


def _fit(attrs, max_value, max_ad):
    """The lines of the attributes that fit in ``max_ad``; the others named in the errors."""
    # Room for the longest errors line there can be: 4 bytes a character at most.
    budget = max_ad - _size(END_OF_AD) - _size(ERRORS + ' = ""') - 4 * max_value
    kept, dropped = {}, []
    for name in _ordered(attrs):
        if name == ERRORS:
            continue
        line = format_line(name, attrs[name], max_value)
        if dropped or _size(line) > budget:
            dropped.append(name)
        else:
            kept[name] = line
            budget -= _size(line)
    note = "ad: over %d bytes, dropped %s" % (max_ad, ", ".join(dropped))
    errors = "; ".join(text for text in (attrs.get(ERRORS), note) if text)
    kept[ERRORS] = format_line(ERRORS, errors, max_value)
    return [kept[name] for name in _ordered(kept)]
