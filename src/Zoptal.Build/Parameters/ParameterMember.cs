using System.Reflection;
using Zoptal.Perf.Core.Text;

namespace Zoptal.Build;

/// <summary>A declared parameter: a field or property with <see cref="ParameterAttribute"/>.</summary>
public sealed class ParameterMember
{
    private readonly MemberInfo _member;

    private ParameterMember(MemberInfo member, ParameterAttribute attribute, object? defaultValue)
    {
        _member = member;
        Name = attribute.Name ?? member.Name;
        Description = attribute.Description;
        Separator = attribute.Separator;
        EnvironmentVariables = attribute.EnvironmentVariables;
        IsSecret = member.GetCustomAttribute<SecretAttribute>() is not null;
        Type = member is FieldInfo f ? f.FieldType : ((PropertyInfo)member).PropertyType;
        DefaultValue = defaultValue;
    }

    /// <summary>The parameter's name (PascalCase); shown in kebab-case.</summary>
    public string Name { get; }

    /// <summary>The name as written on the command line: <c>--results-dir</c>.</summary>
    public string DisplayName => "--" + NameCase.ToKebabCase(Name);

    /// <summary>Text for <c>--help</c> and the schema.</summary>
    public string? Description { get; }

    /// <summary>Extra separator for array values.</summary>
    public string? Separator { get; }

    /// <summary>Further environment variables that bind it.</summary>
    public IReadOnlyList<string> EnvironmentVariables { get; }

    /// <summary>Masked everywhere.</summary>
    public bool IsSecret { get; }

    /// <summary>The declared type.</summary>
    public Type Type { get; }

    /// <summary>The value the build declared before binding.</summary>
    public object? DefaultValue { get; }

    /// <summary>Finds the parameters of a build, base classes included.</summary>
    public static IReadOnlyList<ParameterMember> FindAll(object build)
    {
        var result = new List<ParameterMember>();
        var seen = new HashSet<string>();
        for (var type = build.GetType(); type is not null && type != typeof(object); type = type.BaseType)
        {
            const BindingFlags flags = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
            foreach (var member in type.GetMembers(flags).Where(m => m is FieldInfo or PropertyInfo))
            {
                var attribute = member.GetCustomAttribute<ParameterAttribute>();
                if (attribute is null || !seen.Add(member.Name))
                    continue;
                var value = member is FieldInfo field ? field.GetValue(build) : ((PropertyInfo)member).GetValue(build);
                result.Add(new ParameterMember(member, attribute, value));
            }
        }

        return result;
    }

    /// <summary>Sets the bound value.</summary>
    public void SetValue(object build, object? value)
    {
        switch (_member)
        {
            case FieldInfo field:
                field.SetValue(build, value);
                break;
            case PropertyInfo { CanWrite: true } property:
                property.SetValue(build, value);
                break;
            case PropertyInfo property:
                // A get-only auto-property: write its backing field.
                var backing = property.DeclaringType!.GetField($"<{property.Name}>k__BackingField", BindingFlags.Instance | BindingFlags.NonPublic)
                    ?? throw new InvalidOperationException($"Parameter '{property.Name}' has no setter and no backing field.");
                backing.SetValue(build, value);
                break;
        }
    }

    /// <summary>The current value on a build.</summary>
    public object? GetValue(object build) =>
        _member is FieldInfo field ? field.GetValue(build) : ((PropertyInfo)_member).GetValue(build);
}
