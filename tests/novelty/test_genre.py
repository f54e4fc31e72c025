"""Talk about the news (op-eds, podcasts, briefings, question headlines) told apart from
news, by the signs of the trade: the site section, a genre label, a question."""

from __future__ import annotations

import pytest

from monitor.novelty.genre import described_speaker, genre, headed_by, republished, speaks


@pytest.mark.parametrize(
    ("title", "url"),
    [
        ("Checks and balances are for losers", "https://www.nytimes.com/2023/11/14/opinion/x.html"),
        ("The bank run, seen from London | Tim Smith",
         "https://www.theguardian.com/commentisfree/2023/nov/15/bank-run"),
        ("Has the Fed got the upper hand? – podcast",
         "https://www.theguardian.com/world/audio/2023/nov/15/fed-podcast"),
        ("Jacek Nizinkiewicz: Długie pożegnanie", "https://www.rp.pl/publicystyka/art39403211-x"),
        ("CNBC Daily Open: Banks got hammered", None),
        ("The Papers: Lineker 'to return' to TV and bank collapse", None),
        ("Analysis: the schism over the future of AI", None),
        ("What the rate rise means | Podcast", None),
        # newsletters that string the day's stories together
        ("The Bank Rescue, the Rate Decision: Weekend Reads", None),
        ("Two lawmakers expelled over a protest | First Thing", None),
        ("The Morning After: A streaming service wins six awards", None),
        # a newsletter named after its hour
        ("Tuesday Afternoon Update: Globex Settles With Acme, a Crypto Crash", None),
        ("The Hill's Morning Report — Senators see red over the bailout", None),
        ("Lenders rally and a drug recall: Morning Rundown", None),
        ("Markets steady after the rescue", "https://www.example.com/news/newsletters/2023-x"),
        ("Who is the new chief executive?", None),
        ("Kontratak inwestorów przywróci prezesa?", None),
        # headlines that explain instead of telling
        ("Five things to know about the bank takeover", None),
        ("Globex's potential takeover of Acme: What you need to know", None),
        ("What the failures of three lenders mean for the crypto sector", None),
        ("Why the board fired its chief executive", None),
        ("Here's what happens to deposits above the insured limit", None),
        ("Oto cztery wykresy, które pokazują skutki upadku banku", None),
        ("Pourquoi le conseil a limogé son patron", None),
        ("Breaking down the attacks on the prosecutor", None),
        ("A closer look at the lender's final weekend", None),
        ("Takeaways from the second-largest bank failure", None),
        ("Timeline: how the leak unfolded", None),
        ("Fact check: what the defendant said about the judge", None),
        ("The three big questions the jury must answer", None),
        ("Doe meets Roe at the summit: 6 takeaways", None),
        ("Key takeaways from the chief executive's hearing", None),
        # ... after a topic or a quote and a colon
        ("'The app should be banned': Key takeaways from the chief's hearing", None),
        ("Jane Doe arrested: what we know so far about the leak", None),
        ("Lender collapses: how the bank's last weekend unfolded", None),
        ("Bank rescue | Why the regulators stepped in", None),
        # headlines that weigh what may happen
        ("Bank collapse 'could force central banks to stop interest rate rises'", None),
        ("Regulator to say the rules might have become too loose", None),
        ("La faillite pourrait coûter 10 000 emplois", None),
        # a forecast is no development, whoever makes it
        ("Analyst who called the last crash predicts a rival lender will be next to fail", None),
        ("Economist predicts two more bank failures this year", None),
        ("Ekonomista przewiduje kolejne upadki banków", None),
        ("Investors fear the second bank to be next", None),
        # a clip shows someone saying what was told elsewhere
        ("Watch: Jane Doe discusses the bank's meltdown and the economy", None),
        ("WATCH LIVE: Jane Doe delivers remarks on the bank failures", None),
        ("Hear John Roe respond to the nicknames the defendant gave him", None),
        ("Video: Regulator calls the leak a 'deliberate criminal act'", None),
        ("The lender's chief speaks to staff after the rescue – video", None),
        ("Wideo: tak wyglądał szturm na szpital", None),
        ("Zobacz, jak klienci wypłacają pieniądze z banku", None),
        ("LIVE 9 AM ET: Live View Over the Harbor Border (Nov. 14)", None),
        ("Senate hearing on the bank failures: livestream", None),
        # a host's monologue or a column, headed by its author's name in capitals
        ("JANE DOE: The lender is just pure greed", "https://www.example.com/media/jane-doe"),
        ("JOHN Q. ROE: What the minister wrote in her parting shot", None),
    ],
)
def test_talk_about_the_news_is_recognised(title: str, url: str | None) -> None:
    g = genre(title, url)
    assert g.commentary and g.why


