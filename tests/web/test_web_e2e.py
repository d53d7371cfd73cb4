"""End to end in a real headless Chromium (Playwright driving Debian's /usr/bin/chromium) against
the server on 127.0.0.1: sign in, create a team and a project, fill the questionnaire (each answer
saved by HTMX), see the radar and the roadmap, see the project on the portfolio heatmap.

The page may not log a console error (a CSP violation is one) nor request anything off this
server. Screenshots go to $MM_SCREENSHOT_DIR when set (to look at them), else to a temporary
directory.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from web_helpers import api_upload, make_result, running

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
ADMIN = "admin@example.org"
ADMIN_PASSWORD = "a long admin password"


def chromium() -> str:
    path = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing in CI: .ci/run must run scripts/system-deps.sh first")
        pytest.skip("Chromium is not installed (scripts/system-deps.sh installs it)")
    return path


@pytest.fixture
def live_server(tmp_path):
    """The app on a fresh SQLite file with its first administrator, served on 127.0.0.1."""
    from mlops_maturity.web.app import create_app
    from mlops_maturity.web.config import Settings
    from mlops_maturity.web.services import accounts

    app = create_app(Settings(db_url=f"sqlite:///{tmp_path / 'e2e.db'}"))
    assert accounts.bootstrap_admin(app.state.store, ADMIN, ADMIN_PASSWORD)
    with running(app) as base:
        yield app, base
    app.state.store.close()


def seed_portfolio(app, team_id: int) -> None:
    """A few other projects with a history, so the heatmap and the distribution have something to show."""
    from web_helpers import root

    from mlops_maturity.web.services import accounts

    token = accounts.create_token(app.state.store, root(), team_id, "seed", "test").token
    fw, catalog = app.state.framework, app.state.catalog
    crits = sorted(fw.active_criteria(), key=lambda c: c.level)
    profiles = {"payments-risk": 4, "search-ranking": 3, "demand-forecast": 2, "support-chatbot": 1}
    for name, depth in profiles.items():
        for step, days in enumerate((120, 60, 5)):
            reach = max(1, depth - (2 - step))
            answers = {c.id: 3 for c in crits if c.level <= reach and (hash((name, c.id)) % 5 or reach > 3)}
            assert api_upload(app, token, make_result(fw, catalog, answers, name=name, days_ago=days)).status_code == 201


def test_questionnaire_to_radar_roadmap_and_heatmap_in_chromium(live_server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    app, base = live_server
    shots = Path(os.environ.get("MM_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 900})
        page.set_default_timeout(15000)
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

        def only_this_server(route) -> None:
            if route.request.url.startswith(base):
                route.continue_()
            else:
                problems.append(f"request off the server: {route.request.url}")
                route.abort()

        page.route("**/*", only_this_server)

        # Sign in (redirected there first).
        page.goto(f"{base}/portfolio")
        expect(page).to_have_url(f"{base}/login?next=%2Fportfolio")
        page.screenshot(path=str(shots / "login.png"))
        page.fill("input[name=email]", ADMIN)
        page.fill("input[name=password]", ADMIN_PASSWORD)
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{base}/portfolio")

        # Administration: a team (its name is data, not markup).
        page.goto(f"{base}/admin")
        page.fill("#new-team input[name=name]", "Fraud & <Risk>")
        page.click("#new-team button")
        expect(page.locator(".alert-ok")).to_contain_text("Team created")
        expect(page.locator(".teams")).to_contain_text("Fraud & <Risk>")
        team_id = int(page.locator(".teams a").first.get_attribute("href").split("=")[1])
        seed_portfolio(app, team_id)

        # A new project from the portfolio, straight into its questionnaire.
        page.goto(f"{base}/portfolio")
        page.fill("#new-project input[name=name]", "churn-model")
        page.click("#new-project button")
        expect(page.locator("h1")).to_have_text("Questionnaire")
        answers = {
            "data.rerunnable-pipeline": 3,
            "dev.experiment-tracking": 3,
            "dev.scripted-training": 2,
        }
        for q in page.locator(".q").all()[:12]:
            qid = q.get_attribute("id").removeprefix("q-")
            answers.setdefault(qid, 2)
        for qid, value in answers.items():
            block = page.locator(f"[id='q-{qid}']")
            block.locator(f"input[name=value][value='{value}']").check()
            expect(page.locator(f"[id='q-{qid}'] .saved")).to_be_visible()  # saved by HTMX, swapped in
        note = page.locator("[id='q-data.rerunnable-pipeline'] input[name=note]")
        note.fill("dvc repro in CI <b>nightly</b>")
        note.press("Tab")
        expect(page.locator("[id='q-data.rerunnable-pipeline'] .saved")).to_be_visible()
        expect(page.locator("[id='q-data.rerunnable-pipeline'] input[name=note]")).to_have_value("dvc repro in CI <b>nightly</b>")
        data_questions = [c for c in app.state.framework.active_criteria() if c.dimension == "data"]
        answered_data = sum(1 for c in data_questions if c.id in answers)
        expect(page.locator("#count-data")).to_have_text(f"{answered_data}/{len(data_questions)}")  # out-of-band swap
        page.locator("#dim-dev").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "questionnaire.png"))
        page.click("#submit-assessment button")

        # The project page: radar and roadmap.
        expect(page.locator("h1")).to_have_text("churn-model")
        expect(page.locator("#radar svg.radar")).to_be_visible()
        expect(page.locator("#radar .shape-current")).to_have_count(1)
        expect(page.locator("#roadmap ol.roadmap li").first).to_be_visible()

        # Answer one more and assess again: the radar shows the previous assessment too.
        page.goto(page.url + "/questionnaire")
        page.locator("[id='q-dev.scripted-training'] input[name=value][value='3']").check()
        expect(page.locator("[id='q-dev.scripted-training'] .saved")).to_be_visible()
        page.click("#submit-assessment button")
        expect(page.locator("#radar .shape-previous")).to_have_count(1)
        page.select_option("select[name=a]", index=1)
        page.click(".compare button")
        expect(page.locator("#diff .diff")).to_be_visible()
        page.screenshot(path=str(shots / "project.png"), full_page=True)

        # The portfolio heatmap has the project, one coloured cell per dimension.
        page.goto(f"{base}/portfolio")
        row = page.locator("#heatmap tbody tr", has=page.locator("a", has_text="churn-model"))
        expect(row).to_have_count(1)
        expect(row.locator("td.cell")).to_have_count(len(app.state.framework.dimensions))
        expect(page.locator("#heatmap tbody tr")).to_have_count(5)
        page.screenshot(path=str(shots / "portfolio.png"), full_page=True)

        page.goto(f"{base}/admin")
        page.fill("#new-token-form input[name=name]", "churn-model CI")
        page.click("#new-token-form button")
        expect(page.locator("#new-token pre.token code")).to_contain_text("mm_")
        page.screenshot(path=str(shots / "admin.png"), full_page=True)
        browser.close()

    assert problems == []
