namespace Zoptal.Perf.Core;

/// <summary>How much a finding matters: the database analysis's and Optimize's, one scale.</summary>
public enum Severity
{
    /// <summary>Worth knowing.</summary>
    Info,

    /// <summary>Should be looked at.</summary>
    Warning,

    /// <summary>Hurts now.</summary>
    Critical,
}
