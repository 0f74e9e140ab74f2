"The documentation site in a real browser: every page loads, every image decodes, every internal link resolves"
import os, shutil
from pathlib import Path
from urllib.parse import unquote, urlparse
import pytest
from otcclip.core import repo_root
from otcclip.site import broken_links, build_site

CHROMIUM = shutil.which('chromium') or '/usr/bin/chromium'
SHOTS = repo_root()/'runs'/'site-check'    # screenshots for a person to look at (ignored by git)
REQUIRED = os.environ.get('OTCCLIP_REQUIRE_BROWSER') == '1'   # CI sets it: there a missing browser fails the check
pytestmark = pytest.mark.xdist_group('site')   # one worker builds the site once for both tests
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists() and not REQUIRED, reason="Debian's chromium is not installed (apt-get install chromium; .ci/run does)")

@pytest.fixture(scope='module')
def site(tmp_path_factory):
    return build_site(tmp_path_factory.mktemp('site')/'_site')

def page_problems(tab, page:Path, name:str)->list[str]:
    "What is wrong with `page` opened in the browser tab: a failed load, an image that does not render, a link to a missing file"
    failed = []
    on_fail = lambda r: failed.append(r.url) if r.url.startswith('file:') else None
    tab.on('requestfailed', on_fail)
    try:
        resp = tab.goto(page.as_uri(), wait_until='load')
        out = [f'{name}: status {resp.status}'] if resp is not None and not resp.ok else []
        images = tab.evaluate('Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80))')
        links = tab.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href).filter(h => h.startsWith('file:'))")
    finally: tab.remove_listener('requestfailed', on_fail)
    out += [f'{name}: image does not render: {s}' for s in images] + [f'{name}: failed to load {u}' for u in failed]
    return out + [f'{name}: link to a missing file {h}' for h in links if not Path(unquote(urlparse(h).path)).exists()]

def test_links_resolve(site):
    assert broken_links(site) == []

@needs_chromium
def test_pages_in_chromium(site, tmp_path):
    from playwright.sync_api import sync_playwright
    assert Path(CHROMIUM).exists(), f'no browser at {CHROMIUM}: apt-get install chromium'
    control = tmp_path/'control.html'   # a page with a broken image and a dead link: the check must see both
    control.write_text('<html><body><img src="data:image/png;base64,AAAA"><a href="missing.html">x</a></body></html>')
    SHOTS.mkdir(parents=True, exist_ok=True); problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=['--no-sandbox'])
        tab = browser.new_page(viewport={'width': 1280, 'height': 900})
        assert len(page_problems(tab, control, 'control')) == 2, page_problems(tab, control, 'control')
        for f in sorted(site.rglob('*.html')):
            problems += page_problems(tab, f, str(f.relative_to(site)))
            if f.name in ('index.html', 'report.html') and f.parent == site: tab.screenshot(path=str(SHOTS/f'{f.stem}.png'))
        browser.close()
    assert not problems, '\n'.join(problems[:20])
    assert (SHOTS/'index.png').exists() and (SHOTS/'report.png').exists()
