"""The README's demo command, run as a user runs it: a call with the sample hum ends in an SMS
whose link downloads the package into --out."""
import os
import subprocess
import sys
from pathlib import Path


def _humitout(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("humitout")
    return subprocess.run([str(exe), "--state-dir", str(cwd / "state"), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "DATABASE_URL": ""})


def test_demo_prints_the_sms_and_downloads_the_package(tmp_path):
    run = _humitout("demo", "--style", "acoustic", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "acoustic track is ready" in run.stdout and "SUCCEEDED" in run.stdout
    assert "/app  sign in with +15551230000 and PIN " in run.stdout
    (package,) = (tmp_path / "out").iterdir()
    names = {p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file()}
    assert {"backing-track.wav", "full-mix.wav", "session.mid", "download-package.zip",
            "metadata.json", "stems/drums.wav", "stems/melody.wav"} <= names

    history = _humitout("executions", package.name, cwd=tmp_path)
    assert history.returncode == 0 and "Render" in history.stdout and "Succeeded" in history.stdout
