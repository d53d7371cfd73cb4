"""RepoView: globs, bounded cached reads, test paths; yamlsafe's opt-in aliases."""

from __future__ import annotations

import pytest
from helpers import write

from mlops_maturity.repo import RepoView, glob_regex, is_test_path
from mlops_maturity.repo.view import script_named_like_test
from mlops_maturity.repo.view import rendered_path
from mlops_maturity.util import yamlsafe


@pytest.mark.parametrize(
    ("pattern", "path", "ok"),
    [
        ("Dockerfile", "deploy/Dockerfile", True),
        ("/README.md", "README.md", True),
        ("/README.md", "docs/README.md", False),
        ("*.ipynb", "a/b/c.ipynb", True),
        (".github/workflows/*.yml", ".github/workflows/ci.yml", True),
        (".github/workflows/*.yml", ".github/workflows/sub/ci.yml", False),
        ("docs/**/*.md", "docs/a/b.md", True),
        ("docs/**/*.md", "docs/b.md", True),
        ("params.{yaml,json}", "x/params.json", True),
    ],
)
def test_glob_semantics(pattern, path, ok):
    assert bool(glob_regex(pattern).match(path)) is ok


def test_test_paths():
    assert is_test_path("tests/unit/helpers.py")
    assert is_test_path("pkg/test_model.py") and is_test_path("pkg/model_test.py")
    assert not is_test_path("src/testing_utils.py") and not is_test_path("src/contest.py")
    # a test suite's inputs: sample pipelines a compiler test reads are not the project's code
    assert is_test_path("test_data/pipelines/train_metrics.py") and is_test_path("pkg/testdata/flow.py")
    assert not is_test_path("src/datasets/testset_builder.py") and not is_test_path("data_tests_report/summary.py")


def test_script_named_like_test():
    main = 'import argparse\n\nif __name__ == "__main__":\n    argparse.ArgumentParser().parse_args()\n'
    assert script_named_like_test("exp/data_gen_test.py", main)
    # a test module (a test function, a TestCase, a test framework) stays a test, so does any
    # file under a test folder, a test_*.py name, or a module without an entry point
    assert not script_named_like_test("exp/model_test.py", "def test_shape():\n    pass\n" + main)
    assert not script_named_like_test("exp/model_test.py", "import unittest\n" + main)
    assert not script_named_like_test("tests/data_gen_test.py", main)
    assert not script_named_like_test("exp/test_data_gen.py", main)
    assert not script_named_like_test("exp/data_gen_test.py", "import argparse\n")


@pytest.mark.parametrize(
    ("rel", "rendered"),
    [
        ("tpl/{{.name}}/train.py.tmpl", "tpl/{{.name}}/train.py"),
        ("ci/.github/workflows/ci.yml.jinja", "ci/.github/workflows/ci.yml"),
        ("deploy/values.yaml.j2", "deploy/values.yaml"),
        ("docker/Dockerfile.tmpl", "docker/Dockerfile"),
        ("charts/app/templates/_helpers.tpl", "charts/app/templates/_helpers.tpl"),  # Helm's name
        ("scripts/train.tmpl", "scripts/train.tmpl"),  # no file type to render to
        ("a/.tmpl", "a/.tmpl"),
        ("src/train.py", "src/train.py"),
        ("t/steps/{% if tuning %}hp_search.py{% endif %}", "t/steps/hp_search.py"),
        ("t/{% if checks %}quality{% endif %}/gate.py", "t/quality/gate.py"),
        ("t/{%- if ci -%}ci.yml.jinja{%- endif %}", "t/ci.yml"),
        ("t/{{ cookiecutter.slug }}/train.py", "t/{{ cookiecutter.slug }}/train.py"),
    ],
)
def test_template_files_render_to_their_own_name(rel, rendered):
    assert rendered_path(rel) == rendered


