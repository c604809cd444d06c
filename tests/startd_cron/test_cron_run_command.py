"""The time-bounded command runner the probes use."""

import errno
import time

import pytest

from startd_cron import __main__ as hook
from startd_cron import run_command
from startd_cron.context import Context


def sh(script, timeout=5, env=None):
    return run_command.run(["/bin/sh", "-c", script], timeout, env=env)


def test_output_status_and_environment():
    result = sh('echo out; echo err >&2; echo "$LC_ALL $FOO"; exit 7', env={"FOO": "bar"})
    assert result == run_command.Result(7, "out\nC bar\n", "err\n")


def test_stdin_is_empty_and_bytes_are_decoded():
    result = sh("/bin/cat; printf 'caf\\303\\251 \\377'")
    assert result.stdout == "caf\u00e9 \ufffd"


def test_killed_by_a_signal_is_a_negative_status():
    assert sh("kill -9 $$").returncode == -9


def test_sigpipe_is_back_to_default_in_the_child():
    # With SIGPIPE ignored (Python's default), `yes` would loop on EPIPE errors.
    assert sh("yes | head -n 1").stdout == "y\n"


def test_missing_and_unexecutable_commands_raise_oserror(tmp_path):
    with pytest.raises(OSError) as missing:
        run_command.run([str(tmp_path / "nope")], 5)
    assert missing.value.errno == errno.ENOENT
    plain = tmp_path / "plain"
    plain.write_text("echo hi\n")
    with pytest.raises(OSError) as denied:
        run_command.run([str(plain)], 5)
    assert denied.value.errno == errno.EACCES


def test_timeout_kills_the_group_even_with_the_pipe_held_open():
    started = time.monotonic()
    with pytest.raises(run_command.CommandTimeout) as exc:
        sh("/bin/sleep 30 & /bin/sleep 30", timeout=0.5)
    assert time.monotonic() - started < 3
    assert exc.value.timeout == 0.5


def test_output_up_to_the_cap_is_kept_and_beyond_it_the_command_is_killed(monkeypatch):
    monkeypatch.setattr(run_command, "MAX_OUTPUT", 1000)
    assert len(sh("head -c 1000 /dev/zero | tr '\\0' x").stdout) == 1000
    with pytest.raises(run_command.CommandOutputTooLarge) as exc:
        sh("head -c 100000 /dev/zero | tr '\\0' x")
    assert exc.value.limit == 1000


@pytest.mark.parametrize("redirect", ["", ">&2"])
def test_a_flood_on_either_stream_is_cut_at_the_cap_not_read_to_the_end(monkeypatch, redirect):
    # (Finite, so that a runner reading everything fails the test without
    # taking the machine's memory; the hook tests flood without end.)
    monkeypatch.setattr(run_command, "MAX_OUTPUT", 64 * 1024)
    started = time.monotonic()
    with pytest.raises(run_command.CommandOutputTooLarge):
        sh(f"head -c 50000000 /dev/zero {redirect}; sleep 5", timeout=10)
    assert time.monotonic() - started < 2


def test_the_deadline_holds_while_another_session_keeps_the_pipes_open(lingering):
    pid_file = lingering()
    started = time.monotonic()
    with pytest.raises(run_command.CommandTimeout):
        # The grandchild escapes killpg; its copies of the pipes never close.
        sh(f"setsid /bin/sleep 10 & echo $! > {pid_file}; echo partial", timeout=0.5)
    assert time.monotonic() - started < 1.5


def test_a_command_that_closes_its_output_and_runs_on_is_killed_at_the_deadline():
    started = time.monotonic()
    with pytest.raises(run_command.CommandTimeout):
        sh("exec >&- 2>&-; /bin/sleep 10", timeout=0.5)
    assert time.monotonic() - started < 1.5


def test_a_probe_that_crashes_is_reported_and_the_others_still_run(monkeypatch, tmp_path):
    from startd_cron.probes import kernel

    def broken(ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr(kernel, "read", broken)
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "redhat-release").write_text("CentOS release 5.3 (Final)\n")
    attrs = hook.collect(Context(root=str(tmp_path)), ["os", "kernel"])
    assert attrs == {
        "redhat_version": "CentOS release 5.3 (Final)",
        "tribes_probe_errors": "kernel: internal error (RuntimeError: boom)",
    }