@pytest.mark.parametrize(
    ("title", "url"),
    [
        ("Regulators close New York's Signature Bank", "https://example.com/business/2023/x"),
        # a live page, a video report or a company's own blog often tells a development first
        ("HSBC announces rescue deal – business live",
         "https://www.theguardian.com/business/live/2023/mar/13/hsbc"),
        ("Board fires its chief executive", "https://example.com/blog/leadership-transition"),
        ("Chief executive joins rival after ouster", "https://www.nbcnews.com/video/ceo-198"),
        # the words inside a headline or a page's own slug are not its section
        ("Bank shares fall after a day-long sell-off", None),
        ("Credit Suisse: UBS finds deal to acquire troubled rival", None),
        ("Regulator's verdict: the bank's comment period ends", None),
        ("Opinion polls show a swing", "https://example.com/news/opinion-polls-swing"),
        ("Co dalej z bankiem? Jest deklaracja banku centralnego", None),
        ("Depositors couldn't reach the bank's site as it failed", None),
        ("Would-be buyer of the failed bank walks away", None),
        # what was done, or what will be done next, is news
        ("Next bank to fail is seized by regulators", None),
        ("Regulators will be in charge of the bridge bank next week", None),
        ("Jane Doe to be next chief executive of the bridge bank", None),  # an appointment
        ("Jane Doe will be the next president of the lender", None),
        ("Fund cuts its growth forecasts after the bank's failure", None),
        # words that only begin like a clip's
        ("Watchdog fines the lender over its risk controls", None),
        ("Hearing on the bank's failure set for Tuesday", None),
        ("Video game maker buys the failed bank's tech unit", None),
        ("Gunman livestreamed the attack on the bank's branch", None),
        ("Lawsuit: officer stopped a driver for a livestream and shared his ID", None),
        ("Watch out for fake refund offers after the bank's failure", None),
        ("Breakdown in talks leaves the lender without a buyer", None),
        ("Lookout: regulators seize a second bank", None),
        # a count is an explainer's only at its start or after a colon at its end
        ("Two banks fail: regulators seize both", None),
        # after a colon, a headline that tells is news
        ("Deal done: Globex buys Acme for $2bn", None),
        ("Whatever it takes: central bank pledges support for lenders", None),
        ("Regulators seize two banks as three things go wrong at once", None),
        ("Morning report shows the lender's deposits stabilised", None),
        # the newsroom's own labels in capitals head news, and so does a name in capitals
        # alone (an organisation) or a headline all in capitals
        ("FIRST ON FOX: Senator introduces a bill to cap deposits", None),
        ("BREAKING NEWS: Regulators seize the lender", None),
        ("UK LATEST: Chancellor backs the lender's rescue", None),
        ("GLOBEX: board fires its chief executive", None),
        ("REGULATORS SEIZE THE LENDER: DEPOSITS SAFE", None),
    ],
)
def test_news_is_news(title: str, url: str | None) -> None:
    assert not genre(title, url).commentary


