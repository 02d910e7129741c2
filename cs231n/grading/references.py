"""References: what the solution records, computed when a release or bundle is built.

``build(repo, notebooks, graded, out)`` runs each solution notebook (trusted
staff code, no sandbox) with recording on, and every hidden probe against the
solution, and writes::

    out/manifest.json                  dataset, check rules, points, probes
    out/notebooks/<stem>/<grade_id>.npz  the solution's values of each check (arrays
                                         over 1 MB in out/blobs/<sha256>.npy, named in
                                         <grade_id>.json: stored once)
    out/probes/<name>.inputs.npz         a probe's inputs
    out/probes/<name>.npz                the solution's outputs

``load(out)`` reads all of it into memory once, before any student code runs.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from . import course as course_mod, probes as probes_mod, values
from .check import run_runner
from .limits import Limits


class ReferenceError(RuntimeError):
    """The solution does not record what its checks need."""


def dataset_name() -> str:
    """The dataset notebooks load here: what the check thresholds are chosen by."""
    from cs231n.data_utils import dataset_info
    return "cifar10" if dataset_info().is_cifar10 else "offline"


def run_solution(mode: str, spec: dict, repo: Path, timeout: float) -> dict:
    """The runner's report on the solution (trusted: no sandbox); a failed run is an error."""
    proc = run_runner(mode, spec, repo, timeout)
    if proc.returncode != 0:
        raise ReferenceError(f"the reference run failed: {proc.stderr.decode(errors='replace')[-2000:]}")
    return json.loads(proc.stdout)


def build(repo: Path, notebooks: list[str], graded: dict, out: Path, hidden: Path | None,
          limits: Limits | None = None, echo=print, only: list[str] | None = None) -> dict:
    """Run the solution and write the references for ``notebooks`` (paths relative to repo)."""
    repo, out = Path(repo).resolve(), Path(out)
    limits = limits or Limits()
    course = course_mod.load(repo)
    if out.exists():
        shutil.rmtree(out)
    (out / "notebooks").mkdir(parents=True)
    (out / "probes").mkdir()
    manifest = {"dataset": dataset_name(), "notebooks": {}, "rules": {}, "probes": []}
    for rel in notebooks:
        stem = Path(rel).stem
        rec = out / "notebooks" / stem
        rec.mkdir()
        echo(f"references: running the solution of {Path(rel).name} ...")
        spec = replace(limits, max_restarts=0).notebook_spec(repo / rel, rec.resolve())
        res = run_solution("notebook", spec, repo, limits.notebook_timeout + 300)
        failed = [c for c in res["cells"].values() if c["status"] != "ok"]
        if failed:
            raise ReferenceError(f"{rel}: the solution fails: {failed[0]['status']}: {failed[0]['error']}")
        checks = {}
        for cell in graded.get(rel, []):
            gid = cell["grade_id"]
            if values.read_values(rec, f"{gid}.npz") is None:
                raise ReferenceError(f"{rel}: graded cell {gid!r} records no values: end it with "
                                     f"record({gid!r}, name=value, ...)")
            checks[gid] = {"points": cell["points"]}
            if course.rules(gid):
                manifest["rules"][gid] = course.rules(gid)
        extra = sorted(p.stem for p in rec.glob("*.npz") if p.stem not in checks)
        for name in extra:  # values of cells that are not graded checks: not references
            (rec / f"{name}.npz").unlink()
        for gid in checks:
            _share_large_arrays(rec / f"{gid}.npz", out / "blobs")
        manifest["notebooks"][rel] = checks
    probes = probes_mod.discover(hidden, only)
    if probes:
        echo(f"references: running {len(probes)} hidden probes on the solution ...")
        spec = {"package_root": str(repo), "out_dir": str((out / "probes").resolve()), "probes": []}
        for p in probes:
            inputs = out / "probes" / f"{p.name}.inputs.npz"
            inputs.write_bytes(values.dump_npz(p.inputs))
            spec["probes"].append({"name": p.name, "function": p.function, "source": p.source,
                                   "inputs": str(inputs.resolve())})
            manifest["probes"].append({"name": p.name, "points": p.points, "tol": p.tol,
                                       "function": p.function, "source": p.source})
        res = run_solution("probes", spec, repo, 1800)
        bad = {k: v for k, v in res["probes"].items() if v["status"] != "ok"}
        if bad:
            name, info = next(iter(bad.items()))
            raise ReferenceError(f"hidden probe {name} fails on the solution: {info.get('error')}")
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


BLOB_BYTES = 1 << 20  # arrays this large are stored once, however many checks record them


def _share_large_arrays(npz: Path, blobs: Path) -> None:
    """Move the large arrays of ``npz`` into ``blobs/<sha256>.npy``, named in a .json beside it.

    Checks that evaluate a model record the data they evaluate it on, often the
    same validation set: stored once, the references (and a Gradescope
    bundle) stay a fraction of the size.
    """
    arrays = values.read_values(npz.parent, npz.name)
    shared = {}
    for key, arr in list(arrays.items()):
        if arr.nbytes >= BLOB_BYTES:
            digest = hashlib.sha256(arr.dtype.str.encode() + str(arr.shape).encode()
                                    + np.ascontiguousarray(arr).tobytes()).hexdigest()
            blobs.mkdir(exist_ok=True)
            if not (blobs / f"{digest}.npy").exists():
                np.save(blobs / f"{digest}.npy", arr, allow_pickle=False)
            shared[key] = digest
            del arrays[key]
    if shared:
        npz.write_bytes(values.dump_npz(arrays))
        npz.with_suffix(".json").write_text(json.dumps(shared))


def _read_check(folder: Path, gid: str, blobs: Path, cache: dict) -> dict:
    arrays = values.read_values(folder, f"{gid}.npz")
    shared = folder / f"{gid}.json"
    if shared.is_file():
        for key, digest in json.loads(shared.read_text()).items():
            if digest not in cache:
                cache[digest] = np.load(blobs / f"{digest}.npy", allow_pickle=False)
            arrays[key] = cache[digest]
    return arrays


@dataclass
class References:
    dataset: str
    checks: dict = field(default_factory=dict)   # notebook rel -> grade_id -> {"points", "values"}
    rules: dict = field(default_factory=dict)    # grade_id -> {value name: rule}
    probes: list = field(default_factory=list)   # [{"name", "points", "tol", "function", "source",
                                                 #   "inputs": bytes, "values": arrays}]


def load(folder: Path) -> References:
    """Everything under ``folder``, read into memory once."""
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    refs = References(manifest["dataset"], rules=manifest.get("rules", {}))
    cache: dict = {}
    for rel, checks in manifest["notebooks"].items():
        stem = Path(rel).stem
        refs.checks[rel] = {gid: {"points": c["points"],
                                  "values": _read_check(folder / "notebooks" / stem, gid,
                                                        folder / "blobs", cache)}
                            for gid, c in checks.items()}
    for p in manifest.get("probes", []):
        inputs = (folder / "probes" / f"{p['name']}.inputs.npz").read_bytes()
        refs.probes.append(dict(p, inputs=inputs,
                                values=values.read_values(folder / "probes", f"{p['name']}.npz")))
    return refs
