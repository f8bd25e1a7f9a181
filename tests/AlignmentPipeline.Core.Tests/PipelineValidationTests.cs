using AlignmentPipeline.Core.Configuration;
using AlignmentPipeline.Core.Tests.Fixtures;

namespace AlignmentPipeline.Core.Tests;

public sealed class PipelineValidationTests
{
    private static PipelineLoader Loader(Dictionary<string, string>? env = null) =>
        new(TestStages.Registry(), name => env is not null && env.TryGetValue(name, out var v) ? v : null);

    private static IReadOnlyList<ConfigError> Errors(string yaml, Dictionary<string, string>? overrides = null, Dictionary<string, string>? env = null)
    {
        var e = Assert.Throws<ConfigException>(() => Loader(env).Load(yaml, "p.yaml", overrides));
        return e.Errors;
    }

    private static void AssertError(IReadOnlyList<ConfigError> errors, string location, string messagePart)
    {
        Assert.Contains(errors, e => e.Location.ToString() == location && e.Message.Contains(messagePart, StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_key_is_reported_at_its_position_with_a_suggestion()
    {
        var errors = Errors("""
            name: t
            stages:
              a:
                kind: numbers
                cuont: 3
            """);
        var error = Assert.Single(errors);
        Assert.Equal("p.yaml:5:5", error.Location.ToString());
        Assert.Equal("unknown key 'cuont'", error.Message);
        Assert.Equal("did you mean 'count'?", error.Fix);
    }

    [Fact]
    public void Unknown_top_level_key_is_reported()
    {
        var errors = Errors("""
            name: t
            storag: ./x
            stages:
              a: { kind: numbers }
            """);
        AssertError(errors, "p.yaml:2:1", "unknown key 'storag'");
        Assert.Equal("did you mean 'storage'?", errors[0].Fix);
    }

    [Fact]
    public void Nested_unknown_key_names_the_dotted_path()
    {
        var errors = Errors("""
            name: t
            stages:
              a:
                kind: numbers
                extra: { rows_per_bnad: 4 }
            """);
        AssertError(errors, "p.yaml:5:14", "unknown key 'extra.rows_per_bnad'");
    }

    [Fact]
    public void Wrong_types_and_out_of_range_values_are_reported_together()
    {
        var errors = Errors("""
            name: t
            stages:
              a:
                kind: numbers
                count: lots
                tasks: 100
                scale: [1, 2]
                mode: weird
            """);
        Assert.Equal(4, errors.Count);
        AssertError(errors, "p.yaml:5:12", "'count' must be an integer, found 'lots'");
        AssertError(errors, "p.yaml:6:12", "'tasks' is 100, outside [1, 64]");
        AssertError(errors, "p.yaml:7:12", "'scale' must be a number, found a list");
        AssertError(errors, "p.yaml:8:11", "'mode' must be one of plain, fancy, found 'weird'");
    }

    [Fact]
    public void Unknown_kind_missing_input_and_missing_required_key_are_reported_together()
    {
        var errors = Errors("""
            name: t
            stages:
              a:
                kind: numbrs
              b:
                kind: sum
                input: c
              d:
                kind: digest
            """);
        AssertError(errors, "p.yaml:4:11", "unknown stage kind 'numbrs' in stage 'a'");
        Assert.Equal("did you mean 'numbers'?", errors.First(e => e.Message.Contains("numbrs", StringComparison.Ordinal)).Fix);
        AssertError(errors, "p.yaml:7:12", "stage 'b' reads 'c', which is not a stage of this pipeline");
        AssertError(errors, "p.yaml:9:5", "missing required key 'source'");
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void A_cycle_is_reported_with_its_path()
    {
        var errors = Errors("""
            name: t
            stages:
              a:
                kind: sum
                input: b
              b:
                kind: sum
                input: a
            """);
        var error = Assert.Single(errors);
        Assert.Equal("stages form a cycle: a → b → a", error.Message);
        Assert.Equal("p.yaml:3:3", error.Location.ToString());
    }

    [Fact]
    public void Undefined_params_and_env_vars_are_reported_at_the_reference()
    {
        var errors = Errors("""
            name: t
            params:
              n: 4
            stages:
              a:
                kind: numbers
                count: ${params.m}
                label: "x-${env:NOPE_NOT_SET}"
            """);
        AssertError(errors, "p.yaml:7:12", "undefined parameter 'm' in 'count'");
        Assert.Contains("did you mean 'n'?", errors[0].Fix);
        AssertError(errors, "p.yaml:8:15", "environment variable 'NOPE_NOT_SET' is not set (used by 'label')");
    }

    [Fact]
    public void Set_of_an_unknown_param_is_an_error_with_a_suggestion()
    {
        var errors = Errors("""
            name: t
            params:
              count: 4
            stages:
              a: { kind: numbers, count: "${params.count}" }
            """, new Dictionary<string, string> { ["cuont"] = "5" });
        var error = Assert.Single(errors);
        Assert.Equal("'cuont' is not a parameter of this pipeline", error.Message);
        Assert.Equal("did you mean 'count'?", error.Fix);
    }

    [Fact]
    public void Params_and_env_interpolate_and_set_overrides()
    {
        var spec = Loader(new() { ["LABEL"] = "secret-value" }).Load("""
            name: t
            params:
              count: 4
            stages:
              a: { kind: numbers, count: "${params.count}", label: "${env:LABEL}" }
            """, "p.yaml", new Dictionary<string, string> { ["count"] = "7" });
        var options = spec.Stages[0].OptionsAs<TestStages.NumbersOptions>();
        Assert.Equal(7, options.Count);
        Assert.Equal("secret-value", options.Label);
        Assert.Contains("label", spec.Stages[0].EnvKeys);
        Assert.Equal("7", spec.Params["count"]);
    }

    [Fact]
    public void Alias_expansion_beyond_the_limit_is_refused()
    {
        string yaml = """
            name: t
            a: &a [x, x, x, x, x, x, x, x, x, x]
            b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
            c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
            d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
            e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
            f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
            stages:
              a: { kind: numbers }
            """;
        var error = Assert.Single(Errors(yaml));
        Assert.Contains("YAML aliases expand to more than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_yaml_is_reported_with_its_position()
    {
        var error = Assert.Single(Errors("name: t\nstages:\n  a: { kind: numbers\n"));
        Assert.StartsWith("invalid YAML", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, error.Location.Line);
    }

    [Fact]
    public void Missing_file_reference_is_reported_with_the_current_directory()
    {
        var errors = Errors("""
            name: t
            stages:
              a: { kind: digest, source: ./definitely/not/here.txt }
            """);
        AssertError(errors, "p.yaml:3:30", "'source': './definitely/not/here.txt' is neither a stage of this pipeline nor an existing path");
    }

    [Fact]
    public void Stages_are_ordered_so_inputs_come_first()
    {
        var spec = Loader().Load("""
            name: t
            stages:
              total: { kind: sum, input: nums }
              copy: { kind: digest, source: total }
              nums: { kind: numbers }
            """, "p.yaml");
        Assert.Equal(["nums", "total", "copy"], spec.Stages.Select(s => s.Name));
        Assert.Equal(["total"], spec.Stage("copy").Dependencies);
    }
}
