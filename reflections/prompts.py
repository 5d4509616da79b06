"""Prompts shown on the write page for each task (our own words; see ips-content.md)."""

from django.utils.translation import gettext_lazy as _

from .models import Task

# What each task is about, in a sentence.
SUMMARIES = {
    Task.CONNECTION: _(
        "The sense that someone “gets it”. Noticing a disconnect and exploring it together is part of the practice."
    ),
    Task.WORLDVIEW: _(
        "How each of us came to know what we “know” — sitting with differences instead of fixing them."
    ),
    Task.MUTUALITY: _("Both people learn, grow and are challenged. Power is named and negotiated."),
    Task.MOVING_TOWARDS: _("What each person wants to move towards, rather than away from problems."),
}

PROMPTS = {
    Task.CONNECTION: [
        _("When did I feel most connected this week, and what was going on between us right then?"),
        _("Was there a disconnect? What did I notice in myself just before it?"),
        _("Did I name the disconnect out loud? What made that easy or hard?"),
        _("Where did I reassure, advise or fix instead of staying curious?"),
        _("What might reconnecting look like next time?"),
    ],
    Task.WORLDVIEW: [
        _("What did I assume before they told me anything? Where did I learn that?"),
        _("How might they have come to see things this way? What might have happened?"),
        _("Which part of my own story was stirred up, and how did it colour what I heard?"),
        _("Which of my questions were asked to learn, and which to assess?"),
        _("Whose words described the experience: theirs, mine, or the system's?"),
    ],
    Task.MUTUALITY: [
        _("What did I learn from them, and did I tell them?"),
        _("Where did power show up (my role, rules, paperwork), and did we name it?"),
        _("What pulled me into helper or expert mode?"),
        _("If I was worried about safety, how did we share responsibility rather than my taking over?"),
        _("What did I share about myself, and whose need did it serve?"),
    ],
    Task.MOVING_TOWARDS: [
        _("What are we moving towards, in their words and in mine?"),
        _("Did we talk mostly about stopping or avoiding things? How could we turn that around?"),
        _("What small new thing could each of us try before we next meet?"),
        _("Where did hope or possibility show up, even briefly?"),
        _("How will we know the relationship itself is growing?"),
    ],
}
