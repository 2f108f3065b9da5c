"""The HTML pages of the store, rendered from the Jinja2 templates in templates/.

Autoescaping is on for every template: a value is escaped unless the code marks it as
HTML on purpose (`markupsafe.Markup`: markdown rendered by mapbench.analysis.render.
markdown, an HTML fragment another transform produced). Pages stay self-contained:
the style is inline (templates/base.html.j2), no scripts, no network; links and images
are relative paths into the run folder, so a page opens straight from disk.
"""
from __future__ import annotations

from functools import lru_cache

import jinja2
from markupsafe import Markup

from mapbench.analysis.render import markdown


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("mapbench.analysis.render", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["markdown"] = lambda text: Markup(markdown.to_html(text or ""))
    return env


def render(template: str, **context) -> str:
    """One page or fragment: templates/<template> with `context`."""
    return environment().get_template(template).render(**context)
