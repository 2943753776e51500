from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "cms.lists"
    label = "lists"
