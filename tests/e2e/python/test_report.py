"""`orgtwin report` and the rehearsal's report page, opened in headless Chromium (Debian's).

The page draws itself from the JSON it carries; Chromium runs its script, and the DOM it leaves
(--dump-dom) must hold the capability matrix (a cell per party, account and capability, coloured
by verdict), the organization tree with the example's OUs, the reach graph's nodes and edges, the
claims and the playbook's tasks. A screenshot is taken as a person would see the page.
"""
import os
import re
import shutil
import subprocess
import tempfile

import pytest

from rehearsal_helpers import EXAMPLE, engine, rehearse, serve

CHROMIUM = "/usr/bin/chromium"


def chromium(*args):
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                           "--disable-dev-shm-usage", "--hide-scrollbars", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def rehearsed():
    work = tempfile.mkdtemp(prefix="orgtwin-report-")
    data = os.path.join(work, "data")
    done = rehearse(data)
    assert done.returncode == 0, done.stdout + done.stderr
    yield work, data
    shutil.rmtree(work, ignore_errors=True)


def test_the_rehearsals_report_renders_the_matrix_tree_and_graph(rehearsed):
    work, data = rehearsed
    page = os.path.join(data, "report.html")
    assert os.path.exists(page)
    dom = chromium("--dump-dom", "file://" + page)
    assert dom.returncode == 0, dom.stderr
    html = dom.stdout
    assert 'data-rendered="yes"' in html, html[:2000]  # the script ran to its end
    # 2 parties x 5 accounts x 8 capabilities, each a coloured cell.
    cells = re.findall(r'<td class="cell v-(allowed|conditional|denied)"', html)
    assert len(cells) == 80, len(cells)
    assert "allowed" in cells and "denied" in cells
    assert re.search(r'data-party="customer" data-account="payer" '
                     r'data-capability="administer_organization"', html)
    # The tree: the OUs the rehearsal made, with the accounts in them.
    for unit in ("Workloads/", "Prod/", "Dev/", "Security/"):
        assert ">%s<" % unit in html, unit
    assert "Outside the organization" in html
    # The graph: parties, the roles they reach, and the edges between them.
    assert html.count('<g class="node">') >= 6
    assert 'class="edge edge-assume"' in html and 'class="edge edge-holds"' in html
    assert "party partner" in html and "role/CustomerAdmin" in html
    # Claims, alert paths and the playbook.
    assert "FAILS " in html and "customer cannot read invoices" in html
    assert "delivered by email to" in html
    assert html.count('<tr class="task task-') >= 20

    shot = os.path.join(work, "report.png")
    done = chromium("--window-size=1400,2600", "--screenshot=" + shot, "file://" + page)
    assert done.returncode == 0, done.stderr
    with open(shot, "rb") as f:
        png = f.read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20000, len(png)


def test_report_writes_the_page_for_a_served_twin(rehearsed):
    work, data = rehearsed
    server = serve(data)
    try:
        page = os.path.join(work, "served.html")
        done = engine("report", EXAMPLE, server, data, "-o", page)
        assert done.returncode == 0, done.stdout + done.stderr
        html = open(page).read()
        assert html.startswith("<!DOCTYPE html>")
        # Self-contained: no script, style or image is fetched from anywhere.
        assert not re.search(r'(src|href)="(https?:)?//', html)
        assert '"all_hold":false' in html
    finally:
        server.stop()
