"""Code checks for the gov (governance and compliance) dimension: model and data cards, the
documents that stand for them, approval gates in CI, CODEOWNERS sign-off on model directories.

Documentation practices have two classic near misses: an empty template (headings and
`[More Information Needed]` placeholders) and a document that only mentions the words
("see the model card"). Both are rejected by counting prose words that are not labels,
placeholders or headings.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from typing import Any

from ....repo import RepoView
from ....repo.textutil import headings
from ....util import yamlsafe
from ....util.lazyre import lazy_re
from ..helpers import Hit, matching_calls, paths, prefilters, python_files
from ..spec import DetectorSpec
from .data import LowerNeedles, py_tree

# -- prose words (templates are not documentation) -------------------------------------------

_PLACEHOLDER = lazy_re(
    r"\[more information needed\]|\[needs more information\]|more information needed|\{\{.*?\}\}|\{%.*?%\}|"
    r"<!--.*?-->|\bTODO\b|\bTBD\b|\bTBA\b|\bN/?A\b|\bXXX+\b|lorem ipsum|<[^>\n]{1,60}>|\[[A-Z _-]{3,}\]|"
    r"\[(your|insert|add|describe|enter|fill)[^\]]*\]|\((your|insert|add|describe|fill)[^)]*here\)",
    re.I | re.S,
)
_LABEL = lazy_re(r"^[\s>*_|-]*([\w /(),'-]{1,40}?)[*_\s]*:[*_\s]*(.*)$")
_WORD = lazy_re(r"[A-Za-z][A-Za-z'-]+")


def prose_words(text: str) -> int:
    """Words of real content: not headings, code fences, placeholders, HTML comments, link
    targets, or the labels of `label: value` lines (only values count)."""
    text = _PLACEHOLDER.sub(" ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"https?://\S+", " ", text)
    count = 0
    in_code = False
    for line in text.splitlines():
        s = line.strip()
        if s.startswith(("```", "~~~")):
            in_code = not in_code
            continue
        if in_code or not s or s.startswith("#") or re.match(r"^[=\-~^*_|:]{3,}$", s):
            continue
        m = _LABEL.match(s)
        if m and not s.endswith(".") and len(m.group(1).split()) <= 5:
            s = m.group(2)
        count += len(_WORD.findall(s))
    return count


def _front_matter(text: str) -> tuple[Any, int] | None:
    """(parsed YAML front matter, line of its first key) of a Markdown file, or None."""
    if not text.startswith("---"):
        return None
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return None
    for i in range(1, min(len(lines), 2000)):
        if lines[i].strip() in ("---", "..."):
            try:
                data = yamlsafe.load("\n".join(lines[1:i]))
            except yamlsafe.YamlError:
                return None
            return (data, 2) if isinstance(data, dict) else None
    return None


# -- gov.model_card / gov.data_card: card files ----------------------------------------------

_TEMPLATE_NAME = lazy_re(r"template|example|sample|skeleton|boilerplate", re.I)
_BINARY_DOC = (".pdf", ".xlsx", ".xls", ".docx", ".odt", ".ods")


def card_file(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A model / data card, datasheet or data dictionary file (names from the spec's `files`)
    with real content: at least `params.min_words` prose words for documents, a structured
    document with fields for JSON/YAML, a header and rows for CSV. Templates are skipped."""
    min_words = int(det.params.get("min_words", 40))
    what = det.params.get("what", "card")
    for rel in paths(view, det):
        base = rel.rsplit("/", 1)[-1]
        low = base.lower()
        if _TEMPLATE_NAME.search(low):
            continue
        if low.endswith(_BINARY_DOC):
            if view.size(rel) > 2048:
                yield Hit(rel, None, f"has {what} {base}", snippet="")
            continue
        text = view.text(rel)
        if not text:
            continue
        first = next((i for i, s in enumerate(text.splitlines(), 1) if s.strip()), None)
        if low.endswith((".json", ".yaml", ".yml", ".proto", ".pbtxt")):
            if len(_WORD.findall(text)) >= min_words:
                yield Hit(rel, first, f"has {what} {base}")
            continue
        if low.endswith((".csv", ".tsv")):
            rows = [s for s in text.splitlines() if s.strip()]
            if len(rows) >= 3:
                yield Hit(rel, first, f"has {what} {base} ({len(rows) - 1} entries)")
            continue
        if low.endswith((".html", ".htm")):
            text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S | re.I)
            text = re.sub(r"<[^>]+>", " ", text)
        body = text
        if _front_matter(text) is not None:
            body = text.split("\n---", 1)[1]
        if prose_words(body) >= min_words:
            yield Hit(rel, first, f"has {what} {base}")


_MODEL_KEYS = ("model-index", "pipeline_tag", "library_name", "base_model")
_DATASET_KEYS = ("dataset_info", "task_categories", "size_categories", "annotations_creators", "language_creators",
                 "source_datasets", "task_ids", "multilinguality", "pretty_name")


