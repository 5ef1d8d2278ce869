"""Tiny random T5, BART and Gemma3 models with a tiny byte-level BPE tokenizer trained here,
saved to folders so tests load them the way users load real models. Nothing is downloaded."""

from __future__ import annotations

from pathlib import Path

CORPUS = [
    "Shares of Northwind Foods fell after the company cut its profit forecast.",
    "The city council voted to build a new bridge over the river.",
    "A heavy snowstorm closed schools and cancelled flights on Monday.",
    "Oil prices rose in Asia as traders watched the talks.",
    "Headline: Council approves bridge\nSummary: The vote ended a dispute.",
]


def build_tokenizer(kind: str):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    specials = {
        "t5": ["<pad>", "</s>", "<unk>"],
        "bart": ["<s>", "<pad>", "</s>", "<unk>"],
        "gemma3": ["<pad>", "<eos>", "<bos>", "<unk>"],
    }[kind]
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=320,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(CORPUS * 3, trainer)
    if kind == "gemma3":  # causal: BOS first, as Gemma does
        tok.post_processor = processors.TemplateProcessing(
            single="<bos> $A", special_tokens=[("<bos>", tok.token_to_id("<bos>"))]
        )
        return PreTrainedTokenizerFast(
            tokenizer_object=tok,
            bos_token="<bos>",
            eos_token="<eos>",
            pad_token="<pad>",
            unk_token="<unk>",
            model_max_length=256,
        )
    eos = "</s>"
    single = "$A </s>" if kind == "t5" else "<s> $A </s>"
    tok.post_processor = processors.TemplateProcessing(
        single=single, special_tokens=[(t, tok.token_to_id(t)) for t in specials if t in single]
    )
    extra = {"bos_token": "<s>"} if kind == "bart" else {}
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token=eos,
        pad_token="<pad>",
        unk_token="<unk>",
        model_max_length=256,
        **extra,
    )


def build_model(
    kind: str,
    folder: Path,
    seed: int = 0,
    sliding_window: int = 512,
    query_pre_attn_scalar: int = 8,
) -> Path:
    import torch
    from transformers import (
        BartConfig,
        BartForConditionalGeneration,
        Gemma3ForCausalLM,
        Gemma3TextConfig,
        T5Config,
        T5ForConditionalGeneration,
    )

    torch.manual_seed(seed)
    tokenizer = build_tokenizer(kind)
    vocab = len(tokenizer)
    ids = {
        name: tokenizer.convert_tokens_to_ids(tok)
        for name, tok in [("pad", tokenizer.pad_token), ("eos", tokenizer.eos_token)]
    }
    if kind == "t5":
        config = T5Config(
            vocab_size=vocab,
            d_model=32,
            d_kv=8,
            d_ff=64,
            num_layers=2,
            num_heads=4,
            pad_token_id=ids["pad"],
            eos_token_id=ids["eos"],
            decoder_start_token_id=ids["pad"],
        )
        model = T5ForConditionalGeneration(config)
    elif kind == "bart":
        config = BartConfig(
            vocab_size=vocab,
            d_model=32,
            encoder_layers=2,
            decoder_layers=2,
            encoder_attention_heads=4,
            decoder_attention_heads=4,
            encoder_ffn_dim=64,
            decoder_ffn_dim=64,
            max_position_embeddings=256,
            pad_token_id=ids["pad"],
            eos_token_id=ids["eos"],
            bos_token_id=tokenizer.bos_token_id,
            decoder_start_token_id=ids["eos"],
            forced_eos_token_id=None,
        )
        model = BartForConditionalGeneration(config)
    else:
        config = Gemma3TextConfig(
            vocab_size=vocab,
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=1,
            head_dim=8,
            query_pre_attn_scalar=query_pre_attn_scalar,  # = head_dim, as in Gemma-3-270M
            max_position_embeddings=256,
            sliding_window=sliding_window,
            pad_token_id=ids["pad"],
            eos_token_id=ids["eos"],
            bos_token_id=tokenizer.bos_token_id,
        )
        model = Gemma3ForCausalLM(config)
    model.generation_config.do_sample = False
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
