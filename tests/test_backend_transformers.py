"""The local transformers backend, on a tiny random GPT-2 built and saved by the test (no downloaded weights).

The tokenizer is a byte-level BPE trained here on a few sentences and the prompt's own rules; the
model is a 2-layer GPT-2 with random weights. Its answers are gibberish, but deterministic: the
streamed pieces must join to exactly what greedy `model.generate` gives for the same prompt, and
closing the stream must end the generation thread.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import AutoModelForCausalLM, AutoTokenizer, GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

from rag.corpus import Chunk
from rag.events import Hit
from rag.generate import BackendError, available_backends, make_backend, smollm_gguf
from rag.generate.prompt import REMINDER, RULES
from rag.generate.transformers_backend import GENERATION_THREAD, TransformersBackend

QUESTION = "What is buffered streaming?"
SENTENCES = [
    "Buffered streaming holds text back until a sentence ends.",
    "Token streaming sends every token to the reader as soon as it exists.",
    "Closing a generator stops the work beneath it.",
    "The retriever finds passages; the generator writes the answer and cites them.",
]
LONG_ANSWER_TOKENS = 7000  # far more than the test waits for: only the stop flag can end it early
CONTEXT = 8192
# Greedy decoding of random weights soon repeats itself; with this seed the loop contains spaces, so
# the streamer (which releases text at word boundaries) has words to release before the end.
SEED = 2


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tiny-gpt2")
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    # Only the characters seen in training, so that every token decodes to whole characters.
    trainer = trainers.BpeTrainer(vocab_size=600, special_tokens=["<|endoftext|>"])
    bpe.train_from_iterator([*SENTENCES, RULES, REMINDER], trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, eos_token="<|endoftext|>", clean_up_tokenization_spaces=False
    )
    tokenizer.save_pretrained(folder)
    # No end-of-sequence token: a random model would emit it at some arbitrary point.
    shape = {"n_positions": CONTEXT, "n_embd": 32, "n_layer": 2, "n_head": 2}
    config = GPT2Config(vocab_size=len(tokenizer), bos_token_id=None, eos_token_id=None, **shape)
    torch.manual_seed(SEED)
    GPT2LMHeadModel(config).save_pretrained(folder)
    return folder


@pytest.fixture
def hits() -> list[Hit]:
    chunks = [Chunk(f"doc{n}#0", f"Doc {n}", f"Doc {n}", f"doc{n}.md", 0, len(s), s) for n, s in enumerate(SENTENCES)]
    return [Hit(chunk, rank, 1.0 / rank) for rank, chunk in enumerate(chunks, start=1)]


def generation_threads() -> set[threading.Thread]:
    """The live generation threads of this process (other tests' included: compare with a snapshot)."""
    return {thread for thread in threading.enumerate() if thread.name == GENERATION_THREAD and thread.is_alive()}


def test_streamed_pieces_join_to_the_greedy_generation(tiny_model, settings, hits):
    backend = TransformersBackend(settings.with_(llm_max_new_tokens=40, llm_context_tokens=CONTEXT), str(tiny_model))
    before = generation_threads()

    pieces = list(backend.stream(QUESTION, hits))

    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    model = AutoModelForCausalLM.from_pretrained(tiny_model)
    inputs = tokenizer(backend.prompt_text(QUESTION, hits), return_tensors="pt", add_special_tokens=False)
    output = model.generate(**inputs, max_new_tokens=40, do_sample=False, pad_token_id=tokenizer.eos_token_id)
    expected = tokenizer.decode(output[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
    assert expected.strip(), "the tiny model should say something"
    assert "".join(pieces) == expected
    assert len(pieces) > 1, "the answer should arrive in several pieces, not at the end"
    assert not generation_threads() - before, "the generation thread should have ended with the stream"


def test_closing_the_stream_stops_the_generation_thread(tiny_model, settings, hits):
    long_answers = settings.with_(llm_max_new_tokens=LONG_ANSWER_TOKENS, llm_context_tokens=CONTEXT)
    stream = TransformersBackend(long_answers, str(tiny_model)).stream(QUESTION, hits)
    before = generation_threads()

    next(stream)
    started = generation_threads() - before
    assert started, "generation should still be running after the first piece"
    stream.close()

    assert not generation_threads() & started, "closing the stream should end (and join) the generation thread"


def test_the_prompt_fits_the_context_window(tiny_model, settings, hits):
    small = settings.with_(llm_max_new_tokens=40, llm_context_tokens=300)
    backend = TransformersBackend(small, str(tiny_model))
    tokenizer = AutoTokenizer.from_pretrained(tiny_model)
    many = [Hit(hit.chunk, rank, 1.0 / rank) for rank, hit in enumerate(hits * 10, start=1)]

    prompt = backend.prompt_text(QUESTION, many)

    assert len(tokenizer(prompt).input_ids) <= 300 - 40
    assert '<passage id="1"' in prompt and QUESTION in prompt
    assert f'<passage id="{len(many)}"' not in prompt, "the lowest-ranked passages should be dropped to fit"


def test_a_missing_model_is_a_backend_error_naming_it(tmp_path, settings, hits):
    missing = tmp_path / "no-such-model"
    backend = TransformersBackend(settings, str(missing))

    with pytest.raises(BackendError, match="Could not load the model") as raised:
        list(backend.stream(QUESTION, hits))
    assert str(missing) in str(raised.value)


def test_transformers_is_offered_only_for_a_local_model(tiny_model, settings):
    assert "transformers" in available_backends(settings.with_(llm_model=str(tiny_model)))
    assert "transformers" not in available_backends(settings.with_(llm_model=""))
    assert "transformers" not in available_backends(settings.with_(llm_model="llama3.2"))


def test_the_registry_makes_one_backend_per_model(tiny_model, settings):
    local = settings.with_(llm_model=str(tiny_model))

    backend = make_backend("transformers", local, embedder=None)

    assert make_backend("transformers", local, embedder=None) is backend
    assert backend.name == "transformers" and str(tiny_model) in backend.label


@pytest.mark.slow
@pytest.mark.skipif(smollm_gguf() is None, reason="needs the optional install: requirements-smollm.txt")
def test_smollm_answers_offline_from_the_bundled_gguf(settings, hits):
    backend = make_backend("smollm", settings.with_(llm_max_new_tokens=24), embedder=None)
    before = generation_threads()

    answer = "".join(backend.stream(QUESTION, hits))

    assert backend.name == "smollm" and "smollm" in available_backends(settings)
    assert answer.strip(), "SmolLM2 should answer something"
    assert not generation_threads() - before, "the generation thread should have ended with the stream"
