"""Code checks for the team dimension: README content, CODEOWNERS rules, design docs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ....repo import RepoView
from ....repo.textutil import headings
from ....util.lazyre import lazy_re
from ..helpers import Hit, paths
from ..spec import DetectorSpec

# -- team.readme -----------------------------------------------------------------------------

README_GLOBS = ("/README", "/README.{md,markdown,rst,txt,adoc,org,mdx}")
_SETUP_HEADING = lazy_re(
    r"\b(install(ation|ing)?|set ?up|getting started|get started|quick ?start|usage|how to (run|use)|"
    r"running|run(ning)? (the|it|locally)|requirements|pre-?requisites?|training|reproduc\w*|"
    r"build(ing)?|development|local development|environment|deploy(ment)?|examples?|tutorial)\b",
    re.I,
)
_COMMAND = lazy_re(
    r"^(\$\s*|>\s*|%\s*|!\s*)?(sudo\s+)?("
    r"pip3?\s+install|python3?\s+-m\s+pip\s+install|conda\s+(env\s+)?(create|install|activate|update)|"
    r"mamba\s+(env\s+)?(create|install)|poetry\s+(install|run|shell)|uv\s+(sync|run|pip|venv)|"
    r"pipenv\s+(install|run|shell|sync)|pdm\s+(install|run)|hatch\s+run|"
    r"python3?\s+(-m\s+)?[\w./-]+|make(\s+[\w-]+)?$|make\s+[\w-]+|"
    r"docker(-compose|\s+compose)?\s+(build|run|up|pull)|bash\s+\S+|sh\s+\S+|\./[\w./-]+|"
    r"git\s+clone|dvc\s+(repro|pull|exp\s+run)|jupyter\s+(notebook|lab)|mlflow\s+(run|ui|server)|"
    r"streamlit\s+run|uvicorn\s+\S+|npm\s+(install|run|ci)|yarn(\s+install)?|pytest|tox|nox|"
    r"kedro\s+run|zenml\s+\w+|helm\s+install|kubectl\s+apply|source\s+\S+|export\s+\w+=|"
    r"[\w-]+\s+--(config|help)\b|accelerate\s+launch|torchrun|deepspeed)",
    re.I,
)
_NOT_PROSE = lazy_re(r"^\s*(\[!\[|!\[|<|\[[^\]]*\]\([^)]*\)\s*$|[-=*_]{3,}\s*$|\|)")
# A shell line left outside a code block (`conda activate env && conda install -y gcc`, `cd lib &&
# pip install -e .`) has the words of a sentence but states no purpose: commands chained with
# && / ||, or a command of the setup vocabulary with an option or continued on the next line
# (`python tools/merge.py \`), written in lower case as typed.
_SHELL_CHAIN = lazy_re(r"\S\s+(&&|\|\|)\s+\S")
# A line documenting a command's option (`-b: where the datasets are`, `--seed=N: ...`) describes
# the command, not the project.
_OPTION_DOC = lazy_re(r"^--?[A-Za-z][\w-]*(=\S+)?\s*:\s")
_SHELL_OPTION = lazy_re(r"\s--?[A-Za-z][\w-]*(?=\s|=|$)")
_WORD = lazy_re(r"[A-Za-z][A-Za-z'-]+")
_TOKEN = lazy_re(r"[\w'-]+")


def _cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x3040 <= o <= 0x30FF or 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF


def _word_count(text: str) -> int:
    """Words of any script written with spaces (Latin, Cyrillic, Hangul...): two letters or more,
    the first a letter; in Chinese and Japanese, written without spaces, each ideograph or kana
    counts as one."""
    if text.isascii():
        return len(_WORD.findall(text))
    n = 0
    for tok in _TOKEN.findall(text):
        if any(_cjk(ch) for ch in tok):
            n += sum(1 for ch in tok if _cjk(ch))
            tok = "".join(" " if _cjk(ch) else ch for ch in tok)
        n += sum(1 for w in tok.split() if w[0].isalpha() and sum(ch.isalpha() for ch in w) >= 2)
    return n


# A line of a directory tree (`├── Makefile  <- commands like `make data``, the project layout of
# cookiecutter templates): its inline code describes files, it is not a step to run.
_TREE_LINE = lazy_re(r"^\s*[├└│]")


def _code_lines(lines: list[str]) -> list[tuple[int, str]]:
    """Lines inside fenced / indented / reST literal blocks, plus inline `code` spans."""
    out: list[tuple[int, str]] = []
    fence: str | None = None
    rst_block = False
    for i, line in enumerate(lines, start=1):
        s = line.strip()
        if fence is not None:
            if s.startswith(fence):
                fence = None
            elif s:
                out.append((i, s))
            continue
        m = re.match(r"^\s*(```+|~~~+)", line)
        if m:
            fence = m.group(1)
            continue
        if rst_block:
            if s and not line.startswith((" ", "\t")):
                rst_block = False
            elif s:
                out.append((i, s))
                continue
        if s.endswith("::") or s.startswith((".. code", ".. code-block", ".. sourcecode")):
            rst_block = True
            continue
        if line.startswith(("    ", "\t")) and s and not s.startswith(("-", "*", "+")):
            out.append((i, s))
            continue
        if _TREE_LINE.match(line):
            continue
        for span in re.findall(r"`([^`]+)`", line):
            out.append((-i, span.strip()))  # inline spans: negative line = weaker, tried last
    return out


# Kedro's project template writes a README about Kedro itself ("This is your new Kedro project,
# which was generated using Kedro 0.18.3", how to install, run and test a Kedro project): kept
# as it is, it says nothing of what the project does. There, only a line of the Overview (or
# before any heading) that does not speak of Kedro states the purpose.
_KEDRO_TEMPLATE = "This is your new Kedro project"


def _kedro_template_prose(lines: list[str]) -> set[int]:
    """The lines of a Kedro template README that cannot state the project's purpose."""
    hs = headings(lines)
    out: set[int] = set()
    for idx, (ln, text) in enumerate(hs):
        if text.strip().lower() == "overview":
            continue
        end = hs[idx + 1][0] - 1 if idx + 1 < len(hs) else len(lines)
        out.update(range(ln, end + 1))
    out.update(i for i, line in enumerate(lines, start=1) if "kedro" in line.lower())
    return out


