"""The declarative table of project settings (``speechlabel.core.project_settings``): it describes the
settings dataclasses exactly, its refusals are the catalog's and render in Korean, and the
command line, the forms and the stored JSON are built from it."""

from __future__ import annotations

import math
from dataclasses import fields

import pytest
from streamlit.testing.v1 import AppTest

from speechlabel.accounts.access import SYSTEM
from speechlabel.cli import build_parser
from speechlabel.cli.project_settings import settings_from_args
from speechlabel.core import project_settings
from speechlabel.core.errors import ValidationError
from speechlabel.core.models import MAX_BATCH, AssignmentSettings, ReviewSettings, Role
from speechlabel.core.project_settings import ASSIGNMENT, QC, REVIEW, SETTINGS, group
from speechlabel.core.qc import QcRules
from speechlabel.i18n import Lang, catalog
from speechlabel.projects.manage import create_project
from tests.app_pages import APP
from tests.app_session import sign_in
from tests.korean_errors import assert_in_korean
from tests.korean_errors import fields as template_fields

GROUPS = {ASSIGNMENT: AssignmentSettings, REVIEW: ReviewSettings, QC: QcRules}
# Fields that are not numbers, so no row of the table: the recording checks' refuse-or-flag choice.
NOT_IN_THE_TABLE = {"action"}


@pytest.mark.parametrize(("name", "dataclass"), GROUPS.items())
def test_each_group_is_its_dataclass_field_for_field(name, dataclass):
    rows = group(name)
    numbers = [f for f in fields(dataclass) if f.name not in NOT_IN_THE_TABLE]
    assert [row.name for row in rows] == [f.name for f in numbers]
    assert all(row.default == f.default for row, f in zip(rows, numbers))
    assert {row.group for row in SETTINGS} == set(GROUPS)


def test_names_flags_and_labels_are_unique():
    for column in (lambda row: row.name, lambda row: row.cli.flag, lambda row: row.form.label_key):
        values = [column(row) for row in SETTINGS]
        assert len(values) == len(set(values))
    assert MAX_BATCH == project_settings.by_name(ASSIGNMENT)["batch_size"].high


@pytest.mark.parametrize("row", SETTINGS, ids=lambda row: row.name)
def test_each_refusal_is_a_catalog_entry_in_both_languages_and_reads_in_korean(row):
    for lang in Lang:
        assert template_fields(catalog(lang)[row.error_key]) == {"value", *row.refusal_params}
    for label_key in filter(None, (row.form.label_key, row.form.off_toggle_key)):
        assert label_key in catalog(Lang.EN) and label_key in catalog(Lang.KO)
    above = (row.high + 1) if row.high is not None else None
    for bad in filter(lambda value: value is not None, (row.low - 1, above, True, "1", math.nan)):
        with pytest.raises(ValidationError) as caught:
            row.check(bad)
        assert caught.value.message_key == row.error_key
        assert caught.value.params["value"] == repr(bad)
        assert_in_korean(caught.value)
    for good in (row.default, row.low, row.high if row.high is not None else row.low + 1000):
        if good is not None or row.optional:
            row.check(good)
    if row.kind is int:
        with pytest.raises(ValidationError):
            row.check(row.low + 0.5)


def test_optional_settings_may_be_off_and_others_may_not():
    for row in SETTINGS:
        if row.optional:
            row.check(None)
        else:
            with pytest.raises(ValidationError):
                row.check(None)


def test_the_dataclasses_validate_and_store_through_the_table():
    with pytest.raises(ValidationError, match="batch size 0 is not allowed; use 1–500 segments"):
        AssignmentSettings(batch_size=0).validate()
    with pytest.raises(ValidationError, match="defect threshold 1.5 is not allowed"):
        ReviewSettings(defect_threshold=1.5).validate()
    work = AssignmentSettings(batch_size=5, daily_quota=3)
    assert work.to_dict() == {
        "batch_size": 5,
        "lease_minutes": 30.0,
        "daily_quota": 3,
        "double_share": 0.0,
        "from_scratch_share": 0.02,
    }
    assert AssignmentSettings.from_dict(work.to_dict() | {"retired_option": 1}) == work
    assert AssignmentSettings.from_dict(None) == AssignmentSettings()
    assert ReviewSettings.from_dict({"min_reviews": 4}) == ReviewSettings(min_reviews=4)


