"""The engine end to end on the SVB saga: real NLP, real embeddings, embedded Redis."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.documents import load_documents
from monitor.pipeline import Outcome, Pipeline
from monitor.types import Alert, AlertKind, Document, FeedItem, Verdict

ROOT = Path(__file__).resolve().parents[2]
SVB_SEEDS = ROOT / "sagas" / "svb-2023" / "seeds"
SAGA = "svb-2023"


def _pipeline(store, analyzer, settings_factory, tmp_path,  # type: ignore[no-untyped-def]
              **novelty):
    settings = settings_factory(
        tmp_path, sagas=[{"name": SAGA, "title": "SVB", "seed_dir": str(SVB_SEEDS)}],
        **({"novelty": novelty} if novelty else {}),
    )
    return Pipeline(settings, store, analyzer=analyzer, emit=lambda alerts: None)


def _doc(i: str, feed: str, title: str, text: str, hour: int, *, day: int = 12) -> Document:
    return Document(
        id=i, title=title, text=text, source=feed, url=f"https://{feed}/{i}",
        published=datetime(2023, 3, day, hour, tzinfo=UTC), language="en",
    )


SIGNATURE = [
    _doc("sig-1", "a.example", "Regulators close New York's Signature Bank, citing systemic risk",
         "New York regulators closed Signature Bank on Sunday, two days after the collapse of "
         "Silicon Valley Bank, and the FDIC was named receiver.", 23),
    _doc("sig-2", "b.example", "Signature Bank shut down by New York regulators",
         "Signature Bank was shut by state regulators on Sunday in the wake of Silicon Valley "
         "Bank's failure; the FDIC takes it over.", 23),
    _doc("sig-3", "c.example", "Signature Bank is closed by regulators after SVB failure",
         "Regulators closed Signature Bank, a New York lender, on Sunday after Silicon Valley "
         "Bank failed; the FDIC will run it.", 23),
]


def test_seeding_svb_gives_its_core_and_dated_events(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    model = p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    for name in ("Silicon Valley Bank", "Greg Becker", "Janet Yellen", "FDIC", "SVB"):
        actor = model.find(name)
        assert actor is not None and actor.protagonist, name
    assert len(model.events) == 6 and all(e.date for e in model.events.values())
    # the seeds themselves, replayed after seeding, tell nothing new
    outcomes: list[Outcome] = []
    assert p.process(load_documents([SVB_SEEDS]), saga=SAGA, outcomes=outcomes) == []
    # and an empty saga model never makes every feed item a candidate
    item = FeedItem("f", "Bitcoin rises", "Crypto markets", "https://x.example/1", None)
    assert p.select([item]) == []


def test_a_development_without_any_action_word_alerts_once_then_counts_sources(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    first = p.process(SIGNATURE[:1], saga=SAGA, clock=lambda d: d.published)
    assert first == []  # one outlet: a story waiting for a second source
    outcomes: list[Outcome] = []
    second = p.process(SIGNATURE[1:2], saga=SAGA, clock=lambda d: d.published, outcomes=outcomes)
    devs = [a for a in second if a.kind is AlertKind.NEW_DEVELOPMENT]
    assert len(devs) == 1
    dev = devs[0]
    assert dev.headline.split(" (")[0] in {d.title for d in SIGNATURE[:2]}  # the reports' words
    assert dev.source_url == SIGNATURE[0].url  # the first report is the source
    assert dev.explanation.nearest_event  # never "none" when the model knows events
    actors = {a.actors[0]: a for a in second if a.kind is AlertKind.NEW_ACTOR}
    assert "Signature Bank" in actors
    assert dev.actors[0] == "Signature Bank"  # the development names who it brought in
    assert second.index(dev) < second.index(actors["Signature Bank"])  # and comes first
    # the new actor's alert says in which development he entered, and when
    why = actors["Signature Bank"].explanation
    assert why.nearest_event == dev.headline.split(" (")[0]
    assert why.nearest_event_date == dev.headline.rsplit("(", 1)[1].rstrip(")")
    # a third outlet: a source of the known development, no new alert
    outcomes = []
    third = p.process(SIGNATURE[2:], saga=SAGA, clock=lambda d: d.published, outcomes=outcomes)
    assert [a for a in third if a.kind is AlertKind.NEW_DEVELOPMENT] == []
    assert outcomes[0].known_events == (dev.event_id,)


def test_a_trickle_waits_until_the_news_is_told_widely_at_once(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """Two outlets a day apart are two sources, but no moment when the news spread: the
    story waits (``support``). A third outlet within hours of the second confirms it,
    counted from the recent reports the store kept between batches."""
    from dataclasses import replace

    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    first, second, third = SIGNATURE
    late = replace(second, published=datetime(2023, 3, 14, 9, tzinfo=UTC))
    for doc in (first, late):
        alerts = p.process([doc], saga=SAGA, clock=lambda d: d.published)
        assert [a for a in alerts if a.kind is AlertKind.NEW_DEVELOPMENT] == []
    soon = replace(third, published=datetime(2023, 3, 14, 11, tzinfo=UTC))
    alerts = p.process([soon], saga=SAGA, clock=lambda d: d.published)
    assert len([a for a in alerts if a.kind is AlertKind.NEW_DEVELOPMENT]) == 1


def test_op_eds_are_not_the_sources_that_confirm_a_development(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """Two columns on the same news, from two outlets, look like two sources confirming
    it; they are talk about the news and confirm nothing. The outlets reporting it do."""
    from dataclasses import replace

    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    columns = [
        replace(d, id=f"op-{i}", url=f"https://{d.source}/opinion/{d.id}", source=f"op{i}.example",
                text=d.text + " Harold Finch, a former state regulator, said the FDIC acted late.")
        for i, d in enumerate(SIGNATURE[:2])
    ]
    outcomes: list[Outcome] = []
    quiet = p.process(columns, saga=SAGA, clock=lambda d: d.published, outcomes=outcomes)
    assert [a for a in quiet if a.kind is AlertKind.NEW_DEVELOPMENT] == []
    alerts = p.process(SIGNATURE[:2], saga=SAGA, clock=lambda d: d.published)
    devs = [a for a in alerts if a.kind is AlertKind.NEW_DEVELOPMENT]
    assert len(devs) == 1 and "/opinion/" not in (devs[0].source_url or "")
    # who takes part is what the reports tell: a columnist's name is no new actor
    actors = {a.actors[0] for a in alerts if a.kind is AlertKind.NEW_ACTOR}
    assert "Signature Bank" in actors and "Harold Finch" not in actors


def test_aggregator_copies_and_commentators_confirm_nothing(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """An aggregator's copy of a report (MSN) is not a second source, and a newcomer's
    statement on the news ("Jane Doe says...") is talk about it: neither confirms a
    story. A second outlet reporting it does."""
    from dataclasses import replace

    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    copy = replace(SIGNATURE[1], id="msn-1", source="https://www.msn.com/rss/news.aspx")
    statement = "Economist Martin Kowalczyk says regulators were right to shut Signature Bank"
    said = [replace(d, id=f"say-{i}", source=f"say{i}.example", title=statement)
            for i, d in enumerate(SIGNATURE[:2])]
    for docs in ([SIGNATURE[0], copy], said):
        alerts = p.process(docs, saga=SAGA, clock=lambda d: d.published)
        assert [a for a in alerts if a.kind is AlertKind.NEW_DEVELOPMENT] == []
    alerts = p.process(SIGNATURE[2:], saga=SAGA, clock=lambda d: d.published)
    assert len([a for a in alerts if a.kind is AlertKind.NEW_DEVELOPMENT]) == 1


def test_an_english_rewording_of_a_known_event_is_quiet(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    retold = [
        _doc("r-1", "a.example", "Silicon Valley Bank shut down by regulators",
             "California regulators closed Silicon Valley Bank on Friday; the FDIC protects "
             "insured deposits.", 10),
        _doc("r-2", "b.example", "US regulators close Silicon Valley Bank",
             "Silicon Valley Bank was closed by regulators, the FDIC said, in the largest bank "
             "failure since 2008.", 11),
    ]
    alerts = p.process(retold, saga=SAGA, clock=lambda d: d.published)
    assert [a for a in alerts if a.kind is AlertKind.NEW_DEVELOPMENT] == []


def test_a_name_a_retelling_brings_joins_the_cast_without_an_alert(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """A cable host's show on the bank's failure opens a story; a second outlet joins it
    with a report that retells the seeds' closure of the bank and names the host. The
    story retells a known event: it is no news, and neither is the host it brings along.
    He joins the saga's cast quietly, so that later reports know him, and no new-actor
    alert goes out (on the Trump saga, such hosts and commentators made 11 of the 34
    false new actors)."""
    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    docs = [
        _doc("h-1", "a.example", "Harold Finch asks founders where to keep their cash now",
             "Harold Finch, a cable host, asked startup founders on his show where to bank "
             "after Silicon Valley Bank.", 10),
        _doc("h-2", "b.example", "Founders ask a cable host where to keep their cash now",
             "Silicon Valley Bank was closed by regulators, the FDIC said, in a big bank "
             "failure. Harold Finch, a cable host, covered the closure of Silicon Valley Bank "
             "on Friday.", 11),
    ]
    outcomes: list[Outcome] = []
    alerts = p.process(docs, saga=SAGA, clock=lambda d: d.published, outcomes=outcomes)
    assert [o.verdicts for o in outcomes] == [frozenset({Verdict.KNOWN})] * 2
    assert alerts == []
    actor = p.load_model(SAGA).find("Harold Finch")
    assert actor is not None and actor.quiet


def test_an_outsider_reacting_is_known_to_the_saga_but_alerts_no_one(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """Two outlets headline a governor, no party to the saga, firing back at the
    regulators over the bank's failure: a story told by several outlets, with a
    newcomer, but talk about the saga (on the Trump saga, politicians' reactions were
    9 of its 22 false development alerts). The model knows it, so a third outlet's report
    of it is quiet; no development alert goes out, and the governor joins the cast
    quietly."""
    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    docs = [
        _doc("r-1", "a.example",
             "Governor Harold Finch fires back at regulators over Silicon Valley Bank",
             "Governor Harold Finch fired back at federal regulators on Monday, blaming them "
             "for the collapse of Silicon Valley Bank and the losses of its depositors.", 10,
             day=13),
        _doc("r-2", "b.example",
             "Harold Finch hits back at the Fed and the FDIC after Silicon Valley Bank's failure",
             "Harold Finch, the governor, fired back at bank regulators on Monday over the "
             "failure of Silicon Valley Bank, saying they ignored its risks.", 11, day=13),
    ]
    alerts = p.process(docs, saga=SAGA, clock=lambda d: d.published)
    assert alerts == []
    model = p.load_model(SAGA)
    talk = [e for e in model.events.values() if e.talk]
    assert len(talk) == 1 and "back at" in talk[0].statement
    actor = model.find("Harold Finch")
    assert actor is not None and actor.quiet
    outcomes: list[Outcome] = []
    third = _doc("r-3", "c.example", "Harold Finch fires back at regulators over SVB's failure",
                 "Governor Harold Finch fired back at regulators over the collapse of Silicon "
                 "Valley Bank on Monday.", 12, day=13)
    assert p.process([third], saga=SAGA, clock=lambda d: d.published, outcomes=outcomes) == []
    assert outcomes[0].known_events == (talk[0].id,)


def test_a_former_employer_named_in_a_headline_joins_the_cast_quietly(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """Two outlets headline Signature Bank's closure with the one who will run it,
    "ex-Hollis Partners lawyer Jane Roe", and their texts make the firm speak (on the
    Trump saga, "Ex-Manafort Lawyer Todd Blanche" and "Ex-National Enquirer publisher"
    made new actors of Manafort and the tabloid). The development is alerted; her
    former firm joins the cast without an alert."""
    from dataclasses import replace

    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    heads = ["Regulators close New York's Signature Bank; ex-Hollis Partners lawyer Jane Roe "
             "to run it", "Signature Bank shut down by New York regulators, ex-Hollis Partners "
             "lawyer Jane Roe in charge"]
    docs = [replace(d, title=t, text=d.text + " Hollis Partners confirmed that Jane Roe, its "
                    "former partner, will run the bank for the FDIC.")
            for d, t in zip(SIGNATURE[:2], heads, strict=True)]
    alerts = p.process(docs, saga=SAGA, clock=lambda d: d.published)
    assert len([a for a in alerts if a.kind is AlertKind.NEW_DEVELOPMENT]) == 1
    actors = {a.actors[0] for a in alerts if a.kind is AlertKind.NEW_ACTOR}
    assert "Hollis Partners" not in actors
    assert p.load_model(SAGA).find("Hollis Partners") is not None  # in the cast, quietly


def test_a_polish_rewording_of_a_known_event_is_quiet(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """The seeds tell Yellen's "resilient" in English; two Polish outlets retell it."""
    from dataclasses import replace

    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    retold = [
        replace(_doc("pl-1", "a.example.pl", "Janet Yellen: amerykański system bankowy "
                     "pozostaje odporny", "Sekretarz skarbu USA Janet Yellen zapewniła, że "
                     "system bankowy jest odporny po upadku Silicon Valley Bank.", 10),
                language="pl"),
        replace(_doc("pl-2", "b.example.pl", "Yellen zapewnia, że system bankowy USA jest "
                     "odporny", "Janet Yellen powiedziała w piątek, że amerykański system "
                     "bankowy pozostaje odporny mimo upadku SVB.", 11), language="pl"),
    ]
    alerts = p.process(retold, saga=SAGA, clock=lambda d: d.published)
    assert [a for a in alerts if a.kind is AlertKind.NEW_DEVELOPMENT] == []
    news = [  # while two Polish reports of something new are a development
        replace(_doc("pl-3", "a.example.pl", "Regulatorzy zamknęli nowojorski Signature Bank",
                     "Nowojorscy regulatorzy zamknęli w niedzielę Signature Bank, dwa dni po "
                     "upadku Silicon Valley Bank.", 23), language="pl"),
        replace(_doc("pl-4", "b.example.pl", "Signature Bank zamknięty przez regulatorów",
                     "Signature Bank został zamknięty przez regulatorów stanu Nowy Jork w "
                     "niedzielę, w ślad za Silicon Valley Bank.", 23), language="pl"),
    ]
    alerts = p.process(news, saga=SAGA, clock=lambda d: d.published)
    assert len([a for a in alerts if a.kind is AlertKind.NEW_DEVELOPMENT]) == 1


