"""Train a small MarianMT on the synthetic news corpus, on CPU, and cache it outside the repository.

Run from the repository root::

    python evaluation/trained/train.py             # the test-bench model (a few minutes)
    python evaluation/trained/train.py --small     # the test sessions' model (well under a minute)

The architecture is opus-mt's (Marian: pre-norm-free transformer, sinusoidal positions, swish,
shared embeddings tied to the output layer) scaled down; the tokenizers are real sentencepiece
models trained on the corpus, with ``<pad>`` as the last vocabulary entry so that CTranslate2's
converter accepts the model. Both a transformers directory and its int8 CTranslate2 conversion are
written to ``$TARJAMA_CACHE`` (default ``~/.cache/tarjama``) under a name that hashes this file,
the corpus module and the settings: a change to any of them trains a new model, and an unchanged
one is reused (``--force`` trains again).

The training loop is written here (not ``Seq2SeqTrainer``) because the whole job is a few hundred
steps of one model on two cores: token-budget batches of similar length, AdamW with warm-up and
inverse-square-root decay, label smoothing 0.1, as Marian trains.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from evaluation.trained.corpus import Bench, bench  # noqa: E402


@dataclass(frozen=True, slots=True)
class Recipe:
    """Everything that decides the trained model (part of its cache key)."""

    name: str
    train: int  # training sentences
    test: int
    small: bool
    d_model: int
    layers: int
    heads: int
    ffn: int
    vocab_per_side: int
    steps: int
    batch_tokens: int  # target tokens per batch
    lr: float
    warmup: int
    lexicon: int = 0  # times each name is given alone (see corpus.bench)
    seed: int = 1


#: The test-bench model: ~2M parameters, about 20 minutes on 2 cores. (d_model 192 at a learning
#: rate of 1.5e-3 collapsed into one sentence for every input, a post-norm transformer's usual
#: way of diverging; this is the size and rate that learned.)
BENCH = Recipe(
    name="bench",
    train=30_000,
    test=300,
    small=False,
    d_model=128,
    layers=3,
    heads=4,
    ffn=512,
    vocab_per_side=2_000,
    steps=2_500,
    batch_tokens=1_500,
    lr=1e-3,
    warmup=300,
    lexicon=10,
)
#: The model a test session trains when none is cached: a few dozen names, well under a minute.
SMALL = Recipe(
    name="small",
    train=4_000,
    test=60,
    small=True,
    d_model=96,
    layers=2,
    heads=4,
    ffn=256,
    vocab_per_side=500,
    steps=700,
    batch_tokens=1_200,
    lr=2.5e-3,
    warmup=100,
    lexicon=20,
)


def cache_root() -> Path:
    return Path(os.environ.get("TARJAMA_CACHE", Path.home() / ".cache" / "tarjama"))


#: Bump when the training loop changes what it makes of the same data and recipe.
TRAINER_VERSION = 1


def recipe_key(recipe: Recipe) -> str:
    """The cache key: the recipe, the trainer's version and the generated data itself (so an
    edit of the corpus module that changes no sentence keeps the model)."""
    digest = hashlib.sha256(json.dumps(asdict(recipe), sort_keys=True).encode())
    digest.update(str(TRAINER_VERSION).encode())
    data = bench(
        recipe.train, recipe.test, seed=recipe.seed, small=recipe.small, lexicon=recipe.lexicon
    )
    for pair in [*data.train, *data.test]:
        digest.update(f"{pair.ar}\t{pair.en}\t{pair.en_glossary}\n".encode())
    digest.update(json.dumps(data.glossary, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()[:12]


def model_dir(recipe: Recipe) -> Path:
    return cache_root() / "trained" / f"{recipe.name}-{recipe_key(recipe)}"


def normalized(text: str) -> str:
    """The Arabic as tarjama's pipeline gives it to the model."""
    from translate.arabic import normalize

    return normalize(text).text


