"""axe-core, run inside the page, for the WCAG 2.1 A and AA rules.

axe-core 4.14.1 (MPL-2.0, its LICENSE beside it) is vendored in ``vendor/axe-core/``, taken from the npm
registry with ``npm pack axe-core@4``; only the tests need it, so it is not a static file. The version is also
in the first line of ``axe.min.js``.
"""

from pathlib import Path

from playwright.sync_api import Page

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def inject_axe(page: Page) -> None:
    """Define ``window.axe`` in the page.

    Evaluated through the DevTools protocol, which the page's Content Security Policy does not govern,
    so the pages are checked under their real policy (a ``<script>`` tag added with the source inline
    would be blocked by ``script-src 'self'``).
    """
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)


def axe_violations(page: Page) -> list[dict]:
    """axe's violations of the WCAG 2.0/2.1 A and AA rules on the page as it is now."""
    inject_axe(page)
    return page.evaluate(
        """async (tags) => {
            const options = {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]};
            const results = await axe.run(document, options);
            return results.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
            }));
        }""",
        WCAG_21_AA,
    )


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {node['target']}: {node['summary']}" for node in violation["nodes"])
    return "\n".join(lines)


def assert_no_violations(page: Page) -> None:
    """Fail with each violation's rule, help text and offending elements."""
    violations = axe_violations(page)
    assert not violations, f"axe found WCAG 2.1 A/AA violations on {page.url}:\n{describe(violations)}"