def test_a_job_title_in_a_headline_is_no_newcomer(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """A Title Case headline makes a name of any job title ("Home Secretary"): the job
    is nobody, the person holding it is named apart."""
    from monitor.novelty.engine import item_of
    from monitor.novelty.resolver import Resolver

    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    model = p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    doc = _doc("t-1", "a.example", "Home Secretary's Future Uncertain As Jane Roe Joins "
               "Cabinet", "Jane Roe joined the cabinet on Monday, officials said.", 10)
    [an] = analyzer.analyze([doc])
    assert doc.published is not None
    names = {n.key for n in item_of(an, Resolver(model), model, doc.published).names}
    assert "jane roe" in names and "home secretary" not in names


def test_a_name_the_saga_has_carried_for_days_makes_no_retelling_new(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """Jane Roe, whose startups banked with SVB, is named by the saga's reports from its
    first day. Three days later two outlets retell the bank's closure with her in their
    headlines: she is a familiar name of the saga by then, not a newcomer who would make
    the retelling a development. Named for the first time that day, she would be."""
    def reports(day: int) -> list[Document]:
        return [
            _doc(f"r-{day}-1", "a.example", "Silicon Valley Bank is shut by regulators as "
                 "Jane Roe's startups scramble", "Regulators closed Silicon Valley Bank on "
                 "Friday and the FDIC took over its deposits; Jane Roe's startups had "
                 "their money there.", 9, day=day),
            _doc(f"r-{day}-2", "b.example", "Silicon Valley Bank collapse strands Jane Roe's "
                 "firms", "Silicon Valley Bank failed and was taken over by the FDIC, "
                 "leaving firms backed by Jane Roe without access to cash.", 10, day=day),
        ]

    def developments(first_naming: int | None) -> int:
        p = _pipeline(store, analyzer, settings_factory, tmp_path)
        p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
        if first_naming is not None:
            early = _doc("r-0", "c.example", "Startups count the cost of Silicon Valley "
                         "Bank's failure", "Silicon Valley Bank's collapse froze the cash of "
                         "many startups, among them those Jane Roe backs.", 8, day=first_naming)
            p.process([early], saga=SAGA, clock=lambda d: d.published)
        alerts = p.process(reports(14), saga=SAGA, clock=lambda d: d.published)
        return len([a for a in alerts if a.kind is AlertKind.NEW_DEVELOPMENT])

    assert developments(first_naming=11) == 0
    store.drop_namespace()
    assert developments(first_naming=None) == 1


def test_an_outlet_a_report_cites_is_no_newcomer(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """"..., sources tell CNN": the outlet tells the news, it takes no part in it; two
    headlines citing it would otherwise tie two reports into one story and make a
    retelling look new. The party the report is about is a newcomer."""
    from monitor.novelty.engine import item_of, without_outlets
    from monitor.novelty.resolver import Resolver

    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    model = p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    doc = _doc("o-1", "a.example", "Jane Roe to lead Silicon Valley Bank, sources tell CNN",
               "Jane Roe will run Silicon Valley Bank from Monday, a CNN analyst said.", 10)
    [an] = analyzer.analyze([doc])
    assert doc.published is not None
    item = item_of(an, Resolver(model), model, doc.published)
    names = {n.key for n in without_outlets(item, model.outlets).names}
    assert "jane roe" in names and "cnn" not in names


class _Recording:
    """The real analyzer, noting which documents got the full analysis."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.analysed = inner, []  # type: ignore[var-annotated]

    def analyze(self, docs):  # type: ignore[no-untyped-def]
        self.analysed += [d.id for d in docs]
        return self.inner.analyze(docs)

    def leads(self, docs):  # type: ignore[no-untyped-def]
        return self.inner.leads(docs)

    def vector(self, text):  # type: ignore[no-untyped-def]
        return self.inner.vector(text)

    def embed(self, texts):  # type: ignore[no-untyped-def]
        return self.inner.embed(texts)


def test_an_item_far_from_the_saga_is_judged_from_its_lead_alone(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """A candidate far in meaning from everything the saga is about (it named a bank, so
    the prefilter let it through) costs a lead embedding, not the full analysis; it is
    irrelevant and recorded as seen like any other."""
    recording = _Recording(analyzer)
    p = _pipeline(store, recording, settings_factory, tmp_path)
    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    recipe = _doc("far-1", "food.example", "Ten easy pasta recipes for a weeknight dinner",
                  "Boil the water, add salt, and cook the spaghetti until al dente.", 9)
    near = SIGNATURE[0]
    outcomes: list[Outcome] = []
    p.process([recipe, near], saga=SAGA, clock=lambda d: d.published, outcomes=outcomes)
    assert near.id in recording.analysed and recipe.id not in recording.analysed
    verdicts = {o.doc.id: o.verdicts for o in outcomes}
    assert verdicts[recipe.id] == frozenset({Verdict.IRRELEVANT})
    assert p.sagas.unseen(SAGA, [recipe.id]) == set()


def test_an_item_near_the_saga_but_far_from_its_seeds_is_judged_from_its_lead_alone(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """A candidate close to what the saga is about, but below the seeds' report floor
    (raised here to the seeds' own agreement), is irrelevant whatever it names: it costs
    a lead embedding, not the full analysis; it is recorded as seen; and it still counts
    as the saga's talk of the names it holds (``actors.elsewhere``)."""
    from monitor.store.stream import SagaMentions, StreamText

    recording = _Recording(analyzer)
    settings = settings_factory(
        tmp_path, sagas=[{"name": SAGA, "title": "SVB", "seed_dir": str(SVB_SEEDS)}],
        novelty={"seed_floor_report": 1.0})
    p = Pipeline(settings, store, analyzer=recording, emit=lambda alerts: None)
    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    recording.analysed.clear()
    aside = _doc("aside-1", "d.example", "Startups scramble to make payroll after their bank fails",
                 "Founders said they could not reach their money at Silicon Valley Bank, "
                 "Globex Capital said.", 9)
    recipe = _doc("far-1", "food.example", "Ten easy pasta recipes for a weeknight dinner",
                  "Boil the water, add salt, and cook the spaghetti until al dente.", 9)
    outcomes: list[Outcome] = []
    p.process([aside, recipe], saga=SAGA, clock=lambda d: d.published, outcomes=outcomes)
    assert recording.analysed == []
    assert {o.doc.id: o.verdicts for o in outcomes}[aside.id] == frozenset({Verdict.IRRELEVANT})
    assert p.sagas.unseen(SAGA, [aside.id, recipe.id]) == set()
    mentions = SagaMentions(StreamText(store), StreamText(store, SAGA),
                            StreamText(store, SAGA, "near"))
    assert mentions.counts("Globex Capital", aside.published, 7, near=True)[1] == 1  # type: ignore[arg-type]
    assert mentions.counts("pasta", aside.published, 7, near=True)[1] == 0  # type: ignore[arg-type]


def test_alerts_carry_no_feed_credentials_and_only_web_links(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """A feed URL with user:pass@ and ?token= and an entry whose link is javascript:
    reach no alert payload (Slack, webhook, JSONL all read the alert)."""
    from dataclasses import replace

    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    secret_feed = "https://reader:pw123@a.example/rss?token=t0k3n"
    docs = [replace(SIGNATURE[0], source=secret_feed, url="javascript:alert(1)"),
            SIGNATURE[1]]
    alerts = p.process(docs, saga=SAGA, clock=lambda d: d.published)
    assert alerts
    import json

    for a in alerts:
        payload = json.dumps(a.to_dict())
        assert "pw123" not in payload and "t0k3n" not in payload
        assert "javascript:" not in payload
    dev = next(a for a in alerts if a.kind is AlertKind.NEW_DEVELOPMENT)
    assert dev.source_url is None and dev.source_feed == "https://***@a.example/rss?token=***"


def test_the_deal_after_the_talks_is_a_development_of_its_own(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """"Buyer in talks to take over the bank's arm", then, two days on, "Buyer agrees to
    buy it": the talks' next stage is news, however close its words to the talks. Its
    headline tells the deal, and a third outlet on the deal adds a source, no alert."""
    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    talks = [
        _doc("t-1", "a.example", "Harbor Trust Bank in talks to take over Silicon Valley Bank's "
            "UK arm", "Harbor Trust Bank is in talks with the Bank of England to take over the "
            "UK arm of the failed Silicon Valley Bank, people familiar said.", 9),
        _doc("t-2", "b.example", "Harbor Trust Bank holds talks to take over SVB UK",
            "Harbor Trust Bank held talks on Sunday about taking over SVB UK, the British arm "
            "of Silicon Valley Bank.", 10),
    ]
    deal = [
        _doc("d-1", "c.example", "Harbor Trust Bank agrees to buy Silicon Valley Bank's UK arm "
            "for £1", "Harbor Trust Bank agreed on Monday to buy the UK arm of Silicon Valley "
            "Bank for £1 in a deal brokered by the Treasury.", 7, day=14),
        _doc("d-2", "d.example", "Harbor Trust Bank buys SVB UK for £1 in rescue deal",
            "Harbor Trust Bank bought SVB UK for £1 on Monday, the Treasury said, protecting "
            "the deposits of British tech firms.", 8, day=14),
        _doc("d-3", "e.example", "Harbor Trust Bank completes rescue of SVB's UK arm",
            "Harbor Trust Bank completed its £1 purchase of SVB UK on Monday.", 9, day=14),
    ]
    clock = lambda d: d.published  # noqa: E731
    first = p.process(talks, saga=SAGA, clock=clock)
    assert any(a.kind is AlertKind.NEW_DEVELOPMENT for a in first)  # the talks: news too
    alerts = p.process(deal[:2], saga=SAGA, clock=clock)
    devs = [a for a in alerts if a.kind is AlertKind.NEW_DEVELOPMENT]
    assert len(devs) == 1
    assert devs[0].headline.split(" (")[0] in {d.title for d in deal[:2]}
    later = p.process(deal[2:], saga=SAGA, clock=clock)
    assert [a for a in later if a.kind is AlertKind.NEW_DEVELOPMENT] == []


def _seeded(store, analyzer, settings_factory, tmp_path, saga: str,  # type: ignore[no-untyped-def]
            texts: list[str]):
    """A saga seeded from ``texts``, one seed file each."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for i, text in enumerate(texts):
        (seeds / f"{i:03}.txt").write_text(text, encoding="utf-8")
    settings = settings_factory(tmp_path, sagas=[{"name": saga, "seed_dir": str(seeds)}])
    p = Pipeline(settings, store, analyzer=analyzer, emit=lambda alerts: None)
    return p.seed(load_documents([seeds]), saga=saga)


def test_a_seed_s_short_form_of_a_name_is_its_alias_and_a_search_term(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """A seed names "Al-Nour Medical Complex" once and "Al-Nour" after, as most reports
    will: one actor, whose short form the prefilter looks for on its own."""
    model = _seeded(store, analyzer, settings_factory, tmp_path, "nour", [
        "date 2023-11-10\nStrike outside Al-Nour Medical Complex\n\nA strike hit the courtyard "
        "of the Al-Nour Medical Complex on Friday. Doctors at Al-Nour said the generators "
        "had stopped.\n",
        "date 2023-11-10\nPatients flee Al-Nour after the strike\n\nPatients fled Al-Nour "
        "on Friday after the strike, the hospital's director said.\n"])
    actor = model.find("Al-Nour Medical Complex")
    assert actor is not None and "Al-Nour" in actor.aliases
    assert model.find("Al-Nour") is actor
    assert "Al-Nour" in model.prefilter_terms()  # strong: no "~"


def test_a_seat_the_seeds_headline_is_an_actor_an_outlet_they_cite_is_not(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """Seeds about a leak from the Senate: the seat they headline is what the saga is
    about, its first actor, though a seat named in passing stands for a government and
    is nobody. The outlet they cite reported it, and "Top-secret Senate" is the Senate in
    a headline's phrase."""
    model = _seeded(store, analyzer, settings_factory, tmp_path, "leak", [
        "date 2023-04-07\nLeaked documents prompt Senate investigation\n\nClassified "
        "documents on the Acme talks appeared on Telegram, the New York Times "
        "reported. The Senate said it was investigating.\n",
        "date 2023-04-07\nTop-secret Senate papers appear on social media\n\nThe Senate "
        "is investigating how the papers reached Telegram, according to the New York "
        "Times.\n"])
    names = {a.name for a in model.actors.values() if a.protagonist}
    assert "Senate" in names and "Senate" in model.prefilter_terms()
    assert not {"New York Times", "Top-secret Senate"} & names, names


def test_a_reporter_the_story_is_about_is_a_protagonist_though_named_as_a_reporter(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """The first seed names the arrested reporter as reporters are named in bylines and
    citations ("the reporter, Jane Doe"); the next ones make her the story: the subject
    of its text, and of its headline. She is its protagonist, and a search term."""
    model = _seeded(store, analyzer, settings_factory, tmp_path, "arrest", [
        "date 2023-03-30\nGlobe Herald reporter detained abroad\n\nThe security service "
        "said it had detained the reporter, Jane Doerfler, and opened an investigation.\n",
        "date 2023-03-30\nSecurity service arrests Globe Herald reporter Jane Doerfler\n\n"
        "Jane Doerfler could face 20 years in prison after the arrest, her paper said.\n"])
    actor = model.find("Jane Doerfler")
    assert actor is not None and actor.protagonist and actor.peripheral is None
    assert "Jane Doerfler" in model.prefilter_terms()


def test_a_story_around_an_actor_found_live_waits_for_the_saga(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """Signature Bank, found live, took part in a development. A story on a board member
    defending its crypto business is relevant report by report (near the seeds and that
    development), but as a story it is not near enough to either: no alert. The same
    story naming the saga's own bank is the saga's."""
    from dataclasses import replace

    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    p.process(SIGNATURE[:2], saga=SAGA, clock=lambda d: d.published)
    frank = [
        _doc("bf-1", "d.example", "Signature Bank board member Barney Frank defends crypto push",
             "Barney Frank, a Signature Bank board member, defended the lender's crypto "
             "business and blamed regulators.", 9, day=13),
        _doc("bf-2", "e.example", "Barney Frank defends Signature Bank's crypto business",
             "Former congressman Barney Frank, who sits on Signature Bank's board, defended "
             "its work with crypto firms.", 10, day=13),
    ]
    alerts = p.process(frank, saga=SAGA, clock=lambda d: d.published)
    assert [a for a in alerts if a.kind is AlertKind.NEW_DEVELOPMENT] == []
    saga_s = [replace(d, id=f"{d.id}-svb", source=f"x{d.source}",
                      text=d.text + " Silicon Valley Bank had failed two days before.")
              for d in frank]
    alerts = p.process(saga_s, saga=SAGA, clock=lambda d: d.published)
    assert len([a for a in alerts if a.kind is AlertKind.NEW_DEVELOPMENT]) == 1


def _deloitte_in_the_cast(p: Pipeline) -> list[Alert]:
    """Signature Bank's closure, told by two outlets that name the auditors' firm only as
    a qualifier ("a call with Deloitte auditors"): Deloitte joins the cast quietly."""
    from dataclasses import replace

    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    docs = [replace(d, text=d.text.replace(" on Sunday", " on Sunday, after a call with Deloitte "
                                           "auditors,", 1)) for d in SIGNATURE[:2]]
    return p.process(docs, saga=SAGA, clock=lambda d: d.published)


def _deloitte_sues(day: int) -> list[Document]:
    """A later development whose reports make Deloitte act: it sues."""
    return [
        _doc("suit-1", "d.example", "Deloitte and Harbor Trust sue Signature Bank's board",
             "Deloitte and Harbor Trust sued the former board of Signature Bank on Tuesday "
             "over losses tied to the collapse of Silicon Valley Bank.", 9, day=day),
        _doc("suit-2", "e.example", "Harbor Trust and Deloitte file suit against Signature "
             "Bank directors", "Harbor Trust and Deloitte filed a lawsuit against Signature "
             "Bank's directors, blaming them for losses after Silicon Valley Bank failed.",
             11, day=day),
    ]


def test_a_name_that_only_qualifies_others_is_a_new_actor_only_once_it_acts(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """Both outlets name the auditors' firm, but only as a qualifier ("a call with
    Deloitte auditors"): it joins the saga's cast quietly. The bank the regulators closed
    is what the reports make the object of the act: a new actor. When a later
    development's reports make the firm act (it sues, a day and a half later), it is
    alerted then."""
    from monitor.store.sagas import SagaStore

    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    alerts = _deloitte_in_the_cast(p)
    assert len([a for a in alerts if a.kind is AlertKind.NEW_DEVELOPMENT]) == 1
    actors = {a.actors[0] for a in alerts if a.kind is AlertKind.NEW_ACTOR}
    assert "Signature Bank" in actors and "Deloitte" not in actors
    assert SagaStore(store).load(SAGA).find("Deloitte") is not None  # in the cast, quietly
    # a later development in which it acts: now it takes part, and the user hears of it
    alerts = p.process(_deloitte_sues(14), saga=SAGA, clock=lambda d: d.published)
    assert len([a for a in alerts if a.kind is AlertKind.NEW_DEVELOPMENT]) == 1
    woken = next(a for a in alerts if a.kind is AlertKind.NEW_ACTOR and a.actors[0] == "Deloitte")
    assert "in the saga's cast since 2023-03-1" in woken.explanation.reason  # why only now
    said = [(c.kind, c.detail) for c in SagaStore(store).history(SAGA)]
    assert ("actor_quiet", "Deloitte") in said and ("actor_woken", "Deloitte") in said


def test_a_quiet_actor_in_the_cast_for_days_is_no_new_actor_when_it_acts(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """The same firm, quiet in the cast since the closure, sues four days later
    (``actor_news_h``, 48 h): the saga's readers have met it for days. The suit is a
    development, and its alert names the firm; no "new actor" alert says the firm is new
    (its co-plaintiff, new to the saga, has one). It acts in the saga now (no longer
    quiet)."""
    from monitor.store.sagas import SagaStore

    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    _deloitte_in_the_cast(p)
    alerts = p.process(_deloitte_sues(16), saga=SAGA, clock=lambda d: d.published)
    developments = [a for a in alerts if a.kind is AlertKind.NEW_DEVELOPMENT]
    assert len(developments) == 1 and "Deloitte" in developments[0].headline
    new = [a.actors[0] for a in alerts if a.kind is AlertKind.NEW_ACTOR]
    assert "Deloitte" not in new and new  # a newcomer of the suit still is one
    actor = SagaStore(store).load(SAGA).find("Deloitte")
    assert actor is not None and not actor.quiet
    said = [(c.kind, c.detail) for c in SagaStore(store).history(SAGA)]
    assert ("actor_familiar", "Deloitte") in said


def test_a_newcomer_the_saga_has_named_for_days_is_no_new_actor(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """One report of the closure names a depositor, Harbor Trust; four days later it
    sues the closed bank's board with Deloitte (``actor_news_h``, 48 h). Told by two
    outlets, the suit makes it an actor, but the saga's reports have named it for days:
    no "new actor" alert; the development's alert names it. Deloitte, never named
    before, is a new actor (as is Harbor Trust when the suit is the first to name it:
    ``test_a_quiet_actor_in_the_cast_for_days_is_no_new_actor_when_it_acts``)."""
    from monitor.store.sagas import SagaStore

    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    named = _doc("sig-4", "f.example", "Signature Bank depositors wait for their money",
                 "Harbor Trust, one of the largest depositors of Signature Bank, said on "
                 "Sunday it had moved funds before regulators closed the bank after the "
                 "collapse of Silicon Valley Bank.", 22)
    p.process([*SIGNATURE[:2], named], saga=SAGA, clock=lambda d: d.published)
    alerts = p.process(_deloitte_sues(16), saga=SAGA, clock=lambda d: d.published)
    assert len([a for a in alerts if a.kind is AlertKind.NEW_DEVELOPMENT]) == 1
    assert [a.actors[0] for a in alerts if a.kind is AlertKind.NEW_ACTOR] == ["Deloitte"]
    said = [(c.kind, c.detail) for c in SagaStore(store).history(SAGA)]
    assert ("actor_familiar", "Harbor Trust") in said
    assert SagaStore(store).load(SAGA).find("Harbor Trust") is not None  # in the cast


_LATE_TITLES = ("Harbor Trust caught out as New York regulators shut Signature Bank",
                "New York shuts Signature Bank, Harbor Trust's lender")
# 0.73 and 0.74 to the development's headline ("Regulators close New York's Signature
# Bank, citing systemic risk"); the titles above score 0.62 and 0.56
_CLOSE_TITLES = ("Harbor Trust's lender Signature Bank closed by regulators citing systemic risk",
                 "New York's Signature Bank closed over systemic risk; Harbor Trust caught out")


def _signature_again(hour: int = 0, titles: tuple[str, str] = _LATE_TITLES) -> list[Document]:
    """Two late outlets on Signature Bank's closure (alerted at 23:00 the day before),
    at ``hour`` and an hour later."""
    return [
        _doc("dup-1", "g.example", titles[0], "Harbor Trust, a large depositor, was caught "
             "out when New York regulators shut Signature Bank on Sunday, two days after "
             "Silicon Valley Bank collapsed; the FDIC was named receiver.", hour, day=13),
        _doc("dup-2", "h.example", titles[1], "New York's regulators shut Signature Bank, "
             "the lender of Harbor Trust, on Sunday after the failure of Silicon Valley "
             "Bank; the FDIC takes over.", hour + 1, day=13),
    ]


_SIGNATURE_AGAIN = _signature_again()


@pytest.mark.parametrize(("novelty", "hour", "titles"), [
    # the defaults: its reports come within duplicate_threshold of the development's
    ({}, 0, _LATE_TITLES),
    # its headlines alone, at a bar these two meet (0.62 and 0.56 to the development's)
    ({"duplicate_threshold": 0, "duplicate_title_threshold": 0.6}, 0, _LATE_TITLES),
    # its headlines alone at the default bar (duplicate_title_threshold 0.72)
    ({"duplicate_threshold": 0}, 0, _CLOSE_TITLES),
    # ... against the titles of the development's reports too (``Event.told_as``): 0.78
    # and 0.73 to "Signature Bank shut down by New York regulators", not its headline
    ({"duplicate_threshold": 0}, 0, _LATE_TITLES),
    # five hours after the alert: still its first hours (duplicate_window_h 6)
    ({}, 3, _LATE_TITLES),
])
def test_a_development_told_again_in_its_first_hours_is_one_alert(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path, novelty, hour, titles
) -> None:
    """Three outlets tell Signature Bank's closure: one alert. Within a few hours two more
    outlets tell it their own way, each headline naming a depositor caught out, so that
    their story passes the retelling bar. So close to the development alerted hours
    before (``duplicate_threshold`` over its reports, or ``duplicate_title_threshold``
    over its headlines against the development's headline and its reports' titles;
    ``duplicate_window_h``), it is that development told again: its
    reports become the development's sources, and no second alert goes out."""
    from monitor.store.sagas import SagaStore

    p = _pipeline(store, analyzer, settings_factory, tmp_path, **novelty)
    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    first = p.process(SIGNATURE, saga=SAGA, clock=lambda d: d.published)
    assert len([a for a in first if a.kind is AlertKind.NEW_DEVELOPMENT]) == 1
    alerted = next(e for e in SagaStore(store).load(SAGA).events.values()
                   if e.origin == "story")
    assert p.process(_signature_again(hour, titles), saga=SAGA,
                     clock=lambda d: d.published) == []
    model = SagaStore(store).load(SAGA)
    event = model.events[alerted.id]
    assert {"g.example", "h.example"} <= set(event.feeds)  # its sources now
    # and the model knows their wording: two rows (lead and first sentence) a report
    assert len(event.vectors) == len(alerted.vectors) + 2 * 2
    said = [c.kind for c in SagaStore(store).history(SAGA)]
    assert "story_folded" in said


def test_without_the_duplicate_rule_a_development_told_again_is_alerted_twice(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """The same reports with both bars off: the later outlets' story is a second
    development alert (what the rule above keeps from the user)."""
    p = _pipeline(store, analyzer, settings_factory, tmp_path, duplicate_threshold=0,
                  duplicate_title_threshold=0)
    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    p.process(SIGNATURE, saga=SAGA, clock=lambda d: d.published)
    again = p.process(_SIGNATURE_AGAIN, saga=SAGA, clock=lambda d: d.published)
    assert len([a for a in again if a.kind is AlertKind.NEW_DEVELOPMENT]) == 1


def test_a_relevant_who_is_explainer_makes_its_subject_an_actor_at_once(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """The press asks "Who is ...?" of a person who has just come to matter in a story:
    one relevant explainer makes a new actor of her, where a passing mention in one report
    does not (she needs two sources and a development then)."""
    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    passing = _doc("pass-1", "a.example", "Silicon Valley Bank depositors wait for their money",
                   "Depositors of Silicon Valley Bank lined up on Monday; Marta Kowalczyk, a "
                   "founder, said the FDIC had not called.", 9, day=13)
    alerts = p.process([passing], saga=SAGA, clock=lambda d: d.published)
    assert [a for a in alerts if a.kind is AlertKind.NEW_ACTOR] == []
    who = _doc("who-1", "b.example",
               "Who is Jane Whitcombe, the FDIC's pick to run Silicon Valley Bank?",
               "Jane Whitcombe, a former Fannie Mae chief, was named chief executive of the "
               "FDIC-run Silicon Valley Bank on Monday to reassure its depositors.", 10, day=13)
    alerts = p.process([who], saga=SAGA, clock=lambda d: d.published)
    actors = [a for a in alerts if a.kind is AlertKind.NEW_ACTOR]
    assert [a.actors[0] for a in actors] == ["Jane Whitcombe"]
    assert actors[0].source_title.startswith("Who is Jane Whitcombe")
    assert "headline asks who it is" in actors[0].explanation.reason


def _concerts(p: Pipeline, n: int) -> None:
    """The stream names Signature Bank ``n`` times outside the saga (its arena's
    concerts): a name of the news at large (``actors.elsewhere``)."""
    p.observe([
        FeedItem(f"feed{i}.example", f"Signature Bank arena hosts concert number {i}",
                 "Tickets on sale now.", f"https://feed{i}.example/{i}",
                 datetime(2023, 3, 11, i, tzinfo=UTC))
        for i in range(n)
    ])


def test_a_newcomer_the_stream_names_mostly_elsewhere_joins_quietly(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """A name of the news at large (named by many feed items that are no reports of the
    saga: its concerts, its sport) takes part in a development: the development alerts,
    the name joins the saga's cast without an alert of its own (``actors.elsewhere``)."""
    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    _concerts(p, 12)
    p.process(SIGNATURE[:1], saga=SAGA, clock=lambda d: d.published)
    alerts = p.process(SIGNATURE[1:2], saga=SAGA, clock=lambda d: d.published)
    assert [a.kind for a in alerts].count(AlertKind.NEW_DEVELOPMENT) == 1
    assert [a for a in alerts if a.kind is AlertKind.NEW_ACTOR] == []
    actor = p.load_model(SAGA).find("Signature Bank")
    assert actor is not None and actor.quiet  # in the cast: later reports resolve to it


def test_a_name_of_the_news_at_large_heading_its_development_is_a_new_actor_at_once(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """The same name of the news at large (its concerts) in a development whose headline
    opens on it: the act is its own, and it is alerted with the development, not kept
    quiet ("Globex pulls its ads from X" names Globex every day elsewhere too)."""
    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    _concerts(p, 12)
    alerts = p.process(SIGNATURE[1:], saga=SAGA, clock=lambda d: d.published)
    assert [a.kind for a in alerts].count(AlertKind.NEW_DEVELOPMENT) == 1
    actors = {a.actors[0]: a.explanation.reason for a in alerts
              if a.kind is AlertKind.NEW_ACTOR}
    assert "the development's headline is about it" in actors["Signature Bank"]


def test_a_quiet_actor_the_stream_names_mostly_elsewhere_ties_no_report_to_the_saga(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """A name of the news at large in the saga's cast (quiet: named mostly outside the
    saga) does not make the reports that name it relevant, as a protagonist's name
    does; else each such name brings in all of its news. The same report counts when
    the name is one of the saga's own (the control, without the concerts)."""
    frank = _doc("frank-1", "f.example", "Signature Bank's Barney Frank defends the bank's board",
                 "Signature Bank's Barney Frank defends the bank's board.", 10, day=13)
    verdicts = {}
    for concerts in (12, 0):
        store.redis.flushdb()
        p = _pipeline(store, analyzer, settings_factory, tmp_path / str(concerts))
        p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
        _concerts(p, concerts)
        p.process(SIGNATURE[:2], saga=SAGA, clock=lambda d: d.published)
        actor = p.load_model(SAGA).find("Signature Bank")
        assert actor is not None and actor.quiet == bool(concerts)
        outcomes: list[Outcome] = []
        p.process([frank], saga=SAGA, clock=lambda d: d.published, outcomes=outcomes)
        verdicts[concerts] = outcomes[0].verdicts
    assert verdicts[12] == frozenset({Verdict.IRRELEVANT})
    assert Verdict.IRRELEVANT not in verdicts[0]


def test_a_name_of_the_news_at_large_that_heads_a_development_takes_part_in_it(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """A name of the news at large joins the cast quietly (the stream names it mostly
    elsewhere). A later development whose headline opens on it ("Signature Bank sues
    ...") is its act: it is alerted then, however much the stream names it elsewhere. The
    same development told with the name as the object ("... sues Signature Bank's
    board") leaves it quiet."""
    suits = {
        True: ["Signature Bank sues Harbor Trust over its failed rescue",
               "Signature Bank takes Harbor Trust to court over the rescue"],
        False: ["Harbor Trust sues Signature Bank's board over its failed rescue",
                "Harbor Trust takes Signature Bank's board to court over the rescue"],
    }
    woken = {}
    for heads, titles in suits.items():
        store.redis.flushdb()
        p = _pipeline(store, analyzer, settings_factory, tmp_path / str(heads))
        p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
        _concerts(p, 12)
        p.process(SIGNATURE[:2], saga=SAGA, clock=lambda d: d.published)
        actor = p.load_model(SAGA).find("Signature Bank")
        assert actor is not None and actor.quiet
        docs = [_doc(f"suit-{i}", f"{'de'[i]}.example", title, f"{title} on Tuesday, after "
                     "the collapse of Silicon Valley Bank.", 9 + i, day=14)
                for i, title in enumerate(titles)]
        alerts = p.process(docs, saga=SAGA, clock=lambda d: d.published)
        assert [a.kind for a in alerts].count(AlertKind.NEW_DEVELOPMENT) == 1
        woken[heads] = {a.actors[0]: a.explanation.reason for a in alerts
                        if a.kind is AlertKind.NEW_ACTOR}
    assert "the development's headline is about it" in woken[True]["Signature Bank"]
    assert "Signature Bank" not in woken[False]


def test_a_country_that_acts_in_a_development_is_a_new_actor(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """"Norway sues Harbor Trust...": Norway's state acts in the saga, which its seeds never
    brought in, and it is alerted as a new actor with the development. The US does the
    same in the control: the seeds name the US, so it is no newcomer."""
    found = {}
    for country in ("Norway", "US"):
        store.redis.flushdb()
        p = _pipeline(store, analyzer, settings_factory, tmp_path / country)
        p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
        titles = [f"{country} sues Harbor Trust over its failed rescue",
                  f"{country} takes Harbor Trust to court over the rescue"]
        docs = [_doc(f"suit-{i}", f"{'de'[i]}.example", title, f"{title} on Tuesday, after "
                     "the collapse of Silicon Valley Bank.", 9 + i, day=14)
                for i, title in enumerate(titles)]
        alerts = p.process(docs, saga=SAGA, clock=lambda d: d.published)
        assert [a.kind for a in alerts].count(AlertKind.NEW_DEVELOPMENT) == 1
        found[country] = [a for a in alerts if a.kind is AlertKind.NEW_ACTOR]
    norway = [a for a in found["Norway"] if a.actors[0] == "Norway"]
    assert len(norway) == 1 and norway[0].headline.startswith("Norway (government)")
    assert "the development's headline is about it" in norway[0].explanation.reason
    assert p.load_model(SAGA).find("Norway") is None  # the control's model
    assert not [a for a in found["US"] if a.actors[0] in ("US", "United States")]


def test_an_edition_of_a_series_makes_no_development(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """A report whose headline the stream carried the day before with other numbers
    (a daily live page, a numbered briefing) is an edition of a series: the story it
    opens is no development, however many outlets join it."""
    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    from dataclasses import replace

    title = "Bank watch, day {}: regulators close New York's Signature Bank"
    p.observe([FeedItem("a.example", title.format(1), "Regulators on the bank beat.",
                        "https://a.example/watch-1", datetime(2023, 3, 11, 9, tzinfo=UTC))])
    docs = [replace(SIGNATURE[0], title=title.format(2)), SIGNATURE[1]]
    alerts = p.process(docs, saga=SAGA, clock=lambda d: d.published)
    assert [a for a in alerts if a.kind is AlertKind.NEW_DEVELOPMENT] == []


def test_a_new_actors_alert_says_how_much_of_the_streams_talk_of_it_is_the_saga(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    p.observe([  # the feed items of the two reports below, as the daemon reads them
        FeedItem(d.source or "", d.title, d.text, d.url or "", d.published)
        for d in SIGNATURE[:2]
    ])
    p.process(SIGNATURE[:1], saga=SAGA, clock=lambda d: d.published)
    alerts = p.process(SIGNATURE[1:2], saga=SAGA, clock=lambda d: d.published)
    actor = next(a for a in alerts if a.kind is AlertKind.NEW_ACTOR
                 and a.actors[0] == "Signature Bank")
    assert "the saga's reports are 2 of the 2 feed items that named it lately" in (
        actor.explanation.reason)


def test_a_wave_is_judged_against_the_known_events_of_the_last_hours(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """The seeds' facts are days old by 2023-03-15 and hours old on their own day: a wave
    of outlets retelling one then is that fact's aftermath (closeness to a young event
    measured), days later it may be the outcome the saga awaited (no young event near).
    Below ``wave_sources`` outlets nothing is measured."""
    import numpy as np

    from monitor.embed import unpack_many
    from monitor.novelty.engine import Engine

    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    model = p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    eng = Engine(model, p.settings.novelty)
    seed = next(e for e in model.events.values() if e.date)
    rows = np.vstack([unpack_many(seed.vectors)])
    many = p.settings.novelty.wave_sources
    same_day = datetime.fromisoformat(f"{seed.date}T12:00:00+00:00")
    later = datetime(2023, 3, 20, 12, tzinfo=UTC)
    assert eng._young(rows, many - 1, same_day) is None
    young = eng._young(rows, many, same_day)
    assert young is not None and young > p.settings.novelty.known_threshold
    assert eng._young(rows, many, later) == 0.0


def test_a_wave_near_a_young_plan_is_the_plan_carried_out(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """A young event announcing a plan ("... expected to ... Saturday") makes no wave its
    aftermath unless the wave's report tells a plan too: the thing done, told everywhere
    the morning after, is news however close its words to the announcement's."""
    import numpy as np

    from monitor.embed import unpack_many
    from monitor.novelty.engine import Engine

    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    model = p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    seed = next(e for e in model.events.values() if e.date)
    for e in model.events.values():  # one young event only: the plan
        e.date = seed.date if e is seed else "2023-03-01"
    seed.statement = "Silicon Valley Bank expected to be sold on Saturday"
    eng = Engine(model, p.settings.novelty)
    rows = np.vstack([unpack_many(seed.vectors)])
    many = p.settings.novelty.wave_sources
    same_day = datetime.fromisoformat(f"{seed.date}T12:00:00+00:00")
    plan = eng._young(rows, many, same_day, "Bank expected to be sold on Saturday, says FDIC")
    assert plan is not None and plan > p.settings.novelty.known_threshold
    assert eng._young(rows, many, same_day, "Silicon Valley Bank is sold to a rival") == 0.0


def test_a_wave_telling_another_thing_than_a_young_development_is_news(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """A development alerted that morning is as close, in report embeddings, to the
    evening's wave as its own aftermath is (the saga's topic fills both). Their
    headlines with the topic left out tell them apart (``Engine._tells_other``): the
    verdict is news; the morning's development told again stays its aftermath, and so
    does every wave when no encoder is at hand."""
    from dataclasses import replace

    import numpy as np

    from monitor.embed import unpack_many
    from monitor.novelty.engine import Engine
    from monitor.saga import Evidence, Story
    from novelty.helpers import item

    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    model = p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    morning = next(e for e in model.events.values() if e.date)
    for e in model.events.values():  # one young event only: the morning's development
        e.date = "2023-03-01"
    morning.origin, morning.first_seen = "story", "2023-03-20T09:00:00+00:00"
    morning.statement = "Former CEO of Silicon Valley Bank takes the stand"
    morning.evidence = [Evidence("m1", "", None, title=morning.statement)]
    rows = np.vstack([unpack_many(morning.vectors)])  # as close as can be: 1.0
    evening = datetime(2023, 3, 20, 21, tzinfo=UTC)
    many, bar = p.settings.novelty.wave_sources, p.settings.novelty.known_threshold

    def young(title: str, embed: bool = True) -> float | None:
        report = replace(item(rows[0], title=title, at=evening), language="en")
        story = Story(id="st", first=evening.isoformat(), last=evening.isoformat(),
                      titles=[title], talk=[False], languages=["en"])
        eng = Engine(model, p.settings.novelty, embed=analyzer.embed if embed else None)
        return eng._young(rows, many, evening, title, (story, report))

    verdict = "Jury finds Silicon Valley Bank not liable, awards $1 in damages"
    assert young(verdict) == 0.0
    again = young("Silicon Valley Bank's former CEO takes the stand, court hears")
    assert again is not None and again > bar
    unread = young(verdict, embed=False)
    assert unread is not None and unread > bar


def test_a_decision_announced_then_taken_is_news_once(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """"Bank set to be sold to a rival" in the evening, "Rival acquires the failed bank"
    told by two outlets the next morning: the decision taken, however close its words to
    the announcement's (``Engine._awaited``). Not a report that still tells the plan,
    not one whose outlets agree on no word, and not once a development alerted since the
    announcement tells it (the outcome is told once)."""
    from dataclasses import replace

    import numpy as np

    from monitor.novelty.engine import Engine
    from monitor.novelty.memory import with_known
    from monitor.saga import Event, Story
    from novelty.helpers import item, unit

    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    model = p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    eng = Engine(model, p.settings.novelty)
    evening, morning = datetime(2023, 3, 26, 20, tzinfo=UTC), datetime(2023, 3, 27, 8, tzinfo=UTC)
    plan, deal = unit((0, 1.0)), unit((0, 1.0), (1, 0.3))  # cosine 0.96
    acquired = frozenset({"en:acquire"})
    story = Story(id="st", first=morning.isoformat(), last=morning.isoformat(),
                  titles=["Rival acquires the failed bank's deposits"], talk=[False])
    report = item(deal, doc="deal", title="Failed bank acquired by its rival", at=morning)
    rows = deal[None, :]
    eng._remember(item(plan, doc="plan", title="Bank set to be sold to a rival", at=evening,
                       feed="https://a.example/rss"), awaits=True)
    assert not eng._awaited(story, report, rows, acquired)  # one outlet's "set to": no more
    eng._remember(item(plan, doc="plan-2", title="Rival poised to buy the failed bank",
                       at=evening, feed="https://b.example/rss"), awaits=True)
    assert eng._awaited(story, report, rows, acquired)
    assert not eng._awaited(story, replace(report, title="Rival set to acquire the bank"),
                            rows, acquired)
    assert not eng._awaited(story, report, rows, frozenset({"en:shares"}))  # no word alike
    # alerted at 22:00, after the announcement: the morning's reports are its second outlets
    model.events["dev-deal"] = Event(id="dev-deal", action="", actors=[], date=None,
                                     statement="Rival buys the failed bank", origin="story",
                                     first_seen=datetime(2023, 3, 26, 22, tzinfo=UTC).isoformat())
    eng.memory = with_known(eng.memory, "dev-deal", np.vstack([deal]))
    assert not eng._awaited(story, report, rows, acquired)


def test_seeds_cast_a_party_under_its_own_name_not_the_words_heading_it(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """A headline opens with a common noun that the NER takes into the name after it, and
    names a person by title and surname; a slip spells her otherwise once. The cast a
    user reads holds each party once, under its own name, spelt as the seeds spell it."""
    model = _seeded(store, analyzer, settings_factory, tmp_path, "crash", [
        "date 2023-03-21\nPsychodrame Globex : la patronne Jane Doerfler renvoyée\n\n"
        "En 24 heures, un psychodrame incroyable : Globex a renvoyé sa patronne Jane "
        "Doerfler vendredi. Globex n'a rien dit.\n",
        "date 2023-03-21\nGlobex fires chief executive Jane Doerfler\n\nGlobex fired Jane "
        "Doerfler on Friday. Jane Doerfler said she was surprised; Jane Doerfer declined to "
        "comment further.\n",
        "date 2023-03-21\nCEO Doerfler sacked by Globex board\n\nThe board of Globex sacked "
        "Jane Doerfler on Friday, a day after the quarterly results.\n"])
    names = {a.name: a.kind for a in model.actors.values()}
    assert "Globex" in names and names.get("Jane Doerfler") == "person", names
    assert not [n for n in names if n != "Globex" and "Globex" in n.split()], names
    assert not [n for n in names if n != "Jane Doerfler" and "Doerfler" in n], names


def test_a_known_organisation_named_in_another_language_is_no_new_actor(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """Polish reports translate an institution's name: the deposit insurer the seeds
    name in English is "Federalna Korporacja Ubezpieczania Depozytów" to them. The
    encoder reads both languages, so the newcomer is the known insurer (an alias, no
    alert); another organisation, or a person, is not; without an encoder, nothing is."""
    from monitor.novelty.engine import Engine
    from monitor.saga import NameSeen

    p = _pipeline(store, analyzer, settings_factory, tmp_path)
    model = p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    insurer = model.find("FDIC")
    assert insurer is not None
    eng = Engine(model, p.settings.novelty, embed=analyzer.embed)
    polish = NameSeen(name="Federalna Korporacja Ubezpieczania Depozytów", kind="org")
    assert eng._translated(polish) == insurer.id
    assert eng._translated(NameSeen(name="Bank of England", kind="org")) is None
    assert eng._translated(NameSeen(name="Grupa Finansowa Dolores", kind="person")) is None
    assert Engine(model, p.settings.novelty, embed=None)._translated(polish) is None


def test_a_known_actor_in_a_phrase_is_no_new_name_an_alert_lists() -> None:
    """"Top Microsoft official says..." once Microsoft is an actor: the alert's "new
    names" leave the phrase out, as they leave out a known actor's other forms."""
    from monitor.config import NoveltySettings
    from monitor.novelty.engine import Engine
    from novelty.helpers import cast

    eng = Engine(cast(), NoveltySettings())
    assert eng._known_name("Top Microsoft") and eng._known_name("SVB")
    assert not eng._known_name("Jane Roe") and not eng._known_name("Harbor Trust")


def _at(i: str, feed: str, title: str, text: str, day: int, hour: int,
        minute: int = 0) -> Document:
    return Document(id=i, title=title, text=text, source=feed, url=f"https://{feed}/{i}",
                    published=datetime(2023, 3, day, hour, minute, tzinfo=UTC), language="en")


# Half an hour after Signature Bank's closure is alerted, an outlet tells it again without
# naming the bank, in words the development's reports did not use: its report opens a
# story that retells the development (a sink). Three outlets then headline a lawsuit
# against the FDIC; their reports join that story through the words it holds.
_SINK_AND_BURST = [
    _at("late-1", "e.example",
        "Regulators close New York's second failing lender, citing systemic risk",
        "New York regulators closed a second failing lender on Sunday, citing systemic "
        "risk, and named the FDIC receiver.", 12, 23, 30),
    _at("suit-1", "f.example", "Crypto firms file lawsuit against the FDIC over frozen deposits",
        "Crypto firms filed a lawsuit against the FDIC on Monday over deposits frozen at "
        "the second failing lender.", 13, 1),
    _at("suit-2", "g.example",
        "Crypto companies' lawsuit asks court to free deposits held by FDIC",
        "A lawsuit filed by crypto companies asks a court to order the FDIC to release "
        "deposits frozen at the second failing lender.", 13, 2),
    _at("suit-3", "h.example", "Depositors' lawsuit targets FDIC over frozen crypto accounts",
        "Depositors sued the FDIC, saying their crypto accounts at the second failing "
        "lender were frozen unlawfully.", 13, 3),
]


def test_a_burst_in_a_sink_is_judged_by_its_own_reports(  # type: ignore[no-untyped-def]
    store, analyzer, settings_factory, tmp_path
) -> None:
    """The lawsuit is confirmed as a burst (three outlets headline "lawsuit") in the story
    that the closure's late retelling opened. That retelling is a duplicate of the
    closure, alerted hours before; the lawsuit is not, and is alerted in its own words,
    its reports' (``novelty.telling_burst``). Judged by every report of the story, it was
    folded into the closure and never told. A stream of a few reports: every word counts
    as read from the first report (``mature_reports`` 0) and a word is common only in half
    of the headlines (``common_share``), as the hundreds of headlines of a real stream
    allow."""
    from monitor.store.sagas import SagaStore

    p = _pipeline(store, analyzer, settings_factory, tmp_path, mature_reports=0,
                  common_share=0.5)
    p.seed(load_documents([SVB_SEEDS]), saga=SAGA)
    closure = p.process(SIGNATURE[:2], saga=SAGA, clock=lambda d: d.published)
    assert len([a for a in closure if a.kind is AlertKind.NEW_DEVELOPMENT]) == 1
    alerts: list[Alert] = []
    for doc in _SINK_AND_BURST:
        alerts += p.process([doc], saga=SAGA, clock=lambda d: d.published)
    devs = [a for a in alerts if a.kind is AlertKind.NEW_DEVELOPMENT]
    assert len(devs) == 1
    assert "lawsuit" in devs[0].headline
    assert "lawsuit" in devs[0].explanation.reason  # what it says that was never said
    said = [c.kind for c in SagaStore(store).history(SAGA)]
    assert "story_folded" not in said
