#!/usr/bin/python3
"""Seconds per epoch of the PyTorch reference SASRec (tests/reference/
sasrec_ref.py's model: the same architecture as lib/sasrec.c) trained the
way tests/bench/sasrec trains lmrec's: each user's items of MovieLens-100K's
u.data in time order (ties by item), the last maxlen + 1 of them (inputs
all but the last, targets shifted by one), left-padded; batches of 128
users in a shuffled order; softmax cross-entropy over every item at every
real position; Adam, learning rate 0.001. Width 50, 2 blocks, 1 head,
feed-forward 50, maxlen 200 (no dropout: the reference has none, and it
costs little). Prints one line an epoch: epoch, threads, loss, seconds.

    /usr/bin/python3 tests/reference/sasrec_train_ref.py u.data [EPOCHS] [THREADS] [DIM]

u.data: MovieLens-100K's, or any file in its layout (user item rating ts,
TAB-separated), such as tests/bench/sasrec.sh's stream of MovieLens-1M's
shape; DIM (default 50) is the width and the feed-forward size.

For the benchmark only; never run by make check."""
import os
import sys
import time
from collections import defaultdict

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sasrec_ref as ref  # noqa: E402

path = sys.argv[1]
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 1
dim = int(sys.argv[4]) if len(sys.argv) > 4 else 50
torch.set_num_threads(threads)
torch.manual_seed(1)

rows = defaultdict(list)
items = {}
with open(path) as f:
    for line in f:
        u, i, _, ts = line.split('\t')
        rows[u].append((int(ts), int(i)))
        items.setdefault(int(i), len(items) + 1)
MAXLEN = 200
ref.ITEMS, ref.DIM, ref.BLOCKS, ref.HEADS, ref.MAXLEN, ref.FFN = len(items), dim, 2, 1, MAXLEN, dim
seqs, tgts = [], []
for u in sorted(rows):
    s = [items[i] for _, i in sorted(rows[u])][-(MAXLEN + 1):]
    inp, tgt = s[:-1], s[1:]
    pad = MAXLEN - len(inp)
    seqs.append([0] * pad + inp)
    tgts.append([0] * pad + tgt)
seqs, tgts = torch.tensor(seqs), torch.tensor(tgts)

model = ref.SASRec()
with torch.no_grad():  # as lmrec_sasrec_init: Glorot-normal matrices and tables
    for name, p in model.named_parameters():
        if p.dim() > 1:
            torch.nn.init.xavier_normal_(p)
    model.item.weight[0].zero_()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for ep in range(1, epochs + 1):
    t0 = time.time()
    order = torch.randperm(len(seqs))
    total, batches = 0.0, 0
    for b in range(0, len(seqs), 128):
        idx = order[b:b + 128]
        s, t = seqs[idx], tgts[idx]
        h, _ = model(s)
        logits = h @ model.item.weight[1:].T            # (n, L, items)
        keep = (s != 0) & (t != 0)
        loss = torch.nn.functional.cross_entropy(logits[keep], t[keep] - 1)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item()
        batches += 1
    print(f"{ep}\t{threads}\t{total / batches:.4f}\t{time.time() - t0:.3f}", flush=True)
