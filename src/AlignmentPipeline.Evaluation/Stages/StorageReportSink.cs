using AlignmentPipeline.Core.Stages;
using AlignmentPipeline.Core.Storage;
using AlignmentPipeline.Evaluation.Reports;

namespace AlignmentPipeline.Evaluation.Stages;

/// <summary>Writes report files into a stage's output folder in run storage.</summary>
internal sealed class StorageReportSink(StageContext context) : IReportSink
{
    public Task WriteAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        context.Storage.WriteAllBytesAsync(context.OutputPath(name), content, cancellationToken);
}
