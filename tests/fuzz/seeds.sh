#!/usr/bin/env bash
# Writes the hand-made seeds of the fuzz targets added with issue 9 into
# corpus/<target>/ (the first seeds of tsv, model and slots were made by
# hand earlier). Every seed is a few lines typed here, never dataset
# content. The corpus also keeps what the fuzzer found, merged in by `make
# merge-<target>` under libFuzzer's hash names; this script only rewrites
# the named seeds.
#
#   bash tests/fuzz/seeds.sh
#
# The first byte of most inputs is the harness's mode byte: see the top of
# each <target>_fuzz.c.
set -euo pipefail
cd "$(dirname "$0")/corpus"

# seed TARGET NAME FORMAT [ARG...]: printf FORMAT ARG... into TARGET/NAME
seed() {
	local dir=$1 name=$2
	shift 2
	mkdir -p "$dir"
	# shellcheck disable=SC2059 # the format is the seed
	printf "$@" >"$dir/$name"
}

# seedgz TARGET NAME MODE TEXT: the mode byte, then TEXT compressed by gzip
seedgz() {
	mkdir -p "$1"
	{
		# shellcheck disable=SC2059 # the mode byte, as an escape
		printf "$3"
		printf '%s' "$4" | gzip -9 -n -c
	} >"$1/$2"
}

# ---- gzip: mode, two position bytes, then the text ----
seed gzip one-member '\x00\x05\x00user\titem\tts\nu1\ti1\t1\nu2\ti2\t2\n'
seed gzip four-members '\x63\x11\x07first line\nsecond line\nthird\tline\nfourth\n'
seed gzip stored-blocks '\x01\x03\x00stored blocks: level 0\nno final newline'
seed gzip truncated '\x64\x09\x01user\titem\n1\t2\n3\t4\n5\t6\n'
seed gzip truncated-two-members '\x25\x40\x00a\nb\nc\nd\ne\nf\n'
seed gzip byte-changed '\x68\x21\x00user\titem\tts\nu1\ti1\t1\n'
seed gzip header-byte-changed '\x08\x04\x00the mtime field: no damage seen\n'
seed gzip trailing-garbage '\x6c\x02\x00a\tb\nc\td\n'
seed gzip cr-inside '\x61\x06\x00ok\nbad\rline\nafter\n'
seed gzip crlf '\x60\x00\x00a\r\nb\r\n'
seed gzip nul-and-backslash '\x60\x01\x00nul\x00byte\nback\\slash\n'
seed gzip pipe-separator '\xe0\x02\x00a|b|c\nd|e\n'
seed gzip empty '\x00\x00\x00'
seed gzip empty-members '\x13\x00\x00\n'
seed gzip looks-gzip '\x00\x00\x00\x1f\x8b\x08\x00plain bytes with the magic\n'
# trailing garbage after two members, and the second member's magic
# changed (0x8b ^ 4): both die since lib/gzin.c, where gzread read them as
# the members before
seed gzip trailing-garbage-two-members '\x6d\x05\x00a\tb\nc\td\n'
seed gzip later-magic-changed '\x69\x21\x00user\titem\nu1\ti1\nu2\ti2\nu3\ti3\n'

