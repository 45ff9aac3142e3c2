"""The schema as a Label Studio labeling config (XML).

The screen is two columns side by side, so that no answer is below the article:

- left, the span labels (a row that stays put) over the article text, which scrolls in its
  own pane;
- right, the question column, scrolling on its own: first the questions of the selected span
  (shown only while a span is selected: its label's attributes, then those every span has),
  then the article-level questions grouped by dimension. Each question carries its decision
  rules in small type beneath it (a question whose rules are the same as the previous one's
  points back to it); the full codebook is the project's instructions.

Control names are the schema ids, so a result's ``from_name`` is the variable id. Each
``<Choice>`` shows the value's label and stores the value's id (its ``alias``), with the
definition as the hover hint.

Hotkeys are set explicitly (:func:`hotkeys`), because Label Studio otherwise gives every
control a key from ``1234567890qwetasdfgzxcvbyiopjklnm`` in the order it meets them: the
digits after the labels would go to answers, and keys to answers of questions that are hidden
for the selected span's label (a key toggles its answer even while hidden, attaching an
attribute to a span of the wrong label).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from framestudy.schema.model import Schema, SpanAttribute, _Coded

TEXT_NAME = "text"

#: Label Studio's own order of automatic hotkeys (core/Hotkey.ts ``makeComb``; ``r``, ``u``
#: and ``h`` are its editor's keys). Every key of it is given out here, so none is left for
#: Label Studio to hand out itself.
LS_HOTKEY_POOL = "1234567890qwetasdfgzxcvbyiopjklnm"
LABEL_KEYS = "123456789"

#: Height of the two panes: the viewport less what Label Studio 1.23 puts above them (its top
#: bar and margins, 62 px) and below (the bar with Submit, 44 px), and a small gap; measured
#: at 1024 x 768, 1280 x 800, 1366 x 768 and 1920 x 1080, where the page itself never scrolls.
PANE_HEIGHT = "calc(100vh - 124px)"

STYLE = f"""
.fs-screen {{ display: flex; align-items: flex-start; gap: 16px; }}
.fs-article {{ flex: 3 1 0; min-width: 0; height: {PANE_HEIGHT}; overflow-y: auto;
  padding-right: 8px; }}
