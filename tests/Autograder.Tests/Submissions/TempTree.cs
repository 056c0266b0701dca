namespace Autograder.Tests.Submissions;

/// <summary>A throwaway folder tree for discovery tests; files are created with placeholder content.</summary>
internal sealed class TempTree : IDisposable
{
    public TempTree() => Root = Directory.CreateTempSubdirectory("autograder-test-").FullName;

    public string Root { get; }

    public string File(string relativePath, string content = "// source\n")
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public string Dir(string relativePath) => Directory.CreateDirectory(Path.Combine(Root, relativePath)).FullName;

    public string this[string relativePath] => Path.Combine(Root, relativePath);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
