namespace Collab.BrowserTests;

/// <summary>A <see cref="BrowserSite"/> with no workshop: the test creates one from the browser.</summary>
public sealed class EmptyBrowserSite : BrowserSite
{
    protected override bool LoadsTheSeed => false;
}
