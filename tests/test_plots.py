"""The charts say what the data says: bar order, lengths, labels; titles with totals and time."""

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from simulator import plots
from simulator.model.condor import ClassAd
from simulator.model.snapshot import Snapshot

CAPTURE = 1270468800  # 2010-04-05 12:00 UTC
MARGINALS = Path(__file__).parent / "pools" / "data" / "pool_2010_marginals.csv"


def slot(release=None, glibc=None, vendor=None, version=None, **extra):
    ad = ClassAd({"OpSys": extra.pop("opsys", "LINUX"), "Cpus": 1})
    for name, value in (
        ("redhat_version", release),
        ("glibc_version", glibc),
        ("JavaVendor", vendor),
        ("JavaVersion", version),
        *extra.items(),
    ):
        if value is not None:
            ad[name] = value
    return ad


@pytest.fixture
def pool():
    """10 slots: 5 on RHEL 5.4, 3 on RHEL 4, 1 on CentOS 5.3, and a Mac with Java only."""
    el5, el4, centos = "RHEL 5.4", "RHEL 4.7", "CentOS 5.3"
    ads = (
        [slot(el5, "glibc-2.5-42", "Sun", "1.6.0", HasHardwareVirt=True, HasKVM=False)] * 3
        + [slot(el5, "glibc-2.5-42.el5_4.2", "Sun", "1.6.0_17", HasHardwareVirt=True)] * 2
        + [slot(el4, "glibc-2.3.4-2.41", "Free Software Foundation, Inc.", "1.4.2")] * 2
        + [slot(el4, "glibc-2.3.4-2.43", HasHardwareVirt=False)]
        + [slot(centos, "glibc-2.5-34", IsVirtualMachine=True, Hypervisor="xen")]
        + [slot(vendor="Apple Computer, Inc.", version="1.5.0_19", opsys="OSX")]
    )
    return Snapshot.from_classads(
        ads, source="test pool", time=CAPTURE, time_source="MyCurrentTime"
    )


def texts(fig):
    """Every piece of text drawn in the figure, subfigures included."""
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def data_axes(fig):
    """The axes that hold the chart (not the colour bar)."""
    found = fig.findobj(lambda a: isinstance(a, Axes))
    return [ax for ax in found if ax.get_label() != "<colorbar>"]


def bars(ax):
    """(tick label, bar length) from top to bottom."""
    patches = sorted(ax.patches, key=lambda p: p.get_y())
    labels = ax.get_yticklabels()
    ticks = {round(t, 6): labels[i].get_text() for i, t in enumerate(ax.get_yticks())}
    return [(ticks[round(p.get_y() + p.get_height() / 2, 6)], p.get_width()) for p in patches]


def header(fig):
    head = fig.subfigs[0]
    return head._suptitle.get_text(), head._supxlabel.get_text()


# --- counting --------------------------------------------------------------


def test_counts_are_largest_first_with_ties_by_value(pool):
    found = plots.counts(pool, "redhat_version")
    assert list(found.items()) == [("RHEL 5.4", 5), ("RHEL 4.7", 3), ("CentOS 5.3", 1)]


def test_counts_join_two_attributes_and_leave_out_slots_lacking_one(pool):
    found = plots.counts(pool, ["JavaVendor", "JavaVersion"])
    assert found["Sun 1.6.0"] == 3
    assert found["Apple Computer, Inc. 1.5.0_19"] == 1
    assert found.sum() == 8  # two slots publish no Java


def test_missing_adds_a_not_published_row(pool):
    found = plots.counts(pool, "Hypervisor", missing=True)
    assert list(found.items()) == [(plots.NOT_PUBLISHED, 9), ("xen", 1)]


def test_joint_table_counts_each_pair_and_sorts_by_totals(pool):
    table = plots.joint_table(pool, "redhat_version", "glibc_version")
    assert list(table.index) == ["RHEL 5.4", "RHEL 4.7", "CentOS 5.3"]
    assert table.loc["RHEL 5.4", "glibc-2.5-42"] == 3
    assert table.loc["RHEL 5.4", "glibc-2.5-42.el5_4.2"] == 2
    assert table.loc["RHEL 4.7", "glibc-2.5-42"] == 0
    assert table.to_numpy().sum() == 9  # the Mac has neither
    assert list(table.columns)[0] == "glibc-2.5-42"


