"""Grade submissions: student code produces values in a sandbox, the grader judges them.

Up front, once: the release (every file, in memory), its manifest and the
references (the solution's values and the hidden probes). Then, for each
submission, in its own sandbox (``sandbox.py``):

1. ``unpack``: the zip or folder is unpacked safely into the grader's work
   folder (``submission.unpack``); a refused zip scores 0 with the reason;
2. ``prepare``: the release is written into the sandbox's private course copy
   from memory, and only the package files a student may change are copied in;
3. for each notebook, ``run_notebook``: the notebook is restored (locked
   cells put back) and written just before it runs, the runner executes it as
   the sandbox user, everything that user started is killed, and the values
   its check cells recorded are read (never following links) and judged
   against the solution's (``verdict.judge``);
4. ``run_probes``: the hidden probes run on the grader's inputs against the
   submitted package, in the sandbox; their outputs are judged the same way;
5. the sandbox is killed and removed, and only then are results written.

No verdict depends on anything a process that ran student code said about
itself: cell statuses and the executed notebook are feedback only.
"""
from __future__ import annotations

import json
import queue
import re
import time
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from . import nbmeta, references as refs_mod, values
from .manifest import load_manifest
from .restore import restore_notebook
from .limits import MB, Limits
from .sandbox import Sandbox, is_root
from .submission import MAX_BYTES, SubmissionError, unpack
from .verdict import judge

STATUS_TEXT = {  # the only words of the runner's report that reach a student's results
    "ok": "", "error": "the check cell raised an error in the grader's run",
    "timeout": "the check cell timed out in the grader's run",
    "died": "the kernel died during the check cell in the grader's run",
    "not run": "the check cell was not run (an earlier cell hung, crashed or the time ran out)",
}


SANDBOXES = ("auto", "user", "namespaces", "none")


def sandbox_kind(name: str) -> tuple[bool, bool]:
    """(a user of its own, namespaces when not) for a ``--sandbox`` choice."""
    if name == "auto":
        return is_root(), True
    if name == "user" and not is_root():
        raise PermissionError("--sandbox user needs the grader to run as root")
    return name == "user", name == "namespaces"


def sandbox_available(name: str) -> bool:
    """Whether ``name`` keeps student code from the grader's files on this machine."""
    from .sandbox import _can_unshare_user
    user, namespaces = sandbox_kind(name)
    return user or (namespaces and _can_unshare_user())


@dataclass
class Options:
    release: Path                 # the student version (``cs231n release``)
    references: Path              # ``references.build`` output for the same notebooks
    repo: Path | None = None      # the solution, for its compiled extension and to hide it
    limits: Limits = field(default_factory=Limits)
    max_bytes: int = MAX_BYTES
    sandbox: str = "auto"         # "user" (root), "namespaces", "none", or "auto": the best there is
    protect: list = field(default_factory=list)  # more folders to hide from student code


@dataclass
class TestScore:
    name: str
    score: float
    max_score: float
    output: str
    visibility: str = "visible"
    execution_time: float = 0.0


@dataclass
class GradeResult:
    name: str
    tests: list[TestScore] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    rejected: str = ""
    executed: dict = field(default_factory=dict)  # notebook file name -> executed notebook text

    @property
    def score(self) -> float:
        return sum(t.score for t in self.tests)

    @property
    def max_score(self) -> float:
        return sum(t.max_score for t in self.tests)


