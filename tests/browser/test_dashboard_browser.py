"""The analytics dashboard in real Chromium: an admin logs in, the SVG charts render without
console errors, and one click on an unanswered-question group opens a draft FAQ (unpublished)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from apps.knowledge.models import FAQ
from tests.analytics.dashboard_factories import month_make
from tests.browser.conftest import save_screenshot

pytestmark = pytest.mark.browser

PASSWORD = "pw-dashboard-123"


@pytest.fixture
def seeded(transactional_db, settings):
    settings.LLM_PRICE_PROMPT_PER_MTOK = 1.0
    settings.LLM_PRICE_COMPLETION_PER_MTOK = 2.0
    get_user_model().objects.create_superuser("boss", "boss@example.com", PASSWORD)
    return month_make()


def test_admin_sees_the_dashboard_charts_and_makes_a_draft_faq(seeded, live_server, browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 2000})
    problems: list[str] = []
    bad_responses: list[str] = []

    def console(msg) -> None:
        # The browser's own favicon probe 404s on any Django admin; it is not the page's doing.
        if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico"):
            problems.append(f"{msg.text} at {msg.location}")

    page.on("console", console)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "response",
        lambda r: (
            bad_responses.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )

    # given an admin logged in through the admin login form
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    # when they follow the dashboard link on the admin index
    page.click("#analytics-dashboard-link a")
    page.wait_for_url(f"{live_server.url}/admin/analytics/dashboard/")

    # then every chart is an SVG with drawn marks, and nothing failed in the console
    assert page.locator("svg.chart").count() == 6
    assert page.locator("#chart-daily svg.line-chart circle.point").count() == 30
    assert page.locator("#chart-tiers svg rect.bar").count() == 3
    assert page.locator("#chart-reasons svg rect.bar").count() == 4
    assert page.locator("#chart-csat svg rect.bar").count() == 5
    box = page.locator("#chart-daily svg").bounding_box()
    assert box is not None
    assert box["width"] > 300
    assert box["height"] > 100
    assert page.locator("#kpi-conversations").inner_text() == "8"
    assert page.locator("#cost-saved").inner_text() == "$0.0015"
    assert page.locator("tr.unanswered-group").count() == 3
    assert "Do you ship to Canada?" in page.locator("tr.unanswered-group").first.inner_text()
    save_screenshot(page, "dashboard", docs_copy=True)

    # the period filter: 7 days
    page.click("a[data-days='7']")
    page.wait_for_url("**/admin/analytics/dashboard/?days=7")
    assert page.locator("#chart-daily svg circle.point").count() == 7

    # one click on the biggest group: a draft FAQ opens in the FAQ admin, not yet published
    page.locator("tr.unanswered-group").first.locator("input[type=submit]").click()
    page.wait_for_url("**/admin/knowledge/faq/*/change/")
    assert page.locator("#id_question").input_value() == "Do you ship to Canada?"
    assert not page.locator("#id_is_published").is_checked()
    assert FAQ.objects.get(question="Do you ship to Canada?").is_published is False

    assert problems == []
    assert bad_responses == []  # admin CSS/JS all loaded
    page.close()
