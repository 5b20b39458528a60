#!/usr/bin/env python
"""What a visitor downloads to see the first meetings near a ZIP code, beside a client-side finder's feed.

    python benchmarks/page_weight.py [--near 19103] [--meetings 150000] [--area-miles 25] [--whole-feed]

The site runs as in production (gunicorn, DEBUG off, WhiteNoise's compressed static files; see load.py and
``_site.py``; the same database and generated meetings are reused). A real browser, Debian's chromium
driven by Playwright with an empty cache, then loads the page two ways:

- **link**: opens ``/?near=ZIP`` (a shared link, a bookmark, or the form without JavaScript);
- **typed**: opens ``/``, types the ZIP code and presses Search (the page's script fetches the results).

Every response the browser received is listed from Playwright's network events: the bytes that crossed
the wire (body as sent, compressed or not, plus headers) and the bytes after decoding. The target is
100 KB for the whole. Separately, every stylesheet, script, image and font the page *references* (parsed
from the HTML, and url()s in its CSS) is fetched with ``Accept-Encoding: gzip, br``: an upper bound that
includes images the page never shows.

For comparison, a client-side finder (TSML, the Meeting Guide app) downloads a whole Meeting Guide feed
and searches it in the browser. The report gives the size of our feed for the same area: the meetings
within ``--area-miles`` of the ZIP code (an intergroup's area), every meeting in its state, and with
``--whole-feed`` the whole directory; raw, and gzipped (level 6) as a proxy or app would fetch it.
"""

import argparse
import gzip
import html.parser
import importlib.util
import json
import os
import re
import shutil
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import _site

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
TARGET_BYTES = 100_000
GZIP_LEVEL = 6  # nginx's gzip_comp_level is often set to 5-6; its default is 1
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"


@dataclass
class Resource:
    url: str
    kind: str  # document, stylesheet, script, image, fetch…
    status: int
    encoding: str  # Content-Encoding, "" when none
    body: int  # bytes of the body as sent
    headers: int  # bytes of the response headers
    decoded: int  # bytes after decoding
    gzipped: int | None = None  # a page or results sent uncompressed: its size gzipped (as a proxy would)

    @property
    def transferred(self) -> int:
        return self.body + self.headers


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--near", default="19103", help="The ZIP code searched (19103, Philadelphia).")
    parser.add_argument(
        "--area-miles", type=int, default=25, help="Radius of the feed a client-side finder would load (25)."
    )
    parser.add_argument("--whole-feed", action="store_true", help="Also download the whole directory's feed.")
    parser.add_argument("--output", type=Path, default=_site.WORK / "page-weight.md", help="Write the report here too.")
    _site.add_arguments(parser)
    parser.set_defaults(workers=2)
    args = parser.parse_args(argv)
    _site.check_arguments(parser, args)
    if not re.fullmatch(r"\d{5}", args.near):
        parser.error("--near takes a US ZIP code, e.g. 19103")
    return args


# What the browser downloads


def browse(base: str, near: str) -> dict[str, tuple[list[Resource], str]]:
    """Each flow's responses, and the results' count line as the page shows it."""
    if not shutil.which(CHROMIUM):
        sys.exit(f"No chromium at {CHROMIUM}: apt-get install chromium (or set CHROMIUM).")
    from playwright.sync_api import sync_playwright

    flows = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )  # fmt: skip
        try:
            for flow in ("link", "typed"):
                context = browser.new_context(locale="en-US", timezone_id="America/New_York")
                page = context.new_page()
                finished = []
                page.on("requestfinished", lambda request, finished=finished: finished.append(request))
                if flow == "link":
                    page.goto(f"{base}/?near={near}", wait_until="load")
                else:
                    page.goto(f"{base}/", wait_until="load")
                    page.fill("#id_near", near)
                    with page.expect_response(lambda response: f"near={near}" in response.url):
                        page.press("#id_near", "Enter")
                page.wait_for_load_state("networkidle")
                page.wait_for_function(f"document.querySelector('.results .count')?.textContent.includes('{near}')")
                count = page.inner_text(".results .count").strip()
                shown = page.locator(".results li.meeting").count()
                flows[flow] = ([_resource(request) for request in finished], f"{count} ({shown} on the page)")
                context.close()
        finally:
            browser.close()
    return flows


