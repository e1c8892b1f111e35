/* lmrec — simulated conversations of the synthetic world (see synth.h and
 * lmrec-synth(1), section CONVERSATIONS).
 *
 * A session is a user of the world who wants a hidden target item. The
 * user opens with a free request that describes some of the target (one to
 * three things: its attributes in the catalog's own words or in words the
 * catalog never uses, a scenario that implies attributes, a value the
 * target does not have, ruled out), sometimes names the category, and
 * sometimes gets a detail wrong and corrects it in a later free turn. Then
 * come the user's truthful answers to a question about every attribute
 * key of the target's domain (reply_to = the key), which lmrec-chat
 * consumes when it asks about that key.
 *
 * The lexicon below (synonyms, scenarios, sentence templates) is the
 * simulated users' own language. It lives here and nowhere else: the
 * conversation tools must understand requests from the catalog and its
 * vectors, never from this list, or the test would test nothing.
 *
 * Every session draws from its own random stream (LMREC_SYNTH_RNG_TALK,
 * session number), so session k is the same whatever the number of
 * sessions, and the other streams of the world do not change. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synth.h"
#include "synth_str.h"
#include "util.h"

#define MAX_KV 32   /* attributes of one item (as synth_catalog.c) */
#define MAX_KEYS 16 /* keys of one domain */

#define BUG(...) lmrec_die(LMREC_EXIT_FAIL, "internal error in the conversation lexicon: " __VA_ARGS__)

/* ==== the lexicon ====
 *
 * One entry per attribute value: "key=value", or "domain:key=value" where
 * the words depend on the domain (that one wins). Lists are
 * '|'-separated alternatives. In cat and syn each alternative starts with
 * its form: "a:" a modifier that goes before the noun ("a waterproof
 * jacket") or after "something" ("something waterproof"), "p:" a phrase
 * after the noun ("a jacket for the slopes"), "s:" a noun that follows the
 * category's noun or stands for it ("a comedy series", "a film").
 *   cat  the catalog's own words: attribute values and words of the texts
 *   syn  synonyms and paraphrases the catalog never uses (tests check the
 *        sample catalog holds none of them)
 *   neg  how a user rules the value out ("nothing heavy")
 *   ans  how a user names the value when asked about its key */
struct talk_word {
	const char *feat, *cat, *syn, *neg, *ans;
};

