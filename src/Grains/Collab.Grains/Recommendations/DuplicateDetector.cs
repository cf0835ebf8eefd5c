using System.Globalization;
using System.Text;
using Lucene.Net.Analysis.Snowball;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Tartarus.Snowball;
using Lucene.Net.Tartarus.Snowball.Ext;
using Lucene.Net.Util;

namespace Collab.Recommendations;

/// <summary>
/// Finds likely duplicates among a workshop's open recommendations, in English and French.
/// <para>
/// Each recommendation is reduced to the stems of its content words: words are split at anything but letters and
/// digits (a hyphenated compound such as <c>cross-border</c> counts as its parts, and a closed form written elsewhere
/// on the board, <c>crossborder</c>, as the same parts), French elisions are dropped (<c>l'alerte</c>), stop words of
/// the recommendation's language (Snowball's lists, plus a few words every recommendation uses) are ignored, and each
/// word is stemmed by the Snowball stemmer of that language (<c>quarterly</c>/<c>quarter</c>,
/// <c>frontalières</c>/<c>frontalier</c>; French relational adjectives then lose their suffix, see
/// <see cref="FrenchNoun"/>, and a few words no stemmer joins are one, see <see cref="EnglishEquivalent"/>), then
/// compared without accents or case. The language is the one whose stop words the text uses most (accented letters
/// and typical endings count too, see <see cref="Cue"/>). docs/recommendations.md ("Likely duplicates") says the same
/// for people.
/// </para>
/// <para>
/// A stem weighs <c>ln(1 + N / n)</c> where N is the number of open recommendations and n the number using it: a word
/// most of the board uses (<c>border</c> at a border conference) weighs little, a rare shared word a lot. Two
/// recommendations are compared by weighted Jaccard similarity (the weight of the stems they share over the weight of
/// all their stems, word order ignored) of their titles, and of their titles and texts together; the similarity is the
/// mean of the two (the titles' alone when either has no text). A pair is likely a duplicate from
/// <see cref="Threshold"/> on, sharing at least two stems.
/// </para>
/// <para>
/// Cost: a recommendation's words are analysed again only when its title or text changed; pairs are scored only when
/// something changed since the last answer, and only pairs that share a stem (through an index of stems), at most
/// <see cref="MaxPairs"/> listed. Not thread safe: one per grain activation.
/// </para>
/// </summary>
internal sealed class DuplicateDetector
{
    public const double Threshold = 0.5;
    public const int MaxPairs = 200;
    private const int MaxSharedWords = 6;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private IReadOnlyList<LikelyDuplicate>? _found;

    /// <summary>Follows a recommendation's summary: open ones (draft, proposed, in review) are candidates, others not.</summary>
    public void Track(RecommendationSummary summary)
    {
        if (summary.Status is RecommendationStatus.Draft or RecommendationStatus.Proposed or RecommendationStatus.InReview)
        {
            Set(summary.Id, summary.Title, summary.Excerpt);
        }
        else
        {
            Remove(summary.Id);
        }
    }

    /// <summary>Adds or updates an open recommendation; its words are analysed again only if its title or text changed.</summary>
    public void Set(string id, string title, string text)
    {
        if (_entries.TryGetValue(id, out var known) && known.Title == title && known.Text == text)
        {
            return;
        }

        _entries[id] = new Entry(id, title, text, Analyze(title, text));
        _found = null;
    }

    /// <summary>Forgets a recommendation (merged, adopted, rejected, withdrawn: no longer a candidate).</summary>
    public void Remove(string id)
    {
        if (_entries.Remove(id))
        {
            _found = null;
        }
    }

    /// <summary>The likely duplicates, most similar first; scored again only after a change.</summary>
    public IReadOnlyList<LikelyDuplicate> Find() => _found ??= Score();

