namespace AlignmentPipeline.Modeling.ReferenceCache;

/// <summary>How much of a cache <see cref="CacheVerifier"/> recomputes and how strictly.</summary>
/// <param name="Sample">Rows recomputed live, drawn at random without replacement. Default: 32.</param>
/// <param name="Seed">Seed of the draw, so a verification can be repeated. Default: 0.</param>
/// <param name="Tolerance">Largest accepted |cached − live| of a log-prob sum. Default: 1e-4.</param>
/// <param name="Device">Where the live model runs: auto, cpu or cuda. Default: auto.</param>
public sealed record CacheVerifierOptions(int Sample = 32, int Seed = 0, double Tolerance = 1e-4, string Device = "auto");