static const struct talk_word words[] = {
	/* ---- shop ---- */
	{.feat = "use=hiking",
	 .cat = "a:hiking|p:for hiking|p:for trekking|p:for the trail|p:for hill walks",
	 .syn = "a:hillwalking|p:for hillwalking|p:for rambling|p:for fell walking|p:for backcountry trips|p:for tramping through the hills",
	 .ans = "hiking|for hiking|trekking|hillwalking|rambling|mostly hill walks|for the trails"},
	{.feat = "use=running",
	 .cat = "a:running|p:for running|p:for jogs|p:for tempo runs",
	 .syn = "a:jogging|p:for jogging|p:for my 5k|p:for pounding the pavement|p:for marathon training|p:for parkrun",
	 .ans = "running|for running|jogging|for my runs|marathon training"},
	{.feat = "use=city",
	 .cat = "a:urban|p:for the city|p:for the commute|p:for town",
	 .syn = "a:smart-casual|p:for commuting to work|p:for the office|p:for getting around the metropolis|p:for nine-to-five wear",
	 .neg = "nothing for the office|nothing too smart",
	 .ans = "the city|for the commute|office wear|commuting|getting around town"},
	{.feat = "use=skiing",
	 .cat = "a:ski|p:for skiing|p:for the slopes|p:for the piste",
	 .syn = "a:snowboarding|p:for snowboarding|p:for a ski holiday|p:for carving down the mountain|p:for the chairlift",
	 .ans = "skiing|for the slopes|snowboarding|for a ski holiday|the piste"},
	{.feat = "use=camping",
	 .cat = "a:camping|p:for camping|p:for the campsite|p:for nights under canvas",
	 .syn = "p:for wild camping|p:for car camping|p:for festivals|p:for pitching up in a field|p:for sleeping out under the stars",
	 .ans = "camping|for camping|wild camping|festivals|the campsite"},
	{.feat = "use=travel",
	 .cat = "a:travel|a:travel-friendly|p:for travel|p:for trips|p:for long journeys",
	 .syn = "a:holiday|p:for holidays abroad|p:for jet-setting|p:for flying|p:for my gap year|p:for hopping between airports",
	 .ans = "travel|travelling|holidays|trips abroad|for flights"},
	{.feat = "use=climbing",
	 .cat = "a:climbing|p:for climbing|p:for scrambles|p:for crag days",
	 .syn = "a:bouldering|p:for bouldering|p:for rock climbing|p:for the climbing wall|p:for multi-pitch routes",
	 .ans = "climbing|bouldering|rock climbing|scrambling"},
	{.feat = "use=everyday",
	 .cat = "a:everyday|p:for daily wear|p:for everyday errands",
	 .syn = "a:casual|a:day-to-day|p:to wear all the time|p:for pottering about|p:for knocking about in",
	 .ans = "everyday|casual|day-to-day|just everyday use"},
	{.feat = "warmth=low",
	 .cat = "a:breezy|a:cool and airy|a:thin|p:with no insulation",
	 .syn = "a:unlined|a:uninsulated|p:that won't make me sweat|p:that won't cook me",
	 .neg = "nothing thin|nothing flimsy|nothing unlined",
	 .ans = "not too warm|thin|unlined|cool|no insulation"},
	{.feat = "warmth=mid",
	 .cat = "a:moderately insulated|a:middleweight|p:warm enough for cool evenings",
	 .syn = "a:medium-warm|a:mildly padded|p:for chilly autumn days|p:for spring and autumn",
	 .ans = "medium warmth|moderately warm|in between|medium"},
	{.feat = "warmth=high",
	 .cat = "a:warm|a:insulated|a:seriously warm|p:for freezing days",
	 .syn = "a:toasty|a:super warm|a:heavily padded|p:that keeps the chill out|p:for arctic cold|p:for bitter winters",
	 .neg = "nothing too warm|nothing I'll overheat in|nothing sweltering",
	 .ans = "warm|very warm|toasty|the warmer the better|properly warm"},
	{.feat = "waterproof=yes",
	 .cat = "a:waterproof|a:storm-proof|p:that keeps the rain out|p:that stays dry in a downpour",
	 .syn = "a:watertight|a:weatherproof|p:that keeps me dry|p:for wet weather|p:that won't leak in the rain|p:for soggy days",
	 .ans = "waterproof"},
	{.feat = "waterproof=no",
	 .cat = "a:breathable|p:for dry days|p:for fair weather",
	 .syn = "p:for dry spells|p:for when it isn't raining",
	 .neg = "doesn't need to be waterproof|no need for rainproofing",
	 .ans = "not waterproof"},
	{.feat = "weight=light",
	 .cat = "a:light|a:lightweight|a:ultralight|a:featherweight",
	 .syn = "a:featherlight|a:ultra-light|a:super-light|p:that weighs almost nothing|p:that won't weigh me down|p:that's easy to carry",
	 .ans = "light|lightweight|featherlight|as light as possible|the lighter the better|ultra-light"},
	{.feat = "weight=mid",
	 .cat = "a:sturdy|p:of a sensible weight",
	 .syn = "a:medium-weight|a:middling|p:not too heavy and not too light",
	 .ans = "medium weight|in between|not too heavy|middling"},
	{.feat = "weight=heavy",
	 .cat = "a:heavy-duty|a:rugged|a:solid",
	 .syn = "a:hefty|a:robust|a:chunky|a:bombproof|p:built like a tank",
	 .neg = "nothing heavy|not too heavy|nothing bulky|nothing that weighs a ton|nothing chunky",
	 .ans = "heavy-duty|sturdy and solid|hefty|robust|bombproof"},
	{.feat = "shop:season=winter",
	 .cat = "a:winter|p:for winter|p:for the cold months|p:for snowy days",
	 .syn = "a:cold-weather|p:for the colder months|p:for when it snows|p:for frosty weather|p:for December",
	 .neg = "nothing wintry|nothing just for winter",
	 .ans = "winter|for winter|the cold season|cold weather"},
	{.feat = "shop:season=summer",
	 .cat = "a:summer|p:for summer|p:for hot sunny days",
	 .syn = "a:warm-weather|a:summery|p:for a heatwave|p:for the hot months|p:for July",
	 .neg = "nothing summery|nothing just for summer",
	 .ans = "summer|for summer|hot weather|for the heat"},
	{.feat = "shop:season=all",
	 .cat = "a:all-year|a:year-round|p:for any season|p:for every season",
	 .syn = "a:all-season|p:for all weathers|p:that works all year",
	 .ans = "any season|all year|year-round|all seasons"},
	{.feat = "shop:price=low",
	 .cat = "a:affordable|a:budget-friendly|a:cheap|p:easy on the wallet|p:on a budget",
	 .syn = "a:inexpensive|a:wallet-friendly|a:bargain|p:that won't break the bank|p:under fifty quid",
	 .neg = "nothing cheap|nothing cheap and nasty|no bargain-bin stuff",
	 .ans = "cheap|affordable|as cheap as possible|inexpensive|on a budget"},
	{.feat = "shop:price=mid",
	 .cat = "a:fairly priced|a:mid-range",
	 .syn = "a:moderately priced|a:middle-of-the-road|p:at a normal price",
	 .ans = "mid-range|moderate|medium price|not too expensive"},
	{.feat = "shop:price=high",
	 .cat = "a:premium|a:high-end|a:top-of-the-range",
	 .syn = "a:luxury|a:posh|a:fancy|a:top-notch|a:designer",
	 .neg = "nothing expensive|nothing too pricey|nothing posh|nothing too dear",
	 .ans = "premium|high-end|the best money can buy|luxury|price is no object"},
	{.feat = "material=down",
	 .cat = "a:down|a:goose-down|p:with down insulation",
	 .syn = "a:feather-filled|a:downy|p:stuffed with duck feathers",
	 .neg = "no down|nothing with feathers|no animal down",
	 .ans = "down|goose down|feather-filled"},
	{.feat = "material=synthetic",
	 .cat = "a:synthetic|p:with synthetic fill",
	 .syn = "a:man-made|a:polyester-filled|p:with artificial fibres",
	 .neg = "nothing synthetic|no man-made fibres|no polyester",
	 .ans = "synthetic|man-made|polyester"},
	{.feat = "material=merino",
	 .cat = "a:merino|p:in merino wool",
	 .syn = "a:itch-free woolly|p:from fine sheep's wool",
	 .neg = "no merino",
	 .ans = "merino|merino wool"},
	{.feat = "material=wool",
	 .cat = "a:wool|a:woollen|a:knitted",
	 .syn = "a:woolly|a:tweedy|p:made of sheep's wool",
	 .neg = "no wool|nothing woolly|nothing itchy",
	 .ans = "wool|woolly|knitted"},
	{.feat = "material=nylon",
	 .cat = "a:nylon|a:ripstop",
	 .syn = "a:polyamide|p:in a tough man-made weave",
	 .neg = "no nylon",
	 .ans = "nylon|ripstop"},
	{.feat = "material=recycled",
	 .cat = "a:recycled|a:eco-conscious",
	 .syn = "a:sustainable|a:eco-friendly|a:upcycled|a:planet-friendly|p:made from old plastic bottles",
	 .ans = "recycled|something sustainable|eco-friendly|upcycled"},
	{.feat = "material=cotton",
	 .cat = "a:cotton|a:organic cotton",
	 .syn = "a:cottony|p:in natural fibre",
	 .neg = "no cotton",
	 .ans = "cotton"},
	{.feat = "material=linen",
	 .cat = "a:linen",
	 .syn = "a:flax|p:made of flax",
	 .ans = "linen|flax"},
	{.feat = "material=leather",
	 .cat = "a:leather|a:full-grain leather",
	 .syn = "a:hide|a:cowhide|p:made of hide",
	 .neg = "no leather|nothing made from animals|no animal skin",
	 .ans = "leather|cowhide"},
	{.feat = "material=canvas",
	 .cat = "a:canvas|a:waxed canvas",
	 .syn = "a:oilskin|a:duck-cloth",
	 .neg = "no canvas",
	 .ans = "canvas|oilskin"},
	{.feat = "material=mesh",
	 .cat = "a:mesh|p:with mesh panels",
	 .syn = "a:well-ventilated|a:perforated",
	 .ans = "mesh|well-ventilated"},
	{.feat = "material=aluminium",
	 .cat = "a:aluminium",
	 .syn = "a:aluminum|a:alloy",
	 .ans = "aluminium|aluminum|alloy"},
	{.feat = "material=steel",
	 .cat = "a:steel|a:stainless steel|a:stainless",
	 .syn = "a:metal|a:inox",
	 .ans = "steel|stainless"},
	{.feat = "material=polycarbonate",
	 .cat = "a:hard-shell|a:polycarbonate",
	 .syn = "a:rigid|a:hard-sided|p:with a rigid shell",
	 .neg = "nothing soft-sided",
	 .ans = "hard-shell|polycarbonate|rigid"},
	{.feat = "size=small",
	 .cat = "a:compact|a:small|a:slim and compact",
	 .syn = "a:pocket-sized|a:tiny|a:mini|a:petite|p:that fits under a seat",
	 .neg = "nothing huge|nothing oversized|nothing too big",
	 .ans = "small|compact|pocket-sized|tiny"},
	{.feat = "size=medium",
	 .cat = "a:mid-sized|a:medium",
	 .syn = "a:medium-sized|a:average-sized|p:not too big and not too small",
	 .ans = "medium|mid-sized|average"},
	{.feat = "size=large",
	 .cat = "a:large|a:big|a:cavernous",
	 .syn = "a:spacious|a:huge|a:enormous|a:capacious|p:that swallows everything",
	 .neg = "nothing tiny|nothing too compact|nothing small",
	 .ans = "large|big|huge|spacious|as big as possible"},
	{.feat = "people=1",
	 .cat = "a:solo|p:for one|p:that sleeps one",
	 .syn = "a:one-person|a:single-person|p:just for me|p:for one person",
	 .ans = "one|just me|one person|solo"},
	{.feat = "people=2",
	 .cat = "p:for two|p:that sleeps two|p:for two people",
	 .syn = "a:two-person|p:for a couple|p:for me and my partner|p:for the two of us",
	 .ans = "two|two people|me and my partner|a couple"},
	{.feat = "people=4",
	 .cat = "a:family-sized|p:for four|p:that sleeps four",
	 .syn = "a:four-person|p:for a family of four|p:big enough for four of us",
	 .ans = "four|four people|a family of four"},
	{.feat = "fit=slim",
	 .cat = "a:slim|a:slim-fit|p:with a close cut",
	 .syn = "a:tight-fitting|a:fitted|a:skinny|a:figure-hugging",
	 .neg = "nothing tight|nothing skinny|nothing figure-hugging",
	 .ans = "slim|fitted|slim fit|tight"},
	{.feat = "fit=regular",
	 .cat = "a:regular-fit|p:with a classic cut",
	 .syn = "a:standard-fit|a:normal-fitting|p:with a standard cut",
	 .ans = "regular|normal|standard fit|a classic cut"},
	{.feat = "fit=relaxed",
	 .cat = "a:relaxed|a:relaxed-fit|p:with a roomy cut",
	 .syn = "a:loose|a:baggy|a:loose-fitting|a:oversized",
	 .neg = "nothing baggy|nothing loose|nothing oversized",
	 .ans = "relaxed|loose|baggy|roomy"},
	{.feat = "color=black",
	 .cat = "a:black|p:in black|a:jet black",
	 .syn = "a:ebony|a:pitch-black|a:coal-black|p:in a dark shade like soot",
	 .neg = "nothing black|not black|no black",
	 .ans = "black|ebony|pitch-black"},
	{.feat = "color=navy",
	 .cat = "a:navy|p:in navy",
	 .syn = "a:midnight-blue|a:marine-blue|a:inky|a:dark-as-ink",
	 .neg = "nothing navy|not navy",
	 .ans = "navy|midnight-blue|inky"},
	{.feat = "color=olive",
	 .cat = "a:olive|p:in olive",
	 .syn = "a:olive-drab|a:army-coloured|a:military-style drab|p:in drab",
	 .neg = "nothing olive|nothing army-coloured",
	 .ans = "olive|olive-drab|army colours"},
	{.feat = "color=red",
	 .cat = "a:red|a:bright red|p:in red",
	 .syn = "a:scarlet|a:crimson|a:cherry-red|a:ruby",
	 .neg = "nothing red|no red|not red",
	 .ans = "red|scarlet|crimson"},
	{.feat = "color=grey",
	 .cat = "a:grey|a:slate grey|p:in grey",
	 .syn = "a:gray|a:dove-grey|a:gunmetal|a:ash-coloured",
	 .neg = "nothing grey|not grey|nothing gray",
	 .ans = "grey|gray|gunmetal"},
	{.feat = "color=sand",
	 .cat = "a:sand|a:beige|a:sandy beige|p:in sand",
	 .syn = "a:tan|a:camel|a:oatmeal|a:taupe|a:stone-coloured",
	 .neg = "nothing beige|no beige",
	 .ans = "sand|beige|tan|camel"},
	{.feat = "color=blue",
	 .cat = "a:blue|a:sky blue|p:in blue",
	 .syn = "a:azure|a:royal-blue|a:cornflower|a:baby-blue",
	 .neg = "nothing blue|not blue",
	 .ans = "blue|azure|royal blue"},
	{.feat = "color=orange",
	 .cat = "a:orange|a:burnt orange|p:in orange",
	 .syn = "a:tangerine|a:pumpkin-coloured|a:rust-coloured|a:apricot",
	 .neg = "nothing orange|no orange|nothing too bright",
	 .ans = "orange|tangerine|rust-coloured"},
	{.feat = "color=green",
	 .cat = "a:green|a:forest green|p:in green",
	 .syn = "a:emerald|a:bottle-green|a:leaf-green|a:jade",
	 .neg = "nothing green|not green",
	 .ans = "green|emerald|bottle green"},
	{.feat = "color=white",
	 .cat = "a:white|a:off-white|p:in white",
	 .syn = "a:ivory|a:cream|a:snow-white|a:pure-white",
	 .neg = "nothing white|not white|no white",
	 .ans = "white|ivory|cream"},

	/* ---- video ---- */
	{.feat = "format=film",
	 .cat = "s:film|s:movie|a:standalone|p:that's a one-off",
	 .syn = "s:flick|s:motion picture|p:to watch in one sitting",
	 .neg = "not a film|no movies",
	 .ans = "a film|a movie|a flick|a single film"},
	{.feat = "format=series",
	 .cat = "s:series|a:multi-part",
	 .syn = "s:box set|s:boxset|s:TV show|p:with lots of instalments",
	 .neg = "not a series|no series|nothing with lots of episodes",
	 .ans = "a series|a box set|a TV show|something with episodes"},
	{.feat = "length=short",
	 .cat = "a:short|a:bite-sized|a:quick|p:under fifteen minutes",
	 .syn = "a:brief|a:snack-sized|p:under ten minutes|p:for a coffee break|p:that doesn't take long",
	 .neg = "nothing too short|nothing tiny",
	 .ans = "short|quick|brief|under ten minutes|bite-sized"},
	{.feat = "length=episode",
	 .cat = "a:episode-length|a:half-hour",
	 .syn = "a:sitcom-length|p:of about half an hour|p:around forty-five minutes|p:that fits in a lunch hour",
	 .ans = "about half an hour|episode length|forty minutes or so"},
	{.feat = "length=feature",
	 .cat = "a:feature-length|a:long",
	 .syn = "a:full-length|a:epic|a:lengthy|p:a couple of hours long|p:to fill a whole evening",
	 .neg = "nothing too long|nothing long|nothing epic|nothing over an hour",
	 .ans = "feature-length|long|a couple of hours|full-length"},
	{.feat = "mood=calm",
	 .cat = "a:calm|a:soothing|a:relaxing|a:gentle",
	 .syn = "a:peaceful|a:chilled|a:mellow|a:tranquil|a:slow-paced",
	 .neg = "nothing too slow|nothing sleepy",
	 .ans = "calm|relaxing|peaceful|mellow|chilled"},
	{.feat = "mood=uplifting",
	 .cat = "a:uplifting|a:inspiring|a:feel-good",
	 .syn = "a:upbeat|a:cheerful|a:positive|a:life-affirming|a:optimistic|p:that puts me in a good mood",
	 .neg = "nothing preachy|nothing too upbeat",
	 .ans = "uplifting|feel-good|upbeat|cheerful|positive"},
	{.feat = "mood=funny",
	 .cat = "a:funny|a:hilarious|a:witty",
	 .syn = "a:amusing|a:comical|a:goofy|a:side-splitting|p:to crack me up",
	 .neg = "nothing funny|nothing silly|nothing jokey",
	 .ans = "funny|hilarious|amusing|something to giggle at"},
	{.feat = "mood=tense",
	 .cat = "a:tense|a:gripping|a:nail-biting|a:edge-of-your-seat",
	 .syn = "a:suspenseful|a:thrilling|a:heart-pounding|a:nerve-racking|a:adrenaline-fuelled",
	 .neg = "nothing tense|nothing too intense|nothing stressful|nothing scary",
	 .ans = "tense|gripping|suspenseful|thrilling"},
	{.feat = "mood=dark",
	 .cat = "a:dark|a:bleak|a:grim",
	 .syn = "a:gritty|a:sombre|a:depressing|a:disturbing|a:haunting",
	 .neg = "nothing dark|nothing too grim|nothing depressing|nothing gloomy|no gritty stuff",
	 .ans = "dark|grim|gritty|sombre"},
	{.feat = "mood=heartwarming",
	 .cat = "a:heartwarming|a:tender|a:touching",
	 .syn = "a:wholesome|a:warm-hearted|a:sentimental|a:moving",
	 .neg = "nothing soppy|nothing too sentimental|nothing sappy",
	 .ans = "heartwarming|wholesome|touching|warm-hearted"},
	{.feat = "mood=thoughtful",
	 .cat = "a:thoughtful|a:thought-provoking|a:reflective|a:deep",
	 .syn = "a:philosophical|a:intelligent|a:cerebral|p:with something to say",
	 .neg = "nothing too deep|nothing heavy-going|nothing too serious",
	 .ans = "thoughtful|deep|thought-provoking|something clever"},
	{.feat = "video:topic=nature",
	 .cat = "p:about nature|p:about wildlife|p:about the natural world|p:about animals",
	 .syn = "p:about critters|p:about the great outdoors|p:about wild beasts|p:about creatures of the wild",
	 .ans = "nature|animals|wildlife|the great outdoors"},
	{.feat = "video:topic=mountains",
	 .cat = "a:alpine|p:about mountains|p:about high peaks",
	 .syn = "p:about climbing big summits|p:about the Himalaya|p:set among snowy summits",
	 .ans = "mountains|peaks|summits"},
	{.feat = "video:topic=ocean",
	 .cat = "p:about the sea|p:about the ocean|p:about ocean life",
	 .syn = "a:underwater|p:about marine life|p:about the deep blue|p:about sea creatures",
	 .ans = "the ocean|the sea|marine life|sea creatures"},
	{.feat = "video:topic=food",
	 .cat = "p:about food|p:about cooking|p:about recipes",
	 .syn = "p:about gastronomy|p:about what's for dinner|p:about home baking|p:for foodies",
	 .ans = "food|cooking|gastronomy|cuisine"},
	{.feat = "video:topic=city",
	 .cat = "a:urban|p:about city life|p:set in the big city",
	 .syn = "p:about life in a metropolis|p:about city dwellers|p:set in a bustling metropolis",
	 .ans = "city life|urban life|the city"},
	{.feat = "video:topic=history",
	 .cat = "a:historical|p:about history|p:about the past",
	 .syn = "p:about the olden days|p:about ancient times|p:about the Middle Ages|p:about bygone eras",
	 .ans = "history|the past|olden days"},
	{.feat = "video:topic=science",
	 .cat = "p:about science|p:about discovery|p:about how things work",
	 .syn = "a:sciency|p:about scientists|p:about the laws of nature|p:about experiments",
	 .ans = "science|scientific stuff|how things work"},
	{.feat = "video:topic=family",
	 .cat = "p:about family life|p:about parents and kids",
	 .syn = "p:about relatives|p:about growing up|p:about brothers and sisters|p:about a big household",
	 .ans = "family life|families|relatives"},
	{.feat = "video:topic=crime",
	 .cat = "a:crime|p:about crime|p:with detectives",
	 .syn = "a:whodunnit|a:true-crime|p:about a murder mystery|p:about cops and robbers|p:about gangsters",
	 .neg = "no crime|nothing about murder|no murders",
	 .ans = "crime|a whodunnit|detectives|murder mysteries"},
	{.feat = "video:topic=adventure",
	 .cat = "p:about adventure|p:about explorers|p:about expeditions",
	 .syn = "a:swashbuckling|p:about daring quests|p:about epic voyages|p:about derring-do",
	 .ans = "adventure|exploring|quests"},
	{.feat = "video:topic=sport",
	 .cat = "p:about sport|p:about athletes",
	 .syn = "a:sporty|p:about sportspeople|p:about champions|p:about competitions",
	 .ans = "sport|sporty stuff|champions"},
	{.feat = "video:topic=travel",
	 .cat = "p:about travel|p:about journeys|p:about far-off places",
	 .syn = "p:about faraway lands|p:about wanderlust|p:about seeing the world|p:about going abroad",
	 .ans = "travel|seeing the world|wanderlust"},
	{.feat = "audience=kids",
	 .cat = "a:kid-friendly|p:for kids|p:for young children",
	 .syn = "a:child-friendly|p:for toddlers|p:for the little ones|p:for preschoolers|p:for my four-year-old",
	 .neg = "nothing for kids|nothing childish|nothing aimed at toddlers",
	 .ans = "for kids|the kids|my toddler|young children|the little ones"},
	{.feat = "audience=family",
	 .cat = "a:family|p:for the whole family|p:for all ages",
	 .syn = "a:family-oriented|p:for all generations|p:for parents and kids together|p:that the grandparents can watch too",
	 .ans = "the whole family|all of us|everyone|all ages"},
	{.feat = "audience=adult",
	 .cat = "a:adult|a:mature|p:for adults|p:for grown-ups",
	 .syn = "a:not-for-kids|p:for mature viewers|p:for once the kids are asleep",
	 .neg = "nothing adult|nothing too grown-up|nothing with mature themes|nothing R-rated",
	 .ans = "adults|grown-ups|adults only|just for me"},
	{.feat = "video:season=winter",
	 .cat = "a:snowy|p:for a winter night|p:with frost and snow",
	 .syn = "a:Christmassy|a:frosty|p:set in the snow|p:with icy landscapes",
	 .ans = "winter|something wintry|snowy"},
	{.feat = "video:season=summer",
	 .cat = "a:sunny|p:with sunshine on screen|p:for a summer watch",
	 .syn = "a:summery|a:sun-drenched|p:full of blue skies|p:set in a heatwave",
	 .ans = "summer|sunny|something summery"},

	/* ---- food ---- */
	{.feat = "cuisine=italian",
	 .cat = "a:Italian|a:trattoria-style",
	 .syn = "a:Tuscan|a:Neapolitan|a:Sicilian|p:like nonna makes",
	 .neg = "nothing Italian|no pasta|no pizza",
	 .ans = "Italian|pasta|Tuscan"},
	{.feat = "cuisine=french",
	 .cat = "a:French|a:bistro-style",
	 .syn = "a:Parisian|a:Provençal|p:with a Gallic touch",
	 .neg = "nothing French|no French food",
	 .ans = "French|Parisian"},
	{.feat = "cuisine=thai",
	 .cat = "a:Thai",
	 .syn = "a:Bangkok-style|a:Siamese|p:like in Bangkok",
	 .neg = "no Thai|nothing Thai",
	 .ans = "Thai|Bangkok-style"},
	{.feat = "cuisine=indian",
	 .cat = "a:Indian|a:curry-house",
	 .syn = "a:Punjabi|a:Bengali|a:Keralan|a:Mughlai",
	 .neg = "no curry|nothing Indian",
	 .ans = "Indian|a curry|Punjabi"},
	{.feat = "cuisine=japanese",
	 .cat = "a:Japanese|a:izakaya-style",
	 .syn = "a:Tokyo-style|a:Osaka-style|p:like in Kyoto",
	 .neg = "no sushi|nothing Japanese|no raw fish",
	 .ans = "Japanese|sushi|Tokyo-style"},
	{.feat = "cuisine=mexican",
	 .cat = "a:Mexican",
	 .syn = "a:Tex-Mex|a:Oaxacan|p:like in Mexico City",
	 .neg = "nothing Mexican|no tacos",
	 .ans = "Mexican|Tex-Mex|tacos"},
	{.feat = "cuisine=mediterranean",
	 .cat = "a:Mediterranean",
	 .syn = "a:Levantine|a:Aegean|a:Cretan",
	 .neg = "nothing Mediterranean|no mezze",
	 .ans = "Mediterranean|Levantine|Aegean"},
	{.feat = "cuisine=nordic",
	 .cat = "a:Nordic|a:Scandinavian",
	 .syn = "a:Scandi|a:Swedish|a:Danish|a:Norwegian|a:Finnish",
	 .neg = "nothing Nordic|no smoked fish",
	 .ans = "Nordic|Scandi|Scandinavian|Danish"},
	{.feat = "cuisine=korean",
	 .cat = "a:Korean",
	 .syn = "a:Seoul-style|p:like they make in Seoul",
	 .neg = "nothing Korean|no kimchi",
	 .ans = "Korean|something Korean|Seoul-style"},
	{.feat = "cuisine=local",
	 .cat = "a:local|a:country-style|a:homestyle|a:traditional",
	 .syn = "a:rustic|a:old-fashioned|a:down-home|p:like grandma used to make",
	 .neg = "nothing local|no pub grub",
	 .ans = "local food|traditional|rustic|home cooking"},
	{.feat = "diet=vegetarian",
	 .cat = "a:vegetarian|a:meat-free|a:veggie-friendly|a:veggie",
	 .syn = "a:meatless|p:with no meat|p:without meat",
	 .ans = "vegetarian|veggie|no meat|meat-free"},
	{.feat = "diet=vegan",
	 .cat = "a:vegan|a:plant-based|p:with no animal products",
	 .syn = "a:dairy-free|p:with nothing from animals|p:without any animal stuff|p:free of meat, eggs and dairy",
	 .ans = "vegan|plant-based|no animal products at all|fully vegan"},
	{.feat = "diet=gluten_free",
	 .cat = "a:gluten-free|a:coeliac-friendly|p:with no wheat",
	 .syn = "a:wheat-free|a:GF|p:without gluten|p:safe for coeliacs|p:for a gluten intolerance",
	 .ans = "gluten-free|no gluten|wheat-free|coeliac-safe"},
	{.feat = "spice=mild",
	 .cat = "a:mild|p:gentle on the heat",
	 .syn = "a:non-spicy|a:subtle|p:without chilli|p:with no kick",
	 .neg = "nothing bland|nothing too mild|nothing boring",
	 .ans = "mild|not spicy|no chilli|gentle"},
	{.feat = "spice=medium",
	 .cat = "a:medium|a:moderately spicy|p:with a warming kick",
	 .syn = "a:medium-hot|p:with a bit of a kick|p:with a little heat",
	 .ans = "medium|a bit spicy|some heat|medium hot"},
	{.feat = "spice=hot",
	 .cat = "a:spicy|a:fiery|a:very spicy|a:chilli-hot",
	 .syn = "a:blazing|a:scorching|a:mouth-burning|a:tongue-numbing|p:that blows my head off",
	 .neg = "not spicy|nothing spicy|nothing too hot|no chilli|nothing fiery|nothing that burns",
	 .ans = "hot|very spicy|fiery|as hot as possible|blazing"},
	{.feat = "style=hearty",
	 .cat = "a:hearty|a:filling|p:with generous portions",
	 .syn = "a:stodgy|a:belly-filling|a:stick-to-your-ribs|p:with huge portions",
	 .neg = "nothing heavy|nothing too filling|nothing stodgy|nothing greasy",
	 .ans = "hearty|filling|big portions|something substantial"},
	{.feat = "food:style=light",
	 .cat = "a:light|a:fresh|a:delicate|p:light on the stomach",
	 .syn = "a:healthy|a:low-calorie|a:zingy|a:not-too-filling",
	 .neg = "nothing too light|no tiny portions",
	 .ans = "light|fresh|healthy|something light"},
	{.feat = "food:price=low",
	 .cat = "a:cheap|a:budget-friendly|p:easy on the wallet",
	 .syn = "a:inexpensive|a:cheap and cheerful|a:wallet-friendly|p:on a student budget|p:for under a tenner",
	 .neg = "nothing cheap|no greasy spoons",
	 .ans = "cheap|cheap and cheerful|inexpensive|on a budget"},
	{.feat = "food:price=mid",
	 .cat = "a:mid-priced|a:fairly priced|p:at reasonable prices",
	 .syn = "a:moderately priced|a:sensibly priced|p:not too pricey",
	 .ans = "mid-priced|moderate|reasonable|not too expensive"},
	{.feat = "food:price=high",
	 .cat = "a:upmarket|a:fine-dining",
	 .syn = "a:posh|a:fancy|a:swanky|a:high-class|a:luxurious",
	 .neg = "nothing fancy|nothing too posh|nothing pricey|nothing expensive",
	 .ans = "upmarket|fancy|posh|price doesn't matter"},
	{.feat = "ambience=cosy",
	 .cat = "a:cosy|a:snug|a:candle-lit",
	 .syn = "a:intimate|a:cozy|a:homely|p:with a warm and inviting feel",
	 .ans = "cosy|intimate|snug|cozy"},
	{.feat = "ambience=lively",
	 .cat = "a:lively|a:buzzing|p:loud and fun",
	 .syn = "a:bustling|a:noisy|a:vibrant|a:buzzy|p:with a party vibe",
	 .neg = "nothing loud|nothing noisy|nothing too lively|nothing rowdy",
	 .ans = "lively|buzzing|bustling|fun and loud"},
	{.feat = "ambience=formal",
	 .cat = "a:elegant|a:refined|a:formal",
	 .syn = "a:classy|a:sophisticated|a:dressy|a:upscale",
	 .neg = "nothing formal|nothing stuffy|no dress code",
	 .ans = "formal|elegant|classy|sophisticated"},
	{.feat = "ambience=family",
	 .cat = "a:family-friendly|p:where kids are welcome",
	 .syn = "a:child-friendly|a:toddler-proof|p:where we can bring the children|p:that's good with little kids",
	 .neg = "nothing full of kids|no screaming children|nothing child-oriented",
	 .ans = "family-friendly|child-friendly|good for kids|with the kids"},
	{.feat = "service=dine_in",
	 .cat = "a:sit-down|p:to eat in|p:with table service",
	 .syn = "p:where we can sit down|p:to eat on the premises|p:with waiters",
	 .ans = "eat in|sit down|at a table|dine in"},
	{.feat = "service=takeaway",
	 .cat = "a:takeaway|a:grab-and-go|p:to take away",
	 .syn = "a:takeout|a:carry-out|p:to go|p:to pick up on the way home",
	 .neg = "not takeaway|nothing to take away",
	 .ans = "takeaway|takeout|to go"},
	{.feat = "service=delivery",
	 .cat = "p:that delivers|p:with home delivery|p:to order in",
	 .syn = "p:brought to my door|p:delivered to my flat|p:I can have dropped off|p:by courier",
	 .ans = "delivery|delivered|to my door|home delivery"},

	/* ---- regions: food and places ---- */
	{.feat = "region=coast",
	 .cat = "a:seaside|p:on the coast|p:by the harbour",
	 .syn = "a:beachside|p:by the sea|p:near the shore|p:on the waterfront|p:with a sea breeze",
	 .neg = "nowhere near the coast|nothing by the sea",
	 .ans = "the coast|by the sea|seaside"},
	{.feat = "region=mountains",
	 .cat = "a:alpine|p:in the mountains|p:high in the hills",
	 .syn = "a:highland|p:up in the hills|p:in the highlands|p:up a mountain",
	 .neg = "nothing in the mountains|nothing up a mountain",
	 .ans = "the mountains|up in the hills|the highlands"},
	{.feat = "region=lakes",
	 .cat = "a:lakeside|p:by the lakes",
	 .syn = "a:lakefront|p:by a lake|p:on a lakeshore|p:in lake country",
	 .neg = "nothing by the lakes",
	 .ans = "the lakes|by a lake|lakeside"},
	{.feat = "region=city",
	 .cat = "a:downtown|p:in the city centre|p:in the heart of the city",
	 .syn = "a:central|p:in the middle of town|p:in the town centre|p:right in the centre",
	 .neg = "not in the city|nowhere downtown|nothing in the centre",
	 .ans = "the city|downtown|the town centre|central"},
	{.feat = "region=valley",
	 .cat = "p:in the valley|p:among orchards and farms",
	 .syn = "a:rural|p:in the countryside|p:out in the country|p:in farm country",
	 .neg = "nothing out in the countryside",
	 .ans = "the valley|the countryside|somewhere rural"},

	/* ---- places ---- */
	{.feat = "setting=indoor",
	 .cat = "a:indoor|p:indoors|p:under a roof",
	 .syn = "a:sheltered|p:out of the rain|p:with a roof over our heads|p:that's dry when it pours",
	 .neg = "nothing indoors|not indoors|nothing inside",
	 .ans = "indoors|inside|under a roof|out of the rain"},
	{.feat = "setting=outdoor",
	 .cat = "a:outdoor|p:outdoors|p:in the open air",
	 .syn = "a:open-air|a:alfresco|p:outside|p:in the fresh air",
	 .neg = "nothing outdoors|not outside|nothing outside",
	 .ans = "outdoors|outside|open-air|in the fresh air"},
	{.feat = "places:season=summer",
	 .cat = "p:for summer|p:best in summer|p:for warm days",
	 .syn = "p:for a hot day|p:for a heatwave|p:for sunny weather",
	 .neg = "nothing just for summer",
	 .ans = "summer|a hot day|sunny weather"},
	{.feat = "places:season=winter",
	 .cat = "a:winter|p:for winter|p:in the snow",
	 .syn = "a:wintry|p:for a frosty day|p:for snowy weather",
	 .neg = "nothing wintry|nothing in the snow",
	 .ans = "winter|snowy weather|a frosty day"},
	{.feat = "places:season=all",
	 .cat = "p:open all year|p:good year-round",
	 .syn = "a:all-season|p:whatever the season|p:any time of year",
	 .ans = "any time of year|all year|whatever the season"},
	{.feat = "effort=easy",
	 .cat = "a:easy|a:gentle|a:step-free",
	 .syn = "a:leisurely|a:undemanding|a:pushchair-friendly|p:for tired legs|p:with no climbing",
	 .neg = "nothing too easy|nothing too tame",
	 .ans = "easy|gentle|leisurely|nothing strenuous"},
	{.feat = "effort=moderate",
	 .cat = "a:moderate|p:with some uphill stretches",
	 .syn = "a:medium-effort|a:intermediate|p:with a few hills|p:that's a bit of a workout",
	 .ans = "moderate|medium|a bit of effort|intermediate"},
	{.feat = "effort=hard",
	 .cat = "a:tough|a:strenuous|a:hard",
	 .syn = "a:challenging|a:demanding|a:gruelling|a:lung-busting|p:that will test my legs",
	 .neg = "nothing strenuous|nothing too hard|nothing steep|nothing tiring|no big climbs",
	 .ans = "hard|tough|challenging|gruelling"},
	{.feat = "duration=hour",
	 .cat = "a:quick|p:for an hour|p:for a short stop",
	 .syn = "p:for a flying visit|p:for sixty minutes or so|p:I can do in an hour",
	 .neg = "nothing that takes an hour only",
	 .ans = "an hour|a quick visit|an hour or so"},
	{.feat = "duration=half_day",
	 .cat = "p:for half a day|p:for a morning|p:for an afternoon|p:for a few hours",
	 .syn = "p:for a couple of hours|p:for three or four hours|p:for after lunch",
	 .ans = "half a day|a few hours|a morning"},
	{.feat = "duration=full_day",
	 .cat = "p:for a full day|p:for the whole day",
	 .syn = "a:day-long|p:for an all-day trip|p:from morning till evening|p:to fill a whole day",
	 .neg = "nothing that takes all day|nothing that eats the whole day",
	 .ans = "a whole day|the full day|all day"},
	{.feat = "family=yes",
	 .cat = "a:family-friendly|p:great for kids|p:for a family day out",
	 .syn = "a:child-friendly|p:to take the kids|p:the children will enjoy|p:with the grandchildren",
	 .neg = "nothing for children|no kids' stuff|nothing kiddie",
	 .ans = "for the family"},
	{.feat = "family=no",
	 .cat = "a:grown-up|p:for adults",
	 .syn = "a:child-free|p:without the kids|p:for a couple|p:for just us adults",
	 .neg = "nothing adults-only",
	 .ans = "just adults"},
	{.feat = "cost=free",
	 .cat = "a:free|p:with free entry|p:with no ticket needed",
	 .syn = "a:free-of-charge|a:gratis|p:that doesn't cost a penny|p:without an entrance fee",
	 .ans = "free|free entry|nothing to pay"},
	{.feat = "cost=low",
	 .cat = "a:cheap|a:low-cost",
	 .syn = "a:inexpensive|p:for a few coins|p:that's easy on the pocket",
	 .ans = "cheap|low cost|inexpensive"},
	{.feat = "cost=mid",
	 .cat = "a:mid-priced|p:at a fair ticket price",
	 .syn = "a:moderately priced|p:at a normal price",
	 .ans = "mid-priced|a normal price|moderate"},
	{.feat = "cost=high",
	 .cat = "a:premium|p:that's a treat",
	 .syn = "a:pricey|a:expensive|a:splurge-worthy|a:luxurious|a:posh",
	 .neg = "nothing expensive|nothing pricey|nothing too dear|nothing costly",
	 .ans = "expensive is fine|premium|a treat"},
	{.feat = "places:topic=history",
	 .cat = "a:historic|p:with local history|p:with relics of the past",
	 .syn = "a:ancient|a:old-world|p:about the olden days|p:with ruins",
	 .ans = "history|the olden days|historic stuff"},
	{.feat = "places:topic=science",
	 .cat = "a:hands-on|a:interactive|p:about science",
	 .syn = "a:educational|a:STEM|p:for budding scientists|p:with experiments to try",
	 .ans = "science|hands-on science|something educational"},
	{.feat = "places:topic=maritime",
	 .cat = "a:maritime|p:about ships and sailors",
	 .syn = "a:nautical|a:naval|p:about sailing|p:with old boats",
	 .ans = "ships|maritime history|sailing"},
	{.feat = "places:topic=art",
	 .cat = "p:with paintings|p:with modern art|p:about art",
	 .syn = "a:artsy|p:with exhibitions|p:with masterpieces|p:with artworks",
	 .ans = "art|paintings|artworks"},
	{.feat = "places:topic=craft",
	 .cat = "a:handmade|p:with local makers",
	 .syn = "a:artisanal|a:DIY|p:with ceramics|p:with people making things by hand",
	 .ans = "crafts|handmade things|ceramics"},
	{.feat = "places:topic=nature",
	 .cat = "p:with wildlife|p:with rare plants",
	 .syn = "a:leafy|p:with birdwatching|p:with flowers and trees|p:full of critters",
	 .ans = "nature|birds and plants|wildlife"},
	{.feat = "places:topic=food",
	 .cat = "p:with local produce|p:with food stalls",
	 .syn = "a:foodie|p:with things to taste|p:with delicacies|p:with nibbles to try",
	 .ans = "food|things to taste|local produce"},
};

