"""The only module that imports HTCondor's Python bindings.

``htcondor2`` must be imported before ``classad2``: it registers HTCondor's
extra ClassAd functions (``stringListMember`` and friends), without which they
evaluate to ERROR.

Two helpers keep text built from names and user expressions exact:
``attribute_text`` writes a name as the library writes it (quoted when it is not
a plain identifier), and ``parse_whole`` parses an expression only when the
library reads all of it (its parser otherwise stops quietly at a stray ``]``).
``name_problem`` and ``text_problem`` check a name and a value's text read from a
stored snapshot, where nothing vouches that the library wrote them.

>>> attribute_text("Cpus"), attribute_text("Zz = 1; START"), attribute_text("1Cpus")
('Cpus', "'Zz = 1; START'", "'1Cpus'")
>>> str(parse_whole('TARGET.OpSys == "LINUX"'))
'TARGET.OpSys == "LINUX"'
>>> parse_whole('TARGET.OpSys == "OSX" ] || TARGET.OpSys == "LINUX"')
Traceback (most recent call last):
ValueError: the expression does not parse as a whole
>>> text_problem('TARGET.OpSys == "LINUX"') is None, text_problem("1; START = false")
(True, 'does not read as one ClassAd expression')
"""

import functools
import secrets
from typing import Optional

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


@functools.lru_cache(maxsize=4096)
def name_problem(name: str) -> Optional[str]:
    """None when ``name`` is an attribute name the library writes (``attribute_text``) and
    reads back as that one name; else why not."""
    try:
        text = attribute_text(name)
        ad = parse_one(f"[{text} = 0]")
    except (ClassAdException, ValueError, SyntaxError):
        return "not an attribute name HTCondor's library can write"
    if list(ad.keys()) != [name]:
        return f"HTCondor's library reads it back as {', '.join(map(repr, ad.keys()))}"
    return None


@functools.lru_cache(maxsize=65536)
def text_problem(text: str) -> Optional[str]:
    """None when ``text``, a value's text as a snapshot stores it, is safe to put in an ad's
    text (``NAME = TEXT; …``); else why not, in a few words.

    A stored text must be what ``value_text`` could have given: one expression, read whole
    (``parse_whole``), read the same between the other attributes of an ad (no comment
    that would hide them), and which the library writes back as text that reads back with
    the same references (``value_text``'s check, which refuses ``MY.'a; B = 1'``).
    """
    try:
        tree = parse_whole(text)
    except ValueError:
        return "does not read as one ClassAd expression"
    key = "tribes_" + secrets.token_hex(8)
    try:
        ads = list(classad2.parseAds(f"[{key} = {text}; {key}_ = true]\n[{key} = true]",
                                     classad2.ParserType.New))
        in_place = ([list(ad.keys()) for ad in ads] == [[key, key + "_"], [key]]
                    and str(ads[0].lookup(key)) == str(tree))
    except (ClassAdException, ValueError, SyntaxError, RecursionError):
        in_place = False
    if not in_place:
        return "does not read as one expression between the other attributes of an ad"
    if str(tree) == text:  # the library's own text: it reads back as itself
        return None
    probe = ClassAd()
    probe[key] = tree
    try:
        value_text(probe, key)
    except UnwritableValue as exc:
        return f"HTCondor's library writes it back as {exc.text!r}, which reads differently"
    return None


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
    "name_problem",
    "parse_ads",
    "parse_one",
    "parse_whole",
    "quote",
    "text_problem",
    "unquote",
    "value_text",
]
