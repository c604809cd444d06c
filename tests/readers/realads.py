"""The real ads the reader tests read, and snapshot equality (imported by the tests)."""

from pathlib import Path

import pytest

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real-ads"

OSPOOL = REAL / "PelicanPlatform__classad__collections_vm_testdata_pool_sample.ads.gz"
EC2_LONG = REAL / "Rhymlore__htcondor-web__wiki-archive_files_751_collector-status-any.txt"
EC2_XML = REAL / "Rhymlore__htcondor-web__wiki-archive_files_749_collector_condor_status.xml"
GLIDEIN_XML = REAL / "glideinWMS__glideinwms__unittests_cs.fixture@b1704428.xml"
CE_INFO = REAL / "Rhymlore__htcondor-web__wiki-archive_files_61_condor_status-l-truncated.txt"
NOTEBOOK = (
    REAL / "htcondor__htcondor__docs_apis_python-bindings_tutorials_Personal-Pools.ipynb"
    ".collector-query-output.txt"
)
CONDOR_Q_JSON = REAL / "mivade__htcondor_status__htcondor_status_sample_condor_q_output.json"
JOB_ADS = [
    REAL / "Rhymlore__htcondor-web__wiki-archive_files_880_jobad",
    REAL / "Rhymlore__htcondor-web__wiki-archive_files_804_39691901.0.out.txt",
    REAL / "Rhymlore__htcondor-web__wiki-archive_files_1034_startdhist",
]
# Every real file in condor_status -long (old ClassAd) syntax, with its slot-ad count.
LONG_FILES = {
    OSPOOL.name: 143,
    "Rhymlore__htcondor-web__wiki-archive_files_313_n1620.slots5": 6,
    CE_INFO.name: 2,
    EC2_LONG.name: 2,
    "Rhymlore__htcondor-web__wiki-archive_files_881_machad": 1,
    "htcondor__htcondor__src_condor_tests_StatusAds_basic4slot": 4,
    "htcondor__htcondor__src_condor_tests_StatusAds_partionable8core": 5,
    "htcondor__htcondor__src_condor_tests_StatusAds_small1slot": 1,
    "htcondor__htcondor__src_condor_tests_cmd_status-af_orig_first_test.ads": 8,
    **{p.name: 0 for p in JOB_ADS},
}

needs_real = pytest.mark.skipif(not OSPOOL.exists(), reason="reference ads not available")


def assert_same_snapshot(a, b, *, columns=None):
    """Cell for cell equality of two snapshots (column order aside)."""
    cols = sorted(columns if columns is not None else a.ads.columns)
    if columns is None:
        assert cols == sorted(b.ads.columns)
        assert a.names == b.names
        assert a.skipped == b.skipped
        assert (a.time, a.time_source) == (b.time, b.time_source)
    assert len(a) == len(b)
    left = a.ads[cols].reset_index(drop=True)
    right = b.ads[cols].reset_index(drop=True)
    for col in cols:
        assert left[col].tolist() == right[col].tolist(), col
