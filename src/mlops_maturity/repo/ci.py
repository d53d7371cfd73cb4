"""CI configurations as one shape: pipelines with triggers, jobs, steps and command lines.

Every supported system (GitHub Actions, GitLab CI, Jenkinsfile, Azure Pipelines, CircleCI,
Travis, Buildkite, Bitbucket Pipelines) is reduced to `CiPipeline`: the detectors ask "does a
pipeline that runs on push run pytest?" without knowing the system. Each command line keeps
its file line, so evidence cites the exact `run:` line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..util import yamlsafe
from ..util.lazyre import lazy_re

# Paths (relative, posix) of CI configurations, by system.
CI_SYSTEMS: dict[str, str] = {
    # Also a project template's workflows: under the folder the template renders as the
    # project's root (`{{cookiecutter.project_slug}}/.github/workflows/ci.yml`).
    "github": r"^(?:(?:.*/)?[^/]*\{\{[^/]*\}\}[^/]*/)?\.github/workflows/[^/]+\.ya?ml$",
    "gitlab": r"(^|/)\.gitlab-ci\.ya?ml$|^\.gitlab/ci/.+\.ya?ml$",
    "jenkins": r"(^|/)Jenkinsfile([.\w-]*)$|(^|/)[\w.-]+\.jenkinsfile$",
    "azure": r"(^|/)azure-pipelines[\w.-]*\.ya?ml$|^\.azure-pipelines/.+\.ya?ml$|^\.?azure/.+pipeline[\w.-]*\.ya?ml$",
    "circleci": r"^\.circleci/config\.ya?ml$",
    "travis": r"^\.travis\.ya?ml$",
    "buildkite": r"^\.buildkite/.+\.ya?ml$|(^|/)buildkite\.ya?ml$",
    "bitbucket": r"^bitbucket-pipelines\.ya?ml$",
}
_CI_RES = {k: lazy_re(v) for k, v in CI_SYSTEMS.items()}


CI_PATH_HINTS = _CI_HINTS = (".github/workflows/", "gitlab", ".circleci/", ".travis.", "buildkite", "bitbucket-pipelines",
             "azure", "jenkinsfile")


def maybe_ci(rel: str) -> bool:
    """Substring checks only: is `rel` possibly a CI configuration (then ask `ci_system`)."""
    low = rel.lower()
    return any(map(low.__contains__, _CI_HINTS))


def ci_system(rel: str) -> str | None:
    for name, rx in _CI_RES.items():
        if rx.search(rel):
            return name
    return None


# Azure Pipelines files may have any name (`.pipelines/ci.yml`, `devops/deploy-pipeline.yml`):
# YAML files whose path hints at a pipeline are recognised by their content.
_AZURE_PATH_HINTS = ("pipeline", "azure", "devops", ".ado/", "vsts")
# ... or that sit in a CI folder (`ci/`, `.ci/`, `tests/ci/`, `cicd/`).
_AZURE_CI_DIR = lazy_re(r"(^|/)\.?(ci|cicd|ci[-_]cd)/")
# Substrings of the lower-cased path, one of which a `maybe_azure_pipeline` path contains.
AZURE_PATH_HINTS = (*_AZURE_PATH_HINTS, "ci")
_AZURE_TOP_KEYS = frozenset({
    "name", "appendCommitMessageToRunName", "trigger", "pr", "schedules", "resources", "variables",
    "parameters", "pool", "stages", "jobs", "steps", "extends", "lockBehavior", "container",
    "services", "workspace", "strategy", "timeoutInMinutes", "continueOnError",
})
_AZURE_BODY_KEYS = ("stages", "jobs", "steps", "extends")
_AZURE_BODY = lazy_re(r"^(stages|jobs|steps|extends)\s*:", re.M)
_AZURE_ITEM = lazy_re(
    r"^\s*-\s*(task|script|bash|pwsh|powershell|template|checkout|publish|download|job|stage|deployment)\s*:", re.M)


def maybe_azure_pipeline(rel: str) -> bool:
    """Substring checks only: a YAML file outside the known CI paths that may be an Azure
    Pipelines definition (then ask `sniff_azure_pipeline` with its text)."""
    low = rel.lower()
    return (low.endswith((".yml", ".yaml")) and (any(map(low.__contains__, _AZURE_PATH_HINTS)) or ("ci" in low and bool(_AZURE_CI_DIR.search(low))))
            and ci_system(rel) is None)


def sniff_azure_pipeline(text: str) -> bool:
    """True when a YAML text is an Azure Pipelines definition or template: only Azure top-level
    keys, and stages/jobs/steps as lists (an Azure ML pipeline job has `$schema`, `type` and a
    `jobs` mapping; a Kubeflow spec has `pipelineInfo`...)."""
    # A top-level key starts the text or a line: found by substring before the line regexes,
    # which Python tries at every position of a large YAML file.
    if not (text.startswith(_AZURE_BODY_KEYS) or any(f"\n{k}" in text for k in _AZURE_BODY_KEYS)):
        return False
    if not _AZURE_BODY.search(text) or not _AZURE_ITEM.search(text):
        return False
    try:
        data = yamlsafe.load(text, max_aliases=500, tolerate_tags=True)
    except yamlsafe.YamlError:
        return False
    if not isinstance(data, dict) or not data or not all(isinstance(k, str) and k in _AZURE_TOP_KEYS for k in data):
        return False
    return "extends" in data or any(isinstance(data.get(k), list) for k in ("stages", "jobs", "steps"))


@dataclass(frozen=True)
class Command:
    """One line of a shell command run by a CI step."""

    text: str
    line: int
    job: str
    step: str = ""


@dataclass
class CiStep:
    name: str
    line: int
    uses: str = ""  # GitHub action reference (`actions/checkout@v4`) or a task name
    commands: list[Command] = field(default_factory=list)
    with_: dict[str, Any] = field(default_factory=dict)
    soft: bool = False  # its failure does not fail the job (GitHub `continue-on-error: true`)


@dataclass
class CiJob:
    name: str
    line: int
    steps: list[CiStep] = field(default_factory=list)
    environment: str = ""  # deployment environment, when declared
    raw: Any = None


@dataclass
class CiPipeline:
    path: str
    system: str
    # trigger name -> line: push, pull_request, merge_request, schedule, manual, tag, ...
    triggers: dict[str, int] = field(default_factory=dict)
    schedules: list[tuple[str, int]] = field(default_factory=list)  # (cron, line)
    jobs: list[CiJob] = field(default_factory=list)
    error: str = ""  # the file could not be parsed; nothing else is filled in
    raw: Any = None

    @property
    def commands(self) -> list[Command]:
        return [c for j in self.jobs for s in j.steps for c in s.commands]

    @property
    def steps(self) -> list[CiStep]:
        return [s for j in self.jobs for s in j.steps]

    @property
    def runs_on_change(self) -> bool:
        """Runs automatically on push / pull or merge request."""
        return any(t in self.triggers for t in ("push", "pull_request", "pull_request_target", "merge_request", "merge_group"))


def _block_start(container: Any, key: Any, value: Any) -> int:
    """Line of the first line of a (possibly block) scalar value under `key`."""
    vl = getattr(container, "value_lines", {}).get(key)
    if vl:
        return vl
    kl = container.line_of(key, 1) if hasattr(container, "line_of") else 1
    return kl + 1 if isinstance(value, str) and "\n" in value.rstrip("\n") else kl


def _commands(text: Any, first_line: int, job: str, step: str = "") -> list[Command]:
    if not isinstance(text, str):
        return []
    out = []
    for i, line in enumerate(text.split("\n")):
        s = line.strip()
        if s and not s.startswith("#"):
            out.append(Command(s, first_line + i, job, step))
    return out


def _script_list(container: Any, key: str, job: str) -> list[Command]:
    """GitLab/Travis/Bitbucket style `script:` — a string or a list of strings (maybe nested)."""
    value = container.get(key) if isinstance(container, dict) else None
    if isinstance(value, str):
        return _commands(value, _block_start(container, key, value), job)
    out: list[Command] = []
    if isinstance(value, list):
        lines = getattr(value, "item_lines", [])
        for i, item in enumerate(value):
            ln = lines[i] if i < len(lines) else getattr(value, "line", 1)
            if isinstance(item, str):
                out += _commands(item, ln + (1 if "\n" in item.rstrip("\n") else 0), job)
            elif isinstance(item, list):
                il = getattr(item, "item_lines", [])
                for j, sub in enumerate(item):
                    if isinstance(sub, str):
                        out += _commands(sub, il[j] if j < len(il) else ln, job)
    return out


# -- GitHub Actions --------------------------------------------------------------------------


def _github(path: str, data: Any) -> CiPipeline:
    p = CiPipeline(path, "github", raw=data)
    if not isinstance(data, dict):
        p.error = "not a workflow (top level is not a mapping)"
        return p
    # YAML 1.1 reads the key `on` as the boolean True.
    key = "on" if "on" in data else (True if True in data else None)
    on = data.get(key) if key is not None else None
    on_line = data.line_of(key, 1) if key is not None else 1
    if isinstance(on, str):
        p.triggers[on] = on_line
    elif isinstance(on, list):
        for i, t in enumerate(on):
            if isinstance(t, str):
                p.triggers[t] = on.item_lines[i] if i < len(on.item_lines) else on_line
    elif isinstance(on, dict):
        for t in on:
            if isinstance(t, str):
                p.triggers[t] = on.line_of(t, on_line)
        sched = on.get("schedule")
        if isinstance(sched, list):
            for i, s in enumerate(sched):
                if isinstance(s, dict) and isinstance(s.get("cron"), str):
                    p.schedules.append((s["cron"], s.line_of("cron", on_line)))
    if "workflow_dispatch" in p.triggers:
        p.triggers.setdefault("manual", p.triggers["workflow_dispatch"])
    jobs = data.get("jobs")
    if not isinstance(jobs, dict):
        return p
    for jname, job in jobs.items():
        if not isinstance(job, dict):
            continue
        cj = CiJob(str(jname), jobs.line_of(jname, 1), raw=job)
        env = job.get("environment")
        if isinstance(env, str):
            cj.environment = env
        elif isinstance(env, dict) and isinstance(env.get("name"), str):
            cj.environment = env["name"]
        steps = job.get("steps")
        if isinstance(steps, list):
            for i, step in enumerate(steps):
                if not isinstance(step, dict):
                    continue
                sl = steps.item_lines[i] if i < len(steps.item_lines) else cj.line
                name = step.get("name") if isinstance(step.get("name"), str) else ""
                cs = CiStep(name, sl, uses=step.get("uses") if isinstance(step.get("uses"), str) else "",
                            soft=job.get("continue-on-error") is True or step.get("continue-on-error") is True)
                if isinstance(step.get("with"), dict):
                    cs.with_ = dict(step["with"])
                run = step.get("run")
                if isinstance(run, str):
                    cs.commands = _commands(run, _block_start(step, "run", run), cj.name, name)
                cj.steps.append(cs)
        elif isinstance(job.get("uses"), str):  # a reusable workflow call, with the inputs it passes
            cs = CiStep("", cj.line, uses=job["uses"])
            if isinstance(job.get("with"), dict):
                cs.with_ = dict(job["with"])
            cj.steps.append(cs)
        p.jobs.append(cj)
    return p


# -- GitLab CI -------------------------------------------------------------------------------

_GITLAB_RESERVED = {
    "stages", "variables", "default", "include", "workflow", "image", "services",
    "before_script", "after_script", "cache", "pages:deploy",
}


def _gitlab(path: str, data: Any) -> CiPipeline:
    p = CiPipeline(path, "gitlab", raw=data)
    if not isinstance(data, dict):
        p.error = "not a GitLab CI file (top level is not a mapping)"
        return p
    # Pipelines run on push and merge requests unless `workflow: rules` say otherwise;
    # rules are not evaluated here.
    p.triggers["push"] = 1
    p.triggers["merge_request"] = 1
    text_rules = repr(yamlsafe.plain(data.get("workflow", {})))
    if "schedule" in text_rules:
        p.triggers["schedule"] = data.line_of("workflow", 1)
    for jname, job in data.items():
        if not isinstance(jname, str) or jname in _GITLAB_RESERVED or jname.startswith("."):
            continue
        if not isinstance(job, dict) or not any(k in job for k in ("script", "trigger", "run")):
            continue
        cj = CiJob(jname, data.line_of(jname, 1), raw=job)
        env = job.get("environment")
        cj.environment = env if isinstance(env, str) else (env.get("name", "") if isinstance(env, dict) else "")
        step = CiStep(jname, cj.line)
        for k in ("before_script", "script", "after_script"):
            step.commands += _script_list(job, k, jname)
        rules = repr(yamlsafe.plain(job.get("rules", ""))) + repr(yamlsafe.plain(job.get("only", "")))
        if "schedule" in rules:
            p.triggers.setdefault("schedule", cj.line)
        if job.get("when") == "manual":
            step.name = jname + " (manual)"
        cj.steps.append(step)
        p.jobs.append(cj)
    return p


# -- YAML systems with a generic walk --------------------------------------------------------

_COMMAND_KEYS = {"script", "bash", "pwsh", "powershell", "run", "command", "commands",
                 "install", "before_install", "before_script", "after_success", "inlineScript"}


def _walk_commands(node: Any, job: str, out: list[CiJob], depth: int = 0) -> None:
    """Collect command keys anywhere in the document; a command's job is named after the
    nearest enclosing mapping key that is not itself a structural list key."""
    if depth > 40:
        return
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "task" and isinstance(v, str):  # an Azure task: its name and inputs
                inputs = node.get("inputs")
                name = node.get("displayName")
                _ensure_job(out, job, getattr(node, "line", 1)).steps.append(CiStep(
                    name if isinstance(name, str) else "", node.line_of(k, 1), uses=v,
                    with_=dict(inputs) if isinstance(inputs, dict) else {}))
            if k in _COMMAND_KEYS:
                step = CiStep(str(k), node.line_of(k, 1))
                if isinstance(v, str):
                    step.commands = _commands(v, _block_start(node, k, v), job)
                elif isinstance(v, list):
                    step.commands = _script_list(node, k, job)
                elif isinstance(v, dict) and isinstance(v.get("command"), str):
                    step.commands = _commands(v["command"], _block_start(v, "command", v["command"]), job)
                if step.commands:
                    _ensure_job(out, job, getattr(node, "line", 1)).steps.append(step)
                    continue
            structural = k in ("jobs", "steps", "stages", "pipelines", "matrix", "include")
            _walk_commands(v, job if structural else str(k), out, depth + 1)
    elif isinstance(node, list):
        for item in node:
            _walk_commands(item, job, out, depth + 1)


def _ensure_job(out: list[CiJob], name: str, line: int) -> CiJob:
    for j in out:
        if j.name == name:
            return j
    j = CiJob(name, line)
    out.append(j)
    return j


def _generic(path: str, system: str, data: Any) -> CiPipeline:
    p = CiPipeline(path, system, raw=data)
    if not isinstance(data, dict):
        p.error = f"not a {system} configuration (top level is not a mapping)"
        return p
    # These systems build pushes and pull requests unless configured otherwise.
    p.triggers["push"] = 1
    p.triggers["pull_request"] = 1
    if system == "azure":
        for key in ("trigger", "pr"):
            if data.get(key) == "none" or data.get(key) is False:
                p.triggers.pop("push" if key == "trigger" else "pull_request", None)
        scheds = data.get("schedules")
        if isinstance(scheds, list):
            for s in scheds:
                if isinstance(s, dict) and isinstance(s.get("cron"), str):
                    p.schedules.append((s["cron"], s.line_of("cron", 1)))
                    p.triggers.setdefault("schedule", s.line_of("cron", 1))
    if system == "circleci":
        wf = repr(yamlsafe.plain(data.get("workflows", "")))
        if "schedule" in wf or "cron" in wf:
            p.triggers["schedule"] = data.line_of("workflows", 1)
    jobs: list[CiJob] = []
    _walk_commands(data, system, jobs)
    p.jobs = jobs
    return p


# -- Jenkins ---------------------------------------------------------------------------------

_SH = lazy_re(r"""\b(sh|bat|powershell|pwsh)\s*(?:\(\s*)?(?:script\s*:\s*)?(['"]{1,3})(.*)$""")


def _jenkins(path: str, text: str) -> CiPipeline:
    p = CiPipeline(path, "jenkins")
    p.triggers["push"] = 1  # multibranch pipelines build every push
    lines = text.splitlines()
    job = CiJob("pipeline", 1)
    stage = ""
    in_block: str | None = None
    step: CiStep | None = None
    for i, line in enumerate(lines, start=1):
        s = line.strip()
        m = re.search(r"""\bstage\s*\(\s*['"]([^'"]+)['"]""", s)
        if m and in_block is None:
            stage = m.group(1)
        if re.search(r"\bcron\s*\(", s) and in_block is None:
            p.triggers["schedule"] = i
            cm = re.search(r"""cron\s*\(\s*['"]([^'"]+)['"]""", s)
            if cm:
                p.schedules.append((cm.group(1), i))
        if in_block is not None:
            if in_block in s:
                before = s.split(in_block, 1)[0].strip()
                if before and step is not None:
                    step.commands.append(Command(before, i, stage or job.name))
                in_block = None
                continue
            if s and step is not None:
                step.commands.append(Command(s, i, stage or job.name))
            continue
        m = _SH.search(s)
        if m:
            quote, rest = m.group(2), m.group(3)
            step = CiStep(stage, i)
            job.steps.append(step)
            if len(quote) == 3:
                body = rest.split(quote, 1)
                if len(body) == 2:
                    if body[0].strip():
                        step.commands.append(Command(body[0].strip(), i, stage or job.name))
                else:
                    in_block = quote
                    if rest.strip():
                        step.commands.append(Command(rest.strip(), i, stage or job.name))
            else:
                cmd = rest.split(quote[0], 1)[0]
                step.commands.append(Command(cmd.strip(), i, stage or job.name))
    p.jobs = [job]
    return p


def parse_ci(path: str, text: str, system: str | None = None) -> CiPipeline | None:
    """Parse one CI file; None when `path` is not a CI configuration we know (`system` names
    the system of a file recognised by content)."""
    system = system or ci_system(path)
    if system is None:
        return None
    if system == "jenkins":
        return _jenkins(path, text)
    try:
        data = yamlsafe.load(text, max_aliases=500, tolerate_tags=True)
    except yamlsafe.YamlError as exc:
        return CiPipeline(path, system, error=str(exc))
    if system == "github":
        return _github(path, data)
    if system == "gitlab":
        return _gitlab(path, data)
    return _generic(path, system, data)