# --- pool charts -------------------------------------------------------------


def test_distribution_bars_are_sorted_with_counts_and_shares(pool):
    fig = plots.distribution(pool, "redhat_version")
    (ax,) = data_axes(fig)
    assert bars(ax) == [("RHEL 5.4", 5), ("RHEL 4.7", 3), ("CentOS 5.3", 1)]
    assert {"5 (50.0 %)", "3 (30.0 %)", "1 (10.0 %)"} <= set(texts(fig))
    assert ax.get_xlabel() == "slots"


def test_distribution_title_has_total_and_subtitle_capture_time_and_source(pool):
    title, subtitle = header(plots.distribution(pool, "redhat_version"))
    assert "10 slots" in title and "3 values" in title and "OS release" in title
    assert "2010-04-05 12:00 UTC" in subtitle and "MyCurrentTime" in subtitle
    assert "test pool" in subtitle
    assert "1 slot does not publish redhat_version" in subtitle


def test_distribution_of_a_pair_and_top_folds_the_rest(pool):
    fig = plots.distribution(pool, ["JavaVendor", "JavaVersion"], top=2)
    (ax,) = data_axes(fig)
    assert bars(ax) == [("Sun 1.6.0", 3), ("Free Software Foundation, Inc. 1.4.2", 2),
                        ("(2 other values)", 3)]
    title, _ = header(fig)
    assert "4 values" in title and "JavaVendor + JavaVersion" in title


def test_distribution_of_an_attribute_nobody_publishes_is_an_error(pool):
    with pytest.raises(ValueError, match="no slot publishes"):
        plots.distribution(pool, "NoSuchAttr")


def test_facts_draw_one_panel_per_published_fact_with_missing_slots(pool):
    fig = plots.facts(pool)
    axes = data_axes(fig)
    assert [ax.get_title(loc="left") for ax in axes] == [
        "Hardware virtualization (VT-x / AMD-V) (HasHardwareVirt)",
        "Usable /dev/kvm (HasKVM)",
        "Runs inside a virtual machine (IsVirtualMachine)",
        "Hypervisor",
    ]
    assert bars(axes[0]) == [("true", 5), ("(not published)", 4), ("false", 1)]
    assert bars(axes[1]) == [("(not published)", 7), ("false", 3)]
    # one x scale: every panel's longest bar fits
    assert {ax.get_xlim() for ax in axes} == {(0, 1.3 * 9)}
    assert "10 slots" in header(fig)[0]


def test_joint_heatmap_annotates_every_nonzero_cell_and_labels_totals(pool):
    fig = plots.joint(pool)
    (ax,) = data_axes(fig)
    table = plots.joint_table(pool)
    cells = sorted(int(t.get_text()) for t in ax.texts)
    assert cells == sorted(int(v) for v in table.to_numpy().ravel() if v)
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows == ["RHEL 5.4  (5)", "RHEL 4.7  (3)", "CentOS 5.3  (1)"]
    title, subtitle = header(fig)
    assert "10 slots" in title and "1 slot lacks one of them" in subtitle


def test_embedded_pool_charts_reproduce_the_seed_tables():
    from simulator.pools import generate

    pool = generate("pool_2010")
    with open(MARGINALS, newline="") as handle:
        rows = list(csv.DictReader(handle))
    for attrs in (["redhat_version"], ["kernel_version"], ["glibc_version"],
                  ["JavaVendor", "JavaVersion"]):
        key = " ".join(attrs)
        seed = [(r["value"], int(r["count"])) for r in rows if r["attributes"] == key]
        (ax,) = data_axes(plots.distribution(pool, attrs))
        assert sorted(bars(ax)) == sorted(seed)
        assert [n for _, n in bars(ax)] == sorted((n for _, n in seed), reverse=True)


def test_pool_chart_falls_back_to_what_htcondor_publishes():
    systems = ("Rocky9", "Rocky9", "AlmaLinux8")
    ads = [ClassAd({"OpSysAndVer": v, "UtsnameRelease": "5.14.0"}) for v in systems]
    pool = Snapshot.from_classads(ads, source="ospool", time=CAPTURE)
    assert plots.chart_attrs(pool, "os") == ["OpSysAndVer"]
    (ax,) = data_axes(plots.pool_chart(pool, "os"))
    assert bars(ax) == [("Rocky9", 2), ("AlmaLinux8", 1)]
    assert plots.chart_attrs(pool, "kernel") == ["UtsnameRelease"]
    for name in ("glibc", "java", "virt", "joint"):
        title, subtitle = header(plots.pool_chart(pool, name))
        assert title.endswith("not published by this pool") and "3 slots" in subtitle
    with pytest.raises(ValueError, match="no pool chart called"):
        plots.pool_chart(pool, "nonsense")


