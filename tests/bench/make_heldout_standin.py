"""Build a local stand-in for the hidden held-out hum set, to check that transcription generalises.

    .venv/bin/python tests/bench/make_heldout_standin.py /tmp/hum-bench/s1/data --seed 1
    .venv/bin/python tests/bench/bench_transcribe.py --data /tmp/hum-bench/s1/data --sets heldout dev
    .venv/bin/python tests/bench/make_heldout_standin.py /tmp/hum-bench/g4/data --seed 4 --sets heldout \
        --collections german-other

The shared corpus generator (``../shared/bench/melody``) only defines the dev set; its README
says the held-out set draws from other collections (Chinese Essen, Luxembourg/Lorraine, Aird's
and O'Neill's airs). This copies the generator to a scratch folder, adds a ``heldout`` set from
those collections (15 tunes each: our choice, so a proxy, not the real set) and runs it with
``--seed``. ``--collections german-other`` fills the ``heldout`` set instead with German-language
Essen songs from collections dev does not use (the ballads and the Deutsche Volkslieder archive, 60
tunes): a dev-like check set on which no rhythm rule was tuned (but the notation tables of
``meter_profiles.py`` were learned from these collections). The generator needs music21 10.5.1: a virtualenv with the generator's pinned
packages is made at ``--venv`` on first use (about a minute).

Every set it makes also gets beat references in the dev corpus's format (``<id>.beats.csv``,
``beats_index.csv``, made by ``rhythm_refs.py`` from each item's source tune and performed notes),
so ``bench_rhythm.py --data OUT --sets heldout`` scores the rhythm on it too.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(os.environ.get("HUMITOUT_BENCH_DIR", Path(__file__).resolve().parents[3] / "shared" / "bench" / "melody"))
GENERATOR_PACKAGES = ["music21==10.5.1", "numpy==2.4.6", "scipy==1.17.1", "soundfile==0.14.0"]
HELDOUT_SET = '''

# --- added by humitout tests/bench/make_heldout_standin.py: a proxy of the hidden held-out set ---
import os as _os
import music21 as _m21
_ONEILLS = _os.path.join(_os.path.dirname(_m21.__file__), "corpus", "oneills1850")
SOURCE_SETS["heldout"] = {
    "essen-chinese": ["essenFolksong/han1.abc", "essenFolksong/han2.abc"],
    "essen-lux-lorraine": ["essenFolksong/lux.abc", "essenFolksong/lot.abc"],
    "airds-airs": [f"airdsAirs/book{i}.abc" for i in range(1, 7)],
    "oneills-1850": sorted("oneills1850/" + f for f in _os.listdir(_ONEILLS) if f.endswith(".abc")),
}
DEFAULT_QUOTAS["heldout"] = {"essen-chinese": 15, "essen-lux-lorraine": 15, "airds-airs": 15, "oneills-1850": 15}
'''
GERMAN_OTHER_SET = '''

# --- added by humitout tests/bench/make_heldout_standin.py: German Essen songs dev does not draw from ---
SOURCE_SETS["heldout"] = {
    "essen-german-other": [f"essenFolksong/ballad{i}0.abc" for i in range(1, 9)] + ["essenFolksong/dva0.abc"],
}
DEFAULT_QUOTAS["heldout"] = {"essen-german-other": 60}
'''
COLLECTIONS = {"standin": HELDOUT_SET, "german-other": GERMAN_OTHER_SET}


def generator_python(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating {venv} with {' '.join(GENERATOR_PACKAGES)} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *GENERATOR_PACKAGES], check=True)
    return python


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="corpus folder to write (gets heldout/ and dev/)")
    parser.add_argument("--seed", type=int, default=20251124)
    parser.add_argument("--sets", nargs="+", default=["heldout", "dev"])
    parser.add_argument("--limit", type=int, help="only the first N items per set")
    parser.add_argument("--collections", choices=sorted(COLLECTIONS), default="standin",
                        help="what the heldout set draws from: the hidden set's collections (standin) or "
                             "German Essen collections that dev does not use (german-other)")
    parser.add_argument("--venv", type=Path, default=Path(tempfile.gettempdir()) / "bench-venv")
    args = parser.parse_args(argv)
    if not (BENCH / "make_corpus.py").exists():
        print(f"no corpus generator at {BENCH} (set HUMITOUT_BENCH_DIR)", file=sys.stderr)
        return 2
    python = generator_python(args.venv)
    with tempfile.TemporaryDirectory(prefix="heldout-gen-") as scratch:
        for script in BENCH.glob("*.py"):
            shutil.copy(script, scratch)
        with open(Path(scratch) / "melodies.py", "a") as melodies:
            melodies.write(COLLECTIONS[args.collections])
        command = [str(python), "make_corpus.py", "--out", str(args.out.resolve()), "--seed", str(args.seed),
                   "--sets", *args.sets] + (["--limit", str(args.limit)] if args.limit else [])
        print(" ".join(command), flush=True)
        status = subprocess.run(command, cwd=scratch).returncode
        if status:
            return status
        refs = [str(python), str(Path(__file__).resolve().parent / "rhythm_refs.py"), str(args.out.resolve()),
                "--generator", scratch, "--sets", *args.sets]
        return subprocess.run(refs, cwd=scratch).returncode


if __name__ == "__main__":
    sys.exit(main())
