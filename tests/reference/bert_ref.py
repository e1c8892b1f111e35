#!/usr/bin/python3
"""PyTorch reference of the BERT sentence encoder of lib/bert.c.

The architecture is written out here from the BERT paper and the layout of
Hugging Face's BertModel (the `transformers` library is not used): token,
position and token-type embeddings summed and layer-normalised; per layer,
multi-head self-attention with the padded keys masked out, a dense output
projection, residual and LayerNorm, then a feed-forward block with the exact
(erf) GELU, residual and LayerNorm; the sentence vector is the mean of the
last hidden states over the attention mask (sentence-transformers' mean
pooling), divided by its Euclidean norm.

Three uses:

  bert_ref.py fixture OUTDIR
      writes the fixtures of tests/unit/bert.c: a small random-weight model
      in the real safetensors layout and tensor names (OUTDIR/f32 and, with
      the same weights rounded to half precision, OUTDIR/f16), the token-id
      sequences (inputs.tsv) and the pooled, normalised vectors computed in
      float64 from the stored weights (expected.tsv, expected-f16.tsv).

  bert_ref.py embed OUTDIR
      writes the fixture of tests/lmrec-embed.bats: a small random-weight
      model folder in the layout of a sentence-transformers checkpoint
      (OUTDIR/model: config.json, model.safetensors, vocab.txt,
      sentence_bert_config.json with max_seq_length 16, 1_Pooling/
      config.json asking for mean pooling), an items stream (items.tsv:
      item, text), its WordPiece ids made by tests/reference/wordpiece_ref.py
      (wordpiece.tsv, what lmrec-tokenize --wordpiece --no-mask --fields text
      must write) and the vectors, each sequence cut to 16 ids as
      sentence-transformers cuts ([CLS], 14 pieces, [SEP]), pooled and
      normalised in float64 (expected.tsv, lmrec-embed's vectors stream).

  bert_ref.py bench DIR THREADS BATCH SEQ [REPS]
      loads DIR/config.json and DIR/model.safetensors (as written by
      tests/bench/encoder) and prints PyTorch's sentences per second for
      batches of BATCH random sequences of SEQ tokens on THREADS threads
      (median of REPS timed batches, one untimed first); used by
      tests/bench/encoder.sh when torch is installed.

Only Debian's python3-torch and python3-numpy are needed; nothing here is
needed by `make check`, which compares against the committed fixtures.
"""

import json
import math
import os
import statistics
import struct
import sys
import time

import numpy as np
import torch

# ---- safetensors, written and read by hand: u64 LE header length, JSON
# header, raw little-endian data ----

DTYPES = {"F32": ("<f4", 4), "F16": ("<f2", 2), "I64": ("<i8", 8)}


def save_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, dtype, numpy array); written in that order."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    blobs = []
    off = 0
    for name, dtype, arr in tensors:
        raw = np.ascontiguousarray(arr).astype(DTYPES[dtype][0]).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape),
                        "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def load_safetensors(path):
    with open(path, "rb") as f:
        buf = f.read()
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8:8 + n])
    base = 8 + n
    out = {}
    for name, t in header.items():
        if name == "__metadata__" or t["dtype"] not in ("F32", "F16"):
            continue
        b, e = t["data_offsets"]
        arr = np.frombuffer(buf[base + b:base + e], dtype=DTYPES[t["dtype"]][0])
        out[name] = torch.from_numpy(arr.astype(np.float32).reshape(t["shape"]))
    return out


# ---- the model ----


def layer_names(i):
    p = "encoder.layer.%d." % i
    return {
        "q": p + "attention.self.query", "k": p + "attention.self.key",
        "v": p + "attention.self.value", "o": p + "attention.output.dense",
        "ln1": p + "attention.output.LayerNorm", "i": p + "intermediate.dense",
        "out": p + "output.dense", "ln2": p + "output.LayerNorm",
    }


