using Collab.Sessions;
using CsCheck;
using Group = Collab.Sessions.GroupAssignment.Group;
using Person = Collab.Sessions.GroupAssignment.Person;

namespace Collab.Tests.Sessions;

/// <summary>Breakout assignment laws over random rosters (0–200 people, 0–12 delegations) and 1–20 groups.</summary>
public sealed class GroupAssignmentTests
{
    private static readonly AssignmentMode[] AssigningModes =
        [AssignmentMode.MixDelegations, AssignmentMode.KeepDelegations, AssignmentMode.Preassigned];

    /// <summary>A roster and the groups it is split into; printed in full when a property fails.</summary>
    internal sealed record Scenario(Person[] People, Group[] Groups)
    {
        public override string ToString() =>
            $"groups [{string.Join(", ", Groups.Select(g => g.Id))}]; people [{string.Join(", ", People.Select(p => $"{p.Id}:{p.Delegation ?? "-"}:{p.PreassignedGroup ?? "-"}"))}]";
    }

    /// <summary>
    /// Groups in shuffled id order, so group order (the tie-breaker) is not id order. Ids and names never coincide,
    /// so a preassignment names exactly one group.
    /// </summary>
    private static readonly Gen<Group[]> Groups =
        Gen.Int[1, 20].SelectMany(count => Gen.Shuffle(Enumerable.Range(0, count).Select(i => new Group($"g{i}", $"Room {i}")).ToArray()));

    /// <summary>Preassignments: none, an unknown group, or a group's id or name in another case with stray spaces.</summary>
    private static Gen<string?> Preassignment(int groupCount) =>
        Gen.Int[0, 4].SelectMany(kind => Gen.Int[0, groupCount - 1].Select(i => kind switch
        {
            0 or 1 => null,
            2 => "nowhere",
            3 => $" G{i} ",
            _ => $"room {i}\t",
        }));

    /// <summary>About one person in five without a delegation; the rest skewed towards the first delegations so sizes vary.</summary>
    private static Gen<string?> Delegation(int delegationCount) =>
        from none in Gen.Int[0, 4]
        from upper in Gen.Int[0, Math.Max(delegationCount - 1, 0)]
        from index in Gen.Int[0, upper]
        select none == 0 || delegationCount == 0 ? null : $"D{index}";

    private static readonly Gen<Scenario> Scenarios =
        from groups in Groups
        from delegationCount in Gen.Int[0, 12]
        from peopleCount in Gen.Int[0, 200]
        from traits in Gen.Select(Delegation(delegationCount), Preassignment(groups.Length)).Array[peopleCount]
        select new Scenario(
            traits.Select((t, i) => new Person($"p{i}", t.Item1, t.Item2)).ToArray(),
            groups);

    [Fact]
    public void EveryPersonIsAssignedExactlyOnceToAnExistingGroup()
    {
        Scenarios.Sample(s =>
        {
            var groupIds = s.Groups.Select(g => g.Id).ToHashSet();
            foreach (var mode in AssigningModes)
            {
                var assignment = GroupAssignment.Assign(s.People, s.Groups, mode);
                Assert.Equal(s.People.Select(p => p.Id).Order(StringComparer.Ordinal), assignment.Keys.Order(StringComparer.Ordinal));
                Assert.All(assignment.Values, groupId => Assert.Contains(groupId, groupIds));
            }
        });
    }

    [Fact]
    public void MixedGroupsDifferInSizeByAtMostOne()
    {
        Scenarios.Sample(s =>
        {
            var sizes = Sizes(GroupAssignment.Assign(s.People, s.Groups, AssignmentMode.MixDelegations), s.Groups);
            Assert.True(sizes.Max() - sizes.Min() <= 1, $"sizes {string.Join("/", sizes)}");
        });
    }

