using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignmentPipeline.Modeling.Models;

/// <summary>Named parameters with each underlying tensor listed once.</summary>
internal static class ModelParameters
{
    /// <summary>
    /// <c>named_parameters()</c> in registration order, dropping later names of a tensor already listed (a tied
    /// embedding would otherwise be updated twice per optimizer step).
    /// </summary>
    public static IReadOnlyList<(string Name, Parameter Parameter)> Distinct(nn.Module module)
    {
        var seen = new HashSet<IntPtr>();
        return module.named_parameters().Where(p => seen.Add(p.parameter.Handle)).Select(p => (p.name, p.parameter)).ToList();
    }
}
