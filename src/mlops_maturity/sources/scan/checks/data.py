"""Code checks for the data dimension: what DVC, git-lfs, Makefiles, standalone scripts and
orchestrator tasks say about data versioning and data preparation. Each check is
`fn(view, det) -> Iterable[Hit]` and is listed in CHECKS.

The DVC, Makefile, AST and orchestrator helpers here are shared with `checks.deploy`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ....repo import RepoView
from ....repo.view import NeedleIndex
from ....repo.python import Call, PyFacts, _Resolver, parse_source
from ....util.lazyre import lazy_re
from ..helpers import Hit, gallery_example, local_module_file, matching_calls, meaningful_lines, name_matches, parses, paths, prefilters, python_files, selected
from ..spec import DetectorSpec

# -- shared: regexes anchored at line starts ----------------------------------------------------


class LinePattern:
    """A multiline regex `^body`, searched as `\nbody` (plus a match at offset 0): sre tries
    `^` at every offset, but jumps straight from newline to newline when the pattern starts
    with a literal, so the same matches come several times faster. `finditer` gives the same
    matches as the `^` pattern's only if no match can end with a newline (then the newline
    that starts the next match lies beyond the previous match)."""

    def __init__(self, body: str, flags: int = 0) -> None:
        self.anchored = lazy_re("^" + body, flags | re.M)
        self._after_newline = lazy_re("\n" + body, flags | re.M)

    def search(self, text: str) -> int | None:
        """Offset of the first match, or None."""
        if self.anchored.match(text):
            return 0
        m = self._after_newline.search(text)
        return None if m is None else m.start() + 1

    def finditer(self, text: str) -> Iterator[tuple[int, str, re.Match[str]]]:
        """(offset, matched text, match) of every match, as the `^` pattern's `finditer`; the
        match object (for groups 1 and up) may include the newline before the offset."""
        pos = 0
        m = self.anchored.match(text)
        if m is not None:
            yield 0, m.group(0), m
            pos = m.end()
        for m in self._after_newline.finditer(text, pos):
            yield m.start() + 1, m.group(0)[1:], m


class LowerNeedles:
    """Exactly `any(n in text.lower() for n in needles)` for lowercase needles, cheaper: a
    needle as written (the scan's needle index knows, when the check declares the needles with
    `prefilters`) is one in the lowercased text too; otherwise the lowercased text is searched
    for all of them in one pass."""

    def __init__(self, *needles: str) -> None:
        if any(n != n.lower() or not n for n in needles):
            raise ValueError("LowerNeedles takes non-empty lowercase strings")
        self.needles = needles
        self._index = NeedleIndex(needles)

    def in_file(self, view: RepoView, rel: str, text: str) -> bool:
        """Does `text`, the file's text (`view.text(rel)`), lowercased, contain a needle?"""
        return view.contains_any(rel, self.needles) or bool(self._index.scan(text.lower()))

    def in_text(self, text: str) -> bool:
        return bool(self._index.scan(text.lower()))


# -- shared: Python syntax trees ---------------------------------------------------------------


def py_tree(view: RepoView, rel: str) -> ast.Module | None:
    """The parsed syntax tree of a .py file (cached per scan), or None."""
    key = ("data.ast", rel)
    if key in view.memo:
        return view.memo[key]
    tree = None
    text = view.text(rel)
    if text is not None and rel.endswith(".py"):
        tree = parse_source(text)
    view.memo[key] = tree
    return tree


def dotted(node: ast.AST) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Call):
        inner = dotted(node.func)
        return None if inner is None else ".".join([inner + "()", *reversed(parts)])
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


@dataclass(frozen=True)
class Decorated:
    """A function with its resolved decorator names (decorators with arguments included)."""

    name: str
    line: int
    decorators: tuple[tuple[str, int], ...]
    node: Any = field(compare=False, repr=False)


def _statement_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every statement of `tree`, nested blocks included, without walking into expressions (a
    def can only be a statement): the decorated functions of a large module, found cheaply."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for attr in ("body", "orelse", "finalbody", "handlers", "cases"):
            sub = getattr(node, attr, None)
            if isinstance(sub, list):
                stack.extend(reversed(sub))