    private IReadOnlyList<LikelyDuplicate> Score()
    {
        var entries = _entries.Values.OrderBy(e => e.Id.Length).ThenBy(e => e.Id, StringComparer.Ordinal).ToList();
        if (entries.Count < 2)
        {
            return [];
        }

        // A closed compound (crossborder) written where another recommendation hyphenates it counts as its parts.
        var compounds = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var token in entries.SelectMany(e => e.Analysis.Title.Concat(e.Analysis.Text)).Where(t => t.Parts.Length > 1))
        {
            compounds.TryAdd(token.Joined, token.Parts);
        }

        // Stems as numbers, and for each stem the recommendations using it (in their titles apart).
        var bags = entries.Select(e => new Bag(e.Analysis, compounds)).ToList();
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        var users = new List<List<int>>();
        var titleUsers = new List<List<int>>();
        var all = new int[bags.Count][];
        var titles = new int[bags.Count][];
        for (var i = 0; i < bags.Count; i++)
        {
            all[i] = [.. bags[i].All.Keys.Select(Number)];
            titles[i] = [.. bags[i].Title.Select(Number)];
            foreach (var stem in all[i])
            {
                users[stem].Add(i);
            }

            foreach (var stem in titles[i])
            {
                titleUsers[stem].Add(i);
            }
        }

        var weights = users.Select(u => Math.Log(1 + (double)bags.Count / u.Count)).ToArray();
        var allMass = all.Select(stems => stems.Sum(s => weights[s])).ToArray();
        var titleMass = titles.Select(stems => stems.Sum(s => weights[s])).ToArray();
        var sharedAll = new double[bags.Count];
        var sharedTitle = new double[bags.Count];
        var sharedCount = new int[bags.Count];
        var touched = new List<int>();
        var candidates = new List<(int First, int Second, double Similarity)>();
        for (var i = 0; i < bags.Count; i++)
        {
            // The weight i shares with every later recommendation that uses one of its stems; nobody else is looked at.
            foreach (var stem in all[i])
            {
                foreach (var j in users[stem])
                {
                    if (j > i)
                    {
                        if (sharedCount[j]++ == 0)
                        {
                            touched.Add(j);
                        }

                        sharedAll[j] += weights[stem];
                    }
                }
            }

            foreach (var stem in titles[i])
            {
                foreach (var j in titleUsers[stem])
                {
                    if (j > i)
                    {
                        sharedTitle[j] += weights[stem];
                    }
                }
            }

            foreach (var j in touched)
            {
                var similarity = Similarity(
                    bags[i], bags[j], sharedTitle[j] / (titleMass[i] + titleMass[j] - sharedTitle[j]), sharedAll[j] / (allMass[i] + allMass[j] - sharedAll[j]));
                if (sharedCount[j] >= 2 && similarity >= Threshold)
                {
                    candidates.Add((i, j, similarity));
                }

                sharedAll[j] = sharedTitle[j] = sharedCount[j] = 0;
            }

            touched.Clear();
        }

        var stemWeights = numbers.ToDictionary(n => n.Key, n => weights[n.Value], StringComparer.Ordinal);
        return
        [
            .. candidates.OrderByDescending(c => c.Similarity).ThenBy(c => c.First).ThenBy(c => c.Second).Take(MaxPairs)
                .Select(c => new LikelyDuplicate(entries[c.First].Id, entries[c.Second].Id, Math.Round(c.Similarity, 2), SharedWords(bags[c.First], bags[c.Second], stemWeights))),
        ];

