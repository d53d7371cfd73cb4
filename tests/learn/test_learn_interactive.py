"""The terminal quiz driven through its prompts in a real pseudo-terminal."""

from __future__ import annotations

import os
import re
import sys

import pexpect

from mlops_maturity.learn import build_quiz

LETTERS = "ABCDE"


def spawn(*args):
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "100"}
    return pexpect.spawn(sys.executable, ["-m", "mlops_maturity", "learn", "quiz", *args], env=env, encoding="utf-8", timeout=30)


def test_answer_commit_explanation_and_final_score_with_concepts_to_review(content):
    quiz = build_quiz(content.bank, content.framework, content.catalog, count=3, seed=5, difficulty="medium")
    first, second, third = quiz.items
    assert any(it.kind == "scenario" for it in quiz.items)
    wrong = (second.answer + 1) % len(second.options)

    child = spawn("--count", "3", "--seed", "5", "--difficulty", "medium")
    child.expect("MLOps maturity quiz")
    child.expect("seed 5")

    # 1: ask for a hint, pick the right answer, change our mind at the commit prompt, then commit.
    child.expect("Question 1 of 3")
    child.expect(re.escape(" ".join(first.prompt.split()[:5])))
    child.expect(r"Your answer \(A-")
    child.sendline("h")
    child.expect("Hint: ")
    child.expect(re.escape(first.hint.split()[0]))
    child.expect("Your answer")
    child.sendline(LETTERS[first.answer].lower())
    child.expect(f"Commit to {LETTERS[first.answer]}\\)")
    child.sendline("n")
    child.expect("Your answer")  # nothing revealed: asked again
    child.sendline(LETTERS[first.answer])
    child.expect("Commit to")
    child.sendline("y")
    child.expect("✓ Correct.")
    child.expect("Worked solution:")
    child.expect(re.escape(first.solution[0].text.split()[0]))
    child.expect("Common mistakes:")
    child.expect(f"learn show {re.escape(first.concept)}")

    # 2: a wrong answer, committed with the default (Enter): the right one is revealed and explained.
    child.expect("Question 2 of 3")
    child.expect("Your answer")
    child.sendline(LETTERS[wrong])
    child.expect("Commit to")
    child.sendline("")
    child.expect(f"✗ Not quite: the answer is {LETTERS[second.answer]}.")
    child.expect(f"{LETTERS[second.answer]}\\) ")
    child.expect("Worked solution:")
    child.expect("Common mistakes:")

    # 3: an invalid letter first, then the right answer.
    child.expect("Question 3 of 3")
    child.expect("Your answer")
    child.sendline("z")
    child.expect("Please enter one of")
    child.sendline(LETTERS[third.answer])
    child.expect("Commit to")
    child.sendline("y")
    child.expect("✓ Correct.")

    child.expect(r"Score: 2/3 \(67%\)")
    child.expect("Concepts to review:")
    child.expect(f"learn show {re.escape(second.concept)}")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_a_scenario_question_is_explained_from_the_criteria(content):
    # Seed 10: the scenario (on the overall level) is the second of three questions.
    quiz = build_quiz(content.bank, content.framework, content.catalog, count=3, seed=10, difficulty="hard")
    index = next(i for i, it in enumerate(quiz.items) if it.kind == "scenario")
    child = spawn("--count", "3", "--seed", "10", "--difficulty", "hard")
    for i, item in enumerate(quiz.items[: index + 1]):
        child.expect(f"Question {i + 1} of 3")
        child.expect("Your answer")
        child.sendline(LETTERS[item.answer])
        child.expect("Commit to")
        child.sendline("y")
        child.expect("✓ Correct.")
    # The scenario's worked solution judges each criterion by its rule, then applies the gating
    # (or, for the overall level, the aggregation) rule.
    child.expect("Worked solution:")
    child.expect("evidence rule")
    child.expect(r"rule `")
    child.expect(r"(gating|aggregation) rule")
    if index + 1 < len(quiz.items):
        child.expect("Your answer")
        child.sendline("q")  # stop early: only the answered questions are scored
    child.expect(rf"Score: {index + 1}/{index + 1} \(100%\)")
    child.expect("Nothing to review")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_quitting_at_once_answers_nothing():
    child = spawn("--count", "2", "--seed", "1")
    child.expect("Your answer")
    child.sendline("q")
    child.expect("No questions answered.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
