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
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


# Runs a command and prints the peak resident memory of the largest process it waited for.
_PEAK = ("import resource, subprocess, sys\n"
         "r = subprocess.run(sys.argv[1:]).returncode\n"
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
         "sys.exit(r)\n")


def _cli(*args, cpus=None):
    """Run ``cs231n ARGS``; (seconds, peak resident MB of any process it started)."""
    cmd = [sys.executable, "-c", _PEAK, sys.executable, "-m", "cs231n.grading.cli", *args]
    if cpus is not None and shutil.which("taskset"):
        cmd = ["taskset", "-c", cpus, *cmd]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True,
                          env=dict(os.environ, CS231N_OFFLINE="1"))
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args[:2])} failed:\n{proc.stderr[-3000:]}")
    return time.monotonic() - t0, int(proc.stderr.strip().splitlines()[-1]) / 1024


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
    t_release, _ = _cli("release", "--repo", str(REPO), "--out", str(release), "--assignment", a.assignment)
    t_refs, refs_mb = _cli("references", "--repo", str(REPO), "--out", str(refs), "--assignment", a.assignment,
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
        out = folder / f"{name}.json"
        seconds, peak = _cli("grade", str(subs / name), "--repo", str(REPO), "--release", str(release),
                       "--references", str(refs), "--out", str(out), *limits, cpus=a.cpus)
        r = json.loads(out.read_text())
        rows.append((name, r["score"], sum(t["max_score"] for t in r["tests"]), seconds, peak))
    print(f"assignment {a.assignment}: release {t_release:.0f} s, references {t_refs:.0f} s "
          f"(peak {refs_mb:.0f} MB; once, when the bundle is built)")
    print(f"{'submission':<10} {'score':>12} {'grade time':>11} {'peak RSS':>10}   (taskset -c {a.cpus})")
    for name, score, total, seconds, mb in rows:
        print(f"{name:<10} {score:>5g} / {total:<4g} {seconds:>9.0f} s {mb:>7.0f} MB")
    if not a.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
