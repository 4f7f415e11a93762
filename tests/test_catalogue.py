"""The message catalogue (schemas/catalogue.py) covers every finding code the code base can
emit, with a German and an English text, and holds nothing that is never emitted."""

from __future__ import annotations

import ast
from pathlib import Path

from mint_census.schemas.catalogue import CATALOGUE, CELL, code_of
from mint_census.schemas.findings import ERROR, WARNING
from mint_census.schemas.messages import file_finding, rule_finding

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("schemas", "sources", "warehouse", "publications", "flows")

# Calls that name a finding's catalogue key, and which positional argument holds it.
KEY_ARGUMENT = {"file_finding": 0, "_err": 0, "rule_finding": 1, "cell_finding": 1, "CrossRule": 0,
                "FrameRule": 0, "Parsed": 2}
# Functions whose returned strings are catalogue keys (or key variants) handed on.
KEY_RETURNING = {"_code": lambda s: s, "_zip_kind": lambda s: s}
# Calls whose first argument is a variant of one code.
VARIANT_OF = {"_zip_bomb": "zip_bomb"}


def _strings(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def emitted_keys() -> set[str]:
    keys: set[str] = set()
    for stage in STAGES:
        for path in (ROOT / stage).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                    if name in KEY_ARGUMENT and len(node.args) > KEY_ARGUMENT[name]:
                        keys |= _strings(node.args[KEY_ARGUMENT[name]])
                    if name in VARIANT_OF and node.args:
                        keys |= {f"{VARIANT_OF[name]}:{s}" for s in _strings(node.args[0])}
                elif isinstance(node, ast.FunctionDef) and node.name in KEY_RETURNING:
                    for ret in (n for n in ast.walk(node) if isinstance(n, ast.Return) and n.value is not None):
                        value = ret.value.elts[0] if isinstance(ret.value, ast.Tuple) else ret.value
                        keys |= _strings(value)
    return {k for k in keys if k and not k.endswith(":") and k.replace("_", "").replace(":", "").isalnum()
            and k.islower()}


def test_every_emitted_code_has_german_and_english_text():
    emitted = emitted_keys()
    assert {"required", "zip_bomb:ratio", "unknown_kreis", "superseded", "layout_changed",
            "normalised", "not_a_workbook:packed"} <= emitted  # the scan sees every kind of call
    missing = sorted(k for k in emitted if k not in CATALOGUE and k not in {code_of(c) for c in CATALOGUE})
    assert not missing, f"codes emitted without a catalogue entry: {missing}"
    for key, entry in CATALOGUE.items():
        assert entry.de.strip() and entry.en.strip() and entry.de != entry.en, key


def test_nothing_in_the_catalogue_is_unused():
    emitted = emitted_keys()
    unused = sorted(k for k in CATALOGUE if k not in emitted)
    assert not unused, f"catalogue entries no code emits: {unused}"


def test_cell_texts_are_sentence_starts_and_sentences_end_with_a_full_stop():
    for key, entry in CATALOGUE.items():
        if entry.kind == CELL:
            assert not entry.de.endswith("."), key   # the standard sentence goes on after it
        else:
            assert entry.de.rstrip().endswith((".", ")")), key


def test_a_rule_finding_is_worded_from_the_catalogue_with_its_values():
    from mint_census.schemas import questionnaire as q

    f = rule_finding(WARNING, "old_kreis", spec=q.FIELD_BY_KEY["kreis_code"], sheet="Gebiet", cell="A6",
                     label="Kreisschlüssel", found="16056", expected="16063", current="16063")
    assert f.code == "old_kreis" and f.severity == WARNING
    assert f.message_de == ("Gebiet!A6 – Kreisschlüssel: Der Kreisschlüssel „16056“ ist nicht mehr gültig; "
                            "er wird als „16063“ (heutiger Kreis) geführt. Bitte künftig den neuen "
                            "Schlüssel verwenden.")
    assert f.message_en == "old Kreis code 16056 mapped to 16063"


def test_a_variant_keeps_its_code():
    f = file_finding("zip_bomb:total_size", limit="200,0 MB", detail="total > 200 MiB")
    assert f.code == "zip_bomb" and f.severity == ERROR
    assert f.message_de.startswith("Die Datei wird aus Sicherheitsgründen nicht verarbeitet: Die Datei "
                                   "wäre entpackt mehr als 200,0 MB groß. ")
    assert f.message_en == "zip bomb / size limit: total > 200 MiB"
