using System.Diagnostics;

namespace Autograder.Compile;

/// <summary>Runs a build tool (gcc, nm, ar) with an argument list: no shell, output captured, killed on timeout.</summary>
internal static class NativeProcess
{
    /// <summary>What a run left. <see cref="Truncated"/>: stdout or stderr was longer than the cap; the rest was read and dropped.</summary>
    internal sealed record Outcome(int ExitCode, string Stdout, string Stderr, bool TimedOut, bool Truncated = false);

    /// <summary>
    /// Runs file with arguments; keeps at most maxOutputBytes of each stream (the rest is drained and dropped);
    /// when environment is set, the process gets exactly those variables instead of ours.
    /// </summary>
    public static Outcome Run(string file, IEnumerable<string> arguments, string? workingDirectory = null, TimeSpan? timeout = null,
        int maxOutputBytes = int.MaxValue, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            info.Environment.Clear();
            foreach (var (name, value) in environment)
            {
                info.Environment[name] = value;
            }
        }

        // Diagnostics are parsed: keep gcc's messages in English and its quotes in ASCII.
        info.Environment["LC_ALL"] = "C";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        process.StandardInput.Close();
        var stdout = ReadBoundedAsync(process.StandardOutput.BaseStream, maxOutputBytes);
        var stderr = ReadBoundedAsync(process.StandardError.BaseStream, maxOutputBytes);
        var timedOut = !process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60));
        if (timedOut)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.WaitForExit();
        }
        else
        {
            process.WaitForExit();
        }

        var (outText, outCut) = stdout.GetAwaiter().GetResult();
        var (errText, errCut) = stderr.GetAwaiter().GetResult();
        return new Outcome(timedOut ? -1 : process.ExitCode, outText, errText, timedOut, outCut || errCut);
    }

    /// <summary>The first <paramref name="max"/> bytes of a stream as UTF-8 text; reads to the end, keeping nothing more.</summary>
    private static async Task<(string Text, bool Truncated)> ReadBoundedAsync(Stream stream, int max)
    {
        using var kept = new MemoryStream();
        var buffer = new byte[64 * 1024];
        var truncated = false;
        int read;
        while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            var room = (int)Math.Min(read, Math.Max(0L, (long)max - kept.Length));
            kept.Write(buffer, 0, room);
            truncated |= room < read;
        }

        return (System.Text.Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length), truncated);
    }

    /// <summary>The full path of an executable found on PATH, or null.</summary>
    public static string? FindOnPath(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
            {
                return candidate;
            }
        }

        return null;
    }
}
