#!/usr/bin/python3
"""PyTorch reference of lib/sasrec.c's SASRec, for tests/unit/sasrec.c.

Builds the same architecture from PyTorch's own modules (nn.Embedding,
nn.MultiheadAttention, nn.LayerNorm, nn.Linear) with weights given by a
formula that the C test computes too, runs a fixed batch, and writes
tests/fixtures/sasrec/forward.tsv: the final hidden state at every real
position, the last block's head-averaged attention of the last position,
the mean CE loss, and the CE gradient of every parameter by autograd, in
lmrec's parameter order (a linear layer's W is (in, out) there, the
transpose of nn.Linear's weight).

    /usr/bin/python3 tests/reference/sasrec_ref.py [OUT]

Only the fixture is needed by `make check`; PyTorch is not.
"""
import math
import sys

import torch
from torch import nn

ITEMS, DIM, BLOCKS, HEADS, MAXLEN, FFN = 20, 16, 2, 2, 8, 24
SEQ = [
    [3, 7, 1, 9, 12, 20, 5, 2],
    [0, 0, 0, 4, 4, 18, 11, 6],
    [0, 0, 0, 0, 0, 0, 0, 13],
    [0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 15, 8, 19, 2, 17, 10],
]
TGT = [
    [7, 1, 9, 12, 20, 5, 2, 14],
    [0, 0, 0, 4, 18, 11, 6, 1],
    [0, 0, 0, 0, 0, 0, 0, 3],
    [0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 8, 0, 2, 17, 10, 16],
]
NAMES = ["ln1_g", "ln1_b", "wq", "bq", "wk", "bk", "wv", "bv", "wo", "bo",
         "ln2_g", "ln2_b", "w1", "b1", "w2", "b2"]


def layout():
    """(name, rows, cols) of every tensor in lmrec's order."""
    t = [("item", ITEMS + 1, DIM), ("pos", MAXLEN, DIM)]
    for b in range(BLOCKS):
        for n in NAMES:
            rows, cols = 1, DIM
            if n in ("wq", "wk", "wv", "wo"):
                rows = DIM
            elif n == "w1":
                rows, cols = DIM, FFN
            elif n == "b1":
                cols = FFN
            elif n == "w2":
                rows = FFN
            t.append((f"block{b}.{n}", rows, cols))
    t += [("lnf_g", 1, DIM), ("lnf_b", 1, DIM)]
    return t


def weights():
    """The formula (the C test has the same): element i of the flat array,
    s = sin(0.37 i + 0.1); item and pos 0.3 s; a matrix 0.6 s / sqrt(rows);
    a LayerNorm gain 1 + 0.2 s; any other vector 0.1 s; item row 0 zero."""
    out, i = {}, 0
    for name, rows, cols in layout():
        v = []
        for _ in range(rows * cols):
            s = math.sin(0.37 * i + 0.1)
            if name in ("item", "pos"):
                x = 0.3 * s
            elif rows > 1:
                x = 0.6 * s / math.sqrt(rows)
            elif name.endswith("_g"):
                x = 1.0 + 0.2 * s
            else:
                x = 0.1 * s
            v.append(x)
            i += 1
        w = torch.tensor(v, dtype=torch.float64).float().reshape(rows, cols)
        if name == "item":
            w[0].zero_()
        out[name] = w if rows > 1 else w.reshape(cols)
    return out


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = nn.LayerNorm(DIM, eps=1e-8)
        self.attn = nn.MultiheadAttention(DIM, HEADS, batch_first=True)
        self.ln2 = nn.LayerNorm(DIM, eps=1e-8)
        self.fc1 = nn.Linear(DIM, FFN)
        self.fc2 = nn.Linear(FFN, DIM)


