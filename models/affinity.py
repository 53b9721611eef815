"""Style affinity of users, and images ranked for them: plain functions, no Beam.

A user's affinity is ``normalise(Σ weight(event) × decay(age) × styles(image))`` over their events:
a distribution over the styles, like an image's own style scores. Recommendations rank catalogue
images by the dot product of that distribution with each image's style scores, traded against
similarity to the picks above (maximal marginal relevance); users without history get popular
images, one style at a time.
"""

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

DEFAULT_EVENT_WEIGHTS = "view=1,click=2,cart=4,purchase=8"
SECONDS_PER_DAY = 86_400.0


def parse_event_weights(text: str) -> dict[str, float]:
    """``"view=1,click=2"`` → ``{"view": 1.0, "click": 2.0}``: the listed event types are the only known ones.

    Raises:
        ValueError: on an item that is not ``name=number``, a repeated name, or a weight that is not above 0
            (a zero weight would let a user's affinity be 0/0).
    """
    weights: dict[str, float] = {}
    for item in text.split(","):
        name, equals, number = (part.strip() for part in item.partition("="))
        try:
            weight = float(number) if name and equals else None
        except ValueError:
            weight = None
        if weight is None:
            raise ValueError(f"event weight {item.strip()!r} is not name=number")
        if name.lower() in weights:
            raise ValueError(f"event type {name!r} is weighted twice")
        if not weight > 0 or math.isinf(weight):
            raise ValueError(f"event weight {item.strip()!r} must be a finite number above 0")
        weights[name.lower()] = weight
    return weights


def decay(age_seconds: float, half_life_days: float) -> float:
    """What is left of a weight after `age_seconds`: it halves every `half_life_days`; 0 days means no decay."""
    if half_life_days <= 0:
        return 1.0
    return 0.5 ** (age_seconds / (half_life_days * SECONDS_PER_DAY))


@dataclass
class DecayedSum:
    """Σ weight × decay × vector over events, kept as of the newest event: old terms shrink, new ones never grow.

    Decaying every term to one common time leaves the normalised vector the same whichever time
    that is; keeping it at the newest event lets terms added in any order, and sums merged in any
    order, agree without overflow (a far-future reference) or underflow of the newest terms.
    """

    half_life_days: float = 0.0
    time: float | None = None  # epoch seconds of the newest event
    weight: float = 0.0  # Σ weight × decay
    vector: dict[str, float] = field(default_factory=dict)  # Σ weight × decay × vector
    count: int = 0

    def add(self, time: float, weight: float, vector: dict[str, float]) -> None:
        """Adds one event at `time` (epoch seconds) with its weight and vector (may be empty)."""
        self._add_terms(time, weight, {label: weight * value for label, value in vector.items()}, 1)

    def merge(self, other: "DecayedSum") -> None:
        """Adds every event of `other` (kept with the same half-life)."""
        if other.count:
            self._add_terms(other.time, other.weight, other.vector, other.count)

    def _add_terms(self, time: float, weight: float, weighted_vector: dict[str, float], count: int) -> None:
        """Adds weighted terms kept as of `time`, after bringing the older side forward to the newer time."""
        if self.time is None or time > self.time:
            if self.time is not None:
                self._scale(decay(time - self.time, self.half_life_days))
            self.time, factor = time, 1.0
        else:
            factor = decay(self.time - time, self.half_life_days)
        self.weight += weight * factor
        for label, value in weighted_vector.items():
            self.vector[label] = self.vector.get(label, 0.0) + value * factor
        self.count += count

    def _scale(self, factor: float) -> None:
        self.weight *= factor
        self.vector = {label: value * factor for label, value in self.vector.items()}

    def weight_at(self, time: float) -> float:
        """Σ weight × decay as of `time` (for comparing sums kept as of different newest events)."""
        return self.weight * decay(time - self.time, self.half_life_days) if self.count else 0.0

    def affinity(self) -> list[dict[str, float | str]]:
        """The vector normalised to sum to 1, as ``{label, score}`` items, highest first."""
        return normalise(self.vector)


def normalise(totals: dict[str, float]) -> list[dict[str, float | str]]:
    """Scores scaled to sum to 1, as ``{label, score}`` items, highest first (ties by label).

    Raises:
        ValueError: when the scores do not add up to more than 0.
    """
    total = sum(totals.values())
    if not total > 0:
        raise ValueError("scores add up to nothing: no positive evidence to normalise")
    ordered = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return [{"label": label, "score": value / total} for label, value in ordered]


@dataclass(frozen=True)
class CatalogueImage:
    """An image as the join and the ranking see it: uri, content hash, top style and style scores."""

    uri: str
    image_id: str | None
    style: str
    styles: dict[str, float]


def catalogue_image(row: dict) -> CatalogueImage:
    """The catalogue image of an ``images`` row, whose ``styles`` are ``{label, score}`` items."""
    styles = {item["label"]: item["score"] for item in row["styles"]}
    return CatalogueImage(row["uri"], row.get("image_id"), row["style"], styles)


