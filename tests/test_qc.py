"""Recording checks at import (issue 22, point 3): measures of real speech cut, padded, scaled,
upsampled from 8 kHz and made stereo with one channel scaled; each rule refuses (with its message,
nothing kept) or flags (stored with the recording) on SQLite and PostgreSQL; the rules' own
validation; the command line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from speechlabel.accounts.access import SYSTEM
from speechlabel.audio.limits import AudioLimits
from speechlabel.audio.normalize import normalize_to_wav
from speechlabel.cli import main
from speechlabel.core.errors import RecordingRefused, ValidationError
from speechlabel.core.qc import (
    RULE_BY_MEASURE,
    QcAction,
    QcFailure,
    QcMeasures,
    QcRules,
    RecordingQc,
    check_rules,
    limits,
)
from speechlabel.i18n import Lang, error_message
from speechlabel.ingest.files import import_paths
from speechlabel.projects.manage import create_project
from speechlabel.projects.qc import update_qc_rules
from tests import qc_recordings as made
from tests.audio_samples import stored_files


def measure(path: Path, tmp_path: Path) -> QcMeasures:
    return normalize_to_wav(path, path.name, AudioLimits(), tmp_path / "copy.wav").measures


@pytest.fixture
def ldc(speech_dir) -> Path:
    return speech_dir / "en" / "LDC93S1.wav"  # 2.9 s; speech from 0.20 s to 2.80 s


@pytest.fixture
def quiet_noise(speech_dir) -> np.ndarray:
    """Real stationary noise (no speech) scaled to a -45 dBFS peak."""
    noise, _ = made.read(speech_dir / "noise" / "speechbrain_noise5_stationary.wav")
    return (noise / np.abs(noise).max() * 10 ** (-45 / 20)).astype(np.float32)


def test_silence_and_speech_are_measured_on_real_speech(ldc, quiet_noise, tmp_path):
    plain = measure(ldc, tmp_path)
    assert (plain.leading_silence, plain.trailing_silence, plain.speech) == pytest.approx((0.2, 0.125, 2.6), abs=0.03)
    # Half a second of digital silence on each side. The threshold follows the recording's own
    # levels, so it sinks a little with the padding and takes in more of the speech's quiet tail.
    padded = measure(made.padded(ldc, tmp_path / "padded.wav", 0.5), tmp_path)
    assert padded.leading_silence - plain.leading_silence == pytest.approx(0.5, abs=0.04)
    assert padded.trailing_silence - plain.trailing_silence == pytest.approx(0.5, abs=0.12)
    assert padded.speech == pytest.approx(plain.speech, abs=0.15)
    # Steady background noise is silence too: the threshold rises above the noise floor.
    noisy = measure(made.padded(ldc, tmp_path / "noisy.wav", 0.5, quiet_noise), tmp_path)
    assert noisy.leading_silence - plain.leading_silence == pytest.approx(0.5, abs=0.04)
    assert noisy.trailing_silence - plain.trailing_silence == pytest.approx(0.5, abs=0.12)
    cut = measure(made.cut(ldc, tmp_path / "cut.wav", 0.3, 2.7), tmp_path)
    assert cut.leading_silence < 0.03 and cut.trailing_silence < 0.03
    assert cut.speech == pytest.approx(2.4, abs=0.03)


def test_levels_band_and_channels_are_measured(ldc, speech_dir, tmp_path):
    plain = measure(ldc, tmp_path)
    quieter = measure(made.scaled(ldc, tmp_path / "quiet.wav", 0.05), tmp_path)  # -26 dB
    assert quieter.peak_dbfs == pytest.approx(plain.peak_dbfs - 26.02, abs=0.05)
    assert quieter.speech == pytest.approx(plain.speech, abs=0.05)  # the speech threshold follows the level
    # Real wide-band speech has energy above 4 kHz; the same speech made at 8 kHz has none, only
    # the 16-bit quantisation noise, whatever rate it is stored at.
    assert plain.high_band_db > -25
    for rate in (16000, 44100):
        narrow = measure(made.upsampled_from_8k(ldc, tmp_path / f"narrow{rate}.wav", rate), tmp_path)
        assert narrow.high_band_db < -60
    assert measure(speech_dir / "en" / "jfk.wav", tmp_path).high_band_db > -45
    telephone_rate = made.write(tmp_path / "8k.wav", made.read(tmp_path / "narrow16000.wav")[0][::2], 8000)
    assert measure(telephone_rate, tmp_path).high_band_db is None  # nothing above 4 kHz to miss
    assert plain.imbalance_db is None  # one channel
    assert measure(made.stereo(ldc, tmp_path / "st.wav", 0.1), tmp_path).imbalance_db == pytest.approx(20, abs=0.05)
    two_speakers = measure(speech_dir / "en" / "stereo_diarization.wav", tmp_path)  # one speaker per channel
    assert two_speakers.imbalance_db == pytest.approx(2.0, abs=0.1)


def test_the_default_rules_pass_the_real_speech_and_flag_the_telephone_call(speech_dir, tmp_path):
    wide = [*sorted((speech_dir / "en").iterdir()), speech_dir / "diarization" / "ami_pyannote_tst00.wav"]
    for path in [p for p in wide if p.suffix in (".wav", ".flac")]:
        assert check_rules(QcRules(), measure(path, tmp_path)) == (), path.name
    # pyannote's sample is a telephone call (8 kHz) stored at 16 kHz.
    call = measure(speech_dir / "diarization" / "pyannote_sample.wav", tmp_path)
    assert [failure.rule for failure in check_rules(QcRules(), call)] == ["high_band_db"]


# Each rule: its limits, a recording made from LDC93S1 that breaks it, the English of its failure.
CASES = {
    "leading_silence": (
        {"leading_silence_min": 0.3},
        lambda ldc, tmp: made.cut(ldc, tmp / "cut.wav", 0.25),
        "leading silence 0.00 s (allowed at least 0.30 s)",
    ),
    "trailing_silence": (
        {"trailing_silence_max": 0.5},
        lambda ldc, tmp: made.padded(ldc, tmp / "padded.wav", 1.0),
        "trailing silence 1.02 s (allowed at most 0.50 s)",
    ),
    "speech": (
        {"speech_min": 0.3, "speech_max": 2.0},
        lambda ldc, tmp: ldc,
        "speech (first to last) 2.60 s (allowed 0.30 s to 2.00 s)",
    ),
    "peak_dbfs": (
        {"peak_min": -40.0},
        lambda ldc, tmp: made.scaled(ldc, tmp / "quiet.wav", 0.05),
        "peak level -47.4 dBFS (allowed at least -40.0 dBFS)",
    ),
    "high_band_db": (
        {"high_band_min": -50.0},
        lambda ldc, tmp: made.upsampled_from_8k(ldc, tmp / "narrow.wav", 44100),
        "energy above 4 kHz -6",  # -62.x dB: the quantisation noise of the 16-bit file
    ),
    "imbalance_db": (
        {"imbalance_max": 10.0},
        lambda ldc, tmp: made.stereo(ldc, tmp / "stereo.wav", 0.1),
        "channel imbalance 20.0 dB (allowed at most 10.0 dB)",
    ),
}


def _only(given: dict[str, float], action: QcAction) -> QcRules:
    """The limits ``given``, every other limit off."""
    off = {name: None for name in vars(QcRules()) if name != "action"}
    return QcRules(**{**off, **given, "action": action})


@pytest.mark.parametrize("rule", CASES)
def test_each_rule_flags_or_refuses_with_its_message(store, settings, ldc, tmp_path, rule):
    given, build, english = CASES[rule]
    rules = _only(given, QcAction.FLAG)
    source = build(ldc, tmp_path / "made")
    flagging = create_project(store, "flags", actor=SYSTEM)
    flagging = update_qc_rules(store, SYSTEM, flagging, rules)
    report = import_paths(store, settings, flagging, [source])
    (recording,) = report.imported
    (flag,) = store.get_recording(recording.id).qc_flags  # stored with the recording
    assert flag.rule == rule and (flag.low, flag.high) == (rules_bounds := _bounds(rules, rule))
    (warning,) = report.warnings
    assert warning.message_key == "warning.qc_flagged" and english in warning.message

    refusing = create_project(store, "refuses", actor=SYSTEM)
    refusing = update_qc_rules(store, SYSTEM, refusing, _only(given, QcAction.REFUSE))
    before = stored_files(settings)
    report = import_paths(store, settings, refusing, [source])
    (failure,) = report.failures
    assert isinstance(failure.error, RecordingRefused)
    assert failure.message.startswith(f"{source.name!r} was refused by the project's recording checks: {english}")
    assert [(f.rule, f.low, f.high) for f in failure.error.failures] == [(rule, *rules_bounds)]
    assert "녹음 검사" in error_message(failure.error, Lang.KO)
    assert report.imported == [] and store.list_recordings(refusing.id) == []
    assert stored_files(settings) == before  # nothing half-imported: no copy, no original, no temporary


def _bounds(rules: QcRules, rule: str) -> tuple[float | None, float | None]:
    return limits(rules, RULE_BY_MEASURE[rule])


def test_a_recording_passing_every_rule_has_no_flags_and_keeps_its_measures(store, settings, ldc):
    project = create_project(store, "clean", actor=SYSTEM)
    rules = QcRules(leading_silence_min=0.1, trailing_silence_min=0.1, speech_max=3.0, action=QcAction.REFUSE)
    project = update_qc_rules(store, SYSTEM, project, rules)
    (recording,) = import_paths(store, settings, project, [ldc]).imported
    stored = store.get_recording(recording.id)
    assert stored.qc_flags == () and stored.qc == recording.qc
    assert stored.qc.measures.leading_silence == pytest.approx(0.2, abs=0.03)
    assert store.get_project("clean").qc_rules == rules


def test_rules_are_checked_and_stored_as_given():
    assert QcRules.from_dict(None) == QcRules()
    rules = QcRules(leading_silence_min=0.3, peak_max=-1.0, action="refuse")
    assert rules.action is QcAction.REFUSE and QcRules.from_dict(rules.to_dict()) == rules
    with pytest.raises(
        ValidationError, match=r"speech \(first to last\): the lower limit 2 is above the upper limit 1"
    ):
        QcRules(speech_min=2.0, speech_max=1.0).validate()
    with pytest.raises(ValidationError, match=r"--qc-peak-max 3\.0 is not allowed: from -120 to 0"):
        QcRules(peak_max=3.0).validate()
    with pytest.raises(ValidationError, match="--qc-leading-silence-max 0.0 is not allowed"):
        QcRules(leading_silence_max=0.0).validate()  # 0 on the form is "off"; a maximum is more than 0
    with pytest.raises(ValidationError, match="'drop' is not a recording check action: refuse or flag"):
        QcRules(action="drop")
    measured = QcMeasures(0.0, 0.0, 1.0, -3.0, None, (-20.0,))
    assert check_rules(QcRules(high_band_min=-10.0, imbalance_max=0.0), measured) == ()  # not applicable
    stored = RecordingQc(measured, (QcFailure("peak_dbfs", -3.0, None, -6.0),))
    assert RecordingQc.from_dict(stored.to_dict()) == stored


def test_only_a_lead_changes_the_rules(store, project):
    from speechlabel.core.errors import Forbidden
    from tests.sample_projects import member

    labeler = member(store, project, "ana")
    with pytest.raises(Forbidden):
        update_qc_rules(store, labeler, project, QcRules(speech_min=1.0))
    assert store.get_project(project.name).qc_rules == QcRules()


def test_the_command_line_sets_the_rules_and_import_prints_flags_and_refusals(data_dir, ldc, tmp_path, capsys):
    cli = ["--data-dir", str(data_dir)]
    assert main([*cli, "project", "create", "plant"]) == 0
    options = ["--qc-leading-silence-min", "0.3", "--qc-high-band-min", "none"]
    assert main([*cli, "project", "settings", "plant", *options]) == 0
    shown = capsys.readouterr().out
    assert "recording checks: leading silence: at least 0.30 s" in shown
    assert "recording checks: energy above 4 kHz: no limit" in shown
    assert main([*cli, "import", "plant", str(ldc)]) == 0
    out = capsys.readouterr().out
    assert "flagged LDC93S1.wav: 'LDC93S1.wav' breaks the project's recording checks" in out
    assert "leading silence 0.20 s (allowed at least 0.30 s)" in out
    cut = made.cut(ldc, tmp_path / "cut.wav", 0.25)
    assert main([*cli, "project", "settings", "plant", "--qc-action", "refuse"]) == 0
    assert main([*cli, "import", "plant", str(cut)]) == 1
    captured = capsys.readouterr()
    assert (
        f"failed {cut}: 'cut.wav' was refused by the project's recording checks: leading silence 0.00 s" in captured.err
    )
    assert "0 imported, 0 duplicates, 1 failed" in captured.out


def test_migration_0016_qc_keeps_older_projects_and_recordings_and_downgrades(database_url):
    from sqlalchemy import inspect

    from speechlabel.core.models import AudioProbe, PrelabelState, Recording
    from speechlabel.store import Store, schema
    from speechlabel.store.engine import downgrade_schema, make_engine, upgrade_schema
    from speechlabel.store.rows import recording_to_row, utc_now

    url, schema_name = database_url
    engine = make_engine(url, schema=schema_name)
    try:
        upgrade_schema(engine, "0015")
        with engine.begin() as connection:  # only columns that exist at 0015
            project_id = connection.execute(
                schema.projects.insert().values(
                    name="older",
                    language="en",
                    segment_options={},
                    engine_options={},
                    glossary=[],
                    created_at=utc_now(),
                )
            ).inserted_primary_key[0]
            probe = AudioProbe("WAV", "PCM_16", 16000, 1, 46720, 2.92, -21.4, -41.4, 0.0, 30.0)
            older = Recording(
                "rec-older", project_id, "LDC93S1.wav", "0" * 64, "a", "b", probe, PrelabelState.NEW, utc_now()
            )
            row = {key: value for key, value in recording_to_row(older).items() if key != "qc"}
            connection.execute(schema.recordings.insert().values(**row))
        upgrade_schema(engine)
        store = Store(engine)
        assert store.get_project("older").qc_rules == QcRules()  # NULL reads as the defaults
        assert store.get_recording("rec-older").qc is None and store.get_recording("rec-older").qc_flags == ()
        update_qc_rules(store, SYSTEM, store.get_project("older"), QcRules(speech_max=1.0))
        assert store.get_project("older").qc_rules == QcRules(speech_max=1.0)
        downgrade_schema(engine, "0015")
        assert "qc_rules" not in {c["name"] for c in inspect(engine).get_columns("projects")}
        assert "qc" not in {c["name"] for c in inspect(engine).get_columns("recordings")}
    finally:
        engine.dispose()
