"""study.yaml handling and project titles (framestudy.settings): no server needed."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from framestudy import settings
from framestudy.errors import UserError
from framestudy.settings import TITLE_MAX, project_title
from framestudy.study import Study


def test_coders_are_recorded_once_and_other_keys_kept(tmp_path):
    study = Study(tmp_path)
    study.settings.write_text("name: demo\nnotes: keep me\n", encoding="utf-8")
    assert settings.add_coders(study, ["ana@x.org", "ben@x.org"]) == ["ana@x.org", "ben@x.org"]
    assert settings.add_coders(study, ["ben@x.org"]) == []
    data = yaml.safe_load(study.settings.read_text(encoding="utf-8"))
    assert data["notes"] == "keep me" and data["name"] == "demo"
    assert [c["email"] for c in data["coders"]] == ["ana@x.org", "ben@x.org"]
    assert settings.coders(study) == ["ana@x.org", "ben@x.org"]


def test_email_check_names_the_bad_address():
    assert settings.normalise_email(" Ana@X.org ") == "ana@x.org"
    with pytest.raises(UserError, match="'not-an-email' is not an e-mail"):
        settings.normalise_email("not-an-email")


def test_broken_study_yaml_is_one_line_with_the_line_number(tmp_path):
    study = Study(tmp_path)
    study.settings.write_text("coders: [\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"study.yaml line \d+: not valid YAML"):
        settings.coders(study)
    study.settings.write_text("labelstudio: {design: triple}\n", encoding="utf-8")
    with pytest.raises(UserError, match="labelstudio.design = 'triple'"):
        settings.design(study)
    study.settings.write_text("labelstudio: {seed: one}\n", encoding="utf-8")
    with pytest.raises(UserError, match="labelstudio.seed = 'one' is not a whole number"):
        settings.design(study)


def test_a_wrong_entry_names_the_file_the_entry_and_the_field(tmp_path):
    study = Study(tmp_path)
    study.settings.write_text("coders:\n  - email: ana@x.org\n  - mail: ben@x.org\n")
    with pytest.raises(UserError) as exc:
        settings.coders(study)
    assert str(exc.value) == f"{study.settings}: coders[1].email is missing -- add it"
    study.settings.write_text(
        "labelstudio:\n  projects:\n    - {coder: ana@x.org, id: three, title: t}\n"
    )
    with pytest.raises(UserError) as exc:
        settings.projects(study)
    assert str(exc.value).startswith(
        f"{study.settings}: labelstudio.projects[0].id = 'three' is not a whole number -- "
    )
    study.settings.write_text("labelstudio: [blind]\n")
    with pytest.raises(UserError, match=r"study.yaml: labelstudio must be a mapping"):
        settings.design(study)


def test_a_wrong_study_yaml_stops_the_cli_with_one_line(tmp_path, capsys):
    from framestudy.cli import main

    study = Study(tmp_path)
    study.settings.write_text(
        "coders: [ana@x.org]\nlabelstudio:\n  seed: 1\n  projects:\n"
        "    - {coder: ana@x.org, id: 3.5, title: t}\n"
    )
    with pytest.raises(SystemExit) as exc:
        main(["--study", str(tmp_path), "coders", "list"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "study.yaml: labelstudio.projects[0].id = 3.5 is not a whole number -- " in err


def test_project_titles_fit_label_studio_limit():
    assert project_title("nato", "ana@x.org") == "nato · ana@x.org"
    assert project_title("nato", settings.SHARED) == "nato · shared"
    long_name = project_title("a-very-long-study-name-" * 3, "ana@x.org")
    assert len(long_name) <= TITLE_MAX and long_name.endswith(" · ana@x.org")
    long_mail = project_title("nato", "a" * 60 + "@x.org")
    other = project_title("nato", "a" * 60 + "@y.org")
    assert len(long_mail) <= TITLE_MAX and long_mail != other


ORIGINAL = """\
# NATO framing study -- settings (edited by hand; framestudy keeps this comment)
name: nato-framing   # used in project titles

notes: |
  Pilot in spring, main study in autumn.
coders:
  - email: ana@uni.example   # lead coder
    added: 2026-11-25
labelstudio:
  seed: 7                    # drawn by the PI
  design: blind
  reliability_share: 0.20
  server: http://127.0.0.1:8080
  projects:
    - {coder: ana@uni.example, id: 3, title: "nato-framing · ana@uni.example"}
