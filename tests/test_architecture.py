"""The shape of the code: which package may import which, no import cycles, no oversized modules.

The import graph is read from the source with ``ast``, without importing anything: every ``import``
and ``from … import`` statement of every module under ``sources``, ``editorial`` and ``config``,
at module level or inside a function alike (a deferred import is still a dependency). An edge goes
to the module named: ``from package import name`` is an import of the submodule ``package.name``
when there is one, else of ``package`` itself (its ``__init__``); ``import a.b`` is an import of
``a.b``. Only modules of those three packages count.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("sources", "editorial", "config")
MAX_LINES = 500


def module_files(root, packages):
    """Map each module's dotted name to its file, for every ``.py`` file under ``packages``."""
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def imported_modules(module, path, known):
    """Yield ``(target, line)`` for each project module that ``module`` (at ``path``) imports."""
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]

    def resolve(name):
        # The module itself, or the nearest enclosing package that is one of ours (None if neither).
        while name and name not in known:
            name = name.rpartition(".")[0]
        return name or None

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = resolve(alias.name)
                if target:
                    yield target, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                target = submodule if submodule in known else resolve(source)
                if target:
                    yield target, node.lineno


def import_graph(root, packages):
    """``{module: {imported module: first line}}`` for the project modules under ``packages``."""
    modules = module_files(root, packages)
    graph = {}
    for module, path in modules.items():
        edges = {}
        for target, line in imported_modules(module, path, modules):
            if target != module:
                edges.setdefault(target, line)
        graph[module] = edges
    return graph


def import_cycles(graph):
    """One cycle, as a list ``[a, b, …, a]``, for each group of modules that import each other."""
    # Tarjan's strongly connected components, iteratively.
    index, low, on_stack, stack, components = {}, {}, set(), [], []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in graph:
                    continue
                if target not in index:
                    index[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(component)

    cycles = []
    for component in components:
        # The shortest way from the component's first module back to itself, within the component.
        first = min(component)
        previous, frontier = {}, [first]
        while first not in previous:
            following = []
            for node in frontier:
                for target in sorted(graph[node]):
                    if target in component and target not in previous:
                        previous[target] = node
                        following.append(target)
            frontier = following
        path, node = [first], previous[first]
        while node != first:
            path.append(node)
            node = previous[node]
        path.append(first)
        cycles.append(path[::-1])
    return sorted(cycles)


def describe(cycle):
    return " -> ".join(cycle)


def oversized_files(root, packages, max_lines):
    """``(path, line count)`` of each module over ``max_lines`` lines, migrations excluded."""
    found = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" in path.relative_to(root).parts:
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > max_lines:
                found.append((path.relative_to(root).as_posix(), lines))
    return found


# The project ----------------------------------------------------------------------------------------


def test_sources_never_imports_editorial_or_config():
    graph = import_graph(ROOT, PACKAGES)
    modules = module_files(ROOT, PACKAGES)

    wrong = [
        f"{modules[module].relative_to(ROOT).as_posix()}:{line}: imports {target}"
        for module, edges in sorted(graph.items())
        if module.split(".")[0] == "sources"
        for target, line in sorted(edges.items())
        if target.split(".")[0] in {"editorial", "config"}
    ]

    assert not wrong, "sources must not depend on editorial or config:\n" + "\n".join(wrong)


def test_no_import_cycles():
    cycles = import_cycles(import_graph(ROOT, PACKAGES))

    assert not cycles, "modules that import each other:\n" + "\n".join(describe(cycle) for cycle in cycles)


def test_no_module_is_over_500_lines():
    oversized = oversized_files(ROOT, PACKAGES, MAX_LINES)

    assert not oversized, f"modules over {MAX_LINES} lines:\n" + "\n".join(
        f"{path}: {lines} lines" for path, lines in oversized
    )


# The checks themselves, on a made-up tree -----------------------------------------------------------


def write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_the_graph_counts_deferred_relative_and_submodule_imports(tmp_path):
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models/__init__.py": "from .claim import Claim\n",
            "app/models/claim.py": "import os\n\ndef anchor():\n    from app import anchoring\n",
            "app/anchoring.py": "from app.models import Claim\n",
            "app/views.py": "from . import anchoring\nimport app.models.claim\nfrom app.models.claim import Claim\n",
            "other/__init__.py": "from app import *\n",
        },
    )

    graph = import_graph(tmp_path, ("app", "other"))

    assert graph == {
        "app": {},
        "app.anchoring": {"app.models": 1},
        "app.models": {"app.models.claim": 1},
        "app.models.claim": {"app.anchoring": 4},
        "app.views": {"app.anchoring": 1, "app.models.claim": 2},
        "other": {"app": 1},
    }
    assert [describe(cycle) for cycle in import_cycles(graph)] == [
        "app.anchoring -> app.models -> app.models.claim -> app.anchoring"
    ]


def test_a_graph_without_cycles_has_none_and_two_modules_importing_each_other_are_one():
    assert import_cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {}}) == []
    assert import_cycles({"a": {"b": 1}, "b": {"a": 3}, "c": {"a": 1}}) == [["a", "b", "a"]]


def test_oversized_files_skip_migrations(tmp_path):
    write(
        tmp_path,
        {
            "app/big.py": "x = 1\n" * 501,
            "app/small.py": "x = 1\n" * 500,
            "app/migrations/0001_initial.py": "x = 1\n" * 900,
        },
    )

    assert oversized_files(tmp_path, ("app",), 500) == [("app/big.py", 501)]
