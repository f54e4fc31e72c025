"""The timeline pages in a real headless browser: Debian's chromium driven through its
chromedriver (selenium), against the daemon's HTTP server on 127.0.0.1 over the real
embedded Redis holding both sagas' seeded models. One browser for the module; a
screenshot of each test's pages under its tmp dir.

`make test` installs chromium and chromium-driver when missing (root with apt-get);
elsewhere these tests skip and say why."""

from __future__ import annotations

import shutil
import urllib.request
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any, cast

import feedparser
import pytest
from conftest import ROOT
from web_server import make_alert, serve_pages

from monitor.alerts import Outbox
from monitor.config import Settings
from monitor.store import Store
from monitor.store.sagas import SagaStore

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SVB_SEEDS = ROOT / "sagas" / "svb-2023" / "seeds"
HOSTILE = "<script>alert(1)</script>"


def _links(driver: Any, title: str) -> list[Any]:
    """The page's links whose text holds ``title`` (none while it is still loading)."""
    from selenium.webdriver.common.by import By

    return list(driver.find_elements(By.PARTIAL_LINK_TEXT, title))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if missing:
        pytest.skip(f"no {' or '.join(missing)}: `make test` installs Debian's chromium and "
                    "chromium-driver when it runs as root with apt-get")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium (dev extra)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM  # with the driver's path: no Selenium Manager lookup
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1000,1200", "--hide-scrollbars", "--lang=en-US"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def svb_dump(analyzer: Any, redis_server: Store, settings_factory: Any,
             tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The svb-2023 saga seeded from its six feed items once for the module."""
    from monitor.documents import load_documents
    from monitor.pipeline import Pipeline

    scoped = redis_server.scoped("svb-once")
    settings = settings_factory(tmp_path_factory.mktemp("svb"), sagas=[
        {"name": "svb-2023", "title": "SVB", "seed_dir": str(SVB_SEEDS)}])
    Pipeline(settings, scoped, analyzer=analyzer, emit=lambda alerts: None).seed(
        load_documents([SVB_SEEDS]), saga="svb-2023")
    keys = scoped.keys
    dump = {k.removeprefix("svb-once"): cast(bytes, scoped.redis.dump(k))
            for k in (keys.saga_model("svb-2023"), keys.saga_version("svb-2023"))}
    scoped.drop_namespace()
    return dump


@pytest.fixture
def both(seeded_store: Store, svb_dump: dict[str, bytes]) -> Store:
    """A store holding both sagas' seeded models."""
    for key, blob in svb_dump.items():
        seeded_store.redis.restore(seeded_store.keys.prefix + key, 0, blob, replace=True)
    return seeded_store


@pytest.fixture
def settings(tmp_path: Path, settings_factory: Any) -> Settings:
    s: Settings = settings_factory(tmp_path, sagas=[
        {"name": "openai", "title": "OpenAI leadership crisis, November 2023",
         "seed_dir": str(ROOT / "seeds")},
        {"name": "svb-2023", "title": "Silicon Valley Bank failure, March 2023",
         "seed_dir": str(SVB_SEEDS)},
    ])
    return s


@pytest.fixture
def site(both: Store, settings: Settings) -> Iterator[str]:
    with serve_pages(both, settings) as base:
        yield base