# A project template's description left as it came ("## Description" then "What it does",
# "TODO", "Add your description here"): the author has not said what the project is for.
_DESCRIPTION_HEADING = lazy_re(r"^(project\s+)?(description|about|overview|summary|introduction)\b", re.I)
_PLACEHOLDER = lazy_re(r"^[*_]*(what (it|this project) does|todo|tbd|coming soon|(add|insert|write) (a |your )?(project |short )?"
                       r"description( here)?|(your |project )?description (here|goes here)|describe your project( here)?|"
                       r"lorem ipsum\b.*)[*_.!]*$", re.I)


def _placeholder_description_line(lines: list[str]) -> int | None:
    """The line of a README's description heading whose section is only a template placeholder:
    what the README says after it (how to install, run, benchmark) does not say what the project
    is for; an introduction above it still may."""
    hs = headings(lines)
    for idx, (ln, text) in enumerate(hs):
        if _DESCRIPTION_HEADING.match(text.strip()):
            end = hs[idx + 1][0] - 1 if idx + 1 < len(hs) else len(lines)
            body = [t.strip() for t in lines[ln:end] if t.strip()]
            return ln if body and all(_PLACEHOLDER.match(t) for t in body) else None
    return None


def _purpose_line(lines: list[str]) -> int | None:
    """First prose line of six words or more; paragraphs before list items (news bullets)."""
    prose = _prose_lines(lines)
    if any(_KEDRO_TEMPLATE in line for line in lines[:40]):
        template = _kedro_template_prose(lines)
        prose = [(i, item) for i, item in prose if i not in template]
    if prose and any(_PLACEHOLDER.match(line.strip()) for line in lines):
        cut = _placeholder_description_line(lines)
        if cut is not None:
            prose = [(i, item) for i, item in prose if i < cut]
    plain = [i for i, is_item in prose if not is_item]
    return plain[0] if plain else (prose[0][0] if prose else None)


