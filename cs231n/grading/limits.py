"""The limits that student code runs under, when graded and when checked."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MB = 1 << 20


@dataclass
class Limits:
    cell_timeout: float = 600.0       # seconds per notebook cell
    notebook_timeout: float = 1800.0  # seconds per notebook
    memory_mb: int = 4096             # address space of each sandbox process
    max_restarts: int = 3             # kernel restarts per notebook
    file_size_mb: int = 512           # largest file a sandbox process may write
    disk_mb: int = 1024               # everything a submission may write
    processes: int = 512              # processes and threads of the sandbox user
    cell_output_kb: int = 64          # kept output per cell ...
    notebook_output_kb: int = 1024    # ... and per notebook (the rest is cut with a note)

    def rlimits(self, isolated: bool) -> dict:
        mem = int(self.memory_mb) * MB
        cpu = int(self.notebook_timeout * max(os.cpu_count() or 1, 1) + 60)
        fsize = int(self.file_size_mb) * MB
        out = {"RLIMIT_AS": (mem, mem), "RLIMIT_CPU": (cpu, cpu + 5),
               "RLIMIT_FSIZE": (fsize, fsize), "RLIMIT_CORE": (0, 0)}
        if isolated:  # counted per user: meaningful only for a user of its own
            out["RLIMIT_NPROC"] = (self.processes, self.processes)
        return out

    @property
    def hard_timeout(self) -> float:
        """Wall-clock bound of one notebook run, kernel restarts and start-ups included."""
        return self.notebook_timeout + (self.max_restarts + 2) * 150

    def notebook_spec(self, notebook: Path, record_dir: Path) -> dict:
        """What ``runner.py`` needs to execute ``notebook`` under these limits."""
        return {"notebook": str(notebook), "cwd": str(Path(notebook).parent),
                "record_dir": str(record_dir), "cell_timeout": self.cell_timeout,
                "notebook_timeout": self.notebook_timeout, "max_restarts": self.max_restarts,
                "cell_output_kb": self.cell_output_kb, "notebook_output_kb": self.notebook_output_kb}
