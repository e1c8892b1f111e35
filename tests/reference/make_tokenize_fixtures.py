#!/usr/bin/python3
"""Makes the WordPiece fixtures of tests/lmrec-tokenize.bats.

    /usr/bin/python3 tests/reference/make_tokenize_fixtures.py

from the top of the source tree (standard library only) writes, in
tests/fixtures/tokenize/:

  wordpiece-lines.tsv      an items stream (item, text) of 363 lines: the
                           hand-written lines below (accents of many
                           languages, Greek, Cyrillic, CJK, Hangul, kana,
                           Thai, Arabic, Hebrew, Devanagari, emoji, control
                           and format characters, decomposed input, final
                           sigma, long and unknown words, e-mail-like and
                           URL-like strings, numbers, punctuation), lines
                           drawn at random (seeded) from a pool of fragments,
                           titles and texts of sample-data/items.tsv, and
                           one line of 8 of them (longer than 128 pieces);
  vocab.txt                an uncased vocabulary (lower case, no accents):
                           [PAD] [UNK] [CLS] [SEP] [MASK] and ten [unusedN],
                           the ASCII punctuation, single characters and their
                           ## forms, whole words, and word-start and ##
                           continuation pieces chosen by frequency from the
                           lines; some characters are left out on purpose
                           (emoji, a third of the CJK ideographs, Thai, þ, ŋ,
                           €) so that unknown words occur;
  vocab-cased.txt          the same, made from the text as it is;
  wordpiece-expected.tsv   wordpiece_ref.py over the lines with vocab.txt;
  wordpiece-cased-expected.tsv        ... with vocab-cased.txt (cased);
  wordpiece-short-expected.tsv        ... with vocab.txt, --max-length 12.

The files are committed; make check compares lmrec-tokenize with them and
never runs Python. Run this again only to change the fixtures, and review
the diff.
"""
import collections
import os
import random
import subprocess
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(TOP, "tests", "fixtures", "tokenize")
sys.path.insert(0, HERE)
import wordpiece_ref as ref  # noqa: E402

