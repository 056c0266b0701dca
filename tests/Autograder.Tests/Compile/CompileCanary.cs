using Autograder.Tests.Integration;

namespace Autograder.Tests.Compile;

/// <summary>
/// A secret in a folder only its owner may enter (under /root when the tests run as root, as CI does): the
/// compile-time attacks of examples/hostile/c aim at <see cref="Placeholder"/>, which <see cref="Aim"/> turns
/// into this canary's path. Its content must appear in no output the grader makes.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class CompileCanary : IDisposable
{
    /// <summary>The path the hostile examples name.</summary>
    public const string Placeholder = "/root/ag-canary/canary.txt";

    public CompileCanary()
    {
        var parent = HostileTestSupport.IsRoot ? "/root" : Path.GetTempPath();
        Dir = Path.Combine(parent, "ag-canary-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Dir);
        File.SetUnixFileMode(Dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Secret = "AG-CANARY-" + Guid.NewGuid().ToString("N");
        File.WriteAllText(FilePath, Secret + "\n");
    }

    public string Dir { get; }

    public string FilePath => Path.Combine(Dir, "canary.txt");

    public string Secret { get; }

    /// <summary>The source with the examples' placeholder path replaced by this canary's.</summary>
    public string Aim(string text) => text.Replace(Placeholder, FilePath, StringComparison.Ordinal);

    /// <summary>Copies a folder, aiming every file's text at this canary (bytes kept otherwise, CRs included).</summary>
    public void CopyAimed(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            if (Path.GetFileName(file) != "README.md")
            {
                File.WriteAllText(Path.Combine(to, Path.GetFileName(file)), Aim(File.ReadAllText(file)));
            }
        }
    }

    /// <summary>Files under <paramref name="dir"/> whose bytes hold the secret.</summary>
    public List<string> FilesHoldingIt(string dir)
    {
        var secret = System.Text.Encoding.UTF8.GetBytes(Secret);
        return !Directory.Exists(dir) ? [] : Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => File.ReadAllBytes(f).AsSpan().IndexOf(secret) >= 0)
            .ToList();
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