def _batches(lengths: list[tuple[int, int]], budget: int, rng: random.Random) -> list[list[int]]:
    """Indices grouped by similar length, each group's padded target size within ``budget``."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i][1], rng.random()))
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in order:
        longest_next = max(longest, lengths[i][1], lengths[i][0])
        if current and longest_next * (len(current) + 1) > budget:
            batches.append(current)
            current, longest_next = [], max(lengths[i])
        current.append(i)
        longest = longest_next
    if current:
        batches.append(current)
    return batches


def train(recipe: Recipe, out: Path, log: Any = print) -> Path:
    """Train ``recipe`` and write the transformers model to ``out / "model"`` and its CTranslate2
    conversion to ``out / "ct2"`` (when ctranslate2 is installed). Returns ``out``."""
    import torch
    from transformers import MarianMTModel, MarianTokenizer
    from transformers.models.marian.modeling_marian import shift_tokens_right

    from translate.engine.random_model import Shape, build

    data: Bench = bench(
        recipe.train, recipe.test, seed=recipe.seed, small=recipe.small, lexicon=recipe.lexicon
    )
    arabic = [normalized(p.ar) for p in data.train]
    english = [p.en for p in data.train]
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    # The glossary's English goes into the tokenizer's training text (a real vocabulary can write
    # any name), never into the training pairs unless the corpus says so.
    spelling = [row["en"] for row in data.glossary]
    shape = Shape(
        d_model=recipe.d_model,
        layers=recipe.layers,
        heads=recipe.heads,
        ffn=recipe.ffn,
        vocab_per_side=recipe.vocab_per_side,
    )
    build(tmp / "model", arabic, english + spelling, shape, seed=recipe.seed)
    torch.manual_seed(recipe.seed)
    torch.set_num_threads(max(1, len(os.sched_getaffinity(0))))
    tokenizer = MarianTokenizer.from_pretrained(str(tmp / "model"))
    model = MarianMTModel.from_pretrained(str(tmp / "model"))
    embedding = model.get_input_embeddings().weight
    with torch.no_grad():
        model.final_logits_bias.zero_()  # the random builder's end-of-sentence penalty
        # Marian starts decoding from a zero vector (the <pad> row), and CTranslate2 relies on
        # it: keep that row zero throughout.
        embedding[tokenizer.pad_token_id].zero_()
    src = tokenizer(arabic, add_special_tokens=True)["input_ids"]
    tgt = tokenizer(text_target=english, add_special_tokens=True)["input_ids"]
    pad = tokenizer.pad_token_id
    rng = random.Random(recipe.seed)
    lengths = [(len(s), len(t)) for s, t in zip(src, tgt, strict=True)]
    params = sum(p.numel() for p in model.parameters())
    log(f"{recipe.name}: {len(src)} pairs, {params / 1e6:.1f}M parameters, {recipe.steps} steps")
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=recipe.lr, betas=(0.9, 0.98), eps=1e-9, weight_decay=0.0
    )

    def rate(step: int) -> float:
        step += 1
        return min(step / recipe.warmup, math.sqrt(recipe.warmup / step))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, rate)
    loss_fn = torch.nn.CrossEntropyLoss(ignore_index=-100, label_smoothing=0.1)
    model.train()
    started = time.perf_counter()
    step = 0
    while step < recipe.steps:
        batches = _batches(lengths, recipe.batch_tokens, rng)
        rng.shuffle(batches)
        for batch in batches:
            if step >= recipe.steps:
                break
            width_s = max(len(src[i]) for i in batch)
            width_t = max(len(tgt[i]) for i in batch)
            input_ids = torch.full((len(batch), width_s), pad)
            labels = torch.full((len(batch), width_t), -100)
            for row, i in enumerate(batch):
                input_ids[row, : len(src[i])] = torch.tensor(src[i])
                labels[row, : len(tgt[i])] = torch.tensor(tgt[i])
            mask = (input_ids != pad).long()
            decoder_input_ids = shift_tokens_right(labels, pad, model.config.decoder_start_token_id)
            logits = model(
                input_ids=input_ids, attention_mask=mask, decoder_input_ids=decoder_input_ids
            ).logits
            loss = loss_fn(logits.view(-1, logits.shape[-1]), labels.view(-1))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            with torch.no_grad():
                embedding[pad].zero_()
            step += 1
            if step % 100 == 0 or step == recipe.steps:
                elapsed = time.perf_counter() - started
                log(f"  step {step}: loss {loss.item():.3f} ({elapsed:.0f} s)")
            if step % 500 == 0:
                # A look at two test sentences: a collapsed model writes one sentence for all.
                model.eval()
                sample = [normalized(p.ar) for p in data.test[:2]]
                with torch.no_grad():
                    enc = tokenizer(sample, return_tensors="pt", padding=True)
                    ids = model.generate(**enc, num_beams=1, max_new_tokens=60)
                for line in tokenizer.batch_decode(ids, skip_special_tokens=True):
                    log(f"    {line}")
                model.train()
    model.eval()
    model.save_pretrained(tmp / "model")
    tokenizer.save_pretrained(tmp / "model")
    meta = {
        "recipe": asdict(recipe),
        "parameters": params,
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    (tmp / "recipe.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out


def _converted(folder: Path) -> bool:
    marker = folder / "ct2" / "tarjama-ct2.json"
    if not marker.is_file():
        return False
    return "alignment" in json.loads(marker.read_text(encoding="utf-8"))


def ensure(recipe: Recipe, force: bool = False, log: Any = print) -> Path:
    """The cached model directory for ``recipe``: ``model/`` (transformers) and, when
    ctranslate2 is installed, ``ct2/`` (int8), trained and converted first if not there. A
    conversion by an older tarjama (without the alignment heads) is converted again."""
    out = model_dir(recipe)
    if force or not (out / "recipe.json").is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        train(recipe, out, log)
    if not _converted(out):
        try:
            from translate.engine.convert import convert
        except ImportError:
            return out
        try:
            convert(str(out / "model"), out / "ct2", "int8", force=True, download=False)
        except Exception as exc:  # ctranslate2 missing: the transformers model still serves
            log(f"{recipe.name}: no CTranslate2 model ({exc})")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="the test sessions' model")
    parser.add_argument("--force", action="store_true", help="train again even if cached")
    args = parser.parse_args()
    recipe = SMALL if args.small else BENCH
    print(ensure(recipe, force=args.force))


if __name__ == "__main__":
    main()
