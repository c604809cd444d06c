import pytest

from simulator import cli


def test_every_command_has_help_and_a_readme_entry(capsys):
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for name in cli.COMMANDS:
        command = name.replace("_", "-")
        with pytest.raises(SystemExit) as exc:
            cli.main([command, "--help"])
        assert exc.value.code == 0
        assert capsys.readouterr().out.strip()
        assert f"tribes {command}" in readme, f"README does not show tribes {command}"