    [Fact]
    public void MixedGroupsSpreadEachDelegationWithinOne()
    {
        Scenarios.Sample(s =>
        {
            var assignment = GroupAssignment.Assign(s.People, s.Groups, AssignmentMode.MixDelegations);
            foreach (var delegation in s.People.Where(p => p.Delegation is not null).GroupBy(p => p.Delegation))
            {
                var counts = s.Groups.Select(g => delegation.Count(p => assignment[p.Id] == g.Id)).ToArray();
                Assert.True(counts.Max() - counts.Min() <= 1, $"{delegation.Key} spread {string.Join("/", counts)}");
            }
        });
    }

    [Fact]
    public void KeptDelegationsAreNeverSplit()
    {
        Scenarios.Sample(s =>
        {
            var assignment = GroupAssignment.Assign(s.People, s.Groups, AssignmentMode.KeepDelegations);
            foreach (var delegation in s.People.Where(p => p.Delegation is not null).GroupBy(p => p.Delegation))
            {
                Assert.Single(delegation.Select(p => assignment[p.Id]).Distinct());
            }
        });
    }

    [Fact]
    public void PreassignedPeopleLandInTheGroupTheirRosterNames()
    {
        Scenarios.Sample(s =>
        {
            var assignment = GroupAssignment.Assign(s.People, s.Groups, AssignmentMode.Preassigned);
            foreach (var person in s.People)
            {
                var named = s.Groups.FirstOrDefault(g =>
                    string.Equals(g.Id, person.PreassignedGroup?.Trim(), StringComparison.OrdinalIgnoreCase)
                    || string.Equals(g.Name, person.PreassignedGroup?.Trim(), StringComparison.OrdinalIgnoreCase));
                if (named is not null)
                {
                    Assert.Equal(named.Id, assignment[person.Id]);
                }
            }
        });
    }

    [Fact]
    public void AssignmentDoesNotDependOnRosterOrder()
    {
        Scenarios.SelectMany(s => Gen.Shuffle(s.People.ToArray()).Select(shuffled => (s, shuffled))).Sample(t =>
        {
            foreach (var mode in AssigningModes)
            {
                var original = GroupAssignment.Assign(t.s.People, t.s.Groups, mode);
                var reordered = GroupAssignment.Assign(t.shuffled, t.s.Groups, mode);
                Assert.Equal(Sorted(original), Sorted(reordered));
            }
        });
    }

    [Fact]
    public void ManualAndSelfSelectAssignNobody()
    {
        Scenarios.Sample(s =>
        {
            foreach (var mode in new[] { AssignmentMode.Manual, AssignmentMode.SelfSelect })
            {
                Assert.Empty(GroupAssignment.Assign(s.People, s.Groups, mode));
                var late = new Person("late", "D0", s.Groups[0].Id);
                Assert.Null(GroupAssignment.PlaceLateJoiner(late, s.Groups, new Dictionary<string, string>(), new Dictionary<string, string?>(), mode));
            }
        });
    }

    [Fact]
    public void LateJoinerInMixedModeGoesToASmallestGroupWithFewestOfTheirDelegation()
    {
        // The current assignment is arbitrary (as after manual moves), not one that Assign would produce.
        var gen =
            from s in Scenarios
            from placements in Gen.Int[0, s.Groups.Length - 1].Array[s.People.Length]
            from delegation in Delegation(12)
            select (s, placements, delegation);
        gen.Sample(t =>
        {
            var (s, placements, delegation) = t;
            var current = s.People.Select((p, i) => (p.Id, s.Groups[placements[i]].Id)).ToDictionary();
            var delegationOf = s.People.ToDictionary(p => p.Id, p => p.Delegation);

            var placed = GroupAssignment.PlaceLateJoiner(new Person("late", delegation, null), s.Groups, current, delegationOf, AssignmentMode.MixDelegations);

            var sizes = Sizes(current, s.Groups);
            var smallest = s.Groups.Where((_, i) => sizes[i] == sizes.Min()).ToList();
            int OfDelegation(Group g) => s.People.Count(p => current[p.Id] == g.Id && p.Delegation == delegation);
            Assert.NotNull(placed);
            Assert.Contains(placed, smallest.Select(g => g.Id));
            Assert.Equal(smallest.Min(OfDelegation), OfDelegation(smallest.Single(g => g.Id == placed)));
        });
    }

