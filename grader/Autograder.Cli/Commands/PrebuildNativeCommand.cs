using System.ComponentModel;
using Autograder.Compile;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Autograder.Cli.Commands;

internal sealed class PrebuildNativeSettings : CommandSettings
{
    [CommandArgument(0, "<folder>")]
    [Description("Where to build (the CLI's build passes its output's native-prebuilt folder).")]
    public string Folder { get; init; } = "";
}

/// <summary>
/// <c>prebuild-native &lt;folder&gt;</c> (hidden): builds the native toolchain into folder/native-HASH with the
/// code a first `check` would run (<see cref="NativeToolchain.Prebuild"/>), so the tool ships it and a student's
/// first check copies it instead of compiling. Run by the CLI's build (Autograder.Cli.csproj); without gcc, or
/// off Linux, it builds nothing and succeeds: the tool then builds at first use, as it did before.
/// </summary>
internal sealed class PrebuildNativeCommand(CliConsoles consoles) : AutograderCommand<PrebuildNativeSettings>(consoles)
{
    protected override Task<int> RunAsync(PrebuildNativeSettings settings, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            Consoles.Out.WriteLine("native toolchain not prebuilt: the native host is Linux-only");
            return Task.FromResult(ExitCodes.Ok);
        }

        var (toolchain, problem) = NativeToolchain.Prebuild(Path.GetFullPath(settings.Folder));
        if (toolchain is not null)
        {
            Consoles.Out.WriteLine($"native toolchain prebuilt: {Path.GetFileName(toolchain.Root)} ({(toolchain.Origin == NativeOrigin.Cache ? "up to date" : "built")})");
            return Task.FromResult(ExitCodes.Ok);
        }

        if (problem == NativeToolchain.MissingGcc)
        {
            Consoles.Out.WriteLine($"native toolchain not prebuilt ({problem}): the tool will build it at first use");
            return Task.FromResult(ExitCodes.Ok);
        }

        // gcc is here and our own sources do not build: as much our bug as a C# compile error.
        Consoles.Error.MarkupLineInterpolated($"[red]error:[/] {problem}");
        return Task.FromResult(ExitCodes.GraderFault);
    }
}
