"""Every word a family receives comes from the catalogs (translations/) or the templates
(messages/), never from a string written in the code. These checks read the code itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot import texts
from bot.i18n import N_

BOT = Path(__file__).resolve().parent.parent / "bot"
SOURCES = sorted(p for p in BOT.rglob("*.py") if "migrations" not in p.parts)
# Where a message body may be built: only from variables, never from a literal.
BODY_ARGUMENTS = {"body"}


def _calls(tree: ast.AST):  # type: ignore[no-untyped-def]
    return (node for node in ast.walk(tree) if isinstance(node, ast.Call))


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant | ast.JoinedStr) and not (
        isinstance(node, ast.Constant) and node.value in ("", None))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(BOT)))
def test_no_message_body_is_a_string_literal(path: Path) -> None:
    tree = ast.parse(path.read_text(), str(path))
    for call in _calls(tree):
        for keyword in call.keywords:
            if keyword.arg in BODY_ARGUMENTS and _literal(keyword.value):
                pytest.fail(f"{path.relative_to(BOT)}:{call.lineno}: a message body written "
                            f"in code; put the text in bot/texts.py (gettext) or messages/")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(BOT)))
def test_family_texts_are_named_texts_from_the_catalog(path: Path) -> None:
    tree = ast.parse(path.read_text(), str(path))
    for call in _calls(tree):
        if _name(call) in ("family_text", "family_ntext") and call.args:
            first = call.args[0]
            if isinstance(first, ast.Starred):  # family_ntext(*texts.PLURAL_PAIR, n, ...)
                first = first.value
            named = isinstance(first, ast.Attribute) and getattr(first.value, "id", "") == "texts"
            assert named or path.name == "i18n.py", (
                f"{path.relative_to(BOT)}:{call.lineno}: family_text() must be given a name "
                f"from bot.texts, so the string is in the catalog")


def test_every_named_text_is_marked_for_the_catalog() -> None:
    source = (BOT / "texts.py").read_text()
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id.isupper():  # type: ignore[attr-defined]
            value = node.value
            assert isinstance(value, ast.Call) and _name(value) in ("N_", "N_plural"), (
                f"bot/texts.py: {node.targets[0].id} is not marked with N_()")  # type: ignore[attr-defined]
    assert N_(texts.HELP) == texts.HELP
