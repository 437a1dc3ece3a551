"""The local platform's supervisord configuration comes from the one list of processes, the Procfile."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest
from supervisor.options import UnhosedConfigParser

from shared.localinfra.supervisor import read_procfile, render

PROCFILE = Path(__file__).resolve().parents[2] / "deploy" / "local" / "Procfile"


def test_every_procfile_process_is_a_supervised_program_restarted_when_it_exits(tmp_path: Path) -> None:
    processes = read_procfile(PROCFILE)
    parser = UnhosedConfigParser()
    parser.read_string(render(processes, tmp_path / "run", tmp_path))
    programs = [section.removeprefix("program:") for section in parser.sections() if section.startswith("program:")]
    assert programs == [process.name for process in processes] and "registry-web" in programs
    for name in programs:
        section = f"program:{name}"
        assert parser.get(section, "autorestart") == "true" and int(parser.get(section, "startretries")) > 10
        assert parser.get(section, "stdout_logfile") == str(tmp_path / "run" / "logs" / f"{name}.log")


def test_a_command_runs_as_the_procfile_line_says_with_its_variables_and_percent_signs(tmp_path: Path) -> None:
    procfile = tmp_path / "Procfile"
    line = """show: GREETING='здравей свят' sh -c 'printf "%s 100%% %s" "$GREETING" $0' ${PORT}"""
    procfile.write_text(f"# comment\n\n{line}\n")
    parser = UnhosedConfigParser()
    parser.read_string(render(read_procfile(procfile), tmp_path, tmp_path))
    parser.expansions = {}
    command = parser.saneget("program:show", "command")  # as supervisord reads it: %% is one %
    env = {"PORT": "8101", "PATH": "/usr/bin:/bin"}
    shown = subprocess.run(shlex.split(command), env=env, capture_output=True, check=True)
    assert shown.stdout.decode() == "здравей свят 100% 8101"


def test_a_malformed_or_repeated_line_is_refused(tmp_path: Path) -> None:
    procfile = tmp_path / "Procfile"
    procfile.write_text("web: gunicorn\nweb: gunicorn\n")
    with pytest.raises(ValueError, match="listed twice"):
        read_procfile(procfile)
    procfile.write_text("no command here\n")
    with pytest.raises(ValueError, match="name: command"):
        read_procfile(procfile)
