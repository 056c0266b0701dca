using System.Diagnostics;

namespace Autograder.Benchmarks;

/// <summary>
/// The student's loop (issue 16): <c>autograder check</c> on the reference drivers as a student runs it,
/// the built CLI in its own process, first with an empty cache (AUTOGRADER_CACHE a fresh folder: the native
/// host is built, the C# worker published, nothing reused), then warm (same cache, --no-cache so the
/// result is graded again, not reused), then with the result reused. Prints the wall times.
/// </summary>
internal static class StudentLoop
{
    public static int Run(string? cli, string examples)
    {
        cli ??= FindCli(examples);
        if (cli is null || !File.Exists(cli))
        {
            Console.Error.WriteLine("no built CLI found: dotnet build -c Release grader/Autograder.Cli, or pass --cli PATH");
            return 2;
        }

        Console.WriteLine($"cli: {cli}");
        foreach (var (name, path) in new[] { ("C", Path.Combine(examples, "c", "reference", "my-rng.c")), ("C#", Path.Combine(examples, "csharp", "reference")) })
        {
            var cache = Directory.CreateTempSubdirectory("ag-student-loop-").FullName;
            // As a student's ~/.cache is: the sandbox user (uid 65534 under root) must reach the native host in it.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(cache, (UnixFileMode)0b111_101_101);
            }
            try
            {
                var cold = Check(cli, path, cache, "--no-cache");
                var warm = Check(cli, path, cache, "--no-cache");
                // --no-cache neither reads nor writes the cache: one run stores the result, the next reuses it.
                Check(cli, path, cache);
                var reused = Check(cli, path, cache);
                Console.WriteLine($"  {name,-2} cold (empty cache) {cold.Seconds,5:0.00} s (exit {cold.Exit}), warm {warm.Seconds,5:0.00} s, result reused {reused.Seconds,5:0.00} s");
            }
            finally
            {
                Directory.Delete(cache, recursive: true);
            }
        }

        return 0;
    }

    private static (double Seconds, int Exit) Check(string cli, string path, string cache, params string[] extra)
    {
        var psi = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("check");
        psi.ArgumentList.Add(path);
        foreach (var e in extra)
        {
            psi.ArgumentList.Add(e);
        }

        psi.Environment["AUTOGRADER_CACHE"] = cache;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var seconds = clock.Elapsed.TotalSeconds;
        if (process.ExitCode is not (0 or 1))
        {
            // Not a grade: say why, or the figure would time a failure.
            Console.Error.WriteLine($"check {path} exited {process.ExitCode}: {stderr.Result.Trim()}");
        }

        return (seconds, process.ExitCode);
    }

    private static string? FindCli(string examples)
    {
        var root = Path.GetDirectoryName(examples)!;
        return new[] { "Release", "Debug" }
            .Select(c => Path.Combine(root, "grader", "Autograder.Cli", "bin", c, "net10.0", "autograder"))
            .FirstOrDefault(File.Exists);
    }
}
