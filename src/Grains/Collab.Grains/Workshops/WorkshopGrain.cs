using Collab.Errors;

namespace Collab.Workshops;

internal sealed class WorkshopGrain(
    [PersistentState("workshop")] IPersistentState<WorkshopState> state,
    TimeProvider clock) : Grain, IWorkshopGrain
{
    async Task<WorkshopView> IWorkshopGrain.CreateAsync(CreateWorkshop command)
    {
        var valid = WorkshopRules.Normalize(command);
        if (state.State.Created)
        {
            throw new ConflictException("workshop.already_exists", $"Workshop '{this.GetPrimaryKeyString()}' already exists.");
        }

        var previous = state.State;
        state.State = new WorkshopState
        {
            Created = true,
            Title = valid.Title,
            Venue = valid.Venue,
            StartsOn = valid.StartsOn,
            EndsOn = valid.EndsOn,
            Languages = [.. valid.Languages],
            CreatedAt = clock.GetUtcNow(),
        };

        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Nobody may see a workshop that was not stored: this activation's memory now differs from storage,
            // so let it go and have the next call load what storage really holds.
            state.State = previous;
            DeactivateOnIdle();
            throw;
        }

        return View();
    }

    Task<WorkshopView> IWorkshopGrain.GetAsync() =>
        state.State.Created
            ? Task.FromResult(View())
            : throw new NotFoundException("workshop.not_found", $"There is no workshop '{this.GetPrimaryKeyString()}'.");

    private WorkshopView View() => new(
        this.GetPrimaryKeyString(),
        state.State.Title,
        state.State.Venue,
        state.State.StartsOn,
        state.State.EndsOn,
        state.State.Languages,
        state.State.CreatedAt);
}
