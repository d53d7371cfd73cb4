"""team dimension detectors against their fixture repositories."""

from __future__ import annotations

import pytest
from scan_helpers import check_case, check_fixture_folders

CASES: dict[tuple[str, str], tuple[str, list[str]]] = {
    # "Approach to building the solution" / "Model building": how the model was made; its
    # numbered list (data format, algorithms) is no setup step. A command under it still is one.
    ("team.readme", "absent-approach-to-building-section"): ("absent", [], []),
    # the purpose written in Korean or Chinese (words counted in any script, each ideograph one)
    ("team.readme", "present-korean-purpose"): (
        "present", ["README.md:3 readme-explains-purpose-and-setup", "README.md:8 readme-explains-purpose-and-setup"], []),
    ("team.readme", "present-chinese-purpose"): (
        "present", ["README.md:3 readme-explains-purpose-and-setup", "README.md:8 readme-explains-purpose-and-setup"], []),
    ("team.readme", "absent-korean-purpose-only"): ("absent", [], []),
    ("team.readme", "present-model-building-with-commands"): (
        "present", ["README.md:3 readme-explains-purpose-and-setup", "README.md:10 readme-explains-purpose-and-setup"], []),
    ("team.readme", "present-markdown"): (
        "present", ["README.md:5 readme-explains-purpose-and-setup", "README.md:10 readme-explains-purpose-and-setup"]),
    ("team.readme", "present-rst"): (
        "present", ["README.rst:4 readme-explains-purpose-and-setup", "README.rst:11 readme-explains-purpose-and-setup"]),
    ("team.readme", "present-prerequisites-section"): (
        "present", ["README.md:3 readme-explains-purpose-and-setup", "README.md:5 readme-explains-purpose-and-setup"]),
    ("team.readme", "absent-purpose-only"): ("absent", []),
    ("team.readme", "present-plain-text-commands"): (
        "present", ["README.md:3 readme-explains-purpose-and-setup", "README.md:6 readme-explains-purpose-and-setup"]),
    ("team.readme", "absent-commands-in-prose-only"): ("absent", []),
    # A README without Markdown: a plain "How to Run" line followed by steps (clone, attach,
    # run); a plain "Usage" line followed by a promise of steps gives none.
    ("team.readme", "present-plain-text-run-section"): (
        "present", ["README.md:2 readme-explains-purpose-and-setup", "README.md:7 readme-explains-purpose-and-setup"]),
    ("team.readme", "absent-plain-text-usage-placeholder"): ("absent", []),
    # Kedro's template README speaks only of Kedro (a new project, how to install and run it):
    # no purpose; the same README with a sentence of the Overview saying what the project does.
    ("team.readme", "absent-kedro-template-readme"): ("absent", []),
    ("team.readme", "present-kedro-readme-overview-edited"): (
        "present", ["README.md:7 readme-explains-purpose-and-setup", "README.md:16 readme-explains-purpose-and-setup"]),
    # Steps written as sentences put in order ("Next, install ...") under a plain "How to Run
    # Locally" line; "Next release will ..." under it is no instruction.
    ("team.readme", "present-plain-text-steps-in-sentences"): (
        "present", ["README.md:3 readme-explains-purpose-and-setup", "README.md:5 readme-explains-purpose-and-setup"]),
    ("team.readme", "absent-plain-text-run-section-describes"): ("absent", []),
    ("team.readme", "present-commands-as-list-items"): (
        "present", ["README.md:3 readme-explains-purpose-and-setup", "README.md:6 readme-explains-purpose-and-setup"]),
    ("team.readme", "absent-list-items-name-tools"): ("absent", []),
    ("team.readme", "absent-empty-prerequisites"): ("absent", []),
    ("team.readme", "absent-title-only"): ("absent", []),
    # A template's placeholder description ("What it does") with shell lines left outside a code
    # block (`conda activate env && conda install -y ...`): the commands are no purpose. A real
    # description beside the same lines still is one.
    ("team.readme", "absent-template-description-and-loose-commands"): ("absent", []),
    ("team.readme", "present-description-and-loose-commands"): (
        "present", ["README.md:5 readme-explains-purpose-and-setup", "README.md:10 readme-explains-purpose-and-setup"]),
    # Shell lines outside a code block (chained with &&, with options, continued with \\) and
    # lines documenting a script's options (`-b: where the datasets live`) state no purpose.
    ("team.readme", "absent-loose-commands-only"): ("absent", []),
    ("team.readme", "absent-option-reference-lines"): ("absent", []),
    # An introduction above a placeholder description still says what the project is for.
    ("team.readme", "present-intro-above-placeholder-description"): (
        "present", ["README.md:3 readme-explains-purpose-and-setup", "README.md:12 readme-explains-purpose-and-setup"]),
    ("team.readme", "absent-project-tree"): ("absent", []),
    ("team.readme", "present-tree-and-usage"): (
        "present", ["README.md:3 readme-explains-purpose-and-setup", "README.md:8 readme-explains-purpose-and-setup"]),
    ("team.readme", "present-license-comment-header"): (
        "present", ["README.md:9 readme-explains-purpose-and-setup", "README.md:14 readme-explains-purpose-and-setup"]),
    ("team.readme", "absent-license-comment-only"): ("absent", []),
    ("team.readme", "absent-title-names-deployment"): ("absent", []),
    ("team.readme", "absent-feature-sections"): ("absent", []),
    ("team.readme", "present-deployment-numbered-steps"): (
        "present", ["README.md:3 readme-explains-purpose-and-setup", "README.md:5 readme-explains-purpose-and-setup"]),
    ("team.contributing", "present-contributing"): ("present", ["CONTRIBUTING.md:1 contributing-guide-present"]),
    ("team.contributing", "present-pr-template"): ("present", [".github/PULL_REQUEST_TEMPLATE.md:1 pr-template-present"]),
    ("team.contributing", "absent-empty-contributing"): ("absent", []),
    ("team.contributing", "absent-issue-config-only"): ("absent", []),
    ("team.contributing", "absent-vendored-contributing"): ("absent", []),
    # The documentation site's contributing page (mkdocs docs/docs/, sphinx docs/source/) is the
    # guide; a contributors page there lists people.
    ("team.contributing", "present-docs-site-contributing-page"): (
        "present", ["docs/docs/contributing.md:1 contributing-guide-present"], []),
    ("team.contributing", "absent-docs-contributors-page"): ("absent", [], []),
    ("team.contributing", "present-contribution-guide"): ("present", ["docs/CONTRIBUTION_GUIDE.md:1 contributing-guide-present"]),
    ("team.contributing", "absent-contributors-list"): ("absent", []),
    ("team.ownership", "present-codeowners"): ("present", [".github/CODEOWNERS:3 codeowners-assigns-owners"]),
    ("team.ownership", "absent-comments-only"): ("absent", []),
    # A decision log kept as one document (docs/DECISIONS.md with its decisions as sections); a
    # stub with a title only records nothing.
    ("team.design_docs", "present-decision-log-file"): (
        "present", ["docs/DECISIONS.md:5 design-docs-present"], []),
    ("team.design_docs", "absent-decision-log-stub"): ("absent", [], []),
    ("team.design_docs", "present-adr"): ("present", ["docs/adr/0001-use-dvc-for-data.md:1 design-docs-present"]),
    ("team.design_docs", "present-architecture-heading"): ("present", ["docs/overview.md:5 design-docs-present"]),
    ("team.design_docs", "present-docs-infra-diagram-image"): ("present", ["docs/serving.md:6 design-docs-present"]),
    ("team.design_docs", "present-docs-portuguese-architecture"): ("present", ["docs/visao_geral.md:3 design-docs-present"]),
    ("team.design_docs", "absent-docs-screenshot-only"): ("absent", []),
    # Outside docs/: a document of its own whose heading records the design decisions.
    ("team.design_docs", "present-root-spec-design-decisions"): (
        "present", ["forecaster-spec.md:12 design-docs-present"]),
    # A deployment guide's bare "Architecture" heading, a how-to step, a README's design section.
    ("team.design_docs", "absent-guide-architecture-heading"): ("absent", []),
    ("team.design_docs", "absent-api-docs"): ("absent", []),
    ("team.design_docs", "absent-tutorial-design-step"): ("absent", []),
    # Release notes under docs/ (docs/whats_new/) list a release's refactorings under "Code
    # Architecture": no design; a design page beside them still counts.
    ("team.design_docs", "present-design-page-beside-release-notes"): (
        "present", ["docs/about/package_structure.rst:4 design-docs-present"], []),
    ("team.design_docs", "absent-release-notes-architecture-heading"): ("absent", [], []),
    ("team.design_docs", "present-design-section"): ("present", ["docs/internals.md:3 design-docs-present"]),
    ("team.design_docs", "present-numbered-architecture-dir"): (
        "present", ["docs/02-architecture/serving-layout.md:1 design-docs-present"]),
    ("team.design_docs", "absent-numbered-api-dir"): ("absent", []),
    ("team.design_docs", "present-data-flow-page"): ("present", ["docs/data-flow.md:1 design-docs-present"]),
    ("team.design_docs", "absent-data-usage-page"): ("absent", []),
    ("team.design_docs", "present-proposals-dir"): (
        "present", ["proposals/batch-scoring-queue.md:1 design-docs-present"]),
    ("team.design_docs", "absent-proposals-template-only"): ("absent", []),
}


@pytest.mark.parametrize(("practice", "case"), sorted(CASES), ids=lambda x: x)
def test_fixture(scan, practice, case):
    check_case(scan, CASES, practice, case)


@pytest.mark.parametrize("practice", ["team.readme", "team.contributing", "team.ownership", "team.design_docs"])
def test_every_fixture_folder_has_a_case(practice):
    check_fixture_folders(CASES, practice)


def test_readme_messages_are_literal(scan):
    obs = scan("team.readme/present-markdown")["team.readme"]
    assert [e.message for e in obs.evidence] == [
        "explains the purpose",
        "gives setup or run steps: pip install -r requirements.txt",
    ]