def series_of(*days):
    """One snapshot per day; each day is a list of kernel_version values (None: not published)."""
    out = []
    for d, kernels in enumerate(days):
        ads = [slot("RHEL 5.4", kernel_version=k) if k else slot("RHEL 5.4") for k in kernels]
        out.append(Snapshot.from_classads(ads, source="drift", time=CAPTURE + d * 86400))
    return out


def test_composition_table_counts_each_value_per_day_and_folds_the_tail():
    series = series_of(["a", "a", "b", "c", None], ["a", "a", "a", "b", None], ["a"] * 4 + [None])
    table = plots.composition_table(series, "kernel_version", top=2)
    assert list(table.columns) == ["a", "b", "(other values)", plots.NOT_PUBLISHED]
    assert table.to_numpy().tolist() == [[2, 1, 1, 1], [3, 1, 0, 1], [4, 0, 0, 1]]
    assert [t.day for t in table.index] == [5, 6, 7]


def test_composition_stacks_the_values_with_slots_in_the_title():
    series = series_of(["a", "b"], ["a", "a", "b"])
    fig = plots.composition(series, "kernel_version", source="drift scenario")
    (ax,) = data_axes(fig)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["b", "a"]  # top of stack first
    assert len(ax.collections) == 2
    title, subtitle = header(fig)
    assert title == "Kernel (kernel_version) over time"
    assert "2 snapshots from 2010-04-05 12:00 to 2010-04-06 12:00 UTC" in subtitle
    assert "2–3 slots" in subtitle and "drift scenario" in subtitle


# --- results charts --------------------------------------------------------


def ladder_results(snapshot="2010-04-05T12:00:00Z"):
    return pd.DataFrame({
        "snapshot": snapshot,
        "profile": ["opsys", "release", "kernel", "vm"],
        "matching_slots": [859, 782, 342, 0],
        "total_slots": 861,
        "match_rate": [859 / 861, 782 / 861, 342 / 861, 0.0],
    })


def test_ladder_keeps_profile_order_and_draws_percent_of_slots(pool):
    fig = plots.ladder(ladder_results(), snapshot=pool)
    (ax,) = data_axes(fig)
    got = bars(ax)
    assert [p for p, _ in got] == ["opsys", "release", "kernel", "vm"]
    assert np.allclose([w for _, w in got], [100 * 859 / 861, 100 * 782 / 861, 100 * 342 / 861, 0])
    assert "782 of 861 slots (90.8 %)" in texts(fig)
    title, subtitle = header(fig)
    assert "861 slots" in title and "2010-04-05 12:00 UTC" in subtitle


def test_ladder_refuses_results_of_several_snapshots():
    both = pd.concat([ladder_results("a"), ladder_results("b")])
    with pytest.raises(ValueError, match="one snapshot"):
        plots.ladder(both)


def test_match_rates_draw_one_line_per_profile_in_time_order():
    days = ["2010-04-07T00:00:00Z", "2010-04-05T00:00:00Z", "2010-04-06T00:00:00Z"]
    results = pd.DataFrame({
        "snapshot": days * 2,
        "profile": ["opsys"] * 3 + ["kernel"] * 3,
        "matching_slots": [10, 10, 10, 2, 6, 4],
        "total_slots": 10,
    })
    fig = plots.match_rates(results, source="upgrade scenario")
    (ax,) = data_axes(fig)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert list(lines) == ["opsys", "kernel"]
    kernel = lines["kernel"]
    assert list(kernel.get_ydata()) == [60.0, 40.0, 20.0]  # 5th, 6th, 7th April
    assert [pd.Timestamp(x).day for x in kernel.get_xdata()] == [5, 6, 7]
    title, subtitle = header(fig)
    assert "3 snapshots from 2010-04-05 00:00 to 2010-04-07 00:00 UTC" in subtitle
    assert "10 slots" in subtitle and "upgrade scenario" in subtitle
    assert ax.get_ylabel() == "slots matching (%)"


