#!/usr/bin/python3
"""WordPiece reference for lmrec-tokenize: BERT's tokenizer, in plain Python.

A re-implementation of the tokenizer of Google's BERT (tokenization.py:
BasicTokenizer then WordpieceTokenizer), written from the description of
its algorithm, with the Python standard library only (unicodedata gives the
character categories and NFD). lmrec's C tokenizer (lib/wordpiece.c) must
give the same ids, token for token; tests/lmrec-tokenize.bats compares it
with the expected file this script writes.

    /usr/bin/python3 tests/reference/wordpiece_ref.py VOCAB LINES.tsv \\
        [--cased|--uncased] [--max-length N] > EXPECTED.tsv

LINES.tsv is an items stream (item, text: TSV with lmrec's escapes); the
output has lmrec-tokenize's columns for --wordpiece --no-mask --fields
text: item ids tokens masked. tests/reference/make_tokenize_fixtures.py
makes the vocabularies and the lines and runs this script over them.

The algorithm:
  basic tokenizer
    1. clean: drop U+0000, U+FFFD and control characters (categories Cc,
       Cf, but TAB, LF and CR); TAB, LF, CR and category Zs become spaces.
    2. put spaces around every CJK ideograph (the CJK Unified Ideographs
       blocks and extensions A-F, the compatibility ideographs).
    3. split on white space (str.split).
    4. uncased: each token lower-cased (str.lower), then NFD with the
       nonspacing marks (Mn) removed.
    5. split every punctuation character off as a token of its own
       (category P*, and every ASCII character that is not a letter, digit
       or space).
  wordpiece
    6. a token longer than 100 characters is [UNK]; otherwise, from its
       start, the longest prefix found in the vocabulary, then from there
       the longest "##"-prefixed continuation, and so on; if some position
       has no match at all, the whole token is one [UNK].
  ids: [CLS], the first max_length - 2 pieces, [SEP].
"""
import sys
import unicodedata

MAX_CHARS = 100


def load_vocab(path):
    vocab = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            tok = line.rstrip("\n").rstrip("\r")
            if tok in vocab:
                raise SystemExit(f"{path}:{n + 1}: duplicate token {tok!r}")
            vocab[tok] = n
    for special in ("[UNK]", "[CLS]", "[SEP]"):
        if special not in vocab:
            raise SystemExit(f"{path}: no {special}")
    return vocab


def is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF
            or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def is_space(ch):
    return ch in " \t\n\r" or unicodedata.category(ch) == "Zs"


def is_control(ch):
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf")


def is_punct(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def basic_tokens(text, lowercase):
    cleaned = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or is_control(ch):
            continue
        if is_space(ch):
            cleaned.append(" ")
        elif is_cjk(cp):
            cleaned.append(" " + ch + " ")
        else:
            cleaned.append(ch)
    out = []
    for tok in "".join(cleaned).split():
        if lowercase:
            tok = tok.lower()
            tok = "".join(c for c in unicodedata.normalize("NFD", tok)
                          if unicodedata.category(c) != "Mn")
        piece = []
        for ch in tok:
            if is_punct(ch):
                if piece:
                    out.append("".join(piece))
                    piece = []
                out.append(ch)
            else:
                piece.append(ch)
        if piece:
            out.append("".join(piece))
    return out


def wordpieces(word, vocab):
    if len(word) > MAX_CHARS:
        return ["[UNK]"]
    pieces = []
    start = 0
    while start < len(word):
        end = len(word)
        found = None
        while end > start:
            cand = word[start:end]
            if start > 0:
                cand = "##" + cand
            if cand in vocab:
                found = cand
                break
            end -= 1
        if found is None:
            return ["[UNK]"]
        pieces.append(found)
        start = end
    return pieces


def encode(text, vocab, lowercase, max_length):
    pieces = []
    for tok in basic_tokens(text, lowercase):
        pieces.extend(wordpieces(tok, vocab))
    toks = ["[CLS]"] + pieces[:max_length - 2] + ["[SEP]"]
    return [vocab[t] for t in toks], toks


def unescape(field):
    out, i = [], 0
    while i < len(field):
        c = field[i]
        if c == "\\" and i + 1 < len(field):
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[field[i + 1]])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def escape(s):
    return (s.replace("\\", "\\\\").replace("\t", "\\t")
            .replace("\n", "\\n").replace("\r", "\\r"))


def guess_lowercase(vocab):
    """Uncased unless 1% or more of the tokens (the bracketed special ones
    left aside) hold a capital letter."""
    plain = capitals = 0
    for tok in vocab:
        if tok.startswith("[") and tok.endswith("]") and len(tok) >= 3:
            continue
        plain += 1
        capitals += any(c.lower() != c for c in tok)
    return capitals * 100 < plain


def main(argv):
    args = list(argv[1:])
    lowercase = None
    max_length = 128
    if "--cased" in args:
        lowercase = False
        args.remove("--cased")
    if "--uncased" in args:
        lowercase = True
        args.remove("--uncased")
    if "--max-length" in args:
        k = args.index("--max-length")
        max_length = int(args[k + 1])
        del args[k:k + 2]
    if len(args) != 2:
        raise SystemExit(__doc__)
    vocab = load_vocab(args[0])
    if lowercase is None:
        lowercase = guess_lowercase(vocab)
    out = sys.stdout
    out.write("item\tids\ttokens\tmasked\n")
    with open(args[1], encoding="utf-8", newline="\n") as f:
        header = f.readline().rstrip("\n").split("\t")
        ci, ct = header.index("item"), header.index("text")
        for line in f:
            fields = line.rstrip("\n").split("\t")
            ids, toks = encode(unescape(fields[ct]), vocab, lowercase, max_length)
            out.write("%s\t%s\t%s\t0\n" % (fields[ci], " ".join(map(str, ids)),
                                           " ".join(escape(t) for t in toks)))


if __name__ == "__main__":
    main(sys.argv)
