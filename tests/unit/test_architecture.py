"""Dependencies point inward: walk every import with ``ast`` and check the rules."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("consent", "web", "workers", "schemas", "sandbox", "migrations", "cli")
OURS = set(PACKAGES)

# What each layer must never import (by top-level package or dotted prefix).
FORBIDDEN = {
    "consent": {
        "web",
        "workers",
        "cli",
        "sandbox",
        "consent.adapters",
        "consent.bootstrap",
        "migrations",
    },
    "consent.adapters": {"web", "workers", "cli", "sandbox", "consent.bootstrap"},
    "consent.bootstrap": {"web", "workers", "cli", "sandbox"},
    "web": {"workers", "cli", "sandbox"},
    "workers": {"web", "cli", "sandbox"},
    "schemas": {"consent", "web", "workers", "cli", "sandbox"},
    "sandbox": {"consent", "web", "workers", "cli", "schemas"},
    "migrations": {"web", "workers", "cli", "sandbox"},
}
# The domain core imports the standard library, itself, and these small pure helpers only.
CORE_THIRD_PARTY = {
    "stdnum",
    "zxcvbn",  # consent.published_secrets: how guessable a production password is
    "cryptography",  # consent.config: a whsk_ key's public half must be its seed's own
}
# Modules allowed to touch os.environ, and why.
ENVIRON_READERS = {
    "consent.config": "the one typed reader of the environment",
    "cli.local_stack": "passes the environment through to the processes it starts",
}


def _modules() -> list[tuple[str, Path]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found.append((".".join(p for p in parts if p != "__init__"), path))
    return found


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _layer(module: str) -> str:
    """The layer of ``module``: the composition root and the adapters are layers of their
    own inside ``consent``; the rest of ``consent`` is the domain core."""
    for layer in ("consent.adapters", "consent.bootstrap"):
        if _matches(module, layer):
            return layer
    return module.split(".", maxsplit=1)[0]


def _matches(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


MODULES = _modules()


def test_the_walk_sees_the_whole_code_base() -> None:
    seen = {m for m, _ in MODULES}
    assert {
        "consent.config",
        "consent.hetu",
        "web.app",
        "workers.worker",
        "consent.bootstrap",
    } <= seen


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_imports_point_inward(module: str, path: Path) -> None:
    forbidden = FORBIDDEN.get(_layer(module), set())
    bad = sorted(n for n in _imports(path) if any(_matches(n, f) for f in forbidden))
    assert not bad, f"{module} must not import {bad}"


@pytest.mark.parametrize(
    ("module", "path"), [(m, p) for m, p in MODULES if _layer(m) == "consent"], ids=str
)
def test_the_domain_core_imports_only_the_standard_library_and_pure_helpers(
    module: str, path: Path
) -> None:
    outside = {
        name
        for name in _imports(path)
        if name.split(".")[0] not in sys.stdlib_module_names | OURS | CORE_THIRD_PARTY
        and not name.startswith("__future__")
    }
    assert not outside, f"{module} imports {sorted(outside)}"


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_only_the_settings_read_the_environment(module: str, path: Path) -> None:
    if module in ENVIRON_READERS:
        return
    source = path.read_text()
    assert "os.environ" not in source, module
    assert "getenv" not in source, module


def _edges() -> dict[str, set[str]]:
    """Each of our modules and the modules of ours it imports (``from pkg import mod`` is an
    import of ``pkg.mod`` when that is a module)."""
    known = {m for m, _ in MODULES}
    edges: dict[str, set[str]] = {}
    for module, path in MODULES:
        targets = edges.setdefault(module, set())
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name in known)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                subs = {f"{node.module}.{a.name}" for a in node.names} & known
                targets.update(subs or ({node.module} & known))
        targets.discard(module)
    return edges


def _cycle(edges: dict[str, set[str]]) -> list[str]:
    """One import circle, as the modules along it; empty if there is none."""
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> list[str]:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return []
        path.append(module)
        for target in sorted(edges.get(module, ())):
            if found := visit(target):
                return found
        path.pop()
        done.add(module)
        return []

    for module in sorted(edges):
        if found := visit(module):
            return found
    return []


def test_no_module_imports_itself_through_others() -> None:
    assert _cycle(_edges()) == []


def test_the_walk_finds_an_import_circle_when_there_is_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


# Adapters that hold a connection, a secret or a file: built by the composition root only.
_BUILT_BY_THE_ROOT = re.compile(
    r"^(Sql|Http|Rq|Redis)[A-Z]\w*$|^(AesGcmCipher|LoginThrottle|ConsentForm|ConnectorPoster)$"
)


def _adapter_classes() -> set[str]:
    found = set()
    for path in (ROOT / "consent" / "adapters").rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        found |= {n.name for n in tree.body if isinstance(n, ast.ClassDef)}
    return {name for name in found if _BUILT_BY_THE_ROOT.match(name)}


def _constructed(path: Path, classes: set[str]) -> set[str]:
    calls = (n for n in ast.walk(ast.parse(path.read_text(), str(path))) if isinstance(n, ast.Call))
    return {c.func.id for c in calls if isinstance(c.func, ast.Name) and c.func.id in classes}


@pytest.mark.parametrize(
    ("module", "path"),
    [(m, p) for m, p in MODULES if _layer(m) not in {"consent.adapters", "consent.bootstrap"}],
    ids=str,
)
def test_adapters_are_built_by_the_composition_root_alone(module: str, path: Path) -> None:
    assert not _constructed(path, _adapter_classes()), module


def test_the_adapters_the_root_builds_are_known_to_the_check() -> None:
    assert {"SqlLedger", "HttpKoski", "RqJobQueue", "AesGcmCipher"} <= _adapter_classes()
