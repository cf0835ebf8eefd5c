namespace Collab.Sessions;

/// <summary>
/// Puts participants into breakout groups for each <see cref="AssignmentMode"/>. Pure and deterministic: the same
/// people and groups give the same assignment whatever order the people arrive in, so a grain that re-runs it after a
/// restart or on a replayed command lands everyone where they were.
/// </summary>
internal static class GroupAssignment
{
    /// <summary>A participant as the assignment sees them: their delegation and any group the roster gave them.</summary>
    internal sealed record Person(string Id, string? Delegation, string? PreassignedGroup);

    /// <summary>A breakout group; its position in the list given to <see cref="GroupAssignment"/> breaks ties.</summary>
    internal sealed record Group(string Id, string Name);

    /// <summary>Initial assignment when breakouts open. Returns participant id -> group id for the people it assigns.</summary>
    public static IReadOnlyDictionary<string, string> Assign(IReadOnlyList<Person> people, IReadOnlyList<Group> groups, AssignmentMode mode)
    {
        ArgumentNullException.ThrowIfNull(people);
        ArgumentNullException.ThrowIfNull(groups);
        EnsureKnown(mode);

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var distinctGroups = DistinctGroups(groups);
        if (mode is AssignmentMode.Manual or AssignmentMode.SelfSelect || distinctGroups.Count == 0 || people.Count == 0)
        {
            return result;
        }

        // Sorting first is what makes the outcome independent of roster order. A repeated id is one participant; the
        // full sort decides which of its entries counts, so that too ignores roster order.
        var ordered = people
            .OrderBy(p => p.Id, StringComparer.Ordinal)
            .ThenBy(p => p.Delegation, StringComparer.Ordinal)
            .ThenBy(p => p.PreassignedGroup, StringComparer.Ordinal)
            .DistinctBy(p => p.Id, StringComparer.Ordinal)
            .ToList();
        var tally = new Tally(distinctGroups.Count);

        switch (mode)
        {
            case AssignmentMode.MixDelegations:
                Deal(ordered, distinctGroups, tally, result);
                break;
            case AssignmentMode.KeepDelegations:
                KeepTogether(ordered, distinctGroups, tally, result);
                break;
            case AssignmentMode.Preassigned:
                var unmatched = new List<Person>();
                foreach (var person in ordered)
                {
                    var index = MatchPreassigned(person.PreassignedGroup, distinctGroups);
                    if (index < 0)
                    {
                        unmatched.Add(person);
                        continue;
                    }

                    tally.Add(index, DelegationKey(person.Delegation));
                    result[person.Id] = distinctGroups[index].Id;
                }

                // Dealt after every preassignment is in place, so the rest even out the groups as they now stand.
                Deal(unmatched, distinctGroups, tally, result);
                break;
        }

        return result;
    }

    /// <summary>
    /// Where one more person goes (a late joiner) given the current assignment; null when the mode assigns nobody
    /// automatically. Someone already holding one of <paramref name="groups"/> in <paramref name="current"/> keeps it.
    /// Keeping delegations, the first of a delegation to arrive goes to its preassigned group if it has one (e.g. the
    /// group named after the delegation), else to a smallest group.
    /// </summary>
    public static string? PlaceLateJoiner(
        Person person,
        IReadOnlyList<Group> groups,
        IReadOnlyDictionary<string, string> current,
        IReadOnlyDictionary<string, string?> delegationOf,
        AssignmentMode mode)
    {
        ArgumentNullException.ThrowIfNull(person);
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(delegationOf);
        EnsureKnown(mode);

        var distinctGroups = DistinctGroups(groups);
        if (mode is AssignmentMode.Manual or AssignmentMode.SelfSelect || distinctGroups.Count == 0)
        {
            return null;
        }

        var indexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < distinctGroups.Count; i++)
        {
            indexOf[distinctGroups[i].Id] = i;
        }

        // A reconnect is not a new arrival: moving them would scatter a group mid-discussion.
        if (current.TryGetValue(person.Id, out var existing) && indexOf.TryGetValue(existing, out var existingIndex))
        {
            return distinctGroups[existingIndex].Id;
        }

        var tally = new Tally(distinctGroups.Count);
        foreach (var (participantId, groupId) in current)
        {
            // Assignments to groups that no longer exist do not make any current group look fuller.
            if (indexOf.TryGetValue(groupId, out var index))
            {
                tally.Add(index, DelegationKey(delegationOf.GetValueOrDefault(participantId)));
            }
        }