def card_metadata(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """Hugging Face card metadata: README front matter with model keys (`model-index`,
    `pipeline_tag`, `library_name`, `base_model`) or dataset keys (`dataset_info`,
    `task_categories`, `size_categories`, ...). Spaces (`sdk:`) are apps, not cards."""
    dataset = det.params.get("card") == "dataset"
    wanted = _DATASET_KEYS if dataset else _MODEL_KEYS
    other = _MODEL_KEYS if dataset else _DATASET_KEYS
    for rel, text in view.texts(paths(view, det)):
        if not text.startswith("---"):
            continue
        fm = _front_matter(text)
        if fm is None:
            continue
        data, offset = fm
        if "sdk" in data or "app_file" in data:
            continue
        keys = [k for k in wanted if k in data and data[k] not in (None, "", [], {})]
        if not keys:
            continue
        # A dataset card lists `task_categories`; a model card may too — decide by the rest.
        if dataset and not any(k in data for k in ("dataset_info", "size_categories", "annotations_creators",
                                                     "source_datasets", "task_ids", "pretty_name", "configs")):
            continue
        if not dataset and sum(1 for k in other if k in data) > len(keys):
            continue
        key = keys[0]
        line = data.line_of(key, 1) + offset - 1 if hasattr(data, "line_of") else 1
        yield Hit(rel, line, f"has Hugging Face {'dataset' if dataset else 'model'} card metadata ({key})")


# -- gov.model_card: a document with intended use and limitations / metrics ------------------

# "Out-of-scope use(s)" is a model card's section; a bare "Out of Scope" heading (beside "In
# Scope") is a project's or design doc's scope list, not what a model must not be used for.
_INTENDED = lazy_re(r"intended[ -](use|uses|usage|purpose|application)|out[- ]of[- ]scope[ -](uses?|usages?|use[ -]cases?|applications?)\b|"
                       r"^(direct |downstream )?uses?$|"
                       r"primary (intended )?use", re.I)
_LIMITS = lazy_re(r"limitation|caveat|risks?\b|bias|ethic|fairness|known issues|failure modes", re.I)
_METRICS = lazy_re(r"metric|evaluation|performance|results|accuracy|benchmark", re.I)
_MODEL_WORD = lazy_re(r"\bmodels?\b", re.I)


def _section_words(lines: list[str], hs: list[tuple[int, str]], idx: int) -> int:
    start = hs[idx][0]
    end = hs[idx + 1][0] - 1 if idx + 1 < len(hs) else len(lines)
    return prose_words("\n".join(lines[start:end]))


_INTENDED_NEEDLES = LowerNeedles("intended", "out-of-scope", "out of scope", "uses")


@prefilters(*_INTENDED_NEEDLES.needles)
def model_doc_sections(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A document about a model with a filled "Intended use" (or out-of-scope / uses) section
    and a filled "Limitations" (risks, bias, caveats) or "Metrics/Evaluation" section."""
    for rel, text in view.texts(paths(view, det)):
        if not _INTENDED_NEEDLES.in_file(view, rel, text):
            continue
        if not _MODEL_WORD.search(text):
            continue
        lines = text.splitlines()
        hs = headings(lines)
        intended = [i for i, (_, h) in enumerate(hs) if _INTENDED.search(h.strip(" *_`:"))]
        if not intended:
            continue
        good_intended = [i for i in intended if _section_words(lines, hs, i) >= 8 or _subsections_filled(lines, hs, i)]
        if not good_intended:
            continue
        other = [i for i, (_, h) in enumerate(hs) if (_LIMITS.search(h) or _METRICS.search(h)) and i not in intended]
        if not any(_section_words(lines, hs, i) >= 8 or _subsections_filled(lines, hs, i) for i in other):
            continue
        ln, h = hs[good_intended[0]]
        yield Hit(rel, ln, f"documents a model's intended use ({h.strip()[:50]}) and limitations or metrics")


def _subsections_filled(lines: list[str], hs: list[tuple[int, str]], idx: int) -> bool:
    """An empty heading followed by filled sub-headings (`## Uses` / `### Direct Use`)."""
    level = _level(lines, hs[idx][0])
    for j in range(idx + 1, min(idx + 4, len(hs))):
        if _level(lines, hs[j][0]) <= level:
            break
        if _section_words(lines, hs, j) >= 8:
            return True
    return False


def _level(lines: list[str], ln: int) -> int:
    m = re.match(r"^\s{0,3}(#{1,6})\s", lines[ln - 1]) if 0 < ln <= len(lines) else None
    return len(m.group(1)) if m else 1


# -- gov.data_card: a document describing a dataset's fields ---------------------------------

# Sections of a datasheet / dataset card, by kind: a document needs one field-level section
# or sections of two different kinds (the same heading repeated per dataset is one kind).
_DATA_SECTIONS = (
    ("fields", lazy_re(r"data(set)?[ -](fields|dictionary)|column descriptions?|feature descriptions?|datasheet", re.I)),
    ("instances", lazy_re(r"data[ -](instances|splits)|dataset[ -]splits", re.I)),
    ("creation", lazy_re(r"dataset[ -](creation|composition)|data[ -]collection|collection process|"
                            r"annotation process|curation rationale|source data|^composition$|^motivation$", re.I)),
    ("summary", lazy_re(r"dataset[ -](description|summary|structure)|data[ -](description|sources?)|"
                           r"^(columns|fields|schema)$|field descriptions?", re.I)),
)
_STRONG_KINDS = ("fields",)
# "RATINGS FILE DESCRIPTION", "Data file format": the layout of the dataset's files, a data
# dictionary where the doc sits in a data folder (plain-text dataset READMEs write it so).
_FILE_SECTION = lazy_re(r"^(\w+ )?(data |dataset )?files? (descriptions?|formats?|layout)$", re.I)
# English, and the same headers in Portuguese, Spanish, French and Italian data dictionaries
# (| Variável | Tipo | Descrição |, | Columna | Descripción |).
_TABLE_HEAD = lazy_re(r"^\s*\|?\s*\**(column|column name|field|field name|feature|feature name|variable|"
                         r"variable name|attribute|name|vari[aá]vel|coluna|columna|colonne|colonna|campo|champ|atributo|attribut|"
                         r"nome da (?:coluna|vari[aá]vel)|nombre de (?:la )?(?:columna|variable)|nom de (?:la )?(?:colonne|variable))\**\s*\|(.*)$", re.I)
_DESC_COL = lazy_re(r"\b(description|meaning|definition|explanation|descri[çc][ãa]o|descripci[oó]n|descrizione|significado|"
                       r"signification|significato|d[ée]finition)\b", re.I)
_DATA_CONTEXT = lazy_re(r"\b(data|dataset|datasets|columns|schema|features|data dictionary)\b", re.I)
_CONFIG_COL = lazy_re(r"\b(default|suggested|required|env|environment|flag|option|argument|parameter)\b", re.I)
_DATA_DIR = lazy_re(r"(^|/)(data|datasets?|schemas?|data[_-]?docs?)(/|$)", re.I)
_DATA_FILE = lazy_re(r"(^|[_-])(data|dataset|datasets|schema|columns|features)([_-]|$)", re.I)


# A list of fields with their meaning (`- dteday : date`, `* `churned`: cancelled in 30 days`), as
# dataset READMEs (the UCI Readme.txt among them) write a data dictionary without a table: under
# a heading naming a dataset's fields anywhere, or naming fields/columns in a data folder's doc.
# A "Dataset description" / "Dataset structure" section whose list names the fields counts too.
_FIELD_LIST_HEADING = re.compile(r"data ?(set)?[ -](fields|columns|dictionary|characteristics|attributes|variables)|"
                                 r"attribute information|(column|field|variable) descriptions?|"
                                 r"data ?set[ -](description|structure)", re.I)
_FIELD_LIST_HEADING_IN_DATA = re.compile(r"^(fields|columns|variables|attributes|schema)$", re.I)
# "Features" is also a product README's list of selling points: as a list of dataset fields it
# counts only in a data folder's doc that sits beside the data file it describes.
_FEATURE_LIST_HEADING_BESIDE_DATA = re.compile(r"^features$", re.I)
_DATA_FILE_EXTS = (".csv", ".tsv", ".parquet", ".xlsx", ".xls", ".arff", ".jsonl", ".feather")
_FIELD_ITEM = re.compile(r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?`?[A-Za-z_][\w.-]*`?\s*(?:\([^()]*\)\s*)?[:\u2014\u2013]\s+\S")
_MIN_FIELD_ITEMS = 3

_DATA_DOC_NEEDLES = LowerNeedles("| column", "| field", "| feature", "| variable", "| attribute", "|column", "|field",
                                 "|feature", "|variable", "| name", "data field", "dictionary", "datasheet",
                                 "dataset structure", "data instances", "collection process", "dataset description", "file description",
                                 "data description", "schema", "columns", "characteristics", "attribute information",
                                 "fields", "variables", "attributes", "features", "| variáv", "|variáv", "| coluna", "| columna",
                                 "| colonne", "| colonna", "| campo", "| champ", "| atributo", "| attribut")


@prefilters(*_DATA_DOC_NEEDLES.needles)
def data_doc_fields(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A document that describes a dataset: a table of its columns with descriptions (under a
    data/dataset/columns heading, or in a data folder), or datasheet sections (data fields,
    dataset structure, collection process...: one strong or two filled sections)."""
    for rel, text in view.texts(paths(view, det)):
        if not _DATA_DOC_NEEDLES.in_file(view, rel, text):
            continue
        lines = text.splitlines()
        hs = headings(lines)
        stem = rel.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        in_data_path = bool(_DATA_DIR.search(rel.rsplit("/", 1)[0] if "/" in rel else "")) or bool(
            _DATA_FILE.search(stem))
        hit = _field_table(lines, hs, in_data_path)
        if hit is not None:
            yield Hit(rel, hit, "describes dataset columns in a table")
            continue
        hit = _field_list(lines, hs, in_data_path, lambda: _beside_data_file(view, rel))
        if hit is not None:
            yield Hit(rel, hit[0], f"describes dataset fields in a list: {hit[1][:60]}")
            continue
        kinds: dict[str, int] = {}
        for i, (_, h) in enumerate(hs):
            kind = next((k for k, rx in _DATA_SECTIONS if rx.search(h.strip(" *_`:"))), None)
            if kind and kind not in kinds and (_section_words(lines, hs, i) >= 8 or _has_table(lines, hs, i)):
                kinds[kind] = i
        strong = [kinds[k] for k in _STRONG_KINDS if k in kinds]
        if in_data_path and not strong:
            strong = [i for i, (_, h) in enumerate(hs)
                      if _FILE_SECTION.search(h.strip(" *_`:")) and _section_words(lines, hs, i) >= 8][:1]
        if strong or len(kinds) >= 2:
            i = strong[0] if strong else min(kinds.values())
            yield Hit(rel, hs[i][0], f"documents a dataset: {hs[i][1].strip()[:60]}")


# dbt properties files (models/**/schema.yml): `columns:` of models, seeds, snapshots or source
# tables with a description each are the project's data dictionary (what `dbt docs` renders).
_DBT_KINDS = ("models", "seeds", "snapshots")
_MIN_DBT_COLUMNS = 3


def _dbt_described_columns(node: Any) -> tuple[int, int]:
    """(described columns, line of the first such `columns:`) of one model/seed/table entry."""
    cols = node.get("columns") if isinstance(node, dict) else None
    if not isinstance(cols, list):
        return 0, 0
    n = sum(1 for c in cols if isinstance(c, dict) and isinstance(c.get("description"), str) and c["description"].strip())
    return n, (node.line_of("columns", 0) or 0) if n else 0


# A top-level `version: 2` line: checked before a YAML parse, which a large pipeline spec that
# happens to say "columns:" and "description" would make costly (0.5 s on one repository).
_DBT_VERSION_LINE = lazy_re(r"^version\s*:\s*[\"']?2[\"']?\s*(#.*)?$", re.M)


@prefilters("columns:")
def dbt_columns_described(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A dbt properties file (version: 2) describing at least three columns of its models,
    seeds, snapshots or source tables: column tests alone are not documentation."""
    for rel in view.with_any(paths(view, det), ("columns:",)):
        text = view.text(rel) or ""
        if "description" not in text or not _DBT_VERSION_LINE.search(text):
            continue
        doc = view.yaml(rel)
        if not isinstance(doc, dict) or str(doc.get("version", "")).strip() != "2":
            continue
        entries: list[Any] = []
        for kind in _DBT_KINDS:
            if isinstance(doc.get(kind), list):
                entries += doc[kind]
        for src in doc.get("sources") or []:
            if isinstance(src, dict) and isinstance(src.get("tables"), list):
                entries += src["tables"]
        total, first = 0, 0
        for entry in entries:
            n, line = _dbt_described_columns(entry)
            total += n
            first = first or line
        if total >= _MIN_DBT_COLUMNS:
            yield Hit(rel, first or 1, f"dbt properties describe {total} columns")


def _beside_data_file(view: RepoView, rel: str) -> bool:
    """A tabular data file (read, or skipped as over the size cap) is in the document's folder."""
    folders = view.memo.get("gov.data_file_folders")
    if folders is None:
        data_files = [p for ext in _DATA_FILE_EXTS for p in view.by_ext(ext)]
        data_files += [f.path for f in view.skipped if f.path.lower().endswith(_DATA_FILE_EXTS)]
        folders = view.memo["gov.data_file_folders"] = frozenset(p.rsplit("/", 1)[0] if "/" in p else "" for p in data_files)
    return (rel.rsplit("/", 1)[0] if "/" in rel else "") in folders


def _field_list(lines: list[str], hs: list[tuple[int, str]], in_data_path: bool,
                beside_data: Callable[[], bool] = lambda: False) -> tuple[int, str] | None:
    """(line, heading) of a section naming a dataset's fields whose body lists at least three
    `name: meaning` items; a bare Fields/Columns heading only counts in a data folder's doc, a
    Features heading only in a data folder's doc beside a data file."""
    for idx, (ln, text) in enumerate(hs):
        h = text.strip(" *_`:")
        if not (_FIELD_LIST_HEADING.search(h) or (in_data_path and _FIELD_LIST_HEADING_IN_DATA.match(h))
                or (in_data_path and _FEATURE_LIST_HEADING_BESIDE_DATA.match(h) and beside_data())):
            continue
        end = hs[idx + 1][0] - 1 if idx + 1 < len(hs) else len(lines)
        items = sum(1 for s in lines[ln:end] if _FIELD_ITEM.match(s))
        if items >= _MIN_FIELD_ITEMS:
            return ln, h
    return None


def _has_table(lines: list[str], hs: list[tuple[int, str]], idx: int) -> bool:
    start = hs[idx][0]
    end = hs[idx + 1][0] - 1 if idx + 1 < len(hs) else len(lines)
    return sum(1 for s in lines[start:end] if s.strip().startswith("|")) >= 3


def _field_table(lines: list[str], hs: list[tuple[int, str]], in_data_path: bool) -> int | None:
    """Line of a Markdown table `| column | ... description |` with at least two rows, in a
    data context (a heading about data/columns above it, or a data-ish path)."""
    for i, line in enumerate(lines):
        if "|" not in line:
            continue
        m = _TABLE_HEAD.match(line)
        if not m or not _DESC_COL.search(m.group(2)) or _CONFIG_COL.search(line):
            continue
        if i + 1 >= len(lines) or not re.match(r"^\s*\|?\s*:?-{2,}", lines[i + 1]):
            continue
        rows = 0
        for s in lines[i + 2:]:
            if not s.strip().startswith("|") and "|" not in s:
                break
            rows += 1
        if rows < 2:
            continue
        above = [h for ln, h in hs if ln <= i + 1]
        if in_data_path or (above and _DATA_CONTEXT.search(above[-1])):
            return i + 1
    return None


# -- gov.fairness ----------------------------------------------------------------------------

_FAIRNESS_METRIC = lazy_re(
    r"^[^#\n]*?\b(demographic_parity\w*|equali[sz]ed_odds\w*|equal_opportunity\w*|disparate_impact\w*|"
    r"statistical_parity\w*|average_odds_difference|predictive_parity\w*|(un)?privileged_groups|"
    # the four-fifths (adverse impact) rule; the subgroup AUCs of identity-bias evaluations
    r"four_fifths\w*|adverse_impact\w*|subgroup_auc\w*|bpsn_auc\w*|bnsp_auc\w*)\b",
    re.I | re.M,
)
_GROUP_ATTRIBUTE = lazy_re(r"^[^#\n]*?\b((protected|sensitive)_(attributes?|features?|groups?))\b", re.I | re.M)
_FAIRNESS_CONTEXT = lazy_re(r"fair|bias|parity|disparit|equal[ _]?opportunit|discriminat", re.I)
# Identity / demographic groups a text or face model is sliced by (IDENTITY_TERMS, identity_groups,
# demographic_groups), in a file about fairness: `bias` alone is also a layer's bias term, and a
# GAN's discriminator discriminates images, not people.
_IDENTITY_GROUPS = lazy_re(r"^[^#\n]*?\b((identity|demographic)_(terms?|groups?|subgroups?|attributes?|columns?))\b", re.I | re.M)
_IDENTITY_CONTEXT = lazy_re(r"fairness|unfair|parity|disparit|discriminat(ion|ory)|unintended[ _]bias", re.I)
_FAIRNESS_NEEDLES = LowerNeedles("parity", "equalized", "equalised", "opportunity", "disparate", "privileged",
                                 "protected_", "sensitive_", "average_odds", "four_fifths", "adverse_impact",
                                 "subgroup_auc", "bpsn_auc", "bnsp_auc", "identity_", "demographic_")


def _fairness_match(text: str) -> re.Match[str] | None:
    m = _FAIRNESS_METRIC.search(text)
    if m is None:
        g = _GROUP_ATTRIBUTE.search(text)
        if g is not None and _FAIRNESS_CONTEXT.search(text):
            m = g
    if m is None:
        g = _IDENTITY_GROUPS.search(text)
        if g is not None and _IDENTITY_CONTEXT.search(text):
            m = g
    return m


@prefilters(*_FAIRNESS_NEEDLES.needles)
def fairness_terms(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """Code computing fairness metrics by name (demographic parity, equalized odds, disparate
    impact, statistical parity, privileged/unprivileged groups), or naming protected /
    sensitive attributes in a file about fairness or bias (privacy code that masks
    "sensitive features" is not fairness). Comments do not count."""
    for rel, text in view.texts(paths(view, det, ("*.py", "*.ipynb"))):
        nb = rel.endswith(".ipynb")
        # A notebook's cell sources, not its JSON: only code cells count, and lowercasing a
        # 16 MB notebook's outputs costs memory for nothing.
        if not _FAIRNESS_NEEDLES.in_file(view, rel, (view.source_text(rel) or "") if nb else text):
            continue
        if nb:
            for cell in view.notebook(rel) or []:
                if cell.kind != "code":
                    continue
                m = _fairness_match(cell.source)
                if m:
                    ln = cell.source.count("\n", 0, m.start(1)) + 1
                    yield Hit(rel, ln, f"computes fairness across groups: {m.group(1)}", cell.number)
                    break
            continue
        m = _fairness_match(text)
        if m:
            yield Hit(rel, text.count("\n", 0, m.start(1)) + 1, f"computes fairness across groups: {m.group(1)}")


# -- gov.approval ----------------------------------------------------------------------------

NON_PROD_ENV = lazy_re(
    r"^(pypi|test-?pypi|pypi-?test|github-pages|gh-?pages|pages|docs?|documentation|preview|review[\w-]*|ci|"
    r"tests?|testing|dev|develop(ment)?|local|sandbox|codecov|coverage|benchmarks?|copilot|npm|conda|anaconda|"
    r"artifacts?|website|site|storybook|chromatic|release-drafter)$",
    re.I,
)
_PUBLISH = lazy_re(
    r"pypa/gh-action-pypi-publish|twine\s+upload|poetry\s+publish|uv\s+publish|hatch\s+publish|flit\s+publish|"
    r"pdm\s+publish|npm\s+publish|anaconda\s+upload|peaceiris/actions-gh-pages|actions/deploy-pages|"
    r"mkdocs\s+gh-deploy|JamesIves/github-pages-deploy-action|release-drafter|softprops/action-gh-release",
    re.I,
)


def _env_name(env: Any) -> str:
    if isinstance(env, str):
        return env
    if isinstance(env, dict) and isinstance(env.get("name"), str):
        return env["name"]
    return ""


_STAGE_ENV = lazy_re(r"prod|prd|live|release|stag|uat|deploy|\$\{\{", re.I)
# The workflow Azure App Service's Deployment Center commits names the environment after the
# deployment slot and points its url at the output of its own deploy step (id deploy-to-webapp /
# deploy-to-function); Azure creates that environment without required reviewers.
_AZURE_GENERATED_ENV_URL = lazy_re(r"^\$\{\{\s*steps\.(deploy-to-webapp|deploy-to-function)\.outputs\.", re.I)
_AZURE_APP_DEPLOY = lazy_re(r"^azure/(webapps-deploy|functions-action)@", re.I)


def _azure_generated_environment(raw: dict) -> bool:
    """The job's environment is the one Azure App Service's generated workflow declares: its url
    is the output of the job's own azure/webapps-deploy (functions-action) step."""
    env = raw.get("environment")
    url = env.get("url") if isinstance(env, dict) else None
    m = _AZURE_GENERATED_ENV_URL.match(url.strip()) if isinstance(url, str) else None
    if not m:
        return False
    steps = raw.get("steps")
    return any(isinstance(st, dict) and str(st.get("id", "")).lower() == m.group(1).lower()
               and isinstance(st.get("uses"), str) and _AZURE_APP_DEPLOY.match(st["uses"].strip())
               for st in (steps if isinstance(steps, list) else ()))


_PRINT_ONLY = lazy_re(r"^\s*(echo|printf|sleep|true|:)(\s|$)")
_NEUTRAL_ACTION = lazy_re(r"^(actions/checkout|actions/setup-[\w-]+)@", re.I)


def _placeholder_job(job: Any) -> bool:
    """A job whose steps only check out the code and print (echo "Deploying the model to
    production"): a placeholder of a deployment to come, which deploys nothing."""
    texts = [c.text for s in job.steps for c in s.commands]
    uses = [s.uses for s in job.steps if s.uses]
    return bool(texts) and all(_PRINT_ONLY.match(t) for t in texts) and all(_NEUTRAL_ACTION.match(u) for u in uses)


def environment_gate(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A GitHub Actions job deploying to a named deployment stage (production, staging,
    release, or an expression choosing one): where required reviewers are configured.
    Package publishing (PyPI, GitHub Pages, docs), dev/test environments, environments
    used only to hold secrets (`branch-protection-main`) and the environment of the workflow
    Azure App Service generates (which Azure creates without reviewers) are not a production
    approval gate."""
    allowed = set(paths(view, det)) if (det.files or det.exclude) else None
    for pipe in view.ci():
        if pipe.system != "github" or (allowed is not None and pipe.path not in allowed):
            continue
        for job in pipe.jobs:
            raw = job.raw if isinstance(job.raw, dict) else {}
            name = _env_name(raw.get("environment"))
            if not name or NON_PROD_ENV.match(name.strip()) or not _STAGE_ENV.search(name):
                continue
            if _azure_generated_environment(raw):
                continue  # created by Azure with the workflow it generates, not a gate set up by the project
            blob = " ".join([s.uses for s in job.steps] + [c.text for s in job.steps for c in s.commands])
            if _PUBLISH.search(blob):
                continue
            if _placeholder_job(job):
                continue  # a job that only prints deploys nothing: no gate before production
            line = raw.line_of("environment", job.line) if hasattr(raw, "line_of") else job.line
            yield Hit(pipe.path, line, f"job {job.name} deploys to environment {name}")
            break


_PROD_ENV = lazy_re(r"prod|prd|live|release|uat", re.I)
_ADO_DEPLOYMENT = lazy_re(r"^(\s*)-\s*deployment:\s*\S", re.M)


@prefilters("deployment:")
def ado_deployment_environment(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """An Azure Pipelines deployment job targeting a production environment (where approvals
    and checks are configured). Other environments (a test or A/B environment) are often
    created on the fly without checks, so only production-like names count."""
    for rel, text in view.texts(view.with_any(paths(view, det), ("deployment:",))):
        if "environment" not in text:
            continue
        lines = text.split("\n")
        for m in _ADO_DEPLOYMENT.finditer(text):
            start = text.count("\n", 0, m.start())
            indent = len(m.group(1))
            for j in range(start + 1, min(start + 40, len(lines))):
                s = lines[j]
                if s.strip() and (len(s) - len(s.lstrip())) <= indent:
                    break
                em = re.match(r"^\s*environment:\s*['\"]?([^'\"#\s]*)", s)
                if not em:
                    continue
                name = em.group(1)
                if not name:  # `environment:` with `name:` below
                    nm = next((re.match(r"^\s*name:\s*['\"]?([^'\"#\s]+)", lines[k]) for k in range(j + 1, min(j + 4, len(lines)))
                               if re.match(r"^\s*name:", lines[k])), None)
                    name = nm.group(1) if nm else ""
                if name and _PROD_ENV.search(name.split(".")[0]):
                    yield Hit(rel, j + 1, f"deployment job targets environment {name}")
                    return
                break


_PENDING = lazy_re(r"PendingManualApproval|transition-requests/create|create_transition_request")
_APPROVED_CONSUMED = lazy_re(
    r"(ModelApprovalStatus|approval_status|ApprovalStatus)[\"']?\s*[=:]\s*[\"']Approved[\"']|"
    r"[\"']ModelApprovalStatus[\"']\s*:\s*\[\s*[\"']Approved|ModelPackageStateChange|"
    r"[\"']Approved[\"']\s*[,\]]",
)
_PENDING_NEEDLES = ("PendingManualApproval", "transition-requests/create", "create_transition_request")
_SCOPE_NEEDLES = ("Approv", "transition")
_CONSUMED_NEEDLES = ("Approved", "ModelPackageStateChange")


@prefilters(*_PENDING_NEEDLES, *_SCOPE_NEEDLES, *_CONSUMED_NEEDLES)
def pending_approval_gate(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """New model versions registered as `PendingManualApproval` where deployment takes only
    `Approved` packages (a filter or an event rule on the approval status), or Databricks
    stage-transition requests. Registering as pending while deploying whatever was registered
    is no gate."""
    cands = paths(view, det)
    # Only files mentioning an approval or a transition count. Every `_PENDING` match lies in
    # such a file, and without one nothing is reported, so the approval filter (a regex that
    # sre cannot prefix-scan) runs only when something is pending, on files that contain
    # "Approved" or "ModelPackageStateChange" (one of which every match contains).
    pending: list[tuple[str, int]] = []
    consumed = False
    for rel, text in view.texts(view.with_any(cands, _PENDING_NEEDLES)):
        m = _PENDING.search(text)
        if m:
            pending.append((rel, text.count("\n", 0, m.start()) + 1))
            if m.group(0) != "PendingManualApproval":
                consumed = True  # a transition request is itself the approval workflow
    if not pending:
        return
    if not consumed:
        for rel, text in view.texts(view.with_any(cands, _CONSUMED_NEEDLES)):
            if view.contains_any(rel, _SCOPE_NEEDLES) and _APPROVED_CONSUMED.search(text):
                consumed = True
                break
    if not consumed:
        return
    for rel, line in pending:
        if rel.endswith(".ipynb"):
            for cell in view.notebook(rel) or []:
                m = _PENDING.search(cell.source)
                if m:
                    ln = cell.source.count("\n", 0, m.start()) + 1
                    yield Hit(rel, ln, "registers models pending manual approval", cell.number)
                    break
            continue
        yield Hit(rel, line, "registers models pending manual approval; deployment takes approved versions")


_DEPLOY_JOB = lazy_re(r"deploy|prod|release|promot|rollout|serve|publish[-_ ]model|go[-_ ]?live", re.I)
_DOCS_JOB = lazy_re(r"docs?\b|pages|documentation", re.I)


def gitlab_manual_deploy(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A GitLab CI deploy job that waits for a person (`when: manual`, directly or in a rule)."""
    for pipe in view.ci():
        if pipe.system != "gitlab":
            continue
        for job in pipe.jobs:
            raw = job.raw if isinstance(job.raw, dict) else {}
            manual = raw.get("when") == "manual" or "'when': 'manual'" in repr(yamlsafe.plain(raw.get("rules", "")))
            if not manual:
                continue
            env = _env_name(raw.get("environment"))
            label = " ".join([job.name, str(raw.get("stage", "")), env])
            if not _DEPLOY_JOB.search(label) or _DOCS_JOB.search(job.name):
                continue
            line = raw.line_of("when", job.line) if raw.get("when") == "manual" and hasattr(raw, "line_of") else job.line
            yield Hit(pipe.path, line, f"deploy job {job.name} runs only when started by hand")
            break


_MODEL_PATH = lazy_re(
    r"(^|/)(models?|model[_-]?(registry|artifacts?|configs?|cards?|weights)|trained[_-]?models?|ml[_-]?models?|"
    r"saved[_-]?models?)(/|$)|\.(onnx|pt|pth|pkl|joblib|h5|safetensors|ckpt)\b",
    re.I,
)


def codeowners_model_dirs(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A CODEOWNERS rule that assigns owners to model directories or model files: the
    required sign-off on changes to models. A catch-all `*` rule is ownership, not a model gate."""
    for rel in paths(view, det):
        for i, line in enumerate(view.lines(rel), start=1):
            s = line.strip()
            if not s or s.startswith(("#", "[", "^[")):
                continue
            parts = s.split()
            if len(parts) < 2 or not any("@" in p for p in parts[1:]):
                continue
            if _MODEL_PATH.search(parts[0]):
                yield Hit(rel, i, f"requires owners' review of {parts[0]}")
                return


# -- gov.explainability: an explanation method written by hand -------------------------------

# What a hand-written attribution method is called: Grad-CAM and its variants, saliency maps,
# integrated gradients, occlusion / attention-rollout maps, class activation maps.
_XAI_NAME = lazy_re(r"(?i)grad_?cam|gradcam|saliency|integrated_?gradients?|smooth_?grad|guided_?backprop|"
                    r"occlusion_?(map|sensitivity)|attention_?rollout|(layer|score|eigen)_?cam|class_?activation_?maps?|"
                    r"(^|_)cam_?(heatmap|overlay|map)|attribution_?map")
_XAI_DEF_TEXT = lazy_re(r"(?im)^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+\w*(grad_?cam|saliency|integrated_?gradient|smooth_?grad|"
                        r"guided_?backprop|occlusion|attention_?rollout|cam_|_cam|class_?activation|attribution_?map)")
# Saliency prediction is also a vision task of its own: a SaliencyNet, train_saliency_model()
# or a SaliencyDataset learns maps, it does not explain a prediction.
_XAI_TASK_NAME = lazy_re(r"(?i)train|fit|loss|data_?set|loader|(net|model|module)s?$|^(net|model)_")
# The gradients (or activations) of the model an attribution is computed from.
_GRADIENT_OPS = ("register_hook", "register_forward_hook", "register_full_backward_hook", "register_backward_hook",
                 ".backward(", "GradientTape", "autograd.grad", ".gradient(")


@prefilters(*_GRADIENT_OPS)
def handwritten_attribution(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """A function or class named for an attribution method (Grad-CAM, saliency map,
    integrated gradients...) that takes the model's gradients itself (backward hooks,
    `.backward()`, `tf.GradientTape`, `torch.autograd.grad`): an explanation of predictions
    written without a library. A plotting helper with such a name that draws a map computed
    elsewhere takes no gradients and does not count."""
    for rel in view.with_any(paths(view, det, ("*.py",)), _GRADIENT_OPS):
        text = view.text(rel) or ""
        if not _XAI_DEF_TEXT.search(text):
            continue
        tree = py_tree(view, rel)
        if tree is None:
            continue
        lines = text.splitlines()
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or not _XAI_NAME.search(node.name):
                continue
            if _XAI_TASK_NAME.search(node.name):
                continue  # a model that predicts saliency maps, its training loop or data: not an explanation
            body = "\n".join(lines[node.lineno - 1:node.end_lineno or node.lineno])
            if any(op in body for op in _GRADIENT_OPS):
                yield Hit(rel, node.lineno, f"computes an attribution map by hand: {node.name}")
                break


# -- model cards filled in by the project's own code ---------------------------------------------

_CODE_CARD_NEEDLES = ("intended_use", "Intended Use", "Intended use", "intended use", "INTENDED_USE")
_CODE_INTENDED_KEY = lazy_re(r"(?i)^(primary_|direct_)?intended[ _]uses?$")
_CODE_OTHER_KEY = lazy_re(r"(?i)limitation|caveat|ethical|out[ _]of[ _]scope|risks?$|known[ _]issues|"
                          r"(quantitative|evaluation|performance)[ _]?(analysis|metrics|results)?$|^metrics$")


def _filled(value: ast.AST) -> bool:
    """A literal with words in it: a string of two words or more, or a list of such strings."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return len(_WORD.findall(_PLACEHOLDER.sub(" ", value.value))) >= 2
    if isinstance(value, ast.JoinedStr):
        return any(_filled(v) for v in value.values)
    if isinstance(value, (ast.List, ast.Tuple)):
        return any(_filled(v) for v in value.elts)
    return False


def _card_fields(node: ast.AST) -> list[tuple[str, ast.AST]] | None:
    if isinstance(node, ast.Call):
        return [(k.arg, k.value) for k in node.keywords if k.arg]
    if isinstance(node, ast.Dict):
        return [(k.value, v) for k, v in zip(node.keys, node.values)
                if isinstance(k, ast.Constant) and isinstance(k.value, str)]
    return None


@prefilters(*_CODE_CARD_NEEDLES)
def model_card_in_code(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """The project's code fills a model card: one call or dict literal with an intended-use field
    written out (words, not an empty string or a variable) and a limitations / caveats /
    out-of-scope / ethical-considerations or evaluation-metrics field beside it. A card class
    declared with empty fields, or an intended-use key alone, does not count."""
    for rel in paths(view, det, ("*.py",)):
        if not view.contains_any(rel, _CODE_CARD_NEEDLES):
            continue
        tree = py_tree(view, rel)
        if tree is None:
            continue
        for node in ast.walk(tree):
            fields = _card_fields(node)
            if not fields or len(fields) < 2:
                continue
            if not any(_CODE_INTENDED_KEY.search(k) and _filled(v) for k, v in fields):
                continue
            if any(not _CODE_INTENDED_KEY.search(k) and _CODE_OTHER_KEY.search(k) for k, _ in fields):
                yield Hit(rel, node.lineno, "fills a model card with the model's intended use and its limitations or metrics")
                break


# -- gov.explainability: scikit-learn's model inspection -------------------------------------

_INSPECTION_CALLS = ("sklearn.inspection.{permutation_importance,PartialDependenceDisplay,partial_dependence,"
                     "plot_partial_dependence}", "sklearn.inspection.PartialDependenceDisplay.*")
_INSPECTION_TAILS = ("permutation_importance", "partial_dependence", "PartialDependenceDisplay")
# A transformer's fitting methods, and a feature selector's mask.
_FIT_METHOD = lazy_re(r"^_?(fit\w*|select\w*|_?get_support_mask|\w*importances?)$")
# A selector or transformer by its name or a base class (BaseSelector, SelectorMixin, TransformerMixin).
_SELECTOR_CLASS = lazy_re(r"Select|Transformer|Eliminat")
_TRANSFORMER_METHODS = frozenset({"transform", "_transform", "get_support", "_get_support_mask", "get_feature_names_out"})


def _selector_methods(tree: ast.Module) -> list[tuple[int, int]]:
    """Line spans of the fitting methods of transformer classes (a class that also defines
    transform / get_support): there, importances choose the features the transformer keeps."""
    spans: list[tuple[int, int]] = []
    for cls in ast.walk(tree):
        if not isinstance(cls, ast.ClassDef):
            continue
        methods = [n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        named = _SELECTOR_CLASS.search(cls.name) or any(_SELECTOR_CLASS.search(ast.unparse(b)) for b in cls.bases)
        if not named and not any(m.name in _TRANSFORMER_METHODS for m in methods):
            continue
        spans.extend((m.lineno, m.end_lineno or m.lineno) for m in methods if _FIT_METHOD.match(m.name))
    return spans


def inspection_explains_model(view: RepoView, det: DetectorSpec) -> Iterator[Hit]:
    """scikit-learn's model inspection (permutation importance, partial dependence) run on a
    model. Inside a feature selector's fit (a transformer class that keeps the features whose
    permutation importance is high enough), it selects features: no model is explained."""
    for rel in python_files(view, det, frozenset({"sklearn"}), tails=_INSPECTION_TAILS, notebooks=True):
        facts = view.python(rel)
        if facts is None:
            continue
        calls = list(matching_calls(facts, _INSPECTION_CALLS))
        if not calls:
            continue
        spans: list[tuple[int, int]] = []
        if rel.endswith(".py") and "class " in (view.text(rel) or ""):
            tree = py_tree(view, rel)
            spans = _selector_methods(tree) if tree is not None else []
        call = next((c for c in calls if c.cell is not None or not any(a <= c.line <= b for a, b in spans)), None)
        if call is not None:
            yield Hit(rel, call.line, f"calls {call.name}", call.cell)


CHECKS = {
    "handwritten_attribution": handwritten_attribution,
    "dbt_columns_described": dbt_columns_described,
    "card_file": card_file,
    "card_metadata": card_metadata,
    "model_doc_sections": model_doc_sections,
    "model_card_in_code": model_card_in_code,
    "data_doc_fields": data_doc_fields,
    "environment_gate": environment_gate,
    "fairness_terms": fairness_terms,
    "ado_deployment_environment": ado_deployment_environment,
    "gitlab_manual_deploy": gitlab_manual_deploy,
    "pending_approval_gate": pending_approval_gate,
    "codeowners_model_dirs": codeowners_model_dirs,
    "inspection_explains_model": inspection_explains_model,
}

