"""The questionnaire driven through its prompts in a real pseudo-terminal."""

from __future__ import annotations

import os
import sys

import pexpect

from mlops_maturity.framework.load import default_catalog, load_framework
from mlops_maturity.sources.declared import load_answers


def spawn(*args):
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb"}
    return pexpect.spawn(sys.executable, ["-m", "mlops_maturity", "assess", *args], env=env, encoding="utf-8", timeout=30)


def test_answer_help_note_skip_quit_then_resume(tmp_path):
    out = tmp_path / "answers.yaml"
    child = spawn("--answers-out", str(out), "--dimension", "dev", "--respondent", "ana@example.com")
    child.expect("Model development")
    child.expect(r"\[L2\] ([^\r\n]+)\r\n")
    first_question = child.match.group(1)
    child.expect("answer")
    child.sendline("?")
    child.expect("2 means")
    child.expect("answer")
    child.sendline("n")
    child.expect("note")
    child.sendline("all runs go to MLflow")
    child.expect("answer")
    child.sendline("3")  # first question answered
    child.expect("answer")
    child.sendline("9")  # out of range: asked again
    child.expect("please enter one of")
    child.sendline("s")  # second skipped
    child.expect("answer")
    child.sendline("q")
    child.expect("Saved to")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    fw = load_framework(None, default_catalog())
    saved = load_answers(out, fw)
    assert saved.respondent == "ana@example.com"
    dev_l2 = sorted((c for c in fw.active_criteria() if c.dimension == "dev"), key=lambda c: c.level)
    first = next(c for c in dev_l2 if c.question.text == first_question.strip())
    assert saved.answers[first.id].value == 3
    assert saved.answers[first.id].note == "all runs go to MLflow"

    # Resume: the answered question is not asked again; finish the dimension with 2s.
    child = spawn("--answers-out", str(out), "--dimension", "dev")
    child.expect("Resuming from")
    asked = []
    while True:
        i = child.expect([r"\[L\d\] ([^\r\n]+)\r\n", "Saved \\d+ answers"])
        if i == 1:
            break
        asked.append(child.match.group(1).strip())
        child.expect("answer")
        child.sendline("2")
    child.expect(pexpect.EOF)
    assert first.question.text not in asked
    assert len(asked) == len(dev_l2) - 1
    final = load_answers(out, fw)
    assert all(final.answers[c.id].value is not None for c in dev_l2)
    assert final.answers[first.id].value == 3