def decorated_functions(view: RepoView, rel: str, facts: PyFacts) -> list[Decorated]:
    key = ("data.decorated", rel)
    if key in view.memo:
        return view.memo[key]
    out: list[Decorated] = []
    tree = py_tree(view, rel)
    if tree is not None:
        res = _Resolver(facts.imports)
        for node in _statement_nodes(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.decorator_list:
                decs = []
                for d in node.decorator_list:
                    name = dotted(d.func if isinstance(d, ast.Call) else d)
                    if name:
                        decs.append((res.resolve(name)[0], d.lineno))
                out.append(Decorated(node.name, node.lineno, tuple(decs), node))
    view.memo[key] = out
    return out


_SETUP_CALL = lazy_re(r"^(logging|logger|log|warnings|sys|os|load_dotenv|dotenv|set_seed|seed_everything|seed|"
                         r"torch|np|numpy|random|pd|pandas|matplotlib|plt|sns|tf|print|nest_asyncio|mpl)\b")


def is_script(tree: ast.Module) -> bool:
    """Runnable as a script: a `__main__` guard, or statements that do work at module level
    (not just logging / seeding / path setup)."""
    for stmt in tree.body:
        if isinstance(stmt, ast.If) and "__main__" in ast.dump(stmt.test):
            return True
        if isinstance(stmt, (ast.For, ast.While, ast.With, ast.AsyncFor, ast.AsyncWith)):
            return True
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            name = dotted(stmt.value.func) or ""
            if not _SETUP_CALL.match(name):
                return True
    return False


# -- shared: model-like vs data-like paths ---------------------------------------------------

_MODEL_EXT = lazy_re(
    r"\.(pt|pth|ckpt|onnx|pkl|pickle|joblib|safetensors|pb|tflite|mlmodel|engine|keras|sav|gguf|ggml|"
    r"h5|hdf5|weights|params|model|bst|cbm|mar|bento|savedmodel)$", re.I)
_MODEL_WORD = lazy_re(r"(^|[/_.-])(models?|checkpoints?|ckpts?|weights|artifacts?|trained[_-]?\w*|"
                         r"saved[_-]?models?|outputs?|runs|mlruns|metrics|plots|eval|evaluation|reports?|"
                         r"results?|logs?|scores?)([/_.-]|$)", re.I)
_DATA_WORD = lazy_re(r"(^|[/_.-])(data|datasets?|raw|processed|interim|features?|corpus|corpora|"
                        r"train|test|valid|validation|images|audio|labels?|annotations?)([/_.-]|$)", re.I)
_DATA_EXT = lazy_re(r"\.(csv|tsv|parquet|pq|feather|arrow|jsonl|ndjson|json|xml|txt|npy|npz|tfrecords?|"
                       r"avro|orc|xlsx?|zip|tar|tgz|gz|bz2|xz|7z|db|sqlite|hdf|nc|zarr|wav|flac|mp3|"
                       r"jpg|jpeg|png|tif|tiff|dcm|nii|las|shp|geojson|msgpack|bin|idx|mat)$", re.I)


def data_like(path: str) -> bool:
    """A DVC/LFS-tracked path that holds data rather than a model, metrics or outputs."""
    p = path.strip().strip("/").replace("\\", "/")
    if not p or p.startswith("$"):
        return False
    if _MODEL_EXT.search(p):
        return bool(_DATA_WORD.search(p.rsplit("/", 1)[0])) and not _MODEL_WORD.search(p)
    if _MODEL_WORD.search(p) and not _DATA_WORD.search(p):
        return False
    return True


# -- shared: DVC -----------------------------------------------------------------------------


@dataclass
class DvcStage:
    path: str
    name: str
    line: int
    cmd: str
    cmd_line: int
    outs: list[tuple[str, int]]


@dataclass(frozen=True)
class ProjectCommand:
    """A command of a spaCy / Weasel project.yml: its name, line, script lines and the
    workflows that run it."""

    path: str
    name: str
    line: int
    scripts: tuple[tuple[int, str], ...]
    workflows: tuple[str, ...]


def _yaml_sections(view: RepoView, names: tuple[str, ...], section: str, kind: type) -> Iterator[tuple[str, Any, Any]]:
    """(path, document, section) of every YAML file with one of `names` whose top-level
    `section` is a `kind` (a dvc.yaml's `stages:` mapping, a project.yml's `commands:` list)."""
    for name in names:
        for rel in view.by_name(name):
            data = view.yaml(rel)
            value = data.get(section) if isinstance(data, dict) else None
            if isinstance(value, kind):
                yield rel, data, value


def project_commands(view: RepoView) -> list[ProjectCommand]:
    """Commands of every spaCy / Weasel project file (project.yml with `commands:` entries that
    have a name and a script): a pipeline whose commands re-run when their inputs change."""
    key = ("data.project_commands",)
    if key in view.memo:
        return view.memo[key]
    out: list[ProjectCommand] = []
    for rel, data, cmds in _yaml_sections(view, ("project.yml", "project.yaml"), "commands", list):
        flows = data.get("workflows")
        member: dict[str, list[str]] = {}
        if isinstance(flows, dict):
            for wf, steps in flows.items():
                for step in steps if isinstance(steps, list) else ():
                    if isinstance(step, str):
                        member.setdefault(step, []).append(str(wf))
        lines = getattr(cmds, "item_lines", [])
        for i, cmd in enumerate(cmds):
            if not isinstance(cmd, dict) or not isinstance(cmd.get("name"), str):
                continue
            script = cmd.get("script")
            if not isinstance(script, list):
                continue
            slines = getattr(script, "item_lines", [])
            scripts = tuple((slines[j] if j < len(slines) else 0, t) for j, t in enumerate(script) if isinstance(t, str))
            if not scripts:
                continue
            line = lines[i] if i < len(lines) else 1
            out.append(ProjectCommand(rel, cmd["name"], line, scripts, tuple(member.get(cmd["name"], ()))))
    view.memo[key] = out
    return out


_PROJECT_PREP_NAMES = frozenset({"convert", "corpus", "preprocess", "clean"})
_PROJECT_PREP_CMD = lazy_re(r"\bspacy\s+convert\b|\bweasel\s+assets\b")


@prefilters("commands:")
def project_prep_command(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A spaCy / Weasel project command that prepares data: named for it (convert, corpus,
    preprocess, split...) or running `spacy convert` / a preparation script."""
    allowed = set(paths(view, det, ("project.yml", "project.yaml")))
    for cmd in project_commands(view):
        if cmd.path not in allowed:
            continue
        name = cmd.name.replace("-", "_")
        if name.lower() in _PROJECT_PREP_NAMES | EXACT_PREP or (PREP_NAME.search(name) and not TRAIN_NAME.search(name)) or any(
                _PROJECT_PREP_CMD.search(t) or PREP_NAME.search(_script_of(t)) for _, t in cmd.scripts):
            yield Hit(cmd.path, cmd.line, f"project command {cmd.name} prepares data")
            return


def dvc_stages(view: RepoView) -> list[DvcStage]:
    """Stages of every dvc.yaml (foreach/matrix stages count once, with their `do` command)."""
    key = ("data.dvc_stages",)
    if key in view.memo:
        return view.memo[key]
    out: list[DvcStage] = []
    for rel, _, stages in _yaml_sections(view, ("dvc.yaml", "dvc.yml"), "stages", dict):
        for name, st in stages.items():
            if not isinstance(st, dict):
                continue
            body = st.get("do") if isinstance(st.get("do"), dict) else st
            cmd = body.get("cmd")
            cmd_text = " && ".join(c for c in cmd if isinstance(c, str)) if isinstance(cmd, list) else (cmd if isinstance(cmd, str) else "")
            cmd_line = body.line_of("cmd", stages.line_of(name, 1)) if hasattr(body, "line_of") else 1
            outs: list[tuple[str, int]] = []
            for k in ("outs", "outs_no_cache", "outs_persist"):
                items = body.get(k)
                if isinstance(items, list):
                    lines = getattr(items, "item_lines", [])
                    for i, it in enumerate(items):
                        p = it if isinstance(it, str) else (next(iter(it)) if isinstance(it, dict) and it else None)
                        if isinstance(p, str):
                            outs.append((p, lines[i] if i < len(lines) else cmd_line))
            out.append(DvcStage(rel, str(name), stages.line_of(name, 1), cmd_text, cmd_line or 1, outs))
    view.memo[key] = out
    return out


# `prepare_release`, `prep_docs`, `prepare_env`: preparing something other than data.
_NOT_DATA = (r"(?![_-]?(?:release|docs?|env|environment|venv|commit|deploy\w*|dist|package|changelog|version|repo|ci|tests?|"
             r"infra|cluster|image|container|docker|model|submission|pr)(?![a-z]))")
PREP_NAME = lazy_re(
    r"(?i)(^|[^a-z])(pre[_-]?proc\w*|prep" + _NOT_DATA + r"|prepare" + _NOT_DATA + r"\w*|data[_-]?prep\w*|make[_-]?data(set)?s?|build[_-]?(data(set)?|features?)\w*|"
    r"create[_-]?(data(set)?|features?)\w*|generate[_-]?data(set)?\w*|featuri[sz]\w*|feature[_-]?(engineering|extraction|pipeline|gen\w*)|"
    r"ingest\w*|etl|extract[_-]?(raw[_-]?)?(data|features?)\w*|clean(ing)?[_-]?data\w*|data[_-]?clean\w*|transform[_-]?data\w*|split[_-]?data\w*|data[_-]?split\w*|"
    r"download[_-]?data(set)?\w*|fetch[_-]?(raw[_-]?)?data\w*|get[_-]?data|tokeni[sz](e|ation)\w*|process(ing)?[_-]?(data|dataset|raw)\w*|"
    r"data[_-]?process\w*|data[_-]?(extract|transform)\w*|load[_-]?(raw[_-]?)?data|data[_-]?load\w*|data[_-]?ingest\w*|prepare[_-]?data\w*)($|[^a-z])"
)
# Stage / target names that are data preparation on their own.
EXACT_PREP = frozenset({"data", "dataset", "datasets", "features", "split", "extract", "transform", "download",
                        "process", "etl", "cleaning", "preprocessing"})
# "train" in a function's name, but not train_test_split / train_val_split: splitting the data
# is preparation, not training.
TRAIN_NOT_SPLIT = r"train(?!_test_split$|_val_split$)"
TRAIN_NAME = lazy_re(r"(?i)(^|[^a-z])(re)?train(ing|er)?([^a-z]|$)|(^|[^a-z])(fit|finetune|fine_?tun\w*)([^a-z]|$)")
_TRAIN_CMD = lazy_re(r"(?i)(^|[\s/.=\"'])((re)?train\w*|finetun\w*|fine_tun\w*|fit)(\.py)?\b")
# A script named for training after a qualifier (`model_training`, `xgb_train_v2`); a split of the
# training set (`split_train`, `train_test`) is data preparation.
_TRAIN_SCRIPT_SUFFIX = lazy_re(r"(?i)[a-z0-9][_-](re)?train(ing|er)?([_-]v?\d+)?$")
_SPLIT_WORD = lazy_re(r"(?i)split|test|holdout|sample")


def dvc_prep_stages(view: RepoView) -> Iterator[tuple[DvcStage, str]]:
    for st in dvc_stages(view):
        if PREP_NAME.search(st.name) or st.name.lower() in EXACT_PREP or PREP_NAME.search(_script_of(st.cmd)):
            yield st, "dvc.yaml stage {} prepares data".format(st.name)


def _script_of(cmd: str) -> str:
    """The script or module a command runs (`src/prepare.py`, `pkg.data.make_dataset`)."""
    m = re.search(r"(?:^|\s)(?:-m\s+)?([\w./-]+\.(?:py|sh|R|r))\b|-m\s+([\w.]+)", cmd)
    if not m:
        return ""
    s = m.group(1) or m.group(2) or ""
    return s.rsplit("/", 1)[-1].rsplit(".", 1)[0] if m.group(1) else s.rsplit(".", 1)[-1]


def dvc_train_stages(view: RepoView) -> Iterator[DvcStage]:
    """Stages that train: named for training or running a training script. A stage that
    prepares the training data (preprocess-training-data, prepare_train_set) with a script that
    is not a training script prepares data, whatever the word "training" in its name."""
    for st in dvc_stages(view):
        if "split" in st.name.lower():
            continue
        script = _script_of(st.cmd) or "~"
        if _TRAIN_CMD.search(script):
            yield st
        elif _TRAIN_SCRIPT_SUFFIX.search(script) and not PREP_NAME.search(script) and not _SPLIT_WORD.search(script):
            yield st  # model_training.py, dvc_training.py: a qualifier before the training word
        elif TRAIN_NAME.search(st.name) and not PREP_NAME.search(st.name):
            yield st


# -- shared: Makefiles -----------------------------------------------------------------------


@dataclass
class MakeTarget:
    name: str
    line: int
    prereqs: list[str]
    recipe: list[tuple[int, str]]


_TARGET = lazy_re(r"^([A-Za-z0-9_.%/-]+(?:\s+[A-Za-z0-9_.%/-]+)*)\s*::?(?!=)\s*(.*)$")


_MAKE_CONDITIONAL = lazy_re(r"^[ \t]*(?:ifeq|ifneq|ifdef|ifndef|else|endif)\b")


def make_targets(view: RepoView, rel: str) -> dict[str, MakeTarget]:
    key = ("data.make", rel)
    if key in view.memo:
        return view.memo[key]
    out: dict[str, MakeTarget] = {}
    cur: list[MakeTarget] = []
    for i, line in enumerate(view.lines(rel), start=1):
        if line.startswith("\t"):
            s = line.strip()
            if s and not s.startswith("#"):
                for t in cur:
                    t.recipe.append((i, s.lstrip("@-+ ")))
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if _MAKE_CONDITIONAL.match(line):
            continue  # ifneq / else / endif inside a recipe choose its lines; the rule goes on
        m = _TARGET.match(line)
        if m and not line.startswith((" ", ".PHONY", "export ", "ifeq", "ifneq", "ifdef", "ifndef", "include ", "define ")):
            deps = m.group(2).split(";", 1)[0].split("#", 1)[0].split()
            cur = []
            for name in m.group(1).split():
                if name.startswith("."):
                    continue
                t = out.setdefault(name, MakeTarget(name, i, [], []))
                t.prereqs += deps
                cur.append(t)
        else:
            cur = []
    view.memo[key] = out
    return out


_RUNS_CODE = lazy_re(r"\b(python3?|py|\$\(PYTHON\w*\)|\$\{PYTHON\w*\}|poetry run|uv run|Rscript|bash|sh|spark-submit|dbt|"
                        r"kedro run|dvc repro|\./[\w./-]+|[\w./-]+\.(py|sh))\b")


def makefiles(view: RepoView) -> list[str]:
    return [r for r in view.files if r.rsplit("/", 1)[-1] in ("Makefile", "makefile", "GNUmakefile")
            and not view.is_test(r)]


# -- shared: orchestrators -------------------------------------------------------------------

# Pipeline (DAG / flow) definitions, by framework.
PIPELINE_DEFS: dict[str, tuple[str, ...]] = {
    "Airflow DAG": ("airflow.DAG", "airflow.models.DAG", "airflow.models.dag.DAG", "airflow.decorators.dag",
                    "airflow.sdk.dag", "airflow.sdk.DAG"),
    "Kubeflow pipeline": ("kfp.dsl.pipeline", "kfp.v2.dsl.pipeline", "kfp.dsl.Pipeline"),
    "SageMaker pipeline": ("sagemaker.workflow.pipeline.Pipeline",),
    "ZenML pipeline": ("zenml.pipeline", "zenml.pipelines.pipeline"),
    "Flyte workflow": ("flytekit.workflow", "flytekit.dynamic"),
    "Prefect flow": ("prefect.flow", "prefect.Flow"),
    "Dagster job": ("dagster.job", "dagster.graph", "dagster.define_asset_job", "dagster.Definitions", "dagster.repository"),
    # Software-defined assets: each @asset is a node of the asset graph Dagster materialises
    # (from a job, a schedule or the UI), as a task is a node of a DAG.
    "Dagster asset graph": ("dagster.asset", "dagster.multi_asset", "dagster.graph_asset", "dagster.graph_multi_asset"),
    "Kedro pipeline": ("kedro.pipeline.pipeline", "kedro.pipeline.Pipeline", "kedro.pipeline.modular_pipeline.pipeline"),
    "Azure ML pipeline": ("azureml.pipeline.core.Pipeline", "azureml.pipeline.core.pipeline.Pipeline",
                          "azure.ai.ml.dsl.pipeline"),
    "TFX pipeline": ("tfx.orchestration.pipeline.Pipeline", "tfx.v1.dsl.Pipeline", "tfx.dsl.Pipeline"),
    "Vertex pipeline job": ("google.cloud.aiplatform.PipelineJob", "google.cloud.aiplatform.pipeline_jobs.PipelineJob"),
    "Luigi pipeline": ("luigi.build", "luigi.run"),
}
PIPELINE_CLASS_BASES: dict[str, tuple[str, ...]] = {
    "Metaflow flow": ("metaflow.FlowSpec",),
    "Luigi task": ("luigi.Task", "luigi.WrapperTask", "luigi.contrib.*"),
}
ORCHESTRATOR_ROOTS = frozenset({"airflow", "kfp", "sagemaker", "zenml", "flytekit", "prefect", "dagster", "kedro",
                                "azureml", "azure", "tfx", "google", "metaflow", "luigi"})
_ORCH_TAILS = ("DAG", "dag", "pipeline", "Pipeline", "flow", "workflow", "job", "graph", "Definitions", "FlowSpec",
               "Task", "PipelineJob", "repository", "dynamic", "luigi", "asset")


@dataclass
class OrchestratedFile:
    rel: str
    framework: str
    line: int
    facts: PyFacts


def orchestrator_files(view: RepoView, det: DetectorSpec) -> list[str]:
    """The .py files `orchestrated_files` parses: those importing an orchestrator (the
    `parses` hint of the checks built on it)."""
    return selected(view, det, "orchestrator", lambda: python_files(view, det, ORCHESTRATOR_ROOTS, notebooks=False, tails=_ORCH_TAILS))


def orchestrated_files(view: RepoView, det: DetectorSpec, rels: list[str] | None = None) -> Iterator[OrchestratedFile]:
    """Python files (not notebooks) that define a pipeline, DAG or flow of an orchestrator
    (among `rels`, a subset of `orchestrator_files`, when given)."""
    all_pats = tuple(p for pats in PIPELINE_DEFS.values() for p in pats)
    for rel in orchestrator_files(view, det) if rels is None else rels:
        facts = view.python(rel)
        if facts is None:
            continue
        found: tuple[str, int] | None = None
        for call in matching_calls(facts, all_pats):
            fw = next(k for k, v in PIPELINE_DEFS.items() if name_matches(call.name, v))
            found = (fw, call.line)
            break
        for c in facts.classes:
            for fw, bases in PIPELINE_CLASS_BASES.items():
                if any(name_matches(b, bases) for b in c.bases) and (found is None or c.line < found[1]):
                    found = (fw, c.line)
        if found:
            yield OrchestratedFile(rel, found[0], found[1], facts)


# A function handed to an orchestrator by reference: a Kedro `node(func, ...)` /
# `node(func=...)`, an Airflow `python_callable=fn` (names, not string literals).
_CALLABLE_REF = lazy_re(r"\bnode\(\s*(?!func\s*=)([A-Za-z_][\w.]*)\s*,|\b(?:func|python_callable)\s*=\s*([A-Za-z_][\w.]*)")


def callable_refs(view: RepoView, rel: str) -> list[tuple[int, str]]:
    """(line, function name) of the functions a pipeline file passes to nodes / operators."""
    text = view.text(rel) or ""
    out = []
    for m in _CALLABLE_REF.finditer(text):
        name = (m.group(1) or m.group(2)).rsplit(".", 1)[-1]
        if name in ("None", "lambda", "partial"):
            continue
        line_start = text.rfind("\n", 0, m.start()) + 1
        if text[line_start:m.start()].lstrip().startswith("#"):
            continue
        out.append((text.count("\n", 0, m.start(m.lastindex)) + 1, name))
    return out


def code_lines(view: RepoView, rel: str) -> list[tuple[int, str]]:
    """(line, text) of lines that are neither comments nor imports."""
    out = []
    for i, line in enumerate(view.lines(rel), start=1):
        s = line.strip()
        if not s or s.startswith(("#", "import ", "from ")):
            continue
        out.append((i, line))
    return out


# -- data.versioning -------------------------------------------------------------------------


def dvc_tracks_data(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """DVC tracks data: a .dvc file or a dvc.yaml output that is data (not only a model,
    metrics or plots); a .dvc file importing from a dataset registry; or a DVC project with a
    remote and nothing committed that says it only holds models."""
    allowed = set(paths(view, det))
    tracked_any = False
    for rel in view.by_ext(".dvc"):
        if rel not in allowed or rel.startswith(".dvc/"):
            continue
        data = view.yaml(rel)
        if not isinstance(data, dict):
            continue
        outs = data.get("outs")
        wdir = data.get("wdir") if isinstance(data.get("wdir"), str) else ""
        deps = data.get("deps")
        imported = isinstance(deps, list) and any(isinstance(d, dict) and isinstance(d.get("repo"), dict) for d in deps)
        if isinstance(outs, list):
            tracked_any = True
            for i, o in enumerate(outs):
                p = o.get("path") if isinstance(o, dict) else None
                if not isinstance(p, str):
                    continue
                base = rel.rsplit("/", 1)[0] if "/" in rel else ""
                full = "/".join(x for x in (base, wdir, p) if x and x != ".")
                if imported or data_like(full):
                    line = o.line_of("path", outs.item_lines[i] if i < len(outs.item_lines) else 1)
                    why = "imports" if imported else "tracks"
                    yield Hit(rel, line, f"DVC {why} data {p}")
                    break
    for st in dvc_stages(view):
        if st.path not in allowed:
            continue
        tracked_any = tracked_any or bool(st.outs)
        for p, line in st.outs:
            if data_like(p):
                yield Hit(st.path, line, f"dvc.yaml stage {st.name} versions data output {p}")
                break
    if tracked_any:
        return
    for rel in view.glob(".dvc/config"):
        text = view.text(rel) or ""
        m = re.search(r"^\s*\[\s*['\"]?remote\s+\"", text, re.M)
        if m and rel in allowed:
            yield Hit(rel, text.count("\n", 0, m.start()) + 1, "configures a DVC remote")


_LFS_LINE = lazy_re(r"^\s*(\S+)\s+.*\bfilter=lfs\b")


# Extensions that are data whatever the directory (images, archives, .bin or .json may be docs
# assets or weights: they count only under a data directory).
_LFS_DATA_EXT = lazy_re(r"\.(csv|tsv|parquet|pq|feather|arrow|jsonl|ndjson|npy|npz|tfrecords?|avro|orc|xlsx?|"
                           r"hdf|zarr|msgpack|db|sqlite|nc|dcm|nii|las|laz|shp|geojson|wds|idx)\*?$", re.I)


def lfs_tracks_data(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """.gitattributes routes data files through git-lfs (not only images for docs or model
    weights)."""
    for rel in paths(view, det, (".gitattributes",)):
        for i, line in enumerate(view.lines(rel), start=1):
            m = _LFS_LINE.match(line)
            if not m:
                continue
            pat = m.group(1)
            folder = pat.rsplit("/", 1)[0] if "/" in pat else ""
            in_data_dir = bool(folder) and _DATA_WORD.search(folder) is not None and not _MODEL_WORD.search(folder)
            if (in_data_dir and not _MODEL_EXT.search(pat.rstrip("*"))) or _LFS_DATA_EXT.search(pat):
                yield Hit(rel, i, f"git-lfs tracks data files {pat}")
                break


# -- data.pipeline ---------------------------------------------------------------------------

_PREP_SCRIPT = lazy_re(
    # prepare_release_notes, prepare_model_from_hub, prepare_mar.sh (a TorchServe model archive): the
    # word ends at an underscore too, and packaging a model for serving is not preparing data
    r"^(pre_?process\w*|prepare(?!_?(models?|submission|env|environment|release|docs?|config|weights|checkpoints?|deploy\w*|"
    r"results?|reports?|package|build|commit|pr|ci|mar|archive|onnx|torchscript|tensorrt|trt|engine|bento|serving|handler)"
    r"(?![a-z0-9]))\w*|prep_\w+|prep|data_?prep\w*|make_?data(set)?s?\w*|build_?(data(set)?|features?)\w*|"
    r"create_?(data(set)?|features?)\w*|generate_?data(set)?\w*|data_?set_?generat(or|ion)\w*|"
    r"generate_?features?(_?set)?|features?_?(set_?)?generation|"
    r"load_?raw_?data\w*|featuri[sz]\w*|feature_?(engineering|extraction)\w*|"
    r"ingest\w*|etl\w*|clean_?data\w*|process_?(data|dataset|raw)\w*|download_?data(set)?\w*|split_?data\w*|"
    r"tokeni[sz]e_?data\w*|data_?processing|data_?preprocessing|prepare_?data\w*|\w+_preprocess(ing)?|\w+_prepare_data|"
    r"\w*(features?|data)_?pipeline\w*|"
    # transform_data.py: the raw tables re-encoded into what the notebooks or training read (not
    # data_transforms.py, a module of augmentations)
    r"transform_?(raw_?)?data(set)?s?(_\w+)?|data_?transformation(_\w+)?|"
    # create_folds.py, make_kfolds.py: the cross-validation split written for training to read
    r"(create|make|build|generate|split)_?(cv_?|k_?|stratified_?)?folds?(_\w+)?|"
    # train_val_test_split.py, dataset_split.py: the held-out split written to folders or files;
    # convert_dataset_to_tar.py: the dataset rewritten in the format training reads
    r"(train_?)?(val(id(ation)?)?_?)?test_?split\w*|train_?val(id(ation)?)?_?split\w*|data_?set_?split\w*|"
    r"convert_?data(set)?s?(_\w+)?|"
    # export_training_data.py, build_training_set.py: the examples training reads, written out
    r"(export|build|create|make|generate|write|dump)_?training_?(data(set)?|set|pairs|samples|examples)(_\w+)?)$",
    re.I)
# Scripts that fetch a dataset count when they live with the data (data/scripts/get_coco.sh).
_FETCH_SCRIPT = lazy_re(r"^(download|get|fetch)_\w+$", re.I)
# download_and_prepare.py, fetch_and_preprocess.py: a fetch script that also prepares what it
# fetched, a data step wherever it sits (weights, checkpoints and models stay out, above).
_FETCH_AND_PREP = lazy_re(r"_and_(pre_?process|prepare|prep|clean)(?!_?(release|docs?|env|environment|submission|deploy\w*|package|build|config|"
                          r"results?|reports?)\b)", re.I)
# data_preprocessing/, preprocessing_v2/, data_prep_new/: a folder of preparation steps, also
# when a version suffix tells a reworked copy from the first.
# A suffix naming what the folder holds (preprocessing_scripts/, etl_jobs/) keeps it a preparation folder.
_PREP_DIR = lazy_re(r"(^|/)((data_?)?pre_?processing|data_?prep(aration)?|etl|ingestion|data_?processing|feature_?engineering)"
                    r"([_-](new|old|v?\d+|scripts?|tools?|jobs?))?/", re.I)


# A retrieval (RAG) app's ingestion step: a script named for filling the index or vector store
# (populate_database.py, build_index.py) that chunks/embeds documents into one. A script that
# seeds an application database has the name but none of these words.
_INDEX_SCRIPT = lazy_re(r"(?i)^(populate|build|create|update|load|fill|refresh)_?(vector_?(db|store|index)|vectorstore|chroma|faiss|"
                        r"index|database|db|embeddings?|knowledge_?base|kb)\w*$|"
                        # embed_docs.py, index_documents.py: the documents embedded into the store
                        r"^(embed|index|vectori[sz]e)_?(docs?|documents?|files|corpus|pdfs?|knowledge_?base|kb|texts?|pages|articles)$")
_VECTOR_STORE_NEEDLES = ("Chroma", "FAISS", "VectorStore", "vectorstore", "vector_store", "TextSplitter", "from_documents",
                         "add_documents", "VectorStoreIndex", "PineconeVectorStore", "Qdrant", "Weaviate",
                         # the vector databases' own clients (chromadb.PersistentClient(...).add(...))
                         "chromadb", "qdrant_client", "pinecone", "pymilvus", "lancedb", "pgvector", "weaviate")
# A shell script that runs the indexing names the embedding model or the chunking it sets up
# (EMBEDDING_MODEL_NAME=..., chunk_size=700), where a database REINDEX names neither.
_EMBED_SHELL_NEEDLES = ("embedding", "EMBEDDING", "Embedding", "chunk_size", "chunk_overlap", "CHUNK_SIZE")


def data_prep_scripts(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A runnable script dedicated to data preparation (prepare.py, make_dataset.py,
    preprocess_*.py, a RAG app's populate_database.py that fills a vector store ... with a
    `__main__` guard or module-level work)."""
    for rel in paths(view, det, ("*.py", "*.sh")):
        # update-index.sh names its step as update_index.py does
        base = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0].replace("-", "_")
        folder = rel.rsplit("/", 1)[0] if "/" in rel else ""
        fetch = _FETCH_SCRIPT.match(base) is not None and (
            _DATA_WORD.search(folder) is not None or re.search(r"(?i)data|corpus", base) is not None
            or _FETCH_AND_PREP.search(base) is not None) and not re.search(
            r"(?i)weights?|models?|checkpoints?|ckpts?|pretrained", base)
        stage_like = rel.endswith(".py") and _STAGE_DIR.search(rel) is not None and _STAGE_NAME.match(base) is not None
        index = _INDEX_SCRIPT.match(base) is not None and view.contains_any(
            rel, _VECTOR_STORE_NEEDLES if rel.endswith(".py") else _VECTOR_STORE_NEEDLES + _EMBED_SHELL_NEEDLES)
        if not (_PREP_SCRIPT.match(base) or fetch or stage_like or index or (_PREP_DIR.search(rel) and base != "__init__")):
            continue
        if base in ("setup", "__init__", "conftest") or "/docs/" in f"/{rel}":
            continue
        if rel.endswith(".py") and gallery_example(view, rel):
            continue  # a library's documented usage example, built into its docs
        if rel.endswith(".sh"):
            # the tool as a command (line start, after ; & | ( or sudo/then/do), not a word in a
            # path or an argument (`[[ -f ~/.kaggle/kaggle.json ]]`, `pip install kaggle`)
            fetch_cmd = re.compile(r"(?:^|[;&|(]|\b(?:sudo|then|do))\s*(curl|wget|unzip|tar|gdown|kaggle|aws\s+s3|gsutil|azcopy|"
                                   r"huggingface-cli|hf\s+download|git\s+clone)\b")
            lines = meaningful_lines(view, rel)
            line = next((i for i, s in lines if fetch and fetch_cmd.search(s)), None) or next(
                (i for i, s in lines if _RUNS_CODE.search(s) and not re.match(r"\s*\w+=", s)), None)
            if line:
                yield Hit(rel, line, f"data preparation script {rel.rsplit('/', 1)[-1]}")
            continue
        tree = py_tree(view, rel)
        if tree is None:
            continue
        if not is_script(tree):
            stage = _pipeline_stage_line(rel, tree)
            if stage is not None:
                yield Hit(rel, stage, f"data preparation stage of a pipeline {rel.rsplit('/', 1)[-1]}")
            elif rel.endswith(".py") and _PREP_SCRIPT.match(base) and (line := _serverless_handler_line(tree)) is not None:
                yield Hit(rel, line, f"serverless data preparation function {rel.rsplit('/', 1)[-1]}")
            continue
        facts = view.python(rel)
        if facts is not None and facts.notebook_export:
            continue
        if _only_copies_files(tree):
            continue  # stages sample files somewhere (ingest_samples.py copies a folder into uploads/)
        line = next((s.lineno for s in tree.body if isinstance(s, ast.If) and "__main__" in ast.dump(s.test)), None)
        if line is None and _imported_elsewhere(view, rel):
            continue  # module-level work in a module other code imports: a library, not a step
        if line is None:
            line = next((s.lineno for s in tree.body if not isinstance(
                s, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                and not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))), 1)
        yield Hit(rel, line, f"runnable data preparation script {rel.rsplit('/', 1)[-1]}")


