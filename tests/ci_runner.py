"""A small stand-in for GitHub Actions and GitLab CI, enough to run docs/ci.md's recipes on
this machine: a job's shell steps run with bash, in order, with the environment, conditions
and artifacts the service gives them. What a hosted runner provides (the checkout, a Python)
is this machine's. Anything else a recipe asks of the service (an action, an expression, a
key this runner does not know) is refused with :class:`RecipeError`, so a recipe cannot
pass here by leaning on something the runner would only pretend to do."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Contexts",
    "JobRun",
    "RecipeError",
    "Shell",
    "Step",
    "gitlab_job_runs",
    "recipes",
    "run_github",
    "run_gitlab",
    "triggers",
]

BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.S | re.M)
#: A recipe opens with a comment naming its file; ``(continued)`` adds to one named before.
FILE_NAME = re.compile(r"# (\S+)")
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
CONTEXT_REF = re.compile(r"(secrets|vars)\.([A-Za-z_]\w*)")
SOURCE_RULE = re.compile(r'\$CI_PIPELINE_SOURCE (==|!=) "(\w+)"')
#: Actions whose work this machine already did: it is the checkout, and it has a Python.
PROVIDED = ("actions/checkout@", "actions/setup-python@")
UPLOAD = "actions/upload-artifact@"
GITHUB_STEP_KEYS = {"name", "uses", "with", "run", "if", "env", "shell"}
GITHUB_JOB_KEYS = {"runs-on", "env", "steps"}
GITLAB_JOB_KEYS = {"image", "variables", "before_script", "script", "after_script"}
GITLAB_JOB_KEYS |= {"artifacts", "rules"}


class RecipeError(Exception):
    """The recipe asks for something this stand-in does not do."""


def recipes(markdown: str) -> dict[str, str]:
    """The document's YAML blocks, by the file each names in its first line."""
    found: dict[str, str] = {}
    for block in BLOCK.findall(markdown):
        match = FILE_NAME.match(block)
        if match is None:
            raise RecipeError(f"a YAML block names no file: {block[:60]!r}")
        found[match[1]] = found.get(match[1], "") + block
    return found


def triggers(workflow: Mapping[Any, Any]) -> Mapping[str, Any]:
    """A workflow's ``on:`` (YAML 1.1, which PyYAML reads, takes a bare ``on`` for true)."""
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, list):
        return dict.fromkeys(on)
    if not isinstance(on, dict):
        raise RecipeError(f"unsupported on: {on!r}")
    return on


def gitlab_job_runs(job: Mapping[str, Any], source: str) -> bool:
    """Whether a job runs in a pipeline started by ``source`` (push, schedule...)."""
    for rule in job.get("rules", [{}]):
        condition = rule.get("if")
        if condition is None:
            return True
        match = SOURCE_RULE.fullmatch(condition)
        if match is None:
            raise RecipeError(f"unsupported rule: {condition}")
        if (source == match[2]) == (match[1] == "=="):
            return True
    return False


@dataclass(frozen=True)
class Contexts:
    """GitHub's ``secrets`` and ``vars``: the only expressions a recipe may use."""

    secrets: Mapping[str, str]
    vars: Mapping[str, str]

    def expand(self, text: str) -> str:
        """``text`` with every ``${{ secrets.X }}`` and ``${{ vars.X }}`` filled in."""

        def value(match: re.Match[str]) -> str:
            ref = CONTEXT_REF.fullmatch(match[1])
            if ref is None:
                raise RecipeError(f"unsupported expression {match[0]}")
            source = self.secrets if ref[1] == "secrets" else self.vars
            # As on GitHub: a secret or variable nobody set is the empty string.
            return source.get(ref[2], "")

        return EXPRESSION.sub(value, text)


@dataclass(frozen=True)
class Step:
    """One script a job ran, and what it printed (stdout and stderr together)."""

    name: str
    script: str
    returncode: int
    output: str


@dataclass
class JobRun:
    """What a job did: its steps, its verdict and the artifacts it would upload."""

    steps: list[Step] = field(default_factory=list)
    returncode: int = 0
    artifacts: list[Path] = field(default_factory=list)
    junit: list[Path] = field(default_factory=list)

    @property
    def log(self) -> str:
        """Everything the job printed."""
        return "\n".join(step.output for step in self.steps)


