"""Who may act on which page: a small registry the organisations app fills in (core imports no app).

``tester_for`` gives Wagtail the permission tester of an item page (every admin view, bulk action and
chooser asks it); ``place_refusal`` says, in Chinese, why an account may not put content at a place (None
when it may). Without a registered guard, Wagtail's group permissions alone decide.
"""

from wagtail.models import PagePermissionTester

_GUARD = {}


def register_guard(tester=None, refusal=None, workflow=None, home=None):
    for name, value in (("tester", tester), ("refusal", refusal), ("workflow", workflow), ("home", home)):
        if value is not None:
            _GUARD[name] = value


def workflow_for(page):
    """The review workflow the organisations assign to an item page, or None (Wagtail's own then)."""
    choose = _GUARD.get("workflow")
    return choose(page) if choose is not None else None


def tester_for(user, page):
    return _GUARD.get("tester", PagePermissionTester)(user, page)


def place_refusal(user, region):
    check = _GUARD.get("refusal")
    return check(user, region) if check is not None and region is not None else None


def home_place(user):
    """The place an account's listings open on (its organisation's), or None."""
    home = _GUARD.get("home")
    return home(user) if home is not None else None