def test_a_malformed_url_is_only_not_a_section() -> None:
    assert not genre("Bank closed", "http://[::1").commentary


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Pence: It's disingenuous for Biden to say taxpayers won't pay", "Pence"),
        ("Klucznik z PIE: Upadek banku nie zagraża polskim bankom", "Klucznik"),
        ("Loretta Mester Says Fed Must Do More to Tackle Inflation", "Loretta Mester"),
        ("Collapse may be start of 'slow rolling crisis', warns Larry Fink", "Larry Fink"),
        ("Fed's Susan Collins says she expects one more rate increase", "Susan Collins"),
        ("'Shark Tank's' Kevin O'Leary rips Biden over the bailout", "Kevin O'Leary"),
        ("Levin lambasts the president as bank failure becomes latest blemish", "Levin"),
        ("Biden Says Those Behind Bank 'Mess' Will Be Held Accountable", "Joe Biden"),
        # a hope is a statement: a party leader hoping for a buyer sells nothing
        ("Jane Roe hopes buyer comes through for the bank after no bailout", "Jane Roe"),
    ],
)
def test_a_speaker_in_the_headline_is_recognised(title: str, name: str) -> None:
    """A newcomer who only comments is a commentator, not an actor of the saga."""
    assert speaks(title, name)


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Tim Mayopoulos named chief executive of the bridge bank", "Tim Mayopoulos"),
        ("Greg Becker sold shares days before the collapse: report", "Greg Becker"),
        ("Brad Lightcap's memo says the firing was not over malfeasance", "Brad Lightcap"),
        ("HSBC to buy the bank's UK arm for £1", "HSBC"),
        ("Regulators say deposits are safe", "Jane Doe"),  # not in the headline at all
        ("Doe Holdings says profits rose", "Jo Doe"),  # a surname under four letters
        ("Mester named to lead the review", "Loretta Mester"),  # by surname, no statement
        ("Each semester says more about fees", "Loretta Mester"),  # a word holding it
        # what someone said about her: she is its subject, not its speaker
        ("New cabinet meets, as party chair says Jane Doe will not be minister for culture",
         "Jane Doe"),
    ],
)
def test_an_actor_in_the_headline_is_no_speaker(title: str, name: str) -> None:
    assert not speaks(title, name)


def test_an_aggregators_copy_is_no_source_of_its_own() -> None:
    hosts = ["msn.com", "news.yahoo.com"]
    assert republished("http://www.msn.com/rss/news.aspx", hosts)
    assert republished("https://news.yahoo.com/rss/", hosts)
    assert not republished("https://www.yahoo.com/finance/rss", hosts)  # not the host listed
    assert not republished("https://www.reuters.com/rss", hosts)
    assert not republished("https://www.msn.com/rss", [])  # the setting can empty the list


@pytest.mark.parametrize(
    ("title", "speaker"),
    [
        ("Wall Street expert predicts that the lender is next to fold", "wall street expert"),
        ("'Look In The Mirror': Former Hardee's CEO Blasts Biden", "former hardee's ceo"),
        ("GOP presidential candidates react to the bank's collapse", "gop presidential candidates"),
        ("Bank CEO should return stock-sale gains, lawmaker says", "lawmaker"),
        ("Ekspert ostrzega: to dopiero początek", "ekspert"),
        ("Szef KNF: upadek banku to sygnał ostrzegawczy", "szef knf"),  # "Role Org: quote"
        ("Central bank governor: rates must still rise", "central bank governor"),
        ("Upadek banku. Ekspertka: Nie widzimy bezposredniego wplywu", "ekspertka"),
        ("Harbor minister doubts the army can take the hospital", "harbor minister"),
        ("Party candidates respond to the indictment", "party candidates"),
    ],
)
def test_a_statement_by_a_described_speaker_is_found(title: str, speaker: str) -> None:
    """Someone the headline describes instead of naming comments on the news."""
    assert described_speaker(title) == speaker


@pytest.mark.parametrize(
    "title",
    ["The lender says it will borrow $54bn from the central bank",  # an organisation acts
     "Banks are safe, Yellen says",  # named: ``speaks`` and the known actors decide
     "Regulators close the bank, citing systemic risk",
     "Bank shares crash as investors flee",
     "Acme Bank: Globex announces rescue deal for its UK arm",  # a topic, then the news
     "UK Latest: Minister names a new foreign secretary",
     "Judge dismisses the lawsuit against the bank's parent"],  # an act, not a reaction
)
def test_news_is_no_described_statement(title: str) -> None:
    assert described_speaker(title) is None


def test_a_headline_telling_talks_or_a_plan_is_tentative() -> None:
    """Talks, a plan or an offer, in the saga's languages; the thing done is not."""
    from monitor.novelty.genre import tentative

    for title in ("UBS in talks to take over Credit Suisse",
                  "Acme planning 2nd launch attempt of its rocket Thursday",
                  "Parent company of the bank explores bankruptcy",
                  "Rival weighs bid for the failed lender",
                  "UBS rozmawia o przejęciu Credit Suisse",
                  "Le groupe négocie le rachat de la filiale",
                  "Rząd rozważa nacjonalizację banku"):
        assert tentative(title), title
    for title in ("UBS agrees to buy Credit Suisse",
                  "Bank's parent files for Chapter 11 bankruptcy",
                  "Bank UBS przejmie Credit Suisse",
                  "Talks collapse as the board names a new chief"):
        assert not tentative(title), title


