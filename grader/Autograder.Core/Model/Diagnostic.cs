namespace Autograder.Model;

/// <summary>A compiler diagnostic mapped to the student's file. Its own file: the C# compile service (in the
/// worker executable) builds these too.</summary>
public sealed record Diagnostic(string Severity, string File, int Line, int Column, string Message, string? Code = null);
