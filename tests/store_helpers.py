"""A small store written the way users write one: ``tribes snapshot`` once a day."""

from simulator import cli

DAYS = ("2024-01-01", "2024-01-02")


def snapshot_store(tmp_path, capsys, ads_text: str, days=DAYS):
    """The folder of a store holding one snapshot of ``ads_text`` per day of ``days``."""
    folder = tmp_path / "store"
    ads = tmp_path / "slots.ads"
    ads.write_text(ads_text)
    for day in days:
        assert cli.main(["snapshot", "--pool", str(ads), "--store", str(folder),
                         "--time", day]) == 0
    capsys.readouterr()
    return folder
