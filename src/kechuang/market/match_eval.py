"""The evaluation set of market matching (data/match_eval/), its builder and its metrics. No Django.

The set was authored by the project team, not by bureau staff (docs/market-matching.md says how and what that
limits). Two authored sources:

* `topics.jsonl`: 104 topic cards of Shaoxing's industries across the 8 高新技术领域. Each card has a demand in
  an enterprise's own words that avoids the laboratory's vocabulary (the *paraphrase* demand), a demand of the
  same need written with the technical terms (the *lexical* demand), the achievement that solves it (relevance
  2) and a related one (relevance 1: the same problem by another route, or a part of the solution).
* `distractor_parts.json`: per field, sub-areas of methods (with how they work), objects, goals and results,
  combined into plausible achievements of the same fields that solve none of the demands.

`build()` expands them, with a fixed seed, into `demands.jsonl` and `achievements.jsonl` (checked in, so the
benchmark reads the same set everywhere). Every achievement, authored or composed, gets the same closing
sentence about its maturity, so no style marks the authored ones.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data") / "match_eval"
SEED = 2026
CORPUS_SIZE = 1050

MATURITY_PHRASE = {
    3: "已完成原理验证",
    4: "已完成实验室验证",
    5: "已完成小试",
    6: "已完成中试",
    7: "已在示范企业应用",
    8: "已批量生产应用",
    9: "已大规模推广应用",
}
_TITLE_PATTERNS = (
    "{method}{object}{goal}技术",
    "基于{method}的{object}{goal}方法",
    "{object}{goal}的{method}工艺",
    "{method}在{object}{goal}中的应用",
)


@dataclass(frozen=True)
class EvalAchievement:
    id: int
    title: str
    text: str
    tech_field: str
    maturity: int
    topic: str = ""  # the topic card it came from; "" for a composed distractor

    @property
    def document(self) -> str:
        return f"{self.title}。{self.text}"


@dataclass(frozen=True)
class EvalDemand:
    id: int
    topic: str
    kind: str  # "paraphrase" or "lexical"
    title: str
    text: str
    tech_field: str
    relevant: dict[int, int]  # achievement id → graded relevance (2 solves it, 1 related)

    @property
    def document(self) -> str:
        return f"{self.title}。{self.text}"


def _tail(maturity: int) -> str:
    return f"技术成熟度{maturity}级，{MATURITY_PHRASE[maturity]}。"


def build(data_dir: Path = DATA_DIR, *, corpus_size: int = CORPUS_SIZE, write: bool = True):
    """Expand the authored sources into (demands, achievements); write them as JSON lines when `write`."""
    rng = random.Random(SEED)
    cards = [json.loads(line) for line in (data_dir / "topics.jsonl").read_text("utf-8").splitlines() if line]
    parts = json.loads((data_dir / "distractor_parts.json").read_text("utf-8"))
    achievements: list[EvalAchievement] = []
    demands: list[EvalDemand] = []

    def add(title, text, field, maturity, topic="") -> int:
        achievements.append(
            EvalAchievement(len(achievements) + 1, title, text + _tail(maturity), field, maturity, topic)
        )
        return achievements[-1].id

    for card in cards:
        relevant = {}
        for item in card["solves"]:
            relevant[
                add(item["title"], item["text"], card["tech_field"], item["maturity"], card["topic"])
            ] = 2
        for item in card["related"]:
            relevant[
                add(item["title"], item["text"], card["tech_field"], item["maturity"], card["topic"])
            ] = 1
        for kind in ("paraphrase", "lexical"):
            demands.append(
                EvalDemand(
                    id=len(demands) + 1,
                    topic=card["topic"],
                    kind=kind,
                    title=card[kind]["title"],
                    text=card[kind]["text"],
                    tech_field=card["tech_field"],
                    relevant=relevant,
                )
            )

    combos = []
    for field, subareas in parts.items():
        for sub in subareas:
            for method in sub["methods"]:
                for obj in sub["objects"]:
                    for goal in sub["goals"]:
                        combos.append((field, method, obj, goal, sub["results"]))
    rng.shuffle(combos)
    titles = {a.title for a in achievements}
    for field, method, obj, goal, results in combos:
        if len(achievements) >= corpus_size:
            break
        title = rng.choice(_TITLE_PATTERNS).format(method=method["name"], object=obj, goal=goal)
        if title in titles:
            continue
        titles.add(title)
        text = f"本成果采用{method['name']}技术，{method['how']}，实现{obj}的{goal}，{rng.choice(results)}。"
        add(title, text, field, rng.randint(4, 9))

    if write:
        with (data_dir / "achievements.jsonl").open("w", encoding="utf-8") as out:
            for a in achievements:
                out.write(json.dumps(asdict(a), ensure_ascii=False) + "\n")
        with (data_dir / "demands.jsonl").open("w", encoding="utf-8") as out:
            for d in demands:
                row = asdict(d)
                row["relevant"] = {str(k): v for k, v in d.relevant.items()}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return demands, achievements


def load(data_dir: Path = DATA_DIR) -> tuple[list[EvalDemand], list[EvalAchievement]]:
    """The built set: (demands, achievements)."""

    def rows(name):
        return [json.loads(line) for line in (data_dir / name).read_text("utf-8").splitlines() if line]

    achievements = [EvalAchievement(**row) for row in rows("achievements.jsonl")]
    demands = []
    for row in rows("demands.jsonl"):
        row["relevant"] = {int(k): v for k, v in row["relevant"].items()}
        demands.append(EvalDemand(**row))
    return demands, achievements


# ---------------------------------------------------------------------------------------------------------
# Metrics


def dcg(gains: Iterable[float]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at(ranked: Sequence[int], relevant: dict[int, int], k: int = 10) -> float:
    """nDCG@k with graded gains 2^rel − 1 (Järvelin & Kekäläinen); 0 when nothing is relevant."""
    ideal = dcg(sorted(relevant.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg(relevant.get(doc, 0) for doc in ranked[:k]) / ideal


def recall_at(ranked: Sequence[int], relevant: dict[int, int], k: int = 100) -> float:
    """The share of the relevant documents (any grade) found in the first k."""
    if not relevant:
        return 0.0
    return len(set(ranked[:k]) & set(relevant)) / len(relevant)


def word_overlap(demand_words: set[str], achievement_words: set[str]) -> float:
    """The share of a demand's distinct words that its achievement also uses (0 when the demand has none)."""
    return len(demand_words & achievement_words) / len(demand_words) if demand_words else 0.0


def split_topics(demands: Sequence[EvalDemand], seed: int = SEED) -> tuple[set[str], set[str]]:
    """Two halves of the topics (tuning, reporting): both demands of a topic fall in the same half, so
    nothing learnt on one half has seen the other half's relevant achievements."""
    topics = sorted({d.topic for d in demands})
    random.Random(seed).shuffle(topics)
    half = len(topics) // 2
    return set(topics[:half]), set(topics[half:])


def evaluate(demands: Sequence[EvalDemand], rank: Callable[[EvalDemand], Sequence[int]]) -> dict[str, float]:
    """Mean nDCG@10 and recall@100 of `rank` (a demand → achievement ids, best first) over `demands`."""
    if not demands:
        return {"ndcg10": 0.0, "recall100": 0.0, "n": 0}
    ndcg = recall = 0.0
    for demand in demands:
        ranked = rank(demand)
        ndcg += ndcg_at(ranked, demand.relevant, 10)
        recall += recall_at(ranked, demand.relevant, 100)
    return {"ndcg10": ndcg / len(demands), "recall100": recall / len(demands), "n": len(demands)}
