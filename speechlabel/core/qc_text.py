"""The recording checks' failures (``core.qc``) in the reader's language: "<rule> <measured>
(allowed <range>)", each value in its unit (the catalogs' ``qc.*``)."""

from __future__ import annotations

from collections.abc import Iterable

from speechlabel.core.qc import RULE_BY_MEASURE, RULES, QcFailure, QcRule, QcRules, limits
from speechlabel.i18n.core import Lang, translate
from speechlabel.i18n.labels import enum_label


def failures_text(failures: Iterable[QcFailure], lang: Lang | object) -> str:
    lang = Lang(lang)
    return translate("list.separator", lang).join(failure_text(failure, lang) for failure in failures)


def failure_text(failure: QcFailure, lang: Lang) -> str:
    rule = RULE_BY_MEASURE[failure.rule]
    return translate(
        "qc.failure",
        lang,
        rule=translate(rule.label_key, lang),
        measured=translate(rule.unit_key, lang, value=failure.measured),
        allowed=range_text(rule, failure.low, failure.high, lang),
    )


def range_text(rule: QcRule, low: float | None, high: float | None, lang: Lang) -> str:
    """What a rule allows: "at least 0.30 s", "-40.0 dBFS to -1.0 dBFS", "no limit"."""
    if low is not None and high is not None:
        low_text, high_text = translate(rule.unit_key, lang, value=low), translate(rule.unit_key, lang, value=high)
        return translate("qc.between", lang, low=low_text, high=high_text)
    if low is not None:
        return translate("qc.at_least", lang, low=translate(rule.unit_key, lang, value=low))
    if high is not None:
        return translate("qc.at_most", lang, high=translate(rule.unit_key, lang, value=high))
    return translate("qc.off", lang)


def rules_lines(rules: QcRules, lang: Lang = Lang.EN) -> list[str]:
    """Each rule and what it allows, then what an import does with a recording breaking one."""
    lines = [f"{translate(rule.label_key, lang)}: {range_text(rule, *limits(rules, rule), lang)}" for rule in RULES]
    return [*lines, f"{translate('qc.action', lang)} {enum_label(rules.action, lang)}"]
