"""Generated article text in which every planted value has textual evidence.

:func:`compose_article` turns an article's true codes (:class:`.true_codes.ArticleTruth`) into
a title and a text of paragraphs. Every non-null value is expressed by an *evidence
sentence* drawn from a small phrase library (several paraphrases per value, with the cue
words a coder - or a model - would rely on: "illegitimate", "sovereign right", "bears
responsibility for", "should be pursued" ...). Evidence sentences for the framing schema's
span labels become the article's true spans, each covering exactly one sentence, with its
span attributes:

- legitimacy variables (L1-L3) -> a LEGITIMACY span per evaluation: object from the
  variable, polarity from the sign; balanced (0) gives one span of each polarity; implicit
  values (+-1) use sentences without evaluative vocabulary; in addition, a relevant article
  evaluates Russia's use of force or Western support with probability
  :data:`EXTRA_LEGITIMACY_RATE` each;
- ``promise_status`` -> a PROMISE span (AUTHORIAL when asserted or refuted, ATTRIBUTED when
  contested);
- each actor in ``blame_actors`` -> a BLAME span with that target and a ``blame_outcome``
  drawn from the outlet's propensities; ``blame_primary`` -> a sentence naming the main
  culprit (or saying blame is shared);
- ``guarantee_favoured`` -> a GUARANTEE span (ADVOCATED, or DESCRIBED for none advocated);
  ``guarantee_credibility`` -> a GUARANTEE span on Western commitments (or the Budapest
  precedent for "not credible");
- ``voice``: drawn per span from the outlet's propensities; an attributed span quotes a
  source ("..., a senior diplomat said.").

Neutral filler sentences (numbers, places, procedure) surround the evidence; now and then a
filler carries an emoji, a character JavaScript counts as two, so that the offsets' reading
(:mod:`framestudy.annotations.spans`) is exercised. Variables the library does not know (another schema) get a
plain sentence naming the chosen value's label.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from framestudy.simulation.true_codes import ArticleTruth, Item

EXTRA_LEGITIMACY_RATE = 0.2
EMOJI_RATE = 0.1

CITIES = (
    "Brussels", "Vilnius", "Warsaw", "Kyiv", "Helsinki", "Geneva", "Istanbul", "Berlin",
    "Paris", "Washington", "Moscow", "Riga", "Tallinn", "Bucharest", "Madrid", "Vienna",
    "Prague", "Bratislava", "Chișinău", "Tbilisi", "Reykjavík", "Kraków",
)
COUNTRIES = ("Poland", "Finland", "Germany", "France", "Romania", "Estonia", "Austria", "Hungary")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SOURCES = (
    "a senior Western diplomat", "the Kremlin's spokesman", "a former NATO official",
    "analysts at a Berlin think tank", "a Ukrainian lawmaker", "a retired general",
    "a professor of international relations", "officials in Kyiv", "a Russian commentator",
)
FIRST = ("Anna", "Marek", "Olena", "David", "Sofia", "Jonas", "Irina", "Pierre", "Laura", "Tomasz")
LAST = ("Kowalski", "Shevchenko", "Müller", "Novak", "Petrenko", "Lindqvist", "Dubois", "Ivanova")

TOPICS = (
    "NATO enlargement", "security guarantees for Ukraine", "Ukraine's path to the alliance",
    "the future of European security", "the alliance's open-door policy",
)
OFF_TOPICS = (
    ("energy prices", "Gas prices rose by {pct} per cent in {month}, the statistics office said."),
    ("the football season", "The club finished the season {n} points clear of its nearest rival."),
    ("the heatwave", "Temperatures in {city} reached {heat} degrees on {weekday}."),
    ("the film festival", "The festival in {city} screened {count} films over ten days."),
    ("rail strikes", "About {count} trains were cancelled across the country on {weekday}."),
)

FILLERS = (
    "The talks in {city} lasted {hours} hours and ended without a joint statement.",
    "Ministers are due to meet again in {month}.",
    "The final communiqué runs to {n} paragraphs.",
    "Delegations from {n} countries attended the meeting in {city}.",
    "The full text of the proposal has not been published.",
    "A spokesperson declined to comment on the timing of the next round.",
    "Journalists were briefed on {weekday} evening in {city}.",
    "Polls in {country} show {pct} per cent of respondents following the debate closely.",
    "The session was broadcast live and ran until late in the evening.",
    "The figures were compiled from official statements published in {month}.",
    "A second meeting, in {city}, is planned for {month}.",
    "The foreign ministers of {country} and its neighbours spoke by phone on {weekday}.",
)
EMOJI_FILLERS = (
    "On social media, the defence ministry answered with a single emoji, 🛡️, and no text.",
    "Supporters outside the venue waved flags and posted 🇺🇦 and 🇪🇺 by the thousand.",
    "One delegate's post, a handshake emoji 🤝 and the word “maybe”, was shared {count} times.",
)

LEGIT_OBJECTS = {
    "legit_nato_enlargement": "NATO_ENLARGEMENT",
    "legit_ukraine_choice": "UKRAINE_CHOICE",
    "legit_russia_claims": "RUSSIA_CLAIMS",
}
LEGIT_SENTENCES: dict[str, dict[str, tuple[str, ...]]] = {
    "NATO_ENLARGEMENT": {
        "-2": (
            "NATO's relentless expansion towards Russia's borders was an illegitimate and reckless betrayal of the post-Cold War settlement.",
            "The alliance's eastward enlargement was unlawful in spirit and morally indefensible.",
        ),
        "-1": (
            "Residents near the new NATO base in {city} spoke only of noise, rising rents and the fear of being drawn into someone else's confrontation.",
            "Moscow's grievances about the alliance's newest eastern members were listed one by one, with no reply from Brussels.",
        ),
        "0+": ("Supporters call the open-door policy the sovereign choice of free nations.",),
        "0-": ("Critics call the same policy a provocation that should never have happened.",),
        "+1": (
            "In the Baltic states, officials describe how membership brought investment, stability and a sense of safety.",
            "Two decades after joining, {country} counts its membership among the best decisions it ever made.",
        ),
        "+2": (
            "NATO's enlargement has been entirely legitimate: every new member joined by its own sovereign and democratic decision.",
            "The open-door policy is lawful and just, and the alliance was right to welcome new members.",
        ),
    },
    "UKRAINE_CHOICE": {
        "-2": (
            "Kyiv has no right to seek membership of a military bloc on Russia's border; its bid is illegitimate.",
            "Ukraine's pursuit of NATO membership was an unlawful breach of the neutrality it once promised.",
        ),
        "-1": (
            "Each step of Kyiv's bid for membership brought new warnings from its neighbours and new costs for its own citizens.",
            "Farmers near the border said the talk of alliances had brought them nothing but uncertainty.",
        ),
        "0+": ("Kyiv's supporters say Ukraine, like any sovereign state, may choose its alliances.",),
        "0-": ("Opponents reply that a bid for membership was never Kyiv's choice alone to make.",),
        "+1": (
            "Ukrainians queued for hours to vote, and polls show a clear majority backing the country's chosen course.",
            "Volunteers in {city} collected signatures for months in support of the country's westward course.",
        ),
        "+2": (
            "Like any signatory of the Helsinki Final Act, Ukraine has the sovereign and lawful right to choose its own alliances.",
            "Ukraine's decision to seek membership is its legitimate right as an independent nation.",
        ),
    },
    "RUSSIA_CLAIMS": {
        "-2": (
            "Moscow's claim to a sphere of influence over its neighbours is an illegitimate relic of imperial thinking.",
            "The Kremlin's so-called red lines are unlawful demands that no sovereign neighbour should accept.",
        ),
        "-1": (
            "Diplomats from the countries named in the Kremlin's December 2021 demands described them one after another as a threat to their independence.",
            "The demands were read out in {city} to a silent room of officials from the states they would affect.",
        ),
        "0+": ("Some analysts argue that Russia's security concerns deserve to be heard.",),
        "0-": ("Others answer that no state may dictate the alignment of its neighbours.",),
        "+1": (
            "Russian officials recalled that they had raised their security concerns at every summit since 2008 and received no answer.",
            "Moscow's envoy listed the treaties it had proposed since 2008, none of which was ever discussed.",
        ),
        "+2": (
            "Moscow's legitimate security interests were ignored for thirty years.",
            "Russia's demand for guarantees on its western border is justified and reasonable.",
        ),
    },
}
EXTRA_LEGIT = {
    "RUSSIA_MILITARY_ACTION": {
        "DELEGITIMIZING": "Russia's invasion of Ukraine was a flagrant violation of international law.",
        "LEGITIMIZING": "Russian officials insist the military operation was a lawful act of self-defence.",
    },
    "WESTERN_SUPPORT": {
        "LEGITIMIZING": "Arms deliveries to Kyiv are a legitimate response to an unprovoked attack.",
        "DELEGITIMIZING": "Western weapons deliveries are an unjustified gamble that only prolongs the war.",
    },
}

PROMISE_SENTENCES = {
    "ASSERTED_AS_FACT": (
        "In 1990 the West promised Moscow that NATO would not move one inch eastward, and it broke that promise.",
        "Western leaders gave their word that the alliance would not expand to the east, and they broke it.",
    ),
    "CONTESTED": (
        "Moscow says Western leaders promised in 1990 not to enlarge NATO eastward; Western officials dispute that any such commitment was made.",
        "Whether a promise of non-enlargement was ever given remains disputed, with Russian and Western accounts flatly contradicting each other.",
    ),
    "REFUTED": (
        "The story of a Western promise not to enlarge NATO is a myth: no such commitment was ever signed.",
        "No binding pledge against enlargement was ever made; the claim of a broken promise rests on a misreading of 1990 conversations.",
    ),
}
PROMISE_VOICE = {"ASSERTED_AS_FACT": "AUTHORIAL", "CONTESTED": "ATTRIBUTED", "REFUTED": "AUTHORIAL"}

ACTOR_PHRASES = {
    "RUSSIA": ("the Kremlin", "Moscow", "Russia's leadership"),
    "NATO": ("NATO", "the alliance's eastward push", "the North Atlantic alliance"),
    "US": ("Washington", "the United States", "successive US administrations"),
    "UKRAINE": ("Kyiv", "Ukraine's government", "the authorities in Kyiv"),
    "EU_WEST": ("European capitals", "the West", "the European Union"),
}
BLAME_VERBS = ("bears responsibility for", "is to blame for", "paved the way for", "must answer for")
OUTCOME_PHRASES = {
    "WAR_OR_ESCALATION": ("the war", "the escalation of the conflict"),
    "BROKEN_PROMISE": ("the broken promise of 1990", "breaking the pledge given to Moscow"),
    "INSECURITY": ("a new arms race in Europe", "a less secure continent"),
    "FAILED_DIPLOMACY": ("the collapse of the Istanbul talks", "the failure of the Minsk agreements"),
    "HARM": ("the suffering of civilians", "the economic damage now felt across the region"),
    "OTHER": ("the present crisis", "the mess the region is in"),
}

ARRANGEMENT_PHRASES = {
    "NATO_MEMBERSHIP": "full NATO membership for Ukraine, with Article 5 protection",
    "WESTERN_COMMITMENTS": "binding bilateral guarantees from Western states, short of membership",
    "NEUTRALITY": "a permanently neutral Ukraine on the Austrian model",
    "EU_PATH": "EU membership and the union's mutual-assistance clause",
    "ARMED_DETERRENCE": "an army strong enough to deter any attack on its own, a 'porcupine' Ukraine",
    "GUARANTEES_FOR_RUSSIA": "a legally binding pledge that NATO will enlarge no further",
}
ADVOCACY = (
    "{X} is the only arrangement that would keep the peace, and it should be pursued without delay.",
    "The answer is {x}: nothing else would make Ukraine secure, and Western governments should commit to it now.",
)
DESCRIPTION = (
    "Officials in Kyiv presented a plan built on {x}.",
    "Among the options discussed in {city} was {x}.",
)
CREDIBILITY = {
    "-1": ("Paper guarantees from Western capitals would be worth what the Budapest Memorandum of 1994 was worth.",
           "Ukraine already received assurances in Budapest in 1994, and they did not protect it."),
    "0": ("Whether Western commitments would hold in a crisis remains an open question.",
          "Western security commitments were described in detail, without a verdict on whether they would hold."),
    "+1": ("Western security commitments are credible: the guarantor states have shown they will stand by their word.",
           "The guarantees on offer are solid, backed by troops, treaties and money."),
}
CREDIBILITY_SPAN = {
    "-1": ("BUDAPEST_PRECEDENT", "REJECTED"),
    "0": ("WESTERN_COMMITMENTS", "DESCRIBED"),
    "+1": ("WESTERN_COMMITMENTS", "ADVOCATED"),
}

GENRE_LEADS = {
    "REPORTING": (
        "{CITY} — Officials from {n} countries met on {weekday} to discuss {topic}, according to people familiar with the talks.",
        "{CITY} — Ministers gathered on {weekday} for a meeting on {topic}, officials said.",
    ),
    "OPINION": (
        "I have followed the debate on {topic} for many years, and I am convinced it is being framed the wrong way.",
        "In my view, the debate on {topic} has lost sight of what matters.",
    ),
    "ANALYSIS": (
        "To understand why {topic} keeps returning to the agenda, it helps to look at three factors.",
        "What explains the renewed argument over {topic}? The background matters more than the headlines.",
    ),
}
TITLES = {
    "REPORTING": "Ministers meet in {city} as {topic} returns to the agenda",
    "OPINION": "Opinion: {topic} deserves a different debate",
    "ANALYSIS": "Analysis: what is really at stake in {topic}",
}
RELEVANCE_LEAD = "The question of {topic} was at the centre of the discussion."
PASSING_MENTION = "Representatives of the EU, the G7 and NATO member states were among the guests."


@dataclass
class TrueSpan:
    """A span a perfect coder would mark: one sentence, its label and attributes."""

    label: str
    start: int  # Python character offsets, end exclusive
    end: int
    attributes: dict[str, str | tuple[str, ...]] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "label": self.label,
            "start": self.start,
            "end": self.end,
            "attributes": {k: list(v) if isinstance(v, tuple) else v for k, v in self.attributes.items()},
        }


@dataclass
class _Sentence:
    text: str
    label: str | None = None
    attributes: dict[str, str | tuple[str, ...]] = field(default_factory=dict)


@dataclass
class SyntheticArticle:
    title: str
    text: str
    spans: list[TrueSpan]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Writer:
    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.city = self.pick(CITIES)

    def pick(self, options):
        return options[int(self.rng.integers(len(options)))]

    def fill(self, template: str, **extra) -> str:
        slots = {
            "city": self.pick(CITIES),
            "CITY": self.city.upper(),
            "country": self.pick(COUNTRIES),
            "month": self.pick(MONTHS),
            "weekday": self.pick(WEEKDAYS),
            "n": int(self.rng.integers(2, 40)),
            "pct": int(self.rng.integers(8, 92)),
            "heat": int(self.rng.integers(31, 44)),
            "hours": int(self.rng.integers(2, 14)),
            "count": int(self.rng.integers(120, 9000)),
        }
        slots.update(extra)
        return template.format(**slots)


def compose_article(
    truth: ArticleTruth,
    items: dict[str, Item],
    schema,
    voice_dist: dict[str, float] | None,
    outcome_dist: dict[str, float] | None,
    rng: np.random.Generator,
) -> SyntheticArticle:
    """Title, text and true spans of one article (see the module doc).

    The random draws happen in a fixed order (opening, evidence variable by variable,
    fillers, layout), so the same generator state gives the same article.
    """
    w = _Writer(rng)
    title, lead, filler_pool = _opening(w, truth)
    evidence = _Evidence(w, schema, voice_dist, outcome_dist)
    groups = evidence.groups(truth, items)
    text, spans = _layout(lead, groups, filler_pool, w)
    return SyntheticArticle(title=title, text=text, spans=spans)


def _opening(w: _Writer, truth: ArticleTruth) -> tuple[str, list[str], tuple[str, ...]]:
    """The title, the lead sentences and the filler pool, by genre and relevance."""
    genre = truth.values.get("genre")
    genre = genre if genre in GENRE_LEADS else w.pick(tuple(GENRE_LEADS))
    if truth.relevant:
        topic = w.pick(TOPICS)
        lead = [w.fill(w.pick(GENRE_LEADS[genre]), topic=topic), w.fill(RELEVANCE_LEAD, topic=topic)]
        filler_pool = FILLERS
    else:
        topic, fact = w.pick(OFF_TOPICS)
        lead = [w.fill(w.pick(GENRE_LEADS[genre]), topic=topic), w.fill(fact)]
        filler_pool = (*FILLERS[1:3], PASSING_MENTION, *(f for _, f in OFF_TOPICS))
    title = _cap(w.fill(TITLES[genre], topic=topic))
    return title, lead, filler_pool


class _Evidence:
    """The evidence sentences of one article, in groups kept together in the text."""

    def __init__(self, w: _Writer, schema, voice_dist: dict[str, float] | None,
                 outcome_dist: dict[str, float] | None):
        self.w = w
        self.rng = w.rng
        self.schema = schema
        self.labels = {label.id for label in schema.spans.labels} if schema.spans else set()
        self.attr_ids = {a.id for a in schema.attributes}
        self.voice_dist = voice_dist
        self.outcome_dist = outcome_dist

    def groups(self, truth: ArticleTruth, items: dict[str, Item]) -> list[list[_Sentence]]:
        """Every planted value's evidence; ``handled`` collects the variables written so far."""
        values = truth.values
        handled = {"relevant", "genre"}
        out = self.legitimacy(values, truth.relevant, handled)
        out += self.promise(values, handled)
        out += self.blame(values, handled)
        out += self.guarantees(values, truth.relevant, handled)
        out += self.other_schema(values, items, handled)
        return out

    def voice(self) -> str | None:
        if "voice" not in self.attr_ids:
            return None
        if not self.voice_dist:
            return "AUTHORIAL"
        return _draw_key(self.voice_dist, self.rng)

    def span_sentence(self, text: str, label: str, attrs: dict, fixed_voice: str | None = None) -> _Sentence:
        if label not in self.labels:
            return _Sentence(_cap(text))
        attrs = {k: v for k, v in attrs.items() if k in self.attr_ids}
        v = fixed_voice or self.voice()
        if v is not None:
            attrs["voice"] = v
            if v == "ATTRIBUTED" and fixed_voice is None:
                source = self.w.pick(SOURCES)
                text = f"“{_cap(text).rstrip('.')},” {source} said."
        return _Sentence(_cap(text), label, attrs)

    def _legitimacy(self, text: str, obj: str, polarity: str) -> _Sentence:
        return self.span_sentence(text, "LEGITIMACY", {"legitimacy_object": obj, "legitimacy_polarity": polarity})

    def legitimacy(self, values: dict, relevant: bool, handled: set[str]) -> list[list[_Sentence]]:
        w, out = self.w, []
        for var, obj in LEGIT_OBJECTS.items():
            if var not in values:
                continue
            handled.add(var)
            value = values[var]
            if value in ("+2", "+1", "-1", "-2"):
                polarity = "LEGITIMIZING" if value.startswith("+") else "DELEGITIMIZING"
                out.append([self._legitimacy(w.fill(w.pick(LEGIT_SENTENCES[obj][value])), obj, polarity)])
            elif value == "0":
                out.append([
                    self._legitimacy(w.fill(LEGIT_SENTENCES[obj]["0+"][0]), obj, "LEGITIMIZING"),
                    self._legitimacy(w.fill(LEGIT_SENTENCES[obj]["0-"][0]), obj, "DELEGITIMIZING"),
                ])
        if relevant and "LEGITIMACY" in self.labels:
            for obj, by_polarity in EXTRA_LEGIT.items():
                if self.rng.random() < EXTRA_LEGITIMACY_RATE:
                    polarity = w.pick(tuple(by_polarity))
                    out.append([self._legitimacy(by_polarity[polarity], obj, polarity)])
        return out

    def promise(self, values: dict, handled: set[str]) -> list[list[_Sentence]]:
        if "promise_status" not in values:
            return []
        handled.add("promise_status")
        status = values["promise_status"]
        if status not in PROMISE_SENTENCES:
            return []
        return [[self.span_sentence(self.w.pick(PROMISE_SENTENCES[status]), "PROMISE", {},
                                    fixed_voice=PROMISE_VOICE[status])]]

    def blame(self, values: dict, handled: set[str]) -> list[list[_Sentence]]:
        if "blame_actors" not in values:
            return []
        w = self.w
        handled.update({"blame_actors", "blame_primary"})
        actors = [a for a in values["blame_actors"] if a in ACTOR_PHRASES]
        group = []
        for actor in actors:
            outcome = _draw_key(self.outcome_dist, self.rng) if self.outcome_dist else "WAR_OR_ESCALATION"
            outcome = outcome if outcome in OUTCOME_PHRASES else "OTHER"
            text = f"{w.pick(ACTOR_PHRASES[actor])} {w.pick(BLAME_VERBS)} {w.pick(OUTCOME_PHRASES[outcome])}."
            group.append(self.span_sentence(text, "BLAME", {"blame_target": (actor,), "blame_outcome": outcome}))
        primary = values.get("blame_primary")
        if primary in ACTOR_PHRASES:
            group.append(_Sentence(f"Above all, it is {ACTOR_PHRASES[primary][0]} that bears the main responsibility."))
        elif primary == "SHARED" and len(actors) >= 2:
            a, b = actors[0], actors[1]
            group.append(_Sentence(
                f"Responsibility, in this account, is shared about equally between {ACTOR_PHRASES[a][0]} and {ACTOR_PHRASES[b][0]}."
            ))
        return [group] if group else []

    def _guarantee(self, text: str, arrangement: str, stance: str) -> list[_Sentence]:
        return [self.span_sentence(text, "GUARANTEE",
                                   {"guarantee_arrangement": arrangement, "guarantee_stance": stance})]

    def guarantees(self, values: dict, relevant: bool, handled: set[str]) -> list[list[_Sentence]]:
        w, out = self.w, []
        if "guarantee_favoured" in values:
            handled.add("guarantee_favoured")
            fav = values["guarantee_favoured"]
            if fav in ARRANGEMENT_PHRASES:
                x = ARRANGEMENT_PHRASES[fav]
                out.append(self._guarantee(w.fill(w.pick(ADVOCACY), X=_cap(x), x=x), fav, "ADVOCATED"))
            elif relevant:
                arrangement = w.pick(tuple(ARRANGEMENT_PHRASES))
                text = w.fill(w.pick(DESCRIPTION), x=ARRANGEMENT_PHRASES[arrangement])
                out.append(self._guarantee(text, arrangement, "DESCRIBED"))
        if "guarantee_credibility" in values:
            handled.add("guarantee_credibility")
            cred = values["guarantee_credibility"]
            if cred in CREDIBILITY:
                arrangement, stance = CREDIBILITY_SPAN[cred]
                out.append(self._guarantee(w.pick(CREDIBILITY[cred]), arrangement, stance))
        return out

    def other_schema(self, values: dict, items: dict[str, Item], handled: set[str]) -> list[list[_Sentence]]:
        """Variables of another schema: a plain sentence naming the chosen values' labels."""
        schema, out = self.schema, []
        for var, value in values.items():
            if var in handled or var not in items:
                continue
            chosen = value if isinstance(value, tuple) else (value,)
            chosen = [v for v in chosen if v and v not in items[var].missing and v != items[var].null]
            if not chosen:
                continue
            item = next((x for x in [*schema.variables, *schema.attributes] if x.id == var), None)
            label_of = {v.id: v.display for v in schema.values(item)} if item is not None else {}
            names = ", ".join(label_of.get(v, v) for v in chosen)
            question = item.question.rstrip("?") if item is not None else var
            out.append([_Sentence(f"On the question “{question}”, the answer here is: {names}.")])
        return out


