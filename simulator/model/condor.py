"""The only module that imports HTCondor's Python bindings.

``htcondor2`` must be imported before ``classad2``: it registers HTCondor's
extra ClassAd functions (``stringListMember`` and friends), without which they
evaluate to ERROR.

Two helpers keep text built from names and user expressions exact:
``attribute_text`` writes a name as the library writes it (quoted when it is not
a plain identifier), and ``parse_whole`` parses an expression only when the
library reads all of it (its parser otherwise stops quietly at a stray ``]``).

>>> attribute_text("Cpus"), attribute_text("Zz = 1; START"), attribute_text("1Cpus")
('Cpus', "'Zz = 1; START'", "'1Cpus'")
>>> str(parse_whole('TARGET.OpSys == "LINUX"'))
'TARGET.OpSys == "LINUX"'
>>> parse_whole('TARGET.OpSys == "OSX" ] || TARGET.OpSys == "LINUX"')
Traceback (most recent call last):
ValueError: the expression does not parse as a whole
"""

import functools
import secrets

# isort: off
import htcondor2  # noqa: F401  (imported for its side effect, see above)
import classad2

# isort: on

ClassAd = classad2.ClassAd
ExprTree = classad2.ExprTree
Value = classad2.Value
ClassAdException = classad2.ClassAdException
ParserType = classad2.ParserType
parse_ads = classad2.parseAds
parse_one = classad2.parseOne
quote = classad2.quote
unquote = classad2.unquote
htcondor = htcondor2


@functools.lru_cache(maxsize=4096)
def attribute_text(name: str) -> str:
    """``name`` as ClassAd text: unchanged when plain, else in single quotes, escaped as
    HTCondor's library writes it (so no name can read as more than one attribute)."""
    ad = ClassAd()
    ad[name] = 0
    text = repr(ad)  # "[ NAME = 0 ]"
    head, tail = "[ ", " = 0 ]"
    if not (text.startswith(head) and text.endswith(tail)):  # pragma: no cover
        raise ValueError(f"cannot write the attribute name {name!r}")
    return text[len(head):-len(tail)]


class UnwritableValue(ValueError):
    """A value HTCondor's library does not write back as itself (see ``value_text``)."""

    def __init__(self, name: str, text: str):
        self.name, self.text = name, text
        shown = " ".join(text.split())
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        super().__init__(
            f"HTCondor's library writes the value of {name} back as {shown!r}, which reads "
            "differently (a quoted attribute name after MY., TARGET. or a nested ad)")


def value_text(ad: "ClassAd", name: str, seen: dict = None) -> str:
    """The text of attribute ``name`` of ``ad``, as the library unparses it, checked to read
    back as one expression that refers to the same attributes; UnwritableValue otherwise.

    The library writes a quoted name after a scope without its quotes: ``MY.'a; B = 1'``
    comes back as ``MY.a; B = 1``, which would set B in an ad rebuilt from text. (Texts
    that read back as a different tree of the same meaning pass: ``real("NaN")`` for a NaN
    literal, ``-5`` for ``- 5``.) ``seen`` (text -> expression read back) keeps each
    distinct text parsed once.
    """
    expr = ad.lookup(name)
    text = str(expr)
    if seen is None:
        seen = {}
    back = seen.get(text)
    if back is None:
        try:
            back = parse_whole(text)
        except ValueError:
            back = False
        seen[text] = back
    if back is False:
        raise UnwritableValue(name, text)
    if back != expr:
        probe = ClassAd()
        if sorted(probe.externalRefs(back)) != sorted(probe.externalRefs(expr)):
            raise UnwritableValue(name, text)
    return text


def parse_whole(text: str) -> "ExprTree":
    """``text`` parsed as one ClassAd expression, all of it; ValueError otherwise.

    HTCondor's parser reads ``[expression = TEXT]`` and stops at the first ``]``
    that closes the ad, leaving the rest unread. Here the text is the value of a name
    it cannot know, followed by a second ad: both ads, each with that one name, and
    nothing else, must come back.
    """
    key = "tribes_" + secrets.token_hex(8)
    source = f"[{key} = {text}\n]\n[{key} = true]"
    tree = None
    try:
        ads = list(classad2.parseAds(source, classad2.ParserType.New))
        if (len(ads) == 2 and [list(ad.keys()) for ad in ads] == [[key], [key]]
                and ads[1].eval(key) is True):
            tree = ads[0].lookup(key)
    except (ClassAdException, ValueError, SyntaxError, RecursionError):
        pass
    if tree is None:
        raise ValueError("the expression does not parse as a whole")
    return tree


__all__ = [
    "ClassAd",
    "ClassAdException",
    "ExprTree",
    "ParserType",
    "UnwritableValue",
    "Value",
    "attribute_text",
    "htcondor",
    "parse_ads",
    "parse_one",
    "parse_whole",
    "quote",
    "unquote",
    "value_text",
]
