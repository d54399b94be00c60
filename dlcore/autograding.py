"""nbgrader preprocessors that keep autograding fair (instructor side; learners never import this).

A submission runs in an ordinary kernel, so code in it could change what the
tests see: rebind ``checks``, patch ``np.allclose``, swallow exceptions through
IPython, or hand in an object whose ``==`` is always true.  Before the scores
are saved, :class:`RejectTampering` reads every cell the learner could edit and,
if it finds such code, fails every autograded test of that notebook with a
message naming the cell, the line and the reason.  It is a static check for
the known ways, not a sandbox; the instructor can still override a score in
the formgrader.  Learners run the same check before submitting with
``python -m dlcore.autograding exercises/NN_topic/NN_topic.ipynb``.

:class:`LimitOutputLength` also caps the characters of a cell's text output
(nbgrader's ``LimitOutput`` counts lines only, so one long line passes whole).
:class:`DeduplicateGradeIds` replaces nbgrader's ``DeduplicateIds``, which
leaves the earlier copy of a duplicated cell with empty nbgrader metadata; for a
copied answer cell nbgrader 0.9.6 then takes the notebook for an old format and
stops the whole batch.
"""

import ast
import builtins
import importlib.util
import sys
from dataclasses import dataclass

from IPython.core.inputtransformer2 import TransformerManager
import nbformat
from nbformat.v4 import new_output
from nbgrader import utils
from nbgrader.nbgraderformat import SCHEMA_VERSION
from nbgrader.preprocessors import DeduplicateIds, LimitOutput, NbGraderPreprocessor
from traitlets import Integer

# Modules whose only use in an exercise would be to reach into the kernel or the tests.
FORBIDDEN_MODULES = {"IPython", "builtins", "ctypes", "gc", "importlib", "inspect", "mock", "unittest"}
# Names that run or reach arbitrary code or namespaces.
FORBIDDEN_NAMES = {"__builtins__", "__import__", "compile", "delattr", "eval", "exec", "get_ipython",
                   "globals", "locals", "setattr", "vars"}
# Attributes that expose or replace the internals of functions, classes and modules.
FORBIDDEN_ATTRIBUTES = {"__bases__", "__builtins__", "__class__", "__closure__", "__code__", "__defaults__",
                        "__delattr__", "__dict__", "__getattribute__", "__globals__", "__kwdefaults__",
                        "__mro__", "__setattr__", "__subclasses__", "modules", "settrace", "setprofile"}
# The only special methods a learner's class may define: any other (``__eq__``, ``__bool__``,
# ``__array_wrap__``, ...) could make an answer compare, convert or pass a check as anything.
ALLOWED_SPECIAL_METHODS = {"__init__", "__call__", "__repr__", "__str__"}
# Magics a learner may use; they cannot change what the tests see.
ALLOWED_MAGICS = {"matplotlib", "precision", "time", "timeit", "who", "whos"}

REJECTED = "採点の仕組みを書き換えるコードがあるため、このノートブックの自動採点のテストはすべて不合格になります"


@dataclass(frozen=True)
class Finding:
    """One piece of code that could change what the tests see."""

    cell: str
    line: int
    reason: str

    def __str__(self):
        return f"セル {self.cell} の {self.line} 行目: {self.reason}"


def _parse(source):
    """The cell as a Python AST (magics turned into calls), or None if it is not valid Python."""
    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except SyntaxError:
        return None


def _root_name(node):
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _is_module(dotted):
    """Whether ``dotted`` (e.g. ``dlcore.functions``, ``numpy.allclose``) names a module."""
    try:
        return importlib.util.find_spec(dotted) is not None
    except (ImportError, ValueError):
        return False


