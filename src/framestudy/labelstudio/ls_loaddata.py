"""Load a Django dump into Label Studio's database exactly: ``python ls_loaddata.py LS_DIR DUMP``.

Run by :func:`framestudy.labelstudio.team.migrate_to_team` as a script, in Label Studio's
own environment (its package folder first on ``sys.path``, ``DJANGO_SETTINGS_MODULE`` and
the database settings in the environment); framestudy never imports it.

Why not plain ``manage.py loaddata``: Label Studio has model signal handlers that ignore
Django's ``raw`` flag, so loading a user also creates a new API token for it (and the
user's real token, loaded next, then collides with it). Here every model signal receiver is
disconnected while the dump loads, so the database holds the dump's rows and nothing else;
``loaddata`` itself resets PostgreSQL's id sequences afterwards. Then each dumped model's
row count is compared with the dump's, and any difference is an error (exit 1, one line
per model on stderr).
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections import Counter


def main(ls_dir: str, dump: str) -> int:
    sys.path.insert(0, ls_dir)
    import django

    django.setup()
    from django.apps import apps
    from django.core.management import call_command
    from django.db.models import signals

    for signal in (
        signals.pre_save,
        signals.post_save,
        signals.pre_delete,
        signals.post_delete,
        signals.m2m_changed,
    ):
        signal.receivers.clear()
        signal.sender_receivers_cache.clear()
    call_command("loaddata", dump, verbosity=1)

    expected = Counter(
        element.get("model")
        for _, element in ET.iterparse(dump)
        if element.tag == "object" and element.get("model")
    )
    wrong = []
    for label, count in sorted(expected.items()):
        model = apps.get_model(label)
        found = model._base_manager.count()
        if found != count:
            wrong.append(f"{label}: {count} rows in the dump, {found} in PostgreSQL")
    for line in wrong:
        print(line, file=sys.stderr)
    print(f"checked {len(expected)} models, {sum(expected.values())} rows: "
          f"{'all equal' if not wrong else f'{len(wrong)} differ'}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
