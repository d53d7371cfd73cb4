"""`mlops-maturity learn` as a user runs it: a real subprocess, stdin not a terminal."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from learn_samples import binomial_tail, monitor_weakest
from markdown_it import MarkdownIt

from helpers import cli as run
from helpers import one_line_error, write

from mlops_maturity.cli import main


@pytest.fixture(scope="module")
def result_file(tmp_path_factory, fw, catalog):
    result = monitor_weakest(fw, catalog)
    return write(tmp_path_factory.mktemp("learn") / "result.json", result.model_dump_json(indent=2))


# ---------------------------------------------------------------- browsing


def test_learn_lists_concepts_by_kind(content):
    proc = run("learn")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for kind in content.concepts.kinds:
        assert f"\n{kind.title}\n" in out
    for c in content.concepts.concepts:
        assert re.search(rf"^  {re.escape(c.id)} +\S", out, re.M), c.id
    assert out.index("level.1") < out.index("level.2") < out.index("dimension.data")


def test_learn_show_a_linked_concept_reads_the_framework(fw):
    proc = run("learn", "show", "dimension.monitor")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Monitoring and observability (monitor)\n")
    assert fw.dimension("monitor").description in " ".join(proc.stdout.split())
    for c in fw.active_criteria():
        if c.dimension == "monitor":
            assert c.title.split(" (")[0][:40] in " ".join(proc.stdout.split()), c.id
    assert "\x1b[" not in proc.stdout  # NO_COLOR


def test_learn_show_markdown():
    proc = run("learn", "show", "myth.monitoring-is-uptime", "--format", "markdown")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("# Myth: monitoring means uptime\n")
    assert "**Myth:**" in proc.stdout and "**Reality:**" in proc.stdout


def test_learn_show_unknown_concept_is_one_line_with_a_suggestion():
    one_line_error(run("learn", "show", "gating"), "unknown concept 'gating'", "model.gating")


# ---------------------------------------------------------------- the quiz sheet


def test_without_a_terminal_the_quiz_is_a_sheet_questions_then_answer_key(content):
    proc = run("learn", "quiz", "--count", "6", "--seed", "3")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Your answer" not in out  # no prompting
    questions, hints, key = out.index("\nQuestions\n"), out.index("\nHints\n"), out.index("\nAnswer key\n")
    assert questions < hints < key
    assert "6 questions · mixed difficulty · seed 3" in out
    for n in range(1, 7):
        q = out.index(f"Question {n} of 6")
        assert questions < q < hints
    answers = re.findall(r"^(\d+)\. ([A-E])\) ", out[key:], re.M)
    assert [int(n) for n, _ in answers] == list(range(1, 7))
    assert out[key:].count("Worked solution:") == 6
    assert out[key:].count("Common mistakes:") == 6
    assert out[key:].count("mlops-maturity learn show ") >= 6


def test_the_sheet_key_matches_the_engine(content):
    from mlops_maturity.learn import build_quiz

    quiz = build_quiz(content.bank, content.framework, content.catalog, count=8, seed=12)
    out = run("learn", "quiz", "--count", "8", "--seed", "12").stdout
    key = out[out.index("\nAnswer key\n") :]
    letters = dict(re.findall(r"^(\d+)\. ([A-E])\) ", key, re.M))
    assert [letters[str(i)] for i in range(1, 9)] == ["ABCDE"[it.answer] for it in quiz.items]


def test_count_10_seed_1_is_reproducible():
    first = run("learn", "quiz", "--count", "10", "--seed", "1")
    second = run("learn", "quiz", "--count", "10", "--seed", "1")
    assert first.returncode == second.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert len(re.findall(r"^Question \d+ of 10 ", first.stdout, re.M)) == 10
    assert run("learn", "quiz", "--count", "10", "--seed", "2").stdout != first.stdout


def test_without_a_seed_the_sheet_names_the_one_it_used():
    proc = run("learn", "quiz", "--count", "3")
    seed = re.search(r"· seed (\d+)", proc.stdout).group(1)
    assert run("learn", "quiz", "--count", "3", "--seed", seed).stdout == proc.stdout


def test_markdown_sheet_parses_with_questions_then_hints_then_answer_key(tmp_path):
    proc = run("learn", "quiz", "--count", "5", "--seed", "8", "--difficulty", "hard", "--format", "markdown")
    assert proc.returncode == 0, proc.stderr
    tokens = MarkdownIt("commonmark").parse(proc.stdout)
    headings = [(t.tag, tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings[0] == ("h1", "MLOps maturity quiz")
    h2 = [text for tag, text in headings if tag == "h2"]
    assert h2 == ["Questions", "Hints", "Answer key"]
    h3 = [text for tag, text in headings if tag == "h3"]
    assert h3[:5] == [f"Question {i} of 5" for i in range(1, 6)]
    assert [re.match(r"(\d+)\. [A-E]\) ", t).group(1) for t in h3[5:]] == ["1", "2", "3", "4", "5"]
    assert proc.stdout.count("**Worked solution**") == 5
    # -o writes the same sheet to a file
    out = tmp_path / "handout.md"
    again = run("learn", "quiz", "--count", "5", "--seed", "8", "--difficulty", "hard", "--format", "markdown", "-o", out)
    assert again.returncode == 0 and again.stdout == ""
    assert out.read_text(encoding="utf-8") == proc.stdout


# ---------------------------------------------------------------- --for RESULT.json


def _concerns(sheet: str) -> list[list[str]]:
    """The dimensions of each question, from its header line `Question n of N · level · dims`."""
    return [line.split(" · ")[2:] for line in re.findall(r"^Question \d+ of \d+ · .+$", sheet, re.M)]


def test_for_a_result_weakest_in_monitor_most_questions_concern_monitor(result_file):
    """Statistical: over a fixed seed set, monitor questions are the majority, and not by chance."""
    runner = CliRunner(env={"NO_COLOR": "1"})
    hits = total = 0
    for seed in range(30):
        res = runner.invoke(main, ["learn", "quiz", "--count", "10", "--seed", str(seed), "--for", str(result_file)])
        assert res.exit_code == 0, res.output
        if seed == 0:
            assert "Weighted toward the weakest dimensions: monitor" in res.output
        items = _concerns(res.output)
        assert len(items) == 10
        hits += sum("monitor" in dims for dims in items)
        total += len(items)
    assert hits / total > 0.6, hits / total
    assert binomial_tail(hits, total) < 1e-6


def test_for_with_bad_input_is_one_line(tmp_path):
    one_line_error(run("learn", "quiz", "--for", tmp_path / "missing.json"), "missing.json", "no such file")
    bad = write(tmp_path / "bad.json", '{"schema_version": "1", "tool": {}}')
    one_line_error(run("learn", "quiz", "--for", bad), str(bad), "result schema")
    text = write(tmp_path / "text.json", "not json")
    one_line_error(run("learn", "quiz", "--for", text), str(text), "not valid JSON")


def test_bad_options_are_usage_errors():
    proc = run("learn", "quiz", "--difficulty", "extreme")
    assert proc.returncode == 2 and "extreme" in proc.stderr
    proc = run("learn", "quiz", "--count", "0")
    assert proc.returncode == 2