/* How salient a key is in a request (relative odds of being mentioned),
 * its words when the user drops it ("forget the budget"), and whether it
 * is a yes/no key. Keys absent here (brand, town, restaurant) are named
 * rarely and by their value. */
struct talk_key {
	const char *key; /* "domain:key" */
	double weight;
	const char *drop; /* '|' alternatives; empty: never changed */
	int yesno;
};

static const struct talk_key keys[] = {
	{"shop:use", 3.0, "activity|what it's for", 0},
	{"shop:warmth", 2.0, "warmth|insulation", 0},
	{"shop:waterproof", 2.5, "", 1},
	{"shop:weight", 2.0, "weight", 0},
	{"shop:season", 1.8, "season", 0},
	{"shop:material", 1.2, "material|fabric", 0},
	{"shop:size", 1.2, "size", 0},
	{"shop:people", 1.5, "number of people", 0},
	{"shop:fit", 0.6, "fit|cut", 0},
	{"shop:color", 1.2, "colour|color", 0},
	{"shop:price", 1.5, "budget|price", 0},
	{"shop:brand", 0.3, "", 0},
	{"video:format", 1.5, "format", 0},
	{"video:length", 1.5, "length|running time", 0},
	{"video:mood", 3.0, "mood|tone", 0},
	{"video:topic", 3.0, "subject|topic", 0},
	{"video:audience", 2.0, "", 0},
	{"video:season", 1.0, "", 0},
	{"food:cuisine", 3.0, "cuisine|type of food", 0},
	{"food:diet", 2.0, "", 0},
	{"food:spice", 2.0, "spice level|heat", 0},
	{"food:style", 1.5, "portion size|style", 0},
	{"food:price", 1.5, "budget|price", 0},
	{"food:ambience", 1.5, "atmosphere|vibe", 0},
	{"food:service", 1.5, "", 0},
	{"food:region", 1.0, "area|region", 0},
	{"food:town", 0.5, "", 0},
	{"places:region", 1.5, "area|region", 0},
	{"places:town", 0.6, "", 0},
	{"places:setting", 2.0, "", 0},
	{"places:season", 1.0, "season", 0},
	{"places:effort", 2.0, "effort|difficulty", 0},
	{"places:duration", 1.2, "time|duration", 0},
	{"places:family", 2.0, "", 1},
	{"places:cost", 1.5, "budget|cost", 0},
	{"places:topic", 2.0, "theme|topic", 0},
};

