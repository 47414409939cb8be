"""The people of an article, read in stages as BBC's citron reads quotes.

1. mentions (bot.analysis.mentions): every occurrence of a name, trimmed of titles;
2. clustering (bot.analysis.clustering): one cluster per person, bare surnames swept up,
   unlikely people dropped;
3. profiles (bot.analysis.profiles): forms, titles, descriptions and gender evidence;
4. coreference (bot.analysis.coreference): roles, pronouns and short names resolved against
   the set of people, which is frozen from here on.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from bot.analysis.clustering import Cluster, Clusterer
from bot.analysis.coreference import Coreference
from bot.analysis.mentions import Mention, MentionFinder, bracket_hints
from bot.analysis.profiles import ProfileBuilder
from bot.analysis.types import PersonResult


class PersonIndex:
    """People of one doc, with lookups for quote and event attribution."""

    def __init__(self, doc: Doc, name_hints: dict[str, str] | None = None) -> None:
        self.doc = doc
        self.text: str = doc.text
        hints = {**bracket_hints(self.text), **(name_hints or {})}
        finder = MentionFinder(doc)
        finder.collect()
        clusterer = Clusterer(finder, hints)
        self.clusters: list[Cluster] = clusterer.run()
        self.mentions: list[Mention] = clusterer.mentions
        profiles = ProfileBuilder(doc, self.clusters, self.mentions)
        profiles.describe()
        profiles.pronoun_evidence()
        self.token_cluster: dict[int, int] = profiles.token_cluster
        self.references: list[tuple[int, int]] = profiles.references
        self._coreference = Coreference(doc, finder, clusterer, self.token_cluster, self.references)
        self.match_words = clusterer.match_words

    def cluster_of_token(self, tok: Token) -> int | None:
        """The person a token names, if any (names, roles and pronouns are resolved)."""
        return self._coreference.cluster_of_token(tok)

    def resolve_pronoun(self, pronoun: str, before: int, avoid: int | None = None) -> int | None:
        """Resolve he/she/they to the most recent fitting person."""
        return self._coreference.resolve_pronoun(pronoun, before, avoid)

    def clusters_in(self, start: int, end: int) -> list[int]:
        """People referred to between two offsets, in order of first reference."""
        seen: list[int] = []
        for offset, ci in self.references:
            if start <= offset < end and ci not in seen:
                seen.append(ci)
        return seen

    def results(self) -> list[PersonResult]:
        """One PersonResult per person, in order of first mention."""
        out = []
        counts: dict[int, int] = {}
        for _, ci in self.references:
            counts[ci] = counts.get(ci, 0) + 1
        for ci, cluster in enumerate(self.clusters):
            if not cluster.spans:
                continue
            aliases = [f for f in cluster.forms if f != cluster.name]
            out.append(
                PersonResult(
                    name=cluster.name,
                    aliases=aliases,
                    descriptions=list(cluster.descriptions),
                    mentions=counts.get(ci, len(cluster.spans)),
                    first_offset=min(s for s, _ in cluster.spans),
                )
            )
        out.sort(key=lambda p: p.first_offset)
        return out

    def name_of(self, ci: int | None) -> str | None:
        """Canonical name of a cluster index."""
        return None if ci is None else self.clusters[ci].name
