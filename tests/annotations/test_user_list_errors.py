"""A user list that is not one: each error names the file and what was found, as a user
list (not as an export). Found by mutation testing (docs/mutation.md)."""

from __future__ import annotations

import pytest

from framestudy.annotations import read_users
from framestudy.errors import UserError


@pytest.mark.parametrize(
    ("content", "kind"),
    [("42", "a number"), ("null", "null"), ("true", "a boolean"), ('"x"', "a string")],
)
def test_a_user_list_of_the_wrong_json_type_says_what_it_found(tmp_path, content, kind):
    path = tmp_path / "users.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UserError) as info:
        read_users(path)
    assert str(info.value) == (
        f"{path}: expected a list of users (GET /api/users) or an object id -> e-mail, "
        f"found {kind}"
    )


def test_a_folder_given_as_the_user_list(tmp_path):
    with pytest.raises(UserError) as info:
        read_users(tmp_path)
    assert str(info.value) == f"{tmp_path}: is a folder, not a user list file"


def test_a_user_list_nested_too_deeply(tmp_path):
    path = tmp_path / "users.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(UserError) as info:
        read_users(path)
    assert str(info.value) == f"{path}: JSON nested too deeply to be a user list"
