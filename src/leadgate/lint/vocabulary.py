"""The words the lint recognises (``data/vocabulary.toml``), validated once, and the one way text is
compared with them: case, accents and punctuation ignored, whole words only."""

from __future__ import annotations

import tomllib
import unicodedata
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, field_validator

Phrases = list[str]


class Vocabulary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    revision: str
    unsubscribe: Phrases = Field(min_length=1)
    reason: Phrases = Field(min_length=1)
    source: Phrases = Field(min_length=1)
    rights: Phrases = Field(min_length=1)
    postcodes: dict[str, list[str]] = Field(min_length=1)

    @field_validator("unsubscribe", "reason", "source", "rights")
    @classmethod
    def _normalised(cls, value: Phrases) -> Phrases:
        out = [words(p) for p in value]
        if not all(out):
            raise ValueError("a phrase has no words")
        return out

    @field_validator("postcodes")
    @classmethod
    def _shapes(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for country, shapes in value.items():
            if not shapes or any(not s or set(s) - set("9A ") for s in shapes):
                raise ValueError(f"{country}: a postcode shape uses only 9 (digit), A (letter) and spaces")
        return value


def words(text: str) -> str:
    """Lower-case words without accents, separated by single spaces ("Désinscrire !" → "desinscrire")."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c if c.isalnum() else " " for c in folded if not unicodedata.combining(c))
    return " ".join(kept.split())


def says(text_words: str, phrases: Phrases) -> bool:
    """Whether `text_words` (already through `words`) contains one of the phrases as whole words."""
    padded = f" {text_words} "
    return any(f" {p} " in padded for p in phrases)


@cache
def vocabulary() -> Vocabulary:
    text = (resources.files("leadgate.lint") / "data" / "vocabulary.toml").read_text("utf-8")
    return Vocabulary.model_validate(tomllib.loads(text))
