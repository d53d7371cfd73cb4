"""CI configurations reduced to pipelines, jobs, steps and command lines."""

from __future__ import annotations

from mlops_maturity.repo.ci import ci_system, parse_ci
from mlops_maturity.repo.dockerfile import parse_dockerfile


def test_github_triggers_jobs_and_command_lines():
    text = """name: ci
on:
  push:
    branches: [main]
  pull_request:
  schedule:
    - cron: "0 3 * * 1"
jobs:
  test:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - uses: actions/checkout@v4
      - name: Test
        run: |
          pip install -e .
          pytest -q
      - run: echo one-liner
"""
    p = parse_ci(".github/workflows/ci.yml", text)
    assert p.triggers == {"push": 3, "pull_request": 5, "schedule": 6}
    assert p.schedules == [("0 3 * * 1", 7)]
    assert p.runs_on_change
    (job,) = p.jobs
    assert (job.name, job.environment) == ("test", "production")
    assert [s.uses for s in job.steps] == ["actions/checkout@v4", "", ""]
    assert [(c.text, c.line) for c in p.commands] == [("pip install -e .", 16), ("pytest -q", 17), ("echo one-liner", 18)]


def test_github_on_list_and_string():
    assert parse_ci(".github/workflows/a.yaml", "on: [push, workflow_dispatch]\njobs: {}\n").triggers == {
        "push": 1, "workflow_dispatch": 1, "manual": 1}
    assert parse_ci(".github/workflows/b.yml", "on: pull_request\n").triggers == {"pull_request": 1}


def test_gitlab_anchors_and_reference_tags():
    text = """.base: &base
  image: python:3.11
  before_script:
    - pip install -r requirements.txt
test:
  <<: *base
  script:
    - !reference [.setup, script]
    - pytest
deploy:
  stage: deploy
  environment: production
  script: ./deploy.sh
"""
    p = parse_ci(".gitlab-ci.yml", text)
    assert not p.error
    assert [j.name for j in p.jobs] == ["test", "deploy"]
    assert ("pytest", 9) in [(c.text, c.line) for c in p.commands]
    assert ("pip install -r requirements.txt", 4) in [(c.text, c.line) for c in p.commands]
    assert p.jobs[1].environment == "production"


def test_gitlab_alias_bomb_is_an_error_not_a_hang():
    bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 10) + "]\n" for i in range(8)
    )
    p = parse_ci(".gitlab-ci.yml", bomb)
    assert "expand to more than" in p.error


def test_jenkins_azure_circle_travis():
    jf = "pipeline {\n  stages {\n    stage('Test') {\n      steps {\n        sh 'pytest tests'\n        sh '''\n          flake8\n        '''\n      }\n    }\n  }\n  triggers { cron('H 2 * * *') }\n}\n"
    p = parse_ci("Jenkinsfile", jf)
    assert [(c.text, c.line, c.job) for c in p.commands] == [("pytest tests", 5, "Test"), ("flake8", 7, "Test")]
    assert p.schedules == [("H 2 * * *", 12)]
    az = "trigger:\n  - main\nsteps:\n  - script: pytest\n  - bash: |\n      ruff check .\n"
    assert [(c.text, c.line) for c in parse_ci("azure-pipelines.yml", az).commands] == [("pytest", 4), ("ruff check .", 6)]
    cc = "version: 2.1\njobs:\n  build:\n    steps:\n      - checkout\n      - run: pytest\n      - run:\n          command: mypy src\n"
    assert [(c.text, c.line) for c in parse_ci(".circleci/config.yml", cc).commands] == [("pytest", 6), ("mypy src", 8)]
    tr = "language: python\ninstall: pip install .\nscript:\n  - pytest\n"
    assert [(c.text, c.line) for c in parse_ci(".travis.yml", tr).commands] == [("pip install .", 2), ("pytest", 4)]
    assert ci_system("docs/Jenkinsfile") == "jenkins" and ci_system("src/ci.yml") is None


def test_dockerfile_instructions_with_continuations():
    text = "# syntax=docker/dockerfile:1\nFROM python:3.11 AS base\nRUN pip install \\\n    # comment\n    mlflow\nCMD [\"python\", \"serve.py\"]\n"
    assert [(i.keyword, i.args, i.line) for i in parse_dockerfile(text)] == [
        ("FROM", "python:3.11 AS base", 2), ("RUN", "pip install mlflow", 3), ("CMD", '["python", "serve.py"]', 6)]


def test_azure_pipelines_with_free_names_are_recognised_by_content(tmp_path):
    from helpers import write

    from mlops_maturity.repo import RepoView
    from mlops_maturity.repo.ci import maybe_azure_pipeline, sniff_azure_pipeline

    azure = "trigger:\n  branches:\n    include: [main]\npool:\n  vmImage: ubuntu-latest\nsteps:\n- task: AzureCLI@2\n  displayName: Deploy\n  inputs:\n    inlineScript: az ml online-deployment create -f d.yml\n- script: pytest\n"
    aml_job = "$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json\ntype: pipeline\njobs:\n  train:\n    type: command\n    command: python train.py\n"
    kfp = "pipelineInfo:\n  name: train\nroot:\n  dag:\n    tasks: {}\nsteps:\n- script: x\n"
    assert maybe_azure_pipeline(".pipelines/ci.yml") and maybe_azure_pipeline("devops/deploy-pipeline.yaml")
    assert not maybe_azure_pipeline("azure-pipelines.yml")  # already known by its name
    assert maybe_azure_pipeline("tests/ci/cpu_unit_tests_linux.yml") and maybe_azure_pipeline(".ci/build.yaml")
    assert maybe_azure_pipeline(".vsts-ci.yml") and not maybe_azure_pipeline("configs/cifar/train.yaml")
    assert sniff_azure_pipeline(azure)
    assert not sniff_azure_pipeline(aml_job) and not sniff_azure_pipeline(kfp)
    write(tmp_path / ".pipelines" / "ci.yml", azure)
    write(tmp_path / "mlops" / "pipelines" / "train-pipeline.yml", aml_job)
    v = RepoView(tmp_path, use_git=False)
    assert v.ci_files() == [".pipelines/ci.yml"]
    (p,) = v.ci()
    assert p.system == "azure" and p.runs_on_change
    task = next(s for s in p.steps if s.uses)
    assert (task.uses, task.name, task.line) == ("AzureCLI@2", "Deploy", 7)
    assert task.with_["inlineScript"].startswith("az ml online-deployment")
    assert sorted((c.line, c.text) for c in p.commands) == [(10, "az ml online-deployment create -f d.yml"), (11, "pytest")]