def _settings_args(*options: str):
    return build_parser().parse_args(["project", "settings", "demo", *options])


def test_the_command_line_has_one_option_per_setting_and_reads_them_back():
    every = _settings_args()
    for row in SETTINGS:
        assert getattr(every, row.cli.flag[2:].replace("-", "_")) is None  # not given: not changed
    args = _settings_args(
        "--batch-size",
        "10",
        "--daily-quota",
        "0",
        "--lease-minutes",
        "45",
        "--defect-threshold",
        "none",
        "--min-reviews",
        "5",
    )
    base = AssignmentSettings(daily_quota=7)
    assert settings_from_args(args, base, ASSIGNMENT) == AssignmentSettings(batch_size=10, lease_minutes=45.0)
    assert settings_from_args(args, ReviewSettings(defect_threshold=0.2), REVIEW) == ReviewSettings(min_reviews=5)
    assert settings_from_args(_settings_args("--defect-threshold", "0.3"), ReviewSettings(), REVIEW) == ReviewSettings(
        defect_threshold=0.3
    )
    with pytest.raises(SystemExit):
        _settings_args("--defect-threshold", "lots")


def _form_script():
    import streamlit as st

    from speechlabel.core.models import AssignmentSettings, ReviewSettings
    from speechlabel.core.project_settings import ASSIGNMENT, REVIEW
    from views.forms import setting_fields

    st.session_state["work"] = setting_fields(AssignmentSettings(batch_size=7, daily_quota=None), ASSIGNMENT)
    st.session_state["review"] = setting_fields(ReviewSettings(defect_threshold=None), REVIEW)


def test_the_form_fields_come_from_the_table_and_give_the_settings_back():
    app = AppTest.from_function(_form_script, default_timeout=30).run()
    assert not app.exception, app.exception
    assert app.session_state["work"] == AssignmentSettings(batch_size=7).to_dict()
    assert app.session_state["review"] == ReviewSettings().to_dict()
    labels = [widget.label for widget in [*app.number_input, *app.slider, *app.checkbox]]
    english = catalog(Lang.EN)
    shown = [*group(ASSIGNMENT), *group(REVIEW)]
    assert set(labels) == {english[row.form.label_key] for row in shown} | {english["dashboard.use_policy"]}
    # The widgets the pages showed before the table: same ranges, steps and order.
    assert [(w.min, w.max, w.step) for w in app.number_input] == [
        (1, 500, 1),
        (1, 10_080, 0.01),
        (0, 100_000, 1),
        (1, 10_000, 1),
    ]
    assert [(w.min, w.max, w.step) for w in app.slider] == [
        (0, 1, 0.05),
        (0, 1, 0.01),
        (0, 1, 0.05),
        (0, 1, 0.01),
        (0, 1, 0.05),
    ]
    # Quota 0 is "none"; a number is a cap. The policy's checkbox switches the threshold on.
    app.number_input[2].set_value(12)
    app.checkbox[0].check()
    app.slider[3].set_value(0.3)  # the defect threshold, after the three shares before it
    app.run()
    assert app.session_state["work"]["daily_quota"] == 12
    assert app.session_state["review"]["defect_threshold"] == 0.3
    app.number_input[2].set_value(0)
    app.run()
    assert app.session_state["work"]["daily_quota"] is None


def test_a_lead_sets_how_work_is_handed_out_on_the_users_page(app_store):
    create_project(app_store, "calls", actor=SYSTEM)
    lead = sign_in(AppTest.from_file(APP, default_timeout=60), app_store, "lou", Role.LEAD, "calls").run()
    lead.switch_page("views/users.py").run()
    assert not lead.exception, lead.exception
    batch = next(w for w in lead.number_input if w.label == "Batch size (segments per claim)")
    quota = next(w for w in lead.number_input if w.label == "Daily quota per labeler (0: none)")
    batch.set_value(8)
    quota.set_value(40)
    next(b for b in lead.button if b.label == "Save").click().run()
    assert not lead.exception, lead.exception
    assert app_store.get_project("calls").assignment_settings == AssignmentSettings(batch_size=8, daily_quota=40)