class Shell:
    """Runs scripts with bash in the job's folder, each in a process group of its own, so
    whatever a script leaves running can be found, and ended, by its group."""

    def __init__(self, workdir: Path, scripts: Path, timeout: float = 600) -> None:
        self.workdir, self.scripts, self.timeout = workdir, scripts, timeout
        self.groups: set[int] = set()

    def run(self, name: str, script: str, flags: Sequence[str], env: Mapping[str, str]) -> Step:
        """Run ``script`` as a file, as the CI services do, and wait for it."""
        path = self.scripts / f"step-{len(self.groups)}.sh"
        path.write_text(script, encoding="utf-8")
        process = subprocess.Popen(
            ["bash", *flags, str(path)],
            cwd=self.workdir,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.groups.add(process.pid)
        # A background process that kept the script's output open would hang the job on a
        # CI service too: the timeout fails the test instead of hanging it.
        output, _ = process.communicate(timeout=self.timeout)
        return Step(name, script, process.returncode, output)

    def leftovers(self) -> list[int]:
        """The processes still alive in the scripts' groups (zombies are not alive)."""
        alive = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # After the command name's closing parenthesis: state, parent, process group.
            state, _parent, group = stat.rpartition(")")[2].split()[:3]
            if int(group) in self.groups and state != "Z":
                alive.append(int(entry.name))
        return alive

    def end(self) -> None:
        """End what the scripts left running, by process id."""
        for pid in self.leftovers():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _refuse_unknown(what: str, keys: Any, known: set[str]) -> None:
    unknown = set(keys) - known
    if unknown:
        raise RecipeError(f"{what}: unsupported keys {sorted(unknown)}")


def _expanded(mapping: Mapping[str, Any] | None, contexts: Contexts) -> dict[str, str]:
    return {name: contexts.expand(str(value)) for name, value in (mapping or {}).items()}


def run_github(
    workflow: Mapping[Any, Any],
    job: str,
    shell: Shell,
    contexts: Contexts,
    env: Mapping[str, str],
    summary: Path,
) -> JobRun:
    """Run one job of a workflow as a GitHub-hosted runner would, with ``env`` as the
    machine's environment and ``summary`` as ``$GITHUB_STEP_SUMMARY``."""
    spec = workflow["jobs"][job]
    _refuse_unknown(f"job {job}", spec, GITHUB_JOB_KEYS)
    base = {
        **env,
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(shell.workdir),
        "GITHUB_STEP_SUMMARY": str(summary),
        **_expanded(workflow.get("env"), contexts),
        **_expanded(spec.get("env"), contexts),
    }
    run = JobRun()
    for number, step in enumerate(spec["steps"], 1):
        _refuse_unknown(f"step {number}", step, GITHUB_STEP_KEYS)
        condition = step.get("if")
        if condition not in (None, "always()"):
            raise RecipeError(f"unsupported if: {condition}")
        if run.returncode and condition is None:
            continue  # as on GitHub: after a failure only always() steps run
        if "uses" in step:
            _use(step, run)
            continue
        # GitHub's default shell is bash -e; "shell: bash" adds pipefail and no profile.
        flags = ["--noprofile", "--norc", "-eo", "pipefail"] if step.get("shell") else ["-e"]
        if step.get("shell") not in (None, "bash"):
            raise RecipeError(f"unsupported shell: {step['shell']}")
        script = contexts.expand(step["run"])
        done = shell.run(
            step.get("name", script),
            script,
            flags,
            {**base, **_expanded(step.get("env"), contexts)},
        )
        run.steps.append(done)
        run.returncode = run.returncode or done.returncode
    return run


def _use(step: Mapping[str, Any], run: JobRun) -> None:
    action = str(step["uses"])
    if action.startswith(UPLOAD):
        paths = str(step["with"]["path"]).split()
        run.artifacts += [Path(path) for path in paths]
    elif not action.startswith(PROVIDED):
        raise RecipeError(f"unsupported action: {action}")


def run_gitlab(config: Mapping[str, Any], job: str, shell: Shell, env: Mapping[str, str]) -> JobRun:
    """Run one job of a ``.gitlab-ci.yml`` as a GitLab runner would; ``env`` is the
    machine's environment with the project's CI/CD variables, which win over the file's."""
    spec = config[job]
    _refuse_unknown(f"job {job}", spec, GITLAB_JOB_KEYS)
    variables = {**config.get("variables", {}), **spec.get("variables", {})}
    full = {
        "CI": "true",
        "GITLAB_CI": "true",
        "CI_PROJECT_DIR": str(shell.workdir),
        **{name: str(value) for name, value in variables.items()},
        **env,
    }
    # before_script and script run in one shell, after_script in a new one, always.
    main = "\n".join([*spec.get("before_script", []), *spec["script"]])
    run = JobRun(steps=[shell.run("script", main, ["-eo", "pipefail"], full)])
    run.returncode = run.steps[0].returncode
    if "after_script" in spec:
        after = "\n".join(spec["after_script"])
        run.steps.append(shell.run("after_script", after, ["-eo", "pipefail"], full))
    artifacts = spec.get("artifacts", {})
    if artifacts.get("when", "on_success") == "always" or not run.returncode:
        for pattern in artifacts.get("paths", []):
            found = sorted(shell.workdir.glob(pattern))
            run.artifacts += [path.relative_to(shell.workdir) for path in found] or [Path(pattern)]
        junit = artifacts.get("reports", {}).get("junit", [])
        run.junit = [Path(path) for path in ([junit] if isinstance(junit, str) else junit)]
    return run
