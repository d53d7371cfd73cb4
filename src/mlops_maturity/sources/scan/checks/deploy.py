"""Code checks for the deploy dimension: what CI pipelines run (following the scripts, Makefile
targets, job configs and templates they call), which containers are ML components, serving
endpoints, training pipelines, model registries and quality gates. Each check is
`fn(view, det) -> Iterable[Hit]` and is listed in CHECKS."""

from __future__ import annotations

import ast
import copy
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from ....repo import RepoView
from ....repo.ci import CiPipeline, Command
from ....repo.textutil import line_of_offset
from ....util.lazyre import lazy_re
from ..helpers import Hit, local_module_file, matching_calls, name_matches, norm_path, parses, paths, prefilters, python_files, selected
from ..spec import DetectorSpec
from .data import (
    task_calls,
    imported_task,
    TRAIN_NAME,
    TRAIN_NOT_SPLIT,
    ORCHESTRATOR_ROOTS,
    LinePattern,
    OrchestratedFile,
    callable_refs,
    decorated_functions,
    dotted,
    dvc_train_stages,
    make_targets,
    orchestrated_files,
    orchestrator_files,
    project_commands,
    py_tree,
)
from .dev import LLM_CLIENTS, LLM_ROOTS, _project_module_file, training_signal

# -- CI: pipelines with their effective triggers ---------------------------------------------

CHANGE_TRIGGERS = frozenset({"push", "pull_request", "pull_request_target", "merge_request", "merge_group",
                             "workflow_run", "pipeline_completion"})


def _dir(rel: str) -> str:
    return rel.rsplit("/", 1)[0] if "/" in rel else ""


def _walk_raw(node: Any, depth: int = 0) -> Iterator[Any]:
    if depth > 40:
        return
    yield node
    if isinstance(node, dict):
        for v in node.values():
            yield from _walk_raw(v, depth + 1)
    elif isinstance(node, list):
        for v in node:
            yield from _walk_raw(v, depth + 1)


def _local_refs(view: RepoView, pipe: CiPipeline) -> list[str]:
    """CI files a pipeline includes: Azure `template:` files, GitHub reusable workflows,
    GitLab local includes."""
    out: list[str] = []
    base = _dir(pipe.path)
    if pipe.system == "github":
        for s in pipe.steps:
            if s.uses.startswith("./") and s.uses.endswith((".yml", ".yaml")):
                out.append(norm_path(s.uses))
        return out
    for node in _walk_raw(pipe.raw):
        if not isinstance(node, dict):
            continue
        for key in ("template", "local"):
            ref = node.get(key)
            if isinstance(ref, str) and "@" not in ref and ref.endswith((".yml", ".yaml")):
                out.append(norm_path(ref) if ref.startswith("/") or pipe.system == "gitlab" else norm_path(f"{base}/{ref}"))
        inc = node.get("include") if pipe.system == "gitlab" else None
        if isinstance(inc, str):
            out.append(norm_path(inc))
        elif isinstance(inc, list):
            out += [norm_path(i) for i in inc if isinstance(i, str)]
    return out


def _own_triggers(pipe: CiPipeline) -> set[str]:
    trig = set(pipe.triggers)
    if pipe.system == "azure" and isinstance(pipe.raw, dict):
        res = pipe.raw.get("resources")
        pipes = res.get("pipelines") if isinstance(res, dict) else None
        if isinstance(pipes, list) and any(isinstance(p, dict) and p.get("trigger") not in (None, "none", False) for p in pipes):
            trig.add("pipeline_completion")
    return trig


def effective_pipelines(view: RepoView) -> list[tuple[CiPipeline, frozenset[str]]]:
    """Every parsed CI pipeline with the triggers it really runs on: a template or reusable
    workflow included by other pipelines runs on their triggers."""
    key = ("deploy.effective_ci",)
    if key in view.memo:
        return view.memo[key]
    pipes = view.ci()
    by_path = {p.path: p for p in pipes}
    includers: dict[str, set[str]] = {}
    for p in pipes:
        for ref in _local_refs(view, p):
            if ref in by_path and ref != p.path:
                includers.setdefault(ref, set()).add(p.path)
    cache: dict[str, frozenset[str]] = {}

    def eff(path: str, seen: frozenset[str]) -> frozenset[str]:
        if path in cache:
            return cache[path]
        p = by_path[path]
        own = _own_triggers(p)
        inc = includers.get(path, set()) - seen
        if inc and (p.system != "github" or "workflow_call" in own):
            out = set(own)
            if p.system == "azure" and isinstance(p.raw, dict) and "trigger" not in p.raw and "pr" not in p.raw:
                out = set()  # a template: it runs only where it is included
            for i in inc:
                out |= eff(i, seen | {path})
            res = frozenset(out)
        else:
            res = frozenset(own)
        cache[path] = res
        return res

    out = [(p, eff(p.path, frozenset())) for p in pipes]
    view.memo[key] = out
    return out


# -- CI: command lines, following what they run ----------------------------------------------


@dataclass(frozen=True)
class CiLine:
    """A command a CI pipeline runs: cited at the CI file's line; `via` names the script,
    Makefile target or job config it came from (empty when it is written in the CI file)."""

    path: str
    line: int
    text: str
    via: str = ""
    job: str = ""
    manual: bool = False
    step: str = ""
    soft: bool = False  # the step's failure does not fail the pipeline (continue-on-error)


_INSTALL = lazy_re(r"^\s*(sudo\s+)?((python3?\s+-m\s+)?pip3?\s+install|uv\s+(pip\s+install|add|sync|tool\s+install)|"
                      r"conda\s+(install|create|env)|mamba\s+(install|create)|apt(-get)?\s+install|brew\s+install|"
                      r"poetry\s+(add|install)|pipx\s+install|npm\s+(install|i|ci)\b|yarn\s+add|echo\b|printf\b|"
                      r"export\s|cat\s|which\s|apk\s+add|yum\s+install|choco\s+install|gem\s+install|pdm\s+(add|install))")
_FILE_TOKEN = lazy_re(r"(?:^|[\s=\"'(])(\.{0,2}/?[\w./@-]+\.(?:sh|bash|ya?ml))\b")
_MAKE = lazy_re(r"(?:^|[;&|]\s*)make\s+((?:-[Cf]\s*\S+\s+|-\S+\s+)*)([\w.-]+(?:\s+[\w.-]+)*)")
# Literals every match of _FILE_TOKEN / _MAKE contains: most CI lines have none of them.
_FILE_TOKEN_NEEDLES = (".sh", ".bash", ".yml", ".yaml")


def _resolve(view: RepoView, token: str, base: str) -> str | None:
    token = token.strip("\"'")
    if token.startswith(("$", "~", "http")):
        return None
    for cand in (norm_path(token), norm_path(f"{base}/{token}") if base else None):
        if cand and view.exists(cand):
            return cand
    name = token.rsplit("/", 1)[-1]
    hits = [r for r in view.by_name(name) if r.endswith("/" + norm_path(token)) or r == norm_path(token)]
    return hits[0] if len(hits) == 1 else None


