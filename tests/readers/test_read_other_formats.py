"""XML, JSON and new-syntax readers, the sniffer, and the live-collector reader."""

import pytest
from realads import (
    CONDOR_Q_JSON,
    EC2_LONG,
    EC2_XML,
    GLIDEIN_XML,
    LONG_FILES,
    NOTEBOOK,
    OSPOOL,
    REAL,
    assert_same_snapshot,
    needs_real,
)

from simulator.io import collector
from simulator.io.readers import json as json_reader
from simulator.io.readers import long, new_syntax, read_file, sniff
from simulator.io.readers import xml as xml_reader
from simulator.model.condor import ClassAd, parse_ads
from simulator.model.errors import AdParseError, TribesError


@needs_real
def test_xml_and_long_forms_of_the_same_ec2_ads_agree():
    as_xml = xml_reader.read(EC2_XML)
    as_long = long.read(EC2_LONG)
    assert len(as_xml) == len(as_long) == 2
    assert as_long.skipped == {
        "Submitter": 4, "Grid": 2, "Scheduler": 2, "DaemonMaster": 4, "Negotiator": 1,
        "Collector": 1,
    }
    shared = set(as_xml.ads.columns) & set(as_long.ads.columns)
    assert {"opsys", "opsysandver", "javaversion", "start", "requirements"} <= shared
    # The two captures were taken 100 minutes apart: counters, load and the running
    # job moved on; everything that describes the machines is the same text.
    moving = {c for c in shared if as_xml.ads[c].tolist() != as_long.ads[c].tolist()}
    job = {"globaljobid", "jobid", "publicclaimid"}
    for col in moving - job:
        assert all(v.lstrip("-").replace(".", "").replace("E+", "").replace("E-", "").isdigit()
                   for v in as_xml.ads[col]), col
    assert len(shared - moving) >= 110
    assert_same_snapshot(as_xml, as_long, columns=sorted(shared - moving))
    assert as_xml.values("OpSysAndVer").tolist() == ["SL6", "SL6"]


@needs_real
def test_glideinwms_xml_fixture():
    snap = xml_reader.read(GLIDEIN_XML)
    assert len(snap) == 4 and snap.skipped == {}
    assert set(snap.values("OpSysLongName")) == {"Scientific Linux release 6.5 (Carbon)"}
    assert "stringListMember" in snap.ads.loc[0, "start"]


def test_broken_xml_names_the_ad_and_line(tmp_path):
    path = tmp_path / "bad.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<classads>\n<c>\n  <a n="MyType"><s>Machine</s></a>\n</c>\n'
        '<c>\n  <a n="Cpus"><i>8</i>\n</c>\n</classads>\n'
    )
    with pytest.raises(AdParseError) as err:
        xml_reader.read(path)
    assert (err.value.ad_number, err.value.line) == (2, 8)


def test_json_with_expressions_equals_the_long_form(tmp_path):
    """No real condor_status -json dump exists; HTCondor's own printJson makes one."""
    source = REAL / "htcondor__htcondor__src_condor_tests_StatusAds_partionable8core"
    if not source.exists():
        pytest.skip("reference ads not available")
    ads = list(parse_ads(source.read_text()))
    path = tmp_path / "status.json"
    path.write_text("[\n" + "\n,\n".join(ad.printJson() for ad in ads) + "\n]\n")
    as_json = json_reader.read(path)
    as_long = long.read(source)
    assert len(as_json) == 5
    assert as_json.ads.loc[0, "requirements"] == "(START) && (IsValidCheckpointPlatform) && " \
        "(WithinResourceLimits)"
    assert_same_snapshot(as_json, as_long)


@needs_real
def test_condor_q_json_holds_job_ads_not_slots():
    snap = json_reader.read(CONDOR_Q_JSON)
    assert len(snap) == 0
    assert snap.skipped == {"Job": 20}


@pytest.mark.parametrize(
    "text, ad, line",
    [
        ('[\n{"MyType": "Machine"},\n{"MyType": "Machine", "Cpus": }\n]\n', 2, 3),
        ('[\n{"MyType": "Machine"}\n{"MyType": "Machine"}\n]\n', 1, 3),
        ('[\n{"MyType": "Machine"},\n', 2, 3),
        ('[\n{"MyType": "Machine", "S": "\\/Expr(1 +)\\/"}\n]\n', 1, 2),
    ],
)
def test_broken_json_names_the_ad_and_line(tmp_path, text, ad, line):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(AdParseError) as err:
        json_reader.read(path)
    assert (err.value.path, err.value.ad_number, err.value.line) == (path, ad, line)


@needs_real
def test_new_syntax_notebook_output_has_no_slot_ads():
    snap = new_syntax.read(NOTEBOOK)
    assert len(snap) == 0
    assert snap.skipped == {"Accounting": 1, "Collector": 1, "StartD": 1}


