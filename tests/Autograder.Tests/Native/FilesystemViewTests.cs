using System.Diagnostics;
using Autograder.Compile;

namespace Autograder.Tests.Native;

/// <summary>As root, hosts see an empty filesystem: the system's programs and libraries read-only, a
/// private /tmp, and nothing of ours (the repository, the cache, other students' files).</summary>
public class FilesystemViewTests
{
    [Test]
    public void A_sandboxed_program_sees_only_the_system_read_only_and_a_private_tmp()
    {
        NativeTestSupport.RequireGcc();
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Ignore("the filesystem view needs root (namespaces)");
        }

        var launch = NativeToolchain.Shared.Toolchain!.LaunchPath;
        var script = $"ls -d {TestPaths.RepoRoot} /var /root 2>&1; touch /usr/ag-probe 2>&1; echo x > /dev/null && echo devnull-ok; touch /tmp/ok && echo tmp-ok; id -u";
        var psi = new ProcessStartInfo(launch) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in (string[])["--in-fd", "0", "--out-fd", "1", "--no-fd-args", "--nproc", "512", "--fsize-mb", "1", "--view", "--", "/bin/sh", "-c", script])
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.Multiple(() =>
        {
            Assert.That(output, Does.Contain($"{TestPaths.RepoRoot}': No such file or directory"));
            Assert.That(output, Does.Contain("'/var': No such file or directory").And.Contain("'/root': No such file or directory"));
            Assert.That(output, Does.Contain("Read-only file system"));
            Assert.That(output, Does.Contain("devnull-ok").And.Contain("tmp-ok"));
            Assert.That(output.TrimEnd(), Does.EndWith("65534"));
            Assert.That(output, Does.Not.Contain("cannot build the empty filesystem view"));
        });
    }
}
