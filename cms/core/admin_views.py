"""Wagtail's own admin views, narrowed where editors met trouble."""

from wagtail.admin.views.pages.create import CreateView


class CreateWithoutAutosave(CreateView):
    """Wagtail's page creation without autosave: autosaving a form not yet saved made the page in the
    background, and an editor who then left or started again found a stray draft (and, publishing a new page
    with the same title, a clash of addresses). A page exists once its editor saves it; from then on the edit
    view autosaves as usual."""

    autosave_enabled = property(lambda self: False, lambda self, value: None)
