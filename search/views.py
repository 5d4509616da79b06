from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.models import Role, User
from reflections.models import PeerPair

from .forms import SearchForm
from .query import RELEVANCE, Filters, search

PER_PAGE = 20


def _threads_and_people(user):
    """The filter choices: threads the person may read, and the people who write in them (the two
    peers of each thread and their teams' supervisors)."""
    threads = list(
        PeerPair.objects.threads_for(user).select_related("inviter", "invitee", "team").order_by("-created")
    )
    people = {user.pk: user}
    for pair in threads:
        people.setdefault(pair.inviter_id, pair.inviter)
        people.setdefault(pair.invitee_id, pair.invitee)
    if threads:
        supervisors = User.objects.filter(
            memberships__team__in={pair.team_id for pair in threads}, memberships__role=Role.SUPERVISOR
        ).distinct()
        for person in supervisors:
            people.setdefault(person.pk, person)
    return threads, sorted(people.values(), key=lambda person: person.name.casefold())


def results(request):
    """One search box over everything the person may read, with filters. The query costs a fixed
    number of queries however much writing there is (see tests/search/test_views.py)."""
    user = request.user
    threads, people = _threads_and_people(user)
    form = SearchForm(request.GET or None, user=user, threads=threads, people=people)
    context = {"form": form, "query": "", "searched": False, "page": None, "hits": [], "filtered": False}
    if form.is_valid():
        data = form.cleaned_data
        filters = Filters(
            task=data["task"],
            thread=data["thread"],
            author=data["author"],
            since=data["since"],
            until=data["until"],
        )
        # The threads of the filter are the threads the person reads: no need to ask twice.
        known = {"thread": [pair.pk for pair in threads]}
        prepared = search(user, data["q"], filters, data["order"] or RELEVANCE, known)
        context["query"] = prepared.text
        context["filtered"] = filters != Filters()
        if not prepared.is_empty:
            page = Paginator(prepared.documents, PER_PAGE).get_page(request.GET.get("page"))
            context["searched"], context["page"] = True, page
            context["hits"] = prepared.hits(page.object_list)
            query = request.GET.copy()
            query.pop("page", None)
            context["page_query"] = query.urlencode()
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "search/results.html", context, status=status)
