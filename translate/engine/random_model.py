"""Build MarianMT models with random weights, for tests and speed work on machines without the
hub.

The tokenizers are real (sentencepiece models trained on the text given), the architecture is
Marian's, the weights are random: translations are meaningless, but every code path — tokenizing,
batching, beam search, decoding, saving and loading — runs at its real cost. ``opus_mt_shape``
reproduces Helsinki-NLP/opus-mt-ar-en (d_model 512, 6+6 layers, 8 heads, FFN 2048, ~62k vocab).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SPECIALS = ("</s>", "<unk>")


@dataclass(frozen=True, slots=True)
class Shape:
    """Model dimensions."""

    d_model: int = 32
    layers: int = 1
    heads: int = 2
    ffn: int = 64
    vocab_per_side: int = 400  # sentencepiece pieces per language (as many as the text allows)
    vocab_size: int = 0  # pad the shared vocabulary to this size (0: as trained)


TINY = Shape()
# Helsinki-NLP/opus-mt-ar-en: 512-dim, 6+6 layers, 8 heads, FFN 2048, 62,802-entry vocabulary.
OPUS_MT = Shape(d_model=512, layers=6, heads=8, ffn=2048, vocab_per_side=8_000, vocab_size=62_802)


def bundled_text(root: Path) -> tuple[list[str], list[str]]:
    """Arabic and English text to train tokenizers on, from a tarjama checkout at ``root``:
    the reference translations (both sides), the raw articles (Arabic) and the glossaries."""
    import csv

    arabic: list[str] = []
    english: list[str] = []
    tables = [
        *sorted((root / "corpus" / "references").glob("*.tsv")),
        *sorted((root / "glossary").glob("*.tsv")),
    ]
    for path in tables:
        with path.open(encoding="utf-8") as fh:
            for row in list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]:
                arabic.append(row[0])
                english.append(row[1])
    for path in sorted((root / "corpus" / "raw").glob("*.txt")):
        arabic += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return arabic, english


def _train_spm(lines: Iterable[str], vocab_size: int) -> bytes:
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(lines)),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        unk_id=0,
        bos_id=-1,
        eos_id=1,
        pad_id=-1,
        minloglevel=2,
    )
    return model.getvalue()


def build(
    out: Path,
    source_lines: Iterable[str],
    target_lines: Iterable[str],
    shape: Shape = TINY,
    seed: int = 0,
) -> Path:
    """Write a random-weight MarianMT model and its tokenizer to ``out``; returns ``out``.

    ``<pad>`` is the last vocabulary entry, as CTranslate2's converter expects.
    """
    import sentencepiece as spm
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    out.mkdir(parents=True, exist_ok=True)
    src = _train_spm(source_lines, shape.vocab_per_side)
    tgt = _train_spm(target_lines, shape.vocab_per_side)
    (out / "source.spm").write_bytes(src)
    (out / "target.spm").write_bytes(tgt)
    vocab: dict[str, int] = {tok: i for i, tok in enumerate(SPECIALS)}
    for blob in (src, tgt):
        processor = spm.SentencePieceProcessor(model_proto=blob)
        for i in range(processor.get_piece_size()):
            piece = processor.id_to_piece(i)
            if piece not in vocab and piece not in ("<unk>", "</s>", "<s>", "<pad>"):
                vocab[piece] = len(vocab)
    # A few kilobytes of text cannot train 31k pieces per side; filler entries give the embedding
    # and output layers their real size (the model can emit them; they decode to nothing useful).
    while len(vocab) < shape.vocab_size - 1:
        vocab[f"▁<filler{len(vocab)}>"] = len(vocab)
    vocab["<pad>"] = len(vocab)
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(
        str(out / "source.spm"),
        str(out / "target.spm"),
        str(out / "vocab.json"),
        source_lang="ar",
        target_lang="en",
    )
    pad, eos = vocab["<pad>"], vocab["</s>"]
    config = MarianConfig(
        vocab_size=len(vocab),
        d_model=shape.d_model,
        encoder_layers=shape.layers,
        decoder_layers=shape.layers,
        encoder_attention_heads=shape.heads,
        decoder_attention_heads=shape.heads,
        encoder_ffn_dim=shape.ffn,
        decoder_ffn_dim=shape.ffn,
        max_position_embeddings=512,
        pad_token_id=pad,
        eos_token_id=eos,
        decoder_start_token_id=pad,
        forced_eos_token_id=eos,
        scale_embedding=True,
        activation_function="swish",
        share_encoder_decoder_embeddings=True,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    with torch.no_grad():
        # Random weights put </s> anywhere; discourage it so that hypotheses have words in them.
        model.final_logits_bias[0, eos] = -4.0
    model.generation_config = GenerationConfig(
        pad_token_id=pad,
        eos_token_id=eos,
        decoder_start_token_id=pad,
        forced_eos_token_id=eos,
        bad_words_ids=[[pad]],
        num_beams=4,
    )
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out