    [Fact]
    public void TwelvePeopleOfFiveDelegationsSplitFourFourFour()
    {
        var delegations = new[] { "A", "A", "A", "A", "B", "B", "B", "C", "C", "D", "D", "E" };
        var people = delegations.Select((d, i) => new Person($"p{i:00}", d, null)).ToList();
        var groups = Rooms(3);

        var assignment = GroupAssignment.Assign(people, groups, AssignmentMode.MixDelegations);

        Assert.Equal(new[] { 4, 4, 4 }, Sizes(assignment, groups));
        // The four of A come first, so the first group in order takes the extra one.
        Assert.Equal(new[] { "g1", "g2", "g3", "g1" }, people.Take(4).Select(p => assignment[p.Id]));
    }

    [Fact]
    public void KeptDelegationsGoLargestFirstIntoTheEmptiestGroup()
    {
        var people = new List<Person>
        {
            new("a1", "A", null), new("a2", "A", null), new("a3", "A", null), new("a4", "A", null), new("a5", "A", null),
            new("b1", "B", null), new("b2", "B", null), new("b3", "B", null),
            new("c1", "C", null), new("c2", "C", null),
            new("x1", null, null), new("x2", null, null),
        };
        var groups = Rooms(2);

        var assignment = GroupAssignment.Assign(people, groups, AssignmentMode.KeepDelegations);

        // A (5) → g1; B (3) → g2; C (2) → g2 (3 < 5); then 5 vs 5, so x1 → g1 by group order and x2 → g2.
        Assert.Equal("g1", assignment["a1"]);
        Assert.Equal("g2", assignment["b1"]);
        Assert.Equal("g2", assignment["c1"]);
        Assert.Equal("g1", assignment["x1"]);
        Assert.Equal("g2", assignment["x2"]);
        Assert.Equal(new[] { 6, 6 }, Sizes(assignment, groups));
    }

    [Fact]
    public void UnmatchedPeopleFillTheGroupsPreassignmentLeftSmall()
    {
        var people = new List<Person>
        {
            new("p1", "A", "  room 1 "), new("p2", "A", "G1"), new("p3", "B", "g1"),
            new("p4", "A", null), new("p5", "B", "elsewhere"), new("p6", null, ""),
        };
        var groups = Rooms(2);

        var assignment = GroupAssignment.Assign(people, groups, AssignmentMode.Preassigned);

        Assert.Equal(new[] { "g1", "g1", "g1", "g2", "g2", "g2" }, people.Select(p => assignment[p.Id]));
    }

    [Fact]
    public void UnmatchedPeopleAvoidGroupsAlreadyHoldingTheirDelegation()
    {
        var people = new List<Person>
        {
            new("p1", "A", "g1"), new("p2", "A", "g1"), new("p3", "A", "g2"), new("p4", "B", "g3"), new("p5", "A", null),
        };

        var assignment = GroupAssignment.Assign(people, Rooms(3), AssignmentMode.Preassigned);

        // g2 and g3 are equally small; g3 has no one from A yet.
        Assert.Equal("g3", assignment["p5"]);
    }

    [Fact]
    public void UnaffiliatedPeopleAreDealtAfterTheDelegations()
    {
        var people = new List<Person> { new("a0", null, null), new("a1", "A", null), new("a2", "A", null), new("a3", "A", null) };

        var assignment = GroupAssignment.Assign(people, Rooms(2), AssignmentMode.MixDelegations);

        // A is dealt g1, g2, g1 although a0 sorts first; a0 then fills the gap in g2.
        Assert.Equal(new[] { "g2", "g1", "g2", "g1" }, people.Select(p => assignment[p.Id]));
    }