extra: [1, 2]  # unknown keys stay where they are
"""


def test_study_yaml_round_trips_comments_order_and_style(tmp_path):
    """coders add and push rewrite study.yaml: everything they do not change stays as written."""
    study = Study(tmp_path)
    study.settings.write_text(ORIGINAL, encoding="utf-8")
    # what push records when nothing changed: the file is not even rewritten
    settings.save_design(study, "blind", 0.2, 7)
    settings.save_projects(
        study, "http://127.0.0.1:8080",
        [settings.ProjectRecord("ana@uni.example", 3, "nato-framing · ana@uni.example")],
    )
    assert study.settings.read_text(encoding="utf-8") == ORIGINAL
    # a new coder and a new project: only those lines are added
    settings.add_coders(study, ["ben@uni.example"])
    settings.save_projects(
        study, "http://127.0.0.1:8080",
        [settings.ProjectRecord("ben@uni.example", 4, "nato-framing · ben@uni.example")],
    )
    today = settings.date.today().isoformat()
    expected = ORIGINAL.replace(
        "    added: 2026-11-25\n",
        f"    added: 2026-11-25\n  - email: ben@uni.example\n    added: '{today}'\n",
    ).replace(
        '"nato-framing · ana@uni.example"}\n',
        '"nato-framing · ana@uni.example"}\n'
        "    - coder: ben@uni.example\n      id: 4\n      title: nato-framing · ben@uni.example\n",
    )
    assert study.settings.read_text(encoding="utf-8") == expected
    assert settings.coders(study) == ["ana@uni.example", "ben@uni.example"]
    assert [p.id for p in settings.projects(study, "http://127.0.0.1:8080")] == [3, 4]
    assert settings.design(study) == settings.DesignSettings("blind", 0.2, 7)


def test_study_yaml_written_by_earlier_versions_keeps_its_layout(tmp_path):
    study = Study(tmp_path)
    text = "name: demo\ncoders:\n- email: ana@x.org\n  added: '2026-01-02'\n"
    study.settings.write_text(text, encoding="utf-8")
    settings.add_coders(study, ["ben@x.org"])
    today = settings.date.today().isoformat()
    assert study.settings.read_text(encoding="utf-8") == (
        text + f"- email: ben@x.org\n  added: '{today}'\n"
    )


# -- the reliability gate's settings (analysis.gate) ------------------------------------------


def test_gate_settings_default_when_absent(tmp_path):
    study = Study(tmp_path)
    defaults = settings.GateSettings(statistic="estimate", threshold=0.667, tentative_below=0.8)
    assert settings.gate_settings(study) == defaults  # no study.yaml
    for text in ("name: demo\n", "analysis: {}\n", "analysis:\n  gate:\n", "analysis: {gate: {}}\n"):
        study.settings.write_text(text, encoding="utf-8")
        assert settings.gate_settings(study) == defaults, text


def test_gate_settings_are_read_from_study_yaml_and_recorded_by_the_gate(tmp_path):
    from framestudy.analysis.gate import gate
    from framestudy.analysis.variable_agreement import RESULT_COLUMNS

    study = Study(tmp_path)
    study.settings.write_text(
        "name: demo\nanalysis:\n  notes: kept\n  gate:\n    statistic: ci_low  # stricter\n"
        "    threshold: 0.7\n    tentative_below: 0.9\n",
        encoding="utf-8",
    )
    chosen = settings.gate_settings(study)
    assert chosen == settings.GateSettings(statistic="ci_low", threshold=0.7, tentative_below=0.9)
    row = dict.fromkeys(RESULT_COLUMNS, float("nan"))
    row.update(variable="v", metric="alpha_nominal", category="", outlet="all",
               estimate=0.95, ci_low=0.8, ci_high=0.99, reason="")
    result = gate(pd.DataFrame([row]), chosen)
    assert result.loc[0, ["statistic_used", "decision", "threshold", "tentative_below"]].tolist() == [
        "ci_low", "tentative", 0.7, 0.9,
    ]
    assert result.attrs["gate"] == {
        "statistic": "ci_low", "threshold": 0.7, "tentative_below": 0.9, "overridden": False,
    }
    # limits may meet (no tentative band), and 1 is allowed
    study.settings.write_text("analysis: {gate: {threshold: 1, tentative_below: 1}}\n")
    assert settings.gate_settings(study).threshold == 1.0


@pytest.mark.parametrize(
    ("gate_yaml", "message"),
    [
        ("{statistic: median}",
         "analysis.gate.statistic = 'median' is not a gate statistic -- write estimate or ci_low"),
        ("{threshold: 1.5}",
         "analysis.gate.threshold = 1.5 is not in (0, 1] -- write a number in (0, 1], "
         "e.g. threshold: 0.667"),
        ("{threshold: 0}",
         "analysis.gate.threshold = 0 is not in (0, 1] -- write a number in (0, 1], "
         "e.g. threshold: 0.667"),
        ("{threshold: high}",
         "analysis.gate.threshold = 'high' is not a number -- write a number in (0, 1], "
         "e.g. threshold: 0.667"),
        ("{threshold: true}",
         "analysis.gate.threshold = True is not a number -- write a number in (0, 1], "
         "e.g. threshold: 0.667"),
        ("{threshold: .nan}",
         "analysis.gate.threshold = nan is not in (0, 1] -- write a number in (0, 1], "
         "e.g. threshold: 0.667"),
        ("{tentative_below: 1.2}",
         "analysis.gate.tentative_below = 1.2 is not in (0, 1] -- write a number in (0, 1], "
         "at least the threshold (the default is 0.800)"),
        ("{tentative_below: 0.5}",
         "analysis.gate.tentative_below = 0.5 is below the threshold (0.667) -- write a number "
         "in (0, 1], at least the threshold (the default is 0.800)"),
        # a threshold above the default tentative_below is caught too
        ("{threshold: 0.9}",
         "analysis.gate.tentative_below = 0.8 is below the threshold (0.9) -- write a number "
         "in (0, 1], at least the threshold (the default is 0.800)"),
        ("{treshold: 0.7}",
         "analysis.gate.treshold is not a gate setting -- the gate settings are statistic, "
         "threshold and tentative_below: fix the key"),
        ("0.7", "analysis.gate = 0.7 must be a mapping (key: value) -- fix the value"),
    ],
)
def test_a_wrong_gate_setting_is_one_line_naming_it(tmp_path, gate_yaml, message):
    study = Study(tmp_path)
    study.settings.write_text(f"analysis:\n  gate: {gate_yaml}\n", encoding="utf-8")
    with pytest.raises(UserError) as exc:
        settings.gate_settings(study)
    assert str(exc.value) == f"{study.settings}: {message}"
    # every read of study.yaml checks it, not only the gate's
    with pytest.raises(UserError):
        settings.coders(study)