class Grader:
    """Holds everything that decides grades, read once before any student code runs."""

    def __init__(self, opts: Options):
        self.opts = opts
        self.isolate, self.namespaces = sandbox_kind(opts.sandbox)
        release = Path(opts.release)
        self.manifest = load_manifest(release)
        if self.manifest is None:
            raise FileNotFoundError(f"{release}: not a release written by 'cs231n release'")
        self.files: dict[str, bytes] = {}
        for p in sorted(release.rglob("*")):
            if p.is_file() and not p.is_symlink():
                self.files[p.relative_to(release).as_posix()] = p.read_bytes()
        self.release_notebooks = {rel: nbmeta.reads(self.files[rel].decode("utf-8"))
                                  for rel in self.manifest["notebooks"]}
        self.refs = refs_mod.load(opts.references)
        here = refs_mod.dataset_name()
        if here != self.refs.dataset:  # the thresholds and the values would not match
            raise refs_mod.ReferenceError(f"the references were built on the {self.refs.dataset} "
                                          f"dataset, but this grader loads the {here} one")
        self.extensions = self._grader_extensions()
        self.protect = [p for p in [opts.release, opts.references, opts.repo, *opts.protect] if p]

    def _grader_extensions(self) -> dict[str, bytes]:
        """The solution's compiled modules, reused where the student cannot change the source."""
        out = {}
        if self.opts.repo is None:
            return out
        student = set(self.manifest["student_files"])
        for so in sorted((Path(self.opts.repo) / "cs231n").glob("*.so")):
            pyx = f"cs231n/{so.name.split('.')[0]}.pyx"
            if pyx not in student:
                out[f"cs231n/{so.name}"] = so.read_bytes()
        return out

    def expected_tests(self) -> list[TestScore]:
        """Every gradable item at zero: what a refused or broken submission gets."""
        tests = [TestScore(f"{Path(rel).name}: {gid}", 0.0, c["points"], "not graded")
                 for rel, checks in self.refs.checks.items() for gid, c in checks.items()]
        tests += [TestScore(f"hidden: {p['name']}", 0.0, p["points"], "not graded", "after_due_date")
                  for p in self.refs.probes]
        return tests

    # -- one submission -----------------------------------------------------

    def grade(self, submission: Path, work: Path, name: str, slot: int = 0) -> GradeResult:
        t0 = time.monotonic()
        result = GradeResult(name)
        sandbox = None
        try:
            root = unpack(Path(submission), work / "submitted", self.opts.max_bytes)
            sandbox = Sandbox(self.opts.limits, slot, self.isolate, self.protect + [work],
                              namespaces=self.namespaces)
            self.prepare(root, sandbox, result)
            for rel in self.manifest["notebooks"]:
                if rel in self.refs.checks:
                    self.run_notebook(rel, root, sandbox, result)
            if self.refs.probes:
                self.run_probes(sandbox, result)
        except SubmissionError as e:
            result.rejected = str(e)
            result.notes.append(str(e))
            result.tests = self.expected_tests()
            for t in result.tests:
                t.output = "submission refused: " + str(e).splitlines()[0]
        except Exception as e:  # noqa: BLE001 - one bad submission must not stop a class
            result.notes.append(f"grader error: {type(e).__name__}: {e}\n{traceback.format_exc()}")
            result.tests = self.expected_tests()
        finally:
            if sandbox is not None:
                sandbox.close()
        result.seconds = round(time.monotonic() - t0, 2)
        return result

    def prepare(self, root: Path, sandbox: Sandbox, result: GradeResult) -> None:
        course = sandbox.course
        for rel, data in {**self.files, **self.extensions}.items():
            dest = course / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        for rel in self.manifest["student_files"]:
            data = _submitted(root, rel)
            if data is None:
                result.notes.append(f"{rel}: not in the submission; the release's stub is used")
            else:
                (course / rel).write_bytes(data)
        sandbox.hand_over()

    def run_notebook(self, rel: str, root: Path, sandbox: Sandbox, result: GradeResult) -> None:
        release_nb = self.release_notebooks[rel]
        data = _submitted(root, rel)
        nb = release_nb
        if data is None:
            result.notes.append(f"{rel}: not in the submission; its checks score 0")
        else:
            try:
                nb, notes = restore_notebook(release_nb, nbmeta.reads(data.decode("utf-8")))
                result.notes += [f"{rel}: {n}" for n in notes]
            except Exception as e:  # noqa: BLE001 - an unreadable notebook
                result.notes.append(f"{rel}: unreadable notebook ({type(e).__name__}); its checks score 0")
        lim = self.opts.limits
        sandbox.reset_record_dir()
        path = sandbox.course / rel
        path.write_text(nbmeta.writes(nb), encoding="utf-8")  # restored just before it runs
        sandbox.hand_over()
        spec_path = sandbox.write_spec("notebook.json", lim.notebook_spec(path, sandbox.record_dir))
        hard = lim.hard_timeout
        run = sandbox.run([sandbox.python, str(sandbox.runner), "notebook", str(spec_path)],
                          timeout=hard, env={"PYTHONPATH": str(sandbox.course)},
                          max_output=(lim.notebook_output_kb << 10) * 4 + 16 * MB)
        statuses = _parse_report(run.stdout, result, rel)
        if run.timed_out:
            result.notes.append(f"{rel}: stopped after {hard:.0f} s")
        if run.over_quota:
            result.notes.append(f"{rel}: stopped: wrote more than {lim.disk_mb} MB")
        status_of = self._status_by_grade_id(nb, statuses)
        for gid, ref in self.refs.checks[rel].items():
            try:
                got = values.read_values(sandbox.record_dir, f"{gid}.npz")
            except values.BadValues as e:
                got, bad = None, str(e)
            else:
                bad = ""
            v = judge(got, ref["values"], self.refs.rules.get(gid, {}), self.refs.dataset)
            msg = "passed" if v.passed else "failed: " + (
                f"the recorded values are not plain arrays ({bad})" if bad else v.message)
            if not v.passed and STATUS_TEXT.get(status_of.get(gid), ""):
                msg += f" ({STATUS_TEXT[status_of[gid]]})"
            result.tests.append(TestScore(f"{Path(rel).name}: {gid}", ref["points"] if v.passed else 0.0,
                                          ref["points"], msg))

    @staticmethod
    def _status_by_grade_id(nb, statuses: dict) -> dict:
        out = {}
        for i, cell in enumerate(nb.cells):
            gid = nbmeta.grade_id(cell)
            st = statuses.get(str(i), {}).get("status") if isinstance(statuses.get(str(i)), dict) else None
            if gid and nbmeta.is_graded(cell):
                out[gid] = st if st in STATUS_TEXT else "not run"
        return out

    def run_probes(self, sandbox: Sandbox, result: GradeResult) -> None:
        sandbox.reset_record_dir()
        spec = {"package_root": str(sandbox.course), "out_dir": str(sandbox.record_dir), "probes": []}
        for p in self.refs.probes:
            inputs = sandbox.write_spec(f"{p['name']}.inputs.npz", p["inputs"])
            spec["probes"].append({"name": p["name"], "function": p["function"],
                                   "source": p["source"], "inputs": str(inputs)})
        spec_path = sandbox.write_spec("probes.json", spec)
        lim = self.opts.limits
        run = sandbox.run([sandbox.python, str(sandbox.runner), "probes", str(spec_path)],
                          timeout=lim.notebook_timeout, env={"PYTHONPATH": str(sandbox.course)},
                          max_output=4 * MB)
        if run.timed_out:
            result.notes.append(f"hidden probes stopped after {lim.notebook_timeout:.0f} s")
        for p in self.refs.probes:
            try:
                got = values.read_values(sandbox.record_dir, f"{p['name']}.npz")
            except values.BadValues:
                got = None
            rules = {k.split("/", 1)[0]: {"tol": p["tol"]} for k in p["values"]}
            v = judge(got, p["values"], rules, self.refs.dataset)
            if got is None:
                v.message = "no outputs: the call raised, crashed or ran out of time"
            result.tests.append(TestScore(f"hidden: {p['name']}", p["points"] if v.passed else 0.0,
                                          p["points"], "passed" if v.passed else "failed: " + v.message,
                                          "after_due_date"))