    [Fact]
    public void RepeatedRosterEntryIsPlacedOnceWhateverItsPosition()
    {
        var people = new List<Person>
        {
            new("p1", "A", null), new("p2", "B", null), new("p1", "C", null), new("p3", "B", null), new("p4", "A", null),
        };
        var reversed = Enumerable.Reverse(people).ToList();

        var assignment = GroupAssignment.Assign(people, Rooms(3), AssignmentMode.MixDelegations);

        Assert.Equal(new[] { 2, 1, 1 }, Sizes(assignment, Rooms(3)));
        Assert.Equal(Sorted(assignment), Sorted(GroupAssignment.Assign(reversed, Rooms(3), AssignmentMode.MixDelegations)));
    }

    [Fact]
    public void NoGroupsOrNoPeopleAssignNobody()
    {
        var people = new List<Person> { new("p1", "A", "g1") };
        foreach (var mode in Enum.GetValues<AssignmentMode>())
        {
            Assert.Empty(GroupAssignment.Assign(people, [], mode));
            Assert.Empty(GroupAssignment.Assign([], Rooms(3), mode));
            Assert.Null(GroupAssignment.PlaceLateJoiner(people[0], [], new Dictionary<string, string>(), new Dictionary<string, string?>(), mode));
        }
    }

    [Fact]
    public void LateJoinerInKeepModeJoinsTheirDelegationEvenInTheLargestGroup()
    {
        var groups = Rooms(3);
        var current = new Dictionary<string, string> { ["a1"] = "g2", ["a2"] = "g2", ["b1"] = "g1" };
        var delegationOf = new Dictionary<string, string?> { ["a1"] = "A", ["a2"] = "A", ["b1"] = "B" };

        Assert.Equal("g2", GroupAssignment.PlaceLateJoiner(new Person("a3", "A", null), groups, current, delegationOf, AssignmentMode.KeepDelegations));
        Assert.Equal("g3", GroupAssignment.PlaceLateJoiner(new Person("c1", "C", null), groups, current, delegationOf, AssignmentMode.KeepDelegations));
        Assert.Equal("g3", GroupAssignment.PlaceLateJoiner(new Person("x1", null, null), groups, current, delegationOf, AssignmentMode.KeepDelegations));
    }

    [Fact]
    public void LateJoinerWithAPreassignmentGoesThereOthersToTheSmallestGroup()
    {
        var groups = Rooms(2);
        var current = new Dictionary<string, string> { ["p1"] = "g1", ["p2"] = "g1", ["p3"] = "g2" };
        var delegationOf = new Dictionary<string, string?>();

        Assert.Equal("g1", GroupAssignment.PlaceLateJoiner(new Person("p4", null, " ROOM 1"), groups, current, delegationOf, AssignmentMode.Preassigned));
        Assert.Equal("g2", GroupAssignment.PlaceLateJoiner(new Person("p5", null, "nowhere"), groups, current, delegationOf, AssignmentMode.Preassigned));
    }

    [Fact]
    public void RejoiningParticipantKeepsTheirGroup()
    {
        var groups = Rooms(2);
        var current = new Dictionary<string, string> { ["p1"] = "g1", ["p2"] = "g1", ["p3"] = "g2" };

        Assert.Equal("g1", GroupAssignment.PlaceLateJoiner(new Person("p1", null, null), groups, current, new Dictionary<string, string?>(), AssignmentMode.MixDelegations));
    }

    private static Group[] Rooms(int count) =>
        Enumerable.Range(1, count).Select(i => new Group($"g{i}", $"Room {i}")).ToArray();

    private static int[] Sizes(IReadOnlyDictionary<string, string> assignment, IReadOnlyList<Group> groups) =>
        groups.Select(g => assignment.Values.Count(id => id == g.Id)).ToArray();

    private static List<KeyValuePair<string, string>> Sorted(IReadOnlyDictionary<string, string> assignment) =>
        assignment.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
}