HAND = [
    "Crème Brûlée with a café au lait",
    "ÉCOLE NATIONALE SUPÉRIEURE",
    "Straße, STRASSE and the capital ẞ",
    "naïve coöperation façade jalapeño piñata",
    "São Paulo, Curaçao, Besançon, Zürich, Genève",
    "Łódź, Gdańsk, Kraków: żółć gęślą jaźń",
    "Příliš žluťoučký kůň úpěl ďábelské ódy",
    "Tiếng Việt có dấu: Hà Nội, Đà Nẵng, phở bò",
    "İstanbul ve Iğdır; ılık şeker ağacı",
    "Ærø, Ålesund, Øresund, Þórshöfn, Ísafjörður",
    "ΟΔΟΣ ΑΘΗΝΑΣ, Σοφία, οδός; ΣΟΦΟΣ. Ἀθῆναι",
    "Μουσική και ποίηση: ένα βιβλίο για όλους",
    "МОСКВА, Ёлка и ёж; Київ, їжак, ґанок",
    "Привет, мир! Это тест на русском языке.",
    "中文分词测试：北京欢迎你。",
    "日本語のテキスト、カタカナとひらがな。東京タワー",
    "한국어 문장입니다. 서울특별시",
    "ภาษาไทยไม่มีช่องว่างระหว่างคำ",
    "العربية: مَرْحَبًا بِكُمْ في المَطْعَم",
    "עִבְרִית: שָׁלוֹם עוֹלָם",
    "हिन्दी में लिखा हुआ वाक्य।",
    "Emoji: 🌶️ spicy 👍🏽 and 👨‍👩‍👧 family, ❤️ love",
    "Flags 🇫🇷🇩🇪 and keycaps 1️⃣ #️⃣",
    "Soft\u00adhyphen, zero\u200bwidth, no\u200cjoiner, joiner\u200d, BOM\ufeffhere",
    "bidi \u202athis\u202c and \u200fRTL mark\u200e",
    "non\u00a0breaking\u2009thin\u202fnarrow\u3000ideographic spaces",
    "line\u2028separator and paragraph\u2029separator",
    "control \u0007bell and \u001bescape and \u007fdelete",
    "Cafe\u0301 decomposed, ame\u0301lie\u0301, n\u0303, A\u030a",
    "e\u0323\u0302 and e\u0302\u0323 (marks in either order)",
    "ﬁne ﬂour, ﬀ ligatures, ½ cup, m², H₂O, №5",
    "ＦＵＬＬＷＩＤＴＨ ｌｅｔｔｅｒｓ　ａｎｄ　１２３",
    "Ⅻ o'clock, ⅷ, ① ② ③",
    "don't can’t won’t it's O'Neill rock'n'roll",
    "e-mail: jane.doe+tag@example.co.uk, bob@localhost",
    "Visit https://example.com/path?q=1&lang=fr#top or www.example.org.",
    "Call +44 (0)20 7946 0958 or 555-123-4567 today",
    "Card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00",
    "Prices: $5.99, €12,50, £3, ¥1000, 3.14159, 1,000,000, -42, +7",
    "Dates 2024-01-15, 15/01/2024, 10:30am, 1990s",
    "Quotes «guillemets» „Anführungszeichen“ “curly” ‘single’ 「括弧」",
    "Dashes – and — and ‒ and ― and - and ‐ ellipsis… bullets • ·",
    "Brackets (round) [square] {curly} <angle> ⟨math⟩",
    "Symbols: © ® ™ § ¶ † ‡ ° ± × ÷ ∞ ≠ ≤ √ ∑ µ",
    "ASCII !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ all of it",
    "Backslash \\ and tab\tand newline\nin the text",
    "unaffable unbelievably internationalization antidisestablishmentarianism",
    "pneumonoultramicroscopicsilicovolcanoconiosis is long",
    "a" * 99 + " ninety-nine a",
    "b" * 100 + " one hundred b",
    "c" * 101 + " one hundred and one c",
    "x" * 150,
    "supercalifragilisticexpialidocious" * 3,
    "Xyzzy plugh qwerty zxcvbnm asdfgh",
    "[CLS] [SEP] [UNK] [MASK] ## ##ing literally",
    "snake_case camelCase kebab-case dot.case PascalCase",
    "C++ C# F# .NET Node.js 3D 4K mp3 B2B",
    "ALL CAPS SHOUTING and Title Case Words",
    "   leading and trailing spaces   ",
    "",
    "!!!???...,,,;;;",
    "a",
    "Ω Ω K Å (ohm, Kelvin and angstrom signs)",
    "ΣΑΣ ΣΣ Σ. ΑΣ' Α'Σ",
    "dΣ dΣa Σ1 1Σ",
    "ǅ ǈ ǋ titlecase digraphs and Ǆ",
    "ﬀ ﬃ ﬄ ﬅ ﬆ",
    "Ｈｅｌｌｏ，ｗｏｒｌｄ！",
    "ŋ þ ð ħ ł đ",
    "مرحبا بالعالم ۱۲۳ ٤٥٦",
    "ア イ ウ エ オ ｱｲｳ",
    "丨 丶 丿 乙 亅 丷",
    "𠀀 𪜀 𫝀 (extension ideographs)",
    "豈 更 車 (compatibility ideographs)",
    "㐀㐁㐂 extension A",
    "Devanagari क्षत्रिय and ज्ञान",
    "Combining only: \u0301\u0302 after a space",
    "tab\tseparated\tvalues\tinside",
    "mixed東京and English混合text",
    "numbers 123 4567 89012 and 0.5",
    "100% sure, 50/50, 24/7, 9-5",
    "#hashtag @mention &amp; &lt;tag&gt;",
]

POOL = [
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "and", "or",
    "crème", "brûlée", "café", "naïve", "résumé", "über", "straße", "smörgåsbord",
    "Ελλάδα", "αλφάβητο", "ΣΟΦΙΑ", "σοφός", "Россия", "книга", "ЁЖ", "україна",
    "北京", "上海", "电脑", "日本", "テスト", "ひらがな", "서울", "음식", "ภาษา",
    "مرحبا", "שלום", "नमस्ते", "🌶️", "👍", "🍕", "❤️", "☕",
    "Hello", "WORLD", "Recommender", "systems", "tokenization", "unbelievable",
    "internationalization", "playing", "played", "player", "plays", "replay",
    "!", "?", ",", ".", ";", ":", "-", "—", "…", "(", ")", "\"", "'", "«", "»",
    "$5", "€10", "3.5", "1,000", "42", "2024", "0", "007", "1/2",
    "don't", "it's", "l'amour", "O'Brien", "rock'n'roll",
    "e\u0301", "A\u030a", "\u00ad", "\u200b", "\u00a0", "\ufeff", "\u200d",
    "Σ", "ΑΣ", "İ", "ı", "ß", "ẞ", "ﬁ", "½", "²", "Ω",
    "zxqv", "qwxz", "þorn", "ŋoma", "€uro", "ab" * 30,
]
SEPS = [" ", " ", " ", " ", "", "\u00a0", "\t", "\n", "  ", "\u3000"]


def drawn_lines(rng, n):
    out = []
    for _ in range(n):
        k = rng.randint(1, 14)
        parts = []
        for j in range(k):
            if j:
                parts.append(rng.choice(SEPS))
            parts.append(rng.choice(POOL))
        out.append("".join(parts))
    return out


