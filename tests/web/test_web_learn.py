"""The learn pages: concepts, and quizzes kept on the server and graded there, one user's scores
stored and shown to that user only; every post CSRF-checked. On SQLite and PostgreSQL (the
`web_app` fixture), and once end to end in headless Chromium."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from test_web_e2e import ADMIN, ADMIN_PASSWORD, ARGS, chromium, live_server  # noqa: F401 (a fixture)

from mlops_maturity.learn import Quiz
from mlops_maturity.store.models import QuizAttempt


def attempt_row(app, attempt_id: int) -> QuizAttempt:
    with app.state.store.unit(write=False) as uow:
        return uow.access.session.get(QuizAttempt, attempt_id)


def start(client, **form) -> int:
    r = client.post_form("/learn/quiz", {"difficulty": "", "count": "3", "project_id": "", **form})
    assert r.status_code == 303, r.text
    m = re.fullmatch(r"/learn/quiz/(\d+)", r.headers["location"])
    assert m, r.headers["location"]
    return int(m.group(1))


def test_learn_needs_a_session(web_app):
    from web_helpers import Client

    c = Client(web_app)
    r = c.get("/learn")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def test_concepts_list_and_page(world):
    c = world.client("viewer_a")
    r = c.get("/learn")
    assert r.status_code == 200
    assert 'href="/learn"' in r.text and 'class="active">Learn' in r.text  # the nav link, current
    first = re.search(r'<li><a href="/learn/([a-z0-9._-]+)">', r.text).group(1)
    page = c.get(f"/learn/{first}")
    assert page.status_code == 200 and "<h1>" in page.text
    assert c.get("/learn/no.such-concept").status_code == 404


def test_quiz_taken_graded_stored_and_shown_to_its_user_only(world):
    a = world.client("editor_a")
    form = a.get("/learn/quiz")
    assert form.status_code == 200 and "proj-a" in form.text and "proj-b" not in form.text
    aid = start(a, difficulty="easy", project_id=str(world.project_a))
    row = attempt_row(world.app, aid)
    quiz = Quiz.model_validate_json(row.quiz_json)
    assert len(quiz.items) == 3 and row.finished_at is None and row.score is None and row.project_id == world.project_a

    page = a.get(f"/learn/quiz/{aid}")
    assert page.status_code == 200
    assert page.text.count('type="radio"') == sum(len(it.options) for it in quiz.items)
    for it in quiz.items:  # the explanation is not on the page before an answer is committed
        assert "Worked solution" not in page.text
        for mistake in it.mistakes:
            assert mistake[:40] not in page.text

    # Another user can neither see nor answer it.
    b = world.client("editor_b")
    assert b.get(f"/learn/quiz/{aid}").status_code == 404
    assert b.get(f"/learn/quiz/{aid}/result").status_code == 404
    assert b.post_form(f"/learn/quiz/{aid}", {"q0": "0"}).status_code == 404
    assert attempt_row(world.app, aid).finished_at is None

    # Two right, one wrong.
    answers = {f"q{i}": str(it.answer) for i, it in enumerate(quiz.items)}
    answers["q2"] = str((quiz.items[2].answer + 1) % len(quiz.items[2].options))
    r = a.post_form(f"/learn/quiz/{aid}", answers)
    assert r.status_code == 303 and r.headers["location"] == f"/learn/quiz/{aid}/result"
    row = attempt_row(world.app, aid)
    assert (row.score, row.total) == (2, 3) and row.finished_at is not None
    assert json.loads(row.concepts_to_review) == [quiz.items[2].concept]

    result = a.get(f"/learn/quiz/{aid}/result")
    assert result.status_code == 200
    assert '<span id="score">2/3</span>' in result.text
    assert result.text.count("verdict\">Correct") == 2 and result.text.count("verdict\">Incorrect") == 1
    assert "Worked solution" in result.text
    assert a.get(f"/learn/quiz/{aid}").headers["location"] == f"/learn/quiz/{aid}/result"

    # Graded once: a second submit is refused and changes nothing.
    assert a.post_form(f"/learn/quiz/{aid}", {f"q{i}": str(it.answer) for i, it in enumerate(quiz.items)}).status_code == 409
    assert attempt_row(world.app, aid).score == 2

    # The score on the user's learn page, and not on another user's.
    assert f'href="/learn/quiz/{aid}/result"' in a.get("/learn").text
    assert f'href="/learn/quiz/{aid}/result"' not in b.get("/learn").text


def test_posts_without_csrf_are_rejected(world):
    a = world.client("editor_a")
    assert a.post_form("/learn/quiz", {"count": "3"}, csrf=False).status_code == 403
    aid = start(a)
    assert a.post_form(f"/learn/quiz/{aid}", {"q0": "0"}, csrf=False).status_code == 403
    assert a.http.post(f"/learn/quiz/{aid}", data={"q0": "0", "csrf_token": "forged"}).status_code == 403
    assert attempt_row(world.app, aid).finished_at is None


def test_bad_starts_and_answers_are_refused(world):
    a = world.client("editor_a")
    assert a.post_form("/learn/quiz", {"count": "3", "project_id": str(world.project_b)}).status_code == 404  # another team's
    assert a.post_form("/learn/quiz", {"count": "500"}).status_code == 422
    assert a.post_form("/learn/quiz", {"count": "3", "difficulty": "extreme"}).status_code == 422
    assert a.post_form("/learn/quiz", {"count": "3", "project_id": "x"}).status_code == 422
    aid = start(a)
    assert a.post_form(f"/learn/quiz/{aid}", {"q0": "99"}).status_code == 422
    assert a.post_form(f"/learn/quiz/{aid}", {"q7": "0"}).status_code == 422
    assert a.post_form(f"/learn/quiz/{aid}", {"q0": "<b>"}).status_code == 422
    assert attempt_row(world.app, aid).finished_at is None
    assert a.get("/learn/quiz/999999999").status_code == 404
    # Nothing answered: graded, every item wrong.
    assert a.post_form(f"/learn/quiz/{aid}", {}).status_code == 303
    assert attempt_row(world.app, aid).score == 0


def test_quiz_in_chromium(live_server, tmp_path):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    _, base = live_server
    shots = Path(os.environ.get("MM_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 900})
        page.set_default_timeout(15000)
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

        page.goto(f"{base}/login")
        page.fill("input[name=email]", ADMIN)
        page.fill("input[name=password]", ADMIN_PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{base}/portfolio")

        page.click("nav.mainnav a:has-text('Learn')")
        expect(page.locator("h1")).to_have_text("Learn")
        page.click("text=Take a quiz")
        page.select_option("#start-quiz select[name=count]", "3")
        page.click("#start-quiz button")
        expect(page.locator(".quiz-item")).to_have_count(3)
        expect(page.locator("text=Worked solution")).to_have_count(0)
        for i in range(3):
            page.locator(f"#item-{i} input[type=radio]").first.check()
        page.screenshot(path=str(shots / "learn-quiz.png"), full_page=True)
        page.click("#quiz button[type=submit]")

        expect(page.locator("#score")).to_have_text(re.compile(r"^[0-3]/3$"))
        expect(page.locator(".explanation").first).to_be_visible()
        expect(page.locator(".explanation h3").first).to_have_text("Worked solution")
        expect(page.locator(".verdict")).to_have_count(3)
        page.screenshot(path=str(shots / "learn-result.png"), full_page=True)

        page.goto(f"{base}/learn")
        expect(page.locator("#recent-scores tbody tr")).to_have_count(1)
        expect(page.locator("#recent-scores .score")).to_contain_text("/3")
        browser.close()
    assert problems == []