def test_rate_summary_gives_first_last_and_range_per_profile_in_time_order():
    results = pd.DataFrame({
        "snapshot": ["2010-04-07T00:00:00Z", "2010-04-05T00:00:00Z", "2010-04-06T00:00:00Z"] * 2,
        "profile": ["opsys"] * 3 + ["kernel"] * 3,
        "matching_slots": [10, 10, 10, 2, 6, 4],
        "total_slots": 10,
    })
    table = plots.rate_summary(results)
    assert list(table.index) == ["opsys", "kernel"]
    assert table.loc["kernel"].tolist() == [60.0, 20.0, 20.0, 60.0, -40.0]
    assert table.loc["opsys", "change (points)"] == 0


def test_match_rates_read_epoch_times_and_fractions():
    results = pd.DataFrame({"time": [CAPTURE, CAPTURE + 86400], "profile": "glibc",
                            "match_rate": [0.25, 0.5]})
    (ax,) = data_axes(plots.match_rates(results))
    (line,) = ax.get_lines()
    assert list(line.get_ydata()) == [25.0, 50.0]
    assert pd.Timestamp(line.get_xdata()[0]) == pd.Timestamp("2010-04-05 12:00")


def test_match_rates_over_snapshots_without_capture_time_is_a_clear_error():
    results = pd.DataFrame({"snapshot": ["pool.ads"], "profile": "opsys", "match_rate": [1.0]})
    with pytest.raises(ValueError, match="needs capture times; snapshot 'pool.ads'"):
        plots.match_rates(results)


