"""gov dimension detectors against their fixture repositories: exact evidence, near misses."""

from __future__ import annotations

import pytest
from scan_helpers import check_case, check_fixture_folders

# (practice, fixture case) -> (status, evidence, dependency-only evidence)
CASES: dict[tuple[str, str], tuple[str, list[str], list[str]]] = {
    ("gov.approval", "absent-azure-generated-webapp-environment"): ("absent", [], []),
    ("gov.approval", "absent-codeowners-catch-all"): ("absent", [], []),
    ("gov.approval", "absent-manual-dispatch-only"): ("absent", [], []),
    ("gov.approval", "present-environment-job-runs-deploy-script"): (
        "present", [".github/workflows/release-model.yml:12 deploy-job-uses-protected-environment"], []),
    ("gov.approval", "absent-environment-job-only-echoes"): ("absent", [], []),
    ("gov.approval", "absent-pending-approval-unused"): ("absent", [], []),
    ("gov.approval", "absent-pypi-environment"): ("absent", [], []),
    ("gov.approval", "present-azure-webapp-project-environment"): ("present", ['.github/workflows/release.yml:10 deploy-job-uses-protected-environment'], []),
    ("gov.approval", "present-github-environment"): ("present", ['.github/workflows/deploy.yml:8 deploy-job-uses-protected-environment'], []),
    ("gov.approval", "present-gitlab-manual-deploy"): ("present", ['.gitlab-ci.yml:13 gitlab-deploy-job-manual'], []),
    ("gov.approval", "present-sagemaker-pending-approval"): ("present", ['pipelines/pipeline.py:4 model-registration-pending-approval'], []),
    ("gov.data_card", "present-dbt-schema-descriptions"): (
        "present", ["dbt/models/marts/schema.yml:6 dbt-columns-described"], []),
    # Column tests without descriptions are data validation, not documentation.
    ("gov.data_card", "absent-dbt-tests-only"): ("absent", [], []),
    ("gov.data_card", "present-data-provenance-doc"): ("present", ["docs/data-provenance.md:1 data-card-file-present"], []),
    ("gov.data_card", "absent-data-provenance-stub"): ("absent", [], []),
    # a data_description.txt describing each field and its codes is a data dictionary; the
    # same file left as a one-line stub is not
    ("gov.data_card", "present-data-description-txt"): (
        "present", ["input/data_description.txt:1 data-card-file-present"], []),
    ("gov.data_card", "absent-data-description-stub"): ("absent", [], []),
    ("gov.data_card", "absent-config-table"): ("absent", [], []),
    ("gov.data_card", "absent-code-file-description"): ("absent", [], []),
    ("gov.data_card", "present-data-folder-file-description"): (
        "present", ["data/README:7 dataset-doc-describes-fields"], []),
    ("gov.data_card", "absent-dataset-layout"): ("absent", [], []),
    ("gov.data_card", "absent-env-variables-table"): ("absent", [], []),
    ("gov.data_card", "absent-file-and-feature-lists"): ("absent", [], []),
    ("gov.data_card", "absent-feature-list-data-package"): ("absent", [], []),
    ("gov.data_card", "present-feature-list-beside-csv"): (
        "present", ["dataset/README.md:5 dataset-doc-describes-fields"], []),
    ("gov.data_card", "absent-one-line-data-readme"): ("absent", [], []),
    # A data dictionary named with a space (as spreadsheets are saved: "Data Dictionary.csv");
    # the spaced name still needs real content.
    ("gov.data_card", "present-data-dictionary-spaced-name"): (
        "present", ["data/raw/Data Dictionary.csv:1 data-card-file-present"], []),
    ("gov.data_card", "absent-data-dictionary-spaced-stub"): ("absent", [], []),
    ("gov.data_card", "present-data-dictionary-table"): ("present", ['data/README.md:5 dataset-doc-describes-fields'], []),
    ("gov.data_card", "present-spanish-column-table"): ("present", ['data/README.md:5 dataset-doc-describes-fields'], []),
    ("gov.data_card", "absent-portuguese-api-fields"): ("absent", [], []),
    ("gov.data_card", "absent-agent-instructions-fields"): ("absent", [], []),
    ("gov.data_card", "present-column-list"): ("present", ['data/README.md:5 dataset-doc-describes-fields'], []),
    ("gov.data_card", "present-dataset-description-fields"): (
        "present", ['docs/corpus.md:3 dataset-doc-describes-fields'], []),
    ("gov.data_card", "absent-model-description-params"): ("absent", [], []),
    ("gov.data_card", "present-datasheet"): ("present", ['docs/datasheet.md:1 data-card-file-present'], []),
    # A whole copy of a well-known library's repository in a folder (its setup.py names the
    # library, whose package sits beside it): the library's own datasheet is not the project's.
    ("gov.data_card", "absent-vendored-library-repository"): ("absent", [], []),
    ("gov.data_card", "present-card-beside-vendored-library-repository"): (
        "present", ['docs/datasheet.md:1 data-card-file-present'], []),
    ("gov.data_card", "present-field-list-readme-txt"): ("present", ['data/Readme.txt:8 dataset-doc-describes-fields'], []),
    ("gov.data_card", "present-hf-dataset-card"): ("present", ['data/README.md:3 hf-dataset-card-metadata'], []),
    ("gov.explainability", "absent-feature-importances"): ("absent", [], []),
    # Permutation importance of the trained model explains it; inside a feature selector's fit
    # it chooses the features the selector keeps.
    ("gov.explainability", "present-permutation-importance-report"): (
        "present", ["churn/explain.py:10 sklearn-inspection-explains-model"], []),
    ("gov.explainability", "absent-importance-feature-selector"): ("absent", [], []),
    ("gov.explainability", "present-handwritten-gradcam"): (
        "present", ["app/explain.py:5 attribution-map-computed-by-hand"], []),
    # a saliency plot drawn from a map computed elsewhere; the backward() is training's
    ("gov.explainability", "absent-saliency-plot-helper"): ("absent", [], []),
    # a model that predicts human-attention saliency maps, and its training loop
    ("gov.explainability", "absent-saliency-prediction-model"): ("absent", [], []),
    ("gov.explainability", "absent-explainer-version-lookup"): ("absent", [], []),
    ("gov.explainability", "present-attribution-method-by-name"): (
        "present", ['tabkit/explain.py:14 explainer-chosen-by-name'], []),
    ("gov.explainability", "absent-shap-requirements-only"): ("absent", [], ['requirements.txt:1 dependency-declared']),
    ("gov.explainability", "present-captum-notebook"): ("present", ['notebooks/attributions.ipynb:cell 2:line 2 explainer-library-used'], []),
    # MLflow's SHAP integration logging the attributions with the run; a job that imports
    # mlflow.shap and only scores explains nothing.
    ("gov.explainability", "present-mlflow-shap-log-explanation"): (
        "present", ["train.py:18 mlflow-shap-explanation-logged"], []),
    ("gov.explainability", "absent-mlflow-shap-explainer-loaded"): ("absent", [], []),
    ("gov.explainability", "present-shap"): ("present", ['explain.py:7 explainer-library-used'], []),
    ("gov.explainability", "present-rai-explanation-component"): (
        "present", ['aml/train-pipeline.yml:23 rai-explanation-component-used'], []),
    ("gov.explainability", "absent-rai-error-analysis-only"): ("absent", [], []),
    ("gov.fairness", "absent-dependency-only"): ("absent", [], ['requirements.txt:1 dependency-declared']),
    ("gov.fairness", "present-rai-scorecard-fairness"): (
        "present", ['aml/scorecard.json:10 rai-fairness-component-used'], []),
    ("gov.fairness", "absent-rai-dashboard-without-fairness"): ("absent", [], []),
    ("gov.fairness", "absent-eda-groupby"): ("absent", [], []),
    # a face GAN's identity attributes beside its discriminator: no groups of people compared
    ("gov.fairness", "absent-face-gan-identity-attributes"): ("absent", [], []),
    ("gov.fairness", "present-identity-term-slices"): (
        "present", ["evaluation/slices.py:6 protected-group-metrics-computed"], []),
    # identity columns of a customer table and an identity_hate label, a layer's bias: no groups of people compared
    ("gov.fairness", "absent-identity-columns-no-fairness"): ("absent", [], []),
    ("gov.fairness", "absent-performance-slices"): ("absent", [], []),
    ("gov.fairness", "absent-privacy-sensitive-features"): ("absent", [], []),
    ("gov.fairness", "present-custom-group-metrics"): ("present", ['eval/fairness.py:8 protected-group-metrics-computed'], []),
    ("gov.fairness", "present-fairlearn"): ("present", ['evaluate_fairness.py:6 fairness-toolkit-used', 'evaluate_fairness.py:10 protected-group-metrics-computed'], []),
    ("gov.license", "absent-empty-license"): ("absent", [], []),
    ("gov.license", "absent-pyproject-field-only"): ("absent", [], []),
    ("gov.license", "absent-readme-mention"): ("absent", [], []),
    ("gov.license", "absent-vendored-license"): ("absent", [], []),
    ("gov.license", "present-copying-md"): ("present", ['COPYING.md:1 license-file-present'], []),
    ("gov.license", "present-license"): ("present", ['LICENSE:1 license-file-present'], []),
    ("gov.model_card", "absent-empty-template"): ("absent", [], []),
    ("gov.model_card", "absent-card-fields-unfilled"): ("absent", [], []),
    ("gov.model_card", "present-card-filled-in-code"): ("present", ["reporting/card.py:8 model-card-filled-in-code"], []),
    ("gov.model_card", "absent-readme-mentions-card"): ("absent", [], []),
    ("gov.model_card", "absent-space-readme"): ("absent", [], []),
    ("gov.model_card", "present-hf-metadata"): ("present", ['README.md:6 hf-model-card-metadata'], []),
    ("gov.model_card", "present-intended-use-doc"): ("present", ['docs/model.md:3 model-doc-intended-use-and-limits'], []),
    ("gov.model_card", "absent-agent-instructions-model"): ("absent", [], []),
    ("gov.model_card", "present-trainer-model-card"): ("present", ['scripts/finetune.py:16 trainer-model-card-written'], []),
    ("gov.model_card", "absent-trainer-save-only"): ("absent", [], []),
    # A project's "In Scope / Out of Scope" lists are not a model's out-of-scope uses.
    ("gov.model_card", "absent-project-scope-sections"): ("absent", [], []),
    ("gov.model_card", "present-out-of-scope-uses"): ("present", ['docs/model.md:3 model-doc-intended-use-and-limits'], []),
    ("gov.model_card", "present-model-card-file"): ("present", ['MODEL_CARD.md:1 model-card-file-present', 'MODEL_CARD.md:6 model-doc-intended-use-and-limits'], []),
    ("gov.security_scan", "absent-dependency-only"): ("absent", [], ['requirements-dev.txt:1 dependency-declared']),
    ("gov.security_scan", "absent-lint-hooks-only"): ("absent", [], []),
    ("gov.security_scan", "absent-security-policy-only"): ("absent", [], []),
    ("gov.security_scan", "present-ci-pip-audit"): ("present", ['.github/workflows/security.yml:9 ci-runs-security-scanner'], []),
    ("gov.security_scan", "present-codeql"): ("present", ['.github/workflows/codeql.yml:10 ci-runs-security-scanner'], []),
    ("gov.security_scan", "present-dependabot"): ("present", ['.github/dependabot.yml:1 dependency-update-bot-configured'], []),
    ("gov.security_scan", "present-ecr-scan-on-push"): ("present", ['infra/ecr.tf:5 image-scan-on-push-enabled'], []),
    ("gov.security_scan", "present-precommit-bandit"): ("present", ['.pre-commit-config.yaml:9 precommit-runs-security-hook'], []),
    # A make target scanning the infrastructure templates (cfn_nag, checkov...); installing the
    # scanners and a comment about them scan nothing.
    ("gov.security_scan", "present-make-template-security-scan"): ("present", ["Makefile:7 make-target-runs-security-scan"], []),
    ("gov.security_scan", "absent-make-installs-scanner-only"): ("absent", [], []),
    ("gov.security_scan", "present-ci-template-security-scan"): (
        "present", [".github/workflows/templates.yml:10 ci-runs-security-scanner"], []),
}


@pytest.mark.parametrize(("practice", "case"), sorted(CASES), ids=lambda x: x)
def test_fixture(scan, practice, case):
    check_case(scan, CASES, practice, case)


@pytest.mark.parametrize("practice", ['gov.model_card', 'gov.data_card', 'gov.fairness', 'gov.explainability', 'gov.security_scan', 'gov.approval', 'gov.license'])
def test_every_fixture_folder_has_a_case(practice):
    check_fixture_folders(CASES, practice)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("## Uses\n\n[More Information Needed]\n\n- **Developed by:** [More Information Needed]\n", 0),
        ("# Card for {{ model_id }}\n<!-- summary -->\nTODO\n", 0),
        ("- **Model type:** gradient boosted trees\n", 3),
        ("The model ranks subscribers by churn risk.\n", 7),
    ],
)
def test_prose_words_ignore_placeholders_labels_and_headings(text, words):
    from mlops_maturity.sources.scan.checks.gov import prose_words

    assert prose_words(text) == words


def test_spaces_front_matter_is_not_a_model_card(scan):
    obs = scan("gov.model_card/absent-space-readme")
    assert not obs["gov.model_card"].evidence
    assert not obs["gov.data_card"].evidence
