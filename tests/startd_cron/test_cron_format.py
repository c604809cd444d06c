"""The one ClassAd formatter: names, values, and no way to smuggle a second attribute."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.condor import parse_one
from startd_cron.classad_format import (
    END_OF_AD,
    REPLACEMENT,
    check_name,
    clean_text,
    format_ad,
    format_line,
    format_value,
)


@pytest.mark.parametrize("name", ["redhat_version", "HasKVM", "_x", "A1"])
def test_valid_names_pass(name):
    assert check_name(name) == name


@pytest.mark.parametrize(
    "name", ["", "1abc", "a-b", "a b", "a.b", "START = true", "x\ny", "true", "Error", "isnt", None]
)
def test_invalid_names_are_refused(name):
    with pytest.raises(ValueError):
        check_name(name)


def test_values():
    assert format_value(True) == "true"
    assert format_value(False) == "false"
    assert format_value(7) == "7"
    assert format_value('say "hi"') == '"say \\"hi\\""'
    with pytest.raises(TypeError):
        format_value(1.5)
    with pytest.raises(TypeError):
        format_value(None)


def test_ad_is_in_contract_order_then_extras_and_ends_with_update():
    text = format_ad({"zz_extra": 1, "HasKVM": True, "redhat_version": "x", "kernel_version": "k"})
    assert text.splitlines() == [
        'redhat_version = "x"',
        'kernel_version = "k"',
        "HasKVM = true",
        "zz_extra = 1",
        END_OF_AD,
    ]
    assert format_ad({}) == END_OF_AD + "\n"


def test_a_kernel_release_stays_a_string_not_a_number():
    # Unquoted, HTCondor would keep only the number 5.14.
    ad = parse_one(format_line("kernel_version", "5.14.0-362.el9"))
    assert ad["kernel_version"] == "5.14.0-362.el9"


@pytest.mark.parametrize(
    "text",
    [
        'a"b',
        "back\\slash",
        "ends in backslash\\",
        '\\"',
        '\\\\"',
        'x\\" START = true',
        'Linux" \nSTART = true\nX = "',
        "]",
        "[ START = true ]",
        "tab\there",
        "nul\x00byte",
        "cr\rlf",
        "caf\u00e9 \ufffd",
    ],
)
def test_hostile_strings_make_exactly_one_attribute(text):
    line = format_line("redhat_version", text)
    assert "\n" not in line and "\r" not in line
    ad = parse_one(line)
    assert list(ad.keys()) == ["redhat_version"]
    assert ad["redhat_version"] == clean_text(text)


def test_control_characters_become_the_replacement_character():
    assert clean_text("a\nb\x7fc") == f"a{REPLACEMENT}b{REPLACEMENT}c"


def _ad(text):
    """The attributes of a whole ad, its end-of-ad line taken off (only that line:
    a value may well read "- update:true")."""
    body, _, end = text[:-1].rpartition("\n")
    assert end == END_OF_AD and text.endswith("\n")
    return dict(parse_one(body))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_round_trips_through_htcondors_parser(text):
    ad = _ad(format_ad({"redhat_version": text, "HasKVM": True}))
    assert sorted(ad.keys()) == ["HasKVM", "redhat_version"]
    assert ad["redhat_version"] == clean_text(text)
    assert ad["HasKVM"] is True
