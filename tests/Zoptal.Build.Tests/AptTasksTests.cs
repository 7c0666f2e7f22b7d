namespace Zoptal.Build.Tests;

/// <summary>How the Test target finds system tools and decides whether it can install the missing ones.</summary>
public sealed class AptTasksTests
{
    [Theory]
    [InlineData(true, true, true, false, AptTasks.Privilege.Root)]
    [InlineData(true, true, false, true, AptTasks.Privilege.Sudo)] // a GitHub-hosted runner: not root, passwordless sudo
    [InlineData(true, true, false, false, AptTasks.Privilege.None)] // sudo would ask for a password: never prompt
    [InlineData(true, false, true, true, AptTasks.Privilege.None)] // not Debian-like
    [InlineData(false, true, true, true, AptTasks.Privilege.None)]
    public void Installs_as_root_or_through_passwordless_sudo_on_a_system_with_apt_get(bool linux, bool aptGet, bool root, bool sudo, AptTasks.Privilege expected) =>
        Assert.Equal(expected, AptTasks.InstallPrivilege(linux, aptGet, root, sudo));

    [Fact]
    public void A_tool_is_found_on_PATH_in_sbin_folders_or_in_its_known_places()
    {
        Assert.EndsWith("/sh", AptTasks.Find("sh"));
        var known = Path.Combine(Path.GetTempPath(), $"zoptal-tool-{Guid.NewGuid():N}");
        Assert.Null(AptTasks.Find("zoptal-no-such-tool", known));
        File.WriteAllText(known, "#!/bin/sh\n");
        try
        {
            Assert.Equal(known, AptTasks.Find("zoptal-no-such-tool", "/nonexistent/zoptal", known));
        }
        finally
        {
            File.Delete(known);
        }
    }
}