# ---- csv: mode (format, separator, header, encoding), then the file ----
seed csv csv-header '\x00user,item,ts\n1,2,3\n4,5,6\n'
seed csv csv-quoted '\x00item,title\n1,"Toy Story, ""the"" film"\n2,"two\nlines"\n3,plain\n'
seed csv csv-crlf '\x00a,b\r\n1,2\r\n"x\r\ny",3\r\n'
seed csv csv-semicolon-noheader '\x141;2;3\n4;5;6\n'
seed csv csv-tab '\x08a\tb\n1\t"q\tq"\n'
seed csv csv-pipe '\x0ca|b\n1|2\n'
seed csv csv-bad-quote '\x00a,b\n1,x"y\n2,3\n'
seed csv csv-text-after-quote '\x00a,b\n"q"x,1\n2,3\n'
seed csv csv-unclosed '\x00a,b\n1,"open\n2,3\n'
seed csv csv-ragged '\x00a,b,c\n1,2\n1,2,3,4\n1,2,3\n'
seed csv csv-latin1 '\x20name,city\nJos\xe9,K\xf6ln\n'
seed csv csv-auto '\x40name\nJos\xc3\xa9\nJos\xe9\n'
seed csv csv-bad-utf8 '\x00name\nbad\xff\n'
seed csv csv-bom '\x00\xef\xbb\xbfuser,item\n1,2\n'
seed csv csv-backslash-tab '\x00a,b\n"back\\slash","tab\there"\n'
seed csv csv-empty-lines '\x00a,b\n\n1,2\n\n\n3,4\n'
seed csv csv-header-only '\x00a,b\n'
seed csv csv-empty '\x00'
seed csv csv-cr-alone '\x00a,b\n1\r2,3\n'
seed csv raw-double-colon '\x021::Toy Story (1995)::Animation|Children'"'"'s\n2::Jumanji (1995)::Adventure\n'
seed csv raw-noheader '\x121::2::3\r\n4::5::6\r\n\n'
seed csv raw-pipe '\x06a|b\n1|2|3\n'
seed csv raw-bom '\x02\xef\xbb\xbfa::b\n1::2\n'
seed csv tsv-canonical '\x03user\titem\n1\t2\nback\\\\slash\ttab\\t\n'
seed csv tsv-bad-escape '\x03a\tb\n1\t\\x\n'
seed csv tsv-crlf '\x03a\tb\r\n1\t2\r\n'
seed csv tsv-bad-header '\x03User\tItem\n1\t2\n'
seed csv tsv-noheader '\x131\t2\n3\t4\n'
seedgz csv csv-gzip '\x00' $'user,item\n1,"a,b"\n'

# ---- safetensors: mode (bit 0: the harness writes the length), then the file ----
# With bit 0 the file is the JSON header, a NUL, then the data.
ST='\x01'
seed safetensors f32-2x2 "$ST"'{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}\x00\x00\x00\x80\x3f\x00\x00\x00\x3f\x00\x00\x00\xc0\x00\x00\x00\x00'
seed safetensors f32-wrong-shape '\x03{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}\x00\x00\x00\x80\x3f\x00\x00\x00\x3f'
seed safetensors f16-bf16 "$ST"'{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]}}\x00\x00\x3c\x01\x00\x80\x3f\x80\xbf'
seed safetensors f64 "$ST"'{"d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}\x00\x00\x00\x00\x00\x00\x00\xf0\x3f'
seed safetensors f64-too-big "$ST"'{"d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}\x00\xff\xff\xff\xff\xff\xff\xef\x7f'
seed safetensors f32-nan "$ST"'{"n":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}\x00\x00\x00\xc0\x7f'
seed safetensors f16-inf "$ST"'{"n":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}\x00\x00\x7c'
seed safetensors ints-and-bool "$ST"'{"i":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"BOOL","shape":[2],"data_offsets":[8,10]},"u":{"dtype":"U8","shape":[],"data_offsets":[10,11]}}\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x07'
seed safetensors metadata "$ST"'{"__metadata__":{"format":"pt","name":"tiny"},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}\x00\x00\x00\x80\x3f'
seed safetensors metadata-not-string "$ST"'{"__metadata__":{"n":1}}\x00'
seed safetensors empty-tensor "$ST"'{"z":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},"y":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}\x00'
seed safetensors no-tensors "$ST"'{}\x00'
seed safetensors overlap "$ST"'{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}\x00\x01\x02\x03'
seed safetensors gap "$ST"'{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}\x00\x01\x02'
seed safetensors trailing-bytes "$ST"'{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}\x00\x01\x02'
seed safetensors past-end "$ST"'{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}\x00\x00\x00'
seed safetensors backwards "$ST"'{"a":{"dtype":"U8","shape":[1],"data_offsets":[2,1]}}\x00\x01\x02'
seed safetensors unknown-dtype "$ST"'{"a":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}\x00'
seed safetensors shape-overflow "$ST"'{"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}}\x00'
seed safetensors negative "$ST"'{"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}}\x00\x01'
seed safetensors duplicate-key "$ST"'{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}\x00\x01'
seed safetensors not-object "$ST"'[1,2]\x00'
seed safetensors bad-json "$ST"'{"a":\x00'
seed safetensors control-name "$ST"'{"a\\u0001b":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}\x00\x01'
seed safetensors raw-length '\x00\x3a\x00\x00\x00\x00\x00\x00\x00{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}    \x00\x00\x80\x3f'
seed safetensors raw-length-past-end '\x00\xff\xff\xff\xff\xff\xff\xff\xff{}'
seed safetensors raw-short '\x00\x01\x02'

