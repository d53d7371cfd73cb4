"""Python facts: alias resolution, fallbacks, notebooks."""

from __future__ import annotations

import json

from mlops_maturity.repo.python import (
    blank_fstrings,
    blank_type_params,
    parenthesize_excepts,
    imported_modules,
    notebook_cells,
    parse_notebook,
    parse_python,
    parse_source,
)


def names(facts):
    return [(c.name, c.line) for c in facts.calls if c.resolved]


def test_aliases_and_from_imports_resolve():
    src = (
        "import mlflow as mf\n"
        "import mlflow.sklearn\n"
        "from mlflow import log_metric as lm\n"
        "from torch.utils.tensorboard import SummaryWriter\n"
        "mf.log_param('a', 1)\n"
        "mlflow.sklearn.log_model(m, 'model')\n"
        "lm('x', 1)\n"
        "w = SummaryWriter()\n"
        "parser.add_argument('--lr', type=float)\n"
    )
    f = parse_python("t.py", src)
    assert f.parsed
    assert names(f) == [
        ("mlflow.log_param", 5),
        ("mlflow.sklearn.log_model", 6),
        ("mlflow.log_metric", 7),
        ("torch.utils.tensorboard.SummaryWriter", 8),
    ]
    unresolved = [c for c in f.calls if not c.resolved]
    assert unresolved[0].name == "parser.add_argument" and unresolved[0].args == ("--lr",)
    assert unresolved[0].kwarg("type") is ...
    assert f.modules == {"mlflow", "torch"}


def test_method_alias_calls_read_as_the_method():
    src = (
        "import argparse\n"
        "import mlflow\n"
        "parser = argparse.ArgumentParser()\n"
        "arg = parser.add_argument\n"
        "arg('--lr', type=float)\n"
        "log = mlflow.log_metric\n"
        "log('acc', 0.9)\n"
        "step = 1\n"
        "step = optimizer.step\n"
        "step()\n"
        "def run():\n"
        "    pass\n"
        "run = parser.parse_args\n"
        "run()\n"
    )
    f = parse_python("t.py", src)
    calls = [(c.name, c.line, c.resolved) for c in f.calls]
    assert ("parser.add_argument", 5, False) in calls and ("mlflow.log_metric", 7, True) in calls
    # bound twice to different things, or also a def: ambiguous, left as written
    assert ("step", 10, False) in calls and ("run", 14, False) in calls


def test_decorators_classes_and_trivial_functions():
    src = (
        "import hydra\nfrom torch import nn\n"
        "@hydra.main(config_path='c')\ndef main(cfg):\n    pass\n"
        "class Net(nn.Module):\n    def test_x(self):\n        assert True\n"
    )
    f = parse_python("m.py", src)
    assert ("hydra.main", 3) in names(f)
    assert [(c.name, c.bases) for c in f.classes] == [("Net", ("torch.nn.Module",))]
    assert [(fn.name, fn.trivial) for fn in f.functions] == [("main", True), ("test_x", True)]


def test_python2_falls_back_to_regex():
    src = "import wandb as wb\nprint 'hello'\nwb.init(project='x')\n"
    f = parse_python("old.py", src)
    assert not f.parsed
    assert ("wandb.init", 3) in names(f)


def test_jinja_template_parses_with_tags_blanked():
    src = (
        "# {% include 'header' %}\nimport mlflow\n{%- if tuning %}\nfrom optuna import create_study\n{%- endif %}\n"
        "from pipelines import {{product_name}}_training\n\n"
        "def run_{{ slug }}():\n    {# mlflow.autolog() #}\n    mlflow.log_metric('{{ metric|lower }}', 1)\n"
        "    create_study()\n"
    )
    f = parse_python("run.py", src)
    assert f.parsed
    assert ("mlflow.log_metric", 10) in names(f) and ("optuna.create_study", 11) in names(f)
    assert all(c.name != "mlflow.autolog" for c in f.calls)


def test_broken_python_without_jinja_stays_regex():
    f = parse_python("bad.py", "import mlflow\ndef f(:\n    mlflow.autolog()\n")
    assert not f.parsed and ("mlflow.autolog", 3) in names(f)


def test_imported_modules_prefilter():
    src = "import os, sys as s\nfrom .local import x\nfrom sklearn.model_selection import GridSearchCV\n  import torch.nn\n"
    assert imported_modules(src) == {"os", "sys", "sklearn", "torch"}


