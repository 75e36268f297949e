"""Write a tiny random-weight llama GGUF model for llama.cpp: `python make_tiny_gguf.py OUT.gguf [--seed 0]`.

Needs numpy and gguf (installed in the llama venv), nothing downloaded. The weights are random but the graph
is a real llama one (2 layers, 64 wide, a sentencepiece vocabulary with byte fallback and a chat template).
The output projection is rigged so that only whole-word tokens can win: replies are readable words, greedy
decoding (temperature 0) is deterministic for a seed, and EOS never wins, so a reply ends by `max_tokens`
(`finish_reason` "length") or a `stop` string.
"""

from __future__ import annotations

import argparse

import gguf  # type: ignore[import-not-found]
import numpy as np  # type: ignore[import-not-found]

WORD_LINES = (
    "the a an and or but if then so to of in on at by for with from as is are was were be",
    "hello world mock model reply test token stream chunk data done ok yes no maybe",
    "cat dog bird fish tree sun moon star rain snow wind fire water stone river road",
    "red blue green white black small big fast slow new old good bad happy quiet loud",
    "one two three four five six seven eight nine ten",
    "run walk talk sing read write jump swim fly sleep eat drink think know see",
)
WORDS = [word for line in WORD_LINES for word in line.split()]

SPACE = "\u2581"  # how sentencepiece writes a leading space
N_EMBD, N_HEAD, N_HEAD_KV, N_FF, N_LAYER, N_CTX = 64, 4, 2, 128, 2, 4096


def vocabulary() -> tuple[list[str], list[int], list[float], int]:
    """Tokens, their types and scores, and the index of the first word token."""
    tokens = ["<unk>", "<s>", "</s>"]
    types = [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL]
    for byte in range(256):
        tokens.append(f"<0x{byte:02X}>")
        types.append(gguf.TokenType.BYTE)
    scores = [0.0] * len(tokens)
    singles = [SPACE] + [chr(c) for c in range(33, 127)]
    tokens += singles
    types += [gguf.TokenType.NORMAL] * len(singles)
    scores += [-1.0] + [-2.0] * (len(singles) - 1)
    first_word = len(tokens)
    for i, word in enumerate(WORDS):
        tokens.append(SPACE + word)
        types.append(gguf.TokenType.NORMAL)
        scores.append(-3.0 - i * 1e-3)
    tokens += [SPACE + ".", SPACE + ","]
    types += [gguf.TokenType.NORMAL] * 2
    scores += [-4.0, -4.0]
    return tokens, types, scores, first_word


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    def normal(*shape: int, scale: float = 0.1) -> object:
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    tokens, types, scores, first_word = vocabulary()
    head_dim = N_EMBD // N_HEAD
    writer = gguf.GGUFWriter(args.out, "llama")
    writer.add_name("tiny-random-llama")
    writer.add_context_length(N_CTX)
    writer.add_embedding_length(N_EMBD)
    writer.add_block_count(N_LAYER)
    writer.add_feed_forward_length(N_FF)
    writer.add_head_count(N_HEAD)
    writer.add_head_count_kv(N_HEAD_KV)
    writer.add_rope_dimension_count(head_dim)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_vocab_size(len(tokens))
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_unk_token_id(0)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    writer.add_chat_template(
        "{% for m in messages %}{{ m['role'] }}: "
        "{% if m['content'] is string %}{{ m['content'] }}{% endif %}\n{% endfor %}"
        "{% if add_generation_prompt %}assistant:{% endif %}"
    )

    # Column 0 of every embedding is a large constant, so after the final RMS norm h[0] > 0 always; output
    # rows with a very negative column 0 (specials, bytes, single characters) then never win.
    embeddings = normal(len(tokens), N_EMBD, scale=1.0)
    embeddings[:, 0] = 4.0  # type: ignore[index]
    writer.add_tensor("token_embd.weight", embeddings)
    for layer in range(N_LAYER):
        prefix = f"blk.{layer}"
        writer.add_tensor(f"{prefix}.attn_norm.weight", np.ones(N_EMBD, np.float32))
        writer.add_tensor(f"{prefix}.attn_q.weight", normal(N_EMBD, N_EMBD))
        writer.add_tensor(f"{prefix}.attn_k.weight", normal(N_HEAD_KV * head_dim, N_EMBD))
        writer.add_tensor(f"{prefix}.attn_v.weight", normal(N_HEAD_KV * head_dim, N_EMBD))
        writer.add_tensor(f"{prefix}.attn_output.weight", normal(N_EMBD, N_EMBD, scale=0.02))
        writer.add_tensor(f"{prefix}.ffn_norm.weight", np.ones(N_EMBD, np.float32))
        writer.add_tensor(f"{prefix}.ffn_gate.weight", normal(N_FF, N_EMBD))
        writer.add_tensor(f"{prefix}.ffn_up.weight", normal(N_FF, N_EMBD))
        writer.add_tensor(f"{prefix}.ffn_down.weight", normal(N_EMBD, N_FF, scale=0.02))
    writer.add_tensor("output_norm.weight", np.ones(N_EMBD, np.float32))
    output = normal(len(tokens), N_EMBD, scale=1.0)
    output[:, 0] = 0.0  # type: ignore[index]
    output[:first_word, 0] = -50.0  # type: ignore[index]
    writer.add_tensor("output.weight", output)

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    print(f"wrote {args.out}: vocab={len(tokens)} embd={N_EMBD} layers={N_LAYER}")


if __name__ == "__main__":
    main()
