"""dev dimension detectors against their fixture repositories: exact evidence, near misses."""

from __future__ import annotations

import pytest
from scan_helpers import check_case, check_fixture_folders, describe

# (practice, fixture case) -> (status, evidence, dependency-only evidence)
CASES: dict[tuple[str, str], tuple[str, list[str], list[str]]] = {
    # A spaCy training config configures the training; a trained pipeline's saved copy does not.
    # A training script whose config node comes from a file and the command line; a demo that
    # merges a config only to run a predictor stays out.
    ("dev.config", "present-config-node-training"): ("present", ["tools/train_net.py:9 config-node-overridden-for-training"], []),
    ("dev.config", "absent-config-node-demo"): ("absent", [], []),
    ("dev.config", "present-spacy-training-config"): ("present", ["configs/config.cfg:15 spacy-training-config"], []),
    ("dev.config", "absent-spacy-saved-pipeline-config"): ("absent", [], []),
    ("dev.config", "present-defaults-dict"): ("present", ["scripts/train.py:7 cli-options-from-hyperparameter-defaults"], []),
    # Hyperparameters as fields of a pydantic-settings class, set per run from the environment or
    # .env; a service's settings class, or hyperparameters fixed in a dataclass, configure nothing.
    ("dev.config", "present-settings-class-hyperparameters"): (
        "present", ["recsys/config.py:12 settings-hyperparameters-declared"], []),
    ("dev.config", "absent-settings-class-service-only"): ("absent", [], []),
    ("dev.config", "absent-defaults-dict-no-cli"): ("absent", [], []),
    ("dev.config", "present-cli-calls-project-training"): ("present", ["risk/cli.py:7 cli-settings-passed-to-training"], []),
    ("dev.config", "absent-cli-calls-project-data-step"): ("absent", [], []),
    # PyCaret's setup(log_experiment=True) logs every model to MLflow; log_experiment=False does not.
    ("dev.experiment_tracking", "present-pycaret-log-experiment"): ("present", ["train.py:5 pycaret-experiment-logged"], []),
    ("dev.experiment_tracking", "absent-pycaret-log-experiment-off"): ("absent", [], []),
    ("dev.experiment_tracking", "present-ultralytics-mlflow-setting"): (
        "present", ["src/train_detector.py:6 ultralytics-tracker-enabled"], []),
    # trackers switched off, or switched on only in a comment
    ("dev.experiment_tracking", "absent-ultralytics-tracker-off"): ("absent", [], []),
    ("dev.experiment_tracking", "present-mlflow-recipe"): ("present", ["recipe.yaml:2 mlflow-recipe-tracked"], []),
    ("dev.experiment_tracking", "present-sagemaker-experiment-config"): (
        "present", ["pipeline/train.py:7 training-job-joins-experiment"], []),
    ("dev.experiment_tracking", "absent-sagemaker-fit-no-experiment"): ("absent", [], []),
    ("dev.experiment_tracking", "present-project-template-file"): (
        "present", ["template/{{.project}}/training/train.py.tmpl:11 mlflow-run-logged"], []),
    ("dev.experiment_tracking", "absent-template-without-file-type"): ("absent", [], []),
    ("dev.config", "present-mlflow-recipe"): ("present", ["recipe.yaml:2 mlflow-recipe-configured"], []),
    ("dev.hpo", "present-vertex-tuning-job"): ("present", ["pipeline/tune.py:7 hpo-library-search-run"], []),
    ("dev.hpo", "absent-vertex-custom-job"): ("absent", [], []),
    ("dev.hpo", "present-azureml-hyperdrive"): ("present", ["aml/sweep.py:6 hpo-library-search-run"], []),
    ("dev.code_quality", "present-makefile-format"): ("present", ["Makefile:5 makefile-runs-linter"], []),
    ("dev.code_quality", "absent-makefile-no-linter"): ("absent", [], ["requirements.txt:2 dependency-declared"]),
    # pytest run with linter plugins (--flake8 --pylint) by a make target, its recipe inside an
    # ifneq block; the same target running pytest with coverage only lints nothing.
    ("dev.code_quality", "present-makefile-pytest-lint-plugin"): (
        "present", ["Makefile:5 makefile-runs-linter"], []),
    ("dev.code_quality", "absent-makefile-pytest-no-lint-plugin"): ("absent", [], []),
    ("dev.experiment_tracking", "present-kedro-mlflow-yml"): ("present", ["conf/local/mlflow.yml:2 kedro-mlflow-configured"], []),
    ("dev.config", "present-kedro-parameters"): ("present", ["conf/base/parameters.yml:2 kedro-parameters-defined"], []),
    ("dev.config", "absent-kedro-empty-parameters"): ("absent", [], []),
    ("dev.config", "present-zenml-run-config"): (
        "present", ["configs/training.yaml:5 pipeline-run-config-parameters"], []),
    ("dev.config", "absent-zenml-settings-only-config"): ("absent", [], []),
    ("dev.config", "present-dagster-run-config-hyperparameters"): (
        "present", ["pipeline/assets/training.py:5 orchestrator-config-hyperparameters"], []),
    ("dev.config", "absent-dagster-data-asset-config"): ("absent", [], []),
    ("dev.config", "present-launch-script-library-trainer"): (
        "present", ["scripts/pretrain_small.sh:4 launch-script-sets-hyperparameters"], []),
    ("dev.config", "absent-launch-script-evaluates-checkpoint"): ("absent", [], []),
    ("dev.experiment_tracking", "present-kedro-mlflow-catalog"): (
        "present", ["conf/base/catalog.yml:6 kedro-mlflow-datasets-logged"], []),
    ("dev.tests", "absent-kedro-template-test"): ("absent", [], []),
    ("dev.tests", "absent-kedro-empty-run-test"): ("absent", [], []),
    # Kedro 0.18's template test of the project path (`== Path.cwd()`) is scaffolding too; a test
    # handing the context's path to the project's own code tests the project.
    ("dev.tests", "absent-kedro-template-path-test"): ("absent", [], []),
    ("dev.tests", "present-kedro-context-feeds-project-code"): ("present", ["src/tests/test_run.py:15 project-tests-defined"], []),
    ("dev.tests", "present-kedro-node-test-beside-template"): (
        "present", ["tests/pipelines/test_nodes.py:6 project-tests-defined"], []),
    ("dev.tests", "absent-vendored-library-tests"): ("absent", [], []),
    ("dev.tests", "absent-repo-copied-into-package"): ("absent", [], []),
    ("dev.tests", "present-component-with-own-readme"): (
        "present", ["services/scorer/tests/test_scoring.py:4 project-tests-defined"], []),
    ("dev.experiment_tracking", "present-mlflow-alias"): ("present", ["src/train.py:8 mlflow-run-logged"], []),
    ("dev.experiment_tracking", "present-mlflow-from-import"): ("present", ["train.py:7 mlflow-run-logged"], []),
    ("dev.experiment_tracking", "present-wandb-notebook"): (
        "present", ["notebooks/explore.ipynb:cell 3:line 2 wandb-run-logged"], []),
    ("dev.experiment_tracking", "present-hydra-logger-config"): (
        "present", ["configs/logger/wandb.yaml:3 tracker-logger-configured"], []),
    ("dev.experiment_tracking", "present-logger-target-in-defaults"): (
        "present", ["main.py:14 tracker-logger-configured"], []),
    ("dev.experiment_tracking", "absent-csv-logger-target"): ("absent", [], []),
    ("dev.experiment_tracking", "absent-vendored-library-logger"): ("absent", [], []),
    ("dev.experiment_tracking", "present-hf-report-to"): ("present", ["finetune.py:3 hf-trainer-reports-to-tracker"], []),
    ("dev.experiment_tracking", "present-hf-report-to-when-enabled"): (
        "present", ["finetune.py:12 trainer-reports-to-tracker-when-enabled"], []),
    ("dev.experiment_tracking", "absent-hf-report-to-none"): ("absent", [], []),
    # a script that sets its MLflow experiment and trains a Trainer left at the default report_to
    # logs through the Trainer's MLflow callback; report_to="none" sends nothing there
    ("dev.experiment_tracking", "present-hf-trainer-in-mlflow-experiment"): (
        "present", ["src/finetune.py:7 hf-trainer-logs-to-mlflow-experiment"], []),
    ("dev.experiment_tracking", "absent-hf-trainer-in-mlflow-experiment-report-none"): ("absent", [], []),
    ("dev.experiment_tracking", "present-yaml-recipe-report-to"): (
        "present", ["configs/ner.yaml:8 training-recipe-reports-to-tracker"], []),
    ("dev.experiment_tracking", "absent-yaml-recipe-report-to-none"): ("absent", [], []),
    ("dev.experiment_tracking", "present-azureml-run"): ("present", ["train_aml.py:6 azureml-run-logged"], []),
    ("dev.experiment_tracking", "present-ray-callback"): ("present", ["train.py:9 tracker-callback-used"], []),
    ("dev.experiment_tracking", "present-kfp-metrics-artifact"): (
        "present", ["components/evaluate.py:10 kfp-metrics-artifact-logged"], []),
    ("dev.experiment_tracking", "absent-kfp-metrics-unlogged"): ("absent", [], []),
    ("dev.experiment_tracking", "absent-dependency-only"): ("absent", [], ["requirements.txt:2 dependency-declared"]),
    ("dev.experiment_tracking", "absent-tests-only"): ("absent", [], []),
    # The legacy neptune-cli context whose channels receive the run's metrics; a project's own
    # Context class with the same method names, beside neptune-cli in requirements, is not Neptune.
    ("dev.experiment_tracking", "present-neptune-legacy-context"): ("present", ["src/monitoring.py:3 neptune-run-logged"], []),
    ("dev.experiment_tracking", "absent-neptune-cli-local-context"): ("absent", [], ["requirements.txt:2 dependency-declared"]),
    ("dev.experiment_tracking", "absent-tracker-in-test-data"): ("absent", [], []),
    ("dev.experiment_tracking", "absent-csv-logger"): ("absent", [], []),
    ("dev.experiment_tracking", "present-coqui-dashboard-logger"): ("present", ["recipes/ljspeech/train_glowtts.py:9 coqui-trainer-dashboard-logger"], []),
    ("dev.experiment_tracking", "absent-coqui-config-default-logger"): ("absent", [], []),
    # The pinned requirements file installed by the Dockerfile, which also installs numpy and
    # scikit-learn without versions: the file is not what installs the environment; upgrading
    # pip / setuptools and pinned extra installs beside it leave it so.
    ("dev.pinned_env", "absent-pinned-file-beside-unpinned-installs"): ("absent", [], []),
    ("dev.pinned_env", "present-pinned-file-beside-pip-upgrade"): ("present", ["requirements.txt:1 environment-pinned"], []),
    ("dev.pinned_env", "present-poetry-lock"): ("present", ["poetry.lock environment-pinned"], []),
    # An R project's renv.lock pins its environment as a Python lock file does; renv settings alone do not.
    ("dev.pinned_env", "present-renv-lock"): ("present", ["renv.lock environment-pinned"], []),
    ("dev.pinned_env", "absent-renv-settings-only"): ("absent", [], []),
    # Read with a small size cap in test_lock_file_over_size_cap_still_pins.
    ("dev.pinned_env", "present-lock-over-size-cap"): ("present", ["pixi.lock environment-pinned"], []),
    ("dev.pinned_env", "absent-example-lock-over-size-cap"): ("absent", [], []),
    ("dev.pinned_env", "present-root-and-nested-lock"): ("present", ["uv.lock environment-pinned"], []),
    ("dev.pinned_env", "present-pinned-requirements"): ("present", ["requirements.txt:3 environment-pinned"], []),
    ("dev.pinned_env", "present-conda-env"): ("present", ["environment.yml:5 environment-pinned"], []),
    ("dev.pinned_env", "present-utf16-freeze"): ("present", ["requirements.txt:1 environment-pinned"], []),
    ("dev.pinned_env", "absent-one-unpinned"): ("absent", [], []),
    ("dev.pinned_env", "present-vcs-dependency-at-commit"): ("present", ["requirements.txt:1 environment-pinned"], []),
    ("dev.pinned_env", "absent-vcs-dependency-at-branch"): ("absent", [], []),
    ("dev.pinned_env", "absent-dev-pinned-only"): ("absent", [], []),
    ("dev.pinned_env", "absent-pinned-extras-only"): ("absent", [], []),
    ("dev.pinned_env", "present-pinned-base-and-extras"): ("present", ["requirements.txt:1 environment-pinned"], []),
    ("dev.pinned_env", "absent-docs-only"): ("absent", [], []),
    ("dev.pinned_env", "absent-demo-pinned-only"): ("absent", [], []),
    ("dev.pinned_env", "absent-pinned-notebooks-addon"): ("absent", [], []),
    ("dev.pinned_env", "present-pinned-base-and-notebooks"): ("present", ["requirements.txt:1 environment-pinned"], []),
    ("dev.pinned_env", "present-pinned-root-beside-demo"): ("present", ["requirements.txt:1 environment-pinned"], []),
    ("dev.pinned_env", "absent-conda-unversioned"): ("absent", [], []),
    ("dev.pinned_env", "present-pyproject-pinned"): ("present", ["pyproject.toml:10 environment-pinned"], []),
    ("dev.pinned_env", "absent-pyproject-one-range"): ("absent", [], []),
    ("dev.pinned_env", "absent-mlruns-model-requirements"): ("absent", [], []),
    ("dev.pinned_env", "absent-conda-env-unpinned-pip-file"): ("absent", [], []),
    ("dev.pinned_env", "absent-conda-python-only"): ("absent", [], []),
    ("dev.pinned_env", "present-conda-env-pinned-pip-file"): ("present", ["requirements/base.txt:2 environment-pinned"], []),
    ("dev.code_quality", "present-ruff-pyproject"): ("present", ["pyproject.toml:5 linter-configured-in-pyproject"], []),
    ("dev.code_quality", "present-flake8-file"): ("present", [".flake8:1 linter-config-file-present"], []),
    ("dev.code_quality", "present-ci-lint"): ("present", [".github/workflows/lint.yml:12 ci-runs-linter"], []),
    ("dev.code_quality", "present-ci-lint-action-by-name"): ("present", [".github/workflows/style.yml:10 ci-runs-linter"], []),
    ("dev.code_quality", "absent-ci-setup-linter-action-only"): ("absent", [], []),
    ("dev.code_quality", "present-ci-lint-after-version"): ("present", ['.github/workflows/ci.yml:13 ci-runs-linter'], []),
    ("dev.code_quality", "absent-ci-linter-version-only"): ("absent", [], []),
    ("dev.code_quality", "present-ci-lint-script"): (
        "present", [".github/workflows/checks.yml:10 ci-script-runs-linter"], []),
    ("dev.code_quality", "absent-ci-script-installs-linters"): ("absent", [], []),
    ("dev.code_quality", "present-ci-lint-in-container"): ("present", [".github/workflows/ci.yml:17 ci-runs-linter"], []),
    # linters installed in the image, and a report file named for one, lint nothing
    ("dev.code_quality", "absent-ci-container-installs-linter"): ("absent", [], []),
    ("dev.code_quality", "present-ci-pytest-lint-plugin"): (
        "present", [".github/workflows/checks.yml:13 ci-runs-linter"], []),
    ("dev.code_quality", "absent-ci-pytest-no-lint-plugin"): ("absent", [], []),
    ("dev.code_quality", "absent-dependency-only"): ("absent", [], ["requirements-dev.txt:2 dependency-declared"]),
    ("dev.code_quality", "absent-editorconfig"): ("absent", [], []),
    ("dev.tests", "present-pytest"): ("present", ["tests/test_features.py:4 project-tests-defined"], []),
    # JUnit tests of the Android app running the model; the IDE's generated placeholders do not count.
    ("dev.tests", "present-android-junit"): (
        "present", ["android/app/src/test/java/org/example/leafscan/LabelDecoderTest.java:10 jvm-unit-tests-defined"], []),
    ("dev.tests", "absent-android-ide-placeholders"): ("absent", [], []),
    ("dev.tests", "present-unittest"): ("present", ["pkg/tests/test_data.py:8 project-tests-defined"], []),
    ("dev.tests", "absent-empty-init"): ("absent", [], []),
    ("dev.tests", "absent-placeholder"): ("absent", [], []),
    ("dev.tests", "absent-hand-run-request-script"): ("absent", [], []),
    # A project template's tests to be replaced (one failing on purpose, one importing the
    # package) and the endpoint smoke script a deploy stage runs with python: no tests yet.
    ("dev.tests", "absent-template-failing-placeholder"): ("absent", [], []),
    ("dev.tests", "present-real-test-beside-failing-placeholder"): (
        "present", ["tests/test_pipelines.py:11 project-tests-defined"], []),
    ("dev.tests", "present-script-with-asserts"): ("present", ["scripts/test_features.py:4 project-tests-defined"], []),
    # a test_*.py script whose check functions assert on the project's code and that a CI job
    # runs (from the job's working directory); the same script nothing runs is left to a hand
    ("dev.tests", "present-ci-runs-assert-script"): (
        "present", ["planner/sim/test_mutate_ops.py:5 project-tests-defined"], []),
    ("dev.tests", "absent-assert-script-not-in-ci"): ("absent", [], []),
    ("dev.modular_code", "present-torch-module"): ("present", ["src/net.py:6 training-code-in-module"], []),
    # A model factory builds the estimators the notebooks fit; an estimator built for a chart's
    # trend line is not model code.
    ("dev.modular_code", "present-model-factory"): ("present", ["src/models.py:8 estimator-built-in-module"], []),
    ("dev.modular_code", "absent-estimator-for-scatter-trend"): ("absent", [], []),
    # The project's trained spaCy pipeline loaded from its path and run; a published pipeline
    # used to lemmatize text is a tool, not the project's model.
    ("dev.modular_code", "present-spacy-trained-pipeline-served"): ("present", ["app.py:5 inference-code-in-module"], []),
    ("dev.modular_code", "absent-spacy-published-pipeline-lemmas"): ("absent", [], []),
    ("dev.modular_code", "present-sklearn-script"): ("present", ["scripts/train.py:7 training-code-in-module"], []),
    # A Spark job building a model estimator and fitting it; a Spark ETL job fitting only
    # feature transformers (indexers, encoders) builds no model.
    ("dev.modular_code", "present-spark-ml-training"): ("present", ["jobs/train_churn.py:8 training-code-in-module"], []),
    ("dev.modular_code", "absent-spark-feature-indexing"): ("absent", [], []),
    # PyCaret training through its star import, and a FastAPI module running a saved PyCaret
    # pipeline with predict_model; setup() alone to look at the transformed data trains nothing.
    ("dev.modular_code", "present-pycaret-training-script"): ("present", ["train.py:6 training-code-in-module"], []),
    ("dev.modular_code", "present-pycaret-inference-api"): ("present", ["api/main.py:6 inference-code-in-module"], []),
    ("dev.modular_code", "absent-pycaret-setup-eda-only"): ("absent", [], []),
    ("dev.modular_code", "present-inference-wrapper"): ("present", ["src/model/inference.py:7 inference-code-in-module"], []),
    ("dev.modular_code", "present-pretrained-keras-app"): ("present", ["app.py:6 inference-code-in-module"], []),
    ("dev.modular_code", "present-opencv-dnn-detector"): ("present", ["detect.py:7 inference-code-in-module"], []),
    ("dev.modular_code", "present-ultralytics-trainer"): ("present", ["src/trainer.py:15 training-code-in-module"], []),
    ("dev.modular_code", "present-ultralytics-detector-api"): ("present", ["app.py:8 inference-code-in-module"], []),
    ("dev.modular_code", "present-ultralytics-subpackage-import"): ("present", ["src/counter/detect.py:10 inference-code-in-module"], []),
    ("dev.modular_code", "absent-ultralytics-dataset-helpers-only"): ("absent", [], []),
    # A model run on a device by the TFLite interpreter, a Hugging Face pipeline called by a
    # prediction function; a tokenizer loaded with from_pretrained is no model.
    ("dev.modular_code", "present-tflite-interpreter"): ("present", ["device/classify.py:7 inference-code-in-module"], []),
    ("dev.modular_code", "present-hf-pipeline-handler"): ("present", ["jobs/scorer.py:9 inference-code-in-module"], []),
    ("dev.modular_code", "absent-tokenizer-only"): ("absent", [], []),
    # The model of an LLM application is a chat model client the module builds and runs
    # (a chain's invoke); a module that only names the chat model and embeds text is not.
    ("dev.modular_code", "present-llm-chain-module"): ("present", ["app/answer.py:8 llm-client-built-in-module"], []),
    ("dev.modular_code", "absent-llm-settings-only"): ("absent", [], []),
    # A factory module building the LLM (LlamaIndex Settings.llm = Ollama(...)) that the
    # project's query code uses.
    ("dev.modular_code", "present-llm-client-factory"): ("present", ["app/engine/models.py:6 llm-client-built-in-module"], []),
    # A Hugging Face model run by calling it (`model(**batch)`); one only loaded and saved is not run.
    ("dev.modular_code", "present-hf-model-called"): ("present", ["encoder/embed.py:5 inference-code-in-module"], []),
    ("dev.modular_code", "absent-hf-model-saved-only"): ("absent", [], []),
    # model.train(mode=...) switches torch's training mode, it does not train
    ("dev.modular_code", "absent-torch-train-mode"): ("absent", [], []),
    ("dev.modular_code", "absent-keras-preprocess-only"): ("absent", [], []),
    ("dev.modular_code", "absent-loads-data-only"): ("absent", [], []),
    ("dev.modular_code", "absent-lightning-datamodule-only"): ("absent", [], []),
    ("dev.modular_code", "absent-notebook-export"): ("absent", [], []),
    ("dev.modular_code", "absent-notebook-only"): ("absent", [], []),
    ("dev.modular_code", "absent-plotting-helper"): ("absent", [], []),
    ("dev.modular_code", "absent-fit-inside-plot-helper"): ("absent", [], []),
    ("dev.modular_code", "present-train-beside-plot-helper"): ("present", ["src/model.py:12 training-code-in-module"], []),
    ("dev.modular_code", "present-torch-head-on-backbone"): ("present", ["app/classifier.py:11 training-code-in-module"], []),
    ("dev.modular_code", "absent-architecture-plot-helper"): ("absent", [], []),
    # A from-scratch network trained by functions (params[k] - learning_rate * grads["d" + k]);
    # the same update in an nbconvert export of a notebook is no module.
    ("dev.modular_code", "present-numpy-gradient-descent-functions"): (
        "present", ["nn/layers.py:11 gradient-descent-step-in-module"], []),
    ("dev.modular_code", "absent-gradient-descent-notebook-export"): ("absent", [], []),
    ("dev.modular_code", "present-numpy-model-class"): ("present", ["mlcourse/perceptron.py:4 model-class-from-scratch"], []),
    ("dev.modular_code", "absent-model-interface-only"): ("absent", [], []),
    ("dev.modular_code", "present-rl-agent-learns"): ("present", ["agents/run_agent.py:16 training-code-in-module"], []),
    ("dev.modular_code", "absent-rl-env-and-callback-only"): ("absent", [], []),
    ("dev.modular_code", "present-speech-model-transcriber"): ("present", ["service/transcriber.py:10 inference-code-in-module"], []),
    ("dev.modular_code", "absent-hosted-transcription-api"): ("absent", [], []),
    ("dev.modular_code", "present-rllib-config-built-and-trained"): ("present", ["agents/train_router.py:8 rllib-agent-trained"], []),
    ("dev.modular_code", "present-rllib-tune-run-by-name"): ("present", ["run_rescue.py:8 rllib-agent-trained"], []),
    ("dev.modular_code", "absent-rllib-env-registration-only"): ("absent", [], []),
    ("dev.config", "present-hydra"): ("present", ["train.py:5 hydra-config-used"], []),
    ("dev.config", "present-argparse-hparams"): ("present", ["train.py:7 cli-hyperparameters-declared"], []),
    ("dev.config", "present-argparse-hyperparameters-json"): (
        "present", ["src/worker/train_model.py:11 cli-hyperparameters-declared"], []),
    # params.yaml only listed in dvc.yaml and the README: the training script hard-codes its settings
    ("dev.config", "present-params-passed-in-dvc-cmd"): ("present", ["params.yaml:1 params-file-present"], []),
    ("dev.config", "absent-params-never-read"): ("absent", [], []),
    ("dev.config", "present-params-yaml"): ("present", ["params.yaml:1 params-file-present"], []),
    ("dev.config", "absent-params-placeholders"): ("absent", [], []),
    ("dev.config", "present-typer-options"): ("present", ["train.py:10 typer-hyperparameters-declared"], []),
    ("dev.config", "present-params-json"): ("present", ["train.py:7 params-json-loaded"], []),
    # config.json read by training holds hyperparameters beside a host; the same name holding
    # only a database's user, password and host configures no training.
    ("dev.config", "present-config-json-hyperparameters"): ("present", ["train.py:7 params-json-loaded"], []),
    ("dev.config", "absent-credentials-config-json"): ("absent", [], []),
    # The hyperparameters file's path built with os.path.join and read with json.load; the same
    # path written with json.dump (a tuner saving its best parameters) is output, not config.
    ("dev.config", "present-hyperparameters-json-joined"): ("present", ["app/utils.py:6 params-json-loaded"], []),
    ("dev.config", "absent-hyperparameters-json-written"): ("absent", [], []),
    ("dev.config", "absent-params-json-written"): ("absent", [], []),
    # A saved model's parameters read back from its archive (zip member) by the loader configure
    # no training; a training script's own parameters file beside that loader counts.
    ("dev.config", "present-params-json-beside-model-archive"): ("present", ["train.py:8 params-json-loaded"], []),
    ("dev.config", "absent-saved-model-archive-params"): ("absent", [], []),
    # A CDK app reading its stage's deployment settings configures infrastructure, not training.
    ("dev.config", "absent-cdk-stage-config"): ("absent", [], []),
    # Nor does a deploy script filling a stage's CloudFormation parameters from a JSON file.
    ("dev.config", "absent-cfn-stage-parameters-json"): ("absent", [], []),
    ("dev.config", "present-params-json-beside-cfn-build"): ("present", ["train.py:7 params-json-loaded"], []),
    ("dev.config", "present-configurator"): ("present", ["train.py:6 config-script-overrides"], []),
    ("dev.config", "absent-labels-json"): ("absent", [], []),
    ("dev.config", "present-utility-module-loads-own-config"): ("present", ["src/forest_utils.py:7 config-loaded-by-training"], []),
    ("dev.config", "absent-utility-yaml-reader-for-schema"): ("absent", [], []),
    ("dev.config", "present-config-yaml-helper"): ("present", ["config/config.yaml:4 hyperparameters-in-config-file"], []),
    ("dev.config", "absent-hparams-yaml-unread"): ("absent", [], []),
    ("dev.config", "absent-argparse-paths-only"): ("absent", [], []),
    ("dev.config", "present-argparse-method-alias"): ("present", ["train.py:10 cli-hyperparameters-declared"], []),
    ("dev.config", "absent-argparse-alias-paths-only"): ("absent", [], []),
    # A script importing a framework whose own option API (tf flags) it does not use still
    # declares its hyperparameters through argparse.
    ("dev.config", "present-argparse-beside-framework-import"): ("present", ["task.py:9 cli-hyperparameters-declared"], []),
    ("dev.config", "absent-argparse-beside-framework-paths-only"): ("absent", [], []),
    ("dev.config", "present-training-batch-size-option"): ("present", ["fit.py:9 cli-batch-size-in-training-script"], []),
    ("dev.config", "absent-eval-script-batch-size-only"): ("absent", [], []),
    ("dev.config", "absent-hardcoded"): ("absent", [], []),
    ("dev.config", "present-ml-collections-config-file"): ("present", ["train.py:6 config-framework-cli-used"], []),
    # Python Fire exposing a fine-tuning function's hyperparameters; Fire on a utility script
    # (creating database tables) configures no training.
    ("dev.config", "present-fire-finetune-script"): ("present", ["finetune.py:16 fire-cli-configures-training"], []),
    ("dev.config", "absent-fire-utility-script"): ("absent", [], []),
    ("dev.config", "absent-absl-flags-paths-only"): ("absent", [], []),
    ("dev.config", "present-cli-split-settings"): ("present", ["src/train.py:11 training-cli-run-settings"], []),
    ("dev.config", "absent-cli-split-without-training"): ("absent", [], []),
    ("dev.config", "present-json-train-config"): ("present", ["configs/base.json:4 hyperparameters-in-json-config"], []),
    ("dev.config", "absent-json-hparams-written-only"): ("absent", [], []),
    ("dev.config", "absent-model-architecture-json"): ("absent", [], []),
    # The JSON config read through the project's own helper (def read_json_file: json.load) into
    # a configuration attribute; the same helper reading a label list configures nothing.
    ("dev.config", "present-json-config-via-helper"): (
        "present", ["configs/models/v2.json:4 hyperparameters-in-json-config"], []),
    ("dev.config", "absent-json-helper-reads-labels"): ("absent", [], []),
    # Hyperparameters in a Python config module (configs/baseline.py) that training imports; a
    # config.py nothing imports (training keeps its own literals) configures nothing.
    ("dev.config", "present-python-config-module"): (
        "present", ["configs/baseline.py:6 hyperparameters-in-python-config-module"], []),
    ("dev.config", "absent-python-config-unimported"): ("absent", [], []),
    # A params.py of search grids (lists of values) imported by a grid search: the search space
    # of hyperparameter search, not the settings a training run is configured by.
    ("dev.config", "absent-python-search-grids-module"): ("absent", [], []),
    # A training program only named like a test (baseline_test.py with a __main__ entry point
    # and no test in it) is project code; a real test module declaring the same option is not.
    ("dev.config", "present-training-script-named-test"): (
        "present", ["experiments/baseline_test.py:13 cli-hyperparameters-declared"], []),
    ("dev.config", "absent-test-module-with-flags"): ("absent", [], []),
    # The same training settings in Pascal case ("NumEpochs", "BatchSize", "InitialLearningRate");
    # a service's settings with only a batch size (MaxBatchSize is no hyperparameter) stay out.
    ("dev.config", "present-json-camelcase-config"): ("present", ["configs/unet.json:5 hyperparameters-in-json-config"], []),
    ("dev.config", "absent-json-camelcase-service-settings"): ("absent", [], []),
    ("dev.config", "present-rl-cli-hyperparameters"): ("present", ["main.py:11 cli-hyperparameters-declared"], []),
    ("dev.config", "absent-rl-cli-run-options-only"): ("absent", [], []),
    ("dev.hpo", "present-optuna"): ("present", ["tune.py:8 optuna-study-run"], []),
    ("dev.hpo", "present-ray-tune-search-space"): ("present", ["tune_policy.py:10 ray-tune-run"], []),
    # In a notebook, the evidence names the cell of the run (its space is in another cell).
    ("dev.hpo", "present-ray-tune-notebook"): ("present", ["tune_lr.ipynb:cell 3:line 4 ray-tune-run"], []),
    ("dev.hpo", "absent-rllib-tune-run-fixed-config"): ("absent", [], []),
    ("dev.hpo", "present-gridsearch"): ("present", ["search.py:4 search-cv-used"], []),
    # Spark ML's CrossValidator over a ParamGridBuilder grid; a Spark model fitted with fixed
    # parameters and evaluated once searches nothing.
    ("dev.hpo", "present-spark-param-grid"): ("present", ["tune.py:10 spark-ml-tuning-search"], []),
    ("dev.hpo", "absent-spark-fixed-params"): ("absent", [], []),
    # PyCaret (through its star import): tune_model searches; compare_models only ranks algorithms.
    ("dev.hpo", "present-pycaret-tune-model"): ("present", ["train.py:7 pycaret-model-tuned"], []),
    ("dev.hpo", "absent-pycaret-compare-only"): ("absent", [], []),
    # Hyperopt searches when fmin runs; a Trials object and one draw from the space do not.
    ("dev.hpo", "present-hyperopt-fmin"): ("present", ["tune.py:15 hyperopt-search-run"], []),
    ("dev.hpo", "absent-hyperopt-sampled-space"): ("absent", [], []),
    ("dev.hpo", "present-wandb-sweep"): ("present", ["sweep.yaml:2 sweep-config-present"], []),
    ("dev.hpo", "absent-dependency-only"): ("absent", [], ["requirements.txt:1 dependency-declared"]),
    # An automatic ARIMA searches the forecaster's orders; orders written in the code do not.
    ("dev.hpo", "present-auto-arima-search"): ("present", ["forecasting/fit_demand.py:8 auto-arima-order-search"], []),
    ("dev.hpo", "absent-arima-fixed-order"): ("absent", [], ["requirements.txt:2 dependency-declared"]),
    ("dev.hpo", "absent-manual-loop"): ("absent", [], []),
    # A hand-written tuner class drawing each run's configuration from a declared space, used by
    # the experiment code; a function that only returns grids to try by hand, and a draft search
    # nothing calls, search nothing.
    ("dev.hpo", "present-own-random-search-tuner"): ("present", ["src/tuning.py:4 own-search-tuner-run"], []),
    ("dev.hpo", "absent-search-grids-only"): ("absent", [], []),
    ("dev.hpo", "absent-random-search-never-called"): ("absent", [], []),
    ("dev.hpo", "present-parameter-sampler"): ("present", ["tuner.py:10 parameter-grid-searched"], []),
    ("dev.hpo", "absent-parameter-grid-in-tests"): ("absent", [], []),
}


