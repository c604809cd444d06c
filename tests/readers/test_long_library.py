"""The reference -long path: HTCondor's parser on each whole ad."""

import gzip

from realads import OSPOOL, needs_real

from simulator.io.readers.long_library import chunks, read_library
from simulator.model.condor import parse_ads


@needs_real
def test_library_path_equals_plain_parse_ads():
    """The reference path itself is what parseAds gives for the slot ads."""
    with gzip.open(OSPOOL, "rt") as fh:
        ads = [ad for ad in parse_ads(fh.read()) if ad.get("MyType") == "Machine"]
    snap = read_library(OSPOOL)
    assert len(ads) == len(snap) == 143
    for i, ad in enumerate(ads):
        expected = {k.lower(): str(ad.lookup(k)) for k in ad}
        row = {k: v for k, v in snap.ads.iloc[i].items() if v is not None}
        assert row == expected


def test_chunks_number_ads_and_their_first_lines():
    text = "\n\nA = 1\nB = 2\n \t\n\nC = 3\n\n\n\nD = 4"
    assert list(chunks(text)) == [(1, 3, "A = 1\nB = 2"), (2, 7, "C = 3"), (3, 11, "D = 4")]