def test_a_who_is_headline_names_the_person_it_explains() -> None:
    from monitor.novelty.genre import explained

    assert explained("Who is Jane Roe, Globex's new chief executive?") == "Jane Roe"
    assert explained("Who Is Jane Roe? What to know about the new CEO") == "Jane Roe"
    assert explained("Who is Globex's lawyer Jan Nowak?") == "Globex's lawyer Jan Nowak"
    assert explained("Kim jest Jan Nowak? Nowy prezes banku") == "Jan Nowak"
    assert explained("Qui est Jeanne Roux, la nouvelle patronne de Globex ?") == "Jeanne Roux"
    assert explained("Jane Roe is Globex's new chief executive") is None
    assert explained("Who are the key players in the Globex case?") is None


@pytest.mark.parametrize(
    ("title", "heads"),
    [
        ("Biden outlines consequences for failed banks' executives", True),
        ("President Biden signs the bank bill", True),
        ("'Banking system is safe': Joe Biden reassures markets", True),
        ("Former VP Pence reacts to the indictment", True),
        ("Trump slams Biden over the bank's collapse", False),  # Trump's headline
        ("Bidenomics is failing, critics say", False),  # a word holding the name
        ("Markets fall as Biden speaks", False),
        ("New Bidenomics plan unveiled", False),
    ],
)
def test_a_headline_opening_on_a_name_is_headed_by_it(title: str, heads: bool) -> None:
    assert headed_by(title, ["Joe Biden", "Biden", "Mike Pence", "Pence"]) is heads


def test_a_name_ending_in_a_title_heads_no_headline() -> None:
    """A name the NER cut short of its holder ("Florida Gov" of "Florida Gov. Jane Doe")
    is a title: the headline is Jane Doe's."""
    assert not headed_by("Florida Gov. Jane Doe signs the bill", ["Florida Gov"])
    assert headed_by("Gov. Jane Doe signs the bill", ["Jane Doe", "Florida Gov"])


def test_a_name_opening_on_a_word_that_may_precede_names_heads_its_headline() -> None:
    """"New" or "US" may come before a name, or begin it."""
    assert headed_by("New York Community Bank buys the failed lender",
                     ["New York Community Bank"])
    assert headed_by("US Bancorp raises its deposit guarantee", ["US Bancorp"])


def test_a_decision_still_to_come_is_pending_a_decision_made_is_not() -> None:
    """An announced ruling or vote is a plan of sorts: the ruling, the vote is its next
    stage (``stories.moved_on``). A plan (``tentative``) is pending too."""
    from monitor.novelty.genre import pending

    for title in ("Court to rule on the pension reform amid protests",
                  "Board set to vote on the merger", "Regulator expected to decide today",
                  "Trybunał ma orzec w sprawie reformy", "UBS in talks to take over the bank",
                  "Acme prepares to join the index", "Council readies a vote on the budget",
                  "Jane Doe gearing up for her court appearance"):
        assert pending(title), title
    for title in ("Court approves the pension reform", "Board votes to approve the merger",
                  "Court rules the plan unlawful", "Trybunał orzekł: reforma zgodna"):
        assert not pending(title), title


@pytest.mark.parametrize(
    "title",
    [
        "Former VP Pence reacts to Trump's post that he expects to be arrested",
        "Trumpworld slaps back at DeSantis over the indictment",
        "Biden has 'no comment' on the indictment",
        "'A political persecution': Senator Jane Poe fires back at the prosecutor",
        "Schumer, McConnell 'strongly condemn' the reporter's detention",
        "Party hopefuls rally behind the former president",
        "Furious fans rage at the prosecutor for the upcoming arrest",
        "Trump allies and rivals rally to his defence",  # his camp, not he
        "China congratulates the vote winner despite the jab",
        "Premier Kowalski reaguje na decyzję sądu",
        "Poseł Jan Nowak wytyka błędy partii",
        "Radio host Joe Roe rants 'lock him up' as the grand jury meets",
        # an outsider's doubt is an opinion of the news, not an act in it
        "Neighbour state doubts the army can win as the war rages",
    ],
)
def test_an_outsider_reacting_to_the_news_is_a_reaction(title: str) -> None:
    from monitor.novelty.genre import reaction

    assert reaction(title, ["Donald Trump", "Trump", "Alvin Bragg", "Bragg"])


