"""Anonymous visitors download only the documents public content uses."""

from wagtail import hooks

from .access import before_serve_document

hooks.register("before_serve_document", before_serve_document)