def shot(driver: Any, path: Path) -> None:
    """A screenshot of the whole page (the window is grown to the page's height)."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    width = driver.get_window_size()["width"]
    driver.set_window_size(width, max(600, min(int(height) + 40, 8000)))
    driver.save_screenshot(str(path))
    driver.set_window_size(width, 1200)
    assert path.stat().st_size > 10_000


def texts(driver: Any, css: str) -> list[str]:
    from selenium.webdriver.common.by import By

    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, css)]


def test_both_sagas_show_their_seeded_events_newest_first(
    browser: Any, site: str, both: Store, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(site)
    assert texts(browser, "#sagas h3") == [
        "OpenAI leadership crisis, November 2023", "Silicon Valley Bank failure, March 2023"]
    assert "No daemon running" in browser.find_element(By.ID, "feed-health").text
    shot(browser, tmp_path / "index.png")
    for name, title in (("openai", "OpenAI leadership crisis"), ("svb-2023", "Silicon Valley")):
        # after back(): the index may still be loading on a busy machine; wait for its link
        WebDriverWait(browser, 30).until(partial(_links, title=title))
        browser.find_element(By.PARTIAL_LINK_TEXT, title).click()
        assert browser.current_url == f"{site}sagas/{name}"
        model = SagaStore(both).load(name)
        days = texts(browser, "#timeline time.day")
        assert days == sorted((e.date for e in model.events.values() if e.date), reverse=True)
        shown = texts(browser, "#timeline h3.headline")
        assert sorted(shown) == sorted(e.statement for e in model.events.values())
        assert browser.find_element(By.CSS_SELECTOR, "#chart svg").is_displayed()
        assert len(texts(browser, "#actors tbody tr")) == len(model.protagonists())
        shot(browser, tmp_path / f"saga-{name}.png")
        browser.back()


def test_a_hostile_title_is_shown_as_text(
    browser: Any, site: str, both: Store, settings: Settings, tmp_path: Path
) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    Outbox(both, settings).enqueue([make_alert("hostile-1", headline=HOSTILE)])
    browser.get(site + "sagas/openai")
    [headline] = texts(browser, "#alerts h3")
    assert headline == f"new development {HOSTILE}"
    assert browser.find_elements(By.TAG_NAME, "script") == []  # no element was made of it
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 -- nothing ran alert(1)
    browser.get(site)
    assert HOSTILE in browser.find_element(By.CSS_SELECTOR, ".last-alert").text
    shot(browser, tmp_path / "hostile.png")


def test_a_new_alert_appears_on_reload_and_in_the_atom_feed(
    browser: Any, site: str, both: Store, settings: Settings, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    browser.get(site + "sagas/openai")
    assert browser.find_element(By.ID, "alerts").text == "No alert yet."
    Outbox(both, settings).enqueue([make_alert("chair-1")])
    browser.refresh()
    [item] = browser.find_elements(By.CSS_SELECTOR, "#alerts > li")
    assert "OpenAI names a new chair of its board" in item.text
    assert "Two outlets report it" in item.text
    link = item.find_element(By.LINK_TEXT, "OpenAI names a new chair of its board")
    assert link.get_attribute("href") == "https://news.example/chair"
    assert browser.find_elements(By.CSS_SELECTOR, "#chart .alert-mark")  # its day marked
    shot(browser, tmp_path / "saga-with-alert.png")
    browser.set_window_size(390, 1200)  # a phone: nothing wider than the screen
    try:
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        shot(browser, tmp_path / "saga-phone.png")
    finally:
        browser.set_window_size(1000, 1200)

    atom_url = browser.find_element(By.CSS_SELECTOR, 'link[rel="alternate"]').get_attribute("href")
    assert atom_url == site + "sagas/openai/alerts.atom"
    with urllib.request.urlopen(atom_url, timeout=10) as resp:
        feed = feedparser.parse(resp.read())
    assert not feed.bozo and [e.title for e in feed.entries] == [
        "new development: OpenAI names a new chair of its board"]
    Outbox(both, settings).enqueue([make_alert(
        "chair-2", headline="Second alert", created="2023-11-23T09:00:00+00:00")])
    with urllib.request.urlopen(atom_url, timeout=10) as resp:
        feed = feedparser.parse(resp.read())
    assert [e.title for e in feed.entries] == [
        "new development: Second alert", "new development: OpenAI names a new chair of its board"]
    browser.get(site)  # the index names each saga's newest alert
    assert texts(browser, ".last-alert") == [
        "new development 2023-11-23 09:00 Second alert", "No alert yet."]
    shot(browser, tmp_path / "index-with-alert.png")


@pytest.fixture(autouse=True)
def _keep_screenshots(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[None]:
    """MONITOR_SCREENSHOTS=DIR copies each test's screenshots there (docs/ is made so)."""
    yield
    import os

    dest = os.environ.get("MONITOR_SCREENSHOTS")
    if dest:
        Path(dest).mkdir(parents=True, exist_ok=True)
        for png in tmp_path.glob("*.png"):
            shutil.copy(png, Path(dest) / png.name)