# What a script that only puts files in place calls: copies, folders, paths, its CLI, output.
_COPY_CALLS = frozenset({"copy", "copy2", "copyfile", "copytree", "move"})
_FILE_ADMIN_CALLS = _COPY_CALLS | frozenset({
    "makedirs", "mkdir", "glob", "rglob", "iterdir", "listdir", "scandir", "walk", "is_file", "is_dir", "exists", "isfile",
    "isdir", "join", "basename", "dirname", "abspath", "relpath", "resolve", "expanduser", "Path", "PurePath", "print", "len",
    "str", "sorted", "enumerate", "ArgumentParser", "add_argument", "parse_args", "main", "info", "warning", "debug",
    "getLogger", "basicConfig", "exit"})


def _only_copies_files(tree: ast.Module) -> bool:
    """A script whose work is copying files unchanged into a folder (shutil.copy over a
    directory listing): no call reads, transforms or selects the data (no slice, no comparison
    but its `__main__` guard), so a split into train / val folders is not such a script."""
    copies = False
    for n in ast.walk(tree):
        if isinstance(n, ast.Call):
            name = n.func.attr if isinstance(n.func, ast.Attribute) else n.func.id if isinstance(n.func, ast.Name) else ""
            if name not in _FILE_ADMIN_CALLS:
                return False
            copies = copies or name in _COPY_CALLS
        elif isinstance(n, ast.Slice) or (isinstance(n, ast.Compare) and "__main__" not in ast.dump(n)):
            return False
    return copies


