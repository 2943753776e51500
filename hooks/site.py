"""Take the navigation, the site's name, description and footer, and our fingerprinted assets from the
.site.yml the renderer writes next to the Markdown (they come from the CMS: section titles and the site
settings editors change). MkDocs never imports the CMS; this reads a file."""

from pathlib import Path

import yaml


def on_config(config):
    site_file = Path(config["docs_dir"]) / ".site.yml"
    if site_file.exists():
        site = yaml.safe_load(site_file.read_text(encoding="utf-8")) or {}
        if site.get("nav"):
            config["nav"] = site["nav"]
        for key in ("site_name", "site_description", "copyright", "extra_css"):
            if site.get(key):
                config[key] = site[key]
        config["extra"].update(site.get("extra") or {})
        favicon = (site.get("extra") or {}).get("assets", {}).get("favicon.png")
        if favicon:
            config["theme"]["favicon"] = favicon  # ours, named by its content like every asset
    return config