/* Scenarios: a situation that implies attributes ("needs", all of which
 * the target must have) in the user's words. */
struct talk_scene {
	int domain;
	const char *needs, *text;
};

static const struct talk_scene scenes[] = {
	{LMREC_SYNTH_SHOP, "use=running;season=winter",
	 "for winter outdoor running|for running through the cold months|for frosty morning runs|for jogging when it's freezing out"},
	{LMREC_SYNTH_SHOP, "use=running", "for my morning jogs|for training for a 10k|for my evening runs|for a half marathon in the spring"},
	{LMREC_SYNTH_SHOP, "use=hiking;waterproof=yes", "for a soggy hike|for hillwalking in the drizzle|for wet days in the hills"},
	{LMREC_SYNTH_SHOP, "use=hiking", "for a weekend in the hills|for a long trek in the mountains|for a walking holiday in the fells"},
	{LMREC_SYNTH_SHOP, "use=hiking;weight=light", "for fast-and-light backpacking|for thru-hiking where every gram counts"},
	{LMREC_SYNTH_SHOP, "use=skiing", "for a ski trip|for a week in the Alps|for my first snowboarding holiday"},
	{LMREC_SYNTH_SHOP, "use=city", "for my commute|for cycling to the office|for getting around town"},
	{LMREC_SYNTH_SHOP, "use=city;waterproof=yes", "for rainy commutes|for a city where it drizzles all the time"},
	{LMREC_SYNTH_SHOP, "use=camping", "for a camping weekend|for a festival|for sleeping out in the woods"},
	{LMREC_SYNTH_SHOP, "use=camping;people=4", "for camping with the whole family|for a family of four under canvas"},
	{LMREC_SYNTH_SHOP, "use=travel", "for a long trip abroad|for a round-the-world trip|for a backpacking trip through Asia"},
	{LMREC_SYNTH_SHOP, "use=travel;size=small", "for a hand-luggage-only trip|to fit in the overhead locker"},
	{LMREC_SYNTH_SHOP, "use=climbing", "for a day at the crag|for my bouldering sessions"},
	{LMREC_SYNTH_SHOP, "season=winter;warmth=high", "for when it's below zero|to survive a northern winter|for arctic temperatures"},
	{LMREC_SYNTH_SHOP, "season=summer", "for a heatwave|for a beach holiday|for hot summer evenings"},
	{LMREC_SYNTH_SHOP, "waterproof=yes", "for rainy weather|for a wet climate|for when it pours"},
	{LMREC_SYNTH_VIDEO, "audience=kids",
	 "for the kids on a rainy Saturday|for my five-year-old|for the little ones before bedtime|to keep the kids busy for a bit"},
	{LMREC_SYNTH_VIDEO, "audience=family", "for a family evening on the sofa|to watch with my parents and the kids|for Sunday afternoon with everyone"},
	{LMREC_SYNTH_VIDEO, "audience=adult", "for once the kids are in bed|for a grown-up night in"},
	{LMREC_SYNTH_VIDEO, "mood=funny", "to cheer me up|for a good laugh|for a night in with friends and snacks"},
	{LMREC_SYNTH_VIDEO, "mood=tense", "for a stormy night with the lights off|to keep me on the edge of my seat"},
	{LMREC_SYNTH_VIDEO, "mood=calm", "to fall asleep to|to unwind after a long day at work|to wind down before bed"},
	{LMREC_SYNTH_VIDEO, "mood=uplifting", "to lift my spirits|after a rough week|for when I'm feeling down"},
	{LMREC_SYNTH_VIDEO, "mood=heartwarming", "for a cosy night in with my partner|to watch snuggled up on the sofa"},
	{LMREC_SYNTH_VIDEO, "mood=thoughtful", "that gets me thinking|for a long train journey"},
	{LMREC_SYNTH_VIDEO, "length=short", "for my coffee break|for the bus ride to work|for a quick lunch break"},
	{LMREC_SYNTH_VIDEO, "format=series", "to binge over the weekend|to get hooked on for weeks"},
	{LMREC_SYNTH_VIDEO, "format=film;length=feature", "for a movie night|for a proper film night"},
	{LMREC_SYNTH_VIDEO, "topic=food", "for a foodie like me|to get some dinner ideas"},
	{LMREC_SYNTH_VIDEO, "topic=travel", "to get me in the holiday mood|to plan my next trip|for some armchair travel"},
	{LMREC_SYNTH_VIDEO, "topic=crime", "for a true-crime addict|for whodunnit lovers"},
	{LMREC_SYNTH_VIDEO, "topic=sport", "for a sports fan|for match day"},
	{LMREC_SYNTH_VIDEO, "topic=science", "for a science nerd|for my curious teenager"},
	{LMREC_SYNTH_VIDEO, "topic=history", "for a history buff|for someone who loves the past"},
	{LMREC_SYNTH_VIDEO, "season=winter", "for a snowy evening|for a cold winter night by the fire"},
	{LMREC_SYNTH_FOOD, "ambience=formal;price=high", "for an anniversary dinner|for a fancy night out|to impress a date"},
	{LMREC_SYNTH_FOOD, "ambience=family", "for dinner with the kids|for a birthday lunch with the children"},
	{LMREC_SYNTH_FOOD, "ambience=cosy", "for a quiet date|for a snug winter evening"},
	{LMREC_SYNTH_FOOD, "ambience=lively", "for a night out with friends|for a birthday party with the gang"},
	{LMREC_SYNTH_FOOD, "service=delivery", "to eat on the sofa tonight|to order in while we watch the match"},
	{LMREC_SYNTH_FOOD, "service=takeaway", "to grab on my lunch break|to eat on the go|to take to the park"},
	{LMREC_SYNTH_FOOD, "style=light", "after a workout|for a light lunch at my desk"},
	{LMREC_SYNTH_FOOD, "style=hearty", "after a long hike|for a cold, hungry evening|to warm me up after work"},
	{LMREC_SYNTH_FOOD, "price=low", "on a student budget|for the end of the month when money is tight"},
	{LMREC_SYNTH_FOOD, "diet=vegan", "for my vegan friend|for someone who eats no animal products"},
	{LMREC_SYNTH_FOOD, "diet=vegetarian", "for my veggie sister|for a vegetarian guest"},
	{LMREC_SYNTH_FOOD, "diet=gluten_free", "for a friend with coeliac disease|for someone who can't eat gluten"},
	{LMREC_SYNTH_FOOD, "spice=hot", "for a chilli lover|for a chilli-head"},
	{LMREC_SYNTH_FOOD, "spice=mild", "for someone who can't handle heat|for kids who hate anything spicy"},
	{LMREC_SYNTH_PLACES, "family=yes;setting=indoor", "for the kids on a rainy Saturday|for a wet day with the children"},
	{LMREC_SYNTH_PLACES, "setting=indoor", "for a rainy day|for when it's pouring|to get out of the rain"},
	{LMREC_SYNTH_PLACES, "setting=outdoor", "to get some fresh air|to stretch my legs outside"},
	{LMREC_SYNTH_PLACES, "family=yes", "for a day out with the kids|for the grandchildren's visit|for the school holidays"},
	{LMREC_SYNTH_PLACES, "family=no", "for a child-free afternoon|for a romantic afternoon for two"},
	{LMREC_SYNTH_PLACES, "effort=hard", "for a proper workout|to test my legs|for a tough day out"},
	{LMREC_SYNTH_PLACES, "effort=easy", "to go with my grandmother|for a lazy afternoon|for someone with bad knees"},
	{LMREC_SYNTH_PLACES, "cost=free", "on a zero budget|without spending a penny"},
	{LMREC_SYNTH_PLACES, "duration=hour", "for an hour before my train|for a quick stop on the way home"},
	{LMREC_SYNTH_PLACES, "duration=full_day", "to fill a whole Saturday|for a full day out"},
	{LMREC_SYNTH_PLACES, "season=winter", "for a snowy weekend|for a frosty day"},
	{LMREC_SYNTH_PLACES, "season=summer", "for a hot summer afternoon|for a heatwave weekend"},
	{LMREC_SYNTH_PLACES, "topic=history", "for a history buff|to learn about the old days"},
	{LMREC_SYNTH_PLACES, "topic=art", "for an art lover|to see some paintings"},
	{LMREC_SYNTH_PLACES, "topic=nature", "to spot some birds|for a nature lover"},
	{LMREC_SYNTH_PLACES, "topic=science", "for my curious ten-year-old|for a budding scientist"},
	{LMREC_SYNTH_PLACES, "topic=food", "to taste some local produce|for a foodie morning"},
	{LMREC_SYNTH_PLACES, "topic=maritime", "for a fan of old ships|for someone who loves boats"},
	{LMREC_SYNTH_PLACES, "topic=craft", "to watch potters at work|for someone who loves handmade things"},
};

