from django.shortcuts import render

from accounts.models import User
from reflections.models import PeerPair

from .forms import SearchForm
from .query import RELEVANCE, Filters, readable_authors, scopes_for, search

PER_PAGE = 20


def _threads_and_people(user):
    """The filter choices: threads the person may read, and everyone whose writing they may read
    (peers, supervisors, trainers, trainees: the authors of the documents search can show them).
    Also the reader scopes of the search itself, fetched once."""
    threads = list(
        PeerPair.objects.threads_for(user).select_related("inviter", "invitee", "team").order_by("-created")
    )
    scopes = scopes_for(user, known={"thread": [pair.pk for pair in threads]})
    others = User.objects.filter(pk__in=readable_authors(user, scopes) - {user.pk})
    people = [user, *others]
    return threads, sorted(people, key=lambda person: person.name.casefold()), scopes


def results(request):
    """One search box over everything the person may read, with filters. The query costs a fixed
    number of queries however much writing there is (see tests/search/test_views.py)."""
    user = request.user
    threads, people, scopes = _threads_and_people(user)
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
        prepared = search(user, data["q"], filters, data["order"] or RELEVANCE, scopes)
        context["query"] = prepared.text
        context["filtered"] = filters != Filters()
        if not prepared.is_empty:
            page = prepared.page(request.GET.get("page"), PER_PAGE)
            context["searched"], context["page"] = True, page
            context["hits"] = prepared.hits(page.object_list)
            query = request.GET.copy()
            query.pop("page", None)
            context["page_query"] = query.urlencode()
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "search/results.html", context, status=status)