        var delegation = DelegationKey(person.Delegation);
        var chosen = mode switch
        {
            AssignmentMode.MixDelegations => tally.Smallest(delegation),
            AssignmentMode.KeepDelegations => tally.MostOf(delegation)
                ?? (MatchPreassigned(person.PreassignedGroup, distinctGroups) is var own and >= 0 ? own : tally.Smallest()),
            AssignmentMode.Preassigned => MatchPreassigned(person.PreassignedGroup, distinctGroups) is var match and >= 0
                ? match
                : tally.Smallest(delegation),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unhandled assignment mode."),
        };
        return distinctGroups[chosen].Id;
    }

    /// <summary>
    /// Deals people one by one, delegations largest first and the unaffiliated last, each to a smallest group that has
    /// fewest of their delegation. Keeping one delegation's members consecutive is what spreads it evenly: each member
    /// fills a different smallest group until every group has had one.
    /// </summary>
    private static void Deal(List<Person> people, List<Group> groups, Tally tally, Dictionary<string, string> result)
    {
        var units = people
            .GroupBy(p => DelegationKey(p.Delegation), StringComparer.Ordinal)
            .OrderBy(g => g.Key is null ? 1 : 0)
            .ThenByDescending(g => g.Count())
            .ThenBy(g => g.Key, StringComparer.Ordinal);
        foreach (var unit in units)
        {
            foreach (var person in unit)
            {
                var index = tally.Smallest(unit.Key);
                tally.Add(index, unit.Key);
                result[person.Id] = groups[index].Id;
            }
        }
    }

    /// <summary>
    /// Places each delegation whole (the unaffiliated one by one), largest first into the group with fewest people:
    /// the usual greedy for balancing indivisible units.
    /// </summary>
    private static void KeepTogether(List<Person> people, List<Group> groups, Tally tally, Dictionary<string, string> result)
    {
        var units = people
            .GroupBy(p => DelegationKey(p.Delegation) ?? "\0" + p.Id, StringComparer.Ordinal)
            .Select(g => g.ToList())
            .OrderByDescending(members => members.Count)
            // Members are in id order and ids are unique, so the first id orders units without ties.
            .ThenBy(members => members[0].Id, StringComparer.Ordinal);
        foreach (var members in units)
        {
            var index = tally.Smallest();
            foreach (var person in members)
            {
                tally.Add(index, DelegationKey(person.Delegation));
                result[person.Id] = groups[index].Id;
            }
        }
    }

    /// <summary>The group a roster entry names, by id before name so an id is never shadowed; -1 when none matches.</summary>
    private static int MatchPreassigned(string? preassigned, List<Group> groups)
    {
        var wanted = preassigned?.Trim();
        if (string.IsNullOrEmpty(wanted))
        {
            return -1;
        }

        var byId = groups.FindIndex(g => string.Equals(g.Id.Trim(), wanted, StringComparison.OrdinalIgnoreCase));
        return byId >= 0
            ? byId
            : groups.FindIndex(g => string.Equals(g.Name?.Trim(), wanted, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>A blank delegation is no delegation; otherwise delegations compare exactly.</summary>
    private static string? DelegationKey(string? delegation) => string.IsNullOrWhiteSpace(delegation) ? null : delegation;

    /// <summary>Groups in the order given, a repeated id counted once so it cannot soak up twice its share.</summary>
    private static List<Group> DistinctGroups(IReadOnlyList<Group> groups) =>
        groups.DistinctBy(g => g.Id, StringComparer.Ordinal).ToList();

    private static void EnsureKnown(AssignmentMode mode)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown assignment mode.");
        }
    }

    /// <summary>Head counts per group, overall and per delegation (the unaffiliated counted as one more delegation).</summary>
    private sealed class Tally(int groupCount)
    {
        private readonly int[] _sizes = new int[groupCount];
        private readonly int[] _unaffiliated = new int[groupCount];
        private readonly Dictionary<string, int[]> _byDelegation = new(StringComparer.Ordinal);

        public void Add(int group, string? delegation)
        {
            _sizes[group]++;
            Counts(delegation)[group]++;
        }

        /// <summary>The first group with fewest people.</summary>
        public int Smallest()
        {
            var best = 0;
            for (var i = 1; i < _sizes.Length; i++)
            {
                if (_sizes[i] < _sizes[best])
                {
                    best = i;
                }
            }

            return best;
        }

        /// <summary>Among the groups with fewest people, the first with fewest of <paramref name="delegation"/>.</summary>
        public int Smallest(string? delegation)
        {
            var counts = Counts(delegation);
            var best = 0;
            for (var i = 1; i < _sizes.Length; i++)
            {
                if (_sizes[i] < _sizes[best] || (_sizes[i] == _sizes[best] && counts[i] < counts[best]))
                {
                    best = i;
                }
            }

            return best;
        }

        /// <summary>The first group holding most of <paramref name="delegation"/>; null when none holds any.</summary>
        public int? MostOf(string? delegation)
        {
            if (delegation is null || !_byDelegation.TryGetValue(delegation, out var counts))
            {
                return null;
            }

            var best = 0;
            for (var i = 1; i < counts.Length; i++)
            {
                if (counts[i] > counts[best])
                {
                    best = i;
                }
            }

            return counts[best] > 0 ? best : null;
        }

        private int[] Counts(string? delegation)
        {
            if (delegation is null)
            {
                return _unaffiliated;
            }

            if (!_byDelegation.TryGetValue(delegation, out var counts))
            {
                counts = new int[_sizes.Length];
                _byDelegation[delegation] = counts;
            }

            return counts;
        }
    }
}
