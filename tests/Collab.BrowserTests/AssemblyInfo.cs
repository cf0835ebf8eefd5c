// Each test class starts its own server and browser; one at a time keeps a small machine responsive.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
