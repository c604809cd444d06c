"""One old-syntax line to its name and canonical text, against HTCondor's own parser."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.io.readers.literals import BadLine, entry, is_comment
from simulator.model.condor import classad2, parse_one

ParserType = classad2.ParserType


@pytest.mark.parametrize("value", [
    "8", "-7", "0", "true", "false", '"LINUX"', '"say \\"hi\\""', '"c:\\temp"', "TRUE",
    "UNDEFINED", "123456789012345678901234567890", "9223372036854775807", "-0.0", "0.0",
    "1e3", "2 * 4", '"héllo"', "1 // trailing", "{1, 2}", "[a = 1; b = 2]",
])  # fmt: skip
def test_a_value_reads_as_the_library_unparses_it(value):
    line = f"Attr = {value}"
    library = parse_one(line, ParserType.Old)
    assert entry(line) == ("Attr", str(library.lookup("Attr")))


@pytest.mark.parametrize("line, words", [
    ("hello world", "expected Attr = value: hello world"),
    ("B = (", "cannot parse the value: B = ("),
    ("A = " + "1 + " * 40, "cannot parse the value: A = 1 + 1 + "),
])  # fmt: skip
def test_a_line_that_is_not_one_attribute_is_refused(line, words):
    with pytest.raises(BadLine) as err:
        entry(line)
    assert str(err.value).startswith(words)
    assert len(str(err.value).split(": ", 1)[1]) <= 80  # a long line is cut short


def test_blank_lines_and_comments():
    assert is_comment("") and is_comment(" \t") and is_comment("# x") and is_comment(" // x")
    assert not is_comment("A = 1") and not is_comment("A = 1 // trailing")


@settings(max_examples=300, deadline=None)
@given(
    number=st.floats(allow_nan=True, allow_infinity=True),
    form=st.sampled_from(["{!r}", "{:.6f}", "{:.17g}", "{:e}", "{:E}", "{:.3e}", "{:.1f}"]),
)
def test_reals_are_written_as_the_library_writes_them(number, form):
    text = form.format(number)
    line = f"A = {text}"
    library = parse_one(line, ParserType.Old)
    if "A" not in library:  # e.g. "inf": not ClassAd syntax; the reader must refuse it too
        with pytest.raises(BadLine):
            entry(line)
        return
    assert entry(line) == ("A", str(library.lookup("A")))
