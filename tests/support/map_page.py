"""Reading the roadmap page's map (templates/progress/_map.html) back out of its HTML: the
wide table's weeks, lanes and nodes, and the phone list's weeks and nodes."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

_NODE = re.compile(
    r'<(?P<tag>a|span) class="map-node (?:map-node--continued )?map-node--(?P<state>\w+)"'
    r'(?: id="(?P<id>[^"]+)")?(?P<attrs>[^>]*)>(?P<body>.*?)</(?P=tag)>\s*</li>',
    re.S,
)


@dataclass
class Node:
    slug: str
    title: str
    state: str  # plain (no learner), not_started, in_progress, done, skipped, overdue
    linked: bool  # its first week: a link to the topic page
    text: str  # everything the node says, tags removed
    href: str = ""
    panel: str = ""


@dataclass
class MapTable:
    weeks: list[str]
    lanes: list[str]
    cells: list[list[list[Node]]]  # lane, then column, then the nodes in it
    list_weeks: list[str] = field(default_factory=list)
    list_nodes: list[list[Node]] = field(default_factory=list)

    def linked(self) -> list[tuple[int, int, Node]]:
        """(lane, column, node) of every node with a link, in the table's reading order."""
        return [
            (lane, column, node)
            for lane, row in enumerate(self.cells)
            for column, cell in enumerate(row)
            for node in cell
            if node.linked
        ]


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _nodes(fragment: str) -> list[Node]:
    found = []
    for match in _NODE.finditer(fragment):
        attrs = match.group("attrs")
        href = re.search(r'href="([^"]+)"', attrs)
        panel = re.search(r'hx-get="([^"]+)"', attrs)
        title = _text(re.search(r'map-node__title">(.*?)</span>', match.group("body"), re.S)[1])
        slug = re.search(r'data-topic="([^"]+)"', attrs)[1]
        found.append(
            Node(
                slug=slug,
                title=title,
                state=match.group("state"),
                linked=match.group("tag") == "a",
                text=_text(match.group("body")),
                href=href[1] if href else "",
                panel=panel[1] if panel else "",
            )
        )
    return found


def read_map(page: str) -> MapTable:
    section = page[page.index('<section id="map"') : page.index('<dialog id="map-panel"')]
    table = section[section.index("<table") : section.index("</table>")]
    head = table[table.index("<thead>") : table.index("</thead>")]
    weeks = [_text(cell) for cell in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', head, re.S)]
    lanes, cells = [], []
    for row in table.split('<tr class="map__lane">')[1:]:
        lanes.append(_text(re.search(r'<th scope="row"[^>]*>(.*?)</th>', row, re.S)[1]))
        cells.append([_nodes(cell) for cell in row.split('<td class="map__cell">')[1:]])
    phone = section[section.index('<ol class="map__list"') :]
    list_weeks, list_nodes = [], []
    for week in phone.split('<li class="map__list-week">')[1:]:
        list_weeks.append(_text(re.search(r"<h3[^>]*>(.*?)</h3>", week, re.S)[1]))
        list_nodes.append(_nodes(week))
    return MapTable(weeks[1:], lanes, cells, list_weeks, list_nodes)


def assert_map_bounded(table: MapTable, roadmap, size: str) -> None:
    """The seed's map links every active topic once; a larger roadmap's map is cut at the
    roadmap page's limits (roadmap_site/limits.py, issue 18): the first sections as lanes,
    the first weeks as columns, each cell at most its cap, each topic still linked once."""
    from apps.roadmap.models import Topic
    from roadmap_site import limits

    active = Topic.objects.active().filter(roadmap=roadmap).count()
    linked = table.linked()
    slugs = [node.slug for _, _, node in linked]
    assert len(set(slugs)) == len(slugs)
    if size == "seed":
        assert len(linked) == active
        return
    sections = roadmap.sections.filter(retired_at__isnull=True).count()
    assert len(table.lanes) == min(sections, limits.ROADMAP_PAGE_SECTIONS)
    assert len(table.weeks) <= limits.ROADMAP_PAGE_MAP_WEEKS
    assert all(
        len(cell) <= limits.ROADMAP_PAGE_MAP_NODES_PER_CELL for row in table.cells for cell in row
    )
    assert 0 < len(linked) < active
