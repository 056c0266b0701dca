using System.Security.Cryptography;
using Autograder.Compile;

namespace Autograder.Tests.Compile;

/// <summary>The toolchain the tool ships prebuilt (native-prebuilt/, issue 16): copied into the cache when it
/// checks out, otherwise ignored (the cache is then built as without it).</summary>
[TestFixture]
public sealed class NativeToolchainPrebuiltTests
{
    private string _dir = "";
    private string _prebuilt = "";
    private string _key = "";

    [OneTimeSetUp]
    public void BuildOnce()
    {
        if (NativeProcess.FindOnPath("gcc") is null)
        {
            Assert.Ignore("gcc is not installed (apt-get install gcc): there is nothing to prebuild");
        }

        _dir = Directory.CreateTempSubdirectory("ag-prebuilt-").FullName;
        _prebuilt = Path.Combine(_dir, "prebuilt");
        var (toolchain, problem) = NativeToolchain.Prebuild(_prebuilt);
        Assert.That(problem, Is.Null);
        Assert.That(toolchain!.Origin, Is.EqualTo(NativeOrigin.Built));
        _key = Path.GetFileName(toolchain.Root);
    }

    [OneTimeTearDown]
    public void Clean()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Test]
    public void A_matching_prebuilt_toolchain_is_copied_into_the_cache_not_built()
    {
        var cache = Path.Combine(_dir, "cache-copied");

        var (toolchain, problem) = NativeToolchain.Create(cache, _prebuilt);

        Assert.That(problem, Is.Null);
        Assert.That(toolchain!.Origin, Is.EqualTo(NativeOrigin.Prebuilt));
        Assert.That(toolchain.Root, Is.EqualTo(Path.Combine(cache, _key)));
        Assert.That(File.ReadAllBytes(toolchain.HostPath), Is.EqualTo(File.ReadAllBytes(Path.Combine(_prebuilt, _key, "bin", "driver-host"))));
        Assert.That(toolchain.ModelExports, Does.Contain("copy_to_user"));
        Assert.That(Directory.GetDirectories(cache), Is.EqualTo(new[] { toolchain.Root }), "no temporary folder is left");
        if (!OperatingSystem.IsWindows())
        {
            // Hosts run as uid 65534: everything readable by others, the programs executable by them.
            foreach (var file in Directory.EnumerateFiles(toolchain.Root, "*", SearchOption.AllDirectories))
            {
                Assert.That(File.GetUnixFileMode(file) & UnixFileMode.OtherRead, Is.EqualTo(UnixFileMode.OtherRead), file);
            }

            Assert.That(File.GetUnixFileMode(toolchain.LaunchPath) & UnixFileMode.OtherExecute, Is.EqualTo(UnixFileMode.OtherExecute));
            Assert.That(File.GetUnixFileMode(toolchain.HostPath) & UnixFileMode.OtherExecute, Is.EqualTo(UnixFileMode.OtherExecute));
        }

        Assert.That(NativeToolchain.Create(cache, _prebuilt).Toolchain!.Origin, Is.EqualTo(NativeOrigin.Cache), "the next run finds it ready");
    }

    [TestCase("another version's folder")]
    [TestCase("ready names other sources")]
    [TestCase("no ready marker")]
    [TestCase("a program differs from its digest")]
    [TestCase("a program that does not run here")]
    [TestCase("a listed file that cannot be copied")]
    public void A_prebuilt_toolchain_that_does_not_check_out_is_ignored_and_the_cache_built(string defect)
    {
        var root = Path.Combine(_dir, "defective-" + defect.Replace(' ', '-').Replace('\'', '-'));
        var copy = Path.Combine(root, _key);
        CopyTree(Path.Combine(_prebuilt, _key), copy);
        var ready = Path.Combine(copy, "ready");
        var host = Path.Combine(copy, "bin", "driver-host");
        switch (defect)
        {
            case "another version's folder":
                Directory.Move(copy, Path.Combine(root, "native-0123456789abcdef"));
                break;
            case "ready names other sources":
                File.WriteAllText(ready, File.ReadAllText(ready).Replace(_key["native-".Length..], "0123456789abcdef", StringComparison.Ordinal));
                break;
            case "no ready marker":
                File.Delete(ready);
                break;
            case "a program differs from its digest":
                File.AppendAllText(host, "x");
                break;
            case "a program that does not run here":
                // As a tool packed for another architecture would carry: listed with its true digest, but no program.
                var old = Digest(File.ReadAllBytes(host));
                byte[] alien = [0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
                File.WriteAllBytes(host, alien);
                File.WriteAllText(ready, File.ReadAllText(ready).Replace(old, Digest(alien), StringComparison.Ordinal));
                break;
            case "a listed file that cannot be copied":
                // Listed with its true digest, but where the copy has a folder of our sources: the write throws.
                Directory.Delete(Path.Combine(copy, "host"), recursive: true);
                File.WriteAllText(Path.Combine(copy, "host"), "x");
                File.AppendAllText(ready, Digest("x"u8.ToArray()) + " host\n");
                break;
        }

        var cache = Path.Combine(_dir, "cache-" + Path.GetFileName(root));
        var (toolchain, problem) = NativeToolchain.Create(cache, root);

        Assert.That(problem, Is.Null);
        Assert.That(toolchain!.Origin, Is.EqualTo(NativeOrigin.Built));
        Assert.That(toolchain.Root, Is.EqualTo(Path.Combine(cache, _key)));
        Assert.That(File.Exists(toolchain.HostPath), Is.True);
    }

    [Test]
    public void Prebuild_keeps_a_complete_build_and_drops_other_versions()
    {
        var stale = Path.Combine(_prebuilt, "native-0123456789abcdef");
        Directory.CreateDirectory(stale);
        var ready = Path.Combine(_prebuilt, _key, "ready");
        var written = File.GetLastWriteTimeUtc(ready);

        var (toolchain, problem) = NativeToolchain.Prebuild(_prebuilt);

        Assert.That(problem, Is.Null);
        Assert.That(toolchain!.Origin, Is.EqualTo(NativeOrigin.Cache));
        Assert.That(File.GetLastWriteTimeUtc(ready), Is.EqualTo(written));
        Assert.That(Directory.Exists(stale), Is.False);
    }

    private static string Digest(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