def _imports(tree):
    """(bound name, imported object, whether it is a module) for every import in ``tree``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield (alias.asname or alias.name.split(".")[0]), alias.name, True
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                origin = f"{node.module}.{alias.name}"
                yield (alias.asname or alias.name), origin, _is_module(origin)


def _allowed_magic_calls(tree):
    """The ``get_ipython`` names that only run an allowed magic or a shell command."""
    allowed = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Call) and isinstance(node.func.value.func, ast.Name)
                and node.func.value.func.id == "get_ipython"):
            shell = node.func.attr in ("system", "getoutput")
            magic = (node.func.attr in ("run_line_magic", "run_cell_magic") and node.args
                     and isinstance(node.args[0], ast.Constant) and node.args[0].value in ALLOWED_MAGICS)
            if shell or magic:
                allowed.add(node.func.value.func)
    return allowed


def _is_special(name):
    return name.startswith("__") and name.endswith("__") and name not in ALLOWED_SPECIAL_METHODS


def _bound_names(node):
    """Parameters and assigned names of a function, lambda, class body or comprehension (its local names)."""
    names, declared_global = set(), set()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        arguments = node.args
        names |= {a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]}
        names |= {a.arg for a in (arguments.vararg, arguments.kwarg) if a}
    bodies = node.generators if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)) \
        else getattr(node, "body", [])
    for part in bodies if isinstance(bodies, list) else [bodies]:
        for child in ast.walk(part):
            if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                names.add(child.id)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and child is not node:
                names.add(child.name)
            elif isinstance(child, ast.Global):
                declared_global.update(child.names)
    return names - declared_global


class _CellAudit(ast.NodeVisitor):
    """The findings in one learner cell; ``audit`` holds what the trusted cells bind and the tests read."""

    def __init__(self, audit, label):
        self.audit, self.label = audit, label
        self.found = []
        self.scopes = []  # local names of the enclosing functions, classes and comprehensions
        self.local_modules = []  # modules imported inside each of those scopes
        self.through_attribute = set()  # ids of module names used as `module.attribute`

    def flag(self, node, reason):
        self.found.append(Finding(self.label, getattr(node, "lineno", 1), reason))

    def is_local(self, name):
        return any(name in scope for scope in self.scopes)

    def is_module(self, name):
        return (any(name in modules for modules in self.local_modules)
                or (name in self.audit.modules and not self.is_local(name)))

    def in_scope(self, node):
        self.scopes.append(_bound_names(node))
        self.local_modules.append(set())
        self.generic_visit(node)
        self.scopes.pop()
        self.local_modules.pop()

    def visit_FunctionDef(self, node):
        if _is_special(node.name):
            self.flag(node, f"特殊メソッド `{node.name}` を定義しています")
        elif node.name in self.audit.protected and not self.scopes:
            self.flag(node, f"テストが使う名前 `{node.name}` を定義し直しています")
        self.in_scope(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        if node.name in self.audit.protected and not self.scopes:
            self.flag(node, f"テストが使う名前 `{node.name}` を定義し直しています")
        self.in_scope(node)

    visit_Lambda = visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = in_scope

    def visit_Import(self, node):
        for name, origin, is_module in _imports(ast.Module(body=[node], type_ignores=[])):
            if origin.split(".")[0] in FORBIDDEN_MODULES:
                self.flag(node, f"モジュール `{origin.split('.')[0]}` を読み込んでいます")
            elif name in self.audit.protected and self.audit.origins.get(name) != origin and not self.scopes:
                self.flag(node, f"テストが使う名前 `{name}` を別のものに置き換えています")
            elif is_module:
                (self.local_modules[-1] if self.scopes else self.audit.modules).add(name)

    visit_ImportFrom = visit_Import

    def visit_Name(self, node):
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            if _is_special(node.id):
                self.flag(node, f"特殊メソッド `{node.id}` を定義しています")
            elif node.id in self.audit.protected and not self.is_local(node.id):
                self.flag(node, f"テストが使う名前 `{node.id}` を書き換えています")
        elif node.id in FORBIDDEN_NAMES and node not in self.audit.allowed and not self.is_local(node.id):
            self.flag(node, f"`{node.id}` を使っています")
        elif self.is_module(node.id) and id(node) not in self.through_attribute:
            self.flag(node, f"モジュール `{node.id}` を `{node.id}.名前` の形以外で使っています"
                            "(別名を付ける、関数に渡す、入れ物に入れるなど)")

    def visit_Attribute(self, node):
        root = _root_name(node)
        if isinstance(node.value, ast.Name):
            self.through_attribute.add(id(node.value))
        if node.attr in FORBIDDEN_ATTRIBUTES:
            self.flag(node, f"属性 `{node.attr}` を使っています")
        elif isinstance(node.ctx, (ast.Store, ast.Del)) and root and self.is_module(root):
            self.flag(node, f"モジュール `{root}` の属性 `{node.attr}` を書き換えています")
        self.generic_visit(node)


class _Audit:
    """What the trusted cells import, which of those names (and builtins) the tests read, and the modules."""

    def __init__(self, trusted_trees, test_trees):
        self.origins, self.modules = {}, set()
        for tree in trusted_trees:
            for name, origin, is_module in _imports(tree):
                self.origins.setdefault(name, origin)
                if is_module:
                    self.modules.add(name)
        read_by_tests = {node.id for tree in test_trees for node in ast.walk(tree)
                         if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
        self.protected = read_by_tests & (set(self.origins) | set(dir(builtins)))
        self.allowed = set()

    def findings(self, label, tree):
        self.allowed = _allowed_magic_calls(tree)
        cell = _CellAudit(self, label)
        cell.visit(tree)
        return cell.found


def find_tampering(nb):
    """Every :class:`Finding` in the cells of ``nb`` that nbgrader does not restore from the source."""
    trusted, tests, learner = [], [], []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tree = _parse(cell.source)
        if tree is None:
            continue
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            tests.append(tree)
            trusted.append(tree)
        elif meta.get("locked") and not meta.get("solution"):
            trusted.append(tree)
        else:
            learner.append((meta.get("grade_id", f"#{index + 1}"), tree))
    audit = _Audit(trusted, tests)
    return [finding for label, tree in learner for finding in audit.findings(label, tree)]


class RejectTampering(NbGraderPreprocessor):
    """Fail every autograded test of a notebook whose editable cells tamper with grading."""

    def preprocess(self, nb, resources):
        findings = find_tampering(nb)
        if findings:
            message = "\n".join([REJECTED + ":", *(f"- {finding}" for finding in findings)])
            self.log.warning("%s: %s", resources["nbgrader"]["student"], message)
            for cell in nb.cells:
                if utils.is_grade(cell) and not utils.is_solution(cell) and cell.cell_type == "code":
                    cell.outputs.append(new_output("error", ename="採点の改変", evalue=message,
                                                   traceback=[message]))
        return nb, resources


class DeduplicateGradeIds(DeduplicateIds):
    """Keep the last cell of each grade id; earlier copies lose their nbgrader metadata entirely."""

    def preprocess_cell(self, cell, resources, cell_index):
        meta = cell.metadata.get("nbgrader")
        if meta is not None and not meta.get("grade_id"):
            del cell.metadata["nbgrader"]
        elif meta is not None and meta["grade_id"] in self.grade_ids:
            self.log.warning("Cell with id '%s' exists multiple times; the earlier copy is ignored", meta["grade_id"])
            del cell.metadata["nbgrader"]
        elif meta is not None:
            meta["schema_version"] = SCHEMA_VERSION
            self.grade_ids.add(meta["grade_id"])
        return cell, resources


class LimitOutputLength(LimitOutput):
    """nbgrader's line limit plus a limit on the characters of each cell's text output."""

    max_characters = Integer(20_000, help="maximum characters of text output per cell (-1: no limit)").tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.cell_type == "code" and self.max_characters != -1:
            budget = self.max_characters
            for output in cell.outputs:
                texts = ([(output, "text")] if output.output_type == "stream" else
                         [(output.data, key) for key, value in output.get("data", {}).items()
                          if isinstance(value, str) and key.startswith("text/")])
                for holder, key in texts:
                    if len(holder[key]) > budget:
                        holder[key] = holder[key][:max(budget, 0)] + "\n... Output truncated ..."
                    budget -= len(holder[key])
        return cell, resources


def main(paths):
    """Print the findings of each notebook in ``paths``; exit status 1 if there is any."""
    found = False
    for path in paths:
        findings = find_tampering(nbformat.read(path, as_version=4))
        found = found or bool(findings)
        print(f"{path}: " + ("\n".join([REJECTED + ":", *(f"- {f}" for f in findings)]) if findings
                             else "採点の仕組みを書き換えるコードは見つかりませんでした。"))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
