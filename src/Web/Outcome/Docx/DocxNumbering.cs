using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Collab.Web.Outcome.Docx;

/// <summary>
/// The list definitions of one export: the recommendations' decimal list, a bullet list and a decimal list for what
/// participants typed. Word numbers every paragraph that shares a <c>w:numId</c> as one list, so the recommendations
/// use one id throughout (their numbers continue across themes) and each typed ordered list gets its own id (it
/// restarts at its own first number).
/// </summary>
internal sealed class DocxNumbering
{
    /// <summary>Word has nine list levels; deeper Markdown nesting stays on the last.</summary>
    public const int MaxLevel = 8;

    /// <summary>Twips per list level.</summary>
    public const int LevelIndent = 360;

    private const int RecommendationList = 0;
    private const int BulletList = 1;
    private const int OrderedList = 2;

    private static readonly string[] Bullets = ["•", "–", "▪"];
    private static readonly NumberFormatValues[] OrderedFormats = [NumberFormatValues.Decimal, NumberFormatValues.LowerLetter, NumberFormatValues.LowerRoman];

    private readonly List<NumberingInstance> _instances = [];
    private int _nextId;

    public DocxNumbering(int recommendationsId, int bulletsId)
    {
        RecommendationsId = recommendationsId;
        BulletsId = bulletsId;
        _instances.Add(new NumberingInstance(new AbstractNumId { Val = RecommendationList }) { NumberID = recommendationsId });
        _instances.Add(new NumberingInstance(new AbstractNumId { Val = BulletList }) { NumberID = bulletsId });
        _nextId = Math.Max(recommendationsId, bulletsId) + 1;
    }

    /// <summary>The recommendations' list.</summary>
    public int RecommendationsId { get; }

    /// <summary>All bullet lists share one id: bullets have no count to restart.</summary>
    public int BulletsId { get; }

    /// <summary>A new ordered list whose <paramref name="level"/> starts at <paramref name="start"/>.</summary>
    public int Ordered(int level, int start) => Add(OrderedList, level, start);

    /// <summary>
    /// The recommendations' list restarted at <paramref name="start"/>: used only when the numbers have a gap, so the
    /// printed number always equals the recommendation's <c>Number</c>.
    /// </summary>
    public int RecommendationsFrom(int start) => Add(RecommendationList, 0, start);

    public Numbering Create()
    {
        var numbering = new Numbering(
            Abstract(RecommendationList, MultiLevelValues.SingleLevel, Enumerable.Range(0, 1).Select(level => Level(level, NumberFormatValues.Decimal, "%1.", bold: true))),
            Abstract(BulletList, MultiLevelValues.HybridMultilevel, Enumerable.Range(0, MaxLevel + 1).Select(level => Level(level, NumberFormatValues.Bullet, Bullets[level % Bullets.Length]))),
            Abstract(OrderedList, MultiLevelValues.HybridMultilevel, Enumerable.Range(0, MaxLevel + 1).Select(level => Level(level, OrderedFormats[level % OrderedFormats.Length], $"%{level + 1}."))));

        // The schema wants every abstractNum before the first num.
        numbering.Append(_instances.Select(instance => instance.CloneNode(true)));
        return numbering;
    }

    private int Add(int abstractId, int level, int start)
    {
        var id = _nextId++;
        _instances.Add(new NumberingInstance(
            new AbstractNumId { Val = abstractId },
            new LevelOverride(new StartOverrideNumberingValue { Val = start }) { LevelIndex = level })
        {
            NumberID = id,
        });
        return id;
    }

    private static AbstractNum Abstract(int id, MultiLevelValues kind, IEnumerable<Level> levels)
    {
        var definition = new AbstractNum(new MultiLevelType { Val = kind }) { AbstractNumberId = id };
        definition.Append(levels);
        return definition;
    }

    private static Level Level(int level, NumberFormatValues format, string text, bool bold = false)
    {
        var indent = (LevelIndent * (level + 1)).ToString(CultureInfo.InvariantCulture);
        var definition = new Level
        {
            LevelIndex = level,
            StartNumberingValue = new StartNumberingValue { Val = 1 },
            NumberingFormat = new NumberingFormat { Val = format },
            LevelText = new LevelText { Val = text },
            LevelJustification = new LevelJustification { Val = LevelJustificationValues.Left },
            PreviousParagraphProperties = new PreviousParagraphProperties(
                new Indentation { Left = indent, Hanging = LevelIndent.ToString(CultureInfo.InvariantCulture) }),
        };
        if (bold)
        {
            definition.NumberingSymbolRunProperties = new NumberingSymbolRunProperties(new Bold());
        }

        return definition;
    }
}
