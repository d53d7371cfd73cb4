"""deploy dimension detectors against their fixture repositories: exact evidence, near misses."""

from __future__ import annotations

import pytest
from scan_helpers import check_case, check_fixture_folders, describe

# (practice, fixture case) -> (status, evidence, dependency-only evidence)
CASES: dict[tuple[str, str], tuple[str, list[str], list[str]]] = {
    ("deploy.registry", "present-mlflow-recipe"): ("present", ["recipe.yaml:2 mlflow-recipe-registers"], []),
    ("deploy.training_pipeline", "present-mlflow-recipe"): ("present", ["recipe.yaml:2 mlflow-recipe-trains"], []),
    ("deploy.training_pipeline", "absent-rattler-recipe"): ("absent", [], []),
    # An error over a threshold raising "drift detected" is monitoring of live forecasts; the same
    # check rejecting a candidate before release is a gate.
    ("deploy.model_gate", "absent-drift-error-check"): ("absent", [], []),
    ("deploy.model_gate", "present-error-threshold-blocks-release"): ("present", ["evaluation.py:9 metric-gate-blocks-promotion"], []),
    ("deploy.model_gate", "present-mlflow-recipe"): ("present", ["recipe.yaml:2 mlflow-recipe-validation-gates-register"], []),
    ("deploy.model_gate", "absent-mlflow-recipe-no-criteria"): ("absent", [], []),
    ("deploy.model_gate", "present-promotion-policy"): (
        "present", ["src/promotion.py:10 metric-gate-blocks-promotion"], []),
    ("deploy.model_gate", "absent-promotion-report-only"): ("absent", [], []),
    ("deploy.training_pipeline", "present-kedro-node"): (
        "present", ["src/churn/pipelines/modeling/pipeline.py:7 orchestrated-pipeline-trains"], []),
    ("deploy.training_pipeline", "absent-kedro-data-nodes"): ("absent", [], ["requirements.txt:1 dependency-declared"]),
    ("deploy.cd", "present-flow-step-deploys-endpoint"): (
        "present", ["flows/churn_flow.py:23 orchestrated-pipeline-deploys"], []),
    ("deploy.cd", "absent-driver-deploys-after-pipeline"): ("absent", [], []),
    # A project template's workflow under the folder it renders as the project's root, with
    # template syntax in its YAML; a workflow of an example nested in the repository is not CI.
    ("deploy.cd", "present-template-workflow-deploys"): (
        "present", ["{{cookiecutter.project_slug}}/.github/workflows/cd-staging.yml:17 pipeline-deploys-service"], []),
    ("deploy.cd", "absent-nested-example-workflow"): ("absent", [], []),
    # A workflow step that runs the redeploy on a VM over SSH (a cloud SSH action); signing in to
    # the cloud and listing instances deploys nothing.
    ("deploy.cd", "present-ssh-compute-redeploy"): (
        "present", [".github/workflows/deploy.yml:15 pipeline-deploys-service"], []),
    ("deploy.cd", "absent-cloud-auth-only"): ("absent", [], []),
    # TFX's Google Cloud AI Platform Pusher deploys the blessed model to an online endpoint; the
    # standard Pusher copying it to a folder serves nothing.
    ("deploy.serving", "present-tfx-cloud-pusher"): (
        "present", ["pipeline.py:5 tfx-cloud-pusher-deploys-endpoint"], []),
    ("deploy.serving", "absent-tfx-filesystem-pusher"): ("absent", [], []),
    # The TFX cloud pusher with Vertex on uploads each blessed model to the Vertex Model Registry;
    # the same key in a Trainer's config only trains on Vertex.
    ("deploy.registry", "present-tfx-vertex-pusher"): (
        "present", ["configs.py:12 tfx-vertex-pusher-uploads-model"], []),
    ("deploy.registry", "absent-tfx-vertex-training-only"): ("absent", [], []),
    # A notebook a workflow executes (papermill, ipython, nbconvert --execute) that deploys the
    # model; executing an evaluation notebook, or rendering the deploy notebook, deploys nothing.
    ("deploy.cd", "present-ci-runs-deployment-notebook"): (
        "present", [".github/workflows/release.yml:13 pipeline-deploys-service"], []),
    ("deploy.cd", "absent-ci-notebooks-evaluate-or-render"): ("absent", [], []),
    # A bundle template's databricks.yml whose if / else branches repeat a key (first branch read).
    ("deploy.iac", "present-template-bundle-conditional"): (
        "present", ["template/{{.input_root_dir}}/{{.project_name}}/databricks.yml.tmpl:1 databricks-bundle-declared"], []),
    ("deploy.iac", "absent-template-bundle-stub"): ("absent", [], []),
    ("deploy.cd", "present-databricks-bundle-deploy"): (
        "present", [".github/workflows/cd-staging.yml:16 pipeline-deploys-service"], []),
    ("deploy.cd", "absent-databricks-etl-bundle-deploy"): ("absent", [], []),
    # A bundle of notebook jobs only, one of which trains (its notebooks register the model):
    # deploying it deploys the ML system; a bundle of feature-preparation jobs does not.
    ("deploy.cd", "present-databricks-bundle-notebook-jobs-deploy"): (
        "present", [".github/workflows/release.yml:12 pipeline-deploys-service"], []),
    ("deploy.cd", "absent-databricks-bundle-feature-jobs-deploy"): ("absent", [], []),
    # A team's shared composite action named for deploying, given the image to build and push:
    # the ML scoring image counts, the documentation site's image does not.
    ("deploy.cd", "present-shared-action-pushes-model-image"): (
        "present", [".github/workflows/main.yml:16 pipeline-deploys-service"], []),
    ("deploy.cd", "absent-shared-action-pushes-docs-image"): ("absent", [], []),
    # The same from a reusable workflow of another repository called by a job, given the
    # Dockerfile to build and push: the serving image counts, the documentation site's does not.
    ("deploy.cd", "present-reusable-workflow-pushes-model-image"): (
        "present", [".github/workflows/images.yml:6 pipeline-deploys-service"], []),
    ("deploy.cd", "absent-reusable-workflow-pushes-docs-image"): ("absent", [], []),
    # A job calling an organisation's shared workflow whose steps are not in the repository: a
    # check when the workflow or the job is named for one, not when it only builds an image.
    ("deploy.ci", "present-reusable-check-workflow"): (
        "present", [".github/workflows/quality.yml:7 ci-runs-checks-on-change"], []),
    ("deploy.ci", "present-reusable-workflow-test-job"): (
        "present", [".github/workflows/ci.yml:4 ci-runs-checks-on-change"], []),
    ("deploy.ci", "absent-reusable-build-workflow"): ("absent", [], []),
    ("deploy.cd", "absent-package-publish-action-with-repository"): ("absent", [], []),
    ("deploy.cd", "absent-devcontainer-image"): ("absent", [], []),
    ("deploy.cd", "present-render-auto-deploy"): ("present", ["render.yaml:5 paas-redeploys-on-push"], []),
    ("deploy.cd", "absent-render-auto-deploy-off"): ("absent", [], []),
    # A push workflow redeploying the service with a Render deploy action; a push workflow whose
    # step only mentions deploying from the Render dashboard deploys nothing.
    ("deploy.cd", "present-render-deploy-action"): ("present", [".github/workflows/cd.yml:9 pipeline-deploys-service"], []),
    ("deploy.cd", "absent-render-deploy-echo"): ("absent", [], []),
    ("deploy.cd", "absent-docs-deploy"): ("absent", [], []),
    ("deploy.cd", "absent-manual-script"): ("absent", [], []),
    ("deploy.cd", "absent-pypi-publish"): ("absent", [], []),
    ("deploy.cd", "absent-untriggered-cloudbuild"): ("absent", [], []),
    ("deploy.cd", "present-argocd-app"): ("present", ['deploy/app.yaml:2 argocd-application-defined'], []),
    # A CircleCI workflow runs an orb job that deploys: what it does is in its name.
    ("deploy.cd", "present-circleci-orb-deploy"): (
        "present", [".circleci/config.yml:21 pipeline-deploys-service"], []),
    # Orb steps that upload coverage, deploy the docs site or publish the package to PyPI.
    ("deploy.cd", "absent-circleci-orb-uploads"): ("absent", [], []),
    ("deploy.cd", "present-build-push"): ("present", ['.github/workflows/release.yml:12 pipeline-deploys-service'], []),
    ("deploy.cd", "present-codebuild-triggered"): ("present", ['buildspec.yml:6 build-config-deploys'], []),
    ("deploy.cd", "present-deploy-script"): ("present", ['.github/workflows/deploy.yml:9 pipeline-deploys-service'], []),
    ("deploy.cd", "present-shared-deploy-template"): ("present", ['.github/workflows/deploy-online-endpoint.yml:4 pipeline-deploys-service'], []),
    ("deploy.cd", "present-gitlab-kubectl"): ("present", ['.gitlab-ci.yml:5 pipeline-deploys-service'], []),
    # Manifests applied to a kind / minikube cluster the job starts are tested, not deployed; the
    # deploy job after such a test still deploys.
    ("deploy.cd", "absent-manifests-tested-on-kind"): ("absent", [], []),
    ("deploy.cd", "present-kind-test-then-cluster-deploy"): ("present", [".github/workflows/release.yml:20 pipeline-deploys-service"], []),
    ("deploy.cd", "present-azd-deploy"): ("present", ['.github/workflows/deploy.yml:14 pipeline-deploys-service'], []),
    ("deploy.cd", "absent-azd-provision-only"): ("absent", [], []),
    ("deploy.ci", "absent-build-image-only"): ("absent", [], []),
    ("deploy.ci", "present-config-validation"): ("present", [".github/workflows/validate.yml:14 ci-runs-checks-on-change"], []),
    ("deploy.ci", "absent-terraform-apply-only"): ("absent", [], []),
    ("deploy.ci", "absent-cloud-build"): ("absent", [], []),
    ("deploy.ci", "absent-echo-only"): ("absent", [], []),
    ("deploy.ci", "absent-library-import-check"): ("absent", [], []),
    ("deploy.ci", "present-package-import-smoke-test"): (
        "present", [".github/workflows/main.yml:11 ci-runs-checks-on-change"], []),
    ("deploy.ci", "absent-manual-only"): ("absent", [], []),
    ("deploy.ci", "present-psrule-iac-rules"): ("present", [".github/workflows/infra-rules.yml:11 ci-runs-checks-on-change"], []),
    ("deploy.ci", "absent-psrule-nightly-only"): ("absent", [], []),
    ("deploy.ci", "present-azure-ci-folder"): ("present", ['tests/ci/unit_tests_linux.yml:22 ci-runs-checks-on-change'], []),
    ("deploy.ci", "present-azure-template"): ("present", ['.pipelines/code-quality-template.yml:3 ci-runs-checks-on-change'], []),
    ("deploy.ci", "present-github-pytest"): ("present", ['.github/workflows/ci.yml:12 ci-runs-checks-on-change'], []),
    ("deploy.ci", "present-make-target"): ("present", ['.gitlab-ci.yml:5 ci-runs-checks-on-change'], []),
    ("deploy.ci", "present-smoke-test-step"): ("present", ['.github/workflows/smoke.yml:11 ci-runs-checks-on-change'], []),
    ("deploy.ci", "present-test-job-container-smoke"): ("present", ['.github/workflows/image.yml:16 ci-runs-checks-on-change'], []),
    ("deploy.ci", "absent-test-job-multiline-build"): ("absent", [], []),
    ("deploy.ci", "present-test-job-builds-tool-first"): (
        "present", ['.github/workflows/examples.yml:22 ci-runs-checks-on-change'], []),
    ("deploy.ci", "absent-test-job-only-installs"): ("absent", [], []),
    ("deploy.ci", "present-databricks-notebook-test"): (
        "present", [".github/workflows/integration-test.yml:13 ci-runs-checks-on-change"], []),
    ("deploy.ci", "absent-databricks-notebook-deploy"): ("absent", [], []),
    ("deploy.ci", "present-image-scan-on-push"): ("present", [".github/workflows/image.yml:11 ci-runs-checks-on-change"], []),
    ("deploy.ci", "present-lint-action-by-name"): ("present", [".github/workflows/style.yml:10 ci-runs-checks-on-change"], []),
    ("deploy.ci", "absent-setup-linter-action-only"): ("absent", [], []),
    ("deploy.ci", "absent-image-scan-nightly-only"): ("absent", [], []),
    ("deploy.container", "absent-db-only-compose"): ("absent", [], []),
    # The compose file builds `.`, but the repository has no Dockerfile there: nothing builds.
    ("deploy.container", "absent-compose-build-no-dockerfile"): ("absent", [], []),
    # `mlflow models build-docker` run in CI: an image of the model with MLflow's scoring server.
    # The command only in the README, or commented out in the workflow, is not run.
    ("deploy.container", "present-mlflow-build-docker-ci"): (
        "present", [".github/workflows/train.yml:16 mlflow-model-image-built"], []),
    ("deploy.container", "absent-mlflow-build-docker-not-run"): ("absent", [], []),
    ("deploy.container", "present-compose-model-server"): ("present", ["docker-compose.yml:3 compose-builds-ml-service"], []),
    ("deploy.container", "absent-tracking-server-compose"): ("absent", [], []),
    ("deploy.container", "absent-devcontainer"): ("absent", [], []),
    ("deploy.container", "absent-gitpod-workspace-image"): ("absent", [], []),
    ("deploy.container", "present-training-image-beside-gitpod"): ("present", ["Dockerfile:1 ml-component-containerized"], []),
    ("deploy.container", "absent-docs-site"): ("absent", [], []),
    # `dockerfile`, the lower-case name docker build falls back to, built by compose; the same
    # name for an nginx docs site stays out.
    ("deploy.container", "present-lowercase-dockerfile"): (
        "present", ["docker-compose.yaml:3 compose-builds-ml-service", "dockerfile:1 ml-component-containerized"], []),
    ("deploy.container", "absent-lowercase-dockerfile-docs"): ("absent", [], []),
    # A Jupyter Docker Stacks image that keeps its notebook server (built by compose for a lab
    # service) is a workspace; the same base running a scoring job as its command is a component.
    ("deploy.container", "absent-jupyter-workspace-image"): ("absent", [], []),
    ("deploy.container", "present-jupyter-based-scoring-job"): ("present", ["Dockerfile:1 ml-component-containerized"], []),
    # The image a CI system's jobs run in (.gitlab/docker/Dockerfile with test requirements).
    ("deploy.container", "absent-ci-runner-image"): ("absent", [], []),
    ("deploy.container", "present-ci-runner-beside-training-image"): ("present", ["Dockerfile:1 ml-component-containerized"], []),
    ("deploy.container", "present-compose-build"): ("present", ['docker-compose.yml:3 compose-builds-ml-service', 'train.Dockerfile:1 ml-component-containerized'], []),
    ("deploy.container", "present-serving-dockerfile"): ("present", ['docker/Dockerfile:1 ml-component-containerized'], []),
    ("deploy.iac", "present-databricks-bundle"): ("present", ["databricks.yml:1 databricks-bundle-declared"], []),
    ("deploy.iac", "present-cdktf-typescript"): ("present", ["infra/cdktf.json:3 cdk-project-configured"], []),
    # CDK's context cache and a CDK library in package.json are not an app that defines stacks.
    ("deploy.iac", "absent-cdk-context-only"): ("absent", [], []),
    ("deploy.iac", "present-helm-release-rendered-values"): (
        "present", ["deploy/release.sh:12 helm-release-values-deployed"], []),
    ("deploy.iac", "present-helm-release-values-ci"): (
        "present", [".github/workflows/deploy.yml:12 helm-release-values-deployed"], []),
    ("deploy.iac", "absent-helm-install-chart-defaults"): ("absent", [], []),
    ("deploy.iac", "absent-backstage"): ("absent", [], []),
    ("deploy.iac", "absent-compose-only"): ("absent", [], []),
    ("deploy.iac", "present-cloudformation"): ("present", ['template.yaml:1 cloudformation-template-defined'], []),
    ("deploy.iac", "present-helm-chart"): ("present", ['charts/api/Chart.yaml:1 helm-chart-defined'], []),
    ("deploy.iac", "present-k8s-manifest"): ("present", ['k8s/deployment.yaml:3 kubernetes-manifest-defined'], []),
    ("deploy.iac", "present-terraform"): ("present", ['infra/main.tf:1 terraform-resources-defined'], []),
    ("deploy.iac", "present-ansible-gce-instance"): ("present", ['infra/provision.yml:7 ansible-provisions-cloud-resources'], []),
    ("deploy.iac", "absent-ansible-host-setup"): ("absent", [], []),
    ("deploy.model_gate", "absent-behavioral-tests-not-blocking"): ("absent", [], []),
    ("deploy.model_gate", "absent-bidirectional-layer-tests"): ("absent", [], []),
    ("deploy.model_gate", "present-directional-expectation-test"): ("present", ['tests/models/test_intent_model.py:5 behavioural-model-tests'], []),
    ("deploy.model_gate", "absent-data-check"): ("absent", [], []),
    ("deploy.model_gate", "absent-early-stopping"): ("absent", [], []),
    ("deploy.model_gate", "absent-report-only"): ("absent", [], []),
    ("deploy.model_gate", "absent-test-trains-toy-model"): ("absent", [], []),
    ("deploy.model_gate", "present-ci-metric-threshold-test"): ("present", ["tests/test_model_quality.py:9 ci-metric-threshold-tests"], []),
    # The same test in a step that continues on error blocks nothing.
    ("deploy.model_gate", "absent-metric-test-continues-on-error"): ("absent", [], []),
    # The test splits the data with train_test_split and scores the saved model: it trains nothing.
    ("deploy.model_gate", "present-ci-test-splits-saved-model"): ("present", ["tests/test_model.py:12 ci-metric-threshold-tests"], []),
    ("deploy.model_gate", "absent-retrain-decision-flag"): ("absent", [], []),
    ("deploy.model_gate", "present-deploy-decision-flag"): ("present", ["jobs/release_check.py:8 metric-gate-blocks-promotion"], []),
    ("deploy.model_gate", "present-constraints-keep-champion"): (
        "present", ["pipelines/compare.py:14 metric-gate-blocks-promotion"], []),
    ("deploy.model_gate", "absent-constraints-logged-only"): ("absent", [], []),
    # The registry alias is chosen by a helper's comparison with the registry's best model;
    # an alias chosen by the branch, and checkpointing on the best epoch, stay out.
    ("deploy.model_gate", "present-alias-chosen-by-comparison"): (
        "present", ["train_flow.py:31 metric-gate-blocks-promotion"], []),
    ("deploy.model_gate", "absent-alias-chosen-by-branch"): ("absent", [], []),
    ("deploy.model_gate", "present-gate-result-from-helper"): (
        "present", ["pipeline/flow.py:9 metric-gate-blocks-promotion"], []),
    ("deploy.model_gate", "absent-helper-checks-file-size"): ("absent", [], []),
    # a search keeping the better score (`current_score = s` in the branch) gates nothing; the same
    # comparison that promotes the candidate does
    ("deploy.model_gate", "absent-tuning-loop-keeps-better-score"): ("absent", [], []),
    ("deploy.model_gate", "present-candidate-beats-current-then-promoted"): (
        "present", ["scripts/promote_defense.py:13 metric-gate-blocks-promotion"], []),
    # the helper reads the metric into a local first (`delta = payload.get("delta_map50")`, then
    # `return float(delta) >= MIN_DELTA`); the same shape reading an export's age judges no model
    ("deploy.model_gate", "present-helper-reads-metric-into-local"): (
        "present", ["release/promote.py:17 metric-gate-blocks-promotion"], []),
    ("deploy.model_gate", "absent-helper-reads-age-into-local"): ("absent", [], []),
    # `return False` under a metric threshold refuses the model in a function that gives a
    # verdict on it; a library helper deciding whether calibration is needed refuses nothing.
    ("deploy.model_gate", "present-validator-returns-false"): (
        "present", ["pipeline/validate.py:10 metric-gate-blocks-promotion"], []),
    ("deploy.model_gate", "absent-helper-decides-step-needed"): ("absent", [], []),
    ("deploy.model_gate", "present-behavioral-tests-in-ci"): ("present", ['tests/model/test_behavioral.py:5 behavioural-model-tests'], []),
    ("deploy.model_gate", "present-challenger-wins"): ("present", ['components/update_best_model.py:8 metric-gate-blocks-promotion'], []),
    ("deploy.model_gate", "present-champion-challenger"): ("present", ['promote.py:7 metric-gate-blocks-promotion'], []),
    # A validation notebook asserting, over several lines, that the challenger's metrics match or
    # beat the champion's: the job task fails and the promotion task after it never runs. The same
    # multi-line assert on the input data is a data-integrity check.
    ("deploy.model_gate", "present-notebook-asserts-challenger-beats-champion"): (
        "present", ["notebooks/validate_candidate.py:18 metric-gate-blocks-promotion"], []),
    ("deploy.model_gate", "absent-notebook-multiline-assert-on-data"): ("absent", [], []),
    ("deploy.model_gate", "present-search-beats-production"): ("present", ['modeling/tune.py:11 metric-gate-blocks-promotion'], []),
    # The winner of a model selection must still meet a fixed bar before it goes live;
    # the same bar only logged before an unconditional promotion gates nothing.
    ("deploy.model_gate", "present-best-candidate-meets-bar"): (
        "present", ["dags/select_model.py:13 metric-gate-blocks-promotion"], []),
    ("deploy.model_gate", "absent-best-candidate-bar-only-logged"): ("absent", [], []),
    ("deploy.model_gate", "absent-search-score-only-printed"): ("absent", [], []),
    ("deploy.model_gate", "present-sagemaker-condition"): ("present", ['pipeline.py:4 pipeline-condition-on-metric'], []),
    # a score / IoU threshold argument kept in its range (`0.0 <= t <= 1.0`) judges no model; a
    # metric between the release bar and 1.0 does
    ("deploy.model_gate", "absent-threshold-argument-range-check"): ("absent", [], []),
    ("deploy.model_gate", "present-metric-between-bar-and-one"): (
        "present", ["scripts/evaluate_candidate.py:12 metric-gate-blocks-promotion"], []),
    ("deploy.model_gate", "present-threshold-raise"): ("present", ['pipeline/evaluate.py:7 metric-gate-blocks-promotion'], []),
    ("deploy.model_gate", "present-threshold-skips-promotion"): ("present", ['release/refresh.py:12 metric-gate-blocks-promotion'], []),
    ("deploy.model_gate", "absent-threshold-skips-report"): ("absent", [], []),
    ("deploy.model_gate", "present-short-metric-name-gate"): ("present", ['pipeline/evaluate.py:8 metric-gate-blocks-promotion'], []),
    ("deploy.model_gate", "absent-resource-limits-not-metrics"): ("absent", [], []),
    # One experiment drawn per request by its configured weight: an online A/B split.
    ("deploy.progressive", "present-weighted-experiment-draw"): (
        "present", ["recs/experiments.py:21 weighted-draw-routes-variants"], []),
    # Weighted draws of many assignments at once (k=, size=) to size a test, not routing.
    ("deploy.progressive", "absent-weighted-sample-draws"): ("absent", [], []),
    ("deploy.progressive", "present-random-champion-challenger-split"): (
        "present", ["server.py:13 random-split-routes-models"], []),
    ("deploy.progressive", "absent-random-request-sampling"): ("absent", [], []),
    ("deploy.progressive", "absent-champion-comment-single-variant"): ("absent", [], []),
    ("deploy.progressive", "present-random-canary-router"): (
        "present", ["serving/router.py:15 random-draw-routes-canary"], []),
    ("deploy.progressive", "present-hash-bucket-ab-router"): ("present", ['serving/assign.py:4 hash-bucket-routes-variants'], []),
    ("deploy.progressive", "absent-hash-dataset-split"): ("absent", [], []),
    ("deploy.progressive", "absent-random-traffic-simulator"): ("absent", [], []),
    ("deploy.progressive", "present-percent-canary-router"): (
        "present", ["app/services/router.py:13 random-draw-routes-canary"], []),
    ("deploy.progressive", "absent-percent-draw-augmentation"): ("absent", [], []),
    ("deploy.progressive", "absent-single-deployment"): ("absent", [], []),
    ("deploy.progressive", "absent-single-variant"): ("absent", [], []),
    ("deploy.progressive", "present-argo-rollout"): ("present", ['k8s/rollout.yaml:7 argo-rollout-strategy'], []),
    ("deploy.progressive", "present-azureml-traffic"): ("present", ['deploy.py:5 endpoint-traffic-split'], []),
    # A split between two deployments; an empty split (undeploy) or one deployment taking all
    # the traffic splits nothing.
    ("deploy.progressive", "present-vertex-canary-split"): (
        "present", ['rollout.py:10 endpoint-traffic-split'], []),
    ("deploy.progressive", "absent-vertex-single-deployment-traffic"): ("absent", [], []),
    ("deploy.progressive", "present-istio-weights"): ("present", ['k8s/virtual-service.yaml:10 mesh-traffic-weights'], []),
    # One route taking all the traffic (weight: 100) splits nothing.
    ("deploy.progressive", "absent-istio-single-route"): ("absent", [], []),
    ("deploy.progressive", "present-sagemaker-variants"): ("present", ['deploy.py:7 sagemaker-variants-weighted'], []),
    ("deploy.registry", "present-wandb-registry-path"): (
        "present", [".gcp/cloudbuild_api.yaml:4 wandb-registry-artifact-used"], []),
    ("deploy.registry", "absent-wandb-artifact-no-registry"): ("absent", [], []),
    ("deploy.registry", "present-hopsworks-registry"): (
        "present", ["train.py:15 hopsworks-model-registered"], []),
    ("deploy.registry", "absent-hopsworks-feature-store-only"): ("absent", [], []),
    ("deploy.registry", "present-copier-conditional-step"): (
        "present", ["template/steps/{% if promotion %}promote_model.py{% endif %}:10 mlflow-model-registered"], []),
    ("deploy.registry", "absent-jinja-comment-only"): ("absent", [], []),
    ("deploy.registry", "present-zenml-register-step"): (
        "present", ["steps/trainer.py:9 other-registry-client-used"], []),
    ("deploy.registry", "absent-zenml-saver-step"): ("absent", [], []),
    ("deploy.registry", "absent-dataset-push"): ("absent", [], []),
    ("deploy.registry", "absent-log-model-only"): ("absent", [], ['requirements.txt:1 dependency-declared']),
    ("deploy.registry", "absent-plugin-registry"): ("absent", [], []),
    ("deploy.registry", "present-azureml-run-register"): ("present", ['register.py:4 model-registered-by-method'], []),
    ("deploy.registry", "present-azureml-register-wrapper"): ("present", ['publish.py:6 model-registered-by-method'], []),
    ("deploy.registry", "absent-own-registry-class"): ("absent", [], []),
    ("deploy.registry", "present-client-alias"): ("present", ['promote.py:4 mlflow-model-registered'], []),
    ("deploy.registry", "present-mlflow-register"): ("present", ['register.py:3 mlflow-model-registered'], []),
    ("deploy.registry", "present-push-to-hub"): ("present", ['train.py:4 model-pushed-to-hub'], []),
    ("deploy.registry", "present-unsloth-push-merged"): ("present", ['finetune.py:18 model-pushed-to-hub'], []),
    ("deploy.registry", "absent-unsloth-save-local"): ("absent", [], []),
    ("deploy.registry", "present-registered-model-name"): ("present", ['train.py:6 mlflow-model-logged-to-registry'], []),
    # Python 3.12 f-strings (the same quotes inside, a field spanning lines) do not stop the parse.
    ("deploy.registry", "present-py312-fstrings"): ("present", ["src/train.py:12 mlflow-model-logged-to-registry"], []),
    ("deploy.registry", "absent-py312-fstrings-log-only"): ("absent", [], []),
    # `mlflow models build-docker` run in CI: an image of the model with MLflow's scoring server.
    # The command only in the README, or commented out in the workflow, is not run.
    ("deploy.serving", "present-mlflow-build-docker-ci"): (
        "present", [".github/workflows/train.yml:16 mlflow-serving-image-built"], []),
    ("deploy.serving", "absent-mlflow-build-docker-not-run"): ("absent", [], []),
    ("deploy.serving", "present-databricks-endpoint"): (
        "present", ["deploy_model.py:6 databricks-serving-endpoint-configured"], []),
    ("deploy.serving", "absent-api-without-model"): ("absent", [], []),
    ("deploy.serving", "present-zenml-deployer-step"): (
        "present", ["steps/deploy.py:8 pipeline-model-deployer-step-called"], []),
    ("deploy.serving", "absent-zenml-register-step-only"): ("absent", [], []),
    ("deploy.serving", "absent-router-calls-project-db"): ("absent", [], []),
    # A recommender's route that names no model reaches it through the project's recommenders
    # module; a route recommending best sellers from SQL serves no model.
    ("deploy.serving", "present-route-calls-project-recommender"): (
        "present", ["newsrec/api/main.py:8 web-endpoint-serves-model"], []),
    ("deploy.serving", "absent-route-recommends-from-sql"): ("absent", [], []),
    ("deploy.serving", "absent-nested-app-service-without-model"): ("absent", [], []),
    ("deploy.serving", "present-nested-app-service-layer"): (
        "present", ["apps/scorer/src/scorer/routes.py:13 web-endpoint-serves-model"], []),
    ("deploy.serving", "absent-router-calls-commented-model-load"): ("absent", [], []),
    # a route running the detector the app holds in its state (`request.app.state.detector.detect`);
    # a module function of that name (langdetect.detect) serves no model
    ("deploy.serving", "present-router-runs-detector-on-app-state"): (
        "present", ["app/routers/v1.py:15 web-endpoint-serves-model"], []),
    ("deploy.serving", "absent-language-detect-route"): ("absent", [], []),
    ("deploy.serving", "present-router-calls-project-pipeline"): (
        "present", ["controller/prediction.py:8 web-endpoint-serves-model"], []),
    ("deploy.serving", "absent-batch-scoring"): ("absent", [], []),
    # An LLM application's API: the route calls the project's module that runs a chat model
    # (ChatOllama(...).invoke); an API that only indexes documents (embeddings) and a Gradio
    # chat demo stay out.
    ("deploy.serving", "present-rag-route-calls-llm-chain"): (
        "present", ["service/api.py:13 web-endpoint-serves-model"], []),
    ("deploy.serving", "absent-rag-api-indexes-only"): ("absent", [], []),
    ("deploy.serving", "absent-llm-chat-demo"): ("absent", [], []),
    # LLM serving frameworks: a chain served by LangServe's add_routes, graphs named in a
    # langgraph.json for the LangGraph server; a RemoteRunnable client and a graph invoked by a
    # script serve nothing.
    ("deploy.serving", "present-langserve-chain-routes"): ("present", ["app/server.py:8 langserve-routes-added"], []),
    ("deploy.serving", "absent-langserve-remote-client"): ("absent", [], []),
    ("deploy.serving", "present-langgraph-server-config"): ("present", ["langgraph.json:3 langgraph-server-configured"], []),
    ("deploy.serving", "absent-langgraph-graph-run-by-script"): ("absent", [], []),
    ("deploy.serving", "absent-gradio-demo"): ("absent", [], []),
    ("deploy.serving", "absent-http-client"): ("absent", [], []),
    ("deploy.serving", "absent-streamlit-demo"): ("absent", [], []),
    ("deploy.serving", "present-azureml-score"): ("present", ['scoring/score.py:12 managed-endpoint-handler-defined'], []),
    ("deploy.serving", "present-torchserve-custom-handler"): (
        "present", ['handler.py:28 torchserve-handler-defined', 'package.py:10 serving-framework-service-defined'], []),
    ("deploy.serving", "absent-event-handler"): ("absent", [], []),
    ("deploy.serving", "present-azureml-notebook-timed-cell"): ("present", ['deploy.ipynb:cell 3:line 2 cloud-endpoint-deployed'], []),
    ("deploy.serving", "present-bentoml"): ("present", ['service.py:4 serving-framework-service-defined'], []),
    ("deploy.serving", "present-fastapi-predict"): ("present", ['app/main.py:8 web-endpoint-serves-model'], []),
    ("deploy.serving", "present-flask-route-variable"): ("present", ['api/restapi.py:9 web-endpoint-serves-model'], []),
    ("deploy.serving", "present-kserve-manifest"): ("present", ['k8s/isvc.yaml:2 serving-manifest-defined'], []),
    ("deploy.serving", "present-inference-pool-manifest"): ("present", ["deploy/inference.yaml:2 serving-manifest-defined"], []),
    ("deploy.serving", "absent-gateway-route-to-web-service"): ("absent", [], []),
    ("deploy.serving", "present-hopsworks-deployment"): (
        "present", ["deploy_model.py:10 hopsworks-model-deployed"], []),
    ("deploy.serving", "absent-hopsworks-batch-inference"): ("absent", [], []),
    ("deploy.serving", "present-hopsworks-predictor"): ("present", ["serve.py:7 hopsworks-model-serving-used"], []),
    ("deploy.serving", "absent-paddle-predictor"): ("absent", [], []),
    ("deploy.training_pipeline", "present-mage-pipeline"): (
        "present", ["ml/pipelines/training/metadata.yaml:8 mage-pipeline-trains"], []),
    ("deploy.training_pipeline", "present-databricks-job"): ("present", ["databricks.yml:12 databricks-job-trains"], []),
    ("deploy.training_pipeline", "present-terraform-databricks-job"): (
        "present", ["infra/jobs.tf:22 terraform-databricks-job-trains"], []),
    ("deploy.training_pipeline", "absent-terraform-databricks-etl-job"): ("absent", [], []),
    ("deploy.training_pipeline", "present-databricks-job-payload"): (
        "present", ["RUNME.py:23 databricks-job-payload-trains"], []),
    ("deploy.training_pipeline", "absent-databricks-job-payload-etl"): ("absent", [], []),
    ("deploy.training_pipeline", "absent-databricks-etl-job"): ("absent", [], []),
    ("deploy.training_pipeline", "absent-ci-smoke-test"): ("absent", [], []),
    # A CI job running a script named for launching training (run_lora_training.py), inside a
    # container; the same script run for one step (--max-steps 1 on a continuation line) and a
    # script preparing the training data stay out.
    ("deploy.training_pipeline", "present-ci-runs-launch-script"): (
        "present", [".github/workflows/finetune.yml:15 ci-job-trains"], []),
    ("deploy.training_pipeline", "absent-ci-launch-script-dry-run"): ("absent", [], []),
    ("deploy.training_pipeline", "absent-etl-flow"): ("absent", [], []),
    ("deploy.training_pipeline", "absent-script-only"): ("absent", [], []),
    ("deploy.training_pipeline", "present-airflow-dag"): ("present", ['dags/retrain.py:6 orchestrated-pipeline-trains'], []),
    ("deploy.training_pipeline", "present-dagster-asset-trains"): ("present", ['forecasting/assets.py:7 orchestrated-pipeline-trains'], []),
    ("deploy.training_pipeline", "absent-dagster-assets-etl"): ("absent", [], []),
    # A task id in snake_case (train_model) names a training task; training_data does not.
    ("deploy.training_pipeline", "present-airflow-container-tasks"): (
        "present", ["dags/churn_pipeline.py:8 orchestrated-pipeline-trains"], []),
    ("deploy.training_pipeline", "absent-airflow-training-data-export"): ("absent", [], []),
    ("deploy.training_pipeline", "present-ci-module-with-entry-point"): ("present", [".github/workflows/refresh.yml:12 ci-job-trains"], []),
    ("deploy.training_pipeline", "absent-ci-module-defines-only"): ("absent", [], []),
    # A project.yml workflow runs spacy train; a training command no workflow runs is a shortcut.
    ("deploy.training_pipeline", "present-spacy-project-workflow"): ("present", ["project.yml:22 project-workflow-trains"], []),
    ("deploy.training_pipeline", "absent-spacy-train-outside-workflow"): ("absent", [], []),
    ("deploy.training_pipeline", "present-ci-trains"): ("present", ['.github/workflows/train.yml:9 ci-job-trains'], []),
    # a job handing an organisation's shared pipeline (a reusable workflow of another repository)
    # the training command, here as the default of the dispatch input it forwards; an evaluation
    # command handed the same way is not training
    ("deploy.training_pipeline", "present-ci-shared-pipeline-training-command"): (
        "present", [".github/workflows/retrain.yml:13 ci-job-trains"], []),
    ("deploy.training_pipeline", "absent-ci-shared-pipeline-evaluation-command"): ("absent", [], []),
    # A job named for tests and training trains; a job named for tests only runs an example.
    ("deploy.training_pipeline", "present-ci-test-and-train-job"): ("present", [".github/workflows/pipeline.yml:14 ci-job-trains"], []),
    ("deploy.training_pipeline", "absent-ci-tests-job-trains"): ("absent", [], []),
    # A notebook a CI job executes (ipython, papermill, nbconvert --execute) that trains through
    # the project's module; rendering a notebook, or executing it in a test job, is no pipeline.
    ("deploy.training_pipeline", "present-ci-runs-training-notebook"): (
        "present", [".github/workflows/ml-pipelines.yml:21 ci-job-trains"], []),
    ("deploy.training_pipeline", "absent-ci-notebooks-rendered-or-tested"): ("absent", [], []),
    # A stage that preprocesses the training data, with a preprocessing script, does not train.
    ("deploy.training_pipeline", "absent-dvc-prepares-training-data"): ("absent", [], []),
    # A scheduled workflow running a script named for nothing (scripts/weekly.py) that calls a
    # project function which calls another that fits: training through the project's code. A
    # nightly script calling project code that only loads a model class and scores stays out.
    ("deploy.training_pipeline", "present-ci-script-calls-project-training"): (
        "present", [".github/workflows/weekly.yml:11 ci-job-trains"], []),
    ("deploy.training_pipeline", "absent-ci-script-calls-project-scoring"): ("absent", [], []),
    # A stage named for something else running a script named for training after a qualifier
    # (model_training.py); a script splitting the training set (split_train.py) prepares data.
    ("deploy.training_pipeline", "present-dvc-stage-runs-model-training-script"): (
        "present", ["dvc.yaml:2 dvc-stage-trains"], []),
    ("deploy.training_pipeline", "absent-dvc-stage-splits-training-set"): ("absent", [], []),
    ("deploy.training_pipeline", "present-dvc-train-stage"): ("present", ['dvc.yaml:2 dvc-stage-trains'], []),
    ("deploy.training_pipeline", "present-kfp-pipeline"): ("present", ['pipeline.py:9 orchestrated-pipeline-trains'], []),
    ("deploy.training_pipeline", "present-metaflow"): ("present", ['flow.py:4 orchestrated-pipeline-trains'], []),
    ("deploy.training_pipeline", "present-pipeline-imported-step-trains"): (
        "present", ["pipelines/price_pipeline.py:7 orchestrated-pipeline-trains"], []),
    ("deploy.training_pipeline", "absent-pipeline-imported-steps-prepare"): ("absent", [], []),
}