/* Nouns of a category: '+' is where modifiers go ("a + jacket" -> "a
 * warm, waterproof jacket"). cat: the catalog's words; syn: others; neg:
 * ruling the category out. A heading with a domain name instead of a
 * category gives the nouns used when the category is not named; "venue"
 * and "dish" split the food domain. */
struct talk_noun {
	const char *cat, *nouns, *syn, *neg;
};

static const struct talk_noun nouns[] = {
	{"jackets", "a + jacket|a + coat", "some + outerwear|an + outer layer", ""},
	{"footwear", "some + footwear|some + shoes|a pair of + shoes", "something + for my feet|some + kicks", ""},
	{"tops", "a + top", "something + to wear on top|an + upper layer", ""},
	{"trousers", "some + trousers|a pair of + trousers|some + pants", "some + bottoms|a pair of + slacks|some + legwear", ""},
	{"accessories", "an + accessory|some + accessories", "a + finishing touch|a + little extra for my kit", ""},
	{"tents", "a + tent|a + shelter", "somewhere + to sleep outside|a + canopy to sleep under", ""},
	{"backpacks", "a + backpack|a + rucksack|a + pack", "a + knapsack|a + haversack|a + bag for my back", ""},
	{"sleeping-gear", "some + sleeping gear", "some + camp bedding|something + for a good night's sleep outdoors", ""},
	{"camp-kitchen", "some + camp kitchen gear|some + camp cookware", "something + for cooking outdoors|some + outdoor kitchen kit", ""},
	{"luggage", "some + luggage", "a + travel bag|some + baggage|something + to pack my stuff in", ""},
	{"travel-kit", "some + travel kit|a + travel accessory", "a + travel gadget|a + travel essential|something + handy for trips", ""},
	{"documentary", "a + documentary", "a + factual show|some + non-fiction|a + docu", "no documentaries|nothing factual"},
	{"comedy", "a + comedy", "a + comic show|a + laugh-fest", "no comedies|no comedy"},
	{"drama", "a + drama", "a + dramatic story|a + weepie", "no dramas|no drama"},
	{"thriller", "a + thriller", "a + suspense story|a + mystery", "no thrillers|nothing like a thriller"},
	{"animation", "an + animation|a + cartoon", "an + animated story|a + toon", "no cartoons|nothing animated"},
	{"cooking-show", "a + cooking show", "a + cookery programme|a + chef show", "no cooking shows"},
	{"travel-show", "a + travel show", "a + travelogue|a + holiday programme", "no travel shows"},
	{"sport", "some + sport|a + sports show", "a + sports programme|some + sports coverage", "no sports programmes"},
	{"restaurant", "a + restaurant|a + dining room|an + eatery", "a + place for dinner|a + dinner spot|a + place for a proper meal", ""},
	{"cafe", "a + café|a + coffee shop|a + coffee house", "a + cafe|a + brunch spot|somewhere + for coffee", "not a café|no coffee shops"},
	{"street-food", "some + street food|a + food truck|a + street-food stall", "a + hawker stall|a + food cart|some + food from a van", "no street food"},
	{"bakery", "a + bakery|a + bakehouse", "a + patisserie|a + boulangerie|somewhere + for fresh bread", "no bakeries|not a bakery"},
	{"mains", "a + main course|a + main dish|something + for dinner", "a + main meal|a + supper dish|an + entrée", ""},
	{"soups", "a + soup|a + broth|a + bowl of soup", "a + potage|a + bowl of something hot", "no soup"},
	{"salads", "a + salad|a + salad bowl", "some + greens|a + bowl of leaves", "no salad"},
	{"desserts", "a + dessert|a + pudding|a + sweet", "an + afters|something + sugary|a + treat for after dinner", "no dessert|nothing sweet"},
	{"museum", "a + museum", "an + exhibition hall|an + exhibit", "no museums"},
	{"gallery", "a + gallery|an + art gallery", "an + art space|an + exhibition of art", "no galleries"},
	{"park", "a + park|a + garden", "some + green space|a + public lawn", ""},
	{"beach", "a + beach|a + stretch of sand", "a + seashore|a + bit of coastline", "no beaches"},
	{"trail", "a + trail|a + walk|a + path", "a + ramble|a + footpath|a + hiking route", "no hiking trails"},
	{"lake", "a + lake", "a + loch|a + reservoir|a + body of water", ""},
	{"old-town", "an + old town|a + historic quarter", "a + historic district|some + old streets", ""},
	{"market", "a + market", "a + souk|a + marketplace", "no markets"},
	{"viewpoint", "a + viewpoint|a + lookout", "a + vantage point|somewhere + with a view|a + scenic overlook", ""},
	{"spa", "a + spa|a + sauna", "a + wellness centre|somewhere + to soak in hot water", "no spas"},
	{"shop", "something +|some + gear|some + kit|anything +", "", ""},
	{"video", "something + to watch|something + to stream|anything + to watch", "", ""},
	{"venue", "somewhere + to eat|a + place to eat|somewhere + for lunch|somewhere + for dinner", "", ""},
	{"dish", "something + to eat|some + food|a + dish|something + for dinner", "", ""},
	{"places", "somewhere + to go|a + place to visit|a + day out|somewhere + to visit", "", ""},
};

/* Rulings-out true of every item of a domain (the catalog has none). */
static const char *const nothing_like[LMREC_SYNTH_NDOMAINS] = {
	"nothing with big logos|no fur|nothing neon",
	"no horror|nothing with zombies|no reality TV",
	"no burgers|no fast-food chains",
	"no theme parks|nothing with queues",
};

/* ---- sentence templates ---- */

/* Openings: {} is the request's noun phrase. */
static const char *const openers =
	"I'm after {}|Looking for {}|looking for {}|any ideas for {}?|Any ideas for {}?|need {}|I need {}"
	"|Can you recommend {}?|Do you have {}?|I want {}|Show me {}|{}, please|What about {}?|Hi! I'm looking for {}"
	"|We're after {}|recommend me {}|{}?|Could you suggest {}?|I'd love {}|help me find {}|hey, got {}?"
	"|i want {} pls|Searching for {}|I'm trying to find {}|Got any suggestions for {}?|{}|Hello, I need {}"
	"|What would you suggest for {}?|Please find me {}|we need {}";

/* Joining a ruling-out to the request: inline, or as a sentence after. */
static const char *const neg_inline = ", {}|, {}|, but {}| - {}| ({})|, and {}";
static const char *const neg_after = "{}.|{} please.|{}!|{}|And {}.";

/* Answers to a question about a key. */
static const char *const answer_tmpl =
	"{}|{}|{}|{}, please|{} if possible|{} would be great|ideally {}|{}, I think|hmm, {}|{} please|preferably {}"
	"|{}!|I'd say {}";
static const char *const say_yes = "yes|yes please|yep|yeah|definitely|absolutely|yes, that matters|yes!";
static const char *const say_no = "no|nope|no thanks|not really|no need|no, not needed";
static const char *const say_either =
	"either|don't mind|no preference|doesn't matter|either is fine|whatever|I'm not fussed|any is fine|either way"
	"|I don't care|no idea, anything";
static const char *const yes_more[] = {"shop:waterproof", "yes, it has to keep the rain out|yes, it rains a lot here",
				       "places:family", "yes, the kids are coming|yes, we have children with us"};
static const char *const no_more[] = {"shop:waterproof", "no, it's for dry days|no, not for rain",
				      "places:family", "no, just adults|no kids this time"};

/* A change of mind: {} the right value, [] the wrong one; or a key dropped. */
static const char *const correct_tmpl =
	"actually, make it {}|Sorry, I meant {}|On second thought, {} would be better|wait, {}, not []"
	"|scratch that: {}|change of plan - {} instead|hmm, actually {}|No wait, I'd rather have {}|Make that {}, not []"
	"|oops, I meant {}";
static const char *const drop_tmpl =
	"forget the {}|Never mind the {}|actually, the {} doesn't matter|the {} isn't important after all"
	"|Scrap the {} part|oh, and ignore what I said about the {}";
/* A refinement: another true thing, said later. */
static const char *const refine_tmpl = "oh, and {}|Also, {}|one more thing: {}|And {} if possible|oh and ideally {}|PS: {}";

/* ==== the conversations ==== */

struct talk_row {
	uint32_t turn;
	char *reply_to; /* the key answered, NULL for a free utterance */
	char *text;
};

struct talk_session {
	uint32_t user, item;
	struct talk_row *rows; /* in turn order */
	size_t nrows;
};

struct lmrec_synth_talk {
	struct talk_session *s;
	size_t n;
};

/* One attribute of an item: slices into its attrs string. */
struct kv {
	struct slice key, val;
};

/* What the generator knows of the world, built once. */
struct ctx {
	const struct lmrec_synth_world *w;
	uint32_t *uoff, *useen;              /* (n_users+1), (n_ev): items each user touched */
	uint32_t (*ucount)[LMREC_SYNTH_NDOMAINS]; /* (n_users) events per domain */
	struct slice key[LMREC_SYNTH_NDOMAINS][MAX_KEYS]; /* keys of the domain's items, canonical order */
	size_t nkeys[LMREC_SYNTH_NDOMAINS];
	struct slice *val[LMREC_SYNTH_NDOMAINS][MAX_KEYS]; /* distinct values of each key */
	size_t nval[LMREC_SYNTH_NDOMAINS][MAX_KEYS];
	double *taste, *weight;              /* (n_feats), (n_items) scratch */
};

