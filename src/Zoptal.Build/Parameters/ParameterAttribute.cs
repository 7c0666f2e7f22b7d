namespace Zoptal.Build;

/// <summary>
/// Declares a field or property as a build parameter, bound from the command line, the environment and
/// <c>.nuke/parameters*.json</c> in Nuke's order.
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class ParameterAttribute(string? description = null) : Attribute
{
    /// <summary>Shown by <c>--help</c> and in the schema.</summary>
    public string? Description { get; } = description;

    /// <summary>Overrides the member's name.</summary>
    public string? Name { get; set; }

    /// <summary>Splits array values in addition to spaces, for example <c>","</c> for <c>--services auth,project</c>.</summary>
    public string? Separator { get; set; }

    /// <summary>Further environment variables that bind this parameter, tried after the parameter's own names.</summary>
    public string[] EnvironmentVariables { get; set; } = [];
}

/// <summary>Marks a parameter as a secret: its value is masked wherever it could appear.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class SecretAttribute : Attribute;
