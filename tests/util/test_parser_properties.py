"""Every parser of untrusted input raises only its declared error types, whatever the bytes
(hypothesis, derandomized and bounded): the framework and catalog loader (FrameworkError), answers
files and `.mlops-maturity.yaml` (InputError), the YAML reader (YamlError), notebooks
(NotebookError), uploads (Invalid), and the repository parsers that must never raise at all
(manifests, CI configs, Python, Dockerfiles). Plus the classic bombs, each refused fast with a
one-line message and nothing executed."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlops_maturity.framework.load import FrameworkError, load_catalog, load_framework
from mlops_maturity.repo import ci, dockerfile, manifests, python
from mlops_maturity.sources.declared import InputError, load_answers, load_repo_config
from mlops_maturity.util import yamlsafe
from mlops_maturity.web.services.errors import Invalid
from mlops_maturity.web.services.uploads import parse_result

EXAMPLES = 300
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))

# Text that looks like the real thing often enough to get past the first check: YAML and JSON
# made from random nested data, mutated, plus raw text and YAML's sharp edges.
_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20))
_keys = st.sampled_from(["id", "levels", "criteria", "practices", "answers", "value", "note", "exemptions", "stage", "reason",
                         "jobs", "steps", "run", "script", "on", "stages", "cells", "source", "dependencies", "project", "name",
                         "version", "dimensions", "level", "evidence", "framework", "subject", "overall", "schema_version"])
_data = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.one_of(_keys, st.text(max_size=8)), inner, max_size=5)), max_leaves=30)
_edges = st.sampled_from([
    "a: &x [1]\nb: *x\n", "!!python/object/apply:os.system ['true']\n", "a: !!python/name:os.system\n",
    "? [a, b]\n: 1\n", "a: 1\na: 2\n", "%YAML 1.1\n---\n", "--- !!set\n? a\n", "a: !Ref x\n", "<<: *missing\n",
    "\ufeffa: 1\n", "\x00", "[" * 300, "{" * 300, "a: 'unterminated\n", "\t- x\n", "key: |\n  \udcff\n",
])


@st.composite
def _documents(draw) -> str:
    data = draw(_data)
    kind = draw(st.sampled_from(["yaml", "json", "raw", "edge"]))
    if kind == "yaml":
        text = yaml.safe_dump(data, allow_unicode=True)
    elif kind == "json":
        text = json.dumps(data, allow_nan=True)
    elif kind == "raw":
        text = draw(st.text(max_size=300))
    else:
        text = draw(_edges)
    cut = draw(st.integers(0, len(text)))
    insert = draw(st.one_of(st.just(""), _edges, st.text(max_size=10)))
    return text[:cut] + insert + text[cut:]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return path


def test_yaml_reader_raises_only_yamlerror(tmp_path):
    @FUZZ
    @given(_documents(), st.booleans(), st.integers(0, 50))
    def check(text, tolerate, aliases):
        raw = text.encode("utf-8", "surrogatepass")
        for load, arg in ((yamlsafe.load, raw), (yamlsafe.load, text), (yamlsafe.load_all, text)):
            try:
                load(arg, tolerate_tags=tolerate, max_aliases=aliases)
            except yamlsafe.YamlError as exc:
                assert "\n" not in str(exc)

    check()


def test_framework_and_catalog_loaders_raise_only_frameworkerror(tmp_path, catalog):
    @FUZZ
    @given(_documents())
    def check(text):
        path = _write(tmp_path, "framework.yaml", text)
        for load in (lambda: load_framework(path, catalog), lambda: load_catalog(path)):
            try:
                load()
            except FrameworkError as exc:
                assert all("\n" not in e for e in exc.args[0]) if exc.args and isinstance(exc.args[0], list) else True

    check()


def test_answers_and_repo_config_raise_only_inputerror(tmp_path, fw):
    @FUZZ
    @given(_documents())
    def check(text):
        path = _write(tmp_path, "answers.yaml", text)
        for load in (load_answers, load_repo_config):
            try:
                load(path, fw)
            except InputError:
                pass

    check()


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::SyntaxWarning")
def test_repository_parsers_never_raise():
    ci_paths = [".github/workflows/ci.yml", ".gitlab-ci.yml", "azure-pipelines.yml", "Jenkinsfile", "bitbucket-pipelines.yml", ".circleci/config.yml", "cloudbuild.yaml"]

    @FUZZ
    @given(_documents())
    def check(text):
        for path in ci_paths:
            ci.parse_ci(path, text)
        manifests.parse_requirements("requirements.txt", text)
        manifests.parse_pyproject("pyproject.toml", text)
        manifests.parse_setup_cfg("setup.cfg", text)
        manifests.parse_setup_py("setup.py", text)
        manifests.parse_environment_yml("environment.yml", text)
        manifests.parse_pipfile("Pipfile", text)
        python.parse_python("train.py", text)
        python.imported_modules(text)
        dockerfile.parse_dockerfile(text)

    check()


def test_notebooks_raise_only_notebookerror():
    cell = st.fixed_dictionaries({"cell_type": st.sampled_from(["code", "markdown", 3, None]), "source": st.one_of(st.text(max_size=80), st.lists(st.one_of(st.text(max_size=30), st.integers())), st.integers(), st.none())})
    notebook = st.one_of(_documents(), st.builds(lambda cells, extra: json.dumps({"cells": cells, **extra}), st.lists(st.one_of(cell, _scalars), max_size=5), st.dictionaries(_keys, _data, max_size=2)))

    @FUZZ
    @given(notebook)
    def check(text):
        try:
            cells = python.notebook_cells(text)
        except python.NotebookError:
            return
        python.parse_notebook("n.ipynb", cells)

    check()


def test_uploads_raise_only_invalid(fw, catalog):
    from mlops_maturity.model.result import Subject
    from mlops_maturity.scoring import Inputs, score

    valid = json.loads(score(fw, catalog, Inputs(subject=Subject(name="fuzzed"))).model_dump_json())
    parse_result(json.dumps(valid).encode())  # the unmutated body is accepted

    @st.composite
    def mutated(draw):
        body = json.loads(json.dumps(valid))
        for _ in range(draw(st.integers(1, 3))):
            section = draw(st.sampled_from(sorted(body)))
            body[section] = draw(_data)
        return json.dumps(body, allow_nan=True).encode()

    @FUZZ
    @given(st.one_of(mutated(), _documents().map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary(max_size=200)))
    def check(raw):
        try:
            parse_result(raw)
        except Invalid as exc:
            assert "\n" not in exc.message

    check()


# -- the bombs ----------------------------------------------------------------------------------

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
)
PY_TAGGED = "a: !!python/object/apply:os.system ['touch {canary}']\nb: !!python/object/new:subprocess.Popen [['touch', '{canary}']]\n"


@pytest.mark.parametrize("kind", ["framework", "answers", "repo-config", "ci"])
@pytest.mark.parametrize("bomb", ["aliases", "python-tags", "deep"])
def test_yaml_bombs_are_refused_fast_in_every_reader(tmp_path, fw, catalog, kind, bomb):
    canary = tmp_path / "canary"
    text = {"aliases": ALIAS_BOMB, "python-tags": PY_TAGGED.format(canary=canary), "deep": "a: " + "[" * 5000 + "]" * 5000 + "\n"}[bomb]
    path = _write(tmp_path, "in.yaml", text)
    start = time.monotonic()
    if kind == "ci":
        pipeline = ci.parse_ci(".gitlab-ci.yml", text)
        message = pipeline.error
    else:
        load, error = {"framework": (lambda: load_framework(path, catalog), FrameworkError), "answers": (lambda: load_answers(path, fw), InputError), "repo-config": (lambda: load_repo_config(path, fw), InputError)}[kind]
        with pytest.raises(error) as info:
            load()
        message = str(info.value)
    elapsed = time.monotonic() - start
    assert elapsed < 1.0, f"{elapsed:.2f} s"
    assert message and "\n" not in message.strip("[]'\""), message
    # "nested" is ours; libyaml's own limit (PyYAML >= 6.0.4) says "exceeded maximum nesting depth"
    assert any(w in message for w in ("alias", "constructor", "nested", "nesting", "tag")), message
    assert not canary.exists()


def test_deep_json_and_huge_notebooks_are_refused_fast():
    start = time.monotonic()
    with pytest.raises(python.NotebookError, match="not valid JSON"):
        python.notebook_cells('{"cells": ' + "[" * 200_000 + "]" * 200_000 + "}")
    with pytest.raises(Invalid, match="nested too deeply|not valid JSON"):
        parse_result(b"[" * 1_000_000 + b"]" * 1_000_000)
    assert time.monotonic() - start < 2.0
