namespace Zoptal.Build;

/// <summary>A CI configuration generated from the build definition (like Nuke's <c>ConfigurationAttributeBase</c>).</summary>
public interface IConfigurationGenerator
{
    /// <summary>Generates the file for the build's targets.</summary>
    GeneratedConfiguration Generate(Type buildType, IReadOnlyList<ExecutableTarget> targets);
}

/// <summary>A generated file, relative to the root, and what the generator noticed.</summary>
public sealed record GeneratedConfiguration(string RelativePath, string Content, IReadOnlyList<string> Warnings);
