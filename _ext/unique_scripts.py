"""Sphinx extension: emit each <script> once per page.

With Jupyter Book 1.0.4 the inline configuration script of sphinx-thebe
(``const THEBE_JS_URL = ...``) lands on every page twice, and the second copy
throws "Identifier 'THEBE_JS_URL' has already been declared".
"""


def _drop_repeated_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # the same inline script arrives once with filename None and once with ""
        key = (getattr(script, "filename", script) or "", repr(getattr(script, "attributes", None)))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", _drop_repeated_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