/* A session being composed. */
struct draft {
	struct lmrec_rng *r;
	const struct ctx *x;
	int domain;
	const struct lmrec_synth_item *it;
	struct kv kv[MAX_KV];
	size_t nkv;
	int used[MAX_KEYS];  /* keys already spoken of (index into x->key[domain]) */
	struct sb adj, post, suffix, neg; /* pieces of the opening request */
	size_t nadj, npost;
	int later;           /* a later free turn: 1 a change of mind, 2 a refinement */
	int wrong_k, fixed;  /* change of mind: key index, the true attribute's index */
	struct slice wrong;  /* the wrong value said first */
};

static size_t parse_attrs(const char *attrs, struct kv *kv)
{
	size_t n = 0;
	struct slice s = mk(attrs);
	if (s.n == 0)
		return 0;
	for (size_t i = 0, m = parts(s, ';'); i < m && n < MAX_KV; i++) {
		struct slice e = part(s, ';', i);
		const char *eqs = memchr(e.p, '=', e.n);
		if (!eqs)
			BUG("attribute without '=' in '%s'", attrs);
		kv[n].key = (struct slice){e.p, (size_t)(eqs - e.p)};
		kv[n].val = (struct slice){eqs + 1, e.n - kv[n].key.n - 1};
		n++;
	}
	return n;
}

static int sl_eq(struct slice a, struct slice b) { return a.n == b.n && memcmp(a.p, b.p, a.n) == 0; }

/* "prefix:" + rest equals s? (prefix may be NULL: s is rest) */
static int is_feat(const char *s, const char *prefix, struct slice key, struct slice val)
{
	if (prefix) {
		size_t n = strlen(prefix);
		if (strncmp(s, prefix, n) != 0 || s[n] != ':')
			return 0;
		s += n + 1;
	}
	return strncmp(s, key.p, key.n) == 0 && s[key.n] == '=' && strlen(s + key.n + 1) == val.n &&
	       memcmp(s + key.n + 1, val.p, val.n) == 0;
}

static const struct talk_word *word_of(int domain, struct slice key, struct slice val)
{
	for (size_t i = 0; i < NELEM(words); i++)
		if (is_feat(words[i].feat, lmrec_synth_domain_names[domain], key, val))
			return &words[i];
	for (size_t i = 0; i < NELEM(words); i++)
		if (is_feat(words[i].feat, NULL, key, val))
			return &words[i];
	return NULL;
}

static const struct talk_key *key_of(int domain, struct slice key)
{
	const char *dn = lmrec_synth_domain_names[domain];
	size_t n = strlen(dn);
	for (size_t i = 0; i < NELEM(keys); i++)
		if (strncmp(keys[i].key, dn, n) == 0 && keys[i].key[n] == ':' && eq(key, keys[i].key + n + 1))
			return &keys[i];
	return NULL;
}

static int special_key(struct slice key) { return eq(key, "brand") || eq(key, "town") || eq(key, "restaurant"); }

static int key_index(const struct ctx *x, int domain, struct slice key)
{
	for (size_t k = 0; k < x->nkeys[domain]; k++)
		if (sl_eq(x->key[domain][k], key))
			return (int)k;
	return -1;
}

/* Does the draft's item have key=val (val NULL: any value)? */
static int has(const struct draft *d, struct slice key, const struct slice *val)
{
	for (size_t i = 0; i < d->nkv; i++)
		if (sl_eq(d->kv[i].key, key) && (!val || sl_eq(d->kv[i].val, *val)))
			return 1;
	return 0;
}

/* ---- building the world's index ---- */

static void index_world(struct ctx *x)
{
	const struct lmrec_synth_world *w = x->w;
	size_t nu = w->n_users;
	x->uoff = lmrec_xcalloc(nu + 1, sizeof *x->uoff);
	x->useen = lmrec_xmalloc((w->n_ev + 1) * sizeof *x->useen);
	x->ucount = lmrec_xcalloc(nu + 1, sizeof *x->ucount);
	for (size_t e = 0; e < w->n_ev; e++) {
		x->uoff[w->ev[e].user + 1]++;
		x->ucount[w->ev[e].user][w->items[w->ev[e].item].domain]++;
	}
	for (size_t u = 0; u < nu; u++)
		x->uoff[u + 1] += x->uoff[u];
	uint32_t *at = lmrec_xmalloc((nu + 1) * sizeof *at);
	memcpy(at, x->uoff, (nu + 1) * sizeof *at);
	for (size_t e = 0; e < w->n_ev; e++)
		x->useen[at[w->ev[e].user]++] = w->ev[e].item;
	free(at);

	for (size_t i = 0; i < NELEM(words); i++)
		if (!words[i].cat || !words[i].ans)
			BUG("'%s' has no catalog words or no answers", words[i].feat);

	/* keys in the catalog's order, those the domain's items have; their values */
	for (int d = 0; d < LMREC_SYNTH_NDOMAINS; d++) {
		struct slice order = mk(lmrec_synth_key_order((uint32_t)d));
		x->nkeys[d] = 0;
		for (size_t k = 0, nk = parts(order, ' '); k < nk; k++) {
			struct slice key = part(order, ' ', k);
			size_t nv = 0, cap = 0;
			struct slice *vals = NULL;
			for (size_t i = w->dom_first[d]; i < w->dom_first[d + 1]; i++) {
				struct kv kv[MAX_KV];
				size_t n = parse_attrs(w->items[i].attrs, kv);
				for (size_t j = 0; j < n; j++) {
					if (!sl_eq(kv[j].key, key))
						continue;
					int seen = 0;
					for (size_t v = 0; v < nv && !seen; v++)
						seen = sl_eq(vals[v], kv[j].val);
					if (seen)
						continue;
					LMREC_GROW(vals, cap, nv + 1);
					vals[nv++] = kv[j].val;
					/* every value a user may be asked about has words */
					if (!special_key(key) && !word_of(d, key, kv[j].val))
						BUG("no words for %s:%.*s=%.*s", lmrec_synth_domain_names[d], (int)key.n, key.p,
						    (int)kv[j].val.n, kv[j].val.p);
				}
			}
			if (nv == 0)
				continue;
			if (x->nkeys[d] == MAX_KEYS)
				BUG("more than %d keys in a domain", MAX_KEYS);
			if (!special_key(key) && !key_of(d, key))
				BUG("no salience for key '%.*s'", (int)key.n, key.p);
			x->key[d][x->nkeys[d]] = key;
			x->val[d][x->nkeys[d]] = vals;
			x->nval[d][x->nkeys[d]] = nv;
			x->nkeys[d]++;
		}
	}
	size_t nf = lmrec_ids_count(w->feats);
	x->taste = lmrec_xmalloc((nf + 1) * sizeof *x->taste);
	x->weight = lmrec_xmalloc((w->n_items + 1) * sizeof *x->weight);
}

static void free_index(struct ctx *x)
{
	free(x->uoff);
	free(x->useen);
	free(x->ucount);
	for (int d = 0; d < LMREC_SYNTH_NDOMAINS; d++)
		for (size_t k = 0; k < x->nkeys[d]; k++)
			free(x->val[d][k]);
	free(x->taste);
	free(x->weight);
}

/* ---- who asks for what ---- */

static int pick_domain(const struct ctx *x, struct lmrec_rng *r)
{
	static const double share[LMREC_SYNTH_NDOMAINS] = {0.32, 0.26, 0.24, 0.18};
	double wt[LMREC_SYNTH_NDOMAINS];
	for (int d = 0; d < LMREC_SYNTH_NDOMAINS; d++) {
		wt[d] = 0.0;
		for (size_t i = x->w->dom_first[d]; i < x->w->dom_first[d + 1] && wt[d] == 0.0; i++)
			if (x->w->items[i].end >= (int32_t)x->w->opt.days)
				wt[d] = share[d];
	}
	return (int)lmrec_synth_pick(r, wt, LMREC_SYNTH_NDOMAINS);
}

/* A user active in the domain (odds growing with the square root of
 * their events there, three at least); failing that one with any event
 * there; anyone who did anything; anyone. */
static uint32_t pick_user(const struct ctx *x, struct lmrec_rng *r, int d)
{
	size_t nu = x->w->n_users;
	double *wt = lmrec_xmalloc((nu + 1) * sizeof *wt);
	for (int pass = 0; pass < 4; pass++) {
		double sum = 0.0;
		for (size_t u = 0; u < nu; u++) {
			uint32_t c = x->ucount[u][d];
			switch (pass) {
			case 0: wt[u] = c >= 3 ? sqrt((double)(c < 400 ? c : 400)) : 0.0; break;
			case 1: wt[u] = c > 0 ? 1.0 : 0.0; break;
			case 2: wt[u] = x->uoff[u + 1] > x->uoff[u] ? 1.0 : 0.0; break;
			default: wt[u] = 1.0;
			}
			sum += wt[u];
		}
		if (sum > 0.0)
			break;
	}
	uint32_t u = (uint32_t)lmrec_synth_pick(r, wt, nu);
	free(wt);
	return u;
}

static int seen_by(const struct ctx *x, uint32_t u, uint32_t item)
{
	for (uint32_t k = x->uoff[u]; k < x->uoff[u + 1]; k++)
		if (x->useen[k] == item)
			return 1;
	return 0;
}

/* The target: an available item of the domain the user has not touched,
 * drawn by the user's taste at the end of the window (the one that made
 * their history), hidden factors, popularity and locality, as the
 * simulation scores items. */
static uint32_t pick_target(struct ctx *x, struct lmrec_rng *r, uint32_t u, int d)
{
	const struct lmrec_synth_world *w = x->w;
	const struct lmrec_synth_user *us = &w->users[u];
	size_t nf = lmrec_ids_count(w->feats);
	int32_t days = (int32_t)w->opt.days;
	/* the taste of the last day, as the simulation drifts it */
	lmrec_synth_user_taste(w, u, x->taste);
	double season = us->season * ((double)(days - 1) + 0.5) / (double)days, ramp = 0.0;
	if (us->new_persona >= 0 && us->new_day < days) {
		ramp = (double)(days - us->new_day) / 7.0;
		ramp = us->new_weight * (ramp > 1.0 ? 1.0 : ramp);
	}
	for (size_t f = 0; f < nf; f++)
		x->taste[f] += season * w->season_drift[f] +
			       (us->new_persona >= 0 ? ramp * w->personas[us->new_persona].taste[f] : 0.0);
	size_t lo = w->dom_first[d], hi = w->dom_first[d + 1];
	for (int allow_seen = 0; allow_seen < 2; allow_seen++) {
		double max = -1e300;
		int any = 0;
		for (size_t i = lo; i < hi; i++) {
			const struct lmrec_synth_item *it = &w->items[i];
			x->weight[i] = -1e300;
			if (it->end < days || (!allow_seen && seen_by(x, u, (uint32_t)i)))
				continue;
			double s = 0.0, dot = 0.0;
			for (uint32_t k = 0; k < it->nfeat; k++)
				s += x->taste[it->feat[k]];
			for (int q = 0; q < LMREC_SYNTH_LATENT; q++)
				dot += us->z[q] * it->z[q];
			s += LMREC_SYNTH_W_LATENT * dot + LMREC_SYNTH_W_POP * it->pop;
			if (it->region >= 0 && d == LMREC_SYNTH_FOOD)
				s += it->region == us->region ? LMREC_SYNTH_W_LOCAL_FOOD : LMREC_SYNTH_W_AWAY_FOOD;
			else if (it->region >= 0 && d == LMREC_SYNTH_PLACES)
				s += it->region == us->region ? LMREC_SYNTH_W_LOCAL_PLACE : 0.0;
			x->weight[i] = s;
			max = s > max ? s : max;
			any = 1;
		}
		if (!any)
			continue;
		for (size_t i = lo; i < hi; i++)
			x->weight[i] = x->weight[i] > -1e299 ? lmrec_synth_exp(x->weight[i] - max) : 0.0;
		return (uint32_t)(lo + lmrec_synth_pick(r, x->weight + lo, hi - lo));
	}
	BUG("no available item in domain '%s'", lmrec_synth_domain_names[d]);
}

/* ---- words ---- */

/* Brand and town values are lower case with '_': say them as names. */
static void say_name(struct sb *b, struct slice v)
{
	for (size_t i = 0; i < v.n; i++) {
		char c = (char)(v.p[i] == '_' ? ' ' : v.p[i]);
		if (c >= 'a' && c <= 'z' && (i == 0 || v.p[i - 1] == '_'))
			c = (char)(c - 'a' + 'A');
		sb_add(b, &c, 1);
	}
}

/* The name of a brand, town or restaurant value: "Halvik", "Saltby", the
 * title of the dish's venue. */
static void say_special(const struct lmrec_synth_world *w, struct sb *b, struct slice key, struct slice val)
{
	if (!eq(key, "restaurant")) {
		say_name(b, val);
		return;
	}
	for (size_t i = 0; i < w->n_items; i++)
		if (eq(val, w->items[i].id))
			sb_str(b, w->items[i].title);
}

static int starts_with(struct slice s, const char *p) { return s.n >= strlen(p) && memcmp(s.p, p, strlen(p)) == 0; }