@needs_real
def test_new_syntax_multi_ad_file_equals_the_long_form(tmp_path):
    source = REAL / "htcondor__htcondor__src_condor_tests_StatusAds_basic4slot"
    ads = list(parse_ads(source.read_text()))
    path = tmp_path / "ads.classad"
    path.write_text("\n".join(str(ad) for ad in ads))  # str() prints new syntax
    assert_same_snapshot(new_syntax.read(path), long.read(source))


def test_broken_new_syntax_names_the_ad_and_line(tmp_path):
    path = tmp_path / "bad.classad"
    path.write_text('[ MyType = "Machine"; A = "]" ]\n\n[\n  MyType = "Machine";\n  B = 1 +\n]\n')
    with pytest.raises(AdParseError) as err:
        new_syntax.read(path)
    assert (err.value.ad_number, err.value.line) == (2, 5)
    path.write_text('[\n  A = 1;\n  B = {1, [c = 2; d = ]};\n  C = 3\n]\n')
    with pytest.raises(AdParseError, match="ad 1, line 3: this attribute cannot be parsed"):
        new_syntax.read(path)
    path.write_text('[ MyType = "Machine"; A = 1 ]\n[ B = 2\n')
    with pytest.raises(AdParseError, match="ad 2, line 2: .*not closed"):
        new_syntax.read(path)


@needs_real
@pytest.mark.parametrize(
    "path, expected",
    [(OSPOOL, "long"), (EC2_XML, "xml"), (CONDOR_Q_JSON, "json"), (NOTEBOOK, "new")]
    + [(REAL / name, "long") for name in LONG_FILES],
)
def test_sniffer_knows_every_real_file(path, expected):
    assert sniff.sniff(path) == expected


def test_sniffer_on_text():
    assert sniff.sniff_text('  \n[ A = 1 ]') == "new"
    assert sniff.sniff_text("[\n  ]") == "json"
    assert sniff.sniff_text('{"A": 1}') == "json"
    assert sniff.sniff_text("# comment\n<classads/>") == "xml"
    assert sniff.sniff_text("A = [b = 1]") == "long"


@needs_real
def test_read_file_dispatches_on_the_sniffed_format():
    assert len(read_file(EC2_XML)) == 2
    assert len(read_file(OSPOOL)) == 143
    assert len(read_file(NOTEBOOK)) == 0


class StandInCollector:
    """Answers query() as htcondor2.Collector does, from ads held in memory."""

    def __init__(self, ads):
        self.ads = ads
        self.asked = []

    def query(self, ad_type, projection=None):
        self.asked.append((ad_type, projection))
        return list(self.ads)


@needs_real
def test_collector_reader_builds_the_same_snapshot_as_the_file(monkeypatch):
    with open(EC2_LONG) as fh:
        ads = list(parse_ads(fh.read()))
    stand_in = StandInCollector(ads)
    monkeypatch.setattr(collector.htcondor, "Collector", lambda host: stand_in)
    snap = collector.read("cm.example.org")
    assert stand_in.asked == [(collector.htcondor.AdTypes.Startd, [])]
    assert snap.source == "collector cm.example.org"
    file_snap = long.read(EC2_LONG)
    assert_same_snapshot(snap, file_snap, columns=file_snap.ads.columns)
    assert snap.skipped == file_snap.skipped


def test_collector_failure_is_one_line(monkeypatch):
    class Down:
        def query(self, *args, **kwargs):
            raise OSError("Failed communication with collector.")

    with pytest.raises(TribesError, match="collector cm: query failed"):
        collector.read("cm", collector=Down())


def test_collector_without_slots_uses_the_given_time():
    snap = collector.read("cm", time=1234, collector=StandInCollector([ClassAd({"MyType": "X"})]))
    assert len(snap) == 0 and snap.skipped == {"X": 1} and snap.time == 1234


@pytest.mark.live
@pytest.mark.skipif("not config.getoption('-m')", reason="needs a live collector; run with -m live")
def test_live_collector():  # pragma: no cover - never in CI
    import os

    host = os.environ.get("TRIBES_COLLECTOR", "cm-1.ospool.osg-htc.org")
    snap = collector.read(host)
    assert len(snap) > 0


def test_new_syntax_brackets_in_strings_and_comments(tmp_path):
    path = tmp_path / "ads.classad"
    path.write_text(
        '[ A = "x]"; B = \'odd name\'; C = {1, [d = 2]} /* ] */ ] // [\n'
        '[ MyType = "Machine"; OpSys = "LINUX"; Name = "s[1]" ]\n'
    )
    snap = new_syntax.read(path, time=1)
    assert len(snap) == 1 and snap.skipped == {"(no MyType)": 1}
    assert snap.values("Name").tolist() == ["s[1]"]
    path.write_text('[ MyType = "Machine" ]\n[ A = "open ]\n')
    with pytest.raises(AdParseError, match="ad 2, line 2: string not closed"):
        new_syntax.read(path)