def sample_lines(limit):
    path = os.path.join(TOP, "sample-data", "items.tsv")
    out = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        ct, cx = header.index("title"), header.index("text")
        for k, line in enumerate(f):
            if k % 13:
                continue
            fields = line.rstrip("\n").split("\t")
            out.append(ref.unescape(fields[ct]) + "\n" + ref.unescape(fields[cx]))
            if len(out) == limit:
                break
    return out


LEFT_OUT = {"þ", "ŋ", "€", "Þ", "Ŋ"}


def left_out(ch, cjk_rng_pick):
    cp = ord(ch)
    if ch in LEFT_OUT:
        return True
    if cp >= 0x1F000 or 0x2600 <= cp <= 0x27BF:  # emoji and dingbats
        return True
    if 0x0E00 <= cp <= 0x0E7F:  # Thai
        return True
    if ref.is_cjk(cp) and cjk_rng_pick(ch):
        return True
    return False


def build_vocab(lines, lowercase):
    words = collections.Counter()
    for line in lines:
        for tok in ref.basic_tokens(line, lowercase):
            words[tok] += 1
    # CJK ideographs left out: every third one in code point order
    cjk = sorted({ch for w in words for ch in w if ref.is_cjk(ord(ch))})
    cjk_out = set(cjk[::3])

    def skip(ch):
        return left_out(ch, lambda c: c in cjk_out)

    vocab = ["[PAD]"] + ["[unused%d]" % i for i in range(10)]
    vocab += ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    seen = set(vocab)

    def add(tok):
        if tok not in seen and tok.strip() == tok and tok:
            seen.add(tok)
            vocab.append(tok)

    for c in range(33, 127):
        ch = chr(c)
        if not ch.isalnum():
            add(ch)
    chars = sorted({ch for w in words for ch in w if not skip(ch)})
    for ch in chars:
        add(ch)
    for ch in chars:
        if not ref.is_punct(ch):
            add("##" + ch)
    # whole words by frequency (ties by text), without left-out characters
    usable = [w for w in words if not any(skip(ch) for ch in w) and len(w) > 1]
    usable.sort(key=lambda w: (-words[w], w))
    for w in usable[:600]:
        add(w)
    # continuation and word-start pieces of the other words
    rest = usable[600:]
    suffix, prefix = collections.Counter(), collections.Counter()
    for w in rest:
        for n in range(2, 6):
            if len(w) > n + 1:
                suffix["##" + w[-n:]] += words[w]
                prefix[w[:n + 1]] += words[w]
    for piece, _ in sorted(suffix.items(), key=lambda kv: (-kv[1], kv[0]))[:350]:
        add(piece)
    for piece, _ in sorted(prefix.items(), key=lambda kv: (-kv[1], kv[0]))[:250]:
        add(piece)
    return vocab


def escape(s):
    return ref.escape(s)


def main():
    rng = random.Random(20240515)
    samples = sample_lines(100)
    # and one line longer than 128 pieces, so the default truncation shows
    lines = HAND + drawn_lines(rng, 180) + samples + [" ".join(samples[:8])]
    os.makedirs(OUT, exist_ok=True)
    lines_path = os.path.join(OUT, "wordpiece-lines.tsv")
    with open(lines_path, "w", encoding="utf-8", newline="\n") as f:
        f.write("item\ttext\n")
        for k, line in enumerate(lines):
            f.write("l%03d\t%s\n" % (k + 1, escape(line)))
    # the vocabularies see the lines as they are
    uncased = build_vocab(lines, True)
    cased = build_vocab(lines, False)
    for name, vocab in (("vocab.txt", uncased), ("vocab-cased.txt", cased)):
        with open(os.path.join(OUT, name), "w", encoding="utf-8", newline="\n") as f:
            for tok in vocab:
                f.write(tok + "\n")
    script = os.path.join(HERE, "wordpiece_ref.py")
    runs = (("wordpiece-expected.tsv", "vocab.txt", []),
            ("wordpiece-cased-expected.tsv", "vocab-cased.txt", []),
            ("wordpiece-short-expected.tsv", "vocab.txt", ["--max-length", "12"]))
    for out, vocab, extra in runs:
        with open(os.path.join(OUT, out), "w", encoding="utf-8", newline="\n") as f:
            subprocess.run([sys.executable, script, os.path.join(OUT, vocab), lines_path] + extra,
                           stdout=f, check=True)
    print("%d lines, vocabularies of %d and %d tokens" % (len(lines), len(uncased), len(cased)))


if __name__ == "__main__":
    main()