# ---- config: config.json, NUL, sentence_bert_config.json, NUL, 1_Pooling/config.json ----
TINY='{"model_type":"bert","hidden_size":4,"num_hidden_layers":1,"num_attention_heads":2,"intermediate_size":8,"max_position_embeddings":16,"type_vocab_size":2,"vocab_size":10,"layer_norm_eps":1e-12,"hidden_act":"gelu","position_embedding_type":"absolute"}'
seed config tiny '%s' "$TINY"
seed config tiny-int8 '%s ' "$TINY"
seed config tiny-sentence-transformers '%s\x00{"max_seq_length":8,"do_lower_case":false}\x00{"word_embedding_dimension":4,"pooling_mode_cls_token":false,"pooling_mode_mean_tokens":true,"pooling_mode_max_tokens":false}' "$TINY"
seed config tiny-max-seq-too-long '%s\x00{"max_seq_length":17}' "$TINY"
seed config tiny-cls-pooling '%s\x00\x00{"pooling_mode_cls_token":true,"pooling_mode_mean_tokens":true}' "$TINY"
seed config tiny-pooling-dim '%s\x00\x00{"pooling_mode_mean_tokens":true,"word_embedding_dimension":8}' "$TINY"
seed config tiny-four-heads '{"hidden_size":4,"num_hidden_layers":1,"num_attention_heads":4,"intermediate_size":8,"max_position_embeddings":16,"type_vocab_size":1,"vocab_size":10,"layer_norm_eps":0.5,"hidden_act":"gelu"}'
seed config minilm-sizes '{"architectures":["BertModel"],"attention_probs_dropout_prob":0.1,"hidden_act":"gelu","hidden_dropout_prob":0.1,"hidden_size":384,"initializer_range":0.02,"intermediate_size":1536,"layer_norm_eps":1e-12,"max_position_embeddings":512,"model_type":"bert","num_attention_heads":12,"num_hidden_layers":6,"pad_token_id":0,"position_embedding_type":"absolute","type_vocab_size":2,"use_cache":true,"vocab_size":30522}'
seed config heads-not-divisor '{"hidden_size":4,"num_hidden_layers":1,"num_attention_heads":3,"intermediate_size":8,"max_position_embeddings":16,"type_vocab_size":2,"vocab_size":10,"layer_norm_eps":1e-12,"hidden_act":"gelu"}'
seed config missing-eps '{"hidden_size":4,"num_hidden_layers":1,"num_attention_heads":2,"intermediate_size":8,"max_position_embeddings":16,"type_vocab_size":2,"vocab_size":10,"hidden_act":"gelu"}'
seed config eps-out-of-range '{"hidden_size":4,"num_hidden_layers":1,"num_attention_heads":2,"intermediate_size":8,"max_position_embeddings":16,"type_vocab_size":2,"vocab_size":10,"layer_norm_eps":1,"hidden_act":"gelu"}'
seed config relu '{"hidden_size":4,"num_hidden_layers":1,"num_attention_heads":2,"intermediate_size":8,"max_position_embeddings":16,"type_vocab_size":2,"vocab_size":10,"layer_norm_eps":1e-12,"hidden_act":"relu"}'
seed config roberta '{"model_type":"roberta","hidden_size":4}'
seed config relative-positions '{"model_type":"bert","position_embedding_type":"relative_key"}'
seed config size-as-string '{"hidden_size":"4"}'
seed config size-negative '{"hidden_size":-4}'
seed config size-float '{"hidden_size":4.0}'
seed config size-huge '{"hidden_size":99999999999999999999}'
seed config not-object '[]'
seed config bad-json '{"hidden_size":4,'
seed config duplicate-key '{"hidden_size":4,"hidden_size":4}'
seed config empty ''

