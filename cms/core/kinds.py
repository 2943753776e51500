"""The registry of content kinds: each content app declares its kind once, here the pipeline finds it.

A kind (case, list, notice, collection …) is an object registered by its app's ``AppConfig.ready()``;
``cms.publishing.kind.ContentKind`` is the base class with what every stage asks of it (export, portable
files, loader, Markdown, search, JSON, preview). The pipeline loops over ``kinds()`` and never imports a
content model, so a new kind is a new app and nothing else.

This module imports nothing of the pipeline: ``core`` stays below it.
"""

_KINDS = {}


def register(kind):
    """Add a kind (an instance); its ``name`` and ``folder`` must be new."""
    for other in _KINDS.values():
        if other.folder == kind.folder or other.model is kind.model:
            raise ValueError(f"content kind {kind.name!r} clashes with {other.name!r}")
    _KINDS[kind.name] = kind
    return kind


def unregister(name):
    """Remove a kind (tests that register a throwaway kind clean up with this)."""
    _KINDS.pop(name, None)


def kinds():
    """Every registered kind, in their declared order (the order of sections, loading and listings)."""
    return sorted(_KINDS.values(), key=lambda kind: (kind.order, kind.name))


def kind(name):
    return _KINDS[name]


def by_folder(folder):
    """The kind whose files, URLs and JSON live under ``folder`` (``cases``), or None."""
    return next((k for k in _KINDS.values() if k.folder == folder), None)


def for_model(model):
    """The kind of a page model or page (or None): its own, or the nearest registered base class's."""
    model = model if isinstance(model, type) else type(model)
    for klass in model.__mro__:
        for registered in _KINDS.values():
            if registered.model is klass:
                return registered
    return None


def index_models():
    return [k.index_model for k in kinds()]