def _serverless_handler_line(tree: ast.Module) -> int | None:
    """Line of a top-level serverless entry point `def handler(event, context)` (AWS Lambda,
    Azure / Google functions with that signature): the module runs on its own when invoked."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names = [a.arg.lstrip("_") for a in node.args.args[:2]]
            if names == ["event", "context"]:
                return node.lineno
    return None


# -- data.pipeline: an entry script (main.py, run.py ...) whose main runs a data-prep step ------

_PREP_DEF_TEXT = lazy_re(r"(?im)^[ \t]*(?:def|class)[ \t]+\w*(pre_?process|prepar|ingest|etl|featuri[sz]|feature_?(engineer|extract|build)|"
                         r"build_?(data|features?)|make_?data|clean_?data|process_?(data|raw)|data_?(transform|prep))")
# What a data-preparation function or class is called (snake-cased class names too): narrower
# than the script names, a prepare_rows() helper of a prediction script is not a step.
_PREP_DEF_NAME = lazy_re(
    r"^(\w+_)?(pre_?process\w*|data_?prep\w*|prepare_?(data|dataset|features|training_data)\w*|build_?(data_?set|features?)\w*|"
    r"make_?data_?set\w*|feature_?(engineering|extraction|builder|pipeline)\w*|featuri[sz]\w*|etl\w*|ingest\w*|data_?ingestion\w*|"
    r"data_?transformation\w*|clean_?data\w*|process_?(raw|data)\w*)$", re.I)
# A main that predicts, evaluates or trains: the preparation is part of that run.
_NOT_PREP_RUN = lazy_re(r"(?i)predict|infer|evaluat|classify|generate|forward|load_model|serve|(^|_)(re)?" + TRAIN_NOT_SPLIT + r"|^fit$|_fit$|"
                        r"^fit_generator$|^partial_fit$")


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _called_names(nodes: list[ast.stmt]) -> list[str]:
    out = []
    for stmt in nodes:
        for n in ast.walk(stmt):
            if isinstance(n, ast.Call):
                name = dotted(n.func) or (n.func.attr if isinstance(n.func, ast.Attribute) else "")
                if name:
                    out.append(name.rsplit(".", 1)[-1])
    return out


@prefilters("__main__")
def entry_script_runs_prep(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A runnable script with a generic name (main.py, run.py, job.py) whose `__main__` block,
    directly or through the main() it calls, runs a data-preparation function or class of its
    own (SparkPreprocessing(...).preprocess(), build_features()) and trains nothing: a
    standalone preparation step, typically launched as a Spark / batch job. A preparation
    function handed to a command-line runner (typer.run(preprocess), the @app.command()s of
    a Typer app) counts where the script writes its output."""
    for rel in paths(view, det, ("*.py",)):
        base = rel.rsplit("/", 1)[-1][:-3]
        if _PREP_SCRIPT.match(base) or _PREP_DIR.search(rel) or (_STAGE_DIR.search(rel) and _STAGE_NAME.match(base)):
            continue  # prep-named scripts and stages are data_prep_scripts' business
        if not view.contains_any(rel, ("__main__",)):
            continue
        text = view.text(rel) or ""
        own = _PREP_DEF_TEXT.search(text) is not None
        if not own and not _PREP_IMPORT_TEXT.search(text):
            continue
        tree = py_tree(view, rel)
        if tree is None:
            continue
        guard = next((s for s in tree.body if isinstance(s, ast.If) and "__main__" in ast.dump(s.test)), None)
        if guard is None:
            continue
        defs = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
        prep_defs = {name for name in defs if _PREP_DEF_NAME.match(_snake(name))} | _imported_prep(view, rel, tree)
        if not prep_defs:
            continue
        called = _called_names(guard.body)
        for name in list(called):
            fn = defs.get(name)
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) and name not in prep_defs:
                called += _called_names(fn.body)  # main() and the like, one level down
        handed = _cli_handed_names(guard.body, tree)
        if any(_NOT_PREP_RUN.search(c) or _NOT_PREP_RUN.search(_snake(c)) for c in called + handed):
            continue  # preparation inside a training run, or an inference script's input preprocessing
        hit = next((c for c in called if c in prep_defs), None)
        if hit is None and _WRITES_OUTPUT.search(text):
            # handed to a CLI (typer.run(preprocess), fire.Fire, an app() of @app.command()s): a
            # template's stub that writes nothing stays out
            hit = next((c for c in handed if c in prep_defs), None)
        if hit is None:
            continue
        yield Hit(rel, guard.lineno, f"script {rel.rsplit('/', 1)[-1]} runs data preparation {hit}")


# `from src.data_ingestion import DocumentIngestor`: a preparation step of the project imported
# by its entry script (checked on the parsed import, below).
_PREP_IMPORT_TEXT = lazy_re(r"(?im)^[ \t]*from[ \t]+[\w.]+[ \t]+import[^\n]*(pre_?process|prepar|ingest|etl|featuri[sz]|"
                            r"feature_?(engineer|extract|build)|build_?(data|features?)|make_?data|clean_?data|process_?(data|raw)|"
                            r"data_?(transform|prep))")


def _imported_prep(view: RepoView, rel: str, tree: ast.Module) -> set[str]:
    """Names an entry script imports from the project's own modules that are named for data
    preparation (DocumentIngestor, build_features): the script runs the project's step."""
    out = set()
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom) or not node.module or node.level:
            continue
        names = [a for a in node.names if _PREP_DEF_NAME.match(_snake(a.name))]
        if names and local_module_file(view, node.module, rel) is not None:
            out.update(a.asname or a.name for a in names)
    return out


_CLI_RUNNERS = frozenset({"typer.run", "fire.Fire", "Fire"})


def _cli_handed_names(body: list[ast.stmt], tree: ast.Module) -> list[str]:
    """Functions a `__main__` block hands to a command-line runner: `typer.run(preprocess)`,
    `fire.Fire(main)`, or the `@app.command()` functions of the `app()` it calls."""
    out: list[str] = []
    apps: set[str] = set()
    for stmt in body:
        for n in ast.walk(stmt):
            if not isinstance(n, ast.Call):
                continue
            name = dotted(n.func) or ""
            if name in _CLI_RUNNERS:
                out += [a.id for a in n.args if isinstance(a, ast.Name)]
            elif isinstance(n.func, ast.Name):
                apps.add(n.func.id)
    if apps:
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                    isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr == "command"
                    and isinstance(d.func.value, ast.Name) and d.func.value.id in apps for d in node.decorator_list):
                out.append(node.name)
    return out


_STAGE_DIR = lazy_re(r"(^|/)(pipelines?|stages?|components?)/[^/]+$", re.I)
_STAGE_NAME = lazy_re(r"^(stage_?\d+_?)?\w*(data_?ingestion|data_?transformation|prepare_?data|pre_?process\w*|"
                         r"data_?preprocessing|feature_?engineering|data_?preparation)\w*$", re.I)


# The method a stage class runs its step with, named for the step (`data_ingestion(self)`,
# `transform_data(self)`) as other stages name it main / run.
_STAGE_METHOD = lazy_re(r"^(data_?(ingestion|transformation|preprocessing|preparation|cleaning)|feature_?engineering|"
                        r"(ingest|transform|prepare|pre_?process|clean|process)_?(the_?)?(raw_?)?data(set)?)$", re.I)


def _stage_method(fn: ast.AST) -> bool:
    """A method that runs a stage: main / run / __call__ / initiate_*, or one named for the data
    step that takes nothing but self (it reads its configuration); `transform_data(self, df)`
    is a helper applied to data handed to it, not a step."""
    if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    if fn.name in ("main", "run", "__call__") or fn.name.startswith("initiate"):
        return True
    args = fn.args
    return (_STAGE_METHOD.match(fn.name) is not None and len(args.posonlyargs + args.args) == 1
            and not args.kwonlyargs and args.vararg is None)


def _pipeline_stage_line(rel: str, tree: ast.Module) -> int | None:
    """A data-preparation stage of a project's own pipeline (pipeline/stage_01_data_ingestion.py,
    pipeline/prepare_data.py): a class with a main/run method (or one named for its step) or a
    main function, run by the pipeline's entry point rather than as a script of its own."""
    base = rel.rsplit("/", 1)[-1][:-3]
    if not (_STAGE_DIR.search(rel) and _STAGE_NAME.match(base)):
        return None
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(_stage_method(b) for b in node.body):
            return node.lineno
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in ("main", "run"):
            return node.lineno
    return None


def _imported_elsewhere(view: RepoView, rel: str) -> bool:
    mod = rel.rsplit("/", 1)[-1][:-3]
    rx = None  # compiled once some file names the module
    for other, text in view.texts(view.by_ext(".py")):
        if other != rel and mod in text:
            if rx is None:
                rx = re.compile(rf"^\s*(from\s+[\w.]*\b{re.escape(mod)}\s+import|import\s+[\w.]*\b{re.escape(mod)}\b|"
                                rf"from\s+[\w.]+\s+import\s+[^\n]*\b{re.escape(mod)}\b)", re.M)
            if rx.search(text):
                return True
    return False


def dvc_prep_stage(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    allowed = set(paths(view, det, ("dvc.yaml", "dvc.yml")))
    for st, msg in dvc_prep_stages(view):
        if st.path in allowed:
            yield Hit(st.path, st.line, msg)


def make_prep_target(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A Makefile target named for data preparation whose recipe runs code."""
    allowed = set(paths(view, det, ("Makefile", "makefile", "GNUmakefile")))
    for rel in makefiles(view):
        if rel not in allowed:
            continue
        for t in make_targets(view, rel).values():
            if "%" in t.name or "/" in t.name or "." in t.name:
                continue
            if not (PREP_NAME.search(t.name) or t.name.lower() in EXACT_PREP):
                continue
            if any(_RUNS_CODE.search(cmd) and not _missing_scripts_only(view, rel, cmd) for _, cmd in t.recipe):
                yield Hit(rel, t.line, f"Makefile target {t.name} runs data preparation")
                break


# -- data.pipeline: a task-runner task (invoke's tasks.py) named for data preparation ---------

# What a preparation script does that a project template's stub does not: it writes its output.
_WRITES_OUTPUT = lazy_re(r"\.(save\w*|to_(csv|parquet|json|feather|pickle|hdf|netcdf)|dump|write(_text|_bytes)?|imwrite|"
                         r"extractall|save_to_disk)\s*\(|\b(savez?|imwrite|dump|copyfile|copytree|copy2)\s*\(")
_RUN_MODULE = lazy_re(r"(?:^|\s)-m\s+([\w.{}]+)")
_RUN_SCRIPT = lazy_re(r"(?:^|[\s=])((?:[\w.{}-]+/)*[\w.{}-]+\.py)\b")


def _fstring(node: ast.AST) -> str | None:
    """A literal command string; an f-string's fields as `{NAME}` (filled in from the module's
    constants by the caller), None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        out = []
        for v in node.values:
            if isinstance(v, ast.Constant) and isinstance(v.value, str):
                out.append(v.value)
            elif isinstance(v, ast.FormattedValue) and isinstance(v.value, ast.Name):
                out.append("{" + v.value.id + "}")
            else:
                out.append("{?}")
        return "".join(out)
    return None


def _task_command_runs_prep(view: RepoView, cmd: str, consts: dict[str, str]) -> bool:
    """The command a task runs prepares data: the repository script or module it names exists
    and writes something (a template's stub that only prints does not), or it runs code that is
    not a repository script (dvc repro, a shell script)."""
    for name, value in consts.items():
        cmd = cmd.replace("{" + name + "}", value)
    targets: list[str] = []
    for m in _RUN_MODULE.finditer(cmd):
        mod = m.group(1).replace(".", "/")
        targets += [f"{mod}.py", f"src/{mod}.py", f"{mod}/__main__.py", f"src/{mod}/__main__.py"]
    for m in _RUN_SCRIPT.finditer(cmd):
        targets.append(m.group(1).removeprefix("./"))
    if targets:
        if any("{" in t for t in targets):
            return False
        found = [t for t in targets if view.exists(t)]
        return any(_WRITES_OUTPUT.search(view.text(t) or "") for t in found)
    return _RUNS_CODE.search(cmd) is not None


@prefilters("invoke")
def task_runner_prep_task(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """An invoke task (`@task def preprocess_data(ctx): ctx.run("python -m pkg.data ...")`, the
    tasks.py of many project templates) named for data preparation whose command runs a
    script of the repository that writes its output: the Python counterpart of a Makefile
    target. A task running a template's stub that only prints is not a step."""
    for rel in view.with_any(paths(view, det, ("*.py",)), ("invoke",)):
        if "invoke" not in view.modules(rel):
            continue
        facts = view.python(rel)
        tree = py_tree(view, rel)
        if facts is None or tree is None:
            continue
        consts = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)
                  and isinstance(n.value.value, str) for t in n.targets if isinstance(t, ast.Name)}
        for fn in decorated_functions(view, rel, facts):
            if not any(d in ("invoke.task", "invoke.tasks.task") for d, _ in fn.decorators):
                continue
            if not (PREP_NAME.search(fn.name) or fn.name.lower() in EXACT_PREP) or TRAIN_NAME.search(fn.name):
                continue
            cmds = [c for node in ast.walk(fn.node) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "run" and node.args and (c := _fstring(node.args[0])) is not None]
            if any(_task_command_runs_prep(view, c, consts) for c in cmds):
                yield Hit(rel, fn.line, f"invoke task {fn.name} runs data preparation")
                break


# A script path in a recipe, after an optional make-variable directory (`$(PROJECT_DIR)/src/x.py`).
_RECIPE_SCRIPT = lazy_re(r"(?:^|[\s=])(?:\$[({]\w+[)}]/)?((?:[\w.-]+/)*[\w.-]+\.(?:py|sh))\b")


