using System.Diagnostics;
using System.IO.Pipes;
using Autograder.Compile;

namespace Autograder.Tests.Native;

// aglaunch: the sandbox the .NET worker is started in.
[TestFixture]
[NonParallelizable]
public sealed class NativeLaunchTests
{
    private static (int ExitCode, string Stdout, string Stderr) Launch(params string[] arguments)
    {
        NativeTestSupport.RequireGcc();
        var launcher = NativeToolchain.Shared.Toolchain!.LaunchPath;
        using var toChild = new AnonymousPipeServerStream(PipeDirection.Out, HandleInheritability.Inheritable);
        using var fromChild = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.Inheritable);
        var info = new ProcessStartInfo(launcher) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--in-fd", toChild.GetClientHandleAsString(), "--out-fd", fromChild.GetClientHandleAsString() }.Concat(arguments))
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        toChild.DisposeLocalCopyOfClientHandle();
        fromChild.DisposeLocalCopyOfClientHandle();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.That(process.WaitForExit(30_000), Is.True);
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [Test]
    public void Program_gets_the_channel_on_3_and_4_and_the_fd_arguments()
    {
        var (exit, stdout, stderr) = Launch("--", "/bin/sh", "-c", "test -e /proc/self/fd/3 && test -e /proc/self/fd/4 && echo \"fds $*\"", "sh");

        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stdout.Trim(), Is.EqualTo("fds --in-fd 3 --out-fd 4"));
    }

    [Test]
    public void Program_runs_unprivileged_with_a_private_tmp_and_limits()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Ignore("the uid drop and namespaces need root");
        }

        var marker = Path.Combine(Path.GetTempPath(), "aglaunch-marker-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(marker, "x");
        try
        {
            var (exit, stdout, stderr) = Launch("--nproc", "4096", "--cpu-seconds", "30", "--no-fd-args", "--",
                "/bin/sh", "-c", $"id -u; test -e {marker} && echo visible || echo hidden; grep NoNewPrivs /proc/self/status; grep -c . /proc/net/dev");

            Assert.That(exit, Is.Zero, stderr);
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.That(lines[0], Is.EqualTo("65534"));
            Assert.That(lines[1], Is.EqualTo("hidden"), "/tmp is a private tmpfs");
            Assert.That(lines[2], Is.EqualTo("NoNewPrivs:\t1"));
            Assert.That(lines[3], Is.EqualTo("3"), "only the loopback interface (2 header lines + lo)");
        }
        finally
        {
            File.Delete(marker);
        }
    }

    [Test]
    public void Bad_usage_is_a_setup_error()
    {
        var (exit, _, stderr) = Launch("--bogus");

        Assert.That(exit, Is.EqualTo(88));
        Assert.That(stderr, Does.Contain("unknown option --bogus"));
    }
}