def test_notebook_calls_carry_cell_and_line():
    nb = {"cells": [
        {"cell_type": "code", "source": ["import mlflow as m\n"]},
        {"cell_type": "markdown", "source": "text"},
        {"cell_type": "code", "source": ["%load_ext autoreload\n", "!pip install x\n", "m.autolog()\n"]},
        {"cell_type": "code", "source": "def broken(:\n"},
        {"cell_type": "code", "source": "%%bash\necho m.log_metric()\n"},
        {"cell_type": "code", "source": "%%time\nm.log_param('a', 1)\n"},
        {"cell_type": "code", "source": "%%writefile score.py\nm.log_metric('b', 2)\n"},
    ], "nbformat": 4}
    cells = notebook_cells(json.dumps(nb))
    f = parse_notebook("n.ipynb", cells)
    assert [(c.name, c.cell, c.line) for c in f.calls if c.resolved] == [("mlflow.autolog", 3, 3), ("mlflow.log_param", 6, 2)]
    assert not f.parsed  # cell 4 fell back to regex


def test_python312_fstrings_parse_on_older_parsers():
    # PEP 701: the f-string's own quotes inside a replacement field, and a field spanning
    # lines. Line numbers after them are kept.
    src = (
        "import mlflow\n"
        "print(f\"saved {d[\"k\"]} {os.path.join(a, \"m.pkl\")}\")\n"
        "x = f'{d['a']}' + rf\"{d[\"b\"]!r:>{10}}\" + f\"{{literal}}\"\n"
        "y = f\"{\n"
        "    d[\"a\"]\n"
        "}\"\n"
        "z = \"not f'{x}'\"  # f\"comment {\n"
        "mlflow.sklearn.log_model(m, registered_model_name=\"iris\")\n"
    )
    f = parse_python("t.py", src)
    assert f.parsed
    assert [(c.name, c.line, c.kwargs) for c in f.calls if c.name.startswith("mlflow")] == [
        ("mlflow.sklearn.log_model", 8, (("registered_model_name", "iris"),))]
    blanked = blank_fstrings(src)
    assert blanked is not None and blanked.count("\n") == src.count("\n")
    assert "not f'{x}'" in blanked and "# f\"comment {" in blanked  # plain strings and comments untouched


def test_unclosed_string_is_not_blanked():
    assert blank_fstrings("x = f'{a}\ny = 1\n") is None
    assert parse_source("x = f'{a}\ny = 1\n") is None
    assert blank_fstrings("x = 'no f-string here'\n") is None


def test_nested_fstrings_and_deep_nesting():
    src = 'x = f"{f"{x["a"]}"}" + "ok"\ny = 2\n'
    assert blank_fstrings(src) == 'x = "             " + "ok"\ny = 2\n'
    # strings nested past the recursion limit: given up, not a crash
    deep = "x = " + 'f"{' * 3000 + "1" + '}"' * 3000 + "\n"
    assert blank_fstrings(deep) is None


def test_type_parameter_syntax_parses_on_older_python():
    # PEP 695: type parameters of a class / def and `type` aliases; line numbers are kept.
    src = (
        "import mlflow\n"
        "type Rows[T] = list[T]\n"
        "class Box[T: dict[str, int]](Base):\n"
        "    def first[U](self, xs: list[U]) -> U:\n"
        "        return xs[0]\n"
        "async def run[T](x: T) -> T:\n"
        "    mlflow.log_metric('loss', 1.0)\n"
    )
    f = parse_python("t.py", src)
    assert f.parsed
    assert [(c.name, c.line) for c in f.calls] == [("mlflow.log_metric", 7)]
    assert [(c.name, c.bases, c.line) for c in f.classes] == [("Box", ("Base",), 3)]
    blanked = blank_type_params(src)
    assert blanked is not None and blanked.count("\n") == src.count("\n")
    assert "Rows         = list[T]" in blanked and "d[key] = 1" not in blanked
    assert blank_type_params("d[key] = 1\nx = [1]\n") is None


def test_unparenthesized_except_tuple_parses_on_older_python():
    # PEP 758 (3.14): `except A, B:` without parentheses; line numbers are kept.
    src = (
        "import mlflow\n"
        "try:\n"
        "    x = 1\n"
        "except ValueError, KeyError:\n"
        "    pass\n"
        "try:\n"
        "    y = 2\n"
        "except* (OSError, TypeError) as e:\n"
        "    pass\n"
        "except* os.error, io.Error :  # both\n"
        "    pass\n"
        "mlflow.log_metric('loss', 1.0)\n"
    )
    f = parse_python("t.py", src)
    assert f.parsed
    assert [(c.name, c.line) for c in f.calls] == [("mlflow.log_metric", 12)]
    fixed = parenthesize_excepts(src)
    assert fixed is not None and fixed.count("\n") == src.count("\n")
    assert "except (ValueError, KeyError):" in fixed and "except* (os.error, io.Error):" in fixed
    assert "except* (OSError, TypeError) as e:" in fixed  # already parenthesized: untouched
    assert parenthesize_excepts("try:\n    x = 1\nexcept (A, B):\n    pass\n") is None
    assert parse_source("try:\n    x = 1\nexcept A, B as e:\n    pass\n") is None  # not valid in 3.14 either
