using System.Text;
using System.Text.Json;

namespace Zoptal.Build;

/// <summary>Writes <c>.nuke/build.schema.json</c> from the declared parameters, so editors complete <c>parameters.json</c>.</summary>
public static class BuildSchemaWriter
{
    /// <summary>The schema's text.</summary>
    public static string Render(IReadOnlyList<ParameterMember> parameters)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("$schema", "http://json-schema.org/draft-07/schema#");
            json.WriteString("title", "Build parameters");
            json.WriteString("type", "object");
            json.WriteStartObject("properties");
            json.WriteStartObject("$schema");
            json.WriteString("type", "string");
            json.WriteEndObject();
            foreach (var parameter in parameters.OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                json.WriteStartObject(parameter.Name);
                WriteType(json, parameter.Type);
                var description = parameter.Description ?? string.Empty;
                if (parameter.IsSecret)
                    description = (description + " (secret: set it in the environment, not in this file)").Trim();
                if (description.Length > 0)
                    json.WriteString("description", description);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteBoolean("additionalProperties", false);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteType(Utf8JsonWriter json, Type type)
    {
        if (type.IsArray)
        {
            json.WriteString("type", "array");
            json.WriteStartObject("items");
            WriteType(json, type.GetElementType()!);
            json.WriteEndObject();
            return;
        }

        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t.IsEnum)
        {
            json.WriteString("type", "string");
            json.WriteStartArray("enum");
            foreach (var name in ParameterValueConverter.EnumNames(t))
                json.WriteStringValue(name);
            json.WriteEndArray();
            return;
        }

        if (t == typeof(TimeSpan))
        {
            json.WriteString("type", "string");
            json.WriteString("pattern", "^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h|d))+$|^0$");
            return;
        }

        json.WriteString("type", t == typeof(bool) ? "boolean" : t == typeof(int) || t == typeof(long) ? "integer" : t == typeof(double) ? "number" : "string");
    }
}