def test_wait_times_pick_a_unit_and_group_the_statistics():
    results = pd.DataFrame({
        "profile": ["opsys", "kernel"],
        "median_wait_s": [600.0, 7200.0],
        "p95_wait_s": [3600.0, 36000.0],
        "jobs": [100, 50],
    })
    fig = plots.wait_times(results, subtitle="example scenario")
    (ax,) = data_axes(fig)
    assert ax.get_xlabel() == "wait in queue (hours)"
    widths = [p.get_width() for p in ax.patches]
    assert np.allclose(widths, [600 / 3600, 2.0, 1.0, 10.0])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["median", "95th percentile"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["opsys", "kernel"]
    assert header(fig)[1] == "example scenario · 150 jobs"
    same = plots.wait_times(results.assign(jobs=100))
    assert header(same)[1] == "100 jobs per profile"


def test_wait_times_label_bars_as_durations_and_name_jobs_that_never_started():
    results = pd.DataFrame({
        "profile": ["opsys", "vm"],
        "median_wait_s": [45.0, 46800.0],
        "never_started": [0.0, 0.25],
    })
    fig = plots.wait_times(results)
    (ax,) = data_axes(fig)
    assert {"45 s", "13.0 h"} <= set(texts(fig))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["opsys", "vm\n(25 % never started)"]


@pytest.mark.parametrize("seconds, shown", [(57.4, "57 s"), (720, "12 min"), (46800, "13.0 h"),
                                            (float("nan"), "-")])
def test_duration_picks_a_readable_unit(seconds, shown):
    assert plots.duration(seconds) == shown


def test_wait_times_in_minutes_for_short_waits():
    results = pd.DataFrame({"profile": ["opsys"], "mean_wait_s": [300.0]})
    (ax,) = data_axes(plots.wait_times(results))
    assert ax.get_xlabel() == "wait in queue (minutes)"
    assert np.allclose([p.get_width() for p in ax.patches], [5.0])


# --- words, saving, no global state --------------------------------------------


def test_reading_states_the_mix_from_the_data(pool):
    text = plots.reading(pool)
    assert "The pool has 10 slots (captured 2010-04-05 12:00 UTC)." in text
    assert "9 slots publish redhat_version and run 3 OS releases: " in text
    run = "50.0 % of all slots run RHEL 5.4; the other 2 OS releases share the remaining 4 slots."
    assert run in text
    assert "1 slot publishes no redhat_version (OpSys: 1 OSX)" in text
    assert "glibc 2.5 on 6 slots, glibc 2.3.4 on 3 slots" in text
    assert "8 slots publish a Java" in text and "2 publish none" in text
    assert text.endswith(
        "For virtualization: VT-x or AMD-V on 5 slots, a /dev/kvm the condor user can open on"
        " 0 slots and 1 slot inside a virtual machine."
    )


def test_save_writes_the_format_of_the_suffix(tmp_path, pool):
    fig = plots.distribution(pool, "redhat_version")
    assert plots.save(fig, tmp_path / "os.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in plots.save(fig, tmp_path / "os.svg").read_bytes()[:500]


def test_figures_use_the_agg_canvas_and_never_pyplot(pool, tmp_path):
    assert isinstance(plots.distribution(pool, "redhat_version").canvas, FigureCanvasAgg)
    code = (
        "import sys\n"
        "from simulator import plots\n"
        "from simulator.model.condor import ClassAd\n"
        "from simulator.model.snapshot import Snapshot\n"
        "s = Snapshot.from_classads([ClassAd({'redhat_version': 'x'})], source='t', time=1)\n"
        "plots.save(plots.distribution(s, 'redhat_version'), sys.argv[1])\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "os.png")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "os.png").stat().st_size > 0


# --- tribes report --plot ---------------------------------------------------------


def test_report_figure_draws_the_printed_table(pool):
    (ax,) = data_axes(plots.report_figure(pool, ["JavaVendor", "JavaVersion"]))
    assert bars(ax)[0] == ("Sun 1.6.0", 3)
    each = data_axes(plots.report_figure(pool, ["redhat_version", "glibc_version"], each=True))
    assert [ax.get_title(loc="left") for ax in each] == [
        "OS release (redhat_version); 1 slot does not publish it",
        "glibc build (glibc_version); 1 slot does not publish it",
    ]
    assert bars(each[0]) == [("RHEL 5.4", 5), ("RHEL 4.7", 3), ("CentOS 5.3", 1)]
    grid = plots.report_figure(pool, ["redhat_version", "glibc_version"], grid=True)
    assert header(grid)[0] == "OS release × glibc build across 10 slots"


def test_tribes_report_plot_writes_the_chart_and_still_prints_the_table(tmp_path, capsys):
    from simulator import cli

    target = tmp_path / "os.png"
    assert cli.main(["report", "redhat_version", "--plot", str(target)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0].split() == ["782", "Red", "Hat", "Enterprise", "Linux", "Server",
                                           "release", "5.4", "(Tikanga)"]
    assert f"wrote {target}" in err
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_tribes_report_plot_draws_one_file_per_snapshot_of_a_store(tmp_path, pool, capsys):
    from simulator import cli
    from simulator.io import store

    for day in range(2):
        pool.time = CAPTURE + day * 86400
        store.save(pool, tmp_path / "store")
    code = cli.main(["report", "redhat_version", "--pool", str(tmp_path / "store"),
                     "--plot", str(tmp_path / "os.svg")])
    assert code == 0
    assert sorted(p.name for p in tmp_path.glob("os-*.svg")) == [
        "os-20100405T120000Z.svg", "os-20100406T120000Z.svg"]


@pytest.mark.parametrize("argv, message", [
    (["redhat_version", "--grid", "--plot", "x.png"], "exactly two attributes"),
    (["redhat_version", "--plot", "x.nope"], "cannot tell the image format"),
    (["redhat_version", "--plot", "/no/such/folder/x.png"], "cannot write the chart"),
])
def test_tribes_report_plot_errors_are_one_line(argv, message, capsys):
    from simulator import cli

    assert cli.main(["report", *argv]) == 1
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_the_docs_plot_examples_write_their_pictures(tmp_path, capsys):
    """The `tribes report --plot` commands of docs/report.md write a picture (what they
    print is checked by tests/test_examples.py)."""
    import re
    import shlex

    from simulator import cli

    page = (Path(__file__).parent.parent / "docs" / "report.md").read_text()
    section = page.split("\n## Charts\n", 1)[1]
    checked = 0
    for block in re.findall(r"```console\n(.*?)```", section, re.S):
        for command in re.findall(r"^\$ (tribes report [^\n]*)$", block, re.M):
            argv = shlex.split(command)[1:]  # report ...
            picture = tmp_path / Path(argv[argv.index("--plot") + 1]).name
            argv[argv.index("--plot") + 1] = str(picture)
            assert cli.main(argv) == 0, command
            capsys.readouterr()
            assert picture.stat().st_size > 0
            checked += 1
    assert checked >= 4
