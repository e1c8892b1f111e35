#!/usr/bin/python3
"""Independent cold-start references on an lmrec split (the bench's check).

usage: coldstart_ref.py FOLDS.tsv ITEMS.tsv [SEED]

FOLDS.tsv is what `lmrec-split --method cold` writes (user item ... fold):
the rows of held-out items are fold 'test'. ITEMS.tsv is an lmrec items
stream (item title ... attrs with genre=...). For every user with held-out
rows and training rows, all held-out items are ranked; Recall@20 = hits /
min(20, held-out items of the user), averaged over those users. Channels,
as ../shared/reference/coldstart.py has them (written again here so that
they read lmrec's split):
  random   a seeded shuffle
  profile  TF-IDF (sublinear) of title and genres; the user's profile is
           the mean of the history's vectors; cosine-free dot product
  aligned  iALS (64 factors, reg 1, alpha 1, 10 iterations) on the
           training rows, a ridge map (lambda 1) from TF-IDF onto the item
           factors fitted on the warm items, cold items scored by x_u . y
  blend    z-scored profile + z-scored aligned
Prints one line per channel: name, Recall@20, users.
Runs with Debian's python3-numpy, -scipy and -sklearn; never in make check."""
import csv, sys
from collections import defaultdict
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

folds_path, items_path = sys.argv[1], sys.argv[2]
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 0
csv.field_size_limit(1 << 30)

def rows(path):
    with open(path, newline='', encoding='utf-8') as f:
        r = csv.reader(f, delimiter='\t', quoting=csv.QUOTE_NONE)
        head = next(r)
        for row in r:
            yield dict(zip(head, row))

def unescape(s):
    return s.replace('\\t', '\t').replace('\\n', '\n').replace('\\r', '\r').replace('\\\\', '\\')

text = {}
for it in rows(items_path):
    genres = ' '.join(kv.split('=', 1)[1].replace('-', '') for kv in it.get('attrs', '').split(';')
                      if kv.startswith('genre='))
    text[it['item']] = unescape(it.get('title', '')) + ' ' + genres + ' ' + genres
train, test = defaultdict(list), defaultdict(set)
cold = set()
for r in rows(folds_path):
    if r['fold'] == 'test':
        test[r['user']].add(r['item'])
        cold.add(r['item'])
    elif r['fold'] == 'train':
        train[r['user']].append(r['item'])
warm = sorted({i for u in train for i in train[u]})
coldl = sorted(cold)
widx = {i: k for k, i in enumerate(warm)}
cidx = {i: k for k, i in enumerate(coldl)}
vec = TfidfVectorizer(sublinear_tf=True).fit([text.get(i, '') for i in warm + coldl])
Xw = vec.transform([text.get(i, '') for i in warm]).toarray()
Xc = vec.transform([text.get(i, '') for i in coldl]).toarray()
users = sorted(set(train) | set(test))
uidx = {u: k for k, u in enumerate(users)}
rr = [uidx[u] for u in train for _ in set(train[u])]
cc = [widx[i] for u in train for i in sorted(set(train[u]))]
R = sp.csr_matrix((np.ones(len(cc)), (rr, cc)), shape=(len(users), len(warm)))
f, reg, alpha = 64, 1.0, 1.0

def half(M, Y):
    YtY = Y.T @ Y
    out = np.zeros((M.shape[0], f))
    for r in range(M.shape[0]):
        idx = M.indices[M.indptr[r]:M.indptr[r + 1]]
        if len(idx):
            Yi = Y[idx]
            out[r] = np.linalg.solve(YtY + alpha * Yi.T @ Yi + reg * np.eye(f), (1 + alpha) * Yi.sum(0))
    return out

U = np.random.default_rng(1).normal(0, 0.01, (len(users), f))
V = np.random.default_rng(2).normal(0, 0.01, (len(warm), f))
Rt = R.T.tocsr()
for _ in range(10):
    U = half(R, V)
    V = half(Rt, U)
Vc = Xc @ np.linalg.solve(Xw.T @ Xw + 1.0 * np.eye(Xw.shape[1]), Xw.T @ V)
evu = [u for u in users if test[u] and train[u]]

def recall20(score):
    out = []
    for u in evu:
        s = score(u)
        top = np.argsort(-s, kind='stable')[:20]
        hits = len({coldl[t] for t in top} & test[u])
        out.append(hits / min(20, len(test[u])))
    return float(np.mean(out))

z = lambda x: (x - x.mean()) / (x.std() + 1e-9)
profile = lambda u: Xc @ Xw[[widx[i] for i in train[u]]].mean(0)
aligned = lambda u: Vc @ U[uidx[u]]
rnd = np.random.default_rng(seed + 1)
print('random\t%.4f\t%d' % (recall20(lambda u: rnd.random(len(coldl))), len(evu)))
print('profile\t%.4f\t%d' % (recall20(profile), len(evu)))
print('aligned\t%.4f\t%d' % (recall20(aligned), len(evu)))
print('blend\t%.4f\t%d' % (recall20(lambda u: z(profile(u)) + z(aligned(u))), len(evu)))