# ---- vocab: mode (casing, masking, max_len), then vocab.txt ----
VOCAB='[PAD]\n[unused0]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\nwork\n##ing\n##s\nun\n##aff\n##able\nhello\n,\n!\nworld\ncafe\n中\n文\n<email>\n'
seed vocab uncased-detect "\xf8$VOCAB"
seed vocab uncased-masked "\x0e$VOCAB"
seed vocab cased '\x81[UNK]\n[CLS]\n[SEP]\nHello\nWorld\nCaf\xc3\xa9\n##s\nThe\n'
seed vocab cased-detect '\x40[UNK]\n[CLS]\n[SEP]\nHello\nWorld\nParis\n##s\nThe\nA\n'
seed vocab crlf '\x20[UNK]\r\n[CLS]\r\n[SEP]\r\nword\r\n'
seed vocab no-final-newline '\x20[UNK]\n[CLS]\n[SEP]'
seed vocab missing-sep '\x00[UNK]\n[CLS]\nword\n'
seed vocab missing-all '\x00word\n'
seed vocab duplicate '\x00[UNK]\n[CLS]\n[SEP]\nword\nword\n'
seed vocab empty-line '\x00[UNK]\n\n[CLS]\n[SEP]\n'
seed vocab space-inside '\x00[UNK]\n[CLS]\n[SEP]\ntwo words\n'
seed vocab tab-inside '\x00[UNK]\n[CLS]\n[SEP]\ntwo\twords\n'
seed vocab nbsp-inside '\x00[UNK]\n[CLS]\n[SEP]\ntwo\xc2\xa0words\n'
seed vocab bad-utf8 '\x00[UNK]\n[CLS]\n[SEP]\nbad\xc3\n'
seed vocab cr-inside '\x00[UNK]\n[CLS]\n[SEP]\nbad\rcr\n'
seed vocab nul '\x00[UNK]\n[CLS]\n[SEP]\nnul\x00\n'
seed vocab empty '\x00'
seedgz vocab gzip '\x18' $'[UNK]\n[CLS]\n[SEP]\nzipped\n##ly\n'