def _submitted(root: Path, rel: str, max_bytes: int = 64 * MB) -> bytes | None:
    """A submitted file's bytes, found at its path or by its name at the top; never via a link."""
    for folder, name in ((root / rel).parent, Path(rel).name), (root, Path(rel).name):
        try:
            data = values.read_file_nofollow(folder, name, max_bytes)
        except values.BadValues:
            return None
        if data is not None:
            return data
    return None


def _parse_report(stdout: bytes, result: GradeResult, rel: str) -> dict:
    """The runner's report (untrusted): cell statuses and the executed notebook, feedback only."""
    try:
        report = json.loads(stdout.decode("utf-8"))
        cells = report["cells"] if isinstance(report.get("cells"), dict) else {}
        if isinstance(report.get("notebook"), str):
            result.executed[Path(rel).name] = report["notebook"]
        return cells
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        result.notes.append(f"{rel}: the notebook runner gave no report (it was killed or crashed)")
        return {}


# -- names and a class -------------------------------------------------------

_RESERVED = {"summary", "summary.csv", "results", "results.json", "release", "references"}


def safe_names(paths: list[Path]) -> list[str]:
    """Folder names for submissions: letters, digits, '-', '_'; unique; never a reserved name."""
    out, seen = [], set()
    for p in paths:
        stem = p.name[:-4] if p.name.lower().endswith(".zip") else p.name
        base = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_-")[:80] or "submission"
        if base.lower() in _RESERVED:
            base = f"{base}_submission"
        name, k = base, 1
        while name.lower() in seen:
            k += 1
            name = f"{base}-{k}"
        seen.add(name.lower())
        out.append(name)
    return out


def grade_many(submissions: list[Path], work: Path, opts: Options, jobs: int = 1,
               progress: bool = True) -> list[GradeResult]:
    """Grade many submissions, ``jobs`` at a time, each in a sandbox of its own."""
    from tqdm.auto import tqdm

    grader = Grader(opts)
    names = safe_names(submissions)
    slots: queue.Queue = queue.Queue()
    for s in range(max(1, jobs)):
        slots.put(s)

    def one(i):
        slot = slots.get()
        try:
            return grader.grade(submissions[i], work / names[i], names[i], slot)
        finally:
            slots.put(slot)

    results: dict[int, GradeResult] = {}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futs = {pool.submit(one, i): i for i in range(len(submissions))}
        bar = tqdm(total=len(futs), desc="grading", unit="submission", disable=not progress)
        for fut in as_completed(futs):
            i = futs[fut]
            results[i] = fut.result()
            bar.set_postfix_str(f"{names[i]}: {results[i].score:g}/{results[i].max_score:g}")
            bar.update()
        bar.close()
    return [results[i] for i in range(len(submissions))]
