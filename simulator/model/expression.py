"""An expression's root operator, found with HTCondor's parser (no hand-written parsing).

The text worked on is the library's own unparse (``str(ExprTree(...))``), which writes
binary operators as ``" op "``. A candidate cut at an operator is kept only when both
sides parse on their own, as whole expressions (``parse_whole``: a cut inside a string,
parentheses, a call or a nested ad leaves a side that does not). ``?:`` binds loosest,
then ``||``, then ``&&``, so a root ``&&`` is looked for only once the others are ruled
out.

>>> split_at('A == 1 && (B || C)', "&&")
('A == 1', '(B || C)')
>>> conjuncts('(TARGET.Arch == "X86_64") && (TARGET.Disk >= RequestDisk) && TARGET.HasDocker')
['(TARGET.Arch == "X86_64")', '(TARGET.Disk >= RequestDisk)', 'TARGET.HasDocker']
>>> conjuncts('A && B || C') is None, conjuncts('A ? B && C : D') is None, conjuncts('A') is None
(True, True, True)
"""

from __future__ import annotations

from typing import List, Optional, Tuple

from simulator.model.condor import ExprTree, parse_whole


def parses(text: str) -> bool:
    """Does ``text`` parse as one whole ClassAd expression?"""
    if not text.strip():
        return False
    try:
        parse_whole(text)
    except ValueError:
        return False
    return True


def positions(text: str, token: str) -> List[int]:
    """Every offset of ``token`` in ``text`` (overlapping ones too)."""
    found, start = [], 0
    while True:
        at = text.find(token, start)
        if at < 0:
            return found
        found.append(at)
        start = at + 1


def split_at(text: str, op: str) -> Optional[Tuple[str, str]]:
    """(left, right) if ``op`` is the root operator of ``text``, else None.

    ``text`` is the library's own unparse, so binary operators are written
    ``" op "``. A cut inside a string, parentheses or a function call leaves a
    side that does not parse. ``&&`` and ``||`` are left-associative, so the
    root is the rightmost top-level one; callers look for a top-level ``?:``
    first, then ``||``, then ``&&`` (lowest precedence first).
    """
    token = f" {op} "
    for at in reversed(positions(text, token)):
        left, right = text[:at], text[at + len(token):]
        if parses(left) and parses(right):
            return left, right
    return None


def is_ternary(text: str) -> bool:
    """Is the root of ``text`` a ``c ? a : b`` or ``a ?: b``? (It binds loosest.)"""
    for at in positions(text, " ?: "):
        if parses(text[:at]) and parses(text[at + 4:]):
            return True
    for at in positions(text, " ? "):
        if not parses(text[:at]):
            continue
        rest = text[at + 3:]
        for colon in positions(rest, " : "):
            if parses(rest[:colon]) and parses(rest[colon + 3:]):
                return True
    return False


def paren_inner(text: str) -> Optional[str]:
    """The inside of ``(X)`` when the whole text is one parenthesized group."""
    body = text.strip()
    if not (body.startswith("(") and body.endswith(")")):
        return None
    inner = body[1:-1]
    # "(a) && (b)" also starts and ends with parentheses: its inside "a) && (b"
    # does not parse. When it parses, the library must agree it is the same tree.
    if parses(inner) and ExprTree(f"({inner})") == ExprTree(body):
        return inner
    return None


def conjuncts(expression) -> Optional[List[str]]:
    """The operands of ``expression`` (text or ExprTree) when its root is a chain of
    ``&&`` (``c1 && c2 && ... && cn``, n >= 2), as the library's texts; else None.

    Only a plain chain is split: the text must read back as the same tree, and no
    operand may have a looser root (``||``, ``?:``) that the chain would regroup. Each
    operand parses on its own, and ``c1 && ... && cn`` is ``((c1 && c2) && ...) && cn``.
    """
    try:
        tree = expression if isinstance(expression, ExprTree) else ExprTree(str(expression))
        text = str(tree)
        if parse_whole(text) != tree:  # the unparse reads back differently: leave it whole
            return None
    except Exception:  # classad2 raises ClassAdException on a parse error
        return None
    if is_ternary(text) or split_at(text, "||") is not None:
        return None
    out: List[str] = []
    while True:
        parts = split_at(text, "&&")
        if parts is None:
            break
        text, right = parts
        out.append(right)
    if not out:
        return None
    out.append(text)
    out.reverse()
    # Each operand's own root must bind tighter than && (it does unless it is a ?: or a
    # ||, which the chain's text would have read differently); a root && on the left is
    # split further above, and cannot be on the right (the rightmost cut is the root).
    for part in out:
        if is_ternary(part) or split_at(part, "||") is not None:
            return None
    return out


__all__ = ["conjuncts", "is_ternary", "paren_inner", "parses", "positions", "split_at"]
