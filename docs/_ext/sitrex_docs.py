"""Sphinx extension of the sitrex docs: generated API pages and the angle table.

* At ``config-inited`` (before Sphinx lists the sources) it writes one page per
  public module into ``api/generated/``: the module's docstring, an
  autosummary table (with a page each) of the functions and classes it
  exports in ``__all__``, its constants with their ``#:`` comments, and links
  to the names it re-exports from another public module. The top-level page
  lists every name of ``sitrex.__all__`` with a link to where it is
  documented. Nothing is hand-copied, so a new public name gets its page on
  the next build.
* ``.. sitrex-angle-table::`` renders :data:`sitrex.angle_table.ANGLE_DEFINITIONS`
  as a table at build time.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pprint
import re
import types
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.pycode import ModuleAnalyzer
from sphinx.util.docutils import SphinxDirective

import sitrex

GENERATED = Path("api") / "generated"


# ------------------------------------------------------------------------------ the API pages
#: Modules documented besides those of ``sitrex.__all__``: the built-in backends,
#: whose constructor options users pass to ``get_backend``; the feedback modules and
#: the command line, which the user guide links to (whether or not ``sitrex.__all__``
#: lists them yet; a module listed in both is documented once).
EXTRA_MODULES = ("sitrex.backends.mediapipe", "sitrex.backends.yolo", "sitrex.feedback",
                 "sitrex.feedback.windows", "sitrex.feedback.coach", "sitrex.feedback.many",
                 "sitrex.feedback.table", "sitrex.alignment",
                 "sitrex.repetitions", "sitrex.demo", "sitrex.cli")


def public_modules() -> list[str]:
    """The public submodules, as ``sitrex.__all__`` lists them, and EXTRA_MODULES."""
    names = [n for n in sitrex.__all__ if isinstance(getattr(sitrex, n), types.ModuleType)]
    return sorted({f"sitrex.{n}" for n in names} | set(EXTRA_MODULES))


def _exported(module: types.ModuleType) -> list[str]:
    """``__all__``; without it, the public names the module itself defines."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = []
        for name, obj in vars(module).items():
            if name.startswith("_") or isinstance(obj, types.ModuleType):
                continue
            if inspect.isclass(obj) or inspect.isroutine(obj):
                if getattr(obj, "__module__", None) == module.__name__:
                    names.append(name)
            elif _assigns(module.__name__, name):
                names.append(name)
    return [n for n in names if not n.startswith("_")]


def _assigns(module_name: str, name: str) -> bool:
    """Whether the source of ``module_name`` assigns ``name`` at top level."""
    try:
        source = inspect.getsource(importlib.import_module(module_name))
    except (OSError, TypeError):
        return False
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AnnAssign) else []
        for target in targets:
            if isinstance(target, ast.Name) and target.id == name:
                return True
    return False


def _defining_module(obj, name: str, exporter: str) -> str:
    """Module that defines ``obj`` (``__module__``, or for data the module assigning it)."""
    if inspect.isclass(obj) or inspect.isroutine(obj):
        return getattr(obj, "__module__", exporter) or exporter
    candidates = sorted({m for m in list(importlib.sys.modules)
                         if m == "sitrex" or m.startswith("sitrex.")})
    for module_name in [exporter, *candidates]:
        module = importlib.sys.modules.get(module_name)
        if module is not None and getattr(module, name, None) is obj and _assigns(module_name, name):
            return module_name
    return exporter


def _home(obj, name: str, exporter: str, modules: list[str]) -> str:
    """The public module whose page documents ``obj``: the defining module or its
    nearest public ancestor that exports it; else the exporter itself."""
    parts = _defining_module(obj, name, exporter).split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules and name in _exported(importlib.import_module(candidate)):
            return candidate
        parts.pop()
    return exporter


def _kind(obj) -> str:
    if inspect.isclass(obj):
        return "exception" if issubclass(obj, BaseException) else "class"
    if inspect.isroutine(obj):
        return "function"
    return "data"


_ROLE = re.compile(r":[a-z:]+:`~?([^`<]*?)(?: <[^>]*>)?`")


def _first_line(text: str | None) -> str:
    """First line of a docstring, cross-references turned into literals (they would not
    resolve from the page that shows the summary)."""
    for line in (text or "").strip().splitlines():
        line = line.strip()
        if line:
            return _ROLE.sub(lambda m: f"``{m.group(1).strip()}``", line)
    return ""