def _resource(request) -> Resource:
    response = request.response()
    sizes = request.sizes()
    try:
        body = response.body()
    except Exception:  # a body the browser no longer holds (e.g. a redirect)
        body = b""
    encoding = response.headers.get("content-encoding", "")
    html = request.resource_type in ("document", "fetch", "xhr") and not encoding
    return Resource(
        url=request.url,
        kind=request.resource_type,
        status=response.status,
        encoding=encoding,
        body=sizes["responseBodySize"],
        headers=sizes["responseHeadersSize"],
        decoded=len(body),
        gzipped=len(gzip.compress(body, GZIP_LEVEL)) if html and body else None,
    )


# What the page references (an upper bound)


class _References(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        attrs = {name: value or "" for name, value in attributes}
        rel = attrs.get("rel", "").split()
        if tag == "link" and attrs.get("href") and {"stylesheet", "icon", "preload", "modulepreload"} & set(rel):
            self.urls.append(("stylesheet" if "stylesheet" in rel else "link", attrs["href"]))
        elif tag == "script" and attrs.get("src"):
            self.urls.append(("script", attrs["src"]))
        elif tag in ("img", "source") and (attrs.get("src") or attrs.get("srcset")):
            self.urls.append(("image", (attrs.get("src") or attrs["srcset"]).split()[0]))


_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")


def _get(url: str) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": BROWSER_ENCODINGS})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get("Content-Encoding", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, "", error.read()


def _decode(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br" and importlib.util.find_spec("brotli"):
        import brotli

        return brotli.decompress(body)
    return body


def referenced(base: str, near: str) -> list[Resource]:
    """The page and everything it references, fetched once each, as a browser would accept them."""
    page_url = f"{base}/?near={near}"
    status, encoding, body = _get(page_url)
    text = _decode(body, encoding)
    found = [Resource(page_url, "document", status, encoding, len(body), 0, len(text))]
    parser = _References()
    parser.feed(text.decode("utf-8", "replace"))
    queue = [(kind, urljoin(page_url, url)) for kind, url in parser.urls]
    seen = {page_url}
    while queue:
        kind, url = queue.pop(0)
        if url in seen or urlsplit(url).netloc != urlsplit(base).netloc or url.startswith("data:"):
            continue
        seen.add(url)
        status, encoding, body = _get(url)
        decoded = _decode(body, encoding)
        found.append(Resource(url, kind, status, encoding, len(body), 0, len(decoded)))
        if kind == "stylesheet":
            css = decoded.decode("utf-8", "replace")
            # Not data: URIs nor fragments (IE's "behavior: url(#default#VML)" in Leaflet's CSS).
            refs = [ref for ref in _CSS_URL.findall(css) if not ref.startswith(("data:", "#"))]
            queue += [("css url()", urldefrag(urljoin(url, ref)).url) for ref in refs]
    return found


# The feeds a client-side finder would download


@dataclass
class Feed:
    title: str
    meetings: int
    raw: int
    gzipped: int


def _feed(title: str, body: bytes) -> Feed:
    return Feed(title, len(json.loads(body)), len(body), len(gzip.compress(body, GZIP_LEVEL)))


def feeds(base: str, near: str, area_miles: int, whole: bool) -> list[Feed]:
    import zipcodes

    from meetings import exporting
    from meetings.feeds import meeting_guide

    state = zipcodes.matching(near)[0]["state"]
    found = []
    status, encoding, body = _get(f"{base}/meetings/feed.json?near={near}&distance={area_miles}")
    if status != 200:
        sys.exit(f"The area feed answered {status}: {body[:300]!r}")
    body = _decode(body, encoding)  # the site compresses it; sizes are compared raw and gzipped below
    found.append(_feed(f"meetings within {area_miles} miles of {near} (/meetings/feed.json?near=…&distance=…)", body))
    # No URL gives one state's meetings; rendered here exactly as the feed view renders them.
    in_state = exporting.public_meetings().filter(location__country="US", location__state=state).order_by("pk")
    body = b"".join(meeting_guide.render(in_state.iterator(chunk_size=2000), base, exporting.codes_for()))
    found.append(_feed(f"every meeting with a venue in {state}", body))
    if whole:
        status, _, body = _get(f"{base}/meetings/feed.json")
        found.append(_feed("the whole directory (/meetings/feed.json)", body))
    return found


# The report


def _kb(size: int) -> str:
    return f"{size / 1000:,.1f}"


def report(
    args: argparse.Namespace,
    machine: dict[str, str],
    flows: dict[str, tuple[list[Resource], str]],
    references: list[Resource],
    feed_sizes: list[Feed],
    base: str,
) -> str:
    brotli = importlib.util.find_spec("brotli") is not None
    lines = [
        f"# Page weight: the first results near {args.near} ({args.meetings:,} generated meetings)",
        "",
        "Measured in Debian's chromium through Playwright's network events (empty cache); KB = 1,000 bytes.",
        "Static files: WhiteNoise's precompressed copies (gzip"
        + (" and Brotli" if brotli else "; no Brotli: the brotli package is not installed")
        + "). Pages and feeds are gzipped by Django's GZipMiddleware.",
        "",
        "Machine: " + "; ".join(f"{name}: {value}" for name, value in machine.items()),
    ]
    for flow, (resources, count) in flows.items():
        title = f"/?near={args.near}" if flow == "link" else f"/ then typing {args.near} and Search"
        lines += [
            "",
            f"## {title}",
            "",
            f"Shown: {count}.",
            "",
            "| resource | type | status | encoding | body sent KB | headers KB | decoded KB |",
            "|---|---|---:|---|---:|---:|---:|",
        ]
        for resource in resources:
            lines.append(
                f"| {resource.url.removeprefix(base)} | {resource.kind} | {resource.status} | "
                f"{resource.encoding or 'none'} | {_kb(resource.body)} | {_kb(resource.headers)} | "
                f"{_kb(resource.decoded)} |"
            )
        total = sum(resource.transferred for resource in resources)
        decoded = sum(resource.decoded for resource in resources)
        # What a proxy gzipping the HTML (or Django's GZipMiddleware) would save.
        saved = sum(r.body - r.gzipped for r in resources if r.gzipped is not None)
        lines += [
            f"| **total** | {len(resources)} requests | | | {_kb(sum(r.body for r in resources))} | "
            f"{_kb(sum(r.headers for r in resources))} | {_kb(decoded)} |",
            "",
            f"Transferred: **{_kb(total)} KB** (target < {_kb(TARGET_BYTES)} KB: "
            f"{'met' if total < TARGET_BYTES else 'missed'}); decoded {_kb(decoded)} KB."
            + (f" With the HTML gzipped (level {GZIP_LEVEL}): {_kb(total - saved)} KB." if saved else ""),
        ]
    browser_urls = {resource.url for resources, _ in flows.values() for resource in resources}
    lines += [
        "",
        f"## Everything /?near={args.near} references (fetched with Accept-Encoding: {BROWSER_ENCODINGS})",
        "",
        "| resource | referenced as | status | encoding | body sent KB | decoded KB | the browser fetched it |",
        "|---|---|---:|---|---:|---:|---|",
    ]
    for resource in references:
        lines.append(
            f"| {resource.url.removeprefix(base)} | {resource.kind} | {resource.status} | "
            f"{resource.encoding or 'none'} | {_kb(resource.body)} | {_kb(resource.decoded)} | "
            f"{'yes' if resource.url in browser_urls else 'no'} |"
        )
    lines += [
        f"| **total** | | | | {_kb(sum(r.body for r in references))} | {_kb(sum(r.decoded for r in references))} | |",
        "",
        "## The feed a client-side finder downloads for the same area",
        "",
        f"| feed | meetings | raw KB | gzip -{GZIP_LEVEL} KB |",
        "|---|---:|---:|---:|",
    ]
    for feed in feed_sizes:
        lines.append(f"| {feed.title} | {feed.meetings:,} | {_kb(feed.raw)} | {_kb(feed.gzipped)} |")
    lines.append("")
    lines.append(
        "Django's GZipMiddleware sends our feeds gzipped to clients that ask; the gzip column is about that size."
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    with _site.database(args) as url:
        environment = _site.site_environment(url)
        _site.prepare(args, environment)
        machine = _site.machine({"chromium": _site.program_version(CHROMIUM, "--version")})
        with _site.gunicorn(args, environment, _site.WORK / "gunicorn-page-weight.log") as server:
            feed_sizes = feeds(server.url, args.near, args.area_miles, args.whole_feed)
            from django.db import connection

            connection.close()  # Playwright runs an event loop in this thread: no ORM from here on
            flows = browse(server.url, args.near)
            references = referenced(server.url, args.near)
            text = report(args, machine, flows, references, feed_sizes, server.url)
    _site.write_report(text, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
