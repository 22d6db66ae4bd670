"""Errors a page user can cause render in Korean (not the English text under a lead-in). Each
module gets real failures: a corrupt upload, a nudge past a neighbour, a self-review, ...
(tests/test_i18n_raise_sites.py checks every ``message_key=`` is in both catalogs with the params
the raise site passes.)"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from speechlabel.accounts.access import SYSTEM
from speechlabel.analytics.dashboard import DashboardFilter
from speechlabel.audio.limits import AudioLimits
from speechlabel.audio.samples import write_wav
from speechlabel.core.errors import (
    AudioDecodeError,
    Conflict,
    DuplicateRecording,
    Forbidden,
    NotFound,
    SpeechLabelError,
)
from speechlabel.core.models import AssignmentSettings, ReviewSettings, Role
from speechlabel.export import ExportOptions
from speechlabel.export.saved import export_to_data_folder, zip_saved_export
from speechlabel.ingest.files import import_audio
from speechlabel.labeling import actions as labeling
from speechlabel.labeling import assignment
from speechlabel.labeling.clips import cut_clip, parse_seconds
from speechlabel.prelabel.engines import bundled_models
from speechlabel.prelabel.jobs import JobState, project_job, start_prelabel, unexpected_failure
from speechlabel.prelabel.worker import Worker, WorkerOptions
from speechlabel.review import decisions as review
from speechlabel.workspace.config import Settings
from tests.audio_samples import corrupt_inputs, wav_bytes
from tests.korean_errors import assert_in_korean
from tests.sample_projects import signed_in

ROOT = Path(__file__).resolve().parents[1]


# --- uploads (audio, ingest) ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["empty", "text", "cut in its header", "zero-length wav", "header only"])
def test_a_bad_upload_is_explained_in_korean(store, settings, project, speech_dir, case):
    data, _ = corrupt_inputs(speech_dir)[case]
    with pytest.raises(AudioDecodeError) as refused:
        import_audio(store, settings, project, data, f"{case}.wav")
    assert f"'{case}.wav'" in assert_in_korean(refused.value)


def test_a_duplicate_and_a_too_long_upload_are_explained_in_korean(store, project, tmp_path, speech_dir):
    data = (speech_dir / "en" / "jfk.wav").read_bytes()
    first = import_audio(store, Settings(data_dir=tmp_path / "data"), project, data, "jfk.wav")
    with pytest.raises(DuplicateRecording) as twice:
        import_audio(store, Settings(data_dir=tmp_path / "data"), project, data, "copy.wav")
    assert first.id in assert_in_korean(twice.value)
    with pytest.raises(AudioDecodeError) as too_long:
        import_audio(
            store,
            Settings(data_dir=tmp_path / "data", audio_limits=AudioLimits(max_seconds=5.0)),
            project,
            wav_bytes(np.zeros(16000 * 6, dtype=np.float32), 16000),
            "long.wav",
        )
    assert assert_in_korean(too_long.value).startswith("'long.wav'의 길이는 0.00시간입니다.")


# --- the label page (labeling, labeling_rules, the store's merge) -------------------------------------


def refused(action, error=SpeechLabelError) -> str:
    with pytest.raises(error) as caught:
        action()
    return assert_in_korean(caught.value)


def test_label_page_refusals_in_korean(store, project, ldc):
    ana = signed_in(store, project, "ana", Role.LEAD)
    _, (a, b) = ldc  # LDC93S1: 0.1–1.2 s and 1.5–2.8 s of 2.9 s
    nudge = labeling.nudge
    assert refused(lambda: nudge(store, ana, b.id, b.version, -0.4, 0)) == (
        "시작 1.100초가 1.200초에 끝나는 앞 세그먼트와 겹칩니다. 허용되는 시작: 1.200–2.700초"
    )
    assert "다음 세그먼트와 겹칩니다" in refused(lambda: nudge(store, ana, a.id, a.version, 0, 0.35))
    assert "녹음 시작보다 앞섭니다" in refused(lambda: nudge(store, ana, a.id, a.version, -0.2, 0))
    assert "녹음 끝" in refused(lambda: nudge(store, ana, b.id, b.version, 0, 5))
    assert "0.1초 이상이어야" in refused(lambda: nudge(store, ana, a.id, a.version, 0, -1.05))
    assert "'x'" in refused(lambda: nudge(store, ana, a.id, a.version, "x", 0))
    split = labeling.split
    assert "세그먼트 안에 있지 않습니다" in refused(lambda: split(store, ana, a.id, a.version, 2.0, 1))
    assert "단어짜리 텍스트" in refused(lambda: split(store, ana, a.id, a.version, 0.6, 9))
    assert "나누는 시점 'soon'" in refused(lambda: split(store, ana, a.id, a.version, "soon", 1))
    merge = labeling.merge_with_next
    assert "마지막 세그먼트" in refused(lambda: merge(store, ana, b.id, b.version, 1))
    assert refused(lambda: merge(store, ana, a.id, a.version, b.version, next_segment_id="other"), Conflict) == (
        f"{a.id} 다음 세그먼트가 other에서 {b.id}(으)로 바뀌었습니다. 다시 불러와서 합치세요."
    )
    assert "전사 텍스트가 비어" in refused(
        lambda: labeling.save_and_next(store, ana, a.id, a.version, "  ", None, (), None)
    )
    assert refused(lambda: labeling.skip(store, ana, a.id, a.version, " ")).startswith("건너뛰는 사유가 비어")
    assert refused(lambda: labeling.mark_untranscribable(store, ana, a.id, a.version, "")).startswith("전사 불가")
    assert "태그는 이름의 목록" in refused(
        lambda: labeling.save_and_next(store, ana, a.id, a.version, "she had", None, "noise", None)
    )


def test_a_labeler_outside_their_work_is_told_in_korean(store, project, ldc):
    lee = signed_in(store, project, "lee", Role.LABELER)
    _, (a, _) = ldc
    assert "더 이상 내 작업이 아닙니다(배정 시간이 끝났을 수 있습니다)" in refused(
        lambda: labeling.save_and_next(store, lee, a.id, a.version, "she had", None, (), None), Forbidden
    )


# --- the review page --------------------------------------------------------------------------------


def test_review_refusals_in_korean(store, project, work, rita, team):
    lead, segment_id = team["lead"], work.ids[6]

    def current() -> int:  # read at each call
        return store.get_segment(segment_id).version

    labeling.save_and_next(store, lead, segment_id, current(), "lead's words", None, [], None)
    assert refused(lambda: review.approve(store, lead, segment_id, current()), Forbidden) == (
        "내가 라벨링한 세그먼트입니다. 다른 검수자가 검수해야 합니다."
    )
    assert "알 수 없는 반려 사유 'typo'" in refused(lambda: review.reject(store, rita, segment_id, current(), "typo"))
    assert "2000자 이하" in refused(lambda: review.reject(store, rita, segment_id, current(), "text_minor", "x" * 2001))
    review.approve(store, rita, segment_id, current())
    assert "'승인됨' 상태입니다" in refused(lambda: review.reject(store, rita, segment_id, current(), "text_minor"))
    assert refused(lambda: review.bulk_approve(store, lead, project, "lead"), Forbidden).startswith("내가 라벨링한")
    assert refused(lambda: review.bulk_approve(store, lead, project, " ")) == "승인할 작업의 라벨러를 지정하세요."
    assert "알 수 없는 검수 순서" in refused(lambda: review.ReviewQuery(order="random").validate())


# --- handing out work (assignment, its settings) ----------------------------------------------------


def test_assignment_refusals_in_korean(store, project, work, rita, team):
    lead = team["lead"]
    assert refused(lambda: assignment.assign_segments(store, lead, project, "ana", 0)).startswith(
        "세그먼트 0개는 배정할 수 없습니다."
    )
    assert refused(lambda: assignment.assign_segments(store, lead, project, "rita", 3)) == (
        "'rita' 님은 'demo'에서 검수자입니다. 작업은 프로젝트의 라벨러와 리드에게만 배정합니다."
    )
    assert "역할이 없습니다" in refused(lambda: assignment.assign_segments(store, lead, project, "nobody", 3))
    assert refused(lambda: assignment.reassign(store, lead, project, [], "ana")).startswith("다시 배정할 세그먼트가")
    for bad in (
        AssignmentSettings(batch_size=0),
        AssignmentSettings(lease_minutes=0.5),
        AssignmentSettings(daily_quota=0),
        AssignmentSettings(double_share=1.5),
    ):
        assert "쓸 수 없습니다" in refused(bad.validate)
    for bad in (
        ReviewSettings(sample_share=2),
        ReviewSettings(flagged_share=-1),
        ReviewSettings(defect_threshold=7),
        ReviewSettings(min_reviews=0),
    ):
        assert "쓸 수 없습니다" in refused(bad.validate)


# --- clips and the dashboard's filters ---------------------------------------------------------------


def test_clip_and_dashboard_filter_refusals_in_korean(store, settings, project, speech_dir):
    recording = import_audio(store, settings, project, (speech_dir / "en" / "jfk.wav").read_bytes(), "jfk.wav")
    assert "녹음 범위를 벗어납니다" in refused(lambda: cut_clip(store, settings, recording.id, 10.0, 12.0))
    assert "끝은 시작보다 뒤여야" in refused(lambda: cut_clip(store, settings, recording.id, 2.0, 1.0))
    assert refused(lambda: parse_seconds("abc", "start")) == (
        "start='abc'은(는) 시간이 아닙니다. start=1.25처럼 초 단위로 입력하세요."
    )
    assert refused(DashboardFilter(since=date(2024, 5, 2), until=date(2024, 5, 1)).validate) == (
        "기간 2024-05-02–2024-05-01이(가) 비어 있습니다. 시작일을 종료일과 같거나 그 앞으로 고르세요."
    )
    assert refused(DashboardFilter(until="yesterday").validate).startswith("종료일은 날짜")
    assert "라벨러는 사용자 이름의 목록" in refused(DashboardFilter(labelers="ana").validate)


# --- pre-labeling jobs ----------------------------------------------------------------------------------


def test_a_failed_pre_labeling_job_says_why_in_korean(store, settings, project, speech_dir):
    recording = import_audio(store, settings, project, (speech_dir / "en" / "LDC93S1.wav").read_bytes(), "a.wav")
    normalized = settings.data_dir / recording.normalized_path
    normalized.unlink()  # the audio vanished from disk under the job
    job = start_prelabel(store, project, SYSTEM)
    Worker(store, settings, WorkerOptions(job_id=job.job_id)).run()
    missing = project_job(store, project.id)
    assert missing.state == JobState.FAILED and missing.failures[0].error == str(missing.failure_errors[0])
    assert "사본이" in assert_in_korean(missing.failure_errors[0])
    write_wav(normalized, np.zeros(8000, dtype=np.float32), rate=8000)  # damaged: not at 16 kHz
    job = start_prelabel(store, project, SYSTEM)
    Worker(store, settings, WorkerOptions(job_id=job.job_id)).run()
    damaged = project_job(store, project.id)
    assert damaged.failures[0].error.startswith("RuntimeError: normalised copy")
    assert assert_in_korean(damaged.failure_errors[0]).startswith("사전 라벨링 중 예기치 못한 오류가 났습니다.")


def test_known_kinds_of_worker_crashes_get_their_own_korean_advice():
    assert "메모리가 부족해" in assert_in_korean(unexpected_failure(MemoryError("cannot allocate 2 GiB")))
    assert "디스크" in assert_in_korean(unexpected_failure(OSError(28, "No space left on device")))
    missing_package = _refusal(lambda: bundled_models._package_dir("no_such_model_package", "no-such-model"))
    assert "설치되어 있지 않습니다" in assert_in_korean(missing_package)


# --- the export page ----------------------------------------------------------------------------------


def test_export_option_and_saved_export_refusals_in_korean(store, settings, project):
    for bad in (
        ExportOptions(text="clean", dual_side="both"),
        ExportOptions(seed="x"),
        ExportOptions(format="csv"),
        ExportOptions(text="tidy"),
        ExportOptions(dual_side="written"),
        ExportOptions(split_by="age"),
        ExportOptions(sample_rate=12),
        ExportOptions(split_by="speaker", split_shares=(0.5, 0.1, 0.1)),
    ):
        assert assert_in_korean(_refusal(bad.validated))
    export_to_data_folder(store, settings, project, "first", ExportOptions(), actor=SYSTEM, make_zip=False)
    assert refused(lambda: export_to_data_folder(store, settings, project, "first", ExportOptions(), actor=SYSTEM)) == (
        "'demo' 프로젝트에 'first' 내보내기가 이미 있습니다. 다른 이름을 고르거나, 바꾸려면 "
        "'같은 이름의 내보내기 덮어쓰기'를 선택하세요."
    )
    assert "이전 내보내기 목록" in refused(lambda: zip_saved_export(settings, project, "never", actor=SYSTEM), NotFound)


def _refusal(action) -> SpeechLabelError:
    with pytest.raises(SpeechLabelError) as caught:
        action()
    return caught.value