# ---- vec: mode (format, keep, round trip), then the file ----
seed vec text-header '\x003 2\nthe 0.1 0.2\na 1 2\nx -1 1e-3\n'
seed vec text-header-round-trip '\x083 2\nthe 0.1 0.2\nback\\slash 1 2\ncaf\xc3\xa9 -0 1e-45\n'
seed vec glove-keep '\x04the 0.1 0.2 0.3\nking 1 2 3\nqueen 4 5 6\n'
seed vec glove-keep-round-trip '\x0cthe 0.5\nx 0.25\nzz 1\n'
seed vec trailing-spaces-crlf '\x002 1\r\nthe 1 \r\na 2  \r\n'
seed vec ragged '\x00the 1 2\na 1\n'
seed vec not-a-number '\x00the 1 x\n'
seed vec nan '\x00the 1 nan\n'
seed vec duplicate '\x00the 1\nthe 2\n'
seed vec count-differs '\x003 1\nthe 1\n'
seed vec dim-out-of-range '\x002 0\nthe 1\n'
seed vec empty-word '\x00 1 2\n'
seed vec word-only '\x00the\n'
seed vec empty '\x00'
seedgz vec text-gzip '\x08' $'2 2\nzip 1 2\nped 3 4\n'
seed vec bin-two '\x012 2\nthe \x00\x00\x80\x3f\x00\x00\x00\x40\na \x00\x00\x00\x3f\x00\x00\x80\xbf\n'
seed vec bin-round-trip-nul-word '\x092 1\ntab\tword \x00\x00\x80\x3f\nnul\x00word \x00\x00\x00\x40'
seed vec bin-keep '\x052 1\nthe \x00\x00\x80\x3f\nother \x00\x00\x00\x40'
seed vec bin-truncated '\x012 2\nthe \x00\x00\x80\x3f'
seed vec bin-nan '\x011 1\nthe \x00\x00\xc0\x7f'
seed vec bin-duplicate '\x012 1\nthe \x00\x00\x80\x3f\nthe \x00\x00\x80\x3f'
seed vec bin-no-header '\x01the \x00\x00\x80\x3f'
seed vec bin-empty-word '\x011 1\n \x00\x00\x80\x3f'
seed vec stream-item '\x02item\td0\td1\nA\t0.1\t0.2\nB\t-1\t1e3\n'
seed vec stream-user '\x03user\tother\td1\td0\nu1\tx\t1\t2\n'
seed vec stream-gap '\x02item\td0\td2\nA\t1\t2\n'
seed vec stream-no-dims '\x02item\tx\nA\t1\n'
seed vec stream-duplicate '\x02item\td0\nA\t1\nA\t2\n'
seed vec stream-empty-id '\x02item\td0\n\t1\n'
seed vec stream-missing-key '\x03item\td0\nA\t1\n'

# ---- turns: the stream ----
H='session\tuser\tturn\ttext'
seed turns two-turns "$H"'\ns1\tu1\t1\thello\ns1\tu1\t2\tsomething warm\\tand dry\n'
seed turns out-of-order "$H"'\ns1\tu1\t3\tc\ns2\tu2\t1\tx\ns1\tu1\t1\ta\ns1\tu1\t2\tb\n'
seed turns answers "$H"'\treply_to\ns1\tu1\t1\ta tent\t\ns1\tu1\t2\tyes\tpeople\ns1\tu1\t2\tblue\tcolor\n'
seed turns answer-twice "$H"'\treply_to\ns1\tu1\t1\tyes\tpeople\ns1\tu1\t2\tno\tpeople\n'
seed turns turn-twice "$H"'\ns1\tu1\t1\ta\ns1\tu1\t1\tb\n'
seed turns other-user "$H"'\ns1\tu1\t1\ta\ns1\tu2\t2\tb\n'
seed turns turn-zero "$H"'\ns1\tu1\t0\ta\n'
seed turns turn-not-integer "$H"'\ns1\tu1\tone\ta\n'
seed turns empty-session "$H"'\n\tu1\t1\ta\n'
seed turns empty-user "$H"'\ns1\t\t1\ta\n'
seed turns missing-text 'session\tuser\tturn\ns1\tu1\t1\n'
seed turns header-only "$H"'\n'
seed turns crlf "$H"'\r\ns1\tu1\t1\ta\r\n'
seed turns extra-column "$H"'\tmood\ns1\tu1\t1\ta\thappy\n'
seedgz turns gzip '' $'session\tuser\tturn\ttext\ns1\tu1\t1\tzipped\n'