def _file_lines(view: RepoView, rel: str) -> list[tuple[int, str]]:
    key = ("deploy.file_lines", rel)  # a script is expanded for every CI line that runs it
    if key in view.memo:
        return view.memo[key]
    out = []
    yaml_like = rel.endswith((".yml", ".yaml"))
    for i, line in enumerate(view.lines(rel), start=1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if yaml_like:
            s = re.sub(r"^-?\s*[\w.-]+\s*:\s*[|>]?-?\s*", "", s).strip("\"' ")
            if not s:
                continue
        out.append((i, s))
    view.memo[key] = out
    return out


def _may_expand(cmd: str) -> bool:
    """Whether `_expand` can find anything in a command (names a file, or runs make)."""
    return "make" in cmd or any(map(cmd.__contains__, _FILE_TOKEN_NEEDLES))


def _expand(view: RepoView, cmd: str, base: str, depth: int, seen: set[str]) -> Iterator[tuple[str, str]]:
    """(text, via) of the lines a command runs indirectly: shell scripts and job configs it
    names, Makefile targets it makes (two levels deep)."""
    if depth > 2 or not _may_expand(cmd):
        return
    for m in _FILE_TOKEN.finditer(cmd) if any(map(cmd.__contains__, _FILE_TOKEN_NEEDLES)) else ():
        rel = _resolve(view, m.group(1), base)
        if rel is None or rel in seen:
            continue
        seen.add(rel)
        for _, text in _file_lines(view, rel):
            yield text, rel
            if _may_expand(text):
                yield from _expand(view, text, _dir(rel), depth + 1, seen)
    m = _MAKE.search(cmd) if "make" in cmd else None
    if m:
        opts, targets = m.group(1), m.group(2).split()
        d = re.search(r"-C\s*(\S+)", opts)
        mk = _resolve(view, f"{d.group(1)}/Makefile" if d else "Makefile", base) or (
            _resolve(view, "Makefile", "") if not d else None)
        if mk:
            tmap = make_targets(view, mk)
            todo = list(targets)
            done: set[str] = set()
            while todo and len(done) < 12:
                t = todo.pop(0)
                if t in done or t not in tmap:
                    continue
                done.add(t)
                todo += tmap[t].prereqs
                for _, text in tmap[t].recipe:
                    yield text, f"{mk} target {t}"
                    if depth < 2 and _may_expand(text):
                        yield from _expand(view, text, _dir(mk), depth + 1, seen)


def _composite_action_lines(view: RepoView, uses: str) -> list[tuple[str, str]]:
    rel = norm_path(uses)
    for cand in (f"{rel}/action.yml", f"{rel}/action.yaml"):
        if view.exists(cand):
            data = view.yaml(cand)
            runs = data.get("runs") if isinstance(data, dict) else None
            steps = runs.get("steps") if isinstance(runs, dict) else None
            out = []
            for st in steps if isinstance(steps, list) else []:
                if isinstance(st, dict) and isinstance(st.get("run"), str):
                    out += [(s.strip(), cand) for s in st["run"].split("\n") if s.strip() and not s.strip().startswith("#")]
            return out
    return []


def ci_lines(view: RepoView, pipe: CiPipeline) -> list[CiLine]:
    """Every command line of a pipeline, then the lines of what each one runs."""
    key = ("deploy.ci_lines", pipe.path)
    if key in view.memo:
        return view.memo[key]
    out: list[CiLine] = []
    base = _dir(pipe.path) if pipe.system != "github" else ""
    for job in pipe.jobs:
        for step in job.steps:
            manual = step.name.endswith("(manual)")
            for c in step.commands:
                out.append(CiLine(pipe.path, c.line, c.text, "", job.name, manual, step.name, step.soft))
            if step.uses.startswith("./") and not step.uses.endswith((".yml", ".yaml")):
                for text, via in _composite_action_lines(view, step.uses):
                    out.append(CiLine(pipe.path, step.line, text, via, job.name, manual, step.name))
            fp = step.with_.get("filePath") or step.with_.get("scriptPath")
            if isinstance(fp, str):
                out.append(CiLine(pipe.path, step.line, f"bash {fp.split('}/')[-1]}", "", job.name, manual, step.name))
            if pipe.system == "github":  # wrapper actions (retry, ssh...) that take a command
                for k in ("run", "command", "commands", "script"):
                    v = step.with_.get(k)
                    if isinstance(v, str):
                        for t in v.split("\n"):
                            if t.strip() and not t.strip().startswith("#"):
                                out.append(CiLine(pipe.path, step.line, t.strip(), "", job.name, manual, step.name))
    direct = list(out)
    for cl in direct:
        if not _may_expand(cl.text) or _INSTALL.match(cl.text):
            continue
        for text, via in _expand(view, cl.text, base, 1, set()):
            out.append(CiLine(cl.path, cl.line, text, via, cl.job, cl.manual, cl.step, cl.soft))
    view.memo[key] = out
    return out


def _msg(prefix: str, cl: CiLine, what: str) -> str:
    return f"{prefix} {what}" + (f" (via {cl.via})" if cl.via else "")


# -- deploy.ci -------------------------------------------------------------------------------

_CHECK_CMD = lazy_re(
    r"(?:^|[\s;&|(/\"'`=])("
    r"py\.?test|pytest|nosetests|nose2|tox|nox|coverage\s+run|ward|"
    r"flake8|ruff(?:\s+(?:check|format\s+--check|format\s+--diff))?|pylint|mypy|pyright|pytype|basedpyright|"
    r"black\s+(?:[^|;&]*\s)?--(?:check|diff)|isort\s+(?:[^|;&]*\s)?(?:--check(?:-only)?|-c|--diff)|"
    r"pre-commit\s+run|prek\s+run|pycodestyle|pydocstyle|bandit|interrogate|codespell|yamllint|darglint|vulture|"
    r"(?:make|just|task|invoke|inv|poe|hatch\s+run|pdm\s+run|pixi\s+run|rye\s+run|npm\s+run|pnpm|yarn|doit)\s+"
    r"(?![\w:.-]*(?:install|requirements|deps|setup|docs|build))[\w:.-]*(?:test|lint|check|typecheck|type-check|"
    r"mypy|flake8|quality|style|verify|coverage|cov)\w*|"
    r"(?:npm|yarn|pnpm)\s+test|go\s+test|cargo\s+(?:test|clippy)|"
    r"python3?\s+(?:-\w+\s+)*-m\s+(?:pytest|unittest|doctest|mypy|flake8|pylint|ruff|black|isort|coverage|tox|nox|pyright)|"
    r"python3?\s+(?:-\w+\s+)*(?:setup\.py\s+test|[\w./-]*\btests?/[\w./-]+\.py|[\w./-]*\btest_\w+\.py|[\w./-]*_test\.py|[\w./-]*run_?tests?\.py)|"
    r"dvc\s+(?:metrics|plots|params|exp)\s+diff|cml\s+(?:comment|send-comment|publish|report)|"
    # validators of configs and infrastructure code: a validate_*.py / *_validator.py script,
    # terraform validate / fmt -check, linters of Dockerfiles, shell, charts, SQL and manifests
    r"python3?\s+(?:-\w+\s+)*[\w./${}-]*/?(?:validate\w*|\w*_validat(?:e|or|ion))\.py|"
    r"terraform\s+(?:-chdir=\S+\s+)?(?:validate|fmt\s+(?:-\S+\s+)*-check)|tflint|hadolint|shellcheck|helm\s+lint|"
    r"check-jsonschema|kubeconform|kubeval|sqlfluff\s+lint|actionlint"
    r")\b"
)
# A step or job named as a test / check runs its commands as checks (smoke tests of scripts).
_CHECK_STEP_NAME = lazy_re(r"(?i)(^|[\s_:/-])(tests?|testing|smoke|lint(ing)?|linters?|type[ -]?check(ing)?|unit|integration|"
                              r"e2e|pytest|benchmarks?|static analysis|code quality|quality checks?|style checks?)([\s_:/-]|$)")
_SETUP_STEP_NAME = lazy_re(r"(?i)\s*(install(ing)?|set\s*up|setting\s+up|setup|cache|caching|download(ing)?|fetch(ing)?|prepare\s+(the\s+)?environment)\b")
_TRIVIAL_CMD = lazy_re(r"^\s*(cd|ls|pwd|mkdir|cp|mv|rm|source|set|env|printenv|true|exit|if|fi|then|else|done|do|for|"
                          r"echo|printf|export|cat|which|git|curl|wget|unzip|tar|chmod|sudo|\w+=|docker\s+(build|push|login|tag|pull))\b")
_CHECK_ACTIONS = lazy_re(
    r"^(pre-commit/action|psf/black|astral-sh/ruff-action|chartboost/ruff-action|jpetrucciani/[\w-]+-check|py-actions/flake8|"
    r"suo/flake8-github-action|ricardochaves/python-lint|wemake-services/[\w-]+|reviewdog/action-[\w-]+|"
    r"github/super-linter|super-linter/super-linter|pavelzw/pytest-action|tj-actions/pytest|isort/isort-action|"
    r"jakebailey/pyright-action|sourcery-ai/action|pre-commit-ci/lite-action|tox-dev/gh-action-tox|"
    r"paambaati/codeclimate-action|actions-rs/cargo|getsentry/action-[\w-]*lint|"
    # PSRule checks infrastructure templates (Bicep / ARM) against rules, as tflint or helm lint do
    r"microsoft/ps-rule|"
    # security scanners check the code, its dependencies and images: other checks, as linters are
    r"aquasecurity/trivy-action|github/codeql-action/analyze|snyk/actions/[\w-]+|pypa/gh-action-pip-audit|"
    r"bridgecrewio/checkov-action|(?:returntocorp|semgrep)/semgrep-action|pycqa/bandit-action|"
    # any action whose repository is named for a linter as a word (owner/actions-flake8,
    # owner/action-mypy); setup-* / install-* actions only install the tool
    r"[\w.-]+/(?!setup-|install-)(?:[\w.]+[-_])*(?:flake8|pylint|ruff|black|isort|mypy|pyright|pycodestyle|pydocstyle|yapf)(?:[-_][\w.]+)*)(@|/|$)", re.I)
_CHECK_TASKS = lazy_re(r"^(PublishTestResults|VSTest|Pytest|PythonTest)@\d", re.I)
# A reusable workflow of another repository (an organisation's shared CI, whose steps are not in
# this repository) called by a job: a check when its file or the calling job is named for one
# (`org/.github/.github/workflows/shared-code-quality.yaml@main`, a job `test:` calling `python.yml`).
_REMOTE_WORKFLOW = lazy_re(r"^[\w.-]+/[\w.-]+/\.github/workflows/([\w.-]+)\.ya?ml@", re.I)
_CHECK_WORKFLOW_NAME = lazy_re(
    r"(?i)(^|[_.-])(tests?|testing|unit[-_]?tests?|integration[-_]?tests?|pytest|lint(ing|ers?)?|code[-_]?quality|"
    r"quality[-_]?checks?|style[-_]?checks?|type[-_]?check(ing)?|static[-_]?analysis|pre[-_]?commit)([_.-]|$)")
# Actions that run the repository's own code elsewhere (a notebook on a Databricks cluster): a
# check when the step, job or workflow is named as a test (an integration test of the notebooks).
_RUNS_REPO_CODE_ACTIONS = lazy_re(r"^databricks/run-notebook(@|$)", re.I)
_NOT_CHECK = lazy_re(r"--(version|help)\b|fast_dev_run", re.I)
# `python -c "import pandas; import sklearn; print('ready')"`: it checks that installed libraries
# import, like an echo after pip install, not the repository's code.
_PY_C = lazy_re(r"""^\s*python3?\s+-c\s+(["'])(.*)\1\s*$""")
_PY_C_STMT = lazy_re(r"^(?:import\s+([\w.]+(?:\s*,\s*[\w.]+)*)|from\s+([\w.]+)\s+import\s+[\w.*, ]+|print\(.*\))$")


def _imports_installed_only(view: RepoView, text: str) -> bool:
    """A `python -c` one-liner that only imports modules that are not the repository's own and
    prints."""
    m = _PY_C.match(text)
    if not m:
        return False
    for stmt in (x.strip() for x in re.split(r"[;\n]", m.group(2))):
        if not stmt:
            continue
        sm = _PY_C_STMT.match(stmt)
        if not sm:
            return False
        mods = [x.strip() for x in (sm.group(1) or sm.group(2) or "").split(",") if x.strip()]
        if any(local_module_file(view, mod) for mod in mods):
            return False
    return True


def _whole_commands(commands: list[Command]) -> list[Command]:
    """The commands of a step without the lines that continue the one before (`docker build -t a \\`
    then `-t b .`): a continuation is part of that command, not a command of its own."""
    out: list[Command] = []
    prev = ""
    for c in commands:
        if not prev.rstrip().endswith("\\"):
            out.append(c)
        prev = c.text
    return out


def ci_runs_checks(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A CI pipeline that runs on push / pull or merge request runs tests, linters or type
    checks — directly, through a script, a Makefile target or a job config it submits."""
    allowed = set(paths(view, det)) if (det.files or det.exclude) else None
    for pipe, triggers in effective_pipelines(view):
        if allowed is not None and pipe.path not in allowed:
            continue
        if not triggers & CHANGE_TRIGGERS:
            continue
        hit = None
        for step in pipe.steps:
            if step.uses and (_CHECK_ACTIONS.search(step.uses) or _CHECK_TASKS.search(step.uses)):
                hit = Hit(pipe.path, step.line, f"CI runs {step.uses.split('@')[0]} on change")
                break
            remote = _REMOTE_WORKFLOW.match(step.uses) if step.uses else None
            if remote and _CHECK_WORKFLOW_NAME.search(remote.group(1)):
                hit = Hit(pipe.path, step.line, f"CI calls reusable workflow {step.uses.split('@')[0]} on change")
                break
        for cl in ci_lines(view, pipe):
            if hit and hit.line <= cl.line:
                break
            if cl.manual or _INSTALL.match(cl.text) or _NOT_CHECK.search(cl.text):
                continue
            m = _CHECK_CMD.search(cl.text)
            if m:
                hit = Hit(pipe.path, cl.line, _msg("CI runs", cl, m.group(1).strip() + " on change"))
                break
        if hit is None:
            pipe_name = str(pipe.raw.get("name") or "") if isinstance(pipe.raw, dict) else ""
            for job in pipe.jobs:
                for step in job.steps:
                    named = _CHECK_STEP_NAME.search(step.name) or _CHECK_STEP_NAME.search(job.name)
                    if not step.name and step.uses and _REMOTE_WORKFLOW.match(step.uses) and _CHECK_WORKFLOW_NAME.search(job.name):
                        hit = Hit(pipe.path, step.line, f"CI job {job.name} calls reusable workflow {step.uses.split('@')[0]} on change")
                        break
                    if step.uses and _RUNS_REPO_CODE_ACTIONS.search(step.uses) and (named or _CHECK_STEP_NAME.search(pipe_name)):
                        hit = Hit(pipe.path, step.line, f"CI runs {step.uses.split('@')[0]} as a test on change")
                        break
                    if not named or step.name.endswith("(manual)"):
                        continue
                    if not _CHECK_STEP_NAME.search(step.name) and _SETUP_STEP_NAME.match(step.name):
                        continue  # "Install argparse" in a job named test: setting up, not a check
                    cmd = next((c for c in _whole_commands(step.commands) if not _INSTALL.match(c.text) and not _TRIVIAL_CMD.match(c.text)
                                and not _imports_installed_only(view, c.text)), None)
                    if cmd is not None:
                        label = step.name if _CHECK_STEP_NAME.search(step.name) else job.name
                        hit = Hit(pipe.path, cmd.line, f"CI runs step '{label}' on change: {cmd.text[:60]}")
                        break
                if hit:
                    break
        if hit:
            yield hit


# -- deploy.cd -------------------------------------------------------------------------------

_DEPLOY_CMD = lazy_re(
    r"(?:^|[\s;&|(])("
    r"(?:docker|podman|buildah|nerdctl)\s+(?:image\s+)?push\b|docker(?:-compose|\s+compose)\s+(?:\S+\s+)*push\b|"
    r"docker\s+buildx\s+build\b[^\n]*--push\b|/kaniko/executor\b[^\n]*--destination|crane\s+push\b|skopeo\s+copy\b|"
    r"kubectl\s+(?:apply|create\s+deployment|set\s+image|rollout\s+restart|replace)\b|helm\s+(?:upgrade|install)\b|"
    r"helmfile\s+(?:apply|sync)\b|skaffold\s+(?:run|deploy)\b|argocd\s+app\s+(?:sync|create|set)\b|kn\s+service\s+(?:create|update|apply)\b|"
    r"gcloud\s+(?:beta\s+|alpha\s+)?(?:run\s+(?:deploy|services\s+update)|app\s+deploy|functions\s+deploy|builds\s+submit|"
    r"ai\s+endpoints\s+(?:deploy-model|create|mutate-deployed-model)|ai-platform\s+versions\s+create|container\s+images\s+add-tag)\b|"
    r"aws\s+(?:lambda\s+(?:update-function-code|publish-version|create-function)|ecs\s+(?:update-service|deploy)|"
    r"sagemaker\s+(?:create-endpoint|update-endpoint|create-endpoint-config)|apprunner\s+(?:start-deployment|update-service)|"
    r"elasticbeanstalk\s+update-environment|deploy\s+create-deployment|ecr\s+put-image)\b|"
    r"(?:sam|cdk|serverless|sls|copilot|eb|zappa|chalice|flyctl|fly|railway|modal|beam|baseten|cerebrium|vercel)\s+(?:\S+\s+){0,3}deploy\b|"
    r"zappa\s+update\b|truss\s+push\b|cog\s+push\b|"
    r"az\s+(?:webapp\s+(?:deploy|up|create|config\s+container\s+set|deployment\s+source)|containerapp\s+(?:up|update|create)|"
    r"functionapp\s+deployment|acr\s+build|container\s+create|"
    r"ml\s+(?:model\s+deploy|online-endpoint\s+(?:create|update)|online-deployment\s+(?:create|update)|batch-endpoint\s+create|"
    r"batch-deployment\s+(?:create|update)|endpoint\s+realtime\s+update|service\s+update))\b|"
    r"mlflow\s+(?:models\s+(?:serve|build-docker)|deployments\s+(?:create|update)|sagemaker\s+(?:deploy|build-and-push-container))\b|"
    r"bentoml\s+(?:deploy|deployment\s+(?:create|update|apply)|push)\b|heroku\s+(?:container:(?:push|release)|releases?:\w+)\b|"
    r"git\s+push\s+\S*heroku\S*|anyscale\s+services?\s+(?:rollout|deploy|update)\b|"
    r"huggingface-cli\s+upload\b|hf\s+upload\b|git\s+push\s+\S*huggingface\.co\S*|"
    r"docker\s+stack\s+deploy\b|docker\s+service\s+update\b|seldon\s+(?:model|pipeline)\s+load\b|"
    r"databricks\s+bundle\s+deploy\b|"
    # the Azure Developer CLI deploys the services azure.yaml declares (up = provision + deploy)
    r"azd\s+(?:deploy|up)\b"
    r")"
)
_DEPLOY_ACTIONS = lazy_re(
    r"^(google-github-actions/deploy-[\w-]+|aws-actions/amazon-ecs-deploy-task-definition|aws-actions/amazon-ecr-push|"
    r"azure/webapps-deploy|azure/functions-action|azure/k8s-deploy|azure/container-apps-deploy-action|azure/aci-deploy|"
    r"azure/aml-deploy|azure/aks-set-context|deliverybot/helm|wahyd4/kubectl-helm-action|steebchen/kubectl|actions-hub/kubectl|"
    r"akhileshns/heroku-deploy|superfly/flyctl-actions|serverless/github-action|appleboy/lambda-action|jwalton/gh-ecr-push|"
    r"kciter/aws-ecr-action|appleboy/docker-ecr-action|elgohr/publish-docker-github-action|mr-smithers-excellent/docker-build-push|"
    r"redhat-actions/push-to-registry|einaregilsson/beanstalk-deploy|bentoml/deploy-bento-action|"
    r"bitovi/github-actions-deploy-[\w-]+|koyeb/action-git-deploy|huggingface/[\w-]*upload[\w-]*|"
    r"nateraw/huggingface-sync-action|docker/build-push-action|aws-actions/aws-lambda-deploy|"
    r"azure/aml-registermodel-deploy|appleboy/ssh-action|google-github-actions/ssh-compute|easingthemes/ssh-deploy|burnett01/rsync-deployments|"
    # PaaS deploys: a Render service redeployed through its API, a Railway service
    r"[\w-]+/render-deploy(-action)?|bounceapp/render-action|bervproject/railway-deploy)(@|/|$)", re.I)
# A job bound to a deployment environment deploys (docs and package-index environments aside).
_DEPLOY_ENV = lazy_re(r"(?i)^(prod\w*|production|staging|stage|live|preprod|pre-prod|uat|deploy\w*|qa|test(ing)?|dev(elopment)?)$")
_NOT_DEPLOY_JOB = lazy_re(r"(?i)pypi|twine|gh-pages|github-pages|mkdocs|sphinx|docs|npm\s+publish|poetry\s+publish")
_DEPLOY_TASKS = lazy_re(
    r"^(AzureWebAppContainer|AzureWebApp|AzureRmWebAppDeployment|AzureFunctionApp|AzureFunctionAppContainer|AzureContainerApps|"
    r"HelmDeploy|KubernetesManifest|Kubernetes|ECRPushImage|LambdaDeployFunction|AzureSpringCloud|"
    r"[\w.-]*AMLModelDeploy|[\w.-]*azureml-model-deploy[\w.-]*|Docker)@\d", re.I)
_PUSHING_DOCKER_TASK = lazy_re(r"\b(push|buildAndPush)\b", re.I)
_DEPLOY_SCRIPT_NAME = lazy_re(r"(?i)(^|[_-])(deploy\w*|release_model|promote\w*|rollout)($|[_-])")
_PY_TARGET = lazy_re(r"\bpython3?\s+(?:-\w+\s+)*(?:-m\s+([\w.]+)|([\w./-]+\.py))")
_DEPLOY_CALLS = (
    "sagemaker.*.deploy", "*.deploy", "google.cloud.aiplatform.Endpoint.create", "google.cloud.aiplatform.*.deploy",
    "*.online_deployments.begin_create_or_update", "*.online_endpoints.begin_create_or_update",
    "*.begin_create_or_update", "azureml.core.Model.deploy", "azureml.core.model.Model.deploy",
    "azureml.core.webservice.*.deploy_from_*", "mlflow.deployments.get_deploy_client().create_deployment",
    "*.create_deployment", "*.update_deployment", "*.create_endpoint", "*.update_endpoint",
    "kubernetes.client.*.create_namespaced_deployment", "*.create_namespaced_deployment", "*.patch_namespaced_deployment",
    "bentoml.deployment.*", "*.create_inference_service", "*.replace_namespaced_custom_object",
)
_DEPLOY_KWARGS = lazy_re(r"initial_instance_count|instance_type|endpoint_name|machine_type|deployed_model_display_name|"
                            r"traffic_percentage|deployment_config|inference_config|EndpointConfigName|EndpointName|"
                            r"ProductionVariants|namespace")


def _python_script(view: RepoView, text: str, base: str) -> str | None:
    m = _PY_TARGET.search(text)
    if not m:
        return None
    if m.group(2):
        return _resolve(view, m.group(2), base)
    mod = m.group(1).replace(".", "/")
    for cand in (f"{mod}.py", f"{mod}/__main__.py", f"src/{mod}.py"):
        if view.exists(cand):
            return cand
    return None


def _script_deploys(view: RepoView, rel: str) -> str | None:
    """The deploy API call a Python script makes, if any."""
    key = ("deploy.script_deploys", rel)
    if key in view.memo:
        return view.memo[key]
    found = None
    text = view.text(rel) or ""
    if re.search(r"\.(deploy|create_or_update|begin_create_or_update|create_endpoint|update_endpoint|create_deployment|"
                 r"update_deployment|create_namespaced_deployment|patch_namespaced_deployment|replace_namespaced_custom_object)\s*\(", text):
        facts = view.python(rel)
        for call in matching_calls(facts, _DEPLOY_CALLS) if facts else []:
            if call.attr in ("begin_create_or_update",) and not re.search(r"(?i)(online|endpoint|deployment)", text):
                continue
            if call.attr in ("create_endpoint", "update_endpoint", "create_deployment", "update_deployment", "deploy") and not (
                    call.resolved or any(_DEPLOY_KWARGS.search(k) for k, _ in call.kwargs)):
                continue
            found = call.name
            break
    view.memo[key] = found
    return found


_DOCKERFILE_OPT = lazy_re(r"(?:-f|--file)[ =]+(\S+)")


def _pushed_dockerfile_is_ml(view: RepoView, pipe: CiPipeline, cl: CiLine, lines: list[CiLine]) -> bool:
    """False when the image pushed is built from a Dockerfile that is not an ML component
    (devcontainer, docs site); True when unknown."""
    for other in lines:
        if other.job == cl.job and re.search(r"\bdocker\s+(?:buildx\s+)?build\b", other.text):
            m = _DOCKERFILE_OPT.search(other.text)
            if m:
                rel = _resolve(view, m.group(1), "")
                if rel is not None:
                    return dockerfile_is_ml(view, rel)
    return True


_REMOTE_DEPLOY = lazy_re(r"(?i)(^|[/_-])(deploy|deployment|endpoint|rollout)[\w-]*\.ya?ml@")


# A composite action of another repository named for deploying or pushing (a team's shared
# `org/actions/deploy@v1`, `org/build-push-action@v2`) and given an image to build: what it does is
# in its name and inputs, as for a shared deploy workflow.
_SHARED_DEPLOY_ACTION = lazy_re(r"(?i)^[\w.-]+/(?:[\w.-]+/)*[\w.-]*(deploy|push|publish|release)[\w.-]*@")
_IMAGE_INPUT = lazy_re(r"(?i)^(ecr|image|registry|dockerfile|container)")


def _shared_action_ml_image(view: RepoView, with_: Any) -> str | None:
    """The ML Dockerfile a shared action's inputs build (its `dockerfile` input, else the
    repository's only ML Dockerfile), when an input names an image, a registry or a Dockerfile."""
    if not isinstance(with_, dict) or not any(_IMAGE_INPUT.match(str(k)) for k in with_):
        return None
    df = next((v for k, v in with_.items() if "dockerfile" in str(k).lower() and isinstance(v, str)), None)
    if df:
        rel = _resolve(view, df, "")
        return rel if rel and dockerfile_is_ml(view, rel) else None
    ml = [d for d in view.dockerfiles() if dockerfile_is_ml(view, d)]
    return ml[0] if len(ml) == 1 else None


def _remote_deploy_ref(pipe: CiPipeline) -> tuple[int, str] | None:
    """A reusable workflow / template from another repository named for deployment
    (`Azure/mlops-templates/.github/workflows/create-deployment.yml@main`,
    `templates/create-endpoint.yml@mlops-templates`)."""
    if pipe.system == "github":
        for st in pipe.steps:
            if st.uses and _REMOTE_DEPLOY.search(st.uses) and not st.uses.startswith("./"):
                return st.line, st.uses
        return None
    if pipe.system != "azure":
        return None
    for node in _walk_raw(pipe.raw):
        if isinstance(node, dict) and isinstance(node.get("template"), str) and _REMOTE_DEPLOY.search(node["template"]):
            return node.line_of("template", 1), node["template"]
    return None


# Resources of a Databricks asset bundle that make its deployment an ML deployment (a bundle of
# ETL jobs only is a data platform's deployment).
_BUNDLE_ML_RESOURCES = ("registered_models:", "model_serving_endpoints:", "quality_monitors:")
_BUNDLE_ML_RESOURCE_LINE = lazy_re(r"^\s*(registered_models|model_serving_endpoints|quality_monitors|models|experiments):\s*$", re.M)


def _bundle_is_ml(view: RepoView) -> bool:
    """Whether a Databricks asset bundle of the repository declares ML resources (registered
    models, serving endpoints, quality monitors; MLflow models or experiments), or a job with a
    task that trains a model: a bundle of notebook jobs only (training -> validation ->
    promotion, the models registered by the notebooks themselves) deploys the ML system too."""
    key = ("deploy.bundle_is_ml",)
    if key not in view.memo:
        ymls = view.globs(("*.yml", "*.yaml"))
        cands = view.with_any(ymls, (*_BUNDLE_ML_RESOURCES, "experiments:", "models:"))
        ml = any(_BUNDLE_ML_RESOURCE_LINE.search(t) and "resources:" in t for _, t in view.texts(cands))
        if not ml:
            jobs = databricks_jobs(view, view.with_any(ymls, ("task_key",)))
            ml = any(databricks_training_task(job) for _, _, job, _ in jobs)
        view.memo[key] = ml
    return view.memo[key]


# A CircleCI orb job or command (`aws-ecs/deploy-service-update`, `heroku/deploy-via-git`,
# `aws-ecr/build-and-push-image`, `gcp-gke/publish-and-rollout-image`, `helm/upgrade-helm-chart`)
# run by a workflow: what it does is in its name. Package, docs and coverage uploads are not deploys.
_ORB_REF = lazy_re(r"^[a-z0-9][\w.-]*/[\w-]+$", re.I)
_ORB_DEPLOY = lazy_re(r"(?i)(^|[-_/])(deploy|rollout|codedeploy|codepipeline|(install|upgrade)[-_]helm|helm[-_](install|upgrade)|"
                      r"update[-_]service|service[-_]update|create[-_]or[-_]update)")
_ORB_PUSH = lazy_re(r"(?i)(^|[-_/])(push|publish)([-_]|$)")


def _circleci_orb_deploys(view: RepoView, pipe: CiPipeline) -> Hit | None:
    """The first orb job of a workflow, or orb command of a job's steps, that deploys (its name
    says deploy / rollout / helm upgrade / service update) or pushes an image of the ML system."""
    raw = pipe.raw
    if not isinstance(raw, dict):
        return None
    found: list[tuple[int, str]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            lines = getattr(node, "item_lines", [])
            for i, item in enumerate(node):
                name = item if isinstance(item, str) else (next(iter(item)) if isinstance(item, dict) and len(item) == 1 else None)
                if isinstance(name, str) and _ORB_REF.match(name) and not _NOT_DEPLOY_JOB.search(name):
                    if _ORB_DEPLOY.search(name.split("/", 1)[1]) or _ORB_PUSH.search(name.split("/", 1)[1]):
                        found.append((lines[i] if i < len(lines) else getattr(node, "line", 1) or 1, name))
                walk(item)

    for section in ("workflows", "jobs"):
        walk(raw.get(section))
    for line, name in sorted(found):
        if not _ORB_DEPLOY.search(name.split("/", 1)[1]) and not any(dockerfile_is_ml(view, d) for d in view.dockerfiles()):
            continue  # pushes an image, but no image of the repository is part of the ML system
        return Hit(pipe.path, line, f"CI/CD runs orb {name}, which deploys or publishes")
    return None


# A job that starts a throwaway Kubernetes cluster (kind, minikube, k3d) and applies manifests to
# it tests them; nothing is deployed.
_LOCAL_CLUSTER = lazy_re(r"(?i)\bkind\s+create\s+cluster\b|\bminikube\s+start\b|\bk3d\s+cluster\s+create\b|"
                         r"setup-minikube|kind-action|setup-kind|k3d-action|setup-k3d|setup-k3s|setup-microk8s")
_CLUSTER_CMD = lazy_re(r"(kubectl|helm|helmfile|skaffold|kustomize|argocd|kn)\s")


_LOCAL_CLUSTER_WORDS = ("kind", "minikube", "k3d", "k3s", "microk8s")


def _starts_local_cluster(pipe: CiPipeline, lines: list[CiLine], job: str) -> bool:
    """Whether CI job `job` starts a throwaway cluster (a setup action or a create command)."""
    if any(st.uses and _LOCAL_CLUSTER.search(st.uses) for j in pipe.jobs if j.name == job for st in j.steps):
        return True
    return any(cl.job == job and any(map(cl.text.lower().__contains__, _LOCAL_CLUSTER_WORDS))
               and _LOCAL_CLUSTER.search(cl.text) for cl in lines)


@prefilters(*_BUNDLE_ML_RESOURCES, "experiments:", "models:", "task_key")
def cd_deploys(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A CI/CD pipeline deploys or publishes a model or service: pushes an image, deploys to
    Kubernetes / a cloud / serverless target, serves or releases a model (directly, or in a
    script it runs), deploys a Databricks asset bundle that declares ML resources. Publishing a
    library to PyPI and deploying docs do not count."""
    allowed = set(paths(view, det)) if (det.files or det.exclude) else None
    for pipe, _triggers in effective_pipelines(view):
        if allowed is not None and pipe.path not in allowed:
            continue
        hit: Hit | None = None
        for step in pipe.steps:
            u = step.uses
            if not u:
                continue
            if _DEPLOY_ACTIONS.search(u):
                if u.lower().startswith("docker/build-push-action"):
                    push = step.with_.get("push")
                    if push is None or push is False or str(push).lower() == "false":
                        continue
                    f = step.with_.get("file") or step.with_.get("context")
                    rel = _resolve(view, f"{f}/Dockerfile" if f and not str(f).endswith(("Dockerfile", "ockerfile")) and "Dockerfile" not in str(f) else str(f or "Dockerfile"), "") if isinstance(f, str) else None
                    if rel and not dockerfile_is_ml(view, rel):
                        continue
                hit = Hit(pipe.path, step.line, f"CI/CD step {u.split('@')[0]} deploys or publishes")
                break
            if _DEPLOY_TASKS.search(u):
                if u.lower().startswith("docker@"):
                    cmd = str(step.with_.get("command", ""))
                    if not _PUSHING_DOCKER_TASK.search(cmd):
                        continue
                    df = step.with_.get("Dockerfile") or step.with_.get("dockerfile")
                    rel = _resolve(view, df.split("}/")[-1], "") if isinstance(df, str) else None
                    if rel and not dockerfile_is_ml(view, rel):
                        continue
                if u.lower().startswith("helmdeploy@") and str(step.with_.get("command", "")).lower() in ("delete", "uninstall", "login", "package", "lint"):
                    continue
                hit = Hit(pipe.path, step.line, f"CI/CD task {u.split('@')[0]} deploys")
                break
            if _SHARED_DEPLOY_ACTION.search(u) and not u.startswith(("./", "actions/", "docker/")) and not _NOT_DEPLOY_JOB.search(u):
                rel = _shared_action_ml_image(view, step.with_)
                if rel:
                    hit = Hit(pipe.path, step.line, f"CI/CD step {u.split('@')[0]} pushes or deploys image {rel}")
                    break
        if hit is None and pipe.system == "circleci":
            hit = _circleci_orb_deploys(view, pipe)
        if hit is None:
            ref = _remote_deploy_ref(pipe)
            if ref:
                hit = Hit(pipe.path, ref[0], f"CI/CD calls shared deploy template {ref[1]}")
        lines = ci_lines(view, pipe)
        base = _dir(pipe.path) if pipe.system != "github" else ""
        local: dict[str, bool] = {}  # job -> starts a throwaway cluster, found when first needed
        for cl in lines:
            if hit and hit.line <= cl.line:
                break
            if _INSTALL.match(cl.text):
                continue
            m = _DEPLOY_CMD.search(cl.text)
            if m:
                what = re.sub(r"\s+", " ", m.group(1).strip())
                if _CLUSTER_CMD.match(what):
                    if cl.job not in local:
                        local[cl.job] = _starts_local_cluster(pipe, lines, cl.job)
                    if local[cl.job]:
                        continue  # applied to a throwaway cluster the job starts: a test of the manifests
                if re.match(r"(docker|podman|buildah|nerdctl)\s", what) and "push" in what and not _pushed_dockerfile_is_ml(view, pipe, cl, lines):
                    continue
                if what.startswith("databricks") and not _bundle_is_ml(view):
                    continue
                hit = Hit(pipe.path, cl.line, _msg("CI/CD runs", cl, what))
                break
            script = _python_script(view, cl.text, _dir(cl.via) if cl.via and "/" in cl.via else base)
            if script is None and ".ipynb" in cl.text:
                script = _ci_notebook(view, cl)  # a notebook executed as a step (ipython, papermill...)
            if script:
                call = _script_deploys(view, script)
                if call:
                    hit = Hit(pipe.path, cl.line, _msg("CI/CD runs", cl, f"{script}, which calls {call}"))
                    break
        if hit is None:
            for job in pipe.jobs:
                if not job.environment or not _DEPLOY_ENV.match(job.environment.strip()):
                    continue
                jl = [cl for cl in lines if cl.job == job.name and not _INSTALL.match(cl.text) and not _TRIVIAL_CMD.match(cl.text)]
                uses = [s for s in job.steps if s.uses and not s.uses.startswith(("actions/", "docker/login", "aws-actions/configure",
                                                                                 "google-github-actions/auth", "azure/login"))]
                body = " ".join([cl.text for cl in jl] + [s.uses for s in uses])
                if (jl or uses) and not _NOT_DEPLOY_JOB.search(body):
                    hit = Hit(pipe.path, job.line, f"CI/CD job {job.name} deploys to environment {job.environment}")
                    break
        if hit:
            yield hit


# -- deploy.cd: cloud build configurations and pipelines defined as code ---------------------

_BUILD_TRIGGERS = ("start_build", "aws_codebuild_project", "aws_codepipeline", "AWS::CodeBuild::Project",
                   "AWS::CodePipeline::Pipeline", "codebuild.Project", "codebuild.PipelineProject", "codepipeline.Pipeline",
                   "google_cloudbuild_trigger", "builds triggers create", "BuildTrigger", "triggerTemplate",
                   "cloudbuild.googleapis.com/v1/projects")


_BUILD_SECTIONS = ("phases:", "steps:")


def _build_configs(view: RepoView) -> list[tuple[str, list[tuple[int, str]]]]:
    """AWS CodeBuild buildspecs and Google Cloud Build configs, as (path, [(line, command)])."""
    key = ("deploy.build_configs",)
    if key in view.memo:
        return view.memo[key]
    out: list[tuple[str, list[tuple[int, str]]]] = []
    yamls = view.by_ext(".yml", ".yaml")
    with_sections = set(view.with_any(yamls, _BUILD_SECTIONS))  # before decoding every YAML file
    for rel in yamls:
        name = rel.rsplit("/", 1)[-1].lower()
        if view.is_test(rel) or rel.startswith(".github/"):
            continue
        if rel not in with_sections and not name.startswith(("buildspec", "cloudbuild")):
            continue
        text = view.text(rel) or ""
        if name.startswith("buildspec") or ("phases:" in text and re.search(r"^version:\s*['\"]?0\.\d", text, re.M)):
            data = view.yaml(rel)
            phases = data.get("phases") if isinstance(data, dict) else None
            if not isinstance(phases, dict):
                continue
            cmds: list[tuple[int, str]] = []
            for ph in phases.values():
                items = ph.get("commands") if isinstance(ph, dict) else None
                if isinstance(items, list):
                    for i, it in enumerate(items):
                        if isinstance(it, str):
                            ln = items.item_lines[i] if i < len(items.item_lines) else 1
                            cmds += [(ln + (j if "\n" in it.rstrip("\n") else 0), t.strip())
                                     for j, t in enumerate(it.split("\n")) if t.strip()]
            out.append((rel, cmds))
        elif name.startswith("cloudbuild") or ("steps:" in text and ("cloud-builders" in text or "gcr.io/" in text)):
            data = view.yaml(rel)
            steps = data.get("steps") if isinstance(data, dict) else None
            if not isinstance(steps, list):
                continue
            cmds = []
            for i, st in enumerate(steps):
                if not isinstance(st, dict) or not isinstance(st.get("name"), str):
                    continue
                ln = steps.item_lines[i] if i < len(steps.item_lines) else 1
                args = st.get("args")
                argv = [str(a) for a in args] if isinstance(args, list) else ([args] if isinstance(args, str) else [])
                prog = st.get("entrypoint") if isinstance(st.get("entrypoint"), str) else st["name"].rsplit("/", 1)[-1].split(":")[0]
                text_cmd = " ".join([prog, *argv])
                cmds += [(ln, t.strip()) for t in text_cmd.split("\n") if t.strip()]
                if isinstance(st.get("script"), str):
                    cmds += [(ln, t.strip()) for t in st["script"].split("\n") if t.strip()]
            if isinstance(data.get("images"), list) and data["images"]:
                cmds.append((data.line_of("images", 1), f"docker push {data['images'][0]}"))
            out.append((rel, cmds))
    view.memo[key] = out
    return out


def _builds_triggered(view: RepoView) -> bool:
    """Something in the repository starts the cloud builds automatically (a CodeBuild /
    CodePipeline project or a Cloud Build trigger defined as code, a function that starts a
    build)."""
    key = ("deploy.builds_triggered",)
    if key not in view.memo:
        rels = view.by_ext(".py", ".tf", ".json", ".yaml", ".yml", ".sh", ".template")
        view.memo[key] = bool(view.with_any(rels, _BUILD_TRIGGERS))
    return view.memo[key]


@prefilters(*_BUILD_TRIGGERS, *_BUILD_SECTIONS, *_BUNDLE_ML_RESOURCES, "experiments:", "models:")
def build_config_deploys(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A CodeBuild buildspec or Cloud Build config that deploys or pushes an image, when the
    repository also defines what starts it automatically (a build launched by hand is not CD)."""
    if not _builds_triggered(view):  # first: the cheaper question (needles, no YAML parse)
        return
    configs = _build_configs(view)
    for rel, cmds in configs:
        for line, text in cmds:
            if _INSTALL.match(text):
                continue
            m = _DEPLOY_CMD.search(text)
            if m:
                what = re.sub(r"\s+", " ", m.group(1).strip())
                if what.startswith("databricks") and not _bundle_is_ml(view):
                    continue
                yield Hit(rel, line, f"build config runs {what}")
                break
            script = _python_script(view, text, "")
            call = _script_deploys(view, script) if script else None
            if call:
                yield Hit(rel, line, f"build config runs {script}, which calls {call}")
                break


_CODEPIPELINE_CALLS = ("aws_cdk.aws_codepipeline.Pipeline", "aws_cdk.pipelines.CodePipeline", "aws_cdk.pipelines.CodeBuildStep",
                       "aws_cdk.pipelines.ShellStep")
_PIPELINE_DEPLOY_TEXT = lazy_re(r"(?:sam|cdk|serverless|sls|copilot)\s+(?:\S+\s+){0,3}deploy\b|CloudFormationCreateUpdateStackAction|"
                                   r"CloudFormationCreateReplaceChangeSetAction|EcsDeployAction|CodeDeploy\w*DeployAction|"
                                   r"ElasticBeanstalkDeployAction|\.add_stage\(|addStage\(|kubectl\s+apply|helm\s+upgrade")


def pipeline_as_code_deploys(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """An AWS CodePipeline defined with the CDK whose stages deploy (cdk/sam deploy, a
    CloudFormation / ECS / CodeDeploy deploy action, a CDK Pipelines stage)."""
    for rel in python_files(view, det, frozenset({"aws_cdk"}), notebooks=False, tails=("Pipeline", "ShellStep", "CodeBuildStep")):
        text = view.text(rel) or ""
        if not _PIPELINE_DEPLOY_TEXT.search(text):
            continue
        facts = view.python(rel)
        if facts is None:
            continue
        for call in matching_calls(facts, _CODEPIPELINE_CALLS):
            yield Hit(rel, call.line, f"defines a CodePipeline that deploys: calls {call.name}")
            break


# -- deploy.container ------------------------------------------------------------------------

# A CI system's own folder holds the image its jobs run in (a runner with the project's test
# requirements and a deploy CLI), not a component of the ML system; a Gitpod workspace image is
# a development environment like a devcontainer.
_NOT_ML_DIR = lazy_re(r"(^|/)(\.?devcontainers?|\.gitpod|docs?|documentation|site|website|\.github|\.gitlab|\.circleci|\.buildkite|"
                      r"\.azure(-?pipelines|devops)?|\.jenkins)(/|$)", re.I)
_DOCS_TOOLS = lazy_re(r"\b(mkdocs|sphinx|jekyll|hugo|docusaurus|mdbook|gitbook)\b", re.I)
_WEB_ONLY_BASES = lazy_re(r"^(--platform=\S+\s+)?(node|nginx|httpd|caddy|nginxinc/\S+|golang|rust|php|ruby|"
                             r"postgres|mysql|mariadb|redis|mongo|rabbitmq|alpine/git|traefik|haproxy)(:|\s|@|$)", re.I)
# Jupyter's Docker Stacks images (jupyter/datascience-notebook, quay.io/jupyter/pyspark-notebook)
# start a notebook server unless the Dockerfile runs something else.
_NOTEBOOK_BASES = lazy_re(r"^(--platform=\S+\s+)?(docker\.io/|quay\.io/)?(jupyter|jupyterhub)/\S+", re.I)
_NOTEBOOK_SERVER = lazy_re(r"\b(jupyter|start-notebook|start-singleuser|jupyterhub|jupyterlab)\b", re.I)
_ML_HINT = lazy_re(r"\b(python|pip3?|conda|mamba|micromamba|poetry|uv|torch|tensorflow|mlflow|bentoml|uvicorn|gunicorn|"
                      r"jupyter|triton|torchserve|sklearn|scikit|onnx|cuda|airflow|prefect|dagster|ray|grafana|prometheus|"
                      r"evidently|spark|R\b|Rscript)", re.I)


def dockerfile_is_ml(view: RepoView, rel: str) -> bool:
    """A Dockerfile of the ML system (training, serving, pipeline, monitoring): not a
    devcontainer, not a docs site, not a web front end without Python."""
    # A Gitpod workspace image (.gitpod.Dockerfile) is a developer's environment, like a devcontainer.
    if _NOT_ML_DIR.search(_dir(rel) + "/") or re.search(r"(?i)devcontainer|gitpod|(^|[./_-])docs?([./_-]|$)", rel.rsplit("/", 1)[-1]):
        return False
    instrs = view.dockerfiles().get(rel)
    if instrs is None:
        return view.exists(rel)
    text = view.text(rel) or ""
    if _DOCS_TOOLS.search(text) and not re.search(r"\b(torch|tensorflow|sklearn|mlflow|uvicorn|model)\b", text, re.I):
        return False
    froms = [i.args for i in instrs if i.keyword == "FROM"]
    if froms and all(_WEB_ONLY_BASES.match(f) for f in froms) and not _ML_HINT.search(text):
        return False
    if froms and all(_NOTEBOOK_BASES.match(f) for f in froms) and all(
            _NOTEBOOK_SERVER.search(i.args) for i in instrs if i.keyword in ("CMD", "ENTRYPOINT")):
        return False  # a Jupyter image starting its notebook server: a workspace, like a devcontainer
    return bool(instrs)


def ml_container(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A Dockerfile / Containerfile of an ML component (see `dockerfile_is_ml`)."""
    allowed = set(paths(view, det)) if (det.files or det.exclude) else None
    for rel, instrs in sorted(view.dockerfiles().items()):
        if (allowed is not None and rel not in allowed) or (det.tests == "exclude" and view.is_test(rel)):
            continue
        if not instrs or not dockerfile_is_ml(view, rel):
            continue
        line = next((i.line for i in instrs if i.keyword == "FROM"), instrs[0].line)
        yield Hit(rel, line, f"containerizes a component: {rel.rsplit('/', 1)[-1]}")


_ML_IMAGES = lazy_re(r"(?i)(mlflow|tritonserver|tensorflow/serving|torchserve|pytorch|tensorflow|seldon|bentoml|kserve|"
                        r"airflow|prefect|dagster|grafana|prometheus|evidently|ray|jupyter|huggingface|vllm|"
                        r"text-generation-inference|ollama|sagemaker|azureml|nvidia/cuda|nvcr\.io|label-studio|feast|"
                        r"mlserver|kubeflow|zenml|clearml|wandb|minio)")


# Stock images of platform services: an experiment-tracking server, an object store, a notebook
# or labelling server. Running one (mlflow server, minio) containerizes no training, serving,
# pipeline or monitoring component — unless its command serves a model (mlflow models serve).
_PLATFORM_IMAGES = lazy_re(r"(?i)(mlflow|minio|jupyter|label-studio|wandb|clearml)")
_SERVE_COMMAND = lazy_re(r"(?i)(?<![\w-])serve(?![\w-])")  # mlflow models serve, not --serve-artifacts


def _serves_model(svc: Any) -> bool:
    cmd = " ".join(
        " ".join(str(x) for x in v) if isinstance(v, list) else str(v)
        for v in (svc.get("command"), svc.get("entrypoint")) if v is not None
    )
    return _SERVE_COMMAND.search(cmd) is not None


def compose_builds_ml(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A docker-compose file with a service that builds an ML component, or runs an ML /
    pipeline / monitoring image."""
    for rel in paths(view, det):
        data = view.yaml(rel)
        services = data.get("services") if isinstance(data, dict) else None
        if not isinstance(services, dict):
            continue
        for name, svc in services.items():
            if not isinstance(svc, dict):
                continue
            build = svc.get("build")
            if build is not None:
                ctx = build if isinstance(build, str) else (build.get("context", ".") if isinstance(build, dict) else ".")
                df = build.get("dockerfile") if isinstance(build, dict) else None
                if df is None:  # Docker's default name, or its lower-case fallback
                    target = next((t for t in (_resolve(view, f"{ctx}/{name}" if isinstance(ctx, str) else name, _dir(rel))
                                               for name in ("Dockerfile", "dockerfile")) if t is not None), None)
                else:
                    target = _resolve(view, f"{ctx}/{df}" if isinstance(ctx, str) and isinstance(df, str) else "Dockerfile", _dir(rel))
                # (no Dockerfile in the repository at that path: nothing here builds the service)
                if target is not None and dockerfile_is_ml(view, target):
                    yield Hit(rel, svc.line_of("build", services.line_of(name, 1)), f"compose service {name} builds a container")
                    break
            img = svc.get("image")
            if isinstance(img, str) and _ML_IMAGES.search(img) and not re.search(r"(?i)postgres|redis|mysql|nginx", img):
                if _PLATFORM_IMAGES.search(img) and not _serves_model(svc):
                    continue  # a tracking / artifact-store / notebook server, not a component of the ML system
                yield Hit(rel, svc.line_of("image", services.line_of(name, 1)), f"compose service {name} runs {img}")
                break


# -- deploy.serving --------------------------------------------------------------------------

_WEB_ROOTS = frozenset({"fastapi", "flask", "starlette", "aiohttp", "sanic", "litestar", "tornado", "falcon", "bottle",
                        "quart", "connexion", "grpc", "fastapi_utils", "robyn", "blacksheep", "cherrypy", "pyramid",
                        "functions_framework", "azure", "chalice", "mangum"})
_DEMO_ROOTS = frozenset({"gradio", "streamlit"})
_ROUTES = ("*.get", "*.post", "*.put", "*.route", "*.api_route", "*.websocket", "*.add_url_rule", "*.add_api_route",
           "*.add_route", "*.add_post", "*.add_get", "*.router.add_*", "grpc.server", "grpc.aio.server", "*.add_*Servicer_to_server",
           "*_pb2_grpc.add_*_to_server", "tornado.web.Application", "falcon.App", "falcon.API", "bottle.route", "bottle.post",
           "functions_framework.http", "azure.functions.FunctionApp().route", "*.function_name", "chalice.Chalice().route")
_MODEL_LOADS = (
    "joblib.load", "pickle.load", "pickle.loads", "cloudpickle.load", "dill.load", "torch.load", "torch.jit.load",
    "*.load_model", "*.from_pretrained", "onnxruntime.InferenceSession", "mlflow.*.load_model", "tensorflow.saved_model.load",
    "transformers.pipeline", "xgboost.Booster", "lightgbm.Booster", "catboost.*", "ultralytics{,.models}.YOLO",
    "sentence_transformers.SentenceTransformer", "spacy.load", "fasttext.load_model", "*.load_learner", "keras.models.load_model",
    "tensorflow.keras.models.load_model", "*.restore", "*.load_state_dict", "skops.io.load", "*.load_checkpoint",
    "*.load_from_checkpoint", "*.from_config", "optimum.*", "vllm.LLM", "llama_cpp.Llama", "tritonclient.*", "ctranslate2.*",
    "torch.hub.load", "tensorflow.keras.models.load_model", "tf_keras.models.load_model", "*.load_weights",
    # the language model of an LLM application (a chat model client, hosted or local)
    *LLM_CLIENTS,
)
_PREDICT_ATTRS = frozenset({"predict", "predict_proba", "predict_on_batch", "predict_batch", "inference", "infer", "classify",
                            "predictions", "run_inference", "model_predict", "get_prediction", "get_predictions", "make_prediction",
                            "score", "transcribe", "detect", "segment", "embed", "encode_text", "forecast", "recommend",
                            "decision_function", "kneighbors"})
_PREDICT_TEXT = lazy_re(r"\.(predict\w*|inference|infer|classify|forecast|transcribe|recommend|detect|segment)\s*\(|\bload_model\b|\bfrom_pretrained\b|"
                           r"joblib\.load|pickle\.load|torch\.load|InferenceSession|\bmodel\s*\(|\bpipeline\s*\(|load_learner|YOLO\(")
# Literals one of which every _PREDICT_TEXT match contains (util.regexlit.required_literals).
_PREDICT_TEXT_NEEDLES = ("InferenceSession", "YOLO(", "classify", "forecast", "from_pretrained", "infer", "joblib.load",
                         "load_learner", "model", "pickle.load", "pipeline", "predict", "recommend", "torch.load", "transcribe",
                         "detect", "segment")
_LOADS_MODEL_NEEDLES = ("InferenceSession", "YOLO(", "from_pretrained", "joblib.load", "load_learner", "load_model",
                        "pickle.load", "saved_model.load", "torch.load")  # one is in every _LOADS_MODEL_TEXT match
# `request.app.state.detector.detect(image)`: a detection or segmentation model run by a
# method of the object holding it; a module function of that name (langdetect.detect) is none.
_DETECT_ATTRS = frozenset({"detect", "segment"})
# Words of a route module that serves a model: a recommender's routes may say only
# `recommend` / `rankers` and reach the model through the project's modules.
_MODEL_WORD = lazy_re(r"\b(models?|predictors?|predict\w*|prediction\w*|classifier|regressor|estimator|recommend\w*|rankers?)\b",
                      re.I)


_APP_RECEIVER = lazy_re(r"(?i)(^|[._])(app|router|api|bp|blueprint|server|application|routes?|svc|service|web|flask_app|api_router)$")
_CLIENT_RECEIVER = lazy_re(r"(?i)(client|session|requests|httpx|urllib\w*|http|conn|s3|bucket|redis|cache|dict|config|os\.environ)$")


def _route_line(facts: Any) -> int | None:
    for call in matching_calls(facts, _ROUTES):
        if call.attr in ("get", "post", "put", "route", "api_route", "websocket"):
            receiver = call.name.rsplit(".", 1)[0]
            if _CLIENT_RECEIVER.search(receiver) or call.name.split(".", 1)[0] in ("requests", "httpx", "aiohttp", "urllib3"):
                continue
            first = call.args[0] if call.args else call.kwarg("path", call.kwarg("rule"))
            if isinstance(first, str):
                # app.get("/x") / @router.post(...): a route path literal, not dict.get("key")
                if not first.startswith("/"):
                    continue
            elif not (call.attr == "route" or _APP_RECEIVER.search(receiver)):
                continue
        return call.line
    return None


_HOPSWORKS_ROOTS = frozenset({"hopsworks", "hsml"})
_HOPSWORKS_SERVING_CALLS = ("*.get_model_serving", "*.create_predictor")


def hopsworks_serving(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """The Hopsworks model serving API (project.get_model_serving(), ms.create_predictor(model))
    called on variables, so the module must import Hopsworks: other libraries have a
    create_predictor too (paddle.inference)."""
    for rel in python_files(view, det, _HOPSWORKS_ROOTS, tails=("get_model_serving", "create_predictor")):
        facts = view.python(rel)
        if facts is None:
            continue
        for call in matching_calls(facts, _HOPSWORKS_SERVING_CALLS):
            if call.resolved and call.name.split(".", 1)[0] not in _HOPSWORKS_ROOTS:
                continue
            yield Hit(rel, call.line, f"uses Hopsworks model serving: calls {call.name}", call.cell)
            break


# A language-model client built by an LLM application's module (see dev.LLM_CLIENTS), where
# an LLM library is imported: ChatOpenAI(...), a LlamaIndex Ollama(...), OpenAI().chat.completions.create.
_LLM_CLIENT_TEXT = lazy_re(r"\b(?:ChatOpenAI|AzureChatOpenAI|ChatAnthropic|ChatOllama|OllamaLLM|Ollama|ChatGroq|ChatMistralAI|"
                           r"ChatGoogleGenerativeAI|ChatVertexAI|ChatBedrock\w*|ChatCohere|ChatHuggingFace|OpenAI|AzureOpenAI|"
                           r"AsyncOpenAI|Anthropic|AsyncAnthropic|Groq|GenerativeModel|LLM|init_chat_model)\s*\(|"
                           r"\bollama\.(?:chat|generate)\s*\(|\blitellm\.a?completion\s*\(|\.completions\.create\s*\(|"
                           r"ChatCompletion\.create\s*\(")
_LLM_CLIENT_NEEDLES = ("Chat", "Ollama", "OpenAI", "Anthropic", "Groq", "GenerativeModel", "LLM(", "init_chat_model", "ollama.",
                       "litellm.", ".completions.create")  # one is in every _LLM_CLIENT_TEXT match


@prefilters(*_PREDICT_TEXT_NEEDLES, *_LOADS_MODEL_NEEDLES, *_LLM_CLIENT_NEEDLES)
def serving_endpoint(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A web (FastAPI, Flask, aiohttp...) or gRPC endpoint in a module that loads a model or
    calls predict. Gradio / Streamlit apps are demos, not serving."""
    for rel in python_files(view, det, _WEB_ROOTS, notebooks=False):
        mods = view.modules(rel)
        if not mods.isdisjoint(_DEMO_ROOTS):
            continue
        text = view.text(rel) or ""
        # Either regex will do; the word one first (sre scans for it faster), the other only
        # where one of its literals occurs.
        llm_only = not _MODEL_WORD.search(text) and not (view.contains_any(rel, _PREDICT_TEXT_NEEDLES) and _PREDICT_TEXT.search(text))
        if llm_only and not _builds_llm(view, text):
            continue
        facts = view.python(rel)
        if facts is None:
            continue
        line = _route_line(facts)
        if line is None and "azure" in mods and "HttpRequest" in text:  # Azure Functions HTTP trigger
            line = next((f.line for f in facts.functions if f.name == "main"), None)
        if line is None:
            continue
        signal = None
        if llm_only:
            # read only for the LLM application the repository is: its language model, here
            # or in the project's module the route calls
            signal = next(iter(matching_calls(facts, LLM_CLIENTS)), None) or _local_model_call(view, facts, _loads_model_llm)
            if signal is not None:
                yield Hit(rel, line, f"HTTP endpoint in a module that calls {signal.name}")
            continue
        for call in matching_calls(facts, _MODEL_LOADS):
            signal = call
            break
        if signal is None:
            for call in facts.calls:
                if call.attr in _DETECT_ATTRS and call.resolved and ("()" not in call.name or call.name.startswith("cv2.")):
                    continue  # langdetect.detect(text), a keypoint detector of OpenCV: no model served
                if (call.attr in _PREDICT_ATTRS or call.attr.startswith(("predict_", "infer_"))) and "." in call.name and not call.name.startswith(("re.", "np.", "json.")):
                    signal = call
                    break
                if call.name.rsplit(".", 1)[-1] in ("model", "predictor", "classifier", "net") and not call.resolved:
                    signal = call
                    break
        if signal is None:
            signal = _local_model_call(view, facts)
        if signal is None:
            continue
        kind = "gRPC" if "grpc" in mods and line == next((c.line for c in matching_calls(facts, ("grpc.server", "grpc.aio.server"))), -1) else "HTTP"
        yield Hit(rel, line, f"{kind} endpoint in a module that calls {signal.name}")


_LOADS_MODEL_TEXT = lazy_re(r"joblib\.load|pickle\.load|torch\.load|\bload_model\b|\bfrom_pretrained\b|InferenceSession|"
                               r"mlflow\.\w+\.load_model|\bYOLO\(|load_learner|saved_model\.load")


def _loads_model(view: RepoView, rel: str) -> bool:
    """Whether a module's code (not a comment: `# from x import load_model`) loads a model,
    or builds the language model of an LLM application."""
    text = view.text(rel) or ""
    if view.contains_any(rel, _LOADS_MODEL_NEEDLES) and _uncommented(text, _LOADS_MODEL_TEXT):
        return True
    return _loads_model_llm(view, rel)


def _builds_llm(view: RepoView, text: str) -> bool:
    """Whether a route module's text names a module of the repository that builds a
    language-model client (`from qa import ask` where qa.py calls ChatOllama): in an LLM
    application the route reaches its model through the project's own modules, whatever words
    the route uses. The modules are found once per scan."""
    rx = view.memo.get("llm-modules")
    if rx is None:
        stems = sorted({(rel.rsplit("/", 2)[-2] if rel.endswith("/__init__.py") else rel.rsplit("/", 1)[-1][:-3])
                        for rel in view.by_ext(".py") if not view.is_test(rel) and _loads_model_llm(view, rel)} - {"__init__", ""})
        rx = view.memo["llm-modules"] = re.compile(r"\b(" + "|".join(map(re.escape, stems)) + r")\b") if stems else False
    return bool(rx) and rx.search(text) is not None


def _loads_model_llm(view: RepoView, rel: str) -> bool:
    return (view.contains_any(rel, _LLM_CLIENT_NEEDLES) and not view.modules(rel).isdisjoint(LLM_ROOTS)
            and _uncommented(view.text(rel) or "", _LLM_CLIENT_TEXT))


def _uncommented(text: str, rx: Any) -> bool:
    for m in rx.finditer(text):
        if "#" not in text[text.rfind("\n", 0, m.start()) + 1 : m.start()]:
            return True
    return False


def _local_model_call(view: RepoView, facts, loads=None):  # noqa: ANN001,ANN202
    """A call into a module of this repository that loads a model: the route calls
    `PredictionPipeline().predict_x()` or `predict()` imported from the project's own code, or
    a service function of the project whose module calls such a model wrapper (route -> service
    -> model, two hops)."""
    loads = loads or _loads_model
    seconds = []
    for call in facts.calls:
        if not call.resolved or "." not in call.name:
            continue
        target = local_module_file(view, call.name, facts.path)
        if target is None or target == facts.path:
            continue
        if loads(view, target):
            return call
        seconds.append((call, target))
    for call, target in seconds:
        inner = view.python(target) if target.endswith(".py") else None
        if inner is None:
            continue
        for c in inner.calls:
            if not c.resolved or "." not in c.name:
                continue
            t = local_module_file(view, c.name, target)
            if t is not None and t not in (target, facts.path) and loads(view, t):
                return call
    return None


_HANDLER_DEF = lazy_re(r"^\s*def (init|model_fn|lambda_handler|handler)\s*\(", re.M)
_HANDLER_DEF_NEEDLES = ("def init", "def model_fn", "def lambda_handler", "def handler")
_HANDLER_LOADS = lazy_re(r"AZUREML_MODEL_DIR|get_model_path|joblib\.load|pickle\.load|torch\.load|load_model|from_pretrained|"
                            r"InferenceSession|model_fn|\.predict\(|onnx", re.I)


@prefilters(*_HANDLER_DEF_NEEDLES)
def scoring_handler(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """Online scoring entry points of managed endpoints: an Azure ML `init()` + `run(raw_data)`
    scoring script (not a `run(mini_batch)` batch script), a SageMaker `model_fn` +
    `predict_fn`/`input_fn`/`transform_fn` handler, or a Lambda handler that loads a model."""
    for rel in paths(view, det, ("*.py",)):
        if not view.contains_any(rel, _HANDLER_DEF_NEEDLES):  # every _HANDLER_DEF match holds one
            continue
        text = view.text(rel)
        if not text or not _HANDLER_DEF.search(text):
            continue
        if not _HANDLER_LOADS.search(text):
            continue
        tree = py_tree(view, rel)
        if tree is None:
            continue
        fns = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        if "init" in fns and "run" in fns:
            args = [a.arg for a in fns["run"].args.args]
            if args and re.search(r"(?i)mini_?batch|batch", args[0]):
                continue  # ParallelRunStep batch scoring
            if re.search(r"ParallelRunConfig|ParallelRunStep|mini_batch", text):
                continue
            yield Hit(rel, fns["run"].lineno, "Azure ML scoring script: init() and run() for an online endpoint")
        elif "model_fn" in (names := {n.name: n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}) and (
                {"predict_fn", "input_fn", "transform_fn", "output_fn"} & names.keys()):
            yield Hit(rel, names["model_fn"].lineno, "SageMaker inference handler: model_fn with predict/input/output functions")
        else:
            h = fns.get("lambda_handler") or fns.get("handler")
            if h is not None and len(h.args.args) == 2 and re.search(r"\.predict\w*\(|\bmodel\s*\(|\.infer\w*\(", text):
                yield Hit(rel, h.lineno, f"serverless handler {h.name}(event, context) that predicts")


# -- deploy.registry -------------------------------------------------------------------------


_OWN_REGISTER_DEF = ("def register_model(",)
_REGISTRY_TOOL_ROOTS = frozenset({"azureml", "azure", "comet_ml", "wandb", "clearml", "neptune", "sagemaker", "mlflow", "boto3",
                                  "google", "dagshub", "huggingface_hub"})


def _defines_register_model(view: RepoView) -> bool:
    """Does the project's own code (not tests) define a `register_model` function or method?
    Then an unresolved `<obj>.register_model(...)` most likely calls it (a class that writes model
    versions to the project's own database) when the calling file uses no registry tool; a
    wrapper around a tool (`def register_model(run): run.register_model(...)` next to `import
    azureml`) keeps its calls."""
    key = ("deploy.own_register_model",)
    if key not in view.memo:
        view.memo[key] = any(not view.is_test(rel) for rel in view.with_any(view.by_ext(".py"), _OWN_REGISTER_DEF))
    return view.memo[key]


@prefilters(".register_model(", "Model.register(", *_OWN_REGISTER_DEF)
def register_model_method(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """`<obj>.register_model(...)` (Azure ML Run, Comet, W&B...) or `Model.register(...)` with
    model arguments — not a project's own `register_model` decorator or plugin registry, nor a
    method of the project's own registry class defined in another file."""
    for rel in python_files(view, det, frozenset(), (".register_model(", "Model.register("), notebooks=True):
        facts = view.python(rel)
        if facts is None:
            continue
        own = {f.name for f in facts.functions}
        decorators = {d for fn in decorated_functions(view, rel, facts) for d, _ in fn.decorators} if rel.endswith(".py") else set()
        for call in facts.calls:
            if call.attr == "register_model" and "." in call.name and call.name not in decorators:
                root = call.name.split(".", 1)[0]
                if call.resolved and not name_matches(call.name, ("azureml.*", "comet_ml.*", "wandb.*", "clearml.*",
                                                                  "neptune.*", "sagemaker.*", "*Client().*")):
                    continue  # mlflow.register_model has its own detector; a project's own function is not a registry
                if "register_model" in own and root in ("self", "cls"):
                    continue
                if not call.resolved and not (facts.modules & _REGISTRY_TOOL_ROOTS) and _defines_register_model(view):
                    continue  # the project's own registry class, called from a file that uses no registry tool
                if not call.kwargs and not call.args:
                    continue
                if not any(k in ("model_name", "model_path", "registered_model_name", "name", "model", "model_uri",
                                 "workspace", "tags", "description", "model_framework", "path", "registry_name",
                                 "workspace_name", "version", "status", "stage")
                           for k, _ in call.kwargs) and len(call.args) < 1:
                    continue
                yield Hit(rel, call.line, f"registers a model: calls {call.name}", call.cell)
                break
            if call.attr == "register" and call.name.endswith(("Model.register", "model.Model.register")) and (
                    call.kwarg("model_path") is not None or call.kwarg("model_name") is not None):
                yield Hit(rel, call.line, f"registers a model: calls {call.name}", call.cell)
                break


_NOT_MODEL_RECEIVER = lazy_re(r"(?i)(^|[._])(ds|dataset\w*|data\w*|df|dataframe|tokenizer|processor|feature_extractor|"
                                 r"image_processor|card|results?|table|space)(\(\))?$")


# Unsloth's merged / GGUF exports push the fine-tuned model too.
_PUSH_TO_HUB = frozenset({"push_to_hub", "push_to_hub_merged", "push_to_hub_gguf"})


@prefilters("push_to_hub", "upload_folder", "upload_file", "upload_large_folder")
def model_pushed_to_hub(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A model (not a dataset, tokenizer or card) pushed to the Hugging Face Hub:
    `model.push_to_hub` (`push_to_hub_merged` / `_gguf` of Unsloth), `trainer.push_to_hub`,
    TrainingArguments(push_to_hub=True), or
    `upload_folder`/`upload_file` to a model repository."""
    for rel in python_files(view, det, frozenset(), ("push_to_hub", "upload_folder", "upload_file", "upload_large_folder")):
        facts = view.python(rel)
        if facts is None:
            continue
        for call in facts.calls:
            if call.attr in _PUSH_TO_HUB and "." in call.name:
                receiver = call.name.rsplit(".", 1)[0]
                if _NOT_MODEL_RECEIVER.search(receiver) or receiver.startswith(("datasets.", "huggingface_hub.")):
                    continue
                yield Hit(rel, call.line, f"pushes a model to the Hugging Face Hub: calls {call.name}", call.cell)
                break
            if call.kwarg("push_to_hub") is True and call.attr.endswith(("TrainingArguments", "Config", "Arguments")):
                yield Hit(rel, call.line, f"pushes the model to the Hugging Face Hub: {call.attr}(push_to_hub=True)", call.cell)
                break
            if call.attr in ("upload_folder", "upload_file", "upload_large_folder", "create_commit") and (
                    call.name.startswith("huggingface_hub.") or (not call.resolved and re.search(
                        r"(?i)(^|[._])(api|hf_?api|hub|hf|hf_hub)(\(\))?$", call.name.rsplit(".", 1)[0]))):
                rt = call.kwarg("repo_type")
                if rt in (None, "model") and not re.search(r"(?i)result|eval|log|dataset|space|doc", str(call.kwarg("repo_id", ""))):
                    if rt is None and call.kwarg("repo_id") is None and not call.args:
                        continue
                    yield Hit(rel, call.line, f"uploads a model to the Hugging Face Hub: calls {call.name}", call.cell)
                    break


def dvc_model_artifact(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A dvc.yaml `artifacts:` entry of type model (DVC model registry)."""
    for rel in paths(view, det, ("dvc.yaml", "dvc.yml")):
        data = view.yaml(rel)
        arts = data.get("artifacts") if isinstance(data, dict) else None
        if not isinstance(arts, dict):
            continue
        for name, a in arts.items():
            if isinstance(a, dict) and a.get("type") == "model":
                yield Hit(rel, arts.line_of(name, 1), f"declares model artifact {name} for the DVC model registry")
                break


# -- deploy.training_pipeline ----------------------------------------------------------------

_TRAIN_TEXT = lazy_re(
    r"(?i)(task_id|name|step_name|display_name|job_name|component|func|python_callable|script_name|script|entry_point|"
    r"command|cmd|bash_command|arguments|source_directory)\s*=\s*[\"'\[][^\n]*?(?<![a-z0-9])((re)?train(ing|er)?(?![a-z0-9])\w*|"
    r"fine[_-]?tun\w*|finetun\w*|fit\b)"
    r"|\b(TrainingStep|TuningStep|EstimatorStep|HyperDriveStep|AutoMLStep|CustomTrainingJobOp|CustomContainerTrainingJobRunOp|"
    r"AutoML\w*Training\w*Op|SageMakerTrainingOperator|SageMakerTuningOperator|Trainer|TrainingJob\w*)\s*\("
    r"|\b(def|class)\s+\w*(train|fit|finetun)\w*\b"
    r"|\b\w*train\w*\s*\(|\.fit\s*\("
)


# Names with "train" that are about data or tests, not a training step.
_NOT_TRAINING_NAME = lazy_re(r"(?i)train_test|test_train|test|train_?(data|dataset|set|split|loader|df|x|y|path|dir|file|"
                                r"features|table|query|samples|examples|ids|idx|size|images|labels)s?(?![a-z])|x_train|y_train|trainable")


# A node / operator function that trains (fit_* alone is often an encoder or scaler).
_TRAINING_DATA_NAME = lazy_re(r"(?i)train(ing)?_?(data|dataset|set|split|loader|df|samples|examples|features|inputs?|table)")
_TRAIN_FUNC = lazy_re(r"(?i)(^|[^a-z])((re)?train(ing|er)?|fine_?tun\w*|finetun\w*)([^a-z]|$)|^fit(_model)?$")


# Every _TRAIN_TEXT match contains one of these, case-insensitively. `_may_train_text` tests
# ASCII lines by lowercasing (exact there); other lines go to the regex, whose Unicode case
# folding (ı, ſ, K) lowercasing does not reproduce.
_TRAIN_TEXT_NEEDLES = ("train", "fit", "fine", "tuning", "estimatorstep", "hyperdrivestep", "automlstep")


def _may_train_text(line: str) -> bool:
    if not line.isascii():
        return True
    low = line.lower()
    return any(map(low.__contains__, _TRAIN_TEXT_NEEDLES))


def _training_orchestrator_files(view: RepoView, det: DetectorSpec) -> list[str]:
    """Orchestrator files that may name training at all (`_may_train_text` on the whole file): the
    others are not parsed for this check."""
    return selected(view, det, "may-train",
                    lambda: [r for r in orchestrator_files(view, det) if _may_train_text(view.text(r) or "")])


def _step_importing_orchestrator_files(view: RepoView, det: DetectorSpec) -> list[str]:
    """The orchestrator files `orchestrated_training` parses: those that may name training, and
    those importing names from a module of the repository (a pipeline whose steps live in
    their own modules, whose bodies are then read)."""
    def build() -> list[str]:
        may_train = set(_training_orchestrator_files(view, det))
        return [r for r in orchestrator_files(view, det) if r in may_train or _imports_local_names(view, r)]
    return selected(view, det, "may-train-or-steps", build)


def _imports_local_names(view: RepoView, rel: str) -> bool:
    """A `from X import name` whose module X is another file of the repository that may train
    (it contains a training method call: `.fit(`, `.train(`, ...), not an orchestrator's own
    package. Checked on the text: a pipeline importing only its data steps, or its steps
    through a package's `__init__`, is not parsed for this."""
    for m in _FROM_IMPORT.finditer(view.text(rel) or ""):
        if m.group(1).split(".", 1)[0] in ORCHESTRATOR_ROOTS:
            continue
        target = local_module_file(view, m.group(1), rel)
        if target not in (None, rel) and view.contains_any(target, _STEP_TRAIN_NEEDLES):
            return True
    return False


_FROM_IMPORT = lazy_re(r"^[ \t]*from[ \t]+([A-Za-z_][\w.]*)[ \t]+import\b", re.M)
# Text a step module contains when its body may call a training method (`training_signal`).
_STEP_TRAIN_NEEDLES = (".fit(", ".train(", ".fit_generator(", "train_on_batch(", ".backward(", "partial_fit(",
                       ".learn(", "train_model(")


@prefilters(*_STEP_TRAIN_NEEDLES)
@parses(_step_importing_orchestrator_files)
def orchestrated_training(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A pipeline / DAG / flow definition of an orchestrator that includes a training step: one
    its text names (a decorated train function, a training operator, a node running a fit), or
    a step imported from another module of the repository whose body trains."""
    may_train = set(_training_orchestrator_files(view, det))
    for of in orchestrated_files(view, det, _step_importing_orchestrator_files(view, det)):
        found = _named_training_step(view, of) if of.rel in may_train else None
        if found is None:
            found = _imported_training_step(view, of)
        if found:
            yield Hit(of.rel, of.line, f"defines a {of.framework} that includes training (line {found[0]})")


def _named_training_step(view: RepoView, of: OrchestratedFile) -> tuple[int, str] | None:
    """(line, name) of a training step the pipeline file names: a decorated function named for
    training, a line calling or configuring one, a node / operator given a training function."""
    for fn in decorated_functions(view, of.rel, of.facts):
        if TRAIN_NAME.search(fn.name) and fn.decorators and not _NOT_TRAINING_NAME.search(fn.name):
            return fn.line, fn.name
    for i, line in _code_lines(view, of.rel):
        if not _may_train_text(line):
            continue
        m = next((m for m in _TRAIN_TEXT.finditer(line)
                  if not _NOT_TRAINING_NAME.search(m.group(0)) and not _TRAINING_DATA_NAME.search(m.group(0))), None)
        if m:
            return i, line.strip()[:60]
    return next(((line, name) for line, name in callable_refs(view, of.rel)
                 if _TRAIN_FUNC.search(name) and not _NOT_TRAINING_NAME.search(name)
                 and not _TRAINING_DATA_NAME.search(name)), None)


def _imported_training_step(view: RepoView, of: OrchestratedFile) -> tuple[int, str] | None:
    """A pipeline calls a step defined in another module of the repository whose body trains
    (`from steps.estimator import build_estimator`, then `build_estimator(df)` in a ZenML
    pipeline, where that @step fits a model): the step's name need not say "train" for the
    pipeline to include training. The function must carry an orchestrator task decorator there
    (a plain helper is not a step of the pipeline), and the training call must be in its own
    body (a scaler or encoder fitted in a preparation step is not training)."""
    seen: set[str] = set()
    for call, parts in task_calls(of):
        # A call into an orchestrator's own package (`kfp.dsl...` in a repository that holds
        # the SDK's source) is the library, not a step of the project.
        if parts[0] in ORCHESTRATOR_ROOTS or ".".join(parts) in seen:
            continue
        seen.add(".".join(parts))
        task = imported_task(view, of, ".".join(parts[:-1]), parts[-1], _STEP_TRAIN_NEEDLES)
        if task is None:
            continue
        _, d, facts = task
        start, end = d.node.lineno, getattr(d.node, "end_lineno", None) or d.node.lineno
        body = replace(facts, calls=[c for c in facts.calls if c.cell is None and start <= c.line <= end])
        if training_signal(body, model_classes=False) is not None:
            return call.line, d.name
    return None


# Keywords that make a `.deploy(...)` a SageMaker (initial_instance_count) or Vertex AI
# (machine_type) endpoint deployment, as the deploy.serving detectors read them.
_ENDPOINT_DEPLOY_KWARGS = frozenset({"initial_instance_count", "machine_type"})


def _endpoint_deploy_files(view: RepoView, det: DetectorSpec) -> list[str]:
    """Orchestrator files that name an endpoint deployment keyword: only they can deploy one,
    so the many pipeline files of a pipeline-heavy project are not parsed for this check."""
    return selected(view, det, "endpoint-deploy", lambda: view.with_any(orchestrator_files(view, det), _ENDPOINT_DEPLOY_KWARGS))


@prefilters(*sorted(_ENDPOINT_DEPLOY_KWARGS))
@parses(_endpoint_deploy_files)
def orchestrated_pipeline_deploys(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A pipeline / DAG / flow definition of an orchestrator whose steps deploy the model to an
    endpoint (a Metaflow @step or an Airflow @task calling model.deploy): every run ends in a
    deployment, with no one deploying by hand. A driver script that starts a pipeline and then
    deploys at module level is a manual step, not a pipeline step."""
    for of in orchestrated_files(view, det, _endpoint_deploy_files(view, det)):
        calls = [c for c in of.facts.calls if c.name.rsplit(".", 1)[-1] == "deploy"
                 and any(k in _ENDPOINT_DEPLOY_KWARGS for k, _ in c.kwargs)]
        if not calls:
            continue
        steps = [(fn.node.lineno, getattr(fn.node, "end_lineno", None) or fn.node.lineno)
                 for fn in decorated_functions(view, of.rel, of.facts)]
        call = next((c for c in calls if any(a <= c.line <= b for a, b in steps)), None)
        if call is not None:
            yield Hit(of.rel, call.line, f"a {of.framework} step deploys a model endpoint: calls {call.name}")


def _code_lines(view: RepoView, rel: str) -> list[tuple[int, str]]:
    out = []
    for i, line in enumerate(view.lines(rel), start=1):
        s = line.strip()
        if s and not s.startswith(("#", "import ", "from ")):
            out.append((i, line))
    return out


def dvc_train_stage(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    allowed = set(paths(view, det, ("dvc.yaml", "dvc.yml")))
    for st in dvc_train_stages(view):
        if st.path in allowed:
            yield Hit(st.path, st.line, f"dvc.yaml stage {st.name} trains")
            break


_SPACY_TRAIN = lazy_re(r"\b(?:python3?\s+-m\s+)?spacy\s+(?:train|pretrain)\b|\bweasel\s+run\s+train\b")


@prefilters("workflows:")
def project_workflow_trains(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A spaCy / Weasel project.yml workflow that runs a training command (`spacy train` or a
    training script): the project's pipeline, re-run step by step when inputs change, includes
    training. A command no workflow runs is only a shortcut."""
    allowed = set(paths(view, det, ("project.yml", "project.yaml")))
    for cmd in project_commands(view):
        if cmd.path not in allowed or not cmd.workflows:
            continue
        line = next((ln for ln, t in cmd.scripts if _SPACY_TRAIN.search(t) or (_CI_TRAIN.search(t) and not _SMOKE.search(t))), None)
        if line is not None:
            yield Hit(cmd.path, line or cmd.line, f"project workflow {cmd.workflows[0]} runs training command {cmd.name}")
            return


_CI_TRAIN = lazy_re(
    r"(?:^|[\s;&|(])(?:(?:python3?|py|accelerate\s+launch|torchrun|deepspeed|horovodrun|composer|lightning\s+run\s+model|"
    r"(?:poetry|uv|pipenv|pdm|hatch|conda)\s+run(?:\s+-n\s+\S+)?(?:\s+python3?)?|Rscript)\s+(?:-[\w-]+(?:[ =]\S+)?\s+)*(?:-m\s+)?"
    r"[\w./-]*?(?:\b((?:re)?train\w*|finetun\w*|fine_tun\w*|fit_model\w*)(?:\.py|\.R)?\b"
    # run_training.py, run_enhanced_training.py, start_finetune.py: a script named for launching
    # training (the word ends its name; prepare_train_data.py, test_training.py and
    # eval_after_training.py stay out)
    r"|(?<![\w-])(?!(?:tests?|eval\w*|validat\w*|check|plot|analy[sz]e|prepare|prep|clean|monitor)_)\w+_"
    r"(?:(?:re)?train(?:ing)?|finetun(?:e|ing)|fine_tun(?:e|ing))(?:\.py)?(?![\w.-]))"
    r"|dvc\s+(?:repro|exp\s+run)\b|mlflow\s+run\b|make\s+(?:train\w*|model|pipeline)\b|"
    r"az\s+ml\s+(?:job\s+create|run\s+submit-\w+|pipeline\s+run)\b|gcloud\s+(?:beta\s+)?ai(?:-platform)?\s+(?:custom-jobs\s+create|jobs\s+submit\s+training)\b|"
    r"sky\s+(?:launch|jobs\s+launch)\b|kedro\s+run\b|zenml\s+pipeline\s+run\b)"
)
# Literals every _CI_TRAIN match contains (util.regexlit.required_literals, spelled out): a CI
# line with none of them cannot train, whatever the other tests say.
_CI_TRAIN_NEEDLES = ("create", "custom-jobs", "dvc", "fine_tun", "finetun", "fit_model", "kedro", "launch", "mlflow",
                     "model", "pipeline", "submit-", "train", "training")
_SMOKE = lazy_re(r"(?i)fast_dev_run|dry[-_]?run|smoke|--debug\b|debug=|--max[_-]?(steps|epochs|iters?)[= ]+[0-9]{1,2}\b|"
                    r"max_epochs=[12]\b|--(num[_-]?)?epochs[= ]+[12]\b|--(n[_-]?)?(steps|iters?|iterations)[= ]+[0-9]{1,2}\b|pytest")


def _continued(view: RepoView, rel: str, line: int, text: str) -> str:
    """A shell command with the lines it continues onto (a trailing backslash), from the CI
    file; the command's own text when it does not continue."""
    if not text.rstrip().endswith("\\"):
        return text
    lines = view.lines(rel)
    out, n = [], line
    while 0 < n <= len(lines) and len(out) < 40:
        out.append(lines[n - 1])
        if not lines[n - 1].rstrip().endswith("\\"):
            break
        n += 1
    return " ".join(out)


_DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Pass)


def _module_runs_nothing(view: RepoView, rel: str) -> bool:
    """A Python module whose top level only imports, defines functions or classes and binds
    values computed without a call: running it (`python -m src.retrain`) defines its
    functions and stops, so nothing is trained. A `__main__` guard, a top-level call, a loop or
    a `try` counts as running something; a file that does not parse is given the benefit."""
    tree = py_tree(view, rel)
    if tree is None:
        return False
    for node in tree.body:
        if isinstance(node, _DEFINITIONS):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # docstring
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and not any(
                isinstance(n, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom)) for n in ast.walk(node.value)):
            continue
        if isinstance(node, ast.AnnAssign) and node.value is None:
            continue
        return False
    return True


# A function called for scoring, evaluating, reporting or serving, not for training.
_NOT_TRAINING_ENTRY = lazy_re(r"(?i)predict|score|scoring|infer|evaluat|eval_|report|plot|serve|monitor|test|validat|check|"
                              r"download|fetch|load|export|publish|notify|summar")


def _script_trains_through_project(view: RepoView, rel: str) -> str | None:
    """A script CI runs (`python scripts/run_scheduled.py`) whose name says nothing, which fits a
    model itself or calls a function of a project module that does, directly or through one
    more project module (run_cycle -> train -> .fit): the name of that call. A model class
    alone is no sign (scoring code defines it to load the weights), nor a call named for
    scoring, evaluating or loading."""
    key = ("deploy.script_trains", rel)
    if key in view.memo:
        return view.memo[key]
    found: str | None = None
    facts = view.python(rel) if rel.endswith(".py") else None
    if facts is not None and not facts.notebook_export and not view.is_test(rel) and not _module_runs_nothing(view, rel):
        sig = training_signal(facts, model_classes=False)
        if sig is not None:
            found = sig[1].removeprefix("calls ")
        else:
            found = _project_call_trains(view, rel, facts, depth=2)
    view.memo[key] = found
    return found


def _project_call_trains(view: RepoView, rel: str, facts: Any, depth: int) -> str | None:
    seen: set[str] = {rel}
    for call in facts.calls:
        if not call.resolved or "." not in call.name or _NOT_TRAINING_ENTRY.search(call.name.rsplit(".", 1)[-1]):
            continue
        target = _project_module_file(view, call.name)
        if target is None or target in seen or view.is_test(target):
            continue
        seen.add(target)
        tf = view.python(target)
        if tf is None or tf.notebook_export:
            continue
        if training_signal(tf, model_classes=False) is not None:
            return call.name
        if depth > 1 and _project_call_trains(view, target, tf, depth - 1):
            return call.name
    return None


_INPUT_REF = lazy_re(r"\$\{\{\s*(?:github\.event\.)?inputs\.([\w-]+)\s*\}\}")


def _input_defaults(pipe: CiPipeline) -> dict[str, str]:
    """The default of each input a GitHub workflow declares (workflow_dispatch / workflow_call)."""
    raw = pipe.raw if isinstance(pipe.raw, dict) else {}
    on = raw.get("on", raw.get(True))
    out: dict[str, str] = {}
    if not isinstance(on, dict):
        return out
    for trigger in ("workflow_dispatch", "workflow_call"):
        inputs = on.get(trigger).get("inputs") if isinstance(on.get(trigger), dict) else None
        if isinstance(inputs, dict):
            out.update({str(k): str(v["default"]) for k, v in inputs.items()
                        if isinstance(v, dict) and isinstance(v.get("default"), str)})
    return out


def _reusable_call_trains(view: RepoView, pipe: CiPipeline) -> tuple[int, str] | None:
    """A job that calls another repository's reusable workflow (an organisation's shared
    training pipeline) and hands it the training command: an input whose value, or the default
    of the workflow input it forwards (`${{ inputs.entrypoint }}`), runs a training script."""
    if pipe.system != "github":
        return None
    defaults: dict[str, str] | None = None
    for job in pipe.jobs:
        for st in job.steps:
            if st.name or not st.uses or not _REMOTE_WORKFLOW.match(st.uses):
                continue
            for key, value in st.with_.items():
                if not isinstance(value, str):
                    continue
                ref = _INPUT_REF.fullmatch(value.strip())
                if ref:
                    defaults = _input_defaults(pipe) if defaults is None else defaults
                    value = defaults.get(ref.group(1), "")
                m = _CI_TRAIN.search(value)
                if m is None or _SMOKE.search(value):
                    continue
                script = _python_script(view, m.group(0), "") if "python" in m.group(0) else None
                if script is not None and _module_runs_nothing(view, script):
                    continue
                return st.line, f"{key}: {value.strip()[:60]}"
    return None


# A notebook executed by a CI command: `ipython nb.ipynb`, `papermill nb.ipynb out.ipynb`,
# `jupyter execute nb.ipynb`, `jupyter nbconvert --execute nb.ipynb` (without --execute,
# nbconvert only converts).
_NB_RUN = lazy_re(r"(?:^|[\s;&|(])(ipython3?|papermill|runipy|jupyter[\s-]+(?:execute|run|nbconvert)|nbconvert)\b"
                  r"[^;&|\n]*?((?:\./)?[\w./-]+\.ipynb)\b")


def _ci_notebook(view: RepoView, cl: CiLine) -> str | None:
    """The notebook of the repository a CI command executes as a step of its own; one run as a
    test or a smoke run, or converted without being executed, is None."""
    m = _NB_RUN.search(cl.text)
    if m is None or ("nbconvert" in m.group(1) and "--execute" not in cl.text):
        return None
    if _INSTALL.match(cl.text) or _SMOKE.search(cl.text) or (cl.via and view.is_test(cl.via)) \
            or _CHECK_STEP_NAME.search(cl.step) or _CHECK_STEP_NAME.search(cl.job):
        return None
    rel = _resolve(view, m.group(2), _dir(cl.via) if cl.via else "")
    return None if rel is None or view.is_test(rel) else rel


def _ci_notebook_trains(view: RepoView, cl: CiLine) -> tuple[str, str] | None:
    """(notebook, training call) when a CI command executes a notebook of the repository that
    fits a model itself or through the project's modules."""
    rel = _ci_notebook(view, cl)
    if rel is None:
        return None
    facts = view.python(rel)
    if facts is None:
        return None
    sig = training_signal(facts, model_classes=False)
    called = sig[1].removeprefix("calls ") if sig is not None else _project_call_trains(view, rel, facts, depth=2)
    return (rel, called) if called else None


def ci_job_trains(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A CI pipeline job that trains a model (a training script, dvc repro, mlflow run, a
    cloud training job), directly or through a script or job config it runs — not a smoke
    test of the training code, nor a Python module that only defines functions and so runs
    nothing when CI starts it."""
    for pipe, _t in effective_pipelines(view):
        for cl in ci_lines(view, pipe):
            if ".ipynb" in cl.text:
                nb = _ci_notebook_trains(view, cl)
                if nb is not None:
                    yield Hit(pipe.path, cl.line, _msg("CI job trains:", cl, f"runs {nb[0]}, which calls {nb[1]}"))
                    break
            if not any(map(cl.text.__contains__, _CI_TRAIN_NEEDLES)):
                if "python" in cl.text and not _INSTALL.match(cl.text) and not _SMOKE.search(cl.text) \
                        and not (cl.via and view.is_test(cl.via)) and not _CHECK_STEP_NAME.search(cl.step) \
                        and not _CHECK_STEP_NAME.search(cl.job):
                    script = _python_script(view, cl.text, _dir(cl.via) if cl.via else "")
                    called = _script_trains_through_project(view, script) if script else None
                    if called:
                        yield Hit(pipe.path, cl.line, _msg("CI job trains:", cl, f"{script}, which calls {called}"))
                        break
                continue
            if _INSTALL.match(cl.text) or _SMOKE.search(cl.text) or (cl.via and view.is_test(cl.via)):
                continue
            if _CHECK_STEP_NAME.search(cl.step) or (_CHECK_STEP_NAME.search(cl.job) and not _TRAIN_FUNC.search(cl.job)):
                continue  # training run as a test of the code, in a step or job named for tests (not `test_and_train`)
            m = _CI_TRAIN.search(cl.text)
            if m and not cl.via and _SMOKE.search(_continued(view, pipe.path, cl.line, cl.text)):
                continue  # the smoke flags on the command's continuation lines (`train.py \`, `--dry-run`)
            if m:
                if m.group(0).strip().startswith("dvc") and not any(True for _ in dvc_train_stages(view)) and view.by_name("dvc.yaml"):
                    continue
                script = _python_script(view, m.group(0), _dir(cl.via) if cl.via else "") if "python" in m.group(0) else None
                if script is not None and _module_runs_nothing(view, script):
                    continue
                yield Hit(pipe.path, cl.line, _msg("CI job trains:", cl, re.sub(r"\s+", " ", m.group(0).strip())))
                break
        else:
            call = _reusable_call_trains(view, pipe)
            if call:
                yield Hit(pipe.path, call[0], f"CI job hands a shared pipeline its training command ({call[1]})")


# -- deploy.iac ------------------------------------------------------------------------------

_K8S_API = lazy_re(r"^apiVersion:\s*[\"']?([\w./-]+)", re.M)
_K8S_KIND = lazy_re(r"^kind:\s*[\"']?(\w+)", re.M)
_NOT_INFRA_API = lazy_re(r"^(backstage\.io|kind\.x-k8s\.io|skaffold)", re.I)
_NOT_INFRA_KIND = frozenset({"Config", "Component", "Template", "System", "API", "Resource", "Group", "User", "Domain",
                             "Location"})


# `helm upgrade --install REL CHART -f values.yaml` / `helm install ... --values=x.yaml`: the
# values file named by the command (the first one).
_HELM_DEPLOY = lazy_re(r"\bhelm(?:3)?\s+(?:upgrade\s+(?:[^\n]*?\s)?(?:--install|-i)\b|install\b)[^\n]*?\s(?:-f|--values)(?:\s+|=)[\"']?([\w.${}/-]+)")
# A file written by a redirection from a template in the repository (`envsubst < tpl > out`).
_RENDERED_FROM = lazy_re(r"<\s*[\"']?([\w./-]+)[\"']?\s*>\s*[\"']?([\w./${}-]+)")


def _helm_values_file(view: RepoView, rel: str, text: str, values: str) -> str | None:
    """The repository file a `helm ... -f VALUES` command of `rel` deploys: VALUES itself
    (from the root or the script's folder), or the template a line of the same script renders
    it from (`envsubst < values_template.yaml > values_generated.yaml`)."""
    folder = rel.rsplit("/", 1)[0] + "/" if "/" in rel else ""
    for cand in (values, folder + values):
        cand = norm_path(cand)
        if cand.endswith((".yaml", ".yml")) and view.exists(cand):
            return cand
    for m in _RENDERED_FROM.finditer(text):
        if m.group(2) == values:
            for cand in (m.group(1), folder + m.group(1)):
                cand = norm_path(cand)
                if cand.endswith((".yaml", ".yml")) and view.exists(cand):
                    return cand
    return None


@prefilters("helm")
def helm_release_values(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A script, Makefile or CI job deploys a Helm release with a values file kept in the
    repository (`helm upgrade --install dagster dagster/dagster -f values.yaml`): the release's
    configuration is code, even when the chart is a published one. A `helm install` of a
    published chart with its defaults, or with a values file the repository does not hold,
    declares nothing."""
    for rel in view.with_any(paths(view, det, ("*.sh", "*.bash", "Makefile", "makefile", "*.mk", "justfile")), ("helm",)):
        text = view.text(rel) or ""
        # continuation lines joined, offsets kept (a backslash-newline is two characters)
        for m in _HELM_DEPLOY.finditer(text.replace("\\\n", "  ")):
            values = _helm_values_file(view, rel, text, m.group(1))
            if values:
                yield Hit(rel, line_of_offset(text, m.start()), f"deploys a Helm release with {values}")
                break
    for pipe in view.ci():
        for cmd in pipe.commands:
            if "helm" not in cmd.text:
                continue
            m = _HELM_DEPLOY.search(_continued(view, pipe.path, cmd.line, cmd.text))
            values = _helm_values_file(view, pipe.path, "", m.group(1)) if m else None
            if values:
                yield Hit(pipe.path, cmd.line, f"deploys a Helm release with {values}")
                break


@prefilters("apiVersion")
def kubernetes_manifest(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A Kubernetes manifest (or Helm template): top-level `apiVersion:` and `kind:`."""
    for rel in view.with_any(paths(view, det), ("apiVersion",)):
        text = view.text(rel)
        if not text or "kind" not in text:
            continue
        api = _K8S_API.search(text)
        kind = _K8S_KIND.search(text)
        if not api or not kind or _NOT_INFRA_API.match(api.group(1)) or kind.group(1) in _NOT_INFRA_KIND:
            continue
        yield Hit(rel, text.count("\n", 0, kind.start()) + 1, f"Kubernetes manifest: {kind.group(1)} ({api.group(1)})")


# -- deploy.model_gate -----------------------------------------------------------------------

# A model metric in a name: the longer words anywhere (`valloss`, `best_score`), the short
# abbreviations only as a word of their own (`val_acc`, `acc1`, `roc_auc`), so that
# `accelerator`, `process`, `lower`, `apply`, `previous`, `indices` are not metrics.
_METRIC_NAME = lazy_re(r"(?i)(accuracy|precision|recall|rmse|mape|loss|score|metric|bleu|rouge|perplexity|ndcg|logloss|"
                          r"auroc|auprc|miou|error|performance|quality|"
                          r"(?<![a-z])(?:acc|f1|auc|roc|mse|mae|r2|map|ppl|wer|cer|iou|dice)(?![a-z]))")
_THRESHOLD_NAME = lazy_re(r"(?i)(threshold|thresh|min_|max_|minimum|maximum|baseline|champion|production|prod|current|"
                             r"deployed|target|expected|acceptable|required|cutoff|tolerance|limit|benchmark|reference|"
                             r"registered|incumbent|live|existing|latest|previous|old|golden|gate)")
# What a call that promotes, registers, deploys or stops the pipeline is named for.
_PROMOTE_WORDS = (r"register|transition|promot|deploy|alias|set_tag|tag_model|publish|push_to_hub|release|link_model|link_artifact|"
                  r"update_model|create_model_version|approve|cancel|fail")
_PROMOTE_CALL = lazy_re(r"(?i)(" + _PROMOTE_WORDS + r"|"
                        # put_model_in_production(), move_to_prod(): a stage change by the project's own helper
                        r"(^|_)(in|to|into)_prod(uction)?($|_))")
_FLAG_NAME = lazy_re(r"(?i)(deploy|promot|register|approv|pass|bless|gate|accept|is_better|better|should_|can_|go_live|ok\b)")
# `should_retrain = True` on drift or decaying accuracy decides to retrain, not to promote.
_RETRAIN_FLAG = lazy_re(r"(?i)re_?train|re_?fit")
_GATE_FILE = lazy_re(r"(?i)(eval|validat|gate|promot|compar|check|register|deploy|champion|quality|approve|bless)")


def _names(node: ast.AST) -> str:
    out = []
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            out.append(n.id)
        elif isinstance(n, ast.Attribute):
            out.append(n.attr)
        elif isinstance(n, ast.Constant) and isinstance(n.value, str):
            out.append(n.value)
    return " ".join(out)


# A decision recorded as a value (decision="keep_champion", verdict = "reject") that the caller
# acts on, the way a deploy flag is.
_DECISION_KEY = lazy_re(r"(?i)^_?(decision|verdict|promotion_decision|deploy_decision)$")
_DECISION_VALUE = lazy_re(r"(?i)promot|deploy|reject|keep[_ -]?(champion|current|production)|block|approve")


def _decision_value(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and _DECISION_VALUE.search(node.value) is not None


def _blocks(body: list[ast.stmt]) -> str | None:
    """What a branch does that blocks or drives promotion: raise, exit, cancel, fail, a
    register/deploy/promote call, or setting a deploy/promote flag."""
    for stmt in body:
        for n in ast.walk(stmt):
            if isinstance(n, ast.Raise):
                return "raises"
            if isinstance(n, ast.Call):
                name = dotted(n.func) or ""
                if re.search(r"(^|\.)(exit|_exit|abort)$", name) or name in ("sys.exit", "exit", "quit", "os._exit"):
                    return f"calls {name}"
                last = name.rsplit(".", 1)[-1]
                if _PROMOTE_CALL.search(last) and last not in ("print", "info", "warning", "log"):
                    return f"calls {name}"
            if isinstance(n, ast.Assign):
                for t in n.targets:
                    tn = dotted(t) or (t.slice.value if isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant) and isinstance(t.slice.value, str) else "")
                    if isinstance(tn, str) and _FLAG_NAME.search(tn) and not _RETRAIN_FLAG.search(tn):
                        return f"sets {tn}"
                    if isinstance(tn, str) and _DECISION_KEY.search(tn.rsplit(".", 1)[-1]) and _decision_value(n.value):
                        return f"sets {tn} to {n.value.value!r}"
            if isinstance(n, ast.keyword) and n.arg and _DECISION_KEY.search(n.arg) and _decision_value(n.value):
                return f"sets {n.arg} to {n.value.value!r}"
            if isinstance(n, ast.Return) and isinstance(n.value, ast.Constant) and n.value.value is False:
                return "returns False"
    return None


# What a function returning a verdict on the model is called (validate_model, is_better,
# passes_thresholds, should_deploy ...): its `return False` refuses the model.
_VERDICT_FN = lazy_re(r"(?i)gate|valid|accept|approv|pass|meets?|good|better|worse|ready|promot|deploy|regist|release|quality|"
                      r"check|verif|eval|compar|champ|chall|wins?(?![a-z])|threshold|should|bless|sanity|healthy|ok$")


def _verdict_action(tree: ast.Module, node: ast.stmt, action: str | None) -> str | None:
    """`action`, unless it is only `return False` in a function that is no verdict on the model:
    a library helper deciding whether some step is needed (needs_calibration() returning False
    when the AUROC is already near 1) compares a metric to a threshold and blocks nothing."""
    if action != "returns False":
        return action
    name = None
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) and fn.lineno <= node.lineno <= (fn.end_lineno or fn.lineno):
            if name is None or fn.lineno >= name[0]:
                name = (fn.lineno, fn.name)
    return action if name is None or _VERDICT_FN.search(name[1]) else None


def _early_exits_before_promotion(tree: ast.Module) -> dict[int, str]:
    """`if <test>: ... continue` (or `break`, a bare `return`) in a block whose later statements
    promote (a register / promote / deploy call): the branch skips the promotion. Line of each such
    `if` -> what it skips."""
    out: dict[int, str] = {}
    for st in ast.walk(tree):
        for attr in ("body", "orelse", "finalbody"):
            block = getattr(st, attr, None)
            if not (isinstance(block, list) and block and isinstance(block[0], ast.stmt)):
                continue
            for i, n in enumerate(block):
                if not isinstance(n, ast.If) or not n.body:
                    continue
                last = n.body[-1]
                if not (isinstance(last, (ast.Continue, ast.Break)) or (isinstance(last, ast.Return) and (
                        last.value is None or (isinstance(last.value, ast.Constant) and last.value.value in (None, False))))):
                    continue
                for later in block[i + 1:]:
                    call = next((c for c in ast.walk(later) if isinstance(c, ast.Call) and _PROMOTE_CALL.search(
                        (dotted(c.func) or "").rsplit(".", 1)[-1]) and (dotted(c.func) or "").rsplit(".", 1)[-1] not in (
                        "print", "info", "warning", "log")), None)
                    if call is not None:
                        out[n.lineno] = f"skips {dotted(call.func)}"
                        break
    return out


def _test_names(test: ast.AST) -> list[str] | None:
    """The names an `if` test combines with not / and / or only (`if ok:`, `if not (a and b):`),
    else None."""
    if isinstance(test, ast.Name):
        return [test.id]
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _test_names(test.operand)
    if isinstance(test, ast.BoolOp):
        out: list[str] = []
        for v in test.values:
            names = _test_names(v)
            if names is None:
                return None
            out += names
        return out
    return None


_FLAG_IF = LinePattern(r"[ \t]*+if\s++(?:not\s++)?(\w++)\s*:")


def _helper_gate_results(view: RepoView, rel: str, tree: ast.Module,
                         names: frozenset[str] = frozenset()) -> dict[str, ast.AST]:
    """Flag names bound to what a function of the repository returns when that is a model
    metric comparison: `is_better, metrics = compare_models(run_id)` where compare_models (in this
    file, or in the module it is imported from) returns `chall_f1 > champ_f1` or a name assigned
    from it; name -> that comparison. `names`: flags whatever their name, compared loosely
    (the caller has seen them choose a promotion)."""
    imports: dict[str, str] = {}
    defs: set[str] = set()  # the file's functions: a call of anything else (getattr, a builtin) returns no verdict
    for n in ast.walk(tree):
        if isinstance(n, ast.ImportFrom) and n.module and not n.level:
            imports.update((a.asname or a.name, f"{n.module}.{a.name}") for a in n.names)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defs.add(n.name)
    out: dict[str, ast.AST] = {}
    for st in _statements(tree.body):
        if not (isinstance(st, ast.Assign) and isinstance(st.value, ast.Call) and len(st.targets) == 1):
            continue
        target = st.targets[0]
        if isinstance(target, ast.Tuple) and target.elts:
            target = target.elts[0]
        fname = dotted(st.value.func) or ""
        if not isinstance(target, ast.Name) or not fname or "." in fname:
            continue
        loose = target.id in names
        if not (loose or _FLAG_NAME.search(target.id)):
            continue
        where, fn = rel, fname
        if fname in imports:
            module, fn = imports[fname].rsplit(".", 1)
            where = local_module_file(view, module, rel)
        elif fname not in defs:
            continue
        cmp = _returned_comparison(py_tree(view, where), fn, loose=loose) if where else None
        if cmp is not None:
            out[target.id] = cmp
    return out


def _returned_comparison(tree: ast.Module | None, fn: str, loose: bool = False) -> ast.AST | None:
    """The metric comparison function `fn` returns (first of a returned tuple), directly or
    through a local name, or None."""
    for f in ast.walk(tree) if tree is not None else ():
        if not (isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and f.name == fn):
            continue
        local = {t.id: n.value for n in ast.walk(f) if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
        for r in ast.walk(f):
            if not isinstance(r, ast.Return) or r.value is None:
                continue
            v = r.value.elts[0] if isinstance(r.value, ast.Tuple) and r.value.elts else r.value
            if isinstance(v, ast.Name):
                v = local.get(v.id, v)
            if isinstance(v, (ast.Compare, ast.BoolOp)):
                if _is_gate_compare(v, loose=loose):
                    return v
                inlined = _inlined(v, local)
                if _is_gate_compare(inlined, loose=loose):
                    return inlined
    return None


class _Inline(ast.NodeTransformer):
    def __init__(self, local: dict[str, ast.AST]) -> None:
        self.local = local

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return self.local.get(node.id, node)


def _inlined(node: ast.AST, local: dict[str, ast.AST]) -> ast.AST:
    """`node` with each local name replaced by the value it was assigned (`delta` read as
    `payload.get("delta_mAP50")`): what a helper compares, named where it was read."""
    return _Inline(local).visit(copy.deepcopy(node))


_NOT_GATE_TOKENS = frozenset({"best", "epoch", "epochs", "patience", "step", "steps", "lr", "len", "size", "count", "num",
                              "n", "iter", "iteration", "batch", "idx", "i", "j", "k", "length", "shape", "wait"})


# The other side of a comparison with a search's `best_score_`: the model in production, not the
# best epoch so far (`val_loss < best_loss` checkpoints).
_PRODUCTION_SIDE = lazy_re(r"(?i)prod(uction)?(?![a-z])|production|champion|incumbent|deployed|registered|(?<![a-z])live(?![a-z])")


def _number(node: ast.AST) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        node = node.operand
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool)


def _is_gate_compare(test: ast.AST, loose: bool = False) -> bool:
    """A model metric compared to a threshold, a number or another model's metric. Names of
    early stopping, checkpointing and loop counters are not gates; `loose` (a comparison seen
    to choose a registry promotion) lets "best" through: the registry's best model."""
    skip = _NOT_GATE_TOKENS - {"best"} if loose else _NOT_GATE_TOKENS
    for n in ast.walk(test):
        if isinstance(n, ast.Compare) and any(isinstance(o, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)) for o in n.ops):
            sides = [n.left, *n.comparators]
            if len(sides) >= 3 and _number(sides[0]) and _number(sides[-1]):
                continue  # `0.0 <= iou_threshold <= 1.0`: an argument kept in its range, no model judged
            names = [_names(s) for s in sides]
            if not any(_METRIC_NAME.search(x) for x in names) and sum(1 for x in names if _CHAMPION.search(x)) < 2:
                continue
            champion = sum(1 for x in names if _METRIC_NAME.search(x)) >= 2 or (  # new score vs the others' scores
                sum(1 for x in names if _CHAMPION.search(x)) >= 2)
            if champion or any(_THRESHOLD_NAME.search(x) for x in names) or any(
                    isinstance(s, ast.Constant) and isinstance(s.value, (int, float)) and not isinstance(s.value, bool) and s.value not in (0, 1)
                    for s in sides):
                tokens = {t.lower() for x in names for t in re.split(r"[\W_]+", x) if t}
                if tokens & skip == {"best"} and any(
                        _PRODUCTION_SIDE.search(x) and "best" not in x.lower() for x in names):
                    return True  # a search's best_score_ against the production model's metric
                if tokens & skip:
                    continue  # early stopping, checkpointing on the best epoch, loop counters
                return True
    return False


def _best_meets_bar(test: ast.AST) -> bool:
    """The best candidate's metric against a fixed bar (`best["test_rmse"] < 10`,
    `best_auc >= MIN_AUC`): after a model selection, the winner must still pass a threshold.
    Checkpointing compares the best so far with the current metric, never with a constant."""
    for n in ast.walk(test):
        if not (isinstance(n, ast.Compare) and any(isinstance(o, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)) for o in n.ops)):
            continue
        sides = [n.left, *n.comparators]
        names = [_names(s) for s in sides]
        metric = [x for x in names if _METRIC_NAME.search(x)]
        if len(metric) != 1 or "best" not in {t.lower() for t in re.split(r"[\W_]+", metric[0]) if t}:
            continue
        tokens = {t.lower() for x in names for t in re.split(r"[\W_]+", x) if t}
        if tokens & _NOT_GATE_TOKENS != {"best"}:
            continue
        if any(_THRESHOLD_NAME.search(x) for x in names) or any(
                isinstance(s, ast.Constant) and isinstance(s.value, (int, float)) and not isinstance(s.value, bool)
                and s.value not in (0, 1) for s in sides):
            return True
    return False


_GATE_WORDS = (".register_model(", "registered_model_name", ".register(", "create_model_version", "deploy", "champion", "Champion", "threshold", "Threshold", "THRESHOLD", "promot", "Promot",
               "transition_model_version_stage", "set_registered_model_alias", "production", "Production", "link_model", "link_artifact")

# `link_model(version, registry, ["best"] if is_best else None)`: a conditional argument.
_IFEXP_FLAG = lazy_re(r"\bif\s+(?:not\s+)?[\w.]+(?:\s*[<>]=?\s*[\w.]+)?\s+else\b")
_PROMOTE_OPEN = lazy_re(r"(?i)(?:" + _PROMOTE_WORDS + r"|_(?:in|to|into)_prod)\w*\(")  # a _PROMOTE_CALL opening, as text


def _promotion_ifexp(text: str) -> bool:
    """A conditional expression shortly after a promotion call opens (a cheap text test)."""
    return any(_PROMOTE_OPEN.search(text, max(0, m.start() - 300), m.start())
               for m in _IFEXP_FLAG.finditer(text))


def _promotion_chosen_by_comparison(view: RepoView, rel: str, tree: ast.Module) -> tuple[int, str] | None:
    """A register / promote / link call with an argument chosen by a model metric comparison
    (`["best"] if is_best else None`, the flag assigned from a comparison here or returned by a
    function of the repository): the comparison decides what is promoted."""
    cands: list[tuple[ast.Call, str, list[str] | None, ast.IfExp]] = []
    for n in ast.walk(tree):
        if not isinstance(n, ast.Call):
            continue
        name = dotted(n.func) or ""
        last = name.rsplit(".", 1)[-1]
        if not last or not _PROMOTE_CALL.search(last) or last in ("print", "info", "warning", "log"):
            continue
        for a in (*n.args, *(k.value for k in n.keywords)):
            if isinstance(a, ast.IfExp):
                cands.append((n, name, _test_names(a.test), a))
    if not cands:
        return None
    flags = frozenset(u for _, _, used, _ in cands for u in used or ())
    results = _helper_gate_results(view, rel, tree, names=flags) if flags else {}
    for st in _statements(tree.body):
        if isinstance(st, ast.Assign) and isinstance(st.value, (ast.Compare, ast.BoolOp)):
            for t in st.targets:
                if isinstance(t, ast.Name) and t.id in flags:
                    results.setdefault(t.id, st.value)
    for call, name, used, ifexp in cands:
        if used is not None:
            ok = any(u in results and _is_gate_compare(results[u], loose=True) for u in used)
        else:
            ok = _is_gate_compare(ifexp.test, loose=True)
        if ok:
            return call.lineno, f"calls {name} with what a model metric comparison chose"
    return None


def _keeps_running_best(node: ast.If) -> bool:
    """`if s - current_score > tol: current_score = s`: the branch replaces the score it was
    compared with by the new one, the step of a search (coordinate descent, a tuning loop)
    keeping the better candidate, not a gate before a promotion."""
    compared = {n.id for n in ast.walk(node.test) if isinstance(n, ast.Name)}
    for st in node.body:
        if isinstance(st, ast.Assign) and any(isinstance(t, ast.Name) and t.id in compared for t in st.targets):
            return True
    return False


# A branch that reports drift raises on monitored live error (a monitoring job's check), not
# on a candidate model before its promotion.
_DRIFT_BRANCH = lazy_re(r"(?i)\bdrift")


@prefilters(*_GATE_WORDS)
def quality_gate(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """An evaluation metric compared to a threshold or to the production / champion model,
    in code that then blocks (raise, exit, cancel, fail), skips the promotion that follows
    (`continue` / `return` before a promote call) or drives promotion (register, deploy,
    promote, transition, a deploy flag); also `assert metric >= threshold` in a non-test
    evaluation step."""
    for rel in paths(view, det, ("*.py",)):
        text = view.text(rel)
        if not text:
            continue
        gate_file = _GATE_FILE.search(rel.rsplit("/", 1)[-1]) is not None
        if not (gate_file or view.contains_any(rel, _GATE_WORDS)):
            continue
        # `if is_better:` on what a comparison helper returned (possibly from another module)
        flags = {m.group(1) for _, _, m in _FLAG_IF.finditer(text) if _FLAG_NAME.search(m.group(1))}
        flag_if = any(re.search(rf"^[ \t]*{re.escape(f)}\s*(?:,\s*\w+\s*)*=\s*[\w.]+\(", text, re.M) for f in flags)
        ifexp: bool | None = None  # computed when needed: a text scan of its own
        if "<" not in text and ">" not in text and not flag_if:
            ifexp = " else " in text and _promotion_ifexp(text)
            if not ifexp:
                continue
        newlines = [m.start() for m in _NEWLINE.finditer(text)]
        lines = {bisect_right(newlines, start) + 1 for start, g, _ in _COMPARE_LINE.finditer(text)
                 if (_METRIC_NAME.search(g) and (_THRESHOLD_NAME.search(g) or re.search(r"\d", g)
                                                 or len(_METRIC_NAME.findall(g)) >= 2))
                 or _CHAMPION.search(g)}
        gate_fn = re.search(r"(?i)def _?\w*(gate|threshold|should_deploy|should_promote|model_acceptable|is_model_better|"
                            r"promotion_?(policy|policies|decision|criteria|rules?|checks?))\w*\s*\(", text)
        cmp_lines: set[int] = set()
        if _DECISION_ASSIGN.search(text) is not None:
            cmp_lines = {bisect_right(newlines, start) + 1 for start, g, _ in _ANY_COMPARE.finditer(text)
                         if _CHAMPION.search(g) or _METRIC_NAME.search(g)}
        # `assert (\n challenger["f1"] >= champion["f1"] or ...\n)`: the comparison on the lines
        # after the assert's own, so no line of it starts with `assert`
        multi_assert = gate_file and _MULTILINE_ASSERT.search(text) is not None
        if not lines and not gate_fn and not cmp_lines and not flag_if and not multi_assert:
            if ifexp is None:
                ifexp = " else " in text and _promotion_ifexp(text)
            if not ifexp:
                continue
        tree = py_tree(view, rel)
        if tree is None:
            continue
        # `wins = m_chall > m_champ` ... `if wins:`: the comparison assigned to a name first
        assigned = {t.id: st.value for st in _statements(tree.body) if isinstance(st, ast.Assign)
                    and any(ln in cmp_lines for ln in range(st.lineno, (st.end_lineno or st.lineno) + 1))
                    for t in st.targets if isinstance(t, ast.Name)}
        if flag_if:
            for name, cmp in _helper_gate_results(view, rel, tree).items():
                assigned.setdefault(name, cmp)
        early: dict[int, str] | None = None
        for n in _statements(tree.body):
            used = _test_names(n.test) if isinstance(n, ast.If) else None
            if used and any(u in assigned for u in used):
                if any(_is_gate_compare(assigned[u]) for u in used if u in assigned):
                    action = _verdict_action(tree, n, _blocks(n.body) or _blocks(n.orelse))
                    if action:
                        yield Hit(rel, n.lineno, f"compares a model metric to a threshold or the production model and {action}")
                        break
                continue
            if n.lineno not in lines:
                if multi_assert and isinstance(n, ast.Assert) and (n.end_lineno or n.lineno) > n.lineno and _is_gate_compare(n.test):
                    seg = "\n".join(view.lines(rel)[n.lineno - 1:n.end_lineno])
                    if _METRIC_NAME.search(seg) and (_CHAMPION.search(seg) or _THRESHOLD_NAME.search(seg)):
                        yield Hit(rel, n.lineno, "asserts a model metric meets a threshold or the production model's")
                        break
                continue
            if isinstance(n, ast.If) and (_is_gate_compare(n.test) or _best_meets_bar(n.test)):
                if _DRIFT_BRANCH.search("\n".join(view.lines(rel)[n.lineno - 1:n.end_lineno])):
                    continue  # "Forecast drift detected!": live error monitored against a bar, no promotion
                if _keeps_running_best(n):
                    continue  # a search step: the better score becomes the one to beat
                action = _verdict_action(tree, n, _blocks(n.body) or _blocks(n.orelse))
                if not action:
                    if early is None:
                        early = _early_exits_before_promotion(tree)
                    action = early.get(n.lineno)
                if action:
                    yield Hit(rel, n.lineno, f"compares a model metric to a threshold or the production model and {action}")
                    break
            elif isinstance(n, ast.Assert) and gate_file and _is_gate_compare(n.test):
                yield Hit(rel, n.lineno, "asserts a model metric meets a threshold")
                break
        else:
            if ifexp is None:
                ifexp = " else " in text and _promotion_ifexp(text)
            chosen = _promotion_chosen_by_comparison(view, rel, tree) if ifexp else None
            fn = _gate_function(tree) if gate_fn and not chosen else None
            if chosen:
                yield Hit(rel, chosen[0], chosen[1])
            elif fn is not None:
                yield Hit(rel, fn.lineno, f"defines quality gate {fn.name} comparing metrics to thresholds")


_GATE_FN = lazy_re(r"(?i)^_?((quality|model|metrics?|performance|eval\w*|promotion|deploy\w*|release)_?gate\w*|gate_?check\w*|"
                      r"check_?(model_)?(quality|thresholds?|performance|metrics?)(_gate)?|(passes|meets|check)_?thresholds?|"
                      r"is_?model_?(acceptable|good_enough|better)|should_?(deploy|promote|register)|"
                      r"(evaluate_?|check_?|apply_?)?promotion_?(policy|policies|decision|criteria|rules?|checks?))$")


def _gate_function(tree: ast.Module) -> ast.FunctionDef | None:
    """A function named as a quality gate whose body compares values to thresholds."""
    for n in _statements(tree.body):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and _GATE_FN.match(n.name):
            for c in ast.walk(n):
                if isinstance(c, ast.Compare) and any(isinstance(o, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)) for o in c.ops):
                    if _THRESHOLD_NAME.search(_names(c)) or _METRIC_NAME.search(_names(c)):
                        return n
    return None


# Formerly `^[ \t]*(?:(?:el)?(?:if|assert)\b|\w+\s*=)[^\n]*[<>][^\n]*$`: the same matches. What
# follows the indentation and the name starts with a word character or `\s*=`, so giving them
# back never helps (possessive); `[^\n<>]*+[<>]` finds a `<`/`>` exactly when `[^\n]*[<>]` does,
# and the match runs on to the end of that line either way.
_COMPARE_LINE = LinePattern(r"[ \t]*+(?:(?:el)?(?:if|assert)\b|\w++\s*=)[^\n<>]*+[<>][^\n]*+$")
_CHAMPION = lazy_re(r"(?i)champ|chall|incumbent")
_MULTILINE_ASSERT = lazy_re(r"(?m)^[ \t]*assert[ \t]*\([ \t]*$")
_NEWLINE = lazy_re("\n")
# Formerly `(?im)^\s*\w*(win|...)\w*\s*=[^=]`; possessive where a word character must follow.
_DECISION_ASSIGN = LinePattern(r"\s*+\w*(win|better|pass|promot|deploy|approv|accept|bless|meets?_)\w*+\s*=[^=]", re.I)
_ANY_COMPARE = LinePattern(r"[^#\n]*[\w\]]\)?\s*[<>]=?\s*\(?\w[^\n]*$")


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement, nested ones included, without walking expressions."""
    for st in body:
        yield st
        for attr in ("body", "orelse", "finalbody"):
            sub = getattr(st, attr, None)
            if isinstance(sub, list) and sub and isinstance(sub[0], ast.stmt):
                yield from _statements(sub)
        for h in getattr(st, "handlers", None) or []:
            yield from _statements(h.body)


# `directional` as a word of its own (test_directional_expectation): a `bidirectional` recurrent
# layer in a model's shape tests says nothing about its behaviour.
_BEHAVIOURAL = lazy_re(r"(?i)behaviou?ral|invariance|(?<![a-z])directional|minimum_functionality|\bmft\b|checklist")


_PYTEST_RUN = lazy_re(r"(?:^|[\s;&|(])(?:python3?\s+-m\s+)?(?:py\.?test|pytest)\b(.*)$")


def _blocking_pytest_run(view: RepoView, rel: str) -> CiLine | None:
    """A CI command that runs pytest over `rel` and fails the pipeline when it fails: written in
    the CI file or a Makefile target, or in a script that stops on errors (`set -e`); not
    `|| true`, not a step or job that continues on error."""
    for pipe, _t in effective_pipelines(view):
        for cl in ci_lines(view, pipe):
            m = _PYTEST_RUN.search(cl.text)
            if not m or re.search(r"\|\|\s*(true|:|echo|exit 0)", cl.text) or cl.manual or cl.soft:
                continue
            targets = [t for t in m.group(1).split() if not t.startswith("-") and not t.startswith("$") and "=" not in t
                       and t not in (">", "2>&1", "|", "&&", ";") and not t.startswith((">", "|"))]
            covers = not targets or any(rel == t.rstrip("/") or rel.startswith(t.rstrip("/") + "/") or rel.startswith(t.split("::")[0])
                                        for t in targets)
            if not covers:
                continue
            if cl.via.endswith((".sh", ".bash")):
                script = view.text(cl.via) or ""
                if not re.search(r"^\s*set\s+-\w*e|^#!.*\s-\w*e\b|set\s+-o\s+errexit", script, re.M):
                    continue
            return cl
    return None


def behavioural_tests(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """Behavioural tests of a trained model (invariance, directional expectation, minimum
    functionality) that a CI pipeline runs so that a failure stops it."""
    for rel in paths(view, det, ("*.py",)):
        base = rel.rsplit("/", 1)[-1]
        text = view.text(rel) or ""
        if not (_BEHAVIOURAL.search(base) or (re.search(r"(?i)(^|/)tests?/models?/", rel) and _BEHAVIOURAL.search(text))):
            continue
        facts = view.python(rel)
        if facts is None:
            continue
        if not re.search(r"\.predict\w*\(|\bpredict\w*\(|\bmodel\s*\(|\bpredictor\b", text):
            continue
        fn = next((f for f in facts.functions if f.name.startswith("test") and not f.trivial), None)
        if fn is None:
            continue
        run = _blocking_pytest_run(view, rel)
        if run is not None:
            yield Hit(rel, fn.line, f"behavioural model test {fn.name}, run by CI at {run.path}:{run.line}")



# Where a test reads the trained model or its recorded results from, instead of training one.
_TRAINED_RESULT_NEEDLES = ("search_runs", "get_run(", "load_model(", "joblib.load(", "pickle.load(", "metrics.json",
                           "get_latest_versions", "get_model_version")
_ASSERT_COMPARE = lazy_re(r"^[ \t]*assert\b[^\n<>]*[<>][^\n]*", re.M)
# (train_test_split only splits the data the metric is computed on)
_TRAINS_IN_TEST = lazy_re(r"^(fit|fit_transform|partial_fit)$|^_?" + TRAIN_NOT_SPLIT + r"(_\w+)?$|_train$", re.I)


@prefilters(*_TRAINED_RESULT_NEEDLES)
def metric_threshold_tests(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A test that asserts the trained model's recorded or recomputed metrics meet thresholds
    (`assert accuracy >= MIN_ACCURACY` on the latest tracked run, a metrics file or the saved
    model), run by CI so that a failure stops the pipeline. Tests that train a toy model
    themselves, and metric tests CI does not run or runs with `|| true`, do not count."""
    for rel in paths(view, det, ("*.py",)):
        if not view.is_test(rel) or not view.contains_any(rel, _TRAINED_RESULT_NEEDLES):
            continue
        text = view.text(rel) or ""
        if not any(_METRIC_NAME.search(m.group(0)) for m in _ASSERT_COMPARE.finditer(text)):
            continue
        run = _blocking_pytest_run(view, rel)
        if run is None:
            continue
        facts = view.python(rel)
        if facts is None or any(_TRAINS_IN_TEST.search(c.attr) for c in facts.calls):
            continue
        tree = py_tree(view, rel)
        if tree is None:
            continue
        hit = next((n for n in ast.walk(tree) if isinstance(n, ast.Assert) and _is_gate_compare(n.test)), None)
        if hit is not None:
            yield Hit(rel, hit.lineno, f"asserts the trained model's metric meets a threshold, run by CI at {run.path}:{run.line}")

# -- deploy.progressive ----------------------------------------------------------------------

_FLAG_ROOTS = frozenset({"ldclient", "UnleashClient", "flagsmith", "growthbook", "openfeature", "splitio", "featureflags",
                         "configcat", "statsig", "posthog", "unleash", "optimizely", "eppo_client"})


def feature_flag_routes_model(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A feature-flag / experiment SDK evaluated in code that chooses between models."""
    for rel in python_files(view, det, _FLAG_ROOTS, notebooks=False):
        text = view.text(rel) or ""
        if not re.search(r"(?i)\bmodel", text):
            continue
        facts = view.python(rel)
        if facts is None:
            continue
        for call in facts.calls:
            if call.attr in ("variation", "is_enabled", "get_variation", "is_feature_enabled", "get_feature_value",
                             "get_treatment", "is_on", "get_value", "check_gate", "get_experiment", "get_string_value",
                             "get_boolean_value", "activate", "get_feature_flag", "feature_enabled", "get_assignment",
                             "get_string_assignment", "eval_feature"):
                yield Hit(rel, call.line, f"feature flag chooses the model: calls {call.name}")
                break


# A weighted draw of one experiment / variant / arm / model per request (`random.choices(
# experiments, weights=weights)[0]`, `np.random.choice(variants, p=split)`): an online split of
# the traffic between them. Drawing many at once (`k=`, `size=`) samples synthetic data, and a
# simulator or a load generator is not serving.
_WEIGHTED_DRAW = lazy_re(r"\b(?:random|np\.random|numpy\.random|rng|self\.\w*rng)\.choices?\(\s*(?:self\.|cls\.)?"
                         r"(?:\w+_)?(experiments?|variants?|arms?|treatments?|models?|rankers?|recommenders?|policies)\s*,"
                         r"\s*(?:weights|p)\s*=([^\n]*)")
_DRAW_MANY = lazy_re(r"\b(?:k|size)\s*=")
_SIMULATION = lazy_re(r"(?i)simulat|synthetic|fake|load[_ -]?test|locust|faker")


_DRAW_NEEDLES = (".choices(", ".choice(")


@prefilters(*_DRAW_NEEDLES)
def weighted_draw_routes_variants(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """Serving or experiment code that picks one experiment, variant, bandit arm or model for
    each request by a weighted random draw over the configured ones: an A/B traffic split."""
    for rel in view.with_any(paths(view, det, ("*.py",)), _DRAW_NEEDLES):
        text = view.text(rel) or ""
        if "weights" not in text and "p=" not in text:
            continue
        m = _WEIGHTED_DRAW.search(text)
        if not m or _DRAW_MANY.search(m.group(2)) or _SIMULATION.search(rel) or _SIMULATION.search(text):
            continue
        yield Hit(rel, line_of_offset(text, m.start()), f"routes each request to one of the {m.group(1)} by a weighted random draw")


# A per-request coin flip that sends a share of the traffic to the challenger / canary model:
# `if np.random.random() > 0.2:` with the branches predicting with different models.
_RANDOM_SPLIT = lazy_re(r"^[ \t]*(?:el)?if\b[^\n]*?\b(?:random|np\.random|numpy\.random|rng)\.(?:random|rand|uniform)\([^)\n]*\)\s*[<>]=?",
                        re.M)
_SPLIT_ARMS = lazy_re(r"(?i)\b\w*(champion|champ|challenger|canary|shadow|model_?[ab]|variant_?[ab])\w*\b")
_RANDOM_SPLIT_NEEDLES = ("random.random(", "random.rand(", "random.uniform(", "rng.random(")


@prefilters(*_RANDOM_SPLIT_NEEDLES)
def random_split_routes_models(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """Serving code that flips a biased coin per request and predicts with the champion or the
    challenger (canary, model A / B) accordingly; sampling requests to log or the coin flips of
    simulators stay out."""
    for rel in view.with_any(paths(view, det, ("*.py",)), _RANDOM_SPLIT_NEEDLES):
        text = view.text(rel) or ""
        if ".predict" not in text or _SIMULATION.search(rel) or _SIMULATION.search(text):
            continue
        for m in _RANDOM_SPLIT.finditer(text):
            window = text[m.start():].split("\n", 14)[:14]
            body = "\n".join(ln for ln in window if not ln.lstrip().startswith("#"))
            arms = {a.group(1).lower() for a in _SPLIT_ARMS.finditer(body)}
            if len(arms) >= 2 and ".predict" in body:
                yield Hit(rel, line_of_offset(text, m.start()), "splits requests between models by a random draw")
                break


_VARIANT_WEIGHT = lazy_re(r"[\"']?(InitialVariantWeight|initial_variant_weight|initial_weight)[\"']?\s*[:=]")
_SPLIT_CONTEXT = lazy_re(r"(?i)champion|challenger|canary|blue.?green|\ba/?b[ _-]?test|ab_test|shadow|traffic.?split|"
                            r"gradual|rollout|split traffic|weighted traffic")


_VARIANT_WEIGHT_NEEDLES = ("InitialVariantWeight", "initial_variant_weight", "initial_weight")


@prefilters(*_VARIANT_WEIGHT_NEEDLES)
def sagemaker_variant_split(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """Weighted SageMaker production variants: weights given to two or more variants, or in
    code that is about canary / A/B / champion-challenger traffic."""
    for rel in view.with_any(paths(view, det), _VARIANT_WEIGHT_NEEDLES):
        text = view.text(rel) or ""
        found = list(_VARIANT_WEIGHT.finditer(text))
        if not found:
            continue
        literal_variants = len({m.start() for m in found if m.group(1) == "InitialVariantWeight"})
        # The context is the code's, not a comment's ("if there is no champion variant yet").
        code = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith(("#", "//")))
        if literal_variants >= 2 or _SPLIT_CONTEXT.search(code):
            yield Hit(rel, text.count("\n", 0, found[0].start()) + 1, "weights SageMaker production variants")


# -- Databricks asset bundles: jobs declared in databricks.yml / resources/*.yml ----------------

_TRAINS = lazy_re(r"(?i)(^|[/_.\-\s])(train\w*|fit|retrain\w*|model_?training)([/_.\-\s]|$)")


def databricks_jobs(view: RepoView, rels: list[str]) -> Iterator[tuple[str, str, Any, Any]]:
    """(path, job name, job mapping, resources mapping) for every job of every bundle file."""
    for rel in rels:
        text = view.text(rel) or ""
        if "jobs" not in text or "tasks" not in text:
            continue
        doc = view.yaml(rel, tolerate_tags=True)
        if not isinstance(doc, dict):
            continue
        blocks = [doc.get("resources")]
        targets = doc.get("targets")
        if isinstance(targets, dict):
            blocks += [t.get("resources") for t in targets.values() if isinstance(t, dict)]
        for res in blocks:
            jobs = res.get("jobs") if isinstance(res, dict) else None
            if not isinstance(jobs, dict):
                continue
            for name, job in jobs.items():
                if isinstance(job, dict):
                    yield rel, str(name), job, jobs


def databricks_training_task(job: Any) -> tuple[int, str] | None:
    """(line, task key) of the first task of a job that trains a model."""
    tasks = job.get("tasks") if isinstance(job, dict) else None
    if not isinstance(tasks, list):
        return None
    for i, task in enumerate(tasks):
        if not isinstance(task, dict):
            continue
        where = " ".join(str(v) for k, v in _flat(task) if k in ("task_key", "python_file", "notebook_path", "entry_point", "package_name", "description"))
        if _TRAINS.search(where):
            line = tasks.item_lines[i] if hasattr(tasks, "item_lines") else getattr(tasks, "line", 1)
            return line, str(task.get("task_key", ""))
    return None


def _flat(d: Any, depth: int = 0) -> Iterator[tuple[str, Any]]:
    if depth > 4 or not isinstance(d, dict):
        return
    for k, v in d.items():
        if isinstance(v, dict):
            yield from _flat(v, depth + 1)
        else:
            yield str(k), v


def databricks_job_trains(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A Databricks job (asset bundle) with a task that trains: training as an orchestrated job."""
    for rel, name, job, _ in databricks_jobs(view, paths(view, det, ("*.yml", "*.yaml"))):
        found = databricks_training_task(job)
        if found:
            yield Hit(rel, found[0], f"Databricks job {name} runs training task {found[1]}")
            return


# A Jobs API payload written in Python (Databricks solution-accelerator RUNME notebooks, scripts
# calling jobs/create): "tasks" with "task_key" and "notebook_path" / "python_file", created by
# the same file. Read by regex: such payloads are dict literals mixed with f-strings and names.
_DBX_TASK_FILE = lazy_re(r"""["'](notebook_path|python_file)["']\s*:\s*f?["']([^"'\n]+)["']""")
_DBX_JOB_CREATE = ("deploy_compute(", "jobs.create(", "jobs/create", "jobs.reset(", "jobs/reset", "runs/submit",
                   "jobs.submit(", "create_job(")


def databricks_job_json_trains(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A Databricks multi-task job defined as a Jobs API payload in Python, with a task whose
    notebook or file trains, and created or submitted by that code (not a payload left in docs)."""
    for rel in python_files(view, det, frozenset(), needles=('"task_key"', "'task_key'"), notebooks=False):
        text = view.text(rel) or ""
        if "tasks" not in text or not any(c in text for c in _DBX_JOB_CREATE):
            continue
        for m in _DBX_TASK_FILE.finditer(text):
            if _TRAINS.search(m.group(2).rsplit("/", 1)[-1]):
                line = text.count("\n", 0, m.start()) + 1
                if view.line(rel, line).lstrip().startswith("#"):
                    continue
                yield Hit(rel, line, f"Databricks job payload runs training {m.group(1)} {m.group(2)}")
                return


# A Databricks job declared with the Terraform provider (resource "databricks_job"): its tasks'
# task_key / notebook_path / python_file say what they run, as in a bundle.
_TF_DBX_JOB = lazy_re(r'^[ \t]*resource[ \t]+"databricks_job"[ \t]+"([\w-]+)"[ \t]*\{', re.M)
_TF_DBX_TASK_ATTR = lazy_re(r'^[ \t]*(task_key|notebook_path|python_file|entry_point|package_name|description)[ \t]*=[ \t]*"([^"\n]*)"', re.M)


def _hcl_block_end(text: str, start: int) -> int:
    """Offset just past the `}` closing the block whose `{` is at `start` (strings and #
    comments skipped), or the end of the text."""
    depth, i, n = 0, start, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            i += 1
            while i < n and text[i] != '"' and text[i] != "\n":
                i += 2 if text[i] == "\\" else 1
        elif ch == "#" or (ch == "/" and text.startswith("//", i)):
            nl = text.find("\n", i)
            i = n if nl < 0 else nl
            continue
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


def terraform_databricks_jobs(view: RepoView, rels: list[str]) -> Iterator[tuple[str, str, str, int]]:
    """(path, job name, block text, block offset) of every `resource "databricks_job"`."""
    for rel in rels:
        text = view.text(rel) or ""
        if "databricks_job" not in text:
            continue
        for m in _TF_DBX_JOB.finditer(text):
            end = _hcl_block_end(text, m.end() - 1)
            yield rel, m.group(1), text[m.start():end], m.start()


@prefilters("databricks_job")
def terraform_databricks_job_trains(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A Databricks job declared in Terraform with a task whose key, notebook or file trains."""
    for rel, name, block, offset in terraform_databricks_jobs(view, paths(view, det, ("*.tf",))):
        for a in _TF_DBX_TASK_ATTR.finditer(block):
            if _TRAINS.search(a.group(2)):
                line = view.text(rel).count("\n", 0, offset + a.start()) + 1  # type: ignore[union-attr]
                yield Hit(rel, line, f"Databricks job {name} runs training {a.group(1)} {a.group(2)}")
                return


# -- Mage pipelines: pipelines/<name>/metadata.yaml with blocks, triggers.yaml beside it -------


def mage_pipelines(view: RepoView, rels: list[str]) -> Iterator[tuple[str, Any]]:
    """(metadata path, blocks list) for each Mage pipeline definition among `rels`."""
    for rel in rels:
        if not rel.endswith("metadata.yaml") or "/pipelines/" not in f"/{rel}":
            continue
        text = view.text(rel) or ""
        if "blocks:" not in text or "uuid:" not in text:
            continue
        doc = view.yaml(rel)
        blocks = doc.get("blocks") if isinstance(doc, dict) else None
        if isinstance(blocks, list) and blocks:
            yield rel, blocks


def mage_training_block(blocks: Any) -> int | None:
    """Line of the first block of a Mage pipeline that trains a model."""
    for i, b in enumerate(blocks):
        if not isinstance(b, dict):
            continue
        where = f"{b.get('uuid', '')} {b.get('name', '')} {((b.get('configuration') or {}).get('file_source') or {}).get('path', '') if isinstance(b.get('configuration'), dict) else ''}"
        if _TRAINS.search(where):
            return blocks.item_lines[i] if hasattr(blocks, "item_lines") else 1
    return None


def mage_pipeline_trains(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A Mage pipeline with a training block: training as an orchestrated pipeline."""
    for rel, blocks in mage_pipelines(view, paths(view, det, ("*metadata.yaml",))):
        line = mage_training_block(blocks)
        if line is not None:
            yield Hit(rel, line, "Mage pipeline runs a training block")
            return


# -- deploy.iac: Ansible provisioning ---------------------------------------------------------

_ANSIBLE_NEEDLES = ("gcp_compute_", "gcp_container_", "gcp_sql_", "gcp_storage_", "gcp_pubsub_", "gcp_bigquery_", "gcp_redis_",
                    "gcp_filestore_", "ec2_instance", "ec2_vpc_", "ec2_security_group", "ec2_group", "rds_instance", "eks_cluster",
                    "ecs_cluster", "s3_bucket:", "azure_rm_", "digital_ocean_droplet", "openstack.cloud.", "k8s:")
# The module key of a task that creates cloud or cluster resources; the key opens a block of
# arguments (nothing after the colon). Searched literal-first, the task shape checked after.
_ANSIBLE_MODULE = lazy_re(
    r"(?P<module>(?:google\.cloud\.)?gcp_(?:compute|container|sql|storage|pubsub|bigquery|redis|filestore)_\w+|"
    r"(?:amazon\.aws\.|community\.aws\.)?(?:ec2_instance|ec2_vpc_net|ec2_vpc_subnet|ec2_security_group|ec2_group|rds_instance|"
    r"eks_cluster|ecs_cluster|s3_bucket)|"
    r"(?:azure\.azcollection\.)?azure_rm_(?:virtualmachine|resourcegroup|aks|storageaccount|virtualnetwork|subnet|securitygroup|"
    r"containerinstance|publicipaddress)\w*|"
    r"(?:community\.digitalocean\.)?digital_ocean_droplet|openstack\.cloud\.(?:server|network|subnet)|"
    r"(?:kubernetes\.core\.|community\.kubernetes\.)?k8s):[ \t]*$", re.M)
_TASK_KEY = lazy_re(r"[ \t]+\w+:[ \t]*[^\s#]")


def _ansible_task_module(text: str, start: int) -> bool:
    """The module key at `start` is a task's: its line is `- module:`, or it is indented under a
    `- name: ...` item with at most three scalar keys (become, register ...) between them."""
    line_start = text.rfind("\n", 0, start) + 1
    prefix = text[line_start:start]
    if prefix.strip() == "-":
        return True
    if prefix.strip():
        return False
    pos = line_start
    for _ in range(4):
        if pos == 0:
            return False
        prev_start = text.rfind("\n", 0, pos - 1) + 1
        prev = text[prev_start:pos - 1]
        stripped = prev.lstrip()
        if stripped.startswith("- name:") and len(prev) - len(stripped) < len(prefix):
            return True
        if not _TASK_KEY.match(prev):
            return False
        pos = prev_start
    return False


@prefilters(*_ANSIBLE_NEEDLES)
def ansible_provisions_infrastructure(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """An Ansible task whose module provisions infrastructure (gcp_compute_instance, ec2_instance,
    azure_rm_virtualmachine, a k8s object ...): the module key on a task item, after its name."""
    for rel in view.with_any(paths(view, det, ("*.yml", "*.yaml")), _ANSIBLE_NEEDLES):
        text = view.text(rel)
        if not text:
            continue
        for m in _ANSIBLE_MODULE.finditer(text):
            if _ansible_task_module(text, m.start()):
                yield Hit(rel, line_of_offset(text, m.start()), f"Ansible task provisions infrastructure: {m.group('module')}")
                break

# -- deploy.progressive: hash-bucket A/B routing ----------------------------------------------

_AB_SPLIT_NEEDLES = ("traffic_split", "traffic_allocation", "traffic_weights", "variant_weights")
_AB_HASH = lazy_re(r"\b(?:hashlib\.(?:md5|sha1|sha256|blake2b)|mmh3\.hash\w*|zlib\.crc32|xxhash\.\w+)\(")
_AB_VARIANTS = lazy_re(r"\bvariants?\b")
_AB_MODEL = lazy_re(r"(?i)\bmodels?\b|\bmodel_|experiment|predict|rank|recommend|retriev|scor")
_AB_BUCKET = lazy_re(r"%\s*\d+")
_AB_SPLIT_VALUE = lazy_re(r"\b(traffic_split|traffic_allocation|traffic_weights|variant_weights)\b\s*[:=]\s*[\[{(]\s*[\d.]")
_AB_SPLIT_NAME = lazy_re(r"\b(traffic_split|traffic_allocation|traffic_weights|variant_weights)\b")


@prefilters(*_AB_SPLIT_NEEDLES)
def hash_bucket_ab_router(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A module that hashes a user / request id into a bucket (hashlib, mmh3, crc32 ... then
    `% N`) and routes it to one of several variants by a configured traffic split, in code about
    models or experiments: an online A/B split between models."""
    for rel in view.with_any(paths(view, det, ("*.py",)), _AB_SPLIT_NEEDLES):
        text = view.text(rel)
        if not text or not _AB_HASH.search(text) or not _AB_BUCKET.search(text):
            continue
        if not _AB_VARIANTS.search(text) or not _AB_MODEL.search(text):
            continue
        m = _AB_SPLIT_VALUE.search(text) or _AB_SPLIT_NAME.search(text)
        if m:
            yield Hit(rel, line_of_offset(text, m.start()), f"routes users to variants by hash bucket and {m.group(1)}")


CHECKS = {
    "helm_release_values": helm_release_values,
    "project_workflow_trains": project_workflow_trains,
    "mage_pipeline_trains": mage_pipeline_trains,
    "terraform_databricks_job_trains": terraform_databricks_job_trains,
    "databricks_job_trains": databricks_job_trains,
    "databricks_job_json_trains": databricks_job_json_trains,
    "sagemaker_variant_split": sagemaker_variant_split,
    "ci_runs_checks": ci_runs_checks,
    "cd_deploys": cd_deploys,
    "build_config_deploys": build_config_deploys,
    "pipeline_as_code_deploys": pipeline_as_code_deploys,
    "ml_container": ml_container,
    "compose_builds_ml": compose_builds_ml,
    "serving_endpoint": serving_endpoint,
    "hopsworks_serving": hopsworks_serving,
    "scoring_handler": scoring_handler,
    "register_model_method": register_model_method,
    "ansible_provisions_infrastructure": ansible_provisions_infrastructure,
    "hash_bucket_ab_router": hash_bucket_ab_router,
    "weighted_draw_routes_variants": weighted_draw_routes_variants,
    "random_split_routes_models": random_split_routes_models,
    "model_pushed_to_hub": model_pushed_to_hub,
    "dvc_model_artifact": dvc_model_artifact,
    "orchestrated_training": orchestrated_training,
    "orchestrated_pipeline_deploys": orchestrated_pipeline_deploys,
    "dvc_train_stage": dvc_train_stage,
    "ci_job_trains": ci_job_trains,
    "quality_gate": quality_gate,
    "behavioural_tests": behavioural_tests,
    "metric_threshold_tests": metric_threshold_tests,
    "feature_flag_routes_model": feature_flag_routes_model,
    "kubernetes_manifest": kubernetes_manifest,
}