@pytest.mark.parametrize(("practice", "case"), sorted(CASES), ids=lambda x: x)
def test_fixture(scan, practice, case):
    check_case(scan, CASES, practice, case)


@pytest.mark.parametrize("practice", ["deploy.ci", "deploy.cd", "deploy.container", "deploy.serving", "deploy.registry", "deploy.training_pipeline", "deploy.iac", "deploy.model_gate", "deploy.progressive"])
def test_every_fixture_folder_has_a_case(practice):
    check_fixture_folders(CASES, practice)


def _observe(scan, tmp_path, files: dict[str, str], practice: str) -> list[str]:
    from helpers import write

    for rel, text in files.items():
        write(tmp_path / rel, text)
    return [describe(e) for e in scan(tmp_path)[practice].evidence]


def test_azure_template_runs_on_its_includers_triggers(scan, tmp_path):
    template = "steps:\n- script: pytest\n"
    manual = "trigger: none\npr: none\nsteps:\n- template: checks.yml\n"
    assert _observe(scan, tmp_path, {".pipelines/checks.yml": template, ".pipelines/manual.yml": manual}, "deploy.ci") == []
    on_push = "trigger:\n  branches:\n    include: [main]\nsteps:\n- template: checks.yml\n"
    assert _observe(scan, tmp_path, {".pipelines/ci.yml": on_push}, "deploy.ci") == [
        ".pipelines/checks.yml:2 ci-runs-checks-on-change"]


