using Autograder.Compile;
using Autograder.Protocol;

namespace Autograder.Worker;

/// <summary>
/// The C# compile service (<c>--compile</c>): Roslyn and the allowlist on a student's sources, in a sandboxed
/// process with its own heap limit, so a source built to exhaust the compiler (nested lambdas, nested generic
/// calls) costs this process, never the grader. Ready is sent once Roslyn is warm; then one Compile at a time,
/// answered by its Diagnostic frames and a Compiled. The assembly is never loaded here. The grader watches
/// the time and kills the process past its limit.
/// </summary>
internal static class CompileService
{
    public static int Run(Stream input, Stream output)
    {
        var writer = new FrameWriter();
        var reader = new FrameReader();
        try
        {
            CSharpCompiler.WarmUp();
            writer.Start(Msg.Ready).U32(Layout.ProtocolVersion).Str("csharp-compile").SendTo(output);
            while (reader.Read(input))
            {
                if (reader.Type != Msg.Compile)
                {
                    Console.Error.WriteLine($"Autograder.Worker: {reader.Type} is not a compile command");
                    return ExitCodes.ProtocolError;
                }

                var allowlist = (reader.U8() & 1) != 0;
                var count = reader.U32();
                var sources = new List<(string Path, string Text)>();
                for (var i = 0; i < count; i++)
                {
                    sources.Add((reader.Str(), reader.Str()));
                }

                var build = new CSharpCompiler(allowlist).Compile(sources);
                foreach (var d in build.Diagnostics)
                {
                    writer.Start(Msg.Diagnostic).Str(d.Severity).Str(d.File).U32((uint)d.Line).U32((uint)d.Column).Str(d.Message).Str(d.Code ?? "")
                        .SendTo(output);
                }

                writer.Start(Msg.Compiled).U8(build.Success ? (byte)1 : (byte)0).Str(build.Failure ?? "").Blob(build.Assembly ?? [])
                    .SendTo(output);
            }

            return ExitCodes.Done;
        }
        catch (OutOfMemoryException)
        {
            // Said by the exit code alone: writing a message needs memory.
            return ExitCodes.OutOfMemory;
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            Console.Error.WriteLine($"Autograder.Worker: {e.Message}");
            return ExitCodes.ProtocolError;
        }
    }
}
