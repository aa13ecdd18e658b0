"""SheetForm.posted reads a sheet's post as the form would, or leaves it to the form.

The save of a score sheet skips building its 120 fields when every posted value is plain
(issue #8). For any post, ``posted()`` either answers None (the view builds the form) or gives
the version and, for every entry of the sheet, the (score, text) the bound form cleans out
of the same post; entries whose fields were not posted are blank, as the form has them.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scoring.forms_sheets import SheetForm, VerificationForm
from scoring.models import Criterion, Entry

IDS = (11, 12, 13)

TEXTS = st.one_of(
    st.sampled_from(
        [
            "",
            "  ",
            "3",
            "2,5",
            " 1.75 ",
            "Theo báo cáo của đơn vị",
            "Theo ba\u0301o ca\u0301o",  # NFD
            "Tiªu chÝ thi ®ua",  # TCVN3 read as Latin-1
            "Vieät Nam thi ñua",  # VNI
            "a\x00b",
            "x" * 21,
            "x" * 5001,
            " " + "x" * 20 + " ",
            "١٢",  # Arabic-Indic digits
        ]
    ),
    st.text(max_size=30),
)
VERSIONS = st.sampled_from(
    ["", " ", "0", "7", " 12 ", "+3", "3.0", "1e3", "99999999999", "٣", "-1"]
)
KEYS = st.sampled_from(
    [
        *(f"{kind}_{pk}" for kind in ("score", "text") for pk in IDS),
        "score_99",  # no entry of the sheet
        "text_011",  # not the name of any field
        "score_",
        "score",
        "verified_11",
        "comment_12",
        "csrfmiddlewaretoken",
    ]
)


def _entries() -> list[Entry]:
    return [
        Entry(
            pk=pk,
            max_points=Decimal(3),
            criterion=Criterion(code=f"1.{n}", kind="normal"),
            self_score=None,
            explanation="",
            verified_score=None,
            verifier_comment="",
        )
        for n, pk in enumerate(IDS, start=1)
    ]


def _query(pairs) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in pairs:
        data.appendlist(key, value)
    return data


def _check(form_class, pairs) -> None:
    data = _query(pairs)
    fast = form_class.posted(data)
    if fast is None:
        return  # the view builds the form: nothing to compare
    form = form_class(data, entries=_entries(), step=Decimal("0.25"))
    assert form.is_valid(), form.errors
    version, values = fast
    assert version == form.cleaned_data["version"]
    expected = form.values()
    assert {pk: values.get(pk, ("", "")) for pk in IDS} == expected


POSTS = st.lists(
    st.one_of(
        st.tuples(KEYS, TEXTS),
        st.tuples(st.just("version"), VERSIONS),
    ),
    max_size=10,
)


@pytest.mark.parametrize("form_class", [SheetForm, VerificationForm])
@settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(pairs=POSTS)
@example(pairs=[("version", "3"), ("score_11", "2,5"), ("text_11", "Theo ba\u0301o ca\u0301o")])
@example(pairs=[("score_11", "1"), ("score_11", "2")])
@example(pairs=[("version", "3"), ("version", "99999999999")])
def test_posted_is_what_the_form_cleans(form_class, pairs):
    _check(form_class, pairs)


def test_plain_posts_take_the_quick_way():
    data = _query(
        [
            ("csrfmiddlewaretoken", "x"),
            ("version", "4"),
            ("score_11", " 2,5 "),
            ("text_11", "Theo ba\u0301o ca\u0301o"),
            ("score_12", ""),
            ("text_12", ""),
        ]
    )
    assert SheetForm.posted(data) == (
        4,
        {11: ("2,5", "Theo báo cáo"), 12: ("", "")},
    )
    assert VerificationForm.posted(data) == (4, {})


@pytest.mark.parametrize(
    "pairs",
    [
        [("score_11", "a\x00b")],
        [("text_11", "Tiªu chÝ thi ®ua")],
        [("score_11", "1"), ("score_11", "2")],
        [("score_11", "x" * 21)],
        [("text_11", "x" * 5001)],
        [("version", "+3")],
        [("version", "1"), ("version", "1")],
    ],
)
def test_what_needs_a_message_goes_to_the_form(pairs):
    assert SheetForm.posted(_query(pairs)) is None
