"""Datasette plugin: fold the long list of column descriptions on table pages into a <details>.

Datasette 0.65 prints every described column above the table; with 36 described columns the
articles table starts a screen below the fold. The list moves, untouched, into a closed
<details>; without JavaScript it simply stays open.
"""

from __future__ import annotations

from datasette import hookimpl

COLLAPSE_SCRIPT = """
(function () {
  var dl = document.querySelector("dl.column-descriptions");
  if (!dl) { return; }
  var details = document.createElement("details");
  var summary = document.createElement("summary");
  summary.textContent = "What the columns mean (" + dl.querySelectorAll("dt").length + ")";
  details.appendChild(summary);
  dl.parentNode.insertBefore(details, dl);
  details.appendChild(dl);
})();
"""


@hookimpl
def extra_body_script(template):
    return COLLAPSE_SCRIPT if template == "table.html" else None