        int Number(string stem)
        {
            if (!numbers.TryGetValue(stem, out var number))
            {
                numbers[stem] = number = users.Count;
                users.Add([]);
                titleUsers.Add([]);
            }

            return number;
        }
    }

    private static double Similarity(Bag first, Bag second, double titles, double all)
    {
        if (first.Title.Count == 0 || second.Title.Count == 0)
        {
            return all;
        }

        return first.HasText && second.HasText ? (titles + all) / 2 : titles;
    }

    /// <summary>The shared words as the first recommendation writes them: shared by the titles first, then the rarest.</summary>
    private static List<string> SharedWords(Bag first, Bag second, Dictionary<string, double> weight) =>
    [
        .. first.All.Keys.Where(second.All.ContainsKey)
            .OrderByDescending(s => first.Title.Contains(s) && second.Title.Contains(s))
            .ThenByDescending(s => weight[s])
            .ThenBy(s => s, StringComparer.Ordinal)
            .Select(s => first.All[s])
            .Distinct(StringComparer.Ordinal)
            .Take(MaxSharedWords),
    ];

    /// <summary>
    /// A recommendation's words: its language, and the tokens of its title and text in order. Pure, and the costly
    /// part of the detector (stemming), so the detector keeps it until the title or text changes.
    /// </summary>
    internal static Analysis Analyze(string title, string text)
    {
        var titleWords = Words(title);
        var textWords = Words(text);
        var language = Language(titleWords.Concat(textWords));
        var stemmers = new Stemmers();
        return new Analysis(
            language ?? "",
            [.. titleWords.Select(w => ToToken(w, language, stemmers)).OfType<Token>()],
            [.. textWords.Select(w => ToToken(w, language, stemmers)).OfType<Token>()]);
    }

    /// <summary>The stems of a recommendation, each with the word shown for it; title stems apart.</summary>
    private sealed class Bag
    {
        public Bag(Analysis analysis, Dictionary<string, string[]> compounds)
        {
            foreach (var token in analysis.Title)
            {
                foreach (var stem in Stems(token, compounds))
                {
                    Title.Add(stem);
                    All.TryAdd(stem, token.Shown);
                }
            }

            foreach (var token in analysis.Text)
            {
                foreach (var stem in Stems(token, compounds))
                {
                    HasText = true;
                    All.TryAdd(stem, token.Shown);
                }
            }
        }

        public HashSet<string> Title { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> All { get; } = new(StringComparer.Ordinal);

        public bool HasText { get; }

        private static string[] Stems(Token token, Dictionary<string, string[]> compounds) =>
            token.Parts.Length == 1 && compounds.TryGetValue(token.Parts[0], out var parts) ? parts : token.Parts;
    }

    internal sealed record Analysis(string Language, IReadOnlyList<Token> Title, IReadOnlyList<Token> Text);

    /// <summary>
    /// A content word as its stems (one, or a compound's parts), the word as written (lower case), and for a compound
    /// the stem of its parts written together, which is what a closed form of it stems to.
    /// </summary>
    internal sealed record Token(string[] Parts, string Shown, string Joined);

    private sealed record Entry(string Id, string Title, string Text, Analysis Analysis);

    private sealed class Stemmers
    {
        private readonly SnowballProgram _english = new EnglishStemmer();
        private readonly SnowballProgram _french = new FrenchStemmer();

        public string Stem(string word, string language)
        {
            var french = language == "fr";
            var stemmer = french ? _french : _english;
            stemmer.SetCurrent(word);
            stemmer.Stem();
            var stem = Fold(stemmer.Current);
            if (french)
            {
                stem = FrenchNoun(stem);
            }

            return (french ? FrenchEquivalent : EnglishEquivalent).GetValueOrDefault(stem, stem);
        }
    }

    /// <summary>
    /// The Snowball French stemmer keeps relational adjectives apart from their nouns (communautaire/communauté,
    /// trimestriel/trimestre, régional/région, sécuritaire/sécurité), which English's stemmer joins (regional/region):
    /// their suffixes -itaire, -aire, -iel, -el and -al are taken off a folded stem when at least five letters remain
    /// (so local, salaire stay as they are).
    /// </summary>
    private static string FrenchNoun(string stem)
    {
        foreach (var suffix in FrenchAdjectiveSuffixes)
        {
            if (stem.EndsWith(suffix, StringComparison.Ordinal) && stem.Length - suffix.Length >= 5)
            {
                return stem[..^suffix.Length];
            }
        }

        return stem;
    }

    private static readonly string[] FrenchAdjectiveSuffixes = ["itair", "air", "iel", "el", "al"];

    /// <summary>
    /// Stems the stemmers leave apart but that name one thing: irregular plurals, and a few derivations of the
    /// workshops' vocabulary. Keys and values are folded stems.
    /// </summary>
    private static readonly Dictionary<string, string> EnglishEquivalent = new(StringComparer.Ordinal)
    {
        ["women"] = "woman",
        ["men"] = "man",
        ["children"] = "child",
        ["young"] = "youth",
    };

    private static readonly Dictionary<string, string> FrenchEquivalent = new(StringComparer.Ordinal)
    {
        ["jeuness"] = "jeun",
        ["frontali"] = "fronti",
        ["transfrontali"] = "transfronti",
        ["douani"] = "douan",
    };

    private static readonly CharArraySet SnowballEnglish = SnowballStopWords("english_stop.txt");
    private static readonly CharArraySet SnowballFrench = SnowballStopWords("french_stop.txt");

    /// <summary>Words every recommendation uses (the act of recommending, modal verbs, quantifiers), beside Snowball's lists.</summary>
    private static readonly HashSet<string> MoreEnglish = Folded(
        "also", "across", "among", "can", "could", "each", "every", "may", "might", "must", "need", "needs", "per", "shall",
        "should", "will", "would", "within", "via", "well", "recommend", "recommends", "recommended", "recommendation",
        "recommendations", "ensure", "encourage", "urge", "call", "calls", "invite", "invites", "make", "take", "way", "ways");

    private static readonly HashSet<string> MoreFrench = Folded(
        "afin", "ainsi", "aussi", "auprès", "cela", "chaque", "chez", "dont", "doit", "doivent", "devrait", "devraient",
        "devra", "devront", "entre", "être", "avoir", "faire", "lors", "où", "peut", "peuvent", "plus", "pourrait", "selon",
        "tout", "tous", "toute", "toutes", "très", "vers", "recommander", "recommande", "recommandé", "recommandation",
        "recommandations", "veiller", "encourager", "inviter", "appeler", "il", "faut", "moyen", "moyens", "façon");

    /// <summary>French articles and pronouns that elide before a vowel (l'alerte, d'identité, qu'elles).</summary>
    private static readonly HashSet<string> Elisions = ["l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"];

    private static readonly HashSet<string> EnglishStops = [.. Folded(SnowballEnglish), .. MoreEnglish];
    private static readonly HashSet<string> FrenchStops = [.. Folded(SnowballFrench), .. MoreFrench];

    private static CharArraySet SnowballStopWords(string file) =>
        WordlistLoader.GetSnowballWordSet(IOUtils.GetDecodingReader(typeof(SnowballFilter), file, Encoding.UTF8), LuceneVersion.LUCENE_48);

    private static HashSet<string> Folded(params IEnumerable<string> words) => [.. words.Select(Fold)];

    private static HashSet<string> Folded(CharArraySet words) => [.. words.Select(w => Fold(w.ToString() ?? ""))];

    /// <summary>
    /// The words of a text, lower case: letters and digits, with marks; an apostrophe ends a French elision
    /// (l'alerte → alerte) or an English possessive (women's → women); hyphens join the parts of a compound.
    /// </summary>
    private static List<string[]> Words(string text)
    {
        var words = new List<string[]>();
        var parts = new List<string>();
        var part = new StringBuilder();
        foreach (var c in text.Normalize(NormalizationForm.FormC))
        {
            if (char.IsLetterOrDigit(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark)
            {
                part.Append(char.ToLowerInvariant(c));
            }
            else if (c is '\'' or '\u2019' or '\u02BC')
            {
                if (Elisions.Contains(part.ToString()))
                {
                    part.Clear();
                }
                else
                {
                    EndPart();
                    EndWord();
                }
            }
            else if (c is '-' or '\u2010' or '\u2011' && part.Length > 0)
            {
                EndPart();
            }
            else
            {
                EndPart();
                EndWord();
            }
        }

        EndPart();
        EndWord();
        return words;

        void EndPart()
        {
            if (part.Length > 0)
            {
                parts.Add(part.ToString());
                part.Clear();
            }
        }

        void EndWord()
        {
            if (parts.Count > 0)
            {
                words.Add([.. parts]);
                parts.Clear();
            }
        }
    }

    /// <summary>
    /// French when the words use more of French's own stop words, accented letters and French endings than English's
    /// stop words and endings; English when the other way round; null when nothing tells (then each word is stemmed as
    /// French if it looks French, else as English).
    /// </summary>
    private static string? Language(IEnumerable<string[]> words)
    {
        var english = 0;
        var french = 0;
        foreach (var part in words.SelectMany(w => w))
        {
            var inEnglish = SnowballEnglish.Contains(part);
            var inFrench = SnowballFrench.Contains(part);
            if (inEnglish != inFrench)
            {
                english += inEnglish ? 1 : 0;
                french += inFrench ? 1 : 0;
            }
            else if (!inEnglish)
            {
                var cue = Cue(part);
                english += cue == "en" ? 1 : 0;
                french += cue == "fr" ? 1 : 0;
            }
        }

        return english > french ? "en" : french > english ? "fr" : null;
    }

    /// <summary>What a single word suggests: an accented letter or a French ending, or an English ending or letter.</summary>
    private static string? Cue(string word)
    {
        if (word.AsSpan().IndexOfAny("àâæçéèêëîïôœùûüÿ") >= 0 || FrenchEndings.Any(e => word.EndsWith(e, StringComparison.Ordinal)))
        {
            return "fr";
        }

        var consonantY = word.Length > 2 && word[^1] == 'y' && !"aeiou".Contains(word[^2], StringComparison.Ordinal);
        return consonantY || word.AsSpan().IndexOfAny("wk") >= 0 || EnglishEndings.Any(e => word.EndsWith(e, StringComparison.Ordinal)) ? "en" : null;
    }

    private static readonly string[] FrenchEndings = ["aire", "aires", "ier", "iers", "els", "elle", "elles", "aux", "eux", "euse", "euses"];
    private static readonly string[] EnglishEndings = ["ing", "ings", "ly", "ness", "ship", "ships", "ful", "less", "ed"];

    private static Token? ToToken(string[] word, string? language, Stemmers stemmers)
    {
        var parts = new List<string>();
        foreach (var part in word)
        {
            var lang = language ?? (Cue(part) ?? "en");
            var folded = Fold(part);
            if (folded.Length == 0)
            {
                continue;
            }

            var stops = language switch { "fr" => FrenchStops, "en" => EnglishStops, _ => null };
            if (folded.Length < 2 && !char.IsDigit(folded[0])
                || (stops?.Contains(folded) ?? (EnglishStops.Contains(folded) || FrenchStops.Contains(folded))))
            {
                continue;
            }

            parts.Add(char.IsDigit(folded[0]) ? folded : stemmers.Stem(part, lang));
        }

        if (parts.Count == 0)
        {
            return null;
        }

        var shown = string.Join('-', word);
        var joinedLanguage = language ?? (Cue(string.Concat(word)) ?? "en");
        return parts.Count == 1
            ? new Token([parts[0]], shown, parts[0])
            : new Token([.. parts], shown, stemmers.Stem(string.Concat(word), joinedLanguage));
    }

    /// <summary>Without accents or other marks, lower case.</summary>
    private static string Fold(string word)
    {
        var builder = new StringBuilder(word.Length);
        foreach (var c in word.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) is not (UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }

        return builder.ToString();
    }
}