@pytest.mark.parametrize(("practice", "case"), sorted(CASES), ids=lambda x: x)
def test_fixture(scan, practice, case):
    check_case(scan, CASES, practice, case)


@pytest.mark.parametrize(
    "practice",
    ["dev.experiment_tracking", "dev.pinned_env", "dev.code_quality", "dev.tests", "dev.modular_code", "dev.config", "dev.hpo"],
)
def test_every_fixture_folder_has_a_case(practice):
    check_fixture_folders(CASES, practice)


def test_evidence_carries_snippet_and_literal_message(scan):
    obs = scan("dev.experiment_tracking/present-mlflow-alias")["dev.experiment_tracking"]
    (ev,) = obs.evidence
    assert ev.snippet == 'mf.log_metric("auc", auc)'
    assert ev.message == "calls mlflow.log_metric"


def test_lock_file_over_size_cap_still_pins(scan):
    """A lock file over the size cap is skipped unread, yet it is there and pins the project's
    environment (a large project's pixi.lock or poetry.lock is often over 1 MB); one under
    examples/ pins an example's environment, not the project's."""
    obs = scan("dev.pinned_env/present-lock-over-size-cap", max_file_bytes=2048)["dev.pinned_env"]
    assert obs.status.value == "present"
    assert [describe(e) for e in obs.evidence] == ["pixi.lock environment-pinned"]
    obs = scan("dev.pinned_env/absent-example-lock-over-size-cap", max_file_bytes=2048)["dev.pinned_env"]
    assert obs.status.value == "absent"
