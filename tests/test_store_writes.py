"""Writes into a store never lose a snapshot: a set swapped in whole, one writer at a time,
no silent replacement of a capture time, leftovers of killed writers cleaned, normal modes.

Writers are killed at each step in a forked child (``os._exit`` before the k-th rename,
link, removal or file write), for every k, and the store is checked to hold the old set or
the new one, never a mix; the next run cleans up after them.
"""

import os
import re
import shutil
import stat
import threading
import time

import pytest

from simulator.cli import main
from simulator.io import store

KILLED = 99

SCENARIO = """
[scenario]
name = "{name}"
start = {start}
days = {days}
seed = {seed}
[pool]
builtin = "modern"
slots = 24
{extra}"""

REBOOT = "[reboot]\nreboot_time = 300\n"


def scenario(tmp_path, name, start, days, seed=1, extra=""):
    path = tmp_path / f"{name}.toml"
    path.write_text(SCENARIO.format(name=name, start=start, days=days, seed=seed, extra=extra))
    return str(path)


def ads(tmp_path, slots=1):
    """A file of ``slots`` slot ads with no time in them (``--time`` gives it)."""
    path = tmp_path / f"{slots}.ads"
    path.write_text("\n".join(f'MyType = "Machine"\nName = "slot{i}@desk"\nOpSys = "LINUX"\n'
                              for i in range(1, slots + 1)))
    return str(path)


def names(folder):
    return sorted(p.name for p in store.list_store(folder))


OLD = ["snapshot-20100405T000000Z.parquet", "snapshot-20100406T000000Z.parquet",
       "snapshot-20100407T000000Z.parquet"]
NEW = ["snapshot-20100501T000000Z.parquet", "snapshot-20100502T000000Z.parquet"]


def in_child(argv, kill_at=None, patch=None):
    """Run ``tribes ARGV`` in a forked child, killed (``os._exit``) just before its
    ``kill_at``-th step: a rename, link, removal, exchange or snapshot write. Its exit code."""
    pid = os.fork()
    if pid == 0:  # the child: never returns to pytest
        code = 70
        try:
            if patch:
                patch()
            if kill_at is not None:
                _arm(kill_at)
            code = main(argv)
        finally:
            os._exit(code)
    return wait_for(pid)