def random_weights(cfg, gen):
    """HF tensor names -> float32 tensors; scales chosen so that attention
    is far from uniform and GELU sees both signs."""
    h, inter = cfg["hidden_size"], cfg["intermediate_size"]

    def normal(*shape, std):
        return torch.randn(*shape, generator=gen, dtype=torch.float32) * std

    w = {
        "embeddings.word_embeddings.weight": normal(cfg["vocab_size"], h, std=1.0),
        "embeddings.position_embeddings.weight": normal(cfg["max_position_embeddings"], h, std=0.5),
        "embeddings.token_type_embeddings.weight": normal(cfg["type_vocab_size"], h, std=0.5),
        "embeddings.LayerNorm.weight": 1 + normal(h, std=0.1),
        "embeddings.LayerNorm.bias": normal(h, std=0.1),
    }
    for i in range(cfg["num_hidden_layers"]):
        n = layer_names(i)
        for key, (rows, cols) in (("q", (h, h)), ("k", (h, h)), ("v", (h, h)), ("o", (h, h)),
                                  ("i", (inter, h)), ("out", (h, inter))):
            w[n[key] + ".weight"] = normal(rows, cols, std=1.5 / math.sqrt(cols))
            w[n[key] + ".bias"] = normal(rows, std=0.1)
        for key in ("ln1", "ln2"):
            w[n[key] + ".weight"] = 1 + normal(h, std=0.1)
            w[n[key] + ".bias"] = normal(h, std=0.1)
    # BertModel's pooler: saved by sentence-transformers, unused by mean pooling
    w["pooler.dense.weight"] = normal(h, h, std=1 / math.sqrt(h))
    w["pooler.dense.bias"] = normal(h, std=0.1)
    return w


def encode(w, cfg, seqs, dtype=torch.float64):
    """Pooled, L2-normalised vectors of a batch of token-id lists (padded to
    the longest), computed in dtype."""
    h, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    dh = h // nh
    eps = cfg["layer_norm_eps"]
    w = {k: v.to(dtype) for k, v in w.items()}
    b = len(seqs)
    length = max(len(s) for s in seqs)
    ids = torch.zeros(b, length, dtype=torch.long)
    mask = torch.zeros(b, length, dtype=dtype)
    for r, s in enumerate(seqs):
        ids[r, :len(s)] = torch.tensor(s, dtype=torch.long)
        mask[r, :len(s)] = 1
    F = torch.nn.functional

    def linear(x, name):
        return F.linear(x, w[name + ".weight"], w[name + ".bias"])

    def norm(x, name):
        return F.layer_norm(x, (h,), w[name + ".weight"], w[name + ".bias"], eps)

    x = (w["embeddings.word_embeddings.weight"][ids]
         + w["embeddings.position_embeddings.weight"][:length].unsqueeze(0)
         + w["embeddings.token_type_embeddings.weight"][0])
    x = norm(x, "embeddings.LayerNorm")
    # as BertModel: the padded keys get the most negative number of the type
    add = (1.0 - mask)[:, None, None, :] * torch.finfo(dtype).min
    for i in range(cfg["num_hidden_layers"]):
        n = layer_names(i)

        def heads(t):
            return t.view(b, length, nh, dh).transpose(1, 2)

        q, k, v = heads(linear(x, n["q"])), heads(linear(x, n["k"])), heads(linear(x, n["v"]))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(dh) + add
        ctx = torch.matmul(torch.softmax(scores, dim=-1), v)
        ctx = ctx.transpose(1, 2).reshape(b, length, h)
        x = norm(linear(ctx, n["o"]) + x, n["ln1"])
        x = norm(linear(F.gelu(linear(x, n["i"])), n["out"]) + x, n["ln2"])
    pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1e-9)
    return F.normalize(pooled, p=2, dim=1)


# ---- fixture ----

FIXTURE_CONFIG = {
    "architectures": ["BertModel"],
    "model_type": "bert",
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "intermediate_size": 64,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
    "max_position_embeddings": 40,
    "type_vocab_size": 2,
    "vocab_size": 60,
    "layer_norm_eps": 1e-12,
    "initializer_range": 0.02,
    "pad_token_id": 0,
    "position_embedding_type": "absolute",
    "torch_dtype": "float32",
}
CLS, SEP = 2, 3


def fixture_sequences(gen, cfg):
    """36 sequences [CLS] ... [SEP] of lengths 2 to max_position_embeddings,
    in an order that mixes short and long ones in every batch."""
    lengths = [2, 3, 40, 5, 17, 2, 9, 33, 4, 12, 26, 7, 40, 11, 3, 21,
               8, 16, 30, 6, 14, 39, 10, 19, 2, 25, 13, 5, 35, 15, 18, 9, 28, 4, 22, 31]
    out = []
    for n in lengths:
        body = torch.randint(4, cfg["vocab_size"], (n - 2,), generator=gen).tolist()
        out.append([CLS] + body + [SEP])
    # the same sentence twice, and one using the whole vocabulary's edges
    out.append(list(out[4]))
    out.append([CLS, 0, 1, cfg["vocab_size"] - 1, SEP])
    return out