def test_reusable_workflow_runs_on_its_callers_triggers(scan, tmp_path):
    called = "on:\n  workflow_call:\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: tox -e py311\n"
    caller = "on: [pull_request]\njobs:\n  call:\n    uses: ./.github/workflows/tests.yml\n"
    assert _observe(scan, tmp_path, {".github/workflows/tests.yml": called}, "deploy.ci") == []
    assert _observe(scan, tmp_path, {".github/workflows/pr.yml": caller}, "deploy.ci") == [
        ".github/workflows/tests.yml:7 ci-runs-checks-on-change"]


def test_ci_follows_scripts_and_reports_the_ci_line(scan, tmp_path):
    files = {
        ".github/workflows/ci.yml": "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./scripts/check.sh\n",
        "scripts/check.sh": "#!/bin/sh\nset -e\nmypy src\n",
    }
    (ev,) = scan_evidence(scan, tmp_path, files, "deploy.ci")
    assert (ev.location, ev.message) == (".github/workflows/ci.yml:6", "CI runs mypy on change (via scripts/check.sh)")


def test_job_bound_to_a_production_environment_deploys(scan, tmp_path):
    wf = ("on:\n  push:\n    branches: [main]\njobs:\n  release:\n    runs-on: ubuntu-latest\n    environment: production\n"
          "    steps:\n      - run: ./release.sh\n")
    assert _observe(scan, tmp_path, {".github/workflows/cd.yml": wf}, "deploy.cd") == [
        ".github/workflows/cd.yml:5 pipeline-deploys-service"]


def scan_evidence(scan, tmp_path, files, practice):
    from helpers import write

    for rel, text in files.items():
        write(tmp_path / rel, text)
    return scan(tmp_path)[practice].evidence
