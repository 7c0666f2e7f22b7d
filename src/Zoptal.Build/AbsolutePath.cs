namespace Zoptal.Build;

/// <summary>A normalized absolute path; <c>/</c> joins segments as in Nuke (<c>RootDirectory / "docs"</c>).</summary>
public sealed record AbsolutePath
{
    private AbsolutePath(string value) => Value = value;

    /// <summary>The full path.</summary>
    public string Value { get; }

    /// <summary>Creates a path; a relative one is taken relative to <paramref name="baseDirectory"/>.</summary>
    public static AbsolutePath Create(string path, string baseDirectory) =>
        new(Path.GetFullPath(path, baseDirectory).TrimEnd(Path.DirectorySeparatorChar) is { Length: > 0 } p ? p : "/");

    /// <summary>Creates a path from an absolute one.</summary>
    public static AbsolutePath Create(string absolutePath) => Create(absolutePath, Directory.GetCurrentDirectory());

    /// <summary>Joins a relative path.</summary>
    public static AbsolutePath operator /(AbsolutePath left, string right) => Create(right, left.Value);

    /// <summary>The last segment.</summary>
    public string Name => Path.GetFileName(Value);

    /// <summary>The containing folder.</summary>
    public AbsolutePath? Parent => Path.GetDirectoryName(Value) is { } parent ? new AbsolutePath(parent) : null;

    /// <summary>Whether this path is the other one or lies below it.</summary>
    public bool IsUnder(AbsolutePath other) =>
        Value == other.Value || Value.StartsWith(other.Value.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>How to show this path to a user: relative to <paramref name="root"/> when inside it, else in full.</summary>
    public string ToDisplayString(AbsolutePath root) => IsUnder(root) ? RelativeTo(root) : Value;

    /// <summary>This path relative to another one, with forward slashes.</summary>
    public string RelativeTo(AbsolutePath other) => Path.GetRelativePath(other.Value, Value).Replace('\\', '/');

    /// <inheritdoc />
    public override string ToString() => Value;

    /// <summary>Implicit use as a string.</summary>
    public static implicit operator string(AbsolutePath path) => path.Value;
}