.fs-labels {{ position: sticky; top: 0; z-index: 2; padding: 2px 0 6px;
  background: var(--color-neutral-background, #fff); }}
.fs-questions {{ flex: 2 1 0; min-width: 300px; max-width: 520px; height: {PANE_HEIGHT};
  overflow-y: auto; padding: 0 8px 32px 14px; border-left: 1px solid #d9d9d9; }}
.fs-span {{ background: #fffbe6; border: 1px solid #f0d78c; border-radius: 6px;
  padding: 2px 10px 6px; margin: 0 0 10px; }}
.fs-questions .lsf-choices {{ margin: 2px 0 4px; }}
.fs-questions .lsf-choice {{ line-height: 24px; }}
"""
_TITLE = "font-size: 16px; font-weight: 700; line-height: 1.3; margin: 14px 0 0"
_SPAN_TITLE = "font-size: 15px; font-weight: 700; line-height: 1.3; margin: 6px 0 0"
_QUESTION = "font-size: 14px; font-weight: 600; line-height: 1.35; margin: 10px 0 2px"
_RULE = "font-size: 12px; font-weight: 400; line-height: 1.35; color: #595959; margin: 0 0 2px"


def _header(parent: ET.Element, text: str, style: str) -> None:
    ET.SubElement(parent, "Header", {"value": text, "style": style})


def _rules(parent: ET.Element, item, same_as: str | None) -> None:
    if not item.rules:
        return
    if same_as:
        _header(parent, f"Decision rules: as for {same_as}.", _RULE)
        return
    for rule in item.rules:
        _header(parent, f"• {rule}", _RULE)


def _choices(
    parent: ET.Element,
    schema: Schema,
    item: _Coded,
    keys: dict[tuple[str, str], str],
    per_region: bool,
    required: bool,
) -> None:
    attrs = {
        "name": item.id,
        "toName": TEXT_NAME,
        "choice": "multiple" if item.type == "multiple" else "single-radio",
        "showInline": "false",  # one answer a line: a scale reads top to bottom
    }
    if per_region:
        attrs["perRegion"] = "true"
    if required:
        attrs["required"] = "true"
    element = ET.SubElement(parent, "Choices", attrs)
    for value in _ordered_values(schema, item):
        choice = {"value": value.display, "alias": value.id, "hint": value.definition}
        key = keys.get((item.id, value.id))
        if key:
            choice["hotkey"] = key
        ET.SubElement(element, "Choice", choice)


def _ordered_values(schema: Schema, item: _Coded):
    values = schema.values(item)
    if item.type == "ordinal":  # scale order, 'not addressed' last
        by_id = {v.id: v for v in values}
        values = [by_id[i] for i in schema.order(item)]
        values += [item.not_addressed] if item.not_addressed else []
    return values


def _span_groups(schema: Schema) -> list[tuple[str | None, list[SpanAttribute]]]:
    """Per-region attributes in screen order: per label (the schema's label order), then
    those every span has (label None)."""
    if not schema.spans:
        return []
    groups = []
    for label in schema.spans.labels:
        own = [a for a in schema.spans.attributes if a.labels != "all" and label.id in a.labels]
        if own:
            groups.append((label.id, own))
    every = [a for a in schema.spans.attributes if a.labels == "all"]
    if every:
        groups.append((None, every))
    return groups


def _safe_choices(schema: Schema) -> list[tuple[str, str]]:
    """(question id, value id) of every answer a key may toggle, in screen order: those of the
    span questions every span has, then the article-level questions -- the ordinal scales
    last (their answers are numbers, which a key of another number would muddle)."""
    items: list[_Coded] = []
    for label, attributes in _span_groups(schema):
        if label is None:
            items += attributes
    for dimension in schema.dimensions:
        items += [v for v in schema.variables if v.dimension == dimension.id]
    items.sort(key=lambda item: item.type == "ordinal")  # stable: screen order otherwise
    return [(item.id, value.id) for item in items for value in _ordered_values(schema, item)]


def hotkeys(schema: Schema) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """The keys of the labeling screen: (label id -> key, (question id, value id) -> key).

    Span labels take the digits 1-9 in order. The answers that are safe to toggle by key
    (:func:`_safe_choices`) take the rest of Label Studio's pool in screen order, letters
    first, the digits no label took last; answers beyond the pool, and the answers of a
    label's own span questions, get no key. The whole pool is given out whenever there are
    enough answers, so Label Studio assigns no key of its own.
    """
    labels = [label.id for label in schema.spans.labels] if schema.spans else []
    label_keys = dict(zip(labels, LABEL_KEYS, strict=False))
    used = set(label_keys.values())
    letters = [k for k in LS_HOTKEY_POOL if not k.isdigit()]
    digits = [k for k in LS_HOTKEY_POOL if k.isdigit() and k not in used]
    pool = iter(letters + digits)
    choice_keys = {}
    for pair in _safe_choices(schema):
        key = next(pool, None)
        if key is None:
            break
        choice_keys[pair] = key
    return label_keys, choice_keys


def labeling_config(schema: Schema) -> str:
    """Return the Label Studio labeling config for ``schema`` as an XML string."""
    label_keys, choice_keys = hotkeys(schema)
    root = ET.Element("View")
    style = ET.SubElement(root, "Style")
    style.text = STYLE
    screen = ET.SubElement(root, "View", {"className": "fs-screen"})

    article = ET.SubElement(screen, "View", {"className": "fs-article"})
    if schema.spans:
        bar = ET.SubElement(article, "View", {"className": "fs-labels"})
        labels = ET.SubElement(bar, "Labels", {"name": schema.spans.name, "toName": TEXT_NAME})
        for label in schema.spans.labels:
            attrs = {"value": label.id, "hint": label.definition}
            if label.id in label_keys:
                attrs["hotkey"] = label_keys[label.id]
            if label.color:
                attrs["background"] = label.color
            ET.SubElement(labels, "Label", attrs)
    ET.SubElement(article, "Text", {"name": TEXT_NAME, "value": f"${TEXT_NAME}", "granularity": "word"})

    column = ET.SubElement(screen, "View", {"className": "fs-questions"})
    groups = _span_groups(schema)
    if groups:
        when = {"visibleWhen": "region-selected", "whenTagName": schema.spans.name}
        box = ET.SubElement(column, "View", {**when, "className": "fs-span"})
        _header(box, "The selected span", _SPAN_TITLE)
        for label, attributes in groups:
            view = ET.SubElement(box, "View", {**when, "whenLabelValue": label} if label else {})
            for attr in attributes:
                _header(view, attr.question, _QUESTION)
                _rules(view, attr, None)
                _choices(view, schema, attr, choice_keys, per_region=True, required=False)

    for dimension in schema.dimensions:
        variables = [v for v in schema.variables if v.dimension == dimension.id]
        if not variables:
            continue
        view = ET.SubElement(column, "View")
        _header(view, dimension.title, _TITLE)
        previous = None
        for var in variables:
            prefix = f"{var.code}. " if var.code else ""
            _header(view, prefix + var.question, _QUESTION)
            same = previous is not None and previous.rules and previous.rules == var.rules
            _rules(view, var, (previous.code or previous.id) if same else None)
            _choices(view, schema, var, choice_keys, per_region=False, required=var.required)
            if not same:
                previous = var

    ET.indent(root, space="  ")
    comment = (
        f"<!-- Generated by `framestudy schema build` from schemas/framing.yaml "
        f"(schema {schema.name} {schema.version}, hash {schema.hash}). Do not edit. -->\n"
    )
    return comment + ET.tostring(root, encoding="unicode") + "\n"