class SASRec(nn.Module):
    def __init__(self):
        super().__init__()
        self.item = nn.Embedding(ITEMS + 1, DIM, padding_idx=0)
        self.pos = nn.Embedding(MAXLEN, DIM)
        self.blocks = nn.ModuleList([Block() for _ in range(BLOCKS)])
        self.lnf = nn.LayerNorm(DIM, eps=1e-8)

    def load(self, w):
        with torch.no_grad():
            self.item.weight.copy_(w["item"])
            self.pos.weight.copy_(w["pos"])
            for b, k in enumerate(self.blocks):
                g = lambda n: w[f"block{b}.{n}"]
                k.ln1.weight.copy_(g("ln1_g"))
                k.ln1.bias.copy_(g("ln1_b"))
                k.attn.in_proj_weight.copy_(torch.cat([g("wq").T, g("wk").T, g("wv").T]))
                k.attn.in_proj_bias.copy_(torch.cat([g("bq"), g("bk"), g("bv")]))
                k.attn.out_proj.weight.copy_(g("wo").T)
                k.attn.out_proj.bias.copy_(g("bo"))
                k.ln2.weight.copy_(g("ln2_g"))
                k.ln2.bias.copy_(g("ln2_b"))
                k.fc1.weight.copy_(g("w1").T)
                k.fc1.bias.copy_(g("b1"))
                k.fc2.weight.copy_(g("w2").T)
                k.fc2.bias.copy_(g("b2"))
            self.lnf.weight.copy_(w["lnf_g"])
            self.lnf.bias.copy_(w["lnf_b"])

    def grads(self):
        """The gradients in lmrec's layout and order, as one flat list."""
        out = [self.item.weight.grad, self.pos.weight.grad]
        D = DIM
        for k in self.blocks:
            ipw, ipb = k.attn.in_proj_weight.grad, k.attn.in_proj_bias.grad
            out += [k.ln1.weight.grad, k.ln1.bias.grad,
                    ipw[:D].T, ipb[:D], ipw[D:2 * D].T, ipb[D:2 * D], ipw[2 * D:].T, ipb[2 * D:],
                    k.attn.out_proj.weight.grad.T, k.attn.out_proj.bias.grad,
                    k.ln2.weight.grad, k.ln2.bias.grad,
                    k.fc1.weight.grad.T, k.fc1.bias.grad, k.fc2.weight.grad.T, k.fc2.bias.grad]
        out += [self.lnf.weight.grad, self.lnf.bias.grad]
        return torch.cat([t.contiguous().reshape(-1) for t in out]).tolist()

    def forward(self, seq):
        n, L = seq.shape
        real = (seq != 0).unsqueeze(-1).float()
        x = self.item(seq) * math.sqrt(DIM) + self.pos(torch.arange(L)).unsqueeze(0)
        x = x * real
        # causal plus key padding; a padding query may see itself only, so
        # that no row is fully masked (its output is zeroed anyway)
        i = torch.arange(L)
        causal = i.unsqueeze(0) > i.unsqueeze(1)                   # (L, L): j > i
        pad = (seq == 0).unsqueeze(1) & ~torch.eye(L, dtype=torch.bool).unsqueeze(0)
        mask = (causal.unsqueeze(0) | pad).repeat_interleave(HEADS, dim=0)
        attw = None
        for k in self.blocks:
            a = k.ln1(x)
            o, attw = k.attn(a, a, a, attn_mask=mask, need_weights=True,
                             average_attn_weights=True)
            x = x + o
            x = x + k.fc2(torch.relu(k.fc1(k.ln2(x))))
            x = x * real
        return self.lnf(x), attw


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/sasrec/forward.tsv"
    torch.manual_seed(0)
    m = SASRec()
    m.load(weights())
    seq, tgt = torch.tensor(SEQ), torch.tensor(TGT)
    h, attw = m(seq)
    logits = h @ m.item.weight[1:].T
    sel = (seq != 0) & (tgt != 0)
    loss = nn.functional.cross_entropy(logits[sel], tgt[sel] - 1)
    loss.backward()
    grads = m.grads()
    with open(out, "w") as f:
        f.write("# made by tests/reference/sasrec_ref.py (PyTorch %s)\n" % torch.__version__)
        f.write("config\t%d\t%d\t%d\t%d\t%d\t%d\n" % (ITEMS, DIM, BLOCKS, HEADS, MAXLEN, FFN))
        for i, (s, t) in enumerate(zip(SEQ, TGT)):
            f.write("seq\t%d\t%s\n" % (i, "\t".join(map(str, s))))
            f.write("tgt\t%d\t%s\n" % (i, "\t".join(map(str, t))))
        for i, s in enumerate(SEQ):
            for l in range(MAXLEN):
                if s[l]:
                    f.write("h\t%d\t%d\t%s\n" % (i, l, "\t".join("%.9g" % v for v in h[i, l].tolist())))
            if s[-1]:
                f.write("attn\t%d\t%s\n" % (i, "\t".join("%.9g" % v for v in attw[i, -1].tolist())))
        f.write("loss\t%.9g\n" % loss.item())
        for j, g in enumerate(grads):
            f.write("grad\t%d\t%.9g\n" % (j, g))


if __name__ == "__main__":
    main()
