"""The only module that imports HTCondor's Python bindings.

``htcondor2`` must be imported before ``classad2``: it registers HTCondor's
extra ClassAd functions (``stringListMember`` and friends), without which they
evaluate to ERROR.
"""

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

__all__ = [
    "ClassAd",
    "ClassAdException",
    "ExprTree",
    "ParserType",
    "Value",
    "htcondor",
    "parse_ads",
    "parse_one",
    "quote",
    "unquote",
]
