"""Step Functions execution history, summarised state by state like the console's table."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class StateRun:
    name: str
    kind: str
    entered: dt.datetime
    exited: dt.datetime | None = None
    attempts: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.kind == "Fail":
            return "Failed"
        if self.exited is None:
            return "Failed" if self.errors else "Running"
        return "Succeeded" if not self.errors or self.attempts > len(self.errors) else "Caught"


def _ts(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def summarise(events: list[dict]) -> list[StateRun]:
    """One :class:`StateRun` per state entered, with attempts, errors and duration."""
    runs: list[StateRun] = []
    current: StateRun | None = None
    for ev in events:
        kind = ev["type"]
        if kind.endswith("StateEntered"):
            current = StateRun(ev["stateEnteredEventDetails"]["name"], kind.removesuffix("StateEntered"),
                               _ts(ev["timestamp"]))
            runs.append(current)
        elif current is None:
            continue
        elif kind.endswith("Scheduled"):
            current.attempts += 1
        elif kind.endswith(("Failed", "TimedOut")) and not kind.startswith("Execution"):
            details = next((v for k, v in ev.items() if k.endswith("EventDetails")), {})
            cause = details.get("cause", "")
            try:
                cause = json.loads(cause).get("errorMessage", cause)
            except (ValueError, AttributeError):
                pass
            current.errors.append(f"{details.get('error', kind)}: {cause}"[:160])
        elif kind.endswith("StateExited"):
            current.exited = _ts(ev["timestamp"])
    return runs


def format_table(name: str, status: str, runs: list[StateRun]) -> str:
    """A fixed-width table: state, type, status, attempts, duration, first error."""
    lines = [f"Execution {name}: {status}",
             f"  {'#':>2}  {'State':<18}{'Type':<8}{'Status':<10}{'Tries':>5}{'Duration':>10}  Detail"]
    for i, run in enumerate(runs, start=1):
        duration = f"{(run.exited - run.entered).total_seconds():.2f} s" if run.exited else "-"
        detail = run.errors[-1] if run.errors else ""
        lines.append(f"  {i:>2}  {run.name:<18}{run.kind:<8}{run.status:<10}{run.attempts or '':>5}"
                     f"{duration:>10}  {detail}")
    return "\n".join(lines)


def save(folder: Path, name: str, description: dict, events: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps({"description": description, "events": events}, default=str, indent=1))
    return path


def load(path: Path) -> tuple[dict, list[dict]]:
    doc = json.loads(path.read_text())
    return doc["description"], doc["events"]