/* "a" or "an" before the word s. */
static const char *article_for(struct slice s)
{
	static const char *const a_words[] = {"one", "uni", "use", "eu", "u-"};
	static const char *const an_words[] = {"hour", "honest"};
	for (size_t i = 0; i < NELEM(an_words); i++)
		if (starts_with(s, an_words[i]))
			return "an";
	for (size_t i = 0; i < NELEM(a_words); i++)
		if (starts_with(s, a_words[i]))
			return "a";
	return s.n && strchr("aeiouAEIOU", s.p[0]) ? "an" : "a";
}

/* Expands one '{}' (and '[]') template into b. */
static void fill(struct sb *b, struct slice tmpl, struct slice v, struct slice v2)
{
	for (size_t i = 0; i < tmpl.n; i++) {
		if (i + 1 < tmpl.n && tmpl.p[i] == '{' && tmpl.p[i + 1] == '}')
			sb_sl(b, v), i++;
		else if (i + 1 < tmpl.n && tmpl.p[i] == '[' && tmpl.p[i + 1] == ']')
			sb_sl(b, v2), i++;
		else
			sb_add(b, tmpl.p + i, 1);
	}
}

/* One alternative of a form-tagged list ("a:light|p:for one"), without
 * its tag, which goes to *form; empty when the list is. */
static struct slice pick_form(struct lmrec_rng *r, const char *list, char *form)
{
	if (!list || !*list)
		return (struct slice){"", 0};
	struct slice e = pick_s(r, list);
	if (e.n < 3 || e.p[1] != ':' || !strchr("aps", e.p[0]))
		BUG("bad form in '%.*s'", (int)e.n, e.p);
	*form = e.p[0];
	return (struct slice){e.p + 2, e.n - 2};
}

/* A value named alone, as in an answer or a correction: half the time
 * in the catalog's words ("for the slopes"), else one of its answer
 * phrases or, one time in five, in other words ("featherlight",
 * "something that keeps me dry"). */
static void say_value(struct lmrec_rng *r, struct sb *b, const struct talk_word *tw)
{
	double u = lmrec_rng_double(r);
	if (u >= 0.5 && u < 0.8) {
		sb_sl(b, pick_s(r, tw->ans));
		return;
	}
	char form = 0;
	struct slice s = pick_form(r, u < 0.5 ? tw->cat : tw->syn, &form);
	if (!s.n)
		s = pick_form(r, u < 0.5 ? tw->syn : tw->cat, &form);
	if (!s.n) {
		sb_sl(b, pick_s(r, tw->ans));
		return;
	}
	if (form == 's') {
		sb_str(b, article_for(s));
		sb_str(b, " ");
	} else if (form == 'p' && (starts_with(s, "that") || starts_with(s, "I "))) {
		sb_str(b, "something ");
	} else if (form == 'p' && starts_with(s, "where ")) {
		sb_str(b, "somewhere ");
	}
	sb_sl(b, s);
}

/* ---- the opening request ---- */

static void add_adj(struct draft *d, struct slice s)
{
	if (d->nadj++)
		sb_str(&d->adj, "\x01"); /* joined later */
	sb_sl(&d->adj, s);
}

static void add_post(struct draft *d, struct slice s)
{
	if (d->npost++)
		sb_str(&d->post, lmrec_rng_below(d->r, 3) ? " " : ", ");
	sb_sl(&d->post, s);
}

/* Says key=val positively, in the catalog's words (syn = 0) or others. */
static void mention(struct draft *d, struct slice key, struct slice val, int syn)
{
	struct lmrec_rng *r = d->r;
	if (special_key(key)) { /* "a Halvik jacket", "from Halvik", "near Saltby", "at the Copper Heron" */
		struct sb b = {0};
		int before = eq(key, "brand") && lmrec_rng_below(r, 2);
		if (!before)
			sb_sl(&b, pick_s(r, eq(key, "brand")  ? "from |by "
					    : eq(key, "town") ? "in |near |around |close to "
							      : "from |at "));
		say_special(d->x->w, &b, key, val);
		if (before)
			add_adj(d, (struct slice){b.p, b.len});
		else
			add_post(d, (struct slice){b.p, b.len});
		free(b.p);
		return;
	}
	const struct talk_word *tw = word_of(d->domain, key, val);
	char form = 0;
	struct slice s = pick_form(r, syn ? tw->syn : tw->cat, &form);
	if (!s.n)
		s = pick_form(r, syn ? tw->cat : tw->syn, &form);
	if (!s.n)
		BUG("no words for %.*s=%.*s", (int)key.n, key.p, (int)val.n, val.p);
	if (form == 'a')
		add_adj(d, s);
	else if (form == 'p')
		add_post(d, s);
	else {
		if (d->suffix.len)
			sb_str(&d->suffix, " ");
		sb_sl(&d->suffix, s);
	}
}

static void add_neg(struct draft *d, struct slice s)
{
	if (d->neg.len)
		sb_str(&d->neg, lmrec_rng_below(d->r, 2) ? " and " : ", ");
	sb_sl(&d->neg, s);
}

/* A value of a key the target does not hold, ruled out; 0 when there is none. */
static int rule_out(struct draft *d)
{
	const struct ctx *x = d->x;
	int dm = d->domain;
	double wt[MAX_KEYS * 16];
	struct {
		int k;
		size_t v;
	} cand[MAX_KEYS * 16];
	size_t n = 0;
	for (size_t k = 0; k < x->nkeys[dm]; k++) {
		struct slice key = x->key[dm][k];
		if (d->used[k] || special_key(key))
			continue;
		for (size_t v = 0; v < x->nval[dm][k] && n < NELEM(cand); v++) {
			const struct talk_word *tw = word_of(dm, key, x->val[dm][k][v]);
			if (has(d, key, &x->val[dm][k][v]) || !tw->neg)
				continue;
			cand[n].k = (int)k;
			cand[n].v = v;
			wt[n++] = key_of(dm, key)->weight;
		}
	}
	if (n == 0)
		return 0;
	size_t c = lmrec_synth_pick(d->r, wt, n);
	d->used[cand[c].k] = 1;
	add_neg(d, pick_s(d->r, word_of(dm, x->key[dm][cand[c].k], x->val[dm][cand[c].k][cand[c].v])->neg));
	return 1;
}

/* Another category of the domain, or something no item is, ruled out. */
static int rule_out_other(struct draft *d)
{
	const struct lmrec_synth_world *w = d->x->w;
	const char *own = w->cats[d->it->category].name;
	if (lmrec_rng_below(d->r, 3) == 0) {
		add_neg(d, pick_s(d->r, nothing_like[d->domain]));
		return 1;
	}
	size_t cand[NELEM(nouns)], n = 0;
	for (size_t i = 0; i < NELEM(nouns); i++) {
		if (!*nouns[i].neg || strcmp(nouns[i].cat, own) == 0)
			continue;
		for (size_t k = 0; k < w->n_cats; k++)
			if (strcmp(w->cats[k].name, nouns[i].cat) == 0 && (int)w->cats[k].domain == d->domain)
				cand[n++] = i;
	}
	if (n == 0)
		return 0;
	add_neg(d, pick_s(d->r, nouns[cand[lmrec_rng_below(d->r, n)]].neg));
	return 1;
}

/* A scenario whose implications the target all has; 0 when none. */
static int scenario(struct draft *d)
{
	size_t cand[NELEM(scenes)], n = 0;
	for (size_t i = 0; i < NELEM(scenes); i++) {
		if (scenes[i].domain != d->domain)
			continue;
		struct kv need[4];
		size_t nn = parse_attrs(scenes[i].needs, need), ok = 1;
		for (size_t j = 0; j < nn && ok; j++) {
			int k = key_index(d->x, d->domain, need[j].key);
			ok = k >= 0 && !d->used[k] && has(d, need[j].key, &need[j].val);
		}
		if (ok)
			cand[n++] = i;
	}
	if (n == 0)
		return 0;
	const struct talk_scene *sc = &scenes[cand[lmrec_rng_below(d->r, n)]];
	struct kv need[4];
	size_t nn = parse_attrs(sc->needs, need);
	for (size_t j = 0; j < nn; j++)
		d->used[key_index(d->x, d->domain, need[j].key)] = 1;
	add_post(d, pick_s(d->r, sc->text));
	return 1;
}

/* One of the target's attributes not yet spoken of, drawn by salience;
 * -1 when none is left. Multi-valued keys give one of their values. */
static int pick_attr(struct draft *d, int allow_special)
{
	double wt[MAX_KV];
	for (size_t i = 0; i < d->nkv; i++) {
		int k = key_index(d->x, d->domain, d->kv[i].key);
		const struct talk_key *tk = key_of(d->domain, d->kv[i].key);
		wt[i] = k < 0 || d->used[k] || (!allow_special && special_key(d->kv[i].key)) ? 0.0
			: tk ? tk->weight : 0.25;
	}
	double sum = 0.0;
	for (size_t i = 0; i < d->nkv; i++)
		sum += wt[i];
	if (sum <= 0.0)
		return -1;
	size_t i = lmrec_synth_pick(d->r, wt, d->nkv);
	d->used[key_index(d->x, d->domain, d->kv[i].key)] = 1;
	return (int)i;
}

/* A wrong value for one of the target's single-valued keys that can
 * change; its key index in *k and the value in *wrong; the true value's
 * attribute index returned, -1 when there is none. */
static int pick_wrong(struct draft *d, int *kout, struct slice *wrong)
{
	const struct ctx *x = d->x;
	int dm = d->domain;
	double wt[MAX_KV];
	for (size_t i = 0; i < d->nkv; i++) {
		int k = key_index(x, dm, d->kv[i].key);
		const struct talk_key *tk = key_of(dm, d->kv[i].key);
		size_t count = 0;
		for (size_t j = 0; j < d->nkv; j++)
			count += sl_eq(d->kv[j].key, d->kv[i].key);
		wt[i] = k >= 0 && !d->used[k] && tk && *tk->drop && !tk->yesno && count == 1 && x->nval[dm][k] > 1
				? tk->weight
				: 0.0;
	}
	double sum = 0.0;
	for (size_t i = 0; i < d->nkv; i++)
		sum += wt[i];
	if (sum <= 0.0)
		return -1;
	size_t i = lmrec_synth_pick(d->r, wt, d->nkv);
	int k = key_index(x, dm, d->kv[i].key);
	size_t v;
	do
		v = (size_t)lmrec_rng_below(d->r, x->nval[dm][k]);
	while (sl_eq(x->val[dm][k][v], d->kv[i].val));
	d->used[k] = 1;
	*kout = k;
	*wrong = x->val[dm][k][v];
	return (int)i;
}

/* Can a noun template take a noun after it ("a + comedy" -> "a comedy
 * series")? One or two words after "a +" ("a + show about athletes"
 * cannot). */
static int takes_suffix(struct slice t)
{
	if (!starts_with(t, "a + ") && !starts_with(t, "an + "))
		return 0;
	size_t spaces = 0;
	for (size_t i = 0; i < t.n; i++)
		spaces += t.p[i] == ' ';
	return spaces <= 3;
}

/* The noun phrase: the category's noun (or the domain's) with the
 * modifiers in its '+', the suffix after it, then the phrases. */
static void noun_phrase(struct draft *d, struct sb *b, int name_category, int syn)
{
	struct lmrec_rng *r = d->r;
	const struct lmrec_synth_world *w = d->x->w;
	const struct lmrec_synth_category *cat = &w->cats[d->it->category];
	const char *key = cat->name;
	if (!name_category)
		key = d->domain == LMREC_SYNTH_FOOD ? (cat->venue ? "venue" : "dish")
						   : lmrec_synth_domain_names[d->domain];
	const struct talk_noun *tn = NULL;
	for (size_t i = 0; i < NELEM(nouns); i++)
		if (strcmp(nouns[i].cat, key) == 0)
			tn = &nouns[i];
	if (!tn)
		BUG("no nouns for '%s'", key);
	struct slice tmpl;
	struct sb own = {0};
	if (!name_category && d->suffix.len) { /* "a film", "a box set" */
		sb_str(&own, "a + ");
		sb_sl(&own, (struct slice){d->suffix.p, d->suffix.len});
		tmpl = (struct slice){own.p, own.len};
		d->suffix.len = 0;
	} else {
		tmpl = pick_s(r, syn && *tn->syn ? tn->syn : tn->nouns);
		if (d->suffix.len && !takes_suffix(tmpl)) { /* "a comedy series", not "a comic show series" */
			struct slice all = mk(tn->nouns);
			size_t ok[8], n = 0;
			for (size_t i = 0, m = parts(all, '|'); i < m && n < NELEM(ok); i++)
				if (takes_suffix(part(all, '|', i)))
					ok[n++] = i;
			if (n)
				tmpl = part(all, '|', ok[lmrec_rng_below(r, n)]);
			else
				d->suffix.len = 0;
		}
	}
	const char *plus = memchr(tmpl.p, '+', tmpl.n);
	if (!plus)
		BUG("noun without '+': '%.*s'", (int)tmpl.n, tmpl.p);
	struct slice pre = {tmpl.p, (size_t)(plus - tmpl.p)}, post = {plus + 1, tmpl.n - pre.n - 1};
	while (pre.n && pre.p[pre.n - 1] == ' ')
		pre.n--;
	/* after "something", "somewhere", "some", "anything": "light and waterproof" */
	int after_some = (starts_with(pre, "some") && !memchr(pre.p, ' ', pre.n)) || starts_with(pre, "anything");
	if (d->nadj) {
		/* the modifiers, joined: "light, waterproof" or "light and waterproof" */
		struct sb m = {0};
		struct slice all = {d->adj.p, d->adj.len};
		size_t n = parts(all, '\x01');
		for (size_t i = 0; i < n; i++) {
			if (i)
				sb_str(&m, i + 1 == n && (after_some || lmrec_rng_below(r, 2)) ? " and " : ", ");
			sb_sl(&m, part(all, '\x01', i));
		}
		if (eq(pre, "a") || eq(pre, "an")) {
			sb_str(b, article_for((struct slice){m.p, m.len}));
		} else {
			sb_sl(b, pre);
		}
		if (b->len)
			sb_str(b, " ");
		sb_add(b, m.p, m.len);
		free(m.p);
	} else {
		sb_sl(b, pre);
	}
	sb_sl(b, post);
	if (d->suffix.len) {
		sb_str(b, " ");
		sb_add(b, d->suffix.p, d->suffix.len);
	}
	if (d->npost) {
		sb_str(b, " ");
		sb_add(b, d->post.p, d->post.len);
	}
	free(own.p);
}

