"""data dimension detectors against their fixture repositories: exact evidence, near misses."""

from __future__ import annotations

import pytest
from scan_helpers import check_case, check_fixture_folders, describe

# (practice, fixture case) -> (status, evidence, dependency-only evidence)
CASES: dict[tuple[str, str], tuple[str, list[str], list[str]]] = {
    ("data.pipeline", "present-invoke-preprocess-task"): (
        "present", ["src/scanclf/data.py:18 entry-script-runs-data-prep", "tasks.py:9 invoke-task-prepares-data"], []),
    # the project template's tasks.py, its data.py still the stub that only prints
    ("data.pipeline", "absent-invoke-template-stub"): ("absent", [], []),
    ("data.pipeline", "present-create-folds-script"): ("present", ["src/create_folds.py:4 data-prep-script-runnable"], []),
    # export_training_data.py writes out the examples training reads; a training report is no data
    ("data.pipeline", "present-export-training-data-script"): (
        "present", ["scripts/export_training_data.py:24 data-prep-script-runnable"], []),
    ("data.pipeline", "absent-export-training-report-script"): ("absent", [], []),
    ("data.pipeline", "absent-create-folders-script"): ("absent", [], []),
    # transform_data.py re-encodes the raw tables into the files the notebooks read: a step; a
    # module of image augmentations (data_transforms.py) prepares no data
    ("data.pipeline", "present-transform-data-script"): ("present", ["transform_data.py:3 data-prep-script-runnable"], []),
    ("data.pipeline", "absent-data-transforms-module"): ("absent", [], []),
    # A runnable script in a versioned preparation folder (data_preprocessing_v2/); a folder so
    # named that holds only helpers the training loop imports is no step.
    ("data.pipeline", "present-prep-folder-versioned"): (
        "present", ["data_preprocessing_v2/segment_recordings.py:9 data-prep-script-runnable"], []),
    ("data.pipeline", "absent-prep-folder-helpers-only"): ("absent", [], []),
    # The folder may say what it holds (preprocessing_scripts/): a runnable script there is a
    # step; a helper module there that the training loop imports is not.
    ("data.pipeline", "present-prep-scripts-folder"): (
        "present", ["preprocessing_scripts/clips_to_arrays.py:16 data-prep-script-runnable"], []),
    ("data.pipeline", "absent-prep-scripts-folder-helpers-only"): ("absent", [], []),
    ("data.pipeline", "present-typer-data-cli"): (
        "present", ["src/speechcls/data.py:31 entry-script-runs-data-prep"], []),
    # the project template's data.py: typer.run(preprocess) of a stub that writes nothing
    ("data.pipeline", "absent-typer-data-cli-stub"): ("absent", [], []),
    # A scheduled CI job executes the feature pipeline notebook headless: a pipeline step.
    ("data.pipeline", "present-scheduled-feature-notebook"): (
        "present", [".github/workflows/features.yml:19 ci-schedule-runs-prep-notebook"], []),
    # Notebooks executed on push / PR are tests; a scheduled training notebook is not data prep.
    ("data.pipeline", "absent-notebooks-run-as-tests"): ("absent", [], []),
    # An Airflow operator runs a repository function that reads a stream and writes a table.
    ("data.pipeline", "present-airflow-callable-moves-data"): (
        "present", ["dags/sales_stream_dag.py:14 orchestrated-task-prepares-data"], []),
    # Operators whose functions read and write data but predict, build and send a report, or
    # compute drift statistics.
    ("data.pipeline", "absent-airflow-callable-scores-or-reports"): ("absent", [], []),
    # The operator's function reads a table and inserts the encoded rows with SQL INSERTs; the
    # same shape inserting a model's scores is scoring.
    ("data.pipeline", "present-airflow-callable-inserts-rows"): (
        "present", ["dags/refresh.py:20 orchestrated-task-prepares-data"], []),
    ("data.pipeline", "absent-airflow-callable-inserts-predictions"): ("absent", [], []),
    ("data.pipeline", "present-mlflow-recipe"): ("present", ["recipe.yaml:2 mlflow-recipe-prepares-data"], []),
    # The entry script prepares, splits (train_test_split) and saves the data: a preparation
    # step; the same preparation followed by training is not.
    ("data.pipeline", "present-entry-splits-and-saves"): ("present", ["data_intake.py:20 entry-script-runs-data-prep"], []),
    ("data.pipeline", "absent-entry-splits-then-trains"): ("absent", [], []),
    # A task cleaning up temporary files ("cleanup_resources") is not data cleaning.
    ("data.pipeline", "absent-dag-cleanup-task"): ("absent", [], []),
    # A script named for the held-out split that shuffles and writes train / val / test folders;
    # one so named that only copies a folder unchanged stays out.
    ("data.pipeline", "present-split-into-folders-script"): ("present", ["scripts/train_val_test_split.py:19 data-prep-script-runnable"], []),
    ("data.pipeline", "absent-split-named-copy-only"): ("absent", [], []),
    # A spaCy / Weasel project command converting the corpus prepares data; a project whose
    # commands only train and evaluate has no preparation step.
    ("data.pipeline", "present-spacy-project-convert"): ("present", ["project.yml:10 project-command-prepares-data"], []),
    ("data.pipeline", "absent-spacy-project-no-prep"): ("absent", [], []),
    ("data.pipeline", "present-spark-job-entry"): ("present", ["jobs/main.py:21 entry-script-runs-data-prep"], []),
    # main.py runs the project's own ingestion class, imported from its package (documents
    # chunked into a vector store); the same class run before answering a question is an
    # inference script's input handling.
    # An ingest-named script that only copies example files into the app's upload folder
    # prepares nothing; a prepare script that splits photos into train / val folders by copying
    # them does.
    # embed_docs.py embeds documents into a Chroma collection (the vector database's own
    # client); an index_docs.py that writes a docs-site search file is no RAG ingestion.
    ("data.pipeline", "present-embed-docs-into-chroma"): ("present", ["embed_docs.py:5 data-prep-script-runnable"], []),
    ("data.pipeline", "absent-index-docs-site"): ("absent", [], []),
    ("data.pipeline", "absent-ingest-script-copies-samples"): ("absent", [], []),
    ("data.pipeline", "present-prepare-script-splits-by-copying"): (
        "present", ["scripts/prepare_dataset.py:8 data-prep-script-runnable"], []),
    ("data.pipeline", "present-entry-runs-imported-ingestor"): ("present", ["main.py:8 entry-script-runs-data-prep"], []),
    ("data.pipeline", "absent-entry-ingests-then-answers"): ("absent", [], []),
    ("data.pipeline", "absent-inference-cli-preprocess"): ("absent", [], []),
    ("data.pipeline", "present-flow-runs-imported-prep-task"): (
        "present", ["pipeline/flows/weekly.py:9 orchestrated-task-prepares-data"], []),
    ("data.pipeline", "absent-flow-calls-prepare-helper"): ("absent", [], []),
    ("data.pipeline", "present-dagster-definitions-list-prep-asset"): (
        "present", ["orchestration/assets/images_preprocessed.py:7 orchestrated-task-prepares-data",
                    "orchestration/definitions.py:7 orchestrated-task-prepares-data"], []),
    ("data.pipeline", "absent-dagster-definitions-list-plain-helper"): ("absent", [], []),
    ("data.pipeline", "present-step-reexported-by-package"): (
        "present", ["project/pipelines/training.py:8 orchestrated-task-prepares-data"], []),
    ("data.pipeline", "absent-reexported-helper-not-a-step"): ("absent", [], []),
    ("data.pipeline", "present-prefect-extract-raw-task"): (
        "present", ["flows/scoring.py:6 orchestrated-task-prepares-data"], []),
    ("data.pipeline", "absent-flow-loads-raw-data-helper"): ("absent", [], []),
    ("data.pipeline", "present-feature-generation-script"): (
        "present", ["src/feature_set_generation.py:9 data-prep-script-runnable"], []),
    ("data.pipeline", "absent-feature-report-script"): ("absent", [], []),
    ("data.pipeline", "absent-report-script-prepare-helper"): ("absent", [], []),
    ("data.pipeline", "absent-app-db-seed-script"): ("absent", [], []),
    ("data.pipeline", "present-rag-index-script"): ("present", ["populate_database.py:19 data-prep-script-runnable"], []),
    ("data.pipeline", "present-shell-index-update"): ("present", ["update-index.sh:8 data-prep-script-runnable"], []),
    ("data.pipeline", "absent-db-reindex-script"): ("absent", [], []),
    ("data.pipeline", "present-dataset-generator-script"): (
        "present", ["dataset_generator.py:23 data-prep-script-runnable"], []),
    ("data.pipeline", "absent-dataset-generator-module"): ("absent", [], []),
    ("data.pipeline", "present-lambda-feature-pipeline"): (
        "present", ["src/lambdas/feature_pipeline.py:15 data-prep-script-runnable"], []),
    ("data.pipeline", "absent-feature-pipeline-library"): ("absent", [], []),
    ("data.pipeline", "present-components-ingestion"): (
        "present", ["src/components/data_ingestion.py:25 data-prep-script-runnable"], []),
    ("data.pipeline", "present-kedro-node"): (
        "present", ["src/churn/pipelines/ingest/pipeline.py:11 orchestrated-task-prepares-data"], []),
    ("data.feature_store", "absent-dependency-only"): ("absent", [], ['requirements.txt:1 dependency-declared']),
    ("data.feature_store", "present-databricks"): ("present", ['notebooks/features.py:3 databricks-feature-store-used'], []),
    # A notebook's double-quoted string argument (escaped in the notebook's JSON) is found.
    ("data.feature_store", "present-featurestore-runtime-notebook"): (
        "present", ["notebooks/online_features.ipynb:cell 3:line 1 sagemaker-featurestore-client"], []),
    # The client of a session kept on an object, found by the service name it is created for.
    ("data.feature_store", "present-session-client-attribute"): (
        "present", ["recs/user_profile.py:12 sagemaker-featurestore-client"], []),
    ("data.feature_store", "absent-other-aws-session-client"): ("absent", [], []),
    ("data.feature_store", "present-feast-repo"): ("present", ['feature_repo/feature_store.yaml:1 feast-repo-configured', 'feature_repo/features.py:5 feast-api-used'], []),
    ("data.lineage", "absent-dependency-only"): ("absent", [], ['requirements.txt:1 dependency-declared']),
    ("data.lineage", "absent-ge-data-docs"): ("absent", [], []),
    # Airflow's default airflow.cfg has an [openlineage] section with empty values: not lineage.
    ("data.lineage", "absent-airflow-default-cfg"): ("absent", [], []),
    ("data.lineage", "present-airflow-cfg-transport"): (
        "present", ["config/airflow.cfg:5 openlineage-configured"], []),
    ("data.lineage", "present-marquez-compose"): ("present", ['docker-compose.yml:3 openlineage-configured'], []),
    ("data.lineage", "present-openlineage"): ("present", ['etl/emit.py:6 openlineage-emitted'], []),
    ("data.lineage", "present-tfx-metadata"): ("present", ['pipeline.py:5 ml-metadata-recorded'], []),
    ("data.pipeline", "present-mage-pipeline"): ("present", ["ml/pipelines/prepare/metadata.yaml:2 mage-pipeline-prepares-data"], []),
    ("data.pipeline", "absent-imported-module"): ("absent", [], []),
    ("data.pipeline", "absent-pipeline-stage-train-only"): ("absent", [], []),
    ("data.pipeline", "present-pipeline-stage-class"): (
        "present", ["src/churn/pipeline/stage_01_data_ingestion.py:6 data-prep-script-runnable"], []),
    ("data.pipeline", "present-stage-method-named-for-step"): (
        "present", ["src/vino/pipeline/data_transformation.py:7 data-prep-script-runnable"], []),
    ("data.pipeline", "absent-stage-helper-takes-data"): ("absent", [], []),
    ("data.pipeline", "absent-notebook-only"): ("absent", [], []),
    ("data.pipeline", "absent-training-loop"): ("absent", [], []),
    ("data.pipeline", "present-airflow-task"): ("present", ['dags/churn.py:9 orchestrated-task-prepares-data'], []),
    ("data.pipeline", "present-dagster-asset-ingests"): ("present", ['pipeline/assets.py:7 orchestrated-task-prepares-data'], []),
    ("data.pipeline", "absent-dagster-asset-scores"): ("absent", [], []),
    ("data.pipeline", "present-download-script"): ("present", ['data/scripts/get_coco.sh:4 data-prep-script-runnable'], []),
    # download_and_prepare.py outside a data folder prepares data; the same name for weights does not.
    ("data.pipeline", "present-download-and-prepare-script"): (
        "present", ["tools/download_and_prepare.py:22 data-prep-script-runnable"], []),
    ("data.pipeline", "absent-download-and-prepare-weights"): ("absent", [], []),
    # packaging a model for serving (a TorchServe archive) is not preparing data; a name that only
    # starts with the same letters still is
    ("data.pipeline", "absent-prepare-model-archive-script"): ("absent", [], []),
    ("data.pipeline", "present-prepare-marketing-data-script"): (
        "present", ["scripts/prepare_marketing_data.sh:4 data-prep-script-runnable"], []),
    ("data.pipeline", "present-kaggle-download-script"): (
        "present", ["scripts/download_data.sh:10 data-prep-script-runnable"], []),
    ("data.pipeline", "present-dvc-stage"): ("present", ['dvc.yaml:2 dvc-stage-prepares-data'], []),
    ("data.pipeline", "present-make-dataset-script"): ("present", ['src/data/make_dataset.py:11 data-prep-script-runnable'], []),
    ("data.pipeline", "present-makefile-target"): ("present", ['Makefile:3 make-target-prepares-data'], []),
    ("data.pipeline", "present-makefile-script-path"): (
        "present", ['Makefile:4 make-target-prepares-data', 'src/data/build_features.py:12 data-prep-script-runnable'], []),
    ("data.pipeline", "absent-makefile-missing-script"): ("absent", [], []),
    ("data.pipeline", "present-make-data-extract-target"): (
        "present", ["Makefile:3 make-target-prepares-data"], []),
    ("data.pipeline", "absent-make-data-extract-echo"): ("absent", [], []),
    ("data.pipeline", "absent-make-prepare-release"): ("absent", [], []),
    ("data.pipeline", "present-make-hyphenated-target"): ("present", ['Makefile:6 make-target-prepares-data'], []),
    ("data.pipeline", "present-dvc-preproc-stage"): ("present", ['dvc.yaml:2 dvc-stage-prepares-data'], []),
    ("data.pipeline", "absent-make-hyphenated-other"): ("absent", [], []),
    ("data.pipeline", "present-make-prepare-release-and-data"): (
        "present", ['Makefile:4 make-target-prepares-data', 'scripts/prepare.py:5 data-prep-script-runnable'], []),
    ("data.pipeline", "present-databricks-job-payload"): (
        "present", ["RUNME.py:18 databricks-job-prepares-data"], []),
    ("data.pipeline", "present-databricks-bundle"): (
        "present", ["databricks.yml:11 databricks-job-prepares-data"], []),
    ("data.pipeline", "absent-databricks-job-payload-no-prep"): ("absent", [], []),
    # A sphinx-gallery example (reST-titled docstring, the gallery's README.txt beside it) shows
    # a library's featurizers; the project's own preparation script beside the gallery counts.
    ("data.pipeline", "present-prep-script-beside-gallery"): (
        "present", ["benchmarks/prepare_data.py:14 data-prep-script-runnable"], []),
    ("data.pipeline", "absent-gallery-example-preprocessing"): ("absent", [], []),
    # A TFX ExampleValidator checks the statistics against the schema; a schema inferred by
    # SchemaGen / infer_schema only to parse or display the data checks nothing.
    ("data.validation", "present-tfx-example-validator"): (
        "present", ["pipeline/pipeline.py:8 tfdv-schema-validated"], []),
    ("data.validation", "absent-tfx-schema-inferred-only"): ("absent", [], []),
    # Raw batch validation moving a file whose column count differs from the schema's, or with a
    # wholly empty column, into the bad-data folder; a check of the file names alone is no
    # check of the content.
    ("data.validation", "present-raw-batch-quarantined"): (
        "present", ["sensors/raw_validation/batch_checks.py:19 custom-data-validator-defined"], []),
    ("data.validation", "absent-raw-file-name-quarantined"): ("absent", [], []),
    ("data.validation", "present-loader-rejects-bad-rows"): (
        "present", ["src/data/load.py:8 custom-data-validator-defined"], []),
    # one column check in the loader; a metric's checks refuse its caller's arguments
    ("data.validation", "absent-loader-one-check"): ("absent", [], []),
    # A validator of a model's predictions or of a run's metrics / summary files checks outputs;
    # the same file validator called on an annotation batch checks the data.
    ("data.validation", "absent-prediction-records-validator"): ("absent", [], []),
    ("data.validation", "absent-metrics-file-validator-call"): ("absent", [], []),
    ("data.validation", "present-file-validator-called-on-dataset"): (
        "present", ["src/data/schema.py:7 custom-data-validator-defined"], []),
    ("data.validation", "present-zenml-integrity-step"): (
        "present", ["pipelines/training.py:10 pipeline-validation-step-run"], []),
    ("data.validation", "absent-zenml-report-step-only"): ("absent", [], []),
    ("data.validation", "absent-api-upload-checks"): ("absent", [], []),
    ("data.validation", "present-sagemaker-data-quality-step"): (
        "present", ["pipelines/scoring.py:15 pipeline-data-quality-checked"], []),
    ("data.validation", "absent-sagemaker-baseline-and-model-check"): ("absent", [], []),
    ("data.validation", "absent-api-request-model"): ("absent", [], []),
    ("data.validation", "absent-assert-shape"): ("absent", [], ['requirements.txt:2 dependency-declared']),
    ("data.validation", "absent-config-validation"): ("absent", [], []),
    ("data.validation", "absent-schema-definition-check"): ("absent", [], []),
    ("data.validation", "absent-path-argument-checks"): ("absent", [], []),
    ("data.validation", "present-validator-beside-path-checks"): ("present", ['prepare/utils.py:14 custom-data-validator-defined'], []),
    # Tests read the dataset and assert its columns and missing values, and CI runs them; the
    # same tests without CI, and CI-run unit tests on frames they build, stay out.
    ("data.validation", "present-ci-data-tests"): ("present", ["tests/test_dataset.py:11 ci-data-tests-run"], []),
    ("data.validation", "absent-data-tests-not-in-ci"): ("absent", [], []),
    ("data.validation", "absent-ci-preprocessing-unit-tests"): ("absent", [], []),
    # A stream producer validates each record against a JSON schema before publishing; a web
    # service validating request bodies before queueing them stays out.
    ("data.validation", "present-stream-producer-validates"): ("present", ["producer/main.py:17 records-validated-in-data-code"], []),
    ("data.validation", "absent-web-stream-request-models"): ("absent", [], []),
    ("data.validation", "present-dataframe-schema-check"): ("present", ['src/data/schema.py:6 custom-data-validator-defined'], []),
    ("data.validation", "present-custom-validator"): ("present", ['src/data/loader.py:4 custom-data-validator-defined'], []),
    ("data.validation", "present-required-columns-raise"): ("present", ['ingestion/checks.py:6 custom-data-validator-defined'], []),
    ("data.validation", "present-validator-status-flag"): ("present", ['housing/components/data_validation.py:16 custom-data-validator-defined'], []),
    ("data.validation", "absent-column-count-wrapped-errors"): ("absent", [], []),
    ("data.validation", "present-validator-status-lifted-on-match"): (
        "present", ['grain/components/data_validation.py:12 custom-data-validator-defined'], []),
    ("data.validation", "absent-validator-status-lifted-on-file-exists"): ("absent", [], []),
    ("data.validation", "present-validator-returns-false"): ("present", ['pipelines/validate_labels.py:7 custom-data-validator-defined'], []),
    ("data.validation", "absent-existence-and-emptiness-checks"): ("absent", [], []),
    # A validator class's bare validate(df) method collecting errors on columns, nulls and
    # allowed values; the same shape on a class that validates the training configuration stays out.
    ("data.validation", "present-validator-class-method"): (
        "present", ["src/schema.py:12 custom-data-validator-defined"], []),
    ("data.validation", "absent-config-validator-class"): ("absent", [], []),
    # A time-series validator (index type, nulls, order) called by training; the same function
    # never called checks nothing.
    ("data.validation", "present-timeseries-validator"): ("present", ["validation.py:4 custom-data-validator-defined"], []),
    ("data.validation", "absent-timeseries-validator-unused"): ("absent", [], []),
    ("data.validation", "present-validator-collects-errors"): (
        "present", ['src/data/checks.py:6 custom-data-validator-defined'], []),
    # Outside data-loading code, a validator named for the data it checks (a generation
    # script's validate_generated_records, problems collected into its report); a check that a
    # dataset folder argument exists is no validation of the data.
    ("data.validation", "present-validator-in-generation-script"): (
        "present", ["scripts/synthesize.py:5 custom-data-validator-defined"], []),
    ("data.validation", "absent-dataset-dir-check-in-script"): ("absent", [], []),
    ("data.validation", "absent-validator-only-warns"): ("absent", [], []),
    ("data.validation", "absent-validator-never-called"): ("absent", [], []),
    ("data.validation", "present-great-expectations"): ("present", ['pipeline/validate.py:6 great-expectations-used'], []),
    ("data.validation", "present-pandera-model"): ("present", ['src/schema.py:5 pandera-model-defined'], []),
    ("data.validation", "absent-pandera-fake-data"): ("absent", [], []),
    ("data.validation", "present-pandera-validates-and-fakes"): (
        "present", ['src/shop/orders.py:7 pandera-model-defined', 'src/shop/orders.py:8 pandera-schema-used'], []),
    ("data.validation", "present-soda-checks"): ("present", ['checks/orders.yml:1 soda-checks-defined'], []),
    ("data.versioning", "absent-dependency-only"): ("absent", [], ['requirements.txt:1 dependency-declared']),
    ("data.versioning", "absent-lfs-images-and-weights"): ("absent", [], []),
    ("data.versioning", "absent-model-only"): ("absent", [], []),
    ("data.versioning", "absent-unpinned-dataset"): ("absent", [], []),
    ("data.versioning", "present-dvc-file"): ("present", ['data/raw/transactions.csv.dvc:5 dvc-tracks-data'], []),
    ("data.versioning", "present-hf-revision"): ("present", ['train.py:3 hf-dataset-pinned-revision'], []),
    ("data.versioning", "absent-hf-revision-branch"): ("absent", [], []),
    ("data.versioning", "present-lfs-data"): ("present", ['.gitattributes:3 lfs-tracks-data-files'], []),
    ("data.versioning", "present-wandb-dataset"): ("present", ['log_dataset.py:4 wandb-dataset-artifact'], []),
    # A feature-store training dataset read back by its version is a versioned snapshot; training
    # data built in memory from the feature view is not.
    ("data.versioning", "present-feature-store-dataset-version"): (
        "present", ["load_data.py:8 feature-store-training-dataset-version-read"], []),
    ("data.versioning", "absent-feature-store-in-memory-data"): ("absent", [], []),
    # The artifact type chosen by the caller (type=data_type, a CLI option) in a function named
    # for a dataset; a variable type in a checkpoint upload is no dataset.
    ("data.versioning", "present-wandb-artifact-caller-data-type"): (
        "present", ["tools/artifacts.py:13 wandb-dataset-artifact-caller-type"], []),
    ("data.versioning", "absent-wandb-artifact-checkpoint-type"): ("absent", [], []),
    # A Comet artifact named for a dataset (no artifact_type) that the module logs; one named
    # for a LoRA adapter is a model artifact.
    ("data.versioning", "present-comet-named-dataset-artifact"): (
        "present", ["dataset/publish.py:12 comet-dataset-artifact-logged"], []),
    ("data.versioning", "absent-comet-adapter-artifact"): ("absent", [], []),
}