def _prose_lines(lines: list[str]) -> list[tuple[int, bool]]:
    out: list[tuple[int, bool]] = []
    in_code = False
    in_comment = False
    heading_lines = {ln for ln, _ in headings(lines)}
    for i, line in enumerate(lines, start=1):
        s = line.strip()
        # An HTML comment (a license header above the title) is not read by anyone on the page.
        if in_comment:
            in_comment = "-->" not in s
            continue
        if s.startswith("<!--") and "-->" not in s:
            in_comment = True
            continue
        if s.startswith(("```", "~~~")):
            in_code = not in_code
            continue
        if in_code or not s or i in heading_lines or s.startswith(("#", "..", ":")) or _NOT_PROSE.match(s):
            continue
        if _OPTION_DOC.match(s):
            continue
        if s[:1].islower() and (_SHELL_CHAIN.search(s) or (_COMMAND.match(s) and (_SHELL_OPTION.search(s) or s.endswith("\\")))):
            continue
        if re.match(r"^[=\-~^\"'`#*+]{3,}$", s) or line.startswith(("    ", "\t")):
            continue
        text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", s)  # links count by their text
        text = re.sub(r"<[^>]+>", " ", text)
        if _word_count(text) >= 6:
            out.append((i, bool(re.match(r"^([-*+]|\d+[.)])\s", s))))
    return out


def _setup_line(lines: list[str]) -> tuple[int, str] | None:
    """A command in a code block, else a non-empty setup-like section, else an inline command,
    else a line that is a command on its own."""
    code = _code_lines(lines)
    for ln, text in code:
        if ln > 0 and _COMMAND.match(text):
            return ln, f"gives setup or run steps: {text[:60]}"
    section = _setup_section(lines)
    if section:
        return section
    for ln, text in code:
        if ln < 0 and _COMMAND.match(text):
            return -ln, f"gives setup or run steps: {text[:60]}"
    for ln, line in enumerate(lines, start=1):
        if _BARE_COMMAND.match(line):
            return ln, f"gives setup or run steps: {line.strip()[:60]}"
    return None


# A README pasted without its Markdown keeps its commands as plain lines (`pip install -r
# app/requirements.txt`, `uvicorn app.main:app --reload`): a whole line that is a command, of
# forms prose never takes (a .py script, a module:app target, an install from a file), also
# as the whole of a list item.
_BARE_COMMAND = lazy_re(
    # a list item that is the command (`- docker compose up`) is a step too
    r"^\s*([-*+]\s+|\d+[.)]\s+)?(\$\s*)?(pip3?\s+install\s+(-r|-e|--requirement)\s+\S+(\s+\S+)*|pip3?\s+install\s+\.|"
    r"python3?\s+(-m\s+[\w.]+|[\w./-]+\.py)(\s+\S+)*|uvicorn\s+[\w.]+:\w+(\s+\S+)*|"
    r"docker(-compose|\s+compose)?\s+(build|run|up|pull)(\s+\S+)*?\s+(-\S+|\S*[/:.]\S*)(\s+\S+)*|"
    r"docker(-compose|\s+compose)\s+(up|build)|git\s+clone\s+\S+|"
    r"streamlit\s+run\s+[\w./-]+\.py(\s+\S+)*|dvc\s+(repro|pull)(\s+\S+)*)\s*$"
)


# Headings that announce steps by themselves. The other setup words also name what a project
# does or has ("3. Training, evaluating and logging the model", "Deployment architecture"): a
# section under them gives steps only where its body shows one (code, a command, a numbered
# step), not where it describes the feature.
_STEPS_HEADING = lazy_re(
    r"\b(install(ation|ing)?|set ?up|getting started|get started|quick ?start|usage|how to (run|use)|running|"
    r"run(ning)? (the|it|locally)|requirements|pre-?requisites?|reproduc\w*|tutorial)\b",
    re.I,
)
# "Model building", "Approach to building the solution": how the model was made, described; a
# numbered list under it lists choices (data format, algorithms), not steps to run.
_MODEL_BUILDING_HEADING = lazy_re(r"\b(approach(es)?\b.*\bbuild(ing)?|model\s+build(ing)?|build(ing)?\s+(the\s+|a\s+|our\s+)?"
                                  r"(ml\s+|machine\s+learning\s+)?(models?|solution|classifiers?|regressors?))\b", re.I)
