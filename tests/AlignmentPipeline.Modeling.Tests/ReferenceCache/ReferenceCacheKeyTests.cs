using AlignmentPipeline.Core;
using AlignmentPipeline.Modeling.Checkpoints;
using AlignmentPipeline.Modeling.Models;
using AlignmentPipeline.Modeling.ReferenceCache;
using AlignmentPipeline.Modeling.Runtime;
using AlignmentPipeline.Modeling.Tokenization;
using AlignmentPipeline.TestSupport;

namespace AlignmentPipeline.Modeling.Tests.ReferenceCache;

public sealed class ReferenceCacheKeyTests
{
    [Fact]
    public void Weights_hash_equals_the_loaders_content_hash()
    {
        using var h = new CacheHarness();
        var key = ReferenceCacheKey.Compute(h.ModelFolder);
        var loaded = ModelLoader.Load(h.ModelFolder, ModelRuntimeOptions.Cpu);
        using var model = loaded.Model;

        Assert.Equal(loaded.ContentHash, key.WeightsHash);
        Assert.Contains("\"hidden_size\":32", key.ModelConfig);
        Assert.Equal(ReferenceCacheKey.Compute(h.ModelFolder).Key, key.Key);
    }

    [Fact]
    public async Task A_cache_for_another_template_or_max_length_is_refused_naming_the_component()
    {
        using var h = new CacheHarness();
        var result = await h.RunAsync(h.WritePairs(3));
        var metadata = result.Cache.Metadata;

        ReferenceCacheGuard.Check(ReferenceCacheKey.Compute(h.ModelFolder), metadata);
        var template = Assert.Throws<UserErrorException>(() => ReferenceCacheGuard.Check(ReferenceCacheKey.Compute(h.ModelFolder, template: "chatml"), metadata));
        Assert.Contains("template: \"chatml\" vs \"none\"", template.Message);
        Assert.DoesNotContain("max_length", template.Message);
        var length = Assert.Throws<UserErrorException>(() => ReferenceCacheGuard.Check(ReferenceCacheKey.Compute(h.ModelFolder, maxLength: 256), metadata));
        Assert.Contains("max_length: 256 vs 512", length.Message);
        Assert.DoesNotContain("template", length.Message);
    }

    [Fact]
    public void Other_weights_change_only_the_weights_hash()
    {
        using var h = new CacheHarness();
        using var temp = new TempDirectory("align-refcache-other");
        using (var other = TestModels.Randomized(new LlamaModel(CacheHarness.TinyConfig), 8))
        {
            other.Save(temp.Path);
        }

        File.Copy(Path.Combine(h.ModelFolder, ByteTokenizer.FileName), Path.Combine(temp.Path, ByteTokenizer.FileName));
        var differences = ReferenceCacheKey.Compute(h.ModelFolder).Differences(ReferenceCacheKey.Compute(temp.Path));

        Assert.Single(differences);
        Assert.StartsWith("weights_hash: ", differences[0]);
    }

    [Fact]
    public void A_cache_without_a_key_is_refused()
    {
        var error = Assert.Throws<UserErrorException>(() => ReferenceCacheGuard.Check(
            new ReferenceCacheKey("w", "{}", "t", "none", true, true, 512, "keep_start", "float32"), []));
        Assert.Contains("ref-logprobs", error.Message);
    }
}
