"""The timeline pages: the sagas a monitor follows, as people read them.

    views.py   pure: saga model + alerts -> frozen rows (events, actors, alerts, chart)
    chart.py   pure: reports per day and alert days -> SVG geometry
    pages.py   views -> HTML and Atom (Jinja2 templates in templates/, autoescaped)
    data.py    reads models, alerts and feed health through monitor.store
    site.py    thin routing on the daemon's HTTP endpoint (monitor.health)
"""

from monitor.web.pages import Pages
from monitor.web.site import Site

__all__ = ["Pages", "Site"]
