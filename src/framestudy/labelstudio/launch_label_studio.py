"""Label Studio with framestudy's sign-up hook: every coder in an organisation of their own.

Label Studio Community puts every user in one organisation, and every member sees every
project of it, so the blind design's "open only your own project" is a request. Its sign-up
view, though, hands the new user to the function named by the ``SAVE_USER`` setting
(``users.functions.save_user`` by default, which adds the user to the first organisation).
This module names :func:`save_user` there instead: a user who signs up through the invite
link gets a new organisation, and sees only the projects made in it (the other coders'
projects answer 404 to their token and in their browser).

The setting is not an environment variable, and a settings module of our own that imports
Label Studio's does not work (Label Studio reads ``django.conf.settings`` while its settings
module is still loading). So the setting is changed on Django's settings object after it is
configured and before the server handles a request, the way Label Studio itself sets
``INTERNAL_PORT`` at start-up:

- the embedded server runs ``python -m framestudy.labelstudio.launch_label_studio start ...``
  (the arguments of ``label-studio start``): the settings are configured, the hook set, and
  ``label_studio.server.main()`` takes over;
- the team server's gunicorn loads ``framestudy.labelstudio.launch_label_studio:application``
  (Label Studio's ``core.wsgi`` application, with the hook set).

Organisations alone do not keep coders apart: Label Studio Community assumes a single
organisation, and its object permission (``core.api_permissions.HasObjectPermission``, the
first of Django REST framework's default permission classes) never compares
organisations -- so, measured on 1.23.2, a coder's token could list another organisation's
tasks (``GET /api/tasks/?project=ID``) and post an annotation to one of them, though the
project itself answers 404. :func:`install` therefore also replaces that class with
``SameOrganization``: an object that belongs to an organisation (a project, or a task,
annotation, view... of a project) is refused (HTTP 403) to a user working in another one.

Only sign-ups through the invite link pass through the hook; the admin that Label Studio
creates from the environment at the first start keeps the first organisation. The process
(and what it imports here) is Label Studio's: this module imports nothing of framestudy.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HOOK = "framestudy.labelstudio.launch_label_studio.save_user"
PERMISSION = "framestudy.labelstudio.launch_label_studio.SameOrganization"
LS_PERMISSION = "core.api_permissions.HasObjectPermission"
SETTINGS_MODULE = "label_studio.core.settings.label_studio"


def save_user(request, next_page, user_form):
    """``SAVE_USER``: save the signed-up user in a new organisation of their own; log them
    in; redirect like Label Studio's own function (the project list unless ``next_page``)."""
    from django.db import transaction
    from django.shortcuts import redirect
    from django.urls import reverse
    from organizations.models import Organization
    from users.functions.common import login  # Django's, plus the session's log-in time

    with transaction.atomic():
        user = user_form.save()
        user.username = user.email.split("@")[0]
        user.save()
        organization = Organization.create_organization(
            created_by=user, title=user.email, legacy_api_tokens_enabled=True
        )
        user.active_organization = organization
        user.save(update_fields=["active_organization"])
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(next_page or reverse("projects:project-index"))


def install() -> None:
    """Configure Django's settings (if not yet) and point ``SAVE_USER`` at :func:`save_user`."""
    import label_studio

    folder = str(Path(label_studio.__file__).parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)  # Label Studio's modules import each other as top level
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    from django.conf import settings

    settings.SAVE_USER = HOOK
    rest = dict(settings.REST_FRAMEWORK)
    classes = list(rest["DEFAULT_PERMISSION_CLASSES"])
    if LS_PERMISSION not in classes:
        raise RuntimeError(
            f"Label Studio's REST settings no longer name {LS_PERMISSION}: framestudy cannot "
            "keep organisations apart on this version"
        )
    rest["DEFAULT_PERMISSION_CLASSES"] = [PERMISSION if c == LS_PERMISSION else c for c in classes]
    settings.REST_FRAMEWORK = rest
    from rest_framework.settings import api_settings

    api_settings.reload()  # Label Studio's settings module has already read them once
    from rest_framework.views import APIView

    # ... and imported DRF's views, whose base class took the default classes then
    APIView.permission_classes = api_settings.DEFAULT_PERMISSION_CLASSES


def _organization_of(obj) -> int | None:
    """The organisation an object belongs to: its own (projects), its project's (tasks,
    annotations, data manager views...), itself (an organisation); None if it has none."""
    if type(obj).__name__ == "Organization":
        return obj.pk
    org = getattr(obj, "organization_id", None)
    if org is None:
        project = getattr(obj, "project", None)
        org = getattr(project, "organization_id", None)
    return org


def _same_organization_class():
    from core.api_permissions import HasObjectPermission

    class SameOrganization(HasObjectPermission):
        """Label Studio's object permission, and the object's organisation must be the one
        the user works in."""

        def has_object_permission(self, request, view, obj):
            org = _organization_of(obj)
            if org is not None and org != getattr(request.user, "active_organization_id", None):
                return False
            return super().has_object_permission(request, view, obj)

    return SameOrganization


def __getattr__(name: str):
    """``application``: Label Studio's WSGI application with the hook (for gunicorn);
    ``SameOrganization``: the permission class (made on first use, inside Label Studio)."""
    if name == "SameOrganization":
        cls = _same_organization_class()
        globals()[name] = cls
        return cls
    if name != "application":
        raise AttributeError(name)
    install()
    from core.wsgi import application

    return application


def main() -> int | None:
    install()
    from label_studio.server import main as label_studio_main

    sys.argv[0] = "label-studio"
    return label_studio_main()


if __name__ == "__main__":
    sys.exit(main())
