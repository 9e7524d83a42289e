"""Runs every example script that saves a picture, as a user would (``python examples/<name>.py``, full length),
in a scratch folder, and copies its pictures into docs/images/examples/ for the gallery (docs/examples.md).

Run:  python docs/make_gallery.py [names...]   (all of them: several minutes; the pictures need the [plot] extra)
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
GALLERY = ROOT / "docs" / "images" / "examples"


def main(names: list[str]) -> None:
    GALLERY.mkdir(parents=True, exist_ok=True)
    scripts = [EXAMPLES / f"{name.removesuffix('.py')}.py" for name in names] or sorted(EXAMPLES.glob("*.py"))
    for script in scripts:
        with tempfile.TemporaryDirectory() as scratch:
            began = time.perf_counter()
            done = subprocess.run([sys.executable, str(script)], cwd=scratch, capture_output=True, text=True,
                                  env={**os.environ, "MPLBACKEND": "Agg"})
            pictures = sorted(Path(scratch).glob("*.png"))
            if done.returncode != 0:
                print(f"{script.name}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
                continue
            for number, picture in enumerate(pictures):
                suffix = "" if number == 0 else f"_{number + 1}"
                shutil.copy(picture, GALLERY / f"{script.stem}{suffix}.png")
            print(f"{script.name}: {len(pictures)} picture(s), {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