def test_template_files_are_scanned_under_the_rendered_name(tmp_path):
    write(tmp_path / "tpl" / "train.py.tmpl", "import mlflow\n{{if .tracking}}mlflow.autolog(){{end}}\n")
    write(tmp_path / "tpl" / "util.py.jinja", "X = 1\n")
    write(tmp_path / "tpl" / "util.py", "X = 2\n")  # a real file keeps its name: the template is not renamed
    v = RepoView(tmp_path, use_git=False)
    assert v.glob("*.py") == ["tpl/train.py", "tpl/util.py"]
    assert v.exists("tpl/util.py.jinja") and v.text("tpl/util.py") == "X = 2\n"
    assert v.text("tpl/train.py").startswith("import mlflow") and v.source_path("tpl/train.py") == "tpl/train.py.tmpl"
    assert v.source_path("tpl/util.py") == "tpl/util.py"


def test_reads_are_cached_and_bounded(tmp_path):
    write(tmp_path / "a.py", "import os\n")
    write(tmp_path / "B.YAML", "k: 1\n")
    v = RepoView(tmp_path, use_git=False)
    assert v.text("a.py") is v.text("a.py")
    assert v.glob("*.yaml", ignore_case=True) == ["B.YAML"] and v.glob("*.yaml") == []
    assert v.yaml("B.YAML") == {"k": 1} and v.yaml("B.YAML").line_of("k") == 1
    assert v.text("missing.py") is None


def test_yamlsafe_default_stays_strict_and_opt_in_is_bounded():
    with pytest.raises(yamlsafe.YamlError, match="aliases are not accepted"):
        yamlsafe.load("a: &x 1\nb: *x\n")
    assert yamlsafe.load("a: &x 1\nb: *x\n", max_aliases=1) == {"a": 1, "b": 1}
    with pytest.raises(yamlsafe.YamlError, match="more than 1 YAML aliases"):
        yamlsafe.load("a: &x 1\nb: *x\nc: *x\n", max_aliases=1)
    with pytest.raises(yamlsafe.YamlError, match="recursive"):
        yamlsafe.load("a: &x [1, *x]\n", max_aliases=5)
    with pytest.raises(yamlsafe.YamlError):
        yamlsafe.load("a: !Ref x\n")
    assert yamlsafe.load("a: !Ref x\n", tolerate_tags=True) == {"a": "x"}


def test_glob_indexes_agree_with_the_regex(tmp_path):
    """The name, extension and literal indexes give what matching every path would."""
    from mlops_maturity.repo.view import glob_regex

    names = ["model_card.md", "MODEL_CARD.MD", "data-dictionary.csv", "train.yaml", "Train.YAML", "Dockerfile",
             "docker-compose.prod.yml", "a.b.yaml", "modelcard.txt", "x.yml"]
    for d in ("", "sub/", "deep/er/"):
        for n in names:
            (tmp_path / d).mkdir(parents=True, exist_ok=True)
            (tmp_path / (d + n)).write_text("x\n")
    view = RepoView(tmp_path, use_git=False)
    patterns = ["*model{_,-,}card*.{md,txt}", "*.yaml", "*.YAML", "*.{yml,yaml}", "Dockerfile*", "docker-compose*.yml",
                "sub/*.yaml", "**/data*dictionary*.csv", "*card*", "deep/**/*.yml", "/x.yml"]
    for pat in patterns:
        for ic in (False, True):
            rx = glob_regex(pat, ic)
            assert view.glob(pat, ignore_case=ic) == [f for f in view.files if rx.match(f)], (pat, ic)


def test_utf16_with_bom_is_text_and_binary_stays_binary(tmp_path):
    # `pip freeze > requirements.txt` in Windows PowerShell writes UTF-16 LE with a BOM.
    (tmp_path / "requirements.txt").write_bytes("numpy==1.26.4\r\npandas==2.2.2\r\n".encode("utf-16"))
    (tmp_path / "blob.bin").write_bytes(b"\xff\xfe\x00\x00\x01")  # odd length: not UTF-16
    v = RepoView(tmp_path, use_git=False)
    assert v.text("requirements.txt") == "numpy==1.26.4\r\npandas==2.2.2\r\n"
    assert v.text("blob.bin") is None