def _data_doc(obj, name: str, exporter: str) -> list[str]:
    """The ``#:`` comment (or attribute docstring) of a module constant."""
    module_name = _defining_module(obj, name, exporter)
    try:
        docs = ModuleAnalyzer.for_module(module_name).find_attr_docs()
    except Exception:  # no source
        return []
    return list(docs.get(("", name), []))


def _summary(obj, name: str, exporter: str) -> str:
    if _kind(obj) == "data":
        line = _first_line("\n".join(_data_doc(obj, name, exporter)))
        if line:
            return line
        value = _value_repr(obj)  # no comment: say what it holds
        if value is not None:
            return f"``{value}``"
        size = f" of {len(obj)} items" if hasattr(obj, "__len__") else ""
        return f"A ``{type(obj).__name__}``{size}."
    return _first_line(inspect.getdoc(obj))


def _role(kind: str) -> str:
    return {"class": "class", "exception": "exc", "function": "func"}.get(kind, "data")


def _value_repr(obj) -> str | None:
    text = repr(obj)
    return text if len(text) <= 90 and "\n" not in text else None


def _value_block(obj) -> list[str]:
    """The value of a long constant as a literal block, unless it is too long to read."""
    text = pprint.pformat(obj, width=96, compact=True, sort_dicts=False)
    if len(text.splitlines()) > 14:
        size = f" of {len(obj)} items" if hasattr(obj, "__len__") else ""
        return [f"A ``{type(obj).__name__}``{size}.", ""]
    return ["Value::", "", *(f"    {line}" for line in text.splitlines()), ""]


def _heading(text: str, char: str = "=") -> list[str]:
    return [text, char * len(text), ""]


#: "sitrex.X" or "sitrex.module.X" (a re-export) -> where X is documented; filled when the
#: pages are generated, read by resolve_alias
ALIASES: dict[str, str] = {}


def module_page(module_name: str, modules: list[str]) -> str:
    module = importlib.import_module(module_name)
    own, data, elsewhere = [], [], []
    for name in _exported(module):
        obj = getattr(module, name)
        if isinstance(obj, types.ModuleType):
            continue
        home = _home(obj, name, module_name, modules)
        kind = _kind(obj)
        if home != module_name:
            elsewhere.append((name, kind, home))
            ALIASES[f"{module_name}.{name}"] = f"{home}.{name}"
        elif kind == "data":
            data.append((name, obj))
        else:
            own.append(name)

    lines = [*_heading(f"``{module_name}``"),
             f".. automodule:: {module_name}", "   :no-members:", "",
             f".. currentmodule:: {module_name}", ""]
    if own:
        lines += [*_heading("Functions and classes", "-"),
                  ".. autosummary::", "   :toctree: .", "   :nosignatures:", ""]
        lines += [f"   {name}" for name in own] + [""]
    if data:
        lines += _heading("Constants", "-")
        for name, obj in data:
            lines.append(f".. py:data:: {name}")
            value = _value_repr(obj)
            if value is not None:
                lines.append(f"   :value: {value}")
            lines.append("")
            body = _data_doc(obj, name, module_name)
            if value is None:
                body = [*body, "", *_value_block(obj)] if body else _value_block(obj)
            lines += [f"   {line}" if line else "" for line in body]
            lines.append("")
    if elsewhere:
        lines += _heading("Also available here", "-")
        lines.append("Re-exported from another module, and documented there:")
        lines.append("")
        for name, kind, home in elsewhere:
            lines.append(f"* :py:{_role(kind)}:`{name} <{home}.{name}>` (from :mod:`{home}`)")
        lines.append("")
    return "\n".join(lines)


