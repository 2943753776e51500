"""Take the navigation from the .nav.yml the renderer writes next to the Markdown."""

from pathlib import Path

import yaml


def on_config(config):
    nav_file = Path(config["docs_dir"]) / ".nav.yml"
    if nav_file.exists():
        config["nav"] = yaml.safe_load(nav_file.read_text(encoding="utf-8"))
    return config
