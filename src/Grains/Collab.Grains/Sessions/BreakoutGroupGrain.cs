using Collab.Documents;
using Collab.Errors;

namespace Collab.Sessions;

internal sealed class BreakoutGroupGrain([PersistentState("group")] IPersistentState<GroupState> state) : Grain, IBreakoutGroupGrain
{
    private string Key => this.GetPrimaryKeyString();

    async Task<GroupView> IBreakoutGroupGrain.SetupAsync(SetupGroup command)
    {
        var parts = Key.Split('/');
        var (workshopId, sessionId, groupId) = (parts[0], parts[1], parts[2]);
        if (command.Caller.WorkshopId != workshopId || command.Caller.Role != Role.Facilitator)
        {
            throw new ForbiddenException("session.facilitators_only", "Only facilitators open breakout groups.");
        }

        var room = SessionKeys.Room(sessionId, groupId);
        var members = command.Members.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var policy = PhaseTable.GroupNotes(command.Phase ?? PhaseTable.Preparation);
        var documents = new List<GroupDocument>();
        foreach (var section in command.Sections)
        {
            // Deterministic ids: setting up again (a retry after a fault) finds the same documents instead of new ones.
            var docId = $"{workshopId}.{sessionId}.{groupId}.{section.Key}";
            var document = GrainFactory.GetGrain<IDocumentGrain>(docId);
            var title = $"{command.Name} — {section.Titles.Values.First()}";
            try
            {
                await document.CreateAsync(new CreateDocument(title, section.Text, command.Caller, room, members, policy));
            }
            catch (ConflictException e) when (e.Code == "document.already_exists")
            {
                await document.SetEditorsAsync(new SetEditors(workshopId, members));
                await document.SetAccessPolicyAsync(new SetAccessPolicy(workshopId, policy));
            }

            documents.Add(new GroupDocument(docId, section.Key, section.Titles, section.Guidance));
        }

        state.State.Name = command.Name;
        state.State.Room = room;
        state.State.Documents = documents;
        state.State.Members = members;
        await state.WriteStateAsync();
        return View();
    }

    async Task<GroupView> IBreakoutGroupGrain.SetMembersAsync(IReadOnlyList<string> members)
    {
        var workshopId = Key.Split('/')[0];
        var sorted = members.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

        // Documents first: a member must never be told they are in a group whose texts refuse their edits.
        foreach (var document in state.State.Documents)
        {
            await GrainFactory.GetGrain<IDocumentGrain>(document.DocId).SetEditorsAsync(new SetEditors(workshopId, sorted));
        }

        state.State.Members = sorted;
        await state.WriteStateAsync();
        return View();
    }

    async Task IBreakoutGroupGrain.PhaseChangedAsync(ActivePhase phase)
    {
        var command = new SetAccessPolicy(Key.Split('/')[0], PhaseTable.GroupNotes(phase));
        await Task.WhenAll(state.State.Documents.Select(d => GrainFactory.GetGrain<IDocumentGrain>(d.DocId).SetAccessPolicyAsync(command)));
    }

    async Task IBreakoutGroupGrain.FreezeAsync(Caller caller, bool frozen)
    {
        foreach (var document in state.State.Documents)
        {
            await GrainFactory.GetGrain<IDocumentGrain>(document.DocId).SetLockedAsync(new SetLocked(frozen, caller));
        }
    }

    Task<GroupView> IBreakoutGroupGrain.GetAsync() => Task.FromResult(View());

    private GroupView View() => new(Key.Split('/')[2], state.State.Name, state.State.Room, state.State.Documents, state.State.Members);
}

/// <summary>Persisted state of <see cref="BreakoutGroupGrain"/>. Never renumber the ids.</summary>
[GenerateSerializer, Alias("collab.GroupState")]
internal sealed class GroupState
{
    [Id(0)] public string Name { get; set; } = "";
    [Id(1)] public string Room { get; set; } = "";
    [Id(2)] public List<GroupDocument> Documents { get; set; } = [];
    [Id(3)] public List<string> Members { get; set; } = [];
}