def _missing_scripts_only(view: RepoView, makefile: str, cmd: str) -> bool:
    """The command runs script files, and none of them is in the repository: a target left over
    from a project template (cookiecutter's `make data` -> src/data/make_dataset.py) runs nothing."""
    scripts = [m.group(1) for m in _RECIPE_SCRIPT.finditer(cmd)]
    if not scripts:
        return False
    base = makefile.rsplit("/", 1)[0] + "/" if "/" in makefile else ""
    return not any(view.exists(p) or view.exists(base + p.removeprefix("./")) or view.exists(p.removeprefix("./"))
                   for p in scripts)


_PREP_TASK_TEXT = lazy_re(
    r"""(?ix)(task_id|name|step_name|display_name|set_display_name\()\s*=?\s*["'][^"']*\b(pre_?process\w*|prep\w*|ingest\w*|etl|extract\w*|clean(?![_ -]?up)\w*|
    featuri[sz]\w*|feature[_ -]?engineering|split\w*|download\w*|load[_ -]?data\w*|data[_ -]?(prep|process|load|ingest)\w*|
    process(ing)?[_ -]?data\w*|make[_ -]?dataset|build[_ -]?features|engineer[_ -]?features)"""
)
def _task_decorator(name: str) -> bool:
    return name.split(".", 1)[0] in ORCHESTRATOR_ROOTS or name.rsplit(".", 1)[-1] in (
        "task", "step", "op", "asset", "component", "multi_asset", "command_component", "container_component")


_PREP_STEP_CLASSES = ("sagemaker.workflow.steps.ProcessingStep", "sagemaker.*Processor", "google_cloud_pipeline_components.*Dataset*Op",
                      "tfx.components.{ExampleGen,CsvExampleGen,ImportExampleGen,BigQueryExampleGen,Transform}",
                      "tfx.v1.components.{CsvExampleGen,ImportExampleGen,Transform}", "tfx.v1.extensions.*ExampleGen")