# ---- regression inputs of bugs the fuzzers found (kept by name) ----
# config: sizes in range but far beyond the weights; the loader allocated
# vocab_size x hidden_size floats before checking the tensor's shape.
seed config huge-sizes-allocated-before-checked '{"hidden_size":65536,"num_hidden_layers":1,"num_attention_heads":1,"intermediate_size":8,"max_position_embeddings":16,"type_vocab_size":2,"vocab_size":16777216,"layer_norm_eps":1e-12,"hidden_act":"gelu"}'
# turns: a session that only answers has no array of free turns; sorting
# it called qsort(NULL, 0, ...), undefined behaviour (UBSan).
seed turns session-of-answers-only "$H"'\treply_to\ns1\tu1\t1\tyes\tpeople\ns2\tu2\t1\ta tent\t\n'
# wordvec: a word of a binary file holding a NUL was written to a text
# file, which the text reader refuses (mode 9: binary, round trip).
# (the seed bin-round-trip-nul-word above)
# csv: a record of empty fields only (";" here) left the record buffer
# unallocated, and the fields were made by adding 0 to a null pointer
# (UBSan).
seed csv csv-empty-fields-only '\x15;'

# ---- profile: mode (bit 0: checksums made right; bit 1: header counts too), then a store ----
# The stores are made by bin/lmrec-profile (run `make` first) from the
# typed lines below.
profile_seeds() {
	local tool="$PWD/../../../bin/lmrec-profile" t
	[ -x "$tool" ] || { echo "seeds.sh: $tool is not built: run 'make'" >&2; return 1; }
	t=$(mktemp -d "${TMPDIR:-/tmp}/lmrec-seeds.XXXXXX")
	mkdir -p profile
	printf 'item\tcategory\tattrs\tdomain\np1\tpark\tsetting=outdoor;crowd=busy\tplaces\nf1\tstreet-food\tspice=hot\tfood\ni\\tx\tcaf\\\\e\tnote=a\\nb\t\n' >"$t/items.tsv"
	printf 'user\titem\tts\tweight\tevent\nu1\tp1\t1793923200\t1\tpurchase\nu2\tf1\t1793923200\t2\trating\nu\\t3\ti\\tx\t1794009600\t1\tclick\nu1\tf1\t1794009600\t1\tview\n' >"$t/in.tsv"
	printf 'user\titem\tts\tsignal\tvalue\nu1\tp1\t1794009600\tnot_interested\t\nu2\tf1\t1794009600\tdwell\t45\n' >"$t/fb.tsv"
	head -n 1 "$t/in.tsv" >"$t/empty.tsv"
	up() { "$tool" -q --store "$t/$1" --update --items "$t/items.tsv" --half-life 2 --date "$2" "${@:3}"; }
	up one.lmp 2026-11-07 --feedback "$t/fb.tsv" "$t/in.tsv"
	up two.lmp 2026-11-06 "$t/in.tsv"
	cp "$t/two.lmp" "$t/first.lmp"
	up two.lmp 2026-11-07 --feedback "$t/fb.tsv" "$t/in.tsv"
	cp "$t/first.lmp" "$t/torn.lmp"
	LMREC_PROFILE_CRASH_AFTER=150 up torn.lmp 2026-11-07 --feedback "$t/fb.tsv" "$t/in.tsv" 2>/dev/null || true
	up empty.lmp 2026-11-07 "$t/empty.tsv"
	{ printf '\x00'; cat "$t/one.lmp"; } >profile/one-night
	{ printf '\x00'; cat "$t/two.lmp"; } >profile/two-batches
	{ printf '\x00'; cat "$t/torn.lmp"; } >profile/torn-tail
	{ printf '\x00'; cat "$t/empty.lmp"; } >profile/no-users
	# a weight changed, checksums made right by the harness
	{ printf '\x01'; head -c 100 "$t/one.lmp"; printf X; tail -c +102 "$t/one.lmp"; } >profile/checksums-fixed
	# the first night's header over both batches: mode 3 commits them all
	{ printf '\x03'; head -c 64 "$t/first.lmp"; tail -c +65 "$t/two.lmp"; } >profile/header-counts-fixed
	rm -rf "$t"
}
profile_seeds