def top_page(modules: list[str]) -> str:
    lines = [*_heading("``sitrex``"), ".. automodule:: sitrex", "   :no-members:", "",
             *_heading("Top-level names", "-"),
             "``import sitrex`` gives these names; each is documented in the module that defines it.",
             "", ".. list-table::", "   :header-rows: 1", "   :widths: 30 70", "",
             "   * - name", "     - what it is"]
    for name in sitrex.__all__:
        if name.startswith("_"):
            continue
        obj = getattr(sitrex, name)
        if isinstance(obj, types.ModuleType):
            continue
        home = _home(obj, name, "sitrex", modules)
        kind = _kind(obj)
        ALIASES[f"sitrex.{name}"] = f"{home}.{name}"
        lines += [f"   * - :py:{_role(kind)}:`sitrex.{name} <{home}.{name}>`",
                  f"     - {_summary(obj, name, home) or ' '}"]
    lines += ["", *_heading("Modules", "-"), ".. list-table::", "   :header-rows: 0",
              "   :widths: 30 70", ""]
    for module_name in modules:
        doc = _first_line(importlib.import_module(module_name).__doc__)
        lines += [f"   * - :mod:`{module_name}`", f"     - {doc}"]
    lines += ["", ".. toctree::", "   :hidden:", ""]
    lines += [f"   {module_name}" for module_name in modules]
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> None:
    # rewrite only on change, so that Sphinx does not rebuild unchanged pages
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def generate_api_pages(app, config=None) -> None:
    out = Path(app.srcdir) / GENERATED
    out.mkdir(parents=True, exist_ok=True)
    modules = public_modules()
    _write(out / "sitrex.rst", top_page(modules))
    for module_name in modules:
        _write(out / f"{module_name}.rst", module_page(module_name, modules))


# ------------------------------------------------------------------------------ the angle table
class AngleTable(SphinxDirective):
    """``.. sitrex-angle-table::``: the 23 angles, read from sitrex.angle_table at build time."""

    has_content = False

    def run(self):
        from sitrex.angle_table import ANGLE_DEFINITIONS

        how = {"joint": "angle at the middle point", "segment": "segment against a torso axis",
               "valgus": "valgus indicator (positions on the plane)"}
        rows = [".. list-table::", "   :header-rows: 1", "   :widths: 4 26 34 18 18", "",
                "   * - #", "     - angle", "     - landmarks (points, in order)",
                "     - measured as", "     - plane (signed kinds)"]
        for i, d in enumerate(ANGLE_DEFINITIONS):
            points = " → ".join(
                "mid(" + ", ".join(f"``{p}``" for p in point) + ")" if len(point) > 1
                else f"``{point[0]}``" for point in d.points)
            measure = how[d.measure]
            if d.reference:
                measure += f" (``{d.reference}``)"
            plane = d.plane if d.plane else "any: follows the kind (multi-plane)"
            rows += [f"   * - {i}", f"     - **{d.name}**: {d.description}", f"     - {points}",
                     f"     - {measure}", f"     - {plane}"]
        container = nodes.container()
        self.state.nested_parse(StringList(rows, source="sitrex-angle-table"), self.content_offset,
                                container)
        return container.children


def resolve_alias(app, env, node, contnode):
    """Resolve ``sitrex.X`` (and ``sitrex.X.method``) and re-exports such as
    ``sitrex.angles.ANGLE_NAMES`` to the page where the object is documented."""
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    candidates = [target]
    if node.get("py:module") and not target.startswith("sitrex."):
        candidates.insert(0, f"{node['py:module']}.{target}")  # relative to the current module
    for candidate in candidates:
        parts = candidate.split(".")
        for cut in range(len(parts), 1, -1):
            alias = ALIASES.get(".".join(parts[:cut]))
            if alias:
                real = ".".join([alias, *parts[cut:]])
                domain = env.get_domain("py")
                return domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"],
                                           real, node, contnode)
    return None


_SKIPPED_MEMBERS = re.compile(r"^(set_\w+_request|get_metadata_routing)$")


def skip_member(app, what, name, obj, skip, options):
    """Leave out scikit-learn's metadata-routing plumbing, which every estimator gets."""
    if _SKIPPED_MEMBERS.match(name):
        return True
    return None


def class_signature(app, what, name, obj, options, signature, return_annotation):
    """Show ``__init__``'s parameters for classes whose ``__new__`` hides them (Keras layers
    define ``__new__(cls, *args, **kwargs)``, which autodoc would otherwise show)."""
    if what != "class" or signature != "(*args, **kwargs)" or "__init__" not in vars(obj):
        return None
    try:
        sig = inspect.signature(obj.__init__)
    except (TypeError, ValueError):
        return None
    params = [p.replace(annotation=inspect.Parameter.empty)
              for p in list(sig.parameters.values())[1:]]
    return str(sig.replace(parameters=params, return_annotation=inspect.Signature.empty)), None


def setup(app):
    app.connect("autodoc-process-signature", class_signature)
    app.connect("autodoc-skip-member", skip_member)
    app.connect("missing-reference", resolve_alias)
    # at config-inited, so that the pages exist when Sphinx lists the documents and
    # autosummary (at builder-inited) looks for its directives
    app.connect("config-inited", generate_api_pages)
    app.add_directive("sitrex-angle-table", AngleTable)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