def write_tsv_vectors(path, vecs):
    with open(path, "w") as f:
        f.write("seq\t" + "\t".join("d%d" % j for j in range(vecs.shape[1])) + "\n")
        for r, v in enumerate(vecs.tolist()):
            f.write("s%d\t" % (r + 1) + "\t".join("%.9g" % x for x in v) + "\n")


def fixture(outdir):
    cfg = FIXTURE_CONFIG
    gen = torch.Generator().manual_seed(20261126)
    w = random_weights(cfg, gen)
    seqs = fixture_sequences(gen, cfg)
    order = sorted(w)  # the file's order: by name, as safetensors' writer does
    for sub, dtype in (("f32", "F32"), ("f16", "F16")):
        d = os.path.join(outdir, sub)
        os.makedirs(d, exist_ok=True)
        c = dict(cfg, torch_dtype="float32" if dtype == "F32" else "float16")
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(c, f, indent=2)
            f.write("\n")
        tensors = [(n, dtype, w[n].numpy()) for n in order]
        if dtype == "F16":
            # older checkpoints also keep BertModel's position_ids buffer
            pos = np.arange(cfg["max_position_embeddings"], dtype=np.int64)[None, :]
            tensors.insert(0, ("embeddings.position_ids", "I64", pos))
        save_safetensors(os.path.join(d, "model.safetensors"), tensors, {"format": "pt"})
    with open(os.path.join(outdir, "inputs.tsv"), "w") as f:
        f.write("seq\tids\n")
        for r, s in enumerate(seqs):
            f.write("s%d\t%s\n" % (r + 1, " ".join(map(str, s))))
    # expected vectors: float64 from the stored weights, in batches of 7
    # sequences of mixed lengths (padding and the mask at work)
    w16 = {k: v.half().float() for k, v in w.items()}
    for name, weights in (("expected.tsv", w), ("expected-f16.tsv", w16)):
        vecs = torch.cat([encode(weights, cfg, seqs[i:i + 7]) for i in range(0, len(seqs), 7)])
        # a batch does not change a sequence's vector
        alone = torch.cat([encode(weights, cfg, [s]) for s in seqs])
        assert (vecs - alone).abs().max().item() < 1e-12
        write_tsv_vectors(os.path.join(outdir, name), vecs)
    # how far float32 PyTorch is from the float64 truth, and f16 weights from f32
    v64 = encode(w, cfg, seqs)
    v32 = encode(w, cfg, seqs, torch.float32).double()
    v16 = encode(w16, cfg, seqs)
    print("float32 PyTorch vs float64: max abs diff %.3g" % (v32 - v64).abs().max().item())
    print("f16 weights vs f32 weights: max abs diff %.3g, min cosine %.6f"
          % ((v16 - v64).abs().max().item(), (v16 * v64).sum(1).min().item()))


# ---- the lmrec-embed fixture ----

EMBED_CONFIG = dict(FIXTURE_CONFIG, max_position_embeddings=24)
EMBED_MAX_SEQ = 16
EMBED_WORDS = ["the", "of", "and", "with", "a", "red", "wine", "cheese", "film", "old",
               "city", "night", "blue", "book", "song", "dark", "light", "garden", "river",
               "##s", "##ed", "##ing", "##er", "##ly"]
EMBED_ITEMS = [
    ("wine1", "A dark red wine with cheese"),
    ("film2", "The old blue film of the city"),
    ("book3", "Café crème and a naïve résumé"),
    ("song4", "Songs of the river, played lightly at night!"),
    ("long5", "the garden of the old city and the river of the night with a dark "
              "red light and blue songs"),
    ("dup6", "A dark red wine with cheese"),
    ("odd7", "ZEBRA ΩMEGA quoted 'words' - dashed"),
    ("empty8", ""),
]


def embed_vocab():
    toks = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    for c in "abcdefghijklmnopqrstuvwxyz":
        toks += [c, "##" + c]
    toks += list(".,!?'-")
    toks += [w for w in EMBED_WORDS if w not in toks]
    return toks