_STEP_LINE = lazy_re(r"^\s*(```|~~~|\d+[.)]\s|(\$|>)\s)|`[^`]+`|^(    |\t)\S")


def _is_title(lines: list[str], ln: int) -> bool:
    """A level-1 heading (`# Name`, a setext `===` underline, `<h1>`): the document's title, which
    names the project ("# Scaled ML Deployment"), not one of its sections."""
    line = lines[ln - 1].lstrip()
    if re.match(r"#(?!#)", line) or re.match(r"(?i)<h1\b", line):
        return True
    return ln < len(lines) and re.match(r"^=+\s*$", lines[ln]) is not None


# A README pasted without its Markdown keeps its section titles as plain lines ("📝 How to Run",
# "Installation:"): a whole line that is only a steps heading, after any emoji or bullet.
_BARE_STEPS_HEADING = lazy_re(
    r"^[^\w\s]*\s*(how to (run|use|install|set ?up)( (it|this|the (project|code|app|pipeline)))?"
    r"( locally| on your (own )?(machine|computer|system|laptop))?|installation|install|"
    r"set ?up|getting started|get started|quick ?start|usage|running( (it|the (project|code|app|pipeline)|locally))?)"
    r"\s*:?\s*$", re.I)


# A line that is a step: it starts (after a bullet, a number or a word putting steps in order:
# "Next, install the requirements") with an instruction or a command.
_STEP_VERB = lazy_re(r"^([-*+•]\s*|\d+[.)]\s*|\$\s*)?((first|next|then|finally|now|after that|afterwards)\s*,?\s+)?"
                     r"(clone|install|run|attach|open|create|execute|start|launch|download|"
                     r"configure|build|copy|navigate|go to|cd|pip3?|python3?|docker|conda|make|git|uv|poetry|set up|activate|"
                     r"upload|import|deploy)\b", re.I)


def _bare_setup_section(lines: list[str]) -> tuple[int, str] | None:
    """A plain-line steps heading followed by steps: at least five words, one line of which
    starts with an instruction or a command (up to the next plain heading of its kind or 30
    lines)."""
    for ln, line in enumerate(lines, start=1):
        if not _BARE_STEPS_HEADING.match(line.strip()):
            continue
        body = []
        for nxt in lines[ln : ln + 30]:
            if _BARE_STEPS_HEADING.match(nxt.strip()):
                break
            if nxt.strip():
                body.append(nxt)
        if _word_count(" ".join(body)) >= 5 and any(_STEP_VERB.match(b.strip()) for b in body):
            return ln, f"has a setup/run section: {line.strip()[:60]}"
    return None


def _setup_section(lines: list[str]) -> tuple[int, str] | None:
    hs = headings(lines)
    if not hs:
        return _bare_setup_section(lines)
    for idx, (ln, text) in enumerate(hs):
        if not _SETUP_HEADING.search(text):
            continue
        if idx == 0 and _is_title(lines, ln):
            continue
        end = hs[idx + 1][0] - 1 if idx + 1 < len(hs) else len(lines)
        body = [s for s in lines[ln:end] if s.strip() and not re.match(r"^[=\-~^\"'`#*+]{3,}$", s.strip())]
        if not body or _word_count(" ".join(body)) < 5:
            continue
        if not _STEPS_HEADING.search(text) and not any(_STEP_LINE.search(s) for s in body):
            continue  # a feature described under a "Training" / "Deployment" heading
        if _MODEL_BUILDING_HEADING.search(text) and not _STEPS_HEADING.search(text) and \
                not any(_COMMAND.match(s.strip().lstrip("`")) for s in body):
            continue  # how the model was built (a numbered list of choices), no command to run
        return ln, f"has a setup/run section: {text[:60]}"
    return None


