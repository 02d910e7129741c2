"""How long one assignment takes to grade, as Gradescope would run it.

    python -m benchmarks.grading --assignment A1 [--cpus 0] [--keep DIR]

Builds the assignment's release and references on the offline dataset (what
the Gradescope bundle grades on), then grades two submissions, the solution
and the untouched release, each with ``cs231n grade`` pinned to the given
CPUs (``taskset``), as root with isolation when run as root. Prints the
scores, the wall-clock time of each grade and the peak resident memory of the
largest process it started. Not a test: figures for the README.
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _cli(*args, cpus=None):
    cmd = [sys.executable, "-m", "cs231n.grading.cli", *args]
    if cpus is not None and shutil.which("taskset"):
        cmd = ["taskset", "-c", cpus, *cmd]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True,
                          env=dict(os.environ, CS231N_OFFLINE="1"))
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args[:2])} failed:\n{proc.stderr[-3000:]}")
    return time.monotonic() - t0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--assignment", default="A1")
    p.add_argument("--cpus", default="0", help="CPUs for taskset (default: one core)")
    p.add_argument("--keep", help="keep release, references and results here")
    a = p.parse_args(argv)
    folder = Path(a.keep or tempfile.mkdtemp(prefix="cs231n-bench-grading-"))
    folder.mkdir(parents=True, exist_ok=True)
    release, refs = folder / "release", folder / "references"
    limits = ["--cell-timeout", "300", "--notebook-timeout", "900", "--memory-mb", "2048"]
    t_release = _cli("release", "--repo", str(REPO), "--out", str(release), "--assignment", a.assignment)
    t_refs = _cli("references", "--repo", str(REPO), "--out", str(refs), "--assignment", a.assignment,
                  *limits)
    subs = folder / "subs"
    subs.mkdir(exist_ok=True)
    m = json.loads((release / "cs231n/grading/release_manifest.json").read_text())
    for name, root in (("solution", REPO), ("release", release)):
        sub = subs / name
        shutil.rmtree(sub, ignore_errors=True)
        for rel in m["notebooks"] + m["student_files"]:
            (sub / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(root / rel, sub / rel)
    rows = []
    for name in ("solution", "release"):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        out = folder / f"{name}.json"
        seconds = _cli("grade", str(subs / name), "--repo", str(REPO), "--release", str(release),
                       "--references", str(refs), "--out", str(out), *limits, cpus=a.cpus)
        peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        r = json.loads(out.read_text())
        rows.append((name, r["score"], sum(t["max_score"] for t in r["tests"]), seconds, peak / 1024))
    print(f"assignment {a.assignment}: release {t_release:.0f} s, references {t_refs:.0f} s "
          f"(once, when the bundle is built)")
    print(f"{'submission':<10} {'score':>12} {'grade time':>11} {'peak RSS':>10}   (taskset -c {a.cpus})")
    for name, score, total, seconds, mb in rows:
        print(f"{name:<10} {score:>5g} / {total:<4g} {seconds:>9.0f} s {mb:>7.0f} MB")
    if not a.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
