using Collab.Recommendations;
using static Collab.Tests.Recommendations.DuplicateCorpus;

namespace Collab.Tests.Recommendations;

/// <summary>The board's duplicate detector on its own, on recommendations written from the seed conference's themes.</summary>
public sealed class DuplicateDetectorTests
{
    /// <summary>Every case of the corpus, by name (so that each row is a test of its own).</summary>
    public static TheoryData<string, string, bool> Cases()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var c in All)
        {
            data.Add(c.Language, c.Name, c.Duplicate);
        }

        return data;
    }

    // The whole corpus as one bilingual board: what a workshop's board looks like after the groups reported.
    private static readonly Lazy<(DuplicateDetector Board, List<Proposal> Proposals)> WholeBoard = new(() =>
    {
        var proposals = All.SelectMany(c => new[] { c.First, c.Second }).Distinct().ToList();
        var board = new DuplicateDetector();
        for (var i = 0; i < proposals.Count; i++)
        {
            board.Set($"r{i + 1}", proposals[i].Title, proposals[i].Text);
        }

        return (board, proposals);
    });

    [Theory]
    [MemberData(nameof(Cases))]
    public void ParaphrasesAreLikelyDuplicatesAndTopicNeighboursAreNot(string language, string name, bool duplicate)
    {
        var c = All.Single(x => x.Language == language && x.Name == name);

        var alone = new DuplicateDetector();
        alone.Set("r1", c.First.Title, c.First.Text);
        alone.Set("r2", c.Second.Title, c.Second.Text);
        var (board, proposals) = WholeBoard.Value;
        var (first, second) = ($"r{proposals.IndexOf(c.First) + 1}", $"r{proposals.IndexOf(c.Second) + 1}");

        Assert.True(duplicate == alone.Find().Any(d => d.First == "r1" && d.Second == "r2"),
            $"{c}: expected {(duplicate ? "a likely duplicate" : "no pair")} on a board of the two alone; found {Describe(alone.Find())}");
        Assert.True(duplicate == board.Find().Any(d => new[] { d.First, d.Second }.Order().SequenceEqual(new[] { first, second }.Order())),
            $"{c}: expected {(duplicate ? "a likely duplicate" : "no pair")} on the board of the whole corpus");
    }

    [Fact]
    public void CorpusHoldsFifteenPairsAndFifteenNonPairsInEachLanguage()
    {
        foreach (var language in new[] { "en", "fr" })
        {
            Assert.True(All.Count(c => c.Language == language && c.Duplicate) >= 15, $"15 pairs in {language}");
            Assert.True(All.Count(c => c.Language == language && !c.Duplicate) >= 15, $"15 non-pairs in {language}");
        }
    }

    [Fact]
    public void ThePairOfIssue14IsFoundWithTheWordsItShares()
    {
        var board = new DuplicateDetector();
        board.Set("r1", "Quarterly cross-border community forums", "");
        board.Set("r2", "Cross-border community forums every quarter", "");

        var pair = Assert.Single(board.Find());

        Assert.Equal(("r1", "r2", 1.0), (pair.First, pair.Second, pair.Similarity));
        Assert.Equal(["cross-border", "community", "forums", "quarterly"], pair.SharedWords);
    }

    [Fact]
    public void WordsOfTheTitlesComeFirstAmongTheSharedWords()
    {
        var board = new DuplicateDetector();
        board.Set("r1", "Local radios inform border communities", "Broadcast security news in local languages every week.");
        board.Set("r2", "Border communities informed by local radios", "Every week, local languages carry security news on the radio.");

        var pair = Assert.Single(board.Find());

        Assert.Equal(["border", "communities", "inform", "local", "radios"], pair.SharedWords.Take(5).Order());
        Assert.Equal(6, pair.SharedWords.Count);
        Assert.Contains(pair.SharedWords[5], new[] { "security", "news", "languages", "week" });
    }

    [Fact]
    public void ClosedRecommendationsAreNoLongerCandidates()
    {
        var board = new DuplicateDetector();
        board.Track(Summary("r1", "Quarterly cross-border community forums", RecommendationStatus.Proposed));
        board.Track(Summary("r2", "Cross-border community forums every quarter", RecommendationStatus.Draft));
        Assert.Single(board.Find());

        board.Track(Summary("r2", "Cross-border community forums every quarter", RecommendationStatus.Merged));

        Assert.Empty(board.Find());
    }

    [Fact]
    public void PairsAreScoredAgainOnlyAfterATitleOrTextChanged()
    {
        var board = new DuplicateDetector();
        board.Set("r1", "Quarterly cross-border community forums", "Hold forums every quarter.");
        board.Set("r2", "Cross-border community forums every quarter", "Communities meet every quarter.");
        var first = board.Find();

        board.Track(Summary("r2", "Cross-border community forums every quarter", RecommendationStatus.Proposed, "Communities meet every quarter."));
        var unchanged = board.Find();
        board.Set("r2", "Cross-border community forums every quarter", "Communities meet every quarter, on market day.");
        var changed = board.Find();

        Assert.Same(first, unchanged);
        Assert.NotSame(first, changed);
        Assert.Single(changed);
    }

    [Fact]
    public void AFullBoardOfCopiesListsAtMostTwoHundredPairs()
    {
        var board = new DuplicateDetector();
        for (var i = 1; i <= 500; i++)
        {
            board.Set($"r{i}", "Quarterly cross-border community forums", "Hold forums that bring both sides of the border together every quarter.");
        }

        var pairs = board.Find();

        Assert.Equal(DuplicateDetector.MaxPairs, pairs.Count);
        Assert.All(pairs, p => Assert.Equal(1.0, p.Similarity));
        Assert.Equal(("r1", "r2"), (pairs[0].First, pairs[0].Second));
    }

    [Fact]
    public void ARecommendationIsNeverItsOwnDuplicateAndNeedsTwoSharedWords()
    {
        var board = new DuplicateDetector();
        board.Set("r1", "Radios", "");
        board.Set("r2", "Radio", "");
        board.Set("r3", "The", "");
        board.Set("r4", "Of the", "");

        Assert.Empty(board.Find());
    }

    private static RecommendationSummary Summary(string id, string title, RecommendationStatus status, string excerpt = "") =>
        new("w1", id, title, null, "plenary", status, excerpt, new Tally(0, 0, 0, false, AdoptionRule.Default), [], null, 1);

    private static string Describe(IReadOnlyList<LikelyDuplicate> found) =>
        found.Count == 0 ? "none" : string.Join("; ", found.Select(d => $"{d.First}~{d.Second} {d.Similarity} [{string.Join(", ", d.SharedWords)}]"));
}