def readme_purpose_and_setup(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A root README with a prose paragraph (the purpose) and setup or run steps (a command in a
    code block, or a non-empty Installation/Usage/Getting started section)."""
    for rel in paths(view, det, README_GLOBS):
        lines = view.lines(rel)
        purpose = _purpose_line(lines)
        setup = _setup_line(lines)
        if purpose is not None and setup is not None:
            yield Hit(rel, purpose, "explains the purpose")
            yield Hit(rel, setup[0], setup[1])
            return


# -- team.ownership --------------------------------------------------------------------------

CODEOWNERS_GLOBS = ("/CODEOWNERS", "/.github/CODEOWNERS", "/docs/CODEOWNERS", "/.gitlab/CODEOWNERS")


def codeowners_rules(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A CODEOWNERS file with at least one rule assigning an owner (not only comments)."""
    for rel in paths(view, det, CODEOWNERS_GLOBS):
        for i, line in enumerate(view.lines(rel), start=1):
            s = line.strip()
            if not s or s.startswith(("#", "[", "^[")):
                continue
            parts = s.split()
            if len(parts) >= 2 and any(p.startswith("@") or "@" in p for p in parts[1:]):
                yield Hit(rel, i, f"assigns owners: {' '.join(parts[:3])[:80]}")
                return


# -- team.design_docs ------------------------------------------------------------------------

DOC_EXTS = (".md", ".markdown", ".rst", ".txt", ".adoc", ".org", ".mdx")
DIAGRAM_EXTS = (".puml", ".plantuml", ".drawio", ".mmd", ".mermaid", ".dsl")
# A numbered folder (docs/01-architecture/, 2_design/) is the same folder kept in reading order.
_DESIGN_DIR = lazy_re(
    r"^(?:\d{1,3}[-_. ]+)?(adrs?|decisions|architecture[-_ ]decision[-_ ]records?|design|designs|design[-_]docs?|"
    r"rfcs?|architecture|proposals?|enhancements|keps?)$",
    re.I,
)
# A decision log kept as one document (docs/DECISIONS.md, decision-log.md, decision_records.md):
# the ADR folder's content in a single file. A decision tree is a model, not a decision.
_DECISION_LOG = lazy_re(r"^(architecture[-_ ]|design[-_ ]|technical[-_ ])?decisions?([-_ ]?(log|records?|register))?$", re.I)
_DESIGN_FILE = lazy_re(
    r"(^|[-_ ])(architecture|design|adr[-_]?\d*|rfc[-_]?\d+|system[-_]design|technical[-_]design)([-_ .]|$)|^\d{3,4}[-_]",
    re.I,
)
# "Data flow": how the system moves data from raw input to the model, a design description.
# "Design" as a verb of a how-to step ("Step 0 - Design your dataset", "Design a prompt") is an
# instruction to the reader, not a section describing the system's design.
_DESIGN_HEADING = lazy_re(r"\barchitecture\b|\bdesign(s|\s+doc\w*|\s+decisions?|\s+principles?|\s+overview)?\b"
                          r"(?!\s+(your|yours|a|an|my|our)\b)|\bdata[ -]?flows?\b|\b(arquitetura|arquitectura|architettura)\b", re.I)
_HOWTO_STEP = lazy_re(r"^\s*(step|part|stage)\s*\d+\b", re.I)
_DESIGN_WORDS = ("architecture", "design", "arquitetura", "arquitectura", "architettura", "infra", "diagram")
# An image a docs page shows whose file is named for the system's architecture or infrastructure
# (![](img/aws_infra.jpeg), <img src="architecture.png">): the page describes the design with it.
_DESIGN_IMAGE = lazy_re(r"(?:!\[[^\]\n]*\]\(\s*<?|<img\s[^>\n]*?src\s*=\s*[\"'])([^)\s\"'>]*?(?<![a-z0-9])"
                        r"(?:architecture|arquitetura|arquitectura|architettura|infra|infrastructure|system[-_]?(?:design|diagram|overview)|"
                        r"design|diagram)(?:[_\-.][^)\s\"'>/]*)?\.(?:png|jpe?g|svg|gif|webp))", re.I)
_DOCS_ROOT = lazy_re(r"^(docs?|documentation|wiki)/", re.I)
# Outside docs/, a document of its own (a spec, notes, a project overview) that records the
# design: a heading naming its design decisions or rationale, or the system / technical design.
# A bare "Architecture" heading is not enough there (deployment guides and summaries have one),
# and the README, community files and agent instruction files are not design documents.
_DESIGN_RECORD_HEADING = lazy_re(r"\b(design|architectur(e|al))\s+(decisions?|rationale|choices|trade-?offs)\b|"
                                 r"\b(system|technical|software)\s+design\b(?!\s+(interview|course|exercises?)\b)", re.I)
_NOT_DESIGN_RECORD = lazy_re(r"^(readme|changelog|changes|history|news|contributing|code_of_conduct|security|support|"
                             r"license|authors|claude|agents|gemini|copilot-instructions)$", re.I)


# Release notes kept under docs/ (docs/whats_new/v_1.rst, docs/changelog/, docs/release-notes.md):
# a "Code Architecture" heading there lists a release's refactorings, it describes no design.
_RELEASE_NOTES = lazy_re(r"^(whats?[-_ ]?new|changelogs?|changes|history|news|release[-_ ]?notes?|releases)$", re.I)


def design_docs(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """ADR / design / RFC / proposal folders with documents, design or architecture documents by name,
    diagrams as code, or docs/ pages with an architecture or design heading (English, Portuguese,
    Spanish, Italian) or showing an architecture / infrastructure diagram image. Elsewhere, a
    document of its own (not the README, community or agent files) with a heading for its design
    decisions / rationale or the system's technical design."""
    cands = paths(view, det)
    for rel in cands:
        low = rel.lower()
        base = rel.rsplit("/", 1)[-1]
        stem = base.rsplit(".", 1)[0]
        dirs = rel.split("/")[:-1]
        if low.endswith(DOC_EXTS):
            in_design_dir = any(_DESIGN_DIR.match(d) for d in dirs)
            if in_design_dir and "template" not in stem.lower() and stem.lower() not in ("readme", "index"):
                line = next((i for i, s in enumerate(view.lines(rel), 1) if s.strip()), None)
                if line is not None:
                    yield Hit(rel, line, f"has a design document in {'/'.join(dirs)}/")
                    continue
            if _DECISION_LOG.match(stem) and "template" not in low:
                hs = headings(view.lines(rel))
                if len(hs) >= 3:  # a title and at least two recorded decisions, not a stub
                    yield Hit(rel, hs[1][0], f"records design decisions in {base}: {hs[1][1][:60]}")
                    continue
            if re.search(r"(architecture|design)", stem, re.I) and _DESIGN_FILE.search(stem):
                line = next((i for i, s in enumerate(view.lines(rel), 1) if s.strip()), None)
                if line is not None:
                    yield Hit(rel, line, f"has a design document {base}")
                    continue
            if _DOCS_ROOT.match(rel):
                if _RELEASE_NOTES.match(stem) or any(_RELEASE_NOTES.match(d) for d in dirs):
                    continue  # "Code Architecture" in a release's notes lists what changed
                text = view.text(rel) or ""
                low_text = text.lower()
                if not any(w in low_text for w in _DESIGN_WORDS):
                    continue
                for ln, heading in headings(view.lines(rel)):
                    if _DESIGN_HEADING.search(heading) and not _HOWTO_STEP.match(heading):
                        yield Hit(rel, ln, f"has a design section: {heading[:60]}")
                        break
                else:
                    m = _DESIGN_IMAGE.search(text)
                    if m:
                        yield Hit(rel, text.count("\n", 0, m.start()) + 1, f"shows an architecture diagram: {m.group(1)[-60:]}")
                continue
            if _NOT_DESIGN_RECORD.match(stem) or "template" in low:
                continue
            text = view.text(rel) or ""
            if "esign" not in text and "ESIGN" not in text:
                continue
            for ln, heading in headings(view.lines(rel)):
                if _DESIGN_RECORD_HEADING.search(heading) and not _HOWTO_STEP.match(heading):
                    yield Hit(rel, ln, f"records design decisions: {heading[:60]}")
                    break
        elif low.endswith(DIAGRAM_EXTS) and (_DOCS_ROOT.match(rel) or any(_DESIGN_DIR.match(d) for d in dirs)):
            yield Hit(rel, None, f"has an architecture diagram as code: {base}", snippet="")


CHECKS = {
    "readme_purpose_and_setup": readme_purpose_and_setup,
    "codeowners_rules": codeowners_rules,
    "design_docs": design_docs,
}
