"""The search filters' selects write their options in place (search.forms.OptionsInPlaceSelect):
the same HTML as Django's own select, names escaped, the chosen option selected."""

import re

import pytest
from django import forms

from search.forms import OptionsInPlaceSelect

PEOPLE = [("", "Anyone"), (7, "Me"), (12, "Sam Lindqvist"), (15, "Dev <em>Sharma</em> & co"), (21, "Li Wei")]


def tidy(html):
    return re.sub(r">\s+<", "><", html).strip()


@pytest.mark.parametrize("chosen", [None, "", 15, "21"])
def test_the_options_are_djangos_own(chosen):
    attrs = {"id": "id_author", "aria-describedby": "id_author_error"}
    ours = OptionsInPlaceSelect(choices=PEOPLE, attrs=attrs).render("author", chosen)
    djangos = forms.Select(choices=PEOPLE, attrs=attrs).render("author", chosen)
    assert tidy(ours) == tidy(djangos)
    assert "Dev &lt;em&gt;Sharma&lt;/em&gt; &amp; co" in ours
    assert ours.count(" selected") == 1  # nothing chosen selects "Anyone"
