"""Code checks for the dev (model development) dimension: where a glob or a call list is not
enough. Each check is `fn(view, det) -> Iterable[Hit]` and is listed in CHECKS."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator

from ....repo import RepoView
from ....repo.manifests import RequirementsFile, parse_requirements
from ....repo.python import Call, PyFacts, is_notebook_export
from ....util.lazyre import lazy_re
from ..helpers import (Hit, first_content_line, matching_calls, name_matches, norm_path, parses, paths, pattern_tails_by_root,
                       prefilters, python_files, selected)
from ..spec import DetectorSpec
from .data import LinePattern, make_targets, makefiles, py_tree

# -- dev.pinned_env --------------------------------------------------------------------------

# Files that are not the runtime environment: dev/docs/test tools, and optional add-ons
# (requirements-extras.txt / requirements-optional.txt / requirements.notebooks.txt, installed on
# top of the base file): a pinned add-on beside an unpinned base does not pin the environment.
_NON_RUNTIME = lazy_re(r"(^|[/_.-])(dev|docs?|tests?|testing|lint|ci|style|typing|mypy|extras?|optional|notebooks?)([/_.-]|$)", re.I)
# Not the project's environment: docs, tests, examples and demos, and an MLflow tracking store committed
# with the code (each logged model keeps the requirements.txt / conda.yaml of its run: the model's
# record, not what installs the project).
_NOT_PROJECT_ENV = lazy_re(r"(^|/)(docs?|documentation|tests?|examples?|demos?|mlruns|mlartifacts)/", re.I)


def _resolve_include(base: str, target: str) -> str:
    """`-r other.txt` of requirements file `base`, as a repository path."""
    parent = base.rsplit("/", 1)[0] if "/" in base else ""
    return norm_path(f"{parent}/{target}")


def _fully_pinned(view: RepoView, files: dict[str, RequirementsFile], rel: str, seen: set[str]) -> tuple[bool, int]:
    """(every requirement exact, count), following -r includes; -c constraints that are
    themselves fully pinned pin the requirements they name."""
    if rel in seen:
        return True, 0
    seen.add(rel)
    rf = files.get(rel)
    if rf is None:
        return False, 0
    constrained: set[str] = set()
    for target, _ in rf.constraints:
        crel = _resolve_include(rel, target)
        cf = files.get(crel)
        if cf is None and view.exists(crel):
            cf = parse_requirements(crel, view.text(crel) or "")
        if cf is not None and all(d.pinned for d in cf.deps):
            constrained.update(d.name for d in cf.deps)
    count = 0
    for d in rf.deps:
        if not d.pinned and d.name not in constrained:
            return False, 0
        count += 1
    for target, _ in rf.includes:
        ok, n = _fully_pinned(view, files, _resolve_include(rel, target), seen)
        if not ok:
            return False, 0
        count += n
    return True, count


def pinned_environment(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A lock file, or a fully pinned requirements / conda environment file that installs the
    project's runtime environment (docs/test/dev-only files do not count, nor does a pinned
    dev file or optional add-on (extras) beside an unpinned runtime one)."""
    allowed = set(paths(view, det))
    # The shallowest lock file first: the root's is the project's (a nested one may pin a tool).
    for rel in sorted(view.lock_files(), key=lambda r: (r.count("/"), r)):
        # one over the size cap is not among the candidate paths, yet it is there
        if (rel in allowed or not view.exists(rel)) and not _NOT_PROJECT_ENV.search(rel):
            yield Hit(rel, None, f"has lock file {rel.rsplit('/', 1)[-1]}", snippet="")
            return
    files = view.requirements_files()
    candidates = [r for r in files if r in allowed and not _NOT_PROJECT_ENV.search(r) and not r.endswith(".in")]
    runtime = [r for r in candidates if not _NON_RUNTIME.search(r.rsplit("/", 1)[-1].rsplit(".", 1)[0])]
    # Judge the runtime files when there are any; dev-only files pin a dev environment.
    for rel in runtime or candidates:
        ok, n = _fully_pinned(view, files, rel, set())
        if ok and n > 0 and not _unpinned_beside(view, rel):
            first = min(d.line for d in files[rel].deps) if files[rel].deps else 1
            yield Hit(rel, first, f"pins every requirement with == ({n} packages)")
            return
    for rel, deps in view.environment_files().items():
        if rel not in allowed or _NOT_PROJECT_ENV.search(rel) or not deps:
            continue
        if not all(d.pinned for d in deps):
            continue
        # Its pip section may install a requirements file (`- -r requirements.txt`): that file
        # is part of the environment and must be pinned too; pinning Python alone pins nothing.
        packages = sum(1 for d in deps if d.name not in ("python", "pip"))
        for target in _pip_includes(view.yaml(rel)):
            ok, k = _fully_pinned(view, files, _resolve_include(rel, target), set())
            if not ok:
                packages = 0
                break
            packages += k
        if packages > 0:
            yield Hit(rel, deps[0].line, f"pins a version for every package ({packages} packages)")
            return
    # A pyproject.toml whose runtime dependencies (PEP 621 `dependencies`, Poetry's main group)
    # are all exact pins is the pinned requirements list `pip install .` installs; extras and
    # dev groups are add-ons. An unpinned runtime requirements file beside it leaves open which
    # one installs the environment, so then it does not count.
    if runtime:
        return
    by_path: dict[str, list] = {}
    for d in view.dependencies():
        if d.kind == "pyproject" and d.group == "":
            by_path.setdefault(d.path, []).append(d)
    for rel in sorted(by_path, key=lambda r: (r.count("/"), r)):
        deps = by_path[rel]
        if rel in allowed and not _NOT_PROJECT_ENV.search(rel) and all(d.pinned for d in deps):
            yield Hit(rel, min(d.line for d in deps), f"pins every runtime dependency with == ({len(deps)} packages)")
            return


_PIP_INSTALL = lazy_re(r"\bpip3?\s+install\s+([^&;|\n]*)")
_PACKAGING_TOOLS = frozenset({"pip", "setuptools", "wheel", "uv", "pip-tools", "poetry"})


def _unpinned_beside(view: RepoView, rel: str) -> bool:
    """A Dockerfile installs this requirements file and, beside it, packages without a
    version (`pip install -r requirements.txt` then `pip install scikit-learn numpy`): the
    file is not what installs the environment. Packaging tools (pip, setuptools, wheel) aside."""
    name = rel.rsplit("/", 1)[-1]
    for instrs in view.dockerfiles().values():
        runs = [i.args for i in instrs if i.keyword == "RUN" and "pip" in i.args]
        if not any(re.search(rf"(-r|--requirement)[\s=]+\S*\b{re.escape(name)}\b", r) for r in runs):
            continue
        for r in runs:
            for m in _PIP_INSTALL.finditer(r):
                tokens = m.group(1).split()
                if any(t in ("-r", "--requirement", "-e", "--editable", ".") or t.startswith(("-r", "./", "/")) for t in tokens):
                    continue
                pkgs = [t.strip("\"'") for t in tokens if not t.startswith("-")]
                if any(p and not re.search(r"[=<>~@]|\.whl$", p)
                       and re.split(r"[\[=<>~]", p)[0].lower() not in _PACKAGING_TOOLS for p in pkgs):
                    return True
    return False


def _pip_includes(env: object) -> list[str]:
    """The requirements files a conda environment's pip section installs (`-r file`)."""
    out: list[str] = []
    items = env.get("dependencies") if isinstance(env, dict) else None
    for item in items if isinstance(items, list) else ():
        pip = item.get("pip") if isinstance(item, dict) else None
        for p in pip if isinstance(pip, list) else ():
            if isinstance(p, str):
                m = re.match(r"\s*(?:-r|--requirement)(?:\s+|=)(\S+)", p)
                if m:
                    out.append(m.group(1))
    return out


# -- dev.code_quality ------------------------------------------------------------------------

_LINT_CMD = lazy_re(
    r"^(?:(?:python3?|py|\$\(PYTHON\w*\)|\$\{PYTHON\w*\})\s+-m\s+|poetry run\s+|uv run\s+|uvx\s+|pipenv run\s+|pdm run\s+|"
    r"hatch run\s+|pipx run\s+|\$\(\w*BIN\w*\)/)?(ruff|flake8|pylint|black|isort|mypy|pyright|pre-commit\s+run|pycodestyle|"
    r"pydocstyle|yapf|autopep8)\b(?!\s*==)")


# pytest run with a linter plugin's flag (pytest --flakes --pep8 --pylint, pytest --flake8):
# the plugins lint every collected file as part of the test run.
_PYTEST_LINT_CMD = lazy_re(
    r"^(?:(?:python3?|py)\s+-m\s+|poetry run\s+|uv run\s+|pipenv run\s+|pdm run\s+|hatch run\s+)?(?:py\.test|pytest)\b"
    r"[^\n#]*?\s--(black|flake8|flakes|mypy|pylint|ruff|isort|pep8|pycodestyle|codestyle|docstyle)(?![\w-])")


