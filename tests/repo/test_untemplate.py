"""Project templates' YAML read as the project it renders to (textutil.untemplate)."""

from __future__ import annotations

from mlops_maturity.repo.ci import ci_system
from mlops_maturity.repo.textutil import untemplate
from mlops_maturity.util import yamlsafe


def test_plain_text_is_left_alone():
    assert untemplate("name: job\nsteps: []\n") is None


def test_go_template_keeps_first_branch_and_lines():
    text = (
        "name: {{ .project }}-job\n"
        "env:\n"
        "  {{ if (eq .cloud `azure`) -}}\n"
        "  TENANT: {{`${{ secrets.TENANT }}`}}\n"
        "  {{ else -}}\n"
        "  TOKEN: {{`${{ secrets.TOKEN }}`}}\n"
        "  {{- end }}\n"
        "model: {{template `model_name` .}}\n"
    )
    out = untemplate(text)
    assert out is not None and out.count("\n") == text.count("\n")
    doc = yamlsafe.load(out)
    assert doc["name"] == "project-job"
    assert doc["env"] == {"TENANT": "${{ secrets.TENANT }}"}
    assert doc.line_of("model") == 8


def test_jinja_inline_else_and_github_expressions():
    text = (
        "name: {{ cookiecutter.slug }}\n"
        "{% if cookiecutter.gpu %}runner: gpu{% else %}runner: cpu{% endif %}\n"
        "token: ${{ secrets.TOKEN }}\n"
        "{# a comment #}\n"
    )
    doc = yamlsafe.load(untemplate(text))
    assert doc == {"name": "cookiecutter", "runner": "gpu", "token": "${{ secrets.TOKEN }}"}


def test_template_workflow_paths():
    assert ci_system("{{cookiecutter.slug}}/.github/workflows/ci.yml") == "github"
    assert ci_system("template/{{.input_root_dir}}/.github/workflows/cd.yml") == "github"
    assert ci_system("examples/demo/.github/workflows/cd.yml") is None


def test_comments_assignments_and_set_blocks_render_to_nothing():
    text = (
        "{{/* the job */}}\n"
        "{{ $name := .project }}\n"
        "{% set notes %}free text{% endset %}\n"
        "{% if x %}\n"
        "name: job\n"
        "{% endif %}\n"
    )
    out = untemplate(text)
    assert out is not None and out.count("\n") == text.count("\n")
    assert yamlsafe.load(out) == {"name": "job"}