static void capitalise(struct sb *b, size_t from)
{
	if (from < b->len && b->p[from] >= 'a' && b->p[from] <= 'z')
		b->p[from] = (char)(b->p[from] - 'a' + 'A');
}

/* ---- a session ---- */

/* Appends b as the row of the given turn (reply_to: the key answered, or
 * empty for a free utterance) and empties b. */
static void add_row(struct talk_session *s, size_t *cap, uint32_t turn, struct slice reply_to, struct sb *b)
{
	LMREC_GROW(s->rows, *cap, s->nrows + 1);
	s->rows[s->nrows++] =
		(struct talk_row){turn, reply_to.n ? lmrec_xstrndup(reply_to.p, reply_to.n) : NULL, sb_dup(b)};
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

/* The answer to a question about key k of the domain. */
static void answer(struct draft *d, int k, struct sb *b)
{
	struct lmrec_rng *r = d->r;
	int dm = d->domain;
	struct slice key = d->x->key[dm][k];
	const struct talk_key *tk = key_of(dm, key);
	if (!has(d, key, NULL)) {
		sb_sl(b, pick_s(r, say_either));
		return;
	}
	if (tk && tk->yesno) {
		int yes = has(d, key, &(struct slice){"yes", 3});
		const char *const *more = yes ? yes_more : no_more;
		const char *extra = NULL;
		for (size_t i = 0; i < 4; i += 2)
			if (strcmp(more[i], tk->key) == 0)
				extra = more[i + 1];
		sb_sl(b, pick_s(r, extra && lmrec_rng_below(r, 3) == 0 ? extra : yes ? say_yes : say_no));
		return;
	}
	/* the target's values for the key: one, sometimes two */
	struct slice vals[MAX_KV];
	size_t nv = 0;
	for (size_t i = 0; i < d->nkv; i++)
		if (sl_eq(d->kv[i].key, key))
			vals[nv++] = d->kv[i].val;
	size_t first = (size_t)lmrec_rng_below(r, nv), second = nv;
	if (nv > 1 && lmrec_rng_below(r, 10) < 3)
		second = (first + 1 + (size_t)lmrec_rng_below(r, nv - 1)) % nv;
	struct sb v = {0};
	for (int round = 0; round < 2; round++) {
		size_t vi = round == 0 ? first : second;
		if (vi >= nv)
			break;
		if (round)
			sb_str(&v, eq(key, "diet") ? " and " : " or ");
		if (special_key(key)) {
			if (!eq(key, "brand"))
				sb_sl(&v, pick_s(r, eq(key, "town") ? "|in |near |around " : "|from |the one at "));
			say_special(d->x->w, &v, key, vals[vi]);
		} else {
			say_value(r, &v, word_of(dm, key, vals[vi]));
		}
	}
	if (lmrec_rng_below(r, 50) == 0 && !special_key(key)) /* names are spelt right */
		sb_typo(r, &v);
	fill(b, pick_s(r, answer_tmpl), (struct slice){v.p, v.len}, (struct slice){"", 0});
	free(v.p);
}

/* The opening request: one to three things about the target (maybe one
 * wrong, to be corrected later), the category or the domain's noun, in
 * one of the openings, cased as people type, sometimes with a typo. */
static void compose_opening(struct draft *d, struct sb *b)
{
	struct lmrec_rng *r = d->r;
	const struct ctx *x = d->x;
	size_t nsay = 1 + lmrec_synth_pick(r, (const double[]){0.3, 0.45, 0.25}, 3);
	if (lmrec_rng_double(r) < 0.15 && (d->fixed = pick_wrong(d, &d->wrong_k, &d->wrong)) >= 0) {
		mention(d, x->key[d->domain][d->wrong_k], d->wrong, (int)lmrec_rng_below(r, 2));
		d->later = 1;
		nsay--;
	}
	int positive = d->later;
	for (size_t m = 0; m < nsay; m++) {
		double u = lmrec_rng_double(r);
		if (u < 0.2 && scenario(d)) {
			positive = 1;
			continue;
		}
		if (u >= 0.2 && u < 0.35 && rule_out(d))
			continue;
		if (u >= 0.35 && u < 0.4 && rule_out_other(d))
			continue;
		int a = pick_attr(d, lmrec_rng_below(r, 8) == 0);
		if (a < 0)
			break;
		mention(d, d->kv[a].key, d->kv[a].val, lmrec_rng_double(r) < 0.55);
		positive = 1;
	}
	int name_category = !positive || lmrec_rng_double(r) < 0.5;

	struct sb np = {0};
	noun_phrase(d, &np, name_category, lmrec_rng_double(r) < 0.35);
	struct slice op = pick_s(r, openers);
	const char *brace = memchr(op.p, '{', op.n);
	struct slice head = {op.p, (size_t)(brace - op.p)}, tail = {brace + 2, op.n - head.n - 2};
	struct slice neg = {d->neg.p, d->neg.len};
	sb_sl(b, head);
	sb_add(b, np.p, np.len);
	free(np.p);
	int neg_sentence = neg.n && (tail.n > 0 || lmrec_rng_below(r, 3) == 0);
	if (neg.n && !neg_sentence)
		fill(b, pick_s(r, neg_inline), neg, (struct slice){"", 0});
	sb_sl(b, tail);
	if (neg_sentence) {
		if (!strchr(".?!", b->p[b->len - 1]))
			sb_str(b, ".");
		sb_str(b, " ");
		size_t at = b->len;
		fill(b, pick_s(r, neg_after), neg, (struct slice){"", 0});
		capitalise(b, at);
	} else if (!tail.n && lmrec_rng_below(r, 3) == 0) {
		sb_sl(b, pick_s(r, ".|!|..."));
	}
	sb_casing(r, b, 0.55, 0.9);
	if (lmrec_rng_below(r, 100) < 7)
		sb_typo(r, b);
}

/* A later free utterance: the correction of the wrong detail (its right
 * value, or the key dropped), or for some sessions a refinement (another
 * true detail); b stays empty when there is none. */
static void compose_later(struct draft *d, struct sb *b)
{
	struct lmrec_rng *r = d->r;
	const struct ctx *x = d->x;
	int dm = d->domain;
	struct sb v = {0}, v2 = {0};
	if (!d->later && lmrec_rng_double(r) < 0.1)
		d->later = 2;
	if (d->later == 1 && lmrec_rng_below(r, 10) < 7) {
		say_value(r, &v, word_of(dm, d->kv[d->fixed].key, d->kv[d->fixed].val));
		say_value(r, &v2, word_of(dm, x->key[dm][d->wrong_k], d->wrong));
		fill(b, pick_s(r, correct_tmpl), (struct slice){v.p, v.len}, (struct slice){v2.p, v2.len});
	} else if (d->later == 1) {
		fill(b, pick_s(r, drop_tmpl), pick_s(r, key_of(dm, x->key[dm][d->wrong_k])->drop), (struct slice){"", 0});
	} else if (d->later == 2) {
		int a = pick_attr(d, 0);
		if (a >= 0) {
			say_value(r, &v, word_of(dm, d->kv[a].key, d->kv[a].val));
		} else {
			d->neg.len = 0;
			if (rule_out(d))
				sb_add(&v, d->neg.p, d->neg.len);
		}
		if (v.len)
			fill(b, pick_s(r, refine_tmpl), (struct slice){v.p, v.len}, (struct slice){"", 0});
	}
	if (b->len)
		sb_casing(r, b, 0.55, 0.9);
	free(v.p);
	free(v2.p);
}

static void make_session(struct ctx *x, size_t sn, struct talk_session *s)
{
	const struct lmrec_synth_world *w = x->w;
	struct lmrec_rng rng;
	lmrec_rng_seed2(&rng, w->opt.seed, ((uint64_t)LMREC_SYNTH_RNG_TALK << 32) | sn);
	int dm = pick_domain(x, &rng);
	s->user = pick_user(x, &rng, dm);
	s->item = pick_target(x, &rng, s->user, dm);
	struct draft d = {.r = &rng, .x = x, .domain = dm, .it = &w->items[s->item], .fixed = -1, .wrong_k = -1};
	d.nkv = parse_attrs(d.it->attrs, d.kv);

	/* the turns: the opening; the answers, one per key of the domain, in
	 * the catalog's key order; a later free utterance at turn 2 or 3 */
	struct sb b = {0}, later = {0};
	size_t cap = 0;
	compose_opening(&d, &b);
	add_row(s, &cap, 1, (struct slice){"", 0}, &b);
	compose_later(&d, &later);
	uint32_t later_turn = later.len ? 2 + (uint32_t)(lmrec_rng_below(&rng, 10) < 3) : 0, turn = 2;
	for (size_t k = 0; k < x->nkeys[dm]; k++) {
		if (turn == later_turn)
			add_row(s, &cap, turn++, (struct slice){"", 0}, &later);
		answer(&d, (int)k, &b);
		add_row(s, &cap, turn++, x->key[dm][k], &b);
	}
	if (turn == later_turn)
		add_row(s, &cap, turn, (struct slice){"", 0}, &later);
	free(b.p);
	free(later.p);
	free(d.adj.p);
	free(d.post.p);
	free(d.suffix.p);
	free(d.neg.p);
}

struct lmrec_synth_talk *lmrec_synth_talk_new(const struct lmrec_synth_world *w, size_t n)
{
	struct lmrec_synth_talk *t = lmrec_xcalloc(1, sizeof *t);
	t->s = lmrec_xcalloc(n + 1, sizeof *t->s);
	t->n = n;
	if (n == 0)
		return t;
	struct ctx x = {.w = w};
	index_world(&x);
	for (size_t i = 0; i < n; i++)
		make_session(&x, i, &t->s[i]);
	free_index(&x);
	return t;
}

void lmrec_synth_talk_free(struct lmrec_synth_talk *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		for (size_t k = 0; k < t->s[i].nrows; k++) {
			free(t->s[i].rows[k].text);
			free(t->s[i].rows[k].reply_to);
		}
		free(t->s[i].rows);
	}
	free(t->s);
	free(t);
}

void lmrec_synth_write_conversations(const struct lmrec_synth_world *w, const struct lmrec_synth_talk *t,
				     struct lmrec_out *o)
{
	int width = lmrec_synth_id_width(t->n);
	lmrec_out_str(o, "session\tuser\tturn\ttext\treply_to\n");
	for (size_t i = 0; i < t->n; i++) {
		const struct talk_session *s = &t->s[i];
		for (size_t k = 0; k < s->nrows; k++) {
			lmrec_out_printf(o, "c%0*zu\t%s\t%u\t", width, i + 1, w->users[s->user].id,
					 (unsigned)s->rows[k].turn);
			lmrec_out_field(o, s->rows[k].text, strlen(s->rows[k].text));
			lmrec_out_tab(o);
			if (s->rows[k].reply_to)
				lmrec_out_str(o, s->rows[k].reply_to);
			lmrec_out_eol(o);
		}
	}
}

void lmrec_synth_write_targets(const struct lmrec_synth_world *w, const struct lmrec_synth_talk *t,
			       struct lmrec_out *o)
{
	int width = lmrec_synth_id_width(t->n);
	lmrec_out_str(o, "session\titem\n");
	for (size_t i = 0; i < t->n; i++)
		lmrec_out_printf(o, "c%0*zu\t%s\n", width, i + 1, w->items[t->s[i].item].id);
}
