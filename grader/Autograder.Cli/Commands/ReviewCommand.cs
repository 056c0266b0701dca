using System.ComponentModel;
using System.Net;
using Autograder.Cli.Review;
using Autograder.Report;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Autograder.Cli.Commands;

internal sealed class ReviewSettings : CommandSettings
{
    [CommandArgument(0, "<results>")]
    [Description("A results.json written by grade or merge.")]
    public string Results { get; init; } = "";

    [CommandOption("--db <FILE>")]
    [Description("The review database (SQLite). Default: review.db next to the results.")]
    public string? Db { get; init; }

    [CommandOption("--listen <ADDR:PORT>")]
    [Description("Address to listen on, e.g. 0.0.0.0:8080 for a shared machine. Default: 127.0.0.1 on a free port.")]
    public string? Listen { get; init; }

    public string DbPath => Path.GetFullPath(Db ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(Results))!, "review.db"));

    public IPEndPoint? Endpoint => Listen is null ? new IPEndPoint(IPAddress.Loopback, 0) : IPEndPoint.TryParse(Listen, out var e) ? e : null;

    public override ValidationResult Validate() =>
        !File.Exists(Results) ? ValidationResult.Error($"no such file: {Results}")
        : Listen is not null && (Endpoint is null || !Listen.Contains(':', StringComparison.Ordinal)) ? ValidationResult.Error($"--listen: an address and a port, like 0.0.0.0:8080 (not {Listen})")
        : ValidationResult.Success();
}

/// <summary><c>review &lt;results.json&gt;</c>: the grading server where instructors and TAs adjust points per
/// check, comment and mark submissions reviewed (Review/). Runs until Ctrl+C.</summary>
internal sealed class ReviewCommand(CliConsoles consoles) : AutograderCommand<ReviewSettings>(consoles)
{
    protected override async Task<int> RunAsync(ReviewSettings settings, CancellationToken cancellationToken)
    {
        var run = Reports.ReadResults(settings.Results);
        var store = ReviewStore.Open(settings.DbPath, create: true);
        ReviewServer server;
        try
        {
            server = await ReviewServer.StartAsync(new ReviewPages(run, store), store, settings.Endpoint!, cancellationToken);
        }
        catch (IOException e)
        {
            // Kestrel's "address already in use", an address this machine does not have: the operator's to fix.
            throw new Pipeline.OperatorException($"cannot listen on {settings.Endpoint}: {e.Message}");
        }

        await using var running = server;
        Consoles.Out.WriteLine($"Reviewing {run.Submissions.Count} submission(s); reviews are saved in {store.Path}");
        Consoles.Out.WriteLine("Open (the token in the URL is the key to the server; Ctrl+C stops it):");
        Consoles.Out.WriteLine(server.Url.AbsoluteUri);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: every acknowledged save is already on disk.
        }

        return ExitCodes.Ok;
    }
}
