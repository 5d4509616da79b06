import pytest

from tests.search import world


@pytest.fixture
def journal(team, other_team, author, peer, supervisor, other_supervisor):
    return world.build(
        team=team,
        other_team=other_team,
        author=author,
        peer=peer,
        supervisor=supervisor,
        other_supervisor=other_supervisor,
    )
