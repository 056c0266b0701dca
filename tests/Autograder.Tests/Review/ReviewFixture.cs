using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Autograder.Tests.Report;

namespace Autograder.Tests.Review;

/// <summary>A class to review: the report tests' results.json (alice, bob, carol, dave) copied into a temp folder.</summary>
internal static partial class ReviewFixture
{
    public static string NewFolder()
    {
        var dir = ReportFixture.TempDir();
        File.Copy(ReportFixture.Data("results.json"), Path.Combine(dir, "results.json"));
        return dir;
    }

    /// <summary>The anti-forgery field of the first form on a page.</summary>
    public static string Antiforgery(string html) => AntiforgeryPattern().Match(html) is { Success: true } m
        ? WebUtility.HtmlDecode(m.Groups[1].Value)
        : throw new AssertionException("no anti-forgery field on the page");

    [GeneratedRegex("name=\"__antiforgery\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryPattern();
}

/// <summary><c>autograder review</c> as a real child process (<c>dotnet autograder.dll</c>), with an HTTP client
/// that keeps the server's cookies.</summary>
internal sealed class ReviewProcess : IDisposable
{
    private readonly Process _process;

    private ReviewProcess(Process process, Uri url, string output)
    {
        _process = process;
        Url = url;
        Output = output;
        Client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = true })
        {
            BaseAddress = new Uri(url.GetLeftPart(UriPartial.Authority)),
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public Uri Url { get; }

    public string Output { get; }

    public HttpClient Client { get; }

    public static ReviewProcess Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "autograder.dll"));
        info.ArgumentList.Add("review");
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        var seen = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            var line = process.StandardOutput.ReadLine();
            if (line is null)
            {
                break;
            }

            seen.Add(line);
            if (line.StartsWith("http://", StringComparison.Ordinal))
            {
                return new ReviewProcess(process, new Uri(line.Trim()), string.Join("\n", seen));
            }
        }

        process.Kill(entireProcessTree: true);
        throw new AssertionException($"the server printed no URL: {string.Join("\n", seen)}\n{process.StandardError.ReadToEnd()}");
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            KillHard();
        }

        Client.Dispose();
        _process.Dispose();
    }
}
