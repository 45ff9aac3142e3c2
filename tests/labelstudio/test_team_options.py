"""The team server's options, without a server: --host and its guard, the addresses gunicorn
binds, --public-url, the ``server`` section of study.yaml, and running PostgreSQL as root."""

from __future__ import annotations

import os

import pytest

from framestudy import settings
from framestudy.errors import UserError
from framestudy.labelstudio import postgres, team
from framestudy.study import Study


@pytest.mark.parametrize("host", [None, "", "127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_hosts_need_no_confirmation(host):
    assert team.is_loopback(team.check_host(host, allow_remote=False))


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "10.0.0.5"])
def test_other_hosts_are_refused_unless_allowed(host):
    with pytest.raises(UserError, match="--allow-remote"):
        team.check_host(host, allow_remote=False)
    assert team.check_host(host, allow_remote=True) == host


def test_a_host_name_is_refused_with_what_to_write():
    with pytest.raises(UserError, match="IP address"):
        team.check_host("labelstudio.uni.example", allow_remote=True)


def test_gunicorn_always_binds_loopback_for_framestudy_itself():
    assert team.binds("127.0.0.1", 8080) == ["127.0.0.1:8080"]
    assert team.binds("0.0.0.0", 8080) == ["0.0.0.0:8080"]  # covers 127.0.0.1
    assert team.binds("192.168.1.20", 8080) == ["127.0.0.1:8080", "192.168.1.20:8080"]
    assert team.binds("::", 8080) == ["[::]:8080", "127.0.0.1:8080"]


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (None, None),
        ("https://ls.uni.example/", "https://ls.uni.example"),
        ("http://10.0.0.5:8080", "http://10.0.0.5:8080"),
    ],
)
def test_public_url_is_an_address(given, kept):
    assert team.check_public_url(given) == kept


@pytest.mark.parametrize("bad", ["ls.uni.example", "ftp://ls.uni.example", "https://x/?a=1", "https://uni.example/ls"])
def test_public_url_that_is_not_an_address_is_refused(bad):
    with pytest.raises(UserError, match="--public-url"):
        team.check_public_url(bad)


def test_public_url_is_trusted_for_csrf_and_database_settings_reach_label_studio(tmp_path):
    from framestudy.labelstudio.credentials import AdminCredentials

    db = postgres.DatabaseCredentials("framestudy", "pw", "labelstudio")
    env = team.environment(
        AdminCredentials.generate(), tmp_path, db, 5433, "https://ls.uni.example/"
    )
    assert env["LABEL_STUDIO_CSRF_TRUSTED_ORIGINS"] == "https://ls.uni.example"
    assert env["LABEL_STUDIO_DJANGO_DB"] == "default"
    assert env["LABEL_STUDIO_POSTGRE_PORT"] == "5433"
    assert env["LABEL_STUDIO_POSTGRE_HOST"] == "127.0.0.1"
    assert env["DJANGO_SETTINGS_MODULE"] == "core.settings.label_studio"


def test_stray_postgres_settings_of_the_shell_do_not_reach_label_studio(tmp_path, monkeypatch):
    from framestudy.labelstudio.credentials import AdminCredentials

    monkeypatch.setenv("POSTGRE_HOST", "db.elsewhere.example")
    monkeypatch.setenv("HEARTEX_POSTGRE_NAME", "other")
    db = postgres.DatabaseCredentials("framestudy", "pw", "labelstudio")
    env = team.environment(AdminCredentials.generate(), tmp_path, db, 5433)
    assert "POSTGRE_HOST" not in env and "HEARTEX_POSTGRE_NAME" not in env


def test_server_section_of_study_yaml(tmp_path):
    study = Study(tmp_path)
    assert settings.server_settings(study) == settings.ServerSettings()
    study.settings.write_text(
        "server:\n  team: true\n  workers: 3\n  public_url: https://ls.uni.example\n"
    )
    read = settings.server_settings(study)
    assert (read.team, read.workers, read.public_url) == (True, 3, "https://ls.uni.example")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("server:\n  tem: true\n", "server.tem is not a server setting"),
        ("server:\n  team: yes please\n", "server.team = 'yes please' is not true or false"),
        ("server:\n  workers: 0\n", "server.workers = 0 is not a number of workers"),
        ("server:\n  public_url: ls.example\n", "server.public_url = 'ls.example'"),
    ],
)
def test_a_wrong_server_setting_is_one_line_naming_the_key(tmp_path, text, message):
    study = Study(tmp_path)
    study.settings.write_text(text)
    with pytest.raises(UserError) as caught:
        settings.server_settings(study)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_postgres_runs_as_an_unprivileged_user_when_framestudy_is_root(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    wrapped = postgres.as_owner(["/usr/lib/postgresql/15/bin/initdb", "-D", "x"])
    assert wrapped[0].endswith("unshare") and "--user" in wrapped
    assert wrapped[-3:] == ["/usr/lib/postgresql/15/bin/initdb", "-D", "x"]
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert postgres.as_owner(["initdb"]) == ["initdb"]


def test_missing_postgresql_is_one_line_saying_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("FRAMESTUDY_PG_BIN", str(tmp_path))
    with pytest.raises(UserError, match="make postgres"):
        postgres.binaries()