def embed_fixture(outdir):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import wordpiece_ref

    toks = embed_vocab()
    cfg = dict(EMBED_CONFIG, vocab_size=len(toks))
    gen = torch.Generator().manual_seed(20261127)
    w = random_weights(cfg, gen)
    d = os.path.join(outdir, "model")
    os.makedirs(os.path.join(d, "1_Pooling"), exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    with open(os.path.join(d, "sentence_bert_config.json"), "w") as f:
        json.dump({"max_seq_length": EMBED_MAX_SEQ, "do_lower_case": False}, f, indent=2)
        f.write("\n")
    with open(os.path.join(d, "1_Pooling", "config.json"), "w") as f:
        json.dump({"word_embedding_dimension": cfg["hidden_size"],
                   "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
                   "pooling_mode_max_tokens": False,
                   "pooling_mode_mean_sqrt_len_tokens": False}, f, indent=2)
        f.write("\n")
    with open(os.path.join(d, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("".join(t + "\n" for t in toks))
    save_safetensors(os.path.join(d, "model.safetensors"),
                     [(n, "F32", w[n].numpy()) for n in sorted(w)], {"format": "pt"})
    vocab = wordpiece_ref.load_vocab(os.path.join(d, "vocab.txt"))
    lowercase = wordpiece_ref.guess_lowercase(vocab)
    assert lowercase
    with open(os.path.join(outdir, "items.tsv"), "w", encoding="utf-8") as f:
        f.write("item\ttext\n")
        for item, text in EMBED_ITEMS:
            f.write("%s\t%s\n" % (item, wordpiece_ref.escape(text)))
    seqs = []
    with open(os.path.join(outdir, "wordpiece.tsv"), "w", encoding="utf-8") as f:
        f.write("item\tids\ttokens\tmasked\n")
        for item, text in EMBED_ITEMS:
            ids, pieces = wordpiece_ref.encode(text, vocab, lowercase, 128)
            f.write("%s\t%s\t%s\t0\n" % (item, " ".join(map(str, ids)),
                                           " ".join(wordpiece_ref.escape(t) for t in pieces)))
            # sentence-transformers: [CLS], the first max_seq_length - 2 pieces, [SEP]
            seqs.append(ids[:EMBED_MAX_SEQ - 1] + [ids[-1]] if len(ids) > EMBED_MAX_SEQ else ids)
    assert any(len(s) == EMBED_MAX_SEQ for s in seqs)
    vecs = encode(w, cfg, seqs)
    alone = torch.cat([encode(w, cfg, [s]) for s in seqs])
    assert (vecs - alone).abs().max().item() < 1e-12
    with open(os.path.join(outdir, "expected.tsv"), "w") as f:
        f.write("item\t" + "\t".join("d%d" % j for j in range(vecs.shape[1])) + "\n")
        for (item, _), v in zip(EMBED_ITEMS, vecs.tolist()):
            f.write(item + "\t" + "\t".join("%.9g" % x for x in v) + "\n")
    v32 = encode(w, cfg, seqs, torch.float32).double()
    print("float32 PyTorch vs float64: max abs diff %.3g" % (v32 - vecs).abs().max().item())


# ---- bench ----


def bench(d, threads, batch, seq, reps):
    torch.set_num_threads(threads)
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    w = load_safetensors(os.path.join(d, "model.safetensors"))
    gen = torch.Generator().manual_seed(1)
    times = []
    with torch.inference_mode():
        for r in range(reps + 1):
            ids = torch.randint(4, cfg["vocab_size"], (batch, seq - 2), generator=gen).tolist()
            seqs = [[CLS] + s + [SEP] for s in ids]
            t = time.perf_counter()
            encode(w, cfg, seqs, torch.float32)
            if r > 0:
                times.append(time.perf_counter() - t)
    print("%.1f" % (batch / statistics.median(times)))


def main(argv):
    if len(argv) == 2 and argv[0] == "fixture":
        fixture(argv[1])
    elif len(argv) == 2 and argv[0] == "embed":
        embed_fixture(argv[1])
    elif len(argv) in (5, 6) and argv[0] == "bench":
        bench(argv[1], int(argv[2]), int(argv[3]), int(argv[4]), int(argv[5]) if len(argv) == 6 else 3)
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
