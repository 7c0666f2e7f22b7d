using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Zoptal.Perf.Core.Tests.Configuration;

/// <summary>The editor schema (docs/perf-config.schema.json) accepts what the loader accepts and rejects unknown keys.</summary>
public sealed partial class JsonSchemaTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "perf-config.schema.json")));

    private static EvaluationResults Evaluate(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var json = System.Text.Json.JsonDocument.Parse(ToJson(stream.Documents[0].RootNode)!.ToJsonString()).RootElement;
        return Schema.Evaluate(json, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    [Fact]
    public void The_shipped_config_is_valid() =>
        Assert.True(Evaluate(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "perf-config.yml"))).IsValid);

    [Fact]
    public void A_config_with_every_section_is_valid()
    {
        var result = Evaluate(Samples.EverySection);
        Assert.True(result.IsValid, string.Join("\n", result.Details?.Where(d => !d.IsValid).Select(d => $"{d.InstanceLocation}: {(d.Errors is null ? "" : string.Join(", ", d.Errors.Values))}") ?? []));
    }

    [Theory]
    [InlineData("services: [{ name: auth, baseUrl: embedded }]\nload: { duraton: 30s }\n")]
    [InlineData("servics: [{ name: auth, baseUrl: embedded }]\n")]
    [InlineData("services: [{ name: auth, baseUrl: embedded }]\nload: { executor: ramping-vu }\n")]
    [InlineData("services: [{ name: auth, baseUrl: embedded }]\nload: { duration: 5 minutes }\n")]
    [InlineData("services: [{ name: auth, baseUrl: embedded }]\nthresholds: { responseTimeP59: { warning: 1s, critical: 2s } }\n")]
    public void Mistakes_the_loader_rejects_are_flagged_in_the_editor_too(string yaml) => Assert.False(Evaluate(yaml).IsValid);

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode sequence => new JsonArray([.. sequence.Children.Select(ToJson)]),
        YamlScalarNode { Style: ScalarStyle.Plain } scalar => Plain(scalar.Value ?? string.Empty),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => null,
    };

    // The YAML core schema's plain scalars: null, booleans, integers and floats; the rest are strings.
    private static JsonNode? Plain(string value) => value switch
    {
        "" or "~" or "null" or "Null" or "NULL" => null,
        "true" or "True" or "TRUE" => JsonValue.Create(true),
        "false" or "False" or "FALSE" => JsonValue.Create(false),
        _ when Integer().IsMatch(value) => JsonValue.Create(long.Parse(value, CultureInfo.InvariantCulture)),
        _ when Float().IsMatch(value) => JsonValue.Create(double.Parse(value, CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(value),
    };

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}
