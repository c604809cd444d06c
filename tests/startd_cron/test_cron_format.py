"""The one ClassAd formatter: names, values, and no way to smuggle a second attribute."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.model.condor import parse_one
from startd_cron.attributes import ORDER
from startd_cron.classad_format import (
    CUT,
    END_OF_AD,
    MAX_AD,
    MAX_VALUE,
    REPLACEMENT,
    cap_text,
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


def test_long_values_are_cut_to_1024_characters_and_say_so():
    assert format_value("x" * MAX_VALUE) == '"' + "x" * MAX_VALUE + '"'
    cut = parse_one(format_line("redhat_version", "y" * (MAX_VALUE + 1)))["redhat_version"]
    assert cut == "y" * (MAX_VALUE - len(CUT)) + CUT and len(cut) == MAX_VALUE
    assert format_value("a" * 20, max_value=10) == '"aaaa\u2026[cut]"'


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=MAX_VALUE - 10, max_size=3 * MAX_VALUE))
def test_any_long_text_is_published_capped_and_still_one_attribute(text):
    ad = parse_one(format_line("redhat_version", text))
    assert list(ad.keys()) == ["redhat_version"]
    assert ad["redhat_version"] == clean_text(cap_text(text))
    assert len(ad["redhat_version"]) <= MAX_VALUE


def test_an_ad_over_the_cap_drops_its_last_attributes_and_names_them():
    wide = "\U0001f600" * 300  # 1200 bytes
    attrs = {"redhat_version": wide, "os_pretty_name": wide, "kernel_version": wide,
             "glibc_version": wide, "HasKVM": True,
             "tribes_probe_errors": "glibc: rpm -q glibc exited 1"}
    assert _ad(format_ad(attrs, max_value=300)) == attrs
    # Room for two wide lines and the longest errors line there can be.
    text = format_ad(attrs, max_value=300, max_ad=3700)
    assert len(text.encode()) <= 3700
    names = [line.split(" = ")[0] for line in text.splitlines()[:-1]]
    assert names == ["redhat_version", "os_pretty_name", "tribes_probe_errors"]
    ad = _ad(text)
    assert ad["tribes_probe_errors"] == (
        "glibc: rpm -q glibc exited 1; ad: over 3700 bytes, "
        "dropped kernel_version, glibc_version, HasKVM")


def test_the_errors_line_always_fits_even_when_everything_else_is_dropped():
    attrs = {"redhat_version": "\ufffd" * 1000, "zz_extra": '"' * 1000}
    text = format_ad(attrs, max_value=60, max_ad=200)
    assert len(text.encode()) <= 200
    assert _ad(text) == {
        "tribes_probe_errors": "ad: over 200 bytes, dropped redhat_version, zz_extra"}


def test_the_default_caps_leave_room_for_every_attribute_at_its_longest():
    # Even every contract attribute at its worst (1024 characters of 4 UTF-8
    # bytes each) fits: the ad cap never drops the hook's own attributes.
    attrs = {name: "\U0001f600" * 2000 for name in ORDER}
    text = format_ad(attrs)
    assert len(text.encode()) <= MAX_AD
    assert "dropped" not in text