def makefile_runs_linter(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A Makefile target whose recipe runs a linter or formatter (make lint / make format), or
    pytest with a linter plugin's flag (pytest --pylint --pep8)."""
    allowed = set(paths(view, det, ("Makefile", "makefile", "GNUmakefile")))
    for rel in makefiles(view):
        if rel not in allowed:
            continue
        for t in make_targets(view, rel).values():
            for line, text in t.recipe:
                m = _LINT_CMD.match(text)
                if m and "install" not in text.split()[:3]:
                    yield Hit(rel, line, f"Makefile target {t.name} runs {m.group(1)}")
                    return
                m = _PYTEST_LINT_CMD.match(text)
                if m:
                    yield Hit(rel, line, f"Makefile target {t.name} runs pytest --{m.group(1)}")
                    return


_VERSION_ONLY = lazy_re(r"\s--?(version|help|V)\b")


def ci_script_runs_linter(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """CI runs a repository script (or a Makefile target) whose lines run a linter or formatter
    (`bash ci/lint.sh` with `flake8 .` inside): the check runs on every pipeline run as if it
    were written in the CI file. A script that only installs the tools or prints their versions
    lints nothing."""
    from .deploy import ci_lines  # deploy's checks import this module

    allowed = set(paths(view, det)) if (det.files or det.exclude) else None
    for pipe in view.ci():
        if allowed is not None and pipe.path not in allowed:
            continue
        for cl in ci_lines(view, pipe):
            if not cl.via:
                continue
            m = _LINT_CMD.match(cl.text)
            if m and "install" not in cl.text.split()[:3] and not _VERSION_ONLY.search(cl.text):
                yield Hit(cl.path, cl.line, f"CI runs {m.group(1)} (via {cl.via})")
                return


# -- dev.modular_code: the model of an LLM application ---------------------------------------

# The model of a retrieval-augmented, chat or agent application is a language model reached
# through its client: a LangChain / LlamaIndex chat model, a provider SDK (OpenAI, Anthropic,
# Ollama, LiteLLM...), hosted or served locally. Code that builds one and runs it is the
# application's model code, as an inference wrapper is for a trained model.
LLM_ROOTS = frozenset({"langchain", "langchain_openai", "langchain_community", "langchain_anthropic", "langchain_ollama",
                       "langchain_groq", "langchain_mistralai", "langchain_google_genai", "langchain_google_vertexai",
                       "langchain_aws", "langchain_cohere", "langchain_huggingface", "llama_index", "openai", "anthropic",
                       "ollama", "litellm", "crewai", "groq", "mistralai", "google"})
LLM_CLIENTS = (
    "langchain_openai.{ChatOpenAI,AzureChatOpenAI,OpenAI,AzureOpenAI}", "langchain_anthropic.ChatAnthropic",
    "langchain_ollama.{ChatOllama,OllamaLLM}", "langchain_groq.ChatGroq", "langchain_mistralai.ChatMistralAI",
    "langchain_google_genai.{ChatGoogleGenerativeAI,GoogleGenerativeAI}", "langchain_google_vertexai.{ChatVertexAI,VertexAI}",
    "langchain_aws.{ChatBedrock,ChatBedrockConverse,BedrockLLM}", "langchain_cohere.ChatCohere",
    "langchain_huggingface.{ChatHuggingFace,HuggingFaceEndpoint}",
    "langchain.chat_models.*", "langchain.llms.*", "langchain_community.chat_models.*", "langchain_community.llms.*",
    "llama_index.llms.*", "openai.{OpenAI,AzureOpenAI,AsyncOpenAI,AsyncAzureOpenAI}", "openai.{ChatCompletion,Completion}.create",
    "anthropic.{Anthropic,AsyncAnthropic}", "ollama.{chat,generate,Client,AsyncClient}", "litellm.{completion,acompletion}",
    "crewai.LLM", "groq.{Groq,AsyncGroq}", "mistralai.Mistral", "google.generativeai.GenerativeModel",
)
# The last names of LLM_CLIENTS for each library, one of which a file importing it must
# contain to be parsed (a Google Cloud client module is no Gemini model).
_LLM_CLIENT_TAILS = pattern_tails_by_root(LLM_CLIENTS)
# What runs a model client, a chain or an agent built on one.
_LLM_RUN_ATTRS = frozenset({"invoke", "ainvoke", "stream", "astream", "batch", "abatch", "generate", "agenerate", "predict",
                            "complete", "acomplete", "chat", "achat", "stream_chat", "create", "run", "arun", "query",
                            "aquery", "kickoff", "generate_content", "send_message", "call"})
_LLM_DIRECT = ("openai.{ChatCompletion,Completion}.create", "ollama.{chat,generate}", "litellm.{completion,acompletion}")
# A provider SDK's endpoints that are not a language model, and those that are.
_NOT_LLM_ENDPOINT = lazy_re(r"\.(audio|images|embeddings|moderations)\.")
_LLM_ENDPOINT = lazy_re(r"\.(chat|completions|responses|messages|beta)\.|\.(a?invoke|a?stream|a?complete|a?chat|a?query|kickoff|"
                        r"generate_content|send_message)$")


def _llm_files(view: RepoView, det: DetectorSpec) -> list[str]:
    return selected(view, det, "llm", lambda: python_files(view, det, LLM_ROOTS, notebooks=False, tails=_LLM_CLIENT_TAILS))


@parses(_llm_files)
def llm_modules(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """The model code of an LLM application: a non-test module that builds a language-model
    client (ChatOpenAI, a LlamaIndex Ollama, OpenAI()), and runs it or a chain / agent / query
    engine on it (invoke, complete, chat.completions.create, kickoff) or hands it to the
    project's code that does (a factory module the query route imports). A fake LLM, a module
    that only names the chat model in its settings, or one that embeds documents stays out."""
    for rel in _llm_files(view, det):
        facts = view.python(rel)
        if facts is None or facts.notebook_export:
            continue
        clients = [c for c in matching_calls(facts, LLM_CLIENTS) if not c.name.rsplit(".", 1)[-1].startswith("Fake")]
        if not clients:
            continue
        direct = next((c for c in clients if name_matches(c.name, _LLM_DIRECT)), None)
        if direct is None and any(_NOT_LLM_ENDPOINT.search(c.name) for c in facts.calls) and not any(
                _LLM_ENDPOINT.search(c.name) for c in facts.calls):
            continue  # a provider SDK used only for transcription, images or embeddings: no language model
        runs = direct is not None or any(c.attr in _LLM_RUN_ATTRS for c in facts.calls if "." in c.name)
        c = direct or clients[0]
        yield Hit(rel, c.line, f"LLM application code: builds {c.name.rsplit('.', 1)[-1]}" + (" and runs it" if runs else ""))
        return


# -- dev.config ------------------------------------------------------------------------------

_HPARAM_KWARG = lazy_re(
    r"^(lr|learning_rate|base_lr|epochs?|num_epochs|n_epochs|max_epochs|batch_size|microbatch|dropout|weight_decay|"
    r"momentum|hidden_(size|dim|units)|num_layers|n_layers|num_channels|num_res_blocks|num_heads|n_estimators|"
    r"max_depth|warmup_steps|max_steps|lr_anneal_steps|grad_clip|ema_rate|embedding_dim|d_model)$")


# `add_argument(` whose first argument is not a plain string literal (an f-string, a name, a
# concatenation): what an option generated from a dict needs. Anything it cannot read as a
# literal counts, so it never rules out a file the parse would keep.
_DYNAMIC_OPTION = lazy_re(r"""\badd_argument\s*\(\s*+(?![rRbBuU]{0,2}(?:"[^"\\\n]*"|'[^'\\\n]*')\s*[,)])""")


def _argparse_files(view: RepoView, det: DetectorSpec) -> list[str]:
    """The argparse files, or none when not one of them has a generated option: then the check
    can find nothing, and nothing needs a parse."""

    def make() -> list[str]:
        files = list(python_files(view, det, frozenset({"argparse"}), notebooks=False))
        return files if any(_DYNAMIC_OPTION.search(view.text(r) or "") for r in files) else []

    return selected(view, det, "argparse", make)


@parses(_argparse_files)
def cli_from_defaults_dict(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """Options generated from a dict of hyperparameter defaults (`for k, v in defaults.items():
    parser.add_argument(f"--{k}", default=v)`, often in a helper module): the option names are
    not literals, the dict's keys are."""
    files = _argparse_files(view, det)
    parsed = [(rel, f) for rel in files if (f := view.python(rel)) is not None]
    if not any(c.attr == "add_argument" and c.args and c.args[0] is ... for _, f in parsed for c in f.calls):
        return
    for rel, facts in parsed:
        for c in facts.calls:
            keys = [k for k, _v in c.kwargs if _HPARAM_KWARG.match(k)] if c.name == "dict" else []
            if len(keys) >= 2:
                yield Hit(rel, c.line, f"builds command-line options from hyperparameter defaults ({', '.join(keys[:3])})")
                return


# -- dev.experiment_tracking: a Hugging Face Trainer run inside the project's MLflow experiment --

_HF_ARGS = ("transformers.*TrainingArguments", "trl.*Config")
_HF_TRAINERS = ("transformers.*Trainer", "trl.*Trainer")
_REPORTS_TO_MLFLOW = frozenset({"all", "mlflow"})
_MISSING = object()


def _reports_to_mlflow(call: Call, text: str) -> bool:
    """TrainingArguments whose report_to names MLflow (or "all"), or leaves it at its default
    (every installed integration, in transformers 4) when the file sets it nowhere else."""
    value = call.kwarg("report_to", _MISSING)
    if value is _MISSING:
        return "report_to" not in text
    values = value if isinstance(value, tuple) else (value,)
    return any(isinstance(v, str) and v.lower() in _REPORTS_TO_MLFLOW for v in values)


@prefilters("set_experiment")
def hf_trainer_in_mlflow_experiment(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A script that names its MLflow experiment (mlflow.set_experiment) and trains a Hugging Face
    Trainer whose TrainingArguments report to MLflow, by default or by name: the Trainer's MLflow
    callback logs the run's parameters and metrics into that experiment, with no log_* call of
    the project's own. With report_to="none" (or only another tracker) nothing reaches MLflow."""
    for rel in view.with_any(paths(view, det, ("*.py",)), ("set_experiment",)):
        text = view.text(rel) or ""
        if "TrainingArguments" not in text and "Config" not in text:
            continue
        facts = view.python(rel)
        if facts is None or facts.notebook_export:
            continue
        exp = next((c for c in facts.calls if c.resolved and name_matches(c.name, ("mlflow.set_experiment",))), None)
        if exp is None or not any(c.resolved and name_matches(c.name, _HF_TRAINERS) for c in facts.calls):
            continue
        if any(c.resolved and name_matches(c.name, _HF_ARGS) and _reports_to_mlflow(c, text) for c in facts.calls):
            yield Hit(rel, exp.line, "trains a Hugging Face Trainer in the MLflow experiment it sets (report_to default or mlflow)")
            return


# -- dev.config: a yacs-style config node overridden per run -----------------------------------

_MERGE_ATTRS = frozenset({"merge_from_file", "merge_from_list", "merge_from_args", "merge_from_yaml"})
# The run trains: a Trainer of any kind is built and run, or the script fits / trains itself.
_RUNS_TRAINER = lazy_re(r"\b\w*Trainer\s*\(|\.(?:fit|train|run)\s*\(")


@prefilters("merge_from_")
def config_node_overrides(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A training script that builds its configuration node from a file or the command line
    (yacs / detectron2 style: cfg.merge_from_file(args.config_file), cfg.merge_from_list(args.opts),
    config.merge_from_args(sys.argv[1:])) and then runs a trainer: every hyperparameter comes
    from the config. A demo script that merges a config only to run inference does not count."""
    for rel in view.with_any(paths(view, det, ("*.py",)), ("merge_from_",)):
        text = view.text(rel) or ""
        if not _RUNS_TRAINER.search(text):
            continue
        facts = view.python(rel)
        if facts is None or facts.notebook_export:
            continue
        merge = next((c for c in facts.calls if c.attr in _MERGE_ATTRS and "." in c.name), None)
        if merge is None:
            continue
        if training_signal(facts) is None and not any(
                "Trainer" in c.name.rsplit(".", 1)[-1] or (c.attr in ("train", "run", "fit") and "trainer" in c.name.lower())
                for c in facts.calls):
            continue
        yield Hit(rel, merge.line, f"training run configured by a config node: calls {merge.name.rsplit('.', 1)[-1]}")
        return


# -- dev.config: a spaCy training config --------------------------------------------------------

@prefilters("[training]")
def spacy_training_config(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A spaCy training config (a .cfg with [nlp], [components.*] and [training] sections):
    `spacy train` takes every hyperparameter from it. A trained pipeline's saved copy (the
    config.cfg beside its meta.json, model-best/, model-last/) is an output, not configuration."""
    for rel in view.with_any(paths(view, det, ("*.cfg",)), ("[training]",)):
        folder = rel.rsplit("/", 1)[0] + "/" if "/" in rel else ""
        if view.exists(folder + "meta.json") or re.search(r"(^|/)model-(best|last)/", rel):
            continue
        lines = view.lines(rel)
        heads = {t.strip() for t in lines if t.startswith("[")}
        if "[nlp]" in heads and "[training]" in heads and any(h.startswith("[components") for h in heads):
            yield Hit(rel, next(i for i, t in enumerate(lines, 1) if t.strip() == "[training]"),
                      "spaCy training config: spacy train reads its hyperparameters")
            return


# -- dev.tests -------------------------------------------------------------------------------

_TEST_NAME = lazy_re(r"^(test_.*|.*_test)\.py$")


# What a generated project template's own test checks (Kedro's test_run.py asserts the
# context's package name or version, or that running the empty template fails with "Pipeline
# contains no nodes"): a placeholder "to be replaced", not a test of the code.
_SCAFFOLD_ATTRS = frozenset({"package_name", "project_name", "project_version", "project_path"})
_EMPTY_TEMPLATE_RUN = "contains no nodes"


def _test_bodies(tree: ast.Module) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, list[ast.stmt]]]:
    """Each test function of a module, with its statements other than docstrings."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
            yield node, [s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]


def _cwd_call(node: ast.Call) -> bool:
    """`Path.cwd()` / `os.getcwd()`."""
    f = node.func
    return isinstance(f, ast.Attribute) and f.attr in ("cwd", "getcwd") and not node.args


def _tests_where(view: RepoView, rel: str, pred: Callable[[ast.AST, list[ast.stmt]], bool]) -> frozenset[str]:
    """Names of the module's test functions for which `pred(function, body)` holds."""
    tree = py_tree(view, rel)
    if tree is None:
        return frozenset()
    return frozenset(node.name for node, body in _test_bodies(tree) if pred(node, body))


def _scaffold_test(node: ast.AST, body: list[ast.stmt]) -> bool:
    if any(isinstance(n, ast.Constant) and isinstance(n.value, str) and _EMPTY_TEMPLATE_RUN in n.value for n in ast.walk(node)):
        return True
    # (`assert project_context.project_path == Path.cwd()`: the working directory is the
    # template's expected value, not something of the project it calls)
    return bool(body) and all(
        isinstance(s, ast.Assert) and not any(isinstance(n, ast.Call) and not _cwd_call(n) for n in ast.walk(s.test))
        and {n.attr for n in ast.walk(s.test) if isinstance(n, ast.Attribute)} - {"cwd", "getcwd"} <= _SCAFFOLD_ATTRS
        and "project_context" in ast.dump(s.test) for s in body)


def _scaffold_tests(view: RepoView, rel: str, text: str) -> frozenset[str]:
    """Names of test functions whose every statement asserts on project_context name/version/path,
    or that check the empty template's run fails for want of pipeline nodes."""
    if "project_context" not in text and _EMPTY_TEMPLATE_RUN not in text:
        return frozenset()
    return _tests_where(view, rel, _scaffold_test)


# A test a project template ships to be replaced: it fails on purpose (`assert False, "No tests
# written"`, pytest.fail / self.fail, raise NotImplementedError), or only imports the package.
# Looked for where a test's body starts (after blank / comment lines and a docstring), so that
# only files with such a test are parsed again.
_PLACEHOLDER_NEEDLE = lazy_re(
    r"def test\w*\([^)]*\)\s*(?:->[^:\n]*)?:[ \t]*(?:#[^\n]*)?\n(?:[ \t]*(?:#[^\n]*)?\n)*"
    r"(?:[ \t]+(?:\"\"\"[\s\S]*?\"\"\"|'\'\'[\s\S]*?'\'\')[ \t]*\n(?:[ \t]*(?:#[^\n]*)?\n)*)?"
    r"[ \t]+(?:import\s|from\s+\S+\s+import\s|assert\s+False\b|(?:pytest|self)\.fail\s*\(|raise\s+NotImplementedError\b)")


def _always_fails(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Assert):
        return isinstance(stmt.test, ast.Constant) and not stmt.test.value
    if isinstance(stmt, ast.Raise):
        exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        f = stmt.value.func
        return isinstance(f, ast.Attribute) and f.attr == "fail"
    return False


def _placeholder_tests(view: RepoView, rel: str, text: str) -> frozenset[str]:
    """Names of test functions whose body only fails unconditionally, or only imports."""
    if not _PLACEHOLDER_NEEDLE.search(text):
        return frozenset()
    return _tests_where(view, rel, lambda node, body: bool(body) and (
        all(isinstance(s, (ast.Import, ast.ImportFrom)) for s in body) or _always_fails(body[0])))


_TEST_DIRS = frozenset({"tests", "test", "testing", "__tests__"})


def _hand_run_script(rel: str, text: str) -> bool:
    """A script run by hand or by a deploy job (a smoke request to a server or an endpoint, say):
    it runs from `__main__`, uses neither pytest nor unittest, asserts nothing, and is a
    test_*.py outside any test directory or, inside one, a file pytest would not collect
    (test/test.py that a deploy stage runs with `python test/test.py`)."""
    if "__main__" not in text or "assert" in text or "pytest" in text or "unittest" in text:
        return False
    return _TEST_DIRS.isdisjoint(rel.split("/")[:-1]) or not _TEST_NAME.match(rel.rsplit("/", 1)[-1])


# Folders that hold other people's code copied into the repository.
_VENDOR_DIRS = frozenset({"third_party", "third-party", "thirdparty", "3rdparty", "3rd_party", "3rd-party", "vendor",
                          "vendored", "_vendor", "extern", "external", "externals"})
_README_NAMES = ("README.md", "README.rst", "README.txt", "README", "readme.md")


def _foreign_tests(view: RepoView, rel: str) -> bool:
    """Tests of code the project copied in, not of its own: under a vendoring folder
    (third_party/, vendor/, external/ above the test directory), or inside a whole repository
    copied into one of the project's packages (the nearest folder with its own README and
    .gitignore sits in a directory that has an __init__.py). A monorepo's component with its
    own README and tests is not inside a package and keeps its tests."""
    parts = rel.split("/")[:-1]
    for p in parts:
        low = p.lower()
        if low in _TEST_DIRS:
            break
        if low in _VENDOR_DIRS:
            return True
    for i in range(len(parts), 1, -1):
        folder = "/".join(parts[:i])
        if view.exists(f"{folder}/.gitignore") and any(view.exists(f"{folder}/{n}") for n in _README_NAMES):
            return view.exists("/".join(parts[:i - 1]) + "/__init__.py")
    return False


def project_tests(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """Test files (test_*.py / *_test.py, or any .py under a test directory) defining at least
    one test function or method whose body is more than a placeholder (nor a generated
    template's check of the project's own name, nor a template's test that fails on purpose or
    only imports the package, nor a hand-run script named test_*.py, nor the
    tests of a library copied into the repository)."""
    for rel in paths(view, det, ("*.py",)):
        base = rel.rsplit("/", 1)[-1]
        if not (_TEST_NAME.match(base) or (view.is_test(rel) and base != "conftest.py")):
            continue
        if _foreign_tests(view, rel):
            continue
        text = view.text(rel)
        if text and "def test" not in text and "TestCase" not in text and "assert" in text and "__main__" in text:
            hit = _ci_run_assert_script(view, rel)
            if hit is not None:
                yield hit
            continue
        if not text or ("def test" not in text and "TestCase" not in text) or _hand_run_script(rel, text):
            continue
        facts = view.python(rel)
        if facts is None:
            continue
        scaffold = _scaffold_tests(view, rel, text) | _placeholder_tests(view, rel, text)
        for fn in facts.functions:
            if fn.name.startswith("test") and not fn.trivial and fn.name not in scaffold:
                yield Hit(rel, fn.line, f"defines test {fn.name}")
                break



_PYTHON_RUNS_FILE = lazy_re(r"\bpython[\d.]*\s+(?:-\S+\s+)*([\w./-]+\.py)\b")


def _ci_run_assert_script(view: RepoView, rel: str) -> Hit | None:
    """A test_*.py written as a script (its `__main__` calls check functions that `assert` on
    the project's code, no pytest test functions) that a CI job runs (`python sim/test_ops.py`,
    maybe from the job's working directory): the checks run automatically. The same script
    left to be run by hand, or one asserting nothing, is no test."""
    tree = py_tree(view, rel)
    if tree is None or not any(isinstance(s, ast.If) and "__main__" in ast.dump(s.test) for s in tree.body):
        return None
    checker = next((f for f in tree.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                    and any(isinstance(n, ast.Assert) for n in ast.walk(f))), None)
    if checker is None:
        return None
    for pipe in view.ci():
        for cmd in pipe.commands:
            for m in _PYTHON_RUNS_FILE.finditer(cmd.text):
                target = norm_path(m.group(1))
                if target and (rel == target or rel.endswith("/" + target)):
                    return Hit(rel, checker.lineno, f"defines checks {checker.name} that CI runs ({pipe.path}:{cmd.line})")
    return None


# -- dev.tests: JUnit tests of a JVM or Android component (an on-device app, a Spark job) ------

_JVM_TEST_ANNOTATION = lazy_re(r"^[ \t]*@Test\b", re.M)
_JVM_ASSERTION = lazy_re(r"\b(assert\w*|verify|expect\w*|shouldBe|fail)\s*\(|\bshould(Be|Equal)\b|\bassertThat\b")
# The tests an IDE writes into every new project: `assertEquals(4, 2 + 2)`, the app's package
# name read from its context.
_IDE_PLACEHOLDER_NAMES = frozenset({"ExampleUnitTest", "ExampleInstrumentedTest", "ApplicationTest"})
_PLACEHOLDER_ASSERT = lazy_re(r"assertEquals\(\s*4\s*,\s*2\s*\+\s*2\s*\)|packageName|getPackageName\(\)")


@prefilters("@Test")
def jvm_tests(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """JUnit test classes (`@Test` methods with assertions) under src/test/ or
    src/androidTest/ of a Java, Kotlin or Scala component: the tests of an Android app shipping
    the model or of a JVM job. The placeholder tests an IDE generates in a new project
    (ExampleUnitTest's 2 + 2, the instrumented check of the package name) do not count."""
    for rel in view.with_any(paths(view, det), ("@Test",)):
        base = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if base in _IDE_PLACEHOLDER_NAMES or "/src/test/" not in f"/{rel}" and "/src/androidTest/" not in f"/{rel}":
            continue
        text = view.text(rel) or ""
        m = _JVM_TEST_ANNOTATION.search(text)
        if m is None:
            continue
        asserts = [a for a in _JVM_ASSERTION.finditer(text, m.end())]
        lines = text.splitlines()
        real = [a for a in asserts if not _PLACEHOLDER_ASSERT.search(lines[text.count("\n", 0, a.start())])]
        if real:
            yield Hit(rel, text.count("\n", 0, m.start()) + 1, f"defines JUnit tests in {rel.rsplit('/', 1)[-1]}")


# -- dev.modular_code ------------------------------------------------------------------------

ML_ROOTS = frozenset(
    """torch tensorflow keras tf_keras sklearn xgboost lightgbm catboost jax flax optax haiku
    transformers pytorch_lightning lightning statsmodels prophet mxnet paddle fastai timm
    sentence_transformers spacy gensim trl peft accelerate deepspeed ultralytics detectron2
    mmcv mmdet pycaret h2o autogluon darts sktime neuralprophet dgl torch_geometric
    stable_baselines3 sb3_contrib sbx skorch tensorflow_addons pmdarima""".split()
)
MODEL_BASES = (
    "torch.nn.Module", "torch.nn.modules.module.Module", "torch.nn.modules.Module",
    "*LightningModule", "{keras,tensorflow.keras,tf_keras}.Model",
    "{keras,tensorflow.keras,tf_keras}.models.Model", "{keras,tensorflow.keras,tf_keras}.layers.Layer",
    "sklearn.base.BaseEstimator", "flax.linen.Module", "haiku.Module", "transformers.PreTrainedModel",
    "transformers.*PreTrainedModel", "transformers.Trainer", "equinox.Module",
)
TRAINING_CALLS = (
    "xgboost.train", "xgboost.cv", "lightgbm.train", "lightgbm.cv", "catboost.train",
    "{transformers,trl}.*Trainer", "{pytorch_lightning,lightning,lightning.pytorch}.Trainer",
    "{keras,tensorflow.keras,tf_keras}.*Model", "{keras,tensorflow.keras,tf_keras}.{,models.}Sequential",
)
# `learn`: a reinforcement-learning agent's training loop (Stable-Baselines3 `model.learn(total_timesteps=...)`,
# the algorithm often picked from a dict of classes so that its construction never resolves).
TRAINING_ATTRS = frozenset({"fit", "fit_generator", "train_on_batch", "backward", "train_model", "partial_fit", "learn"})
# Text a file must contain to possibly show a training signal (checked before parsing).
TRAINING_TAILS = ("Module", "Model", "Layer", "Estimator", "Trainer", "Sequential", ".fit", ".train",
                  "backward", "train_on_batch", "partial_fit", ".learn", "xgb", "lgb", "xgboost", "lightgbm", "catboost",
                  "compare_models", "create_model", "tune_model", "finalize_model", "blend_models", "stack_models")
# A superset, as text, of what training_signal finds in the parsed file.
_TRAINING_TEXT = lazy_re(
    r"^[ \t]*class[ \t]+\w+[ \t]*\([^)]*(Module|Model|Layer|Estimator|Trainer)\b"
    r"|\.(fit|fit_generator|train_on_batch|partial_fit|train_model|backward|learn)[ \t]*\(",
    re.M,
)
# A call of a training function or a model class: `train(`, `Trainer(`, `XGBModel(`. Searched
# without a leading \b (a word-boundary test at every position cost six times the search), the
# boundary checked on each match instead; a name ending in Model needs none.
_TRAINING_CALL_TEXT = lazy_re(r"(train|cv|Trainer|Sequential|Model|compare_models|create_model|tune_model|finalize_model|"
                              r"blend_models|stack_models)[ \t]*\(")


def training_text(text: str) -> bool:
    """Whether a text may hold a training signal (`_TRAINING_TEXT`, or a training call)."""
    if _TRAINING_TEXT.search(text):
        return True
    for m in _TRAINING_CALL_TEXT.finditer(text):
        i = m.start()
        if m.group(1) == "Model" or i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_"):
            return True
    return False
# `model.train(data="coco.yaml", epochs=50)`: a high-level trainer's train method (Ultralytics
# YOLO, gensim) takes the data or the number of epochs; torch's `model.train()` switches a mode.
_TRAIN_METHOD_KWARGS = frozenset({"data", "epochs", "num_epochs", "max_epochs", "imgsz", "train_data", "training_data"})
_NOT_TRAINING_RECEIVERS = lazy_re(r"(scaler|encoder|vectori[sz]er|imputer|tokenizer|pca|transformer|binarizer)s?$", re.I)


# A function that draws (plot_*, visualize_*, show_*, an interactive widget's callback): a fit
# inside it belongs to a plotting helper (practices.md: plotting helpers are not model code).
_PLOTTING_FUNCTION = lazy_re(r"^_?(plot|visuali[sz]e|viz|draw|show|display|animate|interact)(_|$)", re.I)


def _in_plotting_function(facts: PyFacts, call: Call) -> bool:
    return any(
        f.end is not None and f.line <= call.line <= f.end and f.cell == call.cell and _PLOTTING_FUNCTION.match(f.name)
        for f in facts.functions
    )


# PyCaret's functional API is used through a star import (`from pycaret.classification import *`,
# its documented style), which leaves its calls unresolved; its object API through an experiment
# object (`exp.compare_models()`). Its function names are its own: in a file importing PyCaret, a
# call of that name is PyCaret's.
PYCARET_TRAINING = frozenset({"compare_models", "create_model", "tune_model", "finalize_model", "blend_models",
                              "stack_models", "ensemble_model", "automl"})


def pycaret_calls(facts: PyFacts, names: frozenset[str]) -> list[Call]:
    """Calls of PyCaret functions named in `names`, in a file that imports PyCaret."""
    if "pycaret" not in facts.modules:
        return []
    return [c for c in facts.calls if c.name.rsplit(".", 1)[-1] in names
            and (not c.resolved or c.name.startswith("pycaret."))]


def training_signal(facts: PyFacts, model_classes: bool = True) -> tuple[int, str] | None:
    """(line, message) of the first sign of model or training code, or None. Without
    `model_classes`, only a training call counts (a model class is also defined to be loaded)."""
    found: list[tuple[int, str]] = []
    for c in facts.classes if model_classes else ():
        for b in c.bases:
            if name_matches(b, MODEL_BASES):
                found.append((c.line, f"defines model class {c.name}({b})"))
                break
    for call in facts.calls:
        if call.resolved and name_matches(call.name, TRAINING_CALLS) and not _in_plotting_function(facts, call):
            found.append((call.line, f"calls {call.name}"))
            break
    train = next(iter(pycaret_calls(facts, PYCARET_TRAINING)), None)
    if train is not None:
        found.append((train.line, f"trains with PyCaret: calls {train.name}"))
    for call in facts.calls:
        if "." not in call.name:
            continue
        if call.attr not in TRAINING_ATTRS and not (call.attr == "train" and any(k in _TRAIN_METHOD_KWARGS for k, _ in call.kwargs)):
            continue
        if call.resolved and "()" not in call.name:
            continue  # a module function named fit/train, not a method on a model
        receiver = call.name.rsplit(".", 1)[0]
        if _NOT_TRAINING_RECEIVERS.search(receiver.rsplit(".", 1)[-1].rstrip("()")):
            continue
        if _in_plotting_function(facts, call):
            continue
        found.append((call.line, f"calls {call.name}"))
        break
    return min(found) if found else None


# Spark ML: a model estimator (pyspark.ml.classification.LogisticRegression, ALS, KMeans) that
# the file fits, or an RDD-based MLlib model's train* class method. Feature transformers
# (StringIndexer, VectorAssembler) fit too but build no model.
_SPARK_MODEL_TEXT = lazy_re(r"pyspark\.ml\.(classification|regression|clustering|recommendation|fpm)\b|"
                            r"pyspark\.mllib\.(classification|regression|clustering|recommendation|tree)\b")
_SPARK_ESTIMATORS = ("pyspark.ml.{classification,regression,clustering,recommendation,fpm}.*",)
_SPARK_MLLIB = ("pyspark.mllib.{classification,regression,clustering,recommendation,tree}.*",)


def spark_training(facts: PyFacts) -> tuple[int, str] | None:
    """(line, message) where a file trains a Spark ML model: it builds a model estimator and
    fits something, or calls an MLlib model's train method; None otherwise."""
    for c in facts.calls:
        if not c.resolved or "()" in c.name:
            continue
        if name_matches(c.name, _SPARK_ESTIMATORS) and c.name.count(".") == 3 and not c.attr.endswith("Model") \
                and c.attr[:1].isupper() and any(f.attr == "fit" for f in facts.calls):
            return c.line, f"trains a Spark ML model: calls {c.name}"
        if name_matches(c.name, _SPARK_MLLIB) and c.attr.startswith("train"):
            return c.line, f"trains a Spark MLlib model: calls {c.name}"
    return None


def _training_files(view: RepoView, det: DetectorSpec) -> list[str]:
    # No textual sign of a model class or a training call: no parse. A file whose only ML
    # import is Spark's names one of Spark's model packages.
    def keep(rel: str) -> bool:
        text = view.text(rel) or ""
        if view.modules(rel).isdisjoint(ML_ROOTS):
            return _SPARK_MODEL_TEXT.search(text) is not None
        return training_text(text)

    return selected(view, det, "training", lambda: (
        rel for rel in python_files(view, det, ML_ROOTS | {"pyspark"}, notebooks=False, tails=TRAINING_TAILS)
        if keep(rel)
    ))


# Layers of torch.nn that hold weights, and the containers that chain them: a module building
# them composes a network (model code) even outside an nn.Module subclass, e.g. a classifier
# head set on a pretrained backbone (`model.classifier = nn.Sequential(nn.Linear(...), ...)`).
# Activations, dropout and softmax alone build nothing.
_TORCH_WEIGHT_LAYERS = (
    "torch.nn.{Linear,LazyLinear,Bilinear,Conv1d,Conv2d,Conv3d,ConvTranspose1d,ConvTranspose2d,ConvTranspose3d,"
    "LSTM,GRU,RNN,LSTMCell,GRUCell,Embedding,EmbeddingBag,MultiheadAttention,Transformer,TransformerEncoder,"
    "TransformerDecoder,TransformerEncoderLayer,TransformerDecoderLayer}",
)
_TORCH_CONTAINERS = ("torch.nn.{Sequential,ModuleList,ModuleDict}",)


def _network_built(facts: PyFacts) -> tuple[int, str] | None:
    """(line, message) where a file builds a network from torch.nn layers: two layers with
    weights, or one inside a Sequential / ModuleList; None otherwise."""
    layers = [c for c in facts.calls if c.resolved and name_matches(c.name, _TORCH_WEIGHT_LAYERS)
              and not _in_plotting_function(facts, c)]
    if not layers:
        return None
    containers = [c for c in facts.calls if c.resolved and name_matches(c.name, _TORCH_CONTAINERS)]
    if len(layers) < 2 and not containers:
        return None
    first = min(layers + containers, key=lambda c: (c.cell or 0, c.line))
    return first.line, f"builds a network from torch.nn layers: calls {first.name}"


@parses(_training_files)
def training_modules(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """Non-test .py files (not notebook exports) that import an ML framework and define a
    model class, run training or build a network from torch.nn layers."""
    for rel in _training_files(view, det):
        facts = view.python(rel)
        if facts is None or facts.notebook_export:
            continue
        if facts.modules.isdisjoint(ML_ROOTS):
            sig = spark_training(facts)
        else:
            sig = training_signal(facts) or _network_built(facts) or spark_training(facts)
        if sig:
            yield Hit(rel, sig[0], sig[1])


# -- dev.modular_code: an RLlib agent trained by the project's code --------------------------

# RLlib's registered algorithms, as tune.run / Tuner take them by name.
_RLLIB_ALGOS = frozenset("""PPO APPO DQN SimpleQ Rainbow APEX APEX_DQN APEX_DDPG R2D2 SAC IMPALA A2C A3C PG DDPG TD3 MARWIL BC
    CQL IQL CRR DT ES ARS QMIX MADDPG AlphaZero AlphaStar MAML MBMPO Dreamer DreamerV3 SlateQ LinUCB LinTS""".split())
_RLLIB_CONFIG = lazy_re(r"\.\w*Config(\(|$)")
_RLLIB_TUNE_RUNS = ("ray.tune.run", "ray.tune.Tuner", "ray.tune.tune.run", "ray.tune.run_experiments")


def _rllib_files(view: RepoView, det: DetectorSpec) -> list[str]:
    return selected(view, det, "rllib", lambda: python_files(view, det, frozenset({"ray"}), notebooks=False,
                                                            tails=("rllib", "tune")))


@parses(_rllib_files)
def rllib_agent_trained(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A module that trains a reinforcement-learning agent with RLlib: Tune runs an algorithm
    named by RLlib (tune.run("PPO", config=...)), or an algorithm built from its config
    (PPOConfig()...build(), a legacy PPOTrainer) is trained with train(). A module that only
    registers an environment or defines callbacks trains nothing."""
    for rel in _rllib_files(view, det):
        facts = view.python(rel)
        if facts is None or facts.notebook_export:
            continue
        run = next((c for c in matching_calls(facts, _RLLIB_TUNE_RUNS)
                    if c.args and isinstance(c.args[0], str) and c.args[0] in _RLLIB_ALGOS), None)
        if run is not None:
            yield Hit(rel, run.line, f"trains an RLlib agent: calls {run.name}({run.args[0]!r})")
            continue
        # The algorithm: a legacy PPOTrainer / an Algorithm class constructed directly, or a
        # PPOConfig() that something builds (often through a variable: config.build()).
        made = next((c for c in facts.calls if c.resolved and c.name.startswith("ray.rllib.")
                     and (_RLLIB_CONFIG.search(c.name) or c.attr.endswith("Trainer") or c.attr in _RLLIB_ALGOS)), None)
        if made is None:
            continue
        builds = not _RLLIB_CONFIG.search(made.name) or any(c.attr in ("build", "build_algo") for c in facts.calls)
        if builds and any(c.attr == "train" and not c.resolved for c in facts.calls):
            yield Hit(rel, made.line, f"builds an RLlib algorithm and trains it: calls {made.name.split('(')[0]}")


# -- dev.modular_code: a module that builds a predictive model ------------------------------

# Supervised estimators of the common tabular libraries: building one is model code, even where
# the fitting happens elsewhere (a model factory) or never (an unfinished training module).
_ESTIMATOR_ROOTS = frozenset({"sklearn", "xgboost", "lightgbm", "catboost"})
_ESTIMATORS = (
    "sklearn.{linear_model,ensemble,tree,svm,neighbors,naive_bayes,neural_network,discriminant_analysis}.*",
    "xgboost.XGB*", "xgboost.sklearn.XGB*", "lightgbm.LGBM*", "lightgbm.sklearn.LGBM*", "catboost.CatBoost*",
)
_NOT_ESTIMATOR = lazy_re(r"(Display|Path|Plot\w*|Warning|Error|Mixin|Base\w*|Tree|BallTree|KDTree|"
                         r"NearestNeighbors|KernelDensity|IsolationForest|RandomTreesEmbedding)$")


def _estimator_files(view: RepoView, det: DetectorSpec) -> list[str]:
    return selected(view, det, "estimators", lambda: python_files(
        view, det, _ESTIMATOR_ROOTS, notebooks=False, tails=("Classifier", "Regressor", "Regression", "SVC", "SVR", "XGB",
                                                             "LGBM", "CatBoost", "Lasso", "Ridge", "ElasticNet", "NB", "MLP",
                                                             "Perceptron", "Analysis")))


@parses(_estimator_files)
def estimator_modules(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A non-test module (not a notebook export) that builds a supervised model from a library's
    estimator classes (LogisticRegression(...), XGBClassifier(...)) and fits none in that file:
    a model factory or an unfinished training module is model code written as code. Estimators
    built only to draw a plot stay out."""
    for rel in _estimator_files(view, det):
        facts = view.python(rel)
        if facts is None or facts.notebook_export or training_signal(facts) is not None:
            continue  # training modules are training-code-in-module's
        built = next((c for c in matching_calls(facts, _ESTIMATORS)
                      if c.name.rsplit(".", 1)[-1][:1].isupper() and not _NOT_ESTIMATOR.search(c.name)
                      and not _in_plotting_function(facts, c)), None)
        if built is not None:
            yield Hit(rel, built.line, f"builds model {built.name.rsplit('.', 1)[-1]}")


# -- dev.modular_code: a model class written from scratch ------------------------------------

_FIT_DEF = lazy_re(r"(?m)^[ \t]+def[ \t]+(fit|train)[ \t]*\(")
_PREDICT_DEF = lazy_re(r"(?m)^[ \t]+def[ \t]+predict(_proba)?[ \t]*\(")


def _stub(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A body of only a docstring, pass, `...` or raise NotImplementedError: an interface."""
    for stmt in fn.body:
        if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
            continue
        if isinstance(stmt, ast.Raise) and "NotImplemented" in ast.dump(stmt):
            continue
        return False
    return True


@prefilters("def predict")
def scratch_model_classes(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A class with both a training method (fit / train) and a predict method that do
    something: a model written as code without a framework (a NumPy classifier, a k-NN),
    the estimator convention. Abstract interfaces whose methods only raise are not models."""
    for rel in paths(view, det, ("*.py",)):
        if not rel.endswith(".py") or not view.contains_any(rel, ("def predict",)):
            continue
        text = view.text(rel) or ""
        if not (_PREDICT_DEF.search(text) and _FIT_DEF.search(text)) or is_notebook_export(text):
            continue
        tree = py_tree(view, rel)
        if tree is None:
            continue
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            methods = {m.name: m for m in node.body if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))}
            fit = next((methods[n] for n in ("fit", "train") if n in methods and not _stub(methods[n])), None)
            pred = next((methods[n] for n in ("predict", "predict_proba") if n in methods and not _stub(methods[n])), None)
            if fit is not None and pred is not None:
                yield Hit(rel, node.lineno, f"defines model class {node.name} with {fit.name}() and {pred.name}()")
                break


# A parameter update by gradient descent written by hand (W = W - learning_rate * dW,
# self.weights -= self.lr * grad): training code of a model written without a framework, often
# as functions (initialize / forward / backward / update) rather than a class.
_GD_NEEDLES = ("grad", "dW", "dw", "dtheta", "d_theta", "dweights", "d_weights")
# Searched from the `*` (a literal start the regex engine finds fast), then the rate and the
# minus before it are checked in the few characters that precede it.
_GD_GRAD = lazy_re(r"\*[ \t]*(?:self\.)?(?:grads?\b|grads?\[|grad_\w+|gradients?\b|d_?[WwBb]\w*\b|d_?(?:weights?|bias(?:es)?|theta)\b)")
_GD_RATE_BEFORE = lazy_re(r"(?:-=|[\w\]\)][ \t]*-)[ \t]*(?:self\.)?(?:learning_rate|lr|alpha|eta|step_size)[ \t]*$")


@prefilters(*_GD_NEEDLES)
def gradient_descent_modules(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A Python module (not a notebook, not its nbconvert export) that updates parameters by
    gradient descent itself: the training code of a from-scratch model."""
    for rel in view.with_any([r for r in paths(view, det, ("*.py",)) if r.endswith(".py")], _GD_NEEDLES):
        text = view.text(rel) or ""
        for m in _GD_GRAD.finditer(text):
            if not _GD_RATE_BEFORE.search(text, max(0, m.start() - 60), m.start()):
                continue
            line = text.count("\n", 0, m.start()) + 1
            if (view.line(rel, line) or "").lstrip().startswith("#") or is_notebook_export(text):
                break
            yield Hit(rel, line, "updates parameters by gradient descent (learning rate times gradient)")
            break


_PRETRAINED_CONSTRUCTORS = (
    "{tensorflow.keras,keras,tf_keras}.applications*.{MobileNet*,ResNet*,VGG*,Inception*,Xception,EfficientNet*,DenseNet*,"
    "NASNet*,ConvNeXt*,RegNet*}",
    "cv2.dnn.readNet*",
)
_MODEL_LOAD_CALLS = ("joblib.load", "pickle.load", "cloudpickle.load", "torch.load", "torch.jit.load", "mlflow.*.load_model",
                     "onnxruntime.InferenceSession", "tensorflow.keras.models.load_model", "keras.models.load_model",
                     "keras.saving.load_model", "xgboost.Booster", "lightgbm.Booster", "tensorflow.saved_model.load",
                     # a pretrained network built from its published weights: MobileNetV2(weights="imagenet"),
                     # cv2.dnn.readNetFromDarknet(cfg, weights)
                     *_PRETRAINED_CONSTRUCTORS,
                     # a detector built from trained weights: YOLO("runs/train/weights/best.pt"), also
                     # imported from the subpackage that defines it (`from ultralytics.models import YOLO`)
                     "ultralytics{,.models}.{YOLO,RTDETR,YOLOWorld,YOLOE,SAM,FastSAM,NAS}",
                     # a model converted for a device, run by the TensorFlow Lite / LiteRT interpreter
                     "tflite_runtime.interpreter.Interpreter", "tensorflow.lite.Interpreter",
                     "ai_edge_litert.interpreter.Interpreter",
                     # a Hugging Face model or pipeline (a tokenizer, processor or config is no model)
                     "transformers.pipeline", "transformers.*.from_pretrained",
                     # a saved PyCaret pipeline, run with predict_model
                     "pycaret.*.load_model")
# Speech models loaded from their published checkpoints: Whisper and its ports, SpeechBrain /
# NeMo pretrained models, Coqui TTS (matched only in files importing one of them).
_SPEECH_ROOTS = frozenset({"whisper", "whisperx", "faster_whisper", "speechbrain", "nemo", "TTS"})
_SPEECH_LOAD_CALLS = ("whisper.load_model", "whisperx.load_model", "faster_whisper.WhisperModel",
                      "speechbrain.{inference,pretrained}.*.from_hparams", "nemo.collections.*.from_pretrained",
                      "nemo.collections.*.restore_from", "TTS.api.TTS")
_NOT_A_MODEL = lazy_re(r"(Tokenizer|Processor|Config|FeatureExtractor|GenerationConfig)\w*\.from_pretrained$")
_INFER_ATTRS = frozenset({"predict", "predict_proba", "run", "forward", "generate", "transform", "decision_function", "invoke",
                          "predict_model",  # PyCaret: predict_model(loaded_pipeline, data=...)
                          # speech recognition / synthesis / audio classification
                          "transcribe", "transcribe_file", "tts", "tts_to_file", "classify_file", "classify_batch",
                          "encode_batch", "separate_file"})
# A transformers pipeline is run by calling it (`pipe(texts)`): a function of the module named
# for prediction stands for that call.
_PREDICT_FUNC_NAME = lazy_re(r"^_?(predict|infer|classify|generate|score|run_inference|inference)", re.I)
_LOAD_ROOTS = frozenset({"joblib", "pickle", "cloudpickle", "torch", "mlflow", "onnxruntime", "tensorflow", "keras", "xgboost", "lightgbm",
                         "ultralytics", "tflite_runtime", "ai_edge_litert", "transformers", "spacy", "pycaret"}) | _SPEECH_ROOTS
# spacy.load of the project's own trained pipeline (a path: "output/model-best", "models/ner"); a
# published pipeline loaded by its package name (en_core_web_sm) is a text-processing tool.
_SPACY_TRAINED = lazy_re(r"[/\\]|model|output|trained|training")


def _inference_files(view: RepoView, det: DetectorSpec) -> list[str]:
    tails = ("load", "load_model", "InferenceSession", "Booster", "applications", "readNet", "YOLO", "RTDETR", "SAM", "NAS",
             "Interpreter", "pipeline", "from_pretrained", "WhisperModel", "from_hparams", "restore_from", "TTS(")
    return selected(view, det, "inference", lambda: python_files(view, det, _LOAD_ROOTS, ("readNet",), notebooks=False,
                                                                 tails=tails))


_BOUND_TO = lazy_re(r"^\s*(?:self\.)?(\w+)\s*=")


def _loaded_model_called(view: RepoView, rel: str, loads: list[Call]) -> bool:
    """A loaded model run by calling it (`model = AutoModel.from_pretrained(...)`, then
    `outputs = model(**inputs)`), as a Hugging Face or PyTorch module is."""
    facts = view.python(rel)
    if facts is None:
        return False
    for load in loads:
        m = _BOUND_TO.match(view.line(rel, load.line, load.cell) or "")
        if m is None:
            continue
        name = m.group(1)
        if any(c.line != load.line and (c.name == name or c.name == f"self.{name}") for c in facts.calls):
            return True
    return False


@parses(_inference_files)
def inference_modules(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """Model code that is not training: a non-test module that loads a model artifact and runs
    it (predict, run, forward...). Inference wrappers are model code written as code."""
    for rel in _inference_files(view, det):
        facts = view.python(rel)
        if facts is None or facts.notebook_export:
            continue
        patterns = _MODEL_LOAD_CALLS if view.modules(rel).isdisjoint(_SPEECH_ROOTS) else _MODEL_LOAD_CALLS + _SPEECH_LOAD_CALLS
        loads = [c for c in matching_calls(facts, patterns) if not _NOT_A_MODEL.search(c.name)]
        loads += [c for c in matching_calls(facts, ("spacy.load",))
                  if c.args and isinstance(c.args[0], str) and _SPACY_TRAINED.search(c.args[0])]
        if not loads:
            continue
        if not any(c.name.rsplit(".", 1)[-1] in _INFER_ATTRS for c in facts.calls) and not (
                any(c.name == "transformers.pipeline" for c in loads)
                and any(_PREDICT_FUNC_NAME.match(f.name) and not f.trivial for f in facts.functions)) and not _loaded_model_called(
                view, rel, loads):
            continue
        yield Hit(rel, loads[0].line, f"model code: loads a model ({loads[0].name}) and runs it")
        return


# -- dev.config ------------------------------------------------------------------------------

_CONFIG_LOADS = ("yaml.safe_load", "yaml.load", "yaml.full_load", "yaml.unsafe_load", "toml.load",
                 "tomllib.load", "ruamel.yaml.YAML", "omegaconf.OmegaConf.load")


# A module of shared helpers (utils.py, common.py, helpers.py, main_utils/...).
_UTILITY_MODULE = lazy_re(r"(?i)(^|/)\w*(utils?|common|helpers?)(/[\w/]*)?\.py$")


def _unused_helper(facts: PyFacts, line: int) -> bool:
    """The innermost function around `line` is never called in its own file: a reader a
    utility module offers to others (read_yaml_file(path)), not this module loading its config."""
    around = [f for f in facts.functions if f.end is not None and f.line <= line <= f.end]
    if not around:
        return False
    fn = max(around, key=lambda f: f.line)
    return not any(c.name.rsplit(".", 1)[-1] == fn.name and not (fn.line <= c.line <= fn.end) for c in facts.calls)


def config_loaded_by_training(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A training/model module (see training_signal) or a train*.py script reads a YAML/TOML
    configuration file. A utility module's reader that nothing in it calls (`read_yaml_file`
    beside `evaluate_models` in utils.py) loads whatever its callers name, a data schema as
    well as a config: the callers decide, not this module."""
    roots = frozenset({"yaml", "toml", "tomllib", "ruamel", "omegaconf"})
    for rel in python_files(view, det, roots, notebooks=False, tails=("load", "YAML")):
        base = rel.rsplit("/", 1)[-1].lower()
        if "train" not in base and view.modules(rel).isdisjoint(ML_ROOTS):
            continue  # decided before parsing
        facts = view.python(rel)
        if facts is None or facts.notebook_export:
            continue
        if "train" not in base and training_signal(facts) is None:
            continue
        utility = "train" not in base and _UTILITY_MODULE.search(rel) is not None
        for call in matching_calls(facts, _CONFIG_LOADS):
            if utility and _unused_helper(facts, call.line):
                continue
            yield Hit(rel, call.line, f"training code loads a config file: calls {call.name}")
            break


# -- dev.config: a JSON parameters file read by the code --------------------------------------

_PARAMS_JSON_JOINED = re.compile(r"""(?i)(os\.path\.join|Path|joinpath)\([^()\n]*(["'][^"'\n/]*(hparam|hyperparam|param)[^"'\n/]*\.json["'])""")
_PARAMS_JSON = re.compile(r"""(?i)open\(\s*(f?["'][^"'\n]*(param|hparam|hyperparam|config)[^"'\n]*\.json["'])""")
# Infrastructure-as-code programs (a CDK / Pulumi / CDKTF app) read per-stage deployment
# settings from JSON: that configures infrastructure, not training.
_IAC_ROOTS = frozenset({"aws_cdk", "constructs", "pulumi", "cdktf", "troposphere"})
# So does a deploy script filling a stage's CloudFormation parameters file ([{"ParameterKey":
# ..., "ParameterValue": ...}]) before the stack is created.
_CFN_PARAMETERS = ("ParameterKey",)
# The mode argument after the file name: a write, append or create mode.
_WRITE_MODE = re.compile(r"""\s*,\s*(mode\s*=\s*)?["'][rbt+]*[wax]""")


_RECEIVER = re.compile(r"(\w+)\.$")


def _archive_member(text: str, start: int) -> bool:
    """Whether the `open(` at `start` opens a member of a zip / tar archive (`with
    zipfile.ZipFile(path) as z: z.open("model_params.json")`): a saved model's own parameters
    read back by its loader, not a file configuring training."""
    m = _RECEIVER.search(text, max(0, start - 60), start)
    if m is None or m.end() != start:
        return False
    name = re.escape(m.group(1))
    return re.search(rf"(ZipFile|TarFile|tarfile\.open)\([^\n]*\)\s+as\s+{name}\b|\b{name}\s*=\s*[\w.]*(ZipFile|TarFile|tarfile\.open)\(",
                     text) is not None


# Keys of connection settings and credentials (a database, a broker, a cloud account).
_CONNECTION_KEY = lazy_re(r"(?i)^(user(name)?|password|passwd|pwd|host(name)?|port|uri|url|dsn|token|api_?key|secret\w*|"
                          r"access_?key\w*|database|db(_?name)?|schema|bucket|region|endpoint|topic|broker\w*|server|"
                          r"collection|account\w*|project(_id)?|credentials?)$")


def _connection_settings_only(view: RepoView, literal: str) -> bool:
    """The JSON file the literal names is in the repository, and every file of that name is an
    object of connection settings only (user, password, host...)."""
    name = literal.strip("fFrR\"'").rsplit("/", 1)[-1]
    if "{" in name:
        return False
    found = view.by_name(name)
    if not found:
        return False
    for rel in found:
        data = view.json(rel)
        if not isinstance(data, dict) or not data or not all(_CONNECTION_KEY.match(str(k)) for k in data):
            return False
    return True


@prefilters(".json", *_CFN_PARAMETERS)
def params_json_loaded(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A Python file opening a parameters/config JSON file, outside infrastructure-as-code apps
    and deploy scripts writing CloudFormation stage parameters."""
    for rel in paths(view, det):
        if not rel.endswith(".py") or not view.contains_any(rel, (".json",)):
            continue
        if not view.modules(rel).isdisjoint(_IAC_ROOTS) or view.contains_any(rel, _CFN_PARAMETERS):
            continue
        text = view.text(rel) or ""
        for m in _PARAMS_JSON.finditer(text):
            if _WRITE_MODE.match(text, m.end()):
                continue  # open(".../params.json", "w"): the script writes the file, it is not configured by it
            if _archive_member(text, m.start()):
                continue
            if _connection_settings_only(view, m.group(1)):
                continue  # config.json holding a database's user and password configures no training
            yield Hit(rel, text.count("\n", 0, m.start()) + 1, f"reads a parameters file: {m.group(0).strip()}")
            break
        else:
            # The path built first (`os.path.join(model_dir, "hyperparameters.json")`), then read
            # with json.load in the same file; a file written there (json.dump just after) is output.
            if "json.load" not in text:
                continue
            for m in _PARAMS_JSON_JOINED.finditer(text):
                if "json.dump" in text[m.end():m.end() + 400]:
                    continue
                yield Hit(rel, text.count("\n", 0, m.start()) + 1, f"reads a parameters file: {m.group(2)}")
                break


# -- dev.config: hyperparameters kept in a config file the code reads ---------------------------

_HPARAM_NAMES = (
    "learning_rate", "lr", "n_estimators", "max_depth", "num_leaves", "min_child_samples", "min_samples_(split|leaf)",
    "epochs", "num_epochs", "n_epochs", "max_epochs", "batch_size", "train_batch_size", "dropout", "weight_decay", "momentum",
    "hidden_size", "hidden_dim", "num_layers", "n_layers", "embedding_dim", "subsample", "colsample_bytree", "reg_alpha", "reg_lambda",
    "max_iter", "warmup_steps", "optimizer", "gamma", "C",
)
# Every name starts with a letter, so giving back indentation can never help a match: the
# possessive `*+` spares sre retrying every name at every indentation depth of a deep YAML.
# A match ends on a non-space character, as LinePattern.finditer requires.
_HPARAM_KEY = LinePattern(r"[ \t-]*+(" + "|".join(_HPARAM_NAMES) + r")\s*:\s*\S")
# A hit needs two different keys, so at least one that is not the one-letter `C`: a file
# containing none of the others cannot hit, and most YAML files (task or CI configs) don't.
_HPARAM_NEEDLES = tuple(n.split("(")[0] for n in _HPARAM_NAMES if n != "C")
_YAML_READERS = lazy_re(r"\b(yaml\.(safe_)?load|read_yaml|OmegaConf\.load|load_yaml|ConfigBox|yaml\.full_load)\b")
_NOT_CONFIG = lazy_re(r"(^|/)(\.github|\.gitlab|\.circleci|k8s|kubernetes|helm|charts?|deploy|manifests?|docs?|tests?)(/|$)", re.I)


@prefilters(*_HPARAM_NEEDLES, "yaml", "OmegaConf")
def hyperparameters_in_config(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A YAML config (not CI or deployment manifests) holding at least two hyperparameters, in a
    repository whose Python code reads YAML configuration (directly or through a helper)."""
    configs = [r for r in view.with_any(paths(view, det), _HPARAM_NEEDLES) if not _NOT_CONFIG.search(r)]
    if not configs:
        return
    # "read_yaml" contains "yaml": the two needles cover every reader the regex knows.
    if not any(_YAML_READERS.search(text) for _, text in view.texts(view.with_any(view.by_ext(".py"), ("yaml", "OmegaConf")))):
        return
    for rel, text in view.texts(configs):
        found = [(start, m.group(1)) for start, _, m in _HPARAM_KEY.finditer(text)]
        keys = {k for _, k in found}
        if len(keys) >= 2:
            line = text.count("\n", 0, found[0][0]) + 1
            yield Hit(rel, line, f"keeps hyperparameters in a config file ({', '.join(sorted(keys)[:4])})")
            return


# -- dev.config: hyperparameters kept in a JSON config the code reads -------------------------

# A JSON config must hold one of these training settings: sizes of an architecture alone are
# what a published model's config.json holds.
_JSON_TRAIN_KEYS = ("learning_rate", "lr", "epochs", "num_epochs", "n_epochs", "max_epochs", "batch_size",
                    "train_batch_size", "weight_decay", "warmup_steps", "optimizer", "momentum")
# The same settings spelled in camel or Pascal case ("BatchSize", "learningRate",
# "InitialLearningRate"), as configs written for C#-, Java- or JS-minded tooling name them: each
# key is read as its snake-case form. The needles are the key tails, closing quote included.
_JSON_CAMEL_TAILS = ("LearningRate", "learningRate", "BatchSize", "batchSize", "Epochs", "WeightDecay", "weightDecay",
                     "WarmupSteps", "warmupSteps", "Momentum", "Optimizer", "Dropout", "HiddenSize", "hiddenSize",
                     "NumLayers", "numLayers", "MaxDepth", "maxDepth", "nEstimators")
_JSON_HPARAM_NEEDLES = tuple(f'"{k}"' for k in _JSON_TRAIN_KEYS) + tuple(f'{t}"' for t in _JSON_CAMEL_TAILS)
_JSON_HPARAM_KEY = LinePattern(r'[ \t]*+"(' + "|".join(_HPARAM_NAMES) + r')"\s*:\s*\S')
_JSON_CAMEL_KEY = LinePattern(r'[ \t]*+"((?:[A-Za-z]*[a-z])?(?:' + "|".join(t for t in _JSON_CAMEL_TAILS if t[0].isupper())
                              + r')|(?:' + "|".join(t for t in _JSON_CAMEL_TAILS if t[0].islower()) + r'))"\s*:\s*\S')
# initialLearningRate, baseLearningRate: the learning rate under a qualifier.
_CAMEL_QUALIFIED_LR = lazy_re(r"^(initial|init|base|start|max|peak)_learning_rate$")
_HPARAM_NAME_SET = lazy_re(r"^(" + "|".join(_HPARAM_NAMES) + r")$")
_CONFIG_JSON_PATH = lazy_re(r"(?i)conf|hparam|hyper|param|setting")
# `config = json.loads(f.read())`, `hps = json.load(open(args.config))`: the code reads a
# config from JSON (writing one with json.dump reads nothing).
_JSON_CONFIG_READ = lazy_re(r"(?i)\b\w*(config|conf|cfg|hps|hparams?|hyper_?params|params)\w*\s*=\s*json\.loads?\("
                            r"|json\.loads?\(\s*(open\()?\s*[\w.]*(config|conf|cfg|hparam|param)")


# A JSON reading helper of the project's own (def load_json_file(name, directory): ...
# json.load(f)) whose result training keeps as its configuration
# (self.model_configuration = load_json_file(f"v{version}", "configs/models")).
_JSON_HELPER_DEF = lazy_re(r"^[ \t]*def[ \t]+(\w*json\w*)[ \t]*\(", re.M | re.I)
_CONFIG_TARGET = r"\b\w*(?:config|conf|cfg|configuration|hps|hparams?|hyper_?params|params)\w*\s*=\s*(?:[\w.]+\.)?"


def _json_helper_config_read(view: RepoView, readers: list[str]) -> bool:
    """A function named for JSON defined where json.load is called, whose result some Python
    file assigns to a configuration name: the code reads its config through the helper."""
    names = {m.group(1) for _, text in view.texts(readers) for m in _JSON_HELPER_DEF.finditer(text)
             if re.search(r"load|read|open|get|parse", m.group(1), re.I)}
    if not names:
        return False
    assign = re.compile(_CONFIG_TARGET + r"(?:" + "|".join(map(re.escape, sorted(names))) + r")\s*\(", re.I)
    py = [r for r in view.by_ext(".py") if not view.is_test(r)]
    return any(assign.search(text) for _, text in view.texts(view.with_any(py, tuple(names))))


def _json_hparam_keys(text: str) -> list[tuple[int, str]]:
    """(offset, snake-case name) of the hyperparameter keys of a JSON text, in either case style."""
    found = [(start, m.group(1)) for start, _, m in _JSON_HPARAM_KEY.finditer(text)]
    if any(t in text for t in _JSON_CAMEL_TAILS):
        for start, _, m in _JSON_CAMEL_KEY.finditer(text):
            snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", m.group(1)).lower()
            if _CAMEL_QUALIFIED_LR.match(snake):
                snake = "learning_rate"
            if _HPARAM_NAME_SET.match(snake):
                found.append((start, snake))
    return sorted(found)


@prefilters(*_JSON_HPARAM_NEEDLES, "json.load")
def hyperparameters_in_json_config(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A JSON config (named or kept in a folder for configs, hparams, params or settings) holding
    at least two hyperparameters, one of them a training setting (learning rate, epochs, batch
    size...), in a repository whose Python code reads a config from JSON: the training
    configuration of many speech models (configs/base.json handed to train.py -c)."""
    configs = [r for r in view.with_any(paths(view, det), _JSON_HPARAM_NEEDLES)
               if not _NOT_CONFIG.search(r) and _CONFIG_JSON_PATH.search(r)]
    if not configs:
        return
    readers = view.with_any([r for r in view.by_ext(".py") if not view.is_test(r)], ("json.load",))
    if not any(_JSON_CONFIG_READ.search(text) for _, text in view.texts(readers)) and not _json_helper_config_read(view, readers):
        return
    for rel, text in view.texts(configs):
        found = _json_hparam_keys(text)
        keys = {k for _, k in found}
        if len(keys) >= 2 and not keys.isdisjoint(_JSON_TRAIN_KEYS):
            line = text.count("\n", 0, found[0][0]) + 1
            yield Hit(rel, line, f"keeps hyperparameters in a JSON config the code reads ({', '.join(sorted(keys)[:4])})")
            return


# -- dev.config: a training script's options for its data split, seed and model choice ----------

# The share of the data held out (--test-size 0.2, --valid-ratio, --test_split_ratio).
_SPLIT_OPTION = lazy_re(
    r"^-{0,2}((test|val|valid|validation|eval|holdout|train)[_-](size|ratio|split|split[_-](ratio|size)|fraction|frac|pct|percent)"
    r"|split[_-](ratio|size|fraction)|test[_-]split)$", re.I)
# Settings that select what is trained and how it is resampled; alone each is weak (a --seed
# is everywhere), two together in a training script configure the training run.
_RUN_OPTION = lazy_re(r"^-{0,2}(random[_-]state|random[_-]seed|seed|model[_-]type|model[_-]kind|algorithm|algo|estimator|"
                      r"classifier|regressor|n[_-]splits|n[_-]folds|num[_-]folds|folds|cv[_-]folds|k[_-]folds)$", re.I)
_CLI_CALLS = ("*.add_argument", "click.option")


def _cli_training_files(view: RepoView, det: DetectorSpec) -> list[str]:
    """Training scripts (an ML import and a textual training sign) that declare options."""
    return selected(view, det, "cli-training", lambda: (
        rel for rel in _training_files(view, det)
        if not view.modules(rel).isdisjoint({"argparse", "click"})
        and ("add_argument" in (view.text(rel) or "") or "option(" in (view.text(rel) or ""))
    ))


def _option_names(call) -> list[str]:
    return [a for a in call.args if isinstance(a, str) and a.startswith("-")]


def _run_options(facts: PyFacts) -> tuple[tuple[int, str] | None, dict[str, int]]:
    """The first held-out split option declared (line, name), and the run-setting options
    declared (normalized name -> line), from the file's argparse / click options."""
    split = None
    run: dict[str, int] = {}
    for call in matching_calls(facts, _CLI_CALLS):
        for name in _option_names(call):
            if split is None and _SPLIT_OPTION.match(name):
                split = (call.line, name)
            elif _RUN_OPTION.match(name):
                run.setdefault(name.lstrip("-").replace("-", "_").lower(), call.line)
    return split, run


def fire_cli_training(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """fire.Fire(...) in a training script: one that trains or defines a model (training_signal)
    or is named for training / fine-tuning (finetune.py: fire.Fire(train) sets its
    hyperparameters per run). Fire on a utility script configures no training."""
    for rel in python_files(view, det, frozenset({"fire"}), notebooks=False, tails=("Fire",)):
        base = rel.rsplit("/", 1)[-1].lower()
        facts = view.python(rel)
        if facts is None or facts.notebook_export:
            continue
        call = next(iter(matching_calls(facts, ("fire.Fire",))), None)
        if call is None:
            continue
        if not re.search(r"train|finetun|fine_tun", base) and training_signal(facts) is None:
            continue
        yield Hit(rel, call.line, f"training script exposes its parameters on the command line: calls {call.name}")
        return


@parses(_cli_training_files)
def cli_training_settings(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A training script whose command line sets the held-out split (--test-size,
    --valid-ratio) or at least two run settings (--model-type, --random-state, --n-folds):
    the run is configured by parameters, not hard-coded. Options of a script that does not
    train (a data generator's --seed) do not count."""
    for rel in _cli_training_files(view, det):
        facts = view.python(rel)
        if facts is None or facts.notebook_export or training_signal(facts) is None:
            continue
        split, run = _run_options(facts)
        if split is not None:
            yield Hit(rel, split[0], f"training script takes its data split from the command line ({split[1]})")
            return
        if len(run) >= 2:
            names = sorted(run, key=run.get)
            yield Hit(rel, run[names[0]], f"training script takes run settings from the command line ({', '.join(names[:3])})")
            return


# A quoted option name, for a text pre-filter of the option checks below.
_QUOTED_OPTION = lazy_re(r"""["'](-{1,2}[\w-]+)["']""")


def _sets_run_options(text: str) -> bool:
    """The text names the held-out split option or two run-setting options (no parse)."""
    run: set[str] = set()
    for m in _QUOTED_OPTION.finditer(text):
        name = m.group(1)
        if _SPLIT_OPTION.match(name):
            return True
        if _RUN_OPTION.match(name):
            run.add(name.lstrip("-").replace("-", "_").lower())
            if len(run) >= 2:
                return True
    return False


def _cli_entry_files(view: RepoView, det: DetectorSpec) -> list[str]:
    """Command-line entry points (click / argparse options) that are not training scripts
    themselves, and whose options set the split or two run settings: cli.py, commands.py
    calling into the project's modules."""
    return selected(view, det, "cli-entry", lambda: (
        rel for rel in python_files(view, det, frozenset({"argparse", "click"}), notebooks=False,
                                    tails=("add_argument", "option("))
        if not training_text(text := view.text(rel) or "") and _sets_run_options(text)
    ))


def _project_module_file(view: RepoView, name: str) -> str | None:
    """The repository file of a resolved call `pkg.mod.func` (pkg/mod.py, src/pkg/mod.py)."""
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        mod = "/".join(parts[:cut])
        for rel in (f"{mod}.py", f"src/{mod}.py", f"{mod}/__init__.py", f"src/{mod}/__init__.py"):
            if view.exists(rel):
                return rel
    return None


@parses(_cli_entry_files)
def cli_settings_feed_training(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A command-line entry point whose options set the held-out split or two run settings
    (--n-folds, --random-state, --model-type) and which calls a function of a project module
    that trains (run_search(...) in library/experiment.py fitting the estimators): the training
    run is configured from the command line, only not in the file that fits. Options of a CLI
    whose project calls do not train (a data step's --seed) do not count."""
    for rel in _cli_entry_files(view, det):
        facts = view.python(rel)
        if facts is None or facts.notebook_export:
            continue
        split, run = _run_options(facts)
        if split is None and len(run) < 2:
            continue
        seen: set[str] = set()
        for call in facts.calls:
            if not call.resolved or "." not in call.name:
                continue
            target = _project_module_file(view, call.name)
            if target is None or target == rel or target in seen:
                continue
            seen.add(target)
            tf = view.python(target)
            if tf is None or tf.notebook_export or training_signal(tf) is None:
                continue
            if split is not None:
                yield Hit(rel, split[0], f"command line sets the data split of the training it runs ({split[1]}, calls {call.name})")
            else:
                names = sorted(run, key=run.get)
                yield Hit(rel, run[names[0]], f"command line sets the run settings of the training it runs "
                                              f"({', '.join(names[:3])}; calls {call.name})")
            return


_BATCH_OPTION = lazy_re(r"^-{0,2}(batch[_-]size|bs)$", re.I)


@parses(_cli_training_files)
def cli_batch_size_training(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A training script (named train* / *finetun*, or see training_signal) whose command line sets the batch size. An
    evaluation or inference script's --batch-size (a vendored FID tool, a predict.py) configures
    no training, so the option counts only where the script trains or defines the model."""
    for rel in _cli_training_files(view, det):
        facts = view.python(rel)
        if facts is None or facts.notebook_export:
            continue
        base = rel.rsplit("/", 1)[-1].lower()
        if "train" not in base and "finetun" not in base and training_signal(facts) is None:
            continue
        for call in matching_calls(facts, _CLI_CALLS):
            name = next((n for n in _option_names(call) if _BATCH_OPTION.match(n)), None)
            if name is not None:
                yield Hit(rel, call.line, f"training script takes its batch size from the command line ({name})")
                return


# -- dev.config: an orchestrator's run config class with hyperparameters ------------------------

# Run-configuration bases whose fields the orchestrator fills per run (launchpad, run config YAML).
_RUN_CONFIG_BASES = ("dagster.Config", "dagster.PermissiveConfig", "dagster.config.pythonic_config.Config",
                     "zenml.steps.BaseParameters", "zenml.steps.BaseStepConfig")
_HP_FIELD = lazy_re(
    r"^(lr|learning_rate|base_lr|epochs?|num_epochs|n_epochs|max_epochs|dropout|weight_decay|momentum|hidden_(size|dim|units)|"
    r"num_layers|n_layers|n_estimators|max_depth|num_leaves|warmup_steps|max_steps|optimizer|embedding_dim|num_heads|max_iter|"
    r"min_samples_leaf|subsample|label_smoothing|latent_dim|(train_)?batch_sizes?|dropouts|learning_rates)$"
)
# Each of these alone is no training setting (a data asset's batch size).
_WEAK_HP = frozenset({"batch_size", "batch_sizes", "train_batch_size"})
_TRAINS_TEXT = lazy_re(r"\.fit\(|\b(fit|train)(_\w+)?\(|\.compile\(")


def _run_config_files(view: RepoView, det: DetectorSpec) -> list[str]:
    return selected(view, det, "run-config-class", lambda: list(python_files(
        view, det, frozenset({"dagster", "zenml"}), notebooks=False, tails=("Config", "BaseParameters"))))


@parses(_run_config_files)
def orchestrator_config_hyperparameters(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """An orchestrator's run-configuration class (a Dagster Config, a ZenML step parameters class)
    declaring training hyperparameters (epochs, dropout, learning_rate...) in a module that trains:
    each run of the asset / step sets them from the run config. A config class of a data asset, or
    one holding only a batch size, configures no training."""
    for rel in _run_config_files(view, det):
        facts = view.python(rel)
        if facts is None:
            continue
        classes = [c for c in facts.classes if any(name_matches(b, _RUN_CONFIG_BASES) for b in c.bases)]
        if not classes:
            continue
        text = view.text(rel) or ""
        if training_signal(facts) is None and not _TRAINS_TEXT.search(text):
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        wanted = {c.line for c in classes}
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef) or node.lineno not in wanted:
                continue
            fields = [st.target.id for st in node.body
                      if isinstance(st, ast.AnnAssign) and isinstance(st.target, ast.Name)]
            hps = [f for f in fields if _HP_FIELD.match(f)]
            if any(f not in _WEAK_HP for f in hps):
                yield Hit(rel, node.lineno, f"run config {node.name} sets hyperparameters ({', '.join(hps[:3])})")
                return


# -- dev.config: a launch script setting the trainer's hyperparameters ----------------------------

_LAUNCH_HP_NEEDLES = ("--lr", "--learning", "--epochs", "--num_epochs", "--num-epochs", "--num_train_epochs", "--max_epochs",
                      "--max-epochs", "--warmup", "--wd", "--weight-decay", "--weight_decay", "--dropout")
_LAUNCHER = lazy_re(r"(?:^|[\s;&|(])(python3?(?:\.\d+)?|torchrun|accelerate\s+launch|deepspeed|"
                    r"python3?\s+-m\s+torch\.distributed\.(?:launch|run))(?=\s)")
_TRAINS_TARGET = lazy_re(r"(?i)(^|[\s/._=-])(pre)?train\w*|finetun\w*|fine_tun\w*")
_LAUNCH_HP_FLAG = lazy_re(
    r"(?:^|\s)--(lr|learning[_-]rate|base[_-]lr|epochs|num[_-]epochs|num[_-]train[_-]epochs|max[_-]epochs|max[_-]steps|"
    r"warmup(?:[_-]steps|[_-]ratio|[_-]epochs)?|wd|weight[_-]decay|dropout|momentum|beta1|beta2|grad[_-]clip[_-]norm|"
    r"label[_-]smoothing|lr[_-]scheduler(?:[_-]type)?|(?:per[_-]device[_-])?train[_-]batch[_-]size|batch[_-]size)(?=[\s=]|$)")
_BATCH_FLAG = lazy_re(r"batch[_-]size$")
# A program evaluating, sampling or serving a trained model takes training-like options too.
_NOT_TRAINING_PROG = lazy_re(r"(?i)(^|[/._-])(eval\w*|sampl\w*|infer\w*|predict\w*|tests?|bench\w*|score|export\w*|generate\w*)$")


@prefilters(*_LAUNCH_HP_NEEDLES)
def launch_script_hyperparameters(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A shell launch script running a training program (python train.py, torchrun -m
    trainer.main, accelerate launch finetune.py) with two or more hyperparameter options (--lr,
    --epochs, --warmup, --wd...): each run's settings are written down and passed, not hard-coded,
    even when the trainer's own CLI lives in a library. A batch size alone, or an evaluation /
    sampling command, sets no training."""
    rels = view.with_any(paths(view, det, ("*.sh", "*.bash")), _LAUNCH_HP_NEEDLES)
    for rel in rels:
        if view.is_test(rel):
            continue
        lines = view.lines(rel)
        i = 0
        while i < len(lines):
            start = i
            parts = [lines[i]]
            while parts[-1].rstrip().endswith("\\") and i + 1 < len(lines):
                i += 1
                parts.append(lines[i])
            i += 1
            cmd = " ".join(p.strip().rstrip("\\").split(" #", 1)[0] for p in parts
                           if not p.lstrip().startswith("#"))
            m = _LAUNCHER.search(cmd)
            if not m:
                continue
            # the program it runs: a script or module named for training, not an option's name
            prog = next((w for w in cmd[m.end():].split() if not w.startswith(("-", "$"))
                         and (w.endswith(".py") or re.fullmatch(r"[A-Za-z_][\w]*(\.[A-Za-z_]\w*)+", w))), "")
            if not _TRAINS_TARGET.search(prog) or _NOT_TRAINING_PROG.search(prog.removesuffix(".py")):
                continue
            flags = {f.group(1).lower().replace("-", "_") for f in _LAUNCH_HP_FLAG.finditer(cmd[m.end():])}
            strong = [f for f in flags if not _BATCH_FLAG.search(f)]
            if len(flags) >= 2 and strong:
                yield Hit(rel, start + 1, f"launch script passes hyperparameters to training ({', '.join(sorted(flags)[:3])})")
                break


# -- dev.config: a params file that sets something --------------------------------------------

# What a starter kit leaves for the reader to fill in: `learning_rate: TODO`, `epochs:`, `<lr>`.
_PLACEHOLDER = lazy_re(r"^\s*(todo|tbd|fixme|changeme|xxx+|\?+|\.\.\.|<[^>]*>)?\s*$", re.I)


def _leaves(node: object) -> Iterator[object]:
    if isinstance(node, dict):
        for v in node.values():
            yield from _leaves(v)
    elif isinstance(node, list):
        for v in node:
            yield from _leaves(v)
    else:
        yield node


_PARAMS_NAMES = ("params.yaml", "params.yml", "params.json")
_PARAMS_READERS = ("params_show", "dvc.api.params", "read_params", "load_params")
# Where a params file is only declared, not read: DVC's params / deps lists, the docs.
_PARAMS_DECLARED_ONLY = lazy_re(r"(^|/)(dvc\.ya?ml|dvc\.lock)$|\.(md|markdown|rst|txt)$", re.I)
_PARAMS_LIST_ITEM = lazy_re(r"^\s*-\s*[\"']?[\w./-]*params\.(ya?ml|json)[\"']?\s*:?\s*(#.*)?$")
_PARAMS_READER_FILES = ("*.py", "*.ipynb", "*.sh", "*.bash", "Makefile", "makefile", "*.yaml", "*.yml", "*.R", "*.toml", "*.cfg")
_DVC_CMD_READS = lazy_re(r"^[ \t]*(-[ \t]+)?cmd:[^\n]*(params\.(ya?ml|json)|\$\{)|\$\{[ \t]*[\w.]+[ \t]*\}", re.M)


def _params_file_read(view: RepoView, rel: str) -> bool:
    """Something reads the params file: code or a script names it (yaml.safe_load(open("params.yaml")),
    PARAMS_PATH = Path("params.yaml"), `python train.py params.yaml` in a stage's cmd), reads DVC
    params (dvc.api.params_show(), read_params()), or dvc.yaml templates its values (${train.lr}).
    Listing it in a stage's params or deps, or in the README, reads nothing."""
    name = rel.rsplit("/", 1)[-1]
    for other in view.with_any(view.globs(_PARAMS_READER_FILES), (name,) + _PARAMS_READERS):
        if other == rel or view.is_test(other):
            continue
        if _PARAMS_DECLARED_ONLY.search(other):
            text = view.text(other) or ""
            # in dvc.yaml, a mention that is not a params / deps list item is an argument of a cmd
            if other.rsplit("/", 1)[-1].startswith("dvc.y") and (_DVC_CMD_READS.search(text) or any(
                    name in ln.split("#", 1)[0] and not _PARAMS_LIST_ITEM.match(ln) for ln in text.splitlines())):
                return True
            continue
        return True
    return any(_DVC_CMD_READS.search(view.text(d) or "") for d in view.globs(("dvc.yaml", "dvc.yml")))


@prefilters(*_PARAMS_NAMES, *_PARAMS_READERS)
def params_file_set(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A DVC-style params file that sets at least one value and that something reads: a
    skeleton whose every value is a placeholder (TODO, empty) configures nothing, nor does a
    file only listed in dvc.yaml while the training script hard-codes its settings. A file that
    does not parse is taken as is."""
    for rel in paths(view, det):
        line = first_content_line(view, rel)
        if line is None:
            continue
        doc = view.json(rel) if rel.endswith(".json") else view.yaml(rel)
        if isinstance(doc, (dict, list)) and all(
                v is None or (isinstance(v, str) and _PLACEHOLDER.match(v)) for v in _leaves(doc)):
            continue
        if not _params_file_read(view, rel):
            continue
        yield Hit(rel, line, f"has {rel.rsplit('/', 1)[-1]}")


# -- dev.config: an orchestrator's run configuration ----------------------------------------

# A ZenML run configuration: pipeline parameters at the top level, or per-step parameters under
# steps:, each with at least one value. Settings alone (docker images, resources) configure no
# training.
_RUN_CONFIG_PARAMS = lazy_re(
    r"^parameters:[ \t]*\r?\n(?:[ \t]*(?:#.*)?\r?\n|\{%.*\r?\n)*[ \t]+\w+:|"
    r"^steps:[ \t]*\r?\n(?:(?:[ \t]+.*|\{%.*|[ \t]*)\r?\n)*?[ \t]+parameters:[ \t]*\r?\n(?:[ \t]*(?:#.*)?\r?\n|\{%.*\r?\n)*[ \t]+\w+:",
    re.M)


def pipeline_run_config(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """YAML run configurations with pipeline or step parameters, in a repository whose ZenML code
    hands a config file to its pipelines (`pipeline.with_options(config_path=...)`)."""
    loaders = [r for r in python_files(view, det, needles=("config_path",), notebooks=False)
               if "with_options" in (view.text(r) or "")]
    if not loaders or next(iter(python_files(view, det, frozenset({"zenml"}), notebooks=False)), None) is None:
        return
    for rel in paths(view, det, ("*.yaml", "*.yml")):
        text = view.text(rel) or ""
        if "parameters:" not in text:
            continue
        m = _RUN_CONFIG_PARAMS.search(text)
        if m:
            yield Hit(rel, text.count("\n", 0, m.start()) + 1, f"pipeline run configuration sets parameters (loaded by {loaders[0]})")


# -- dev.hpo: Ray Tune over a search space -----------------------------------------------------

_TUNE_RUNS = ("ray.tune.run", "ray.tune.Tuner", "ray.tune.tune.run", "ray.tune.run_experiments")
# What makes a Tune run a search: sampled or gridded values, a search algorithm, or a trial
# scheduler (ASHA stops bad trials, population-based training perturbs hyperparameters).
_TUNE_SPACE = ("ray.tune.{grid_search,choice,uniform,quniform,loguniform,qloguniform,randint,qrandint,lograndint,"
               "qlograndint,randn,qrandn,sample_from}", "ray.tune.search.*", "ray.tune.suggest.*", "ray.tune.schedulers.*")


def _tune_files(view: RepoView, det: DetectorSpec) -> list[str]:
    return selected(view, det, "ray-tune", lambda: python_files(view, det, frozenset({"ray"}), tails=("tune",)))


@parses(_tune_files)
def ray_tune_search(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A Ray Tune run (tune.run, Tuner) over a search space defined in the repository (tune.choice,
    grid_search, a search algorithm or a trial scheduler). RLlib agents are often launched with
    tune.run("PPO", config=fixed) only to train them: one configuration is no search."""
    runs: list[tuple[str, Call]] = []
    space_files: set[str] = set()
    for rel in _tune_files(view, det):
        facts = view.python(rel)
        if facts is None:
            continue
        run = next(iter(matching_calls(facts, _TUNE_RUNS)), None)
        if run is not None:
            runs.append((rel, run))
        if next(iter(matching_calls(facts, _TUNE_SPACE)), None) is not None:
            space_files.add(rel)
    if not space_files:
        return
    runs.sort(key=lambda r: r[0] not in space_files)  # a run beside its search space first
    for rel, run in runs:
        yield Hit(rel, run.line, f"calls {run.name} over a search space", run.cell)
        return

# -- PyCaret: experiment logging and tuning ----------------------------------------------------


def _pycaret_files(view: RepoView, det: DetectorSpec, tail: str) -> list[str]:
    return selected(view, det, "pycaret", lambda: python_files(view, det, frozenset({"pycaret"}), tails=(tail,)))


@parses(lambda view, det: _pycaret_files(view, det, "log_experiment"))
def pycaret_experiment_logged(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """PyCaret's setup(..., log_experiment=True | "mlflow" | ["wandb", ...]) logs every model
    it trains to the tracker (MLflow by default); log_experiment=False or None logs nothing.
    A value set from a variable is tracking wired in."""
    for rel in _pycaret_files(view, det, "log_experiment"):
        facts = view.python(rel)
        if facts is None:
            continue
        for call in pycaret_calls(facts, frozenset({"setup"})):
            value = call.kwarg("log_experiment")
            if value is None and not any(k == "log_experiment" for k, _ in call.kwargs):
                continue
            if value is False or value is None or value == "" or value == ():
                continue
            yield Hit(rel, call.line, f"logs the PyCaret experiment: calls {call.name}(log_experiment=...)", call.cell)
            break


@parses(lambda view, det: _pycaret_files(view, det, "tune_model"))
def pycaret_model_tuned(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """PyCaret's tune_model searches the model's hyperparameters (a random grid search by
    default, or scikit-optimize / Optuna / Ray Tune)."""
    for rel in _pycaret_files(view, det, "tune_model"):
        facts = view.python(rel)
        if facts is None:
            continue
        call = next(iter(pycaret_calls(facts, frozenset({"tune_model"}))), None)
        if call is not None:
            yield Hit(rel, call.line, f"tunes hyperparameters: calls {call.name}", call.cell)


# -- dev.config: hyperparameters kept in a Python config module the code imports ---------------

# config/cifar_config.py, configs/base.py, hparams.py, train_config.py: a module named or kept for
# configuration (mmcv-style Python configs, a project's settings dicts).
_PY_CONFIG_PATH = lazy_re(r"(^|/)(configs?/[^/]+|[^/]*config[^/]*|h?params|hyper_?param\w*)\.py$", re.I)
_PY_CONFIG_NEEDLES = tuple(f'"{k}"' for k in _JSON_TRAIN_KEYS) + tuple(f"'{k}'" for k in _JSON_TRAIN_KEYS) + tuple(
    k.upper() for k in _JSON_TRAIN_KEYS if k != "lr") + ("LR =", "LR=")


def _py_config_keys(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, name) of the hyperparameters a module sets at top level: upper-case constants
    (LEARNING_RATE = 1e-3) and the string keys of dict literals (TRAIN = {"epochs": 50})."""
    found: list[tuple[int, str]] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        else:
            continue
        for t in targets:
            if isinstance(t, ast.Name) and t.id.isupper() and _HPARAM_NAME_SET.match(t.id.lower()) and not _grid_value(value):
                found.append((stmt.lineno, t.id.lower()))
        for node in ast.walk(value):
            if isinstance(node, ast.Dict):
                found += [(k.lineno, k.value) for k, v in zip(node.keys, node.values)
                          if isinstance(k, ast.Constant) and isinstance(k.value, str) and _HPARAM_NAME_SET.match(k.value)
                          and not _grid_value(v)]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
                found += [(node.lineno, kw.arg) for kw in node.keywords
                          if kw.arg and _HPARAM_NAME_SET.match(kw.arg) and not _grid_value(kw.value)]
    return found


def _grid_value(node: ast.AST) -> bool:
    """A list / tuple / range of values (`"max_depth": [3, 4, 5]`): the grid of a search, not
    the setting a training run takes."""
    return isinstance(node, (ast.List, ast.Tuple, ast.Set)) or (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("range", "list"))


@prefilters(*_PY_CONFIG_NEEDLES)
def hyperparameters_in_python_config(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A Python config module (config/*.py, *config*.py, hparams.py) setting at least two
    hyperparameters, one a training setting (learning rate, epochs, batch size...), as top-level
    constants or dict entries, that ML code elsewhere in the repository imports: training reads
    its settings from the config file. Constants at the top of the training script itself are
    hard-coded, and a config module nothing imports configures nothing."""
    configs = [r for r in paths(view, det, ("*.py",)) if _PY_CONFIG_PATH.search(r)
               and r.rsplit("/", 1)[-1] not in ("setup.py", "conftest.py", "__init__.py")
               and view.contains_any(r, _PY_CONFIG_NEEDLES)]
    if not configs:
        return
    ml_files = None
    for rel in configs:
        tree = py_tree(view, rel)
        if tree is None:
            continue
        found = _py_config_keys(tree)
        keys = {k for _, k in found}
        if len(keys) < 2 or keys.isdisjoint(_JSON_TRAIN_KEYS):
            continue
        folder, _, base = rel.rpartition("/")
        # a module of a config package (config/cifar.py) is also reached through the package
        # (from config import TRAIN), whose own modules are not its users
        package = folder if folder and _PY_CONFIG_PATH.search(folder + "/x.py") else ""
        names = {base[:-3]} | ({package.rsplit("/", 1)[-1]} if package else set())
        importer = lazy_re(r"^\s*(from\s+[\w.]*\b(" + "|".join(map(re.escape, sorted(names))) + r")\b[\w.]*\s+import|import\s+[\w.]*\b("
                           + "|".join(map(re.escape, sorted(names))) + r")\b)", re.M)
        if ml_files is None:
            ml_files = [r for r in view.by_ext(".py") if not view.is_test(r) and not view.modules(r).isdisjoint(ML_ROOTS)]
        if any(other != rel and not (package and other.startswith(package + "/")) and importer.search(text)
               for other, text in view.texts(ml_files)):
            line = min(found)[0]
            yield Hit(rel, line, f"keeps hyperparameters in a Python config module ({', '.join(sorted(keys)[:4])})")
            return


# -- dev.hpo: a hand-written random / grid search over a declared space ------------------------

_OWN_SEARCH_NEEDLES = ("RandomSearch", "random_search", "GridSearch", "grid_search")
_OWN_SEARCH_NAME = lazy_re(r"(?i)(random|grid)_?search")
# Augmented Random Search is a reinforcement-learning algorithm (it trains a policy), and
# sklearn's own names are imported, not defined.
_NOT_OWN_SEARCH = lazy_re(r"(?i)augmented|^test|SearchCV$")
_SAMPLING_ATTRS = frozenset({"choice", "uniform", "randint", "loguniform", "sample", "integers", "permutation"})


def _samples_space(node: ast.AST) -> bool:
    """The definition draws values (np.random.choice / uniform, random.sample, rng.integers) or
    enumerates a grid (itertools.product)."""
    for sub in ast.walk(node):
        if not isinstance(sub, ast.Call):
            continue
        func = sub.func
        if isinstance(func, ast.Attribute):
            receiver = ast.unparse(func.value)
            if func.attr in _SAMPLING_ATTRS and re.search(r"(^|\.)(random|rng|np\.random|numpy\.random)$|rng$", receiver):
                return True
            if func.attr == "product" and receiver == "itertools":
                return True
        elif isinstance(func, ast.Name) and func.id == "product":
            return True
    return False


@prefilters(*_OWN_SEARCH_NEEDLES)
def own_search_run(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A class or function of the project named for a random / grid search (RandomSearchTuner,
    run_grid_search) that draws values from a search space or enumerates a grid, and that the
    project's code calls: a hand-written tuner proposing configurations run after run. A
    function that only returns the grids, or one nothing calls, searches nothing."""
    files = [r for r in paths(view, det, ("*.py",)) if view.contains_any(r, _OWN_SEARCH_NEEDLES)]
    for rel in files:
        tree = py_tree(view, rel)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, (ast.ClassDef, ast.FunctionDef)):
                continue
            if not _OWN_SEARCH_NAME.search(node.name) or _NOT_OWN_SEARCH.search(node.name) or not _samples_space(node):
                continue
            call = lazy_re(r"(?<![\w.])(?:[\w]+\.)*" + re.escape(node.name) + r"\s*\(")
            defline = f"def {node.name}" if isinstance(node, ast.FunctionDef) else f"class {node.name}"
            used = False
            for other, text in view.texts(files):
                for m in call.finditer(text):
                    line_start = text.rfind("\n", 0, m.start()) + 1
                    if defline not in text[line_start:m.end()]:
                        used = True
                        break
                if used:
                    break
            if used:
                kind = "function" if isinstance(node, ast.FunctionDef) else "class"
                yield Hit(rel, node.lineno, f"runs its own hyperparameter search: {kind} {node.name} samples a search space")
                return


# -- dev.config: hyperparameters as fields of a settings class ------------------------------

_SETTINGS_BASES = ("pydantic_settings.BaseSettings", "pydantic.BaseSettings", "pydantic.v1.BaseSettings",
                   "pydantic.env_settings.BaseSettings")
# A field name that is a training hyperparameter (with a prefix naming the model:
# `TWO_TOWER_LEARNING_RATE`, `ranker_num_epochs`). A batch size alone is no sign: services
# and inference jobs take one too.
_SETTINGS_HPARAM = lazy_re(r"(^|_)(lr|learning_rate|epochs|num_epochs|n_epochs|max_epochs|dropout|weight_decay|"
                           r"n_estimators|max_depth|num_leaves|early_stopping_rounds|warmup_steps|momentum|l2_reg|"
                           r"regularization)$", re.I)


@prefilters("BaseSettings")
def settings_hyperparameters(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A pydantic-settings class (its fields read from the environment or an .env file per run)
    with a training hyperparameter among its fields; settings of a service (database URL,
    port, model path, batch size) configure no training."""
    for rel in view.with_any(paths(view, det, ["*.py"]), ("BaseSettings",)):
        if not rel.endswith(".py"):
            continue
        facts = view.python(rel)
        if facts is None or not any(name_matches(b, _SETTINGS_BASES) for c in facts.classes for b in c.bases):
            continue
        tree = py_tree(view, rel)
        for node in ast.walk(tree) if tree is not None else ():
            if not isinstance(node, ast.ClassDef):
                continue
            cls = next((c for c in facts.classes if c.name == node.name and c.line == node.lineno), None)
            if cls is None or not any(name_matches(b, _SETTINGS_BASES) for b in cls.bases):
                continue
            field = next((s for s in node.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
                          and _SETTINGS_HPARAM.search(s.target.id)), None)
            if field is not None:
                yield Hit(rel, field.lineno, f"settings class {node.name} declares hyperparameter {field.target.id}")
                break


CHECKS = {
    "pycaret_experiment_logged": pycaret_experiment_logged,
    "pycaret_model_tuned": pycaret_model_tuned,
    "hf_trainer_in_mlflow_experiment": hf_trainer_in_mlflow_experiment,
    "own_search_run": own_search_run,
    "hyperparameters_in_python_config": hyperparameters_in_python_config,
    "settings_hyperparameters": settings_hyperparameters,
    "config_node_overrides": config_node_overrides,
    "spacy_training_config": spacy_training_config,
    "pipeline_run_config": pipeline_run_config,
    "orchestrator_config_hyperparameters": orchestrator_config_hyperparameters,
    "ci_script_runs_linter": ci_script_runs_linter,
    "launch_script_hyperparameters": launch_script_hyperparameters,
    "jvm_tests": jvm_tests,
    "scratch_model_classes": scratch_model_classes,
    "gradient_descent_modules": gradient_descent_modules,
    "params_file_set": params_file_set,
    "cli_training_settings": cli_training_settings,
    "cli_settings_feed_training": cli_settings_feed_training,
    "cli_batch_size_training": cli_batch_size_training,
    "pinned_environment": pinned_environment,
    "makefile_runs_linter": makefile_runs_linter,
    "cli_from_defaults_dict": cli_from_defaults_dict,
    "project_tests": project_tests,
    "training_modules": training_modules,
    "estimator_modules": estimator_modules,
    "inference_modules": inference_modules,
    "llm_modules": llm_modules,
    "fire_cli_training": fire_cli_training,
    "config_loaded_by_training": config_loaded_by_training,
    "hyperparameters_in_config": hyperparameters_in_config,
    "hyperparameters_in_json_config": hyperparameters_in_json_config,
    "ray_tune_search": ray_tune_search,
    "rllib_agent_trained": rllib_agent_trained,
    "params_json_loaded": params_json_loaded,
}