@pytest.mark.parametrize(
    "title",
    [
        "Trump responds to the grand jury's subpoena",  # one of the saga's parties
        "Bragg's office responds to the House Republicans' demand",  # his side
        "Former President Trump vows to fight the charges",
        "The rescue deal is welcomed by investors",  # the one reacted to heads it
        "Regulators close New York's Signature Bank",
        "Vows renewed as the trial opens",  # no one before the verb
        "Gaza war rages near the hospital",  # an act of war, not a reaction
        "Militia strikes back at the border posts",
    ],
)
def test_an_act_or_a_partys_own_response_is_no_reaction(title: str) -> None:
    from monitor.novelty.genre import reaction

    assert not reaction(title, ["Donald Trump", "Trump", "Alvin Bragg", "Bragg"])


def test_a_headline_reporting_a_poll_is_told_apart() -> None:
    from monitor.novelty.genre import polled

    for title in ("Poll: most voters say the indictment is political",
                  "New survey finds trust in banks has fallen",
                  "Sondaż. Misja tworzenia rządu. Polacy: prezydent wybrał dobrze",
                  "Prezydent kierował się dobrem partii [SONDAŻ]",
                  "Polls show the president's lead narrowing"):
        assert polled(title), title
    for title in ("Polling stations close as the count begins",
                  "Regulators survey the damage after the bank's failure",
                  "Court to rule on the pension reform"):
        assert not polled(title), title


@pytest.mark.parametrize(
    ("title", "forms", "former"),
    [
        ("Client Adds Ex-Harbor Lawyer Jane Roe to His Defense Team", ["Tom Harbor", "Harbor"],
         True),
        ("Former Globex Daily publisher testifies before the grand jury", ["Globex Daily"], True),
        ("Ex-Globex CEO sues Globex over his severance", ["Globex"], False),  # Globex is sued
        ("Tom Harbor indicted again", ["Tom Harbor", "Harbor"], False),
        ("Former Globex", ["Globex"], False),  # nobody after it: the headline is about Globex
    ],
)
def test_a_name_given_only_as_a_past_affiliation_is_told_apart(
    title: str, forms: list[str], former: bool
) -> None:
    from monitor.novelty.genre import formerly

    assert formerly(title, forms) is former


def test_a_headline_opening_on_a_country_that_acts_names_that_country() -> None:
    from monitor.novelty.genre import heading_country

    assert heading_country("UK bans the app from government phones") == "UK"
    assert heading_country("New Zealand Bans the App From Government Devices") == "New Zealand"
    assert heading_country("Turkey's parliament ratifies the accession") == "Turkey"
    assert heading_country("'Not a bailout': Norway guarantees the deposits") == "Norway"
    # a country's person or company acts, not the country; a demonym is no country
    assert heading_country("Spain's Jan Nowak wins a new term") is None
    assert heading_country("Israeli PM and Jane Roe exchange frosty words") is None
    assert heading_country("Regulators in Norway close the bank") is None  # not its subject


def test_a_headline_opening_on_a_federation_state_that_acts_names_that_state() -> None:
    """A state's government acts as a country's does ("Montana lawmakers approve...");
    its name also heads other names ("Washington Post", "Victoria Beckham"), so only a
    verb in lower case or an institution may follow it."""
    from monitor.novelty.genre import heading_country

    assert heading_country("Montana Lawmakers Approve a Statewide Ban") == "Montana"
    assert heading_country("Texas sues the platform over its data") == "Texas"
    assert heading_country("New South Wales bans the app") == "New South Wales"
    assert heading_country("Washington Post reports the leak") is None
    assert heading_country("Victoria Beckham Says She Left the Platform") is None
    assert heading_country("Texas Sues the Platform") is None  # Title Case: maybe a name
