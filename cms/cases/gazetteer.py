"""Every province, city and county of China, from JioNLP's maintained dictionary of administrative divisions.

The importer asks it which places an article names. cpca's own data stops before 2018 (it has 长治县, not
上党区) and its fork with current data (addressparser) does not install cleanly, so the names come from
JioNLP's ``china_location_loader`` (codes and short names as of its release). Loaded once per process.
"""

import contextlib
import io
from collections import Counter
from dataclasses import dataclass
from functools import cache

from opencc import OpenCC

PROVINCE, CITY, COUNTY = 1, 2, 3  # as Region.Level


@dataclass(frozen=True)
class Place:
    name: str
    code: str
    level: int
    parent: "Place | None" = None

    def chain(self):
        """This place and those above it, top first (a municipality's city level, 北京市 › 北京市, once)."""
        node, found = self, []
        while node is not None:
            if not found or node.name != found[-1].name:
                found.append(node)
            node = node.parent
        return list(reversed(found))

    def __str__(self):
        return " › ".join(p.name for p in self.chain())


@cache
def _simplify():
    return OpenCC("t2s").convert


def simplified(text):
    """Text in simplified characters (OpenCC's t2s), for analysis."""
    return _simplify()(text)


# Counties whose whole name is an everyday word (阳泉's 城区 and 郊区, 洛阳's 老城区): never a suggestion on
# their own (an article about them names their city too).
_WORDS = {"城区", "郊区", "矿区", "新区", "市辖区", "老城区", "新城区", "城中区", "市中区", "城关区", "开发区"}


@cache
def _names():
    """{name: [Place]}: full names of every level, and the short names (山西, 长治) of provinces and cities."""
    with contextlib.redirect_stdout(io.StringIO()):  # the library greets on import
        from jionlp.dictionary.dictionary_loader import china_location_loader
    found = {}

    def add(key, place):
        if len(key) >= 2:
            found.setdefault(key, []).append(place)

    def aliases(node):
        alias = node.get("_alias") or []
        return [alias] if isinstance(alias, str) else list(alias)

    for province_name, province in china_location_loader().items():
        p = Place(province_name, province.get("_admin_code", ""), PROVINCE)
        add(province_name, p)
        for alias in aliases(province):
            add(alias, p)
        for city_name, city in province.items():
            if city_name.startswith("_"):
                continue
            c = Place(city_name, city.get("_admin_code", ""), CITY, p)
            if city_name != province_name:  # a municipality's city level repeats its name
                add(city_name, c)
                for alias in aliases(city):
                    add(alias, c)
            for county_name, county in city.items():
                if not county_name.startswith("_") and county_name not in _WORDS:
                    add(county_name, Place(county_name, county.get("_admin_code", ""), COUNTY, c))
    return found


@cache
def _longest():
    return max(len(key) for key in _names())


# A short name followed by one of these is a word, not a place (“上党课”, “安全”): only full names and the
# short names of provinces and cities are looked for, and a short name must not run on into such a word.
_RUNS_ON = set("课员会校队久")


def mentions(text):
    """[(Place, position)] of the places ``text`` names (simplified first), longest name first at each point;
    a name shared by several places (朝阳区) gives the one whose province or city the text also names."""
    text = simplified(text)
    names, longest = _names(), _longest()
    hits, i = [], 0
    while i < len(text):
        for size in range(min(longest, len(text) - i), 1, -1):
            key = text[i : i + size]
            places = names.get(key)
            if places and not (places[0].name != key and text[i + size : i + size + 1] in _RUNS_ON):
                hits.append((key, places, i))
                i += size
                break
        else:
            i += 1
    named = {p.name for _key, places, _i in hits for p in places if len(places) == 1}
    found = []
    for _key, places, pos in hits:
        if len(places) > 1:
            known = [p for p in places if any(a.name in named for a in p.chain()[:-1])]
            if len(known) != 1:
                continue  # ambiguous and nothing around it says which: not a suggestion
            places = known
        found.append((places[0], pos))
    return found


def deepest(text):
    """The most specific place ``text`` names (a county before a city before a province; among equals, the one
    named most often, then first), or None."""
    counts, first = Counter(), {}
    for place, pos in mentions(text):
        counts[place] += 1
        first.setdefault(place, pos)
    return max(counts, key=lambda p: (p.level, counts[p], -first[p]), default=None)
