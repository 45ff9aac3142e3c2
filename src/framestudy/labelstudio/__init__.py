"""The Label Studio side of a study: server, coders, push, status and pull.

One module per job:

- :mod:`.credentials`  secrets in the git-ignored ``.labelstudio/`` folder (mode 0600) and
                       masking (``abcd…wxyz``) for anything shown on the terminal;
- :mod:`.server`       start / stop / status of the embedded Label Studio (127.0.0.1, SQLite);
- :mod:`.client`       the connection (local server or ``LABEL_STUDIO_URL`` +
                       ``LABEL_STUDIO_API_KEY``), back-off on transient errors and one-line
                       :class:`~framestudy.errors.UserError` messages for every fault; the
                       SDK's public calls, and one raw request for the two bulk calls
                       where the SDK is too slow (``Connection.raw_request``);
- :mod:`.accounts`     browser-like HTTP flows the SDK has no call for (invite-link sign-up,
                       log-in);
- :mod:`.launch_label_studio`  Label Studio started with framestudy's sign-up hook (one
                       organisation per coder) and an object permission that compares
                       organisations: blindness enforced on the servers framestudy starts;
- :mod:`.organizations` which connection (admin's or the coder's own token) acts in each
                       coder's organisation;
- :mod:`.coders`       ``coders add``: one Label Studio account per coder (and its token);
- :mod:`.projects`     the study's projects: find / create / update;
- :mod:`.remote`       fast listing of a project's tasks and the push ledger (its model);
- :mod:`.push`         tasks -> projects, idempotently;
- :mod:`.status`       done / skipped / remaining per coder and outlet;
- :mod:`.pull`         snapshot exports -> ``annotations/raw/`` -> the tidy table;
- :mod:`.upload`       exports' annotations -> the study's projects, each through its
                       coder's own account (``framestudy annotations upload``);
- :mod:`.submit`       one annotation, submitted so that a retry never duplicates it (an
                       idempotency key the database enforces);
- :mod:`.predictions`  model suggestions as predictions, without duplicates;
- :mod:`.adjudicate`   ``adjudicate push|pull``: disagreements to the adjudicator's review
                       project, decisions back to ``annotations/adjudicated.csv``.

What is not about talking to Label Studio lives outside this package, so the simulator can
use it without it: the study's ``study.yaml`` and project titles (:mod:`framestudy.settings`),
the blind and shared designs (:mod:`framestudy.design`), the task ``meta``
(:mod:`framestudy.task_meta`) and the raw-export store (:mod:`framestudy.annotations.raw`).
"""

from framestudy.lazy import lazy_exports

# Loaded on first use: label-studio-sdk takes a second to import, and a light module of this
# package (server, credentials) must not pay for it.
__getattr__, __dir__ = lazy_exports(__name__, {"Connection": "client", "connect": "client"})

__all__ = ["Connection", "connect"]