@pytest.mark.parametrize(("practice", "case"), sorted(CASES), ids=lambda x: x)
def test_fixture(scan, practice, case):
    check_case(scan, CASES, practice, case)


@pytest.mark.parametrize("practice", ["data.versioning", "data.validation", "data.pipeline", "data.feature_store", "data.lineage"])
def test_every_fixture_folder_has_a_case(practice):
    check_fixture_folders(CASES, practice)


def test_data_like_paths():
    from mlops_maturity.sources.scan.checks.data import data_like

    assert data_like("data/raw") and data_like("data.xml") and data_like("data/embeddings.pkl")
    assert not data_like("models/model.pkl") and not data_like("model.onnx") and not data_like("eval/metrics.json")
    assert not data_like("checkpoints") and not data_like("$OUT")


def test_dvc_stage_outputs_count_only_when_data(scan, tmp_path):
    from helpers import write

    write(tmp_path / "dvc.yaml", "stages:\n  train:\n    cmd: python train.py\n    outs:\n    - models/model.pt\n    - metrics.json\n")
    assert scan(tmp_path)["data.versioning"].status.value == "absent"
    write(tmp_path / "dvc.yaml", "stages:\n  split:\n    cmd: python split.py\n    outs:\n    - data/splits\n")
    assert [describe(e) for e in scan(tmp_path)["data.versioning"].evidence] == ["dvc.yaml:5 dvc-tracks-data"]