@dataclass(frozen=True)
class Pick:
    """One recommended image: its score (match with the user, or engagement when cold) and why it was picked."""

    uri: str
    style: str
    score: float
    reason: str


def match_reason(affinity: dict[str, float], styles: dict[str, float]) -> str:
    """Names the style that adds most to an image's match, e.g. "matches your rosy_graceful 0.41 (image 0.87)"."""
    label = max(affinity, key=lambda name: (affinity[name] * styles.get(name, 0.0), name))
    return f"matches your {label} {affinity[label]:.2f} (image {styles.get(label, 0.0):.2f})"


def variety_reason(affinity: dict[str, float], image: CatalogueImage) -> str:
    """Why a closer match was passed over, e.g. "for variety: happy_vivid 0.93, unlike the picks above (yours 0.20)"."""
    own, yours = image.styles.get(image.style, 0.0), affinity.get(image.style, 0.0)
    return f"for variety: {image.style} {own:.2f}, unlike the picks above (yours {yours:.2f})"


def rank_for_affinity(
    affinity: dict[str, float], images: Iterable[CatalogueImage], k: int, diversity: float
) -> list[Pick]:
    """The `k` images that best match a user's style affinity, made varied by maximal marginal relevance.

    An image's match is the dot product of its style scores with the affinity. Each next pick
    maximises ``(1 - diversity) × match - diversity × similarity``, where similarity is the
    largest cosine similarity of its style scores to a pick above: 0 ranks by match alone, 1 by
    difference alone.

    Raises:
        ValueError: when `diversity` is outside 0..1.
    """
    if not 0 <= diversity <= 1:
        raise ValueError(f"diversity {diversity} is outside 0..1")
    images = list(images)
    if not images:
        return []
    labels = sorted({label for image in images for label in image.styles} | set(affinity))
    scores = np.array([[image.styles.get(label, 0.0) for label in labels] for image in images])
    match = scores @ np.array([affinity.get(label, 0.0) for label in labels])
    # Closest match first, then by uri: a tie of the trade-off below goes to the closer match, then to the same image.
    order = sorted(range(len(images)), key=lambda i: (-match[i], images[i].uri))
    images, scores, match = [images[i] for i in order], scores[order], match[order]
    unit = scores / np.maximum(np.linalg.norm(scores, axis=1, keepdims=True), 1e-12)
    similarity = np.zeros(len(images))  # each image's largest similarity to the picks so far
    available = np.ones(len(images), bool)
    picks = []
    for _ in range(min(k, len(images))):
        chosen = int(np.argmax(np.where(available, (1 - diversity) * match - diversity * similarity, -np.inf)))
        image, for_variety = images[chosen], match[chosen] < np.max(match[available]) - 1e-12
        reason = variety_reason(affinity, image) if for_variety else match_reason(affinity, image.styles)
        picks.append(Pick(image.uri, image.style, float(match[chosen]), reason))
        available[chosen] = False
        similarity = np.maximum(similarity, unit @ unit[chosen])
    return picks


@dataclass(frozen=True)
class Engagement:
    """How much users engaged with one image: Σ weight × decay as of one common time, and the event count."""

    score: float
    n_events: int


def rank_popular(images: Iterable[CatalogueImage], engagement: dict[str, Engagement], k: int) -> list[Pick]:
    """Picks for a user with no history: the most engaged images, one style at a time so no style fills the list.

    Styles take turns, the most engaged style first; within a style the most engaged image comes
    first, and images nobody engaged with follow, most typical of their style first.
    """
    unseen = Engagement(0.0, 0)

    def popularity(image: CatalogueImage) -> tuple:
        return -engagement.get(image.uri, unseen).score, -image.styles.get(image.style, 0.0), image.uri

    by_style: dict[str, list[CatalogueImage]] = {}
    for image in sorted(images, key=popularity):
        by_style.setdefault(image.style, []).append(image)
    style_engagement = {
        style: sum(engagement.get(image.uri, unseen).score for image in members) for style, members in by_style.items()
    }
    turns = sorted(by_style, key=lambda style: (-style_engagement[style], style))
    rounds = itertools.zip_longest(*(by_style[style] for style in turns))  # one image of each style per round
    in_turn = (image for round_ in rounds for image in round_ if image is not None)
    return [_popular_pick(image, engagement.get(image.uri, unseen)) for image in itertools.islice(in_turn, k)]


def _popular_pick(image: CatalogueImage, engaged: Engagement) -> Pick:
    if engaged.n_events:
        events = f"{engaged.n_events} event{'s' if engaged.n_events != 1 else ''}"
        reason = f"popular in {image.style}: {events}, engagement {engaged.score:.2f}"
    else:
        reason = f"a typical {image.style} image ({image.styles.get(image.style, 0.0):.2f}), not engaged with yet"
    return Pick(image.uri, image.style, engaged.score, reason)