@parses(orchestrator_files)
def orchestrated_prep_task(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A task of an orchestrated pipeline prepares data: a decorated task/step/op/asset function
    or a node/operator/step whose name says so, or a processing step."""
    for of in orchestrated_files(view, det):
        facts = of.facts
        hit: tuple[int, str] | None = None
        for fn in decorated_functions(view, of.rel, facts):
            if PREP_NAME.search(fn.name) and any(_task_decorator(d) for d, _ in fn.decorators):
                hit = (fn.line, f"{of.framework} task {fn.name} prepares data")
                break
        if hit is None:
            for call in matching_calls(facts, _PREP_STEP_CLASSES):
                hit = (call.line, f"{of.framework} step {call.name.rsplit('.', 1)[-1]} prepares data")
                break
        if hit is None:
            for call in facts.calls:
                if call.attr in ("node", "PythonOperator", "BashOperator", "PythonScriptStep", "ContainerOp",
                                 "KubernetesPodOperator", "DockerOperator", "command"):
                    names = [v for v in (call.kwarg("func"), call.kwarg("name"), call.kwarg("task_id"),
                                         call.kwarg("python_callable"), call.kwarg("script_name"),
                                         call.kwarg("display_name")) if isinstance(v, str)]
                    names += [a for a in call.args if isinstance(a, str)]
                    if any(PREP_NAME.search(n.rsplit("/", 1)[-1]) for n in names):
                        hit = (call.line, f"{of.framework} step {call.attr} prepares data")
                        break
        if hit is None:
            for line, name in callable_refs(view, of.rel):
                if PREP_NAME.search(name):
                    hit = (line, f"{of.framework} node {name} prepares data")
                    break
        if hit is None:
            text = view.text(of.rel) or ""
            m = _PREP_TASK_TEXT.search(text)
            if m:
                hit = (text.count("\n", 0, m.start()) + 1, f"{of.framework} task {m.group(2)} prepares data")
        if hit is None:
            hit = _imported_prep_task(view, of)
        if hit is None:
            hit = _operator_callable_moves_data(view, of)
        if hit is None and of.framework == "Dagster asset graph":
            hit = _asset_materialises_data(view, of)
        if hit:
            yield Hit(of.rel, hit[0], hit[1])


# What an ETL step's function does: it reads data (a file, a table, a stream, an API) and writes
# data (a table, a file, a stream). A step that predicts, trains, evaluates, monitors drift,
# reports or notifies is not data preparation, whatever it reads and writes.
_READS_DATA = lazy_re(r"\.read_(csv|parquet|sql\w*|json|excel|feather|table)\(|\breadStream\b|\bspark\.read\b|\.read\.(format|csv|parquet|json|jdbc|table)\b|"
                      r"\bKafkaConsumer\(|\bsubscribe\(|\brequests\.get\(|\.fetchall\(|\.execute\(\s*[\"'f]*\s*select\b", re.I)
_WRITES_DATA = lazy_re(r"\.to_(sql|parquet|csv|feather|json|gbq)\(|\bwriteStream\b|\.write\.(format|mode|jdbc|parquet|csv|saveAsTable|insertInto)\b|"
                       r"\.write\s*\.\s*jdbc\(|\.jdbc\(|\.saveAsTable\(|\.insertInto\(|\.bulk_save_objects\(|\.insert_many\(|\.copy_expert\(|"
                       r"\bexecute_values\(|\.put_item\(|\.batch_writer\(")
# Rows written with SQL (`cur.execute(f"INSERT INTO churn_processed ...")`); searched apart, after
# a substring test: in the alternation above it slowed every search of it by a third.
_SQL_INSERT = lazy_re(r"(?:INSERT|insert|Insert)\s+(?:INTO|into|Into)\s+\w")


def _writes_data(text: str) -> bool:
    return _WRITES_DATA.search(text) is not None or (
        ("nsert" in text or "NSERT" in text) and _SQL_INSERT.search(text) is not None)
_NOT_PREP_STEP = lazy_re(r"\.predict\w*\(|\bload_model\b|\.fit\(|\btrain(?!_test_split)\w*\(|(^|[^a-z])(report|notify|email|alert|slack)\w*\(|drift|(^|[^a-z])(monitor|evaluat)\w*\(", re.I)


def _function_source(tree: ast.Module, text: str, name: str, seen: set[str], depth: int = 1) -> str | None:
    """The source of the module-level function `name`, with the module's own functions it calls
    (one level down)."""
    fn = next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name), None)
    if fn is None:
        return None
    seen.add(name)
    src = ast.get_source_segment(text, fn) or ""
    if depth > 0:
        for c in ast.walk(fn):
            if isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id not in seen:
                inner = _function_source(tree, text, c.func.id, seen, depth - 1)
                if inner:
                    src += "\n" + inner
    return src


def _operator_callable_moves_data(view: RepoView, of: OrchestratedFile) -> tuple[int, str] | None:
    """An operator / node of the pipeline runs a function of this repository (defined in the
    pipeline file or imported from one of its modules) that reads data and writes data (Kafka
    to a database, an API to parquet, a table to a table) without training, predicting,
    evaluating, monitoring drift or reporting: an ETL step, whatever its name."""
    imports = {imp.bound: imp for imp in of.facts.imports if imp.bound}
    for line, name in callable_refs(view, of.rel):
        if TRAIN_NAME.search(name):
            continue
        target = of.rel
        imp = imports.get(name)
        if imp is not None:
            target = local_module_file(view, f"{imp.module}.{imp.name}" if imp.name else imp.module, of.rel) or ""
        if not target.endswith(".py"):
            continue
        text = view.text(target) or ""
        if not _writes_data(text) or not _READS_DATA.search(text):
            continue
        tree = py_tree(view, target)
        if tree is None:
            continue
        src = _function_source(tree, text, imp.name if imp is not None and imp.name else name, set())
        if src and _READS_DATA.search(src) and _writes_data(src) and not _NOT_PREP_STEP.search(src):
            where = f" ({target})" if target != of.rel else ""
            return line, f"{of.framework} step runs {name}{where}, which reads and writes data"
    return None


# A Dagster asset is named for the data it produces (power_time_series, ecmwf_ens), not for
# what it does: its body tells a data step. It fetches or reads data and writes a table or file.
_ASSET_DECORATORS = ("dagster.asset", "dagster.multi_asset")
_ASSET_WRITES = lazy_re(r"\.write_(delta|parquet|csv|ipc|database|table)\(|\.sink_(parquet|csv|ipc)\(|" + _WRITES_DATA.pattern)
# Error reporting (report_failure(), notify_on_error()) is no report step inside an asset.
_ASSET_NOT_PREP = lazy_re(r"\.predict\w*\(|\bload_model\b|\.fit\(|\btrain(?!_test_split)\w*\(|drift|(^|[^a-z])evaluat\w*\(", re.I)
_ASSET_READS = lazy_re(r"\b(pl|polars|pd|pandas)\.(read|scan)_\w+\(|\bdownload\w*\(|\burlopen\(|\b(requests|httpx)\.get\(|" + _READS_DATA.pattern, re.I)


def _asset_materialises_data(view: RepoView, of: OrchestratedFile) -> tuple[int, str] | None:
    """A Dagster asset whose own code reads or downloads data and writes a table or file,
    without training, predicting, evaluating or measuring drift: an ETL asset."""
    text = view.text(of.rel) or ""
    if not _ASSET_WRITES.search(text):
        return None
    for fn in decorated_functions(view, of.rel, of.facts):
        if TRAIN_NAME.search(fn.name) or not any(name_matches(d, _ASSET_DECORATORS) for d, _ in fn.decorators):
            continue
        src = "\n".join(view.lines(of.rel)[fn.node.lineno - 1:fn.node.end_lineno or fn.node.lineno])
        if _ASSET_WRITES.search(src) and _ASSET_READS.search(src) and not _ASSET_NOT_PREP.search(src):
            return fn.line, f"Dagster asset {fn.name} reads and writes data"
    return None


# How a flow runs a task besides calling it: `prep.submit()`, `prep.map()`, `prep.fn()`.
_TASK_RUN_ATTRS = frozenset({"submit", "map", "fn", "with_options", "delay", "apply_async"})


def task_calls(of: OrchestratedFile) -> Iterator[tuple[Call, list[str]]]:
    """The pipeline file's calls of imported functions, as (call, dotted parts of the function),
    a task's run method dropped (`ingest.submit(...)` is a call of `ingest`)."""
    for call in of.facts.calls:
        if not call.resolved or "." not in call.name:
            continue
        parts = call.name.split(".")
        if parts[-1] in _TASK_RUN_ATTRS and len(parts) > 2:
            parts = parts[:-1]
        yield call, parts


# "train" that only names the split a step prepares (train_data_preprocessor,
# preprocess_training_set) does not make the step a training step.
_TRAIN_DATA_QUALIFIER = lazy_re(r"(?i)(re)?train(ing)?_(data(set)?|set|split|df)")


def _defining_module(view: RepoView, rel: str, fn: str, depth: int = 3) -> tuple[str, str, PyFacts | None]:
    """The file defining function `fn` imported from `rel`, following package re-exports
    (`from .etl import clean_data` in `steps/__init__.py`), at most `depth` hops; facts None
    when it is not found."""
    for _ in range(depth):
        facts = view.python(rel)
        if facts is None:
            break
        if any(f.name == fn for f in facts.functions):
            return rel, fn, facts
        imp = next((i for i in facts.imports if i.bound == fn and i.name and i.module.startswith(".")), None)
        if imp is None:
            break
        dots = len(imp.module) - len(imp.module.lstrip("."))
        pkg = rel.rsplit("/", 1)[0] if "/" in rel else ""
        for _ in range(dots - 1):
            pkg = pkg.rsplit("/", 1)[0] if "/" in pkg else ""
        sub = imp.module.lstrip(".").replace(".", "/")
        base = "/".join(p for p in (pkg, sub) if p)
        nxt = next((c for c in (f"{base}.py", f"{base}/__init__.py") if base and view.exists(c)), None)
        if nxt is None:
            break
        rel, fn = nxt, imp.name or fn
    return rel, fn, None


def _imported_prep_task(view: RepoView, of: OrchestratedFile) -> tuple[int, str] | None:
    """A flow calls a data-preparation task defined in another module of the repository
    (`from tasks.ingest import ingest_today` then `ingest_today(...)` in a Prefect flow): the
    function must carry an orchestrator task decorator there, a plain `prepare_dir()` helper
    is not a step."""
    for call, parts in task_calls(of):
        fn = parts[-1]
        if not PREP_NAME.search(fn) or TRAIN_NAME.search(_TRAIN_DATA_QUALIFIER.sub("", fn)):
            continue
        task = imported_task(view, of, ".".join(parts[:-1]), fn)
        if task is not None:
            return call.line, f"{of.framework} runs task {task[1].name} ({task[0]}), which prepares data"
    return _listed_prep_asset(view, of)


def imported_task(view: RepoView, of: OrchestratedFile, module: str, fn: str,
                  needles: tuple[str, ...] = ()) -> tuple[str, Decorated, PyFacts] | None:
    """(file, definition, facts) of function `fn` of the repository's module `module` (following
    package re-exports) when it carries an orchestrator task decorator there; None for a plain
    function, one outside the repository or one in the pipeline file itself. With `needles`,
    a module containing none of them is passed over unparsed."""
    target = local_module_file(view, module, of.rel)
    if target is None or target == of.rel or (needles and not view.contains_any(target, needles)):
        return None
    target, name, facts = _defining_module(view, target, fn)
    if facts is None or target == of.rel:
        return None
    for d in decorated_functions(view, target, facts):
        if d.name == name and any(_task_decorator(dn) for dn, _ in d.decorators):
            return target, d, facts
    return None


def _listed_prep_asset(view: RepoView, of: OrchestratedFile) -> tuple[int, str] | None:
    """A pipeline definition lists, without calling it, a data-preparation asset / task imported
    from another module of the repository (`from assets.images_preprocessed import
    images_preprocessed` then `Definitions(assets=[..., images_preprocessed, ...])`): the name
    must be used on a code line of the file and carry an orchestrator decorator where it is
    defined; an imported plain helper does not count."""
    lines = None
    for imp in of.facts.imports:
        fn = imp.name
        if not fn or not PREP_NAME.search(fn) or TRAIN_NAME.search(_TRAIN_DATA_QUALIFIER.sub("", fn)):
            continue
        if lines is None:
            lines = code_lines(view, of.rel)
        used = re.compile(r"(?<![\w.])" + re.escape(imp.bound) + r"(?![\w(])")
        line = next((i for i, text in lines if used.search(text)), None)
        if line is None:
            continue
        task = imported_task(view, of, imp.module, fn)
        if task is not None:
            return line, f"{of.framework} lists task {task[1].name} ({task[0]}), which prepares data"
    return None


# -- shared: class bases ---------------------------------------------------------------------


def class_with_base(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A class deriving from one of `params.bases` (dotted-name patterns resolved through
    imports), e.g. a pandera DataFrameModel or a Metaflow FlowSpec."""
    bases = tuple(det.params.get("bases", ()))
    roots = frozenset(b.split(".", 1)[0] for b in bases)
    tails = tuple({b.rsplit(".", 1)[-1].strip("*{}") for b in bases} - {""})
    for rel in python_files(view, det, roots, tails=tails):
        facts = view.python(rel)
        if facts is None:
            continue
        for c in facts.classes:
            b = next((b for b in c.bases if name_matches(b, bases)), None)
            if b:
                yield Hit(rel, c.line, det.message.replace("{name}", b).replace("{cls}", c.name), c.cell)
                break


# -- data.validation: pandera schemas that validate, not only synthesize test data ------------

_PANDERA_SYNTHESIS = (".example", ".strategy")
_PANDERA_VALIDATES = (".validate(", "check_types", "check_input", "check_output", "check_io")


def _pandera_synthesis_only(view: RepoView, rel: str, facts: PyFacts) -> bool:
    """A module that generates fake data from a pandera schema (`schema.example(size=...)`,
    `.strategy()`, pandera's data synthesis for tests) and validates nothing with it."""
    if not any(c.name.endswith(_PANDERA_SYNTHESIS) for c in facts.calls):
        return False
    return not view.contains_any(rel, _PANDERA_VALIDATES)


@prefilters(*_PANDERA_VALIDATES)
def pandera_used(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """pandera in a module: with `params.what: calls`, its first call into pandera (a schema,
    a check, `validate`); with `what: model`, a class deriving from a DataFrameModel /
    SchemaModel. A module that only synthesizes fake data from its schema does not count."""
    model = det.params.get("what") == "model"
    bases = ("pandera.DataFrameModel", "pandera.SchemaModel", "pandera.*.DataFrameModel", "pandera.*.SchemaModel")
    tails = ("DataFrameModel", "SchemaModel") if model else ()
    for rel in python_files(view, det, frozenset({"pandera"}), tails=tails):
        facts = view.python(rel)
        if facts is None or _pandera_synthesis_only(view, rel, facts):
            continue
        if model:
            for c in facts.classes:
                b = next((b for b in c.bases if name_matches(b, bases)), None)
                if b:
                    yield Hit(rel, c.line, det.message.replace("{name}", b).replace("{cls}", c.name), c.cell)
                    break
        else:
            for call in matching_calls(facts, ("pandera.*",), {}, None):
                yield Hit(rel, call.line, det.message.replace("{name}", call.name), call.cell)
                break


# -- data.validation: records validated by pydantic / jsonschema in data code -----------------

_DATA_PATH = lazy_re(r"(^|/|_)(data|datasets?|etl|ingest\w*|pipelines?|pre_?process\w*|prepare\w*|validat\w*|"
                        r"schemas?|clean\w*|loaders?|features?)(/|_|\.py$)", re.I)
_DATA_ROOTS = frozenset({"pandas", "polars", "pyarrow", "csv", "datasets", "pyspark"})
# Clients of record streams: a module producing or consuming one handles the pipeline's data.
_STREAM_ROOTS = frozenset({"kafka", "confluent_kafka", "aiokafka", "pulsar", "faust", "bytewax", "quixstreams", "redpanda"})
_RECORD_VALIDATION = ("jsonschema.validate", "jsonschema.*Validator", "jsonschema.*Validator().validate",
                      "*.model_validate", "*.parse_obj", "*.validate_python", "pydantic.TypeAdapter().validate_python",
                      "pydantic.parse_obj_as")
_WEB_ROOTS = frozenset({"fastapi", "flask", "starlette", "django", "aiohttp", "sanic", "litestar", "gradio", "streamlit"})


def records_validated(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A data module (path says data/etl/ingest/preprocess/schema..., or it produces / consumes
    a record stream) that reads tabular or record data and validates records with jsonschema or
    pydantic models — not a web API's request models."""
    for rel in python_files(view, det, frozenset({"jsonschema", "pydantic"}), notebooks=False,
                            tails=("validate", "parse_obj", "Validator")):
        mods = view.modules(rel)
        stream = not mods.isdisjoint(_STREAM_ROOTS)  # a producer / consumer of a record stream
        if not (_DATA_PATH.search(rel) or stream):
            continue
        if (mods.isdisjoint(_DATA_ROOTS) and not stream) or not mods.isdisjoint(_WEB_ROOTS):
            continue
        facts = view.python(rel)
        if facts is None:
            continue
        for call in matching_calls(facts, _RECORD_VALIDATION):
            if not call.resolved and not ("pydantic" in mods and call.attr in ("model_validate", "parse_obj", "validate_python")):
                continue
            yield Hit(rel, call.line, f"validates data records: calls {call.name}")
            break


_VALIDATOR_FN = lazy_re(
    r"^_?(validate|verify|check)_?(\w*_)?(images?|imgs?|labels?|annotations?|data|dataset|records?|rows?|samples?|examples?|"
    r"schema|columns?|files?|inputs?|features?|df|dataframe|frame|batch|entry|entries|items?|instances?|texts?|audio|"
    r"masks?|bboxe?s?|boxes|segments?|tokens?|sequences?|json|csv|parquet|tables?|(time_?)?series|ts)(_\w*)?$", re.I)
# Outside data-loading code, a validator counts when its name says it validates the data
# itself (validate_generated_data, check_dataset, verify_training_records), not files, inputs or
# a schema.
_DATA_VALIDATOR_FN = lazy_re(r"^_?(validate|verify|check)_(\w*_)?(data|dataset|datasets|records?|samples?|examples?|rows|"
                             r"jsonl|corpus|entries)(_\w*)?$", re.I)
_DATA_VALIDATOR_DEF = lazy_re(r"def _?(validate|verify|check)_\w*(data|records?|samples?|examples?|rows|jsonl|corpus|entries)\w*\(",
                              re.I)
_DATA_VALIDATOR_NEEDLES = ("def validate_", "def _validate_", "def verify_", "def _verify_", "def check_", "def _check_")
_LOADER_PATH = lazy_re(r"(?i)(^|/|_)(data|datasets?|dataloaders?|loaders?|io|pre_?process\w*|etl|ingest\w*|validat\w*|"
                          r"schemas?|cleaning|prepare\w*)(/|_|\.py$)")


# `validate_input_dir` / `check_output_path`: argument checks on a path (exists, is a folder).
_PATH_CHECK_FN = lazy_re(r"(^|_)(dirs?|director(y|ies)|folders?|paths?)$", re.I)

# The first parameter of a function that validates a schema definition itself
# (`check_schema(schema)`: are its columns named and typed?), whereas
# `validate_schema(df, schema)` checks data against it.
_SCHEMA_ARG = lazy_re(r"^(json_?)?schema(_(def|definition|dict|doc|spec))?$|^spec$", re.I)


# A validator may collect what is wrong instead of raising (`errors.append("missing columns")`,
# the caller then refuses the file): each collected error is a rejection; warnings are not.
_ERROR_LIST = lazy_re(r"^_?(\w+_)?(errors?|errs|issues|problems|violations|failures)$|^_?invalid_\w+$", re.I)


def _collects_error(node: ast.AST) -> bool:
    """`errors.append(...)`, also into a report's entry (`report["validation_errors"].append(...)`)."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("append", "add")):
        return False
    target = node.func.value
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) and isinstance(target.slice.value, str):
        return _ERROR_LIST.match(target.slice.value) is not None
    return isinstance(target, ast.Name) and _ERROR_LIST.match(target.id) is not None


_FS_TEST = frozenset({"exists", "is_file", "is_dir", "isfile", "isdir", "access", "lexists"})


def _rejects(node: ast.AST) -> bool:
    """`if <check>: ... return False`: a validator that answers no to a failed check (its caller
    stops); not when the check is whether a file exists."""
    if not isinstance(node, ast.If) or not any(
            isinstance(b, ast.Return) and isinstance(b.value, ast.Constant) and b.value.value is False for b in node.body):
        return False
    return not any(isinstance(c, ast.Call) and isinstance(c.func, (ast.Attribute, ast.Name))
                   and (c.func.attr if isinstance(c.func, ast.Attribute) else c.func.id) in _FS_TEST
                   for c in ast.walk(node.test))


_CATCH_ALL = frozenset({"Exception", "BaseException"})


def _passed_on_errors(fn: ast.AST) -> set[int]:
    """The raises that hand on whatever went wrong: in a catch-all handler (`except Exception as
    e:`), a bare `raise`, `raise e` or `raise ProjectError(e, sys)` wraps any error of the body,
    the way every function of a project is guarded; it rejects nothing about the data."""
    out: set[int] = set()
    for h in ast.walk(fn):
        if not isinstance(h, ast.ExceptHandler):
            continue
        if h.type is not None and not (isinstance(h.type, ast.Name) and h.type.id in _CATCH_ALL):
            continue
        for r in (x for b in h.body for x in ast.walk(b)):
            if isinstance(r, ast.Raise) and (r.exc is None or (h.name is not None and any(
                    isinstance(x, ast.Name) and x.id == h.name for x in ast.walk(r.exc)))):
                out.add(id(r))
    return out


# A flag a validator sets to say no (`validation_status = False` when a column is not in the
# schema): its caller reads the flag and stops.
_STATUS_FLAG = lazy_re(r"(?i)(^|_)(valid\w*|status|ok|passed|is_valid)$")


def _flags_invalid(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and any(
        isinstance(b, ast.Assign) and isinstance(b.value, ast.Constant) and b.value.value is False
        and any(isinstance(t, ast.Name) and _STATUS_FLAG.search(t.id) for t in b.targets) for b in node.body)


def _assigns_flag(stmt: ast.AST, value: bool, names: set[str] | None = None) -> str | None:
    """The status flag `stmt` sets to `value` (`validation_status = False`), or None."""
    if not (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant) and stmt.value.value is value):
        return None
    return next((t.id for t in stmt.targets if isinstance(t, ast.Name) and _STATUS_FLAG.search(t.id)
                 and (names is None or t.id in names)), None)


def _flags_lifted(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[int]:
    """Ids of the `if <check>: status = True` of a validator whose flag starts False (set so in
    the function's own body): the mirror of `if <failed>: status = False`, the data failing
    the check leaves the flag saying no. Not when the check is whether a file exists."""
    defaults = {name for stmt in ast.walk(fn) if (name := _assigns_flag(stmt, False)) is not None}
    if not defaults:
        return set()
    return {id(node) for node in ast.walk(fn) if isinstance(node, ast.If)
            and any(_assigns_flag(b, True, defaults) for b in node.body)
            and not any(isinstance(c, ast.Call) and isinstance(c.func, (ast.Attribute, ast.Name))
                        and (c.func.attr if isinstance(c.func, ast.Attribute) else c.func.id) in _FS_TEST
                        for c in ast.walk(node.test))}


_CHECK_PREFIX = lazy_re(r"^_?(validate|verify|check)_", re.I)
# What the test of a content check reads: the data's shape, columns, counts, nulls, dtypes, lengths.
_CONTENT_TEST = lazy_re(r"\.shape\b|\.columns\b|\.count\(|isnull|isna|notna|notnull|dtype")
_MOVE_CALL = lazy_re(r"(?i)(^|_)(move|copy|rename)")
_BAD_PLACE = lazy_re(r"(?i)bad|reject|quarantin|invalid|corrupt")


def _quarantine_branch(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.If | None:
    """An `if` on the data's content (column count against the schema, a column wholly null)
    whose branch moves or copies the file into a bad / rejected / quarantine folder
    (`shutil.move(f, "Bad_Raw")`, `s3.move_data(f, bucket, bad_dir + "/" + f)`): the batch is
    rejected, the raw-data validation of batch ML systems. A file name or existence check is
    not about the content."""
    for node in ast.walk(fn):
        if not isinstance(node, ast.If) or not _CONTENT_TEST.search(ast.unparse(node.test)):
            continue
        branches = [*node.body, *node.orelse]
        for c in (x for b in branches for x in ast.walk(b)):
            if not isinstance(c, ast.Call):
                continue
            name = c.func.attr if isinstance(c.func, ast.Attribute) else c.func.id if isinstance(c.func, ast.Name) else ""
            if not _MOVE_CALL.search(name):
                continue
            if any(_BAD_PLACE.search(ast.unparse(a)) for a in [*c.args, *(k.value for k in c.keywords)]):
                return node
            # the destination built just before the call (`dest = self.bad_dir + "/" + f`)
            if any(isinstance(x, ast.Assign) and _BAD_PLACE.search(ast.unparse(x.value)) for b in branches for x in ast.walk(b)):
                return node
    return None


def _checks_columns(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """The function compares the data's columns with the ones it needs (`required - set(df.columns)`,
    `c not in df.columns`): one rejection on that is a schema check, as one on a shape is not."""
    for c in ast.walk(fn):
        if isinstance(c, ast.Attribute) and c.attr == "columns":
            return True
    return False


# A condition about the content of a frame or an array: its columns, nulls, allowed values,
# duplicates, types, NaN / infinite values (`if df["label"].isna().any(): raise ...`).
_DATA_TEST = lazy_re(r"\.(columns|isnull|isna|notna|notnull|isin|duplicated|dtypes?|hasnans)\b|\b(np|numpy|torch|math)\.(isnan|isinf|isfinite)\b")
_DATA_TEST_NEEDLES = (".columns", ".isnull", ".isna", ".notna", ".notnull", ".isin", ".duplicated", ".dtype", ".hasnans",
                      ".isnan", ".isinf", ".isfinite")


# What a loading or preparation step is called (load_raw, read_dataset, preprocess, main): a
# library's metric or transform that refuses a missing column checks its caller's arguments.
_LOADER_FN = lazy_re(r"^_?(load|read|ingest|parse|prepare|preprocess|clean|process|main|run)(_\w*)?$", re.I)
# A definition `_LOADER_FN` can match, looked for in the text before parsing.
_LOADER_DEF = lazy_re(r"(?im)^[ \t]*(?:async[ \t]+)?def[ \t]+_?(load|read|ingest|parse|prepare|preprocess|clean|process|main|run)(_\w*)?[ \t]*\(")


def _content_checks(fn: ast.AST) -> int:
    """Branches of a function that reject data on its content: an `if` about columns, nulls,
    allowed values, duplicates, dtypes or NaN that raises or records an error."""
    n = 0
    for node in ast.walk(fn):
        if isinstance(node, ast.If) and _DATA_TEST.search(ast.unparse(node.test)) and any(
                isinstance(b, ast.Raise) or (isinstance(b, ast.Expr) and _collects_error(b.value)) for b in node.body):
            n += 1
    return n


def function_defs(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Every function definition, nested ones included, in the order `ast.walk` meets them
    (breadth first: by depth, then source order), found through statements only: walking every
    expression of a large module cost more than its parse."""
    found: list[tuple[int, int, int, ast.FunctionDef | ast.AsyncFunctionDef]] = []
    todo: list[tuple[list[ast.stmt], int]] = [(tree.body, 1)]
    while todo:
        body, depth = todo.pop()
        for st in body:
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.append((depth, st.lineno, st.col_offset, st))
            for attr in ("body", "orelse", "finalbody"):
                sub = getattr(st, attr, None)
                if isinstance(sub, list) and sub and isinstance(sub[0], ast.stmt):
                    todo.append((sub, depth + 1))
            for h in getattr(st, "handlers", None) or ():  # try: except handlers
                todo.append((h.body, depth + 2))
            for c in getattr(st, "cases", None) or ():  # match: case blocks
                todo.append((c.body, depth + 2))
    found.sort(key=lambda f: f[:3])
    return [f[3] for f in found]


@prefilters(*_DATA_VALIDATOR_NEEDLES)
def custom_data_validator(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A validate_*/verify_* function in data-loading code that checks records, images or
    labels (at least two assertions, raises, `return False`, a status flag set to False or
    collected errors on their content, or one on a comparison of its columns with the required
    ones) — not config or argument validation, not a single shape assert, not the validation of
    a schema definition (whose first parameter is the schema). A catch-all handler re-raising
    whatever went wrong (`except Exception as e: raise ProjectError(e, sys)`) checks nothing. A loader or preparation step of another name (load_raw,
    read_*, preprocess, a script's main) counts when at least two of its branches reject the
    data on its content (missing columns, nulls, values outside the label
    set, wrong dtype, NaN), raising or recording the error."""
    for rel in paths(view, det, ("*.py",)):
        loader = _LOADER_PATH.search(rel) is not None
        if not loader and not (view.contains_any(rel, _DATA_VALIDATOR_NEEDLES) and _DATA_VALIDATOR_DEF.search(view.text(rel) or "")):
            continue  # elsewhere, only a function named for validating the data itself (validate_generated_data)
        text = view.text(rel) or ""
        named = re.search(r"def _?(validate|verify|check)_?\w*\(", text) is not None
        if not named and not (any(map(text.__contains__, _DATA_TEST_NEEDLES)) and ("raise" in text or ".add" in text or ".append" in text)
                              and _LOADER_DEF.search(text)):
            continue  # a loader rejects data by raising or recording an error (`_content_checks`)
        if not view.modules(rel).isdisjoint(_WEB_ROOTS) or "HTTPException" in text:
            continue  # request validation in a serving API, not a data pipeline
        tree = py_tree(view, rel)
        if tree is None:
            continue
        owners = _method_owners(tree) if loader else {}
        for n in function_defs(tree):
            if re.search(r"(?i)config|args|param|option|env|version|path_exists|install", n.name):
                continue
            # `SchemaValidator.validate(df)`: a bare validate / verify / check method of a
            # class named for validating, in data-loading code.
            bare = n.name in _BARE_CHECKS and _VALIDATOR_CLASS.search(owners.get(id(n), "")) is not None
            if loader and _CHECK_PREFIX.match(n.name):
                q = _quarantine_branch(n)
                if q is not None and _validator_used(view, rel, tree, n):
                    yield Hit(rel, q.lineno, f"{n.name} moves data failing a content check to a bad-data folder")
                    break
            if not loader and not _DATA_VALIDATOR_FN.match(n.name):
                continue
            if not bare and not _VALIDATOR_FN.match(n.name):
                content = _content_checks(n) if _LOADER_FN.match(n.name) else 0
                if content >= 2 and _validator_used(view, rel, tree, n):
                    yield Hit(rel, n.lineno, f"{n.name} rejects data on its content ({content} checks)")
                    break
                continue
            if _PATH_CHECK_FN.search(n.name):
                continue  # checks that a CLI path argument exists / is a directory, not its records
            if _validates_outputs(tree, n):
                continue  # a model's predictions or a run's metrics checked, not the data
            params = [a.arg for a in n.args.posonlyargs + n.args.args if a.arg not in ("self", "cls")]
            if params and _SCHEMA_ARG.match(params[0]):
                continue  # checks a schema definition (a JSON Schema's keywords), not records
            passed_on = _passed_on_errors(n)
            lifted = _flags_lifted(n)
            checks = sum(1 for c in ast.walk(n) if (isinstance(c, ast.Assert) or (isinstance(c, ast.Raise) and id(c) not in passed_on))
                         or _collects_error(c) or _rejects(c) or _flags_invalid(c) or id(c) in lifted)
            if (checks >= 2 or (checks == 1 and _checks_columns(n))) and _validator_used(view, rel, tree, n):
                yield Hit(rel, n.lineno, f"data validator {n.name} rejects bad records ({checks} checks)")
                break


# What a model or a run produces (predictions, metrics, a report, a run summary): a validator
# named for it (validate_prediction_record), or called in its module only on it
# (`validate_json_file(path=run.metrics_json, ...)`), checks outputs, not the data.
_OUTPUT_WORD = lazy_re(r"(?i)(^|[\W_])(predictions?|preds|metrics?|reports?|summar(y|ies)|scores)($|[\W_])")


def _validates_outputs(tree: ast.Module, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    if _OUTPUT_WORD.search(fn.name):
        return True
    firsts = []
    for c in ast.walk(tree):
        if isinstance(c, ast.Call) and ((isinstance(c.func, ast.Name) and c.func.id == fn.name)
                                        or (isinstance(c.func, ast.Attribute) and c.func.attr == fn.name)):
            first = c.args[0] if c.args else c.keywords[0].value if c.keywords else None
            if first is None:
                return False
            firsts.append(ast.unparse(first))
    return bool(firsts) and all(_OUTPUT_WORD.search(f) for f in firsts)


_BARE_CHECKS = frozenset({"validate", "verify", "check"})
# A class that validates data (DataValidator, SchemaValidator, DataFrameChecker), not its
# configuration or arguments.
_VALIDATOR_CLASS = lazy_re(r"^(?!.*(?i:config|arg|param|option|setting|request|form))\w*(Validator|Checker|Verifier|Validation)$")


def _method_owners(tree: ast.Module) -> dict[int, str]:
    """The class name of each method defined directly in a top-level class (by node id)."""
    return {id(f): c.name for c in tree.body if isinstance(c, ast.ClassDef)
            for f in c.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _validator_used(view: RepoView, rel: str, tree: ast.Module, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A validator checks data only where something runs it: its name is used in its own module
    outside its definition, or in another non-test Python file of the repository. Looked up
    only for a validator already found, from the cached texts."""
    name = fn.name
    inside = {id(x) for x in ast.walk(fn)}
    for x in ast.walk(tree):
        if id(x) in inside:
            continue
        if (isinstance(x, ast.Name) and x.id == name) or (isinstance(x, ast.Attribute) and x.attr == name):
            return True
    used = re.compile(rf"\b{re.escape(name)}\b")
    for other in view.by_ext(".py"):
        if other == rel or view.is_test(other):
            continue
        text = view.text(other) or ""
        if name in text and any(used.search(line) and not line.lstrip().startswith(("def ", "#"))
                                for line in text.splitlines() if name in line):
            return True
    return False


_PROCESSING_CALLS = ("sagemaker.workflow.steps.ProcessingStep", "sagemaker.*Processor", "sagemaker.*Processor().run",
                     "*.run", "google_cloud_pipeline_components.*", "azure.ai.ml.command", "*.ProcessingStep")


@prefilters("Processor", "ProcessingStep", "command")
def processing_job_prepares_data(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A managed processing job or step (SageMaker Processing, an Azure ML command job) whose
    `code` / script or name is data preparation (preprocessing.py, name="PreprocessData")."""
    for rel in python_files(view, det, frozenset({"sagemaker", "azure"}), tails=("Processor", "ProcessingStep", "command")):
        facts = view.python(rel)
        if facts is None:
            continue
        for call in matching_calls(facts, _PROCESSING_CALLS):
            if call.attr == "run" and call.kwarg("code") is None:
                continue
            names = [v for v in (call.kwarg("code"), call.kwarg("name"), call.kwarg("display_name"), call.kwarg("step_name"))
                     if isinstance(v, str)]
            cmd = call.kwarg("command")
            if isinstance(cmd, str):
                names.append(_script_of(cmd) or cmd)
            if any(PREP_NAME.search(n.rsplit("/", 1)[-1].rsplit(".", 1)[0]) for n in names):
                yield Hit(rel, call.line, f"processing job prepares data: calls {call.name}", call.cell)
                break



@prefilters("DataQualityCheckConfig")
def pipeline_data_quality_checked(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A SageMaker Pipelines QualityCheckStep whose config is a DataQualityCheckConfig and whose
    check runs: the step's data is profiled and compared with the baseline constraints, and the
    pipeline stops on a violation. `skip_check=True` only computes or registers a baseline, and
    a ModelQualityCheckConfig checks the model, not the data."""
    for rel in python_files(view, det, frozenset({"sagemaker"}), tails=("DataQualityCheckConfig",)):
        tree = py_tree(view, rel)
        if tree is None:
            continue
        data_cfgs: set[str] = set()
        steps: list[ast.Call] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) \
                    and (dotted(node.value.func) or "").endswith("DataQualityCheckConfig"):
                data_cfgs.update(t.id for t in node.targets if isinstance(t, ast.Name))
            elif isinstance(node, ast.Call) and (dotted(node.func) or "").endswith("QualityCheckStep"):
                steps.append(node)
        for call in sorted(steps, key=lambda c: c.lineno):
            kw = {k.arg: k.value for k in call.keywords if k.arg}
            skip = kw.get("skip_check")
            if isinstance(skip, ast.Constant) and skip.value is True:
                continue
            cfg = kw.get("quality_check_config")
            if isinstance(cfg, ast.Name) and cfg.id in data_cfgs \
                    or isinstance(cfg, ast.Call) and (dotted(cfg.func) or "").endswith("DataQualityCheckConfig"):
                yield Hit(rel, call.lineno, "pipeline step checks data against baseline constraints: calls QualityCheckStep")
                break


def mage_data_pipeline(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A Mage pipeline that loads and transforms data without training: a data preparation
    pipeline (data_loader then transformer / data_exporter blocks)."""
    from .deploy import mage_pipelines, mage_training_block

    for rel, blocks in mage_pipelines(view, paths(view, det, ("*metadata.yaml",))):
        if mage_training_block(blocks) is not None:
            continue
        types = [b.get("type") for b in blocks if isinstance(b, dict)]
        if "data_loader" in types and ("transformer" in types or "data_exporter" in types):
            i = types.index("data_loader")
            line = blocks.item_lines[i] if hasattr(blocks, "item_lines") else 1
            yield Hit(rel, line, "Mage pipeline prepares data")
            return


# -- Databricks jobs (asset bundle YAML, or a Jobs API payload in Python) -------------------------

_DBX_TASK_PATH = lazy_re(r"""["']?\b(notebook_path|python_file)["']?\s*:\s*f?["']?([^"'\n#,}]+)""")
_DBX_JOB_CREATE = ("deploy_compute(", "jobs.create(", "jobs/create", "jobs.reset(", "jobs/reset", "runs/submit",
                   "jobs.submit(", "create_job(")
_MEDALLION = lazy_re(r"(^|_)(bronze|silver)(_|$)", re.I)


def databricks_job_prep_task(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A Databricks job with a task whose notebook or file prepares data (ingest, ETL, features,
    bronze/silver tables): in an asset bundle, or in a Jobs API payload that the same Python
    code creates (solution-accelerator RUNME notebooks, jobs/create scripts)."""
    cands = view.with_any(paths(view, det), ("task_key",))
    for rel in cands:
        text = view.text(rel) or ""
        if "tasks" not in text:
            continue
        if rel.endswith(".py") and not any(c in text for c in _DBX_JOB_CREATE):
            continue
        for m in _DBX_TASK_PATH.finditer(text):
            stem = m.group(2).strip().rsplit("/", 1)[-1].rsplit(".", 1)[0]
            stem = re.sub(r"^\d+[_\-.]*", "", stem)
            if _PREP_SCRIPT.match(stem) or _MEDALLION.search(stem):
                line = text.count("\n", 0, m.start()) + 1
                if view.line(rel, line).lstrip().startswith("#"):
                    continue
                yield Hit(rel, line, f"Databricks job task prepares data: {m.group(1)} {m.group(2).strip()}")
                return


# A notebook run headless by a CI command (`jupyter nbconvert --execute`, `papermill`,
# `jupyter execute`): the notebook is then a pipeline step, not an exploration by hand.
_NOTEBOOK_RUN = lazy_re(r"(?:\bnbconvert\b[^\n]*--execute|\bpapermill\b|\bjupyter\s+execute\b|\brunipy\b|\bnbclient\b)"
                        r"[^\n]*?([\w./-]+\.ipynb)")


def ci_schedule_runs_prep_notebook(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A scheduled CI pipeline executes a data-preparation notebook (its name says feature
    pipeline, ingest, preprocess...): the notebook runs unattended on a schedule as the
    pipeline's step. Notebooks executed on push or pull request are tests of the notebooks, and a
    scheduled training or inference notebook is not data preparation."""
    allowed = set(paths(view, det)) if (det.files or det.exclude) else None
    for pipe in view.ci():
        if "schedule" not in pipe.triggers or (allowed is not None and pipe.path not in allowed):
            continue
        for cmd in pipe.commands:
            if "ipynb" not in cmd.text:
                continue
            m = _NOTEBOOK_RUN.search(cmd.text)
            if not m:
                continue
            stem = m.group(1).rsplit("/", 1)[-1][: -len(".ipynb")]
            if PREP_NAME.search(stem) and not TRAIN_NAME.search(stem):
                yield Hit(pipe.path, cmd.line, f"scheduled CI runs data-preparation notebook {m.group(1)}")
                break


# A test that reads the project's dataset (a data file, the loader with the data path) and
# asserts its schema or content, run by CI so that bad data stops the pipeline. Unit tests of
# preprocessing code on frames they build themselves, and data tests CI does not run, do not count.
_DATA_TEST_NEEDLES = (".columns", "isnull(", "isna(", ".dtypes", "notnull(", "notna(", ".duplicated(", ".between(")
_DATA_ASSERT = lazy_re(r"\.columns\b|\.is(?:null|na)\(|\.not(?:null|na)\(|\.dtypes?\b|\.duplicated\(|\.between\(|"
                       r"\.nunique\(|\.(?:min|max)\(\s*\)\s*[<>]=?")
_READ_DATA_CALL = lazy_re(r"^(read_(csv|parquet|json|feather|excel|table)|load_dataset|load_(\w+_)?data(set)?(_\w+)?|"
                          r"load_and_\w+|read_data\w*|get_data(set)?)$")
# A superset, as text, of the reads _READ_DATA_CALL accepts (checked before any parse).
_READ_DATA_TEXT = lazy_re(r"\bread_\w+\(|\bload_\w*\(|\bget_data(set)?\(")
_SYNTHETIC = frozenset({"tmp_path", "tmpdir", "tmp_path_factory", "DataFrame", "from_dict", "from_records", "StringIO",
                        "BytesIO"})


_PATHLIKE_NAME = lazy_re(r"(?i)path|data|file|csv|parquet|dir|url|uri|^[A-Z][A-Z0-9_]+$")


def _dataset_path(arg: ast.AST) -> bool:
    """A read's argument that names a file of the dataset: a string literal, a path-named
    variable or constant, an environment variable, a joined path (not bytes in memory)."""
    if isinstance(arg, ast.Constant):
        return isinstance(arg.value, str)
    if isinstance(arg, (ast.Name, ast.Attribute)):
        return bool(_PATHLIKE_NAME.search(arg.id if isinstance(arg, ast.Name) else arg.attr))
    if isinstance(arg, ast.JoinedStr):
        return True
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Div):  # Path("data") / "train.csv"
        return True
    if isinstance(arg, ast.Call):
        name = dotted(arg.func) or ""
        return name.rsplit(".", 1)[-1] in ("getenv", "get", "join", "Path", "PurePath")
    return False


def _test_checks_dataset(fn: ast.FunctionDef) -> int | None:
    """The line of an assert on the schema or content of data the test function reads from the
    repository's dataset (not a frame it builds, not a temporary file), or None."""
    reads = False
    for n in ast.walk(fn):
        if isinstance(n, ast.Name) and n.id in _SYNTHETIC or isinstance(n, ast.Attribute) and n.attr in _SYNTHETIC:
            return None
        if isinstance(n, ast.Call):
            name = dotted(n.func) or ""
            if _READ_DATA_CALL.match(name.rsplit(".", 1)[-1]) and n.args and _dataset_path(n.args[0]):
                reads = True
    if not reads:
        return None
    for n in ast.walk(fn):
        if isinstance(n, ast.Assert) and _DATA_ASSERT.search(ast.unparse(n.test)):
            return n.lineno
    return None


@prefilters(*_DATA_TEST_NEEDLES)
def ci_data_tests(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """Tests run by CI that read the project's dataset and assert its columns, types, missing
    values or ranges."""
    from .deploy import _blocking_pytest_run

    for rel in view.with_any(paths(view, det, ("*.py",)), _DATA_TEST_NEEDLES):
        if not view.is_test(rel):
            continue
        text = view.text(rel) or ""
        if "assert" not in text or not _READ_DATA_TEXT.search(text):
            continue
        run = _blocking_pytest_run(view, rel)
        if run is None:
            continue
        tree = py_tree(view, rel)
        if tree is None:
            continue
        line = next((ln for fn in tree.body if isinstance(fn, ast.FunctionDef) and fn.name.startswith("test")
                     and (ln := _test_checks_dataset(fn)) is not None), None)
        if line is not None:
            yield Hit(rel, line, f"data test asserts the dataset's schema or content, run by CI at {run.path}:{run.line}")


# -- data.versioning: a dataset logged as a tracker artifact, named for it ----------------------

# Artifact("instruct-dataset"), Artifact(f"{split}-training-data"): the name (a literal or the
# text of an f-string) says the artifact holds data.
_ARTIFACT_NAME = lazy_re(r"""Artifact\(\s*(?:name\s*=\s*)?[fr]?["']([^"'\n]*)["']""")
_DATASET_NAME = lazy_re(r"(?i)(^|[-_.{}/ ])(datasets?|data|corpus|corpora|training_?data|train_?data)([-_.{}/ ]|$)")


def comet_dataset_artifact(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A Comet artifact named for a dataset (`Artifact(f"{kind}-instruct-dataset")`, no
    artifact_type given) that the module logs (`experiment.log_artifact`): the dataset is
    versioned by the tracker, as a W&B artifact of type dataset is. Artifacts named for a model,
    an adapter or a report stay out."""
    for rel in python_files(view, det, frozenset({"comet_ml"}), notebooks=False, tails=("Artifact",), required=("log_artifact",)):
        facts = view.python(rel)
        if facts is None:
            continue
        if not any(c.attr == "log_artifact" for c in facts.calls):
            continue
        for call in matching_calls(facts, ("comet_ml.Artifact", "comet_ml.artifacts.Artifact")):
            m = _ARTIFACT_NAME.search(view.line(rel, call.line, call.cell))
            if m and _DATASET_NAME.search(m.group(1)):
                yield Hit(rel, call.line, f"logs a Comet artifact named for a dataset: {m.group(1)}")
                return


# wandb.Artifact(name=path, type=data_type): the type comes from the caller (a CLI option
# "raw_data", "split_data"). It names data when the variable is a data kind or the function
# creating the artifact is named for a dataset (process_dataset, upload_dataset).
_ARTIFACT_TYPE_VAR = lazy_re(r"\btype\s*=\s*(?:[A-Za-z_]\w*\.)?([A-Za-z_]\w*)\s*[,)]")
_DATA_KIND_VAR = lazy_re(r"(?i)^(?:data(?:set)?|raw_data|artifact_data)_?(?:type|kind)$")
_DATASET_FN = lazy_re(r"(?i)(?:^|_)(?:datasets?|training_?data|raw_?data)(?:_|$)")


def wandb_dataset_artifact_variable_type(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A W&B artifact whose type is a variable (type=data_type) that names a data kind, or that
    is created in a function named for a dataset, and that the module logs: the project
    versions its datasets under types its callers choose. Artifacts of a variable type in a
    checkpoint or report function stay out."""
    for rel in python_files(view, det, frozenset({"wandb"}), notebooks=False, tails=("Artifact",), required=("log_artifact",)):
        facts = view.python(rel)
        if facts is None or not any(c.attr == "log_artifact" for c in facts.calls):
            continue
        for call in matching_calls(facts, ("wandb.Artifact", "wandb.*.Artifact")):
            if call.kwarg("type", None) is not ...:
                continue  # a literal type is the spec detectors' business
            src = " ".join(view.line(rel, n, call.cell) or "" for n in range(call.line, call.line + 4))
            m = _ARTIFACT_TYPE_VAR.search(src)
            if m is None:
                continue
            fn = max((f for f in facts.functions if f.cell == call.cell and f.end is not None and f.line <= call.line <= f.end),
                     key=lambda f: f.line, default=None)
            if _DATA_KIND_VAR.match(m.group(1)) or (fn is not None and _DATASET_FN.search(fn.name)):
                where = f" in {fn.name}()" if fn is not None else ""
                yield Hit(rel, call.line, f"logs a W&B artifact of the caller's data type ({m.group(1)}){where}")
                return


CHECKS = {
    "wandb_dataset_artifact_variable_type": wandb_dataset_artifact_variable_type,
    "project_prep_command": project_prep_command,
    "comet_dataset_artifact": comet_dataset_artifact,
    "ci_data_tests": ci_data_tests,
    "ci_schedule_runs_prep_notebook": ci_schedule_runs_prep_notebook,
    "pipeline_data_quality_checked": pipeline_data_quality_checked,
    "databricks_job_prep_task": databricks_job_prep_task,
    "mage_data_pipeline": mage_data_pipeline,
    "processing_job_prepares_data": processing_job_prepares_data,
    "custom_data_validator": custom_data_validator,
    "dvc_tracks_data": dvc_tracks_data,
    "lfs_tracks_data": lfs_tracks_data,
    "data_prep_scripts": data_prep_scripts,
    "entry_script_runs_prep": entry_script_runs_prep,
    "dvc_prep_stage": dvc_prep_stage,
    "make_prep_target": make_prep_target,
    "task_runner_prep_task": task_runner_prep_task,
    "orchestrated_prep_task": orchestrated_prep_task,
    "class_with_base": class_with_base,
    "pandera_used": pandera_used,
    "records_validated": records_validated,
}