def wait_for(pid, timeout=120):
    """A forked child's exit code; killed, and the test failed, if it hangs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.01)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    pytest.fail(f"a forked writer hung ({timeout} s)")


def _arm(kill_at):
    count = [0]

    def step(module, name):
        real = getattr(module, name)

        def counted(*args, **kwargs):
            count[0] += 1
            if count[0] == kill_at:
                os._exit(KILLED)
            return real(*args, **kwargs)

        setattr(module, name, counted)

    for name in ("rename", "replace", "link", "unlink", "rmdir"):
        step(os, name)
    step(shutil, "rmtree")
    step(store, "_exchange")
    step(store.pq, "write_table")


def no_exchange():
    def refuse(a, b):
        raise OSError(22, "Invalid argument")

    store._exchange = refuse


def leftovers(tmp_path, folder):
    return store.leftovers_of(folder) + [p for p in tmp_path.iterdir()
                                          if p.name.endswith(".lock")]


@pytest.mark.parametrize("patch", [None, no_exchange], ids=["exchange", "two renames"])
def test_replace_killed_at_every_step_leaves_the_old_set_or_the_new(tmp_path, capfd, patch):
    old = scenario(tmp_path, "old", "2010-04-05", 3)
    new = scenario(tmp_path, "new", "2010-05-01", 2, extra=REBOOT)
    target = tmp_path / "store"
    seen = set()
    for k in range(1, 100):
        if not target.exists():
            assert main(["scenario", "run", old, "--store", str(target)]) == 0
        (target / "notes.txt").write_text("mine")
        code = in_child(["scenario", "run", new, "--store", str(target), "--replace"], k, patch)
        if target.exists():
            state = names(target)
            assert state in (OLD, NEW), (k, state)
            assert (target / "reboot.toml").exists() == (state == NEW)
            assert (target / "notes.txt").read_text() == "mine"
            for path in store.list_store(target):
                store.load(path)
        else:  # two renames, killed between them: the old set waits beside the store
            assert patch is no_exchange
            (aside,) = [p for p in store.leftovers_of(target) if ".old-" in p.name]
            assert names(aside) == OLD
            state = "moved aside"
        seen.add(str(state))
        capfd.readouterr()
        # The next run puts the old set back if need be, cleans up and writes its set.
        assert main(["scenario", "run", new, "--store", str(target), "--replace"]) == 0
        err = capfd.readouterr().err
        assert names(target) == NEW and (target / "notes.txt").read_text() == "mine"
        assert leftovers(tmp_path, target) == []
        if state == "moved aside":
            assert "put back the snapshots an interrupted write had moved aside" in err
        if code == 0:
            break
        assert code == KILLED
        shutil.rmtree(target)
    else:
        pytest.fail("the run never finished")
    assert k > 5 and {str(OLD), str(NEW)} <= seen
    if patch is no_exchange:
        assert "moved aside" in seen


def test_a_note_counts_the_leftovers_a_killed_run_left(tmp_path, capfd):
    new = scenario(tmp_path, "new", "2010-05-01", 2)
    target = tmp_path / "store"
    # Killed at its second snapshot write: the first sits in a folder beside the store.
    assert in_child(["scenario", "run", new, "--store", str(target)], kill_at=2) == KILLED
    (temp,) = store.leftovers_of(target)
    assert temp.name.startswith(".store.tmp-") and not target.exists()
    capfd.readouterr()
    assert main(["scenario", "run", new, "--store", str(target)]) == 0
    err = capfd.readouterr().err
    assert re.fullmatch(r"tribes: note: removed 1 leftover of an interrupted write "
                        r"\(\d+\.\d MB\)\n", err), err
    assert names(target) == NEW and leftovers(tmp_path, target) == []


def test_snapshot_killed_at_every_step_keeps_the_store_whole(tmp_path, capfd):
    target = tmp_path / "store"
    first = ["snapshot", "--pool", ads(tmp_path), "--store", str(target),
             "--time", "2020-01-01"]
    second = first[:-1] + ["2020-01-02"]
    assert main(first) == 0
    for k in range(1, 50):
        code = in_child(second, kill_at=k)
        assert names(target) in (["snapshot-20200101T000000Z.parquet"],
                                 ["snapshot-20200101T000000Z.parquet",
                                  "snapshot-20200102T000000Z.parquet"])
        capfd.readouterr()
        assert main(second + ["--replace"]) == 0
        assert leftovers(tmp_path, target) == []
        if code == 0:
            break
        assert code == KILLED
        (target / "snapshot-20200102T000000Z.parquet").unlink()
    assert k > 2


def test_a_second_writer_waits_a_while_then_fails_naming_the_first(tmp_path, capsys,
                                                                     monkeypatch):
    monkeypatch.setattr(store, "LOCK_WAIT", 0.3)
    target = tmp_path / "store"
    new = scenario(tmp_path, "new", "2010-05-01", 2)
    commands = [["scenario", "run", new, "--store", str(target)],
                ["snapshot", "--pool", ads(tmp_path), "--store", str(target),
                 "--time", "2020-01-01"]]
    with store.locked(target):
        for argv in commands:
            began = time.monotonic()
            assert main(argv) == 1
            assert time.monotonic() - began >= 0.3
            assert capsys.readouterr().err == (
                f"tribes: error: {target}: another tribes command is writing this store "
                f"(pid {os.getpid()})\n")
    assert not target.exists() or names(target) == []
    assert main(commands[0]) == 0 and names(target) == NEW


def test_a_waiting_writer_goes_on_when_the_first_is_done(tmp_path, capsys):
    target = tmp_path / "store"
    held = threading.Event()

    def first():
        with store.locked(target):
            held.set()
            time.sleep(0.4)

    thread = threading.Thread(target=first)
    thread.start()
    held.wait()
    argv = ["snapshot", "--pool", ads(tmp_path), "--store", str(target),
            "--time", "2020-01-01"]
    assert main(argv) == 0
    thread.join()
    assert names(target) == ["snapshot-20200101T000000Z.parquet"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1.ads", "store"]  # no lock left


def test_concurrent_scenario_runs_leave_one_whole_set(tmp_path, capfd):
    target = tmp_path / "store"
    runs = [scenario(tmp_path, "old", "2010-04-05", 3), scenario(tmp_path, "new", "2010-05-01", 2)]
    pids = []
    for path in runs:
        pid = os.fork()
        if pid == 0:
            code = 70
            try:
                code = main(["scenario", "run", path, "--store", str(target), "--replace"])
            finally:
                os._exit(code)
        pids.append(pid)
    codes = [wait_for(pid) for pid in pids]
    assert codes == [0, 0], capfd.readouterr().err
    assert names(target) in (OLD, NEW)
    assert leftovers(tmp_path, target) == []


def test_a_capture_time_already_stored_is_refused_unless_replace(tmp_path, capsys):
    target = tmp_path / "store"
    argv = ["snapshot", "--pool", ads(tmp_path), "--store", str(target),
            "--time", "2020-01-01"]
    assert main(argv) == 0
    path = target / "snapshot-20200101T000000Z.parquet"
    before = path.read_bytes()
    capsys.readouterr()
    other = ["snapshot", "--pool", ads(tmp_path, 2), "--store", str(target),
             "--time", "2020-01-01"]
    assert main(other) == 1
    assert capsys.readouterr().err == (
        f"tribes: error: {path}: the store already holds a snapshot of this capture time "
        "(--replace to overwrite it)\n")
    assert path.read_bytes() == before
    assert main(other + ["--replace"]) == 0
    assert len(store.load(path)) == 2


def test_leftovers_are_ignored_by_readers_and_removed_by_the_next_writer(tmp_path, capsys):
    target = tmp_path / "store"
    argv = ["snapshot", "--pool", ads(tmp_path), "--store", str(target),
            "--time", "2020-01-01"]
    assert main(argv) == 0
    (target / ".tmp-abcd1234.parquet").write_bytes(b"x" * 600_000)
    (tmp_path / ".store.tmp-0123abcd").mkdir()
    (tmp_path / ".store.tmp-0123abcd" / "snapshot-20200102T000000Z.parquet").write_bytes(
        b"y" * 700_000)
    (tmp_path / ".other.tmp-0123abcd").mkdir()  # another store's: not ours to remove
    capsys.readouterr()
    assert main(["simulate", "--pool", str(target), "--profiles", "opsys", "--format",
                 "csv"]) == 0
    assert capsys.readouterr().err == ""
    assert main(argv[:-1] + ["2020-01-02"]) == 0
    assert capsys.readouterr().err == (
        "tribes: note: removed 2 leftovers of an interrupted write (1.3 MB)\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.tmp-0123abcd", "1.ads",
                                                          "store"]
    assert len(names(target)) == 2


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_files_and_folders_get_the_normal_mode(tmp_path, umask):
    old = os.umask(umask)
    try:
        argv = ["snapshot", "--pool", ads(tmp_path), "--store", str(tmp_path / "one"),
                "--time", "2020-01-01"]
        assert main(argv) == 0
        path = scenario(tmp_path, "new", "2010-05-01", 2, extra=REBOOT)
        assert main(["scenario", "run", path, "--store", str(tmp_path / "set")]) == 0
    finally:
        os.umask(old)
    files = list((tmp_path / "one").iterdir()) + list((tmp_path / "set").iterdir())
    assert len(files) == 4
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) == 0o666 & ~umask, file
    for folder in ("one", "set"):
        assert stat.S_IMODE((tmp_path / folder).stat().st_mode) == 0o777 & ~umask


def test_a_swap_keeps_the_folder_mode_other_files_and_links_to_the_store(tmp_path, capsys):
    target = tmp_path / "real"
    link = tmp_path / "store"
    link.symlink_to(target.name)
    old = scenario(tmp_path, "old", "2010-04-05", 3)
    new = scenario(tmp_path, "new", "2010-05-01", 2)
    assert main(["scenario", "run", old, "--store", str(link)]) == 0
    os.chmod(target, 0o750)
    (target / "README").write_text("about this store")
    (target / "plots").mkdir()
    (target / "plots" / "a.png").write_bytes(b"png")
    assert main(["scenario", "run", new, "--store", str(link), "--replace"]) == 0
    assert f"to {link} in" in capsys.readouterr().out
    assert link.is_symlink() and names(target) == NEW
    assert stat.S_IMODE(target.stat().st_mode) == 0o750
    assert (target / "README").read_text() == "about this store"
    assert (target / "plots" / "a.png").read_bytes() == b"png"


def test_a_lock_file_a_killed_writer_left_does_not_stop_the_next(tmp_path, capsys,
                                                                   monkeypatch):
    target = tmp_path / "store"
    lock = tmp_path / ".store.lock"
    lock.write_text("4242\n")
    lock.chmod(0o444)  # as another user's would be (root would write it all the same)
    real_open = os.open

    def as_a_user(path, flags, *args):
        if str(path) == str(lock) and flags & os.O_RDWR:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", as_a_user)
    argv = ["snapshot", "--pool", ads(tmp_path), "--store", str(target), "--time", "2020-01-01"]
    assert main(argv) == 0
    assert names(target) == ["snapshot-20200101T000000Z.parquet"] and not lock.exists()
