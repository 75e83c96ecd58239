"""Label vocabularies shared by agents, records and evaluation.

Image attributes and their rates among protest images come from the UCLA Protest Image
Dataset (Won, Steinert-Threlkeld and Joo, ACM Multimedia 2017), so the dataset's labels
mean what downstream users expect.
"""

from typing import Literal

Stance = Literal["support_protest", "oppose_protest", "neutral"]
Emotion = Literal["anger", "fear", "hope", "sadness", "pride", "calm"]
ArtifactKind = Literal["post", "comment", "image_prompt"]
# What a reply does to the post it answers.
Relation = Literal["agrees", "disagrees", "asks", "adds"]
STANCES: tuple[Stance, ...] = ("support_protest", "oppose_protest", "neutral")
EMOTIONS: tuple[Emotion, ...] = ("anger", "fear", "hope", "sadness", "pride", "calm")
RELATIONS: tuple[Relation, ...] = ("agrees", "disagrees", "asks", "adds")
# Replies that take a side (the post's, or the other); the others (asks, adds) are neutral.
STANCE_RELATIONS: tuple[Relation, ...] = ("agrees", "disagrees")

UCLA_ATTRIBUTE_RATES: dict[str, float] = {
    "sign": 0.829,
    "photo": 0.037,
    "fire": 0.057,
    "police": 0.068,
    "children": 0.030,
    "group_20": 0.730,
    "group_100": 0.252,
    "flag": 0.083,
    "night": 0.085,
    "shouting": 0.047,
}
UCLA_MEAN_VIOLENCE = 0.365
IMAGE_ATTRIBUTES = tuple(UCLA_ATTRIBUTE_RATES)