def _layout(
    lead: list[str], evidence: list[list[_Sentence]], filler_pool: tuple[str, ...], w: _Writer
) -> tuple[str, list[TrueSpan]]:
    """Fillers around the evidence in random order, in paragraphs of 2-4 sentences: the text
    and the true spans (Python offsets) of its evidence sentences."""
    rng = w.rng
    n_fill = int(rng.integers(3, 7))
    fillers = [[_Sentence(w.fill(w.pick(filler_pool)))] for _ in range(n_fill)]
    if rng.random() < EMOJI_RATE:
        fillers.append([_Sentence(w.fill(w.pick(EMOJI_FILLERS)))])
    body = evidence + fillers
    order = rng.permutation(len(body))
    sentences: list[_Sentence] = [_Sentence(s) for s in lead]
    for i in order:
        sentences.extend(body[int(i)])
    paragraphs: list[list[_Sentence]] = []
    i = 0
    while i < len(sentences):
        size = int(rng.integers(2, 5))
        paragraphs.append(sentences[i:i + size])
        i += size
    return _join(paragraphs)


def _join(paragraphs: list[list[_Sentence]]) -> tuple[str, list[TrueSpan]]:
    """Sentences joined by a space, paragraphs by a blank line; a span per labelled sentence."""
    text_parts: list[str] = []
    spans: list[TrueSpan] = []
    pos = 0
    for p_index, paragraph in enumerate(paragraphs):
        if p_index:
            text_parts.append("\n\n")
            pos += 2
        for s_index, sentence in enumerate(paragraph):
            if s_index:
                text_parts.append(" ")
                pos += 1
            if sentence.label is not None:
                spans.append(TrueSpan(sentence.label, pos, pos + len(sentence.text), dict(sentence.attributes)))
            text_parts.append(sentence.text)
            pos += len(sentence.text)
    return "".join(text_parts), spans


def _draw_key(dist: dict[str, float], rng: np.random.Generator) -> str:
    keys = list(dist)
    p = np.array([dist[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]
