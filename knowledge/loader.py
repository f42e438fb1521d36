"""Load the knowledge base and the lexicon together (the aliases live in the lexicon)."""

from __future__ import annotations

from pathlib import Path

from knowledge import kb
from knowledge.model import KnowledgeBase
from knowledge.understand import LEXICON, Lexicon


def load(slugs: list[str] | None = None, *, data_dir: Path = kb.DATA, lexicon_path: Path = LEXICON
         ) -> tuple[KnowledgeBase, Lexicon]:
    lexicon = Lexicon.load(lexicon_path)
    knowledge = KnowledgeBase.load(slugs, data_dir=data_dir, aliases=lexicon.service_aliases)
    return knowledge, lexicon
